//! The `serde` feature in the shape of the wire (the facade's tests turn it on for both generated crates): requests
//! under their wire names, enumerations as their wire values, `Unknown` values unchanged. Responses round trips:
//! `fuzz_decode.rs` (`fuzz_serde_round_trip`) and examples/adopter.

use docbind::finovy_image::get_list::{self, ImageStatus};
use docbind::runtime::__private::ucloud::decode_response;
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

/// Integers beyond `i64` (up to `u64::MAX`, and wider) and floats written in any form, in a string field, a string
/// list, an integer field or `extra`, read back equal after serializing.
#[test]
fn numbers_beyond_i64_and_float_texts_read_back_equal() {
    use docbind::ucloud_uodn::describe_uvodn_node;
    for number in [
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "1.50",
        "1e2",
        "-0.0",
    ] {
        let body = format!(
            r#"{{"RetCode": 0, "TotalCount": {number}, "Odd": {number}, "NodeList": [{{"NodeId": {number},
                "InnerIps": [{number}, "10.0.0.1", {number}], "CoreNum": {number}, "Deep": [{number}, {{"x": {number}}}]}}]}}"#
        );
        let (response, _) =
            decode_response::<describe_uvodn_node::DescribeUvodnNodeResponse>(body.as_bytes()).expect("decodes");
        let node = &response.node_list[0];
        assert_eq!(node.node_id.as_deref(), Some(number), "the text as received");
        assert_eq!(node.inner_ips, [number, "10.0.0.1", number]);
        let written = serde_json::to_string(&response).expect("serializes");
        let read: describe_uvodn_node::DescribeUvodnNodeResponse =
            serde_json::from_str(&written).unwrap_or_else(|e| panic!("{number}: {e}: {written}"));
        let wider_than_64_bits =
            number.parse::<i64>().is_err() && number.parse::<u64>().is_err() && !number.contains(['.', 'e']);
        if !wider_than_64_bits {
            assert_eq!(read, response, "{number}: {written}");
            continue;
        }
        // The documented loss: kept in `extra`, such an integer is written as the string of its digits. Fields
        // and list elements that hold it as text read back equal.
        assert_eq!((&read.node_list[0].node_id, &read.node_list[0].inner_ips), (&node.node_id, &node.inner_ips));
        assert_eq!(read.extra.get("Odd"), Some(&serde_json::json!(number)), "{written}");
        assert_eq!(response.extra.raw_json("Odd"), Some(number));
    }
}

#[test]
fn user_metadata_is_a_wire_object_of_strings_both_ways() {
    use ucloud_ufile::{head_file, PutFileRequest};

    let request = PutFileRequest::new("a.txt").with_x_ufile_meta([("owner", "ops"), ("city", "上海")]);
    let written = serde_json::to_value(&request).expect("serializes");
    assert_eq!(written["X-Ufile-Meta-*"], json!({"city": "上海", "owner": "ops"}));
    assert_eq!(serde_json::from_value::<PutFileRequest>(written).expect("reads back"), request);

    let (response, ()) = head_file::decode_response(br#"{"X-Ufile-Meta-*": {"owner": "ops"}}"#).expect("decodes");
    let written = serde_json::to_value(&response).expect("serializes");
    assert_eq!(written, json!({"X-Ufile-Meta-*": {"owner": "ops"}}));
    let read: head_file::HeadFileResponse = serde_json::from_value(written).expect("reads back");
    assert_eq!(read.x_ufile_meta, response.x_ufile_meta);
    assert!(read.x_ufile_meta.is_some_and(|meta| meta["owner"] == "ops"));
}
