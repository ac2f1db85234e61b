//! Finovy's exchanged access tokens: the cache every call of a client shares, with one exchange at a time.
//!
//! An exchange (`POST v1/auth/getToken` with `{uuid, secret}`) is safe to repeat, so it is retried like an
//! idempotent call. Calls that need a token while it runs wait for it and share its outcome: its token, or its
//! failure, which is also remembered for [`Config::exchange_cooldown`](super::Config::exchange_cooldown) so that
//! callers fail at once instead of each trying a dead endpoint in turn. A refused token (HTTP or `code` 401) is
//! replaced once per exchange, however many calls saw it refused. The exchange runs in the call that started it,
//! within that call's deadline: should that call give up first, the next waiting call starts a new exchange.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use docbind_redact::REDACTED;
use tracing::Instrument as _;

use super::protocol::decode_envelope;
use super::Config;
use crate::decode::{Decode, DecodeError, Extra, ObjectFields, Slot};
use crate::redact;
use crate::retry::{self, Failure, Repeat};
use crate::transport::{std_instant_after, Transport};
use crate::Error;

/// The token exchange endpoint, relative to the base URL.
pub const TOKEN_PATH: &str = "v1/auth/getToken";

/// How long a failed token exchange is remembered by default (5 s).
pub const DEFAULT_EXCHANGE_COOLDOWN: Duration = Duration::from_secs(5);

/// An exchanged token is used at least this long after its exchange, whatever its `effectiveTime` says (`0`, or
/// less than the refresh margin): a server that stops accepting it answers 401, which replaces it anyway.
const MIN_TOKEN_REUSE: Duration = Duration::from_secs(1);

/// An access token, and which exchange produced it (0: a static token), so that calls that saw the same token
/// refused replace it once. No `Debug`: it is a secret.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) value: Arc<str>,
    generation: u64,
}

impl Token {
    /// A token that is never exchanged (static credentials).
    pub(super) fn fixed(value: &str) -> Token {
        Token { value: Arc::from(value), generation: 0 }
    }
}

/// The exchanged token of one client, and what happened to its last exchange.
pub(super) struct Tokens {
    state: tokio::sync::Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    /// Exchanges that succeeded, numbering the tokens.
    exchanges: u64,
    /// The last exchange's failure, and until when it stands in for a new exchange.
    failed: Option<(Instant, ExchangeFailure)>,
}

struct Cached {
    token: Token,
    /// When to exchange a new one (`None`: the response gave no lifetime; used until refused).
    refresh_at: Option<Instant>,
}

/// What one exchange needs: where to send it, the credentials, and the deadline of the call that needs it.
pub(super) struct Exchange<'a> {
    pub(super) transport: &'a Transport,
    pub(super) config: &'a Config,
    pub(super) uuid: &'a str,
    pub(super) secret: &'a str,
    pub(super) until: tokio::time::Instant,
}

impl Tokens {
    pub(super) fn new() -> Tokens {
        Tokens { state: tokio::sync::Mutex::new(State::default()) }
    }

    /// The current token, exchanging a new one if there is none yet or it is due for refresh.
    pub(super) async fn current(&self, exchange: &Exchange<'_>) -> Result<Token, Error> {
        let mut state = self.state.lock().await;
        if let Some(cached) = &state.current {
            if cached.refresh_at.is_none_or(|at| Instant::now() < at) {
                return Ok(cached.token.clone());
            }
        }
        state.renew(exchange).await
    }

    /// A token to use instead of `refused`: the one another call already exchanged for it, or a new one.
    pub(super) async fn replace(&self, refused: &Token, exchange: &Exchange<'_>) -> Result<Token, Error> {
        let mut state = self.state.lock().await;
        if let Some(cached) = &state.current {
            if cached.token.generation != refused.generation {
                return Ok(cached.token.clone());
            }
        }
        state.renew(exchange).await
    }
}

impl State {
    /// Exchanges the credentials for a new token, unless the last exchange failed within the cooldown: then that
    /// failure is the answer. Callers hold the lock, so calls waiting meanwhile get this exchange's outcome.
    async fn renew(&mut self, exchange: &Exchange<'_>) -> Result<Token, Error> {
        if let Some((until, failure)) = &self.failed {
            if Instant::now() < *until {
                tracing::debug!("the last token exchange failed moments ago; failing without a new one");
                return Err(failure.to_error());
            }
        }
        match exchange.run().await {
            Ok(fresh) => {
                self.exchanges += 1;
                let token = Token { value: Arc::from(fresh.token), generation: self.exchanges };
                let margin = exchange.config.refresh_margin;
                let refresh_at = fresh
                    .effective_time
                    .map(|ms| refresh_after(token_lifetime(ms, SystemTime::now()), margin))
                    .map(|after| std_instant_after(fresh.started, after));
                self.current = Some(Cached { token: token.clone(), refresh_at });
                self.failed = None;
                Ok(token)
            }
            Err(failure) => {
                let error = failure.to_error();
                self.failed = Some((std_instant_after(Instant::now(), exchange.config.exchange_cooldown), failure));
                Err(error)
            }
        }
    }
}

/// A failed exchange, as every call that shares it receives it: an [`Error::Auth`] with the same message and
/// cause.
#[derive(Clone)]
struct ExchangeFailure {
    message: String,
    cause: Option<Cause>,
}

/// Why an exchange failed: an error of the request (transport, HTTP status, the vendor's refusal, …), shared as
/// an `Arc<Error>`, or a response that was not the envelope.
#[derive(Clone)]
enum Cause {
    Error(Arc<Error>),
    Decode(DecodeError),
}

impl ExchangeFailure {
    fn to_error(&self) -> Error {
        let source: Option<crate::BoxError> = self.cause.as_ref().map(|cause| match cause {
            Cause::Error(error) => Box::new(error.clone()) as crate::BoxError,
            Cause::Decode(error) => Box::new(error.clone()),
        });
        Error::auth(self.message.clone(), source)
    }

    /// The failure for the error the exchange's last attempt ended with. An attempt reports a response that is
    /// not the envelope as [`Error::Decode`] (its body left out: it may hold a token) and a usable response
    /// without a usable token as a cause-less [`Error::Auth`].
    fn from_attempt(error: Error) -> ExchangeFailure {
        match error {
            Error::Auth { message, source: None } => ExchangeFailure { message, cause: None },
            Error::Decode { source, .. } => ExchangeFailure {
                message: "token exchange: invalid response".to_owned(),
                cause: Some(Cause::Decode(source)),
            },
            other => ExchangeFailure {
                message: "token exchange failed".to_owned(),
                cause: Some(Cause::Error(Arc::new(other))),
            },
        }
    }
}

/// A token the exchange returned.
struct Fresh {
    token: String,
    effective_time: Option<i64>,
    /// When the successful attempt was sent: the lifetime counts from there.
    started: Instant,
}

impl Exchange<'_> {
    /// Runs the exchange, retrying retryable failures per the client's retry policy within the call's deadline.
    async fn run(&self) -> Result<Fresh, ExchangeFailure> {
        let span = tracing::debug_span!("docbind.token_exchange", attempt = tracing::field::Empty);
        let body = serde_json::json!({ "uuid": self.uuid, "secret": self.secret }).to_string();
        let mut attempts = ExchangeAttempts { exchange: self, body };
        let policy = &self.config.http.retry;
        // Repeating an exchange only mints another token.
        retry::run(policy, Repeat::AnyTransient, self.until, &mut attempts)
            .instrument(span)
            .await
            .map_err(ExchangeFailure::from_attempt)
    }

    /// The server's text with the secret, should it echo it, replaced.
    fn scrub(&self, text: String) -> String {
        if text.contains(self.secret) {
            text.replace(self.secret, REDACTED)
        } else {
            text
        }
    }
}

struct ExchangeAttempts<'a, 'b> {
    exchange: &'a Exchange<'b>,
    body: String,
}

impl retry::Attempts for ExchangeAttempts<'_, '_> {
    type Output = Fresh;

    async fn attempt(&mut self, number: u32) -> Result<Fresh, Failure> {
        let Exchange { transport, config, .. } = self.exchange;
        tracing::debug!("exchanging credentials for an access token");
        let url = format!("{}/{TOKEN_PATH}", config.http.base_url.trim_end_matches('/'));
        let url = reqwest::Url::parse(&url).map_err(|e| Error::Config(format!("invalid token URL {url:?}: {e}")))?;
        let request = transport
            .request(reqwest::Method::POST, url, Some(self.body.clone()))
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        let started = Instant::now();
        let raw = transport.send(request, &config.http, "getToken", number).await?;
        if raw.status >= 400 {
            let error = Error::Status {
                status: raw.status,
                body: self.exchange.scrub(redact::excerpt(&raw.body)),
                request_id: super::protocol::trace_id_of(&raw.body),
            };
            return Err(Failure { error, retry_after: raw.retry_after(), repeat_now: false });
        }
        let mut data: Option<TokenData> = None;
        let env = decode_envelope(&raw.body, Slot::Model(&mut data)).map_err(|source| Error::Decode {
            source,
            body: bytes::Bytes::new(),
            request_id: None,
        })?;
        if let Err(refused) = env.judge("getToken", &raw.body) {
            // The vendor's words may echo the secret: scrubbed wherever they are kept.
            let refused = match refused {
                Error::Service { vendor, code, message, operation, request_id } => {
                    Error::Service { vendor, code, message: self.exchange.scrub(message), operation, request_id }
                }
                Error::MalformedStatus { vendor, operation, problem, body, request_id } => {
                    Error::MalformedStatus { vendor, operation, problem, body: self.exchange.scrub(body), request_id }
                }
                other => other,
            };
            return Err(refused.into());
        }
        let data = data.unwrap_or_default();
        let token = data
            .token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::auth("token exchange: the response has no token", None))?;
        if reqwest::header::HeaderValue::from_str(&token).is_err() {
            return Err(Error::auth("token exchange: the token is not a valid header value", None).into());
        }
        Ok(Fresh { token, effective_time: data.effective_time, started })
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
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        ObjectFields {
            slot: match key {
                Some("token") => Some(Slot::Str(&mut self.token)),
                Some("effectiveTime") => Some(Slot::Int(&mut self.effective_time)),
                _ => None,
            },
            extra: &mut self.extra,
            names: &["token", "effectiveTime"],
            call: None,
        }
    }
}

/// How long after its exchange a token of `lifetime` is replaced: `margin` before it expires, but not before
/// half its lifetime has passed (a lifetime shorter than twice the margin leaves no room for the margin) and
/// never sooner than [`MIN_TOKEN_REUSE`] (a lifetime of 0 would mean an exchange per call).
fn refresh_after(lifetime: Duration, margin: Duration) -> Duration {
    lifetime.saturating_sub(margin).max(lifetime / 2).max(MIN_TOKEN_REUSE)
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
    fn lifetime_duration_or_epoch() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(token_lifetime(1_800_000, now), Duration::from_secs(1800));
        assert_eq!(token_lifetime(1_700_000_060_000, now), Duration::from_secs(60));
        assert_eq!(token_lifetime(1_600_000_000_000, now), Duration::ZERO);
        assert_eq!(token_lifetime(-5, now), Duration::ZERO);
    }

    #[test]
    fn refresh_keeps_the_margin_when_it_can_and_never_churns() {
        let s = Duration::from_secs;
        assert_eq!(refresh_after(s(1800), s(60)), s(1740), "the margin before expiry");
        assert_eq!(refresh_after(s(100), s(60)), s(50), "half the lifetime when the margin does not fit");
        assert_eq!(refresh_after(s(30), s(60)), s(15), "below the margin");
        assert_eq!(refresh_after(Duration::ZERO, s(60)), MIN_TOKEN_REUSE, "effectiveTime 0");
        assert_eq!(refresh_after(Duration::from_millis(1), Duration::ZERO), MIN_TOKEN_REUSE);
        assert_eq!(refresh_after(s(5), Duration::ZERO), s(5));
    }
}
