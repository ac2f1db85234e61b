//! What generated UFile operations call (re-exported from `__private::ufile`): the request writer their `encode`
//! functions fill, the JSON body and header decoders of their responses, and the pending calls of the client.

use std::collections::BTreeMap;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;

use super::{ByteStream, Client, Operation, Reply, Request, UploadBody};
use crate::decode::{self, Decode, DecodeError, Extra};
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
    /// Why a header map's entry cannot be sent (the first one found): the call fails with it before sending.
    invalid: Option<String>,
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
            invalid: None,
        }
    }

    /// The object key (the path).
    pub fn path(&mut self, _name: &'static str, key: &str) {
        self.key = Some(key.to_owned());
    }

    /// A header map sent as one `<prefix><name>: <value>` header per entry (user metadata `X-Ufile-Meta-*`). An
    /// entry that cannot come back as sent makes the call an [`Error::InvalidRequest`] before anything is sent: a
    /// name that is empty, not an HTTP token, or the same as another's but for case (header names are
    /// case-insensitive); a value with a control character (tab aside) or white space at either end (which HTTP
    /// strips).
    pub fn header_map(&mut self, prefix: &str, map: Option<&BTreeMap<String, String>>) {
        let Some(map) = map else { return };
        for (name, value) in map {
            if let Err(why) = check_map_entry(prefix, name, value, map) {
                self.invalid.get_or_insert(why);
                continue;
            }
            self.headers.push((format!("{prefix}{name}"), value.clone()));
        }
    }

    /// The body the caller streams.
    pub fn body(&mut self, body: UploadBody) {
        self.body = Some(body);
    }

    fn into_request(self) -> Result<Request, Error> {
        if let Some(why) = self.invalid {
            return Err(Error::InvalidRequest(why));
        }
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
        Ok(request)
    }
}

/// Why the entry `name: value` of a header map cannot be sent as `<prefix><name>` and come back as it was, if so.
/// The value itself is not quoted: it may be private.
fn check_map_entry(prefix: &str, name: &str, value: &str, map: &BTreeMap<String, String>) -> Result<(), String> {
    let header = format!("{prefix}{name}");
    if name.is_empty() {
        return Err(format!("the {prefix}* map has an entry with an empty name"));
    }
    if HeaderName::from_bytes(header.as_bytes()).is_err() {
        return Err(format!("the {prefix}* entry {name:?} is not a header name (letters, digits and !#$%&'*+-.^_`|~)"));
    }
    if map.keys().any(|other| other != name && other.eq_ignore_ascii_case(name)) {
        return Err(format!("the {prefix}* entries {name:?} and another differ only in case; header names do not"));
    }
    if HeaderValue::from_str(value).is_err() {
        return Err(format!("the {prefix}* entry {name:?} has a control character in its value"));
    }
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t']) {
        return Err(format!("the {prefix}* entry {name:?} has white space at an end of its value, which HTTP strips"));
    }
    Ok(())
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

/// The headers named `<prefix><name>` (user metadata), as a map of `name` (lower case: HTTP/2 and many servers send
/// header names so, and they are case-insensitive) to value; `None` when there is none. Nothing is altered or
/// dropped: a value that is not UTF-8 is kept out of the map and put in `extra` under the header's name (lower
/// case) as a JSON array of its bytes, and a name sent more than once keeps its first value in the map and each
/// further one in `extra` under `<header name>.<n>` (n from 1), raw alike when it is not UTF-8.
pub fn header_map(headers: &HeaderMap, prefix: &str, extra: &mut Extra) -> Option<BTreeMap<String, String>> {
    let prefix = prefix.to_ascii_lowercase();
    let mut map = BTreeMap::new();
    for header in headers.keys() {
        let Some(name) = header.as_str().strip_prefix(&prefix) else { continue };
        for (n, value) in headers.get_all(header).iter().enumerate() {
            let text = std::str::from_utf8(value.as_bytes()).ok();
            match (n, text) {
                (0, Some(text)) => {
                    map.insert(name.to_owned(), text.to_owned());
                }
                (0, None) => extra.insert(header.as_str(), raw_header(value)),
                (n, Some(text)) => extra.insert(format!("{header}.{n}"), text.into()),
                (n, None) => extra.insert(format!("{header}.{n}"), raw_header(value)),
            }
        }
    }
    (!map.is_empty()).then_some(map)
}

/// A header value that is not text, kept as it is: a JSON array of its bytes.
fn raw_header(value: &HeaderValue) -> serde_json::Value {
    value.as_bytes().iter().copied().map(serde_json::Value::from).collect()
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

impl<R: Response> Response for Downloaded<R> {
    fn call_meta_mut(&mut self) -> Option<&mut CallMeta> {
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
            let reply = client.call(*op, call.into_request()?, &options).await?;
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
            let download = client.download(*op, call.into_request()?, &options).await?;
            let response = headers(&download.headers);
            Ok((Downloaded { response, body: download.body }, download.info))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_map_loses_nothing_it_receives() {
        let mut headers = HeaderMap::new();
        headers.append("X-Ufile-Meta-Owner", HeaderValue::from_static("ops"));
        headers.append("x-ufile-meta-city", HeaderValue::from_bytes("上海".as_bytes()).unwrap());
        headers.append("x-ufile-meta-blob", HeaderValue::from_bytes(b"a\xff\xfeb").unwrap());
        headers.append("x-ufile-meta-tag", HeaderValue::from_static("first"));
        headers.append("x-ufile-meta-tag", HeaderValue::from_bytes(b"\xc3").unwrap());
        headers.append("x-ufile-meta-tag", HeaderValue::from_static("third"));
        headers.append("x-ufile-storage-class", HeaderValue::from_static("STANDARD"));
        let mut extra = Extra::new();
        let map = header_map(&headers, "X-Ufile-Meta-", &mut extra).unwrap();
        let expected: BTreeMap<String, String> =
            [("owner", "ops"), ("city", "上海"), ("tag", "first")].map(|(k, v)| (k.to_owned(), v.to_owned())).into();
        assert_eq!(map, expected, "names lower-case, UTF-8 values as received, a repeat's first value");
        assert_eq!(extra.get("x-ufile-meta-blob"), Some(&serde_json::json!([97, 255, 254, 98])), "raw bytes");
        assert_eq!(extra.get("x-ufile-meta-tag.1"), Some(&serde_json::json!([195])));
        assert_eq!(extra.get("x-ufile-meta-tag.2"), Some(&serde_json::json!("third")));
        assert_eq!(extra.len(), 3, "{extra:?}");

        let mut extra = Extra::new();
        assert_eq!(header_map(&HeaderMap::new(), "X-Ufile-Meta-", &mut extra), None);
    }

    #[test]
    fn header_map_entries_that_would_not_come_back_as_sent_are_refused() {
        let send = |entries: &[(&str, &str)]| {
            let map: BTreeMap<String, String> = entries.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect();
            let mut call = Call::new(Method::PUT, &[]);
            call.header_map("X-Ufile-Meta-", Some(&map));
            call.into_request().map(|request| request.headers)
        };
        let sent = send(&[("a", "1"), ("B-c", "x y"), ("d", "é")]).unwrap();
        let expected = [("X-Ufile-Meta-B-c", "x y"), ("X-Ufile-Meta-a", "1"), ("X-Ufile-Meta-d", "é")];
        assert_eq!(sent, expected.map(|(k, v)| (k.to_owned(), v.to_owned())));
        for bad in
            [&[("a b", "1")][..], &[("", "1")], &[("a:", "1")], &[("a", "\u{7f}")], &[("a", "1\n")], &[("a", " 1")]]
        {
            assert!(matches!(send(bad), Err(Error::InvalidRequest(_))), "{bad:?}");
        }
        assert!(matches!(send(&[("Aa", "1"), ("aA", "2")]), Err(Error::InvalidRequest(_))));
    }
}
