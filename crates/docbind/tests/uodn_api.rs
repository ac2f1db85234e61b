//! End to end, every UODN operation against a stand-in on 127.0.0.1: each doc's request example reaches the wire
//! as a form with a valid signature (checked with the documented algorithm, not the runtime's), each doc's response
//! example decodes with nothing left in `extra`, the service's error codes become typed errors; the
//! `node_lifecycle` example runs against a stand-in that simulates node states (and cleans up when a step fails);
//! and retries never repeat a state change: a reset after `RestartUvodnNode` was sent is "outcome unknown" with the
//! action on the wire once, while a reset on `DescribeUvodnNode` is retried.

mod doc_examples;
#[allow(dead_code)] // The example's `main` is not the test's.
#[path = "../../ucloud-uodn/examples/node_lifecycle.rs"]
mod node_lifecycle;

use doc_examples::{assert_nothing_in_extra, code_after, json_after, spec};
use docbind::runtime::{Enumeration as _, Error, RetryPolicy, Vendor, WaitError};
use docbind::ucloud_uodn::create_uvodn_node::{ChargeType, ProductType};
use docbind::ucloud_uodn::describe_uvodn_idc::{IspType, ProductType as IdcProductType};
use docbind::ucloud_uodn::describe_uvodn_node::NodeState;
use docbind::ucloud_uodn::get_uvodn_image::ImageType;
use docbind::ucloud_uodn::get_uvodn_node_data::MetricType;
use docbind::ucloud_uodn::get_uvodn_node_price::{ChargeType as PriceChargeType, ProductType as PriceProductType};
use docbind::ucloud_uodn::reinstall_uvodn_node::KeepData;
use docbind::ucloud_uodn::*;
use futures::TryStreamExt as _;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PUBLIC_KEY: &str = "ucloud-public-key";
const PRIVATE_KEY: &str = "ucloud-private-key";

/// Every UODN action and its doc.
const ACTIONS: [(&str, &str); 12] = [
    ("CreateUvodnNode", "create_uvodn_node.md"),
    ("DeleteUvodnNode", "delete_uvodn_node.md"),
    ("DescribeUvodnIDC", "describe_uvodn_idc.md"),
    ("DescribeUvodnNode", "describe_uvodn_node.md"),
    ("GetUvodnImage", "get_uvodn_image.md"),
    ("GetUvodnNodeData", "get_uvodn_node_data.md"),
    ("GetUvodnNodePrice", "get_uvodn_node_price.md"),
    ("PoweroffUvodnNode", "poweroff_uvodn_node.md"),
    ("ReinstallUvodnNode", "reinstall_uvodn_node.md"),
    ("RestartUvodnNode", "restart_uvodn_node.md"),
    ("StartUvodnNode", "start_uvodn_node.md"),
    ("StopUvodnNode", "stop_uvodn_node.md"),
];

fn doc(file: &str) -> String {
    spec(&format!("ucloud-uodn/{file}"))
}

fn config(base: &str) -> Config {
    Config::new(PUBLIC_KEY, PRIVATE_KEY).with_base_url(base).with_retry(
        RetryPolicy::new().with_base_delay(Duration::from_millis(1)).with_max_delay(Duration::from_millis(5)),
    )
}

type Form = BTreeMap<String, String>;

fn form_of(body: &[u8]) -> Form {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// The signature as UCloud documents it (reference/ucloud-protocol.md §2): every parameter but `Signature`, keys
/// sorted bytewise, `key + value` concatenated without escaping, the private key appended, SHA-1 in lower hex.
fn documented_signature(form: &Form) -> String {
    let mut text = String::new();
    for (key, value) in form.iter().filter(|(key, _)| *key != "Signature") {
        text.push_str(key);
        text.push_str(value);
    }
    text.push_str(PRIVATE_KEY);
    Sha1::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The parameters of a doc's request example (`https://api.ucloud.cn/?Action=X` then `&Key=Value` lines).
fn example_params(doc: &str) -> Form {
    let text = code_after(doc, "### 请求示例");
    let query = text.split_once('?').expect("a query").1;
    query
        .split('&')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').expect("key=value");
            (key.to_string(), value.to_string())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// The stand-in: checks the form's signature and Action, answers per action, numbers request ids.

type Answer = dyn Fn(&str, &Form) -> Value + Send + Sync;

#[derive(Clone)]
struct StandIn {
    answer: Arc<Answer>,
    calls: Arc<Mutex<Vec<(String, Form)>>>,
    ids: Arc<AtomicUsize>,
}

impl StandIn {
    fn new(answer: impl Fn(&str, &Form) -> Value + Send + Sync + 'static) -> Self {
        StandIn { answer: Arc::new(answer), calls: Arc::default(), ids: Arc::default() }
    }

    async fn serve(&self) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::method("POST")).respond_with(self.clone()).mount(&server).await;
        server
    }

    /// The actions received, in order.
    fn actions(&self) -> Vec<String> {
        self.calls.lock().expect("not poisoned").iter().map(|(action, _)| action.clone()).collect()
    }

    fn forms(&self, action: &str) -> Vec<Form> {
        self.calls
            .lock()
            .expect("not poisoned")
            .iter()
            .filter(|(a, _)| a == action)
            .map(|(_, form)| form.clone())
            .collect()
    }
}

impl Respond for StandIn {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form = form_of(&request.body);
        let action = form.get("Action").cloned().unwrap_or_default();
        let id = format!("req-{}", self.ids.fetch_add(1, Ordering::SeqCst) + 1);
        self.calls.lock().expect("not poisoned").push((action.clone(), form.clone()));
        let query_action = request.url.query_pairs().find(|(k, _)| k == "Action").map(|(_, v)| v.into_owned());
        let body = if form.get("Signature") != Some(&documented_signature(&form)) {
            json!({"RetCode": 171, "Message": "signature error", "Action": format!("{action}Response")})
        } else if form.get("PublicKey").map(String::as_str) != Some(PUBLIC_KEY) || query_action != Some(action.clone())
        {
            json!({"RetCode": 172, "Message": "bad PublicKey or Action", "Action": format!("{action}Response")})
        } else {
            (self.answer)(&action, &form)
        };
        ResponseTemplate::new(200).insert_header("X-UCLOUD-REQUEST-UUID", id.as_str()).set_body_json(body)
    }
}

fn ok(action: &str, fields: Value) -> Value {
    let mut body = json!({"RetCode": 0, "Action": format!("{action}Response")});
    if let (Some(body), Value::Object(fields)) = (body.as_object_mut(), fields) {
        body.extend(fields);
    }
    body
}

/// Answers every action with its doc's response example.
fn doc_examples() -> StandIn {
    let examples: BTreeMap<String, Value> =
        ACTIONS.iter().map(|(action, file)| (action.to_string(), json_after(&doc(file), "### 响应示例"))).collect();
    StandIn::new(move |action, _| examples[action].clone())
}

// ---------------------------------------------------------------------------------------------------------------
// Every operation, as its doc's request example says.

/// The documented parameters each request example leaves out, which the calls below also send.
fn not_in_the_example(action: &str) -> Form {
    let pairs: &[(&str, &str)] = match action {
        "CreateUvodnNode" => &[("DiskSize", "20"), ("SubnetId", "subnet-xxx")],
        "DescribeUvodnNode" | "GetUvodnImage" => &[("Offset", "0"), ("Limit", "20")],
        _ => &[],
    };
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Calls `action` with the values of its doc's request example (and [`not_in_the_example`]); returns the response's
/// `Debug` and request id.
async fn call_like_the_doc(client: &Client, action: &str) -> Result<(String, Option<String>), Error> {
    fn seen<T: std::fmt::Debug>(response: T, id: Option<&str>) -> (String, Option<String>) {
        (format!("{response:?}"), id.map(str::to_owned))
    }
    let node = || vec!["uedn-node-xxx".to_string()];
    Ok(match action {
        "CreateUvodnNode" => {
            let request = CreateUvodnNodeRequest::new("uedn-idc-xxx", 1, 2, 20, "uedn-image-xxx", 2)
                .with_project_id("org-xxx")
                .with_node_name("test")
                .with_sys_disk_size(20)
                .with_account_name("root")
                .with_pass_word("xxx")
                .with_node_count(1)
                .with_charge_type(ChargeType::Monthly)
                .with_charge_quantity(1)
                // Not a documented value: kept and sent as is.
                .with_product_type(ProductType::Unknown("TUYiObQi".into()))
                .with_subnet_id("subnet-xxx")
                .with_firewall_id("YavTnexR");
            let r = client.create_uvodn_node(&request).await?;
            seen(&r, r.request_id())
        }
        "DeleteUvodnNode" => {
            let r = client.delete_uvodn_node(&DeleteUvodnNodeRequest::new(node()).with_project_id("org-xxx")).await?;
            seen(&r, r.request_id())
        }
        "DescribeUvodnIDC" => {
            let request = DescribeUvodnIdcRequest::new(2, 4)
                .with_project_id("org-xxx")
                .with_idc_id(vec!["uedn-idc-xxx".into()])
                .with_type(IspType::FirstTierCitySingleLine)
                .with_product_type(IdcProductType::Unknown("chHMcgdE".into()));
            let r = client.describe_uvodn_idc(&request).await?;
            seen(&r, r.request_id())
        }
        "DescribeUvodnNode" => {
            let request = DescribeUvodnNodeRequest::new()
                .with_project_id("org-xxx")
                .with_idc_id(vec!["uedn-idc-xxx".into()])
                .with_node_id(node())
                .with_offset(0)
                .with_limit(20);
            let r = client.describe_uvodn_node(&request).await?;
            seen(&r, r.request_id())
        }
        "GetUvodnImage" => {
            let request = GetUvodnImageRequest::new()
                .with_project_id("org-xxx")
                .with_image_type(ImageType::Standard)
                .with_offset(0)
                .with_limit(20);
            let r = client.get_uvodn_image(&request).await?;
            seen(&r, r.request_id())
        }
        "GetUvodnNodeData" => {
            let request = GetUvodnNodeDataRequest::new(
                "uedn-node-xxx",
                vec![MetricType::DiskReadBytes, MetricType::DiskWriteBytes],
            )
            .with_project_id("org-xxx")
            .with_begin_time(1568793055)
            .with_end_time(1569397855);
            let r = client.get_uvodn_node_data(&request).await?;
            seen(&r, r.request_id())
        }
        "GetUvodnNodePrice" => {
            let request = GetUvodnNodePriceRequest::new("tFQturQZ")
                .with_node_count(6)
                .with_cpu_core(6)
                .with_mem_size(5)
                .with_sys_disk_size(1)
                .with_disk_size(8)
                .with_net_limit(7)
                .with_charge_type(PriceChargeType::Unknown("8".into()))
                .with_charge_quantity(4)
                .with_product_type(PriceProductType::Unknown("XZcuCeON".into()));
            let r = client.get_uvodn_node_price(&request).await?;
            seen(&r, r.request_id())
        }
        "PoweroffUvodnNode" => {
            let r =
                client.poweroff_uvodn_node(&PoweroffUvodnNodeRequest::new(node()).with_project_id("org-xxx")).await?;
            seen(&r, r.request_id())
        }
        "ReinstallUvodnNode" => {
            let request = ReinstallUvodnNodeRequest::new("uedn-node-xxx", "uedn-image-xxx")
                .with_project_id("org-xxx")
                .with_keep_data(KeepData::Keep)
                .with_password("xxx")
                .with_sys_disk_size(20);
            let r = client.reinstall_uvodn_node(&request).await?;
            seen(&r, r.request_id())
        }
        "RestartUvodnNode" => {
            let r = client.restart_uvodn_node(&RestartUvodnNodeRequest::new(node()).with_project_id("org-xxx")).await?;
            seen(&r, r.request_id())
        }
        "StartUvodnNode" => {
            let r = client.start_uvodn_node(&StartUvodnNodeRequest::new(node()).with_project_id("org-xxx")).await?;
            seen(&r, r.request_id())
        }
        "StopUvodnNode" => {
            let r = client.stop_uvodn_node(&StopUvodnNodeRequest::new(node()).with_project_id("org-xxx")).await?;
            seen(&r, r.request_id())
        }
        other => panic!("no call for {other}"),
    })
}

#[tokio::test]
async fn every_operation_sends_its_docs_request_example_signed_and_decodes_its_response_example() {
    let stand_in = doc_examples();
    let server = stand_in.serve().await;
    let client = Client::new(config(&server.uri())).unwrap();
    for (n, (action, file)) in ACTIONS.iter().enumerate() {
        let (debug, request_id) = call_like_the_doc(&client, action).await.unwrap_or_else(|e| panic!("{action}: {e}"));
        assert_nothing_in_extra(action, &debug);
        assert_eq!(request_id, Some(format!("req-{}", n + 1)), "{action}: the response's request id");

        let forms = stand_in.forms(action);
        assert_eq!(forms.len(), 1, "{action}: sent once");
        let mut expected = example_params(&doc(file));
        expected.extend(not_in_the_example(action));
        expected.insert("PublicKey".into(), PUBLIC_KEY.into());
        let mut sent = forms[0].clone();
        let signature = sent.remove("Signature").expect("signed");
        assert_eq!(sent, expected, "{action}: the form on the wire is the doc's example");
        assert_eq!(signature, documented_signature(&forms[0]), "{action}: signature");
    }
}

#[tokio::test]
async fn the_docs_response_examples_decode_into_typed_fields() {
    let server = doc_examples().serve().await;
    let client = Client::new(config(&server.uri())).unwrap();

    let nodes = client.describe_uvodn_node(&DescribeUvodnNodeRequest::new()).await.unwrap();
    let node = &nodes.node_list[0];
    assert_eq!(nodes.total_count, Some(1));
    assert_eq!(node.state, Some(NodeState::Running));
    assert_eq!(node.charge_type, Some(docbind::ucloud_uodn::describe_uvodn_node::ChargeType::Monthly));
    assert_eq!(node.image_id.as_deref(), Some("uedn-image-xxx"), "added by the overlay from the example");
    assert_eq!(node.inner_ips, ["10.10.9.2"]);
    assert_eq!(node.node_ip_list[0].ip.as_deref(), Some("106.9.5.14"));
    assert_eq!(node.create_time, Some(1577258247));

    let created = client.create_uvodn_node(&CreateUvodnNodeRequest::new("i", 1, 1, 20, "m", 1)).await.unwrap();
    assert_eq!(created.node_list[0].node_id.as_deref(), Some("uedn-node-xxx"));

    let idcs = client.describe_uvodn_idc(&DescribeUvodnIdcRequest::new(1, 1)).await.unwrap();
    assert_eq!(idcs.idc_list.len(), 2);
    assert_eq!(idcs.idc_list[1].name.as_deref(), Some("广东省-深圳市-电信"));
    assert_eq!(
        idcs.idc_list[0].r#type,
        Some(docbind::ucloud_uodn::describe_uvodn_idc::IspType::FirstTierCitySingleLine)
    );

    let data = client.get_uvodn_node_data(&GetUvodnNodeDataRequest::new("n", vec![MetricType::CpuUtilization])).await;
    let sets = data.unwrap().data_sets.expect("DataSets");
    assert_eq!(sets.io_read.len(), 5);
    assert_eq!(sets.io_write[4].value, Some(9069628416), "beyond i32");

    let price = client.get_uvodn_node_price(&GetUvodnNodePriceRequest::new("i")).await.unwrap();
    assert_eq!((price.node_price, price.ip_price), (Some(3.13253), Some(5.92495)));
}

/// Answers every action with `RetCode` `code`.
fn refusing(code: i64) -> StandIn {
    StandIn::new(
        move |action, _| json!({"RetCode": code, "Message": format!("{action} refused"), "Action": format!("{action}Response")}),
    )
}

#[tokio::test]
async fn the_services_error_codes_become_typed_errors_for_every_operation() {
    let stand_in = refusing(161);
    let server = stand_in.serve().await;
    let client = Client::new(config(&server.uri())).unwrap();
    for (action, _) in ACTIONS {
        let error = call_like_the_doc(&client, action).await.expect_err(action);
        match &error {
            Error::Service { vendor: Vendor::UCloud, code: 161, message, operation, request_id, .. } => {
                assert_eq!(message, &format!("{action} refused"));
                assert_eq!(operation, action);
                assert!(request_id.as_deref().is_some_and(|id| id.starts_with("req-")), "{error:?}");
            }
            other => panic!("{action}: {other:?}"),
        }
        assert_eq!(stand_in.forms(action).len(), 1, "{action}: a refusal is not retried");
    }
}

#[tokio::test]
async fn a_transient_code_is_retried_for_reads_only() {
    // UCloud's internal errors (RetCode 2000 and up) are transient: a read is asked again, a state change is not
    // (the service answered, so the outcome is known: it failed).
    let stand_in = refusing(8012);
    let server = stand_in.serve().await;
    let client = Client::new(config(&server.uri())).unwrap();
    for (action, _) in ACTIONS {
        let error = call_like_the_doc(&client, action).await.expect_err(action);
        assert_eq!(error.code(), Some(8012), "{action}: {error:?}");
        let read_only = ["Describe", "Get"].iter().any(|verb| action.starts_with(verb));
        let expected = if read_only { 3 } else { 1 };
        assert_eq!(stand_in.forms(action).len(), expected, "{action}");
    }
}

#[tokio::test]
async fn describe_uvodn_node_stream_walks_offset_and_limit() {
    let stand_in = StandIn::new(|action, form| {
        let offset: usize = form.get("Offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        let limit: usize = form.get("Limit").and_then(|l| l.parse().ok()).unwrap_or(20);
        let nodes: Vec<Value> =
            (offset..(offset + limit).min(5)).map(|i| json!({"NodeId": format!("node-{i}"), "State": 4})).collect();
        ok(action, json!({"TotalCount": 5, "NodeList": nodes}))
    });
    let server = stand_in.serve().await;
    let client = Client::new(config(&server.uri())).unwrap();
    let nodes: Vec<_> =
        client.describe_uvodn_node_stream(&DescribeUvodnNodeRequest::new().with_limit(2)).try_collect().await.unwrap();
    let ids: Vec<_> = nodes.iter().filter_map(|n| n.node_id.as_deref()).collect();
    assert_eq!(ids, ["node-0", "node-1", "node-2", "node-3", "node-4"]);
    let offsets: Vec<_> = stand_in.forms("DescribeUvodnNode").iter().map(|f| f["Offset"].clone()).collect();
    assert_eq!(offsets, ["0", "2", "4"]);
}

// ---------------------------------------------------------------------------------------------------------------
// A stand-in that simulates nodes: each DescribeUvodnNode of a node moves it one step along its transition.

/// A node's state, or `None` once it is no longer listed.
type Step = Option<i64>;

#[derive(Default)]
struct Nodes {
    nodes: BTreeMap<String, (i64, VecDeque<Step>)>,
    created: usize,
    /// An action that fails with this RetCode.
    refuse: Option<(&'static str, i64)>,
    /// States a new node goes through (default: deploying twice, then running).
    after_create: Option<Vec<Step>>,
}

const NODE_WRONG_STATE: i64 = 8031;

fn simulator(nodes: Arc<Mutex<Nodes>>) -> StandIn {
    StandIn::new(move |action, form| {
        let mut sim = nodes.lock().expect("not poisoned");
        if let Some((refused, code)) = sim.refuse {
            if refused == action {
                return json!({"RetCode": code, "Message": "refused by the stand-in", "Action": format!("{action}Response")});
            }
        }
        let ids: Vec<String> = form.iter().filter(|(k, _)| k.starts_with("NodeId.")).map(|(_, v)| v.clone()).collect();
        // A transition is allowed from `from` (any state when empty): the node starts in `now` and moves along `then`.
        let mut transition = |from: &[i64], now: i64, then: Vec<Step>| -> Value {
            for id in &ids {
                match sim.nodes.get_mut(id) {
                    Some((state, next)) if from.is_empty() || from.contains(state) => {
                        *state = now;
                        *next = then.clone().into();
                    }
                    Some((state, _)) => {
                        let message = format!("{action} is not allowed in state {state}");
                        return json!({"RetCode": NODE_WRONG_STATE, "Message": message, "Action": format!("{action}Response")});
                    }
                    None => {
                        return json!({"RetCode": 8012, "Message": format!("no node {id}"), "Action": format!("{action}Response")})
                    }
                }
            }
            ok(action, json!({}))
        };
        match action {
            "DescribeUvodnIDC" => {
                ok(action, json!({"TotalCount": 1, "IdcList": [{"IdcId": "uedn-idc-sim", "Name": "sim"}]}))
            }
            "GetUvodnImage" => ok(action, json!({"TotalCount": 1, "ImageList": [{"ImageId": "uedn-image-sim"}]})),
            "GetUvodnNodePrice" => ok(action, json!({"NodePrice": 0.5, "IpPrice": 0.25})),
            "RestartUvodnNode" => transition(&[4], 8, vec![Some(4)]),
            "StopUvodnNode" | "PoweroffUvodnNode" => transition(&[4], 5, vec![Some(6)]),
            "StartUvodnNode" => transition(&[6], 3, vec![Some(4)]),
            "DeleteUvodnNode" => transition(&[], 9, vec![Some(10), None]),
            "CreateUvodnNode" => {
                sim.created += 1;
                let id = format!("uedn-node-{}", sim.created);
                let then = sim.after_create.clone().unwrap_or_else(|| vec![Some(1), Some(4)]);
                sim.nodes.insert(id.clone(), (1, then.into()));
                ok(action, json!({"NodeList": [{"NodeId": id}]}))
            }
            "DescribeUvodnNode" => {
                let mut list = Vec::new();
                for id in &ids {
                    let Some((state, next)) = sim.nodes.get_mut(id) else { continue };
                    list.push(json!({"NodeId": id, "State": *state}));
                    match next.pop_front() {
                        Some(Some(step)) => *state = step,
                        Some(None) => {
                            sim.nodes.remove(id);
                        }
                        None => {}
                    }
                }
                ok(action, json!({"TotalCount": list.len(), "NodeList": list}))
            }
            other => panic!("the simulator has no {other}"),
        }
    })
}

fn settings() -> node_lifecycle::Settings {
    let vars = [("UODN_POLL_MS", "5"), ("UODN_WAIT_SECONDS", "20")];
    node_lifecycle::Settings::from_lookup(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
        .expect("valid settings")
}

/// Runs the example against the simulator; returns its result, its lines and the actions on the wire, with runs of
/// `DescribeUvodnNode` polls shown once.
async fn run_example(nodes: Arc<Mutex<Nodes>>) -> (Result<(), Error>, Vec<String>, Vec<String>) {
    let stand_in = simulator(nodes);
    let server = stand_in.serve().await;
    let client = Client::new(config(&server.uri())).expect("a valid config");
    let mut lines = Vec::new();
    let result = node_lifecycle::run(&client, &settings(), &mut |line| lines.push(line.to_owned())).await;
    let mut actions = stand_in.actions();
    actions.dedup_by(|a, b| a == b && a == "DescribeUvodnNode");
    (result, lines, actions)
}

#[tokio::test]
async fn the_lifecycle_example_takes_a_node_from_creation_to_deletion() {
    let nodes = Arc::new(Mutex::new(Nodes::default()));
    let (result, lines, actions) = run_example(nodes.clone()).await;
    result.unwrap_or_else(|e| panic!("{}\n{}", node_lifecycle::report(&e), lines.join("\n")));
    let d = "DescribeUvodnNode";
    assert_eq!(
        actions,
        [
            "DescribeUvodnIDC",
            "GetUvodnImage",
            "GetUvodnNodePrice",
            "CreateUvodnNode",
            d,
            "RestartUvodnNode",
            d,
            "StopUvodnNode",
            d,
            "StartUvodnNode",
            d,
            "DeleteUvodnNode",
            d
        ]
    );
    assert!(nodes.lock().expect("not poisoned").nodes.is_empty(), "the node is gone");
    // One line per step: each action with its request id, each wait with the state it ended on.
    let started: Vec<&str> = lines.iter().map(|l| l.split_whitespace().next().unwrap_or("")).collect();
    assert_eq!(
        started,
        [
            "DescribeUvodnIDC",
            "GetUvodnImage",
            "GetUvodnNodePrice",
            "CreateUvodnNode",
            "wait_until_node_running",
            "RestartUvodnNode",
            "wait_until_node_running",
            "StopUvodnNode",
            "wait_until_node_stopped",
            "StartUvodnNode",
            "wait_until_node_running",
            "DeleteUvodnNode",
            "wait_until_node_deleted"
        ]
    );
    assert!(lines[3].contains("request req-4") && lines[3].contains("node uedn-node-1"), "{}", lines[3]);
    assert!(lines[4].contains("until state 4"), "{}", lines[4]);
    assert!(lines[12].contains("until state 10") || lines[12].contains("until gone"), "{}", lines[12]);
}

#[tokio::test]
async fn the_lifecycle_example_deletes_its_node_when_a_later_step_fails() {
    let nodes = Arc::new(Mutex::new(Nodes { refuse: Some(("StopUvodnNode", 8050)), ..Nodes::default() }));
    let (result, lines, actions) = run_example(nodes.clone()).await;
    let error = result.expect_err("the stop is refused");
    assert_eq!(error.code(), Some(8050));
    let shown = node_lifecycle::report(&error);
    assert!(
        shown.contains("RetCode 8050") && shown.contains("refused by the stand-in") && shown.contains("req-"),
        "{shown}"
    );
    assert_eq!(actions[actions.len() - 2..], ["StopUvodnNode", "DeleteUvodnNode"], "{actions:?}");
    assert!(lines.iter().any(|l| l.starts_with("cleanup: deleting node uedn-node-1")), "{lines:?}");
    assert!(lines.last().unwrap().contains("(cleanup)"), "{lines:?}");
    assert_eq!(nodes.lock().expect("not poisoned").nodes["uedn-node-1"].0, 9, "the stand-in was asked to delete it");
}

#[tokio::test]
async fn waiting_fails_fast_on_the_abnormal_state_with_the_last_state_seen() {
    let nodes = Arc::new(Mutex::new(Nodes { after_create: Some(vec![Some(11), Some(4)]), ..Nodes::default() }));
    let (result, lines, actions) = run_example(nodes).await;
    let error = result.expect_err("abnormal");
    let Error::Wait(wait) = &error else { panic!("{error:?}") };
    assert!(matches!(**wait, WaitError::FailureState { ref state, polls: 2, .. } if state == "11"), "{wait:?}");
    assert_eq!(wait.last_state().map(NodeState::from_wire), Some(NodeState::Abnormal));
    assert_eq!(actions.last().map(String::as_str), Some("DeleteUvodnNode"), "cleaned up: {actions:?}");
    assert!(lines.iter().any(|l| l.contains("state 11")), "{lines:?}");
}

#[tokio::test]
async fn waiters_see_a_node_through_each_state() {
    let nodes = Arc::new(Mutex::new(Nodes::default()));
    let server = simulator(nodes.clone()).serve().await;
    let client = Client::new(config(&server.uri())).unwrap();
    let quick = || WaitOptions::new().with_initial_delay(Duration::from_millis(5)).with_timeout(Duration::from_secs(5));
    let created = client.create_uvodn_node(&CreateUvodnNodeRequest::new("i", 1, 1, 20, "m", 1)).await.unwrap();
    let id = created.node_list[0].node_id.clone().unwrap();
    assert_eq!(client.wait_until_node_running(&id, &quick()).await.unwrap().state, Some(NodeState::Running));
    client.poweroff_uvodn_node(&PoweroffUvodnNodeRequest::new(vec![id.clone()])).await.unwrap();
    assert_eq!(client.wait_until_node_stopped(&id, &quick()).await.unwrap().state, Some(NodeState::Stopped));
    client.delete_uvodn_node(&DeleteUvodnNodeRequest::new(vec![id.clone()])).await.unwrap();
    let last = client.wait_until_node_deleted(&id, &quick()).await.unwrap();
    assert_eq!(last.and_then(|n| n.state), Some(NodeState::Deleted));
    // Gone from the list: the deleted waiter is done at once, the running one keeps polling until its deadline.
    assert_eq!(client.wait_until_node_deleted(&id, &quick()).await.unwrap(), None);
    let short = quick().with_timeout(Duration::from_millis(100));
    let err = client.wait_until_node_running(&id, &short).await.unwrap_err();
    assert!(matches!(err, WaitError::DeadlineExceeded { last_state: None, .. }), "{err:?}");
    // A deadline given as an instant ends the wait the same, well before the 5 s timeout of `quick`.
    let started = std::time::Instant::now();
    let at_instant = quick().with_deadline(started + Duration::from_millis(150));
    let err = client.wait_until_node_running(&id, &at_instant).await.unwrap_err();
    assert!(matches!(err, WaitError::DeadlineExceeded { last_state: None, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn a_node_missing_from_a_page_that_ignored_its_id_is_not_gone() {
    // A server that ignores NodeId: it lists another node and counts 500. Whether ours exists, it does not say.
    let (base, received) = raw_stand_in(|action, _| {
        Some(ok(action, json!({"TotalCount": 500, "NodeList": [{"NodeId": "uedn-node-other", "State": 4}]})))
    })
    .await;
    let client = Client::new(config(&base)).unwrap();
    let quick = WaitOptions::new().with_initial_delay(Duration::from_millis(5)).with_timeout(Duration::from_secs(2));
    let err = client.wait_until_node_deleted("uedn-node-1", &quick).await.expect_err("not known to be gone");
    assert!(matches!(err, WaitError::Unfiltered { listed: 1, .. }), "{err:?}");
    assert!(received.lock().expect("not poisoned").iter().all(|a| a == "DescribeUvodnNode"));
}

// ---------------------------------------------------------------------------------------------------------------
// Retries and state changes, on a raw HTTP/1.1 stand-in that can reset a connection after reading a request.

/// How the raw stand-in answers the `n`-th request (from 0) of an action: `Some(body)` with 200, `None` by
/// resetting the connection (RST) once the whole request is read.
type RawAnswer = fn(&str, usize) -> Option<Value>;

/// Serves `answer` on 127.0.0.1; returns the base URL and the actions received, in order.
async fn raw_stand_in(answer: RawAnswer) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("a local address"));
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                while let Some(body) = read_body(&mut stream).await {
                    let action = form_of(&body).remove("Action").unwrap_or_default();
                    let n = {
                        let mut log = log.lock().expect("not poisoned");
                        log.push(action.clone());
                        log.iter().filter(|a| **a == action).count() - 1
                    };
                    let Some(reply) = answer(&action, n) else {
                        let _ = stream.set_zero_linger();
                        return;
                    };
                    let reply = reply.to_string();
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        reply.len()
                    );
                    use tokio::io::AsyncWriteExt as _;
                    if stream.write_all(format!("{head}{reply}").as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (base, received)
}

/// Reads one request and returns its body (`Content-Length` bytes), or `None` when the client hung up.
async fn read_body(stream: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    use tokio::io::AsyncReadExt as _;
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return Some(data[end + 4..end + 4 + length].to_vec());
            }
        }
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test]
async fn a_reset_after_restart_was_sent_is_an_unknown_outcome_while_a_reset_describe_is_retried() {
    let (base, received) = raw_stand_in(|action, n| match (action, n) {
        ("RestartUvodnNode", _) | ("DescribeUvodnNode", 0) => None,
        _ => Some(ok(action, json!({"TotalCount": 1, "NodeList": [{"NodeId": "uedn-node-1", "State": 8}]}))),
    })
    .await;
    let client = Client::new(config(&base)).unwrap();
    let count = |action: &str| received.lock().expect("not poisoned").iter().filter(|a| *a == action).count();

    let error = client.restart_uvodn_node(&RestartUvodnNodeRequest::new(vec!["uedn-node-1".into()])).await.unwrap_err();
    let Error::OutcomeUnknown { vendor: Vendor::UCloud, operation, source, .. } = &error else {
        panic!("expected outcome unknown, got {error:?}")
    };
    assert_eq!(operation, "RestartUvodnNode");
    assert!(matches!(**source, Error::Transport { .. }), "{source:?}");
    assert!(node_lifecycle::report(&error).contains("outcome unknown"), "{}", node_lifecycle::report(&error));
    assert_eq!(count("RestartUvodnNode"), 1, "the restart is on the wire exactly once");

    let nodes = client.describe_uvodn_node(&DescribeUvodnNodeRequest::new()).await.expect("retried transparently");
    assert_eq!(nodes.node_list[0].state, Some(NodeState::Restarting));
    assert_eq!(count("DescribeUvodnNode"), 2);
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_state_change() {
    // Nothing listens on the port at first; the stand-in starts listening during the first backoff.
    let address = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let later = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let listener = std::net::TcpListener::bind(address).expect("the port is free again");
        let server = MockServer::builder().listener(listener).start().await;
        let stand_in = StandIn::new(|action, _| ok(action, json!({})));
        Mock::given(wiremock::matchers::method("POST")).respond_with(stand_in).mount(&server).await;
        server
    });
    let slow_retries = RetryPolicy::new().with_base_delay(Duration::from_millis(400)).with_jitter(false);
    let client = Client::new(config(&format!("http://{address}")).with_retry(slow_retries)).unwrap();
    let restarted = client.restart_uvodn_node(&RestartUvodnNodeRequest::new(vec!["uedn-node-1".into()])).await;
    restarted.expect("the first attempt never reached a server, so it was sent again");
    let server = later.await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// An overlay enum several operations name alike is one type of the crate: the modules' paths name it, and so does
/// the crate root.
#[test]
fn one_enum_across_operations() {
    use docbind::ucloud_uodn::{create_uvodn_node, describe_uvodn_node, get_uvodn_node_price};
    let created: create_uvodn_node::ChargeType = describe_uvodn_node::ChargeType::Monthly;
    assert_eq!(created, get_uvodn_node_price::ChargeType::Monthly);
    assert_eq!(docbind::ucloud_uodn::ChargeType::from_wire("2"), created);
    assert_eq!(create_uvodn_node::ProductType::Normal, IdcProductType::Normal);
    assert_eq!(PriceProductType::Normal, ProductType::Normal);
    assert_eq!(IspType::Other, describe_uvodn_node::IspType::Other);
    assert_ne!(ChargeType::Hourly, PriceChargeType::Yearly);
}

/// A request's `Debug` (the runtime's `__redacted_debug!`) shows every field but a credential's value.
#[test]
fn a_requests_debug_never_shows_a_password() {
    let request =
        CreateUvodnNodeRequest::new("idc", 1, 2, 20, "img", 2).with_pass_word("hunter2").with_node_name("web");
    let shown = format!("{request:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains(r#"pass_word: "<redacted>""#) && shown.contains(r#"node_name: Some("web")"#), "{shown}");
}
