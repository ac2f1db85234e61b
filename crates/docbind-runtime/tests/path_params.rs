//! Finovy path parameters stay inside their segment: whatever the value, the server sees the template's path with
//! one segment in the parameter's place that decodes back to the value; `.`, `..` and the empty string, which no
//! encoding keeps in place, are refused before anything is sent.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use docbind_runtime::__private::finovy::{decode_envelope, Call, EnvelopeStatus, Method, Operation};
use docbind_runtime::__private::Slot;
use docbind_runtime::finovy::{Client, Config, Credentials};
use docbind_runtime::{DecodeError, Error, RetryPolicy};

static DELETE_TAGS: Operation = Operation { name: "deleteTags", idempotent: false };
const OK: &str = r#"{"code":0,"success":true,"data":true}"#;

fn bool_data(body: &[u8]) -> Result<(Option<bool>, EnvelopeStatus), DecodeError> {
    let mut data = None;
    let status = decode_envelope(body, Slot::Bool(&mut data))?;
    Ok((data, status))
}

fn client(base: &str) -> Client {
    let config = Config::new(Credentials::Token("tok".into())).with_base_url(base).with_retry(RetryPolicy::disabled());
    Client::new(config).unwrap()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn every_value_stays_in_its_segment() {
    let (base, heads) = common::recording_server(200, OK).await;
    let client = client(&base);
    let values = [
        "a/b", "a?b=1", "a#frag", "%2e%2e", "%2F", "a\\b", "...", ".a", "a.", "..%2f..", "50%", "img 1", "中文", "a;b",
        "a&b=c",
    ];
    for (i, value) in values.iter().enumerate() {
        let mut call = Call::new(Method::Delete, "v1/image/{imageId}/tags");
        call.path_str("imageId", value);
        client.call(&DELETE_TAGS, call, bool_data).await.unwrap();
        let head = heads.lock().unwrap()[i].clone();
        let target = head.split_whitespace().nth(1).unwrap().to_owned();
        assert!(!target.contains('?') && !target.contains('#'), "{value:?} left the path: {target}");
        let segments: Vec<&str> = target.split('/').collect();
        assert_eq!(segments.len(), 5, "{value:?} became {target}");
        assert_eq!((segments[1], segments[2], segments[4]), ("v1", "image", "tags"), "{target}");
        assert_eq!(percent_decode(segments[3]), *value, "{target}");
    }
}

#[tokio::test]
async fn dot_segments_and_empty_values_are_refused_before_sending() {
    let (base, heads) = common::recording_server(200, OK).await;
    let client = client(&base);
    for value in ["..", ".", ""] {
        for template in ["v1/image/{imageId}/tags", "v1/image/detail"] {
            let mut call = Call::new(Method::Delete, template);
            call.path_str("imageId", value);
            let err = client.call(&DELETE_TAGS, call, bool_data).await.unwrap_err();
            let shown = err.to_string();
            assert!(shown.contains("imageId") && shown.contains("path"), "{value:?}: {shown}");
            assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
        }
    }
    assert!(heads.lock().unwrap().is_empty(), "sent: {:?}", heads.lock().unwrap());
}
