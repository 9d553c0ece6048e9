//! The IoTConnect SDK against the sandbox's IoTConnect: discovery, the login, devices, and
//! the token flow under stress: an access token that expires mid-run (renewed with the
//! refresh token) and a refresh token that is refused (a new login).

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
