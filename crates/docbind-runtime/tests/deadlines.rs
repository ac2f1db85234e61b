//! Deadlines and bounds: a connect timeout, a deadline for the whole call (attempts, backoff and the token
//! exchange), and a cap on attempts, each against a real server on 127.0.0.1.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{decode_image, list_data};
use docbind_runtime::__private::finovy::{Call, Method, Operation};
use docbind_runtime::__private::ucloud::{Form, Operation as UCloudOperation};
use docbind_runtime::{finovy, ucloud, Error, RetryPolicy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET_LIST: Operation = Operation { name: "getList", idempotent: true };
static GET_IMAGE: UCloudOperation = UCloudOperation::new("GetUvodnImage");

fn quick_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::new()
        .with_max_attempts(attempts)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(2))
}

fn ucloud_client(base: &str, configure: impl FnOnce(ucloud::Config) -> ucloud::Config) -> ucloud::Client {
    ucloud::Client::new(configure(ucloud::Config::new("pub", "priv").with_base_url(base))).unwrap()
}

fn finovy_client(
    base: &str,
    credentials: finovy::Credentials,
    configure: impl FnOnce(finovy::Config) -> finovy::Config,
) -> finovy::Client {
    finovy::Client::new(configure(finovy::Config::new(credentials).with_base_url(base))).unwrap()
}

/// Asserts `started.elapsed()` is within `[low, high]`.
fn took(started: Instant, low: Duration, high: Duration) {
    let took = started.elapsed();
    assert!(took >= low && took <= high, "took {took:?}, expected {low:?}..={high:?}");
}

#[tokio::test]
async fn a_stalled_server_fails_at_the_deadline_not_after_every_attempt() {
    let (base, accepted) = common::stalling_server().await;
    let deadline = Duration::from_millis(300);
    let slow =
        |c: ucloud::Config| c.with_timeout(Duration::from_secs(5)).with_deadline(deadline).with_retry(quick_retries(3));
    let started = Instant::now();
    let err = ucloud_client(&base, slow).call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    took(started, deadline, Duration::from_millis(1500));
    assert!(matches!(err, Error::Deadline { after, .. } if after == deadline), "{err:?}");
    assert!(err.to_string().contains("deadline"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "the first attempt was still waiting");

    let token = finovy::Credentials::Token("t".into());
    let client = finovy_client(&base, token, |c| {
        c.with_timeout(Duration::from_secs(5)).with_deadline(deadline).with_retry(quick_retries(3))
    });
    let started = Instant::now();
    let err = client.call(&GET_LIST, Call::new(Method::Get, "v1/x"), list_data).await.unwrap_err();
    took(started, deadline, Duration::from_millis(1500));
    assert!(matches!(err, Error::Deadline { .. }), "{err:?}");
}

#[tokio::test]
async fn the_token_exchange_counts_against_the_deadline() {
    let (base, accepted) = common::stalling_server().await;
    let deadline = Duration::from_millis(300);
    let credentials = finovy::Credentials::Exchange { uuid: "u".into(), secret: "s".into() };
    let client = finovy_client(&base, credentials, |c| {
        c.with_timeout(Duration::from_secs(5)).with_deadline(deadline).with_retry(quick_retries(3))
    });
    let started = Instant::now();
    let err = client.call(&GET_LIST, Call::new(Method::Get, "v1/x"), list_data).await.unwrap_err();
    took(started, deadline, Duration::from_millis(1500));
    assert!(matches!(err, Error::Deadline { .. }), "{err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "only the token exchange was tried");
}

/// Durations too large for the clock (`Duration::MAX`, `u64::MAX` seconds from the environment or a profile) mean
/// "no limit": the calls made with them succeed, none panics.
#[tokio::test]
async fn durations_too_large_for_the_clock_mean_no_limit() {
    const OK: &str = r#"{"RetCode":0,"ImageList":[{"ImageId":"i-1"}]}"#;
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_string(OK)).mount(&server).await;
    let huge = Duration::MAX;
    let settings: [fn(ucloud::Config) -> ucloud::Config; 4] = [
        |c| c.with_timeout(Duration::MAX),
        |c| c.with_deadline(Duration::MAX),
        |c| c.with_connect_timeout(Duration::MAX),
        |c| c.with_timeout(Duration::MAX).with_deadline(Duration::MAX).with_connect_timeout(Duration::MAX),
    ];
    for configure in settings {
        let client = ucloud_client(&server.uri(), configure);
        let (image, _) = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap();
        assert_eq!(image.image_list[0].image_id.as_deref(), Some("i-1"));
    }
    let per_call = docbind_runtime::CallOptions::new().with_timeout(huge).with_deadline(huge);
    let client = ucloud_client(&server.uri(), |c| c);
    client.call_with(&GET_IMAGE, Form::new(), decode_image, &per_call).await.unwrap();

    // From the environment, and from config.json.
    let home = std::env::temp_dir().join(format!("docbind-huge-timeout-{}", std::process::id()));
    std::fs::create_dir_all(home.join(".ucloud")).unwrap();
    let profile = format!(r#"[{{"profile":"default","base_url":"{}","timeout_sec":{}}}]"#, server.uri(), i64::MAX);
    std::fs::write(home.join(".ucloud/config.json"), profile).unwrap();
    let mut vars: std::collections::HashMap<String, String> = [
        ("HOME", home.display().to_string()),
        ("UCLOUD_PUBLIC_KEY", "pub".into()),
        ("UCLOUD_PRIVATE_KEY", "priv".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = ucloud::Config::from_env_map(&vars).unwrap();
    assert_eq!(config.http.timeout, Duration::from_secs(i64::MAX as u64));
    ucloud::Client::new(config).unwrap().call(&GET_IMAGE, Form::new(), decode_image).await.unwrap();
    vars.insert("UCLOUD_TIMEOUT_SECOND".into(), u64::MAX.to_string());
    let config = ucloud::Config::from_env_map(&vars).unwrap();
    assert_eq!(config.http.timeout, Duration::from_secs(u64::MAX));
    ucloud::Client::new(config).unwrap().call(&GET_IMAGE, Form::new(), decode_image).await.unwrap();
    let _ = std::fs::remove_dir_all(&home);

    // Finovy, and its token exchange, with the same durations and a token "valid" for i64::MAX milliseconds.
    let finovy_server = MockServer::start().await;
    let token = format!(r#"{{"code":0,"success":true,"data":{{"token":"t","effectiveTime":{}}}}}"#, i64::MAX);
    Mock::given(wiremock::matchers::path("/v1/auth/getToken"))
        .respond_with(ResponseTemplate::new(200).set_body_string(token))
        .mount(&finovy_server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"code":0,"success":true,"data":{"data":[]}}"#))
        .mount(&finovy_server)
        .await;
    let exchange = finovy::Credentials::Exchange { uuid: "u".into(), secret: "s".into() };
    let client = finovy_client(&finovy_server.uri(), exchange, |c| {
        c.with_timeout(huge).with_deadline(huge).with_exchange_cooldown(huge).with_refresh_margin(huge)
    });
    for _ in 0..2 {
        client.call(&GET_LIST, Call::new(Method::Get, "v1/x"), list_data).await.unwrap();
    }
}

/// A Retry-After too large for the clock, under a policy without a cap, ends the call at once with the last
/// attempt's error: the backoff would pass any deadline.
#[tokio::test]
async fn a_retry_after_too_large_for_the_clock_is_not_slept() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(503).insert_header("Retry-After", u64::MAX.to_string()).set_body_string("busy"),
        )
        .mount(&server)
        .await;
    for jitter in [true, false] {
        let retry = RetryPolicy::new().with_max_attempts(3).with_max_delay(Duration::MAX).with_jitter(jitter);
        let client = ucloud_client(&server.uri(), |c| c.with_deadline(Duration::MAX).with_retry(retry));
        let started = Instant::now();
        let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
        took(started, Duration::ZERO, Duration::from_secs(2));
        assert_eq!(err.status(), Some(503), "{err:?}");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_backoff_that_would_pass_the_deadline_is_not_slept() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "5").set_body_string("busy"))
        .mount(&server)
        .await;
    let retry = RetryPolicy::new().with_max_attempts(3).with_max_delay(Duration::from_secs(10)).with_jitter(false);
    let client = ucloud_client(&server.uri(), |c| c.with_deadline(Duration::from_secs(2)).with_retry(retry));
    let started = Instant::now();
    let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    took(started, Duration::ZERO, Duration::from_secs(1));
    assert_eq!(err.status(), Some(503), "the last attempt's error, not a deadline: {err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn attempts_are_capped_at_ten() {
    assert_eq!(RetryPolicy::MAX_ATTEMPTS, 10);
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let mut direct = quick_retries(1);
    direct.max_attempts = 1000;
    for policy in [quick_retries(50), direct] {
        server.reset().await;
        Mock::given(any()).respond_with(ResponseTemplate::new(503)).mount(&server).await;
        let client = ucloud_client(&server.uri(), |c| c.with_retry(policy));
        let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert_eq!(server.received_requests().await.unwrap().len(), 10);
    }
}

#[tokio::test]
async fn a_connection_that_cannot_open_fails_at_the_connect_timeout() {
    let (base, _listener) = common::unopenable_listener().await;
    let connect_timeout = Duration::from_millis(200);
    let client = ucloud_client(&base, |c| {
        c.with_timeout(Duration::from_secs(5)).with_connect_timeout(connect_timeout).with_retry(RetryPolicy::disabled())
    });
    let started = Instant::now();
    let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    took(started, connect_timeout, Duration::from_millis(1500));
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.to_string(), "transport error: cannot connect within 200ms");
    assert!(err.is_retryable());
}
