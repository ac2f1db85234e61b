//! What the tests of the `docbind` binary share: fresh folders and running the binary.

#![allow(dead_code)] // Each test binary compiles this module and uses part of it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// An empty folder of its own under cargo's scratch dir for integration tests (left for inspection after a run).
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docbind-cli").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir is writable");
    dir
}

/// This checkout's root: the crate lives two levels below it.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the built `docbind` in `cwd`, whatever its outcome.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docbind")).current_dir(cwd).args(args).output().expect("docbind runs")
}

/// Every file under `dir`, by path relative to it.
pub fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable") {
            let path = entry.expect("readable").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under dir").display().to_string();
                found.insert(rel, std::fs::read_to_string(&path).expect("text"));
            }
        }
    }
    found
}

/// Copies the checked-in specs/ucloud-uodn to `to`.
pub fn copy_docs(to: &Path) {
    std::fs::create_dir_all(to).expect("writable");
    for (rel, text) in files(&repo_root().join("specs/ucloud-uodn")) {
        std::fs::write(to.join(rel), text).expect("writable");
    }
}

/// Runs the built `docbind` in `cwd`; panics with its stderr when it fails.
pub fn docbind(cwd: &Path, args: &[&str]) -> String {
    let output = run(cwd, args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "docbind {args:?} in {} failed:\n{stderr}", cwd.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs the built `docbind` in `cwd`, failing or not.
#[allow(dead_code)] // Not every test binary expects failures.
pub fn docbind_output(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_docbind")).current_dir(cwd).args(args).output().expect("docbind runs")
}
