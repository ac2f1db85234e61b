//! A vendor made of the core's traits alone, to show (and test) that the core is pluggable: REST calls with a
//! bearer token, answered in a JSON envelope `{"data", "error": {"code", "message"}, "request_id"}`. It takes
//! its `Service`, an authentication, an envelope and a `Vendor` line; the wire is the neutral REST one.

use reqwest::header::HeaderMap;

use crate::client::{Auth, Envelope, Facts, Receiving, Rejected, Service};
use crate::decode::DecodeError;
use crate::rest::{RestRequest, RestWire};
use crate::retry::Failure;
use crate::transport::{HttpOptions, Transport};
use crate::{CallInfo, Error, Vendor};

pub(crate) struct Example;

impl Service for Example {
    const VENDOR: Vendor = Vendor::Example;
    const NAME: &'static str = "Example";
    type Config = HttpOptions;
    type Wire = RestWire;
    type Auth = Bearer;
    type Envelope = JsonEnvelope;

    fn http(config: &HttpOptions) -> &HttpOptions {
        config
    }
}

pub(crate) static FACTS: Facts = Facts::of::<Example>();

/// `Authorization: Bearer <token>` on every attempt.
pub(crate) struct Bearer(pub(crate) String);

impl Auth<RestRequest> for Bearer {
    type Credential = ();

    const IN_HEADER: bool = true;

    async fn credential(&self, _: &Transport, _: tokio::time::Instant) -> Result<(), Error> {
        Ok(())
    }

    fn authorize(&self, _: &(), request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.bearer_auth(&self.0)
    }
}

/// The envelope's status: the error, if there is one.
#[derive(Debug, Default)]
pub(crate) struct Status {
    code: Option<i64>,
    message: String,
}

/// Decodes a body: `data` is the value, `error` the status.
pub(crate) fn decode(body: &[u8]) -> Result<(serde_json::Value, Status), DecodeError> {
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| DecodeError::from_json(&e))?;
    let error = value.get("error");
    let status = Status {
        code: error.and_then(|e| e.get("code")).and_then(serde_json::Value::as_i64),
        message: error.and_then(|e| e.get("message")).and_then(|m| m.as_str()).unwrap_or_default().to_owned(),
    };
    Ok((value.get_mut("data").map(serde_json::Value::take).unwrap_or_default(), status))
}

pub(crate) struct JsonEnvelope;

impl Envelope for JsonEnvelope {
    type Status = Status;
    type Head = ();

    const CODE_LABEL: &'static str = "error.code";

    /// Code 42 means "busy".
    fn is_transient_code(code: i64) -> bool {
        code == 42
    }

    fn request_id(_: &HeaderMap, body: &[u8]) -> Option<String> {
        let body: serde_json::Value = serde_json::from_slice(body).ok()?;
        body.get("request_id")?.as_str().map(str::to_owned)
    }

    async fn receive(
        &self,
        response: reqwest::Response,
        mut receiving: Receiving<'_, '_, Status>,
    ) -> Result<((), CallInfo), Rejected> {
        let raw = receiving.read_whole(response).await?;
        let request_id = Self::request_id(&raw.headers, &raw.body);
        if raw.status >= 400 {
            let error = Error::status_error(raw.status, &raw.body, request_id);
            return Err(Failure { error, retry_after: raw.retry_after(), repeat_now: false }.into());
        }
        let status = match receiving.decode(&raw.body) {
            Ok(status) => status,
            Err(source) => return Err(Error::Decode { source, body: raw.body, request_id }.into()),
        };
        match status.code {
            None => Ok(((), CallInfo { request_id, status: raw.status, ..CallInfo::default() })),
            Some(code) => Err(Error::Service {
                vendor: Vendor::Example,
                code,
                message: status.message,
                operation: receiving.operation().to_owned(),
                request_id,
            }
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::client::{Core, Op};
    use crate::rest::{Call, Method};
    use crate::{AttemptResponse, CallHook, RetryPolicy};

    /// What the hooks saw: (operation, attempt, status) per response.
    #[derive(Default)]
    struct Seen(Mutex<Vec<(String, u32, u16)>>);

    impl CallHook for Seen {
        fn after_response(&self, response: &AttemptResponse<'_>) {
            let seen = (response.operation().to_owned(), response.attempt(), response.status());
            self.0.lock().unwrap().push(seen);
        }
    }

    fn client(server: &MockServer, seen: &Arc<Seen>) -> Core<Example> {
        let mut http = HttpOptions::new(server.uri());
        http.retry = RetryPolicy::new().with_base_delay(Duration::from_millis(1)).with_jitter(false);
        http.hooks.push(seen.clone());
        Core::new(http, Bearer("tok-1".into()), JsonEnvelope).unwrap()
    }

    async fn call(
        core: &Core<Example>,
        verb: Method,
        idempotent: bool,
    ) -> Result<(serde_json::Value, CallInfo), Error> {
        let request = RestRequest::new(&Call::new(verb, "v1/thing"), &core.config.base_url)?;
        let op = Op { name: "thing", idempotent };
        let (value, (), info) = core.call(op, &core.config, request, decode).await?;
        Ok((value, info))
    }

    #[tokio::test]
    async fn a_read_is_retried_on_503_and_on_a_transient_code_authenticated_and_seen_by_the_hooks() {
        let server = MockServer::start().await;
        let bearer = || header("authorization", "Bearer tok-1");
        Mock::given(method("GET"))
            .and(bearer())
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(bearer())
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"error": {"code": 42, "message": "busy"}}"#))
            .up_to_n_times(1)
            .with_priority(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1/thing"))
            .and(bearer())
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"data": {"x": 1}, "request_id": "r-9"}"#))
            .with_priority(3)
            .mount(&server)
            .await;
        let seen = Arc::new(Seen::default());
        let core = client(&server, &seen);
        let (value, info) = call(&core, Method::Get, true).await.unwrap();
        assert_eq!(value, serde_json::json!({"x": 1}));
        assert_eq!((info.attempts, info.request_id.as_deref(), info.status), (3, Some("r-9"), 200));
        let seen = seen.0.lock().unwrap().clone();
        let expected: Vec<(String, u32, u16)> =
            [(1, 503), (2, 200), (3, 200)].into_iter().map(|(n, s)| ("thing".to_owned(), n, s)).collect();
        assert_eq!(seen, expected);
    }

    #[tokio::test]
    async fn a_state_change_is_not_repeated_and_a_failure_code_is_the_services() {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
        let seen = Arc::new(Seen::default());
        let core = client(&server, &seen);
        let error = call(&core, Method::Post, false).await.unwrap_err();
        assert!(error.is_outcome_unknown(), "{error:?}");
        assert_eq!(
            error.to_string(),
            "Example thing: outcome unknown: the request may have reached the service, so it is not repeated"
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "sent once");

        let server = MockServer::start().await;
        let refusal = r#"{"error": {"code": 7, "message": "no such thing"}, "request_id": "r-1"}"#;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string(refusal))
            .mount(&server)
            .await;
        let core = client(&server, &seen);
        let error = call(&core, Method::Get, true).await.unwrap_err();
        assert_eq!(error.code(), Some(7));
        assert!(!error.is_retryable());
        assert_eq!(error.to_string(), "Example thing failed: error.code 7: no such thing (request id r-1)");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "a definite failure is not retried");
    }
}
