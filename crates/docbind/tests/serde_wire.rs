//! The `serde` feature in the shape of the wire (the facade's tests turn it on for both generated crates): requests
//! under their wire names, enumerations as their wire values, `Unknown` values unchanged. Responses round trips:
//! `fuzz_decode.rs` (`fuzz_serde_round_trip`) and examples/adopter.

use docbind::finovy_image::get_list::{self, ImageStatus};
use docbind::ucloud_uodn::create_uvodn_node::ChargeType;
use docbind::ucloud_uodn::get_uvodn_image::{ImageType, OcType};
use docbind::ucloud_uodn::{CreateUvodnNodeRequest, GetUvodnImageRequest};
use serde_json::json;

#[test]
fn a_request_is_written_under_its_wire_names_and_reads_back() {
    let request = CreateUvodnNodeRequest::new("idc-1", 2, 4, 20, "img-1", 10).with_charge_type(ChargeType::Monthly);
    let written = serde_json::to_value(&request).expect("serializes");
    let object = written.as_object().expect("an object");
    assert_eq!(object.get("IdcId"), Some(&json!("idc-1")));
    assert_eq!(object.get("CpuCore"), Some(&json!(2)));
    assert_eq!(object.get("ChargeType"), Some(&json!(2)), "an enumeration the service sends as a number");
    assert!(!object.contains_key("NodeCount") && !object.contains_key("PassWord"), "unset options are left out");
    assert!(object.keys().all(|k| k.starts_with(char::is_uppercase)), "wire names only: {object:?}");
    let read: CreateUvodnNodeRequest = serde_json::from_value(written).expect("reads back");
    assert_eq!(read, request);

    // Nothing set: an empty object, and back.
    let empty = serde_json::to_value(GetUvodnImageRequest::new()).expect("serializes");
    assert_eq!(empty, json!({}));
    assert_eq!(serde_json::from_value::<GetUvodnImageRequest>(empty).expect("reads"), GetUvodnImageRequest::new());
}

#[test]
fn enumerations_are_their_wire_values_and_unknown_ones_round_trip() {
    let cases = [
        (serde_json::to_value(ImageType::Industry), json!(2)),
        (serde_json::to_value(ImageType::Unknown("7".into())), json!(7)),
        // Not the canonical text of a number: kept as the string it was.
        (serde_json::to_value(ImageType::Unknown("07".into())), json!("07")),
        (serde_json::to_value(OcType::Windows), json!("windows")),
        (serde_json::to_value(OcType::Unknown("plan9".into())), json!("plan9")),
    ];
    for (written, expected) in cases {
        assert_eq!(written.expect("serializes"), expected);
    }
    for value in [ImageType::Custom, ImageType::Unknown("7".into()), ImageType::Unknown("07".into())] {
        let back: ImageType = serde_json::from_value(serde_json::to_value(&value).expect("ser")).expect("de");
        assert_eq!(back, value);
    }
    // Either form reads: the decoder accepts numbers as strings and strings as numbers alike.
    assert_eq!(serde_json::from_value::<ImageType>(json!("3")).expect("de"), ImageType::Custom);
    assert_eq!(serde_json::from_value::<ImageStatus>(json!(1)).expect("de"), ImageStatus::Available);
    assert!(serde_json::from_value::<ImageType>(json!([1])).is_err());
}

#[test]
fn a_finovy_response_is_its_data_object() {
    let body = br#"{"code": 0, "msg": "ok", "traceId": "t-1",
        "data": {"data": [{"id": "p-1", "imageName": "nightly", "status": 1, "note": "kept"}], "totalCounts": 1}}"#;
    let (response, _) = get_list::decode_response(body).expect("decodes");
    let written = serde_json::to_value(&response).expect("serializes");
    assert_eq!(
        written,
        json!({"data": [{"id": "p-1", "imageName": "nightly", "status": 1, "note": "kept"}], "totalCounts": 1})
    );
    assert_eq!(serde_json::from_value::<get_list::GetListResponse>(written).expect("reads back"), response);
}
