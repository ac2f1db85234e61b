//! `docbind`: generate typed async Rust clients from a folder of vendor API docs, in any repository.

use clap::{Parser, Subcommand};
use docbind_cli::{DiffArgs, GenerateArgs, IrArgs};
use std::process::ExitCode;

// The generator allocates a small object for nearly every token it builds and parses; mimalloc makes those
// allocations markedly cheaper than glibc's (BENCHMARKS.md, codegen speed).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Typed async Rust clients from vendor markdown API docs.
#[derive(Debug, Parser)]
#[command(name = "docbind", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate (or regenerate) a crate from a folder of docs. An API doc that does not parse, any overlay problem
    /// and (when the crate exists) a breaking API change are errors; pages that are not API docs are skipped with a
    /// note.
    Generate {
        #[command(flatten)]
        args: GenerateArgs,
        /// Write the crate even when its API changes in a way that breaks callers (compared with the API the crate
        /// records in docbind-api.json).
        #[arg(long)]
        accept_breaking: bool,
    },
    /// Check that a generated crate is up to date with its docs; fails when it is stale.
    Check(GenerateArgs),
    /// API changes between two doc folders, each classified as breaking or compatible.
    #[command(override_usage = "docbind diff <OLD> <NEW> [--json]\n       docbind diff --git <REV> [PATH] [--json]")]
    Diff(DiffArgs),
    /// Print the IR of doc files or folders as JSON.
    Ir(IrArgs),
}

fn main() -> ExitCode {
    docbind_cli::exit_code(match Cli::parse().command {
        Command::Generate { args, accept_breaking } => docbind_cli::generate(&args, false, accept_breaking),
        Command::Check(args) => docbind_cli::generate(&args, true, false),
        Command::Diff(args) => docbind_cli::diff(&args),
        Command::Ir(args) => docbind_cli::ir(&args),
    })
}
