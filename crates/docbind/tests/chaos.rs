//! Chaos: thousands of mixed calls through the facade's public API (reads, page streams, and every UODN and
//! personal-image state change) against an in-process stand-in on 127.0.0.1 that misbehaves on about 40% of the
//! requests, and a check of every call's outcome against what the stand-in applied and replied.
//!
//! Faults, decided per request from the seed, the call and the attempt (so a seed's faults are the same on every
//! run; the workers' interleaving is not): a reset before or after applying the change, HTTP 503 before and 500
//! after it, 429 with `Retry-After`, a reply slower than the timeout, a body cut short, JSON cut short with a
//! matching length, an HTML page with status 200, malformed JSON, the vendor's error code, a repeated status key,
//! permuted keys with a repeated unknown one, chunked bodies, a gzip body the client did not ask for, a Finovy token
//! refused (401, HTTP or in the body) and short-lived tokens, refused connections (a client pointed at a closed port),
//! several nodes per request, and page streams whose server ignores the offset or page, repeats an earlier page,
//! reports no total or caps its pages below the limit.
//!
//! Counted, each of which must be 0: state changes applied more than once; state changes sent again after a request
//! of theirs may have arrived (only a 429 or a refused token allow it); definite failures (an error other than
//! `OutcomeUnknown`) of changes that were applied; `Ok` for changes that were not; values lost or changed (an `Ok`
//! whose values are not those the stand-in sent); page streams that end normally with other items than the
//! catalogue's, or yield a wrong item before their error; calls that hang; panics.
//!
//! Knobs: `DOCBIND_CHAOS_CALLS` (default 2,000; `cargo xtask chaos` runs 10,000) and `DOCBIND_CHAOS_SEED`.

use docbind::finovy_image::{self, AddImageRequest, DeleteImageRequest, GetListRequest, UpdateImageRequest};
use docbind::runtime::finovy::Credentials;
use docbind::runtime::{Error, RetryPolicy};
use docbind::ucloud_uodn::{
    self, CreateUvodnNodeRequest, DeleteUvodnNodeRequest, DescribeUvodnNodeRequest, GetUvodnImageRequest,
    PoweroffUvodnNodeRequest, RestartUvodnNodeRequest, StartUvodnNodeRequest, StopUvodnNodeRequest,
};
use futures::StreamExt as _;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const DEFAULT_CALLS: u64 = 2_000;
const DEFAULT_SEED: u64 = 0x00d0_cb1d_c4a0_5eed;
const WORKERS: u64 = 16;
/// The clients' per-attempt timeout; a slow reply comes later than this.
const TIMEOUT: Duration = Duration::from_millis(250);
const SLOW: Duration = Duration::from_millis(600);
/// Longer than any call may take (its deadline is 5 s): past it, the call counts as hung.
const HANG: Duration = Duration::from_secs(20);
/// The images of UCloud's `GetUvodnImage` and Finovy's `getList`, served page by page.
const UCLOUD_CATALOGUE: usize = 47;
const FINOVY_CATALOGUE: usize = 23;

// ---------------------------------------------------------------------------------------------------------------
// Randomness: splitmix64, seeded; a request's fault is a function of the seed, its call and its attempt.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A seed for `parts` under `seed` (FNV-1a over the parts, then mixed).
fn derive(seed: u64, parts: &[&str]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    Rng(h).next()
}

// ---------------------------------------------------------------------------------------------------------------
// Faults.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// A correct reply.
    None,
    /// A correct reply with its keys permuted and an unknown key repeated.
    Permuted,
    /// A correct reply, chunked.
    Chunked,
    /// Read the request, reset the connection; not applied.
    ResetBefore,
    /// Apply, then reset the connection.
    ResetAfter,
    /// HTTP 503, not applied.
    Unavailable,
    /// Apply, then HTTP 500.
    InternalError,
    /// HTTP 429 with `Retry-After: 0`, not applied.
    TooMany,
    /// Apply, then reply after the client's timeout.
    Slow,
    /// Apply, then send half the body announced and close.
    CutBody,
    /// Apply, then JSON cut short with a matching `Content-Length`.
    TruncatedJson,
    /// Apply, then an HTML page with status 200.
    Html,
    /// Apply, then malformed JSON.
    Malformed,
    /// Apply, then a reply whose status key is repeated.
    RepeatedStatus,
    /// Apply, then a gzip body the client did not ask for.
    Gzip,
    /// The vendor's error code; not applied.
    ErrorCode,
    /// Finovy: the token is refused (HTTP 401 or code 401) and revoked; not applied.
    TokenRefused,
}

impl Fault {
    /// About 40% of requests get a fault; a third of the rest a harmless variation.
    fn pick(rng: &mut Rng, finovy: bool) -> Fault {
        use Fault::*;
        let roll = rng.below(1000);
        match roll {
            0..=399 => {
                let faults: &[Fault] = &[
                    ResetBefore,
                    ResetAfter,
                    Unavailable,
                    InternalError,
                    TooMany,
                    CutBody,
                    TruncatedJson,
                    Html,
                    Malformed,
                    RepeatedStatus,
                    Gzip,
                    ErrorCode,
                    TokenRefused,
                ];
                let fault = faults[(roll % faults.len() as u64) as usize];
                if fault == TokenRefused && !finovy {
                    ErrorCode
                } else {
                    fault
                }
            }
            400..=409 => Slow,
            410..=529 => Permuted,
            530..=649 => Chunked,
            _ => None,
        }
    }

    /// Whether the stand-in applies the change before answering so.
    fn applies(self) -> bool {
        !matches!(
            self,
            Fault::ResetBefore | Fault::Unavailable | Fault::TooMany | Fault::ErrorCode | Fault::TokenRefused
        )
    }

    /// Whether the reply tells the client that the request was not processed, so it may be sent again.
    fn turned_away(self) -> bool {
        matches!(self, Fault::TooMany | Fault::TokenRefused)
    }

    /// Whether the client receives the reply whole and well formed.
    fn good(self) -> bool {
        matches!(self, Fault::None | Fault::Permuted | Fault::Chunked)
    }
}

/// How a page stream's server misbehaves (decided per stream).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Paging {
    Honest,
    NoTotal,
    /// Serves the first page whatever the offset or page asked for.
    IgnoresPosition,
    /// Serves the first page again as the third.
    RepeatsAnEarlierPage,
    /// Serves at most 4 items whatever the limit, without a total.
    CappedNoTotal,
}

// ---------------------------------------------------------------------------------------------------------------
// The stand-in's world: what exists, what was applied and replied, per call (its marker).

#[derive(Default)]
struct World {
    seed: u64,
    /// UCloud nodes: id → (state, name).
    nodes: HashMap<String, (u8, String)>,
    /// Finovy personal images: id → name.
    images: HashMap<String, String>,
    next_id: u64,
    /// Valid Finovy tokens, and until when.
    tokens: HashMap<String, Instant>,
    /// Every request that reached the stand-in, by call marker, with its fault.
    requests: HashMap<String, Vec<Fault>>,
    /// How often each call's change was applied.
    applied: HashMap<String, u32>,
    /// The last well-formed success reply of each call (the payload the client must return).
    replied: HashMap<String, Value>,
}

type Shared = Arc<Mutex<World>>;

fn lock(world: &Shared) -> std::sync::MutexGuard<'_, World> {
    world.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One request as the stand-in read it.
struct Request {
    method: String,
    path: String,
    query: HashMap<String, String>,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Request {
    /// UCloud's form parameters (from the body).
    fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(&self.body).into_owned().collect()
    }
}

/// What the handler decided: the fault and the correct reply's JSON (with the status that makes it a success).
struct Answer {
    fault: Fault,
    status: u16,
    body: Value,
    /// The status keys, for a reply that repeats them.
    status_key: &'static str,
}

async fn serve(listener: TcpListener, world: Shared) {
    while let Ok((stream, _)) = listener.accept().await {
        let world = world.clone();
        tokio::spawn(async move {
            let _ = connection(stream, &world).await;
        });
    }
}

async fn connection(mut stream: TcpStream, world: &Shared) -> std::io::Result<()> {
    let mut buf = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buf).await? {
        let answer = handle(&request, world);
        if !reply(&mut stream, answer).await? {
            return Ok(());
        }
    }
    Ok(())
}

async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<Option<Request>> {
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
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or_default().split_whitespace();
    let method = first.next().unwrap_or_default().to_owned();
    let target = first.next().unwrap_or("/").to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers.get("content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end..head_end + length].to_vec();
    buf.drain(..head_end + length);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    Ok(Some(Request { method, path: path.to_owned(), query, headers, body }))
}

/// The request's fault: the seed's choice for this call and attempt.
fn fault_for(world: &mut World, marker: &str, finovy: bool) -> Fault {
    let attempt = world.requests.get(marker).map_or(0, Vec::len);
    let mut rng = Rng(derive(world.seed, &[marker, &attempt.to_string()]));
    let fault = Fault::pick(&mut rng, finovy);
    world.requests.entry(marker.to_owned()).or_default().push(fault);
    fault
}

fn handle(request: &Request, world: &Shared) -> Answer {
    let mut world = lock(world);
    if request.path.starts_with("/v1/") {
        finovy(request, &mut world)
    } else {
        ucloud(request, &mut world)
    }
}

fn ucloud(request: &Request, world: &mut World) -> Answer {
    let form = request.form();
    let action = form.get("Action").cloned().unwrap_or_default();
    let marker = form.get("ProjectId").cloned().unwrap_or_default();
    let node_ids: Vec<String> = (0..).map_while(|i| form.get(&format!("NodeId.{i}")).cloned()).collect();
    let fault = fault_for(world, &marker, false);
    let mut body = json!({"RetCode": 0, "Action": format!("{action}Response")});
    let apply = fault.applies();
    match action.as_str() {
        "CreateUvodnNode" => {
            let count: usize = form.get("NodeCount").and_then(|c| c.parse().ok()).unwrap_or(1);
            let mut created = Vec::new();
            if apply {
                *world.applied.entry(marker.clone()).or_default() += 1;
                for _ in 0..count {
                    world.next_id += 1;
                    let id = format!("uodn-{}", world.next_id);
                    let name = form.get("NodeName").cloned().unwrap_or_default();
                    world.nodes.insert(id.clone(), (4, name));
                    created.push(json!({"NodeId": id}));
                }
            }
            body["NodeList"] = Value::Array(created);
        }
        "StartUvodnNode" | "StopUvodnNode" | "RestartUvodnNode" | "PoweroffUvodnNode" | "DeleteUvodnNode" => {
            if apply {
                *world.applied.entry(marker.clone()).or_default() += 1;
                for id in &node_ids {
                    match action.as_str() {
                        "DeleteUvodnNode" => {
                            world.nodes.remove(id);
                        }
                        other => {
                            if let Some(node) = world.nodes.get_mut(id) {
                                node.0 = if matches!(other, "StopUvodnNode" | "PoweroffUvodnNode") { 6 } else { 4 };
                            }
                        }
                    }
                }
            }
        }
        "DescribeUvodnNode" => {
            // Several nodes per request, filtered by NodeId; a node name may be a number, sent as one.
            let list: Vec<Value> = node_ids
                .iter()
                .filter_map(|id| world.nodes.get(id).map(|node| (id, node)))
                .map(|(id, (state, name))| {
                    let name = if name.starts_with("n1.") { number_literal(name) } else { json!(name) };
                    json!({"NodeId": id, "State": state, "NodeName": name, "CoreNum": 2})
                })
                .collect();
            body["TotalCount"] = json!(list.len());
            body["NodeList"] = Value::Array(list);
        }
        "GetUvodnImage" => {
            let offset: usize = form.get("Offset").and_then(|v| v.parse().ok()).unwrap_or(0);
            let limit: usize = form.get("Limit").and_then(|v| v.parse().ok()).unwrap_or(20);
            let (items, total) = page(world, &marker, offset, limit, UCLOUD_CATALOGUE, true);
            body["ImageList"] = Value::Array(items.iter().map(|i| json!({"ImageId": format!("img-{i}")})).collect());
            if let Some(total) = total {
                body["TotalCount"] = json!(total);
            }
        }
        _ => body = json!({"RetCode": 160, "Message": format!("no such action {action}")}),
    }
    if fault == Fault::ErrorCode {
        body = json!({"RetCode": 8044, "Message": "资源不足", "Action": format!("{action}Response")});
    } else if fault.good() {
        world.replied.insert(marker, body.clone());
    }
    Answer { fault, status: 200, body, status_key: "RetCode" }
}

/// The items (catalogue indices) of one page of a stream, by the stream's paging, and the total to report.
fn page(
    world: &World,
    marker: &str,
    position: usize,
    size: usize,
    catalogue: usize,
    offsets: bool,
) -> (Vec<usize>, Option<usize>) {
    let paging = match Rng(derive(world.seed, &[marker, "paging"])).below(5) {
        0 => Paging::NoTotal,
        1 => Paging::IgnoresPosition,
        2 => Paging::RepeatsAnEarlierPage,
        3 => Paging::CappedNoTotal,
        _ => Paging::Honest,
    };
    let requests = world.requests.get(marker).map_or(0, Vec::len);
    let size = if paging == Paging::CappedNoTotal { size.min(4) } else { size };
    let start = if offsets { position } else { position.saturating_sub(1) * size };
    let start = match paging {
        Paging::IgnoresPosition => 0,
        // The third page request (retries of the stream's pages count too, which only moves the repeat).
        Paging::RepeatsAnEarlierPage if requests == 3 => 0,
        _ => start,
    };
    let end = (start + size).min(catalogue);
    let items = (start.min(end)..end).collect();
    let total = match paging {
        Paging::NoTotal | Paging::CappedNoTotal => None,
        _ => Some(catalogue),
    };
    (items, total)
}

fn finovy(request: &Request, world: &mut World) -> Answer {
    let ok = |data: Value| json!({"code": 0, "success": true, "msg": "ok", "traceId": "t-1", "data": data});
    if request.path == "/v1/auth/getToken" {
        world.next_id += 1;
        let token = format!("tok-{}", world.next_id);
        // Some tokens live briefly: the client must refresh them in time, or take the 401 and refresh.
        let lifetime = if world.next_id % 3 == 0 { 1_500 } else { 600_000 };
        world.tokens.insert(token.clone(), Instant::now() + Duration::from_millis(lifetime));
        return Answer {
            fault: Fault::None,
            status: 200,
            body: ok(json!({"token": token, "effectiveTime": lifetime})),
            status_key: "code",
        };
    }
    let id = request.path.rsplit('/').next().unwrap_or_default().to_owned();
    let json_body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let marker = match request.method.as_str() {
        "DELETE" => format!("delete {id}"),
        "GET" => request.query.get("imageName").cloned().unwrap_or_default(),
        _ => json_body["imageName"].as_str().unwrap_or_default().to_owned(),
    };
    let mut fault = fault_for(world, &marker, true);
    let token = request.headers.get("finovy-access-token").cloned().unwrap_or_default();
    if world.tokens.get(&token).is_none_or(|until| Instant::now() >= *until) {
        fault = Fault::TokenRefused;
        if let Some(last) = world.requests.get_mut(&marker).and_then(|faults| faults.last_mut()) {
            *last = fault;
        }
    }
    if fault == Fault::TokenRefused {
        world.tokens.remove(&token);
        let in_body = world.next_id % 2 == 0;
        let body = json!({"code": 401, "success": false, "msg": "token expired"});
        return Answer { fault, status: if in_body { 200 } else { 401 }, body, status_key: "code" };
    }
    let apply = fault.applies();
    let data = match (request.method.as_str(), request.path.as_str()) {
        ("GET", _) => {
            let page_no: usize = request.query.get("page").and_then(|v| v.parse().ok()).unwrap_or(1);
            let size: usize = request.query.get("pageSize").and_then(|v| v.parse().ok()).unwrap_or(10);
            let (items, total) = page(world, &marker, page_no, size, FINOVY_CATALOGUE, false);
            let mut page = json!({"data": items.iter().map(|i| json!({"id": format!("c{i}"), "imageName": format!("catalogue {i}")})).collect::<Vec<_>>()});
            if let Some(total) = total {
                page["totalCounts"] = json!(total);
            }
            page
        }
        ("POST", _) => {
            if apply {
                *world.applied.entry(marker.clone()).or_default() += 1;
                world.next_id += 1;
                let id = format!("p{}", world.next_id);
                world.images.insert(id.clone(), marker.clone());
                json!({"id": id})
            } else {
                Value::Null
            }
        }
        ("PUT" | "DELETE", _) => {
            if apply {
                *world.applied.entry(marker.clone()).or_default() += 1;
                if request.method == "PUT" {
                    world.images.insert(id.clone(), marker.clone());
                } else {
                    world.images.remove(&id);
                }
            }
            Value::Bool(true)
        }
        _ => Value::Null,
    };
    let body = if fault == Fault::ErrorCode {
        json!({"code": 500, "success": false, "msg": "镜像服务繁忙", "traceId": "t-2"})
    } else {
        ok(data)
    };
    if fault.good() && fault != Fault::ErrorCode {
        world.replied.insert(marker, body.clone());
    }
    Answer { fault, status: 200, body, status_key: "code" }
}

/// A name like `n1.50`, to be sent as the number `1.50` (the client must keep its text). serde_json's `Value`
/// cannot hold `1.50` as written: `render` writes the literal in place of this object.
fn number_literal(name: &str) -> Value {
    json!({"$number": name.trim_start_matches('n')})
}

/// The JSON text of `value`, with `{"$number": "1.50"}` written as the literal `1.50`.
fn render(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(r#"{"$number":""#) {
        out.push_str(&rest[..at]);
        let after = &rest[at + r#"{"$number":""#.len()..];
        let end = after.find("\"}").unwrap_or(after.len());
        out.push_str(&after[..end]);
        rest = after.get(end + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Writes the answer with its fault; `false` when the connection is to be dropped.
async fn reply(stream: &mut TcpStream, answer: Answer) -> std::io::Result<bool> {
    let Answer { fault, status, body, status_key } = answer;
    let text = render(&body);
    let head_of = |status: u16, length: Option<usize>, extra: &str, content_type: &str| {
        let length =
            length.map_or_else(|| "Transfer-Encoding: chunked\r\n".to_owned(), |n| format!("Content-Length: {n}\r\n"));
        format!("HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n{extra}{length}\r\n").into_bytes()
    };
    let head = |status: u16, length: Option<usize>, extra: &str| head_of(status, length, extra, "application/json");
    let full = |status: u16, body: &[u8], extra: &str| {
        let mut out = head(status, Some(body.len()), extra);
        out.extend_from_slice(body);
        out
    };
    let out = match fault {
        Fault::None => full(status, text.as_bytes(), ""),
        Fault::Permuted => {
            // Keys in reverse order, and an unknown key twice (the same value).
            let members: Vec<String> = match &body {
                Value::Object(map) => map.iter().rev().map(|(k, v)| format!("{}:{}", json!(k), render(v))).collect(),
                _ => vec![],
            };
            let permuted = format!("{{\"Chaos\":1,{},\"Chaos\":1}}", members.join(","));
            full(status, permuted.as_bytes(), "")
        }
        Fault::Chunked => {
            let (a, b) = text.split_at(text.len() / 2);
            let mut out = head(status, None, "");
            for part in [a, b] {
                out.extend_from_slice(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes());
            }
            out.extend_from_slice(b"0\r\n\r\n");
            out
        }
        Fault::ResetBefore | Fault::ResetAfter => {
            stream.set_zero_linger()?;
            return Ok(false);
        }
        Fault::Unavailable => full(503, b"busy", ""),
        Fault::InternalError => full(500, b"internal error", ""),
        Fault::TooMany => full(429, b"slow down", "Retry-After: 0\r\n"),
        Fault::Slow => {
            tokio::time::sleep(SLOW).await;
            full(status, text.as_bytes(), "")
        }
        Fault::CutBody => {
            let mut out = head(status, Some(text.len()), "");
            out.extend_from_slice(&text.as_bytes()[..text.len() / 2]);
            stream.write_all(&out).await?;
            stream.flush().await?;
            stream.shutdown().await?;
            return Ok(false);
        }
        Fault::TruncatedJson => full(status, &text.as_bytes()[..text.len() / 2], ""),
        Fault::Html => {
            let page = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>";
            let mut out = head_of(200, Some(page.len()), "", "text/html");
            out.extend_from_slice(page);
            out
        }
        Fault::Malformed => full(status, format!("{{\"{status_key}\":0,,\"x\":}}").as_bytes(), ""),
        Fault::RepeatedStatus => {
            let repeated = format!("{{\"{status_key}\":0,{}", &text[1..]);
            full(status, repeated.as_bytes(), "")
        }
        Fault::Gzip => {
            let mut gzip = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
            gzip.extend_from_slice(text.as_bytes());
            full(status, &gzip, "Content-Encoding: gzip\r\n")
        }
        Fault::ErrorCode | Fault::TokenRefused => full(status, text.as_bytes(), ""),
    };
    stream.write_all(&out).await?;
    Ok(true)
}

// ---------------------------------------------------------------------------------------------------------------
// The clients and the checks.

#[derive(Default)]
struct Counts {
    calls: AtomicU64,
    ok: AtomicU64,
    outcome_unknown: AtomicU64,
    failed: AtomicU64,
    streams: AtomicU64,
    duplicated: AtomicU64,
    resent_after_arrival: AtomicU64,
    failed_but_applied: AtomicU64,
    ok_not_applied: AtomicU64,
    values_changed: AtomicU64,
    wrong_streams: AtomicU64,
    hangs: AtomicU64,
    panics: AtomicU64,
}

impl Counts {
    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn violations(&self) -> u64 {
        [
            &self.duplicated,
            &self.resent_after_arrival,
            &self.failed_but_applied,
            &self.ok_not_applied,
            &self.values_changed,
            &self.wrong_streams,
            &self.hangs,
            &self.panics,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }

    fn report(&self, seed: u64, took: Duration) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut s = format!(
            "chaos: seed {seed:#x}, {} calls ({} page streams) in {took:.1?}: {} ok, {} outcome unknown, {} failed\n",
            get(&self.calls),
            get(&self.streams),
            get(&self.ok),
            get(&self.outcome_unknown),
            get(&self.failed)
        );
        for (what, counter) in [
            ("duplicated state changes", &self.duplicated),
            ("re-sent after the request may have arrived", &self.resent_after_arrival),
            ("definite failures that were applied", &self.failed_but_applied),
            ("Ok but not applied", &self.ok_not_applied),
            ("values lost or changed", &self.values_changed),
            ("wrong page streams", &self.wrong_streams),
            ("hangs", &self.hangs),
            ("panics", &self.panics),
        ] {
            let _ = writeln!(s, "  {what:<44} {}", get(counter));
        }
        s
    }
}

struct Chaos {
    world: Shared,
    counts: Counts,
    ucloud: ucloud_uodn::Client,
    /// Pointed at a closed port: every connection is refused.
    refused: ucloud_uodn::Client,
    finovy: finovy_image::Client,
    /// Logged violations (the first few), to say what went wrong.
    log: Mutex<Vec<String>>,
}

impl Chaos {
    fn violation(&self, counter: &AtomicU64, what: String) {
        Counts::add(counter);
        let mut log = self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.len() < 20 {
            log.push(what);
        }
    }

    /// Judges a finished state change by its marker: how often it was applied and sent, against its outcome.
    /// `values_match` says whether an `Ok`'s values are those replied.
    fn judge_change<T>(
        &self,
        marker: &str,
        outcome: &Result<T, Error>,
        values_match: impl FnOnce(&T, Option<&Value>) -> bool,
    ) {
        let (applied, sent, replied) = {
            let world = lock(&self.world);
            (
                world.applied.get(marker).copied().unwrap_or(0),
                world.requests.get(marker).cloned().unwrap_or_default(),
                world.replied.get(marker).cloned(),
            )
        };
        if applied > 1 {
            self.violation(&self.counts.duplicated, format!("{marker}: applied {applied} times ({sent:?})"));
        }
        let resent = sent.windows(2).filter(|pair| !pair[0].turned_away()).count();
        if resent > 0 {
            self.violation(&self.counts.resent_after_arrival, format!("{marker}: sent again after {sent:?}"));
        }
        match outcome {
            Ok(value) => {
                Counts::add(&self.counts.ok);
                if applied != 1 {
                    self.violation(
                        &self.counts.ok_not_applied,
                        format!("{marker}: Ok, applied {applied} times ({sent:?})"),
                    );
                } else if !values_match(value, replied.as_ref()) {
                    self.violation(
                        &self.counts.values_changed,
                        format!("{marker}: Ok with other values than {replied:?}"),
                    );
                }
            }
            Err(Error::OutcomeUnknown { .. }) => Counts::add(&self.counts.outcome_unknown),
            Err(error) => {
                Counts::add(&self.counts.failed);
                if applied > 0 {
                    self.violation(&self.counts.failed_but_applied, format!("{marker}: {error} ({sent:?}), applied"));
                }
            }
        }
    }

    /// Judges a finished read: an `Ok` must hold what was replied.
    fn judge_read<T>(&self, marker: &str, outcome: &Result<T, Error>, values_match: impl FnOnce(&T, &Value) -> bool) {
        let replied = lock(&self.world).replied.get(marker).cloned();
        match outcome {
            Ok(value) => {
                Counts::add(&self.counts.ok);
                if !replied.as_ref().is_some_and(|replied| values_match(value, replied)) {
                    self.violation(
                        &self.counts.values_changed,
                        format!("{marker}: read Ok with other values than {replied:?}"),
                    );
                }
            }
            Err(_) => Counts::add(&self.counts.failed),
        }
    }

    /// Judges a page stream: items, then how it ended.
    fn judge_stream(&self, marker: &str, items: &[String], error: Option<&Error>, catalogue: &[String]) {
        Counts::add(&self.counts.streams);
        let right = match error {
            None => items == catalogue,
            Some(_) => catalogue.starts_with(items),
        };
        if error.is_some() {
            Counts::add(&self.counts.failed);
        } else {
            Counts::add(&self.counts.ok);
        }
        if !right {
            let sent = lock(&self.world).requests.get(marker).cloned();
            self.violation(&self.counts.wrong_streams, format!("{marker}: {items:?} then {error:?} ({sent:?})"));
        }
    }
}

/// One worker's calls: `calls` logical calls, each of a kind its RNG picks, on resources only it uses.
async fn worker(chaos: Arc<Chaos>, index: u64, calls: u64, seed: u64) {
    let mut rng = Rng(derive(seed, &["worker", &index.to_string()]));
    let mut nodes: Vec<String> = Vec::new();
    let mut images: Vec<String> = Vec::new();
    for n in 0..calls {
        let marker = format!("w{index}-c{n}");
        Counts::add(&chaos.counts.calls);
        let call = one_call(&chaos, &mut rng, &marker, &mut nodes, &mut images);
        if tokio::time::timeout(HANG, call).await.is_err() {
            chaos.violation(&chaos.counts.hangs, format!("{marker}: no answer within {HANG:?}"));
        }
    }
}

async fn one_call(chaos: &Chaos, rng: &mut Rng, marker: &str, nodes: &mut Vec<String>, images: &mut Vec<String>) {
    let some_nodes = |rng: &mut Rng, nodes: &[String]| -> Vec<String> {
        let mut picked: Vec<String> =
            (0..1 + rng.below(3)).filter_map(|_| nodes.get(rng.below(nodes.len() as u64) as usize).cloned()).collect();
        picked.dedup();
        picked
    };
    let (u, f) = (&chaos.ucloud, &chaos.finovy);
    match rng.below(14) {
        0 | 1 => {
            let name = if rng.below(2) == 0 { format!("n1.{}0", rng.below(9)) } else { format!("node {marker}") };
            let request = CreateUvodnNodeRequest::new("idc-1", 2, 4, 20, "img-1", 10)
                .with_project_id(marker)
                .with_node_count(1 + rng.below(2) as i64)
                .with_node_name(name);
            let outcome = u.create_uvodn_node(&request).await;
            if let Ok(response) = &outcome {
                nodes.extend(response.node_list.iter().filter_map(|n| n.node_id.clone()));
            }
            chaos.judge_change(marker, &outcome, |response, replied| {
                let ids: Vec<Value> = response.node_list.iter().map(|n| json!({"NodeId": n.node_id})).collect();
                replied.is_some_and(|r| r["NodeList"] == Value::Array(ids))
            });
        }
        2..=5 if !nodes.is_empty() => {
            let ids = some_nodes(rng, nodes);
            let outcome = match rng.below(5) {
                0 => {
                    u.start_uvodn_node(&StartUvodnNodeRequest::new(ids.clone()).with_project_id(marker)).await.map(drop)
                }
                1 => u.stop_uvodn_node(&StopUvodnNodeRequest::new(ids.clone()).with_project_id(marker)).await.map(drop),
                2 => u
                    .restart_uvodn_node(&RestartUvodnNodeRequest::new(ids.clone()).with_project_id(marker))
                    .await
                    .map(drop),
                3 => u
                    .poweroff_uvodn_node(&PoweroffUvodnNodeRequest::new(ids.clone()).with_project_id(marker))
                    .await
                    .map(drop),
                _ => {
                    let outcome = u
                        .delete_uvodn_node(&DeleteUvodnNodeRequest::new(ids.clone()).with_project_id(marker))
                        .await
                        .map(drop);
                    nodes.retain(|n| !ids.contains(n));
                    outcome
                }
            };
            chaos.judge_change(marker, &outcome, |(), _| true);
        }
        6 | 7 if !nodes.is_empty() => {
            let ids = some_nodes(rng, nodes);
            let request = DescribeUvodnNodeRequest::new().with_project_id(marker).with_node_id(ids);
            let outcome = u.describe_uvodn_node(&request).await;
            chaos.judge_read(marker, &outcome, |response, replied| {
                let got: Vec<(Option<&str>, Option<&str>, Option<&str>)> = response
                    .node_list
                    .iter()
                    .map(|n| (n.node_id.as_deref(), n.state.as_ref().map(|s| s.as_str()), n.node_name.as_deref()))
                    .collect();
                let sent: Vec<(Option<String>, Option<String>, Option<String>)> = replied["NodeList"]
                    .as_array()
                    .map(|list| {
                        list.iter()
                            .map(|n| {
                                let name = match &n["NodeName"] {
                                    Value::String(s) => Some(s.clone()),
                                    Value::Object(o) => o.get("$number").and_then(Value::as_str).map(str::to_owned),
                                    _ => None,
                                };
                                (n["NodeId"].as_str().map(str::to_owned), Some(n["State"].to_string()), name)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                got.len() == sent.len()
                    && got
                        .iter()
                        .zip(&sent)
                        .all(|(g, s)| (g.0, g.1, g.2) == (s.0.as_deref(), s.1.as_deref(), s.2.as_deref()))
            });
        }
        8 => {
            let limit = [0, 5, 10, 20][rng.below(4) as usize];
            let mut request = GetUvodnImageRequest::new().with_project_id(marker);
            if limit > 0 {
                request = request.with_limit(limit);
            }
            let (items, error) = collect(u.get_uvodn_image_stream(&request), |image| image.image_id).await;
            let catalogue: Vec<String> = (0..UCLOUD_CATALOGUE).map(|i| format!("img-{i}")).collect();
            chaos.judge_stream(marker, &items, error.as_ref(), &catalogue);
        }
        9 => {
            let request = GetListRequest::new().with_image_name(marker).with_page_size([5, 10][rng.below(2) as usize]);
            let (items, error) = collect(f.get_list_stream(&request), |image| image.id).await;
            let catalogue: Vec<String> = (0..FINOVY_CATALOGUE).map(|i| format!("c{i}")).collect();
            chaos.judge_stream(marker, &items, error.as_ref(), &catalogue);
        }
        10 => {
            let outcome = f.add_image(&AddImageRequest::new("machine-1", marker)).await;
            if let Ok(response) = &outcome {
                if let Some(id) = response.data.as_ref().and_then(|d| d["id"].as_str()) {
                    images.push(id.to_owned());
                }
            }
            chaos.judge_change(marker, &outcome, |response, replied| {
                replied.is_some_and(|r| response.data.as_ref() == Some(&r["data"]))
            });
        }
        11 if !images.is_empty() => {
            let id = images[rng.below(images.len() as u64) as usize].clone();
            let outcome = f.update_image(&UpdateImageRequest::new(id, marker)).await.map(drop);
            chaos.judge_change(marker, &outcome, |(), _| true);
        }
        12 if !images.is_empty() => {
            let id = images.swap_remove(rng.below(images.len() as u64) as usize);
            let outcome = f.delete_image(&DeleteImageRequest::new(id.clone())).await.map(drop);
            chaos.judge_change(&format!("delete {id}"), &outcome, |(), _| true);
        }
        13 => {
            // Refused: nothing reaches the stand-in, and the change fails definitely.
            let ids = if nodes.is_empty() { vec!["uodn-none".to_owned()] } else { some_nodes(rng, nodes) };
            let outcome =
                chaos.refused.restart_uvodn_node(&RestartUvodnNodeRequest::new(ids).with_project_id(marker)).await;
            if matches!(&outcome, Err(Error::OutcomeUnknown { .. })) {
                chaos.violation(
                    &chaos.counts.values_changed,
                    format!("{marker}: a refused connection is no unknown outcome"),
                );
            }
            chaos.judge_change(marker, &outcome.map(drop), |(), _| true);
        }
        _ => {
            // A kind that needs resources the worker does not have yet: create a node instead.
            let request = CreateUvodnNodeRequest::new("idc-1", 2, 4, 20, "img-1", 10).with_project_id(marker);
            let outcome = u.create_uvodn_node(&request).await;
            if let Ok(response) = &outcome {
                nodes.extend(response.node_list.iter().filter_map(|n| n.node_id.clone()));
            }
            chaos.judge_change(marker, &outcome, |_, _| true);
        }
    }
}

/// The ids a stream yields (at most a runaway's worth), and the error that ended it.
async fn collect<T, S>(stream: S, id: impl Fn(T) -> Option<String>) -> (Vec<String>, Option<Error>)
where
    S: futures::Stream<Item = Result<T, Error>>,
{
    let results: Vec<Result<T, Error>> = stream.take(500).collect().await;
    let mut items = Vec::new();
    for result in results {
        match result {
            Ok(item) => items.push(id(item).unwrap_or_default()),
            Err(error) => return (items, Some(error)),
        }
    }
    (items, None)
}

fn env_u64(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_outcome_matches_what_the_stand_in_applied_and_replied() {
    let calls = env_u64("DOCBIND_CHAOS_CALLS").unwrap_or(DEFAULT_CALLS);
    let seed = env_u64("DOCBIND_CHAOS_SEED").unwrap_or(DEFAULT_SEED);
    assert!(calls > 0, "DOCBIND_CHAOS_CALLS is 0: nothing would run");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let refused_base = format!("http://{}", closed.local_addr().expect("an address"));
    drop(closed);
    let world: Shared = Arc::new(Mutex::new(World { seed, ..World::default() }));
    tokio::spawn(serve(listener, world.clone()));

    let retry = RetryPolicy::new().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(5));
    let ucloud_config = |base: &str| {
        ucloud_uodn::Config::new("public", "private")
            .with_base_url(base)
            .with_timeout(TIMEOUT)
            .with_deadline(Duration::from_secs(5))
            .with_retry(retry.clone())
    };
    let finovy_config = finovy_image::Config::new(Credentials::Exchange { uuid: "u".into(), secret: "s".into() })
        .with_base_url(&base)
        .with_timeout(TIMEOUT)
        .with_deadline(Duration::from_secs(5))
        .with_retry(retry.clone());
    let chaos = Arc::new(Chaos {
        world: world.clone(),
        counts: Counts::default(),
        ucloud: ucloud_uodn::Client::new(ucloud_config(&base)).expect("a client"),
        refused: ucloud_uodn::Client::new(ucloud_config(&refused_base)).expect("a client"),
        finovy: finovy_image::Client::new(finovy_config).expect("a client"),
        log: Mutex::default(),
    });

    let started = Instant::now();
    let per_worker = calls.div_ceil(WORKERS);
    let workers: Vec<_> = (0..WORKERS)
        .map(|index| {
            let calls = per_worker.min(calls.saturating_sub(index * per_worker));
            tokio::spawn(worker(chaos.clone(), index, calls, seed))
        })
        .collect();
    for worker in workers {
        if worker.await.is_err() {
            Counts::add(&chaos.counts.panics);
        }
    }
    let report = chaos.counts.report(seed, started.elapsed());
    // Straight to stderr, past the harness's capture: the counts are what `cargo xtask chaos` shows.
    let _ = std::io::Write::write_all(&mut std::io::stderr(), report.as_bytes());
    let log = chaos.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner).join("\n");
    assert_eq!(chaos.counts.violations(), 0, "{report}{log}");
    assert!(chaos.counts.calls.load(Ordering::Relaxed) >= calls, "{report}");
}
