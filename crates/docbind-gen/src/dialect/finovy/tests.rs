//! What the golden cases (`test_data/finovy`) cannot say: a doc forced into this dialect, and the checked-in seed.

use super::*;
use crate::dialect::parse_doc;
use crate::ir::Dialect;

#[test]
fn a_doc_forced_into_finovy_without_a_description_section_is_unsupported() {
    // Detection never hands such a doc to this dialect; `--dialect finovy` does.
    match parse_doc(Path::new("常见问题.md"), "# 常见问题\n\n正文\n", Dialect::named("finovy")) {
        Err(Rejection::Unsupported { file, reason }) => {
            assert_eq!(file, Path::new("常见问题.md"));
            assert_eq!(reason, "no `### 1.接口描述` section: not a Finovy open-API endpoint page");
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn seed_get_list() {
    let path = crate::test_support::repo_root().join("specs/finovy-image/get_list.md");
    let text = std::fs::read_to_string(&path).expect("seed doc");
    let p = match parse_doc(&path, &text, None) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let op = &p.operation;
    assert_eq!(op.name, "getList");
    assert_eq!(op.title, "我的镜像列表接口");
    assert_eq!(op.protocol, Protocol::Http { method: "GET".into(), path: "/v1/open/image/personal/getList".into() });
    let query: Vec<&str> =
        op.request.iter().filter(|f| f.location == Location::Query).map(|f| f.wire_name.as_str()).collect();
    assert_eq!(query, ["imageName", "imageType", "datacenterKey", "status"]);
    assert_eq!(op.request.len(), 4);
    let Response::Envelope { data: Data::Page { items, total, fields } } = &op.response else {
        panic!("{:?}", op.response)
    };
    assert_eq!((items.as_str(), total.as_str()), ("data", "totalCounts"));
    assert_eq!(fields.len(), 8);
    let ty = |n: &str| fields.iter().find(|f| f.wire_name == n).map(|f| f.ty.clone());
    assert_eq!(ty("imageId"), Some(Type::Int));
    assert_eq!(ty("createTime"), Some(Type::Int));
    assert_eq!(ty("status"), Some(Type::Int));
    assert_eq!(ty("id"), Some(Type::String));
    assert!(op.access.read_only);
    assert_eq!(op.errors.len(), 2);
    assert_eq!(op.examples.len(), 2);
    assert!(fields.iter().all(|f| f.source.line > 0 && f.source.file == path));
}
