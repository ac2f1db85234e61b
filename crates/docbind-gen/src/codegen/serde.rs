//! The opt-in serde impls of generated types (the generated crate's cargo feature `serde`), all in the shape of the
//! wire: wire names, enumerations as their wire values, a decoded struct's `extra` written back into its object.
//!
//! Responses and models get their impls from one invocation each of the runtime's `__serde_wire_object!` (over
//! `serde_wire`; reading back goes through the same lenient decoder as a response body, so what was kept in `extra`
//! returns there), enumerations from `__serde_wire_enum!`; requests, built in code, derive serde with their wire
//! names. Everything is behind `cfg(feature = "serde")`, so the default build compiles
//! no serde code for generated types.

use super::defs::{Arity, EnumDef, FieldDef, OperationDefs, Shape, StructDef};
use super::names::ident;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The feature gate of every serde item.
const FEATURE: &str = "serde";

/// `Serialize` and `Deserialize` of a response or model: one invocation of the runtime's `__serde_wire_object!`,
/// naming each field's writer, wire name and Rust name (tokens syn does not parse further, so cheap to generate).
pub fn decoded_impls(def: &StructDef) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let fields = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        let how = match f.arity {
            Arity::Optional => quote!(optional),
            Arity::List => quote!(list),
            Arity::One => quote!(field),
        };
        quote!(#how #wire #id;)
    });
    quote! {
        #[cfg(feature = #FEATURE)]
        rt::__serde_wire_object! {
            #name;
            #(#fields)*
        }
    }
}

/// The derive of a request or request group, as an attribute of the struct.
pub fn request_derive() -> syn::Attribute {
    cfg_attr(quote! {
        feature = #FEATURE,
        derive(rt::__private::serde::Serialize, rt::__private::serde::Deserialize),
        serde(crate = "rt::__private::serde")
    })
}

/// A request field's wire name, and for an optional or list field that it may be absent (an unset option is not
/// written).
pub fn request_field_attribute(field: &FieldDef) -> syn::Attribute {
    let wire = &field.wire;
    cfg_attr(match field.arity {
        Arity::One => quote!(feature = #FEATURE, serde(rename = #wire)),
        Arity::Optional => {
            quote!(feature = #FEATURE, serde(rename = #wire, default, skip_serializing_if = "Option::is_none"))
        }
        Arity::List => quote!(feature = #FEATURE, serde(rename = #wire, default)),
    })
}

/// `#[cfg_attr(<arguments>)]`, built as a `syn` attribute directly: a list attribute keeps its arguments as tokens,
/// so nothing is parsed (one per request field adds up over the corpus; see BENCHMARKS.md, codegen speed).
fn cfg_attr(arguments: TokenStream) -> syn::Attribute {
    syn::Attribute {
        pound_token: Default::default(),
        style: syn::AttrStyle::Outer,
        bracket_token: Default::default(),
        meta: syn::Meta::List(syn::MetaList {
            path: format_ident!("cfg_attr").into(),
            delimiter: syn::MacroDelimiter::Paren(Default::default()),
            tokens: arguments,
        }),
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
