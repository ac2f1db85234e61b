//! Lists the UODN images of the account of the active `~/.ucloud` profile (or `UCLOUD_PROFILE`'s) as JSON.

use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let client = docbind_adopter::client_from_env(docbind_adopter::http_client("docs")?)?;
    let response = docbind_adopter::list_images(&client, Duration::from_secs(10)).await?;
    eprintln!("request id {:?}, {:?}", response.request_id(), response.call_info().elapsed);
    println!("{}", docbind_adopter::to_wire_json(&response)?);
    Ok(())
}
