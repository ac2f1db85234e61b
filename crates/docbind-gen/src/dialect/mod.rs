//! Doc templates ("dialects"): detection, and the entry point that turns one doc into one IR operation.

mod common;
pub mod finovy;
pub mod ucloud;
pub mod ufile;

use crate::codegen::protocol::Wire;
use crate::diag::{Diagnostic, NotApiPage, Rejection};
use crate::ir::Operation;
use crate::markdown::{self, Block};
use std::path::Path;

/// One doc turned into IR, with the warnings met on the way.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The doc's operation.
    pub operation: Operation,
    /// What was surprising in the doc, and the rule applied.
    pub warnings: Vec<Diagnostic>,
}

/// The registry: every doc template docbind reads, in the order detection tries them. A protocol's own files
/// provide its entry (`dialect/<name>.rs`: `DIALECT`, naming its wire in `codegen/protocol/<name>.rs`); this list
/// is the one place that names them all, and the CLI's `--dialect` and the golden runner enumerate it.
pub(crate) const DIALECTS: &[&DialectSpec] = &[&ucloud::DIALECT, &finovy::DIALECT, &ufile::DIALECT];

/// One doc template: how its docs are recognized and read, and the wire their operations are called through.
pub struct DialectSpec {
    /// Its `--dialect` value and golden folder (`ucloud`).
    pub(crate) name: &'static str,
    /// What it reads, as `--help` says it.
    pub(crate) about: &'static str,
    /// Its sections as the note on a page that is no API doc lists them; empty to leave it out.
    pub(crate) sections: &'static str,
    /// Whether a doc is written in this template (asked in registry order).
    pub(crate) detects: fn(&[Block]) -> bool,
    /// Reads one doc of this template.
    pub(crate) parse: fn(&Path, &[Block]) -> Result<Parsed, Rejection>,
    /// How its operations are called.
    pub(crate) wire: &'static dyn Wire,
}

/// A doc template of the registry ([`Dialect::all`]), forced with `--dialect` or detected.
#[derive(Clone, Copy)]
pub struct Dialect(&'static DialectSpec);

impl Dialect {
    /// Every dialect, in detection order.
    pub fn all() -> impl Iterator<Item = Dialect> {
        DIALECTS.iter().map(|spec| Dialect(spec))
    }

    /// The dialect of this name (`ucloud`), if there is one.
    pub fn named(name: &str) -> Option<Dialect> {
        Self::all().find(|d| d.name() == name)
    }

    /// Its `--dialect` value and golden folder.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// What it reads, in one line.
    pub fn about(self) -> &'static str {
        self.0.about
    }
}

impl PartialEq for Dialect {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Dialect {}

impl std::fmt::Debug for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses one doc. `forced` skips detection (`--dialect`); a doc that does not fit the forced dialect is rejected
/// with the reason.
pub fn parse_doc(file: &Path, source: &str, forced: Option<Dialect>) -> Result<Parsed, Rejection> {
    parse_blocks(file, &markdown::parse(source), forced)
}

/// Parses one doc already split into blocks (the loader times the markdown and dialect stages apart).
pub fn parse_blocks(file: &Path, blocks: &[Block], forced: Option<Dialect>) -> Result<Parsed, Rejection> {
    let dialect = match forced {
        Some(d) => d,
        None => detect(file, blocks)?,
    };
    (dialect.0.parse)(file, blocks)
}

/// Decides which dialect a doc's text is written in (as [`parse_doc`] does when not forced).
pub fn detect_doc(file: &Path, source: &str) -> Result<Dialect, Rejection> {
    detect(file, &markdown::parse(source))
}

/// Decides which dialect a doc is written in, or says in one line why it is none we support.
pub fn detect(file: &Path, blocks: &[Block]) -> Result<Dialect, Rejection> {
    if let Some(dialect) = Dialect::all().find(|d| (d.0.detects)(blocks)) {
        return Ok(dialect);
    }
    // READMEs, glossaries, overviews, changelogs, error-code and type tables: skipped with a note, never an error.
    Err(Rejection::NotApi(NotApiPage { file: file.to_path_buf(), reason: not_an_api_doc() }))
}

/// Why a page without any template's sections is not read as an API doc.
pub fn not_an_api_doc() -> String {
    let sections: Vec<&str> = DIALECTS.iter().map(|d| d.sections).filter(|s| !s.is_empty()).collect();
    format!("not an API operation doc: no {} sections", sections.join(" or "))
}

/// The doc's headings: level and normalized text.
pub(crate) fn headings(blocks: &[Block]) -> impl Iterator<Item = (u8, String)> + '_ {
    blocks.iter().filter_map(|b| match b {
        Block::Heading { level, content, .. } => Some((*level, normalize_heading(&content.text))),
        _ => None,
    })
}

/// Heading text with emphasis markers, trailing colons and surrounding space removed.
pub fn normalize_heading(text: &str) -> String {
    text.trim().trim_matches('*').trim().trim_end_matches([':', '：']).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_src(src: &str) -> Result<Dialect, Rejection> {
        detect(Path::new("x.md"), &markdown::parse(src))
    }

    #[test]
    fn detects_the_dialects() {
        assert_eq!(detect_src("# 标题 - Act\n### 请求参数\n### 响应字段\n").ok(), Dialect::named("ucloud"));
        assert_eq!(
            detect_src("# 创建-CreateX\n# Request Parameters\n# Response Elements\n").ok(),
            Dialect::named("ucloud")
        );
        assert_eq!(detect_src("# 标题\n### 1.接口描述 \n").ok(), Dialect::named("finovy"));
        for rest in [
            "# 归档-PutArchive\n# Requests Syntax\n# Request Headers\n# Response Elements\n",
            // `restore.md` labels its request line with a paragraph.
            "# 解冻文件 - Restore\n\nRequests\n\nSyntax:\n\n```\nPUT /<object_name>?restore HTTP/1.1\n```\n",
            "## 定义\n### 句法（Syntax）:\n",
        ] {
            assert_eq!(detect_src(rest).ok(), Dialect::named("ufile"), "{rest}");
        }
    }

    /// `--dialect` and the golden folders go by name: each name is one dialect's.
    #[test]
    fn the_registry_names_each_dialect_once() {
        for dialect in Dialect::all() {
            assert_eq!(Dialect::all().filter(|d| d.name() == dialect.name()).count(), 1, "{dialect:?}");
            assert_eq!(Dialect::named(dialect.name()), Some(dialect));
            assert!(!dialect.about().contains('\n'));
        }
        assert_eq!(Dialect::named("nonesuch"), None);
    }

    #[test]
    fn unsupported_templates_get_a_one_line_reason() {
        for (src, needle) in [
            ("# 创建-CreateX\n## Request Parameters\n## Response Elements\n", "not an API operation doc"),
            ("# 错误码\n| a |\n|---|\n", "not an API operation doc"),
        ] {
            match detect_src(src) {
                Err(Rejection::Unsupported { reason, .. } | Rejection::NotApi(NotApiPage { reason, .. })) => {
                    assert!(reason.contains(needle), "{reason}");
                    assert!(!reason.contains('\n'));
                }
                other => panic!("{src}: {other:?}"),
            }
        }
    }
}
