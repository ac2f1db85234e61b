//! What the runtime logs and what its errors show: secret-looking values redacted at every depth (by
//! docbind-redact's one list), and at most ~1 KiB of any body or request, marked when cut.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use common::{capture_logs, decode_image, list_data};
use docbind_runtime::__private::finovy::{Call, Method, Operation};
use docbind_runtime::__private::ucloud::{Form, Operation as UCloudOperation};
use docbind_runtime::{finovy, ucloud, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET_LIST: Operation = Operation { name: "getList", idempotent: true };
static GET_IMAGE: UCloudOperation = UCloudOperation::new("GetUvodnImage");

async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(template).mount(&server).await;
    server
}

fn finovy_client(server: &MockServer) -> finovy::Client {
    let config = finovy::Config::new(finovy::Credentials::Token("tok-in-header".into()))
        .with_base_url(server.uri())
        .with_retry(RetryPolicy::disabled());
    finovy::Client::new(config).unwrap()
}

#[tokio::test]
async fn finovy_requests_are_logged_redacted_at_every_depth() {
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {}}))).await;
    let client = finovy_client(&server);
    let (logs, _guard) = capture_logs();
    let mut call = Call::new(Method::Post, "v1/open/thing");
    call.query_str("imageName", "visible-query");
    call.query_str("accessToken", "secret-in-query");
    call.header_str("X-App-Secret", "secret-in-header");
    call.body_str("name", "visible-body");
    call.body_json("auth", json!({"list": [{"password": "secret-in-nested-body", "user": "visible-nested"}]}));
    client.call(&GET_LIST, call, list_data).await.unwrap();
    let text = logs.text();
    for shown in ["visible-query", "visible-body", "visible-nested", "sending request"] {
        assert!(text.contains(shown), "{shown} not logged: {text}");
    }
    for secret in ["secret-in-query", "secret-in-header", "secret-in-nested-body", "tok-in-header"] {
        assert!(!text.contains(secret), "{secret} logged: {text}");
    }
}

#[tokio::test]
async fn logged_requests_are_bounded() {
    let server = answering(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "RetCode": 0}))).await;
    let (logs, _guard) = capture_logs();
    let mut call = Call::new(Method::Post, "v1/open/thing");
    call.body_str("userData", &"b".repeat(100_000));
    finovy_client(&server).call(&GET_LIST, call, list_data).await.unwrap();
    let config = ucloud::Config::new("pub", "priv").with_base_url(server.uri());
    let mut form = Form::new();
    form.str("UserData", &"u".repeat(100_000));
    ucloud::Client::new(config).unwrap().call(&GET_IMAGE, form, decode_image).await.unwrap();
    let text = logs.text();
    let line = |marker: &str| text.lines().find(|l| l.contains(marker)).unwrap_or_default().to_owned();
    for (marker, filler) in [("request=", 'b'), ("params=", 'u')] {
        let line = line(marker);
        assert!(line.contains("… [cut]"), "{marker} line not marked as cut: {line}");
        assert!(line.len() < 2048, "{marker} line is {} bytes", line.len());
        assert!(line.contains(&filler.to_string().repeat(100)), "{marker} line lost its start: {line}");
    }
}

#[tokio::test]
async fn error_bodies_are_bounded_and_redacted_in_errors_and_logs() {
    let body = format!(r#"{{"detail": {{"token": "secret-in-response"}}, "pad": "{}"}}"#, "p".repeat(200_000));
    for status in [200, 500] {
        // 200: the body is not the expected JSON (a decode error keeping it); 500: a status error.
        let server = answering(ResponseTemplate::new(status).set_body_string(format!("{body}}}"))).await;
        let (logs, _guard) = capture_logs();
        let err = finovy_client(&server).call(&GET_LIST, Call::new(Method::Get, "v1/x"), list_data).await.unwrap_err();
        match (&err, status) {
            (Error::Decode { body: kept, .. }, 200) => assert_eq!(kept.len(), body.len() + 1, "kept whole"),
            (Error::Status { .. }, 500) => {}
            _ => panic!("{err:?}"),
        }
        let shown = [format!("{err:?}"), err.to_string(), logs.text()];
        for text in &shown {
            assert!(!text.contains("secret-in-response"), "{text}");
            assert!(text.len() < 4096, "{} bytes shown", text.len());
        }
        assert!(format!("{err:?}").contains(&format!("… [cut: {} bytes in all]", body.len() + 1)), "{err:?}");
    }
}
