//! The application's own `reqwest::Client` (`with_http_client`): its default headers reach the server, and
//! docbind's protections hold although such a client follows redirects: credentials never reach another host,
//! and a response from another origin is refused.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::time::Duration;

use common::{decode_image, list_data};
use docbind_runtime::__private::finovy::{Call, Method, Operation};
use docbind_runtime::__private::ucloud::{Form, Operation as UCloudOperation};
use docbind_runtime::{finovy, ucloud, Error, RetryPolicy};
use wiremock::MockServer;

static GET_LIST: Operation = Operation { name: "getList", idempotent: true };
static GET_IMAGE: UCloudOperation = UCloudOperation::new("GetUvodnImage");

/// A client as an application builds it: a default header, and reqwest's default policy of following redirects.
fn application_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-team", reqwest::header::HeaderValue::from_static("payments"));
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

fn no_retries() -> RetryPolicy {
    RetryPolicy::new().with_base_delay(Duration::from_millis(1)).with_max_attempts(2)
}

#[tokio::test]
async fn the_applications_default_headers_reach_the_server() {
    let (base, heads) =
        common::recording_server(200, r#"{"RetCode":0,"code":0,"success":true,"data":{"data":[]}}"#).await;
    let config = ucloud::Config::new("pub", "priv").with_base_url(&base).with_http_client(application_client());
    assert!(!format!("{config:?}").contains("payments"), "the client's headers stay out of Debug");
    ucloud::Client::new(config).unwrap().call(&GET_IMAGE, Form::new(), decode_image).await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-team", reqwest::header::HeaderValue::from_static("payments"));
    let not_following =
        reqwest::Client::builder().default_headers(headers).redirect(reqwest::redirect::Policy::none()).build();
    let config = finovy::Config::new(finovy::Credentials::Token("tok".into()))
        .with_base_url(&base)
        .with_user_agent_suffix("app/1")
        .with_http_client(not_following.unwrap());
    let client = finovy::Client::new(config).unwrap();
    client.call(&GET_LIST, Call::new(Method::Get, "v1/list"), list_data).await.unwrap();
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 2);
    for head in &heads {
        let head = head.to_ascii_lowercase();
        assert!(head.contains("\r\nx-team: payments"), "{head}");
        assert!(head.contains("\r\nuser-agent: docbind-runtime/"), "{head}");
    }
    assert!(heads[1].contains("Product/Finovy app/1"), "{}", heads[1]);
}

/// Everything `server` received, heads and bodies, as text.
async fn received(server: &MockServer) -> String {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .map(|r| format!("{} {} {:?} {}", r.method, r.url, r.headers, String::from_utf8_lossy(&r.body)))
        .collect()
}

/// A followed redirect fails the call as `RedirectFollowed` naming the target; one that was not followed (the
/// body could not be replayed) as `Redirect`, as with docbind's own client.
fn assert_refused(err: &Error, status: u16, target: &MockServer) {
    match err {
        Error::RedirectFollowed { location, .. } => assert!(location.starts_with(&target.uri()), "{location}"),
        Error::Redirect { status: s, .. } => assert_eq!(*s, status),
        other => panic!("{status}: {other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn ucloud_credentials_never_reach_the_redirect_target() {
    for status in [301, 302, 303, 307, 308] {
        let target = common::redirect_target().await;
        let first = common::redirecting(status, &format!("{}/?Action=GetUvodnImage", target.uri())).await;
        let config = ucloud::Config::new("pub-key-1", "priv")
            .with_base_url(first.uri())
            .with_retry(no_retries())
            .with_http_client(application_client());
        let err = ucloud::Client::new(config).unwrap().call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
        assert_refused(&err, status, &target);
        let seen = received(&target).await;
        for secret in ["pub-key-1", "Signature", "PublicKey"] {
            assert!(!seen.contains(secret), "{status}: the target saw {secret}: {seen}");
        }
        assert_eq!(first.received_requests().await.unwrap().len(), 1, "{status}: not retried");
    }
}

#[tokio::test]
async fn finovy_refuses_a_client_that_follows_redirects() {
    // The token is a header, which reqwest repeats to the redirect target of a GET: no body trick protects it. The
    // client is tried (a redirect between two ports of 127.0.0.1) before anything is sent; its Debug text, which a
    // default header can imitate, is not read.
    let mut imitation = reqwest::header::HeaderMap::new();
    imitation.insert("x-note", reqwest::header::HeaderValue::from_static("redirect_policy: Policy(None)"));
    let following: Vec<(&str, reqwest::Client)> = vec![
        ("the default policy", application_client()),
        ("limited(3)", reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(3)).build().unwrap()),
        ("a Policy(None) header", reqwest::Client::builder().default_headers(imitation).build().unwrap()),
        (
            "a custom policy",
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::custom(|attempt| attempt.follow()))
                .build()
                .unwrap(),
        ),
    ];
    for (what, client) in following {
        let target = common::redirect_target().await;
        let server = common::redirecting(302, &format!("{}/v1/list", target.uri())).await;
        let credentials = finovy::Credentials::Exchange { uuid: "u".into(), secret: "s3cret".into() };
        for credentials in [finovy::Credentials::Token("static-tok".into()), credentials] {
            let config = finovy::Config::new(credentials).with_base_url(server.uri()).with_http_client(client.clone());
            let client = finovy::Client::new(config).unwrap();
            for _ in 0..2 {
                let err = client.call(&GET_LIST, Call::new(Method::Get, "v1/list"), list_data).await.unwrap_err();
                let refused = format!("{err} / {:?}", std::error::Error::source(&err).map(ToString::to_string));
                assert!(
                    refused.contains("follows redirects") && refused.contains("Policy::none()"),
                    "{what}: {refused}"
                );
            }
        }
        assert_eq!(received(&server).await, "", "{what}: something was sent");
        assert_eq!(received(&target).await, "", "{what}: the token reached the redirect target");
    }

    // With redirects off, a redirect is refused as with docbind's own client, and nothing reaches its target.
    let not_following = || reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for status in [301, 302, 303, 307, 308] {
        let target = common::redirect_target().await;
        let first = common::redirecting(status, &format!("{}/v1/list", target.uri())).await;
        let config = finovy::Config::new(finovy::Credentials::Token("static-tok".into()))
            .with_base_url(first.uri())
            .with_retry(no_retries())
            .with_http_client(not_following());
        let client = finovy::Client::new(config).unwrap();
        let err = client.call(&GET_LIST, Call::new(Method::Get, "v1/list"), list_data).await.unwrap_err();
        assert!(matches!(err, Error::Redirect { status: s, .. } if s == status), "{err:?}");
        assert_eq!(received(&target).await, "", "{status}");
    }
}

#[tokio::test]
async fn a_response_from_another_origin_is_refused_and_named() {
    let target = common::redirect_target().await;
    let first = common::redirecting(303, &format!("{}/elsewhere?token=abc", target.uri())).await;
    let config = ucloud::Config::new("pub", "priv").with_base_url(first.uri()).with_http_client(application_client());
    let err = ucloud::Client::new(config).unwrap().call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    assert!(matches!(&err, Error::RedirectFollowed { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains(&format!("{}/elsewhere", target.uri())), "{shown}");
    assert!(!shown.contains("abc"), "secret-looking query values are redacted: {shown}");
}

#[tokio::test]
async fn the_response_size_limit_applies_to_the_applications_client() {
    let (base, _) =
        common::recording_server(200, r#"{"RetCode":0,"Pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#).await;
    let config = ucloud::Config::new("pub", "priv")
        .with_base_url(base)
        .with_max_response_bytes(16)
        .with_http_client(application_client());
    let err = ucloud::Client::new(config).unwrap().call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 16, .. }), "{err:?}");
}
