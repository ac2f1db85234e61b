//! Finovy client against a real HTTP server on 127.0.0.1.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::time::Duration;

use common::{list_data, ImageInfo};
use docbind_runtime::__private::finovy::{decode_envelope, Call, EnvelopeStatus, Method, Operation};
use docbind_runtime::__private::Slot;
use docbind_runtime::finovy::{Client, Config, Credentials};
use docbind_runtime::paginate::numbered_pages;
use docbind_runtime::DecodeError;
use docbind_runtime::{Error, RetryPolicy};
use futures::TryStreamExt as _;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

static GET_LIST: Operation = Operation { name: "getList", idempotent: true };

static CREATE: Operation = Operation { name: "create", idempotent: false };

const LIST_PATH: &str = "/v1/open/image/personal/getList";
const TOKEN_PATH: &str = "/v1/auth/getToken";

fn fast_retry() -> RetryPolicy {
    RetryPolicy::new().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(10))
}

fn static_config(server: &MockServer) -> Config {
    Config::new(Credentials::Token("static-tok".into())).with_base_url(server.uri()).with_retry(fast_retry())
}

fn exchange_config(server: &MockServer) -> Config {
    Config::new(Credentials::Exchange { uuid: "A27550582".into(), secret: "s3cret".into() })
        .with_base_url(format!("{}/", server.uri()))
        .with_retry(fast_retry())
        .with_refresh_margin(Duration::ZERO)
}

fn envelope(data: serde_json::Value) -> serde_json::Value {
    json!({"code": 0, "success": true, "msg": "success", "data": data, "traceId": "trace-1"})
}

fn list_body() -> serde_json::Value {
    envelope(json!({
        "data": [{"id": "7sEdkaZ0T8", "imageId": 164471562, "imageName": "aaaaaaaa", "status": "1"}],
        "totalCounts": 1
    }))
}

fn token_response(token: &str, effective_ms: i64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "code": 0,
        "data": {"token": token, "effectiveTime": effective_ms},
        "msg": "success",
        "success": true,
        "traceId": "t"
    }))
}

async fn count(server: &MockServer, p: &str) -> usize {
    server.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path() == p).count()
}

/// Decodes the envelope with `data` going through `slot`, as a generated `decode_response` does, except that the
/// envelope's extra keys stay in the status (the call reports them in `CallInfo::extra`).
fn decode_data<T: Default>(
    body: &[u8],
    slot: impl FnOnce(&mut T) -> Slot<'_>,
) -> Result<(T, EnvelopeStatus), DecodeError> {
    let mut value = T::default();
    let status = decode_envelope(body, slot(&mut value))?;
    Ok((value, status))
}

fn bool_data(body: &[u8]) -> Result<(Option<bool>, EnvelopeStatus), DecodeError> {
    decode_data(body, |data| Slot::Bool(data))
}

fn str_data(body: &[u8]) -> Result<(Option<String>, EnvelopeStatus), DecodeError> {
    decode_data(body, |data| Slot::Str(data))
}

fn list_call() -> Call {
    let mut call = Call::new(Method::Get, "v1/open/image/personal/getList");
    call.query_str("imageName", "a b&c");
    call.query_str("from", "2024-01-31 16:00:00");
    call.opt_query_str("imageType", None);
    call.query_int("page", 1);
    call
}

#[tokio::test]
async fn query_encoding_header_and_envelope() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(LIST_PATH))
        .and(query_param("imageName", "a b&c"))
        .and(query_param("from", "2024-01-31 16:00:00"))
        .and(query_param("page", "1"))
        .and(header("Finovy-Access-Token", "static-tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list_body()))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(static_config(&server)).unwrap();
    let (data, info) = client.call(&GET_LIST, list_call(), list_data).await.unwrap();
    assert_eq!(info.request_id.as_deref(), Some("trace-1"));
    assert!(info.extra.is_empty());
    let data = data.unwrap();
    assert_eq!(data.total_counts, Some(1));
    assert_eq!(data.data[0].image_id.as_deref(), Some("164471562"));
    assert_eq!(data.data[0].status, Some(1));
    assert_eq!(data.data[0].extra.get("id"), Some(&json!("7sEdkaZ0T8")));
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.url.query(), Some("imageName=a%20b%26c&from=2024-01-31%2016%3A00%3A00&page=1"));
    assert!(!req.headers.contains_key("content-type"), "GET has no body");
}

#[tokio::test]
async fn path_param_appended_and_json_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/image/update/img%201"))
        .and(body_json(json!({"name": "n", "size": 3})))
        .and(header("content-type", "application/json"))
        .and(header("X-Custom", "v"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(json!(true))))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(static_config(&server)).unwrap();
    let mut call = Call::new(Method::Post, "/v1/image/update");
    call.path_str("imageId", "img 1");
    call.body_str("name", "n");
    call.body_int("size", 3);
    call.opt_body_str("skip", None);
    call.header_str("X-Custom", "v");
    let (ok, _) = client.call(&CREATE, call, bool_data).await.unwrap();
    assert_eq!(ok, Some(true));
}

#[tokio::test]
async fn envelope_error_and_misfit_data_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": "500", "success": false, "msg": "internal", "data": null, "traceId": "tr-500"
        })))
        .mount(&server)
        .await;
    let client = Client::new(static_config(&server)).unwrap();
    let err = client.call(&GET_LIST, list_call(), list_data).await.unwrap_err();
    assert_eq!(err.code(), Some(500));
    assert_eq!(err.request_id(), Some("tr-500"));
    assert_eq!(err.to_string(), "Finovy getList failed: code 500: internal (request id tr-500)");
    assert_eq!(count(&server, LIST_PATH).await, 1, "codes are not retried");

    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "data": "not-a-model", "extraKey": [1]
        })))
        .mount(&server)
        .await;
    let (data, info) = client.call(&GET_LIST, list_call(), list_data).await.unwrap();
    assert!(data.is_none());
    assert_eq!(info.extra.get("data"), Some(&json!("not-a-model")));
    assert_eq!(info.extra.get("extraKey"), Some(&json!([1])));
}

#[tokio::test]
async fn static_token_401_is_not_refreshed() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(401).set_body_string("denied")).mount(&server).await;
    let client = Client::new(static_config(&server)).unwrap();
    let err = client.call(&GET_LIST, list_call(), list_data).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(count(&server, LIST_PATH).await, 1);
    assert_eq!(count(&server, TOKEN_PATH).await, 0);
}

#[tokio::test]
async fn token_exchange_then_cached() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_json(json!({"uuid": "A27550582", "secret": "s3cret"})))
        .respond_with(token_response("tok-1", 1_800_000))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(LIST_PATH))
        .and(header("Finovy-Access-Token", "tok-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list_body()))
        .mount(&server)
        .await;
    let client = Client::new(exchange_config(&server)).unwrap();
    for _ in 0..3 {
        let (data, _) = client.call(&GET_LIST, list_call(), list_data).await.unwrap();
        assert!(data.is_some());
    }
    assert_eq!(count(&server, TOKEN_PATH).await, 1);
    assert_eq!(count(&server, LIST_PATH).await, 3);
}

#[tokio::test]
async fn expired_token_is_refreshed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("tok-short", 1))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("tok-long", 1_800_000))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(LIST_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(list_body()))
        .mount(&server)
        .await;
    let client = Client::new(exchange_config(&server)).unwrap();
    client.call(&GET_LIST, list_call(), list_data).await.unwrap();
    // Expired after 1 ms, but a token is used for at least a second.
    client.call(&GET_LIST, list_call(), list_data).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.call(&GET_LIST, list_call(), list_data).await.unwrap();
    client.call(&GET_LIST, list_call(), list_data).await.unwrap();
    assert_eq!(count(&server, TOKEN_PATH).await, 2);
    let tokens: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == LIST_PATH)
        .map(|r| r.headers.get("Finovy-Access-Token").unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(tokens, ["tok-short", "tok-short", "tok-long", "tok-long"]);
}

async fn refresh_once_on_401(envelope_code: bool) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("tok-old", 1_800_000))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("tok-new", 1_800_000))
        .mount(&server)
        .await;
    let unauthorized = if envelope_code {
        ResponseTemplate::new(200).set_body_json(json!({"code": 401, "success": false, "msg": "身份认证失败"}))
    } else {
        ResponseTemplate::new(401)
    };
    Mock::given(method("POST"))
        .and(path("/v1/thing"))
        .and(header("Finovy-Access-Token", "tok-old"))
        .respond_with(unauthorized)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/thing"))
        .and(header("Finovy-Access-Token", "tok-new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(json!("done"))))
        .mount(&server)
        .await;
    let client = Client::new(exchange_config(&server)).unwrap();
    // Non-idempotent, yet retried once after the refresh: a 401 was not executed.
    let (out, _) = client.call(&CREATE, Call::new(Method::Post, "v1/thing"), str_data).await.unwrap();
    assert_eq!(out.as_deref(), Some("done"));
    assert_eq!(count(&server, TOKEN_PATH).await, 2);
    assert_eq!(count(&server, "/v1/thing").await, 2);
}

#[tokio::test]
async fn http_401_refreshes_once_and_retries() {
    refresh_once_on_401(false).await;
}

#[tokio::test]
async fn envelope_401_refreshes_once_and_retries() {
    refresh_once_on_401(true).await;
}

#[tokio::test]
async fn persistent_401_gives_up_after_one_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("tok", 1_800_000))
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path(LIST_PATH)).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let client = Client::new(exchange_config(&server)).unwrap();
    let err = client.call(&GET_LIST, list_call(), list_data).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(count(&server, TOKEN_PATH).await, 2);
    assert_eq!(count(&server, LIST_PATH).await, 2);
}

/// Everything an error shows: `Display` and `Debug` of it and of each source.
fn shown(err: &Error) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!(" | {cause} {cause:?}"));
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn token_exchange_failure_is_auth_error_without_secret() {
    // A token endpoint that echoes the credentials it was sent: in its message and its body, on a refusal
    // (code 1001) and on an HTTP error.
    for http_error in [false, true] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(move |request: &Request| {
                let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
                let secret = sent["secret"].as_str().unwrap().to_owned();
                let body = json!({
                    "code": 1001, "success": false, "msg": format!("bad secret {secret}"), "traceId": "tx",
                    "echo": sent, "detail": format!("you sent {secret}")
                });
                ResponseTemplate::new(if http_error { 400 } else { 200 }).set_body_json(body)
            })
            .mount(&server)
            .await;
        let client = Client::new(exchange_config(&server)).unwrap();
        let err = client.call(&GET_LIST, list_call(), list_data).await.unwrap_err();
        assert!(matches!(err, Error::Auth { .. }), "{err:?}");
        // The cause is the source: the vendor's refusal (code, message, trace id) or the HTTP status with an
        // excerpt of the body; shared, as every call that waited on this exchange gets it.
        let cause = std::error::Error::source(&err)
            .and_then(|s| s.downcast_ref::<std::sync::Arc<Error>>())
            .expect("an Arc<Error> source");
        if http_error {
            assert_eq!(cause.status(), Some(400));
            assert!(cause.to_string().contains("A27550582"), "the excerpt is shown: {cause}");
        } else {
            assert_eq!((cause.code(), cause.request_id()), (Some(1001), Some("tx")));
        }
        let text = shown(&err);
        assert!(text.contains("bad secret"), "{text}");
        assert!(!text.contains("s3cret"), "the secret is shown: {text}");
        assert_eq!(count(&server, TOKEN_PATH).await, 1, "neither is retried");
        assert_eq!(count(&server, LIST_PATH).await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_with_expired_token_exchange_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("tok-expiring", 1))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_response("tok-fresh", 1_800_000).set_delay(Duration::from_millis(100)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(LIST_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(list_body()))
        .mount(&server)
        .await;
    let client = Client::new(exchange_config(&server)).unwrap();
    client.call(&GET_LIST, list_call(), list_data).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await; // the token is now due (a second at least)
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(
                async move { client.call(&GET_LIST, list_call(), list_data).await.map(|(data, _)| data.is_some()) },
            )
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().unwrap());
    }
    assert_eq!(count(&server, TOKEN_PATH).await, 2, "one initial + one refresh");
    let fresh = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.headers.get("Finovy-Access-Token").is_some_and(|v| v == "tok-fresh"))
        .count();
    assert_eq!(fresh, 20);
}

#[tokio::test]
async fn retries_idempotent_on_503_only() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(list_body())).mount(&server).await;
    let client = Client::new(static_config(&server)).unwrap();
    let (data, info) = client.call(&GET_LIST, list_call(), list_data).await.unwrap();
    assert_eq!(info.attempts, 2);
    assert_eq!(data.map(|d| d.total_counts), Some(Some(1)), "the successful attempt's response");

    server.reset().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let err = client.call(&CREATE, Call::new(Method::Post, "v1/thing"), str_data).await.unwrap_err();
    // A POST that may have been carried out is not repeated, and says so.
    let Error::OutcomeUnknown { source, .. } = &err else { panic!("expected outcome unknown: {err:?}") };
    assert_eq!(source.status(), Some(503));
    assert_eq!(count(&server, "/v1/thing").await, 1);
}

#[tokio::test]
async fn pagination_across_three_pages() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(LIST_PATH))
        .respond_with(|req: &Request| {
            let page: i64 =
                req.url.query_pairs().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
            let items: Vec<_> = match page {
                1 | 2 => vec![json!({"imageId": page * 10}), json!({"imageId": page * 10 + 1})],
                3 => vec![json!({"imageId": 30})],
                _ => vec![],
            };
            ResponseTemplate::new(200).set_body_json(envelope(json!({"data": items, "totalCounts": "5"})))
        })
        .mount(&server)
        .await;
    let client = Client::new(static_config(&server)).unwrap();
    let items: Vec<ImageInfo> = numbered_pages(1, 2, |page| {
        let client = client.clone();
        async move {
            let mut call = Call::new(Method::Get, LIST_PATH);
            call.query_int("page", page);
            call.query_int("pageSize", 2);
            let (data, _) = client.call(&GET_LIST, call, list_data).await?;
            let data = data.unwrap_or_default();
            Ok((data.data, data.total_counts))
        }
    })
    .try_collect()
    .await
    .unwrap();
    let ids: Vec<_> = items.iter().map(|i| i.image_id.clone().unwrap()).collect();
    assert_eq!(ids, ["10", "11", "20", "21", "30"]);
    assert_eq!(count(&server, LIST_PATH).await, 3);
}
