//! What both doc templates share: the diagnostics of one doc, its sections, the yes/no and type columns of its
//! tables, duplicate rows and code examples.

use crate::diag::{Diagnostic, Rejection};
use crate::dialect::normalize_heading;
use crate::ir::{Example, ExampleKind, Field, Source, Type};
use crate::markdown::{Block, Table};
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

/// A heading of level 1–3 and the blocks up to the next one; deeper headings stay inside.
#[derive(Debug)]
pub(super) struct Section<'a, Kind> {
    /// What the template calls this section, from its level and heading.
    pub(super) kind: Kind,
    /// The heading text, normalized.
    pub(super) heading: String,
    pub(super) line: usize,
    pub(super) blocks: &'a [Block],
}

impl<'a, Kind> Section<'a, Kind> {
    pub(super) fn tables(&self) -> impl Iterator<Item = &'a Table> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
    }
}

/// Splits a doc at every heading of level 1–3, naming each section with `kind(level, heading)`. Blocks before the
/// first such heading belong to no section.
pub(super) fn split_sections<Kind>(blocks: &[Block], kind: impl Fn(u8, &str) -> Kind) -> Vec<Section<'_, Kind>> {
    let starts: Vec<usize> = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, Block::Heading { level, .. } if *level <= 3))
        .map(|(i, _)| i)
        .collect();
    let mut sections = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(blocks.len());
        if let Block::Heading { level, content, line } = &blocks[start] {
            let heading = normalize_heading(&content.text);
            sections.push(Section {
                kind: kind(*level, &heading),
                heading,
                line: *line,
                blocks: &blocks[start + 1..end],
            });
        }
    }
    sections
}

/// A required column: `yes` or `no` in any case, bold or not. `Err` is the cell as read, for the message.
pub(super) fn yes_no(cell: &str) -> Result<bool, &str> {
    let text = cell.trim().trim_matches('*').trim();
    if text.eq_ignore_ascii_case("yes") {
        Ok(true)
    } else if text.eq_ignore_ascii_case("no") {
        Ok(false)
    } else {
        Err(text)
    }
}

/// The words a template's type column uses for scalar types, in the order messages list them.
pub(super) struct TypeWords(pub(super) &'static [(&'static str, Type)]);

impl TypeWords {
    /// The type `word` spells (exactly; a case-insensitive template lowercases first).
    pub(super) fn get(&self, word: &str) -> Option<Type> {
        self.0.iter().find(|(w, _)| *w == word).map(|(_, ty)| ty.clone())
    }

    /// `string, int, …`: what an unknown type was expected to be.
    pub(super) fn expected(&self) -> String {
        self.0.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(", ")
    }
}

/// Reports a row whose name an earlier row (on `first_line`) already has; the caller keeps the first.
pub(super) fn duplicate_row(sink: &mut Sink<'_>, line: usize, name: &str, first_line: usize) {
    sink.warn(line, format!("duplicate row `{name}` (first on line {first_line}); the first row is used"));
}

/// Adds `field` unless a field of the same wire name is there already (then reports it as a duplicate row).
pub(super) fn push_unique(sink: &mut Sink<'_>, fields: &mut Vec<Field>, field: Field) {
    match fields.iter().find(|f| f.wire_name == field.wire_name) {
        Some(first) => duplicate_row(sink, field.source.line, &field.wire_name, first.source.line),
        None => fields.push(field),
    }
}

/// A code fence kept as an example of `kind`, noting whether it is JSON.
pub(super) fn example(sink: &Sink<'_>, kind: ExampleKind, line: usize, lang: &str, text: &str) -> Example {
    Example {
        kind,
        lang: lang.to_string(),
        text: text.to_string(),
        is_json: serde_json::from_str::<serde_json::Value>(text).is_ok(),
        source: sink.source(line),
    }
}
