//! Decoding a 10,000-image `GetUvodnImage` response: docbind's lenient, nothing-lost slots (into the generated
//! `ucloud_uodn::GetUvodnImageResponse`) against plain `#[derive(Deserialize)]` structs, same bytes, same run.
//! Budget: at most 1.5x derive. `cargo bench -p docbind --bench decode`; see BENCHMARKS.md.

mod common;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;

fn decode(c: &mut Criterion) {
    for images in [10_000usize, 20] {
        let body = common::body(images, false);
        // Same content either way (a sanity check, not a benchmark).
        let ours = common::decode_ours(&body);
        let derive = common::decode_derive(&body);
        assert_eq!(ours.image_list.len(), derive.image_list.len());
        assert!(ours.extra.is_empty() && ours.image_list.iter().all(|i| i.extra.is_empty()));

        // Interleaved rounds first: the ratio the budget is judged on (see `common::paired`).
        let (rounds, batch) = if images > 1000 { (31, 3) } else { (41, 300) };
        common::paired(
            &format!("decode/{images}_images"),
            rounds,
            batch,
            || drop(common::decode_derive(black_box(&body))),
            || drop(common::decode_ours(black_box(&body))),
        );

        let mut group = c.benchmark_group(format!("decode/{images}_images"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        if images > 1000 {
            group.sample_size(30);
        }
        // Dropping the result is part of neither side: both return it to the batch and criterion drops it
        // outside the timing.
        group.bench_function("derive", |b| {
            b.iter_batched(|| (), |()| common::decode_derive(black_box(&body)), BatchSize::PerIteration)
        });
        group.bench_function("docbind", |b| {
            b.iter_batched(|| (), |()| common::decode_ours(black_box(&body)), BatchSize::PerIteration)
        });
        group.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
