//! IR → checked-in crates. Everything is generated in memory first; files are written (or checked) only when
//! every doc of the crate made it, so a failing run leaves the crate untouched.
//!
//! `defs.rs` turns an operation's IR into Rust definitions (names and types of structs and fields), the same for
//! every vendor; `operation.rs` turns those into one module's tokens, asking `protocol/` for what differs per
//! vendor; `readme.rs` writes the crate's README (its crate-level docs); this file assembles the crate (`lib.rs`,
//! `Cargo.toml`, and the record `docbind.toml` from `record.rs`) and formats the files; `output.rs` writes them.

mod blocking;
pub(crate) mod defs;
mod error;
mod example;
pub(crate) mod names;
mod operation;
pub(crate) mod protocol;
mod readme;
pub(crate) mod rustdoc;
mod serde;
mod shapes;
mod shared;
pub(crate) mod text;
mod tokens;
mod waiter;

use crate::diag::{Diagnostic, Rejection};
pub use crate::incremental::Previous;
use crate::incremental::{input_hash, listing_input_hash, waiters_input_hash, GENERATOR_ID};
use crate::ir::Operation;
use crate::load::Loaded;
pub use error::{CodegenError, CodegenErrorKind, GenerateError};
use proc_macro2::TokenStream;
pub use protocol::Vendor;
use quote::{format_ident, quote};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One crate to generate.
#[derive(Debug, Clone)]
pub struct CrateSpec {
    /// The crate's name (`ucloud-uodn`).
    pub crate_name: String,
    /// The folder of docs it is generated from, as loaded (named so in diagnostics).
    pub spec_dir: PathBuf,
    /// Where [`ensure_files`](crate::ensure_files) writes it.
    pub out_dir: PathBuf,
    /// How `spec_dir` is named in headers (`specs/ucloud-uodn`): a relative path or a folder name, never an
    /// absolute path, so that the generated files are the same wherever they are generated.
    pub spec_label: String,
    /// How it depends on docbind-runtime.
    pub runtime: RuntimeDep,
    /// Declare an empty `[workspace]`, so the crate builds on its own even inside another workspace's folder.
    /// Without it the crate builds as a member of the enclosing workspace, or on its own when there is none.
    /// Ignored for [`RuntimeDep::Workspace`].
    pub standalone: bool,
}

impl CrateSpec {
    /// The command that regenerates the crate, as its headers name it: docbind's own `cargo xtask codegen` for a
    /// member of docbind's workspace, the `docbind` command anywhere else.
    pub(crate) fn generator(&self) -> &'static str {
        match self.runtime {
            RuntimeDep::Workspace => "`cargo xtask codegen`",
            RuntimeDep::Version | RuntimeDep::Path(_) => "`docbind generate`",
        }
    }
}

/// How the generated crate finds docbind-runtime.
#[derive(Debug, Clone)]
pub enum RuntimeDep {
    /// A member of docbind's own workspace: everything `.workspace = true`.
    Workspace,
    /// From the registry, by the version of this generator ([`RUNTIME_VERSION`]).
    Version,
    /// A path dependency, written as given (relative to the crate's folder, or absolute).
    Path(PathBuf),
}

/// The docbind-runtime version generated crates depend on: the generator and the runtime share the workspace's
/// version, so the code generated matches the runtime released with it.
pub const RUNTIME_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A generated file: path relative to the crate dir, and its full text.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// Relative to the crate's folder (`src/lib.rs`, `Cargo.toml`).
    pub path: PathBuf,
    /// The whole file. (Of a file reused unchanged, writing trusts the text read while it has that address and
    /// length: to change it, assign a new one.)
    pub text: String,
    /// The file this text was read from and checked against the crate's record, when it was reused
    /// ([`generate_incremental`]): writing need not read it again while it is unchanged since.
    pub(crate) seen: Option<crate::output::Seen>,
}

impl GeneratedFile {
    /// The file at `path` (relative to the crate's folder) holding `text`.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self { path: path.into(), text: text.into(), seen: None }
    }
}

/// Two generated files are the same file when their paths and texts are, however they were made.
impl PartialEq for GeneratedFile {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.text == other.text
    }
}

impl Eq for GeneratedFile {}

/// Everything generating one crate produced.
#[derive(Debug)]
pub struct Generated {
    /// The vendor every operation of the crate calls.
    pub vendor: Vendor,
    /// Every file of the crate, sorted by path.
    pub files: Vec<GeneratedFile>,
    /// Docs left out, with their reasons ([`InvalidDocs::Skip`] only): rejected by the parser, or by code generation.
    pub skipped: Vec<Rejection>,
    /// Rust names docbind chose differently from the docs' because the docs' would break the crate (a keyword,
    /// the crate's own files and items, a standard type), sorted by file and line (ARCHITECTURE.md, "Name
    /// collisions").
    pub warnings: Vec<Diagnostic>,
    /// The generated operations, in module order, with their Rust definitions.
    pub operations: Vec<GeneratedOperation>,
    /// Time spent turning tokens into text (for `cargo xtask bench`).
    pub formatting: Formatting,
    /// Files taken unchanged from the crate's previous generation ([`generate_incremental`]): operation modules,
    /// the files listing them (`lib.rs`, the README) and the API snapshot, sorted.
    pub reused: Vec<PathBuf>,
}

/// Where formatting time goes: syn parsing the `quote!`d pieces, and prettyplease printing the files.
#[derive(Debug, Default, Clone, Copy)]
pub struct Formatting {
    /// syn parsing the `quote!`d pieces.
    pub parse: std::time::Duration,
    /// prettyplease printing the files.
    pub print: std::time::Duration,
}

/// One generated operation, read-only: its IR and the Rust definitions of its module (what `cargo xtask bench`
/// builds its derive baseline from, and what the corpus harness decodes with).
#[derive(Debug)]
pub struct GeneratedOperation {
    operation: Operation,
    defs: defs::OperationDefs,
    renamed: bool,
    /// The models the overlay names (wire names): counted apart from numbered ones, when asked.
    overlay_models: Vec<String>,
    shared_types: Vec<String>,
}

impl GeneratedOperation {
    /// The types of its module that are the crate's shared ones (`src/shared.rs`), re-exported by its module: the
    /// same types as the other modules' of these names that share them.
    pub fn shared_types(&self) -> &[String] {
        &self.shared_types
    }

    /// The operation as the IR describes it.
    pub fn operation(&self) -> &Operation {
        &self.operation
    }

    /// Its module, which is also its `Client` method (`get_uvodn_image`).
    pub fn module(&self) -> &str {
        &self.defs.module
    }

    /// The request struct.
    pub fn request(&self) -> &defs::StructDef {
        &self.defs.request
    }

    /// The response struct.
    pub fn response(&self) -> &defs::StructDef {
        &self.defs.response
    }

    /// The function the client decodes this operation's response bodies with (`module::decode_response`, or the
    /// runtime's one for every UCloud Action), as a path in the generated crate `krate` (its name as Rust spells
    /// it): tools that decode the docs' examples call it.
    pub fn decode_entry(&self, krate: &proc_macro2::Ident) -> TokenStream {
        let module = names::ident(&self.defs.module);
        let response = format_ident!("{}", self.defs.response.name);
        protocol::Vendor::of(&self.operation).decode_entry(krate, &module, &response)
    }

    /// Every struct of the module, in the order generated: the request, its groups, the response, the models.
    pub fn structs(&self) -> impl Iterator<Item = &defs::StructDef> {
        let defs = &self.defs;
        std::iter::once(&defs.request).chain(&defs.groups).chain([&defs.response]).chain(&defs.models)
    }

    /// Named after its doc file, not its wire name, because another doc documents the same name, or not named
    /// exactly like its wire name because that would break the crate (ARCHITECTURE.md, "Name collisions").
    pub fn renamed(&self) -> bool {
        self.renamed
    }

    /// Model types whose Rust names were numbered because another type of the module took theirs.
    pub fn numbered_types(&self) -> usize {
        let overlay_named = |model: &str| self.overlay_models.iter().any(|m| m == model);
        let models = self.operation.models.iter().zip(&self.defs.models);
        models.filter(|(model, def)| !overlay_named(&model.name) && names::type_name(&model.name) != def.name).count()
    }

    /// Fields whose Rust names are not their wire names' snake_case: numbered after a collision, or renamed by
    /// the overlay.
    pub fn numbered_fields(&self) -> usize {
        let defs = &self.defs;
        let structs = std::iter::once(&defs.request).chain(&defs.groups).chain([&defs.response]).chain(&defs.models);
        let fields = structs.flat_map(|s| &s.fields);
        fields.filter(|f| f.wire != "data" && names::field_name(&f.wire) != f.ident).count()
    }
}

/// What generation does with an API doc it cannot read or generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidDocs {
    /// Fail the whole crate: an operation is never lost silently (the default).
    Fail,
    /// Leave such docs out and return them in [`Generated::skipped`] (`--skip-invalid`, the corpus run).
    Skip,
}

/// Generates the files of one crate from already-parsed docs. Pages that are not API docs were set apart by
/// [`crate::load`] and never matter here. Overlay problems and what the validation after corrections finds
/// ([`Loaded::errors`]) always fail: the overlay is the maintainer's own file. Rejected docs (unsupported
/// templates, invalid docs) and docs code generation cannot express fail the crate with [`InvalidDocs::Fail`];
/// with [`InvalidDocs::Skip`] they are left out and returned in [`Generated::skipped`], and the rest is generated.
pub fn generate(spec: &CrateSpec, loaded: &Loaded, invalid: InvalidDocs) -> Result<Generated, GenerateError> {
    generate_version(spec, FIRST_VERSION, loaded, invalid)
}

/// The version of a crate generated for the first time.
pub const FIRST_VERSION: &str = "0.1.0";

/// [`generate`], with the crate's own `version` (each generated crate has its own; `docbind sync` bumps it) in its
/// manifest and record.
pub fn generate_version(
    spec: &CrateSpec,
    version: &str,
    loaded: &Loaded,
    invalid: InvalidDocs,
) -> Result<Generated, GenerateError> {
    generate_from(spec, version, loaded, invalid, &Previous::none(), GENERATOR_ID)
}

/// [`generate_version`], reusing every operation module of `previous` (the crate as last generated, read with
/// [`Previous::read`]) whose inputs are unchanged: the same files, and only the changed operations' modules (and
/// the crate files that list operations) are built and formatted again.
pub fn generate_incremental(
    spec: &CrateSpec,
    version: &str,
    loaded: &Loaded,
    invalid: InvalidDocs,
    previous: &Previous,
) -> Result<Generated, GenerateError> {
    generate_from(spec, version, loaded, invalid, previous, GENERATOR_ID)
}

/// [`generate_incremental`] as the generator `generator` (its version; tests change it).
pub(crate) fn generate_from(
    spec: &CrateSpec,
    version: &str,
    loaded: &Loaded,
    invalid: InvalidDocs,
    previous: &Previous,
    generator: &str,
) -> Result<Generated, GenerateError> {
    let spec_dir = || spec.spec_dir.clone();
    // The name is written into code (`use <name>::Client` in the examples) and the manifest: an identifier only.
    let name = &spec.crate_name;
    if !name.starts_with(|c: char| c.is_ascii_alphabetic())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(GenerateError::InvalidCrateName { name: name.clone() });
    }
    let unmatched = loaded.rust_names.unmatched();
    if !loaded.errors.is_empty() {
        let errors = loaded.errors.iter().chain(unmatched).cloned().collect();
        return Err(GenerateError::Overlay { spec_dir: spec_dir(), errors });
    }
    // Overlay entries about operations no doc has: with docs that did not parse, they go with those docs (which
    // may have documented them); else they are the overlay's own mistakes.
    let mut rejected = loaded.rejected.clone();
    if !unmatched.is_empty() {
        if rejected.is_empty() {
            return Err(GenerateError::Overlay { spec_dir: spec_dir(), errors: unmatched.to_vec() });
        }
        rejected.push(Rejection::Invalid { errors: unmatched.to_vec() });
    }
    if invalid == InvalidDocs::Fail && !rejected.is_empty() {
        return Err(GenerateError::Rejected { spec_dir: spec_dir(), rejected });
    }
    let mut skipped = rejected;
    let mut ops: Vec<&Operation> = loaded.parsed.iter().map(|p| &p.operation).collect();
    if ops.is_empty() {
        return Err(GenerateError::NoDocs { spec_dir: spec_dir() });
    }
    ops.sort_by(|a, b| a.name.cmp(&b.name).then(a.source.file.cmp(&b.source.file)));
    // One crate, one vendor: decided here, once.
    let vendor = Vendor::of(ops[0]);
    if let Some(other) = ops.iter().find(|o| Vendor::of(o) != vendor) {
        let vendors = [vendor.label(), Vendor::of(other).label()];
        return Err(GenerateError::MixedVendors { spec_dir: spec_dir(), vendors, file: other.source.file.clone() });
    }

    // An operation the overlay renames is named as if the docs called it so.
    let keys: Vec<(&str, &Path)> = ops
        .iter()
        .map(|o| {
            let name = loaded.rust_names.of(&o.source.file).rename.as_ref().map_or(o.name.as_str(), |r| &r.name);
            (name, o.source.file.as_path())
        })
        .collect();
    check_renames(&ops, &keys, loaded)?;
    let chosen = names::operation_names(&keys, &loaded.linked);
    let mut defined = Vec::new();
    let mut warnings = Vec::new();
    for (op, rust) in ops.iter().zip(&chosen) {
        let names = defs::OperationNames {
            module: rust.module.clone(),
            type_base: rust.type_base.clone(),
            indexed_twin: rust.indexed_twin.clone(),
        };
        let overlay = loaded.rust_names.of(&op.source.file);
        match protocol::check_request(op).and_then(|()| defs::build(op, overlay, &names)) {
            Ok(defs) => defined.push((*op, rust, names, defs)),
            // What the overlay declares is never skipped: it is the maintainer's own file.
            Err(e) if invalid == InvalidDocs::Fail || e.kind.is_overlay_problem() => return Err(e.into()),
            Err(e) => skipped.push(Rejection::NotGenerated(e)),
        }
    }
    // Types several modules define alike are one type of the crate (`shared.rs`).
    let shared = shared::collect(&defined.iter().map(|(_, _, _, defs)| defs).collect::<Vec<_>>());
    let mut built = Vec::new();
    for (op, rust, names, defs) in defined {
        let overlay = loaded.rust_names.of(&op.source.file);
        let imports = shared.of_module(&defs);
        let inputs = input_hash(generator, spec, vendor, op, overlay, &names, &imports);
        let path = format!("src/{}.rs", names.module);
        // Unchanged inputs generate the same module: the one on disk is it.
        let module = match previous.reusable(&path, &inputs) {
            Some(reused) => Ok(Module::Reused(reused)),
            None => operation::module_pieces(op, &defs, vendor, &spec.crate_name, &imports).map(Module::Pieces),
        };
        match module {
            Ok(module) => {
                if let Some((name, why)) = &rust.reserved {
                    let message = format!(
                        "operation `{}` would be the module and method `{name}`, which is {why}; generated as `{}`",
                        op.name, rust.module
                    );
                    warnings.push(Diagnostic::warning(&op.source.file, op.source.line, message));
                } else if let Some(other) = &rust.collides_with {
                    let message = format!(
                        "operation `{}` is spelled like `{other}`, a different operation, which keeps the name: \
                         generated as `{}`",
                        op.name, rust.module
                    );
                    warnings.push(Diagnostic::warning(&op.source.file, op.source.line, message));
                } else if !op.name.is_ascii() {
                    let message = format!(
                        "operation `{}` is not all ASCII, and module files must be: generated as `{}`",
                        op.name, rust.module
                    );
                    warnings.push(Diagnostic::warning(&op.source.file, op.source.line, message));
                }
                warnings.extend(defs.warnings.iter().cloned());
                built.push((op, rust.renamed, defs, imports, (inputs, module)))
            }
            Err(e) if invalid == InvalidDocs::Fail || e.kind.is_overlay_problem() => return Err(e.into()),
            Err(e) => skipped.push(Rejection::NotGenerated(e)),
        }
    }
    if built.is_empty() {
        return Err(GenerateError::NothingGenerated { spec_dir: spec_dir() });
    }
    built.sort_by(|a, b| a.2.module.cmp(&b.2.module));

    let mut files = Vec::new();
    let mut operations = Vec::new();
    let mut formatting = Formatting::default();
    let mut inputs = BTreeMap::new();
    let mut reused = Vec::new();
    let mut known_hashes = BTreeMap::new();
    for (op, renamed, defs, shared_types, (hash, module)) in built {
        let path = PathBuf::from(format!("src/{}.rs", defs.module));
        let file = match module {
            Module::Reused(file) => {
                reused.push(path.clone());
                known_hashes.insert(path.clone(), file.hash);
                GeneratedFile { path: path.clone(), text: file.text, seen: Some(file.seen) }
            }
            Module::Pieces(tokens) => {
                let header = generated_header(spec, &op.source.file.display().to_string());
                let text = format_rust(&header, tokens, &mut formatting)
                    .map_err(|error| GenerateError::InvalidTokens { path: path.clone(), error })?;
                GeneratedFile::new(path.clone(), text)
            }
        };
        inputs.insert(path, hash);
        files.push(file);
        // Counted only when asked (the corpus run's tally): each count names every model or field again.
        let overlay_models = loaded.rust_names.of(&op.source.file).models.iter().map(|(m, _)| m.clone()).collect();
        operations.push(GeneratedOperation { operation: (*op).clone(), defs, renamed, overlay_models, shared_types });
    }
    let waiter_methods = waiter::methods(&loaded.rust_names);
    // The crate files made from every operation (`shared.rs`, `blocking.rs`, `lib.rs`, the README) and the API
    // snapshot are made from the operations' IR, their Rust names and the overlay's names (waiters too), which the
    // modules' input hashes and the overlay's names cover; the settings and generator version are in every
    // module's hash.
    let module_inputs = operations.iter().map(|g| inputs[&PathBuf::from(format!("src/{}.rs", g.defs.module))].as_str());
    let hash = listing_input_hash(generator, module_inputs, &loaded.rust_names);
    // A file made from `input_hash`'s inputs: taken from the previous generation while they are unchanged.
    let mut listing =
        |name: &str, input_hash: &str, render: &mut dyn FnMut(&mut Formatting) -> Result<String, GenerateError>| {
            let path = PathBuf::from(name);
            let file = match previous.reusable(name, input_hash) {
                Some(file) => {
                    reused.push(path.clone());
                    known_hashes.insert(path.clone(), file.hash);
                    GeneratedFile { path: path.clone(), text: file.text, seen: Some(file.seen) }
                }
                None => GeneratedFile::new(path.clone(), render(&mut formatting)?),
            };
            inputs.insert(path, input_hash.to_owned());
            files.push(file);
            Ok::<_, GenerateError>(())
        };
    if !loaded.rust_names.waiters().is_empty() {
        // Made from the overlay's waiters and the polled operations' definitions like the listings, and headed by
        // the overlay's path (`spec_dir`, which no module's hash covers): reused under both.
        let overlay = spec.spec_dir.join(crate::overlay::FILE_NAME).display().to_string();
        let path = format!("src/{}.rs", waiter::MODULE);
        listing(&path, &waiters_input_hash(&hash, &overlay), &mut |formatting| {
            // Some: the overlay declares waiters.
            let tokens = waiter::module(&loaded.rust_names, &operations, &spec.crate_name)?.unwrap_or_default();
            format_rust(&generated_header(spec, &overlay), vec![operation::Piece::Tokens(tokens)], formatting)
                .map_err(|error| GenerateError::InvalidTokens { path: PathBuf::from(&path), error })
        })?;
    }
    if !shared.is_empty() {
        let path = format!("src/{}.rs", shared::MODULE);
        listing(&path, &hash, &mut |formatting| {
            let pieces = operation::shared_pieces(&shared, vendor)
                .map_err(|bug| GenerateError::Operation(CodegenError::of(&operations[0].operation, bug)))?;
            format_rust(&generated_header(spec, &spec.spec_label), pieces, formatting)
                .map_err(|error| GenerateError::InvalidTokens { path: PathBuf::from(&path), error })
        })?;
    }
    let blocking_path = format!("src/{}.rs", blocking::MODULE);
    listing(&blocking_path, &hash, &mut |formatting| {
        let blocking = blocking::module(&operations)?;
        format_rust(&generated_header(spec, &spec.spec_label), vec![operation::Piece::Tokens(blocking)], formatting)
            .map_err(|error| GenerateError::InvalidTokens { path: PathBuf::from(&blocking_path), error })
    })?;
    listing("src/lib.rs", &hash, &mut |formatting| {
        let lib_header = generated_header(spec, &spec.spec_label);
        let lib = vec![operation::Piece::Tokens(lib_tokens(vendor, &operations, &waiter_methods, &shared))];
        format_rust(&lib_header, lib, formatting)
            .map_err(|error| GenerateError::InvalidTokens { path: PathBuf::from("src/lib.rs"), error })
    })?;
    listing(readme::FILE_NAME, &hash, &mut |_| Ok(readme::text(spec, vendor, &operations, &waiter_methods)))?;
    // What the next regeneration compares its API with, even when these docs are gone by then.
    listing(crate::diff::snapshot::FILE_NAME, &hash, &mut |_| {
        let api: Vec<&Operation> = operations.iter().map(|g| &g.operation).collect();
        crate::diff::snapshot::text(&api, &loaded.rust_names)
            .map_err(|e| GenerateError::Operation(CodegenError::of(api[0], CodegenErrorKind::Bug(e.to_string()))))
    })?;
    files.push(GeneratedFile::new("Cargo.toml", manifest(spec, version, vendor, operations.len())));
    files.push(crate::record::record_file(spec, version, &files, &inputs, &known_hashes));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    warnings.sort_by(|a, b| a.file.cmp(&b.file).then(a.line.cmp(&b.line)).then(a.message.cmp(&b.message)));
    reused.sort();
    Ok(Generated { vendor, files, skipped, warnings, operations, formatting, reused })
}

/// An operation module: built now, or taken from the previous generation.
enum Module {
    Pieces(Vec<operation::Piece>),
    /// Its text as on disk, checked against the hash its record lists.
    Reused(crate::incremental::Reusable),
}

/// The first line of a generated Rust file. `source` (a path) is written on one line: no character of it can end
/// the comment.
fn generated_header(spec: &CrateSpec, source: &str) -> String {
    format!("// @generated by {} from {}; do not edit.\n", spec.generator(), text::one_line(source))
}

/// An operation the overlay renames must not take the Rust name of another: the twin rule would quietly number
/// one of them. `keys` are the names operations are generated under, in the order of `ops`.
fn check_renames(ops: &[&Operation], keys: &[(&str, &Path)], loaded: &Loaded) -> Result<(), CodegenError> {
    for (i, op) in ops.iter().enumerate() {
        let Some(rename) = &loaded.rust_names.of(&op.source.file).rename else { continue };
        let module = names::snake(&rename.name);
        let clash = keys.iter().enumerate().find(|&(j, (name, _))| {
            j != i && (names::snake(name) == module || names::type_stem(name) == names::type_stem(&rename.name))
        });
        if let Some((j, _)) = clash {
            let kind = CodegenErrorKind::OperationRenameClash {
                operation: op.name.clone(),
                rename: rename.name.clone(),
                other: ops[j].name.clone(),
                other_file: ops[j].source.file.display().to_string(),
                module,
            };
            return Err(CodegenError::at_source(&op.name, &rename.source, kind));
        }
    }
    Ok(())
}

/// Pieces → one `syn::File` → prettyplease. Token pieces are parsed here, each shape once (`shapes.rs`; a parse
/// error is a generator bug).
fn format_rust(header: &str, pieces: Vec<operation::Piece>, time: &mut Formatting) -> Result<String, syn::Error> {
    let started = std::time::Instant::now();
    let mut file = syn::File { shebang: None, attrs: Vec::new(), items: Vec::new() };
    for piece in pieces {
        match piece {
            operation::Piece::Struct(item) => file.items.push(syn::Item::Struct(*item)),
            operation::Piece::Tokens(tokens) => shapes::parse_into(tokens, &mut file)?,
        }
    }
    let parsed = std::time::Instant::now();
    let text = format!("{header}\n{}", prettyplease::unparse(&file));
    time.parse += parsed - started;
    time.print += parsed.elapsed();
    Ok(text)
}

/// `lib.rs`: the crate docs (the README), the re-exports, the modules and the `Client`.
fn lib_tokens(
    vendor: Vendor,
    operations: &[GeneratedOperation],
    waiters: &[(String, String)],
    shared: &shared::Shared,
) -> TokenStream {
    let protocol = vendor.runtime_module();
    let config_items = vendor.config_items();
    let blocking_feature = blocking::FEATURE;
    let blocking_module = format_ident!("{}", blocking::MODULE);
    let vendor = vendor.label();
    let readme = format!("../{}", readme::FILE_NAME);
    let mods = operations.iter().map(|generated| {
        let defs = &generated.defs;
        let module = format_ident!("{}", defs.module);
        let request = format_ident!("{}", defs.request.name);
        let response = format_ident!("{}", defs.response.name);
        quote! {
            pub mod #module;
            pub use #module::{#request, #response};
        }
    });
    // Shared types at the root too, but for a name the root has already.
    let root_names: Vec<&str> = ["Client", "Config", "Error", "Extra", "CallInfo", "CallOptions", "PendingCall"]
        .into_iter()
        .chain(if waiters.is_empty() { [].as_slice() } else { ["WaitError", "WaitOptions"].as_slice() }.iter().copied())
        .chain(operations.iter().flat_map(|g| [g.defs.request.name.as_str(), g.defs.response.name.as_str()]))
        .collect();
    let shared_mod = if shared.is_empty() {
        quote!()
    } else {
        let module = format_ident!("{}", shared::MODULE);
        let names: Vec<_> =
            shared.root_names().filter(|n| !root_names.contains(n)).map(|n| format_ident!("{}", n)).collect();
        let reexport = if names.is_empty() { quote!() } else { quote!(pub use #module::{#(#names),*};) };
        quote! {
            pub mod #module;
            #reexport
        }
    };
    let waiters_mod = if waiters.is_empty() {
        quote!()
    } else {
        let module = format_ident!("{}", waiter::MODULE);
        quote! {
            mod #module;
            pub use docbind_runtime::{WaitError, WaitOptions};
        }
    };
    let client_doc = format!(
        "The {vendor} client: cheap to clone, safe to share between tasks. One method per operation, returning the \
         call as a future ([`PendingCall`]) with per-call settings."
    );
    quote! {
        #![doc = include_str!(#readme)]
        #![forbid(unsafe_code)]

        pub use docbind_runtime as runtime;
        pub use docbind_runtime::Extra;
        pub use docbind_runtime::#protocol::#config_items;
        pub use docbind_runtime::Error;
        pub use docbind_runtime::{CallInfo, CallOptions, PendingCall};

        #shared_mod
        #(#mods)*
        #waiters_mod
        #[cfg(feature = #blocking_feature)]
        pub mod #blocking_module;

        #[doc = #client_doc]
        #[derive(Clone, Debug)]
        pub struct Client {
            inner: docbind_runtime::#protocol::Client,
        }

        impl Client {
            /// Creates a client from an explicit configuration.
            pub fn new(config: Config) -> Result<Self, Error> {
                Ok(Self { inner: docbind_runtime::#protocol::Client::new(config)? })
            }

            /// Creates a client configured from the environment (see [`Config::from_env`]).
            pub fn from_env() -> Result<Self, Error> {
                Self::new(Config::from_env()?)
            }

            /// The runtime client underneath (its configuration is the one this client was built with).
            pub fn runtime(&self) -> &docbind_runtime::#protocol::Client {
                &self.inner
            }
        }
    }
}

/// `Cargo.toml`. Every value is a TOML string written by the `toml` crate, and the header names the docs on one
/// line, so no name or path can add a line or a table.
fn manifest(spec: &CrateSpec, version: &str, vendor: Vendor, ops: usize) -> String {
    let version = text::toml_string(version);
    let vendor = vendor.label();
    let header =
        format!("# @generated by {} from {}; do not edit.\n", spec.generator(), text::one_line(&spec.spec_label));
    let description = text::toml_string(&format!(
        "Typed async client for {vendor}'s {} API ({} operation{}), generated by docbind",
        spec.crate_name,
        ops,
        if ops == 1 { "" } else { "s" }
    ));
    let name = text::toml_string(&spec.crate_name);
    // The runtime's optional features, forwarded so a user of the generated crate alone can turn them on.
    let features = "\n[features]\n# The platform's certificate store next to the bundled roots.\nnative-roots = [\"docbind-runtime/native-roots\"]\n# docbind_runtime::test_util: a local stand-in server for tests of code that uses this client.\ntest-util = [\"docbind-runtime/test-util\"]\n# serde::Serialize and Deserialize on every request, response, model and enumeration, with the wire names.\nserde = [\"docbind-runtime/serde\"]\n# blocking::Client: every operation, page stream and waiter, blocking until done, for code that is not async.\nblocking = [\"docbind-runtime/blocking\"]\n";
    let dependency = match &spec.runtime {
        // Published from docbind's workspace: crates.io metadata; the runtime dependency has a version and a path.
        RuntimeDep::Workspace => return format!(
            "{header}[package]\nname = {name}\ndescription = {description}\nedition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\nversion = {version}\nrepository.workspace = true\nreadme = \"{}\"\nkeywords = [\"{}\", \"api-client\", \"sdk\", \"docbind\"]\ncategories = [\"api-bindings\", \"web-programming::http-client\"]\n\n[dependencies]\ndocbind-runtime.workspace = true\n{features}\n[dev-dependencies]\ntokio.workspace = true\n\n[lints]\nworkspace = true\n\n[package.metadata.docs.rs]\nall-features = true\n",
            readme::FILE_NAME,
            vendor.to_lowercase(),
        ),
        RuntimeDep::Version => text::toml_string(RUNTIME_VERSION),
        RuntimeDep::Path(path) => format!("{{ path = {} }}", text::toml_string(&path.display().to_string())),
    };
    let workspace = if spec.standalone {
        "\n# A standalone crate: not a member of any enclosing workspace.\n[workspace]\n"
    } else {
        ""
    };
    format!(
        "{header}[package]\nname = {name}\ndescription = {description}\nedition = \"2021\"\nversion = {version}\npublish = false\n\n[dependencies]\ndocbind-runtime = {dependency}\n{features}{workspace}"
    )
}

#[cfg(test)]
mod tests;
