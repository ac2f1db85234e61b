//! docbind-runtime's UFile client against the UFile stand-in (real HTTP on 127.0.0.1, signatures checked):
//! streamed bodies both ways, errors, retries, redirects, deadlines, pre-signed URLs and call hooks.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use docbind_runtime::test_util::ufile::StandIn;
use docbind_runtime::test_util::{Reply, StandIn as PlainStandIn};
use docbind_runtime::ufile::{Client, Config, Operation, Request, UploadBody};
use docbind_runtime::{CallOptions, Error, RetryPolicy};
use futures::StreamExt as _;
use reqwest::Method;

const PUBLIC: &str = "TOKEN_PUBLIC_EXAMPLE";
const PRIVATE: &str = "TOKEN_PRIVATE_EXAMPLE";
const PUT_FILE: Operation = Operation { name: "PutFile", idempotent: true };
const GET_FILE: Operation = Operation { name: "GetFile", idempotent: true };
const UPLOAD_PART: Operation = Operation { name: "UploadPart", idempotent: false };

fn client(base_url: &str, private_key: &str) -> Client {
    let config = Config::new(PUBLIC, private_key, "demobucket", "cn-bj")
        .with_base_url(base_url)
        .with_retry(RetryPolicy::new().with_base_delay(Duration::from_millis(1)).with_jitter(false));
    Client::new(config).expect("a valid configuration")
}

fn none() -> CallOptions {
    CallOptions::new()
}

async fn put(client: &Client, key: &str, body: UploadBody) -> Result<docbind_runtime::ufile::Reply, Error> {
    let mut request = Request::new(Method::PUT, Some(key));
    request.header("Content-Type", "application/octet-stream").body(body);
    client.call(PUT_FILE, request, &none()).await
}

async fn get(client: &Client, key: &str, range: Option<&str>) -> Result<(u16, Bytes), Error> {
    let mut request = Request::new(Method::GET, Some(key));
    if let Some(range) = range {
        request.header("Range", range);
    }
    let download = client.download(GET_FILE, request, &none()).await?;
    Ok((download.status, download.body.collect().await?))
}

#[tokio::test]
async fn bytes_a_file_and_a_stream_round_trip_under_a_checked_signature() {
    let stand_in = StandIn::start(PUBLIC, PRIVATE, "demobucket").await.unwrap();
    let client = client(stand_in.base_url(), PRIVATE);
    let key = "photos/2024/中文 file?.jpg";
    let reply = put(&client, key, UploadBody::bytes(&b"hello world"[..])).await.unwrap();
    assert_eq!(reply.headers["etag"], "\"AQAAACqubDXJT8-0FdvpX0CLnOke6Ebt\"", "the stand-in's file ETag");
    assert!(reply.info.request_id.as_deref().is_some_and(|id| id.starts_with("stand-in-")), "{:?}", reply.info);
    assert_eq!(get(&client, key, None).await.unwrap(), (200, Bytes::from_static(b"hello world")));
    assert_eq!(get(&client, key, Some("bytes=6-")).await.unwrap(), (206, Bytes::from_static(b"world")));
    assert_eq!(get(&client, key, Some("bytes=0-4")).await.unwrap(), (206, Bytes::from_static(b"hello")));
    let sent = stand_in.requests();
    assert_eq!(sent[0].target, "/photos/2024/%E4%B8%AD%E6%96%87%20file%3F.jpg", "the path is encoded");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.bin");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    put(&client, "from-file", UploadBody::file(&path).await.unwrap()).await.unwrap();
    assert_eq!(stand_in.object("from-file").unwrap(), data);
    let pieces: Vec<_> = data.chunks(7000).map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c))).collect();
    let chunks = futures::stream::iter(pieces);
    put(&client, "from-stream", UploadBody::stream(data.len() as u64, chunks)).await.unwrap();
    assert_eq!(get(&client, "from-stream", None).await.unwrap().1, data);

    // A stream shorter or longer than its length fails the upload, and nothing is stored.
    for (len, name) in [(5, "short"), (3, "long")] {
        let chunks = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"four"))]);
        let err = put(&client, name, UploadBody::stream(len, chunks)).await.unwrap_err();
        assert!(stand_in.object(name).is_none(), "{name}: {err}");
    }

    // Signed with another key: the service's refusal, {RetCode, ErrMsg} with X-SessionId as request id.
    let wrong = self::client(stand_in.base_url(), "another-private-key");
    let err = get(&wrong, key, None).await.unwrap_err();
    assert!(
        matches!(&err, Error::Service { code: -148653, message, .. } if message == "signature mismatch"),
        "{err:?}"
    );
    assert!(err.request_id().is_some_and(|id| id.starts_with("stand-in-")), "{err:?}");
    // A missing object.
    let err = get(&client, "missing", None).await.unwrap_err();
    assert!(matches!(&err, Error::Service { code: -1, .. }) && err.to_string().contains("file not exist"), "{err}");
}

#[tokio::test]
async fn content_md5_is_lowercase_hex_signed_and_checked() {
    let stand_in = StandIn::start(PUBLIC, PRIVATE, "demobucket").await.unwrap();
    let client = client(stand_in.base_url(), PRIVATE);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hello");
    std::fs::write(&path, b"hello").unwrap();
    let mut request = Request::new(Method::PUT, Some("k"));
    request.body(UploadBody::file(&path).await.unwrap()).compute_md5();
    client.call(PUT_FILE, request, &none()).await.unwrap();
    assert_eq!(stand_in.requests()[0].header("content-md5"), Some("5d41402abc4b2a76b9719d911017c592"));

    let mut request = Request::new(Method::PUT, Some("k"));
    request.body(UploadBody::bytes(&b"hello!"[..])).content_md5("5d41402abc4b2a76b9719d911017c592");
    let err = client.call(PUT_FILE, request, &none()).await.unwrap_err();
    assert!(matches!(&err, Error::Service { message, .. } if message.contains("Content-MD5")), "{err:?}");

    let mut request = Request::new(Method::PUT, Some("k"));
    let stream = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"x"))]);
    request.body(UploadBody::stream(1, stream)).compute_md5();
    let err = client.call(PUT_FILE, request, &none()).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest(m) if m.contains("MD5")), "{err:?}");
}

#[tokio::test]
async fn only_repeatable_calls_are_retried_and_others_end_as_unknown_outcomes() {
    let stand_in = StandIn::start(PUBLIC, PRIVATE, "demobucket").await.unwrap();
    let client = client(stand_in.base_url(), PRIVATE);
    let mut initiate = Request::new(Method::POST, Some("big"));
    initiate.flag("uploads");
    let op = Operation { name: "InitiateMultipartUpload", idempotent: false };
    let reply = client.call(op, initiate, &none()).await.unwrap();
    let id: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let upload_id = id["UploadId"].as_str().unwrap().to_owned();
    let part = |body: &'static [u8]| {
        let mut request = Request::new(Method::PUT, Some("big"));
        request.query("uploadId", upload_id.as_str()).query("partNumber", "0").body(UploadBody::bytes(body));
        request
    };

    stand_in.fail_part_once(0, 503);
    let err = client.call(UPLOAD_PART, part(b"abc"), &none()).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "a state change is not repeated after a 503: {err:?}");
    let parts = || stand_in.requests().iter().filter(|r| r.query("partNumber").is_some()).count();
    assert_eq!(parts(), 1);

    stand_in.fail_part_once(0, 503);
    let repeatable = Operation { idempotent: true, ..UPLOAD_PART };
    client.call(repeatable, part(b"abc"), &none()).await.unwrap();
    assert_eq!(parts(), 3, "a repeatable PUT is sent again after a 503");

    // A stream is sent once, whatever the operation.
    stand_in.fail_part_once(0, 503);
    let mut request = Request::new(Method::PUT, Some("big"));
    let stream = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"abc"))]);
    request.query("uploadId", upload_id.as_str()).query("partNumber", "0").body(UploadBody::stream(3, stream));
    let err = client.call(repeatable, request, &none()).await.unwrap_err();
    assert_eq!(err.status(), Some(503), "{err:?}");
    assert_eq!(parts(), 4);
}

#[tokio::test]
async fn downloads_stream_past_the_response_limit_and_calls_do_not() {
    let stand_in = StandIn::start(PUBLIC, PRIVATE, "demobucket").await.unwrap();
    let config = Config::new(PUBLIC, PRIVATE, "demobucket", "cn-bj")
        .with_base_url(stand_in.base_url())
        .with_max_response_bytes(64 * 1024);
    let client = Client::new(config).unwrap();
    let data = Bytes::from(vec![7u8; 1024 * 1024]);
    put(&client, "big", UploadBody::bytes(data.clone())).await.unwrap();
    let download = client.download(GET_FILE, Request::new(Method::GET, Some("big")), &none()).await.unwrap();
    assert_eq!(download.headers["content-length"], "1048576");
    let mut body = download.body;
    let (mut total, mut largest) = (0, 0);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.unwrap();
        total += chunk.len();
        largest = largest.max(chunk.len());
    }
    assert_eq!(total, data.len());
    assert!(largest <= 512 * 1024, "chunks arrive as read, not as one body: {largest}");
    let err = client.call(GET_FILE, Request::new(Method::GET, Some("big")), &none()).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 65536, .. }), "{err:?}");
}

#[tokio::test]
async fn a_presigned_url_downloads_until_it_expires() {
    let stand_in = StandIn::start(PUBLIC, PRIVATE, "demobucket").await.unwrap();
    let client = client(stand_in.base_url(), PRIVATE);
    put(&client, "a b/c.txt", UploadBody::bytes(&b"shared"[..])).await.unwrap();
    let url = client.presigned_get_url("a b/c.txt", SystemTime::now() + Duration::from_secs(60)).unwrap();
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap(), "shared");
    let expired = client.presigned_get_url("a b/c.txt", SystemTime::now() - Duration::from_secs(1)).unwrap();
    assert_eq!(reqwest::get(&expired).await.unwrap().status(), 403);
    let (head, expires) = url.rsplit_once("Expires=").unwrap();
    let tampered = format!("{head}Expires={}", expires.parse::<u64>().unwrap() + 3600);
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 403, "Expires is signed");
}

#[tokio::test]
async fn redirects_are_refused_and_deadlines_hold() {
    let plain = PlainStandIn::start().await.unwrap();
    plain.on("/moved", Reply::json("").with_status(302).with_header("Location", "http://elsewhere.example/x"));
    plain.on("/slow", Reply::json("{}").with_delay(Duration::from_secs(5)));
    let client = client(plain.base_url(), PRIVATE);
    let err = get(&client, "moved", None).await.unwrap_err();
    assert!(matches!(&err, Error::Redirect { status: 302, .. }), "{err:?}");
    let err = put(&client, "moved", UploadBody::bytes(&b"x"[..])).await.unwrap_err();
    assert!(matches!(&err, Error::Redirect { status: 302, .. }), "a repeatable PUT: {err:?}");
    let err = client.call(UPLOAD_PART, Request::new(Method::PUT, Some("moved")), &none()).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let options = CallOptions::new().with_deadline(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let err = client.download(GET_FILE, Request::new(Method::GET, Some("slow")), &options).await.unwrap_err();
    assert!(matches!(err, Error::Deadline { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let sent = plain.requests();
    let auth = sent[0].header("authorization").unwrap();
    assert!(auth.starts_with("UCloud TOKEN_PUBLIC_EXAMPLE:"), "{auth}");
    assert!(!format!("{client:?}").contains(PRIVATE));
}

#[tokio::test]
async fn a_multipart_upload_interrupted_once_resumes_without_sending_finished_parts_again() {
    use docbind_runtime::ufile::multipart::Multipart;
    const BLOCK: u64 = 64 * 1024;
    let stand_in = StandIn::start_with_block_size(PUBLIC, PRIVATE, "demobucket", BLOCK).await.unwrap();
    let client = client(stand_in.base_url(), PRIVATE);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let data: Vec<u8> = (0..(10 * BLOCK + 123)).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&path, &data).unwrap();

    let upload = Multipart::new(&client, "dir/big.bin").with_content_type("application/x-test").with_concurrency(3);
    let state = upload.initiate().await.unwrap();
    assert_eq!(state.block_size, BLOCK, "the parts are of the server's size");
    stand_in.fail_part_once(4, 500);
    let err = upload.resume_file(&state, &path).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert!(stand_in.object("dir/big.bin").is_none());
    assert_eq!(stand_in.open_uploads(), vec![state.upload_id.clone()], "kept open to resume");

    let finished = upload.resume_file(&state, &path).await.unwrap();
    assert_eq!(finished.parts, 11);
    assert!(finished.parts_sent < 11, "the parts stored before the failure are not sent again: {finished:?}");
    assert_eq!(stand_in.object("dir/big.bin").unwrap(), data);
    let stored: Vec<String> =
        stand_in.requests().iter().filter(|r| r.status == 200).filter_map(|r| r.query("partNumber")).collect();
    for n in 0..11 {
        assert_eq!(stored.iter().filter(|p| **p == n.to_string()).count(), 1, "part {n} stored once: {stored:?}");
    }
    let finish = stand_in.requests().into_iter().find(|r| r.method == "POST" && r.query("uploadId").is_some()).unwrap();
    assert_eq!(finish.header("content-type"), Some("application/x-test"));

    // upload_file aborts what it started when a part fails.
    stand_in.fail_part_once(2, 400);
    let err = upload.upload_file(&path).await.unwrap_err();
    assert_eq!(err.status(), None, "a 400 with a RetCode is the service's refusal: {err:?}");
    assert!(stand_in.open_uploads().is_empty(), "aborted");
}

/// What a UFile call hook saw, and the headers it was refused.
#[derive(Default)]
struct Audit {
    seen: std::sync::Mutex<Vec<String>>,
    refused: std::sync::Mutex<Vec<String>>,
}

impl docbind_runtime::CallHook for Audit {
    fn before_attempt(&self, request: &mut docbind_runtime::AttemptRequest<'_>) {
        let authorization = request.header("Authorization").unwrap_or("none").to_owned();
        self.seen.lock().expect("not poisoned").push(format!(
            "before {} {} {authorization}",
            request.operation(),
            request.method()
        ));
        request.add_header("x-audit", "ufile").expect("a header of the application's own");
        // Each of these is in the string UFile signs: added after signing, it would void the signature.
        for signed in ["Date", "Content-MD5", "X-UCloud-Trace"] {
            if let Err(refused) = request.add_header(signed, "from-the-hook") {
                self.refused.lock().expect("not poisoned").push(refused.to_string());
            }
        }
    }

    fn after_response(&self, response: &docbind_runtime::AttemptResponse<'_>) {
        let id = response.request_id().is_some_and(|id| id.starts_with("stand-in-"));
        self.seen.lock().expect("not poisoned").push(format!(
            "after {} {} request id {id}",
            response.operation(),
            response.status()
        ));
    }
}

#[tokio::test]
async fn a_call_hook_sees_ufile_attempts_and_cannot_add_a_header_the_signature_covers() {
    let stand_in = StandIn::start(PUBLIC, PRIVATE, "demobucket").await.unwrap();
    let audit = std::sync::Arc::new(Audit::default());
    let config =
        Config::new(PUBLIC, PRIVATE, "demobucket", "cn-bj").with_base_url(stand_in.base_url()).with_hook(audit.clone());
    let client = Client::new(config).expect("a valid configuration");

    // The stand-in checks each signature: a signed header added after signing would be refused with 403.
    put(&client, "hooked", UploadBody::bytes(&b"hello"[..])).await.unwrap();
    assert_eq!(get(&client, "hooked", None).await.unwrap(), (200, Bytes::from_static(b"hello")));

    let seen = audit.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            "before PutFile PUT <redacted>",
            "after PutFile 200 request id true",
            "before GetFile GET <redacted>",
            "after GetFile 200 request id true",
        ]
    );
    let refused = audit.refused.lock().unwrap().clone();
    assert_eq!(refused.len(), 6, "{refused:#?}");
    assert!(refused.iter().all(|r| r.contains("signs the header")), "{refused:#?}");
    assert!(stand_in.requests().iter().all(|r| r.header("x-audit") == Some("ufile") && r.header("date").is_none()));
}
