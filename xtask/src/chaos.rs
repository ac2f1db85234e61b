//! `cargo xtask chaos`: the chaos test of `crates/docbind/tests/chaos.rs` at full length (10,000 calls by default),
//! built in release, printing its counts. CI runs the same test at 2,000 calls as part of `cargo test`.

use anyhow::Context;
use std::process::{Command, ExitCode};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// How many calls (reads, page streams and state changes, spread over 16 workers).
    #[arg(long, default_value_t = 10_000)]
    calls: u64,
    /// The seed of the faults (decimal, or hex with 0x); the test's default when left out.
    #[arg(long)]
    seed: Option<String>,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(crate::repo_root())
        .args(["test", "--release", "--quiet", "-p", "docbind", "--test", "chaos", "--", "--nocapture"])
        .env("DOCBIND_CHAOS_CALLS", args.calls.to_string());
    if let Some(seed) = &args.seed {
        command.env("DOCBIND_CHAOS_SEED", seed);
    }
    // The test prints its counts to stderr, which is passed through; it fails unless every count is 0.
    let status = command.status().context("running cargo test")?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
