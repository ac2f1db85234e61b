//! UFile's and UArchive's hand-written REST pages (object storage): a title `中文 - Name`, a `Syntax` code block
//! whose first line is the request line (`PUT /<object_name>?uploads HTTP/1.1`), and tables labelled by headings
//! or bold paragraphs: request headers, request elements, response headers, response elements, and item tables.
//!
//! The syntax line is what the URL is: a request row named in its query is a query parameter, wherever the page
//! put it. What the protocol owns (`Authorization`, `Host`, `Content-Length`, `X-SessionId`, the error body's
//! `RetCode` and `ErrMsg`) is not a field. A response "header" row that cannot be a header (no `-`, and not
//! `ETag`) is a key of the JSON body, as the page's own example shows.

use super::common::{example, push_unique, Sink};
use crate::diag::Rejection;
use crate::ir::{Access, ExampleKind, Field, Location, Model, Operation, Protocol, Requiredness, Response, Type};
use crate::markdown::{Block, Inline, Table};
use std::path::Path;

/// What a label (a heading, or a short paragraph before a table) says the next tables are.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Label {
    Syntax,
    RequestHeaders,
    RequestElements,
    ResponseHeaders,
    ResponseElements,
    Examples,
    /// An item table of the response (`DataSet Item`, `内容（Contents）`), by the name it gives.
    Model(String),
    Other,
}

fn classify(text: &str, in_response: bool) -> Label {
    let t = text.trim().trim_matches('*').trim();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["Syntax", "句法"]) {
        Label::Syntax
    } else if has(&["示例", "Example"]) {
        Label::Examples
    } else if has(&["Request Headers", "请求头"]) {
        Label::RequestHeaders
    } else if has(&["Request Elements", "请求元素", "Request Parameters", "请求参数"]) {
        Label::RequestElements
    } else if has(&["Response Headers", "响应头"]) {
        Label::ResponseHeaders
    } else if has(&["Response Elements", "Reponse Elements", "响应元素", "Responses", "响应"]) {
        Label::ResponseElements
    } else if in_response {
        Label::Model(model_name(t))
    } else {
        Label::Other
    }
}

/// `内容（Contents）` → `Contents`, `DataSet Item` → `DataSet`, `分片信息（PartsItem）` → `Parts`.
fn model_name(label: &str) -> String {
    let inner = label
        .split_once(['（', '('])
        .and_then(|(_, rest)| rest.split_once(['）', ')']))
        .map_or(label, |(inner, _)| inner)
        .trim();
    let name = inner.strip_suffix("Item").unwrap_or(inner).trim();
    if name.is_empty() {
        inner.to_string()
    } else {
        name.to_string()
    }
}

/// The request line of the `Syntax` block.
#[derive(Debug)]
struct RequestLine {
    method: String,
    key: Option<String>,
    flags: Vec<String>,
    /// `name` of `name=<value>` pieces, in order.
    query: Vec<String>,
    /// The block declares a body length other than 0 (`Content-Length: <length>`).
    has_length: bool,
    /// Keys of a JSON body the block shows (`"op": <op-type>`).
    json_keys: Vec<String>,
    line: usize,
}

fn request_line(sink: &mut Sink<'_>, text: &str, line: usize) -> Option<RequestLine> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    let mut words = first.split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        sink.error(line + 1, format!("the Syntax block starts with {first:?}, expected `METHOD /path HTTP/1.1`"));
        return None;
    };
    let method = method.to_ascii_uppercase();
    if !["GET", "HEAD", "PUT", "POST", "DELETE"].contains(&method.as_str()) {
        sink.error(
            line + 1,
            format!("unknown HTTP method `{method}` in {first:?}, expected GET, HEAD, PUT, POST or DELETE"),
        );
        return None;
    }
    if !target.starts_with('/') {
        sink.error(line + 1, format!("the request target {target:?} does not start with `/`"));
        return None;
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let segment = path.trim_start_matches('/');
    let key = match segment {
        "" => None,
        s if s.contains('/') => {
            sink.error(line + 1, format!("the path {path:?} has more than the object key, expected `/<key>` or `/`"));
            return None;
        }
        s => {
            let name = s.trim_start_matches('<').trim_end_matches('>');
            if name.len() + 2 != s.len() {
                sink.warn(line + 1, format!("the path's key `{s}` is not written as a `<placeholder>`; taken as one"));
            }
            Some(name.to_string())
        }
    };
    let (mut flags, mut params) = (Vec::new(), Vec::new());
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        match piece.split_once('=') {
            Some((name, _)) => params.push(name.to_string()),
            None => flags.push(piece.to_string()),
        }
    }
    let rest: Vec<&str> = lines.collect();
    let has_length = rest.iter().any(|l| {
        l.split_once(':')
            .is_some_and(|(name, value)| name.trim().eq_ignore_ascii_case("Content-Length") && value.trim() != "0")
    });
    let json_keys = rest
        .iter()
        .filter_map(|l| l.trim().strip_prefix('"'))
        .filter_map(|l| l.split_once('"'))
        .map(|(key, _)| key.to_string())
        .collect();
    Some(RequestLine { method, key, flags, query: params, has_length, json_keys, line: line + 1 })
}

/// A table's rows as (name, type word, description, required, line).
fn rows<'t>(sink: &mut Sink<'_>, table: &'t Table) -> Vec<(String, String, String, bool, usize)> {
    let column =
        |names: &[&str]| table.header.iter().position(|h| names.iter().any(|n| h.trimmed().eq_ignore_ascii_case(n)));
    let name = column(&["Name", "Parameter name", "参数名"]).unwrap_or(0);
    let ty = column(&["Type", "类型"]);
    let description = column(&["Description", "描述"]);
    let required = column(&["Required", "必填", "是否必填"]);
    let cell = |row: &'t [Inline], i: Option<usize>| i.and_then(|i| row.get(i)).map_or("", |c| c.trimmed());
    let mut out = Vec::new();
    for row in table.rows.iter().filter(|r| !is_label_row(r)) {
        let row_name = cell(&row.cells, Some(name)).trim_matches('*').trim();
        if row_name.is_empty() {
            continue;
        }
        let required = match cell(&row.cells, required).trim_matches('*').trim() {
            "" => false,
            r if r.eq_ignore_ascii_case("yes") || r == "是" => true,
            r if r.eq_ignore_ascii_case("no") || r == "否" => false,
            other => {
                sink.warn(row.line, format!("`{row_name}`: required is {other:?}, expected Yes or No; taken as No"));
                false
            }
        };
        out.push((
            row_name.to_string(),
            cell(&row.cells, ty).to_string(),
            cell(&row.cells, description).to_string(),
            required,
            row.line,
        ));
    }
    out
}

/// A row with only its first cell: a label that lost its blank line to the table above.
fn is_label_row(row: &crate::markdown::Row) -> bool {
    row.cells.first().is_some_and(|c| !c.trimmed().is_empty())
        && row.cells.iter().skip(1).all(|c| c.trimmed().is_empty())
}

/// A scalar type word, in any case; `array` is decided by the caller (a list of an item table).
fn scalar(word: &str) -> Option<Type> {
    match word.trim().to_ascii_lowercase().as_str() {
        "string" | "str" => Some(Type::String),
        "integer" | "int" | "long" | "int64" => Some(Type::Int),
        "bool" | "boolean" => Some(Type::Bool),
        "float" | "double" | "number" => Some(Type::Float),
        _ => None,
    }
}

/// The pages' word for a map (`键值对`, key-value pairs: ListObjects' `UserMeta`). Only item tables use it, whose
/// members are JSON keys; a header has no such form.
fn text_map(word: &str) -> Option<Type> {
    (word.trim() == "键值对").then_some(Type::TextMap)
}

/// The protocol's own headers and error keys: not fields.
fn protocol_owned(name: &str) -> bool {
    ["Authorization", "Host", "Content-Length", "X-SessionId", "RetCode", "ErrMsg"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// The user-metadata rows (`X-Ufile-Meta- *`): one map of `X-Ufile-Meta-<name>` headers.
pub const META_WIRE: &str = "X-Ufile-Meta-*";

fn is_meta(name: &str) -> bool {
    let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    compact.eq_ignore_ascii_case(META_WIRE) || compact.eq_ignore_ascii_case("X-Ufile-Meta-")
}

/// UFile's and UArchive's REST pages in the registry, told by their `Syntax` (`句法`) request line.
pub(crate) const DIALECT: super::DialectSpec = super::DialectSpec {
    name: "ufile",
    about: "UFile's and UArchive's REST pages (object storage)",
    sections: "",
    detects: is_rest_page,
    parse,
    wire: crate::codegen::protocol::ufile::WIRE,
};

/// Whether the page has a `Syntax` request line: a heading, or, as `ufile-api/restore.md` labels it, a paragraph.
fn is_rest_page(blocks: &[Block]) -> bool {
    let syntax_label = blocks
        .iter()
        .any(|b| matches!(b, Block::Paragraph { content, .. } if super::normalize_heading(&content.text) == "Syntax"));
    syntax_label || super::headings(blocks).any(|(_, t)| t.contains("句法") || t.contains("Syntax"))
}

/// Whether a name can be an HTTP header of these pages.
fn header_like(name: &str) -> bool {
    name.contains('-') || ["ETag", "Range", "Date", "Tier", "Expires"].iter().any(|h| h.eq_ignore_ascii_case(name))
}

pub fn parse(file: &Path, blocks: &[Block]) -> Result<crate::dialect::Parsed, Rejection> {
    let mut sink = Sink::new(file);
    let Some((title_line, title)) = blocks.iter().find_map(|b| match b {
        Block::Heading { line, content, .. } => Some((*line, super::normalize_heading(&content.text))),
        _ => None,
    }) else {
        sink.error(1, "no title heading, expected `# 中文 - OperationName`");
        return Err(sink.into_invalid());
    };
    let name = title.rsplit(['-', '－']).next().unwrap_or_default().trim().trim_matches('*').trim().to_string();
    if name.is_empty()
        || !name.chars().all(|c| c.is_ascii_alphanumeric())
        || !name.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        sink.error(
            title_line,
            format!("the title {title:?} does not end in an operation name, expected `中文 - OperationName`"),
        );
    }

    // Labels and what follows them.
    let mut label = Label::Other;
    let mut in_response = false;
    let mut syntax: Option<RequestLine> = None;
    let mut syntax_read = false;
    let mut summary = Vec::new();
    let mut tables: Vec<(Label, &Table)> = Vec::new();
    let mut examples = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let next_is_table = matches!(blocks.get(i + 1), Some(Block::Table(_)));
        match block {
            Block::Heading { content, line, .. } if *line != title_line => {
                label = classify(&content.text, in_response);
            }
            Block::Paragraph { content, .. } => {
                let text = content.trimmed();
                let short = text.chars().count() <= 40 && !text.contains('\n');
                let found = classify(text, in_response);
                // Prose before the request line is the summary; a short paragraph naming a section (or, before a
                // table, an item table) is a label.
                let prose = matches!(found, Label::Model(_) | Label::Other) && !(short && next_is_table);
                if prose && label == Label::Other && !syntax_read {
                    summary.push(text.to_string());
                } else if !prose && short {
                    label = found;
                }
            }
            Block::Code { line, text, info } => match &label {
                Label::Syntax if !syntax_read => {
                    syntax_read = true;
                    syntax = request_line(&mut sink, text, *line);
                }
                Label::Examples => {
                    let response = text.trim_start().starts_with("HTTP/") || text.trim_start().starts_with('{');
                    let kind = if response { ExampleKind::Response } else { ExampleKind::Request };
                    // A response's JSON body is what the decoder reads: kept apart from its status and headers.
                    let body = text.split_once("\n\n").map_or(text.as_str(), |(_, body)| body).trim();
                    let json = kind == ExampleKind::Response
                        && serde_json::from_str::<serde_json::Value>(body).is_ok_and(|v| v.is_object());
                    let shown = if json { body } else { text.as_str() };
                    examples.push(example(&sink, kind, *line, info, shown));
                }
                _ => {}
            },
            Block::Table(table) => {
                tables.push((label.clone(), table));
                // A label written on the line after a table's last row (no blank line) joins the table as a row
                // with one cell: it names the next table.
                if let (Some(row), true) = (table.rows.last().filter(|r| is_label_row(r)), in_response) {
                    label = Label::Model(model_name(row.cells[0].trimmed()));
                }
            }
            _ => {}
        }
        if matches!(label, Label::ResponseHeaders | Label::ResponseElements) {
            in_response = true;
        }
    }
    let Some(syntax) = syntax else {
        // A request line that did not read has its own error.
        if !syntax_read {
            sink.error(title_line, "no `Syntax` code block with the request line (`METHOD /path HTTP/1.1`)");
        }
        return Err(sink.into_invalid());
    };

    // Item tables first: array fields name them.
    let mut models: Vec<Model> = Vec::new();
    for (label, table) in &tables {
        if let Label::Model(model) = label {
            let mut fields = Vec::new();
            for (row, ty, description, _, line) in rows(&mut sink, table) {
                let ty = scalar(&ty).or_else(|| text_map(&ty)).unwrap_or_else(|| {
                    sink.warn(line, format!("`{row}` has type {ty:?}; kept as JSON"));
                    Type::Json
                });
                let field = member(&sink, &row, ty, &description, line);
                push_unique(&mut sink, &mut fields, field);
            }
            models.push(Model { name: model.clone(), fields, source: sink.source(table.line) });
        }
    }
    let model_for = |name: &str| models.iter().find(|m| m.name.eq_ignore_ascii_case(name)).map(|m| m.name.clone());

    let is_read = matches!(syntax.method.as_str(), "GET" | "HEAD" | "DELETE");
    let mut request: Vec<Field> = Vec::new();
    let mut response: Vec<Field> = Vec::new();
    let copies = tables.iter().any(|(label, table)| {
        *label == Label::RequestHeaders
            && table
                .rows
                .iter()
                .any(|r| r.cells.first().is_some_and(|c| c.trimmed().eq_ignore_ascii_case("X-Ufile-Copy-Source")))
    });
    let upload = !is_read && syntax.has_length && syntax.json_keys.is_empty() && !copies;
    if let Some(key) = &syntax.key {
        let field = Field {
            wire_name: key.clone(),
            location: Location::Path,
            ty: Type::String,
            required: true,
            requiredness: Requiredness::Documented,
            description: "The object key (the request path).".into(),
            source: sink.source(syntax.line),
        };
        request.push(field);
    }
    let query_name = |row: &str| {
        let squash = |s: &str| s.to_ascii_lowercase().replace(['-', '_'], "");
        syntax.query.iter().find(|q| squash(q) == squash(row)).cloned()
    };
    for (label, table) in &tables {
        for (row, ty_word, description, required, line) in rows(&mut sink, table) {
            if protocol_owned(&row) {
                continue;
            }
            let ty = if is_meta(&row) { Some(Type::TextMap) } else { scalar(&ty_word) };
            let wire = if is_meta(&row) { META_WIRE.to_string() } else { row.clone() };
            match label {
                Label::RequestHeaders | Label::RequestElements => {
                    let location = match query_name(&row) {
                        Some(_) => Location::Query,
                        None if *label == Label::RequestHeaders && (header_like(&row) || is_meta(&row)) => {
                            Location::Header
                        }
                        None if *label == Label::RequestHeaders => {
                            sink.warn(line, format!("`{row}` is listed as a request header but cannot be one; sent as a query parameter"));
                            Location::Query
                        }
                        None if is_read => Location::Query,
                        None if upload => {
                            sink.warn(
                                line,
                                format!("`{row}` is a field of the body the caller sends (a form); not a parameter"),
                            );
                            continue;
                        }
                        None => Location::Body,
                    };
                    let wire = match (location, query_name(&row)) {
                        (Location::Query, Some(q)) if q != row => {
                            sink.warn(line, format!("`{row}` is `{q}` in the request line; sent as `{q}`"));
                            q
                        }
                        _ => wire,
                    };
                    let ty = ty.unwrap_or_else(|| {
                        sink.warn(line, format!("`{row}` has type {ty_word:?}; sent as a string"));
                        Type::String
                    });
                    let field = Field {
                        wire_name: wire,
                        location,
                        ty,
                        required,
                        requiredness: Requiredness::Documented,
                        description: description.clone(),
                        source: sink.source(line),
                    };
                    push_unique(&mut sink, &mut request, field);
                }
                Label::ResponseHeaders | Label::ResponseElements => {
                    let header = *label == Label::ResponseHeaders && (header_like(&row) || is_meta(&row));
                    if *label == Label::ResponseHeaders && !header {
                        sink.warn(
                            line,
                            format!(
                                "`{row}` is listed as a response header but cannot be one; read from the JSON body"
                            ),
                        );
                    }
                    let ty = match ty {
                        Some(ty) => ty,
                        None if ty_word.eq_ignore_ascii_case("array") => match model_for(&row) {
                            Some(model) => Type::List(Box::new(Type::Model(model))),
                            None => {
                                sink.warn(line, format!("`{row}` is an array without an item table; kept as JSON"));
                                Type::Json
                            }
                        },
                        None => {
                            sink.warn(line, format!("`{row}` has type {ty_word:?}; kept as JSON"));
                            Type::Json
                        }
                    };
                    let mut field = member(&sink, &wire, ty, &description, line);
                    if header {
                        field.location = Location::Header;
                    }
                    push_unique(&mut sink, &mut response, field);
                }
                _ => {}
            }
        }
    }
    // The syntax line's query parameters that no table documents, and a JSON body it shows.
    for q in &syntax.query {
        if !request.iter().any(|f| f.wire_name == *q) {
            request.push(Field {
                wire_name: q.clone(),
                location: Location::Query,
                ty: Type::String,
                required: true,
                requiredness: Requiredness::Documented,
                description: "A query parameter of the request line.".into(),
                source: sink.source(syntax.line),
            });
        }
    }
    for key in &syntax.json_keys {
        if !request.iter().any(|f| f.wire_name == *key) {
            request.push(Field {
                wire_name: key.clone(),
                location: Location::Body,
                ty: Type::String,
                required: true,
                requiredness: Requiredness::Documented,
                description: "A key of the JSON body the request line shows.".into(),
                source: sink.source(syntax.line),
            });
        }
    }
    if !sink.errors.is_empty() {
        return Err(sink.into_invalid());
    }
    let whole_put = syntax.method == "PUT" && upload && syntax.query.is_empty() && syntax.flags.is_empty();
    let access = match syntax.method.as_str() {
        "GET" | "HEAD" => Access { read_only: true, reason: format!("HTTP {}", syntax.method) },
        _ if whole_put => {
            Access { read_only: true, reason: "a PUT of a whole object: repeating it stores the same object".into() }
        }
        m => Access { read_only: false, reason: format!("HTTP {m}") },
    };
    let download = syntax.method == "GET" && syntax.key.is_some();
    let operation = Operation {
        name,
        title: title
            .rsplit_once(['-', '－'])
            .map_or(title.as_str(), |(t, _)| t)
            .trim()
            .trim_matches('*')
            .trim()
            .to_string(),
        summary: summary.join("\n\n"),
        source: sink.source(title_line),
        protocol: Protocol::Object { method: syntax.method, key: syntax.key, flags: syntax.flags, upload, download },
        access,
        request,
        response: Response::Fields { fields: response },
        models,
        pagination: None,
        errors: Vec::new(),
        // The bucket's region is the client's, in its host: no parameter is filled from the config.
        common_parameters: Vec::new(),
        examples,
    };
    Ok(crate::dialect::Parsed { operation, warnings: sink.warnings })
}

fn member(sink: &Sink<'_>, name: &str, ty: Type, description: &str, line: usize) -> Field {
    Field {
        wire_name: name.to_string(),
        location: Location::Member,
        ty,
        required: false,
        requiredness: Requiredness::Documented,
        description: description.to_string(),
        source: sink.source(line),
    }
}

#[cfg(test)]
mod tests;
