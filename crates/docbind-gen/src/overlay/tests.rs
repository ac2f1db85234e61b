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
fn names_enums_renames_and_marks_read_only_and_pagination() {
    let text = r#"
[CreateUvodnNode]
read_only = true
pagination = { offset = "Offset", limit = "Limit", items = "Nodes", total = "TotalCount" }

[CreateUvodnNode.models.NodeInfo]
rename = "Node"

[CreateUvodnNode.fields."request.ChargeType"]
rename = "billing"
enum = { name = "ChargeType", values = { Hourly = 1, Monthly = 2, Yearly = 3 } }
"#;
    let (op, names) = run(text).unwrap();
    assert!(op.access.read_only, "CreateUvodnNode is not read-only by its verb; the overlay says so");
    assert_eq!(op.access.reason, "set in overlay.toml");
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

#[test]
fn adds_what_the_docs_leave_out_with_the_overlay_as_source() {
    let text = r#"
[CreateUvodnNode]
rename = "LaunchNode"

[CreateUvodnNode.models.NodeIp]
add = true

[CreateUvodnNode.fields."model.NodeIp.Ip"]
add = { type = "string", description = "外网IP" }

[CreateUvodnNode.fields."model.NodeInfo.IpSet"]
add = { type = "array[NodeIp]", description = "IP 列表" }

[CreateUvodnNode.fields."request.Tag"]
add = { type = "string", description = "标签", required = true }
"#;
    let (op, names) = run(text).unwrap();
    let ip = op.models.iter().find(|m| m.name == "NodeIp").expect("added model");
    assert_eq!(ip.source, Source { file: "specs/x/overlay.toml".into(), line: 6 });
    assert_eq!((ip.fields[0].wire_name.as_str(), &ip.fields[0].ty), ("Ip", &Type::String));
    let node = op.models.iter().find(|m| m.name == "NodeInfo").unwrap();
    let ips = node.fields.iter().find(|f| f.wire_name == "IpSet").expect("added to a documented model");
    assert_eq!(ips.ty, Type::List(Box::new(Type::Model("NodeIp".into()))));
    assert_eq!((ips.location, ips.source.line), (Location::Member, 12));
    let tag = op.request.iter().find(|f| f.wire_name == "Tag").expect("added request field");
    assert!(tag.required && tag.location == Location::Form && tag.description == "标签");
    assert_eq!(names.of(&op.source.file).rename.as_ref().map(|r| r.name.as_str()), Some("LaunchNode"));
}

#[test]
fn waiters_are_checked_against_the_docs_and_their_enums() {
    let text = r#"
[CreateUvodnNode.fields."model.NodeInfo.State"]
enum = { name = "NodeState", values = { Deploying = 1, Waiting = 2 } }

[waiters.node_waiting]
operation = "CreateUvodnNode"
id = "ChargeType"
items = "Nodes"
item_id = "State"
state = "State"
success = [2]
failure = ["1"]
missing = "failure"
"#;
    let (_, names) = run(text).unwrap();
    let [waiter] = names.waiters() else { panic!("one waiter: {:?}", names.waiters()) };
    assert_eq!(
        (waiter.name.as_str(), waiter.operation.as_str(), waiter.id.as_str()),
        ("node_waiting", "CreateUvodnNode", "ChargeType")
    );
    assert_eq!(waiter.items, Some(("Nodes".to_string(), "State".to_string())));
    assert_eq!(
        (waiter.success.as_slice(), waiter.failure.as_slice()),
        (&["2".to_string()][..], &["1".to_string()][..])
    );
    assert_eq!(
        (waiter.missing, waiter.state_path.as_str(), waiter.source.line),
        (Missing::Failure, "model.NodeInfo.State", 5)
    );
}
