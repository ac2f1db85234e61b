//! What the tests of the `docbind` binary share: fresh folders and running the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// An empty folder of its own under cargo's scratch dir for integration tests (left for inspection after a run).
#[allow(dead_code)] // Each test binary compiles this module; drop_in.rs needs a folder outside the checkout instead.
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

/// Runs the built `docbind` in `cwd`; panics with its stderr when it fails.
pub fn docbind(cwd: &Path, args: &[&str]) -> String {
    let output =
        Command::new(env!("CARGO_BIN_EXE_docbind")).current_dir(cwd).args(args).output().expect("docbind runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "docbind {args:?} in {} failed:\n{stderr}", cwd.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}
