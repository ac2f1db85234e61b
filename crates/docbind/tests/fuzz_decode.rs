//! Fuzzing the lenient decoder with generated responses (proptest).
//!
//! Inputs: arbitrary JSON values (keys drawn from the generated types' wire names, their case variants and random
//! keys), well-typed values, and byte mutations of the docs' own response examples. Targets:
//! `decode_object` into `ucloud_uodn::GetUvodnImageResponse`, `decode_into_slot` with `Slot::Model` into
//! `finovy_image::GetListResponse`, and both real clients against a local server.
//!
//! Properties: nothing panics; every JSON object decodes `Ok` (and only JSON decodes `Ok`); nothing is lost —
//! [`check_object`] accounts for every key of every input object either in a typed field (with a value consistent
//! with the input) or in the `extra` of the object that received it, and the counts match exactly; well-typed
//! inputs leave every `extra` empty.
//!
//! Knobs: `DOCBIND_FUZZ_CASES` (cases per target, default 256) or `DOCBIND_FUZZ_SECONDS` (run each target for
//! that long). Long runs: `DOCBIND_FUZZ_SECONDS=600 cargo test --release -p docbind --test fuzz_decode -- --test-threads 8`.

use docbind::finovy_image::get_list::GetListItem;
use docbind::finovy_image::GetListResponse;
use docbind::runtime::decode::{decode_into_slot, decode_object, Decode, Extra, Slot};
use docbind::ucloud_uodn::get_uvodn_image::{DeployImageInfo, ImageInfo};
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
    ModelList,
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
    let kinds = target.kinds();
    let fields = target.fields();
    let declared: Vec<&str> = kinds.iter().map(|(n, _)| *n).collect();
    let viewed: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
    if declared != viewed {
        return Err(fail(path, format!("the test's view {viewed:?} is stale: the type declares {declared:?}")));
    }
    let extra = target.extra();
    // The extra entries the input accounts for: key and acceptable values. A literal key `List.0` and the misfit
    // element 0 of `List` share one name (a documented ambiguity of the `Name.<index>` convention): either may win.
    let mut expected_extra: Vec<(String, Vec<&Value>)> = Vec::new();
    let mut claimed: Vec<&'static str> = Vec::new();
    // Model list elements per declared list, in order, to match against the typed list.
    let mut list_inputs: Vec<(&'static str, Vec<&Map<String, Value>>)> = Vec::new();
    for (key, value) in input {
        if consumed.contains(&key.as_str()) {
            // Taken by the envelope, or kept in extra when it did not fit the envelope's slot.
            if extra.get(key) == Some(value) {
                expect(&mut expected_extra, key, value);
            }
            continue;
        }
        let here = format!("{path}.{key}");
        let in_extra = extra.get(key);
        let Some((name, kind)) = canonical(&kinds, key) else {
            expect(&mut expected_extra, key, value);
            continue;
        };
        if value.is_null() {
            // `null` clears the field; kept in extra is fine too (when another key already holds the field).
            if in_extra == Some(value) {
                expect(&mut expected_extra, key, value);
            }
            continue;
        }
        match kind {
            Kind::Text | Kind::Int | Kind::Other => {
                if in_extra == Some(value) {
                    expect(&mut expected_extra, key, value);
                    continue;
                }
                let got = fields.iter().find(|(n, _)| *n == name).map(|(_, g)| g);
                let Some(Got::Text(got)) = got else {
                    return Err(fail(&here, format!("value {value} is neither in the typed field nor in extra")));
                };
                let ok = match kind {
                    Kind::Text => as_text(value).as_deref() == Some(got.as_str()),
                    Kind::Int => int_matches(value, got),
                    _ => true,
                };
                if !ok {
                    return Err(fail(&here, format!("typed field holds {got:?}, input was {value}")));
                }
                if claimed.contains(&name) {
                    return Err(fail(&here, format!("a second key for {name} overwrote the first")));
                }
                claimed.push(name);
            }
            Kind::ModelList => {
                let Value::Array(items) = value else {
                    if in_extra != Some(value) {
                        return Err(fail(&here, "a non-list for a list is not kept in extra"));
                    }
                    expect(&mut expected_extra, key, value);
                    continue;
                };
                if in_extra == Some(value) {
                    // A case variant of a field another spelling already holds.
                    expect(&mut expected_extra, key, value);
                    continue;
                }
                let mut objects = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::Object(m) => objects.push(m),
                        other => expect(&mut expected_extra, &format!("{key}.{i}"), other),
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
    for (key, candidates) in &expected_extra {
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
    let present: Vec<&str> = fields.iter().filter(|(_, g)| !matches!(g, Got::Absent)).map(|(n, _)| *n).collect();
    if present.len() != claimed.len() || extra.len() != expected_extra.len() {
        return Err(fail(
            path,
            format!(
                "{} typed fields present {present:?} and {} extra entries, expected {claimed:?} and {}; extra: {extra:?}",
                present.len(),
                extra.len(),
                expected_extra.len()
            ),
        ));
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

/// Every `extra` in the tree is empty.
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
                Kind::Other => Just(Value::Null).boxed(),
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

/// `decode_object` into `GetUvodnImageResponse`: Ok exactly for JSON objects, and nothing lost.
fn check_ucloud_bytes(body: &[u8]) -> Result<GetUvodnImageResponse, TestCaseError> {
    let mut response = GetUvodnImageResponse::default();
    let result = decode_object(body, &mut response);
    let parsed = serde_json::from_slice::<Value>(body);
    if result.is_ok() != matches!(parsed, Ok(Value::Object(_))) {
        return Err(TestCaseError::fail(format!(
            "decode_object gave {result:?} but serde_json gave {:?}",
            parsed.map(|v| v.to_string().chars().take(200).collect::<String>())
        )));
    }
    if let Ok(Value::Object(map)) = &parsed {
        if !has_duplicate_keys(body) {
            check_object(map, &response, "$", &[])?;
        }
    }
    Ok(response)
}

/// `decode_into_slot(Slot::Model)` into `GetListResponse`: Ok exactly for JSON, objects fill the model, `null`
/// clears it, anything else is kept whole under the slot's name.
fn check_finovy_bytes(body: &[u8]) -> Result<(), TestCaseError> {
    let mut data: Option<GetListResponse> = None;
    let mut misfit = Extra::new();
    let result = decode_into_slot(body, Slot::Model(&mut data), &mut misfit, "data");
    let parsed = serde_json::from_slice::<Value>(body);
    match (&result, parsed) {
        (Ok(()), Ok(Value::Object(map))) => {
            prop_assert!(misfit.is_empty(), "an object left a misfit: {:?}", misfit);
            let Some(model) = &data else { return Err(TestCaseError::fail("an object did not fill the model")) };
            if !has_duplicate_keys(body) {
                check_object(&map, model, "$", &[])?;
            }
        }
        (Ok(()), Ok(Value::Null)) => prop_assert!(data.is_none() && misfit.is_empty()),
        (Ok(()), Ok(other)) => {
            prop_assert!(data.is_none());
            prop_assert_eq!(misfit.len(), 1);
            prop_assert_eq!(misfit.get("data"), Some(&other));
        }
        (Err(_), Err(_)) => {}
        (result, parsed) => {
            return Err(TestCaseError::fail(format!(
                "decode_into_slot gave {result:?} but serde_json gave {:?}",
                parsed.map(|v| v.to_string().chars().take(200).collect::<String>())
            )))
        }
    }
    Ok(())
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
        check_finovy_bytes(&serde_json::to_vec(&value).unwrap())
    });
}

#[test]
fn fuzz_finovy_well_typed() {
    fuzz("finovy_well_typed", 256, typed_finovy(), |value| {
        let body = serde_json::to_vec(&value).unwrap();
        check_finovy_bytes(&body)?;
        let mut data: Option<GetListResponse> = None;
        decode_into_slot(&body, Slot::Model(&mut data), &mut Extra::new(), "data").unwrap();
        let model = data.unwrap();
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
        // The same bytes re-serialized (duplicate keys collapsed): the exact accounting applies.
        if let Ok(v) = serde_json::from_slice::<Value>(&body) {
            let again = serde_json::to_vec(&v).unwrap();
            check_ucloud_bytes(&again)?;
            check_finovy_bytes(&again)?;
        }
        Ok(())
    });
}

#[test]
fn arbitrary_bytes_never_panic() {
    fuzz("arbitrary_bytes", 256, proptest::collection::vec(any::<u8>(), 0..128), |bytes| {
        check_ucloud_bytes(&bytes)?;
        check_finovy_bytes(&bytes)
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Regressions: minimal inputs the targets above found (fixed in docbind-runtime's `walk_map`).

fn ucloud_lossless(body: &str) {
    let response = check_ucloud_bytes(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!format!("{response:?}").is_empty());
}

fn finovy_lossless(body: &str) {
    check_finovy_bytes(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
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
