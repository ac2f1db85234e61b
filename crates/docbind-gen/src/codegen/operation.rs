//! One operation → one Rust module: request (and its groups), response, models, and the `Client` method.

use super::defs::{Arity, DataBinding, FieldDef, OperationDefs, Shape, StructDef, StructKind, EXTRA};
use super::names::ident;
use super::rustdoc::{doc_attributes, doc_attrs};
use super::tokens::Splice;
use crate::ir::{Dialect, Location, Operation, Pagination, Protocol};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// One piece of a generated module, in order: `quote!`d tokens, or a struct built as a `syn` item.
pub enum Piece {
    Tokens(TokenStream),
    Struct(Box<syn::ItemStruct>),
}

pub fn module_pieces(op: &Operation, defs: &OperationDefs, dialect: Dialect) -> Result<Vec<Piece>, String> {
    let module_doc = Splice::from(doc_attrs(
        &format!(
            "{}\n\n{}{}Generated from `{}` (line {}).",
            super::defs::title_of(op),
            if op.summary.is_empty() { String::new() } else { format!("{}\n\n", op.summary) },
            twin_note(defs),
            op.source.file.display(),
            op.source.line
        ),
        true,
    ));
    let mut pieces = vec![Piece::Tokens(quote! {
        #module_doc
        use docbind_runtime as rt;
    })];
    let structs = std::iter::once(&defs.request).chain(&defs.groups).chain([&defs.response]).chain(&defs.models);
    for def in structs {
        pieces.push(Piece::Struct(Box::new(struct_item(def)?)));
        pieces.push(Piece::Tokens(struct_impls(def, dialect)));
    }
    for e in &defs.enums {
        pieces.push(Piece::Tokens(enum_tokens(e)));
    }
    pieces.push(Piece::Tokens(client_tokens(op, defs, dialect)?));
    Ok(pieces)
}

/// The paragraph saying that the product index links a twin instead, or nothing.
fn twin_note(defs: &OperationDefs) -> String {
    defs.twin_note.as_ref().map(|note| format!("{note}\n\n")).unwrap_or_default()
}

fn rust_type(field: &FieldDef) -> TokenStream {
    let inner = match &field.shape {
        Shape::Str => quote!(String),
        Shape::Int => quote!(i64),
        Shape::Float => quote!(f64),
        Shape::Bool => quote!(bool),
        Shape::Json => quote!(rt::serde_json::Value),
        Shape::Struct(name) | Shape::Enum { name, .. } => {
            let name = format_ident!("{}", name);
            quote!(#name)
        }
    };
    match field.arity {
        Arity::One => inner,
        Arity::Optional => quote!(Option<#inner>),
        Arity::List => quote!(Vec<#inner>),
    }
}

/// The struct itself, built as a `syn` item: structs are most of every module (mostly field docs), and building
/// them directly spares syn a re-parse of every field and doc line before prettyplease prints them.
fn struct_item(def: &StructDef) -> Result<syn::ItemStruct, String> {
    let name = format_ident!("{}", def.name);
    let mut derives = vec![quote!(Clone), quote!(PartialEq)];
    if !def.has_secret() {
        derives.insert(0, quote!(Debug));
    }
    if !def.fields.iter().any(FieldDef::in_constructor) {
        derives.push(quote!(Default));
    }
    // The frame (no fields) is a handful of tokens: parsing it is cheap and keeps it readable.
    let mut item: syn::ItemStruct = syn::parse2(quote! {
        #[derive(#(#derives),*)]
        #[non_exhaustive]
        pub struct #name {}
    })
    .map_err(|e| format!("struct {}: {e} (generator bug)", def.name))?;
    item.attrs.splice(0..0, doc_attributes(&def.doc));
    let syn::Fields::Named(fields) = &mut item.fields else {
        return Err(format!("struct {}: not a struct with named fields (generator bug)", def.name));
    };
    for f in &def.fields {
        let ty = syn::parse2(rust_type(f)).map_err(|e| format!("field {}: {e} (generator bug)", f.ident))?;
        fields.named.push(public_field(doc_attributes(&f.doc), ident(&f.ident), ty));
    }
    if def.kind == StructKind::Decoded {
        let doc = "Keys the docs do not declare, and values that did not fit their declared type, exactly as\n\
                   received (a misfit list element under `Name.<index>`).";
        let ty = syn::parse2(quote!(rt::decode::Extra)).map_err(|e| format!("extra: {e} (generator bug)"))?;
        fields.named.push(public_field(doc_attributes(doc), format_ident!("{EXTRA}"), ty));
    }
    Ok(item)
}

fn public_field(attrs: Vec<syn::Attribute>, name: proc_macro2::Ident, ty: syn::Type) -> syn::Field {
    syn::Field {
        attrs,
        vis: syn::Visibility::Public(Default::default()),
        mutability: syn::FieldMutability::None,
        ident: Some(name),
        colon_token: Some(Default::default()),
        ty,
    }
}

/// What goes with a struct: its constructor and setters or its `Decode`, and a redacting `Debug` if it holds
/// secrets.
fn struct_impls(def: &StructDef, dialect: Dialect) -> TokenStream {
    let impls = Splice::from(match def.kind {
        StructKind::Decoded => decode_impl(def),
        StructKind::Request => request_impl(def, dialect),
    });
    let debug = Splice::from(if def.has_secret() { debug_impl(def) } else { quote!() });
    quote! {
        #impls
        #debug
    }
}

/// A `Debug` that prints `<redacted>` for credential-like fields.
fn debug_impl(def: &StructDef) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let label = &def.name;
    let entries = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let label = &f.ident;
        if super::defs::is_secret_name(&f.wire) {
            quote! { .field(#label, &"<redacted>") }
        } else {
            quote! { .field(#label, &self.#id) }
        }
    });
    let extra = if def.kind == StructKind::Decoded { quote!(.field("extra", &self.extra)) } else { quote!() };
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#label) #(#entries)* #extra .finish()
            }
        }
    }
}

/// A forward-compatible enumeration: documented values get variants, anything else is kept in `Unknown`.
fn enum_tokens(def: &super::defs::EnumDef) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let doc = doc_attrs(
        &format!(
            "{}\n\nNamed in the overlay. Forward compatible: a value the docs do not list decodes to `Unknown`, is kept \
             as received and is sent back unchanged.",
            def.doc
        ),
        false,
    );
    let variants = def.variants.iter().map(|(variant, wire)| {
        let v = format_ident!("{}", variant);
        let doc = format!(" Wire value `{wire}`.");
        quote! { #[doc = #doc] #v, }
    });
    let as_str = def.variants.iter().map(|(variant, wire)| {
        let v = format_ident!("{}", variant);
        quote! { Self::#v => #wire, }
    });
    let from_wire = def.variants.iter().map(|(variant, wire)| {
        let v = format_ident!("{}", variant);
        quote! { #wire => Self::#v, }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value the docs do not list, exactly as received.
            Unknown(String),
        }
        impl #name {
            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(value) => value,
                }
            }
        }
        impl rt::decode::Enumeration for #name {
            fn from_wire(raw: &str) -> Self {
                match raw {
                    #(#from_wire)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// The runtime `Slot` variant that decodes a field of this shape.
fn slot_variant(shape: &Shape, arity: Arity) -> TokenStream {
    let name = format_ident!("{}", slot_name(shape, arity));
    quote!(#name)
}

/// The name of the runtime `Slot` variant for a field of this shape.
pub fn slot_name(shape: &Shape, arity: Arity) -> &'static str {
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

fn decode_impl(def: &StructDef) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let arms = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        let slot = slot_variant(&f.shape, f.arity);
        Splice::from(quote! { #wire => rt::decode::Slot::#slot(&mut self.#id), })
    });
    let wires = def.fields.iter().map(|f| &f.wire);
    let slot_fn = if def.fields.is_empty() {
        quote! {
            fn slot(&mut self, _key: &str) -> Option<rt::decode::Slot<'_>> {
                None
            }
        }
    } else {
        quote! {
            fn slot(&mut self, key: &str) -> Option<rt::decode::Slot<'_>> {
                Some(match key {
                    #(#arms)*
                    _ => return None,
                })
            }
        }
    };
    let slot_fn = Splice::from(slot_fn);
    quote! {
        impl rt::decode::Decode for #name {
            #slot_fn
            fn extra_mut(&mut self) -> &mut rt::decode::Extra {
                &mut self.extra
            }
            fn field_names(&self) -> &'static [&'static str] {
                &[#(#wires),*]
            }
        }
    }
}

/// Constructor with the required parameters, `with_*` setters for the optional ones, and the wire encoder.
fn request_impl(def: &StructDef, dialect: Dialect) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let required: Vec<&FieldDef> = def.fields.iter().filter(|f| f.in_constructor()).collect();
    let params = required.iter().map(|f| {
        let id = ident(&f.ident);
        match (f.arity, &f.shape) {
            (Arity::One, Shape::Str) => quote!(#id: impl Into<String>),
            _ => {
                let ty = rust_type(f);
                quote!(#id: #ty)
            }
        }
    });
    let inits = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        match (f.arity, &f.shape) {
            _ if f.in_constructor() && f.arity == Arity::One && f.shape == Shape::Str => quote!(#id: #id.into(),),
            _ if f.in_constructor() => quote!(#id,),
            (Arity::One, _) => quote!(#id,),
            (Arity::Optional, _) => quote!(#id: None,),
            (Arity::List, _) => quote!(#id: Vec::new(),),
        }
    });
    let too_many = if required.len() > 7 { quote!(#[allow(clippy::too_many_arguments)]) } else { quote!() };
    let constructor = if required.is_empty() {
        quote! {
            /// Creates the request with every optional parameter unset.
            pub fn new() -> Self {
                Self::default()
            }
        }
    } else {
        quote! {
            /// Creates the request from its required parameters; optional ones start unset.
            #too_many
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* }
            }
        }
    };
    let setters = def.fields.iter().filter(|f| !f.in_constructor()).map(|f| {
        let id = ident(&f.ident);
        let setter = format_ident!("with_{}", f.ident.trim_start_matches("r#"));
        let doc = format!(" Sets [`{}`](Self::{}) (wire name `{}`).", f.ident, f.ident, f.wire);
        Splice::from(match (f.arity, &f.shape) {
            (Arity::Optional, Shape::Str) => quote! {
                #[doc = #doc]
                #[must_use]
                pub fn #setter(mut self, value: impl Into<String>) -> Self {
                    self.#id = Some(value.into());
                    self
                }
            },
            (Arity::Optional, _) => {
                let ty = rust_type(&FieldDef { arity: Arity::One, ..(*f).clone() });
                quote! {
                    #[doc = #doc]
                    #[must_use]
                    pub fn #setter(mut self, value: #ty) -> Self {
                        self.#id = Some(value);
                        self
                    }
                }
            }
            _ => {
                let ty = rust_type(f);
                quote! {
                    #[doc = #doc]
                    #[must_use]
                    pub fn #setter(mut self, value: #ty) -> Self {
                        self.#id = value;
                        self
                    }
                }
            }
        })
    });
    let encode = Splice::from(match dialect {
        Dialect::Ucloud => form_encoder(def),
        Dialect::Finovy => call_encoder(def),
    });
    let constructor = Splice::from(constructor);
    quote! {
        impl #name {
            #constructor
            #(#setters)*
            #encode
        }
    }
}

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
            (Shape::Enum { .. }, Arity::One) => quote!(form.str(#wire, self.#id.as_str());),
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
        fn encode(&self, #form: &mut rt::ucloud::Form) {
            #(#lines)*
        }
    }
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
            Shape::Json | Shape::Struct(_) => "json",
            Shape::Enum { int: true, .. } if prefix == "body" => "json",
            Shape::Enum { .. } => "str",
        };
        let plain = format_ident!("{prefix}_{kind}");
        let optional = format_ident!("opt_{prefix}_{kind}");
        // Integer enumerations travel as JSON numbers in a body (text if an unknown value is not a number).
        match (f.arity, &f.shape) {
            (Arity::One, Shape::Enum { int: true, .. }) if prefix == "body" => quote! {
                call.#plain(#wire, match self.#id.as_str().parse::<i64>() {
                    Ok(number) => rt::serde_json::Value::from(number),
                    Err(_) => rt::serde_json::Value::from(self.#id.as_str()),
                });
            },
            (Arity::Optional, Shape::Enum { int: true, .. }) if prefix == "body" => quote! {
                call.#optional(#wire, self.#id.as_ref().map(|value| match value.as_str().parse::<i64>() {
                    Ok(number) => rt::serde_json::Value::from(number),
                    Err(_) => rt::serde_json::Value::from(value.as_str()),
                }));
            },
            (Arity::One, Shape::Enum { .. }) => quote!(call.#plain(#wire, self.#id.as_str());),
            (Arity::Optional, Shape::Enum { .. }) => {
                quote!(call.#optional(#wire, self.#id.as_ref().map(|value| value.as_str()));)
            }
            (Arity::One, Shape::Str) => quote!(call.#plain(#wire, &self.#id);),
            (Arity::One, Shape::Json) => quote!(call.#plain(#wire, self.#id.clone());),
            (Arity::One, _) => quote!(call.#plain(#wire, self.#id);),
            (Arity::Optional, Shape::Str) => quote!(call.#optional(#wire, self.#id.as_deref());),
            (Arity::Optional, Shape::Json) => quote!(call.#optional(#wire, self.#id.clone());),
            (Arity::Optional, _) => quote!(call.#optional(#wire, self.#id);),
            (Arity::List, _) => quote! {
                call.body_json(#wire, rt::serde_json::Value::from(self.#id.clone()));
            },
        }
    });
    let call = if def.fields.is_empty() { quote!(_call) } else { quote!(call) };
    quote! {
        fn encode(&self, #call: &mut rt::finovy::Call) {
            #(#lines)*
        }
    }
}

fn client_tokens(op: &Operation, defs: &OperationDefs, dialect: Dialect) -> Result<TokenStream, String> {
    let method = ident(&defs.method);
    let request = format_ident!("{}", defs.request.name);
    let response = format_ident!("{}", defs.response.name);
    let idempotent = op.idempotent.idempotent;
    let doc = doc_attrs(
        &format!(
            "{}\n\n{}{}Retried automatically on transient failures: {} ({}).\n\nGenerated from `{}` (line {}).",
            super::defs::title_of(op),
            if op.summary.is_empty() { String::new() } else { format!("{}\n\n", op.summary) },
            twin_note(defs),
            if idempotent { "yes" } else { "no" },
            op.idempotent.reason,
            op.source.file.display(),
            op.source.line
        ),
        false,
    );
    let (operation_static, body) = match (&op.protocol, dialect) {
        (Protocol::Rpc { action }, Dialect::Ucloud) => {
            let declares = |name: &str| {
                defs.request
                    .fields
                    .iter()
                    .any(|f| f.wire == name && f.arity == Arity::Optional && f.shape == Shape::Str)
            };
            let (project, region, zone) = (declares("ProjectId"), declares("Region"), declares("Zone"));
            (
                quote! {
                    static OPERATION: rt::ucloud::Operation = rt::ucloud::Operation {
                        action: #action,
                        idempotent: #idempotent,
                        declares_project_id: #project,
                        declares_region: #region,
                        declares_zone: #zone,
                    };
                },
                quote! {
                    let mut form = rt::ucloud::Form::new();
                    request.encode(&mut form);
                    let mut response = #response::default();
                    self.runtime().call(&OPERATION, form, &mut response).await?;
                    Ok(response)
                },
            )
        }
        (Protocol::Http { method: http_method, path }, Dialect::Finovy) => {
            let name = &op.name;
            let verb = match http_method.as_str() {
                "GET" => quote!(Get),
                "POST" => quote!(Post),
                "PUT" => quote!(Put),
                "DELETE" => quote!(Delete),
                "PATCH" => quote!(Patch),
                other => return Err(format!("{}: unsupported HTTP method `{other}`", op.name)),
            };
            let decode = match &defs.binding {
                DataBinding::Object | DataBinding::TopLevel => quote! {
                    let mut data: Option<#response> = None;
                    let info = self.runtime().call(&OPERATION, call, rt::decode::Slot::Model(&mut data)).await?;
                    let mut response = data.unwrap_or_default();
                },
                DataBinding::List { field } | DataBinding::Value { field } => {
                    let field_def =
                        defs.response.fields.iter().find(|f| f.ident == *field).ok_or("missing data field")?;
                    let id = ident(field);
                    let slot = slot_variant(&field_def.shape, field_def.arity);
                    quote! {
                        let mut response = #response::default();
                        let info = self.runtime().call(&OPERATION, call, rt::decode::Slot::#slot(&mut response.#id)).await?;
                    }
                }
            };
            (
                quote! {
                    static OPERATION: rt::finovy::Operation = rt::finovy::Operation {
                        name: #name,
                        idempotent: #idempotent,
                    };
                },
                quote! {
                    let mut call = rt::finovy::Call::new(rt::finovy::Method::#verb, #path);
                    request.encode(&mut call);
                    #decode
                    for (key, value) in info.extra.iter() {
                        response.extra.insert(key, value.clone());
                    }
                    Ok(response)
                },
            )
        }
        _ => return Err(format!("{}: protocol does not match the {dialect:?} dialect", op.name)),
    };
    let stream = pagination_tokens(op, defs)?;
    Ok(quote! {
        #operation_static
        impl crate::Client {
            #doc
            pub async fn #method(&self, request: &#request) -> Result<#response, rt::Error> {
                #body
            }
            #stream
        }
    })
}

/// A lazily fetching `Stream` of items for operations that page.
fn pagination_tokens(op: &Operation, defs: &OperationDefs) -> Result<TokenStream, String> {
    let Some(pagination) = &op.pagination else { return Ok(quote!()) };
    let request = format_ident!("{}", defs.request.name);
    let method = ident(&defs.method);
    let stream = format_ident!("{}_stream", defs.method);
    let find = |fields: &[FieldDef], wire: &str| {
        fields
            .iter()
            .find(|f| f.wire == wire)
            .cloned()
            .ok_or_else(|| format!("{}: pagination field `{wire}` missing", op.name))
    };
    let (items_field, total_field, position_field, size_field, (pages_fn, first)) = match pagination {
        Pagination::OffsetLimit { offset, limit, items, total } => (
            find(&defs.response.fields, items)?,
            find(&defs.response.fields, total)?,
            find(&defs.request.fields, offset)?,
            find(&defs.request.fields, limit)?,
            (quote!(rt::paginate::offset_pages), quote!(0)),
        ),
        Pagination::PageNumber { page, page_size } => {
            let items = defs.response.fields.first().cloned().ok_or("page without items")?;
            let total = defs.response.fields.get(1).cloned().ok_or("page without total")?;
            (
                items,
                total,
                find(&defs.request.fields, page)?,
                find(&defs.request.fields, page_size)?,
                (quote!(rt::paginate::numbered_pages), quote!(1)),
            )
        }
    };
    let Shape::Struct(item) = &items_field.shape else {
        return Err(format!("{}: paged items are not models", op.name));
    };
    let item = format_ident!("{}", item);
    let items = ident(&items_field.ident);
    let total = ident(&total_field.ident);
    let position = ident(&position_field.ident);
    let size = ident(&size_field.ident);
    let unwrap_position = if position_field.arity == Arity::One {
        quote!(request.#position)
    } else {
        quote!(request.#position.unwrap_or(#first))
    };
    // An unset page size is left to the server; then only an empty page or the total ends the stream.
    let unwrap_size =
        if size_field.arity == Arity::One { quote!(request.#size) } else { quote!(request.#size.unwrap_or(0)) };
    let set_position = if position_field.arity == Arity::One {
        quote!(request.#position = position;)
    } else {
        quote!(request.#position = Some(position);)
    };
    let doc = format!(
        " Every item of [`{}`](Self::{}), fetching pages lazily as the stream is polled. The request's position and page size are the starting point.",
        defs.method, defs.method
    );
    Ok(quote! {
        #[doc = #doc]
        pub fn #stream(&self, request: #request) -> impl rt::futures::Stream<Item = Result<#item, rt::Error>> + Unpin + '_ {
            let start = #unwrap_position;
            let page_size = #unwrap_size;
            // Boxed so callers can poll it without pinning it themselves.
            Box::pin(#pages_fn(start, page_size, move |position| {
                let mut request = request.clone();
                #set_position
                async move {
                    let response = self.#method(&request).await?;
                    Ok((response.#items, response.#total))
                }
            }))
        }
    })
}
