//! Page streams against a real HTTP server on 127.0.0.1: the total decides when a stream ends, else an empty page
//! does, and a server that repeats a page or overruns its own total makes an error, never a loop or a silent cut.
//!
//! UCloud through the generated `get_uvodn_image_stream` (offset and limit); Finovy through `numbered_pages` over
//! the runtime client and the generated `getList` decode entry (page numbers).

use docbind::finovy_image::get_list::{self, Image};
use docbind::runtime::__private::finovy::{Call, Method, Operation};
use docbind::runtime::finovy::Credentials;
use docbind::runtime::paginate::numbered_pages;
use docbind::runtime::{finovy, Error, RetryPolicy};
use docbind::ucloud_uodn::get_uvodn_image::ImageInfo;
use docbind::ucloud_uodn::{Client, Config, GetUvodnImageRequest};
use futures::StreamExt as _;
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// More than any correct stream below yields: a stream that reaches it would not have ended by itself.
const RUNAWAY: usize = 2_000;

/// What a UCloud stand-in does with a request's `Offset` and `Limit`.
#[derive(Clone, Copy)]
struct Catalogue {
    /// How many items exist (`img-0`, `img-1`, …).
    items: usize,
    /// The most items the server returns per page, whatever `Limit` asks.
    cap: usize,
    /// The `TotalCount` it reports, if any.
    total: Option<usize>,
    /// Whether it ignores `Offset` (always serves the first page).
    ignores_offset: bool,
}

impl Catalogue {
    /// The ids a request at `offset` for `limit` items gets.
    fn page(&self, offset: usize, limit: Option<usize>) -> std::ops::Range<usize> {
        let offset = if self.ignores_offset { 0 } else { offset };
        let end = (offset + limit.unwrap_or(20).min(self.cap)).min(self.items);
        offset.min(end)..end
    }
}

fn form_value(request: &Request, key: &str) -> Option<usize> {
    url::form_urlencoded::parse(&request.body).find(|(k, _)| k == key).and_then(|(_, v)| v.parse().ok())
}

async fn ucloud_server(catalogue: Catalogue) -> MockServer {
    ucloud_server_serving(catalogue, move |offset, limit| catalogue.page(offset, limit)).await
}

/// A UCloud stand-in reporting `catalogue`'s total, serving `page(offset, limit)`.
async fn ucloud_server_serving(
    catalogue: Catalogue,
    page: impl Fn(usize, Option<usize>) -> std::ops::Range<usize> + Send + Sync + 'static,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(move |request: &Request| {
            let range = page(form_value(request, "Offset").unwrap_or(0), form_value(request, "Limit"));
            let images: Vec<Value> = range.map(|i| json!({"ImageId": format!("img-{i}")})).collect();
            let mut body = json!({"RetCode": 0, "Action": "GetUvodnImageResponse", "ImageList": images});
            if let Some(total) = catalogue.total {
                body["TotalCount"] = total.into();
            }
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(&server)
        .await;
    server
}

/// Runs the generated stream (at most [`RUNAWAY`] items): the ids received, then the error that ended it, if any.
async fn ucloud_stream(catalogue: Catalogue, request: GetUvodnImageRequest) -> (Vec<String>, Option<Error>, usize) {
    stream_of(ucloud_server(catalogue).await, request).await
}

async fn stream_of(server: MockServer, request: GetUvodnImageRequest) -> (Vec<String>, Option<Error>, usize) {
    let config = Config::new("public", "private").with_base_url(server.uri()).with_retry(RetryPolicy::disabled());
    let client = Client::new(config).expect("a client");
    let results: Vec<Result<ImageInfo, Error>> = client.get_uvodn_image_stream(&request).take(RUNAWAY).collect().await;
    let requests = server.received_requests().await.unwrap_or_default().len();
    let (ids, error) = split(results, |image| image.image_id);
    (ids, error, requests)
}

/// The ids of the items a stream yielded, and the error that ended it, if any.
fn split<T>(results: Vec<Result<T, Error>>, id: impl Fn(T) -> Option<String>) -> (Vec<String>, Option<Error>) {
    let mut ids = Vec::new();
    let mut error = None;
    for result in results {
        match result {
            Ok(item) => ids.push(id(item).unwrap_or_default()),
            Err(e) => error = Some(e),
        }
    }
    (ids, error)
}

fn img_ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("img-{i}")).collect()
}

#[tokio::test]
async fn a_server_capping_pages_below_the_limit_still_yields_every_item_by_its_total() {
    let catalogue = Catalogue { items: 120, cap: 50, total: Some(120), ignores_offset: false };
    let (ids, error, requests) = ucloud_stream(catalogue, GetUvodnImageRequest::new().with_limit(100)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, img_ids(0..120));
    assert_eq!(requests, 3, "offsets 0, 50 and 100");
}

#[tokio::test]
async fn without_a_total_only_an_empty_page_ends_the_stream() {
    // A short page (fewer than the limit asked for) is confirmed by asking for the next one.
    let catalogue = Catalogue { items: 25, cap: 100, total: None, ignores_offset: false };
    let (ids, error, requests) = ucloud_stream(catalogue, GetUvodnImageRequest::new().with_limit(10)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, img_ids(0..25));
    assert_eq!(requests, 4, "offsets 0, 10, 20 and the empty page at 25");
    // A server capping its pages below the limit without a total: not cut after its first page.
    let catalogue = Catalogue { items: 120, cap: 50, total: None, ignores_offset: false };
    let (ids, error, requests) = ucloud_stream(catalogue, GetUvodnImageRequest::new().with_limit(100)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, img_ids(0..120));
    assert_eq!(requests, 4, "offsets 0, 50, 100 and the empty page at 120");
    // Without a limit the page size is the server's: only the empty page ends the stream.
    let catalogue = Catalogue { items: 45, cap: 20, total: None, ignores_offset: false };
    let (ids, error, requests) = ucloud_stream(catalogue, GetUvodnImageRequest::new()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, img_ids(0..45));
    assert_eq!(requests, 4, "offsets 0, 20, 40 and the empty page at 45");
}

#[tokio::test]
async fn a_server_ignoring_the_offset_without_a_total_is_an_error_not_an_endless_stream() {
    for request in [GetUvodnImageRequest::new().with_limit(10), GetUvodnImageRequest::new()] {
        let catalogue = Catalogue { items: 500, cap: 10, total: None, ignores_offset: true };
        let (ids, error, requests) = ucloud_stream(catalogue, request).await;
        let error = error.unwrap_or_else(|| panic!("no error after {} items in {requests} requests", ids.len()));
        assert_eq!(ids, img_ids(0..10), "the first page, then the error");
        assert_eq!(requests, 2);
        assert!(matches!(error, Error::Pagination { .. }), "{error:?}");
        assert!(error.to_string().contains("the same items"), "{error}");
    }
}

#[tokio::test]
async fn pages_repeating_any_earlier_page_are_an_error_with_or_without_a_total() {
    for total in [None, Some(33), Some(500)] {
        // Offsets 0, 10, 20, … served as pages A, B, A, B, …: never the page before, never reaching a total.
        let catalogue = Catalogue { items: 500, cap: 10, total, ignores_offset: false };
        let server = ucloud_server_serving(catalogue, |offset, _| {
            let start = offset / 10 % 2 * 10;
            start..start + 10
        })
        .await;
        let (ids, error, requests) = stream_of(server, GetUvodnImageRequest::new().with_limit(10)).await;
        let error = error.unwrap_or_else(|| panic!("{total:?}: {} items in {requests} requests, no error", ids.len()));
        assert_eq!(ids, img_ids(0..20), "{total:?}");
        assert_eq!(
            error.to_string(),
            "pagination stopped: the page at offset 20 holds the same items as the page at offset 0: the server \
             ignores the offset"
        );
        // The third page answered with the first, then the right pages again.
        let server = ucloud_server_serving(catalogue, move |offset, limit| match offset {
            20 => catalogue.page(0, limit),
            _ => catalogue.page(offset, limit),
        })
        .await;
        let (ids, error, _) = stream_of(server, GetUvodnImageRequest::new().with_limit(10)).await;
        assert_eq!(ids, img_ids(0..20), "{total:?}");
        assert!(matches!(error, Some(Error::Pagination { .. })), "{total:?}: {error:?}");
    }
}

#[tokio::test]
async fn a_server_ignoring_the_offset_with_a_total_is_an_error() {
    let catalogue = Catalogue { items: 500, cap: 10, total: Some(25), ignores_offset: true };
    let (ids, error, _) = ucloud_stream(catalogue, GetUvodnImageRequest::new().with_limit(10)).await;
    assert!(error.is_some(), "yielded {} items and no error", ids.len());
    assert_eq!(ids, img_ids(0..10));
}

#[tokio::test]
async fn a_page_beyond_the_total_is_an_error() {
    // The server says 5 items exist, then sends 10.
    let catalogue = Catalogue { items: 10, cap: 10, total: Some(5), ignores_offset: false };
    let (ids, error, _) = ucloud_stream(catalogue, GetUvodnImageRequest::new().with_limit(10)).await;
    let error = error.unwrap_or_else(|| panic!("yielded {} items and no error", ids.len()));
    assert!(ids.is_empty(), "the page that overruns the total is not yielded: {ids:?}");
    assert!(error.to_string().contains("beyond the total of 5"), "{error}");
}

#[tokio::test]
async fn an_empty_page_before_the_total_is_reached_is_an_error() {
    // 30 items are said to exist; only 12 are ever served.
    let catalogue = Catalogue { items: 12, cap: 5, total: Some(30), ignores_offset: false };
    let (ids, error, _) = ucloud_stream(catalogue, GetUvodnImageRequest::new().with_limit(5)).await;
    let error = error.unwrap_or_else(|| panic!("yielded {} items and no error", ids.len()));
    assert_eq!(ids, img_ids(0..12));
    assert!(error.to_string().contains("the total is 30 and 12 came before it"), "{error}");
}

// ---------------------------------------------------------------------------------------------------------------
// Page numbers (Finovy).

static GET_LIST: Operation = Operation { name: "getList", idempotent: true };

/// A Finovy stand-in with `items` items served `cap` per page; `ignores_page` serves page 1 for every page.
async fn finovy_server(items: usize, cap: usize, total: Option<usize>, ignores_page: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(move |request: &Request| {
            let query = |key: &str| {
                request.url.query_pairs().find(|(k, _)| k == key).and_then(|(_, v)| v.parse::<usize>().ok())
            };
            let page = if ignores_page { 1 } else { query("page").unwrap_or(1).max(1) };
            let size = query("pageSize").unwrap_or(10).min(cap);
            let start = ((page - 1) * size).min(items);
            let end = (start + size).min(items);
            let data: Vec<Value> = (start..end).map(|i| json!({"id": format!("item-{i}")})).collect();
            let mut page = json!({"data": data});
            if let Some(total) = total {
                page["totalCounts"] = total.into();
            }
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "success": true, "msg": "ok", "traceId": "t", "data": page}))
        })
        .mount(&server)
        .await;
    server
}

async fn finovy_stream(server: &MockServer, page_size: i64) -> (Vec<String>, Option<Error>) {
    let config = finovy::Config::new(Credentials::Token("t".into()))
        .with_base_url(server.uri())
        .with_retry(RetryPolicy::disabled());
    let client = finovy::Client::new(config).expect("a client");
    let stream = numbered_pages(1, page_size, |page| {
        let client = client.clone();
        async move {
            let mut call = Call::new(Method::Get, "v1/open/image/personal/getList");
            call.query_int("page", page);
            call.query_int("pageSize", page_size);
            let (response, _) = client.call(&GET_LIST, call, get_list::decode_response).await?;
            Ok((response.data, response.total_counts))
        }
    });
    let results: Vec<Result<Image, Error>> = stream.take(RUNAWAY).collect().await;
    split(results, |item| item.id)
}

fn item_ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("item-{i}")).collect()
}

#[tokio::test]
async fn numbered_pages_follow_the_total_past_short_pages() {
    let server = finovy_server(23, 5, Some(23), false).await;
    let (ids, error) = finovy_stream(&server, 10).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, item_ids(0..23));
}

#[tokio::test]
async fn numbered_pages_of_a_server_ignoring_the_page_are_an_error() {
    let server = finovy_server(100, 10, None, true).await;
    let (ids, error) = finovy_stream(&server, 10).await;
    assert!(error.is_some(), "yielded {} items and no error", ids.len());
    assert_eq!(ids, item_ids(0..10));
    let server = finovy_server(100, 10, Some(35), true).await;
    let (ids, error) = finovy_stream(&server, 10).await;
    assert!(error.is_some(), "yielded {} items and no error", ids.len());
}

#[tokio::test]
async fn a_stream_starting_past_the_total_ends_on_its_empty_page() {
    let catalogue = Catalogue { items: 12, cap: 5, total: Some(12), ignores_offset: false };
    let (ids, error, requests) = ucloud_stream(catalogue, GetUvodnImageRequest::new().with_offset(40)).await;
    assert!(error.is_none() && ids.is_empty(), "{ids:?} {error:?}");
    assert_eq!(requests, 1);
    // Starting inside, the total still counts the items before the start.
    let (ids, error, _) = ucloud_stream(catalogue, GetUvodnImageRequest::new().with_offset(7)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, img_ids(7..12));
}
