//! Hand-written models, implemented the way generated code implements them.
#![allow(dead_code)]

use docbind_runtime::__private::finovy::{decode_envelope, EnvelopeStatus};
use docbind_runtime::__private::ucloud::{decode_body, ResponseStatus};
use docbind_runtime::__private::{Decode, ObjectFields, Slot};
use docbind_runtime::{DecodeError, Extra};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImageInfo {
    pub image_id: Option<String>,
    pub image_name: Option<String>,
    pub status: Option<i64>,
    pub deploy_info_list: Vec<DeployImageInfo>,
    pub extra: Extra,
}

impl Decode for ImageInfo {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = key.and_then(|key| {
            Some(match key {
                "ImageId" | "imageId" => Slot::Str(&mut self.image_id),
                "ImageName" | "imageName" => Slot::Str(&mut self.image_name),
                "Status" | "status" => Slot::Int(&mut self.status),
                "DeployInfoList" => Slot::ModelList(&mut self.deploy_info_list),
                _ => return None,
            })
        });
        ObjectFields {
            slot,
            extra: &mut self.extra,
            names: &["ImageId", "ImageName", "Status", "DeployInfoList"],
            call: None,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct DeployImageInfo {
    pub region: Option<String>,
    pub extra: Extra,
}

impl Decode for DeployImageInfo {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = key.and_then(|key| {
            Some(match key {
                "Region" => Slot::Str(&mut self.region),
                _ => return None,
            })
        });
        ObjectFields { slot, extra: &mut self.extra, names: &["Region"], call: None }
    }
}

/// UCloud `GetUvodnImage` response.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GetUvodnImageResponse {
    pub image_list: Vec<ImageInfo>,
    pub total_count: Option<i64>,
    pub extra: Extra,
}

impl Decode for GetUvodnImageResponse {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = key.and_then(|key| {
            Some(match key {
                "ImageList" => Slot::ModelList(&mut self.image_list),
                "TotalCount" => Slot::Int(&mut self.total_count),
                _ => return None,
            })
        });
        ObjectFields { slot, extra: &mut self.extra, names: &["ImageList", "TotalCount"], call: None }
    }
}

/// Finovy `data` of a list call: `{ "data": [...], "totalCounts": n }`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ListData {
    pub data: Vec<ImageInfo>,
    pub total_counts: Option<i64>,
    pub extra: Extra,
}

impl Decode for ListData {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = key.and_then(|key| {
            Some(match key {
                "data" => Slot::ModelList(&mut self.data),
                "totalCounts" => Slot::Int(&mut self.total_counts),
                _ => return None,
            })
        });
        ObjectFields { slot, extra: &mut self.extra, names: &["data", "totalCounts"], call: None }
    }
}

/// Decodes a Finovy list body with `data` into [`ListData`], as a generated `decode_response` does, except that
/// the envelope's extra keys stay in the status (the call reports them in `CallInfo::extra`).
pub fn list_data(body: &[u8]) -> Result<(Option<ListData>, EnvelopeStatus), DecodeError> {
    let mut data = None;
    let status = decode_envelope(body, Slot::Model(&mut data))?;
    Ok((data, status))
}

/// Decodes a `GetUvodnImage` body the way its generated `decode_response` does.
pub fn decode_image(body: &[u8]) -> Result<(GetUvodnImageResponse, ResponseStatus), DecodeError> {
    let mut response = GetUvodnImageResponse::default();
    let status = decode_body(body, &mut response)?;
    Ok((response, status))
}

/// A bare HTTP/1.1 server on 127.0.0.1 that answers every request with `status` and `body` and records each
/// request's head (request line and headers) exactly as it arrived. Returns its base URL and the heads.
pub async fn recording_server(
    status: u16,
    body: &'static str,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let heads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let recorded = heads.clone();
    let base = scripted_server(move |head: String, _| {
        recorded.lock().expect("not poisoned").push(head);
        async move { (status, body.to_owned()) }
    })
    .await;
    (base, heads)
}

/// A bare HTTP/1.1 keep-alive server on 127.0.0.1 that answers each request (its head: request line and headers,
/// as it arrived) with what `answer(head, body)` resolves to: a status and a JSON body. Returns its base URL.
pub async fn scripted_server<F>(answer: impl Fn(String, Vec<u8>) -> F + Send + Sync + 'static) -> String
where
    F: std::future::Future<Output = (u16, String)> + Send + 'static,
{
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    let answer = std::sync::Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    let length = head
                        .lines()
                        .filter_map(|l| l.split_once(':'))
                        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
                        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    while buf.len() < end + 4 + length {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body = buf[end + 4..end + 4 + length].to_vec();
                    buf.drain(..end + 4 + length);
                    let (status, body) = answer(head, body).await;
                    let response = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    base
}

/// Everything the runtime logs (at debug level and above) on this thread while the returned guard lives, as the
/// text `tracing-subscriber`'s formatter writes. Use it in a current-thread runtime (`#[tokio::test]`'s default),
/// so every task of the test logs on this thread.
///
/// Why one global subscriber routed by thread, not `tracing::subscriber::set_default` per test: tracing caches
/// each call site's interest. A call site first reached by another test's thread while no scoped subscriber is
/// set gets "never" cached, and if that happens while this test is installing its own, nothing rebuilds it: the
/// test then sees no log at all (seen as a rare flake). With a global subscriber every interest computed after
/// its installation is "always", and the rebuild below corrects any computed before.
pub fn capture_logs() -> (Logs, CaptureGuard) {
    static GLOBAL: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    GLOBAL.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(ThisThreadsLogs)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber in the tests");
    });
    tracing::callsite::rebuild_interest_cache();
    let logs = Logs::default();
    CAPTURING.with(|slot| *slot.borrow_mut() = Some(logs.clone()));
    (logs, CaptureGuard(()))
}

thread_local! {
    static CAPTURING: std::cell::RefCell<Option<Logs>> = const { std::cell::RefCell::new(None) };
}

/// Stops [`capture_logs`]' capture on this thread when dropped.
pub struct CaptureGuard(());

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        CAPTURING.with(|slot| *slot.borrow_mut() = None);
    }
}

/// The global subscriber's writer: the capturing thread's [`Logs`], or nowhere.
struct ThisThreadsLogs;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for ThisThreadsLogs {
    type Writer = Box<dyn std::io::Write>;

    fn make_writer(&'a self) -> Self::Writer {
        match CAPTURING.with(|slot| slot.borrow().clone()) {
            Some(logs) => Box::new(logs),
            None => Box::new(std::io::sink()),
        }
    }
}

/// Captured log text.
#[derive(Clone, Default)]
pub struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Logs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A server on 127.0.0.1 that reads requests and never answers. Returns its base URL and how many connections
/// it accepted.
pub async fn stalling_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::AsyncReadExt as _;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {}
            });
        }
    });
    (base, accepted)
}

/// A listener on 127.0.0.1 whose accept queue is full (it never accepts), so a new connection cannot open: the
/// kernel drops its SYNs. Keep the returned value alive while connecting.
pub async fn unopenable_listener() -> (String, impl Sized) {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.bind("127.0.0.1:0".parse().expect("an address")).expect("bind 127.0.0.1");
    let listener = socket.listen(1).expect("listen");
    let addr = listener.local_addr().expect("local address");
    let mut queued = Vec::new();
    for _ in 0..64 {
        match tokio::time::timeout(std::time::Duration::from_millis(200), tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => queued.push(stream),
            _ => break, // the queue is full
        }
    }
    (format!("http://{addr}"), (listener, queued))
}

/// A wiremock server that answers everything with success, for UCloud, Finovy calls and token exchanges alike:
/// the target of a redirect, which must receive nothing secret.
pub async fn redirect_target() -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    let ok = serde_json::json!({"RetCode": 0, "code": 0, "success": true, "data": {"token": "t", "effectiveTime": 1_800_000}});
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(ok))
        .mount(&server)
        .await;
    server
}

/// A wiremock server that redirects every request to `location` with `status`.
pub async fn redirecting(status: u16, location: &str) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            wiremock::ResponseTemplate::new(status).insert_header("Location", location).set_body_string("moved"),
        )
        .mount(&server)
        .await;
    server
}
