//! Vendor text and paths made safe for where they land outside rustdoc: `//` and `#` comments (one line, nothing
//! invisible) and TOML strings. The docs' own text is data: no character of it may end a comment, add a line or
//! reorder what a reader sees (ARCHITECTURE.md, "Vendor text is data"). Rustdoc's rules are in `rustdoc.rs`.

/// Codepoints that reorder text on screen (bidi embeddings, overrides, isolates and marks): rustc denies them in
/// comments and literals (`text_direction_codepoint_in_comment`), and a reader cannot see them.
pub(crate) fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that end a line for a reader or for some tool: CR (a bare one is an error in a doc comment), NEL and
/// the Unicode line and paragraph separators.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Multi-line text with every line break a `\n` (CRLF counts once) and tabs kept; other control characters and
/// bidi codepoints are dropped. Borrowed when there is nothing to change, which is almost always.
pub(crate) fn clean_lines(text: &str) -> std::borrow::Cow<'_, str> {
    // Line feeds and tabs stay as they are (most texts hold line feeds: they must not send them down the copying
    // path below).
    let needs_cleaning = |c: char| c != '\n' && c != '\t' && (c.is_control() || is_bidi(c) || is_line_break(c));
    if !text.contains(needs_cleaning) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            c if is_line_break(c) => out.push('\n'),
            '\t' => out.push('\t'),
            c if c.is_control() || is_bidi(c) => {}
            c => out.push(c),
        }
    }
    out.into()
}

/// Text for a single-line comment (`// …`, `# …` in TOML, `<!-- … -->`): control characters and line breaks are
/// written as Rust escapes (`\n`, `\u{85}`), so a path with a newline still reads as that path, and bidi codepoints
/// are dropped. Nothing in the result can end the comment's line.
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_line_break(c) {
            out.extend(c.escape_default());
        } else if !is_bidi(c) {
            out.push(c);
        }
    }
    out
}

/// A TOML basic string (quotes included) holding exactly `text`, on one line: quotes, backslashes, control
/// characters, line breaks and bidi codepoints are escaped. (The `toml` crate would write a multi-line string
/// holding them raw.)
pub(crate) fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_toml_string(&mut out, text);
    out
}

/// [`toml_string`], written at the end of `out`.
pub(crate) fn push_toml_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_line_break(c) || is_bidi(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_become_newlines_and_invisible_characters_go() {
        assert_eq!(clean_lines("a\r\nb\rc\u{2028}d\u{85}e"), "a\nb\nc\nd\ne");
        assert_eq!(clean_lines("x\u{202E}y\u{2066}z\u{200F}\u{0}\u{7}\u{9b}\tw"), "xyz\tw");
        assert!(matches!(clean_lines("镜像 `x`"), std::borrow::Cow::Borrowed(_)));
        // Clean text is not copied, line feeds and tabs included.
        assert!(matches!(clean_lines("镜像\n\t`x`\n"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn one_line_text_cannot_end_its_line() {
        assert_eq!(one_line("docs\n[target]\r\u{202E}x"), "docs\\n[target]\\rx");
        assert_eq!(one_line("\u{2028}\u{85}"), "\\u{2028}\\u{85}");
    }

    #[test]
    fn toml_strings_read_back_as_the_text() {
        for text in ["plain", "quote \" back\\slash", "new\nline\r\u{1b}\u{85}", "\u{202E}", "'''\"\"\"", "tab\t"] {
            let written = toml_string(text);
            assert_eq!(written.lines().count(), 1, "{written}");
            assert!(!written.contains(|c: char| c.is_control() || is_bidi(c)), "{written}");
            let doc: toml::Table = format!("v = {written}").parse().expect("valid TOML");
            assert_eq!(doc["v"].as_str(), Some(text));
        }
        assert_eq!(toml_string("ucloud-uodn"), "\"ucloud-uodn\"");
    }
}
