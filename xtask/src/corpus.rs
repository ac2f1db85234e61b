//! `cargo xtask corpus [DIR] [--out DIR]`: every doc of the vendor corpus, end to end.
//!
//! One crate per UCloud product (`ucloud/<product>-api/*.md` → `ucloud-<product>`) and one for Finovy
//! (`finovy/**.md` → `finovy-corpus`) are generated (skipping invalid docs: unsupported and invalid docs are left out
//! and listed) into a scratch workspace (default `target/corpus`), together with `corpus-harness`, a generated binary
//! that decodes every JSON response example with the generated response type. The scratch workspace shares the repository's
//! target dir, so docbind-runtime and its dependencies are built once. Then `cargo check`, `cargo clippy -D
//! warnings` and the harness run, and a one-line tally is printed. Fails if any supported doc does not generate,
//! build or decode.

use anyhow::Context;
use docbind_gen::ir::ExampleKind;
use docbind_gen::{
    ensure_files, generate, parallel, rust_ident, CrateSpec, GeneratedOperation, InvalidDocs, Rejection, RuntimeDep,
    Shape, StructKind, Vendor,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const HARNESS: &str = "corpus-harness";
const FINOVY_CRATE: &str = "finovy-corpus";

/// One family of docs that becomes one crate.
struct Family {
    crate_name: String,
    vendor: Vendor,
    /// Relative to the corpus dir (`ucloud/uhost-api`), which is how docs are named in reports.
    spec_dir: PathBuf,
}

/// Counts for the tally line.
#[derive(Debug, Default)]
struct Tally {
    docs: usize,
    supported: usize,
    generated: usize,
    built: usize,
    examples: usize,
    decoded: usize,
    /// Decoded examples that serialized (feature `serde`) and read back equal.
    round_tripped: usize,
    raw: usize,
    /// Docs of an operation another doc documents better (`Loaded::duplicates`): parsed, so supported, and
    /// generated as that doc's operation.
    duplicates: usize,
    renamed_operations: usize,
    renamed_types: usize,
    renamed_fields: usize,
}

/// One vendor's coverage: API docs supported out of API docs present, with the pages that are not Action docs
/// counted apart.
#[derive(Debug, Default)]
struct Coverage {
    /// Action docs: parsed, or claiming a supported template and breaking it.
    api_docs: usize,
    supported: usize,
    /// Pages that are not API docs, by kind ([`PageKind`]).
    not_api: BTreeMap<PageKind, usize>,
}

/// The pages of the corpus that are not Action docs, by what they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PageKind {
    Index,
    Glossary,
    Overview,
    Changelog,
    ErrorCodes,
    /// Anything else without an Action's sections: type and region tables, YAML samples, FAQs, signing guides.
    Reference,
}

impl PageKind {
    fn label(self) -> &'static str {
        match self {
            PageKind::Index => "index",
            PageKind::Glossary => "glossary",
            PageKind::Overview => "overview",
            PageKind::Changelog => "changelog",
            PageKind::ErrorCodes => "error codes",
            PageKind::Reference => "reference",
        }
    }

    /// What a page the dialects found no Action in is, by its file name.
    fn of(file: &Path) -> PageKind {
        let name = file.file_stem().and_then(|n| n.to_str()).unwrap_or_default().to_lowercase();
        let has = |needles: &[&str]| needles.iter().any(|n| name.contains(n));
        if has(&["glossary", "术语"]) {
            PageKind::Glossary
        } else if has(&["readme", "overview", "简介", "概述"]) {
            PageKind::Overview
        } else if has(&["change_log", "changelog", "update_log", "更新"]) {
            PageKind::Changelog
        } else if has(&["error_code", "错误码"]) {
            PageKind::ErrorCodes
        } else {
            PageKind::Reference
        }
    }
}

/// How a page the dialects rejected counts in the coverage.
#[derive(Debug, PartialEq, Eq)]
enum Counted {
    /// An API doc docbind does not support (yet): counts against coverage.
    ApiDoc,
    /// Not an API doc at all.
    NotApi(PageKind),
}

fn counted(rejection: &Rejection) -> Counted {
    match rejection {
        Rejection::NotApi(page) => Counted::NotApi(PageKind::of(&page.file)),
        _ => Counted::ApiDoc,
    }
}

/// What was generated for one family, kept for the harness and the tally.
struct Crate {
    name: String,
    vendor: Vendor,
    operations: Vec<GeneratedOperation>,
}

/// `cargo xtask corpus [DIR] [--out DIR]`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The vendor corpus (default ../shared/corpus).
    #[arg(value_name = "DIR")]
    corpus: Option<PathBuf>,
    /// The scratch workspace the crates are generated into (default target/corpus).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let root = crate::repo_root();
    let corpus = args.corpus.clone().unwrap_or_else(|| root.join("../shared/corpus"));
    let out = args.out.clone().unwrap_or_else(|| root.join("target/corpus"));
    let corpus = std::fs::canonicalize(&corpus).with_context(|| format!("corpus not found at {}", corpus.display()))?;
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let out = std::fs::canonicalize(&out)?;
    let runtime = std::fs::canonicalize(root.join("crates/docbind-runtime"))?;

    // 1. Generate every family (deterministic: families and docs in path order).
    let mut tally = Tally::default();
    let mut crates = Vec::new();
    let mut unsupported: Vec<String> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut renamed: Vec<String> = Vec::new();
    let mut duplicates: Vec<String> = Vec::new();
    // Per vendor, in the families' order.
    let mut coverage: Vec<(Vendor, Coverage)> = Vec::new();
    let mut not_api: Vec<String> = Vec::new();
    // Families are independent: load, generate and write them on every core, then tally in path order.
    let families = families(&corpus)?;
    let outputs = parallel::map(&families, parallel::cores(), |family| -> anyhow::Result<_> {
        let mut loaded = docbind_gen::load(&corpus, std::slice::from_ref(&family.spec_dir), None)?;
        if loaded.parsed.is_empty() {
            return Ok((loaded, None, None));
        }
        let spec = CrateSpec {
            crate_name: family.crate_name.clone(),
            spec_label: family.spec_dir.display().to_string(),
            spec_dir: family.spec_dir.clone(),
            out_dir: out.join(&family.crate_name),
            runtime: RuntimeDep::Path(runtime.clone()),
            standalone: false,
        };
        // A product folder holding both Action docs and UFile's object-storage REST pages (`ufile-api`,
        // `uarchive-api`) is two crates, one per protocol: the REST pages go to `<crate>-object`.
        let (objects, actions): (Vec<_>, Vec<_>) = loaded
            .parsed
            .iter()
            .cloned()
            .partition(|p| matches!(p.operation.protocol, docbind_gen::ir::Protocol::Object { .. }));
        let object_crate = if !objects.is_empty() && !actions.is_empty() {
            let object_spec = CrateSpec {
                crate_name: format!("{}-object", family.crate_name),
                out_dir: out.join(format!("{}-object", family.crate_name)),
                ..spec.clone()
            };
            let object_docs = docbind_gen::Loaded {
                parsed: objects,
                rust_names: loaded.rust_names.clone(),
                linked: loaded.linked.clone(),
                ..Default::default()
            };
            let generated = generate(&object_spec, &object_docs, InvalidDocs::Skip);
            if let Ok(generated) = &generated {
                ensure_files(&object_spec.out_dir, &generated.files, false)?;
            }
            Some((object_spec.crate_name, generated))
        } else {
            None
        };
        // The Action crate gets the Action docs only; the tally below counts every doc of the folder.
        let every_doc = object_crate.is_some().then(|| std::mem::replace(&mut loaded.parsed, actions));
        // The whole corpus, permissively: what does not parse or generate is left out and counted.
        let generated = generate(&spec, &loaded, InvalidDocs::Skip);
        if let Ok(generated) = &generated {
            ensure_files(&spec.out_dir, &generated.files, false)?;
        }
        if let Some(every_doc) = every_doc {
            loaded.parsed = every_doc;
        }
        Ok((loaded, Some(generated), object_crate))
    });
    for (family, output) in families.into_iter().zip(outputs) {
        let (loaded, generated, object_crate) = output?;
        let mut objects_not_generated = 0;
        if let Some((name, generated)) = object_crate {
            match generated {
                Ok(generated) => {
                    unsupported.extend(generated.skipped.iter().map(one_line));
                    objects_not_generated = generated.skipped.len();
                    tally.supported -= objects_not_generated;
                    tally.generated += generated.operations.len();
                    crates.push(Crate { name, vendor: generated.vendor, operations: generated.operations });
                }
                Err(e) => failures.push(format!("{}: generation failed: {e:#}", family.spec_dir.display())),
            }
        }
        // Index pages are read for their links, not parsed, but they are pages of the corpus all the same.
        let parsed = loaded.parsed.len() + loaded.duplicates.len();
        tally.docs += parsed + loaded.rejected.len() + loaded.not_api.len() + loaded.index_pages.len();
        tally.supported += parsed;
        tally.duplicates += loaded.duplicates.len();
        duplicates.extend(
            loaded
                .duplicates
                .iter()
                .map(|d| format!("{}: {} (generated from {})", d.doc.file.display(), d.operation, d.kept.display())),
        );
        let index = coverage.iter().position(|(v, _)| *v == family.vendor).unwrap_or_else(|| {
            coverage.push((family.vendor, Coverage::default()));
            coverage.len() - 1
        });
        let vendor = &mut coverage[index].1;
        *vendor.not_api.entry(PageKind::Index).or_default() += loaded.index_pages.len();
        vendor.api_docs += parsed;
        vendor.supported += parsed - objects_not_generated;
        for page in &loaded.not_api {
            let kind = PageKind::of(&page.file);
            *vendor.not_api.entry(kind).or_default() += 1;
            not_api.push(format!("{}: {}", page.file.display(), kind.label()));
        }
        for rejection in &loaded.rejected {
            match counted(rejection) {
                Counted::ApiDoc => vendor.api_docs += 1,
                // `load` sets pages that are not API docs apart, in `not_api`.
                Counted::NotApi(_) => {}
            }
        }
        let Some(generated) = generated else {
            unsupported.extend(loaded.rejected.iter().map(one_line));
            continue;
        };
        let generated = match generated {
            Ok(g) => g,
            Err(e) => {
                failures.push(format!("{}: generation failed: {e:#}", family.spec_dir.display()));
                continue;
            }
        };
        // Docs that parsed but code generation cannot express count as unsupported, with the reason.
        let not_generated = generated.skipped.len() - loaded.rejected.len();
        tally.supported -= not_generated;
        vendor.supported -= not_generated;
        unsupported.extend(generated.skipped.iter().map(one_line));
        tally.generated += generated.operations.len();
        for op in &generated.operations {
            if op.renamed() {
                tally.renamed_operations += 1;
                renamed.push(format!(
                    "{}: {} -> {}::{} ({})",
                    family.crate_name,
                    op.operation().name,
                    op.module(),
                    op.request().name(),
                    op.operation().source.file.display()
                ));
            }
            tally.renamed_types += op.numbered_types();
            tally.renamed_fields += op.numbered_fields();
        }
        crates.push(Crate { name: family.crate_name, vendor: generated.vendor, operations: generated.operations });
    }
    let generate_secs = started.elapsed().as_secs_f64();

    // 2. The harness and the scratch workspace.
    let examples = harness(&out, &runtime, &crates)?;
    tally.examples = examples;
    workspace(&root, &out, &crates)?;

    // 3. Build, lint, decode.
    let cargo = |args: &[&str]| -> anyhow::Result<std::process::Output> {
        let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        command.args(args).current_dir(&out).env("CARGO_TARGET_DIR", crate::target_dir());
        command.output().with_context(|| format!("running cargo {}", args.join(" ")))
    };
    let check_started = Instant::now();
    // The harness turns on every crate's `serde` feature: it is left out of the default-feature builds.
    let check = cargo(&["check", "--workspace", "--exclude", HARNESS, "--keep-going"])?;
    let check_secs = check_started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&check.stderr);
    let broken: Vec<&Crate> =
        crates.iter().filter(|c| stderr.contains(&format!("could not compile `{}`", c.name))).collect();
    tally.built = crates.iter().filter(|c| !broken.iter().any(|b| b.name == c.name)).map(|c| c.operations.len()).sum();
    if !check.status.success() {
        eprintln!("{stderr}");
        failures.push(format!(
            "cargo check failed ({} crate(s): {})",
            broken.len(),
            broken.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let mut clippy_secs = 0.0;
    let mut harness_secs = 0.0;
    if check.status.success() {
        let clippy_started = Instant::now();
        let clippy = cargo(&["clippy", "--workspace", "--exclude", HARNESS, "--keep-going", "--", "-D", "warnings"])?;
        if !clippy.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&clippy.stderr));
            failures.push("cargo clippy -D warnings failed on generated code".into());
        }
        // Again with every generated crate's opt-in `serde` feature (its impls are behind `cfg`).
        let serde_features: Vec<String> = crates.iter().map(|c| format!("{}/serde", c.name)).collect();
        let serde_features = serde_features.join(",");
        let serde =
            cargo(&["clippy", "--workspace", "--keep-going", "--features", &serde_features, "--", "-D", "warnings"])?;
        clippy_secs = clippy_started.elapsed().as_secs_f64();
        if !serde.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&serde.stderr));
            failures.push("cargo clippy -D warnings failed on generated code with the serde feature".into());
        }
        let harness_started = Instant::now();
        let examples_path = out.join(HARNESS).join("examples.json");
        let run = cargo(&["run", "--quiet", "-p", HARNESS, "--", &examples_path.display().to_string()])?;
        harness_secs = harness_started.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&run.stdout);
        if !run.status.success() && !stdout.contains("decoded ") {
            eprintln!("{}", String::from_utf8_lossy(&run.stderr));
            failures.push("the decoding harness did not run".into());
        }
        for line in stdout.lines() {
            if let Some(rest) = line.strip_prefix("decoded ") {
                let numbers: Vec<usize> =
                    rest.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect();
                if let [decoded, _, raw, round_tripped] = numbers[..] {
                    tally.decoded = decoded;
                    tally.raw = raw;
                    tally.round_tripped = round_tripped;
                }
            } else if line.starts_with("FAIL ") {
                failures.push(line.to_string());
            }
        }
        if tally.decoded != tally.examples {
            failures.push(format!("{} response example(s) did not decode", tally.examples - tally.decoded));
        }
        if tally.round_tripped != tally.decoded {
            failures
                .push(format!("{} decoded example(s) did not read back equal", tally.decoded - tally.round_tripped));
        }
    }

    // 4. Report.
    unsupported.sort();
    let mut list = String::new();
    for line in &unsupported {
        let _ = writeln!(list, "{line}");
    }
    let list_path = out.join("unsupported.txt");
    std::fs::write(&list_path, list).with_context(|| format!("writing {}", list_path.display()))?;
    let mut reasons = BTreeMap::<String, usize>::new();
    for line in &unsupported {
        *reasons.entry(category(line)).or_default() += 1;
    }
    for (reason, n) in &reasons {
        println!("unsupported: {n:>4}  {reason}");
    }
    println!("unsupported docs: {} (listed in {})", unsupported.len(), list_path.display());
    for vendor in Vendor::all() {
        let of: Vec<&Crate> = crates.iter().filter(|c| c.vendor == vendor).collect();
        println!(
            "{vendor:?}: {} crate(s), {} operation(s)",
            of.len(),
            of.iter().map(|c| c.operations.len()).sum::<usize>()
        );
    }
    not_api.sort();
    let not_api_path = out.join("not-api.txt");
    std::fs::write(&not_api_path, not_api.iter().map(|r| format!("{r}\n")).collect::<String>())
        .with_context(|| format!("writing {}", not_api_path.display()))?;
    for (vendor, c) in &coverage {
        println!("{}", coverage_line(*vendor, c));
    }
    println!("pages that are not API docs are listed in {}", not_api_path.display());
    let duplicates_path = out.join("duplicates.txt");
    std::fs::write(&duplicates_path, duplicates.iter().map(|r| format!("{r}\n")).collect::<String>())
        .with_context(|| format!("writing {}", duplicates_path.display()))?;
    println!(
        "duplicates: {} doc(s) of an operation another doc documents better, generated once (listed in {})",
        tally.duplicates,
        duplicates_path.display()
    );
    let renamed_path = out.join("renamed.txt");
    std::fs::write(&renamed_path, renamed.iter().map(|r| format!("{r}\n")).collect::<String>())
        .with_context(|| format!("writing {}", renamed_path.display()))?;
    println!(
        "collisions: {} operation(s) named after their doc file (listed in {}), {} type(s) and {} field(s) numbered",
        tally.renamed_operations,
        renamed_path.display(),
        tally.renamed_types,
        tally.renamed_fields
    );
    println!(
        "timings: generate {generate_secs:.1}s, cargo check {check_secs:.1}s, clippy (serde off and on) {clippy_secs:.1}s, \
         harness build+run {harness_secs:.1}s"
    );
    println!(
        "docs {}, supported {}, duplicates merged {}, generated {}, built {}, examples decoded {}/{}, serde round trips {}/{}, values kept raw {}, collisions renamed {}, seconds {:.0}",
        tally.docs,
        tally.supported,
        tally.duplicates,
        tally.generated,
        tally.built,
        tally.decoded,
        tally.examples,
        tally.round_tripped,
        tally.decoded,
        tally.raw,
        tally.renamed_operations + tally.renamed_types + tally.renamed_fields,
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for f in &failures {
            eprintln!("error: {f}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// `coverage UCloud: API docs supported 1707/1707 (100.0%); not API docs 292 (index 137, …)`.
fn coverage_line(vendor: Vendor, c: &Coverage) -> String {
    let percent = if c.api_docs == 0 { 100.0 } else { 100.0 * c.supported as f64 / c.api_docs as f64 };
    let kinds: Vec<String> =
        c.not_api.iter().filter(|(_, n)| **n > 0).map(|(kind, n)| format!("{} {n}", kind.label())).collect();
    format!(
        "coverage {vendor:?}: API docs supported {}/{} ({percent:.1}%); not API docs {} ({})",
        c.supported,
        c.api_docs,
        c.not_api.values().sum::<usize>(),
        kinds.join(", ")
    )
}

/// `ucloud/<product>-api` folders and `finovy`, in path order.
fn families(corpus: &Path) -> anyhow::Result<Vec<Family>> {
    let mut families = Vec::new();
    let ucloud = corpus.join("ucloud");
    let mut products: Vec<String> = std::fs::read_dir(&ucloud)
        .with_context(|| format!("reading {}", ucloud.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| name.ends_with("-api"))
        .collect();
    products.sort();
    let ucloud_vendor = vendor_labelled("UCloud")?;
    for product in products {
        let stem = product.trim_end_matches("-api");
        families.push(Family {
            crate_name: crate_name(&format!("ucloud-{stem}")),
            vendor: ucloud_vendor,
            spec_dir: PathBuf::from("ucloud").join(&product),
        });
    }
    if corpus.join("finovy").is_dir() {
        families.push(Family {
            crate_name: FINOVY_CRATE.into(),
            vendor: vendor_labelled("Finovy")?,
            spec_dir: PathBuf::from("finovy"),
        });
    }
    Ok(families)
}

/// The generator's vendor of this label: the corpus's folders are by vendor.
fn vendor_labelled(label: &str) -> anyhow::Result<Vendor> {
    Vendor::all().into_iter().find(|v| v.label() == label).with_context(|| format!("no vendor labelled {label}"))
}

/// A valid crate name: lowercase ASCII letters, digits and single dashes (`vpc2.0` → `vpc2-0`).
pub fn crate_name(raw: &str) -> String {
    let mut name = String::new();
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    name.trim_end_matches('-').to_string()
}

fn one_line(rejection: &Rejection) -> String {
    match rejection {
        Rejection::Invalid { errors } => {
            let first = errors.first().map(ToString::to_string).unwrap_or_default();
            let more = if errors.len() > 1 { format!(" (+{} more)", errors.len() - 1) } else { String::new() };
            format!("{first}{more}").replace('\n', " ")
        }
        other => other.to_string().replace('\n', " "),
    }
}

/// The reason of an `unsupported.txt` line without the file (and line), for counting.
fn category(line: &str) -> String {
    if let Some((_, reason)) = line.split_once(": unsupported: ") {
        return reason.to_string();
    }
    match line.split_once(": error: ") {
        Some((_, message)) => {
            let message = message.split(" (+").next().unwrap_or(message);
            // Keep the message's kind, not its particulars (names in backticks, numbers).
            let mut kind = String::from("invalid: ");
            let mut in_code = false;
            for c in message.chars() {
                match c {
                    '`' => {
                        in_code = !in_code;
                        if in_code {
                            kind.push_str("`…`");
                        }
                    }
                    _ if in_code => {}
                    c if c.is_ascii_digit() => {
                        if !kind.ends_with('N') {
                            kind.push('N');
                        }
                    }
                    c => kind.push(c),
                }
            }
            kind
        }
        None => line.to_string(),
    }
}

/// The scratch workspace: every generated crate and the harness, sharing the repository's lockfile versions.
fn workspace(root: &Path, out: &Path, crates: &[Crate]) -> anyhow::Result<()> {
    let mut members: Vec<&str> = crates.iter().map(|c| c.name.as_str()).collect();
    members.push(HARNESS);
    let mut manifest = String::from(
        "# @generated by `cargo xtask corpus`; a scratch workspace, not part of docbind's.\n[workspace]\nresolver = \"2\"\nmembers = [\n",
    );
    for m in &members {
        let _ = writeln!(manifest, "    \"{m}\",");
    }
    // The same profile as the repository's for dependencies, so their builds are shared.
    manifest.push_str(
        "]\n\n[profile.dev]\ndebug = false\nincremental = false\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
    );
    write_if_changed(&out.join("Cargo.toml"), &manifest)?;
    // Start from the repository's lockfile: the same dependency versions, no registry lookups.
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    if !out.join("Cargo.lock").exists() {
        write_if_changed(&out.join("Cargo.lock"), &lock)?;
    }
    // Crates generated by an earlier run whose family is gone are left alone but are not members.
    Ok(())
}

fn write_if_changed(path: &Path, text: &str) -> anyhow::Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Generates `corpus-harness` (a binary that decodes each example with its operation's generated
/// `decode_response`, the function the client decodes with) and `examples.json` (the examples it reads at run
/// time). Returns how many examples there are.
fn harness(out: &Path, runtime: &Path, crates: &[Crate]) -> anyhow::Result<usize> {
    let dir = out.join(HARNESS);
    std::fs::create_dir_all(dir.join("src"))?;
    let mut manifest = format!(
        "# @generated by `cargo xtask corpus`.\n[package]\nname = \"{HARNESS}\"\nedition = \"2021\"\nversion = \"0.1.0\"\npublish = false\n\n[dependencies]\ndocbind-runtime = {{ path = {:?}, features = [\"serde\"] }}\n",
        runtime.display().to_string()
    );
    for c in crates {
        let _ = writeln!(manifest, "{} = {{ path = \"../{}\", features = [\"serde\"] }}", c.name, c.name);
    }
    write_if_changed(&dir.join("Cargo.toml"), &manifest)?;

    let mut examples = Vec::new();
    let mut raw_impls = Vec::new();
    let mut decoders = Vec::new();
    for c in crates {
        let krate = c.name.replace('-', "_");
        let krate_ident = format_ident!("{krate}");
        // A type several modules share is one type: one impl.
        let mut shared_done = std::collections::BTreeSet::new();
        for op in &c.operations {
            let module = rust_ident(op.module());
            let shared = |name: &str| op.shared_types().iter().any(|t| t == name);
            for s in op.structs().filter(|s| s.kind() == StructKind::Decoded) {
                if shared(s.name()) && !shared_done.insert(s.name().to_string()) {
                    continue;
                }
                let ty = format_ident!("{}", s.name());
                let nested = s.fields().iter().filter(|f| matches!(f.shape(), Shape::Struct(_)));
                let nested = nested.map(|f| rust_ident(f.name()));
                raw_impls.push(quote! {
                    impl Raw for #krate_ident::#module::#ty {
                        fn raw(&self) -> usize {
                            self.extra.len() #(+ self.#nested.raw())*
                        }
                    }
                });
            }
            let id = table_key(&krate, op.module());
            let decode = op.decode_entry(&krate_ident);
            decoders.push(quote! { (#id, |body| count(#decode(body))) });
            for e in &op.operation().examples {
                if e.kind == ExampleKind::Response && e.is_json {
                    examples.push(serde_json::json!({
                        "decoder": id,
                        "file": format!("{}:{}", e.source.file.display(), e.source.line),
                        "text": e.text,
                    }));
                }
            }
        }
    }
    let main = crate::rust_source(harness_main(&raw_impls, &decoders))?;
    let header = "// @generated by `cargo xtask corpus`: decodes every JSON response example of the corpus with its \
                  generated type, and reads its serialization back.";
    write_if_changed(&dir.join("src/main.rs"), &format!("{header}\n\n{main}"))?;
    let json = serde_json::to_string_pretty(&examples)?;
    write_if_changed(&dir.join("examples.json"), &json)?;
    Ok(examples.len())
}

fn table_key(krate: &str, module: &str) -> String {
    format!("{krate}::{module}")
}

/// The harness's `main.rs`: counting values kept raw (`Raw`, one impl per decoded struct of the corpus), and the
/// loop over the examples, each decoded through the table of `decoders` by its operation's key. Decoding is the
/// generated crates' own: each operation's `decode_response`, as its client calls it. Each decoded response is also
/// serialized (feature `serde`) and read back, which must give it back equal.
fn harness_main(raw_impls: &[TokenStream], decoders: &[TokenStream]) -> TokenStream {
    quote! {
        use docbind_runtime::DecodeError;
        use docbind_runtime::__private::serde::{de::DeserializeOwned, Serialize};
        use docbind_runtime::serde_json::{self, Value};

        /// Values kept raw, or why the body did not decode; and whether the serde round trip gave it back.
        type Decoder = fn(&[u8]) -> Result<(usize, Result<(), String>), String>;

        /// Values kept raw: entries of `extra`, recursively.
        trait Raw {
            fn raw(&self) -> usize;
        }

        impl<T: Raw> Raw for Option<T> {
            fn raw(&self) -> usize {
                self.as_ref().map_or(0, Raw::raw)
            }
        }

        impl<T: Raw> Raw for Vec<T> {
            fn raw(&self) -> usize {
                self.iter().map(Raw::raw).sum()
            }
        }

        /// How many values a decoded response kept raw, or why the body did not decode; and whether the response,
        /// serialized and read back, is equal to itself.
        fn count<T, S>(decoded: Result<(T, S), DecodeError>) -> Result<(usize, Result<(), String>), String>
        where
            T: Raw + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
        {
            let (response, _) = decoded.map_err(|e| e.to_string())?;
            let written = serde_json::to_string(&response).map_err(|e| format!("cannot serialize: {e}"));
            let round_trip = written.and_then(|json| match serde_json::from_str::<T>(&json) {
                Ok(read) if read == response => Ok(()),
                Ok(read) => Err(format!("read back as {read:?} from {json}")),
                Err(e) => Err(format!("cannot read back {json}: {e}")),
            });
            Ok((response.raw(), round_trip))
        }

        fn main() {
            let path = std::env::args().nth(1).expect("usage: corpus-harness <examples.json>");
            let text = std::fs::read_to_string(&path).expect("examples.json is readable");
            let examples: Vec<Value> = serde_json::from_str(&text).expect("examples.json is JSON");
            let (mut decoded, mut raw, mut round_tripped) = (0, 0, 0);
            for example in &examples {
                let key = example["decoder"].as_str().unwrap_or_default();
                let file = example["file"].as_str().unwrap_or_default();
                let body = example["text"].as_str().unwrap_or_default();
                match DECODERS.iter().find(|(k, _)| *k == key) {
                    None => println!("FAIL {file}: no decoder for {key}"),
                    Some((_, decoder)) => match decoder(body.as_bytes()) {
                        Ok((kept, round_trip)) => {
                            decoded += 1;
                            raw += kept;
                            match round_trip {
                                Ok(()) => round_tripped += 1,
                                Err(e) => println!("FAIL {file}: serde: {e}"),
                            }
                        }
                        Err(e) => println!("FAIL {file}: {e}"),
                    },
                }
            }
            println!("decoded {decoded}/{} raw {raw} round-tripped {round_tripped}", examples.len());
            if decoded != examples.len() {
                std::process::exit(1);
            }
        }

        #(#raw_impls)*

        static DECODERS: &[(&str, Decoder)] = &[#(#decoders),*];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_sanitized() {
        assert_eq!(crate_name("ucloud-vpc2.0"), "ucloud-vpc2-0");
        assert_eq!(crate_name("ucloud-uhost"), "ucloud-uhost");
        assert_eq!(crate_name("ucloud-UDDos_UClean"), "ucloud-uddos-uclean");
    }

    #[test]
    fn the_harness_is_rust_with_one_table_row_per_operation() {
        let raw = quote!(impl Raw for demo::get_x::GetXResponse { fn raw(&self) -> usize { self.extra.len() } });
        let rows = [quote!(("demo::get_x", |body| count(demo::get_x::decode_response(body))))];
        let main = crate::rust_source(harness_main(&[raw], &rows)).expect("the harness parses");
        assert!(main.contains("fn main()"), "{main}");
        assert!(main.contains("impl Raw for demo::get_x::GetXResponse"), "{main}");
        let table = "static DECODERS: &[(&str, Decoder)] = &[\n    (\"demo::get_x\", |body| count(demo::get_x::decode_response(body))),\n];";
        assert!(main.contains(table), "{main}");
    }

    #[test]
    fn reasons_name_the_pages_that_are_not_api_docs() {
        let rejected = |file: &str, text: &str| match docbind_gen::parse_doc(Path::new(file), text, None) {
            Err(rejection) => counted(&rejection),
            Ok(_) => panic!("{file} parsed"),
        };
        // UFile's REST pages are API docs: one without its request line counts against coverage.
        assert_eq!(rejected("ufile-api/put.md", "# 上传 - PutFile\n## Syntax\n"), Counted::ApiDoc);
        assert_eq!(rejected("x-api/README.md", "# 云主机 API 简介\n"), Counted::NotApi(PageKind::Overview));
        assert_eq!(rejected("x-api/_glossary.md", "# 名词\n"), Counted::NotApi(PageKind::Glossary));
        assert_eq!(rejected("x-api/error_code.md", "# 错误码\n"), Counted::NotApi(PageKind::ErrorCodes));
        assert_eq!(rejected("p/4.update_log.md", "# 更新\n"), Counted::NotApi(PageKind::Changelog));
        assert_eq!(rejected("uhost-api/disk_type.md", "# 磁盘类型\n"), Counted::NotApi(PageKind::Reference));
        // An Action doc that breaks its template is an API doc all the same: it counts against coverage.
        let broken = "# 文档 - X\n\n### 请求参数\n\n| 参数名 | 类型 |\n|---|---|\n| **A** | string |\n\n### 响应字段\n";
        assert_eq!(rejected("x-api/x.md", broken), Counted::ApiDoc);
    }

    #[test]
    fn the_coverage_line_is_one_number_with_the_rest_apart() {
        let c = Coverage {
            api_docs: 4,
            supported: 3,
            not_api: BTreeMap::from([(PageKind::Index, 2), (PageKind::Glossary, 1), (PageKind::Changelog, 0)]),
        };
        assert_eq!(
            coverage_line(vendor_labelled("UCloud").unwrap(), &c),
            "coverage UCloud: API docs supported 3/4 (75.0%); not API docs 3 (index 2, glossary 1)"
        );
    }

    #[test]
    fn reasons_are_counted_by_kind() {
        assert_eq!(category("a/b.md: unsupported: a hand-written REST page"), "a hand-written REST page");
        assert_eq!(
            category("a/b.md:12: error: row 3 of `X` has 2 cells (+1 more)"),
            "invalid: row N of `…` has N cells"
        );
    }
}
