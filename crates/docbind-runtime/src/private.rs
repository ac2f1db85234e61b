//! What only docbind-generated code (and docbind's own tests and tools) calls: the decoding machinery generated
//! types implement, the request writers their `encode` functions use, and the vendors' wire protocols. Not part of
//! the public API: it changes whenever the generator does, and generated crates are regenerated with it.

pub use crate::decode::{
    decode_into_slot, decode_object, Decode, ModelList, ObjectFields, OptionalEnum, OptionalModel, Sealed, Slot,
};

pub use crate::pending::{CallMeta, Response};

/// What a generated `Debug` shows instead of a credential-like field.
pub use docbind_redact::REDACTED;

/// serde, whose traits the impls of generated types implement.
#[cfg(feature = "serde")]
pub use serde;

/// serde impls of generated responses, models and enumerations, in the shape of the wire.
#[cfg(feature = "serde")]
pub mod serde_wire {
    pub use crate::serde_wire::{
        decode, enum_value, enumeration, read_request, slot, FieldCount, FieldSlot, Fields, RequestObject, WireObject,
    };
}

/// UCloud's wire protocol: the flattened, signed form and the response envelope.
pub mod ucloud {
    pub use crate::ucloud::common_parameters::{CommonParameter, ConfigDefault};
    pub use crate::ucloud::protocol::{decode_body, decode_response, sign, Form, Operation, ResponseStatus};
}

/// Finovy's wire protocol: the neutral REST request builder and Finovy's response envelope.
pub mod finovy {
    pub use crate::finovy::protocol::{decode_envelope, EnvelopeStatus};
    pub use crate::rest::{Call, Method, Operation};
}

/// UFile's requests and responses, as generated operations write and read them.
pub mod ufile {
    pub use crate::ufile::generated::{
        decode_body, header_bool, header_float, header_int, header_map, header_str, Call,
    };
}

/// The polling loop behind generated `wait_until_*` methods.
pub mod waiter {
    pub use crate::waiter::{seen_in, until_state, until_state_or_gone, Missing, Seen, Waiter};
}
