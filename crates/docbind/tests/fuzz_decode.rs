//! Fuzzing the lenient decoder with generated responses (proptest).
//!
//! Inputs: arbitrary JSON values (keys drawn from the generated types' wire names, their case variants and random
//! keys), well-typed values, and byte mutations of the docs' own response examples. Targets: the generated decode
//! entries (the functions the clients decode with), `ucloud_uodn::get_uvodn_image::decode_response` and
//! `finovy_image::get_list::decode_response` (arbitrary values go in as Finovy's `data`), and both real clients
//! against a local server.
//!
//! Properties: nothing panics; every JSON object decodes `Ok` (and only JSON objects decode `Ok`); nothing is lost —
//! [`check_object`] accounts for every key of every input object either in a typed field (with a value consistent
//! with the input: the response's, or the protocol envelope's) or in the `extra` of the object that received it,
//! and the counts match exactly; well-typed inputs leave every `extra` empty.
//!
//! Knobs: `DOCBIND_FUZZ_CASES` (cases per target, default 256) or `DOCBIND_FUZZ_SECONDS` (run each target for
//! that long). Long runs: `DOCBIND_FUZZ_SECONDS=600 cargo test --release -p docbind --test fuzz_decode -- --test-threads 8`.

use docbind::finovy_image::get_list::{self, GetListItem};
use docbind::finovy_image::GetListResponse;
use docbind::runtime::__private::finovy::EnvelopeStatus;
use docbind::runtime::__private::{Decode, Slot};
use docbind::runtime::Extra;
use docbind::ucloud_uodn::get_uvodn_image::{self, DeployImageInfo, ImageInfo};
use docbind::ucloud_uodn::GetUvodnImageResponse;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use serde_json::{Map, Value};
use std::fmt::{Debug, Display};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------------------------
// The runner: case count or time budget from the environment.

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// Runs `test` on values of `strategy`: `DOCBIND_FUZZ_CASES` cases (default `default_cases`), or with
/// `DOCBIND_FUZZ_SECONDS`, batch after batch until that much time has passed. Panics with the shrunk input.
fn fuzz<S>(name: &str, default_cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let seconds = env_u64("DOCBIND_FUZZ_SECONDS");
    let cases = env_u64("DOCBIND_FUZZ_CASES").map_or(default_cases, |c| u32::try_from(c).unwrap_or(u32::MAX));
    let batch = if seconds.is_some() { cases.min(256) } else { cases };
    let config = ProptestConfig { cases: batch, failure_persistence: None, ..ProptestConfig::default() };
    let started = Instant::now();
    let deadline = seconds.map(|s| started + Duration::from_secs(s));
    let mut total = 0u64;
    loop {
        // A fresh runner (and seed) per batch: a runner counts its successes and would run no more cases.
        let mut runner = TestRunner::new(config.clone());
        if let Err(e) = runner.run(&strategy, &test) {
            panic!("fuzz target {name} failed after {total}+ cases: {e}");
        }
        total += u64::from(batch);
        match deadline {
            Some(d) if Instant::now() < d => {}
            _ => break,
        }
    }
    // Straight to stderr, past the test harness's capture: the counts are the point of a long run.
    let line = format!("fuzz {name}: {total} cases in {:.1?}\n", started.elapsed());
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

// ---------------------------------------------------------------------------------------------------------------
// A read-only view of decoded values, so the checker can compare them with the input.

/// What a declared field holds after decoding.
enum Got<'a> {
    /// `None` or an empty list.
    Absent,
    /// A scalar (string, integer, enumeration), rendered with `Display`.
    Text(String),
    /// A list of models.
    Models(Vec<&'a dyn View>),
    /// One model (Finovy's `data`). Never counted as present: whether a model was set cannot be told from a
    /// default one; the input decides whether it is checked.
    Model(&'a dyn View),
}

/// Implemented below for every generated type under test (one line per field).
trait View: Debug {
    fn fields(&self) -> Vec<(&'static str, Got<'_>)>;
    fn extra(&self) -> &Extra;
    /// The declared names and slot kinds, read from the generated `Decode` impl.
    fn kinds(&self) -> Vec<(&'static str, Kind)>;
}

fn text<T: Display>(v: &Option<T>) -> Got<'static> {
    v.as_ref().map_or(Got::Absent, |v| Got::Text(v.to_string()))
}

fn models<T: View>(list: &[T]) -> Got<'_> {
    if list.is_empty() {
        Got::Absent
    } else {
        Got::Models(list.iter().map(|m| m as &dyn View).collect())
    }
}

/// How a slot takes values (string and enumeration slots take the same inputs).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Int,
    Bool,
    ModelList,
    Model,
    Other,
}

fn kinds_of<T: Decode + Default>() -> Vec<(&'static str, Kind)> {
    let mut probe = T::default();
    let names = probe.field_names();
    names
        .iter()
        .map(|name| {
            let kind = match probe.slot(name) {
                Some(Slot::Str(_) | Slot::Enum(_)) => Kind::Text,
                Some(Slot::Int(_)) => Kind::Int,
                Some(Slot::ModelList(_)) => Kind::ModelList,
                _ => Kind::Other,
            };
            (*name, kind)
        })
        .collect()
}

macro_rules! view {
    ($ty:ty { $($wire:literal => $how:ident($field:ident)),* $(,)? }) => {
        impl View for $ty {
            fn fields(&self) -> Vec<(&'static str, Got<'_>)> {
                vec![$(($wire, $how(&self.$field))),*]
            }
            fn extra(&self) -> &Extra {
                &self.extra
            }
            fn kinds(&self) -> Vec<(&'static str, Kind)> {
                kinds_of::<$ty>()
            }
        }
    };
}

view!(GetUvodnImageResponse { "ImageList" => models(image_list), "TotalCount" => text(total_count) });
view!(ImageInfo {
    "ImageId" => text(image_id),
    "ImageName" => text(image_name),
    "ImageType" => text(image_type),
    "OcType" => text(oc_type),
    "ImageDesc" => text(image_desc),
    "State" => text(state),
    "ImageSize" => text(image_size),
    "CreateTime" => text(create_time),
    "DeployInfoList" => models(deploy_info_list),
});
view!(DeployImageInfo { "IdcId" => text(idc_id), "State" => text(state) });
view!(GetListResponse { "data" => models(data), "totalCounts" => text(total_counts) });
view!(GetListItem {
    "id" => text(id),
    "imageId" => text(image_id),
    "imageType" => text(image_type),
    "imageName" => text(image_name),
    "imageSize" => text(image_size),
    "datacenterKey" => text(datacenter_key),
    "status" => text(status),
    "createTime" => text(create_time),
});

/// A decoded Finovy body: the envelope's fields as the runtime declares them (`code`, `success`, `msg`, `traceId`
/// and `data`, which holds the response), with the response's `extra`, where the decode entry moves the envelope's
/// leftovers too.
#[derive(Debug)]
struct FinovyEnvelope<'a> {
    response: &'a GetListResponse,
    status: &'a EnvelopeStatus,
}

impl View for FinovyEnvelope<'_> {
    fn fields(&self) -> Vec<(&'static str, Got<'_>)> {
        vec![
            ("data", Got::Model(self.response)),
            ("code", text(&self.status.code)),
            ("success", text(&self.status.success)),
            ("msg", text(&self.status.msg)),
            ("traceId", text(&self.status.trace_id)),
        ]
    }
    fn extra(&self) -> &Extra {
        &self.response.extra
    }
    fn kinds(&self) -> Vec<(&'static str, Kind)> {
        vec![
            ("data", Kind::Model),
            ("code", Kind::Int),
            ("success", Kind::Bool),
            ("msg", Kind::Text),
            ("traceId", Kind::Text),
        ]
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The checker: nothing lost.

/// How a string slot renders a JSON scalar, or `None` if the value cannot fit a string slot.
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether `v` fits a slot of `kind` under any reading (a string in a text slot, an `i64` in an integer slot, a
/// boolean in a boolean slot): such a value under its exact name must be in the field, never in `extra`.
fn always_fits(v: &Value, kind: Kind) -> bool {
    match kind {
        Kind::Text => matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)),
        Kind::Int => v.as_i64().is_some(),
        Kind::Bool => v.is_boolean(),
        Kind::Model => v.is_object(),
        Kind::ModelList | Kind::Other => false,
    }
}

/// Whether a boolean slot holding `got` (`"true"`/`"false"`) is a faithful reading of `v`.
fn bool_matches(v: &Value, got: &str) -> bool {
    let reading = match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim() {
            t if t.eq_ignore_ascii_case("true") || t == "1" => Some(true),
            t if t.eq_ignore_ascii_case("false") || t == "0" => Some(false),
            _ => None,
        },
        _ => None,
    };
    reading.is_some_and(|b| b.to_string() == got)
}

/// Whether an integer slot holding `got` is a faithful reading of `v`.
fn int_matches(v: &Value, got: &str) -> bool {
    let Ok(got) = got.parse::<i64>() else { return false };
    match v {
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i == got,
            (None, Some(_), _) => false, // above i64::MAX: never fits
            (None, None, Some(f)) => f.fract() == 0.0 && f == got as f64,
            _ => false,
        },
        Value::String(s) => {
            let t = s.trim();
            t.parse::<i64>().map_or_else(|_| t.parse::<f64>().is_ok_and(|f| f == got as f64), |i| i == got)
        }
        _ => false,
    }
}

fn fail(path: &str, why: impl Display) -> TestCaseError {
    TestCaseError::fail(format!("at {path}: {why}"))
}

/// The declared name `key` lands in: exact, else the first ASCII-case-insensitive match (like the runtime).
fn canonical(kinds: &[(&'static str, Kind)], key: &str) -> Option<(&'static str, Kind)> {
    kinds.iter().find(|(n, _)| *n == key).or_else(|| kinds.iter().find(|(n, _)| n.eq_ignore_ascii_case(key))).copied()
}

fn expect<'v>(expected: &mut Vec<(String, Vec<&'v Value>)>, key: &str, value: &'v Value) {
    match expected.iter_mut().find(|(k, _)| k == key) {
        Some((_, values)) => values.push(value),
        None => expected.push((key.to_owned(), vec![value])),
    }
}

/// Checks that every key of `input` is accounted for in `target` (recursively), and that nothing else is there.
/// `consumed` are keys the caller took out before decoding (an envelope's `RetCode`).
fn check_object(
    input: &Map<String, Value>,
    target: &dyn View,
    path: &str,
    consumed: &[&str],
) -> Result<(), TestCaseError> {
    let mut expected_extra = Vec::new();
    check_fields(input, target, path, consumed, &mut expected_extra)?;
    check_extra(target.extra(), &expected_extra, path)
}

/// The extra entries the input accounts for: key and acceptable values. A literal key `List.0` and the misfit
/// element 0 of `List` share one name (a documented ambiguity of the `Name.<index>` convention): either may win.
/// So may a key of Finovy's `data` and an envelope key of the same name, which share the response's `extra`.
type ExpectedExtra<'v> = Vec<(String, Vec<&'v Value>)>;

/// Exactly the `expected` entries are in `extra`.
fn check_extra(extra: &Extra, expected: &ExpectedExtra<'_>, path: &str) -> Result<(), TestCaseError> {
    for (key, candidates) in expected {
        match extra.get(key) {
            Some(got) if candidates.contains(&got) => {}
            got => {
                return Err(fail(
                    &format!("{path}.{key}"),
                    format!("extra has {got:?}, expected one of {candidates:?}"),
                ))
            }
        }
    }
    if extra.len() != expected.len() {
        return Err(fail(
            path,
            format!("{} extra entries, expected {}; extra: {extra:?}", extra.len(), expected.len()),
        ));
    }
    Ok(())
}

/// Everything [`check_object`] checks except which entries `target`'s `extra` holds: those are added to
/// `expected_extra` (shared with a model that keeps its extra in the same place, like Finovy's `data`).
fn check_fields<'v>(
    input: &'v Map<String, Value>,
    target: &dyn View,
    path: &str,
    consumed: &[&str],
    expected_extra: &mut ExpectedExtra<'v>,
) -> Result<(), TestCaseError> {
    let kinds = target.kinds();
    let fields = target.fields();
    let declared: Vec<&str> = kinds.iter().map(|(n, _)| *n).collect();
    let viewed: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
    if declared != viewed {
        return Err(fail(path, format!("the test's view {viewed:?} is stale: the type declares {declared:?}")));
    }
    let extra = target.extra();
    let mut claimed: Vec<&'static str> = Vec::new();
    // Model list elements per declared list, in order, to match against the typed list.
    let mut list_inputs: Vec<(&'static str, Vec<&Map<String, Value>>)> = Vec::new();
    // The object that filled a single model.
    let mut model_inputs: Vec<(&'static str, &Map<String, Value>)> = Vec::new();
    for (key, value) in input {
        if consumed.contains(&key.as_str()) {
            // Taken by the envelope, or kept in extra when it did not fit the envelope's slot.
            if extra.get(key) == Some(value) {
                expect(expected_extra, key, value);
            }
            continue;
        }
        let here = format!("{path}.{key}");
        let in_extra = extra.get(key);
        let Some((name, kind)) = canonical(&kinds, key) else {
            expect(expected_extra, key, value);
            continue;
        };
        if value.is_null() {
            // `null` clears the field; kept in extra is fine too (when another key already holds the field).
            if in_extra == Some(value) {
                expect(expected_extra, key, value);
            }
            continue;
        }
        match kind {
            Kind::Text | Kind::Int | Kind::Bool | Kind::Other => {
                let got = fields.iter().find(|(n, _)| *n == name).map(|(_, g)| g);
                let faithful = |got: &str| match kind {
                    Kind::Text => as_text(value).as_deref() == Some(got),
                    Kind::Int => int_matches(value, got),
                    Kind::Bool => bool_matches(value, got),
                    _ => true,
                };
                // The exact spelling is decoded first, so a faithful reading in the field is its own (the same
                // value in extra can only come from another object sharing it: Finovy's `data`).
                let exact_fit = key == name && matches!(got, Some(Got::Text(g)) if faithful(g));
                if key == name && !exact_fit && always_fits(value, kind) {
                    let held = match got {
                        Some(Got::Text(g)) => g.as_str(),
                        _ => "nothing",
                    };
                    return Err(fail(&here, format!("{value} fits, yet the field holds {held}")));
                }
                if !exact_fit && in_extra == Some(value) {
                    expect(expected_extra, key, value);
                    continue;
                }
                let Some(Got::Text(got)) = got else {
                    return Err(fail(&here, format!("value {value} is neither in the typed field nor in extra")));
                };
                if !faithful(got) {
                    return Err(fail(&here, format!("typed field holds {got:?}, input was {value}")));
                }
                if claimed.contains(&name) {
                    return Err(fail(&here, format!("a second key for {name} overwrote the first")));
                }
                claimed.push(name);
            }
            Kind::Model => {
                let Value::Object(object) = value else {
                    if in_extra != Some(value) {
                        return Err(fail(&here, "a non-object for a model is not kept in extra"));
                    }
                    expect(expected_extra, key, value);
                    continue;
                };
                if key != name && in_extra == Some(value) {
                    // A case variant of a field another spelling already holds.
                    expect(expected_extra, key, value);
                    continue;
                }
                if claimed.contains(&name) {
                    return Err(fail(&here, format!("a second key for {name} overwrote the first")));
                }
                claimed.push(name);
                model_inputs.push((name, object));
            }
            Kind::ModelList => {
                let Value::Array(items) = value else {
                    if in_extra != Some(value) {
                        return Err(fail(&here, "a non-list for a list is not kept in extra"));
                    }
                    expect(expected_extra, key, value);
                    continue;
                };
                if in_extra == Some(value) {
                    // A case variant of a field another spelling already holds.
                    expect(expected_extra, key, value);
                    continue;
                }
                let mut objects = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::Object(m) => objects.push(m),
                        other => expect(expected_extra, &format!("{key}.{i}"), other),
                    }
                }
                if !objects.is_empty() {
                    if claimed.contains(&name) {
                        return Err(fail(&here, format!("a second key for {name} overwrote the first")));
                    }
                    claimed.push(name);
                    list_inputs.push((name, objects));
                }
            }
        }
    }
    let present: Vec<&str> =
        fields.iter().filter(|(_, g)| !matches!(g, Got::Absent | Got::Model(_))).map(|(n, _)| *n).collect();
    let claimed_present = claimed.iter().filter(|n| !model_inputs.iter().any(|(m, _)| m == *n)).count();
    if present.len() != claimed_present {
        return Err(fail(path, format!("{} typed fields present {present:?}, expected {claimed:?}", present.len())));
    }
    for (name, object) in model_inputs {
        let Some((_, Got::Model(model))) = fields.iter().find(|(n, _)| *n == name) else {
            return Err(fail(path, format!("{name}: not a model")));
        };
        let here = format!("{path}.{name}");
        if std::ptr::eq(model.extra(), extra) {
            check_fields(object, *model, &here, &[], expected_extra)?;
        } else {
            check_object(object, *model, &here, &[])?;
        }
    }
    for (name, objects) in list_inputs {
        let Some((_, Got::Models(decoded))) = fields.iter().find(|(n, _)| *n == name) else {
            return Err(fail(path, format!("{name}: the typed list is empty")));
        };
        if decoded.len() != objects.len() {
            return Err(fail(path, format!("{name}: {} objects in, {} models out", objects.len(), decoded.len())));
        }
        for (i, (object, model)) in objects.iter().zip(decoded).enumerate() {
            check_object(object, *model, &format!("{path}.{name}[{i}]"), &[])?;
        }
    }
    Ok(())
}

fn all_extras_empty(target: &dyn View) -> bool {
    target.extra().is_empty()
        && target.fields().iter().all(|(_, g)| match g {
            Got::Models(ms) => ms.iter().all(|m| all_extras_empty(*m)),
            _ => true,
        })
}

// ---------------------------------------------------------------------------------------------------------------
// Strategies.

const UCLOUD_NAMES: &[&str] = &[
    "ImageList",
    "TotalCount",
    "ImageId",
    "ImageName",
    "ImageType",
    "OcType",
    "ImageDesc",
    "State",
    "ImageSize",
    "CreateTime",
    "DeployInfoList",
    "IdcId",
    "RetCode",
    "Action",
    "Message",
];
const FINOVY_NAMES: &[&str] = &[
    "data",
    "totalCounts",
    "id",
    "imageId",
    "imageType",
    "imageName",
    "imageSize",
    "datacenterKey",
    "status",
    "createTime",
    "code",
    "success",
    "msg",
    "traceId",
];

fn key() -> impl Strategy<Value = String> {
    let names = || proptest::sample::select(UCLOUD_NAMES.iter().chain(FINOVY_NAMES).copied().collect::<Vec<_>>());
    prop_oneof![
        6 => names().prop_map(str::to_owned),
        1 => names().prop_map(str::to_ascii_lowercase),
        1 => names().prop_map(str::to_ascii_uppercase),
        1 => (names(), 0..4usize).prop_map(|(n, i)| format!("{n}.{i}")),
        2 => "\\PC{0,8}",
        1 => "[\"\\\\/\u{0}-\u{1f}]{0,3}",
    ]
}

fn numeric_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        any::<u64>().prop_map(|u| u.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        (any::<i32>(), "[ \t\n]{0,2}", "[ \t\n]{0,2}").prop_map(|(i, a, b)| format!("{a}{i}{b}")),
        proptest::sample::select(vec![
            "",
            "0",
            "1",
            "2",
            "3",
            "5",
            "-0",
            "+5",
            "1.0",
            "1.5",
            "1e3",
            "1E+2",
            "-1e-2",
            "0x10",
            "1_000",
            "NaN",
            "inf",
            "-Infinity",
            "1e999",
            "-1e999",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "9.223372036854775807e18",
            "true",
            "false",
            "TRUE",
            " 1 ",
            ".5",
            "5.",
            "--1",
            "1e",
            "e1",
            "\u{0}1",
        ])
        .prop_map(str::to_owned),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    let float = any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number));
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        proptest::sample::select(vec![
            i64::MIN as i128,
            i64::MAX as i128,
            u64::MAX as i128,
            0,
            1,
            -1,
            2,
            5,
            1 << 53,
            (1 << 53) + 1,
            1 << 63,
            1708330251000,
        ])
        .prop_map(|i| i64::try_from(i).map_or_else(|_| Value::from(i as u64), Value::from)),
        float,
        proptest::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            1.5,
            -1.0,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            9.223_372_036_854_776e18,
            -9.223_372_036_854_776e18,
            1e21,
        ])
        .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
        numeric_string().prop_map(Value::String),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..8).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn object() -> impl Strategy<Value = Map<String, Value>> {
    proptest::collection::vec((key(), json()), 0..10).prop_map(|kv| kv.into_iter().collect())
}

/// A well-typed object for `T`'s declared fields: each absent or of the declared JSON type.
fn typed_object(kinds: Vec<(&'static str, Kind)>, children: Vec<BoxedStrategy<Value>>) -> BoxedStrategy<Value> {
    let mut child = children.into_iter();
    let parts: Vec<BoxedStrategy<Option<(String, Value)>>> = kinds
        .into_iter()
        .map(|(name, kind)| {
            let value: BoxedStrategy<Value> = match kind {
                Kind::Text => {
                    prop_oneof!["\\PC{0,10}".prop_map(Value::String), "[1-5]".prop_map(Value::String)].boxed()
                }
                Kind::Int => any::<i64>().prop_map(Value::from).boxed(),
                Kind::ModelList => {
                    let element = child.next().expect("a strategy for each list of models");
                    proptest::collection::vec(element, 0..4).prop_map(Value::Array).boxed()
                }
                Kind::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
                Kind::Model | Kind::Other => Just(Value::Null).boxed(),
            };
            proptest::option::of(value.prop_map(move |v| (name.to_owned(), v))).boxed()
        })
        .collect();
    parts.prop_map(|fields| Value::Object(fields.into_iter().flatten().collect())).boxed()
}

fn typed_ucloud() -> BoxedStrategy<Value> {
    let deploy = typed_object(kinds_of::<DeployImageInfo>(), vec![]);
    let image = typed_object(kinds_of::<ImageInfo>(), vec![deploy]);
    typed_object(kinds_of::<GetUvodnImageResponse>(), vec![image])
}

fn typed_finovy() -> BoxedStrategy<Value> {
    let item = typed_object(kinds_of::<GetListItem>(), vec![]);
    typed_object(kinds_of::<GetListResponse>(), vec![item])
}

/// The first ```json block of a spec: the vendor's response example.
fn doc_example(spec: &str) -> Vec<u8> {
    let doc = std::fs::read_to_string(format!("{}/../../specs/{spec}", env!("CARGO_MANIFEST_DIR"))).expect("spec");
    let start = doc.find("```json").expect("json example") + "```json".len();
    let end = start + doc[start..].find("```").expect("closing fence");
    doc.as_bytes()[start..end].to_vec()
}

/// Byte-level mutations, including JSON-significant tokens.
#[derive(Debug, Clone)]
enum ByteMutation {
    Flip(usize, u8),
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Truncate(usize),
}

const TOKENS: &[&str] = &[
    "null",
    "true",
    "false",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "0",
    "-",
    "1e400",
    "-1e400",
    "1.5",
    "1e3",
    "18446744073709551616",
    "-9223372036854775809",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"\\udc00\\ud800\"",
    "{}",
    "[]",
    "\"x\":",
    "\"ImageList\":",
    "\"data\":",
    "\"TotalCount\":\"7\",",
    "[[[[[[[[",
    "\u{feff}",
    "\u{fffd}",
    "é",
];

fn byte_mutation() -> impl Strategy<Value = ByteMutation> {
    let token = proptest::sample::select(TOKENS.to_vec()).prop_map(|t| t.as_bytes().to_vec());
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| ByteMutation::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| ByteMutation::Set(i, b)),
        (any::<usize>(), prop_oneof![token, proptest::collection::vec(any::<u8>(), 1..4)])
            .prop_map(|(i, t)| ByteMutation::Insert(i, t)),
        (any::<usize>(), 1..32usize).prop_map(|(i, n)| ByteMutation::Delete(i, n)),
        (any::<usize>(), 1..64usize).prop_map(|(i, n)| ByteMutation::Duplicate(i, n)),
        any::<usize>().prop_map(ByteMutation::Truncate),
    ]
}

fn mutate(seed: &[u8], mutations: &[ByteMutation]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for m in mutations {
        let n = b.len() + 1;
        match m {
            ByteMutation::Flip(i, bit) => {
                if let Some(x) = b.get_mut(i % n) {
                    *x ^= 1 << bit;
                }
            }
            ByteMutation::Set(i, v) => {
                if let Some(x) = b.get_mut(i % n) {
                    *x = *v;
                }
            }
            ByteMutation::Insert(i, t) => {
                let at = i % n;
                b.splice(at..at, t.iter().copied());
            }
            ByteMutation::Delete(i, len) => {
                let at = i % n;
                let end = (at + len).min(b.len());
                b.drain(at.min(end)..end);
            }
            ByteMutation::Duplicate(i, len) => {
                let at = i % n;
                let end = (at + len).min(b.len());
                let copy = b[at.min(end)..end].to_vec();
                b.splice(end..end, copy);
            }
            ByteMutation::Truncate(i) => b.truncate(i % n),
        }
    }
    b
}

// ---------------------------------------------------------------------------------------------------------------
// The decoding properties, shared by the targets.

/// The UCloud protocol keys: the envelope takes them (exact spelling only), the response gets every other key.
const UCLOUD_ENVELOPE: [&str; 3] = ["RetCode", "Action", "Message"];

/// `GetUvodnImage`'s decode entry: Ok exactly for JSON objects, the protocol fields read faithfully, and nothing
/// lost.
fn check_ucloud_bytes(body: &[u8]) -> Result<GetUvodnImageResponse, TestCaseError> {
    let result = get_uvodn_image::decode_response(body);
    let parsed = serde_json::from_slice::<Value>(body);
    if result.is_ok() != matches!(parsed, Ok(Value::Object(_))) {
        return Err(TestCaseError::fail(format!(
            "decode_response gave {:?} but serde_json gave {:?}",
            result.as_ref().map(|_| "a response"),
            parsed.map(|v| v.to_string().chars().take(200).collect::<String>())
        )));
    }
    let (Ok((response, status)), Ok(Value::Object(map))) = (result, parsed) else {
        return Ok(GetUvodnImageResponse::default());
    };
    if !has_duplicate_keys(body) {
        check_object(&map, &response, "$", &UCLOUD_ENVELOPE)?;
        let field = |key: &str, got: Option<String>, kind: Kind| envelope_field(&map, key, got, kind, &response.extra);
        field("RetCode", status.ret_code.map(|c| c.to_string()), Kind::Int)?;
        field("Action", status.action.clone(), Kind::Text)?;
        field("Message", status.message.clone(), Kind::Text)?;
        let unparseable = map.get("RetCode").filter(|_| status.ret_code.is_none());
        prop_assert_eq!(status.unparseable_ret_code, unparseable.map(Value::to_string));
    }
    Ok(response)
}

/// An envelope field the response does not see: absent or `null` leaves it unset; a value that fits is read
/// faithfully; one that does not is kept in `extra` under its key.
fn envelope_field(
    input: &Map<String, Value>,
    key: &str,
    got: Option<String>,
    kind: Kind,
    extra: &Extra,
) -> Result<(), TestCaseError> {
    let here = format!("$.{key}");
    match (input.get(key).filter(|v| !v.is_null()), got) {
        (None, None) => Ok(()),
        (None, Some(got)) => Err(fail(&here, format!("absent, yet read as {got:?}"))),
        (Some(value), None) if extra.get(key) == Some(value) && !always_fits(value, kind) => Ok(()),
        (Some(value), None) => Err(fail(&here, format!("{value} is neither read nor kept in extra"))),
        (Some(value), Some(got)) => {
            let faithful = match kind {
                Kind::Int => int_matches(value, &got),
                _ => as_text(value).as_deref() == Some(got.as_str()),
            };
            if faithful {
                Ok(())
            } else {
                Err(fail(&here, format!("read as {got:?}, input was {value}")))
            }
        }
    }
}

/// `getList`'s decode entry: Ok exactly for JSON objects; `data` fills the response when it is an object, leaves it
/// empty when `null`, and is kept whole in `extra` otherwise; the envelope's fields are read faithfully and its
/// other keys kept in the response's `extra`.
fn check_finovy_bytes(body: &[u8]) -> Result<Option<GetListResponse>, TestCaseError> {
    let result = get_list::decode_response(body);
    let parsed = serde_json::from_slice::<Value>(body);
    if result.is_ok() != matches!(parsed, Ok(Value::Object(_))) {
        return Err(TestCaseError::fail(format!(
            "decode_response gave {:?} but serde_json gave {:?}",
            result.as_ref().map(|_| "a response"),
            parsed.map(|v| v.to_string().chars().take(200).collect::<String>())
        )));
    }
    let (Ok((response, status)), Ok(Value::Object(map))) = (result, parsed) else { return Ok(None) };
    prop_assert!(status.extra.is_empty(), "the envelope's leftovers stayed in the status: {:?}", status.extra);
    if !has_duplicate_keys(body) {
        check_object(&map, &FinovyEnvelope { response: &response, status: &status }, "$", &[])?;
    }
    Ok(Some(response))
}

/// `data` (JSON text, or any bytes) inside a successful Finovy envelope.
fn in_finovy_envelope(data: &[u8]) -> Vec<u8> {
    let mut body = br#"{"code":0,"success":true,"msg":"ok","traceId":"t","data":"#.to_vec();
    body.extend_from_slice(data);
    body.push(b'}');
    body
}

/// Whether any object in `body` (valid JSON) repeats a key. "Last one wins" then applies, which the exact
/// accounting in `check_object` does not model; those inputs are checked for panics and `Ok` only.
fn has_duplicate_keys(body: &[u8]) -> bool {
    struct Probe(bool);
    impl<'de> serde::de::DeserializeSeed<'de> for &mut Probe {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> serde::de::Visitor<'de> for &mut Probe {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("json")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(&mut *self)?.is_some() {}
            Ok(())
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(k) = map.next_key::<String>()? {
                if !seen.insert(k) {
                    self.0 = true;
                }
                map.next_value_seed(&mut *self)?;
            }
            Ok(())
        }
    }
    let mut probe = Probe(false);
    let mut de = serde_json::Deserializer::from_slice(body);
    let _ = serde::de::DeserializeSeed::deserialize(&mut probe, &mut de);
    probe.0
}

// ---------------------------------------------------------------------------------------------------------------
// Targets.

#[test]
fn fuzz_ucloud_arbitrary_objects() {
    fuzz("ucloud_arbitrary_objects", 256, object(), |map| {
        let body = serde_json::to_vec(&map).unwrap();
        check_ucloud_bytes(&body)?;
        Ok(())
    });
}

#[test]
fn fuzz_ucloud_well_typed() {
    fuzz("ucloud_well_typed", 256, typed_ucloud(), |value| {
        let body = serde_json::to_vec(&value).unwrap();
        let response = check_ucloud_bytes(&body)?;
        prop_assert!(all_extras_empty(&response), "well-typed input left extras: {:?}", response);
        Ok(())
    });
}

#[test]
fn fuzz_finovy_arbitrary_values() {
    fuzz("finovy_arbitrary_values", 256, prop_oneof![object().prop_map(Value::Object), json()], |value| {
        // As `data` of a successful envelope, and as a whole body (an object's keys are then the envelope's).
        let text = serde_json::to_vec(&value).unwrap();
        check_finovy_bytes(&in_finovy_envelope(&text))?;
        check_finovy_bytes(&text)?;
        Ok(())
    });
}

#[test]
fn fuzz_finovy_well_typed() {
    fuzz("finovy_well_typed", 256, typed_finovy(), |value| {
        let body = in_finovy_envelope(&serde_json::to_vec(&value).unwrap());
        let model = check_finovy_bytes(&body)?.expect("an envelope decodes");
        prop_assert!(all_extras_empty(&model), "well-typed input left extras: {:?}", model);
        Ok(())
    });
}

#[test]
fn fuzz_doc_examples_byte_mutations() {
    let ucloud = doc_example("ucloud-uodn/get_uvodn_image.md");
    let finovy_envelope = doc_example("finovy-image/get_list.md");
    let finovy_data = {
        let v: Value = serde_json::from_slice(&finovy_envelope).unwrap();
        serde_json::to_vec_pretty(&v["data"]).unwrap()
    };
    let seeds = [ucloud, finovy_envelope, finovy_data];
    let strategy = (0..seeds.len(), proptest::collection::vec(byte_mutation(), 1..6));
    fuzz("doc_examples_byte_mutations", 256, strategy, |(seed, mutations)| {
        let body = mutate(&seeds[seed], &mutations);
        check_ucloud_bytes(&body)?;
        check_finovy_bytes(&body)?;
        check_finovy_bytes(&in_finovy_envelope(&body))?;
        // The same bytes re-serialized (duplicate keys collapsed): the exact accounting applies.
        if let Ok(v) = serde_json::from_slice::<Value>(&body) {
            let again = serde_json::to_vec(&v).unwrap();
            check_ucloud_bytes(&again)?;
            check_finovy_bytes(&again)?;
            check_finovy_bytes(&in_finovy_envelope(&again))?;
        }
        Ok(())
    });
}

#[test]
fn arbitrary_bytes_never_panic() {
    fuzz("arbitrary_bytes", 256, proptest::collection::vec(any::<u8>(), 0..128), |bytes| {
        check_ucloud_bytes(&bytes)?;
        check_finovy_bytes(&bytes)?;
        check_finovy_bytes(&in_finovy_envelope(&bytes))?;
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Regressions: minimal inputs the targets above found (fixed in docbind-runtime's `walk_map`).

fn ucloud_lossless(body: &str) {
    let response = check_ucloud_bytes(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!format!("{response:?}").is_empty());
}

/// `body` as Finovy's `data`.
fn finovy_lossless(body: &str) {
    check_finovy_bytes(&in_finovy_envelope(body.as_bytes())).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn regression_case_variant_null_erased_the_exact_key() {
    // `imageName: null` (a case variant of `ImageName`) cleared the field after `ImageName: false` set it.
    ucloud_lossless(r#"{"ImageList":[{"ImageName":false,"imageName":null}]}"#);
    finovy_lossless(r#"{"data":[{"ID":false,"id":null}]}"#);
    let response = check_ucloud_bytes(br#"{"ImageList":[{"ImageName":false,"imageName":null}]}"#).unwrap();
    assert_eq!(response.image_list[0].image_name.as_deref(), Some("false"));
}

#[test]
fn regression_case_variant_list_replaced_by_the_exact_empty_list() {
    // `IMAGELIST: [{}]` was replaced by the later (exact) `ImageList: []`; the model was lost.
    ucloud_lossless(r#"{"IMAGELIST":[{}],"ImageList":[]}"#);
    finovy_lossless(r#"{"DATA":[{}],"data":[]}"#);
    finovy_lossless(r#"{"DATA":[],"data":[{}]}"#);
    let response = check_ucloud_bytes(br#"{"IMAGELIST":[{}],"ImageList":[]}"#).unwrap();
    assert_eq!(response.image_list.len(), 1);
}

#[test]
fn regression_two_spellings_of_a_scalar_both_kept() {
    ucloud_lossless(r#"{"TotalCount":1,"totalcount":2,"TOTALCOUNT":"x"}"#);
    finovy_lossless(r#"{"totalcounts":"3","totalCounts":4}"#);
}

// ---------------------------------------------------------------------------------------------------------------
// Through the real clients: a local server answers every request with the body of the current case.

mod clients {
    use super::*;
    use docbind::finovy_image;
    use docbind::runtime::finovy::Credentials;
    use docbind::ucloud_uodn;
    use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

    #[derive(Clone)]
    struct Current(Arc<Mutex<Vec<u8>>>);

    impl Respond for Current {
        fn respond(&self, _: &Request) -> ResponseTemplate {
            let body = self.0.lock().expect("not poisoned").clone();
            ResponseTemplate::new(200).set_body_raw(body, "application/json")
        }
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
    }

    /// A local server that answers every request with the body in `current`.
    async fn serve(current: &Current) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any()).respond_with(current.clone()).mount(&server).await;
        server
    }

    /// Cases through the clients are ~100× slower than plain decoding: an eighth of the budget.
    fn client_cases() -> u32 {
        env_u64("DOCBIND_FUZZ_CASES").map_or(32, |c| u32::try_from((c / 8).max(1)).unwrap_or(u32::MAX))
    }

    #[test]
    fn fuzz_ucloud_client() {
        let rt = runtime();
        let current = Current(Arc::default());
        let server = rt.block_on(serve(&current));
        let config = ucloud_uodn::Config::new("public", "private")
            .with_base_url(server.uri())
            .with_retry(docbind::runtime::RetryPolicy::disabled());
        let client = ucloud_uodn::Client::new(config).unwrap();
        let strategy = prop_oneof![object(), typed_ucloud().prop_map(|v| v.as_object().cloned().unwrap_or_default())];
        fuzz("ucloud_client", client_cases(), strategy, |mut map| {
            // A successful call: the envelope says so (a random RetCode is a service error, tested elsewhere).
            map.retain(|k, _| !k.eq_ignore_ascii_case("retcode"));
            map.insert("RetCode".into(), Value::from(0));
            let body = serde_json::to_vec(&map).unwrap();
            // Compare with what the parser reads back (floats may differ from the generated ones in the last bit).
            let map: Map<String, Value> = serde_json::from_slice(&body).unwrap();
            *current.0.lock().unwrap() = body;
            let response = rt
                .block_on(client.get_uvodn_image(&ucloud_uodn::GetUvodnImageRequest::new()))
                .map_err(|e| TestCaseError::fail(format!("call failed: {e}")))?;
            check_object(&map, &response, "$", &["RetCode", "Action", "Message"])
        });
    }

    #[test]
    fn fuzz_finovy_client() {
        let rt = runtime();
        let current = Current(Arc::default());
        let server = rt.block_on(serve(&current));
        let config = finovy_image::Config::new(Credentials::Token("t".into()))
            .with_base_url(server.uri())
            .with_retry(docbind::runtime::RetryPolicy::disabled());
        let client = finovy_image::Client::new(config).unwrap();
        let strategy = prop_oneof![object().prop_map(Value::Object), typed_finovy()];
        fuzz("finovy_client", client_cases(), strategy, |data| {
            let envelope = serde_json::json!({"code": 0, "success": true, "msg": "ok", "traceId": "t", "data": data});
            let body = serde_json::to_vec(&envelope).unwrap();
            let data = serde_json::from_slice::<Value>(&body).unwrap()["data"].take();
            *current.0.lock().unwrap() = body;
            let page = rt
                .block_on(client.get_list(&finovy_image::GetListRequest::new()))
                .map_err(|e| TestCaseError::fail(format!("call failed: {e}")))?;
            match &data {
                Value::Object(map) => check_object(map, &page, "$", &[]),
                _ => Ok(()),
            }
        });
    }
}
