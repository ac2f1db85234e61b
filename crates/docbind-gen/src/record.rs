//! The record every generated crate carries (`docbind.toml`): the settings it was generated with, so that
//! `docbind check` and a later `docbind generate` need only the docs and the crate folder, and every file it
//! generated, so that a later run overwrites and removes only those (`output.rs`).

use crate::codegen::{CrateSpec, GeneratedFile, RuntimeDep};
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The record's path in the crate folder.
pub const RECORD_FILE: &str = "docbind.toml";

/// What `docbind.toml` says: how the crate was generated, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The settings of the run that wrote it.
    pub settings: RecordedSettings,
    /// Every other file generated, by `/`-separated path relative to the crate, with the SHA-1 of its text
    /// (`sha1:<hex>`): what shows a file edited since it was generated.
    pub files: BTreeMap<String, String>,
    /// Each operation module, by path, with the hash of what it was generated from (`incremental.rs`): a later
    /// run reuses the module while the hash and the file are unchanged.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
}

/// The [`CrateSpec`] of a run, without what depends on where it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedSettings {
    /// The crate's name.
    pub crate_name: String,
    /// The crate's version (absent in records written before each crate had its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The docs, named as the generated headers name them ([`CrateSpec::spec_label`]).
    pub spec_dir: String,
    /// `registry` (by version), `workspace` (a member of docbind's own workspace) or `path`.
    pub runtime: RecordedRuntime,
    /// With `runtime = "path"`: the runtime's folder as the manifest names it (relative to the crate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_path: Option<String>,
    /// Whether the manifest declares a `[workspace]` of its own.
    pub standalone: bool,
}

/// How the crate depends on docbind-runtime, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordedRuntime {
    /// [`RuntimeDep::Version`].
    Registry,
    /// [`RuntimeDep::Workspace`].
    Workspace,
    /// [`RuntimeDep::Path`].
    Path,
}

impl RecordedSettings {
    /// The runtime dependency these settings record (a path relative to the crate, as the manifest has it).
    pub fn runtime_dep(&self) -> Result<RuntimeDep, String> {
        match (self.runtime, &self.runtime_path) {
            (RecordedRuntime::Registry, None) => Ok(RuntimeDep::Version),
            (RecordedRuntime::Workspace, None) => Ok(RuntimeDep::Workspace),
            (RecordedRuntime::Path, Some(path)) => Ok(RuntimeDep::Path(PathBuf::from(path))),
            (RecordedRuntime::Path, None) => Err("`runtime = \"path\"` needs a `runtime_path`".into()),
            (_, Some(_)) => Err("`runtime_path` is only read with `runtime = \"path\"`".into()),
        }
    }
}

/// A `docbind.toml` that cannot be read back: the crate's record is damaged, so what docbind generated there is
/// unknown.
#[derive(Debug, thiserror::Error)]
#[error("{}: not a record docbind can read: {message}", path.display())]
pub struct RecordError {
    /// The record.
    pub path: PathBuf,
    /// What is wrong, with the line when TOML says so.
    pub message: String,
}

/// Reads the record of the crate in `crate_dir`; `Ok(None)` when there is none (a crate generated before records
/// existed, or no crate yet). A record that is a symbolic link is not read.
pub fn read_record(crate_dir: &Path) -> Result<Option<Record>, RecordError> {
    let path = crate_dir.join(RECORD_FILE);
    let failed = |message: String| RecordError { path: path.clone(), message };
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(failed(e.to_string())),
        Ok(meta) if !meta.is_file() => return Err(failed("not a file (a link or a folder)".into())),
        Ok(_) => {}
    }
    let text = std::fs::read_to_string(&path).map_err(|e| failed(e.to_string()))?;
    let record = match parse_as_written(&text) {
        Some(record) => record,
        None => toml::from_str(&text).map_err(|e| failed(e.to_string().trim_end().to_string()))?,
    };
    record.settings.runtime_dep().map_err(failed)?;
    if let Some(bad) = record.files.keys().find(|p| !is_plain_relative(p)) {
        return Err(failed(format!("`{bad}` is not a path inside the crate")));
    }
    Ok(Some(record))
}

/// `docbind.toml` for the crate `spec` generated as `files` (which it does not list itself), at `version`, the
/// operation modules, the files listing them and the API snapshot from the inputs hashing to `inputs` (by path). `known`: hashes of files already computed
/// (reused ones).
pub(crate) fn record_file(
    spec: &CrateSpec,
    version: &str,
    files: &[GeneratedFile],
    inputs: &BTreeMap<PathBuf, String>,
    known: &BTreeMap<PathBuf, String>,
) -> GeneratedFile {
    // The settings hold the docs' folder name: kept out of the comment, where a line break in it would end the
    // comment; the value escapes it.
    let header = format!(
        "# @generated by {}; do not edit.\n# docbind's record of this crate: the settings it was generated with, and \
         every file it generated\n# (SHA-1 of the text). docbind overwrites or removes only the files listed here.\n# \
         [inputs]: the hash of what each file listed there was generated from; unchanged, it is not generated again.\n\n",
        spec.generator()
    );
    let record = record_from(spec, version, files, inputs, known);
    GeneratedFile::new(RECORD_FILE, header + &record_body(&record))
}

/// What the record of the crate `spec` generated as `files` says.
fn record_from(
    spec: &CrateSpec,
    version: &str,
    files: &[GeneratedFile],
    inputs: &BTreeMap<PathBuf, String>,
    known: &BTreeMap<PathBuf, String>,
) -> Record {
    let (runtime, runtime_path) = match &spec.runtime {
        RuntimeDep::Version => (RecordedRuntime::Registry, None),
        RuntimeDep::Workspace => (RecordedRuntime::Workspace, None),
        RuntimeDep::Path(path) => (RecordedRuntime::Path, Some(slash_separated(path))),
    };
    Record {
        settings: RecordedSettings {
            crate_name: spec.crate_name.clone(),
            version: Some(version.to_string()),
            spec_dir: spec.spec_label.clone(),
            runtime,
            runtime_path,
            standalone: spec.standalone && !matches!(spec.runtime, RuntimeDep::Workspace),
        },
        files: files
            .iter()
            .map(|f| (slash_separated(&f.path), known.get(&f.path).cloned().unwrap_or_else(|| content_hash(&f.text))))
            .collect(),
        inputs: inputs.iter().map(|(path, hash)| (slash_separated(path), hash.clone())).collect(),
    }
}

/// The record as TOML, written key by key: every string is a one-line basic string (`toml_string`), so a folder
/// name holding line breaks, control or bidi characters reads back as itself and shows as escapes (the `toml`
/// crate would write it as a multi-line string holding them raw).
fn record_body(record: &Record) -> String {
    use crate::codegen::text::{push_toml_string, toml_string};
    let settings = &record.settings;
    let runtime = match settings.runtime {
        RecordedRuntime::Registry => "registry",
        RecordedRuntime::Workspace => "workspace",
        RecordedRuntime::Path => "path",
    };
    let mut body = format!(
        "[settings]\ncrate_name = {}\n{}spec_dir = {}\nruntime = {}\n",
        toml_string(&settings.crate_name),
        settings.version.as_ref().map(|v| format!("version = {}\n", toml_string(v))).unwrap_or_default(),
        toml_string(&settings.spec_dir),
        toml_string(runtime)
    );
    if let Some(path) = &settings.runtime_path {
        body.push_str(&format!("runtime_path = {}\n", toml_string(path)));
    }
    body.push_str(&format!("standalone = {}\n\n[files]\n", settings.standalone));
    let entry = |body: &mut String, path: &str, hash: &str| {
        push_toml_string(body, path);
        body.push_str(" = ");
        push_toml_string(body, hash);
        body.push('\n');
    };
    for (path, hash) in &record.files {
        entry(&mut body, path, hash);
    }
    if !record.inputs.is_empty() {
        body.push_str("\n[inputs]\n");
        for (path, hash) in &record.inputs {
            entry(&mut body, path, hash);
        }
    }
    body
}

/// The record as [`record_body`] writes it, read line by line (every run reads each crate's record, and the
/// `toml` crate took a visible share of a run with nothing to regenerate). `None` for anything else: any other
/// layout, a string with an escape or a character it would escape, a key repeated or unknown, a setting missing.
/// The `toml` crate reads those, and reports what is wrong.
fn parse_as_written(text: &str) -> Option<Record> {
    // A basic string without escapes: quotes around text holding nothing `toml_string` would escape.
    let string = |quoted: &str| {
        let text = quoted.strip_prefix('"')?.strip_suffix('"')?;
        let plain = |c: char| {
            !matches!(c, '"' | '\\' | '\u{2028}' | '\u{2029}') && !c.is_control() && !crate::codegen::text::is_bidi(c)
        };
        text.chars().all(plain).then(|| text.to_string())
    };
    // A key given twice is TOML's error to report.
    fn first<T>(slot: &mut Option<T>, value: T) -> Option<()> {
        slot.replace(value).is_none().then_some(())
    }
    let mut section = "";
    let mut seen_sections = Vec::new();
    let (mut crate_name, mut version, mut spec_dir, mut runtime, mut runtime_path, mut standalone) =
        (None, None, None, None, None, None);
    let (mut files, mut inputs) = (BTreeMap::new(), BTreeMap::new());
    for line in text.split('\n') {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if !["settings", "files", "inputs"].contains(&name) || seen_sections.contains(&name) {
                return None;
            }
            seen_sections.push(name);
            section = name;
            continue;
        }
        let (key, value) = line.split_once(" = ")?;
        match section {
            "settings" => match key {
                "crate_name" => first(&mut crate_name, string(value)?)?,
                "version" => first(&mut version, string(value)?)?,
                "spec_dir" => first(&mut spec_dir, string(value)?)?,
                "runtime" => {
                    let recorded = match string(value)?.as_str() {
                        "registry" => RecordedRuntime::Registry,
                        "workspace" => RecordedRuntime::Workspace,
                        "path" => RecordedRuntime::Path,
                        _ => return None,
                    };
                    first(&mut runtime, recorded)?
                }
                "runtime_path" => first(&mut runtime_path, string(value)?)?,
                "standalone" => first(&mut standalone, value.parse::<bool>().ok()?)?,
                _ => return None,
            },
            "files" | "inputs" => {
                let map = if section == "files" { &mut files } else { &mut inputs };
                if map.insert(string(key)?, string(value)?).is_some() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    if !seen_sections.contains(&"files") {
        return None;
    }
    let settings = RecordedSettings {
        crate_name: crate_name?,
        version,
        spec_dir: spec_dir?,
        runtime: runtime?,
        runtime_path,
        standalone: standalone?,
    };
    Some(Record { settings, files, inputs })
}

/// `sha1:<hex>` of a file's text.
pub(crate) fn content_hash(text: &str) -> String {
    format!("sha1:{:x}", Sha1::digest(text.as_bytes()))
}

/// The same text on every OS.
fn slash_separated(path: &Path) -> String {
    let mut text = String::with_capacity(path.as_os_str().len());
    for (i, component) in path.components().enumerate() {
        if i > 0 {
            text.push('/');
        }
        text.push_str(&component.as_os_str().to_string_lossy());
    }
    text
}

/// A path of plain names only (no root, `..` or `.`): a record names nothing outside its crate.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty() && Path::new(path).components().all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record_strategy(text: &'static str) -> impl Strategy<Value = Record> {
        let runtime = prop_oneof![
            Just((RecordedRuntime::Registry, None)),
            Just((RecordedRuntime::Workspace, None)),
            text.prop_map(|path| (RecordedRuntime::Path, Some(path))),
        ];
        let map = || proptest::collection::btree_map(text, text, 0..4);
        (text, proptest::option::of(text), text, runtime, any::<bool>(), map(), map()).prop_map(
            |(crate_name, version, spec_dir, (runtime, runtime_path), standalone, files, inputs)| Record {
                settings: RecordedSettings { crate_name, version, spec_dir, runtime, runtime_path, standalone },
                files,
                inputs,
            },
        )
    }

    /// Text with everything a record's strings escape, or that TOML reads specially.
    const ANY: &str = "[a-z/._ =\"\\\\#\\[\\]\n\r\t\u{1b}\u{85}\u{2028}\u{202E}é名]{0,8}";

    proptest! {
        /// Whatever the record holds, reading it line by line gets what the `toml` crate gets, or leaves it to it.
        #[test]
        fn a_record_reads_as_toml_reads_it(record in record_strategy(ANY)) {
            let text = record_body(&record);
            let by_toml: Record = toml::from_str(&text).unwrap();
            prop_assert_eq!(&by_toml, &record);
            if let Some(by_lines) = parse_as_written(&text) {
                prop_assert_eq!(by_lines, by_toml);
            }
        }

        /// Records of plain names and hashes, as every generated crate's are, are read line by line.
        #[test]
        fn a_plain_record_is_read_line_by_line(record in record_strategy("[a-z0-9/._:-]{0,12}")) {
            prop_assert_eq!(parse_as_written(&record_body(&record)), Some(record));
        }

        /// A record edited by hand (a character inserted or removed anywhere): read line by line only when the
        /// `toml` crate reads it the same.
        #[test]
        fn an_edited_record_is_read_as_toml_reads_it(
            record in record_strategy("[a-z/.]{0,6}"),
            at in any::<prop::sample::Index>(),
            insert in proptest::option::of(prop_oneof![Just('"'), Just(' '), Just('\n'), Just('='), Just('['), Just('#'), Just('a'), Just('\\')]),
        ) {
            let mut text: Vec<char> = record_body(&record).chars().collect();
            let at = at.index(text.len());
            match insert {
                Some(c) => text.insert(at, c),
                None => { text.remove(at); }
            }
            let text: String = text.into_iter().collect();
            if let Some(by_lines) = parse_as_written(&text) {
                prop_assert_eq!(Some(by_lines), toml::from_str::<Record>(&text).ok(), "{}", text);
            }
        }
    }

    #[test]
    fn a_record_reads_back_as_written_and_names_nothing_outside_its_crate() {
        let dir = std::env::temp_dir().join(format!("docbind-record-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let spec = CrateSpec {
            crate_name: "x".into(),
            // A folder name is data: a line break in it stays inside the TOML string.
            spec_dir: PathBuf::from("../docs\n[evil]"),
            spec_label: "../docs\n[evil]".into(),
            out_dir: dir.clone(),
            runtime: RuntimeDep::Path(PathBuf::from("../runtime")),
            standalone: true,
        };
        let files = [GeneratedFile::new("src/lib.rs", "// @generated\n")];
        let inputs = BTreeMap::from([(PathBuf::from("src/lib.rs"), "sha1:00".to_string())]);
        let record = record_file(&spec, "0.3.1", &files, &inputs, &BTreeMap::new());
        assert!(record.text.starts_with("# @generated by `docbind generate`; do not edit.\n"), "{}", record.text);
        std::fs::write(dir.join(RECORD_FILE), &record.text).unwrap();
        let read = read_record(&dir).unwrap().expect("a record");
        assert_eq!(read.settings.spec_dir, "../docs\n[evil]");
        assert!(matches!(read.settings.runtime_dep(), Ok(RuntimeDep::Path(p)) if p == Path::new("../runtime")));
        assert!(read.settings.standalone);
        assert_eq!(read.settings.version.as_deref(), Some("0.3.1"));
        assert_eq!(read.files["src/lib.rs"], content_hash("// @generated\n"));
        assert_eq!(read.inputs["src/lib.rs"], "sha1:00");
        assert_eq!(
            read,
            record_from(&spec, "0.3.1", &files, &inputs, &BTreeMap::new()),
            "reads back as the record it was written from"
        );
        assert!(record.text.lines().all(|l| !l.starts_with("[evil]")), "{}", record.text);

        let outside = record.text.replace("\"src/lib.rs\"", "\"../lib.rs\"");
        std::fs::write(dir.join(RECORD_FILE), outside).unwrap();
        let err = read_record(&dir).unwrap_err();
        assert!(err.message.contains("`../lib.rs` is not a path inside the crate"), "{err}");
    }
}
