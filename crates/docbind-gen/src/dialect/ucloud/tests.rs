use super::*;
use crate::diag::{Diagnostic, Severity};
use crate::markdown;
use std::path::PathBuf;

const PUBLIC: &str = "### 公共参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **Action**     | string  | 指令 | **Yes** |\n| **PublicKey**  | string  | 公钥 | **Yes** |\n| **Signature**  | string  | 签名 | **Yes** |\n";
const RESPONSE_HEAD: &str = "| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **RetCode** | int | 返回状态码 |**Yes**|\n| **Action** | string | 操作指令名称 |**Yes**|\n| **Message** | string | 错误消息 |No|\n";

/// A GEN doc with the given request rows, response rows and trailing model sections.
fn doc(request_rows: &str, response_rows: &str, models: &str) -> String {
    format!(
        "# 测试接口 - DescribeThing\n\n## 简介\n\n用来测试。\n\n?> 无\n\n## 定义\n\n{PUBLIC}\n### 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n{request_rows}\n### 响应字段\n\n{RESPONSE_HEAD}{response_rows}\n{models}\n## 示例\n\n### 请求示例\n\n```\nhttps://api.ucloud.cn/?Action=DescribeThing\n```\n\n### 响应示例\n\n```json\n{{\"RetCode\": 0}}\n```\n"
    )
}

fn run(src: &str) -> Result<Parsed, Rejection> {
    parse(Path::new("t.md"), &markdown::parse(src))
}

fn ok(src: &str) -> Parsed {
    match run(src) {
        Ok(p) => p,
        Err(e) => panic!("expected IR, got:\n{e}"),
    }
}

fn errors(src: &str) -> Vec<Diagnostic> {
    match run(src) {
        Err(Rejection::Invalid { errors }) => errors,
        other => panic!("expected errors, got {other:?}"),
    }
}

fn line_of(src: &str, needle: &str) -> usize {
    src.lines().position(|l| l.contains(needle)).map(|i| i + 1).expect("needle in source")
}

#[test]
fn title_summary_protocol_and_examples() {
    let p = ok(&doc("| **Id** | string | 标识 |No|", "", ""));
    let op = &p.operation;
    assert_eq!((op.name.as_str(), op.title.as_str(), op.summary.as_str()), ("DescribeThing", "测试接口", "用来测试。"));
    assert_eq!(op.protocol, Protocol::Rpc { action: "DescribeThing".into() });
    assert_eq!(op.examples.len(), 2);
    assert!(op.examples.iter().any(|e| e.kind == ExampleKind::Response && e.is_json));
    assert!(op.access.read_only);
}

#[test]
fn title_variants_without_spaces_or_bold() {
    for title in ["# 创建主机-CreateThing", "# **创建主机 - CreateThing**", "## 创建主机 - CreateThing"] {
        let src = doc("", "", "").replacen("# 测试接口 - DescribeThing", title, 1);
        assert_eq!(ok(&src).operation.name, "CreateThing", "{title}");
    }
    let src = doc("", "", "").replacen("# 测试接口 - DescribeThing", "# 没有动作名", 1);
    let errs = errors(&src);
    assert_eq!(errs[0].line, 1);
    assert!(errs[0].message.contains("expected a title"));
}

#[test]
fn scalar_types_and_required_flags() {
    let rows = "| **S** | string | s |**Yes**|\n| **I** | int | i |No|\n| **F** | float | f |No|\n| **B1** | boolean | b |Yes|\n| **B2** | bool | b |No|\n| **O** | object | o |No|\n| **L** | array[string] | l |No|\n| **LI** | array[int] | l |No|";
    let op = ok(&doc(rows, "", "")).operation;
    let got: Vec<(&str, &Type, bool)> = op.request.iter().map(|f| (f.wire_name.as_str(), &f.ty, f.required)).collect();
    let list = |t: Type| Type::List(Box::new(t));
    assert_eq!(
        got,
        vec![
            ("S", &Type::String, true),
            ("I", &Type::Int, false),
            ("F", &Type::Float, false),
            ("B1", &Type::Bool, true),
            ("B2", &Type::Bool, false),
            ("O", &Type::Json, false),
            ("L", &list(Type::String), false),
            ("LI", &list(Type::Int), false),
        ]
    );
    assert!(op.request.iter().all(|f| f.location == Location::Form));
}

#[test]
fn public_parameters_and_protocol_response_fields_are_not_operation_fields() {
    let op = ok(&doc("| **Id** | string | 标识 |No|", "| **Total** | int | 总数 |No|", "")).operation;
    assert_eq!(op.request.iter().map(|f| f.wire_name.as_str()).collect::<Vec<_>>(), ["Id"]);
    let Response::Fields { fields } = &op.response else { panic!() };
    assert_eq!(fields.iter().map(|f| f.wire_name.as_str()).collect::<Vec<_>>(), ["Total"]);
}

#[test]
fn dotted_and_indexed_names_become_nested_lists_and_groups() {
    let rows = "| **NodeId.N** | string | 节点 |**Yes**|\n| **RuleSet.N.MetricID** | int | 指标 |**Yes**|\n| **RuleSet.N.Level** | string | 级别 |No|\n| **HealthCheckConfig.Port** | int | 端口 |No|\n| **Filter.Levels.N** | string | 级别 |No|\n| **A.N.B.N.C** | string | 深 |No|";
    let op = ok(&doc(rows, "", "")).operation;
    let by = |name: &str| op.request.iter().find(|f| f.wire_name == name).expect(name).clone();

    assert_eq!(by("NodeId").ty, Type::List(Box::new(Type::String)));
    assert!(by("NodeId").required);

    let rule_set = by("RuleSet");
    // No row names the group: it is optional, and says so; its member's **Yes** stays the member's.
    assert!(!rule_set.required, "a group without a row of its own is optional");
    assert_eq!(rule_set.requiredness, Requiredness::Inferred);
    assert_eq!(by("NodeId").requiredness, Requiredness::Documented);
    let Type::List(inner) = &rule_set.ty else { panic!("{:?}", rule_set.ty) };
    let Type::Group(members) = inner.as_ref() else { panic!() };
    assert_eq!(
        members.iter().map(|f| (f.wire_name.as_str(), f.required)).collect::<Vec<_>>(),
        [("MetricID", true), ("Level", false)]
    );
    assert!(members.iter().all(|f| f.location == Location::Member));

    let Type::Group(hc) = &by("HealthCheckConfig").ty else { panic!() };
    assert_eq!((hc[0].wire_name.as_str(), &hc[0].ty), ("Port", &Type::Int));

    let Type::Group(filter) = &by("Filter").ty else { panic!() };
    assert_eq!(filter[0].ty, Type::List(Box::new(Type::String)));

    let Type::List(a) = &by("A").ty else { panic!() };
    let Type::Group(a_members) = a.as_ref() else { panic!() };
    let Type::List(b) = &a_members[0].ty else { panic!() };
    let Type::Group(b_members) = b.as_ref() else { panic!() };
    assert_eq!((b_members[0].wire_name.as_str(), &b_members[0].ty), ("C", &Type::String));
}

#[test]
fn lowercase_index_is_accepted() {
    let op = ok(&doc("| **MetricName.n** | string | 指标 |No|", "", "")).operation;
    assert_eq!(op.request[0].ty, Type::List(Box::new(Type::String)));
}

#[test]
fn conflicting_dotted_names_are_errors_with_lines() {
    let src = doc("| **A** | string | a |No|\n| **A.B** | string | b |No|", "", "");
    let errs = errors(&src);
    assert_eq!(errs[0].line, line_of(&src, "**A.B**"));
    assert!(errs[0].message.contains("conflicts"), "{}", errs[0].message);
}

#[test]
fn duplicate_rows_warn_and_keep_the_first() {
    let src = doc(
        "| **Master.N.Zone** | string | 区 |**Yes**|\n| **Master.N.Zone** | string | 区 |**Yes**|",
        "| **X** | int | x |No|\n| **X** | int | x |No|",
        "",
    );
    let p = ok(&src);
    assert_eq!(p.operation.request.len(), 1);
    let Type::List(inner) = &p.operation.request[0].ty else { panic!() };
    assert!(matches!(inner.as_ref(), Type::Group(m) if m.len() == 1));
    assert_eq!(p.warnings.iter().filter(|w| w.message.contains("duplicate row")).count(), 2);
}

#[test]
fn models_resolve_by_anchor_with_their_fields() {
    let models = "#### 数据模型\n\n\n#### ImageInfo\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **ImageId** | string | 镜像ID |No|\n| **Deploy** | array[[*DeployInfo*](#DeployInfo)] | 部署 |No|\n\n#### DeployInfo\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **State** | int | 状态 |No|\n";
    let p = ok(&doc("", "| **ImageList** | array[[*ImageInfo*](#ImageInfo)] | 镜像 |No|\n| **One** | [*DeployInfo*](#DeployInfo) | 单个 |No|", models));
    let op = &p.operation;
    assert_eq!(
        op.models.iter().map(|m| (m.name.as_str(), m.fields.len())).collect::<Vec<_>>(),
        [("ImageInfo", 2), ("DeployInfo", 1)]
    );
    let Response::Fields { fields } = &op.response else { panic!() };
    assert_eq!(fields[0].ty, Type::List(Box::new(Type::Model("ImageInfo".into()))));
    assert_eq!(fields[1].ty, Type::Model("DeployInfo".into()));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn model_name_and_anchor_disagreeing_uses_the_anchor_and_warns() {
    let models = "#### 数据模型\n\n#### RuleCondition\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **X** | string | x |No|\n";
    let src = doc("", "| **Rules** | array[[*RuleAction*](#RuleCondition)] | r |No|", models);
    let p = ok(&src);
    let Response::Fields { fields } = &p.operation.response else { panic!() };
    assert_eq!(fields[0].ty, Type::List(Box::new(Type::Model("RuleCondition".into()))));
    let w = &p.warnings[0];
    assert_eq!((w.severity, w.line), (Severity::Warning, line_of(&src, "**Rules**")));
    assert!(w.message.contains("anchor `RuleCondition` is used"));
}

#[test]
fn missing_model_keeps_raw_json_with_a_warning() {
    let src = doc("", "| **Data** | [*Nowhere*](#Nowhere) | d |No|", "");
    let p = ok(&src);
    let Response::Fields { fields } = &p.operation.response else { panic!() };
    assert_eq!(fields[0].ty, Type::Json);
    assert!(p.warnings[0].message.contains("not defined"));
}

#[test]
fn empty_tables_are_documented_behaviour() {
    let models = "#### 数据模型\n\n#### Empty\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n";
    let p = ok(&doc("", "| **E** | [*Empty*](#Empty) | e |No|", models));
    assert!(p.operation.request.is_empty(), "an empty request table means no parameters");
    assert_eq!(p.operation.models[0].fields.len(), 0);
    assert!(p.warnings.iter().any(|w| w.message.contains("empty table")));
}

#[test]
fn request_side_models_are_inlined_as_groups() {
    let src = "# 更新 - UpdateBackendBatch\n\n## 定义\n\n### 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **Attributes** | array[[*Attr*](#Attr)] | 属性 |**Yes**|\n\n#### 数据模型\n\n#### Attr\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **Port** | int | 端口 |No|\n\n### 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **RetCode** | int | 码 |**Yes**|\n";
    let op = ok(src).operation;
    assert!(op.models.is_empty());
    let Type::List(inner) = &op.request[0].ty else { panic!() };
    assert!(matches!(inner.as_ref(), Type::Group(m) if m[0].wire_name == "Port"));
}

#[test]
fn a_table_running_into_the_model_marker_is_still_split() {
    let src = doc("", "| **List** | array[[*M*](#M)] | l |No|", "").replace(
        "\n\n## 示例",
        "#### 数据模型\n#### M\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **X** | int | x |No|\n\n## 示例",
    );
    let op = ok(&src).operation;
    assert_eq!(op.models.len(), 1);
}

#[test]
fn non_model_tables_under_model_headings_are_skipped_with_a_warning() {
    let models = "#### ResourceType:uhost\n\n| 参数 | 描述信息 | 单位 |\n|---|---|---|\n| cpu | CPU | % |\n";
    let p = ok(&doc("", "", models));
    assert!(p.operation.models.is_empty());
    assert!(p.warnings[0].message.contains("not a model table"));
}

#[test]
fn unknown_type_names_file_line_and_expectation() {
    let src = doc("| **X** | long | x |No|", "", "");
    let errs = errors(&src);
    assert_eq!(errs[0].file, PathBuf::from("t.md"));
    assert_eq!(errs[0].line, line_of(&src, "**X**"));
    assert!(errs[0].message.contains("unknown type `long`; expected string, int"));
    assert!(errs[0].to_string().starts_with(&format!("t.md:{}: error:", errs[0].line)));
}

#[test]
fn bad_required_cell_and_bad_header_are_errors() {
    let src = doc("| **X** | string | x | maybe |", "", "");
    assert!(errors(&src)[0].message.contains("`**Yes**` or `No`"));
    let src = doc("", "", "")
        .replace("| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\n", "| 名 | 类型 |\n|---|---|\n\n");
    assert!(errors(&src).iter().any(|e| e.message.contains("expected table columns")));
}

#[test]
fn escaped_pipes_and_line_breaks_stay_in_descriptions() {
    let op = ok(&doc("| **Rule** | string | a\\|b<br />c |No|", "", "")).operation;
    assert_eq!(op.request[0].description, "a|b\nc");
}

#[test]
fn missing_sections_are_errors() {
    let src = "# 测试 - DescribeThing\n\n### 请求参数\n\n### 响应字段\n\n";
    let errs = errors(src);
    assert_eq!(errs.len(), 2);
    assert!(errs[0].message.contains("expected a table under `### 请求参数`"));
}

#[test]
fn only_read_verbs_make_an_action_read_only() {
    for read in ["DescribeUHostInstance", "GetUvodnImage", "ListUHost", "CheckName", "QueryJob", "Get"] {
        assert!(access(read).read_only, "{read}");
    }
    // Every other verb may change state, the unknown and the destructive alike.
    for write in ["CreateUHostInstance", "RestartUvodnNode", "DeleteUvodnNode", "PoweroffUvodnNode", "FrobnicateX"] {
        assert!(!access(write).read_only, "{write}");
    }
    assert!(!access("Getaway").read_only, "a verb must end at a word boundary");
    assert_eq!(access("RestartUvodnNode").reason, "`Restart…` is not a read verb");
    assert_eq!(access("DescribeUvodnNode").reason, "`Describe…` actions only read");
    assert!(!access("USAGetThing").read_only, "the verb starts the action");
}

#[test]
fn offset_limit_and_total_count_make_a_paginated_operation() {
    let models = "#### 数据模型\n\n#### M\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **X** | int | x |No|\n";
    let op = ok(&doc(
        "| **Offset** | int | o |No|\n| **Limit** | int | l |No|",
        "| **List** | array[[*M*](#M)] | l |No|\n| **TotalCount** | int | t |No|",
        models,
    ))
    .operation;
    assert_eq!(
        op.pagination,
        Some(Pagination::OffsetLimit {
            offset: "Offset".into(),
            limit: "Limit".into(),
            items: "List".into(),
            total: "TotalCount".into()
        })
    );
    let op = ok(&doc("| **Offset** | int | o |No|", "| **TotalCount** | int | t |No|", "")).operation;
    assert_eq!(op.pagination, None);
}

#[test]
fn seed_get_uvodn_image_end_to_end() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/ucloud-uodn/get_uvodn_image.md");
    let text = std::fs::read_to_string(&path).expect("seed spec");
    let parsed =
        crate::dialect::parse_doc(Path::new("specs/ucloud-uodn/get_uvodn_image.md"), &text, None).expect("seed parses");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let op = &parsed.operation;
    assert_eq!(op.name, "GetUvodnImage");
    assert_eq!(
        op.request.iter().map(|f| f.wire_name.as_str()).collect::<Vec<_>>(),
        ["ProjectId", "ImageType", "Offset", "Limit"]
    );
    let Response::Fields { fields } = &op.response else { panic!() };
    assert_eq!(fields.iter().map(|f| f.wire_name.as_str()).collect::<Vec<_>>(), ["ImageList", "TotalCount"]);
    assert_eq!(fields[0].ty, Type::List(Box::new(Type::Model("ImageInfo".into()))));
    let image_info = &op.models[0];
    assert_eq!(image_info.name, "ImageInfo");
    assert_eq!(image_info.fields.len(), 9);
    let deploy = image_info.fields.iter().find(|f| f.wire_name == "DeployInfoList").expect("DeployInfoList");
    assert_eq!(deploy.ty, Type::List(Box::new(Type::Model("DeployImageInfo".into()))));
    assert_eq!(op.models[1].name, "DeployImageInfo");
    assert_eq!(
        op.models[1].fields.iter().map(|f| (f.wire_name.as_str(), &f.ty)).collect::<Vec<_>>(),
        [("IdcId", &Type::String), ("State", &Type::Int)]
    );
    assert!(matches!(op.pagination, Some(Pagination::OffsetLimit { .. })));
    insta::assert_json_snapshot!("get_uvodn_image_ir", op);
}
