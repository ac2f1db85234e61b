//! `docbind sync` over the real history of UCloud's docs (`../shared/vendor-docs/ucloud-api.bundle`, cloned into a
//! scratch folder): pages copied from upstream, the revision recorded, the semver bump and the changelog, and a
//! breaking change refused without `--accept-breaking`, leaving every file as it was.

mod common;

use common::{docbind, docbind_output, files, fresh_dir, repo_root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A clone of the UCloud docs bundle in `dir` (a missing bundle fails the test: CI has ../shared).
fn clone_bundle(dir: &Path) -> PathBuf {
    let bundle = repo_root().join("../shared/vendor-docs/ucloud-api.bundle");
    assert!(bundle.is_file(), "{} is missing", bundle.display());
    let checkout = dir.join("ucloud-api");
    let status = Command::new("git")
        .args(["-c", "init.defaultBranch=master", "clone", "--quiet"])
        .arg(&bundle)
        .arg(&checkout)
        .status()
        .expect("git runs");
    assert!(status.success(), "cloning {}", bundle.display());
    checkout
}

fn git(checkout: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new("git").arg("-C").arg(checkout).args(args).output().expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

fn full_id(checkout: &Path, rev: &str) -> String {
    String::from_utf8(git(checkout, &["rev-parse", rev])).expect("hex").trim().to_string()
}

/// UODN's pages at `rev`: file name → text.
fn uvodn_pages(checkout: &Path, rev: &str) -> std::collections::BTreeMap<String, String> {
    let names = String::from_utf8(git(checkout, &["ls-tree", "--name-only", rev, "uedn-api/"])).expect("names");
    names
        .lines()
        .filter(|path| path.contains("uvodn"))
        .map(|path| {
            let text = String::from_utf8(git(checkout, &["show", &format!("{rev}:{path}")])).expect("text");
            (path.trim_start_matches("uedn-api/").to_string(), text)
        })
        .collect()
}

/// The maintainer's correction of the UODN docs, valid at every revision used here.
const OVERLAY: &str = "# Ours: sync never touches it.\n[GetUvodnImage.fields.\"request.ImageType\"]\n\
                       enum = { name = \"ImageType\", values = { Standard = 1, Industry = 2, Custom = 3 } }\n";

/// `work/specs/uodn` as upstream had it at `rev` (with `upstream.toml` and an overlay), and the crate
/// `work/crates/uodn` generated from it.
fn crate_at(work: &Path, checkout: &Path, rev: &str) {
    crate_with_overlay_at(work, checkout, rev, OVERLAY);
}

/// [`crate_at`] with another overlay.
fn crate_with_overlay_at(work: &Path, checkout: &Path, rev: &str, overlay: &str) {
    let spec = work.join("specs/uodn");
    std::fs::create_dir_all(&spec).expect("writable");
    for (name, text) in uvodn_pages(checkout, rev) {
        std::fs::write(spec.join(name), text).expect("writable");
    }
    std::fs::write(spec.join("overlay.toml"), overlay).expect("writable");
    let upstream = format!(
        "# Where the docs come from.\nrepository = \"https://github.com/UCloudDoc-Team/api\"\npath = \"uedn-api\"\n\
         pages = [\"*uvodn*.md\"]\nrevision = \"{}\"\n",
        full_id(checkout, rev)
    );
    std::fs::write(spec.join("upstream.toml"), upstream).expect("writable");
    docbind(work, &["generate", "--spec-dir", "specs/uodn", "--out", "crates/uodn"]);
}

fn sync_args<'a>(checkout: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["sync", "--from", checkout, "--spec-dir", "specs/uodn", "--out", "crates/uodn"];
    args.extend_from_slice(extra);
    args
}

#[test]
fn sync_copies_the_new_pages_records_the_revision_and_releases_a_patch() {
    let work = fresh_dir("sync-compatible");
    let checkout = clone_bundle(&work);
    let from = checkout.to_str().expect("UTF-8 path");
    // 7c40eaf → a112b5e: CreateUvodnNode gains two optional request fields, GetUvodnNodePrice is published.
    crate_at(&work, &checkout, "7c40eaf");
    let check = docbind_output(&work, &sync_args(from, &["--check", "--rev", "a112b5e"]));
    assert_eq!(check.status.code(), Some(1), "upstream moved: {}", String::from_utf8_lossy(&check.stderr));
    let reported = String::from_utf8_lossy(&check.stdout);
    assert!(reported.contains("added uedn-api/get_uvodn_node_price.md"), "{reported}");
    assert!(reported.contains("0.1.0 → 0.1.1"), "{reported}");
    let unchanged = files(&work.join("specs"));

    let printed = docbind(&work, &sync_args(from, &["--rev", "a112b5e"]));
    assert!(files(&work.join("specs")) != unchanged, "the pages moved");
    assert!(printed.contains("compatible: CreateUvodnNode: request field FirewallId: added"), "{printed}");

    let spec = work.join("specs/uodn");
    for (name, text) in uvodn_pages(&checkout, "a112b5e") {
        assert_eq!(std::fs::read_to_string(spec.join(&name)).ok(), Some(text), "{name} is upstream's, verbatim");
    }
    assert_eq!(std::fs::read_to_string(spec.join("overlay.toml")).expect("kept"), OVERLAY);
    let upstream = std::fs::read_to_string(spec.join("upstream.toml")).expect("kept");
    assert!(upstream.contains(&format!("revision = \"{}\"", full_id(&checkout, "a112b5e"))), "{upstream}");
    assert!(upstream.starts_with("# Where the docs come from.\n"), "comments kept: {upstream}");

    let krate = work.join("crates/uodn");
    let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).expect("generated");
    assert!(manifest.contains("\nversion = \"0.1.1\"\n"), "{manifest}");
    assert!(krate.join("src/get_uvodn_node_price.rs").is_file());
    let changelog = std::fs::read_to_string(krate.join("CHANGELOG.md")).expect("written");
    let expected_lines = [
        "## [0.1.1] - 2020-04-27",
        &format!("upstream revision `{}`", full_id(&checkout, "a112b5e")),
        "### Added",
        "- `CreateUvodnNode` request field FirewallId: added as optional (string) (compatible, create_uvodn_node.md:24)",
        "- `CreateUvodnNode` request field ProductType: added as optional (string) (compatible, create_uvodn_node.md:23)",
        "- `GetUvodnNodePrice`: operation added (../../specs/uodn/get_uvodn_node_price.md) (compatible, \
         get_uvodn_node_price.md:1)",
    ];
    for line in expected_lines {
        assert!(changelog.contains(line), "missing {line:?} in:\n{changelog}");
    }
    assert!(!changelog.contains("### Removed") && !changelog.contains("breaking"), "{changelog}");
    // Generated from the new pages, as `check` sees it; and up to date with that revision now.
    docbind(&work, &["check", "--spec-dir", "specs/uodn", "--out", "crates/uodn"]);
    let check = docbind_output(&work, &sync_args(from, &["--check", "--rev", "a112b5e"]));
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stderr));

    // The next release is prepended.
    docbind(&work, &sync_args(from, &["--rev", "b283c4d"]));
    let changelog = std::fs::read_to_string(krate.join("CHANGELOG.md")).expect("written");
    let (newer, older) = (changelog.find("## [0.1.2]"), changelog.find("## [0.1.1]"));
    assert!(newer.is_some() && newer < older, "{changelog}");
    assert!(changelog.contains("`DescribeUvodnIDC` request field ProductType: added as optional"), "{changelog}");
}

#[test]
fn a_breaking_change_is_refused_leaving_every_file_as_it_was_and_released_as_minor_when_accepted() {
    let work = fresh_dir("sync-breaking");
    let checkout = clone_bundle(&work);
    let from = checkout.to_str().expect("UTF-8 path");
    // b283c4d → e27cf76: GetUvodnNodePrice's IpPrice goes from string to float.
    crate_at(&work, &checkout, "b283c4d");
    let before = (files(&work.join("specs")), files(&work.join("crates")));

    let refused = docbind_output(&work, &sync_args(from, &["--rev", "e27cf76"]));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "refused");
    assert!(stderr.contains("GetUvodnNodePrice: response field IpPrice: type changed"), "{stderr}");
    assert!(stderr.contains("--accept-breaking"), "{stderr}");
    assert_eq!((files(&work.join("specs")), files(&work.join("crates"))), before, "nothing changed");

    docbind(&work, &sync_args(from, &["--rev", "e27cf76", "--accept-breaking"]));
    let krate = work.join("crates/uodn");
    let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).expect("generated");
    assert!(manifest.contains("\nversion = \"0.2.0\"\n"), "0.x: breaking is minor: {manifest}");
    let changelog = std::fs::read_to_string(krate.join("CHANGELOG.md")).expect("written");
    assert!(changelog.contains("## [0.2.0] - 2020-04-27"), "{changelog}");
    assert!(
        changelog.contains(
            "### Changed\n\n- `GetUvodnNodePrice` response field IpPrice: type changed: string -> float \
                            (breaking, get_uvodn_node_price.md:"
        ),
        "{changelog}"
    );
}

#[test]
fn a_page_edited_by_hand_is_refused() {
    let work = fresh_dir("sync-edited");
    let checkout = clone_bundle(&work);
    crate_at(&work, &checkout, "a112b5e");
    let page = work.join("specs/uodn/get_uvodn_image.md");
    let edited = std::fs::read_to_string(&page).expect("page") + "\nlocal note\n";
    std::fs::write(&page, &edited).expect("writable");
    let output = docbind_output(&work, &sync_args(checkout.to_str().expect("UTF-8"), &["--rev", "b283c4d"]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("get_uvodn_image.md is not upstream's uedn-api/get_uvodn_image.md"), "{stderr}");
    assert!(stderr.contains("overlay.toml"), "{stderr}");
}

#[test]
fn an_overlay_entry_that_no_longer_applies_names_the_upstream_commit_and_page() {
    let work = fresh_dir("sync-overlay");
    let checkout = clone_bundle(&work);
    // An enum on IpPrice, a string until e27cf76 makes it a float (cc7477e then changes another page).
    let overlay = "[GetUvodnNodePrice.fields.\"response.IpPrice\"]\n\
                   enum = { name = \"IpPrice\", values = { Low = \"1\", High = \"2\" } }\n";
    crate_with_overlay_at(&work, &checkout, "b283c4d", overlay);
    let before = (files(&work.join("specs")), files(&work.join("crates")));
    let output = docbind_output(&work, &sync_args(checkout.to_str().expect("UTF-8"), &["--rev", "cc7477e"]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("specs/uodn/overlay.toml no longer applies"), "{stderr}");
    assert!(stderr.contains("specs/uodn/overlay.toml:2: error: an enum needs"), "{stderr}");
    let culprit = format!(
        "upstream commit {} (uxiao publish api: GetUvodnNodePrice) took its target away: it changed \
         uedn-api/get_uvodn_node_price.md",
        full_id(&checkout, "e27cf76")
    );
    assert!(stderr.contains(&culprit), "{stderr}");
    assert_eq!((files(&work.join("specs")), files(&work.join("crates"))), before, "nothing changed");
}
