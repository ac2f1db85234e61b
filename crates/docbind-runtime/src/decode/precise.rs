//! Integers wider than 64 bits, which `serde_json` (without `arbitrary_precision`) can only hand over as an `f64`.
//!
//! Enabling `arbitrary_precision` would change `serde_json::Value` for every crate in a user's build (numbers
//! become strings inside, and numbers buffered by `#[serde(flatten)]` or untagged enums stop deserializing), so the
//! decoder keeps the feature off and reads such integers itself, in a second pass that only bodies holding one pay
//! for:
//!
//! - The fast pass reads the body from a slice. A visitor handed an `f64` that may stand for a wide integer
//!   ([`maybe_wide`]: integral and at least 2^63 in magnitude, which no `f64` a JSON integer of 64 bits becomes
//!   is) stops it ([`wide_integer`] fails and flags [`take_restart`]); so does a case variant whose value a `Value`
//!   cannot say in full ([`restart`]: its text is needed).
//! - The tracked pass ([`with_tracked`]) decodes the same body again, through `serde_json`'s `io::Read` reader over a
//!   [`Tracked`] body that counts the bytes consumed. The reader looks one byte past a number at most, so
//!   [`wide_integer`] reads the literal back from the body: its exact digits (or `None` for a float literal such as
//!   `1e19`). The same position bounds the raw text of a container holding one ([`Mark`]).
//!
//! Every write a decode makes replaces what an earlier write to the same place made (fields, lists, models,
//! `Extra` entries in order), so the second pass over the same target leaves what one pass would have.

use std::cell::{Cell, RefCell};
use std::io;
use std::rc::Rc;

use serde_json::de::IoRead;

/// The body being decoded by the tracked reader, and how many of its bytes the reader consumed.
pub(super) struct Tracked {
    body: Rc<[u8]>,
    consumed: Cell<usize>,
}

/// Hands `serde_json` one byte per read, so [`Tracked::consumed`] is exact.
pub(super) struct TrackedReader(Rc<Tracked>);

impl io::Read for TrackedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let tracked = &self.0;
        let at = tracked.consumed.get();
        match (buf.first_mut(), tracked.body.get(at)) {
            (Some(slot), Some(&byte)) => {
                *slot = byte;
                tracked.consumed.set(at + 1);
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

thread_local! {
    /// The tracked bodies being decoded on this thread, innermost last (a case variant's value is decoded from its
    /// own text within the body's pass). Empty on the fast pass.
    static TRACKED: RefCell<Vec<Rc<Tracked>>> = const { RefCell::new(Vec::new()) };
    /// Set when a visitor stopped the fast pass for the tracked reader.
    static RESTART: Cell<bool> = const { Cell::new(false) };
}

/// Pops the innermost frame of [`TRACKED`] when dropped, also on an early return.
struct Frame;

impl Frame {
    fn push(frame: Rc<Tracked>) -> Frame {
        TRACKED.with(|stack| stack.borrow_mut().push(frame));
        Frame
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        TRACKED.with(|stack| stack.borrow_mut().pop());
    }
}

fn current() -> Option<Rc<Tracked>> {
    TRACKED.with(|stack| stack.borrow().last().cloned())
}

/// The deserializer of the tracked reader.
pub(super) type TrackedDeserializer = serde_json::Deserializer<IoRead<TrackedReader>>;

/// Runs `decode` with a deserializer over `body` whose position visitors can read.
pub(super) fn with_tracked<T>(
    body: &[u8],
    decode: impl FnOnce(&mut TrackedDeserializer) -> Result<T, serde_json::Error>,
) -> Result<T, serde_json::Error> {
    let tracked = Rc::new(Tracked { body: Rc::from(body), consumed: Cell::new(0) });
    let _frame = Frame::push(tracked.clone());
    decode(&mut serde_json::Deserializer::from_reader(TrackedReader(tracked)))
}

/// Whether an `f64` from the reader may stand for an integer literal beyond `i64` and `u64` (`serde_json` hands
/// those over as the nearest `f64`, which is integral and at least 2^63 in magnitude). Cheap, so visitors ask it
/// first; true for big float literals too (`1e19`), which [`wide_integer`] tells apart on the tracked pass.
pub(super) fn maybe_wide(v: f64) -> bool {
    v.abs() >= 9_223_372_036_854_775_808.0 && v.fract() == 0.0
}

/// What a visitor handed `v` (for which [`maybe_wide`] holds) makes of it: the exact text (`-` and digits) of the
/// integer literal the tracked reader just read, when it is wider than 64 bits; `None` for a float literal. On the
/// fast reader, an error that stops the pass and flags [`take_restart`].
pub(super) fn wide_integer<E: serde::de::Error>() -> Result<Option<String>, E> {
    match current() {
        Some(tracked) => Ok(literal_before(&tracked)),
        None => Err(restart()),
    }
}

/// The text of the number literal the tracked reader just read, as received (`1.50`, `1e2`, `-0.0`): what a
/// string or enumeration slot handed a float keeps, since the `f64` says `1.5` and `100.0`. On the fast reader,
/// an error that stops the pass and flags [`take_restart`]: only bodies with a float where a string is declared
/// pay for the second pass.
pub(super) fn number_literal<E: serde::de::Error>() -> Result<Option<String>, E> {
    match current() {
        Some(tracked) => Ok(number_before(&tracked).map(str::to_owned)),
        None => Err(restart()),
    }
}

/// Whether the body is being read by the tracked reader.
pub(super) fn tracking() -> bool {
    current().is_some()
}

/// An error that stops the fast pass and has the body read again by the tracked reader (flags [`take_restart`]).
pub(super) fn restart<E: serde::de::Error>() -> E {
    RESTART.with(|flag| flag.set(true));
    E::custom("the body needs the tracked reader")
}

/// Whether the pass that just failed was stopped by [`wide_integer`] or [`restart`] (and should run again with the
/// tracked reader); clears the flag.
pub(super) fn take_restart() -> bool {
    RESTART.with(|flag| flag.replace(false))
}

/// The number literal that ends at most one byte before the tracked reader's position (the delimiter it peeked at).
fn number_before(tracked: &Tracked) -> Option<&str> {
    let body = &tracked.body[..tracked.consumed.get().min(tracked.body.len())];
    let end = body.len() - body.iter().rev().take_while(|b| !is_number_byte(**b)).count();
    let start = end - body[..end].iter().rev().take_while(|b| is_number_byte(**b)).count();
    std::str::from_utf8(&body[start..end]).ok().filter(|literal| !literal.is_empty())
}

fn literal_before(tracked: &Tracked) -> Option<String> {
    let literal = number_before(tracked)?.as_bytes();
    let (negative, digits) = match literal.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, literal),
    };
    if !digits.iter().all(u8::is_ascii_digit) || !is_wide(digits, negative) {
        return None;
    }
    std::str::from_utf8(literal).ok().map(str::to_owned)
}

fn is_number_byte(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
}

/// Whether the decimal `digits` (no sign, no leading zero) of an integer are beyond `i64` (negative) or `u64`.
fn is_wide(digits: &[u8], negative: bool) -> bool {
    let limit: &[u8] = if negative { b"9223372036854775808" } else { b"18446744073709551615" };
    digits.len() > limit.len() || (digits.len() == limit.len() && digits > limit)
}

/// Where a container began in the tracked body, to cut out its raw text if it turns out to hold a wide integer.
pub(super) struct Mark(Option<(Rc<Tracked>, usize)>);

impl Mark {
    /// Called as a visitor enters a container (its opening bracket just consumed); holds nothing when untracked.
    pub(super) fn here() -> Mark {
        Mark(current().map(|tracked| {
            let at = tracked.consumed.get();
            (tracked, at)
        }))
    }

    /// The container's raw text, opening to closing bracket (the reader has just consumed the closing one).
    pub(super) fn text(&self) -> Option<Box<str>> {
        let (tracked, at) = self.0.as_ref()?;
        let raw = tracked.body.get(at.checked_sub(1)?..tracked.consumed.get())?;
        Some(String::from_utf8_lossy(raw).into())
    }

    /// The text of an object member's value just read, when the mark was made right after its key: without the
    /// colon and spaces before it, nor the byte after a number that the reader peeked at.
    pub(super) fn value_text(&self) -> Option<Box<str>> {
        let (tracked, at) = self.0.as_ref()?;
        let raw = tracked.body.get(*at..tracked.consumed.get())?;
        let start = raw.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b':'))?;
        let mut value = raw[start..].trim_ascii_end();
        if matches!(value.first(), Some(b'-' | b'0'..=b'9')) {
            // Only a number leaves a peeked byte behind, and it ends in a digit.
            while value.last().is_some_and(|b| !b.is_ascii_digit()) {
                value = value[..value.len() - 1].trim_ascii_end();
            }
        }
        Some(String::from_utf8_lossy(value).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wide() -> Option<String> {
        wide_integer::<serde_json::Error>().expect("tracked")
    }

    #[test]
    fn the_literal_is_read_back_at_the_reader_position() {
        let body = r#"{"a": [1.5, 123456789012345678901234567890 ], "b": -9223372036854775809, "c": 1e19}"#;
        // Right after each number the reader has consumed one more byte (the delimiter it peeked at).
        let after = |literal: &str| body.find(literal).map(|at| at + literal.len() + 1).unwrap();
        for (literal, expected) in [
            ("123456789012345678901234567890", Some("123456789012345678901234567890")),
            ("-9223372036854775809", Some("-9223372036854775809")),
            ("1e19", None),
            ("1.5", None),
        ] {
            let tracked = Rc::new(Tracked { body: Rc::from(body.as_bytes()), consumed: Cell::new(after(literal)) });
            let _frame = Frame::push(tracked);
            assert_eq!(wide().as_deref(), expected, "{literal}");
        }
        // On the fast pass (nothing tracked) the visitor stops it, once.
        assert!(!take_restart());
        assert!(wide_integer::<serde_json::Error>().is_err());
        assert!(take_restart() && !take_restart());
        // A bare literal at the end of the body: nothing was peeked.
        let tracked = Rc::new(Tracked { body: Rc::from(&b"18446744073709551616"[..]), consumed: Cell::new(20) });
        let _frame = Frame::push(tracked);
        assert_eq!(wide().as_deref(), Some("18446744073709551616"));
    }

    #[test]
    fn the_tracked_reader_reads_the_body_and_marks_cut_containers() {
        let body = br#"{"a": [1, {"b": 2}], "c": 3}"#;
        let value: serde_json::Value = with_tracked(body, |de| serde::Deserialize::deserialize(de)).unwrap();
        assert_eq!(value, serde_json::json!({"a": [1, {"b": 2}], "c": 3}));
        let tracked = Rc::new(Tracked { body: Rc::from(&body[..]), consumed: Cell::new(7) });
        let _frame = Frame::push(tracked.clone());
        let mark = Mark::here();
        tracked.consumed.set(19);
        assert_eq!(mark.text().as_deref(), Some(r#"[1, {"b": 2}]"#));
    }
}
