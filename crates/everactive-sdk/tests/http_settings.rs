//! The HTTP settings of the client builder reach the token request too.

use std::time::{Duration, Instant};

use everactive_sdk::Client;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::json;

/// Defect 5: with a 1 s timeout, a hanging token endpoint blocked the call for its own 30 s.
#[tokio::test]
async fn the_builder_timeout_bounds_a_hanging_token_endpoint() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/auth/token");
            then.status(200)
                .delay(Duration::from_secs(4))
                .json_body(json!({"access_token": "late", "expires_in": 3600}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/ds/v1/health");
            then.status(200).json_body(json!({"ok": true}));
        })
        .await;
    let client = Client::builder()
        .credentials("id", "secret")
        .base_url(server.base_url())
        .timeout(Duration::from_secs(1))
        .build()
        .expect("client");
    let started = Instant::now();
    let result = client.get_health().send().await;
    assert!(result.is_err(), "the token never came in time");
    assert!(
        started.elapsed() < Duration::from_millis(2_500),
        "took {:?}",
        started.elapsed()
    );
}

/// Defect 5b: the user's HTTP settings (proxy, root certificates, headers...) reached API
/// requests only; token requests used a client of their own.
#[tokio::test]
async fn the_user_http_settings_reach_the_token_request() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/auth/token")
                .header("x-egress-tag", "plant-7");
            then.status(200)
                .json_body(json!({"access_token": "tagged", "expires_in": 3600}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ds/v1/health")
                .header("x-egress-tag", "plant-7");
            then.status(200).json_body(json!({"ok": true}));
        })
        .await;
    let client = Client::builder()
        .credentials("id", "secret")
        .base_url(server.base_url())
        .configure_http(|http| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(
                "x-egress-tag",
                reqwest::header::HeaderValue::from_static("plant-7"),
            );
            http.default_headers(headers)
        })
        .build()
        .expect("client");
    client.get_health().send().await.expect("health");
    token.assert_calls_async(1).await;
}
