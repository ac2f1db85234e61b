//! Waiters: poll an operation until a resource reaches a state, within a deadline the caller sets.
//!
//! Generated `wait_until_*` methods (declared in a crate's `overlay.toml`) describe what to poll and which states
//! end the wait; the loop is here, once for every waiter: the first poll at once, then capped exponential backoff
//! with jitter, a failure state ends the wait at once, and the deadline bounds the whole wait including a poll in
//! flight. A poll that fails transiently after the call's own retries is repeated at the next interval; any other
//! failure ends the wait. Every error says the last state seen.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::transport::instant_after;
use crate::{Error, RetryPolicy};

/// How long and how often a waiter polls.
///
/// The first poll is immediate; the pause before poll `n + 1` is `initial_delay * 2^(n-1)`, capped at
/// `max_delay`, and with `jitter` drawn uniformly from `[pause/2, pause]`. The wait ends with
/// [`WaitError::DeadlineExceeded`] when the deadline passes, even in the middle of a poll.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitOptions {
    /// How long the whole wait may take, counted from its start, unless `deadline` is set. Default 10 minutes.
    pub timeout: Duration,
    /// A fixed point in time the wait must end by (overrides `timeout`).
    pub deadline: Option<std::time::Instant>,
    /// The pause after the first poll. Default 2 s.
    pub initial_delay: Duration,
    /// The longest pause between two polls. Default 20 s.
    pub max_delay: Duration,
    /// Randomise pauses so that many waiters do not poll in step. Default `true`.
    pub jitter: bool,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            timeout: Duration::from_secs(600),
            deadline: None,
            initial_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(20),
            jitter: true,
        }
    }
}

impl WaitOptions {
    /// The defaults: 10 minutes, pauses from 2 s doubling up to 20 s, with jitter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how long the wait may take from its start.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.deadline = None;
        self
    }

    /// Sets the point in time the wait must end by.
    #[must_use]
    pub fn with_deadline(mut self, deadline: std::time::Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the pause after the first poll.
    #[must_use]
    pub fn with_initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Sets the longest pause between polls.
    #[must_use]
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Enables or disables jitter.
    #[must_use]
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The pause before poll `polls + 1`, after `polls` polls (at least one): the same capped, jittered doubling
    /// as the pause between retries.
    fn pause_after(&self, polls: u32) -> Duration {
        let pace = RetryPolicy::new()
            .with_base_delay(self.initial_delay)
            .with_max_delay(self.max_delay)
            .with_jitter(self.jitter);
        pace.delay(polls, None)
    }
}

/// Why a wait ended without the resource reaching a success state. Each variant names the waiter (the
/// `wait_until_<name>` method's `<name>`), how many polls were made, and the last state seen, as its wire value
/// (a generated enum's `from_wire` turns it into a variant).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The resource reached a state the waiter fails on (such as "abnormal"): waiting longer would not help.
    #[error("waiting until {waiter}: the resource reached state {state}, which ends the wait as a failure")]
    #[non_exhaustive]
    FailureState {
        /// The waiter.
        waiter: &'static str,
        /// The state reached: the last one seen.
        state: String,
        /// Polls made.
        polls: u32,
    },

    /// The polled operation no longer lists the resource, and this waiter fails on that.
    #[error("waiting until {waiter}: the resource is gone{}", LastState(last_state.as_deref()))]
    #[non_exhaustive]
    Gone {
        /// The waiter.
        waiter: &'static str,
        /// The last state seen before it was gone.
        last_state: Option<String>,
        /// Polls made.
        polls: u32,
    },

    /// The deadline passed before the resource reached a success state.
    #[error("waiting until {waiter}: the deadline passed after {polls} poll(s){}", LastState(last_state.as_deref()))]
    #[non_exhaustive]
    DeadlineExceeded {
        /// The waiter.
        waiter: &'static str,
        /// The last state seen.
        last_state: Option<String>,
        /// Polls made.
        polls: u32,
    },

    /// The polled operation did not list the resource, but listed others (or reported more in all than it listed):
    /// the server did not filter by the resource's id, so its absence says nothing, and the waiter cannot tell
    /// whether it is gone.
    #[error(
        "waiting until {waiter}: the response lists {listed} other item(s){} and not this one: the server did not \
         filter by its id, so whether it is gone cannot be told{}",
        TotalShown(*total),
        LastState(last_state.as_deref())
    )]
    #[non_exhaustive]
    Unfiltered {
        /// The waiter.
        waiter: &'static str,
        /// The last state seen.
        last_state: Option<String>,
        /// Polls made.
        polls: u32,
        /// How many items the response listed.
        listed: usize,
        /// The total it reported, if any.
        total: Option<i64>,
    },

    /// A poll failed with an error that is not transient (a transient one is polled again).
    #[error("waiting until {waiter}: polling failed{}", LastState(last_state.as_deref()))]
    #[non_exhaustive]
    Poll {
        /// The waiter.
        waiter: &'static str,
        /// The last state seen before the failure.
        last_state: Option<String>,
        /// Polls made, including the one that failed.
        polls: u32,
        /// The poll's error (boxed: [`Error`] is large, and this is rare).
        #[source]
        source: Box<Error>,
    },
}

struct LastState<'a>(Option<&'a str>);

struct TotalShown(Option<i64>);

impl fmt::Display for TotalShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(total) => write!(f, " (total {total})"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for LastState<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(state) => write!(f, " (last state {state})"),
            None => f.write_str(" (no state seen)"),
        }
    }
}

impl WaitError {
    /// The waiter's name (`node_running` for `wait_until_node_running`).
    pub fn waiter(&self) -> &'static str {
        match self {
            WaitError::FailureState { waiter, .. }
            | WaitError::Gone { waiter, .. }
            | WaitError::DeadlineExceeded { waiter, .. }
            | WaitError::Unfiltered { waiter, .. }
            | WaitError::Poll { waiter, .. } => waiter,
        }
    }

    /// The last state seen, as its wire value.
    pub fn last_state(&self) -> Option<&str> {
        match self {
            WaitError::FailureState { state, .. } => Some(state),
            WaitError::Gone { last_state, .. }
            | WaitError::DeadlineExceeded { last_state, .. }
            | WaitError::Unfiltered { last_state, .. }
            | WaitError::Poll { last_state, .. } => last_state.as_deref(),
        }
    }

    /// How many polls were made.
    pub fn polls(&self) -> u32 {
        match self {
            WaitError::FailureState { polls, .. }
            | WaitError::Gone { polls, .. }
            | WaitError::DeadlineExceeded { polls, .. }
            | WaitError::Unfiltered { polls, .. }
            | WaitError::Poll { polls, .. } => *polls,
        }
    }
}

impl From<WaitError> for Error {
    fn from(error: WaitError) -> Self {
        Error::Wait(Box::new(error))
    }
}

/// A waiter as generated code declares it: which states end the wait, and what a missing resource means.
#[derive(Debug)]
pub struct Waiter {
    /// The name in `wait_until_<name>`.
    pub name: &'static str,
    /// States (wire values) that end the wait successfully.
    pub success: &'static [&'static str],
    /// States that end it with [`WaitError::FailureState`].
    pub failure: &'static [&'static str],
    /// What it means when the polled operation does not list the resource.
    pub missing: Missing,
}

/// What a waiter does when a poll does not find the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Poll again: the resource may not be listed yet.
    Wait,
    /// The wait is over: the resource is gone, which is what it waited for.
    Success,
    /// The wait failed with [`WaitError::Gone`].
    Failure,
}

/// What one poll found.
#[derive(Debug)]
pub enum Seen<T> {
    /// The resource, and its state (`None` when the response leaves it out).
    Found {
        /// The state's wire value.
        state: Option<String>,
        /// What the waiter returns when this state ends the wait.
        item: T,
    },
    /// The polled operation does not list the resource, and lists nothing else: it filtered by the resource's id.
    Missing,
    /// The polled operation does not list the resource but lists others, or reports more in all than it lists: it
    /// did not filter by the resource's id, so the resource may well exist.
    Unfiltered {
        /// How many items it listed.
        listed: usize,
        /// The total it reported, if any.
        total: Option<i64>,
    },
}

/// What a poll's response says of the resource: the item of `items` (the response's list; `total` its total
/// count, if it reports one) that `is_it` picks, with its `state`; else missing only when the response lists
/// nothing and counts nothing, as a response filtered by the resource's id does. A response that lists or counts
/// other items did not filter, and says nothing of this one ([`Seen::Unfiltered`]).
pub fn seen_in<T>(
    items: Vec<T>,
    total: Option<i64>,
    is_it: impl Fn(&T) -> bool,
    state: impl FnOnce(&T) -> Option<String>,
) -> Seen<T> {
    let listed = items.len();
    match items.into_iter().find(|item| is_it(item)) {
        Some(item) => Seen::Found { state: state(&item), item },
        None if listed == 0 && total.is_none_or(|total| total <= 0) => Seen::Missing,
        None => Seen::Unfiltered { listed, total },
    }
}

/// Polls until the resource reaches a success state, and returns it as last seen. A waiter whose `missing` is
/// [`Missing::Success`] uses [`until_state_or_gone`]; here a missing resource that ends the wait is
/// [`WaitError::Gone`].
pub async fn until_state<T, F, Fut>(waiter: &'static Waiter, options: &WaitOptions, poll: F) -> Result<T, WaitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Seen<T>, Error>>,
{
    let mut progress = Progress::start(waiter, options);
    match run(&mut progress, poll).await? {
        Some(item) => Ok(item),
        None => Err(progress.gone()),
    }
}

/// Polls until the resource reaches a success state (`Some`, as last seen) or is gone (`None`).
pub async fn until_state_or_gone<T, F, Fut>(
    waiter: &'static Waiter,
    options: &WaitOptions,
    poll: F,
) -> Result<Option<T>, WaitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Seen<T>, Error>>,
{
    run(&mut Progress::start(waiter, options), poll).await
}

/// The loop: `Some(item)` when a success state is seen, `None` when the resource is missing and that ends the
/// wait successfully.
async fn run<T, F, Fut>(progress: &mut Progress, mut poll: F) -> Result<Option<T>, WaitError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Seen<T>, Error>>,
{
    loop {
        let result = tokio::time::timeout_at(progress.deadline, poll()).await;
        progress.polls += 1;
        match result {
            Err(_elapsed) => return Err(progress.deadline_exceeded()),
            Ok(Err(error)) => progress.poll_failed(error)?,
            Ok(Ok(Seen::Missing)) => {
                if progress.missing()? {
                    return Ok(None);
                }
            }
            Ok(Ok(Seen::Unfiltered { listed, total })) => progress.unfiltered(listed, total)?,
            Ok(Ok(Seen::Found { state, item })) => {
                if progress.reached(state)? {
                    return Ok(Some(item));
                }
            }
        }
        progress.pause().await?;
    }
}

/// Where one wait stands: what it waits for, until when, and what it has seen. Not generic, so the waiters of
/// every crate share it.
struct Progress {
    waiter: &'static Waiter,
    options: WaitOptions,
    deadline: Instant,
    polls: u32,
    last_state: Option<String>,
}

impl Progress {
    fn start(waiter: &'static Waiter, options: &WaitOptions) -> Self {
        let now = Instant::now();
        let deadline = match options.deadline {
            // Measured against the std clock, applied on tokio's (they agree unless tokio's is paused in tests).
            Some(at) => instant_after(now, at.saturating_duration_since(std::time::Instant::now())),
            None => instant_after(now, options.timeout),
        };
        Progress { waiter, options: options.clone(), deadline, polls: 0, last_state: None }
    }

    /// Whether `state` ends the wait: `Ok(true)` on success, an error on a failure state.
    fn reached(&mut self, state: Option<String>) -> Result<bool, WaitError> {
        let Some(state) = state else { return Ok(false) };
        tracing::debug!(waiter = self.waiter.name, state = %state, polls = self.polls, "waiter polled");
        let success = self.waiter.success.contains(&state.as_str());
        let failure = self.waiter.failure.contains(&state.as_str());
        self.last_state = Some(state);
        if failure {
            let state = self.last_state.clone().unwrap_or_default();
            return Err(WaitError::FailureState { waiter: self.waiter.name, state, polls: self.polls });
        }
        Ok(success)
    }

    /// Whether a missing resource ends the wait: `Ok(true)` on success, an error if the waiter fails on it.
    fn missing(&self) -> Result<bool, WaitError> {
        tracing::debug!(waiter = self.waiter.name, polls = self.polls, "waiter polled: the resource is not listed");
        match self.waiter.missing {
            Missing::Wait => Ok(false),
            Missing::Success => Ok(true),
            Missing::Failure => Err(self.gone()),
        }
    }

    /// A response that did not filter by the resource's id: polled again by a waiter that waits while the
    /// resource is missing, the end of a wait that a missing resource would end (its absence proves nothing).
    fn unfiltered(&self, listed: usize, total: Option<i64>) -> Result<(), WaitError> {
        tracing::debug!(waiter = self.waiter.name, listed, ?total, "waiter polled: the response was not filtered");
        match self.waiter.missing {
            Missing::Wait => Ok(()),
            Missing::Success | Missing::Failure => Err(WaitError::Unfiltered {
                waiter: self.waiter.name,
                last_state: self.last_state.clone(),
                polls: self.polls,
                listed,
                total,
            }),
        }
    }

    /// A transient failure (the call's own retries did not overcome it) is polled again; any other ends the wait.
    fn poll_failed(&self, error: Error) -> Result<(), WaitError> {
        if error.is_retryable() {
            tracing::debug!(waiter = self.waiter.name, error = %error, "waiter poll failed transiently");
            return Ok(());
        }
        Err(WaitError::Poll {
            waiter: self.waiter.name,
            last_state: self.last_state.clone(),
            polls: self.polls,
            source: Box::new(error),
        })
    }

    /// Sleeps before the next poll, or ends the wait when the deadline comes first.
    async fn pause(&self) -> Result<(), WaitError> {
        let wake = instant_after(Instant::now(), self.options.pause_after(self.polls));
        tokio::time::sleep_until(wake.min(self.deadline)).await;
        if wake >= self.deadline {
            return Err(self.deadline_exceeded());
        }
        Ok(())
    }

    fn gone(&self) -> WaitError {
        WaitError::Gone { waiter: self.waiter.name, last_state: self.last_state.clone(), polls: self.polls }
    }

    fn deadline_exceeded(&self) -> WaitError {
        WaitError::DeadlineExceeded { waiter: self.waiter.name, last_state: self.last_state.clone(), polls: self.polls }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    static RUNNING: Waiter =
        Waiter { name: "node_running", success: &["4"], failure: &["10", "11"], missing: Missing::Wait };
    static DELETED: Waiter =
        Waiter { name: "node_deleted", success: &["10"], failure: &["11"], missing: Missing::Success };

    fn quick() -> WaitOptions {
        WaitOptions::new()
            .with_timeout(Duration::from_secs(60))
            .with_initial_delay(Duration::from_secs(1))
            .with_max_delay(Duration::from_secs(4))
            .with_jitter(false)
    }

    /// When each poll happened.
    type PollTimes = std::sync::Arc<std::sync::Mutex<Vec<Instant>>>;

    /// A poll that reports `states` in turn (`None`: not listed), then the last one forever, recording when each
    /// poll happened. The item is the poll's number, from 0.
    fn script(
        states: &'static [Option<&'static str>],
    ) -> (impl FnMut() -> std::future::Ready<Result<Seen<u32>, Error>>, PollTimes) {
        let times = PollTimes::default();
        let seen = times.clone();
        let polls = AtomicU32::new(0);
        let poll = move || {
            let n = polls.fetch_add(1, Ordering::SeqCst);
            seen.lock().expect("not poisoned").push(Instant::now());
            let state = states[(n as usize).min(states.len() - 1)];
            std::future::ready(Ok(match state {
                Some(state) => Seen::Found { state: Some(state.to_owned()), item: n },
                None => Seen::Missing,
            }))
        };
        (poll, times)
    }

    #[tokio::test(start_paused = true)]
    async fn polls_with_capped_backoff_until_a_success_state() {
        let (poll, times) = script(&[None, Some("1"), Some("3"), Some("3"), Some("3"), Some("4")]);
        let start = Instant::now();
        let item = until_state(&RUNNING, &quick(), poll).await.expect("reached");
        assert_eq!(item, 5, "the item of the poll that saw the success state");
        let offsets: Vec<u64> = times.lock().unwrap().iter().map(|t| (*t - start).as_secs()).collect();
        // Immediately, then pauses of 1, 2, 4, 4 (capped), 4 s.
        assert_eq!(offsets, [0, 1, 3, 7, 11, 15]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_resource_missing_from_a_response_that_did_not_filter_by_its_id_is_not_gone() {
        let node = |id: &str, state: &str| (id.to_owned(), state.to_owned());
        let poll = |items: Vec<(String, String)>, total: Option<i64>| {
            let seen = seen_in(items, total, |(id, _)| id == "n-1", |(_, state)| Some(state.clone()));
            move || std::future::ready(Ok::<_, Error>(seen_clone(&seen)))
        };
        // The server ignored the id: it lists other nodes, or counts 500 of them.
        for (items, total) in [(vec![node("n-2", "4")], None), (vec![], Some(500)), (vec![node("n-3", "4")], Some(500))]
        {
            let listed = items.len();
            let err = until_state_or_gone(&DELETED, &quick(), poll(items, total)).await.expect_err("not gone");
            assert!(
                matches!(err, WaitError::Unfiltered { listed: l, total: t, polls: 1, .. } if l == listed && t == total),
                "{err:?}"
            );
            assert!(err.to_string().contains("did not filter by its id"), "{err}");
        }
        // Filtered: nothing listed, nothing (or 0) counted.
        for total in [None, Some(0)] {
            assert!(until_state_or_gone(&DELETED, &quick(), poll(vec![], total)).await.expect("gone").is_none());
        }
        // Found among others: its state counts.
        let both = poll(vec![node("n-2", "4"), node("n-1", "10")], Some(2));
        let found = until_state_or_gone(&DELETED, &quick(), both).await.expect("deleted");
        assert_eq!(found, Some(node("n-1", "10")));
        // A waiter that waits while the resource is missing polls on, to its deadline.
        let short = quick().with_timeout(Duration::from_secs(5));
        let err = until_state(&RUNNING, &short, poll(vec![node("n-2", "4")], Some(9))).await.expect_err("deadline");
        assert!(matches!(err, WaitError::DeadlineExceeded { .. }), "{err:?}");
    }

    fn seen_clone(seen: &Seen<(String, String)>) -> Seen<(String, String)> {
        match seen {
            Seen::Found { state, item } => Seen::Found { state: state.clone(), item: item.clone() },
            Seen::Missing => Seen::Missing,
            Seen::Unfiltered { listed, total } => Seen::Unfiltered { listed: *listed, total: *total },
        }
    }

    #[tokio::test(start_paused = true)]
    async fn durations_too_large_for_the_clock_mean_no_limit() {
        let huge = quick().with_timeout(Duration::MAX).with_max_delay(Duration::MAX);
        let (poll, times) = script(&[Some("1"), Some("4")]);
        assert_eq!(until_state(&RUNNING, &huge, poll).await.expect("reached"), 1);
        assert_eq!(times.lock().unwrap().len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_state_ends_the_wait_at_once_with_that_state() {
        let (poll, times) = script(&[Some("1"), Some("11"), Some("4")]);
        let err = until_state(&RUNNING, &quick(), poll).await.expect_err("abnormal");
        assert!(matches!(err, WaitError::FailureState { ref state, polls: 2, .. } if state == "11"), "{err:?}");
        assert_eq!(err.last_state(), Some("11"));
        assert_eq!(times.lock().unwrap().len(), 2, "no poll after the failure state");
        assert_eq!(
            err.to_string(),
            "waiting until node_running: the resource reached state 11, which ends the wait as a failure"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_ends_the_wait_with_the_last_state_seen() {
        let (poll, _) = script(&[Some("1"), Some("3")]);
        let start = Instant::now();
        let err =
            until_state(&RUNNING, &quick().with_timeout(Duration::from_secs(10)), poll).await.expect_err("too slow");
        assert!(matches!(err, WaitError::DeadlineExceeded { .. }), "{err:?}");
        assert_eq!(err.last_state(), Some("3"));
        assert_eq!(Instant::now() - start, Duration::from_secs(10), "it returns at the deadline, not later");
        assert_eq!(
            err.to_string(),
            format!("waiting until node_running: the deadline passed after {} poll(s) (last state 3)", err.polls())
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_poll_in_flight_at_the_deadline_is_abandoned() {
        let start = Instant::now();
        let poll = || async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(Seen::Found { state: Some("4".to_owned()), item: () })
        };
        let err = until_state(&RUNNING, &quick().with_timeout(Duration::from_secs(5)), poll).await.expect_err("hangs");
        assert!(matches!(err, WaitError::DeadlineExceeded { polls: 1, last_state: None, .. }), "{err:?}");
        assert_eq!(Instant::now() - start, Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn gone_is_success_or_failure_as_the_waiter_says() {
        let (poll, _) = script(&[Some("9"), None]);
        assert_eq!(until_state_or_gone(&DELETED, &quick(), poll).await.expect("gone"), None);
        let (poll, _) = script(&[Some("9"), Some("10")]);
        assert_eq!(until_state_or_gone(&DELETED, &quick(), poll).await.expect("deleted"), Some(1));

        static STRICT: Waiter = Waiter { name: "listed", success: &["4"], failure: &[], missing: Missing::Failure };
        let (poll, _) = script(&[Some("2"), None]);
        let err = until_state(&STRICT, &quick(), poll).await.expect_err("gone");
        assert!(matches!(err, WaitError::Gone { ref last_state, polls: 2, .. } if last_state.as_deref() == Some("2")));
        // A state-waiter whose resource vanishes and that would count that as success still does not invent one.
        let (poll, _) = script(&[None]);
        assert!(matches!(until_state(&DELETED, &quick(), poll).await, Err(WaitError::Gone { .. })));
    }

    #[tokio::test(start_paused = true)]
    async fn transient_poll_failures_are_polled_again_others_end_the_wait() {
        let polls = AtomicU32::new(0);
        let flaky = || {
            let n = polls.fetch_add(1, Ordering::SeqCst);
            std::future::ready(match n {
                0 => Ok(Seen::Found { state: Some("3".to_owned()), item: n }),
                1 => Err(Error::Timeout { after: Duration::from_secs(1) }),
                _ => Ok(Seen::Found { state: Some("4".to_owned()), item: n }),
            })
        };
        assert_eq!(until_state(&RUNNING, &quick(), flaky).await.expect("recovers"), 2);

        let polls = AtomicU32::new(0);
        let broken = || {
            let n = polls.fetch_add(1, Ordering::SeqCst);
            std::future::ready(match n {
                0 => Ok(Seen::Found { state: Some("3".to_owned()), item: () }),
                _ => Err(Error::Config("refused".into())),
            })
        };
        let err = until_state(&RUNNING, &quick(), broken).await.expect_err("not transient");
        assert!(
            matches!(&err, WaitError::Poll { polls: 2, source, .. } if matches!(**source, Error::Config(_))),
            "{err:?}"
        );
        assert_eq!(err.last_state(), Some("3"));
        let as_error = Error::from(err);
        assert!(
            as_error.to_string().starts_with("waiting until node_running: polling failed (last state 3)"),
            "{as_error}"
        );
    }

    #[test]
    fn pauses_double_up_to_the_cap_and_jitter_stays_within_half() {
        let options = quick();
        let pauses: Vec<u64> = (1..=5).map(|n| options.pause_after(n).as_secs()).collect();
        assert_eq!(pauses, [1, 2, 4, 4, 4]);
        let jittered = quick().with_jitter(true);
        for _ in 0..100 {
            let pause = jittered.pause_after(3);
            assert!(pause >= Duration::from_secs(2) && pause <= Duration::from_secs(4), "{pause:?}");
        }
    }
}
