//! The Everactive SDK end to end against the sandbox: tokens that expire mid-run, 429 bursts,
//! one token request for many concurrent calls, webhook deliveries decoded by the SDK, and an
//! API that adds fields and values. The client is built as a user builds it; the sandbox's
//! counters say what went over the wire.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use everactive_sdk::types::WebhookCreate;
use everactive_sdk::webhooks::{self, WebhookPayload};
use everactive_sdk::{
    Client, Error, EvergatewayFilter, EversensorFilter, RetryPolicy, WebhookEventType,
    WebhookHeader,
};
use futures::TryStreamExt as _;
use futures::future::join_all;
use sdk_sandbox::{ForcedFailure, RunningSandbox, Sandbox, SandboxBuilder};
use sdk_tour::WebhookReceiver;

const MINUTE: i64 = 60;
const SECRET: &str = "e2e-shared-secret-4f0a";

/// A sandbox that delivers webhooks only when asked.
async fn start(builder: SandboxBuilder) -> RunningSandbox {
    builder
        .everactive_delivery_interval(None)
        .start()
        .await
        .expect("sandbox")
}

/// The client a user builds from the sandbox's URL and demo credentials.
fn client(sandbox: &RunningSandbox) -> Client {
    let (id, secret) = sandbox.everactive_credentials();
    Client::builder()
        .credentials(id, secret)
        .base_url(sandbox.everactive_url())
        .webhook_secret(SECRET)
        .build()
        .expect("client")
}

/// MAC addresses of the sensors that have reported.
async fn reporting_sensors(client: &Client) -> Vec<String> {
    client
        .eversensors(EversensorFilter::default())
        .try_collect::<Vec<_>>()
        .await
        .expect("sensors")
        .into_iter()
        .filter(|s| s.last_reading.is_some())
        .map(|s| s.mac_address)
        .collect()
}

/// Whole seconds, `hours` ago.
fn hours_ago(hours: i64) -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp(now.timestamp(), 0).expect("now") - TimeDelta::hours(hours)
}

/// One reading a minute from `first` to `last`, none missing or repeated, covering the range.
fn assert_every_minute(timestamps: &[i64], start: i64, end: i64) {
    let (first, last) = (timestamps[0], timestamps[timestamps.len() - 1]);
    assert!((0..MINUTE).contains(&(first - start)), "first {first}");
    assert!((0..MINUTE).contains(&(end - last)), "last {last}");
    for pair in timestamps.windows(2) {
        assert_eq!(pair[1] - pair[0], MINUTE, "gap or duplicate at {pair:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_expires_mid_stream_is_replaced_and_the_stream_completes() {
    let sandbox = start(
        Sandbox::builder()
            .everactive_fleet(2, 1)
            .everactive_token_lifetime(Duration::from_secs(600)),
    )
    .await;
    let client = client(&sandbox);
    let mac = reporting_sensors(&client).await.remove(0);
    // Three days that ended an hour ago: four window requests, and data that does not change
    // when the sandbox clock moves.
    let (start, end) = (hours_ago(73), hours_ago(1));
    let mut stream = std::pin::pin!(client.readings(&mac, start, end));
    let mut timestamps = vec![
        stream
            .try_next()
            .await
            .expect("first")
            .expect("some")
            .timestamp,
    ];
    // The first window is in; the token the client holds expires before the second.
    sandbox.clock().advance(Duration::from_secs(601));
    while let Some(reading) = stream.try_next().await.expect("reading") {
        timestamps.push(reading.timestamp);
    }

    assert_every_minute(&timestamps, start.timestamp(), end.timestamp());
    assert!((4320..=4321).contains(&timestamps.len()));
    let stats = sandbox.everactive().stats();
    assert_eq!(
        (stats.token_requests, stats.tokens_issued),
        (2, 2),
        "one token, then one more after the expiry"
    );
    assert_eq!(
        stats.api_requests,
        1 + 4 + 1,
        "the sensor list, four windows, one rejected window request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_first_calls_make_one_token_request() {
    let sandbox = start(Sandbox::builder()).await;
    let client = client(&sandbox);
    let calls = (0..200).map(|_| client.get_health().send());
    let results = join_all(calls).await;
    assert!(results.iter().all(Result::is_ok), "every call succeeds");
    let stats = sandbox.everactive().stats();
    assert_eq!(stats.token_requests, 1);
    assert_eq!(stats.api_requests, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_calls_after_an_expiry_make_one_more_token_request() {
    let sandbox = start(Sandbox::builder()).await;
    let client = client(&sandbox);
    client.get_health().send().await.expect("warm up");
    assert_eq!(sandbox.everactive().expire_tokens(), 1);
    let calls = (0..200).map(|_| client.get_health().send());
    let results = join_all(calls).await;
    assert!(results.iter().all(Result::is_ok), "every call succeeds");
    let stats = sandbox.everactive().stats();
    assert_eq!(
        stats.token_requests, 2,
        "one at first use, one after the expiry"
    );
    // A call that took its token before the new one came gets a 401 and is resent once; a
    // later one goes out with the new token.
    assert!(
        (1 + 200 + 1..=1 + 200 + 200).contains(&stats.api_requests),
        "{stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_outage_is_waited_out_and_a_refusal_is_not_repeated() {
    let sandbox = start(Sandbox::builder()).await;
    let client = client(&sandbox);
    let controls = sandbox.everactive();
    let mut faults = controls.faults();
    faults.fail_tokens = Some(ForcedFailure::new(503, 1).retry_after(1));
    faults.token_status = 201;
    controls.set_faults(faults).expect("knobs");
    let started = Instant::now();
    client
        .get_health()
        .send()
        .await
        .expect("a token after the outage");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(controls.stats().token_requests, 2, "the 503, then a 201");

    // Wrong credentials from now on: every caller gets the refusal, and the token endpoint
    // is not asked again at once.
    controls.reset_faults();
    let mut faults = controls.faults();
    faults.refuse_tokens = true;
    controls.set_faults(faults).expect("knobs");
    controls.expire_tokens();
    let before = controls.stats().token_requests;
    for _ in 0..3 {
        let err = client.get_health().send().await.expect_err("refused");
        match err {
            Error::Auth(auth) => assert_eq!(auth.status(), Some(401), "{auth:?}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(controls.stats().token_requests - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_burst_with_retry_after_is_waited_out() {
    let sandbox = start(Sandbox::builder()).await;
    let client = client(&sandbox);
    client.get_health().send().await.expect("warm up");
    let controls = sandbox.everactive();
    let mut faults = controls.faults();
    faults.fail_api = Some(ForcedFailure::new(429, 2).retry_after(1));
    controls.set_faults(faults).expect("knobs");
    let before = controls.stats();

    let started = Instant::now();
    let page = client
        .list_eversensors()
        .page(1u32)
        .page_size(5u32)
        .send()
        .await
        .expect("succeeds after the burst");
    let elapsed = started.elapsed();

    assert_eq!(page.data.len(), 5);
    assert!(elapsed >= Duration::from_secs(2), "waited {elapsed:?}");
    let after = controls.stats();
    assert_eq!(
        after.api_requests - before.api_requests,
        3,
        "two 429s, then 200"
    );
    assert_eq!(after.token_requests, before.token_requests);
    assert_eq!(controls.faults().fail_api, None, "the burst is used up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_burst_beyond_the_retry_budget_returns_the_429() {
    let sandbox = start(Sandbox::builder()).await;
    let (id, secret) = sandbox.everactive_credentials();
    let client = Client::builder()
        .credentials(id, secret)
        .base_url(sandbox.everactive_url())
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(10)))
        .build()
        .expect("client");
    client.get_health().send().await.expect("warm up");
    let controls = sandbox.everactive();

    // Longer than the four attempts of the default policy.
    let mut faults = controls.faults();
    faults.fail_api = Some(ForcedFailure::new(429, 10));
    controls.set_faults(faults.clone()).expect("knobs");
    let before = controls.stats().api_requests;
    let err = client
        .get_health()
        .send()
        .await
        .expect_err("429 throughout");
    assert!(
        matches!(&err, Error::Api { status, .. } if status.as_u16() == 429),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(controls.stats().api_requests - before, 4);
    assert_eq!(controls.faults().fail_api.map(|f| f.count), Some(6));

    // A Retry-After beyond the 30 s budget is not waited for.
    faults.fail_api = Some(ForcedFailure::new(429, 1).retry_after(120));
    controls.set_faults(faults).expect("knobs");
    let before = controls.stats().api_requests;
    let started = Instant::now();
    let err = client.get_health().send().await.expect_err("429");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(controls.stats().api_requests - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_is_retried_after_a_429_since_nothing_ran() {
    let sandbox = start(Sandbox::builder()).await;
    let client = client(&sandbox);
    client.get_health().send().await.expect("warm up");
    let controls = sandbox.everactive();
    let mut faults = controls.faults();
    faults.fail_api = Some(ForcedFailure::new(429, 1).retry_after(1));
    controls.set_faults(faults).expect("knobs");
    let before = controls.stats().api_requests;
    let started = Instant::now();

    client
        .create_webhook()
        .body(WebhookCreate {
            callback_url: "https://receiver.example.com/hook".into(),
            event_type: WebhookEventType::SensorReading,
            enabled: true,
            headers: vec![],
        })
        .send()
        .await
        .expect("created after the Retry-After");
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(
        controls.stats().api_requests - before,
        2,
        "the 429 and the retry"
    );
    let list = client.list_webhooks().send().await.expect("list");
    assert_eq!(list.data.len(), 1, "the refused attempt created nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_deliveries_of_both_kinds_decode_with_the_sdk() {
    let sandbox = start(Sandbox::builder().everactive_fleet(6, 2)).await;
    let client = client(&sandbox);
    let mut receiver = WebhookReceiver::start("x-api-key", SECRET)
        .await
        .expect("receiver");
    for (path, event_type) in [
        ("/readings", WebhookEventType::SensorReading),
        ("/status", WebhookEventType::GatewayStatus),
    ] {
        client
            .create_webhook()
            .body(WebhookCreate {
                callback_url: receiver.url(path),
                event_type,
                enabled: true,
                headers: vec![WebhookHeader::new("x-api-key", SECRET)],
            })
            .send()
            .await
            .expect("subscribe");
    }
    let reporting = reporting_sensors(&client).await;
    let gateways: Vec<String> = client
        .evergateways(EvergatewayFilter::default())
        .try_collect::<Vec<_>>()
        .await
        .expect("gateways")
        .into_iter()
        .filter_map(|g| g.serial_number)
        .collect();
    assert_eq!((reporting.len(), gateways.len()), (5, 2));

    let attempts = sandbox.deliver_everactive_webhooks().await;
    assert_eq!(attempts.len(), 5 + 2);
    assert!(attempts.iter().all(|a| a.succeeded()), "{attempts:?}");
    let deliveries = receiver.take(7, Duration::from_secs(5)).await;
    assert_eq!(deliveries.len(), 7);

    let (mut macs, mut serials) = (BTreeSet::new(), BTreeSet::new());
    for delivery in &deliveries {
        assert_eq!(delivery.method, "POST");
        assert!(delivery.secret_matched);
        assert_eq!(delivery.content_type.as_deref(), Some("application/json"));
        match (delivery.path.as_str(), webhooks::parse(&delivery.body)) {
            ("/readings", Ok(WebhookPayload::SensorReading(reading))) => {
                assert!(reading.schema.ends_with("/reading"));
                assert!(macs.insert(reading.mac_address));
            }
            ("/status", Ok(WebhookPayload::GatewayStatus(status))) => {
                assert_eq!(
                    status.schema.as_deref(),
                    Some("gateway_status_v3.schema.json")
                );
                assert!(serials.insert(status.serial.expect("serial")));
            }
            (path, other) => panic!("{path}: {other:?}"),
        }
        // With one callback URL per subscription the receiver knows the kind already.
        let value: serde_json::Value = serde_json::from_slice(&delivery.body).expect("json");
        let event_type = match delivery.path.as_str() {
            "/readings" => WebhookEventType::SensorReading,
            _ => WebhookEventType::GatewayStatus,
        };
        assert!(!matches!(
            webhooks::parse_as(&event_type, value).expect("decodes"),
            WebhookPayload::Other(_)
        ));
    }
    assert_eq!(macs, reporting.into_iter().collect());
    assert_eq!(serials, gateways.into_iter().collect());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_and_values_decode_in_answers_and_deliveries() {
    let sandbox = start(Sandbox::builder().everactive_fleet(3, 1)).await;
    let client = client(&sandbox);
    let mut receiver = WebhookReceiver::start("x-api-key", SECRET)
        .await
        .expect("receiver");
    client
        .create_webhook()
        .body(WebhookCreate {
            callback_url: receiver.url("/readings"),
            event_type: WebhookEventType::SensorReading,
            enabled: true,
            headers: vec![WebhookHeader::new("x-api-key", SECRET)],
        })
        .send()
        .await
        .expect("subscribe");
    let controls = sandbox.everactive();
    let mut faults = controls.faults();
    faults.extra_fields = true;
    controls.set_faults(faults.clone()).expect("knobs");

    // Unknown members everywhere: answers and deliveries still decode.
    let sensors: Vec<_> = client
        .eversensors(EversensorFilter::default())
        .try_collect()
        .await
        .expect("sensors decode");
    assert_eq!(sensors.len(), 3);
    let readings: Vec<_> = client
        .readings(&sensors[0].mac_address, hours_ago(1), hours_ago(0))
        .try_collect()
        .await
        .expect("readings decode");
    assert!((60..=61).contains(&readings.len()));
    sandbox.deliver_everactive_webhooks().await;
    for delivery in receiver.take(3, Duration::from_secs(5)).await {
        assert!(matches!(
            webhooks::parse(&delivery.body),
            Ok(WebhookPayload::SensorReading(_))
        ));
    }

    // Unknown enum values: the open types keep them; a delivery whose schema is unknown is
    // kept as JSON rather than guessed at.
    faults.unknown_enum_values = true;
    controls.set_faults(faults).expect("knobs");
    let sensors: Vec<_> = client
        .eversensors(EversensorFilter::default())
        .try_collect()
        .await
        .expect("sensors decode");
    assert!(
        sensors
            .iter()
            .all(|s| s.type_.as_deref() == Some(sdk_sandbox::UNKNOWN_ENUM_VALUE))
    );
    let hooks = client
        .list_webhooks()
        .send()
        .await
        .expect("webhooks decode");
    assert_eq!(
        hooks.data[0].event_type,
        Some(WebhookEventType::Other(
            sdk_sandbox::UNKNOWN_ENUM_VALUE.into()
        ))
    );
    sandbox.deliver_everactive_webhooks().await;
    let deliveries = receiver.take(3, Duration::from_secs(5)).await;
    assert_eq!(deliveries.len(), 3);
    for delivery in deliveries {
        assert!(matches!(
            webhooks::parse(&delivery.body),
            Ok(WebhookPayload::Other(_))
        ));
    }
}
