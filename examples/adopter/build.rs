//! Takes the repository README's testing example ("Testing code that uses the clients") out of the README, so that
//! `tests/readme.rs` compiles and runs it in this project, which depends on the facade alone: the example a reader
//! copies must work without a direct dependency on a generated crate.

use std::path::Path;

const README: &str = "../../README.md";
const SECTION: &str = "## Testing code that uses the clients";

fn main() {
    println!("cargo::rerun-if-changed={README}");
    let readme = std::fs::read_to_string(README).unwrap_or_else(|e| panic!("cannot read {README}: {e}"));
    let code = testing_example(&readme).unwrap_or_else(|| panic!("{README}: no ```rust block under {SECTION:?}"));
    let out = std::env::var_os("OUT_DIR").unwrap_or_else(|| panic!("cargo sets OUT_DIR"));
    let path = Path::new(&out).join("readme_testing.rs");
    std::fs::write(&path, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// The first `rust` code block of the section, with rustdoc's hidden lines (`# …`) shown, as rustdoc compiles it.
fn testing_example(readme: &str) -> Option<String> {
    let section = &readme[readme.find(SECTION)?..];
    let mut lines = section.lines().skip_while(|line| !line.starts_with("```rust")).skip(1);
    let mut code = String::new();
    for line in lines.by_ref() {
        if line.starts_with("```") {
            return Some(code);
        }
        let shown = match line.strip_prefix('#') {
            Some("") => "",
            Some(rest) if rest.starts_with(' ') => &rest[1..],
            _ => line,
        };
        code.push_str(shown);
        code.push('\n');
    }
    None
}
