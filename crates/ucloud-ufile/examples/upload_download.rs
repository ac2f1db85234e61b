//! Uploads the file `UFILE_FILE` in parts as `UFILE_KEY` to the bucket `UFILE_BUCKET`, with a user metadata entry,
//! then downloads it back and checks it and its metadata, without holding the file in memory.
//!
//! Environment: `UCLOUD_PUBLIC_KEY`, `UCLOUD_PRIVATE_KEY`, `UFILE_BUCKET`, `UFILE_FILE`, `UFILE_KEY`, and
//! `UFILE_ENDPOINT` (a full base URL used as is: a custom domain, or a local stand-in) or `UFILE_REGION` (the
//! public host `<bucket>.<region>.ufileos.com`).
//!
//! ```text
//! UFILE_FILE=big.bin UFILE_KEY=backup/big.bin UFILE_BUCKET=demo UFILE_REGION=cn-bj \
//!     UCLOUD_PUBLIC_KEY=… UCLOUD_PRIVATE_KEY=… cargo run -p ucloud-ufile --example upload_download
//! ```

use docbind_runtime::futures::StreamExt as _;
use docbind_runtime::ufile::multipart::Multipart;
use docbind_runtime::ErrorChain;
use ucloud_ufile::{Client, GetFileRequest};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", ErrorChain(&*error));
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("environment variable {name} is not set"));
    let (file, key) = (var("UFILE_FILE")?, var("UFILE_KEY")?);
    let client = Client::from_env()?;

    let upload = Multipart::new(client.runtime(), &key)
        .with_header("X-Ufile-Meta-Uploaded-By", "docbind upload_download")
        .with_concurrency(4);
    let finished = upload.upload_file(&file).await?;
    println!("uploaded {file} as {key}: {} parts, ETag {:?}", finished.parts, finished.etag);

    // Streamed back and compared chunk by chunk with the file on disk.
    let download = client.get_file(&GetFileRequest::new(key.as_str())).await?;
    // User metadata is a map of the `X-Ufile-Meta-<name>` headers, by name in lower case.
    let uploaded_by = download.x_ufile_meta.as_ref().and_then(|meta| meta.get("uploaded-by"));
    if uploaded_by.map(String::as_str) != Some("docbind upload_download") {
        return Err(format!("the object's metadata is {:?}", download.x_ufile_meta).into());
    }
    let mut local = tokio::fs::File::open(&file).await?;
    let mut body = download.body;
    let mut compared = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        let mut expected = vec![0u8; chunk.len()];
        tokio::io::AsyncReadExt::read_exact(&mut local, &mut expected).await?;
        if expected != chunk {
            return Err(format!("the download differs from {file} within bytes {compared}..").into());
        }
        compared += chunk.len() as u64;
    }
    let size = tokio::fs::metadata(&file).await?.len();
    if compared != size {
        return Err(format!("downloaded {compared} bytes of {size}").into());
    }
    println!("downloaded {compared} bytes back, identical (request id {:?})", download_id(&download.response));
    Ok(())
}

fn download_id(response: &ucloud_ufile::GetFileResponse) -> Option<&str> {
    response.request_id()
}
