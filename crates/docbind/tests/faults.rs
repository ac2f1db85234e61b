//! Fault injection: both clients against a tiny HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose
//! (5xx, 429 with and without `Retry-After`, resets before and during the response, stalls past the timeout,
//! truncated bodies, an HTML page with status 200, a 50 MB body).
//!
//! Every call must end in the right `Error` variant, or the right retried success, within a time bound; nothing
//! panics; a call that may change state is never sent twice once it may have reached the server (the server counts
//! requests), and fails as "outcome unknown"; an oversized body is refused
//! without being buffered (the server sees the connection closed early), and one whose declared length is over the
//! limit before any of it arrives; and 1,000 concurrent calls through one Finovy client succeed with a single token
//! exchange.

use docbind::finovy_image::{self, GetListRequest};
use docbind::runtime::__private::finovy::{Call, Method, Operation};
use docbind::runtime::finovy::{self as rt_finovy, Credentials};
use docbind::runtime::{Error, RetryPolicy};
use docbind::ucloud_uodn::{self, GetUvodnImageRequest};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---------------------------------------------------------------------------------------------------------------
// The server.

/// What the server does with one request.
#[derive(Clone, Debug)]
enum Reply {
    /// A complete response.
    Full { status: u16, headers: Vec<(&'static str, String)>, body: Vec<u8> },
    /// Read the request, then reset the connection (RST) without answering.
    ResetBeforeResponse,
    /// Read the request, then close the connection (FIN) without answering.
    CloseBeforeResponse,
    /// Send the headers (declaring `declared` body bytes) and `sent`, then reset (RST) or close (FIN).
    CutMidBody { declared: usize, sent: Vec<u8>, reset: bool },
    /// Never answer.
    Stall,
    /// Send the headers and `sent`, then never send the rest.
    StallMidBody { declared: usize, sent: Vec<u8> },
    /// A `total`-byte JSON body, with or without `Content-Length` (chunked), written until the client hangs up.
    Huge { total: usize, content_length: bool },
    /// Send the headers, declaring `declared` body bytes, then nothing (the connection stays open).
    AnnounceOnly { declared: usize },
}

fn json(status: u16, body: &str) -> Reply {
    Reply::Full { status, headers: vec![("Content-Type", "application/json".into())], body: body.as_bytes().to_vec() }
}

fn with_header(reply: Reply, name: &'static str, value: &str) -> Reply {
    match reply {
        Reply::Full { status, mut headers, body } => {
            headers.push((name, value.to_owned()));
            Reply::Full { status, headers, body }
        }
        other => other,
    }
}

type Script = dyn Fn(&str, usize) -> Reply + Send + Sync;

struct Server {
    base: String,
    /// Requests received, per path.
    requests: Arc<Mutex<HashMap<String, usize>>>,
    /// Bytes of a `Huge` body the server managed to write, and whether the client hung up before the end.
    huge_written: Arc<AtomicUsize>,
    huge_cut_short: Arc<AtomicBool>,
}

impl Server {
    /// Serves `script(path, n)` for the `n`-th (0-based) request to `path`, keeping connections alive after
    /// complete responses.
    async fn start(script: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let server =
            Server { base, requests: Arc::default(), huge_written: Arc::default(), huge_cut_short: Arc::default() };
        let script: Arc<Script> = Arc::new(script);
        let (requests, written, cut) =
            (server.requests.clone(), server.huge_written.clone(), server.huge_cut_short.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (script, requests, written, cut) = (script.clone(), requests.clone(), written.clone(), cut.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, &*script, &requests, &written, &cut).await;
                });
            }
        });
        server
    }

    fn count(&self, path: &str) -> usize {
        self.requests.lock().expect("not poisoned").get(path).copied().unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.requests.lock().expect("not poisoned").values().sum()
    }
}

/// Reads one request (head and `Content-Length` body); `None` at a clean end of the connection.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Option<String>> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_owned();
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    buf.drain(..head_end + length);
    Ok(Some(path))
}

fn head(status: u16, headers: &[(&'static str, String)], length: Option<usize>) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status} X\r\n");
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    match length {
        Some(n) => h.push_str(&format!("Content-Length: {n}\r\n")),
        None => h.push_str("Transfer-Encoding: chunked\r\n"),
    }
    h.push_str("\r\n");
    h.into_bytes()
}

async fn serve(
    mut stream: TcpStream,
    script: &Script,
    requests: &Mutex<HashMap<String, usize>>,
    huge_written: &AtomicUsize,
    huge_cut_short: &AtomicBool,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    while let Some(path) = read_request(&mut stream, &mut buf).await? {
        let n = {
            let mut counts = requests.lock().expect("not poisoned");
            let c = counts.entry(path.clone()).or_default();
            *c += 1;
            *c - 1
        };
        match script(&path, n) {
            Reply::Full { status, headers, body } => {
                let mut out = head(status, &headers, Some(body.len()));
                out.extend_from_slice(&body);
                stream.write_all(&out).await?;
            }
            Reply::ResetBeforeResponse => {
                stream.set_zero_linger()?;
                return Ok(());
            }
            Reply::CloseBeforeResponse => return stream.shutdown().await,
            Reply::CutMidBody { declared, sent, reset } => {
                let mut out = head(200, &[("Content-Type", "application/json".into())], Some(declared));
                out.extend_from_slice(&sent);
                stream.write_all(&out).await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_millis(20)).await;
                if reset {
                    stream.set_zero_linger()?;
                    return Ok(());
                }
                return stream.shutdown().await;
            }
            Reply::Stall => {
                tokio::time::sleep(Duration::from_secs(120)).await;
                return Ok(());
            }
            Reply::AnnounceOnly { declared } => {
                stream.write_all(&head(200, &[("Content-Type", "application/json".into())], Some(declared))).await?;
                tokio::time::sleep(Duration::from_secs(120)).await;
                return Ok(());
            }
            Reply::StallMidBody { declared, sent } => {
                let mut out = head(200, &[("Content-Type", "application/json".into())], Some(declared));
                out.extend_from_slice(&sent);
                stream.write_all(&out).await?;
                tokio::time::sleep(Duration::from_secs(120)).await;
                return Ok(());
            }
            Reply::Huge { total, content_length } => {
                let headers = [("Content-Type", "application/json".into())];
                stream.write_all(&head(200, &headers, content_length.then_some(total))).await?;
                let mut written = 0usize;
                let block = vec![b' '; 64 * 1024];
                let result: std::io::Result<()> = async {
                    while written < total {
                        let n = block.len().min(total - written);
                        if content_length {
                            stream.write_all(&block[..n]).await?;
                        } else {
                            stream.write_all(format!("{n:x}\r\n").as_bytes()).await?;
                            stream.write_all(&block[..n]).await?;
                            stream.write_all(b"\r\n").await?;
                        }
                        written += n;
                        huge_written.store(written, Ordering::SeqCst);
                    }
                    if !content_length {
                        stream.write_all(b"0\r\n\r\n").await?;
                    }
                    stream.flush().await
                }
                .await;
                if result.is_err() {
                    huge_cut_short.store(true, Ordering::SeqCst);
                }
                return Ok(());
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Clients.

const UCLOUD_OK: &str =
    r#"{"RetCode":0,"Action":"GetUvodnImageResponse","TotalCount":1,"ImageList":[{"ImageId":"i-1"}]}"#;
const FINOVY_OK: &str =
    r#"{"code":0,"success":true,"msg":"ok","traceId":"t","data":{"data":[{"id":"a"}],"totalCounts":1}}"#;
const FINOVY_TOKEN: &str = r#"{"code":0,"success":true,"data":{"token":"tok-1","effectiveTime":7200000}}"#;
const LIST: &str = "/v1/open/image/personal/getList";
const TOKEN: &str = "/v1/auth/getToken";
const ACTION: &str = "GetUvodnImage";

/// Small, deterministic delays: 10 ms, 20 ms (cap 50 ms), three attempts.
fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .with_max_attempts(3)
        .with_base_delay(Duration::from_millis(10))
        .with_max_delay(Duration::from_millis(50))
        .with_jitter(false)
}

fn ucloud(server: &Server) -> ucloud_uodn::Config {
    ucloud_uodn::Config::new("public", "private")
        .with_base_url(&server.base)
        .with_retry(fast_retries())
        .with_timeout(Duration::from_secs(5))
}

fn ucloud_once(server: &Server) -> ucloud_uodn::Client {
    ucloud_uodn::Client::new(ucloud(server).idempotency_override(ACTION, false)).expect("a client")
}

fn finovy(server: &Server) -> finovy_image::Config {
    finovy_image::Config::new(Credentials::Token("tok".into()))
        .with_base_url(&server.base)
        .with_retry(fast_retries())
        .with_timeout(Duration::from_secs(5))
}

async fn ucloud_call(client: &ucloud_uodn::Client) -> Result<ucloud_uodn::GetUvodnImageResponse, Error> {
    client.get_uvodn_image(&GetUvodnImageRequest::new()).await
}

/// A non-idempotent Finovy operation (the generated crate has none), driven through the runtime directly.
static CREATE: Operation = Operation { name: "createImage", idempotent: false };

async fn finovy_post(client: &rt_finovy::Client) -> Result<docbind::runtime::CallInfo, Error> {
    let mut call = Call::new(Method::Post, "/v1/open/image/personal/create");
    call.body_str("imageName", "x");
    // Any operation's decode entry will do: the faults happen before a body is decoded.
    client.call(&CREATE, call, finovy_image::get_list::decode_response).await.map(|(_, info)| info)
}

const CREATE_PATH: &str = "/v1/open/image/personal/create";

/// Runs `f` and asserts it took less than `max`.
async fn timed<T>(max: Duration, f: impl std::future::Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = f.await;
    let took = started.elapsed();
    assert!(took < max, "took {took:?}, bound {max:?}");
    (out, took)
}

fn assert_transport(e: &Error) {
    assert!(matches!(e, Error::Transport { .. }), "expected a transport error, got {e:?}");
}

/// The failure behind an "outcome unknown" error, which a call that may change state ends with once its request may
/// have reached the server.
fn outcome_unknown(e: &Error) -> &Error {
    match e {
        Error::OutcomeUnknown { source, .. } => source,
        other => panic!("expected outcome unknown, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// 5xx and 429.

#[tokio::test]
async fn ucloud_5xx_retried_then_success() {
    let server = Server::start(|_, n| match n {
        0 => json(503, "busy"),
        1 => json(502, "<html>bad gateway</html>"),
        _ => json(200, UCLOUD_OK),
    })
    .await;
    let client = ucloud_uodn::Client::new(ucloud(&server)).unwrap();
    let (r, _) = timed(Duration::from_secs(2), ucloud_call(&client)).await;
    assert_eq!(r.unwrap().image_list[0].image_id.as_deref(), Some("i-1"));
    assert_eq!(server.total(), 3);
}

#[tokio::test]
async fn ucloud_5xx_exhausts_retries_or_is_not_retried() {
    let server = Server::start(|_, _| json(503, "still busy")).await;
    let client = ucloud_uodn::Client::new(ucloud(&server)).unwrap();
    let (r, _) = timed(Duration::from_secs(2), ucloud_call(&client)).await;
    let e = r.unwrap_err();
    assert!(matches!(e, Error::Status { status: 503, ref body, .. } if body == "still busy"), "{e:?}");
    assert_eq!(server.total(), 3);

    // 500 is not a transient status: one attempt.
    let server = Server::start(|_, _| json(500, "internal")).await;
    let client = ucloud_uodn::Client::new(ucloud(&server)).unwrap();
    let e = ucloud_call(&client).await.unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(server.total(), 1);

    // May change state: 503 is returned at once, as an unknown outcome.
    let server = Server::start(|_, _| json(503, "busy")).await;
    let e = ucloud_call(&ucloud_once(&server)).await.unwrap_err();
    assert_eq!(outcome_unknown(&e).status(), Some(503));
    assert_eq!(server.total(), 1);
}

#[tokio::test]
async fn rate_limited_429_honours_retry_after_or_backs_off() {
    // Retry-After: 1 (seconds) replaces the computed delay, within the policy's cap (here 2 s).
    let server = Server::start(|_, n| match n {
        0 => with_header(json(429, "slow down"), "Retry-After", "1"),
        _ => json(200, UCLOUD_OK),
    })
    .await;
    let policy = fast_retries().with_max_delay(Duration::from_secs(2));
    let client = ucloud_uodn::Client::new(ucloud(&server).with_retry(policy)).unwrap();
    let (r, took) = timed(Duration::from_secs(3), ucloud_call(&client)).await;
    r.unwrap();
    assert!(took >= Duration::from_millis(950), "Retry-After ignored: {took:?}");
    assert_eq!(server.total(), 2);

    // Without Retry-After: the policy's backoff (10 ms), so well under the second above.
    let server = Server::start(|path, n| match (path, n) {
        (LIST, 0 | 1) => json(429, "slow down"),
        _ => json(200, FINOVY_OK),
    })
    .await;
    let client = finovy_image::Client::new(finovy(&server)).unwrap();
    let (r, _) = timed(Duration::from_millis(900), client.get_list(&GetListRequest::new())).await;
    assert_eq!(r.unwrap().data.len(), 1);
    assert_eq!(server.count(LIST), 3);

    // A 429 that never ends: the last 429 is the error.
    let server = Server::start(|_, _| with_header(json(429, "{}"), "Retry-After", "0")).await;
    let client = finovy_image::Client::new(finovy(&server)).unwrap();
    let (r, _) = timed(Duration::from_secs(2), client.get_list(&GetListRequest::new())).await;
    assert_eq!(r.unwrap_err().status(), Some(429));
    assert_eq!(server.count(LIST), 3);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    // An HTTP date two seconds ahead (whole seconds, so between one and two seconds from now); the cap is 10 s.
    let server = Server::start(|_, n| match n {
        0 => {
            let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
            with_header(json(503, "maintenance"), "Retry-After", &date)
        }
        _ => json(200, UCLOUD_OK),
    })
    .await;
    let policy = fast_retries().with_max_delay(Duration::from_secs(10));
    let client = ucloud_uodn::Client::new(ucloud(&server).with_retry(policy)).unwrap();
    let (r, took) = timed(Duration::from_secs(4), ucloud_call(&client)).await;
    r.unwrap();
    assert!(took >= Duration::from_millis(900), "the HTTP date was ignored: {took:?}");
    assert_eq!(server.total(), 2);

    // A date in the past: retry at once, not after the policy's backoff (here 5 s).
    let server = Server::start(|_, n| match n {
        0 => with_header(json(503, "maintenance"), "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
        _ => json(200, UCLOUD_OK),
    })
    .await;
    let policy = fast_retries().with_base_delay(Duration::from_secs(5)).with_max_delay(Duration::from_secs(10));
    let client = ucloud_uodn::Client::new(ucloud(&server).with_retry(policy)).unwrap();
    let (r, _) = timed(Duration::from_millis(500), ucloud_call(&client)).await;
    r.unwrap();
}

// ---------------------------------------------------------------------------------------------------------------
// Resets, closes, truncation.

#[tokio::test]
async fn connection_reset_before_response_is_retried_when_idempotent_only() {
    let server = Server::start(|_, n| if n == 0 { Reply::ResetBeforeResponse } else { json(200, UCLOUD_OK) }).await;
    let client = ucloud_uodn::Client::new(ucloud(&server)).unwrap();
    let (r, _) = timed(Duration::from_secs(2), ucloud_call(&client)).await;
    r.unwrap();
    assert_eq!(server.total(), 2);

    for reply in [Reply::ResetBeforeResponse, Reply::CloseBeforeResponse] {
        let server = Server::start(move |_, _| reply.clone()).await;
        let (r, _) = timed(Duration::from_secs(2), ucloud_call(&ucloud_once(&server))).await;
        assert_transport(outcome_unknown(&r.unwrap_err()));
        assert_eq!(server.total(), 1, "a call that may change state was sent twice");
    }
}

#[tokio::test]
async fn connection_cut_mid_response_is_a_transport_error() {
    let partial = &UCLOUD_OK.as_bytes()[..20];
    for reset in [true, false] {
        let sent = partial.to_vec();
        let server =
            Server::start(move |_, _| Reply::CutMidBody { declared: UCLOUD_OK.len(), sent: sent.clone(), reset }).await;
        // Idempotent: retried to exhaustion, then the transport error.
        let client = ucloud_uodn::Client::new(ucloud(&server)).unwrap();
        let (r, _) = timed(Duration::from_secs(3), ucloud_call(&client)).await;
        assert_transport(&r.unwrap_err());
        assert_eq!(server.total(), 3);
        // May change state: once, and the outcome is unknown.
        let before = server.total();
        let (r, _) = timed(Duration::from_secs(2), ucloud_call(&ucloud_once(&server))).await;
        assert_transport(outcome_unknown(&r.unwrap_err()));
        assert_eq!(server.total() - before, 1);
    }
    // A cut, then a good answer: the retried success.
    let sent = partial.to_vec();
    let server = Server::start(move |_, n| match n {
        0 => Reply::CutMidBody { declared: 500, sent: sent.clone(), reset: true },
        _ => json(200, UCLOUD_OK),
    })
    .await;
    let client = ucloud_uodn::Client::new(ucloud(&server)).unwrap();
    assert_eq!(ucloud_call(&client).await.unwrap().total_count, Some(1));
    assert_eq!(server.total(), 2);
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_keeping_the_body_and_not_retried() {
    let cut = &UCLOUD_OK[..40];
    let server = Server::start(move |_, _| json(200, cut)).await;
    let client = ucloud_uodn::Client::new(ucloud(&server)).unwrap();
    let (r, _) = timed(Duration::from_secs(2), ucloud_call(&client)).await;
    match r.unwrap_err() {
        Error::Decode { source, body, .. } => {
            assert!(source.message().contains("EOF"), "{source}");
            assert_eq!(source.line(), 1, "{source}");
            assert_eq!(&body[..], cut.as_bytes());
        }
        e => panic!("expected a decode error, got {e:?}"),
    }
    assert_eq!(server.total(), 1, "a decode error is not transient");

    let cut = &FINOVY_OK[..50];
    let server = Server::start(move |_, _| json(200, cut)).await;
    let client = finovy_image::Client::new(finovy(&server)).unwrap();
    let e = client.get_list(&GetListRequest::new()).await.unwrap_err();
    assert!(matches!(e, Error::Decode { ref body, .. } if &body[..] == cut.as_bytes()), "{e:?}");
    assert_eq!(server.total(), 1);
}

#[tokio::test]
async fn html_error_page_with_status_200_is_a_decode_error() {
    const PAGE: &str = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let page = || Reply::Full { status: 200, headers: vec![("Content-Type", "text/html".into())], body: PAGE.into() };
    let server = Server::start(move |_, _| page()).await;
    let client = ucloud_uodn::Client::new(ucloud(&server)).unwrap();
    let e = ucloud_call(&client).await.unwrap_err();
    assert!(matches!(e, Error::Decode { ref body, .. } if body.starts_with(b"<!DOCTYPE")), "{e:?}");
    let client = finovy_image::Client::new(finovy(&server)).unwrap();
    let e = client.get_list(&GetListRequest::new()).await.unwrap_err();
    assert!(matches!(e, Error::Decode { ref body, .. } if body.starts_with(b"<!DOCTYPE")), "{e:?}");
    assert_eq!(server.total(), 2, "neither client retries a decode error");
}

/// After a request that may change state went out, a reply that is not decoded and judged leaves the outcome open:
/// an HTML page with status 200, JSON cut short with a matching length, malformed JSON, a status that cannot be
/// read, a body over the limit, a redirect. Never a definite failure, never repeated; the vendor's own failure
/// code and an HTTP 4xx stay definite.
#[tokio::test]
async fn a_reply_that_is_not_decoded_after_a_state_change_leaves_the_outcome_unknown() {
    const PAGE: &str = "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>";
    let html = || Reply::Full { status: 200, headers: vec![("Content-Type", "text/html".into())], body: PAGE.into() };
    type Cause = fn(&Error) -> bool;
    let is_decode: Cause = |e| matches!(e, Error::Decode { .. });
    let is_malformed: Cause = |e| matches!(e, Error::MalformedStatus { .. });
    let cases: Vec<(Reply, Reply, Cause)> = vec![
        (html(), html(), is_decode),
        (json(200, &UCLOUD_OK[..40]), json(200, &FINOVY_OK[..50]), is_decode),
        (json(200, r#"{"RetCode":0,,"ImageList":[]}"#), json(200, r#"{"code":0,"data":{]}"#), is_decode),
        (json(200, r#"{"Action":"GetUvodnImageResponse"}"#), json(200, r#"{"success":true,"data":{}}"#), is_malformed),
        (json(200, r#"{"RetCode":"E"}"#), json(200, r#"{"code":0,"success":"no"}"#), is_malformed),
        (json(200, &format!("[{}]", " ".repeat(4096))), json(200, &" ".repeat(4096)), |e| {
            matches!(e, Error::BodyTooLarge { .. })
        }),
        (with_header(json(303, ""), "Location", "/done"), with_header(json(303, ""), "Location", "/done"), |e| {
            e.status() == Some(303)
        }),
    ];
    for (ucloud_reply, finovy_reply, cause) in cases {
        let reply = ucloud_reply.clone();
        let server = Server::start(move |_, _| reply.clone()).await;
        let client =
            ucloud_uodn::Client::new(ucloud(&server).idempotency_override(ACTION, false).with_max_response_bytes(1024));
        let e = ucloud_call(&client.unwrap()).await.unwrap_err();
        assert!(cause(outcome_unknown(&e)), "UCloud, {ucloud_reply:?}: {e:?}");
        assert_eq!(server.total(), 1, "sent twice after {ucloud_reply:?}");

        let reply = finovy_reply.clone();
        let server = Server::start(move |_, _| reply.clone()).await;
        let config = rt_finovy::Config::new(Credentials::Token("tok".into()))
            .with_base_url(&server.base)
            .with_retry(fast_retries())
            .with_max_response_bytes(1024);
        let e = finovy_post(&rt_finovy::Client::new(config).unwrap()).await.unwrap_err();
        assert!(cause(outcome_unknown(&e)), "Finovy, {finovy_reply:?}: {e:?}");
        assert_eq!(server.count(CREATE_PATH), 1, "sent twice after {finovy_reply:?}");
    }
    // Judged replies are definite failures.
    let server = Server::start(|_, n| match n {
        0 => json(200, r#"{"RetCode":160,"Message":"no such node"}"#),
        _ => json(404, "not found"),
    })
    .await;
    let client = ucloud_once(&server);
    assert_eq!(ucloud_call(&client).await.unwrap_err().code(), Some(160));
    assert_eq!(ucloud_call(&client).await.unwrap_err().status(), Some(404));
}

// ---------------------------------------------------------------------------------------------------------------
// Stalls.

#[tokio::test]
async fn stalls_past_the_timeout_end_in_timeout_errors() {
    let timeout = Duration::from_millis(300);
    // No answer at all.
    let server = Server::start(|_, _| Reply::Stall).await;
    let client = ucloud_uodn::Client::new(ucloud(&server).with_timeout(timeout)).unwrap();
    let (r, took) = timed(Duration::from_secs(3), ucloud_call(&client)).await;
    assert!(matches!(r.unwrap_err(), Error::Timeout { after, .. } if after == timeout));
    assert_eq!(server.total(), 3, "idempotent: three attempts");
    assert!(took >= timeout * 3, "{took:?}");

    let once = ucloud_uodn::Client::new(ucloud(&server).with_timeout(timeout).idempotency_override(ACTION, false));
    let (r, took) = timed(Duration::from_secs(2), ucloud_call(&once.unwrap())).await;
    assert!(matches!(outcome_unknown(&r.unwrap_err()), Error::Timeout { .. }));
    assert_eq!(server.total(), 4, "may change state: one more attempt only");
    assert!(took >= timeout);

    // Headers and half the body, then nothing: the timeout covers reading the body too.
    let sent = FINOVY_OK.as_bytes()[..30].to_vec();
    let server = Server::start(move |_, _| Reply::StallMidBody { declared: FINOVY_OK.len(), sent: sent.clone() }).await;
    let client =
        finovy_image::Client::new(finovy(&server).with_timeout(timeout).with_retry(RetryPolicy::disabled())).unwrap();
    let (r, _) = timed(Duration::from_secs(2), client.get_list(&GetListRequest::new())).await;
    assert!(matches!(r.unwrap_err(), Error::Timeout { after, .. } if after == timeout));
    assert_eq!(server.total(), 1);
}

// ---------------------------------------------------------------------------------------------------------------
// The 50 MB body.

#[tokio::test]
async fn a_50_mb_body_is_refused_without_buffering_it() {
    const TOTAL: usize = 50 * 1024 * 1024;
    const LIMIT: usize = 1024 * 1024;
    for content_length in [true, false] {
        let server = Server::start(move |_, _| Reply::Huge { total: TOTAL, content_length }).await;
        let client = ucloud_uodn::Client::new(ucloud(&server).with_max_response_bytes(LIMIT)).unwrap();
        let (r, _) = timed(Duration::from_secs(5), ucloud_call(&client)).await;
        assert!(matches!(r.unwrap_err(), Error::BodyTooLarge { limit: LIMIT, .. }));
        assert_eq!(server.total(), 1, "a too-large body is not retried");
        // The client hung up: the server could not write the whole body. What it did write is bounded by the
        // limit plus the kernel's socket buffers on both ends, far below 50 MB.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !server.huge_cut_short.load(Ordering::SeqCst) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let written = server.huge_written.load(Ordering::SeqCst);
        eprintln!("content-length {content_length}: the server wrote {written} of {TOTAL} bytes before the hang-up");
        assert!(server.huge_cut_short.load(Ordering::SeqCst), "the server wrote all {written} bytes");
        assert!(written < 16 * 1024 * 1024, "{written} bytes written before the client hung up");
    }
    // Finovy, same limit.
    let server = Server::start(|_, _| Reply::Huge { total: TOTAL, content_length: false }).await;
    let client = finovy_image::Client::new(finovy(&server).with_max_response_bytes(LIMIT)).unwrap();
    let (r, _) = timed(Duration::from_secs(5), client.get_list(&GetListRequest::new())).await;
    assert!(matches!(r.unwrap_err(), Error::BodyTooLarge { limit: LIMIT, .. }));
    assert_eq!(server.total(), 1);
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_without_reading() {
    // The server announces 50 MB and sends nothing: only a client that judges the Content-Length alone can
    // answer before its timeout.
    const LIMIT: usize = 1024 * 1024;
    let server = Server::start(|_, _| Reply::AnnounceOnly { declared: 50 * 1024 * 1024 }).await;
    let client = ucloud_uodn::Client::new(ucloud(&server).with_max_response_bytes(LIMIT)).unwrap();
    let (r, took) = timed(Duration::from_secs(3), ucloud_call(&client)).await;
    assert!(matches!(r, Err(Error::BodyTooLarge { limit: LIMIT, .. })), "{r:?}");
    assert!(took < Duration::from_secs(1), "waited {took:?} for a body");
    let client = finovy_image::Client::new(finovy(&server).with_max_response_bytes(LIMIT)).unwrap();
    let (r, took) = timed(Duration::from_secs(3), client.get_list(&GetListRequest::new())).await;
    assert!(matches!(r, Err(Error::BodyTooLarge { limit: LIMIT, .. })), "{r:?}");
    assert!(took < Duration::from_secs(1), "waited {took:?} for a body");
    assert_eq!(server.total(), 2, "a too-large body is not retried");
}

// ---------------------------------------------------------------------------------------------------------------
// A Finovy POST (may change state): every fault after which it may have been carried out, exactly one request
// and an unknown outcome; a 429 (turned away unprocessed) is retried.

#[tokio::test]
async fn finovy_post_is_never_sent_twice() {
    let faults: Vec<Reply> = vec![
        json(503, "busy"),
        Reply::ResetBeforeResponse,
        Reply::CloseBeforeResponse,
        Reply::CutMidBody { declared: 100, sent: b"{\"code\":0".to_vec(), reset: true },
        Reply::Stall,
    ];
    for fault in faults {
        let f = fault.clone();
        let server = Server::start(move |_, _| f.clone()).await;
        let config = rt_finovy::Config::new(Credentials::Token("tok".into()))
            .with_base_url(&server.base)
            .with_retry(fast_retries())
            .with_timeout(Duration::from_millis(300));
        let client = rt_finovy::Client::new(config).unwrap();
        let (r, _) = timed(Duration::from_secs(2), finovy_post(&client)).await;
        let e = r.unwrap_err();
        let cause = outcome_unknown(&e);
        match &fault {
            Reply::Full { status, .. } => assert_eq!(cause.status(), Some(*status)),
            Reply::Stall => assert!(matches!(cause, Error::Timeout { .. }), "{e:?}"),
            _ => assert_transport(cause),
        }
        assert_eq!(server.count(CREATE_PATH), 1, "sent twice after {fault:?}");
    }
    // HTTP 429: the server did not process it, so it is sent again; the last 429 is the error, not an unknown
    // outcome.
    let server = Server::start(|_, _| with_header(json(429, "slow"), "Retry-After", "0")).await;
    let config =
        rt_finovy::Config::new(Credentials::Token("tok".into())).with_base_url(&server.base).with_retry(fast_retries());
    let e = finovy_post(&rt_finovy::Client::new(config).unwrap()).await.unwrap_err();
    assert_eq!(e.status(), Some(429), "{e:?}");
    assert_eq!(server.count(CREATE_PATH), 3);
    // The same op is retried once marked idempotent by the config.
    let server = Server::start(|_, n| if n == 0 { json(503, "busy") } else { json(200, FINOVY_OK) }).await;
    let config = rt_finovy::Config::new(Credentials::Token("tok".into()))
        .with_base_url(&server.base)
        .with_retry(fast_retries())
        .idempotency_override("createImage", true);
    let info = finovy_post(&rt_finovy::Client::new(config).unwrap()).await.unwrap();
    assert_eq!(info.attempts, 2);
    assert_eq!(server.count(CREATE_PATH), 2);
}

// ---------------------------------------------------------------------------------------------------------------
// Concurrency and the token.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_share_one_token_exchange() {
    let server = Server::start(|path, _| match path {
        TOKEN => json(200, FINOVY_TOKEN),
        _ => json(200, FINOVY_OK),
    })
    .await;
    let config = finovy_image::Config::new(Credentials::Exchange { uuid: "u".into(), secret: "s".into() })
        .with_base_url(&server.base)
        .with_retry(fast_retries())
        .with_timeout(Duration::from_secs(20));
    let client = finovy_image::Client::new(config).unwrap();
    let started = Instant::now();
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_list(&GetListRequest::new()).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let page = t.await.expect("no panic").expect("no error");
        assert_eq!(page.total_counts, Some(1));
        ok += 1;
    }
    assert_eq!(ok, 1000);
    assert_eq!(server.count(TOKEN), 1, "one token exchange for every call");
    assert_eq!(server.count(LIST), 1000, "no call retried");
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_ucloud_calls_succeed() {
    let server = Server::start(|_, _| json(200, UCLOUD_OK)).await;
    let client = ucloud_uodn::Client::new(ucloud(&server).with_timeout(Duration::from_secs(20))).unwrap();
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { ucloud_call(&client).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("no panic").expect("no error").total_count, Some(1));
    }
    assert_eq!(server.total(), 1000);
}
