//! Unit tests of what the golden cases (`test_data/codegen`, always strict) cannot show: non-strict generation
//! and writing or checking files. Generated code itself is tested by the goldens.

use super::*;
use crate::dialect::parse_doc;

fn demo_spec() -> CrateSpec {
    CrateSpec {
        crate_name: "demo".into(),
        spec_dir: PathBuf::from("specs/demo"),
        out_dir: PathBuf::from("/nonexistent"),
        spec_label: "specs/demo".into(),
        runtime: RuntimeDep::Workspace,
        standalone: false,
    }
}

/// A minimal UCloud doc for `action`, with one response field.
fn ucloud_doc(action: &str, field: &str) -> String {
    format!(
        "# 文档 - {action}\n\n### 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **Region** | string | 地域 |No|\n\n### 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **RetCode** | int | 码 |**Yes**|\n| **{field}** | string | 值 |No|\n"
    )
}

fn load_docs(docs: &[(&str, String)]) -> Loaded {
    let mut loaded = Loaded::default();
    for (file, src) in docs {
        match parse_doc(Path::new(file), src, None) {
            Ok(parsed) => loaded.parsed.push(parsed),
            Err(rejection) => loaded.rejected.push(rejection),
        }
    }
    loaded
}

#[test]
fn non_strict_generation_skips_unsupported_and_invalid_docs_and_lists_them() {
    let mut loaded = load_docs(&[
        ("specs/demo/get_thing.md", ucloud_doc("GetThing", "Value")),
        ("specs/demo/copy.md", "## 复制文件 - Copy\n### 句法（Syntax）:\n".into()),
    ]);
    loaded.rejected.push(Rejection::Invalid {
        errors: vec![crate::diag::Diagnostic::error(Path::new("specs/demo/broken.md"), 3, "expected a table")],
    });
    let generated = generate(&demo_spec(), &loaded, false).expect("the supported doc generates");
    let paths: Vec<String> = generated.files.iter().map(|f| f.path.display().to_string()).collect();
    assert_eq!(paths, ["Cargo.toml", "README.md", "docbind.toml", "src/get_thing.rs", "src/lib.rs"]);
    let skipped: Vec<String> = generated.skipped.iter().map(Rejection::to_string).collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].starts_with("specs/demo/copy.md: unsupported: a hand-written REST page"));
    assert_eq!(skipped[1], "specs/demo/broken.md:3: error: expected a table");

    // Strict: both kinds fail the crate, and nothing is generated.
    let err = generate(&demo_spec(), &loaded, true).unwrap_err().to_string();
    assert!(err.contains("2 doc(s) in specs/demo did not parse"), "{err}");
    assert!(err.contains("copy.md") && err.contains("broken.md:3"), "{err}");

    // Nothing supported at all is an error either way.
    let only_rejected = Loaded { rejected: loaded.rejected.clone(), ..Default::default() };
    assert!(generate(&demo_spec(), &only_rejected, false).is_err());
}

/// A minimal Finovy doc calling `method`.
fn finovy_doc(method: &str) -> String {
    format!(
        "# 测试\n\n### 1.接口描述\n接口请求地址：`{method}` `/v1/open/x`\n\n### 2.输入参数\n\n| 参数名称 | 描述 | 是否必选 | 类型 | Location |\n|---|---|---|---|---|\n| name | 名称 | no | string | query |\n"
    )
}

#[test]
fn a_doc_code_generation_cannot_express_is_left_out_with_its_line_or_fails_the_crate() {
    let loaded =
        load_docs(&[("specs/demo/1.get.md", finovy_doc("GET")), ("specs/demo/2.probe.md", finovy_doc("HEAD"))]);
    assert!(loaded.rejected.is_empty(), "{:?}", loaded.rejected);
    let generated = generate(&demo_spec(), &loaded, false).expect("the GET doc generates");
    assert_eq!(generated.operations.len(), 1);
    let skipped: Vec<String> = generated.skipped.iter().map(Rejection::to_string).collect();
    let message = "specs/demo/2.probe.md:1: operation probe: unsupported HTTP method `HEAD`; expected GET, POST, PUT, \
                   DELETE or PATCH";
    assert_eq!(skipped, [message]);

    match generate(&demo_spec(), &loaded, true) {
        Err(GenerateError::Operation(e)) => {
            assert_eq!((e.operation.as_str(), e.line), ("probe", 1));
            assert_eq!(*e.kind, CodegenErrorKind::UnsupportedMethod("HEAD".into()));
            assert_eq!(e.to_string(), message);
        }
        other => panic!("expected the operation's error, got {other:?}"),
    }
}

#[test]
fn a_crate_name_that_is_not_an_identifier_is_refused() {
    let loaded = load_docs(&[("specs/demo/get_thing.md", ucloud_doc("GetThing", "Value"))]);
    for name in ["x;std::process::abort()", "a b", "", "1st", "-x", "名称", "x\n[workspace]"] {
        let spec = CrateSpec { crate_name: name.into(), ..demo_spec() };
        let err = generate(&spec, &loaded, true).expect_err(name).to_string();
        assert!(err.contains("is not a valid crate name"), "{err}");
    }
    let spec = CrateSpec { crate_name: "ucloud-vpc2_0".into(), ..demo_spec() };
    assert!(generate(&spec, &loaded, true).is_ok());
}
