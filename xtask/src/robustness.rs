//! Robustness tests: the whole doc corpus in `../shared/corpus`, and mutated docs from proptest.

use crate::diag::Rejection;
use crate::dialect::parse_doc;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    crate::repo_root().join("../shared/corpus")
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Independent of the parser: a UCloud page in the generated template has exactly these two headings.
fn is_generated_ucloud_template(text: &str) -> bool {
    let has = |h: &str| text.lines().any(|l| l.trim_end() == h);
    has("### 请求参数") && has("### 响应字段")
}

/// Independent of the parser: a Finovy endpoint page declares its request line.
fn is_finovy_endpoint(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("###") && l.contains("接口描述")) && text.contains("接口请求地址")
}

#[test]
fn every_corpus_doc_yields_ir_or_a_diagnostic() {
    let dir = corpus_dir();
    if !dir.exists() {
        // CI always has ../shared; a checkout without it cannot run this test, and says so.
        eprintln!("corpus not found at {}; skipping", dir.display());
        return;
    }
    let mut tally = std::collections::BTreeMap::<&str, [usize; 4]>::new();
    let mut failures = Vec::new();
    for (family, sub) in [("ucloud", "ucloud"), ("finovy", "finovy")] {
        for file in markdown_files(&dir.join(sub)) {
            let text = std::fs::read_to_string(&file).expect("corpus docs are UTF-8");
            let expected_ok = match family {
                "ucloud" => is_generated_ucloud_template(&text),
                _ => is_finovy_endpoint(&text),
            };
            let result = std::panic::catch_unwind(|| parse_doc(&file, &text, None));
            let counts = tally.entry(family).or_default();
            counts[0] += 1;
            match result {
                Err(_) => failures.push(format!("{}: PANIC", file.display())),
                Ok(Ok(_)) if expected_ok => counts[1] += 1,
                Ok(Err(Rejection::Unsupported { reason, .. })) if !expected_ok => {
                    assert!(!reason.contains('\n'));
                    counts[2] += 1;
                }
                Ok(Err(Rejection::Invalid { errors })) if !expected_ok => {
                    assert!(errors.iter().all(|e| e.file == file && !e.message.is_empty()));
                    counts[3] += 1;
                }
                Ok(Ok(_)) => failures.push(format!("{}: parsed, but is not a supported template", file.display())),
                Ok(Err(e)) => failures.push(format!("{e}")),
            }
        }
    }
    for (family, [docs, ok, unsupported, invalid]) in &tally {
        println!("corpus {family}: {docs} docs, {ok} yield IR, {unsupported} unsupported, {invalid} invalid");
    }
    assert!(tally.get("ucloud").is_some_and(|t| t[1] > 1000), "the UCloud corpus should yield over 1000 operations");
    assert!(failures.is_empty(), "{} corpus docs misbehaved:\n{}", failures.len(), failures.join("\n"));
}

fn seed(path: &str) -> String {
    std::fs::read_to_string(crate::repo_root().join(path)).expect("seed spec")
}

/// Mutations of a doc, one line at a time: delete, duplicate, swap with the next, truncate, replace by junk.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize),
    Truncate(usize, usize),
    Junk(usize, String),
    Cell(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Duplicate),
        any::<usize>().prop_map(Mutation::Swap),
        (any::<usize>(), any::<usize>()).prop_map(|(l, c)| Mutation::Truncate(l, c)),
        (any::<usize>(), "\\PC{0,40}").prop_map(|(l, s)| Mutation::Junk(l, s)),
        (
            any::<usize>(),
            prop_oneof![
                Just("| **X.N.N** | array[array[int]] | x | maybe |".to_string()),
                Just("| **A.B** | [*Nope*](#Nope) | x |No|".to_string()),
                Just("| | | | |".to_string()),
                Just("| **Y** |".to_string()),
                Just("#### 数据模型".to_string()),
                Just("### 响应字段".to_string()),
                Just("| a | b | c | d | e | f |".to_string()),
                Just("```json".to_string()),
                "[|*#`\\\\.N <>\\[\\]a-z]{0,30}",
            ]
        )
            .prop_map(|(l, s)| Mutation::Cell(l, s)),
    ]
}

fn apply(doc: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = doc.lines().map(str::to_string).collect();
    for m in mutations {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match m {
            Mutation::Delete(i) => {
                lines.remove(i % n);
            }
            Mutation::Duplicate(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::Swap(i) => lines.swap(i % n, (i % n + 1) % n),
            Mutation::Truncate(i, c) => {
                let line = &mut lines[i % n];
                let cut = line.char_indices().map(|(b, _)| b).nth(c % (line.chars().count() + 1)).unwrap_or(line.len());
                line.truncate(cut);
            }
            Mutation::Junk(i, s) | Mutation::Cell(i, s) => lines[i % n] = s.clone(),
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_ucloud_docs_never_panic(mutations in proptest::collection::vec(mutation(), 1..8)) {
        let doc = apply(&seed("specs/ucloud-uodn/get_uvodn_image.md"), &mutations);
        for forced in [None, Some(crate::ir::Dialect::Ucloud), Some(crate::ir::Dialect::Finovy)] {
            if let Err(Rejection::Invalid { errors }) = parse_doc(Path::new("m.md"), &doc, forced) {
                prop_assert!(!errors.is_empty());
                prop_assert!(errors.iter().all(|e| e.line <= doc.lines().count() + 1));
            }
        }
    }

    #[test]
    fn mutated_finovy_docs_never_panic(mutations in proptest::collection::vec(mutation(), 1..8)) {
        let doc = apply(&seed("specs/finovy-image/get_list.md"), &mutations);
        for forced in [None, Some(crate::ir::Dialect::Finovy), Some(crate::ir::Dialect::Ucloud)] {
            let _ = parse_doc(Path::new("m.md"), &doc, forced);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_doc(Path::new("r.md"), &text, Some(crate::ir::Dialect::Ucloud));
        let _ = parse_doc(Path::new("r.md"), &text, Some(crate::ir::Dialect::Finovy));
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,400}") {
        let _ = parse_doc(Path::new("r.md"), &text, None);
        let _ = parse_doc(Path::new("r.md"), &text, Some(crate::ir::Dialect::Ucloud));
        let _ = parse_doc(Path::new("r.md"), &text, Some(crate::ir::Dialect::Finovy));
    }
}
