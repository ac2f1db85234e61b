//! UCloud's generated doc template.
//!
//! ```text
//! # {中文标题} - {Action}
//! ## 简介                  paragraphs: the summary
//! ## 定义
//! ### 公共参数              | 参数名 | 类型 | 描述信息 | 必填 |  Action, PublicKey, Signature: the protocol's
//! ### 请求参数              | 参数名 | 类型 | 描述信息 | 必填 |  dotted names `Name.N.Field`
//! ### 响应字段              | 字段名 | 类型 | 描述信息 | 必填 |
//! #### 数据模型
//! #### {Model}             | 字段名 | 类型 | 描述信息 | 必填 |  (under 请求参数 too: inlined as request groups)
//! ## 示例
//! ### 请求示例 / 响应示例    code fences
//! ```
//!
//! The doc is split at its headings of level 1–3 and read section by section (`SectionKind`). A doc table row
//! becomes an IR field in [`field_from_row`]; dotted request names are folded into nested groups by
//! [`RequestTree`].

use crate::diag::Rejection;
use crate::dialect::common::{self, duplicate_row, example, push_unique, split_sections, yes_no, Sink, TypeWords};
use crate::dialect::{normalize_heading, Parsed};
use crate::ir::{
    Example, ExampleKind, Field, Idempotency, Location, Model, Operation, Pagination, Protocol, Requiredness, Response,
    Source, Type,
};
use crate::markdown::{Block, Inline, Row, Table};
use std::path::Path;

pub const REQUEST_SECTION: &str = "请求参数";
pub const RESPONSE_SECTION: &str = "响应字段";
const PUBLIC_SECTION: &str = "公共参数";
const REQUEST_EXAMPLE_SECTION: &str = "请求示例";
const RESPONSE_EXAMPLE_SECTION: &str = "响应示例";
/// The chapter whose paragraphs are the operation's summary.
const INTRO_CHAPTER: &str = "简介";
/// A `####` heading that announces the model tables rather than naming one.
const MODELS_MARKER: &str = "数据模型";
const PARAM_HEADER: [&str; 4] = ["参数名", "类型", "描述信息", "必填"];
const FIELD_HEADER: [&str; 4] = ["字段名", "类型", "描述信息", "必填"];
/// Scalar types as the template spells them (case matters).
const TYPES: TypeWords = TypeWords(&[
    ("string", Type::String),
    ("int", Type::Int),
    ("float", Type::Float),
    ("boolean", Type::Bool),
    ("bool", Type::Bool),
    ("object", Type::Json),
]);
/// Public parameters belong to the protocol, not to the operation.
const PUBLIC_PARAMS: [&str; 3] = ["Action", "PublicKey", "Signature"];
/// Response fields every UCloud response carries; the runtime consumes them.
const PROTOCOL_RESPONSE_FIELDS: [&str; 3] = ["RetCode", "Action", "Message"];
/// Action verbs whose calls may create or duplicate something when sent twice.
const NON_IDEMPOTENT_VERBS: [&str; 22] = [
    "Create", "Allocate", "Clone", "Copy", "Upload", "Buy", "Purchase", "Import", "Send", "Add", "Apply", "Insert",
    "Append", "Register", "Submit", "Execute", "Run", "Generate", "Issue", "Renew", "Recharge", "Transfer",
];

/// What a section is, by its heading: a `#`/`##` chapter, or one of the template's `###` sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SectionKind {
    Chapter,
    Public,
    Request,
    Response,
    RequestExample,
    ResponseExample,
    /// A `###` section the template does not define.
    Other,
}

impl SectionKind {
    fn of(level: u8, heading: &str) -> SectionKind {
        if level <= 2 {
            return SectionKind::Chapter;
        }
        match heading {
            PUBLIC_SECTION => SectionKind::Public,
            REQUEST_SECTION => SectionKind::Request,
            RESPONSE_SECTION => SectionKind::Response,
            REQUEST_EXAMPLE_SECTION => SectionKind::RequestExample,
            RESPONSE_EXAMPLE_SECTION => SectionKind::ResponseExample,
            _ => SectionKind::Other,
        }
    }
}

type Section<'a> = common::Section<'a, SectionKind>;

/// A raw model table before references are resolved; `request_side` models become request groups.
struct RawModel {
    model: Model,
    request_side: bool,
}

/// Reads one doc of this template into an operation, or rejects it with every error found.
pub fn parse(file: &Path, blocks: &[Block]) -> Result<Parsed, Rejection> {
    let mut sink = Sink::new(file);

    let Some((title, action, title_line)) = title(blocks) else {
        let line = blocks.first().map(Block::line).unwrap_or(0);
        sink.error(line, "expected a title `# 中文标题 - Action` naming the API action");
        return Err(sink.into_invalid());
    };
    let sections = split_sections(blocks, SectionKind::of);
    let summary = summary(&sections);

    // Section by section in document order, so that diagnostics follow the doc.
    let mut tables = Tables::default();
    let mut examples = Vec::new();
    for section in &sections {
        match section.kind {
            // Its rows are the protocol's, not the operation's: only the table's columns are checked.
            SectionKind::Public => section.tables().for_each(|table| check_header(&mut sink, table, &PARAM_HEADER)),
            SectionKind::Request | SectionKind::Response => tables.read(&mut sink, section),
            SectionKind::RequestExample => examples.extend(examples_of(&mut sink, section, ExampleKind::Request)),
            SectionKind::ResponseExample => examples.extend(examples_of(&mut sink, section, ExampleKind::Response)),
            SectionKind::Chapter | SectionKind::Other => {}
        }
    }
    for (found, what) in [(&tables.request, REQUEST_SECTION), (&tables.response, RESPONSE_SECTION)] {
        if found.is_empty() {
            sink.error(title_line, format!("expected a table under `### {what}`"));
        }
    }

    // Response: every field beside the protocol's own.
    let mut response_fields: Vec<Field> = member_fields(&mut sink, tables.response.iter().flat_map(|t| &t.rows))
        .into_iter()
        .filter(|f| !PROTOCOL_RESPONSE_FIELDS.contains(&f.wire_name.as_str()))
        .collect();

    // Request: flat rows folded into nested groups, protocol parameters dropped.
    let mut tree = RequestTree::default();
    for row in tables.request.iter().flat_map(|t| &t.rows) {
        if let Some((name, field)) = field_from_row(&mut sink, row, Location::Form) {
            if PUBLIC_PARAMS.contains(&name.as_str()) {
                continue;
            }
            tree.insert(&mut sink, &name, field, row.line);
        }
    }
    let mut request = tree.into_fields();

    // Resolve model references: request-side models are inlined as groups, unknown ones become free-form JSON.
    let (request_models, mut models): (Vec<RawModel>, Vec<RawModel>) =
        tables.models.into_iter().partition(|m| m.request_side);
    let request_models: Vec<Model> = request_models.into_iter().map(|m| m.model).collect();
    for field in &mut request {
        inline_request_models(&mut sink, field, &request_models, 0);
    }
    let known: Vec<String> = models.iter().map(|m| m.model.name.clone()).collect();
    for field in &mut response_fields {
        check_refs(&mut sink, field, &known);
    }
    for m in &mut models {
        for field in &mut m.model.fields {
            check_refs(&mut sink, field, &known);
        }
    }
    let models: Vec<Model> = models.into_iter().map(|m| m.model).collect();

    if !sink.errors.is_empty() {
        return Err(sink.into_invalid());
    }

    let pagination = pagination(&request, &response_fields);
    let operation = Operation {
        idempotent: idempotency(&action),
        protocol: Protocol::Rpc { action: action.clone() },
        name: action,
        title,
        summary,
        source: sink.source(title_line),
        request,
        response: Response::Fields { fields: response_fields },
        models,
        pagination,
        errors: Vec::new(),
        examples,
        annotations: Default::default(),
    };
    Ok(Parsed { operation, warnings: sink.warnings })
}

/// The paragraphs of the `## 简介` chapter (outside the template's `###` sections), without the `?>`/`!>` marks
/// of callouts and without a bare `无`.
fn summary(sections: &[Section<'_>]) -> String {
    let mut chapter = "";
    let mut paragraphs = Vec::new();
    for section in sections {
        if section.kind == SectionKind::Chapter {
            chapter = &section.heading;
        }
        if chapter != INTRO_CHAPTER || !matches!(section.kind, SectionKind::Chapter | SectionKind::Other) {
            continue;
        }
        for block in section.blocks {
            if let Block::Paragraph { content, .. } = block {
                let text = content.trimmed().trim_start_matches("?>").trim_start_matches("!>").trim();
                if !text.is_empty() && text != "无" {
                    paragraphs.push(text.to_string());
                }
            }
        }
    }
    paragraphs.join("\n")
}

/// The tables of the `### 请求参数` and `### 响应字段` sections, in document order.
#[derive(Default)]
struct Tables<'a> {
    request: Vec<&'a Table>,
    response: Vec<&'a Table>,
    models: Vec<RawModel>,
}

impl<'a> Tables<'a> {
    /// A `### 请求参数` or `### 响应字段` section: its parameter tables, and a model table under each `#### Name`.
    /// `#### 数据模型` only announces the models: a table right under it is a parameter table.
    fn read(&mut self, sink: &mut Sink<'_>, section: &Section<'a>) {
        let request_side = section.kind == SectionKind::Request;
        let mut model: Option<(String, usize)> = None;
        for block in section.blocks {
            match block {
                Block::Heading { level: 4, content, line } => {
                    let text = normalize_heading(&content.text);
                    model = (text != MODELS_MARKER).then_some((text, *line));
                }
                Block::Table(table) => match &model {
                    Some((name, line)) => self.read_model(sink, table, name, *line, request_side),
                    None if request_side => {
                        check_header(sink, table, &PARAM_HEADER);
                        self.request.push(table);
                    }
                    None => {
                        check_header(sink, table, &FIELD_HEADER);
                        self.response.push(table);
                    }
                },
                _ => {}
            }
        }
    }

    /// The table under `#### name` (a heading on `line`); a name's first model table is its definition.
    fn read_model(&mut self, sink: &mut Sink<'_>, table: &Table, name: &str, line: usize, request_side: bool) {
        if !header_is(table, &FIELD_HEADER) {
            sink.warn(
                table.line,
                format!(
                    "the table under `#### {name}` is not a model table (expected columns {}); skipped",
                    FIELD_HEADER.join(" | ")
                ),
            );
            return;
        }
        if self.models.iter().any(|m| m.model.name == name) {
            sink.warn(line, format!("model `{name}` is defined twice; the first definition is used"));
            return;
        }
        if table.rows.is_empty() {
            sink.warn(
                table.line,
                format!("model `{name}` has an empty table; every key it receives is kept in `extra`"),
            );
        }
        let fields = member_fields(sink, &table.rows);
        self.models.push(RawModel {
            model: Model { name: name.to_string(), fields, source: sink.source(line) },
            request_side,
        });
    }
}

/// The code fences of a `### 请求示例` or `### 响应示例` section; a response that is not JSON is kept as text.
fn examples_of(sink: &mut Sink<'_>, section: &Section<'_>, kind: ExampleKind) -> Vec<Example> {
    let mut examples = Vec::new();
    for block in section.blocks {
        if let Block::Code { line, info, text } = block {
            let example = example(sink, kind, *line, info, text);
            if kind == ExampleKind::Response && !example.is_json {
                sink.warn(*line, "the response example is not valid JSON; kept as text");
            }
            examples.push(example);
        }
    }
    examples
}

/// `# 获取镜像列表 - GetUvodnImage` (also `# 中文-Action`, a bold title, or a level-2 title).
fn title(blocks: &[Block]) -> Option<(String, String, usize)> {
    blocks.iter().find_map(|b| match b {
        Block::Heading { level: 1 | 2, content, line } => {
            let text = normalize_heading(&content.text);
            let (head, action) = text.rsplit_once('-')?;
            let action = action.trim().trim_matches('*').trim();
            let valid = action.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && action.chars().all(|c| c.is_ascii_alphanumeric());
            valid.then(|| (head.trim().to_string(), action.to_string(), *line))
        }
        _ => None,
    })
}

fn header_is(table: &Table, expected: &[&str]) -> bool {
    table.header.len() == expected.len() && table.header.iter().zip(expected).all(|(h, e)| h.trimmed() == *e)
}

fn check_header(sink: &mut Sink<'_>, table: &Table, expected: &[&str]) {
    if !header_is(table, expected) {
        let found: Vec<&str> = table.header.iter().map(Inline::trimmed).collect();
        sink.error(
            table.line,
            format!("expected table columns `{}`, found `{}`", expected.join(" | "), found.join(" | ")),
        );
    }
}

/// Response and model rows: plain names, no location of their own.
fn member_fields<'r>(sink: &mut Sink<'_>, rows: impl IntoIterator<Item = &'r Row>) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    for row in rows {
        let Some((name, field)) = field_from_row(sink, row, Location::Member) else { continue };
        if name.contains('.') {
            sink.error(row.line, format!("expected a plain field name in a response or model table, found `{name}`"));
            continue;
        }
        push_unique(sink, &mut fields, field);
    }
    fields
}

/// One table row → its wire name and an IR field. This is the place where a doc row becomes a Rust field.
fn field_from_row(sink: &mut Sink<'_>, row: &Row, location: Location) -> Option<(String, Field)> {
    let [name, ty, description, required] = row.cells.as_slice() else {
        sink.error(
            row.line,
            format!("expected 4 cells (name | type | description | required), found {}", row.cells.len()),
        );
        return None;
    };
    let name = name.trimmed().trim_matches('*').trim().to_string();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
        sink.error(
            row.line,
            format!("expected a parameter name made of ASCII letters, digits, `_` and `.`, found `{name}`"),
        );
        return None;
    }
    let ty = match parse_type(ty) {
        Ok((ty, anchor_note)) => {
            if let Some(note) = anchor_note {
                sink.warn(row.line, note);
            }
            ty
        }
        Err(msg) => {
            sink.error(row.line, msg);
            return None;
        }
    };
    let required = match yes_no(required.trimmed()) {
        Ok(required) => required,
        Err(other) => {
            sink.error(row.line, format!("expected `**Yes**` or `No` in the required column, found `{other}`"));
            return None;
        }
    };
    let field = Field {
        wire_name: name.clone(),
        location,
        ty,
        required,
        requiredness: Requiredness::Documented,
        description: description.trimmed().to_string(),
        source: sink.source(row.line),
    };
    Some((name, field))
}

/// Parses a type cell: `string`, `int`, `float`, `boolean`/`bool`, `object`, `[*M*](#M)`, `array[...]`.
/// Returns a warning as well when a model reference's name and anchor disagree (the anchor wins).
fn parse_type(cell: &Inline) -> Result<(Type, Option<String>), String> {
    let text = cell.trimmed();
    parse_type_text(text, cell)
}

fn parse_type_text(text: &str, cell: &Inline) -> Result<(Type, Option<String>), String> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix("array[").and_then(|t| t.strip_suffix(']')) {
        let (inner, note) = parse_type_text(inner, cell)?;
        if matches!(inner, Type::List(_)) {
            return Err(format!("nested arrays are not part of the template: `{text}`"));
        }
        return Ok((Type::List(Box::new(inner)), note));
    }
    if let Some(link) = cell.links.iter().find(|l| l.text.trim() == text) {
        let Some(anchor) = link.dest.strip_prefix('#').filter(|a| !a.is_empty()) else {
            return Err(format!("expected a model reference `[*M*](#M)`, found a link to `{}`", link.dest));
        };
        let note = (anchor != text)
            .then(|| format!("model reference names `{text}` but links to `#{anchor}`; the anchor `{anchor}` is used"));
        return Ok((Type::Model(anchor.to_string()), note));
    }
    match TYPES.get(text) {
        Some(ty) => Ok((ty, None)),
        None => Err(format!(
            "unknown type `{text}`; expected {}, a model reference `[*M*](#M)` or `array[...]` of those",
            TYPES.expected()
        )),
    }
}

/// Request rows with dotted names, folded into a tree in order of first appearance.
#[derive(Default)]
struct RequestTree {
    nodes: Vec<Node>,
}

struct Node {
    name: String,
    /// How many `.N` follow this segment (0 = scalar/object, 1 = list).
    list_depth: usize,
    source: Source,
    kind: NodeKind,
}

enum NodeKind {
    Leaf(Field),
    Group(RequestTree),
}

impl RequestTree {
    /// Inserts `A.N.B.C` as A (list) → B → C (leaf).
    fn insert(&mut self, sink: &mut Sink<'_>, wire_name: &str, field: Field, line: usize) {
        let mut segments: Vec<(String, usize)> = Vec::new();
        for part in wire_name.split('.') {
            if part == "N" || part == "n" {
                match segments.last_mut() {
                    Some(last) => last.1 += 1,
                    None => {
                        sink.error(line, format!("`{wire_name}` starts with an index; expected `Name.N`"));
                        return;
                    }
                }
            } else if part.is_empty() {
                sink.error(line, format!("`{wire_name}` has an empty segment"));
                return;
            } else {
                segments.push((part.to_string(), 0));
            }
        }
        if segments.iter().any(|(_, depth)| *depth > 1) {
            sink.error(line, format!("`{wire_name}` has `.N.N`; expected at most one index per segment"));
            return;
        }
        self.insert_path(sink, wire_name, &segments, field, line);
    }

    fn insert_path(&mut self, sink: &mut Sink<'_>, full: &str, path: &[(String, usize)], field: Field, line: usize) {
        let Some(((name, depth), rest)) = path.split_first() else { return };
        let existing = self.nodes.iter_mut().position(|n| n.name == *name);
        if rest.is_empty() {
            if let Some(i) = existing {
                let first = self.nodes[i].source.line;
                match &self.nodes[i].kind {
                    NodeKind::Leaf(f)
                        if f.ty == field.ty && f.required == field.required && self.nodes[i].list_depth == *depth =>
                    {
                        duplicate_row(sink, line, full, first);
                    }
                    _ => sink.error(line, format!("`{full}` conflicts with the parameter declared on line {first}")),
                }
                return;
            }
            let mut leaf = field;
            leaf.wire_name = name.clone();
            self.nodes.push(Node {
                name: name.clone(),
                list_depth: *depth,
                source: sink.source(line),
                kind: NodeKind::Leaf(leaf),
            });
            return;
        }
        let index = match existing {
            Some(i) => {
                if !matches!(self.nodes[i].kind, NodeKind::Group(_)) || self.nodes[i].list_depth != *depth {
                    let first = self.nodes[i].source.line;
                    sink.error(line, format!("`{full}` conflicts with the parameter declared on line {first}"));
                    return;
                }
                i
            }
            None => {
                self.nodes.push(Node {
                    name: name.clone(),
                    list_depth: *depth,
                    source: sink.source(line),
                    kind: NodeKind::Group(RequestTree::default()),
                });
                self.nodes.len() - 1
            }
        };
        if let NodeKind::Group(tree) = &mut self.nodes[index].kind {
            tree.insert_path(sink, full, rest, field, line);
        }
    }

    fn into_fields(self) -> Vec<Field> {
        self.nodes.into_iter().map(Node::into_field).collect()
    }
}

impl Node {
    fn into_field(self) -> Field {
        let wrap = |ty: Type, depth: usize| if depth > 0 { Type::List(Box::new(ty)) } else { ty };
        match self.kind {
            NodeKind::Leaf(mut field) => {
                // `.N` rows declare the element type; an `array[...]` row is a list already.
                if !matches!(field.ty, Type::List(_)) {
                    field.ty = wrap(field.ty, self.list_depth);
                }
                field
            }
            // No row names the group itself: it is optional, and a member row's **Yes** says what each sent
            // group needs (an argument of the group's constructor), not that the group must be sent.
            NodeKind::Group(tree) => {
                let fields = tree.into_fields();
                Field {
                    wire_name: self.name,
                    location: Location::Form,
                    ty: wrap(Type::Group(fields.into_iter().map(as_member).collect()), self.list_depth),
                    required: false,
                    requiredness: Requiredness::Inferred,
                    description: String::new(),
                    source: self.source,
                }
            }
        }
    }
}

fn as_member(mut f: Field) -> Field {
    f.location = Location::Member;
    f
}

/// JSON-body request docs type parameters as models; they are sent flattened like groups, so inline them.
fn inline_request_models(sink: &mut Sink<'_>, field: &mut Field, models: &[Model], depth: usize) {
    if depth > 16 {
        sink.error(
            field.source.line,
            format!("request model nesting under `{}` is too deep (recursive model?)", field.wire_name),
        );
        return;
    }
    let line = field.source.line;
    let ty = element_type(&mut field.ty);
    match ty {
        Type::Model(name) => match models.iter().find(|m| m.name == *name) {
            Some(m) => {
                let mut fields: Vec<Field> = m.fields.iter().cloned().map(as_member).collect();
                for f in &mut fields {
                    inline_request_models(sink, f, models, depth + 1);
                }
                *ty = Type::Group(fields);
            }
            None => {
                sink.warn(
                    line,
                    format!("request model `{name}` is not defined in this doc; the parameter takes free-form JSON"),
                );
                *ty = Type::Json;
            }
        },
        Type::Group(fields) => {
            for f in fields {
                inline_request_models(sink, f, models, depth + 1);
            }
        }
        _ => {}
    }
}

/// The type of a list's elements, or the type itself.
fn element_type(ty: &mut Type) -> &mut Type {
    match ty {
        Type::List(inner) => inner.as_mut(),
        other => other,
    }
}

/// A reference to a model the doc does not define becomes free-form JSON, with a warning: nothing is dropped.
fn check_refs(sink: &mut Sink<'_>, field: &mut Field, known: &[String]) {
    let line = field.source.line;
    let ty = element_type(&mut field.ty);
    if let Type::Model(name) = ty {
        if !known.contains(name) {
            sink.warn(
                line,
                format!("model `{name}` is referenced but not defined in this doc; the field keeps raw JSON"),
            );
            *ty = Type::Json;
        }
    }
}

fn idempotency(action: &str) -> Idempotency {
    match NON_IDEMPOTENT_VERBS.iter().find(|verb| {
        action.strip_prefix(**verb).is_some_and(|rest| rest.chars().next().is_none_or(|c| c.is_ascii_uppercase()))
    }) {
        Some(verb) => Idempotency {
            idempotent: false,
            reason: format!("`{verb}…` actions may create or duplicate resources when repeated"),
        },
        None => Idempotency { idempotent: true, reason: "read, update or delete action: repeating it is safe".into() },
    }
}

/// `Offset`/`Limit` in and `TotalCount` plus exactly one list of models out.
fn pagination(request: &[Field], response: &[Field]) -> Option<Pagination> {
    let find = |fields: &[Field], name: &str| {
        fields.iter().find(|f| f.wire_name.eq_ignore_ascii_case(name) && f.ty == Type::Int).map(|f| f.wire_name.clone())
    };
    let offset = find(request, "Offset")?;
    let limit = find(request, "Limit")?;
    let total = find(response, "TotalCount")?;
    let mut lists = response.iter().filter(|f| matches!(&f.ty, Type::List(inner) if matches!(**inner, Type::Model(_))));
    let items = lists.next()?;
    if lists.next().is_some() {
        return None;
    }
    Some(Pagination::OffsetLimit { offset, limit, items: items.wire_name.clone(), total })
}

#[cfg(test)]
mod tests;
