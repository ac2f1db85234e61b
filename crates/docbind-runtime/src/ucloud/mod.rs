//! The UCloud client: configuration and calls (signed, retried, decoded by the operation's generated code).

pub(crate) mod common_parameters;
mod profile;
pub(crate) mod protocol;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use docbind_redact::Secret;
use reqwest::header::HeaderMap;

use protocol::{Form, FormRequest, FormWire, Operation, ResponseStatus};

use crate::client::{Auth, Core, Envelope, Facts, Op, Receiving, Rejected, Service};
use crate::decode;
use crate::pending::{PendingCall, Response};
use crate::retry::Failure;
use crate::transport::{self, HttpOptions, Transport};
use crate::{CallInfo, CallOptions, Error, Extra, Vendor};

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
        crate::client::from_env(Self::from_lookup)
    }

    /// Like [`Config::from_env`], reading from `vars` instead of the process environment (the default files are
    /// looked for under `vars["HOME"]`, if set).
    pub fn from_env_map(vars: &HashMap<String, String>) -> Result<Self, Error> {
        crate::client::from_env_map(vars, Self::from_lookup)
    }

    /// The configuration from `get`, which answers only variables that are set and not blank.
    fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
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
    inner: Arc<Core<UCloud>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.inner, f)
    }
}

/// An operation's generated `decode_response`: the response, and the envelope's status for the call to judge.
type DecodeResponse<R> = fn(&[u8]) -> Result<(R, ResponseStatus), decode::DecodeError>;

impl Client {
    /// Builds a client; fails on an invalid configuration.
    pub fn new(config: Config) -> Result<Client, Error> {
        if config.public_key.is_empty() || config.private_key.is_empty() {
            return Err(Error::Config("UCloud public and private keys must not be empty".into()));
        }
        let auth = FormSignature {
            public_key: config.public_key.clone(),
            private_key: config.private_key.clone(),
            security_token: config.security_token.clone(),
        };
        Ok(Client { inner: Arc::new(Core::new(config, auth, RetCode)?) })
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
        mut form: Form,
        decode: F,
        options: &CallOptions,
    ) -> Result<(T, CallInfo), Error>
    where
        T: Default + Send,
        F: FnMut(&[u8]) -> Result<(T, ResponseStatus), decode::DecodeError> + Send,
    {
        let http = options.apply(&self.inner.config.http)?;
        form.check()?;
        common_parameters::fill(op, &self.inner.config, &mut form)?;
        form.str("Action", op.action);
        let mut url = self.inner.transport.base_url().clone();
        url.query_pairs_mut().append_pair("Action", op.action);
        let request = FormRequest { url, form, signed: String::new() };
        let op = Op { name: op.action, idempotent: op.idempotent };
        let (value, (), info) = self.inner.call(op, &http, request, decode).await?;
        Ok((value, info))
    }
}

/// UCloud on the client core: the signed form, answered in the `RetCode` envelope.
pub(crate) struct UCloud;

impl Service for UCloud {
    const VENDOR: Vendor = Vendor::UCloud;
    const NAME: &'static str = "UCloud";
    type Config = Config;
    type Wire = FormWire;
    type Auth = FormSignature;
    type Envelope = RetCode;

    fn http(config: &Config) -> &HttpOptions {
        &config.http
    }
}

/// What errors and traces say of UCloud.
pub(crate) static FACTS: Facts = Facts::of::<UCloud>();

/// UCloud's signature: `PublicKey` (and an STS `SecurityToken`) in the form, and the form's `Signature` made with
/// the private key.
pub(crate) struct FormSignature {
    public_key: String,
    private_key: Secret,
    security_token: Option<Secret>,
}

impl Auth<FormRequest> for FormSignature {
    type Credential = ();

    fn sign(&self, request: &mut FormRequest) -> Result<(), Error> {
        let form = &mut request.form;
        form.str("PublicKey", &self.public_key);
        if let Some(token) = &self.security_token {
            form.str("SecurityToken", token.expose());
        }
        form.remove("Signature");
        request.signed = form.signed_body(self.private_key.expose());
        Ok(())
    }

    async fn credential(&self, _: &Transport, _: tokio::time::Instant) -> Result<(), Error> {
        Ok(())
    }
}

/// UCloud's envelope: the HTTP status, then `RetCode` in the JSON body (150, 153 and 2000 up are transient), the
/// request id in [`REQUEST_ID_HEADER`].
pub(crate) struct RetCode;

impl Envelope for RetCode {
    type Status = ResponseStatus;
    type Head = ();

    const CODE_LABEL: &'static str = "RetCode";

    /// 150 (service unavailable), 153 (busy) and the internal errors (2000 and up).
    fn is_transient_code(code: i64) -> bool {
        matches!(code, 150 | 153) || code >= 2000
    }

    fn request_id(headers: &HeaderMap, _: &[u8]) -> Option<String> {
        headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    async fn receive(
        &self,
        response: reqwest::Response,
        mut receiving: Receiving<'_, '_, ResponseStatus>,
    ) -> Result<((), CallInfo), Rejected> {
        let raw = receiving.read_whole(response).await?;
        let request_id = raw.header(REQUEST_ID_HEADER);
        if let Some(id) = &request_id {
            transport::record_request_id(id);
        }
        let retry_after = raw.retry_after();
        let result = if raw.status >= 400 {
            Err(Error::status_error(raw.status, &raw.body, request_id))
        } else {
            match receiving.decode(&raw.body) {
                Ok(env) => env.judge(receiving.operation(), &raw.body, request_id.as_deref()).map(|()| CallInfo {
                    request_id,
                    attempts: 0,
                    status: raw.status,
                    extra: Extra::new(),
                    elapsed: std::time::Duration::ZERO,
                }),
                Err(source) => Err(Error::Decode { source, body: raw.body, request_id }),
            }
        };
        result.map(|info| ((), info)).map_err(|error| Failure { error, retry_after, repeat_now: false }.into())
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
