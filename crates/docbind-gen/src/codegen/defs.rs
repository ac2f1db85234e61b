//! IR types → the Rust structs of one operation module (request, request groups, response, models).
//!
//! This is where a wire field becomes a Rust field: its name (overlay renames, collisions numbered) and its type
//! (`Shape`, `Arity`). It is the same for every vendor: `protocol/` picks the slots and writers for these
//! definitions, and `operation.rs` turns them into tokens.

use super::error::{CodegenError, CodegenErrorKind};
use super::names::{self, Scope};
use super::rustdoc::{code_span, vendor_text};
use crate::diag::Diagnostic;
use crate::ir::{Data, Field, Location, Operation, Requiredness, Response, Source, Type};
use crate::overlay::OperationRustNames;

/// What one field holds, before `Option`/`Vec` wrapping.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// `String`.
    Str,
    /// `i64`.
    Int,
    /// `f64`.
    Float,
    /// `bool`.
    Bool,
    /// Free-form JSON (`serde_json::Value`).
    Json,
    /// A map of text to text (`BTreeMap<String, String>`: sorted, so its order is deterministic).
    TextMap,
    /// A generated struct (model or request group), by Rust type name.
    Struct(String),
    /// A generated enumeration (from an overlay), by Rust type name.
    Enum {
        /// The enum's Rust type name.
        name: String,
        /// Whether the wire value is an integer (else a string).
        int: bool,
    },
}

/// How many values of its [`Shape`] a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// Always present (required request parameters).
    One,
    /// An `Option`.
    Optional,
    /// A `Vec`.
    List,
}

/// One field of a generated struct (read-only outside codegen).
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub(crate) ident: String,
    pub(crate) wire: String,
    pub(crate) shape: Shape,
    pub(crate) arity: Arity,
    pub(crate) location: Location,
    pub(crate) doc: String,
    /// Request fields only: a required list is a constructor argument like any required parameter.
    pub(crate) required: bool,
}

impl FieldDef {
    /// A member docbind adds around a Finovy `data` (page items and total, a list, a scalar).
    fn data_member(ident: &str, wire: &str, shape: Shape, arity: Arity, doc: &str) -> Self {
        FieldDef {
            ident: ident.into(),
            wire: wire.into(),
            shape,
            arity,
            location: Location::Member,
            doc: doc.into(),
            required: false,
        }
    }

    /// Whether `new(...)` takes this field.
    pub(crate) fn in_constructor(&self) -> bool {
        self.required && matches!(self.arity, Arity::One | Arity::List)
    }

    /// The Rust field name, unescaped (`type`; [`rust_ident`](crate::rust_ident) makes it `r#type`).
    pub fn name(&self) -> &str {
        &self.ident
    }

    /// The name on the wire (`ImageType`).
    pub fn wire(&self) -> &str {
        &self.wire
    }

    /// What the field holds.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// How many of it.
    pub fn arity(&self) -> Arity {
        self.arity
    }

    /// Its doc comment, as text.
    pub fn doc(&self) -> &str {
        &self.doc
    }
}

/// Whether a struct is sent or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructKind {
    /// A top-level request, or a nested request group: encoded, never decoded.
    Request,
    /// A response or model: decoded leniently, keeps `extra`.
    Decoded,
}

/// One generated struct: a request, a request group, a response or a model (read-only outside codegen).
#[derive(Debug, Clone)]
pub struct StructDef {
    pub(crate) name: String,
    pub(crate) kind: StructKind,
    pub(crate) doc: String,
    pub(crate) fields: Vec<FieldDef>,
}

impl StructDef {
    /// Whether a field's wire name may carry credentials (the runtime's list, `docbind_redact`); such structs get a
    /// redacting `Debug`.
    pub(crate) fn has_secret(&self) -> bool {
        self.fields.iter().any(|f| docbind_redact::is_secret_name(&f.wire))
    }

    /// The Rust type name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sent or received.
    pub fn kind(&self) -> StructKind {
        self.kind
    }

    /// Its doc comment, as text.
    pub fn doc(&self) -> &str {
        &self.doc
    }

    /// Its documented fields, in order (a received struct also has `extra`, which is not listed).
    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }
}

/// What decodes the response's object: the response struct itself, or one of its fields.
#[derive(Debug, Clone, PartialEq)]
pub enum DataBinding {
    /// The response struct decodes the object: UCloud's whole body, or a Finovy `data` object or page.
    Struct,
    /// The response's field `field` receives a Finovy `data` that is a list, a scalar or untyped.
    Field { field: String },
}

/// Everything generated for one operation.
#[derive(Debug, Clone)]
pub struct OperationDefs {
    pub module: String,
    pub method: String,
    pub request: StructDef,
    pub groups: Vec<StructDef>,
    pub response: StructDef,
    pub models: Vec<StructDef>,
    /// Enumerations from the overlay, each emitted once per module.
    pub enums: Vec<EnumDef>,
    pub binding: DataBinding,
    /// Said in the module's and the method's docs: the product index links a twin instead of this doc.
    pub twin_note: Option<String>,
    /// Names docbind had to change (a model named like a standard type), each at the line that named it.
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub doc: String,
    pub variants: Vec<(String, String)>,
    /// The overlay gives the wire values as integers (see [`crate::overlay::Enumeration::numbers`]).
    pub numbers: bool,
}

/// Rust naming choices shared by every struct of one operation module.
struct Namer<'a> {
    operation: &'a str,
    overlay: &'a OperationRustNames,
    enums: Vec<EnumDef>,
    /// For each of `enums`: the first field path that declared it, and where.
    declared: Vec<(String, &'a Source)>,
}

impl Namer<'_> {
    fn ident(&self, path: &str, wire: &str) -> String {
        match self.overlay.field(path).and_then(|a| a.rename.clone()) {
            Some(name) => name,
            None => names::field_name(wire),
        }
    }

    /// The enum shape for an annotated value (of a list's elements), registering the enum once per module. One name with two
    /// sets of values is an error: a module holds one enum of a name.
    fn enumeration(&mut self, path: &str, field: &Field, shape: &Shape) -> Result<Option<Shape>, CodegenError> {
        let overlay = self.overlay;
        let Some(e) = overlay.field(path).and_then(|a| a.enumeration.as_ref()) else { return Ok(None) };
        match self.enums.iter().position(|known| known.name == e.name) {
            Some(i) if self.enums[i].variants != e.variants => {
                let (first_path, first) = &self.declared[i];
                let kind = CodegenErrorKind::EnumValuesConflict {
                    name: e.name.clone(),
                    path: path.to_string(),
                    first_path: first_path.clone(),
                    first_at: format!("{}:{}", first.file.display(), first.line),
                };
                return Err(self.error_at(&e.source, kind));
            }
            Some(_) => {}
            None => {
                self.enums.push(EnumDef {
                    name: e.name.clone(),
                    doc: vendor_text(&field.description).into_owned(),
                    variants: e.variants.clone(),
                    numbers: e.numbers,
                });
                self.declared.push((path.to_string(), &e.source));
            }
        }
        Ok(Some(Shape::Enum { name: e.name.clone(), int: *shape == Shape::Int }))
    }

    /// An enum must not take the name of a struct of its module, or of a standard type generated code names
    /// unqualified: either fails only when the generated crate is built.
    fn check_enum_names(&self, structs: &[(&StructDef, &str)]) -> Result<(), CodegenError> {
        for (e, (path, source)) in self.enums.iter().zip(&self.declared) {
            let clash = match structs.iter().find(|(s, _)| s.name == e.name) {
                Some((_, what)) => format!("the {what} `{}` of this operation", e.name),
                None if STD_TYPES.contains(&e.name.as_str()) => {
                    format!("Rust's `{}`, which generated code uses", e.name)
                }
                None => continue,
            };
            let kind = CodegenErrorKind::EnumNameClash { name: e.name.clone(), path: path.clone(), clash };
            return Err(self.error_at(source, kind));
        }
        Ok(())
    }

    /// An error about an overlay declaration.
    fn error_at(&self, source: &Source, kind: CodegenErrorKind) -> CodegenError {
        CodegenError {
            operation: self.operation.to_string(),
            file: source.file.clone(),
            line: source.line,
            kind: Box::new(kind),
        }
    }
}

/// Standard types generated modules name without a path.
const STD_TYPES: [&str; 5] = ["Box", "Option", "Result", "String", "Vec"];

/// Reserved member names: the field that keeps undeclared data (the runtime's `__decode!` and
/// `__finovy_decode_response!` read it by this name).
pub const EXTRA: &str = "extra";

/// The Rust names of one operation: its module (also its `Client` method) and the stem of its type names.
/// Usually derived from the operation's name; see `names::operation_names` for documented twins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationNames {
    pub module: String,
    pub type_base: String,
    /// The twin the product index links instead of this doc, if any.
    pub indexed_twin: Option<names::IndexedTwin>,
}

/// The Rust definitions of `op`, named `rust`, with the names its overlay gives (`overlay`).
pub(crate) fn build(
    op: &Operation,
    overlay: &OperationRustNames,
    rust: &OperationNames,
) -> Result<OperationDefs, CodegenError> {
    let base = rust.type_base.clone();
    // Type names inside this operation's module.
    let mut types = Scope::types();
    let request_name = types.claim(format!("{base}Request"));
    let response_name = types.claim(format!("{base}Response"));
    let mut warnings = Vec::new();
    let model_names: Vec<(String, String)> = op
        .models
        .iter()
        .map(|m| {
            let mut rust = overlay.model_name(&m.name).map(str::to_string).unwrap_or_else(|| names::type_name(&m.name));
            if let Some(why) = names::reserved_type(&rust) {
                let renamed = format!("{}Model", rust.trim_end_matches('_'));
                warnings.push(Diagnostic::warning(
                    &m.source.file,
                    m.source.line,
                    format!("model `{}` would be the struct `{rust}`, {why}; generated as `{renamed}`", m.name),
                ));
                rust = renamed;
            }
            (m.name.clone(), types.claim(rust))
        })
        .collect();
    let model_type = ModelTypes { op, names: &model_names };

    let mut namer = Namer { operation: &op.name, overlay, enums: Vec::new(), declared: Vec::new() };
    let mut groups = Vec::new();
    let mut request_fields =
        request_fields(&op.request, "request", &request_name, &mut types, &mut groups, &model_type, &mut namer)?;
    defer_to_config(&mut request_fields, op);
    let request = StructDef {
        name: request_name,
        kind: StructKind::Request,
        doc: format!("Parameters of {}.", title_of(op)),
        fields: request_fields,
    };

    let mut models = Vec::new();
    for (model, (_, rust)) in op.models.iter().zip(&model_names) {
        let fields = member_fields(&model.fields, &format!("model.{}", model.name), &model_type, &mut namer)?;
        let doc = format!(
            "{}, a model of {}.\n\n{}",
            code_span(&model.name),
            title_of(op),
            super::operation::declared_at(op, &model.source)
        );
        models.push(StructDef { name: rust.clone(), kind: StructKind::Decoded, doc, fields });
    }

    let response_doc = format!("What {} returns.", title_of(op));
    let (response_fields, binding) = match &op.response {
        Response::Fields { fields } => {
            (member_fields(fields, "response", &model_type, &mut namer)?, DataBinding::Struct)
        }
        Response::Envelope { data } => match data {
            Data::Object { fields } => {
                (member_fields(fields, "response", &model_type, &mut namer)?, DataBinding::Struct)
            }
            Data::Page { items, total, fields } => {
                let item_name = types.claim(item_type_name(fields, &base));
                let doc = format!("One item of the page {} returns.", title_of(op));
                models.push(item_model(
                    item_name.clone(),
                    doc,
                    member_fields(fields, "response", &model_type, &mut namer)?,
                ));
                let page_fields = vec![
                    FieldDef::data_member(
                        &names::field_name(items),
                        items,
                        Shape::Struct(item_name),
                        Arity::List,
                        "The items of this page.",
                    ),
                    FieldDef::data_member(
                        &names::field_name(total),
                        total,
                        Shape::Int,
                        Arity::Optional,
                        "How many items there are over all pages.",
                    ),
                ];
                (page_fields, DataBinding::Struct)
            }
            Data::List { fields } => {
                let item_name = types.claim(item_type_name(fields, &base));
                let doc = format!("One item of the list {} returns.", title_of(op));
                models.push(item_model(
                    item_name.clone(),
                    doc,
                    member_fields(fields, "response", &model_type, &mut namer)?,
                ));
                let field = FieldDef::data_member(
                    "items",
                    "data",
                    Shape::Struct(item_name),
                    Arity::List,
                    "The items returned in `data`.",
                );
                (vec![field], DataBinding::Field { field: "items".into() })
            }
            Data::Scalar { ty } => {
                let field = FieldDef::data_member(
                    "value",
                    "data",
                    scalar_shape(ty, ty, "data", op.source.line, &model_type)?,
                    Arity::Optional,
                    "The value returned in `data`.",
                );
                (vec![field], DataBinding::Field { field: "value".into() })
            }
            Data::Untyped => {
                let doc = "`data` as received: the docs do not describe it.";
                let field = FieldDef::data_member("data", "data", Shape::Json, Arity::Optional, doc);
                (vec![field], DataBinding::Field { field: "data".into() })
            }
        },
    };
    let response =
        StructDef { name: response_name, kind: StructKind::Decoded, doc: response_doc, fields: response_fields };
    let structs: Vec<(&StructDef, &str)> = [(&request, "request struct"), (&response, "response struct")]
        .into_iter()
        .chain(groups.iter().map(|g| (g, "request group struct")))
        .chain(models.iter().map(|m| (m, "model struct")))
        .collect();
    namer.check_enum_names(&structs)?;

    let twin_note = rust.indexed_twin.as_ref().map(|twin| {
        format!(
            "The product index (`index.md`, `_sidebar.md`) does not link this doc: it links {} for the same \
             action, generated as `Client::{}`.",
            code_span(&twin.file.display().to_string()),
            twin.module
        )
    });
    Ok(OperationDefs {
        twin_note,
        module: rust.module.clone(),
        method: rust.module.clone(),
        request,
        groups,
        response,
        models,
        enums: namer.enums,
        binding,
        warnings,
    })
}

/// The type of a Finovy list's items, named after what they are: the word most of their fields begin with
/// (`imageId`, `imageName`, `imageType` → `Image`), when at least two share it and no other word ties; else
/// `<Operation>Item`.
fn item_type_name(fields: &[Field], base: &str) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for f in fields {
        let snake = names::field_name(&f.wire_name);
        let Some(word) = snake.split('_').next().filter(|w| w.len() >= 3 && w.len() < snake.len()) else { continue };
        match counts.iter_mut().find(|(w, _)| w == word) {
            Some((_, n)) => *n += 1,
            None => counts.push((word.to_string(), 1)),
        }
    }
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let mut leaders = counts.iter().filter(|(_, n)| *n == most);
    match (leaders.next(), leaders.next()) {
        (Some((word, n)), None) if *n >= 2 => names::type_name(word),
        _ => format!("{base}Item"),
    }
}

/// The item struct of a Finovy list or page.
fn item_model(name: String, doc: String, fields: Vec<FieldDef>) -> StructDef {
    StructDef { name, kind: StructKind::Decoded, doc, fields }
}

pub fn title_of(op: &Operation) -> String {
    if op.title.is_empty() {
        code_span(&op.name)
    } else {
        format!("{} ({})", vendor_text(&op.title), code_span(&op.name))
    }
}

/// The Rust type names of one operation's models, by wire name.
struct ModelTypes<'a> {
    op: &'a Operation,
    names: &'a [(String, String)],
}

impl ModelTypes<'_> {
    fn error(&self, line: usize, kind: CodegenErrorKind) -> CodegenError {
        CodegenError::at_line(self.op, line, kind)
    }
}

/// The shape of one value of type `ty`, which is (an element of) `whole`, the type of `field` at `line`.
fn scalar_shape(
    ty: &Type,
    whole: &Type,
    field: &str,
    line: usize,
    models: &ModelTypes<'_>,
) -> Result<Shape, CodegenError> {
    Ok(match ty {
        Type::String => Shape::Str,
        Type::Int => Shape::Int,
        Type::Float => Shape::Float,
        Type::Bool => Shape::Bool,
        Type::Json => Shape::Json,
        // A map is a whole field's type, never an element of a list.
        Type::TextMap if ty == whole => Shape::TextMap,
        Type::Model(name) => match models.names.iter().find(|(wire, _)| wire == name) {
            Some((_, rust)) => Shape::Struct(rust.clone()),
            None => {
                let kind = CodegenErrorKind::UndefinedModel { field: field.to_string(), model: name.clone() };
                return Err(models.error(line, kind));
            }
        },
        Type::TextMap | Type::List(_) | Type::Group(_) => {
            let kind = CodegenErrorKind::NestedType { field: field.to_string(), ty: crate::diff::type_name(whole) };
            return Err(models.error(line, kind));
        }
    })
}

/// The shape of `field`'s values (of its elements, for a list `inner`).
fn field_shape(inner: &Type, field: &Field, models: &ModelTypes<'_>) -> Result<Shape, CodegenError> {
    scalar_shape(inner, &field.ty, &field.wire_name, field.source.line, models)
}

fn field_doc(field: &Field) -> String {
    let mut doc = vendor_text(field.description.trim()).into_owned();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(&format!("Wire name: {}.", code_span(&field.wire_name)));
    doc
}

/// What a map standing for every header of a prefix (`X-Ufile-Meta-*`) holds, as sent or received; else nothing.
fn header_family_note(field: &Field, request: bool) -> String {
    let prefix = match (&field.ty, field.location, field.wire_name.strip_suffix('*')) {
        (Type::TextMap, Location::Header, Some(prefix)) => code_span(&format!("{prefix}<name>")),
        _ => return String::new(),
    };
    if request {
        format!(
            "\n\nEach entry is sent as the header {prefix}. A name that is empty, not an HTTP token or another's but \
             for case, or a value with a control character or white space at an end, fails the call with \
             `Error::InvalidRequest` before anything is sent."
        )
    } else {
        format!(
            "\n\nEvery header {prefix} received, by its name in lower case (header names are case-insensitive). \
             Nothing is altered: a value that is not UTF-8 is left out of the map and kept in `extra` under the \
             header's lower-case name, as an array of its bytes; a repeated header's further values are kept in \
             `extra` under `<header>.<n>`."
        )
    }
}

/// Common parameters (`ir::CommonParameter`) are optional whatever the doc's required column says: the client
/// fills an unset one from its configuration, and fails before sending when neither sets a required one.
fn defer_to_config(fields: &mut [FieldDef], op: &Operation) {
    for common in &op.common_parameters {
        let Some(field) =
            fields.iter_mut().find(|f| f.wire == common.wire_name && f.arity != Arity::List && f.shape == Shape::Str)
        else {
            continue;
        };
        let config = code_span(&format!("Config::{}", common.config));
        let when_unset = if field.required {
            field.doc = field.doc.trim_end_matches(" Required.").to_string();
            format!(
                " Required: when unset, the client's {config} is sent, and without one the call fails before \
                 sending."
            )
        } else {
            format!(" When unset, the client's {config} is sent, if it has one.")
        };
        field.doc.push_str(&when_unset);
        field.arity = Arity::Optional;
        field.required = false;
    }
}

/// Response and model members: always optional or lists, because servers omit what the docs require.
fn member_fields(
    fields: &[Field],
    prefix: &str,
    model_type: &ModelTypes<'_>,
    namer: &mut Namer<'_>,
) -> Result<Vec<FieldDef>, CodegenError> {
    let mut scope = Scope::with_reserved(&[EXTRA]);
    fields
        .iter()
        .map(|f| {
            let path = format!("{prefix}.{}", f.wire_name);
            let (mut shape, arity) = match &f.ty {
                Type::List(inner) => (field_shape(inner, f, model_type)?, Arity::List),
                other => (field_shape(other, f, model_type)?, Arity::Optional),
            };
            if arity != Arity::List {
                if let Some(e) = namer.enumeration(&path, f, &shape)? {
                    shape = e;
                }
            }
            let mut doc = field_doc(f);
            if f.required {
                doc.push_str(" Documented as always present.");
            }
            doc.push_str(&header_family_note(f, false));
            Ok(FieldDef {
                ident: scope.claim(namer.ident(&path, &f.wire_name)),
                wire: f.wire_name.clone(),
                shape,
                arity,
                location: f.location,
                doc,
                required: false,
            })
        })
        .collect()
}

/// Request members: required ones are plain values, optional ones `Option`, lists `Vec`; groups become structs.
fn request_fields(
    fields: &[Field],
    prefix: &str,
    owner: &str,
    types: &mut Scope,
    groups: &mut Vec<StructDef>,
    model_type: &ModelTypes<'_>,
    namer: &mut Namer<'_>,
) -> Result<Vec<FieldDef>, CodegenError> {
    let mut scope = Scope::default();
    let mut out = Vec::new();
    for f in fields {
        let path = format!("{prefix}.{}", f.wire_name);
        let (inner, list) = match &f.ty {
            Type::List(inner) => (inner.as_ref(), true),
            other => (other, false),
        };
        let shape = match inner {
            Type::Group(members) => {
                let stem = owner.strip_suffix("Request").unwrap_or(owner);
                let name = types.claim(format!("{stem}{}", names::type_name(&f.wire_name)));
                let group_fields = request_fields(members, &path, &name, types, groups, model_type, namer)?;
                groups.push(StructDef {
                    name: name.clone(),
                    kind: StructKind::Request,
                    doc: format!("The {} parameter group.", code_span(&f.wire_name)),
                    fields: group_fields,
                });
                Shape::Struct(name)
            }
            other => field_shape(other, f, model_type)?,
        };
        // A request may send a list of enum values; the overlay allows no other enumerated list.
        let shape = namer.enumeration(&path, f, &shape)?.unwrap_or(shape);
        let arity = if list {
            Arity::List
        } else if f.required {
            Arity::One
        } else {
            Arity::Optional
        };
        let mut doc = if f.description.is_empty() && matches!(shape, Shape::Struct(_)) {
            format!("Wire name: {}.", code_span(&f.wire_name))
        } else {
            field_doc(f)
        };
        if f.required {
            doc.push_str(" Required.");
        }
        doc.push_str(&header_family_note(f, true));
        if f.requiredness == Requiredness::Inferred {
            doc.push_str(
                " The docs have no row for it, only for its members: it is optional, and the members they mark \
                 required are arguments of the group's `new`.",
            );
        }
        out.push(FieldDef {
            ident: scope.claim(namer.ident(&path, &f.wire_name)),
            wire: f.wire_name.clone(),
            shape,
            arity,
            location: f.location,
            doc,
            required: f.required,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(names: &[&str]) -> Vec<Field> {
        let source = Source { file: "f/1.getList.md".into(), line: 1 };
        names
            .iter()
            .map(|name| Field {
                wire_name: (*name).to_string(),
                location: Location::Member,
                ty: Type::String,
                required: false,
                requiredness: Requiredness::Documented,
                description: String::new(),
                source: source.clone(),
            })
            .collect()
    }

    #[test]
    fn list_items_are_named_after_the_word_their_fields_share() {
        let image = fields(&["id", "imageId", "imageType", "imageName", "status", "createTime"]);
        assert_eq!(item_type_name(&image, "GetList"), "Image");
        // Nothing shared by two, a tie, or a word too short to name anything: the operation's item.
        assert_eq!(item_type_name(&fields(&["imageId", "status"]), "GetList"), "GetListItem");
        assert_eq!(item_type_name(&fields(&["hostId", "hostName", "diskId", "diskSize"]), "Info"), "InfoItem");
        assert_eq!(item_type_name(&fields(&["idA", "idB"]), "Info"), "InfoItem");
    }
}
