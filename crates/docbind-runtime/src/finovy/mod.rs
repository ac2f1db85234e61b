//! The Finovy client: configuration, token exchange and refresh, and calls (retried, decoded by the operation's
//! generated code).
//!
//! Every call carries a `Finovy-Access-Token` header. Responses are wrapped in the envelope
//! `{"code", "success", "msg", "data", "traceId"}`.

pub(crate) mod protocol;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use docbind_redact::REDACTED;
use tracing::Instrument as _;

use protocol::{decode_envelope, Call, EnvelopeStatus, Operation};

use crate::decode::{self, Decode, Extra, Sealed, Slot};
use crate::retry::{self, Failure};
use crate::transport::{self, Decoded, HttpOptions, Transport};
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

/// How the call decodes a response body: a generated `decode_response`, with the decoded value kept aside.
type DecodeBody<'a> = dyn FnMut(&[u8]) -> Result<EnvelopeStatus, decode::DecodeError> + Send + 'a;

/// `data` of the token exchange response.
#[derive(Default)]
struct TokenData {
    token: Option<String>,
    effective_time: Option<i64>,
    extra: Extra,
}

impl Sealed for TokenData {}

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
    #[doc(hidden)] // Called by generated code, with the operation's `decode_response`.
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
        call.check()?;
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
        match env.judge(op.name, &raw.body) {
            Ok(()) => Ok(CallInfo { request_id: env.trace_id, attempts, status: raw.status, extra: env.extra }),
            Err(error) => Err((error.into(), env.code == Some(401))),
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
        if let Err(refused) = env.judge("getToken", &raw.body) {
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
