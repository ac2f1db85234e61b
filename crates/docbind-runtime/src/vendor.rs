//! Which vendor answered, and the facts about it that errors and traces need.

use std::fmt;

/// The vendor whose API a client calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Vendor {
    /// UCloud: signed, form-encoded RPC (`Action=...`), failures reported as `RetCode`.
    UCloud,
    /// Finovy: REST with an access token, failures reported as the envelope's `code`.
    Finovy,
    /// UCloud's object storage (US3/UFile, and UArchive): REST with a header signature, failures reported as an
    /// HTTP status with `{RetCode, ErrMsg}`.
    UFile,
}

impl Vendor {
    /// The vendor's name, as shown in errors, traces and the User-Agent.
    pub fn name(self) -> &'static str {
        match self {
            Vendor::UCloud => "UCloud",
            Vendor::Finovy => "Finovy",
            Vendor::UFile => "UFile",
        }
    }

    /// What the vendor calls its failure code.
    pub(crate) fn code_label(self) -> &'static str {
        match self {
            Vendor::UCloud | Vendor::UFile => "RetCode",
            Vendor::Finovy => "code",
        }
    }

    /// Whether a failure `code` is transient: UCloud's 150 (service unavailable), 153 (busy) and its internal
    /// errors (2000 and up). Finovy and UFile document no transient codes (UFile's transient failures are
    /// HTTP statuses).
    pub(crate) fn is_retryable_code(self, code: i64) -> bool {
        match self {
            Vendor::UCloud => matches!(code, 150 | 153) || code >= 2000,
            Vendor::Finovy | Vendor::UFile => false,
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
