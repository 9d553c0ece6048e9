//! The hand-written helpers, and the xtask fixes in the generated ones, against a real
//! client.

use std::num::NonZeroU32;

use everactive_sdk::types::{ApiError, Health, Webhook, WebhookEnvelope};
use everactive_sdk::{AuthError, Client, Error};
use everactive_sdk_httpmock::httpmock::MockServer;
use everactive_sdk_httpmock::{
    MockServerExt as _, TEST_BEARER, TOKEN_PATH, TokenEndpointExt as _, client, client_with_token,
};

fn health() -> Health {
    Health {
        ok: true,
        version: Some("89accb09".into()),
    }
}

fn credentials_client(server: &MockServer, secret: &str) -> Client {
    Client::builder()
        .credentials("client-1", secret.to_owned())
        .base_url(server.base_url())
        .retry_policy(everactive_sdk_httpmock::fast_retry_policy())
        .build()
        .expect("client")
}

#[tokio::test]
async fn the_fixed_token_client_sends_the_test_bearer_and_needs_no_token_endpoint() {
    let server = MockServer::start_async().await;
    let api = server.get_health(|when, then| {
        when.into_inner().header("authorization", TEST_BEARER);
        then.ok(&health());
    });
    let answer = client(&server).get_health().send().await.expect("health");
    assert_eq!(*answer, health());
    api.assert_async().await;
}

#[tokio::test]
async fn a_token_of_your_own() {
    let server = MockServer::start_async().await;
    let api = server.get_health(|when, then| {
        when.into_inner().header("authorization", "Bearer mine");
        then.ok(&health());
    });
    let client = client_with_token(&server, "mine").expect("valid token");
    client.get_health().send().await.expect("health");
    api.assert_async().await;
}

#[tokio::test]
async fn the_token_endpoint_issues_a_token_for_its_credentials_only() {
    let server = MockServer::start_async().await;
    let issued = server.token_endpoint("client-1", "secret-1", "issued-token");
    let refused = server.token_endpoint_refusing();
    let api = server.get_health(|when, then| {
        when.into_inner()
            .header("authorization", "Bearer issued-token");
        then.ok(&health());
    });

    // The token is fetched once and reused.
    let good = credentials_client(&server, "secret-1");
    good.get_health().send().await.expect("first call");
    good.get_health().send().await.expect("second call");
    issued.assert_calls_async(1).await;
    api.assert_calls_async(2).await;
    refused.assert_calls_async(0).await;

    let bad = credentials_client(&server, "wrong-secret");
    let err = bad.get_health().send().await.expect_err("refused");
    let Error::Auth(auth) = &err else {
        panic!("expected a refusal, got {err:?}");
    };
    assert!(matches!(auth, AuthError::Rejected { .. }), "{auth:?}");
    assert_eq!(auth.oauth_code(), Some("invalid_client"));
    assert_eq!(auth.status(), Some(401));
    refused.assert_calls_async(1).await;
    // The refused client never reached the API.
    api.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_refusing_token_endpoint_alone_refuses_everyone() {
    let server = MockServer::start_async().await;
    let refused = server.token_endpoint_refusing();
    let err = credentials_client(&server, "secret-1")
        .get_health()
        .send()
        .await
        .expect_err("refused");
    assert!(
        matches!(err, Error::Auth(AuthError::Rejected { .. })),
        "{err:?}"
    );
    refused.assert_async().await;
    assert_eq!(TOKEN_PATH, "/auth/token");
}

/// xtask's `match_encoded_path_values`: a path value with regex characters and characters the
/// client percent-encodes matches exactly what the client sends, and nothing else.
#[tokio::test]
async fn path_values_match_as_sent() {
    let server = MockServer::start_async().await;
    let odd = "wh 1.(a+b)?";
    let webhook = WebhookEnvelope {
        data: Webhook {
            id: odd.into(),
            callback_url: None,
            enabled: Some(true),
            event_type: None,
            headers: Vec::new(),
        },
    };
    let exact = server.get_webhook(|when, then| {
        when.webhook_id(odd);
        then.ok(&webhook);
    });
    let client = client(&server);
    let got = client
        .get_webhook()
        .webhook_id(odd)
        .send()
        .await
        .expect("the odd id matches");
    assert_eq!(got.data.id, odd);
    exact.assert_async().await;

    // `.` is no wildcard and `(a+b)` no group: a similar id does not match.
    let err = client
        .get_webhook()
        .webhook_id("wh 1x(a+b)?")
        .send()
        .await
        .expect_err("only the exact id is mocked");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    exact.assert_calls_async(1).await;
}

#[tokio::test]
async fn typed_query_matchers_and_absent_parameters() {
    let server = MockServer::start_async().await;
    let page = serde_json::from_value(serde_json::json!({
        "data": [],
        "paginationInfo": {"page": 2, "pageSize": 25, "totalItems": 0, "totalPages": 0}
    }))
    .expect("a page");
    let second = server.list_eversensors(|when, then| {
        when.page(NonZeroU32::new(2))
            .page_size(NonZeroU32::new(25))
            .mac_address(None);
        then.ok(&page);
    });
    let client = client(&server);
    client
        .list_eversensors()
        .page(NonZeroU32::new(2).expect("nonzero"))
        .page_size(NonZeroU32::new(25).expect("nonzero"))
        .send()
        .await
        .expect("matches");
    second.assert_async().await;

    // A mac-address filter is not absent, so the mock does not answer.
    client
        .list_eversensors()
        .page(NonZeroU32::new(2).expect("nonzero"))
        .page_size(NonZeroU32::new(25).expect("nonzero"))
        .mac_address("5e:13")
        .send()
        .await
        .expect_err("the mock requires no mac-address");
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn typed_error_answers_reach_the_sdk_error() {
    let server = MockServer::start_async().await;
    server.get_health(|_, then| {
        then.server_error(
            500,
            &ApiError {
                message: Some("down".into()),
                ..Default::default()
            },
        );
    });
    let err = client(&server)
        .get_health()
        .send()
        .await
        .expect_err("a 500");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    let body: ApiError = err.api_error().expect("typed body");
    assert_eq!(body.message.as_deref(), Some("down"));
}
