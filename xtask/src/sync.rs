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
    let facade = root.join("crates/docbind/Cargo.toml");
    let releases: Vec<(&str, String, Bump)> =
        released.iter().map(|s| (s.crate_name.as_str(), s.version.to_string(), s.bump)).collect();
    let (workspace, facade_text, (old, new)) = release_workspace(&read(&manifest)?, &read(&facade)?, &releases)
        .with_context(|| format!("{} and {}", manifest.display(), facade.display()))?;
    // Both are computed before either is written.
    write(&manifest, &workspace)?;
    write(&facade, &facade_text)?;
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

/// The workspace manifest with each released crate's `[workspace.dependencies]` line at its new version, and the
/// facade's manifest with its version bumped by the largest of the releases' bumps (it re-exports the generated
/// crates: a breaking change in one breaks it too). Returns both, and the facade's old and new versions.
fn release_workspace(
    workspace: &str,
    facade: &str,
    releases: &[(&str, String, Bump)],
) -> anyhow::Result<(String, String, (String, String))> {
    let mut workspace = workspace.to_owned();
    for (name, version, _) in releases {
        workspace = with_dependency_version(&workspace, name, version).context("[workspace.dependencies]")?;
    }
    let bump = releases.iter().map(|(_, _, bump)| *bump).max().unwrap_or(Bump::None);
    let old = package_version(facade).context("the facade: no `version = \"…\"` in [package]")?;
    let new = Version::parse(&old).map_err(|e| anyhow::anyhow!("the facade: {e}"))?.bumped(bump).to_string();
    let facade = facade.replacen(&format!("version = \"{old}\""), &format!("version = \"{new}\""), 1);
    Ok((workspace, facade, (old, new)))
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

    #[test]
    fn the_facade_follows_the_largest_bump_of_its_crates() {
        let workspace =
            "[workspace.dependencies]\nucloud-uodn = { path = \"crates/ucloud-uodn\", version = \"0.1.0\" }\n\
                         finovy-image = { path = \"crates/finovy-image\", version = \"0.1.0\" }\n";
        let facade =
            "[package]\nname = \"docbind\"\nversion = \"0.1.0\"\n\n[dependencies]\nucloud-uodn.workspace = true\n";
        let release =
            |releases: &[(&str, String, Bump)]| release_workspace(workspace, facade, releases).expect("released");
        // A compatible release of one crate and a breaking one of the other: the facade takes the breaking bump.
        let (ws, fa, versions) = release(&[
            ("ucloud-uodn", "0.1.1".into(), Bump::Addition),
            ("finovy-image", "0.2.0".into(), Bump::Breaking),
        ]);
        assert!(ws.contains("ucloud-uodn = { path = \"crates/ucloud-uodn\", version = \"0.1.1\" }"), "{ws}");
        assert!(ws.contains("finovy-image = { path = \"crates/finovy-image\", version = \"0.2.0\" }"), "{ws}");
        assert_eq!(versions, ("0.1.0".to_string(), "0.2.0".to_string()));
        assert!(fa.contains("version = \"0.2.0\"") && fa.contains("ucloud-uodn.workspace = true"), "{fa}");
        // Only compatible releases: a patch of the facade.
        let (_, fa, versions) = release(&[("ucloud-uodn", "0.1.1".into(), Bump::Addition)]);
        assert_eq!(versions.1, "0.1.1");
        assert!(fa.contains("version = \"0.1.1\""), "{fa}");
        // A crate the workspace does not list: an error, nothing returned to write.
        assert!(release_workspace(workspace, facade, &[("other", "1.0.0".into(), Bump::Breaking)]).is_err());
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
