//! `specs/<crate>/overlay.toml`: corrections that survive regeneration, without editing the vendor's markdown.
//!
//! ```toml
//! [GetUvodnImage]                      # an operation: UCloud Action or Finovy name
//! read_only = true                     # retried on every transient failure (default: by the docs' verb or method)
//! pagination = { offset = "Offset", limit = "Limit", items = "ImageList", total = "TotalCount" }
//! # Finovy: pagination = { page = "page", page_size = "pageSize" }
//!
//! [add]                                # a Finovy operation named `add` by its docs
//! rename = "AddImage"                  # Rust name of the operation: add_image, AddImageRequest, AddImageResponse
//!
//! [GetUvodnImage.models.ImageInfo]
//! rename = "Image"                     # Rust type name of a model
//!
//! [DescribeUvodnNode.models.NodeIp]    # a model the API returns and the docs' tables do not define
//! add = { description = "外网IP (the response example's NodeIpList elements)" }
//!
//! [GetUvodnImage.fields."request.ImageType"]   # request.<A.B>, response.<X>, model.<M>.<X>
//! rename = "kind"                      # Rust field name
//! type = "int"                         # fix a documented type: string int float bool object map M array[...]
//! enum = { name = "ImageType", values = { Standard = "1", Industry = "2", Custom = "3" } }
//!
//! [DescribeUvodnNode.fields."model.NodeIp.Ip"] # a field the docs' tables leave out
//! add = { type = "string", description = "IP 地址" }   # request fields also say where (Finovy: location = "query")
//!
//! [waiters.node_running]               # Client::wait_until_node_running(id, options): see `overlay/waiter.rs`
//! operation = "DescribeUvodnNode"
//! id = "NodeId"
//! items = "NodeList"
//! item_id = "NodeId"
//! state = "State"
//! success = [4]
//! failure = [10, 11]
//! ```
//!
//! Unknown keys, values of the wrong type and references to operations, fields or models the docs do not have are
//! errors with file:line, and so is what the validation after corrections (`validate.rs`) finds the overlay
//! causes: always, also when generation skips invalid docs, because the overlay is the maintainer's own file.
//! An operation's Rust name must not be another operation's (`[x] rename` clashes are errors of code generation,
//! which names every operation). `waiters` is the one top-level key that is not an operation.
//!
//! An overlay says two kinds of things, and they go two ways. What it corrects about the API (types,
//! read-only class, pagination) is written into the IR, which stays a description of the vendor's API. What it says
//! about the generated Rust (`rename`s and `enum`s) is returned beside the IR as [`RustNames`], which code
//! generation reads and `diff` reports as changes of the Rust API.

use crate::diag::Diagnostic;
use crate::ir::{Access, Data, Field, Location, Model, Operation, Pagination, Protocol, Response, Source, Type};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "overlay.toml";

/// What overlays say about the generated Rust rather than about the API: Rust names of operations, fields and
/// models, enumerations (a field's documented values, with Rust names), and waiters (client methods that poll an
/// operation until a resource reaches a state). Produced by the overlay pass beside the IR, read by code
/// generation; keyed by each operation's doc file. Empty without overlays.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct RustNames {
    docs: BTreeMap<PathBuf, OperationRustNames>,
    waiters: Vec<Waiter>,
    /// Where the overlay corrected the API of a doc's operation, by doc and what it corrected (a field path whose
    /// type it fixed or that it added, `<path> rename`, or `pagination`): the validation after corrections points
    /// there. Not part of the Rust API (an API snapshot leaves it out).
    #[serde(skip)]
    corrections: BTreeMap<(PathBuf, String), Source>,
    /// Entries about operations no doc of the folder has (`[X]`, or a waiter polling `X`): an overlay error, unless
    /// a doc of the folder did not parse, which may be the one that documented `X` (see `codegen::generate`).
    #[serde(skip)]
    unmatched: Vec<Diagnostic>,
}

impl RustNames {
    /// Whether no overlay names anything.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty() && self.waiters.is_empty()
    }

    /// The names an overlay gives in the operation documented by `doc` (none if it gives none).
    pub(crate) fn of(&self, doc: &Path) -> &OperationRustNames {
        static NONE: OperationRustNames = OperationRustNames { rename: None, fields: Vec::new(), models: Vec::new() };
        self.docs.get(doc).unwrap_or(&NONE)
    }

    /// The waiters the overlays declare, in overlay order.
    pub(crate) fn waiters(&self) -> &[Waiter] {
        &self.waiters
    }

    /// Where the overlay corrected `what` (a field path, or `pagination`) of the operation documented by `doc`.
    pub(crate) fn correction(&self, doc: &Path, what: &str) -> Option<&Source> {
        self.corrections.get(&(doc.to_path_buf(), what.to_string()))
    }

    /// What the overlays say about the operations documented by `docs` only (an API snapshot of what was generated).
    pub(crate) fn only(&self, docs: &[&Path]) -> RustNames {
        let kept = |doc: &Path| docs.contains(&doc);
        RustNames {
            docs: self.docs.iter().filter(|(d, _)| kept(d)).map(|(d, n)| (d.clone(), n.clone())).collect(),
            waiters: self.waiters.iter().filter(|w| kept(&w.doc)).cloned().collect(),
            corrections: BTreeMap::new(),
            unmatched: Vec::new(),
        }
    }

    /// The overlay entries about operations no doc has, with their lines.
    pub(crate) fn unmatched(&self) -> &[Diagnostic] {
        &self.unmatched
    }

    pub(crate) fn extend(&mut self, other: RustNames) {
        self.docs.extend(other.docs);
        self.waiters.extend(other.waiters);
        self.corrections.extend(other.corrections);
        self.unmatched.extend(other.unmatched);
    }

    fn for_doc(&mut self, doc: &Path) -> &mut OperationRustNames {
        self.docs.entry(doc.to_path_buf()).or_default()
    }
}

/// The Rust names an overlay gives in one operation. Fields are addressed by path: `request.ImageType`,
/// `request.RuleSet.MetricID`, `response.TotalCount`, `model.ImageInfo.State`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub(crate) struct OperationRustNames {
    /// The operation's Rust name (UpperCamelCase type stem; its snake_case is the module and method).
    pub rename: Option<OperationRename>,
    pub fields: Vec<FieldRustNames>,
    /// Model (wire name) → Rust type name.
    pub models: Vec<(String, String)>,
}

impl OperationRustNames {
    pub fn field(&self, path: &str) -> Option<&FieldRustNames> {
        self.fields.iter().find(|f| f.path == path)
    }

    pub fn model_name(&self, model: &str) -> Option<&str> {
        self.models.iter().find(|(m, _)| m == model).map(|(_, rust)| rust.as_str())
    }
}

/// An operation's Rust name, given by the overlay.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub(crate) struct OperationRename {
    /// UpperCamelCase: the stem of the request and response types (`AddImage`).
    pub name: String,
    /// Where the overlay says so, for errors about it.
    pub source: Source,
}

/// Equal when the names are: moving the declaration within `overlay.toml` changes no API (see `diff`).
impl PartialEq for OperationRename {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for OperationRename {}

/// What an overlay says about one field's Rust side.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub(crate) struct FieldRustNames {
    pub path: String,
    /// The Rust field name (snake_case).
    pub rename: Option<String>,
    pub enumeration: Option<Enumeration>,
}

/// A closed set of documented values with Rust names; unknown values are still kept.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub(crate) struct Enumeration {
    /// The Rust type name.
    pub name: String,
    /// (variant name, wire value), in overlay order.
    pub variants: Vec<(String, String)>,
    /// Whether the overlay writes every wire value as a TOML integer: the service sends JSON numbers, whatever the
    /// docs' table says (serde writes the values back as numbers).
    pub numbers: bool,
    /// Where the overlay declares it, for errors about it.
    pub source: Source,
}

/// Equal when name and values are: moving a declaration within `overlay.toml` changes no API (see `diff`).
impl PartialEq for Enumeration {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.variants == other.variants && self.numbers == other.numbers
    }
}

impl Eq for Enumeration {}

/// The whole `overlay.toml`: operations by name, and the `waiters` table.
#[derive(Debug, Default)]
struct OverlayFile {
    operations: Vec<(Spanned<String>, OperationOverlay)>,
    waiters: Vec<(Spanned<String>, Spanned<waiter::WaiterOverlay>)>,
}

/// A table of operations by name beside one reserved key, `waiters`; read key by key so that every value keeps
/// its span and `deny_unknown_fields` (which `flatten` would lose) still holds inside each.
impl<'de> Deserialize<'de> for OverlayFile {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OverlayFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("tables of operations by name, and `waiters`")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<OverlayFile, A::Error> {
                let mut file = OverlayFile::default();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    if key.get_ref() == waiter::KEY {
                        let waiters: BTreeMap<Spanned<String>, Spanned<waiter::WaiterOverlay>> = map.next_value()?;
                        file.waiters.extend(waiters);
                    } else {
                        file.operations.push((key, map.next_value()?));
                    }
                }
                Ok(file)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OperationOverlay {
    rename: Option<Spanned<String>>,
    read_only: Option<Spanned<bool>>,
    pagination: Option<Spanned<PaginationOverlay>>,
    #[serde(default)]
    models: BTreeMap<Spanned<String>, ModelOverlay>,
    #[serde(default)]
    fields: BTreeMap<Spanned<String>, FieldOverlay>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaginationOverlay {
    offset: Option<String>,
    limit: Option<String>,
    items: Option<String>,
    total: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelOverlay {
    rename: Option<Spanned<String>>,
    /// `add = true`: a model the docs do not define, which the API returns (their examples show it).
    add: Option<Spanned<bool>>,
}

/// A field the docs' tables leave out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddField {
    #[serde(rename = "type")]
    ty: String,
    description: String,
    /// Where a request field travels (`query`, `path`, `header`, `body`); UCloud's form needs none.
    location: Option<String>,
    #[serde(default)]
    required: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldOverlay {
    add: Option<Spanned<AddField>>,
    rename: Option<Spanned<String>>,
    #[serde(rename = "type")]
    ty: Option<Spanned<String>>,
    #[serde(rename = "enum")]
    enumeration: Option<Spanned<EnumOverlay>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnumOverlay {
    name: Option<String>,
    values: toml::Table,
}

/// Reads `overlay.toml` in `dir` (if any) and applies it to the operations parsed from that folder.
pub fn apply_dir(dir: &Path, display_dir: &Path, ops: &mut [&mut Operation]) -> Result<RustNames, Vec<Diagnostic>> {
    let path = dir.join(FILE_NAME);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(RustNames::default()) };
    apply(&display_dir.join(FILE_NAME), &text, ops)
}

/// Applies an overlay's text to `ops` and returns the Rust names it gives; `file` names it in diagnostics.
pub fn apply(file: &Path, text: &str, ops: &mut [&mut Operation]) -> Result<RustNames, Vec<Diagnostic>> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let overlay: OverlayFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(s.start)).unwrap_or(0);
        vec![Diagnostic::error(file, line, e.message().trim().to_string())]
    })?;
    let source_at = |offset: usize| Source { file: file.to_path_buf(), line: line_of(offset) };
    let mut names = RustNames::default();
    let mut errors = Vec::new();
    let mut err = |offset: usize, msg: String| errors.push(Diagnostic::error(file, line_of(offset), msg));
    for (name, spec) in overlay.operations {
        let Some(op) = ops.iter_mut().find(|o| o.name == *name.get_ref()) else {
            let known: Vec<&str> = ops.iter().map(|o| o.name.as_str()).collect();
            let message = format!("no operation `{}` in these docs (have: {})", name.get_ref(), known.join(", "));
            names.unmatched.push(Diagnostic::error(file, line_of(name.span().start), message));
            continue;
        };
        if let Some(rename) = &spec.rename {
            if is_type_ident(rename.get_ref()) {
                let source = source_at(rename.span().start);
                names.for_doc(&op.source.file).rename =
                    Some(OperationRename { name: rename.get_ref().clone(), source });
            } else {
                err(rename.span().start, format!("`{}` is not an UpperCamelCase Rust type name", rename.get_ref()));
            }
        }
        if let Some(read_only) = spec.read_only {
            op.access = Access { read_only: *read_only.get_ref(), reason: "set in overlay.toml".into() };
        }
        // Models before fields: the fields of an added model are added next.
        for (model, m) in &spec.models {
            if let Err((msg, at)) = apply_model(op, model, m, &source_at) {
                err(at, msg);
                continue;
            }
            if let Some(rename) = &m.rename {
                let models = &mut names.for_doc(&op.source.file).models;
                models.push((model.get_ref().clone(), rename.get_ref().clone()));
            }
        }
        for (path, f) in &spec.fields {
            let corrected = f.add.as_ref().map(|a| a.span().start).or(f.ty.as_ref().map(|t| t.span().start));
            if let Some(at) = corrected {
                names.corrections.insert((op.source.file.clone(), path.get_ref().clone()), source_at(at));
            }
            if let Some(rename) = &f.rename {
                let what = format!("{} rename", path.get_ref());
                names.corrections.insert((op.source.file.clone(), what), source_at(rename.span().start));
            }
            match apply_field(op, path.get_ref(), f, &source_at) {
                Ok(Some(field)) => names.for_doc(&op.source.file).fields.push(field),
                Ok(None) => {}
                Err(msg) => {
                    let at = msg.1.unwrap_or(path.span().start);
                    err(at, msg.0);
                }
            }
        }
        if let Some(p) = &spec.pagination {
            match pagination(op, p.get_ref()) {
                Ok(pagination) => {
                    names.corrections.insert((op.source.file.clone(), "pagination".into()), source_at(p.span().start));
                    op.pagination = Some(pagination)
                }
                Err(msg) => err(p.span().start, msg),
            }
        }
    }
    for (name, declared) in &overlay.waiters {
        let polled = declared.get_ref().operation();
        if !ops.iter().any(|o| o.name == polled) {
            let message = format!("waiter `{}`: no operation `{polled}` in these docs", name.get_ref());
            names.unmatched.push(Diagnostic::error(file, line_of(name.span().start), message));
            continue;
        }
        match waiter::check(name.get_ref(), declared.get_ref(), ops, &names, &source_at(declared.span().start)) {
            Ok(waiter) => names.waiters.push(waiter),
            Err((msg, at)) => err(at.unwrap_or(name.span().start), msg),
        }
    }
    if errors.is_empty() {
        Ok(names)
    } else {
        errors.append(&mut names.unmatched);
        Err(errors)
    }
}

/// Adds a model the overlay declares with `add = true`, and checks the model the rest of its entry is about.
fn apply_model(
    op: &mut Operation,
    model: &Spanned<String>,
    m: &ModelOverlay,
    source_at: &dyn Fn(usize) -> Source,
) -> Result<(), (String, usize)> {
    let exists = op.models.iter().any(|x| x.name == *model.get_ref());
    match &m.add {
        Some(add) if !*add.get_ref() => {
            return Err(("`add = false` adds nothing; leave it out".into(), add.span().start));
        }
        Some(add) if exists => {
            let msg = format!("`{}` already defines model `{}`; drop `add`", op.name, model.get_ref());
            return Err((msg, add.span().start));
        }
        Some(add) if !is_type_ident(model.get_ref()) => {
            let msg = format!("`{}` is not an UpperCamelCase model name", model.get_ref());
            return Err((msg, add.span().start));
        }
        Some(add) => op.models.push(Model {
            name: model.get_ref().clone(),
            fields: Vec::new(),
            source: source_at(add.span().start),
        }),
        None if !exists => {
            return Err((format!("`{}` has no model `{}`", op.name, model.get_ref()), model.span().start));
        }
        None if m.rename.is_none() => {
            return Err(("a model entry needs `rename` or `add`".into(), model.span().start));
        }
        None => {}
    }
    if let Some(rename) = &m.rename {
        if !is_type_ident(rename.get_ref()) {
            let msg = format!("`{}` is not an UpperCamelCase Rust type name", rename.get_ref());
            return Err((msg, rename.span().start));
        }
    }
    Ok(())
}

/// An error message and, when more precise than the field key, the byte offset it is about.
type FieldError = (String, Option<usize>);

/// Corrects the field's type in the IR and returns the Rust names the overlay gives it, if any. `source_at` turns
/// a byte offset of the overlay into a [`Source`].
fn apply_field(
    op: &mut Operation,
    path: &str,
    f: &FieldOverlay,
    source_at: &dyn Fn(usize) -> Source,
) -> Result<Option<FieldRustNames>, FieldError> {
    let models: Vec<String> = op.models.iter().map(|m| m.name.clone()).collect();
    let op_name = op.name.clone();
    if let Some(add) = &f.add {
        add_field(op, path, add.get_ref(), &models, source_at(add.span().start))
            .map_err(|msg| (msg, Some(add.span().start)))?;
    }
    let field = find_field(op, path).ok_or_else(|| {
        (format!("`{op_name}` has no field `{path}` (expected request.<Name[.Member]>, response.<Name> or model.<Model>.<Name>)"), None)
    })?;
    if let Some(ty) = &f.ty {
        let parsed = parse_type(ty.get_ref(), &models).ok_or_else(|| {
            (
                format!(
                    "unknown type `{}`; expected string, int, float, bool, object, map, a model of this doc, or array[...]",
                    ty.get_ref()
                ),
                Some(ty.span().start),
            )
        })?;
        field.ty = parsed;
    }
    let mut names = FieldRustNames { path: path.to_string(), ..Default::default() };
    if let Some(rename) = &f.rename {
        if !is_field_ident(rename.get_ref()) {
            return Err((
                format!("`{}` is not a snake_case Rust field name", rename.get_ref()),
                Some(rename.span().start),
            ));
        }
        names.rename = Some(rename.get_ref().clone());
    }
    if let Some(e) = &f.enumeration {
        let declared = e.span().start;
        let at = Some(declared);
        // A request may send a list of them; decoding has no slot for a list of enums.
        let fits = |ty: &Type| matches!(ty, Type::String | Type::Int);
        let enumerable = match &field.ty {
            Type::List(inner) => path.starts_with("request.") && fits(inner),
            ty => fits(ty),
        };
        if !enumerable {
            return Err((
                format!("an enum needs a string or int field, or a request list of them; `{path}` is {:?}", field.ty),
                at,
            ));
        }
        let e = e.get_ref();
        let name =
            e.name.clone().unwrap_or_else(|| heck::ToUpperCamelCase::to_upper_camel_case(field.wire_name.as_str()));
        if !is_type_ident(&name) {
            return Err((format!("`{name}` is not an UpperCamelCase Rust type name"), at));
        }
        let mut variants = Vec::new();
        for (variant, value) in &e.values {
            let wire = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                other => {
                    return Err((
                        format!("enum value for `{variant}` must be a string or an integer, found {other}"),
                        at,
                    ))
                }
            };
            if !is_type_ident(variant) || variant == "Unknown" {
                return Err((format!("`{variant}` is not a usable variant name (UpperCamelCase, not `Unknown`)"), at));
            }
            if variants.iter().any(|(_, w)| *w == wire) {
                return Err((format!("the wire value `{wire}` is listed twice"), at));
            }
            variants.push((variant.clone(), wire));
        }
        if variants.is_empty() {
            return Err(("an enum needs at least one value".into(), at));
        }
        let numbers = e.values.values().all(toml::Value::is_integer);
        names.enumeration = Some(Enumeration { name, variants, numbers, source: source_at(declared) });
    }
    Ok((names.rename.is_some() || names.enumeration.is_some()).then_some(names))
}

/// Adds the field at `path`, which the docs' tables leave out: `request.X`, `response.X` or `model.M.X`.
fn add_field(op: &mut Operation, path: &str, add: &AddField, models: &[String], source: Source) -> Result<(), String> {
    if find_field(op, path).is_some() {
        return Err(format!("`{}` documents `{path}`; drop `add`", op.name));
    }
    let ty = parse_type(&add.ty, models).ok_or_else(|| {
        format!(
            "unknown type `{}`; expected string, int, float, bool, object, map, a model of this doc, or array[...]",
            add.ty
        )
    })?;
    let (root, rest) = path.split_once('.').unwrap_or((path, ""));
    let is_rpc = matches!(op.protocol, Protocol::Rpc { .. });
    let location = match (root, add.location.as_deref()) {
        ("request", None) if is_rpc => Location::Form,
        ("request", Some("query")) if !is_rpc => Location::Query,
        ("request", Some("path")) if !is_rpc => Location::Path,
        ("request", Some("header")) if !is_rpc => Location::Header,
        ("request", Some("body")) if !is_rpc => Location::Body,
        ("request", _) if is_rpc => return Err("a UCloud request field travels in the form: drop `location`".into()),
        ("request", _) => return Err("a Finovy request field needs `location`: query, path, header or body".into()),
        (_, Some(_)) => return Err("`location` is for request fields".into()),
        _ => Location::Member,
    };
    if add.required && root != "request" {
        return Err("`required` is for request fields: responses are decoded as if anything may be missing".into());
    }
    let (fields, name) = match root {
        "request" if !rest.contains('.') => (&mut op.request, rest),
        "response" => {
            let fields = match &mut op.response {
                Response::Fields { fields } => fields,
                Response::Envelope {
                    data: Data::Object { fields } | Data::List { fields } | Data::Page { fields, .. },
                } => fields,
                Response::Envelope { data: Data::Scalar { .. } | Data::Untyped } => {
                    return Err(format!("the response of `{}` has no fields to add to", op.name))
                }
            };
            (fields, rest)
        }
        "model" => {
            let (model, name) = rest.split_once('.').unwrap_or((rest, ""));
            let Some(m) = op.models.iter_mut().find(|m| m.name == model) else {
                return Err(format!("`{}` has no model `{model}`", op.name));
            };
            (&mut m.fields, name)
        }
        _ => {
            return Err(format!(
                "cannot add `{path}`: expected request.<Name>, response.<Name> or model.<Model>.<Name>"
            ))
        }
    };
    if name.is_empty() || name.contains('.') {
        return Err(format!("cannot add `{path}`: expected request.<Name>, response.<Name> or model.<Model>.<Name>"));
    }
    fields.push(Field {
        wire_name: name.to_string(),
        location,
        ty,
        required: add.required,
        // The overlay says it, as a doc row would.
        requiredness: Default::default(),
        description: add.description.clone(),
        source,
    });
    Ok(())
}

/// `request.A.B`, `response.X`, `model.M.X` → the IR field.
fn find_field<'a>(op: &'a mut Operation, path: &str) -> Option<&'a mut Field> {
    let (root, rest) = path.split_once('.')?;
    match root {
        "request" => {
            let mut fields = &mut op.request;
            let mut parts = rest.split('.').peekable();
            loop {
                let name = parts.next()?;
                let field = fields.iter_mut().find(|f| f.wire_name == name)?;
                if parts.peek().is_none() {
                    return Some(field);
                }
                fields = match &mut field.ty {
                    Type::Group(members) => members,
                    Type::List(inner) => match inner.as_mut() {
                        Type::Group(members) => members,
                        _ => return None,
                    },
                    _ => return None,
                };
            }
        }
        "response" => {
            let fields = match &mut op.response {
                Response::Fields { fields } => fields,
                Response::Envelope { data } => match data {
                    Data::Object { fields } | Data::List { fields } | Data::Page { fields, .. } => fields,
                    Data::Scalar { .. } | Data::Untyped => return None,
                },
            };
            fields.iter_mut().find(|f| f.wire_name == rest)
        }
        "model" => {
            let (model, name) = rest.split_once('.')?;
            op.models.iter_mut().find(|m| m.name == model)?.fields.iter_mut().find(|f| f.wire_name == name)
        }
        _ => None,
    }
}

fn parse_type(text: &str, models: &[String]) -> Option<Type> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix("array[").and_then(|t| t.strip_suffix(']')) {
        return Some(Type::List(Box::new(parse_type(inner, models)?)));
    }
    Some(match text {
        "string" => Type::String,
        "int" => Type::Int,
        "float" => Type::Float,
        "bool" | "boolean" => Type::Bool,
        "object" => Type::Json,
        // A map of text to text (an object whose values are strings).
        "map" => Type::TextMap,
        model if models.iter().any(|m| m == model) => Type::Model(model.to_string()),
        _ => return None,
    })
}

fn pagination(op: &Operation, p: &PaginationOverlay) -> Result<Pagination, String> {
    let request_has = |name: &str| op.request.iter().any(|f| f.wire_name == name && f.ty == Type::Int);
    match p {
        PaginationOverlay {
            offset: Some(offset),
            limit: Some(limit),
            items: Some(items),
            total: Some(total),
            page: None,
            page_size: None,
        } => {
            let Response::Fields { fields } = &op.response else {
                return Err("offset/limit pagination is for UCloud operations; use page and page_size".into());
            };
            let is = |name: &str, ok: &dyn Fn(&Type) -> bool| fields.iter().any(|f| f.wire_name == name && ok(&f.ty));
            for (what, name) in [("offset", offset), ("limit", limit)] {
                if !request_has(name) {
                    return Err(format!("pagination {what} `{name}` is not an int request field of `{}`", op.name));
                }
            }
            if !is(items, &|t| matches!(t, Type::List(inner) if matches!(**inner, Type::Model(_)))) {
                return Err(format!(
                    "pagination items `{items}` is not a list of models in the response of `{}`",
                    op.name
                ));
            }
            if !is(total, &|t| *t == Type::Int) {
                return Err(format!("pagination total `{total}` is not an int response field of `{}`", op.name));
            }
            Ok(Pagination::OffsetLimit {
                offset: offset.clone(),
                limit: limit.clone(),
                items: items.clone(),
                total: total.clone(),
            })
        }
        PaginationOverlay {
            page: Some(page),
            page_size: Some(page_size),
            offset: None,
            limit: None,
            items: None,
            total: None,
        } => {
            if !matches!(op.response, Response::Envelope { data: Data::Page { .. } }) {
                return Err(format!("page/page_size pagination needs a paged `data` in the response of `{}`", op.name));
            }
            for (what, name) in [("page", page), ("page_size", page_size)] {
                if !request_has(name) {
                    return Err(format!("pagination {what} `{name}` is not an int request field of `{}`", op.name));
                }
            }
            Ok(Pagination::PageNumber { page: page.clone(), page_size: page_size.clone() })
        }
        _ => {
            Err("pagination takes either offset, limit, items and total (UCloud) or page and page_size (Finovy)".into())
        }
    }
}

fn is_type_ident(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A snake_case name starting with a letter (`_`-names are docbind's own, such as a response's `_request_id`).
fn is_field_ident(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests;
mod waiter;

pub(crate) use waiter::{Missing, Waiter};
