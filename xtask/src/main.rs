//! `cargo xtask`: docbind's generator. See ARCHITECTURE.md for the pipeline.

mod diag;
mod dialect;
mod docs;
mod ir;
mod markdown;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ir [--dialect ucloud|finovy] <PATH>...   print the IR of doc files or folders as JSON
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ir") => cmd_ir(&args[1..]),
        Some("-h" | "--help") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(anyhow::anyhow!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn cmd_ir(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut forced = None;
    let mut paths = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--dialect" => {
                let value = it.next().ok_or_else(|| anyhow::anyhow!("--dialect needs `ucloud` or `finovy`"))?;
                forced = Some(docs::parse_dialect(value)?);
            }
            flag if flag.starts_with('-') => anyhow::bail!("unknown flag `{flag}`\n\n{USAGE}"),
            path => paths.push(PathBuf::from(path)),
        }
    }
    if paths.is_empty() {
        anyhow::bail!("`ir` needs at least one doc file or folder\n\n{USAGE}");
    }
    let loaded = docs::load(&paths, forced)?;
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
