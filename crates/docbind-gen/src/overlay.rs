//! `specs/<crate>/overlay.toml`: corrections that survive regeneration, without editing the vendor's markdown.
//!
//! ```toml
//! [GetUvodnImage]                      # an operation: UCloud Action or Finovy name
//! idempotent = true                    # retry policy override
//! pagination = { offset = "Offset", limit = "Limit", items = "ImageList", total = "TotalCount" }
//! # Finovy: pagination = { page = "page", page_size = "pageSize" }
//!
//! [GetUvodnImage.models.ImageInfo]
//! rename = "Image"                     # Rust type name of a model
//!
//! [GetUvodnImage.fields."request.ImageType"]   # request.<A.B>, response.<X>, model.<M>.<X>
//! rename = "kind"                      # Rust field name
//! type = "int"                         # fix a documented type: string int float bool object M array[...]
//! enum = { name = "ImageType", values = { Standard = "1", Industry = "2", Custom = "3" } }
//! ```
//!
//! Unknown keys and references to operations, fields or models the docs do not have are errors with file:line.
//!
//! An overlay says two kinds of things, and they go two ways. What it corrects about the API (types,
//! idempotency, pagination) is written into the IR, which stays a description of the vendor's API. What it says
//! about the generated Rust (`rename`s and `enum`s) is returned beside the IR as [`RustNames`], which code
//! generation reads and `diff` reports as changes of the Rust API.

use crate::diag::Diagnostic;
use crate::ir::{Data, Field, Idempotency, Operation, Pagination, Response, Source, Type};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "overlay.toml";

/// What overlays say about the generated Rust rather than about the API: Rust names of fields and models, and
/// enumerations (a field's documented values, with Rust names). Produced by the overlay pass beside the IR, read by
/// code generation; keyed by each operation's doc file. Empty without overlays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RustNames {
    docs: BTreeMap<PathBuf, OperationRustNames>,
}

impl RustNames {
    /// Whether no overlay names anything.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The names an overlay gives in the operation documented by `doc` (none if it gives none).
    pub(crate) fn of(&self, doc: &Path) -> &OperationRustNames {
        static NONE: OperationRustNames = OperationRustNames { fields: Vec::new(), models: Vec::new() };
        self.docs.get(doc).unwrap_or(&NONE)
    }

    pub(crate) fn extend(&mut self, other: RustNames) {
        self.docs.extend(other.docs);
    }

    fn for_doc(&mut self, doc: &Path) -> &mut OperationRustNames {
        self.docs.entry(doc.to_path_buf()).or_default()
    }
}

/// The Rust names an overlay gives in one operation. Fields are addressed by path: `request.ImageType`,
/// `request.RuleSet.MetricID`, `response.TotalCount`, `model.ImageInfo.State`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OperationRustNames {
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

/// What an overlay says about one field's Rust side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldRustNames {
    pub path: String,
    /// The Rust field name (snake_case).
    pub rename: Option<String>,
    pub enumeration: Option<Enumeration>,
}

/// A closed set of documented values with Rust names; unknown values are still kept.
#[derive(Debug, Clone)]
pub(crate) struct Enumeration {
    /// The Rust type name.
    pub name: String,
    /// (variant name, wire value), in overlay order.
    pub variants: Vec<(String, String)>,
    /// Where the overlay declares it, for errors about it.
    pub source: Source,
}

/// Equal when name and values are: moving a declaration within `overlay.toml` changes no API (see `diff`).
impl PartialEq for Enumeration {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.variants == other.variants
    }
}

impl Eq for Enumeration {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OperationOverlay {
    idempotent: Option<Spanned<bool>>,
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
    rename: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldOverlay {
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
    let overlay: BTreeMap<Spanned<String>, OperationOverlay> = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(s.start)).unwrap_or(0);
        vec![Diagnostic::error(file, line, e.message().trim().to_string())]
    })?;
    let source_at = |offset: usize| Source { file: file.to_path_buf(), line: line_of(offset) };
    let mut names = RustNames::default();
    let mut errors = Vec::new();
    let mut err = |offset: usize, msg: String| errors.push(Diagnostic::error(file, line_of(offset), msg));
    for (name, spec) in overlay {
        let Some(op) = ops.iter_mut().find(|o| o.name == *name.get_ref()) else {
            let known: Vec<&str> = ops.iter().map(|o| o.name.as_str()).collect();
            err(
                name.span().start,
                format!("no operation `{}` in these docs (have: {})", name.get_ref(), known.join(", ")),
            );
            continue;
        };
        if let Some(idempotent) = spec.idempotent {
            op.idempotent = Idempotency { idempotent: *idempotent.get_ref(), reason: "set in overlay.toml".into() };
        }
        for (model, m) in &spec.models {
            if !op.models.iter().any(|x| x.name == *model.get_ref()) {
                err(model.span().start, format!("`{}` has no model `{}`", op.name, model.get_ref()));
            } else if !is_type_ident(m.rename.get_ref()) {
                err(m.rename.span().start, format!("`{}` is not an UpperCamelCase Rust type name", m.rename.get_ref()));
            } else {
                let models = &mut names.for_doc(&op.source.file).models;
                models.push((model.get_ref().clone(), m.rename.get_ref().clone()));
            }
        }
        for (path, f) in &spec.fields {
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
                Ok(pagination) => op.pagination = Some(pagination),
                Err(msg) => err(p.span().start, msg),
            }
        }
    }
    if errors.is_empty() {
        Ok(names)
    } else {
        Err(errors)
    }
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
    let field = find_field(op, path).ok_or_else(|| {
        (format!("`{op_name}` has no field `{path}` (expected request.<Name[.Member]>, response.<Name> or model.<Model>.<Name>)"), None)
    })?;
    if let Some(ty) = &f.ty {
        let parsed = parse_type(ty.get_ref(), &models).ok_or_else(|| {
            (
                format!(
                    "unknown type `{}`; expected string, int, float, bool, object, a model of this doc, or array[...]",
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
        if !matches!(field.ty, Type::String | Type::Int) {
            return Err((format!("an enum needs a single string or int field; `{path}` is {:?}", field.ty), at));
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
        names.enumeration = Some(Enumeration { name, variants, source: source_at(declared) });
    }
    Ok((names.rename.is_some() || names.enumeration.is_some()).then_some(names))
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

fn is_field_ident(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests;
