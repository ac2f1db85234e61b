//! What the decoder must make of a body, worked out from the documented rules (`decode.rs`, ARCHITECTURE.md
//! "Lenience, and nothing lost") on the [`oracle`](super::oracle)'s reading of it: which typed fields hold what, and
//! which entries each `extra` holds, in order, with their raw text. The fuzzers compare the real decode with it.
//!
//! The rules, per key of an object in order (repeated keys included):
//! - an exact wire name feeds its field: a value that fits replaces the field (`null` clears it; a list or model is
//!   rebuilt), one that does not is inserted in `extra` under the key (a misfit list element under `Key.<i>`);
//! - a case variant of a declared name waits for the end of the object, then feeds the field if it is still empty
//!   (else it goes to `extra`), in order;
//! - any other key goes to `extra`;
//! - inserting a key `extra` has replaces its entry in place.

use serde_json::Value;

use super::oracle::{Json, Member, Node};

/// How a field takes values.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A string or an enumeration.
    Text,
    Int,
    Bool,
    /// A list of models of the schema the function gives.
    ModelList(fn() -> Schema),
    /// One optional model.
    Model(fn() -> Schema),
}

/// An object as a decode target sees keys.
pub struct Schema {
    /// The keys `Decode::slot` knows, with their kinds.
    pub fields: Vec<(&'static str, Kind)>,
    /// The names a case variant may fill (`Decode::field_names`).
    pub variants: Vec<&'static str>,
    /// Keys whose every occurrence first clears the field (the envelopes' status keys: the last one counts).
    pub cleared: Vec<&'static str>,
}

/// A decoded object as the rules say it must be.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub fields: Vec<(&'static str, Field)>,
    pub extra: Vec<(String, Kept)>,
    /// The keys that occurred exactly (the envelopes tell an absent status key from a `null` one).
    pub seen: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Absent,
    Text(String),
    Int(i64),
    Bool(bool),
    Models(Vec<Object>),
    Model(Box<Object>),
}

/// A value kept raw: the `Value` (integers wider than 64 bits as strings of their digits) and, for one holding such
/// an integer, its text as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub value: Value,
    pub raw: Option<String>,
}

impl Object {
    pub fn field(&self, name: &str) -> &Field {
        self.fields.iter().find(|(n, _)| *n == name).map_or(&Field::Absent, |(_, f)| f)
    }

    pub fn extra_get(&self, key: &str) -> Option<&Kept> {
        self.extra.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// An entry as JSON text: as received when raw, else serialized (what the runtime's statuses show).
    pub fn extra_text(&self, key: &str) -> Option<String> {
        self.extra_get(key).map(|kept| kept.raw.clone().unwrap_or_else(|| kept.value.to_string()))
    }

    /// Inserts like `Extra::insert`: a key already there keeps its place and takes the new value.
    pub fn insert(&mut self, key: String, kept: Kept) {
        match self.extra.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = kept,
            None => self.extra.push((key, kept)),
        }
    }
}

/// The object `members` (of `body`) decode into, from a default (empty) target of `schema`.
pub fn decode(schema: &Schema, members: &[Member], body: &[u8]) -> Object {
    let mut object = Object {
        fields: schema.fields.iter().map(|(name, _)| (*name, Field::Absent)).collect(),
        extra: Vec::new(),
        seen: Vec::new(),
    };
    let mut variants: Vec<(&'static str, Kind, &Member)> = Vec::new();
    for member in members {
        if let Some(&(name, kind)) = schema.fields.iter().find(|(name, _)| *name == member.key) {
            if !object.seen.contains(&name) {
                object.seen.push(name);
            }
            if schema.cleared.contains(&name) {
                set(&mut object, name, Field::Absent);
            }
            feed(&mut object, name, kind, &member.key, &member.value, body);
            continue;
        }
        let variant = schema.variants.iter().find(|name| name.eq_ignore_ascii_case(&member.key));
        match variant.and_then(|name| schema.fields.iter().find(|(n, _)| n == name)) {
            Some(&(name, kind)) => variants.push((name, kind, member)),
            None => object.insert(member.key.clone(), kept(&member.value, body)),
        }
    }
    for (name, kind, member) in variants {
        if is_filled(object.field(name)) {
            object.insert(member.key.clone(), kept(&member.value, body));
        } else {
            feed(&mut object, name, kind, &member.key, &member.value, body);
        }
    }
    object
}

fn set(object: &mut Object, name: &str, field: Field) {
    if let Some(entry) = object.fields.iter_mut().find(|(n, _)| *n == name) {
        entry.1 = field;
    }
}

fn is_filled(field: &Field) -> bool {
    match field {
        Field::Absent => false,
        Field::Models(list) => !list.is_empty(),
        _ => true,
    }
}

/// One value for the field `name`, received under `key`.
fn feed(object: &mut Object, name: &str, kind: Kind, key: &str, node: &Node, body: &[u8]) {
    if node.json == Json::Null {
        set(object, name, Field::Absent);
        return;
    }
    match kind {
        Kind::ModelList(schema) => {
            let Json::Arr(items) = &node.json else {
                object.insert(key.to_owned(), kept(node, body));
                return;
            };
            let schema = schema();
            let mut models = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match &item.json {
                    Json::Obj(members) => models.push(decode(&schema, members, body)),
                    _ => object.insert(format!("{key}.{i}"), kept(item, body)),
                }
            }
            set(object, name, if models.is_empty() { Field::Absent } else { Field::Models(models) });
        }
        Kind::Model(schema) => match &node.json {
            Json::Obj(members) => set(object, name, Field::Model(Box::new(decode(&schema(), members, body)))),
            _ => object.insert(key.to_owned(), kept(node, body)),
        },
        Kind::Text | Kind::Int | Kind::Bool => match scalar(kind, node) {
            Some(field) => set(object, name, field),
            None => object.insert(key.to_owned(), kept(node, body)),
        },
    }
}

/// A number as `serde_json` hands it over, or an integer literal wider than 64 bits.
enum Number {
    I(i64),
    U(u64),
    F(f64),
    Wide(String),
}

fn number(literal: &str) -> Number {
    let (negative, digits) = match literal.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, literal),
    };
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        let fits = if negative { literal.parse::<i64>().is_ok() } else { digits.parse::<u64>().is_ok() };
        if !fits {
            return Number::Wide(literal.to_owned());
        }
    }
    // Which f64 a float literal is, is serde_json's to say (it is what the decoder receives).
    match serde_json::from_str::<serde_json::Number>(literal) {
        Ok(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Number::I(i),
            (None, Some(u), _) => Number::U(u),
            (_, _, f) => Number::F(f.unwrap_or(f64::NAN)),
        },
        Err(_) => Number::F(f64::NAN),
    }
}

/// What a text, integer or boolean field makes of a scalar, or `None` for a misfit.
fn scalar(kind: Kind, node: &Node) -> Option<Field> {
    match (&node.json, kind) {
        (Json::Str(s), Kind::Text) => Some(Field::Text(s.clone())),
        (Json::Str(s), Kind::Int) => parse_int(s).map(Field::Int),
        (Json::Str(s), Kind::Bool) => parse_bool(s).map(Field::Bool),
        (Json::Bool(b), Kind::Text) => Some(Field::Text(b.to_string())),
        (Json::Bool(b), Kind::Bool) => Some(Field::Bool(*b)),
        (Json::Num(literal), _) => match (number(literal), kind) {
            (Number::Wide(digits), Kind::Text) => Some(Field::Text(digits)),
            (Number::I(i), Kind::Text) => Some(Field::Text(i.to_string())),
            (Number::U(u), Kind::Text) => Some(Field::Text(u.to_string())),
            // A float keeps its text as received (`1.50`, `1e2`): its `f64` would render otherwise.
            (Number::F(f), Kind::Text) => f.is_finite().then(|| Field::Text(literal.clone())),
            (Number::I(i), Kind::Int) => Some(Field::Int(i)),
            (Number::F(f), Kind::Int) => f64_to_i64(f).map(Field::Int),
            (Number::I(0) | Number::U(0), Kind::Bool) => Some(Field::Bool(false)),
            (Number::I(1) | Number::U(1), Kind::Bool) => Some(Field::Bool(true)),
            _ => None,
        },
        _ => None,
    }
}

fn f64_to_i64(f: f64) -> Option<i64> {
    let in_range = (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f);
    (f.is_finite() && f.fract() == 0.0 && in_range).then_some(f as i64)
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    t.parse::<i64>().ok().or_else(|| parse_float(t).and_then(f64_to_i64))
}

fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    if !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')) {
        return None;
    }
    let integer = t.strip_prefix(['-', '+']).unwrap_or(t);
    if integer.bytes().all(|b| b.is_ascii_digit()) && t.parse::<i64>().is_err() && t.parse::<u64>().is_err() {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") || t == "1" {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") || t == "0" {
        Some(false)
    } else {
        None
    }
}

/// A value kept raw (see [`Kept`]).
pub fn kept(node: &Node, body: &[u8]) -> Kept {
    let (value, exact) = to_value(node);
    let raw = (!exact).then(|| String::from_utf8_lossy(&body[node.span.clone()]).into_owned());
    Kept { value, raw }
}

/// The `Value` of a node, and whether it is exact (holds no integer wider than 64 bits).
fn to_value(node: &Node) -> (Value, bool) {
    match &node.json {
        Json::Null => (Value::Null, true),
        Json::Bool(b) => (Value::Bool(*b), true),
        Json::Str(s) => (Value::String(s.clone()), true),
        Json::Num(literal) => match number(literal) {
            Number::Wide(digits) => (Value::String(digits), false),
            Number::I(i) => (Value::from(i), true),
            Number::U(u) => (Value::from(u), true),
            Number::F(f) => (serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number), true),
        },
        Json::Arr(items) => {
            let mut exact = true;
            let values = items
                .iter()
                .map(|item| {
                    let (value, item_exact) = to_value(item);
                    exact &= item_exact;
                    value
                })
                .collect();
            (Value::Array(values), exact)
        }
        Json::Obj(members) => {
            let mut exact = true;
            let mut map = serde_json::Map::new();
            for member in members {
                let (value, member_exact) = to_value(&member.value);
                exact &= member_exact;
                map.insert(member.key.clone(), value);
            }
            (Value::Object(map), exact)
        }
    }
}
