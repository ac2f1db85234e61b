//! How overlays change the IR. Every overlay error is a golden case under `test_data/overlay/err`.

use super::*;
use crate::dialect::parse_doc;

const CREATE_NODE: &str = "# 创建节点 - CreateUvodnNode\n\n## 定义\n\n### 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **ChargeType** | int | 1按时，2按月，3按年 |**Yes**|\n| **Offset** | int | o |No|\n| **Limit** | int | l |No|\n\n### 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **RetCode** | int | 码 |**Yes**|\n| **NodeList** | array[string] | 节点 |**Yes**|\n| **Nodes** | array[[*NodeInfo*](#NodeInfo)] | 节点 |No|\n| **TotalCount** | int | 总数 |No|\n\n#### 数据模型\n\n#### NodeInfo\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **State** | int | 1部署中，2待启动 |No|\n";

fn op() -> Operation {
    parse_doc(Path::new("specs/x/create_uvodn_node.md"), CREATE_NODE, None).expect("fixture").operation
}

fn run(text: &str) -> Result<(Operation, RustNames), Vec<Diagnostic>> {
    let mut op = op();
    let names = apply(Path::new("specs/x/overlay.toml"), text, &mut [&mut op])?;
    Ok((op, names))
}

#[test]
fn fixes_a_type_the_api_contradicts() {
    let (op, names) = run("[CreateUvodnNode.fields.\"response.NodeList\"]\ntype = \"array[object]\"\n").unwrap();
    let Response::Fields { fields } = &op.response else { panic!() };
    assert_eq!(fields.iter().find(|f| f.wire_name == "NodeList").unwrap().ty, Type::List(Box::new(Type::Json)));
    assert!(names.is_empty(), "a type fix is about the API, not about Rust names: {names:?}");
}

#[test]
fn names_enums_renames_and_marks_idempotency_and_pagination() {
    let text = r#"
[CreateUvodnNode]
idempotent = true
pagination = { offset = "Offset", limit = "Limit", items = "Nodes", total = "TotalCount" }

[CreateUvodnNode.models.NodeInfo]
rename = "Node"

[CreateUvodnNode.fields."request.ChargeType"]
rename = "billing"
enum = { name = "ChargeType", values = { Hourly = 1, Monthly = 2, Yearly = 3 } }
"#;
    let (op, names) = run(text).unwrap();
    assert!(op.idempotent.idempotent);
    assert_eq!(op.idempotent.reason, "set in overlay.toml");
    assert!(matches!(op.pagination, Some(Pagination::OffsetLimit { ref items, .. }) if items == "Nodes"));
    let names = names.of(&op.source.file);
    assert_eq!(names.model_name("NodeInfo"), Some("Node"));
    let charge = names.field("request.ChargeType").unwrap();
    assert_eq!(charge.rename.as_deref(), Some("billing"));
    let e = charge.enumeration.as_ref().unwrap();
    assert_eq!(e.name, "ChargeType");
    assert_eq!(
        e.variants,
        [("Hourly".to_string(), "1".to_string()), ("Monthly".into(), "2".into()), ("Yearly".into(), "3".into())],
        "document order and integer values kept"
    );
}

#[test]
fn the_checked_in_overlays_apply_cleanly() {
    let root = crate::test_support::repo_root();
    for spec in ["specs/ucloud-uodn", "specs/finovy-image"] {
        let loaded = crate::load::load(&root, &[spec.into()], None).unwrap();
        assert!(loaded.rejected.is_empty(), "{spec}: {:?}", loaded.rejected);
        assert!(!loaded.rust_names.is_empty(), "{spec} has an overlay");
    }
}
