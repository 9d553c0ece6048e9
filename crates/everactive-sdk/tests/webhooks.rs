//! Webhook deliveries: `webhooks::parse` names a kind only when the body proves it, and keeps
//! everything else as JSON. Only a body that is not JSON is an error.

mod common;

use common::fixture;
use everactive_sdk::WebhookEventType;
use everactive_sdk::webhooks::{self, WebhookPayload};
use serde_json::{Value, json};

fn parse(value: &Value) -> WebhookPayload {
    webhooks::parse(value.to_string().as_bytes()).expect("JSON is never an error")
}

fn assert_other(value: Value) {
    match parse(&value) {
        WebhookPayload::Other(kept) => assert_eq!(kept, value),
        decoded => panic!("expected Other for {value}, got {decoded:?}"),
    }
}

#[test]
fn a_real_vibration_reading_is_a_sensor_reading() {
    let WebhookPayload::SensorReading(reading) = parse(&fixture("reading_vibration.json")) else {
        panic!("not a reading");
    };
    assert_eq!(reading.mac_address, "01:01:01:ff:fe:00:0c:fe");
}

#[test]
fn a_real_environmental_reading_is_a_sensor_reading() {
    let body = fixture("reading_last_environmental.json")["data"].clone();
    let WebhookPayload::SensorReading(reading) = parse(&body) else {
        panic!("not a reading");
    };
    assert_eq!(reading.timestamp, 1_673_458_636);
}

#[test]
fn a_real_gateway_status_is_a_gateway_status() {
    let WebhookPayload::GatewayStatus(status) = parse(&fixture("gateway_status_v3.json")) else {
        panic!("not a gateway status");
    };
    assert_eq!(status.serial.as_deref(), Some("SYN0001"));
}

#[test]
fn a_mac_address_without_timestamp_is_other() {
    assert_other(json!({"macAddress": "x"}));
}

#[test]
fn a_reading_with_a_foreign_schema_is_other() {
    assert_other(json!({"macAddress": "x", "timestamp": 1, "schema": "https://example.com/other"}));
}

#[test]
fn a_reading_schema_that_does_not_decode_is_other() {
    assert_other(json!({
        "macAddress": "x",
        "timestamp": "yesterday",
        "schema": "https://evr.ac/schemas/platform/eversensor/environmental/v1/reading"
    }));
}

#[test]
fn a_gateway_status_that_does_not_decode_is_other() {
    assert_other(json!({"schema": "gateway_status_v3.schema.json", "timestamp": 5}));
}

#[test]
fn a_serial_without_a_status_schema_is_other() {
    assert_other(json!({"serial": "SYN0001"}));
}

#[test]
fn an_unrelated_object_is_other() {
    assert_other(json!({"event": "threshold", "value": 3}));
}

#[test]
fn an_array_and_a_scalar_are_other() {
    assert_other(json!([{"macAddress": "x"}]));
    assert_other(json!(42));
}

#[test]
fn a_body_that_is_not_json_is_an_error() {
    assert!(webhooks::parse(b"not json").is_err());
    assert!(webhooks::parse(b"").is_err());
}

#[test]
fn parse_as_trusts_the_subscription_event_type() {
    let reading = webhooks::parse_as(
        &WebhookEventType::SensorReading,
        fixture("reading_vibration.json"),
    )
    .expect("reading");
    assert!(matches!(reading, WebhookPayload::SensorReading(_)));
    assert!(
        webhooks::parse_as(&WebhookEventType::SensorReading, json!({"macAddress": "x"})).is_err(),
        "the caller said it is a reading, so a broken one is an error"
    );
}

#[tokio::test]
async fn a_registered_webhook_secret_never_shows_in_an_error() {
    let server = httpmock::MockServer::start_async().await;
    common::token_endpoint(&server).await;
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path("/ds/v1/webhooks");
            then.status(400)
                .body(r#"{"message":"header x-api-key=hookword is not allowed"}"#);
        })
        .await;
    let client = everactive_sdk::Client::builder()
        .credentials(common::CLIENT_ID, common::CLIENT_SECRET)
        .base_url(server.base_url())
        .webhook_secret("hookword")
        .build()
        .expect("client");
    let body = everactive_sdk::types::WebhookCreate::builder()
        .callback_url("https://hooks.example.com/in")
        .event_type(WebhookEventType::SensorReading)
        .headers(vec![everactive_sdk::WebhookHeader::new(
            "x-api-key",
            "hookword",
        )]);
    let err = client
        .create_webhook()
        .body(body)
        .send()
        .await
        .expect_err("400");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hookword"), "{shown}");
    assert!(shown.contains("not allowed"), "{shown}");
}
