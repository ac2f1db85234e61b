//! Plain `http://` endpoints: allowed for loopback addresses (tests, local stand-ins) or behind an explicit
//! opt-in; any other is refused when the client is built, wherever the URL came from (setter or environment).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may unwrap

mod common;

use std::collections::HashMap;

use docbind_runtime::__private::ucloud::{Form, Operation};
use docbind_runtime::{finovy, ucloud, Error};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const REMOTE_HTTP: [&str; 4] =
    ["http://api.service.ucloud.cn", "http://10.0.0.1:8080/", "http://[2001:db8::1]/", "http://localhost.example.com"];

fn assert_refused(result: Result<impl std::fmt::Debug, Error>, url: &str) {
    match result {
        Err(Error::Config(message)) => {
            assert!(message.contains(url.trim_end_matches('/')) && message.contains("insecure"), "{message}");
        }
        other => panic!("{url}: expected a configuration error, got {other:?}"),
    }
}

#[test]
fn remote_http_is_refused_from_setters_and_the_environment() {
    for url in REMOTE_HTTP {
        assert_refused(ucloud::Client::new(ucloud::Config::new("p", "s").with_base_url(url)), url);
        let token = finovy::Credentials::Token("t".into());
        assert_refused(finovy::Client::new(finovy::Config::new(token).with_base_url(url)), url);

        let vars: HashMap<String, String> = [
            ("UCLOUD_PUBLIC_KEY", "p"),
            ("UCLOUD_PRIVATE_KEY", "s"),
            ("UCLOUD_API_BASE_URL", url),
            ("FINOVY_ACCESS_TOKEN", "t"),
            ("FINOVY_BASE_URL", url),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_refused(ucloud::Client::new(ucloud::Config::from_env_map(&vars).unwrap()), url);
        assert_refused(finovy::Client::new(finovy::Config::from_env_map(&vars).unwrap()), url);
    }
}

#[test]
fn remote_http_is_allowed_by_explicit_opt_in_and_https_always() {
    for url in REMOTE_HTTP {
        ucloud::Client::new(ucloud::Config::new("p", "s").with_base_url(url).with_insecure_http(true)).unwrap();
        let token = finovy::Credentials::Token("t".into());
        finovy::Client::new(finovy::Config::new(token).with_base_url(url).with_insecure_http(true)).unwrap();
    }
    for url in ["https://api.ucloud.cn", "https://10.0.0.1/"] {
        ucloud::Client::new(ucloud::Config::new("p", "s").with_base_url(url)).unwrap();
    }
}

#[tokio::test]
async fn loopback_http_needs_no_opt_in() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"RetCode": 0})))
        .mount(&server)
        .await;
    let port = server.address().port();
    static OP: Operation = Operation::new("GetUvodnImage");
    for host in ["127.0.0.1", "localhost", "127.1.2.3"] {
        let url = format!("http://{host}:{port}");
        let client = ucloud::Client::new(ucloud::Config::new("p", "s").with_base_url(&url)).unwrap();
        if host != "127.1.2.3" {
            client.call(&OP, Form::new(), common::decode_image).await.unwrap();
        }
    }
    let client = ucloud::Client::new(ucloud::Config::new("p", "s").with_base_url("http://[::1]:1")).unwrap();
    drop(client);
}
