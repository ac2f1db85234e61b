//! Rust names for wire names: snake_case fields, UpperCamelCase types, keywords escaped, collisions numbered.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Strict and reserved keywords of Rust 2021 (they need `r#`).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait",
    "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];
/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "extern"];

/// `ImageId` → `image_id`, `Type` → `r#type`, `Finovy-Access-Token` → `finovy_access_token`.
pub fn field_name(wire: &str) -> String {
    thread_local!(static KNOWN: Known = Known::default());
    KNOWN.with(|known| {
        known.name(wire, |wire| {
            let mut snake = wire.to_snake_case();
            if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
                snake.insert_str(0, "field_");
            }
            snake
        })
    })
}

/// `imageInfo` → `ImageInfo`, `ULBPolicySet` → `UlbPolicySet`.
pub fn type_name(wire: &str) -> String {
    thread_local!(static KNOWN: Known = Known::default());
    KNOWN.with(|known| {
        known.name(wire, |wire| {
            let mut camel = wire.to_upper_camel_case();
            if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) {
                camel.insert(0, 'T');
            }
            if NOT_RAW.contains(&camel.as_str()) {
                camel.push('_');
            }
            camel
        })
    })
}

/// Names made so far on this thread, by wire name: the same wire names (`Region`, `ProjectId`, `RetCode`) recur in
/// operation after operation, and converting their case char by char was a visible share of a run.
#[derive(Default)]
struct Known(std::cell::RefCell<std::collections::HashMap<String, String>>);

impl Known {
    fn name(&self, wire: &str, make: impl FnOnce(&str) -> String) -> String {
        if let Some(name) = self.0.borrow().get(wire) {
            return name.clone();
        }
        let name = make(wire);
        self.0.borrow_mut().insert(wire.to_owned(), name.clone());
        name
    }
}

/// `GetUvodnImage` → `get_uvodn_image` (module and method names). ASCII only: a module's name is its file's
/// (`src/<module>.rs`), which rustc requires to be ASCII; other characters separate words, and a name with no
/// ASCII letter or digit is `operation`.
pub fn snake(name: &str) -> String {
    let ascii = ascii_words(name);
    if !ascii.contains(|c: char| c.is_ascii_alphanumeric()) {
        return "operation".into();
    }
    field_name(&ascii)
}

/// The stem of an operation's type names (`CreateListener` → `CreateListenerRequest`): ASCII UpperCamelCase,
/// without the trailing underscore a keyword gets (`Self` → `SelfRequest`).
pub fn type_stem(name: &str) -> String {
    let ascii = ascii_words(name);
    if !ascii.contains(|c: char| c.is_ascii_alphanumeric()) {
        return "Operation".into();
    }
    type_name(&ascii).trim_end_matches('_').to_string()
}

/// Whether `stem`, a doc's file stem, is its vendor's own snake_case of the operation `name`: lowercase ASCII
/// words joined by single underscores, spelling `name`'s letters and digits in order. UCloud names each page so
/// (`add_uk8s_uhost_node.md` for `AddUK8SUHostNode`, `attach_udisk.md` for `AttachUDisk`), with word breaks no
/// case rule finds; a stem that also holds anything else (`create_listener_json`, `_old`, `_v2`) is not one.
pub fn spells(stem: &str, name: &str) -> bool {
    let words_ok = !stem.is_empty()
        && stem.split('_').all(|w| !w.is_empty())
        && stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !stem.starts_with(|c: char| c.is_ascii_digit());
    let letters =
        |s: &str| -> Vec<u8> { s.bytes().filter(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_lowercase()).collect() };
    words_ok && name.is_ascii() && letters(stem) == letters(name)
}

/// `name` with every non-ASCII character a word separator.
fn ascii_words(name: &str) -> std::borrow::Cow<'_, str> {
    if name.is_ascii() {
        return name.into();
    }
    name.chars().map(|c| if c.is_ascii() { c } else { ' ' }).collect::<String>().into()
}

/// Why an operation cannot have `module` as its module and `Client` method name, if it cannot: what it would
/// collide with, and how that breaks the crate. Such a name gets a trailing underscore (`lib_`, `type_`).
pub fn reserved_module(module: &str) -> Option<&'static str> {
    Some(match module {
        "lib" => "the crate root's file, `src/lib.rs`",
        "main" => "`src/main.rs`, which Cargo would build as a binary",
        "runtime" => "the crate's `runtime` re-export and the method `Client::runtime`",
        "new" | "from_env" | "clone" => "a method every `Client` has",
        "waiters" => "the crate's `waiters` module",
        "blocking" => "the crate's `blocking` module (its blocking client)",
        "shared" => "the crate's `shared` module, of the types several operations share",
        "std" | "core" | "alloc" | "docbind_runtime" => "a crate generated code names by path",
        "self" | "super" | "crate" => "a path keyword, which cannot be a raw identifier",
        m if KEYWORDS.contains(&m) => "a Rust keyword",
        _ => return None,
    })
}

/// Why a model (or an overlay's name for one) cannot be `name`, if it cannot: generated modules name these
/// standard types, traits and variants without a path, so a struct of that name would shadow them. Such a model
/// gets `Model` appended (`String` → `StringModel`).
pub fn reserved_type(name: &str) -> Option<&'static str> {
    RESERVED_TYPES.contains(&name).then_some("a standard name generated code uses unqualified")
}

/// Standard names generated modules use without a path (`Option<String>`, `impl Into<String>`, `Box::pin`,
/// `+ Unpin`, `Some(..)`), and `Self`.
pub const RESERVED_TYPES: &[&str] =
    &["Box", "Option", "Result", "String", "Vec", "Into", "Unpin", "Some", "None", "Ok", "Err", "Self", "Self_"];

/// An identifier token, raw when the name is a keyword.
pub fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// Makes names unique within one scope by numbering repeats (`name`, `name_2`, …), in order.
/// A scope of type names numbers without the underscore (`Name`, `Name2`), which keeps them UpperCamelCase.
#[derive(Debug, Default)]
pub struct Scope {
    taken: Vec<String>,
    camel: bool,
}

impl Scope {
    pub fn with_reserved(names: &[&str]) -> Self {
        Scope { taken: names.iter().map(|s| s.to_string()).collect(), camel: false }
    }

    /// A scope of UpperCamelCase type names.
    pub fn types() -> Self {
        Scope { taken: Vec::new(), camel: true }
    }

    pub fn claim(&mut self, name: String) -> String {
        let mut candidate = name.clone();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = if self.camel { format!("{name}{n}") } else { format!("{name}_{n}") };
            n += 1;
        }
        self.taken.push(candidate.clone());
        candidate
    }
}

/// The Rust names chosen for one documented operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// Module and `Client` method.
    pub module: String,
    /// Stem of the request/response type names (`CreateListenerJson` → `CreateListenerJsonRequest`).
    pub type_base: String,
    /// Whether the name differs from the one the operation's own name gives (a documented twin, or a reserved
    /// name).
    pub renamed: bool,
    /// The reserved name this operation would have had, and what it collides with ([`reserved_module`]).
    pub reserved: Option<(String, &'static str)>,
    /// Set when the product index links a twin of this doc, and not this doc: the twin that keeps the name.
    pub indexed_twin: Option<IndexedTwin>,
    /// Another operation (not a doc of this one) whose name is spelled like this one's and that keeps it
    /// (`GetPHostDiskUpgradePrice` beside `GetPhostDiskUpgradePrice`): this one is numbered.
    pub collides_with: Option<String>,
}

/// The twin a product index links to, as the current doc of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedTwin {
    pub file: PathBuf,
    pub module: String,
}

/// Names the operations of one crate, given each one's name (UCloud Action, Finovy name) and doc file, and the
/// docs a product index (`index.md`, `_sidebar.md`) links to.
///
/// The rule (ARCHITECTURE.md, "Name collisions"): operations whose snake_case names differ keep them. When several
/// docs give the same name, the current one keeps it: the one the product index links to, or among several linked
/// (or none), the one whose file stem (without a Finovy `N.` prefix) equals that name, or if none or several do,
/// the first by file path. Each other doc is named after its file stem (`create_listener_json`), else, if its
/// twins live in other folders, after its folder and stem (`pveapi_get_list`), else the stem with a number
/// (`create_listener_json_2`): the first of these that neither an earlier module nor an earlier type stem holds.
/// The wire name never changes. The result is in input order and depends only on names, paths and links.
pub fn operation_names(ops: &[(&str, &Path)], linked: &BTreeSet<PathBuf>) -> Vec<Chosen> {
    // Each doc's file stem, once (the rules below compare every doc with every other).
    let stems: Vec<&str> = ops
        .iter()
        .map(|(_, path)| {
            let raw = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            let digits = raw.len() - raw.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits > 0 && raw[digits..].starts_with('.') {
                &raw[digits + 1..]
            } else {
                raw
            }
        })
        .collect();
    let stem = |i: usize| -> &str { stems[i] };
    // The vendor's own spelling, where a doc of the operation is named with it: of several, a linked one, then
    // the most compact (`add_uk8s_uhost_node` over `add_uk_8s_uhost_node`). (`load` already merged the docs of
    // one wire operation, keeping the doc this picks.)
    let plain: Vec<String> = ops
        .iter()
        .map(|(name, _)| {
            let spelled = (0..ops.len())
                .filter(|&j| ops[j].0 == *name)
                .filter(|&j| spells(stem(j), name))
                .min_by_key(|&j| (!linked.contains(ops[j].1), stem(j).matches('_').count(), stem(j)))
                .map(|j| stem(j).to_string());
            spelled.unwrap_or_else(|| snake(name))
        })
        .collect();
    let is_linked = |i: usize| linked.contains(ops[i].1);
    // Who keeps the plain name: among the linked twins if any, the only one, else the one whose stem is it, else
    // the first by path.
    let mut keeper = vec![0; ops.len()];
    for (i, keeper) in keeper.iter_mut().enumerate() {
        let twins: Vec<usize> = (0..ops.len()).filter(|&j| plain[j] == plain[i]).collect();
        let linked_twins: Vec<usize> = twins.iter().copied().filter(|&j| is_linked(j)).collect();
        let pool = if linked_twins.is_empty() { twins } else { linked_twins };
        let exact: Vec<usize> = pool.iter().copied().filter(|&j| stem(j) == plain[j]).collect();
        *keeper = match exact.as_slice() {
            [only] => *only,
            _ => pool.iter().copied().min_by(|&a, &b| ops[a].1.cmp(ops[b].1)).unwrap_or(i),
        };
    }
    let primary: Vec<bool> = (0..ops.len()).map(|i| keeper[i] == i).collect();
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by(|&a, &b| primary[b].cmp(&primary[a]).then(ops[a].1.cmp(ops[b].1)).then(a.cmp(&b)));

    let mut modules: Vec<String> = Vec::new();
    let mut bases: Vec<String> = Vec::new();
    let mut chosen = vec![None; ops.len()];
    for i in order {
        let mut candidates = vec![plain[i].clone()];
        if !primary[i] {
            let own = snake(stem(i));
            candidates = vec![own.clone()];
            let folder = |j: usize| ops[j].1.parent().and_then(|p| p.file_name()).and_then(|f| f.to_str());
            if (0..ops.len()).any(|j| plain[j] == plain[i] && folder(j) != folder(i)) {
                candidates.push(snake(&format!("{}_{own}", folder(i).unwrap_or_default())));
            }
        }
        // A reserved candidate is replaced by itself with a trailing underscore. So is the name of another
        // operation's page stream (`<module>_stream`, a `Client` method when that operation pages).
        let mut reserved = None;
        for candidate in &mut candidates {
            let stream = candidate.strip_suffix("_stream").is_some_and(|base| plain.iter().any(|p| p == base));
            let why = reserved_module(candidate)
                .or(stream.then_some("the page stream method of the operation named without `_stream`"));
            if let Some(why) = why {
                reserved.get_or_insert((candidate.clone(), why));
                candidate.push('_');
            }
        }
        // Type names spell the module's words (`add_uk8s_uhost_node` → `AddUk8sUhostNode`).
        let base_of = |m: &str| type_stem(m);
        let free = |m: &str| !modules.iter().any(|t| t == m) && !bases.contains(&base_of(m));
        let module = match candidates.iter().find(|c| free(c)) {
            Some(c) => c.clone(),
            None => (2..)
                .map(|n| format!("{}_{n}", candidates[0].trim_end_matches('_')))
                .find(|c| free(c))
                .unwrap_or_default(),
        };
        let type_base = base_of(&module);
        modules.push(module.clone());
        bases.push(type_base.clone());
        // Another operation, not a doc of this one, holds the plain name: both stay callable, and this one says so.
        let collides_with = (module != plain[i])
            .then(|| (0..ops.len()).find(|&j| ops[j].0 != ops[i].0 && plain[j] == plain[i] && keeper[i] == j))
            .flatten()
            .map(|j| ops[j].0.to_string());
        chosen[i] = Some(Chosen {
            renamed: module != plain[i],
            module,
            type_base,
            indexed_twin: None,
            reserved,
            collides_with,
        });
    }
    let mut chosen: Vec<Chosen> = chosen.into_iter().flatten().collect();
    for i in 0..chosen.len() {
        let k = keeper[i];
        if k != i && !is_linked(i) && is_linked(k) {
            chosen[i].indexed_twin =
                Some(IndexedTwin { file: ops[k].1.to_path_buf(), module: chosen[k].module.clone() });
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_become_rust_names() {
        assert_eq!(field_name("ImageId"), "image_id");
        assert_eq!(field_name("imageId"), "image_id");
        assert_eq!(field_name("Finovy-Access-Token"), "finovy_access_token");
        assert_eq!(field_name("UHostId"), "u_host_id");
        assert_eq!(type_name("imageInfo"), "ImageInfo");
        assert_eq!(type_name("ULBPolicySet"), "UlbPolicySet");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("image_id").to_string(), "image_id");
    }

    #[test]
    fn scopes_number_collisions_in_order() {
        let mut scope = Scope::with_reserved(&["extra"]);
        assert_eq!(scope.claim("extra".into()), "extra_2");
        assert_eq!(scope.claim("a".into()), "a");
        assert_eq!(scope.claim("a".into()), "a_2");
    }

    fn chosen(ops: &[(&str, &str)]) -> Vec<(String, String, bool)> {
        chosen_linked(ops, &[]).into_iter().map(|c| (c.module, c.type_base, c.renamed)).collect()
    }

    fn chosen_linked(ops: &[(&str, &str)], linked: &[&str]) -> Vec<Chosen> {
        let ops: Vec<(&str, &Path)> = ops.iter().map(|(n, f)| (*n, Path::new(*f))).collect();
        operation_names(&ops, &linked.iter().map(PathBuf::from).collect())
    }

    fn c(module: &str, base: &str, renamed: bool) -> (String, String, bool) {
        (module.into(), base.into(), renamed)
    }

    #[test]
    fn distinct_operations_keep_their_names() {
        assert_eq!(
            chosen(&[("GetUvodnImage", "a/x.md"), ("CreateULBPolicy", "a/y.md")]),
            [c("get_uvodn_image", "GetUvodnImage", false), c("create_ulb_policy", "CreateUlbPolicy", false)]
        );
    }

    #[test]
    fn the_doc_named_like_the_action_keeps_it_and_twins_take_their_file_stems() {
        // ulb-api: describe_loadBalancers.md, describe_load_balancers.md and describe_load_balancers_json.md.
        assert_eq!(
            chosen(&[
                ("DescribeLoadBalancers", "ulb/describe_loadBalancers.md"),
                ("DescribeLoadBalancers", "ulb/describe_load_balancers.md"),
                ("DescribeLoadBalancers", "ulb/describe_load_balancers_json.md"),
            ]),
            [
                // Its stem's snake_case is the name it would have had: numbered.
                c("describe_load_balancers_2", "DescribeLoadBalancers2", true),
                c("describe_load_balancers", "DescribeLoadBalancers", false),
                c("describe_load_balancers_json", "DescribeLoadBalancersJson", true),
            ]
        );
    }

    #[test]
    fn twins_whose_stems_differ_only_in_underscores_get_numbers() {
        // uk8s: create_uk8s_cluster.md vs create_uk_8s_cluster.md. The first is the Action's snake_case; the
        // second's stem is free as a module but not as a type stem (`CreateUk8sCluster`), so it is numbered.
        assert_eq!(
            chosen(&[
                ("CreateUK8SCluster", "k/create_uk8s_cluster.md"),
                ("CreateUK8SCluster", "k/create_uk_8s_cluster.md")
            ]),
            [
                c("create_uk8s_cluster", "CreateUk8sCluster", false),
                c("create_uk_8s_cluster_2", "CreateUk8sCluster2", true)
            ]
        );
    }

    #[test]
    fn without_an_exact_stem_the_first_path_keeps_the_name() {
        assert_eq!(
            chosen(&[("DeleteThing", "p/delete_thing_v2.md"), ("DeleteThing", "p/delete_thing_old.md")]),
            [c("delete_thing_v2", "DeleteThingV2", true), c("delete_thing", "DeleteThing", false)]
        );
    }

    #[test]
    fn finovy_twins_fall_back_to_folder_then_number() {
        assert_eq!(
            chosen(&[
                ("getList", "f/a/1.getList.md"),
                ("getList", "f/b/1.getList.md"),
                ("getList", "f/b/2.getList.md")
            ]),
            [c("get_list", "GetList", false), c("b_get_list", "BGetList", true), c("get_list_2", "GetList2", true)]
        );
    }

    #[test]
    fn the_twin_the_product_index_links_keeps_the_name() {
        // Finovy: two pages with the same stem, of which the index links the second (load merges UCloud's docs of
        // one Action before naming; pages of one Finovy name may be different endpoints).
        let ops = [("getList", "f/a/1.getList.md"), ("getList", "f/b/1.getList.md")];
        let got = chosen_linked(&ops, &["f/b/1.getList.md", "f/other.md"]);
        assert_eq!((got[1].module.as_str(), got[1].renamed, &got[1].indexed_twin), ("get_list", false, &None));
        assert_eq!((got[0].module.as_str(), got[0].type_base.as_str()), ("a_get_list", "AGetList"));
        let twin = IndexedTwin { file: "f/b/1.getList.md".into(), module: "get_list".into() };
        assert_eq!(got[0].indexed_twin, Some(twin));
        // Without links the first by path keeps it, and nobody is said to be unlinked.
        let got = chosen_linked(&ops, &[]);
        assert_eq!(got[0].module, "get_list");
        assert!(got.iter().all(|c| c.indexed_twin.is_none()));
    }

    #[test]
    fn names_follow_the_vendors_own_spelling_in_its_file_names() {
        assert!(spells("add_uk8s_uhost_node", "AddUK8SUHostNode"));
        assert!(spells("attach_udisk", "AttachUDisk"));
        assert!(!spells("create_listener_json", "CreateListener"));
        assert!(!spells("describe_loadBalancers", "DescribeLoadBalancers"));
        assert!(!spells("add__uk8s", "AddUK8S"));
        // The most compact spelling among the docs of one name wins; another doc of it is named after its stem.
        let got = chosen(&[
            ("AddUK8SUHostNode", "k/add_uk_8s_uhost_node.md"),
            ("AddUK8SUHostNode", "k/add_uk8s_uhost_node.md"),
            ("CreateIPv6Gateway", "v/create_ipv6_gateway.md"),
            ("DescribeThing", "v/describe_thing_v2.md"),
        ]);
        assert_eq!(got[1], c("add_uk8s_uhost_node", "AddUk8sUhostNode", false));
        assert_eq!(got[2], c("create_ipv6_gateway", "CreateIpv6Gateway", false));
        // No doc spells it: the name's own snake_case.
        assert_eq!(got[3], c("describe_thing", "DescribeThing", false));
    }

    #[test]
    fn different_operations_spelled_alike_both_stay_callable() {
        let got = chosen_linked(
            &[
                ("GetPHostDiskUpgradePrice", "p/get_phost_disk_upgrade_price.md"),
                ("GetPhostDiskUpgradePrice", "p/get_phost_disk_upgrade_price_v2.md"),
            ],
            &[],
        );
        assert_eq!((got[0].module.as_str(), &got[0].collides_with), ("get_phost_disk_upgrade_price", &None));
        assert_eq!(got[1].module, "get_phost_disk_upgrade_price_v2");
        assert_eq!(got[1].collides_with.as_deref(), Some("GetPHostDiskUpgradePrice"));
    }

    #[test]
    fn among_several_linked_twins_the_stem_rule_decides() {
        // ulb-api: index.md links describe_load_balancers, _sidebar.md describe_load_balancers_json.
        let ops = [
            ("DescribeLoadBalancers", "ulb/describe_loadBalancers.md"),
            ("DescribeLoadBalancers", "ulb/describe_load_balancers.md"),
            ("DescribeLoadBalancers", "ulb/describe_load_balancers_json.md"),
        ];
        let got = chosen_linked(&ops, &["ulb/describe_load_balancers.md", "ulb/describe_load_balancers_json.md"]);
        let modules: Vec<&str> = got.iter().map(|c| c.module.as_str()).collect();
        assert_eq!(modules, ["describe_load_balancers_2", "describe_load_balancers", "describe_load_balancers_json"]);
        assert_eq!(got[0].indexed_twin.as_ref().map(|t| t.module.as_str()), Some("describe_load_balancers"));
        assert!(got[1].indexed_twin.is_none() && got[2].indexed_twin.is_none(), "linked twins are not flagged");
    }

    #[test]
    fn names_that_would_break_the_crate_get_a_trailing_underscore() {
        let got = chosen_linked(
            &[("Lib", "p/lib.md"), ("Type", "p/type.md"), ("Self", "p/self.md"), ("Runtime", "p/runtime.md")],
            &[],
        );
        let names: Vec<(&str, &str, bool)> =
            got.iter().map(|c| (c.module.as_str(), c.type_base.as_str(), c.renamed)).collect();
        assert_eq!(
            names,
            [("lib_", "Lib", true), ("type_", "Type", true), ("self_", "Self", true), ("runtime_", "Runtime", true)]
        );
        assert_eq!(got[1].reserved, Some(("type".to_string(), "a Rust keyword")));
        // A twin named after its file stem is checked too (after the operations that keep their names), and
        // numbering never doubles the underscore.
        let got = chosen_linked(&[("GetMain", "p/main.md"), ("GetMain", "p/get_main.md"), ("Main", "q/x.md")], &[]);
        let modules: Vec<&str> = got.iter().map(|c| c.module.as_str()).collect();
        assert_eq!(modules, ["main_2", "get_main", "main_"]);
        // `ListThings` may page, and then `Client::list_things_stream` is its stream.
        let got = chosen_linked(&[("ListThings", "p/a.md"), ("ListThingsStream", "p/b.md")], &[]);
        assert_eq!((got[0].module.as_str(), got[1].module.as_str()), ("list_things", "list_things_stream_"));
    }

    #[test]
    fn module_and_type_names_are_ascii() {
        assert_eq!(snake("获取List"), "list");
        assert_eq!(snake("a\nb`c"), "a_b_c");
        assert_eq!(type_stem("获取List"), "List");
        assert_eq!(type_stem("Self"), "Self");
        assert_eq!((snake("获取"), type_stem("获取")), ("operation".to_string(), "Operation".to_string()));
        assert_eq!(reserved_type("String"), Some("a standard name generated code uses unqualified"));
        assert_eq!(reserved_type("StringInfo"), None);
    }

    #[test]
    fn type_scopes_stay_upper_camel_case() {
        let mut types = Scope::types();
        assert_eq!(types.claim(type_name("ULBPolicySet")), "UlbPolicySet");
        assert_eq!(types.claim(type_name("UlbPolicySet")), "UlbPolicySet2");
        assert_eq!(types.claim("UlbPolicySet".into()), "UlbPolicySet3");
        assert_eq!(types.claim("XResponse".into()), "XResponse");
        assert_eq!(types.claim("XResponse".into()), "XResponse2");
    }
}
