//! `quote!`d tokens → `syn` items, parsing each shape once (issue #21, item 2).
//!
//! Most of what a module holds repeats in shape from one operation to the next: a setter differs from the next
//! one by its names, type and doc line, every response gets the same runtime macro invocations, every client
//! method the same body around other names. syn's parser is the generator's most expensive step, so each item is
//! parsed once per shape: its tokens are abstracted (every identifier that is not a keyword, and every string
//! literal outside attributes and macro arguments, becomes a numbered placeholder), the abstracted tokens are
//! parsed on the first occurrence of the shape, and every occurrence clones that tree and puts its own identifiers
//! and literals back in. syn's parse of an item depends on its identifiers only through keywords (kept), and on a
//! string literal not at all, so the tree is exactly the one parsing the item itself would give, and prettyplease
//! prints the same text. `impl` blocks are split into their members and functions into their statements (each a
//! shape of its own), so a struct's setters reuse each other's shape whatever fields come around them, and an
//! encoder is its lines' shapes.

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write;
use syn::visit_mut::VisitMut;

/// The shapes parsed so far on this thread, by abstracted key. A shape's tree holds placeholders only.
#[derive(Default)]
struct Parsed {
    items: HashMap<String, syn::Item>,
    members: HashMap<String, syn::ImplItem>,
    statements: HashMap<String, Statements>,
}

thread_local! {
    static PARSED: RefCell<Parsed> = RefCell::new(Parsed::default());
}

/// Appends the items of `tokens` (a sequence of items, optionally opened by inner attributes) to `file`.
pub fn parse_into(tokens: TokenStream, file: &mut syn::File) -> syn::Result<()> {
    let mut tokens: Vec<TokenTree> = tokens.into_iter().collect();
    // Inner attributes (a module's docs) are the file's, each taken off the front as it is.
    let mut start = 0;
    while let [TokenTree::Punct(p), TokenTree::Punct(q), TokenTree::Group(g), ..] = &tokens[start..] {
        if p.as_char() != '#' || q.as_char() != '!' || g.delimiter() != Delimiter::Bracket {
            break;
        }
        file.attrs.push(inner_attribute(g)?);
        start += 3;
    }
    tokens.drain(..start);
    for item in split(tokens, Level::Items) {
        file.items.push(item_of(item)?);
    }
    Ok(())
}

/// `#![…]` from its bracket group: a doc line (`doc = "…"`, one per line of a module's docs) built directly, any
/// other attribute parsed.
fn inner_attribute(group: &Group) -> syn::Result<syn::Attribute> {
    let mut inside = group.stream().into_iter();
    if let (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(eq)), Some(TokenTree::Literal(text)), None) =
        (inside.next(), inside.next(), inside.next(), inside.next())
    {
        if name == "doc" && eq.as_char() == '=' && is_string(&text.to_string()) {
            return Ok(syn::Attribute {
                pound_token: Default::default(),
                style: syn::AttrStyle::Inner(Default::default()),
                bracket_token: Default::default(),
                meta: syn::Meta::NameValue(syn::MetaNameValue {
                    path: name.into(),
                    eq_token: Default::default(),
                    value: syn::Expr::Lit(syn::ExprLit { attrs: Vec::new(), lit: syn::Lit::new(text) }),
                }),
            });
        }
    }
    use syn::parse::Parser;
    let alone = |c| TokenTree::Punct(proc_macro2::Punct::new(c, proc_macro2::Spacing::Alone));
    let tokens: TokenStream = [alone('#'), alone('!'), TokenTree::Group(group.clone())].into_iter().collect();
    let attributes = syn::Attribute::parse_inner.parse2(tokens)?;
    attributes
        .into_iter()
        .next()
        .ok_or_else(|| syn::Error::new(group.span(), "an empty inner attribute (generator bug)"))
}

/// One item (`tokens` hold exactly one), parsed through its shape like the items of [`parse_into`].
pub fn parse_item(tokens: TokenStream) -> syn::Result<syn::Item> {
    item_of(tokens.into_iter().collect())
}

/// Whether a split separates items (a `;` after a `{…}` belongs to it: `static X: T = T { … };`) or an impl
/// block's members.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Items,
    Members,
}

/// Top-level items (or impl members): each ends at a `;` or at a `{…}` group not followed by `;`.
fn split(tokens: Vec<TokenTree>, level: Level) -> Vec<Vec<TokenTree>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let ends = match &token {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                // `= T { … };` (a static's value) and `struct S { … }` followed by `;` never occur as members.
                level == Level::Members || !matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
            }
            _ => false,
        };
        current.push(token);
        if ends {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// One item: an `impl` block is its header's shape with each member's shape inside; anything else one shape.
fn item_of(mut tokens: Vec<TokenTree>) -> syn::Result<syn::Item> {
    if !is_impl_block(&tokens) {
        return shape(tokens, |p| &mut p.items, syn::parse2);
    }
    let Some(TokenTree::Group(body)) = tokens.pop() else { unreachable!("is_impl_block checked the body") };
    tokens.push(TokenTree::Group(Group::new(Delimiter::Brace, TokenStream::new())));
    let syn::Item::Impl(mut block) = shape(tokens, |p| &mut p.items, syn::parse2)? else {
        return Err(syn::Error::new(Span::call_site(), "an impl block parsed as another item (generator bug)"));
    };
    let members = body.stream();
    // The only handle on the body's tokens now: iterating moves them instead of copying.
    drop(body);
    for member in split(members.into_iter().collect(), Level::Members) {
        block.items.push(member_of(member)?);
    }
    Ok(syn::Item::Impl(block))
}

/// One member of an impl block: a function is its signature's shape with each statement's shape inside (a
/// setter's body is the same whatever its field; an `encode` is a line per field).
fn member_of(mut tokens: Vec<TokenTree>) -> syn::Result<syn::ImplItem> {
    let is_function = tokens.iter().any(|t| matches!(t, TokenTree::Ident(word) if word == "fn"))
        && matches!(tokens.last(), Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace);
    if !is_function {
        return shape(tokens, |p| &mut p.members, syn::parse2);
    }
    let Some(TokenTree::Group(body)) = tokens.pop() else { unreachable!("the body was checked") };
    tokens.push(TokenTree::Group(Group::new(Delimiter::Brace, TokenStream::new())));
    let mut member = shape(tokens, |p| &mut p.members, syn::parse2)?;
    let syn::ImplItem::Fn(function) = &mut member else {
        return Err(syn::Error::new(Span::call_site(), "a function parsed as another member (generator bug)"));
    };
    let statements = body.stream();
    drop(body);
    // A `;` at the top of a block always ends a statement: each run up to one is whole statements.
    let mut run = Vec::new();
    for token in statements {
        let ends = matches!(&token, TokenTree::Punct(p) if p.as_char() == ';');
        run.push(token);
        if ends {
            function.block.stmts.extend(shape(std::mem::take(&mut run), |p| &mut p.statements, parse_statements)?.0);
        }
    }
    if !run.is_empty() {
        function.block.stmts.extend(shape(run, |p| &mut p.statements, parse_statements)?.0);
    }
    Ok(member)
}

/// Statements of a block, as a shape's tree.
#[derive(Clone)]
struct Statements(Vec<syn::Stmt>);

fn parse_statements(tokens: TokenStream) -> syn::Result<Statements> {
    use syn::parse::Parser;
    syn::Block::parse_within.parse2(tokens).map(Statements)
}

/// `[attributes] impl … { body }`.
fn is_impl_block(tokens: &[TokenTree]) -> bool {
    let mut i = 0;
    // Outer attributes: `#` and a bracket group.
    while let (Some(TokenTree::Punct(p)), Some(TokenTree::Group(_))) = (tokens.get(i), tokens.get(i + 1)) {
        if p.as_char() != '#' {
            break;
        }
        i += 2;
    }
    matches!(tokens.get(i), Some(TokenTree::Ident(word)) if word == "impl")
        && matches!(tokens.last(), Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace)
}

/// The tree of `tokens`: their shape's tree (parsed now if it is the first of its shape), with their own
/// identifiers, literals and verbatim groups.
fn shape<T: Clone + Substitutable>(
    tokens: Vec<TokenTree>,
    cache: fn(&mut Parsed) -> &mut HashMap<String, T>,
    parse: fn(TokenStream) -> syn::Result<T>,
) -> syn::Result<T> {
    let mut abstracted = Abstracted::default();
    abstracted.walk(tokens, Context::Code);
    let known = PARSED.with(|parsed| cache(&mut parsed.borrow_mut()).get(&abstracted.key).cloned());
    let Abstracted { key, tape, idents, strings, groups, .. } = abstracted;
    let mut tree = match known {
        Some(tree) => tree,
        None => {
            let tree = parse(normalized(tape))?;
            PARSED.with(|parsed| cache(&mut parsed.borrow_mut()).insert(key, tree.clone()));
            tree
        }
    };
    tree.substitute(&mut Substitute { idents: &idents, strings: &strings, groups: &groups, text: String::new() });
    Ok(tree)
}

/// A token sequence's shape (`key`), what fills it (identifiers, string literals and verbatim groups, numbered in
/// the order met), and the tape to build the shape's tokens from when it is new.
#[derive(Default)]
struct Abstracted {
    key: String,
    tape: Vec<Taped>,
    idents: Vec<Ident>,
    strings: Vec<Literal>,
    groups: Vec<TokenStream>,
    /// Scratch space for a token's text.
    text: String,
}

/// The shape's tokens, in order: the tokens that are part of the shape, and placeholders.
enum Taped {
    Token(TokenTree),
    Open(Delimiter),
    Close,
    Ident(usize),
    String(usize),
    Verbatim(Delimiter, usize),
}

/// Where a walk is: code syn parses, or an attribute's brackets (its path, then a verbatim group or `= value`).
#[derive(Clone, Copy, PartialEq)]
enum Context {
    Code,
    Attribute,
}

/// Placeholder identifiers are `__docbind_shape_<n>`, placeholder strings `"__docbind_shape_<n>"`, a verbatim
/// group holds one identifier `__docbind_shape_<n>`. Every identifier and string literal syn's tree holds outside
/// verbatim groups is a placeholder, and the contents of those groups are never visited, so no text of the
/// generated code is ever taken for one.
const PLACEHOLDER: &str = "__docbind_shape_";

impl Abstracted {
    /// Consumes `tokens` (a group's tokens are moved out of it, not copied).
    fn walk(&mut self, tokens: impl IntoIterator<Item = TokenTree>, context: Context) {
        // The two tokens before this one: a group after `name !` is a macro's arguments, kept verbatim by syn.
        let mut macro_bang = false;
        let mut after_ident = false;
        let mut attribute_next = false;
        let mut verbatim_next = context == Context::Attribute;
        for token in tokens {
            let mut next_after_ident = false;
            let mut next_macro_bang = false;
            let mut next_attribute = false;
            match token {
                TokenTree::Ident(ident) => {
                    self.text.clear();
                    let _ = write!(self.text, "{ident}");
                    if is_keyword(&self.text) {
                        self.key.push_str(&self.text);
                        self.tape.push(Taped::Token(TokenTree::Ident(ident)));
                    } else {
                        self.key.push('$');
                        self.tape.push(Taped::Ident(self.idents.len()));
                        self.idents.push(ident);
                        next_after_ident = true;
                    }
                    self.key.push(' ');
                }
                TokenTree::Literal(literal) => {
                    self.text.clear();
                    let _ = write!(self.text, "{literal}");
                    if is_string(&self.text) {
                        self.key.push_str("$s ");
                        self.tape.push(Taped::String(self.strings.len()));
                        self.strings.push(literal);
                    } else {
                        self.key.push_str(&self.text);
                        self.key.push(' ');
                        self.tape.push(Taped::Token(TokenTree::Literal(literal)));
                    }
                }
                TokenTree::Group(group) => {
                    let delimiter = group.delimiter();
                    let (open, close) = delimiters(delimiter);
                    let stream = group.stream();
                    drop(group);
                    if macro_bang || verbatim_next {
                        self.key.push(open);
                        self.key.push_str("$g");
                        self.key.push(close);
                        self.tape.push(Taped::Verbatim(delimiter, self.groups.len()));
                        self.groups.push(stream);
                    } else {
                        let inside = if attribute_next { Context::Attribute } else { Context::Code };
                        self.key.push(open);
                        self.tape.push(Taped::Open(delimiter));
                        self.walk(stream, inside);
                        self.key.push(close);
                        self.tape.push(Taped::Close);
                    }
                    verbatim_next = false;
                }
                TokenTree::Punct(punct) => {
                    let c = punct.as_char();
                    self.key.push(c);
                    let alone = punct.spacing() == proc_macro2::Spacing::Alone;
                    if alone {
                        self.key.push(' ');
                    }
                    // `name!` followed by a group: a macro call (not `!=`, not a negation after a keyword).
                    next_macro_bang = c == '!' && alone && after_ident;
                    // `#[…]` and `#![…]`.
                    next_attribute = c == '#' || (c == '!' && attribute_next);
                    // `= value` in an attribute is code.
                    if c == '=' {
                        verbatim_next = false;
                    }
                    self.tape.push(Taped::Token(TokenTree::Punct(punct)));
                }
            }
            after_ident = next_after_ident;
            macro_bang = next_macro_bang;
            attribute_next = next_attribute;
        }
    }
}

/// The shape's own tokens, built from its tape.
fn normalized(tape: Vec<Taped>) -> TokenStream {
    let placeholder = |n: usize| TokenTree::Ident(Ident::new(&format!("{PLACEHOLDER}{n}"), Span::call_site()));
    let mut levels: Vec<(Delimiter, Vec<TokenTree>)> = vec![(Delimiter::None, Vec::new())];
    for taped in tape {
        let token = match taped {
            Taped::Token(token) => token,
            Taped::Ident(n) => placeholder(n),
            Taped::String(n) => TokenTree::Literal(Literal::string(&format!("{PLACEHOLDER}{n}"))),
            Taped::Verbatim(delimiter, n) => TokenTree::Group(Group::new(delimiter, placeholder(n).into())),
            Taped::Open(delimiter) => {
                levels.push((delimiter, Vec::new()));
                continue;
            }
            Taped::Close => {
                let (delimiter, tokens) = levels.pop().unwrap_or((Delimiter::None, Vec::new()));
                TokenTree::Group(Group::new(delimiter, tokens.into_iter().collect()))
            }
        };
        if let Some((_, tokens)) = levels.last_mut() {
            tokens.push(token);
        }
    }
    levels.into_iter().next().map(|(_, tokens)| tokens.into_iter().collect()).unwrap_or_default()
}

fn delimiters(delimiter: Delimiter) -> (char, char) {
    match delimiter {
        Delimiter::Parenthesis => ('(', ')'),
        Delimiter::Brace => ('{', '}'),
        Delimiter::Bracket => ('[', ']'),
        // Invisible groups carry no text of their own; mark them so they never match a visible one.
        Delimiter::None => ('\u{1}', '\u{2}'),
    }
}

/// A string literal (`"…"`, `r"…"`, `r#"…"#`), not a byte string, char or number.
fn is_string(text: &str) -> bool {
    text.starts_with('"') || (text.starts_with('r') && text[1..].starts_with(['"', '#']))
}

/// Identifiers syn reads as more than a name: keywords (strict, reserved and contextual), booleans, `_`.
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "_" | "abstract"
            | "as"
            | "async"
            | "auto"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "default"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "macro_rules"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "raw"
            | "ref"
            | "return"
            | "safe"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "union"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// Puts an occurrence's identifiers, strings and verbatim groups into its shape's tree.
struct Substitute<'a> {
    idents: &'a [Ident],
    strings: &'a [Literal],
    groups: &'a [TokenStream],
    /// Scratch space for an identifier's text.
    text: String,
}

impl Substitute<'_> {
    fn index(text: &str) -> Option<usize> {
        text.strip_prefix(PLACEHOLDER)?.parse().ok()
    }

    /// The group a verbatim placeholder stands for.
    fn group(&mut self, tokens: &TokenStream) -> Option<TokenStream> {
        let mut inside = tokens.clone().into_iter();
        let (Some(TokenTree::Ident(ident)), None) = (inside.next(), inside.next()) else { return None };
        self.text.clear();
        let _ = write!(self.text, "{ident}");
        Self::index(&self.text).and_then(|n| self.groups.get(n)).cloned()
    }
}

impl VisitMut for Substitute<'_> {
    fn visit_ident_mut(&mut self, ident: &mut Ident) {
        self.text.clear();
        let _ = write!(self.text, "{ident}");
        if let Some(found) = Self::index(&self.text).and_then(|n| self.idents.get(n)) {
            *ident = found.clone();
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        syn::visit_mut::visit_path_mut(self, &mut mac.path);
        if let Some(tokens) = self.group(&mac.tokens) {
            mac.tokens = tokens;
        }
    }

    fn visit_meta_list_mut(&mut self, list: &mut syn::MetaList) {
        syn::visit_mut::visit_path_mut(self, &mut list.path);
        if let Some(tokens) = self.group(&list.tokens) {
            list.tokens = tokens;
        }
    }

    fn visit_lit_str_mut(&mut self, literal: &mut syn::LitStr) {
        let found = Self::index(&literal.value()).and_then(|n| self.strings.get(n));
        if let Some(syn::Lit::Str(text)) = found.map(|found| syn::Lit::new(found.clone())) {
            *literal = text;
        }
    }
}

/// The trees a shape can be: an item, or an impl block's member.
trait Substitutable {
    fn substitute(&mut self, with: &mut Substitute<'_>);
}

impl Substitutable for syn::Item {
    fn substitute(&mut self, with: &mut Substitute<'_>) {
        with.visit_item_mut(self);
    }
}

impl Substitutable for Statements {
    fn substitute(&mut self, with: &mut Substitute<'_>) {
        for statement in &mut self.0 {
            with.visit_stmt_mut(statement);
        }
    }
}

impl Substitutable for syn::ImplItem {
    fn substitute(&mut self, with: &mut Substitute<'_>) {
        with.visit_impl_item_mut(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// What prettyplease prints for `tokens`, parsed by syn directly and through shapes.
    fn both(tokens: TokenStream) -> (String, String) {
        let direct: syn::File = syn::parse2(tokens.clone()).unwrap();
        let mut shaped = syn::File { shebang: None, attrs: Vec::new(), items: Vec::new() };
        parse_into(tokens, &mut shaped).unwrap();
        (prettyplease::unparse(&direct), prettyplease::unparse(&shaped))
    }

    #[test]
    fn a_shape_parsed_before_prints_each_occurrence_as_itself() {
        let setter = |name: &str, field: &str, doc: &str, wire: &str| {
            let setter = quote::format_ident!("{name}");
            let field = quote::format_ident!("{field}");
            quote! {
                impl Request {
                    #[doc = #doc]
                    #[must_use]
                    pub fn #setter(mut self, value: impl Into<String>) -> Self {
                        self.#field = Some(value.into());
                        self
                    }
                    fn encode(&self, form: &mut Form) {
                        form.opt_str(#wire, self.#field.as_deref());
                    }
                }
                static OPERATION: Operation = Operation { action: #wire, idempotent: true };
                #[cfg(feature = "serde")]
                rt::__serde_wire_object! { Request; optional #wire #field; }
            }
        };
        // The second and third occurrences reuse the first's shape; a long name makes prettyplease break lines.
        for (name, field, doc, wire) in [
            ("with_a", "a", " Sets a.", "A"),
            ("with_zone", "zone", " Sets the zone, \"quoted\".", "Zone"),
            ("with_a_very_long_setter_name_that_pushes_the_signature_past_the_margin", "b", " 长", "Wire\"x"),
        ] {
            let (direct, shaped) = both(setter(name, field, doc, wire));
            assert_eq!(shaped, direct);
            assert!(shaped.contains(name) && shaped.contains(field), "{shaped}");
        }
    }

    #[test]
    fn keywords_and_module_docs_keep_their_meaning() {
        let tokens = quote! {
            #![doc = "Module."]
            use docbind_runtime as rt;
            pub fn r#type(self) -> Self { if true { self } else { Self::default() } }
        };
        let (direct, shaped) = both(tokens);
        assert_eq!(shaped, direct);
        // Doc lines (built directly) and another inner attribute (parsed), in order, before the items.
        let line = crate::codegen::tokens::string_literal(" 长 \"quoted\" line");
        let (direct, shaped) = both(quote! {
            #![doc = #line]
            #![allow(dead_code)]
            #![doc = ""]
            pub use crate::shared::{A, B};
        });
        assert_eq!(shaped, direct);
        assert!(shaped.starts_with("//! 长 \"quoted\" line\n#![allow(dead_code)]\n//!\n"), "{shaped}");
        let (direct, shaped) = both(quote!(
            pub fn r#match(self) -> Self {
                if false {
                    self
                } else {
                    loop {}
                }
            }
        ));
        assert_eq!(shaped, direct);
    }
}
