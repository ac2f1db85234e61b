//! `cargo xtask`: docbind's generator. See ARCHITECTURE.md for the pipeline.

mod bench;
mod corpus;

use docbind_gen::{codegen, diff, ir, load, parallel};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The generator allocates a small object for nearly every token it builds and parses (proc-macro2, syn);
// mimalloc makes those allocations markedly cheaper than glibc's (BENCHMARKS.md, codegen speed).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ir [--dialect ucloud|finovy] <PATH>...   print the IR of doc files or folders as JSON
  codegen [--check]                        regenerate every crates/<name> from specs/<name>
  codegen --spec-dir <DIR> --out <CRATE_DIR> [--crate-name <NAME>] [--check] [--strict]
                                           generate a standalone crate from any folder of docs; unsupported
                                           or invalid docs are listed on stderr and left out (--strict: errors)
  corpus [DIR] [--out DIR]                 generate, build, lint and decode-test every doc of the corpus
                                           (default ../shared/corpus into target/corpus) and print a tally
  diff <OLD> <NEW> [--json]                API changes between two doc folders, breaking or compatible
  diff --git <REV> [PATH] [--json]         the same, PATH (default specs) at REV against the working tree
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ir") => cmd_ir(&args[1..]),
        Some("codegen") => cmd_codegen(&args[1..]),
        Some("diff") => cmd_diff(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("corpus") => corpus::run(&args[1..]),
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
                forced = Some(load::parse_dialect(value)?);
            }
            flag if flag.starts_with('-') => anyhow::bail!("unknown flag `{flag}`\n\n{USAGE}"),
            path => paths.push(PathBuf::from(path)),
        }
    }
    if paths.is_empty() {
        anyhow::bail!("`ir` needs at least one doc file or folder\n\n{USAGE}");
    }
    let loaded = load::load(Path::new(""), &paths, forced)?;
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
fn cmd_diff(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut json = false;
    let mut rev = None;
    let mut paths = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--git" => rev = Some(it.next().ok_or_else(|| anyhow::anyhow!("--git needs a revision"))?.clone()),
            flag if flag.starts_with('-') => anyhow::bail!("unknown flag `{flag}`"),
            path => paths.push(PathBuf::from(path)),
        }
    }
    let changes = match (rev, paths.as_slice()) {
        (Some(rev), [] | [_]) => {
            let path = paths.first().cloned().unwrap_or_else(|| "specs".into());
            diff::compare_git(Path::new("."), &rev, &path)?
        }
        (None, [old, new]) => diff::compare_dirs(old, new)?,
        _ => anyhow::bail!("usage: cargo xtask diff <OLD> <NEW> [--json] | --git <REV> [PATH] [--json]"),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&changes)?);
    } else {
        for c in &changes {
            println!("{c}");
        }
        println!("{}", diff::summary(&changes));
    }
    Ok(ExitCode::SUCCESS)
}

/// The repository root: xtask lives one level below it.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn cmd_codegen(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut check = false;
    let mut strict = false;
    let mut spec_dir = None;
    let mut out = None;
    let mut crate_name = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| it.next().cloned().ok_or_else(|| anyhow::anyhow!("{flag} needs a value"));
        match arg.as_str() {
            "--check" => check = true,
            "--strict" => strict = true,
            "--spec-dir" => spec_dir = Some(PathBuf::from(value("--spec-dir")?)),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--crate-name" => crate_name = Some(value("--crate-name")?),
            other => anyhow::bail!("unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    let specs = match (spec_dir, out) {
        // The checked-in crates are always generated strictly.
        (None, None) if crate_name.is_none() => {
            strict = true;
            workspace_crates()?
        }
        (Some(spec_dir), Some(out)) => vec![standalone_crate(spec_dir, out, crate_name)?],
        _ => anyhow::bail!("`--spec-dir` and `--out` go together\n\n{USAGE}"),
    };
    // Generate everything first (one crate per core): a failure anywhere writes nothing.
    let results = parallel::map(&specs, parallel::cores(), |spec| -> anyhow::Result<_> {
        let root = match spec.runtime {
            codegen::RuntimeDep::Workspace => repo_root(),
            codegen::RuntimeDep::Path(_) | codegen::RuntimeDep::Member(_) => PathBuf::new(),
        };
        let loaded = load::load(&root, std::slice::from_ref(&spec.spec_dir), None)?;
        let crate_files = codegen::generate(spec, &loaded, strict)?;
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
        generated.push(crate_files.files);
    }
    let mut stale = Vec::new();
    for (spec, files) in specs.iter().zip(&generated) {
        let changed = codegen::ensure_files(&spec.out_dir, files, check)?;
        if !check {
            let ops = files.iter().filter(|f| f.path.starts_with("src") && !f.path.ends_with("lib.rs")).count();
            let api = match spec.runtime {
                codegen::RuntimeDep::Workspace => diff::summary_since_head(&repo_root(), &spec.spec_dir),
                codegen::RuntimeDep::Path(_) | codegen::RuntimeDep::Member(_) => None,
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
fn workspace_crates() -> anyhow::Result<Vec<codegen::CrateSpec>> {
    let root = repo_root();
    let mut names: Vec<String> = std::fs::read_dir(root.join("specs"))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    Ok(names
        .into_iter()
        .map(|name| codegen::CrateSpec {
            spec_dir: PathBuf::from("specs").join(&name),
            out_dir: root.join("crates").join(&name),
            spec_label: format!("specs/{name}"),
            crate_name: name,
            runtime: codegen::RuntimeDep::Workspace,
        })
        .collect())
}

fn standalone_crate(spec_dir: PathBuf, out: PathBuf, crate_name: Option<String>) -> anyhow::Result<codegen::CrateSpec> {
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
    Ok(codegen::CrateSpec {
        spec_label: spec_dir.display().to_string(),
        spec_dir,
        out_dir: out,
        crate_name: name,
        runtime: codegen::RuntimeDep::Path(runtime),
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
                super::load::load(&super::repo_root(), std::slice::from_ref(&spec.spec_dir), None).expect("load");
            let files = super::codegen::generate(spec, &loaded, true).expect("generate").files;
            stale.extend(super::codegen::ensure_files(&spec.out_dir, &files, true).expect("check"));
        }
        assert!(stale.is_empty(), "run `cargo xtask codegen` and commit:\n{}", stale.join("\n"));
    }
}
