//! UCloud client against a real HTTP server on 127.0.0.1.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::time::{Duration, Instant};

use common::decode_image;
use docbind_runtime::__private::ucloud::{sign, CommonParameter, ConfigDefault, Form, Operation};
use docbind_runtime::ucloud::{Client, Config};
use docbind_runtime::{Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PUB: &str = "ucloudsomeone@example.com1296235120854146120";
const PRIV: &str = "46f09bb9fab4f12dfc160dae12273d5332b5debe";

static GET_IMAGE: Operation = Operation {
    action: "GetUvodnImage",
    idempotent: true,
    common: &[CommonParameter { wire: "ProjectId", default: ConfigDefault::ProjectId, required: false }],
};

static CREATE: Operation = Operation {
    action: "CreateUvodnThing",
    idempotent: false,
    common: &[
        CommonParameter { wire: "Region", default: ConfigDefault::Region, required: false },
        CommonParameter { wire: "Zone", default: ConfigDefault::Zone, required: false },
    ],
};

fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::new()
        .with_max_attempts(attempts)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(20))
}

fn config(server: &MockServer) -> Config {
    Config::new(PUB, PRIV)
        .with_base_url(server.uri())
        .with_project_id("org-abc")
        .with_region("cn-bj2")
        .with_zone("cn-bj2-04")
        .with_retry(fast_retry(3))
        .with_timeout(Duration::from_secs(5))
}

fn ok_body() -> serde_json::Value {
    json!({
        "Action": "GetUvodnImageResponse",
        "RetCode": 0,
        "TotalCount": "2",
        "ImageList": [
            {"ImageId": "img-1", "ImageName": "a", "DeployInfoList": [{"Region": "cn-bj2"}]},
            {"ImageId": 2, "Unknown": true}
        ],
        "Surprise": {"x": 1}
    })
}

fn image_form() -> Form {
    let mut f = Form::new();
    f.int("Limit", 10);
    f.int("Offset", 0);
    f.str_list("ImageIds", &["img 1".to_owned(), "img-2".to_owned()]);
    f
}

async fn received_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn exact_form_body_and_signature() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/"))
        .and(query_param("Action", "GetUvodnImage"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(ok_body()).insert_header("X-UCLOUD-REQUEST-UUID", "req-1"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let (out, info) = client.call(&GET_IMAGE, image_form(), decode_image).await.unwrap();
    assert_eq!(info.request_id.as_deref(), Some("req-1"));
    assert_eq!(info.attempts, 1);

    // Response decoded; protocol fields consumed, unknown keys kept.
    assert_eq!(out.total_count, Some(2));
    assert_eq!(out.image_list.len(), 2);
    assert_eq!(out.image_list[1].image_id.as_deref(), Some("2"));
    assert_eq!(out.image_list[0].deploy_info_list[0].region.as_deref(), Some("cn-bj2"));
    assert_eq!(out.image_list[1].extra.get("Unknown"), Some(&json!(true)));
    assert_eq!(out.extra.get("Surprise"), Some(&json!({"x": 1})));
    assert!(out.extra.get("RetCode").is_none() && out.extra.get("Action").is_none());

    let requests = server.received_requests().await.unwrap();
    let req = &requests[0];
    assert_eq!(
        req.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/x-www-form-urlencoded")
    );
    let body = String::from_utf8(req.body.clone()).unwrap();
    // Region/Zone are not declared by the op, so they are not filled.
    let params = [
        ("Action", "GetUvodnImage"),
        ("ImageIds.0", "img 1"),
        ("ImageIds.1", "img-2"),
        ("Limit", "10"),
        ("Offset", "0"),
        ("ProjectId", "org-abc"),
        ("PublicKey", PUB),
    ];
    let owned: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let signature = sign(&owned, PRIV);
    assert_eq!(
        body,
        format!(
            "Action=GetUvodnImage&ImageIds.0=img+1&ImageIds.1=img-2&Limit=10&Offset=0\
             &ProjectId=org-abc&PublicKey=ucloudsomeone%40example.com1296235120854146120\
             &Signature={signature}"
        )
    );
    // Independently parse the body and recompute the signature from what the server got.
    let parsed = reqwest::Url::parse(&format!("http://x/?{body}")).unwrap();
    let mut got: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let sent_sig = got.iter().position(|(k, _)| k == "Signature").map(|i| got.remove(i).1).unwrap();
    assert_eq!(sent_sig, sign(&got, PRIV));
    assert_eq!(got, owned);
}

#[tokio::test]
async fn config_fills_region_zone_but_not_over_form_values() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"RetCode": 0})))
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let mut form = Form::new();
    form.str("Zone", "my-zone");
    client.call(&CREATE, form, decode_image).await.unwrap();
    let req = &server.received_requests().await.unwrap()[0];
    let body = String::from_utf8(req.body.clone()).unwrap();
    assert!(body.contains("Region=cn-bj2"), "{body}");
    assert!(body.contains("Zone=my-zone"), "{body}");
    assert!(!body.contains("ProjectId"), "{body}");
}

#[tokio::test]
async fn retcode_error_with_request_uuid() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"RetCode": 171, "Message": "签名错误", "Action": "GetUvodnImageResponse"}))
                .insert_header("X-UCLOUD-REQUEST-UUID", "uuid-171"),
        )
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let err = client.call(&GET_IMAGE, image_form(), decode_image).await.unwrap_err();
    assert_eq!(err.code(), Some(171));
    assert_eq!(err.request_id(), Some("uuid-171"));
    assert_eq!(err.to_string(), "UCloud GetUvodnImage failed: RetCode 171: 签名错误 (request id uuid-171)");
    assert!(matches!(err, Error::Service { .. }));
    assert_eq!(received_count(&server).await, 1, "171 is not retried");
}

#[tokio::test]
async fn retcode_as_string_zero_is_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"RetCode": "0", "TotalCount": 5})))
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let (out, _) = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap();
    assert_eq!(out.total_count, Some(5));
}

#[tokio::test]
async fn retries_503_429_and_retcode_150_until_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("unavailable"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "30"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"RetCode": 150, "Message": "unavailable"})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(ok_body())).mount(&server).await;
    let client = Client::new(config(&server).with_retry(fast_retry(4))).unwrap();
    let started = Instant::now();
    let (out, info) = client.call(&GET_IMAGE, image_form(), decode_image).await.unwrap();
    // Retry-After: 30 is capped by max_delay (20 ms).
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(info.attempts, 4);
    assert_eq!(out.total_count, Some(2));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 4);
    // Every attempt is signed correctly.
    for req in &requests {
        let body = String::from_utf8(req.body.clone()).unwrap();
        let parsed = reqwest::Url::parse(&format!("http://x/?{body}")).unwrap();
        let mut got: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        let i = got.iter().position(|(k, _)| k == "Signature").unwrap();
        let sig = got.remove(i).1;
        assert_eq!(sig, sign(&got, PRIV));
    }
}

#[tokio::test]
async fn attempt_limit_respected() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("X-UCLOUD-REQUEST-UUID", "r-503"))
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let err = client.call(&GET_IMAGE, image_form(), decode_image).await.unwrap_err();
    assert!(matches!(err, Error::Status { status: 503, .. }), "{err:?}");
    assert_eq!(err.request_id(), Some("r-503"));
    assert_eq!(received_count(&server).await, 3);
}

#[tokio::test]
async fn retries_disabled_by_policy() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(502)).mount(&server).await;
    let client = Client::new(config(&server).with_retry(RetryPolicy::disabled())).unwrap();
    let err = client.call(&GET_IMAGE, image_form(), decode_image).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(received_count(&server).await, 1);
}

#[tokio::test]
async fn non_idempotent_not_retried_unless_overridden() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"RetCode": 2001, "Message": "busy"})))
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let err = client.call(&CREATE, Form::new(), decode_image).await.unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(received_count(&server).await, 1);

    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"RetCode": 2001, "Message": "busy"})))
        .mount(&server)
        .await;
    let client = Client::new(config(&server).idempotency_override("CreateUvodnThing", true)).unwrap();
    let err = client.call(&CREATE, Form::new(), decode_image).await.unwrap_err();
    assert_eq!(err.code(), Some(2001));
    assert_eq!(received_count(&server).await, 3);

    // And the reverse: an idempotent op can be forbidden from retrying.
    server.reset().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let client = Client::new(config(&server).idempotency_override("GetUvodnImage", false)).unwrap();
    let _ = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    assert_eq!(received_count(&server).await, 1);
}

#[tokio::test]
async fn timeout_is_typed_and_quick() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"RetCode": 0})).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client =
        Client::new(config(&server).with_timeout(Duration::from_millis(150)).with_retry(RetryPolicy::disabled()))
            .unwrap();
    let started = Instant::now();
    let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(150)), "{err:?}");
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn body_larger_than_limit() {
    let server = MockServer::start().await;
    let big = format!(r#"{{"RetCode":0,"Pad":"{}"}}"#, "x".repeat(10_000));
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string(big)).mount(&server).await;
    let client = Client::new(config(&server).with_max_response_bytes(1024)).unwrap();
    let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 1024, .. }), "{err:?}");
    assert_eq!(received_count(&server).await, 1, "not retried");
}

#[tokio::test]
async fn html_with_200_is_a_decode_error_keeping_the_body() {
    let server = MockServer::start().await;
    let html = "<html><body>Bad Gateway</body></html>";
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string(html)).mount(&server).await;
    let client = Client::new(config(&server)).unwrap();
    let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    match err {
        Error::Decode { source, body, .. } => {
            assert_eq!(&body[..], html.as_bytes());
            assert_eq!((source.line(), source.column()), (1, 1), "{source}");
            assert!(source.message().contains("line 1"), "{source}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn http_error_status_keeps_snippet() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_string("x".repeat(5000))
                .insert_header("X-UCLOUD-REQUEST-UUID", "u-500"),
        )
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    match &err {
        Error::Status { status, body, request_id, .. } => {
            assert_eq!(*status, 500);
            assert!(body.len() < 1100);
            assert_eq!(request_id.as_deref(), Some("u-500"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(received_count(&server).await, 1, "500 is not retried");
}

#[tokio::test]
async fn connection_refused_is_transport_and_retried() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cfg = Config::new(PUB, PRIV).with_base_url(format!("http://127.0.0.1:{port}")).with_retry(fast_retry(3));
    let client = Client::new(cfg).unwrap();
    let (logs, guard) = common::capture_logs();
    let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    drop(guard);
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    // Nobody answers to count requests, so the attempts are counted in the client's own log: one request sent per
    // attempt, every one of the three.
    let logs = logs.text();
    assert_eq!(logs.matches("sending request").count(), 3, "{logs}");
    assert!(logs.contains("attempt=3"), "{logs}");
    // The log shows the request's parameters (the public key among them), never the private key.
    assert!(logs.contains(PUB), "{logs}");
    let shown = format!("{logs} {err:?} {client:?}");
    assert!(!shown.contains(PRIV), "{shown}");
    // The cause is the source only: walking the chain (as `{:#}` does) names it once.
    assert_eq!(err.to_string(), "transport error: cannot connect");
    let mut chain = vec![err.to_string()];
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    let chain = chain.join(": ");
    assert_eq!(chain.matches("refused").count(), 1, "{chain}");
}

#[test]
fn clients_and_call_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Client>();
    assert_send_sync::<docbind_runtime::finovy::Client>();
    let client = Client::new(Config::new("p", "s")).unwrap();
    let fut = client.call(&GET_IMAGE, Form::new(), decode_image);
    assert_send(&fut);
}

#[tokio::test]
async fn unparseable_retcode_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"RetCode": {"x": 1}, "Message": "m"})))
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    assert!(
        matches!(&err, Error::MalformedStatus { problem, .. } if problem == r#"RetCode {"x":1} is not an integer"#)
    );
    assert_eq!(err.code(), None);
    // Decoding keeps the odd RetCode in the response's `extra`, as any misfit, and reports it.
    let (out, status) = decode_image(br#"{"RetCode": {"x": 1}, "Message": "m"}"#).unwrap();
    assert_eq!(out.extra.get("RetCode"), Some(&json!({"x": 1})));
    assert_eq!((status.ret_code, status.unparseable_ret_code.as_deref()), (None, Some(r#"{"x":1}"#)));
}

/// A chunked body without Content-Length is still bounded while streaming.
#[tokio::test]
async fn chunked_body_larger_than_limit() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let _ = sock.read(&mut buf).await;
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        if sock.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = format!("{:x}\r\n{}\r\n", 512, "x".repeat(512));
        for _ in 0..64 {
            if sock.write_all(chunk.as_bytes()).await.is_err() {
                return; // the client hung up early, as it should
            }
        }
        let _ = sock.write_all(b"0\r\n\r\n").await;
    });
    let cfg = Config::new(PUB, PRIV)
        .with_base_url(format!("http://{addr}"))
        .with_max_response_bytes(2048)
        .with_retry(RetryPolicy::disabled());
    let client = Client::new(cfg).unwrap();
    let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 2048, .. }), "{err:?}");
    server.abort();
}
