//! Retries: the policy (capped, jittered exponential backoff) and the one loop every client runs its attempts in.

use std::future::Future;
use std::time::Duration;

use crate::{Error, Vendor};

/// How failed attempts are retried.
///
/// Read-only operations are retried on every retryable failure ([`crate::Error::is_retryable`]); operations that
/// may change state only when the request provably did not reach the service (no connection was made, or HTTP
/// 429), and fail with [`crate::Error::OutcomeUnknown`] when it may have. Either is retried at most [`RetryPolicy::MAX_ATTEMPTS`] attempts in all, within the call's deadline. The delay before
/// retry `n` (1-based) is `base_delay * 2^(n-1)`, capped at `max_delay`; with `jitter` it is drawn uniformly from
/// `[delay/2, delay]`. A server's `Retry-After` (seconds or an HTTP date) replaces the computed delay, still capped
/// at `max_delay`; with `jitter` it is lengthened by up to half (never shortened: the server asked for at least
/// that long), so clients told the same time do not all come back at once.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts including the first one (`1` disables retries). Default 3, at most
    /// [`RetryPolicy::MAX_ATTEMPTS`] (a larger value counts as that many, `0` as 1).
    pub max_attempts: u32,
    /// Delay before the first retry. Default 200 ms.
    pub base_delay: Duration,
    /// Upper bound of any single delay. Default 10 s.
    pub max_delay: Duration,
    /// Randomise delays to avoid synchronised retries. Default `true`.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// The most attempts a call makes, whatever [`RetryPolicy::max_attempts`] says: together with the call's
    /// deadline it bounds what one call can cost the server and the caller.
    pub const MAX_ATTEMPTS: u32 = 10;

    /// The default policy (3 attempts, 200 ms base, 10 s cap, jitter).
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries.
    pub fn disabled() -> Self {
        RetryPolicy { max_attempts: 1, ..Self::default() }
    }

    /// Sets the total number of attempts, clamped to 1..=[`RetryPolicy::MAX_ATTEMPTS`].
    #[must_use]
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.clamp(1, Self::MAX_ATTEMPTS);
        self
    }

    /// Sets the delay before the first retry.
    #[must_use]
    pub fn with_base_delay(mut self, base_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self
    }

    /// Sets the cap of any single delay.
    #[must_use]
    pub fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// Enables or disables jitter.
    #[must_use]
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The delay before retry number `retry` (1-based), honouring a server `Retry-After`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            let after = after.min(self.max_delay);
            return if self.jitter { after.saturating_add(random_up_to(after / 2)).min(self.max_delay) } else { after };
        }
        let shift = retry.saturating_sub(1).min(30);
        let exp = self.base_delay.saturating_mul(1u32 << shift).min(self.max_delay);
        if self.jitter {
            let half = exp / 2;
            half + random_up_to(exp - half)
        } else {
            exp
        }
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.max_attempts.clamp(1, Self::MAX_ATTEMPTS)
    }
}

/// A uniformly random duration in `[0, max]`.
fn random_up_to(max: Duration) -> Duration {
    if max.is_zero() {
        return max;
    }
    Duration::from_nanos(rand::random_range(0..=u64::try_from(max.as_nanos()).unwrap_or(u64::MAX)))
}

/// Whether retrying the same request may succeed ([`Error::is_retryable`]): transport failures, timeouts, HTTP
/// 429/502/503/504, and the failure codes the vendor's envelope calls transient.
pub(crate) fn is_transient(error: &Error) -> bool {
    match error {
        Error::Transport { .. } | Error::Timeout { .. } => true,
        Error::Status { status, .. } => matches!(status, 429 | 502 | 503 | 504),
        Error::Service { vendor, code, .. } => (vendor.facts().is_transient_code)(*code),
        _ => false,
    }
}

/// Which failures of an operation may be repeated: the rule that keeps retries from repeating a state change
/// behind the caller's back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Read-only (or declared safe to repeat): every retryable failure.
    AnyTransient,
    /// May change state: only a failure before the request reached the service.
    OnlyUnsent,
}

impl Repeat {
    /// Whether a failed attempt may be sent again.
    fn allows(self, error: &Error) -> bool {
        match self {
            Repeat::AnyTransient => error.is_retryable(),
            Repeat::OnlyUnsent => error.provably_unsent(),
        }
    }

    /// The error a failed call of `operation` ends with: for an operation that may change state, a failure after
    /// which the service may have carried it out is [`Error::OutcomeUnknown`].
    pub(crate) fn settle(self, vendor: Vendor, operation: &str, error: Error) -> Error {
        match self {
            Repeat::OnlyUnsent if error.may_have_been_carried_out() => {
                Error::OutcomeUnknown { vendor, operation: operation.to_owned(), source: Box::new(error) }
            }
            _ => error,
        }
    }
}

/// Why one attempt failed, as the retry loop sees it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: Error,
    /// The server's `Retry-After`, if it sent one.
    pub(crate) retry_after: Option<Duration>,
    /// Repeat at once without spending a retry: the cause was fixed in between (Finovy refreshed its token).
    pub(crate) repeat_now: bool,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure { error, retry_after: None, repeat_now: false }
    }
}

/// The attempts of one call (or token exchange): each sends the request once and judges the response.
pub(crate) trait Attempts {
    /// What a successful attempt yields.
    type Output;

    /// Attempt number `number`, counting every attempt from 1.
    fn attempt(&mut self, number: u32) -> impl Future<Output = Result<Self::Output, Failure>> + Send;
}

/// Runs `attempts` until one succeeds, a failure may not be repeated (`repeat`), the policy's attempts are spent,
/// or the backoff before the next one would end past `until` (the call's deadline), sleeping per `policy` between
/// them. A failure marked `repeat_now` is repeated at once and does not count. Records the attempt number on the
/// current span (the call's, or the token exchange's).
pub(crate) async fn run<A: Attempts + Send>(
    policy: &RetryPolicy,
    repeat: Repeat,
    until: tokio::time::Instant,
    attempts: &mut A,
) -> Result<A::Output, Error> {
    let max_attempts = policy.attempts();
    let span = tracing::Span::current();
    let mut counted = 1u32;
    let mut number = 0u32;
    loop {
        number += 1;
        span.record("attempt", number);
        let failure = match attempts.attempt(number).await {
            Ok(info) => return Ok(info),
            Err(failure) => failure,
        };
        if failure.repeat_now {
            tracing::debug!(error = %failure.error, attempt = counted, "repeating at once");
            continue;
        }
        if counted < max_attempts && repeat.allows(&failure.error) {
            let delay = policy.delay(counted, failure.retry_after);
            // A delay the clock cannot add (a huge Retry-After under an unbounded `max_delay`) ends past any deadline.
            if tokio::time::Instant::now().checked_add(delay).is_none_or(|wake| wake >= until) {
                tracing::debug!(error = %failure.error, attempt = counted, ?delay, "no time left for a retry");
                return Err(failure.error);
            }
            tracing::debug!(error = %failure.error, attempt = counted, "retryable failure");
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            counted += 1;
            continue;
        }
        tracing::debug!(error = %failure.error, attempt = counted, "call failed");
        return Err(failure.error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_capped() {
        let p = RetryPolicy::new()
            .with_base_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(350))
            .with_jitter(false);
        assert_eq!(p.delay(1, None), Duration::from_millis(100));
        assert_eq!(p.delay(2, None), Duration::from_millis(200));
        assert_eq!(p.delay(3, None), Duration::from_millis(350));
        assert_eq!(p.delay(100, None), Duration::from_millis(350));
        assert_eq!(p.delay(1, Some(Duration::from_secs(60))), Duration::from_millis(350));
        assert_eq!(p.delay(1, Some(Duration::from_millis(5))), Duration::from_millis(5));
    }

    #[test]
    fn state_changes_are_repeated_only_when_unsent_and_otherwise_end_as_unknown_outcomes() {
        let refused = Error::unsent("cannot connect", std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        let reset = Error::transport("request failed", std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        let timeout = Error::Timeout { after: Duration::from_secs(1) };
        let status = |status| Error::status_error(status, b"", None);
        let busy = Error::Service {
            vendor: Vendor::UCloud,
            code: 153,
            message: String::new(),
            operation: "RestartUvodnNode".into(),
            request_id: None,
        };
        for error in [&refused, &reset, &timeout, &status(429), &status(503), &busy] {
            assert!(Repeat::AnyTransient.allows(error), "a read repeats any transient failure: {error:?}");
        }
        assert!(Repeat::OnlyUnsent.allows(&refused) && Repeat::OnlyUnsent.allows(&status(429)));
        for error in [&reset, &timeout, &status(503), &status(500), &busy, &status(400)] {
            assert!(!Repeat::OnlyUnsent.allows(error), "a state change is not repeated after {error:?}");
        }

        let settle = |repeat: Repeat, error: Error| repeat.settle(Vendor::UCloud, "RestartUvodnNode", error);
        let undecoded = Error::Decode {
            source: crate::decode::DecodeError::from_json(&serde_json::from_slice::<u8>(b"<html>").unwrap_err()),
            body: bytes::Bytes::from_static(b"<html>"),
            request_id: None,
        };
        let malformed = Error::malformed_status(Vendor::UCloud, "A", "no RetCode".into(), b"{}", None);
        for error in [
            reset,
            timeout,
            status(503),
            status(500),
            Error::Deadline { after: Duration::from_secs(1) },
            undecoded,
            malformed,
            Error::BodyTooLarge { limit: 1 },
            Error::Redirect { status: 303, location: None },
        ] {
            let settled = settle(Repeat::OnlyUnsent, error);
            assert!(settled.is_outcome_unknown(), "{settled:?}");
            assert_eq!(
                settled.to_string(),
                "UCloud RestartUvodnNode: outcome unknown: the request may have reached the service, so it is not \
                 repeated"
            );
            let Error::OutcomeUnknown { source, .. } = settled else { unreachable!() };
            assert!(!settle(Repeat::AnyTransient, *source).is_outcome_unknown(), "a read's failure is what it is");
        }
        // Known outcomes stay as they are: nothing sent, or the service said it failed.
        for error in [refused, status(429), status(404), busy] {
            assert!(!settle(Repeat::OnlyUnsent, error).is_outcome_unknown());
        }
    }

    #[test]
    fn jitter_within_bounds() {
        let p = RetryPolicy::new().with_base_delay(Duration::from_millis(100));
        for _ in 0..200 {
            let d = p.delay(2, None);
            assert!(d >= Duration::from_millis(100) && d <= Duration::from_millis(200));
        }
        // A honoured Retry-After is a floor: jitter only lengthens it, by up to half, within the cap.
        let after = Some(Duration::from_millis(100));
        let delays: Vec<Duration> = (0..200).map(|_| p.delay(1, after)).collect();
        assert!(delays.iter().all(|d| *d >= Duration::from_millis(100) && *d <= Duration::from_millis(150)));
        assert!(delays.iter().any(|d| *d != delays[0]), "no jitter: {:?}", delays[0]);
        let capped = p.clone().with_max_delay(Duration::from_millis(120));
        assert!((0..200).all(|_| capped.delay(1, after) <= Duration::from_millis(120)));
        assert_eq!(p.delay(1, Some(Duration::ZERO)), Duration::ZERO);
        assert_eq!(RetryPolicy::disabled().attempts(), 1);
        assert_eq!(RetryPolicy::new().with_max_attempts(0).attempts(), 1);
        assert_eq!(RetryPolicy::new().with_max_attempts(1000).max_attempts, RetryPolicy::MAX_ATTEMPTS);
        let mut direct = RetryPolicy::new();
        direct.max_attempts = u32::MAX;
        assert_eq!(direct.attempts(), RetryPolicy::MAX_ATTEMPTS);
    }
}
