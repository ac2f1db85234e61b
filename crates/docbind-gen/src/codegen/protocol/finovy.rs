//! Finovy's protocol: REST calls whose parameters travel in the query, the path, headers or a JSON body, and
//! whose response is the `data` of a `{code, success, msg, data, traceId}` envelope.

use super::{paging_field, slot_variant, OperationCall, Paging, Wire};
use crate::codegen::defs::{Arity, DataBinding, OperationDefs, Shape, StructDef};
use crate::codegen::error::{CodegenError, CodegenErrorKind};
use crate::codegen::names::ident;
use crate::ir::{Field, Location, Operation, Pagination, Protocol, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Finovy's wire, as the dialect registry names it.
pub(crate) const WIRE: &dyn Wire = &Finovy;

struct Finovy;

impl Wire for Finovy {
    fn speaks(&self, protocol: &Protocol) -> bool {
        matches!(protocol, Protocol::Http { .. })
    }
    fn label(&self) -> &'static str {
        LABEL
    }
    fn env_vars(&self) -> &'static str {
        ENV_VARS
    }
    fn explicit_config(&self) -> (&'static str, &'static str) {
        ("Config, Credentials", r#"Config::new(Credentials::exchange("account-uuid", "app-secret"))"#)
    }
    fn runtime_module(&self) -> TokenStream {
        quote!(finovy)
    }
    // Finovy's `Config` is made of `Credentials`.
    fn config_items(&self) -> TokenStream {
        quote!({ Config, Credentials })
    }
    fn request_id(&self) -> &'static str {
        "Finovy's `traceId`"
    }
    fn request_encoder(&self, def: &StructDef) -> TokenStream {
        call_encoder(def)
    }
    fn check_request(&self, op: &Operation) -> Result<(), CodegenError> {
        check_request(op)
    }
    fn operation_call(&self, op: &Operation, defs: &OperationDefs) -> Result<OperationCall, CodegenError> {
        let Protocol::Http { method, path } = &op.protocol else {
            return Err(CodegenError::of(op, CodegenErrorKind::Bug("not a Finovy operation".into())));
        };
        operation_call(op, defs, method, path)
    }
    fn paging(
        &self,
        op: &Operation,
        defs: &OperationDefs,
        pagination: &Pagination,
    ) -> Option<Result<Paging, CodegenError>> {
        let Pagination::PageNumber { page, page_size } = pagination else { return None };
        Some(paging(op, defs, page, page_size))
    }
}

const LABEL: &str = "Finovy";

const ENV_VARS: &str = "FINOVY_ACCESS_TOKEN, or FINOVY_UUID and FINOVY_SECRET, and FINOVY_BASE_URL";

/// Lists, objects and maps travel only as keys of the JSON body: the runtime has no query, path or header form of
/// them.
fn check_request(op: &Operation) -> Result<(), CodegenError> {
    fn check(op: &Operation, fields: &[Field]) -> Result<(), CodegenError> {
        for f in fields {
            let structured = matches!(f.ty, Type::List(_) | Type::Group(_) | Type::Model(_) | Type::TextMap);
            if structured && f.location != Location::Body {
                let kind = CodegenErrorKind::ParameterOutsideBody(f.wire_name.clone());
                return Err(CodegenError::at_line(op, f.source.line, kind));
            }
            let group = match &f.ty {
                Type::List(inner) => inner.as_ref(),
                other => other,
            };
            if let Type::Group(members) = group {
                check(op, members)?;
            }
        }
        Ok(())
    }
    check(op, &op.request)
}

/// Finovy: query, path, header and JSON-body parameters.
fn call_encoder(def: &StructDef) -> TokenStream {
    let lines = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        let prefix = match f.location {
            Location::Query => "query",
            Location::Path => "path",
            Location::Header => "header",
            _ => "body",
        };
        let kind = match f.shape {
            Shape::Str => "str",
            Shape::Int => "int",
            Shape::Float => "float",
            Shape::Bool => "bool",
            Shape::Json | Shape::TextMap | Shape::Struct(_) => "json",
            Shape::Enum { int: true, .. } if prefix == "body" => "json",
            Shape::Enum { .. } => "str",
        };
        let plain = format_ident!("{prefix}_{kind}");
        let optional = format_ident!("opt_{prefix}_{kind}");
        match (f.arity, &f.shape) {
            (Arity::One, Shape::Enum { int: true, .. }) if prefix == "body" => {
                let value = enum_json(quote!(self.#id));
                quote!(call.#plain(#wire, #value);)
            }
            (Arity::Optional, Shape::Enum { int: true, .. }) if prefix == "body" => {
                let value = enum_json(quote!(value));
                quote!(call.#optional(#wire, self.#id.as_ref().map(|value| #value));)
            }
            (Arity::One, Shape::Enum { .. }) => quote!(call.#plain(#wire, self.#id.as_str());),
            (Arity::Optional, Shape::Enum { .. }) => {
                quote!(call.#optional(#wire, self.#id.as_ref().map(|value| value.as_str()));)
            }
            (Arity::One, Shape::TextMap) => {
                quote!(call.#plain(#wire, self.#id.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect());)
            }
            (Arity::Optional, Shape::TextMap) => quote! {
                call.#optional(#wire, self.#id.as_ref().map(|map| map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()));
            },
            (Arity::One, Shape::Str) => quote!(call.#plain(#wire, &self.#id);),
            (Arity::One, Shape::Json) => quote!(call.#plain(#wire, self.#id.clone());),
            (Arity::One, _) => quote!(call.#plain(#wire, self.#id);),
            (Arity::Optional, Shape::Str) => quote!(call.#optional(#wire, self.#id.as_deref());),
            (Arity::Optional, Shape::Json) => quote!(call.#optional(#wire, self.#id.clone());),
            (Arity::Optional, _) => quote!(call.#optional(#wire, self.#id);),
            (Arity::List, Shape::Enum { int, .. }) => {
                let value =
                    if *int { enum_json(quote!(value)) } else { quote!(rt::serde_json::Value::from(value.as_str())) };
                quote! {
                    call.body_json(#wire, rt::serde_json::Value::Array(self.#id.iter().map(|value| #value).collect()));
                }
            }
            (Arity::List, _) => quote! {
                call.body_json(#wire, rt::serde_json::Value::from(self.#id.clone()));
            },
        }
    });
    let call = if def.fields.is_empty() { quote!(_call) } else { quote!(call) };
    quote! {
        fn encode(&self, #call: &mut rt::__private::finovy::Call) {
            #(#lines)*
        }
    }
}

/// The JSON body value of an integer enumeration `value`: a number, or text if an unknown value is not a number.
fn enum_json(value: TokenStream) -> TokenStream {
    quote! {
        match #value.as_str().parse::<i64>() {
            Ok(number) => rt::serde_json::Value::from(number),
            Err(_) => rt::serde_json::Value::from(#value.as_str()),
        }
    }
}

/// The decode entry, `OPERATION` and call of one Finovy operation.
fn operation_call(
    op: &Operation,
    defs: &OperationDefs,
    http_method: &str,
    path: &str,
) -> Result<OperationCall, CodegenError> {
    let response = format_ident!("{}", defs.response.name);
    let idempotent = op.access.read_only;
    let name = &op.name;
    let verb = match http_method {
        "GET" => quote!(Get),
        "POST" => quote!(Post),
        "PUT" => quote!(Put),
        "DELETE" => quote!(Delete),
        "PATCH" => quote!(Patch),
        other => return Err(CodegenError::of(op, CodegenErrorKind::UnsupportedMethod(other.to_string()))),
    };
    // What `data` decodes into: the response itself, or one field of it.
    let data = match &defs.binding {
        DataBinding::Struct => quote!(Self),
        DataBinding::Field { field } => {
            let field_def = defs.response.fields.iter().find(|f| f.ident == *field).ok_or_else(|| {
                CodegenError::of(op, CodegenErrorKind::Bug(format!("the response has no data field `{field}`")))
            })?;
            let id = ident(field);
            let slot = slot_variant(&field_def.shape, field_def.arity);
            quote!(#slot(#id))
        }
    };
    Ok(OperationCall {
        operation_static: quote! {
            static OPERATION: rt::__private::finovy::Operation = rt::__private::finovy::Operation {
                name: #name,
                idempotent: #idempotent,
            };
        },
        // The envelope around `data`: the runtime's macro.
        decode_entry: quote! {
            rt::__finovy_decode_response!(#response, #name, data = #data);
        },
        call: quote! {
            let mut call = rt::__private::finovy::Call::new(rt::__private::finovy::Method::#verb, #path);
            request.encode(&mut call);
            self.runtime().pending(&OPERATION, call, decode_response)
        },
    })
}

/// `page`/`pageSize` in, a page of `data` out (its items, then its total); pages are numbered from 1.
fn paging(op: &Operation, defs: &OperationDefs, page: &str, page_size: &str) -> Result<Paging, CodegenError> {
    let member = |i: usize, what: &str| {
        let missing = || CodegenError::of(op, CodegenErrorKind::Pagination(format!("the page has no {what}")));
        defs.response.fields.get(i).cloned().ok_or_else(missing)
    };
    Ok(Paging {
        items: member(0, "items")?,
        total: member(1, "total")?,
        position: paging_field(op, &defs.request.fields, page)?,
        size: paging_field(op, &defs.request.fields, page_size)?,
        pages_fn: quote!(rt::paginate::numbered_pages),
        first: quote!(1),
    })
}
