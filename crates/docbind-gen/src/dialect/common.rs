//! What both doc templates share: the diagnostics of one doc.

use crate::diag::{Diagnostic, Rejection};
use crate::ir::Source;
use std::path::Path;

/// Collects the errors and warnings met while reading one doc; each names the doc's file and a line.
#[derive(Debug)]
pub(super) struct Sink<'a> {
    pub(super) file: &'a Path,
    pub(super) errors: Vec<Diagnostic>,
    pub(super) warnings: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub(super) fn new(file: &'a Path) -> Self {
        Sink { file, errors: Vec::new(), warnings: Vec::new() }
    }

    pub(super) fn error(&mut self, line: usize, message: impl Into<String>) {
        self.errors.push(Diagnostic::error(self.file, line, message));
    }

    pub(super) fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Diagnostic::warning(self.file, line, message));
    }

    /// Where an IR item comes from: this doc, at `line`.
    pub(super) fn source(&self, line: usize) -> Source {
        Source { file: self.file.to_path_buf(), line }
    }

    /// The doc is rejected with every error found so far.
    pub(super) fn into_invalid(self) -> Rejection {
        Rejection::Invalid { errors: self.errors }
    }
}
