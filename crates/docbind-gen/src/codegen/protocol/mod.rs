//! What differs between the vendors' wire protocols, and what they share on the wire; the rest of codegen is the
//! same for every vendor and asks this module.
//!
//! Each wire's file implements [`Wire`] once: its request encoder (UCloud's flattened form, Finovy's query, path,
//! header and JSON body, UFile's), the client method's call and signature, the operation's decode entry
//! (`decode_response`), the paging style it owns, and how the crate introduces its vendor. The dialect registry
//! (`crate::dialect::DIALECTS`) names each dialect's wire; this file asks the wire that speaks an operation's
//! [`Protocol`] (per crate: [`Vendor`], chosen once). All wires decode JSON through the same runtime slots, so
//! slot naming and the `Decode` impl of responses and models live here.

pub(crate) mod finovy;
pub(crate) mod ucloud;
pub(crate) mod ufile;

use super::defs::{Arity, FieldDef, OperationDefs, Shape, StructDef};
use super::error::{CodegenError, CodegenErrorKind};
use super::names::ident;
use crate::ir::{Operation, Pagination, Protocol};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// One wire protocol as codegen sees it. Each protocol's file implements it once (`ucloud::WIRE`, …); the
/// registry of dialects (`crate::dialect::DIALECTS`) names which wire each dialect's operations are called through,
/// so nothing outside a protocol's own files names it.
pub(crate) trait Wire: Sync {
    /// Whether operations of this IR protocol are called through this wire.
    fn speaks(&self, protocol: &Protocol) -> bool;
    /// How the crate's docs and manifest name the vendor.
    fn label(&self) -> &'static str;
    /// The environment variables the client's `from_env` reads, as the crate's example says them.
    fn env_vars(&self) -> &'static str;
    /// How the crate's example builds a client from explicit settings: the items it imports beside `Client`
    /// (`Config`), and its configuration (`Config::new("public-key", "private-key")`).
    fn explicit_config(&self) -> (&'static str, &'static str);
    /// The runtime module holding the vendor's `Client` and `Config` (`docbind_runtime::ucloud`).
    fn runtime_module(&self) -> TokenStream;
    /// What the crate root re-exports of the runtime module for building a client.
    fn config_items(&self) -> TokenStream {
        quote!(Config)
    }
    /// Where the vendor puts its request id, as the method's docs say it.
    fn request_id(&self) -> &'static str;
    /// The `encode` method of a request struct or request group: how its fields go on the wire.
    fn request_encoder(&self, def: &StructDef) -> TokenStream;
    /// The function that decodes a body of the operation in `module` (whose response is `response`) of the crate
    /// `krate`, as a path: the module's own `decode_response` unless the wire's runtime has one for all.
    fn decode_entry(&self, krate: &Ident, module: &Ident, _response: &Ident) -> TokenStream {
        quote!(#krate::#module::decode_response)
    }
    /// The configuration settings this wire's runtime fills common parameters (`ir::CommonParameter`) from, by
    /// their `Config` field names. A dialect may mark any parameter common, naming a setting; a setting the wire
    /// does not fill is a codegen error, since the field would be optional with nothing to fill it.
    fn config_defaults(&self) -> &'static [&'static str] {
        &[]
    }
    /// Refuses, before anything is built, a request the wire cannot send.
    fn check_request(&self, _op: &Operation) -> Result<(), CodegenError> {
        Ok(())
    }
    /// The decode entry, `OPERATION` and call of one operation.
    fn operation_call(&self, op: &Operation, defs: &OperationDefs) -> Result<OperationCall, CodegenError>;
    /// The client method's signature, naming the response type `response`.
    fn method_signature(&self, _op: &Operation, _defs: &OperationDefs, response: TokenStream) -> MethodSignature {
        MethodSignature::plain(response)
    }
    /// The paging of an operation, when this wire owns its pagination style.
    fn paging(
        &self,
        _op: &Operation,
        _defs: &OperationDefs,
        _pagination: &Pagination,
    ) -> Option<Result<Paging, CodegenError>> {
        None
    }
}

/// The vendor whose runtime a generated crate calls. One crate, one vendor: chosen once per crate from its
/// operations' IR [`Protocol`] (a folder mixing vendors does not generate).
#[derive(Clone, Copy)]
pub struct Vendor(&'static dyn Wire);

impl Vendor {
    /// Every registered wire, in registry order, each once.
    pub fn all() -> Vec<Vendor> {
        let mut all: Vec<Vendor> = Vec::new();
        for dialect in crate::dialect::DIALECTS {
            let vendor = Vendor(dialect.wire);
            if !all.contains(&vendor) {
                all.push(vendor);
            }
        }
        all
    }

    /// The vendor of one operation.
    pub(crate) fn of(op: &Operation) -> Self {
        crate::dialect::DIALECTS
            .iter()
            .map(|d| Vendor(d.wire))
            .find(|v| v.0.speaks(&op.protocol))
            // A unit test holds every IR protocol to a registered wire.
            .expect("every IR protocol has a registered wire")
    }

    /// How the crate's docs and manifest name the vendor.
    pub fn label(self) -> &'static str {
        self.0.label()
    }

    /// The environment variables the client's `from_env` reads, as the crate's example says them.
    pub(crate) fn env_vars(self) -> &'static str {
        self.0.env_vars()
    }

    /// How the crate's example builds a client from explicit settings: its imports and its configuration.
    pub(crate) fn explicit_config(self) -> (&'static str, &'static str) {
        self.0.explicit_config()
    }

    /// The runtime module holding the vendor's `Client` and `Config` (`docbind_runtime::ucloud`).
    pub(crate) fn runtime_module(self) -> TokenStream {
        self.0.runtime_module()
    }

    /// What the crate root re-exports of the vendor's runtime module for building a client.
    pub(crate) fn config_items(self) -> TokenStream {
        self.0.config_items()
    }

    /// Where the vendor puts its request id.
    pub(crate) fn request_id(self) -> &'static str {
        self.0.request_id()
    }

    /// The `encode` method of a request struct or request group: how its fields go on the wire.
    pub(crate) fn request_encoder(self, def: &StructDef) -> TokenStream {
        self.0.request_encoder(def)
    }

    /// The function that decodes a body of the operation in `module` of the crate `krate`, as a path.
    pub(crate) fn decode_entry(self, krate: &Ident, module: &Ident, response: &Ident) -> TokenStream {
        self.0.decode_entry(krate, module, response)
    }
}

impl PartialEq for Vendor {
    fn eq(&self, other: &Self) -> bool {
        self.label() == other.label()
    }
}

impl Eq for Vendor {}

impl std::fmt::Debug for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Refuses, before anything is built, a request the operation's protocol cannot send.
pub(crate) fn check_request(op: &Operation) -> Result<(), CodegenError> {
    let wire = Vendor::of(op).0;
    for common in &op.common_parameters {
        if !wire.config_defaults().contains(&common.config.as_str()) {
            let line = op.request.iter().find(|f| f.wire_name == common.wire_name).map_or(1, |f| f.source.line);
            let kind = CodegenErrorKind::UnfilledCommonParameter {
                parameter: common.wire_name.clone(),
                setting: common.config.clone(),
                vendor: wire.label(),
            };
            return Err(CodegenError::at_line(op, line, kind));
        }
    }
    wire.check_request(op)
}

/// What an operation's module holds beside its structs, for its protocol.
pub(crate) struct OperationCall {
    /// `decode_response`: the one decode entry of the operation; none when the protocol's runtime has one for all
    /// operations (UCloud's).
    pub decode_entry: TokenStream,
    /// The `OPERATION` static the runtime's call takes; none when the call describes the operation in place
    /// (UCloud's).
    pub operation_static: TokenStream,
    /// The client method's body: encode the request, and return the runtime's pending call of it (`PendingCall`).
    pub call: TokenStream,
}

/// The decode entry, `OPERATION` and call of one operation.
pub(crate) fn operation_call(op: &Operation, defs: &OperationDefs) -> Result<OperationCall, CodegenError> {
    Vendor::of(op).0.operation_call(op, defs)
}

/// What the client method takes beside the request, and what its call yields.
pub(crate) struct MethodSignature {
    /// Parameters after `request` (`, body: rt::ufile::UploadBody`), or nothing.
    pub params: TokenStream,
    /// The arguments passing those parameters on (`, body`), or nothing.
    pub args: TokenStream,
    /// The `PendingCall`'s output.
    pub returns: TokenStream,
    /// The extra arguments of the method's doc example.
    pub example_args: &'static str,
}

impl MethodSignature {
    /// `request` alone, returning the response.
    pub(super) fn plain(response: TokenStream) -> Self {
        MethodSignature { params: quote!(), args: quote!(), returns: response, example_args: "" }
    }
}

/// The client method's signature for `op`.
pub(crate) fn method_signature(op: &Operation, defs: &OperationDefs) -> MethodSignature {
    let response = format_ident!("{}", defs.response.name);
    method_signature_naming(op, defs, quote!(#response))
}

/// The client method's signature for `op`, naming its response type by `response` (the blocking client names
/// it by path, from outside the operation's module).
pub(crate) fn method_signature_naming(op: &Operation, defs: &OperationDefs, response: TokenStream) -> MethodSignature {
    Vendor::of(op).0.method_signature(op, defs, response)
}

/// How a paging operation's stream walks its pages: which fields carry the items, the total, the position and
/// the page size, the runtime pager, and the first position.
pub(crate) struct Paging {
    pub items: FieldDef,
    pub total: FieldDef,
    pub position: FieldDef,
    pub size: FieldDef,
    /// `rt::paginate::offset_pages` or `numbered_pages`.
    pub pages_fn: TokenStream,
    /// The position of the first page when the request leaves it unset.
    pub first: TokenStream,
}

/// The paging of an operation, by its IR pagination (each style is one wire's, whichever the operation's is).
pub(crate) fn paging(op: &Operation, defs: &OperationDefs, pagination: &Pagination) -> Result<Paging, CodegenError> {
    Vendor::all()
        .into_iter()
        .find_map(|v| v.0.paging(op, defs, pagination))
        .unwrap_or_else(|| Err(CodegenError::of(op, CodegenErrorKind::Pagination("no protocol pages this way".into()))))
}

/// The field of `fields` with wire name `wire`, which pagination names.
fn paging_field(op: &Operation, fields: &[FieldDef], wire: &str) -> Result<FieldDef, CodegenError> {
    fields
        .iter()
        .find(|f| f.wire == wire)
        .cloned()
        .ok_or_else(|| CodegenError::of(op, CodegenErrorKind::Pagination(format!("no field `{wire}`"))))
}

/// The runtime `Slot` variant that decodes a field of this shape.
pub(crate) fn slot_variant(shape: &Shape, arity: Arity) -> TokenStream {
    let name = format_ident!("{}", slot_name(shape, arity));
    quote!(#name)
}

/// The name of the runtime `Slot` variant for a field of this shape.
fn slot_name(shape: &Shape, arity: Arity) -> &'static str {
    match (shape, arity) {
        (Shape::Str, Arity::List) => "StrList",
        (Shape::Int, Arity::List) => "IntList",
        (Shape::Float, Arity::List) => "FloatList",
        (Shape::Bool, Arity::List) => "BoolList",
        (Shape::Json, Arity::List) => "JsonList",
        (Shape::Struct(_), Arity::List) => "ModelList",
        (Shape::Str, _) => "Str",
        (Shape::Int, _) => "Int",
        (Shape::Float, _) => "Float",
        (Shape::Bool, _) => "Bool",
        (Shape::Json, _) => "Json",
        // Defs refuse a list of maps, so this is always a single value.
        (Shape::TextMap, _) => "TextMap",
        (Shape::Struct(_), _) => "Model",
        // The overlay refuses enumerations on lists, so this is always a single value.
        (Shape::Enum { .. }, _) => "Enum",
    }
}

/// The `Decode` impl of a response or model, by the runtime's macro: one `Slot` per declared wire name, the rest to
/// `extra`; a response's (`response`) also hands over its `_call` field, which makes it the runtime's `Response`.
pub(crate) fn decode_impl(def: &StructDef, response: bool) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let arms = def.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        let slot = slot_variant(&f.shape, f.arity);
        quote! { #wire => #slot(#id), }
    });
    let response = if response { quote!(response) } else { quote!() };
    quote! {
        rt::__decode! {
            #response #name { #(#arms)* }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Vendor::of` relies on it: every shape of IR protocol is spoken by exactly one registered wire.
    #[test]
    fn every_ir_protocol_has_one_registered_wire() {
        let protocols = [
            Protocol::Rpc { action: "A".into() },
            Protocol::Http { method: "GET".into(), path: "/p".into() },
            Protocol::Object { method: "GET".into(), key: None, flags: Vec::new(), upload: false, download: false },
        ];
        for protocol in &protocols {
            let speakers = Vendor::all().into_iter().filter(|v| v.0.speaks(protocol)).count();
            assert_eq!(speakers, 1, "{protocol:?}");
        }
    }

    /// A common parameter the operation's wire cannot fill from its configuration is an error naming the
    /// parameter, not an optional field nothing sends.
    #[test]
    fn a_common_parameter_the_wire_cannot_fill_is_refused() {
        let doc = "# 停止节点 - StopNode\n\n## 定义\n\n### 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **Region** | string | 地域 |**Yes**|\n| **NodeId** | string | 节点 |**Yes**|\n\n### 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n| **RetCode** | int | 码 |**Yes**|\n";
        let mut op = crate::dialect::parse_doc(std::path::Path::new("specs/x/stop_node.md"), doc, None)
            .expect("fixture")
            .operation;
        assert_eq!(op.common_parameters.len(), 1, "UCloud's dialect marks Region common");
        check_request(&op).expect("UCloud's wire fills Region from its configuration");

        op.common_parameters[0].config = "cluster".into();
        let err = check_request(&op).expect_err("no wire fills a `cluster` setting");
        assert_eq!(err.line, 9, "the parameter's row");
        let text = err.to_string();
        assert!(text.contains("`Region`") && text.contains("Config::cluster") && text.contains("UCloud"), "{text}");

        op.common_parameters[0].config = "region".into();
        op.protocol = Protocol::Http { method: "POST".into(), path: "/nodes/stop".into() };
        let err = check_request(&op).expect_err("Finovy's wire fills no common parameter");
        assert!(err.to_string().contains("Config::region"), "{err}");
    }
}
