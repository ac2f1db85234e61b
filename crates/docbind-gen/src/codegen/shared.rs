//! Types several operation modules define alike: one type per crate. An overlay enum named alike in several
//! operations (`ChargeType`), or a model with the same fields in several docs, is emitted once in `src/shared.rs`,
//! re-exported by each module that uses it (so `create_uvodn_node::ChargeType` still names it, and equals
//! `describe_uvodn_node::ChargeType`) and at the crate root.
//!
//! A name is shared only when every module that defines it defines it alike (docs aside: the first module's docs
//! are kept); otherwise each module keeps its own type, as when the crate had one type per module. A model is
//! shared only with every model and enum its fields name.

use super::defs::{EnumDef, FieldDef, OperationDefs, Shape, StructDef};
use super::rustdoc::code_span;
use super::serde;
use std::collections::{BTreeMap, BTreeSet};

/// The shared module (`src/shared.rs`); `names::reserved_module` keeps operations off its name.
pub(crate) const MODULE: &str = "shared";

/// The types of a crate that several modules define alike.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Each with whether its values travel as integers, and the modules defining it.
    pub enums: Vec<(EnumDef, bool, Vec<String>)>,
    pub models: Vec<(StructDef, Vec<String>)>,
    /// Each shared name, with the modules that re-export it.
    names: BTreeMap<String, BTreeSet<String>>,
    /// The shared names every module defining them shares: re-exported at the crate root (a name some module
    /// defines otherwise would be ambiguous there).
    everywhere: BTreeSet<String>,
}

impl Shared {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The shared types the crate root re-exports, sorted: those no module defines otherwise.
    pub fn root_names(&self) -> impl Iterator<Item = &str> {
        self.everywhere.iter().map(String::as_str)
    }

    /// Whether `name` is a shared type.
    #[cfg(test)]
    pub fn has(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }

    /// The shared types `defs` defines, sorted: its module re-exports them instead of defining them.
    pub fn of_module(&self, defs: &OperationDefs) -> Vec<String> {
        let enums = defs.enums.iter().map(|e| &e.name);
        let models = defs.models.iter().map(|m| &m.name);
        let shares = |name: &&String| self.names.get(*name).is_some_and(|users| users.contains(&defs.module));
        let mut names: Vec<String> = enums.chain(models).filter(shares).cloned().collect();
        names.sort();
        names
    }
}

/// What of a field a type's identity depends on (not its docs).
fn field_key(f: &FieldDef) -> String {
    format!("{}|{}|{:?}|{:?}|{:?}|{}", f.ident, f.wire, f.shape, f.arity, f.location, f.required)
}

fn model_key(def: &StructDef) -> Vec<String> {
    def.fields.iter().map(field_key).collect()
}

/// An enum's identity: its variants and wire values, and whether they travel as integers.
fn enum_key(def: &EnumDef, defs: &OperationDefs) -> String {
    format!("{:?}|{}", def.variants, serde::enum_is_integer(def, defs))
}

/// Finds the types `modules` define alike (in module order: the first definition's docs are kept).
pub(crate) fn collect(modules: &[&OperationDefs]) -> Shared {
    // name → the distinct definitions of it, each with the modules defining it so.
    let mut enums: BTreeMap<&str, Definitions<String>> = BTreeMap::new();
    let mut models: BTreeMap<&str, Definitions<Vec<String>>> = BTreeMap::new();
    for (i, defs) in modules.iter().enumerate() {
        for e in &defs.enums {
            add(enums.entry(&e.name).or_default(), enum_key(e, defs), i);
        }
        for m in &defs.models {
            add(models.entry(&m.name).or_default(), model_key(m), i);
        }
    }
    let mut shared_enums = one_per_name(enums);
    let mut shared_models = one_per_name(models);
    // An enum and a model of one name cannot both live in one module.
    shared_enums.retain(|name, _| !shared_models.contains_key(name));
    shared_models.retain(|name, _| !shared_enums.contains_key(name));
    // A shared model names only types shared by every module sharing it (else a module's own type would be
    // meant): it is shared by fewer modules, or by none.
    loop {
        let mut changed = false;
        let names: Vec<&str> = shared_models.keys().copied().collect();
        for name in names {
            let users = &shared_models[name];
            let Some(def) = users.iter().next().and_then(|&i| model_of(modules[i], name)) else { continue };
            let mut narrowed = users.clone();
            for f in &def.fields {
                let named = match &f.shape {
                    Shape::Struct(n) => shared_models.get(n.as_str()),
                    Shape::Enum { name, .. } => shared_enums.get(name.as_str()),
                    _ => continue,
                };
                narrowed = named.map(|named| &narrowed & named).unwrap_or_default();
            }
            if narrowed != *users {
                changed = true;
                if narrowed.len() > 1 {
                    shared_models.insert(name, narrowed);
                } else {
                    shared_models.remove(name);
                }
            }
        }
        if !changed {
            break;
        }
    }
    let module_names = |users: &BTreeSet<usize>| users.iter().map(|&i| modules[i].module.clone()).collect::<Vec<_>>();
    let mut shared = Shared::default();
    for (name, users) in &shared_enums {
        let Some(&first) = users.iter().next() else { continue };
        if let Some(def) = modules[first].enums.iter().find(|e| e.name == *name) {
            let integer = serde::enum_is_integer(def, modules[first]);
            shared.enums.push((def.clone(), integer, module_names(users)));
            shared.names.insert((*name).to_string(), module_names(users).into_iter().collect());
        }
    }
    for (name, users) in &shared_models {
        if let Some(def) = users.iter().next().and_then(|&i| model_of(modules[i], name)) {
            let mut def = def.clone();
            let used = module_names(users).iter().map(|m| code_span(m)).collect::<Vec<_>>().join(", ");
            def.doc = format!("{}\n\nThe same type in the modules {used}.", def.doc);
            shared.models.push((def, module_names(users)));
            shared.names.insert((*name).to_string(), module_names(users).into_iter().collect());
        }
    }
    shared.everywhere = shared
        .names
        .keys()
        .filter(|name| {
            let defined = |defs: &&&OperationDefs| {
                defs.enums.iter().any(|e| e.name == **name) || defs.models.iter().any(|m| m.name == **name)
            };
            let users = shared_enums.get(name.as_str()).or(shared_models.get(name.as_str()));
            users.is_some_and(|users| modules.iter().filter(defined).count() == users.len())
        })
        .cloned()
        .collect();
    shared
}

/// The distinct definitions of one name (by identity key), each with the modules (by index) defining it so.
type Definitions<K> = Vec<(K, BTreeSet<usize>)>;

/// Counts module `i` among those defining a type as `key` says.
fn add<K: PartialEq>(definitions: &mut Definitions<K>, key: K, i: usize) {
    match definitions.iter_mut().find(|(known, _)| *known == key) {
        Some((_, users)) => {
            users.insert(i);
        }
        None => definitions.push((key, BTreeSet::from([i]))),
    }
}

/// The names defined alike by several modules, with those modules. A name two groups of modules each define
/// alike stays in every module: one shared module holds one type of a name.
fn one_per_name<K>(definitions: BTreeMap<&str, Definitions<K>>) -> BTreeMap<&str, BTreeSet<usize>> {
    definitions
        .into_iter()
        .filter_map(|(name, groups)| {
            let mut several = groups.into_iter().filter(|(_, users)| users.len() > 1);
            match (several.next(), several.next()) {
                (Some((_, users)), None) => Some((name, users)),
                _ => None,
            }
        })
        .collect()
}

fn model_of<'d>(defs: &'d OperationDefs, name: &str) -> Option<&'d StructDef> {
    defs.models.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::defs::{Arity, StructKind};
    use crate::ir::Location;

    fn field(ident: &str, shape: Shape) -> FieldDef {
        FieldDef {
            ident: ident.into(),
            wire: ident.into(),
            shape,
            arity: Arity::Optional,
            location: Location::Member,
            doc: format!("{ident} of this doc"),
            required: false,
        }
    }

    fn module(name: &str, charge: &[(&str, &str)], node_fields: Vec<FieldDef>) -> OperationDefs {
        let empty = |name: &str, kind| StructDef { name: name.into(), kind, doc: String::new(), fields: Vec::new() };
        OperationDefs {
            module: name.into(),
            method: name.into(),
            request: empty("Req", StructKind::Request),
            groups: Vec::new(),
            response: empty("Resp", StructKind::Decoded),
            models: vec![StructDef {
                name: "NodeInfo".into(),
                kind: StructKind::Decoded,
                doc: format!("a model of {name}"),
                fields: node_fields,
            }],
            enums: vec![EnumDef {
                name: "ChargeType".into(),
                doc: format!("charge of {name}"),
                variants: charge.iter().map(|(v, w)| ((*v).into(), (*w).into())).collect(),
                numbers: true,
            }],
            binding: super::super::defs::DataBinding::Struct,
            twin_note: None,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn alike_types_are_shared_and_different_ones_stay_in_their_modules() {
        let charge = [("Hourly", "1"), ("Monthly", "2")];
        let node = || vec![field("charge_type", Shape::Enum { name: "ChargeType".into(), int: true })];
        let a = module("create_node", &charge, node());
        let b = module("describe_node", &charge, node());
        let shared = collect(&[&a, &b]);
        assert!(shared.has("ChargeType") && shared.has("NodeInfo"), "{shared:?}");
        assert_eq!(shared.of_module(&a), ["ChargeType", "NodeInfo"]);
        assert_eq!(shared.enums[0].0.doc, "charge of create_node", "the first module's docs are kept");

        assert_eq!(shared.root_names().collect::<Vec<_>>(), ["ChargeType", "NodeInfo"]);

        // Other values in a third module: it keeps its own enum and the model naming it; the two alike still
        // share theirs, which the root leaves out (the name is ambiguous there).
        let c = module("delete_node", &[("Hourly", "1")], node());
        let shared = collect(&[&a, &b, &c]);
        let none: Vec<String> = Vec::new();
        assert_eq!((shared.of_module(&a), shared.of_module(&c)), (vec!["ChargeType".into(), "NodeInfo".into()], none));
        assert_eq!(shared.root_names().count(), 0);

        // Two groups alike among themselves: one shared module holds one type of a name, so neither is shared.
        let d = module("stop_node", &[("Hourly", "1")], node());
        assert!(collect(&[&a, &b, &c, &d]).is_empty());

        // Other fields: the model stays in each module, the enum is shared.
        let e = module("start_node", &charge, vec![field("state", Shape::Str)]);
        let shared = collect(&[&a, &e]);
        assert!(shared.has("ChargeType") && !shared.has("NodeInfo"), "{shared:?}");
    }
}
