//! What a docs update releases: the semver bump its API changes call for, and the crate's `CHANGELOG.md` entry
//! (grouped like Keep a Changelog, one line per change with the page and line it comes from).

use docbind_gen::{Change, Impact};
use std::fmt;

/// A crate version `MAJOR.MINOR.PATCH` (generated crates carry no pre-release or build parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Breaking releases from 1.0 on.
    pub major: u64,
    /// Breaking releases below 1.0, additions from 1.0 on.
    pub minor: u64,
    /// Everything else.
    pub patch: u64,
}

impl Version {
    /// Parses `1.2.3`.
    pub fn parse(text: &str) -> Result<Version, String> {
        let parts: Vec<&str> = text.trim().split('.').collect();
        let number = |part: &str| part.parse::<u64>().ok().filter(|_| !part.starts_with('+'));
        match parts.as_slice() {
            [major, minor, patch] => match (number(major), number(minor), number(patch)) {
                (Some(major), Some(minor), Some(patch)) => Ok(Version { major, minor, patch }),
                _ => Err(format!("`{text}` is not a version MAJOR.MINOR.PATCH")),
            },
            _ => Err(format!("`{text}` is not a version MAJOR.MINOR.PATCH")),
        }
    }

    /// The next version after a release of kind `bump`.
    pub fn bumped(self, bump: Bump) -> Version {
        let Version { major, minor, patch } = self;
        match (bump, major) {
            (Bump::None, _) => self,
            // Below 1.0 the minor number is the breaking one (cargo's caret rules).
            (Bump::Breaking, 0) => Version { major, minor: minor + 1, patch: 0 },
            (Bump::Breaking, _) => Version { major: major + 1, minor: 0, patch: 0 },
            (Bump::Addition, 0) | (Bump::Patch, _) => Version { major, minor, patch: patch + 1 },
            (Bump::Addition, _) => Version { major, minor: minor + 1, patch: 0 },
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The kind of release a change calls for, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing changed.
    None,
    /// The docs changed, the API did not (doc comments).
    Patch,
    /// The API grew (compatible).
    Addition,
    /// Code written against the old crate may not compile.
    Breaking,
}

impl Bump {
    /// The release `changes` call for, when `pages_changed` (a docs update that changes no API is a patch).
    pub fn of(changes: &[Change], pages_changed: bool) -> Bump {
        let api = changes.iter().map(|c| match c.impact {
            Impact::Breaking => Bump::Breaking,
            Impact::Compatible => Bump::Addition,
        });
        let floor = if pages_changed { Bump::Patch } else { Bump::None };
        api.fold(floor, Bump::max)
    }
}

/// One change as the changelog lists it: the change, and the page and line it comes from (relative to the spec
/// folder).
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The change.
    pub change: &'a Change,
    /// `page.md:line`, when the change has a row.
    pub at: Option<String>,
}

/// The Keep a Changelog group of a change.
fn group(change: &Change) -> &'static str {
    let detail = change.detail.as_str();
    if detail.starts_with("removed") || detail.starts_with("operation removed") {
        "Removed"
    } else if detail.starts_with("added") || detail.starts_with("operation added") {
        "Added"
    } else {
        "Changed"
    }
}

/// The changelog entry of a release: `## [version] - date`, the upstream revision, then the changes grouped
/// (Added, Changed, Removed), each line naming the operation, what changed, whether it breaks, and where.
pub fn changelog_entry(version: Version, date: &str, revision: &str, entries: &[Entry<'_>]) -> String {
    let mut text = format!("## [{version}] - {date}\n\nFrom the vendor's docs at upstream revision `{revision}`.\n");
    if entries.is_empty() {
        text.push_str("\nDocumentation only: no API change.\n");
    }
    for heading in ["Added", "Changed", "Removed"] {
        let lines: Vec<String> = entries
            .iter()
            .filter(|e| group(e.change) == heading)
            .map(|e| {
                let c = e.change;
                let impact = if c.impact == Impact::Breaking { "breaking" } else { "compatible" };
                let what = if c.subject.is_empty() { String::new() } else { format!(" {}", c.subject) };
                let at = e.at.as_ref().map(|at| format!(", {at}")).unwrap_or_default();
                // Vendor text (names, paths) sits in code spans; a backtick in it cannot end one early.
                format!("- `{}`{}: {} ({impact}{at})", c.operation.replace('`', "'"), what, c.detail)
            })
            .collect();
        if !lines.is_empty() {
            text.push_str(&format!("\n### {heading}\n\n{}\n", lines.join("\n")));
        }
    }
    text
}

/// `existing` (a crate's `CHANGELOG.md`, or empty) with `entry` as its newest release.
pub fn prepend_entry(existing: &str, entry: &str) -> String {
    const TITLE: &str = "# Changelog\n";
    let intro =
        "# Changelog\n\nEvery release of this crate, newest first, written by `docbind sync` from the changes of \
                 the vendor's docs (format: Keep a Changelog; versions: semver).\n";
    match existing.find("\n## ") {
        Some(first) if existing.starts_with(TITLE) => {
            format!("{}\n{entry}{}", &existing[..first + 1], &existing[first..])
        }
        _ if existing.starts_with(TITLE) => format!("{}\n\n{entry}", existing.trim_end()),
        _ if existing.trim().is_empty() => format!("{intro}\n{entry}"),
        _ => format!("{intro}\n{entry}\n{existing}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(impact: Impact, detail: &str) -> Change {
        let (operation, subject) = ("GetUvodnImage".into(), "request field Zone".into());
        Change { impact, operation, subject, detail: detail.into(), at: None }
    }

    #[test]
    fn semver_bumps_follow_cargo() {
        let v = |s: &str| Version::parse(s).expect("a version");
        assert_eq!(v("0.1.0").bumped(Bump::Breaking), v("0.2.0"));
        assert_eq!(v("0.1.3").bumped(Bump::Addition), v("0.1.4"));
        assert_eq!(v("0.1.3").bumped(Bump::Patch), v("0.1.4"));
        assert_eq!(v("1.4.2").bumped(Bump::Breaking), v("2.0.0"));
        assert_eq!(v("1.4.2").bumped(Bump::Addition), v("1.5.0"));
        assert_eq!(v("1.4.2").bumped(Bump::Patch), v("1.4.3"));
        assert_eq!(v("1.4.2").bumped(Bump::None), v("1.4.2"));
        assert!(Version::parse("1.2").is_err() && Version::parse("1.2.x").is_err());
    }

    #[test]
    fn the_bump_is_the_largest_change() {
        let (breaking, compatible) = (change(Impact::Breaking, "removed"), change(Impact::Compatible, "added"));
        assert_eq!(Bump::of(&[compatible.clone(), breaking], true), Bump::Breaking);
        assert_eq!(Bump::of(&[compatible], true), Bump::Addition);
        assert_eq!(Bump::of(&[], true), Bump::Patch);
        assert_eq!(Bump::of(&[], false), Bump::None);
    }

    #[test]
    fn entries_are_grouped_and_prepended() {
        let removed = change(Impact::Breaking, "removed");
        let added = change(Impact::Compatible, "added (optional)");
        let entries = [Entry { change: &added, at: Some("a.md:12".into()) }, Entry { change: &removed, at: None }];
        let entry = changelog_entry(Version::parse("0.2.0").unwrap(), "2024-02-26", "abc", &entries);
        let added_at = entry.find("### Added").expect("Added");
        let removed_at = entry.find("### Removed").expect("Removed");
        assert!(added_at < removed_at, "{entry}");
        assert!(entry.starts_with("## [0.2.0] - 2024-02-26\n"), "{entry}");
        assert!(entry.contains("request field Zone: added (optional) (compatible, a.md:12)"), "{entry}");
        assert!(entry.contains("request field Zone: removed (breaking)"), "{entry}");
        let first = prepend_entry("", &entry);
        let second = prepend_entry(&first, &entry.replace("0.2.0", "0.3.0"));
        assert!(second.starts_with("# Changelog\n"), "{second}");
        let (newer, older) = (second.find("## [0.3.0]").unwrap(), second.find("## [0.2.0]").unwrap());
        assert!(newer < older, "{second}");
    }
}
