//! The Finovy client: configuration, token exchange and refresh, and calls (retried, decoded by the operation's
//! generated code).
//!
//! Every call carries a `Finovy-Access-Token` header. Responses are wrapped in the envelope
//! `{"code", "success", "msg", "data", "traceId"}`.

pub(crate) mod protocol;
mod token;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use docbind_redact::Secret;
use tracing::Instrument as _;

use protocol::EnvelopeStatus;
use token::{Exchange, Token, Tokens};
pub use token::{DEFAULT_EXCHANGE_COOLDOWN, TOKEN_PATH};

use crate::decode;
use crate::pending::{PendingCall, Response};
use crate::redact;
use crate::rest::{Call, Operation};
use crate::retry::{self, Failure, Repeat};
use crate::transport::{self, Decoded, HttpOptions, Transport};
use crate::{CallInfo, CallOptions, Error, Vendor};

const VENDOR: Vendor = Vendor::Finovy;

/// The default API endpoint.
pub const DEFAULT_BASE_URL: &str = "https://client.xuandashi.com";

/// The header carrying the access token.
pub const TOKEN_HEADER: &str = "Finovy-Access-Token";

/// How the client authenticates: [`Credentials::token`] or [`Credentials::exchange`] (or `Config::from_env`).
/// The secrets are [`Secret`]s: `Debug` shows nothing of them.
///
/// ```
/// use docbind_runtime::finovy::{Config, Credentials};
///
/// // A ready-made access token, used as it is:
/// let config = Config::new(Credentials::token("access-token"));
/// // An account id and app secret, exchanged for access tokens as they expire:
/// let config = Config::new(Credentials::exchange("account-uuid", "app-secret"));
/// assert!(!format!("{config:?}").contains("app-secret"));
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// A ready-to-use access token (never refreshed).
    Token(Secret),
    /// An account id and secret exchanged at `POST v1/auth/getToken` for expiring tokens.
    Exchange {
        /// The account id (`uuid`).
        uuid: String,
        /// The app secret.
        secret: Secret,
    },
}

impl Credentials {
    /// A ready-to-use access token (never refreshed).
    pub fn token(token: impl Into<Secret>) -> Self {
        Credentials::Token(token.into())
    }

    /// An account id (`uuid`) and app secret, exchanged for expiring tokens (refreshed before they expire).
    pub fn exchange(uuid: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Credentials::Exchange { uuid: uuid.into(), secret: secret.into() }
    }
}

/// Client configuration.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// Credentials (redacted in `Debug`).
    pub credentials: Credentials,
    /// Exchanged tokens are refreshed this long before they expire, default 60 s (but not before half their
    /// lifetime has passed, nor sooner than a second after their exchange, so that an `effectiveTime` of 0 or
    /// below the margin does not mean an exchange per call).
    pub refresh_margin: Duration,
    /// How long a failed token exchange is remembered, default [`DEFAULT_EXCHANGE_COOLDOWN`]: calls that need a
    /// token in that time fail at once with the same error instead of trying again.
    pub exchange_cooldown: Duration,
    /// Endpoint (default [`DEFAULT_BASE_URL`]), timeout, retries and the other options every client has.
    pub http: HttpOptions,
}

impl Config {
    /// A configuration with the given credentials and defaults for everything else.
    pub fn new(credentials: Credentials) -> Self {
        Config {
            credentials,
            refresh_margin: Duration::from_secs(60),
            exchange_cooldown: DEFAULT_EXCHANGE_COOLDOWN,
            http: HttpOptions::new(DEFAULT_BASE_URL),
        }
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
            (Some(token), _, _) => Credentials::token(token),
            (None, Some(uuid), Some(secret)) => Credentials::exchange(uuid, secret),
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

    /// Sets how long a failed token exchange is remembered.
    #[must_use]
    pub fn with_exchange_cooldown(mut self, v: Duration) -> Self {
        self.exchange_cooldown = v;
        self
    }

    transport::http_option_setters!();
}

/// A Finovy API client. Cheap to clone (shared pool, configuration and token cache).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    transport: Transport,
    tokens: Tokens,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

/// Which failures of a call may be repeated, and whether its request went out: a deadline that passes during the
/// token exchange, before that, leaves no doubt about the outcome.
struct Repeats {
    rule: Repeat,
    sending: AtomicBool,
}

/// How the call decodes a response body: a generated `decode_response`, with the decoded value kept aside.
type DecodeBody<'a> = dyn FnMut(&[u8]) -> Result<EnvelopeStatus, decode::DecodeError> + Send + 'a;

/// An operation's generated `decode_response`: the response, and the envelope's status for the call to judge.
type DecodeResponse<R> = fn(&[u8]) -> Result<(R, EnvelopeStatus), decode::DecodeError>;

impl Client {
    /// Builds a client; fails on an invalid configuration.
    pub fn new(config: Config) -> Result<Client, Error> {
        match &config.credentials {
            Credentials::Token(t) if t.is_empty() => return Err(Error::Config("the access token is empty".into())),
            Credentials::Token(t) if reqwest::header::HeaderValue::from_str(t.expose()).is_err() => {
                return Err(Error::Config("the access token is not a valid header value".into()))
            }
            Credentials::Exchange { uuid, secret } if uuid.is_empty() || secret.is_empty() => {
                return Err(Error::Config("uuid and secret must not be empty".into()))
            }
            _ => {}
        }
        let mut transport = Transport::new(VENDOR, &config.http)?;
        // The access token is a header, which a client that follows redirects repeats to the redirect target.
        transport.refuse_redirecting_client();
        Ok(Client { inner: Arc::new(Inner { config, transport, tokens: Tokens::new() }) })
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
    /// and the call is repeated once (even for an operation that changes state: it was not executed). Otherwise
    /// failures are retried per [`HttpOptions::retry`], all (the token exchange included) within
    /// [`HttpOptions::deadline`]: an idempotent (read-only) operation after any retryable failure, another only
    /// when the request did not reach the service, failing with [`Error::OutcomeUnknown`] when it may have.
    #[doc(hidden)] // The runtime's tests call it; generated code goes through `pending`.
    pub async fn call<T, F>(&self, op: &'static Operation, call: Call, decode: F) -> Result<(T, CallInfo), Error>
    where
        T: Default + Send,
        F: FnMut(&[u8]) -> Result<(T, EnvelopeStatus), decode::DecodeError> + Send,
    {
        self.call_with(op, call, decode, &CallOptions::new()).await
    }

    /// The call of `op` a generated operation method returns: made, with its options, when awaited; the response
    /// it returns carries the call's [`CallInfo`]. It borrows neither the client nor the request: it is `'static`.
    #[doc(hidden)] // Called by generated code, with the operation's `decode_response`.
    pub fn pending<R>(&self, op: &'static Operation, call: Call, decode: DecodeResponse<R>) -> PendingCall<R>
    where
        R: Response + Default + 'static,
    {
        // A share of the client, so the call owns what it needs and can be spawned.
        let client = self.clone();
        PendingCall::new(op.name, move |options| async move { client.call_with(op, call, decode, &options).await })
    }

    /// Like [`Client::call`], with `options` overriding the client's [`HttpOptions`] for this call (the token
    /// exchange keeps the client's timeout and retries, within this call's deadline).
    #[doc(hidden)] // Called through `pending` (generated code) and by the runtime's tests.
    pub async fn call_with<T, F>(
        &self,
        op: &'static Operation,
        call: Call,
        decode: F,
        options: &CallOptions,
    ) -> Result<(T, CallInfo), Error>
    where
        T: Default + Send,
        F: FnMut(&[u8]) -> Result<(T, EnvelopeStatus), decode::DecodeError> + Send,
    {
        let started = std::time::Instant::now();
        let http = options.apply(&self.inner.config.http)?;
        let span = self.inner.transport.call_span(op.name);
        let mut decoded = Decoded::new(decode);
        let mut decode_body = |body: &[u8]| decoded.body(body);
        let repeat = Repeats { rule: http.repeat_for(op.name, op.idempotent), sending: AtomicBool::new(false) };
        let info = transport::within_deadline(&http, |until| {
            self.call_inner(op, call, &http, &repeat, until, &mut decode_body)
        })
        .instrument(span)
        .await
        .map_err(|error| match repeat.sending.load(Ordering::Relaxed) {
            true => repeat.rule.settle(VENDOR, op.name, error),
            false => error,
        })?;
        let info = CallInfo { elapsed: started.elapsed(), ..info };
        Ok((decoded.into_value(), info))
    }

    async fn call_inner(
        &self,
        op: &'static Operation,
        call: Call,
        http: &HttpOptions,
        repeat: &Repeats,
        until: tokio::time::Instant,
        decode: &mut DecodeBody<'_>,
    ) -> Result<CallInfo, Error> {
        call.check()?;
        let cfg = &self.inner.config;
        let url = call.url(&cfg.http.base_url)?;
        let body = match &call.body {
            Some(map) => Some(
                serde_json::to_string(map).map_err(|e| Error::Config(format!("cannot encode the JSON body: {e}")))?,
            ),
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
        tracing::debug!(request = ?redact::Bounded(&call), "sending request");

        let token = self.token(until).await?;
        let method = call.method.to_reqwest();
        let mut attempts =
            Attempts { client: self, http, op, method, url, headers, body, decode, token, until, refreshed: false };
        repeat.sending.store(true, Ordering::Relaxed);
        retry::run(&http.retry, repeat.rule, until, &mut attempts).await
    }

    /// Sends `request` once and judges the response. A failure says whether the token was refused.
    async fn attempt(
        &self,
        op: &'static Operation,
        request: reqwest::RequestBuilder,
        http: &HttpOptions,
        decode: &mut DecodeBody<'_>,
        attempts: u32,
    ) -> Result<CallInfo, (Failure, Unauthorized)> {
        let raw =
            self.inner.transport.send(request, http, op.name, attempts).await.map_err(|error| (error.into(), false))?;
        if raw.status >= 400 {
            let failure = Failure {
                error: Error::status_error(raw.status, &raw.body, protocol::trace_id_of(&raw.body)),
                retry_after: raw.retry_after(),
                repeat_now: false,
            };
            return Err((failure, raw.status == 401));
        }
        let env = match decode(&raw.body) {
            Ok(status) => status,
            Err(source) => {
                let request_id = protocol::trace_id_of(&raw.body);
                return Err((Error::Decode { source, body: raw.body, request_id }.into(), false));
            }
        };
        if let Some(id) = &env.trace_id {
            transport::record_request_id(id);
        }
        match env.judge(op.name, &raw.body) {
            Ok(()) => Ok(CallInfo {
                request_id: env.trace_id,
                attempts,
                status: raw.status,
                extra: env.extra,
                elapsed: Duration::ZERO,
            }),
            Err(error) => Err((error.into(), env.code == Some(401))),
        }
    }

    /// The token for a call that must finish by `until`: the static one, or the exchanged one (exchanging it if
    /// needed).
    async fn token(&self, until: tokio::time::Instant) -> Result<Token, Error> {
        let Inner { config, transport, tokens } = &*self.inner;
        match &config.credentials {
            Credentials::Token(t) => Ok(Token::fixed(t.expose())),
            Credentials::Exchange { uuid, secret } => {
                tokens.current(&Exchange { transport, config, uuid, secret: secret.expose(), until }).await
            }
        }
    }
}

/// Whether the server refused the token (HTTP 401 or envelope `code` 401): a refresh may fix that.
type Unauthorized = bool;

/// The attempts of one call: the same request, sent until the retry loop is done, with a fresh token once if the
/// server refuses the current one.
struct Attempts<'c, 'd> {
    client: &'c Client,
    /// The client's options, or this call's.
    http: &'c HttpOptions,
    op: &'static Operation,
    method: reqwest::Method,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    body: Option<String>,
    decode: &'c mut DecodeBody<'d>,
    token: Token,
    /// The call's deadline, for a token exchange after a 401.
    until: tokio::time::Instant,
    refreshed: bool,
}

impl retry::Attempts for Attempts<'_, '_> {
    type Output = CallInfo;

    async fn attempt(&mut self, number: u32) -> Result<CallInfo, Failure> {
        let request = self
            .client
            .inner
            .transport
            .request(self.method.clone(), self.url.clone(), self.body.clone())
            .headers(self.headers.clone())
            .header(TOKEN_HEADER, &*self.token.value);
        let request = match &self.body {
            Some(_) => request.header(reqwest::header::CONTENT_TYPE, "application/json"),
            None => request,
        };
        let (failure, unauthorized) =
            match self.client.attempt(self.op, request, self.http, &mut *self.decode, number).await {
                Ok(info) => return Ok(info),
                Err(failed) => failed,
            };
        let Inner { config, transport, tokens } = &*self.client.inner;
        if let (true, false, Credentials::Exchange { uuid, secret }) =
            (unauthorized, self.refreshed, &config.credentials)
        {
            tracing::debug!("unauthorized; replacing the token once");
            self.refreshed = true;
            let exchange = Exchange { transport, config, uuid, secret: secret.expose(), until: self.until };
            self.token = tokens.replace(&self.token, &exchange).await?;
            return Err(Failure { repeat_now: true, ..failure });
        }
        Err(failure)
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
    fn invalid_config_rejected() {
        assert!(Client::new(Config::new(Credentials::token(""))).is_err());
        assert!(Client::new(Config::new(Credentials::Token("a\nb".into()))).is_err());
        assert!(Client::new(Config::new(Credentials::Token("t".into())).with_base_url("nope")).is_err());
    }
}
