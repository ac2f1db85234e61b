//! Call hooks on the configuration, run by both vendors' clients before each attempt and after each response,
//! against real servers on 127.0.0.1.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{decode_image, list_data};
use docbind_runtime::__private::finovy::{Call, Method, Operation};
use docbind_runtime::__private::ucloud::{Form, Operation as UCloudOperation};
use docbind_runtime::{finovy, ucloud, AttemptRequest, AttemptResponse, CallHook, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET_LIST: Operation = Operation { name: "getList", idempotent: true };
static GET_IMAGE: UCloudOperation = UCloudOperation::new("GetUvodnImage");

/// What the hook saw, one line per event.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
}

impl CallHook for Recorder {
    fn before_attempt(&self, request: &mut AttemptRequest<'_>) {
        let headers: Vec<String> = request.headers().map(|(name, value)| format!("{name}={value}")).collect();
        self.seen.lock().unwrap().push(format!(
            "before {} #{} {} {} [{}]",
            request.operation(),
            request.attempt(),
            request.method(),
            request.url(),
            headers.join(" ")
        ));
        request.add_header("x-audit", &format!("attempt-{}", request.attempt())).unwrap();
    }

    fn after_response(&self, response: &AttemptResponse<'_>) {
        assert!(response.elapsed() < Duration::from_secs(5), "{:?}", response.elapsed());
        self.seen.lock().unwrap().push(format!(
            "after {} #{} {} {:?}",
            response.operation(),
            response.attempt(),
            response.status(),
            response.request_id()
        ));
    }
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::new().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(10))
}

#[tokio::test]
async fn a_ucloud_hook_sees_every_attempt_and_response_and_adds_a_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("X-UCLOUD-REQUEST-UUID", "req-busy"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let ok = ResponseTemplate::new(200)
        .insert_header("X-UCLOUD-REQUEST-UUID", "req-ok")
        .set_body_json(json!({"RetCode": 0, "ImageList": []}));
    Mock::given(method("POST")).and(header("x-audit", "attempt-2")).respond_with(ok).mount(&server).await;

    let recorder = Arc::new(Recorder::default());
    let config = ucloud::Config::new("pub", "very-private-key")
        .with_security_token("sts-token")
        .with_base_url(server.uri())
        .with_retry(fast_retry())
        .with_hook(recorder.clone());
    let client = ucloud::Client::new(config).unwrap();
    client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap();

    let seen = recorder.seen.lock().unwrap().clone();
    let url = format!("{}/?Action=GetUvodnImage", server.uri());
    assert_eq!(seen.len(), 4, "{seen:#?}");
    assert!(seen[0].starts_with(&format!("before GetUvodnImage #1 POST {url} [")), "{seen:#?}");
    assert!(seen[0].contains("content-type=application/x-www-form-urlencoded"), "{seen:#?}");
    assert_eq!(seen[1], "after GetUvodnImage #1 503 Some(\"req-busy\")");
    assert!(seen[2].starts_with(&format!("before GetUvodnImage #2 POST {url} [")), "{seen:#?}");
    assert_eq!(seen[3], "after GetUvodnImage #2 200 Some(\"req-ok\")");
    // The header the hook added to attempt 2 reached the server (the mock answering 200 requires it).
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].headers.get("x-audit").unwrap(), "attempt-1");
    // Nothing of the signing inputs reaches the hook: no body, no key, no token.
    let all = seen.join("\n");
    for secret in ["very-private-key", "sts-token", "Signature"] {
        assert!(!all.contains(secret), "{secret} shown to the hook: {all}");
    }
}

#[tokio::test]
async fn a_finovy_hook_sees_the_token_exchange_and_the_call_with_the_token_redacted() {
    let server = MockServer::start().await;
    let token = json!({"code": 0, "success": true, "data": {"token": "tok-123", "effectiveTime": 3_600_000},
                       "traceId": "trace-token"});
    Mock::given(path("/v1/auth/getToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token))
        .mount(&server)
        .await;
    let list = json!({"code": 0, "success": true, "data": {"data": [], "totalCounts": 0}, "traceId": "trace-list"});
    Mock::given(path("/v1/list")).respond_with(ResponseTemplate::new(200).set_body_json(list)).mount(&server).await;

    let recorder = Arc::new(Recorder::default());
    let config = finovy::Config::new(finovy::Credentials::exchange("uuid-1", "app-secret"))
        .with_base_url(server.uri())
        .with_hook(recorder.clone());
    let client = finovy::Client::new(config).unwrap();
    client.call(&GET_LIST, Call::new(Method::Get, "v1/list"), list_data).await.unwrap();

    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4, "{seen:#?}");
    assert!(seen[0].starts_with(&format!("before getToken #1 POST {}/v1/auth/getToken [", server.uri())));
    assert_eq!(seen[1], "after getToken #1 200 Some(\"trace-token\")");
    assert!(seen[2].starts_with(&format!("before getList #1 GET {}/v1/list [", server.uri())), "{seen:#?}");
    assert!(seen[2].contains("finovy-access-token=<redacted>"), "{seen:#?}");
    assert_eq!(seen[3], "after getList #1 200 Some(\"trace-list\")");
    let all = seen.join("\n");
    assert!(!all.contains("tok-123") && !all.contains("app-secret"), "{all}");
    // The token still went to the server, beside the hook's own header.
    let received = server.received_requests().await.unwrap();
    let call = received.iter().find(|r| r.url.path() == "/v1/list").unwrap();
    assert_eq!(call.headers.get("finovy-access-token").unwrap(), "tok-123");
    assert_eq!(call.headers.get("x-audit").unwrap(), "attempt-1");
}

/// A hook that tries to replace the credentials.
struct Impostor(Mutex<Option<String>>);

impl CallHook for Impostor {
    fn before_attempt(&self, request: &mut AttemptRequest<'_>) {
        let refused = request.add_header("Finovy-Access-Token", "stolen").unwrap_err();
        *self.0.lock().unwrap() = Some(refused.to_string());
        assert_eq!(request.header("Finovy-Access-Token"), Some("<redacted>"));
    }
}

#[tokio::test]
async fn a_hook_cannot_replace_a_header_the_request_has() {
    let server = MockServer::start().await;
    let list = json!({"code": 0, "success": true, "data": {"data": [], "totalCounts": 0}});
    Mock::given(path("/v1/list")).respond_with(ResponseTemplate::new(200).set_body_json(list)).mount(&server).await;
    let impostor = Arc::new(Impostor(Mutex::new(None)));
    let config = finovy::Config::new(finovy::Credentials::token("real-token"))
        .with_base_url(server.uri())
        .with_hook(impostor.clone());
    let client = finovy::Client::new(config).unwrap();
    client.call(&GET_LIST, Call::new(Method::Get, "v1/list"), list_data).await.unwrap();
    let refused = impostor.0.lock().unwrap().clone().unwrap();
    assert!(refused.contains("sets the header finovy-access-token already"), "{refused}");
    let received = server.received_requests().await.unwrap();
    let tokens: Vec<_> = received[0].headers.get_all("finovy-access-token").iter().collect();
    assert_eq!(tokens, ["real-token"]);
}
