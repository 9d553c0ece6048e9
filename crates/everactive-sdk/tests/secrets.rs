//! Secret canary: the client secret and access token must not appear in logs at TRACE level,
//! in any error's `Display` or `Debug`, or in the client's `Debug`; a webhook header value
//! must not appear in the `Debug` of any type that holds it.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, client, health_endpoint, token_endpoint};
use everactive_sdk::Client;
use everactive_sdk::types::{Webhook, WebhookCreate, WebhookEnvelope, WebhookList, WebhookUpdate};
use httpmock::Method::POST;
use httpmock::MockServer;
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

fn assert_clean(what: &str, text: &str) {
    for secret in [CLIENT_SECRET, ACCESS_TOKEN] {
        assert!(!text.contains(secret), "{what} leaks {secret}:\n{text}");
    }
}

#[tokio::test]
async fn no_secret_in_logs_errors_or_debug() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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

    let logs = String::from_utf8(captured.0.lock().expect("buffer").clone()).expect("utf-8 logs");
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
