#![doc = include_str!("../README.md")]

use anyhow::Context;
use clap::builder::TypedValueParser;
use clap::Args;
use docbind_gen::{ir, parallel, ApiGate, CrateSpec, InvalidDocs, RuntimeDep};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

mod release;
mod shown;
mod sync;
mod upstream;
pub use release::{Bump, Version};
pub use shown::DocNames;
pub use sync::{comes_from, sync, sync_crates, SyncArgs, SyncOptions, Synced, CHANGELOG_FILE};
pub use upstream::{glob_matches, Upstream, UpstreamError, UPSTREAM_FILE};

/// `generate` and `check`: one crate from one folder of docs. Settings not given are those recorded in the crate's
/// `docbind.toml` (how it was last generated), else the defaults; settings given replace them (`generate` records
/// them, `check` compares against them).
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// The folder of docs to generate the crate from (searched recursively for `*.md`).
    #[arg(long, value_name = "DIR")]
    pub spec_dir: PathBuf,
    /// The crate's folder (if it is a symbolic link, the folder it points to).
    #[arg(long, value_name = "CRATE_DIR")]
    pub out: PathBuf,
    /// The crate's name (default: as recorded, else the crate folder's name).
    #[arg(long, value_name = "NAME")]
    pub crate_name: Option<String>,
    /// Declare an empty `[workspace]`, so the crate builds on its own even inside another workspace's folder
    /// (by default it builds as a member of the enclosing workspace, or on its own when there is none).
    #[arg(long, overrides_with = "no_standalone")]
    pub standalone: bool,
    /// Undo a recorded --standalone: the crate builds as a member of the enclosing workspace.
    #[arg(long, overrides_with = "standalone")]
    pub no_standalone: bool,
    /// Depend on a local docbind-runtime at PATH (written relative to the crate) instead of by version.
    #[arg(long, value_name = "PATH")]
    pub runtime_path: Option<PathBuf>,
    /// Undo a recorded --runtime-path: depend on docbind-runtime by version.
    #[arg(long, conflicts_with = "runtime_path")]
    pub no_runtime_path: bool,
    /// Leave out the API docs that do not parse or generate (unsupported templates, invalid docs), naming each on
    /// stderr, instead of failing. Overlay problems fail even so. Pages that are not API docs (README, glossary,
    /// index…) are always skipped with a note.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Accepted and ignored: failing on any invalid API doc is the default (see --skip-invalid).
    #[arg(long, hide = true, conflicts_with = "skip_invalid")]
    pub strict: bool,
    /// Write over files in the crate folder that docbind did not generate, where it generates files (by default
    /// such a file is an error and nothing is written). Files docbind did not generate are never removed, and
    /// nothing is written through a symbolic link.
    #[arg(long)]
    pub force: bool,
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
    /// Reuse the operation modules whose inputs are unchanged since the crate was generated (never in check mode,
    /// which compares with a clean run).
    pub incremental: bool,
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
    #[arg(long, value_parser = dialect_arg())]
    pub dialect: Option<ir::Dialect>,
    /// Doc files or folders (searched recursively for `*.md`).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// `--dialect`: the generator's registered doc templates, by name, each with what it reads as its help.
fn dialect_arg() -> impl TypedValueParser<Value = ir::Dialect> {
    let names = ir::Dialect::all().map(|d| clap::builder::PossibleValue::new(d.name()).help(d.about()));
    // Only the names just listed get past the parser, so each has its dialect.
    clap::builder::PossibleValuesParser::new(names).map(|name| ir::Dialect::named(&name).expect("a listed name"))
}

/// One crate to write or check: what to generate, the folder its `spec_dir` is relative to, and how to show its
/// docs in diagnostics.
#[derive(Debug, Clone)]
pub struct Target {
    /// The crate.
    pub spec: CrateSpec,
    /// `spec.spec_dir` is loaded relative to this folder, so the docs' paths in the generated files are relative
    /// to it too.
    pub root: PathBuf,
    /// `spec.spec_dir` as warnings and errors name it: as the user named it, relative to the working directory.
    pub shown_as: PathBuf,
    /// Write over files docbind did not generate (`--force`).
    pub force: bool,
    /// The crate's version (default [`docbind_gen::FIRST_VERSION`]): as recorded, or as `sync` bumped it.
    pub version: Option<String>,
}

/// `generate` (or `check`, which writes nothing and fails when the crate is stale). `accept_breaking`: write the
/// crate even when its API breaks callers.
pub fn generate(args: &GenerateArgs, check: bool, accept_breaking: bool) -> anyhow::Result<ExitCode> {
    let (target, _stand_in) = crate_target(args, check)?;
    let rules = Rules { invalid: args.invalid_docs(), accept_breaking, incremental: true };
    write_crates(&[target], check, rules, None, "docbind generate")
}

/// The crate `args` describe, with the settings its record holds where `args` leave them out. Its docs are named
/// relative to the crate's folder (or, when the two share no folder but the filesystem root, by the docs folder's
/// name), and a local runtime relative to the crate's folder, so no generated file holds an absolute path and the
/// same docs generate the same files wherever they are.
///
/// Nothing is created where the crate goes: when its folder does not exist yet, the docs are loaded from a
/// temporary stand-in for it at the same depth (`../../docs` has to resolve), removed when the returned guard
/// drops.
pub(crate) fn crate_target(args: &GenerateArgs, check: bool) -> anyhow::Result<(Target, Option<tempfile::TempDir>)> {
    let spec_dir = std::fs::canonicalize(&args.spec_dir)
        .with_context(|| format!("spec folder {} is not readable", args.spec_dir.display()))?;
    let (existing, missing) = nearest_existing(&args.out)?;
    let out = missing.iter().fold(existing.clone(), |path, name| path.join(name));
    if missing.is_empty() && !out.is_dir() {
        anyhow::bail!("crate folder {} is not a folder", args.out.display());
    }
    if check && !missing.is_empty() {
        anyhow::bail!("crate folder {} is missing (`docbind generate` writes it)", args.out.display());
    }
    let record = match docbind_gen::read_record(&out) {
        Ok(record) => record,
        // Forced, a damaged record is written over; the settings come from the command line.
        Err(_) if args.force && !check => None,
        Err(e) => return Err(e.into()),
    };
    let recorded = record.as_ref().map(|r| &r.settings);
    let crate_name =
        match (&args.crate_name, recorded) {
            (Some(name), _) => name.clone(),
            (None, Some(settings)) => settings.crate_name.clone(),
            (None, None) => out.file_name().and_then(|n| n.to_str()).map(str::to_string).with_context(|| {
                format!("cannot derive a crate name from {}; pass --crate-name", args.out.display())
            })?,
        };
    if crate_name.is_empty() || !crate_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        anyhow::bail!("`{crate_name}` is not a valid crate name (ASCII letters, digits, `-` and `_`)");
    }
    let Some((mut root, spec_path)) = docs_named_from(&out, &spec_dir) else {
        anyhow::bail!("cannot name spec folder {} in the generated files", spec_dir.display());
    };
    let mut stand_in = None;
    if root == out && !missing.is_empty() {
        let temp = tempfile::Builder::new()
            .prefix(".docbind-")
            .tempdir_in(&existing)
            .with_context(|| format!("creating a temporary folder in {}", existing.display()))?;
        root = missing[1..].iter().fold(temp.path().to_path_buf(), |path, name| path.join(name));
        std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
        stand_in = Some(temp);
    }
    let runtime = match (&args.runtime_path, args.no_runtime_path, recorded) {
        (Some(path), _, _) => {
            let path = std::fs::canonicalize(path)
                .with_context(|| format!("runtime folder {} is not readable", path.display()))?;
            RuntimeDep::Path(relative_path(&out, &path).unwrap_or(path))
        }
        (None, false, Some(settings)) => settings
            .runtime_dep()
            .map_err(|e| anyhow::anyhow!("{}: {e}", out.join(docbind_gen::RECORD_FILE).display()))?,
        (None, _, _) => RuntimeDep::Version,
    };
    let standalone = match (args.standalone, args.no_standalone) {
        (true, _) => true,
        (_, true) => false,
        _ => recorded.is_some_and(|s| s.standalone),
    };
    let spec_label = slash_separated(&spec_path);
    let spec =
        CrateSpec { crate_name, spec_dir: spec_path, out_dir: args.out.clone(), spec_label, runtime, standalone };
    let version = recorded.and_then(|settings| settings.version.clone());
    Ok((Target { spec, root, shown_as: args.spec_dir.clone(), force: args.force, version }, stand_in))
}

/// The nearest folder of `path` (itself or above) that exists, canonical, and the names below it that do not
/// exist yet, outermost first. Creates nothing.
fn nearest_existing(path: &Path) -> anyhow::Result<(PathBuf, Vec<std::ffi::OsString>)> {
    let mut missing = Vec::new();
    let mut existing = path;
    loop {
        let folder = if existing.as_os_str().is_empty() { Path::new(".") } else { existing };
        match std::fs::canonicalize(folder) {
            Ok(found) => {
                missing.reverse();
                return Ok((found, missing));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match (existing.file_name(), existing.parent()) {
                (Some(name), Some(parent)) => {
                    missing.push(name.to_os_string());
                    existing = parent;
                }
                _ => anyhow::bail!("crate folder {} cannot be resolved", path.display()),
            },
            Err(e) => return Err(e).with_context(|| format!("reading {}", folder.display())),
        }
    }
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
        let names = DocNames::new(&target.root, &target.spec.spec_dir, &target.shown_as);
        let mut loaded = docbind_gen::load(&target.root, std::slice::from_ref(&target.spec.spec_dir), None)
            .map_err(|e| names.load_error(e))?;
        let version = target.version.as_deref().unwrap_or(docbind_gen::FIRST_VERSION);
        let previous = if rules.incremental && !check {
            docbind_gen::Previous::read(&target.spec.out_dir)
        } else {
            docbind_gen::Previous::none()
        };
        let mut generated = docbind_gen::generate_incremental(&target.spec, version, &loaded, rules.invalid, &previous)
            .map_err(|e| names.generate_error(e))?;
        loaded.warnings.iter_mut().for_each(|w| names.diagnostic(w));
        generated.skipped.iter_mut().for_each(|r| names.rejection(r));
        // Names docbind had to change (a keyword, a crate item) are the generator's warnings, beside the docs'.
        generated.warnings.iter_mut().for_each(|w| names.diagnostic(w));
        loaded.warnings.append(&mut generated.warnings);
        loaded.not_api.iter_mut().for_each(|page| names.not_api_page(page));
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
        let gates = targets.iter().zip(&generated).map(|(t, (files, _))| (t, files.as_slice()));
        breaking_change_gate(gates, rules.accept_breaking)?;
    }
    let mut stale = Vec::new();
    for (target, (files, ops)) in targets.iter().zip(&generated) {
        let spec = &target.spec;
        let changed = if target.force && !check {
            docbind_gen::force_files(&spec.out_dir, files)?
        } else {
            docbind_gen::ensure_files(&spec.out_dir, files, check)?
        };
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
    crates: impl Iterator<Item = (&'a Target, &'a [docbind_gen::GeneratedFile])>,
    accept_breaking: bool,
) -> anyhow::Result<()> {
    let mut refused = Vec::new();
    for (target, files) in crates {
        let spec = &target.spec;
        // The docs named as the user named them (the snapshot names them from the crate, as generated files do).
        let names = DocNames::new(&target.root, &spec.spec_dir, &target.shown_as);
        let gate = docbind_gen::api_gate(&spec.out_dir, files)?;
        // Only a crate docbind generated before has an API to compare with (a user's crate is refused later).
        let generated_before = std::fs::read_to_string(spec.out_dir.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.lines().next().is_some_and(|line| line.contains("@generated by")));
        if matches!(gate, ApiGate::NoSnapshot) && generated_before {
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
            Some(at) => {
                let (from_crate, shown) = (at.file.display().to_string(), names.path(&at.file).display().to_string());
                format!("  {shown}:{}: {}", at.line, c.to_string().replace(&from_crate, &shown))
            }
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

/// `diff`'s exit status when some change is breaking (0 when none is; errors exit with 2).
pub const DIFF_BREAKING: u8 = 1;
/// `diff`'s exit status when the comparison could not be made.
pub const DIFF_FAILED: u8 = 2;

/// `diff OLD NEW [--json]` or `diff --git REV [PATH] [--json]`: exits with [`DIFF_BREAKING`] when any change is
/// breaking, so CI can gate on it (errors: [`DIFF_FAILED`], through [`diff_exit_code`]).
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
    let breaking = changes.iter().any(|c| c.impact == docbind_gen::Impact::Breaking);
    Ok(if breaking { ExitCode::from(DIFF_BREAKING) } else { ExitCode::SUCCESS })
}

/// Runs `diff`, printing its error (with causes) on stderr: an error exits with [`DIFF_FAILED`], apart from
/// breaking changes.
pub fn diff_exit_code(result: anyhow::Result<ExitCode>) -> ExitCode {
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(DIFF_FAILED)
    })
}

/// `ir PATH...`: the IR as JSON on stdout; warnings, notes, rejected docs and overlay errors on stderr (any
/// rejected doc or overlay error fails).
pub fn ir(args: &IrArgs) -> anyhow::Result<ExitCode> {
    let forced = args.dialect;
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
