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
    Access, Data, ErrorCode, Example, ExampleKind, Field, Location, Operation, Pagination, Protocol, Requiredness,
    Response, Type,
};
use crate::markdown::{Block, Inline, Row, Table};
use serde_json::Value;
use std::path::Path;

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

/// Finovy's open-API pages in the registry, told by their `### 1.接口描述` section.
pub(crate) const DIALECT: super::DialectSpec = super::DialectSpec {
    name: "finovy",
    about: "Finovy's API docs",
    sections: "`### 1.接口描述` (Finovy)",
    detects: |blocks| super::headings(blocks).any(|(level, text)| level == 3 && is_description_heading(&text)),
    parse,
    wire: crate::codegen::protocol::finovy::WIRE,
};

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
    let access = access(&method);
    let title = if title.is_empty() { name.clone() } else { title };
    let operation = Operation {
        name,
        title,
        summary: summary.join("\n\n"),
        source: sink.source(title_line),
        protocol: Protocol::Http { method, path },
        access,
        request,
        common_parameters: Vec::new(),
        response: Response::Envelope { data },
        models: Vec::new(),
        pagination,
        errors,
        examples,
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

/// Read-only for the methods HTTP defines as safe; every other may change state.
fn access(method: &str) -> Access {
    match method {
        "GET" | "HEAD" | "OPTIONS" => Access { read_only: true, reason: format!("{method} only reads") },
        _ => Access { read_only: false, reason: format!("{method} may change state") },
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
            requiredness: Requiredness::Documented,
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
            requiredness: Requiredness::Documented,
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
mod tests;
