//! One generated operation per service against a mock: the bearer header goes out, and a
//! realistic enveloped answer (the vendor's field names, nulls, unknown members) decodes.

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use iotconnect_sdk::{Auth, StaticToken, auth, device, reqwest, telemetry, user};
use serde_json::json;

const TOKEN: &str = "t";

fn auth_layer() -> Auth {
    Auth::new(StaticToken::new(TOKEN).expect("a non-empty token"))
}

#[tokio::test]
async fn auth_verify_token_sends_the_bearer() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/Auth/verify-token")
            .header("authorization", "Bearer t");
        then.status(200)
            .json_body(json!({"data": [], "status": 200, "message": "Token verified", "count": 0}));
    });
    let client =
        auth::Client::new_with_client(&server.base_url(), reqwest::Client::new(), auth_layer());
    let answer = client.verify_token().send().await.expect("verified");
    mock.assert_async().await;
    let envelope = answer.into_inner();
    assert_eq!(envelope.status, Some(200));
    assert_eq!(envelope.data, Some(vec![]));
}

#[tokio::test]
async fn device_lookup_by_unique_id_decodes_the_first_item() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/Device/uniqueId/sensor-01")
            .header("authorization", "Bearer t");
        then.status(200).json_body(json!({
            "status": 200, "message": "Device information received", "count": 1,
            "data": [{
                "guid": "47A92FDB-7220-4C3E-A56D-3C190BA9630D", "uniqueId": "sensor-01",
                "displayName": "Sensor 01", "isConnected": true, "isActive": true,
                "isAcquired": 1, "isParentAcquired": 0, "isEdgeSupport": false,
                "deviceTemplateGuid": "56C23E41-116E-4C7B-BEE7-A0974DD64225",
                "deviceTemplateAuthType": 3,
                "entityGuid": "53E7B522-7F8E-4697-A10F-000000000001", "entityName": "Lab",
                "cpId": "97FF86E8728645E9B89F7B07977E4B15", "messageVersion": "2.1",
                "hasTwin": false, "lastConnection": "2026-06-24T17:10:00.223Z",
                "note": null, "IsAllottedDevice": 0, "somethingNew": {"x": 1}
            }]
        }));
    });
    let client =
        device::Client::new_with_client(&server.base_url(), reqwest::Client::new(), auth_layer());
    let answer = client
        .get_device_by_unique_id()
        .unique_id("sensor-01")
        .send()
        .await
        .expect("found");
    mock.assert_async().await;
    let data = answer.into_inner().data.expect("data");
    let [found] = data.as_slice() else {
        panic!("one device expected, got {data:?}");
    };
    assert_eq!(found.unique_id.as_deref(), Some("sensor-01"));
    assert_eq!(found.is_acquired, Some(1));
    assert_eq!(found.device_template_auth_type, Some(3));
    assert_eq!(
        found.cp_id.as_deref(),
        Some("97FF86E8728645E9B89F7B07977E4B15")
    );
    assert_eq!(found.note, None);
}

#[tokio::test]
async fn device_error_body_keeps_the_vendor_message() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/Device/uniqueId/missing");
        then.status(409)
            .json_body(json!({"status": 409, "message": "DeviceNotFound", "error": []}));
    });
    let client =
        device::Client::new_with_client(&server.base_url(), reqwest::Client::new(), auth_layer());
    let err = client
        .get_device_by_unique_id()
        .unique_id("missing")
        .send()
        .await
        .expect_err("409");
    assert_eq!(err.status(), Some(reqwest::StatusCode::CONFLICT));
    let body: device::types::ErrorBody = err.api_error().expect("error body");
    assert_eq!(body.message.as_deref(), Some("DeviceNotFound"));
    assert_eq!(body.error, Some(vec![]));
}

#[tokio::test]
async fn user_entities_decode_the_root_with_a_null_parent() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/Entity")
            .header("authorization", "Bearer t");
        then.status(200).json_body(json!({
            "status": 200, "message": "", "count": 2,
            "data": [
                {"guid": "53E7B522-7F8E-4697-A10F-000000000001", "name": "Acme",
                 "parentEntityGuid": null, "parentName": null, "description": "",
                 "childEntityLabel": "Site", "activeUserCount": 3, "inActiveUserCount": 0,
                 "deviceCount": 12, "createdDate": "2025-01-01T00:00:00Z",
                 "updatedDate": "2025-01-01T00:00:00Z"},
                {"guid": "53E7B522-7F8E-4697-A10F-000000000002", "name": "Room23",
                 "parentEntityGuid": "53E7B522-7F8E-4697-A10F-000000000001",
                 "parentName": "Acme", "activeUserCount": 0, "inActiveUserCount": 0,
                 "deviceCount": 4}
            ]
        }));
    });
    let client =
        user::Client::new_with_client(&server.base_url(), reqwest::Client::new(), auth_layer());
    let answer = client.list_entities().send().await.expect("entities");
    mock.assert_async().await;
    let envelope = answer.into_inner();
    assert_eq!(envelope.count, Some(2));
    let data = envelope.data.expect("data");
    let roots: Vec<_> = data
        .iter()
        .filter(|e| e.parent_entity_guid.is_none())
        .collect();
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0].name.as_deref(), Some("Acme"));
    assert_eq!(data[1].device_count, Some(4));
}

#[tokio::test]
async fn telemetry_recent_points_decode_the_feed() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(POST)
            .path("/Telemetry/device/sensor-01/recent/10")
            .header("authorization", "Bearer t")
            .json_body(json!({"filterAttrs": ["temperature"]}));
        then.status(200).json_body(json!({
            "status": 200, "message": "", "count": null,
            "data": {"count": 2, "version": "2.1", "feed": [
                {"uniqueId": "sensor-01", "dTime": "2026-06-24T17:23:59.590Z",
                 "attr": {"temperature": 23.5}},
                {"uniqueId": "sensor-01", "dTime": "2026-06-24T17:22:59.120Z",
                 "attr": {"temperature": 23.4}}
            ]}
        }));
    });
    let client = telemetry::Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        auth_layer(),
    );
    let body = telemetry::types::RecentTelemetryRequest {
        child_unique_id: None,
        filter_attrs: Some(vec!["temperature".to_owned()]),
    };
    let answer = client
        .get_recent_telemetry()
        .unique_id("sensor-01")
        .data_points(10)
        .body(body)
        .send()
        .await
        .expect("recent points");
    mock.assert_async().await;
    let feed = answer.into_inner().data.expect("data").feed.expect("feed");
    assert_eq!(feed.len(), 2);
    assert_eq!(feed[0].d_time.as_deref(), Some("2026-06-24T17:23:59.590Z"));
    let attr = feed[0].attr.as_ref().expect("attr");
    assert_eq!(attr.get("temperature"), Some(&json!(23.5)));
}
