//! `cargo xtask`: docbind's generator. See ARCHITECTURE.md for the pipeline.

mod bench;
mod chaos;
mod classify;
mod corpus;
mod sync;

use docbind_gen::{CrateSpec, RuntimeDep};

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
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
    Ir(docbind_cli::IrArgs),
    /// Regenerate every crates/NAME from specs/NAME, or (with --spec-dir and --out) generate a crate from any
    /// folder of docs, as `docbind generate` does.
    Codegen {
        /// Check that the generated files are up to date instead of writing them.
        #[arg(long)]
        check: bool,
        /// Write the crates even when their API changes in a way that breaks callers.
        #[arg(long)]
        accept_breaking: bool,
        /// One crate from any folder of docs (the checked-in specs/ never skip an invalid doc).
        #[command(flatten)]
        one: Option<docbind_cli::GenerateArgs>,
    },
    /// Generate, build, lint and decode-test every doc of the corpus and print a tally.
    Corpus(corpus::Args),
    /// API changes between two doc folders, each classified as breaking or compatible (exit status 1 when any is
    /// breaking, 2 when they could not be compared).
    #[command(
        override_usage = "cargo xtask diff <OLD> <NEW> [--json]\n       cargo xtask diff --git <REV> [PATH] [--json]"
    )]
    Diff(docbind_cli::DiffArgs),
    /// Performance against same-run baselines and the budgets of BENCHMARKS.md.
    Bench(bench::Args),
    /// Check the API diff's breaking/compatible calls against the compiler over a docs checkout's history (user
    /// crates written against the old generated crate, checked against the new one).
    Classify(classify::Args),
    /// Sync the crates whose docs come from a checkout of the vendor's docs repository (their
    /// specs/NAME/upstream.toml) to its HEAD or --rev, as `docbind sync` does, then bump the workspace's
    /// dependency versions and the facade's (exit 1 with --check when upstream moved).
    Sync(sync::Args),
    /// The chaos test (crates/docbind/tests/chaos.rs) at 10,000 calls, printing its counts.
    Chaos(chaos::Args),
}

fn main() -> ExitCode {
    // `codegen` alone regenerates the checked-in crates: there, the arguments of one crate are optional (together).
    let command = Cli::command().mut_subcommand("codegen", |codegen| {
        codegen
            .mut_arg("spec_dir", |arg| arg.required(false).requires("out"))
            .mut_arg("out", |arg| arg.required(false).requires("spec_dir"))
    });
    let cli = Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        Command::Ir(args) => docbind_cli::ir(&args),
        Command::Codegen { check, accept_breaking, one: Some(args) } => {
            docbind_cli::generate(&args, check, accept_breaking)
        }
        Command::Codegen { check, accept_breaking, one: None } => workspace_crates().and_then(|targets| {
            // Clean runs: the generator is edited here, within one version (what incremental runs rely on).
            let rules =
                docbind_cli::Rules { invalid: docbind_gen::InvalidDocs::Fail, accept_breaking, incremental: false };
            docbind_cli::write_crates(&targets, check, rules, Some(&repo_root()), "cargo xtask codegen")
        }),
        // Its own exit statuses: 1 for breaking changes, 2 for errors.
        Command::Diff(args) => return docbind_cli::diff_exit_code(docbind_cli::diff(&args)),
        Command::Bench(args) => bench::run(&args),
        Command::Corpus(args) => corpus::run(&args),
        Command::Chaos(args) => chaos::run(&args),
        Command::Sync(args) => sync::run(&args),
        Command::Classify(args) => classify::run(&args),
    };
    docbind_cli::exit_code(result)
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

/// Every `specs/<name>/` becomes `crates/<name>/`, a member of this workspace (written under the same ownership
/// rules as `docbind generate`: never over a file it did not generate).
pub(crate) fn workspace_crates() -> anyhow::Result<Vec<docbind_cli::Target>> {
    let root = repo_root();
    let mut names: Vec<String> = std::fs::read_dir(root.join("specs"))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        // Not a crate: a sync's staging folder (`specs/.docbind-sync-*`) left by a killed run.
        .filter(|name| !name.starts_with('.'))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let out_dir = root.join("crates").join(&name);
            // The crate's own version, as its record holds it (sync bumps it).
            let version = docbind_gen::read_record(&out_dir)?.and_then(|record| record.settings.version);
            Ok(docbind_cli::Target {
                shown_as: PathBuf::from("specs").join(&name),
                spec: CrateSpec {
                    spec_dir: PathBuf::from("specs").join(&name),
                    out_dir,
                    spec_label: format!("specs/{name}"),
                    crate_name: name,
                    runtime: RuntimeDep::Workspace,
                    standalone: false,
                },
                version,
                root: root.clone(),
                force: false,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// Fails when checked-in generated code differs from what the specs generate (as `codegen --check` does).
    #[test]
    fn generated_crates_are_fresh() {
        let specs = super::workspace_crates().expect("specs/ is readable");
        assert!(!specs.is_empty());
        let mut stale = Vec::new();
        for docbind_cli::Target { spec, root, version, .. } in &specs {
            let loaded = docbind_gen::load(root, std::slice::from_ref(&spec.spec_dir), None).expect("load");
            let version = version.as_deref().unwrap_or(docbind_gen::FIRST_VERSION);
            let invalid = docbind_gen::InvalidDocs::Fail;
            let files = docbind_gen::generate_version(spec, version, &loaded, invalid).expect("generate").files;
            stale.extend(docbind_gen::ensure_files(&spec.out_dir, &files, true).expect("check"));
        }
        assert!(stale.is_empty(), "run `cargo xtask codegen` and commit:\n{}", stale.join("\n"));
    }
}
