//! The IoTConnect SDK against the sandbox's IoTConnect: discovery, the login, devices, the
//! token flow under stress (an access token that expires mid-run, renewed with the refresh
//! token; a refresh token that is refused, a new login), and the `latest_telemetry` example.

use futures::TryStreamExt as _;
use iotconnect_sdk::{Client, Credentials, Environment, ListFilter, Platform};
use sdk_sandbox::{RunningSandbox, Sandbox};

async fn discovered() -> (RunningSandbox, Client) {
    let sandbox = Sandbox::builder().start().await.expect("sandbox");
    let (user, password, key) = sandbox.iotconnect_credentials();
    let client = Client::builder()
        .credentials(Credentials::new(user, password, key).expect("credentials"))
        .discovery_url(sandbox.iotconnect_url())
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect("discovered");
    (sandbox, client)
}

#[tokio::test]
async fn discovery_login_and_devices() {
    let (sandbox, client) = discovered().await;
    let devices: Vec<_> = client
        .devices(ListFilter::default())
        .try_collect()
        .await
        .expect("devices");
    assert!(!devices.is_empty(), "the seeded devices");
    let first = devices[0].unique_id.clone().expect("a unique id");
    let found = client.device_by_unique_id(&first).await.expect("lookup");
    assert_eq!(found.and_then(|d| d.unique_id), Some(first));
    // The sandbox answers an unknown unique id with 409, as the vendor does: not an error.
    let missing = client
        .device_by_unique_id("no-such-device")
        .await
        .expect("lookup");
    assert!(missing.is_none());
    let stats = sandbox.iotconnect().stats();
    assert_eq!(
        stats.tokens_issued, 1,
        "one login for every call: {stats:?}"
    );
}

#[tokio::test]
async fn a_token_that_expires_mid_run_is_renewed_with_the_refresh_token() {
    let (sandbox, client) = discovered().await;
    client.device_by_unique_id("any").await.expect("first call");
    sandbox.iotconnect().expire_tokens();
    client
        .device_by_unique_id("any")
        .await
        .expect("after the expiry");
    let stats = sandbox.iotconnect().stats();
    assert_eq!(stats.refresh_requests, 1, "{stats:?}");
    assert_eq!(
        stats.tokens_issued, 2,
        "the login, then the refresh: {stats:?}"
    );
}

#[tokio::test]
async fn a_refused_refresh_token_signs_in_again() {
    let (sandbox, client) = discovered().await;
    client.device_by_unique_id("any").await.expect("first call");
    sandbox.iotconnect().expire_tokens();
    sandbox.iotconnect().revoke_refresh_tokens();
    client
        .device_by_unique_id("any")
        .await
        .expect("after a new login");
    let stats = sandbox.iotconnect().stats();
    assert_eq!(stats.refresh_requests, 1, "the refused refresh: {stats:?}");
    assert_eq!(stats.tokens_issued, 2, "two logins: {stats:?}");
}

#[allow(
    dead_code,
    reason = "the example's `main`, which reads the process environment"
)]
#[path = "../../crates/iotconnect-sdk/examples/latest_telemetry.rs"]
mod latest_telemetry;

/// The client `Client::from_env` builds from what the sandbox prints, without touching the
/// process environment (tests share it).
async fn from_sandbox_env(sandbox: &RunningSandbox, password: Option<&str>) -> Client {
    let env = sandbox.iotconnect_env();
    Client::from_lookup(|name| match (name, password) {
        ("IOTCONNECT_PASSWORD", Some(password)) => Some(password.to_owned()),
        _ => env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()),
    })
    .await
    .expect("discovered")
}

#[tokio::test]
async fn the_latest_telemetry_example_prints_each_device() {
    let sandbox = Sandbox::builder().start().await.expect("sandbox");
    let client = from_sandbox_env(&sandbox, None).await;
    let mut out = Vec::new();
    let printed = latest_telemetry::print_latest(&client, &mut out)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let out = String::from_utf8(out).expect("utf-8");
    // The default company: eight devices, the last of which (sensor-08) never reported.
    assert_eq!((printed.devices, printed.with_telemetry), (8, 7), "{out}");
    assert!(
        out.starts_with("signed in\nsensor-01  Sensor 01  (Env Monitor)\n    temperature "),
        "{out}"
    );
    assert!(
        out.contains("sensor-08  Sensor 08  (Env Monitor)\n    no telemetry yet\n"),
        "{out}"
    );
    assert!(
        out.contains("tracker-06  Tracker 06  (Asset Tracker)\n    latitude "),
        "{out}"
    );
    assert_eq!(out.matches("    battery ").count(), 2, "{out}");
    let stats = sandbox.iotconnect().stats();
    assert_eq!(stats.tokens_issued, 1, "{stats:?}");
    assert_eq!(
        stats.api_requests,
        1 + 1 + 8,
        "verify-token, one page, one telemetry read per device: {stats:?}"
    );
}

#[tokio::test]
async fn the_latest_telemetry_example_stops_at_a_wrong_password() {
    let sandbox = Sandbox::builder().start().await.expect("sandbox");
    let client = from_sandbox_env(&sandbox, Some("not-the-password")).await;
    let mut out = Vec::new();
    let err = latest_telemetry::print_latest(&client, &mut out)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("401"), "{err}");
    assert!(out.is_empty(), "nothing printed before the sign-in");
    assert_eq!(sandbox.iotconnect().stats().api_requests, 0);
}
