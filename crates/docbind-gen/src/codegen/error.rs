//! What can stop code generation: a crate-level [`GenerateError`], most often one operation's [`CodegenError`],
//! which names the operation and the file and line the problem is at (the doc row, or the overlay declaration).

use crate::diag::Rejection;
use crate::ir::Operation;
use std::path::PathBuf;

/// Why one operation could not be generated, and where: the doc's row (or the overlay's declaration) that asks
/// for what generated code cannot express.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: operation {operation}: {kind}", file.display())]
pub struct CodegenError {
    /// The operation's name (UCloud Action, Finovy name).
    pub operation: String,
    /// The doc, or the `overlay.toml`, the problem is in.
    pub file: PathBuf,
    /// 1-based line in `file`.
    pub line: usize,
    /// What is wrong (boxed: errors are rare, and the `Result`s that carry them are everywhere).
    pub kind: Box<CodegenErrorKind>,
}

/// What generated code cannot express.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodegenErrorKind {
    /// A list of lists or of maps, or a request group outside a request: generated code has no shape for them.
    #[error(
        "field `{field}` has type `{ty}`: generated code has no shape for a list of lists or of maps, or a group \
         outside a request"
    )]
    NestedType {
        /// The field's wire name (`data` for a Finovy scalar `data`).
        field: String,
        /// The type as the docs write it (`array[array[string]]`).
        ty: String,
    },
    /// A field typed as a model the doc does not define.
    #[error("field `{field}` has type `{model}`, but the doc defines no model `{model}`")]
    UndefinedModel {
        /// The field's wire name.
        field: String,
        /// The model it names.
        model: String,
    },
    /// A Finovy request line with a method the runtime does not send.
    #[error("unsupported HTTP method `{0}`; expected GET, POST, PUT, DELETE or PATCH")]
    UnsupportedMethod(String),
    /// A common parameter (`ir::CommonParameter`) whose default comes from a configuration setting the
    /// operation's wire does not fill: generated, it would be an optional field nothing sends.
    #[error(
        "`{parameter}` is a common parameter filled from `Config::{setting}`, but the {vendor} runtime fills no \
         such setting"
    )]
    UnfilledCommonParameter {
        /// The parameter's wire name.
        parameter: String,
        /// The configuration setting the dialect (or overlay) names for it.
        setting: String,
        /// The vendor whose runtime would have to fill it.
        vendor: &'static str,
    },
    /// A Finovy list or object parameter outside the JSON body (the runtime sends those only as body keys).
    #[error("list or object parameter `{0}` outside the JSON body is not supported")]
    ParameterOutsideBody(String),
    /// A UFile response header typed as something a header cannot hold.
    #[error(
        "response header `{field}` has type `{ty}`; a header is read as a string, number or boolean, or as a map of \
         the headers of a prefix when its name ends in `*`"
    )]
    UnsupportedHeader {
        /// The header's wire name.
        field: String,
        /// The type as the docs write it.
        ty: String,
    },
    /// Two overlay enums of one module share a name but not their values.
    #[error(
        "enum `{name}` of `{path}` lists other values than the enum `{name}` of `{first_path}` ({first_at}); one \
         module has one enum of a name: give one of them another `name`"
    )]
    EnumValuesConflict {
        /// The enum's Rust name.
        name: String,
        /// The field path of the second declaration.
        path: String,
        /// The field path of the first declaration.
        first_path: String,
        /// `file:line` of the first declaration.
        first_at: String,
    },
    /// An overlay enum named like another type of its module, or a standard type generated code uses.
    #[error("enum `{name}` of `{path}` is named like {clash}; give it another `name`")]
    EnumNameClash {
        /// The enum's Rust name.
        name: String,
        /// The field path it is declared for.
        path: String,
        /// What it clashes with (`the model struct `NodeInfo` of this operation`).
        clash: String,
    },
    /// An overlay gives an operation the Rust name of another operation of the crate.
    #[error(
        "`{operation}` is renamed `{rename}`, the Rust name of `{other}` ({other_file}): both would be `{module}`; \
         pick another `rename`"
    )]
    OperationRenameClash {
        /// The renamed operation's wire name.
        operation: String,
        /// The overlay's name for it.
        rename: String,
        /// The operation already called so.
        other: String,
        /// Its doc.
        other_file: String,
        /// The module (and method) both would have.
        module: String,
    },
    /// A waiter the overlay declares polls an operation that was not generated (`--skip-invalid` left it out).
    #[error("waiter `{waiter}` polls `{polled}`, which was not generated")]
    WaiterWithoutOperation {
        /// The waiter's name.
        waiter: String,
        /// The operation it polls.
        polled: String,
    },
    /// The overlay declares waiters, and an operation's module is `waiters`, the waiters' module.
    #[error("the operation's module is `waiters`, which the overlay's waiters need; rename the operation")]
    WaitersModuleTaken,
    /// Pagination names a field the generated structs do not have (the overlay checks this first).
    #[error("pagination: {0}")]
    Pagination(String),
    /// Code generation produced something it should not have: a bug in docbind, not in the docs.
    #[error("{0} (generator bug)")]
    Bug(String),
}

/// Why a crate was not generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The crate's name would not be an identifier in the generated code and docs (`use <name>::Client`).
    #[error("`{name}` is not a valid crate name (ASCII letters, digits, `-` and `_`, starting with a letter)")]
    InvalidCrateName {
        /// The name asked for.
        name: String,
    },
    /// The overlay has problems, or the validation after corrections found fields generated code could not use.
    /// Always an error, also when invalid docs are skipped.
    #[error("{}: overlay problem(s), which fail whatever is skipped:\n{}", spec_dir.display(), diag_lines(errors))]
    Overlay {
        /// The crate's doc folder.
        spec_dir: PathBuf,
        /// Every problem, with its file and line.
        errors: Vec<crate::diag::Diagnostic>,
    },
    /// Some API docs did not parse, and generation does not skip invalid docs.
    #[error(
        "{} API doc(s) in {} did not parse (`--skip-invalid` leaves them out):\n{}",
        rejected.len(),
        spec_dir.display(),
        lines(rejected)
    )]
    Rejected {
        /// The crate's doc folder.
        spec_dir: PathBuf,
        /// Every doc that did not parse, with its reasons.
        rejected: Vec<Rejection>,
    },
    /// The folder holds no doc that parsed.
    #[error("{}: no API docs found", spec_dir.display())]
    NoDocs {
        /// The crate's doc folder.
        spec_dir: PathBuf,
    },
    /// One crate, one vendor: the folder holds docs of two.
    #[error("{}: mixes {} and {} docs ({})", spec_dir.display(), vendors[0], vendors[1], file.display())]
    MixedVendors {
        /// The crate's doc folder.
        spec_dir: PathBuf,
        /// The vendors' labels: the crate's (its first operation's), and the other's.
        vendors: [&'static str; 2],
        /// The first doc of the other vendor.
        file: PathBuf,
    },
    /// Invalid docs are skipped, and no operation could be generated.
    #[error("{}: none of the API docs can be generated", spec_dir.display())]
    NothingGenerated {
        /// The crate's doc folder.
        spec_dir: PathBuf,
    },
    /// An operation could not be generated (and is not skipped).
    #[error(transparent)]
    Operation(#[from] CodegenError),
    /// Generated tokens that are not Rust: a bug in docbind.
    #[error("generated {} is not Rust (generator bug)", path.display())]
    InvalidTokens {
        /// The generated file, relative to the crate.
        path: PathBuf,
        /// What syn could not parse.
        #[source]
        error: syn::Error,
    },
}

impl CodegenErrorKind {
    /// Whether the problem is in what the overlay declares (an enum, a rename, a waiter), which is
    /// always an error: skipping invalid docs never skips the maintainer's own file.
    pub fn is_overlay_problem(&self) -> bool {
        matches!(
            self,
            CodegenErrorKind::EnumValuesConflict { .. }
                | CodegenErrorKind::EnumNameClash { .. }
                | CodegenErrorKind::OperationRenameClash { .. }
                | CodegenErrorKind::WaiterWithoutOperation { .. }
                | CodegenErrorKind::WaitersModuleTaken
        )
    }
}

impl CodegenError {
    /// An error about `op` at `line` of its doc.
    pub(crate) fn at_line(op: &Operation, line: usize, kind: CodegenErrorKind) -> Self {
        CodegenError { operation: op.name.clone(), file: op.source.file.clone(), line, kind: Box::new(kind) }
    }

    /// An error about operation `operation` at `source`: an overlay declaration about it.
    pub(crate) fn at_source(operation: &str, source: &crate::ir::Source, kind: CodegenErrorKind) -> Self {
        CodegenError {
            operation: operation.to_string(),
            file: source.file.clone(),
            line: source.line,
            kind: Box::new(kind),
        }
    }

    /// An error about `op` as a whole, at its doc's title line.
    pub(crate) fn of(op: &Operation, kind: CodegenErrorKind) -> Self {
        Self::at_line(op, op.source.line, kind)
    }
}

fn diag_lines(errors: &[crate::diag::Diagnostic]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

fn lines(rejected: &[Rejection]) -> String {
    rejected.iter().map(Rejection::to_string).collect::<Vec<_>>().join("\n")
}
