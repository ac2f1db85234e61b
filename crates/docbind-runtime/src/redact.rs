//! What logs and errors show of requests and responses: the values of secret-looking names (the one list,
//! [`docbind_redact::is_secret_name`]) replaced at every depth, and at most [`EXCERPT_BYTES`] of any body,
//! marked when cut. Only error paths and enabled log events run this code, never a successful call's hot path.

use std::fmt::{self, Write as _};

use docbind_redact::{is_secret_name, REDACTED};

/// The most bytes of a body (or of a logged request) an error or a log line shows.
pub(crate) const EXCERPT_BYTES: usize = 1024;

/// The excerpt of a response body kept in errors: lossy UTF-8, secret-looking JSON values redacted at every
/// depth, at most [`EXCERPT_BYTES`], ending in `… [cut: N bytes in all]` when cut.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut writer = ExcerptWriter::new(EXCERPT_BYTES);
    // An `Err` only means the excerpt is full.
    let _ = redact_json_text(&text, &mut writer);
    writer.finish(Some(body.len()))
}

/// A URL as errors and logs show it: secret-looking query values redacted, at most [`EXCERPT_BYTES`], marked when
/// cut.
pub(crate) fn url(url: &str) -> String {
    let mut writer = ExcerptWriter::new(EXCERPT_BYTES);
    let _ = match url.split_once('?') {
        Some((path, query)) => {
            writer.write_str(path).and_then(|()| writer.write_char('?')).and_then(|()| redact_query(query, &mut writer))
        }
        None => writer.write_str(url),
    };
    writer.finish(Some(url.len()))
}

/// Shows `T`'s `Debug` in a log line: at most [`EXCERPT_BYTES`], marked when cut. `T`'s `Debug` redacts.
pub(crate) struct Bounded<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: fmt::Debug + ?Sized> fmt::Debug for Bounded<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut writer = ExcerptWriter::new(EXCERPT_BYTES);
        let _ = write!(writer, "{:?}", self.0);
        f.write_str(&writer.finish(None))
    }
}

/// A `fmt::Write` that keeps the first `limit` bytes (cut on a character boundary) and then refuses more, so a
/// formatter or scanner writing into it stops early.
struct ExcerptWriter {
    out: String,
    limit: usize,
    cut: bool,
}

impl ExcerptWriter {
    fn new(limit: usize) -> ExcerptWriter {
        ExcerptWriter { out: String::new(), limit, cut: false }
    }

    /// What was kept, marked when something was cut (with the full size when known).
    fn finish(mut self, total: Option<usize>) -> String {
        if self.cut {
            match total {
                Some(total) => {
                    let _ = write!(self.out, "… [cut: {total} bytes in all]");
                }
                None => self.out.push_str("… [cut]"),
            }
        }
        self.out
    }
}

impl fmt::Write for ExcerptWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.limit - self.out.len();
        if s.len() <= room {
            self.out.push_str(s);
            return Ok(());
        }
        let mut end = room;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.out.push_str(&s[..end]);
        self.cut = true;
        Err(fmt::Error)
    }
}

/// Writes a percent-encoded query string (`a=1&b=2`) with the values of secret-looking names redacted.
pub(crate) fn redact_query(query: &str, out: &mut impl fmt::Write) -> fmt::Result {
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.write_char('&')?;
        }
        match pair.split_once('=') {
            Some((name, _)) if is_secret_name(name) => {
                out.write_str(name)?;
                out.write_char('=')?;
                out.write_str(REDACTED)?;
            }
            _ => out.write_str(pair)?,
        }
    }
    Ok(())
}

/// Writes `text` with the value after every secret-looking object key replaced by `"<redacted>"`, at every
/// depth (a secret key's object or array value is replaced whole). A lexical scan, so it also works on JSON cut
/// anywhere and leaves text that is not JSON as it is.
pub(crate) fn redact_json_text(text: &str, out: &mut impl fmt::Write) -> fmt::Result {
    // Unredacted text is copied in pieces of about this size, so a bounded writer stops the scan early.
    const PIECE: usize = 4096;
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            if i - copied >= PIECE && text.is_char_boundary(i) {
                out.write_str(&text[copied..i])?;
                copied = i;
            }
            continue;
        }
        let key_end = string_end(bytes, i);
        let colon = skip_whitespace(bytes, key_end);
        if bytes.get(colon) == Some(&b':') && is_secret_key(&text[i..key_end]) {
            let value = skip_whitespace(bytes, colon + 1);
            out.write_str(&text[copied..value])?;
            out.write_char('"')?;
            out.write_str(REDACTED)?;
            out.write_char('"')?;
            i = value_end(bytes, value);
            copied = i;
        } else {
            i = key_end;
        }
    }
    out.write_str(&text[copied..])
}

/// Whether a JSON string literal (with its quotes, possibly unterminated) names a secret.
fn is_secret_key(literal: &str) -> bool {
    if literal.contains('\\') {
        // An escaped key (`"pass\u0077ord"`) is judged by what it says.
        serde_json::from_str::<String>(literal).is_ok_and(|key| is_secret_name(&key))
    } else {
        is_secret_name(literal.trim_matches('"'))
    }
}

/// The index after the string literal starting at `start` (a `"`), or the end of the text if it is unterminated.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_whitespace(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The index after the JSON value starting at `start`: a string, a whole object or array, or a scalar.
fn value_end(bytes: &[u8], start: usize) -> usize {
    match bytes.get(start) {
        None => start,
        Some(b'"') => string_end(bytes, start),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(bytes, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            bytes.len()
        }
        Some(_) => {
            let mut i = start;
            while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']') && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            i
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(text: &str) -> String {
        let mut out = String::new();
        redact_json_text(text, &mut out).unwrap();
        out
    }

    #[test]
    fn json_values_under_secret_keys_are_redacted_at_every_depth() {
        let body = r#"{"name":"n","password":"hunter2","nested":{"list":[{"accessToken":"tok-1","keep":1}]},
            "Credential": {"id": "c", "deeper": ["x", {"y": "}"}]}, "pwd" : 12345, "ok": [1, 2],
            "pass\u0077ord": "escaped", "token": null, "secretFlag": true}"#;
        let out = redacted(body);
        for secret in ["hunter2", "tok-1", "\"c\"", "deeper", "12345", "escaped", "null", "true"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        for kept in [r#""name":"n""#, r#""keep":1"#, r#""ok": [1, 2]"#] {
            assert!(out.contains(kept), "{kept} missing from {out}");
        }
        assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok(), "still JSON: {out}");
        assert_eq!(out.matches(REDACTED).count(), 7, "{out}");
    }

    #[test]
    fn cut_and_non_json_text_is_handled() {
        assert_eq!(redacted(r#"{"a":1,"secret":"abc"#), r#"{"a":1,"secret":"<redacted>""#);
        assert_eq!(redacted(r#"{"token": {"a": [1, "#), r#"{"token": "<redacted>""#);
        assert_eq!(redacted(r#"{"pwd"#), r#"{"pwd"#);
        assert_eq!(redacted("<html>token: x</html>"), "<html>token: x</html>");
        assert_eq!(redacted("中文 \"password\": 1 é"), "中文 \"password\": \"<redacted>\" é");
    }

    #[test]
    fn queries_are_redacted_by_name() {
        let mut out = String::new();
        redact_query("imageName=a%20b&accessToken=t0k&page=1&SecretKey=&x", &mut out).unwrap();
        assert_eq!(out, "imageName=a%20b&accessToken=<redacted>&page=1&SecretKey=<redacted>&x");
    }

    #[test]
    fn urls_are_redacted_and_bounded() {
        assert_eq!(url("https://h/p?a=1&token=t"), "https://h/p?a=1&token=<redacted>");
        assert_eq!(url("https://h/p"), "https://h/p");
        let long = format!("https://h/{}", "p".repeat(3000));
        assert!(url(&long).ends_with("… [cut: 3010 bytes in all]"));
    }

    #[test]
    fn excerpts_are_bounded_and_marked() {
        assert_eq!(excerpt(b"short"), "short");
        let long = format!("{{\"password\":\"p\",\"pad\":\"{}\"}}", "é".repeat(2000));
        let shown = excerpt(long.as_bytes());
        assert!(shown.starts_with(r#"{"password":"<redacted>","pad":"éé"#), "{shown}");
        assert!(shown.ends_with(&format!("… [cut: {} bytes in all]", long.len())), "{shown}");
        assert!(shown.len() <= EXCERPT_BYTES + 40, "{}", shown.len());
        assert_eq!(excerpt(&[0xff, b'a']), "\u{FFFD}a");
        let debug = format!("{:?}", Bounded(&"x".repeat(5000)));
        assert!(debug.len() <= EXCERPT_BYTES + 10 && debug.ends_with("… [cut]"), "{debug}");
        assert_eq!(format!("{:?}", Bounded(&"x")), "\"x\"");
    }
}
