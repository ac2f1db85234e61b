//! serde for generated types (cargo feature `serde`), in the shape of the wire: wire names, `extra` written back
//! into its object, enumerations as their wire values.
//!
//! Responses and models read back through the same lenient decoder as a response body, so a decoded value,
//! serialized and read back, is equal to itself: a value that did not fit its field, kept in `extra` under the
//! field's wire name, is written under that name and lands in `extra` again. Reading therefore needs a
//! self-describing format (JSON, YAML, CBOR, MessagePack, …; not bincode). Requests derive serde instead (they
//! are built in code, so they need no lenient reading).
//!
//! A Finovy response is written as its `data` object, with the keys its envelope left over (which decoding keeps in
//! the response's `extra`). Known losses: an integer wider than 64 bits kept in `extra` is written as the string of
//! its digits (serde has no portable way to write it as a number); a key held both by a field and by `extra` (it came
//! twice in one object) is written once, with the field's value; a Finovy envelope's leftover key that its `data`
//! object declares (a `data` that is not an object, say) reads back into that field.
//! Keys spelled in another case than the docs' are kept, but may read back in another order among `extra`'s entries
//! (decoding weighs them against the exact spelling at the end of their object).

use serde::de::{Deserializer, Error as _};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

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
