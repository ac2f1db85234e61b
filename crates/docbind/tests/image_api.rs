//! End to end, every personal-image operation against a stand-in on 127.0.0.1: each doc's request example reaches
//! the wire (JSON body, path, query, token header), each doc's response example decodes with nothing left in
//! `extra`, every error code a doc lists becomes a typed error; the `manage_personal_images` example runs against a
//! stand-in that keeps images (and cleans up when a step fails).

mod doc_examples;
#[allow(dead_code)] // The example's `main` is not the test's.
#[path = "../../finovy-image/examples/manage_personal_images.rs"]
mod manage_personal_images;

use doc_examples::{assert_nothing_in_extra, code_after, json_after, spec};
use docbind::finovy_image::get_list::ImageStatus;
use docbind::finovy_image::*;
use docbind::runtime::finovy::Credentials;
use docbind::runtime::{RetryPolicy, Vendor};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "static-token";
const BASE_PATH: &str = "/v1/open/image/personal";

/// Every personal-image operation's doc.
const DOCS: [(&str, &str); 4] =
    [("add", "add.md"), ("update", "update.md"), ("delete", "delete.md"), ("getList", "get_list.md")];

fn doc(file: &str) -> String {
    spec(&format!("finovy-image/{file}"))
}

fn client(server: &MockServer) -> Client {
    let retry = RetryPolicy::new().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(5));
    Client::new(Config::new(Credentials::Token(TOKEN.into())).with_base_url(server.uri()).with_retry(retry))
        .expect("a valid config")
}

/// The JSON body of a doc's input example (the text after its header lines), if it has one.
fn example_body(doc: &str) -> Option<Value> {
    let text = code_after(doc, "**输入示例**");
    text.find('{').map(|start| serde_json::from_str(&text[start..]).expect("the example's body is JSON"))
}

/// The query of a doc's input example's request line.
fn example_query(doc: &str) -> BTreeMap<String, String> {
    let text = code_after(doc, "**输入示例**");
    let line = text.lines().next().unwrap_or_default();
    // The doc writes spaces unescaped (`from=2024-01-31 16:00:00`): the query is the rest of the line.
    let query = line.split_once('?').map_or("", |(_, q)| q);
    query.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The codes of a doc's error table, but 0 (success).
fn error_codes(doc: &str) -> Vec<(i64, String)> {
    let table = &doc[doc.find("### 5.错误码").expect("an error table")..];
    table
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells.get(1)?.parse::<i64>().ok()?;
            (code != 0).then(|| (code, cells.get(2).copied().unwrap_or_default().to_string()))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// The stand-in: checks the token, answers per method and path, numbers trace ids.

/// One request as the stand-in saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    body: Option<Value>,
}

type Answer = dyn Fn(&Seen) -> Value + Send + Sync;

#[derive(Clone)]
struct StandIn {
    answer: Arc<Answer>,
    seen: Arc<Mutex<Vec<Seen>>>,
    ids: Arc<AtomicUsize>,
}

impl StandIn {
    fn new(answer: impl Fn(&Seen) -> Value + Send + Sync + 'static) -> Self {
        StandIn { answer: Arc::new(answer), seen: Arc::default(), ids: Arc::default() }
    }

    async fn serve(&self) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any()).respond_with(self.clone()).mount(&server).await;
        server
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

impl Respond for StandIn {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let seen = Seen {
            method: request.method.to_string(),
            path: request.url.path().to_string(),
            query: request.url.query_pairs().into_owned().collect(),
            body: serde_json::from_slice(&request.body).ok(),
        };
        self.seen.lock().expect("not poisoned").push(seen.clone());
        let trace = format!("trace-{}", self.ids.fetch_add(1, Ordering::SeqCst) + 1);
        let token = request.headers.get("Finovy-Access-Token").and_then(|v| v.to_str().ok());
        let mut envelope = if token == Some(TOKEN) { (self.answer)(&seen) } else { refusal(401, "身份认证失败") };
        envelope["traceId"] = json!(trace);
        ResponseTemplate::new(200).set_body_json(envelope)
    }
}

fn success(data: Value) -> Value {
    json!({"code": 0, "success": true, "msg": "success", "data": data})
}

fn refusal(code: i64, msg: &str) -> Value {
    json!({"code": code, "success": false, "msg": msg, "data": null})
}

// ---------------------------------------------------------------------------------------------------------------
// Every operation, as its doc's examples say.

#[tokio::test]
async fn every_operation_sends_its_docs_request_example() {
    let examples: BTreeMap<String, Value> =
        DOCS.iter().map(|(op, file)| (op.to_string(), json_after(&doc(file), "**输出示例**"))).collect();
    let stand_in = StandIn::new(move |seen| {
        let op = seen.path.rsplit('/').find(|s| ["add", "update", "delete", "getList"].contains(s)).unwrap_or("");
        examples[op].clone()
    });
    let server = stand_in.serve().await;
    let client = client(&server);

    let added = client.add_image(&AddImageRequest::new("kmBSQFdh7T", "996")).await.unwrap();
    assert_eq!(added.data, Some(json!(true)));
    let updated = client.update_image(&UpdateImageRequest::new("bIA6zd9WkZ", "xxxxxxxxxx")).await.unwrap();
    let deleted = client.delete_image(&DeleteImageRequest::new("bIA6zd9WkZ")).await.unwrap();
    let request = GetListRequest::new()
        .with_image_type("Windows")
        .with_image_name("aaaaaaaa")
        .with_status(ImageStatus::Available)
        .with_from("2024-01-31 16:00:00")
        .with_to("2024-03-31 15:59:59")
        .with_page(1)
        .with_page_size(20);
    let page = client.get_list(&request).await.unwrap();

    for (what, debug) in [
        ("add", format!("{added:?}")),
        ("update", format!("{updated:?}")),
        ("delete", format!("{deleted:?}")),
        ("getList", format!("{page:?}")),
    ] {
        assert_nothing_in_extra(what, &debug);
    }
    let item = &page.data[0];
    assert_eq!(item.id.as_deref(), Some("7sEdkaZ0T8"));
    assert_eq!(item.image_id, Some(164471562));
    assert_eq!(item.status, Some(ImageStatus::Available));
    assert_eq!(item.create_time, Some(1708330251000));
    assert_eq!(page.total_counts, Some(1));
    assert_eq!(page.request_id(), Some("trace-4"), "the envelope's traceId");

    let seen = stand_in.seen();
    let [add, update, delete, list] = seen.as_slice() else { panic!("{seen:?}") };
    assert_eq!((add.method.as_str(), add.path.as_str()), ("POST", "/v1/open/image/personal/add"));
    assert_eq!(add.body, example_body(&doc("add.md")));
    // The documented path, the id as its last segment (as the example shows it).
    assert_eq!((update.method.as_str(), update.path.as_str()), ("PUT", "/v1/open/image/personal/update/bIA6zd9WkZ"));
    assert_eq!(update.body, example_body(&doc("update.md")));
    assert_eq!((delete.method.as_str(), delete.path.as_str()), ("DELETE", "/v1/open/image/personal/delete/bIA6zd9WkZ"));
    assert_eq!(delete.body, None);
    assert_eq!((list.method.as_str(), list.path.as_str()), ("GET", "/v1/open/image/personal/getList"));
    assert_eq!(list.query, example_query(&doc("get_list.md")));
    assert_eq!(list.query.len(), 7, "{:?}", list.query);
}

#[tokio::test]
async fn every_error_code_a_doc_lists_becomes_a_typed_error() {
    let code = Arc::new(Mutex::new((0, String::new())));
    let current = code.clone();
    let stand_in = StandIn::new(move |_| {
        let (code, msg) = current.lock().expect("not poisoned").clone();
        refusal(code, &msg)
    });
    let server = stand_in.serve().await;
    let client = client(&server);
    let mut checked = 0;
    for (op, file) in DOCS {
        for (wire_code, msg) in error_codes(&doc(file)) {
            *code.lock().expect("not poisoned") = (wire_code, msg.clone());
            let before = stand_in.seen().len();
            let error = match op {
                "add" => client.add_image(&AddImageRequest::new("m", "n")).await.map(|_| ()),
                "update" => client.update_image(&UpdateImageRequest::new("i", "n")).await.map(|_| ()),
                "delete" => client.delete_image(&DeleteImageRequest::new("i")).await.map(|_| ()),
                _ => client.get_list(&GetListRequest::new()).await.map(|_| ()),
            }
            .expect_err(op);
            match &error {
                docbind::runtime::Error::Service {
                    vendor: Vendor::Finovy,
                    code,
                    message,
                    operation,
                    request_id,
                    ..
                } => {
                    assert_eq!((*code, message.as_str(), operation.as_str()), (wire_code, msg.as_str(), op));
                    assert!(request_id.as_deref().is_some_and(|id| id.starts_with("trace-")), "{error:?}");
                }
                other => panic!("{op} {wire_code}: {other:?}"),
            }
            assert_eq!(stand_in.seen().len() - before, 1, "{op} {wire_code}: sent once");
            checked += 1;
        }
    }
    assert_eq!(checked, 9, "besides 0, add lists 3 codes, update 3, delete 2, getList 1");
}

// ---------------------------------------------------------------------------------------------------------------
// A stand-in that keeps images.

#[derive(Debug, Default)]
struct Images {
    /// (id, name, status).
    images: Vec<(String, String, i64)>,
    made: usize,
    /// An operation (last path segment before any id) that fails with this code and message.
    refuse: Option<(&'static str, i64, &'static str)>,
}

fn image_store(images: Arc<Mutex<Images>>) -> StandIn {
    StandIn::new(move |seen| {
        let mut store = images.lock().expect("not poisoned");
        let rest = seen.path.strip_prefix(BASE_PATH).unwrap_or("");
        let mut parts = rest.trim_start_matches('/').splitn(2, '/');
        let (op, id) = (parts.next().unwrap_or(""), parts.next());
        if let Some((refused, code, msg)) = store.refuse {
            if refused == op {
                return refusal(code, msg);
            }
        }
        let name = seen.body.as_ref().and_then(|b| b["imageName"].as_str()).map(str::to_owned);
        let taken = |store: &Images, name: &str| store.images.iter().any(|(_, n, _)| n == name);
        match (seen.method.as_str(), op, id) {
            ("POST", "add", None) => {
                let Some(name) = name else { return refusal(200001, "非法请求") };
                if seen.body.as_ref().and_then(|b| b["machineId"].as_str()).is_none() {
                    return refusal(200001, "非法请求");
                }
                if taken(&store, &name) {
                    return refusal(200003, "镜像名称重复");
                }
                store.made += 1;
                let id = format!("img-{}", store.made);
                store.images.push((id, name, 0));
                success(json!(true))
            }
            ("GET", "getList", None) => {
                let filter = seen.query.get("imageName").cloned().unwrap_or_default();
                let page: usize = seen.query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                let size: usize = seen.query.get("pageSize").and_then(|p| p.parse().ok()).unwrap_or(20);
                let matching: Vec<Value> = store
                    .images
                    .iter()
                    .filter(|(_, name, _)| name.contains(&filter))
                    .map(|(id, name, status)| json!({"id": id, "imageName": name, "status": status}))
                    .collect();
                let data: Vec<Value> = matching.iter().skip((page - 1) * size).take(size).cloned().collect();
                // A listed image finishes creating.
                store.images.iter_mut().for_each(|image| image.2 = 1);
                success(json!({"data": data, "totalCounts": matching.len()}))
            }
            ("PUT", "update", Some(id)) => {
                let Some(name) = name else { return refusal(200001, "非法请求") };
                if taken(&store, &name) {
                    return refusal(200003, "镜像名称重复");
                }
                match store.images.iter_mut().find(|(i, _, _)| i == id) {
                    Some(image) => {
                        image.1 = name;
                        success(json!(true))
                    }
                    None => refusal(200001, "非法请求"),
                }
            }
            ("DELETE", "delete", Some(id)) => {
                let before = store.images.len();
                store.images.retain(|(i, _, _)| i != id);
                if store.images.len() == before {
                    refusal(200001, "非法请求")
                } else {
                    success(json!(true))
                }
            }
            _ => refusal(404, "no such operation"),
        }
    })
}

async fn run_example(images: Arc<Mutex<Images>>) -> (Result<(), docbind::runtime::Error>, Vec<String>, Vec<String>) {
    let stand_in = image_store(images);
    let server = stand_in.serve().await;
    let settings = manage_personal_images::Settings::from_lookup(|name| {
        (name == "FINOVY_MACHINE_ID").then(|| "kmBSQFdh7T".to_string())
    })
    .expect("the machine is set");
    let mut lines = Vec::new();
    let result =
        manage_personal_images::run(&client(&server), &settings, &mut |line| lines.push(line.to_owned())).await;
    let calls = stand_in.seen().iter().map(|s| format!("{} {}", s.method, s.path)).collect();
    (result, lines, calls)
}

#[tokio::test]
async fn the_image_example_adds_finds_renames_and_deletes_an_image() {
    let images = Arc::new(Mutex::new(Images::default()));
    // Another image with a name that contains the example's: the list filter matches it too.
    images.lock().expect("not poisoned").images.push(("img-0".into(), "docbind-example-old".into(), 1));
    let (result, lines, calls) = run_example(images.clone()).await;
    result.unwrap_or_else(|e| panic!("{}\n{}", manage_personal_images::report(&e), lines.join("\n")));
    assert_eq!(
        calls,
        [
            "POST /v1/open/image/personal/add",
            "GET /v1/open/image/personal/getList",
            "PUT /v1/open/image/personal/update/img-1",
            "DELETE /v1/open/image/personal/delete/img-1",
        ]
    );
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines[0].starts_with("add_image") && lines[0].contains("trace-1"), "{}", lines[0]);
    assert!(lines[1].contains("found \"docbind-example\": id img-1"), "{}", lines[1]);
    assert!(lines[2].contains("renamed \"docbind-example-renamed\"") && lines[2].contains("trace-3"), "{}", lines[2]);
    assert!(lines[3].starts_with("delete_image") && lines[3].contains("trace-4"), "{}", lines[3]);
    assert_eq!(images.lock().expect("not poisoned").images.len(), 1, "only the other image is left");
}

#[tokio::test]
async fn the_image_example_deletes_its_image_when_the_rename_fails() {
    let images =
        Arc::new(Mutex::new(Images { refuse: Some(("update", 200003, "镜像名称重复")), ..Images::default() }));
    let (result, lines, calls) = run_example(images.clone()).await;
    let error = result.expect_err("the rename is refused");
    assert_eq!(error.code(), Some(200003));
    let shown = manage_personal_images::report(&error);
    assert!(shown.contains("code 200003: 镜像名称重复") && shown.contains("trace-3"), "{shown}");
    assert_eq!(calls.last().map(String::as_str), Some("DELETE /v1/open/image/personal/delete/img-1"));
    assert!(lines.iter().any(|l| l.starts_with("cleanup: deleting image img-1")), "{lines:?}");
    assert!(images.lock().expect("not poisoned").images.is_empty(), "the image it made is gone");
}

#[tokio::test]
async fn the_image_example_needs_a_machine() {
    let error = manage_personal_images::Settings::from_lookup(|_| None).unwrap_err();
    assert!(error.contains("FINOVY_MACHINE_ID"), "{error}");
}

#[tokio::test]
async fn the_deadline_makes_a_state_change_unknown_only_once_its_request_went_out() {
    let server = MockServer::start().await;
    let slow = |body: Value| ResponseTemplate::new(200).set_body_json(body).set_delay(Duration::from_secs(5));
    let token = success(json!({"token": TOKEN, "effectiveTime": 7_200_000}));
    Mock::given(wiremock::matchers::path("/v1/auth/getToken")).respond_with(slow(token)).mount(&server).await;
    let exchange = Credentials::Exchange { uuid: "A27550582".into(), secret: "s3cr3t".into() };
    let config = Config::new(exchange).with_base_url(server.uri()).with_deadline(Duration::from_millis(200));
    let client = Client::new(config).expect("a valid config");
    // The deadline passes during the token exchange: the image was never asked for, and the error says so.
    let error = client.add_image(&AddImageRequest::new("m", "n")).await.expect_err("too slow");
    assert!(matches!(error, docbind::runtime::Error::Deadline { .. }), "{error:?}");

    // With a token, the deadline passes while the add is in flight: it may have been carried out.
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(slow(success(json!(true)))).mount(&server).await;
    let config = Config::new(Credentials::Token(TOKEN.into()))
        .with_base_url(server.uri())
        .with_deadline(Duration::from_millis(200));
    let error = Client::new(config).expect("a valid config").add_image(&AddImageRequest::new("m", "n")).await;
    let error = error.expect_err("too slow");
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert_eq!(server.received_requests().await.expect("recorded").len(), 1);
}
