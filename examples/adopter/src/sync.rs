//! Calls from code that is not async, through the blocking client (the facade's cargo feature `blocking`): the
//! same operations, page streams as iterators, waiters that block.

use docbind::ucloud_uodn::blocking::Client;
use docbind::ucloud_uodn::{Config, Error, GetUvodnImageRequest};

/// A blocking client, for the parts of the application that are not async.
pub fn client(config: Config) -> Result<Client, Error> {
    Client::new(config)
}

/// The names of every image, page after page, blocking the calling thread.
pub fn image_names(client: &Client) -> Result<Vec<String>, Error> {
    client
        .get_uvodn_image_stream(&GetUvodnImageRequest::new().with_limit(50))
        .map(|image| image.map(|image| image.image_name.unwrap_or_default()))
        .collect()
}
