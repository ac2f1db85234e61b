//! Issue 18's "vendor text is data", end to end: the `docbind` binary generates one crate from a folder of hostile
//! docs (fences in cells and summaries, HTML, control and bidi characters, a folder and file names with newlines,
//! operations and models named like Rust's and the crate's own names); the crate passes `cargo check` without a
//! warning, `cargo test` runs only the doctests docbind wrote, and none of the code the docs hold ever ran.

mod common;

use common::{docbind, fresh_dir, repo_root};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// A UCloud doc of `action`, whose title, summary and description cells carry `hostile` text; `response` adds
/// response rows (and `models` model sections) after the protocol's own.
fn doc(title: &str, action: &str, summary: &str, hostile: &[&str], response: &str, models: &str) -> String {
    let rows: String =
        hostile.iter().enumerate().map(|(i, text)| format!("| **Param{i}** | string | {text} |No|\n")).collect();
    format!(
        "# {title} - {action}\n\n## 简介\n\n{summary}\n\n## 定义\n\n### 请求参数\n\n\
         | 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **Id** | string | 资源ID |**Yes**|\n{rows}\n\
         ### 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
         | **RetCode** | int | 返回状态码 |**Yes**|\n| **Action** | string | 操作指令名称 |**Yes**|\n{response}\n{models}"
    )
}

/// Builds in the target dir drop_in.rs keeps (docbind-runtime's dependencies are built once for both). Offline: the
/// runtime is this checkout's, by path, and the lockfile this checkout's.
#[test]
fn hostile_docs_generate_a_crate_that_builds_and_runs_none_of_their_text() {
    let started = Instant::now();
    let scratch = fresh_dir("hostile-docs");
    let markers = scratch.join("markers");
    std::fs::create_dir_all(&markers).expect("writable");
    // What a doctest made of doc text would do: leave a marker.
    let write = |name: &str| format!("std::fs::write(r\"{}\", \"\").unwrap();", markers.join(name).display());

    // The folder's name would add a dependency table to Cargo.toml, and a line to every header.
    let docs = scratch.join("docs\n[target.'cfg(all())'.dependencies]\nhostile = \"1\"\r\u{202E}");
    std::fs::create_dir_all(&docs).expect("a folder name may hold newlines");
    let summary = format!(
        "文字只是数据。\n\\~~~\n{}\n\\~~~\n\\`\\`\\`\n{}\n\\`\\`\\`\n\n    {}",
        write("summary-tilde"),
        write("summary-backtick"),
        write("summary-indented")
    );
    let cells = [
        format!("名称<br>~~~<br>{}<br>~~~", write("cell-tilde")),
        format!("名称<br>```rust<br>{}<br>```", write("cell-backtick")),
        format!("列表<br>- ~~~<br>  {}<br>-     {}", write("cell-list"), write("cell-list-indented")),
        format!("<pre>{}</pre> <script>alert(1)</script> [a]: https://example.com", write("cell-pre")),
        format!("回车&#13;~~~&#13;{}&#13;~~~", write("cell-cr")),
        "方向&#x202E;覆盖&#x2066;隔离&#1;控制".to_string(),
    ];
    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
    let files = [
        // A file name that would be a line of Rust in the module's header, and a doctest in its docs (a file name
        // holds no `/`, so no marker path: this one fails the build or the doctest instead).
        (
            "describe_hostile\n```\npanic!(\"the file name ran\");\n```\n.md".to_string(),
            doc("恶意 ```", "DescribeHostile", &summary, &cells, "", ""),
        ),
        ("lib.md".to_string(), doc("库", "Lib", "", &[], "", "")),
        ("runtime.md".to_string(), doc("运行时", "Runtime", "", &[], "", "")),
        ("self\r.md".to_string(), doc("自身", "Self", "", &[], "", "")),
        ("main.md".to_string(), doc("入口", "Main", "", &[], "", "")),
        (
            "type.md".to_string(),
            doc(
                "类型",
                "Type",
                "",
                &[],
                "| **Option** | [*Option*](#Option) | 选项 |No|\n| **Results** | array[[*Result*](#Result)] | 结果 |No|\n\
                 | **Text** | [*String*](#String) | 文本 |No|\n| **Items** | array[[*Vec*](#Vec)] | 列表 |No|\n",
                "#### 数据模型\n\n#### Option\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
                 | **Name** | string | 名称 |No|\n\n#### Result\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
                 | **Text** | [*String*](#String) | 文本 |No|\n\n#### String\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n\
                 |:---|:---|:---|:---|\n| **Value** | string | 值 |No|\n\n#### Vec\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n\
                 |:---|:---|:---|:---|\n| **Len** | int | 长度 |No|\n",
            ),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(docs.join(name), text).expect("a file name may hold newlines");
    }

    let runtime = repo_root().join("crates/docbind-runtime").display().to_string();
    let docs_arg = docs.display().to_string();
    docbind(
        &scratch,
        &[
            "generate",
            "--strict",
            "--standalone",
            "--spec-dir",
            &docs_arg,
            "--out",
            "hostile",
            "--runtime-path",
            &runtime,
        ],
    );
    let krate = scratch.join("hostile");
    let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).expect("generated");
    assert!(!manifest.lines().any(|l| l.starts_with("[target") || l.starts_with("hostile")), "{manifest}");
    let mut modules: Vec<String> = std::fs::read_dir(krate.join("src"))
        .expect("generated")
        .map(|e| e.expect("readable").file_name().to_string_lossy().into_owned())
        .collect();
    modules.sort();
    let expected =
        ["blocking.rs", "describe_hostile.rs", "lib.rs", "lib_.rs", "main_.rs", "runtime_.rs", "self_.rs", "type_.rs"];
    assert_eq!(modules, expected);
    std::fs::copy(repo_root().join("Cargo.lock"), krate.join("Cargo.lock")).expect("Cargo.lock copied");

    // drop_in.rs's target dir: the outer `cargo test` holds the lock of its own.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docbind-cli-drop-in-target");
    let cargo = |args: &[&str]| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .current_dir(&krate)
            .args(args)
            .arg("--offline")
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        );
        assert!(output.status.success(), "cargo {args:?} failed in {}:\n{stdout}\n{stderr}", krate.display());
        (stdout, stderr)
    };
    let (_, checked) = cargo(&["check"]);
    assert!(!checked.contains("warning"), "cargo check warns:\n{checked}");
    let (tested, _) = cargo(&["test", "--doc"]);

    let left: Vec<_> =
        std::fs::read_dir(&markers).expect("readable").map(|e| e.expect("readable").file_name()).collect();
    assert!(left.is_empty(), "doc text ran as code and wrote {left:?}");
    // The doctests are docbind's: the README's example and one example per operation's method, nothing else.
    let doctests: Vec<&str> = tested.lines().filter(|l| l.starts_with("test ") && l.contains(" ... ")).collect();
    assert_eq!(doctests.len(), files.len() + 1, "{tested}");
    for test in &doctests {
        // The README is the crate docs of `src/lib.rs`.
        let ours = test.starts_with("test src/lib.rs - (line ") || test.contains("::Client::");
        assert!(ours, "a doctest docbind did not write: {test}\n{tested}");
    }
    println!("generated, checked and doc-tested in {:.0?}", started.elapsed());
}
