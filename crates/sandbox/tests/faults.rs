//! Every fault knob, through the admin API and through the library.

mod common;

use std::time::{Duration, Instant};

use common::{
    admin, api_get, api_json, create_webhook, start, subscribe_to_readings, token, token_response,
};
use reqwest::Method;
use sdk_sandbox::{EXTRA_FIELD, Faults, ForcedFailure, UNKNOWN_ENUM_VALUE};
use serde_json::{Value, json};

async fn set_faults(sandbox: &sdk_sandbox::RunningSandbox, patch: Value) -> Value {
    let (status, faults) = admin(sandbox, Method::PUT, "/everactive/faults", Some(patch)).await;
    assert_eq!(status, 200, "{faults}");
    faults
}

#[tokio::test]
async fn forced_api_failures_count_down_with_retry_after() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    for status in [503u16, 429] {
        set_faults(
            &sandbox,
            json!({"fail_api": {"status": status, "count": 2, "retry_after_secs": 3}}),
        )
        .await;
        for _ in 0..2 {
            let response = api_get(&sandbox, &token, "/eversensors").await;
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(response.headers()["retry-after"], "3");
            let body: Value = response.json().await.expect("JSON");
            assert_eq!(body["status"], status);
        }
        assert_eq!(
            api_get(&sandbox, &token, "/eversensors").await.status(),
            200
        );
    }
    let (_, faults) = admin(&sandbox, Method::GET, "/everactive/faults", None).await;
    assert_eq!(faults["fail_api"], Value::Null);
}

#[tokio::test]
async fn a_forced_401_looks_like_a_revoked_token() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    set_faults(&sandbox, json!({"fail_api": {"status": 401, "count": 1}})).await;
    let response = api_get(&sandbox, &token, "/health").await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().get("retry-after").is_none());
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    assert_eq!(api_get(&sandbox, &token, "/health").await.status(), 200);
}

#[tokio::test]
async fn token_endpoint_knobs() {
    let sandbox = start().await;
    set_faults(
        &sandbox,
        json!({"fail_tokens": {"status": 503, "count": 1, "retry_after_secs": 1}}),
    )
    .await;
    let failed = token_response(&sandbox).await;
    assert_eq!(failed.status(), 503);
    assert_eq!(failed.headers()["retry-after"], "1");
    let body: Value = failed.json().await.expect("JSON");
    assert_eq!(body["error"], "temporarily_unavailable");
    assert_eq!(token_response(&sandbox).await.status(), 200);

    set_faults(&sandbox, json!({"refuse_tokens": true})).await;
    let refused = token_response(&sandbox).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.json::<Value>().await.expect("JSON")["error"],
        "access_denied"
    );

    set_faults(
        &sandbox,
        json!({"refuse_tokens": false, "token_status": 201, "token_lifetime_secs": 30}),
    )
    .await;
    let created = token_response(&sandbox).await;
    assert_eq!(created.status(), 201);
    assert_eq!(
        created.json::<Value>().await.expect("JSON")["expires_in"],
        30
    );

    set_faults(&sandbox, json!({"malformed_tokens": 1})).await;
    let broken = token_response(&sandbox).await;
    assert_eq!(broken.status(), 201);
    assert!(serde_json::from_str::<Value>(&broken.text().await.expect("text")).is_err());
    // The malformed answer still issued its token: only the body on the wire is broken.
    let stats = sandbox.everactive().stats();
    assert_eq!((stats.token_requests, stats.tokens_issued), (5, 3));
}

#[tokio::test]
async fn malformed_api_bodies_keep_their_status() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    set_faults(&sandbox, json!({"malformed_api": 2})).await;
    for _ in 0..2 {
        let response = api_get(&sandbox, &token, "/eversensors").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        assert!(serde_json::from_str::<Value>(&response.text().await.expect("text")).is_err());
    }
    let (status, body) = api_json(&sandbox, &token, "/eversensors").await;
    assert_eq!(status, 200);
    assert!(body["data"].is_array());
}

#[tokio::test]
async fn added_latency() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    set_faults(&sandbox, json!({"latency_ms": 300})).await;
    let started = Instant::now();
    assert_eq!(api_get(&sandbox, &token, "/health").await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(token_response(&sandbox).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

fn objects_all_have(value: &Value, member: &str) -> bool {
    match value {
        Value::Object(map) => {
            map.contains_key(member) && map.values().all(|v| objects_all_have(v, member))
        }
        Value::Array(items) => items.iter().all(|v| objects_all_have(v, member)),
        _ => true,
    }
}

#[tokio::test]
async fn unknown_fields_and_enum_values() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    set_faults(&sandbox, json!({"extra_fields": true})).await;
    let (_, sensors) = api_json(&sandbox, &token, "/eversensors?page-size=2").await;
    assert!(objects_all_have(&sensors, EXTRA_FIELD));
    assert_eq!(
        sensors["data"][0]["type"]
            .as_str()
            .map(|t| t != UNKNOWN_ENUM_VALUE),
        Some(true)
    );
    let token_body: Value = token_response(&sandbox).await.json().await.expect("JSON");
    assert!(token_body.get(EXTRA_FIELD).is_some() && token_body["token_type"] == "Bearer");

    set_faults(
        &sandbox,
        json!({"extra_fields": false, "unknown_enum_values": true}),
    )
    .await;
    let (_, sensors) = api_json(&sandbox, &token, "/eversensors?page-size=1").await;
    let sensor = &sensors["data"][0];
    assert!(sensor.get(EXTRA_FIELD).is_none());
    assert_eq!(sensor["type"], UNKNOWN_ENUM_VALUE);
    assert_eq!(sensor["customer"]["status"], UNKNOWN_ENUM_VALUE);
    assert_eq!(sensor["lastReading"]["schema"], UNKNOWN_ENUM_VALUE);
    let (_, created, _) = create_webhook(
        &sandbox,
        &token,
        json!({"callbackUrl": "https://example.com/", "eventType": "gateway_status"}),
    )
    .await;
    assert_eq!(created["data"]["eventType"], UNKNOWN_ENUM_VALUE);
    let token_body: Value = token_response(&sandbox).await.json().await.expect("JSON");
    assert_eq!(
        token_body["token_type"], "Bearer",
        "token answers keep their enums"
    );
}

#[tokio::test]
async fn knobs_reach_deliveries_too() {
    let sandbox = common::start_one_of_each().await;
    let token = token(&sandbox).await;
    let (url, mut received) = common::receiver(axum::http::StatusCode::OK).await;
    subscribe_to_readings(&sandbox, &token, &url).await;
    set_faults(
        &sandbox,
        json!({"extra_fields": true, "unknown_enum_values": true}),
    )
    .await;
    sandbox.deliver_everactive_webhooks().await;
    let got = common::collect(&mut received, 1).await;
    assert!(objects_all_have(&got[0].body, EXTRA_FIELD));
    assert_eq!(got[0].body["schema"], UNKNOWN_ENUM_VALUE);
}

#[tokio::test]
async fn admin_faults_api_validates_and_resets() {
    let sandbox = common::builder()
        .everactive_faults({
            let mut faults = Faults::default();
            faults.latency_ms = 1;
            faults
        })
        .start()
        .await
        .expect("starts");
    let (status, faults) = admin(&sandbox, Method::GET, "/everactive/faults", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        faults,
        json!({
            "token_lifetime_secs": null, "token_status": 200, "refuse_tokens": false,
            "fail_tokens": null, "malformed_tokens": 0, "fail_api": null, "malformed_api": 0,
            "redirect_tokens": 0, "redirect_api": 0, "latency_ms": 1, "extra_fields": false, "unknown_enum_values": false
        })
    );
    for bad in [
        json!({"latency": 5}),
        json!({"token_status": 204}),
        json!({"fail_api": {"status": 302, "count": 1}}),
        json!({"latency_ms": 600000}),
        json!("fast"),
    ] {
        let (status, body) = admin(
            &sandbox,
            Method::PUT,
            "/everactive/faults",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"].is_string());
    }
    set_faults(&sandbox, json!({"extra_fields": true, "latency_ms": 2})).await;
    let (_, reset) = admin(&sandbox, Method::DELETE, "/everactive/faults", None).await;
    assert_eq!(reset, faults);

    // The same knobs from the library.
    let controls = sandbox.everactive();
    let mut changed = controls.faults();
    changed.fail_api = Some(ForcedFailure::new(418, 1));
    controls.set_faults(changed).expect("valid");
    let token = token(&sandbox).await;
    assert_eq!(api_get(&sandbox, &token, "/health").await.status(), 418);
    let mut invalid = controls.faults();
    invalid.token_status = 500;
    assert!(controls.set_faults(invalid).is_err());
}

#[tokio::test]
async fn stats_count_token_and_api_requests() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    for _ in 0..3 {
        api_get(&sandbox, &token, "/health").await;
    }
    api_get(&sandbox, "bad", "/health").await;
    let (status, stats) = admin(&sandbox, Method::GET, "/everactive/stats", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        stats,
        json!({"token_requests": 1, "tokens_issued": 1, "api_requests": 4, "refresh_requests": 0})
    );
    let (_, reset) = admin(&sandbox, Method::DELETE, "/everactive/stats", None).await;
    assert_eq!(
        reset,
        json!({"token_requests": 0, "tokens_issued": 0, "api_requests": 0, "refresh_requests": 0})
    );
}
