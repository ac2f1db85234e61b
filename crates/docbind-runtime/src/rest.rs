//! The REST wire, as generated code writes it: the request builder (method, path with `{name}` placeholders,
//! query, headers, JSON body) and the static description of an operation. Any vendor whose operations are REST
//! calls with a JSON body builds its requests here; what judges the response is that vendor's envelope.

use std::fmt;

use docbind_redact::{is_secret_name, REDACTED};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::client::Wire;
use crate::float_param::{self, Refused};
use crate::redact;
use crate::transport::{percent_encode, Transport};
use crate::Error;

/// HTTP method of a REST operation.
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
    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            Method::Patch => reqwest::Method::PATCH,
        }
    }
}

/// Static description of one REST operation, emitted by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// A stable name for errors and traces, e.g. `"getList"`.
    pub name: &'static str,
    /// Whether the operation may be repeated after any transient failure: generated from its read-only class (GET,
    /// or the overlay). Otherwise it is repeated only when the request provably did not reach the service.
    pub idempotent: bool,
}

/// A request being built by generated code: method, path, query, headers, JSON body.
///
/// A float that is NaN or infinite is not written: the call remembers it, and the client returns
/// [`Error::InvalidParameter`] instead of sending.
#[derive(Clone)]
pub struct Call {
    pub(crate) method: Method,
    path: String,
    query: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<serde_json::Map<String, Value>>,
    /// Why the request cannot be sent (a path parameter that would leave its segment), reported by
    /// [`Call::url`] before anything is sent.
    invalid: Option<String>,
    refused: Option<Refused>,
}

/// Redacts the values of secret-looking headers, query parameters and JSON body keys (at every depth).
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
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &RedactedQuery(&self.query))
            .field("headers", &headers)
            .field("body", &self.body.as_ref().map(RedactedBody))
            .finish()
    }
}

/// A query string in `Debug`, secret-looking values redacted.
struct RedactedQuery<'a>(&'a str);

impl fmt::Debug for RedactedQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redact::redact_query(self.0, f)
    }
}

/// A JSON body in `Debug`, as the JSON text sent, secret-looking values redacted at every depth.
struct RedactedBody<'a>(&'a serde_json::Map<String, Value>);

impl fmt::Debug for RedactedBody<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(self.0).map_err(|_| fmt::Error)?;
        redact::redact_json_text(&json, f)
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
            invalid: None,
            refused: None,
        }
    }

    /// [`Error::InvalidParameter`] for the first float that was refused, if any: the client checks this before
    /// sending.
    pub(crate) fn check(&self) -> Result<(), Error> {
        self.refused.as_ref().map_or(Ok(()), |refused| Err(refused.to_error()))
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

    /// Adds a finite float query parameter (Rust `{}` formatting, never an exponent); NaN and ±∞ are refused (see
    /// [`Call`]).
    pub fn query_float(&mut self, name: &str, v: f64) {
        match float_param::decimal(v) {
            Some(text) => self.query_str(name, &text),
            None => float_param::refuse(&mut self.refused, name.to_owned(), v),
        }
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
    ///
    /// The value stays inside its segment: `/`, `?`, `#`, `%` and everything else but RFC 3986's unreserved
    /// characters are percent-encoded. `.`, `..` and the empty string cannot be kept in place by any encoding
    /// (URL parsers and servers resolve `%2E%2E` like `..`, and may merge `//`), so they make the call fail with
    /// [`Error::InvalidRequest`] before anything is sent.
    pub fn path_str(&mut self, name: &str, v: &str) {
        if matches!(v, "" | "." | "..") && self.invalid.is_none() {
            self.invalid = Some(format!(
                "path parameter {name} is {v:?}, which would not stay in its path segment of {:?}",
                self.path
            ));
        }
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

    /// Sets a float field of the JSON body; NaN and ±∞ (which JSON cannot hold) are refused (see [`Call`]).
    pub fn body_float(&mut self, name: &str, v: f64) {
        match serde_json::Number::from_f64(v) {
            Some(number) => self.body_json(name, Value::Number(number)),
            None => float_param::refuse(&mut self.refused, name.to_owned(), v),
        }
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

    pub(crate) fn url(&self, base: &str) -> Result<reqwest::Url, Error> {
        if let Some(invalid) = &self.invalid {
            return Err(Error::InvalidRequest(invalid.clone()));
        }
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

/// The REST wire: the method, the URL with the path and query, the headers and the JSON body of a [`Call`].
pub(crate) struct RestWire;

/// A [`Call`] as every attempt sends it.
pub(crate) struct RestRequest {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Option<String>,
}

impl RestRequest {
    /// `call` against the endpoint `base`: a refused float, a path parameter that would leave its segment, or a
    /// header that cannot be sent fails here, before anything is sent.
    pub(crate) fn new(call: &Call, base: &str) -> Result<RestRequest, Error> {
        call.check()?;
        let url = call.url(base)?;
        let body = match &call.body {
            Some(map) => Some(
                serde_json::to_string(map).map_err(|e| Error::Config(format!("cannot encode the JSON body: {e}")))?,
            ),
            None => None,
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &call.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::Config(format!("invalid header name {name:?}: {e}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| Error::Config(format!("invalid value for header {name}: {e}")))?;
            headers.append(name, value);
        }
        Ok(RestRequest { method: call.method.to_reqwest(), url, headers, body })
    }
}

impl Wire for RestWire {
    type Request = RestRequest;

    fn build(request: &RestRequest, transport: &Transport) -> Result<reqwest::RequestBuilder, Error> {
        let built = transport
            .request(request.method.clone(), request.url.clone(), request.body.clone())
            .headers(request.headers.clone());
        Ok(match &request.body {
            Some(_) => built.header(reqwest::header::CONTENT_TYPE, "application/json"),
            None => built,
        })
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
        c.body_json("nested", serde_json::json!({"auth": [{"accessToken": "nested-value", "kept": "shown"}]}));
        c.query_str("signature", "query-value");
        let secrets = [
            ("X-Api-Key", "api-key-value"),
            ("Authorization", "Bearer authorization-value"),
            ("Cookie", "session=cookie-value"),
            ("access_key", "access-key-value"),
            ("private_key", "private-key-value"),
            ("passphrase", "passphrase-value"),
        ];
        for (name, value) in secrets {
            c.header_str(name, value);
            c.query_str(name, value);
        }
        c.body_json("keys", serde_json::json!([{"apiKey": "api-key-value", "AccessKey": "access-key-value"}]));
        let dbg = format!("{c:?}");
        for (name, value) in secrets {
            assert!(!dbg.contains(value) && !dbg.contains(&value.replace(' ', "%20")), "{name}: {dbg}");
        }
        c.body.as_mut().unwrap().remove("keys");
        let body = Value::Object(c.body().unwrap().clone());
        assert_eq!(
            body,
            serde_json::json!({"name":"n","count":2,"ratio":1.5,"on":true,"obj":{"a":[1]},"i":3,"password":"pw-value",
                "nested": {"auth": [{"accessToken": "nested-value", "kept": "shown"}]}})
        );
        let dbg = format!("{c:?}");
        for secret in ["hidden-value", "pw-value", "nested-value", "query-value"] {
            assert!(!dbg.contains(secret), "{secret} in {dbg}");
        }
        assert!(dbg.contains("shown") && dbg.contains("signature=<redacted>"), "{dbg}");
        assert_eq!(c.method(), Method::Post);
    }
}
