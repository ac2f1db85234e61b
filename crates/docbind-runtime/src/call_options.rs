//! Settings of one call, overriding the client's [`HttpOptions`] for that call only.

use std::borrow::Cow;
use std::time::Duration;

use crate::{Error, HttpOptions};

/// Overrides of the client's [`HttpOptions`] for one call: its per-attempt timeout, its deadline and how many
/// attempts it may make. What is left unset is the client's.
///
/// ```
/// use std::time::Duration;
/// use docbind_runtime::CallOptions;
///
/// let quick = CallOptions::new().with_timeout(Duration::from_secs(2)).with_max_attempts(1);
/// assert_eq!(quick.timeout, Some(Duration::from_secs(2)));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    /// Per-attempt timeout ([`HttpOptions::timeout`]).
    pub timeout: Option<Duration>,
    /// Deadline of the whole call, retries and backoff included ([`HttpOptions::deadline`]).
    pub deadline: Option<Duration>,
    /// Total attempts including the first ([`RetryPolicy::max_attempts`](crate::RetryPolicy::max_attempts),
    /// clamped the same way). Operations that are not idempotent still make one.
    pub max_attempts: Option<u32>,
}

impl CallOptions {
    /// No overrides: the client's options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the per-attempt timeout of this call.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the deadline of this call.
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets how many attempts this call may make (1 disables retries).
    #[must_use]
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = Some(max_attempts);
        self
    }

    /// The client's options with these overrides: borrowed when there are none (the usual call pays nothing),
    /// else a copy. A zero timeout or deadline is a configuration error, as in the client's options.
    pub(crate) fn apply<'a>(&self, options: &'a HttpOptions) -> Result<Cow<'a, HttpOptions>, Error> {
        let CallOptions { timeout, deadline, max_attempts } = self;
        if timeout.is_none() && deadline.is_none() && max_attempts.is_none() {
            return Ok(Cow::Borrowed(options));
        }
        let mut options = options.clone();
        if let Some(timeout) = timeout {
            options.timeout = *timeout;
        }
        if let Some(deadline) = deadline {
            options.deadline = Some(*deadline);
        }
        if let Some(max_attempts) = max_attempts {
            options.retry = options.retry.with_max_attempts(*max_attempts);
        }
        options.check_durations()?;
        Ok(Cow::Owned(options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_only_what_is_set() {
        let client = HttpOptions::new("https://api.example");
        assert!(matches!(CallOptions::new().apply(&client), Ok(Cow::Borrowed(_))));
        let call = CallOptions::new().with_timeout(Duration::from_secs(2)).with_max_attempts(50);
        let applied = call.apply(&client).unwrap();
        assert_eq!(applied.timeout, Duration::from_secs(2));
        assert_eq!(applied.retry.max_attempts, crate::RetryPolicy::MAX_ATTEMPTS);
        assert_eq!((applied.deadline, applied.connect_timeout), (client.deadline, client.connect_timeout));
        let applied = CallOptions::new().with_deadline(Duration::from_millis(5)).apply(&client).unwrap();
        assert_eq!(applied.call_deadline(), Duration::from_millis(5));
        for zero in [CallOptions::new().with_timeout(Duration::ZERO), CallOptions::new().with_deadline(Duration::ZERO)]
        {
            assert!(matches!(zero.apply(&client), Err(Error::Config(_))), "{zero:?}");
        }
    }
}
