//! The single error type returned by every docbind-generated client.
//!
//! Nothing secret (keys, signatures, tokens) is ever stored in an [`Error`], so both `Display` and
//! `Debug` are safe to log.

use std::fmt;
use std::time::Duration;

use crate::decode::DecodeError;
use crate::Vendor;

/// A boxed error source, `Send + Sync` so errors cross task boundaries.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How many bytes of a non-success HTTP body are kept in [`Error::Status`].
pub(crate) const STATUS_BODY_SNIPPET: usize = 1024;

/// Everything that can go wrong while calling a remote API.
///
/// An error that wraps another keeps it as its [`source`](std::error::Error::source) only, so a report that
/// walks the chain (`{:#}` of anyhow, `tracing`'s error fields) prints each cause once.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Invalid or missing configuration (environment variable, URL, option).
    #[error("configuration error: {0}")]
    Config(String),

    /// The request could not be sent or the response could not be read (connect, reset, TLS, …).
    #[error("transport error: {message}")]
    #[non_exhaustive]
    Transport {
        /// What failed (`cannot connect`, `cannot read the response body`, …); the cause is the source.
        message: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },

    /// No complete response arrived within the configured timeout.
    #[error("request timed out after {after:?}")]
    #[non_exhaustive]
    Timeout {
        /// The configured timeout that elapsed.
        after: Duration,
    },

    /// The server answered with an HTTP status of 400 or more.
    #[error("HTTP status {status}{}: {body}", RequestIdSuffix(request_id.as_deref()))]
    #[non_exhaustive]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The first ~1 KiB of the response body, decoded as lossy UTF-8.
        body: String,
        /// The request id reported by the server, if any.
        request_id: Option<String>,
    },

    /// The service processed the request and reported a failure code
    /// (UCloud `RetCode`, Finovy `code`).
    #[error(
        "{vendor} {operation} failed: {} {code}: {message}{}",
        vendor.code_label(),
        RequestIdSuffix(request_id.as_deref())
    )]
    #[non_exhaustive]
    Service {
        /// Which vendor answered.
        vendor: Vendor,
        /// The vendor's error code (never 0).
        code: i64,
        /// The vendor's error message.
        message: String,
        /// The operation (UCloud action, Finovy operation name).
        operation: String,
        /// The request id (UCloud `X-UCLOUD-REQUEST-UUID`, Finovy `traceId`).
        request_id: Option<String>,
    },

    /// The body is not valid JSON, or its top level has the wrong shape.
    #[error("cannot decode the response body")]
    #[non_exhaustive]
    Decode {
        /// What the parser found wrong, and where (line and column).
        #[source]
        source: DecodeError,
        /// The complete raw body, so nothing is lost.
        body: bytes::Bytes,
    },

    /// The response body exceeded the configured maximum size.
    #[error("response body exceeds the limit of {limit} bytes")]
    #[non_exhaustive]
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },

    /// Obtaining or refreshing an access token failed.
    #[error("authentication failed: {message}")]
    #[non_exhaustive]
    Auth {
        /// What failed (`token exchange failed: HTTP status 403`, …).
        message: String,
        /// The underlying error, when there is one (never one that holds a secret).
        #[source]
        source: Option<BoxError>,
    },

    /// The response arrived, but its status (UCloud `RetCode`; Finovy `code` and `success`) is missing, not a number,
    /// repeated or contradicts itself, so whether the call succeeded cannot be told.
    #[error(
        "{vendor} {operation}: the response status cannot be read: {problem}{}; body: {body}",
        RequestIdSuffix(request_id.as_deref())
    )]
    #[non_exhaustive]
    MalformedStatus {
        /// Which vendor answered.
        vendor: Vendor,
        /// The operation (UCloud action, Finovy operation name).
        operation: String,
        /// What is wrong with the status (`the body has no RetCode`, `code "E500" is not an integer`, …).
        problem: String,
        /// The first ~1 KiB of the body, decoded as lossy UTF-8 (`…` marks a cut).
        body: String,
        /// The request id, when the response has one.
        request_id: Option<String>,
    },

    /// A page stream ([`crate::paginate`]) met pages that contradict each other: the server repeated a page (it
    /// ignores the offset or page number), or its items overrun or fall short of the total it reports.
    #[error("pagination stopped: {problem}")]
    #[non_exhaustive]
    Pagination {
        /// What the pages said (`the page at offset 10 holds the same items as the one before: …`, …).
        problem: String,
    },

    /// A request parameter cannot be sent (a float that is NaN or infinite); nothing was sent.
    #[error("invalid parameter {name}: {problem}")]
    #[non_exhaustive]
    InvalidParameter {
        /// The parameter's wire name (`Ratio`, `Disks.0.Ratio`, `weights[1]`).
        name: String,
        /// Why it cannot be sent.
        problem: String,
    },
}

struct RequestIdSuffix<'a>(Option<&'a str>);

impl fmt::Display for RequestIdSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (request id {id})"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// The vendor error code of an [`Error::Service`].
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Service { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status of an [`Error::Status`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The request id reported by the server, when known.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service { request_id, .. }
            | Error::Status { request_id, .. }
            | Error::MalformedStatus { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether retrying the same request may succeed: transport failures, timeouts,
    /// HTTP 429/502/503/504, UCloud `RetCode` 150, 153 or ≥ 2000.
    ///
    /// Whether a retry is *safe* (idempotency) is decided separately by the client.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Status { status, .. } => is_retryable_status(*status),
            Error::Service { vendor, code, .. } => vendor.is_retryable_code(*code),
            _ => false,
        }
    }

    pub(crate) fn transport(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Transport { message: message.into(), source: source.into() }
    }

    pub(crate) fn status_error(status: u16, body: &[u8], request_id: Option<String>) -> Self {
        Error::Status { status, body: snippet(body), request_id }
    }

    pub(crate) fn auth(message: impl Into<String>, source: Option<BoxError>) -> Self {
        Error::Auth { message: message.into(), source }
    }

    pub(crate) fn malformed_status(
        vendor: Vendor,
        operation: &str,
        problem: String,
        body: &[u8],
        request_id: Option<&str>,
    ) -> Self {
        Error::MalformedStatus {
            vendor,
            operation: operation.to_owned(),
            problem,
            body: snippet(body),
            request_id: request_id.map(str::to_owned),
        }
    }
}

/// HTTP statuses worth retrying.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The first [`STATUS_BODY_SNIPPET`] bytes of `body` as lossy UTF-8, cut on a char boundary.
pub(crate) fn snippet(body: &[u8]) -> String {
    let cut = &body[..body.len().min(STATUS_BODY_SNIPPET)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if cut.len() < body.len() {
        // A multi-byte character cut in half becomes U+FFFD; drop it.
        if s.ends_with('\u{FFFD}') {
            s.pop();
        }
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_service_error() {
        let e = Error::Service {
            vendor: Vendor::UCloud,
            code: 171,
            message: "签名错误".into(),
            operation: "GetUvodnImage".into(),
            request_id: Some("abc-123".into()),
        };
        assert_eq!(e.to_string(), "UCloud GetUvodnImage failed: RetCode 171: 签名错误 (request id abc-123)");
        assert_eq!(e.code(), Some(171));
        assert_eq!(e.request_id(), Some("abc-123"));
        assert!(!e.is_retryable());
        let f = Error::Service {
            vendor: Vendor::Finovy,
            code: 500,
            message: "boom".into(),
            operation: "getList".into(),
            request_id: None,
        };
        assert_eq!(f.to_string(), "Finovy getList failed: code 500: boom");
    }

    #[test]
    fn retryable_classification() {
        let svc = |vendor, code| Error::Service {
            vendor,
            code,
            message: String::new(),
            operation: String::new(),
            request_id: None,
        };
        assert!(svc(Vendor::UCloud, 150).is_retryable());
        assert!(svc(Vendor::UCloud, 153).is_retryable());
        assert!(svc(Vendor::UCloud, 2000).is_retryable());
        assert!(!svc(Vendor::UCloud, 171).is_retryable());
        // The same codes from Finovy are not transient: classification is by vendor.
        assert!(!svc(Vendor::Finovy, 150).is_retryable());
        assert!(!svc(Vendor::Finovy, 2000).is_retryable());
        assert!(Error::status_error(503, b"x", None).is_retryable());
        assert!(!Error::status_error(404, b"x", None).is_retryable());
        assert!(Error::Timeout { after: Duration::from_secs(1) }.is_retryable());
        assert!(!Error::BodyTooLarge { limit: 1 }.is_retryable());
    }

    #[test]
    fn a_source_is_reported_once() {
        use std::error::Error as _;
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused by peer");
        let e = Error::transport("cannot connect", io);
        assert_eq!(e.to_string(), "transport error: cannot connect");
        assert_eq!(e.source().map(ToString::to_string).as_deref(), Some("connection refused by peer"));

        let parse = serde_json::from_slice::<serde_json::Value>(b"{\n  nope").unwrap_err();
        let e = Error::Decode { source: DecodeError::from_json(&parse), body: bytes::Bytes::from_static(b"{\n  nope") };
        assert_eq!(e.to_string(), "cannot decode the response body");
        let source = e.source().and_then(|s| s.downcast_ref::<DecodeError>()).expect("the structured decode error");
        assert_eq!((source.line(), source.column()), (2, 3));
        assert!(source.message().contains("line 2"), "{}", source.message());

        let e = Error::auth("token exchange failed", Some(Box::new(Error::Timeout { after: Duration::from_secs(3) })));
        assert_eq!(e.to_string(), "authentication failed: token exchange failed");
        assert_eq!(e.source().map(ToString::to_string).as_deref(), Some("request timed out after 3s"));
        assert!(Error::auth("the response has no token", None).source().is_none());
    }

    #[test]
    fn snippet_is_bounded_and_lossy() {
        let body = "é".repeat(1000); // 2000 bytes
        let s = snippet(body.as_bytes());
        assert!(s.len() <= STATUS_BODY_SNIPPET + 4);
        assert!(s.ends_with('…'));
        assert!(!s.contains('\u{FFFD}'));
        assert_eq!(snippet(b"short"), "short");
        assert_eq!(snippet(&[0xff, b'a']), "\u{FFFD}a");
    }
}
