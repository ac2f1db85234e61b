//! `cargo xtask bench`: performance against baselines measured in the same run, and against the budgets of
//! BENCHMARKS.md.
//!
//! - `--codegen`: the whole UCloud corpus through the generator, in process, timed per phase (read, markdown,
//!   dialect/IR, codegen tokens, prettyplease, write), fresh, again with nothing changed and with one doc changed,
//!   on one thread and on every core, then each product in its own process; budgets: issue #21's (the constants
//!   below), the floor (read + markdown) printed beside them. The command re-runs itself in release
//!   (`cargo run --release`) unless `--debug` is given, since `cargo xtask` is a debug build.
//! - `--compile`: a scratch workspace (`target/bench/compile`) of generated corpus crates and, for the same
//!   operations, a baseline emitted with plain `#[derive(Serialize, Deserialize)]` structs; `cargo check` and
//!   `cargo build` seconds of those crates only (dependencies prebuilt, each crate touched and rebuilt alone,
//!   cargo's no-op time subtracted), per operation, and generated lines per operation; ours also with its `serde`
//!   feature on. Budgets (issue #21): ≤ 5 ms of `cargo check` per operation with serde off (the default build),
//!   ≤ 15 ms with it on.
//! - `--runtime`: `cargo bench -p docbind` (criterion: decode, sign, call; dhat: memory), then ratios.
//!
//! With no part flag, all three run. A summary of ratios against budgets ends the output.

use anyhow::{bail, Context};
use docbind_gen::{
    ensure_files, generate, generate_incremental, parallel, rust_ident, Arity, CrateSpec, GeneratedFile,
    GeneratedOperation, InvalidDocs, Previous, RuntimeDep, Shape, StructDef, StructKind,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// The compile-cost subset: mid-sized products, several hundred operations between them.
const COMPILE_PRODUCTS: &[&str] =
    &["ucdn-api", "udisk-api", "uhost-api", "ulb-api", "umem-api", "unet-api", "uphone-api", "vpc2.0-api"];

/// Issue #21's budgets for `cargo check` per operation, serde off and on (issue #5's was 30 ms, serde off).
const CHECK_BUDGET_MS: f64 = 5.0;
const CHECK_SERDE_BUDGET_MS: f64 = 15.0;
/// Issue #21's budgets, wall seconds for the whole UCloud corpus: fresh on all cores and on one thread, regenerating
/// with nothing changed and with one doc changed (all cores), and each product in its own process (in total).
const FRESH_BUDGET_S: f64 = 0.5;
const FRESH_ONE_THREAD_BUDGET_S: f64 = 1.0;
const UNCHANGED_BUDGET_S: f64 = 0.15;
const ONE_DOC_BUDGET_S: f64 = 0.2;
const PROCESSES_BUDGET_S: f64 = 1.5;
const DECODE_BUDGET: f64 = 1.5;
const CALL_BUDGET: f64 = 1.05;

/// `cargo xtask bench`: with no part flag, all three parts run.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// 1. Codegen speed over the whole UCloud corpus, in process, per phase.
    #[arg(long)]
    codegen: bool,
    /// 2. `cargo check`/`cargo build` cost per operation against a serde-derive baseline.
    #[arg(long)]
    compile: bool,
    /// 3-6. Criterion benches (decode, sign, call) and dhat peak memory.
    #[arg(long)]
    runtime: bool,
    /// Compile cost over every UCloud product instead of a representative subset.
    #[arg(long)]
    all_products: bool,
    /// Shorter criterion runs.
    #[arg(long)]
    quick: bool,
    /// Time the generator in this debug build instead of re-running in release.
    #[arg(long)]
    debug: bool,
    /// The vendor corpus (default ../shared/corpus).
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,
}

/// One line of the closing summary.
struct Verdict {
    what: String,
    value: String,
    budget: String,
    ok: Option<bool>,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut o = args.clone();
    if !(o.codegen || o.compile || o.runtime) {
        (o.codegen, o.compile, o.runtime) = (true, true, true);
    }
    if o.codegen && cfg!(debug_assertions) && !o.debug {
        // Timing the generator in a debug build would measure the wrong thing: run again in release.
        eprintln!("bench: re-running in release (`cargo run --release -p xtask -- bench ...`; --debug skips this)");
        let status = Command::new(cargo())
            .current_dir(crate::repo_root())
            .args(["run", "--release", "--quiet", "-p", "xtask", "--", "bench"])
            .args(std::env::args_os().skip(2))
            .status()
            .context("running cargo")?;
        return Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    let root = crate::repo_root();
    let corpus = o.corpus.clone().unwrap_or_else(|| root.join("../shared/corpus"));
    let corpus = std::fs::canonicalize(&corpus).with_context(|| format!("corpus not found at {}", corpus.display()))?;
    println!("machine: {}", machine());
    let mut verdicts = Vec::new();
    if o.codegen {
        verdicts.extend(codegen_runs(&root, &corpus)?);
    }
    if o.compile {
        verdicts.extend(compile_cost(&root, &corpus, &o)?);
    }
    if o.runtime {
        verdicts.extend(runtime(&root, &o)?);
    }
    println!("\n== summary (ratios are against baselines measured in this run) ==");
    let width = verdicts.iter().map(|v| v.what.chars().count()).max().unwrap_or(0);
    let mut missed = false;
    for v in &verdicts {
        let mark = match v.ok {
            Some(true) => "ok",
            Some(false) => {
                missed = true;
                "MISSED"
            }
            None => "-",
        };
        let pad = width - v.what.chars().count();
        println!("{}{} {:<44} budget {:<22} {mark}", v.what, " ".repeat(pad), v.value, v.budget);
    }
    Ok(if missed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// nproc, memory, rustc version and load, for the record.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string()))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or("?".to_string(), |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0));
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("{cpus} cpus, {mem}, {rustc}, load {}", load.join(" "))
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Codegen speed
// ---------------------------------------------------------------------------------------------------------------

/// Every UCloud product folder of the corpus, as (crate name, folder relative to the corpus).
fn ucloud_families(corpus: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(corpus.join("ucloud")).context("reading the corpus")? {
        let path = entry?.path();
        if path.is_dir() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            // The corpus run's naming: `vpc2.0-api` → `ucloud-vpc2-0`.
            let base = name.strip_suffix("-api").unwrap_or(&name);
            out.push((crate::corpus::crate_name(&format!("ucloud-{base}")), PathBuf::from("ucloud").join(&name)));
        }
    }
    out.sort();
    Ok(out)
}

#[derive(Default)]
struct Phases {
    read: Duration,
    markdown: Duration,
    dialect: Duration,
    generate: Duration,
    /// The part of `generate` spent in syn parsing `quote!`d pieces, and in prettyplease printing.
    parse: Duration,
    print: Duration,
    write: Duration,
}

/// What one worker did: phase times (summed over its families) and counts.
#[derive(Default)]
struct Tally {
    p: Phases,
    docs: usize,
    ops: usize,
    crates: usize,
    skipped: usize,
    files: Vec<GeneratedFile>,
    /// Files created or rewritten (the rest were already up to date).
    written: usize,
    bytes: usize,
    /// Files (operation modules, API snapshots) taken from the previous run.
    reused: usize,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.p.read += o.p.read;
        self.p.markdown += o.p.markdown;
        self.p.dialect += o.p.dialect;
        self.p.generate += o.p.generate;
        self.p.parse += o.p.parse;
        self.p.print += o.p.print;
        self.p.write += o.p.write;
        self.docs += o.docs;
        self.ops += o.ops;
        self.crates += o.crates;
        self.skipped += o.skipped;
        self.files.extend(o.files);
        self.written += o.written;
        self.bytes += o.bytes;
        self.reused += o.reused;
    }
}

/// Codegen speed on one thread (the generator's own speed) and on every core (crates are independent), each
/// twice: into a new, empty folder (every file is created, as on a first generation) and again into the same
/// folder (every file is compared and none rewritten, as when `cargo xtask codegen` runs after a doc edit).
/// Folders are removed only after all timing: on ext4, creating files right after deleting many is several
/// times slower, which would time the file system's bookkeeping rather than the generator.
fn codegen_runs(root: &Path, corpus: &Path) -> anyhow::Result<Vec<Verdict>> {
    let base = root.join("target/bench/codegen");
    let earlier: Vec<PathBuf> = match std::fs::read_dir(&base) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => Vec::new(),
    };
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    // A copy of the UCloud docs, so that the one-doc run can edit a doc (the corpus is shared, never written).
    let copy = base.join(format!("{stamp}-corpus"));
    copy_dir(&corpus.join("ucloud"), &copy.join("ucloud"))?;
    let edited = one_doc(&copy)?;
    let original = std::fs::read_to_string(&edited)?;
    let mut verdicts = Vec::new();
    let mut threads = vec![1];
    if parallel::cores() > 1 {
        threads.push(parallel::cores());
    }
    for jobs in threads {
        let out = base.join(format!("{stamp}-{jobs}"));
        verdicts.extend(codegen_speed(root, &copy, jobs, &out, Run::Fresh)?);
        verdicts.extend(codegen_speed(root, &copy, jobs, &out, Run::Unchanged)?);
        // Its first line of prose edited (the summary): that operation's module, its API snapshot and the
        // record change.
        let prose = original
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with(['#', '|', '-', '`', '<', '>']))
            .context("the edited doc has no prose")?;
        std::fs::write(&edited, original.replacen(prose, &format!("{prose} (edited, {jobs} threads)"), 1))?;
        verdicts.extend(codegen_speed(root, &copy, jobs, &out, Run::OneDoc)?);
        std::fs::write(&edited, &original)?;
    }
    verdicts.extend(one_process_each(&copy, &base.join(format!("{stamp}-processes")))?);
    for dir in earlier {
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    Ok(verdicts)
}

/// Which regeneration a run measures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Run {
    /// Into an empty folder: every file generated and written.
    Fresh,
    /// Over the same output, nothing changed: every module reused (incremental).
    Unchanged,
    /// Over the same output with one doc edited: its module generated again.
    OneDoc,
}

impl Run {
    fn label(self) -> &'static str {
        match self {
            Run::Fresh => "empty folder",
            Run::Unchanged => "nothing changed",
            Run::OneDoc => "one doc changed",
        }
    }

    /// Wall seconds on `jobs` threads, when that run has a budget.
    fn budget(self, jobs: usize) -> Option<f64> {
        match (self, jobs) {
            (Run::Fresh, 1) => Some(FRESH_ONE_THREAD_BUDGET_S),
            (Run::Fresh, _) => Some(FRESH_BUDGET_S),
            (_, 1) => None,
            (Run::Unchanged, _) => Some(UNCHANGED_BUDGET_S),
            (Run::OneDoc, _) => Some(ONE_DOC_BUDGET_S),
        }
    }
}

/// The doc the one-doc run edits: the first API doc of the first product, by name (not an index, glossary or
/// README).
fn one_doc(corpus: &Path) -> anyhow::Result<PathBuf> {
    let families = ucloud_families(corpus)?;
    let (_, dir) = families.first().context("no UCloud product in the corpus")?;
    let mut docs: Vec<PathBuf> = std::fs::read_dir(corpus.join(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".md") && !name.starts_with('_') && !["index.md", "README.md"].contains(&name)
        })
        .collect();
    docs.sort();
    docs.into_iter().next().context("no doc in the first UCloud product")
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Each product generated by its own process (`cargo xtask codegen --spec-dir … --out …`: `docbind generate`'s
/// code in this binary), one after the other, as a team with one crate per product does: into empty folders, then
/// again with nothing changed.
fn one_process_each(corpus: &Path, out: &Path) -> anyhow::Result<Vec<Verdict>> {
    let exe = std::env::current_exe()?;
    let families = ucloud_families(corpus)?;
    let mut verdicts = Vec::new();
    for run in [Run::Fresh, Run::Unchanged] {
        println!(
            "\n== 1. codegen speed: each UCloud product in its own process, one after the other ({}, {}) ==",
            build_kind(),
            run.label()
        );
        let started = Instant::now();
        let mut generated = 0;
        for (name, dir) in &families {
            let status = Command::new(&exe)
                .current_dir(corpus)
                .args(["codegen", "--skip-invalid", "--no-standalone", "--crate-name", name, "--spec-dir"])
                .arg(dir)
                .arg("--out")
                .arg(out.join(name))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()?;
            // A folder with no API doc (`summary`) fails, as it does in process.
            generated += usize::from(status.success());
        }
        let total = started.elapsed();
        println!("  {} processes, {generated} crates generated: {:.1} ms wall in total", families.len(), ms(total));
        verdicts.push(Verdict {
            what: format!("codegen, {} product folders one process each ({})", families.len(), run.label()),
            value: format!("wall {:.2} s in total", total.as_secs_f64()),
            budget: format!("≤ {PROCESSES_BUDGET_S} s"),
            ok: Some(total.as_secs_f64() <= PROCESSES_BUDGET_S),
        });
    }
    Ok(verdicts)
}

fn codegen_speed(root: &Path, corpus: &Path, jobs: usize, out: &Path, run: Run) -> anyhow::Result<Vec<Verdict>> {
    println!(
        "\n== 1. codegen speed: the whole UCloud corpus, in process ({}, {jobs} thread{}, {}) ==",
        build_kind(),
        if jobs == 1 { "" } else { "s" },
        run.label()
    );
    let runtime = std::fs::canonicalize(root.join("crates/docbind-runtime"))?;
    let families = ucloud_families(corpus)?;
    let cpu_before = cpu_time();
    let started = Instant::now();
    let results = parallel::map(&families, jobs, |(name, dir)| generate_family(corpus, out, &runtime, name, dir));
    let total = started.elapsed();
    let cpu = cpu_time().zip(cpu_before).map(|(after, before)| after.saturating_sub(before));
    let mut t = Tally::default();
    for r in results {
        t.add(r?);
    }
    let p = t.p;
    let tokens = p.generate.saturating_sub(p.parse + p.print);
    let busy = p.read + p.markdown + p.dialect + p.generate + p.write;
    let rows = [
        ("read files", p.read),
        ("markdown parse", p.markdown),
        ("dialect → IR (+ overlays)", p.dialect),
        ("codegen: IR → tokens, reuse, snapshot", tokens),
        ("formatting: syn parse of the tokens", p.parse),
        ("formatting: prettyplease print", p.print),
        (if t.written == 0 { "compare files (none changed)" } else { "write files" }, p.write),
    ];
    println!(
        "{} docs ({:.1} MiB) → {} crates, {} operations ({} files reused), {} files ({} written); {} docs left out \
         (unsupported templates, non-API pages)",
        t.docs,
        t.bytes as f64 / 1048576.0,
        t.crates,
        t.ops,
        t.reused,
        t.files.len(),
        t.written,
        t.skipped
    );
    println!("  phase (thread time, summed over threads)      ms   share");
    for (name, d) in rows {
        println!("  {name:<38} {:>8.1}  {:>5.1}%", ms(d), 100.0 * d.as_secs_f64() / busy.as_secs_f64());
    }
    let per_sec = t.docs as f64 / total.as_secs_f64();
    println!(
        "  {:<38} {:>8.1} ms wall ({per_sec:.0} docs/s, {:.0} operations/s); process CPU time {}",
        "total",
        ms(total),
        t.ops as f64 / total.as_secs_f64(),
        cpu.map_or("unknown".to_string(), |c| format!("{:.1} ms", ms(c)))
    );
    // The floor: what any run pays before generating anything, in this run's wall time on `jobs` threads.
    let floor = (p.read + p.markdown).as_secs_f64() / jobs as f64;
    println!("  {:<38} {:>8.1} ms wall (read + markdown parse, over {jobs} thread(s))", "floor", floor * 1e3);
    // On an idle machine the wall time of `jobs` busy threads is their CPU time divided by `jobs`; on a busy
    // machine that estimate is the meaningful one.
    let idle_estimate = cpu.map(|c| c.as_secs_f64() / jobs as f64);
    let what = format!("codegen, whole UCloud corpus ({jobs} thr, {})", run.label());
    let value = format!(
        "wall {:.3} s, CPU {} s, floor {:.3} s",
        total.as_secs_f64(),
        cpu.map_or("?".to_string(), |c| format!("{:.2}", c.as_secs_f64())),
        floor,
    );
    Ok(vec![match run.budget(jobs) {
        Some(budget) => Verdict {
            what,
            value,
            budget: format!("≤ {budget} s (wall, or CPU/threads)"),
            ok: Some(total.as_secs_f64().min(idle_estimate.unwrap_or(f64::MAX)) <= budget),
        },
        None => Verdict { what, value, budget: "report".to_string(), ok: None },
    }])
}

/// One product folder through the whole pipeline, exactly as `cargo xtask codegen` runs it (`load::load`,
/// `codegen::generate`, `codegen::ensure_files`), with the time of each phase.
fn generate_family(
    corpus: &Path,
    out: &Path,
    runtime: &Path,
    crate_name: &str,
    spec_dir: &Path,
) -> anyhow::Result<Tally> {
    let mut t = Tally::default();
    let spec_dir = spec_dir.to_path_buf();
    let loaded = docbind_gen::load(corpus, std::slice::from_ref(&spec_dir), None)?;
    t.p.read += loaded.timings.read;
    t.p.markdown += loaded.timings.markdown;
    t.p.dialect += loaded.timings.dialect;
    // Index pages are read and parsed for their links too.
    let pages = loaded.parsed.len() + loaded.rejected.len() + loaded.not_api.len() + loaded.index_pages.len();
    t.docs += pages;
    t.bytes += loaded.bytes;
    // codegen: tokens and prettyplease together; prettyplease is measured apart afterwards and subtracted.
    let spec = CrateSpec {
        crate_name: crate_name.to_string(),
        spec_label: spec_dir.display().to_string(),
        spec_dir: spec_dir.clone(),
        out_dir: out.join(crate_name),
        runtime: RuntimeDep::Path(runtime.to_path_buf()),
        standalone: true,
    };
    let start = Instant::now();
    // As `docbind generate` does: whatever the crate's record shows unchanged is reused.
    let generated = generate_incremental(
        &spec,
        docbind_gen::FIRST_VERSION,
        &loaded,
        InvalidDocs::Skip,
        &Previous::read(&spec.out_dir),
    );
    t.p.generate += start.elapsed();
    let Ok(generated) = generated else {
        // No API docs in this folder (e.g. `summary`).
        t.skipped += pages;
        return Ok(t);
    };
    t.p.parse += generated.formatting.parse;
    t.p.print += generated.formatting.print;
    t.crates += 1;
    t.ops += generated.operations.len();
    t.reused += generated.reused.len();
    t.skipped += generated.skipped.len();
    // write
    let start = Instant::now();
    t.written += ensure_files(&spec.out_dir, &generated.files, false)?.len();
    t.p.write += start.elapsed();
    t.files = generated.files;
    Ok(t)
}

/// User + system CPU time of this process so far (Linux `/proc/self/stat`, clock ticks of 10 ms), which other
/// processes on a busy machine inflate far less than wall time.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15 (1-based).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn build_kind() -> &'static str {
    if cfg!(debug_assertions) {
        "DEBUG build: numbers are not representative"
    } else {
        "release build"
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Compile cost of generated code
// ---------------------------------------------------------------------------------------------------------------

struct Measured {
    name: String,
    ops: usize,
    lines: usize,
    check: f64,
    build: f64,
    /// `cargo check` with the generated crate's `serde` feature on (ours only: the baseline is serde already).
    check_serde: Option<f64>,
}

fn compile_cost(root: &Path, corpus: &Path, o: &Args) -> anyhow::Result<Vec<Verdict>> {
    let families: Vec<(String, PathBuf)> = ucloud_families(corpus)?
        .into_iter()
        .filter(|(_, dir)| {
            o.all_products || dir.file_name().and_then(|n| n.to_str()).is_some_and(|n| COMPILE_PRODUCTS.contains(&n))
        })
        .collect();
    println!(
        "\n== 2. compile cost: {} UCloud products ({}), generated vs #[derive(Serialize, Deserialize)] ==",
        families.len(),
        if o.all_products { "the whole corpus" } else { "a representative subset; --all-products for all" }
    );
    let ws = root.join("target/bench/compile");
    std::fs::create_dir_all(&ws)?;
    let ws = std::fs::canonicalize(&ws)?;
    let runtime = std::fs::canonicalize(root.join("crates/docbind-runtime"))?;
    let mut members = Vec::new();
    let mut pairs = Vec::new(); // (ours, derive, ops)
    for (name, spec_dir) in &families {
        let loaded = docbind_gen::load(corpus, std::slice::from_ref(spec_dir), None)?;
        let spec = CrateSpec {
            crate_name: name.clone(),
            spec_label: spec_dir.display().to_string(),
            spec_dir: spec_dir.clone(),
            out_dir: ws.join("ours").join(name),
            runtime: RuntimeDep::Path(runtime.clone()),
            standalone: false,
        };
        let Ok(generated) = generate(&spec, &loaded, InvalidDocs::Skip) else { continue };
        ensure_files(&spec.out_dir, &generated.files, false)?;
        let derive_name = format!("derive-{name}");
        let derive_dir = ws.join("derive").join(&derive_name);
        let files = derive_crate(&derive_name, &runtime, &generated.operations)?;
        // The baseline is xtask's own scratch crate, with no record of what it wrote.
        docbind_gen::force_files(&derive_dir, &files)?;
        members.push(format!("ours/{name}"));
        members.push(format!("derive/{derive_name}"));
        pairs.push((name.clone(), derive_name, generated.operations.len()));
    }
    let members_toml: Vec<String> = members.iter().map(|m| format!("    {m:?},")).collect();
    write_if_changed(
        &ws.join("Cargo.toml"),
        &format!(
            "# Scratch workspace of `cargo xtask bench --compile`; regenerated on every run.\n[workspace]\nresolver = \
             \"2\"\nmembers = [\n{}\n]\n\n# As in docbind's workspace: no debug info for dependencies.\n\
             [profile.dev.package.\"*\"]\ndebug = false\n",
            members_toml.join("\n")
        ),
    )?;
    // Same dependency versions as the repository.
    if !ws.join("Cargo.lock").exists() {
        std::fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock"))?;
    }
    let total_ops: usize = pairs.iter().map(|p| p.2).sum();
    println!("{} crates, {total_ops} operations; prebuilding dependencies (cargo check + cargo build)...", pairs.len());
    // The last builds the runtime as the serde-on checks of ours use it (each ours crate's `serde` feature).
    let serde_features = pairs.iter().map(|(name, ..)| format!("{name}/serde")).collect::<Vec<_>>().join(",");
    for args in [&["check"][..], &["build"], &["check", "--features", &serde_features]] {
        let status = Command::new(cargo())
            .current_dir(&ws)
            .args(args)
            .args(["--workspace", "--quiet"])
            .env_remove("CARGO_TARGET_DIR")
            .status()?;
        if !status.success() {
            bail!("`cargo {}` failed in {}", args.join(" "), ws.display());
        }
    }
    let mut ours = Vec::new();
    let mut derive = Vec::new();
    for (name, derive_name, ops) in &pairs {
        for (crate_name, dir, out, serde) in [
            (name, ws.join("ours").join(name), &mut ours, true),
            (derive_name, ws.join("derive").join(derive_name), &mut derive, false),
        ] {
            let check = time_rebuild(&ws, &dir, crate_name, &["check"])?;
            let build = time_rebuild(&ws, &dir, crate_name, &["build"])?;
            let check_serde = if serde {
                Some(time_rebuild(&ws, &dir, crate_name, &["check", "--features", "serde"])?)
            } else {
                None
            };
            let lines = count_lines(&dir.join("src"))?;
            let m = Measured { name: crate_name.clone(), ops: *ops, lines, check, build, check_serde };
            let with_serde = m
                .check_serde
                .map(|s| format!("  check+serde {s:>6.2} s ({:>5.1} ms/op)", s * 1e3 / m.ops as f64))
                .unwrap_or_default();
            println!(
                "  {:<28} {:>4} ops  {:>6} lines  check {:>6.2} s ({:>5.1} ms/op)  build {:>6.2} s ({:>5.1} ms/op){}",
                m.name,
                m.ops,
                m.lines,
                m.check,
                m.check * 1e3 / m.ops as f64,
                m.build,
                m.build * 1e3 / m.ops as f64,
                with_serde
            );
            out.push(m);
        }
    }
    let sum = |v: &[Measured], f: fn(&Measured) -> f64| v.iter().map(f).sum::<f64>();
    let per_op = |v: &[Measured], f: fn(&Measured) -> f64| sum(v, f) * 1e3 / total_ops as f64;
    let (oc, dc) = (per_op(&ours, |m| m.check), per_op(&derive, |m| m.check));
    let (ob, db) = (per_op(&ours, |m| m.build), per_op(&derive, |m| m.build));
    let (ol, dl) =
        (sum(&ours, |m| m.lines as f64) / total_ops as f64, sum(&derive, |m| m.lines as f64) / total_ops as f64);
    println!("  totals over {total_ops} operations:");
    println!("    cargo check   ours {oc:>6.1} ms/op   derive {dc:>6.1} ms/op   ratio {:.2}", oc / dc);
    println!("    cargo build   ours {ob:>6.1} ms/op   derive {db:>6.1} ms/op   ratio {:.2}", ob / db);
    let os = per_op(&ours, |m| m.check_serde.unwrap_or_default());
    println!("    check, serde  ours {os:>6.1} ms/op   derive {dc:>6.1} ms/op   ratio {:.2}", os / dc);
    println!("    lines         ours {ol:>6.0} /op     derive {dl:>6.0} /op     ratio {:.2}", ol / dl);
    Ok(vec![
        Verdict {
            what: "cargo check per operation".into(),
            value: format!("{oc:.1} ms (derive {dc:.1} ms, {:.2}x)", oc / dc),
            budget: format!("<= {CHECK_BUDGET_MS} ms"),
            ok: Some(oc <= CHECK_BUDGET_MS),
        },
        Verdict {
            what: "cargo check per operation, feature serde on".into(),
            value: format!("{os:.1} ms ({:+.1} ms for serde; derive {dc:.1} ms, {:.2}x)", os - oc, os / dc),
            budget: format!("<= {CHECK_SERDE_BUDGET_MS} ms"),
            ok: Some(os <= CHECK_SERDE_BUDGET_MS),
        },
        Verdict {
            what: "debug build per operation".into(),
            value: format!("{ob:.1} ms (derive {db:.1} ms, {:.2}x)", ob / db),
            budget: "none (report)".into(),
            ok: None,
        },
        Verdict {
            what: "generated lines per operation".into(),
            value: format!("{ol:.0} (derive {dl:.0})"),
            budget: "none (report)".into(),
            ok: None,
        },
    ])
}

/// Rebuilds per measure in `--compile`: the best is kept. Two let a stall of the shared machine decide a crate's
/// figure too often (ucloud-uphone re-checked in 0.36 s and 0.23 s in two runs of the same code minutes apart); five
/// cost the bench about twice the time.
const REBUILDS: usize = 5;

/// Seconds `cargo <command> -p <krate>` takes to rebuild only `krate` after touching its sources, less cargo's
/// no-op time for the same command (best of [`REBUILDS`] each, to damp the noise of a shared machine).
fn time_rebuild(ws: &Path, dir: &Path, krate: &str, command: &[&str]) -> anyhow::Result<f64> {
    let run = || -> anyhow::Result<f64> {
        let t = Instant::now();
        let status = Command::new(cargo())
            .current_dir(ws)
            .args(command)
            .args(["--quiet", "-p", krate])
            .env_remove("CARGO_TARGET_DIR")
            .status()?;
        if !status.success() {
            bail!("`cargo {} -p {krate}` failed", command.join(" "));
        }
        Ok(t.elapsed().as_secs_f64())
    };
    let mut best = f64::MAX;
    let mut noop = f64::MAX;
    for _ in 0..REBUILDS {
        touch(&dir.join("src/lib.rs"))?;
        best = best.min(run()?);
        noop = noop.min(run()?);
    }
    Ok((best - noop).max(0.0))
}

fn touch(path: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::options().append(true).open(path)?;
    file.set_modified(std::time::SystemTime::now())?;
    Ok(())
}

fn count_lines(src: &Path) -> anyhow::Result<usize> {
    let mut n = 0;
    for entry in std::fs::read_dir(src)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            n += std::fs::read_to_string(&path)?.lines().count();
        }
    }
    Ok(n)
}

fn write_if_changed(path: &Path, text: &str) -> anyhow::Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The baseline for the same operations: every request, group, response and model a plain struct deriving
/// `Debug, Clone, PartialEq, Default, Serialize, Deserialize` with `#[serde(rename)]`ed fields, and one
/// `async fn` per operation that serializes the request and deserializes the response (so both derives are
/// instantiated, as a real client would), around one shared non-generic `post`.
fn derive_crate(name: &str, runtime: &Path, ops: &[GeneratedOperation]) -> anyhow::Result<Vec<GeneratedFile>> {
    let mut files = Vec::new();
    let mut modules = Vec::new();
    for op in ops {
        let structs = op.structs().map(derive_struct);
        let req = format_ident!("{}", op.request().name());
        let resp = format_ident!("{}", op.response().name());
        let method = rust_ident(op.module());
        let action = &op.operation().name;
        let doc = format!(" `{action}`");
        let module = quote! {
            use docbind_runtime::serde_json;
            use serde::{Deserialize, Serialize};
            #(#structs)*
            impl crate::Client {
                #[doc = #doc]
                pub async fn #method(&self, request: &#req) -> Result<#resp, crate::Error> {
                    let params = serde_json::to_value(request)?;
                    let body = self.post(#action, params).await?;
                    Ok(serde_json::from_slice(&body)?)
                }
            }
        };
        files.push(GeneratedFile::new(format!("src/{}.rs", op.module()), crate::rust_source(module)?));
        modules.push(rust_ident(op.module()));
    }
    let lib = quote! {
        //! Baseline for `cargo xtask bench --compile`: the same operations with serde derives.
        #![allow(clippy::all, dead_code, non_camel_case_types)]
        use docbind_runtime::serde_json;
        #(pub mod #modules;)*

        #[derive(Debug)]
        pub struct Error(pub String);

        impl From<serde_json::Error> for Error {
            fn from(e: serde_json::Error) -> Self {
                Error(e.to_string())
            }
        }

        #[derive(Debug, Clone, Default)]
        pub struct Client {
            pub base_url: String,
        }

        impl Client {
            async fn post(&self, action: &str, params: serde_json::Value) -> Result<Vec<u8>, Error> {
                let _ = (action, params, &self.base_url);
                Ok(b"{}".to_vec())
            }
        }
    };
    files.push(GeneratedFile::new("src/lib.rs", crate::rust_source(lib)?));
    files.push(GeneratedFile::new(
        "Cargo.toml",
        format!(
            "[package]\nname = \"{name}\"\nedition = \"2021\"\nversion = \"0.1.0\"\npublish = false\n\n[dependencies]\n\
             docbind-runtime = {{ path = {:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n",
            runtime.display().to_string()
        ),
    ));
    Ok(files)
}

fn derive_struct(def: &StructDef) -> TokenStream {
    let docs = def.doc().lines().map(|line| format!(" {line}"));
    let name = format_ident!("{}", def.name());
    let fields = def.fields().iter().map(|f| {
        let docs = f.doc().lines().map(|line| format!(" {line}"));
        let inner = match f.shape() {
            Shape::Str | Shape::Enum { int: false, .. } => quote!(String),
            Shape::Int | Shape::Enum { int: true, .. } => quote!(i64),
            Shape::Float => quote!(f64),
            Shape::Bool => quote!(bool),
            Shape::Json => quote!(serde_json::Value),
            Shape::TextMap => quote!(std::collections::BTreeMap<String, String>),
            Shape::Struct(name) => {
                let name = format_ident!("{name}");
                quote!(#name)
            }
        };
        let boxed = matches!(f.shape(), Shape::Struct(_));
        let optional = quote!(default, skip_serializing_if = "Option::is_none");
        let (ty, attr) = match f.arity() {
            Arity::One if def.kind() == StructKind::Request => (inner, quote!()),
            Arity::One | Arity::Optional if boxed => (quote!(Option<Box<#inner>>), quote!(, #optional)),
            Arity::One | Arity::Optional => (quote!(Option<#inner>), quote!(, #optional)),
            Arity::List => (quote!(Vec<#inner>), quote!(, default, skip_serializing_if = "Vec::is_empty")),
        };
        let ident = rust_ident(f.name());
        let wire = f.wire();
        quote! {
            #(#[doc = #docs])*
            #[serde(rename = #wire #attr)]
            pub #ident: #ty,
        }
    });
    quote! {
        #(#[doc = #docs])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        pub struct #name {
            #(#fields)*
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// 3-6. Runtime: criterion benches and the memory measurement
// ---------------------------------------------------------------------------------------------------------------

fn runtime(root: &Path, o: &Args) -> anyhow::Result<Vec<Verdict>> {
    println!("\n== 3-6. runtime: cargo bench -p docbind (criterion; memory with dhat) ==");
    let mut args: Vec<&str> = vec![
        "bench",
        "-p",
        "docbind",
        "--bench",
        "decode",
        "--bench",
        "sign",
        "--bench",
        "call",
        "--bench",
        "memory",
        "--bench",
        "ufile_memory",
        "--",
    ];
    if o.quick {
        args.extend(["--warm-up-time", "1", "--measurement-time", "3"]);
    }
    // Streamed as it comes (criterion's progress lines left out), and kept for the memory line.
    let mut child = Command::new(cargo())
        .current_dir(root)
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("running cargo bench")?;
    let mut stdout = String::new();
    if let Some(out) = child.stdout.take() {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(out).lines() {
            let line = line?;
            if !line.starts_with("Benchmarking") && !line.trim().is_empty() {
                println!("  {line}");
            }
            stdout.push_str(&line);
            stdout.push('\n');
        }
    }
    if !child.wait()?.success() {
        bail!("`cargo {}` failed", args.join(" "));
    }
    let criterion = crate::target_dir().join("criterion");
    let est = |group: &str, bench: &str| median_ns(&criterion.join(group).join(bench));
    let mut verdicts = Vec::new();
    // Budgets are judged on the interleaved (`paired:`) ratios; criterion's medians, measured one after the other,
    // are shown beside them.
    let paired = |name: &str| -> anyhow::Result<f64> {
        stdout
            .lines()
            .filter_map(|l| l.strip_prefix("paired: "))
            .find(|l| l.split_whitespace().next() == Some(name))
            .and_then(|l| l.split_whitespace().find_map(|kv| kv.strip_prefix("ratio=")))
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("no `paired: {name}` line in the bench output"))
    };
    for images in ["10000", "20"] {
        let group = format!("decode_{images}_images");
        let (ours, base) = (est(&group, "docbind")?, est(&group, "derive")?);
        let ratio = paired(&format!("decode/{images}_images"))?;
        verdicts.push(Verdict {
            what: format!("decode {images} images vs derive"),
            value: format!("{ratio:.2}x (criterion: {} vs {})", human_ns(ours), human_ns(base)),
            budget: format!("<= {DECODE_BUDGET}x"),
            ok: Some(ratio <= DECODE_BUDGET),
        });
    }
    let (ours, base) = (est("sign_form_20_params", "docbind")?, est("sign_form_20_params", "hand-written")?);
    verdicts.push(Verdict {
        what: "sign + form-encode, 20 params".into(),
        value: format!("{:.0} ns/request ({:.2}x hand-written {:.0} ns)", ours, ours / base, base),
        budget: "none (report)".into(),
        ok: None,
    });
    for images in ["20", "1000"] {
        let group = format!("call_{images}_images");
        let (ours, base) = (est(&group, "docbind")?, est(&group, "hand-written")?);
        let ratio = paired(&format!("call/{images}_images"))?;
        verdicts.push(Verdict {
            what: format!("whole call, {images} images, vs reqwest"),
            value: format!("{:+.1}% (criterion: {} vs {})", (ratio - 1.0) * 100.0, human_ns(ours), human_ns(base)),
            budget: "<= +5%".into(),
            ok: Some(ratio <= CALL_BUDGET),
        });
    }
    if let Some(line) = stdout.lines().find(|l| l.starts_with("memory:")) {
        let field = |k: &str| -> f64 {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        };
        let (body, peak, result) = (field("body"), field("docbind_peak"), field("docbind_result"));
        let (dpeak, dresult) = (field("derive_peak"), field("derive_result"));
        let mib = |b: f64| b / 1048576.0;
        verdicts.push(Verdict {
            what: "decode 10000 images: peak heap".into(),
            value: format!(
                "{:.2} MiB = result {:.2} + {:.2} transient (derive {:.2} = {:.2} + {:.2}); body {:.2}",
                mib(peak),
                mib(result),
                mib(peak - result),
                mib(dpeak),
                mib(dresult),
                mib(dpeak - dresult),
                mib(body)
            ),
            budget: "no copies beyond body + result".into(),
            // Anything transient above 1% of the result would be a copy.
            ok: Some(peak - result <= 0.01 * result),
        });
    }
    if let Some(line) = stdout.lines().find(|l| l.starts_with("ufile_memory:")) {
        let field = |k: &str| -> f64 {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        };
        let (file, peak, seconds) = (field("file"), field("peak"), field("seconds"));
        let mib = |b: f64| b / 1048576.0;
        verdicts.push(Verdict {
            what: format!("UFile round trip of a {:.0} MiB file (multipart up, streamed down): peak heap", mib(file)),
            value: format!("{:.2} MiB in {seconds:.2} s", mib(peak)),
            budget: format!("< {UFILE_PEAK_BUDGET_MIB} MiB"),
            ok: Some(mib(peak) < UFILE_PEAK_BUDGET_MIB),
        });
    }
    Ok(verdicts)
}

/// The most heap a round trip of a 64 MiB file through UFile may hold at once (issue #23): the file never is.
const UFILE_PEAK_BUDGET_MIB: f64 = 32.0;

/// Criterion's median estimate in ns (`<bench>/new/estimates.json`).
fn median_ns(dir: &Path) -> anyhow::Result<f64> {
    let path = dir.join("new/estimates.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    json["median"]["point_estimate"].as_f64().with_context(|| format!("no median in {}", path.display()))
}

fn human_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}
