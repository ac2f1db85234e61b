//! docbind: typed async clients generated from vendor markdown API docs.
//!
//! Each product crate is re-exported behind a default cargo feature of the same name:
//!
//! - [`ucloud_uodn`] (feature `ucloud-uodn`): UCloud UODN, signed form-encoded RPC.
//! - [`finovy_image`] (feature `finovy-image`): Finovy personal images, REST with token auth.
//!
//! [`runtime`] is the hand-written runtime every generated crate calls (HTTP, signing, tokens, retries,
//! lenient decoding, errors).
#![forbid(unsafe_code)]

pub use docbind_runtime as runtime;

#[cfg(feature = "finovy-image")]
pub use finovy_image;
#[cfg(feature = "ucloud-uodn")]
pub use ucloud_uodn;

/// The README's quick starts, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
