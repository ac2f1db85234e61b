//! A team's first week (issue #22), each part against a local stand-in server: calls, page streams and waiters
//! spawned on tokio; config defaults filling the project; a call hook counting calls; enums compared across
//! operations; the blocking client from synchronous code (Finovy's and UFile's too).

use std::sync::Arc;
use std::time::Duration;

use docbind::runtime::test_util::{Reply, StandIn};
use docbind::ucloud_uodn::create_uvodn_node::ChargeType;
use docbind::ucloud_uodn::{Client, Config, DescribeUvodnNodeRequest, WaitOptions};
use docbind_adopter::{background, metrics::CallCounter, sync};

const IMAGES: &str = r#"{"RetCode": 0, "TotalCount": 2,
    "ImageList": [{"ImageId": "img-1", "ImageName": "ubuntu"}, {"ImageId": "img-2", "ImageName": "debian"}]}"#;
const NODES: &str = r#"{"RetCode": 0, "TotalCount": 1,
    "NodeList": [{"NodeId": "node-1", "State": 4, "ChargeType": 2}]}"#;

async fn stand_in() -> StandIn {
    let stand_in = StandIn::start().await.expect("a local port");
    stand_in.on("GetUvodnImage", Reply::json(IMAGES).with_header("X-UCLOUD-REQUEST-UUID", "req-images"));
    stand_in.on("DescribeUvodnNode", Reply::json(NODES));
    stand_in
}

fn config(stand_in: &StandIn) -> Config {
    Config::new("public-key", "private-key").with_base_url(stand_in.base_url())
}

#[tokio::test]
async fn a_call_a_stream_and_a_waiter_run_as_spawned_tasks() {
    let stand_in = stand_in().await;
    let client = Client::new(config(&stand_in)).expect("a valid config");
    let node_id = String::from("node-1");
    let options = WaitOptions::new().with_timeout(Duration::from_secs(5));

    let images = background::images(&client);
    let ids = background::all_image_ids(&client, 50);
    let node = background::until_running(&client, &node_id, &options);
    // The tasks own what they need: the client, the id and the options may go before they finish.
    drop((client, node_id, options));

    assert_eq!(images.await.expect("joined").expect("listed").image_list.len(), 2);
    assert_eq!(ids.await.expect("joined").expect("every page"), ["img-1", "img-2"]);
    let node = node.await.expect("joined").expect("running");
    assert_eq!(node.node_id.as_deref(), Some("node-1"));
    let actions: Vec<_> = stand_in.requests().iter().filter_map(|r| r.param("Action")).collect();
    assert_eq!(actions.iter().filter(|a| *a == "GetUvodnImage").count(), 2, "{actions:?}");
    assert!(actions.contains(&"DescribeUvodnNode".to_owned()), "{actions:?}");
}

#[tokio::test]
async fn finovy_calls_and_streams_run_as_spawned_tasks_too() {
    use docbind::finovy_image::{Client as FinovyClient, Config as FinovyConfig, Credentials, GetListRequest};
    use docbind::runtime::futures::TryStreamExt as _;
    let stand_in = StandIn::start().await.expect("a local port");
    let page = r#"{"code": 0, "data": {"data": [{"imageId": 7, "imageName": "web"}], "totalCounts": 1}}"#;
    stand_in.on("/v1/open/image/personal/getList", Reply::json(page));
    let config = FinovyConfig::new(Credentials::token("access-token")).with_base_url(stand_in.base_url());
    let client = FinovyClient::new(config).expect("a valid config");
    let request = GetListRequest::new();

    let call = tokio::spawn(client.get_list(&request));
    let names = tokio::spawn(client.get_list_stream(&request).map_ok(|image| image.image_name).try_collect::<Vec<_>>());
    drop((client, request));

    assert_eq!(call.await.expect("joined").expect("listed").total_counts, Some(1));
    assert_eq!(names.await.expect("joined").expect("every page"), [Some("web".to_owned())]);
    assert_eq!(stand_in.requests().len(), 2);
}

#[tokio::test]
async fn the_configured_project_fills_requests_that_leave_it_out() {
    // Region and Zone follow the same rule in every operation whose docs declare them; UODN's docs declare only
    // the project (Region and Zone: tests/region.rs).
    let stand_in = stand_in().await;
    let client = Client::new(config(&stand_in).with_project_id("org-team")).expect("a valid config");
    client.describe_uvodn_node(&DescribeUvodnNodeRequest::new()).await.expect("described");
    client.describe_uvodn_node(&DescribeUvodnNodeRequest::new().with_project_id("org-other")).await.expect("ok");
    let projects: Vec<_> = stand_in.requests().iter().map(|r| r.param("ProjectId")).collect();
    assert_eq!(projects, [Some("org-team".to_owned()), Some("org-other".to_owned())], "the request's own wins");
}

#[tokio::test]
async fn a_call_hook_counts_every_call_and_keeps_the_last_request_id() {
    let stand_in = stand_in().await;
    stand_in.on("DeleteUvodnNode", Reply::json(r#"{"RetCode": 0}"#).with_status(403));
    let counter = Arc::new(CallCounter::default());
    let client = Client::new(config(&stand_in).with_hook(counter.clone())).expect("a valid config");

    background::images(&client).await.expect("joined").expect("listed");
    let node = client.describe_uvodn_node(&DescribeUvodnNodeRequest::new()).await.expect("described");
    assert_eq!(node.node_list.len(), 1);
    let delete = docbind::ucloud_uodn::DeleteUvodnNodeRequest::new(vec!["node-1".to_owned()]);
    client.delete_uvodn_node(&delete).await.expect_err("HTTP 403");

    assert_eq!((counter.attempts(), counter.successes(), counter.failures()), (3, 2, 1));
    assert_eq!(counter.last_request_id().as_deref(), Some("req-images"));
}

#[tokio::test]
async fn charge_types_compare_across_operations() {
    let stand_in = stand_in().await;
    let client = Client::new(config(&stand_in)).expect("a valid config");
    let described = client.describe_uvodn_node(&DescribeUvodnNodeRequest::new()).await.expect("described");
    let node = &described.node_list[0];
    assert!(background::charged_as_asked(&ChargeType::Monthly, node));
    assert!(!background::charged_as_asked(&ChargeType::Hourly, node));
}

#[test]
fn synchronous_code_uses_the_blocking_client() {
    // The stand-in serves from a runtime of its own, as the real service would from elsewhere.
    let server = tokio::runtime::Runtime::new().expect("a runtime");
    let stand_in = server.block_on(stand_in());
    let client = sync::client(config(&stand_in).with_project_id("org-team")).expect("a valid config");

    assert_eq!(sync::image_names(&client).expect("listed"), ["ubuntu", "debian"]);
    let node = client.wait_until_node_running("node-1", &WaitOptions::new()).expect("running");
    assert_eq!(node.node_id.as_deref(), Some("node-1"));
    let described = client.describe_uvodn_node(&DescribeUvodnNodeRequest::new()).expect("described");
    assert_eq!(described.node_list.len(), 1);
    let projects: Vec<_> = stand_in.requests().iter().map(|r| r.param("ProjectId")).collect();
    assert_eq!(projects.len(), 3);
    assert!(projects.iter().all(|p| p.as_deref() == Some("org-team")), "{projects:?}");
}

/// The facade's `blocking` feature reaches every crate it re-exports: Finovy's and UFile's clients block too.
#[test]
fn finovy_and_ufile_have_blocking_clients_too() {
    use docbind::{finovy_image, ucloud_ufile};
    let server = tokio::runtime::Runtime::new().expect("a runtime");

    let finovy = server.block_on(StandIn::start()).expect("a local port");
    let page = r#"{"code": 0, "data": {"data": [{"imageId": 7, "imageName": "web"}], "totalCounts": 1}}"#;
    finovy.on("/v1/open/image/personal/getList", Reply::json(page));
    let credentials = finovy_image::Credentials::token("access-token");
    let config = finovy_image::Config::new(credentials).with_base_url(finovy.base_url());
    let client = finovy_image::blocking::Client::new(config).expect("a valid config");
    let listed = client.get_list(&finovy_image::GetListRequest::new()).expect("listed");
    assert_eq!(listed.data[0].image_name.as_deref(), Some("web"));
    assert_eq!(finovy.requests()[0].header("Finovy-Access-Token"), Some("access-token"));

    let ufile = server.block_on(docbind::runtime::test_util::ufile::StandIn::start("pk", "sk", "team-bucket"));
    let ufile = ufile.expect("a local port");
    let config = ucloud_ufile::Config::new("pk", "sk", "team-bucket", "cn-bj").with_base_url(ufile.base_url());
    let client = ucloud_ufile::blocking::Client::new(config).expect("a valid config");
    let body = docbind::runtime::ufile::UploadBody::bytes(&b"minutes"[..]);
    client.put_file(&ucloud_ufile::PutFileRequest::new("notes.txt"), body).expect("stored");
    assert_eq!(ufile.object("notes.txt").as_deref(), Some(&b"minutes"[..]), "signed, checked and stored");
}

#[tokio::test]
async fn the_blocking_client_called_from_async_code_fails_instead_of_blocking() {
    let stand_in = stand_in().await;
    let client = sync::client(config(&stand_in)).expect("a valid config");
    let error = sync::image_names(&client).expect_err("refused");
    assert!(matches!(&error, docbind::ucloud_uodn::Error::Config(m) if m.contains("async code")), "{error:?}");
    assert!(stand_in.requests().is_empty(), "nothing was sent");
    drop(client); // its runtime shuts down without a panic, in async code too
}

#[test]
fn the_paths_rustc_suggests_exist() {
    // rustc names the runtime's items by its crate's name in its help ("perhaps you want to import it: use
    // docbind::docbind_runtime::futures::TryStreamExt"): the facade has that path too.
    use docbind::docbind_runtime::futures::TryStreamExt;
    let stream = docbind::runtime::futures::stream::iter([Ok::<u8, ()>(1)]);
    assert_eq!(docbind::runtime::futures::executor::block_on(TryStreamExt::try_collect::<Vec<_>>(stream)), Ok(vec![1]));
    let options: docbind::docbind_runtime::WaitOptions = docbind::runtime::WaitOptions::new();
    assert_eq!(options, WaitOptions::new());
}
