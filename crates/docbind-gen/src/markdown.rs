//! Markdown front-end: pulldown-cmark events → a flat list of blocks, each with its 1-based source line.
//!
//! Dialects never see markdown syntax: a cell or a paragraph arrives as [`Inline`] text with `\|` already a literal
//! pipe, `<br />` already a line break, emphasis stripped, and the code spans and links it contained kept aside.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Rendered inline content of a heading, paragraph or table cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inline {
    /// Plain text: emphasis stripped, code spans and link texts inlined, `<br />` as `\n`.
    pub text: String,
    /// The code spans, in order (`接口请求地址：`GET` `/v1/x`` keeps `GET` and `/v1/x` here).
    pub code: Vec<String>,
    /// Links, in order.
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    pub dest: String,
}

impl Inline {
    /// The text with surrounding white space removed.
    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub line: usize,
    pub header: Vec<Inline>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading {
        level: u8,
        line: usize,
        content: Inline,
    },
    Paragraph {
        line: usize,
        content: Inline,
    },
    Table(Table),
    /// A fenced or indented code block; `info` is the fence's info string (`json`, `text`, or empty).
    Code {
        line: usize,
        info: String,
        text: String,
    },
}

impl Block {
    pub fn line(&self) -> usize {
        match self {
            Block::Heading { line, .. } | Block::Paragraph { line, .. } | Block::Code { line, .. } => *line,
            Block::Table(t) => t.line,
        }
    }
}

/// Byte offset → 1-based line, counting newlines from the offset asked before: pulldown-cmark's events move forward
/// through the text (an end event steps back to its block's start, a short way), so each newline is counted about
/// once instead of every event searching a table of line starts.
struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines { text: text.as_bytes(), offset: 0, line: 1 }
    }

    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let newlines = |span: &[u8]| span.iter().filter(|&&b| b == b'\n').count();
        if offset >= self.offset {
            self.line += newlines(&self.text[self.offset..offset]);
        } else {
            self.line -= newlines(&self.text[offset..self.offset]);
        }
        self.offset = offset;
        self.line
    }
}

/// Where inline content is being collected.
enum Open {
    Heading(u8, usize),
    Paragraph(usize),
    Cell,
    Code(usize, String),
}

/// Parses a markdown document into blocks. Never fails: markdown has no syntax errors, only surprises the
/// dialects report.
pub fn parse(source: &str) -> Vec<Block> {
    let mut lines = Lines::new(source);
    let mut blocks = Vec::new();
    let mut open: Option<Open> = None;
    let mut inline = Inline::default();
    let mut link_stack: Vec<(String, usize)> = Vec::new();
    let mut code_text = String::new();
    let mut table: Option<Table> = None;
    let mut row: Option<Row> = None;
    let mut item_depth = 0usize;

    for (event, range) in Parser::new_ext(source, Options::ENABLE_TABLES).into_offset_iter() {
        // Only the events that open a block (and a code block's end, in a list item) need their line.
        let mut line = || lines.at(range.start);
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                open = Some(Open::Heading(heading_level(level), line()));
                inline = Inline::default();
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(Open::Heading(level, line)) = open.take() {
                    blocks.push(Block::Heading { level, line, content: std::mem::take(&mut inline) });
                }
            }
            Event::Start(Tag::Paragraph) if table.is_none() => {
                open = Some(Open::Paragraph(line()));
                inline = Inline::default();
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(Open::Paragraph(line)) = open.take() {
                    blocks.push(Block::Paragraph { line, content: std::mem::take(&mut inline) });
                }
            }
            // Tight list items carry text without a paragraph; treat each item as one.
            Event::Start(Tag::Item) => {
                item_depth += 1;
                open = Some(Open::Paragraph(line()));
                inline = Inline::default();
            }
            Event::End(TagEnd::Item) => {
                item_depth = item_depth.saturating_sub(1);
                if let Some(Open::Paragraph(line)) = open.take() {
                    if !inline.text.trim().is_empty() {
                        blocks.push(Block::Paragraph { line, content: std::mem::take(&mut inline) });
                    }
                }
            }
            Event::Start(Tag::Table(_)) => {
                table = Some(Table { line: line(), header: Vec::new(), rows: Vec::new() });
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = table.take() {
                    blocks.push(Block::Table(t));
                }
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                row = Some(Row { line: line(), cells: Vec::new() });
            }
            Event::End(TagEnd::TableHead) => {
                if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                    t.header = r.cells;
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                    t.rows.push(r);
                }
            }
            Event::Start(Tag::TableCell) => {
                open = Some(Open::Cell);
                inline = Inline::default();
            }
            Event::End(TagEnd::TableCell) => {
                if let (Some(Open::Cell), Some(r)) = (open.take(), row.as_mut()) {
                    r.cells.push(std::mem::take(&mut inline));
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.trim().to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                open = Some(Open::Code(line(), info));
                code_text.clear();
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(Open::Code(line, info)) = open.take() {
                    blocks.push(Block::Code { line, info, text: std::mem::take(&mut code_text) });
                }
                if item_depth > 0 {
                    open = Some(Open::Paragraph(line()));
                    inline = Inline::default();
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                link_stack.push((dest_url.to_string(), inline.text.len()));
            }
            Event::End(TagEnd::Link) => {
                if let Some((dest, start)) = link_stack.pop() {
                    let text = inline.text.get(start..).unwrap_or_default().to_string();
                    inline.links.push(Link { text, dest });
                }
            }
            Event::Text(t) => match open {
                Some(Open::Code(..)) => code_text.push_str(&t),
                Some(_) => inline.text.push_str(&t),
                None => {}
            },
            Event::Code(t) if open.is_some() => {
                inline.text.push_str(&t);
                inline.code.push(t.to_string());
            }
            Event::InlineHtml(html) | Event::Html(html) => {
                if let Some(Open::Code(..)) = open {
                    code_text.push_str(&html);
                } else if open.is_some() {
                    if is_line_break(&html) {
                        inline.text.push('\n');
                    } else {
                        // Pseudo-tags such as `<ip-address>` are prose, not markup: keep them.
                        inline.text.push_str(&html);
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak if open.is_some() => inline.text.push('\n'),
            _ => {}
        }
    }
    blocks
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn is_line_break(html: &str) -> bool {
    let tag: String = html.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    matches!(tag.as_str(), "<br>" | "<br/>" | "</br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(src: &str) -> Vec<Table> {
        parse(src)
            .into_iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    proptest::proptest! {
        /// Lines are counted from the offset asked before, forward or back: any order of offsets gets the line a
        /// count from the start gives.
        #[test]
        fn lines_are_counted_from_anywhere(text in "[a\n]{0,40}", offsets in proptest::collection::vec(0usize..45, 0..20)) {
            let mut lines = Lines::new(&text);
            for offset in offsets {
                let expected = 1 + text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count();
                proptest::prop_assert_eq!(lines.at(offset), expected);
            }
        }
    }

    #[test]
    fn headings_keep_level_line_and_plain_text() {
        let blocks = parse("intro\n\n# **Title - Act**\n\n#### 数据模型\n");
        assert_eq!(
            blocks[0],
            Block::Paragraph { line: 1, content: Inline { text: "intro".into(), ..Default::default() } }
        );
        match &blocks[1] {
            Block::Heading { level, line, content } => {
                assert_eq!((*level, *line, content.trimmed()), (1, 3, "Title - Act"));
            }
            other => panic!("expected heading, got {other:?}"),
        }
        assert!(matches!(&blocks[2], Block::Heading { level: 4, line: 5, .. }));
    }

    #[test]
    fn table_cells_unescape_pipes_break_lines_and_strip_bold() {
        let src =
            "| a | b |\n|:---|:---|\n| **Name** | x \\| y<br />z `code` [t](#T) |\n| **Other** | <ip-address> |\n";
        let t = &tables(src)[0];
        assert_eq!(t.line, 1);
        assert_eq!(t.header.iter().map(Inline::trimmed).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 3);
        assert_eq!(t.rows[0].cells[0].trimmed(), "Name");
        assert_eq!(t.rows[0].cells[1].trimmed(), "x | y\nz code t");
        assert_eq!(t.rows[0].cells[1].code, ["code"]);
        assert_eq!(t.rows[0].cells[1].links, [Link { text: "t".into(), dest: "#T".into() }]);
        assert_eq!(t.rows[1].line, 4);
        assert_eq!(t.rows[1].cells[1].trimmed(), "<ip-address>");
    }

    #[test]
    fn model_reference_cell_keeps_its_anchor() {
        let t = &tables("| t |\n|---|\n| array[[*ImageInfo*](#ImageInfo)] |\n")[0];
        let cell = &t.rows[0].cells[0];
        assert_eq!(cell.trimmed(), "array[ImageInfo]");
        assert_eq!(cell.links, [Link { text: "ImageInfo".into(), dest: "#ImageInfo".into() }]);
    }

    #[test]
    fn a_heading_right_after_a_table_ends_it() {
        let src = "| a | b |\n|---|---|\n| 1 | 2 |\n#### 数据模型\n| c | d |\n|---|---|\n| 3 | 4 |\n";
        let blocks = parse(src);
        assert!(matches!(&blocks[0], Block::Table(t) if t.rows.len() == 1));
        assert!(matches!(&blocks[1], Block::Heading { level: 4, line: 4, .. }));
        assert!(matches!(&blocks[2], Block::Table(t) if t.line == 5 && t.rows.len() == 1));
    }

    #[test]
    fn code_blocks_keep_info_string_and_text() {
        let blocks = parse("### 响应示例\n    \n```json\n{\"a\": 1}\n```\n");
        assert_eq!(blocks[1], Block::Code { line: 3, info: "json".into(), text: "{\"a\": 1}\n".into() });
    }

    #[test]
    fn paragraph_keeps_code_spans_apart() {
        let blocks = parse("接口请求地址：`GET`   `/v1/open/image/personal/getList`\n");
        match &blocks[0] {
            Block::Paragraph { content, .. } => assert_eq!(content.code, ["GET", "/v1/open/image/personal/getList"]),
            other => panic!("{other:?}"),
        }
    }
}
