//! The authorization-code flow with PKCE against a mock of EverReal's endpoints: the authorize
//! URL, the state check, the exchange, the refresh, a refused refresh, and a restart from a
//! stored token.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use httpmock::Method::POST;
use httpmock::{HttpMockRequest, MockServer};
use sdk_auth::fetch::HttpSettings;
use sdk_auth::oauth::{AuthorizationCode, BodyFormat, PendingAuthorization};
use sdk_auth::{
    AuthError, ExposeSecret, FileStore, ManualClock, MemoryStore, SecretString, Token, TokenCache,
    TokenSource, TokenStore,
};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use tracing_subscriber::fmt::format::FmtSpan;

mod common;
use common::{capture_logs, http_response};

const AUTHORIZE_PATH: &str = "/accounts/dialog/authorize";
const TOKEN_PATH: &str = "/accounts/oauth/token";
const CLIENT_ID: &str = "acme-client";
/// Letters only, so no shape rule can mistake them for credentials: only redaction by value
/// keeps them out of messages.
const CLIENT_SECRET: &str = "acmeclientsecretvalue";
const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";
const CODE: &str = "authorizationcodefromthebrowser";
const ACCESS: &str = "exchangedaccesstoken";
const REFRESH: &str = "exchangedrefreshtoken";

fn flow(server: &MockServer) -> AuthorizationCode {
    AuthorizationCode::new(
        &server.url(AUTHORIZE_PATH),
        &server.url(TOKEN_PATH),
        CLIENT_ID,
        Some(SecretString::from(CLIENT_SECRET)),
        REDIRECT_URI,
    )
    .expect("flow")
    .scope("offline_access")
    .scope("*")
}

fn http() -> HttpSettings {
    HttpSettings::new("everreal-test")
}

/// The query parameters of `url`.
fn params(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .expect("a URL")
        .query_pairs()
        .into_owned()
        .collect()
}

/// RFC 7636's S256: BASE64URL(SHA256(verifier)), without padding.
fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The bodies a token endpoint received, as field maps (form or JSON alike).
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<HashMap<String, String>>>>);

impl Received {
    fn record(&self, request: &HttpMockRequest) -> HashMap<String, String> {
        let body = request.body_ref();
        let fields: HashMap<String, String> = match serde_json::from_slice(body) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
                .collect(),
            _ => url::form_urlencoded::parse(body).into_owned().collect(),
        };
        self.0.lock().expect("lock").push(fields.clone());
        fields
    }

    fn all(&self) -> Vec<HashMap<String, String>> {
        self.0.lock().expect("lock").clone()
    }
}

/// The code exchange as an RFC 6749 form: answers `ACCESS` and `REFRESH` for an hour.
async fn exchange_endpoint<'a>(server: &'a MockServer, received: &Received) -> httpmock::Mock<'a> {
    let received = received.clone();
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .header("content-type", "application/x-www-form-urlencoded")
                .form_urlencoded_tuple("grant_type", "authorization_code")
                .form_urlencoded_tuple("code", CODE)
                .form_urlencoded_tuple("redirect_uri", REDIRECT_URI)
                .form_urlencoded_tuple("client_id", CLIENT_ID)
                .form_urlencoded_tuple("client_secret", CLIENT_SECRET)
                .form_urlencoded_tuple_exists("code_verifier");
            then.respond_with(move |request: &HttpMockRequest| {
                received.record(request);
                let body = json!({
                    "access_token": ACCESS,
                    "refresh_token": REFRESH,
                    "expires_in": 3600,
                    "token_type": "Bearer",
                });
                http_response(200, &body.to_string(), &[])
            });
        })
        .await
}

/// The refresh grant for `REFRESH`: answers `refreshedaccess1`, ... with a string lifetime
/// and no new refresh token.
async fn refresh_endpoint(server: &MockServer) -> httpmock::Mock<'_> {
    let n = Arc::new(AtomicUsize::new(0));
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .form_urlencoded_tuple("grant_type", "refresh_token")
                .form_urlencoded_tuple("refresh_token", REFRESH)
                .form_urlencoded_tuple("client_id", CLIENT_ID)
                .form_urlencoded_tuple("client_secret", CLIENT_SECRET);
            then.respond_with(move |_: &HttpMockRequest| {
                let i = n.fetch_add(1, Ordering::SeqCst) + 1;
                let body =
                    json!({"access_token": format!("refreshedaccess{i}"), "expires_in": "3600"});
                http_response(200, &body.to_string(), &[])
            });
        })
        .await
}

/// Signs in: the authorize URL, then the exchange of `CODE` with the state it carried.
async fn signed_in(server: &MockServer) -> (PendingAuthorization, Token) {
    let (url, pending) = flow(server).authorize_url();
    let state = params(&url)["state"].clone();
    let token = pending
        .exchange(CODE, &state, &http())
        .await
        .expect("exchanged");
    (pending, token)
}

fn access(token: &Token) -> String {
    token.access_token().expose_secret().to_owned()
}

#[test]
fn the_authorize_url_carries_every_parameter() {
    let server = MockServer::start();
    let (url, pending) = flow(&server).authorize_url();
    assert!(url.starts_with(&server.url(AUTHORIZE_PATH)), "{url}");
    let p = params(&url);
    assert_eq!(p["response_type"], "code");
    assert_eq!(p["client_id"], CLIENT_ID);
    assert_eq!(p["redirect_uri"], REDIRECT_URI);
    assert_eq!(p["scope"], "offline_access *");
    assert_eq!(p["code_challenge_method"], "S256");
    assert_eq!(p["state"], pending.state());
    let challenge = &p["code_challenge"];
    assert_eq!(challenge.len(), 43, "a base64url SHA-256: {challenge}");
    assert!(
        challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{challenge}"
    );
    assert!(!url.contains(CLIENT_SECRET), "{url}");
    // Every sign-in gets its own state and verifier.
    let (again, other) = flow(&server).authorize_url();
    assert_ne!(params(&again)["code_challenge"], *challenge);
    assert_ne!(other.state(), pending.state());
}

#[test]
fn s256_matches_the_example_of_rfc_7636() {
    assert_eq!(
        s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[tokio::test]
async fn the_exchange_sends_the_verifier_whose_s256_is_the_challenge() {
    let server = MockServer::start_async().await;
    let received = Received::default();
    let exchange = exchange_endpoint(&server, &received).await;
    let (url, pending) = flow(&server).authorize_url();
    let p = params(&url);
    let before = SystemTime::now();
    let token = pending
        .exchange(CODE, &p["state"], &http())
        .await
        .expect("exchanged");
    exchange.assert_calls_async(1).await;
    assert_eq!(access(&token), ACCESS);
    assert_eq!(
        token.refresh_token().map(|r| r.expose_secret().to_owned()),
        Some(REFRESH.to_owned())
    );
    let expiry = token.expiry().expect("an absolute expiry");
    assert!(expiry >= before + Duration::from_secs(3600), "{expiry:?}");
    assert!(expiry <= SystemTime::now() + Duration::from_secs(3600));

    let sent = received.all();
    let verifier = &sent[0]["code_verifier"];
    assert!((43..=128).contains(&verifier.len()), "{verifier}");
    assert_eq!(s256(verifier), p["code_challenge"]);
    assert!(
        !url.contains(verifier.as_str()),
        "the verifier never leaves before the exchange"
    );
}

#[tokio::test]
async fn the_exchange_can_send_json() {
    let server = MockServer::start_async().await;
    let received = Received::default();
    let exchange = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .header("content-type", "application/json")
                .json_body_includes(
                    json!({
                        "grant_type": "authorization_code",
                        "code": CODE,
                        "redirect_uri": REDIRECT_URI,
                        "client_id": CLIENT_ID,
                        "client_secret": CLIENT_SECRET,
                    })
                    .to_string(),
                );
            let received = received.clone();
            then.respond_with(move |request: &HttpMockRequest| {
                received.record(request);
                http_response(200, r#"{"access_token":"jsonaccess","expires_in":60}"#, &[])
            });
        })
        .await;
    let (url, pending) = flow(&server).body_format(BodyFormat::Json).authorize_url();
    let p = params(&url);
    let token = pending
        .exchange(CODE, &p["state"], &http())
        .await
        .expect("exchanged");
    assert_eq!(access(&token), "jsonaccess");
    exchange.assert_calls_async(1).await;
    assert_eq!(
        s256(&received.all()[0]["code_verifier"]),
        p["code_challenge"]
    );
}

#[tokio::test]
async fn a_state_mismatch_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({"access_token": "never"}));
        })
        .await;
    let (_, pending) = flow(&server).authorize_url();
    let (_, other) = flow(&server).authorize_url();
    let mut truncated = pending.state().to_owned();
    truncated.pop();
    for wrong in [other.state(), "", truncated.as_str(), "forged-state"] {
        let err = pending
            .exchange(CODE, wrong, &http())
            .await
            .expect_err("mismatch");
        assert!(matches!(err, AuthError::StateMismatch), "{err:?}");
        assert!(err.to_string().contains("state"), "{err}");
    }
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_refused_code_is_rejected_without_echoing_any_secret() {
    let server = MockServer::start_async().await;
    let received = Received::default();
    {
        let received = received.clone();
        server
            .mock_async(move |when, then| {
                when.method(POST).path(TOKEN_PATH);
                // A server that echoes what it was sent must not make the client show it.
                then.respond_with(move |request: &HttpMockRequest| {
                    let sent = received.record(request);
                    let body = json!({
                        "error": "invalid_grant",
                        "error_description": format!(
                            "code {} with verifier {} and secret {} expired",
                            sent["code"], sent["code_verifier"], sent["client_secret"]
                        ),
                    });
                    http_response(400, &body.to_string(), &[])
                });
            })
            .await;
    }
    let (url, pending) = flow(&server).authorize_url();
    let err = pending
        .exchange(CODE, &params(&url)["state"], &http())
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, AuthError::Rejected { status: 400, code: Some(c), .. } if c == "invalid_grant"),
        "{err:?}"
    );
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("expired"), "{shown}");
    let verifier = received.all()[0]["code_verifier"].clone();
    for secret in [CODE, CLIENT_SECRET, verifier.as_str()] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn the_fetcher_refreshes_after_expiry_and_keeps_the_refresh_token() {
    let server = MockServer::start_async().await;
    let exchange = exchange_endpoint(&server, &Received::default()).await;
    let refresh = refresh_endpoint(&server).await;
    let (_, token) = signed_in(&server).await;
    let clock = ManualClock::new();
    let cache = TokenCache::builder(flow(&server).into_fetcher(&http()).expect("fetcher"))
        .clock(clock.clone())
        .initial_token(token)
        .build();
    assert_eq!(access(&cache.token().await.expect("token")), ACCESS);
    refresh.assert_calls_async(0).await;

    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        access(&cache.token().await.expect("token")),
        "refreshedaccess1"
    );
    // The answer brought no refresh token: the one of the exchange is sent again.
    clock.advance(Duration::from_secs(3600));
    let token = cache.token().await.expect("token");
    assert_eq!(access(&token), "refreshedaccess2");
    assert_eq!(
        token.refresh_token().map(|r| r.expose_secret().to_owned()),
        Some(REFRESH.to_owned())
    );
    refresh.assert_calls_async(2).await;
    exchange.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refused_refresh_token_says_the_user_must_sign_in_again() {
    let server = MockServer::start_async().await;
    let exchange = exchange_endpoint(&server, &Received::default()).await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .form_urlencoded_tuple("grant_type", "refresh_token");
            then.status(403).json_body(
                json!({"error": "invalid_grant", "error_description": "Refresh token expired"}),
            );
        })
        .await;
    let (_, token) = signed_in(&server).await;
    let clock = ManualClock::new();
    let cache = TokenCache::builder(flow(&server).into_fetcher(&http()).expect("fetcher"))
        .clock(clock.clone())
        .initial_token(token)
        .build();
    clock.advance(Duration::from_secs(3600));
    let err = cache.token().await.expect_err("refused");
    match &err {
        AuthError::Rejected {
            status,
            code,
            description,
        } => {
            assert_eq!(*status, 403);
            assert_eq!(code.as_deref(), Some("invalid_grant"));
            let said = description.as_deref().unwrap_or_default();
            assert!(said.contains("Refresh token expired"), "{said}");
            assert!(said.contains("sign in again"), "{said}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    // The rejection is shared for the cool-down: no second refresh, and never a new exchange.
    assert!(
        cache
            .token()
            .await
            .expect_err("still refused")
            .is_rejected()
    );
    refresh.assert_calls_async(1).await;
    exchange.assert_calls_async(1).await;
}

#[tokio::test]
async fn without_a_token_or_a_refresh_token_the_user_must_sign_in() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let empty = TokenCache::new(flow(&server).into_fetcher(&http()).expect("fetcher"));
    let err = empty.token().await.expect_err("no token");
    assert!(
        matches!(&err, AuthError::InvalidConfig(m) if m.contains("sign in")),
        "{err:?}"
    );

    let clock = ManualClock::new();
    let no_refresh = Token::new("accesswithoutrefresh")
        .expect("token")
        .expires_in(Duration::from_secs(60));
    let cache = TokenCache::builder(flow(&server).into_fetcher(&http()).expect("fetcher"))
        .clock(clock.clone())
        .initial_token(no_refresh)
        .build();
    cache.token().await.expect("still valid");
    clock.advance(Duration::from_secs(60));
    let err = cache.token().await.expect_err("expired");
    assert!(
        matches!(&err, AuthError::InvalidConfig(m) if m.contains("sign in again")),
        "{err:?}"
    );
    any.assert_calls_async(0).await;
}

/// Signs in once with a cache over `store`, then "restarts": a new fetcher and a new cache
/// over the same store refresh the stored token without a new authorization.
async fn survives_a_restart(store: impl TokenStore + Clone + 'static) {
    let server = MockServer::start_async().await;
    let exchange = exchange_endpoint(&server, &Received::default()).await;
    let refresh = refresh_endpoint(&server).await;
    let (_, token) = signed_in(&server).await;
    let first = TokenCache::builder(flow(&server).into_fetcher(&http()).expect("fetcher"))
        .store(store.clone())
        .initial_token(token)
        .build();
    assert_eq!(access(&first.token().await.expect("token")), ACCESS);
    drop(first);

    let clock = ManualClock::new();
    let second = TokenCache::builder(flow(&server).into_fetcher(&http()).expect("fetcher"))
        .store(store.clone())
        .clock(clock.clone())
        .build();
    assert_eq!(
        access(&second.token().await.expect("the stored token")),
        ACCESS
    );
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        access(&second.token().await.expect("refreshed")),
        "refreshedaccess1"
    );
    let saved = store.load().expect("load").expect("a token");
    assert_eq!(access(&saved), "refreshedaccess1");
    assert_eq!(
        saved.refresh_token().map(|r| r.expose_secret().to_owned()),
        Some(REFRESH.to_owned()),
        "the refresh token is kept for the next restart"
    );
    exchange.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_token_in_a_file_store_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("sdk-auth-code-flow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    survives_a_restart(FileStore::new(dir.join("token.json"))).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_token_in_a_memory_store_survives_a_new_cache() {
    survives_a_restart(Arc::new(MemoryStore::default())).await;
}

#[tokio::test]
async fn no_secret_reaches_debug_or_the_logs() {
    let (logs, _guard) = capture_logs(tracing::Level::TRACE, FmtSpan::FULL);
    let server = MockServer::start_async().await;
    let received = Received::default();
    exchange_endpoint(&server, &received).await;
    refresh_endpoint(&server).await;
    let flow = flow(&server);
    let (url, pending) = flow.authorize_url();
    let state = params(&url)["state"].clone();
    let token = pending
        .exchange(CODE, &state, &http())
        .await
        .expect("exchanged");
    let shown_token = format!("{token:?}");
    let fetcher = flow.clone().into_fetcher(&http()).expect("fetcher");
    let shown_fetcher = format!("{fetcher:?}");
    let clock = ManualClock::new();
    let cache = TokenCache::builder(fetcher)
        .clock(clock.clone())
        .initial_token(token)
        .build();
    clock.advance(Duration::from_secs(3600));
    cache.token().await.expect("refreshed");
    let verifier = received.all()[0]["code_verifier"].clone();
    let shown = format!(
        "{flow:?} {pending:?} {shown_token} {shown_fetcher} {cache:?} {}",
        logs.text()
    );
    assert!(shown.contains(CLIENT_ID), "{shown}");
    for secret in [
        CLIENT_SECRET,
        CODE,
        verifier.as_str(),
        state.as_str(),
        ACCESS,
        REFRESH,
        "refreshedaccess1",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}
