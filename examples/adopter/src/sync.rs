//! Calls from code that is not async. docbind has no blocking client: every call runs on tokio (its HTTP client
//! and timers are tokio's), so synchronous code owns a tokio runtime and blocks on the call there.
//! (`futures::executor::block_on` would panic: it provides no tokio reactor.)

use docbind::ucloud_uodn::{Client, Error, GetUvodnImageRequest, GetUvodnImageResponse};

/// A tokio runtime for synchronous callers: one thread, with the I/O and time drivers the calls need.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

/// The first page of images, blocking the calling thread (which must not be a tokio worker itself).
pub fn images(runtime: &tokio::runtime::Runtime, client: &Client) -> Result<GetUvodnImageResponse, Error> {
    runtime.block_on(client.get_uvodn_image(&GetUvodnImageRequest::new()))
}
