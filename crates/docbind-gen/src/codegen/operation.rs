//! One operation → one Rust module: request (and its groups), response, models, enums, and the `Client` method.
//! The same for every vendor; what differs (encoders, the call, the decode entry, paging) comes from `protocol`.

use super::defs::{Arity, FieldDef, OperationDefs, Shape, StructDef, StructKind, EXTRA};
use super::error::{CodegenError, CodegenErrorKind};
use super::names::ident;
use super::protocol::{self, MethodSignature, OperationCall, Paging, Vendor};
use super::rustdoc::{code_span, doc_attributes, doc_attrs, own_doc_attrs, vendor_text};
use super::serde;
use super::tokens::{string_literal, Splice};
use crate::ir::Operation;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// One piece of a generated module, in order: `quote!`d tokens, or a struct built as a `syn` item.
pub enum Piece {
    Tokens(TokenStream),
    Struct(Box<syn::ItemStruct>),
}

/// One operation's module. The types in `shared` (`shared::Shared::of_module`) are defined in the crate's shared
/// module: this one re-exports them.
pub fn module_pieces(
    op: &Operation,
    defs: &OperationDefs,
    vendor: Vendor,
    crate_name: &str,
    shared: &[String],
) -> Result<Vec<Piece>, CodegenError> {
    let module_doc = Splice::from(doc_attrs(
        &format!(
            "{}\n\n{}{}{}",
            super::defs::title_of(op),
            if op.summary.is_empty() { String::new() } else { format!("{}\n\n", vendor_text(&op.summary)) },
            twin_note(defs),
            vendor_page(op)
        ),
        true,
    ));
    let reexport = if shared.is_empty() {
        quote!()
    } else {
        let module = format_ident!("{}", super::shared::MODULE);
        let names = shared.iter().map(|n| format_ident!("{}", n));
        quote!(pub use crate::#module::{#(#names),*};)
    };
    let mut pieces = vec![Piece::Tokens(quote! {
        #module_doc
        use docbind_runtime as rt;
        #reexport
    })];
    let own = |name: &String| !shared.contains(name);
    let models = defs.models.iter().filter(|m| own(&m.name));
    let structs = std::iter::once(&defs.request).chain(&defs.groups).chain([&defs.response]).chain(models);
    for def in structs {
        let mut item = struct_item(def).map_err(|bug| CodegenError::of(op, bug))?;
        let response = std::ptr::eq(def, &defs.response);
        if response {
            add_call_meta_field(&mut item).map_err(|bug| CodegenError::of(op, bug))?;
        }
        pieces.push(Piece::Struct(Box::new(item)));
        pieces.push(Piece::Tokens(struct_impls(def, vendor, response)));
    }
    for e in defs.enums.iter().filter(|e| own(&e.name)) {
        pieces.push(Piece::Tokens(enum_tokens(e)));
        pieces.push(Piece::Tokens(serde::enum_impls(e, defs)));
    }
    pieces.push(Piece::Tokens(client_tokens(op, defs, crate_name)?));
    Ok(pieces)
}

/// The crate's shared module (`src/shared.rs`): the types several operation modules define alike, each once,
/// with what goes with it.
pub fn shared_pieces(shared: &super::shared::Shared, vendor: Vendor) -> Result<Vec<Piece>, CodegenErrorKind> {
    let doc = " Types several operations share: one type each, re-exported by the module of every operation that \
               uses it and at the crate root.";
    let mut pieces = vec![Piece::Tokens(quote! {
        #![doc = #doc]
        use docbind_runtime as rt;
    })];
    for (def, _) in &shared.models {
        pieces.push(Piece::Struct(Box::new(struct_item(def)?)));
        pieces.push(Piece::Tokens(struct_impls(def, vendor, false)));
    }
    for (e, integer, _) in &shared.enums {
        pieces.push(Piece::Tokens(enum_tokens(e)));
        pieces.push(Piece::Tokens(serde::enum_impls_as(e, *integer)));
    }
    Ok(pieces)
}

/// Where the vendor documents the operation, as its readers know it: the page's file name (the spec folder's path
/// means nothing in a published crate).
fn vendor_page(op: &Operation) -> String {
    format!("Documented on the vendor's page {}.", code_span(&file_name(&op.source.file)))
}

/// Where an item the operation's docs or its crate's overlay declare comes from, named as a reader of the published
/// crate can find it: the vendor's page, or the overlay's file name and line (never the spec folder's path).
pub(crate) fn declared_at(op: &Operation, source: &crate::ir::Source) -> String {
    if source.file == op.source.file {
        return vendor_page(op);
    }
    declared_in_overlay(source)
}

/// The overlay's file name and line an item was declared at (a waiter, a model the docs leave out).
pub(crate) fn declared_in_overlay(source: &crate::ir::Source) -> String {
    format!(
        "Declared in the crate's overlay of the vendor's docs, {} line {}.",
        code_span(&file_name(&source.file)),
        source.line
    )
}

/// A path's last component, or the whole path when it has none.
fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
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
        Shape::TextMap => quote!(std::collections::BTreeMap<String, String>),
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

/// A field's type as a `syn` type, built directly: the same tree parsing [`rust_type`]'s tokens gives, without a
/// parse per field.
fn field_type(field: &FieldDef) -> syn::Type {
    let inner = match &field.shape {
        Shape::Str => path_type(&["String"], None),
        Shape::Int => path_type(&["i64"], None),
        Shape::Float => path_type(&["f64"], None),
        Shape::Bool => path_type(&["bool"], None),
        Shape::Json => path_type(&["rt", "serde_json", "Value"], None),
        Shape::TextMap => {
            let text = || path_type(&["String"], None);
            path_type(&["std", "collections", "BTreeMap"], [text(), text()])
        }
        Shape::Struct(name) | Shape::Enum { name, .. } => path_type(&[name.as_str()], None),
    };
    match field.arity {
        Arity::One => inner,
        Arity::Optional => path_type(&["Option"], Some(inner)),
        Arity::List => path_type(&["Vec"], Some(inner)),
    }
}

/// `a::b::C` or `C<arguments>`.
fn path_type(segments: &[&str], arguments: impl IntoIterator<Item = syn::Type>) -> syn::Type {
    let mut path = syn::Path { leading_colon: None, segments: syn::punctuated::Punctuated::new() };
    for segment in segments {
        path.segments.push(syn::PathSegment::from(format_ident!("{}", segment)));
    }
    let args: syn::punctuated::Punctuated<_, _> = arguments.into_iter().map(syn::GenericArgument::Type).collect();
    if let (false, Some(last)) = (args.is_empty(), path.segments.last_mut()) {
        last.arguments = syn::PathArguments::AngleBracketed(syn::AngleBracketedGenericArguments {
            colon2_token: None,
            lt_token: Default::default(),
            args,
            gt_token: Default::default(),
        });
    }
    syn::Type::Path(syn::TypePath { qself: None, path })
}

/// The struct itself, built as a `syn` item: structs are most of every module (mostly field docs), and building
/// them directly spares syn a re-parse of every field and doc line before prettyplease prints them.
fn struct_item(def: &StructDef) -> Result<syn::ItemStruct, CodegenErrorKind> {
    let name = format_ident!("{}", def.name);
    let mut derives = vec![quote!(Clone), quote!(PartialEq)];
    if !def.has_secret() {
        derives.insert(0, quote!(Debug));
    }
    if !def.fields.iter().any(FieldDef::in_constructor) {
        derives.push(quote!(Default));
    }
    // The frame (no fields) is a handful of tokens, parsed once per shape: cheap, and it keeps it readable.
    let frame = super::shapes::parse_item(quote! {
        #[derive(#(#derives),*)]
        #[non_exhaustive]
        pub struct #name {}
    });
    let mut item = match frame {
        Ok(syn::Item::Struct(item)) => item,
        Ok(_) => return Err(CodegenErrorKind::Bug(format!("struct {}: parsed as another item", def.name))),
        Err(e) => return Err(CodegenErrorKind::Bug(format!("struct {}: {e}", def.name))),
    };
    item.attrs.splice(0..0, doc_attributes(&def.doc));
    let syn::Fields::Named(fields) = &mut item.fields else {
        return Err(CodegenErrorKind::Bug(format!("struct {}: not a struct with named fields", def.name)));
    };
    for f in &def.fields {
        let ty = field_type(f);
        fields.named.push(public_field(doc_attributes(&f.doc), ident(&f.ident), ty));
    }
    if def.kind == StructKind::Decoded {
        let doc = "Keys the docs do not declare, and values that did not fit their declared type, exactly as\n\
                   received (a misfit list element under `Name.<index>`).";
        let ty = path_type(&["rt", "Extra"], None);
        fields.named.push(public_field(doc_attributes(doc), format_ident!("{EXTRA}"), ty));
    }
    Ok(item)
}

/// The response's private field for what the call that returned it reports (read with `call_info()` and
/// `request_id()`). No wire name becomes `_call` (snake_case drops leading underscores), and overlay renames start
/// with a letter.
fn add_call_meta_field(item: &mut syn::ItemStruct) -> Result<(), CodegenErrorKind> {
    let syn::Fields::Named(fields) = &mut item.fields else {
        return Err(CodegenErrorKind::Bug(format!("struct {}: not a struct with named fields", item.ident)));
    };
    let ty = path_type(&["rt", "__private", "CallMeta"], None);
    let mut field = public_field(Vec::new(), format_ident!("{CALL_META}"), ty);
    field.vis = syn::Visibility::Inherited;
    fields.named.push(field);
    Ok(())
}

/// The response's private field for the call's info (the runtime's `__response_methods!` reads it by this name).
const CALL_META: &str = "_call";

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
fn struct_impls(def: &StructDef, vendor: Vendor, response: bool) -> TokenStream {
    let impls = Splice::from(match def.kind {
        StructKind::Decoded => {
            let decode = protocol::decode_impl(def, response);
            let serde = serde::decoded_impls(def);
            quote!(#decode #serde)
        }
        StructKind::Request => request_impl(def, vendor),
    });
    let debug = Splice::from(if def.has_secret() { debug_impl(def) } else { quote!() });
    quote! {
        #impls
        #debug
    }
}

/// A `Debug` that prints `<redacted>` for credential-like fields: one invocation of the runtime's
/// `__redacted_debug!`, each field's label and name, `redacted` after a secret one.
fn debug_impl(def: &StructDef) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let entries = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let label = &f.ident;
        if docbind_redact::is_secret_name(&f.wire) {
            quote!(#label #id redacted,)
        } else {
            quote!(#label #id,)
        }
    });
    let extra = if def.kind == StructKind::Decoded {
        let extra = format_ident!("{EXTRA}");
        quote!(#EXTRA #extra,)
    } else {
        quote!()
    };
    quote! {
        rt::__redacted_debug! { #name { #(#entries)* #extra } }
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
        let doc = format!(" Wire value {}.", code_span(wire));
        let doc = string_literal(&doc);
        quote! { #[doc = #doc] #v, }
    });
    let entries = def.variants.iter().map(|(variant, wire)| {
        let v = format_ident!("{}", variant);
        quote! { #v => #wire, }
    });
    // `as_str`, `Enumeration` and `Display` are the runtime's macro.
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value the docs do not list, exactly as received.
            Unknown(String),
        }
        rt::__enumeration! { #name { #(#entries)* } }
    }
}

/// Constructor with the required parameters, `with_*` setters for the optional ones, and the wire encoder.
fn request_impl(def: &StructDef, vendor: Vendor) -> TokenStream {
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
    let encode = Splice::from(vendor.request_encoder(def));
    let constructor = Splice::from(constructor);
    let setters = setters(def);
    let serde = Splice::from(serde::request_impls(def));
    quote! {
        impl #name {
            #constructor
            #(#setters)*
            #encode
        }
        #serde
    }
}

/// The `with_*` setters of the fields `new` does not take: one invocation each of the runtime's `__setter!`, with
/// the setter's kind, name, field and doc line (a macro's arguments are tokens that syn and prettyplease leave as
/// they are, where the methods were a parse and a print each).
fn setters(def: &StructDef) -> impl Iterator<Item = TokenStream> + '_ {
    def.fields.iter().filter(|f| !f.in_constructor()).map(|f| {
        let id = ident(&f.ident);
        let setter = format_ident!("with_{}", f.ident.trim_start_matches("r#"));
        // The field as the struct declares it (`self_` for `self`); rustdoc reads `r#` as a URL fragment.
        let doc = format!(
            " Sets [`{}`](Self::{}) (wire name {}).",
            f.ident,
            id.to_string().trim_start_matches("r#"),
            code_span(&f.wire)
        );
        let doc = string_literal(&doc);
        let kind = match (f.arity, &f.shape) {
            (Arity::Optional, Shape::Str) => quote!(into),
            (Arity::Optional, Shape::TextMap) => quote!(entries),
            (Arity::Optional | Arity::List, _) => {
                let ty = rust_type(&FieldDef { arity: Arity::One, ..(*f).clone() });
                if f.arity == Arity::List {
                    quote!(list(#ty))
                } else {
                    quote!(some(#ty))
                }
            }
            (Arity::One, _) => {
                let ty = rust_type(f);
                quote!(set(#ty))
            }
        };
        quote!(rt::__setter!(#kind #setter(#id), #doc);)
    })
}

fn client_tokens(op: &Operation, defs: &OperationDefs, crate_name: &str) -> Result<TokenStream, CodegenError> {
    let method = ident(&defs.method);
    let request = format_ident!("{}", defs.request.name);
    let response = format_ident!("{}", defs.response.name);
    let described = doc_attrs(
        &format!(
            "{}\n\n{}{}",
            super::defs::title_of(op),
            if op.summary.is_empty() { String::new() } else { format!("{}\n\n", vendor_text(&op.summary)) },
            twin_note(defs),
        ),
        false,
    );
    let class = own_doc_attrs(&format!(
        "{}\n\n{}\n\n# Examples\n\n{}",
        retry_class(op),
        vendor_page(op),
        method_example(crate_name, op, defs, protocol::method_signature(op, defs).example_args)
    ));
    let doc = quote!(#described #class);
    let OperationCall { decode_entry, operation_static, call } = protocol::operation_call(op, defs)?;
    let MethodSignature { params, returns, .. } = protocol::method_signature(op, defs);
    let stream = pagination_tokens(op, defs, crate_name)?;
    // `request_id()` and `call_info()` are the runtime's macro; their docs are written here.
    let link = format!("[`Client::{method}`](crate::Client::{method})");
    let request_id_doc = string_literal(&format!(
        " The server's id of the request that returned this response ({}), to quote to the vendor's support; `None` \
         for a response not returned by {link}.",
        vendor_request_id(op)
    ));
    let call_info_doc = string_literal(&format!(
        " What the call that returned this response reports: its request id, attempts and time taken. The default \
         (no request id, 0 attempts) for a response not returned by {link}."
    ));
    Ok(quote! {
        #decode_entry
        #operation_static
        impl crate::Client {
            #doc
            pub fn #method(&self, request: &#request #params) -> rt::PendingCall<#returns> {
                #call
            }
            #stream
        }
        rt::__response_methods!(#response, #request_id_doc, #call_info_doc);
    })
}

/// The example in an operation method's docs: the request built from the doc's request example, the call, and
/// the request id of the response.
fn method_example(crate_name: &str, op: &Operation, defs: &OperationDefs, extra_args: &str) -> String {
    let krate = crate_name.replace('-', "_");
    format!(
        "```no_run\n\
         # async fn example(client: &{krate}::Client) -> Result<(), {krate}::Error> {{\n\
         use {krate}::{request};\n\n\
         let response = client.{method}(&{new}{extra_args}).await?;\n\
         println!(\"{{response:?}} (request id {{:?}})\", response.request_id());\n\
         # Ok(())\n\
         # }}\n\
         ```",
        request = defs.request.name,
        method = defs.method,
        new = example_request(crate_name, op, defs),
    )
}

/// The example of a page stream method: its items, one by one.
fn stream_example(crate_name: &str, op: &Operation, defs: &OperationDefs) -> String {
    let krate = crate_name.replace('-', "_");
    format!(
        "# Examples\n\n\
         ```no_run\n\
         # async fn example(client: &{krate}::Client) -> Result<(), {krate}::Error> {{\n\
         use {krate}::runtime::futures::StreamExt as _;\n\
         use {krate}::{request};\n\n\
         let mut items = client.{method}_stream(&{new});\n\
         while let Some(item) = items.next().await {{\n\
         \x20   println!(\"{{:?}}\", item?);\n\
         }}\n\
         # Ok(())\n\
         # }}\n\
         ```",
        request = defs.request.name,
        method = defs.method,
        new = example_request(crate_name, op, defs),
    )
}

/// `Request::new(…)` with the doc's request example value of each required parameter where it has a safe one
/// (`codegen/example.rs`), else a placeholder typed enough to compile as a doctest (`impl Into<String>` cannot be
/// inferred from `todo!()`).
pub(super) fn example_request(crate_name: &str, op: &Operation, defs: &OperationDefs) -> String {
    let values = super::example::request_values(op);
    let enum_path = format!("{}::{}", crate_name.replace('-', "_"), defs.module);
    let arguments: Vec<String> = defs
        .request
        .fields
        .iter()
        .filter(|f| f.in_constructor())
        .map(|f| {
            super::example::argument(f, &values, &defs.enums, &enum_path).unwrap_or_else(|| {
                match (f.arity, &f.shape) {
                    (Arity::One, Shape::Str) => "String::new()",
                    (Arity::One, Shape::Int) => "0",
                    (Arity::One, Shape::Bool) => "false",
                    (Arity::List, _) => "Vec::new()",
                    _ => "todo!()",
                }
                .to_string()
            })
        })
        .collect();
    format!("{}::new({})", defs.request.name, arguments.join(", "))
}

/// Where the vendor puts its request id.
fn vendor_request_id(op: &Operation) -> &'static str {
    Vendor::of(op).request_id()
}

/// What the method's docs say about retries: its class (read-only or not), why, and what a failure means.
fn retry_class(op: &Operation) -> String {
    let reason = &op.access.reason;
    if op.access.read_only {
        format!(
            "**Read-only** ({reason}): retried on every transient failure (a timeout, a connection reset, HTTP \
             429/502/503/504, a transient vendor code), per the client's retry policy."
        )
    } else {
        format!(
            "**May change state** ({reason}): retried only when the request provably did not reach the service (no \
             connection could be made, or HTTP 429). After a timeout, a connection reset or an HTTP 5xx it is not \
             repeated: it fails with [`Error::OutcomeUnknown`](rt::Error::OutcomeUnknown), and the resource's state \
             says whether it was carried out."
        )
    }
}

/// A lazily fetching `Stream` of items for operations that page.
fn pagination_tokens(op: &Operation, defs: &OperationDefs, crate_name: &str) -> Result<TokenStream, CodegenError> {
    let Some(pagination) = &op.pagination else { return Ok(quote!()) };
    let request = format_ident!("{}", defs.request.name);
    let method = ident(&defs.method);
    let stream = format_ident!("{}_stream", defs.method);
    let Paging { items: items_field, total: total_field, position: position_field, size: size_field, pages_fn, first } =
        protocol::paging(op, defs, pagination)?;
    let Shape::Struct(item) = &items_field.shape else {
        return Err(CodegenError::of(op, CodegenErrorKind::Pagination("the paged items are not models".into())));
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
    let doc = string_literal(&doc);
    let example = own_doc_attrs(&format!("\n{}", stream_example(crate_name, op, defs)));
    Ok(quote! {
        #[doc = #doc]
        #example
        pub fn #stream(&self, request: &#request) -> impl rt::futures::Stream<Item = Result<#item, rt::Error>> + Unpin + Send + 'static {
            let start = #unwrap_position;
            let page_size = #unwrap_size;
            // Owns a share of the client and a copy of the request, so it can be spawned; boxed so callers can
            // poll it without pinning it themselves.
            let (client, request) = (self.clone(), request.clone());
            Box::pin(#pages_fn(start, page_size, move |position| {
                let mut request = request.clone();
                #set_position
                let call = client.#method(&request);
                async move {
                    let response = call.await?;
                    Ok((response.#items, response.#total))
                }
            }))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_types_are_the_trees_their_tokens_parse_to() {
        let shapes = [
            Shape::Str,
            Shape::Int,
            Shape::Float,
            Shape::Bool,
            Shape::Json,
            Shape::TextMap,
            Shape::Struct("ImageInfo".into()),
            Shape::Enum { name: "ImageType".into(), int: false },
        ];
        for shape in shapes {
            for arity in [Arity::One, Arity::Optional, Arity::List] {
                let field = FieldDef {
                    ident: "image".into(),
                    wire: "Image".into(),
                    shape: shape.clone(),
                    arity,
                    location: crate::ir::Location::Member,
                    doc: String::new(),
                    required: false,
                };
                let built = field_type(&field);
                let parsed: syn::Type = syn::parse2(rust_type(&field)).expect("a type");
                // Token text shows the tree: a path, its segments and their generic arguments.
                assert_eq!(quote!(#built).to_string(), quote!(#parsed).to_string(), "{shape:?} {arity:?}");
                assert_eq!(prettyplease_type(built), prettyplease_type(parsed), "{shape:?} {arity:?}");
            }
        }
    }

    /// How prettyplease prints a field of type `ty`.
    fn prettyplease_type(ty: syn::Type) -> String {
        let mut item: syn::ItemStruct = syn::parse_quote!(
            struct S {}
        );
        if let syn::Fields::Named(fields) = &mut item.fields {
            fields.named.push(public_field(Vec::new(), format_ident!("f"), ty));
        }
        prettyplease::unparse(&syn::File { shebang: None, attrs: Vec::new(), items: vec![syn::Item::Struct(item)] })
    }
}
