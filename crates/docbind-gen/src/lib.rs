#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod codegen;
mod diag;
mod dialect;
mod diff;
mod incremental;
pub mod ir;
mod load;
mod markdown;
mod output;
mod overlay;
pub mod parallel;
mod record;
#[cfg(test)]
mod robustness;
mod validate;

pub use codegen::defs::{Arity, FieldDef, Shape, StructDef, StructKind};
pub use codegen::names::ident as rust_ident;
pub use codegen::{
    generate, generate_incremental, generate_version, CodegenError, CodegenErrorKind, CrateSpec, Formatting,
    GenerateError, Generated, GeneratedFile, GeneratedOperation, InvalidDocs, Previous, RuntimeDep, Vendor,
    FIRST_VERSION, RUNTIME_VERSION,
};
pub use diag::{Diagnostic, NotApiPage, Rejection, Severity};
pub use dialect::{detect_doc, parse_doc, Parsed};
pub use diff::{
    api_gate, compare, compare_dirs, compare_git, summary, summary_since_head, ApiGate, Change, DiffError, Impact,
};
pub use load::{load, LoadError, LoadTimings, Loaded};
pub use output::{ensure_files, force_files, WriteError};
pub use overlay::RustNames;
pub use record::{read_record, Record, RecordError, RecordedRuntime, RecordedSettings, RECORD_FILE};

#[cfg(test)]
mod test_support {
    use std::path::{Path, PathBuf};

    /// The repository root: this crate lives two levels below it.
    pub fn repo_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }
}
