//! Regenerating a crate never loses an operation silently: a doc that stops parsing fails (unless
//! `--skip-invalid`, which names it), pages that are not API docs are skipped with a note, overlay problems always
//! fail, and a breaking API change against the crate's `docbind-api.json` fails unless `--accept-breaking`.

mod common;

use common::{docbind, docbind_output, files, fresh_dir, repo_root};
use std::path::{Path, PathBuf};

/// A repository with specs/ucloud-uodn's docs in `docs/`, and the crate generated from them in `uodn/`.
fn generated_repo(name: &str) -> PathBuf {
    let repo = fresh_dir(&format!("regenerate/{name}"));
    std::fs::create_dir_all(repo.join("docs")).expect("writable");
    for (rel, text) in files(&repo_root().join("specs/ucloud-uodn")) {
        std::fs::write(repo.join("docs").join(rel), text).expect("writable");
    }
    docbind(&repo, &GENERATE);
    repo
}

const GENERATE: [&str; 5] = ["generate", "--spec-dir", "docs", "--out", "uodn"];

/// Replaces `from` with `to` in a doc (which must hold it) and returns the 1-based line of the change.
fn edit_doc(repo: &Path, doc: &str, from: &str, to: &str) -> usize {
    let path = repo.join("docs").join(doc);
    let text = std::fs::read_to_string(&path).expect("readable");
    let at = text.find(from).unwrap_or_else(|| panic!("{doc} has no {from:?}"));
    std::fs::write(&path, text.replacen(from, to, 1)).expect("writable");
    text[..at].matches('\n').count() + 1
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const NODE_ID_ROW: &str = "| **NodeId.N** | string | 节点ID |**Yes**|";

#[test]
fn a_doc_that_stops_parsing_fails_and_leaves_the_crate_untouched() {
    // A misspelt type, and an empty required cell.
    for (case, broken_row) in [
        ("misspelt-type", "| **NodeId.N** | strnig | 节点ID |**Yes**|"),
        ("empty-required-cell", "| **NodeId.N** | string | 节点ID | |"),
    ] {
        let repo = generated_repo(case);
        let before = files(&repo.join("uodn"));
        let line = edit_doc(&repo, "stop_uvodn_node.md", NODE_ID_ROW, broken_row);
        let output = docbind_output(&repo, &GENERATE);
        let err = stderr(&output);
        assert!(!output.status.success(), "{case}: a doc that stops parsing must fail:\n{err}");
        assert!(err.contains(&format!("stop_uvodn_node.md:{line}: error:")), "{case}: names the doc's line:\n{err}");
        assert!(err.contains("--skip-invalid"), "{case}: says how to leave it out:\n{err}");
        assert!(files(&repo.join("uodn")) == before, "{case}: the crate changed");
    }
}

#[test]
fn skip_invalid_names_the_doc_it_leaves_out_and_generates_the_rest() {
    let repo = fresh_dir("regenerate/skip-invalid");
    std::fs::create_dir_all(repo.join("docs")).expect("writable");
    for (rel, text) in files(&repo_root().join("specs/ucloud-uodn")) {
        std::fs::write(repo.join("docs").join(rel), text).expect("writable");
    }
    // The overlay has entries for GetUvodnNodePrice: they go with the doc left out.
    let line = edit_doc(&repo, "get_uvodn_node_price.md", "| **NodeCount** | int |", "| **NodeCount** | integr |");
    let output = docbind_output(&repo, &[&GENERATE[..], &["--skip-invalid"]].concat());
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    let skipped: Vec<&str> = err.lines().filter(|l| l.starts_with("skipped: ")).collect();
    assert!(
        skipped.iter().any(|l| l.contains(&format!("get_uvodn_node_price.md:{line}: error:"))),
        "names the doc:\n{err}"
    );
    assert!(skipped.iter().any(|l| l.contains("overlay.toml:") && l.contains("GetUvodnNodePrice")), "{err}");
    let crate_files = files(&repo.join("uodn"));
    assert!(!crate_files.contains_key("src/get_uvodn_node_price.rs"), "{:?}", crate_files.keys());
    assert!(crate_files.contains_key("src/stop_uvodn_node.rs") && crate_files.contains_key("src/waiters.rs"));
}

#[test]
fn pages_that_are_not_api_docs_are_skipped_with_a_note() {
    let repo = fresh_dir("regenerate/not-api");
    std::fs::create_dir_all(repo.join("docs")).expect("writable");
    for (rel, text) in files(&repo_root().join("specs/ucloud-uodn")) {
        std::fs::write(repo.join("docs").join(rel), text).expect("writable");
    }
    // As vendors publish their folders: an overview and a glossary beside the Action docs.
    std::fs::write(repo.join("docs/README.md"), "# UEDN API 简介\n\n边缘节点的 API。\n").expect("writable");
    let glossary = "# 名词解释\n\n| 名词 | 含义 |\n|---|---|\n| 节点 | 一台边缘主机 |\n";
    std::fs::write(repo.join("docs/_glossary.md"), glossary).expect("writable");
    // By default, and with the old `--strict` (now the default, accepted and ignored).
    for extra in [&[][..], &["--strict"][..]] {
        let output = docbind_output(&repo, &[&GENERATE[..], extra].concat());
        let err = stderr(&output);
        assert!(output.status.success(), "{extra:?}:\n{err}");
        for page in ["README.md", "_glossary.md"] {
            assert!(err.contains(&format!("{page}: note: skipped, not an API operation doc")), "{page}:\n{err}");
        }
        assert!(!err.contains("skipped: "), "nothing is a skipped doc:\n{err}");
    }
}

#[test]
fn overlay_problems_fail_even_when_invalid_docs_are_skipped() {
    let repo = generated_repo("overlay-problem");
    let before = files(&repo.join("uodn"));
    let overlay = repo.join("docs/overlay.toml");
    let text = std::fs::read_to_string(&overlay).expect("readable");
    // A string where a boolean belongs: before, the overlay was skipped and StopUvodnNode generated as it was.
    std::fs::write(&overlay, format!("{text}\n[StopUvodnNode]\nread_only = \"false\"\n")).expect("writable");
    let line = text.lines().count() + 3;
    for extra in [&[][..], &["--skip-invalid"][..]] {
        let output = docbind_output(&repo, &[&GENERATE[..], extra].concat());
        let err = stderr(&output);
        assert!(!output.status.success(), "{extra:?}:\n{err}");
        assert!(err.contains(&format!("overlay.toml:{line}: error: invalid type: string \"false\"")), "{err}");
        assert!(files(&repo.join("uodn")) == before, "{extra:?}: the crate changed");
    }
}

#[test]
fn a_breaking_change_is_refused_unless_accepted() {
    let repo = generated_repo("breaking");
    let before = files(&repo.join("uodn"));
    // An operation removed, and a request field's type changed.
    std::fs::remove_file(repo.join("docs/stop_uvodn_node.md")).expect("removable");
    let line = edit_doc(&repo, "get_uvodn_node_price.md", "| **NodeCount** | int |", "| **NodeCount** | string |");
    let output = docbind_output(&repo, &GENERATE);
    let err = stderr(&output);
    assert!(!output.status.success(), "{err}");
    assert!(err.contains("--accept-breaking"), "{err}");
    assert!(err.contains("stop_uvodn_node.md:1: breaking: StopUvodnNode: operation removed"), "{err}");
    // Named as the command was given (--spec-dir docs), not from the crate's folder.
    assert!(err.contains("\n  docs/stop_uvodn_node.md:1: ") && !err.contains("../docs"), "{err}");
    assert!(
        err.contains(&format!(
            "get_uvodn_node_price.md:{line}: breaking: GetUvodnNodePrice: request field NodeCount: type changed: int \
             -> string"
        )),
        "{err}"
    );
    assert!(files(&repo.join("uodn")) == before, "the crate changed");

    docbind(&repo, &[&GENERATE[..], &["--accept-breaking"]].concat());
    let after = files(&repo.join("uodn"));
    assert!(!after.contains_key("src/stop_uvodn_node.rs"));
    assert!(!after["docbind-api.json"].contains("\"name\": \"StopUvodnNode\""), "the snapshot records the new API");
    // Recorded: the same docs again are no change.
    docbind(&repo, &GENERATE);
}

#[test]
fn a_compatible_change_is_written_and_recorded() {
    let repo = generated_repo("compatible");
    let force = "| **Force** | bool | 强制停止 |No|";
    edit_doc(&repo, "stop_uvodn_node.md", NODE_ID_ROW, &format!("{NODE_ID_ROW}\n{force}"));
    docbind(&repo, &GENERATE);
    let after = files(&repo.join("uodn"));
    assert!(after["src/stop_uvodn_node.rs"].contains("pub force: Option<bool>"), "{}", after["src/stop_uvodn_node.rs"]);
    assert!(after["docbind-api.json"].contains("\"wire_name\": \"Force\""), "the snapshot records the new field");
}

#[test]
fn a_crate_without_a_snapshot_is_regenerated_with_a_note() {
    // Generated before docbind recorded its API: the old API is unknown, so nothing is refused.
    let repo = generated_repo("no-snapshot");
    std::fs::remove_file(repo.join("uodn/docbind-api.json")).expect("generated");
    std::fs::remove_file(repo.join("docs/stop_uvodn_node.md")).expect("removable");
    let output = docbind_output(&repo, &GENERATE);
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(err.contains("has no API snapshot"), "{err}");
    assert!(repo.join("uodn/docbind-api.json").is_file());
}
