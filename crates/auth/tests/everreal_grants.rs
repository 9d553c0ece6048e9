//! EverReal's token endpoint, in the shapes its documentation gives: the password grant and
//! the refresh grant as JSON bodies, a string `expires_in` on the refresh answer, no new
//! refresh token, and HTTP 403 (not 400) for a refused grant.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::Method::POST;
use httpmock::{HttpMockRequest, MockServer};
use sdk_auth::fetch::HttpSettings;
use sdk_auth::oauth::{BodyFormat, OAuth2Config};
use sdk_auth::{AuthError, ExposeSecret, ManualClock, SecretString, TokenCache, TokenSource};
use serde_json::json;
use tracing_subscriber::fmt::format::FmtSpan;

mod common;
use common::{capture_logs, http_response};

const TOKEN_PATH: &str = "/accounts/oauth/token";
const USERNAME: &str = "api-user@acme.example";
/// Letters only, so no shape rule can mistake them for credentials: only redaction by value
/// keeps them out of messages.
const PASSWORD: &str = "correcthorsebatterystaple";
const CLIENT_ID: &str = "acme-client";
const CLIENT_SECRET: &str = "acmeclientsecretvalue";
const REFRESH_1: &str = "everrealrefreshtokenone";

/// EverReal's password grant, configured as its SDK does.
fn config(server: &MockServer) -> OAuth2Config {
    OAuth2Config::password(
        &server.url(TOKEN_PATH),
        CLIENT_ID,
        Some(SecretString::from(CLIENT_SECRET)),
        USERNAME,
        PASSWORD,
    )
    .expect("config")
    .body_format(BodyFormat::Json)
    .scope("offline_access")
    .scope("*")
}

fn cache(server: &MockServer, clock: &ManualClock) -> TokenCache {
    let fetcher = config(server)
        .into_fetcher(&HttpSettings::new("everreal-test"))
        .expect("fetcher");
    TokenCache::builder(fetcher).clock(clock.clone()).build()
}

async fn access(cache: &TokenCache) -> String {
    cache
        .token()
        .await
        .expect("token")
        .access_token()
        .expose_secret()
        .to_owned()
}

/// The password grant exactly as EverReal documents it. Answers `passwordaccess1`,
/// `passwordaccess2`, ... with the refresh token `REFRESH_1` and `expires_in: 3600`.
async fn password_grant(server: &MockServer) -> httpmock::Mock<'_> {
    let n = Arc::new(AtomicUsize::new(0));
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .header("content-type", "application/json")
                .json_body(json!({
                    "username": USERNAME,
                    "password": PASSWORD,
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "scope": "offline_access *",
                    "grant_type": "password",
                }));
            then.respond_with(move |_: &HttpMockRequest| {
                let i = n.fetch_add(1, Ordering::SeqCst) + 1;
                let body = json!({
                    "access_token": format!("passwordaccess{i}"),
                    "refresh_token": REFRESH_1,
                    "expires_in": 3600,
                    "token_type": "Bearer",
                });
                http_response(200, &body.to_string(), &[])
            });
        })
        .await
}

/// The refresh grant exactly as EverReal documents it, for `REFRESH_1`. Answers
/// `refreshedaccess1`, ... with `expires_in` as a string and no refresh token.
async fn refresh_grant(server: &MockServer) -> httpmock::Mock<'_> {
    let n = Arc::new(AtomicUsize::new(0));
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .header("content-type", "application/json")
                .json_body(json!({
                    "grant_type": "refresh_token",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "refresh_token": REFRESH_1,
                }));
            then.respond_with(move |_: &HttpMockRequest| {
                let i = n.fetch_add(1, Ordering::SeqCst) + 1;
                let body =
                    json!({"access_token": format!("refreshedaccess{i}"), "expires_in": "3600"});
                http_response(200, &body.to_string(), &[])
            });
        })
        .await
}

#[tokio::test]
async fn the_password_grant_sends_everreals_exact_json_body() {
    let server = MockServer::start_async().await;
    let password = password_grant(&server).await;
    let cache = cache(&server, &ManualClock::new());
    assert_eq!(access(&cache).await, "passwordaccess1");
    let token = cache.token().await.expect("token");
    assert_eq!(
        token.refresh_token().map(|r| r.expose_secret().to_owned()),
        Some(REFRESH_1.to_owned())
    );
    assert_eq!(
        access(&cache).await,
        "passwordaccess1",
        "cached for the hour"
    );
    password.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_refresh_reads_a_string_expires_in_and_keeps_the_old_refresh_token() {
    let server = MockServer::start_async().await;
    let password = password_grant(&server).await;
    let refresh = refresh_grant(&server).await;
    let clock = ManualClock::new();
    let cache = cache(&server, &clock);
    assert_eq!(access(&cache).await, "passwordaccess1");

    clock.advance(Duration::from_secs(3600));
    assert_eq!(access(&cache).await, "refreshedaccess1");
    // `"3600"` was read as an hour, not as the 15-minute default for a missing lifetime.
    clock.advance(Duration::from_secs(1800));
    assert_eq!(access(&cache).await, "refreshedaccess1");
    refresh.assert_calls_async(1).await;

    // The answer carried no refresh token: the first one is sent again.
    clock.advance(Duration::from_secs(1800));
    assert_eq!(access(&cache).await, "refreshedaccess2");
    let token = cache.token().await.expect("token");
    assert_eq!(
        token.refresh_token().map(|r| r.expose_secret().to_owned()),
        Some(REFRESH_1.to_owned())
    );
    refresh.assert_calls_async(2).await;
    password.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_expired_refresh_token_answered_403_signs_in_with_the_password_again() {
    let server = MockServer::start_async().await;
    let password = password_grant(&server).await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .json_body_includes(r#"{"grant_type":"refresh_token"}"#);
            then.status(403).json_body(
                json!({"error": "invalid_grant", "error_description": "Refresh token expired"}),
            );
        })
        .await;
    let clock = ManualClock::new();
    let cache = cache(&server, &clock);
    assert_eq!(access(&cache).await, "passwordaccess1");
    clock.advance(Duration::from_secs(3600));
    assert_eq!(access(&cache).await, "passwordaccess2");
    refresh.assert_calls_async(1).await;
    password.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_403_on_the_password_grant_is_rejected_with_its_code_and_no_secret() {
    let (logs, _guard) = capture_logs(tracing::Level::TRACE, FmtSpan::NONE);
    let server = MockServer::start_async().await;
    let grant = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            // A server that echoes what it was sent must not make the client show it.
            then.status(403).json_body(json!({
                "error": "invalid_grant",
                "error_description": format!("Invalid username or password ({PASSWORD}, {CLIENT_SECRET})"),
            }));
        })
        .await;
    let cache = cache(&server, &ManualClock::new());
    let err = cache.token().await.expect_err("refused");
    grant.assert_calls_async(1).await;
    match &err {
        AuthError::Rejected { status, code, .. } => {
            assert_eq!(*status, 403);
            assert_eq!(code.as_deref(), Some("invalid_grant"));
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    let shown = format!("{err} {err:?} {cache:?} {}", logs.text());
    assert!(shown.contains("Invalid username or password"), "{shown}");
    for secret in [PASSWORD, CLIENT_SECRET] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn tokens_and_credentials_never_reach_debug_or_logs() {
    let (logs, _guard) = capture_logs(tracing::Level::TRACE, FmtSpan::FULL);
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    refresh_grant(&server).await;
    let clock = ManualClock::new();
    let cache = cache(&server, &clock);
    let first = cache.token().await.expect("token");
    clock.advance(Duration::from_secs(3600));
    let second = cache.token().await.expect("token");
    let shown = format!(
        "{first:?} {second:?} {cache:?} {:?} {}",
        config(&server),
        logs.text()
    );
    for secret in [
        PASSWORD,
        CLIENT_SECRET,
        REFRESH_1,
        "passwordaccess1",
        "refreshedaccess1",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn a_password_with_form_special_characters_arrives_unchanged_in_the_json_body() {
    let tricky = "p+ss w&rd=100%\"ä\\/";
    let server = MockServer::start_async().await;
    let grant = server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH).json_body(json!({
                "username": "jane+ops@acme.example",
                "password": tricky,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "scope": "offline_access *",
                "grant_type": "password",
            }));
            then.status(200)
                .json_body(json!({"access_token": "trickyaccess", "expires_in": 3600}));
        })
        .await;
    let config = OAuth2Config::password(
        &server.url(TOKEN_PATH),
        CLIENT_ID,
        Some(SecretString::from(CLIENT_SECRET)),
        "jane+ops@acme.example",
        tricky,
    )
    .expect("config")
    .body_format(BodyFormat::Json)
    .scope("offline_access *");
    let cache = TokenCache::new(
        config
            .into_fetcher(&HttpSettings::new("everreal-test"))
            .expect("fetcher"),
    );
    assert_eq!(access(&cache).await, "trickyaccess");
    grant.assert_async().await;
}
