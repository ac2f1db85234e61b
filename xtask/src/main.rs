//! `cargo xtask`: docbind's generator. See ARCHITECTURE.md for the pipeline.

mod bench;
mod corpus;

use docbind_gen::{ir, parallel, CrateSpec, RuntimeDep};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The generator allocates a small object for nearly every token it builds and parses (proc-macro2, syn);
// mimalloc makes those allocations markedly cheaper than glibc's (BENCHMARKS.md, codegen speed).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// docbind's generator: vendor markdown API docs → typed Rust crates.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", disable_version_flag = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the IR of doc files or folders as JSON.
    Ir {
        /// Parse every doc as this dialect instead of detecting it.
        #[arg(long, value_enum)]
        dialect: Option<DialectArg>,
        /// Doc files or folders (searched recursively for `*.md`).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Regenerate every crates/<name> from specs/<name>, or (with --spec-dir and --out) generate a standalone
    /// crate from any folder of docs; unsupported or invalid docs are listed on stderr and left out.
    Codegen {
        /// Check that the generated files are up to date instead of writing them.
        #[arg(long)]
        check: bool,
        /// Any unsupported or invalid doc is an error (always on for the checked-in specs/).
        #[arg(long)]
        strict: bool,
        /// A folder of docs to generate a standalone crate from.
        #[arg(long, value_name = "DIR", requires = "out")]
        spec_dir: Option<PathBuf>,
        /// Where the standalone crate goes.
        #[arg(long, value_name = "CRATE_DIR", requires = "spec_dir")]
        out: Option<PathBuf>,
        /// The standalone crate's name (default: the --out folder's name).
        #[arg(long, value_name = "NAME", requires = "spec_dir")]
        crate_name: Option<String>,
    },
    /// Generate, build, lint and decode-test every doc of the corpus and print a tally.
    Corpus(corpus::Args),
    /// API changes between two doc folders, each classified as breaking or compatible.
    #[command(
        override_usage = "cargo xtask diff <OLD> <NEW> [--json]\n       cargo xtask diff --git <REV> [PATH] [--json]"
    )]
    Diff {
        /// Compare PATH (default `specs`) as of this git revision with the working tree.
        #[arg(long, value_name = "REV")]
        git: Option<String>,
        /// Print the changes as JSON.
        #[arg(long)]
        json: bool,
        /// OLD and NEW folders, or with --git one PATH.
        paths: Vec<PathBuf>,
    },
    /// Performance against same-run baselines and the budgets of BENCHMARKS.md.
    Bench(bench::Args),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DialectArg {
    Ucloud,
    Finovy,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ir { dialect, paths } => cmd_ir(dialect, &paths),
        Command::Codegen { check, strict, spec_dir, out, crate_name } => {
            let specs = match (spec_dir, out) {
                (Some(spec_dir), Some(out)) => standalone_crate(spec_dir, out, crate_name).map(|s| (vec![s], strict)),
                // The checked-in crates are always generated strictly.
                _ => workspace_crates().map(|specs| (specs, true)),
            };
            specs.and_then(|(specs, strict)| cmd_codegen(&specs, check, strict))
        }
        Command::Diff { git, json, paths } => cmd_diff(git, json, &paths),
        Command::Bench(args) => bench::run(&args),
        Command::Corpus(args) => corpus::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn cmd_ir(dialect: Option<DialectArg>, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let forced = dialect.map(|d| match d {
        DialectArg::Ucloud => ir::Dialect::Ucloud,
        DialectArg::Finovy => ir::Dialect::Finovy,
    });
    let loaded = docbind_gen::load(Path::new(""), paths, forced)?;
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
    for r in &loaded.rejected {
        eprintln!("{r}");
    }
    let ops: Vec<&ir::Operation> = loaded.parsed.iter().map(|p| &p.operation).collect();
    println!("{}", serde_json::to_string_pretty(&ops)?);
    Ok(if loaded.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `cargo xtask diff <OLD> <NEW> [--json]` or `cargo xtask diff --git <REV> [PATH] [--json]`.
fn cmd_diff(git: Option<String>, json: bool, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let changes = match (git, paths) {
        (Some(rev), [] | [_]) => {
            let path = paths.first().cloned().unwrap_or_else(|| "specs".into());
            docbind_gen::compare_git(Path::new("."), &rev, &path)?
        }
        (None, [old, new]) => docbind_gen::compare_dirs(old, new)?,
        _ => anyhow::bail!("usage: cargo xtask diff <OLD> <NEW> [--json] | --git <REV> [PATH] [--json]"),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&changes)?);
    } else {
        for c in &changes {
            println!("{c}");
        }
        println!("{}", docbind_gen::summary(&changes));
    }
    Ok(ExitCode::SUCCESS)
}

/// Tokens → formatted Rust source: how xtask emits the code it generates itself (the bench's derive baseline, the
/// corpus harness).
pub fn rust_source(tokens: proc_macro2::TokenStream) -> anyhow::Result<String> {
    let file = syn::parse2(tokens.clone()).with_context(|| format!("emitted tokens are not Rust:\n{tokens}"))?;
    Ok(prettyplease::unparse(&file))
}

/// Cargo's target dir for this workspace: `CARGO_TARGET_DIR` when set (relative to the repository root),
/// else `target/` of the repository.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => repo_root().join(dir),
        None => repo_root().join("target"),
    }
}

/// The repository root: xtask lives one level below it.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn cmd_codegen(specs: &[CrateSpec], check: bool, strict: bool) -> anyhow::Result<ExitCode> {
    // Generate everything first (one crate per core): a failure anywhere writes nothing.
    let results = parallel::map(specs, parallel::cores(), |spec| -> anyhow::Result<_> {
        let root = match spec.runtime {
            RuntimeDep::Workspace => repo_root(),
            RuntimeDep::Path(_) | RuntimeDep::Member(_) => PathBuf::new(),
        };
        let loaded = docbind_gen::load(&root, std::slice::from_ref(&spec.spec_dir), None)?;
        let crate_files = docbind_gen::generate(spec, &loaded, strict)?;
        Ok((loaded.warnings, crate_files))
    });
    let mut generated = Vec::new();
    for result in results {
        let (warnings, crate_files) = result?;
        for w in &warnings {
            eprintln!("{w}");
        }
        for skipped in &crate_files.skipped {
            eprintln!("skipped: {}", skipped.to_string().replace('\n', "; "));
        }
        generated.push((crate_files.files, crate_files.operations.len()));
    }
    let mut stale = Vec::new();
    for (spec, (files, ops)) in specs.iter().zip(&generated) {
        let changed = docbind_gen::ensure_files(&spec.out_dir, files, check)?;
        if !check {
            let api = match spec.runtime {
                RuntimeDep::Workspace => docbind_gen::summary_since_head(&repo_root(), &spec.spec_dir),
                RuntimeDep::Path(_) | RuntimeDep::Member(_) => None,
            };
            let api = api.map(|s| format!("; API: {s}")).unwrap_or_default();
            println!("{}: {} operation(s), {} file(s) changed{api}", spec.crate_name, ops, changed.len());
        }
        stale.extend(changed);
    }
    if check && !stale.is_empty() {
        for s in &stale {
            eprintln!("{s}");
        }
        eprintln!("generated code is stale: run `cargo xtask codegen` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Every `specs/<name>/` becomes `crates/<name>/`, a member of this workspace.
fn workspace_crates() -> anyhow::Result<Vec<CrateSpec>> {
    let root = repo_root();
    let mut names: Vec<String> = std::fs::read_dir(root.join("specs"))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    Ok(names
        .into_iter()
        .map(|name| CrateSpec {
            spec_dir: PathBuf::from("specs").join(&name),
            out_dir: root.join("crates").join(&name),
            spec_label: format!("specs/{name}"),
            crate_name: name,
            runtime: RuntimeDep::Workspace,
        })
        .collect())
}

fn standalone_crate(spec_dir: PathBuf, out: PathBuf, crate_name: Option<String>) -> anyhow::Result<CrateSpec> {
    let name =
        match crate_name {
            Some(n) => n,
            None => out.file_name().and_then(|n| n.to_str()).map(str::to_string).ok_or_else(|| {
                anyhow::anyhow!("cannot derive a crate name from {}; pass --crate-name", out.display())
            })?,
        };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        anyhow::bail!("`{name}` is not a valid crate name");
    }
    let runtime = std::fs::canonicalize(repo_root().join("crates/docbind-runtime"))?;
    Ok(CrateSpec {
        spec_label: spec_dir.display().to_string(),
        spec_dir,
        out_dir: out,
        crate_name: name,
        runtime: RuntimeDep::Path(runtime),
    })
}

#[cfg(test)]
mod tests {
    /// Fails when checked-in generated code differs from what the specs generate (as `codegen --check` does).
    #[test]
    fn generated_crates_are_fresh() {
        let specs = super::workspace_crates().expect("specs/ is readable");
        assert!(!specs.is_empty());
        let mut stale = Vec::new();
        for spec in &specs {
            let loaded =
                docbind_gen::load(&super::repo_root(), std::slice::from_ref(&spec.spec_dir), None).expect("load");
            let files = docbind_gen::generate(spec, &loaded, true).expect("generate").files;
            stale.extend(docbind_gen::ensure_files(&spec.out_dir, &files, true).expect("check"));
        }
        assert!(stale.is_empty(), "run `cargo xtask codegen` and commit:\n{}", stale.join("\n"));
    }
}
