//! The values of a doc's own request example, as Rust arguments for the examples in the generated docs
//! (`CreateUvodnNodeRequest::new("uedn-idc-xxx", 1, 2, …)` rather than placeholders).
//!
//! Example values are vendor text, and they land in code that users' doctests compile: a string becomes a string
//! literal (every quote, backslash, control and bidi character escaped, on one line), a number only a number Rust
//! reads as one, an enumeration value one of its variants; anything else falls back to a placeholder.

use super::defs::{Arity, EnumDef, FieldDef, Shape};
use crate::ir::{ExampleKind, Operation};

/// Values longer than this are left to a placeholder: an example is read, not pasted.
const MAX_VALUE: usize = 80;

/// The `Name=value` pairs of the operation's first request example: a form or query (`&Name=value` lines,
/// `?a=b&c=d`), and the top-level scalars of a JSON body.
pub(crate) fn request_values(op: &Operation) -> Vec<(String, String)> {
    let Some(example) = op.examples.iter().find(|e| e.kind == ExampleKind::Request) else { return Vec::new() };
    let text = &example.text;
    let mut values = query_values(text);
    if let (Some(start), Some(end)) = (text.find('{'), text.rfind('}')) {
        if let Ok(serde_json::Value::Object(body)) = serde_json::from_str(&text[start..=end]) {
            for (name, value) in body {
                let value = match value {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::Bool(b) => b.to_string(),
                    _ => continue,
                };
                values.push((name, value));
            }
        }
    }
    values
}

/// The `Name=value` pairs of a form or query: `&Name=value` lines, `?a=b&c=d`, or an HTTP request line
/// (`PUT /key?uploadId=… HTTP/1.1`, UFile's examples), whose protocol version is not part of the last value.
fn query_values(text: &str) -> Vec<(String, String)> {
    text.split(['&', '?', '\n', '\r'])
        .filter_map(|part| {
            let (name, value) = part.split_once('=')?;
            let name = name.trim();
            let plausible = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c));
            let value = value.trim();
            let value = match value.rsplit_once(' ') {
                Some((value, version)) if version.starts_with("HTTP/") => value.trim_end(),
                _ => value,
            };
            plausible.then(|| (name.to_string(), value.to_string()))
        })
        .collect()
}

/// A Rust expression for `field` from `values`, typed as the constructor takes it, or `None` when the example has
/// no value for it that is safe and right to write. `enum_path` names an enumeration's type (`crate_name::module`).
pub(crate) fn argument(
    field: &FieldDef,
    values: &[(String, String)],
    enums: &[EnumDef],
    enum_path: &str,
) -> Option<String> {
    let value = |wire: &str| values.iter().find(|(name, _)| name == wire).map(|(_, v)| v.as_str());
    match field.arity {
        Arity::List => {
            // `Name.0`, `Name.1`, … (UCloud's indexed form names), or a bare `Name`.
            let items: Vec<String> = (0..)
                .map_while(|i| value(&format!("{}.{i}", field.wire)))
                .chain(value(&field.wire).filter(|_| value(&format!("{}.0", field.wire)).is_none()))
                .map(|v| {
                    let item = scalar(&field.shape, v, enums, enum_path)?;
                    // The list holds `String`s; a literal is a `&str`.
                    Some(if field.shape == Shape::Str { format!("{item}.to_owned()") } else { item })
                })
                .collect::<Option<_>>()?;
            (!items.is_empty()).then(|| format!("vec![{}]", items.join(", ")))
        }
        _ => scalar(&field.shape, value(&field.wire)?, enums, enum_path),
    }
}

fn scalar(shape: &Shape, value: &str, enums: &[EnumDef], enum_path: &str) -> Option<String> {
    if value.len() > MAX_VALUE {
        return None;
    }
    match shape {
        Shape::Str => Some(string_literal(value)),
        Shape::Int => value.parse::<i64>().ok().map(|n| n.to_string()),
        Shape::Float => {
            let number = value.parse::<f64>().ok().filter(|f| f.is_finite())?;
            // `{:?}` writes a float Rust reads back as the same f64 (`2.0`, `0.5`, `1e300`).
            Some(format!("{number:?}"))
        }
        Shape::Bool => match value {
            "true" | "false" => Some(value.to_string()),
            _ => None,
        },
        Shape::Enum { name, .. } => {
            let def = enums.iter().find(|e| e.name == *name)?;
            let (variant, _) = def.variants.iter().find(|(_, wire)| wire == value)?;
            Some(format!("{enum_path}::{name}::{variant}"))
        }
        Shape::Json | Shape::TextMap | Shape::Struct(_) => None,
    }
}

/// A Rust string literal denoting `value`, on one line: `Debug` escapes quotes, backslashes, line breaks and
/// every other control or invisible character (bidi codepoints included) as `\u{…}`.
fn string_literal(value: &str) -> String {
    let mut literal = format!("{value:?}");
    // `Debug` leaves printable bidi-neutral text alone; a bidi codepoint it considers printable is escaped too.
    if literal.chars().any(super::text::is_bidi) {
        literal = literal
            .chars()
            .map(|c| if super::text::is_bidi(c) { c.escape_unicode().to_string() } else { c.to_string() })
            .collect();
    }
    literal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Location;

    fn field(wire: &str, shape: Shape, arity: Arity) -> FieldDef {
        FieldDef {
            ident: wire.to_lowercase(),
            wire: wire.into(),
            shape,
            arity,
            location: Location::Form,
            doc: String::new(),
            required: true,
        }
    }

    fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    }

    #[test]
    fn example_values_become_literals_of_the_field_type_or_nothing() {
        let given = values(&[
            ("IdcId", "uedn-idc-xxx"),
            ("CpuCore", "2"),
            ("Ratio", "0.5"),
            ("Bad", "1; std::process::exit(1)"),
            ("Quote", "a\"b\\c\n```\u{202e}"),
            ("Ids.0", "a"),
            ("Ids.1", "b"),
            ("ChargeType", "2"),
        ]);
        let charge = EnumDef {
            name: "ChargeType".into(),
            doc: String::new(),
            variants: vec![("Hourly".into(), "1".into()), ("Monthly".into(), "2".into())],
            numbers: true,
        };
        let arg = |f: FieldDef| argument(&f, &given, std::slice::from_ref(&charge), "k::m");
        assert_eq!(arg(field("IdcId", Shape::Str, Arity::One)).as_deref(), Some("\"uedn-idc-xxx\""));
        assert_eq!(arg(field("CpuCore", Shape::Int, Arity::One)).as_deref(), Some("2"));
        assert_eq!(arg(field("Ratio", Shape::Float, Arity::One)).as_deref(), Some("0.5"));
        assert_eq!(arg(field("Bad", Shape::Int, Arity::One)), None, "a number only if it is one");
        let quoted = arg(field("Quote", Shape::Str, Arity::One)).unwrap();
        assert_eq!(quoted, "\"a\\\"b\\\\c\\n```\\u{202e}\"");
        assert_eq!(
            arg(field("Ids", Shape::Str, Arity::List)).as_deref(),
            Some("vec![\"a\".to_owned(), \"b\".to_owned()]")
        );
        let enumerated = Shape::Enum { name: "ChargeType".into(), int: true };
        assert_eq!(arg(field("ChargeType", enumerated, Arity::One)).as_deref(), Some("k::m::ChargeType::Monthly"));
        assert_eq!(arg(field("Missing", Shape::Str, Arity::One)), None);
    }

    #[test]
    fn query_values_of_forms_and_of_request_lines() {
        let form = "https://api.ucloud.cn/?Action=CreateUvodnNode\n&IdcId=uedn-idc-xxx\n&Remark=two words\n";
        let expected = values(&[("Action", "CreateUvodnNode"), ("IdcId", "uedn-idc-xxx"), ("Remark", "two words")]);
        assert_eq!(query_values(form), expected);
        // UFile's examples are HTTP requests: the request line's protocol version ends the query.
        let request = "DELETE /demo.mp4?uploadId=0f188eb2 HTTP/1.1\nHost: bucket.cn-bj.ufileos.com\n";
        assert_eq!(query_values(request), values(&[("uploadId", "0f188eb2")]));
    }
}
