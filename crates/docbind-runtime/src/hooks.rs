//! Call hooks: the application's code run before each attempt and after each response, for metrics, audit logs
//! and headers of its own. Set on any vendor's configuration (`Config::with_hook`); every vendor's client (UCloud,
//! Finovy, UFile) runs them from the one HTTP layer they share (`transport.rs`), for operation calls and Finovy's
//! token exchange alike.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use docbind_redact::{is_secret_name, REDACTED};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::{Error, Vendor};

/// Code run around every HTTP attempt of a client. Both methods do nothing unless implemented.
///
/// The hook sees each request as it will be sent: after signing (UCloud's `Signature` is part of the form body,
/// which the hook never sees) and with the credentials in place, but the value of every header whose name looks
/// secret (`Finovy-Access-Token`, `Authorization`, …: docbind-redact's list) is shown as `<redacted>`, and so are
/// secret-looking query parameters of the URL. Neither the body nor what signing used (keys, tokens) reaches it.
///
/// Hooks run on the task making the call, in the order they were added; a slow hook slows every call, and a
/// panicking hook panics the call.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// use docbind_runtime::{AttemptRequest, AttemptResponse, CallHook};
///
/// /// Counts attempts and responses, e.g. for metrics.
/// #[derive(Default)]
/// struct Counter { attempts: AtomicU64, responses: AtomicU64 }
///
/// impl CallHook for Counter {
///     fn before_attempt(&self, request: &mut AttemptRequest<'_>) {
///         self.attempts.fetch_add(1, Ordering::Relaxed);
///         request.add_header("x-request-source", "billing").unwrap(); // a header of the application's own
///     }
///     fn after_response(&self, response: &AttemptResponse<'_>) {
///         self.responses.fetch_add(1, Ordering::Relaxed);
///         println!("{} attempt {}: HTTP {} in {:?}", response.operation(), response.attempt(), response.status(),
///             response.elapsed());
///     }
/// }
///
/// let counter = Arc::new(Counter::default());
/// let config = docbind_runtime::ucloud::Config::new("public-key", "private-key").with_hook(counter.clone());
/// # let _ = config;
/// ```
pub trait CallHook: Send + Sync + 'static {
    /// Before each attempt (each retry is an attempt of its own): what is about to be sent. Headers added here
    /// are sent with this attempt.
    fn before_attempt(&self, request: &mut AttemptRequest<'_>) {
        let _ = request;
    }

    /// After each response the service sent, whatever its status (an error status, a redirect and a vendor error
    /// code included), once its body is read. An attempt that gets no response (no connection, a timeout, a body
    /// over the size limit) reaches no `after_response`; the call's error says what happened.
    fn after_response(&self, response: &AttemptResponse<'_>) {
        let _ = response;
    }
}

impl<H: CallHook> CallHook for Arc<H> {
    fn before_attempt(&self, request: &mut AttemptRequest<'_>) {
        (**self).before_attempt(request);
    }

    fn after_response(&self, response: &AttemptResponse<'_>) {
        (**self).after_response(response);
    }
}

/// One attempt about to be sent, as a [`CallHook`] sees it.
pub struct AttemptRequest<'a> {
    attempt: &'a Attempt<'a>,
    method: &'a reqwest::Method,
    url: String,
    headers: &'a mut HeaderMap,
}

impl AttemptRequest<'_> {
    /// The vendor called.
    pub fn vendor(&self) -> Vendor {
        self.attempt.vendor
    }

    /// The operation (UCloud action, Finovy operation name; `getToken` for Finovy's token exchange).
    pub fn operation(&self) -> &str {
        self.attempt.operation
    }

    /// The attempt's number within its call, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt.number
    }

    /// The HTTP method.
    pub fn method(&self) -> &str {
        self.method.as_str()
    }

    /// The URL, with secret-looking query parameters redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The headers (name, value) as they will be sent, secret-looking ones redacted. docbind's own HTTP client
    /// adds its User-Agent after the hooks run, so it is not among them (with the application's client it is).
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(name, value)| (name.as_str(), shown(name, value)))
    }

    /// The value of header `name` as it will be sent (redacted when its name looks secret), if it is set.
    pub fn header(&self, name: &str) -> Option<&str> {
        let value = self.headers.get(name)?;
        Some(if is_secret_name(name) { REDACTED } else { value.to_str().unwrap_or(NOT_UTF8) })
    }

    /// Adds a header of the application's own to this attempt. A header the request has already (the
    /// credentials, the content type) cannot be replaced, and one the vendor's signature covers (UFile's `Date`,
    /// `Content-MD5`, `Content-Type`, `X-UCloud-*`) cannot be added, since the request is signed already: either
    /// is an error, and so is an invalid name or value.
    pub fn add_header(&mut self, name: &str, value: &str) -> Result<(), Error> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| Error::InvalidRequest(format!("call hook: invalid header name {name:?}: {e}")))?;
        if self.headers.contains_key(&name) {
            return Err(Error::InvalidRequest(format!("call hook: the request sets the header {name} already")));
        }
        if (self.attempt.vendor.facts().signs_header)(name.as_str()) {
            return Err(Error::InvalidRequest(format!(
                "call hook: {} signs the header {name}, and the request is signed already",
                self.attempt.vendor
            )));
        }
        let value = HeaderValue::from_str(value)
            .map_err(|e| Error::InvalidRequest(format!("call hook: invalid value for header {name}: {e}")))?;
        self.headers.insert(name, value);
        Ok(())
    }
}

impl fmt::Debug for AttemptRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptRequest")
            .field("operation", &self.attempt.operation)
            .field("attempt", &self.attempt.number)
            .field("method", &self.method())
            .field("url", &self.url)
            .field("headers", &self.headers().collect::<Vec<_>>())
            .finish()
    }
}

/// A response to one attempt, as a [`CallHook`] sees it.
#[derive(Debug)]
pub struct AttemptResponse<'a> {
    attempt: &'a Attempt<'a>,
    status: u16,
    request_id: Option<String>,
    elapsed: Duration,
}

impl AttemptResponse<'_> {
    /// The vendor called.
    pub fn vendor(&self) -> Vendor {
        self.attempt.vendor
    }

    /// The operation (UCloud action, Finovy operation name; `getToken` for Finovy's token exchange).
    pub fn operation(&self) -> &str {
        self.attempt.operation
    }

    /// The attempt's number within its call, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt.number
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The server's request id (UCloud's `X-UCLOUD-REQUEST-UUID`, Finovy's `traceId`), if it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How long this attempt took, from sending the request to the end of the response's body.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

/// What a hook is shown of a header value that is not text.
const NOT_UTF8: &str = "<not UTF-8>";

/// A header's value as a hook sees it.
fn shown<'v>(name: &HeaderName, value: &'v HeaderValue) -> &'v str {
    if is_secret_name(name.as_str()) {
        REDACTED
    } else {
        value.to_str().unwrap_or(NOT_UTF8)
    }
}

/// Which attempt of which call: what the transport tells the hooks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt<'a> {
    pub(crate) vendor: Vendor,
    pub(crate) operation: &'a str,
    pub(crate) number: u32,
}

/// The hooks of a configuration. Options holding the same hooks compare equal; `Debug` shows how many there are.
#[derive(Clone, Default)]
pub(crate) struct Hooks(Vec<Arc<dyn CallHook>>);

impl Hooks {
    pub(crate) fn push(&mut self, hook: Arc<dyn CallHook>) {
        self.0.push(hook);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Runs every hook's `before_attempt` on `request`, whose headers they may add to.
    pub(crate) fn before_attempt(&self, attempt: &Attempt<'_>, request: &mut reqwest::Request) {
        let url = crate::redact::url(request.url().as_str());
        let method = request.method().clone();
        let mut seen = AttemptRequest { attempt, method: &method, url, headers: request.headers_mut() };
        for hook in &self.0 {
            hook.before_attempt(&mut seen);
        }
    }

    /// Runs every hook's `after_response`.
    pub(crate) fn after_response(
        &self,
        attempt: &Attempt<'_>,
        status: u16,
        request_id: Option<String>,
        elapsed: Duration,
    ) {
        let response = AttemptResponse { attempt, status, request_id, elapsed };
        for hook in &self.0 {
            hook.after_response(&response);
        }
    }
}

impl PartialEq for Hooks {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| Arc::ptr_eq(a, b))
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} call hook(s)", self.0.len())
    }
}
