//! The UFile (US3 object storage) client: REST calls signed in the `Authorization` header, with streamed bodies
//! both ways, retried and judged like the other vendors' calls (`shared/reference/ufile-protocol.md`).
//!
//! A client is bound to one bucket: its host is `<bucket>.<region>.ufileos.com`, or a configured endpoint (a full
//! base URL used as is, e.g. a custom domain or a local stand-in), and the bucket still names the signed resource.

mod body;
pub(crate) mod generated;
pub mod multipart;
pub mod sign;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use docbind_redact::REDACTED;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

pub use body::{ByteStream, UploadBody};
pub use generated::Downloaded;

use crate::client::{Auth, Core, Envelope, Facts, Op, Receiving, Rejected, Service, Wire};
use crate::retry::Failure;
use crate::transport::{self, HttpOptions, RawResponse, Transport};
use crate::{CallInfo, CallOptions, Error, Extra, Vendor};

/// The response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "X-SessionId";

/// The request id a response carries in [`REQUEST_ID_HEADER`], if any (an empty one is none).
pub(crate) fn request_id_of(headers: &HeaderMap) -> Option<String> {
    headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The public host's suffix: `<bucket>.<region>.ufileos.com`.
pub const PUBLIC_HOST_SUFFIX: &str = "ufileos.com";

/// The most of an error body read (the service's is a short JSON object).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Client configuration: keys, bucket and endpoint.
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// The public key (or a bucket token's), sent in `Authorization`.
    pub public_key: String,
    /// The private key: only signs (redacted in `Debug`).
    pub private_key: String,
    /// The bucket every call addresses (also in the signed resource when an endpoint is configured).
    pub bucket: String,
    /// The endpoint (`https://<bucket>.<region>.ufileos.com`, or the one configured with `with_base_url`),
    /// timeout, retries and the other options every client has.
    pub http: HttpOptions,
}

impl Config {
    /// A configuration for `bucket` in `region` (`cn-bj`, …): the endpoint is `https://<bucket>.<region>.ufileos.com`.
    pub fn new(
        public_key: impl Into<String>,
        private_key: impl Into<String>,
        bucket: impl Into<String>,
        region: &str,
    ) -> Self {
        let bucket = bucket.into();
        let http = HttpOptions::new(format!("https://{bucket}.{region}.{PUBLIC_HOST_SUFFIX}"));
        Config { public_key: public_key.into(), private_key: private_key.into(), bucket, http }
    }

    /// Reads `UCLOUD_PUBLIC_KEY`, `UCLOUD_PRIVATE_KEY`, `UFILE_BUCKET`, and `UFILE_ENDPOINT` (a full base URL used
    /// as is) or else `UFILE_REGION` (the public host). Empty values count as unset.
    pub fn from_env() -> Result<Self, Error> {
        crate::client::from_env(Self::from_lookup)
    }

    /// Like [`Config::from_env`], reading from `vars` instead of the process environment.
    pub fn from_env_map(vars: &HashMap<String, String>) -> Result<Self, Error> {
        crate::client::from_env_map(vars, Self::from_lookup)
    }

    /// The configuration from `get`, which answers only variables that are set and not blank.
    fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let require = |k: &str| get(k).ok_or_else(|| Error::Config(format!("environment variable {k} is not set")));
        let (public_key, private_key, bucket) =
            (require("UCLOUD_PUBLIC_KEY")?, require("UCLOUD_PRIVATE_KEY")?, require("UFILE_BUCKET")?);
        match get("UFILE_ENDPOINT") {
            Some(endpoint) => Ok(Config::new(public_key, private_key, bucket, "").with_base_url(endpoint)),
            None => {
                let region = get("UFILE_REGION").ok_or_else(|| {
                    Error::Config("set UFILE_ENDPOINT (a base URL) or UFILE_REGION (cn-bj, …)".into())
                })?;
                Ok(Config::new(public_key, private_key, bucket, &region))
            }
        }
    }

    transport::http_option_setters!();
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("public_key", &self.public_key)
            .field("private_key", &REDACTED)
            .field("bucket", &self.bucket)
            .field("http", &self.http)
            .finish()
    }
}

/// What the retry loop needs to know of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The operation's name (`PutFile`), for errors, traces and [`HttpOptions::idempotency_overrides`].
    pub name: &'static str,
    /// Whether it may be repeated after any transient failure: GET and HEAD, and a PUT of a whole object (its
    /// content makes it idempotent). Others (a multipart finish, a copy, a delete) are repeated only when the
    /// request provably did not reach the service.
    pub idempotent: bool,
}

/// One REST request: method, object key (or none, for bucket-level calls), query, headers and body.
#[derive(Debug)]
pub struct Request {
    method: reqwest::Method,
    key: Option<String>,
    query: Vec<(String, Option<String>)>,
    headers: Vec<(String, String)>,
    /// Headers sent and also signed (UploadPartCopy's copy source, in the Java SDK's form).
    signed_headers: Vec<(String, String)>,
    body: UploadBody,
    content_md5: Md5,
}

#[derive(Debug)]
enum Md5 {
    None,
    Given(String),
    Computed,
}

impl Request {
    /// A request for the object `key`, or for the bucket itself (`None`: the path is `/`, the signed key `""`).
    pub fn new(method: reqwest::Method, key: Option<&str>) -> Request {
        Request {
            method,
            key: key.map(str::to_owned),
            query: Vec::new(),
            headers: Vec::new(),
            signed_headers: Vec::new(),
            body: UploadBody::empty(),
            content_md5: Md5::None,
        }
    }

    /// Adds the query parameter `name=value`, encoded (never signed).
    pub fn query(&mut self, name: &str, value: impl Into<String>) -> &mut Request {
        self.query.push((name.to_owned(), Some(value.into())));
        self
    }

    /// Adds the bare query flag `name` (`?uploads`, `?restore`).
    pub fn flag(&mut self, name: &str) -> &mut Request {
        self.query.push((name.to_owned(), None));
        self
    }

    /// Adds a header (a value with a line break is an [`Error::InvalidRequest`] when sent). `Content-Type` is
    /// signed; others are not.
    pub fn header(&mut self, name: &str, value: impl Into<String>) -> &mut Request {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Adds a header that is also signed (canonical `name:value\n` before the resource).
    pub fn signed_header(&mut self, name: &str, value: impl Into<String>) -> &mut Request {
        self.signed_headers.push((name.to_owned(), value.into()));
        self
    }

    /// Sets the body (default: empty, sent with `Content-Length: 0`).
    pub fn body(&mut self, body: UploadBody) -> &mut Request {
        self.body = body;
        self
    }

    /// Sends `Content-MD5: <hex>` (lowercase hex MD5 of the body), signed.
    pub fn content_md5(&mut self, hex: impl Into<String>) -> &mut Request {
        self.content_md5 = Md5::Given(hex.into());
        self
    }

    /// Computes the body's MD5 before sending and sends it as `Content-MD5` (a file is read once more; a stream
    /// cannot be: [`Error::InvalidRequest`]).
    pub fn compute_md5(&mut self) -> &mut Request {
        self.content_md5 = Md5::Computed;
        self
    }

    /// The request's header `name` (any case), if set.
    fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A response read whole (everything but downloads): status, headers and the body (JSON, when there is one).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Reply {
    /// The HTTP status (2xx, or 304 Not Modified).
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, at most the response-size limit.
    pub body: Bytes,
    /// The call's request id, attempts and duration.
    pub info: CallInfo,
}

/// A download: status and headers, and the body as a stream (no size limit; memory stays bounded).
#[derive(Debug)]
#[non_exhaustive]
pub struct Download {
    /// The HTTP status (200, 206 for a range, 304 Not Modified).
    pub status: u16,
    /// The response headers (`Content-Length`, `Content-Range`, `ETag`, `X-Ufile-Meta-*`, …).
    pub headers: HeaderMap,
    /// The body, as it arrives.
    pub body: ByteStream,
    /// The call's request id, attempts and duration (up to the response head).
    pub info: CallInfo,
}

/// A UFile client for one bucket. Cheap to clone (shared connection pool and configuration).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Core<UFile>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.inner, f)
    }
}

impl Client {
    /// Builds a client; fails on an invalid configuration (empty keys, a bucket that is not a host label, an
    /// invalid endpoint).
    pub fn new(config: Config) -> Result<Client, Error> {
        if config.public_key.is_empty() || config.private_key.is_empty() {
            return Err(Error::Config("UFile public and private keys must not be empty".into()));
        }
        let label =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !label(&config.bucket) {
            return Err(Error::Config(format!(
                "bucket {:?} must be lower-case letters, digits and '-'",
                config.bucket
            )));
        }
        let auth = HeaderSignature {
            public_key: config.public_key.clone(),
            private_key: config.private_key.clone(),
            bucket: config.bucket.clone(),
        };
        Ok(Client { inner: Arc::new(Core::new(config, auth, HttpStatus)?) })
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends `request` and reads the whole response (bounded by the response-size limit). Retries per
    /// [`HttpOptions::retry`] within [`HttpOptions::deadline`]: an idempotent operation after any retryable
    /// failure, another only when the request did not reach the service, failing with [`Error::OutcomeUnknown`]
    /// when it may have. A 4xx with `{RetCode, ErrMsg}` is an [`Error::Service`]; other failures an
    /// [`Error::Status`]. A body that is a stream is sent once.
    pub async fn call(&self, op: Operation, request: Request, options: &CallOptions) -> Result<Reply, Error> {
        let (head, info) = self.send(op, request, options, false).await?;
        let Head::Read(raw) = head else { unreachable!("a call reads its body") };
        Ok(Reply { status: raw.status, headers: raw.headers, body: raw.body, info })
    }

    /// Sends `request` and returns the response once its head arrived, its body as a [`ByteStream`]. Retries
    /// (GET) only up to the response head; the body's chunks must each arrive within the timeout.
    pub async fn download(&self, op: Operation, request: Request, options: &CallOptions) -> Result<Download, Error> {
        let (head, info) = self.send(op, request, options, true).await?;
        let Head::Streaming(response, idle) = head else { unreachable!("a download streams its body") };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        Ok(Download { status, headers, body: ByteStream::new(response, idle), info })
    }

    /// A pre-signed URL that downloads `key` until `expires` (absolute): `UCloudPublicKey`, `Signature` and
    /// `Expires` in the query. Whoever holds it can read the object until then.
    pub fn presigned_get_url(&self, key: &str, expires: SystemTime) -> Result<String, Error> {
        let expires = expires
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::InvalidRequest("a pre-signed URL cannot expire before 1970".into()))?
            .as_secs()
            .to_string();
        let cfg = &self.inner.config;
        let signature = sign::StringToSign {
            method: "GET",
            content_md5: "",
            content_type: "",
            date: &expires,
            canonical_headers: "",
            bucket: &cfg.bucket,
            key,
        }
        .sign(&cfg.private_key);
        let mut url = object_url(self.inner.transport.base_url(), Some(key));
        for (i, (name, value)) in
            [("UCloudPublicKey", cfg.public_key.as_str()), ("Signature", &signature), ("Expires", &expires)]
                .into_iter()
                .enumerate()
        {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(name);
            url.push('=');
            transport::percent_encode(value, false, &mut url);
        }
        Ok(url)
    }

    async fn send(
        &self,
        op: Operation,
        request: Request,
        options: &CallOptions,
        stream_body: bool,
    ) -> Result<(Head, CallInfo), Error> {
        let http = options.apply(&self.inner.config.http)?;
        let prepared = self.prepare(request, stream_body).await?;
        let op = Op { name: op.name, idempotent: op.idempotent };
        let nothing_to_decode = |_: &[u8]| Ok(((), ()));
        let ((), head, info) = self.inner.call(op, &http, prepared, nothing_to_decode).await?;
        Ok((head, info))
    }

    /// Checks the request and works out what every attempt sends alike: URL, headers and what the signature
    /// covers ([`HeaderSignature`] signs it).
    async fn prepare(&self, request: Request, stream_body: bool) -> Result<Prepared, Error> {
        let mut headers = HeaderMap::new();
        let mut insert = |name: &str, value: &str| -> Result<(), Error> {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidRequest(format!("{name:?} is not a header name")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::InvalidRequest(format!("header {name} has a value that cannot be sent")))?;
            headers.append(header, value);
            Ok(())
        };
        for (name, value) in request.headers.iter().chain(&request.signed_headers) {
            insert(name, value)?;
        }
        let md5 = match &request.content_md5 {
            // Given as a plain header (a generated request's `Content-MD5` field): signed as sent.
            Md5::None => request.header_value("Content-MD5").map(str::to_owned),
            Md5::Given(hex) => Some(hex.clone()),
            Md5::Computed => Some(request.body.md5_hex().await?.ok_or_else(|| {
                Error::InvalidRequest("the MD5 of a streamed body cannot be computed before it is sent".into())
            })?),
        };
        if let (Some(md5), false) = (&md5, matches!(request.content_md5, Md5::None)) {
            insert("Content-MD5", md5)?;
        }
        insert("Content-Length", &request.body.len().to_string())?;
        let signed = Signed {
            method: request.method.as_str().to_ascii_uppercase(),
            content_md5: md5.unwrap_or_default(),
            content_type: request.header_value("Content-Type").unwrap_or_default().to_owned(),
            date: request.header_value("Date").unwrap_or_default().to_owned(),
            canonical_headers: sign::canonical_headers(
                request.signed_headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            ),
            key: request.key.clone().unwrap_or_default(),
        };
        let mut url = object_url(self.inner.transport.base_url(), request.key.as_deref());
        for (i, (name, value)) in request.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            transport::percent_encode(name, false, &mut url);
            if let Some(value) = value {
                url.push('=');
                transport::percent_encode(value, false, &mut url);
            }
        }
        let url = reqwest::Url::parse(&url).map_err(|e| Error::InvalidRequest(format!("invalid URL: {e}")))?;
        Ok(Prepared { method: request.method, url, headers, body: request.body, signed, stream_body })
    }
}

/// The endpoint's URL with the key's path: each `/`-separated segment percent-encoded (RFC 3986 unreserved
/// characters kept), `/` kept; `/` alone for the bucket.
fn object_url(base: &reqwest::Url, key: Option<&str>) -> String {
    let mut url = base.as_str().split(['?', '#']).next().unwrap_or_default().trim_end_matches('/').to_owned();
    url.push('/');
    for (i, segment) in key.unwrap_or_default().split('/').enumerate() {
        if i > 0 {
            url.push('/');
        }
        transport::percent_encode(segment, false, &mut url);
    }
    url
}

/// A request as every attempt sends it.
#[derive(Debug)]
pub(crate) struct Prepared {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: HeaderMap,
    body: UploadBody,
    /// What the signature covers besides the bucket.
    signed: Signed,
    /// Whether the response's body is the caller's to stream (a download).
    stream_body: bool,
}

/// The parts of a request its signature covers (the string to sign, less the bucket).
#[derive(Debug)]
struct Signed {
    method: String,
    content_md5: String,
    content_type: String,
    date: String,
    canonical_headers: String,
    key: String,
}

/// What a successful attempt yields: the whole response, or its head with the body still to stream.
pub(crate) enum Head {
    Read(RawResponse),
    Streaming(reqwest::Response, std::time::Duration),
}

/// UFile on the client core: object requests with streamed bodies, signed in the `Authorization` header, judged
/// by their HTTP status.
pub(crate) struct UFile;

impl Service for UFile {
    const VENDOR: Vendor = Vendor::UFile;
    const NAME: &'static str = "UFile";
    type Config = Config;
    type Wire = ObjectWire;
    type Auth = HeaderSignature;
    type Envelope = HttpStatus;

    fn http(config: &Config) -> &HttpOptions {
        &config.http
    }
}

/// What errors and traces say of UFile.
pub(crate) static FACTS: Facts = Facts::of::<UFile>();

/// UFile's wire: a request for an object or the bucket, its body streamed (a stream is sent once).
pub(crate) struct ObjectWire;

impl Wire for ObjectWire {
    type Request = Prepared;

    fn replayable(request: &Prepared) -> bool {
        request.body.is_replayable()
    }

    fn streams_response(request: &Prepared) -> bool {
        request.stream_body
    }

    fn build(request: &Prepared, transport: &Transport) -> Result<reqwest::RequestBuilder, Error> {
        let Prepared { method, url, headers, body, .. } = request;
        let body = body.for_attempt().ok_or_else(|| {
            Error::InvalidRequest("the body stream was taken by an earlier attempt and cannot be sent again".into())
        })?;
        tracing::debug!(method = %method, path = url.path(), "sending request");
        Ok(transport.request_with_body(method.clone(), url.clone(), body).headers(headers.clone()))
    }
}

/// UFile's signature: `Authorization: UCloud <public key>:<signature>`, an HMAC-SHA1 of the request's method,
/// MD5, type, date, signed headers and resource with the private key (`sign.rs`).
pub(crate) struct HeaderSignature {
    public_key: String,
    private_key: String,
    bucket: String,
}

impl Auth<Prepared> for HeaderSignature {
    type Credential = ();

    /// The string to sign holds Content-MD5, Content-Type and Date, empty when absent; the service's docs sign
    /// every `X-UCloud-*` header too, and UploadPartCopy signs its copy source.
    fn signs_header(name: &str) -> bool {
        matches!(name, "content-md5" | "content-type" | "date" | "x-ufile-copy-source" | "x-ufile-copy-source-range")
            || name.starts_with("x-ucloud-")
    }

    fn sign(&self, request: &mut Prepared) -> Result<(), Error> {
        let Signed { method, content_md5, content_type, date, canonical_headers, key } = &request.signed;
        let signature = sign::StringToSign {
            method,
            content_md5,
            content_type,
            date,
            canonical_headers,
            bucket: &self.bucket,
            key,
        }
        .sign(&self.private_key);
        let mut value = HeaderValue::from_str(&sign::authorization(&self.public_key, &signature))
            .map_err(|_| Error::InvalidRequest("header Authorization has a value that cannot be sent".into()))?;
        value.set_sensitive(true);
        request.headers.append(reqwest::header::AUTHORIZATION, value);
        Ok(())
    }

    async fn credential(&self, _: &Transport, _: tokio::time::Instant) -> Result<(), Error> {
        Ok(())
    }
}

/// UFile's envelope: the HTTP status (a 2xx, or 304 Not Modified, succeeds), a failure's body `{RetCode, ErrMsg}`,
/// the request id in [`REQUEST_ID_HEADER`]. Its transient failures are HTTP statuses, not codes.
pub(crate) struct HttpStatus;

impl Envelope for HttpStatus {
    type Status = ();
    type Head = Head;

    const CODE_LABEL: &'static str = "RetCode";

    fn request_id(headers: &HeaderMap, _: &[u8]) -> Option<String> {
        request_id_of(headers)
    }

    async fn receive(
        &self,
        response: reqwest::Response,
        receiving: Receiving<'_, '_, ()>,
    ) -> Result<(Head, CallInfo), Rejected> {
        let http = receiving.http;
        let status = response.status().as_u16();
        let request_id = request_id_of(response.headers());
        if let Some(id) = &request_id {
            transport::record_request_id(id);
        }
        // Hooks hear of a response once its head arrived: a download's body is the caller's to stream.
        receiving.report(status, || request_id.clone());
        if response.status().is_redirection() && status != 304 {
            return Err(transport::redirect(status, response.headers()).into());
        }
        let info = CallInfo { request_id: request_id.clone(), status, extra: Extra::new(), ..Default::default() };
        if status < 300 || status == 304 {
            if receiving.streams {
                return Ok((Head::Streaming(response, http.timeout), info));
            }
            let raw = read(response, http.max_response_bytes, http).await?;
            return Ok((Head::Read(raw), info));
        }
        let raw = read(response, http.max_response_bytes.min(MAX_ERROR_BODY), http).await?;
        let retry_after = raw.retry_after();
        let error = failure(receiving.operation(), &raw, request_id);
        Err(Failure { error, retry_after, repeat_now: false }.into())
    }
}

async fn read(mut response: reqwest::Response, max_bytes: usize, http: &HttpOptions) -> Result<RawResponse, Error> {
    let status = response.status().as_u16();
    if response.content_length().is_some_and(|len| len > max_bytes as u64) {
        return Err(Error::BodyTooLarge { limit: max_bytes });
    }
    let map_error = |e| transport::map_reqwest(e, http.timeout, http.connect_timeout);
    let body = transport::read_body(&mut response, max_bytes, map_error).await?;
    Ok(RawResponse { status, headers: std::mem::take(response.headers_mut()), body })
}

/// The error of a failed response: a 4xx whose body is `{RetCode, ErrMsg}` (or `Message`) with a non-zero code is
/// the service's refusal; anything else (a 5xx, a 429, HEAD's empty body, a body that is not that object) keeps
/// its status and an excerpt of its body.
fn failure(operation: &str, raw: &RawResponse, request_id: Option<String>) -> Error {
    let refused = (400..500).contains(&raw.status) && raw.status != 429;
    let parsed = refused.then(|| serde_json::from_slice::<serde_json::Value>(&raw.body).ok()).flatten();
    let code = parsed.as_ref().and_then(|v| v.get("RetCode")).and_then(|c| c.as_i64()).filter(|c| *c != 0);
    match (code, &parsed) {
        (Some(code), Some(body)) => {
            let message = ["ErrMsg", "Message"]
                .iter()
                .find_map(|k| body.get(*k).and_then(|m| m.as_str()))
                .unwrap_or_default()
                .to_owned();
            Error::Service { vendor: Vendor::UFile, code, message, operation: operation.to_owned(), request_id }
        }
        _ => Error::status_error(raw.status, &raw.body, request_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_private_key() {
        let cfg = Config::new("pub", "very-secret-key", "demobucket", "cn-bj");
        assert!(!format!("{cfg:?}").contains("very-secret-key"));
        let client = Client::new(cfg).unwrap();
        assert!(!format!("{client:?}").contains("very-secret-key"));
    }

    #[test]
    fn the_host_is_the_buckets_unless_an_endpoint_is_configured() {
        let cfg = Config::new("p", "s", "demobucket", "cn-bj");
        assert_eq!(cfg.http.base_url, "https://demobucket.cn-bj.ufileos.com");
        let vars: HashMap<String, String> = [
            ("UCLOUD_PUBLIC_KEY", "p"),
            ("UCLOUD_PRIVATE_KEY", "s"),
            ("UFILE_BUCKET", "b"),
            ("UFILE_ENDPOINT", "http://127.0.0.1:9/base"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let cfg = Config::from_env_map(&vars).unwrap();
        assert_eq!((cfg.bucket.as_str(), cfg.http.base_url.as_str()), ("b", "http://127.0.0.1:9/base"));
        let base = reqwest::Url::parse(&cfg.http.base_url).unwrap();
        assert_eq!(object_url(&base, Some("a/中文 x?.jpg")), "http://127.0.0.1:9/base/a/%E4%B8%AD%E6%96%87%20x%3F.jpg");
        assert_eq!(object_url(&base, None), "http://127.0.0.1:9/base/");
        for bad in ["", "Upper", "a.b", "a/b"] {
            let err = Client::new(Config::new("p", "s", bad, "cn-bj")).unwrap_err();
            assert!(matches!(&err, Error::Config(m) if m.contains("bucket")), "{bad:?}: {err}");
        }
    }

    #[test]
    fn the_reference_presigned_url() {
        let cfg = Config::new("TOKEN_PUBLIC_EXAMPLE", "TOKEN_PRIVATE_EXAMPLE", "demobucket", "cn-bj")
            .with_base_url("http://demobucket.cn-bj.ufileos.com")
            .with_insecure_http(true);
        let client = Client::new(cfg).unwrap();
        let url =
            client.presigned_get_url("photos/cat.jpg", UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000));
        assert_eq!(
            url.unwrap(),
            "http://demobucket.cn-bj.ufileos.com/photos/cat.jpg?UCloudPublicKey=TOKEN_PUBLIC_EXAMPLE&Signature=\
             t59hjTXPZt%2FPIyAX6ICRDcoHd6Q%3D&Expires=1700000000"
        );
    }
}
