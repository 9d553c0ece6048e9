//! Every operation of the spec against a mock: method, path, query, bearer and body.
//!
//! The mocks are the typed helpers of `everactive-sdk-httpmock` (method, path, parameters and
//! answers in the SDK's types). `into_inner()` gives plain httpmock for what they cannot say:
//! the bearer header, an exact JSON body, and a wire value written out rather than produced by
//! the SDK's own `Display`.

mod common;

use std::num::NonZeroU32;

use common::{ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, bearer, fixture};
use everactive_sdk::types::{
    EvergatewayEnvelope, EvergatewayPage, EvergatewayUpdate, EversensorPage, GatewayStatusList,
    Health, ReadingEnvelope, ReadingList, SortDirection, WebhookCreate, WebhookEnvelope,
    WebhookList, WebhookUpdate,
};
use everactive_sdk::{WebhookEventType, WebhookHeader};
use everactive_sdk_httpmock::httpmock::MockServer;
use everactive_sdk_httpmock::{MockServerExt as _, TEST_BEARER, TokenEndpointExt as _, client};
use serde::de::DeserializeOwned;
use serde_json::json;

/// A fixture from `tests/fixtures/`, as the SDK type the typed mock answers with.
fn fixture_as<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The one test through the token flow: a client built from credentials fetches its token
/// from the mocked endpoint and sends it. The other tests use the fixed-token client.
#[tokio::test]
async fn get_health() {
    let server = MockServer::start_async().await;
    let token = server.token_endpoint(CLIENT_ID, CLIENT_SECRET, ACCESS_TOKEN);
    let health: Health = fixture_as("health.json");
    let api = server.get_health(|when, then| {
        when.into_inner().header("authorization", bearer());
        then.ok(&health);
    });
    let answer = common::client(&server)
        .get_health()
        .send()
        .await
        .expect("health");
    assert!(answer.ok);
    api.assert_async().await;
    token.assert_async().await;
}

#[tokio::test]
async fn list_eversensors_with_every_filter() {
    let server = MockServer::start_async().await;
    let page: EversensorPage = fixture_as("eversensors_page2.json");
    let api = server.list_eversensors(|when, then| {
        when.mac_address("5e:13")
            .page(NonZeroU32::new(2))
            .page_size(NonZeroU32::new(25))
            .sort_by("mac-address")
            .devkit_bundled(true)
            .type_("Environmental")
            .into_inner()
            .header("authorization", TEST_BEARER)
            // The wire value as Everactive documents it, not the SDK's Display of the enum.
            .query_param("sort-dir", "desc");
        then.ok(&page);
    });
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
    let readings: ReadingList = fixture_as("readings_window.json");
    let api = server.list_eversensor_readings(|when, then| {
        when.mac_address("bc:5e:a1:00:00:00:5e:19")
            .start_time(1_674_061_998)
            .end_time(1_674_148_398)
            .into_inner()
            .header("authorization", TEST_BEARER);
        then.ok(&readings);
    });
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
    let last: ReadingEnvelope = fixture_as("reading_last_environmental.json");
    let api = server.get_eversensor_last_reading(|when, then| {
        when.mac_address("bc:5e:a1:00:00:00:5e:13")
            .into_inner()
            .header("authorization", TEST_BEARER);
        then.ok(&last);
    });
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
    let page: EvergatewayPage = fixture_as("evergateways_page1.json");
    let api = server.list_evergateways(|when, then| {
        when.serial_number("7C5B")
            .page(NonZeroU32::MIN)
            .page_size(NonZeroU32::new(10))
            .sort_by("serial-number")
            .into_inner()
            .header("authorization", TEST_BEARER)
            .query_param("sort-dir", "asc");
        then.ok(&page);
    });
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
    let gateway: EvergatewayEnvelope = fixture_as("evergateway.json");
    let api = server.get_evergateway(|when, then| {
        when.gateway_id_or_serial_number("7C5BE61372C4")
            .into_inner()
            .header("authorization", TEST_BEARER);
        then.ok(&gateway);
    });
    let got = client(&server)
        .get_evergateway()
        .gateway_id_or_serial_number("7C5BE61372C4")
        .send()
        .await
        .expect("gateway");
    assert_eq!(*got, gateway);
    api.assert_async().await;
}

#[tokio::test]
async fn update_evergateway() {
    let server = MockServer::start_async().await;
    let gateway: EvergatewayEnvelope = fixture_as("evergateway.json");
    let api = server.update_evergateway(|when, then| {
        when.gateway_id_or_serial_number("7C5BE61372C4")
            .into_inner()
            .header("authorization", TEST_BEARER)
            .header("content-type", "application/json")
            .json_body(json!({"name": "Boiler room", "location": "Building 2", "note": "moved"}));
        then.ok(&gateway);
    });
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

/// Mocks every named gateway status operation for `SYN0001` over one day, calls each once and
/// checks its answer and its mock. The operations take the same parameters and answer the same
/// list, but each has its own generated types, so a function cannot take them in turn.
macro_rules! assert_status_operations {
    ($($operation:ident),+ $(,)?) => {{
        let server = MockServer::start_async().await;
        let list: GatewayStatusList =
            serde_json::from_value(json!({"data": [fixture("gateway_status_v3.json")]}))
                .expect("a status list");
        let (start, end) = (1_656_000_000, 1_656_086_400);
        let mocks = [$(
            server.$operation(|when, then| {
                when.gateway_id_or_serial_number("SYN0001")
                    .start_time(start)
                    .end_time(end)
                    .into_inner()
                    .header("authorization", TEST_BEARER);
                then.ok(&list);
            }),
        )+];
        let client = client(&server);
        $(
            let answer = client
                .$operation()
                .gateway_id_or_serial_number("SYN0001")
                .start_time(start)
                .end_time(end)
                .send()
                .await
                .expect(stringify!($operation));
            assert_eq!(answer.data[0].serial.as_deref(), Some("SYN0001"));
        )+
        for mock in mocks {
            mock.assert_async().await;
        }
    }};
}

#[tokio::test]
async fn gateway_status_operations() {
    assert_status_operations!(
        list_evergateway_status_v1,
        list_evergateway_status_v3,
        list_evergateway_status_v3_daily,
    );
}

#[tokio::test]
async fn list_webhooks() {
    let server = MockServer::start_async().await;
    let webhooks: WebhookList = fixture_as("webhooks.json");
    let api = server.list_webhooks(|when, then| {
        when.into_inner().header("authorization", TEST_BEARER);
        then.ok(&webhooks);
    });
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
    let webhook: WebhookEnvelope = fixture_as("webhook.json");
    let api = server.create_webhook(|when, then| {
        when.into_inner()
            .header("authorization", TEST_BEARER)
            .json_body(json!({
                "callbackUrl": "https://receiver.example.com/gateway_status",
                "eventType": "gateway_status",
                "enabled": true,
                "headers": [{"key": "x-api-key", "value": "shared"}]
            }));
        then.created(&webhook);
    });
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

/// The typed body matcher: the mock expects the body the SDK would send for this value.
#[tokio::test]
async fn create_webhook_with_a_typed_body() {
    let server = MockServer::start_async().await;
    let webhook: WebhookEnvelope = fixture_as("webhook.json");
    let body = WebhookCreate {
        callback_url: "https://receiver.example.com/readings".into(),
        event_type: WebhookEventType::SensorReading,
        enabled: false,
        headers: Vec::new(),
    };
    let api = server.create_webhook(|when, then| {
        when.body(&body);
        then.created(&webhook);
    });
    client(&server)
        .create_webhook()
        .body(body.clone())
        .send()
        .await
        .expect("created");
    api.assert_async().await;
}

#[tokio::test]
async fn get_webhook() {
    let server = MockServer::start_async().await;
    let webhook: WebhookEnvelope = fixture_as("webhook.json");
    let api = server.get_webhook(|when, then| {
        when.webhook_id("wh-1")
            .into_inner()
            .header("authorization", TEST_BEARER);
        then.ok(&webhook);
    });
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
    let webhook: WebhookEnvelope = fixture_as("webhook.json");
    let api = server.update_webhook(|when, then| {
        when.webhook_id("wh-1")
            .into_inner()
            .header("authorization", TEST_BEARER)
            .json_body(json!({"enabled": false}));
        then.ok(&webhook);
    });
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
    let webhook: WebhookEnvelope = fixture_as("webhook.json");
    let api = server.update_webhook(|when, then| {
        // The exact JSON: a typed body would be serialized by the code under test.
        when.webhook_id("wh-1").into_inner().json_body(sent);
        then.ok(&webhook);
    });
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
    let api = server.delete_webhook(|when, then| {
        when.webhook_id("wh-1")
            .into_inner()
            .header("authorization", TEST_BEARER);
        then.no_content();
    });
    client(&server)
        .delete_webhook()
        .webhook_id("wh-1")
        .send()
        .await
        .expect("deleted");
    api.assert_async().await;
}
