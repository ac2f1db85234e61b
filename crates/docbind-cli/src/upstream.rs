//! `upstream.toml` in a spec folder: where its pages come from (a git repository of the vendor's docs, the folder
//! in it, which pages) and the revision they were last synced from. `docbind sync` reads it and records the new
//! revision in it.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file's name in the spec folder.
pub const UPSTREAM_FILE: &str = "upstream.toml";

/// What `upstream.toml` says.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The file it was read from.
    pub file: PathBuf,
    /// The repository's public URL (for people: sync reads a local checkout).
    pub repository: String,
    /// The folder of the repository the pages are in (`uedn-api`), `/`-separated.
    pub path: String,
    /// Globs (`*`, `?`) over page paths relative to `path` that belong to the crate; `None`: every `.md` page.
    pub pages: Option<Vec<String>>,
    /// The full commit id the spec folder's pages were last synced from.
    pub revision: String,
    /// Pages kept in the spec folder under another name: upstream name → spec folder name.
    pub names: BTreeMap<String, String>,
    text: String,
    revision_span: Range<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    repository: Spanned<String>,
    path: Spanned<String>,
    #[serde(default)]
    pages: Option<Vec<Spanned<String>>>,
    revision: Spanned<String>,
    #[serde(default)]
    names: BTreeMap<String, Spanned<String>>,
}

/// An `upstream.toml` that cannot be used, at its file and line.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct UpstreamError {
    /// The file.
    pub file: PathBuf,
    /// The 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Upstream {
    /// Reads `spec_dir/upstream.toml`.
    pub fn read(spec_dir: &Path) -> Result<Upstream, UpstreamError> {
        let file = spec_dir.join(UPSTREAM_FILE);
        let text = std::fs::read_to_string(&file).map_err(|e| UpstreamError {
            file: file.clone(),
            line: None,
            message: format!("cannot be read ({e}); sync needs it to know where the docs come from"),
        })?;
        Upstream::parse(file, text)
    }

    /// Parses the text of `file`.
    pub fn parse(file: PathBuf, text: String) -> Result<Upstream, UpstreamError> {
        let at = |span: &Range<usize>, message: String| UpstreamError {
            file: file.clone(),
            line: Some(line_of(&text, span.start)),
            message,
        };
        let raw: Raw = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| line_of(&text, s.start));
            UpstreamError { file: file.clone(), line, message: e.message().trim_end().to_string() }
        })?;
        let revision = raw.revision.get_ref();
        if revision.len() != 40 || !revision.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(at(&raw.revision.span(), format!("revision `{revision}` is not a full 40-digit commit id")));
        }
        let path = raw.path.get_ref().trim_matches('/');
        if path.split('/').any(|part| part.is_empty() || part == "." || part == "..") && !path.is_empty() {
            return Err(at(&raw.path.span(), format!("path `{path}` is not a folder inside the repository")));
        }
        for glob in raw.pages.iter().flatten() {
            if glob.get_ref().is_empty() || glob.get_ref().contains("..") {
                return Err(at(
                    &glob.span(),
                    format!("`{}` is not a glob of pages (e.g. `*uvodn*.md`)", glob.get_ref()),
                ));
            }
        }
        for (upstream_name, spec_name) in &raw.names {
            let plain = |n: &str| !n.is_empty() && !n.contains(['/', '\\']) && n != "." && n != "..";
            if !plain(upstream_name) || !plain(spec_name.get_ref()) {
                return Err(at(
                    &spec_name.span(),
                    format!("`{upstream_name}` = `{}`: names are file names", spec_name.get_ref()),
                ));
            }
        }
        Ok(Upstream {
            repository: raw.repository.into_inner(),
            path: path.to_string(),
            pages: raw.pages.map(|globs| globs.into_iter().map(Spanned::into_inner).collect()),
            revision: revision.to_ascii_lowercase(),
            names: raw.names.into_iter().map(|(k, v)| (k, v.into_inner())).collect(),
            revision_span: raw.revision.span(),
            file,
            text,
        })
    }

    /// Whether the page at `relative` (to `path`, `/`-separated) belongs to the crate.
    pub fn wants(&self, relative: &str) -> bool {
        match &self.pages {
            Some(globs) => globs.iter().any(|glob| glob_matches(glob, relative)),
            None => relative.ends_with(".md"),
        }
    }

    /// The name a page (relative to `path`) has in the spec folder.
    pub fn spec_name<'a>(&'a self, relative: &'a str) -> &'a str {
        self.names.get(relative).map(String::as_str).unwrap_or(relative)
    }

    /// The file's text with `revision` recorded instead (comments and layout kept).
    pub fn with_revision(&self, revision: &str) -> String {
        let mut text = self.text.clone();
        text.replace_range(self.revision_span.clone(), &format!("\"{revision}\""));
        text
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A glob over a `/`-separated path: `*` is any run of characters but `/`, `?` one such character, anything else
/// itself. (No crate for it is in the workspace, and pages need no more.)
pub fn glob_matches(glob: &str, path: &str) -> bool {
    let (glob, path): (Vec<char>, Vec<char>) = (glob.chars().collect(), path.chars().collect());
    // Classic backtracking over the last `*`: linear in practice for page names.
    let (mut g, mut p, mut star, mut mark) = (0, 0, None, 0);
    while p < path.len() {
        match glob.get(g) {
            Some('*') => {
                star = Some(g);
                mark = p;
                g += 1;
            }
            Some('?') if path[p] != '/' => {
                g += 1;
                p += 1;
            }
            Some(&c) if c != '?' && c == path[p] => {
                g += 1;
                p += 1;
            }
            _ => match star {
                Some(s) if path[mark] != '/' => {
                    g = s + 1;
                    mark += 1;
                    p = mark;
                }
                _ => return false,
            },
        }
    }
    glob[g..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_page_names() {
        assert!(glob_matches("*uvodn*.md", "get_uvodn_image.md"));
        assert!(!glob_matches("*uvodn*.md", "get_uedn_image.md"));
        assert!(!glob_matches("*uvodn*.md", "get_uvodn_image.mdx"));
        assert!(glob_matches("?.getList.md", "1.getList.md"));
        assert!(!glob_matches("*.md", "sub/a.md"), "`*` stays in its folder");
        assert!(glob_matches("*/*.md", "sub/a.md"));
    }

    fn parsed(text: &str) -> Result<Upstream, UpstreamError> {
        Upstream::parse(PathBuf::from("specs/x/upstream.toml"), text.to_string())
    }

    #[test]
    fn errors_name_file_and_line() {
        let text = "repository = \"https://example.com/docs\"\npath = \"api\"\nrevision = \"abc\"\n";
        let e = parsed(text).unwrap_err().to_string();
        assert!(e.starts_with("specs/x/upstream.toml:3: revision `abc` is not a full 40-digit commit id"), "{e}");
        let e = parsed("repository = \"u\"\npath = \"api\"\nrevision = 3\n").unwrap_err().to_string();
        assert!(e.starts_with("specs/x/upstream.toml:3: "), "{e}");
        let valid = "9b943490f674e64c2d7e0e92409b144687990347";
        let e =
            parsed(&format!("repository = \"u\"\npath = \"../x\"\nrevision = \"{valid}\"\n")).unwrap_err().to_string();
        assert!(e.contains(":2: path `../x`"), "{e}");
        let e = parsed("repository = \"u\"\npath = \"a\"\nrevison = \"\"\n").unwrap_err().to_string();
        assert!(e.starts_with("specs/x/upstream.toml:3: unknown field `revison`"), "{e}");
    }

    #[test]
    fn the_new_revision_replaces_the_old_one_only() {
        let old = "9b943490f674e64c2d7e0e92409b144687990347";
        let text = format!("# keep\nrepository = \"u\"\npath = \"a\"\nrevision = \"{old}\" # last sync\n");
        let upstream = parsed(&text).expect("valid");
        assert_eq!(upstream.revision, old);
        let new = "0094224d4da8ac91d0b294325ab135c478fc95d2";
        let written = upstream.with_revision(new);
        assert_eq!(written, text.replace(old, new));
        assert_eq!(parsed(&written).expect("valid").revision, new);
    }

    #[test]
    fn checked_in_specs_name_their_upstream() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
        for name in ["ucloud-uodn", "finovy-image"] {
            let upstream = Upstream::read(&root.join(name)).expect("readable");
            assert!(upstream.repository.starts_with("https://github.com/"), "{name}");
        }
    }
}
