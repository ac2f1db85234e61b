//! Naming docs in what the command prints as the user named them. The generated files name the docs relative to
//! the crate (`../../docs/x.md`), so that they are the same on every machine; warnings, skipped docs and errors
//! name them from where the command ran, starting with the `--spec-dir` as given (`docs/x.md:37`), so that a
//! terminal or CI can open them.

use docbind_gen::{CodegenError, CodegenErrorKind, Diagnostic, GenerateError, LoadError, NotApiPage, Rejection};
use std::path::{Component, Path, PathBuf};

/// How the docs were loaded (relative to the crate), and how to show them.
#[derive(Debug, Clone)]
pub struct DocNames {
    /// The folder the docs were loaded from, relative to `root`.
    loaded_as: PathBuf,
    /// The folder `loaded_as` is relative to.
    root: PathBuf,
    /// The same folder, as the user named it.
    shown_as: PathBuf,
}

impl DocNames {
    /// Docs loaded as `loaded_as` from `root`, shown under `shown_as`.
    pub fn new(root: &Path, loaded_as: &Path, shown_as: &Path) -> Self {
        DocNames { loaded_as: loaded_as.to_path_buf(), root: root.to_path_buf(), shown_as: shown_as.to_path_buf() }
    }

    /// `path` (a doc or overlay as loaded, or the docs' folder) as the user named it; anything else unchanged.
    pub fn path(&self, path: &Path) -> PathBuf {
        let relative = if path.is_absolute() { path.strip_prefix(&self.root).unwrap_or(path) } else { path };
        // Docs loaded from the crate's own folder are named without a prefix (`x.md`, `./overlay.toml`).
        let loaded_here = self.loaded_as.components().all(|c| c == Component::CurDir);
        let rest = match relative.strip_prefix(&self.loaded_as) {
            Ok(rest) => rest,
            Err(_) if loaded_here && relative.is_relative() => relative,
            Err(_) => return path.to_path_buf(),
        };
        if rest.as_os_str().is_empty() {
            self.shown_as.clone()
        } else {
            self.shown_as.join(rest)
        }
    }

    /// A warning or error about a doc.
    pub fn diagnostic(&self, diagnostic: &mut Diagnostic) {
        diagnostic.file = self.path(&diagnostic.file);
    }

    /// A doc left out.
    pub fn rejection(&self, rejection: &mut Rejection) {
        match rejection {
            Rejection::NotApi(page) => self.not_api_page(page),
            Rejection::Unsupported { file, .. } => *file = self.path(file),
            Rejection::Invalid { errors } => errors.iter_mut().for_each(|d| self.diagnostic(d)),
            Rejection::NotGenerated(error) => self.codegen_error(error),
        }
    }

    /// A page skipped because it is not an API doc.
    pub fn not_api_page(&self, page: &mut NotApiPage) {
        page.file = self.path(&page.file);
    }

    /// An operation code generation refused, and the other docs its message names.
    pub fn codegen_error(&self, error: &mut CodegenError) {
        error.file = self.path(&error.file);
        match &mut *error.kind {
            CodegenErrorKind::OperationRenameClash { other_file, .. } => {
                *other_file = self.path(Path::new(other_file.as_str())).display().to_string();
            }
            CodegenErrorKind::EnumValuesConflict { first_at, .. } => {
                if let Some((file, line)) = first_at.rsplit_once(':') {
                    *first_at = format!("{}:{line}", self.path(Path::new(file)).display());
                }
            }
            _ => {}
        }
    }

    /// Why the crate was not generated.
    pub fn generate_error(&self, mut error: GenerateError) -> GenerateError {
        match &mut error {
            GenerateError::Rejected { spec_dir, rejected } => {
                *spec_dir = self.path(spec_dir);
                rejected.iter_mut().for_each(|r| self.rejection(r));
            }
            GenerateError::Overlay { spec_dir, errors } => {
                *spec_dir = self.path(spec_dir);
                errors.iter_mut().for_each(|d| self.diagnostic(d));
            }
            GenerateError::NoDocs { spec_dir } | GenerateError::NothingGenerated { spec_dir } => {
                *spec_dir = self.path(spec_dir);
            }
            GenerateError::MixedVendors { spec_dir, file, .. } => {
                *spec_dir = self.path(spec_dir);
                *file = self.path(file);
            }
            GenerateError::Operation(e) => self.codegen_error(e),
            _ => {}
        }
        error
    }

    /// Why the docs could not be read.
    pub fn load_error(&self, mut error: LoadError) -> LoadError {
        match &mut error {
            LoadError::Missing(path) | LoadError::Read { path, .. } => *path = self.path(path),
        }
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_are_shown_under_the_folder_as_given() {
        let names = DocNames::new(Path::new("/w/crates/x"), Path::new("../../docs"), Path::new("docs"));
        assert_eq!(names.path(Path::new("../../docs/a/b.md")), Path::new("docs/a/b.md"));
        assert_eq!(names.path(Path::new("../../docs")), Path::new("docs"));
        assert_eq!(names.path(Path::new("/w/crates/x/../../docs/b.md")), Path::new("docs/b.md"));
        assert_eq!(names.path(Path::new("elsewhere.md")), Path::new("elsewhere.md"));
        let here = DocNames::new(Path::new("/w/x"), Path::new("."), Path::new("x"));
        assert_eq!(here.path(Path::new("a.md")), Path::new("x/a.md"));
        assert_eq!(here.path(Path::new("./overlay.toml")), Path::new("x/overlay.toml"));
    }

    #[test]
    fn other_docs_a_codegen_error_names_are_shown_the_same_way() {
        let names = DocNames::new(Path::new("/w/crates/x"), Path::new("../../docs"), Path::new("docs"));
        let kind = CodegenErrorKind::OperationRenameClash {
            operation: "A".into(),
            rename: "B".into(),
            other: "B".into(),
            other_file: "../../docs/b.md".into(),
            module: "b".into(),
        };
        let mut error = CodegenError {
            operation: "A".into(),
            file: "../../docs/overlay.toml".into(),
            line: 3,
            kind: Box::new(kind),
        };
        names.codegen_error(&mut error);
        let shown = error.to_string();
        assert!(shown.contains("docs/overlay.toml:3") && shown.contains("(docs/b.md)"), "{shown}");
        assert!(!shown.contains("../../docs"), "{shown}");
    }
}
