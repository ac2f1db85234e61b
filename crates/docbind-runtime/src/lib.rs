//! Hand-written, non-generic runtime shared by every docbind-generated client.
//!
//! Generated crates contain only data types, one `Decode` impl per response type and thin
//! `encode` functions; everything else lives here:
//!
//! - [`decode`]: lenient single-pass JSON decoding into typed slots that loses nothing,
//! - [`ucloud`]: UCloud's flattened form encoding, SHA-1 signature, client with retries,
//! - [`finovy`]: Finovy's request builder, token exchange and client,
//! - [`paginate`]: lazy page streams,
//! - [`error`]: the single [`Error`] type.
#![warn(missing_docs)]

pub mod decode;
pub mod error;
pub mod finovy;
pub mod paginate;
mod retry;
mod transport;
pub mod ucloud;
mod vendor;

pub use error::Error;
/// Re-exported so generated crates need no dependency of their own (one version across the tree).
pub use futures;
pub use retry::RetryPolicy;
/// Re-exported so generated crates need no dependency of their own (one version across the tree).
pub use serde_json;
pub use transport::{HttpOptions, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};
pub use vendor::Vendor;

/// Metadata about a completed call.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CallInfo {
    /// The server's request id (UCloud `X-UCLOUD-REQUEST-UUID`, Finovy `traceId`).
    pub request_id: Option<String>,
    /// How many attempts were made (1 when the first one succeeded).
    pub attempts: u32,
    /// The HTTP status of the final response.
    pub status: u16,
    /// Unknown envelope keys and misfit values that had no other home
    /// (e.g. a Finovy `data` value that did not fit its slot is kept under `"data"`).
    pub extra: decode::Extra,
}
