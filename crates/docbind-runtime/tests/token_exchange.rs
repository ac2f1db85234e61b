//! Finovy's token exchange under failure and odd lifetimes, counted on a real server on 127.0.0.1: one exchange
//! (with its retries) serves every call waiting on it, success or failure; a failure is remembered for the
//! cooldown; an `effectiveTime` of 0 or below the refresh margin does not mean an exchange per call; and calls
//! that saw the same token refused replace it once.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::list_data;
use docbind_runtime::__private::finovy::{Call, Method, Operation};
use docbind_runtime::finovy::{Client, Config, Credentials};
use docbind_runtime::{Error, RetryPolicy};

static GET_LIST: Operation = Operation { name: "getList", idempotent: true };
const OK: &str = r#"{"code":0,"success":true,"data":{"data":[],"totalCounts":0}}"#;

fn token_body(token: &str, effective_ms: i64) -> String {
    format!(r#"{{"code":0,"success":true,"data":{{"token":"{token}","effectiveTime":{effective_ms}}}}}"#)
}

fn is_token_request(head: &str) -> bool {
    head.starts_with("POST /v1/auth/getToken ")
}

/// Counts token exchanges (requests to the token endpoint) and other requests.
#[derive(Clone, Default)]
struct Counts {
    exchanges: Arc<AtomicUsize>,
    calls: Arc<AtomicUsize>,
}

impl Counts {
    /// Counts the request, returning its number (0-based) among its kind.
    fn count(&self, head: &str) -> usize {
        let counter = if is_token_request(head) { &self.exchanges } else { &self.calls };
        counter.fetch_add(1, Ordering::SeqCst)
    }

    fn exchanges(&self) -> usize {
        self.exchanges.load(Ordering::SeqCst)
    }
}

fn client(base: &str, configure: impl FnOnce(Config) -> Config) -> Client {
    let credentials = Credentials::Exchange { uuid: "u-1".into(), secret: "s-1".into() };
    let retry = RetryPolicy::new()
        .with_max_attempts(3)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(5));
    Client::new(configure(Config::new(credentials).with_base_url(base).with_retry(retry))).unwrap()
}

async fn call(client: &Client) -> Result<(), Error> {
    client.call(&GET_LIST, Call::new(Method::Get, "v1/list"), list_data).await.map(|_| ())
}

#[tokio::test]
async fn concurrent_callers_share_one_failed_exchange_and_its_retries() {
    let counts = Counts::default();
    let seen = counts.clone();
    let base = common::scripted_server(move |head, _| {
        seen.count(&head);
        async { (503, r#"{"msg":"token service down"}"#.to_owned()) }
    })
    .await;
    let client = client(&base, |c| c);
    let started = Instant::now();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { call(&client).await })
        })
        .collect();
    for task in tasks {
        let err = task.await.unwrap().unwrap_err();
        assert!(matches!(err, Error::Auth { .. }), "{err:?}");
        let cause = std::error::Error::source(&err).and_then(|s| s.downcast_ref::<Arc<Error>>()).expect("the cause");
        assert_eq!(cause.status(), Some(503));
    }
    assert_eq!(counts.exchanges(), 3, "one exchange of three attempts for all twenty callers");
    assert_eq!(counts.calls.load(Ordering::SeqCst), 0);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_failing_exchange_is_retried_with_backoff() {
    let counts = Counts::default();
    let seen = counts.clone();
    let base = common::scripted_server(move |head, _| {
        let n = seen.count(&head);
        let answer = match (is_token_request(&head), n) {
            (true, 0) => (503, "{}".to_owned()),
            (true, 1) => (502, "{}".to_owned()),
            (true, _) => (200, token_body("tok", 1_800_000)),
            (false, _) => (200, OK.to_owned()),
        };
        async move { answer }
    })
    .await;
    call(&client(&base, |c| c)).await.unwrap();
    assert_eq!(counts.exchanges(), 3);
}

#[tokio::test]
async fn a_failed_exchange_is_remembered_for_the_cooldown() {
    let counts = Counts::default();
    let seen = counts.clone();
    let base = common::scripted_server(move |head, _| {
        seen.count(&head);
        async { (200, r#"{"code":1001,"success":false,"msg":"bad secret"}"#.to_owned()) }
    })
    .await;
    let cooldown = Duration::from_millis(300);
    let client = client(&base, |c| c.with_exchange_cooldown(cooldown));
    let first = call(&client).await.unwrap_err();
    assert_eq!(counts.exchanges(), 1, "a refusal is not retried");
    let started = Instant::now();
    for _ in 0..5 {
        let again = call(&client).await.unwrap_err();
        assert_eq!(again.to_string(), first.to_string());
        let code =
            std::error::Error::source(&again).and_then(|s| s.downcast_ref::<Arc<Error>>()).and_then(|e| e.code());
        assert_eq!(code, Some(1001), "the same cause");
    }
    assert!(started.elapsed() < cooldown, "remembered failures answer at once");
    assert_eq!(counts.exchanges(), 1, "no exchange within the cooldown");
    tokio::time::sleep(cooldown).await;
    call(&client).await.unwrap_err();
    assert_eq!(counts.exchanges(), 2, "a new exchange after it");
}

#[tokio::test]
async fn an_effective_time_of_zero_or_below_the_margin_does_not_exchange_per_call() {
    for effective_ms in [0, -5, 30_000, 59_999] {
        let counts = Counts::default();
        let seen = counts.clone();
        let base = common::scripted_server(move |head, _| {
            seen.count(&head);
            let body = if is_token_request(&head) { token_body("tok", effective_ms) } else { OK.to_owned() };
            async move { (200, body) }
        })
        .await;
        // The default refresh margin (60 s) is longer than these lifetimes.
        let client = client(&base, |c| c);
        for _ in 0..10 {
            call(&client).await.unwrap();
        }
        assert_eq!(counts.exchanges(), 1, "effectiveTime {effective_ms}");
        assert_eq!(counts.calls.load(Ordering::SeqCst), 10);
    }
}

#[tokio::test]
async fn two_concurrent_401s_with_the_same_token_cause_one_exchange() {
    // The exchange always returns the same token, so only knowing which exchange a token came from (not its
    // value) tells a second refusal of it from a refusal of its replacement.
    let counts = Counts::default();
    let seen = counts.clone();
    let both_refused = Arc::new(tokio::sync::Barrier::new(2));
    let base = common::scripted_server(move |head, _| {
        let n = seen.count(&head);
        let barrier = both_refused.clone();
        let token = is_token_request(&head);
        async move {
            if token {
                return (200, token_body("same-tok", 1_800_000));
            }
            if n < 2 {
                barrier.wait().await; // both calls are in flight with the first token
                return (401, r#"{"msg":"expired"}"#.to_owned());
            }
            (200, OK.to_owned())
        }
    })
    .await;
    let client = client(&base, |c| c);
    let (a, b) = tokio::join!(call(&client), call(&client));
    a.unwrap();
    b.unwrap();
    assert_eq!(counts.exchanges(), 2, "the first token, and one replacement for both refusals");
    assert_eq!(counts.calls.load(Ordering::SeqCst), 4);
}
