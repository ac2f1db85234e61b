//! Response statuses through the generated clients against a real HTTP server on 127.0.0.1: a status that is
//! missing, malformed or contradicts itself is an error, never a success.

mod common;

use common::serve_body;
use docbind::finovy_image::{self, GetListRequest};
use docbind::runtime::finovy::Credentials;
use docbind::runtime::{Error, RetryPolicy, Vendor};
use docbind::ucloud_uodn::{self, GetUvodnImageRequest};

async fn ucloud_call(body: &str) -> Result<ucloud_uodn::GetUvodnImageResponse, Error> {
    let server = serve_body(body).await;
    let config =
        ucloud_uodn::Config::new("public", "private").with_base_url(server.uri()).with_retry(RetryPolicy::disabled());
    let client = ucloud_uodn::Client::new(config).expect("a client");
    client.get_uvodn_image(&GetUvodnImageRequest::new()).await
}

async fn finovy_call(body: &str) -> Result<finovy_image::GetListResponse, Error> {
    let server = serve_body(body).await;
    let config = finovy_image::Config::new(Credentials::Token("t".into()))
        .with_base_url(server.uri())
        .with_retry(RetryPolicy::disabled());
    let client = finovy_image::Client::new(config).expect("a client");
    client.get_list(&GetListRequest::new()).await
}

#[tokio::test]
async fn ucloud_missing_null_or_misspelled_retcode_is_an_error() {
    let mut succeeded = Vec::new();
    for body in [
        r#"{"RetCode": null, "TotalCount": 1}"#,
        r#"{"retcode": 0, "TotalCount": 1}"#,
        r#"{"Retcode": 0, "TotalCount": 1}"#,
        r#"{"TotalCount": 1, "ImageList": []}"#,
        r#"{}"#,
        r#"{"RetCode": "abc"}"#,
        r#"{"RetCode": 0.5}"#,
        r#"{"RetCode": true}"#,
        r#"{"RetCode": 0, "RetCode": 171}"#,
        r#"{"RetCode": 0, "RetCode": "x"}"#,
        r#"{"RetCode": 0, "RetCode": null}"#,
        r#"{"RetCode": 160, "RetCode": 0}"#,
        r#"{"RetCode": 0, "RetCode": 0}"#,
    ] {
        if let Ok(response) = ucloud_call(body).await {
            succeeded.push(format!("{body} => {response:?}"));
        }
    }
    assert!(succeeded.is_empty(), "succeeded:\n{}", succeeded.join("\n"));
}

#[tokio::test]
async fn finovy_unreadable_or_contradictory_status_is_an_error() {
    let mut succeeded = Vec::new();
    for body in [
        r#"{"code": "E500", "success": true, "data": {"data": []}}"#,
        r#"{"code": null, "success": true, "data": {"data": []}}"#,
        r#"{"code": 500.5, "success": true, "data": {"data": []}}"#,
        r#"{"code": 0, "success": false, "msg": "镜像不存在", "data": null}"#,
        r#"{"code": 0, "success": "maybe", "data": {"data": []}}"#,
        r#"{"success": true, "data": {"data": []}}"#,
        r#"{"Code": 0, "success": true, "data": {"data": []}}"#,
        r#"{"data": {"data": []}}"#,
        r#"{"code": 0, "code": 500, "success": true}"#,
        r#"{"code": 500, "code": 0, "success": true}"#,
        r#"{"code": 0, "success": false, "success": true}"#,
        r#"{"code": 0, "code": 0}"#,
    ] {
        if let Ok(response) = finovy_call(body).await {
            succeeded.push(format!("{body} => {response:?}"));
        }
    }
    assert!(succeeded.is_empty(), "succeeded:\n{}", succeeded.join("\n"));
}

/// The error of a call whose status cannot be read: which vendor and operation, what is wrong, and the start of the
/// body.
fn malformed(error: &Error) -> (Vendor, &str, &str, &str) {
    match error {
        Error::MalformedStatus { vendor, operation, problem, body, .. } => (*vendor, operation, problem, body),
        other => panic!("expected a malformed status, got {other:?}"),
    }
}

#[tokio::test]
async fn ucloud_status_errors_say_what_is_wrong_and_keep_an_excerpt_of_the_body() {
    for (body, problem) in [
        (r#"{"RetCode": null, "TotalCount": 1}"#, "RetCode null is not an integer"),
        (r#"{"retcode": 0}"#, "the body has no RetCode"),
        (r#"{"RetCode": "abc"}"#, r#"RetCode "abc" is not an integer"#),
        (r#"{"RetCode": {"x": 1}, "Message": "m"}"#, r#"RetCode {"x":1} is not an integer"#),
        (r#"{"RetCode": 0, "RetCode": "x"}"#, "RetCode appears more than once"),
        (r#"{"RetCode": 160, "RetCode": 0}"#, "RetCode appears more than once"),
    ] {
        let error = ucloud_call(body).await.expect_err(body);
        assert_eq!(malformed(&error), (Vendor::UCloud, "GetUvodnImage", problem, body), "{body}");
        assert!(!error.is_retryable());
        assert!(error.to_string().contains(problem), "{error}");
    }
    // A large body is cut to about 1 KiB, and the cut is marked.
    let body = format!(r#"{{"TotalCount": 1, "Pad": "{}"}}"#, "x".repeat(100_000));
    let error = ucloud_call(&body).await.expect_err("no RetCode");
    let (_, _, _, excerpt) = malformed(&error);
    // The runtime's one excerpt rule: at most 1 KiB of the body, then `… [cut: N bytes in all]`.
    let (kept, cut) = excerpt.split_once('…').expect("the cut is marked");
    assert!(kept.len() <= 1024, "{} bytes kept", kept.len());
    assert_eq!(cut, format!(" [cut: {} bytes in all]", body.len()));
    assert!(body.starts_with(kept));
}

#[tokio::test]
async fn ucloud_readable_statuses_still_decide() {
    let response = ucloud_call(r#"{"RetCode": "0", "TotalCount": 3}"#).await.expect("RetCode \"0\" is success");
    assert_eq!(response.total_count, Some(3));
    ucloud_call(r#"{"RetCode": 0.0}"#).await.expect("RetCode 0.0 is success");
    let error = ucloud_call(r#"{"RetCode": 171, "Message": "签名错误"}"#).await.expect_err("171");
    assert_eq!(error.code(), Some(171));
}

#[tokio::test]
async fn finovy_status_errors_say_what_is_wrong_and_keep_an_excerpt_of_the_body() {
    for (body, problem) in [
        (r#"{"code": "E500", "success": true}"#, r#"code "E500" is not an integer"#),
        (r#"{"code": null, "success": true}"#, "code null is not an integer"),
        (r#"{"code": 500.5, "success": true}"#, "code 500.5 is not an integer"),
        (r#"{"code": 0, "success": false, "msg": "镜像不存在"}"#, "code 0 contradicts success false"),
        (r#"{"code": 0, "success": "maybe"}"#, r#"success "maybe" is not a boolean"#),
        (r#"{"code": 0, "success": null}"#, "success null is not a boolean"),
        (r#"{"code": 0, "success": true, "success": false}"#, "success appears more than once"),
        (r#"{"code": 160, "code": 0, "success": true}"#, "code appears more than once"),
        (r#"{"success": true, "data": null}"#, "the body has no code"),
        (r#"{"Code": 0, "success": true}"#, "the body has no code"),
    ] {
        let error = finovy_call(body).await.expect_err(body);
        assert_eq!(malformed(&error), (Vendor::Finovy, "getList", problem, body), "{body}");
        assert!(error.to_string().contains(problem), "{error}");
    }
    let error = finovy_call(r#"{"code": null, "traceId": "tr-9"}"#).await.expect_err("null code");
    assert_eq!(error.request_id(), Some("tr-9"));
}

#[tokio::test]
async fn finovy_readable_statuses_still_decide() {
    let page = finovy_call(r#"{"code": 0, "data": {"totalCounts": 2}}"#).await.expect("code 0 without success");
    assert_eq!(page.total_counts, Some(2));
    finovy_call(r#"{"code": "0", "success": "true"}"#).await.expect("code \"0\" is success");
    // A failure code wins over whatever `success` says.
    let error = finovy_call(r#"{"code": 500, "success": true, "msg": "boom"}"#).await.expect_err("500");
    assert_eq!(error.code(), Some(500));
    let error = finovy_call(r#"{"code": "500", "success": "odd"}"#).await.expect_err("500");
    assert_eq!(error.code(), Some(500));
}

#[tokio::test]
async fn a_token_exchange_without_a_readable_status_fails() {
    let server = serve_body(r#"{"success": true, "data": {"token": "tok", "effectiveTime": 7200000}}"#).await;
    let credentials = Credentials::Exchange { uuid: "u".into(), secret: "s".into() };
    let config = finovy_image::Config::new(credentials).with_base_url(server.uri()).with_retry(RetryPolicy::disabled());
    let client = finovy_image::Client::new(config).expect("a client");
    let error = client.get_list(&GetListRequest::new()).await.expect_err("no code in the token response");
    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
    // A failed exchange is shared by every call waiting on it: its cause is an `Arc<Error>`.
    let cause = std::error::Error::source(&error).expect("a cause");
    let source = cause.downcast_ref::<std::sync::Arc<Error>>().map(|shared| &**shared).expect("the cause");
    assert_eq!(malformed(source).2, "the body has no code");
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests.iter().all(|r| r.url.path().ends_with("getToken")), "the call was sent with no token");
}

#[tokio::test]
async fn a_status_code_wider_than_64_bits_is_shown_exactly() {
    let error = ucloud_call(r#"{"RetCode": 123456789012345678901234567890}"#).await.expect_err("not an i64");
    assert_eq!(malformed(&error).2, "RetCode 123456789012345678901234567890 is not an integer");
    let error = finovy_call(r#"{"code": -123456789012345678901234567890}"#).await.expect_err("not an i64");
    assert_eq!(malformed(&error).2, "code -123456789012345678901234567890 is not an integer");
}
