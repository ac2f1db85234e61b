//! What a call reports besides its data, against the stand-in server: the request id, attempts and time of a
//! success (`call_info()`), the request id of failures that used to lose it (an undecodable body, a Finovy HTTP
//! error status), and the per-call settings of the future a generated method returns.

use std::future::Future;
use std::time::{Duration, Instant};

use docbind::finovy_image::{Client as FinovyClient, Config as FinovyConfig, GetListRequest};
use docbind::runtime::finovy::Credentials;
use docbind::runtime::test_util::{Reply, StandIn};
use docbind::runtime::{CallOptions, Error};
use docbind::ucloud_uodn::{Client, Config, GetUvodnImageRequest, GetUvodnImageResponse};

const IMAGES: &str = r#"{"RetCode": 0, "TotalCount": 1, "ImageList": [{"ImageId": "img-1"}]}"#;
const LIST: &str = "/v1/open/image/personal/getList";

async fn ucloud(reply: Reply) -> (StandIn, Client) {
    let stand_in = StandIn::start().await.expect("a port on 127.0.0.1");
    stand_in.on("GetUvodnImage", reply);
    let client = Client::new(Config::new("pub", "priv").with_base_url(stand_in.base_url())).expect("a client");
    (stand_in, client)
}

async fn finovy(reply: Reply) -> (StandIn, FinovyClient) {
    let stand_in = StandIn::start().await.expect("a port on 127.0.0.1");
    stand_in.on(LIST, reply);
    let config = FinovyConfig::new(Credentials::Token("tok".into())).with_base_url(stand_in.base_url());
    (stand_in, FinovyClient::new(config).expect("a client"))
}

#[tokio::test]
async fn a_success_reports_its_request_id_attempts_and_time() {
    let reply =
        Reply::json(IMAGES).with_header("X-UCLOUD-REQUEST-UUID", "req-42").with_delay(Duration::from_millis(30));
    let (_stand_in, client) = ucloud(reply).await;
    let response = client.get_uvodn_image(&GetUvodnImageRequest::new()).await.expect("the reply");
    assert_eq!(response.request_id(), Some("req-42"));
    let info = response.call_info();
    assert_eq!((info.request_id.as_deref(), info.attempts, info.status), (Some("req-42"), 1, 200));
    assert!(info.elapsed >= Duration::from_millis(30), "{:?}", info.elapsed);

    // Finovy's request id is the envelope's traceId.
    let (_stand_in, client) = finovy(Reply::json(r#"{"code": 0, "traceId": "t-7", "data": {"data": []}}"#)).await;
    let page = client.get_list(&GetListRequest::new()).await.expect("the reply");
    assert_eq!((page.request_id(), page.call_info().attempts), (Some("t-7"), 1));

    // A response no call returned has the default: no id, no attempts. Equality is about the data only.
    let built = GetUvodnImageResponse::default();
    assert_eq!((built.request_id(), built.call_info().attempts), (None, 0));
    let mut same_data = response.clone();
    same_data.image_list.clear();
    same_data.total_count = None;
    assert_eq!(same_data, built, "the call's info is not part of equality");
}

#[tokio::test]
async fn an_undecodable_body_keeps_the_request_id() {
    let reply = Reply::json("<html>gateway</html>").with_header("X-UCLOUD-REQUEST-UUID", "req-html");
    let (_stand_in, client) = ucloud(reply).await;
    let error = client.get_uvodn_image(&GetUvodnImageRequest::new()).with_max_attempts(1).await.expect_err("HTML");
    assert!(matches!(&error, Error::Decode { request_id: Some(id), .. } if id == "req-html"), "{error:?}");
    assert_eq!(error.request_id(), Some("req-html"));
    assert!(error.to_string().contains("(request id req-html)"), "{error}");
}

#[tokio::test]
async fn a_finovy_http_error_keeps_the_trace_id_of_its_body() {
    let body = r#"{"code": 500, "msg": "internal", "traceId": "t-500"}"#;
    let (_stand_in, client) = finovy(Reply::json(body).with_status(500)).await;
    let error = client.get_list(&GetListRequest::new()).with_max_attempts(1).await.expect_err("HTTP 500");
    assert!(matches!(&error, Error::Status { status: 500, request_id: Some(id), .. } if id == "t-500"), "{error:?}");
    assert_eq!(error.request_id(), Some("t-500"));

    // A body that is not an envelope has none to keep.
    let (_stand_in, client) = finovy(Reply::json("upstream down").with_status(502)).await;
    let error = client.get_list(&GetListRequest::new()).with_max_attempts(1).await.expect_err("HTTP 502");
    assert_eq!((error.status(), error.request_id()), (Some(502), None));
}

#[tokio::test]
async fn per_call_settings_override_the_clients_for_that_call_only() {
    let (stand_in, client) = ucloud(Reply::json(IMAGES).with_delay(Duration::from_millis(400))).await;
    let request = GetUvodnImageRequest::new();

    let started = Instant::now();
    let error = client.get_uvodn_image(&request).with_deadline(Duration::from_millis(100)).await.expect_err("late");
    assert!(matches!(error, Error::Deadline { after, .. } if after == Duration::from_millis(100)), "{error:?}");
    assert!(started.elapsed() < Duration::from_millis(350), "{:?}", started.elapsed());

    // A read-only call retries a timeout up to its attempts: three attempts, each cut at 50 ms.
    let call = client
        .get_uvodn_image(&request)
        .with_options(CallOptions::new().with_timeout(Duration::from_millis(50)).with_max_attempts(3));
    assert_eq!(call.operation(), "GetUvodnImage");
    let before = stand_in.requests().len();
    let error = call.await.expect_err("every attempt times out");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(stand_in.requests().len() - before, 3, "attempts");

    // The client itself is unchanged: the slow answer arrives within its own timeout.
    let response = client.get_uvodn_image(&request).await.expect("the client's settings");
    assert_eq!(response.call_info().attempts, 1);
}

#[tokio::test]
async fn a_call_is_a_plain_future_awaited_once() {
    let (_stand_in, client) = ucloud(Reply::json(IMAGES)).await;
    let mut call = client.get_uvodn_image(&GetUvodnImageRequest::new());
    fn is_send_future<F: Future + Send>(_: &F) {}
    is_send_future(&call);
    assert!((&mut call).await.is_ok());
    let again = (&mut call).await.expect_err("a finished call");
    assert!(matches!(&again, Error::InvalidRequest(message) if message.contains("GetUvodnImage")), "{again:?}");

    // Two calls at once, as futures.
    let (a, b) = futures::join!(
        client.get_uvodn_image(&GetUvodnImageRequest::new()),
        client.get_uvodn_image(&GetUvodnImageRequest::new().with_limit(1)),
    );
    assert_eq!((a.expect("a").image_list.len(), b.expect("b").image_list.len()), (1, 1));
}
