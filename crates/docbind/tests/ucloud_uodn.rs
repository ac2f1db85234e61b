//! End to end: the generated `ucloud-uodn` crate against a real HTTP server on 127.0.0.1.

use docbind::runtime::{Error, RetryPolicy};
use docbind::ucloud_uodn::get_uvodn_image::{DeployState, ImageState, ImageType, OcType};
use docbind::ucloud_uodn::{Client, Config, GetUvodnImageRequest};
use futures::TryStreamExt as _;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

const PUBLIC_KEY: &str = "ucloudsomeone@example.com1296235120854146120";
const PRIVATE_KEY: &str = "46f09bb9fab4f12dfc160dae12273d5332b5debe";

fn config(server: &MockServer) -> Config {
    Config::new(PUBLIC_KEY, PRIVATE_KEY).with_base_url(server.uri()).with_retry(
        RetryPolicy::new().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(5)),
    )
}

fn form(request: &Request) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(&request.body).into_owned().collect()
}

/// The response example of the doc the crate was generated from, read at test time.
fn doc_response_example() -> serde_json::Value {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/ucloud-uodn/get_uvodn_image.md"))
            .expect("spec");
    let start = doc.find("```json").expect("json example") + "```json".len();
    let end = start + doc[start..].find("```").expect("closing fence");
    serde_json::from_str(&doc[start..end]).expect("example is JSON")
}

#[tokio::test]
async fn sends_the_exact_signed_form_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"RetCode": 0, "Action": "GetUvodnImageResponse"})),
        )
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let request = GetUvodnImageRequest::new()
        .with_project_id("org-xxx")
        .with_image_type(ImageType::Standard)
        .with_offset(0)
        .with_limit(2);
    client.get_uvodn_image(&request).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let content_type = received[0].headers.get("content-type").unwrap().to_str().unwrap();
    assert!(content_type.starts_with("application/x-www-form-urlencoded"), "{content_type}");
    let expected: BTreeMap<String, String> = [
        ("Action", "GetUvodnImage"),
        ("ImageType", "1"),
        ("Limit", "2"),
        ("Offset", "0"),
        ("ProjectId", "org-xxx"),
        ("PublicKey", PUBLIC_KEY),
        // sha1("ActionGetUvodnImageImageType1Limit2Offset0ProjectIdorg-xxxPublicKey<pub><private>"), computed
        // independently with Python's hashlib.
        ("Signature", "25c8dea9c59dd653f324ac2d72784ba0d5738cf4"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(form(&received[0]), expected);
}

#[tokio::test]
async fn unset_parameters_are_not_sent_and_config_fills_the_project() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"RetCode": 0})))
        .mount(&server)
        .await;
    let client = Client::new(config(&server).with_project_id("org-default")).unwrap();
    client.get_uvodn_image(&GetUvodnImageRequest::new()).await.unwrap();
    let sent = form(&server.received_requests().await.unwrap()[0]);
    assert_eq!(sent.keys().map(String::as_str).collect::<Vec<_>>(), ["Action", "ProjectId", "PublicKey", "Signature"]);
    assert_eq!(sent["ProjectId"], "org-default");
}

#[tokio::test]
async fn decodes_the_docs_own_response_example() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(doc_response_example()))
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let response = client.get_uvodn_image(&GetUvodnImageRequest::new()).await.unwrap();
    assert_eq!(response.total_count, Some(1));
    assert_eq!(response.image_list.len(), 1);
    let image = &response.image_list[0];
    assert_eq!(image.image_id.as_deref(), Some("uodn-image-xxx"));
    assert_eq!(image.image_name.as_deref(), Some("CentOS 7.2 64位"));
    // Declared string, sent as the number 1; the overlay names the value.
    assert_eq!(image.image_type, Some(ImageType::Standard));
    // 系统类型 lists unix and windows; the example's "CentOs" is kept as an unknown value.
    assert_eq!(image.oc_type, Some(OcType::Unknown("CentOs".into())));
    assert!(image.extra.is_empty() && response.extra.is_empty());
}

#[tokio::test]
async fn surprising_values_are_coerced_or_kept_raw_never_lost() {
    let server = MockServer::start().await;
    let body = json!({
        "RetCode": "0",
        "Action": "GetUvodnImageResponse",
        "TotalCount": "3",
        "Undocumented": {"nested": [1, 2]},
        "ImageList": [
            {
                "ImageId": 42,
                "ImageName": {"zh": "中文", "en": "English"},
                "State": 1,
                "imagesize": 20,
                "DeployInfoList": [{"IdcId": "idc-1", "State": "2"}, "not-a-model", {"IdcId": null, "Extra": true}],
            },
            "garbage",
            {"ImageId": "ok", "DeployInfoList": null}
        ]
    });
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let client = Client::new(config(&server)).unwrap();
    let response = client.get_uvodn_image(&GetUvodnImageRequest::new()).await.unwrap();

    assert_eq!(response.total_count, Some(3), "numeric string for an int");
    assert_eq!(response.extra.get("Undocumented"), Some(&json!({"nested": [1, 2]})));
    assert_eq!(response.image_list.len(), 2, "the string element is not an image");
    assert_eq!(response.extra.get("ImageList.1"), Some(&json!("garbage")));

    let first = &response.image_list[0];
    assert_eq!(first.image_id.as_deref(), Some("42"));
    assert_eq!(first.image_name, None);
    assert_eq!(first.extra.get("ImageName"), Some(&json!({"zh": "中文", "en": "English"})));
    assert_eq!(first.state, Some(ImageState::Available));
    assert_eq!(first.image_size.as_deref(), Some("20"), "keys match case-insensitively as a fallback");
    assert_eq!(first.deploy_info_list.len(), 2);
    assert_eq!(first.deploy_info_list[0].state, Some(DeployState::Unavailable));
    assert_eq!(first.extra.get("DeployInfoList.1"), Some(&json!("not-a-model")));
    assert_eq!(first.deploy_info_list[1].extra.get("Extra"), Some(&json!(true)));

    assert_eq!(response.image_list[1].image_id.as_deref(), Some("ok"));
    assert!(response.image_list[1].deploy_info_list.is_empty());
}

#[tokio::test]
async fn ret_code_errors_carry_code_message_and_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-UCLOUD-REQUEST-UUID", "req-123")
                .set_body_json(json!({"RetCode": 171, "Action": "GetUvodnImageResponse", "Message": "签名错误"})),
        )
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let err = client.get_uvodn_image(&GetUvodnImageRequest::new()).await.unwrap_err();
    assert_eq!(err.code(), Some(171));
    assert_eq!(err.request_id(), Some("req-123"));
    let shown = err.to_string();
    assert!(shown.contains("171") && shown.contains("签名错误") && shown.contains("req-123"), "{shown}");
    assert!(!shown.contains(PRIVATE_KEY));
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "171 is not retried");
}

/// Matches a form body holding `key=value`.
struct FormHas(&'static str, String);

impl Match for FormHas {
    fn matches(&self, request: &Request) -> bool {
        form(request).get(self.0) == Some(&self.1)
    }
}

/// Answers with the given statuses in turn, then with success.
struct Sequence(std::sync::Mutex<Vec<ResponseTemplate>>);

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut queue = self.0.lock().expect("responder lock");
        if queue.is_empty() {
            ResponseTemplate::new(200).set_body_json(json!({"RetCode": 0, "TotalCount": 7}))
        } else {
            queue.remove(0)
        }
    }
}

#[tokio::test]
async fn transient_failures_are_retried_and_re_signed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Sequence(std::sync::Mutex::new(vec![
            ResponseTemplate::new(503),
            ResponseTemplate::new(200).set_body_json(json!({"RetCode": 153, "Message": "限流"})),
        ])))
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let response = client.get_uvodn_image(&GetUvodnImageRequest::new()).await.unwrap();
    assert_eq!(response.total_count, Some(7));
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    for request in &received {
        let mut sent = form(request);
        let signature = sent.remove("Signature").expect("every attempt is signed");
        assert_eq!(signature, documented_signature(&sent), "an attempt's signature does not verify");
    }
}

/// UCloud's documented signature: SHA-1, as lowercase hex, of every parameter but `Signature` as `key` + `value`
/// in bytewise key order, followed by the private key. Computed here from the definition, not by the runtime.
fn documented_signature(params: &BTreeMap<String, String>) -> String {
    use sha1::Digest as _;
    let mut input = String::new();
    for (key, value) in params {
        input.push_str(key);
        input.push_str(value);
    }
    input.push_str(PRIVATE_KEY);
    sha1::Sha1::digest(input.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn retries_stop_at_the_attempt_limit() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(502)).mount(&server).await;
    let client = Client::new(
        config(&server).with_retry(
            RetryPolicy::new()
                .with_max_attempts(4)
                .with_base_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(2)),
        ),
    )
    .unwrap();
    let err = client.get_uvodn_image(&GetUvodnImageRequest::new()).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn an_action_marked_non_idempotent_is_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let client = Client::new(config(&server).idempotency_override("GetUvodnImage", false)).unwrap();
    let err = client.get_uvodn_image(&GetUvodnImageRequest::new()).await.unwrap_err();
    let Error::OutcomeUnknown { source, .. } = &err else { panic!("expected outcome unknown: {err:?}") };
    assert_eq!(source.status(), Some(503));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_stalled_server_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)).set_body_json(json!({"RetCode": 0})))
        .mount(&server)
        .await;
    let client =
        Client::new(config(&server).with_timeout(Duration::from_millis(200)).with_retry(RetryPolicy::disabled()))
            .unwrap();
    let started = std::time::Instant::now();
    let err = client.get_uvodn_image(&GetUvodnImageRequest::new()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn the_stream_fetches_every_page_lazily() {
    let server = MockServer::start().await;
    let page = |offset: usize, n: usize| {
        let images: Vec<_> = (offset..offset + n).map(|i| json!({"ImageId": format!("img-{i}")})).collect();
        ResponseTemplate::new(200).set_body_json(json!({"RetCode": 0, "TotalCount": 5, "ImageList": images}))
    };
    for (offset, n) in [(0, 2), (2, 2), (4, 1)] {
        Mock::given(method("POST"))
            .and(FormHas("Offset", offset.to_string()))
            .respond_with(page(offset, n))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = Client::new(config(&server)).unwrap();
    let stream = client.get_uvodn_image_stream(&GetUvodnImageRequest::new().with_limit(2));
    let ids: Vec<String> = stream.map_ok(|image| image.image_id.unwrap_or_default()).try_collect().await.unwrap();
    assert_eq!(ids, ["img-0", "img-1", "img-2", "img-3", "img-4"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn enum_values_the_docs_do_not_list_are_kept_and_round_trip() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "RetCode": 0,
            "ImageList": [{"ImageType": 9, "State": "3", "DeployInfoList": [{"State": 5}, {"State": 6}]}]
        })))
        .mount(&server)
        .await;
    let client = Client::new(config(&server)).unwrap();
    let response = client.get_uvodn_image(&GetUvodnImageRequest::new()).await.unwrap();
    let image = &response.image_list[0];
    assert_eq!(image.image_type, Some(ImageType::Unknown("9".into())));
    assert_eq!(image.state, Some(ImageState::Unknown("3".into())));
    assert_eq!(image.deploy_info_list[0].state, Some(DeployState::Deploying));
    assert_eq!(image.deploy_info_list[1].state, Some(DeployState::Unknown("6".into())));

    // An unknown value is sent back exactly as it came.
    let request = GetUvodnImageRequest::new().with_image_type(image.image_type.clone().unwrap());
    client.get_uvodn_image(&request).await.unwrap();
    let sent = form(&server.received_requests().await.unwrap()[1]);
    assert_eq!(sent["ImageType"], "9");
}
