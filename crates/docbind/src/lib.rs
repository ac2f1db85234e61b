#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub use docbind_runtime as runtime;
/// The runtime again, under its crate's own name: rustc names the runtime's items by it in its messages
/// (`docbind::docbind_runtime::Error`), so the paths it suggests exist.
pub use docbind_runtime;

#[cfg(feature = "finovy-image")]
pub use finovy_image;
#[cfg(feature = "ucloud-ufile")]
pub use ucloud_ufile;
#[cfg(feature = "ucloud-uodn")]
pub use ucloud_uodn;

/// The README's quick starts, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
