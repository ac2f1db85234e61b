//! Incremental regeneration: an operation module whose inputs are unchanged since the crate was last generated is
//! taken from the crate as it is, instead of being built and formatted again (most of a run's time).
//!
//! The API snapshot (`docbind-api.json`) and the files listing the operations (`src/lib.rs`, the README), made from
//! the same IR, Rust names and overlay names, are reused the same way, under one hash of the modules' hashes;
//! `src/waiters.rs` under that hash and the overlay's path.
//!
//! Each operation module's inputs are hashed (`input_hash`) and recorded in the crate's `docbind.toml` beside the
//! file's own hash. Its inputs are everything the module is generated from: the operation as read from its doc with
//! the overlay's corrections (the IR holds the doc's file and line too), the names the overlay gives in it, the
//! Rust names chosen for it (which depend on its twins), the types it takes from the crate's shared module, the
//! crate's vendor and settings, and the generator's
//! version (a released generator never changes within a version; docbind's own `cargo xtask codegen`, run while
//! the generator is edited, regenerates from scratch). A module is reused
//! only when its recorded input hash matches and the file on disk is still the one the record lists; anything
//! else (no record, a damaged one, a file edited or gone) generates it again, so a run writes what a clean run
//! writes.

use crate::codegen::defs::OperationNames;
use crate::codegen::{CrateSpec, RuntimeDep, Vendor};
use crate::ir::Operation;
use crate::output::Seen;
use crate::overlay::OperationRustNames;
use crate::record::{content_hash, read_record, Record};
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};

/// The generator, as its outputs' input hashes name it.
pub(crate) const GENERATOR_ID: &str = env!("CARGO_PKG_VERSION");

/// What a crate's previous generation left that this one may reuse.
#[derive(Debug, Default)]
pub struct Previous {
    crate_dir: PathBuf,
    record: Option<Record>,
}

impl Previous {
    /// Nothing to reuse: every file is generated (a clean run; what `check` compares against).
    pub fn none() -> Self {
        Self::default()
    }

    /// The crate in `crate_dir` as its record describes it. No record, or one that cannot be read, leaves nothing
    /// to reuse (writing reports a damaged record, as it does without incremental runs).
    pub fn read(crate_dir: &Path) -> Self {
        Self { crate_dir: crate_dir.to_path_buf(), record: read_record(crate_dir).ok().flatten() }
    }

    /// The file at `path` (relative to the crate, `/`-separated) when it was generated from inputs hashing to
    /// `inputs` and is on disk as then generated.
    pub(crate) fn reusable(&self, path: &str, inputs: &str) -> Option<Reusable> {
        let record = self.record.as_ref()?;
        if record.inputs.get(path).map(String::as_str) != Some(inputs) {
            return None;
        }
        let hash = record.files.get(path)?;
        let file = self.crate_dir.join(path);
        // A symbolic link is never ours to read (writing refuses it); a plain file only. Its state before reading:
        // any change from then on shows when it is written (`Seen`).
        let meta = std::fs::symlink_metadata(&file).ok()?;
        if !meta.is_file() {
            return None;
        }
        let text = std::fs::read_to_string(&file).ok()?;
        let seen = Seen::new(file, &meta, &text);
        (*hash == content_hash(&text)).then(|| Reusable { text, hash: hash.clone(), seen })
    }
}

/// A file of the previous generation, on disk as its record lists it.
pub(crate) struct Reusable {
    pub text: String,
    /// Its recorded hash (the hash of `text`).
    pub hash: String,
    /// Where it was read, and in what state.
    pub seen: Seen,
}

/// `sha1:<hex>` of everything one operation module is generated from (see the module docs).
pub(crate) fn input_hash(
    generator: &str,
    spec: &CrateSpec,
    vendor: Vendor,
    op: &Operation,
    overlay: &OperationRustNames,
    names: &OperationNames,
    shared: &[String],
) -> String {
    let mut hash = Parts::default();
    let mut part = |bytes: &[u8]| hash.part(bytes);
    part(generator.as_bytes());
    part(spec.crate_name.as_bytes());
    part(spec.spec_label.as_bytes());
    part(spec.generator().as_bytes());
    part(runtime_label(&spec.runtime).as_bytes());
    part(&[u8::from(spec.standalone)]);
    part(vendor.label().as_bytes());
    hash.json(op);
    hash.json(overlay);
    let mut part = |bytes: &[u8]| hash.part(bytes);
    part(names.module.as_bytes());
    part(names.type_base.as_bytes());
    match &names.indexed_twin {
        Some(twin) => {
            part(twin.file.to_string_lossy().as_bytes());
            part(twin.module.as_bytes());
        }
        None => part(b""),
    }
    // The types it re-exports from the shared module instead of defining them (other operations decide them).
    part(shared.join(",").as_bytes());
    hash.finish()
}

/// `sha1:<hex>` of what the API snapshot, `lib.rs` and the README are generated from: the operations' own input
/// hashes, in module order, and every name the overlay gives (its waiters too).
pub(crate) fn listing_input_hash<'a>(
    generator: &str,
    modules: impl Iterator<Item = &'a str>,
    names: &crate::overlay::RustNames,
) -> String {
    let mut hash = Parts::default();
    hash.part(generator.as_bytes());
    for module in modules {
        hash.part(module.as_bytes());
    }
    hash.json(names);
    hash.finish()
}

/// `sha1:<hex>` of what `src/waiters.rs` is generated from: the listings' inputs (the overlay's waiters are among
/// its names, the polled operations' definitions in the modules' hashes) and the overlay's path its header names.
pub(crate) fn waiters_input_hash(listing: &str, overlay_path: &str) -> String {
    let mut hash = Parts::default();
    hash.part(listing.as_bytes());
    hash.part(overlay_path.as_bytes());
    hash.finish()
}

/// A SHA-1 over parts, each length-prefixed, so that no two different lists of parts hash the same bytes.
#[derive(Default)]
struct Parts(Sha1);

impl Parts {
    fn part(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// `value` as JSON, one part. Serialized into a buffer each thread keeps (the IR of every operation of a run
    /// passes through it); serializing plain data with string keys cannot fail.
    fn json(&mut self, value: &impl serde::Serialize) {
        thread_local! {
            static JSON: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        JSON.with_borrow_mut(|json| {
            json.clear();
            let _ = serde_json::to_writer(&mut *json, value);
            self.part(json);
        });
    }

    /// `sha1:<hex>`, as the record writes hashes.
    fn finish(self) -> String {
        format!("sha1:{:x}", self.0.finalize())
    }
}

fn runtime_label(runtime: &RuntimeDep) -> String {
    match runtime {
        RuntimeDep::Workspace => "workspace".into(),
        RuntimeDep::Version => format!("version {}", crate::codegen::RUNTIME_VERSION),
        RuntimeDep::Path(path) => format!("path {}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use crate::codegen::{generate_from, Generated, InvalidDocs};
    use crate::{ensure_files, CrateSpec, RuntimeDep};
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use super::{Previous, GENERATOR_ID};

    /// A UCloud doc for `action` with one response field, described as `about`.
    fn doc(action: &str, about: &str) -> String {
        format!(
            "# 文档 - {action}\n\n### 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **Region** | string | 地域 |No|\n\n### 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **RetCode** | int | 码 |**Yes**|\n| **Value** | string | {about} |No|\n"
        )
    }

    struct Case {
        _dir: tempfile::TempDir,
        root: PathBuf,
        spec: CrateSpec,
    }

    impl Case {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().to_path_buf();
            std::fs::create_dir_all(root.join("specs/demo")).unwrap();
            for (file, action) in [("get_a.md", "GetA"), ("get_b.md", "GetB"), ("get_c.md", "GetC")] {
                std::fs::write(root.join("specs/demo").join(file), doc(action, "值")).unwrap();
            }
            let spec = CrateSpec {
                crate_name: "demo".into(),
                spec_dir: PathBuf::from("specs/demo"),
                out_dir: root.join("demo"),
                spec_label: "specs/demo".into(),
                runtime: RuntimeDep::Version,
                standalone: true,
            };
            let case = Self { _dir: dir, root, spec };
            case.write("overlay.toml", "[GetB.fields.\"response.Value\"]\nrename = \"amount\"\n");
            case
        }

        fn write(&self, file: &str, text: &str) {
            std::fs::write(self.root.join("specs/demo").join(file), text).unwrap();
        }

        /// Generates incrementally over the crate on disk as `generator`, checks the result is byte for byte what
        /// a clean run generates, writes it, and returns it with the paths whose text changed.
        fn regenerate(&self, generator: &str) -> (Generated, BTreeSet<String>) {
            let loaded = crate::load(&self.root, std::slice::from_ref(&self.spec.spec_dir), None).unwrap();
            let previous = Previous::read(&self.spec.out_dir);
            let incremental =
                generate_from(&self.spec, crate::FIRST_VERSION, &loaded, InvalidDocs::Fail, &previous, generator)
                    .unwrap();
            let clean = generate_from(
                &self.spec,
                crate::FIRST_VERSION,
                &loaded,
                InvalidDocs::Fail,
                &Previous::none(),
                generator,
            )
            .unwrap();
            assert!(clean.reused.is_empty());
            assert_eq!(incremental.files, clean.files, "an incremental run writes what a clean run writes");
            let changed = ensure_files(&self.spec.out_dir, &incremental.files, false).unwrap();
            let out = format!("{}/", self.spec.out_dir.display());
            (incremental, changed.iter().map(|p| p.strip_prefix(&out).unwrap_or(p).to_string()).collect())
        }
    }

    fn paths(paths: &[&str]) -> BTreeSet<String> {
        paths.iter().map(|p| p.to_string()).collect()
    }

    fn reused(generated: &Generated) -> BTreeSet<String> {
        generated.reused.iter().map(|p| p.display().to_string()).collect()
    }

    const MODULES: [&str; 3] = ["src/get_a.rs", "src/get_b.rs", "src/get_c.rs"];

    #[test]
    fn each_kind_of_input_regenerates_exactly_the_modules_it_produced() {
        let case = Case::new();
        let (first, _) = case.regenerate(GENERATOR_ID);
        assert!(first.reused.is_empty(), "nothing to reuse in an empty folder");

        // Nothing changed: every module, the files listing them and the API snapshot are reused, and no file is
        // written.
        let (same, changed) = case.regenerate(GENERATOR_ID);
        let mut everything = paths(&MODULES);
        everything.extend(paths(&["README.md", "docbind-api.json", "src/blocking.rs", "src/lib.rs"]));
        assert_eq!(reused(&same), everything);
        assert!(changed.is_empty(), "{changed:?}");

        // One doc: its module alone is generated again (and the API snapshot, which holds its field docs).
        case.write("get_a.md", &doc("GetA", "新的值"));
        let (one_doc, changed) = case.regenerate(GENERATOR_ID);
        assert_eq!(reused(&one_doc), paths(&MODULES[1..]));
        assert_eq!(changed, paths(&["docbind-api.json", "docbind.toml", "src/get_a.rs"]));

        // One overlay entry: the module of the operation it applies to, and the API snapshot it is part of.
        case.write("overlay.toml", "[GetB.fields.\"response.Value\"]\nrename = \"total\"\n");
        let (overlay, changed) = case.regenerate(GENERATOR_ID);
        assert_eq!(reused(&overlay), paths(&["src/get_a.rs", "src/get_c.rs"]));
        assert_eq!(changed, paths(&["docbind-api.json", "docbind.toml", "src/get_b.rs"]));

        // A new doc: its module, and the crate files listing operations; the others are reused.
        case.write("get_d.md", &doc("GetD", "值"));
        let (added, changed) = case.regenerate(GENERATOR_ID);
        assert_eq!(reused(&added), paths(&MODULES));
        // (`src/blocking.rs` has a method per operation.)
        let listing = [
            "Cargo.toml",
            "README.md",
            "docbind-api.json",
            "docbind.toml",
            "src/blocking.rs",
            "src/get_d.rs",
            "src/lib.rs",
        ];
        assert_eq!(changed, paths(&listing));

        // Another generator version: nothing is reused (the text happens to be the same; the record's hashes
        // change).
        let (other_generator, changed) = case.regenerate("0.0.0-other");
        assert!(other_generator.reused.is_empty(), "{:?}", other_generator.reused);
        assert_eq!(changed, paths(&["docbind.toml"]));

        // A file edited since it was generated is generated again, never kept.
        let edited = case.spec.out_dir.join("src/get_c.rs");
        std::fs::write(&edited, std::fs::read_to_string(&edited).unwrap() + "// edited\n").unwrap();
        let (after_edit, changed) = case.regenerate("0.0.0-other");
        assert!(!reused(&after_edit).contains("src/get_c.rs"));
        assert_eq!(changed, paths(&["src/get_c.rs"]));
    }

    #[test]
    fn a_reused_file_changed_after_it_was_read_is_still_written() {
        let case = Case::new();
        case.regenerate(GENERATOR_ID);
        let out = &case.spec.out_dir;
        let loaded = crate::load(&case.root, std::slice::from_ref(&case.spec.spec_dir), None).unwrap();
        let previous = Previous::read(out);
        let mut generated =
            generate_from(&case.spec, crate::FIRST_VERSION, &loaded, InvalidDocs::Fail, &previous, GENERATOR_ID)
                .unwrap();
        assert!(reused(&generated).is_superset(&paths(&MODULES)), "{:?}", generated.reused);

        // The file system's clock ticks in milliseconds: the edit below lands in a later tick than the write that
        // made the file (the state the generator saw).
        std::thread::sleep(std::time::Duration::from_millis(20));
        // Between generating and writing: one module edited (keeping its size, so only its state on disk shows the
        // edit), one removed, and the text of a third replaced by its caller.
        let edited = out.join("src/get_a.rs");
        let text = std::fs::read_to_string(&edited).unwrap();
        std::fs::write(&edited, text.replacen("@generated", "@GENERATED", 1)).unwrap();
        std::fs::remove_file(out.join("src/get_b.rs")).unwrap();
        let replaced = generated.files.iter_mut().find(|f| f.path == Path::new("src/get_c.rs")).unwrap();
        replaced.text = replaced.text.clone() + "// added by the caller\n";

        let changed = ensure_files(out, &generated.files, false).unwrap();
        let changed: BTreeSet<String> =
            changed.iter().map(|p| p.strip_prefix(&format!("{}/", out.display())).unwrap_or(p).to_string()).collect();
        assert_eq!(changed, paths(&MODULES));
        assert_eq!(std::fs::read_to_string(&edited).unwrap(), text, "the edit is undone");
        assert!(out.join("src/get_b.rs").is_file(), "the removed module is back");
        assert!(std::fs::read_to_string(out.join("src/get_c.rs")).unwrap().ends_with("// added by the caller\n"));
    }

    #[test]
    fn waiters_are_reused_while_the_overlay_and_the_polled_operation_are_unchanged() {
        let case = Case::new();
        let waiter = |success: &str| {
            format!("[waiters.a_ready]\noperation = \"GetA\"\nid = \"Region\"\nstate = \"Value\"\nsuccess = [\"{success}\"]\n")
        };
        case.write("overlay.toml", &waiter("ready"));
        case.regenerate(GENERATOR_ID);
        let (same, changed) = case.regenerate(GENERATOR_ID);
        assert!(reused(&same).contains("src/waiters.rs"), "{:?}", same.reused);
        assert!(changed.is_empty(), "{changed:?}");

        // The waiter changed: its module and the listings (whose docs name waiters) are made again, the
        // operation modules reused.
        case.write("overlay.toml", &waiter("done"));
        let (other_state, changed) = case.regenerate(GENERATOR_ID);
        assert_eq!(reused(&other_state), paths(&MODULES));
        assert!(changed.contains("src/waiters.rs"), "{changed:?}");

        // The polled operation's doc changed: the waiter reads its response, so it is made again too.
        case.write("get_a.md", &doc("GetA", "新的值"));
        let (polled, _) = case.regenerate(GENERATOR_ID);
        assert!(!reused(&polled).contains("src/waiters.rs"), "{:?}", polled.reused);
    }

    #[test]
    fn changed_settings_regenerate_every_module() {
        let mut case = Case::new();
        case.regenerate(GENERATOR_ID);
        // The crate's name is written into every module (its examples `use` it).
        case.spec.crate_name = "renamed".into();
        let (renamed, changed) = case.regenerate(GENERATOR_ID);
        assert!(renamed.reused.is_empty(), "{:?}", renamed.reused);
        assert!(MODULES.iter().all(|m| changed.contains(*m)), "{changed:?}");
        // Settings that reach no module still count: a crate is regenerated whole when its settings change.
        case.spec.runtime = RuntimeDep::Path(PathBuf::from("../runtime"));
        let (path_dep, changed) = case.regenerate(GENERATOR_ID);
        assert!(path_dep.reused.is_empty(), "{:?}", path_dep.reused);
        assert!(changed.contains("Cargo.toml"), "{changed:?}");
        assert!(Path::new(&case.spec.out_dir).join("src/get_a.rs").exists());
    }
}
