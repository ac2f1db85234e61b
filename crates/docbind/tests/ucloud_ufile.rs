//! The generated `ucloud-ufile` crate against the UFile stand-in (real HTTP on 127.0.0.1, signatures checked as the
//! service does): typed requests and responses, user metadata as a map, streamed bodies, and the multipart upload
//! made of the generated operations.

use std::collections::BTreeMap;

use bytes::Bytes;
use docbind_runtime::test_util::ufile::StandIn;
use docbind_runtime::ufile::UploadBody;
use docbind_runtime::Error;
use ucloud_ufile::{
    Client, Config, DeleteFileRequest, FinishMultipartUploadRequest, GetFileRequest, HeadFileRequest,
    InitiateMultipartUploadRequest, ListPartsRequest, PrefixFileListRequest, PutFileRequest, UploadPartRequest,
};

const PUBLIC: &str = "TOKEN_PUBLIC_EXAMPLE";
const PRIVATE: &str = "TOKEN_PRIVATE_EXAMPLE";

fn client(stand_in: &StandIn) -> Client {
    Client::new(Config::new(PUBLIC, PRIVATE, "demobucket", "cn-bj").with_base_url(stand_in.base_url()))
        .expect("a valid configuration")
}

#[tokio::test]
async fn objects_round_trip_through_the_generated_operations() {
    let stand_in = StandIn::start(PUBLIC, PRIVATE, "demobucket").await.unwrap();
    let client = client(&stand_in);
    let meta = [("location", "shanghai"), ("owner", "ops")];
    let put = PutFileRequest::new("docs/中文 a.txt").with_content_type("text/plain").with_x_ufile_meta(meta);
    let response = client.put_file(&put, UploadBody::bytes(&b"hello world"[..])).await.unwrap();
    assert_eq!(response.e_tag.as_deref(), Some("\"AQAAACqubDXJT8-0FdvpX0CLnOke6Ebt\""));
    assert!(response.request_id().is_some_and(|id| id.starts_with("stand-in-")), "{response:?}");
    let sent = &stand_in.requests()[0];
    assert_eq!((sent.method.as_str(), sent.target.as_str()), ("PUT", "/docs/%E4%B8%AD%E6%96%87%20a.txt"));
    assert_eq!(sent.header("x-ufile-meta-location"), Some("shanghai"));

    let head = client.head_file(&HeadFileRequest::new("docs/中文 a.txt")).await.unwrap();
    let meta = meta.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect();
    assert_eq!(head.x_ufile_meta, Some(meta), "user metadata comes back as a map");
    assert_eq!(head.content_type.as_deref(), Some("text/plain"));

    let download = client.get_file(&GetFileRequest::new("docs/中文 a.txt").with_range("bytes=6-")).await.unwrap();
    assert_eq!(
        download.content_range.as_deref(),
        Some("bytes 6-10/11"),
        "the response's headers, through the download"
    );
    assert!(download.request_id().is_some());
    assert_eq!(download.body.collect().await.unwrap(), Bytes::from_static(b"world"));

    let list = client.prefix_file_list(&PrefixFileListRequest::new().with_prefix("docs/")).await.unwrap();
    let names: Vec<Option<&str>> = list.data_set.iter().map(|item| item.file_name.as_deref()).collect();
    assert_eq!(names, [Some("docs/中文 a.txt")], "{list:?}");

    client.delete_file(&DeleteFileRequest::new("docs/中文 a.txt")).await.unwrap();
    let err = client.head_file(&HeadFileRequest::new("docs/中文 a.txt")).await.unwrap_err();
    assert_eq!(err.status(), Some(404), "HEAD errors carry no body: {err:?}");
    let err = client.get_file(&GetFileRequest::new("docs/中文 a.txt")).await.unwrap_err();
    assert!(matches!(&err, Error::Service { code: -1, message, .. } if message == "file not exist"), "{err:?}");
}

#[tokio::test]
async fn a_multipart_upload_of_generated_calls() {
    let stand_in = StandIn::start_with_block_size(PUBLIC, PRIVATE, "demobucket", 8).await.unwrap();
    let client = client(&stand_in);
    let initiate = InitiateMultipartUploadRequest::new("big").with_x_ufile_meta([("Part-Of", "backup 7")]);
    let initiated = client.initiate_multipart_upload(&initiate).await.unwrap();
    let (upload_id, block) = (initiated.upload_id.clone().unwrap(), initiated.blk_size.unwrap());
    assert_eq!(block, 8);
    let data = b"0123456789abcdefXYZ";
    let mut etags = Vec::new();
    for (n, part) in data.chunks(8).enumerate() {
        let request = UploadPartRequest::new("big", "application/octet-stream", upload_id.clone(), n as i64);
        let response = client.upload_part(&request, UploadBody::bytes(part.to_vec())).await.unwrap();
        assert_eq!(response.part_number, Some(n as i64));
        etags.push(response.e_tag.unwrap().trim_matches('"').to_owned());
    }
    let parts = client.list_parts(&ListPartsRequest::new(upload_id.clone())).await.unwrap();
    assert_eq!(parts.parts.len(), 3);
    let finish = FinishMultipartUploadRequest::new("big", upload_id, String::new());
    let finished = client.finish_multipart_upload(&finish, UploadBody::bytes(etags.join(","))).await.unwrap();
    assert_eq!(finished.file_size, Some(data.len() as i64));
    assert_eq!(stand_in.object("big").unwrap(), data);
    let head = client.head_file(&HeadFileRequest::new("big")).await.unwrap();
    assert_eq!(head.x_ufile_meta, Some(text_map(&[("part-of", "backup 7")])), "the initiation's metadata is kept");
}

fn text_map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect()
}

#[tokio::test]
async fn user_metadata_round_trips_as_a_map_of_headers() {
    let stand_in = StandIn::start(PUBLIC, PRIVATE, "demobucket").await.unwrap();
    let client = client(&stand_in);
    let sent = text_map(&[
        ("location", "上海 shanghai"),
        ("Owner", "ops team"),
        ("build_id.v2", "2026-12-06T06:00:00Z"),
        ("empty", ""),
    ]);
    let put = PutFileRequest::new("meta.txt").with_x_ufile_meta(sent.clone());
    client.put_file(&put, UploadBody::bytes(&b"hello"[..])).await.unwrap();
    let request = &stand_in.requests()[0];
    assert_eq!(request.header("X-Ufile-Meta-Owner"), Some("ops team"), "one header per entry");
    assert_eq!(request.header("X-Ufile-Meta-build_id.v2"), Some("2026-12-06T06:00:00Z"));
    assert_eq!(request.header("X-Ufile-Meta-location"), Some("上海 shanghai"));

    // Header names are case-insensitive: they come back lower-case; values exactly as sent.
    let expected = text_map(&[
        ("location", "上海 shanghai"),
        ("owner", "ops team"),
        ("build_id.v2", "2026-12-06T06:00:00Z"),
        ("empty", ""),
    ]);
    let head = client.head_file(&HeadFileRequest::new("meta.txt")).await.unwrap();
    assert_eq!(head.x_ufile_meta.as_ref(), Some(&expected), "{head:?}");
    assert!(head.extra.is_empty(), "nothing left over: {:?}", head.extra);
    let download = client.get_file(&GetFileRequest::new("meta.txt")).await.unwrap();
    assert_eq!(download.x_ufile_meta.as_ref(), Some(&expected), "{download:?}");
    assert_eq!(download.body.collect().await.unwrap(), Bytes::from_static(b"hello"));

    // No metadata: no map at all.
    client.put_file(&PutFileRequest::new("plain.txt"), UploadBody::bytes(&b"x"[..])).await.unwrap();
    let head = client.head_file(&HeadFileRequest::new("plain.txt")).await.unwrap();
    assert_eq!(head.x_ufile_meta, None);
}

#[tokio::test]
async fn user_metadata_that_cannot_be_a_header_fails_before_sending() {
    let stand_in = StandIn::start(PUBLIC, PRIVATE, "demobucket").await.unwrap();
    let client = client(&stand_in);
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("two words", "v")], "\"two words\" is not a header name"),
        (&[("", "v")], "an entry with an empty name"),
        (&[("note", "line\r\nX-Injected: 1")], "\"note\" has a control character"),
        (&[("note", " padded")], "\"note\" has white space at an end"),
        (&[("note", "padded\t")], "\"note\" has white space at an end"),
        (&[("Color", "red"), ("color", "blue")], "differ only in case"),
    ];
    for (entries, expected) in cases {
        let put = PutFileRequest::new("bad.txt").with_x_ufile_meta(entries.iter().copied());
        let err = client.put_file(&put, UploadBody::bytes(&b"x"[..])).await.unwrap_err();
        match &err {
            Error::InvalidRequest(message) => {
                assert!(message.contains(expected), "{entries:?}: {message}");
                assert!(message.contains("X-Ufile-Meta-*"), "the message names the map: {message}");
                assert!(!message.contains("X-Injected"), "the value is not quoted: {message}");
            }
            other => panic!("{entries:?}: expected InvalidRequest, got {other:?}"),
        }
    }
    assert!(stand_in.requests().is_empty(), "nothing was sent: {:?}", stand_in.requests());
}

#[test]
fn a_listing_decodes_each_objects_user_metadata_as_a_map() {
    let body = r#"{"Contents": [
        {"Key": "a", "UserMeta": {"owner": "ops", "city": "上海"}},
        {"Key": "b", "UserMeta": {"owner": 7}}
    ]}"#;
    let (listing, ()) = ucloud_ufile::list_objects::decode_response(body.as_bytes()).unwrap();
    let meta = |i: usize| listing.contents[i].user_meta.clone();
    assert_eq!(meta(0), Some(text_map(&[("owner", "ops"), ("city", "上海")])));
    assert_eq!(meta(1), None, "a value that is not text is not converted");
    assert_eq!(listing.contents[1].extra.get("UserMeta"), Some(&serde_json::json!({"owner": 7})), "but kept");
}
