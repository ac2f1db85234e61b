//! Shared HTTP plumbing: client construction, bounded body reads, error mapping.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::HeaderMap;

use crate::Error;

/// The User-Agent sent by every client.
pub(crate) fn user_agent(product: &str, suffix: Option<&str>) -> String {
    let mut ua = format!("docbind-runtime/{} rust Product/{product}", env!("CARGO_PKG_VERSION"));
    if let Some(s) = suffix.filter(|s| !s.trim().is_empty()) {
        ua.push(' ');
        ua.push_str(s.trim());
    }
    ua
}

/// Builds the shared reqwest client (rustls). Timeouts are applied per request.
pub(crate) fn build_client(user_agent: &str) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .user_agent(user_agent)
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

/// A fully read response.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl RawResponse {
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
    }

    /// `Retry-After` in seconds (HTTP dates are ignored).
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        self.header("retry-after").and_then(|s| s.parse::<u64>().ok()).map(Duration::from_secs)
    }
}

/// Maps a reqwest error, classifying timeouts.
pub(crate) fn map_reqwest(e: reqwest::Error, timeout: Duration) -> Error {
    if e.is_timeout() {
        return Error::Timeout { after: timeout };
    }
    if e.is_builder() {
        return Error::Config(format!("invalid request: {e}"));
    }
    let what = if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "cannot read the response body"
    } else {
        "request failed"
    };
    Error::transport(what, e)
}

/// Sends `request` with `timeout` and reads at most `max_bytes` of body, chunk by chunk.
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    timeout: Duration,
    max_bytes: usize,
) -> Result<RawResponse, Error> {
    let mut response = request.timeout(timeout).send().await.map_err(|e| map_reqwest(e, timeout))?;
    let status = response.status().as_u16();
    let headers = std::mem::take(response.headers_mut());
    if let Some(len) = response.content_length() {
        if len > max_bytes as u64 {
            return Err(Error::BodyTooLarge { limit: max_bytes });
        }
    }
    let capacity = response.content_length().map_or(8 * 1024, |l| usize::try_from(l).unwrap_or(max_bytes));
    let mut body = BytesMut::with_capacity(capacity.min(max_bytes));
    while let Some(chunk) = response.chunk().await.map_err(|e| map_reqwest(e, timeout))? {
        if body.len() + chunk.len() > max_bytes {
            return Err(Error::BodyTooLarge { limit: max_bytes });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(RawResponse { status, headers, body: body.freeze() })
}

/// Percent-encodes `s` (everything except RFC 3986 unreserved characters) into `out`.
/// `space_plus` writes spaces as `+` (form encoding) instead of `%20`.
pub(crate) fn percent_encode(s: &str, space_plus: bool, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' if space_plus => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

/// Whether a parameter name looks sensitive (its value must never be logged).
pub(crate) fn is_sensitive(key: &str) -> bool {
    const WORDS: [&str; 6] = ["signature", "privatekey", "password", "secret", "token", "credential"];
    let lower = key.to_ascii_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
}

/// Sleeps before retry number `retry`.
pub(crate) async fn backoff(policy: &crate::RetryPolicy, retry: u32, retry_after: Option<Duration>) {
    let delay = policy.delay(retry, retry_after);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding() {
        let mut s = String::new();
        percent_encode("a b&c=d/中~", false, &mut s);
        assert_eq!(s, "a%20b%26c%3Dd%2F%E4%B8%AD~");
        s.clear();
        percent_encode("a b+", true, &mut s);
        assert_eq!(s, "a+b%2B");
    }

    #[test]
    fn sensitive_keys() {
        for k in ["Signature", "PrivateKey", "Password", "SecurityToken", "secret", "Finovy-Access-Token"] {
            assert!(is_sensitive(k), "{k}");
        }
        for k in ["PublicKey", "Action", "Region"] {
            assert!(!is_sensitive(k), "{k}");
        }
    }

    #[test]
    fn user_agent_suffix() {
        assert!(user_agent("UCloud", Some(" app/1 ")).ends_with("Product/UCloud app/1"));
        assert!(user_agent("UCloud", Some("")).ends_with("Product/UCloud"));
    }
}
