//! The validation after corrections: one pass over every operation once the overlays are applied, so that nothing
//! accepted fails to compile. Every field that pagination, waiters, request encoders or enumerations rely on must
//! have a type they accept, and every name an overlay gives must be unique where it lands.
//!
//! Each problem is located where it comes from: the overlay line that corrected the field, declared the enum, the
//! waiter or the pagination (an error of the maintainer's own file, whatever generation skips), or else the doc's
//! row (the doc is invalid, like a doc that does not parse).

use crate::codegen::names;
use crate::diag::Diagnostic;
use crate::ir::{Data, Field, Location, Operation, Pagination, Protocol, Response, Source, Type};
use crate::overlay::RustNames;
use std::path::PathBuf;

/// What the validation found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// Problems an overlay causes or declares.
    pub overlay: Vec<Diagnostic>,
    /// Problems of the docs alone, by doc.
    pub docs: Vec<(PathBuf, Vec<Diagnostic>)>,
}

/// Validates every operation of `ops` against what generated code relies on.
pub(crate) fn check(ops: &[&Operation], names: &RustNames) -> Findings {
    let mut findings = Findings::default();
    for op in ops {
        let mut check = Check { op, names, overlay: Vec::new(), doc: Vec::new() };
        check.pagination();
        check.enumerations();
        check.request_encoding(&op.request, "request");
        check.corrected_types();
        check.field_renames();
        findings.overlay.append(&mut check.overlay);
        if !check.doc.is_empty() {
            findings.docs.push((op.source.file.clone(), check.doc));
        }
    }
    for waiter in names.waiters() {
        let polled = ops.iter().find(|o| o.name == waiter.operation && o.source.file == waiter.doc);
        if let Some(message) = polled.and_then(|op| waiter_problem(op, names, waiter)) {
            let (file, line) = (&waiter.source.file, waiter.source.line);
            findings.overlay.push(Diagnostic::error(file, line, format!("waiter `{}`: {message}", waiter.name)));
        }
    }
    findings
}

/// One operation's checks, collecting its findings.
struct Check<'a> {
    op: &'a Operation,
    names: &'a RustNames,
    overlay: Vec<Diagnostic>,
    doc: Vec<Diagnostic>,
}

impl Check<'_> {
    /// Reports `message` about the field at `path` (or the operation): at the overlay line that corrected or
    /// annotated it, else at `declared` (an overlay declaration relying on it), else at the doc's row.
    fn fail(&mut self, path: &str, field: Option<&Field>, declared: Option<&Source>, message: String) {
        let doc = &self.op.source.file;
        let enumeration = self.names.of(doc).field(path).and_then(|f| f.enumeration.as_ref()).map(|e| &e.source);
        let message = format!("operation {}: {message}", self.op.name);
        match self.names.correction(doc, path).or(enumeration).or(declared) {
            Some(at) => self.overlay.push(Diagnostic::error(&at.file, at.line, message)),
            None => {
                let line = field.map_or(self.op.source.line, |f| f.source.line);
                self.doc.push(Diagnostic::error(doc, line, message));
            }
        }
    }

    fn has_enum(&self, path: &str) -> bool {
        self.names.of(&self.op.source.file).field(path).is_some_and(|f| f.enumeration.is_some())
    }

    /// Paging reads the position and size as integers, the items as models and the total as an integer.
    fn pagination(&mut self) {
        let Some(pagination) = &self.op.pagination else { return };
        let declared = self.names.correction(&self.op.source.file, "pagination");
        let what = if declared.is_some() { "the overlay's pagination" } else { "pagination (from the docs)" };
        let request = &self.op.request;
        let (position, size) = match pagination {
            Pagination::OffsetLimit { offset, limit, items, total } => {
                let Response::Fields { fields } = &self.op.response else {
                    let message = format!("{what} by offset and limit needs a UCloud response");
                    return self.fail("pagination", None, declared, message);
                };
                match fields.iter().find(|f| f.wire_name == *items) {
                    Some(f) if matches!(&f.ty, Type::List(inner) if self.is_model(inner)) => {}
                    found => {
                        let message = format!(
                            "{what} pages the items `{items}`, which {}; expected a list of models of this doc",
                            describe(found)
                        );
                        self.fail(&format!("response.{items}"), found, declared, message);
                    }
                }
                self.int_field(fields, "response", total, "total", what, declared);
                ((offset, "offset"), (limit, "limit"))
            }
            Pagination::PageNumber { page, page_size } => {
                if !matches!(self.op.response, Response::Envelope { data: Data::Page { .. } }) {
                    let message = format!("{what} by page number needs a paged `data` in the response");
                    return self.fail("pagination", None, declared, message);
                }
                ((page, "page"), (page_size, "page size"))
            }
        };
        for (name, role) in [position, size] {
            self.int_field(request, "request", name, role, what, declared);
        }
    }

    /// A field paging reads as an integer: it exists, is an int, and has no enum.
    fn int_field(
        &mut self,
        fields: &[Field],
        root: &str,
        name: &str,
        role: &str,
        what: &str,
        declared: Option<&Source>,
    ) {
        let path = format!("{root}.{name}");
        let found = fields.iter().find(|f| f.wire_name == name);
        match found {
            Some(f) if f.ty == Type::Int && !self.has_enum(&path) => {}
            Some(f) if f.ty == Type::Int => {
                let message = format!("{what} reads the {role} `{path}` as an integer; it cannot be an enum");
                self.fail(&path, Some(f), declared, message);
            }
            _ => {
                let message = format!("{what} reads the {role} `{path}`, which {}; expected an int", describe(found));
                self.fail(&path, found, declared, message);
            }
        }
    }

    fn is_model(&self, ty: &Type) -> bool {
        matches!(ty, Type::Model(m) if self.op.models.iter().any(|model| model.name == *m))
    }

    /// An enumeration is a string or an integer on the wire (a request may send a list of them).
    fn enumerations(&mut self) {
        let declared = &self.names.of(&self.op.source.file).fields;
        for annotated in declared.iter().filter(|f| f.enumeration.is_some()) {
            let path = annotated.path.as_str();
            let found = field_at(self.op, path);
            let fits = |ty: &Type| matches!(ty, Type::String | Type::Int);
            let ok = found.is_some_and(|f| match &f.ty {
                Type::List(inner) => path.starts_with("request.") && fits(inner),
                ty => fits(ty),
            });
            if !ok {
                let message = format!(
                    "the enum of `{path}` needs a string or int field, or a request list of them; it {}",
                    describe(found)
                );
                self.fail(path, found, None, message);
            }
        }
    }

    /// Finovy sends lists and objects (maps too) only as keys of the JSON body; UCloud's flattened form carries every shape.
    /// Only what an overlay typed is checked here: code generation rejects a doc's own rows with their line.
    fn request_encoding(&mut self, fields: &[Field], prefix: &str) {
        if !matches!(self.op.protocol, Protocol::Http { .. }) {
            return;
        }
        for f in fields {
            let path = format!("{prefix}.{}", f.wire_name);
            let structured = matches!(f.ty, Type::List(_) | Type::Group(_) | Type::Model(_) | Type::TextMap);
            let corrected = self.names.correction(&self.op.source.file, &path).is_some();
            if structured && f.location != Location::Body && corrected {
                let location = format!("{:?}", f.location).to_lowercase();
                let message = format!(
                    "`{path}` is {} in the {location}; Finovy requests send lists and objects only in the JSON body",
                    crate::diff::type_name(&f.ty),
                );
                self.fail(&path, Some(f), None, message);
            }
            if let Type::Group(members) = &f.ty {
                self.request_encoding(members, &path);
            }
        }
    }

    /// A type an overlay writes must have a shape in generated code: no list of lists or of maps.
    fn corrected_types(&mut self) {
        let doc = self.op.source.file.clone();
        let mut paths: Vec<String> = Vec::new();
        for f in &self.op.request {
            paths.push(format!("request.{}", f.wire_name));
        }
        for f in response_fields(self.op) {
            paths.push(format!("response.{}", f.wire_name));
        }
        for m in &self.op.models {
            paths.extend(m.fields.iter().map(|f| format!("model.{}.{}", m.name, f.wire_name)));
        }
        for path in paths {
            if self.names.correction(&doc, &path).is_none() {
                continue;
            }
            let Some(f) = field_at(self.op, &path) else { continue };
            let Type::List(inner) = &f.ty else { continue };
            let nested = match **inner {
                Type::List(_) => "lists",
                Type::TextMap => "maps",
                _ => continue,
            };
            let message = format!(
                "`{path}` is {}: generated code has no shape for a list of {nested}",
                crate::diff::type_name(&f.ty)
            );
            self.fail(&path, Some(f), None, message);
        }
    }

    /// An overlay's field name must be unique in its struct (and not `extra`, which every struct has).
    fn field_renames(&mut self) {
        let op = self.op;
        let mut structs: Vec<(String, &[Field])> = vec![("request".into(), &op.request)];
        for f in &op.request {
            let members = match &f.ty {
                Type::Group(m) => Some(m),
                Type::List(inner) => match inner.as_ref() {
                    Type::Group(m) => Some(m),
                    _ => None,
                },
                _ => None,
            };
            if let Some(members) = members {
                structs.push((format!("request.{}", f.wire_name), members));
            }
        }
        structs.push(("response".into(), response_fields(op)));
        for m in &op.models {
            structs.push((format!("model.{}", m.name), &m.fields));
        }
        let names = self.names.of(&op.source.file);
        for (prefix, fields) in structs {
            let rust: Vec<(String, Option<&str>)> = fields
                .iter()
                .map(|f| {
                    let path = format!("{prefix}.{}", f.wire_name);
                    let rename = names.field(&path).and_then(|a| a.rename.as_deref());
                    (path, rename)
                })
                .collect();
            let name_of = |i: usize| rust[i].1.map_or_else(|| names::field_name(&fields[i].wire_name), str::to_string);
            for (i, (path, rename)) in rust.iter().enumerate() {
                let Some(rename) = rename else { continue };
                let clash = if *rename == "extra" {
                    Some("the `extra` every generated struct has".to_string())
                } else {
                    (0..fields.len())
                        .find(|&j| j != i && name_of(j) == *rename)
                        .map(|j| format!("the Rust name of `{}`", rust[j].0))
                };
                if let Some(clash) = clash {
                    let at = self.names.correction(&op.source.file, &format!("{path} rename")).cloned();
                    let message = format!("`{path}` is renamed `{rename}`, {clash}; pick another `rename`");
                    self.fail(path, Some(&fields[i]), at.as_ref(), message);
                }
            }
        }
    }
}

/// What a waiter relies on: a scalar id (or a list of them) without an enum, a list of models holding items whose
/// id is a string or int, and a string or int state.
fn waiter_problem(op: &Operation, names: &RustNames, w: &crate::overlay::Waiter) -> Option<String> {
    let scalar = |ty: &Type| matches!(ty, Type::String | Type::Int);
    let id = op.request.iter().find(|f| f.wire_name == w.id);
    match id {
        Some(f) if scalar(&f.ty) || matches!(&f.ty, Type::List(inner) if scalar(inner)) => {}
        found => return Some(format!("the id `request.{}` {}; expected a string or int", w.id, describe(found))),
    }
    let id_path = format!("request.{}", w.id);
    if names.of(&op.source.file).field(&id_path).is_some_and(|f| f.enumeration.is_some()) {
        return Some(format!("the id `{id_path}` has an enum; a waiter takes the id as a plain string or int"));
    }
    if let Some((items, item_id)) = &w.items {
        let list = response_fields(op).iter().find(|f| f.wire_name == *items);
        let Some(Type::List(inner)) = list.map(|f| &f.ty) else {
            return Some(format!("`response.{items}` {}; expected a list of models", describe(list)));
        };
        let Type::Model(model) = inner.as_ref() else {
            return Some(format!("`response.{items}` {}; expected a list of models", describe(list)));
        };
        let item_path = format!("model.{model}.{item_id}");
        let key = field_at(op, &item_path);
        if !key.is_some_and(|f| scalar(&f.ty)) {
            return Some(format!("the item id `{item_path}` {}; expected a string or int", describe(key)));
        }
    }
    let state = field_at(op, &w.state_path);
    if !state.is_some_and(|f| scalar(&f.ty)) {
        return Some(format!("the state `{}` {}; expected a string or int", w.state_path, describe(state)));
    }
    None
}

/// How a field found (or not) reads in a message: `is array[string]`, `is missing`.
fn describe(field: Option<&Field>) -> String {
    match field {
        Some(f) => format!("is {}", crate::diff::type_name(&f.ty)),
        None => "is missing".into(),
    }
}

/// The fields of a response that has them.
fn response_fields(op: &Operation) -> &[Field] {
    match &op.response {
        Response::Fields { fields } => fields,
        Response::Envelope { data: Data::Object { fields } | Data::List { fields } | Data::Page { fields, .. } } => {
            fields
        }
        Response::Envelope { data: Data::Scalar { .. } | Data::Untyped } => &[],
    }
}

/// `request.A.B`, `response.X`, `model.M.X` → the IR field, read-only.
fn field_at<'a>(op: &'a Operation, path: &str) -> Option<&'a Field> {
    let (root, rest) = path.split_once('.')?;
    match root {
        "request" => {
            let mut fields = op.request.as_slice();
            let mut parts = rest.split('.').peekable();
            loop {
                let name = parts.next()?;
                let field = fields.iter().find(|f| f.wire_name == name)?;
                if parts.peek().is_none() {
                    return Some(field);
                }
                fields = match &field.ty {
                    Type::Group(members) => members,
                    Type::List(inner) => match inner.as_ref() {
                        Type::Group(members) => members,
                        _ => return None,
                    },
                    _ => return None,
                };
            }
        }
        "response" => response_fields(op).iter().find(|f| f.wire_name == rest),
        "model" => {
            let (model, name) = rest.split_once('.')?;
            op.models.iter().find(|m| m.name == model)?.fields.iter().find(|f| f.wire_name == name)
        }
        _ => None,
    }
}
