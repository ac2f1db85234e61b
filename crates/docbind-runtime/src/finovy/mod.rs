//! The Finovy client: configuration, token exchange and refresh, and calls (retried, decoded by the operation's
//! generated code).
//!
//! Every call carries a `Finovy-Access-Token` header. Responses are wrapped in the envelope
//! `{"code", "success", "msg", "data", "traceId"}`.

pub(crate) mod protocol;
mod token;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use docbind_redact::Secret;
use reqwest::header::HeaderMap;

use protocol::EnvelopeStatus;
use token::{Exchange, Token, Tokens};
pub use token::{DEFAULT_EXCHANGE_COOLDOWN, TOKEN_PATH};

use crate::client::{Auth, Core, Envelope, Facts, Op, Receiving, Rejected, Service};
use crate::decode;
use crate::pending::{PendingCall, Response};
use crate::redact;
use crate::rest::{Call, Operation, RestRequest, RestWire};
use crate::retry::Failure;
use crate::transport::{self, HttpOptions, Transport};
use crate::{CallInfo, CallOptions, Error, Vendor};

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
        crate::client::from_env(Self::from_lookup)
    }

    /// Like [`Config::from_env`], reading from `vars` instead of the process environment.
    pub fn from_env_map(vars: &HashMap<String, String>) -> Result<Self, Error> {
        crate::client::from_env_map(vars, Self::from_lookup)
    }

    /// The configuration from `get`, which answers only variables that are set and not blank.
    fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
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
    inner: Arc<Core<Finovy>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.inner, f)
    }
}

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
        let auth = AccessToken { config: config.clone(), tokens: Tokens::new() };
        Ok(Client { inner: Arc::new(Core::new(config, auth, CodeData)?) })
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
        let http = options.apply(&self.inner.config.http)?;
        let request = RestRequest::new(&call, &self.inner.config.http.base_url)?;
        tracing::debug!(request = ?redact::Bounded(&call), "sending request");
        let op = Op { name: op.name, idempotent: op.idempotent };
        let (value, (), info) = self.inner.call(op, &http, request, decode).await?;
        Ok((value, info))
    }
}

/// Finovy on the client core: REST calls with an access token, answered in the `code`/`data` envelope.
pub(crate) struct Finovy;

impl Service for Finovy {
    const VENDOR: Vendor = Vendor::Finovy;
    const NAME: &'static str = "Finovy";
    type Config = Config;
    type Wire = RestWire;
    type Auth = AccessToken;
    type Envelope = CodeData;

    fn http(config: &Config) -> &HttpOptions {
        &config.http
    }
}

/// What errors and traces say of Finovy.
pub(crate) static FACTS: Facts = Facts::of::<Finovy>();

/// Finovy's authentication: the access token in [`TOKEN_HEADER`], a static one or one exchanged for the account's
/// credentials (shared by the client's calls, refreshed before it expires, replaced once when refused).
pub(crate) struct AccessToken {
    /// The client's configuration: the credentials, and the timeout and retries of the token exchange.
    config: Config,
    tokens: Tokens,
}

impl AccessToken {
    /// The exchange of `uuid` and `secret` for a call that must finish by `until`.
    fn exchange<'a>(
        &'a self,
        transport: &'a Transport,
        uuid: &'a str,
        secret: &'a Secret,
        until: tokio::time::Instant,
    ) -> Exchange<'a> {
        Exchange { transport, config: &self.config, uuid, secret: secret.expose(), until }
    }
}

impl Auth<RestRequest> for AccessToken {
    type Credential = Token;

    // The access token is a header, which a client that follows redirects repeats to the redirect target.
    const IN_HEADER: bool = true;

    /// The static token, or the exchanged one (exchanging it if needed).
    async fn credential(&self, transport: &Transport, until: tokio::time::Instant) -> Result<Token, Error> {
        match &self.config.credentials {
            Credentials::Token(t) => Ok(Token::fixed(t.expose())),
            Credentials::Exchange { uuid, secret } => {
                self.tokens.current(&self.exchange(transport, uuid, secret, until)).await
            }
        }
    }

    fn authorize(&self, token: &Token, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.header(TOKEN_HEADER, &*token.value)
    }

    /// A token exchanged to replace `refused` (a static token has none).
    async fn replace(
        &self,
        refused: &Token,
        transport: &Transport,
        until: tokio::time::Instant,
    ) -> Result<Option<Token>, Error> {
        match &self.config.credentials {
            Credentials::Token(_) => Ok(None),
            Credentials::Exchange { uuid, secret } => {
                Ok(Some(self.tokens.replace(refused, &self.exchange(transport, uuid, secret, until)).await?))
            }
        }
    }
}

/// Finovy's envelope: the HTTP status, then `code` (and `success`) beside `data` in the JSON body, the request id
/// as its `traceId`. No code is transient; HTTP 401 and `code` 401 refuse the token.
pub(crate) struct CodeData;

impl Envelope for CodeData {
    type Status = EnvelopeStatus;
    type Head = ();

    const CODE_LABEL: &'static str = "code";

    fn request_id(_: &HeaderMap, body: &[u8]) -> Option<String> {
        protocol::trace_id_of(body)
    }

    async fn receive(
        &self,
        response: reqwest::Response,
        mut receiving: Receiving<'_, '_, EnvelopeStatus>,
    ) -> Result<((), CallInfo), Rejected> {
        let raw = receiving.read_whole(response).await?;
        if raw.status >= 400 {
            let failure = Failure {
                error: Error::status_error(raw.status, &raw.body, protocol::trace_id_of(&raw.body)),
                retry_after: raw.retry_after(),
                repeat_now: false,
            };
            return Err(Rejected { failure, refused_credential: raw.status == 401 });
        }
        let env = match receiving.decode(&raw.body) {
            Ok(status) => status,
            Err(source) => {
                let request_id = protocol::trace_id_of(&raw.body);
                return Err(Error::Decode { source, body: raw.body, request_id }.into());
            }
        };
        if let Some(id) = &env.trace_id {
            transport::record_request_id(id);
        }
        match env.judge(receiving.operation(), &raw.body) {
            Ok(()) => Ok((
                (),
                CallInfo {
                    request_id: env.trace_id,
                    attempts: 0,
                    status: raw.status,
                    extra: env.extra,
                    elapsed: Duration::ZERO,
                },
            )),
            Err(error) => Err(Rejected { failure: error.into(), refused_credential: env.code == Some(401) }),
        }
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
