//! Redirects are never followed: a 3xx is an error naming its status and `Location`, and nothing the first server
//! was sent (Finovy's token header, the token-exchange body, UCloud's signed form) reaches the server it points to.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::time::Duration;

use common::{decode_image, list_data};
use docbind_runtime::__private::finovy::{Call, Method, Operation};
use docbind_runtime::__private::ucloud::{Form, Operation as UCloudOperation};
use docbind_runtime::{finovy, ucloud, Error, RetryPolicy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET_LIST: Operation = Operation { name: "getList", idempotent: true };
static GET_IMAGE: UCloudOperation = UCloudOperation::new("GetUvodnImage");
const STATUSES: [u16; 4] = [301, 302, 307, 308];

fn assert_redirect(err: &Error, status: u16, location: &str) {
    assert!(
        matches!(err, Error::Redirect { status: s, location: Some(l), .. } if *s == status && l == location),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains(&status.to_string()) && shown.contains(location), "{shown}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn finovy_token_header_does_not_follow_a_redirect() {
    for status in STATUSES {
        let target = common::redirect_target().await;
        let location = format!("{}/v1/open/image/personal/getList", target.uri());
        let first = common::redirecting(status, &location).await;
        let config = finovy::Config::new(finovy::Credentials::Token("static-tok".into()))
            .with_base_url(first.uri())
            .with_retry(RetryPolicy::new().with_base_delay(Duration::from_millis(1)));
        let client = finovy::Client::new(config).unwrap();
        let err = client.call(&GET_LIST, Call::new(Method::Get, "v1/open/image/personal/getList"), list_data).await;
        let err = err.unwrap_err();
        assert_eq!(target.received_requests().await.unwrap().len(), 0, "{status}: the token reached the target");
        assert_eq!(first.received_requests().await.unwrap().len(), 1, "{status}: a redirect is not retried");
        assert_redirect(&err, status, &location);
    }
}

#[tokio::test]
async fn finovy_token_exchange_body_does_not_follow_a_redirect() {
    for status in STATUSES {
        let target = common::redirect_target().await;
        let location = format!("{}/v1/auth/getToken", target.uri());
        let first = common::redirecting(status, &location).await;
        let credentials = finovy::Credentials::Exchange { uuid: "A1".into(), secret: "s3cret".into() };
        let config = finovy::Config::new(credentials)
            .with_base_url(first.uri())
            .with_retry(RetryPolicy::new().with_base_delay(Duration::from_millis(1)));
        let client = finovy::Client::new(config).unwrap();
        let err = client.call(&GET_LIST, Call::new(Method::Get, "v1/x"), list_data).await.unwrap_err();
        assert_eq!(target.received_requests().await.unwrap().len(), 0, "{status}: the secret reached the target");
        assert!(matches!(err, Error::Auth { .. }), "{err:?}");
        let cause = std::error::Error::source(&err).expect("the redirect is the cause").to_string();
        assert!(cause.contains(&status.to_string()) && cause.contains(&location), "{cause}");
        assert!(!format!("{err:?}").contains("s3cret"));
    }
}

#[tokio::test]
async fn ucloud_signed_form_does_not_follow_a_redirect() {
    for status in STATUSES {
        let target = common::redirect_target().await;
        let location = format!("{}/?Action=GetUvodnImage", target.uri());
        let first = common::redirecting(status, &location).await;
        let config = ucloud::Config::new("pub", "priv")
            .with_base_url(first.uri())
            .with_retry(RetryPolicy::new().with_base_delay(Duration::from_millis(1)));
        let client = ucloud::Client::new(config).unwrap();
        let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
        assert_eq!(target.received_requests().await.unwrap().len(), 0, "{status}: the signed form reached the target");
        assert_eq!(first.received_requests().await.unwrap().len(), 1, "{status}: a redirect is not retried");
        assert_redirect(&err, status, &location);
    }
}

#[tokio::test]
async fn a_redirect_without_location_is_still_an_error() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(302)).mount(&server).await;
    let client = ucloud::Client::new(ucloud::Config::new("pub", "priv").with_base_url(server.uri())).unwrap();
    let err = client.call(&GET_IMAGE, Form::new(), decode_image).await.unwrap_err();
    assert!(matches!(err, Error::Redirect { status: 302, location: None, .. }), "{err:?}");
    assert!(err.to_string().contains("302"), "{err}");
}
