//! End to end: the generated `finovy-image` crate against a real HTTP server on 127.0.0.1.

use docbind::finovy_image::get_list::ImageStatus;
use docbind::finovy_image::{Client, Config, GetListRequest};
use docbind::runtime::finovy::Credentials;
use docbind::runtime::RetryPolicy;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LIST: &str = "/v1/open/image/personal/getList";
const TOKEN: &str = "/v1/auth/getToken";

fn config(server: &MockServer, credentials: Credentials) -> Config {
    Config::new(credentials).with_base_url(server.uri()).with_retry(
        RetryPolicy::new().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(5)),
    )
}

fn exchange() -> Credentials {
    Credentials::Exchange { uuid: "A27550582".into(), secret: "s3cr3t-value".into() }
}

fn envelope(data: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"code": 0, "success": true, "msg": "success", "data": data, "traceId": "t-1"}))
}

fn token_reply(token: &str, effective_ms: u64) -> ResponseTemplate {
    envelope(json!({"token": token, "effectiveTime": effective_ms}))
}

fn empty_page() -> ResponseTemplate {
    envelope(json!({"data": [], "totalCounts": 0}))
}

/// The response example of the doc the crate was generated from, read at test time.
fn doc_response_example() -> serde_json::Value {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/finovy-image/get_list.md"))
        .expect("spec");
    let start = doc.find("```json").expect("json example") + "```json".len();
    let end = start + doc[start..].find("```").expect("closing fence");
    serde_json::from_str(&doc[start..end]).expect("example is JSON")
}

#[tokio::test]
async fn sends_query_parameters_and_the_token_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .and(query_param("imageName", "my image/1"))
        .and(query_param("status", "1"))
        .and(header("Finovy-Access-Token", "static-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(doc_response_example()))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server, Credentials::Token("static-token".into()))).unwrap();
    let page = client
        .get_list(&GetListRequest::new().with_image_name("my image/1").with_status(ImageStatus::Available))
        .await
        .unwrap();

    let query = server.received_requests().await.unwrap()[0].url.query().unwrap_or_default().to_string();
    assert!(!query.contains("imageType") && !query.contains("datacenterKey"), "unset parameters are not sent: {query}");
    // The doc's own example: a page of one image.
    assert_eq!(page.total_counts, Some(1));
    assert_eq!(page.data.len(), 1);
    let image = &page.data[0];
    assert_eq!(image.id.as_deref(), Some("7sEdkaZ0T8"));
    assert_eq!(image.image_id, Some(164471562));
    assert_eq!(image.image_name.as_deref(), Some("aaaaaaaa"));
    assert_eq!(image.status, Some(ImageStatus::Available));
    assert_eq!(image.create_time, Some(1708330251000));
    assert!(image.extra.is_empty() && page.extra.is_empty());
}

#[tokio::test]
async fn odd_values_in_the_page_are_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(envelope(json!({
            "data": [{"imageId": "164471562", "status": "2", "createTime": 1.708e12, "newField": [1]}, 7],
            "totalCounts": "9"
        })))
        .mount(&server)
        .await;
    let client = Client::new(config(&server, Credentials::Token("t".into()))).unwrap();
    let page = client.get_list(&GetListRequest::new()).await.unwrap();
    assert_eq!(page.total_counts, Some(9));
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].image_id, Some(164471562));
    assert_eq!(page.data[0].status, Some(ImageStatus::Failed));
    assert_eq!(page.data[0].create_time, Some(1_708_000_000_000));
    assert_eq!(page.data[0].extra.get("newField"), Some(&json!([1])));
    assert_eq!(page.extra.get("data.1"), Some(&json!(7)));
}

#[tokio::test]
async fn envelope_keys_the_docs_do_not_declare_are_kept_in_the_response() {
    let server = MockServer::start().await;
    let body = json!({"code": 0, "success": true, "msg": "ok", "traceId": "t", "serverTime": 1700000000,
                      "data": {"data": [], "totalCounts": 0, "pageNo": 1}});
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let client = Client::new(config(&server, Credentials::Token("t".into()))).unwrap();
    let page = client.get_list(&GetListRequest::new()).await.unwrap();
    assert_eq!(page.extra.get("pageNo"), Some(&json!(1)), "a key of `data`");
    assert_eq!(page.extra.get("serverTime"), Some(&json!(1700000000)), "a key of the envelope");
    assert_eq!(page.extra.len(), 2, "{:?}", page.extra);
}

#[tokio::test]
async fn envelope_errors_carry_code_message_and_trace_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 200002, "success": false, "msg": "镜像不存在", "data": null, "traceId": "trace-9"}),
        ))
        .mount(&server)
        .await;
    let client = Client::new(config(&server, Credentials::Token("t".into()))).unwrap();
    let err = client.get_list(&GetListRequest::new()).await.unwrap_err();
    assert_eq!(err.code(), Some(200002));
    assert_eq!(err.request_id(), Some("trace-9"));
    let shown = err.to_string();
    assert!(shown.contains("200002") && shown.contains("镜像不存在"), "{shown}");
}

#[tokio::test]
async fn exchanges_uuid_and_secret_for_a_cached_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .and(body_json(json!({"uuid": "A27550582", "secret": "s3cr3t-value"})))
        .respond_with(token_reply("tok-1", 1_800_000))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .and(header("Finovy-Access-Token", "tok-1"))
        .respond_with(empty_page())
        .expect(3)
        .mount(&server)
        .await;
    let client = Client::new(config(&server, exchange())).unwrap();
    for _ in 0..3 {
        client.get_list(&GetListRequest::new()).await.unwrap();
    }
    assert!(!format!("{client:?}").contains("s3cr3t-value"), "the secret never shows in Debug");
}

#[tokio::test]
async fn refreshes_a_token_before_it_expires() {
    let server = MockServer::start().await;
    // Valid for 1.2 s with a 100 ms margin: refreshed after 1.1 s (a token is used for at least a second), so the
    // second call, 1.2 s later, needs a new token.
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(token_reply("short", 1_200))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(TOKEN)).respond_with(token_reply("fresh", 1_800_000)).mount(&server).await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .and(header("Finovy-Access-Token", "short"))
        .respond_with(empty_page())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .and(header("Finovy-Access-Token", "fresh"))
        .respond_with(empty_page())
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(config(&server, exchange()).with_refresh_margin(Duration::from_millis(100))).unwrap();
    client.get_list(&GetListRequest::new()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.get_list(&GetListRequest::new()).await.unwrap();
}

#[tokio::test]
async fn a_401_under_concurrency_refreshes_once_and_retries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(token_reply("revoked", 1_800_000))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(TOKEN)).respond_with(token_reply("good", 1_800_000)).mount(&server).await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .and(header("Finovy-Access-Token", "revoked"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .and(header("Finovy-Access-Token", "good"))
        .respond_with(empty_page())
        .mount(&server)
        .await;

    let client = Client::new(config(&server, exchange())).unwrap();
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_list(&GetListRequest::new()).await })
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap().unwrap();
    }
    let exchanges = server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == TOKEN).count();
    assert_eq!(exchanges, 2, "one exchange, then exactly one refresh after the 401s");
}

#[allow(dead_code)] // The example's `main` is not the test's.
#[path = "../../finovy-image/examples/list_personal_images.rs"]
mod list_personal_images;

/// What the `list_personal_images` example shows when the token exchange fails: the cause, not only "token exchange
/// failed": the redirect's status and `Location`, or the vendor's code and message for a wrong secret.
#[tokio::test]
async fn the_example_shows_why_the_token_exchange_failed() {
    let redirecting = MockServer::start().await;
    Mock::given(path(TOKEN))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "https://login.example/v1/auth/getToken"))
        .mount(&redirecting)
        .await;
    let refusing = MockServer::start().await;
    Mock::given(path(TOKEN))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"code": 401, "success": false, "msg": "身份认证失败"})),
        )
        .mount(&refusing)
        .await;
    for (server, cause) in [
        (&redirecting, "HTTP status 307 is a redirect to https://login.example/v1/auth/getToken"),
        (&refusing, "code 401: 身份认证失败"),
    ] {
        let client = Client::new(config(server, exchange())).expect("a client");
        let error = list_personal_images::list(&client, &mut |_| {}).await.expect_err("the exchange fails");
        let shown = list_personal_images::report(&error);
        assert!(shown.starts_with("authentication failed: token exchange failed: "), "{shown}");
        assert!(shown.contains(cause), "{shown}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
    }
}
