//! The tour's scenario (`cargo tour`), run through its library, with its report checked against
//! what the sandbox is known to hold and to have counted.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sdk_tour::{EverRealReport, IotConnectReport, Progress, Step, TourOptions, run_tour};

/// Readings are taken once a minute.
const MINUTE: i64 = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tour_passes_and_its_report_matches_the_sandbox() {
    let mut options = TourOptions::default();
    options.progress = Progress::Off;
    let mut printed = Vec::new();
    let started = Utc::now();
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

    check_iotconnect(&report.iotconnect, &options, (started, Utc::now()));
    let iotc = &report.iotconnect;
    for expected in [
        "8 devices in 3 pages of pageSize 3 (3 + 3 + 2)".to_owned(),
        format!(
            "tour-device-01 from template {} ({}, as {})",
            iotc.created.template_code, iotc.created.template_name, iotc.telemetry.unique_id
        ),
        format!(
            "{}: {} {}, ",
            iotc.telemetry.unique_id, iotc.telemetry.values[0].0, iotc.telemetry.values[0].1
        ),
        "tour-device-01: none yet".to_owned(),
        "tour-device-01 deleted; device_by_unique_id now answers None".to_owned(),
        "  devices         8 listed in 3 pages of 3, 7 reporting".to_owned(),
        "  token requests  2 (the basic token and the login, once for every call)".to_owned(),
    ] {
        assert!(printed.contains(&expected), "{expected:?} in\n{printed}");
    }

    check_everreal(&report.everreal, &printed);

    for step in Step::ALL {
        let line = format!("{:>3}  {:<20} ok", step.number(), step.title());
        assert!(printed.contains(&line), "{line:?} in\n{printed}");
    }
    assert!(printed.contains("All 18 steps passed"), "{printed}");
    assert!(!printed.contains('\r'), "no progress line when it is off");
    // The demo client secret, a bearer, a JWT-shaped token, the webhook secret, the IoTConnect
    // password and solution key (the discovery call carries the key in its path), a Basic header.
    // EverReal: its password and client secret, the receiver's secret, the names of the
    // token fields, the code and the PKCE verifier as parameters.
    for secret in [
        "sandbox-everactive-secret",
        "Bearer",
        "eyJ",
        "tour-shared-secret",
        "sandbox-iotconnect-password",
        "sandbox-iotconnect-solution-key",
        "solutionkey",
        "Basic ",
        "sandbox-everreal-password",
        "sandbox-everreal-secret",
        "tour-everreal-receiver",
        "access_token",
        "refresh_token",
        "code=",
        "code_verifier",
        "state=",
    ] {
        assert!(!printed.contains(secret), "{secret} in\n{printed}");
    }
    // Random secrets the test cannot know (the EverReal access and refresh tokens, the
    // authorization code: 40 hex digits, the PKCE verifier: 43 base64url characters, the
    // state: 22) are long runs of token characters; the tour prints none that long.
    let longest = printed
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .max_by_key(|run| run.len())
        .unwrap_or_default();
    assert!(longest.len() < 22, "{longest:?} in\n{printed}");
}

/// The EverReal steps, against the sandbox's tenant `acme`: 24 units (6 per property, the
/// sixth a parking space, units 1, 3 and 5 leased), 6 listings of which 4 are active.
fn check_everreal(er: &EverRealReport, printed: &str) {
    let sign_in = &er.sign_in;
    assert_eq!(sign_in.email, "api-user@acme.example");
    assert_eq!(sign_in.name, "Jane Doe");
    assert_eq!(sign_in.company, "Acme Immobilien GmbH");
    assert_eq!(sign_in.subdomain, "acme");
    assert_eq!(sign_in.scope, ["offline_access", "*"]);
    assert_eq!(sign_in.user_id.len(), 36, "a UUID: {sign_in:?}");
    // The token request and users/me, out of the documented 300 a minute.
    assert_eq!(
        (sign_in.rate_limit, sign_in.rate_remaining),
        (Some(300), Some(298))
    );
    assert!(
        sign_in
            .rate_reset
            .is_some_and(|r| r > Duration::ZERO && r <= Duration::from_secs(60)),
        "{sign_in:?}"
    );
    assert_eq!(sign_in.token_requests, 1);

    let code = &er.code_flow;
    assert_eq!(code.authorize_path, "/accounts/dialog/authorize");
    let parameters: BTreeSet<&str> = code.parameters.iter().map(String::as_str).collect();
    assert_eq!(
        parameters,
        BTreeSet::from([
            "response_type",
            "client_id",
            "state",
            "code_challenge",
            "code_challenge_method",
            "redirect_uri",
            "scope"
        ])
    );
    assert_eq!(code.redirect_status, 302);
    assert!(code.state_matched && code.refresh_token, "{code:?}");
    assert_eq!(code.user_id, sign_in.user_id, "the same user both ways");
    assert_eq!(code.email, sign_in.email);
    assert_eq!(code.token_requests, 1, "the exchange");

    let units = &er.units;
    assert_eq!(units.count, 24);
    assert_eq!(units.page_size, 5);
    assert_eq!(units.per_page, [5, 5, 5, 5, 4]);
    assert_eq!(units.requests, 5);
    assert_eq!(
        units.by_type,
        [("apartment".to_owned(), 20), ("parking".to_owned(), 4)]
    );
    assert_eq!(units.leased, 12);

    let listings = &er.listings;
    assert_eq!((listings.active, listings.all), (4, 6));
    assert!(!listings.first_title.is_empty() && !listings.first_address.is_empty());
    let (low, high) = (
        listings.lowest_rent.expect("rents"),
        listings.highest_rent.expect("rents"),
    );
    assert!(0.0 < low && low <= high, "{listings:?}");

    let upsert = &er.upsert;
    assert_eq!(upsert.source, "SDK_TOUR");
    assert_eq!(upsert.read_back_id, upsert.unit_id);
    assert_eq!(upsert.name, "Tour flat 1");
    assert_eq!(
        (upsert.floor, upsert.living_surface, upsert.rooms),
        (Some(2.0), Some(64.0), Some(2.5))
    );
    let ids = [&upsert.owner_id, &upsert.property_id, &upsert.unit_id];
    assert!(ids.iter().all(|id| id.len() == 36), "{upsert:?}");

    let hooks = &er.webhooks;
    assert_eq!(hooks.event_type, "UNIT_UPDATED");
    assert_eq!(hooks.subscription_id.len(), 36, "a UUID");
    assert_eq!((hooks.attempted, hooks.received), (1, 1));
    assert_eq!(
        hooks.decoded,
        [(upsert.unit_id.clone(), "Tour flat 1 (renovated)".to_owned())]
    );
    assert_eq!(hooks.queued_after_delete, 0);

    // The password grant and the code exchange; nothing expired, so no refresh. API calls:
    // users/me, userinfo, the unit pages, two listing streams of one page each, three upserts
    // and the read-back, create, list, the renaming upsert, delete.
    assert_eq!(er.token_requests, 2);
    assert_eq!(er.api_requests, 1 + 1 + units.requests + 2 + 4 + 4);

    for expected in [
        "Jane Doe <api-user@acme.example> at Acme Immobilien GmbH (acme); scope offline_access *; \
         rate limit 298 of 300 left",
        "-> 302 to the redirect URI, state matches; code exchanged with the PKCE verifier; \
         userinfo: api-user@acme.example (the same user)",
        "24 units in 5 GraphQL pages of take 5 (5 + 5 + 5 + 5 + 4): 20 apartment, 4 parking, \
         12 leased",
        "4 of 6 listings are active and not archived",
        "U-TOUR-1 read back: same id, \"Tour flat 1\", floor 2, 64 m², 2.5 rooms",
        "decoded: U-TOUR-1 is now \"Tour flat 1 (renovated)\"; unsubscribed",
        "  units           24 listed in 5 GraphQL pages of 5, 12 leased",
        "  token requests  2 (the password grant and the code exchange)",
    ] {
        assert!(printed.contains(expected), "{expected:?} in\n{printed}");
    }
}

/// The IoTConnect steps, against the sandbox's default company: devices `sensor-NN` (template
/// `envmon`) and `tracker-NN` (`tracker`), the last of which never reported.
fn check_iotconnect(
    iotc: &IotConnectReport,
    options: &TourOptions,
    (started, ended): (DateTime<Utc>, DateTime<Utc>),
) {
    // Discovery points every service at the sandbox; the first call signs in once.
    let sign_in = &iotc.sign_in;
    assert!(
        sign_in.device_url.starts_with("http://127.0.0.1:"),
        "{sign_in:?}"
    );
    assert!(
        sign_in.device_url.ends_with("/device/api/v2.1"),
        "{sign_in:?}"
    );
    assert_eq!((sign_in.token_requests, sign_in.tokens_issued), (2, 1));

    // Eight devices, three at a time, each once, in unique-id order.
    let devices = &iotc.devices;
    assert_eq!(devices.devices.len(), options.devices);
    let ids: Vec<&str> = devices
        .devices
        .iter()
        .map(|d| d.unique_id.as_str())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "sorted by unique id, none twice");
    assert_eq!(devices.page_size, 3);
    assert_eq!(devices.per_page, [3, 3, 2]);
    assert_eq!(devices.requests, 3);
    let silent: Vec<&str> = devices
        .devices
        .iter()
        .filter(|d| d.last_communication.is_none())
        .map(|d| d.unique_id.as_str())
        .collect();
    assert_eq!(
        silent,
        ["sensor-08"],
        "the last seeded device never reported"
    );
    assert_eq!(devices.reporting().count(), options.devices - 1);
    assert_eq!(
        devices.by_template,
        [
            ("Asset Tracker".to_owned(), 2),
            ("Env Monitor".to_owned(), 6)
        ]
    );

    // The new device: the first reporting device's template and entity, read back as created.
    let model = devices.reporting().next().expect("a reporting device");
    assert_eq!(model.unique_id, "sensor-01");
    let created = &iotc.created;
    assert_eq!(created.templates, 2);
    assert_eq!(
        (
            created.template_code.as_str(),
            created.template_name.as_str()
        ),
        ("envmon", "Env Monitor")
    );
    assert_eq!(created.read_back_template, created.template_name);
    assert_eq!(created.entity_name, model.entity_name);
    assert_eq!(created.unique_id, "tour-device-01");
    assert_eq!(created.guid.len(), 36, "a GUID: {created:?}");
    assert!(
        devices
            .devices
            .iter()
            .all(|d| !d.guid.eq_ignore_ascii_case(&created.guid)),
        "a new GUID"
    );

    // The latest values of sensor-01, sent within the minute before the step; none for the new
    // device.
    let telemetry = &iotc.telemetry;
    assert_eq!(telemetry.unique_id, model.unique_id);
    let names: Vec<&str> = telemetry.values.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["temperature", "humidity", "version"]);
    for (name, value) in &telemetry.values[..2] {
        let number: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("{name} = {value:?}"));
        assert!(number.is_finite(), "{name} = {value}");
    }
    let updated = telemetry.updated.as_deref().expect("a send time");
    let updated = DateTime::parse_from_rfc3339(updated).expect("RFC 3339");
    assert!(
        updated >= started - chrono::TimeDelta::seconds(60) && updated <= ended,
        "sent at {updated}, the tour ran from {started} to {ended}"
    );
    assert_eq!(telemetry.created_device_values, 0);

    assert_eq!(iotc.deleted.unique_id, created.unique_id);
    assert!(!iotc.deleted.found_after);

    // One sign-in for every call. The calls: verify-token, the pages, the template list, the
    // template by code, the entities, the create, the read-back, two latest-telemetry reads, the
    // delete and the lookup after it.
    assert_eq!(iotc.token_requests, 2);
    assert_eq!(iotc.api_requests, 1 + devices.requests + 9);
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
        "step 1 of 18 (start the sandbox) failed: the tour needs at least one sensor, one \
         gateway and one device"
    );
    let printed = String::from_utf8(printed).expect("utf-8");
    assert!(printed.contains("start the sandbox    FAILED"), "{printed}");
}
