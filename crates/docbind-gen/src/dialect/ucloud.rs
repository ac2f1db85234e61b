//! UCloud's doc templates: the generated one and the older English one.
//!
//! ```text
//! generated (GEN)                                        older English (LEG)
//! # {中文标题} - {Action}                                 # {中文}-{Action}
//! ## 简介        paragraphs: the summary                  paragraphs under the title: the summary
//! ## 定义
//! ### 公共参数   | 参数名 | 类型 | 描述信息 | 必填 |          (none)
//!                Action, PublicKey, Signature: the protocol's
//! ### 请求参数   | 参数名 | 类型 | 描述信息 | 必填 |          # Request Parameters  |Parameter name|Type|Description|Required|
//! ### 响应字段   | 字段名 | 类型 | 描述信息 | 必填 |          # Response Elements   |Parameter name|Type|Description|Required|
//! #### 数据模型                                           ## {Model}            (level 2, after its side)
//! #### {Model}   (under 请求参数 too: inlined as request groups)
//! ## 示例
//! ### 请求示例 / 响应示例    code fences                   # Request Example / # Response Example
//! ```
//!
//! Both describe the same RPC protocol with the same rows (dotted request names `Name.N.Field`, `**Yes**`/`No`);
//! a [`Template`] says how one names its sections, columns and models, and everything else is read by the same
//! code. LEG types models loosely: a bare `array` or `object` whose model, if any, only the field's name or
//! description gives (`参见 PHostSet`).
//!
//! The doc is split at its headings of level 1–3 and read section by section (`SectionKind`). A doc table row
//! becomes an IR field in [`field_from_row`]; dotted request names are folded into nested groups by
//! [`RequestTree`].

use crate::diag::Rejection;
use crate::dialect::common::{self, duplicate_row, example, push_unique, split_sections, yes_no, Sink, TypeWords};
use crate::dialect::{normalize_heading, Parsed};
use crate::ir::{
    Access, CommonParameter, Example, ExampleKind, Field, Location, Model, Operation, Pagination, Protocol,
    Requiredness, Response, Source, Type,
};
use crate::markdown::{Block, Inline, Row, Table};
use std::path::Path;

/// How one of UCloud's templates names its parts; the reading is the same for both.
#[derive(Debug)]
pub(crate) struct Template {
    /// How its title is written, for the message when a doc has none.
    title: &'static str,
    /// Heading level of the request, response and example sections.
    section_level: u8,
    /// Heading level of a model's name.
    model_level: u8,
    public: Option<&'static str>,
    request: &'static str,
    response: &'static str,
    request_example: &'static str,
    response_example: &'static str,
    /// The chapter whose paragraphs are the summary; `None`: the paragraphs under the title.
    intro_chapter: Option<&'static str>,
    param_header: [&'static str; 4],
    field_header: [&'static str; 4],
    /// Bare `array` and `object` types, whose model only the field's name or description gives.
    untyped_containers: bool,
    /// Whether a request section with nothing under it means "no parameters" (LEG writes no table then; GEN
    /// always writes one, if only its header).
    bare_request_section: bool,
}

/// The generated template, 92% of the corpus.
const GENERATED: Template = Template {
    title: "# 中文标题 - Action",
    section_level: 3,
    model_level: 4,
    public: Some("公共参数"),
    request: "请求参数",
    response: "响应字段",
    request_example: "请求示例",
    response_example: "响应示例",
    intro_chapter: Some("简介"),
    param_header: ["参数名", "类型", "描述信息", "必填"],
    field_header: ["字段名", "类型", "描述信息", "必填"],
    untyped_containers: false,
    bare_request_section: false,
};

/// The older English template, frozen since UCloud moved to the generated one.
const LEGACY: Template = Template {
    title: "# 中文-Action",
    section_level: 1,
    model_level: 2,
    public: None,
    request: "Request Parameters",
    response: "Response Elements",
    request_example: "Request Example",
    response_example: "Response Example",
    intro_chapter: None,
    param_header: ["Parameter name", "Type", "Description", "Required"],
    field_header: ["Parameter name", "Type", "Description", "Required"],
    untyped_containers: true,
    bare_request_section: true,
};

impl Template {
    /// `### 请求参数`: a section heading as the template writes it, for messages.
    fn section_heading(&self, text: &str) -> String {
        format!("{} {text}", "#".repeat(usize::from(self.section_level)))
    }

    /// `#### ImageInfo`: a model heading as the template writes it, for messages.
    fn model_heading(&self, name: &str) -> String {
        format!("{} {name}", "#".repeat(usize::from(self.model_level)))
    }

    /// Whether the doc has this template's request and response sections.
    fn is_used_by(&self, blocks: &[Block]) -> bool {
        let has = |text: &str| {
            blocks.iter().any(|b| {
                matches!(b, Block::Heading { level, content, .. }
                    if *level == self.section_level && normalize_heading(&content.text) == text)
            })
        };
        has(self.request) && has(self.response)
    }
}

/// UCloud's Action docs in the registry.
pub(crate) const DIALECT: super::DialectSpec = super::DialectSpec {
    name: "ucloud",
    about: "UCloud's API docs",
    sections: "`### 请求参数`/`### 响应字段` or `# Request Parameters`/`# Response Elements` (UCloud)",
    detects: |blocks| template_of(blocks).is_some(),
    parse,
    wire: crate::codegen::protocol::ucloud::WIRE,
};

/// The UCloud template a doc is written in, by its request and response section headings; `None` when neither.
pub(crate) fn template_of(blocks: &[Block]) -> Option<&'static Template> {
    [&GENERATED, &LEGACY].into_iter().find(|t| t.is_used_by(blocks))
}

/// Scalar types as the templates spell them (case matters).
const TYPES: TypeWords = TypeWords(&[
    ("string", Type::String),
    ("int", Type::Int),
    ("float", Type::Float),
    ("boolean", Type::Bool),
    ("bool", Type::Bool),
    ("object", Type::Json),
]);
/// A heading among the model headings that announces the model tables rather than naming one (GEN).
const MODELS_MARKER: &str = "数据模型";
/// Public parameters belong to the protocol, not to the operation.
const PUBLIC_PARAMS: [&str; 3] = ["Action", "PublicKey", "Signature"];
/// Response fields every UCloud response carries; the runtime consumes them.
const PROTOCOL_RESPONSE_FIELDS: [&str; 3] = ["RetCode", "Action", "Message"];
/// Words after which a LEG description names the model of an untyped field (`参见 X`, `查看X`, the typo `参加X`).
const MODEL_POINTERS: [&str; 3] = ["见", "查看", "参加"];
/// Action verbs that only read. An allow-list: any other verb, including one docbind has never seen, may change
/// state and is not repeated after its request may have reached the service.
const READ_VERBS: [&str; 7] = ["Describe", "Get", "List", "Check", "Query", "Search", "Stat"];

/// What a section is, by its heading: a chapter, one of the template's sections, or a model (LEG's `## Model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SectionKind {
    Chapter,
    Public,
    Request,
    Response,
    RequestExample,
    ResponseExample,
    Model,
    /// A section the template does not define.
    Other,
}

impl SectionKind {
    fn of(template: &Template, level: u8, heading: &str) -> SectionKind {
        if level == template.section_level {
            let named = [
                (template.public, SectionKind::Public),
                (Some(template.request), SectionKind::Request),
                (Some(template.response), SectionKind::Response),
                (Some(template.request_example), SectionKind::RequestExample),
                (Some(template.response_example), SectionKind::ResponseExample),
            ];
            if let Some((_, kind)) = named.into_iter().find(|(name, _)| *name == Some(heading)) {
                return kind;
            }
        }
        if level == template.model_level {
            SectionKind::Model
        } else if level < template.section_level {
            SectionKind::Chapter
        } else {
            SectionKind::Other
        }
    }
}

type Section<'a> = common::Section<'a, SectionKind>;

/// A raw model table before references are resolved; `request_side` models become request groups.
struct RawModel {
    model: Model,
    request_side: bool,
}

/// What a row's type cell is read against.
#[derive(Clone, Copy)]
struct Vocabulary<'a> {
    template: &'a Template,
    /// The names of the doc's model tables: a link's text may name one its anchor does not, and LEG's untyped
    /// fields name theirs in prose.
    models: &'a [String],
    /// The model whose table is being read: an untyped field is never taken to be its own model.
    owner: Option<&'a str>,
}

/// Reads one doc of either template into an operation, or rejects it with every error found. A doc of neither
/// (forced with `--dialect ucloud`) is read as the generated template.
pub fn parse(file: &Path, blocks: &[Block]) -> Result<Parsed, Rejection> {
    let template = template_of(blocks).unwrap_or(&GENERATED);
    let mut sink = Sink::new(file);

    let Some((title, action, title_line)) = title(blocks) else {
        let line = blocks.first().map(Block::line).unwrap_or(0);
        sink.error(line, format!("expected a title `{}` naming the API action", template.title));
        return Err(sink.into_invalid());
    };
    let sections = split_sections(blocks, |level, heading| SectionKind::of(template, level, heading));
    let summary = summary(template, &sections, title_line);
    let model_names = model_names(template, &sections);
    let vocabulary = Vocabulary { template, models: &model_names, owner: None };

    // Section by section in document order, so that diagnostics follow the doc. A model section (LEG) belongs
    // to the side read last.
    let mut tables = Tables::default();
    let mut examples = Vec::new();
    let mut request_side = false;
    let mut bare_request = false;
    for section in &sections {
        match section.kind {
            // Its rows are the protocol's, not the operation's: only the table's columns are checked.
            SectionKind::Public => {
                section.tables().for_each(|table| check_header(&mut sink, table, &template.param_header))
            }
            SectionKind::Request if section.blocks.is_empty() && template.bare_request_section => {
                request_side = true;
                bare_request = true;
                sink.warn(
                    section.line,
                    format!(
                        "`{}` is empty: the operation takes no parameters",
                        template.section_heading(&section.heading)
                    ),
                );
            }
            SectionKind::Request | SectionKind::Response => {
                request_side = section.kind == SectionKind::Request;
                tables.read(&mut sink, &vocabulary, section.blocks, request_side, None);
            }
            SectionKind::Model => {
                let model = (section.heading != MODELS_MARKER).then(|| (section.heading.clone(), section.line));
                tables.read(&mut sink, &vocabulary, section.blocks, request_side, model);
            }
            SectionKind::RequestExample => examples.extend(examples_of(&mut sink, section, ExampleKind::Request)),
            SectionKind::ResponseExample => examples.extend(examples_of(&mut sink, section, ExampleKind::Response)),
            SectionKind::Chapter | SectionKind::Other => {}
        }
    }
    for (found, what) in [(&tables.request, template.request), (&tables.response, template.response)] {
        if found.is_empty() && !(bare_request && what == template.request) {
            sink.error(title_line, format!("expected a table under `{}`", template.section_heading(what)));
        }
    }

    // Response: every field beside the protocol's own.
    let mut response_fields: Vec<Field> =
        member_fields(&mut sink, &vocabulary, tables.response.iter().flat_map(|t| &t.rows))
            .into_iter()
            .filter(|f| !PROTOCOL_RESPONSE_FIELDS.contains(&f.wire_name.as_str()))
            .collect();

    // Request: flat rows folded into nested groups, protocol parameters dropped.
    let mut tree = RequestTree::default();
    for row in tables.request.iter().flat_map(|t| &t.rows) {
        if let Some((name, field)) = field_from_row(&mut sink, &vocabulary, row, Location::Form) {
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
    let common_parameters = common_parameters(&request);
    let operation = Operation {
        access: access(&action),
        protocol: Protocol::Rpc { action: action.clone() },
        name: action,
        title,
        summary,
        source: sink.source(title_line),
        request,
        common_parameters,
        response: Response::Fields { fields: response_fields },
        models,
        pagination,
        errors: Vec::new(),
        examples,
    };
    Ok(Parsed { operation, warnings: sink.warnings })
}

/// UCloud's common parameters and the `ucloud::Config` setting each one's default comes from, as ucloud-sdk-go
/// fills them: whatever a doc's required column says, a request may leave them to the client's configuration.
const COMMON_PARAMETERS: [(&str, &str); 3] = [("ProjectId", "project_id"), ("Region", "region"), ("Zone", "zone")];

/// The common parameters a request declares at its top level as strings (a configuration default is a string).
fn common_parameters(request: &[Field]) -> Vec<CommonParameter> {
    request
        .iter()
        .filter(|f| f.ty == Type::String)
        .filter_map(|f| {
            let (_, config) = COMMON_PARAMETERS.iter().find(|(wire, _)| *wire == f.wire_name)?;
            Some(CommonParameter { wire_name: f.wire_name.clone(), config: (*config).to_string() })
        })
        .collect()
}

/// The summary: the paragraphs of the intro chapter (GEN's `## 简介`, outside the template's sections) or of the
/// title (LEG), without the `?>`/`!>` marks of callouts and without a bare `无`.
fn summary(template: &Template, sections: &[Section<'_>], title_line: usize) -> String {
    let mut chapter = "";
    let mut paragraphs = Vec::new();
    for section in sections {
        if section.kind == SectionKind::Chapter {
            chapter = &section.heading;
        }
        let intro = match template.intro_chapter {
            Some(intro) => chapter == intro && matches!(section.kind, SectionKind::Chapter | SectionKind::Other),
            None => section.line == title_line,
        };
        if !intro {
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

/// The names of the doc's model tables, in document order: GEN's `#### Name` inside the request and response
/// sections, LEG's `## Name` sections.
fn model_names(template: &Template, sections: &[Section<'_>]) -> Vec<String> {
    let mut names = Vec::new();
    for section in sections {
        match section.kind {
            SectionKind::Model => names.push(section.heading.clone()),
            SectionKind::Request | SectionKind::Response => {
                names.extend(section.blocks.iter().filter_map(|b| match b {
                    Block::Heading { level, content, .. } if *level == template.model_level => {
                        Some(normalize_heading(&content.text))
                    }
                    _ => None,
                }))
            }
            _ => {}
        }
    }
    names.retain(|name| name != MODELS_MARKER);
    names
}

/// The tables of the request and response sections, in document order, and the model tables.
#[derive(Default)]
struct Tables<'a> {
    request: Vec<&'a Table>,
    response: Vec<&'a Table>,
    models: Vec<RawModel>,
}

impl<'a> Tables<'a> {
    /// The blocks of a request or response section (or of LEG's model section named `model`): parameter tables,
    /// and a model table under each model heading. GEN's `#### 数据模型` only announces the models: a table right
    /// under it is a parameter table.
    fn read(
        &mut self,
        sink: &mut Sink<'_>,
        vocabulary: &Vocabulary<'_>,
        blocks: &'a [Block],
        request_side: bool,
        mut model: Option<(String, usize)>,
    ) {
        let template = vocabulary.template;
        for block in blocks {
            match block {
                Block::Heading { level, content, line } if *level == template.model_level => {
                    let text = normalize_heading(&content.text);
                    model = (text != MODELS_MARKER).then_some((text, *line));
                }
                Block::Table(table) => match &model {
                    Some((name, line)) => self.read_model(sink, vocabulary, table, name, *line, request_side),
                    None if request_side => {
                        check_header(sink, table, &template.param_header);
                        self.request.push(table);
                    }
                    None => {
                        check_header(sink, table, &template.field_header);
                        self.response.push(table);
                    }
                },
                _ => {}
            }
        }
    }

    /// The table under the model heading `name` (on `line`); a name's first model table is its definition.
    fn read_model(
        &mut self,
        sink: &mut Sink<'_>,
        vocabulary: &Vocabulary<'_>,
        table: &Table,
        name: &str,
        line: usize,
        request_side: bool,
    ) {
        let template = vocabulary.template;
        if !header_is(table, &template.field_header) {
            sink.warn(
                table.line,
                format!(
                    "the table under `{}` is not a model table (expected columns {}); skipped",
                    template.model_heading(name),
                    template.field_header.join(" | ")
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
        let fields = member_fields(sink, &Vocabulary { owner: Some(name), ..*vocabulary }, &table.rows);
        self.models.push(RawModel {
            model: Model { name: name.to_string(), fields, source: sink.source(line) },
            request_side,
        });
    }
}

/// The code fences of a request or response example section. A response example that is not a JSON object (a
/// UCloud response always is) is kept as text, not as JSON.
fn examples_of(sink: &mut Sink<'_>, section: &Section<'_>, kind: ExampleKind) -> Vec<Example> {
    let mut examples = Vec::new();
    for block in section.blocks {
        if let Block::Code { line, info, text } = block {
            let mut example = example(sink, kind, *line, info, text);
            if kind == ExampleKind::Response {
                if !example.is_json {
                    sink.warn(*line, "the response example is not valid JSON; kept as text");
                } else if !text.trim_start().starts_with('{') {
                    // urtc-api/query_u_rtc_app.md: the response object, escaped into one JSON string.
                    sink.warn(*line, "the response example is JSON but not an object (a response is); kept as text");
                    example.is_json = false;
                }
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
fn member_fields<'r>(
    sink: &mut Sink<'_>,
    vocabulary: &Vocabulary<'_>,
    rows: impl IntoIterator<Item = &'r Row>,
) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    for row in rows {
        let Some((name, field)) = field_from_row(sink, vocabulary, row, Location::Member) else { continue };
        if name.contains('.') {
            sink.error(row.line, format!("expected a plain field name in a response or model table, found `{name}`"));
            continue;
        }
        push_unique(sink, &mut fields, field);
    }
    fields
}

/// One table row → its wire name and an IR field. This is the place where a doc row becomes a Rust field.
fn field_from_row(
    sink: &mut Sink<'_>,
    vocabulary: &Vocabulary<'_>,
    row: &Row,
    location: Location,
) -> Option<(String, Field)> {
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
    let description = description.trimmed();
    let ty = match ty.trimmed() {
        word @ ("array" | "object") if vocabulary.template.untyped_containers => {
            untyped_container(sink, vocabulary, row.line, &name, word == "array", description)
        }
        _ => match parse_type(ty, vocabulary) {
            Ok((ty, note)) => {
                if let Some(note) = note {
                    sink.warn(row.line, note);
                }
                ty
            }
            Err(msg) => {
                sink.error(row.line, msg);
                return None;
            }
        },
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
        description: description.to_string(),
        source: sink.source(row.line),
    };
    Some((name, field))
}

/// Parses a type cell: `string`, `int`, `float`, `boolean`/`bool`, `object`, `[*M*](#M)`, `array[...]`.
/// Returns a warning as well when a model reference's text and anchor disagree.
fn parse_type(cell: &Inline, vocabulary: &Vocabulary<'_>) -> Result<(Type, Option<String>), String> {
    parse_type_text(cell.trimmed(), cell, vocabulary)
}

fn parse_type_text(text: &str, cell: &Inline, vocabulary: &Vocabulary<'_>) -> Result<(Type, Option<String>), String> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix("array[").and_then(|t| t.strip_suffix(']')) {
        let (inner, note) = parse_type_text(inner, cell, vocabulary)?;
        if matches!(inner, Type::List(_)) {
            return Err(format!("nested arrays are not part of the template: `{text}`"));
        }
        return Ok((Type::List(Box::new(inner)), note));
    }
    if let Some(link) = cell.links.iter().find(|l| l.text.trim() == text) {
        let Some(anchor) = link.dest.strip_prefix('#').filter(|a| !a.is_empty()) else {
            return Err(format!("expected a model reference `[*M*](#M)`, found a link to `{}`", link.dest));
        };
        if anchor == text {
            return Ok((Type::Model(anchor.to_string()), None));
        }
        // The text is what a reader sees (and what descriptions and twin docs say); the anchor is a copy-paste
        // slip more often. Either way the disagreement is reported.
        let (used, why) = if vocabulary.models.iter().any(|m| m == text) {
            (text, format!("the text `{text}` is used, the name of a model of this doc"))
        } else {
            (anchor, format!("the anchor `{anchor}` is used, as this doc has no model `{text}`"))
        };
        let note = format!("model reference names `{text}` but links to `#{anchor}`; {why}");
        return Ok((Type::Model(used.to_string()), Some(note)));
    }
    match TYPES.get(text) {
        Some(ty) => Ok((ty, None)),
        None => Err(format!(
            "unknown type `{text}`; expected {}, a model reference `[*M*](#M)` or `array[...]` of those",
            TYPES.expected()
        )),
    }
}

/// LEG's bare `array` (`list`) or `object`: of the model named like the field, else of the model of this doc its
/// description names first (`参见 PHostSet`); without one, raw JSON with a warning.
fn untyped_container(
    sink: &mut Sink<'_>,
    vocabulary: &Vocabulary<'_>,
    line: usize,
    name: &str,
    list: bool,
    description: &str,
) -> Type {
    let candidates = || vocabulary.models.iter().filter(|m| Some(m.as_str()) != vocabulary.owner);
    let model = candidates()
        .find(|m| *m == name)
        .or_else(|| candidates().filter_map(|m| word_position(description, m).map(|at| (at, m))).min().map(|(_, m)| m));
    let inner = match model {
        Some(model) => Type::Model(model.clone()),
        None => {
            let (word, what) = if list { ("array", "its elements are") } else { ("object", "it is") };
            let mut message = format!(
                "`{name}` is typed `{word}` and neither its name nor its description names a model of this doc; \
                 {what} kept as raw JSON"
            );
            if let Some(other) = pointed_name(description).filter(|n| !vocabulary.models.iter().any(|m| m == n)) {
                message.push_str(&format!(" (the description points to `{other}`, which this doc does not define)"));
            }
            sink.warn(line, message);
            Type::Json
        }
    };
    if list {
        Type::List(Box::new(inner))
    } else {
        inner
    }
}

/// Where `word` first occurs in `text` as a whole ASCII word (CJK text around it counts as a boundary).
fn word_position(text: &str, word: &str) -> Option<usize> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).map(|(at, _)| at).find(|&at| {
        !text[..at].chars().next_back().is_some_and(is_word)
            && !text[at + word.len()..].chars().next().is_some_and(is_word)
    })
}

/// The ASCII name right after a pointer word of a description (`参见 UMemPriceSet`, `参见（UserCallInfo）`).
fn pointed_name(description: &str) -> Option<&str> {
    MODEL_POINTERS.iter().find_map(|pointer| {
        description.match_indices(pointer).find_map(|(at, _)| {
            let rest = description[at + pointer.len()..]
                .trim_start_matches(|c: char| c.is_whitespace() || "(（:：".contains(c))
                .trim_start_matches("下方");
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let name = &rest[..end];
            name.starts_with(|c: char| c.is_ascii_alphabetic()).then_some(name)
        })
    })
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

/// Read-only when the action starts with a read verb (a whole word: `Getaway` is not `Get`).
fn access(action: &str) -> Access {
    match READ_VERBS.iter().find(|verb| {
        action.strip_prefix(**verb).is_some_and(|rest| rest.chars().next().is_none_or(|c| c.is_ascii_uppercase()))
    }) {
        Some(verb) => Access { read_only: true, reason: format!("`{verb}…` actions only read") },
        None => {
            let verb_len =
                action.char_indices().skip(1).find(|(_, c)| c.is_ascii_uppercase()).map_or(action.len(), |(i, _)| i);
            Access { read_only: false, reason: format!("`{}…` is not a read verb", &action[..verb_len]) }
        }
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
