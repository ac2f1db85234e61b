//! Doc text from vendor docs → `#[doc]` attributes that rustdoc renders as written.

use super::tokens::string_literal;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// One `#[doc]` (or inner `#![doc]`) attribute per line, with markdown that rustdoc would misread escaped.
pub fn doc_attrs(text: &str, inner: bool) -> TokenStream {
    let lines = doc_lines(text).into_iter().map(|l| string_literal(&l));
    if inner {
        quote! { #(#![doc = #lines])* }
    } else {
        quote! { #(#[doc = #lines])* }
    }
}

/// Outer `#[doc]` attributes for markdown docbind writes itself (intra-doc links and all), taken as is: unlike
/// [`doc_attrs`], nothing is escaped.
pub fn own_doc_attrs(markdown: &str) -> TokenStream {
    let lines = markdown.lines().map(|line| if line.is_empty() { String::new() } else { format!(" {line}") });
    quote! { #(#[doc = #lines])* }
}

/// The same outer attributes as [`doc_attrs`], built as `syn` attributes (for items built without parsing).
pub fn doc_attributes(text: &str) -> Vec<syn::Attribute> {
    doc_lines(text)
        .into_iter()
        .map(|line| syn::Attribute {
            pound_token: Default::default(),
            style: syn::AttrStyle::Outer,
            bracket_token: Default::default(),
            meta: syn::Meta::NameValue(syn::MetaNameValue {
                path: Ident::new("doc", Span::call_site()).into(),
                eq_token: Default::default(),
                value: syn::Expr::Lit(syn::ExprLit { attrs: Vec::new(), lit: syn::Lit::new(string_literal(&line)) }),
            }),
        })
        .collect()
}

/// The text of each doc line: escaped, tabs expanded, blank lines empty.
fn doc_lines(text: &str) -> Vec<String> {
    // Tabs inside vendor prose become spaces (clippy's `tabs_in_doc_comments`).
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines().map(|l| format!(" {}", escape(l.trim()).replace('\t', "    "))) {
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

/// Vendor prose is not markdown for rustdoc: brackets would become intra-doc links, `<x>` HTML tags and bare
/// URLs lint warnings. Code spans are left alone.
fn escape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if !in_code && (rest.starts_with("http://") || rest.starts_with("https://")) {
            let end =
                rest.find(|c: char| c.is_whitespace() || !c.is_ascii() || c == ')' || c == '>').unwrap_or(rest.len());
            out.push('<');
            out.push_str(&rest[..end]);
            out.push('>');
            rest = &rest[end..];
            continue;
        }
        match c {
            '`' => in_code = !in_code,
            '[' | ']' | '*' | '_' | '#' if !in_code => out.push('\\'),
            '<' if !in_code => {
                out.push_str("&lt;");
                rest = &rest[1..];
                continue;
            }
            '>' if !in_code => {
                out.push_str("&gt;");
                rest = &rest[1..];
                continue;
            }
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if in_code {
        // An unbalanced backtick would swallow the rest of the item's docs.
        out = out.replace('`', "\\`");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
