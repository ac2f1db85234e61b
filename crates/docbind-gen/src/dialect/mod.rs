//! Doc templates ("dialects"): detection, and the entry point that turns one doc into one IR operation.

mod common;
pub mod finovy;
pub mod ucloud;
pub mod ufile;

use crate::diag::{Diagnostic, NotApiPage, Rejection};
use crate::ir::{Dialect, Operation};
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
    match dialect {
        Dialect::Ucloud => ucloud::parse(file, blocks),
        Dialect::Finovy => finovy::parse(file, blocks),
        Dialect::Ufile => ufile::parse(file, blocks),
    }
}

/// Decides which dialect a doc is written in, or says in one line why it is none we support.
pub fn detect(file: &Path, blocks: &[Block]) -> Result<Dialect, Rejection> {
    if ucloud::template_of(blocks).is_some() {
        return Ok(Dialect::Ucloud);
    }
    let headings: Vec<(u8, String)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, content, .. } => Some((*level, normalize_heading(&content.text))),
            _ => None,
        })
        .collect();
    if headings.iter().any(|(l, t)| *l == 3 && finovy::is_description_heading(t)) {
        return Ok(Dialect::Finovy);
    }
    // UFile's `ufile-api/restore.md` labels its request line with a paragraph `Syntax:` instead of a heading.
    let syntax_label = blocks
        .iter()
        .any(|b| matches!(b, Block::Paragraph { content, .. } if normalize_heading(&content.text) == "Syntax"));
    if syntax_label || headings.iter().any(|(_, t)| t.contains("句法") || t.contains("Syntax")) {
        return Ok(Dialect::Ufile);
    }
    // READMEs, glossaries, overviews, changelogs, error-code and type tables: skipped with a note, never an error.
    let reason = NOT_AN_API_DOC.to_string();
    Err(Rejection::NotApi(NotApiPage { file: file.to_path_buf(), reason }))
}

/// Why a page without any template's sections is not read as an API doc.
pub const NOT_AN_API_DOC: &str = "not an API operation doc: no `### 请求参数`/`### 响应字段` or `# Request \
                                  Parameters`/`# Response Elements` (UCloud) or `### 1.接口描述` (Finovy) sections";

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
        assert_eq!(detect_src("# 标题 - Act\n### 请求参数\n### 响应字段\n").ok(), Some(Dialect::Ucloud));
        assert_eq!(
            detect_src("# 创建-CreateX\n# Request Parameters\n# Response Elements\n").ok(),
            Some(Dialect::Ucloud)
        );
        assert_eq!(detect_src("# 标题\n### 1.接口描述 \n").ok(), Some(Dialect::Finovy));
        for rest in [
            "# 归档-PutArchive\n# Requests Syntax\n# Request Headers\n# Response Elements\n",
            // `restore.md` labels its request line with a paragraph.
            "# 解冻文件 - Restore\n\nRequests\n\nSyntax:\n\n```\nPUT /<object_name>?restore HTTP/1.1\n```\n",
            "## 定义\n### 句法（Syntax）:\n",
        ] {
            assert_eq!(detect_src(rest).ok(), Some(Dialect::Ufile), "{rest}");
        }
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
