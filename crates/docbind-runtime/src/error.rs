//! The single error type returned by every docbind-generated client.
//!
//! Nothing secret (keys, signatures, tokens) is ever stored in an [`Error`], so both `Display` and
//! `Debug` are safe to log.

use std::fmt;
use std::time::Duration;

use crate::decode::DecodeError;
use crate::redact::excerpt;
use crate::Vendor;

/// A boxed error source, `Send + Sync` so errors cross task boundaries.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Shows an error and each of its causes, `: `-separated. An error keeps its cause as its `source()` only, so its
/// `Display` alone may say "token exchange failed" without why (the redirect's status and `Location`, the
/// vendor's code and message): `eprintln!("error: {}", ErrorChain(&error))`.
#[derive(Debug, Clone, Copy)]
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'a));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(next) = cause {
            write!(f, ": {next}")?;
            cause = next.source();
        }
        Ok(())
    }
}

/// Everything that can go wrong while calling a remote API.
///
/// An error that wraps another keeps it as its [`source`](std::error::Error::source) only, so a report that
/// walks the chain (`{:#}` of anyhow, `tracing`'s error fields) prints each cause once.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Invalid or missing configuration (environment variable, URL, option).
    #[error("configuration error: {0}")]
    Config(String),

    /// The request cannot be sent as built: a parameter's value cannot be carried where the protocol puts it (a
    /// Finovy path parameter that would leave its path segment, …). Nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// The request could not be sent or the response could not be read (connect, reset, TLS, …).
    #[error("transport error: {message}")]
    #[non_exhaustive]
    Transport {
        /// What failed (`cannot connect`, `cannot read the response body`, …); the cause is the source.
        message: String,
        /// The underlying error.
        #[source]
        source: BoxError,
        /// Whether the request may have reached the service: `false` only when no connection was made (refused,
        /// DNS, TLS handshake, connect timeout), so nothing was written.
        maybe_sent: bool,
    },

    /// No complete response arrived within the configured timeout.
    #[error("request timed out after {after:?}")]
    #[non_exhaustive]
    Timeout {
        /// The configured timeout that elapsed.
        after: Duration,
    },

    /// The call's deadline ([`HttpOptions::deadline`](crate::HttpOptions::deadline)) passed before it finished,
    /// retries and backoff included. Not retryable: the time the caller allowed is spent.
    #[error("the call did not finish within its deadline of {after:?}")]
    #[non_exhaustive]
    Deadline {
        /// The deadline that passed.
        after: Duration,
    },

    /// The server answered with an HTTP status of 400 or more.
    #[error("HTTP status {status}{}: {body}", RequestIdSuffix(request_id.as_deref()))]
    #[non_exhaustive]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The first ~1 KiB of the response body, decoded as lossy UTF-8, secret-looking JSON values redacted,
        /// ending in `… [cut: N bytes in all]` when cut.
        body: String,
        /// The request id reported by the server, if any.
        request_id: Option<String>,
    },

    /// The server answered with a redirect (HTTP 3xx). Redirects are never followed: every request carries
    /// credentials (a signed form, a token, the token exchange's secret), and neither vendor's API redirects.
    #[error("HTTP status {status} is a redirect {}; redirects are not followed", LocationShown(location.as_deref()))]
    #[non_exhaustive]
    Redirect {
        /// The HTTP status code (300–399).
        status: u16,
        /// The `Location` header, if any (at most ~1 KiB of it, secret-looking query values redacted).
        location: Option<String>,
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
    #[error("cannot decode the response body{}", RequestIdSuffix(request_id.as_deref()))]
    #[non_exhaustive]
    Decode {
        /// What the parser found wrong, and where (line and column).
        #[source]
        source: DecodeError,
        /// The complete raw body, so nothing is lost. `Debug` shows a redacted excerpt of ~1 KiB.
        body: bytes::Bytes,
        /// The request id (UCloud's `X-UCLOUD-REQUEST-UUID` header; Finovy's `traceId`, when the body is a JSON
        /// object that has one).
        request_id: Option<String>,
    },

    /// The response body exceeded the configured maximum size.
    #[error("response body exceeds the limit of {limit} bytes")]
    #[non_exhaustive]
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },

    /// An operation that may change state (not read-only) failed after its request may have reached the service,
    /// without a reply that says it was not carried out: a timeout, a connection reset, an HTTP 5xx, a redirect,
    /// a body that does not decode (an HTML page, JSON cut short), is over the size limit or whose status cannot
    /// be read, or the call's deadline while it was in flight. (A vendor failure code and an HTTP 4xx are
    /// definite failures.) The service may
    /// or may not have carried it out, so it is not repeated (repeating a restart or a delete behind the caller's
    /// back could do it twice, or report a false failure). Check the resource's state (a `Describe*`/`get` call or
    /// a waiter) before trying again. The failure is the source.
    #[error("{vendor} {operation}: outcome unknown: the request may have reached the service, so it is not repeated")]
    #[non_exhaustive]
    OutcomeUnknown {
        /// Which vendor was called.
        vendor: Vendor,
        /// The operation (UCloud action, Finovy operation name).
        operation: String,
        /// What happened to the last attempt.
        #[source]
        source: Box<Error>,
    },

    /// A generated `wait_until_*` method ended without the resource reaching the state it waited for
    /// ([`WaitError`](crate::WaitError) says why, and the last state seen).
    #[error(transparent)]
    Wait(Box<crate::WaitError>),

    /// Obtaining or refreshing an access token failed.
    #[error("authentication failed: {message}")]
    #[non_exhaustive]
    Auth {
        /// What failed (`token exchange failed`, `token exchange: the response has no token`, …).
        message: String,
        /// The underlying error, when there is one (never one that holds a secret). A failed Finovy token
        /// exchange is shared by every call that waited on it or came within its cooldown, so its cause is an
        /// `Arc<Error>` (the transport error, the HTTP status, the vendor's refusal, …) or, for a response that
        /// is not the envelope, a [`DecodeError`].
        #[source]
        source: Option<BoxError>,
    },

    /// The application's HTTP client ([`with_http_client`](crate::ucloud::Config::with_http_client)) followed a
    /// redirect, and the response came from another scheme, host or port than the endpoint: it is refused.
    #[error("the HTTP client followed a redirect to {location}, away from the endpoint; the response is refused")]
    #[non_exhaustive]
    RedirectFollowed {
        /// Where the response came from (at most ~1 KiB, secret-looking query values redacted).
        location: String,
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

struct LocationShown<'a>(Option<&'a str>);

impl fmt::Display for LocationShown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(location) => write!(f, "to {location}"),
            None => f.write_str("without a Location"),
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

    /// The HTTP status of an [`Error::Status`] or [`Error::Redirect`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } | Error::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The request id reported by the server, when known (also of the failure behind [`Error::OutcomeUnknown`]).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service { request_id, .. }
            | Error::Status { request_id, .. }
            | Error::MalformedStatus { request_id, .. }
            | Error::Decode { request_id, .. } => request_id.as_deref(),
            Error::OutcomeUnknown { source, .. } => source.request_id(),
            _ => None,
        }
    }

    /// Whether this is an [`Error::OutcomeUnknown`]: an operation that may change state may or may not have been
    /// carried out.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown { .. })
    }

    /// Whether retrying the same request may succeed: transport failures, timeouts,
    /// HTTP 429/502/503/504, UCloud `RetCode` 150, 153 or ≥ 2000.
    ///
    /// Whether a retry is *safe* is decided separately by the client: read-only operations are retried on all of
    /// these, others only when the request provably did not reach the service.
    pub fn is_retryable(&self) -> bool {
        crate::retry::is_transient(self)
    }

    /// Whether the request provably did not reach the service, so that even an operation that changes state may
    /// be sent again: no connection was made (refused, DNS, TLS handshake, connect timeout), or the server turned
    /// it away unprocessed with HTTP 429.
    pub(crate) fn provably_unsent(&self) -> bool {
        match self {
            Error::Transport { maybe_sent, .. } => !maybe_sent,
            Error::Status { status, .. } => *status == 429,
            _ => false,
        }
    }

    /// Whether the service may have carried out the request although the call failed. Once a request went out,
    /// only a reply that was decoded and judged (the vendor's failure code, an HTTP 4xx) says it was not: a
    /// transport failure after the request may have been written, a timeout, the deadline passing mid-call, an
    /// HTTP 5xx, a redirect (a 303 answers a request that was carried out), a body over the size limit, one that
    /// does not decode (an HTML page, JSON cut short) or whose status cannot be read all leave it open.
    pub(crate) fn may_have_been_carried_out(&self) -> bool {
        match self {
            Error::Transport { maybe_sent, .. } => *maybe_sent,
            Error::Status { status, .. } => !(400..500).contains(status),
            Error::Timeout { .. }
            | Error::Deadline { .. }
            | Error::Redirect { .. }
            | Error::RedirectFollowed { .. }
            | Error::BodyTooLarge { .. }
            | Error::Decode { .. }
            | Error::MalformedStatus { .. } => true,
            // Nothing was sent, or the service said it failed, or the error is not an attempt's.
            Error::Config(_)
            | Error::InvalidRequest(_)
            | Error::InvalidParameter { .. }
            | Error::Service { .. }
            | Error::Auth { .. }
            | Error::Pagination { .. }
            | Error::Wait(_)
            | Error::OutcomeUnknown { .. } => false,
        }
    }

    /// A transport failure after which the request may have reached the service.
    pub(crate) fn transport(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Transport { message: message.into(), source: source.into(), maybe_sent: true }
    }

    /// A transport failure before any connection was made: nothing was sent.
    pub(crate) fn unsent(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Transport { message: message.into(), source: source.into(), maybe_sent: false }
    }

    pub(crate) fn status_error(status: u16, body: &[u8], request_id: Option<String>) -> Self {
        Error::Status { status, body: excerpt(body), request_id }
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
            body: excerpt(body),
            request_id: request_id.map(str::to_owned),
        }
    }
}

/// Like the derived `Debug`, except that [`Error::Decode`] shows a redacted excerpt of its body, not the whole
/// body (up to the response limit, 64 MiB by default).
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(message) => f.debug_tuple("Config").field(message).finish(),
            Error::InvalidRequest(message) => f.debug_tuple("InvalidRequest").field(message).finish(),
            Error::Transport { message, source, maybe_sent } => f
                .debug_struct("Transport")
                .field("message", message)
                .field("source", source)
                .field("maybe_sent", maybe_sent)
                .finish(),
            Error::Timeout { after } => f.debug_struct("Timeout").field("after", after).finish(),
            Error::Deadline { after } => f.debug_struct("Deadline").field("after", after).finish(),
            Error::Status { status, body, request_id } => f
                .debug_struct("Status")
                .field("status", status)
                .field("body", body)
                .field("request_id", request_id)
                .finish(),
            Error::Redirect { status, location } => {
                f.debug_struct("Redirect").field("status", status).field("location", location).finish()
            }
            Error::Service { vendor, code, message, operation, request_id } => f
                .debug_struct("Service")
                .field("vendor", vendor)
                .field("code", code)
                .field("message", message)
                .field("operation", operation)
                .field("request_id", request_id)
                .finish(),
            Error::Decode { source, body, request_id } => f
                .debug_struct("Decode")
                .field("source", source)
                .field("body", &excerpt(body))
                .field("request_id", request_id)
                .finish(),
            Error::BodyTooLarge { limit } => f.debug_struct("BodyTooLarge").field("limit", limit).finish(),
            Error::OutcomeUnknown { vendor, operation, source } => f
                .debug_struct("OutcomeUnknown")
                .field("vendor", vendor)
                .field("operation", operation)
                .field("source", source)
                .finish(),
            Error::Wait(error) => f.debug_tuple("Wait").field(error).finish(),
            Error::Auth { message, source } => {
                f.debug_struct("Auth").field("message", message).field("source", source).finish()
            }
            Error::RedirectFollowed { location } => {
                f.debug_struct("RedirectFollowed").field("location", location).finish()
            }
            Error::MalformedStatus { vendor, operation, problem, body, request_id } => f
                .debug_struct("MalformedStatus")
                .field("vendor", vendor)
                .field("operation", operation)
                .field("problem", problem)
                .field("body", body)
                .field("request_id", request_id)
                .finish(),
            Error::Pagination { problem } => f.debug_struct("Pagination").field("problem", problem).finish(),
            Error::InvalidParameter { name, problem } => {
                f.debug_struct("InvalidParameter").field("name", name).field("problem", problem).finish()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_error_chain_shows_every_cause() {
        let inner = std::io::Error::other("307 Temporary Redirect to http://elsewhere/");
        let outer = super::Error::Auth { message: "token exchange failed".into(), source: Some(Box::new(inner)) };
        let shown = super::ErrorChain(&outer).to_string();
        assert!(shown.starts_with(&outer.to_string()), "{shown}");
        assert!(shown.ends_with(": 307 Temporary Redirect to http://elsewhere/"), "{shown}");
    }

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
        assert!(!Error::Deadline { after: Duration::from_secs(1) }.is_retryable());
    }

    #[test]
    fn a_source_is_reported_once() {
        use std::error::Error as _;
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused by peer");
        let e = Error::transport("cannot connect", io);
        assert_eq!(e.to_string(), "transport error: cannot connect");
        assert_eq!(e.source().map(ToString::to_string).as_deref(), Some("connection refused by peer"));

        let parse = serde_json::from_slice::<serde_json::Value>(b"{\n  nope").unwrap_err();
        let e = Error::Decode {
            source: DecodeError::from_json(&parse),
            body: bytes::Bytes::from_static(b"{\n  nope"),
            request_id: None,
        };
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
    fn bodies_are_shown_redacted_and_bounded() {
        let body = format!(r#"{{"RetCode":0,"Data":{{"Password":"hunter2"}},"Pad":"{}"}}"#, "x".repeat(64 * 1024));
        let status = Error::status_error(500, body.as_bytes(), None);
        let decode = Error::Decode {
            source: DecodeError::from_json(&serde_json::from_slice::<u8>(b"x").unwrap_err()),
            body: bytes::Bytes::from(body.clone()),
            request_id: None,
        };
        for shown in [status.to_string(), format!("{status:?}"), format!("{decode:?}"), decode.to_string()] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.len() < 1400, "{} bytes shown", shown.len());
        }
        assert!(format!("{decode:?}").contains(&format!("… [cut: {} bytes in all]", body.len())));
        assert!(format!("{decode:?}").contains(r#"\"Password\":\"<redacted>\""#), "{decode:?}");
        // The error itself keeps the whole body.
        assert!(matches!(&decode, Error::Decode { body: b, .. } if b.len() == body.len()));
        assert_eq!(Error::status_error(503, b"still busy", None).to_string(), "HTTP status 503: still busy");
    }
}
