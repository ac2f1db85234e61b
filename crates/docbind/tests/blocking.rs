//! The generated blocking client (`ucloud_uodn::blocking::Client`) against a stand-in server on 127.0.0.1: a call
//! and a page stream, from code that is not async.

use docbind::runtime::test_util::{Reply, StandIn};
use docbind::ucloud_uodn::{blocking, Client, Config, GetUvodnImageRequest};

#[test]
fn a_blocking_call_and_page_stream_return_what_the_server_sent() {
    // The stand-in serves from a runtime of its own; the blocking client runs its calls on its own runtime.
    let server = tokio::runtime::Runtime::new().expect("a runtime");
    let stand_in = server.block_on(StandIn::start()).expect("a port on 127.0.0.1");
    let page = r#"{"RetCode": 0, "TotalCount": 2, "ImageList": [{"ImageId": "a"}, {"ImageId": "b"}]}"#;
    stand_in.on("GetUvodnImage", Reply::json(page).with_header("X-UCLOUD-REQUEST-UUID", "req-1"));
    let client = Client::new(Config::new("p", "s").with_base_url(stand_in.base_url())).expect("a client");
    let blocking = blocking::Client::try_from(client).expect("a blocking client");

    let response = blocking.get_uvodn_image(&GetUvodnImageRequest::new()).expect("the reply");
    let ids: Vec<_> = response.image_list.iter().map(|image| image.image_id.as_deref()).collect();
    assert_eq!(ids, [Some("a"), Some("b")]);
    assert_eq!(response.request_id(), Some("req-1"));

    let streamed: Vec<_> = blocking
        .get_uvodn_image_stream(&GetUvodnImageRequest::new())
        .map(|image| image.expect("an item").image_id)
        .collect();
    assert_eq!(streamed, [Some("a".to_owned()), Some("b".to_owned())]);
}
