//! Doc text from vendor docs → `#[doc]` attributes that rustdoc renders as written.

use super::text::{clean_lines, one_line};
use super::tokens::string_literal;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// One `#[doc]` (or inner `#![doc]`) attribute per line, with markdown that rustdoc would misread escaped.
pub fn doc_attrs(text: &str, inner: bool) -> TokenStream {
    let lines = doc_literals(text);
    let lines = lines.iter();
    if inner {
        quote! { #(#![doc = #lines])* }
    } else {
        quote! { #(#[doc = #lines])* }
    }
}

thread_local! {
    /// The doc lines of each text met so far on this thread, as literals. The same field and model docs recur in
    /// operation after operation (`Region`, `ProjectId`, shared models), and escaping them char by char was a
    /// visible share of a fresh run.
    static DOC_LITERALS: RefCell<HashMap<String, Rc<[Literal]>>> = RefCell::new(HashMap::new());
}

/// [`doc_lines`] of `text` as string literals, escaped once per distinct text.
fn doc_literals(text: &str) -> Rc<[Literal]> {
    if let Some(known) = DOC_LITERALS.with(|cache| cache.borrow().get(text).cloned()) {
        return known;
    }
    let literals: Rc<[Literal]> = doc_lines(text).iter().map(|line| string_literal(line)).collect();
    DOC_LITERALS.with(|cache| cache.borrow_mut().insert(text.to_owned(), literals.clone()));
    literals
}

/// Outer `#[doc]` attributes for markdown docbind writes itself (intra-doc links and all), taken as is: unlike
/// [`doc_attrs`], nothing is escaped: text from the docs must come in [`code_span`]s or through
/// [`inline_prose`].
pub fn own_doc_attrs(markdown: &str) -> TokenStream {
    thread_local! {
        /// The lines of each text met so far on this thread, as literals: docbind's own docs recur with the
        /// fields and methods they are about (`region`, `project_id`, paging).
        static OWN_DOC_LITERALS: RefCell<HashMap<String, Rc<[Literal]>>> = RefCell::new(HashMap::new());
    }
    let known = OWN_DOC_LITERALS.with(|cache| cache.borrow().get(markdown).cloned());
    let lines = known.unwrap_or_else(|| {
        // What it quotes of the docs is in code spans (`code_span`); nothing invisible gets through either way.
        let lines: Rc<[Literal]> = clean_lines(markdown)
            .lines()
            .map(|line| string_literal(&if line.is_empty() { String::new() } else { format!(" {line}") }))
            .collect();
        OWN_DOC_LITERALS.with(|cache| cache.borrow_mut().insert(markdown.to_owned(), lines.clone()));
        lines
    });
    let lines = lines.iter();
    quote! { #(#[doc = #lines])* }
}

/// The same outer attributes as [`doc_attrs`], built as `syn` attributes (for items built without parsing).
pub fn doc_attributes(text: &str) -> Vec<syn::Attribute> {
    doc_literals(text)
        .iter()
        .map(|line| syn::Attribute {
            pound_token: Default::default(),
            style: syn::AttrStyle::Outer,
            bracket_token: Default::default(),
            meta: syn::Meta::NameValue(syn::MetaNameValue {
                path: Ident::new("doc", Span::call_site()).into(),
                eq_token: Default::default(),
                value: syn::Expr::Lit(syn::ExprLit { attrs: Vec::new(), lit: syn::Lit::new(line.clone()) }),
            }),
        })
        .collect()
}

/// Vendor prose (a description, a title, a summary) before docbind writes its own markdown around it: a code span
/// it closes on the same line stays one, but any other backtick, and any backslash outside a code span, becomes
/// literal, so nothing of it pairs with a code span docbind writes next to it. (The markdown reader has already
/// turned the docs' own code spans into plain text; an overlay's descriptions may hold some.)
pub(crate) fn vendor_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['`', '\\']) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            match c {
                '`' => {
                    let run = rest.len() - rest.trim_start_matches('`').len();
                    let taken = match closing_run(&rest[run..], run) {
                        Some(end) => {
                            out.push_str(&rest[..run + end + run]);
                            run + end + run
                        }
                        None => {
                            out.push_str(&"\\`".repeat(run));
                            run
                        }
                    };
                    rest = &rest[taken..];
                    continue;
                }
                '\\' => out.push_str("\\\\"),
                c => out.push(c),
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    out.into()
}

/// The text of each doc line: escaped, blank lines empty. Line breaks of any kind split lines; control characters
/// and bidi codepoints are dropped (`text::clean_lines`).
fn doc_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    // Tabs are white space like any other (clippy's `tabs_in_doc_comments`).
    let text = clean_lines(text).replace('\t', " ");
    for line in text.lines().map(|l| format!(" {}", escape(l.trim()))) {
        // Prose right after a list item would continue the item lazily (clippy's `doc_lazy_continuation`):
        // vendor docs mean a new paragraph.
        if !line.trim().is_empty() && !is_list_item(&line) && lines.last().is_some_and(|l| is_list_item(l)) {
            lines.push(String::new());
        }
        lines.push(line);
    }
    for line in &mut lines {
        if line.trim().is_empty() {
            line.clear();
        }
    }
    lines
}

/// Whether a doc line starts a markdown list item (`- x`, `+ x`, `1. x`, `1) x`).
fn is_list_item(line: &str) -> bool {
    let line = line.trim_start();
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    line.starts_with("- ")
        || line.starts_with("+ ")
        || (digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") ")))
}

/// One line of vendor prose (trimmed, no line breaks) as rustdoc markdown that renders as written and opens
/// nothing: brackets would become intra-doc or reference links, `<x>` HTML, `&x;` entities, `~`/`` ` `` runs code
/// fences, and bare URLs lint warnings. Code spans closed on the same line (docbind's, see [`vendor_text`]) are kept
/// as code; any other backtick is literal, and so is a character already escaped with a backslash. Runs of white
/// space are one space (as markdown renders them), so no list item's content can be indented into a code block;
/// with the line itself trimmed, no line is indented at all.
fn escape(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == 'h' && (rest.starts_with("http://") || rest.starts_with("https://")) {
            // An autolink holds no white space, `<` or `>`; ending it early also at quotes, backticks and
            // backslashes keeps what follows it plain prose.
            let end = rest
                .find(|c: char| c.is_whitespace() || !c.is_ascii() || c.is_ascii_control() || ")<>`\\\"'".contains(c))
                .unwrap_or(rest.len());
            out.push('<');
            out.push_str(&rest[..end]);
            out.push('>');
            rest = &rest[end..];
            continue;
        }
        match c {
            '`' => {
                let run = rest.len() - rest.trim_start_matches('`').len();
                match closing_run(&rest[run..], run) {
                    // A code span, verbatim up to and including its closing run.
                    Some(end) => {
                        out.push_str(&rest[..run + end + run]);
                        rest = &rest[run + end + run..];
                    }
                    None => {
                        out.push_str(&"\\`".repeat(run));
                        rest = &rest[run..];
                    }
                }
                continue;
            }
            c if c.is_whitespace() => {
                out.push(' ');
                rest = rest.trim_start();
                continue;
            }
            // An escaped character is literal already: the pair stays as it is.
            '\\' if rest[1..].starts_with(|c: char| c.is_ascii_punctuation()) => {
                let pair = 1 + rest[1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&rest[..pair]);
                rest = &rest[pair..];
                continue;
            }
            '\\' | '[' | ']' | '*' | '_' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    // A line of `-` or `=` would make the line above a heading, or be a rule.
    if out.contains(['-', '=']) && out.chars().all(|c| matches!(c, '-' | '=' | ' ')) {
        out = out.replace('-', "\\-").replace('=', "\\=");
    }
    out
}

/// Where the run of exactly `run` backticks that closes a code span starts in `after` (the text after the opening
/// run), as CommonMark pairs them.
fn closing_run(after: &str, run: usize) -> Option<usize> {
    let mut at = 0;
    while let Some(found) = after[at..].find('`') {
        let start = at + found;
        let len = after[start..].len() - after[start..].trim_start_matches('`').len();
        if len == run {
            return Some(start);
        }
        at = start + len;
    }
    None
}

/// `text` (a path, a value) as one inline code span that shows it whole: line breaks and control characters as
/// Rust escapes, bidi codepoints dropped, and delimited by more backticks than any run inside it.
pub(crate) fn code_span(text: &str) -> String {
    let text = one_line(text);
    if !text.contains('`') {
        // The usual case (a wire name, a path): one backtick each side.
        let mut span = String::with_capacity(text.len() + 2);
        span.push('`');
        span.push_str(&text);
        span.push('`');
        return span;
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Prose for one line of markdown docbind writes (an operation's title in the README, an overlay's waiter
/// summary): its lines joined, escaped as in doc comments.
pub(crate) fn inline_prose(text: &str) -> String {
    escape(clean_lines(text).replace('\t', " ").split('\n').map(str::trim).collect::<Vec<_>>().join(" ").trim())
}

/// What rustdoc would make of a doc comment's text, for tests: its code blocks (each block's text) and whether
/// it holds any raw HTML or link. Parsed with pulldown-cmark and the extensions rustdoc turns on.
#[cfg(test)]
pub(crate) mod rendered {
    use pulldown_cmark::{Event, Options, Parser, Tag};

    /// Everything that would not be plain text: code blocks (their text), raw HTML, links and images.
    #[derive(Debug, Default, PartialEq)]
    pub struct Live {
        pub code_blocks: Vec<String>,
        pub html: Vec<String>,
        pub links: Vec<String>,
    }

    pub fn live(doc: &str) -> Live {
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_SMART_PUNCTUATION;
        let mut live = Live::default();
        let mut in_code = false;
        for event in Parser::new_ext(doc, options) {
            match event {
                Event::Start(Tag::CodeBlock(_)) => {
                    in_code = true;
                    live.code_blocks.push(String::new());
                }
                Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code = false,
                Event::Text(t) if in_code => live.code_blocks.last_mut().expect("opened").push_str(&t),
                Event::Html(h) | Event::InlineHtml(h) => live.html.push(h.to_string()),
                Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                    live.links.push(dest_url.to_string())
                }
                _ => {}
            }
        }
        live
    }

    /// The text of `#[doc]` lines as rustdoc joins them.
    pub fn joined(lines: &[String]) -> String {
        lines.iter().map(|l| format!("{l}\n")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What rustdoc would make of `text` as vendor prose in a doc comment.
    fn live(text: &str) -> rendered::Live {
        rendered::live(&rendered::joined(&doc_lines(text)))
    }

    #[test]
    fn no_code_block_opens_from_vendor_text() {
        for text in [
            "名称\n```\nstd::fs::write(\"x\", \"\").unwrap();\n```",
            "~~~\nrun();\n~~~",
            "``````\nrun();\n``````",
            "````rust\nrun();",
            "  ~~~~ rust\nrun();",
            "- ```\n  run();",
            "+ ~~~\nrun();",
            "1. ~~~\nrun();",
            "> ```\n> run();",
            "a\n\n    run();",
            "a\n\n\trun();",
            "-     run();",
            "1.\t\trun();",
            "- a\n\n      run();",
            "`a` ``` `b`\n```\nrun();\n```",
            "x\r```\rrun();\r```",
            "x\u{2028}~~~\u{2029}run();",
        ] {
            let live = live(text);
            assert!(live.code_blocks.is_empty(), "{text:?} opens {:?}", live.code_blocks);
        }
    }

    #[test]
    fn html_links_and_definitions_stay_text() {
        for text in [
            "<pre>run();</pre>",
            "<code>x</code> <script>alert(1)</script>",
            "<!-- x -->",
            "[a]: http://example.com\n[a]",
            "[x](http://example.com) ![i](http://example.com/i.png)",
            "see https://example.com/a<b>c</b>",
            "odd ` <b>bold</b>",
            "`` ` <b>x</b>",
            "\\[x](y)",
            "&lt;b&gt; &#13; &amp;",
        ] {
            let live = live(text);
            assert!(live.html.is_empty(), "{text:?} has HTML {:?}", live.html);
            // The only links are the bare URLs docbind makes autolinks of, ending where the URL ends.
            let autolinks = live.links.iter().all(|l| text.contains(l.as_str()) && !l.contains(['<', '>', ']']));
            assert!(autolinks, "{text:?} has links {:?}", live.links);
        }
    }

    #[test]
    fn no_heading_or_rule_opens_from_vendor_text() {
        assert_eq!(doc_lines("标题\n===\n- - -\n# x"), [" 标题", " \\=\\=\\=", " \\- \\- \\-", " \\# x"]);
    }

    #[test]
    fn control_and_bidi_characters_never_reach_a_doc_line() {
        let lines = doc_lines("a\r\nb\rc\u{202E}d\u{2066}e\u{0}f\u{85}g");
        assert_eq!(lines, [" a", " b", " cdef", " g"]);
    }

    #[test]
    fn vendor_backticks_never_pair_with_docbind_code_spans() {
        assert_eq!(vendor_text("如 `2024-01-31` 或 ` 与 \\"), "如 `2024-01-31` 或 \\` 与 \\\\");
        let title = format!("{} ({})", vendor_text("a ` b\\\t~~~"), code_span("Name"));
        assert_eq!(doc_lines(&title), [" a \\` b\\\\ \\~\\~\\~ (`Name`)"]);
        assert_eq!(inline_prose(&title), "a \\` b\\\\ \\~\\~\\~ (`Name`)");
    }

    #[test]
    fn code_spans_show_any_text_whole() {
        assert_eq!(code_span("specs/x.md"), "`specs/x.md`");
        assert_eq!(code_span("a`b``c"), "```a`b``c```");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span("dir\n```\nrun();\u{202E}"), "````dir\\n```\\nrun();````");
        // Inside vendor prose too.
        assert_eq!(escape(&format!("from {}", code_span("a``b"))), "from ```a``b```");
    }

    #[test]
    fn prose_is_escaped_but_code_spans_are_not() {
        assert_eq!(escape("见 [a] `x[0]` <ip-address>"), "见 \\[a\\] `x[0]` &lt;ip-address&gt;");
        assert_eq!(escape("see https://console.ucloud.cn/uapi 获取"), "see <https://console.ucloud.cn/uapi> 获取");
        assert_eq!(escape("odd ` tick"), "odd \\` tick");
    }

    #[test]
    fn prose_after_a_list_is_a_new_paragraph() {
        let text = "取值：\n- A：甲\n1. B：乙\n默认：A\n\tTab";
        let expected = [" 取值：", " - A：甲", " 1. B：乙", "", " 默认：A", " Tab"];
        assert_eq!(doc_lines(text), expected);
        // Both ways of building the attributes carry exactly these lines.
        let from_tokens: syn::File = syn::parse2(doc_attrs(text, true)).expect("inner doc attributes");
        for attrs in [from_tokens.attrs, doc_attributes(text)] {
            let lines: Vec<String> = attrs
                .iter()
                .map(|a| match &a.meta {
                    syn::Meta::NameValue(syn::MetaNameValue {
                        value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }),
                        ..
                    }) if a.path().is_ident("doc") => s.value(),
                    _ => panic!("not a doc attribute: {}", quote::ToTokens::to_token_stream(a)),
                })
                .collect();
            assert_eq!(lines, expected);
        }
    }
}
