//! Before/after fixtures modelled on real vendor edits (see doc-grammar.md §A5).

use super::*;
use crate::dialect::{parse_doc, Parsed};
use std::path::Path;

fn ucloud(action: &str, request_rows: &str, response_rows: &str, models: &str) -> Operation {
    let src = format!(
        "# 测试 - {action}\n\n## 定义\n\n### 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n{request_rows}\n\n### 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **RetCode** | int | 码 |**Yes**|\n{response_rows}\n\n{models}\n"
    );
    parse_doc(Path::new("x.md"), &src, None).expect("fixture parses").operation
}

/// Operations as if loaded from docs without an overlay.
fn loaded(ops: &[Operation]) -> Loaded {
    let parsed = ops.iter().map(|op| Parsed { operation: op.clone(), warnings: Vec::new() }).collect();
    Loaded { parsed, ..Loaded::default() }
}

fn lines(old: &[Operation], new: &[Operation]) -> Vec<String> {
    changes(&loaded(old), &loaded(new))
}

fn changes(old: &Loaded, new: &Loaded) -> Vec<String> {
    compare(old, new).iter().map(Change::to_string).collect()
}

const MODEL: &str = "#### 数据模型\n\n#### SecGroupInfo\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **SecGroupId** | string | 安全组 |No|\n";

#[test]
fn string_to_int_is_breaking() {
    // udb DescribeUDBInstance.SpecificationType, 2024-07-12.
    let before = ucloud("DescribeUDBInstance", "", "| **SpecificationType** | string | 规格 |No|", "");
    let after = ucloud("DescribeUDBInstance", "", "| **SpecificationType** | int | 规格 |No|", "");
    assert_eq!(
        lines(&[before], &[after]),
        ["breaking: DescribeUDBInstance: response field SpecificationType: type changed: string -> int"]
    );
}

#[test]
fn model_to_array_of_models_is_breaking() {
    // ulb DescribeLoadBalancers.SecGroup, 2025-10-30.
    let before =
        ucloud("DescribeLoadBalancers", "", "| **SecGroup** | [*SecGroupInfo*](#SecGroupInfo) | 安全组 |No|", MODEL);
    let after = ucloud(
        "DescribeLoadBalancers",
        "",
        "| **SecGroup** | array[[*SecGroupInfo*](#SecGroupInfo)] | 安全组 |No|",
        MODEL,
    );
    assert_eq!(
        lines(&[before], &[after]),
        ["breaking: DescribeLoadBalancers: response field SecGroup: type changed: SecGroupInfo -> array[SecGroupInfo]"]
    );
}

#[test]
fn added_optional_fields_are_compatible() {
    let model = |extra: &str| {
        format!("#### 数据模型\n\n#### NodeInfo\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **NodeId** | string | 节点 |No|\n{extra}")
    };
    // uedn DescribeUvodnNode gained NodeInfo.ProductType on 2020-11-10.
    let before = ucloud(
        "DescribeUvodnNode",
        "| **Offset** | int | o |No|",
        "| **NodeList** | array[[*NodeInfo*](#NodeInfo)] | n |No|",
        &model(""),
    );
    let after = ucloud(
        "DescribeUvodnNode",
        "| **Offset** | int | o |No|\n| **Limit** | int | l |No|",
        "| **NodeList** | array[[*NodeInfo*](#NodeInfo)] | n |No|",
        &model("| **ProductType** | string | 机器类型 |No|\n"),
    );
    assert_eq!(
        lines(&[before], &[after]),
        [
            "compatible: DescribeUvodnNode: model NodeInfo field ProductType: added (string)",
            "compatible: DescribeUvodnNode: request field Limit: added as optional (int)",
        ]
    );
}

#[test]
fn making_a_parameter_required_is_breaking_but_not_a_response_field() {
    let before = ucloud("CreateThing", "| **Name** | string | 名称 |No|", "| **Id** | string | id |No|", "");
    let after = ucloud("CreateThing", "| **Name** | string | 名称 |**Yes**|", "| **Id** | string | id |**Yes**|", "");
    assert_eq!(
        lines(&[before], &[after]),
        [
            "breaking: CreateThing: request field Name: became required: a new argument of new()",
            "compatible: CreateThing: response field Id: documented as required (still an Option in Rust)",
        ]
    );
}

#[test]
fn new_required_group_member_and_removed_fields_are_breaking() {
    let before = ucloud(
        "CreateRule",
        "| **Rule.N.Port** | int | 端口 |No|\n| **Old** | string | 旧 |No|",
        "| **Gone** | string | g |No|",
        "",
    );
    let after = ucloud(
        "CreateRule",
        "| **Rule.N.Port** | int | 端口 |No|\n| **Rule.N.Proto** | string | 协议 |**Yes**|",
        "",
        "",
    );
    assert_eq!(
        lines(&[before], &[after]),
        [
            "breaking: CreateRule: request field Old: removed",
            "breaking: CreateRule: request field Rule member Proto: added as required (string): a new argument of new()",
            "breaking: CreateRule: response field Gone: removed",
        ]
    );
}

#[test]
fn operations_added_and_removed() {
    let a = ucloud("GetA", "", "", "");
    let b = ucloud("GetB", "", "", "");
    assert_eq!(
        lines(std::slice::from_ref(&a), std::slice::from_ref(&b)),
        ["breaking: GetA: operation removed (was x.md)", "compatible: GetB: operation added (x.md)"]
    );
    assert_eq!(lines(std::slice::from_ref(&a), std::slice::from_ref(&a)), Vec::<String>::new());
}

#[test]
fn whitespace_only_edits_change_nothing() {
    let before = ucloud("GetA", "| **Id** | string | 标识 |No|", "| **N** | int | n |No|", "");
    let after = ucloud("GetA", "|   **Id**   |  string  |  标识  |  No  |", "| **N** | int | n |No|", "");
    assert!(lines(&[before], &[after]).is_empty());
}

#[test]
fn summary_counts_by_impact() {
    let before = ucloud("GetA", "", "| **N** | string | n |No|", "");
    let after = ucloud("GetA", "| **X** | int | x |No|", "| **N** | int | n |No|", "");
    assert_eq!(summary(&compare(&loaded(&[before]), &loaded(&[after]))), "1 breaking, 1 compatible change(s)");
    assert_eq!(summary(&[]), "no API change");
}

#[test]
fn compares_folders_of_finovy_docs() {
    let seed =
        std::fs::read_to_string(crate::test_support::repo_root().join("specs/finovy-image/get_list.md")).unwrap();
    let dir = std::env::temp_dir().join(format!("docbind-diff-test-{}", std::process::id()));
    let (old, new) = (dir.join("old"), dir.join("new"));
    std::fs::create_dir_all(&old).unwrap();
    std::fs::create_dir_all(&new).unwrap();
    std::fs::write(old.join("1.getList.md"), &seed).unwrap();
    // The vendor documents imageSize as a number and adds a required query parameter.
    let edited = seed.replace("| imageSize     | 镜像大小                                      | String    |", "| imageSize     | 镜像大小 | Long |").replace(
        "| imageName | 镜像名                                        | no | string | Params |",
        "| imageName | 镜像名                                        | no | string | Params |\n| page | 页码 | yes | integer | query |",
    );
    assert_ne!(edited, seed, "the fixture edit applies");
    std::fs::write(new.join("1.getList.md"), edited).unwrap();
    let changes: Vec<String> = compare_dirs(&old, &new).unwrap().iter().map(Change::to_string).collect();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        changes,
        [
            "breaking: getList: request field page: added as required (int): a new argument of new()",
            "breaking: getList: response field imageSize: type changed: string -> int",
        ]
    );
}

#[test]
fn an_overlay_enum_that_moves_within_the_file_is_no_change() {
    let with_overlay = |overlay: &str| {
        let mut op = ucloud("DescribeNode", "| **State** | string | 状态 |No|", "", "");
        let names =
            crate::overlay::apply(Path::new("specs/x/overlay.toml"), overlay, &mut [&mut op]).expect("overlay applies");
        Loaded { rust_names: names, ..loaded(&[op]) }
    };
    let enum_at = |blank_lines: usize, values: &str| {
        let padding = "\n".repeat(blank_lines);
        with_overlay(&format!(
            "{padding}[DescribeNode.fields.\"request.State\"]\nenum = {{ values = {{ {values} }} }}\n"
        ))
    };
    let before = enum_at(0, "Up = \"1\"");
    assert_eq!(changes(&before, &enum_at(3, "Up = \"1\"")), Vec::<String>::new());
    assert_eq!(
        changes(&before, &enum_at(0, "Up = \"1\", Down = \"2\"")),
        ["breaking: DescribeNode: field request.State: overlay changes its Rust name or type"]
    );
    assert_eq!(
        changes(&before, &enum_at(0, "Up = 1")),
        ["breaking: DescribeNode: field request.State: overlay changes whether serde writes the enumeration's values \
          as numbers or strings"]
    );
}

#[test]
fn renames_waiters_and_retry_classes_are_reported() {
    // One doc per operation, as in a spec folder: the overlay's Rust names are keyed by doc.
    let doc = |action: &str| {
        let mut op = ucloud(action, "| **NodeId.N** | string | 节点 |No|", "| **State** | int | 状态 |No|", "");
        op.source.file = format!("{action}.md").into();
        op
    };
    let with_overlay = |overlay: &str| {
        let (mut describe, mut restart) = (doc("DescribeNode"), doc("RestartNode"));
        let names =
            crate::overlay::apply(Path::new("specs/x/overlay.toml"), overlay, &mut [&mut describe, &mut restart])
                .expect("overlay applies");
        Loaded { rust_names: names, ..loaded(&[describe, restart]) }
    };
    let waiter = "[waiters.node_up]\noperation = \"DescribeNode\"\nid = \"NodeId\"\nstate = \"State\"\nsuccess = [4]\n";
    let before = with_overlay("");
    let after = with_overlay(&format!("[RestartNode]\nrename = \"Reboot\"\nread_only = true\n\n{waiter}"));
    assert_eq!(
        changes(&before, &after),
        [
            "breaking: RestartNode: Rust name: overlay changes the operation's Rust name: its own -> Reboot",
            "compatible: DescribeNode: waiter node_up: added",
            "compatible: RestartNode: retries: retry class changed: may change state -> read-only (set in overlay.toml)",
        ]
    );
    let changed = with_overlay(&waiter.replace("[4]", "[5]"));
    assert_eq!(
        changes(&after, &changed)[..2],
        [
            "breaking: DescribeNode: waiter node_up: changed",
            "breaking: RestartNode: Rust name: overlay changes the operation's Rust name: Reboot -> its own",
        ]
    );
    assert_eq!(changes(&changed, &before), ["breaking: DescribeNode: waiter node_up: removed"]);
}

#[test]
fn a_snapshot_reads_back_as_the_api_it_records() {
    let before = ucloud("DescribeX", "| **Id** | string | 标识 |**Yes**|", "| **Name** | string | 名称 |No|", "");
    let text = snapshot::text(&[&before], &crate::overlay::RustNames::default()).expect("serializes");
    let recorded = snapshot::read(&text).expect("reads").expect("this format");
    assert!(compare(&recorded, &loaded(std::slice::from_ref(&before))).is_empty());
    // The changes against it name the doc row they are about.
    let after = ucloud("DescribeX", "| **Id** | int | 标识 |**Yes**|", "| **Name** | string | 名称 |No|", "");
    let changes = compare(&recorded, &loaded(&[after]));
    assert_eq!(changes.len(), 1, "{changes:?}");
    // The fixture's first request row is its line 9.
    assert_eq!(changes[0].at.as_ref().map(|s| s.line), Some(9), "{changes:?}");
    // Another format is no snapshot to compare with.
    assert!(snapshot::read(&text.replace("\"format\": 1", "\"format\": 2")).expect("reads").is_none());
}

#[test]
fn a_new_twin_page_is_an_added_operation_not_a_change_of_the_current_one() {
    // ulb-api fed6464: `*_json.md` pages published beside the pages of the same Actions, with other parameters.
    // The crate keeps `create_rule` for the page named so and adds `create_rule_json`: nothing of callers' code
    // breaks (`cargo xtask classify` over ulb-api's history caught the diff calling it a change of `create_rule`).
    let mut current = ucloud("CreateRule", "| **VServerId** | string | 服务 |**Yes**|", "", "");
    current.source.file = "ulb-api/create_rule.md".into();
    let mut twin = ucloud("CreateRule", "| **RuleConditions** | string | 条件 |**Yes**|", "", "");
    twin.source.file = "ulb-api/create_rule_json.md".into();
    assert_eq!(
        lines(std::slice::from_ref(&current), &[current.clone(), twin.clone()]),
        ["compatible: CreateRule: operation added (ulb-api/create_rule_json.md)"]
    );
    // Removing the twin again removes that operation, not the current one.
    assert_eq!(
        lines(&[twin, current.clone()], &[current]),
        ["breaking: CreateRule: operation removed (was ulb-api/create_rule_json.md)"]
    );
}
