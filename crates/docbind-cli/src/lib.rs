#![doc = include_str!("../README.md")]

use anyhow::Context;
use clap::{Args, ValueEnum};
use docbind_gen::{ir, parallel, ApiGate, CrateSpec, InvalidDocs, RuntimeDep};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

/// `generate` and `check`: one crate from one folder of docs.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// The folder of docs to generate the crate from (searched recursively for `*.md`).
    #[arg(long, value_name = "DIR")]
    pub spec_dir: PathBuf,
    /// The crate's folder.
    #[arg(long, value_name = "CRATE_DIR")]
    pub out: PathBuf,
    /// The crate's name (default: the crate folder's name).
    #[arg(long, value_name = "NAME")]
    pub crate_name: Option<String>,
    /// Declare an empty `[workspace]`, so the crate builds on its own even inside another workspace's folder
    /// (by default it builds as a member of the enclosing workspace, or on its own when there is none).
    #[arg(long)]
    pub standalone: bool,
    /// Depend on a local docbind-runtime at PATH (written relative to the crate) instead of by version.
    #[arg(long, value_name = "PATH")]
    pub runtime_path: Option<PathBuf>,
    /// Leave out the API docs that do not parse or generate (unsupported templates, invalid docs), naming each on
    /// stderr, instead of failing. Overlay problems fail even so. Pages that are not API docs (README, glossary,
    /// index…) are always skipped with a note.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Accepted and ignored: failing on any invalid API doc is the default (see --skip-invalid).
    #[arg(long, hide = true, conflicts_with = "skip_invalid")]
    pub strict: bool,
}

impl GenerateArgs {
    /// What generation does with an API doc it cannot read or generate.
    pub fn invalid_docs(&self) -> InvalidDocs {
        if self.skip_invalid {
            InvalidDocs::Skip
        } else {
            InvalidDocs::Fail
        }
    }
}

/// The rules a regeneration follows: what it does with invalid API docs, and whether it may break the API of the
/// crate it overwrites (compared with the crate's `docbind-api.json`).
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Fail on (the default), or skip, API docs that do not parse or generate.
    pub invalid: InvalidDocs,
    /// Write the crate even when its API changes in a way that breaks callers.
    pub accept_breaking: bool,
}

/// `diff`: API changes between two versions of a folder of docs.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Compare PATH (default `specs`) as of this git revision with the working tree.
    #[arg(long, value_name = "REV")]
    pub git: Option<String>,
    /// Print the changes as JSON.
    #[arg(long)]
    pub json: bool,
    /// OLD and NEW folders, or with --git one PATH.
    pub paths: Vec<PathBuf>,
}

/// `ir`: the IR of doc files or folders.
#[derive(Debug, Clone, Args)]
pub struct IrArgs {
    /// Parse every doc as this dialect instead of detecting it.
    #[arg(long, value_enum)]
    pub dialect: Option<DialectArg>,
    /// Doc files or folders (searched recursively for `*.md`).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// A vendor's doc template.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DialectArg {
    /// UCloud's API docs.
    Ucloud,
    /// Finovy's API docs.
    Finovy,
}

/// One crate to write or check: what to generate, and the folder its `spec_dir` is relative to.
#[derive(Debug, Clone)]
pub struct Target {
    /// The crate.
    pub spec: CrateSpec,
    /// `spec.spec_dir` is loaded relative to this folder, so the docs' paths in the generated files are relative
    /// to it too.
    pub root: PathBuf,
}

/// `generate` (or `check`, which writes nothing and fails when the crate is stale). `accept_breaking`: write the
/// crate even when its API breaks callers.
pub fn generate(args: &GenerateArgs, check: bool, accept_breaking: bool) -> anyhow::Result<ExitCode> {
    let target = crate_target(args, check)?;
    let rules = Rules { invalid: args.invalid_docs(), accept_breaking };
    write_crates(&[target], check, rules, None, "docbind generate")
}

/// The crate `args` describe. Its docs are named relative to the crate's folder (or, when the two share no folder
/// but the filesystem root, by the docs folder's name), and a local runtime relative to the crate's folder, so no
/// generated file holds an absolute path and the same docs generate the same files wherever they are.
pub fn crate_target(args: &GenerateArgs, check: bool) -> anyhow::Result<Target> {
    let spec_dir = std::fs::canonicalize(&args.spec_dir)
        .with_context(|| format!("spec folder {} is not readable", args.spec_dir.display()))?;
    if !check {
        std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    }
    let out = std::fs::canonicalize(&args.out)
        .with_context(|| format!("crate folder {} is missing (`docbind generate` writes it)", args.out.display()))?;
    let crate_name =
        match &args.crate_name {
            Some(name) => name.clone(),
            None => out.file_name().and_then(|n| n.to_str()).map(str::to_string).with_context(|| {
                format!("cannot derive a crate name from {}; pass --crate-name", args.out.display())
            })?,
        };
    if crate_name.is_empty() || !crate_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        anyhow::bail!("`{crate_name}` is not a valid crate name (ASCII letters, digits, `-` and `_`)");
    }
    let Some((root, spec_path)) = docs_named_from(&out, &spec_dir) else {
        anyhow::bail!("cannot name spec folder {} in the generated files", spec_dir.display());
    };
    let runtime = match &args.runtime_path {
        None => RuntimeDep::Version,
        Some(path) => {
            let path = std::fs::canonicalize(path)
                .with_context(|| format!("runtime folder {} is not readable", path.display()))?;
            RuntimeDep::Path(relative_path(&out, &path).unwrap_or(path))
        }
    };
    let spec_label = slash_separated(&spec_path);
    let spec = CrateSpec {
        crate_name,
        spec_dir: spec_path,
        out_dir: args.out.clone(),
        spec_label,
        runtime,
        standalone: args.standalone,
    };
    Ok(Target { spec, root })
}

/// How the generated files of the crate in `out` name the docs in `spec_dir` (both absolute): relative to the
/// crate when the two share a folder besides the filesystem root (a path through `/` would name this machine's
/// folders), else by the docs folder's name. Returns the folder to load the docs from and their path from there.
fn docs_named_from(out: &Path, spec_dir: &Path) -> Option<(PathBuf, PathBuf)> {
    match relative_path(out, spec_dir) {
        Some(relative) if shares_a_folder(out, spec_dir) => Some((out.to_path_buf(), relative)),
        _ => Some((spec_dir.parent()?.to_path_buf(), PathBuf::from(spec_dir.file_name()?))),
    }
}

/// `to` relative to `from`, both absolute (`../../docs`; `.` when they are the same folder), or `None` when no
/// relative path leads there (another Windows drive).
pub fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    let (from, to): (Vec<Component<'_>>, Vec<Component<'_>>) = (from.components().collect(), to.components().collect());
    if from.first() != to.first() {
        return None;
    }
    let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in shared..from.len() {
        relative.push("..");
    }
    for component in &to[shared..] {
        relative.push(component);
    }
    Some(if relative.as_os_str().is_empty() { PathBuf::from(".") } else { relative })
}

/// Whether two absolute paths have a folder in common besides the filesystem root (a relative path through `/`
/// would name folders of this machine).
fn shares_a_folder(a: &Path, b: &Path) -> bool {
    a.components().zip(b.components()).take_while(|(x, y)| x == y).any(|(c, _)| matches!(c, Component::Normal(_)))
}

/// The same text on every OS.
fn slash_separated(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Generates every target (one per core), then writes them, or in check mode reports the stale files. A failure
/// anywhere writes nothing, and so does a breaking API change unless `rules` accept it. `api_summary_repo`: a git
/// repository in which each crate's line says how its API changed since HEAD. `regenerate`: the command the stale
/// message tells the user to run.
pub fn write_crates(
    targets: &[Target],
    check: bool,
    rules: Rules,
    api_summary_repo: Option<&Path>,
    regenerate: &str,
) -> anyhow::Result<ExitCode> {
    let results = parallel::map(targets, parallel::cores(), |target| -> anyhow::Result<_> {
        let loaded = docbind_gen::load(&target.root, std::slice::from_ref(&target.spec.spec_dir), None)?;
        let generated = docbind_gen::generate(&target.spec, &loaded, rules.invalid)?;
        Ok((loaded.warnings, loaded.not_api, generated))
    });
    let mut generated = Vec::new();
    for result in results {
        let (warnings, not_api, crate_files) = result?;
        for w in &warnings {
            eprintln!("{w}");
        }
        for page in &not_api {
            eprintln!("{page}");
        }
        for skipped in &crate_files.skipped {
            eprintln!("skipped: {}", skipped.to_string().replace('\n', "; "));
        }
        generated.push((crate_files.files, crate_files.operations.len()));
    }
    if !check {
        let gates = targets.iter().zip(&generated).map(|(t, (files, _))| (&t.spec, files.as_slice()));
        breaking_change_gate(gates, rules.accept_breaking)?;
    }
    let mut stale = Vec::new();
    for (target, (files, ops)) in targets.iter().zip(&generated) {
        let spec = &target.spec;
        let changed = docbind_gen::ensure_files(&spec.out_dir, files, check)?;
        if !check {
            let api = api_summary_repo.and_then(|repo| docbind_gen::summary_since_head(repo, &spec.spec_dir));
            let api = api.map(|s| format!("; API: {s}")).unwrap_or_default();
            println!("{}: {} operation(s), {} file(s) changed{api}", spec.crate_name, ops, changed.len());
        }
        stale.extend(changed);
    }
    if check && !stale.is_empty() {
        for s in &stale {
            eprintln!("{s}");
        }
        eprintln!("generated code is stale: run `{regenerate}` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Compares each crate about to be written with the API it was generated with (its `docbind-api.json`): a breaking
/// change fails, listing what broke and where, unless accepted. Nothing is written when it fails.
fn breaking_change_gate<'a>(
    crates: impl Iterator<Item = (&'a CrateSpec, &'a [docbind_gen::GeneratedFile])>,
    accept_breaking: bool,
) -> anyhow::Result<()> {
    let mut refused = Vec::new();
    for (spec, files) in crates {
        let gate = docbind_gen::api_gate(&spec.out_dir, files)?;
        if matches!(gate, ApiGate::NoSnapshot) && spec.out_dir.join("Cargo.toml").is_file() {
            eprintln!(
                "note: {} has no API snapshot (generated before docbind recorded one): regenerated without the \
                 breaking-change check",
                spec.out_dir.display()
            );
        }
        let breaking = gate.breaking();
        if breaking.is_empty() {
            continue;
        }
        let lines = breaking.iter().map(|c| match &c.at {
            Some(at) => format!("  {}:{}: {c}", at.file.display(), at.line),
            None => format!("  {c}"),
        });
        let lines: Vec<String> = lines.collect();
        if accept_breaking {
            eprintln!("{}: accepted breaking API change(s):\n{}", spec.crate_name, lines.join("\n"));
        } else {
            refused.push(format!("{} ({}):\n{}", spec.crate_name, spec.out_dir.display(), lines.join("\n")));
        }
    }
    if !refused.is_empty() {
        anyhow::bail!(
            "breaking API change(s), nothing written; pass --accept-breaking to write them:\n{}",
            refused.join("\n")
        );
    }
    Ok(())
}

/// `diff OLD NEW [--json]` or `diff --git REV [PATH] [--json]`.
pub fn diff(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let changes = match (&args.git, args.paths.as_slice()) {
        (Some(rev), [] | [_]) => {
            let path = args.paths.first().cloned().unwrap_or_else(|| "specs".into());
            docbind_gen::compare_git(Path::new("."), rev, &path)?
        }
        (None, [old, new]) => docbind_gen::compare_dirs(old, new)?,
        _ => anyhow::bail!("expected two folders, OLD and NEW, or --git REV and at most one PATH"),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&changes)?);
    } else {
        for c in &changes {
            println!("{c}");
        }
        println!("{}", docbind_gen::summary(&changes));
    }
    Ok(ExitCode::SUCCESS)
}

/// `ir PATH...`: the IR as JSON on stdout; warnings, notes, rejected docs and overlay errors on stderr (any
/// rejected doc or overlay error fails).
pub fn ir(args: &IrArgs) -> anyhow::Result<ExitCode> {
    let forced = args.dialect.map(|d| match d {
        DialectArg::Ucloud => ir::Dialect::Ucloud,
        DialectArg::Finovy => ir::Dialect::Finovy,
    });
    let loaded = docbind_gen::load(Path::new(""), &args.paths, forced)?;
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
    for page in &loaded.not_api {
        eprintln!("{page}");
    }
    for r in &loaded.rejected {
        eprintln!("{r}");
    }
    for e in &loaded.errors {
        eprintln!("{e}");
    }
    let ops: Vec<&ir::Operation> = loaded.parsed.iter().map(|p| &p.operation).collect();
    println!("{}", serde_json::to_string_pretty(&ops)?);
    let failed = !loaded.rejected.is_empty() || !loaded.errors.is_empty();
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Runs a command, printing its error (with causes) on stderr.
pub fn exit_code(result: anyhow::Result<ExitCode>) -> ExitCode {
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_shared_folder() {
        let rel = |a: &str, b: &str| relative_path(Path::new(a), Path::new(b)).map(|p| slash_separated(&p));
        assert_eq!(rel("/w/crates/x", "/w/docs/x").as_deref(), Some("../../docs/x"));
        assert_eq!(rel("/w/crates/x", "/w/crates/x/docs").as_deref(), Some("docs"));
        assert_eq!(rel("/w/x", "/w/x").as_deref(), Some("."));
        assert_eq!(rel("/tmp/a", "/home/b").as_deref(), Some("../../home/b"));
    }

    #[test]
    fn docs_are_named_relative_to_the_crate_or_by_their_folder() {
        let named = |out: &str, docs: &str| docs_named_from(Path::new(out), Path::new(docs));
        let pair = |root: &str, docs: &str| Some((PathBuf::from(root), PathBuf::from(docs)));
        assert_eq!(named("/w/crates/x", "/w/docs/x"), pair("/w/crates/x", "../../docs/x"));
        // Sharing only `/`, a relative path would name this machine's folders.
        assert_eq!(named("/tmp/a", "/home/me/docs"), pair("/home/me", "docs"));
        assert_eq!(named("/tmp/a", "/"), None);
    }
}
