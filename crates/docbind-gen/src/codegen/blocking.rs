//! The crate's blocking client → `src/blocking.rs` (compiled with the crate's cargo feature `blocking`): one method
//! per operation and one iterator per page stream, each running the async client's call on the runtime's
//! `blocking::Runtime`. The waiters' blocking methods are written beside the waiters (`waiter.rs`).

use super::defs::Shape;
use super::error::{CodegenError, CodegenErrorKind};
use super::names::ident;
use super::tokens::string_literal;
use super::{protocol, GeneratedOperation};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The module of the blocking client, `src/blocking.rs`.
pub(crate) const MODULE: &str = "blocking";

/// The cargo feature that compiles it.
pub(crate) const FEATURE: &str = "blocking";

/// The tokens of `src/blocking.rs`.
pub(crate) fn module(operations: &[GeneratedOperation]) -> Result<TokenStream, CodegenError> {
    let mut methods = Vec::new();
    for generated in operations {
        methods.push(operation_methods(generated)?);
    }
    Ok(quote! {
        //! The blocking client (cargo feature `blocking`): the operations of [`Client`](crate::Client), each
        //! returning when its call is done, for code that is not async.
        use docbind_runtime as rt;

        /// The operations of [`Client`](crate::Client), each blocking the calling thread until its call is done,
        /// with the same retries, deadlines and errors; page streams are iterators, and waiters block too. The
        /// calls run on a tokio runtime the client owns (one thread), so no async runtime is needed; called from
        /// async code (inside a tokio runtime) a method fails with [`Error::Config`](crate::Error::Config): use
        /// [`Client`](crate::Client) there. Cheap to clone. Per-call settings:
        /// `blocking.runtime().run(blocking.as_ref().some_operation(&request).with_timeout(…))`.
        #[derive(Clone, Debug)]
        pub struct Client {
            inner: crate::Client,
            runtime: rt::blocking::Runtime,
        }

        impl Client {
            /// Creates a blocking client from an explicit configuration.
            pub fn new(config: crate::Config) -> Result<Self, crate::Error> {
                Self::try_from(crate::Client::new(config)?)
            }

            /// Creates a blocking client configured from the environment (see
            /// [`Config::from_env`](crate::Config::from_env)).
            pub fn from_env() -> Result<Self, crate::Error> {
                Self::try_from(crate::Client::from_env()?)
            }

            /// The runtime the calls run on, to run a call of the async client (`as_ref()`) with per-call
            /// settings.
            pub fn runtime(&self) -> &rt::blocking::Runtime {
                &self.runtime
            }

            #(#methods)*
        }

        /// A blocking client sharing the async client's connections, configuration and (Finovy) token.
        impl TryFrom<crate::Client> for Client {
            type Error = crate::Error;

            fn try_from(inner: crate::Client) -> Result<Self, crate::Error> {
                Ok(Self { inner, runtime: rt::blocking::Runtime::new()? })
            }
        }

        /// The async client underneath.
        impl AsRef<crate::Client> for Client {
            fn as_ref(&self) -> &crate::Client {
                &self.inner
            }
        }
    })
}

/// The blocking method of one operation, and the iterator of its pages when it pages.
fn operation_methods(generated: &GeneratedOperation) -> Result<TokenStream, CodegenError> {
    let (op, defs) = (&generated.operation, &generated.defs);
    let module = format_ident!("{}", defs.module);
    let method = ident(&defs.method);
    let request = format_ident!("{}", defs.request.name);
    // The async method's own parameters and output (a UFile upload's body, a download), paths made absolute.
    let response = format_ident!("{}", defs.response.name);
    // A streamed body is read blocking by `runtime().iter(downloaded.body)`.
    let plain = quote!(crate::#module::#response);
    let protocol::MethodSignature { params, args, returns, .. } =
        protocol::method_signature_naming(op, defs, plain.clone());
    // The plain call (the request in, the response out; not a UFile upload or download) is the runtime's macro,
    // doc included.
    let call = if params.is_empty() && returns.to_string() == plain.to_string() {
        quote! { rt::__blocking_method!(#method(#module::#request) -> #response); }
    } else {
        let doc = format!(" [`Client::{0}`](crate::Client::{0}), blocking until the call is done.", defs.method);
        let doc = string_literal(&doc);
        quote! {
            #[doc = #doc]
            pub fn #method(&self, request: &crate::#module::#request #params) -> Result<#returns, crate::Error> {
                self.runtime.run(self.inner.#method(request #args))
            }
        }
    };
    let Some(pagination) = &op.pagination else { return Ok(call) };
    let paging = protocol::paging(op, defs, pagination)?;
    let Shape::Struct(item) = &paging.items.shape else {
        return Err(CodegenError::of(op, CodegenErrorKind::Pagination("the paged items are not models".into())));
    };
    let item = format_ident!("{item}");
    let stream = format_ident!("{}_stream", defs.method);
    Ok(quote! {
        #call
        rt::__blocking_stream!(#stream(#module::#request) -> #item);
    })
}
