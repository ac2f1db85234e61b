use crate::diag::Rejection;
use crate::dialect::parse_doc;
use crate::ir::{Dialect, ExampleKind, Location, Protocol, Type};
use std::path::Path;

fn parse(src: &str) -> Result<crate::dialect::Parsed, Rejection> {
    parse_doc(Path::new("p.md"), src, Dialect::named("ufile"))
}

const PUT_FILE: &str = "# 上传文件 - PutFile \n\n## 简介\n普通上传文件\n\n### 句法（Syntax）:\n\n```\nPUT /<object_name> HTTP/1.1\nHost: <bucket_name>.cn-bj.ufileos.com\nAuthorization: <token>\nContent-Length: <length>\n```\n\n**请求头（Request Headers）**\n\n| Name | Type | Description | Required |\n|---|---|---|---|\n| Authorization | String | 签名 | Yes |\n| Content-Length | Integer | 长度 | Yes |\n| Content-Type | String | 类型 | No |\n| X-Ufile-Meta- * | String | 元数据 | No |\n\n### 响应（Responses）\n\n**响应头（Response Headers）**\n\n|Name|Type|Description|\n|---|---|---|\n|ETag|String|哈希值|\n|X-SessionId|String|会话Id|\n\n**响应元素（Response Elements）**\n\n|Name|Type|Description|\n|---|---|---|\n|RetCode|Integer|错误代码|\n|ErrMsg|String|错误消息|\n\n## 示例\n\n### 响应示例（Example Response）:\n\n```\nHTTP/1.1 200 OK\nETag: \"x\"\n```\n";

#[test]
fn a_put_page_is_an_upload_with_headers_in_and_out() {
    let op = parse(PUT_FILE).unwrap().operation;
    assert_eq!(op.name, "PutFile");
    assert_eq!(op.title, "上传文件");
    assert_eq!(op.summary, "普通上传文件");
    let Protocol::Object { method, key, flags, upload, download } = &op.protocol else { panic!("{:?}", op.protocol) };
    assert_eq!(
        (method.as_str(), key.as_deref(), flags.len(), *upload, *download),
        ("PUT", Some("object_name"), 0, true, false)
    );
    assert!(op.access.read_only, "a whole-object PUT is repeatable: {:?}", op.access);
    let request: Vec<(&str, Location, &Type)> =
        op.request.iter().map(|f| (f.wire_name.as_str(), f.location, &f.ty)).collect();
    assert_eq!(
        request,
        [
            ("object_name", Location::Path, &Type::String),
            ("Content-Type", Location::Header, &Type::String),
            ("X-Ufile-Meta-*", Location::Header, &Type::TextMap),
        ],
        "Authorization and Content-Length are the protocol's"
    );
    let crate::ir::Response::Fields { fields } = &op.response else { panic!() };
    let response: Vec<(&str, Location)> = fields.iter().map(|f| (f.wire_name.as_str(), f.location)).collect();
    assert_eq!(response, [("ETag", Location::Header)], "X-SessionId, RetCode and ErrMsg are the protocol's");
    assert_eq!(op.examples[0].kind, ExampleKind::Response);
}

#[test]
fn the_request_line_decides_the_query_and_the_json_body_of_a_list() {
    let src = "# 前缀列表查询 - PrefixFileList\n\n### 句法（Syntax）:\n\n```\nGET /?list&prefix=<prefix>&limit=<limit>\n```\n\n**请求头（Request Headers）**\n\n|Name|Type|Description|Required|\n|---|---|---|---|\n|prefix|String|前缀|No|\n|limit|Integer|数目|No|\n|Authorization|String|签名|No|\n\n### 响应（Responses）\n\n**响应头（Response Headers）**\n\n|Name|Type|Description|\n|---|---|---|\n|NextMarker|String|标志|\n|DataSet|Array|文件列表|\n\n**DataSet Item**\n\n|Name|Type|Description|\n|---|---|---|\n|FileName|String|名称|\n|MimeType|Array|类型|\n|UserMeta|键值对|元数据|\n\n## 示例\n\n```\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"NextMarker\": \"\", \"DataSet\": []}\n```\n";
    let parsed = parse(src).unwrap();
    let op = parsed.operation;
    let Protocol::Object { key, flags, download, .. } = &op.protocol else { panic!() };
    assert_eq!((key, flags.as_slice(), *download), (&None, &["list".to_string()][..], false));
    let query: Vec<(&str, Location, bool)> =
        op.request.iter().map(|f| (f.wire_name.as_str(), f.location, f.required)).collect();
    assert_eq!(query, [("prefix", Location::Query, false), ("limit", Location::Query, false)]);
    let crate::ir::Response::Fields { fields } = &op.response else { panic!() };
    assert_eq!(fields[1].ty, Type::List(Box::new(Type::Model("DataSet".into()))));
    assert!(fields.iter().all(|f| f.location == Location::Member), "{fields:?}");
    assert_eq!(op.models[0].fields[1].ty, Type::Json, "an array without an item table");
    assert_eq!(op.models[0].fields[2].ty, Type::TextMap, "the pages' key-value pairs");
    let warned: Vec<String> = parsed.warnings.iter().map(|w| format!("{}", w)).collect();
    assert!(
        warned.iter().any(|w| w.starts_with("p.md:23:") && w.contains("`NextMarker` is listed as a response header")),
        "{warned:?}"
    );
    // The example's JSON body is what the decoder is tried on.
    assert!(op.examples[0].is_json && op.examples[0].text.starts_with('{'), "{:?}", op.examples[0]);
}

#[test]
fn a_download_a_paragraph_label_and_an_element_named_otherwise_in_the_request_line() {
    let src = "# 获取目录文件列表-ListObjects\n\nSyntax:\n\n```\nGET /?listobjects&max-keys=<max-keys> HTTP/1.1\n```\n\n**请求元素（Request Elements）**\n\n|Parameter name|Type|Description|Required|\n|---|---|---|---|\n|MaxKeys|int|数量|No|\n";
    let parsed = parse(src).unwrap();
    assert_eq!(parsed.operation.request[0].wire_name, "max-keys");
    assert!(parsed.warnings.iter().any(|w| w.message.contains("`MaxKeys` is `max-keys`")), "{:?}", parsed.warnings);
    let get = "# 下载文件 - GetFile\n\n### 句法（Syntax）:\n\n```\nGET /<object_name> HTTP/1.1\n```\n";
    let Protocol::Object { download, upload, .. } = parse(get).unwrap().operation.protocol else { panic!() };
    assert!(download && !upload);
}

#[test]
fn broken_pages_are_errors_at_their_line() {
    for (src, line, needle) in [
        (
            "# 上传 - PutFile\n\n### 句法（Syntax）:\n\n```\nFETCH /<k> HTTP/1.1\n```\n",
            6,
            "unknown HTTP method `FETCH`",
        ),
        ("# 上传 - PutFile\n\n### 句法（Syntax）:\n\n```\nPUT relative HTTP/1.1\n```\n", 6, "does not start with `/`"),
        ("# 上传 - PutFile\n\n### 句法（Syntax）:\n\n```\nPUT /a/b HTTP/1.1\n```\n", 6, "more than the object key"),
        ("# 上传 - PutFile\n\n### 句法（Syntax）:\n\nnothing\n", 1, "no `Syntax` code block"),
        ("# 上传文件\n\n### 句法（Syntax）:\n\n```\nPUT /<k> HTTP/1.1\n```\n", 1, "does not end in an operation name"),
    ] {
        match parse(src) {
            Err(Rejection::Invalid { errors }) => {
                assert!(errors.iter().any(|e| e.line == line && e.message.contains(needle)), "{src}: {errors:?}");
            }
            other => panic!("{src}: {other:?}"),
        }
    }
}
