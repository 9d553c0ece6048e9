//! Forward compatibility: what Everactive may add must not break decoding.

mod common;

use common::{client, fixture, token_endpoint};
use everactive_sdk::WebhookEventType;
use everactive_sdk::types::{EversensorPage, WebhookEnvelope};
use httpmock::MockServer;
use serde_json::json;

#[test]
fn unknown_fields_and_values_and_nulls_decode() {
    let page: EversensorPage =
        serde_json::from_value(fixture("sensor_with_unknowns.json")).expect("decodes");
    let sensor = &page.data[0];
    assert!(
        sensor
            .type_
            .as_deref()
            .is_some_and(|t| t != "Environmental"),
        "{:?}",
        sensor.type_
    );
    assert!(sensor.last_info.is_none());
}

#[test]
fn an_unknown_webhook_event_type_decodes() {
    let mut webhook = fixture("webhook.json");
    webhook["data"]["eventType"] = json!("battery_low");
    webhook["data"]["createdAt"] = json!("2026-01-01T00:00:00Z");
    let decoded: WebhookEnvelope = serde_json::from_value(webhook).expect("decodes");
    assert_eq!(
        decoded.data.event_type,
        Some(WebhookEventType::Other("battery_low".into()))
    );
}

#[tokio::test]
async fn a_response_with_unknowns_decodes_through_the_client() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    server
        .mock_async(|when, then| {
            when.path("/ds/v1/eversensors");
            then.status(200)
                .json_body(fixture("sensor_with_unknowns.json"));
        })
        .await;
    let page = client(&server)
        .list_eversensors()
        .send()
        .await
        .expect("decodes");
    assert!(!page.data.is_empty());
}
