//! Finovy open API: request builder, token exchange/refresh and the HTTP client.
//!
//! Every call carries a `Finovy-Access-Token` header. Responses are wrapped in the envelope
//! `{"code", "success", "msg", "data", "traceId"}`; `data` is streamed into the caller's slot.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use docbind_redact::{is_secret_name, REDACTED};
use serde_json::Value;
use tracing::Instrument as _;

use crate::decode::{self, Decode, Extra, Slot};
use crate::retry::{self, Failure};
use crate::transport::{self, percent_encode, Decoded, HttpOptions, Transport};
use crate::{CallInfo, Error, Vendor};

const VENDOR: Vendor = Vendor::Finovy;

/// The default API endpoint.
pub const DEFAULT_BASE_URL: &str = "https://client.xuandashi.com";

/// The header carrying the access token.
pub const TOKEN_HEADER: &str = "Finovy-Access-Token";

/// The token exchange endpoint, relative to the base URL.
pub const TOKEN_PATH: &str = "v1/auth/getToken";

/// How the client authenticates.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// A ready-to-use access token (never refreshed).
    Token(String),
    /// An account id and secret exchanged at `POST v1/auth/getToken` for expiring tokens.
    Exchange {
        /// The account id (`uuid`).
        uuid: String,
        /// The app secret.
        secret: String,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(_) => f.debug_tuple("Token").field(&REDACTED).finish(),
            Credentials::Exchange { uuid, .. } => {
                f.debug_struct("Exchange").field("uuid", uuid).field("secret", &REDACTED).finish()
            }
        }
    }
}

/// Client configuration.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// Credentials (redacted in `Debug`).
    pub credentials: Credentials,
    /// Exchanged tokens are refreshed this long before they expire, default 60 s.
    pub refresh_margin: Duration,
    /// Endpoint (default [`DEFAULT_BASE_URL`]), timeout, retries and the other options every client has.
    pub http: HttpOptions,
}

impl Config {
    /// A configuration with the given credentials and defaults for everything else.
    pub fn new(credentials: Credentials) -> Self {
        Config { credentials, refresh_margin: Duration::from_secs(60), http: HttpOptions::new(DEFAULT_BASE_URL) }
    }

    /// Reads `FINOVY_ACCESS_TOKEN`, or `FINOVY_UUID` + `FINOVY_SECRET`, and `FINOVY_BASE_URL`.
    /// A static token wins when both are set. Empty values count as unset.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`Config::from_env`], reading from `vars` instead of the process environment.
    pub fn from_env_map(vars: &HashMap<String, String>) -> Result<Self, Error> {
        Self::from_lookup(|k| vars.get(k).cloned())
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let credentials = match (get("FINOVY_ACCESS_TOKEN"), get("FINOVY_UUID"), get("FINOVY_SECRET")) {
            (Some(token), _, _) => Credentials::Token(token),
            (None, Some(uuid), Some(secret)) => Credentials::Exchange { uuid, secret },
            _ => return Err(Error::Config("set FINOVY_ACCESS_TOKEN, or both FINOVY_UUID and FINOVY_SECRET".into())),
        };
        let mut cfg = Config::new(credentials);
        if let Some(url) = get("FINOVY_BASE_URL") {
            cfg.http.base_url = url;
        }
        Ok(cfg)
    }

    /// Sets how long before expiry an exchanged token is refreshed.
    #[must_use]
    pub fn with_refresh_margin(mut self, v: Duration) -> Self {
        self.refresh_margin = v;
        self
    }

    transport::http_option_setters!();
}

/// HTTP method of a Finovy operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `PATCH`
    Patch,
}

impl Method {
    fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            Method::Patch => reqwest::Method::PATCH,
        }
    }
}

/// Static description of one Finovy operation, emitted by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// A stable name for errors and traces, e.g. `"getList"`.
    pub name: &'static str,
    /// Whether automatic retries are safe (GET operations normally are).
    pub idempotent: bool,
}

/// A request being built by generated code: method, path, query, headers, JSON body.
#[derive(Clone)]
pub struct Call {
    method: Method,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Option<serde_json::Map<String, Value>>,
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let shown = if is_secret_name(k) { REDACTED } else { v.as_str() };
                (k.as_str(), shown)
            })
            .collect();
        let body = self.body.as_ref().map(|b| {
            b.iter()
                .map(|(k, v)| {
                    let shown = if is_secret_name(k) { Value::String(REDACTED.into()) } else { v.clone() };
                    (k.clone(), shown)
                })
                .collect::<serde_json::Map<_, _>>()
        });
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &body)
            .finish()
    }
}

impl Call {
    /// A request for `path` (with or without a leading `/`, may contain `{name}` placeholders).
    pub fn new(method: Method, path: &'static str) -> Self {
        Call {
            method,
            path: path.trim_start_matches('/').to_owned(),
            query: String::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path with path parameters applied (no leading slash).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The percent-encoded query string (without `?`).
    pub fn query(&self) -> &str {
        &self.query
    }

    /// Adds a query parameter.
    pub fn query_str(&mut self, name: &str, v: &str) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        percent_encode(name, false, &mut self.query);
        self.query.push('=');
        percent_encode(v, false, &mut self.query);
    }

    /// Adds an integer query parameter.
    pub fn query_int(&mut self, name: &str, v: i64) {
        self.query_str(name, &v.to_string());
    }

    /// Adds a float query parameter (Rust `{}` formatting, never an exponent).
    pub fn query_float(&mut self, name: &str, v: f64) {
        self.query_str(name, &format!("{v}"));
    }

    /// Adds a `true`/`false` query parameter.
    pub fn query_bool(&mut self, name: &str, v: bool) {
        self.query_str(name, if v { "true" } else { "false" });
    }

    /// Adds a query parameter if present.
    pub fn opt_query_str(&mut self, name: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.query_str(name, v);
        }
    }

    /// Adds an integer query parameter if present.
    pub fn opt_query_int(&mut self, name: &str, v: Option<i64>) {
        if let Some(v) = v {
            self.query_int(name, v);
        }
    }

    /// Adds a float query parameter if present.
    pub fn opt_query_float(&mut self, name: &str, v: Option<f64>) {
        if let Some(v) = v {
            self.query_float(name, v);
        }
    }

    /// Adds a bool query parameter if present.
    pub fn opt_query_bool(&mut self, name: &str, v: Option<bool>) {
        if let Some(v) = v {
            self.query_bool(name, v);
        }
    }

    /// Replaces `{name}` in the path with the percent-encoded `v`, or appends `/v` as the last
    /// segment if the template has no such placeholder.
    pub fn path_str(&mut self, name: &str, v: &str) {
        let mut segment = String::with_capacity(v.len());
        percent_encode(v, false, &mut segment);
        let placeholder = format!("{{{name}}}");
        if self.path.contains(&placeholder) {
            self.path = self.path.replace(&placeholder, &segment);
        } else {
            if !self.path.is_empty() && !self.path.ends_with('/') {
                self.path.push('/');
            }
            self.path.push_str(&segment);
        }
    }

    /// Integer variant of [`Call::path_str`].
    pub fn path_int(&mut self, name: &str, v: i64) {
        self.path_str(name, &v.to_string());
    }

    /// Adds a request header (sensitive-looking values are redacted in `Debug` and logs).
    pub fn header_str(&mut self, name: &str, v: &str) {
        self.headers.push((name.to_owned(), v.to_owned()));
    }

    /// Adds a header if present.
    pub fn opt_header_str(&mut self, name: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.header_str(name, v);
        }
    }

    /// Sets a field of the JSON body (the body is sent only if some field was set).
    pub fn body_json(&mut self, name: &str, v: Value) {
        self.body.get_or_insert_with(serde_json::Map::new).insert(name.to_owned(), v);
    }

    /// Sets a string field of the JSON body.
    pub fn body_str(&mut self, name: &str, v: &str) {
        self.body_json(name, Value::String(v.to_owned()));
    }

    /// Sets an integer field of the JSON body.
    pub fn body_int(&mut self, name: &str, v: i64) {
        self.body_json(name, Value::from(v));
    }

    /// Sets a float field of the JSON body (non-finite values become `null`).
    pub fn body_float(&mut self, name: &str, v: f64) {
        self.body_json(name, Value::from(v));
    }

    /// Sets a boolean field of the JSON body.
    pub fn body_bool(&mut self, name: &str, v: bool) {
        self.body_json(name, Value::Bool(v));
    }

    /// Sets a string body field if present.
    pub fn opt_body_str(&mut self, name: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.body_str(name, v);
        }
    }

    /// Sets an integer body field if present.
    pub fn opt_body_int(&mut self, name: &str, v: Option<i64>) {
        if let Some(v) = v {
            self.body_int(name, v);
        }
    }

    /// Sets a float body field if present.
    pub fn opt_body_float(&mut self, name: &str, v: Option<f64>) {
        if let Some(v) = v {
            self.body_float(name, v);
        }
    }

    /// Sets a boolean body field if present.
    pub fn opt_body_bool(&mut self, name: &str, v: Option<bool>) {
        if let Some(v) = v {
            self.body_bool(name, v);
        }
    }

    /// Sets a free-form body field if present.
    pub fn opt_body_json(&mut self, name: &str, v: Option<Value>) {
        if let Some(v) = v {
            self.body_json(name, v);
        }
    }

    /// The JSON body built so far.
    pub fn body(&self) -> Option<&serde_json::Map<String, Value>> {
        self.body.as_ref()
    }

    fn url(&self, base: &str) -> Result<reqwest::Url, Error> {
        let mut url = String::with_capacity(base.len() + self.path.len() + self.query.len() + 2);
        url.push_str(base.trim_end_matches('/'));
        url.push('/');
        url.push_str(&self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }
        reqwest::Url::parse(&url).map_err(|e| Error::Config(format!("invalid URL {url:?}: {e}")))
    }
}

/// A cached token and when to stop using it (`None`: never expires).
struct CachedToken {
    token: Arc<str>,
    refresh_at: Option<Instant>,
}

/// A Finovy API client. Cheap to clone (shared pool, configuration and token cache).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    transport: Transport,
    token: tokio::sync::Mutex<Option<CachedToken>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

/// The Finovy envelope: `code`, `success`, `msg`, `traceId` are consumed, `data` goes to the
/// caller's slot, anything else (and a misfit `data`) to `extra`.
struct Envelope<'a> {
    data: Slot<'a>,
    code: Option<i64>,
    success: Option<bool>,
    msg: Option<String>,
    trace_id: Option<String>,
    extra: Extra,
}

/// The envelope fields of a Finovy response body, besides `data`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct EnvelopeStatus {
    /// `code` (a number or a numeric string).
    pub code: Option<i64>,
    /// `success`.
    pub success: Option<bool>,
    /// `msg`.
    pub msg: Option<String>,
    /// `traceId`, the request id.
    pub trace_id: Option<String>,
    /// Undeclared envelope keys, and a `data` value that did not fit its slot (under `"data"`).
    pub extra: Extra,
}

impl EnvelopeStatus {
    /// Moves [`EnvelopeStatus::extra`] to the end of `extra` (the response's), as every generated
    /// `decode_response` does: the envelope's leftovers are kept with the response they came with.
    pub fn move_extra_into(&mut self, extra: &mut Extra) {
        extra.append(&mut self.extra);
    }

    /// The effective code: `code`, or `-1` when only `success: false` signals failure.
    pub fn effective_code(&self) -> i64 {
        match (self.code, self.success) {
            (Some(code), _) => code,
            (None, Some(false)) => -1,
            (None, _) => 0,
        }
    }
}

/// How the call decodes a response body: a generated `decode_response`, with the decoded value kept aside.
type DecodeBody<'a> = dyn FnMut(&[u8]) -> Result<EnvelopeStatus, decode::DecodeError> + Send + 'a;

/// Decodes a Finovy response body in one pass, as every generated `decode_response` does for [`Client::call`]:
/// `data` streams into `data`, the other envelope fields are returned.
pub fn decode_envelope(body: &[u8], data: Slot<'_>) -> Result<EnvelopeStatus, decode::DecodeError> {
    let mut env = Envelope { data, code: None, success: None, msg: None, trace_id: None, extra: Extra::new() };
    decode::decode_object(body, &mut env)?;
    Ok(EnvelopeStatus { code: env.code, success: env.success, msg: env.msg, trace_id: env.trace_id, extra: env.extra })
}

impl Decode for Envelope<'_> {
    fn slot(&mut self, key: &str) -> Option<Slot<'_>> {
        Some(match key {
            "data" => self.data.reborrow(),
            "code" => Slot::Int(&mut self.code),
            "success" => Slot::Bool(&mut self.success),
            "msg" => Slot::Str(&mut self.msg),
            "traceId" => Slot::Str(&mut self.trace_id),
            _ => return None,
        })
    }

    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }

    fn field_names(&self) -> &'static [&'static str] {
        &["data", "code", "success", "msg", "traceId"]
    }
}

/// `data` of the token exchange response.
#[derive(Default)]
struct TokenData {
    token: Option<String>,
    effective_time: Option<i64>,
    extra: Extra,
}

impl Decode for TokenData {
    fn slot(&mut self, key: &str) -> Option<Slot<'_>> {
        Some(match key {
            "token" => Slot::Str(&mut self.token),
            "effectiveTime" => Slot::Int(&mut self.effective_time),
            _ => return None,
        })
    }

    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }

    fn field_names(&self) -> &'static [&'static str] {
        &["token", "effectiveTime"]
    }
}

impl Client {
    /// Builds a client; fails on an invalid configuration.
    pub fn new(config: Config) -> Result<Client, Error> {
        match &config.credentials {
            Credentials::Token(t) if t.is_empty() => return Err(Error::Config("the access token is empty".into())),
            Credentials::Token(t) if reqwest::header::HeaderValue::from_str(t).is_err() => {
                return Err(Error::Config("the access token is not a valid header value".into()))
            }
            Credentials::Exchange { uuid, secret } if uuid.is_empty() || secret.is_empty() => {
                return Err(Error::Config("uuid and secret must not be empty".into()))
            }
            _ => {}
        }
        let transport = Transport::new(VENDOR, &config.http)?;
        Ok(Client { inner: Arc::new(Inner { config, transport, token: tokio::sync::Mutex::new(None) }) })
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends `call` for `op`, decoding each response with `decode` (the operation's generated `decode_response`)
    /// and returning the last one decoded.
    ///
    /// A non-zero `code` is an [`Error::Service`]. [`CallInfo::extra`] holds the envelope keys `decode` left in
    /// [`EnvelopeStatus::extra`]. On HTTP 401 or `code` 401 with exchanged credentials the token is refreshed once
    /// and the call is repeated once (even for non-idempotent operations: it was not executed). Retryable failures
    /// of idempotent operations are retried per [`HttpOptions::retry`].
    pub async fn call<T, F>(&self, op: &'static Operation, call: Call, decode: F) -> Result<(T, CallInfo), Error>
    where
        T: Default + Send,
        F: FnMut(&[u8]) -> Result<(T, EnvelopeStatus), decode::DecodeError> + Send,
    {
        let span = self.inner.transport.call_span(op.name);
        let mut decoded = Decoded::new(decode);
        let info = self.call_inner(op, call, &mut |body: &[u8]| decoded.body(body)).instrument(span).await?;
        Ok((decoded.into_value(), info))
    }

    async fn call_inner(
        &self,
        op: &'static Operation,
        call: Call,
        decode: &mut DecodeBody<'_>,
    ) -> Result<CallInfo, Error> {
        let cfg = &self.inner.config;
        let url = call.url(&cfg.http.base_url)?;
        let body = match &call.body {
            Some(map) => {
                Some(serde_json::to_vec(map).map_err(|e| Error::Config(format!("cannot encode the JSON body: {e}")))?)
            }
            None => None,
        };
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &call.headers {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::Config(format!("invalid header name {name:?}: {e}")))?;
            let value = reqwest::header::HeaderValue::from_str(value)
                .map_err(|e| Error::Config(format!("invalid value for header {name}: {e}")))?;
            headers.append(name, value);
        }
        tracing::debug!(request = ?call, "sending request");

        let token = self.token().await?;
        let max_attempts = cfg.http.attempts_for(op.name, op.idempotent);
        let method = call.method.to_reqwest();
        let mut attempts = Attempts { client: self, op, method, url, headers, body, decode, token, refreshed: false };
        retry::run(&cfg.http.retry, max_attempts, &mut attempts).await
    }

    /// Sends `request` once and judges the response. A failure says whether the token was refused.
    async fn attempt(
        &self,
        op: &'static Operation,
        request: reqwest::RequestBuilder,
        decode: &mut DecodeBody<'_>,
        attempts: u32,
    ) -> Result<CallInfo, (Failure, Unauthorized)> {
        let Inner { config, transport, .. } = &*self.inner;
        let raw = transport.send(request, &config.http).await.map_err(|error| (error.into(), false))?;
        if raw.status >= 400 {
            let failure = Failure {
                error: Error::status_error(raw.status, &raw.body, None),
                retry_after: raw.retry_after(),
                repeat_now: false,
            };
            return Err((failure, raw.status == 401));
        }
        let env = match decode(&raw.body) {
            Ok(status) => status,
            Err(source) => return Err((Error::Decode { source, body: raw.body }.into(), false)),
        };
        if let Some(id) = &env.trace_id {
            transport::record_request_id(id);
        }
        match env.effective_code() {
            0 => Ok(CallInfo { request_id: env.trace_id, attempts, status: raw.status, extra: env.extra }),
            code => {
                let error = Error::Service {
                    vendor: VENDOR,
                    code,
                    message: env.msg.unwrap_or_default(),
                    operation: op.name.to_owned(),
                    request_id: env.trace_id,
                };
                Err((error.into(), code == 401))
            }
        }
    }

    fn can_refresh(&self) -> bool {
        matches!(self.inner.config.credentials, Credentials::Exchange { .. })
    }

    /// The current token, exchanging one if needed (one exchange at a time).
    async fn token(&self) -> Result<Arc<str>, Error> {
        let (uuid, secret) = match &self.inner.config.credentials {
            Credentials::Token(t) => return Ok(Arc::from(t.as_str())),
            Credentials::Exchange { uuid, secret } => (uuid, secret),
        };
        let mut cached = self.inner.token.lock().await;
        if let Some(c) = cached.as_ref() {
            if c.refresh_at.is_none_or(|at| Instant::now() < at) {
                return Ok(c.token.clone());
            }
        }
        let fresh = self.exchange(uuid, secret).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Replaces `stale` after a 401, unless another task already did.
    async fn refresh(&self, stale: &str) -> Result<Arc<str>, Error> {
        let Credentials::Exchange { uuid, secret } = &self.inner.config.credentials else {
            return Ok(Arc::from(stale));
        };
        let mut cached = self.inner.token.lock().await;
        if let Some(c) = cached.as_ref() {
            if &*c.token != stale {
                return Ok(c.token.clone());
            }
        }
        let fresh = self.exchange(uuid, secret).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    async fn exchange(&self, uuid: &str, secret: &str) -> Result<CachedToken, Error> {
        let cfg = &self.inner.config;
        let url = format!("{}/{TOKEN_PATH}", cfg.http.base_url.trim_end_matches('/'));
        let body = serde_json::json!({ "uuid": uuid, "secret": secret }).to_string();
        tracing::debug!("exchanging credentials for an access token");
        let request = self
            .inner
            .transport
            .client()
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        let started = Instant::now();
        let raw = self
            .inner
            .transport
            .send(request, &cfg.http)
            .await
            .map_err(|e| Error::auth("token exchange failed", Some(Box::new(e))))?;
        if raw.status >= 400 {
            return Err(Error::auth(format!("token exchange failed: HTTP status {}", raw.status), None));
        }
        let mut data: Option<TokenData> = None;
        let env = decode_envelope(&raw.body, Slot::Model(&mut data))
            .map_err(|e| Error::auth("token exchange: invalid response", Some(Box::new(e))))?;
        let code = env.effective_code();
        if code != 0 {
            let refused = Error::Service {
                vendor: VENDOR,
                code,
                message: env.msg.unwrap_or_default(),
                operation: "getToken".to_owned(),
                request_id: env.trace_id,
            };
            return Err(Error::auth("token exchange failed", Some(Box::new(refused))));
        }
        let data = data.unwrap_or_default();
        let token = data
            .token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::auth("token exchange: the response has no token", None))?;
        if reqwest::header::HeaderValue::from_str(&token).is_err() {
            return Err(Error::auth("token exchange: the token is not a valid header value", None));
        }
        let refresh_at = data
            .effective_time
            .map(|ms| started + token_lifetime(ms, SystemTime::now()))
            .map(|expiry| expiry.checked_sub(cfg.refresh_margin).unwrap_or(started).max(started));
        Ok(CachedToken { token: Arc::from(token), refresh_at })
    }
}

/// Whether the server refused the token (HTTP 401 or envelope `code` 401): a refresh may fix that.
type Unauthorized = bool;

/// The attempts of one call: the same request, sent until the retry loop is done, with a fresh token once if the
/// server refuses the current one.
struct Attempts<'c, 'd> {
    client: &'c Client,
    op: &'static Operation,
    method: reqwest::Method,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    body: Option<Vec<u8>>,
    decode: &'c mut DecodeBody<'d>,
    token: Arc<str>,
    refreshed: bool,
}

impl retry::Attempts for Attempts<'_, '_> {
    async fn attempt(&mut self, number: u32) -> Result<CallInfo, Failure> {
        let request = self
            .client
            .inner
            .transport
            .client()
            .request(self.method.clone(), self.url.clone())
            .headers(self.headers.clone())
            .header(TOKEN_HEADER, &*self.token);
        let request = match &self.body {
            Some(b) => request.header(reqwest::header::CONTENT_TYPE, "application/json").body(b.clone()),
            None => request,
        };
        let (failure, unauthorized) = match self.client.attempt(self.op, request, &mut *self.decode, number).await {
            Ok(info) => return Ok(info),
            Err(failed) => failed,
        };
        if unauthorized && !self.refreshed && self.client.can_refresh() {
            tracing::debug!("unauthorized; refreshing the token once");
            self.refreshed = true;
            self.token = self.client.refresh(&self.token).await?;
            return Err(Failure { repeat_now: true, ..failure });
        }
        Err(failure)
    }
}

/// `effectiveTime` is documented as a validity period in milliseconds (e.g. `1800000`).
/// Values that look like a Unix timestamp in milliseconds (≥ 10^12, i.e. after 2001) are
/// treated as an absolute expiry instead. Negative values mean "already expired".
fn token_lifetime(ms: i64, now: SystemTime) -> Duration {
    const EPOCH_MS_THRESHOLD: i64 = 1_000_000_000_000;
    let ms = ms.max(0);
    if ms >= EPOCH_MS_THRESHOLD {
        let now_ms = now.duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Duration::from_millis(u64::try_from(ms.saturating_sub(now_ms)).unwrap_or(0))
    } else {
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encoding() {
        let mut c = Call::new(Method::Get, "/v1/open/image/personal/getList");
        c.query_str("imageName", "a b&c");
        c.query_int("page", 1);
        c.query_float("ratio", 0.5);
        c.query_bool("all", true);
        c.opt_query_str("none", None);
        c.opt_query_int("n", None);
        c.opt_query_float("f", None);
        c.opt_query_bool("b", Some(false));
        c.query_str("from", "2024-01-31 16:00:00");
        c.query_str("中", "文");
        assert_eq!(
            c.query(),
            "imageName=a%20b%26c&page=1&ratio=0.5&all=true&b=false&from=2024-01-31%2016%3A00%3A00&%E4%B8%AD=%E6%96%87"
        );
        assert_eq!(c.path(), "v1/open/image/personal/getList");
        let url = c.url("https://x.example/").unwrap();
        assert_eq!(url.path(), "/v1/open/image/personal/getList");
        assert_eq!(url.query(), Some(c.query()));
    }

    #[test]
    fn path_params() {
        let mut c = Call::new(Method::Delete, "v1/image/{imageId}/tags/{tag}");
        c.path_int("imageId", 42);
        c.path_str("tag", "a/b c");
        assert_eq!(c.path(), "v1/image/42/tags/a%2Fb%20c");
        let mut c = Call::new(Method::Get, "/v1/image/detail");
        c.path_str("id", "x y");
        assert_eq!(c.path(), "v1/image/detail/x%20y");
        let mut c = Call::new(Method::Get, "/v1/image/detail/");
        c.path_int("id", 7);
        assert_eq!(c.path(), "v1/image/detail/7");
    }

    #[test]
    fn body_and_headers() {
        let mut c = Call::new(Method::Post, "v1/x");
        assert!(c.body().is_none());
        c.body_str("name", "n");
        c.body_int("count", 2);
        c.body_float("ratio", 1.5);
        c.body_bool("on", true);
        c.body_json("obj", serde_json::json!({"a": [1]}));
        c.opt_body_str("s", None);
        c.opt_body_int("i", Some(3));
        c.opt_body_float("f", None);
        c.opt_body_bool("b", None);
        c.opt_body_json("j", None);
        c.header_str("X-Trace", "t");
        c.header_str("secret", "hidden-value");
        c.body_str("password", "pw-value");
        let body = Value::Object(c.body().unwrap().clone());
        assert_eq!(
            body,
            serde_json::json!({"name":"n","count":2,"ratio":1.5,"on":true,"obj":{"a":[1]},"i":3,"password":"pw-value"})
        );
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("hidden-value") && !dbg.contains("pw-value"), "{dbg}");
        assert_eq!(c.method(), Method::Post);
    }

    #[test]
    fn credentials_debug_redacted() {
        let t = Credentials::Token("tok-123".into());
        assert!(!format!("{t:?}").contains("tok-123"));
        let e = Credentials::Exchange { uuid: "A1".into(), secret: "s3cr3t".into() };
        let s = format!("{:?}", Config::new(e));
        assert!(!s.contains("s3cr3t") && s.contains("A1"), "{s}");
    }

    #[test]
    fn config_from_env_map() {
        let mut vars = HashMap::new();
        assert!(Config::from_env_map(&vars).is_err());
        vars.insert("FINOVY_UUID".to_owned(), "u".to_owned());
        assert!(Config::from_env_map(&vars).is_err());
        vars.insert("FINOVY_SECRET".to_owned(), "s".to_owned());
        vars.insert("FINOVY_BASE_URL".to_owned(), "http://127.0.0.1:1".to_owned());
        let cfg = Config::from_env_map(&vars).unwrap();
        assert_eq!(cfg.credentials, Credentials::Exchange { uuid: "u".into(), secret: "s".into() });
        assert_eq!(cfg.http.base_url, "http://127.0.0.1:1");
        vars.insert("FINOVY_ACCESS_TOKEN".to_owned(), "t".to_owned());
        let cfg = Config::from_env_map(&vars).unwrap();
        assert_eq!(cfg.credentials, Credentials::Token("t".into()));
    }

    #[test]
    fn lifetime_duration_or_epoch() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(token_lifetime(1_800_000, now), Duration::from_secs(1800));
        assert_eq!(token_lifetime(1_700_000_060_000, now), Duration::from_secs(60));
        assert_eq!(token_lifetime(1_600_000_000_000, now), Duration::ZERO);
        assert_eq!(token_lifetime(-5, now), Duration::ZERO);
    }

    #[test]
    fn invalid_config_rejected() {
        assert!(Client::new(Config::new(Credentials::Token(String::new()))).is_err());
        assert!(Client::new(Config::new(Credentials::Token("a\nb".into()))).is_err());
        assert!(Client::new(Config::new(Credentials::Token("t".into())).with_base_url("nope")).is_err());
    }
}
