//! The HTTP layer under the client core (`client.rs`) every vendor's client is built on: options, validation, the
//! reqwest client, the call span, the hooks' view of each attempt and bounded body reads.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::HeaderMap;

use crate::hooks::{Attempt, Hooks};
use crate::retry::Repeat;
use crate::{redact, redirect_probe, Error, RetryPolicy, Vendor};

/// Default maximum response size (64 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Default per-attempt timeout (30 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default time allowed for opening a connection (10 s).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default deadline of a whole call, retries and backoff included (60 s).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// The HTTP options every client has, whatever the vendor: the `http` field of [`crate::ucloud::Config`] and
/// [`crate::finovy::Config`], whose `with_*` setters write here.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct HttpOptions {
    /// Endpoint: `https`, or plain `http` to a loopback address (`127.0.0.0/8`, `::1`, `localhost`) unless
    /// [`allow_insecure_http`](HttpOptions::allow_insecure_http) is set.
    pub base_url: String,
    /// Allows a plain `http` endpoint that is not a loopback address (default `false`: such an endpoint is a
    /// configuration error, since requests carry credentials and responses could be altered in transit).
    pub allow_insecure_http: bool,
    /// Per-attempt timeout (connect to end of body), default [`DEFAULT_TIMEOUT`].
    pub timeout: Duration,
    /// Time allowed for opening a connection (TCP and TLS), default [`DEFAULT_CONNECT_TIMEOUT`]. A connection
    /// that is not open in time fails the attempt (retryable) as a transport error.
    pub connect_timeout: Duration,
    /// Deadline of a whole call: every attempt, the backoff between them and (Finovy) the token exchange.
    /// `None` (the default) means [`DEFAULT_DEADLINE`], or the [`timeout`](HttpOptions::timeout) if that is
    /// longer, so a longer timeout alone still allows one full attempt; a deadline that is set is kept exactly.
    /// When it passes, the call fails with [`Error::Deadline`]; a backoff that would end after it is not slept,
    /// and the call fails with the last attempt's error instead.
    pub deadline: Option<Duration>,
    /// Retry policy: read-only operations are retried on every transient failure, others only when the request
    /// provably did not reach the service (see [`Error::OutcomeUnknown`]).
    pub retry: RetryPolicy,
    /// Maximum response body size, default [`DEFAULT_MAX_RESPONSE_BYTES`].
    pub max_response_bytes: usize,
    /// Appended to the User-Agent.
    pub user_agent_suffix: Option<String>,
    /// Per-operation overrides of the generated retry class, by UCloud action or Finovy operation name: `true`
    /// retries it on every transient failure, as a read-only operation; `false` retries it only when the request
    /// provably did not reach the service.
    pub idempotency_overrides: HashMap<String, bool>,
    /// The application's own HTTP client, if it gave one ([`HttpOptions::http_client`]).
    pub(crate) http_client: Option<ForeignClient>,
    /// The application's call hooks (`with_hook`).
    pub(crate) hooks: Hooks,
}

impl HttpOptions {
    /// Defaults for everything but the endpoint.
    pub fn new(base_url: impl Into<String>) -> Self {
        HttpOptions {
            base_url: base_url.into(),
            allow_insecure_http: false,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            deadline: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent_suffix: None,
            idempotency_overrides: HashMap::new(),
            http_client: None,
            hooks: Hooks::default(),
        }
    }

    /// The HTTP client given with `with_http_client`, if any (else docbind builds its own).
    pub fn http_client(&self) -> Option<&reqwest::Client> {
        self.http_client.as_ref().map(|c| &*c.0)
    }

    /// The deadline a call gets: [`HttpOptions::deadline`] if set, else the default or one attempt's timeout.
    pub(crate) fn call_deadline(&self) -> Duration {
        self.deadline.unwrap_or(DEFAULT_DEADLINE.max(self.timeout))
    }

    /// Refuses a zero timeout, connect timeout or deadline.
    pub(crate) fn check_durations(&self) -> Result<(), Error> {
        for (name, value) in
            [("timeout", self.timeout), ("connect timeout", self.connect_timeout), ("deadline", self.call_deadline())]
        {
            if value.is_zero() {
                return Err(Error::Config(format!("{name} must be greater than zero")));
            }
        }
        Ok(())
    }

    /// Which failures of `operation` may be repeated: any transient one if it is idempotent (the generated flag:
    /// read-only; unless overridden), else only those before the request reached the service.
    pub(crate) fn repeat_for(&self, operation: &str, idempotent: bool) -> Repeat {
        match self.idempotency_overrides.get(operation).copied().unwrap_or(idempotent) {
            true => Repeat::AnyTransient,
            false => Repeat::OnlyUnsent,
        }
    }
}

/// The setters of [`HttpOptions`], written once and shown on each vendor's `Config` (which keeps the options in
/// its `http` field), so `Config::new(..).with_timeout(..)` reads the same for both vendors.
macro_rules! http_option_setters {
    () => {
        /// Sets the endpoint.
        #[must_use]
        pub fn with_base_url(mut self, v: impl Into<String>) -> Self {
            self.http.base_url = v.into();
            self
        }

        /// Allows (or again forbids) a plain `http` endpoint that is not a loopback address, e.g. a vendor's
        /// internal endpoint inside its own network. Loopback addresses never need it.
        #[must_use]
        pub fn with_insecure_http(mut self, allow: bool) -> Self {
            self.http.allow_insecure_http = allow;
            self
        }

        /// Sets the per-attempt timeout.
        #[must_use]
        pub fn with_timeout(mut self, v: std::time::Duration) -> Self {
            self.http.timeout = v;
            self
        }

        /// Sets the time allowed for opening a connection.
        #[must_use]
        pub fn with_connect_timeout(mut self, v: std::time::Duration) -> Self {
            self.http.connect_timeout = v;
            self
        }

        /// Sets the deadline of a whole call, retries and backoff included.
        #[must_use]
        pub fn with_deadline(mut self, v: std::time::Duration) -> Self {
            self.http.deadline = Some(v);
            self
        }

        /// Sets the retry policy ([`RetryPolicy::disabled`](crate::RetryPolicy::disabled) turns retries off).
        #[must_use]
        pub fn with_retry(mut self, v: crate::RetryPolicy) -> Self {
            self.http.retry = v;
            self
        }

        /// Sets the maximum response body size.
        #[must_use]
        pub fn with_max_response_bytes(mut self, v: usize) -> Self {
            self.http.max_response_bytes = v;
            self
        }

        /// Sets the User-Agent suffix.
        #[must_use]
        pub fn with_user_agent_suffix(mut self, v: impl Into<String>) -> Self {
            self.http.user_agent_suffix = Some(v.into());
            self
        }

        /// Sends every request with `client`, the application's own `reqwest::Client` (its proxies, root
        /// certificates, default headers and connection pool), instead of one docbind builds.
        ///
        /// docbind's protections still hold: request bodies are handed to it in a form it cannot replay, so a
        /// client that follows redirects never resends a signed form or a secret (307/308 are returned, and
        /// fail as [`Error::Redirect`](crate::Error::Redirect)); a response that comes from another scheme, host
        /// or port than the endpoint, because the client followed a redirect, fails as
        /// [`Error::RedirectFollowed`](crate::Error::RedirectFollowed); the per-attempt timeout and the
        /// response-size limit apply. The connect timeout is the client's own. Every request still carries
        /// docbind's User-Agent (with its suffix), which replaces a default User-Agent of the client.
        ///
        /// A client that follows redirects repeats a GET (and, after a 301/302/303, a POST as a body-less GET)
        /// with its headers, so a Finovy access token, which is a header, would reach the redirect target before
        /// docbind could refuse the answer. A Finovy client therefore tries the client once, before its first
        /// request: one GET to a listener on 127.0.0.1 that answers with a redirect to another port. If the
        /// client follows it (or cannot reach 127.0.0.1, e.g. through a proxy), every call fails with
        /// [`Error::Config`](crate::Error::Config) and nothing is sent. Build it with
        /// `.redirect(reqwest::redirect::Policy::none())`.
        #[must_use]
        pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
            self.http.http_client = Some(crate::transport::ForeignClient::new(client));
            self
        }

        /// Adds a hook run before each attempt and after each response of every call (and token exchange) of
        /// the client: see [`CallHook`](crate::CallHook) for what it sees. Hooks run in the order they were added.
        #[must_use]
        pub fn with_hook(mut self, hook: impl crate::CallHook) -> Self {
            self.http.hooks.push(std::sync::Arc::new(hook));
            self
        }

        /// Marks an operation (UCloud action, Finovy operation name) as safe to repeat after any transient
        /// failure (`true`, like a read-only one) or not (`false`: repeated only when the request provably did not
        /// reach the service), overriding the generated class.
        #[must_use]
        pub fn idempotency_override(mut self, operation: impl Into<String>, idempotent: bool) -> Self {
            self.http.idempotency_overrides.insert(operation.into(), idempotent);
            self
        }
    };
}
pub(crate) use http_option_setters;

/// The application's own `reqwest::Client`. Options holding the same one compare equal; its `Debug` shows
/// nothing of it (its default headers may hold secrets).
#[derive(Clone)]
pub(crate) struct ForeignClient(Arc<reqwest::Client>);

impl ForeignClient {
    pub(crate) fn new(client: reqwest::Client) -> Self {
        ForeignClient(Arc::new(client))
    }
}

impl PartialEq for ForeignClient {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for ForeignClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("reqwest::Client { .. }")
    }
}

/// A vendor's validated endpoint and its connection pool.
#[derive(Debug)]
pub(crate) struct Transport {
    vendor: Vendor,
    base_url: reqwest::Url,
    client: reqwest::Client,
    /// Set for the application's client: sent with each request, since that client's builder is not ours.
    foreign_user_agent: Option<reqwest::header::HeaderValue>,
    /// Set when requests carry a credential in a header ([`Transport::refuse_redirecting_client`]) through the
    /// application's client: the outcome of [`redirect_probe::probe`], tried once before the first request.
    redirect_probe: Option<tokio::sync::OnceCell<Result<(), String>>>,
}

impl Transport {
    /// Checks `options` (an `https` base URL, or `http` to loopback or by opt-in; a non-zero timeout) and builds
    /// the rustls client.
    pub(crate) fn new(vendor: Vendor, options: &HttpOptions) -> Result<Transport, Error> {
        options.check_durations()?;
        let base_url = reqwest::Url::parse(&options.base_url)
            .map_err(|e| Error::Config(format!("invalid base URL {:?}: {e}", options.base_url)))?;
        match base_url.scheme() {
            "https" => {}
            "http" if options.allow_insecure_http || is_loopback(&base_url) => {}
            "http" => {
                return Err(Error::Config(format!(
                    "base URL {:?} is plain http to a host that is not a loopback address: use https, or allow \
                     insecure http explicitly (with_insecure_http(true))",
                    options.base_url
                )))
            }
            _ => return Err(Error::Config(format!("base URL must be http or https: {:?}", options.base_url))),
        }
        let agent = user_agent(vendor, options.user_agent_suffix.as_deref());
        if let Some(foreign) = &options.http_client {
            let agent = reqwest::header::HeaderValue::from_str(&agent)
                .map_err(|e| Error::Config(format!("invalid User-Agent suffix: {e}")))?;
            let client = (*foreign.0).clone();
            return Ok(Transport { vendor, base_url, client, foreign_user_agent: Some(agent), redirect_probe: None });
        }
        // Timeouts are applied per request, so one client serves any configuration. Redirects are never followed
        // (every request carries credentials); `send` reports them.
        let client = reqwest::Client::builder()
            .user_agent(agent)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.connect_timeout)
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Transport { vendor, base_url, client, foreign_user_agent: None, redirect_probe: None })
    }

    /// For requests that carry a credential in a header (an access token: `Auth::IN_HEADER`), which a client
    /// following a redirect would repeat to the redirect target before docbind could refuse the answer: the
    /// application's client is tried once, before the first request, and every request fails with
    /// [`Error::Config`] if it follows redirects (or cannot be tried). docbind's own client never follows them.
    pub(crate) fn refuse_redirecting_client(&mut self) {
        if self.foreign_user_agent.is_some() {
            self.redirect_probe = Some(tokio::sync::OnceCell::new());
        }
    }

    /// A request to `url` with `body`. For the application's client the body cannot be replayed (so a redirect
    /// it follows never resends it) and docbind's User-Agent is set on the request.
    pub(crate) fn request(
        &self,
        method: reqwest::Method,
        url: reqwest::Url,
        body: Option<String>,
    ) -> reqwest::RequestBuilder {
        let request = self.client.request(method, url);
        match &self.foreign_user_agent {
            None => match body {
                Some(body) => request.body(body),
                None => request,
            },
            Some(agent) => request
                .header(reqwest::header::USER_AGENT, agent.clone())
                .body(reqwest::Body::wrap(body.unwrap_or_default())),
        }
    }

    /// A request to `url` with a streamed `body` (an object upload). Such a body is never replayed: a redirect is
    /// refused, whichever client sends it.
    pub(crate) fn request_with_body(
        &self,
        method: reqwest::Method,
        url: reqwest::Url,
        body: reqwest::Body,
    ) -> reqwest::RequestBuilder {
        let request = self.client.request(method, url).body(body);
        match &self.foreign_user_agent {
            None => request,
            Some(agent) => request.header(reqwest::header::USER_AGENT, agent.clone()),
        }
    }

    /// The validated endpoint.
    pub(crate) fn base_url(&self) -> &reqwest::Url {
        &self.base_url
    }

    /// The span of one call: vendor and operation, then the attempt number and the server's request id as they
    /// become known ([`crate::retry::run`] and [`record_request_id`]).
    pub(crate) fn call_span(&self, operation: &str) -> tracing::Span {
        tracing::debug_span!(
            "docbind.call",
            service = self.vendor.name(),
            operation,
            attempt = tracing::field::Empty,
            request_id = tracing::field::Empty,
        )
    }

    /// Sends `request` with the configured timeout and reads at most `max_response_bytes` of body, chunk by chunk.
    /// A redirect (3xx) is an [`Error::Redirect`], its body unread.
    ///
    /// `operation` and `attempt` (from 1) are what the options' call hooks are told: they see the request just
    /// before it is sent and each response once read.
    pub(crate) async fn send(
        &self,
        request: reqwest::RequestBuilder,
        options: &HttpOptions,
        operation: &str,
        attempt: u32,
    ) -> Result<RawResponse, Error> {
        let attempt = Attempt { vendor: self.vendor, operation, number: attempt };
        let (response, started) = self.send_head(request.timeout(options.timeout), options, &attempt).await?;
        self.read_reported(response, options, &attempt, started).await
    }

    /// Reads the body of a response whose head arrived, at most `max_response_bytes` of it, chunk by chunk, and
    /// tells the call hooks of it. A redirect (3xx) is an [`Error::Redirect`], its body unread.
    pub(crate) async fn read_reported(
        &self,
        mut response: reqwest::Response,
        options: &HttpOptions,
        attempt: &Attempt<'_>,
        started: std::time::Instant,
    ) -> Result<RawResponse, Error> {
        let max_bytes = options.max_response_bytes;
        let map_error = |e| map_reqwest(e, options.timeout, options.connect_timeout);
        let status = response.status().as_u16();
        if response.status().is_redirection() {
            self.report_response(options, attempt, status, || self.request_id(response.headers(), b""), started);
            return Err(redirect(status, response.headers()));
        }
        let headers = std::mem::take(response.headers_mut());
        // A declared length over the limit is refused before reading anything.
        if response.content_length().is_some_and(|len| len > max_bytes as u64) {
            return Err(Error::BodyTooLarge { limit: max_bytes });
        }
        let body = read_body(&mut response, max_bytes, map_error).await?;
        self.report_response(options, attempt, status, || self.request_id(&headers, &body), started);
        Ok(RawResponse { status, headers, body })
    }

    /// The server's id of the request a response answers, where the vendor's envelope puts it.
    fn request_id(&self, headers: &HeaderMap, body: &[u8]) -> Option<String> {
        (self.vendor.facts().request_id)(headers, body)
    }
}

impl Transport {
    /// Sends `request` (with whatever timeout it carries) and returns the response once its head arrived, its body
    /// unread, 3xx included, with when it was sent: the probe of the application's client first, the call hooks'
    /// `before_attempt` on the built request, and a response a followed redirect brought from elsewhere refused.
    /// The caller reports the response to the hooks ([`Transport::report_response`]) once it knows what it is.
    pub(crate) async fn send_head(
        &self,
        request: reqwest::RequestBuilder,
        options: &HttpOptions,
        attempt: &Attempt<'_>,
    ) -> Result<(reqwest::Response, std::time::Instant), Error> {
        if let Some(probe) = &self.redirect_probe {
            probe.get_or_init(|| redirect_probe::probe(&self.client)).await.clone().map_err(Error::Config)?;
        }
        let map_error = |e| map_reqwest(e, options.timeout, options.connect_timeout);
        let mut request = request.build().map_err(map_error)?;
        if !options.hooks.is_empty() {
            options.hooks.before_attempt(attempt, &mut request);
        }
        let started = std::time::Instant::now();
        let response = self.client.execute(request).await.map_err(map_error)?;
        if self.foreign_user_agent.is_some() && !same_origin(response.url(), &self.base_url) {
            return Err(Error::RedirectFollowed { location: redact::url(response.url().as_str()) });
        }
        Ok((response, started))
    }

    /// Tells the call hooks of a response whose head (and, where read, body) arrived. `request_id` is only
    /// looked up when there are hooks to tell.
    pub(crate) fn report_response(
        &self,
        options: &HttpOptions,
        attempt: &Attempt<'_>,
        status: u16,
        request_id: impl FnOnce() -> Option<String>,
        started: std::time::Instant,
    ) {
        if !options.hooks.is_empty() {
            options.hooks.after_response(attempt, status, request_id(), started.elapsed());
        }
    }
}

/// Reads the body as it arrives, refusing more than `max_bytes`. Nothing is allocated from the declared length:
/// a server that announces 60 MB and sends 1 KiB costs 1 KiB. A body that arrives in one chunk (the usual small
/// response) is kept without a copy.
pub(crate) async fn read_body(
    response: &mut reqwest::Response,
    max_bytes: usize,
    map_error: impl Fn(reqwest::Error) -> Error,
) -> Result<Bytes, Error> {
    let too_large = || Error::BodyTooLarge { limit: max_bytes };
    let Some(first) = response.chunk().await.map_err(&map_error)? else { return Ok(Bytes::new()) };
    if first.len() > max_bytes {
        return Err(too_large());
    }
    let Some(second) = response.chunk().await.map_err(&map_error)? else { return Ok(first) };
    if first.len() + second.len() > max_bytes {
        return Err(too_large());
    }
    // From here it grows with what arrives (doubling), never from what was announced.
    let mut body = BytesMut::with_capacity(2 * (first.len() + second.len()));
    body.extend_from_slice(&first);
    body.extend_from_slice(&second);
    while let Some(chunk) = response.chunk().await.map_err(&map_error)? {
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// What a call keeps of each response a generated `decode_response` decodes: the value, set aside for the caller,
/// while the call judges the protocol status `S` (and retries on it).
pub(crate) struct Decoded<T, F> {
    decode: F,
    value: Option<T>,
}

impl<T: Default, F> Decoded<T, F> {
    pub(crate) fn new(decode: F) -> Self {
        Decoded { decode, value: None }
    }

    /// Decodes `body`, keeping the value (the last response's wins) and returning the status.
    pub(crate) fn body<S>(&mut self, body: &[u8]) -> Result<S, crate::decode::DecodeError>
    where
        F: FnMut(&[u8]) -> Result<(T, S), crate::decode::DecodeError>,
    {
        let (value, status) = (self.decode)(body)?;
        self.value = Some(value);
        Ok(status)
    }

    /// The value of the response the call succeeded with. A call succeeds only after a response decoded, so the
    /// default is never used.
    pub(crate) fn into_value(self) -> T {
        self.value.unwrap_or_default()
    }
}

/// Runs one call, `call(until)`, within the options' [deadline](HttpOptions::deadline): past `until` it is
/// dropped (whatever it was waiting for) and the call fails with [`Error::Deadline`].
pub(crate) async fn within_deadline<T, F>(
    options: &HttpOptions,
    call: impl FnOnce(tokio::time::Instant) -> F,
) -> Result<T, Error>
where
    F: std::future::Future<Output = Result<T, Error>>,
{
    let after = options.call_deadline();
    let until = instant_after(tokio::time::Instant::now(), after);
    tokio::time::timeout_at(until, call(until)).await.unwrap_or(Err(Error::Deadline { after }))
}

/// About thirty years: what a duration too large to add to the clock (`Duration::MAX`, a timeout of
/// `u64::MAX` seconds from the environment) is taken for. tokio's own `sleep` treats it alike.
const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);

/// `now + after`, saturating: a sum the clock cannot represent is [`FAR_FUTURE`] from `now`, never a panic.
pub(crate) fn instant_after(now: tokio::time::Instant, after: Duration) -> tokio::time::Instant {
    now.checked_add(after).or_else(|| now.checked_add(FAR_FUTURE)).unwrap_or(now)
}

/// [`instant_after`] on the standard clock.
pub(crate) fn std_instant_after(now: std::time::Instant, after: Duration) -> std::time::Instant {
    now.checked_add(after).or_else(|| now.checked_add(FAR_FUTURE)).unwrap_or(now)
}

/// Records the server's request id on the current call span.
pub(crate) fn record_request_id(id: &str) {
    tracing::Span::current().record("request_id", id);
}

/// Whether `a` and `b` have the same scheme, host and port: where credentials may go.
fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

/// Whether `url`'s host is a loopback address or `localhost`.
fn is_loopback(url: &reqwest::Url) -> bool {
    // The URL parser has normalised the host: IPv4 in dotted decimal, IPv6 in brackets.
    let host = url.host_str().unwrap_or_default();
    let ip = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    host.eq_ignore_ascii_case("localhost") || ip.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The User-Agent sent by every client.
fn user_agent(vendor: Vendor, suffix: Option<&str>) -> String {
    let mut ua = format!("docbind-runtime/{} rust Product/{vendor}", env!("CARGO_PKG_VERSION"));
    if let Some(s) = suffix.filter(|s| !s.trim().is_empty()) {
        ua.push(' ');
        ua.push_str(s.trim());
    }
    ua
}

/// A fully read response.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl RawResponse {
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
    }

    /// `Retry-After`, in seconds or as an HTTP date (a date in the past means now).
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        parse_retry_after(&self.header("retry-after")?, SystemTime::now())
    }
}

/// A `Retry-After` value (RFC 9110: delay-seconds or an HTTP date), as a delay from `now`.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The error for a redirect: its status and `Location`, bounded, secret-looking query values redacted.
pub(crate) fn redirect(status: u16, headers: &HeaderMap) -> Error {
    let location =
        headers.get(reqwest::header::LOCATION).map(|value| redact::url(&String::from_utf8_lossy(value.as_bytes())));
    Error::Redirect { status, location }
}

/// Maps a reqwest error, classifying timeouts. The cause stays the source of the error, out of its message.
pub(crate) fn map_reqwest(e: reqwest::Error, timeout: Duration, connect_timeout: Duration) -> Error {
    // No connection, nothing written: refused, DNS, the TLS handshake, the connect timeout.
    if e.is_connect() && e.is_timeout() {
        return Error::unsent(format!("cannot connect within {connect_timeout:?}"), e);
    }
    if e.is_connect() {
        return Error::unsent("cannot connect", e);
    }
    if e.is_timeout() {
        return Error::Timeout { after: timeout };
    }
    if e.is_builder() {
        return Error::Config(format!("invalid request: {e}"));
    }
    let what = if e.is_body() || e.is_decode() { "cannot read the response body" } else { "request failed" };
    Error::transport(what, e)
}

/// Percent-encodes `s` (everything except RFC 3986 unreserved characters) into `out`.
/// `space_plus` writes spaces as `+` (form encoding) instead of `%20`.
pub(crate) fn percent_encode(s: &str, space_plus: bool, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' if space_plus => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding() {
        let mut s = String::new();
        percent_encode("a b&c=d/中~", false, &mut s);
        assert_eq!(s, "a%20b%26c%3Dd%2F%E4%B8%AD~");
        s.clear();
        percent_encode("a b+", true, &mut s);
        assert_eq!(s, "a+b%2B");
    }

    #[test]
    fn retry_after_in_seconds_or_as_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("Wed Oct 21 07:28:05 2015", now), Some(Duration::from_secs(5)));
        assert_eq!(parse_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now), Some(Duration::ZERO));
        for bad in ["", "-1", "1.5", "soon", "99999999999999999999999"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn user_agent_suffix() {
        assert!(user_agent(Vendor::UCloud, Some(" app/1 ")).ends_with("Product/UCloud app/1"));
        assert!(user_agent(Vendor::Finovy, Some("")).ends_with("Product/Finovy"));
    }

    #[test]
    fn endpoint_and_timeout_are_validated_once_for_both_vendors() {
        for vendor in [Vendor::UCloud, Vendor::Finovy] {
            assert!(Transport::new(vendor, &HttpOptions::new("https://api.example")).is_ok());
            for bad in ["not a url", "ftp://x", ""] {
                let err = Transport::new(vendor, &HttpOptions::new(bad)).expect_err(bad);
                assert!(matches!(&err, Error::Config(m) if m.contains("base URL")), "{err}");
            }
            for (name, set) in [
                ("timeout", (|o: &mut HttpOptions| o.timeout = Duration::ZERO) as fn(&mut HttpOptions)),
                ("connect timeout", |o| o.connect_timeout = Duration::ZERO),
                ("deadline", |o| o.deadline = Some(Duration::ZERO)),
            ] {
                let mut zero = HttpOptions::new("http://127.0.0.1:1");
                set(&mut zero);
                let err = Transport::new(vendor, &zero).expect_err(name);
                assert!(matches!(&err, Error::Config(m) if m.starts_with(name)), "{err}");
            }
        }
    }

    #[test]
    fn the_deadline_allows_at_least_one_attempt() {
        let mut options = HttpOptions::new("http://x");
        assert_eq!(options.call_deadline(), DEFAULT_DEADLINE);
        options.timeout = Duration::from_secs(120);
        assert_eq!(options.call_deadline(), Duration::from_secs(120));
        options.deadline = Some(Duration::from_secs(5));
        assert_eq!(options.call_deadline(), Duration::from_secs(5), "a deadline that is set is kept");
    }

    #[test]
    fn repeats_follow_the_generated_class_and_its_overrides() {
        let mut options = HttpOptions::new("http://x");
        assert_eq!(options.repeat_for("Get", true), Repeat::AnyTransient);
        assert_eq!(options.repeat_for("Create", false), Repeat::OnlyUnsent);
        options.idempotency_overrides.insert("Create".into(), true);
        options.idempotency_overrides.insert("Get".into(), false);
        assert_eq!(options.repeat_for("Create", false), Repeat::AnyTransient);
        assert_eq!(options.repeat_for("Get", true), Repeat::OnlyUnsent);
    }
}
