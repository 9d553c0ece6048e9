//! Decoded responses, re-serialized and pinned with insta: a change in the spec, the generator
//! or the fixtures shows up as a reviewable snapshot diff.

mod common;

use common::{client, fixture, health_endpoint, token_endpoint};
use everactive_sdk::types::{
    EvergatewayPage, EversensorPage, GatewayStatus, ReadingEnvelope, ReadingList, WebhookEnvelope,
    WebhookList,
};
use everactive_sdk::webhooks::{self, WebhookPayload};
use httpmock::MockServer;
use serde::de::DeserializeOwned;

fn decode<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn eversensor_pages() {
    insta::assert_json_snapshot!(
        "eversensors_page1",
        decode::<EversensorPage>("eversensors_page1.json")
    );
    insta::assert_json_snapshot!(
        "eversensors_page2",
        decode::<EversensorPage>("eversensors_page2.json")
    );
}

#[test]
fn readings() {
    insta::assert_json_snapshot!(
        "readings_window",
        decode::<ReadingList>("readings_window.json")
    );
    insta::assert_json_snapshot!(
        "reading_last",
        decode::<ReadingEnvelope>("reading_last_environmental.json")
    );
}

#[test]
fn gateways_and_webhooks() {
    insta::assert_json_snapshot!(
        "evergateways_page1",
        decode::<EvergatewayPage>("evergateways_page1.json")
    );
    insta::assert_json_snapshot!("webhook", decode::<WebhookEnvelope>("webhook.json"));
    insta::assert_json_snapshot!("webhooks", decode::<WebhookList>("webhooks.json"));
}

#[test]
fn webhook_deliveries() {
    let reading =
        webhooks::parse(fixture("reading_vibration.json").to_string().as_bytes()).expect("reading");
    let WebhookPayload::SensorReading(reading) = reading else {
        panic!("not a reading: {reading:?}")
    };
    insta::assert_json_snapshot!("webhook_vibration_reading", reading);
    let status =
        webhooks::parse(fixture("gateway_status_v3.json").to_string().as_bytes()).expect("status");
    let WebhookPayload::GatewayStatus(status) = status else {
        panic!("not a status: {status:?}")
    };
    insta::assert_json_snapshot!("webhook_gateway_status", status);
    let direct: GatewayStatus = decode("gateway_status_v3.json");
    assert_eq!(*status, direct);
}

#[test]
fn unknown_webhook_deliveries_are_kept_as_json() {
    let other = webhooks::parse(br#"{"event":"threshold","value":3}"#).expect("json");
    assert!(matches!(other, WebhookPayload::Other(v) if v["value"] == 3));
    assert!(webhooks::parse(b"not json").is_err());
    let incomplete = webhooks::parse(br#"{"macAddress":"bc:5e"}"#).expect("json");
    assert!(
        matches!(incomplete, WebhookPayload::Other(_)),
        "a reading needs timestamp and schema"
    );
}

#[tokio::test]
async fn health_through_the_client() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    health_endpoint(&server).await;
    let health = client(&server)
        .get_health()
        .send()
        .await
        .expect("health")
        .into_inner();
    insta::assert_json_snapshot!("health", health);
}
