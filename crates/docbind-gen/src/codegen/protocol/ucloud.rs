//! UCloud's protocol: requests are flattened into a signed form (`Name.0.Field`), every call is a POST naming its
//! `Action`, and the response is the whole body beside UCloud's `RetCode`, `Action` and `Message`.

use super::{paging_field, OperationCall, Paging, Wire};
use crate::codegen::defs::{Arity, OperationDefs, Shape, StructDef};
use crate::codegen::error::{CodegenError, CodegenErrorKind};
use crate::codegen::names::ident;
use crate::codegen::tokens::Splice;
use crate::ir::{Operation, Pagination, Protocol};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// UCloud's wire, as the dialect registry names it.
pub(crate) const WIRE: &dyn Wire = &Ucloud;

struct Ucloud;

impl Wire for Ucloud {
    fn speaks(&self, protocol: &Protocol) -> bool {
        matches!(protocol, Protocol::Rpc { .. })
    }
    fn label(&self) -> &'static str {
        LABEL
    }
    fn config_defaults(&self) -> &'static [&'static str] {
        // `ucloud::ConfigDefault`'s variants: `operation_call` names one per setting.
        &["project_id", "region", "zone"]
    }
    fn env_vars(&self) -> &'static str {
        ENV_VARS
    }
    fn explicit_config(&self) -> (&'static str, &'static str) {
        ("Config", r#"Config::new("public-key", "private-key")"#)
    }
    fn runtime_module(&self) -> TokenStream {
        quote!(ucloud)
    }
    fn request_id(&self) -> &'static str {
        "UCloud's `X-UCLOUD-REQUEST-UUID` header"
    }
    fn request_encoder(&self, def: &StructDef) -> TokenStream {
        form_encoder(def)
    }
    // The runtime's, one for every Action (see `operation_call`), through the crate's `runtime` re-export.
    fn decode_entry(&self, krate: &Ident, module: &Ident, response: &Ident) -> TokenStream {
        quote!(#krate::runtime::__private::ucloud::decode_response::<#krate::#module::#response>)
    }
    // The flattened form carries every shape (`Name.N.Field`), so every request is accepted.
    fn operation_call(&self, op: &Operation, defs: &OperationDefs) -> Result<OperationCall, CodegenError> {
        let Protocol::Rpc { action } = &op.protocol else {
            return Err(CodegenError::of(op, CodegenErrorKind::Bug("not a UCloud operation".into())));
        };
        Ok(operation_call(op, defs, action))
    }
    fn paging(
        &self,
        op: &Operation,
        defs: &OperationDefs,
        pagination: &Pagination,
    ) -> Option<Result<Paging, CodegenError>> {
        let Pagination::OffsetLimit { offset, limit, items, total } = pagination else { return None };
        Some(paging(op, defs, offset, limit, items, total))
    }
}

const LABEL: &str = "UCloud";

const ENV_VARS: &str = "UCLOUD_PUBLIC_KEY, UCLOUD_PRIVATE_KEY, UCLOUD_SECURITY_TOKEN, UCLOUD_PROJECT_ID, \
                                   UCLOUD_REGION, UCLOUD_ZONE, UCLOUD_API_BASE_URL and UCLOUD_TIMEOUT_SECOND, then the \
                                   ~/.ucloud profile UCLOUD_PROFILE names (else the active one)";

/// UCloud: flattened form parameters (`Name.0.Field`).
fn form_encoder(def: &StructDef) -> TokenStream {
    let lines = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        match (&f.shape, f.arity) {
            (Shape::Str, Arity::One) => quote!(form.str(#wire, &self.#id);),
            (Shape::Str, Arity::Optional) => quote!(form.opt_str(#wire, self.#id.as_deref());),
            (Shape::Str, Arity::List) => quote!(form.str_list(#wire, &self.#id);),
            (Shape::Int, Arity::One) => quote!(form.int(#wire, self.#id);),
            (Shape::Int, Arity::Optional) => quote!(form.opt_int(#wire, self.#id);),
            (Shape::Int, Arity::List) => quote!(form.int_list(#wire, &self.#id);),
            (Shape::Float, Arity::One) => quote!(form.float(#wire, self.#id);),
            (Shape::Float, Arity::Optional) => quote!(form.opt_float(#wire, self.#id);),
            (Shape::Float, Arity::List) => quote!(form.float_list(#wire, &self.#id);),
            (Shape::Bool, Arity::One) => quote!(form.bool(#wire, self.#id);),
            (Shape::Bool, Arity::Optional) => quote!(form.opt_bool(#wire, self.#id);),
            (Shape::Bool, Arity::List) => quote!(form.bool_list(#wire, &self.#id);),
            (Shape::Json, Arity::One) => quote!(form.str(#wire, &self.#id.to_string());),
            (Shape::Json, Arity::Optional) => quote! {
                if let Some(value) = &self.#id {
                    form.str(#wire, &value.to_string());
                }
            },
            (Shape::Json, Arity::List) => quote! {
                for (index, value) in self.#id.iter().enumerate() {
                    form.enter_index(#wire, index);
                    form.str("", &value.to_string());
                    form.leave();
                }
            },
            // A map flattens like a group: `Name.<key>=<value>`.
            (Shape::TextMap, Arity::One) => quote! {
                form.enter(#wire);
                for (key, value) in &self.#id {
                    form.str(key, value);
                }
                form.leave();
            },
            (Shape::TextMap, _) => quote! {
                if let Some(map) = &self.#id {
                    form.enter(#wire);
                    for (key, value) in map {
                        form.str(key, value);
                    }
                    form.leave();
                }
            },
            (Shape::Enum { .. }, Arity::One) => quote!(form.str(#wire, self.#id.as_str());),
            (Shape::Enum { .. }, Arity::List) => {
                let key = format!("{wire}.{{index}}");
                quote! {
                    for (index, value) in self.#id.iter().enumerate() {
                        form.str(&format!(#key), value.as_str());
                    }
                }
            }
            (Shape::Enum { .. }, _) => quote!(form.opt_str(#wire, self.#id.as_ref().map(|value| value.as_str()));),
            (Shape::Struct(_), Arity::One) => quote! {
                form.enter(#wire);
                self.#id.encode(form);
                form.leave();
            },
            (Shape::Struct(_), Arity::Optional) => quote! {
                if let Some(group) = &self.#id {
                    form.enter(#wire);
                    group.encode(form);
                    form.leave();
                }
            },
            (Shape::Struct(_), Arity::List) => quote! {
                for (index, group) in self.#id.iter().enumerate() {
                    form.enter_index(#wire, index);
                    group.encode(form);
                    form.leave();
                }
            },
        }
    });
    let lines = lines.map(Splice::from);
    let form = if def.fields.is_empty() { quote!(_form) } else { quote!(form) };
    quote! {
        fn encode(&self, #form: &mut rt::__private::ucloud::Form) {
            #(#lines)*
        }
    }
}

/// The call of one UCloud Action, all of it the runtime's `__ucloud_call!`: the operation's description (its common
/// parameters, `ir::CommonParameter`, which the runtime fills from its configuration when the request leaves them
/// unset, failing before sending when a required one is set by neither) in place, and the runtime's one
/// `decode_response` for every Action (`RetCode`, `Action` and `Message` are UCloud's, every other key the
/// response's). So a module has no `decode_response` or `OPERATION` of its own: two items fewer per operation for
/// rustc to check on every build of the crate.
fn operation_call(op: &Operation, defs: &OperationDefs, action: &str) -> OperationCall {
    let idempotent = op.access.read_only;
    let deferred = |wire: &str| {
        defs.request.fields.iter().any(|f| f.wire == wire && f.arity == Arity::Optional && f.shape == Shape::Str)
    };
    let common = op.common_parameters.iter().filter(|common| deferred(&common.wire_name)).map(|common| {
        let wire = &common.wire_name;
        let setting = quote::format_ident!("{}", crate::codegen::names::type_name(&common.config));
        let required = op.request.iter().any(|f| f.wire_name == *wire && f.required);
        quote! { #wire => #setting(required = #required) }
    });
    OperationCall {
        operation_static: TokenStream::new(),
        decode_entry: TokenStream::new(),
        call: quote! {
            rt::__ucloud_call!(self, request, #action, idempotent = #idempotent, common = [#(#common),*])
        },
    }
}

/// `Offset`/`Limit` in, a list of models and `TotalCount` out; offsets start at 0.
fn paging(
    op: &Operation,
    defs: &OperationDefs,
    offset: &str,
    limit: &str,
    items: &str,
    total: &str,
) -> Result<Paging, CodegenError> {
    Ok(Paging {
        items: paging_field(op, &defs.response.fields, items)?,
        total: paging_field(op, &defs.response.fields, total)?,
        position: paging_field(op, &defs.request.fields, offset)?,
        size: paging_field(op, &defs.request.fields, limit)?,
        pages_fn: quote!(rt::paginate::offset_pages),
        first: quote!(0),
    })
}
