//! Shared by the benches: the well-typed GetUvodnImage bodies and the plain `#[derive(Deserialize)]` baseline.
#![allow(dead_code)] // each bench uses a part

use serde::Deserialize;
use sha1::{Digest, Sha1};

/// A well-typed `GetUvodnImage` response body with `images` images (the types the docs declare), optionally
/// wrapped in UCloud's envelope (`RetCode`, `Action`).
pub fn body(images: usize, envelope: bool) -> Vec<u8> {
    let list: Vec<serde_json::Value> = (0..images)
        .map(|i| {
            serde_json::json!({
                "ImageId": format!("uimage-{i:08x}"),
                "ImageName": format!("centos-7.9-image-{i}"),
                "ImageType": (["1", "2", "3"][i % 3]),
                "OcType": if i % 2 == 0 { "unix" } else { "windows" },
                "ImageDesc": format!("image {i} built for the edge nodes"),
                "State": (["1", "2"][i % 2]),
                "ImageSize": "20",
                "CreateTime": format!("{}", 1_690_000_000 + i),
                "DeployInfoList": [
                    {"IdcId": format!("idc-{:04}", i % 97), "State": 1},
                    {"IdcId": format!("idc-{:04}", (i + 1) % 97), "State": 3}
                ]
            })
        })
        .collect();
    let mut top = serde_json::json!({"ImageList": list, "TotalCount": images});
    if envelope {
        top["RetCode"] = 0.into();
        top["Action"] = "GetUvodnImageResponse".into();
    }
    serde_json::to_vec(&top).expect("serializable")
}

/// The baseline: what a hand-written client would declare for the same docs, with serde's derive.
#[derive(Debug, Default, Deserialize)]
pub struct DeriveResponse {
    #[serde(rename = "RetCode")]
    pub ret_code: Option<i64>,
    #[serde(rename = "Action")]
    pub action: Option<String>,
    #[serde(rename = "Message")]
    pub message: Option<String>,
    #[serde(rename = "ImageList", default)]
    pub image_list: Vec<DeriveImageInfo>,
    #[serde(rename = "TotalCount")]
    pub total_count: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DeriveImageInfo {
    #[serde(rename = "ImageId")]
    pub image_id: Option<String>,
    #[serde(rename = "ImageName")]
    pub image_name: Option<String>,
    #[serde(rename = "ImageType")]
    pub image_type: Option<String>,
    #[serde(rename = "OcType")]
    pub oc_type: Option<String>,
    #[serde(rename = "ImageDesc")]
    pub image_desc: Option<String>,
    #[serde(rename = "State")]
    pub state: Option<String>,
    #[serde(rename = "ImageSize")]
    pub image_size: Option<String>,
    #[serde(rename = "CreateTime")]
    pub create_time: Option<String>,
    #[serde(rename = "DeployInfoList", default)]
    pub deploy_info_list: Vec<DeriveDeployImageInfo>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DeriveDeployImageInfo {
    #[serde(rename = "IdcId")]
    pub idc_id: Option<String>,
    #[serde(rename = "State")]
    pub state: Option<i64>,
}

/// Decodes `body` with docbind's lenient slots into the generated type.
pub fn decode_ours(body: &[u8]) -> docbind::ucloud_uodn::GetUvodnImageResponse {
    let mut response = docbind::ucloud_uodn::GetUvodnImageResponse::default();
    docbind_runtime::__private::decode_object(body, &mut response).expect("well-typed body decodes");
    response
}

/// Decodes `body` with the derive baseline.
pub fn decode_derive(body: &[u8]) -> DeriveResponse {
    serde_json::from_slice(body).expect("well-typed body decodes")
}

/// Noise-resistant ratio for a shared, busy machine: `rounds` rounds, each timing a batch of `baseline` and a
/// batch of `ours` back to back (order alternating between rounds); the median of the per-round ratios
/// `ours / baseline`. Printed as a `paired:` line that `cargo xtask bench` reads.
pub fn paired(name: &str, rounds: usize, batch: usize, mut baseline: impl FnMut(), mut ours: impl FnMut()) -> f64 {
    let time = |f: &mut dyn FnMut()| {
        let t = std::time::Instant::now();
        for _ in 0..batch {
            f();
        }
        t.elapsed().as_secs_f64()
    };
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|round| {
            if round % 2 == 0 {
                let b = time(&mut baseline);
                time(&mut ours) / b
            } else {
                let o = time(&mut ours);
                o / time(&mut baseline)
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    println!("paired: {name} ratio={median:.4} rounds={rounds} batch={batch}");
    median
}

/// The hand-written UCloud request body both baselines use: sort the pairs once, SHA-1 over each key and value
/// then the private key, and encode the pairs plus `Signature` with `url`.
pub fn hand_signed_form(mut pairs: Vec<(&str, String)>, private_key: &str) -> String {
    pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut hasher = Sha1::new();
    for (k, v) in &pairs {
        hasher.update(k.as_bytes());
        hasher.update(v.as_bytes());
    }
    hasher.update(private_key.as_bytes());
    let signature: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        body.append_pair(k, v);
    }
    body.append_pair("Signature", &signature);
    body.finish()
}
