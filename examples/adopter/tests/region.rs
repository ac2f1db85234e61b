//! Region and Zone from the client's configuration (issue #22 item 1), on a crate generated from UCloud pages whose
//! docs mark both required: a request leaves them out, the configuration fills them, a request's own value wins,
//! and a required one set by neither fails before anything is sent.

use docbind::runtime::test_util::{Reply, StandIn};
use docbind::runtime::Error;
use golden_ucloud_common_parameters::{Client, Config, DescribeUk8sNodeRequest};

async fn stand_in() -> StandIn {
    let stand_in = StandIn::start().await.expect("a local port");
    stand_in.on("DescribeUK8SNode", Reply::json(r#"{"RetCode": 0, "NodeId": "node-1"}"#));
    stand_in
}

fn config(stand_in: &StandIn) -> Config {
    Config::new("public-key", "private-key").with_base_url(stand_in.base_url())
}

fn sent(stand_in: &StandIn, name: &str) -> Vec<Option<String>> {
    stand_in.requests().iter().map(|r| r.param(name)).collect()
}

#[tokio::test]
async fn the_configured_region_and_zone_fill_requests_that_leave_them_out() {
    let stand_in = stand_in().await;
    let client = Client::new(config(&stand_in).with_region("cn-bj2").with_zone("cn-bj2-04")).expect("a valid config");
    let request = DescribeUk8sNodeRequest::new("uk8s-1", "node-1");
    let node = client.describe_uk8s_node(&request).await.expect("described");
    assert_eq!(node.node_id.as_deref(), Some("node-1"));
    client.describe_uk8s_node(&request.clone().with_region("cn-sh2")).await.expect("described");

    assert_eq!(
        sent(&stand_in, "Region"),
        [Some("cn-bj2".to_owned()), Some("cn-sh2".to_owned())],
        "the request's own wins"
    );
    assert_eq!(sent(&stand_in, "Zone"), [Some("cn-bj2-04".to_owned()), Some("cn-bj2-04".to_owned())]);
    assert_eq!(sent(&stand_in, "ProjectId"), [None, None], "optional, and the configuration has none");
}

#[tokio::test]
async fn a_required_region_set_by_neither_fails_before_sending() {
    let stand_in = stand_in().await;
    let client = Client::new(config(&stand_in).with_zone("cn-bj2-04")).expect("a valid config");
    let err =
        client.describe_uk8s_node(&DescribeUk8sNodeRequest::new("uk8s-1", "node-1")).await.expect_err("no Region");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("DescribeUK8SNode") && text.contains("Region"), "{text}");
    assert!(stand_in.requests().is_empty(), "nothing was sent");
}
