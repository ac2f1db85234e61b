//! The waiters an overlay declares → `src/waiters.rs`: one `Client::wait_until_<name>` per waiter, which builds
//! the polled operation's request from the id, finds the resource and its state in each response, and hands both
//! to the runtime's one polling loop (`docbind_runtime::__private::waiter`).

use super::defs::{Arity, FieldDef, Shape, StructDef};
use super::error::{CodegenError, CodegenErrorKind};
use super::names::ident;
use super::rustdoc::{code_span, inline_prose, own_doc_attrs};
use super::GeneratedOperation;
use crate::overlay::{Missing, RustNames, Waiter};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The module of the waiters, `src/waiters.rs`.
pub(crate) const MODULE: &str = "waiters";

/// The tokens of `src/waiters.rs`, or `None` when the overlay declares no waiter.
pub(crate) fn module(
    names: &RustNames,
    operations: &[GeneratedOperation],
    crate_name: &str,
) -> Result<Option<TokenStream>, CodegenError> {
    let Some(first) = names.waiters().first() else { return Ok(None) };
    // The module is `waiters`: an operation cannot have that module too.
    if let Some(op) = operations.iter().find(|g| g.defs.module == MODULE) {
        return Err(CodegenError::at_source(&op.operation.name, &first.source, CodegenErrorKind::WaitersModuleTaken));
    }
    let mut items = Vec::new();
    let mut polls = Polls::default();
    for waiter in names.waiters() {
        items.push(waiter_tokens(waiter, names, operations, &mut polls, crate_name)?);
    }
    let poll_fns = polls.fns;
    Ok(Some(quote! {
        //! Waiters declared in the crate's `overlay.toml`: each polls an operation until a resource reaches a state.
        use docbind_runtime as rt;
        #(#items)*
        #(#poll_fns)*
    }))
}

/// The method names of the waiters, for the crate's docs.
pub(crate) fn methods(names: &RustNames) -> Vec<(String, String)> {
    names.waiters().iter().map(|w| (format!("wait_until_{}", w.name), inline_prose(&summary(w)))).collect()
}

/// "the node running", from the name unless the overlay describes it.
fn summary(w: &Waiter) -> String {
    w.description.as_deref().map_or_else(|| w.name.replace('_', " "), |d| super::rustdoc::vendor_text(d).into_owned())
}

/// The poll functions of the module: one per distinct poll (operation, id, where the state is), shared by the
/// waiters that poll alike (`node_running`, `node_stopped` and `node_deleted` all read one node's state).
#[derive(Default)]
struct Polls {
    /// (the polled method; the function's signature and body, without its name; its name).
    seen: Vec<(String, String, proc_macro2::Ident)>,
    fns: Vec<TokenStream>,
}

impl Polls {
    /// The name of the poll function with this signature and body (`params`, `returns`, `body`), written once.
    fn name(
        &mut self,
        method: &str,
        params: &TokenStream,
        returns: &TokenStream,
        body: &TokenStream,
    ) -> proc_macro2::Ident {
        let key = format!("{params} {returns} {body}");
        if let Some((_, _, name)) = self.seen.iter().find(|(_, k, _)| *k == key) {
            return name.clone();
        }
        // Other polls of the same method (other ids or states) are numbered after the first.
        let taken = self.seen.iter().filter(|(m, _, _)| m == method).count();
        let name = match taken {
            0 => format_ident!("poll_{method}"),
            n => format_ident!("poll_{method}_{}", n + 1),
        };
        let doc = format!(" One poll of [`{method}`](crate::Client::{method}): the state the waiters look for.");
        self.fns.push(quote! {
            #[doc = #doc]
            async fn #name(#params) -> Result<rt::__private::waiter::Seen<#returns>, rt::Error> {
                #body
            }
        });
        self.seen.push((method.to_owned(), key, name.clone()));
        name
    }
}

fn waiter_tokens(
    w: &Waiter,
    names: &RustNames,
    operations: &[GeneratedOperation],
    polls: &mut Polls,
    crate_name: &str,
) -> Result<TokenStream, CodegenError> {
    let bug = |what: String| {
        CodegenError::at_source(&w.operation, &w.source, CodegenErrorKind::Bug(format!("waiter `{}`: {what}", w.name)))
    };
    let Some(polled) = operations.iter().find(|g| g.operation.name == w.operation && g.operation.source.file == w.doc)
    else {
        let kind = CodegenErrorKind::WaiterWithoutOperation { waiter: w.name.clone(), polled: w.operation.clone() };
        return Err(CodegenError::at_source(&w.operation, &w.source, kind));
    };
    let defs = &polled.defs;
    let module = format_ident!("{}", defs.module);
    let field = |def: &StructDef, wire: &str| -> Result<FieldDef, CodegenError> {
        def.fields.iter().find(|f| f.wire == wire).cloned().ok_or_else(|| bug(format!("{} has no `{wire}`", def.name)))
    };

    // The request, from the id alone (the overlay checked that nothing else is required).
    let id_field = field(&defs.request, &w.id)?;
    let id_name = ident(&id_field.ident);
    let id_is_int = matches!(id_field.shape, Shape::Int | Shape::Enum { int: true, .. });
    let (id_param, id_value) = if id_is_int {
        (quote!(#id_name: i64), quote!(#id_name))
    } else {
        (quote!(#id_name: impl Into<String>), quote!(#id_name.clone()))
    };
    let id_into = if id_is_int { quote!() } else { quote!(let #id_name: String = #id_name.into();) };
    // What the poll closure captures: references and copies, so that each poll's future owns what it reads.
    let id_binding = if id_is_int { quote!(#id_name) } else { quote!(&#id_name) };
    let argument = if id_field.arity == Arity::List { quote!(vec![#id_value]) } else { id_value };
    let request_type = format_ident!("{}", defs.request.name);
    let request = if id_field.in_constructor() {
        quote!(crate::#module::#request_type::new(#argument))
    } else {
        let setter = format_ident!("with_{}", id_field.ident.trim_start_matches("r#"));
        quote!(crate::#module::#request_type::new().#setter(#argument))
    };

    // Where the state is: an item of a response list, or the response itself.
    let method = ident(&defs.method);
    let (item_type, seen, state_field) = match &w.items {
        Some((items, item_id)) => {
            let items_field = field(&defs.response, items)?;
            let Shape::Struct(model) = &items_field.shape else { return Err(bug(format!("`{items}` is not models"))) };
            let model_def = defs.models.iter().find(|m| m.name == *model).ok_or_else(|| bug(format!("no {model}")))?;
            let key = field(model_def, item_id)?;
            let items = ident(&items_field.ident);
            let key_id = ident(&key.ident);
            let key_matches = match (&key.shape, id_is_int) {
                (Shape::Int, true) => quote!(item.#key_id == Some(#id_name)),
                (Shape::Str, false) => quote!(item.#key_id.as_deref() == Some(#id_name)),
                (Shape::Enum { .. }, _) => {
                    quote!(item.#key_id.as_ref().map(|key| key.as_str().to_owned()) == Some(#id_name.to_string()))
                }
                _ => quote!(item.#key_id.as_ref().map(ToString::to_string) == Some(#id_name.to_string())),
            };
            let model = format_ident!("{model}");
            let state = state_of(&field(model_def, &w.state)?);
            // A response that lists (or counts) other items did not filter by the id, and says nothing of this
            // one: the runtime tells that from "gone" by the list and the total the operation pages with.
            let total = match &polled.operation.pagination {
                Some(crate::ir::Pagination::OffsetLimit { items: paged, total, .. }) if *paged == items_field.wire => {
                    let total = field(&defs.response, total)?;
                    // Validation after corrections keeps a paged total an integer; responses hold it as an Option.
                    if !matches!((&total.shape, total.arity), (Shape::Int, Arity::Optional)) {
                        return Err(bug(format!("the total `{}` is not an optional integer", total.wire)));
                    }
                    let total = ident(&total.ident);
                    quote!(response.#total)
                }
                _ => quote!(None),
            };
            let seen = quote! {
                Ok(rt::__private::waiter::seen_in(response.#items, #total, |item| #key_matches, |item| #state))
            };
            (quote!(crate::#module::#model), seen, field(model_def, &w.state)?)
        }
        None => {
            let response = format_ident!("{}", defs.response.name);
            let state = state_of(&field(&defs.response, &w.state)?);
            let seen = quote! {
                let item = response;
                Ok(rt::__private::waiter::Seen::Found { state: #state, item })
            };
            (quote!(crate::#module::#response), seen, field(&defs.response, &w.state)?)
        }
    };
    // Only a waiter that looks for an item compares the id.
    let request_path = quote!(crate::#module::#request_type);
    let id_type = if id_is_int { quote!(i64) } else { quote!(&str) };
    let body = quote! {
        let response = client.#method(request).await?;
        #seen
    };
    let (captures, poll) = if w.items.is_some() {
        let params = quote!(client: &crate::Client, request: &#request_path, #id_name: #id_type);
        let poll = polls.name(&defs.method, &params, &item_type, &body);
        (
            quote!(let (client, request, #id_name) = (&client, &request, #id_binding);),
            quote!(#poll(client, request, #id_name)),
        )
    } else {
        let params = quote!(client: &crate::Client, request: &#request_path);
        let poll = polls.name(&defs.method, &params, &item_type, &body);
        (quote!(let (client, request) = (&client, &request);), quote!(#poll(client, request)))
    };

    let name = &w.name;
    let static_name = format_ident!("{}", w.name.to_uppercase());
    let success = &w.success;
    let failure = &w.failure;
    let missing = match w.missing {
        Missing::Wait => quote!(Wait),
        Missing::Success => quote!(Success),
        Missing::Failure => quote!(Failure),
    };
    let (returns, until) = if w.missing == Missing::Success {
        (quote!(Option<#item_type>), quote!(until_state_or_gone))
    } else {
        (item_type.clone(), quote!(until_state))
    };
    // Written here, not taken from vendor prose: markdown (links to the enum's variants) as is.
    let doc = own_doc_attrs(&method_doc(w, names, polled, &id_field, &state_field, crate_name));
    let wait = format_ident!("wait_until_{}", w.name);
    let blocking_feature = super::blocking::FEATURE;
    let blocking_module = format_ident!("{}", super::blocking::MODULE);
    let blocking_doc = format!(
        " [`Client::{wait}`](crate::Client::{wait}), blocking until the wait is over (a [`WaitError`](rt::WaitError) \
         is an [`Error::Wait`](rt::Error::Wait))."
    );
    Ok(quote! {
        static #static_name: rt::__private::waiter::Waiter = rt::__private::waiter::Waiter {
            name: #name,
            success: &[#(#success),*],
            failure: &[#(#failure),*],
            missing: rt::__private::waiter::Missing::#missing,
        };

        impl crate::Client {
            #doc
            pub fn #wait(
                &self,
                #id_param,
                options: &rt::WaitOptions,
            ) -> impl std::future::Future<Output = Result<#returns, rt::WaitError>> + Send + 'static {
                #id_into
                let request = #request;
                // A share of the client and copies of the rest: the wait borrows nothing, so it can be spawned.
                let (client, options) = (self.clone(), options.clone());
                async move {
                    #captures
                    rt::__private::waiter::#until(&#static_name, &options, move || #poll).await
                }
            }
        }

        #[cfg(feature = #blocking_feature)]
        impl crate::#blocking_module::Client {
            #[doc = #blocking_doc]
            pub fn #wait(&self, #id_param, options: &rt::WaitOptions) -> Result<#returns, rt::Error> {
                self.runtime().run(self.as_ref().#wait(#id_name, options))
            }
        }
    })
}

/// The state of `item` as its wire value, from the state field `state`.
fn state_of(state: &FieldDef) -> TokenStream {
    let id = ident(&state.ident);
    match state.shape {
        Shape::Enum { .. } => quote!(item.#id.as_ref().map(|state| state.as_str().to_owned())),
        Shape::Str => quote!(item.#id.clone()),
        _ => quote!(item.#id.map(|state| state.to_string())),
    }
}

/// The method's rustdoc: what it polls, which states end the wait, what a missing resource means, what it returns.
fn method_doc(
    w: &Waiter,
    names: &RustNames,
    polled: &GeneratedOperation,
    id_field: &FieldDef,
    state_field: &FieldDef,
    crate_name: &str,
) -> String {
    let defs = &polled.defs;
    let enumeration = names.of(&polled.operation.source.file).field(&w.state_path).and_then(|f| f.enumeration.as_ref());
    let state_list = |values: &[String]| -> String {
        let named = values.iter().map(|value| {
            let variant = enumeration.and_then(|e| e.variants.iter().find(|(_, wire)| wire == value));
            match (enumeration, variant) {
                (Some(e), Some((variant, _))) => {
                    format!("[`{variant}`](crate::{}::{}::{variant}) ({})", defs.module, e.name, inline_prose(value))
                }
                _ => code_span(value),
            }
        });
        named.collect::<Vec<_>>().join(", ")
    };
    let mut doc = format!(
        "Waits until {}: polls [`{}`](Self::{}) with {} set to `{}`",
        inline_prose(&summary(w)),
        defs.method,
        defs.method,
        code_span(&id_field.wire),
        id_field.ident
    );
    match &w.items {
        Some((items, item_id)) => doc.push_str(&format!(
            " until the item of {} whose {} is `{}` has {} {}, and returns that item.",
            code_span(items),
            code_span(item_id),
            id_field.ident,
            code_span(&state_field.wire),
            state_list(&w.success)
        )),
        None => doc.push_str(&format!(
            " until the response's {} is {}, and returns that response.",
            code_span(&state_field.wire),
            state_list(&w.success)
        )),
    }
    doc.push_str("\n\n");
    if !w.failure.is_empty() {
        doc.push_str(&format!(
            "A state of {} ends the wait at once with [`WaitError::FailureState`](rt::WaitError::FailureState). ",
            state_list(&w.failure)
        ));
    }
    if w.items.is_some() {
        doc.push_str(match w.missing {
            Missing::Wait => "While no item has the id (not listed yet), it polls again. ",
            Missing::Success => "When no item has the id any more, the resource is gone and it returns `None`. ",
            Missing::Failure => "When no item has the id, it ends with [`WaitError::Gone`](rt::WaitError::Gone). ",
        });
    }
    doc.push_str(
        "Polls at once, then after pauses that double up to a cap, until `options`' deadline \
         ([`WaitError::DeadlineExceeded`](rt::WaitError::DeadlineExceeded)); a transient failure of a poll is polled \
         again, any other ends the wait ([`WaitError::Poll`](rt::WaitError::Poll)). Every error carries the last \
         state seen.",
    );
    doc.push_str("\n\n");
    doc.push_str(&super::operation::declared_in_overlay(&w.source));
    doc.push_str(&format!("\n\n# Examples\n\n{}", example(w, polled, id_field, crate_name)));
    doc
}

/// The waiter called with the id of the polled operation's request example (a placeholder if it has none).
fn example(w: &Waiter, polled: &GeneratedOperation, id_field: &FieldDef, crate_name: &str) -> String {
    let krate = crate_name.replace('-', "_");
    let mut values = super::example::request_values(&polled.operation);
    // A list parameter's first value stands for the one id (`NodeIds.0`).
    let first = format!("{}.0", id_field.wire);
    values.iter_mut().filter(|(name, _)| *name == first).for_each(|(name, _)| *name = id_field.wire.clone());
    // The id as one value of its type: the waiter takes one id, also for a list parameter.
    let single = FieldDef { arity: Arity::One, ..id_field.clone() };
    // The waiter takes an integer id as `i64`, any other as `impl Into<String>` (`waiter_tokens`).
    let is_int = matches!(id_field.shape, Shape::Int | Shape::Enum { int: true, .. });
    let typed = if is_int { Shape::Int } else { Shape::Str };
    let single = FieldDef { shape: typed, ..single };
    let id = super::example::argument(&single, &values, &[], "").unwrap_or_else(|| {
        if is_int {
            "0".to_string()
        } else {
            "\"id\"".to_string()
        }
    });
    format!(
        "```no_run\n\
         # async fn example(client: &{krate}::Client) -> Result<(), {krate}::WaitError> {{\n\
         use {krate}::WaitOptions;\n\n\
         let found = client.wait_until_{name}({id}, &WaitOptions::new()).await?;\n\
         println!(\"{{found:?}}\");\n\
         # Ok(())\n\
         # }}\n\
         ```",
        name = w.name
    )
}
