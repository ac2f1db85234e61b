//! The language-neutral IR every dialect produces and code generation consumes.
//!
//! It holds what the vendor's docs say (corrected by `overlay.toml` where they are wrong), named by wire names only:
//! Rust names are chosen by code generation, and what an overlay says about the generated Rust (renames,
//! enumerations) travels beside the IR, in `overlay::RustNames`. It serializes to JSON deterministically (vectors
//! in document order, no maps).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where something came from: the doc file and the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Source {
    /// The doc (or `overlay.toml`), as loaded.
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
}

/// The doc template a doc is written in (the registry is `dialect::DIALECTS`).
pub use crate::dialect::Dialect;

/// One documented API operation: one doc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Stable name: the UCloud Action (`GetUvodnImage`), or for Finovy the doc's file stem (`getList`).
    pub name: String,
    /// The doc's title (`获取镜像列表`).
    pub title: String,
    /// The doc's introduction, if any.
    pub summary: String,
    /// The doc and the line of its title.
    pub source: Source,
    /// How it is called.
    pub protocol: Protocol,
    /// Whether it only reads (and so may be repeated after any transient failure), and why docbind thinks so.
    pub access: Access,
    /// The request parameters, in document order.
    pub request: Vec<Field>,
    /// Request parameters the client fills from its configuration when a request leaves them unset (the vendor's
    /// common parameters: UCloud's `ProjectId`, `Region`, `Zone`), in request order. Omitted from JSON when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub common_parameters: Vec<CommonParameter>,
    /// What it returns.
    pub response: Response,
    /// Named models of this doc, in document order.
    pub models: Vec<Model>,
    /// How it pages, if it does (only an overlay says so).
    pub pagination: Option<Pagination>,
    /// The error codes the doc lists.
    pub errors: Vec<ErrorCode>,
    /// The doc's request and response examples.
    pub examples: Vec<Example>,
}

/// A request parameter every operation of a vendor may take, with a default from the client's configuration.
/// Its request field is optional whatever the doc's required column says; the doc's `required` of the field
/// still decides whether a call without it, from the request or the configuration, fails before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommonParameter {
    /// The top-level request parameter (`Region`).
    pub wire_name: String,
    /// The setting of the vendor's client configuration its default comes from (`region`).
    pub config: String,
}

/// How an operation is called on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Protocol {
    /// UCloud: POST a signed form with `Action=<action>`.
    Rpc {
        /// The `Action` parameter (`GetUvodnImage`).
        action: String,
    },
    /// Finovy: a REST call.
    Http {
        /// The HTTP method as documented (`GET`).
        method: String,
        /// The URL path (`/v1/open/image/getList`).
        path: String,
    },
    /// UFile/UArchive object storage: a REST call on a bucket's host, signed in the `Authorization` header, whose
    /// failures are an HTTP status with `{RetCode, ErrMsg}`.
    Object {
        /// The HTTP method (`PUT`).
        method: String,
        /// The object key's path parameter (`object_name` of `/<object_name>`), or none for a call on the bucket
        /// (`/`).
        key: Option<String>,
        /// Bare query flags the call is named by (`uploads` of `?uploads`), in order.
        flags: Vec<String>,
        /// The request body is the object (or a part of it): bytes the caller streams, of a known length.
        upload: bool,
        /// The response body is the object: streamed to the caller, not decoded.
        download: bool,
    },
}

/// Whether an operation only reads. A read-only operation is retried on every transient failure; any other only
/// when its request provably did not reach the service, so that a retry never repeats a state change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// Only reads: safe to repeat.
    pub read_only: bool,
    /// Why docbind thinks so (the action's verb, the HTTP method, or the overlay).
    pub reason: String,
}

/// Where a request field travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// UCloud's flattened form parameters (`Name.0.Field`).
    Form,
    /// A URL query parameter.
    Query,
    /// A URL path segment.
    Path,
    /// An HTTP header.
    Header,
    /// A key of the JSON request body.
    Body,
    /// A field of a response, a model or a request group: no location of its own.
    Member,
}

/// One documented parameter or member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The name on the wire, exactly as documented (`ImageType`, `imageId`, `Finovy-Access-Token`).
    pub wire_name: String,
    /// Where it travels.
    pub location: Location,
    /// Its documented type (overlay-corrected).
    pub ty: Type,
    /// Whether the doc marks it required.
    pub required: bool,
    /// Whether `required` is what the doc says or docbind's inference; omitted from JSON when documented.
    #[serde(default, skip_serializing_if = "Requiredness::is_documented")]
    pub requiredness: Requiredness,
    /// The doc's description, as text.
    pub description: String,
    /// The doc row.
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
    /// Whether the doc said it (serde skips the default).
    pub fn is_documented(&self) -> bool {
        *self == Requiredness::Documented
    }
}

/// A documented type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "of", rename_all = "lowercase")]
pub enum Type {
    /// Text.
    String,
    /// 64-bit signed integer (UCloud ids and Finovy epoch milliseconds exceed i32).
    Int,
    /// A floating-point number.
    Float,
    /// A boolean.
    Bool,
    /// Free-form JSON (`object`, `json`).
    Json,
    /// A map of text to text. A header field of this type whose wire name ends in `*` is every header of that
    /// prefix (UFile's user metadata `X-Ufile-Meta-*`), one entry per header.
    #[serde(rename = "text_map")]
    TextMap,
    /// A named model of the same operation, by name.
    Model(String),
    /// A list of the inner type (`array[...]`, UCloud's `Name.N`).
    List(Box<Type>),
    /// An anonymous nested object of a request (`HealthCheckConfig.Port`, `RuleSet.N.MetricID`).
    Group(Vec<Field>),
}

/// A named model (a `####` table of UCloud's responses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Its name in the doc (`ImageInfo`).
    pub name: String,
    /// Its members, in document order.
    pub fields: Vec<Field>,
    /// Its heading.
    pub source: Source,
}

/// What an operation returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Response {
    /// UCloud: the fields beside the protocol's RetCode, Action and Message.
    Fields {
        /// The documented response fields.
        fields: Vec<Field>,
    },
    /// Finovy: the `data` member of the `{code, success, msg, data, traceId}` envelope.
    Envelope {
        /// The shape of `data`.
        data: Data,
    },
}

/// The shape of a Finovy envelope's `data`, inferred from the response example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "lowercase")]
pub enum Data {
    /// No output table, or a boolean/absent `data`: kept as free-form JSON.
    Untyped,
    /// A single value.
    Scalar {
        /// Its type.
        ty: Type,
    },
    /// An object with the documented fields.
    Object {
        /// Its fields.
        fields: Vec<Field>,
    },
    /// A list of objects with the documented fields.
    List {
        /// The fields of each item.
        fields: Vec<Field>,
    },
    /// `data: { <items>: [...], <total>: n }`.
    Page {
        /// The key of the items.
        items: String,
        /// The key of the total count.
        total: String,
        /// The fields of each item.
        fields: Vec<Field>,
    },
}

/// How an operation pages, when it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum Pagination {
    /// UCloud: `Offset`/`Limit` in, a list and `TotalCount` out.
    OffsetLimit {
        /// The request's offset parameter.
        offset: String,
        /// The request's page size parameter.
        limit: String,
        /// The response's list of models.
        items: String,
        /// The response's total count.
        total: String,
    },
    /// Finovy: `page`/`pageSize` in, a page of `data` out.
    PageNumber {
        /// The request's page number parameter.
        page: String,
        /// The request's page size parameter.
        page_size: String,
    },
}

/// A documented error code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCode {
    /// The code.
    pub code: String,
    /// What the doc says it means.
    pub description: String,
    /// The doc row.
    pub source: Source,
}

/// A code example of the doc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// Request or response.
    pub kind: ExampleKind,
    /// The fence's info string.
    pub lang: String,
    /// The example, verbatim.
    pub text: String,
    /// Whether `text` is JSON the operation could send or receive: it parses, and a UCloud response example is an
    /// object (examples are smoke data, not type truth).
    pub is_json: bool,
    /// The fence.
    pub source: Source,
}

/// What an example shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleKind {
    /// A request.
    Request,
    /// A response.
    Response,
}
