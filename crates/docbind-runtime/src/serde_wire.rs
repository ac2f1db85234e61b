//! serde for generated types (cargo feature `serde`), in the shape of the wire: wire names, `extra` written back
//! into its object, enumerations as their wire values.
//!
//! Responses and models read back through the same lenient decoder as a response body, so a decoded value,
//! serialized and read back, is equal to itself: a value that did not fit its field, kept in `extra` under the
//! field's wire name, is written under that name and lands in `extra` again. Reading therefore needs a
//! self-describing format (JSON, YAML, CBOR, MessagePack, …; not bincode).
//!
//! Requests are built in code, so they need no lenient reading: they read and write what
//! `#[derive(Serialize, Deserialize)]` with their wire names would (`__serde_request!`), through one reader shared
//! by every request ([`read_request`]) instead of a derive's expansion per type. Reading them needs a
//! self-describing format too: each declared key's value is read into a `serde_json::Value` first. Two differences
//! remain, both in errors only: a type error is reported where the value ends, and a sequence (a struct written as
//! an array) too short for a required field is a missing field, where a derive reports the sequence's length.
//!
//! A Finovy response is written as its `data` object, with the keys its envelope left over (which decoding keeps in
//! the response's `extra`). Known losses: an integer wider than 64 bits kept in `extra` is written as the string of
//! its digits (serde has no portable way to write it as a number); a key held both by a field and by `extra` (it came
//! twice in one object) is written once, with the field's value; a Finovy envelope's leftover key that its `data`
//! object declares (a `data` that is not an object, say) reads back into that field.
//! Keys spelled in another case than the docs' are kept, but may read back in another order among `extra`'s entries
//! (decoding weighs them against the exact spelling at the end of their object).

use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;

use crate::decode::{decode_object, Decode};
use crate::{Enumeration, Extra};

/// Writes a response or model as one object: declared fields under their wire names, then the `extra` entries.
#[derive(Debug)]
pub struct WireObject<'a, M> {
    map: M,
    extra: &'a Extra,
    /// The keys written so far, so that `extra` adds no second entry under one of them.
    written: Vec<&'static str>,
}

impl<'a, M: SerializeMap> WireObject<'a, M> {
    /// Starts the object of a struct whose `extra` is `extra`.
    pub fn begin<S: Serializer<SerializeMap = M>>(serializer: S, extra: &'a Extra) -> Result<Self, S::Error> {
        Ok(WireObject { map: serializer.serialize_map(None)?, extra, written: Vec::new() })
    }

    /// A list, written even when empty (the docs declare it), unless it is empty while `extra` keeps something under
    /// its name (a value that did not fit, under the name in any case, or an element under `Name.<index>`): then
    /// only what was received is written, so it reads back the same.
    pub fn list<T: Serialize>(&mut self, wire: &'static str, value: &[T]) -> Result<(), M::Error> {
        if value.is_empty() && self.extra.iter().any(|(key, _)| under_name(key, wire)) {
            return Ok(());
        }
        self.field(wire, value)
    }

    /// A field that is always there.
    pub fn field<T: Serialize + ?Sized>(&mut self, wire: &'static str, value: &T) -> Result<(), M::Error> {
        self.written.push(wire);
        self.map.serialize_entry(wire, value)
    }

    /// An optional field, written when set.
    pub fn optional<T: Serialize>(&mut self, wire: &'static str, value: &Option<T>) -> Result<(), M::Error> {
        match value {
            Some(value) => self.field(wire, value),
            None => Ok(()),
        }
    }

    /// Writes `extra`'s entries, in the order they were received, and ends the object. An entry under a key a field
    /// was written under is left out: an object has each key once. (Only a key that came twice in one object, or a
    /// Finovy envelope's leftover key that its `data` object also declares, can be one.)
    pub fn end(mut self) -> Result<M::Ok, M::Error> {
        for (key, value) in self.extra {
            if !self.written.contains(&key) {
                self.map.serialize_entry(key, value)?;
            }
        }
        self.map.end()
    }
}

/// Whether `key` is `wire` in any case, or an element of it (`Wire.3`), as decoding keeps a misfit in `extra`.
fn under_name(key: &str, wire: &str) -> bool {
    let name = match key.rsplit_once('.') {
        Some((name, index)) if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => key,
    };
    name.eq_ignore_ascii_case(wire)
}

/// Reads a response or model the way a response body is decoded: declared wire names into their fields, leniently,
/// and everything else into `extra`. Keys keep their order (the input is transcoded to JSON text, not gathered in a
/// map), so `extra` reads back in the order it was written.
pub fn decode<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Decode + Default,
{
    let mut json = Vec::new();
    serde_transcode::transcode(deserializer, &mut serde_json::Serializer::new(&mut json)).map_err(D::Error::custom)?;
    let mut value = T::default();
    decode_object(&json, &mut value).map_err(D::Error::custom)?;
    Ok(value)
}

/// Writes an enumeration's wire value: as a number when the service sends numbers and the value is one, else as a
/// string (an `Unknown` value as it was received).
pub fn enum_value<S: Serializer>(wire: &str, integer: bool, serializer: S) -> Result<S::Ok, S::Error> {
    // Only a value in the canonical form of its number (not `01`, `+1`): the number reads back as the same text.
    match wire.parse::<i64>() {
        Ok(number) if integer && number.to_string() == wire => serializer.serialize_i64(number),
        _ => serializer.serialize_str(wire),
    }
}

/// Reads an enumeration from its wire value, a string or a number; a value the docs do not list becomes `Unknown`.
pub fn enumeration<'de, D, E>(deserializer: D) -> Result<E, D::Error>
where
    D: Deserializer<'de>,
    E: Enumeration,
{
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(raw) => Ok(E::from_wire(&raw)),
        serde_json::Value::Number(number) => Ok(E::from_wire(&number.to_string())),
        other => Err(D::Error::custom(format!("expected a string or a number, found {other}"))),
    }
}

/// `extra` as a map of its entries, in the order they were received.
impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// A map, entries in order.
impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = Extra;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Extra, A::Error> {
                let mut extra = Extra::new();
                while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
                    extra.insert(key, value);
                }
                Ok(extra)
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// Writes a request as a struct of its wire names, as its derive would: `serialize_struct` with the number of fields
/// written, an unset optional field skipped.
#[derive(Debug)]
pub struct RequestObject<S> {
    state: S,
}

impl<S: SerializeStruct> RequestObject<S> {
    /// Starts the struct `name` of `len` fields written (see [`FieldCount`]).
    pub fn begin<T: Serializer<SerializeStruct = S>>(
        serializer: T,
        name: &'static str,
        len: usize,
    ) -> Result<Self, T::Error> {
        Ok(RequestObject { state: serializer.serialize_struct(name, len)? })
    }

    /// A field that is always written.
    pub fn required<T: Serialize + ?Sized>(&mut self, wire: &'static str, value: &T) -> Result<(), S::Error> {
        self.state.serialize_field(wire, value)
    }

    /// A list, written even when empty.
    pub fn list<T: Serialize>(&mut self, wire: &'static str, value: &[T]) -> Result<(), S::Error> {
        self.state.serialize_field(wire, value)
    }

    /// An optional field: written when set, else skipped.
    pub fn optional<T: Serialize>(&mut self, wire: &'static str, value: &Option<T>) -> Result<(), S::Error> {
        match value {
            Some(_) => self.state.serialize_field(wire, value),
            None => self.state.skip_field(wire),
        }
    }

    /// Ends the struct.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.state.end()
    }
}

/// How many fields [`RequestObject`] writes, counted as a derive counts them: one per field, unset options aside.
/// Its methods are named like [`RequestObject`]'s, so `__serde_request!` calls the same name on both.
#[derive(Debug, Clone, Copy)]
pub struct FieldCount;

impl FieldCount {
    /// A field that is always written: 1.
    pub fn required<T: ?Sized>(self, _value: &T) -> usize {
        1
    }

    /// A list, written even when empty: 1.
    pub fn list<T>(self, _value: &[T]) -> usize {
        1
    }

    /// An optional field: 1 when set.
    pub fn optional<T>(self, value: &Option<T>) -> usize {
        usize::from(value.is_some())
    }
}

/// The value of one request field as read, before it is checked for presence: `None` until its key is met. A
/// `__serde_request!` impl declares one per field, typed like the field (see [`slot`]).
pub trait FieldSlot {
    /// Whether the key was met already.
    fn is_filled(&self) -> bool;
    /// Reads the field's value.
    fn fill(&mut self, value: serde_json::Value) -> Result<(), serde_json::Error>;
}

impl<T: DeserializeOwned> FieldSlot for Option<T> {
    fn is_filled(&self) -> bool {
        self.is_some()
    }

    fn fill(&mut self, value: serde_json::Value) -> Result<(), serde_json::Error> {
        *self = Some(T::deserialize(value)?);
        Ok(())
    }
}

/// An empty slot for a field of type `T`, `T` given by a projection of the struct onto the field
/// (`slot(|s: &Self| &s.field)`, never called): the macro that declares it knows the field's name, not its type.
pub fn slot<S, T>(_field: fn(&S) -> &T) -> Option<T> {
    None
}

/// Reads a request: each declared key's value into its slot as it comes (so the first bad value, repeated field
/// or, at the end, missing field is the error a derive reports), keys it does not declare ignored. A map by wire
/// name, or a sequence in declaration order, like a derive's visitor.
pub fn read_request<'de, D: Deserializer<'de>>(
    deserializer: D,
    name: &'static str,
    names: &'static [&'static str],
    slots: &mut [&mut dyn FieldSlot],
) -> Result<(), D::Error> {
    deserializer.deserialize_struct(name, names, StructVisitor { name, names, slots })
}

/// Each field of a request as read ([`read_request`]), or the error a derive gives when it is missing. The methods
/// are named like the [`RequestObject`] writers, so `__serde_request!` calls the same name on both.
#[derive(Debug)]
pub struct Fields<E>(PhantomData<E>);

impl<E: serde::de::Error> Fields<E> {
    /// The fields of a request read by a deserializer whose error type is `E`.
    pub fn new() -> Self {
        Fields(PhantomData)
    }

    /// A required field: an error naming it when it is missing.
    pub fn required<T>(&self, slot: Option<T>, wire: &'static str) -> Result<T, E> {
        slot.ok_or_else(|| E::missing_field(wire))
    }

    /// An optional field: `None` when missing.
    pub fn optional<T>(&self, slot: Option<Option<T>>, _wire: &'static str) -> Result<Option<T>, E> {
        Ok(slot.flatten())
    }

    /// A list: empty when missing.
    pub fn list<T>(&self, slot: Option<Vec<T>>, _wire: &'static str) -> Result<Vec<T>, E> {
        Ok(slot.unwrap_or_default())
    }
}

impl<E: serde::de::Error> Default for Fields<E> {
    fn default() -> Self {
        Self::new()
    }
}

/// The visitor of [`read_request`].
struct StructVisitor<'a, 'b> {
    name: &'static str,
    names: &'static [&'static str],
    slots: &'a mut [&'b mut dyn FieldSlot],
}

impl<'de> Visitor<'de> for StructVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "struct {}", self.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(FieldKey { names: self.names })? {
            match key {
                Some(index) if self.slots[index].is_filled() => {
                    return Err(A::Error::duplicate_field(self.names[index]))
                }
                Some(index) => self.slots[index].fill(map.next_value()?).map_err(A::Error::custom)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    /// The fields in declaration order; a sequence may stop early (the fields left are missing).
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for slot in self.slots.iter_mut() {
            match seq.next_element()? {
                Some(value) => slot.fill(value).map_err(A::Error::custom)?,
                None => break,
            }
        }
        Ok(())
    }
}

/// A key of a request's map: the index of the declared field it names (by wire name, or by index as a derive
/// accepts), `None` for any other key.
struct FieldKey {
    names: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for FieldKey {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldKey {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_u64<E: serde::de::Error>(self, index: u64) -> Result<Self::Value, E> {
        Ok(usize::try_from(index).ok().filter(|index| *index < self.names.len()))
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.names.iter().position(|name| *name == key))
    }

    fn visit_bytes<E: serde::de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        Ok(self.names.iter().position(|name| name.as_bytes() == key))
    }
}

/// The serde impls of a generated request or request group (`cfg(feature = "serde")`): each field as `required`,
/// `optional` or `list`, its wire name and its Rust name, in declaration order. They read and write what
/// `#[derive(Serialize, Deserialize)]` with `rename`s (and `default, skip_serializing_if = "Option::is_none"` on
/// optional fields, `default` on lists) would, without a derive's expansion for rustc to check per type.
#[doc(hidden)]
#[macro_export]
macro_rules! __serde_request {
    ($ty:ident; $($how:ident $wire:literal $field:ident;)*) => {
        impl $crate::__private::serde::Serialize for $ty {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                let len = 0 $(+ $crate::__private::serde_wire::FieldCount.$how(&self.$field))*;
                #[allow(unused_mut)]
                let mut object =
                    $crate::__private::serde_wire::RequestObject::begin(serializer, ::core::stringify!($ty), len)?;
                $(object.$how($wire, &self.$field)?;)*
                object.end()
            }
        }
        impl<'de> $crate::__private::serde::Deserialize<'de> for $ty {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                $(let mut $field = $crate::__private::serde_wire::slot(|request: &Self| &request.$field);)*
                $crate::__private::serde_wire::read_request(
                    deserializer,
                    ::core::stringify!($ty),
                    &[$($wire),*],
                    &mut [$(&mut $field as &mut dyn $crate::__private::serde_wire::FieldSlot),*],
                )?;
                #[allow(unused_variables)]
                let fields = $crate::__private::serde_wire::Fields::<D::Error>::new();
                ::core::result::Result::Ok(Self { $($field: fields.$how($field, $wire)?,)* })
            }
        }
    };
}

/// The serde impls of a generated response or model, one line in generated code (`cfg(feature = "serde")`): each
/// field as `field`, `optional` or `list` (the [`WireObject`] method that writes it), its wire name and its Rust
/// name; reading back is [`decode`]. A macro, not generic code: serde's traits cannot be implemented here for the
/// generated types, and an invocation costs the generator far less than the impls' tokens.
#[doc(hidden)]
#[macro_export]
macro_rules! __serde_wire_object {
    ($ty:ident; $($how:ident $wire:literal $field:ident;)*) => {
        impl $crate::__private::serde::Serialize for $ty {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                #[allow(unused_mut)]
                let mut object = $crate::__private::serde_wire::WireObject::begin(serializer, &self.extra)?;
                $(object.$how($wire, &self.$field)?;)*
                object.end()
            }
        }
        impl<'de> $crate::__private::serde::Deserialize<'de> for $ty {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                $crate::__private::serde_wire::decode(deserializer)
            }
        }
    };
}

/// The serde impls of a generated enumeration: its wire value, as a number when `integer` says the service sends
/// numbers ([`enum_value`], [`enumeration`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __serde_wire_enum {
    ($ty:ident, integer = $integer:literal) => {
        impl $crate::__private::serde::Serialize for $ty {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                $crate::__private::serde_wire::enum_value(self.as_str(), $integer, serializer)
            }
        }
        impl<'de> $crate::__private::serde::Deserialize<'de> for $ty {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                $crate::__private::serde_wire::enumeration(deserializer)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    //! `__serde_request!` against the derive it replaces: the same fields declared both ways, written and read back.

    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::{json, Value};

    #[derive(Debug, Clone, PartialEq)]
    struct Group {
        port: i64,
        name: Option<String>,
    }
    crate::__serde_request! { Group; required "Port" port; optional "Name" name; }

    #[derive(Debug, Clone, PartialEq)]
    struct Request {
        id: String,
        count: i64,
        note: Option<String>,
        size: Option<i64>,
        tags: Vec<String>,
        groups: Vec<Group>,
        check: Option<Group>,
        spec: Value,
    }
    crate::__serde_request! {
        Request; required "Id" id; required "Count" count; optional "Note" note; optional "Size" size;
        list "Tags" tags; list "Groups" groups; optional "Check" check; required "Spec" spec;
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Empty {}
    crate::__serde_request! { Empty; }

    /// The derive the macro replaces, with the attributes the generator gave it (the same names: a derive's errors
    /// name the struct).
    mod derived {
        use serde::{Deserialize, Serialize};
        use serde_json::Value;

        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        pub struct Group {
            #[serde(rename = "Port")]
            pub port: i64,
            #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
            pub name: Option<String>,
        }

        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        pub struct Request {
            #[serde(rename = "Id")]
            pub id: String,
            #[serde(rename = "Count")]
            pub count: i64,
            #[serde(rename = "Note", default, skip_serializing_if = "Option::is_none")]
            pub note: Option<String>,
            #[serde(rename = "Size", default, skip_serializing_if = "Option::is_none")]
            pub size: Option<i64>,
            #[serde(rename = "Tags", default)]
            pub tags: Vec<String>,
            #[serde(rename = "Groups", default)]
            pub groups: Vec<Group>,
            #[serde(rename = "Check", default, skip_serializing_if = "Option::is_none")]
            pub check: Option<Group>,
            #[serde(rename = "Spec")]
            pub spec: Value,
        }
    }

    fn derived(request: &Request) -> derived::Request {
        let group = |g: &Group| derived::Group { port: g.port, name: g.name.clone() };
        derived::Request {
            id: request.id.clone(),
            count: request.count,
            note: request.note.clone(),
            size: request.size,
            tags: request.tags.clone(),
            groups: request.groups.iter().map(group).collect(),
            check: request.check.as_ref().map(group),
            spec: request.spec.clone(),
        }
    }

    /// What reading `text` gives, comparable between the two: the value written back as JSON, or the error's
    /// message without its position (a derive fails at the bad value, the macro at the end of its object).
    fn read<T: serde::de::DeserializeOwned + Serialize>(text: &str) -> Result<String, String> {
        match serde_json::from_str::<T>(text) {
            Ok(value) => Ok(serde_json::to_string(&value).expect("writes")),
            Err(e) => Err(e.to_string().split(" at line ").next().unwrap_or_default().to_owned()),
        }
    }

    #[test]
    fn a_request_round_trips_under_its_wire_names() {
        let request = Request {
            id: "r-1".into(),
            count: 3,
            note: None,
            size: Some(7),
            tags: vec!["a".into()],
            groups: vec![Group { port: 80, name: None }],
            check: Some(Group { port: 1, name: Some("x".into()) }),
            spec: json!({"k": [1]}),
        };
        let written = serde_json::to_string(&request).expect("writes");
        assert_eq!(
            written,
            r#"{"Id":"r-1","Count":3,"Size":7,"Tags":["a"],"Groups":[{"Port":80}],"Check":{"Port":1,"Name":"x"},"Spec":{"k":[1]}}"#
        );
        assert_eq!(serde_json::from_str::<Request>(&written).expect("reads back"), request);
        assert_eq!(serde_json::to_string(&Empty {}).expect("writes"), "{}");
        assert_eq!(serde_json::from_str::<Empty>(r#"{"Other": 1}"#).expect("reads"), Empty {});
    }

    #[test]
    fn a_missing_required_field_is_an_error_naming_it_and_unknown_keys_are_ignored() {
        let missing = serde_json::from_str::<Request>(r#"{"Id": "r", "Spec": null}"#).expect_err("Count is required");
        assert!(missing.to_string().starts_with("missing field `Count`"), "{missing}");
        let lenient = r#"{"Id": "r", "Count": 1, "Spec": 2, "id": "case", "Unknown": {"a": 1}, "Note": null}"#;
        let read = serde_json::from_str::<Request>(lenient).expect("unknown keys are ignored");
        assert_eq!((read.id.as_str(), read.note, read.tags.len(), read.check), ("r", None, 0, None));
        let twice = serde_json::from_str::<Request>(r#"{"Id": "r", "Id": "s", "Count": 1, "Spec": 2}"#);
        assert!(twice.expect_err("a repeated field").to_string().starts_with("duplicate field `Id`"));
    }

    /// A JSON value of one of the kinds a field may be given, right or wrong.
    fn any_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(Value::from),
            "[a-z]{0,3}".prop_map(Value::from),
            Just(json!(1.5)),
            Just(json!(["a", "b"])),
            Just(json!([{"Port": 1}, {"Port": 2, "Name": "n"}])),
            Just(json!([{"Name": "no port"}])),
            Just(json!({"Port": 8})),
            Just(json!({"Port": "8"})),
        ]
    }

    proptest! {
        #[test]
        fn written_like_the_derive(
            id in "[a-z]{0,4}",
            count: i64,
            note in proptest::option::of("[a-z]{0,3}"),
            size in proptest::option::of(any::<i64>()),
            tags in proptest::collection::vec("[a-z]{0,2}", 0..3),
            ports in proptest::collection::vec((any::<i64>(), proptest::option::of("[a-z]{1,2}")), 0..3),
            check in proptest::option::of(any::<i64>()),
            spec in any_value(),
        ) {
            let groups = ports.into_iter().map(|(port, name)| Group { port, name }).collect();
            let check = check.map(|port| Group { port, name: None });
            let request = Request { id, count, note, size, tags, groups, check, spec };
            let ours = serde_json::to_string(&request).expect("writes");
            prop_assert_eq!(&ours, &serde_json::to_string(&derived(&request)).expect("writes"));
            prop_assert_eq!(serde_json::from_str::<Request>(&ours).expect("reads back"), request);
        }

        #[test]
        fn read_like_the_derive(
            entries in proptest::collection::vec(
                (prop_oneof![
                    Just("Id"), Just("Count"), Just("Note"), Just("Size"), Just("Tags"), Just("Groups"),
                    Just("Check"), Just("Spec"), Just("id"), Just("Other"),
                ], any_value()),
                0..10,
            ),
        ) {
            // Keys may repeat: both must refuse a repeated field the same way.
            let body: Vec<String> = entries.iter().map(|(key, value)| format!("{key:?}: {value}")).collect();
            let text = format!("{{{}}}", body.join(", "));
            prop_assert_eq!(read::<Request>(&text), read::<derived::Request>(&text), "{}", text);
        }
    }
}
