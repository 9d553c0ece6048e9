//! IoTConnect's sign-in against a mock auth service: the basic token, then the login with the
//! basic token, the solution key and a JSON body; the refresh, and a fresh login when it is
//! refused; secrets never shown; bad input refused before any request.

use httpmock::Method::{GET, POST};
use httpmock::{Mock, MockServer};
use iotconnect_sdk::{AuthError, Client, Credentials, Error, ServiceUrls};
use serde_json::json;

const PASSWORD: &str = "correcthorse";
const SOLUTION_KEY: &str = "solutionkeyvalue";

fn client(server: &MockServer) -> Client {
    let url = server.base_url();
    Client::builder()
        .credentials(Credentials::new("dev@example.com", PASSWORD, SOLUTION_KEY).expect("creds"))
        .urls(ServiceUrls {
            auth: url.clone(),
            device: url.clone(),
            user: url.clone(),
            telemetry: url,
        })
        .retry_policy(iotconnect_sdk::RetryPolicy::none())
        .build()
        .expect("client")
}

async fn basic_token(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET).path("/Auth/basic-token");
            then.status(200)
                .json_body(json!({"data": "YmFzaWMtdG9rZW4=", "status": 200, "message": "ok"}));
        })
        .await
}

/// A login answering `token` (with refresh token `ref-<token>`) that lives `lifetime` seconds.
async fn login<'a>(server: &'a MockServer, token: &str, lifetime: u64) -> Mock<'a> {
    let body = json!({"token_type": "bearer", "access_token": token, "expires_in": lifetime,
                      "refresh_token": format!("ref-{token}"), "status": 200});
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path("/Auth/login")
                .header("authorization", "Basic YmFzaWMtdG9rZW4=")
                .header("solution-key", SOLUTION_KEY)
                .header("content-type", "application/json")
                .json_body(json!({"username": "dev@example.com", "password": PASSWORD}));
            then.status(200).json_body(body);
        })
        .await
}

/// The verify-token call, accepted for `token`.
async fn verify<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    let bearer = format!("Bearer {token}");
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path("/Auth/verify-token")
                .header("authorization", bearer);
            then.status(200)
                .json_body(json!({"data": [], "status": 200, "message": "ok", "count": 0}));
        })
        .await
}

#[tokio::test]
async fn a_call_signs_in_with_the_basic_token_the_solution_key_and_a_json_body() {
    let server = MockServer::start_async().await;
    let basic = basic_token(&server).await;
    let login = login(&server, "acc-1", 3600).await;
    let api = verify(&server, "acc-1").await;
    let client = client(&server);
    client.auth().verify_token().send().await.expect("first");
    client.auth().verify_token().send().await.expect("second");
    basic.assert_calls_async(1).await;
    login.assert_calls_async(1).await;
    api.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_a_refused_refresh_signs_in_again() {
    let server = MockServer::start_async().await;
    basic_token(&server).await;
    // Expired at once: the next call refreshes.
    let login = login(&server, "acc-1", 0).await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/Auth/refresh-token")
                .json_body(json!({"refreshtoken": "ref-acc-1"}));
            then.status(409).json_body(
                json!({"status": 409, "message": "InvalidRefreshToken", "error": null, "data": null}),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/Auth/verify-token");
            then.status(200)
                .json_body(json!({"data": [], "status": 200}));
        })
        .await;
    let client = client(&server);
    client.auth().verify_token().send().await.expect("first");
    client
        .auth()
        .verify_token()
        .send()
        .await
        .expect("after the refused refresh");
    refresh.assert_calls_async(1).await;
    login.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_refresh_rotates_both_tokens() {
    let server = MockServer::start_async().await;
    basic_token(&server).await;
    login(&server, "acc-1", 0).await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/Auth/refresh-token")
                .json_body(json!({"refreshtoken": "ref-acc-1"}));
            then.status(200)
                .json_body(json!({"token_type": "bearer", "access_token": "acc-2",
                "expires_in": 3600, "refresh_token": "ref-acc-2", "status": 200}));
        })
        .await;
    let api = verify(&server, "acc-2").await;
    let client = client(&server);
    let _ = client.auth().verify_token().send().await;
    client
        .auth()
        .verify_token()
        .send()
        .await
        .expect("with the refreshed token");
    refresh.assert_calls_async(1).await;
    api.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_unavailable_refresh_does_not_sign_in_again() {
    let server = MockServer::start_async().await;
    basic_token(&server).await;
    let login = login(&server, "acc-1", 0).await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/Auth/refresh-token");
            then.status(503).body("busy");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/Auth/verify-token");
            then.status(200)
                .json_body(json!({"data": [], "status": 200}));
        })
        .await;
    let client = client(&server);
    client.auth().verify_token().send().await.expect("first");
    let err = client
        .auth()
        .verify_token()
        .send()
        .await
        .expect_err("refresh down");
    assert!(
        matches!(&err, Error::Auth(e) if e.is_unavailable()),
        "{err:?}"
    );
    login.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refused_login_never_shows_the_password_the_solution_key_or_the_tokens() {
    let server = MockServer::start_async().await;
    basic_token(&server).await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/Auth/login");
            then.status(401).json_body(json!({
                "status": 401, "error": null, "data": null,
                "message": format!("user with password {PASSWORD} on {SOLUTION_KEY} refused")
            }));
        })
        .await;
    let client = client(&server);
    let err = client
        .auth()
        .verify_token()
        .send()
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, Error::Auth(AuthError::Rejected { status: 401, .. })),
        "{err:?}"
    );
    let shown = format!("{err} {err:?} {client:?}");
    for secret in [PASSWORD, SOLUTION_KEY, "YmFzaWMtdG9rZW4="] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("refused"), "{shown}");
}

#[test]
fn bad_input_is_refused_before_any_request() {
    for (user, password, key) in [
        ("", "pw", "key"),
        ("dev@example.com", "", "key"),
        ("dev@example.com", "pw", " "),
    ] {
        let err = Credentials::new(user, password, key).expect_err("refused");
        assert!(matches!(err, AuthError::InvalidConfig(_)), "{err:?}");
    }
    let missing = Client::builder().build().expect_err("no credentials");
    assert!(matches!(missing, Error::Auth(AuthError::InvalidConfig(_))));
    let plain = Client::builder()
        .credentials(Credentials::new("u", "p", "k").expect("creds"))
        .urls(ServiceUrls {
            auth: "http://auth.example.com".into(),
            device: "https://d.example.com".into(),
            user: "https://u.example.com".into(),
            telemetry: "https://t.example.com".into(),
        })
        .build()
        .expect_err("plain http");
    assert!(matches!(plain, Error::Auth(AuthError::InvalidConfig(_))));
}
