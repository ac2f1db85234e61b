//! `CallOptions`: one call's timeout, deadline and attempts, overriding the client's options for that call only,
//! against real servers on 127.0.0.1.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{decode_image, list_data};
use docbind_runtime::__private::finovy::{Call, Method, Operation};
use docbind_runtime::__private::ucloud::{Form, Operation as UCloudOperation};
use docbind_runtime::{finovy, ucloud, CallOptions, Error, RetryPolicy};

static GET_LIST: Operation = Operation { name: "getList", idempotent: true };
static GET_IMAGE: UCloudOperation = UCloudOperation::new("GetUvodnImage");

#[tokio::test]
async fn a_per_call_timeout_fires_where_the_clients_would_not() {
    let (base, accepted) = common::stalling_server().await;
    let ucloud = ucloud::Client::new(ucloud::Config::new("pub", "priv").with_base_url(&base)).unwrap();
    let finovy =
        finovy::Client::new(finovy::Config::new(finovy::Credentials::Token("t".into())).with_base_url(&base)).unwrap();

    // The client's own timeout (30 s) is still waiting after half a second.
    let waiting = tokio::time::timeout(Duration::from_millis(500), ucloud.call(&GET_IMAGE, Form::new(), decode_image));
    assert!(waiting.await.is_err(), "the client's default timeout fired");

    let quick = CallOptions::new().with_timeout(Duration::from_millis(200)).with_max_attempts(1);
    let started = Instant::now();
    let err = ucloud.call_with(&GET_IMAGE, Form::new(), decode_image, &quick).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(200)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    let started = Instant::now();
    let err = finovy.call_with(&GET_LIST, Call::new(Method::Get, "v1/x"), list_data, &quick).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(accepted.load(Ordering::SeqCst), 3, "one attempt per call");

    // The override is for that call only: the client still waits.
    let waiting = tokio::time::timeout(Duration::from_millis(300), ucloud.call(&GET_IMAGE, Form::new(), decode_image));
    assert!(waiting.await.is_err());
}

#[tokio::test]
async fn a_per_call_deadline_bounds_the_retries() {
    let (base, _) = common::stalling_server().await;
    let config = ucloud::Config::new("pub", "priv")
        .with_base_url(&base)
        .with_timeout(Duration::from_millis(100))
        .with_retry(RetryPolicy::new().with_max_attempts(10).with_base_delay(Duration::from_millis(1)));
    let client = ucloud::Client::new(config).unwrap();
    let options = CallOptions::new().with_deadline(Duration::from_millis(250));
    let started = Instant::now();
    let err = client.call_with(&GET_IMAGE, Form::new(), decode_image, &options).await.unwrap_err();
    assert!(matches!(err, Error::Deadline { after, .. } if after == Duration::from_millis(250)), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(900), "{:?}", started.elapsed());
}

#[tokio::test]
async fn per_call_attempts_override_the_retry_policy() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let base = common::scripted_server(move |_, _| {
        counted.fetch_add(1, Ordering::SeqCst);
        async { (503, "{}".to_owned()) }
    })
    .await;
    let config = ucloud::Config::new("pub", "priv")
        .with_base_url(&base)
        .with_retry(RetryPolicy::new().with_max_attempts(3).with_base_delay(Duration::from_millis(1)));
    let client = ucloud::Client::new(config).unwrap();
    let once = CallOptions::new().with_max_attempts(1);
    assert!(client.call_with(&GET_IMAGE, Form::new(), decode_image, &once).await.unwrap_err().status() == Some(503));
    assert_eq!(hits.swap(0, Ordering::SeqCst), 1);
    let five = CallOptions::new().with_max_attempts(5);
    client.call_with(&GET_IMAGE, Form::new(), decode_image, &five).await.unwrap_err();
    assert_eq!(hits.swap(0, Ordering::SeqCst), 5);
    client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 3, "the client's policy for other calls");

    let zero = CallOptions::new().with_timeout(Duration::ZERO);
    let err = client.call_with(&GET_IMAGE, Form::new(), decode_image, &zero).await.unwrap_err();
    assert!(matches!(&err, Error::Config(m) if m.contains("timeout")), "{err:?}");
}
