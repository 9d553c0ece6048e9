//! Secret canary: the password, the client secret and both tokens never appear in an error's
//! `Display` or `Debug`, in the client's or the builder's `Debug`, or in the logs at TRACE:
//! for a 403 refusal echoing them, a 500 echoing the tokens, the tokeninfo call (whose URL
//! carries the token), and connections refused.
//!
//! The credentials are letters only, and one token is 8 characters: no shape rule can tell
//! them from words, so only redaction by the exact values the client holds keeps them out.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use everreal_sdk::{Client, Error, HttpError, RetryPolicy, StaticToken};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::json;

const CLIENT_ID: &str = "acme-client";
const USERNAME: &str = "api-user@acme.example";
const PASSWORD: &str = "opensesameplease";
const CLIENT_SECRET: &str = "hushhushclientsecret";
const ACCESS_TOKEN: &str = "qwertzui";
const REFRESH_TOKEN: &str = "rotatemerefreshtoken";
const SECRETS: [&str; 4] = [PASSWORD, CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN];

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

/// Everything logged at TRACE on this thread (the tests run on a current-thread runtime, so
/// the detached token fetch logs here too).
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

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret}:\n{text}");
    }
}

/// Checks the error, the client and the logs; `logged` must be in the logs, so an empty
/// capture cannot pass.
fn assert_clean_failure(case: &str, err: &Error, client: &Client, logs: &Captured, logged: &str) {
    assert_clean(&format!("{case}: Display"), &err.to_string());
    assert_clean(&format!("{case}: Debug"), &format!("{err:?}"));
    assert_clean(&format!("{case}: alternate Debug"), &format!("{err:#?}"));
    assert_clean(&format!("{case}: client"), &format!("{client:?}"));
    let logs = logs.text();
    assert!(
        logs.contains(logged),
        "{case}: the scenario must log `{logged}`:\n{logs}"
    );
    assert_clean(&format!("{case}: logs"), &logs);
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(2)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(10))
}

fn password_client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .user(USERNAME, PASSWORD)
        .retry_policy(fast_retry())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

async fn token_endpoint(server: &MockServer) {
    server
        .mock_async(|when, then| {
            when.method(POST).path("/accounts/oauth/token");
            then.status(200).json_body(json!({
                "access_token": ACCESS_TOKEN,
                "refresh_token": REFRESH_TOKEN,
                "expires_in": 3600,
                "token_type": "Bearer"
            }));
        })
        .await;
}

/// A loopback port nothing listens on.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn the_builder_and_client_debug_show_no_secret() {
    let builder = Client::builder()
        .subdomain("acme")
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .user(USERNAME, PASSWORD)
        .webhook_secret("webhookcanaryvalue");
    let shown = format!("{builder:?} {builder:#?}");
    assert!(
        shown.contains(USERNAME),
        "the user name stays visible: {shown}"
    );
    assert_clean("builder", &shown);
    assert!(!shown.contains("webhookcanaryvalue"), "{shown}");
    let client = builder.build().expect("client");
    assert_clean("client", &format!("{client:?} {client:#?}"));
}

#[tokio::test]
async fn a_403_refusal_echoing_the_credentials_shows_none() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/accounts/oauth/token");
            then.status(403).json_body(json!({
                "error": "invalid_grant",
                "error_description": format!("password {PASSWORD} for client {CLIENT_SECRET} is wrong"),
            }));
        })
        .await;
    let client = password_client(&server.base_url());
    let err = client.users_me().await.expect_err("refused");
    let Error::Http(HttpError::Auth(auth)) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert_eq!(auth.status(), Some(403));
    assert!(
        err.to_string().contains("[redacted]"),
        "the echo was scrubbed: {err}"
    );
    assert_clean_failure("403 refusal", &err, &client, &logs, "fetch failed");
}

#[tokio::test]
async fn a_500_echoing_the_tokens_shows_none() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/accounts/api/users/me");
            then.status(500).body(format!(
                "internal error: bearer {ACCESS_TOKEN}, refresh {REFRESH_TOKEN}, client {CLIENT_SECRET}"
            ));
        })
        .await;
    let client = password_client(&server.base_url());
    let err = client.users_me().await.expect_err("500");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.to_string().contains("[redacted]"), "{err}");
    assert_clean_failure("API 500", &err, &client, &logs, "sdk.request");
}

#[tokio::test]
async fn the_tokeninfo_url_never_shows() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let info = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/accounts/api/tokeninfo")
                .query_param("access_token", ACCESS_TOKEN);
            then.status(400).json_body(json!({
                "message": format!("bad token {ACCESS_TOKEN}"),
                "url": format!("/accounts/api/tokeninfo?access_token={ACCESS_TOKEN}")
            }));
        })
        .await;
    let client = password_client(&server.base_url());
    let err = client.token_info().await.expect_err("400");
    info.assert_calls_async(1).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_clean_failure("tokeninfo 400", &err, &client, &logs, "token_info");

    // The answer decodes badly: the decode error names the place, not the values.
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/accounts/api/tokeninfo");
            then.status(200)
                .json_body(json!({"audience": {"token": ACCESS_TOKEN}}));
        })
        .await;
    let client = password_client(&server.base_url());
    let err = client.token_info().await.expect_err("bad shape");
    assert!(
        matches!(&err, Error::Http(HttpError::Decode { .. })),
        "{err:?}"
    );
    assert_clean_failure("tokeninfo decode", &err, &client, &logs, "token_info");
}

#[tokio::test]
async fn a_refused_connection_shows_no_secret() {
    // The API is down while a token is at hand: tokeninfo carries it in its URL.
    let (logs, _guard) = capture_logs();
    let client = Client::builder()
        .base_url(closed_port_url())
        .token_source(StaticToken::new(ACCESS_TOKEN).expect("token"))
        .retry_policy(fast_retry())
        .build()
        .expect("client");
    let err = client.token_info().await.expect_err("refused");
    assert!(
        matches!(&err, Error::Http(HttpError::Transport(_))),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_clean_failure("tokeninfo refused", &err, &client, &logs, "request failed");

    let err = client.revoke().await.expect_err("refused");
    assert_clean_failure("revoke refused", &err, &client, &logs, "request failed");

    // The token endpoint is down: the password grant's body never shows.
    let (logs, _guard) = capture_logs();
    let client = password_client(&closed_port_url());
    let err = client.users_me().await.expect_err("refused");
    let Error::Http(HttpError::Auth(auth)) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(auth.is_unavailable(), "{auth:?}");
    assert_clean_failure(
        "token endpoint refused",
        &err,
        &client,
        &logs,
        "fetch failed",
    );
}

#[tokio::test]
async fn graphql_error_messages_echoing_a_token_are_scrubbed() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/api/reporting/graphql");
            then.status(200).json_body(json!({
                "errors": [{"message": format!("token {ACCESS_TOKEN} may not read units"),
                            "extensions": {"code": format!("DENIED_{REFRESH_TOKEN}")}}],
                "data": null
            }));
        })
        .await;
    let client = password_client(&server.base_url());
    let err = client
        .units_page(&everreal_sdk::data::ListInput::new(Default::default()))
        .await
        .expect_err("errors");
    assert!(err.graphql().is_some(), "{err:?}");
    assert_clean_failure("GraphQL errors", &err, &client, &logs, "units");
}
