//! The tour's scenario (`cargo tour`), run through its library, with its report checked against
//! what the sandbox is known to hold and to have counted.

use std::collections::BTreeSet;
use std::time::Duration;

use sdk_tour::{Progress, Step, TourOptions, run_tour};

/// Readings are taken once a minute.
const MINUTE: i64 = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tour_passes_and_its_report_matches_the_sandbox() {
    let mut options = TourOptions::default();
    options.progress = Progress::Off;
    let mut printed = Vec::new();
    let report = run_tour(&options, &mut printed)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let printed = String::from_utf8(printed).expect("utf-8");

    let steps: Vec<Step> = report.steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, Step::ALL);

    // The default fleet: 12 sensors, the last of which never reported.
    let sensors = &report.sensors;
    assert_eq!(sensors.macs.len(), options.sensors);
    assert_eq!(
        sensors.macs.iter().collect::<BTreeSet<_>>().len(),
        options.sensors,
        "every sensor listed once"
    );
    assert_eq!(sensors.reporting.len(), options.sensors - 1);
    assert_eq!(sensors.requests, 1, "one page of up to 500");
    assert_eq!(
        sensors.by_type.iter().map(|(_, n)| n).sum::<usize>(),
        options.sensors
    );

    // A day of readings: one a minute, so 1440 or 1441 of them depending on where the minute
    // falls against the range's start; no gap and no duplicate at the window edge.
    let readings = &report.readings;
    assert_eq!((readings.end - readings.start).num_seconds(), 24 * 3600);
    assert_eq!(readings.sensors.len(), 4, "the default: four sensors");
    let (start, end) = (readings.start.timestamp(), readings.end.timestamp());
    for sensor in &readings.sensors {
        assert!(sensors.reporting.contains(&sensor.mac));
        let (first, last) = (sensor.first.expect("first"), sensor.last.expect("last"));
        assert!((0..MINUTE).contains(&(first - start)), "{sensor:?}");
        assert!((0..MINUTE).contains(&(end - last)), "{sensor:?}");
        assert_eq!(sensor.count, ((last - first) / MINUTE + 1) as u64);
        assert!((1440..=1441).contains(&sensor.count), "{sensor:?}");
    }
    // 24 h with both ends included is one second more than one request covers once the SDK
    // has reached past each edge of its window: two requests per sensor.
    assert_eq!(readings.requests, 2 * readings.sensors.len() as u64);

    // One delivery round: the newest reading of every reporting sensor, once each.
    let webhooks = &report.webhooks;
    assert_eq!(webhooks.attempted, sensors.reporting.len());
    assert_eq!(webhooks.received, webhooks.attempted);
    assert_eq!(webhooks.secret_matched, webhooks.received);
    assert_eq!(
        webhooks.decoded_macs.iter().collect::<BTreeSet<_>>(),
        sensors.reporting.iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(webhooks.decoded_macs.len(), webhooks.received);
    assert_eq!(webhooks.subscription_id.len(), 36, "a UUID");
    assert_eq!(webhooks.attempted_after_delete, 0);

    // One token at first use, one after the forced expiry, none for anything else.
    let expiry = &report.token_expiry;
    assert_eq!(expiry.expired, 1);
    assert_eq!(
        (expiry.token_requests_before, expiry.token_requests_after),
        (1, 2)
    );
    assert_eq!(expiry.api_requests, 2, "the 401 and the resend");
    assert_eq!(report.token_requests, 2);

    // Three 429s with Retry-After: 1, waited out.
    let burst = &report.rate_limit;
    assert_eq!((burst.forced, burst.attempts), (3, 4));
    assert!(burst.elapsed >= Duration::from_secs(3), "{burst:?}");

    // Every API request is accounted for: health, the sensor page, the windows, create and
    // delete, the 401 and its resend, the burst.
    assert_eq!(
        report.api_requests,
        1 + sensors.requests + readings.requests + 2 + expiry.api_requests + burst.attempts
    );

    for step in Step::ALL {
        let line = format!("{:>3}  {:<20} ok", step.number(), step.title());
        assert!(printed.contains(&line), "{line:?} in\n{printed}");
    }
    assert!(printed.contains("All 7 steps passed"), "{printed}");
    assert!(!printed.contains('\r'), "no progress line when it is off");
    // The demo client secret, a bearer, a JWT-shaped token, the webhook secret.
    for secret in [
        "sandbox-everactive-secret",
        "Bearer",
        "eyJ",
        "tour-shared-secret",
    ] {
        assert!(!printed.contains(secret), "{secret} in\n{printed}");
    }
}

#[tokio::test]
async fn a_failing_step_is_named() {
    let mut options = TourOptions::default();
    options.progress = Progress::Off;
    options.sensors = 0;
    let mut printed = Vec::new();
    let err = run_tour(&options, &mut printed)
        .await
        .expect_err("no sensors");
    assert_eq!(err.step(), Some(Step::Start));
    assert_eq!(
        err.to_string(),
        "step 1 of 7 (start the sandbox) failed: the tour needs at least one sensor and one \
         gateway"
    );
    let printed = String::from_utf8(printed).expect("utf-8");
    assert!(printed.contains("start the sandbox    FAILED"), "{printed}");
}
