//! A call hook that counts calls: every attempt the clients make and every response, by HTTP status class, with
//! the last request id (for a dashboard, or to quote to the vendor).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use docbind::runtime::{AttemptRequest, AttemptResponse, CallHook};

/// Counts attempts and responses. Put one in an `Arc`, give the `Arc` to `Config::with_hook` and keep a clone to
/// read the counts.
#[derive(Debug, Default)]
pub struct CallCounter {
    attempts: AtomicU64,
    successes: AtomicU64,
    failures: AtomicU64,
    last_request_id: Mutex<Option<String>>,
}

impl CallCounter {
    /// Attempts made (retries count, each one).
    pub fn attempts(&self) -> u64 {
        self.attempts.load(Ordering::Relaxed)
    }

    /// Responses with an HTTP status below 400 (a vendor error code inside a 200 counts here too).
    pub fn successes(&self) -> u64 {
        self.successes.load(Ordering::Relaxed)
    }

    /// Responses with an HTTP status of 400 or more.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// The request id of the latest response that had one.
    pub fn last_request_id(&self) -> Option<String> {
        self.last_request_id.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

impl CallHook for CallCounter {
    fn before_attempt(&self, _request: &mut AttemptRequest<'_>) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
    }

    fn after_response(&self, response: &AttemptResponse<'_>) {
        let counter = if response.status() < 400 { &self.successes } else { &self.failures };
        counter.fetch_add(1, Ordering::Relaxed);
        if let Some(id) = response.request_id() {
            *self.last_request_id.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(id.to_owned());
        }
    }
}
