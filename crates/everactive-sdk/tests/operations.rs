//! Every operation of the spec against a mock: method, path, query, bearer and body.

mod common;

use std::num::NonZeroU32;

use common::{bearer, client, fixture, token_endpoint};
use everactive_sdk::types::{EvergatewayUpdate, SortDirection, WebhookCreate, WebhookUpdate};
use everactive_sdk::{WebhookEventType, WebhookHeader};
use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn get_health() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ds/v1/health")
                .header("authorization", bearer());
            then.status(200).json_body(fixture("health.json"));
        })
        .await;
    let health = client(&server).get_health().send().await.expect("health");
    assert!(health.ok);
    api.assert_async().await;
    token.assert_async().await;
}

#[tokio::test]
async fn list_eversensors_with_every_filter() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ds/v1/eversensors")
                .header("authorization", bearer())
                .query_param("mac-address", "5e:13")
                .query_param("page", "2")
                .query_param("page-size", "25")
                .query_param("sort-by", "mac-address")
                .query_param("sort-dir", "desc")
                .query_param("devkitBundled", "true")
                .query_param("type", "Environmental");
            then.status(200)
                .json_body(fixture("eversensors_page2.json"));
        })
        .await;
    let page = client(&server)
        .list_eversensors()
        .mac_address("5e:13")
        .page(NonZeroU32::new(2).expect("nonzero"))
        .page_size(NonZeroU32::new(25).expect("nonzero"))
        .sort_by("mac-address")
        .sort_dir(SortDirection::Desc)
        .devkit_bundled(true)
        .type_("Environmental")
        .send()
        .await
        .expect("page");
    assert_eq!(page.pagination_info.page, 2);
    api.assert_async().await;
}

#[tokio::test]
async fn list_eversensor_readings() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ds/v1/eversensors/bc:5e:a1:00:00:00:5e:19/readings")
                .header("authorization", bearer())
                .query_param("start-time", "1674061998")
                .query_param("end-time", "1674148398");
            then.status(200).json_body(fixture("readings_window.json"));
        })
        .await;
    let readings = client(&server)
        .list_eversensor_readings()
        .mac_address("bc:5e:a1:00:00:00:5e:19")
        .start_time(1_674_061_998)
        .end_time(1_674_148_398)
        .send()
        .await
        .expect("readings");
    assert_eq!(readings.data.len(), 3);
    api.assert_async().await;
}

#[tokio::test]
async fn get_eversensor_last_reading() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ds/v1/eversensors/bc:5e:a1:00:00:00:5e:13/readings/last")
                .header("authorization", bearer());
            then.status(200)
                .json_body(fixture("reading_last_environmental.json"));
        })
        .await;
    let last = client(&server)
        .get_eversensor_last_reading()
        .mac_address("bc:5e:a1:00:00:00:5e:13")
        .send()
        .await
        .expect("last");
    assert_eq!(last.data.mac_address, "bc:5e:a1:00:00:00:5e:13");
    api.assert_async().await;
}

#[tokio::test]
async fn list_evergateways_with_every_filter() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ds/v1/evergateways")
                .header("authorization", bearer())
                .query_param("serial-number", "7C5B")
                .query_param("page", "1")
                .query_param("page-size", "10")
                .query_param("sort-by", "serial-number")
                .query_param("sort-dir", "asc");
            then.status(200)
                .json_body(fixture("evergateways_page1.json"));
        })
        .await;
    let page = client(&server)
        .list_evergateways()
        .serial_number("7C5B")
        .page(NonZeroU32::MIN)
        .page_size(NonZeroU32::new(10).expect("nonzero"))
        .sort_by("serial-number")
        .sort_dir(SortDirection::Asc)
        .send()
        .await
        .expect("page");
    assert_eq!(page.data.len(), 2);
    api.assert_async().await;
}

#[tokio::test]
async fn get_evergateway() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ds/v1/evergateways/7C5BE61372C4")
                .header("authorization", bearer());
            then.status(200).json_body(fixture("evergateway.json"));
        })
        .await;
    client(&server)
        .get_evergateway()
        .gateway_id_or_serial_number("7C5BE61372C4")
        .send()
        .await
        .expect("gateway");
    api.assert_async().await;
}

#[tokio::test]
async fn update_evergateway() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/ds/v1/evergateways/7C5BE61372C4")
                .header("authorization", bearer())
                .header("content-type", "application/json")
                .json_body(
                    json!({"name": "Boiler room", "location": "Building 2", "note": "moved"}),
                );
            then.status(200).json_body(fixture("evergateway.json"));
        })
        .await;
    let update = EvergatewayUpdate {
        name: Some("Boiler room".into()),
        location: Some("Building 2".into()),
        note: Some("moved".into()),
    };
    client(&server)
        .update_evergateway()
        .gateway_id_or_serial_number("7C5BE61372C4")
        .body(update)
        .send()
        .await
        .expect("updated");
    api.assert_async().await;
}

#[tokio::test]
async fn gateway_status_operations() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let status = fixture("gateway_status_v3.json");
    let mut mocks = Vec::new();
    for suffix in ["v1", "v3", "v3/daily"] {
        let body = json!({"data": [status.clone()]});
        mocks.push(
            server
                .mock_async(move |when, then| {
                    when.method(GET)
                        .path(format!("/ds/v1/evergateways/SYN0001/status/{suffix}"))
                        .header("authorization", bearer())
                        .query_param("start-time", "1656000000")
                        .query_param("end-time", "1656086400");
                    then.status(200).json_body(body);
                })
                .await,
        );
    }
    let client = client(&server);
    let v1 = client
        .list_evergateway_status_v1()
        .gateway_id_or_serial_number("SYN0001")
        .start_time(1_656_000_000)
        .end_time(1_656_086_400)
        .send()
        .await
        .expect("v1");
    let v3 = client
        .list_evergateway_status_v3()
        .gateway_id_or_serial_number("SYN0001")
        .start_time(1_656_000_000)
        .end_time(1_656_086_400)
        .send()
        .await
        .expect("v3");
    let daily = client
        .list_evergateway_status_v3_daily()
        .gateway_id_or_serial_number("SYN0001")
        .start_time(1_656_000_000)
        .end_time(1_656_086_400)
        .send()
        .await
        .expect("daily");
    for list in [v1, v3, daily] {
        assert_eq!(list.data[0].serial.as_deref(), Some("SYN0001"));
    }
    for mock in mocks {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn list_webhooks() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ds/v1/webhooks")
                .header("authorization", bearer());
            then.status(200).json_body(fixture("webhooks.json"));
        })
        .await;
    let list = client(&server)
        .list_webhooks()
        .send()
        .await
        .expect("webhooks");
    assert!(!list.data.is_empty());
    api.assert_async().await;
}

#[tokio::test]
async fn create_webhook() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/ds/v1/webhooks")
                .header("authorization", bearer())
                .json_body(json!({
                    "callbackUrl": "https://receiver.example.com/gateway_status",
                    "eventType": "gateway_status",
                    "enabled": true,
                    "headers": [{"key": "x-api-key", "value": "shared"}]
                }));
            then.status(201).json_body(fixture("webhook.json"));
        })
        .await;
    let body = WebhookCreate {
        callback_url: "https://receiver.example.com/gateway_status".into(),
        event_type: WebhookEventType::GatewayStatus,
        enabled: true,
        headers: vec![WebhookHeader::new("x-api-key", "shared")],
    };
    let created = client(&server)
        .create_webhook()
        .body(body)
        .send()
        .await
        .expect("created");
    assert!(!created.data.id.is_empty());
    api.assert_async().await;
}

#[tokio::test]
async fn get_webhook() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ds/v1/webhooks/wh-1")
                .header("authorization", bearer());
            then.status(200).json_body(fixture("webhook.json"));
        })
        .await;
    client(&server)
        .get_webhook()
        .webhook_id("wh-1")
        .send()
        .await
        .expect("webhook");
    api.assert_async().await;
}

#[tokio::test]
async fn update_webhook() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/ds/v1/webhooks/wh-1")
                .header("authorization", bearer())
                .json_body(json!({"enabled": false}));
            then.status(200).json_body(fixture("webhook.json"));
        })
        .await;
    let update = WebhookUpdate {
        enabled: Some(false),
        ..Default::default()
    };
    client(&server)
        .update_webhook()
        .webhook_id("wh-1")
        .body(update)
        .send()
        .await
        .expect("updated");
    api.assert_async().await;
}

/// Sends an update of `wh-1` whose body `build` fills in; the server expects exactly `sent`.
async fn assert_update_sends(
    sent: serde_json::Value,
    build: impl FnOnce(
        everactive_sdk::types::builder::WebhookUpdate,
    ) -> everactive_sdk::types::builder::WebhookUpdate,
) {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/ds/v1/webhooks/wh-1")
                .json_body(sent);
            then.status(200).json_body(fixture("webhook.json"));
        })
        .await;
    client(&server)
        .update_webhook()
        .webhook_id("wh-1")
        .body_map(build)
        .send()
        .await
        .expect("updated");
    api.assert_async().await;
}

/// An update that sends `"headers": []` is how a subscription's headers are removed.
#[tokio::test]
async fn update_webhook_with_an_empty_header_list_sends_it() {
    assert_update_sends(json!({"headers": []}), |body| {
        body.headers(Vec::<WebhookHeader>::new())
    })
    .await;
}

#[tokio::test]
async fn update_webhook_without_headers_sends_no_headers_key() {
    assert_update_sends(json!({"enabled": true}), |body| body.enabled(true)).await;
}

#[tokio::test]
async fn delete_webhook() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/ds/v1/webhooks/wh-1")
                .header("authorization", bearer());
            then.status(204);
        })
        .await;
    client(&server)
        .delete_webhook()
        .webhook_id("wh-1")
        .send()
        .await
        .expect("deleted");
    api.assert_async().await;
}
