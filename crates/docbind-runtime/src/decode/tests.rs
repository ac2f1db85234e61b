use super::*;
use serde_json::json;

/// Hand-written the way generated code implements it.
#[derive(Debug, Default, Clone, PartialEq)]
struct ImageInfo {
    image_id: Option<String>,
    image_name: Option<String>,
    size: Option<i64>,
    ratio: Option<f64>,
    public: Option<bool>,
    tags: Vec<String>,
    ports: Vec<i64>,
    weights: Vec<f64>,
    flags: Vec<bool>,
    meta: Option<Value>,
    raw_list: Vec<Value>,
    owner: Option<DeployImageInfo>,
    deploy_info_list: Vec<DeployImageInfo>,
    extra: Extra,
}

impl Decode for ImageInfo {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = key.and_then(|key| {
            Some(match key {
                "ImageId" => Slot::Str(&mut self.image_id),
                "ImageName" => Slot::Str(&mut self.image_name),
                "Size" => Slot::Int(&mut self.size),
                "Ratio" => Slot::Float(&mut self.ratio),
                "Public" => Slot::Bool(&mut self.public),
                "Tags" => Slot::StrList(&mut self.tags),
                "Ports" => Slot::IntList(&mut self.ports),
                "Weights" => Slot::FloatList(&mut self.weights),
                "Flags" => Slot::BoolList(&mut self.flags),
                "Meta" => Slot::Json(&mut self.meta),
                "RawList" => Slot::JsonList(&mut self.raw_list),
                "Owner" => Slot::Model(&mut self.owner),
                "DeployInfoList" => Slot::ModelList(&mut self.deploy_info_list),
                _ => return None,
            })
        });
        ObjectFields {
            slot,
            extra: &mut self.extra,
            names: &[
                "ImageId",
                "ImageName",
                "Size",
                "Ratio",
                "Public",
                "Tags",
                "Ports",
                "Weights",
                "Flags",
                "Meta",
                "RawList",
                "Owner",
                "DeployInfoList",
            ],
            call: None,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
struct DeployImageInfo {
    region: Option<String>,
    status: Option<i64>,
    child: Option<Box<DeployImageInfo>>,
    extra: Extra,
}

impl Decode for DeployImageInfo {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = key.and_then(|key| {
            Some(match key {
                "Region" => Slot::Str(&mut self.region),
                "Status" => Slot::Int(&mut self.status),
                "Child" => Slot::Model(&mut self.child),
                _ => return None,
            })
        });
        ObjectFields { slot, extra: &mut self.extra, names: &["Region", "Status", "Child"], call: None }
    }
}

fn decode(body: &str) -> ImageInfo {
    let mut info = ImageInfo::default();
    decode_object(body.as_bytes(), &mut info).unwrap();
    info
}

#[test]
fn well_typed_happy_path() {
    let info = decode(
        r#"{"ImageId":"img-1","ImageName":"ubuntu","Size":42,"Ratio":0.5,"Public":true,
            "Tags":["a","b"],"Ports":[80,443],"Weights":[1.5,2],"Flags":[true,false],
            "Meta":{"k":[1,{"x":null}]},"RawList":[1,"a",null,{}],
            "Owner":{"Region":"cn-bj2","Status":1},
            "DeployInfoList":[{"Region":"cn-sh2","Status":2},{"Region":"hk","Status":3}]}"#,
    );
    assert_eq!(info.image_id.as_deref(), Some("img-1"));
    assert_eq!(info.image_name.as_deref(), Some("ubuntu"));
    assert_eq!(info.size, Some(42));
    assert_eq!(info.ratio, Some(0.5));
    assert_eq!(info.public, Some(true));
    assert_eq!(info.tags, vec!["a", "b"]);
    assert_eq!(info.ports, vec![80, 443]);
    assert_eq!(info.weights, vec![1.5, 2.0]);
    assert_eq!(info.flags, vec![true, false]);
    assert_eq!(info.meta, Some(json!({"k":[1,{"x":null}]})));
    assert_eq!(info.raw_list, vec![json!(1), json!("a"), Value::Null, json!({})]);
    let owner = info.owner.as_ref().unwrap();
    assert_eq!(owner.region.as_deref(), Some("cn-bj2"));
    assert_eq!(owner.status, Some(1));
    assert_eq!(info.deploy_info_list.len(), 2);
    assert_eq!(info.deploy_info_list[1].region.as_deref(), Some("hk"));
    assert_eq!(info.deploy_info_list[1].status, Some(3));
    assert!(info.extra.is_empty(), "{:?}", info.extra);
}

#[test]
fn numbers_as_strings_and_strings_as_numbers() {
    let info = decode(
        r#"{"ImageId":12,"ImageName":1.5,"Size":" 42 ","Ratio":"0.25","Public":"true",
            "Tags":[1,2.5,true,"x"],"Ports":["7","8.0",9.0],"Weights":["1.5",2],"Flags":[1,0,"1","false"]}"#,
    );
    assert_eq!(info.image_id.as_deref(), Some("12"));
    assert_eq!(info.image_name.as_deref(), Some("1.5"));
    assert_eq!(info.size, Some(42));
    assert_eq!(info.ratio, Some(0.25));
    assert_eq!(info.public, Some(true));
    assert_eq!(info.tags, vec!["1", "2.5", "true", "x"]);
    assert_eq!(info.ports, vec![7, 8, 9]);
    assert_eq!(info.weights, vec![1.5, 2.0]);
    assert_eq!(info.flags, vec![true, false, true, false]);
    assert!(info.extra.is_empty(), "{:?}", info.extra);
}

#[test]
fn bool_lenience() {
    for (raw, want) in [
        ("true", Some(true)),
        ("false", Some(false)),
        ("0", Some(false)),
        ("1", Some(true)),
        ("\"0\"", Some(false)),
        ("\"1\"", Some(true)),
        ("\"TRUE\"", Some(true)),
        ("\"false\"", Some(false)),
    ] {
        let info = decode(&format!(r#"{{"Public":{raw}}}"#));
        assert_eq!(info.public, want, "{raw}");
        assert!(info.extra.is_empty());
    }
    for raw in ["2", "1.0", "\"yes\"", "[]", "{}"] {
        let info = decode(&format!(r#"{{"Public":{raw}}}"#));
        assert_eq!(info.public, None, "{raw}");
        assert_eq!(info.extra.get("Public"), Some(&serde_json::from_str::<Value>(raw).unwrap()));
    }
}

#[test]
fn int_edge_cases() {
    let info = decode(r#"{"Size":9223372036854775807}"#);
    assert_eq!(info.size, Some(i64::MAX));
    let info = decode(r#"{"Size":-9223372036854775808}"#);
    assert_eq!(info.size, Some(i64::MIN));
    // u64 above i64::MAX is a misfit, kept exactly.
    let info = decode(r#"{"Size":18446744073709551615}"#);
    assert_eq!(info.size, None);
    assert_eq!(info.extra.get("Size"), Some(&json!(u64::MAX)));
    // Fractional float is a misfit.
    let info = decode(r#"{"Size":1.5}"#);
    assert_eq!(info.size, None);
    assert_eq!(info.extra.get("Size"), Some(&json!(1.5)));
    // Non-numeric string is a misfit; "inf"/"NaN" are not numbers.
    for s in ["abc", "inf", "NaN", ""] {
        let info = decode(&format!(r#"{{"Size":"{s}","Ratio":"{s}"}}"#));
        assert_eq!(info.size, None);
        assert_eq!(info.ratio, None);
        assert_eq!(info.extra.get("Size"), Some(&json!(s)));
        assert_eq!(info.extra.get("Ratio"), Some(&json!(s)));
    }
    // Booleans do not become numbers.
    let info = decode(r#"{"Size":true}"#);
    assert_eq!(info.extra.get("Size"), Some(&json!(true)));
}

#[test]
fn str_keeps_the_text_of_numbers_as_received() {
    let info = decode(r#"{"ImageId":-7,"ImageName":1.0,"Tags":[1e21,18446744073709551615,false]}"#);
    assert_eq!(info.image_id.as_deref(), Some("-7"));
    assert_eq!(info.image_name.as_deref(), Some("1.0"));
    assert_eq!(info.tags, vec!["1e21", "18446744073709551615", "false"]);
    for literal in ["1.50", "1e2", "1E+2", "-0.0", "0.10000000000000000555", "2.5e-3", "100.000"] {
        let info = decode(&format!(r#"{{"ImageId":{literal},"Tags":[{literal}, "x", {literal}],"Size":1}}"#));
        assert_eq!(info.image_id.as_deref(), Some(literal));
        assert_eq!(info.tags, vec![literal, "x", literal]);
        assert_eq!(info.size, Some(1), "the rest of the body is read as before");
        assert!(info.extra.is_empty(), "{:?}", info.extra);
    }
}

#[test]
fn unknown_fields_kept_in_order() {
    let info = decode(r#"{"Zeta":1,"ImageId":"x","Alpha":{"a":[1,2]},"Mid":null}"#);
    let keys: Vec<_> = info.extra.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["Zeta", "Alpha", "Mid"]);
    assert_eq!(info.extra.get("Alpha"), Some(&json!({"a":[1,2]})));
    assert_eq!(info.extra.get("Mid"), Some(&Value::Null));
    assert_eq!(info.extra.len(), 3);
}

#[test]
fn case_insensitive_key_fallback() {
    let info = decode(r#"{"imageid":"x","SIZE":"3","deployinfolist":[{"region":"r"}]}"#);
    assert_eq!(info.image_id.as_deref(), Some("x"));
    assert_eq!(info.size, Some(3));
    assert_eq!(info.deploy_info_list[0].region.as_deref(), Some("r"));
    assert!(info.extra.is_empty());
    // A misfit under a case-insensitive match keeps the received spelling.
    let info = decode(r#"{"imageid":{"a":1}}"#);
    assert_eq!(info.extra.get("imageid"), Some(&json!({"a":1})));
}

/// Found by `crates/docbind/tests/fuzz_decode.rs`: two spellings of one field overwrote each other
/// (`{"ImageName": false, "imageName": null}` lost `false`; `{"IMAGELIST": [{}], "ImageList": []}` lost the
/// model). The exact spelling, else the first variant, keeps the field; other spellings go to extra.
#[test]
fn case_variants_of_one_field_never_overwrite_each_other() {
    // Exact first, variant second (a value, and null).
    let info = decode(r#"{"ImageName":false,"imageName":null,"Size":1,"size":2}"#);
    assert_eq!(info.image_name.as_deref(), Some("false"));
    assert_eq!(info.size, Some(1));
    assert_eq!(info.extra.get("imageName"), Some(&Value::Null));
    assert_eq!(info.extra.get("size"), Some(&json!(2)));
    assert_eq!(info.extra.len(), 2);
    // Variant first, exact second: the exact spelling still wins the field.
    let info = decode(r#"{"SIZE":"7","Size":1,"imageid":"v","ImageId":"e"}"#);
    assert_eq!(info.size, Some(1));
    assert_eq!(info.image_id.as_deref(), Some("e"));
    assert_eq!(info.extra.get("SIZE"), Some(&json!("7")));
    assert_eq!(info.extra.get("imageid"), Some(&json!("v")));
    // An empty or null exact value leaves the field empty, so the variant fills it.
    let info = decode(r#"{"DEPLOYINFOLIST":[{}],"DeployInfoList":[],"owner":{"Region":"r"},"Owner":null}"#);
    assert_eq!(info.deploy_info_list.len(), 1);
    assert_eq!(info.owner.as_ref().and_then(|o| o.region.as_deref()), Some("r"));
    assert!(info.extra.is_empty(), "{:?}", info.extra);
    // Two variants: the first one fills the field, in the received order.
    let info = decode(r#"{"TAGS":["a"],"tags":["b"],"meta":1,"META":2}"#);
    assert_eq!(info.tags, ["a"]);
    assert_eq!(info.meta, Some(json!(1)));
    assert_eq!(info.extra.get("tags"), Some(&json!(["b"])));
    assert_eq!(info.extra.get("META"), Some(&json!(2)));
    // A variant that does not fit is kept under its own spelling, as before; element misfits too.
    let info = decode(r#"{"ports":[1,"x",3],"Ports":null}"#);
    assert_eq!(info.ports, [1, 3]);
    assert_eq!(info.extra.get("ports.1"), Some(&json!("x")));
    assert_eq!(info.extra.len(), 1);
}

#[test]
fn mismatched_shapes_kept_raw() {
    let info = decode(
        r#"{"ImageId":{"nested":true},"Size":[1],"Tags":"notalist","Ports":5,
            "Owner":"string-not-model","DeployInfoList":{"Region":"x"},"Meta":"free","RawList":{"a":1}}"#,
    );
    assert_eq!(info.image_id, None);
    assert!(info.tags.is_empty());
    assert!(info.ports.is_empty());
    assert!(info.owner.is_none());
    assert!(info.deploy_info_list.is_empty());
    assert_eq!(info.meta, Some(json!("free")));
    assert_eq!(info.extra.get("ImageId"), Some(&json!({"nested":true})));
    assert_eq!(info.extra.get("Size"), Some(&json!([1])));
    assert_eq!(info.extra.get("Tags"), Some(&json!("notalist")));
    assert_eq!(info.extra.get("Ports"), Some(&json!(5)));
    assert_eq!(info.extra.get("Owner"), Some(&json!("string-not-model")));
    assert_eq!(info.extra.get("DeployInfoList"), Some(&json!({"Region":"x"})));
    assert_eq!(info.extra.get("RawList"), Some(&json!({"a":1})));
}

#[test]
fn misfit_list_elements() {
    let info = decode(
        r#"{"Ports":[1,"x",3,{"a":1},null,2.5],
            "DeployInfoList":[{"Region":"a"},"oops",{"Region":"b","Status":"bad"},[1],null]}"#,
    );
    assert_eq!(info.ports, vec![1, 3]);
    assert_eq!(info.extra.get("Ports.1"), Some(&json!("x")));
    assert_eq!(info.extra.get("Ports.3"), Some(&json!({"a":1})));
    assert_eq!(info.extra.get("Ports.4"), Some(&Value::Null));
    assert_eq!(info.extra.get("Ports.5"), Some(&json!(2.5)));
    assert_eq!(info.deploy_info_list.len(), 2);
    assert_eq!(info.deploy_info_list[1].region.as_deref(), Some("b"));
    assert_eq!(info.deploy_info_list[1].status, None);
    assert_eq!(info.deploy_info_list[1].extra.get("Status"), Some(&json!("bad")));
    assert_eq!(info.extra.get("DeployInfoList.1"), Some(&json!("oops")));
    assert_eq!(info.extra.get("DeployInfoList.3"), Some(&json!([1])));
    assert_eq!(info.extra.get("DeployInfoList.4"), Some(&Value::Null));
    assert_eq!(info.extra.len(), 7);
}

#[test]
fn nulls_and_missing_keys() {
    let mut info = decode(r#"{"ImageId":"a","Tags":["x"],"Owner":{"Region":"r"},"Meta":1}"#);
    decode_object(br#"{}"#, &mut info).unwrap();
    assert_eq!(info.image_id.as_deref(), Some("a"), "missing key changes nothing");
    decode_object(
        br#"{"ImageId":null,"Tags":null,"Owner":null,"Meta":null,"Size":null,"DeployInfoList":null}"#,
        &mut info,
    )
    .unwrap();
    assert_eq!(info.image_id, None);
    assert!(info.tags.is_empty());
    assert!(info.owner.is_none());
    assert_eq!(info.meta, None);
    assert!(info.extra.is_empty());
}

#[test]
fn duplicate_keys_last_wins() {
    let info = decode(
        r#"{"ImageId":"a","ImageId":"b","Tags":["1","2"],"Tags":["3"],
            "Owner":{"Region":"r","Status":1},"Owner":{"Region":"s"},"X":1,"X":2}"#,
    );
    assert_eq!(info.image_id.as_deref(), Some("b"));
    assert_eq!(info.tags, vec!["3"]);
    let owner = info.owner.unwrap();
    assert_eq!(owner.region.as_deref(), Some("s"));
    assert_eq!(owner.status, None);
    assert_eq!(info.extra.get("X"), Some(&json!(2)));
    assert_eq!(info.extra.len(), 1);
}

#[test]
fn escaped_keys_and_strings() {
    let info = decode(r#"{"Image\u0049d":"a\"b\n","Unknown\u00e9":"\u4e2d"}"#);
    assert_eq!(info.image_id.as_deref(), Some("a\"b\n"));
    assert_eq!(info.extra.get("Unknowné"), Some(&json!("中")));
}

#[test]
fn deep_nesting() {
    let depth = 50;
    let mut body = String::new();
    for _ in 0..depth {
        body.push_str(r#"{"Region":"r","Child":"#);
    }
    body.push_str(r#"{"Status":7,"Extra":[1]}"#);
    for _ in 0..depth {
        body.push('}');
    }
    let body = format!(r#"{{"Owner":{body}}}"#);
    let info = decode(&body);
    let mut node = info.owner.as_ref().unwrap();
    let mut seen = 0;
    while let Some(child) = node.child.as_deref() {
        assert_eq!(node.region.as_deref(), Some("r"));
        node = child;
        seen += 1;
    }
    assert_eq!(seen, depth);
    assert_eq!(node.status, Some(7));
    assert_eq!(node.extra.get("Extra"), Some(&json!([1])));
}

#[test]
fn nesting_beyond_recursion_limit_is_an_error_not_a_crash() {
    let body = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let body = format!(r#"{{"Meta":{body}}}"#);
    let mut info = ImageInfo::default();
    let err = decode_object(body.as_bytes(), &mut info).unwrap_err();
    assert!(err.message().contains("recursion"), "{err}");
}

#[test]
fn invalid_json_errors_with_position() {
    let mut info = ImageInfo::default();
    let err = decode_object(b"{\n  \"ImageId\": \"a\",\n  oops\n}", &mut info).unwrap_err();
    assert_eq!(err.line(), 3);
    assert!(err.column() > 0);
    assert!(err.to_string().contains("line 3"), "{err}");

    for body in [&b"<html>nope</html>"[..], b"", b"{\"a\":1} trailing", b"{\"a\":", b"\xff"] {
        assert!(decode_object(body, &mut ImageInfo::default()).is_err());
    }
}

#[test]
fn top_level_must_be_object() {
    for body in ["[]", "1", "\"s\"", "null", "true", "1.5"] {
        let err = decode_object(body.as_bytes(), &mut ImageInfo::default()).unwrap_err();
        assert!(err.message().contains("object"), "{body}: {err}");
    }
}

#[test]
fn decode_into_slot_any_shape() {
    let mut extra = Extra::default();
    let mut list: Vec<DeployImageInfo> = Vec::new();
    decode_into_slot(br#"[{"Region":"a"},7,{"Region":"b"}]"#, Slot::ModelList(&mut list), &mut extra, "data").unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(extra.get("data.1"), Some(&json!(7)));

    let mut s = None;
    decode_into_slot(b"12", Slot::Str(&mut s), &mut extra, "data").unwrap();
    assert_eq!(s.as_deref(), Some("12"));

    let mut model: Option<DeployImageInfo> = None;
    decode_into_slot(b"\"nope\"", Slot::Model(&mut model), &mut extra, "data").unwrap();
    assert!(model.is_none());
    assert_eq!(extra.get("data"), Some(&json!("nope")));

    let mut n = None;
    assert!(decode_into_slot(b"1 2", Slot::Int(&mut n), &mut extra, "data").is_err());
}

#[test]
fn slot_reborrow_and_debug() {
    let mut s = None;
    let mut slot = Slot::Str(&mut s);
    let mut extra = Extra::default();
    decode_into_slot(b"\"a\"", slot.reborrow(), &mut extra, "x").unwrap();
    assert_eq!(format!("{slot:?}"), "Slot::Str");
    decode_into_slot(b"\"b\"", slot, &mut extra, "x").unwrap();
    assert_eq!(s.as_deref(), Some("b"));
}

#[test]
fn extra_api() {
    let mut e = Extra::new();
    assert!(e.is_empty());
    e.insert("b", json!(1));
    e.insert("a", json!(2));
    e.insert("b", json!(3));
    assert_eq!(e.len(), 2);
    assert_eq!(e.iter().collect::<Vec<_>>(), vec![("b", &json!(3)), ("a", &json!(2))]);
    assert_eq!(format!("{e:?}"), r#"{"b": Number(3), "a": Number(2)}"#);
    assert_eq!(e.to_json_object().len(), 2);
    assert_eq!(e.remove("b"), Some(json!(3)));
    assert_eq!((&e).into_iter().count(), 1);

    // Appending moves every entry; a key both have takes the appended value in place.
    let mut other = Extra::new();
    other.insert("x", json!("x"));
    other.insert("a", json!("new a"));
    e.append(&mut other);
    assert!(other.is_empty());
    assert_eq!(e.iter().collect::<Vec<_>>(), vec![("a", &json!("new a")), ("x", &json!("x"))]);
    let mut empty = Extra::new();
    empty.append(&mut e);
    assert!(e.is_empty());
    assert_eq!(empty.len(), 2);
    empty.append(&mut Extra::new());
    assert_eq!(empty.len(), 2);
}

#[test]
fn extra_large_uses_index_and_stays_correct() {
    let mut body = String::from("{");
    for i in 0..5000 {
        body.push_str(&format!("\"k{i}\":{i},"));
    }
    body.push_str("\"k7\":\"last\"}");
    let info = decode(&body);
    assert_eq!(info.extra.len(), 5000);
    assert_eq!(info.extra.get("k7"), Some(&json!("last")));
    assert_eq!(info.extra.get("k4999"), Some(&json!(4999)));
    assert_eq!(info.extra.iter().nth(7).unwrap().0, "k7");
    let mut e = info.extra.clone();
    assert_eq!(e.remove("k0"), Some(json!(0)));
    assert_eq!(e.get("k1"), Some(&json!(1)));
    e.insert("k1", json!("x"));
    assert_eq!(e.get("k1"), Some(&json!("x")));
    assert_eq!(e.len(), 4999);
    assert_ne!(e, info.extra);
}

/// Every key of arbitrary JSON lands where it belongs, and only bodies that are JSON objects decode.
mod props {
    use super::*;
    use proptest::prelude::*;

    /// Declared names (exact: case variants, which wait for the end of their object, are tested above).
    fn declared() -> Vec<&'static str> {
        [ImageInfo::default().field_names(), DeployImageInfo::default().field_names()].concat()
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            "[ -~]{0,8}".prop_map(Value::String),
            prop_oneof![Just("1"), Just(" 2 "), Just("true"), Just("0"), Just("1.5"), Just("1e3")]
                .prop_map(|s| Value::String(s.to_owned())),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            // Random keys are too short to match a declared name in any case.
            let keys = prop_oneof![proptest::sample::select(declared()).prop_map(str::to_owned), "[a-z]{1,3}"];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((keys, inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    /// The field a declared key fills, shown with `Debug`.
    fn field_of(info: &ImageInfo, key: &str) -> Option<String> {
        Some(match key {
            "ImageId" => format!("{:?}", info.image_id),
            "ImageName" => format!("{:?}", info.image_name),
            "Size" => format!("{:?}", info.size),
            "Ratio" => format!("{:?}", info.ratio),
            "Public" => format!("{:?}", info.public),
            "Tags" => format!("{:?}", info.tags),
            "Ports" => format!("{:?}", info.ports),
            "Weights" => format!("{:?}", info.weights),
            "Flags" => format!("{:?}", info.flags),
            "Meta" => format!("{:?}", info.meta),
            "RawList" => format!("{:?}", info.raw_list),
            "Owner" => format!("{:?}", info.owner),
            "DeployInfoList" => format!("{:?}", info.deploy_info_list),
            _ => return None,
        })
    }

    /// The `extra` entries a key made: under its name, or `Name.<index>` for misfit list elements.
    fn extra_of<'e>(info: &'e ImageInfo, key: &str) -> Vec<(&'e str, &'e Value)> {
        let prefix = format!("{key}.");
        info.extra.iter().filter(|(k, _)| *k == key || k.starts_with(&prefix)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Keys of one object are decoded independently, so the whole object's decode is, key by key, what that
        /// key alone decodes to (in its field, or in `extra`); and each key alone leaves a trace unless its value
        /// is `null` or an empty list (nothing to keep).
        #[test]
        fn every_key_lands_in_its_field_or_extra(v in arb_json()) {
            let body = serde_json::to_vec(&v).unwrap();
            let mut info = ImageInfo::default();
            prop_assert_eq!(decode_object(&body, &mut info).is_ok(), v.is_object());
            let mut list: Vec<DeployImageInfo> = Vec::new();
            prop_assert!(decode_into_slot(&body, Slot::ModelList(&mut list), &mut Extra::default(), "d").is_ok());
            let Value::Object(map) = &v else { return Ok(()) };
            let mut entries = 0;
            for (key, value) in map {
                let mut alone = ImageInfo::default();
                decode_object(&serde_json::to_vec(&json!({ key: value })).unwrap(), &mut alone).unwrap();
                let nothing_to_keep = value.is_null() || (value.as_array().is_some_and(Vec::is_empty) && field_of(&alone, key).is_some());
                prop_assert!(alone != ImageInfo::default() || nothing_to_keep, "{} = {} left no trace", key, value);
                prop_assert_eq!(field_of(&info, key), field_of(&alone, key), "field of {}", key);
                prop_assert_eq!(extra_of(&info, key), extra_of(&alone, key), "extra of {}", key);
                entries += alone.extra.len();
            }
            prop_assert_eq!(info.extra.len(), entries, "extra holds entries no key made: {:?}", info.extra);
        }

        /// Any bytes: `Ok` exactly when they are a JSON object (after an optional byte order mark).
        #[test]
        fn arbitrary_bytes_decode_exactly_when_they_are_an_object(
            bom in any::<bool>(),
            bytes in proptest::collection::vec(prop_oneof![any::<u8>(), proptest::sample::select(b"{}[]:,\"0 ".to_vec())], 0..64),
        ) {
            let object = serde_json::from_slice::<Value>(&bytes).is_ok_and(|v| v.is_object());
            let body = if bom { [&b"\xEF\xBB\xBF"[..], &bytes].concat() } else { bytes };
            prop_assert_eq!(decode_object(&body, &mut ImageInfo::default()).is_ok(), object);
        }
    }
}

/// Hand-written the way generated code implements an overlay enum.
#[derive(Debug, Clone, PartialEq)]
enum State {
    Available,
    Unavailable,
    Unknown(String),
}

impl Sealed for State {}

impl Enumeration for State {
    fn from_wire(raw: &str) -> Self {
        match raw {
            "1" => State::Available,
            "2" => State::Unavailable,
            other => State::Unknown(other.to_owned()),
        }
    }
}

#[derive(Debug, Default)]
struct WithEnum {
    state: Option<State>,
    extra: Extra,
}

impl Decode for WithEnum {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = key.and_then(|key| match key {
            "State" => Some(Slot::Enum(&mut self.state)),
            _ => None,
        });
        ObjectFields { slot, extra: &mut self.extra, names: &["State"], call: None }
    }
}

#[test]
fn enum_slots_take_numbers_and_strings_and_keep_unknown_values() {
    for (body, expected) in [
        (r#"{"State": 1}"#, Some(State::Available)),
        (r#"{"State": "2"}"#, Some(State::Unavailable)),
        (r#"{"State": 7}"#, Some(State::Unknown("7".into()))),
        (r#"{"State": null}"#, None),
        // A number written otherwise than the documented value is kept as received.
        (r#"{"State": 1.0}"#, Some(State::Unknown("1.0".into()))),
        (r#"{"State": 1.00}"#, Some(State::Unknown("1.00".into()))),
        (r#"{"State": 1e0}"#, Some(State::Unknown("1e0".into()))),
    ] {
        let mut out = WithEnum::default();
        decode_object(body.as_bytes(), &mut out).unwrap();
        assert_eq!(out.state, expected, "{body}");
        assert!(out.extra.is_empty());
    }
    let mut out = WithEnum::default();
    decode_object(br#"{"State": {"odd": true}}"#, &mut out).unwrap();
    assert_eq!(out.state, None);
    assert_eq!(out.extra.get("State"), Some(&json!({"odd": true})));
}

/// Every scalar kind received into every scalar slot, through a value slot and as a list element.
#[derive(Debug, Default, PartialEq)]
struct Targets {
    s: Option<String>,
    i: Option<i64>,
    f: Option<f64>,
    b: Option<bool>,
    e: Option<State>,
    sl: Vec<String>,
    il: Vec<i64>,
    fl: Vec<f64>,
    bl: Vec<bool>,
    extra: Extra,
}

/// What the general conversion (`scalar`, `ScalarList::push`) makes of `v`: the reference for the fast paths.
fn general(v: &Value) -> Targets {
    fn elem_of(v: &Value, k: Scalar) -> Elem {
        match v {
            Value::String(s) => k.convert_str(Cow::Borrowed(s)),
            Value::Bool(b) => k.convert_bool(*b),
            Value::Number(n) => k.convert_num(match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Num::I(i),
                (None, Some(u), _) => Num::U(u),
                (_, _, f) => Num::F(f.unwrap_or(f64::NAN)),
            }),
            other => Elem::Misfit(other.clone()),
        }
    }
    let mut t = Targets::default();
    let mut extra = Extra::new();
    for (name, slot) in [
        ("S", Slot::Str(&mut t.s)),
        ("I", Slot::Int(&mut t.i)),
        ("F", Slot::Float(&mut t.f)),
        ("B", Slot::Bool(&mut t.b)),
        ("E", Slot::Enum(&mut t.e)),
    ] {
        scalar(slot, |k| elem_of(v, k), || v.clone()).store(&mut extra, name);
    }
    for (name, mut list) in [
        ("SL", ScalarList::Str(&mut t.sl)),
        ("IL", ScalarList::Int(&mut t.il)),
        ("FL", ScalarList::Float(&mut t.fl)),
        ("BL", ScalarList::Bool(&mut t.bl)),
    ] {
        let e = elem_of(v, list.kind());
        if let Some(raw) = list.push(e) {
            extra.insert(format!("{name}.0"), raw);
        }
    }
    t.extra = extra;
    t
}

impl Decode for Targets {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = key.and_then(|key| {
            Some(match key {
                "S" => Slot::Str(&mut self.s),
                "I" => Slot::Int(&mut self.i),
                "F" => Slot::Float(&mut self.f),
                "B" => Slot::Bool(&mut self.b),
                "E" => Slot::Enum(&mut self.e),
                "SL" => Slot::StrList(&mut self.sl),
                "IL" => Slot::IntList(&mut self.il),
                "FL" => Slot::FloatList(&mut self.fl),
                "BL" => Slot::BoolList(&mut self.bl),
                _ => return None,
            })
        });
        ObjectFields {
            slot,
            extra: &mut self.extra,
            names: &["S", "I", "F", "B", "E", "SL", "IL", "FL", "BL"],
            call: None,
        }
    }
}

/// The visitors handle the exact kind first (a string into a string slot, an integer into an int slot, …) and
/// fall back to the general conversion; both must give the same result, from the slice reader (borrowed and
/// escaped strings) and from a `Value` (the case-variant path: owned strings).
#[test]
fn fast_paths_agree_with_the_general_conversion() {
    let values = [
        json!("a"),
        json!(""),
        json!("a\"b\n\u{4e2d}"),
        json!(" 42 "),
        json!("-3"),
        json!("1.5"),
        json!("2.0"),
        json!("1e400"),
        json!("true"),
        json!("FALSE"),
        json!("1"),
        json!("0"),
        json!(0),
        json!(1),
        json!(2),
        json!(-7),
        json!(i64::MAX),
        json!(i64::MIN),
        json!((i64::MAX as u64) + 1),
        json!(u64::MAX),
        json!(1.5),
        json!(-0.0),
        json!(2.0),
        json!(1e21),
        json!(true),
        json!(false),
    ];
    for v in &values {
        let want = general(v);
        let text = v.to_string();
        let exact = format!(
            r#"{{"S":{text},"I":{text},"F":{text},"B":{text},"E":{text},"SL":[{text}],"IL":[{text}],"FL":[{text}],"BL":[{text}]}}"#
        );
        let mut got = Targets::default();
        decode_object(exact.as_bytes(), &mut got).unwrap();
        assert_eq!(got, want, "slice reader, {text}");
        // Lower-case keys take the case-variant path, which decodes from a `Value`.
        let variant = exact.replace("\"S\"", "\"s\"").replace("\"I\"", "\"i\"").replace("\"F\"", "\"f\"");
        let variant = variant.replace("\"B\"", "\"b\"").replace("\"E\"", "\"e\"").replace("\"SL\"", "\"sl\"");
        let variant = variant.replace("\"IL\"", "\"il\"").replace("\"FL\"", "\"fl\"").replace("\"BL\"", "\"bl\"");
        let mut got = Targets::default();
        decode_object(variant.as_bytes(), &mut got).unwrap();
        let want_keys: Vec<String> = want.extra.iter().map(|(k, _)| k.to_lowercase()).collect();
        let got_keys: Vec<String> = got.extra.iter().map(|(k, _)| k.to_owned()).collect();
        assert_eq!(got_keys, want_keys, "value path, {text}");
        got.extra = Extra::new();
        let mut want_fields = general(v);
        want_fields.extra = Extra::new();
        assert_eq!(got, want_fields, "value path, {text}");
    }
}

#[test]
fn a_byte_order_mark_before_the_json_is_ignored() {
    let info = decode("\u{feff}{\"ImageId\":\"a\",\"Size\":123456789012345678901234567890}");
    assert_eq!(info.image_id.as_deref(), Some("a"));
    assert_eq!(info.extra.raw_json("Size"), Some("123456789012345678901234567890"));
    let mut extra = Extra::new();
    let mut n = None;
    decode_into_slot(b"\xEF\xBB\xBF12", Slot::Int(&mut n), &mut extra, "data").unwrap();
    assert_eq!(n, Some(12));
    // Only at the very start: anywhere else it is not JSON.
    for body in [&b" \xEF\xBB\xBF{}"[..], b"{\xEF\xBB\xBF}", b"\xEF\xBB\xBF\xEF\xBB\xBF{}", b"\xEF\xBB{}"] {
        assert!(decode_object(body, &mut ImageInfo::default()).is_err(), "{body:?}");
    }
}

const WIDE: &str = "123456789012345678901234567890";

#[test]
fn integers_wider_than_64_bits_keep_their_digits_and_never_round_into_a_field() {
    let body = format!(
        r#"{{"ImageId":{WIDE},"Size":{WIDE},"Ratio":-{WIDE},"Public":18446744073709551616,"Tags":[{WIDE},"t"],
            "Ports":[1,{WIDE}],"Weights":[1e19,-9223372036854775809],"Meta":{{"n":[{WIDE}],"f":1.5}},"RawList":[1,{WIDE}],
            "Unknown":{{"deep":[ {WIDE} ]}},"Owner":{WIDE},"DeployInfoList":[{WIDE},{{"Status":{WIDE}}}]}}"#
    );
    let info = decode(&body);
    // Text fields take the exact digits.
    assert_eq!(info.image_id.as_deref(), Some(WIDE));
    assert_eq!(info.tags, [WIDE, "t"]);
    // Number, boolean, free-form and model fields do not: the value is kept in extra, digits and raw text.
    assert_eq!(
        (info.size, info.ratio, info.public, info.meta.as_ref(), info.owner.as_ref()),
        (None, None, None, None, None)
    );
    let minus_wide = format!("-{WIDE}");
    for (key, raw) in [
        ("Size", WIDE),
        ("Ratio", minus_wide.as_str()),
        ("Public", "18446744073709551616"),
        ("Ports.1", WIDE),
        ("Weights.1", "-9223372036854775809"),
        ("RawList.1", WIDE),
        ("Owner", WIDE),
        ("DeployInfoList.0", WIDE),
    ] {
        assert_eq!(info.extra.raw_json(key), Some(raw), "{key}");
        assert_eq!(info.extra.get(key), Some(&Value::String(raw.to_owned())), "{key}");
    }
    let meta = format!(r#"{{"n":[{WIDE}],"f":1.5}}"#);
    assert_eq!(info.extra.raw_json("Meta"), Some(meta.as_str()));
    assert_eq!(info.extra.get("Meta"), Some(&json!({"n": [WIDE], "f": 1.5})));
    let unknown = format!(r#"{{"deep":[ {WIDE} ]}}"#);
    assert_eq!(info.extra.raw_json("Unknown"), Some(unknown.as_str()), "as received, spaces and all");
    assert_eq!(info.extra.len(), 10, "{:?}", info.extra);
    // What fits is untouched, a float literal included.
    assert_eq!(info.ports, [1]);
    assert_eq!(info.weights, [1e19]);
    assert_eq!(info.raw_list, [json!(1)]);
    assert_eq!(info.deploy_info_list.len(), 1);
    assert_eq!(info.deploy_info_list[0].extra.raw_json("Status"), Some(WIDE));
    // An exact entry has no raw text.
    let info = decode(r#"{"Size":18446744073709551615,"Zeta":{"a":1}}"#);
    assert_eq!(info.extra.get("Size"), Some(&json!(u64::MAX)));
    assert_eq!((info.extra.raw_json("Size"), info.extra.raw_json("Zeta")), (None, None));
    assert!(format!("{:?}", decode(&format!(r#"{{"Size":{WIDE}}}"#)).extra).contains(&format!("Raw({WIDE})")));
}

#[test]
fn the_edges_of_64_bits() {
    let info = decode(r#"{"Size":-9223372036854775808,"Ports":[-9223372036854775809],"Tags":[18446744073709551616]}"#);
    assert_eq!(info.size, Some(i64::MIN));
    assert_eq!(info.extra.raw_json("Ports.0"), Some("-9223372036854775809"));
    assert_eq!(info.tags, ["18446744073709551616"]);
    // A wide integer in a string stays a string, and does not round into a float either.
    let info = decode(&format!(r#"{{"ImageName":"{WIDE}","Ratio":"{WIDE}","Size":"{WIDE}"}}"#));
    assert_eq!(info.image_name.as_deref(), Some(WIDE));
    assert_eq!((info.ratio, info.size), (None, None));
    assert_eq!(info.extra.get("Ratio"), Some(&json!(WIDE)));
}

#[test]
fn case_variants_holding_wide_integers_decode_like_exact_keys() {
    let info = decode(&format!(r#"{{"imageid":{WIDE},"size":{WIDE},"meta":{{"a":{WIDE}}},"tags":[{WIDE}]}}"#));
    assert_eq!(info.image_id.as_deref(), Some(WIDE));
    assert_eq!(info.tags, [WIDE]);
    assert_eq!(info.size, None);
    assert_eq!(info.extra.raw_json("size"), Some(WIDE));
    let meta = format!(r#"{{"a":{WIDE}}}"#);
    assert_eq!(info.extra.raw_json("meta"), Some(meta.as_str()));
    assert_eq!(info.extra.len(), 2, "{:?}", info.extra);
}

#[test]
fn values_serde_json_cannot_represent_fail_naming_their_key_path() {
    for (body, path) in [
        (r#"{"DeployInfoList":[{"Region":"a"},{"Status":1e400}]}"#, "$.DeployInfoList[1].Status"),
        (r#"{"Meta":{"k":"\ud800"}}"#, "$.Meta.k"),
        (r#"{"ImageName":"x\udc00y"}"#, "$.ImageName"),
        (r#"{"Unknown":[1,-1e400]}"#, "$.Unknown[1]"),
        (r#"{"Size":123456789012345678901234567890,"Ratio":1e400}"#, "$.Ratio"),
        ("{\n  \"Owner\": {\n    \"Child\": {\"Region\": 1e999}}}", "$.Owner.Child.Region"),
    ] {
        let err = decode_object(body.as_bytes(), &mut ImageInfo::default()).unwrap_err();
        assert_eq!(err.path(), path, "{body}: {err}");
        assert!(err.to_string().ends_with(&format!(", in {path}")), "{err}");
        assert!(err.line() > 0, "{err}");
    }
    let err = decode_object(b"[1]", &mut ImageInfo::default()).unwrap_err();
    assert_eq!((err.path(), err.to_string().contains(", in")), ("", false));
    let err = decode_object(b"{\"a\": [1, 2", &mut ImageInfo::default()).unwrap_err();
    assert_eq!(err.path(), "$.a[1]", "{err}");
}

/// Found by the model-checked fuzzers of `crates/docbind/tests/fuzz_decode.rs`: a case variant was read through a
/// `Value`, whose object sorts its members and keeps only the last of repeated keys, so its misfits came out of order
/// and an earlier repeated key was lost.
#[test]
fn a_case_variant_is_read_from_its_text_in_order() {
    let info = decode(r#"{"owner":{"Status":"bad","Status":2,"Zeta":1,"Alpha":2}}"#);
    let owner = info.owner.expect("the variant fills the model");
    assert_eq!(owner.status, Some(2));
    let keys: Vec<&str> = owner.extra.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["Status", "Zeta", "Alpha"]);
    assert_eq!(owner.extra.get("Status"), Some(&json!("bad")));
    // Kept whole when the field is taken, with the raw text of a wide integer inside.
    let info = decode(&format!(r#"{{"Meta":1,"meta":{{"b":{WIDE},"a":1}}}}"#));
    let meta = format!(r#"{{"b":{WIDE},"a":1}}"#);
    assert_eq!(info.extra.raw_json("meta"), Some(meta.as_str()));
}

#[test]
fn errors_inside_a_case_variant_name_their_full_path() {
    for (body, path) in [
        (r#"{"deployinfolist":[{"Region":"a"},{"Status":1e400}],"x":1}"#, "$.deployinfolist[1].Status"),
        (r#"{"meta":{"k":"\ud800"}}"#, "$.meta.k"),
        (r#"{"SIZE":-1e400}"#, "$.SIZE"),
        (&format!(r#"{{"Size":{WIDE},"tags":[1,1e999]}}"#), "$.tags[1]"),
    ] {
        let err = decode_object(body.as_bytes(), &mut ImageInfo::default()).unwrap_err();
        assert_eq!(err.path(), path, "{body}: {err}");
        assert!(
            err.message().starts_with("number out of range")
                || err.message().contains("surrogate")
                || err.message().contains("hex escape"),
            "{err}"
        );
    }
}

/// A case variant is read in place like any value, so the body's depth limit counts its nesting too (its text,
/// read on its own, would have had a fresh one), and variants nested in variants cannot grow the stack.
#[test]
fn a_case_variant_nests_no_deeper_than_the_body_may() {
    let arrays = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    // 1 + 1 + 125 containers: within serde_json's 127.
    let info = decode(&format!(r#"{{"Owner":{{"child":{}}}}}"#, arrays(125)));
    assert!(info.owner.unwrap().extra.get("child").is_some());
    // 1 + 1 + 126: one past.
    let body = format!(r#"{{"Owner":{{"child":{}}}}}"#, arrays(126));
    let err = decode_object(body.as_bytes(), &mut ImageInfo::default()).unwrap_err();
    assert!(err.message().contains("recursion limit"), "{err}");
    // Variants inside variants, far past the limit: an error, not a stack overflow.
    let chain = format!(r#"{{"owner":{}{}}}"#, r#"{"child":"#.repeat(5000), "}".repeat(5000));
    assert!(decode_object(chain.as_bytes(), &mut ImageInfo::default()).is_err());
    // Within the limit they all land.
    let mut info = decode(&format!(r#"{{"owner":{}{{"region":"r"}}{}}}"#, r#"{"child":"#.repeat(60), "}".repeat(60)));
    let mut depth = 0;
    let mut node = info.owner.take().expect("the variant fills Owner");
    while let Some(child) = node.child.take() {
        node = *child;
        depth += 1;
    }
    assert_eq!((depth, node.region.as_deref()), (60, Some("r")));
}

#[derive(Debug, Default)]
struct Labelled {
    labels: Option<BTreeMap<String, String>>,
    extra: Extra,
}

impl Decode for Labelled {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        let slot = key.and_then(|key| {
            Some(match key {
                "Labels" => Slot::TextMap(&mut self.labels),
                _ => return None,
            })
        });
        ObjectFields { slot, extra: &mut self.extra, names: &["Labels"], call: None }
    }
}

#[test]
fn a_text_map_takes_an_object_of_strings_and_keeps_anything_else_whole() {
    let decoded = |body: &str| {
        let mut out = Labelled::default();
        decode_object(body.as_bytes(), &mut out).unwrap();
        out
    };
    let out = decoded(r#"{"Labels": {"b": "2", "a": "1", "": "empty"}}"#);
    let expected: BTreeMap<String, String> =
        [("a", "1"), ("b", "2"), ("", "empty")].map(|(k, v)| (k.into(), v.into())).into();
    assert_eq!(out.labels, Some(expected));
    assert!(out.extra.is_empty());

    for misfit in [json!({"a": "1", "n": 2}), json!({"a": null}), json!(["a"]), json!("a=1"), json!(7)] {
        let out = decoded(&json!({ "Labels": misfit }).to_string());
        assert_eq!(out.labels, None, "{misfit}");
        assert_eq!(out.extra.get("Labels"), Some(&misfit), "kept whole, unconverted");
    }
    let out = decoded(r#"{"Labels": {"a": "1"}, "labels": null}"#);
    assert_eq!(out.labels.map(|m| m.len()), Some(1), "a case variant does not overwrite the exact key");
    let mut out = decoded(r#"{"Labels": {"a": "1"}}"#);
    decode_object(br#"{"Labels": null}"#, &mut out).unwrap();
    assert_eq!(out.labels, None, "null clears it");
}
