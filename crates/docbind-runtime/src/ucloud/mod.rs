//! The UCloud client: configuration and calls (signed, retried, decoded by the operation's generated code).

pub(crate) mod common_parameters;
mod profile;
pub(crate) mod protocol;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use docbind_redact::Secret;
use tracing::Instrument as _;

use protocol::{Form, Operation, ResponseStatus};

use crate::decode;
use crate::pending::{PendingCall, Response};
use crate::redact;
use crate::retry::{self, Failure, Repeat};
use crate::transport::{self, Decoded, HttpOptions, Transport};
use crate::{CallInfo, CallOptions, Error, Extra, Vendor};

const VENDOR: Vendor = Vendor::UCloud;

/// The default API endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.ucloud.cn";

/// The response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "X-UCLOUD-REQUEST-UUID";

/// Client configuration.
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// The API public key (sent as `PublicKey`).
    pub public_key: String,
    /// The API private key (only used to sign; a [`Secret`], redacted in `Debug`).
    pub private_key: Secret,
    /// Default `ProjectId` for operations that declare it.
    pub project_id: Option<String>,
    /// Default `Region` for operations that declare it.
    pub region: Option<String>,
    /// Default `Zone` for operations that declare it.
    pub zone: Option<String>,
    /// The security token of temporary (STS) credentials, sent as `SecurityToken` and signed with the other
    /// parameters (a [`Secret`], redacted in `Debug`).
    pub security_token: Option<Secret>,
    /// Endpoint (default [`DEFAULT_BASE_URL`]), timeout, retries and the other options every client has.
    pub http: HttpOptions,
}

impl Config {
    /// A configuration with the given key pair and defaults for everything else.
    pub fn new(public_key: impl Into<String>, private_key: impl Into<Secret>) -> Self {
        Config {
            public_key: public_key.into(),
            private_key: private_key.into(),
            project_id: None,
            region: None,
            zone: None,
            security_token: None,
            http: HttpOptions::new(DEFAULT_BASE_URL),
        }
    }

    /// Reads the environment and UCloud's shared configuration files, as ucloud-sdk-go and the UCloud CLI do.
    ///
    /// - Environment: `UCLOUD_PUBLIC_KEY`, `UCLOUD_PRIVATE_KEY`, `UCLOUD_SECURITY_TOKEN`, `UCLOUD_PROJECT_ID`,
    ///   `UCLOUD_REGION`, `UCLOUD_ZONE`, `UCLOUD_API_BASE_URL` and `UCLOUD_TIMEOUT_SECOND` (integer seconds).
    ///   Empty values count as unset.
    /// - Files: `~/.ucloud/config.json` (an array of `{profile, active, project_id, region, zone, base_url,
    ///   timeout_sec}`) and `~/.ucloud/credential.json` (an array of `{profile, public_key, private_key}`, and
    ///   optionally docbind's `security_token`), or the files `UCLOUD_SHARED_CONFIG_FILE` and
    ///   `UCLOUD_SHARED_CREDENTIAL_FILE` name. The profile is `UCLOUD_PROFILE`, else the `active` one of
    ///   config.json, else `default`.
    ///
    /// An environment variable wins over the profile (and a `with_*` setter called afterwards over both). The
    /// keys are required from one or the other. A missing default file is not an error; a named file that is
    /// missing, a malformed file, or a `UCLOUD_PROFILE` neither file has, is one, naming the file.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`Config::from_env`], reading from `vars` instead of the process environment (the default files are
    /// looked for under `vars["HOME"]`, if set).
    pub fn from_env_map(vars: &HashMap<String, String>) -> Result<Self, Error> {
        Self::from_lookup(|k| vars.get(k).cloned())
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let home = get("HOME").or_else(|| get("USERPROFILE")).map(std::path::PathBuf::from);
        let profile = profile::load(&get, home.as_deref())?;
        let require = |k: &str, from_profile: Option<String>, field: &str| {
            get(k).or(from_profile).ok_or_else(|| {
                let file = profile
                    .credential_file
                    .as_ref()
                    .map_or_else(|| "no credential file".to_owned(), |p| p.display().to_string());
                Error::Config(format!(
                    "environment variable {k} is not set, nor {field} in the profile {:?} ({file})",
                    profile.name
                ))
            })
        };
        let public_key = require("UCLOUD_PUBLIC_KEY", profile.public_key.clone(), "public_key")?;
        let private_key = require("UCLOUD_PRIVATE_KEY", profile.private_key.clone(), "private_key")?;
        let mut cfg = Config::new(public_key, private_key);
        cfg.security_token = get("UCLOUD_SECURITY_TOKEN").or(profile.security_token).map(Secret::from);
        cfg.project_id = get("UCLOUD_PROJECT_ID").or(profile.project_id);
        cfg.region = get("UCLOUD_REGION").or(profile.region);
        cfg.zone = get("UCLOUD_ZONE").or(profile.zone);
        if let Some(url) = get("UCLOUD_API_BASE_URL").or(profile.base_url) {
            cfg.http.base_url = url;
        }
        if let Some(timeout) = profile.timeout {
            cfg.http.timeout = timeout;
        }
        if let Some(t) = get("UCLOUD_TIMEOUT_SECOND") {
            let secs: u64 = t.trim().parse().map_err(|_| {
                Error::Config(format!("UCLOUD_TIMEOUT_SECOND must be an integer number of seconds, got {t:?}"))
            })?;
            cfg.http.timeout = Duration::from_secs(secs);
        }
        Ok(cfg)
    }

    /// Sets the security token of temporary (STS) credentials.
    #[must_use]
    pub fn with_security_token(mut self, v: impl Into<Secret>) -> Self {
        self.security_token = Some(v.into());
        self
    }

    /// Sets the default project.
    #[must_use]
    pub fn with_project_id(mut self, v: impl Into<String>) -> Self {
        self.project_id = Some(v.into());
        self
    }

    /// Sets the default region.
    #[must_use]
    pub fn with_region(mut self, v: impl Into<String>) -> Self {
        self.region = Some(v.into());
        self
    }

    /// Sets the default zone.
    #[must_use]
    pub fn with_zone(mut self, v: impl Into<String>) -> Self {
        self.zone = Some(v.into());
        self
    }

    transport::http_option_setters!();
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("public_key", &self.public_key)
            .field("private_key", &self.private_key)
            .field("project_id", &self.project_id)
            .field("region", &self.region)
            .field("zone", &self.zone)
            .field("security_token", &self.security_token)
            .field("http", &self.http)
            .finish()
    }
}

/// A UCloud API client. Cheap to clone (shared connection pool and configuration).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    transport: Transport,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

/// How the call decodes a response body: a generated `decode_response`, with the decoded value kept aside.
type DecodeBody<'a> = dyn FnMut(&[u8]) -> Result<ResponseStatus, decode::DecodeError> + Send + 'a;

/// An operation's generated `decode_response`: the response, and the envelope's status for the call to judge.
type DecodeResponse<R> = fn(&[u8]) -> Result<(R, ResponseStatus), decode::DecodeError>;

impl Client {
    /// Builds a client; fails on an invalid configuration.
    pub fn new(config: Config) -> Result<Client, Error> {
        if config.public_key.is_empty() || config.private_key.is_empty() {
            return Err(Error::Config("UCloud public and private keys must not be empty".into()));
        }
        let transport = Transport::new(VENDOR, &config.http)?;
        Ok(Client { inner: Arc::new(Inner { config, transport }) })
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Calls `op` with the parameters in `form`, decoding each response with `decode` (the operation's generated
    /// `decode_response`) and returning the last one decoded.
    ///
    /// Fills `ProjectId`/`Region`/`Zone` from the configuration when the operation declares
    /// them and `form` lacks them (failing before sending when a required one is set by neither), adds `Action`, `PublicKey` and `Signature`, and retries per
    /// [`HttpOptions::retry`] within [`HttpOptions::deadline`]: an idempotent (read-only) operation after any
    /// retryable failure, another only when the request did not reach the service, failing with
    /// [`Error::OutcomeUnknown`] when it may have. A `RetCode` other than 0 is an [`Error::Service`].
    #[doc(hidden)] // The runtime's tests call it; generated code goes through `pending`.
    pub async fn call<T, F>(&self, op: &'static Operation, form: Form, decode: F) -> Result<(T, CallInfo), Error>
    where
        T: Default + Send,
        F: FnMut(&[u8]) -> Result<(T, ResponseStatus), decode::DecodeError> + Send,
    {
        self.call_with(op, form, decode, &CallOptions::new()).await
    }

    /// The call of `op` a generated operation method returns: made, with its options, when awaited; the response
    /// it returns carries the call's [`CallInfo`]. It borrows neither the client nor the request: it is `'static`.
    #[doc(hidden)] // Called by generated code, with the operation's `decode_response`.
    pub fn pending<R>(&self, op: &'static Operation, form: Form, decode: DecodeResponse<R>) -> PendingCall<R>
    where
        R: Response + Default + 'static,
    {
        // A share of the client, so the call owns what it needs and can be spawned.
        let client = self.clone();
        PendingCall::new(op.action, move |options| async move { client.call_with(op, form, decode, &options).await })
    }

    /// Like [`Client::call`], with `options` overriding the client's [`HttpOptions`] for this call.
    #[doc(hidden)] // Called through `pending` (generated code) and by the runtime's tests.
    pub async fn call_with<T, F>(
        &self,
        op: &'static Operation,
        form: Form,
        decode: F,
        options: &CallOptions,
    ) -> Result<(T, CallInfo), Error>
    where
        T: Default + Send,
        F: FnMut(&[u8]) -> Result<(T, ResponseStatus), decode::DecodeError> + Send,
    {
        let started = std::time::Instant::now();
        let http = options.apply(&self.inner.config.http)?;
        let span = self.inner.transport.call_span(op.action);
        let mut decoded = Decoded::new(decode);
        let mut decode_body = |body: &[u8]| decoded.body(body);
        let repeat = http.repeat_for(op.action, op.idempotent);
        let info = transport::within_deadline(&http, |until| {
            self.call_inner(op, form, &http, repeat, until, &mut decode_body)
        })
        .instrument(span)
        .await
        .map_err(|error| repeat.settle(VENDOR, op.action, error))?;
        let info = CallInfo { elapsed: started.elapsed(), ..info };
        Ok((decoded.into_value(), info))
    }

    async fn call_inner(
        &self,
        op: &'static Operation,
        mut form: Form,
        http: &HttpOptions,
        repeat: Repeat,
        until: tokio::time::Instant,
        decode: &mut DecodeBody<'_>,
    ) -> Result<CallInfo, Error> {
        form.check()?;
        let cfg = &self.inner.config;
        common_parameters::fill(op, cfg, &mut form)?;
        form.str("Action", op.action);
        form.str("PublicKey", &cfg.public_key);
        if let Some(token) = &cfg.security_token {
            form.str("SecurityToken", token.expose());
        }
        form.remove("Signature");

        let mut url = self.inner.transport.base_url().clone();
        url.query_pairs_mut().append_pair("Action", op.action);
        let mut attempts = Attempts { client: self, http, op, url, form, decode };
        retry::run(&http.retry, repeat, until, &mut attempts).await
    }
}

/// The attempts of one call: the same signed form, sent until the retry loop is done.
struct Attempts<'c, 'd> {
    client: &'c Client,
    /// The client's options, or this call's.
    http: &'c HttpOptions,
    op: &'static Operation,
    url: reqwest::Url,
    form: Form,
    decode: &'c mut DecodeBody<'d>,
}

impl retry::Attempts for Attempts<'_, '_> {
    type Output = CallInfo;

    async fn attempt(&mut self, number: u32) -> Result<CallInfo, Failure> {
        let Inner { config, transport } = &*self.client.inner;
        // Re-signed on every attempt (the form is identical, but signing is cheap and keeps
        // the door open for time-dependent parameters).
        let body = self.form.signed_body(config.private_key.expose());
        tracing::debug!(params = ?redact::Bounded(&self.form), "sending request");

        let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let request = transport
            .request(reqwest::Method::POST, self.url.clone(), Some(body))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("U-Timestamp-Ms", millis.to_string());
        let raw = transport.send(request, self.http, self.op.action, number).await?;
        let request_id = raw.header(REQUEST_ID_HEADER);
        if let Some(id) = &request_id {
            transport::record_request_id(id);
        }
        let retry_after = raw.retry_after();
        let result = if raw.status >= 400 {
            Err(Error::status_error(raw.status, &raw.body, request_id))
        } else {
            match (self.decode)(&raw.body) {
                Ok(env) => env.judge(self.op.action, &raw.body, request_id.as_deref()).map(|()| CallInfo {
                    request_id,
                    attempts: number,
                    status: raw.status,
                    extra: Extra::new(),
                    elapsed: std::time::Duration::ZERO,
                }),
                Err(source) => Err(Error::Decode { source, body: raw.body, request_id }),
            }
        };
        result.map_err(|error| Failure { error, retry_after, repeat_now: false })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_private_key() {
        let cfg = Config::new("pub", "very-secret-key");
        let s = format!("{cfg:?}");
        assert!(!s.contains("very-secret-key"), "{s}");
        let client = Client::new(cfg).unwrap();
        assert!(!format!("{client:?}").contains("very-secret-key"));
    }

    #[test]
    fn config_from_env_map() {
        let mut vars = HashMap::new();
        assert!(matches!(
            Config::from_env_map(&vars),
            Err(Error::Config(m)) if m.contains("UCLOUD_PUBLIC_KEY")
        ));
        vars.insert("UCLOUD_PUBLIC_KEY".to_owned(), "p".to_owned());
        vars.insert("UCLOUD_PRIVATE_KEY".to_owned(), "s".to_owned());
        vars.insert("UCLOUD_PROJECT_ID".to_owned(), "org-1".to_owned());
        vars.insert("UCLOUD_REGION".to_owned(), "cn-bj2".to_owned());
        vars.insert("UCLOUD_ZONE".to_owned(), "".to_owned());
        vars.insert("UCLOUD_API_BASE_URL".to_owned(), "http://api.service.ucloud.cn".to_owned());
        vars.insert("UCLOUD_TIMEOUT_SECOND".to_owned(), "15".to_owned());
        let cfg = Config::from_env_map(&vars).unwrap();
        assert_eq!(cfg.public_key, "p");
        assert_eq!(cfg.project_id.as_deref(), Some("org-1"));
        assert_eq!(cfg.region.as_deref(), Some("cn-bj2"));
        assert_eq!(cfg.zone, None);
        assert_eq!(cfg.http.base_url, "http://api.service.ucloud.cn");
        assert_eq!(cfg.http.timeout, Duration::from_secs(15));
        vars.insert("UCLOUD_TIMEOUT_SECOND".to_owned(), "1.5s".to_owned());
        let err = Config::from_env_map(&vars).unwrap_err();
        assert!(err.to_string().contains("UCLOUD_TIMEOUT_SECOND"), "{err}");
    }

    #[test]
    fn invalid_config_rejected() {
        assert!(Client::new(Config::new("", "x")).is_err());
        assert!(Client::new(Config::new("p", "x").with_base_url("not a url")).is_err());
        assert!(Client::new(Config::new("p", "x").with_base_url("ftp://x")).is_err());
        assert!(Client::new(Config::new("p", "x").with_timeout(Duration::ZERO)).is_err());
    }
}
