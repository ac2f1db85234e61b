//! The key path of a position in a JSON body (`$.ImageList[3].ImageSize`), for errors: `serde_json` says where
//! (line and column) but not under which key, and a value it cannot represent (`1e400`, a lone surrogate `"\ud800"`)
//! is easiest to find by its key. Computed only when an error happens, by scanning the body up to the position, so
//! decoding itself pays nothing.

/// Longest path reported; deeper or longer paths keep their end (the innermost keys say most).
const MAX_PATH: usize = 512;

enum Frame {
    /// In an object: the last key read, if the position is in its value.
    Object { key: Option<String>, expecting_key: bool },
    /// In an array: the index of the current element.
    Array { index: usize },
}

/// The key path of byte `offset` of `body` (valid JSON or not: a best effort that never fails).
pub(super) fn key_path(body: &[u8], offset: usize) -> String {
    let end = offset.min(body.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match body[i] {
            b'"' => {
                let close = string_end(body, i + 1, end);
                if let Some(Frame::Object { key, expecting_key }) = stack.last_mut() {
                    if *expecting_key && close < end {
                        *key = Some(String::from_utf8_lossy(&body[i + 1..close]).into_owned());
                        *expecting_key = false;
                    }
                }
                i = close;
            }
            b'{' => stack.push(Frame::Object { key: None, expecting_key: true }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, expecting_key }) => {
                    *key = None;
                    *expecting_key = true;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    render(&stack)
}

/// The index of the quote closing a string whose text starts at `from` (or `end` if it does not close before).
fn string_end(body: &[u8], from: usize, end: usize) -> usize {
    let mut i = from;
    while i < end {
        match body[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    end
}

fn render(stack: &[Frame]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for frame in stack {
        match frame {
            Frame::Object { key: Some(key), .. } => parts.push(member(key)),
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => parts.push(format!("[{index}]")),
        }
    }
    // Keep the innermost parts within the bound.
    let mut kept = 0;
    let mut len = 1;
    for part in parts.iter().rev() {
        if len + part.len() > MAX_PATH {
            break;
        }
        len += part.len();
        kept += 1;
    }
    let mut path = String::from(if kept < parts.len() { "$…" } else { "$" });
    for part in &parts[parts.len() - kept..] {
        path.push_str(part);
    }
    path
}

/// `.Key` for a plain key, `["key"]` (as written in the body) for any other.
fn member(key: &str) -> String {
    let plain =
        !key.is_empty() && key.len() <= MAX_PATH / 2 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if plain {
        format!(".{key}")
    } else {
        let shown: String = key.chars().take(64).collect();
        let cut = if shown.len() < key.len() { "…" } else { "" };
        format!("[\"{shown}{cut}\"]")
    }
}

/// The byte offset of a `serde_json` error position (1-based line; column counts the bytes of the line read so far).
pub(super) fn offset_of(body: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match body[start.min(body.len())..].iter().position(|&b| b == b'\n') {
            Some(newline) => start += newline + 1,
            None => return body.len(),
        }
    }
    start.saturating_add(column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(body: &str, marker: &str) -> String {
        key_path(body.as_bytes(), body.find(marker).expect("marker") + marker.len())
    }

    #[test]
    fn paths_name_keys_and_indices() {
        let body = r#"{"ImageList": [{"ImageId": "a"}, {"ImageSize": 1e400, "x": 1}], "Total": 2}"#;
        assert_eq!(at(body, "1e400"), "$.ImageList[1].ImageSize");
        assert_eq!(at(body, r#""a""#), "$.ImageList[0].ImageId");
        assert_eq!(at(body, r#""Total": 2"#), "$.Total");
        assert_eq!(at(body, "{"), "$");
        assert_eq!(at(body, r#", "x"#), "$.ImageList[1]", "between members");
        assert_eq!(at(r#"{"a b": {"c\"d": "\ud800"}}"#, r#"\ud800"#), r#"$["a b"]["c\"d"]"#);
        assert_eq!(at(r#"[[1, [2, 3]]]"#, "3"), "$[0][1][1]");
    }

    #[test]
    fn broken_or_deep_bodies_still_give_a_bounded_path() {
        assert_eq!(key_path(br#"{"a": [1, "unterminated"#, 100), "$.a[1]");
        assert_eq!(key_path(b"}}]]", 4), "$");
        let deep = format!("{}1", r#"{"key":"#.repeat(500));
        let path = key_path(deep.as_bytes(), deep.len());
        assert!(path.starts_with("$…") && path.len() <= MAX_PATH + 4, "{path}");
        let long_key = format!(r#"{{"{}": 1e400}}"#, "k".repeat(10_000));
        let path = at(&long_key, "1e400");
        assert!(path.len() < 100 && path.ends_with("…\"]"), "{path}");
    }

    #[test]
    fn offsets_of_lines_and_columns() {
        let body = b"{\n  \"a\": 1,\n  \"b\": x\n}";
        assert_eq!(offset_of(body, 1, 1), 1);
        assert_eq!(&body[offset_of(body, 3, 7)..][..1], b"x");
        assert_eq!(offset_of(body, 9, 1), body.len());
    }
}
