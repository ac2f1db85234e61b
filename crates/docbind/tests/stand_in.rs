//! `test_util::StandIn` (feature `test-util`), as a user of the generated crates tests with it: canned replies by
//! UCloud Action and by Finovy path, recorded requests, and a 404 for what it has no reply for.

use docbind::finovy_image::{Client as FinovyClient, Config as FinovyConfig, GetListRequest};
use docbind::runtime::finovy::Credentials;
use docbind::runtime::test_util::{Reply, StandIn};
use docbind::runtime::Error;
use docbind::ucloud_uodn::{Client, Config, GetUvodnImageRequest};

#[tokio::test]
async fn ucloud_calls_get_the_reply_of_their_action() {
    let stand_in = StandIn::start().await.expect("a port on 127.0.0.1");
    stand_in.on(
        "GetUvodnImage",
        Reply::json(r#"{"RetCode": 0, "TotalCount": 1, "ImageList": [{"ImageId": "img-1", "ImageName": "web"}]}"#),
    );
    let config = Config::new("pub-key", "priv-key").with_project_id("org-1").with_base_url(stand_in.base_url());
    let client = Client::new(config).expect("a client");
    let images = client.get_uvodn_image(&GetUvodnImageRequest::new().with_limit(5)).await.expect("the reply");
    assert_eq!(images.image_list[0].image_name.as_deref(), Some("web"));

    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path()), ("POST", "/"));
    assert_eq!(request.param("Action").as_deref(), Some("GetUvodnImage"));
    assert_eq!(request.param("Limit").as_deref(), Some("5"));
    assert_eq!(request.param("PublicKey").as_deref(), Some("pub-key"));
    assert!(request.param("Signature").is_some_and(|s| s.len() == 40));
    assert!(request.header("user-agent").is_some_and(|ua| ua.starts_with("docbind-runtime/")));
}

#[tokio::test]
async fn finovy_calls_get_the_reply_of_their_path_and_the_rest_is_a_404() {
    let stand_in = StandIn::start().await.expect("a port on 127.0.0.1");
    stand_in
        .on("/v1/auth/getToken", Reply::json(r#"{"code": 0, "data": {"token": "tok-1", "effectiveTime": 1800000}}"#))
        .on(
            "/v1/open/image/personal/getList",
            Reply::json(r#"{"code": 0, "traceId": "t-9", "data": {"data": [], "totalCounts": 0}}"#),
        );
    let credentials = Credentials::Exchange { uuid: "A1".into(), secret: "s3cret".into() };
    let client =
        FinovyClient::new(FinovyConfig::new(credentials).with_base_url(stand_in.base_url())).expect("a client");
    let page = client.get_list(&GetListRequest::new()).await.expect("the reply");
    assert_eq!(page.total_counts, Some(0));
    let requests = stand_in.requests();
    assert_eq!(
        requests.iter().map(|r| r.path()).collect::<Vec<_>>(),
        ["/v1/auth/getToken", "/v1/open/image/personal/getList"]
    );
    assert_eq!(requests[1].header("Finovy-Access-Token"), Some("tok-1"));
    assert!(String::from_utf8_lossy(&requests[0].body).contains("s3cret"));

    // A reply can be replaced, e.g. by a failure with a header.
    stand_in.on("/v1/open/image/personal/getList", Reply::json("{}").with_status(400).with_header("X-Why", "test"));
    let err = client.get_list(&GetListRequest::new()).await.expect_err("the 400");
    assert_eq!(err.status(), Some(400));

    let ucloud = Client::new(Config::new("p", "s").with_base_url(stand_in.base_url())).expect("a client");
    let err = ucloud.get_uvodn_image(&GetUvodnImageRequest::new()).await.expect_err("no reply for it");
    assert!(
        matches!(&err, Error::Status { status: 404, body, .. } if body.contains("Action GetUvodnImage")),
        "{err:?}"
    );
}

/// UCloud's common parameters: the configuration fills what a request leaves unset, and a call whose docs require
/// one that neither sets fails before anything is sent.
#[tokio::test]
async fn a_required_common_parameter_set_by_neither_request_nor_config_sends_nothing() {
    use docbind::runtime::__private::ucloud::{decode_response, CommonParameter, ConfigDefault, Form, Operation};
    use docbind::ucloud_uodn::GetUvodnImageResponse;
    // As generated methods describe it (`__ucloud_call!`).
    static OPERATION: Operation = Operation {
        action: "GetUvodnImage",
        idempotent: true,
        common: &[
            CommonParameter { wire: "Region", default: ConfigDefault::Region, required: true },
            CommonParameter { wire: "Zone", default: ConfigDefault::Zone, required: false },
        ],
    };
    let decode_response = decode_response::<GetUvodnImageResponse>;
    let stand_in = StandIn::start().await.expect("a port on 127.0.0.1");
    stand_in.on("GetUvodnImage", Reply::json(r#"{"RetCode": 0}"#));
    let unset = Client::new(Config::new("p", "s").with_base_url(stand_in.base_url())).expect("a client");
    let err = unset.runtime().call(&OPERATION, Form::new(), decode_response).await.expect_err("no region");
    assert!(matches!(&err, Error::InvalidRequest(m) if m.contains("GetUvodnImage") && m.contains("Region")), "{err:?}");
    assert!(stand_in.requests().is_empty(), "nothing may be sent without a required parameter");

    let config = Config::new("p", "s").with_base_url(stand_in.base_url()).with_region("cn-bj2");
    let client = Client::new(config).expect("a client");
    client.runtime().call(&OPERATION, Form::new(), decode_response).await.expect("the reply");
    let mut form = Form::new();
    form.str("Region", "hk");
    client.runtime().call(&OPERATION, form, decode_response).await.expect("the reply");
    let sent: Vec<_> = stand_in.requests().iter().map(|r| (r.param("Region"), r.param("Zone"))).collect();
    assert_eq!(sent, [(Some("cn-bj2".to_owned()), None), (Some("hk".to_owned()), None)]);
}
