//! docbind's generator: vendor markdown API docs → IR → Rust crates.
//!
//! Three jobs, each a function at the crate root:
//!
//! - **Load** a folder of docs: [`load`] reads every doc into the [`ir`] and applies the folder's
//!   `overlay.toml` ([`parse_doc`] reads one doc's text). The [`Loaded`] result holds the operations ([`Parsed`]), the docs left out with their reasons
//!   ([`Rejection`]s), warnings ([`Diagnostic`]s), and what the overlay names in Rust ([`RustNames`]).
//! - **Generate** a crate: [`generate`] turns a [`Loaded`] into the files of a [`CrateSpec`] ([`Generated`]), and
//!   [`ensure_files`] writes them, or checks that they are written. [`Generated::operations`] shows each
//!   operation's Rust definitions read-only ([`GeneratedOperation`], [`StructDef`], [`FieldDef`]).
//! - **Diff** two doc versions: [`compare`] (or [`compare_dirs`], [`compare_git`]) lists the [`Change`]s to the
//!   generated Rust API, each with its [`Impact`]; [`summary`] says it in one line.
//!
//! ```no_run
//! use std::path::{Path, PathBuf};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let spec_dir = PathBuf::from("specs/ucloud-uodn");
//! let loaded = docbind_gen::load(Path::new("."), std::slice::from_ref(&spec_dir), None)?;
//! let spec = docbind_gen::CrateSpec {
//!     crate_name: "ucloud-uodn".into(),
//!     spec_label: "specs/ucloud-uodn".into(),
//!     spec_dir,
//!     out_dir: PathBuf::from("crates/ucloud-uodn"),
//!     runtime: docbind_gen::RuntimeDep::Workspace,
//!     standalone: false,
//! };
//! let generated = docbind_gen::generate(&spec, &loaded, true)?;
//! let stale = docbind_gen::ensure_files(&spec.out_dir, &generated.files, true)?;
//! assert!(stale.is_empty(), "regenerate: {stale:?}");
//! # Ok(())
//! # }
//! ```
//!
//! Inside, one module per stage (ARCHITECTURE.md draws them and says which file owns what): `load` finds and reads
//! doc files, `markdown` turns one into blocks, `dialect` reads a vendor's doc template into the [`ir`],
//! `overlay` applies `overlay.toml`, `codegen` turns IR into formatted files (`codegen/protocol` for what differs
//! per vendor), and `diff` classifies API changes.

#![warn(missing_docs)]

mod codegen;
mod diag;
mod dialect;
mod diff;
pub mod ir;
mod load;
mod markdown;
mod overlay;
pub mod parallel;
#[cfg(test)]
mod robustness;

pub use codegen::defs::{Arity, FieldDef, Shape, StructDef, StructKind};
pub use codegen::names::ident as rust_ident;
pub use codegen::{
    ensure_files, generate, CodegenError, CodegenErrorKind, CrateSpec, Formatting, GenerateError, Generated,
    GeneratedFile, GeneratedOperation, RuntimeDep, Vendor, WriteError, RUNTIME_VERSION,
};
pub use diag::{Diagnostic, Rejection, Severity};
pub use dialect::{parse_doc, Parsed};
pub use diff::{compare, compare_dirs, compare_git, summary, summary_since_head, Change, DiffError, Impact};
pub use load::{load, LoadError, LoadTimings, Loaded};
pub use overlay::RustNames;

#[cfg(test)]
mod test_support {
    use std::path::{Path, PathBuf};

    /// The repository root: this crate lives two levels below it.
    pub fn repo_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }
}
