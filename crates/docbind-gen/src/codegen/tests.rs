//! Unit tests of what the golden cases (`test_data/codegen`, never skipping invalid docs) cannot show: skipping
//! invalid docs, and writing or checking files. Generated code itself is tested by the goldens.

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
fn skipping_invalid_docs_leaves_out_unsupported_and_invalid_docs_and_lists_them() {
    let mut loaded = load_docs(&[
        ("specs/demo/get_thing.md", ucloud_doc("GetThing", "Value")),
        ("specs/demo/copy.md", "## 复制文件 - Copy\n### 句法（Syntax）:\n".into()),
    ]);
    loaded.rejected.push(Rejection::Invalid {
        errors: vec![crate::diag::Diagnostic::error(Path::new("specs/demo/broken.md"), 3, "expected a table")],
    });
    let generated = generate(&demo_spec(), &loaded, InvalidDocs::Skip).expect("the supported doc generates");
    let paths: Vec<String> = generated.files.iter().map(|f| f.path.display().to_string()).collect();
    assert_eq!(
        paths,
        [
            "Cargo.toml",
            "README.md",
            "docbind-api.json",
            "docbind.toml",
            "src/blocking.rs",
            "src/get_thing.rs",
            "src/lib.rs"
        ]
    );
    let skipped: Vec<String> = generated.skipped.iter().map(Rejection::to_string).collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    // A REST page without its request line.
    assert!(skipped[0].starts_with("specs/demo/copy.md:1: error: no `Syntax` code block"), "{}", skipped[0]);
    assert_eq!(skipped[1], "specs/demo/broken.md:3: error: expected a table");

    // By default both kinds fail the crate, and nothing is generated.
    let err = generate(&demo_spec(), &loaded, InvalidDocs::Fail).unwrap_err().to_string();
    assert!(err.contains("2 API doc(s) in specs/demo did not parse"), "{err}");
    assert!(err.contains("copy.md") && err.contains("broken.md:3"), "{err}");

    // Nothing supported at all is an error either way.
    let only_rejected = Loaded { rejected: loaded.rejected.clone(), ..Default::default() };
    assert!(generate(&demo_spec(), &only_rejected, InvalidDocs::Skip).is_err());
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
    let generated = generate(&demo_spec(), &loaded, InvalidDocs::Skip).expect("the GET doc generates");
    assert_eq!(generated.operations.len(), 1);
    let skipped: Vec<String> = generated.skipped.iter().map(Rejection::to_string).collect();
    let message = "specs/demo/2.probe.md:1: operation probe: unsupported HTTP method `HEAD`; expected GET, POST, PUT, \
                   DELETE or PATCH";
    assert_eq!(skipped, [message]);

    match generate(&demo_spec(), &loaded, InvalidDocs::Fail) {
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
        let err = generate(&spec, &loaded, InvalidDocs::Fail).expect_err(name).to_string();
        assert!(err.contains("is not a valid crate name"), "{err}");
    }
    let spec = CrateSpec { crate_name: "ucloud-vpc2_0".into(), ..demo_spec() };
    assert!(generate(&spec, &loaded, InvalidDocs::Fail).is_ok());
}

/// The golden case shows UCloud beside Finovy; the error names whichever two vendors a folder mixes.
#[test]
fn a_folder_mixing_vendors_names_both() {
    let rest_page = include_str!("../../test_data/ufile/ok/rest_page.md").to_string();
    let loaded = load_docs(&[("specs/demo/a_get.md", ucloud_doc("AGet", "Value")), ("specs/demo/copy.md", rest_page)]);
    let err = generate(&demo_spec(), &loaded, InvalidDocs::Fail).expect_err("mixed").to_string();
    assert_eq!(err, "specs/demo: mixes UCloud and UFile docs (specs/demo/copy.md)");
}

/// A golden case folder, loaded as `cargo xtask codegen` loads `specs/`.
fn load_case(case: &str) -> Loaded {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    crate::load(&root, &[PathBuf::from(case)], None).expect("the case is readable")
}

#[test]
fn overlay_problems_fail_even_when_invalid_docs_are_skipped() {
    // A value of the wrong type (`read_only = "false"`): the overlay is not applied, so before, the operation was
    // generated read-only by its verb, and the overlay filed among the skipped docs.
    let loaded = load_case("overlay/err/read_only_string");
    assert!(loaded.rejected.is_empty(), "{:?}", loaded.rejected);
    match generate(&demo_spec(), &loaded, InvalidDocs::Skip) {
        Err(GenerateError::Overlay { errors, .. }) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            assert_eq!(lines, ["overlay/err/read_only_string/overlay.toml:4: error: invalid type: string \"false\", expected a boolean"]);
        }
        other => panic!("expected the overlay's error, got {other:?}"),
    }
    // Two enums of one name, and an enum named like a model: what code generation finds in the overlay is never a
    // doc to skip either, and names the overlay's line.
    for (case, line) in [("codegen/err/enum_values_conflict", 7), ("codegen/err/enum_named_like_model", 4)] {
        match generate(&demo_spec(), &load_case(case), InvalidDocs::Skip) {
            Err(GenerateError::Operation(e)) => {
                assert_eq!((e.file.clone(), e.line), (PathBuf::from(case).join("overlay.toml"), line), "{e}");
            }
            other => panic!("{case}: expected the overlay's error, got {other:?}"),
        }
    }
    // What the validation after corrections finds in the overlay, too.
    match generate(&demo_spec(), &load_case("codegen/err/total_count_string"), InvalidDocs::Skip) {
        Err(GenerateError::Overlay { errors, .. }) => assert_eq!(errors[0].line, 5, "{errors:?}"),
        other => panic!("expected the overlay's error, got {other:?}"),
    }
}

#[test]
fn pages_that_are_not_api_docs_never_fail_generation() {
    let loaded = load_case("codegen/err/rejected_docs");
    let notes: Vec<String> = loaded.not_api.iter().map(ToString::to_string).collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with("codegen/err/rejected_docs/error_code.md: note: skipped, not an API"), "{notes:?}");
    // The broken Action doc fails by default; skipped, the rest generates, and the error-code page is no rejection.
    assert!(matches!(generate(&demo_spec(), &loaded, InvalidDocs::Fail), Err(GenerateError::Rejected { .. })));
    let generated = generate(&demo_spec(), &loaded, InvalidDocs::Skip).expect("the valid doc generates");
    let skipped: Vec<String> = generated.skipped.iter().map(Rejection::to_string).collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].contains("broken_doc.md"), "{skipped:?}");
}
