//! Lists the personal images of the Finovy account.
//!
//! Reads FINOVY_ACCESS_TOKEN, or FINOVY_UUID and FINOVY_SECRET, and optionally FINOVY_BASE_URL. Exits non-zero on
//! error, showing the error and each of its causes (the service's code and message, a token exchange's refusal or
//! redirect).

use finovy_image::{Client, Error, GetListRequest};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let listed = match Client::from_env() {
        Ok(client) => list(&client, &mut |line| println!("{line}")).await,
        Err(error) => Err(error),
    };
    match listed {
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

/// Prints one line per image of the first page through `print`, and the server's total; returns how many.
pub async fn list(client: &Client, print: &mut dyn FnMut(&str)) -> Result<usize, Error> {
    let page = client.get_list(&GetListRequest::new()).await?;
    for image in &page.data {
        print(&format!(
            "{}\t{}\t{}\tstatus={}",
            image.id.as_deref().unwrap_or("-"),
            image.image_id.map(|id| id.to_string()).as_deref().unwrap_or("-"),
            image.image_name.as_deref().unwrap_or("-"),
            image.status.as_ref().map_or("-", |s| s.as_str()),
        ));
    }
    if let Some(total) = page.total_counts {
        print(&format!("total on the server: {total}"));
    }
    Ok(page.data.len())
}

/// The error and each of its causes, `: `-separated: an error keeps its cause as its source only, so showing the
/// error alone would say "token exchange failed" without why.
pub fn report(error: &Error) -> String {
    finovy_image::runtime::ErrorChain(error).to_string()
}
