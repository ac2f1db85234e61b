//! The opt-in serde impls of generated types (the generated crate's cargo feature `serde`), all in the shape of the
//! wire: wire names, enumerations as their wire values, a decoded struct's `extra` written back into its object.
//!
//! Responses and models get their impls from one invocation each of the runtime's `__serde_wire_object!` (over
//! `serde_wire`; reading back goes through the same lenient decoder as a response body, so what was kept in `extra`
//! returns there), enumerations from `__serde_wire_enum!`; requests, built in code, from `__serde_request!`
//! (what a serde derive with their wire names would do). Everything is behind `cfg(feature = "serde")`, so the
//! default build compiles
//! no serde code for generated types.

use super::defs::{Arity, EnumDef, OperationDefs, Shape, StructDef};
use super::names::ident;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The feature gate of every serde item.
const FEATURE: &str = "serde";

/// `Serialize` and `Deserialize` of a response or model: one invocation of the runtime's `__serde_wire_object!`,
/// naming each field's writer, wire name and Rust name (tokens syn does not parse further, so cheap to generate).
pub fn decoded_impls(def: &StructDef) -> TokenStream {
    fields_invocation(def, quote!(__serde_wire_object), quote!(field))
}

/// `Serialize` and `Deserialize` of a request or request group: one invocation of the runtime's
/// `__serde_request!`, each field as `required`, `optional` or `list` with its wire name and Rust name. They read and
/// write what a serde derive with the wire names as `rename`s would; the macro saves rustc the derive's expansion.
pub fn request_impls(def: &StructDef) -> TokenStream {
    fields_invocation(def, quote!(__serde_request), quote!(required))
}

/// `rt::<serde_macro>! { Name; <how> "Wire" field; … }` behind the feature: each field's arity as the macro's
/// `optional`, `list`, or `one` (what the macro calls a field that is always there).
fn fields_invocation(def: &StructDef, serde_macro: TokenStream, one: TokenStream) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let fields = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        let how = match f.arity {
            Arity::Optional => quote!(optional),
            Arity::List => quote!(list),
            Arity::One => one.clone(),
        };
        quote!(#how #wire #id;)
    });
    quote! {
        #[cfg(feature = #FEATURE)]
        rt::#serde_macro! {
            #name;
            #(#fields)*
        }
    }
}

/// `Serialize` and `Deserialize` of an enumeration: its wire value, a number where the overlay lists the values as
/// integers or the docs type a field of it as one (the runtime's `__serde_wire_enum!`).
pub fn enum_impls(def: &EnumDef, defs: &OperationDefs) -> TokenStream {
    enum_impls_as(def, enum_is_integer(def, defs))
}

/// [`enum_impls`], the wire values being integers or not as `integer` says.
pub fn enum_impls_as(def: &EnumDef, integer: bool) -> TokenStream {
    let name = format_ident!("{}", def.name);
    quote! {
        #[cfg(feature = #FEATURE)]
        rt::__serde_wire_enum!(#name, integer = #integer);
    }
}

/// Whether the fields typed by this enumeration carry integers on the wire.
pub(crate) fn enum_is_integer(def: &EnumDef, defs: &OperationDefs) -> bool {
    if def.numbers {
        return true;
    }
    let structs = std::iter::once(&defs.request).chain(&defs.groups).chain([&defs.response]).chain(&defs.models);
    structs.flat_map(|s| &s.fields).any(|f| matches!(&f.shape, Shape::Enum { name, int: true } if *name == def.name))
}
