//! Secret canary: the client secret and access token must not appear in logs at TRACE level,
//! in any error's `Display` or `Debug`, or in the client's `Debug`; a webhook header value
//! must not appear in the `Debug` of any type that holds it.
//!
//! The failure paths (a hanging, failing, malformed or redirecting token endpoint; API errors
//! echoing the token) use credentials made of letters only: no shape rule can tell them from
//! words, so only redaction by the exact values the client holds keeps them out.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{
    ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, client, fast_retry, health_endpoint, token_endpoint,
};
use everactive_sdk::types::{Webhook, WebhookCreate, WebhookEnvelope, WebhookList, WebhookUpdate};
use everactive_sdk::{AuthError, Client, Error};
use httpmock::Method::{GET, POST};
use httpmock::{Mock, MockServer};
use serde_json::json;

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

/// Captures everything logged at TRACE on this thread (the tests run on a current-thread
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

impl Captured {
    /// Everything written so far.
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("buffer").clone()).expect("utf-8 logs")
    }
}

fn assert_clean(what: &str, text: &str) {
    for secret in [CLIENT_SECRET, ACCESS_TOKEN] {
        assert!(!text.contains(secret), "{what} leaks {secret}:\n{text}");
    }
}

#[tokio::test]
async fn no_secret_in_logs_errors_or_debug() {
    let (captured, _guard) = capture_logs();

    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    health_endpoint(&server).await;
    // An error body that echoes the token, as a careless server might.
    server
        .mock_async(|when, then| {
            when.path("/ds/v1/webhooks/echo");
            then.status(400).json_body(json!({"message": "bad request", "authorization": format!("Bearer {ACCESS_TOKEN}")}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/ds/v1/eversensors");
            then.status(503).body("<html>down</html>");
        })
        .await;

    let client = client(&server);
    let mut shown = vec![format!("{client:?}"), format!("{:?}", client.auth())];
    client.get_health().send().await.expect("health");
    let token = client.auth().token().await.expect("cached token");
    shown.push(format!("{token:?}"));

    let echoed = client
        .get_webhook()
        .webhook_id("echo")
        .send()
        .await
        .expect_err("400");
    shown.push(format!("{echoed} {echoed:?}"));
    let unavailable = client.list_eversensors().send().await.expect_err("503");
    shown.push(format!("{unavailable} {unavailable:?}"));
    let plain = client
        .get_webhook()
        .webhook_id("echo")
        .send_raw()
        .await
        .expect_err("400");
    shown.push(format!("{plain} {plain:?}"));

    // A refused token request: the secret goes out, and must not come back in the error.
    let refusing = MockServer::start_async().await;
    refusing
        .mock_async(|when, then| {
            when.method(POST).path("/auth/token");
            then.status(401).json_body(json!({"error": "invalid_client", "error_description": format!("bad secret {CLIENT_SECRET}")}));
        })
        .await;
    let refused_client = Client::builder()
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .base_url(refusing.base_url())
        .build()
        .expect("client");
    shown.push(format!("{refused_client:?}"));
    let refused = refused_client
        .get_health()
        .send()
        .await
        .expect_err("refused");
    shown.push(format!("{refused} {refused:?}"));

    let logs = captured.text();
    assert!(
        logs.contains("sdk.request"),
        "the scenario must actually log:\n{logs}"
    );
    assert!(
        logs.contains("get_health"),
        "spans carry the operation id:\n{logs}"
    );
    assert_clean("logs", &logs);
    for (i, text) in shown.iter().enumerate() {
        assert_clean(&format!("shown[{i}]"), text);
    }
}

/// The shared secret users are told to put in a subscription's headers.
const WEBHOOK_SECRET: &str = "canary-webhook-secret-5d1e";

#[test]
fn webhook_header_values_never_show_in_debug() {
    let subscription = json!({
        "id": "wh-1",
        "callbackUrl": "https://receiver.example.com/",
        "eventType": "sensor_reading",
        "enabled": true,
        "headers": [{"key": "x-api-key", "value": WEBHOOK_SECRET}]
    });
    let webhook: Webhook = serde_json::from_value(subscription.clone()).expect("webhook");
    let envelope: WebhookEnvelope =
        serde_json::from_value(json!({"data": subscription})).expect("envelope");
    let list: WebhookList = serde_json::from_value(json!({"data": [subscription]})).expect("list");
    let create: WebhookCreate = serde_json::from_value(subscription.clone()).expect("create");
    let update: WebhookUpdate = serde_json::from_value(subscription.clone()).expect("update");
    let shown = [
        format!("{webhook:?}"),
        format!("{webhook:#?}"),
        format!("{envelope:?}"),
        format!("{list:?}"),
        format!("{create:?}"),
        format!("{update:?}"),
    ];
    for text in &shown {
        assert!(
            text.contains("x-api-key"),
            "the header name stays visible: {text}"
        );
        assert!(
            !text.contains(WEBHOOK_SECRET),
            "Debug leaks the header value: {text}"
        );
    }
    // The value still goes over the wire unchanged.
    assert_eq!(
        serde_json::to_value(&webhook).expect("encodes"),
        subscription
    );
}

/// A client secret, an 8-character access token and a refresh token without a digit.
const LETTER_SECRET: &str = "hushhushclientsecret";
const SHORT_TOKEN: &str = "qwertzui";
const REFRESH_TOKEN: &str = "rotatemerefreshtoken";

fn assert_no_canary(what: &str, text: &str) {
    for secret in [LETTER_SECRET, SHORT_TOKEN, REFRESH_TOKEN] {
        assert!(!text.contains(secret), "{what} leaks {secret}:\n{text}");
    }
}

fn canary_client(server: &MockServer) -> Client {
    Client::builder()
        .credentials(CLIENT_ID, LETTER_SECRET)
        .base_url(server.base_url())
        .retry_policy(fast_retry())
        .build()
        .expect("client")
}

/// Checks the error, the client and the logs of one failure path; `logged` is a line the
/// path must have logged, so an empty capture cannot pass.
fn assert_clean_failure(case: &str, err: &Error, client: &Client, logs: &Captured, logged: &str) {
    assert_no_canary(&format!("{case}: Display"), &err.to_string());
    assert_no_canary(&format!("{case}: Debug"), &format!("{err:?}"));
    assert_no_canary(
        &format!("{case}: Debug of the client"),
        &format!("{client:?}"),
    );
    let logs = logs.text();
    assert!(
        logs.contains(logged),
        "{case}: the scenario must log `{logged}`:\n{logs}"
    );
    assert_no_canary(&format!("{case}: logs"), &logs);
}

/// An API mock that must never be reached when no token can be had.
async fn unreachable_health(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET).path("/ds/v1/health");
            then.status(200).json_body(json!({"ok": true}));
        })
        .await
}

#[tokio::test]
async fn a_hanging_token_endpoint_ends_within_the_timeout_without_secrets() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/auth/token")
                .form_urlencoded_tuple("client_secret", LETTER_SECRET);
            then.status(200)
                .delay(Duration::from_secs(4))
                .json_body(json!({"access_token": SHORT_TOKEN, "refresh_token": REFRESH_TOKEN}));
        })
        .await;
    let health = unreachable_health(&server).await;
    let client = Client::builder()
        .credentials(CLIENT_ID, LETTER_SECRET)
        .base_url(server.base_url())
        .timeout(Duration::from_secs(1))
        .build()
        .expect("client");
    let started = Instant::now();
    let err = client
        .get_health()
        .send()
        .await
        .expect_err("no token in time");
    let took = started.elapsed();
    assert!(took < Duration::from_millis(2_500), "took {took:?}");
    assert!(
        matches!(&err, Error::Auth(e) if e.is_unavailable()),
        "{err:?}"
    );
    assert!(token.calls_async().await >= 1, "the token request went out");
    health.assert_calls_async(0).await;
    // Nothing of the SDK ends within the second; the connection is logged by hyper.
    assert_clean_failure("hanging token endpoint", &err, &client, &logs, "connect");
}

#[tokio::test]
async fn a_token_endpoint_500_echoing_the_secret_shows_no_secret() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/auth/token");
            then.status(500).json_body(json!({
                "error": "server_error",
                "error_description": format!("cannot check client secret {LETTER_SECRET}"),
            }));
        })
        .await;
    let health = unreachable_health(&server).await;
    let client = canary_client(&server);
    let err = client.get_health().send().await.expect_err("500");
    let Error::Auth(auth) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(auth.is_unavailable(), "{auth:?}");
    assert_eq!(auth.status(), Some(500));
    assert!(token.calls_async().await >= 1);
    health.assert_calls_async(0).await;
    assert_clean_failure("token endpoint 500", &err, &client, &logs, "fetch failed");
}

#[tokio::test]
async fn a_form_encoded_token_answer_shows_no_token() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/auth/token");
            then.status(200)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!(
                    "access_token={SHORT_TOKEN}&refresh_token={REFRESH_TOKEN}&token_type=bearer&expires_in=3600"
                ));
        })
        .await;
    let health = unreachable_health(&server).await;
    let client = canary_client(&server);
    let err = client.get_health().send().await.expect_err("not JSON");
    assert!(
        matches!(&err, Error::Auth(AuthError::MalformedResponse { .. })),
        "{err:?}"
    );
    token.assert_calls_async(1).await;
    health.assert_calls_async(0).await;
    assert_clean_failure(
        "form-encoded token answer",
        &err,
        &client,
        &logs,
        "fetch failed",
    );
}

#[tokio::test]
async fn a_redirecting_token_endpoint_is_not_followed() {
    for status in [302u16, 307] {
        let (logs, _guard) = capture_logs();
        let server = MockServer::start_async().await;
        let target = server.url("/elsewhere/token");
        let redirect = server
            .mock_async(|when, then| {
                when.method(POST).path("/auth/token");
                then.status(status).header("location", target.as_str());
            })
            .await;
        // Were the redirect followed (a 307 resends the POST, secret included), this would
        // hand out a working token.
        let elsewhere = server
            .mock_async(|when, then| {
                when.path("/elsewhere/token");
                then.status(200).json_body(
                    json!({"access_token": SHORT_TOKEN, "refresh_token": REFRESH_TOKEN, "expires_in": 3600}),
                );
            })
            .await;
        let health = unreachable_health(&server).await;
        let client = canary_client(&server);
        let err = client
            .get_health()
            .send()
            .await
            .expect_err("redirect refused");
        let case = format!("token endpoint {status}");
        let Error::Auth(auth) = &err else {
            panic!("{case}: expected an auth error, got {err:?}");
        };
        assert!(auth.is_rejected(), "{case}: {auth:?}");
        assert_eq!(auth.status(), Some(status), "{case}");
        assert!(
            err.to_string().contains("redirect"),
            "{case}: the error says why: {err}"
        );
        redirect.assert_calls_async(1).await;
        elsewhere.assert_calls_async(0).await;
        health.assert_calls_async(0).await;
        assert_clean_failure(&case, &err, &client, &logs, "fetch failed");
    }
}

/// The token endpoint hands out the short token with a refresh token, for the first grant and
/// for every refresh after a 401.
async fn short_token_endpoint(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST).path("/auth/token");
            then.status(200).json_body(json!({
                "access_token": SHORT_TOKEN,
                "refresh_token": REFRESH_TOKEN,
                "expires_in": 86400,
                "token_type": "Bearer"
            }));
        })
        .await
}

#[tokio::test]
async fn api_errors_echoing_the_token_show_no_secret() {
    let json_body = json!({
        "message": format!("token {SHORT_TOKEN} rejected"),
        "detail": format!("refresh {REFRESH_TOKEN}, client {LETTER_SECRET}"),
    })
    .to_string();
    let text_body =
        format!("token {SHORT_TOKEN} rejected (refresh {REFRESH_TOKEN}, client {LETTER_SECRET})");
    let html_body = format!(
        "<html><body><h1>Denied</h1><p>token {SHORT_TOKEN} rejected</p><p>{REFRESH_TOKEN} {LETTER_SECRET}</p></body></html>"
    );
    // The same JSON as an encoder that escapes letters writes it.
    let escaped_body = r#"{"message":"token \u0071\u0077ertzui rejected"}"#.to_owned();
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
            let token = short_token_endpoint(&server).await;
            let api = server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/ds/v1/health")
                        .header("authorization", format!("Bearer {SHORT_TOKEN}"));
                    then.status(status)
                        .header("content-type", *content_type)
                        .body(body);
                })
                .await;
            let client = canary_client(&server);
            let err = client.get_health().send().await.expect_err(&case);
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{case}");
            assert!(
                matches!(&err, Error::Api { .. }),
                "{case}: expected an API error, got {err:?}"
            );
            // The body kept for code that decodes it has the echo scrubbed, the rest intact.
            let kept = String::from_utf8_lossy(err.body().expect("an API error")).into_owned();
            assert!(kept.contains("[redacted]"), "{case}: {kept}");
            assert_clean(&format!("{case}: the kept body"), &kept);
            // The echo reached the message, scrubbed.
            assert!(err.to_string().contains("[redacted]"), "{case}: {err}");
            if status == 401 {
                // The first answer and the resend with a new token both were 401.
                api.assert_calls_async(2).await;
                token.assert_calls_async(2).await;
            } else {
                api.assert_calls_async(1).await;
                token.assert_calls_async(1).await;
            }
            assert_clean_failure(&case, &err, &client, &logs, "sdk.request");
        }
    }
}

#[test]
fn a_base_url_with_a_query_or_fragment_is_refused_without_echoing_it() {
    for (url, echo) in [
        ("https://api.example.com/?key=abc", "key=abc"),
        (
            "https://api.example.com/?api_key=querycanaryvalue",
            "querycanaryvalue",
        ),
        (
            "https://api.example.com/ds#fragmentcanary",
            "fragmentcanary",
        ),
        (
            "https://api.example.com/?key=querycanary#fragcanary",
            "canary",
        ),
    ] {
        let err = Client::builder()
            .credentials(CLIENT_ID, LETTER_SECRET)
            .base_url(url)
            .build()
            .expect_err(url);
        assert!(
            matches!(&err, Error::Auth(AuthError::InvalidConfig(_))),
            "{url}: {err:?}"
        );
        let shown = format!("{err} {err:?}");
        assert!(
            shown.contains("query") || shown.contains("fragment"),
            "{url}: the error names the problem: {shown}"
        );
        assert!(!shown.contains(echo), "{url}: {shown}");
        assert_no_canary(url, &shown);
        // The same for a token URL.
        let err = Client::builder()
            .credentials(CLIENT_ID, LETTER_SECRET)
            .base_url("https://api.example.com")
            .token_url(url)
            .build()
            .expect_err(url);
        let shown = format!("{err} {err:?}");
        assert!(
            matches!(&err, Error::Auth(AuthError::InvalidConfig(_))),
            "{url}: {shown}"
        );
        assert!(!shown.contains(echo), "{url}: {shown}");
    }
}
