//! Inputs: JSON texts written here (not through `serde_json::Value`, which cannot hold an integer wider than 64 bits,
//! a repeated key, a lone surrogate or `1e400`), from keys the generated types declare, their case variants and
//! random keys, and values of every kind, nested up to past `serde_json`'s depth limit.

use proptest::prelude::*;

/// A JSON text to write: numbers as literals, strings with a choice of escaping, keys that may repeat.
#[derive(Debug, Clone)]
pub enum Gen {
    Null,
    Bool(bool),
    Num(String),
    Str {
        text: String,
        escape_all: bool,
    },
    /// A token written as is (`"\ud800"`): what a `String` cannot hold.
    Raw(&'static str),
    Arr(Vec<Gen>),
    Obj(Vec<(String, Gen)>),
}

impl Gen {
    pub fn write(&self, out: &mut String) {
        match self {
            Gen::Null => out.push_str("null"),
            Gen::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Gen::Num(literal) => out.push_str(literal),
            Gen::Str { text, escape_all } => write_str(text, *escape_all, out),
            Gen::Raw(token) => out.push_str(token),
            Gen::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Gen::Obj(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str(key, false, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// A JSON string: as `serde_json` writes it, or with every non-ASCII character as `\u` escapes (surrogate pairs).
fn write_str(text: &str, escape_all: bool, out: &mut String) {
    if !escape_all {
        out.push_str(&serde_json::to_string(text).unwrap_or_default());
        return;
    }
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// Keys: `names` (the decode targets' wire names), their case variants and indexed forms, and random keys.
pub fn key(names: Vec<&'static str>) -> impl Strategy<Value = String> {
    let names = move || proptest::sample::select(names.clone());
    prop_oneof![
        6 => names().prop_map(str::to_owned),
        1 => names().prop_map(str::to_ascii_lowercase),
        1 => names().prop_map(str::to_ascii_uppercase),
        1 => (names(), 0..4usize).prop_map(|(n, i)| format!("{n}.{i}")),
        2 => "\\PC{0,8}",
        1 => "[\"\\\\/\u{0}-\u{1f}]{0,3}",
    ]
}

/// An integer literal wider than 64 bits (from 19 digits, negative, up to 80 digits).
pub fn wide_integer() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "18446744073709551616",
            "-9223372036854775809",
            "99999999999999999999",
            "123456789012345678901234567890",
            "-18446744073709551616",
        ])
        .prop_map(str::to_owned),
        (any::<bool>(), "[1-9][0-9]{19,79}").prop_map(|(negative, digits)| {
            if negative {
                format!("-{digits}")
            } else {
                digits
            }
        }),
    ]
}

pub fn numeric_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        any::<u64>().prop_map(|u| u.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        (any::<i32>(), "[ \t\n]{0,2}", "[ \t\n]{0,2}").prop_map(|(i, a, b)| format!("{a}{i}{b}")),
        wide_integer(),
        proptest::sample::select(vec![
            "",
            "0",
            "1",
            "2",
            "3",
            "5",
            "-0",
            "+5",
            "1.0",
            "1.5",
            "1e3",
            "1E+2",
            "-1e-2",
            "0x10",
            "1_000",
            "NaN",
            "inf",
            "-Infinity",
            "1e999",
            "-1e999",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "9.223372036854775807e18",
            "true",
            "false",
            "TRUE",
            " 1 ",
            ".5",
            "5.",
            "--1",
            "1e",
            "e1",
            "\u{0}1",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Number literals: integers of 64 bits and wider, floats written in several ways.
pub fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<i64>().prop_map(|i| i.to_string()),
        2 => any::<u64>().prop_map(|u| u.to_string()),
        2 => wide_integer(),
        2 => any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(|n| n.to_string())),
        1 => any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:e}")),
        2 => proptest::sample::select(vec![
            "0", "1", "-1", "2", "5", "-0", "-0.0", "1.0", "1.50", "1E+2", "0e5", "1e-400", "1e19", "-1e19",
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "18446744073709551615",
            "1708330251000", "9007199254740993", "12345678901234567890123.5", "1.7976931348623157e308",
        ])
        .prop_map(str::to_owned),
    ]
}

pub fn leaf() -> impl Strategy<Value = Gen> {
    prop_oneof![
        2 => Just(Gen::Null),
        2 => any::<bool>().prop_map(Gen::Bool),
        6 => number().prop_map(Gen::Num),
        3 => ("\\PC{0,12}", any::<bool>()).prop_map(|(text, escape_all)| Gen::Str { text, escape_all }),
        1 => any::<String>().prop_map(|text| Gen::Str { text, escape_all: false }),
        3 => numeric_string().prop_map(|text| Gen::Str { text, escape_all: false }),
    ]
}

/// What `serde_json` cannot represent: a rare leaf, so most cases get past it.
pub fn unrepresentable() -> impl Strategy<Value = Gen> {
    proptest::sample::select(vec![
        "1e400",
        "-1e400",
        "1.7976931348623159e308",
        "\"\\ud800\"",
        "\"x\\udc00\"",
        "\"\\ud800\\u0041\"",
    ])
    .prop_map(Gen::Raw)
}

/// Any JSON value, objects with repeated keys included, up to eight levels deep; now and then one more value
/// under a chain of up to 135 containers (`serde_json` reads 127), or a value `serde_json` cannot represent.
pub fn json(names: Vec<&'static str>) -> impl Strategy<Value = Gen> {
    let tree = prop_oneof![300 => leaf(), 1 => unrepresentable()].prop_recursive(8, 128, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Gen::Arr),
            proptest::collection::vec((key(names.clone()), inner), 0..8).prop_map(Gen::Obj),
        ]
    });
    prop_oneof![20 => tree.clone(), 1 => (tree, 100..136usize, any::<bool>()).prop_map(|(g, n, o)| chain(g, n, o))]
}

/// `value` under `depth` single-element arrays, or objects.
fn chain(value: Gen, depth: usize, objects: bool) -> Gen {
    (0..depth).fold(value, |inner, _| if objects { Gen::Obj(vec![("k".into(), inner)]) } else { Gen::Arr(vec![inner]) })
}

/// An object's members: keys drawn so that repeats happen.
pub fn members(names: Vec<&'static str>) -> impl Strategy<Value = Vec<(String, Gen)>> {
    proptest::collection::vec((key(names.clone()), json(names)), 0..10)
}

/// A body: the text of `gen`, now and then after a UTF-8 byte order mark.
pub fn with_bom(text: String, bom: bool) -> Vec<u8> {
    let mut body = if bom { "\u{feff}".as_bytes().to_vec() } else { Vec::new() };
    body.extend_from_slice(text.as_bytes());
    body
}

/// A status value: what the envelopes' status keys get.
pub fn status_value(ok: &'static str) -> impl Strategy<Value = Gen> {
    prop_oneof![
        8 => Just(Gen::Num(ok.to_owned())),
        2 => Just(Gen::Str { text: ok.to_owned(), escape_all: false }),
        2 => prop_oneof![Just(150i64), Just(153), Just(171), Just(401), Just(500), Just(2001), any::<i64>()]
            .prop_map(|c| Gen::Num(c.to_string())),
        1 => Just(Gen::Null),
        1 => Just(Gen::Num(format!("{ok}.0"))),
        1 => Just(Gen::Num("0.5".into())),
        1 => wide_integer().prop_map(Gen::Num),
        1 => Just(Gen::Str { text: "E500".into(), escape_all: false }),
        1 => any::<bool>().prop_map(Gen::Bool),
        1 => Just(Gen::Obj(vec![])),
    ]
}
