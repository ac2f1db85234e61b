//! Which vendor answered. The facts about it that errors and traces need (its name, what it calls its failure
//! code, which codes are transient, where the request id is) are its client's: each vendor module's `FACTS`,
//! taken from its `Service` and envelope (`client.rs`).

use std::fmt;

use crate::client::Facts;

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
    /// The runtime's own tests' vendor, built on the client core from its traits alone.
    #[cfg(test)]
    Example,
}

impl Vendor {
    /// The vendor's name, as shown in errors, traces and the User-Agent.
    pub fn name(self) -> &'static str {
        self.facts().name
    }

    /// The vendor's facts, from its client's impls.
    pub(crate) fn facts(self) -> &'static Facts {
        match self {
            Vendor::UCloud => &crate::ucloud::FACTS,
            Vendor::Finovy => &crate::finovy::FACTS,
            Vendor::UFile => &crate::ufile::FACTS,
            #[cfg(test)]
            Vendor::Example => &crate::client::example::FACTS,
        }
    }

    /// What the vendor calls its failure code.
    pub(crate) fn code_label(self) -> &'static str {
        self.facts().code_label
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
