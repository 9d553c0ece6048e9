//! Secret canary for IoTConnect's real sign-in: the password, the solution key, the access
//! token and the refresh token must never show in the `Display` (alternate form and sources
//! included) or `Debug` of any error, in the `Debug` of the client, its builder or the
//! credentials, nor in anything logged at TRACE, on every failure path: a refused login whose
//! body echoes the password and solution key, a refused refresh (409) echoing the refresh
//! token, API 401 and 500 answers echoing the tokens (as JSON, text, HTML and escaped JSON), a
//! basic-token answer that is not JSON, a 500 from the login, and a refused connection.
//!
//! The canaries are made of letters only, so no shape rule can tell them from words and only
//! redaction by the exact values the client holds keeps them out; the access token is 8
//! characters long.

use std::io::Write;
use std::sync::{Arc, Mutex};

use iotconnect_sdk::auth::types::VerifyTokenEnvelope;
use iotconnect_sdk::{AuthError, Client, ClientBuilder, Credentials, Envelope as _, Error};
use iotconnect_sdk_httpmock::auth::MockServerExt as _;
use iotconnect_sdk_httpmock::httpmock::Method::POST;
use iotconnect_sdk_httpmock::httpmock::{Mock, MockServer};
use iotconnect_sdk_httpmock::{SignInExt as _, fast_retry_policy, urls};
use serde_json::json;

const USER: &str = "canary.user@example.com";
const PASSWORD: &str = "quietlemonpassphrase";
const SOLUTION_KEY: &str = "quokkasolutionkeycanary";
/// The short one: 8 characters.
const ACCESS_TOKEN: &str = "plumvexa";
const REFRESH_TOKEN: &str = "rotatingrefreshcanary";

const SECRETS: [&str; 4] = [PASSWORD, SOLUTION_KEY, ACCESS_TOKEN, REFRESH_TOKEN];

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("buffer").clone()).expect("utf-8 logs")
    }
}

/// Captures everything logged at TRACE on this thread (each test runs on a current-thread
/// runtime, so the detached token fetch logs here too).
fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

fn credentials() -> Credentials {
    Credentials::new(USER, PASSWORD, SOLUTION_KEY).expect("credentials")
}

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .credentials(credentials())
        .urls(urls(server))
        .retry_policy(fast_retry_policy())
}

fn client(server: &MockServer) -> Client {
    builder(server).build().expect("client")
}

/// Everything an error shows: `Display`, alternate `Display`, `Debug`, pretty `Debug`, and the
/// `Display` of each source.
fn shown(err: &Error) -> String {
    let mut text = format!("{err}\n{err:#}\n{err:?}\n{err:#?}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!("\n{cause}\n{cause:?}"));
        source = cause.source();
    }
    text
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret}:\n{text}");
    }
}

/// Checks the error, the client, its builder, the credentials and the logs of one failure
/// path; `logged` is a line the path must have logged, so an empty capture cannot pass.
fn assert_clean(case: &str, err: &Error, client: &Client, logs: &Captured, logged: &str) {
    assert_no_secret(&format!("{case}: the error"), &shown(err));
    assert_no_secret(
        &format!("{case}: Debug of the client"),
        &format!("{client:?}"),
    );
    assert_no_secret(
        &format!("{case}: Debug of the credentials"),
        &format!("{:?}", credentials()),
    );
    let logs = logs.text();
    assert!(
        logs.contains(logged),
        "{case}: the scenario must log `{logged}`:\n{logs}"
    );
    assert_no_secret(&format!("{case}: logs"), &logs);
}

/// A verify-token call that must never be reached when no token can be had.
fn unreachable_api(server: &MockServer) -> Mock<'_> {
    server.verify_token(|_when, then| {
        then.ok(&VerifyTokenEnvelope::from_data(vec![]));
    })
}

/// A login that hands out the canary tokens, already expired, so the next call refreshes.
fn expiring_login(server: &MockServer) -> Mock<'_> {
    server.mock(|when, then| {
        when.method(POST)
            .path("/Auth/login")
            .json_body(json!({"username": USER, "password": PASSWORD}));
        then.status(200).json_body(json!({
            "token_type": "bearer", "access_token": ACCESS_TOKEN, "expires_in": 0,
            "refresh_token": REFRESH_TOKEN, "status": 200
        }));
    })
}

/// A login refused with 401, its message echoing the password and the solution key.
fn echoing_login_refusal(server: &MockServer) -> Mock<'_> {
    server.mock(|when, then| {
        when.method(POST).path("/Auth/login");
        then.status(401).json_body(json!({
            "status": 401, "data": null,
            "message": format!("user {USER} with password {PASSWORD} may not use {SOLUTION_KEY}"),
            "error": {"password": PASSWORD, "solution-key": SOLUTION_KEY}
        }));
    })
}

#[tokio::test]
async fn the_debug_of_credentials_builder_and_signed_in_client_shows_no_secret() {
    let server = MockServer::start_async().await;
    server.basic_token_endpoint();
    let login = server.login_endpoint(USER, PASSWORD, SOLUTION_KEY, ACCESS_TOKEN, REFRESH_TOKEN);
    let verify = server.verify_token(|when, then| {
        when.into_inner()
            .header("authorization", format!("Bearer {ACCESS_TOKEN}"));
        then.ok(&VerifyTokenEnvelope::from_data(vec![]));
    });
    let shown_builder = format!("{:?}", builder(&server));
    let client = client(&server);
    client
        .auth()
        .verify_token()
        .send()
        .await
        .expect("signed in");
    login.assert_async().await;
    verify.assert_async().await;
    // Signed in: the cache now holds both tokens.
    for (what, text) in [
        (
            "credentials",
            format!("{:?} {:#?}", credentials(), credentials()),
        ),
        ("builder", shown_builder),
        ("client", format!("{client:?} {client:#?}")),
        ("device service", format!("{:?}", client.device())),
    ] {
        assert!(!text.is_empty(), "{what}");
        assert_no_secret(what, &text);
    }
}

#[tokio::test]
async fn a_refused_login_echoing_the_password_and_solution_key_shows_neither() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    server.basic_token_endpoint();
    let login = echoing_login_refusal(&server);
    let api = unreachable_api(&server);
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
    // The vendor's message is kept, scrubbed.
    assert!(err.to_string().contains("[redacted]"), "{err}");
    login.assert_async().await;
    api.assert_calls_async(0).await;
    assert_clean("refused login", &err, &client, &logs, "fetch failed");
}

#[tokio::test]
async fn a_refused_refresh_echoing_the_refresh_token_shows_it_nowhere() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    server.basic_token_endpoint();
    let login = expiring_login(&server);
    let refresh = server.mock(|when, then| {
        when.method(POST)
            .path("/Auth/refresh-token")
            .json_body(json!({"refreshtoken": REFRESH_TOKEN}));
        then.status(409).json_body(json!({
            "status": 409, "message": format!("Invalid refresh token {REFRESH_TOKEN}"),
            "error": [{"param": "refreshtoken", "message": REFRESH_TOKEN}]
        }));
    });
    let api = server.verify_token(|_when, then| {
        then.ok(&VerifyTokenEnvelope::from_data(vec![]));
    });
    let client = client(&server);
    client
        .auth()
        .verify_token()
        .send()
        .await
        .expect("first call");
    // From now on the login refuses, so the refused refresh ends in an error.
    login.delete_async().await;
    let refusal = echoing_login_refusal(&server);
    let err = client
        .auth()
        .verify_token()
        .send()
        .await
        .expect_err("refresh and login refused");
    assert!(
        matches!(&err, Error::Auth(AuthError::Rejected { .. })),
        "{err:?}"
    );
    refresh.assert_async().await;
    refusal.assert_async().await;
    api.assert_calls_async(1).await;
    assert_clean(
        "refused refresh",
        &err,
        &client,
        &logs,
        "refresh token rejected",
    );
}

#[tokio::test]
async fn an_unavailable_refresh_echoing_the_refresh_token_shows_it_nowhere() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    server.basic_token_endpoint();
    expiring_login(&server);
    let refresh = server.mock(|when, then| {
        when.method(POST).path("/Auth/refresh-token");
        then.status(503)
            .header("content-type", "text/plain")
            .body(format!(
                "cannot refresh {REFRESH_TOKEN} for {ACCESS_TOKEN} now"
            ));
    });
    server.verify_token(|_when, then| {
        then.ok(&VerifyTokenEnvelope::from_data(vec![]));
    });
    let client = client(&server);
    client
        .auth()
        .verify_token()
        .send()
        .await
        .expect("first call");
    let err = client
        .auth()
        .verify_token()
        .send()
        .await
        .expect_err("refresh unavailable");
    assert!(
        matches!(&err, Error::Auth(e) if e.is_unavailable()),
        "{err:?}"
    );
    assert!(refresh.calls_async().await >= 1);
    assert_clean("unavailable refresh", &err, &client, &logs, "fetch failed");
}

#[tokio::test]
async fn api_401_and_500_echoing_the_tokens_show_no_secret() {
    let json_body = json!({
        "status": 401, "message": format!("token {ACCESS_TOKEN} rejected"),
        "error": [{"param": "Authorization", "message": format!("Bearer {ACCESS_TOKEN}")},
                  {"param": "refreshtoken", "message": REFRESH_TOKEN},
                  {"param": "solution-key", "message": SOLUTION_KEY}]
    })
    .to_string();
    let text_body = format!("Bearer {ACCESS_TOKEN} rejected (refresh {REFRESH_TOKEN})");
    let html_body = format!(
        "<html><body><h1>Denied</h1><p>Bearer {ACCESS_TOKEN}</p><p>{REFRESH_TOKEN} {PASSWORD}</p></body></html>"
    );
    // The same JSON as an encoder that escapes letters writes it ("plumvexa").
    let escaped_body = r#"{"status":500,"message":"token \u0070\u006cumvexa rejected"}"#.to_owned();
    let bodies = [
        ("JSON", "application/json", json_body),
        ("text", "text/plain", text_body),
        ("HTML", "text/html", html_body),
        ("escaped JSON", "application/json", escaped_body),
    ];
    for status in [401u16, 500] {
        for (kind, content_type, body) in &bodies {
            let case = format!("API {status} with a {kind} body");
            let (logs, _guard) = capture_logs();
            let server = MockServer::start_async().await;
            server.basic_token_endpoint();
            server.login_endpoint(USER, PASSWORD, SOLUTION_KEY, ACCESS_TOKEN, REFRESH_TOKEN);
            // A 401 makes the client fetch a new token (a refresh) and resend once.
            server.refresh_endpoint(REFRESH_TOKEN, ACCESS_TOKEN, REFRESH_TOKEN);
            let api = server.verify_token(|when, then| {
                when.into_inner()
                    .header("authorization", format!("Bearer {ACCESS_TOKEN}"));
                then.into_inner()
                    .status(status)
                    .header("content-type", *content_type)
                    .body(body);
            });
            let client = client(&server);
            let err = client.auth().verify_token().send().await.expect_err(&case);
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{case}");
            assert!(matches!(&err, Error::Api { .. }), "{case}: {err:?}");
            // The body kept for code that decodes it has the echo scrubbed, the rest intact.
            let kept = String::from_utf8_lossy(err.body().expect("an API error")).into_owned();
            assert!(kept.contains("[redacted]"), "{case}: {kept}");
            assert_no_secret(&format!("{case}: the kept body"), &kept);
            assert!(err.to_string().contains("[redacted]"), "{case}: {err}");
            assert!(api.calls_async().await >= 1, "{case}");
            assert_clean(&case, &err, &client, &logs, "sdk.request");
        }
    }
}

#[tokio::test]
async fn a_basic_token_answer_that_is_not_json_shows_no_secret() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    let basic = server.mock(|when, then| {
        when.path("/Auth/basic-token");
        then.status(200)
            .header("content-type", "text/html")
            .body(format!(
                "<html>maintenance; key {SOLUTION_KEY} user {USER} password {PASSWORD}</html>"
            ));
    });
    let login = server.login_endpoint(USER, PASSWORD, SOLUTION_KEY, ACCESS_TOKEN, REFRESH_TOKEN);
    let api = unreachable_api(&server);
    let client = client(&server);
    let err = client
        .auth()
        .verify_token()
        .send()
        .await
        .expect_err("no basic token");
    assert!(
        matches!(&err, Error::Auth(AuthError::MalformedResponse { .. })),
        "{err:?}"
    );
    basic.assert_async().await;
    login.assert_calls_async(0).await;
    api.assert_calls_async(0).await;
    assert_clean("basic token not JSON", &err, &client, &logs, "fetch failed");
}

#[tokio::test]
async fn a_login_500_echoing_the_password_and_solution_key_shows_neither() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    server.basic_token_endpoint();
    let login = server.mock(|when, then| {
        when.method(POST).path("/Auth/login");
        then.status(500).json_body(json!({
            "status": 500, "data": null,
            "message": format!("cannot check {PASSWORD} against {SOLUTION_KEY}")
        }));
    });
    let api = unreachable_api(&server);
    let client = client(&server);
    let err = client
        .auth()
        .verify_token()
        .send()
        .await
        .expect_err("login down");
    let Error::Auth(auth) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(auth.is_unavailable(), "{auth:?}");
    assert_eq!(auth.status(), Some(500));
    assert!(login.calls_async().await >= 1);
    api.assert_calls_async(0).await;
    assert_clean("login 500", &err, &client, &logs, "fetch failed");
}

#[tokio::test]
async fn a_refused_connection_shows_no_secret() {
    let (logs, _guard) = capture_logs();
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let client = Client::builder()
        .credentials(credentials())
        .urls(iotconnect_sdk::ServiceUrls {
            auth: url.clone(),
            device: url.clone(),
            user: url.clone(),
            telemetry: url,
        })
        .retry_policy(fast_retry_policy())
        .build()
        .expect("client");
    let err = client
        .auth()
        .verify_token()
        .send()
        .await
        .expect_err("nobody listens");
    assert!(
        matches!(&err, Error::Auth(e) if e.is_unavailable()),
        "{err:?}"
    );
    assert_clean("connection refused", &err, &client, &logs, "fetch failed");
}

#[tokio::test]
async fn answers_of_the_wrong_shape_echoing_secrets_show_none() {
    // A 200 login answer without `access_token`, a 200 login answer that is an HTML page,
    // and a 200 API answer that is not JSON, each echoing secrets.
    let cases = [
        (
            "login without a token",
            "/Auth/login",
            "application/json",
            json!({"status": 200, "refresh_token": REFRESH_TOKEN,
                   "message": format!("password {PASSWORD} key {SOLUTION_KEY}")})
            .to_string(),
        ),
        (
            "login as an HTML page",
            "/Auth/login",
            "text/html",
            format!(
                "<html>access_token={ACCESS_TOKEN}&refresh_token={REFRESH_TOKEN} {PASSWORD}</html>"
            ),
        ),
        (
            "API answer not JSON",
            "/Auth/verify-token",
            "text/html",
            format!("<html>Bearer {ACCESS_TOKEN} {REFRESH_TOKEN}</html>"),
        ),
    ];
    for (case, path, content_type, body) in cases {
        let (logs, _guard) = capture_logs();
        let server = MockServer::start_async().await;
        server.basic_token_endpoint();
        let odd = server.mock(|when, then| {
            when.path(path);
            then.status(200)
                .header("content-type", content_type)
                .body(body);
        });
        // Reached only when the odd answer is the API's.
        server.login_endpoint(USER, PASSWORD, SOLUTION_KEY, ACCESS_TOKEN, REFRESH_TOKEN);
        let client = client(&server);
        let err = client.auth().verify_token().send().await.expect_err(case);
        let expected = if path == "/Auth/login" {
            matches!(&err, Error::Auth(AuthError::MalformedResponse { .. }))
        } else {
            matches!(&err, Error::Decode { .. })
        };
        assert!(expected, "{case}: {err:?}");
        odd.assert_async().await;
        let logged = if path == "/Auth/login" {
            "fetch failed"
        } else {
            "sdk.request"
        };
        assert_clean(case, &err, &client, &logs, logged);
    }
}

/// `api_error` (and `ErrorExt::iotconnect`) decode the body of an API error into `ApiError`,
/// whose `Display` and `Debug` are meant to be shown. The body decoded used to be the raw one,
/// so an answer that echoed the tokens showed them (this test failed: "Display of api_error
/// leaks plumvexa"); `sdk-auth` now scrubs the body it keeps.
#[tokio::test]
async fn the_typed_error_body_of_an_answer_echoing_the_tokens_shows_neither() {
    let server = MockServer::start_async().await;
    server.basic_token_endpoint();
    server.login_endpoint(USER, PASSWORD, SOLUTION_KEY, ACCESS_TOKEN, REFRESH_TOKEN);
    server.verify_token(|_when, then| {
        then.server_error(
            500,
            &serde_json::from_value(json!({
                "status": 500, "message": format!("token {ACCESS_TOKEN} rejected"),
                "error": [{"param": "refreshtoken", "message": REFRESH_TOKEN}]
            }))
            .expect("an error body"),
        );
    });
    let client = client(&server);
    let err = client.auth().verify_token().send().await.expect_err("500");
    assert_no_secret("the error", &shown(&err));
    let body = iotconnect_sdk::api_error(&err).expect("a typed error body");
    assert_eq!(body.status, Some(500));
    assert_no_secret("Display of api_error", &body.to_string());
    assert_no_secret("Debug of api_error", &format!("{body:?}"));
}
