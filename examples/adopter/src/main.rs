//! Lists the UODN images of the account of the active `~/.ucloud` profile (or `UCLOUD_PROFILE`'s) as JSON.

use std::process::ExitCode;
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The error and each of its causes: an error keeps its cause as its source only.
            eprintln!("error: {}", docbind::runtime::ErrorChain(&*error));
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), BoxError> {
    let client = docbind_adopter::client_from_env(docbind_adopter::http_client("docs")?)?;
    let response = docbind_adopter::list_images(&client, Duration::from_secs(10)).await?;
    eprintln!("request id {:?}, {:?}", response.request_id(), response.call_info().elapsed);
    println!("{}", docbind_adopter::to_wire_json(&response)?);
    Ok(())
}
