//! An independent JSON reader for the fuzzers: what a body holds, exactly as written. Unlike `serde_json::Value` it
//! keeps number literals as text (so integers wider than 64 bits cannot round), repeated keys in order, and the span
//! of every value (its raw text). It finds the first problem of a body in document order: a syntax error, nesting
//! beyond `serde_json`'s limit, or a value `serde_json` cannot represent (a number beyond `f64`, a lone surrogate), with
//! the key path of the latter.

use std::ops::Range;

/// A JSON value with the byte range of its text in the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub json: Json,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The literal as written (`-0`, `1.50`, `123456789012345678901234567890`).
    Num(String),
    Str(String),
    Arr(Vec<Node>),
    /// Members in order, repeated keys included; each key with its text as written between the quotes.
    Obj(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub raw_key: String,
    pub value: Node,
}

/// The first problem of a body.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Not JSON.
    Syntax(String),
    /// Nested deeper than `serde_json` reads (127 containers).
    TooDeep,
    /// A value `serde_json` cannot represent, under `path` (rendered like the runtime's key paths, at full length). When
    /// the value is a key, `in_key`: the runtime may name the key itself too.
    Unrepresentable { path: String, in_key: bool },
}

/// `serde_json` refuses a 128th nested container.
const MAX_DEPTH: usize = 127;

pub fn parse(body: &[u8]) -> Result<Node, Problem> {
    let mut reader = Reader { body, at: 0, path: Vec::new(), depth: 0 };
    reader.whitespace();
    let node = reader.value()?;
    reader.whitespace();
    if reader.at != body.len() {
        return Err(Problem::Syntax(format!("trailing characters at {}", reader.at)));
    }
    Ok(node)
}

/// One step of a key path.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

struct Reader<'b> {
    body: &'b [u8],
    at: usize,
    path: Vec<Step>,
    depth: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.body.get(self.at).copied()
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn syntax<T>(&self, what: &str) -> Result<T, Problem> {
        Err(Problem::Syntax(format!("{what} at {}", self.at)))
    }

    fn unrepresentable<T>(&self, in_key: bool) -> Result<T, Problem> {
        Err(Problem::Unrepresentable { path: render(&self.path), in_key })
    }

    fn value(&mut self) -> Result<Node, Problem> {
        let start = self.at;
        let json = match self.peek() {
            Some(b'n') => self.word(b"null", Json::Null)?,
            Some(b't') => self.word(b"true", Json::Bool(true))?,
            Some(b'f') => self.word(b"false", Json::Bool(false))?,
            Some(b'"') => Json::Str(self.string(false)?),
            Some(b'-' | b'0'..=b'9') => Json::Num(self.number()?),
            Some(b'[') => self.array()?,
            Some(b'{') => self.object()?,
            _ => return self.syntax("expected a value"),
        };
        Ok(Node { json, span: start..self.at })
    }

    fn word(&mut self, word: &[u8], json: Json) -> Result<Json, Problem> {
        if self.body[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(json)
        } else {
            self.syntax("expected a literal")
        }
    }

    fn number(&mut self) -> Result<String, Problem> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return self.syntax("expected a digit"),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.syntax("expected a fraction digit");
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.syntax("expected an exponent digit");
            }
            self.digits();
        }
        let literal = String::from_utf8_lossy(&self.body[start..self.at]).into_owned();
        // Whether serde_json can hold it is serde_json's call (its float parser rounds a little differently from
        // `str::parse` near `f64::MAX`); which number it is stays this reader's.
        if serde_json::from_str::<serde_json::Number>(&literal).is_err() {
            return self.unrepresentable(false);
        }
        Ok(literal)
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    /// A string at the opening quote: its decoded text.
    fn string(&mut self, is_key: bool) -> Result<String, Problem> {
        self.at += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(b) = self.peek() else { return self.syntax("unterminated string") };
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(escape) = self.peek() else { return self.syntax("unterminated escape") };
                    self.at += 1;
                    let plain = match escape {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let c = self.unicode_escape(is_key)?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                            continue;
                        }
                        _ => return self.syntax("invalid escape"),
                    };
                    out.push(plain);
                }
                0x00..=0x1f => return self.syntax("control character in a string"),
                _ => out.push(b),
            }
        }
        match String::from_utf8(out) {
            Ok(s) => Ok(s),
            Err(_) => self.syntax("invalid UTF-8 in a string"),
        }
    }

    /// After `\u`: one code point, from one escape or a surrogate pair of two.
    fn unicode_escape(&mut self, is_key: bool) -> Result<char, Problem> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.body[self.at..].starts_with(b"\\u") {
                    return self.unrepresentable(is_key);
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return self.unrepresentable(is_key);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return self.unrepresentable(is_key),
            other => other,
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => self.syntax("invalid code point"),
        }
    }

    fn hex4(&mut self) -> Result<u32, Problem> {
        let Some(hex) = self.body.get(self.at..self.at + 4) else { return self.syntax("short hex escape") };
        let Some(value) = std::str::from_utf8(hex).ok().and_then(|h| u32::from_str_radix(h, 16).ok()) else {
            return self.syntax("invalid hex escape");
        };
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return self.syntax("invalid hex escape");
        }
        self.at += 4;
        Ok(value)
    }

    fn enter(&mut self) -> Result<(), Problem> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Problem::TooDeep);
        }
        Ok(())
    }

    fn array(&mut self) -> Result<Json, Problem> {
        self.enter()?;
        self.at += 1;
        let mut items = Vec::new();
        self.whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            self.depth -= 1;
            return Ok(Json::Arr(items));
        }
        loop {
            self.whitespace();
            self.path.push(Step::Index(items.len()));
            let item = self.value()?;
            self.path.pop();
            items.push(item);
            self.whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    break;
                }
                _ => return self.syntax("expected , or ]"),
            }
        }
        self.depth -= 1;
        Ok(Json::Arr(items))
    }

    fn object(&mut self) -> Result<Json, Problem> {
        self.enter()?;
        self.at += 1;
        let mut members = Vec::new();
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            self.depth -= 1;
            return Ok(Json::Obj(members));
        }
        loop {
            self.whitespace();
            if self.peek() != Some(b'"') {
                return self.syntax("expected a key");
            }
            let key_start = self.at + 1;
            let key = self.string(true)?;
            let raw_key = String::from_utf8_lossy(&self.body[key_start..self.at - 1]).into_owned();
            self.whitespace();
            if self.peek() != Some(b':') {
                return self.syntax("expected :");
            }
            self.at += 1;
            self.whitespace();
            self.path.push(Step::Key(raw_key.clone()));
            let value = self.value()?;
            self.path.pop();
            members.push(Member { key, raw_key, value });
            self.whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    break;
                }
                _ => return self.syntax("expected , or }"),
            }
        }
        self.depth -= 1;
        Ok(Json::Obj(members))
    }
}

/// `$`, then `.Key` for a plain key and `["key"]` for any other (its text as written), `[i]` for an index: the
/// runtime's rendering of key paths.
fn render(path: &[Step]) -> String {
    let mut out = String::from("$");
    for step in path {
        match step {
            Step::Key(key) if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
                out.push('.');
                out.push_str(key);
            }
            Step::Key(key) => {
                out.push_str("[\"");
                out.push_str(key);
                out.push_str("\"]");
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_json() {
        let body = br#" {"a": [1, -0, 1.50e+2, "x\u00e9\ud83d\ude00"], "a": null, "b\"": {}} "#;
        let node = parse(body).unwrap();
        let Json::Obj(members) = &node.json else { panic!() };
        assert_eq!(members.len(), 3);
        assert_eq!(members[2].raw_key, r#"b\""#);
        let Json::Arr(items) = &members[0].value.json else { panic!() };
        assert_eq!(items[1].json, Json::Num("-0".into()));
        assert_eq!(items[3].json, Json::Str("xé😀".into()));
        assert_eq!(node.span, 1..body.len() - 1);
        assert_eq!(&body[items[2].span.clone()], b"1.50e+2");
        assert_eq!(
            parse(br#"{"a": [1, "\ud800"]}"#),
            Err(Problem::Unrepresentable { path: "$.a[1]".into(), in_key: false })
        );
        assert_eq!(
            parse(br#"{"a b": 1e400}"#),
            Err(Problem::Unrepresentable { path: r#"$["a b"]"#.into(), in_key: false })
        );
        assert_eq!(parse(format!("{}{}", "[".repeat(128), "]".repeat(128)).as_bytes()), Err(Problem::TooDeep));
        assert!(parse(format!("{}{}", "[".repeat(127), "]".repeat(127)).as_bytes()).is_ok());
    }
}
