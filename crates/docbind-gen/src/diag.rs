//! Diagnostics: every problem in a doc names its file, its line and what was expected.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The doc was understood; something in it was surprising and a documented rule was applied.
    Warning,
    /// The doc (or a part of it) could not be turned into IR.
    Error,
}

/// One finding about one place in one doc.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Warning or error.
    pub severity: Severity,
    /// The doc (or `overlay.toml`).
    pub file: PathBuf,
    /// 1-based line, 0 when the finding is about the whole file.
    pub line: usize,
    /// What was found, and what was expected.
    pub message: String,
}

impl Diagnostic {
    /// An error at `file:line`.
    pub fn error(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, file: file.to_path_buf(), line, message: message.into() }
    }

    /// A warning at `file:line`.
    pub fn warning(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, file: file.to_path_buf(), line, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{}:{}: {kind}: {}", self.file.display(), self.line, self.message)
    }
}

/// A page that is not an API doc (a README, glossary, index, overview, changelog, error-code table…): skipped
/// with a note in every mode, never an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApiPage {
    /// The page.
    pub file: PathBuf,
    /// Why it is not read as an API doc, in one line.
    pub reason: String,
}

impl fmt::Display for NotApiPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: note: skipped, {}", self.file.display(), self.reason)
    }
}

/// Why a doc did not become IR, or (for [`Rejection::NotGenerated`]) code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The page is not an API doc at all ([`crate::load`] lists these apart, in [`crate::Loaded::not_api`]).
    NotApi(NotApiPage),
    /// The doc is written in a template docbind does not support (reported, not guessed at).
    Unsupported {
        /// The doc.
        file: PathBuf,
        /// Why, in one line.
        reason: String,
    },
    /// The doc claims a supported template but breaks it; `errors` say where and what was expected.
    Invalid {
        /// Every error found.
        errors: Vec<Diagnostic>,
    },
    /// The doc parsed, but asks for something generated code cannot express (left out with `InvalidDocs::Skip`).
    NotGenerated(crate::codegen::CodegenError),
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::NotApi(page) => write!(f, "{page}"),
            Rejection::Unsupported { file, reason } => {
                write!(f, "{}: unsupported: {reason}", file.display())
            }
            Rejection::Invalid { errors } => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Rejection::NotGenerated(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for Rejection {}
