//! Proof that the API diff's breaking/compatible call is right, against the compiler: for each pair of doc
//! versions, a user crate is written against the crate generated from the old docs (every use-site the generated
//! API offers: each request built with `new(…)` and every setter, each struct field read at its type, each enum
//! variant matched, each `Client` method called) and checked against the crate generated from the new docs. It must
//! compile after every change the diff calls compatible and fail after one it calls breaking. Each user crate is
//! also checked against the old crate (a control: the use-sites themselves are right). One `cargo check` for all.
//!
//! `cargo xtask classify --from <docs checkout> --path <folder> [--pages <glob>] [--limit N]` runs it over a
//! checkout's history (each commit that changed the folder's pages: the pages it changed, before and after);
//! the test below runs a handful of UODN's commits in CI.

use anyhow::Context;
use docbind_gen::{CrateSpec, Impact, InvalidDocs, RuntimeDep};
use quote::{format_ident, quote};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A git checkout of the vendor's docs (a clone of `../shared/vendor-docs/ucloud-api.bundle`).
    #[arg(long, value_name = "CHECKOUT")]
    from: PathBuf,
    /// The folder of the product's pages in the checkout (`uedn-api`).
    #[arg(long, value_name = "PATH")]
    path: String,
    /// Only pages matching this glob (`*uvodn*.md`; default every `.md` page).
    #[arg(long, value_name = "GLOB")]
    pages: Option<String>,
    /// At most this many commits (the newest first).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

/// One pair of doc versions (spec folders).
#[derive(Debug, Clone)]
pub struct Case {
    /// What it is (`e27cf76 uxiao publish api: GetUvodnNodePrice`).
    pub label: String,
    /// The docs before.
    pub old: PathBuf,
    /// The docs after.
    pub new: PathBuf,
}

/// What the diff said and what the compiler did.
#[derive(Debug)]
pub struct Verdict {
    /// The case.
    pub label: String,
    /// The diff's changes.
    pub changes: Vec<docbind_gen::Change>,
    /// Whether the user crate compiled against the new crate.
    pub compiled: bool,
    /// The compiler's errors in the user crate, if any.
    pub errors: String,
}

impl Verdict {
    /// Whether the diff called some change breaking.
    pub fn breaking(&self) -> bool {
        self.changes.iter().any(|c| c.impact == Impact::Breaking)
    }

    /// Whether the diff's call agrees with the compiler.
    pub fn agrees(&self) -> bool {
        self.breaking() != self.compiled
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let scratch = crate::target_dir().join("classify");
    let cases = history_cases(&args.from, &args.path, args.pages.as_deref(), args.limit, &scratch.join("docs"))?;
    let verdicts = check_cases(&cases, &scratch.join("workspace"), &crate::target_dir().join("classify-target"))?;
    let wrong = report(&verdicts);
    let breaking = verdicts.iter().filter(|v| v.breaking()).count();
    let unchanged = verdicts.iter().filter(|v| v.changes.is_empty()).count();
    println!(
        "classify {}: {} commit(s): {breaking} breaking, {} compatible, {unchanged} without API change; {} wrong; {:.0} s",
        args.path,
        verdicts.len(),
        verdicts.len() - breaking - unchanged,
        wrong,
        started.elapsed().as_secs_f64()
    );
    Ok(if wrong == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Prints each verdict; returns how many disagree with the compiler.
pub fn report(verdicts: &[Verdict]) -> usize {
    let mut wrong = 0;
    for v in verdicts {
        let call = if v.breaking() { "breaking" } else { "compatible" };
        let outcome = if v.compiled { "compiles" } else { "does not compile" };
        let mark = if v.agrees() { "ok" } else { "WRONG" };
        println!("{mark}: {}: called {call} ({} change(s)), user crate {outcome}", v.label, v.changes.len());
        if !v.agrees() {
            wrong += 1;
            for c in &v.changes {
                println!("    {c}");
            }
            if !v.errors.is_empty() {
                println!("    {}", v.errors.trim_end().replace('\n', "\n    "));
            }
        }
    }
    wrong
}

/// The pages each commit of `path` changed (matching `pages`), before and after it, as spec folders under `dir`.
pub fn history_cases(
    checkout: &Path,
    path: &str,
    pages: Option<&str>,
    limit: Option<usize>,
    dir: &Path,
) -> anyhow::Result<Vec<Case>> {
    let git = |args: &[&str]| -> anyhow::Result<Vec<u8>> {
        let output = Command::new("git").arg("-C").arg(checkout).args(args).output().context("running git")?;
        anyhow::ensure!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        Ok(output.stdout)
    };
    let wanted = |file: &str| {
        let Some(name) = file.strip_prefix(&format!("{path}/")) else { return false };
        match pages {
            Some(glob) => docbind_cli::glob_matches(glob, name),
            None => name.ends_with(".md") && !name.contains('/'),
        }
    };
    let _ = std::fs::remove_dir_all(dir);
    let log = String::from_utf8(git(&["log", "--format=%H %s", "--no-merges", "--", path])?)?;
    let mut cases = Vec::new();
    for line in log.lines() {
        let (commit, subject) = line.split_once(' ').unwrap_or((line, ""));
        let changed = String::from_utf8(git(&["diff-tree", "--no-commit-id", "--name-only", "-r", "--root", commit])?)?;
        let mut changed: Vec<&str> = changed.lines().filter(|f| wanted(f)).collect();
        if changed.is_empty() {
            continue;
        }
        // One page the commit left alone, on both sides, so that neither crate is empty when the commit adds or
        // removes every page it touches.
        let before = git(&["ls-tree", "-r", "--name-only", &format!("{commit}^"), "--", path]).unwrap_or_default();
        let before = String::from_utf8(before)?;
        if let Some(anchor) = before.lines().find(|f| wanted(f) && !changed.contains(f)) {
            changed.push(anchor);
        }
        let short = &commit[..7];
        let (old, new) = (dir.join(format!("{short}-old")), dir.join(format!("{short}-new")));
        for (folder, rev) in [(&old, format!("{commit}^")), (&new, commit.to_string())] {
            std::fs::create_dir_all(folder)?;
            for file in &changed {
                // Absent on one side: added or removed by the commit.
                if let Ok(text) = git(&["show", &format!("{rev}:{file}")]) {
                    let name = file.rsplit('/').next().unwrap_or(file);
                    std::fs::write(folder.join(name), text)?;
                }
            }
        }
        // The first pages of a product: no API before, nothing a user could have written.
        if std::fs::read_dir(&old)?.next().is_none() {
            println!("skipped {short} {subject}: none of its pages existed before");
            continue;
        }
        cases.push(Case { label: format!("{short} {subject}"), old, new });
        if limit.is_some_and(|n| cases.len() >= n) {
            break;
        }
    }
    Ok(cases)
}

/// Generates the crates and user crates of every case into the scratch workspace `dir`, runs one `cargo check`
/// (target dir `target`), and returns what each case did.
pub fn check_cases(cases: &[Case], dir: &Path, target: &Path) -> anyhow::Result<Vec<Verdict>> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let runtime = crate::repo_root().join("crates/docbind-runtime");
    let runtime = std::fs::canonicalize(&runtime).with_context(|| format!("{}", runtime.display()))?;
    let mut members = Vec::new();
    let mut checked = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let load = |folder: &Path| docbind_gen::load(Path::new(""), &[folder.to_path_buf()], None);
        let (old, new) = (load(&case.old)?, load(&case.new)?);
        let generated = |loaded, name: &str| -> anyhow::Result<Vec<docbind_gen::GeneratedFile>> {
            let spec = CrateSpec {
                crate_name: name.to_string(),
                spec_dir: PathBuf::from("docs"),
                out_dir: dir.join(name),
                spec_label: "docs".into(),
                runtime: RuntimeDep::Path(runtime.clone()),
                standalone: false,
            };
            Ok(docbind_gen::generate(&spec, loaded, InvalidDocs::Skip)
                .with_context(|| format!("generating {}", case.label))?
                .files)
        };
        // The user crate names either one `api_{i}` (a renamed dependency). A side with no API doc (the commit
        // changed only pages that are not API docs, or removed the last one) has no crate to compare.
        let (before, after) = match (generated(&old, &format!("api-{i}-old")), generated(&new, &format!("api-{i}-new")))
        {
            (Ok(before), Ok(after)) => (before, after),
            (Err(e), _) | (_, Err(e)) => {
                println!("skipped {}: {:#}", case.label, e);
                continue;
            }
        };
        checked.push((i, case, docbind_gen::compare(&old, &new)));
        let user = use_sites(&format!("api_{i}"), &before)?;
        for (side, files) in [("old", &before), ("new", &after)] {
            let api = dir.join(format!("api-{i}-{side}"));
            for file in files {
                let path = api.join(&file.path);
                std::fs::create_dir_all(path.parent().unwrap_or(&api))?;
                std::fs::write(&path, &file.text)?;
            }
            let name = format!("use-{i}-{side}");
            let manifest = format!(
                "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
                 [dependencies]\napi_{i} = {{ package = \"api-{i}-{side}\", path = \"../api-{i}-{side}\" }}\n"
            );
            std::fs::create_dir_all(dir.join(&name).join("src"))?;
            std::fs::write(dir.join(&name).join("Cargo.toml"), manifest)?;
            std::fs::write(dir.join(&name).join("src/lib.rs"), &user)?;
            members.push(format!("api-{i}-{side}"));
            members.push(name);
        }
    }
    let members: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", ")),
    )?;
    // The same dependency versions as this checkout's build, all in the local cache, so `--offline` resolves.
    std::fs::copy(crate::repo_root().join("Cargo.lock"), dir.join("Cargo.lock"))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let check = Command::new(cargo)
        .current_dir(dir)
        .args(["check", "--workspace", "--keep-going", "--offline", "--message-format=short"])
        .env("CARGO_TARGET_DIR", target)
        .output()
        .context("running cargo check")?;
    let stderr = String::from_utf8_lossy(&check.stderr);
    let failed = |name: &str| stderr.contains(&format!("could not compile `{name}`"));
    let errors_of = |name: &str| -> String {
        stderr
            .lines()
            .filter(|l| l.starts_with(&format!("{name}/src/")) && l.contains("error"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut verdicts = Vec::new();
    for (i, case, changes) in checked {
        for crate_name in [format!("api-{i}-old"), format!("api-{i}-new")] {
            if failed(&crate_name) {
                anyhow::bail!("{}: the generated crate does not compile:\n{stderr}", case.label);
            }
        }
        if failed(&format!("use-{i}-old")) {
            anyhow::bail!(
                "{}: the user crate does not compile against the crate it was written for (harness bug):\n{}",
                case.label,
                errors_of(&format!("use-{i}-old"))
            );
        }
        let name = format!("use-{i}-new");
        verdicts.push(Verdict {
            label: case.label.clone(),
            changes,
            compiled: !failed(&name),
            errors: errors_of(&name),
        });
    }
    Ok(verdicts)
}

/// A user crate's `lib.rs` exercising every use-site of the generated crate `krate` (files as generated): read
/// from the generated modules with syn, so it follows the code, not the generator's internals.
pub fn use_sites(krate: &str, files: &[docbind_gen::GeneratedFile]) -> anyhow::Result<String> {
    let krate = format_ident!("{krate}");
    // Only the modules lib.rs makes public (`pub mod x;`) are the API; one behind a cargo feature (`blocking`)
    // is not compiled by default, and is left out.
    let lib = files.iter().find(|f| f.path == Path::new("src/lib.rs")).context("no src/lib.rs")?;
    let public: Vec<String> = syn::parse_file(&lib.text)?
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m)
                if matches!(m.vis, syn::Visibility::Public(_)) && !m.attrs.iter().any(|a| a.path().is_ident("cfg")) =>
            {
                Some(m.ident.to_string())
            }
            _ => None,
        })
        .collect();
    let mut modules = Vec::new();
    for file in files {
        let Some(module) = file.path.to_str().and_then(|p| p.strip_prefix("src/")).and_then(|p| p.strip_suffix(".rs"))
        else {
            continue;
        };
        if !public.iter().any(|m| m == module) {
            continue;
        }
        let parsed = syn::parse_file(&file.text).with_context(|| format!("parsing {}", file.path.display()))?;
        let module_ident = format_ident!("{module}");
        let mut uses = Vec::new();
        for item in &parsed.items {
            uses.extend(item_uses(item));
        }
        modules.push(quote! {
            pub mod #module_ident {
                #[allow(unused_imports)]
                use super::{any, api};
                #[allow(unused_imports)]
                use api::runtime as rt;
                #[allow(unused_imports)]
                use api::#module_ident::*;
                #(#uses)*
            }
        });
    }
    let tokens = quote! {
        //! Generated by `cargo xtask classify`: every use-site of the generated crate's API.
        #![allow(unused, clippy::all)]
        use #krate as api;
        /// A value of any type, for type checking only (never run).
        pub fn any<T>() -> T {
            unimplemented!()
        }
        #(#modules)*
    };
    crate::rust_source(tokens)
}

/// The use-sites of one item of a generated module.
fn item_uses(item: &syn::Item) -> Vec<proc_macro2::TokenStream> {
    let public = |vis: &syn::Visibility| matches!(vis, syn::Visibility::Public(_));
    let mut uses = Vec::new();
    match item {
        syn::Item::Struct(s) if public(&s.vis) => {
            let name = &s.ident;
            let reads = s.fields.iter().filter(|f| public(&f.vis)).filter_map(|f| {
                let (field, ty) = (f.ident.as_ref()?, in_user_crate(&f.ty));
                Some(quote!(let _: &#ty = &value.#field;))
            });
            let function = format_ident!("read_{}", name.to_string().to_lowercase());
            uses.push(quote!(pub fn #function(value: &#name) { #(#reads)* }));
        }
        syn::Item::Enum(e) if public(&e.vis) => {
            let name = &e.ident;
            let arms = e.variants.iter().map(|v| {
                let variant = &v.ident;
                match v.fields {
                    syn::Fields::Unit => quote!(matches!(value, #name::#variant)),
                    syn::Fields::Unnamed(_) => quote!(matches!(value, #name::#variant(..))),
                    syn::Fields::Named(_) => quote!(matches!(value, #name::#variant { .. })),
                }
            });
            let function = format_ident!("match_{}", name.to_string().to_lowercase());
            uses.push(quote!(pub fn #function(value: &#name) -> bool { false #(|| #arms)* }));
        }
        syn::Item::Impl(block) if block.trait_.is_none() => {
            let self_ty = &block.self_ty;
            let is_client = quote!(#self_ty).to_string().ends_with("Client");
            for member in &block.items {
                let syn::ImplItem::Fn(method) = member else { continue };
                if !public(&method.vis) {
                    continue;
                }
                let name = &method.sig.ident;
                let args: Vec<proc_macro2::TokenStream> = method
                    .sig
                    .inputs
                    .iter()
                    .filter_map(|input| match input {
                        syn::FnArg::Typed(arg) => Some(argument(&arg.ty, self_ty)),
                        syn::FnArg::Receiver(_) => None,
                    })
                    .collect();
                let function = format_ident!("call_{}", name);
                let receiver = method.sig.receiver();
                let self_name = quote!(#self_ty).to_string().replace(' ', "").to_lowercase();
                let function = format_ident!("{function}_{}", self_name.replace("crate::", ""));
                uses.push(match (is_client, receiver) {
                    (true, Some(_)) => {
                        quote!(pub fn #function(client: &api::Client) { let _ = client.#name(#(#args),*); })
                    }
                    (false, Some(_)) => {
                        let self_ty = in_user_crate(self_ty);
                        quote!(pub fn #function(value: #self_ty) { let _ = value.#name(#(#args),*); })
                    }
                    (_, None) => {
                        let self_ty = in_user_crate(self_ty);
                        quote!(pub fn #function() { let _ = <#self_ty>::#name(#(#args),*); })
                    }
                });
            }
        }
        _ => {}
    }
    uses
}

/// An argument of the type `ty` declares (`impl Into<String>` takes a `String`).
fn argument(ty: &syn::Type, self_ty: &syn::Type) -> proc_macro2::TokenStream {
    match ty {
        syn::Type::ImplTrait(_) => quote!(String::new()),
        _ => {
            let ty = in_user_crate(ty);
            let self_ty = in_user_crate(self_ty);
            let text = quote!(#ty).to_string().replace("Self", &quote!(#self_ty).to_string());
            let ty: proc_macro2::TokenStream = text.parse().unwrap_or(ty);
            quote!(any::<#ty>())
        }
    }
}

/// A type of the generated crate as the user crate names it (`crate::` is the generated crate).
fn in_user_crate(ty: &syn::Type) -> proc_macro2::TokenStream {
    let text = quote!(#ty).to_string().replace("crate ::", "api ::");
    text.parse().unwrap_or_else(|_| quote!(#ty))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UODN's history in the bundle, a handful of its change kinds: an operation added, optional request fields
    /// added, a response field's type changed (breaking), a model field added, untyped lists getting their model
    /// (breaking), and a commit without API change. One `cargo check` (the target dir the CLI's drop-in test warms).
    #[test]
    fn the_diff_calls_breaking_exactly_what_breaks_user_code() {
        let bundle = crate::repo_root().join("../shared/vendor-docs/ucloud-api.bundle");
        assert!(bundle.is_file(), "{} is missing", bundle.display());
        let scratch = crate::target_dir().join("tmp/xtask-classify");
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).expect("writable");
        let checkout = scratch.join("ucloud-api");
        let cloned = Command::new("git")
            .args(["-c", "init.defaultBranch=master", "clone", "--quiet"])
            .arg(&bundle)
            .arg(&checkout)
            .status()
            .expect("git runs");
        assert!(cloned.success());
        let all = history_cases(&checkout, "uedn-api", Some("*uvodn*.md"), None, &scratch.join("docs")).expect("cases");
        let picked = ["26780ec", "9b06547", "e27cf76", "cc7477e", "1158952", "0cb42f0"];
        let cases: Vec<Case> = all.into_iter().filter(|c| picked.iter().any(|p| c.label.starts_with(p))).collect();
        assert_eq!(cases.len(), picked.len());
        let target = crate::target_dir().join("tmp/docbind-cli-drop-in-target");
        let verdicts = check_cases(&cases, &scratch.join("workspace"), &target).expect("checked");
        assert_eq!(report(&verdicts), 0, "the diff disagrees with the compiler (see above)");
        let breaking: Vec<&str> = verdicts.iter().filter(|v| v.breaking()).map(|v| &v.label[..7]).collect();
        assert_eq!(breaking, ["1158952", "e27cf76"], "the breaking commits, newest first");
    }
}
