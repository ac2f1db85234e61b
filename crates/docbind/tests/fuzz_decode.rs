//! Fuzzing the lenient decoder (proptest), against a model of its rules.
//!
//! Inputs ([`strategies`]): JSON texts written by the fuzzer, so they can hold what `serde_json::Value` cannot:
//! integers wider than 64 bits, repeated keys, lone surrogates, `1e400`, nesting past `serde_json`'s limit, a byte
//! order mark. Keys come from the generated types' wire names, their case variants and random keys; there are
//! well-typed values, random status keys, byte mutations of the docs' response examples and random bytes. Targets:
//! the decode entries the clients decode with (UCloud's one `decode_response` for every Action, with
//! `GetUvodnImageResponse`, and the generated `finovy_image::get_list::decode_response`), and both real clients against
//! a local server.
//!
//! Oracle: [`oracle`] reads each body on its own (number literals kept as text, repeated keys in order, the raw text
//! of every value), and [`model`] works out from the documented rules what every typed field, `extra` entry (in
//! order, with its raw text) and status field must be. Properties: nothing panics; a body decodes `Ok` exactly when it
//! is a JSON object (after an optional byte order mark) that `serde_json` can represent; a value it cannot represent
//! fails naming its key path; every field and `extra` equals the model's; well-typed inputs leave every `extra`
//! empty; and the clients succeed exactly when the model's status says so, failing with its code or problem.
//!
//! Knobs: `DOCBIND_FUZZ_CASES` (cases per target, default 256) or `DOCBIND_FUZZ_SECONDS` (run each target for
//! that long). Long runs: `DOCBIND_FUZZ_SECONDS=600 cargo test --release -p docbind --test fuzz_decode -- --test-threads 2`.

#[path = "fuzz_decode/model.rs"]
mod model;
#[path = "fuzz_decode/oracle.rs"]
mod oracle;
#[path = "fuzz_decode/strategies.rs"]
mod strategies;

use docbind::finovy_image::get_list::{self, Image};
use docbind::finovy_image::GetListResponse;
use docbind::runtime::__private::finovy::EnvelopeStatus;
use docbind::runtime::__private::ucloud::{decode_response, ResponseStatus};
use docbind::runtime::__private::{Decode, Slot};
use docbind::runtime::{DecodeError, Error, Extra};
use docbind::ucloud_uodn::get_uvodn_image::{DeployImageInfo, ImageInfo};
use docbind::ucloud_uodn::GetUvodnImageResponse;
use model::{Field, Kind, Object, Schema};
use oracle::{Json, Member, Node, Problem};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use std::fmt::{Debug, Display};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use strategies::Gen;

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
    // A run of no cases would pass without testing anything.
    assert!(cases > 0, "fuzz target {name}: DOCBIND_FUZZ_CASES is 0, so nothing would run");
    let batch = if seconds.is_some() { cases.min(256) } else { cases };
    let config = ProptestConfig { cases: batch, failure_persistence: None, ..ProptestConfig::default() };
    let started = Instant::now();
    let deadline = seconds.map(|s| started + Duration::from_secs(s));
    let mut total = 0u64;
    loop {
        // A fresh runner (and seed) per batch: a runner counts its successes and would run no more cases.
        let mut runner = TestRunner::new(config.clone());
        let ran = std::sync::atomic::AtomicU64::new(0);
        let counted = |value| {
            ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            test(value)
        };
        if let Err(e) = runner.run(&strategy, counted) {
            panic!("fuzz target {name} failed after {total}+ cases: {e}");
        }
        total += ran.load(std::sync::atomic::Ordering::Relaxed);
        match deadline {
            Some(d) if Instant::now() < d => {}
            _ => break,
        }
    }
    assert!(total >= u64::from(batch), "fuzz target {name} ran {total} cases, fewer than the {batch} asked for");
    // Straight to stderr, past the test harness's capture: the counts are the point of a long run.
    let line = format!("fuzz {name}: {total} cases in {:.1?}\n", started.elapsed());
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

fn fail(path: &str, why: impl Display) -> TestCaseError {
    TestCaseError::fail(format!("at {path}: {why}"))
}

// ---------------------------------------------------------------------------------------------------------------
// The generated types, as the model sees them (read from their `Decode` impls) and as the checker reads them.

/// A field holding models, and the schema of those models.
type Child = (&'static str, fn() -> Schema);

/// The schema of a generated type: its declared names and slot kinds, read from its `Decode` impl. `children` gives
/// the schema of each field holding models; a slot kind the model has no rules for fails loudly.
fn schema_of<T: Decode + Default>(children: &[Child]) -> Schema {
    let mut probe = T::default();
    let names = probe.field_names();
    let fields = names
        .iter()
        .map(|name| {
            let child = || children.iter().find(|(n, _)| n == name).map(|(_, c)| *c);
            let kind = match probe.slot(name) {
                Some(Slot::Str(_) | Slot::Enum(_)) => Kind::Text,
                Some(Slot::Int(_)) => Kind::Int,
                Some(Slot::Bool(_)) => Kind::Bool,
                Some(Slot::ModelList(_)) => Kind::ModelList(child().expect("a schema for each list of models")),
                Some(Slot::Model(_)) => Kind::Model(child().expect("a schema for each model")),
                other => panic!("the fuzz model has no rules for the slot of {name}: {other:?}"),
            };
            (*name, kind)
        })
        .collect();
    Schema { fields, variants: names.to_vec(), cleared: Vec::new() }
}

fn deploy_image_info() -> Schema {
    schema_of::<DeployImageInfo>(&[])
}

fn image_info() -> Schema {
    schema_of::<ImageInfo>(&[("DeployInfoList", deploy_image_info)])
}

fn get_list_item() -> Schema {
    schema_of::<Image>(&[])
}

fn get_list_response() -> Schema {
    schema_of::<GetListResponse>(&[("data", get_list_item)])
}

/// UCloud's envelope around `GetUvodnImageResponse`: `RetCode`, `Action`, `Message` under their exact spelling (the
/// last `RetCode` counts), every other key the response's (case variants of its names included).
fn ucloud_envelope() -> Schema {
    let response = schema_of::<GetUvodnImageResponse>(&[("ImageList", image_info)]);
    let mut fields = vec![("RetCode", Kind::Int), ("Action", Kind::Text), ("Message", Kind::Text)];
    fields.extend(response.fields);
    Schema { fields, variants: response.variants, cleared: vec!["RetCode"] }
}

/// Finovy's envelope: `data` into the response, `code` and `success` under their exact spelling (the last counts),
/// `msg` and `traceId`.
fn finovy_envelope() -> Schema {
    Schema {
        fields: vec![
            ("data", Kind::Model(get_list_response)),
            ("code", Kind::Int),
            ("success", Kind::Bool),
            ("msg", Kind::Text),
            ("traceId", Kind::Text),
        ],
        variants: vec!["data", "msg", "traceId"],
        cleared: vec!["code", "success"],
    }
}

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

macro_rules! view {
    ($ty:ty { $($wire:literal => $how:ident($field:ident)),* $(,)? }) => {
        impl View for $ty {
            fn fields(&self) -> Vec<(&'static str, Got<'_>)> {
                vec![$(($wire, $how(&self.$field))),*]
            }
            fn extra(&self) -> &Extra {
                &self.extra
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
view!(Image {
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
// The checker: the decode equals the model.

/// `actual` holds what `expected` says: every field the view shows (no more, no fewer than the type declares, so a
/// stale view fails), and exactly the `extra` entries, in order, with their raw text.
fn compare(expected: &Object, actual: &dyn View, declared: &[&str], path: &str) -> Result<(), TestCaseError> {
    let fields = actual.fields();
    let viewed: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
    if viewed != declared {
        return Err(fail(path, format!("the test's view {viewed:?} is stale: the type declares {declared:?}")));
    }
    for (name, got) in &fields {
        let here = format!("{path}.{name}");
        match (expected.field(name), got) {
            (Field::Absent, Got::Absent) => {}
            (Field::Text(want), Got::Text(got)) if want == got => {}
            (Field::Int(want), Got::Text(got)) if want.to_string() == *got => {}
            (Field::Bool(want), Got::Text(got)) if want.to_string() == *got => {}
            (Field::Models(want), Got::Models(got)) if want.len() == got.len() => {
                let child = child_names(expected, name);
                for (i, (want, got)) in want.iter().zip(got).enumerate() {
                    compare(want, *got, &child, &format!("{here}[{i}]"))?;
                }
            }
            (want, got) => return Err(fail(&here, format!("holds {}, the model says {want:?}", shown(got)))),
        }
    }
    compare_extra(&expected.extra, actual.extra(), path)
}

fn shown(got: &Got<'_>) -> String {
    match got {
        Got::Absent => "nothing".into(),
        Got::Text(t) => format!("{t:?}"),
        Got::Models(m) => format!("{} models", m.len()),
    }
}

/// The declared names of the models in `expected`'s field `name` (their first element's fields).
fn child_names(expected: &Object, name: &str) -> Vec<&'static str> {
    match expected.field(name) {
        Field::Models(list) => list.first().map(|m| m.fields.iter().map(|(n, _)| *n).collect()).unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn compare_extra(expected: &[(String, model::Kept)], actual: &Extra, path: &str) -> Result<(), TestCaseError> {
    let got: Vec<(&str, &serde_json::Value, Option<&str>)> =
        actual.iter().map(|(k, v)| (k, v, actual.raw_json(k))).collect();
    let want: Vec<(&str, &serde_json::Value, Option<&str>)> =
        expected.iter().map(|(k, kept)| (k.as_str(), &kept.value, kept.raw.as_deref())).collect();
    if got != want {
        return Err(fail(path, format!("extra is {got:?}, the model says {want:?}")));
    }
    Ok(())
}

/// The names an object of `schema` shows through its view (the envelope's own keys are not the response's).
fn response_names(schema: &Schema, envelope: &[&str]) -> Vec<&'static str> {
    schema.fields.iter().map(|(n, _)| *n).filter(|n| !envelope.contains(n)).collect()
}

/// A body after one leading byte order mark, the way the decoder reads it.
fn without_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body)
}

/// Whether `body` is a JSON object the decoder must read: its members (checked against `serde_json`'s verdict, so
/// the oracle stays honest), or `None` once `error` is checked to be what the body calls for. A value `serde_json`
/// cannot represent inside an object must fail naming its key path.
fn expect_object(body: &[u8], error: Option<&DecodeError>) -> Result<Option<Vec<Member>>, TestCaseError> {
    let text = without_bom(body);
    let oracle = oracle::parse(text);
    let serde = serde_json::from_slice::<serde_json::Value>(text);
    match (&oracle, &serde) {
        (Ok(_), Err(e)) => return Err(fail("$", format!("the oracle reads a body serde_json rejects ({e})"))),
        (Err(problem), Ok(_)) => {
            return Err(fail("$", format!("serde_json reads a body the oracle rejects: {problem:?}")))
        }
        _ => {}
    }
    let top_is_object = text.iter().find(|b| !b" \t\n\r".contains(b)) == Some(&b'{');
    match (oracle, error) {
        (Ok(Node { json: Json::Obj(members), .. }), None) => Ok(Some(members)),
        (Ok(Node { json: Json::Obj(_), .. }), Some(e)) => {
            Err(fail("$", format!("a JSON object failed to decode: {e}")))
        }
        (Err(Problem::Unrepresentable { path, in_key }), Some(e)) if top_is_object => {
            let named = if in_key || path.len() > 400 {
                e.path().starts_with(&path[..path.len().min(200)])
            } else {
                e.path() == path
            };
            // Display names the path, except the top level's `$`.
            let shown = e.path() == "$" || e.to_string().ends_with(&format!(", in {}", e.path()));
            if !named || !shown {
                return Err(fail(
                    &path,
                    format!("the error does not name the value's key path: {e} (path {:?})", e.path()),
                ));
            }
            Ok(None)
        }
        (_, Some(_)) => Ok(None),
        (outcome, None) => {
            Err(fail("$", format!("decoded Ok, but the body is not a representable JSON object: {outcome:?}")))
        }
    }
}

/// The UCloud status the model expects: `RetCode`, the text of one that is present but not an integer, `Action`,
/// `Message`.
fn ucloud_status(expected: &Object) -> (Option<i64>, Option<String>, Option<String>, Option<String>) {
    let text = |name| match expected.field(name) {
        Field::Text(t) => Some(t.clone()),
        _ => None,
    };
    let ret_code = match expected.field("RetCode") {
        Field::Int(i) => Some(*i),
        _ => None,
    };
    let unparseable = (ret_code.is_none() && expected.seen.contains(&"RetCode"))
        .then(|| expected.extra_text("RetCode").unwrap_or_else(|| "null".to_owned()));
    (ret_code, unparseable, text("Action"), text("Message"))
}

/// `GetUvodnImage`'s decode entry against the model; the decoded response, its status and the model's object when
/// the body is a JSON object.
fn check_ucloud_bytes(body: &[u8]) -> Result<Option<(GetUvodnImageResponse, ResponseStatus, Object)>, TestCaseError> {
    let result = decode_response::<GetUvodnImageResponse>(body);
    let Some(members) = expect_object(body, result.as_ref().err())? else { return Ok(None) };
    let (response, status) = result.map_err(|e| fail("$", e))?;
    let schema = ucloud_envelope();
    let expected = model::decode(&schema, &members, without_bom(body));
    compare(&expected, &response, &response_names(&schema, &["RetCode", "Action", "Message"]), "$")?;
    let got = (status.ret_code, status.unparseable_ret_code.clone(), status.action.clone(), status.message.clone());
    let want = ucloud_status(&expected);
    if got != want {
        return Err(fail("$", format!("status {got:?}, the model says {want:?}")));
    }
    Ok(Some((response, status, expected)))
}

/// Finovy's status fields: `code`, the text of one that is not an integer, `success`, the text of one that is not
/// a boolean, `msg`, `traceId`.
#[derive(Debug, PartialEq)]
struct FinovyStatus {
    code: Option<i64>,
    unparseable_code: Option<String>,
    success: Option<bool>,
    unparseable_success: Option<String>,
    msg: Option<String>,
    trace_id: Option<String>,
}

impl From<&EnvelopeStatus> for FinovyStatus {
    fn from(status: &EnvelopeStatus) -> Self {
        FinovyStatus {
            code: status.code,
            unparseable_code: status.unparseable_code.clone(),
            success: status.success,
            unparseable_success: status.unparseable_success.clone(),
            msg: status.msg.clone(),
            trace_id: status.trace_id.clone(),
        }
    }
}

/// What the model expects of a Finovy body: the response (`data`'s model, or an empty one, with the envelope's
/// leftovers appended to its `extra`) and the status.
struct FinovyExpected {
    response: Object,
    status: FinovyStatus,
}

fn finovy_expected(envelope: &Object) -> FinovyExpected {
    let text = |name| match envelope.field(name) {
        Field::Text(t) => Some(t.clone()),
        _ => None,
    };
    let mut response = match envelope.field("data") {
        Field::Model(data) => (**data).clone(),
        _ => Object {
            fields: get_list_response().fields.iter().map(|(n, _)| (*n, Field::Absent)).collect(),
            extra: Vec::new(),
            seen: Vec::new(),
        },
    };
    for (key, kept) in &envelope.extra {
        response.insert(key.clone(), kept.clone());
    }
    let unparseable = |name, read: bool| {
        (!read && envelope.seen.contains(&name)).then(|| envelope.extra_text(name).unwrap_or_else(|| "null".to_owned()))
    };
    let code = match envelope.field("code") {
        Field::Int(i) => Some(*i),
        _ => None,
    };
    let success = match envelope.field("success") {
        Field::Bool(b) => Some(*b),
        _ => None,
    };
    let status = FinovyStatus {
        unparseable_code: unparseable("code", code.is_some()),
        unparseable_success: unparseable("success", success.is_some()),
        code,
        success,
        msg: text("msg"),
        trace_id: text("traceId"),
    };
    FinovyExpected { response, status }
}

/// `getList`'s decode entry against the model.
fn check_finovy_bytes(body: &[u8]) -> Result<Option<(GetListResponse, EnvelopeStatus, FinovyExpected)>, TestCaseError> {
    let result = get_list::decode_response(body);
    let Some(members) = expect_object(body, result.as_ref().err())? else { return Ok(None) };
    let (response, status) = result.map_err(|e| fail("$", e))?;
    prop_assert!(status.extra.is_empty(), "the envelope's leftovers stayed in the status: {:?}", status.extra);
    let envelope = model::decode(&finovy_envelope(), &members, without_bom(body));
    let expected = finovy_expected(&envelope);
    compare(&expected.response, &response, &response_names(&get_list_response(), &[]), "$")?;
    let got = FinovyStatus::from(&status);
    if got != expected.status {
        return Err(fail("$", format!("status {got:?}, the model says {:?}", expected.status)));
    }
    Ok(Some((response, status, expected)))
}

/// `data` (JSON text, or any bytes) inside a successful Finovy envelope.
fn in_finovy_envelope(data: &[u8]) -> Vec<u8> {
    let mut body = br#"{"code":0,"success":true,"msg":"ok","traceId":"t","data":"#.to_vec();
    body.extend_from_slice(data);
    body.push(b'}');
    body
}

/// Whether an `extra` anywhere in `target` keeps an integer wider than 64 bits (by its raw text).
fn holds_wide_integers(target: &dyn View) -> bool {
    target.extra().iter().any(|(key, _)| target.extra().raw_json(key).is_some())
        || target.fields().iter().any(|(_, g)| match g {
            Got::Models(ms) => ms.iter().any(|m| holds_wide_integers(*m)),
            _ => false,
        })
}

/// Whether an object anywhere in `target` keeps a value in `extra` under the wire name of a declared field that holds
/// a value too (its key came twice, or a Finovy envelope left it over): written once, as an object has each key.
fn holds_a_key_twice(target: &dyn View) -> bool {
    let in_extra = |wire: &str| target.extra().get(wire).is_some();
    target.fields().iter().any(|(wire, got)| match got {
        Got::Absent => false,
        Got::Text(_) => in_extra(wire),
        Got::Models(ms) => in_extra(wire) || ms.iter().any(|m| holds_a_key_twice(*m)),
    })
}

/// Whether an `extra` anywhere in `target` keeps a value under a declared name spelled in another case (`DATA`,
/// `DATA.0`): decoding weighs those against the exact spelling at the end of the object, so they may read back in
/// another order among the other `extra` entries (values and keys are kept).
fn holds_case_variants(target: &dyn View) -> bool {
    let fields = target.fields();
    let variant = |key: &str| {
        let name = key.rsplit_once('.').filter(|(_, i)| i.bytes().all(|b| b.is_ascii_digit())).map_or(key, |(n, _)| n);
        fields.iter().any(|(wire, _)| name.eq_ignore_ascii_case(wire) && name != *wire)
    };
    target.extra().iter().any(|(key, _)| variant(key))
        || fields.iter().any(|(_, got)| matches!(got, Got::Models(ms) if ms.iter().any(|m| holds_case_variants(*m))))
}

/// serde (cargo feature `serde`): `decoded`, written as JSON and read back, is equal to itself. The documented losses
/// are left out: an integer wider than 64 bits in `extra` (written as the string of its digits), a key held both by a
/// field and by `extra` (written once), and declared names in another case (their `extra` order may change).
fn round_trip<T>(decoded: &T) -> Result<(), TestCaseError>
where
    T: View + PartialEq + serde::Serialize + serde::de::DeserializeOwned,
{
    if holds_wide_integers(decoded) || holds_a_key_twice(decoded) || holds_case_variants(decoded) {
        return Ok(());
    }
    let json = serde_json::to_vec(decoded).map_err(|e| fail("$", format!("cannot serialize: {e}")))?;
    let shown = String::from_utf8_lossy(&json);
    let read: T = serde_json::from_slice(&json).map_err(|e| fail("$", format!("cannot read back {shown}: {e}")))?;
    prop_assert_eq!(&read, decoded, "written as {}", shown);
    Ok(())
}

fn all_extras_empty(target: &dyn View) -> bool {
    target.extra().is_empty()
        && target.fields().iter().all(|(_, g)| match g {
            Got::Models(ms) => ms.iter().all(|m| all_extras_empty(*m)),
            _ => true,
        })
}

/// How a call must end, by the documented status rules: `Ok`, the service's code, or the status's problem.
#[derive(Debug, PartialEq)]
enum Outcome {
    Ok,
    Service(i64),
    Malformed(String),
}

fn ucloud_outcome(expected: &Object) -> Outcome {
    match ucloud_status(expected) {
        (Some(0), ..) => Outcome::Ok,
        (Some(code), ..) => Outcome::Service(code),
        (None, Some(raw), ..) => Outcome::Malformed(format!("RetCode {raw} is not an integer")),
        (None, None, ..) => Outcome::Malformed("the body has no RetCode".into()),
    }
}

fn finovy_outcome(e: &FinovyStatus) -> Outcome {
    match (e.code, &e.unparseable_code, e.success, &e.unparseable_success) {
        (Some(0), _, Some(true) | None, None) => Outcome::Ok,
        (Some(0), _, Some(false), _) => Outcome::Malformed("code 0 contradicts success false".into()),
        (Some(0), _, None, Some(raw)) => Outcome::Malformed(format!("success {raw} is not a boolean")),
        (Some(code), ..) => Outcome::Service(code),
        (None, Some(raw), ..) => Outcome::Malformed(format!("code {raw} is not an integer")),
        (None, None, ..) => Outcome::Malformed("the body has no code".into()),
    }
}

/// What a failed call says, in the terms of [`Outcome`].
fn outcome_of(error: &Error) -> Outcome {
    match error {
        Error::Service { code, .. } => Outcome::Service(*code),
        Error::MalformedStatus { problem, .. } => Outcome::Malformed(problem.clone()),
        other => Outcome::Malformed(format!("not a status error: {other}")),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Strategies on top of `strategies`.

/// Every name the decode targets know: the generated types' and the envelopes'.
fn names() -> Vec<&'static str> {
    fn collect(schema: &Schema, names: &mut Vec<&'static str>) {
        for (name, kind) in &schema.fields {
            if !names.contains(name) {
                names.push(name);
            }
            if let Kind::ModelList(child) | Kind::Model(child) = kind {
                collect(&child(), names);
            }
        }
    }
    let mut names = Vec::new();
    collect(&ucloud_envelope(), &mut names);
    collect(&finovy_envelope(), &mut names);
    names
}

fn object() -> impl Strategy<Value = Gen> {
    strategies::members(names()).prop_map(Gen::Obj)
}

fn json() -> impl Strategy<Value = Gen> {
    strategies::json(names())
}

/// A well-typed object for `schema`'s fields: each absent or of its declared JSON type (text fields may get an
/// integer wider than 64 bits: they take its digits exactly).
fn typed_object(schema: Schema) -> BoxedStrategy<Gen> {
    let parts: Vec<BoxedStrategy<Option<(String, Gen)>>> = schema
        .fields
        .into_iter()
        .map(|(name, kind)| {
            let value: BoxedStrategy<Gen> = match kind {
                Kind::Text => prop_oneof![
                    4 => "\\PC{0,10}".prop_map(|text| Gen::Str { text, escape_all: false }),
                    2 => "[1-5]".prop_map(|text| Gen::Str { text, escape_all: true }),
                    1 => strategies::wide_integer().prop_map(Gen::Num),
                ]
                .boxed(),
                Kind::Int => any::<i64>().prop_map(|i| Gen::Num(i.to_string())).boxed(),
                Kind::Bool => any::<bool>().prop_map(Gen::Bool).boxed(),
                Kind::ModelList(child) => {
                    proptest::collection::vec(typed_object(child()), 0..4).prop_map(Gen::Arr).boxed()
                }
                Kind::Model(child) => typed_object(child()),
            };
            proptest::option::of(value.prop_map(move |v| (name.to_owned(), v))).boxed()
        })
        .collect();
    parts.prop_map(|fields| Gen::Obj(fields.into_iter().flatten().collect())).boxed()
}

fn typed_ucloud() -> BoxedStrategy<Gen> {
    typed_object(schema_of::<GetUvodnImageResponse>(&[("ImageList", image_info)]))
}

fn typed_finovy() -> BoxedStrategy<Gen> {
    typed_object(get_list_response())
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
    "123456789012345678901234567890",
    "1e19",
    "\"RetCode\":",
    "\"code\":null,",
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
// Targets.

#[test]
fn fuzz_ucloud_arbitrary_objects() {
    fuzz("ucloud_arbitrary_objects", 256, (object(), any::<bool>()), |(gen, bom)| {
        check_ucloud_bytes(&strategies::with_bom(gen.text(), bom))?;
        Ok(())
    });
}

#[test]
fn fuzz_serde_round_trip() {
    // Finovy `data` an object: an envelope that leaves keys over (as a `data` that is not an object does) has them
    // written into the `data` object, where one the object declares reads back into its field (documented).
    let strategy = (prop_oneof![object(), typed_ucloud()], prop_oneof![object(), typed_finovy()]);
    fuzz("serde_round_trip", 256, strategy, |(ucloud, finovy)| {
        if let Ok((response, _)) = decode_response::<GetUvodnImageResponse>(ucloud.text().as_bytes()) {
            round_trip(&response)?;
        }
        if let Ok((response, _)) = get_list::decode_response(&in_finovy_envelope(finovy.text().as_bytes())) {
            round_trip(&response)?;
        }
        Ok(())
    });
}

#[test]
fn fuzz_ucloud_well_typed() {
    fuzz("ucloud_well_typed", 256, typed_ucloud(), |gen| {
        let (response, ..) = check_ucloud_bytes(gen.text().as_bytes())?.expect("an object decodes");
        prop_assert!(all_extras_empty(&response), "well-typed input left extras: {:?}", response);
        Ok(())
    });
}

#[test]
fn fuzz_finovy_arbitrary_values() {
    let strategy = (prop_oneof![object(), json()], any::<bool>());
    fuzz("finovy_arbitrary_values", 256, strategy, |(gen, bom)| {
        // As `data` of a successful envelope, and as a whole body (an object's keys are then the envelope's).
        let text = gen.text();
        check_finovy_bytes(&in_finovy_envelope(text.as_bytes()))?;
        check_finovy_bytes(&strategies::with_bom(text, bom))?;
        Ok(())
    });
}

#[test]
fn fuzz_finovy_well_typed() {
    fuzz("finovy_well_typed", 256, typed_finovy(), |gen| {
        let (response, ..) = check_finovy_bytes(&in_finovy_envelope(gen.text().as_bytes()))?.expect("an envelope");
        prop_assert!(all_extras_empty(&response), "well-typed input left extras: {:?}", response);
        Ok(())
    });
}

#[test]
fn fuzz_statuses() {
    let ucloud_status = prop_oneof![
        3 => strategies::status_value("0").prop_map(|v| vec![("RetCode".to_owned(), v)]),
        1 => Just(vec![]),
        1 => Just(vec![("retcode".to_owned(), Gen::Num("0".into()))]),
        1 => (strategies::status_value("0"), strategies::status_value("0"))
            .prop_map(|(a, b)| vec![("RetCode".to_owned(), a), ("RetCode".to_owned(), b)]),
    ];
    let finovy_status = (
        prop_oneof![4 => strategies::status_value("0").prop_map(Some), 1 => Just(None)],
        prop_oneof![
            4 => any::<bool>().prop_map(|b| Some(Gen::Bool(b))),
            1 => Just(None),
            1 => strategies::status_value("true").prop_map(Some),
        ],
        any::<bool>(),
    );
    fuzz("statuses", 256, (ucloud_status, finovy_status, object()), |(ucloud, (code, success, repeat), gen)| {
        let Gen::Obj(mut members) = gen else { unreachable!() };
        members.extend(ucloud);
        let body = Gen::Obj(members).text();
        check_ucloud_bytes(body.as_bytes())?;
        let mut envelope: Vec<(String, Gen)> = vec![("data".into(), Gen::Obj(vec![]))];
        for (key, value) in [("code", code), ("success", success)] {
            if let Some(value) = value {
                if repeat {
                    envelope.push((key.to_owned(), Gen::Num("0".into())));
                }
                envelope.push((key.to_owned(), value));
            }
        }
        check_finovy_bytes(Gen::Obj(envelope).text().as_bytes())?;
        Ok(())
    });
}

#[test]
fn fuzz_doc_examples_byte_mutations() {
    let ucloud = doc_example("ucloud-uodn/get_uvodn_image.md");
    let finovy_envelope = doc_example("finovy-image/get_list.md");
    let finovy_data = {
        let v: serde_json::Value = serde_json::from_slice(&finovy_envelope).unwrap();
        serde_json::to_vec_pretty(&v["data"]).unwrap()
    };
    let seeds = [ucloud, finovy_envelope, finovy_data];
    let strategy = (0..seeds.len(), proptest::collection::vec(byte_mutation(), 1..6));
    fuzz("doc_examples_byte_mutations", 256, strategy, |(seed, mutations)| {
        let body = mutate(&seeds[seed], &mutations);
        check_ucloud_bytes(&body)?;
        check_finovy_bytes(&body)?;
        check_finovy_bytes(&in_finovy_envelope(&body))?;
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
// Regressions: minimal inputs the targets above found (fixed in docbind-runtime's `walk_map` and `decode/precise.rs`).

/// `body` decodes exactly as the model says (it must be a JSON object, so the comparison runs).
fn ucloud_lossless(body: &str) -> GetUvodnImageResponse {
    let checked = check_ucloud_bytes(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    checked.expect("a JSON object, checked against the model").0
}

/// `body` as Finovy's `data`, checked the same way.
fn finovy_lossless(body: &str) {
    let checked = check_finovy_bytes(&in_finovy_envelope(body.as_bytes())).unwrap_or_else(|e| panic!("{e}"));
    assert!(checked.is_some(), "an envelope, checked against the model");
}

#[test]
fn regression_case_variant_null_erased_the_exact_key() {
    // `imageName: null` (a case variant of `ImageName`) cleared the field after `ImageName: false` set it.
    let response = ucloud_lossless(r#"{"ImageList":[{"ImageName":false,"imageName":null}]}"#);
    finovy_lossless(r#"{"data":[{"ID":false,"id":null}]}"#);
    assert_eq!(response.image_list[0].image_name.as_deref(), Some("false"));
}

#[test]
fn regression_case_variant_list_replaced_by_the_exact_empty_list() {
    // `IMAGELIST: [{}]` was replaced by the later (exact) `ImageList: []`; the model was lost.
    let response = ucloud_lossless(r#"{"IMAGELIST":[{}],"ImageList":[]}"#);
    finovy_lossless(r#"{"DATA":[{}],"data":[]}"#);
    finovy_lossless(r#"{"DATA":[],"data":[{}]}"#);
    assert_eq!(response.image_list.len(), 1);
}

#[test]
fn regression_two_spellings_of_a_scalar_both_kept() {
    let response = ucloud_lossless(r#"{"TotalCount":1,"totalcount":2,"TOTALCOUNT":"x"}"#);
    finovy_lossless(r#"{"totalcounts":"3","totalCounts":4}"#);
    assert_eq!((response.total_count, response.extra.len()), (Some(1), 2));
}

#[test]
fn regression_repeated_keys_and_wide_integers_follow_the_model() {
    // Repeated keys are accounted for (the last value that fits wins; misfits keep their place in extra), and an
    // integer wider than 64 bits keeps its digits wherever it lands.
    let response = ucloud_lossless(
        r#"{"TotalCount":"x","TotalCount":5,"ImageList":[{"ImageId":123456789012345678901234567890}],"X":1,"X":[18446744073709551616]}"#,
    );
    assert_eq!(response.total_count, Some(5));
    assert_eq!(response.image_list[0].image_id.as_deref(), Some("123456789012345678901234567890"));
    assert_eq!(response.extra.raw_json("X"), Some("[18446744073709551616]"));
    let response = ucloud_lossless("\u{feff}{\"RetCode\":0}");
    assert!(response.extra.is_empty());
}

#[test]
fn the_model_catches_a_lost_value() {
    // The checker is not vacuous: a decode that lost an extra entry, or a field, fails it.
    let body = br#"{"TotalCount":"x","Surprise":1}"#;
    let members = expect_object(body, None).unwrap().unwrap();
    let mut expected = model::decode(&ucloud_envelope(), &members, body);
    let (response, _) = decode_response::<GetUvodnImageResponse>(body).unwrap();
    let declared = response_names(&ucloud_envelope(), &["RetCode", "Action", "Message"]);
    assert!(compare(&expected, &response, &declared, "$").is_ok());
    expected.extra.pop();
    assert!(compare(&expected, &response, &declared, "$").is_err());
    let mut lossy = response.clone();
    lossy.extra = Extra::new();
    let expected = model::decode(&ucloud_envelope(), &members, body);
    assert!(compare(&expected, &lossy, &declared, "$").is_err());
}

// ---------------------------------------------------------------------------------------------------------------
// Through the real clients: a local server answers every request with the body of the current case; the call
// succeeds exactly when the model's status says so.

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

    /// A failed decode is an `Error::Decode`; otherwise the call ends as `outcome` says, with `check` on success.
    fn judge<T>(
        call: Result<T, Error>,
        decoded: bool,
        outcome: Option<Outcome>,
        check: impl FnOnce(&T) -> Result<(), TestCaseError>,
    ) -> Result<(), TestCaseError> {
        match (call, decoded, outcome) {
            (Err(Error::Decode { .. }), false, _) => Ok(()),
            (Ok(response), true, Some(Outcome::Ok)) => check(&response),
            (Err(error), true, Some(outcome)) if outcome_of(&error) == outcome => Ok(()),
            (Ok(_), _, outcome) => Err(fail("$", format!("the call succeeded; the model says {outcome:?}"))),
            (Err(error), _, outcome) => {
                Err(fail("$", format!("the call failed ({error}); the model says {outcome:?}")))
            }
        }
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
        let status = prop_oneof![
            6 => Just(Gen::Num("0".into())),
            1 => strategies::status_value("0"),
        ];
        let strategy = (prop_oneof![object(), typed_ucloud()], status, any::<bool>());
        fuzz("ucloud_client", client_cases(), strategy, |(gen, status, bom)| {
            let Gen::Obj(mut members) = gen else { unreachable!() };
            members.retain(|(k, _)| k != "RetCode");
            members.push(("RetCode".into(), status));
            let body = strategies::with_bom(Gen::Obj(members).text(), bom);
            let checked = check_ucloud_bytes(&body)?;
            *current.0.lock().unwrap() = body;
            let call = rt.block_on(client.get_uvodn_image(&ucloud_uodn::GetUvodnImageRequest::new()));
            let outcome = checked.as_ref().map(|(_, _, expected)| ucloud_outcome(expected));
            judge(call, checked.is_some(), outcome, |response| {
                let (_, _, expected) = checked.as_ref().expect("decoded");
                compare(expected, response, &response_names(&ucloud_envelope(), &["RetCode", "Action", "Message"]), "$")
            })
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
        let code = prop_oneof![6 => Just(Gen::Num("0".into())), 1 => strategies::status_value("0")];
        let success = prop_oneof![6 => Just(Gen::Bool(true)), 1 => strategies::status_value("true")];
        let strategy = (prop_oneof![object(), typed_finovy(), json()], code, success);
        fuzz("finovy_client", client_cases(), strategy, |(data, code, success)| {
            let envelope = Gen::Obj(vec![
                ("code".into(), code),
                ("success".into(), success),
                ("msg".into(), Gen::Str { text: "ok".into(), escape_all: false }),
                ("traceId".into(), Gen::Str { text: "t".into(), escape_all: false }),
                ("data".into(), data),
            ]);
            let body = envelope.text().into_bytes();
            let checked = check_finovy_bytes(&body)?;
            *current.0.lock().unwrap() = body;
            let call = rt.block_on(client.get_list(&finovy_image::GetListRequest::new()));
            let outcome = checked.as_ref().map(|(_, _, expected)| finovy_outcome(&expected.status));
            judge(call, checked.is_some(), outcome, |page| {
                let (_, _, expected) = checked.as_ref().expect("decoded");
                compare(&expected.response, page, &response_names(&get_list_response(), &[]), "$")
            })
        });
    }
}
