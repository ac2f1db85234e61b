//! The call a generated operation method returns: `.await` it as it is, or first override the client's settings
//! for this one call.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::decode::Decode;
use crate::{CallInfo, CallOptions, Error};

/// The future of one call, boxed so that [`PendingCall`] has a nameable type. It owns what it needs (the client
/// is shared, the request encoded), so it is `'static`.
pub type CallFuture<R> = Pin<Box<dyn Future<Output = Result<R, Error>> + Send + 'static>>;

/// Starts the call with the options it ends up with.
type Start<R> = Box<dyn FnOnce(CallOptions) -> CallFuture<R> + Send + 'static>;

/// An operation call, the future every generated operation method returns. `.await` it to make the call with the
/// client's settings, or override some of them for this call first (`with_*`, before it is first polled). Nothing
/// is sent until it is polled. It borrows neither the client (it holds a share of it) nor the request (that was
/// encoded already), so it is `'static` and `Send`: it can be stored, passed to `tokio::spawn` and joined later, or
/// go to `join!` and `select!`. It needs a tokio runtime to run on (the HTTP client and the timers are tokio's).
///
/// ```no_run
/// # use std::time::Duration;
/// # async fn run(client: &docbind_runtime::ucloud::Client, call: docbind_runtime::PendingCall<()>) -> Result<(), docbind_runtime::Error> {
/// // `call` is what a generated method returns, e.g. `client.get_uvodn_image(&request)`.
/// let response = call.with_timeout(Duration::from_secs(2)).with_max_attempts(1).await?;
/// # Ok(())
/// # }
/// ```
#[must_use = "a call does nothing until it is awaited"]
pub struct PendingCall<R> {
    operation: &'static str,
    options: CallOptions,
    state: State<R>,
}

/// Where a [`PendingCall`] is.
enum State<R> {
    /// Not polled yet: the call starts with the options set by then.
    Ready(Start<R>),
    Running(CallFuture<R>),
    Finished,
}

impl<R> PendingCall<R> {
    /// A call of `operation` that `call` makes with its final options; the response it returns is given the
    /// call's [`CallInfo`].
    pub(crate) fn new<F, Fut>(operation: &'static str, call: F) -> Self
    where
        R: Response + 'static,
        F: FnOnce(CallOptions) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(R, CallInfo), Error>> + Send + 'static,
    {
        let start: Start<R> = Box::new(move |options| {
            Box::pin(async move {
                let (mut response, info) = call(options).await?;
                if let Some(meta) = response.call_meta_mut() {
                    *meta = CallMeta(info);
                }
                Ok(response)
            })
        });
        PendingCall { operation, options: CallOptions::new(), state: State::Ready(start) }
    }

    /// The operation this call makes (UCloud action, Finovy operation name).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The overrides set so far.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// Replaces every override with `options`.
    pub fn with_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// The per-attempt timeout of this call ([`CallOptions::timeout`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// The deadline of this call, retries and backoff included ([`CallOptions::deadline`]).
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.options.deadline = Some(deadline);
        self
    }

    /// How many attempts this call may make; 1 disables retries ([`CallOptions::max_attempts`]).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.options.max_attempts = Some(max_attempts);
        self
    }
}

impl<R> Future for PendingCall<R> {
    type Output = Result<R, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Every field is `Unpin` (the running call is boxed).
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, State::Finished) {
                State::Ready(start) => this.state = State::Running(start(std::mem::take(&mut this.options))),
                State::Running(mut call) => {
                    return match call.as_mut().poll(cx) {
                        Poll::Ready(output) => Poll::Ready(output),
                        Poll::Pending => {
                            this.state = State::Running(call);
                            Poll::Pending
                        }
                    }
                }
                State::Finished => {
                    return Poll::Ready(Err(Error::InvalidRequest(format!(
                        "{}: this call has finished already (a call is awaited once)",
                        this.operation
                    ))))
                }
            }
        }
    }
}

impl<R> fmt::Debug for PendingCall<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingCall")
            .field("operation", &self.operation)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// What a generated response keeps of the call that returned it, for its `call_info()` and `request_id()`.
///
/// Equality ignores it: two responses are equal when the service returned the same data, whatever the request id
/// or the number of attempts (so a response that went through serde compares equal to the one decoded).
#[derive(Clone, Default)]
pub struct CallMeta(CallInfo);

impl CallMeta {
    /// The call's info; the default (no request id, 0 attempts) for a response that no call returned.
    pub fn info(&self) -> &CallInfo {
        &self.0
    }
}

impl PartialEq for CallMeta {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for CallMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// A generated response: where the call's [`CallInfo`] goes. Every [`Decode`] type is one, through its
/// [`fields`](Decode::fields) (a response's hand over its `_call` field, a model's nothing): one impl here rather
/// than one per generated response for rustc to check on every build.
pub trait Response: Send {
    /// The response's [`CallMeta`]; `None` for a type that keeps none.
    fn call_meta_mut(&mut self) -> Option<&mut CallMeta>;
}

impl<T: Decode> Response for T {
    fn call_meta_mut(&mut self) -> Option<&mut CallMeta> {
        self.fields(None).call
    }
}
