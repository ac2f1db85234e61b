//! Testing code that uses the clients, without the network (cargo feature `test-util`).
//!
//! [`StandIn`] is a small HTTP/1.1 server on 127.0.0.1 that stands in for a vendor's API: it answers each request
//! with the [`Reply`] given for its UCloud `Action` or its path (Finovy), and records every request. Point a
//! client at it with `with_base_url(stand_in.base_url())`; everything else (signing, the token exchange,
//! retries, decoding) runs as against the real service.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use docbind_runtime::test_util::{Reply, StandIn};
//!
//! let stand_in = StandIn::start().await?;
//! stand_in.on("GetUvodnImage", Reply::json(r#"{"RetCode": 0, "ImageList": []}"#));
//! stand_in.on("/v1/auth/getToken", Reply::json(r#"{"code": 0, "data": {"token": "t"}}"#));
//! let config = docbind_runtime::ucloud::Config::new("public-key", "private-key").with_base_url(stand_in.base_url());
//! // … run the code under test with a client of `config`, then look at what it sent:
//! for request in stand_in.requests() {
//!     println!("{} {} {:?}", request.method, request.target, request.param("Action"));
//! }
//! # Ok(()) }
//! ```

/// A stand-in for UFile's object storage, checking signatures and keeping objects on disk.
#[path = "ufile/stand_in.rs"]
pub mod ufile;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// The largest request head the stand-in reads (request line and headers).
const MAX_HEAD: usize = 64 * 1024;

/// A canned response: a status, a JSON body, extra headers, and how long to wait before answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    body: String,
    headers: Vec<(String, String)>,
    delay: Option<std::time::Duration>,
}

impl Reply {
    /// HTTP 200 with `body` as `application/json`.
    pub fn json(body: impl Into<String>) -> Reply {
        Reply { status: 200, body: body.into(), headers: Vec::new(), delay: None }
    }

    /// Sets the HTTP status.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Reply {
        self.status = status;
        self
    }

    /// Adds a response header (e.g. `X-UCLOUD-REQUEST-UUID`, `Retry-After`).
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Answers only after `delay`: a slow service, for testing timeouts and deadlines.
    #[must_use]
    pub fn with_delay(mut self, delay: std::time::Duration) -> Reply {
        self.delay = Some(delay);
        self
    }
}

/// A request the stand-in received.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method (`GET`, `POST`, …).
    pub method: String,
    /// The request target: path and query (`/?Action=GetUvodnImage`, `/v1/open/image/personal/getList?…`).
    pub target: String,
    /// The headers, names in lower case, in the order they arrived.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// A parameter of the query or of a form-encoded body (UCloud's: `Action`, `PublicKey`, `Limit`, …),
    /// decoded; the body's wins.
    pub fn param(&self, name: &str) -> Option<String> {
        let body = String::from_utf8_lossy(&self.body);
        let query = self.target.split_once('?').map_or("", |(_, q)| q);
        let found = [body.as_ref(), query].into_iter().find_map(|encoded| {
            let url = reqwest::Url::parse(&format!("http://stand-in/?{encoded}")).ok()?;
            let value = url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
            value
        });
        found
    }
}

#[derive(Debug, Default)]
struct State {
    replies: HashMap<String, Reply>,
    requests: Vec<RecordedRequest>,
}

/// A local stand-in server for a vendor's API; see the [module docs](self). Stops when dropped.
#[derive(Debug)]
pub struct StandIn {
    base_url: String,
    state: Arc<Mutex<State>>,
    server: tokio::task::JoinHandle<()>,
}

impl StandIn {
    /// Starts a stand-in on a free port of 127.0.0.1. It answers a request for which it has no reply with HTTP
    /// 404 and a body saying so.
    pub async fn start() -> std::io::Result<StandIn> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let server = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, shared.clone()));
            }
        });
        Ok(StandIn { base_url, state, server })
    }

    /// The URL to give a client's `with_base_url`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Answers requests for `key` with `reply` from now on: a UCloud `Action` (`GetUvodnImage`), or a path
    /// starting with `/` (`/v1/open/image/personal/getList`). A later reply for the same key replaces it.
    pub fn on(&self, key: impl Into<String>, reply: Reply) -> &StandIn {
        self.lock().replies.insert(key.into(), reply);
        self
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Serves one keep-alive connection: requests with a `Content-Length` body (as the clients send).
async fn serve(mut socket: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            if buf.len() > MAX_HEAD {
                return;
            }
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or_default().split(' ');
        let method = request_line.next().unwrap_or_default().to_owned();
        let target = request_line.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length =
            headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(0);
        while buf.len() < end + 4 + length {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[end + 4..end + 4 + length].to_vec();
        buf.drain(..end + 4 + length);
        let request = RecordedRequest { method, target, headers, body };
        let reply = {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            let reply = reply_for(&state.replies, &request);
            state.requests.push(request);
            reply
        };
        if let Some(delay) = reply.delay {
            tokio::time::sleep(delay).await;
        }
        if socket.write_all(&encode(&reply)).await.is_err() {
            return;
        }
    }
}

/// The reply for `request`: by its UCloud `Action`, else by its path; else a 404 saying what had none.
fn reply_for(replies: &HashMap<String, Reply>, request: &RecordedRequest) -> Reply {
    let action = request.param("Action");
    if let Some(reply) = action.as_ref().and_then(|a| replies.get(a)).or_else(|| replies.get(request.path())) {
        return reply.clone();
    }
    let what = action.map_or_else(|| format!("path {}", request.path()), |a| format!("Action {a}"));
    let message = serde_json::json!({ "message": format!("docbind StandIn has no reply for {what}") });
    Reply::json(message.to_string()).with_status(404)
}

fn encode(reply: &Reply) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} StandIn\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&reply.body);
    out.into_bytes()
}
