//! Shared set-up of the Everactive tests: a mock server with a token endpoint and a client.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::time::Duration;

use everactive_sdk::{Client, RetryPolicy};
use httpmock::Method::POST;
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "test-client-id";
pub const CLIENT_SECRET: &str = "canary-client-secret-7f3a";
pub const ACCESS_TOKEN: &str = "canary-access-token-91c2";

/// A fixture from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Mocks `POST /auth/token` the way Everactive answers it (201, 24 h token).
pub async fn token_endpoint(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/auth/token")
                .form_urlencoded_tuple("grant_type", "client_credentials")
                .form_urlencoded_tuple("client_id", CLIENT_ID)
                .form_urlencoded_tuple("client_secret", CLIENT_SECRET);
            then.status(201).json_body(
                json!({"access_token": ACCESS_TOKEN, "expires_in": 86400, "token_type": "Bearer"}),
            );
        })
        .await
}

/// Mocks `GET /ds/v1/health` answering the health fixture.
pub async fn health_endpoint(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.path("/ds/v1/health");
            then.status(200).json_body(fixture("health.json"));
        })
        .await
}

/// Retries fast enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

/// A client pointed at the mock server.
pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .base_url(server.base_url())
        .retry_policy(fast_retry())
        .build()
        .expect("client")
}

/// The bearer header value every API call must carry.
pub fn bearer() -> String {
    format!("Bearer {ACCESS_TOKEN}")
}
