//! What differs between the vendors' wire protocols, and what both share on the wire; the rest of codegen is the
//! same for every vendor and asks this module.
//!
//! Each vendor's file owns its request encoder (UCloud's flattened form, Finovy's query, path, header and JSON
//! body), the client method's call, the operation's decode entry (`decode_response`), how paging is wired, and
//! how the crate introduces its vendor. This file dispatches to them: per crate on [`Vendor`], chosen once from
//! the operations' [`Protocol`]; per operation on its own [`Protocol`] and [`Pagination`], which carry the
//! operation's facts (action, HTTP method and path, paging fields). Both vendors decode JSON through the same
//! runtime slots, so slot naming and the `Decode` impl of responses and models live here.

mod finovy;
mod ucloud;
mod ufile;

use super::defs::{Arity, FieldDef, OperationDefs, Shape, StructDef};
use super::error::{CodegenError, CodegenErrorKind};
use super::names::ident;
use super::tokens::Splice;
use crate::ir::{Operation, Pagination, Protocol};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The vendor whose runtime a generated crate calls. One crate, one vendor: chosen once per crate from its
/// operations' IR [`Protocol`] (a folder mixing vendors does not generate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// UCloud: signed form POSTs (`Protocol::Rpc`).
    Ucloud,
    /// Finovy: REST calls with a JSON envelope (`Protocol::Http`).
    Finovy,
    /// UFile: object storage REST calls, streamed bodies (`Protocol::Object`).
    Ufile,
}

impl Vendor {
    /// The vendor of one operation.
    pub(crate) fn of(op: &Operation) -> Self {
        match op.protocol {
            Protocol::Rpc { .. } => Vendor::Ucloud,
            Protocol::Http { .. } => Vendor::Finovy,
            Protocol::Object { .. } => Vendor::Ufile,
        }
    }

    /// How the crate's docs and manifest name the vendor.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Vendor::Ucloud => ucloud::LABEL,
            Vendor::Finovy => finovy::LABEL,
            Vendor::Ufile => ufile::LABEL,
        }
    }

    /// The environment variables the client's `from_env` reads, as the crate's example says them.
    pub(crate) fn env_vars(self) -> &'static str {
        match self {
            Vendor::Ucloud => ucloud::ENV_VARS,
            Vendor::Finovy => finovy::ENV_VARS,
            Vendor::Ufile => ufile::ENV_VARS,
        }
    }

    /// The runtime module holding the vendor's `Client` and `Config` (`docbind_runtime::ucloud`).
    pub(crate) fn runtime_module(self) -> TokenStream {
        match self {
            Vendor::Ucloud => quote!(ucloud),
            Vendor::Finovy => quote!(finovy),
            Vendor::Ufile => quote!(ufile),
        }
    }

    /// What the crate root re-exports of the vendor's runtime module for building a client: its `Config`, and
    /// Finovy's `Credentials`, which that `Config` is made of.
    pub(crate) fn config_items(self) -> TokenStream {
        match self {
            Vendor::Ucloud => quote!(Config),
            Vendor::Finovy => quote!({ Config, Credentials }),
            Vendor::Ufile => quote!(Config),
        }
    }

    /// The `encode` method of a request struct or request group: how its fields go on the wire.
    pub(crate) fn request_encoder(self, def: &StructDef) -> TokenStream {
        match self {
            Vendor::Ucloud => ucloud::form_encoder(def),
            Vendor::Finovy => finovy::call_encoder(def),
            Vendor::Ufile => ufile::call_encoder(def),
        }
    }
}

/// Refuses, before anything is built, a request the operation's protocol cannot send.
pub(crate) fn check_request(op: &Operation) -> Result<(), CodegenError> {
    match &op.protocol {
        // The flattened form carries every shape (`Name.N.Field`).
        Protocol::Rpc { .. } => Ok(()),
        Protocol::Http { .. } => finovy::check_request(op),
        Protocol::Object { .. } => ufile::check_request(op),
    }
}

/// What an operation's module holds beside its structs, for its protocol.
pub(crate) struct OperationCall {
    /// `decode_response`: the one decode entry of the operation.
    pub decode_entry: TokenStream,
    /// The `OPERATION` static the runtime's call takes.
    pub operation_static: TokenStream,
    /// The client method's body: encode the request, and return the runtime's pending call of it (`PendingCall`).
    pub call: TokenStream,
}

/// The decode entry, `OPERATION` and call of one operation.
pub(crate) fn operation_call(op: &Operation, defs: &OperationDefs) -> Result<OperationCall, CodegenError> {
    match &op.protocol {
        Protocol::Rpc { action } => Ok(ucloud::operation_call(op, defs, action)),
        Protocol::Http { method, path } => finovy::operation_call(op, defs, method, path),
        Protocol::Object { .. } => ufile::operation_call(op, defs),
    }
}

/// What the client method takes beside the request, and what its call yields.
pub(crate) struct MethodSignature {
    /// Parameters after `request` (`, body: rt::ufile::UploadBody`), or nothing.
    pub params: TokenStream,
    /// The arguments passing those parameters on (`, body`), or nothing.
    pub args: TokenStream,
    /// The `PendingCall`'s output.
    pub returns: TokenStream,
    /// The extra arguments of the method's doc example.
    pub example_args: &'static str,
}

impl MethodSignature {
    /// `request` alone, returning the response.
    fn plain(defs: &OperationDefs) -> Self {
        let response = format_ident!("{}", defs.response.name);
        MethodSignature { params: quote!(), args: quote!(), returns: quote!(#response), example_args: "" }
    }
}

/// The client method's signature for `op`.
pub(crate) fn method_signature(op: &Operation, defs: &OperationDefs) -> MethodSignature {
    match &op.protocol {
        Protocol::Object { .. } => ufile::signature(op, defs),
        Protocol::Rpc { .. } | Protocol::Http { .. } => MethodSignature::plain(defs),
    }
}

/// How a paging operation's stream walks its pages: which fields carry the items, the total, the position and
/// the page size, the runtime pager, and the first position.
pub(crate) struct Paging {
    pub items: FieldDef,
    pub total: FieldDef,
    pub position: FieldDef,
    pub size: FieldDef,
    /// `rt::paginate::offset_pages` or `numbered_pages`.
    pub pages_fn: TokenStream,
    /// The position of the first page when the request leaves it unset.
    pub first: TokenStream,
}

/// The paging of an operation, by its IR pagination (each style is one vendor's).
pub(crate) fn paging(op: &Operation, defs: &OperationDefs, pagination: &Pagination) -> Result<Paging, CodegenError> {
    match pagination {
        Pagination::OffsetLimit { offset, limit, items, total } => {
            ucloud::paging(op, defs, offset, limit, items, total)
        }
        Pagination::PageNumber { page, page_size } => finovy::paging(op, defs, page, page_size),
    }
}

/// The field of `fields` with wire name `wire`, which pagination names.
fn paging_field(op: &Operation, fields: &[FieldDef], wire: &str) -> Result<FieldDef, CodegenError> {
    fields
        .iter()
        .find(|f| f.wire == wire)
        .cloned()
        .ok_or_else(|| CodegenError::of(op, CodegenErrorKind::Pagination(format!("no field `{wire}`"))))
}

/// The runtime `Slot` variant that decodes a field of this shape.
pub(crate) fn slot_variant(shape: &Shape, arity: Arity) -> TokenStream {
    let name = format_ident!("{}", slot_name(shape, arity));
    quote!(#name)
}

/// The name of the runtime `Slot` variant for a field of this shape.
fn slot_name(shape: &Shape, arity: Arity) -> &'static str {
    match (shape, arity) {
        (Shape::Str, Arity::List) => "StrList",
        (Shape::Int, Arity::List) => "IntList",
        (Shape::Float, Arity::List) => "FloatList",
        (Shape::Bool, Arity::List) => "BoolList",
        (Shape::Json, Arity::List) => "JsonList",
        (Shape::Struct(_), Arity::List) => "ModelList",
        (Shape::Str, _) => "Str",
        (Shape::Int, _) => "Int",
        (Shape::Float, _) => "Float",
        (Shape::Bool, _) => "Bool",
        (Shape::Json, _) => "Json",
        (Shape::Struct(_), _) => "Model",
        // The overlay refuses enumerations on lists, so this is always a single value.
        (Shape::Enum { .. }, _) => "Enum",
    }
}

/// The `Decode` impl of a response or model: one `Slot` per declared wire name, the rest to `extra`.
pub(crate) fn decode_impl(def: &StructDef) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let arms = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        let slot = slot_variant(&f.shape, f.arity);
        Splice::from(quote! { #wire => rt::__private::Slot::#slot(&mut self.#id), })
    });
    let wires = def.fields.iter().map(|f| &f.wire);
    let slot_fn = if def.fields.is_empty() {
        quote! {
            fn slot(&mut self, _key: &str) -> Option<rt::__private::Slot<'_>> {
                None
            }
        }
    } else {
        quote! {
            fn slot(&mut self, key: &str) -> Option<rt::__private::Slot<'_>> {
                Some(match key {
                    #(#arms)*
                    _ => return None,
                })
            }
        }
    };
    let slot_fn = Splice::from(slot_fn);
    quote! {
        impl rt::__private::Sealed for #name {}
        impl rt::__private::Decode for #name {
            #slot_fn
            fn extra_mut(&mut self) -> &mut rt::Extra {
                &mut self.extra
            }
            fn field_names(&self) -> &'static [&'static str] {
                &[#(#wires),*]
            }
        }
    }
}
