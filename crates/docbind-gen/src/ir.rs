//! The language-neutral IR every dialect produces and code generation consumes.
//!
//! It names things by their wire names only; Rust names are chosen by code generation. It serializes to JSON
//! deterministically (vectors in document order, no maps).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where something came from: the doc file and the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub file: PathBuf,
    pub line: usize,
}

/// The API family a doc belongs to; it decides the wire protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Ucloud,
    Finovy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Stable name: the UCloud Action (`GetUvodnImage`), or for Finovy the doc's file stem (`getList`).
    pub name: String,
    /// The doc's title (`获取镜像列表`).
    pub title: String,
    /// The doc's introduction, if any.
    pub summary: String,
    pub source: Source,
    pub protocol: Protocol,
    /// Whether retrying a failed call is safe, and why docbind thinks so.
    pub idempotent: Idempotency,
    pub request: Vec<Field>,
    pub response: Response,
    /// Named models of this doc, in document order.
    pub models: Vec<Model>,
    pub pagination: Option<Pagination>,
    pub errors: Vec<ErrorCode>,
    pub examples: Vec<Example>,
    /// Names and enumerations from `specs/<crate>/overlay.toml`; empty without an overlay.
    #[serde(default, skip_serializing_if = "Annotations::is_empty")]
    pub annotations: Annotations,
}

/// What an overlay adds that the docs cannot say: Rust names and typed enumerations.
/// Fields are addressed by path: `request.ImageType`, `request.RuleSet.MetricID`, `response.TotalCount`,
/// `model.ImageInfo.State`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotations {
    pub fields: Vec<FieldAnnotation>,
    /// Model (wire name) → Rust type name.
    pub model_names: Vec<(String, String)>,
}

impl Annotations {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.model_names.is_empty()
    }

    pub fn field(&self, path: &str) -> Option<&FieldAnnotation> {
        self.fields.iter().find(|f| f.path == path)
    }

    pub fn model_name(&self, model: &str) -> Option<&str> {
        self.model_names.iter().find(|(m, _)| m == model).map(|(_, rust)| rust.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldAnnotation {
    pub path: String,
    /// The Rust field name (snake_case).
    pub rust_name: Option<String>,
    pub enumeration: Option<Enumeration>,
}

/// A closed set of documented values with Rust names; unknown values are still kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Enumeration {
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Protocol {
    /// UCloud: POST a signed form with `Action=<action>`.
    Rpc { action: String },
    /// Finovy: a REST call.
    Http { method: String, path: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Idempotency {
    pub idempotent: bool,
    pub reason: String,
}

/// Where a request field travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// UCloud's flattened form parameters (`Name.0.Field`).
    Form,
    Query,
    Path,
    Header,
    /// A key of the JSON request body.
    Body,
    /// A field of a response, a model or a request group: no location of its own.
    Member,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The name on the wire, exactly as documented (`ImageType`, `imageId`, `Finovy-Access-Token`).
    pub wire_name: String,
    pub location: Location,
    pub ty: Type,
    pub required: bool,
    /// Whether `required` is what the doc says or docbind's inference; omitted from JSON when documented.
    #[serde(default, skip_serializing_if = "Requiredness::is_documented")]
    pub requiredness: Requiredness,
    pub description: String,
    pub source: Source,
}

/// Where a field's `required` comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Requiredness {
    /// The doc's own row says it.
    #[default]
    Documented,
    /// The doc has no row for it: a request group folded from `Name.Field` / `Name.N.Field` rows. It is optional;
    /// what its member rows mark required is required whenever the group is sent.
    Inferred,
}

impl Requiredness {
    pub fn is_documented(&self) -> bool {
        *self == Requiredness::Documented
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "of", rename_all = "lowercase")]
pub enum Type {
    String,
    /// 64-bit signed integer (UCloud ids and Finovy epoch milliseconds exceed i32).
    Int,
    Float,
    Bool,
    /// Free-form JSON (`object`, `json`).
    Json,
    /// A named model of the same operation, by name.
    Model(String),
    List(Box<Type>),
    /// An anonymous nested object of a request (`HealthCheckConfig.Port`, `RuleSet.N.MetricID`).
    Group(Vec<Field>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    pub fields: Vec<Field>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Response {
    /// UCloud: the fields beside the protocol's RetCode, Action and Message.
    Fields { fields: Vec<Field> },
    /// Finovy: the `data` member of the `{code, success, msg, data, traceId}` envelope.
    Envelope { data: Data },
}

/// The shape of a Finovy envelope's `data`, inferred from the response example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "lowercase")]
pub enum Data {
    /// No output table, or a boolean/absent `data`: kept as free-form JSON.
    Untyped,
    Scalar {
        ty: Type,
    },
    Object {
        fields: Vec<Field>,
    },
    List {
        fields: Vec<Field>,
    },
    /// `data: { <items>: [...], <total>: n }`.
    Page {
        items: String,
        total: String,
        fields: Vec<Field>,
    },
}

/// How an operation pages, when it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum Pagination {
    /// UCloud: `Offset`/`Limit` in, a list and `TotalCount` out.
    OffsetLimit { offset: String, limit: String, items: String, total: String },
    /// Finovy: `page`/`pageSize` in, a page of `data` out.
    PageNumber { page: String, page_size: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCode {
    pub code: String,
    pub description: String,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    pub kind: ExampleKind,
    /// The fence's info string.
    pub lang: String,
    pub text: String,
    /// Whether `text` is JSON the operation could send or receive: it parses, and a UCloud response example is an
    /// object (examples are smoke data, not type truth).
    pub is_json: bool,
    pub source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleKind {
    Request,
    Response,
}
