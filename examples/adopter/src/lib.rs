//! What a team writes on top of docbind: one client for the application, built from the shared UCloud profile and
//! the application's own HTTP client, and a listing with a per-call timeout that returns the images as wire JSON.
//! [`background`]: calls, streams and waiters spawned on tokio; [`metrics`]: a call hook that counts calls;
//! [`sync`]: the blocking client, for code that is not async.

pub mod background;
pub mod metrics;
pub mod sync;

use std::time::Duration;

use docbind::runtime::reqwest;
use docbind::ucloud_uodn::{Client, Config, Error, GetUvodnImageRequest, GetUvodnImageResponse};

/// The header every request of this application carries (a proxy or gateway may require one like it).
pub const TEAM_HEADER: &str = "x-team";

/// The application's HTTP client: its own default headers, proxies, roots, pool, shared with the rest of the
/// application.
pub fn http_client(team: &str) -> Result<reqwest::Client, Box<dyn std::error::Error + Send + Sync>> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(TEAM_HEADER, reqwest::header::HeaderValue::from_str(team)?);
    Ok(reqwest::Client::builder().default_headers(headers).build()?)
}

/// A client configured from the environment: code, then `UCLOUD_*` variables, then the `~/.ucloud` profile
/// (`UCLOUD_PROFILE` picks it), sending through `http`.
pub fn client_from_env(http: reqwest::Client) -> Result<Client, Error> {
    Client::new(Config::from_env()?.with_http_client(http))
}

/// The images of the account, giving up on a call after `timeout` (one attempt: the caller decides to retry).
pub async fn list_images(client: &Client, timeout: Duration) -> Result<GetUvodnImageResponse, Error> {
    client.get_uvodn_image(&GetUvodnImageRequest::new()).with_timeout(timeout).with_max_attempts(1).await
}

/// The response as the JSON the service sent (wire names; keys the docs do not declare included).
pub fn to_wire_json(response: &GetUvodnImageResponse) -> serde_json::Result<String> {
    serde_json::to_string_pretty(response)
}
