//! Golden tests: every case under `test_data/` is run through the library and compared with the expectation
//! stored beside it.
//!
//! ```text
//! test_data/<dialect>/ok/<name>.md           one doc that parses → <name>.ir.json (the IR as serialized)
//! test_data/<dialect>/err/<name>.md          one doc that is rejected → <name>.diag.txt
//!                                             (<dialect>: each of the generator's registered dialects)
//! test_data/codegen/ok/<case>/               a spec folder (docs, overlay.toml) → <case>.expected/, the generated
//!                                             crate, which is a workspace member and so is compiled and linted
//! test_data/{codegen,overlay}/err/<case>/     a spec folder that does not generate → <case>.diag.txt
//! ```
//!
//! `<name>.diag.txt` holds every diagnostic, one per line as displayed (paths relative to `test_data`); an `ok`
//! case has one only when it warns. `UPDATE_EXPECT=1 cargo test -p docbind-gen --test golden` rewrites every
//! expectation and removes those whose case is gone; review the diff before committing it.

use docbind_gen::{CrateSpec, GeneratedFile, InvalidDocs, Loaded, RuntimeDep};
use std::path::{Path, PathBuf};

const UPDATE_COMMAND: &str = "UPDATE_EXPECT=1 cargo test -p docbind-gen --test golden";

/// One run over `test_data`: failures are collected so that one run shows every mismatch.
struct Golden {
    root: PathBuf,
    update: bool,
    failures: Vec<String>,
    /// Expectation files and folders a case accounted for; anything else in a case folder is stale.
    expected: Vec<PathBuf>,
}

impl Golden {
    fn new() -> Self {
        Golden {
            root: Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data"),
            update: std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v != "0"),
            failures: Vec::new(),
            expected: Vec::new(),
        }
    }

    fn fail(&mut self, message: String) {
        self.failures.push(message);
    }

    /// Keeps the expectations of a case that failed before comparing from being reported as stale too.
    fn claim(&mut self, expectations: impl IntoIterator<Item = PathBuf>) {
        self.expected.extend(expectations);
    }

    /// Compares `actual` with the expectation file `rel`; `None` means the file must not exist.
    fn expect_file(&mut self, rel: PathBuf, actual: Option<String>) {
        let path = self.root.join(&rel);
        let current = std::fs::read_to_string(&path).ok();
        if current == actual {
            self.expected.push(rel);
            return;
        }
        if self.update {
            let written = match &actual {
                Some(text) => std::fs::write(&path, text),
                None => std::fs::remove_file(&path),
            };
            if let Err(e) = written {
                self.fail(format!("{}: cannot update: {e}", rel.display()));
            }
        } else {
            match (current, actual) {
                (None, Some(_)) => self.fail(format!("{}: no expectation yet", rel.display())),
                (Some(_), None) => self.fail(format!("{}: expected nothing here, but the file exists", rel.display())),
                (current, actual) => {
                    let (current, actual) = (current.unwrap_or_default(), actual.unwrap_or_default());
                    let diff = similar::TextDiff::from_lines(&current, &actual);
                    let diff = diff.unified_diff().context_radius(3).header("expected", "actual").to_string();
                    self.fail(format!("{} differs:\n{diff}", rel.display()));
                }
            }
        }
        self.expected.push(rel);
    }

    /// The generated crate against the expected crate folder `rel` (written by [`docbind_gen::ensure_files`]).
    fn expect_crate(&mut self, rel: PathBuf, files: &[GeneratedFile]) {
        let dir = self.root.join(&rel);
        if !dir.is_dir() && !self.update {
            self.fail(format!("{}: no expected crate yet", rel.display()));
        } else {
            match docbind_gen::ensure_files(&dir, files, !self.update) {
                Ok(stale) if !self.update => {
                    let root = format!("{}/", self.root.display());
                    self.failures.extend(stale.iter().map(|s| s.replace(&root, "")));
                }
                Ok(_) => {}
                Err(e) => self.fail(format!("{}: {e:#}", rel.display())),
            }
        }
        self.expected.push(rel);
    }

    /// Sorted entries of a case folder (`ucloud/ok`, `codegen/err`, …); the folder must exist.
    fn entries(&mut self, folder: &str) -> Vec<PathBuf> {
        let Ok(read) = std::fs::read_dir(self.root.join(folder)) else {
            self.fail(format!("{folder}: missing case folder"));
            return Vec::new();
        };
        let mut entries: Vec<PathBuf> =
            read.filter_map(|e| e.ok()).map(|e| Path::new(folder).join(e.file_name())).collect();
        entries.sort();
        entries
    }

    /// Anything in `folder` that no case claimed: an expectation whose case was removed or renamed.
    fn check_stale(&mut self, folder: &str, entries: &[PathBuf], is_case: impl Fn(&Path) -> bool) {
        for rel in entries {
            if is_case(rel) || self.expected.contains(rel) {
                continue;
            }
            let path = self.root.join(rel);
            if self.update {
                let removed = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
                if let Err(e) = removed {
                    self.fail(format!("{}: cannot remove: {e}", rel.display()));
                }
            } else {
                self.fail(format!("{}: stale, no case in {folder} produces it", rel.display()));
            }
        }
    }

    fn finish(self, what: &str) {
        if self.failures.is_empty() {
            return;
        }
        panic!(
            "{} {what} golden failure(s):\n\n{}\n\nIf the new output is right, run `{UPDATE_COMMAND}` and review the diff.",
            self.failures.len(),
            self.failures.join("\n\n")
        );
    }
}

/// Diagnostics, one per line as displayed; `None` when there are none.
fn diag_text(lines: impl IntoIterator<Item = String>) -> Option<String> {
    let text: String =
        lines.into_iter().flat_map(|l| l.lines().map(|l| format!("{l}\n")).collect::<Vec<_>>()).collect();
    (!text.is_empty()).then_some(text)
}

fn with_suffix(rel: &Path, suffix: &str) -> PathBuf {
    let mut name = rel.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    rel.with_file_name(name)
}

fn load_case(golden: &Golden, rel: &Path) -> Result<Loaded, docbind_gen::LoadError> {
    docbind_gen::load(&golden.root, &[rel.to_path_buf()], None)
}

/// One doc per case: `ok` docs become IR, `err` docs are rejected; both record their diagnostics.
#[test]
fn dialects() {
    let mut golden = Golden::new();
    // The folders are the registry's dialects; any other folder is a dialect's that is gone.
    let dialects: Vec<&str> = docbind_gen::ir::Dialect::all().map(|d| d.name()).collect();
    for folder in golden.entries(".") {
        let name = folder.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if golden.root.join(&folder).is_dir() && !["codegen", "overlay"].contains(&name) && !dialects.contains(&name) {
            golden.fail(format!("{}: stale, no registered dialect is named so", folder.display()));
        }
    }
    for dialect in dialects {
        for outcome in ["ok", "err"] {
            let folder = format!("{dialect}/{outcome}");
            let entries = golden.entries(&folder);
            let is_doc = |p: &Path| p.extension().is_some_and(|e| e == "md");
            for doc in entries.iter().filter(|p| is_doc(p)) {
                let stem = doc.with_extension("");
                // Claimed up front: a case that fails before comparing reports that failure only.
                golden.claim([with_suffix(&stem, ".diag.txt")]);
                if outcome == "ok" {
                    golden.claim([with_suffix(&stem, ".ir.json")]);
                }
                let loaded = match load_case(&golden, doc) {
                    Ok(loaded) => loaded,
                    Err(e) => {
                        golden.fail(format!("{}: {e:#}", doc.display()));
                        continue;
                    }
                };
                let rejected = loaded.rejected.iter().map(ToString::to_string);
                let notes = loaded.not_api.iter().map(ToString::to_string);
                let diagnostics =
                    diag_text(loaded.warnings.iter().map(ToString::to_string).chain(notes).chain(rejected));
                let ir = match (outcome, loaded.parsed.as_slice()) {
                    ("ok", [parsed]) => {
                        let source = std::fs::read_to_string(golden.root.join(doc)).unwrap_or_default();
                        let read_as = docbind_gen::detect_doc(doc, &source).ok().map(|d| d.name());
                        if read_as != Some(dialect) {
                            golden.fail(format!("{}: read as the other dialect", doc.display()));
                        }
                        match serde_json::to_string_pretty(&parsed.operation) {
                            Ok(json) => Some(json + "\n"),
                            Err(e) => {
                                golden.fail(format!("{}: IR does not serialize: {e}", doc.display()));
                                None
                            }
                        }
                    }
                    ("err", []) => None,
                    _ => {
                        let got = if loaded.parsed.is_empty() { "rejected" } else { "parsed" };
                        golden.fail(format!(
                            "{}: {got}, which does not belong in {folder}:\n{}",
                            doc.display(),
                            diagnostics.unwrap_or_default()
                        ));
                        continue;
                    }
                };
                if outcome == "ok" {
                    golden.expect_file(with_suffix(&stem, ".ir.json"), ir);
                }
                golden.expect_file(with_suffix(&stem, ".diag.txt"), diagnostics);
            }
            golden.check_stale(&folder, &entries, is_doc);
        }
    }
    golden.finish("dialect");
}

/// One spec folder per case, loaded and generated like `cargo xtask codegen` does for `specs/` (failing on any
/// invalid doc):
/// `ok` cases become a crate, `err` cases fail with diagnostics.
#[test]
fn spec_folders() {
    let mut golden = Golden::new();
    // Overlays that apply cleanly are exercised by the codegen cases that have one.
    for (folder, ok) in [("codegen/ok", true), ("codegen/err", false), ("overlay/err", false)] {
        let entries = golden.entries(folder);
        let root = golden.root.clone();
        for case in entries.iter().filter(|p| is_case_folder(&root, p)) {
            run_spec_case(&mut golden, case, ok);
        }
        golden.check_stale(folder, &entries, |p| is_case_folder(&root, p));
    }
    golden.finish("spec folder");
}

/// A case is a folder whose name has no dot (`<case>.expected` is an expectation).
fn is_case_folder(root: &Path, rel: &Path) -> bool {
    root.join(rel).is_dir() && !rel.file_name().unwrap_or_default().to_string_lossy().contains('.')
}

fn run_spec_case(golden: &mut Golden, case: &Path, ok: bool) {
    let name = case.file_name().unwrap_or_default().to_string_lossy().to_string();
    let spec = CrateSpec {
        crate_name: format!("golden-{}", name.replace('_', "-")),
        spec_dir: case.to_path_buf(),
        out_dir: golden.root.join(with_suffix(case, ".expected")),
        spec_label: case.display().to_string(),
        runtime: RuntimeDep::Workspace,
        standalone: false,
    };
    // Claimed up front: a case that fails before comparing reports that failure only.
    golden.claim([with_suffix(case, ".expected"), with_suffix(case, ".diag.txt")]);
    let loaded = match load_case(golden, case) {
        Ok(loaded) => loaded,
        Err(e) => {
            golden.fail(format!("{}: {e:#}", case.display()));
            return;
        }
    };
    let mut diagnostics: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    diagnostics.extend(loaded.not_api.iter().map(ToString::to_string));
    match (docbind_gen::generate(&spec, &loaded, InvalidDocs::Fail), ok) {
        (Ok(generated), true) => {
            diagnostics.extend(generated.skipped.iter().map(ToString::to_string));
            diagnostics.extend(generated.warnings.iter().map(ToString::to_string));
            // Deterministic whatever order the docs were read in.
            let reversed = Loaded {
                parsed: loaded.parsed.iter().rev().cloned().collect(),
                rust_names: loaded.rust_names.clone(),
                linked: loaded.linked.clone(),
                ..Loaded::default()
            };
            match docbind_gen::generate(&spec, &reversed, InvalidDocs::Fail) {
                Ok(again) if again.files == generated.files => {}
                _ => golden.fail(format!("{}: output depends on the order of the docs", case.display())),
            }
            golden.expect_crate(with_suffix(case, ".expected"), &generated.files);
        }
        (Err(e), false) => diagnostics.push(format!("{e:#}")),
        (Ok(_), false) => {
            golden.fail(format!("{}: generated, which does not belong in an err folder", case.display()));
            return;
        }
        (Err(e), true) => {
            golden
                .fail(format!("{}: does not generate, which does not belong in an ok folder:\n{e:#}", case.display()));
            return;
        }
    }
    golden.expect_file(with_suffix(case, ".diag.txt"), diag_text(diagnostics));
}

/// What a published crate's reader sees (rustdoc and the README) names the vendor's page or the overlay's file,
/// never the spec folder's path, which means nothing outside this repository (issue #22). The `@generated`
/// headers, for reviewers of the repository, keep it.
#[test]
fn generated_docs_name_no_spec_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let mut seen = Vec::new();
    for case in std::fs::read_dir(root.join("codegen/ok")).expect("codegen/ok") {
        let case = case.expect("entry").path();
        let name = case.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if !case.is_dir() || name.contains('.') {
            continue;
        }
        let folder = format!("codegen/ok/{name}");
        let expected = case.with_file_name(format!("{name}.expected"));
        let mut files = vec![expected.join("README.md")];
        files.extend(std::fs::read_dir(expected.join("src")).expect("src").map(|e| e.expect("entry").path()));
        for file in files {
            let text = std::fs::read_to_string(&file).expect("generated file");
            for (n, line) in text.lines().enumerate() {
                let line = line.trim_start();
                let rendered = if file.ends_with("README.md") {
                    !line.starts_with("<!-- @generated")
                } else {
                    line.starts_with("///") || line.starts_with("//!") || line.starts_with("#[doc")
                };
                if rendered && line.contains(&folder) {
                    seen.push(format!("{}:{}: {line}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(seen.is_empty(), "docs name the spec folder:\n{}", seen.join("\n"));
}
