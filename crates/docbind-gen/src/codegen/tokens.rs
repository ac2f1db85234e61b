//! Token-building helpers that keep the generator fast without changing what it emits (BENCHMARKS.md, codegen
//! speed).

use proc_macro2::{Literal, TokenStream};
use quote::ToTokens;
use std::cell::Cell;

/// A string literal token. proc-macro2's `Literal::string` escapes through `char::escape_debug`, which looks
/// every non-ASCII character up in Unicode's printable tables: for Chinese doc lines that was ~18x slower than
/// this, and a large share of the generator's time. Text without control or bidi characters becomes a raw string
/// (`r"…"`, `r#"…"#` if it holds a quote), which syn also reads back without unescaping; anything else gets only
/// the escapes a literal needs. Either way the literal denotes `text`, so prettyplease prints the same docs.
pub fn string_literal(text: &str) -> Literal {
    // Control and bidi characters are escaped: raw, a bidi codepoint trips rustc's deny-by-default
    // `text_direction_codepoint_in_literal`, and neither can be seen.
    let needs_escape = |c: char| c.is_control() || super::text::is_bidi(c);
    let source = if text.chars().any(needs_escape) {
        let mut source = String::with_capacity(text.len() + 2);
        source.push('"');
        for c in text.chars() {
            match c {
                '"' => source.push_str("\\\""),
                '\\' => source.push_str("\\\\"),
                c if needs_escape(c) => source.extend(c.escape_default()),
                c => source.push(c),
            }
        }
        source.push('"');
        source
    } else {
        // Enough `#`s that no `"#…` inside the text ends the literal early.
        let mut closing = String::from("\"");
        while text.contains(closing.as_str()) {
            closing.push('#');
        }
        let hashes = &closing[1..];
        format!("r{hashes}\"{text}{closing}")
    };
    source.parse().unwrap_or_else(|_| Literal::string(text))
}

/// A finished token stream, spliced into `quote!` by value. `quote!` interpolates by reference, and proc-macro2
/// then copies every token of the nested stream, once per level of nesting (docs inside fields inside structs
/// inside modules); a `Splice` hands its tokens over instead. Interpolate each one once: that is checked in debug
/// builds, which every test runs.
pub struct Splice(Cell<Option<TokenStream>>);

impl From<TokenStream> for Splice {
    fn from(tokens: TokenStream) -> Self {
        Splice(Cell::new(Some(tokens)))
    }
}

impl ToTokens for Splice {
    fn to_tokens(&self, out: &mut TokenStream) {
        let tokens = self.0.take();
        debug_assert!(tokens.is_some(), "a Splice was interpolated twice (generator bug)");
        out.extend(tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn string_literals_denote_the_text() {
        for text in [
            "",
            "镜像类型：1标准镜像",
            "quote \" and \\ back\\slash",
            "tab\tnew\nline\r\0",
            "emoji 😀 \u{200b}",
            "bidi \u{202E}override\u{2066}",
            "\"#",
            "a\"##b\"",
        ] {
            let literal = string_literal(text);
            // Nothing invisible in the source: rustc denies a raw bidi codepoint in a literal.
            let source = literal.to_string();
            assert!(!source.contains(|c: char| c.is_control() || super::super::text::is_bidi(c)), "{source}");
            let parsed: syn::LitStr = syn::parse2(quote!(#literal)).expect("a string literal");
            assert_eq!(parsed.value(), text);
        }
    }

    #[test]
    fn splicing_moves_the_same_tokens_quote_would_copy() {
        let inner = quote!(#[doc = " x"] pub field: Option<String>,);
        let expected = quote!(struct S { #inner }).to_string();
        let spliced = Splice::from(inner);
        assert_eq!(quote!(struct S { #spliced }).to_string(), expected);
    }
}
