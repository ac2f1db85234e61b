//! docbind's generator: vendor markdown API docs → IR → Rust crates.
//!
//! The stages, each in its own module (ARCHITECTURE.md draws them):
//! [`load`] finds and parses doc files, [`markdown`] turns one into blocks, [`dialect`] reads a vendor's doc
//! template into the [`ir`], [`overlay`] applies `overlay.toml` corrections, [`codegen`] turns IR into formatted
//! files and [`diff`] classifies API changes between two doc versions.

pub mod codegen;
pub mod diag;
pub mod dialect;
pub mod diff;
pub mod ir;
pub mod load;
pub mod markdown;
pub mod overlay;
pub mod parallel;
#[cfg(test)]
mod robustness;

#[cfg(test)]
mod test_support {
    use std::path::{Path, PathBuf};

    /// The repository root: this crate lives two levels below it.
    pub fn repo_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }
}
