//! What the blocking clients of generated crates (cargo feature `blocking`) run their calls on: a tokio runtime of
//! their own, one thread, on which each call is driven to its end while the calling thread waits.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::{Stream, StreamExt as _};

use crate::Error;

/// A blocking client's runtime: a current-thread tokio runtime with the I/O and time drivers calls need, shared by
/// the clones of a blocking client. Generated `blocking::Client`s hold one; applications rarely need it themselves.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Owned>,
}

/// The tokio runtime, shut down without waiting when the last blocking client goes (even from async code, where
/// dropping a runtime the ordinary way panics).
struct Owned(Option<tokio::runtime::Runtime>);

impl Drop for Owned {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl Runtime {
    /// A new runtime; fails only when the operating system refuses what tokio needs (a thread, a timer).
    pub fn new() -> Result<Runtime, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Config(format!("cannot start the blocking client's tokio runtime: {e}")))?;
        Ok(Runtime { inner: Arc::new(Owned(Some(runtime))) })
    }

    /// Runs `future` to its end, blocking the calling thread. Called where a tokio runtime is entered (a tokio
    /// worker, where blocking would stall the other tasks and which tokio refuses, but also a `spawn_blocking`
    /// thread) it runs nothing and fails with [`Error::Config`]: use the async client there.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Config(
                "a blocking client was called from async code (inside a tokio runtime): use the async Client there"
                    .into(),
            ));
        }
        match &self.inner.0 {
            Some(runtime) => Ok(runtime.block_on(future)),
            None => Err(Error::Config("the blocking client's runtime has shut down".into())),
        }
    }

    /// Runs a call (or a wait) to its end, blocking the calling thread: its result, with a [`WaitError`] or a
    /// refusal to block ([`Runtime::block_on`]) as an [`Error`].
    ///
    /// [`WaitError`]: crate::WaitError
    pub fn run<T, E>(&self, call: impl Future<Output = Result<T, E>>) -> Result<T, Error>
    where
        E: Into<Error>,
    {
        self.block_on(call)?.map_err(Into::into)
    }

    /// The items of `stream` as a blocking iterator: each `next` fetches what it needs (a page) first.
    pub fn iter<S, T>(&self, stream: S) -> Iter<S>
    where
        S: Stream<Item = Result<T, Error>> + Unpin,
    {
        Iter { runtime: self.clone(), stream, done: false }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("blocking::Runtime { .. }")
    }
}

/// A page stream as a blocking iterator ([`Runtime::iter`]): items, then at most one error, which ends it.
#[must_use = "an iterator fetches nothing until it is iterated"]
pub struct Iter<S> {
    runtime: Runtime,
    stream: S,
    done: bool,
}

impl<S, T> Iterator for Iter<S>
where
    S: Stream<Item = Result<T, Error>> + Unpin,
{
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = match self.runtime.block_on(self.stream.next()) {
            Ok(next) => next,
            Err(refused) => Some(Err(refused)),
        };
        self.done = !matches!(next, Some(Ok(_)));
        next
    }
}

impl<S> fmt::Debug for Iter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").field("done", &self.done).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_a_future_and_iterates_a_stream_until_its_first_error() {
        let runtime = Runtime::new().unwrap();
        assert_eq!(runtime.block_on(async { 7 }).unwrap(), 7);
        let items = futures::stream::iter(vec![Ok(1), Err(Error::InvalidRequest("bad".into())), Ok(3)]);
        let seen: Vec<String> = runtime.iter(items).map(|item| format!("{item:?}")).collect();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0], "Ok(1)");
    }

    #[tokio::test]
    async fn refuses_to_block_inside_an_async_context() {
        let runtime = Runtime::new().unwrap();
        let error = runtime.block_on(async { 7 }).unwrap_err();
        assert!(error.to_string().contains("from async code"), "{error}");
        drop(runtime); // shut down in the background: no panic from dropping a runtime in async code
    }
}
