//! Signing plus form encoding of a 20-parameter UCloud request, in ns per request: the generated-code path
//! (`ucloud::Form` writers, then `Form::signed_body`: `sign` over the pairs plus the sorted, percent-encoded
//! body, exactly what the client sends)
//! against a hand-written baseline doing the same work. `cargo bench -p docbind --bench sign`.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use docbind_runtime::__private::ucloud::Form;
use std::hint::black_box;

const PRIVATE_KEY: &str = "46f09bb9fab4f12dfc160dae12273d5332b5debe";

/// 20 parameters of mixed kinds, as a generated `encode` writes them (17 request fields + Action, PublicKey,
/// ProjectId added by the client).
fn ours() -> String {
    let mut form = Form::new();
    form.str("Region", "cn-bj2");
    form.str("Zone", "cn-bj2-05");
    form.str("ImageId", "uimage-12345678");
    form.str("Name", "web server 中文");
    form.str("ChargeType", "Month");
    form.int("CPU", 4);
    form.int("Memory", 8192);
    form.int("Quantity", 1);
    form.bool("DisableDataDiskIOAccel", false);
    form.float("MinimalCpuPlatformRatio", 1.5);
    form.str_list("SecurityGroupId", &["firewall-a".to_owned(), "firewall-b".to_owned()]);
    form.enter_index("Disks", 0);
    form.bool("IsBoot", true);
    form.str("Type", "CLOUD_SSD");
    form.int("Size", 40);
    form.leave();
    form.enter_index("Disks", 1);
    form.bool("IsBoot", false);
    form.str("Type", "CLOUD_RSSD");
    form.leave();
    form.str("ProjectId", "org-abcdef");
    form.str("Action", "CreateUHostInstance");
    form.str("PublicKey", "ucloudsomeone@example.com1296235120854146120");
    assert_eq!(form.len(), 20);
    form.signed_body(PRIVATE_KEY)
}

/// The same 20 parameters, hand-written: a vector of pairs, sorted once, signed and encoded with `url`.
fn baseline() -> String {
    let pairs: Vec<(&str, String)> = vec![
        ("Region", "cn-bj2".to_owned()),
        ("Zone", "cn-bj2-05".to_owned()),
        ("ImageId", "uimage-12345678".to_owned()),
        ("Name", "web server 中文".to_owned()),
        ("ChargeType", "Month".to_owned()),
        ("CPU", 4.to_string()),
        ("Memory", 8192.to_string()),
        ("Quantity", 1.to_string()),
        ("DisableDataDiskIOAccel", "false".to_owned()),
        ("MinimalCpuPlatformRatio", 1.5.to_string()),
        ("SecurityGroupId.0", "firewall-a".to_owned()),
        ("SecurityGroupId.1", "firewall-b".to_owned()),
        ("Disks.0.IsBoot", "true".to_owned()),
        ("Disks.0.Type", "CLOUD_SSD".to_owned()),
        ("Disks.0.Size", 40.to_string()),
        ("Disks.1.IsBoot", "false".to_owned()),
        ("Disks.1.Type", "CLOUD_RSSD".to_owned()),
        ("ProjectId", "org-abcdef".to_owned()),
        ("Action", "CreateUHostInstance".to_owned()),
        ("PublicKey", "ucloudsomeone@example.com1296235120854146120".to_owned()),
    ];
    common::hand_signed_form(pairs, PRIVATE_KEY)
}

fn signing(c: &mut Criterion) {
    // The two bodies carry the same parameters and signature (`url` writes `*` unescaped; no value has one).
    assert_eq!(ours(), baseline());
    let mut group = c.benchmark_group("sign_form/20_params");
    group.bench_function("hand-written", |b| b.iter(|| black_box(baseline())));
    group.bench_function("docbind", |b| b.iter(|| black_box(ours())));
    group.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
