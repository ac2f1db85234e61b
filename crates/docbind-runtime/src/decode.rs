//! Lenient, single-pass, non-generic JSON decoding into generated models ("slots, not derives").
//!
//! Generated response types implement [`Decode`]: for each wire name they hand out a typed
//! [`Slot`] pointing at the field. The runtime owns the only serde visitors; they stream the
//! body (`serde_json::Deserializer::from_slice`, borrowed keys, no intermediate
//! [`serde_json::Value`] on the happy path) straight into the slots.
//!
//! Nothing is lost: unknown keys and values that do not fit their slot are stored raw in the
//! enclosing object's [`Extra`] (a misfit list element under `"<Name>.<index>"`). Only a body
//! that is not JSON (or, for [`decode_object`], whose top level is not an object) is an error, and so is
//! a value `serde_json` cannot represent (a number beyond `f64` such as `1e400`, a lone surrogate `"\ud800"`): the
//! error names its key path ([`DecodeError::path`]). A UTF-8 byte order mark before the JSON is ignored.
//!
//! Lenience rules:
//! - [`Slot::Str`] accepts strings, numbers (as their text was received: `1` → `"1"`, `1.50` → `"1.50"`, `1e2` →
//!   `"1e2"`; a float's text is read back on the tracked pass, see [`precise`]) and booleans (`"true"`/`"false"`).
//!   An enumeration slot takes a number's text alike, so `1.0` sent for the value `1` is kept as the unknown
//!   value `"1.0"`, as received.
//! - [`Slot::Int`] accepts integers that fit `i64`, floats with a zero fraction and numeric
//!   strings (surrounding whitespace trimmed).
//! - [`Slot::Float`] accepts numbers and numeric strings (finite values only).
//! - [`Slot::Bool`] accepts booleans, `0`/`1`, and the strings `"true"`/`"false"`/`"0"`/`"1"`.
//! - [`Slot::TextMap`] accepts an object whose values are all strings; any other value (a number among them
//!   too) is kept whole in `Extra`, so no entry is converted or dropped.
//! - An integer wider than 64 bits is never rounded: string and enumeration slots take its exact digits, every
//!   other slot leaves it to `Extra` (see [`Extra::raw_json`]; [`precise`] tells how it is found).
//! - `null` sets an `Option` slot to `None`, empties a list and clears a model; a missing key
//!   changes nothing. A `null` *inside* a typed list is a misfit element (kept in `Extra`).
//! - Duplicate keys: the last one wins (lists and models are replaced, not merged).
//! - A key that matches a declared name only case-insensitively (`imageid` for `ImageId`) fills the
//!   field only if no other spelling of it does; otherwise it is kept in `Extra` under its own key.
//!
//! What generated code writes for a model, and how the runtime fills it:
//!
//! ```
//! use docbind_runtime::Extra;
//! use docbind_runtime::__private::{decode_object, Decode, ObjectFields, Slot};
//!
//! #[derive(Default)]
//! struct ImageInfo {
//!     image_id: Option<String>,
//!     size: Option<i64>,
//!     extra: Extra,
//! }
//!
//! impl Decode for ImageInfo {
//!     fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
//!         ObjectFields {
//!             slot: match key {
//!                 Some("ImageId") => Some(Slot::Str(&mut self.image_id)),
//!                 Some("Size") => Some(Slot::Int(&mut self.size)),
//!                 _ => None,
//!             },
//!             extra: &mut self.extra,
//!             names: &["ImageId", "Size"],
//!             call: None,
//!         }
//!     }
//! }
//!
//! let mut info = ImageInfo::default();
//! decode_object(br#"{"imageid": 7, "Size": "42", "New": [1]}"#, &mut info)?;
//! assert_eq!(info.image_id.as_deref(), Some("7"));
//! assert_eq!(info.size, Some(42));
//! assert_eq!(info.extra.get("New"), Some(&serde_json::json!([1])));
//! # Ok::<(), docbind_runtime::DecodeError>(())
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer as _, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::pending::CallMeta;

mod path;
mod precise;

/// Unknown keys and misfit values of one decoded object, in the order they were received.
///
/// Inserting an existing key replaces its value in place (last one wins). Small sets are a
/// plain vector; large ones get a hash index so decoding map-like objects stays linear.
///
/// A [`Value`] cannot hold an integer wider than 64 bits: [`Extra::get`] shows one as a string of its digits, and
/// [`Extra::raw_json`] gives the entry's JSON text exactly as received.
///
/// One pointer wide and allocation-free while empty: every generated struct has an `Extra`, and
/// nearly all of them stay empty, so decoding a large list pays 8 bytes per object for it.
#[derive(Clone, Default)]
pub struct Extra {
    inner: Option<Box<ExtraEntries>>,
}

#[derive(Clone, Default)]
struct ExtraEntries {
    entries: Vec<Entry>,
    index: Option<HashMap<String, usize>>,
}

#[derive(Clone, PartialEq)]
struct Entry {
    key: String,
    value: Value,
    /// The JSON text as received, when `value` is not exact (it holds an integer wider than 64 bits).
    raw: Option<Box<str>>,
}

impl ExtraEntries {
    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|e| e.key == key),
        }
    }
}

/// Above this many entries, lookups use a hash index.
const INDEX_THRESHOLD: usize = 16;

impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        self.entries() == other.entries()
    }
}

impl Extra {
    /// An empty set (does not allocate).
    pub const fn new() -> Self {
        Extra { inner: None }
    }

    fn entries(&self) -> &[Entry] {
        self.inner.as_deref().map_or(&[], |inner| inner.entries.as_slice())
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        let inner = self.inner.as_deref()?;
        inner.position(key).map(|i| &inner.entries[i])
    }

    /// The raw value stored under `key` (an integer wider than 64 bits shows as a string of its digits: see
    /// [`Extra::raw_json`]).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).map(|e| &e.value)
    }

    /// The JSON text of the entry under `key` exactly as received, when its value holds an integer wider than 64 bits
    /// (which [`Extra::get`] can only show as a string of its digits); `None` for every other entry, whose
    /// [`Extra::get`] value is exact.
    pub fn raw_json(&self, key: &str) -> Option<&str> {
        self.entry(key).and_then(|e| e.raw.as_deref())
    }

    /// The entry under `key` as JSON text: as received when it holds a wide integer, else its value serialized.
    pub(crate) fn json_text(&self, key: &str) -> Option<String> {
        let entry = self.entry(key)?;
        Some(entry.raw.as_deref().map_or_else(|| entry.value.to_string(), str::to_owned))
    }

    /// All entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries().iter().map(|e| (e.key.as_str(), &e.value))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// Stores `value` under `key`, replacing (in place) a previous value with the same key.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        self.insert_kept(key.into(), Kept::exact(value));
    }

    /// Stores a value as the decoder kept it, raw text and all.
    fn insert_kept(&mut self, key: String, kept: Kept) {
        let Kept { value, raw } = kept;
        let inner = self.inner.get_or_insert_with(Box::default);
        if let Some(i) = inner.position(&key) {
            let entry = &mut inner.entries[i];
            entry.value = value;
            entry.raw = raw;
            return;
        }
        if let Some(index) = &mut inner.index {
            index.insert(key.clone(), inner.entries.len());
        } else if inner.entries.len() >= INDEX_THRESHOLD {
            let mut index: HashMap<String, usize> =
                inner.entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)).collect();
            index.insert(key.clone(), inner.entries.len());
            inner.index = Some(index);
        }
        inner.entries.push(Entry { key, value, raw });
    }

    /// Removes and returns the value stored under `key`.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let inner = self.inner.as_deref_mut()?;
        let pos = inner.position(key)?;
        inner.index = None; // positions shifted; rebuilt lazily when large again
        Some(inner.entries.remove(pos).value)
    }

    /// Moves every entry of `other` to the end of `self` (an entry with a key `self` has replaces its value, in
    /// place), leaving `other` empty.
    pub(crate) fn append(&mut self, other: &mut Extra) {
        let Some(moved) = other.inner.take() else { return };
        if self.inner.is_none() {
            self.inner = Some(moved);
            return;
        }
        for Entry { key, value, raw } in moved.entries {
            self.insert_kept(key, Kept { value, raw });
        }
    }

    /// Converts the entries into a JSON object (integers wider than 64 bits as strings of their digits).
    pub fn to_json_object(&self) -> serde_json::Map<String, Value> {
        self.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect()
    }
}

/// Shows an entry kept with its raw text as `Raw(<text>)`, any other as its `Value`.
impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Shown<'a>(&'a Entry);
        impl fmt::Debug for Shown<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match &self.0.raw {
                    Some(raw) => write!(f, "Raw({raw})"),
                    None => fmt::Debug::fmt(&self.0.value, f),
                }
            }
        }
        f.debug_map().entries(self.entries().iter().map(|e| (e.key.as_str(), Shown(e)))).finish()
    }
}

impl<'a> IntoIterator for &'a Extra {
    type Item = (&'a str, &'a Value);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, &'a Value)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// A raw value as the decoder keeps it: the [`Value`], and, when that is not exact (it holds an integer wider than 64
/// bits, shown as a string of its digits), the JSON text as received.
#[derive(Debug, Clone, PartialEq)]
struct Kept {
    value: Value,
    raw: Option<Box<str>>,
}

impl Kept {
    fn exact(value: Value) -> Kept {
        Kept { value, raw: None }
    }

    /// An integer literal wider than 64 bits.
    fn wide(literal: String) -> Kept {
        let raw = literal.clone().into_boxed_str();
        Kept { value: Value::String(literal), raw: Some(raw) }
    }
}

/// A typed, mutable view of one field, handed out by [`Decode::slot`].
#[non_exhaustive]
pub enum Slot<'a> {
    /// A string field.
    Str(&'a mut Option<String>),
    /// An integer field.
    Int(&'a mut Option<i64>),
    /// A floating-point field.
    Float(&'a mut Option<f64>),
    /// A boolean field.
    Bool(&'a mut Option<bool>),
    /// A free-form (`object`) field: takes any JSON value; `null` gives `None`.
    Json(&'a mut Option<Value>),
    /// A map of text to text: takes an object whose values are all strings (anything else is a misfit, kept
    /// whole); `null` gives `None`.
    TextMap(&'a mut Option<BTreeMap<String, String>>),
    /// An optional nested model.
    Model(&'a mut dyn OptionalModel),
    /// A list of strings.
    StrList(&'a mut Vec<String>),
    /// A list of integers.
    IntList(&'a mut Vec<i64>),
    /// A list of floats.
    FloatList(&'a mut Vec<f64>),
    /// A list of booleans.
    BoolList(&'a mut Vec<bool>),
    /// A list of free-form values (every element fits, including `null`).
    JsonList(&'a mut Vec<Value>),
    /// A list of models.
    ModelList(&'a mut dyn ModelList),
    /// An optional enumeration (from an overlay): takes a string, number or bool, rendered as text.
    Enum(&'a mut dyn OptionalEnum),
}

/// The supertrait that keeps the public [`Enumeration`] closed: docbind-generated enumerations implement it (one
/// empty `impl` each), nothing else should. Not part of the public API. The traits of `__private` ([`Decode`],
/// the slot traits, `Response`) are not sealed: they are hidden plumbing already, and an empty `impl` for every
/// generated type is one more item rustc checks on each build of the crate (issue #21).
#[doc(hidden)] // generated code only: not shown in the docs of the crates that implement it
pub trait Sealed {}

impl<T: Sealed + ?Sized> Sealed for Box<T> {}
impl<T: Sealed> Sealed for Option<T> {}
impl<T: Sealed> Sealed for Vec<T> {}

/// A generated enumeration (named in an overlay). Every value converts: one the docs do not list becomes the
/// enum's `Unknown` variant, so it decodes, is kept, and is sent back unchanged.
///
/// Implemented by docbind-generated enumerations only (the trait is sealed).
pub trait Enumeration: Sealed + Send + Sized {
    /// The variant for a wire value (`"1"`, `"Running"`).
    fn from_wire(raw: &str) -> Self;
}

/// An `Option` of a generated enumeration, as a decode target.
#[doc(hidden)]
pub trait OptionalEnum: Sealed + Send {
    /// Stores the variant for `raw`.
    fn set_wire(&mut self, raw: &str);
    /// Back to `None` (for `null`).
    fn clear(&mut self);
    /// Whether a value is set (then a case variant of the key does not overwrite it).
    fn is_some(&self) -> bool;
}

impl<E: Enumeration> OptionalEnum for Option<E> {
    fn set_wire(&mut self, raw: &str) {
        *self = Some(E::from_wire(raw));
    }
    fn clear(&mut self) {
        *self = None;
    }
    fn is_some(&self) -> bool {
        Option::is_some(self)
    }
}

impl Slot<'_> {
    /// A shorter-lived copy of this slot, so it can be handed to a decoder more than once.
    pub fn reborrow(&mut self) -> Slot<'_> {
        match self {
            Slot::Str(s) => Slot::Str(s),
            Slot::Int(s) => Slot::Int(s),
            Slot::Float(s) => Slot::Float(s),
            Slot::Bool(s) => Slot::Bool(s),
            Slot::Json(s) => Slot::Json(s),
            Slot::TextMap(s) => Slot::TextMap(s),
            Slot::Model(s) => Slot::Model(&mut **s),
            Slot::StrList(s) => Slot::StrList(s),
            Slot::IntList(s) => Slot::IntList(s),
            Slot::FloatList(s) => Slot::FloatList(s),
            Slot::BoolList(s) => Slot::BoolList(s),
            Slot::JsonList(s) => Slot::JsonList(s),
            Slot::ModelList(s) => Slot::ModelList(&mut **s),
            Slot::Enum(s) => Slot::Enum(&mut **s),
        }
    }

    /// Whether the field already holds a value (`Some`, or a non-empty list).
    fn is_filled(&self) -> bool {
        match self {
            Slot::Str(s) => s.is_some(),
            Slot::Int(s) => s.is_some(),
            Slot::Float(s) => s.is_some(),
            Slot::Bool(s) => s.is_some(),
            Slot::Json(s) => s.is_some(),
            Slot::TextMap(s) => s.is_some(),
            Slot::Model(s) => s.is_some(),
            Slot::StrList(s) => !s.is_empty(),
            Slot::IntList(s) => !s.is_empty(),
            Slot::FloatList(s) => !s.is_empty(),
            Slot::BoolList(s) => !s.is_empty(),
            Slot::JsonList(s) => !s.is_empty(),
            Slot::ModelList(s) => !s.is_empty(),
            Slot::Enum(s) => s.is_some(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Slot::Str(_) => "Str",
            Slot::Int(_) => "Int",
            Slot::Float(_) => "Float",
            Slot::Bool(_) => "Bool",
            Slot::Json(_) => "Json",
            Slot::TextMap(_) => "TextMap",
            Slot::Model(_) => "Model",
            Slot::StrList(_) => "StrList",
            Slot::IntList(_) => "IntList",
            Slot::FloatList(_) => "FloatList",
            Slot::BoolList(_) => "BoolList",
            Slot::JsonList(_) => "JsonList",
            Slot::ModelList(_) => "ModelList",
            Slot::Enum(_) => "Enum",
        }
    }
}

impl fmt::Debug for Slot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Slot::{}", self.kind())
    }
}

/// What [`Decode::fields`] answers: the slot asked for, where undeclared keys go, and the declared wire names.
#[doc(hidden)]
#[derive(Debug)]
pub struct ObjectFields<'a> {
    /// The slot of the field declared under the key asked for; `None` when it is undeclared or no key was asked.
    pub slot: Option<Slot<'a>>,
    /// Where unknown keys and misfit values of this object are kept.
    pub extra: &'a mut Extra,
    /// The declared wire names, for the case-insensitive (ASCII) fallback when no slot matches a key exactly.
    pub names: &'static [&'static str],
    /// Where a response keeps the call's info (its `_call` field); `None` for a model.
    pub call: Option<&'a mut CallMeta>,
}

/// Implemented by every generated response type and model: one function, [`Decode::fields`], with one match arm
/// per wire name. One function rather than one per question (slot, extra, names) because every generated type
/// has one, and each function is an item rustc checks again on every build of the crate.
///
/// `Send` is a supertrait so that futures holding a `&mut dyn Decode` (every client call)
/// can be spawned on a multi-threaded runtime.
#[doc(hidden)]
pub trait Decode: Send {
    /// This object's [`ObjectFields`], with the slot of the field declared under the wire name `key` (none for
    /// `None`).
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_>;

    /// The slot of the field declared under the wire name `key`, or `None` if undeclared.
    fn slot(&mut self, key: &str) -> Option<Slot<'_>> {
        self.fields(Some(key)).slot
    }

    /// Where unknown keys and misfit values of this object are kept.
    fn extra_mut(&mut self) -> &mut Extra {
        self.fields(None).extra
    }

    /// The declared wire names, for the case-insensitive (ASCII) fallback when [`Decode::slot`] does not know a
    /// key.
    fn field_names(&mut self) -> &'static [&'static str] {
        self.fields(None).names
    }

    /// Called before each pass over the body this object is the top of (a body holding a wide integer is decoded
    /// twice, `decode/precise.rs`): an object that counts its keys (the envelopes, which refuse a repeated status
    /// key) starts counting again. Fields need nothing: the second pass's writes replace the first's.
    fn begin_pass(&mut self) {}
}

/// Boxed models (recursive types) decode like the model itself.
impl<T: Decode + ?Sized> Decode for Box<T> {
    fn fields(&mut self, key: Option<&str>) -> ObjectFields<'_> {
        (**self).fields(key)
    }

    fn begin_pass(&mut self) {
        (**self).begin_pass();
    }
}

/// An `Option<T>` of a model, seen through a non-generic interface.
#[doc(hidden)]
pub trait OptionalModel: Send {
    /// The model, created with `Default` when absent.
    fn get_or_default(&mut self) -> &mut dyn Decode;
    /// Sets the option to `None`.
    fn clear(&mut self);
    /// Whether a model is set (then a case variant of the key does not overwrite it).
    fn is_some(&self) -> bool;
}

impl<T: Decode + Default> OptionalModel for Option<T> {
    fn get_or_default(&mut self) -> &mut dyn Decode {
        self.get_or_insert_with(T::default)
    }

    fn clear(&mut self) {
        *self = None;
    }

    fn is_some(&self) -> bool {
        Option::is_some(self)
    }
}

/// A `Vec<T>` of models, seen through a non-generic interface.
#[doc(hidden)]
pub trait ModelList: Send {
    /// Pushes `T::default()` and returns it.
    fn push_default(&mut self) -> &mut dyn Decode;
    /// Removes the last element.
    fn pop(&mut self);
    /// Removes every element.
    fn clear(&mut self);
    /// Whether the list has no elements (then a case variant of the key may fill it).
    fn is_empty(&self) -> bool;
}

impl<T: Decode + Default> ModelList for Vec<T> {
    fn push_default(&mut self) -> &mut dyn Decode {
        self.push(T::default());
        // Just pushed, so the list is not empty and `len - 1` is in bounds.
        let len = self.len();
        &mut self[len - 1]
    }

    fn pop(&mut self) {
        Vec::pop(self);
    }

    fn clear(&mut self) {
        Vec::clear(self);
    }

    fn is_empty(&self) -> bool {
        <[T]>::is_empty(self)
    }
}

/// The body is not JSON, or its top level has the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    message: String,
    line: usize,
    column: usize,
    path: String,
}

impl DecodeError {
    /// The message (includes line and column when known).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 1-based line of the error (0 if unknown).
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column of the error (0 if unknown).
    pub fn column(&self) -> usize {
        self.column
    }

    /// The key path of the value the parser stopped at (`$.ImageList[3].ImageSize`; `$` for the top level), or `""`
    /// when the error is not about one value (the top level is not an object).
    pub fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn from_json(e: &serde_json::Error) -> Self {
        DecodeError { message: e.to_string(), line: e.line(), column: e.column(), path: String::new() }
    }

    /// `e`, met while decoding `body`, with the key path of its position. The tracked reader (`tracked`) counts
    /// the byte it peeked at in the position, the slice reader does not.
    fn in_body(e: &serde_json::Error, body: &[u8], tracked: bool) -> Self {
        let path = match e.line() {
            // Only syntax errors point at a value; the others (a top level that is not an object) at no key.
            _ if e.is_data() => String::new(),
            0 => String::new(),
            line => {
                let offset = path::offset_of(body, line, e.column());
                path::key_path(body, offset.saturating_sub(usize::from(tracked)))
            }
        };
        DecodeError { path, ..DecodeError::from_json(e) }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match self.path.as_str() {
            "" | "$" => Ok(()),
            path => write!(f, ", in {path}"),
        }
    }
}

impl std::error::Error for DecodeError {}

const NOT_AN_OBJECT: &str = "expected a JSON object at the top level";

/// The body without a UTF-8 byte order mark, which some servers put first and JSON does not allow.
fn without_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

/// Decodes a JSON object `body` into `target`. Errors only if `body` is not JSON, its top level is not an object, or
/// it holds a value `serde_json` cannot represent (a number beyond `f64` such as `1e400`, a lone surrogate
/// `"\ud800"`): the error names its key path. Every other mismatch is kept in `Extra`. A UTF-8 byte order mark
/// before the JSON is ignored.
pub fn decode_object(body: &[u8], target: &mut dyn Decode) -> Result<(), DecodeError> {
    in_passes(body, &mut IntoObject(target))
}

/// Decodes a top-level JSON value of any shape into `slot`. A misfit (or misfit list elements)
/// is stored in `misfit` under `name` (or `"<name>.<index>"`). Errors as [`decode_object`] does.
pub fn decode_into_slot(body: &[u8], slot: Slot<'_>, misfit: &mut Extra, name: &str) -> Result<(), DecodeError> {
    let mut pass = IntoSlot { slot, misfit: Misfit::None };
    in_passes(body, &mut pass)?;
    pass.misfit.store(misfit, name);
    Ok(())
}

/// One decode of a whole body, which [`in_passes`] runs with either reader.
trait Pass {
    fn run<'de, R: serde_json::de::Read<'de>>(
        &mut self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<(), serde_json::Error>;
}

struct IntoObject<'t>(&'t mut dyn Decode);

impl Pass for IntoObject<'_> {
    fn run<'de, R: serde_json::de::Read<'de>>(
        &mut self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<(), serde_json::Error> {
        self.0.begin_pass();
        de.deserialize_any(TopObjectVisitor { target: &mut *self.0 })
    }
}

struct IntoSlot<'s> {
    slot: Slot<'s>,
    misfit: Misfit,
}

impl Pass for IntoSlot<'_> {
    fn run<'de, R: serde_json::de::Read<'de>>(
        &mut self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<(), serde_json::Error> {
        // A misfit of an earlier, stopped pass is not this one's.
        self.misfit = Misfit::None;
        SlotSeed { slot: &mut self.slot, misfit: &mut self.misfit }.deserialize(de)
    }
}

/// Runs `pass` over `body` (without a byte order mark) with the slice reader and, when that meets an integer wider
/// than 64 bits, once more with the tracked reader (see [`precise`]). Errors name their key path.
fn in_passes(body: &[u8], pass: &mut impl Pass) -> Result<(), DecodeError> {
    let body = without_bom(body);
    let mut de = serde_json::Deserializer::from_slice(body);
    let error = match pass.run(&mut de).and_then(|()| de.end()) {
        Ok(()) => return Ok(()),
        Err(error) => error,
    };
    if !precise::take_restart() {
        return Err(DecodeError::in_body(&error, body, false));
    }
    precise::with_tracked(body, |de| pass.run(de).and_then(|()| de.end()))
        .map_err(|error| DecodeError::in_body(&error, body, true))
}

/// Decode the fields of one JSON object into `target`. Generic only over the `MapAccess`,
/// which is serde_json's slice reader in practice (its tracked reader for a body with a wide integer).
///
/// A key that matches a declared name only case-insensitively is decoded after the object's other
/// keys, and only into a field that is still empty: the exact spelling, or an earlier variant, keeps
/// the field and the variant's value goes to `extra` (two spellings of one field never overwrite
/// each other, so nothing is lost).
fn walk_map<'de, A: MapAccess<'de>>(mut map: A, target: &mut dyn Decode) -> Result<(), A::Error> {
    // Rare: only keys in a different case land here.
    let mut variants: Vec<Variant<'de>> = Vec::new();
    // Written by `SlotSeed` only when a value does not fit, so the common path reads it and moves on.
    let mut misfit = Misfit::None;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        // The slot is matched in place, by reference: moving it out of the `Option` copies it with one wide load
        // over the narrower stores `Decode::slot` just made, which stalls on store forwarding (seen in perf).
        let mut found = target.slot(&key);
        match &mut found {
            Some(slot) => {
                map.next_value_seed(SlotSeed { slot, misfit: &mut misfit })?;
                if let Misfit::None = misfit {
                    continue;
                }
            }
            None => match target.field_names().iter().copied().find(|name| name.eq_ignore_ascii_case(&key)) {
                Some(name) => {
                    variants.push(read_variant(&mut map, name, key)?);
                    continue;
                }
                None => misfit = Misfit::Whole(map.next_value_seed(ValueSeed)?),
            },
        }
        std::mem::replace(&mut misfit, Misfit::None).store_cow(target.extra_mut(), key);
    }
    for Variant { name, key, text, kept } in variants {
        match target.slot(name) {
            Some(mut slot) if !slot.is_filled() => {
                let seed = SlotSeed { slot: &mut slot, misfit: &mut misfit };
                let decoded = match text {
                    // Again from its text, exactly as the body has it. Its depth was checked where it stands in the
                    // body, so decoding it now nests no deeper than reading it did.
                    Some(text) => {
                        precise::with_tracked(text.as_bytes(), |de| seed.deserialize(&mut *de).and_then(|()| de.end()))
                    }
                    None => seed.deserialize(kept.value),
                };
                decoded.map_err(de::Error::custom)?;
            }
            _ => misfit = Misfit::Whole(kept),
        }
        std::mem::replace(&mut misfit, Misfit::None).store_cow(target.extra_mut(), key);
    }
    Ok(())
}

/// A case variant of a declared name, held until its object's exact keys are done: its value as `extra` would keep
/// it, and its text as received when a `Value` does not say all of it.
struct Variant<'de> {
    name: &'static str,
    key: Cow<'de, str>,
    text: Option<Box<str>>,
    kept: Kept,
}

/// Reads the value of the case variant `key` (of the declared `name`) in place, like any value (errors name their key
/// path, depth counts), to decode it into its field later.
///
/// A field is decoded from a `Value` only when that says all the value said: it holds no object (a `Value` object
/// sorts its members and keeps only the last of repeated keys) and no float a visitor would take for a wide integer
/// (see [`precise`]). Any other value has the body read again by the tracked reader, which keeps the value's text.
fn read_variant<'de, A: MapAccess<'de>>(
    map: &mut A,
    name: &'static str,
    key: Cow<'de, str>,
) -> Result<Variant<'de>, A::Error> {
    let mark = precise::Mark::here();
    let kept = map.next_value_seed(ValueSeed)?;
    if precise::tracking() {
        let text = mark.value_text();
        return Ok(Variant { name, key, text, kept });
    }
    if !said_by_value(&kept.value) {
        return Err(precise::restart());
    }
    Ok(Variant { name, key, text: None, kept })
}

/// Whether decoding from `value` gives what decoding its text would (see [`read_variant`]).
fn said_by_value(value: &Value) -> bool {
    match value {
        Value::Object(_) => false,
        Value::Array(items) => items.iter().all(said_by_value),
        Value::Number(n) => n.as_f64().is_none_or(|f| n.is_i64() || n.is_u64() || !precise::maybe_wide(f)),
        _ => true,
    }
}

/// What did not fit a slot.
enum Misfit {
    None,
    Whole(Kept),
    Elements(Vec<(usize, Kept)>),
}

impl Misfit {
    fn whole(value: Value) -> Misfit {
        Misfit::Whole(Kept::exact(value))
    }

    fn store(self, extra: &mut Extra, name: &str) {
        match self {
            Misfit::None => {}
            Misfit::Whole(kept) => extra.insert_kept(name.to_owned(), kept),
            Misfit::Elements(items) => {
                for (i, kept) in items {
                    extra.insert_kept(format!("{name}.{i}"), kept);
                }
            }
        }
    }

    fn store_cow(self, extra: &mut Extra, name: Cow<'_, str>) {
        match self {
            Misfit::None => {}
            Misfit::Whole(kept) => extra.insert_kept(name.into_owned(), kept),
            other => other.store(extra, &name),
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

struct TopObjectVisitor<'t> {
    target: &'t mut dyn Decode,
}

impl<'de> Visitor<'de> for TopObjectVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        walk_map(map, self.target)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(NOT_AN_OBJECT))
    }
}

/// A scalar as received.
#[derive(Clone, Copy)]
enum Num {
    I(i64),
    U(u64),
    F(f64),
}

impl Num {
    fn to_value(self) -> Value {
        match self {
            Num::I(i) => Value::from(i),
            Num::U(u) => Value::from(u),
            // Non-finite floats cannot come from JSON; `from_f64` maps them to null anyway.
            Num::F(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        }
    }

    fn render(self) -> String {
        match self {
            Num::I(i) => i.to_string(),
            Num::U(u) => u.to_string(),
            Num::F(f) => self_render_f64(f),
        }
    }

    fn as_i64(self) -> Option<i64> {
        match self {
            Num::I(i) => Some(i),
            Num::U(u) => i64::try_from(u).ok(),
            Num::F(f) => f64_to_i64(f),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::U(u) => u as f64,
            Num::F(f) => f,
        }
    }

    fn as_bool(self) -> Option<bool> {
        match self {
            Num::I(0) | Num::U(0) => Some(false),
            Num::I(1) | Num::U(1) => Some(true),
            _ => None,
        }
    }
}

/// An integer rendered as decimal text on the stack (enumeration wire values without a temporary `String`).
struct IntText {
    buf: [u8; 20],
    start: usize,
}

impl IntText {
    fn new(mut magnitude: u64, negative: bool) -> Self {
        // u64::MAX has 20 digits; a negative i64 has at most 19 plus the sign.
        let mut buf = [0u8; 20];
        let mut start = buf.len();
        loop {
            start -= 1;
            buf[start] = b'0' + (magnitude % 10) as u8;
            magnitude /= 10;
            if magnitude == 0 {
                break;
            }
        }
        if negative {
            start -= 1;
            buf[start] = b'-';
        }
        IntText { buf, start }
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and '-' were written.
        std::str::from_utf8(&self.buf[self.start..]).unwrap_or("0")
    }
}

/// Renders a float the way serde_json writes it (`1.5`, `1.0`, `1e21`).
fn self_render_f64(f: f64) -> String {
    match serde_json::Number::from_f64(f) {
        Some(n) => n.to_string(),
        None => f.to_string(),
    }
}

fn f64_to_i64(f: f64) -> Option<i64> {
    // -2^63 is exactly representable; 2^63 is the first value out of range.
    const MIN: f64 = -9_223_372_036_854_775_808.0;
    const MAX_EXCL: f64 = 9_223_372_036_854_775_808.0;
    if f.is_finite() && f.fract() == 0.0 && (MIN..MAX_EXCL).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(i);
    }
    parse_float(t).and_then(f64_to_i64)
}

fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    // Only accept JSON-ish numerals: reject "inf", "NaN", "infinity".
    if !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')) {
        return None;
    }
    // An integer wider than 64 bits is not rounded into a float (as a JSON number it is not either).
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

/// Which scalar a list holds.
#[derive(Clone, Copy)]
enum Scalar {
    Str,
    Int,
    Float,
    Bool,
}

/// A converted list element (or a misfit).
enum Elem {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Misfit(Value),
}

impl Scalar {
    fn convert_num(self, n: Num) -> Elem {
        let converted = match self {
            Scalar::Str => Some(Elem::Str(n.render())),
            Scalar::Int => n.as_i64().map(Elem::Int),
            Scalar::Float => Some(Elem::Float(n.as_f64())),
            Scalar::Bool => n.as_bool().map(Elem::Bool),
        };
        converted.unwrap_or_else(|| Elem::Misfit(n.to_value()))
    }

    fn convert_str(self, s: Cow<'_, str>) -> Elem {
        let converted = match self {
            Scalar::Str => return Elem::Str(s.into_owned()),
            Scalar::Int => parse_int(&s).map(Elem::Int),
            Scalar::Float => parse_float(&s).map(Elem::Float),
            Scalar::Bool => parse_bool(&s).map(Elem::Bool),
        };
        converted.unwrap_or_else(|| Elem::Misfit(Value::String(s.into_owned())))
    }

    /// Text for an enumeration: whatever a string slot would accept.
    fn convert_elem(self, elem_of: impl FnOnce(Scalar) -> Elem) -> Option<String> {
        match elem_of(self) {
            Elem::Str(text) => Some(text),
            _ => None,
        }
    }

    fn convert_bool(self, b: bool) -> Elem {
        match self {
            Scalar::Str => Elem::Str(if b { "true" } else { "false" }.to_owned()),
            Scalar::Bool => Elem::Bool(b),
            Scalar::Int | Scalar::Float => Elem::Misfit(Value::Bool(b)),
        }
    }
}

/// Collects a map or a sequence into a raw value, exactly as received.
fn map_to_value<'de, A: MapAccess<'de>>(map: A) -> Result<Kept, A::Error> {
    ValueSeed.visit_map(map)
}

fn seq_to_value<'de, A: SeqAccess<'de>>(seq: A) -> Result<Kept, A::Error> {
    ValueSeed.visit_seq(seq)
}

/// Any value, kept raw: like `serde_json::Value`'s own `Deserialize`, except that an integer wider than 64 bits
/// keeps its digits (as a string) and the raw text of everything that holds one is kept too (see [`Kept`]).
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Kept;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Kept, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Kept;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Kept, E> {
        Ok(Kept::exact(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Kept, E> {
        Ok(Kept::exact(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Kept, E> {
        Ok(Kept::exact(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Kept, E> {
        match wide_integer(v)? {
            Some(literal) => Ok(Kept::wide(literal)),
            None => Ok(Kept::exact(Num::F(v).to_value())),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Kept, E> {
        Ok(Kept::exact(Value::String(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Kept, E> {
        Ok(Kept::exact(Value::String(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Kept, E> {
        Ok(Kept::exact(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Kept, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kept, A::Error> {
        let mark = precise::Mark::here();
        let mut items = Vec::new();
        let mut exact = true;
        while let Some(kept) = seq.next_element_seed(ValueSeed)? {
            exact &= kept.raw.is_none();
            items.push(kept.value);
        }
        Ok(Kept { value: Value::Array(items), raw: if exact { None } else { mark.text() } })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kept, A::Error> {
        let mark = precise::Mark::here();
        let mut object = serde_json::Map::new();
        let mut exact = true;
        while let Some(key) = map.next_key::<String>()? {
            let kept = map.next_value_seed(ValueSeed)?;
            exact &= kept.raw.is_none();
            object.insert(key, kept.value);
        }
        Ok(Kept { value: Value::Object(object), raw: if exact { None } else { mark.text() } })
    }
}

/// The literal of an integer wider than 64 bits that the reader handed over as `v`, if it was one; on the fast pass,
/// an error that has the body decoded again by the tracked reader (see [`precise`]).
fn wide_integer<E: de::Error>(v: f64) -> Result<Option<String>, E> {
    if precise::maybe_wide(v) {
        precise::wide_integer()
    } else {
        Ok(None)
    }
}

/// Deserializes one value into a slot. What does not fit is written to `misfit`, which is left alone when the
/// value fits: the visitor returns nothing, so the common path does not pass a `Value`-sized result back through
/// memory for every value (perf showed that copy stalling on store forwarding).
///
/// Each visitor method handles the exact kind first (a string into [`Slot::Str`], an integer into
/// [`Slot::Int`], …) and falls back to the general conversion ([`scalar`]) for everything else; both give the
/// same result.
struct SlotSeed<'a, 's> {
    slot: &'a mut Slot<'s>,
    misfit: &'a mut Misfit,
}

impl<'de> DeserializeSeed<'de> for SlotSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Converts a scalar into `slot` by the lenience rules; returns what did not fit.
fn scalar(slot: Slot<'_>, elem_of: impl FnOnce(Scalar) -> Elem, raw: impl FnOnce() -> Value) -> Misfit {
    let (kind, out) = match slot {
        Slot::Str(o) => (Scalar::Str, ScalarOut::Str(o)),
        Slot::Int(o) => (Scalar::Int, ScalarOut::Int(o)),
        Slot::Float(o) => (Scalar::Float, ScalarOut::Float(o)),
        Slot::Bool(o) => (Scalar::Bool, ScalarOut::Bool(o)),
        Slot::Json(o) => {
            *o = Some(raw());
            return Misfit::None;
        }
        Slot::Enum(e) => {
            return match Scalar::Str.convert_elem(elem_of) {
                Some(text) => {
                    e.set_wire(&text);
                    Misfit::None
                }
                None => Misfit::whole(raw()),
            };
        }
        _ => return Misfit::whole(raw()),
    };
    match (elem_of(kind), out) {
        (Elem::Str(v), ScalarOut::Str(o)) => *o = Some(v),
        (Elem::Int(v), ScalarOut::Int(o)) => *o = Some(v),
        (Elem::Float(v), ScalarOut::Float(o)) => *o = Some(v),
        (Elem::Bool(v), ScalarOut::Bool(o)) => *o = Some(v),
        (Elem::Misfit(v), _) => return Misfit::whole(v),
        // Unreachable by construction (kind and out agree); keep the value rather than panic.
        _ => return Misfit::whole(raw()),
    }
    Misfit::None
}

enum ScalarOut<'a> {
    Str(&'a mut Option<String>),
    Int(&'a mut Option<i64>),
    Float(&'a mut Option<f64>),
    Bool(&'a mut Option<bool>),
}

impl<'de> Visitor<'de> for SlotSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        match self.slot {
            Slot::Bool(o) => **o = Some(v),
            Slot::Enum(e) => e.set_wire(if v { "true" } else { "false" }),
            slot => *self.misfit = scalar(slot.reborrow(), |k| k.convert_bool(v), || Value::Bool(v)),
        }
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        match self.slot {
            Slot::Int(o) => **o = Some(v),
            Slot::Enum(e) => e.set_wire(IntText::new(v.unsigned_abs(), v < 0).as_str()),
            slot => {
                let n = Num::I(v);
                *self.misfit = scalar(slot.reborrow(), |k| k.convert_num(n), || n.to_value());
            }
        }
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        match self.slot {
            Slot::Int(o) => match i64::try_from(v) {
                Ok(i) => **o = Some(i),
                Err(_) => *self.misfit = Misfit::whole(Value::from(v)),
            },
            Slot::Enum(e) => e.set_wire(IntText::new(v, false).as_str()),
            slot => {
                let n = Num::U(v);
                *self.misfit = scalar(slot.reborrow(), |k| k.convert_num(n), || n.to_value());
            }
        }
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if let Some(literal) = wide_integer(v)? {
            // Exact as text; never rounded into a number.
            match self.slot {
                Slot::Str(o) => **o = Some(literal),
                Slot::Enum(e) => e.set_wire(&literal),
                _ => *self.misfit = Misfit::Whole(Kept::wide(literal)),
            }
            return Ok(());
        }
        match self.slot {
            Slot::Float(o) => **o = Some(v),
            // The text as received (`1.50`, `1e2`), read back on the tracked pass; the `f64` would say `1.5`.
            Slot::Str(o) => **o = Some(precise::number_literal()?.unwrap_or_else(|| Num::F(v).render())),
            Slot::Enum(e) => e.set_wire(&precise::number_literal()?.unwrap_or_else(|| Num::F(v).render())),
            slot => {
                let n = Num::F(v);
                *self.misfit = scalar(slot.reborrow(), |k| k.convert_num(n), || n.to_value());
            }
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        match self.slot {
            Slot::Str(o) => **o = Some(v.to_owned()),
            Slot::Enum(e) => e.set_wire(v),
            slot => {
                *self.misfit =
                    scalar(slot.reborrow(), |k| k.convert_str(Cow::Borrowed(v)), || Value::String(v.to_owned()))
            }
        }
        Ok(())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        match self.slot {
            Slot::Str(o) => **o = Some(v),
            slot => SlotSeed { slot, misfit: self.misfit }.visit_str(&v)?,
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        match self.slot {
            Slot::Str(o) => **o = None,
            Slot::Int(o) => **o = None,
            Slot::Float(o) => **o = None,
            Slot::Bool(o) => **o = None,
            Slot::Json(o) => **o = None,
            Slot::TextMap(o) => **o = None,
            Slot::Model(m) => m.clear(),
            Slot::StrList(l) => l.clear(),
            Slot::IntList(l) => l.clear(),
            Slot::FloatList(l) => l.clear(),
            Slot::BoolList(l) => l.clear(),
            Slot::JsonList(l) => l.clear(),
            Slot::ModelList(l) => l.clear(),
            Slot::Enum(e) => e.clear(),
        }
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        match self.slot {
            Slot::Model(m) => {
                m.clear();
                walk_map(map, m.get_or_default())?;
            }
            Slot::Json(o) => set_json(o, map_to_value(map)?, self.misfit),
            Slot::TextMap(o) => set_text_map(o, map_to_value(map)?, self.misfit),
            _ => *self.misfit = Misfit::Whole(map_to_value(map)?),
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut misfits = Vec::new();
        match self.slot {
            Slot::StrList(l) => {
                l.clear();
                fill_scalar_list(&mut seq, ScalarList::Str(l), &mut misfits)?;
            }
            Slot::IntList(l) => {
                l.clear();
                fill_scalar_list(&mut seq, ScalarList::Int(l), &mut misfits)?;
            }
            Slot::FloatList(l) => {
                l.clear();
                fill_scalar_list(&mut seq, ScalarList::Float(l), &mut misfits)?;
            }
            Slot::BoolList(l) => {
                l.clear();
                fill_scalar_list(&mut seq, ScalarList::Bool(l), &mut misfits)?;
            }
            Slot::JsonList(l) => {
                l.clear();
                let mut index = 0usize;
                while let Some(kept) = seq.next_element_seed(ValueSeed)? {
                    match kept.raw {
                        None => l.push(kept.value),
                        Some(_) => misfits.push((index, kept)),
                    }
                    index += 1;
                }
            }
            Slot::ModelList(l) => {
                l.clear();
                let mut misfit = None;
                let mut index = 0usize;
                while seq.next_element_seed(ModelElemSeed { list: &mut **l, misfit: &mut misfit })?.is_some() {
                    if let Some(v) = misfit.take() {
                        misfits.push((index, v));
                    }
                    index += 1;
                }
            }
            Slot::Json(o) => set_json(o, seq_to_value(seq)?, self.misfit),
            _ => *self.misfit = Misfit::Whole(seq_to_value(seq)?),
        }
        if !misfits.is_empty() {
            *self.misfit = Misfit::Elements(misfits);
        }
        Ok(())
    }
}

/// A free-form field takes any value a `Value` holds exactly; one holding a wide integer is a misfit.
fn set_json(field: &mut Option<Value>, kept: Kept, misfit: &mut Misfit) {
    match kept.raw {
        None => *field = Some(kept.value),
        Some(_) => *misfit = Misfit::Whole(kept),
    }
}

/// A map of text takes an object of strings only; any other value would change on the way in, so the whole
/// object is a misfit instead.
fn set_text_map(field: &mut Option<BTreeMap<String, String>>, kept: Kept, misfit: &mut Misfit) {
    let all_text = matches!(&kept.value, Value::Object(map) if map.values().all(Value::is_string));
    match (kept.value, all_text) {
        (Value::Object(map), true) => {
            let text = |value: Value| match value {
                Value::String(s) => s,
                // Checked above: every value is a string.
                other => other.to_string(),
            };
            *field = Some(map.into_iter().map(|(k, v)| (k, text(v))).collect());
        }
        (value, _) => *misfit = Misfit::Whole(Kept { value, raw: kept.raw }),
    }
}

fn elem_raw(e: Elem) -> Value {
    match e {
        Elem::Misfit(v) => v,
        // Only misfits reach here; convert anyway instead of panicking.
        Elem::Str(s) => Value::String(s),
        Elem::Int(i) => Value::from(i),
        Elem::Float(f) => Num::F(f).to_value(),
        Elem::Bool(b) => Value::Bool(b),
    }
}

/// A scalar list being filled.
enum ScalarList<'l> {
    Str(&'l mut Vec<String>),
    Int(&'l mut Vec<i64>),
    Float(&'l mut Vec<f64>),
    Bool(&'l mut Vec<bool>),
}

impl ScalarList<'_> {
    fn kind(&self) -> Scalar {
        match self {
            ScalarList::Str(_) => Scalar::Str,
            ScalarList::Int(_) => Scalar::Int,
            ScalarList::Float(_) => Scalar::Float,
            ScalarList::Bool(_) => Scalar::Bool,
        }
    }

    /// Pushes a converted element; returns it raw if it does not fit.
    fn push(&mut self, e: Elem) -> Option<Value> {
        match (self, e) {
            (ScalarList::Str(l), Elem::Str(v)) => l.push(v),
            (ScalarList::Int(l), Elem::Int(v)) => l.push(v),
            (ScalarList::Float(l), Elem::Float(v)) => l.push(v),
            (ScalarList::Bool(l), Elem::Bool(v)) => l.push(v),
            (_, other) => return Some(elem_raw(other)),
        }
        None
    }
}

/// Fills `list` from `seq`; misfit elements go to `misfits` with their index.
fn fill_scalar_list<'de, A: SeqAccess<'de>>(
    seq: &mut A,
    mut list: ScalarList<'_>,
    misfits: &mut Vec<(usize, Kept)>,
) -> Result<(), A::Error> {
    let mut misfit = None;
    let mut index = 0usize;
    while seq.next_element_seed(ElemSeed { list: &mut list, misfit: &mut misfit })?.is_some() {
        if let Some(v) = misfit.take() {
            misfits.push((index, v));
        }
        index += 1;
    }
    Ok(())
}

/// One element of a scalar list: pushed if it fits (the exact kind first, then the general conversion), else
/// written to `misfit`.
struct ElemSeed<'a, 'l> {
    list: &'a mut ScalarList<'l>,
    misfit: &'a mut Option<Kept>,
}

impl ElemSeed<'_, '_> {
    fn general(self, convert: impl FnOnce(Scalar) -> Elem) {
        let e = convert(self.list.kind());
        if let Some(v) = self.list.push(e) {
            *self.misfit = Some(Kept::exact(v));
        }
    }
}

impl<'de> DeserializeSeed<'de> for ElemSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ElemSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        match self.list {
            ScalarList::Bool(l) => l.push(v),
            _ => self.general(|k| k.convert_bool(v)),
        }
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        match self.list {
            ScalarList::Int(l) => l.push(v),
            _ => self.general(|k| k.convert_num(Num::I(v))),
        }
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        match (&mut *self.list, i64::try_from(v)) {
            (ScalarList::Int(l), Ok(i)) => l.push(i),
            _ => self.general(|k| k.convert_num(Num::U(v))),
        }
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if let Some(literal) = wide_integer(v)? {
            match self.list {
                ScalarList::Str(l) => l.push(literal),
                _ => *self.misfit = Some(Kept::wide(literal)),
            }
            return Ok(());
        }
        match self.list {
            ScalarList::Float(l) => l.push(v),
            ScalarList::Str(l) => l.push(precise::number_literal()?.unwrap_or_else(|| Num::F(v).render())),
            _ => self.general(|k| k.convert_num(Num::F(v))),
        }
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        match self.list {
            ScalarList::Str(l) => l.push(v.to_owned()),
            _ => self.general(|k| k.convert_str(Cow::Borrowed(v))),
        }
        Ok(())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        match self.list {
            ScalarList::Str(l) => l.push(v),
            _ => self.general(|k| k.convert_str(Cow::Owned(v))),
        }
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        *self.misfit = Some(Kept::exact(Value::Null));
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        *self.misfit = Some(map_to_value(map)?);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        *self.misfit = Some(seq_to_value(seq)?);
        Ok(())
    }
}

/// One element of a model list: objects are pushed, anything else is written to `misfit`.
struct ModelElemSeed<'l, 'm> {
    list: &'l mut dyn ModelList,
    misfit: &'m mut Option<Kept>,
}

impl ModelElemSeed<'_, '_> {
    fn miss<E>(self, v: Value) -> Result<(), E> {
        self.miss_kept(Kept::exact(v))
    }

    fn miss_kept<E>(self, kept: Kept) -> Result<(), E> {
        *self.misfit = Some(kept);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for ModelElemSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ModelElemSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        walk_map(map, self.list.push_default())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.miss(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.miss(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.miss(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        match wide_integer(v)? {
            Some(literal) => self.miss_kept(Kept::wide(literal)),
            None => self.miss(Num::F(v).to_value()),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.miss(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.miss(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.miss(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.miss_kept(seq_to_value(seq)?)
    }
}

#[cfg(test)]
mod int_text_tests {
    use super::IntText;

    #[test]
    fn renders_like_to_string() {
        for v in [0i64, 1, 9, 10, -1, -10, 42, 1_000_000, i64::MIN, i64::MAX] {
            assert_eq!(IntText::new(v.unsigned_abs(), v < 0).as_str(), v.to_string());
        }
        assert_eq!(IntText::new(u64::MAX, false).as_str(), u64::MAX.to_string());
    }
}

#[cfg(test)]
mod tests;
