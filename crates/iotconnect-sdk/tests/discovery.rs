//! Discovery against a mock discovery service: AWS (v2.1) and Azure (v2) answers, a refusal
//! (`data: null`), an HTML 502, the whole flow discover -> login -> a device call, bad input
//! refused before any request, and the solution key never shown.

use std::collections::HashMap;

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use iotconnect_sdk::{
    Client, Credentials, DiscoveryError, Environment, Error, Platform, RetryPolicy,
};
use serde_json::{Value, json};

const PASSWORD: &str = "correcthorse";
/// Base64-like, with a `/` and a `+` that the path must encode or keep.
const SOLUTION_KEY: &str = "c29sdXRpb24/a2V5+dmFsdWU=";
/// `SOLUTION_KEY` as a path segment: `/` is percent-encoded.
const KEY_SEGMENT: &str = "c29sdXRpb24%2Fa2V5+dmFsdWU=";

fn credentials() -> Credentials {
    Credentials::new("dev@example.com", PASSWORD, SOLUTION_KEY).expect("creds")
}

/// A discovery answer in the vendor's shape: every service of `base` for `version`, the user
/// service under both names, and fields the SDK does not know.
fn answer(base: &str, version: &str) -> Value {
    let url = |svc: &str| format!("{base}/{svc}/api/v{version}");
    json!({
        "status": 200,
        "message": "Success",
        "data": {
            "authBaseUrl": url("auth"),
            "userBaseUrl": url("user"),
            "entityBaseUrl": url("user"),
            "deviceBaseUrl": url("device"),
            "telemetryBaseUrl": url("telemetry"),
            "firmwareBaseUrl": url("firmware"),
            "fileBaseUrl": url("file"),
            "eventBaseUrl": format!("{base}/event/api/v1.1"),
            "masterBaseUrl": url("master"),
            "dashboardBaseUrl": url("dashboard"),
            "faqBaseUrl": null,
            "someFutureField": {"nested": true}
        },
        "count": null
    })
}

fn builder(server: &MockServer) -> iotconnect_sdk::ClientBuilder {
    Client::builder()
        .credentials(credentials())
        .discovery_url(server.base_url())
        .retry_policy(RetryPolicy::none())
}

fn discovery_path(env: &str) -> String {
    format!("/api/uisdk/solutionkey/{KEY_SEGMENT}/env/{env}")
}

/// Signs in and answers one device lookup under `prefix` (such as `/device/api/v2.1`).
async fn sign_in_and_device(server: &MockServer, auth: &str, device: &str) {
    let (auth, device) = (auth.to_owned(), device.to_owned());
    let basic = format!("{auth}/Auth/basic-token");
    server
        .mock_async(move |when, then| {
            when.method(GET).path(basic);
            then.status(200)
                .json_body(json!({"data": "YmFzaWMtdG9rZW4=", "status": 200}));
        })
        .await;
    let login = format!("{auth}/Auth/login");
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path(login)
                .header("solution-key", SOLUTION_KEY)
                .json_body(json!({"username": "dev@example.com", "password": PASSWORD}));
            then.status(200).json_body(json!({"token_type": "bearer",
                "access_token": "acc-1", "expires_in": 86400,
                "refresh_token": "ref-acc-1", "status": 200}));
        })
        .await;
    let lookup = format!("{device}/Device/uniqueId/sensor-01");
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path(lookup)
                .header("authorization", "Bearer acc-1");
            then.status(200).json_body(json!({
                "data": [{"guid": "0B7C1A2E-1111-4A4A-9C9C-123456789ABC",
                          "uniqueId": "sensor-01", "isActive": true}],
                "status": 200, "message": "Device found", "count": 1}));
        })
        .await;
}

#[tokio::test]
async fn aws_discovery_then_login_then_a_device_call() {
    let server = MockServer::start_async().await;
    let discovery = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(discovery_path("poc"))
                .query_param("version", "2.1")
                .query_param("pf", "aws");
            then.status(200)
                .json_body(answer(&server.base_url(), "2.1"));
        })
        .await;
    sign_in_and_device(&server, "/auth/api/v2.1", "/device/api/v2.1").await;
    let client = builder(&server)
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect("discovered");
    let answer = client
        .device()
        .get_device_by_unique_id()
        .unique_id("sensor-01")
        .send()
        .await
        .expect("device");
    let devices = answer.into_inner().data.unwrap_or_default();
    assert_eq!(devices.len(), 1);
    discovery.assert_calls_async(1).await;
    assert!(!format!("{client:?}").contains(SOLUTION_KEY));
}

#[tokio::test]
async fn azure_discovery_asks_for_version_2() {
    let server = MockServer::start_async().await;
    // An Azure answer without `entityBaseUrl`; and one with only `entityBaseUrl` for users.
    let mut body = answer(&server.base_url(), "2");
    body["data"]
        .as_object_mut()
        .expect("data")
        .remove("userBaseUrl");
    let discovery = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(discovery_path("avnet"))
                .query_param("version", "2")
                .query_param("pf", "az");
            then.status(200).json_body(body);
        })
        .await;
    sign_in_and_device(&server, "/auth/api/v2", "/device/api/v2").await;
    let client = builder(&server)
        .discover(Environment::Avnet, Platform::Azure)
        .await
        .expect("discovered");
    client
        .device()
        .get_device_by_unique_id()
        .unique_id("sensor-01")
        .send()
        .await
        .expect("device");
    discovery.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refusal_is_typed_with_the_vendor_message() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(discovery_path("prod"));
            then.status(200).json_body(json!({
                "status": 200,
                "message": format!("Solution key {SOLUTION_KEY} not found"),
                "data": null
            }));
        })
        .await;
    let err = builder(&server)
        .discover(Environment::Prod, Platform::Aws)
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, DiscoveryError::Refused { status: 200, message: Some(m) } if m.contains("not found")),
        "{err:?}"
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(SOLUTION_KEY), "{shown}");
    assert!(!shown.contains(KEY_SEGMENT), "{shown}");
}

#[tokio::test]
async fn an_html_502_is_unavailable_without_url_or_key() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(discovery_path("poc"));
            then.status(502)
                .header("content-type", "text/html")
                .body("<html><body><h1>502 Bad Gateway</h1></body></html>");
        })
        .await;
    let err = builder(&server)
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect_err("502");
    assert!(
        matches!(
            &err,
            DiscoveryError::Unavailable {
                status: Some(502),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_unavailable());
    let shown = format!("{err} {err:?}");
    for hidden in [
        SOLUTION_KEY,
        KEY_SEGMENT,
        "solutionkey",
        "127.0.0.1",
        "<html>",
    ] {
        assert!(!shown.contains(hidden), "{hidden} in {shown}");
    }
}

#[tokio::test]
async fn a_200_html_page_or_a_missing_service_is_malformed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(discovery_path("poc"));
            then.status(200)
                .header("content-type", "text/html")
                .body("<html>maintenance</html>");
        })
        .await;
    let err = builder(&server)
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect_err("html");
    assert!(
        matches!(&err, DiscoveryError::Malformed { status: 200, .. }),
        "{err:?}"
    );

    let mut body = answer(&server.base_url(), "2.1");
    body["data"]
        .as_object_mut()
        .expect("data")
        .remove("deviceBaseUrl");
    server
        .mock_async(|when, then| {
            when.method(GET).path(discovery_path("prod"));
            then.status(200).json_body(body);
        })
        .await;
    let err = builder(&server)
        .discover(Environment::Prod, Platform::Aws)
        .await
        .expect_err("no device");
    assert!(err.to_string().contains("deviceBaseUrl"), "{err}");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(discovery_path("poc"));
            then.status(302)
                .header("location", "https://elsewhere.example.com/");
        })
        .await;
    let err = builder(&server)
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect_err("redirect");
    assert!(
        matches!(&err, DiscoveryError::Refused { status: 302, message: Some(m) } if m.contains("redirect")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_discovered_plain_http_url_is_refused() {
    let server = MockServer::start_async().await;
    let mut body = answer(&server.base_url(), "2.1");
    body["data"]["telemetryBaseUrl"] = json!("http://telemetry.example.com/api/v2.1");
    server
        .mock_async(|when, then| {
            when.method(GET).path(discovery_path("poc"));
            then.status(200).json_body(body);
        })
        .await;
    let err = builder(&server)
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect_err("plain http");
    assert!(
        matches!(
            &err,
            DiscoveryError::InvalidUrl {
                field: "telemetryBaseUrl",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn unreachable_discovery_is_unavailable_without_url_or_key() {
    // Port 1 on loopback: nothing listens there.
    let url = "http://127.0.0.1:1";
    let err = Client::builder()
        .credentials(credentials())
        .discovery_url(url)
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect_err("nobody listens");
    assert!(err.is_unavailable(), "{err:?}");
    let shown = format!("{err} {err:?}");
    for hidden in [SOLUTION_KEY, KEY_SEGMENT, "solutionkey"] {
        assert!(!shown.contains(hidden), "{hidden} in {shown}");
    }
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    for platform in ["gcp", "", "aws2"] {
        let err = platform.parse::<Platform>().expect_err("unknown");
        assert!(
            matches!(&err, DiscoveryError::InvalidInput(m) if m.contains("platform")),
            "{err:?}"
        );
    }
    for env in ["staging", "", "dev"] {
        let err = env.parse::<Environment>().expect_err("unknown");
        assert!(
            matches!(&err, DiscoveryError::InvalidInput(m) if m.contains("environment")),
            "{err:?}"
        );
    }
    assert_eq!("AWS".parse::<Platform>().expect("aws"), Platform::Aws);
    assert_eq!("azure".parse::<Platform>().expect("az"), Platform::Azure);
    assert_eq!(
        " Prod ".parse::<Environment>().expect("prod"),
        Environment::Prod
    );

    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(500);
        })
        .await;
    let no_credentials = Client::builder()
        .discovery_url(server.base_url())
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect_err("no credentials");
    assert!(matches!(no_credentials, DiscoveryError::InvalidInput(_)));
    let plain = Client::builder()
        .credentials(credentials())
        .discovery_url("http://discovery.example.com")
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect_err("plain http");
    assert!(
        matches!(plain, DiscoveryError::InvalidInput(_)),
        "{plain:?}"
    );
    any.assert_calls_async(0).await;

    let with_user_info = Client::builder()
        .credentials(credentials())
        .discovery_url("https://admin:hunter2@discovery.example.com/?token=abc");
    let shown = format!("{with_user_info:?}");
    assert!(shown.contains("https://discovery.example.com/"), "{shown}");
    for hidden in ["hunter2", "token=abc", SOLUTION_KEY, PASSWORD] {
        assert!(!shown.contains(hidden), "{hidden} in {shown}");
    }
    let err = with_user_info
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect_err("user info");
    assert!(matches!(&err, DiscoveryError::InvalidInput(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err:?}");

    let as_sdk_error: Error = "gcp".parse::<Platform>().expect_err("unknown").into();
    assert!(as_sdk_error.to_string().contains("gcp"), "{as_sdk_error}");
}

fn lookup(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<&str, String> = pairs.into_iter().collect();
    move |name| map.get(name).cloned()
}

fn all_variables(url: String) -> Vec<(&'static str, String)> {
    vec![
        ("IOTCONNECT_SOLUTION_KEY", SOLUTION_KEY.to_owned()),
        ("IOTCONNECT_USERNAME", "dev@example.com".to_owned()),
        ("IOTCONNECT_PASSWORD", PASSWORD.to_owned()),
        ("IOTCONNECT_ENVIRONMENT", "poc".to_owned()),
        ("IOTCONNECT_PLATFORM", "aws".to_owned()),
        ("IOTCONNECT_DISCOVERY_URL", url),
    ]
}

#[tokio::test]
async fn from_lookup_names_the_missing_variable_and_refuses_unknown_values() {
    for missing in [
        "IOTCONNECT_SOLUTION_KEY",
        "IOTCONNECT_USERNAME",
        "IOTCONNECT_PASSWORD",
        "IOTCONNECT_ENVIRONMENT",
        "IOTCONNECT_PLATFORM",
    ] {
        let mut vars = all_variables("https://discovery.example.com".into());
        vars.retain(|(name, _)| *name != missing);
        let err = Client::from_lookup(lookup(vars))
            .await
            .expect_err("missing");
        assert!(
            matches!(&err, DiscoveryError::InvalidInput(m) if m.contains(missing)),
            "{err:?}"
        );
    }
    let mut vars = all_variables("https://discovery.example.com".into());
    vars[4].1 = "gcp".into();
    let err = Client::from_lookup(lookup(vars)).await.expect_err("gcp");
    assert!(err.to_string().contains("unknown platform"), "{err}");
}

#[tokio::test]
async fn from_lookup_discovers_at_the_given_url() {
    let server = MockServer::start_async().await;
    let discovery = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(discovery_path("poc"))
                .query_param("version", "2.1")
                .query_param("pf", "aws");
            then.status(200)
                .json_body(answer(&server.base_url(), "2.1"));
        })
        .await;
    sign_in_and_device(&server, "/auth/api/v2.1", "/device/api/v2.1").await;
    let client = Client::from_lookup(lookup(all_variables(server.base_url())))
        .await
        .expect("discovered");
    client
        .device()
        .get_device_by_unique_id()
        .unique_id("sensor-01")
        .send()
        .await
        .expect("device");
    discovery.assert_calls_async(1).await;
}

/// A canary: whatever goes wrong, the solution key (as is or percent-encoded) and the
/// password are not in any error's text or `Debug`, nor in the builder's or client's `Debug`.
#[tokio::test]
async fn the_solution_key_never_shows() {
    let server = MockServer::start_async().await;
    let echo = format!("key {SOLUTION_KEY} / {KEY_SEGMENT} / password {PASSWORD}");
    server
        .mock_async(|when, then| {
            when.method(GET).path(discovery_path("poc"));
            then.status(200)
                .json_body(json!({"status": 200, "message": echo, "data": null}));
        })
        .await;
    let echo = format!("key {SOLUTION_KEY} / {KEY_SEGMENT} / password {PASSWORD}");
    server
        .mock_async(|when, then| {
            when.method(GET).path(discovery_path("prod"));
            then.status(403)
                .json_body(json!({"status": 403, "message": echo, "data": null}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(discovery_path("avnet"));
            then.status(503).body(format!("down for {SOLUTION_KEY}"));
        })
        .await;
    let mut shown = format!("{:?} {:?}", builder(&server), credentials());
    for (env, platform) in [
        (Environment::Poc, Platform::Aws),
        (Environment::Prod, Platform::Aws),
        (Environment::Avnet, Platform::Azure),
    ] {
        let err = builder(&server)
            .discover(env, platform)
            .await
            .expect_err("fails");
        let sdk: Error = builder(&server)
            .discover(env, platform)
            .await
            .expect_err("fails")
            .into();
        shown.push_str(&format!("{err} {err:?} {sdk} {sdk:?} "));
    }
    for hidden in [SOLUTION_KEY, KEY_SEGMENT, PASSWORD] {
        assert!(!shown.contains(hidden), "{hidden} in {shown}");
    }
    assert!(shown.contains("[redacted]"), "{shown}");
}
