#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod call_options;
mod client;
mod decode;
mod error;
pub mod finovy;
mod float_param;
mod generated_support;
mod hooks;
pub mod paginate;
mod pending;
mod redact;
mod redirect_probe;
mod rest;
mod retry;
#[cfg(feature = "serde")]
mod serde_wire;
#[cfg(feature = "test-util")]
pub mod test_util;
mod transport;
pub mod ucloud;
pub mod ufile;
mod vendor;
mod waiter;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use call_options::CallOptions;
pub use decode::{DecodeError, Enumeration, Extra};
/// A configuration's secret (a private key, a token): `Debug` shows nothing of it.
pub use docbind_redact::Secret;
pub use error::{BoxError, Error, ErrorChain};
/// Re-exported so generated crates need no dependency of their own (one version across the tree).
pub use futures;
pub use hooks::{AttemptRequest, AttemptResponse, CallHook};
pub use pending::{CallFuture, PendingCall};
/// The HTTP client the runtime is built on, re-exported so an application's own client
/// ([`HttpOptions::http_client`], `Config::with_http_client`) is of the same version.
pub use reqwest;
pub use retry::RetryPolicy;
/// Re-exported so generated crates need no dependency of their own (one version across the tree).
pub use serde_json;
pub use transport::{
    HttpOptions, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
};
pub use vendor::Vendor;
pub use waiter::{WaitError, WaitOptions};

/// Metadata about a completed call: the request id to quote to the vendor, how many attempts it took and how long.
/// Every generated response carries one (`call_info()`); a response built in code or deserialized has the
/// default (no request id, 0 attempts).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CallInfo {
    /// The server's request id (UCloud `X-UCLOUD-REQUEST-UUID`, Finovy `traceId`).
    pub request_id: Option<String>,
    /// How many attempts were made (1 when the first one succeeded).
    pub attempts: u32,
    /// The HTTP status of the final response.
    pub status: u16,
    /// How long the whole call took: every attempt, the backoff between them and (Finovy) the token exchange.
    pub elapsed: std::time::Duration,
    /// Envelope keys the operation's decoding left to the call (generated operations keep them in the
    /// response's `extra` instead).
    pub extra: Extra,
}
