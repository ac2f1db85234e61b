//! Finding doc files on disk and parsing each one.

use crate::diag::{Diagnostic, NotApiPage, Rejection};
use crate::dialect::{self, Parsed};
use crate::ir::Dialect;
use crate::markdown::{self, Block, Inline};
use crate::overlay::RustNames;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The outcome of parsing a set of docs: what became IR, and what did not (with reasons).
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every doc that became an IR operation, in path order.
    pub parsed: Vec<Parsed>,
    /// Every API doc that did not (unsupported templates, invalid docs): errors unless generation skips them.
    pub rejected: Vec<Rejection>,
    /// Pages that are not API docs (README, glossary, overview…): skipped with a note, never an error.
    pub not_api: Vec<NotApiPage>,
    /// Problems of the maintainer's own files, and what the validation after corrections finds (`validate.rs`):
    /// every overlay error, and every field the generated code relies on that has a type it cannot use. Always
    /// errors, also when generation skips invalid docs.
    pub errors: Vec<Diagnostic>,
    /// Every warning of the parsed docs.
    pub warnings: Vec<Diagnostic>,
    /// What the folders' `overlay.toml` files say about the generated Rust (the IR gets their API corrections).
    pub rust_names: RustNames,
    /// Time spent in each stage (`cargo xtask bench` reports it).
    pub timings: LoadTimings,
    /// Bytes of doc text read.
    pub bytes: usize,
    /// Product index pages (`index.md`, `_sidebar.md`): read for their links, not parsed as docs.
    pub index_pages: Vec<PathBuf>,
    /// The docs an index page beside them links to, named like the docs' sources. When several docs document
    /// the same operation, the linked one is the current one (see `codegen::names::operation_names`).
    pub linked: BTreeSet<PathBuf>,
    /// Docs that document an operation another doc of the same folders documents too (the same UCloud Action, the
    /// same Finovy method and path): only the better doc is in [`Loaded::parsed`]; each of these has a warning.
    pub duplicates: Vec<Duplicate>,
}

/// A doc left out because another doc documents the same operation better.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The doc left out, and its title's line.
    pub doc: crate::ir::Source,
    /// The operation.
    pub operation: String,
    /// The doc generated instead.
    pub kept: PathBuf,
}

/// File names of the pages that list a product's current docs.
const INDEX_PAGES: [&str; 2] = ["index.md", "_sidebar.md"];

/// Thread time spent per loading stage.
#[derive(Debug, Default, Clone, Copy)]
pub struct LoadTimings {
    /// Reading files.
    pub read: Duration,
    /// pulldown-cmark → blocks.
    pub markdown: Duration,
    /// Blocks → IR, and overlays.
    pub dialect: Duration,
}

/// A doc folder or file that could not be read (docs that do not parse are [`Rejection`]s, not errors).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A path given to [`load`] that does not exist.
    #[error("{}: no such file or folder", .0.display())]
    Missing(PathBuf),
    /// A file or folder that exists but cannot be read.
    #[error("reading {}", path.display())]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

fn read_error(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError {
    let path = path.to_path_buf();
    move |source| LoadError::Read { path, source }
}

/// Markdown files under `paths` (files as given, folders recursively), sorted for determinism.
/// Paths are relative to `root` (or absolute) and are returned as given, so diagnostics and generated headers
/// name `specs/x/y.md` whatever the working directory.
fn collect_markdown(root: &Path, paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut files = Vec::new();
    for path in paths {
        let full = root.join(path);
        if full.is_dir() {
            let mut found = Vec::new();
            walk(&full, &mut found)?;
            files.extend(found.into_iter().map(|f| match f.strip_prefix(root) {
                Ok(rel) if !root.as_os_str().is_empty() => rel.to_path_buf(),
                _ => f,
            }));
        } else if full.is_file() {
            files.push(path.clone());
        } else {
            return Err(LoadError::Missing(full));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    for entry in std::fs::read_dir(dir).map_err(read_error(dir))? {
        let entry = entry.map_err(read_error(dir))?;
        let path = entry.path();
        // The listing's file type spares a `stat` per doc; a link is followed, as `is_dir` does.
        let is_dir = match entry.file_type() {
            Ok(kind) if !kind.is_symlink() => kind.is_dir(),
            _ => path.is_dir(),
        };
        if is_dir {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// Parses every markdown file under `paths` (files as given, folders recursively, relative to `root` unless
/// absolute) into the IR, and applies each folder's `overlay.toml` to the docs under it. `forced` reads every doc
/// as that dialect instead of detecting it, then validates what generated code relies on. Unreadable files are
/// errors; docs that do not parse are collected in [`Loaded::rejected`], pages that are not API docs in
/// [`Loaded::not_api`], overlay and validation errors in [`Loaded::errors`].
pub fn load(root: &Path, paths: &[PathBuf], forced: Option<Dialect>) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    for file in collect_markdown(root, paths)? {
        let full = root.join(&file);
        let started = Instant::now();
        let bytes = std::fs::read(&full).map_err(read_error(&full))?;
        loaded.timings.read += started.elapsed();
        loaded.bytes += bytes.len();
        let Ok(text) = String::from_utf8(bytes) else {
            loaded
                .rejected
                .push(Rejection::Invalid { errors: vec![Diagnostic::error(&file, 0, "expected UTF-8 text")] });
            continue;
        };
        let started = Instant::now();
        let blocks = markdown::parse(&text);
        let parsed = Instant::now();
        loaded.timings.markdown += parsed - started;
        if file.file_name().and_then(|n| n.to_str()).is_some_and(|n| INDEX_PAGES.contains(&n)) {
            loaded.linked.extend(linked_docs(&file, &blocks));
            loaded.index_pages.push(file);
            continue;
        }
        let result = dialect::parse_blocks(&file, &blocks, forced);
        loaded.timings.dialect += parsed.elapsed();
        match result {
            Ok(parsed) => {
                loaded.warnings.extend(parsed.warnings.iter().cloned());
                loaded.parsed.push(parsed);
            }
            Err(Rejection::NotApi(page)) => loaded.not_api.push(page),
            Err(rejection) => loaded.rejected.push(rejection),
        }
    }
    let started = Instant::now();
    // A folder's overlay.toml corrects the docs parsed from that folder.
    for path in paths {
        let mut ops: Vec<&mut crate::ir::Operation> =
            loaded.parsed.iter_mut().map(|p| &mut p.operation).filter(|o| o.source.file.starts_with(path)).collect();
        match crate::overlay::apply_dir(&root.join(path), path, &mut ops) {
            Ok(names) => loaded.rust_names.extend(names),
            Err(errors) => loaded.errors.extend(errors),
        }
    }
    // Only a fully applied overlay is validated: a half-applied one already failed.
    if loaded.errors.is_empty() {
        let ops: Vec<&crate::ir::Operation> = loaded.parsed.iter().map(|p| &p.operation).collect();
        let findings = crate::validate::check(&ops, &loaded.rust_names);
        loaded.errors = findings.overlay;
        // A doc whose own rows give paging or encoding a type it cannot use is invalid, like one that does not parse.
        for (doc, errors) in findings.docs {
            loaded.parsed.retain(|p| p.operation.source.file != doc);
            loaded.rejected.push(Rejection::Invalid { errors });
        }
    }
    merge_duplicates(&mut loaded);
    loaded.timings.dialect += started.elapsed();
    Ok(loaded)
}

/// One operation, one doc: of the docs of one wire operation (a UCloud Action; a Finovy method and path), the
/// better one stays, and each other is a [`Duplicate`] with a warning. The better doc is the one the product
/// index links to, then one named with the vendor's spelling of the operation (not a `_json`, `_old` or `_v2`
/// copy; of several, the most compact: `add_uk8s_uhost_node` over `add_uk_8s_uhost_node`), then the one
/// documenting more rows, then the first by path.
fn merge_duplicates(loaded: &mut Loaded) {
    use crate::ir::{Operation, Protocol};
    fn wire_key(op: &Operation) -> String {
        match &op.protocol {
            Protocol::Rpc { action } => format!("action {action}"),
            Protocol::Http { method, path } => {
                format!("{} /{}", method.to_ascii_uppercase(), path.trim_start_matches('/'))
            }
            // Object calls share methods and paths (`PUT /<key>` uploads a file or a part): the page's operation
            // name tells them apart.
            Protocol::Object { .. } => format!("object {}", op.name),
        }
    }
    fn rows(op: &Operation) -> usize {
        let response = match &op.response {
            crate::ir::Response::Fields { fields } => fields.len(),
            crate::ir::Response::Envelope { .. } => 0,
        };
        op.request.len() + response + op.models.iter().map(|m| m.fields.len()).sum::<usize>()
    }
    let linked = &loaded.linked;
    let rank = |op: &Operation| {
        let stem = op.source.file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let spelled = crate::codegen::names::spells(stem, &op.name);
        let underscores = if spelled { stem.matches('_').count() } else { usize::MAX };
        (!linked.contains(&op.source.file), underscores, std::cmp::Reverse(rows(op)), op.source.file.clone())
    };
    let mut best: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (i, parsed) in loaded.parsed.iter().enumerate() {
        let key = wire_key(&parsed.operation);
        match best.get(&key) {
            Some(&b) if rank(&loaded.parsed[b].operation) <= rank(&parsed.operation) => {}
            _ => {
                best.insert(key, i);
            }
        }
    }
    let keep: BTreeSet<usize> = best.values().copied().collect();
    if keep.len() == loaded.parsed.len() {
        return;
    }
    let keepers: Vec<PathBuf> = loaded
        .parsed
        .iter()
        .map(|p| loaded.parsed[best[&wire_key(&p.operation)]].operation.source.file.clone())
        .collect();
    let mut kept = Vec::with_capacity(keep.len());
    for (i, (doc, keeper)) in std::mem::take(&mut loaded.parsed).into_iter().zip(keepers).enumerate() {
        if keep.contains(&i) {
            kept.push(doc);
            continue;
        }
        let op = &doc.operation;
        let message = format!(
            "`{}` is documented again by {}, which is generated: this doc is left out",
            op.name,
            crate::codegen::rustdoc::code_span(&keeper.display().to_string())
        );
        loaded.warnings.push(Diagnostic::warning(&op.source.file, op.source.line, message));
        loaded.duplicates.push(Duplicate { doc: op.source.clone(), operation: op.name.clone(), kept: keeper });
    }
    loaded.parsed = kept;
}

/// The docs beside `index` that its links point to: `api/ulb-api/create_listener` (or `create_listener.md`) in
/// `…/ulb-api/index.md` is `…/ulb-api/create_listener.md`. Links into other folders, to anchors only or to other
/// sites are not about this folder's docs.
fn linked_docs(index: &Path, blocks: &[Block]) -> Vec<PathBuf> {
    let Some(dir) = index.parent() else { return Vec::new() };
    let folder = dir.file_name().and_then(|f| f.to_str()).unwrap_or_default();
    let inlines = blocks.iter().flat_map(|b| -> Vec<&Inline> {
        match b {
            Block::Heading { content, .. } | Block::Paragraph { content, .. } => vec![content],
            Block::Table(t) => t.header.iter().chain(t.rows.iter().flat_map(|r| &r.cells)).collect(),
            Block::Code { .. } => Vec::new(),
        }
    });
    let mut docs = Vec::new();
    for link in inlines.flat_map(|i| &i.links) {
        if link.dest.contains("://") {
            continue;
        }
        let path = link.dest.split(['#', '?']).next().unwrap_or_default();
        let mut segments = path.rsplit('/').filter(|s| !s.is_empty());
        let Some(stem) = segments.next().map(|s| s.strip_suffix(".md").unwrap_or(s)) else { continue };
        if segments.next().is_none_or(|parent| parent == folder) {
            docs.push(dir.join(format!("{stem}.md")));
        }
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folders are searched recursively by their listing's file types; a linked folder is followed like a folder.
    #[cfg(unix)]
    #[test]
    fn markdown_is_found_in_folders_and_linked_folders() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs");
        std::fs::create_dir_all(docs.join("sub")).unwrap();
        for file in ["a.md", "sub/b.md", "sub/notes.txt"] {
            std::fs::write(docs.join(file), "# x\n").unwrap();
        }
        std::os::unix::fs::symlink(docs.join("sub"), docs.join("linked")).unwrap();
        std::os::unix::fs::symlink(docs.join("a.md"), docs.join("c.md")).unwrap();
        let found = collect_markdown(dir.path(), &[PathBuf::from("docs")]).unwrap();
        let found: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(found, ["docs/a.md", "docs/c.md", "docs/linked/b.md", "docs/sub/b.md"]);
    }

    #[test]
    fn index_links_name_the_docs_beside_the_index() {
        let index = "- [创建监听器 - CreateListener](api/ulb-api/create_listener_json)\n\
                     - [概览](api/ulb-api/README.md)\n\
                     - [地域](api/summary/regionlist)\n\
                     - [外站](https://example.com/ulb-api/x)\n\
                     - [本页](#top)\n\n\
                     | API | 描述 |\n|---|---|\n| [DeleteRule](api/ulb-api/delete_rule) | 删除 |\n\
                     | [Bare](bare_doc#section) | 相对链接 |\n";
        let got = linked_docs(Path::new("ucloud/ulb-api/_sidebar.md"), &markdown::parse(index));
        let want: Vec<PathBuf> = ["create_listener_json", "README", "delete_rule", "bare_doc"]
            .iter()
            .map(|stem| PathBuf::from(format!("ucloud/ulb-api/{stem}.md")))
            .collect();
        assert_eq!(got, want);
    }
}
