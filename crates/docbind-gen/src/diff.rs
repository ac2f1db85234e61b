//! API change reports: what a docs update changes in the generated Rust API, and whether it breaks callers.
//!
//! The classification follows the generated code, not the wire: request structs are built with `new(required…)`
//! and `with_*` setters, response and model structs are `#[non_exhaustive]` with every member optional.

pub(crate) mod snapshot;

use crate::codegen::GeneratedFile;
use crate::ir::{Data, Field, Model, Operation, Response, Source, Type};
use crate::load::{load, LoadError, Loaded};
use crate::overlay::{Enumeration, OperationRustNames, Waiter};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Whether a change breaks code written against the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Code that compiled against the old crate may not compile against the new one.
    Breaking,
    /// Existing code keeps compiling.
    Compatible,
}

/// One API change between two doc versions (`breaking: CreateRule: request field Old: removed`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Whether it breaks callers.
    pub impact: Impact,
    /// The operation's name.
    pub operation: String,
    /// What changed: `request field NodeId`, `model ImageInfo field State`, …; empty for the operation itself.
    pub subject: String,
    /// How it changed.
    pub detail: String,
    /// Where: the doc row (or title) of what changed, in the new docs, or in the old ones for what was removed.
    #[serde(skip)]
    pub at: Option<Source>,
}

impl Change {
    fn at(mut self, source: &Source) -> Change {
        self.at = Some(source.clone());
        self
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let impact = match self.impact {
            Impact::Breaking => "breaking",
            Impact::Compatible => "compatible",
        };
        if self.subject.is_empty() {
            write!(f, "{impact}: {}: {}", self.operation, self.detail)
        } else {
            write!(f, "{impact}: {}: {}: {}", self.operation, self.subject, self.detail)
        }
    }
}

/// Compares two loaded doc sets (their operations, keyed as the generated crate tells them apart, and what their
/// overlays name in Rust). The result is sorted: breaking changes first.
pub fn compare(old_docs: &Loaded, new_docs: &Loaded) -> Vec<Change> {
    let (old, new) = (by_module(old_docs), by_module(new_docs));
    let mut out = Vec::new();
    for (module, op) in &old {
        if !new.contains_key(module) {
            out.push(
                change(Impact::Breaking, &op.name, "", format!("operation removed (was {})", op.source.file.display()))
                    .at(&op.source),
            );
        }
    }
    for (module, op) in &new {
        match old.get(module) {
            None => out.push(
                change(Impact::Compatible, &op.name, "", format!("operation added ({})", op.source.file.display()))
                    .at(&op.source),
            ),
            Some(before) => {
                let overlays = (old_docs.rust_names.of(&before.source.file), new_docs.rust_names.of(&op.source.file));
                let first = out.len();
                compare_operation(before, op, overlays, &mut out);
                // What is not about one row is about the operation.
                for c in &mut out[first..] {
                    c.at.get_or_insert_with(|| op.source.clone());
                }
            }
        }
    }
    compare_waiters(old_docs.rust_names.waiters(), new_docs.rust_names.waiters(), &mut out);
    out.sort();
    out
}

/// Waiters are client methods: one removed or changed breaks callers, one added does not.
fn compare_waiters(old: &[Waiter], new: &[Waiter], out: &mut Vec<Change>) {
    for before in old {
        match new.iter().find(|w| w.name == before.name) {
            None => out.push(
                change(Impact::Breaking, &before.operation, &format!("waiter {}", before.name), "removed")
                    .at(&before.source),
            ),
            Some(after) if after != before => out.push(
                change(Impact::Breaking, &after.operation, &format!("waiter {}", after.name), "changed")
                    .at(&after.source),
            ),
            Some(_) => {}
        }
    }
    for after in new.iter().filter(|w| !old.iter().any(|before| before.name == w.name)) {
        out.push(
            change(Impact::Compatible, &after.operation, &format!("waiter {}", after.name), "added").at(&after.source),
        );
    }
}

/// The operations by module, as the generator's twin rule names them: two docs of one Action are two modules, and
/// code written against the crate calls the one that keeps the plain name (the classification test caught a diff
/// that keyed by Action and compared a new `_json` twin with the old page). Before overlay renames, which
/// `compare_operation` reports.
fn by_module(loaded: &Loaded) -> BTreeMap<String, &Operation> {
    let keys: Vec<(&str, &Path)> =
        loaded.parsed.iter().map(|p| (p.operation.name.as_str(), p.operation.source.file.as_path())).collect();
    let chosen = crate::codegen::names::operation_names(&keys, &loaded.linked);
    chosen.into_iter().zip(&loaded.parsed).map(|(c, p)| (c.module, &p.operation)).collect()
}

fn change(impact: Impact, operation: &str, subject: &str, detail: impl Into<String>) -> Change {
    Change { impact, operation: operation.to_string(), subject: subject.to_string(), detail: detail.into(), at: None }
}

fn compare_operation(
    old: &Operation,
    new: &Operation,
    (old_names, new_names): (&OperationRustNames, &OperationRustNames),
    out: &mut Vec<Change>,
) {
    let op = new.name.as_str();
    if old.protocol != new.protocol {
        out.push(change(
            Impact::Compatible,
            op,
            "",
            format!("endpoint changed: {:?} -> {:?}", old.protocol, new.protocol),
        ));
    }
    if old.access.read_only != new.access.read_only {
        let class = |read_only: bool| if read_only { "read-only" } else { "may change state" };
        let detail = format!(
            "retry class changed: {} -> {} ({})",
            class(old.access.read_only),
            class(new.access.read_only),
            new.access.reason
        );
        out.push(change(Impact::Compatible, op, "retries", detail));
    }
    compare_request(op, "request field", &old.request, &new.request, out);
    compare_members(op, "response field", &response_fields(&old.response), &response_fields(&new.response), out);
    if response_shape(&old.response) != response_shape(&new.response) {
        out.push(change(
            Impact::Breaking,
            op,
            "response",
            format!("shape changed: {} -> {}", response_shape(&old.response), response_shape(&new.response)),
        ));
    }
    if old_names != new_names {
        if old_names.rename != new_names.rename {
            let name =
                |names: &OperationRustNames| names.rename.as_ref().map_or("its own", |r| r.name.as_str()).to_string();
            let detail =
                format!("overlay changes the operation's Rust name: {} -> {}", name(old_names), name(new_names));
            out.push(change(Impact::Breaking, op, "Rust name", detail));
        }
        for a in &new_names.fields {
            let before = old_names.field(&a.path);
            if before != Some(a) {
                // Only the wire type of the values (TOML integers or strings): the Rust API is the same, the
                // serialized form (cargo feature `serde`) is not.
                let serde_only = before.is_some_and(|b| {
                    let same_values =
                        |x: &Enumeration, y: &Enumeration| Enumeration { numbers: y.numbers, ..x.clone() } == *y;
                    b.rename == a.rename
                        && matches!((&b.enumeration, &a.enumeration), (Some(x), Some(y)) if same_values(x, y))
                });
                let detail = if serde_only {
                    "overlay changes whether serde writes the enumeration's values as numbers or strings"
                } else {
                    "overlay changes its Rust name or type"
                };
                out.push(change(Impact::Breaking, op, &format!("field {}", a.path), detail));
            }
        }
        for a in &old_names.fields {
            if new_names.field(&a.path).is_none() {
                out.push(change(Impact::Breaking, op, &format!("field {}", a.path), "overlay annotation removed"));
            }
        }
        if old_names.models != new_names.models {
            out.push(change(Impact::Breaking, op, "models", "overlay changes model type names"));
        }
    }
    let old_models: BTreeMap<&str, &Model> = old.models.iter().map(|m| (m.name.as_str(), m)).collect();
    let new_models: BTreeMap<&str, &Model> = new.models.iter().map(|m| (m.name.as_str(), m)).collect();
    for (name, model) in &old_models {
        if !new_models.contains_key(name) {
            out.push(change(Impact::Breaking, op, &format!("model {name}"), "removed").at(&model.source));
        }
    }
    for (name, model) in &new_models {
        match old_models.get(name) {
            None => out.push(change(Impact::Compatible, op, &format!("model {name}"), "added").at(&model.source)),
            Some(before) => {
                compare_members(op, &format!("model {name} field"), &before.fields, &model.fields, out);
            }
        }
    }
}

fn response_fields(response: &Response) -> Vec<Field> {
    match response {
        Response::Fields { fields } => fields.clone(),
        Response::Envelope { data } => match data {
            Data::Object { fields } | Data::List { fields } | Data::Page { fields, .. } => fields.clone(),
            Data::Scalar { .. } | Data::Untyped => Vec::new(),
        },
    }
}

fn response_shape(response: &Response) -> String {
    match response {
        Response::Fields { .. } => "fields".into(),
        Response::Envelope { data } => match data {
            Data::Untyped => "untyped data".into(),
            Data::Scalar { ty } => format!("data {}", type_name(ty)),
            Data::Object { .. } => "data object".into(),
            Data::List { .. } => "data list".into(),
            Data::Page { items, total, .. } => format!("data page ({items}, {total})"),
        },
    }
}

/// A type as the docs write it: `string`, `array[ImageInfo]`, `{Port: int}`.
pub(crate) fn type_name(ty: &Type) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Int => "int".into(),
        Type::Float => "float".into(),
        Type::Bool => "bool".into(),
        Type::Json => "object".into(),
        Type::TextMap => "map".into(),
        Type::Model(m) => m.clone(),
        Type::List(inner) => format!("array[{}]", type_name(inner)),
        Type::Group(fields) => {
            let members: Vec<String> =
                fields.iter().map(|f| format!("{}: {}", f.wire_name, type_name(&f.ty))).collect();
            format!("{{{}}}", members.join(", "))
        }
    }
}

/// Response and model members: all optional in Rust, so required-ness does not change the API.
fn compare_members(op: &str, what: &str, old: &[Field], new: &[Field], out: &mut Vec<Change>) {
    for f in old {
        if !new.iter().any(|n| n.wire_name == f.wire_name) {
            out.push(change(Impact::Breaking, op, &format!("{what} {}", f.wire_name), "removed").at(&f.source));
        }
    }
    for f in new {
        let first = out.len();
        let subject = format!("{what} {}", f.wire_name);
        match old.iter().find(|o| o.wire_name == f.wire_name) {
            None => out.push(change(Impact::Compatible, op, &subject, format!("added ({})", type_name(&f.ty)))),
            Some(before) => {
                if before.ty != f.ty {
                    out.push(change(
                        Impact::Breaking,
                        op,
                        &subject,
                        format!("type changed: {} -> {}", type_name(&before.ty), type_name(&f.ty)),
                    ));
                }
                if before.required != f.required {
                    out.push(change(
                        Impact::Compatible,
                        op,
                        &subject,
                        format!(
                            "documented as {} (still an Option in Rust)",
                            if f.required { "required" } else { "optional" }
                        ),
                    ));
                }
            }
        }
        locate(&mut out[first..], &f.source);
    }
}

/// Request members: required ones are `new(...)` arguments, so adding or changing one breaks callers.
fn compare_request(op: &str, what: &str, old: &[Field], new: &[Field], out: &mut Vec<Change>) {
    for f in old {
        if !new.iter().any(|n| n.wire_name == f.wire_name) {
            out.push(change(Impact::Breaking, op, &format!("{what} {}", f.wire_name), "removed").at(&f.source));
        }
    }
    for f in new {
        let first = out.len();
        let subject = format!("{what} {}", f.wire_name);
        match old.iter().find(|o| o.wire_name == f.wire_name) {
            None if f.required => out.push(change(
                Impact::Breaking,
                op,
                &subject,
                format!("added as required ({}): a new argument of new()", type_name(&f.ty)),
            )),
            None => {
                out.push(change(Impact::Compatible, op, &subject, format!("added as optional ({})", type_name(&f.ty))))
            }
            Some(before) => {
                match (&before.ty, &f.ty) {
                    (Type::Group(a), Type::Group(b)) => compare_request(op, &format!("{subject} member"), a, b, out),
                    (Type::List(a), Type::List(b))
                        if matches!((a.as_ref(), b.as_ref()), (Type::Group(_), Type::Group(_))) =>
                    {
                        if let (Type::Group(a), Type::Group(b)) = (a.as_ref(), b.as_ref()) {
                            compare_request(op, &format!("{subject} member"), a, b, out);
                        }
                    }
                    (a, b) if a != b => out.push(change(
                        Impact::Breaking,
                        op,
                        &subject,
                        format!("type changed: {} -> {}", type_name(a), type_name(b)),
                    )),
                    _ => {}
                }
                if before.required != f.required {
                    let detail = if f.required {
                        "became required: a new argument of new()"
                    } else {
                        "became optional: no longer an argument of new()"
                    };
                    out.push(change(Impact::Breaking, op, &subject, detail));
                }
            }
        }
        locate(&mut out[first..], &f.source);
    }
}

/// Gives the changes about one row that have no place yet that row's.
fn locate(changes: &mut [Change], source: &Source) {
    for c in changes {
        c.at.get_or_insert_with(|| source.clone());
    }
}

/// `2 breaking, 3 compatible` or `no API change`.
pub fn summary(changes: &[Change]) -> String {
    let breaking = changes.iter().filter(|c| c.impact == Impact::Breaking).count();
    let compatible = changes.len() - breaking;
    if changes.is_empty() {
        "no API change".into()
    } else {
        format!("{breaking} breaking, {compatible} compatible change(s)")
    }
}

/// Why two doc versions could not be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// A side could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A crate's API snapshot is not one docbind wrote (edited, or damaged): remove it to regenerate without the
    /// breaking-change check.
    #[error("{} is not an API snapshot docbind can read (remove it to regenerate without the breaking-change check)", path.display())]
    Snapshot {
        /// The snapshot file.
        path: PathBuf,
        /// What serde_json found.
        #[source]
        source: serde_json::Error,
    },
    /// `git archive` refused the revision or path.
    #[error("git archive {rev} {}: {stderr}", path.display())]
    Git {
        /// The revision asked for.
        rev: String,
        /// The path asked for.
        path: PathBuf,
        /// What git said.
        stderr: String,
    },
    /// Running git or tar, or writing the scratch folder, failed.
    #[error("{what} for {rev}:{}", path.display())]
    Checkout {
        /// What failed (`running git archive`, `unpacking`, ...).
        what: &'static str,
        /// The revision asked for.
        rev: String,
        /// The path asked for.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// What regenerating a crate changes in its API, against the snapshot (`docbind-api.json`) it was generated with.
#[derive(Debug)]
pub enum ApiGate {
    /// The crate's folder holds no snapshot: not generated yet, or generated before docbind wrote one (or in an
    /// older format). There is nothing to compare with.
    NoSnapshot,
    /// The API changes, breaking first (empty: no API change).
    Changes(Vec<Change>),
}

impl ApiGate {
    /// The breaking changes, if any.
    pub fn breaking(&self) -> Vec<&Change> {
        match self {
            ApiGate::NoSnapshot => Vec::new(),
            ApiGate::Changes(changes) => changes.iter().filter(|c| c.impact == Impact::Breaking).collect(),
        }
    }
}

/// Compares the API of the crate generated in `out_dir` (its snapshot) with the API of `files`, the crate about to
/// be written there: the old docs are not needed, only what the crate recorded.
pub fn api_gate(out_dir: &Path, files: &[GeneratedFile]) -> Result<ApiGate, DiffError> {
    let path = out_dir.join(snapshot::FILE_NAME);
    let old_text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ApiGate::NoSnapshot),
        Err(source) => return Err(DiffError::Load(LoadError::Read { path, source })),
    };
    let new = files.iter().find(|f| f.path == Path::new(snapshot::FILE_NAME)).map_or("", |f| f.text.as_str());
    if new == old_text {
        // The same snapshot as the one about to be written (the usual regeneration): the API did not change, and
        // neither side needs parsing.
        return Ok(ApiGate::Changes(Vec::new()));
    }
    let unreadable = |source| DiffError::Snapshot { path: path.clone(), source };
    let Some(old) = snapshot::read(&old_text).map_err(unreadable)? else { return Ok(ApiGate::NoSnapshot) };
    let new = snapshot::read(new).map_err(unreadable)?.unwrap_or_default();
    Ok(ApiGate::Changes(compare(&old, &new)))
}

/// Compares `path` (relative to `repo`) as of git revision `rev` with the working tree.
pub fn compare_git(repo: &Path, rev: &str, path: &Path) -> Result<Vec<Change>, DiffError> {
    let scratch = Scratch(checkout(repo, rev, path)?);
    compare_dirs(&scratch.0.join(path), &repo.join(path))
}

/// Parses both folders (unsupported docs are skipped on both sides) and compares their operations.
pub fn compare_dirs(old: &Path, new: &Path) -> Result<Vec<Change>, DiffError> {
    let empty = Path::new("");
    let old = if old.exists() { load(empty, &[old.to_path_buf()], None)? } else { Loaded::default() };
    let new = load(empty, &[new.to_path_buf()], None)?;
    Ok(compare(&old, &new))
}

/// One line for `cargo xtask codegen`: what the docs in `spec_dir` (relative to `repo`) change against git HEAD.
/// `None` when there is no git history to compare with.
pub fn summary_since_head(repo: &Path, spec_dir: &Path) -> Option<String> {
    let changes = compare_git(repo, "HEAD", spec_dir).ok()?;
    let breaking: Vec<&Change> = changes.iter().filter(|c| c.impact == Impact::Breaking).take(3).collect();
    let mut line = format!("{} since HEAD", summary(&changes));
    if !breaking.is_empty() {
        let shown: Vec<String> = breaking.iter().map(|c| format!("{} {}", c.operation, c.subject)).collect();
        line.push_str(&format!(" (breaking: {}{})", shown.join("; "), if changes.len() > 3 { "; …" } else { "" }));
    }
    Some(line)
}

/// A temporary folder removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Extracts `path` as of `rev` into a fresh temporary folder (via `git archive`).
fn checkout(repo: &Path, rev: &str, path: &Path) -> Result<PathBuf, DiffError> {
    use std::process::Command;
    let failed = |what: &'static str| {
        move |source| DiffError::Checkout { what, rev: rev.to_string(), path: path.to_path_buf(), source }
    };
    let dir =
        std::env::temp_dir().join(format!("docbind-diff-{}-{}", std::process::id(), rev.replace(['/', '~', '^'], "_")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(failed("creating a scratch folder"))?;
    let archive = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["archive", "--format=tar", rev, "--"])
        .arg(path)
        .output()
        .map_err(failed("running git archive"))?;
    if !archive.status.success() {
        let stderr = String::from_utf8_lossy(&archive.stderr).trim().to_string();
        return Err(DiffError::Git { rev: rev.to_string(), path: path.to_path_buf(), stderr });
    }
    let mut tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(&dir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(failed("running tar"))?;
    if let Some(stdin) = tar.stdin.as_mut() {
        std::io::Write::write_all(stdin, &archive.stdout).map_err(failed("unpacking"))?;
    }
    drop(tar.stdin.take());
    let unpacked = tar.wait().map_err(failed("unpacking"))?;
    if !unpacked.success() {
        let source = std::io::Error::other(format!("tar exited with {unpacked}"));
        return Err(DiffError::Checkout { what: "unpacking", rev: rev.to_string(), path: path.to_path_buf(), source });
    }
    Ok(dir)
}

#[cfg(test)]
mod tests;
