//! `[waiters.<name>]` of `overlay.toml`: a client method `wait_until_<name>(id, options)` that polls one operation
//! until the resource with that id reaches a state.
//!
//! ```toml
//! [waiters.node_running]
//! operation = "DescribeUvodnNode"   # the operation polled (read-only, callable with the id alone)
//! id = "NodeId"                     # the request parameter the id is sent in (a list gets the one id)
//! items = "NodeList"                # the response's list of models to find the resource in …
//! item_id = "NodeId"                # … by this field of the model, equal to the id
//! state = "State"                   # the field holding the state (of the item, or of the response without `items`)
//! success = [4]                     # states that end the wait successfully (wire values)
//! failure = [10, 11]                # states that end it with an error at once
//! missing = "wait"                  # no item has the id: "wait" (default), "success" (waiting for it to be gone)
//!                                   # or "failure"
//! description = "the node runs"     # completes "Waits until …" in the method's rustdoc (default: from the name)
//! ```
//!
//! Every name is a wire name of the polled operation's docs (or of what the overlay adds to them); states are
//! wire values, and when the overlay gives the state field an enum, values of that enum. The runtime runs every
//! waiter in one polling loop (`docbind_runtime::WaitOptions`: deadline and capped backoff).

use super::{find_field, is_field_ident, RustNames};
use crate::ir::{Data, Operation, Response, Source, Type};
use serde::Deserialize;
use std::path::PathBuf;

/// The top-level key of `overlay.toml` that holds waiters, not an operation.
pub(super) const KEY: &str = "waiters";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WaiterOverlay {
    operation: String,
    id: String,
    items: Option<String>,
    item_id: Option<String>,
    state: String,
    success: Vec<toml::Value>,
    #[serde(default)]
    failure: Vec<toml::Value>,
    missing: Option<String>,
    description: Option<String>,
}

impl WaiterOverlay {
    /// The operation polled, as the overlay names it.
    pub(super) fn operation(&self) -> &str {
        &self.operation
    }
}

/// What a waiter does when the polled response has no item with the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Missing {
    /// Poll again (the resource may not be listed yet).
    Wait,
    /// The wait is over: the resource is gone.
    Success,
    /// The wait failed: the resource is gone.
    Failure,
}

/// A checked waiter: the names of the polled operation it reads, by wire name.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub(crate) struct Waiter {
    /// snake_case: the method is `wait_until_<name>`.
    pub name: String,
    /// The polled operation (UCloud Action, Finovy name).
    pub operation: String,
    /// The polled operation's doc, which keys its Rust names.
    pub doc: PathBuf,
    /// The request parameter carrying the id.
    pub id: String,
    /// The response list and the item field equal to the id; `None`: the response itself holds the state.
    pub items: Option<(String, String)>,
    /// The field holding the state.
    pub state: String,
    /// The overlay path of the state field (`model.NodeInfo.State`), which an enum may be declared for.
    pub state_path: String,
    pub success: Vec<String>,
    pub failure: Vec<String>,
    pub missing: Missing,
    pub description: Option<String>,
    /// Where the overlay declares it.
    pub source: Source,
}

/// Equal when everything but the declaration's place is: moving it within `overlay.toml` changes no API.
impl PartialEq for Waiter {
    fn eq(&self, other: &Self) -> bool {
        let key = |w: &Waiter| {
            (
                w.name.clone(),
                w.operation.clone(),
                w.id.clone(),
                w.items.clone(),
                w.state.clone(),
                w.success.clone(),
                w.failure.clone(),
                w.missing,
                w.description.clone(),
            )
        };
        key(self) == key(other)
    }
}

impl Eq for Waiter {}

/// An error about a waiter, and the byte offset it is about when more precise than the waiter's key.
type WaiterError = (String, Option<usize>);

/// Checks a waiter against the docs (`ops`, after the overlay's corrections) and the enums `names` declares.
pub(super) fn check(
    name: &str,
    w: &WaiterOverlay,
    ops: &mut [&mut Operation],
    names: &RustNames,
    source: &Source,
) -> Result<Waiter, WaiterError> {
    let fail = |msg: String| Err((format!("waiter `{name}`: {msg}"), None));
    if !is_field_ident(name) {
        return fail("the name must be snake_case (the method is `wait_until_<name>`)".into());
    }
    // The caller reports a waiter polling an operation no doc has.
    let Some(op) = ops.iter_mut().find(|o| o.name == w.operation) else {
        return fail(format!("no operation `{}` in these docs", w.operation));
    };
    let op: &mut Operation = op;
    let id_type = match op.request.iter().find(|f| f.wire_name == w.id) {
        Some(f) => f.ty.clone(),
        None => return fail(format!("`{}` has no request parameter `{}`", op.name, w.id)),
    };
    if !is_scalar_or_list(&id_type) {
        return fail(format!(
            "the id parameter `{}` is {id_type:?}; expected a string or int, or a list of them",
            w.id
        ));
    }
    if let Some(other) = op.request.iter().find(|f| f.required && f.wire_name != w.id) {
        return fail(format!("`{}` also requires `{}`; a waiter polls with the id alone", op.name, other.wire_name));
    }
    let (items, state_path) = match (&w.items, &w.item_id) {
        (Some(items), Some(item_id)) => {
            let model = match response_fields(op).and_then(|fs| fs.iter().find(|f| f.wire_name == *items)) {
                Some(f) => match &f.ty {
                    Type::List(inner) => match inner.as_ref() {
                        Type::Model(model) => model.clone(),
                        _ => {
                            return fail(format!("`{items}` is not a list of models in the response of `{}`", op.name))
                        }
                    },
                    _ => return fail(format!("`{items}` is not a list of models in the response of `{}`", op.name)),
                },
                None => return fail(format!("the response of `{}` has no field `{items}`", op.name)),
            };
            let item_path = format!("model.{model}.{item_id}");
            match find_field(op, &item_path) {
                Some(f) if matches!(f.ty, Type::String | Type::Int) => {}
                Some(f) => return fail(format!("`{item_path}` is {:?}; expected a string or int", f.ty)),
                None => return fail(format!("`{}` has no field `{item_path}`", op.name)),
            }
            (Some((items.clone(), item_id.clone())), format!("model.{model}.{}", w.state))
        }
        (None, None) => {
            if w.missing.is_some() {
                return fail("`missing` needs `items`: without them the response itself holds the state".into());
            }
            (None, format!("response.{}", w.state))
        }
        _ => return fail("`items` and `item_id` go together".into()),
    };
    match find_field(op, &state_path) {
        Some(f) if matches!(f.ty, Type::String | Type::Int) => {}
        Some(f) => return fail(format!("the state `{state_path}` is {:?}; expected a string or int", f.ty)),
        None => return fail(format!("`{}` has no field `{state_path}`", op.name)),
    }
    let declared = names.of(&op.source.file).field(&state_path).and_then(|f| f.enumeration.as_ref());
    let states = |what: &str, values: &[toml::Value]| -> Result<Vec<String>, WaiterError> {
        let mut out = Vec::new();
        for value in values {
            let wire = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                other => {
                    return Err((format!("waiter `{name}`: {what} state {other} is not a string or an integer"), None))
                }
            };
            if let Some(e) = declared {
                if !e.variants.iter().any(|(_, v)| *v == wire) {
                    let known: Vec<String> = e.variants.iter().map(|(n, v)| format!("{v} ({n})")).collect();
                    return Err((
                        format!(
                            "waiter `{name}`: {what} state `{wire}` is not a value of the enum `{}`: {}",
                            e.name,
                            known.join(", ")
                        ),
                        None,
                    ));
                }
            }
            out.push(wire);
        }
        Ok(out)
    };
    let success = states("success", &w.success)?;
    let failure = states("failure", &w.failure)?;
    if success.is_empty() {
        return fail("`success` lists no state".into());
    }
    if let Some(both) = success.iter().find(|s| failure.contains(s)) {
        return fail(format!("state `{both}` is both a success and a failure"));
    }
    let missing = match w.missing.as_deref() {
        None | Some("wait") => Missing::Wait,
        Some("success") => Missing::Success,
        Some("failure") => Missing::Failure,
        Some(other) => return fail(format!("`missing = \"{other}\"`; expected \"wait\", \"success\" or \"failure\"")),
    };
    Ok(Waiter {
        name: name.to_string(),
        operation: op.name.clone(),
        doc: op.source.file.clone(),
        id: w.id.clone(),
        items,
        state: w.state.clone(),
        state_path,
        success,
        failure,
        missing,
        description: w.description.clone(),
        source: source.clone(),
    })
}

fn is_scalar_or_list(ty: &Type) -> bool {
    match ty {
        Type::String | Type::Int => true,
        Type::List(inner) => matches!(inner.as_ref(), Type::String | Type::Int),
        _ => false,
    }
}

/// The fields of a response that has them: UCloud's, or a Finovy `data` object.
fn response_fields(op: &Operation) -> Option<&[crate::ir::Field]> {
    match &op.response {
        Response::Fields { fields } | Response::Envelope { data: Data::Object { fields } } => Some(fields),
        Response::Envelope { .. } => None,
    }
}
