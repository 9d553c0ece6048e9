//! IoTConnect over plain HTTP: discovery, the basic-token -> login -> refresh flow, bearer
//! checks, devices and templates with paging, users and entities, not-found codes, telemetry
//! that accumulates, and the knobs and counters.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{admin, builder, http};
use reqwest::Method;
use sdk_sandbox::{ForcedFailure, RunningSandbox};
use serde_json::{Value, json};

async fn start() -> RunningSandbox {
    builder().start().await.expect("the sandbox starts")
}

/// The base URLs discovery hands out for the demo solution key.
async fn discover(sandbox: &RunningSandbox) -> Value {
    let response = http()
        .get(sandbox.iotconnect_discovery_url())
        .send()
        .await
        .expect("discovery");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    body["data"].clone()
}

fn url(urls: &Value, name: &str) -> String {
    urls[name].as_str().expect("a base URL").to_owned()
}

async fn basic_token(auth_url: &str) -> String {
    let body: Value = http()
        .get(format!("{auth_url}/Auth/basic-token"))
        .send()
        .await
        .expect("basic token")
        .json()
        .await
        .expect("JSON");
    body["data"].as_str().expect("data").to_owned()
}

/// POST /Auth/login with the given values; status and body.
async fn login_with(
    auth_url: &str,
    basic: &str,
    solution_key: &str,
    username: &str,
    password: &str,
) -> (u16, Value) {
    let response = http()
        .post(format!("{auth_url}/Auth/login"))
        .header("Authorization", format!("Basic {basic}"))
        .header("Solution-key", solution_key)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The whole flow for the demo user: discovery, basic token, login. The login answer.
async fn login(sandbox: &RunningSandbox) -> Value {
    let urls = discover(sandbox).await;
    let auth = url(&urls, "authBaseUrl");
    let basic = basic_token(&auth).await;
    let (user, password, key) = sandbox.iotconnect_credentials();
    let (status, body) = login_with(&auth, &basic, key, user, password).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn token(sandbox: &RunningSandbox) -> String {
    login(sandbox).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

async fn refresh(sandbox: &RunningSandbox, refresh_token: &str) -> (u16, Value) {
    let response = http()
        .post(format!(
            "{}/Auth/refresh-token",
            sandbox.iotconnect_service_url("auth")
        ))
        .json(&json!({"refreshtoken": refresh_token}))
        .send()
        .await
        .expect("refresh");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A request to service `svc` with a bearer; status and body (`null` for an empty body).
async fn call(
    sandbox: &RunningSandbox,
    token: &str,
    method: Method,
    svc: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http()
        .request(
            method,
            format!("{}{path}", sandbox.iotconnect_service_url(svc)),
        )
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn get(sandbox: &RunningSandbox, token: &str, svc: &str, path: &str) -> (u16, Value) {
    call(sandbox, token, Method::GET, svc, path, None).await
}

#[tokio::test]
async fn discovery_points_at_the_sandbox_services_and_refuses_unknown_keys() {
    let sandbox = start().await;
    let urls = discover(&sandbox).await;
    let root = sandbox.iotconnect_url();
    assert_eq!(url(&urls, "authBaseUrl"), format!("{root}/auth/api/v2.1"));
    assert_eq!(
        url(&urls, "deviceBaseUrl"),
        format!("{root}/device/api/v2.1")
    );
    assert_eq!(url(&urls, "userBaseUrl"), url(&urls, "entityBaseUrl"));
    assert_eq!(
        url(&urls, "telemetryBaseUrl"),
        format!("{root}/telemetry/api/v2.1")
    );
    for name in [
        "firmwareBaseUrl",
        "fileBaseUrl",
        "eventBaseUrl",
        "masterBaseUrl",
    ] {
        assert!(urls[name].is_string(), "{name}");
    }
    // Without version and pf (as one client calls it) it answers too.
    let (_, _, key) = sandbox.iotconnect_credentials();
    let plain: Value = http()
        .get(format!("{root}/api/uisdk/solutionkey/{key}/env/poc"))
        .send()
        .await
        .expect("discovery")
        .json()
        .await
        .expect("JSON");
    assert!(plain["data"]["authBaseUrl"].is_string());
    for bad in [
        format!("{root}/api/uisdk/solutionkey/wrong/env/poc"),
        format!("{root}/api/uisdk/solutionkey/{key}/env/prod"),
        format!("{root}/api/uisdk/solutionkey/{key}/env/poc?version=2&pf=az"),
    ] {
        let body: Value = http()
            .get(&bad)
            .send()
            .await
            .expect("discovery")
            .json()
            .await
            .expect("JSON");
        assert!(body["data"].is_null(), "{bad}: {body}");
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn login_issues_expiring_tokens_and_refuses_wrong_values() {
    let sandbox = start().await;
    let body = login(&sandbox).await;
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86400);
    assert_eq!(body["status"], 200);
    assert!(body.get("data").is_none(), "login answers are not wrapped");
    let refresh_token = body["refresh_token"].as_str().expect("refresh_token");
    assert_eq!(refresh_token.len(), 50);
    let access = body["access_token"].as_str().expect("access_token");
    let payload = access.split('.').nth(1).expect("JWT");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("JSON");
    assert_eq!(claims["user"]["userId"], sandbox.iotconnect_credentials().0);
    assert_eq!(claims["user"]["cpId"].as_str().map(str::len), Some(32));
    assert_eq!(claims["user"]["reviewStatus"], "approved");

    let (user, password, key) = sandbox.iotconnect_credentials();
    let auth = sandbox.iotconnect_service_url("auth");
    let basic = basic_token(&auth).await;
    let (status, body) = login_with(&auth, &basic, key, user, "wrong").await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "Invalid username or password");
    assert!(body["error"].is_null() && body["data"].is_null());
    assert_eq!(
        login_with(&auth, &basic, "wrong-key", user, password)
            .await
            .0,
        401
    );
    assert_eq!(
        login_with(&auth, "bm9wZQ==", key, user, password).await.0,
        401
    );
    let (status, body) = login_with(&auth, &basic, key, "", password).await;
    assert_eq!(status, 412);
    assert_eq!(body["error"][0]["param"], "username");

    // The token lives as long as the knob says; an expired one gets 401.
    let mut faults = sandbox.iotconnect().faults();
    faults.token_lifetime_secs = Some(60);
    sandbox
        .iotconnect()
        .set_faults(faults)
        .expect("valid knobs");
    let short = token(&sandbox).await;
    assert_eq!(
        get(&sandbox, &short, "auth", "/Auth/verify-token").await.0,
        200
    );
    sandbox.clock().advance(Duration::from_secs(61));
    let (status, body) = get(&sandbox, &short, "device", "/Device").await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "TokenExpired");
    assert!(body["error"].is_array());
}

#[tokio::test]
async fn refresh_rotates_tokens_and_refuses_used_expired_and_revoked_ones() {
    let sandbox = builder()
        .iotconnect_refresh_token_lifetime(Duration::from_secs(3600))
        .start()
        .await
        .expect("the sandbox starts");
    let first = login(&sandbox).await;
    let old_refresh = first["refresh_token"].as_str().expect("refresh").to_owned();
    let (status, second) = refresh(&sandbox, &old_refresh).await;
    assert_eq!(status, 200, "{second}");
    let new_access = second["access_token"].as_str().expect("access");
    let new_refresh = second["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_ne!(new_refresh, old_refresh);
    assert_eq!(get(&sandbox, new_access, "device", "/Device").await.0, 200);
    // Refreshed tokens lack the login-only claims.
    let payload = new_access.split('.').nth(1).expect("JWT");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("JSON");
    assert!(claims["user"].get("reviewStatus").is_none());
    // A used refresh token is refused with 409.
    let (status, body) = refresh(&sandbox, &old_refresh).await;
    assert_eq!(status, 409);
    assert_eq!(body["message"], "InvalidRefreshToken");
    // Revoked through the admin API.
    let (status, revoked) = admin(
        &sandbox,
        Method::POST,
        "/iotconnect/refresh-tokens/revoke",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(revoked["revoked"], 1);
    assert_eq!(refresh(&sandbox, &new_refresh).await.0, 409);
    // Expired.
    let third = login(&sandbox).await;
    sandbox.clock().advance(Duration::from_secs(3601));
    let (status, body) = refresh(&sandbox, third["refresh_token"].as_str().expect("refresh")).await;
    assert_eq!(status, 409);
    assert_eq!(body["message"], "RefreshTokenExpired");
    assert_eq!(refresh(&sandbox, "").await.0, 412);
    let stats = sandbox.iotconnect().stats();
    assert_eq!(stats.refresh_requests, 5);
    assert_eq!(stats.tokens_issued, 3);
    assert_eq!(stats.token_requests, 4); // two basic tokens, two logins
}

#[tokio::test]
async fn every_api_call_needs_a_live_bearer() {
    let sandbox = start().await;
    for svc_path in [
        ("device", "/Device"),
        ("device", "/device-template"),
        ("user", "/User"),
        ("user", "/Entity"),
        ("telemetry", "/Telemetry/device/X"),
        ("auth", "/Auth/verify-token"),
        ("firmware", "/Firmware"),
    ] {
        let response = http()
            .get(format!(
                "{}{}",
                sandbox.iotconnect_service_url(svc_path.0),
                svc_path.1
            ))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401, "{svc_path:?}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["status"], 401);
        assert_eq!(
            get(&sandbox, "not-a-token", svc_path.0, svc_path.1).await.0,
            401
        );
    }
    let token = token(&sandbox).await;
    assert_eq!(sandbox.iotconnect().expire_tokens(), 1);
    assert_eq!(get(&sandbox, &token, "device", "/Device").await.0, 401);
}

#[tokio::test]
async fn devices_page_sort_search_create_update_and_delete() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (status, page) = get(
        &sandbox,
        &token,
        "device",
        "/Device?pageNumber=1&pageSize=3&sortBy=uniqueId%20desc",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(page["count"], -1);
    let rows = page["data"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["uniqueId"], "tracker-06");
    assert!(
        rows[0].get("IsAcquired").is_some(),
        "PascalCase as captured"
    );
    assert!(rows[0].get("IsAllottedDevice").is_some());
    let (_, third) = get(
        &sandbox,
        &token,
        "device",
        "/Device?pageNumber=3&pageSize=3",
    )
    .await;
    assert_eq!(third["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        get(
            &sandbox,
            &token,
            "device",
            "/Device?pageNumber=4&pageSize=3"
        )
        .await
        .0,
        204
    );
    let (_, found) = get(&sandbox, &token, "device", "/Device?searchText=SENSOR-0").await;
    assert!(found["data"].as_array().expect("rows").iter().all(|d| {
        d["uniqueId"]
            .as_str()
            .is_some_and(|u| u.starts_with("sensor-"))
    }));
    let (status, body) = get(&sandbox, &token, "device", "/Device?sortBy=entityName").await;
    assert_eq!(status, 412);
    assert_eq!(body["error"][0]["param"], "sortBy");
    assert_eq!(
        get(&sandbox, &token, "device", "/Device?sortBy=displayName")
            .await
            .0,
        200
    );
    assert_eq!(
        get(&sandbox, &token, "device", "/Device?pageSize=0")
            .await
            .0,
        412
    );

    let (_, templates) = get(&sandbox, &token, "device", "/device-template").await;
    let template_guid = templates["data"][0]["guid"]
        .as_str()
        .expect("guid")
        .to_owned();
    let (_, entities) = get(&sandbox, &token, "user", "/Entity").await;
    let entity_guid = entities["data"][1]["guid"]
        .as_str()
        .expect("guid")
        .to_owned();
    let (status, created) = call(&sandbox, &token, Method::POST, "device", "/Device", Some(json!({
        "uniqueId": "new-device", "displayName": "New", "deviceTemplateGuid": template_guid.to_lowercase(),
        "entityGuid": entity_guid,
    }))).await;
    assert_eq!(status, 200, "{created}");
    let new_guid = created["data"][0]["newid"]
        .as_str()
        .expect("newid")
        .to_owned();
    assert_eq!(
        new_guid,
        new_guid.to_lowercase(),
        "create answers lower case"
    );
    let (_, again) = call(
        &sandbox,
        &token,
        Method::POST,
        "device",
        "/Device",
        Some(json!({
            "uniqueId": "NEW-device", "displayName": "New", "deviceTemplateGuid": template_guid,
            "entityGuid": entity_guid,
        })),
    )
    .await;
    assert_eq!(again["status"], 409);
    let (status, one) = get(&sandbox, &token, "device", "/Device/uniqueId/new-device").await;
    assert_eq!(status, 200);
    assert_eq!(one["data"][0]["guid"], new_guid.to_uppercase());
    assert_eq!(one["data"][0]["isAcquired"], 1);
    let path = format!("/Device/{new_guid}");
    let (status, _) = call(
        &sandbox,
        &token,
        Method::PUT,
        "device",
        &path,
        Some(json!({
            "displayName": "Renamed", "entityGuid": entity_guid, "note": "moved"
        })),
    )
    .await;
    assert_eq!(status, 200);
    let (_, one) = get(&sandbox, &token, "device", &path).await;
    assert_eq!(one["data"][0]["displayName"], "Renamed");
    let status_path = format!("{path}/status");
    assert_eq!(
        call(
            &sandbox,
            &token,
            Method::PUT,
            "device",
            &status_path,
            Some(json!({"isActive": false}))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            &sandbox,
            &token,
            Method::PUT,
            "device",
            &status_path,
            Some(json!({"isActive": false}))
        )
        .await
        .0,
        409
    );
    let (_, inactive) = get(&sandbox, &token, "device", "/Device?Status=inactive").await;
    assert_eq!(inactive["data"].as_array().map(Vec::len), Some(1));
    let (status, deleted) = call(&sandbox, &token, Method::DELETE, "device", &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(deleted["data"], json!([]));
    assert_eq!(
        call(&sandbox, &token, Method::DELETE, "device", &path, None)
            .await
            .0,
        409
    );
}

#[tokio::test]
async fn not_found_codes_follow_the_vendor() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let missing = "00000000-0000-4000-8000-000000000000";
    for (svc, path, status) in [
        ("device", "/Device/uniqueId/nope".to_owned(), 409),
        ("device", format!("/Device/{missing}"), 409),
        (
            "device",
            "/device-template/template-code/nope".to_owned(),
            409,
        ),
        ("device", format!("/device-template/{missing}"), 404),
        ("user", format!("/User/{missing}"), 404),
        ("user", format!("/Entity/{missing}"), 409),
        ("telemetry", format!("/Telemetry/device/{missing}"), 204),
    ] {
        let (got, body) = get(&sandbox, &token, svc, &path).await;
        assert_eq!(got, status, "{path}");
        if status == 204 {
            assert!(body.is_null());
        } else {
            assert_eq!(body["status"], status);
            assert!(
                body["message"]
                    .as_str()
                    .is_some_and(|m| m.ends_with("NotFound")),
                "{body}"
            );
            assert!(body["error"].is_array());
        }
    }
}

#[tokio::test]
async fn templates_users_and_entities() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (status, list) = get(
        &sandbox,
        &token,
        "device",
        "/device-template?sortBy=code%20asc",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["count"], 2);
    assert_eq!(list["data"][0]["code"], "envmon");
    let (_, by_code) = get(
        &sandbox,
        &token,
        "device",
        "/device-template/template-code/envmon",
    )
    .await;
    assert_eq!(by_code["data"][0]["templateCode"], "envmon");
    assert_eq!(by_code["template-auto-push"], false);
    let guid = by_code["data"][0]["guid"]
        .as_str()
        .expect("guid")
        .to_owned();
    let (_, attrs) = get(
        &sandbox,
        &token,
        "device",
        &format!("/template-attribute/{guid}"),
    )
    .await;
    assert_eq!(attrs["data"][0]["localName"], "temperature");
    assert!(attrs["data"][0].get("createdby").is_some());
    assert_eq!(
        call(
            &sandbox,
            &token,
            Method::DELETE,
            "device",
            &format!("/device-template/{guid}"),
            None
        )
        .await
        .0,
        409
    );
    let (status, created) = call(
        &sandbox,
        &token,
        Method::POST,
        "device",
        "/device-template",
        Some(json!({
            "code": "gw1", "name": "Gateway", "authType": 2, "isEdgeSupport": false
        })),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let new_guid = created["data"][0]["deviceTemplateGuid"]
        .as_str()
        .expect("guid")
        .to_owned();
    assert_eq!(
        call(
            &sandbox,
            &token,
            Method::PUT,
            "device",
            &format!("/device-template/{new_guid}"),
            Some(json!({"name": "GW"}))
        )
        .await
        .0,
        200
    );
    let (_, detail) = get(
        &sandbox,
        &token,
        "device",
        &format!("/device-template/{new_guid}"),
    )
    .await;
    assert_eq!(detail["data"][0]["templateName"], "GW");
    assert_eq!(
        call(
            &sandbox,
            &token,
            Method::DELETE,
            "device",
            &format!("/device-template/{new_guid}"),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            &sandbox,
            &token,
            Method::POST,
            "device",
            "/device-template",
            Some(json!({
                "code": "1bad", "name": "x", "authType": 2, "isEdgeSupport": false
            }))
        )
        .await
        .0,
        412
    );

    let (status, users) = get(
        &sandbox,
        &token,
        "user",
        "/User?pageSize=2&sortBy=firstName",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(users["count"], 3);
    assert_eq!(users["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(users["data"][0]["firstName"], "Ada");
    let me = users["invokingUser"]
        .as_str()
        .expect("invokingUser")
        .to_owned();
    let (_, detail) = get(&sandbox, &token, "user", &format!("/User/{me}")).await;
    assert_eq!(detail["data"][0]["userGuid"], me);
    assert!(detail["data"][0].get("dms-version").is_some());
    let (_, entities) = get(&sandbox, &token, "user", "/Entity").await;
    let rows = entities["data"].as_array().expect("rows");
    assert_eq!(
        rows.iter()
            .filter(|e| e["parentEntityGuid"].is_null())
            .count(),
        1
    );
    let child = rows[1]["guid"].as_str().expect("guid");
    let (status, one) = get(&sandbox, &token, "user", &format!("/Entity/{child}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["data"][0]["parentEntityGuid"], rows[0]["guid"]);
}

#[tokio::test]
async fn telemetry_accumulates_on_the_sandbox_clock() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (_, device) = get(&sandbox, &token, "device", "/Device/uniqueId/sensor-01").await;
    let guid = device["data"][0]["guid"].as_str().expect("guid").to_owned();
    let (status, latest) = get(
        &sandbox,
        &token,
        "telemetry",
        &format!("/Telemetry/device/{guid}"),
    )
    .await;
    assert_eq!(status, 200);
    let rows = latest["data"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    assert!(rows[0]["attributeValue"].is_string());
    assert_eq!(rows[0]["DataType"], "DECIMAL");
    let before = rows[0]["deviceUpdatedDate"].clone();
    sandbox.clock().advance(Duration::from_secs(600));
    let (_, later) = get(
        &sandbox,
        &token,
        "telemetry",
        &format!("/Telemetry/device/{guid}"),
    )
    .await;
    assert_ne!(later["data"][0]["deviceUpdatedDate"], before);

    let (status, recent) = call(
        &sandbox,
        &token,
        Method::POST,
        "telemetry",
        "/Telemetry/device/sensor-01/recent/10",
        Some(json!({"filterAttrs": ["temperature"]})),
    )
    .await;
    assert_eq!(status, 200);
    let feed = recent["data"]["feed"].as_array().expect("feed");
    assert_eq!(feed.len(), 10);
    assert!(feed[0]["attr"]["temperature"].is_number());
    assert!(feed[0]["attr"].get("humidity").is_none());
    assert!(
        feed[0]["dTime"].as_str() > feed[1]["dTime"].as_str(),
        "newest first"
    );

    // A one-hour window ending now holds 60 or 61 messages; the same window later is identical.
    let now = sandbox.clock().now_unix();
    let fmt = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .expect("time")
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let path = format!(
        "/Telemetry/attribute-history/device/sensor-01/from/{}/to/{}",
        fmt(now - 3600).replace(' ', "%20"),
        fmt(now).replace(' ', "%20")
    );
    let (status, history) = get(&sandbox, &token, "telemetry", &path).await;
    assert_eq!(status, 200);
    let n = history["data"]["feed"]
        .as_array()
        .map(Vec::len)
        .expect("feed");
    assert!((60..=61).contains(&n), "{n}");
    assert!(history["data"]["continuationToken"].is_null());
    sandbox.clock().advance(Duration::from_secs(120));
    let (_, again) = get(&sandbox, &token, "telemetry", &path).await;
    assert_eq!(
        again, history,
        "telemetry is a function of (seed, device, time)"
    );
    let too_long = format!(
        "/Telemetry/attribute-history/device/sensor-01/from/{}/to/{}",
        fmt(now - 8 * 86_400).replace(' ', "%20"),
        fmt(now).replace(' ', "%20")
    );
    assert_eq!(get(&sandbox, &token, "telemetry", &too_long).await.0, 412);
    // The last seeded device never reported.
    let (_, silent) = get(&sandbox, &token, "device", "/Device/uniqueId/sensor-08").await;
    let silent = silent["data"][0]["guid"].as_str().expect("guid").to_owned();
    assert_eq!(
        get(
            &sandbox,
            &token,
            "telemetry",
            &format!("/Telemetry/device/{silent}")
        )
        .await
        .0,
        204
    );
}

#[tokio::test]
async fn knobs_and_counters() {
    let sandbox = start().await;
    let (status, _) = admin(
        &sandbox,
        Method::PUT,
        "/iotconnect/faults",
        Some(json!({"fail_tokens": {"status": 503, "count": 1}})),
    )
    .await;
    assert_eq!(status, 200);
    let auth = sandbox.iotconnect_service_url("auth");
    let response = http()
        .get(format!("{auth}/Auth/basic-token"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], 503);
    let token = token(&sandbox).await;
    let mut faults = sandbox.iotconnect().faults();
    faults.fail_api = Some(ForcedFailure::new(429, 1).retry_after(2));
    sandbox
        .iotconnect()
        .set_faults(faults)
        .expect("valid knobs");
    let response = http()
        .get(format!(
            "{}/Device",
            sandbox.iotconnect_service_url("device")
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "2");
    let body: Value = response.json().await.expect("JSON");
    assert!(body["error"].is_array());
    assert_eq!(get(&sandbox, &token, "device", "/Device").await.0, 200);
    admin(
        &sandbox,
        Method::PUT,
        "/iotconnect/faults",
        Some(json!({"refuse_tokens": true})),
    )
    .await;
    let response = http()
        .get(format!("{auth}/Auth/basic-token"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    let (_, stats) = admin(&sandbox, Method::GET, "/iotconnect/stats", None).await;
    assert_eq!(stats["api_requests"], 2);
    assert_eq!(stats["token_requests"], 4);
    assert_eq!(stats["tokens_issued"], 1);
    assert_eq!(stats["refresh_requests"], 0);
    let (_, overview) = admin(&sandbox, Method::GET, "", None).await;
    assert_eq!(
        overview["vendors"]["iotconnect"]["url"],
        sandbox.iotconnect_url()
    );
    assert_eq!(overview["vendors"]["iotconnect"]["environment"], "poc");
}
