//! UFile's protocol (object storage, `Protocol::Object`): REST calls on a bucket's host whose parameters travel in
//! the path (the object key), the query, headers (a map field whose wire name ends in `*`, such as the user metadata
//! `X-Ufile-Meta-*`, is every header of that prefix) or a JSON body; an upload's body is the caller's stream, a download's response body is streamed back; the response's
//! headers and JSON body are its fields.

use super::{MethodSignature, OperationCall, Wire};
use crate::codegen::defs::{Arity, OperationDefs, Shape, StructDef};
use crate::codegen::error::{CodegenError, CodegenErrorKind};
use crate::codegen::names::ident;
use crate::ir::{Field, Location, Operation, Protocol, Response, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// UFile's wire, as the dialect registry names it.
pub(crate) const WIRE: &dyn Wire = &Ufile;

struct Ufile;

impl Wire for Ufile {
    fn speaks(&self, protocol: &Protocol) -> bool {
        matches!(protocol, Protocol::Object { .. })
    }
    fn label(&self) -> &'static str {
        LABEL
    }
    fn env_vars(&self) -> &'static str {
        ENV_VARS
    }
    fn explicit_config(&self) -> (&'static str, &'static str) {
        ("Config", r#"Config::new("public-key", "private-key", "bucket", "cn-bj")"#)
    }
    fn runtime_module(&self) -> TokenStream {
        quote!(ufile)
    }
    fn request_id(&self) -> &'static str {
        "UFile's `X-SessionId` header"
    }
    fn request_encoder(&self, def: &StructDef) -> TokenStream {
        call_encoder(def)
    }
    fn check_request(&self, op: &Operation) -> Result<(), CodegenError> {
        check_request(op)
    }
    fn operation_call(&self, op: &Operation, defs: &OperationDefs) -> Result<OperationCall, CodegenError> {
        operation_call(op, defs)
    }
    fn method_signature(&self, op: &Operation, _defs: &OperationDefs, response: TokenStream) -> MethodSignature {
        signature(op, response)
    }
}

const LABEL: &str = "UFile";

const ENV_VARS: &str =
    "UCLOUD_PUBLIC_KEY, UCLOUD_PRIVATE_KEY, UFILE_BUCKET, and UFILE_ENDPOINT (a base URL) or UFILE_REGION";

/// The header prefix a map field stands for (`X-Ufile-Meta-` of `X-Ufile-Meta-*`), if it is one.
fn header_prefix(wire: &str, shape: &Shape, location: Location) -> Option<String> {
    let is_map = *shape == Shape::TextMap && location == Location::Header;
    wire.strip_suffix('*').filter(|_| is_map).map(str::to_owned)
}

/// Path, query, header and JSON-body parameters are single values; a map is a family of headers (`Name-*`).
fn check_request(op: &Operation) -> Result<(), CodegenError> {
    let refuse = |f: &Field| {
        Err(CodegenError::at_line(op, f.source.line, CodegenErrorKind::ParameterOutsideBody(f.wire_name.clone())))
    };
    for f in &op.request {
        match (&f.ty, f.location) {
            (Type::TextMap, Location::Header) if f.wire_name.ends_with('*') => {}
            (Type::String | Type::Int | Type::Float | Type::Bool, _) => {}
            _ => return refuse(f),
        }
    }
    Ok(())
}

/// The request's fields, written into the runtime's `Call`.
fn call_encoder(def: &StructDef) -> TokenStream {
    let lines = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        if let Some(prefix) = header_prefix(wire, &f.shape, f.location) {
            let map = if f.arity == Arity::Optional { quote!(self.#id.as_ref()) } else { quote!(Some(&self.#id)) };
            return quote!(call.header_map(#prefix, #map););
        }
        let prefix = match f.location {
            Location::Path => return quote!(call.path(#wire, &self.#id);),
            Location::Query => "query",
            Location::Header => "header",
            _ => "body",
        };
        let kind = match f.shape {
            Shape::Int => "int",
            Shape::Float => "float",
            Shape::Bool => "bool",
            _ => "str",
        };
        let plain = format_ident!("{prefix}_{kind}");
        let optional = format_ident!("opt_{prefix}_{kind}");
        match (f.arity, &f.shape) {
            (Arity::Optional, Shape::Enum { .. }) => {
                quote!(call.#optional(#wire, self.#id.as_ref().map(|value| value.as_str()));)
            }
            (_, Shape::Enum { .. }) => quote!(call.#plain(#wire, self.#id.as_str());),
            (Arity::Optional, Shape::Str) => quote!(call.#optional(#wire, self.#id.as_deref());),
            (Arity::Optional, _) => quote!(call.#optional(#wire, self.#id);),
            (_, Shape::Str) => quote!(call.#plain(#wire, &self.#id);),
            _ => quote!(call.#plain(#wire, self.#id);),
        }
    });
    let call = if def.fields.is_empty() { quote!(_call) } else { quote!(call) };
    quote! {
        fn encode(&self, #call: &mut rt::__private::ufile::Call) {
            #(#lines)*
        }
    }
}

/// The method's extra parameter (an upload's body) and what its call yields (a download's stream).
fn signature(op: &Operation, response: TokenStream) -> MethodSignature {
    let Protocol::Object { upload, download, .. } = &op.protocol else { return MethodSignature::plain(response) };
    MethodSignature {
        params: if *upload { quote!(, body: rt::ufile::UploadBody) } else { quote!() },
        args: if *upload { quote!(, body) } else { quote!() },
        returns: if *download { quote!(rt::ufile::Downloaded<#response>) } else { quote!(#response) },
        example_args: if *upload { ", docbind_runtime::ufile::UploadBody::empty()" } else { "" },
    }
}

/// The decode entries, `OPERATION` and call of one UFile operation.
fn operation_call(op: &Operation, defs: &OperationDefs) -> Result<OperationCall, CodegenError> {
    let Protocol::Object { method, flags, upload, download, .. } = &op.protocol else {
        return Err(CodegenError::of(op, CodegenErrorKind::Bug("not a UFile operation".into())));
    };
    let response = format_ident!("{}", defs.response.name);
    let idempotent = op.access.read_only;
    let name = &op.name;
    let verb = match method.as_str() {
        "GET" => quote!(GET),
        "HEAD" => quote!(HEAD),
        "POST" => quote!(POST),
        "PUT" => quote!(PUT),
        "DELETE" => quote!(DELETE),
        other => return Err(CodegenError::of(op, CodegenErrorKind::UnsupportedMethod(other.to_string()))),
    };
    let mut header_lines = Vec::new();
    for f in defs.response.fields.iter().filter(|f| f.location == Location::Header) {
        let id = ident(&f.ident);
        let wire = &f.wire;
        if let Some(prefix) = header_prefix(wire, &f.shape, f.location) {
            header_lines.push(quote! {
                response.#id = rt::__private::ufile::header_map(headers, #prefix, &mut response.extra);
            });
            continue;
        }
        let read = match (&f.shape, f.arity) {
            (Shape::Int, Arity::Optional) => quote!(header_int),
            (Shape::Float, Arity::Optional) => quote!(header_float),
            (Shape::Bool, Arity::Optional) => quote!(header_bool),
            (Shape::Str, Arity::Optional) => quote!(header_str),
            _ => {
                let documented = match &op.response {
                    Response::Fields { fields } => fields.iter().find(|field| field.wire_name == f.wire),
                    Response::Envelope { .. } => None,
                };
                let (line, ty) = documented.map_or((op.source.line, String::new()), |field| {
                    (field.source.line, crate::diff::type_name(&field.ty))
                });
                let kind = CodegenErrorKind::UnsupportedHeader { field: f.wire.clone(), ty };
                return Err(CodegenError::at_line(op, line, kind));
            }
        };
        header_lines.push(quote!(response.#id = rt::__private::ufile::#read(headers, #wire);));
    }
    let (response_param, headers_param) = if defs.response.fields.iter().any(|f| f.location == Location::Header) {
        (quote!(response), quote!(headers))
    } else {
        (quote!(_response), quote!(_headers))
    };
    let doc = format!(
        " Decodes a `{name}` response body as the client does: its JSON keys go to the response (an empty body \
         leaves it as it is); the headers are read by `decode_headers`."
    );
    let flags = flags.iter();
    let body = if *upload { quote!(call.body(body);) } else { quote!() };
    let call = if *download {
        quote! {
            let mut call = rt::__private::ufile::Call::new(rt::reqwest::Method::#verb, &[#(#flags),*]);
            request.encode(&mut call);
            self.runtime().pending_download(&OPERATION, call, |headers| {
                let mut response = #response::default();
                decode_headers(&mut response, headers);
                response
            })
        }
    } else {
        quote! {
            let mut call = rt::__private::ufile::Call::new(rt::reqwest::Method::#verb, &[#(#flags),*]);
            request.encode(&mut call);
            #body
            self.runtime().pending(&OPERATION, call, |reply| {
                let (mut response, ()) = decode_response(&reply.body)?;
                decode_headers(&mut response, &reply.headers);
                Ok(response)
            })
        }
    };
    Ok(OperationCall {
        operation_static: quote! {
            static OPERATION: rt::ufile::Operation = rt::ufile::Operation {
                name: #name,
                idempotent: #idempotent,
            };
        },
        decode_entry: quote! {
            #[doc = #doc]
            #[doc(hidden)]
            pub fn decode_response(body: &[u8]) -> Result<(#response, ()), rt::DecodeError> {
                let mut response = #response::default();
                rt::__private::ufile::decode_body(body, &mut response)?;
                Ok((response, ()))
            }

            /// Reads the response headers the docs list into the response.
            fn decode_headers(#response_param: &mut #response, #headers_param: &rt::reqwest::header::HeaderMap) {
                #(#header_lines)*
            }
        },
        call,
    })
}
