//! IR types → the Rust structs of one operation module (request, request groups, response, models).
//!
//! This is the only place that decides how a field is typed in Rust and which runtime slot or writer it uses;
//! `operation.rs` turns these definitions into tokens.

use super::names::{self, Scope};
use crate::ir::{Annotations, Data, Dialect, Field, Location, Operation, Requiredness, Response, Source, Type};

/// What one field holds, before `Option`/`Vec` wrapping.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Str,
    Int,
    Float,
    Bool,
    Json,
    /// A generated struct (model or request group), by Rust type name.
    Struct(String),
    /// A generated enumeration (from an overlay), by Rust type name; `int` tells how the wire value is typed.
    Enum {
        name: String,
        int: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// Always present (required request parameters).
    One,
    Optional,
    List,
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    pub ident: String,
    pub wire: String,
    pub shape: Shape,
    pub arity: Arity,
    pub location: Location,
    pub doc: String,
    /// Request fields only: a required list is a constructor argument like any required parameter.
    pub required: bool,
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
    pub fn in_constructor(&self) -> bool {
        self.required && matches!(self.arity, Arity::One | Arity::List)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructKind {
    /// A top-level request, or a nested request group: encoded, never decoded.
    Request,
    /// A response or model: decoded leniently, keeps `extra`.
    Decoded,
}

#[derive(Debug, Clone)]
pub struct StructDef {
    pub name: String,
    pub kind: StructKind,
    pub doc: String,
    pub fields: Vec<FieldDef>,
}

impl StructDef {
    /// Wire names that may carry credentials; such structs get a redacting `Debug`.
    pub fn has_secret(&self) -> bool {
        self.fields.iter().any(|f| is_secret_name(&f.wire))
    }
}

pub fn is_secret_name(wire: &str) -> bool {
    let lower = wire.to_ascii_lowercase();
    ["password", "passwd", "pwd", "secret", "token", "privatekey"].iter().any(|s| lower.contains(s))
        || lower.ends_with("pw")
}

/// How a Finovy `data` reaches the response struct.
#[derive(Debug, Clone, PartialEq)]
pub enum DataBinding {
    /// UCloud: the response struct decodes the top-level object.
    TopLevel,
    /// The response struct decodes `data` as an object.
    Object,
    /// `data` is a list; the response's field `field` receives it.
    List { field: String },
    /// `data` is a scalar or untyped value held in `field`.
    Value { field: String },
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub doc: String,
    pub variants: Vec<(String, String)>,
}

/// Rust naming choices shared by every struct of one operation module.
struct Namer<'a> {
    annotations: &'a Annotations,
    enums: Vec<EnumDef>,
    /// For each of `enums`: the first field path that declared it, and where.
    declared: Vec<(String, &'a Source)>,
}

impl Namer<'_> {
    fn ident(&self, path: &str, wire: &str) -> String {
        match self.annotations.field(path).and_then(|a| a.rust_name.clone()) {
            Some(name) => name,
            None => names::field_name(wire),
        }
    }

    /// The enum shape for an annotated single value, registering the enum once per module. One name with two
    /// sets of values is an error: a module holds one enum of a name.
    fn enumeration(&mut self, path: &str, field: &Field, shape: &Shape) -> Result<Option<Shape>, String> {
        let annotations = self.annotations;
        let Some(e) = annotations.field(path).and_then(|a| a.enumeration.as_ref()) else { return Ok(None) };
        match self.enums.iter().position(|known| known.name == e.name) {
            Some(i) if self.enums[i].variants != e.variants => {
                let (first_path, first) = &self.declared[i];
                return Err(format!(
                    "{}: enum `{}` of `{path}` lists other values than the enum `{}` of `{first_path}` ({}); one module \
                     has one enum of a name: give one of them another `name`",
                    at(&e.source),
                    e.name,
                    e.name,
                    at(first)
                ));
            }
            Some(_) => {}
            None => {
                self.enums.push(EnumDef {
                    name: e.name.clone(),
                    doc: field.description.clone(),
                    variants: e.variants.clone(),
                });
                self.declared.push((path.to_string(), &e.source));
            }
        }
        Ok(Some(Shape::Enum { name: e.name.clone(), int: *shape == Shape::Int }))
    }

    /// An enum must not take the name of a struct of its module, or of a standard type generated code names
    /// unqualified: either fails only when the generated crate is built.
    fn check_enum_names(&self, structs: &[(&StructDef, &str)]) -> Result<(), String> {
        for (e, (path, source)) in self.enums.iter().zip(&self.declared) {
            let clash = match structs.iter().find(|(s, _)| s.name == e.name) {
                Some((_, what)) => format!("the {what} `{}` of this operation", e.name),
                None if STD_TYPES.contains(&e.name.as_str()) => {
                    format!("Rust's `{}`, which generated code uses", e.name)
                }
                None => continue,
            };
            return Err(format!(
                "{}: enum `{}` of `{path}` is named like {clash}; give it another `name`",
                at(source),
                e.name
            ));
        }
        Ok(())
    }
}

/// Standard types generated modules name without a path.
const STD_TYPES: [&str; 5] = ["Box", "Option", "Result", "String", "Vec"];

/// `file:line` of an overlay declaration.
fn at(source: &Source) -> String {
    format!("{}:{}", source.file.display(), source.line)
}

/// Reserved member names: the field that keeps undeclared data.
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

pub fn build(op: &Operation, dialect: Dialect, rust: &OperationNames) -> Result<OperationDefs, String> {
    let base = rust.type_base.clone();
    // Type names inside this operation's module.
    let mut types = Scope::types();
    let request_name = types.claim(format!("{base}Request"));
    let response_name = types.claim(format!("{base}Response"));
    let model_names: Vec<(String, String)> = op
        .models
        .iter()
        .map(|m| {
            let rust =
                op.annotations.model_name(&m.name).map(str::to_string).unwrap_or_else(|| names::type_name(&m.name));
            (m.name.clone(), types.claim(rust))
        })
        .collect();
    let model_type = |name: &str| -> Result<String, String> {
        model_names
            .iter()
            .find(|(wire, _)| wire == name)
            .map(|(_, rust)| rust.clone())
            .ok_or_else(|| format!("{}: model `{name}` is not defined", op.name))
    };

    let mut namer = Namer { annotations: &op.annotations, enums: Vec::new(), declared: Vec::new() };
    let mut groups = Vec::new();
    let request_fields = request_fields(
        &op.request,
        "request",
        &request_name,
        &mut types,
        &mut groups,
        &model_type,
        dialect,
        &mut namer,
    )?;
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
            "`{}`, a model of {}.\n\nDefined at `{}` line {}.",
            model.name,
            title_of(op),
            model.source.file.display(),
            model.source.line
        );
        models.push(StructDef { name: rust.clone(), kind: StructKind::Decoded, doc, fields });
    }

    let response_doc = format!("What {} returns.", title_of(op));
    let (response_fields, binding) = match &op.response {
        Response::Fields { fields } => {
            (member_fields(fields, "response", &model_type, &mut namer)?, DataBinding::TopLevel)
        }
        Response::Envelope { data } => match data {
            Data::Object { fields } => {
                (member_fields(fields, "response", &model_type, &mut namer)?, DataBinding::Object)
            }
            Data::Page { items, total, fields } => {
                let item_name = types.claim(format!("{base}Item"));
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
                (page_fields, DataBinding::Object)
            }
            Data::List { fields } => {
                let item_name = types.claim(format!("{base}Item"));
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
                (vec![field], DataBinding::List { field: "items".into() })
            }
            Data::Scalar { ty } => {
                let field = FieldDef::data_member(
                    "value",
                    "data",
                    scalar_shape(ty, &model_type)?,
                    Arity::Optional,
                    "The value returned in `data`.",
                );
                (vec![field], DataBinding::Value { field: "value".into() })
            }
            Data::Untyped => {
                let doc = "`data` as received: the docs do not describe it.";
                let field = FieldDef::data_member("data", "data", Shape::Json, Arity::Optional, doc);
                (vec![field], DataBinding::Value { field: "data".into() })
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
            "The product index (`index.md`, `_sidebar.md`) does not link this doc: it links `{}` for the same \
             action, generated as `Client::{}`.",
            twin.file.display(),
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
    })
}

/// The item struct of a Finovy list or page.
fn item_model(name: String, doc: String, fields: Vec<FieldDef>) -> StructDef {
    StructDef { name, kind: StructKind::Decoded, doc, fields }
}

pub fn title_of(op: &Operation) -> String {
    if op.title.is_empty() {
        format!("`{}`", op.name)
    } else {
        format!("{} (`{}`)", op.title, op.name)
    }
}

fn scalar_shape(ty: &Type, model_type: &dyn Fn(&str) -> Result<String, String>) -> Result<Shape, String> {
    Ok(match ty {
        Type::String => Shape::Str,
        Type::Int => Shape::Int,
        Type::Float => Shape::Float,
        Type::Bool => Shape::Bool,
        Type::Json => Shape::Json,
        Type::Model(name) => Shape::Struct(model_type(name)?),
        Type::List(_) | Type::Group(_) => return Err(format!("unexpected nested type {ty:?}")),
    })
}

fn field_doc(field: &Field) -> String {
    let mut doc = field.description.trim().to_string();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(&format!("Wire name: `{}`.", field.wire_name));
    doc
}

/// Response and model members: always optional or lists, because servers omit what the docs require.
fn member_fields(
    fields: &[Field],
    prefix: &str,
    model_type: &dyn Fn(&str) -> Result<String, String>,
    namer: &mut Namer<'_>,
) -> Result<Vec<FieldDef>, String> {
    let mut scope = Scope::with_reserved(&[EXTRA]);
    fields
        .iter()
        .map(|f| {
            let path = format!("{prefix}.{}", f.wire_name);
            let (mut shape, arity) = match &f.ty {
                Type::List(inner) => (scalar_shape(inner, model_type)?, Arity::List),
                other => (scalar_shape(other, model_type)?, Arity::Optional),
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
#[allow(clippy::too_many_arguments)]
fn request_fields(
    fields: &[Field],
    prefix: &str,
    owner: &str,
    types: &mut Scope,
    groups: &mut Vec<StructDef>,
    model_type: &dyn Fn(&str) -> Result<String, String>,
    dialect: Dialect,
    namer: &mut Namer<'_>,
) -> Result<Vec<FieldDef>, String> {
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
                let group_fields = request_fields(members, &path, &name, types, groups, model_type, dialect, namer)?;
                groups.push(StructDef {
                    name: name.clone(),
                    kind: StructKind::Request,
                    doc: format!("The `{}` parameter group.", f.wire_name),
                    fields: group_fields,
                });
                Shape::Struct(name)
            }
            other => scalar_shape(other, model_type)?,
        };
        let shape = match (list, namer.enumeration(&path, f, &shape)?) {
            (false, Some(e)) => e,
            _ => shape,
        };
        let arity = if list {
            Arity::List
        } else if f.required {
            Arity::One
        } else {
            Arity::Optional
        };
        if dialect == Dialect::Finovy && (list || matches!(shape, Shape::Struct(_))) && f.location != Location::Body {
            return Err(format!(
                "line {}: list or object parameter `{}` outside the JSON body is not supported",
                f.source.line, f.wire_name
            ));
        }
        let mut doc = if f.description.is_empty() && matches!(shape, Shape::Struct(_)) {
            format!("Wire name: `{}`.", f.wire_name)
        } else {
            field_doc(f)
        };
        if f.required {
            doc.push_str(" Required.");
        }
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
