//! Shared set-up of the EverReal tests: credentials, a password-grant token endpoint, a
//! client pointed at a mock server, and GraphQL mocks.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::time::Duration;

use everreal_sdk::{Client, RetryPolicy};
use httpmock::Method::POST;
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "acme-client";
pub const CLIENT_SECRET: &str = "canary-client-secret-4e1f";
pub const USERNAME: &str = "api-user@acme.example";
pub const PASSWORD: &str = "canary-user-password-9b2d";
pub const ACCESS_TOKEN: &str = "canary-access-token-71aa";
pub const REFRESH_TOKEN: &str = "canary-refresh-token-03fe";

/// The exact body of the password grant EverReal documents.
pub fn password_grant_body() -> Value {
    json!({
        "grant_type": "password",
        "username": USERNAME,
        "password": PASSWORD,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": "offline_access *",
    })
}

/// `POST /accounts/oauth/token` answering the password grant as EverReal does (a number for
/// `expires_in`, and a refresh token).
pub async fn password_grant(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/accounts/oauth/token")
                .header("content-type", "application/json")
                .json_body(password_grant_body());
            then.status(200).json_body(json!({
                "access_token": ACCESS_TOKEN,
                "refresh_token": REFRESH_TOKEN,
                "expires_in": 3600,
                "token_type": "Bearer",
            }));
        })
        .await
}

/// Retries fast enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

/// A password-grant client pointed at the mock server.
pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .user(USERNAME, PASSWORD)
        .retry_policy(fast_retry())
        .build()
        .expect("client")
}

/// The bearer header value every API call must carry.
pub fn bearer() -> String {
    format!("Bearer {ACCESS_TOKEN}")
}

/// A fixture from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `POST /api/reporting/graphql` whose `query` names `root_field` (as `root_field(`) and whose
/// `variables` are exactly `variables`, answering `answer`.
pub async fn graphql<'a>(
    server: &'a MockServer,
    root_field: &str,
    variables: Value,
    answer: Value,
) -> Mock<'a> {
    let call = format!("{root_field}(");
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path("/api/reporting/graphql")
                .header("authorization", bearer())
                .header("content-type", "application/json")
                .is_true(move |req| {
                    let Ok(body) = serde_json::from_slice::<Value>(req.body_ref()) else {
                        return false;
                    };
                    let query = body["query"].as_str().unwrap_or_default();
                    query.contains(&call) && body["variables"] == variables
                });
            then.status(200).json_body(answer);
        })
        .await
}
