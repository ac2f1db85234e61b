//! Rust names for wire names: snake_case fields, UpperCamelCase types, keywords escaped, collisions numbered.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Strict and reserved keywords of Rust 2021 (they need `r#`).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait",
    "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];
/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "extern"];

/// `ImageId` → `image_id`, `Type` → `r#type`, `Finovy-Access-Token` → `finovy_access_token`.
pub fn field_name(wire: &str) -> String {
    let mut snake = wire.to_snake_case();
    if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake.insert_str(0, "field_");
    }
    snake
}

/// `imageInfo` → `ImageInfo`, `ULBPolicySet` → `UlbPolicySet`.
pub fn type_name(wire: &str) -> String {
    let mut camel = wire.to_upper_camel_case();
    if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) {
        camel.insert(0, 'T');
    }
    if NOT_RAW.contains(&camel.as_str()) {
        camel.push('_');
    }
    camel
}

/// `GetUvodnImage` → `get_uvodn_image` (module and method names).
pub fn snake(name: &str) -> String {
    field_name(name)
}

/// An identifier token, raw when the name is a keyword.
pub fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// Makes names unique within one scope by numbering repeats (`name`, `name_2`, …), in order.
#[derive(Debug, Default)]
pub struct Scope {
    taken: Vec<String>,
}

impl Scope {
    pub fn with_reserved(names: &[&str]) -> Self {
        Scope { taken: names.iter().map(|s| s.to_string()).collect() }
    }

    pub fn claim(&mut self, name: String) -> String {
        let mut candidate = name.clone();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{name}_{n}");
            n += 1;
        }
        self.taken.push(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_become_rust_names() {
        assert_eq!(field_name("ImageId"), "image_id");
        assert_eq!(field_name("imageId"), "image_id");
        assert_eq!(field_name("Finovy-Access-Token"), "finovy_access_token");
        assert_eq!(field_name("UHostId"), "u_host_id");
        assert_eq!(type_name("imageInfo"), "ImageInfo");
        assert_eq!(type_name("ULBPolicySet"), "UlbPolicySet");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("image_id").to_string(), "image_id");
    }

    #[test]
    fn scopes_number_collisions_in_order() {
        let mut scope = Scope::with_reserved(&["extra"]);
        assert_eq!(scope.claim("extra".into()), "extra_2");
        assert_eq!(scope.claim("a".into()), "a");
        assert_eq!(scope.claim("a".into()), "a_2");
    }
}
