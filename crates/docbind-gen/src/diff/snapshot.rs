//! `docbind-api.json`: the API a crate was generated with, written into the crate as one more generated file, so
//! that regenerating it can tell what changes for its users even when the old docs are gone.
//!
//! It holds what [`compare`](super::compare) reads: each generated operation's IR (without the examples and error
//! tables, which no API depends on) and what the overlay names in Rust for them. Pretty JSON in module order, doc
//! paths as the generated headers name them (never absolute), so it is as deterministic as the rest of the crate.

use crate::dialect::Parsed;
use crate::ir::{
    Access, CommonParameter, ErrorCode, Example, Field, Model, Operation, Pagination, Protocol, Response, Source,
};
use crate::load::Loaded;
use crate::overlay::RustNames;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// JSON with every invisible or reordering character the docs hold (bidi codepoints, C1 controls, line and paragraph
/// separators, which serde_json writes raw) written as a `\uXXXX` escape: the snapshot is a checked-in file that
/// reviewers read (ARCHITECTURE.md, "Vendor text is data"). Such characters occur only inside JSON strings, where
/// the escape means the same character.
fn visible_json(json: String) -> String {
    // Outside strings serde_json writes only ASCII white space of these: its newlines (and spaces, which are not
    // hidden) are the layout, kept as they are.
    let hidden = |c: char| {
        c != '\n' && (c.is_control() || crate::codegen::text::is_bidi(c) || matches!(c, '\u{2028}' | '\u{2029}'))
    };
    // Pretty JSON always holds newlines, so they must not send every snapshot down the copying path below.
    let Some(first) = json.find(hidden) else { return json };
    let mut out = String::with_capacity(json.len() + 16);
    out.push_str(&json[..first]);
    for c in json[first..].chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The snapshot's file name, in the crate's folder.
pub const FILE_NAME: &str = "docbind-api.json";

/// Bumped when the snapshot's layout changes; a crate whose snapshot has another format is regenerated without
/// the breaking-change check, as one without a snapshot is.
const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Snapshot {
    /// For a reader who opens the file.
    about: String,
    format: u32,
    operations: Vec<Operation>,
    rust_names: RustNames,
}

/// What [`text`] writes: a [`Snapshot`] that borrows the operations instead of cloning them (a fresh run writes
/// every crate's snapshot, and cloning the IR was a visible share of it). Same fields, same order, same JSON.
#[derive(Serialize)]
struct SnapshotOf<'a> {
    about: &'a str,
    format: u32,
    operations: Vec<ApiOf<'a>>,
    rust_names: RustNames,
}

/// What of an operation the API depends on: all but its examples and error tables (written empty: examples are
/// the bulk of a doc). Serializes as the [`Operation`] it borrows from would with those two emptied.
#[derive(Serialize)]
struct ApiOf<'a> {
    name: &'a String,
    title: &'a String,
    summary: &'a String,
    source: &'a Source,
    protocol: &'a Protocol,
    access: &'a Access,
    request: &'a Vec<Field>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    common_parameters: &'a Vec<CommonParameter>,
    response: &'a Response,
    models: &'a Vec<Model>,
    pagination: &'a Option<Pagination>,
    errors: [ErrorCode; 0],
    examples: [Example; 0],
}

impl<'a> ApiOf<'a> {
    fn of(op: &'a Operation) -> Self {
        // Exhaustive, so that a field added to `Operation` cannot be left out of the snapshot unnoticed.
        let Operation {
            name,
            title,
            summary,
            source,
            protocol,
            access,
            request,
            common_parameters,
            response,
            models,
            pagination,
            errors: _,
            examples: _,
        } = op;
        ApiOf {
            name,
            title,
            summary,
            source,
            protocol,
            access,
            request,
            common_parameters,
            response,
            models,
            pagination,
            errors: [],
            examples: [],
        }
    }
}

/// The snapshot of `operations` (the generated ones, in module order) and what `names` says about them.
pub(crate) fn text(operations: &[&Operation], names: &RustNames) -> serde_json::Result<String> {
    let docs: Vec<&Path> = operations.iter().map(|op| op.source.file.as_path()).collect();
    let snapshot = SnapshotOf {
        about: ABOUT,
        format: FORMAT,
        operations: operations.iter().map(|op| ApiOf::of(op)).collect(),
        rust_names: names.only(&docs),
    };
    Ok(visible_json(serde_json::to_string_pretty(&snapshot)?) + "\n")
}

/// For a reader who opens the file.
const ABOUT: &str = "@generated by docbind: the API this crate was generated with; regeneration compares the new \
                     API with it and refuses breaking changes unless accepted (--accept-breaking). Do not edit.";

/// The API a snapshot records, as [`compare`](super::compare) reads it; `None` for a snapshot of another format.
pub(crate) fn read(text: &str) -> serde_json::Result<Option<Loaded>> {
    #[derive(Deserialize)]
    struct Format {
        format: u32,
    }
    if serde_json::from_str::<Format>(text)?.format != FORMAT {
        return Ok(None);
    }
    let snapshot: Snapshot = serde_json::from_str(text)?;
    let parsed = snapshot.operations.into_iter().map(|operation| Parsed { operation, warnings: Vec::new() }).collect();
    Ok(Some(Loaded { parsed, rust_names: snapshot.rust_names, ..Loaded::default() }))
}

#[cfg(test)]
mod tests {
    use super::visible_json;

    #[test]
    fn invisible_characters_are_escaped_and_read_back_as_themselves() {
        let value = serde_json::json!({ "a\u{202E}": ["x\u{2066}y\u{85}z\u{2028}", "plain 名称"] });
        let json = visible_json(serde_json::to_string_pretty(&value).unwrap());
        assert!(json.chars().all(|c| c == '\n' || !(c.is_control() || crate::codegen::text::is_bidi(c))), "{json}");
        assert!(json.contains("\\u202e") && json.contains("plain 名称"), "{json}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap(), value);
    }
}
