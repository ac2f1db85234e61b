//! Finovy open-API endpoint pages (`finovy/open-api`).
//!
//! ```text
//! # {中文标题}
//! {optional intro paragraph}
//! ### 1.接口描述
//! 接口请求地址：`METHOD` `path`
//! ### 2.输入参数        | 参数名称 | 描述 | 是否必选 | 类型 | Location |  (or the English header)
//! ### 3.输出参数        | 参数名称 | 描述 | 类型 [| 备注] |  describing the envelope's `data`, or only a link
//! ### 4.示例            **输入示例** / **输出示例** code fences
//! ### 5.错误码          | 状态码 | 描述 |  or  | 错误码 | 错误描述 | 解决方案 |  or a link
//! ### 6.Java请求示例    (ignored)
//! ```
//!
//! Columns are matched by header name, never by position. The output table does not say whether it describes
//! `data`, `data[]` or `data.data[]`: the shape is inferred from the response example (see [`infer_data`]). The
//! `Finovy-Access-Token` header belongs to the protocol and is dropped from the request fields.

use crate::diag::Rejection;
use crate::dialect::common::{self, duplicate_row, example, push_unique, split_sections, yes_no, Sink, TypeWords};
use crate::dialect::{normalize_heading, Parsed};
use crate::ir::{
    Data, ErrorCode, Example, ExampleKind, Field, Idempotency, Location, Operation, Pagination, Protocol, Response,
    Type,
};
use crate::markdown::{Block, Inline, Row, Table};
use serde_json::Value;
use std::path::Path;
// Only the inline tests at the end name these (through `use super::*`); remove this with them.
#[cfg(test)]
use crate::{diag::Diagnostic, ir::Source};

/// The header every Finovy call carries; the runtime sends it, so it is not a request field.
const TOKEN_HEADER: &str = "Finovy-Access-Token";

/// The paragraph that declares the request line.
const REQUEST_LINE_LABEL: &str = "接口请求地址";

const EXPECTED_REQUEST_LINE: &str = "expected `接口请求地址：`METHOD` `path`` under `### 1.接口描述`";

const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Scalar types as pages spell them, compared in lowercase.
const TYPES: TypeWords = TypeWords(&[
    ("string", Type::String),
    ("int", Type::Int),
    ("integer", Type::Int),
    ("long", Type::Int),
    ("number", Type::Int),
    ("timestamp", Type::Int),
    ("float", Type::Float),
    ("double", Type::Float),
    ("bigdecimal", Type::Float),
    ("boolean", Type::Bool),
    ("bool", Type::Bool),
    ("json", Type::Json),
    ("object", Type::Json),
    ("数组或对象", Type::Json),
]);

const EXPECTED_LOCATIONS: &str = "header, Params, query, path, body";

// Header names of the tables, compared after trimming and ASCII-lowercasing.
const NAME_COLUMN: &[&str] = &["参数名称", "参数名", "参数", "名称", "字段", "parameter", "parameter name", "name"];
const DESCRIPTION_COLUMN: &[&str] = &["描述", "说明", "description"];
const REQUIRED_COLUMN: &[&str] = &["是否必选", "必选", "是否必填", "必填", "required"];
const TYPE_COLUMN: &[&str] = &["类型", "type"];
const LOCATION_COLUMN: &[&str] = &["location", "位置", "参数位置"];
const REMARK_COLUMN: &[&str] = &["备注", "remark", "remarks", "note"];
const CODE_COLUMN: &[&str] = &["状态码", "错误码", "code", "error code", "status code"];
const ERROR_DESCRIPTION_COLUMN: &[&str] = &["错误描述", "描述", "说明", "description", "message"];
const SOLUTION_COLUMN: &[&str] = &["解决方案", "solution"];

/// `1.接口描述`, with or without a space after the number.
pub fn is_description_heading(text: &str) -> bool {
    section_title(text).starts_with("接口描述")
}

/// A heading's text without its `N.` / `N、` numbering.
fn section_title(text: &str) -> &str {
    text.trim().trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches(['.', '、', ' ']).trim()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SectionKind {
    Description,
    Input,
    Output,
    Examples,
    Errors,
    JavaSample,
    Other,
}

impl SectionKind {
    fn of(heading: &str) -> SectionKind {
        let title = section_title(heading);
        if title.starts_with("接口描述") {
            SectionKind::Description
        } else if title.starts_with("输入参数") || title.starts_with("请求参数") {
            SectionKind::Input
        } else if title.starts_with("输出参数") || title.starts_with("响应参数") {
            SectionKind::Output
        } else if title.starts_with("示例") || title.starts_with("请求示例") {
            SectionKind::Examples
        } else if title.starts_with("错误码") {
            SectionKind::Errors
        } else if title.to_ascii_lowercase().contains("java") {
            SectionKind::JavaSample
        } else {
            SectionKind::Other
        }
    }
}

type Section<'a> = common::Section<'a, SectionKind>;

/// Reads one page of this template into an operation, or rejects it with every error found.
pub fn parse(file: &Path, blocks: &[Block]) -> Result<Parsed, Rejection> {
    let mut sink = Sink::new(file);

    // Title: the first level-1 heading; everything before the first section is the introduction.
    let title_at = blocks.iter().position(|b| matches!(b, Block::Heading { level: 1, .. }));
    let (title, title_line, body_start) = match title_at.map(|i| (i, &blocks[i])) {
        Some((i, Block::Heading { content, line, .. })) => (normalize_heading(&content.text), *line, i + 1),
        _ => {
            sink.warn(1, "expected a `# 标题` level-1 heading; the operation has no title");
            (String::new(), 1, 0)
        }
    };
    let rest = blocks.get(body_start..).unwrap_or_default();
    let first_section =
        rest.iter().position(|b| matches!(b, Block::Heading { level, .. } if *level <= 3)).unwrap_or(rest.len());
    let mut summary: Vec<String> = rest[..first_section].iter().filter_map(paragraph_text).collect();
    let sections = split_sections(rest, |_, heading| SectionKind::of(heading));

    let Some(description) = find_section(&sections, SectionKind::Description, &mut sink) else {
        return Err(Rejection::Unsupported {
            file: file.to_path_buf(),
            reason: "no `### 1.接口描述` section: not a Finovy open-API endpoint page".into(),
        });
    };
    let input = find_section(&sections, SectionKind::Input, &mut sink);
    let output = find_section(&sections, SectionKind::Output, &mut sink);
    let examples_section = find_section(&sections, SectionKind::Examples, &mut sink);
    let errors_section = find_section(&sections, SectionKind::Errors, &mut sink);
    for s in sections.iter().filter(|s| s.kind == SectionKind::Other) {
        sink.warn(s.line, format!("unknown section `{}` ignored", s.heading));
    }

    // 1. Request line (and any prose, which extends the summary).
    let request_line = request_line(&mut sink, description);
    summary.extend(
        description
            .blocks
            .iter()
            .filter(|b| !matches!(b, Block::Paragraph { content, .. } if content.text.contains(REQUEST_LINE_LABEL)))
            .filter_map(paragraph_text),
    );

    // 2. Request fields.
    let request = match input {
        Some(section) => request_fields(&mut sink, section),
        None => {
            sink.warn(description.line, "no `### 2.输入参数` section; the operation takes no parameters");
            Vec::new()
        }
    };

    // 4. Examples (read before 3: the response example decides the shape of `data`).
    let examples = examples_section.map(|s| examples(&sink, s)).unwrap_or_default();

    // 3. Response.
    let output_fields = output.and_then(|s| output_fields(&mut sink, s));
    let response_example = response_example(&mut sink, &examples);
    let data = infer_data(&mut sink, output_fields, response_example);

    // 5. Error codes.
    let errors = errors_section.map(|s| error_codes(&mut sink, s)).unwrap_or_default();

    let Some((method, path, line)) = request_line else {
        return Err(sink.into_invalid());
    };
    check_placeholders(&mut sink, &path, line, &request);
    let name = operation_name(&mut sink, &path, line);

    // `name` is `None` only when an error says why.
    let Some(name) = name.filter(|_| sink.errors.is_empty()) else {
        return Err(sink.into_invalid());
    };

    let pagination = pagination(&request, &data);
    let idempotent = idempotency(&method);
    let title = if title.is_empty() { name.clone() } else { title };
    let operation = Operation {
        name,
        title,
        summary: summary.join("\n\n"),
        source: sink.source(title_line),
        protocol: Protocol::Http { method, path },
        idempotent,
        request,
        response: Response::Envelope { data },
        models: Vec::new(),
        pagination,
        errors,
        examples,
        annotations: Default::default(),
    };
    Ok(Parsed { operation, warnings: sink.warnings })
}

/// The first section of a kind; later ones are reported and ignored.
fn find_section<'s, 'a>(
    sections: &'s [Section<'a>],
    kind: SectionKind,
    sink: &mut Sink<'_>,
) -> Option<&'s Section<'a>> {
    let mut same = sections.iter().filter(|s| s.kind == kind);
    let first = same.next()?;
    for s in same {
        sink.warn(s.line, format!("second `### {}` section; only the first one is read", s.heading));
    }
    Some(first)
}

fn paragraph_text(block: &Block) -> Option<String> {
    match block {
        Block::Paragraph { content, .. } if !content.trimmed().is_empty() => Some(content.trimmed().to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Request line

/// `接口请求地址：`METHOD` `path``: the first (method, path) pair of the section, with its line. Several pairs (sms
/// docs declare GET and POST) → the first, with a warning.
fn request_line(sink: &mut Sink<'_>, section: &Section<'_>) -> Option<(String, String, usize)> {
    let mut pairs: Vec<(String, String, usize)> = Vec::new();
    let mut labelled = None;
    for block in section.blocks {
        let Block::Paragraph { line, content } = block else {
            continue;
        };
        if !content.text.contains(REQUEST_LINE_LABEL) {
            continue;
        }
        labelled.get_or_insert(*line);
        let found = method_path_pairs(&content.code);
        if found.is_empty() {
            // No code spans: `接口请求地址：GET /v1/x` in plain text.
            let found = method_path_pairs(&plain_request_tokens(content));
            if !found.is_empty() {
                sink.warn(*line, "the request line is plain text; expected the method and path as code spans");
            }
            pairs.extend(found.into_iter().map(|(m, p)| (m, p, *line)));
        } else {
            pairs.extend(found.into_iter().map(|(m, p)| (m, p, *line)));
        }
    }
    let Some(first) = pairs.first().cloned() else {
        sink.error(labelled.unwrap_or(section.line), EXPECTED_REQUEST_LINE);
        return None;
    };
    if pairs.len() > 1 {
        let all: Vec<String> = pairs.iter().map(|(m, p, _)| format!("`{m} {p}`")).collect();
        sink.warn(
            first.2,
            format!(
                "{} request addresses ({}); using the first, `{} {}`",
                pairs.len(),
                all.join(", "),
                first.0,
                first.1
            ),
        );
    }
    Some(first)
}

/// Pairs each HTTP method token with the token after it.
fn method_path_pairs(tokens: &[String]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let method = tokens[i].trim().to_ascii_uppercase();
        if HTTP_METHODS.contains(&method.as_str()) {
            if let Some(path) = tokens.get(i + 1).map(|p| p.trim()) {
                if !path.is_empty()
                    && !path.contains(char::is_whitespace)
                    && !HTTP_METHODS.contains(&path.to_ascii_uppercase().as_str())
                {
                    pairs.push((method, path.to_string()));
                    i += 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    pairs
}

/// The whitespace-separated words after each `接口请求地址：` label.
fn plain_request_tokens(content: &Inline) -> Vec<String> {
    content
        .text
        .split(REQUEST_LINE_LABEL)
        .skip(1)
        .flat_map(|part| part.trim_start_matches([':', '：', ' ']).split_whitespace())
        .map(str::to_string)
        .collect()
}

/// `{placeholder}` names of a path template.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect()
}

/// Every `{placeholder}` needs a `path` row; a `path` row without a placeholder is appended by the runtime.
fn check_placeholders(sink: &mut Sink<'_>, path: &str, line: usize, request: &[Field]) {
    for name in placeholders(path) {
        if !request.iter().any(|f| f.location == Location::Path && f.wire_name == name) {
            sink.warn(line, format!("path placeholder `{{{name}}}` has no `path` row in the input table"));
        }
    }
}

/// `1.getList.md` → `getList`; otherwise the last literal segment of the declared path.
fn operation_name(sink: &mut Sink<'_>, path: &str, line: usize) -> Option<String> {
    let stem = sink.file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if let Some((number, rest)) = stem.split_once('.') {
        if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) && is_ascii_identifier(rest) {
            return Some(rest.to_string());
        }
    }
    let path_only = path.split(['?', '#']).next().unwrap_or_default();
    let segment = path_only.rsplit('/').find(|s| !s.is_empty() && !is_placeholder(s));
    match segment {
        Some(s) => Some(s.to_string()),
        None => {
            sink.error(
                line,
                format!(
                    "cannot name the operation: the file stem `{stem}` is not `N.identifier` and the path `{path}` has no literal segment"
                ),
            );
            None
        }
    }
}

fn is_placeholder(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

fn is_ascii_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn idempotency(method: &str) -> Idempotency {
    match method {
        "GET" | "HEAD" | "OPTIONS" => Idempotency { idempotent: true, reason: format!("{method} is idempotent") },
        "POST" => Idempotency { idempotent: false, reason: "POST may create resources".into() },
        _ => Idempotency {
            idempotent: false,
            reason: format!("{method} changes state and Finovy does not document it as safe to retry"),
        },
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

/// The index of the first header cell named like one of `names`.
fn column(table: &Table, names: &[&str]) -> Option<usize> {
    let normalized: Vec<String> =
        table.header.iter().map(|h| h.trimmed().trim_matches('*').trim().to_ascii_lowercase()).collect();
    names.iter().find_map(|name| normalized.iter().position(|h| h == name))
}

fn cell(row: &Row, index: Option<usize>) -> &str {
    index.and_then(|i| row.cells.get(i)).map(|c| c.trimmed().trim_matches('*').trim()).unwrap_or_default()
}

fn header_text(table: &Table) -> String {
    table.header.iter().map(|h| h.trimmed()).collect::<Vec<_>>().join(" | ")
}

fn parse_type(text: &str) -> Result<Type, String> {
    let t = text.trim().trim_matches('`').trim();
    TYPES
        .get(&t.to_ascii_lowercase())
        .ok_or_else(|| format!("unknown type `{t}`; expected one of {}", TYPES.expected()))
}

fn parse_location(text: &str) -> Result<Location, String> {
    Ok(match text.trim().to_ascii_lowercase().as_str() {
        "header" => Location::Header,
        "params" | "query" => Location::Query,
        "path" => Location::Path,
        "body" => Location::Body,
        _ => return Err(format!("unknown location `{}`; expected one of {EXPECTED_LOCATIONS}", text.trim())),
    })
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Input

fn request_fields(sink: &mut Sink<'_>, section: &Section<'_>) -> Vec<Field> {
    let Some(table) = section.tables().next() else {
        sink.warn(section.line, "no input table under `### 2.输入参数`; the operation takes no parameters");
        return Vec::new();
    };
    let name = column(table, NAME_COLUMN);
    let description = column(table, DESCRIPTION_COLUMN);
    let required = column(table, REQUIRED_COLUMN);
    let ty = column(table, TYPE_COLUMN);
    let location = column(table, LOCATION_COLUMN);
    let missing: Vec<&str> = [(name, "参数名称"), (required, "是否必选"), (ty, "类型"), (location, "Location")]
        .iter()
        .filter(|(c, _)| c.is_none())
        .map(|(_, n)| *n)
        .collect();
    if !missing.is_empty() {
        sink.error(
            table.line,
            format!(
                "input table `{}` has no {} column; expected `参数名称 | 描述 | 是否必选 | 类型 | Location` (or `Parameter | Description | Required | Type | Location`)",
                header_text(table),
                missing.join(", ")
            ),
        );
        return Vec::new();
    }
    if table.rows.is_empty() {
        sink.warn(table.line, "empty input table; the operation takes no parameters");
    }
    let mut fields = Vec::new();
    for row in &table.rows {
        let wire_name = cell(row, name);
        if wire_name.is_empty() {
            sink.warn(row.line, "input row without a name; skipped");
            continue;
        }
        let location = parse_location(cell(row, location));
        if wire_name.eq_ignore_ascii_case(TOKEN_HEADER) {
            if !matches!(location, Ok(Location::Header)) {
                sink.warn(row.line, format!("`{wire_name}` is documented outside the header; it is sent as a header"));
            }
            continue;
        }
        let required = yes_no(cell(row, required))
            .map_err(|value| format!("unknown required value `{value}`; expected `yes` or `no`"));
        let ty = parse_type(cell(row, ty));
        let (location, required, ty) = match (location, required, ty) {
            (Ok(l), Ok(r), Ok(t)) => (l, r, t),
            (l, r, t) => {
                for message in [l.err(), r.err(), t.err()].into_iter().flatten() {
                    sink.error(row.line, format!("input row `{wire_name}`: {message}"));
                }
                continue;
            }
        };
        let field = Field {
            wire_name: wire_name.to_string(),
            location,
            ty,
            required,
            description: cell(row, description).to_string(),
            source: sink.source(row.line),
        };
        push_unique(sink, &mut fields, field);
    }
    fields
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Output

/// The documented output rows (`Location::Member`), `None` when there is no (non-empty) table.
fn output_fields(sink: &mut Sink<'_>, section: &Section<'_>) -> Option<(usize, Vec<Field>)> {
    let tables: Vec<&Table> = section.tables().collect();
    let table = *tables.first()?;
    for extra in &tables[1..] {
        sink.warn(extra.line, "a second output table (a nested structure) is not supported; ignored");
    }
    let name = column(table, NAME_COLUMN);
    let description = column(table, DESCRIPTION_COLUMN);
    let ty = column(table, TYPE_COLUMN);
    let remark = column(table, REMARK_COLUMN);
    if name.is_none() || ty.is_none() {
        sink.error(
            table.line,
            format!(
                "output table `{}` has no {} column; expected `参数名称 | 描述 | 类型` (optionally `| 备注`)",
                header_text(table),
                if name.is_none() { "参数名称" } else { "类型" }
            ),
        );
        return None;
    }
    if table.rows.is_empty() {
        sink.warn(table.line, "empty output table; `data` is kept untyped");
        return None;
    }
    let mut fields = Vec::new();
    for row in &table.rows {
        let wire_name = cell(row, name);
        if wire_name.is_empty() {
            sink.warn(row.line, "output row without a name; skipped");
            continue;
        }
        let ty = match parse_type(cell(row, ty)) {
            Ok(t) => t,
            Err(message) => {
                sink.error(row.line, format!("output row `{wire_name}`: {message}"));
                continue;
            }
        };
        let mut text = cell(row, description).to_string();
        let remark = cell(row, remark);
        if !remark.is_empty() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(remark);
        }
        let field = Field {
            wire_name: wire_name.to_string(),
            location: Location::Member,
            ty,
            required: false,
            description: text,
            source: sink.source(row.line),
        };
        push_unique(sink, &mut fields, field);
    }
    if fields.is_empty() {
        return None;
    }
    Some((table.line, fields))
}

/// The first `json` response example, parsed; a fence that does not parse is reported and ignored.
fn response_example(sink: &mut Sink<'_>, examples: &[Example]) -> Option<(usize, Value)> {
    let example = examples.iter().find(|e| e.kind == ExampleKind::Response && e.lang.eq_ignore_ascii_case("json"))?;
    match serde_json::from_str::<Value>(&example.text) {
        Ok(v) => Some((example.source.line, v)),
        Err(e) => {
            sink.warn(
                example.source.line,
                format!("response example is not valid JSON ({e}); the shape of `data` is taken from the output table"),
            );
            None
        }
    }
}

/// What the table alone says: one row named `data` is the scalar itself, anything else an object.
fn shape_from_table(fields: Option<Vec<Field>>) -> Data {
    match fields {
        None => Data::Untyped,
        Some(mut fields) => {
            if fields.len() == 1 && fields[0].wire_name == "data" {
                Data::Scalar { ty: fields.remove(0).ty }
            } else {
                Data::Object { fields }
            }
        }
    }
}

/// The output table describes the contents of the envelope's `data`; the example says which shape:
/// `{<items>: [...], totalCounts}` → page, array → list, object → object, scalar with a one-row table → scalar.
/// No table → untyped. When the example contradicts the table, warn and trust the table.
fn infer_data(sink: &mut Sink<'_>, table: Option<(usize, Vec<Field>)>, example: Option<(usize, Value)>) -> Data {
    let table_line = table.as_ref().map(|(l, _)| *l);
    let fields = table.map(|(_, f)| f);
    let Some((example_line, example)) = example else {
        return shape_from_table(fields);
    };
    let data = match &example {
        Value::Object(map) if map.contains_key("data") => map.get("data"),
        _ => {
            if fields.is_some() {
                sink.warn(
                    example_line,
                    "response example is not a `{code, success, msg, data, traceId}` envelope; the shape of `data` is taken from the output table",
                );
            }
            return shape_from_table(fields);
        }
    };
    let Some(fields) = fields else {
        if matches!(data, Some(Value::Object(m)) if !m.is_empty())
            || matches!(data, Some(Value::Array(a)) if !a.is_empty())
        {
            sink.warn(example_line, "the example's `data` has members but there is no output table; kept untyped");
        }
        return Data::Untyped;
    };
    let line = table_line.unwrap_or(example_line);
    let single_data_row = fields.len() == 1 && fields[0].wire_name == "data";
    match data {
        None | Some(Value::Null) => shape_from_table(Some(fields)),
        Some(Value::Array(_)) => {
            if single_data_row {
                sink.warn(line, "the output table declares one `data` value but the example's `data` is an array; following the table");
                return shape_from_table(Some(fields));
            }
            Data::List { fields }
        }
        Some(Value::Object(map)) => {
            if single_data_row && !map.contains_key("data") {
                sink.warn(line, "the output table declares one `data` value but the example's `data` is an object; following the table");
                return shape_from_table(Some(fields));
            }
            match page_keys(map) {
                Some((items, total)) => {
                    let item_keys: Vec<String> = match map.get(&items) {
                        Some(Value::Array(a)) => match a.first() {
                            Some(Value::Object(o)) => o.keys().cloned().collect(),
                            _ => Vec::new(),
                        },
                        _ => Vec::new(),
                    };
                    let mut kept = Vec::new();
                    for f in fields {
                        if map.contains_key(&f.wire_name) && !item_keys.contains(&f.wire_name) {
                            sink.warn(
                                f.source.line,
                                format!(
                                    "output row `{}` describes the page, not an item; dropped from the item fields",
                                    f.wire_name
                                ),
                            );
                        } else {
                            kept.push(f);
                        }
                    }
                    Data::Page { items, total, fields: kept }
                }
                None => Data::Object { fields },
            }
        }
        Some(_) => {
            if fields.len() == 1 {
                let mut fields = fields;
                Data::Scalar { ty: fields.remove(0).ty }
            } else {
                sink.warn(
                    line,
                    format!(
                        "the example's `data` is a single value but the output table has {} rows; following the table",
                        fields.len()
                    ),
                );
                shape_from_table(Some(fields))
            }
        }
    }
}

/// A page object: a list under some key (`data` preferred) and a number under a total key (`totalCounts`
/// preferred, else a key named like a total or count).
fn page_keys(map: &serde_json::Map<String, Value>) -> Option<(String, String)> {
    let items = if matches!(map.get("data"), Some(Value::Array(_))) {
        "data".to_string()
    } else {
        map.iter().find(|(_, v)| v.is_array()).map(|(k, _)| k.clone())?
    };
    let is_count = |v: &Value| v.is_number() || v.as_str().is_some_and(|s| s.trim().parse::<i64>().is_ok());
    let total = if map.get("totalCounts").is_some_and(is_count) {
        "totalCounts".to_string()
    } else {
        map.iter()
            .find(|(k, v)| {
                let k = k.to_ascii_lowercase();
                (k.contains("total") || k.contains("count")) && is_count(v)
            })
            .map(|(k, _)| k.clone())?
    };
    Some((items, total))
}

fn pagination(request: &[Field], data: &Data) -> Option<Pagination> {
    if !matches!(data, Data::Page { .. }) {
        return None;
    }
    let query = |name: &str| {
        request
            .iter()
            .find(|f| f.location == Location::Query && f.wire_name.eq_ignore_ascii_case(name))
            .map(|f| f.wire_name.clone())
    };
    Some(Pagination::PageNumber { page: query("page")?, page_size: query("pageSize")? })
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Examples

/// Every code fence after a `输入示例` / `输出示例` label, in document order.
fn examples(sink: &Sink<'_>, section: &Section<'_>) -> Vec<Example> {
    let mut kind = None;
    let mut out = Vec::new();
    for block in section.blocks {
        match block {
            Block::Paragraph { content, .. } => {
                let text = content.trimmed();
                if text.contains("输入示例") || text.contains("请求示例") {
                    kind = Some(ExampleKind::Request);
                } else if text.contains("输出示例") || text.contains("响应示例") || text.contains("返回示例")
                {
                    kind = Some(ExampleKind::Response);
                }
            }
            Block::Code { line, info, text } => {
                if let Some(kind) = kind {
                    out.push(example(sink, kind, *line, info, text));
                }
            }
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Error codes

fn error_codes(sink: &mut Sink<'_>, section: &Section<'_>) -> Vec<ErrorCode> {
    let Some(table) = section.tables().next() else {
        return Vec::new(); // a link to 通用错误码
    };
    let code = column(table, CODE_COLUMN);
    let description = column(table, ERROR_DESCRIPTION_COLUMN);
    let solution = column(table, SOLUTION_COLUMN);
    let (code, description) = match (code, description) {
        (Some(c), d) => (Some(c), d),
        (None, _) => {
            sink.warn(
                table.line,
                format!(
                    "error table `{}`: expected `状态码 | 描述` or `错误码 | 错误描述 | 解决方案`; reading the first two columns",
                    header_text(table)
                ),
            );
            (Some(0), Some(1))
        }
    };
    if table.rows.is_empty() {
        sink.warn(table.line, "empty error table; no error codes");
    }
    let mut out: Vec<ErrorCode> = Vec::new();
    for row in &table.rows {
        let c = cell(row, code);
        if c.is_empty() {
            sink.warn(row.line, "error row without a code; skipped");
            continue;
        }
        if let Some(first) = out.iter().find(|e| e.code == c) {
            duplicate_row(sink, row.line, c, first.source.line);
            continue;
        }
        let mut text = cell(row, description).to_string();
        let fix = cell(row, solution);
        if !fix.is_empty() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str("解决方案：");
            text.push_str(fix);
        }
        out.push(ErrorCode { code: c.to_string(), description: text, source: sink.source(row.line) });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::parse_doc;
    use crate::ir::Dialect;
    use std::path::PathBuf;

    const TOKEN_ROW: &str = "| Finovy-Access-Token | 令牌-口令 | yes | string | header |\n";
    const INPUT_HEADER: &str = "| 参数名称 | 描述 | 是否必选 | 类型 | Location |\n|---|---|---|---|---|\n";

    fn run(file: &str, src: &str) -> Result<Parsed, Rejection> {
        parse_doc(Path::new(file), src, Some(Dialect::Finovy))
    }

    fn ok(file: &str, src: &str) -> Parsed {
        match run(file, src) {
            Ok(p) => p,
            Err(e) => panic!("{file}: {e}"),
        }
    }

    fn errors(file: &str, src: &str) -> Vec<Diagnostic> {
        match run(file, src) {
            Err(Rejection::Invalid { errors }) => errors,
            other => panic!("{file}: expected Invalid, got {other:?}"),
        }
    }

    fn warned(p: &Parsed, needle: &str) -> bool {
        p.warnings.iter().any(|w| w.message.contains(needle))
    }

    /// A doc with the given request line, input rows, output section body and response example `data`.
    fn doc(request_line: &str, input_rows: &str, output: &str, data: &str) -> String {
        format!(
            "# 标题\n\n### 1.接口描述\n{request_line}\n\n### 2.输入参数\n\n{INPUT_HEADER}{TOKEN_ROW}{input_rows}\n\
             ### 3.输出参数\n\n{output}\n\n### 4.示例\n示例1:请求成功示例\n\n**输入示例**\n\n```text\nGET /x\n```\n\n\
             **输出示例**\n\n```json\n{{\"code\": 0, \"success\": true, \"data\": {data}, \"msg\": \"success\", \"traceId\": \"t\"}}\n```\n"
        )
    }

    const GET_X: &str = "接口请求地址：`GET` `/v1/open/x`";
    const NO_TABLE: &str = "详情可查看规范说明[响应公共字段](https://example.com/#id4)";

    fn output_table(rows: &[(&str, &str)]) -> String {
        let mut s = "| 参数名称 | 描述 | 类型 |\n|---|---|---|\n".to_string();
        for (n, t) in rows {
            s.push_str(&format!("| {n} | d | {t} |\n"));
        }
        s
    }

    fn data(p: &Parsed) -> &Data {
        match &p.operation.response {
            Response::Envelope { data } => data,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn full_grammar() {
        let src = "# 新增镜像\n该接口新增镜像。\n\n### 1.接口描述  \n接口请求地址：`POST`   `v1/pve/open/add/{id}`\n\n\
                   ### 2.输入参数 \n\n| 参数名称 | 描述 | 是否必选 | 类型 | Location |\n|---|---|---|---|---|\n\
                   | Finovy-Access-Token | 令牌 | yes | string | header |\n\
                   | id | 主机ID | **YES** | string | path |\n\
                   | page | 页 | no | integer | query |\n\
                   | imageName | 名 | yes | String | body |\n\
                   | n | 数量 | No | Long | Params |\n\
                   | extra | 附加 | no | json | body |\n\
                   | ok | 开关 | no | Boolean | body |\n\
                   | price | 价 | no | BigDecimal | body |\n\
                   | X-Trace | 追踪 | no | string | Header |\n\n\
                   ### 3.输出参数\n\n| 参数名称 | 描述 | 类型 | 备注 |\n|---|---|---|---|\n\
                   | imageId | 镜像ID | Long | 取该id使用 |\n| createTime | 创建时间 | Timestamp | |\n\n\
                   ### 4.示例\n示例1:请求成功示例\n\n**输入示例**\n\n```text\nPOST v1/pve/open/add/1 / HTTP/1.1\n```\n\n\
                   **输出示例**\n\n```json\n{\"code\":0,\"data\":{\"imageId\":1,\"createTime\":2},\"success\":true}\n```\n\n\
                   ### 5.错误码\n\n| 错误码 | 错误描述 | 解决方案 |\n|---|---|---|\n| 7005 | 类型不一致 | 确认类型 |\n\n\
                   ### 6.Java请求示例\n\n```java\nclass A {}\n```\n";
        let p = ok("pve/1.add.md", src);
        let op = &p.operation;
        assert_eq!(op.name, "add");
        assert_eq!(op.title, "新增镜像");
        assert_eq!(op.summary, "该接口新增镜像。");
        assert_eq!(op.source.line, 1);
        assert_eq!(op.protocol, Protocol::Http { method: "POST".into(), path: "v1/pve/open/add/{id}".into() });
        assert!(!op.idempotent.idempotent);
        assert_eq!(op.idempotent.reason, "POST may create resources");
        let got: Vec<(&str, Location, &Type, bool, usize)> =
            op.request.iter().map(|f| (f.wire_name.as_str(), f.location, &f.ty, f.required, f.source.line)).collect();
        assert_eq!(
            got,
            [
                ("id", Location::Path, &Type::String, true, 12),
                ("page", Location::Query, &Type::Int, false, 13),
                ("imageName", Location::Body, &Type::String, true, 14),
                ("n", Location::Query, &Type::Int, false, 15),
                ("extra", Location::Body, &Type::Json, false, 16),
                ("ok", Location::Body, &Type::Bool, false, 17),
                ("price", Location::Body, &Type::Float, false, 18),
                ("X-Trace", Location::Header, &Type::String, false, 19),
            ]
        );
        assert_eq!(op.request[0].description, "主机ID");
        match data(&p) {
            Data::Object { fields } => {
                assert_eq!(fields.len(), 2);
                assert_eq!((fields[0].wire_name.as_str(), &fields[0].ty), ("imageId", &Type::Int));
                assert_eq!(fields[0].description, "镜像ID\n取该id使用");
                assert_eq!(fields[0].location, Location::Member);
                assert_eq!((fields[1].ty.clone(), fields[1].description.as_str()), (Type::Int, "创建时间"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(op.errors.len(), 1);
        assert_eq!(op.errors[0].code, "7005");
        assert_eq!(op.errors[0].description, "类型不一致\n解决方案：确认类型");
        assert_eq!(op.examples.len(), 2, "the Java sample is not an example");
        assert_eq!(op.examples[0].kind, ExampleKind::Request);
        assert_eq!(op.examples[0].lang, "text");
        assert!(!op.examples[0].is_json);
        assert_eq!(op.examples[1].kind, ExampleKind::Response);
        assert!(op.examples[1].is_json);
        assert!(op.pagination.is_none(), "object data does not page");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn english_header_variant_matches_columns_by_name() {
        let src =
            "# 删除主机\n\n### 1.接口描述\n接口请求地址：`DELETE`   `v1/pve/open/delete/{id}`\n\n### 2.输入参数\n\n\
                   | Location | Type | Parameter | Required | Description |\n|---|---|---|---|---|\n\
                   | header | string | Finovy-Access-Token | yes | 令牌 |\n| path | string | id | yes | 主机ID |\n";
        let p = ok("pveapioverview/9.delete.md", src);
        let f = &p.operation.request;
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].wire_name.as_str(), f[0].location, f[0].required), ("id", Location::Path, true));
        assert_eq!(f[0].description, "主机ID");
        assert_eq!(p.operation.name, "delete");
        assert!(!p.operation.idempotent.idempotent);
        assert_eq!(data(&p), &Data::Untyped);
    }

    #[test]
    fn stale_example_paths_and_path_rows_without_placeholder_are_fine() {
        let src = doc(
            "接口请求地址：`PUT` `/v1/open/image/personal/update`",
            "| id | 镜像id | yes | string | path |\n| imageName | 名 | yes | string | body |\n",
            NO_TABLE,
            "true",
        )
        .replace("GET /x", "PUT /v1/PveMachine/image/update/bIA6zd9WkZ / HTTP/1.1");
        let p = ok("personal/3.update.md", &src);
        assert_eq!(
            p.operation.protocol,
            Protocol::Http { method: "PUT".into(), path: "/v1/open/image/personal/update".into() }
        );
        assert_eq!(p.operation.request[0].location, Location::Path);
        assert_eq!(data(&p), &Data::Untyped);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn keyword_and_json_names_and_types_are_kept() {
        let src = doc(
            "接口请求地址：`GET`   `v1/pve/open/packAge/{type}`",
            "| type | 模板类型 | yes | string | path |\n",
            &output_table(&[("type", "string"), ("polygon", "json"), ("itemPolygon", "JSON")]),
            "[{\"type\": \"BL\", \"polygon\": [1], \"itemPolygon\": {}}]",
        );
        let p = ok("pveapioverview/2.package.md", &src);
        assert_eq!(p.operation.name, "package");
        assert_eq!(p.operation.request[0].wire_name, "type");
        match data(&p) {
            Data::List { fields } => {
                let got: Vec<(&str, &Type)> = fields.iter().map(|f| (f.wire_name.as_str(), &f.ty)).collect();
                assert_eq!(got, [("type", &Type::String), ("polygon", &Type::Json), ("itemPolygon", &Type::Json)]);
            }
            other => panic!("{other:?}"),
        }
        assert!(p.operation.idempotent.idempotent);
        assert_eq!(p.operation.idempotent.reason, "GET is idempotent");
    }

    #[test]
    fn paged_data_drops_page_rows_and_pages_by_number() {
        let src = doc(
            "接口请求地址：`GET`   `v1/pve/open/mypage`",
            "| page | 起始页 | yes | integer | query |\n| PageSize | 页大小 | yes | integer | query |\n",
            &output_table(&[("id", "string"), ("createTime", "long"), ("totalCounts", "string")]),
            "{\"data\": [{\"id\": \"a\", \"createTime\": 1692350230000}], \"totalCounts\": 2}",
        );
        let p = ok("pveapioverview/8.pvepage.md", &src);
        match data(&p) {
            Data::Page { items, total, fields } => {
                assert_eq!((items.as_str(), total.as_str()), ("data", "totalCounts"));
                assert_eq!(fields.iter().map(|f| f.wire_name.as_str()).collect::<Vec<_>>(), ["id", "createTime"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            p.operation.pagination,
            Some(Pagination::PageNumber { page: "page".into(), page_size: "PageSize".into() })
        );
        assert!(warned(&p, "`totalCounts` describes the page"));
    }

    #[test]
    fn page_without_page_params_has_no_pagination() {
        let src = doc(GET_X, "", &output_table(&[("id", "string")]), "{\"list\": [], \"total\": \"0\"}");
        let p = ok("1.x.md", &src);
        assert_eq!(
            data(&p),
            &Data::Page {
                items: "list".into(),
                total: "total".into(),
                fields: vec![Field {
                    wire_name: "id".into(),
                    location: Location::Member,
                    ty: Type::String,
                    required: false,
                    description: "d".into(),
                    source: Source { file: "1.x.md".into(), line: 16 },
                }],
            }
        );
        assert_eq!(p.operation.pagination, None);
    }

    #[test]
    fn object_scalar_and_untyped_data() {
        let object =
            doc(GET_X, "", &output_table(&[("token", "string"), ("effectiveTime", "long")]), "{\"token\": \"t\"}");
        match data(&ok("1.x.md", &object)) {
            Data::Object { fields } => assert_eq!(fields.len(), 2),
            other => panic!("{other:?}"),
        }

        let scalar = doc(GET_X, "", &output_table(&[("data", "string")]), "\"dyMFQQgHIW\"");
        assert_eq!(data(&ok("1.x.md", &scalar)), &Data::Scalar { ty: Type::String });

        let boolean = doc(GET_X, "", NO_TABLE, "true");
        let p = ok("1.x.md", &boolean);
        assert_eq!(data(&p), &Data::Untyped);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);

        let prose_only = doc(GET_X, "", "可查看规范说明响应公共字段", "{\"a\": 1}");
        let p = ok("1.x.md", &prose_only);
        assert_eq!(data(&p), &Data::Untyped);
        assert!(warned(&p, "no output table"));

        let absent = doc(GET_X, "", NO_TABLE, "null");
        assert_eq!(data(&ok("1.x.md", &absent)), &Data::Untyped);

        // A link and a table (createquantity): the table counts.
        let both = doc(GET_X, "", &format!("{NO_TABLE}\n\n{}", output_table(&[("data", "string")])), "\"id\"");
        assert_eq!(data(&ok("1.x.md", &both)), &Data::Scalar { ty: Type::String });
    }

    #[test]
    fn contradicting_or_broken_examples_fall_back_to_the_table() {
        // sms login: `data` is a bare string, the table declares `token` and more.
        let src = doc(GET_X, "", &output_table(&[("token", "string"), ("uid", "string")]), "\"abc\"");
        let p = ok("1.login.md", &src);
        assert!(matches!(data(&p), Data::Object { fields } if fields.len() == 2));
        assert!(warned(&p, "single value"));

        // sms send_single: not enveloped.
        let src = doc(GET_X, "", &output_table(&[("result", "string"), ("msgid", "string")]), "0").replace(
            "{\"code\": 0, \"success\": true, \"data\": 0, \"msg\": \"success\", \"traceId\": \"t\"}",
            "{\"result\": 0, \"msgid\": 14726114648485533180}",
        );
        let p = ok("1.send_single.md", &src);
        assert!(matches!(data(&p), Data::Object { fields } if fields.len() == 2));
        assert!(warned(&p, "not a `{code, success, msg, data, traceId}` envelope"));

        // Invalid JSON (trailing comma).
        let src = doc(GET_X, "", &output_table(&[("data", "int")]), "1,");
        let p = ok("1.x.md", &src);
        assert_eq!(data(&p), &Data::Scalar { ty: Type::Int });
        assert!(warned(&p, "not valid JSON"));
        assert!(!p.operation.examples[1].is_json);
    }

    #[test]
    fn missing_request_line_is_an_error() {
        let src = "# 标题\n\n### 1.接口描述\n该接口没有地址。\n\n### 2.输入参数\n";
        let errs = errors("1.x.md", src);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 3);
        assert_eq!(errs[0].message, EXPECTED_REQUEST_LINE);

        let errs = errors("1.x.md", "# 标题\n\n### 1.接口描述\n接口请求地址：敬请期待\n");
        assert_eq!((errs[0].line, errs[0].message.as_str()), (4, EXPECTED_REQUEST_LINE));
    }

    #[test]
    fn no_description_section_is_unsupported() {
        assert!(matches!(run("x.md", "# 常见问题\n\n正文\n"), Err(Rejection::Unsupported { .. })));
    }

    #[test]
    fn bad_location_required_and_type_are_errors_with_lines() {
        let src = doc(
            GET_X,
            "| a | x | yes | string | cookie |\n| b | x | maybe | string | body |\n| c | x | yes | uuid | body |\n",
            &output_table(&[("d", "Date")]),
            "{}",
        );
        let errs = errors("1.x.md", &src);
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.message.as_str())).collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[0].0, 11);
        assert!(got[0].1.contains("unknown location `cookie`; expected one of header, Params, query, path, body"));
        assert_eq!(got[1].0, 12);
        assert!(got[1].1.contains("unknown required value `maybe`; expected `yes` or `no`"));
        assert_eq!(got[2].0, 13);
        assert!(got[2].1.contains("unknown type `uuid`; expected one of string,"));
        assert_eq!(got[3].0, 19);
        assert!(got[3].1.contains("output row `d`: unknown type `Date`"));
        assert!(errs.iter().all(|e| e.file == Path::new("1.x.md")));
    }

    #[test]
    fn missing_input_columns_are_an_error() {
        let src = "# 标题\n\n### 1.接口描述\n接口请求地址：`GET` `/x`\n\n### 2.输入参数\n\n| 参数名称 | 描述 | 类型 |\n|---|---|---|\n| a | b | string |\n";
        let errs = errors("1.x.md", src);
        assert_eq!(errs[0].line, 8);
        assert!(errs[0].message.contains("no 是否必选, Location column"), "{}", errs[0].message);
    }

    #[test]
    fn duplicate_rows_warn_and_keep_the_first() {
        let src = doc(
            GET_X,
            "| a | first | yes | string | body |\n| a | second | no | int | query |\n",
            &output_table(&[("x", "string"), ("x", "int")]),
            "{\"x\": \"1\"}",
        );
        let p = ok("1.x.md", &src);
        assert_eq!(p.operation.request.len(), 1);
        assert_eq!(p.operation.request[0].description, "first");
        assert!(matches!(data(&p), Data::Object { fields } if fields.len() == 1 && fields[0].ty == Type::String));
        let dups: Vec<usize> =
            p.warnings.iter().filter(|w| w.message.contains("duplicate row")).map(|w| w.line).collect();
        assert_eq!(dups, [12, 19]);
    }

    #[test]
    fn empty_tables_warn() {
        let src = doc(GET_X, "", "| 参数名称 | 描述 | 类型 |\n|---|---|---|\n", "{\"a\": 1}").replace(TOKEN_ROW, "");
        let p = ok("1.x.md", &src);
        assert!(p.operation.request.is_empty());
        assert!(warned(&p, "empty input table"));
        assert!(warned(&p, "empty output table"));
        assert_eq!(data(&p), &Data::Untyped);
    }

    #[test]
    fn sms_two_request_lines_take_the_first() {
        let line = "接口请求地址：`GET`  `/client-sms/send-single`\n接口请求地址：`POST`  `/client-sms/send-single`";
        let p = ok("1.send_single.md", &doc(line, "", NO_TABLE, "true"));
        assert_eq!(
            p.operation.protocol,
            Protocol::Http { method: "GET".into(), path: "/client-sms/send-single".into() }
        );
        assert!(warned(&p, "2 request addresses"));

        // Two paragraphs, and an operation named from the path.
        let line = "接口请求地址：`get` `/client-sms/get-rpt`\n\n接口请求地址：`POST` `/client-sms/get-rpt`";
        let p = ok("短信.md", &doc(line, "", NO_TABLE, "true"));
        assert_eq!(p.operation.name, "get-rpt");
        assert!(matches!(&p.operation.protocol, Protocol::Http { method, .. } if method == "GET"));
        assert!(warned(&p, "2 request addresses"));
    }

    #[test]
    fn names_come_from_the_stem_or_the_path() {
        let auth = "# 接口鉴权\n无论任何环境\n### 1.接口描述\n该接口可以用于获取token。\n\n接口请求地址：`POST`   `v1/auth/getToken`\n";
        let p = ok("quick/3.接口鉴权.md", auth);
        assert_eq!(p.operation.name, "getToken");
        assert_eq!(p.operation.summary, "无论任何环境\n\n该接口可以用于获取token。");
        assert!(warned(&p, "no `### 2.输入参数` section"));
        assert_eq!(ok("specs/get_list.md", &doc(GET_X, "", NO_TABLE, "true")).operation.name, "x");
        assert_eq!(ok("2.add.md", &doc(GET_X, "", NO_TABLE, "true")).operation.name, "add");

        let errs = errors("中.md", &doc("接口请求地址：`GET` `/{id}`", "", NO_TABLE, "true"));
        assert!(errs[0].message.contains("cannot name the operation"));
    }

    #[test]
    fn status_code_error_tables_and_links() {
        let src = format!(
            "{}\n### 5.错误码\n\n| 状态码 | 描述 |\n|---|---|\n| 0 | 接口调用成功 |\n| 401 | 身份认证失败 |\n",
            doc(GET_X, "", NO_TABLE, "true")
        );
        let p = ok("1.x.md", &src);
        let got: Vec<(&str, &str)> =
            p.operation.errors.iter().map(|e| (e.code.as_str(), e.description.as_str())).collect();
        assert_eq!(got, [("0", "接口调用成功"), ("401", "身份认证失败")]);

        let src =
            format!("{}\n### 5.错误码\n详情可查看[通用错误码](https://x/#id3)\n", doc(GET_X, "", NO_TABLE, "true"));
        assert!(ok("1.x.md", &src).operation.errors.is_empty());
    }

    #[test]
    fn seed_get_list() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/finovy-image/get_list.md");
        let text = std::fs::read_to_string(&path).expect("seed doc");
        let p = match parse_doc(&path, &text, None) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        let op = &p.operation;
        assert_eq!(op.name, "getList");
        assert_eq!(op.title, "我的镜像列表接口");
        assert_eq!(
            op.protocol,
            Protocol::Http { method: "GET".into(), path: "/v1/open/image/personal/getList".into() }
        );
        let query: Vec<&str> =
            op.request.iter().filter(|f| f.location == Location::Query).map(|f| f.wire_name.as_str()).collect();
        assert_eq!(query, ["imageName", "imageType", "datacenterKey", "status"]);
        assert_eq!(op.request.len(), 4);
        let Data::Page { items, total, fields } = data(&p) else { panic!("{:?}", op.response) };
        assert_eq!((items.as_str(), total.as_str()), ("data", "totalCounts"));
        assert_eq!(fields.len(), 8);
        let ty = |n: &str| fields.iter().find(|f| f.wire_name == n).map(|f| f.ty.clone());
        assert_eq!(ty("imageId"), Some(Type::Int));
        assert_eq!(ty("createTime"), Some(Type::Int));
        assert_eq!(ty("status"), Some(Type::Int));
        assert_eq!(ty("id"), Some(Type::String));
        assert!(op.idempotent.idempotent);
        assert_eq!(op.errors.len(), 2);
        assert_eq!(op.examples.len(), 2);
        assert!(fields.iter().all(|f| f.source.line > 0 && f.source.file == path));
    }

    fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                markdown_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }

    #[test]
    fn finovy_corpus() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/finovy");
        if !root.is_dir() {
            println!("note: {} is absent; corpus test skipped", root.display());
            return;
        }
        let mut files = Vec::new();
        markdown_files(&root, &mut files);
        let (mut endpoints, mut others, mut warnings) = (0, 0, 0);
        let mut shapes: Vec<String> = Vec::new();
        for path in &files {
            let text = std::fs::read_to_string(path).expect("read corpus doc");
            let endpoint = crate::markdown::parse(&text).iter().any(|b| {
                matches!(b, Block::Heading { content, .. } if is_description_heading(&normalize_heading(&content.text)))
            });
            // Never panics, whatever prefix of a doc it is given.
            let lines: Vec<&str> = text.lines().collect();
            for n in 0..lines.len() {
                let _ = parse_doc(path, &lines[..n].join("\n"), Some(Dialect::Finovy));
            }
            match parse_doc(path, &text, None) {
                Ok(p) => {
                    assert!(endpoint, "{}: parsed but has no 接口描述 heading", path.display());
                    endpoints += 1;
                    warnings += p.warnings.len();
                    for w in &p.warnings {
                        println!("{w}");
                    }
                    let shape = match data(&p) {
                        Data::Untyped => "untyped",
                        Data::Scalar { .. } => "scalar",
                        Data::Object { .. } => "object",
                        Data::List { .. } => "list",
                        Data::Page { .. } => "page",
                    };
                    shapes.push(format!("{} {shape}", p.operation.name));
                }
                Err(e) => {
                    assert!(!endpoint, "{}: endpoint doc rejected: {e}", path.display());
                    others += 1;
                }
            }
        }
        println!(
            "finovy corpus: {} docs, {endpoints} endpoints parsed, {others} others rejected, {warnings} warnings",
            files.len()
        );
        println!("shapes: {}", shapes.join(", "));
        assert!(endpoints > 0);
    }
}
