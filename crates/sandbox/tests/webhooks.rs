//! Webhook subscriptions (create, list, get, update, delete) and their deliveries.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{
    admin, api_json, api_send, collect, create_webhook, http, receiver, start,
    subscribe_to_readings, token,
};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn subscriptions_can_be_created_listed_updated_and_deleted() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (status, created, headers) = create_webhook(
        &sandbox,
        &token,
        json!({"callbackUrl": "https://example.com/hook", "eventType": "sensor_reading"}),
    )
    .await;
    assert_eq!(status, 201);
    let webhook = created["data"].clone();
    let id = webhook["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 36);
    assert_eq!(
        headers["location"].to_str().expect("text"),
        format!("/ds/v1/webhooks/{id}")
    );
    assert_eq!(
        webhook,
        json!({"id": id, "callbackUrl": "https://example.com/hook", "eventType": "sensor_reading", "enabled": false, "headers": []}),
        "enabled defaults to false"
    );

    let (_, second, _) = create_webhook(
        &sandbox,
        &token,
        json!({
            "callbackUrl": "http://127.0.0.1:9/status", "eventType": "gateway_status", "enabled": true,
            "headers": [{"key": "x-api-key", "value": "secret_key"}]
        }),
    )
    .await;
    let (status, list) = api_json(&sandbox, &token, "/webhooks").await;
    assert_eq!(status, 200);
    assert_eq!(
        list,
        json!({"data": [webhook.clone(), second["data"].clone()]})
    );
    let (status, one) = api_json(&sandbox, &token, &format!("/webhooks/{id}")).await;
    assert_eq!((status, &one["data"]), (200, &webhook));

    let (status, updated, _) = api_send(
        &sandbox,
        &token,
        Method::PUT,
        &format!("/webhooks/{id}"),
        Some(json!({"enabled": true, "headers": [{"key": "X-Token", "value": "t"}]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(updated["data"]["enabled"], true);
    assert_eq!(
        updated["data"]["callbackUrl"], "https://example.com/hook",
        "members left out stay"
    );
    assert_eq!(
        updated["data"]["headers"],
        json!([{"key": "X-Token", "value": "t"}])
    );
    let (_, emptied, _) = api_send(
        &sandbox,
        &token,
        Method::PUT,
        &format!("/webhooks/{id}"),
        Some(json!({"headers": null})),
    )
    .await;
    assert_eq!(emptied["data"]["headers"], json!([]));

    let (status, _, _) = api_send(
        &sandbox,
        &token,
        Method::DELETE,
        &format!("/webhooks/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, body, _) = api_send(
        &sandbox,
        &token,
        Method::DELETE,
        &format!("/webhooks/{id}"),
        None,
    )
    .await;
    assert_eq!((status, body["status"].clone()), (404, json!(404)));
    let (status, _) = api_json(&sandbox, &token, &format!("/webhooks/{id}")).await;
    assert_eq!(status, 404);
    let (_, list) = api_json(&sandbox, &token, "/webhooks").await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn invalid_subscriptions_are_refused() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let url = "https://example.com/";
    for body in [
        json!({"eventType": "sensor_reading"}),
        json!({"callbackUrl": url}),
        json!({"callbackUrl": "http://example.com/", "eventType": "sensor_reading"}),
        json!({"callbackUrl": "not a url", "eventType": "sensor_reading"}),
        json!({"callbackUrl": url, "eventType": "everything"}),
        json!({"callbackUrl": url, "eventType": "sensor_reading", "enabled": "yes"}),
        json!({"callbackUrl": url, "eventType": "sensor_reading", "headers": [{"key": "a", "value": "1"}, {"key": "A", "value": "2"}]}),
        json!({"callbackUrl": url, "eventType": "sensor_reading", "headers": [{"key": "content-type", "value": "x"}]}),
        json!([1, 2]),
    ] {
        let (status, response, _) = create_webhook(&sandbox, &token, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert!(response["message"].is_string());
    }
    let not_json = http()
        .post(format!("{}/ds/v1/webhooks", sandbox.everactive_url()))
        .bearer_auth(&token)
        .body("callbackUrl=x")
        .send()
        .await
        .expect("request");
    assert_eq!(not_json.status(), 415);
    let (_, list) = api_json(&sandbox, &token, "/webhooks").await;
    assert_eq!(list, json!({"data": []}));
    let (status, _, _) = api_send(
        &sandbox,
        &token,
        Method::PUT,
        "/webhooks/unknown",
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn deliveries_reach_subscribers_with_their_headers() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (readings_url, mut readings) = receiver(StatusCode::OK).await;
    let (status_url, mut statuses) = receiver(StatusCode::OK).await;
    let subscribe = |callback: String, event: &str, enabled: bool| {
        let body = json!({
            "callbackUrl": callback, "eventType": event, "enabled": enabled,
            "headers": [{"key": "x-api-key", "value": "secret_key"}]
        });
        create_webhook(&sandbox, &token, body)
    };
    let (_, reading_hook, _) = subscribe(format!("{readings_url}/"), "sensor_reading", true).await;
    subscribe(
        format!("{status_url}/gateway_status"),
        "gateway_status",
        true,
    )
    .await;
    subscribe(format!("{readings_url}/disabled"), "sensor_reading", false).await;

    let (status, round) = admin(&sandbox, Method::POST, "/everactive/deliver", None).await;
    assert_eq!(status, 200);
    let attempts = round["attempts"].as_array().expect("attempts");
    assert_eq!(
        attempts.len(),
        5 + 2,
        "five reporting sensors, two gateways"
    );
    assert!(
        attempts
            .iter()
            .all(|a| a["status"] == 200 && a["error"].is_null())
    );

    let got = collect(&mut readings, 5).await;
    assert_eq!(got.len(), 5, "nothing for the disabled subscription");
    for delivery in &got {
        assert_eq!(delivery.path, "/");
        assert_eq!(delivery.headers["x-api-key"], "secret_key");
        assert_eq!(delivery.headers["content-type"], "application/json");
        let body = &delivery.body;
        assert!(body.get("data").is_none(), "a bare reading, no envelope");
        assert!(
            body["schema"]
                .as_str()
                .expect("schema")
                .starts_with("https://evr.ac/schemas/platform/eversensor/")
        );
        assert!(body["macAddress"].is_string() && body["timestamp"].is_i64());
        assert!(body["gatewaySerialNumber"].is_string());
    }
    // The delivered reading is the sensor's last reading.
    let mac = got[0].body["macAddress"].as_str().expect("mac");
    let (_, last) = api_json(
        &sandbox,
        &token,
        &format!("/eversensors/{mac}/readings/last"),
    )
    .await;
    assert_eq!(last["data"]["macAddress"], got[0].body["macAddress"]);

    let got = collect(&mut statuses, 2).await;
    assert_eq!(got.len(), 2);
    for delivery in &got {
        assert_eq!(delivery.path, "/gateway_status");
        assert_eq!(delivery.headers["x-api-key"], "secret_key");
        assert_eq!(delivery.body["schema"], "gateway_status_v3.schema.json");
        assert!(delivery.body["serial"].is_string());
        assert!(
            delivery.body["timestamp"]
                .as_str()
                .expect("time")
                .ends_with('Z')
        );
        for section in ["Connectivity", "Environmental", "Services", "System"] {
            assert!(delivery.body[section].is_object(), "{section}");
        }
    }

    let (_, log) = admin(&sandbox, Method::GET, "/everactive/deliveries", None).await;
    assert_eq!(log["attempts"].as_array().map(Vec::len), Some(7));
    assert_eq!(
        log["attempts"][0]["subscription_id"],
        reading_hook["data"]["id"]
    );
    assert_eq!(sandbox.everactive_deliveries().len(), 7);
    let (_, cleared) = admin(&sandbox, Method::DELETE, "/everactive/deliveries", None).await;
    assert_eq!(cleared, json!({"attempts": []}));
}

#[tokio::test]
async fn failed_deliveries_are_logged() {
    let sandbox = common::start_one_of_each().await;
    let token = token(&sandbox).await;
    let (refusing_url, _) = receiver(StatusCode::UNAUTHORIZED).await;
    // A port nobody listens on: bind one, then let it go.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/", listener.local_addr().expect("address"))
    };
    for callback in [refusing_url, closed] {
        subscribe_to_readings(&sandbox, &token, &callback).await;
    }
    let attempts = sandbox.deliver_everactive_webhooks().await;
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].status, Some(401));
    assert!(!attempts[0].succeeded());
    assert_eq!(attempts[1].status, None);
    assert!(attempts[1].error.as_deref().is_some_and(|e| !e.is_empty()));
}

#[tokio::test]
async fn the_timer_delivers_on_its_own() {
    let sandbox = common::builder()
        .everactive_fleet(1, 1)
        .everactive_delivery_interval(Some(Duration::from_millis(100)))
        .start()
        .await
        .expect("starts");
    let token = token(&sandbox).await;
    let (url, mut received) = receiver(StatusCode::NO_CONTENT).await;
    subscribe_to_readings(&sandbox, &token, &url).await;
    let got = collect(&mut received, 2).await;
    assert!(got.len() >= 2, "two rounds within a second");
    assert!(
        sandbox
            .everactive_deliveries()
            .iter()
            .all(|a| a.succeeded())
    );
}
