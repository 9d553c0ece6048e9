//! Secret canary: the password (which travels in the sign-in's query string) and the tokens
//! (in every other query string) never appear in an error's `Display` or `Debug`, in the
//! client's or the builder's `Debug`, or in the logs at TRACE, on every failure path: a
//! refused connection, a timeout, an HTTP 500 echoing them, malformed XML echoing them, an
//! expired token, a refusal in text echoing them, and redirects.
//!
//! The password and tokens are letters only: no shape rule can tell them from words, so only
//! redaction by the exact values the client holds keeps them out.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use extraview_sdk::{Client, Error, HttpError, StaticToken};
use httpmock::Method::GET;
use httpmock::MockServer;

const SECRETS: [&str; 3] = [PASSWORD, TOKEN, TOKEN_2];

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
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        assert_clean(&format!("{case}: source"), &format!("{cause} {cause:?}"));
        source = cause.source();
    }
    assert_clean(
        &format!("{case}: client"),
        &format!("{client:?} {client:#?}"),
    );
    let logs = logs.text();
    assert!(
        logs.contains(logged),
        "{case}: the scenario must log `{logged}`:\n{logs}"
    );
    assert_clean(&format!("{case}: logs"), &logs);
}

/// A loopback endpoint nothing listens on.
fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}{PATH}")
}

#[test]
fn the_builder_and_client_debug_show_no_secret() {
    let builder = Client::builder()
        .base_url("https://ev.example.com/evj/ExtraView/ev_api.action")
        .credentials(USER_ID, PASSWORD);
    let shown = format!("{builder:?} {builder:#?}");
    assert!(
        shown.contains(USER_ID),
        "the user id stays visible: {shown}"
    );
    assert_clean("builder", &shown);
    let client = builder.build().expect("client");
    let shown = format!("{client:?} {client:#?}");
    assert!(shown.contains("ev_api.action"), "{shown}");
    assert_clean("client", &shown);
}

#[tokio::test]
async fn a_refused_connection_shows_no_secret() {
    // The sign-in cannot connect: its URL holds the password.
    let (logs, _guard) = capture_logs();
    let client = Client::builder()
        .base_url(closed_endpoint())
        .credentials(USER_ID, PASSWORD)
        .retry_policy(fast_retry())
        .build()
        .expect("client");
    let err = client.heartbeat().await.expect_err("refused");
    let Error::Http(HttpError::Auth(auth)) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(auth.is_unavailable(), "{auth:?}");
    assert_clean_failure("sign-in refused", &err, &client, &logs, "fetch failed");

    // A token at hand, the API down: its URL holds the token.
    let (logs, _guard) = capture_logs();
    let client = Client::builder()
        .base_url(closed_endpoint())
        .token_source(StaticToken::new(TOKEN).expect("token"))
        .retry_policy(fast_retry())
        .build()
        .expect("client");
    let err = client.get(7).await.expect_err("refused");
    assert!(
        matches!(&err, Error::Http(HttpError::Transport(_))),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_clean_failure("API refused", &err, &client, &logs, "request failed");
}

#[tokio::test]
async fn a_timeout_shows_no_secret() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get_token");
            then.status(200)
                .body(token_text(TOKEN))
                .delay(Duration::from_millis(600));
        })
        .await;
    let client = Client::builder()
        .base_url(endpoint(&server))
        .credentials(USER_ID, PASSWORD)
        .retry_policy(fast_retry())
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let err = client.heartbeat().await.expect_err("timed out");
    assert!(err.is_retryable(), "{err:?}");
    // The caller stops waiting after its timeout; the fetch goes on (with its own retries)
    // and logs its failure when it ends.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_clean_failure("sign-in timeout", &err, &client, &logs, "fetch failed");

    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get");
            then.status(200)
                .body(RECORD_XML)
                .delay(Duration::from_millis(600));
        })
        .await;
    let client = Client::builder()
        .base_url(endpoint(&server))
        .credentials(USER_ID, PASSWORD)
        .retry_policy(fast_retry())
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let err = client.get(1).await.expect_err("timed out");
    assert!(
        matches!(&err, Error::Http(HttpError::Transport(_))),
        "{err:?}"
    );
    assert_clean_failure("API timeout", &err, &client, &logs, "request failed");
}

#[tokio::test]
async fn an_http_500_echoing_the_secrets_shows_none() {
    // The sign-in answers 500 with the URL it was called with.
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get_token");
            then.status(500).body(format!(
                "java.lang.NullPointerException at ev_api.action?user_id={USER_ID}&password={PASSWORD}&statevar=get_token"
            ));
        })
        .await;
    let client = common::client(&server);
    let err = client.heartbeat().await.expect_err("500");
    assert_clean_failure("sign-in 500", &err, &client, &logs, "fetch failed");

    // An API call answers 500 with its URL and the password.
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get");
            then.status(500).body(format!(
                "Internal error in ev_api.action?statevar=get&id=7&access_token={TOKEN} (user {USER_ID}, password {PASSWORD})"
            ));
        })
        .await;
    let client = common::client(&server);
    let err = client.get(7).await.expect_err("500");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        err.to_string().contains("[redacted]"),
        "the echo was scrubbed: {err}"
    );
    let body = err
        .http()
        .and_then(HttpError::body)
        .expect("the body is kept");
    assert_clean("the kept body", &String::from_utf8_lossy(body));
    assert_clean_failure("API 500", &err, &client, &logs, "sdk.request");
}

#[tokio::test]
async fn malformed_xml_echoing_the_secrets_shows_none() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "search");
            then.status(200).body(format!(
                "<EXTRAVIEW_RESULTS><PROBLEM_RECORD><NOTE>{TOKEN} {PASSWORD}</NOTE><BROKEN attr=\"{PASSWORD}>"
            ));
        })
        .await;
    let client = common::client(&server);
    let err = client
        .search(&extraview_sdk::SearchQuery::new())
        .await
        .expect_err("malformed");
    assert!(
        matches!(&err, Error::Http(HttpError::Decode { .. })),
        "{err:?}"
    );
    assert_clean_failure("malformed XML", &err, &client, &logs, "sdk.request");
}

#[tokio::test]
async fn an_expired_token_and_refusals_echoing_the_secrets_show_none() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    sign_in_sequence(&server, &[TOKEN, TOKEN_2], false).await;
    heartbeat_with(
        &server,
        TOKEN,
        &format!("Invalid sign on: token {TOKEN} has expired"),
    )
    .await;
    heartbeat_with(
        &server,
        TOKEN_2,
        &format!("Invalid sign on: token {TOKEN_2} has expired"),
    )
    .await;
    let client = common::client(&server);
    let err = client.heartbeat().await.expect_err("refused twice");
    assert!(matches!(&err, Error::Http(HttpError::Auth(_))), "{err:?}");
    assert_clean_failure("expired token", &err, &client, &logs, "resending once");

    // A refusal in text that echoes the password and the token.
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get");
            then.status(200).body(format!(
                "Access denied for {USER_ID}/{PASSWORD} with {TOKEN}"
            ));
        })
        .await;
    let client = common::client(&server);
    let err = client.get(7).await.expect_err("denied");
    let message = &err.api().expect("a refusal").message;
    assert!(
        message.contains("Access denied for jdoe/[redacted]"),
        "{message}"
    );
    assert_clean_failure("refusal", &err, &client, &logs, "sdk.request");

    // The sign-in refused with a text echoing the password.
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get_token");
            then.status(200).body(format!(
                "Invalid sign on for {USER_ID} with password {PASSWORD}"
            ));
        })
        .await;
    let client = common::client(&server);
    let err = client.heartbeat().await.expect_err("refused");
    assert!(err.to_string().contains("[redacted]"), "{err}");
    assert_clean_failure("sign-in refusal", &err, &client, &logs, "fetch failed");
}

#[tokio::test]
async fn redirects_are_not_followed_and_show_no_secret() {
    let (logs, _guard) = capture_logs();
    let elsewhere = MockServer::start_async().await;
    let target = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body(token_text(TOKEN));
        })
        .await;
    let server = MockServer::start_async().await;
    let location = format!("{}/login?password={PASSWORD}", elsewhere.base_url());
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get_token");
            then.status(302)
                .header("location", location.as_str())
                .body(format!("Moved: {PASSWORD}"));
        })
        .await;
    let client = common::client(&server);
    let err = client.heartbeat().await.expect_err("redirect refused");
    let Error::Http(HttpError::Auth(auth)) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(auth.is_rejected(), "{auth:?}");
    assert_clean_failure("sign-in redirect", &err, &client, &logs, "fetch failed");

    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    sign_in(&server, TOKEN).await;
    let location = format!("{}/elsewhere?access_token={TOKEN}", elsewhere.base_url());
    server
        .mock_async(|when, then| {
            when.method(GET).query_param("statevar", "get");
            then.status(301)
                .header("location", location.as_str())
                .body(format!("see {location}"));
        })
        .await;
    let client = common::client(&server);
    let err = client.get(7).await.expect_err("redirect");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(301));
    assert_clean_failure("API redirect", &err, &client, &logs, "sdk.request");
    target.assert_calls_async(0).await;
}
