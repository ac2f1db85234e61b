//! Finovy's wire protocol, as generated code speaks it: the request builder (method, path, query, headers,
//! JSON body), the static description of an operation, and the envelope around every response (`code`, `success`,
//! `msg`, `traceId`, `data`).

use std::fmt;

use docbind_redact::{is_secret_name, REDACTED};
use serde_json::Value;

use crate::decode::{self, Decode, Extra, Sealed, Slot};
use crate::float_param::{self, Refused};
use crate::redact;
use crate::transport::percent_encode;
use crate::{Error, Vendor};

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

/// Static description of one Finovy operation, emitted by the generator.
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

/// The Finovy envelope: `code`, `success`, `msg`, `traceId` are consumed, `data` goes to the
/// caller's slot, anything else (and a misfit `data`) to `extra`.
///
/// The status keys `code` and `success` are read under their exact spelling only (`Code` is kept in `extra`): a
/// status must not come from a key the vendor does not send. A status key that appears twice makes the status
/// unreadable (parsers disagree on which one counts).
struct Envelope<'a> {
    data: Slot<'a>,
    code: Option<i64>,
    code_seen: bool,
    success: Option<bool>,
    success_seen: bool,
    /// The first status key received twice in this pass.
    repeated: Option<&'static str>,
    msg: Option<String>,
    trace_id: Option<String>,
    extra: Extra,
}

/// The envelope fields of a Finovy response body, besides `data`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct EnvelopeStatus {
    /// `code` (an integer, or a string or float holding one); `None` when absent or not an integer.
    pub code: Option<i64>,
    /// A `code` that is present but not an integer, as JSON text: `null`, or a value also kept in `extra`.
    pub unparseable_code: Option<String>,
    /// `success` (a boolean, `0`/`1` or their strings); `None` when absent or not a boolean.
    pub success: Option<bool>,
    /// A `success` that is present but not a boolean, as JSON text: `null`, or a value also kept in `extra`.
    pub unparseable_success: Option<String>,
    /// `msg`.
    pub msg: Option<String>,
    /// `traceId`, the request id.
    pub trace_id: Option<String>,
    /// Undeclared envelope keys, and a `data` value that did not fit its slot (under `"data"`).
    pub extra: Extra,
    /// The status key (`code` or `success`) the body holds more than once, if any: then the status cannot be read.
    pub repeated: Option<&'static str>,
}

impl EnvelopeStatus {
    /// Moves [`EnvelopeStatus::extra`] to the end of `extra` (the response's), as every generated
    /// `decode_response` does: the envelope's leftovers are kept with the response they came with.
    pub fn move_extra_into(&mut self, extra: &mut Extra) {
        extra.append(&mut self.extra);
    }

    /// Whether the call succeeded: `Ok` for `code` 0 (with `success` absent or true), [`Error::Service`] for another
    /// code, and [`Error::MalformedStatus`] (with an excerpt of `body`) when `code` is missing or not an integer,
    /// or `code` 0 comes with a `success` that is false or not a boolean, or `code` or `success` appears twice.
    pub(crate) fn judge(&self, operation: &str, body: &[u8]) -> Result<(), Error> {
        if let Some(key) = self.repeated {
            let problem = format!("{key} appears more than once");
            return Err(Error::malformed_status(Vendor::Finovy, operation, problem, body, self.trace_id.as_deref()));
        }
        let problem = match (self.code, &self.unparseable_code) {
            (Some(0), _) => match (self.success, &self.unparseable_success) {
                (Some(true), _) | (None, None) => return Ok(()),
                (Some(false), _) => "code 0 contradicts success false".to_owned(),
                (None, Some(raw)) => format!("success {raw} is not a boolean"),
            },
            (Some(code), _) => {
                return Err(Error::Service {
                    vendor: Vendor::Finovy,
                    code,
                    message: self.msg.clone().unwrap_or_default(),
                    operation: operation.to_owned(),
                    request_id: self.trace_id.clone(),
                })
            }
            (None, Some(raw)) => format!("code {raw} is not an integer"),
            (None, None) => "the body has no code".to_owned(),
        };
        Err(Error::malformed_status(Vendor::Finovy, operation, problem, body, self.trace_id.as_deref()))
    }
}

/// Decodes a Finovy response body in one pass, as every generated `decode_response` does for `Client::call`:
/// `data` streams into `data`, the other envelope fields are returned.
pub fn decode_envelope(body: &[u8], data: Slot<'_>) -> Result<EnvelopeStatus, decode::DecodeError> {
    let mut env = Envelope {
        data,
        code: None,
        code_seen: false,
        success: None,
        success_seen: false,
        repeated: None,
        msg: None,
        trace_id: None,
        extra: Extra::new(),
    };
    decode::decode_object(body, &mut env)?;
    // A value that did not fit its slot went to `extra` like any misfit; `null` left the slot empty.
    let unparseable = |read: bool, seen: bool, key: &str| match (read, seen) {
        (false, true) => Some(env.extra.json_text(key).unwrap_or_else(|| "null".to_owned())),
        _ => None,
    };
    let unparseable_code = unparseable(env.code.is_some(), env.code_seen, "code");
    let unparseable_success = unparseable(env.success.is_some(), env.success_seen, "success");
    Ok(EnvelopeStatus {
        code: env.code,
        unparseable_code,
        success: env.success,
        unparseable_success,
        msg: env.msg,
        trace_id: env.trace_id,
        extra: env.extra,
        repeated: env.repeated,
    })
}

/// The `traceId` of a body that is a Finovy envelope (an HTTP error's, or one whose `data` does not decode), else
/// `None`: errors keep the request id whenever the body has one.
pub(crate) fn trace_id_of(body: &[u8]) -> Option<String> {
    let mut data = None;
    decode_envelope(body, Slot::Json(&mut data)).ok()?.trace_id
}

impl Sealed for Envelope<'_> {}

impl Decode for Envelope<'_> {
    fn slot(&mut self, key: &str) -> Option<Slot<'_>> {
        Some(match key {
            "data" => self.data.reborrow(),
            // The slot keeps the last value, also when it does not fit (then it is in `extra`); a repeat makes the
            // status unreadable whatever the values.
            "code" => {
                if self.code_seen {
                    self.repeated.get_or_insert("code");
                }
                self.code_seen = true;
                self.code = None;
                Slot::Int(&mut self.code)
            }
            "success" => {
                if self.success_seen {
                    self.repeated.get_or_insert("success");
                }
                self.success_seen = true;
                self.success = None;
                Slot::Bool(&mut self.success)
            }
            "msg" => Slot::Str(&mut self.msg),
            "traceId" => Slot::Str(&mut self.trace_id),
            _ => return None,
        })
    }

    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }

    /// Without the status keys, whose case variants are not read (see [`Envelope`]).
    fn field_names(&self) -> &'static [&'static str] {
        &["data", "msg", "traceId"]
    }

    fn begin_pass(&mut self) {
        (self.code_seen, self.success_seen, self.repeated) = (false, false, None);
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

    fn status_of(body: &str) -> EnvelopeStatus {
        let mut data: Option<String> = None;
        decode_envelope(body.as_bytes(), Slot::Str(&mut data)).unwrap()
    }

    #[test]
    fn the_status_tells_absent_null_and_misfit_keys_apart() {
        let status = status_of(r#"{"Code": 0, "SUCCESS": true, "Data": "d"}"#);
        assert_eq!((status.code, status.unparseable_code.as_deref()), (None, None));
        assert_eq!(status.extra.get("Code"), Some(&serde_json::json!(0)), "status keys are read exactly");
        assert_eq!(status.extra.get("SUCCESS"), Some(&serde_json::json!(true)));
        assert!(status.extra.get("Data").is_none(), "`data` still takes a case variant");
        let status = status_of(r#"{"code": null, "success": "maybe"}"#);
        assert_eq!(status.unparseable_code.as_deref(), Some("null"));
        assert_eq!(status.unparseable_success.as_deref(), Some(r#""maybe""#));
        assert_eq!(status.extra.get("success"), Some(&serde_json::json!("maybe")));
        let status = status_of(r#"{"code": "0", "success": 1}"#);
        assert_eq!((status.code, status.success), (Some(0), Some(true)));
        assert!(status.judge("op", b"{}").is_ok());
        // A repeated status key cannot be read, whichever value comes last.
        for (body, key) in [
            (r#"{"code": 0, "code": "E1", "success": true}"#, "code"),
            (r#"{"code": 401, "code": 0, "success": true}"#, "code"),
            (r#"{"code": 0, "success": false, "success": true}"#, "success"),
            (r#"{"code": 0, "success": true, "data": 123456789012345678901234567890, "success": true}"#, "success"),
        ] {
            let status = status_of(body);
            assert_eq!(status.repeated, Some(key), "{body}");
            let error = status.judge("op", b"{}").unwrap_err();
            assert!(
                matches!(&error, Error::MalformedStatus { problem, .. } if problem == &format!("{key} appears more than once")),
                "{error:?}"
            );
        }
        // The second pass over a body with a wide integer is no repeat.
        let status = status_of(r#"{"code": 0, "success": true, "data": 123456789012345678901234567890}"#);
        assert_eq!(status.repeated, None);
        assert!(status.judge("op", b"{}").is_ok());
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
