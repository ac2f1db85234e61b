//! The adopting project's needs, each against a local stand-in server: its own HTTP client, serde in wire shape,
//! the request id of a successful call, and a per-call timeout. (Profiles: tests/profile.rs, which sets process
//! environment variables and so runs alone.)

use std::time::{Duration, Instant};

use docbind::runtime::test_util::{Reply, StandIn};
use docbind::ucloud_uodn::{Client, Config, Error, GetUvodnImageResponse};

/// A GetUvodnImage body as the service sends it, with a key the docs do not declare (`Sampled`), an image type the
/// docs do not list (9), and a value that does not fit its documented type (`TotalCount`).
const BODY: &str = r#"{
    "RetCode": 0,
    "Action": "GetUvodnImageResponse",
    "ImageList": [
        {"ImageId": "img-1", "ImageName": "ubuntu", "ImageType": 1, "OcType": "unix", "State": "1",
         "DeployInfoList": [{"IdcId": "idc-a", "State": 5}]},
        {"ImageId": "img-2", "ImageType": 9, "OcType": "plan9", "DeployInfoList": [], "Sampled": {"at": 7}}
    ],
    "TotalCount": "two"
}"#;

async fn stand_in(reply: Reply) -> StandIn {
    let stand_in = StandIn::start().await.expect("a local port");
    stand_in.on("GetUvodnImage", reply);
    stand_in
}

fn client(stand_in: &StandIn, http: Option<docbind::runtime::reqwest::Client>) -> Client {
    let mut config = Config::new("public-key", "private-key").with_base_url(stand_in.base_url());
    if let Some(http) = http {
        config = config.with_http_client(http);
    }
    Client::new(config).expect("a valid config")
}

#[tokio::test]
async fn the_applications_own_http_client_sends_its_default_headers() {
    let stand_in = stand_in(Reply::json(BODY)).await;
    let client = client(&stand_in, Some(docbind_adopter::http_client("payments").expect("a client")));
    docbind_adopter::list_images(&client, Duration::from_secs(5)).await.expect("the call succeeds");
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header(docbind_adopter::TEAM_HEADER), Some("payments"), "{:?}", requests[0].headers);
    assert_eq!(requests[0].param("PublicKey").as_deref(), Some("public-key"));
}

#[tokio::test]
async fn a_response_serializes_back_to_the_wire_json_and_reads_back_equal() {
    let stand_in = stand_in(Reply::json(BODY)).await;
    let response = docbind_adopter::list_images(&client(&stand_in, None), Duration::from_secs(5)).await.expect("ok");

    let written: serde_json::Value =
        serde_json::from_str(&docbind_adopter::to_wire_json(&response).expect("serializes")).expect("JSON");
    let mut sent: serde_json::Value = serde_json::from_str(BODY).expect("JSON");
    // The envelope is the call's (its status was judged), not the response's.
    let envelope = sent.as_object_mut().expect("an object");
    envelope.remove("RetCode");
    envelope.remove("Action");
    assert_eq!(written, sent);

    let read_back: GetUvodnImageResponse = serde_json::from_value(written).expect("reads back");
    assert_eq!(read_back, response);
    assert_eq!(read_back.extra.get("TotalCount"), Some(&serde_json::json!("two")), "a misfit stays in extra");
}

#[tokio::test]
async fn a_successful_call_tells_its_request_id_attempts_and_time() {
    let reply = Reply::json(BODY).with_header("X-UCLOUD-REQUEST-UUID", "7d3f-request");
    let stand_in = stand_in(reply).await;
    let response = docbind_adopter::list_images(&client(&stand_in, None), Duration::from_secs(5)).await.expect("ok");
    assert_eq!(response.request_id(), Some("7d3f-request"));
    let info = response.call_info();
    assert_eq!((info.attempts, info.status), (1, 200));
    assert!(info.elapsed > Duration::ZERO && info.elapsed < Duration::from_secs(5), "{:?}", info.elapsed);
}

#[tokio::test]
async fn a_per_call_timeout_fires_and_the_clients_own_does_not() {
    let stand_in = stand_in(Reply::json(BODY).with_delay(Duration::from_millis(800))).await;
    let client = client(&stand_in, None);

    let started = Instant::now();
    let error = docbind_adopter::list_images(&client, Duration::from_millis(100)).await.expect_err("times out");
    assert!(matches!(error, Error::Timeout { after, .. } if after == Duration::from_millis(100)), "{error:?}");
    assert!(started.elapsed() < Duration::from_millis(700), "gave up after {:?}", started.elapsed());

    // The same client, without the override: its own timeout (30 s) lets the slow answer arrive.
    let response = client.get_uvodn_image(&Default::default()).await.expect("the client's timeout is longer");
    assert_eq!(response.image_list.len(), 2);
}
