//! The one client core every vendor's client is built on: the transport, the attempt loop (retries, deadline,
//! hooks, outcome-unknown) and what a call keeps of its responses. What differs between vendors is told by three
//! small traits, one per axis:
//!
//! - [`Wire`]: how a request goes out (a signed form, a REST call, an object request with a streamed body);
//! - [`Auth`]: what makes a request the caller's (a signature over the request, a token obtained for the call and
//!   replaced once when refused, a bearer header);
//! - [`Envelope`]: how a response is judged (a status code in the JSON body, an HTTP status with an error body),
//!   which failure codes are transient, where the request id is and what the failure code is called.
//!
//! A vendor module keeps its configuration, its impls of these traits, its [`Service`] naming them, and its
//! constants. Nothing here names a vendor.

#[cfg(test)]
pub(crate) mod example;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::header::HeaderMap;
use tracing::Instrument as _;

use crate::decode::DecodeError;
use crate::hooks::Attempt;
use crate::retry::{self, Failure};
use crate::transport::{self, Decoded, HttpOptions, RawResponse, Transport};
use crate::{CallInfo, Error, RetryPolicy, Vendor};

/// One vendor's client, as the core sees it: its name and its three axes.
pub(crate) trait Service: Send + Sync + 'static {
    /// The vendor errors, traces and hooks name.
    const VENDOR: Vendor;
    /// The vendor's name, as shown in errors, traces and the User-Agent.
    const NAME: &'static str;
    /// The vendor's configuration (shown by the client's `Debug`).
    type Config: fmt::Debug + Send + Sync;
    /// How its requests go out.
    type Wire: Wire;
    /// How its requests are authenticated.
    type Auth: Auth<<Self::Wire as Wire>::Request>;
    /// How its responses are judged.
    type Envelope: Envelope;

    /// The HTTP options in `config`.
    fn http(config: &Self::Config) -> &HttpOptions;
}

/// How a request goes out: what every attempt of a call sends, and one attempt's HTTP request.
pub(crate) trait Wire: Send + Sync + 'static {
    /// A request as every attempt of a call sends it: encoded, checked and signed.
    type Request: Send + Sync;

    /// Whether an attempt can send it again (a streamed body is sent once: its call gets one attempt).
    fn replayable(request: &Self::Request) -> bool {
        let _ = request;
        true
    }

    /// Whether the response's body is the caller's to stream: then only the response head is timed, not the
    /// whole attempt.
    fn streams_response(request: &Self::Request) -> bool {
        let _ = request;
        false
    }

    /// One attempt's HTTP request (without the per-attempt credential: [`Auth::authorize`] adds that).
    fn build(request: &Self::Request, transport: &Transport) -> Result<reqwest::RequestBuilder, Error>;
}

/// How the requests of a wire carrying `R` are made the caller's.
pub(crate) trait Auth<R>: Send + Sync + 'static {
    /// What the attempts of one call authenticate with: a token obtained for the call, or `()` for a signature.
    type Credential: Send + Sync;

    /// Whether the credential is a header a client following a redirect would repeat to the redirect target
    /// (then an application's HTTP client is probed once for that before the first request).
    const IN_HEADER: bool = false;

    /// Signs what every attempt of a call sends alike, once per call, before it is sent.
    fn sign(&self, request: &mut R) -> Result<(), Error> {
        let _ = request;
        Ok(())
    }

    /// The credential of a call that must finish by `until`, obtained before its first attempt (and within its
    /// deadline). A failure here ends the call before anything of it was sent.
    fn credential(
        &self,
        transport: &Transport,
        until: tokio::time::Instant,
    ) -> impl Future<Output = Result<Self::Credential, Error>> + Send;

    /// Whether the signature covers header `name` (lower case) even where a request leaves it out. A call hook
    /// may not add such a header: it runs after signing, and the signature would no longer match.
    fn signs_header(name: &str) -> bool {
        let _ = name;
        false
    }

    /// Puts the credential on one attempt's request.
    fn authorize(&self, credential: &Self::Credential, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let _ = credential;
        request
    }

    /// After the service refused `refused`: a new credential to repeat the attempt with at once (it was not
    /// carried out, and the repeat does not count as a retry), or `None` when there is no other to get. Asked at
    /// most once per call.
    fn replace(
        &self,
        refused: &Self::Credential,
        transport: &Transport,
        until: tokio::time::Instant,
    ) -> impl Future<Output = Result<Option<Self::Credential>, Error>> + Send {
        let _ = (refused, transport, until);
        async { Ok(None) }
    }
}

/// How a response is judged.
pub(crate) trait Envelope: Send + Sync + 'static {
    /// What an operation's generated decoding hands back beside its value, for the envelope to judge (`()` when
    /// the envelope decodes nothing).
    type Status: Send;
    /// What a successful attempt yields besides the decoded value and its [`CallInfo`] (`()` for a response read
    /// whole and decoded).
    type Head: Send;

    /// What the vendor calls its failure code (`RetCode`, `code`).
    const CODE_LABEL: &'static str;

    /// Whether a failure `code` is transient (may succeed when repeated).
    fn is_transient_code(code: i64) -> bool {
        let _ = code;
        false
    }

    /// The server's id of the request a response answers, where the vendor puts it (shown to call hooks).
    fn request_id(headers: &HeaderMap, body: &[u8]) -> Option<String>;

    /// Receives the response to one attempt, whose head arrived: reads what it needs of it (usually
    /// [`Receiving::read_whole`]), decodes it through [`Receiving::decode`] and judges it. `CallInfo::attempts`
    /// and `elapsed` are the core's to fill.
    fn receive(
        &self,
        response: reqwest::Response,
        receiving: Receiving<'_, '_, Self::Status>,
    ) -> impl Future<Output = Result<(Self::Head, CallInfo), Rejected>> + Send;
}

/// Why an attempt failed, as an envelope judged it: the failure, and whether the service refused the credential
/// (a new one may fix that: [`Auth::replace`]).
#[derive(Debug)]
pub(crate) struct Rejected {
    pub(crate) failure: Failure,
    pub(crate) refused_credential: bool,
}

impl From<Failure> for Rejected {
    fn from(failure: Failure) -> Self {
        Rejected { failure, refused_credential: false }
    }
}

impl From<Error> for Rejected {
    fn from(error: Error) -> Self {
        Failure::from(error).into()
    }
}

/// How one call decodes a response body: the operation's generated decoding, its value kept aside by the core.
pub(crate) type DecodeBody<'d, S> = dyn FnMut(&[u8]) -> Result<S, DecodeError> + Send + 'd;

/// What an envelope receiving a response may use: the transport, the options and the hooks' view of the attempt,
/// and the call's decoding.
pub(crate) struct Receiving<'a, 'd, S> {
    pub(crate) transport: &'a Transport,
    pub(crate) http: &'a HttpOptions,
    pub(crate) attempt: &'a Attempt<'a>,
    /// When the request was sent.
    pub(crate) started: std::time::Instant,
    /// Whether the body is the caller's to stream ([`Wire::streams_response`]).
    pub(crate) streams: bool,
    decode: &'a mut DecodeBody<'d, S>,
}

impl<S> Receiving<'_, '_, S> {
    /// The operation called.
    pub(crate) fn operation(&self) -> &str {
        self.attempt.operation
    }

    /// Decodes `body` with the operation's generated decoding, keeping its value for the call, and returns the
    /// status for the envelope to judge.
    pub(crate) fn decode(&mut self, body: &[u8]) -> Result<S, DecodeError> {
        (self.decode)(body)
    }

    /// Reads the whole body (at most the response-size limit) and tells the call hooks of the response: a
    /// redirect is an [`Error::Redirect`], its body unread.
    pub(crate) async fn read_whole(&mut self, response: reqwest::Response) -> Result<RawResponse, Error> {
        self.transport.read_reported(response, self.http, self.attempt, self.started).await
    }

    /// Tells the call hooks of a response whose head arrived (for an envelope that does not read it whole).
    pub(crate) fn report(&self, status: u16, request_id: impl FnOnce() -> Option<String>) {
        self.transport.report_response(self.http, self.attempt, status, request_id, self.started);
    }
}

/// What the attempt loop needs to know of an operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Op {
    /// The name in errors, traces and [`HttpOptions::idempotency_overrides`].
    pub(crate) name: &'static str,
    /// Whether it may be repeated after any transient failure (else only when the request provably did not reach
    /// the service).
    pub(crate) idempotent: bool,
}

/// The facts about a vendor that errors, traces and hooks need, taken from its [`Service`] and [`Envelope`]
/// (`Vendor` looks them up).
#[derive(Debug)]
pub(crate) struct Facts {
    pub(crate) name: &'static str,
    pub(crate) code_label: &'static str,
    pub(crate) is_transient_code: fn(i64) -> bool,
    pub(crate) request_id: fn(&HeaderMap, &[u8]) -> Option<String>,
    pub(crate) signs_header: fn(&str) -> bool,
}

impl Facts {
    pub(crate) const fn of<S: Service>() -> Facts {
        Facts {
            name: S::NAME,
            code_label: <S::Envelope as Envelope>::CODE_LABEL,
            is_transient_code: <S::Envelope as Envelope>::is_transient_code,
            request_id: <S::Envelope as Envelope>::request_id,
            signs_header: <S::Auth as Auth<Request<S>>>::signs_header,
        }
    }
}

/// A vendor's client: its configuration, the transport, and its authentication and envelope. Shared by the
/// clones of a vendor's `Client`.
pub(crate) struct Core<S: Service> {
    pub(crate) config: S::Config,
    pub(crate) transport: Transport,
    pub(crate) auth: S::Auth,
    envelope: S::Envelope,
}

/// A vendor's `Client` shows its configuration (whose secrets are redacted), nothing of the connection pool.
impl<S: Service> fmt::Debug for Core<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("config", &self.config).finish_non_exhaustive()
    }
}

type Request<S> = <<S as Service>::Wire as Wire>::Request;
type Credential<S> = <<S as Service>::Auth as Auth<Request<S>>>::Credential;
type Status<S> = <<S as Service>::Envelope as Envelope>::Status;
type Head<S> = <<S as Service>::Envelope as Envelope>::Head;

impl<S: Service> Core<S> {
    /// Checks the configuration's HTTP options (endpoint, timeouts) and builds the transport.
    pub(crate) fn new(config: S::Config, auth: S::Auth, envelope: S::Envelope) -> Result<Self, Error> {
        let mut transport = Transport::new(S::VENDOR, S::http(&config))?;
        if <S::Auth as Auth<Request<S>>>::IN_HEADER {
            transport.refuse_redirecting_client();
        }
        Ok(Core { config, transport, auth, envelope })
    }

    /// Makes one call of `op`: signs `request`, obtains the credential and sends it until an attempt succeeds or
    /// may not be repeated, per `http`'s retry policy, within its deadline. Each response is decoded with `decode`
    /// (the operation's generated decoding; the last value decoded is returned) and judged by the envelope.
    ///
    /// An operation that may change state is repeated only when the request provably did not reach the service,
    /// and a failure after it may have ends as [`Error::OutcomeUnknown`] (not one before anything was sent, such
    /// as a failed token exchange). A request that cannot be replayed gets one attempt.
    pub(crate) async fn call<T, F>(
        &self,
        op: Op,
        http: &HttpOptions,
        mut request: Request<S>,
        decode: F,
    ) -> Result<(T, Head<S>, CallInfo), Error>
    where
        T: Default + Send,
        F: FnMut(&[u8]) -> Result<(T, Status<S>), DecodeError> + Send,
    {
        let started = std::time::Instant::now();
        let http = match <S::Wire as Wire>::replayable(&request) {
            true => Cow::Borrowed(http),
            false => {
                let mut once = http.clone();
                once.retry = RetryPolicy::disabled();
                Cow::Owned(once)
            }
        };
        let http = &*http;
        self.auth.sign(&mut request)?;
        let span = self.transport.call_span(op.name);
        let mut decoded = Decoded::new(decode);
        let mut decode_body = |body: &[u8]| decoded.body(body);
        let repeat = http.repeat_for(op.name, op.idempotent);
        // A deadline that passes while the credential is obtained, before anything was sent, leaves no doubt.
        let sending = AtomicBool::new(false);
        let request = &request;
        let sending_ref = &sending;
        let decode_body: &mut DecodeBody<'_, Status<S>> = &mut decode_body;
        let result = transport::within_deadline(http, |until| async move {
            let credential = self.auth.credential(&self.transport, until).await?;
            sending_ref.store(true, Ordering::Relaxed);
            let mut attempts = Attempts::<S> {
                core: self,
                http,
                op,
                request,
                credential,
                decode: decode_body,
                until,
                replaced: false,
            };
            retry::run(&http.retry, repeat, until, &mut attempts).await
        })
        .instrument(span)
        .await;
        let (head, info) = result.map_err(|error| match sending.load(Ordering::Relaxed) {
            true => repeat.settle(S::VENDOR, op.name, error),
            false => error,
        })?;
        Ok((decoded.into_value(), head, CallInfo { elapsed: started.elapsed(), ..info }))
    }
}

/// The attempts of one call: the same request, sent until the retry loop is done, with a new credential once if
/// the service refuses the current one.
struct Attempts<'c, 'd, S: Service> {
    core: &'c Core<S>,
    /// The client's options, or this call's.
    http: &'c HttpOptions,
    op: Op,
    request: &'c Request<S>,
    credential: Credential<S>,
    decode: &'c mut DecodeBody<'d, Status<S>>,
    /// The call's deadline, for obtaining a new credential.
    until: tokio::time::Instant,
    replaced: bool,
}

impl<S: Service> retry::Attempts for Attempts<'_, '_, S> {
    type Output = (Head<S>, CallInfo);

    async fn attempt(&mut self, number: u32) -> Result<(Head<S>, CallInfo), Failure> {
        let Core { transport, auth, envelope, .. } = self.core;
        let request = <S::Wire as Wire>::build(self.request, transport)?;
        let request = auth.authorize(&self.credential, request);
        let attempt = Attempt { vendor: S::VENDOR, operation: self.op.name, number };
        let timeout = self.http.timeout;
        let streams = <S::Wire as Wire>::streams_response(self.request);
        // A streamed body may take longer than one timeout: only its head is timed here, then each chunk.
        let (response, started) = match streams {
            true => tokio::time::timeout(timeout, transport.send_head(request, self.http, &attempt))
                .await
                .unwrap_or(Err(Error::Timeout { after: timeout }))?,
            false => transport.send_head(request.timeout(timeout), self.http, &attempt).await?,
        };
        let receiving =
            Receiving { transport, http: self.http, attempt: &attempt, started, streams, decode: &mut *self.decode };
        let Rejected { failure, refused_credential } = match envelope.receive(response, receiving).await {
            Ok((head, info)) => return Ok((head, CallInfo { attempts: number, ..info })),
            Err(rejected) => rejected,
        };
        if refused_credential && !self.replaced {
            self.replaced = true;
            if let Some(fresh) = auth.replace(&self.credential, transport, self.until).await? {
                tracing::debug!("the credential was refused; replaced once");
                self.credential = fresh;
                return Err(Failure { repeat_now: true, ..failure });
            }
        }
        Err(failure)
    }
}

/// What a vendor's configuration reads environment variables with: `get` answers only variables that are set
/// and not blank (empty values count as unset).
pub(crate) type ConfigFromEnv<C> = fn(get: &dyn Fn(&str) -> Option<String>) -> Result<C, Error>;

/// A configuration read by `read` from the process environment.
pub(crate) fn from_env<C>(read: ConfigFromEnv<C>) -> Result<C, Error> {
    read(&|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
}

/// A configuration read by `read` from `vars` instead of the process environment.
pub(crate) fn from_env_map<C>(vars: &HashMap<String, String>, read: ConfigFromEnv<C>) -> Result<C, Error> {
    read(&|k| vars.get(k).filter(|v| !v.trim().is_empty()).cloned())
}
