//! What generated UFile operations call (re-exported from `__private::ufile`): the request writer their `encode`
//! functions fill, the JSON body and header decoders of their responses, and the pending calls of the client.

use reqwest::header::HeaderMap;
use reqwest::Method;

use super::{ByteStream, Client, Operation, Reply, Request, UploadBody};
use crate::decode::{self, Decode, DecodeError};
use crate::pending::{CallMeta, PendingCall, Response};
use crate::Error;

/// One operation's request as its generated `encode` writes it: the key, query, headers and JSON body keys.
#[derive(Debug)]
pub struct Call {
    method: Method,
    key: Option<String>,
    flags: &'static [&'static str],
    query: Vec<(&'static str, String)>,
    headers: Vec<(String, String)>,
    json: serde_json::Map<String, serde_json::Value>,
    body: Option<UploadBody>,
}

macro_rules! scalar_writers {
    ($($plain:ident, $optional:ident, $ty:ty, $to:expr;)*) => {
        impl Call {
            $(
                #[doc = concat!("Writes `", stringify!($plain), "`.")]
                pub fn $plain(&mut self, name: &'static str, value: $ty) {
                    self.put(name, $to(value));
                }

                #[doc = concat!("Writes `", stringify!($plain), "` when set.")]
                pub fn $optional(&mut self, name: &'static str, value: Option<$ty>) {
                    if let Some(value) = value {
                        self.$plain(name, value);
                    }
                }
            )*
        }
    };
}

/// Where `put` writes: decided by the writer's prefix.
trait Put {
    fn put(&mut self, name: &'static str, value: Where);
}

enum Where {
    Query(String),
    Header(String),
    Body(serde_json::Value),
}

impl Put for Call {
    fn put(&mut self, name: &'static str, value: Where) {
        match value {
            Where::Query(v) => self.query.push((name, v)),
            Where::Header(v) => self.headers.push((name.to_owned(), v)),
            Where::Body(v) => {
                self.json.insert(name.to_owned(), v);
            }
        }
    }
}

scalar_writers! {
    query_str, opt_query_str, &str, |v: &str| Where::Query(v.to_owned());
    query_int, opt_query_int, i64, |v: i64| Where::Query(v.to_string());
    query_float, opt_query_float, f64, |v: f64| Where::Query(v.to_string());
    query_bool, opt_query_bool, bool, |v: bool| Where::Query(v.to_string());
    header_str, opt_header_str, &str, |v: &str| Where::Header(v.to_owned());
    header_int, opt_header_int, i64, |v: i64| Where::Header(v.to_string());
    header_float, opt_header_float, f64, |v: f64| Where::Header(v.to_string());
    header_bool, opt_header_bool, bool, |v: bool| Where::Header(v.to_string());
    body_str, opt_body_str, &str, |v: &str| Where::Body(v.into());
    body_int, opt_body_int, i64, |v: i64| Where::Body(v.into());
    body_float, opt_body_float, f64, |v: f64| Where::Body(v.into());
    body_bool, opt_body_bool, bool, |v: bool| Where::Body(v.into());
}

impl Call {
    /// A call of `method` named by the query `flags` (`?uploads`).
    pub fn new(method: Method, flags: &'static [&'static str]) -> Call {
        Call {
            method,
            key: None,
            flags,
            query: Vec::new(),
            headers: Vec::new(),
            json: serde_json::Map::new(),
            body: None,
        }
    }

    /// The object key (the path).
    pub fn path(&mut self, _name: &'static str, key: &str) {
        self.key = Some(key.to_owned());
    }

    /// A header map sent as `<prefix><name>: <value>` (user metadata `X-Ufile-Meta-*`): each key of `map`, a JSON
    /// object, with its value as text (a string as is).
    pub fn header_map(&mut self, prefix: &str, map: Option<&serde_json::Value>) {
        let Some(serde_json::Value::Object(map)) = map else { return };
        for (name, value) in map {
            let value = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            self.headers.push((format!("{prefix}{name}"), value));
        }
    }

    /// The body the caller streams.
    pub fn body(&mut self, body: UploadBody) {
        self.body = Some(body);
    }

    fn into_request(self) -> Request {
        let mut request = Request::new(self.method, self.key.as_deref());
        for flag in self.flags {
            request.flag(flag);
        }
        for (name, value) in self.query {
            request.query(name, value);
        }
        let has_type = self.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"));
        for (name, value) in self.headers {
            request.header(&name, value);
        }
        if let Some(body) = self.body {
            request.body(body);
        } else if !self.json.is_empty() {
            if !has_type {
                request.header("Content-Type", "application/json");
            }
            request.body(UploadBody::bytes(serde_json::Value::Object(self.json).to_string()));
        }
        request
    }
}

/// Decodes a JSON response body into `out`; an empty body (most calls answer none) leaves it as it is.
pub fn decode_body(body: &[u8], out: &mut dyn Decode) -> Result<(), DecodeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    decode::decode_object(body, out)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// A response header as text.
pub fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    header(headers, name).map(str::to_owned)
}

/// A response header as an integer (absent or not a number: `None`).
pub fn header_int(headers: &HeaderMap, name: &str) -> Option<i64> {
    header(headers, name)?.parse().ok()
}

/// A response header as a number.
pub fn header_float(headers: &HeaderMap, name: &str) -> Option<f64> {
    header(headers, name)?.parse().ok()
}

/// A response header as a boolean (`true`/`false`, any case).
pub fn header_bool(headers: &HeaderMap, name: &str) -> Option<bool> {
    header(headers, name)?.to_ascii_lowercase().parse().ok()
}

/// The headers named `<prefix><name>` (user metadata), as a JSON object of `name` (lower case) to value; `None`
/// when there is none.
pub fn header_map(headers: &HeaderMap, prefix: &str) -> Option<serde_json::Value> {
    let prefix = prefix.to_ascii_lowercase();
    let map: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .filter_map(|(name, value)| {
            let name = name.as_str().strip_prefix(&prefix)?;
            Some((name.to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned().into()))
        })
        .collect();
    (!map.is_empty()).then_some(serde_json::Value::Object(map))
}

/// A download: the response (its headers decoded) and the object, as a stream. Its `Debug` shows the response.
#[derive(Debug)]
#[non_exhaustive]
pub struct Downloaded<R> {
    /// The response headers, decoded.
    pub response: R,
    /// The object (or the range asked for), as it arrives.
    pub body: ByteStream,
}

/// The response's fields and methods (`request_id()`, `e_tag`, …) read through the download.
impl<R> std::ops::Deref for Downloaded<R> {
    type Target = R;

    fn deref(&self) -> &R {
        &self.response
    }
}

impl<R: Send> crate::__private::Sealed for Downloaded<R> {}

impl<R: Response> Response for Downloaded<R> {
    fn call_meta_mut(&mut self) -> &mut CallMeta {
        self.response.call_meta_mut()
    }
}

impl Client {
    /// The call a generated operation method returns: made, with its options, when awaited; `decode` reads the
    /// response's headers and JSON body.
    #[doc(hidden)]
    pub fn pending<R>(
        &self,
        op: &'static Operation,
        call: Call,
        decode: fn(&Reply) -> Result<R, DecodeError>,
    ) -> PendingCall<R>
    where
        R: Response + 'static,
    {
        // A share of the client, so the call owns what it needs and can be spawned.
        let client = self.clone();
        PendingCall::new(op.name, move |options| async move {
            let reply = client.call(*op, call.into_request(), &options).await?;
            let response = decode(&reply).map_err(|source| Error::Decode {
                source,
                body: reply.body.clone(),
                request_id: reply.info.request_id.clone(),
            })?;
            Ok((response, reply.info))
        })
    }

    /// The download a generated operation method returns: `headers` decodes the response's headers, the body is
    /// streamed.
    #[doc(hidden)]
    pub fn pending_download<R>(
        &self,
        op: &'static Operation,
        call: Call,
        headers: fn(&HeaderMap) -> R,
    ) -> PendingCall<Downloaded<R>>
    where
        R: Response + 'static,
    {
        let client = self.clone();
        PendingCall::new(op.name, move |options| async move {
            let download = client.download(*op, call.into_request(), &options).await?;
            let response = headers(&download.headers);
            Ok((Downloaded { response, body: download.body }, download.info))
        })
    }
}
