//! The whole life of a UODN node: pick an IDC and an image, show the price, create a node, wait until it runs,
//! restart it, stop it, start it, delete it, and wait until it is gone, printing one line per step with the action
//! and the server's request id.
//!
//! Reads the client's `UCLOUD_*` variables (UCLOUD_PUBLIC_KEY, UCLOUD_PRIVATE_KEY, UCLOUD_PROJECT_ID, UCLOUD_REGION,
//! UCLOUD_ZONE, UCLOUD_API_BASE_URL, UCLOUD_TIMEOUT_SECOND) and, all optional:
//!
//! - `UODN_IDC_ID`, `UODN_IMAGE_ID`: the IDC and image to use (default: the first `DescribeUvodnIDC` and
//!   `GetUvodnImage` list);
//! - `UODN_CPU` (1), `UODN_MEMORY_GB` (1), `UODN_DISK_GB` (20), `UODN_NET_LIMIT` (10, Mb/s), `UODN_NODE_NAME`
//!   (`docbind-example`), `UODN_PASSWORD`: the node, charged by the hour;
//! - `UODN_WAIT_SECONDS` (900): how long each wait may take; `UODN_POLL_MS` (2000): the first pause between polls.
//!
//! Exits non-zero with the error (the service's RetCode, message and request id, or "outcome unknown") when a step
//! fails, after deleting the node it created.
//!
//! ```sh
//! cargo run -p ucloud-uodn --example node_lifecycle
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant};

use ucloud_uodn::create_uvodn_node::ChargeType;
use ucloud_uodn::get_uvodn_node_price::ChargeType as PriceChargeType;
use ucloud_uodn::{
    Client, CreateUvodnNodeRequest, DeleteUvodnNodeRequest, DescribeUvodnIdcRequest, Error, GetUvodnImageRequest,
    GetUvodnNodePriceRequest, RestartUvodnNodeRequest, StartUvodnNodeRequest, StopUvodnNodeRequest, WaitOptions,
};

#[tokio::main]
async fn main() -> ExitCode {
    let settings = match Settings::from_lookup(|name| std::env::var(name).ok()) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let result = match Client::from_env() {
        Ok(client) => run(&client, &settings, &mut |line| println!("{line}")).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", report(&error));
            ExitCode::FAILURE
        }
    }
}

/// The node to create and how to wait for it, from `UODN_*`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub idc_id: Option<String>,
    pub image_id: Option<String>,
    pub cpu: i64,
    pub memory_gb: i64,
    pub disk_gb: i64,
    pub net_limit_mbps: i64,
    pub node_name: String,
    pub password: Option<String>,
    pub wait: WaitOptions,
}

impl Settings {
    /// Reads the `UODN_*` variables through `get` (the process environment in `main`).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let get = |name: &str| get(name).filter(|value| !value.trim().is_empty());
        let number = |name: &str, default: i64| -> Result<i64, String> {
            match get(name) {
                None => Ok(default),
                Some(value) => {
                    value.trim().parse().map_err(|_| format!("{name} must be a whole number, got {value:?}"))
                }
            }
        };
        let wait_seconds = u64::try_from(number("UODN_WAIT_SECONDS", 900)?).map_err(|_| "UODN_WAIT_SECONDS < 0")?;
        let poll_ms = u64::try_from(number("UODN_POLL_MS", 2000)?).map_err(|_| "UODN_POLL_MS < 0")?;
        Ok(Settings {
            idc_id: get("UODN_IDC_ID"),
            image_id: get("UODN_IMAGE_ID"),
            cpu: number("UODN_CPU", 1)?,
            memory_gb: number("UODN_MEMORY_GB", 1)?,
            disk_gb: number("UODN_DISK_GB", 20)?,
            net_limit_mbps: number("UODN_NET_LIMIT", 10)?,
            node_name: get("UODN_NODE_NAME").unwrap_or_else(|| "docbind-example".to_owned()),
            password: get("UODN_PASSWORD"),
            wait: WaitOptions::new()
                .with_timeout(Duration::from_secs(wait_seconds))
                .with_initial_delay(Duration::from_millis(poll_ms))
                .with_max_delay(Duration::from_millis(poll_ms * 8)),
        })
    }
}

/// Every step, printing one line each through `print`. Deletes the node it created when a later step fails.
pub async fn run(client: &Client, settings: &Settings, print: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let idc_id = match &settings.idc_id {
        Some(id) => id.clone(),
        None => {
            let idcs =
                client.describe_uvodn_idc(&DescribeUvodnIdcRequest::new(settings.cpu, settings.memory_gb)).await?;
            let idc = idcs.idc_list.first().and_then(|idc| idc.idc_id.clone());
            let idc = idc.ok_or_else(|| Error::Config("DescribeUvodnIDC lists no IDC; set UODN_IDC_ID".into()))?;
            print(&step("DescribeUvodnIDC", idcs.request_id(), &format!("first IDC {idc}")));
            idc
        }
    };
    let image_id = match &settings.image_id {
        Some(id) => id.clone(),
        None => {
            let images = client.get_uvodn_image(&GetUvodnImageRequest::new().with_limit(1)).await?;
            let image = images.image_list.first().and_then(|image| image.image_id.clone());
            let image = image.ok_or_else(|| Error::Config("GetUvodnImage lists no image; set UODN_IMAGE_ID".into()))?;
            print(&step("GetUvodnImage", images.request_id(), &format!("first image {image}")));
            image
        }
    };

    let price = GetUvodnNodePriceRequest::new(&idc_id)
        .with_node_count(1)
        .with_cpu_core(settings.cpu)
        .with_mem_size(settings.memory_gb)
        .with_disk_size(settings.disk_gb)
        .with_net_limit(settings.net_limit_mbps)
        .with_charge_type(PriceChargeType::Hourly);
    let price = client.get_uvodn_node_price(&price).await?;
    let detail = format!(
        "node {} + IP and bandwidth {} per hour",
        price.node_price.unwrap_or_default(),
        price.ip_price.unwrap_or_default()
    );
    print(&step("GetUvodnNodePrice", price.request_id(), &detail));

    let mut create = CreateUvodnNodeRequest::new(
        &idc_id,
        settings.cpu,
        settings.memory_gb,
        settings.disk_gb,
        &image_id,
        settings.net_limit_mbps,
    )
    .with_node_name(&settings.node_name)
    .with_charge_type(ChargeType::Hourly);
    if let Some(password) = &settings.password {
        create = create.with_pass_word(password);
    }
    let created = client.create_uvodn_node(&create).await?;
    let node_id = created.node_list.first().and_then(|node| node.node_id.clone());
    let node_id = node_id.ok_or_else(|| Error::Config("CreateUvodnNode returned no node id".into()))?;
    print(&step("CreateUvodnNode", created.request_id(), &format!("node {node_id}")));

    if let Err(error) = lifecycle(client, settings, &node_id, print).await {
        print(&format!("cleanup: deleting node {node_id} after: {}", report(&error)));
        match client.delete_uvodn_node(&DeleteUvodnNodeRequest::new(vec![node_id.clone()])).await {
            Ok(deleted) => print(&step("DeleteUvodnNode", deleted.request_id(), &format!("node {node_id} (cleanup)"))),
            Err(cleanup) => print(&format!("cleanup failed, delete node {node_id} yourself: {}", report(&cleanup))),
        }
        return Err(error);
    }
    Ok(())
}

/// From a created node to a deleted one.
async fn lifecycle(
    client: &Client,
    settings: &Settings,
    node_id: &str,
    print: &mut dyn FnMut(&str),
) -> Result<(), Error> {
    let nodes = || vec![node_id.to_owned()];
    wait_running(client, settings, node_id, print).await?;

    let restarted = client.restart_uvodn_node(&RestartUvodnNodeRequest::new(nodes())).await?;
    print(&step("RestartUvodnNode", restarted.request_id(), &format!("node {node_id}")));
    wait_running(client, settings, node_id, print).await?;

    let stopped = client.stop_uvodn_node(&StopUvodnNodeRequest::new(nodes())).await?;
    print(&step("StopUvodnNode", stopped.request_id(), &format!("node {node_id}")));
    let started = Instant::now();
    let node = client.wait_until_node_stopped(node_id, &settings.wait).await?;
    print(&waited("wait_until_node_stopped", node.state.as_ref().map(|s| s.as_str()), started));

    let restarted = client.start_uvodn_node(&StartUvodnNodeRequest::new(nodes())).await?;
    print(&step("StartUvodnNode", restarted.request_id(), &format!("node {node_id}")));
    wait_running(client, settings, node_id, print).await?;

    let deleted = client.delete_uvodn_node(&DeleteUvodnNodeRequest::new(nodes())).await?;
    print(&step("DeleteUvodnNode", deleted.request_id(), &format!("node {node_id}")));
    let started = Instant::now();
    let last = client.wait_until_node_deleted(node_id, &settings.wait).await?;
    print(&waited(
        "wait_until_node_deleted",
        last.as_ref().and_then(|n| n.state.as_ref()).map(|s| s.as_str()),
        started,
    ));
    Ok(())
}

async fn wait_running(
    client: &Client,
    settings: &Settings,
    node_id: &str,
    print: &mut dyn FnMut(&str),
) -> Result<(), Error> {
    let started = Instant::now();
    let node = client.wait_until_node_running(node_id, &settings.wait).await?;
    print(&waited("wait_until_node_running", node.state.as_ref().map(|s| s.as_str()), started));
    Ok(())
}

/// One line of an action: its name, the request id, what it did.
fn step(action: &str, request_id: Option<&str>, detail: &str) -> String {
    format!("{action:<24} request {:<38} {detail}", request_id.unwrap_or("-"))
}

/// One line of a wait: the waiter, the state it ended on (gone: none), how long it took.
fn waited(waiter: &str, state: Option<&str>, started: Instant) -> String {
    let state = state.map_or_else(|| "gone".to_owned(), |state| format!("state {state}"));
    format!("{waiter:<24} polled DescribeUvodnNode until {state} ({:.1} s)", started.elapsed().as_secs_f64())
}

/// The error and its causes on one line: the RetCode, message and request id, or "outcome unknown" and why.
pub fn report(error: &Error) -> String {
    ucloud_uodn::runtime::ErrorChain(error).to_string()
}
