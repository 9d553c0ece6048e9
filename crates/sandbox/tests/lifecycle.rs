//! Starting, the admin overview and clock, fixed ports, invalid settings and shutdown.

mod common;

use std::time::Duration;

use common::{admin, http, start};
use reqwest::Method;
use sdk_sandbox::{Faults, Sandbox};
use serde_json::json;

#[tokio::test]
async fn admin_overview_lists_the_vendor() {
    let sandbox = start().await;
    assert!(sandbox.admin_url().starts_with("http://127.0.0.1:"));
    assert!(sandbox.admin_url().ends_with("/_admin"));
    let (status, overview) = admin(&sandbox, Method::GET, "", None).await;
    assert_eq!(status, 200);
    assert_eq!(overview["seed"], 7);
    let everactive = &overview["vendors"]["everactive"];
    assert_eq!(everactive["url"], sandbox.everactive_url());
    assert_eq!(
        everactive["token_url"],
        format!("{}/auth/token", sandbox.everactive_url())
    );
    assert_eq!(everactive["client_id"], sandbox.everactive_credentials().0);
    assert_eq!(everactive["sensors"], 6);
    let (status, body) = admin(&sandbox, Method::GET, "/nothing", None).await;
    assert_eq!((status, body["error"].is_string()), (404, true));
}

#[tokio::test]
async fn the_clock_moves_forward_only() {
    let sandbox = start().await;
    let (_, before) = admin(&sandbox, Method::GET, "/clock", None).await;
    let (status, after) = admin(
        &sandbox,
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": 7200})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(after["offset_secs"], 7200);
    assert!(after["now"].as_i64() >= before["now"].as_i64().map(|n| n + 7200));
    let (status, _) = admin(
        &sandbox,
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": -5})),
    )
    .await;
    assert_eq!(status, 400);
    sandbox.clock().advance(Duration::from_secs(60));
    assert_eq!(sandbox.clock().offset(), Duration::from_secs(7260));
}

#[tokio::test]
async fn fixed_ports_are_admin_then_vendors() {
    // Find five free neighbouring ports (admin and four vendors), then ask for them.
    let mut base = 0;
    for _ in 0..20 {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = probe.local_addr().expect("address").port();
        drop(probe);
        let free = port < u16::MAX - 4
            && (1..=4).all(|n| std::net::TcpListener::bind(("127.0.0.1", port + n)).is_ok());
        if free {
            base = port;
            break;
        }
    }
    assert_ne!(base, 0);
    let sandbox = common::builder().port(base).start().await.expect("starts");
    assert_eq!(
        sandbox.admin_url(),
        format!("http://127.0.0.1:{base}/_admin")
    );
    assert_eq!(
        sandbox.everactive_url(),
        format!("http://127.0.0.1:{}", base + 1)
    );
    assert_eq!(
        sandbox.everreal_url(),
        format!("http://127.0.0.1:{}", base + 3)
    );
    assert_eq!(
        sandbox.extraview_url(),
        format!("http://127.0.0.1:{}/evj/ExtraView/ev_api.action", base + 4)
    );
    // A second sandbox cannot take the same ports.
    assert!(common::builder().port(base).start().await.is_err());
}

#[tokio::test]
async fn invalid_settings_are_refused() {
    let no_gateway = Sandbox::builder().everactive_fleet(3, 0).start().await;
    assert_eq!(
        no_gateway.map(|_| ()).map_err(|e| e.kind()),
        Err(std::io::ErrorKind::InvalidInput)
    );
    assert!(
        Sandbox::builder()
            .everactive_credentials("", "x")
            .start()
            .await
            .is_err()
    );
    assert!(
        Sandbox::builder()
            .everactive_fleet(10_001, 1)
            .start()
            .await
            .is_err()
    );
    assert!(
        Sandbox::builder()
            .everactive_delivery_interval(Some(Duration::ZERO))
            .start()
            .await
            .is_err()
    );
    let mut faults = Faults::default();
    faults.token_status = 302;
    assert!(
        Sandbox::builder()
            .everactive_faults(faults)
            .start()
            .await
            .is_err()
    );
    assert!(Sandbox::builder().port(u16::MAX).start().await.is_err());
}

#[tokio::test]
async fn shutdown_stops_every_listener() {
    let sandbox = start().await;
    let everactive = sandbox.everactive_url().to_owned();
    let admin_url = sandbox.admin_url().to_owned();
    // A keep-alive connection must not hold the shutdown up.
    let client = http();
    assert!(client.get(&admin_url).send().await.is_ok());
    tokio::time::timeout(Duration::from_secs(3), sandbox.shutdown())
        .await
        .expect("stops promptly")
        .expect("stops cleanly");
    assert!(
        http()
            .get(format!("{everactive}/ds/v1/health"))
            .send()
            .await
            .is_err()
    );
    assert!(http().get(&admin_url).send().await.is_err());
}

#[tokio::test]
async fn dropping_the_sandbox_stops_it_too() {
    let sandbox = start().await;
    let everactive = sandbox.everactive_url().to_owned();
    drop(sandbox);
    let mut stopped = false;
    for _ in 0..50 {
        if http()
            .get(format!("{everactive}/ds/v1/health"))
            .send()
            .await
            .is_err()
        {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(stopped);
}
