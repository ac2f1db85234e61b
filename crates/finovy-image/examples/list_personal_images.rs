//! Lists the personal images of the Finovy account.
//!
//! Reads FINOVY_ACCESS_TOKEN, or FINOVY_UUID and FINOVY_SECRET, and optionally FINOVY_BASE_URL. Exits non-zero,
//! showing the service's code and message, on error.

use finovy_image::{Client, GetListRequest};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(count) => {
            println!("{count} image(s)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<usize, finovy_image::Error> {
    let client = Client::from_env()?;
    let page = client.get_list(&GetListRequest::new()).await?;
    for image in &page.data {
        println!(
            "{}\t{}\t{}\tstatus={}",
            image.id.as_deref().unwrap_or("-"),
            image.image_id.map(|id| id.to_string()).as_deref().unwrap_or("-"),
            image.image_name.as_deref().unwrap_or("-"),
            image.status.as_ref().map_or("-", |s| s.as_str()),
        );
    }
    if let Some(total) = page.total_counts {
        println!("total on the server: {total}");
    }
    Ok(page.data.len())
}
