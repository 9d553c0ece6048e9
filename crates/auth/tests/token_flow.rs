//! The OAuth2 grants and the token cache against a mock token endpoint.

use std::sync::Arc;
use std::time::Duration;

use httpmock::Method::POST;
use httpmock::MockServer;
use sdk_auth::oauth::{BodyFormat, ClientAuth, OAuth2Config};
use sdk_auth::{AuthError, ExposeSecret, SecretString, TokenCache, TokenSource};
use serde_json::json;

mod common;
use common::{cache, config_at_t};

async fn access(cache: &TokenCache) -> String {
    cache
        .token()
        .await
        .expect("token")
        .access_token()
        .expose_secret()
        .to_owned()
}

#[tokio::test]
async fn client_credentials_in_the_form_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/auth/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .form_urlencoded_tuple("grant_type", "client_credentials")
                .form_urlencoded_tuple("client_id", "the-id")
                .form_urlencoded_tuple("client_secret", "the-secret")
                .form_urlencoded_tuple("scope", "user developer")
                .header_missing("authorization");
            // Everactive's mock answers 201; any 2xx is a success.
            then.status(201).json_body(
                json!({"access_token": "tok-1", "expires_in": 86400, "token_type": "Bearer"}),
            );
        })
        .await;
    let config =
        OAuth2Config::client_credentials(&server.url("/auth/token"), "the-id", "the-secret")
            .expect("config")
            .scope("user")
            .scope("developer");
    let cache = cache(config);
    assert_eq!(access(&cache).await, "tok-1");
    assert_eq!(access(&cache).await, "tok-1");
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn client_credentials_with_basic_auth() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/token")
                // base64("the-id:the-secret")
                .header("authorization", "Basic dGhlLWlkOnRoZS1zZWNyZXQ=")
                .form_urlencoded_tuple("grant_type", "client_credentials")
                .form_urlencoded_tuple_missing("client_secret");
            then.status(200)
                .json_body(json!({"access_token": "tok-basic"}));
        })
        .await;
    let config = OAuth2Config::client_credentials(&server.url("/token"), "the-id", "the-secret")
        .expect("config")
        .client_auth(ClientAuth::BasicAuth);
    assert_eq!(access(&cache(config)).await, "tok-basic");
    mock.assert_async().await;
}

#[tokio::test]
async fn password_grant_with_a_json_body_and_lenient_response() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .header("content-type", "application/json")
                .json_body_includes(r#"{"grant_type":"password","username":"jane","password":"pw-1","client_id":"app"}"#);
            // A string `expires_in`, no `token_type`, wrapped in an envelope.
            then.status(200)
                .json_body(json!({"status": 200, "data": {"access_token": "tok-pw", "expires_in": "3600"}}));
        })
        .await;
    let config = OAuth2Config::password(&server.url("/oauth/token"), "app", None, "jane", "pw-1")
        .expect("config")
        .body_format(BodyFormat::Json)
        .envelope("data");
    assert_eq!(access(&cache(config)).await, "tok-pw");
    mock.assert_async().await;
}

#[tokio::test]
async fn refresh_token_is_used_and_kept_when_the_answer_has_none() {
    let server = MockServer::start_async().await;
    // The first token is born stale (expires_in 0) so every call renews it.
    let primary = server
        .mock_async(|when, then| {
            when.method(POST)
                .form_urlencoded_tuple("grant_type", "client_credentials");
            then.status(200).json_body(
                json!({"access_token": "tok-1", "expires_in": 0, "refresh_token": "ref-1"}),
            );
        })
        .await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .form_urlencoded_tuple("grant_type", "refresh_token")
                .form_urlencoded_tuple("refresh_token", "ref-1");
            then.status(200)
                .json_body(json!({"access_token": "tok-2", "expires_in": 0}));
        })
        .await;
    let cache = cache(config_at_t(&server));
    assert_eq!(access(&cache).await, "tok-1");
    assert_eq!(access(&cache).await, "tok-2");
    // tok-2 came without a refresh token: ref-1 is still used.
    assert_eq!(access(&cache).await, "tok-2");
    primary.assert_calls_async(1).await;
    refresh.assert_calls_async(2).await;
}

/// `extra_param` promises the field on every token request; the refresh went without it.
#[tokio::test]
async fn an_extra_param_goes_with_the_refresh_too() {
    let server = MockServer::start_async().await;
    let primary = server
        .mock_async(|when, then| {
            when.method(POST)
                .form_urlencoded_tuple("grant_type", "client_credentials")
                .form_urlencoded_tuple("audience", "api://data");
            then.status(200).json_body(
                json!({"access_token": "tok-1", "expires_in": 0, "refresh_token": "ref-1"}),
            );
        })
        .await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .form_urlencoded_tuple("grant_type", "refresh_token")
                .form_urlencoded_tuple("audience", "api://data");
            then.status(200)
                .json_body(json!({"access_token": "tok-2", "expires_in": 3600}));
        })
        .await;
    let cache = cache(config_at_t(&server).extra_param("audience", "api://data"));
    assert_eq!(access(&cache).await, "tok-1");
    assert_eq!(access(&cache).await, "tok-2");
    primary.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
}

/// A token endpoint whose primary grant hands out `tok-p` (expired at once, with a refresh
/// token) and whose refresh grant answers `refresh_status` with `refresh_body`.
async fn grants_with_refresh<'a>(
    server: &'a MockServer,
    refresh_status: u16,
    refresh_body: &'static str,
) -> (httpmock::Mock<'a>, httpmock::Mock<'a>) {
    let primary = server
        .mock_async(|when, then| {
            when.method(POST)
                .form_urlencoded_tuple("grant_type", "client_credentials");
            then.status(200).json_body(
                json!({"access_token": "tok-p", "expires_in": 0, "refresh_token": "ref-x"}),
            );
        })
        .await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .form_urlencoded_tuple("grant_type", "refresh_token");
            then.status(refresh_status).body(refresh_body);
        })
        .await;
    (primary, refresh)
}

#[tokio::test]
async fn a_refused_refresh_token_falls_back_to_the_primary_grant() {
    let server = MockServer::start_async().await;
    let (primary, refresh) =
        grants_with_refresh(&server, 400, r#"{"error":"invalid_grant"}"#).await;
    let cache = cache(config_at_t(&server));
    assert_eq!(access(&cache).await, "tok-p");
    assert_eq!(access(&cache).await, "tok-p");
    primary.assert_calls_async(2).await;
    refresh.assert_calls_async(1).await;
}

/// Defect 8b of the issue 7 review (it failed before the fix): a 503 during a refresh was
/// taken as "refresh token refused", so the primary grant ran.
#[tokio::test]
async fn a_503_during_a_refresh_does_not_sign_in_again() {
    let server = MockServer::start_async().await;
    let (primary, refresh) = grants_with_refresh(&server, 503, "busy").await;
    let cache = cache(config_at_t(&server));
    cache.token().await.expect("first token");
    let err = cache.token().await.expect_err("refresh unavailable");
    assert!(err.is_unavailable(), "{err:?}");
    primary.assert_calls_async(1).await;
    assert!(refresh.calls_async().await >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hundred_callers_with_an_expired_token_cause_one_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/t");
            then.status(200)
                .delay(Duration::from_millis(100))
                .json_body(json!({"access_token": "tok-shared", "expires_in": 3600}));
        })
        .await;
    let cache = Arc::new(cache(config_at_t(&server)));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { access(&cache).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("join"), "tok-shared");
    }
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refused_request_is_a_typed_error_with_status_and_code() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(401)
                .json_body(json!({"error": "invalid_client", "error_description": "Unauthorized"}));
        })
        .await;
    let cache = cache(
        OAuth2Config::client_credentials(&server.url("/t"), "id", "wrong-secret").expect("config"),
    );
    let err = cache.token().await.expect_err("refused");
    match &err {
        AuthError::Rejected {
            status,
            code,
            description,
        } => {
            assert_eq!(*status, 401);
            assert_eq!(code.as_deref(), Some("invalid_client"));
            assert_eq!(description.as_deref(), Some("Unauthorized"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!format!("{err} {err:?}").contains("wrong-secret"));
}

#[tokio::test]
async fn a_malformed_answer_is_typed_and_its_excerpt_hides_the_token() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200)
                .json_body(json!({"access_token": "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu", "expires_in": "tomorrow"}));
        })
        .await;
    let cache = cache(config_at_t(&server));
    let err = cache.token().await.expect_err("malformed");
    assert!(
        matches!(err, AuthError::MalformedResponse { status: 200, .. }),
        "{err:?}"
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("eyJhbGciOiJSUzI1NiJ9"), "{shown}");
    assert!(shown.contains("expires_in"), "{shown}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start_async().await;
    let elsewhere = server
        .mock_async(|when, then| {
            when.path("/elsewhere");
            then.status(200)
                .json_body(json!({"access_token": "stolen"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/t");
            then.status(307).header("location", "/elsewhere");
        })
        .await;
    let cache = cache(config_at_t(&server));
    let err = cache.token().await.expect_err("not followed");
    assert!(
        matches!(err, AuthError::Rejected { status: 307, .. }),
        "{err:?}"
    );
    elsewhere.assert_calls_async(0).await;
}

#[test]
fn secrets_in_config_never_reach_debug() {
    let config = OAuth2Config::password(
        "https://auth.example.com/token",
        "app",
        Some(SecretString::from("client-secret-xyz")),
        "jane",
        "password-xyz",
    )
    .expect("config");
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("client-secret-xyz") && !shown.contains("password-xyz"),
        "{shown}"
    );
}
