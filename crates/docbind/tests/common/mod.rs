//! What several test files need.

use wiremock::{Mock, MockServer, ResponseTemplate};

/// A local server answering every request with status 200 and `body` (raw bytes: some bodies repeat a key or are
/// not JSON).
pub async fn serve_body(body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json"))
        .mount(&server)
        .await;
    server
}
