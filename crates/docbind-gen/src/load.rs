//! Finding doc files on disk and parsing each one.

use crate::diag::{Diagnostic, Rejection};
use crate::dialect::{self, Parsed};
use crate::ir::Dialect;
use crate::markdown;
use crate::overlay::RustNames;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The outcome of parsing a set of docs: what became IR, and what did not (with reasons).
#[derive(Debug, Default)]
pub struct Loaded {
    pub parsed: Vec<Parsed>,
    pub rejected: Vec<Rejection>,
    pub warnings: Vec<Diagnostic>,
    /// What the folders' `overlay.toml` files say about the generated Rust (the IR gets their API corrections).
    pub rust_names: RustNames,
    /// Time spent in each stage (`cargo xtask bench` reports it).
    pub timings: LoadTimings,
    /// Bytes of doc text read.
    pub bytes: usize,
}

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

pub fn parse_dialect(value: &str) -> anyhow::Result<Dialect> {
    match value {
        "ucloud" => Ok(Dialect::Ucloud),
        "finovy" => Ok(Dialect::Finovy),
        other => anyhow::bail!("unknown dialect `{other}`; expected `ucloud` or `finovy`"),
    }
}

/// Markdown files under `paths` (files as given, folders recursively), sorted for determinism.
/// Paths are relative to `root` (or absolute) and are returned as given, so diagnostics and generated headers
/// name `specs/x/y.md` whatever the working directory.
pub fn collect_markdown(root: &Path, paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
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
            anyhow::bail!("{}: no such file or folder", full.display());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// Parses every markdown file under `paths`. Unreadable files are errors; docs that do not parse are collected.
pub fn load(root: &Path, paths: &[PathBuf], forced: Option<Dialect>) -> anyhow::Result<Loaded> {
    let mut loaded = Loaded::default();
    for file in collect_markdown(root, paths)? {
        let full = root.join(&file);
        let started = Instant::now();
        let bytes = std::fs::read(&full).with_context(|| format!("reading {}", full.display()))?;
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
        let result = dialect::parse_blocks(&file, &blocks, forced);
        loaded.timings.dialect += parsed.elapsed();
        match result {
            Ok(parsed) => {
                loaded.warnings.extend(parsed.warnings.iter().cloned());
                loaded.parsed.push(parsed);
            }
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
            Err(errors) => loaded.rejected.push(Rejection::Invalid { errors }),
        }
    }
    loaded.timings.dialect += started.elapsed();
    Ok(loaded)
}
