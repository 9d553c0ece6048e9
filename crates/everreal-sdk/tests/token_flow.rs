//! The password grant and its refresh, with the exact JSON bodies EverReal documents, and the
//! other ways to give the client its tokens.

mod common;

use std::sync::Arc;

use common::{
    ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, PASSWORD, REFRESH_TOKEN, USERNAME, bearer, client,
    fast_retry, password_grant,
};
use everreal_sdk::{
    AuthError, Client, Error, ExposeSecret as _, FileStore, HttpError, StaticToken, TokenStore as _,
};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::json;

const RENEWED_TOKEN: &str = "canary-renewed-token-5c3b";

/// The refresh body EverReal documents: no scope, no user, the client and the refresh token.
fn refresh_body() -> serde_json::Value {
    json!({
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_TOKEN,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    })
}

#[tokio::test]
async fn the_password_grant_sends_the_documented_json_body_once() {
    let server = MockServer::start_async().await;
    let token = password_grant(&server).await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/userinfo")
                .header("authorization", bearer());
            then.status(200).json_body(json!({"id": "u-1"}));
        })
        .await;
    let client = client(&server);
    for _ in 0..3 {
        client.userinfo().await.expect("userinfo");
    }
    token.assert_calls_async(1).await;
    me.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_with_a_string_expires_in_and_no_new_refresh_token() {
    let server = MockServer::start_async().await;
    let sign_in = password_grant(&server).await;
    // EverReal's refresh answer: `expires_in` as a string, no refresh_token, no token_type.
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/accounts/oauth/token")
                .header("content-type", "application/json")
                .json_body(refresh_body());
            then.status(200)
                .json_body(json!({"access_token": RENEWED_TOKEN, "expires_in": "3600"}));
        })
        .await;
    let old = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/userinfo")
                .header("authorization", bearer());
            then.status(401).json_body(json!({"error": "unauthorized"}));
        })
        .await;
    let renewed = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/userinfo")
                .header("authorization", format!("Bearer {RENEWED_TOKEN}"));
            then.status(200).json_body(json!({"id": "u-1"}));
        })
        .await;
    let client = client(&server);
    let profile = client
        .userinfo()
        .await
        .expect("resent with the renewed token");
    assert_eq!(profile.id, "u-1");
    sign_in.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    old.assert_calls_async(1).await;
    renewed.assert_calls_async(1).await;

    let token = client.auth().token().await.expect("cached");
    assert_eq!(token.access_token().expose_secret(), RENEWED_TOKEN);
    assert_eq!(
        token.refresh_token().map(|r| r.expose_secret().to_owned()),
        Some(REFRESH_TOKEN.to_owned()),
        "the refresh answer had none: the old refresh token is kept"
    );
    let lifetime = token
        .expiry()
        .and_then(|e| e.duration_since(std::time::SystemTime::now()).ok())
        .expect("an expiry from the string");
    assert!(
        lifetime.as_secs() > 3500 && lifetime.as_secs() <= 3600,
        "{lifetime:?}"
    );
}

#[tokio::test]
async fn a_403_gets_a_new_token_and_one_resend_like_a_401() {
    let server = MockServer::start_async().await;
    let sign_in = password_grant(&server).await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/accounts/oauth/token")
                .json_body(refresh_body());
            then.status(200)
                .json_body(json!({"access_token": RENEWED_TOKEN, "expires_in": "3600"}));
        })
        .await;
    // The shape EverReal's webhook docs show for an unauthorized call.
    let refused = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/external-integrations/webhooks")
                .header("authorization", bearer());
            then.status(403)
                .json_body(json!({"code": "server_error", "statusCode": 403}));
        })
        .await;
    let renewed = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/external-integrations/webhooks")
                .header("authorization", format!("Bearer {RENEWED_TOKEN}"));
            then.status(200).json_body(json!([]));
        })
        .await;
    let client = client(&server);
    assert!(client.webhooks().await.expect("resent").is_empty());
    sign_in.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    refused.assert_calls_async(1).await;
    renewed.assert_calls_async(1).await;

    // A 403 that is a real refusal comes back on the new token too: returned after one resend.
    let forbidden = server
        .mock_async(|when, then| {
            when.method(GET).path("/accounts/api/users/me");
            then.status(403)
                .json_body(json!({"code": "forbidden", "statusCode": 403}));
        })
        .await;
    let err = client.users_me().await.expect_err("forbidden");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    forbidden.assert_calls_async(2).await;
}

/// A 403 that is a real refusal (no permission) comes back on the token fetched for the
/// resend too: that fresh token is good and is kept. Throwing it away as well made every
/// forbidden call cost two token requests, and the next good call a third.
#[tokio::test]
async fn a_genuine_403_does_not_throw_away_the_fresh_token_of_the_resend() {
    let server = MockServer::start_async().await;
    let sign_in = password_grant(&server).await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/accounts/oauth/token")
                .json_body(refresh_body());
            then.status(200)
                .json_body(json!({"access_token": RENEWED_TOKEN, "expires_in": "3600"}));
        })
        .await;
    let forbidden = server
        .mock_async(|when, then| {
            when.method(GET).path("/api/external-integrations/webhooks");
            then.status(403)
                .json_body(json!({"code": "forbidden", "statusCode": 403}));
        })
        .await;
    let allowed = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/userinfo")
                .header("authorization", format!("Bearer {RENEWED_TOKEN}"));
            then.status(200).json_body(json!({"id": "u-1"}));
        })
        .await;
    let client = client(&server);
    let err = client.webhooks().await.expect_err("forbidden");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    forbidden.assert_calls_async(2).await;
    sign_in.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    // The token of the resend was not the problem: the next call uses it as it is.
    client.userinfo().await.expect("allowed");
    allowed.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_403_refusal_of_the_password_grant_is_a_typed_auth_error() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/accounts/oauth/token");
            then.status(403).json_body(
                json!({"error": "invalid_grant", "error_description": "Invalid username or password"}),
            );
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.path("/accounts/api/users/me");
            then.status(200).json_body(json!({"id": "u-1"}));
        })
        .await;
    let err = client(&server).users_me().await.expect_err("refused");
    let Error::Http(HttpError::Auth(auth)) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(auth.is_rejected(), "{auth:?}");
    assert_eq!(auth.status(), Some(403));
    assert_eq!(auth.oauth_code(), Some("invalid_grant"));
    token.assert_calls_async(1).await;
    api.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_refresh_token_survives_a_restart_in_a_file_store() {
    let dir = std::env::temp_dir().join(format!("everreal-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("token.json");
    let server = MockServer::start_async().await;
    let sign_in = password_grant(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/accounts/api/userinfo");
            then.status(200).json_body(json!({"id": "u-1"}));
        })
        .await;
    let build = || {
        Client::builder()
            .base_url(server.base_url())
            .credentials(CLIENT_ID, CLIENT_SECRET)
            .user(USERNAME, PASSWORD)
            .token_store(FileStore::new(&path))
            .retry_policy(fast_retry())
            .build()
            .expect("client")
    };
    build().userinfo().await.expect("first run");
    let stored = FileStore::new(&path)
        .load()
        .expect("readable")
        .expect("saved");
    assert_eq!(
        stored.refresh_token().map(|r| r.expose_secret().to_owned()),
        Some(REFRESH_TOKEN.to_owned())
    );
    // A second process starts from the stored token: no new sign-in.
    build().userinfo().await.expect("second run");
    sign_in.assert_calls_async(1).await;
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[tokio::test]
async fn any_token_source_or_fetcher_can_replace_the_password_grant() {
    let server = MockServer::start_async().await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/userinfo")
                .header("authorization", bearer());
            then.status(200).json_body(json!({"id": "u-1"}));
        })
        .await;
    let source = Client::builder()
        .base_url(server.base_url())
        .token_source(StaticToken::new(ACCESS_TOKEN).expect("token"))
        .build()
        .expect("client");
    source.userinfo().await.expect("static token");

    /// A fetcher of the caller's own, as the authorization-code flow will be.
    #[derive(Debug)]
    struct Handed;
    impl everreal_sdk::TokenFetcher for Handed {
        fn fetch<'a>(
            &'a self,
            _previous: Option<&'a everreal_sdk::Token>,
        ) -> everreal_sdk::BoxFuture<'a, Result<everreal_sdk::Token, AuthError>> {
            Box::pin(async { everreal_sdk::Token::new(ACCESS_TOKEN) })
        }
    }
    let fetched = Client::builder()
        .base_url(server.base_url())
        .token_fetcher(Handed)
        .build()
        .expect("client");
    fetched.userinfo().await.expect("fetched token");

    let shared: Arc<dyn everreal_sdk::TokenSource> =
        Arc::new(StaticToken::new(ACCESS_TOKEN).expect("token"));
    let a = Client::builder()
        .base_url(server.base_url())
        .shared_token_source(Arc::clone(&shared))
        .build()
        .expect("client");
    a.userinfo().await.expect("shared source");
    me.assert_calls_async(3).await;
}
