//! Decode throughput versus `#[derive(Deserialize)]` on the same well-typed JSON.
//!
//! Run with `cargo test -p docbind-runtime --release --test perf -- --ignored --nocapture`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::time::Instant;

use common::GetUvodnImageResponse;
use docbind_runtime::__private::decode_object;
use serde::Deserialize;

#[derive(Deserialize)]
#[allow(non_snake_case, dead_code)]
struct DDeploy {
    Region: Option<String>,
}

#[derive(Deserialize)]
#[allow(non_snake_case, dead_code)]
struct DImage {
    ImageId: Option<String>,
    ImageName: Option<String>,
    Status: Option<i64>,
    DeployInfoList: Vec<DDeploy>,
}

#[derive(Deserialize)]
#[allow(non_snake_case, dead_code)]
struct DResp {
    ImageList: Vec<DImage>,
    TotalCount: Option<i64>,
}

fn body() -> Vec<u8> {
    let images: Vec<_> = (0..200)
        .map(|i| {
            serde_json::json!({
                "ImageId": format!("uimage-{i:08}"),
                "ImageName": format!("image number {i}"),
                "Status": i % 4,
                "DeployInfoList": [{"Region": "cn-bj2"}, {"Region": "cn-sh2"}, {"Region": "hk"}]
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"TotalCount": 200, "ImageList": images})).unwrap()
}

#[test]
#[ignore = "timing; run in release"]
fn slots_vs_derive() {
    let body = body();
    let rounds = 2000;
    let mut best_derive = f64::MAX;
    let mut best_slots = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..rounds {
            let r: DResp = serde_json::from_slice(std::hint::black_box(&body)).unwrap();
            std::hint::black_box(r);
        }
        best_derive = best_derive.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for _ in 0..rounds {
            let mut r = GetUvodnImageResponse::default();
            decode_object(std::hint::black_box(&body), &mut r).unwrap();
            std::hint::black_box(r);
        }
        best_slots = best_slots.min(t.elapsed().as_secs_f64());
    }
    let ratio = best_slots / best_derive;
    println!(
        "derive {:.3} ms/op, slots {:.3} ms/op, ratio {ratio:.2}",
        best_derive * 1e3 / f64::from(rounds),
        best_slots * 1e3 / f64::from(rounds)
    );
    assert!(ratio < 1.5, "slots are {ratio:.2}x derive");
}
