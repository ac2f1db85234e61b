//! Lists every UODN image of the configured project, page by page.
//!
//! Reads UCLOUD_PUBLIC_KEY, UCLOUD_PRIVATE_KEY and optionally UCLOUD_PROJECT_ID, UCLOUD_REGION, UCLOUD_ZONE,
//! UCLOUD_API_BASE_URL and UCLOUD_TIMEOUT_SECOND. Exits non-zero on error, showing the error and each of its causes
//! (the service's code and message, what happened to a request whose outcome is unknown).

use std::process::ExitCode;
use ucloud_uodn::runtime::futures::TryStreamExt as _;
use ucloud_uodn::{Client, GetUvodnImageRequest};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(count) => {
            println!("{count} image(s)");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {}", report(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and each of its causes, `: `-separated (an error keeps its cause as its source only).
fn report(error: &ucloud_uodn::Error) -> String {
    ucloud_uodn::runtime::ErrorChain(error).to_string()
}

async fn run() -> Result<usize, ucloud_uodn::Error> {
    let client = Client::from_env()?;
    let mut images = client.get_uvodn_image_stream(&GetUvodnImageRequest::new().with_limit(50));
    let mut count = 0;
    while let Some(image) = images.try_next().await? {
        count += 1;
        println!(
            "{}\t{}\ttype={}\tstate={}",
            image.image_id.as_deref().unwrap_or("-"),
            image.image_name.as_deref().unwrap_or("-"),
            image.image_type.as_ref().map_or("-", |t| t.as_str()),
            image.state.as_ref().map_or("-", |s| s.as_str()),
        );
    }
    Ok(count)
}
