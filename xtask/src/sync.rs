//! `cargo xtask sync`: `docbind sync` for the crates of this workspace whose docs come from the given checkout,
//! then the workspace's own release bookkeeping: the dependency versions of `[workspace.dependencies]`, the facade
//! (`crates/docbind`) following its generated crates' bumps, and `Cargo.lock`.

use anyhow::Context;
use docbind_cli::{Bump, SyncOptions, Version};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A git checkout of the vendor's docs repository (a clone of `../shared/vendor-docs/*.bundle` here).
    #[arg(long, value_name = "CHECKOUT")]
    from: PathBuf,
    #[command(flatten)]
    options: SyncOptions,
    /// The crates to sync (default: every crate of specs/ whose upstream.toml names a revision of the checkout).
    crates: Vec<String>,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let root = crate::repo_root();
    let mut targets = Vec::new();
    for target in crate::workspace_crates()? {
        let name = &target.spec.crate_name;
        let named = args.crates.iter().any(|c| c == name);
        if !args.crates.is_empty() && !named {
            continue;
        }
        let spec_dir = root.join(&target.spec.spec_dir);
        if !spec_dir.join(docbind_cli::UPSTREAM_FILE).is_file() {
            if named {
                anyhow::bail!(
                    "specs/{name} has no {}: nothing says where its docs come from",
                    docbind_cli::UPSTREAM_FILE
                );
            }
            continue;
        }
        if docbind_cli::comes_from(&args.from, &spec_dir)? {
            targets.push(target);
        } else if named {
            anyhow::bail!(
                "{name}'s recorded revision is not in {}: is it a checkout of its docs?",
                args.from.display()
            );
        } else {
            println!("{name}: its docs come from another repository than {}", args.from.display());
        }
    }
    if let Some(unknown) = args.crates.iter().find(|c| !root.join("specs").join(c).is_dir()) {
        anyhow::bail!("no crate `{unknown}` in specs/");
    }
    if targets.is_empty() {
        anyhow::bail!("no crate of specs/ has its docs in {}", args.from.display());
    }
    let (synced, up_to_date) = docbind_cli::sync_crates(&targets, &args.from, &args.options, "cargo xtask sync")?;
    if args.options.check {
        return Ok(if up_to_date { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    let released: Vec<_> = synced.iter().filter(|s| s.bump != Bump::None).collect();
    if released.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let manifest = root.join("Cargo.toml");
    let mut workspace = read(&manifest)?;
    for crate_synced in &released {
        workspace = with_dependency_version(&workspace, &crate_synced.crate_name, &crate_synced.version.to_string())
            .with_context(|| format!("{}: [workspace.dependencies]", manifest.display()))?;
    }
    write(&manifest, &workspace)?;
    // The facade re-exports the generated crates: a breaking change in one breaks it too.
    let bump = released.iter().map(|s| s.bump).max().unwrap_or(Bump::None);
    let facade = root.join("crates/docbind/Cargo.toml");
    let text = read(&facade)?;
    let old =
        package_version(&text).with_context(|| format!("{}: no `version = \"…\"` in [package]", facade.display()))?;
    let new = Version::parse(&old).map_err(|e| anyhow::anyhow!("{}: {e}", facade.display()))?.bumped(bump);
    write(&facade, &text.replacen(&format!("version = \"{old}\""), &format!("version = \"{new}\""), 1))?;
    println!("docbind (facade): {old} → {new}");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(&root)
        .args(["update", "--workspace", "--offline", "--quiet"])
        .status()
        .context("running cargo update")?;
    if !status.success() {
        anyhow::bail!("`cargo update --workspace` failed: Cargo.lock still holds the old versions");
    }
    Ok(ExitCode::SUCCESS)
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// The `version = "…"` of a manifest's `[package]` table.
fn package_version(manifest: &str) -> Option<String> {
    let package = manifest.split("\n[").find(|table| table.trim_start_matches('[').starts_with("package]"))?;
    package.lines().find_map(|line| Some(line.strip_prefix("version = \"")?.strip_suffix('"')?.to_string()))
}

/// The workspace manifest with `name`'s line of `[workspace.dependencies]` (`name = { path = …, version = "…" }`)
/// at `version`.
fn with_dependency_version(manifest: &str, name: &str, version: &str) -> anyhow::Result<String> {
    let prefix = format!("{name} = {{ path = ");
    let mut found = false;
    let lines: Vec<String> = manifest
        .split_inclusive('\n')
        .map(|line| match (line.starts_with(&prefix), line.find("version = \"")) {
            (true, Some(at)) => {
                found = true;
                let start = at + "version = \"".len();
                let end = line[start..].find('"').map_or(line.len(), |e| start + e);
                format!("{}{version}{}", &line[..start], &line[end..])
            }
            _ => line.to_string(),
        })
        .collect();
    anyhow::ensure!(found, "no `{name} = {{ path = …, version = \"…\" }}` line");
    Ok(lines.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_rewritten_in_place() {
        let workspace =
            "[workspace.dependencies]\nucloud-uodn = { path = \"crates/ucloud-uodn\", version = \"0.1.0\" }\n\
                         finovy-image = { path = \"crates/finovy-image\", version = \"0.1.0\" }\n";
        let written = with_dependency_version(workspace, "finovy-image", "0.2.0").expect("found");
        let expected =
            "[workspace.dependencies]\nucloud-uodn = { path = \"crates/ucloud-uodn\", version = \"0.1.0\" }\n\
                        finovy-image = { path = \"crates/finovy-image\", version = \"0.2.0\" }\n";
        assert_eq!(written, expected);
        assert!(with_dependency_version(workspace, "docbind", "1.0.0").is_err());
        let facade =
            "[package]\nname = \"docbind\"\nversion = \"0.3.1\"\n\n[dependencies]\nx = { version = \"9.9.9\" }\n";
        assert_eq!(package_version(facade).as_deref(), Some("0.3.1"));
    }

    /// `cargo xtask sync --check --from <clone>` on the checked-in specs: each crate's pages are upstream's at
    /// its recorded revision, and nothing of them moved up to the bundle's HEAD.
    #[test]
    fn checked_in_specs_are_in_sync_with_the_bundles() {
        let scratch = crate::target_dir().join("tmp/xtask-sync-check");
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).expect("writable");
        let mut synced = Vec::new();
        for bundle in ["ucloud-api", "finovy-open-api"] {
            let path = crate::repo_root().join(format!("../shared/vendor-docs/{bundle}.bundle"));
            assert!(path.is_file(), "{} is missing", path.display());
            let checkout = scratch.join(bundle);
            let cloned = std::process::Command::new("git")
                .args(["-c", "init.defaultBranch=master", "clone", "--quiet"])
                .arg(&path)
                .arg(&checkout)
                .status()
                .expect("git runs");
            assert!(cloned.success());
            let options = SyncOptions { rev: None, check: true, accept_breaking: false };
            let args = Args { from: checkout, options, crates: Vec::new() };
            assert_eq!(run(&args).expect("sync --check runs"), ExitCode::SUCCESS, "{bundle}");
            synced.push(bundle);
        }
        assert_eq!(synced.len(), 2);
    }
}
