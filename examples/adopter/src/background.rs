//! Work handed to tokio: a call, a page stream and a waiter, each spawned and joined later. The futures and streams
//! the generated methods return own what they need (a share of the client, the encoded request), so nothing here
//! keeps the client or the request borrowed.

use docbind::runtime::futures::TryStreamExt as _;
use docbind::ucloud_uodn::describe_uvodn_node::NodeInfo;
use docbind::ucloud_uodn::{
    ChargeType, Client, Error, GetUvodnImageRequest, GetUvodnImageResponse, WaitError, WaitOptions,
};
use tokio::task::JoinHandle;

/// The first page of images, fetched in the background.
pub fn images(client: &Client) -> JoinHandle<Result<GetUvodnImageResponse, Error>> {
    let request = GetUvodnImageRequest::new().with_limit(50);
    tokio::spawn(client.get_uvodn_image(&request))
}

/// The ids of every image, page after page, collected in the background.
pub fn all_image_ids(client: &Client, page_size: i64) -> JoinHandle<Result<Vec<String>, Error>> {
    let stream = client.get_uvodn_image_stream(&GetUvodnImageRequest::new().with_limit(page_size));
    tokio::spawn(stream.map_ok(|image| image.image_id.unwrap_or_default()).try_collect())
}

/// Waits in the background until the node runs.
pub fn until_running(client: &Client, node_id: &str, options: &WaitOptions) -> JoinHandle<Result<NodeInfo, WaitError>> {
    tokio::spawn(client.wait_until_node_running(node_id, options))
}

/// Whether a node was created with the charge type it was asked for. `CreateUvodnNode` and `DescribeUvodnNode`
/// define the same enumeration, so it is one type (`ucloud_uodn::ChargeType`, also at both modules' paths).
pub fn charged_as_asked(asked: &ChargeType, node: &NodeInfo) -> bool {
    node.charge_type.as_ref() == Some(asked)
}
