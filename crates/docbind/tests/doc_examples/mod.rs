//! Reading the checked-in specs' own examples at test time, and checking that a decoded response kept nothing in
//! any `extra`.

/// The text of `specs/<spec>`.
pub fn spec(spec: &str) -> String {
    let path = format!("{}/../../specs/{spec}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The first fenced code block after the line containing `marker`.
pub fn code_after(doc: &str, marker: &str) -> String {
    let from = doc.find(marker).unwrap_or_else(|| panic!("no {marker:?} in the doc"));
    let rest = &doc[from..];
    let open = rest.find("```").expect("a code block after the marker");
    let body_start = open + rest[open..].find('\n').expect("a fence line") + 1;
    let close = body_start + rest[body_start..].find("```").expect("a closing fence");
    rest[body_start..close].to_string()
}

/// The JSON of the first code block after `marker`.
pub fn json_after(doc: &str, marker: &str) -> serde_json::Value {
    serde_json::from_str(&code_after(doc, marker)).expect("the example is JSON")
}

/// Every `extra` in the `Debug` of a decoded response (each struct prints one) is empty: the example's every key
/// found its field.
pub fn assert_nothing_in_extra(what: &str, debug: &str) {
    let all = debug.matches("extra: ").count();
    let empty = debug.matches("extra: {}").count();
    assert!(all > 0, "{what}: no extra printed in {debug}");
    assert_eq!(all, empty, "{what}: something landed in extra: {debug}");
}
