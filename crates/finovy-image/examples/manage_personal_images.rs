//! A personal image from start to end: make an image of a machine, find it in the list, rename it, delete it,
//! printing one line per step with the action and the server's trace id.
//!
//! Reads the client's `FINOVY_*` variables (FINOVY_ACCESS_TOKEN, or FINOVY_UUID and FINOVY_SECRET, and
//! FINOVY_BASE_URL) and:
//!
//! - `FINOVY_MACHINE_ID` (required): the cloud machine to make the image of;
//! - `FINOVY_IMAGE_NAME` (default `docbind-example`): the image's name; it is renamed to `<name>-renamed`.
//!
//! Exits non-zero with the service's code and message when a step fails, after deleting the image it made.
//!
//! ```sh
//! FINOVY_MACHINE_ID=kmBSQFdh7T cargo run -p finovy-image --example manage_personal_images
//! ```

use std::process::ExitCode;

use finovy_image::runtime::futures::TryStreamExt as _;
use finovy_image::{AddImageRequest, Client, DeleteImageRequest, Error, GetListRequest, UpdateImageRequest};

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

/// The machine and the image name, from `FINOVY_MACHINE_ID` and `FINOVY_IMAGE_NAME`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub machine_id: String,
    pub image_name: String,
}

impl Settings {
    /// Reads the variables through `get` (the process environment in `main`).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let get = |name: &str| get(name).filter(|value| !value.trim().is_empty());
        Ok(Settings {
            machine_id: get("FINOVY_MACHINE_ID").ok_or("FINOVY_MACHINE_ID is not set: the machine to image")?,
            image_name: get("FINOVY_IMAGE_NAME").unwrap_or_else(|| "docbind-example".to_owned()),
        })
    }
}

/// Every step, printing one line each through `print`. Deletes the image it made when a later step fails.
pub async fn run(client: &Client, settings: &Settings, print: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let name = &settings.image_name;
    let added = client.add_image(&AddImageRequest::new(&settings.machine_id, name)).await?;
    print(&step("add_image", added.request_id(), &format!("image {name:?} of machine {}", settings.machine_id)));

    let id = find(client, name).await?;
    print(&format!("{:<14} found {name:?}: id {id}", "get_list"));

    if let Err(error) = rename_and_delete(client, &id, name, print).await {
        print(&format!("cleanup: deleting image {id} after: {}", report(&error)));
        match client.delete_image(&DeleteImageRequest::new(&id)).await {
            Ok(deleted) => print(&step("delete_image", deleted.request_id(), &format!("image {id} (cleanup)"))),
            Err(cleanup) => print(&format!("cleanup failed, delete image {id} yourself: {}", report(&cleanup))),
        }
        return Err(error);
    }
    Ok(())
}

/// The id of the image called `name`, looking through every page of the list.
async fn find(client: &Client, name: &str) -> Result<String, Error> {
    let mut images = client.get_list_stream(&GetListRequest::new().with_image_name(name).with_page_size(50));
    while let Some(image) = images.try_next().await? {
        if image.image_name.as_deref() == Some(name) {
            if let Some(id) = image.id {
                return Ok(id);
            }
        }
    }
    Err(Error::Config(format!("the image {name:?} was added but the list does not show it")))
}

async fn rename_and_delete(client: &Client, id: &str, name: &str, print: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let renamed = format!("{name}-renamed");
    let updated = client.update_image(&UpdateImageRequest::new(id, &renamed)).await?;
    print(&step("update_image", updated.request_id(), &format!("image {id} renamed {renamed:?}")));

    let deleted = client.delete_image(&DeleteImageRequest::new(id)).await?;
    print(&step("delete_image", deleted.request_id(), &format!("image {id}")));
    Ok(())
}

/// One line of an action: its name, the trace id, what it did.
fn step(action: &str, trace_id: Option<&str>, detail: &str) -> String {
    format!("{action:<14} trace {:<56} {detail}", trace_id.unwrap_or("-"))
}

/// The error and its causes on one line: the service's code and message, or what else failed.
pub fn report(error: &Error) -> String {
    finovy_image::runtime::ErrorChain(error).to_string()
}
