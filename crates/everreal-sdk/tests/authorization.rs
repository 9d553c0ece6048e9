//! The authorization-code flow of `ClientBuilder::authorization_code`: the authorize URL of the
//! tenant, the code exchanged with a form body, and the client built from the token, which
//! refreshes it with the documented JSON body.

mod common;

use common::{ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, bearer, fast_retry};
use everreal_sdk::{AuthError, Client, Error, ExposeSecret as _, HttpError, MemoryStore};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::json;

const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";
const CODE: &str = "canary-authorization-code-2d8e";
const RENEWED_TOKEN: &str = "canary-renewed-token-91c0";

/// The query parameters of `url`, by name.
fn params(url: &str) -> std::collections::BTreeMap<String, String> {
    reqwest::Url::parse(url)
        .expect("a URL")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[tokio::test]
async fn the_code_is_exchanged_with_a_form_body_and_refreshed_with_json() {
    let server = MockServer::start_async().await;
    let builder = Client::builder()
        .base_url(server.base_url())
        .retry_policy(fast_retry())
        .token_store(MemoryStore::default());
    let flow = builder
        .authorization_code(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
        .expect("flow");

    let (url, pending) = flow.authorize_url();
    let authorize = format!("{}/accounts/dialog/authorize?", server.base_url());
    assert!(url.starts_with(&authorize), "{url}");
    let query = params(&url);
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["redirect_uri"], REDIRECT_URI);
    assert_eq!(query["scope"], "offline_access *");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"].len(), 43, "base64url of a SHA-256");
    assert_eq!(query["state"], pending.state());
    assert!(!url.contains(CLIENT_SECRET));

    // The form NextAuth sends in EverReal's own example, with the PKCE verifier.
    let exchange = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/accounts/oauth/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .form_urlencoded_tuple("grant_type", "authorization_code")
                .form_urlencoded_tuple("code", CODE)
                .form_urlencoded_tuple("redirect_uri", REDIRECT_URI)
                .form_urlencoded_tuple("client_id", CLIENT_ID)
                .form_urlencoded_tuple("client_secret", CLIENT_SECRET)
                .form_urlencoded_tuple_matches("code_verifier", "^[A-Za-z0-9._~-]{43,128}$");
            then.status(200).json_body(json!({
                "access_token": ACCESS_TOKEN,
                "refresh_token": REFRESH_TOKEN,
                "expires_in": 3600,
                "token_type": "Bearer",
            }));
        })
        .await;
    // The refresh as the password grant's: JSON, EverReal's answer with a string lifetime.
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/accounts/oauth/token")
                .header("content-type", "application/json")
                .json_body(json!({
                    "grant_type": "refresh_token",
                    "refresh_token": REFRESH_TOKEN,
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                }));
            then.status(200)
                .json_body(json!({"access_token": RENEWED_TOKEN, "expires_in": "3600"}));
        })
        .await;
    let rejected = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/userinfo")
                .header("authorization", bearer());
            then.status(401).json_body(json!({"code": "unauthorized"}));
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

    let token = flow
        .exchange(&pending, CODE, pending.state())
        .await
        .expect("exchanged");
    exchange.assert_calls_async(1).await;
    assert_eq!(token.access_token().expose_secret(), ACCESS_TOKEN);
    assert_eq!(
        token.refresh_token().map(|r| r.expose_secret().to_owned()),
        Some(REFRESH_TOKEN.to_owned())
    );

    let client = builder
        .authorized(&flow, Some(token))
        .build()
        .expect("client");
    let profile = client.userinfo().await.expect("resent after the refresh");
    assert_eq!(profile.id, "u-1");
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    renewed.assert_calls_async(1).await;
    exchange.assert_calls_async(1).await;

    let shown = format!("{flow:?} {pending:?} {client:?}");
    for secret in [
        CLIENT_SECRET,
        ACCESS_TOKEN,
        REFRESH_TOKEN,
        RENEWED_TOKEN,
        CODE,
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(!shown.contains(pending.state()), "{shown}");
}

#[tokio::test]
async fn a_foreign_state_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let flow = Client::builder()
        .base_url(server.base_url())
        .authorization_code(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
        .expect("flow");
    let (_, pending) = flow.authorize_url();
    let (_, other) = flow.authorize_url();
    assert_ne!(
        pending.state(),
        other.state(),
        "every sign-in has its own state"
    );
    let err = flow
        .exchange(&pending, CODE, other.state())
        .await
        .expect_err("another sign-in's state");
    assert!(
        matches!(err, Error::Http(HttpError::Auth(AuthError::StateMismatch))),
        "{err:?}"
    );
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_signed_in_client_is_only_for_its_own_tenant_and_has_one_kind_of_credentials() {
    let flow = Client::builder()
        .subdomain("acme")
        .authorization_code(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
        .expect("flow");
    let err = Client::builder()
        .subdomain("other")
        .authorized(&flow, None)
        .build()
        .expect_err("another tenant");
    assert!(
        err.to_string().contains("https://acme.everreal.co"),
        "{err}"
    );
    let err = Client::builder()
        .subdomain("acme")
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .authorized(&flow, None)
        .build()
        .expect_err("two kinds");
    assert!(err.to_string().contains("set only one"), "{err}");
    // Without a token and with nothing stored, the first call says the user must sign in.
    let client = Client::builder()
        .subdomain("acme")
        .authorized(&flow, None)
        .build()
        .expect("client");
    let err = client.users_me().await.expect_err("no token");
    assert!(err.to_string().contains("must sign in"), "{err}");
}
