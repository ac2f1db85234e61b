//! Peak heap while round-tripping a 64 MiB file through UFile, as `crates/ucloud-ufile/examples/upload_download.rs`
//! does: a multipart upload (4 MiB parts, 4 at once) and a streamed download compared chunk by chunk with the file,
//! against the UFile stand-in on 127.0.0.1 (in this process; it keeps objects on disk). Measured with dhat's
//! counting global allocator: the most heap held at once, client and stand-in together.
//! `cargo bench -p docbind --bench ufile_memory`; prints a `ufile_memory:` line for `cargo xtask bench`.

use docbind_runtime::futures::StreamExt as _;
use docbind_runtime::test_util::ufile::StandIn;
use docbind_runtime::ufile::multipart::Multipart;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use ucloud_ufile::{Client, Config, GetFileRequest};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const FILE_BYTES: u64 = 64 * 1024 * 1024;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("upload.bin");
    runtime.block_on(write_file(&path));

    let profiler = dhat::Profiler::builder().testing().trim_backtraces(Some(1)).build();
    let started = std::time::Instant::now();
    let compared = runtime.block_on(round_trip(&path));
    let elapsed = started.elapsed();
    let stats = dhat::HeapStats::get();
    drop(profiler);
    assert_eq!(compared, FILE_BYTES, "the whole file came back");
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!(
        "ufile round trip of {} MiB: peak heap {:.2} MiB, {} allocations, {:.2} s",
        FILE_BYTES >> 20,
        mib(stats.max_bytes),
        stats.total_blocks,
        elapsed.as_secs_f64()
    );
    // One machine-readable line for `cargo xtask bench`.
    println!("ufile_memory: file={FILE_BYTES} peak={} seconds={:.3}", stats.max_bytes, elapsed.as_secs_f64());
}

/// 64 MiB of a repeating, not-all-zero pattern, written 1 MiB at a time.
async fn write_file(path: &std::path::Path) {
    let mut file = tokio::fs::File::create(path).await.expect("create the file");
    let block: Vec<u8> = (0..1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    for _ in 0..FILE_BYTES >> 20 {
        file.write_all(&block).await.expect("write the file");
    }
    file.flush().await.expect("flush the file");
}

async fn round_trip(path: &std::path::Path) -> u64 {
    let (public, private) = ("bench-public", "bench-private");
    let stand_in = StandIn::start(public, private, "bench").await.expect("the stand-in");
    let config = Config::new(public, private, "bench", "cn-bj").with_base_url(stand_in.base_url());
    let client = Client::new(config).expect("a client");
    Multipart::new(client.runtime(), "big.bin").with_concurrency(4).upload_file(path).await.expect("the upload");
    let download = client.get_file(&GetFileRequest::new("big.bin")).await.expect("the download");
    let mut local = tokio::fs::File::open(path).await.expect("open the file");
    let mut body = download.body;
    let mut compared = 0u64;
    let mut expected = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("a chunk");
        expected.resize(chunk.len(), 0);
        local.read_exact(&mut expected).await.expect("read the file");
        assert!(expected == chunk, "the download differs from the file at {compared}");
        compared += chunk.len() as u64;
    }
    compared
}
