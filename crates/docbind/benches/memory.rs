//! Peak heap while decoding the 10,000-image `GetUvodnImage` response, docbind's slots against
//! `#[derive(Deserialize)]`, measured with dhat's counting global allocator (no unsafe code here).
//!
//! For each decoder: the body is allocated before counting starts; then `peak` is the most heap held at once
//! while decoding and `result` what is still held when it returns (the decoded value). `peak - result` is the
//! transient overhead: a decoder that copies nothing beyond the body and the result has it near zero.
//! `cargo bench -p docbind --bench memory`; prints one line per decoder and a `memory:` line for the xtask.

mod common;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

struct Measured {
    peak: usize,
    result: usize,
    blocks: u64,
}

fn measure<T>(body: &[u8], decode: impl Fn(&[u8]) -> T) -> Measured {
    let profiler = dhat::Profiler::builder().testing().trim_backtraces(Some(1)).build();
    let value = decode(body);
    let stats = dhat::HeapStats::get();
    drop(value);
    drop(profiler);
    Measured { peak: stats.max_bytes, result: stats.curr_bytes, blocks: stats.total_blocks }
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a filter we do not support.
    let body = common::body(10_000, false);
    let derive = measure(&body, common::decode_derive);
    let ours = measure(&body, common::decode_ours);
    let mb = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!("body: {:.2} MiB", mb(body.len()));
    for (name, m) in [("derive", &derive), ("docbind", &ours)] {
        println!(
            "{name:>8}: peak {:.2} MiB ({:.2}x body), result {:.2} MiB, transient {:.2} MiB ({:.1}% of result), {} allocations",
            mb(m.peak),
            m.peak as f64 / body.len() as f64,
            mb(m.result),
            mb(m.peak - m.result),
            100.0 * (m.peak - m.result) as f64 / m.result as f64,
            m.blocks
        );
    }
    // One machine-readable line for `cargo xtask bench`.
    println!(
        "memory: body={} derive_peak={} derive_result={} docbind_peak={} docbind_result={}",
        body.len(),
        derive.peak,
        derive.result,
        ours.peak,
        ours.result
    );
}
