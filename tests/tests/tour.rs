//! The tour's scenario (`cargo tour`), run through its library, with its report checked against
//! what the sandbox is known to hold and to have counted.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sdk_sandbox::Sandbox;
use sdk_tour::{
    EverRealReport, ExtraViewReport, IotConnectReport, Progress, Step, TourOptions, run_tour,
};

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

    let gadgets = seeded_issues_of_product(options.seed, "GADGET").await;
    check_extraview(&report.extraview, &gadgets, &printed);

    for step in Step::ALL {
        let line = format!("{:>3}  {:<20} ok", step.number(), step.title());
        assert!(printed.contains(&line), "{line:?} in\n{printed}");
    }
    assert!(printed.contains("All 28 steps passed"), "{printed}");
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
        // ExtraView: both demo passwords, and the parameters of a get_token URL.
        "sandbox-extraview-password",
        "sandbox-extraview-readonly",
        "password=",
        "user_id=",
        "Token:",
    ] {
        assert!(!printed.contains(secret), "{secret} in\n{printed}");
    }
    // Random secrets the test cannot know (the EverReal access and refresh tokens, the
    // authorization code: 40 hex digits, the PKCE verifier: 43 base64url characters, the
    // state: 22, the ExtraView tokens: 43 base64url characters) are long runs of token
    // characters; the tour prints none that long.
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

/// The IDs of the issues of `product` that a sandbox with `seed` holds, read without the SDK:
/// a plain `get_token` and one `search` of every match, the records counted in the XML text.
async fn seeded_issues_of_product(seed: u64, product: &str) -> Vec<String> {
    let sandbox = Sandbox::builder()
        .seed(seed)
        .start()
        .await
        .expect("sandbox");
    let (user, password) = sandbox.extraview_credentials();
    let http = reqwest::Client::new();
    let get = |params: Vec<(&str, String)>| {
        let request = http.get(sandbox.extraview_url()).query(&params);
        async move {
            request
                .send()
                .await
                .expect("an answer")
                .text()
                .await
                .expect("text")
        }
    };
    let answer = get(vec![
        ("statevar", "get_token".into()),
        ("user_id", user.into()),
        ("password", password.into()),
    ])
    .await;
    let token = answer
        .lines()
        .find_map(|l| l.strip_prefix("Token:"))
        .expect("a token line")
        .trim()
        .to_owned();
    let xml = get(vec![
        ("statevar", "search".into()),
        ("access_token", token),
        ("PRODUCT_NAME", product.into()),
        ("page_length", "10000".into()),
    ])
    .await;
    let ids: Vec<String> = xml
        .split("<ID TITLE=\"Bug #\">")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids.len(), xml.matches("<PROBLEM_RECORD>").count(), "{xml}");
    sandbox.shutdown().await.expect("stopped");
    ids
}

/// The ExtraView steps, against the sandbox's 30 seeded issues (IDs 12301 to 12330).
fn check_extraview(ev: &ExtraViewReport, gadgets: &[String], printed: &str) {
    let sign_in = &ev.sign_in;
    assert_eq!(sign_in.user_id, "SANDBOX_API");
    assert!(
        (3599..=3600).contains(&sign_in.lifetime.as_secs()),
        "the sandbox's 1 h: {sign_in:?}"
    );
    assert_eq!((sign_in.token_requests, sign_in.api_requests), (1, 0));

    let beat = &ev.heartbeat;
    assert_eq!(beat.status, "EXTRAVIEW ALIVE");
    assert_eq!(beat.db_status, "DB CONNECTION CONFIRMED");
    assert_eq!(beat.total_memory_mb, Some(512));
    assert_eq!(beat.tasks.len(), 2, "{beat:?}");
    assert!(
        beat.tasks.iter().all(|(_, state)| state == "STARTED"),
        "{beat:?}"
    );

    // The product's issues as the sandbox holds them, each once, in ID order, four a page.
    let search = &ev.search;
    assert_eq!(
        search.filter,
        ("PRODUCT_NAME".to_owned(), "GADGET".to_owned())
    );
    assert!(gadgets.len() > 4, "more than one page: {gadgets:?}");
    assert_eq!(search.ids, gadgets, "the seeded issues of the product");
    assert_eq!(search.count, gadgets.len());
    assert_eq!(search.page_length, 4);
    let mut pages = vec![4; gadgets.len() / 4];
    if !gadgets.len().is_multiple_of(4) {
        pages.push(gadgets.len() % 4);
    }
    pages.push(0);
    assert_eq!(search.per_page, pages);
    assert_eq!(search.requests, pages.len() as u64);
    assert_eq!(
        search.by_status.iter().map(|(_, n)| n).sum::<usize>(),
        search.count
    );

    let issue = &ev.issue;
    assert!(search.ids.contains(&issue.id.to_string()), "{issue:?}");
    assert_eq!(issue.id_title, "Bug #");
    for group in ["MODULE_RECORD", "RELEASE_RECORD", "TIME_ENTRY_RECORD"] {
        assert!(
            issue.groups.iter().any(|g| g == group),
            "{group}: {issue:?}"
        );
    }
    assert!(issue.time_entries >= 1 && issue.hours > 0.0, "{issue:?}");
    assert!(
        ["DISPLAY", "BATTERY"].contains(&issue.module.as_str()),
        "{issue:?}"
    );

    let insert = &ev.insert;
    assert_eq!(insert.id, 12_331, "the next id after the seeded ones");
    assert_eq!(insert.required, ["SHORT_DESCR", "DESCRIPTION", "PRIORITY"]);
    assert_eq!(
        (insert.module.as_str(), insert.module_key.as_str()),
        ("DISPLAY", "1403")
    );
    assert_eq!(insert.status, "NEW");
    assert_eq!(insert.title, "Tour: label printer jams");
    assert_eq!(insert.versions, 1);

    let update = &ev.update;
    assert_eq!(update.id, insert.id);
    assert_eq!(
        (update.status_before.as_str(), update.status.as_str()),
        ("NEW", "ASSIGNED")
    );
    assert_eq!(
        update.assigned_to, "Doe, Jane",
        "the install shows users as Last, First"
    );
    assert!(update.comment_added);

    let history = &ev.history;
    assert_eq!(history.id, insert.id);
    assert_eq!(history.versions_after_insert, 1);
    assert_eq!(
        history.statuses,
        ["NEW", "ASSIGNED"],
        "the update added a version"
    );

    let files = &ev.attachments;
    assert_eq!((files.before, files.after), (0, 1));
    assert_eq!(files.file_name, "tour-printer.log");
    assert_eq!(files.size, Some(48));
    assert_eq!(files.uploaded_by, "SANDBOX_API");
    assert_eq!(
        files.attachment_id, "1762003",
        "after the two seeded attachments"
    );
    assert!(files.same_bytes);

    let deleted = &ev.deleted;
    assert_eq!(deleted.id, insert.id);
    assert!(!deleted.found_after);
    assert_eq!(deleted.answer, "Bug # 12331 does not exist.");

    // One refused page, one more get_token, every issue once.
    let expiry = &ev.expiry;
    assert_eq!(expiry.page_length, 10);
    assert_eq!((expiry.count, expiry.unique), (30, 30));
    assert_eq!(expiry.expired, 1, "the tour's one live token");
    assert_eq!(
        (expiry.token_requests_before, expiry.token_requests_after),
        (1, 2)
    );
    assert_eq!(expiry.pages, 4, "three full pages and the empty one");
    assert_eq!(expiry.api_requests, expiry.pages + 1, "the refused page");

    // The sign-in and the one after the expiry. API calls: the heartbeat, the pages and the
    // one-request search, get, insert (layout, allowed list, insert, get, history), update
    // (update, get), history, attachments (list, upload, list, download), delete (delete,
    // get), the search across the expiry.
    assert_eq!(ev.token_requests, 2);
    assert_eq!(
        ev.api_requests,
        1 + search.requests + 1 + 1 + 5 + 2 + 1 + 4 + 2 + expiry.api_requests
    );

    for expected in [
        "SANDBOX_API signed in with get_token: a token for ".to_owned(),
        "EXTRAVIEW ALIVE, DB CONNECTION CONFIRMED (server time ".to_owned(),
        "tasks: EMAIL_NOTIFICATION started, INCOMING_EMAIL started".to_owned(),
        format!(
            "{} issues with PRODUCT_NAME=GADGET in {} requests of page_length 4 (",
            gadgets.len(),
            search.requests
        ),
        format!("Bug # {} \"", issue.id),
        "MODULE_RECORD > MODULE_NAME ".to_owned(),
        "Bug # 12331 added (the id read from the answer); the add layout requires SHORT_DESCR, \
         DESCRIPTION, PRIORITY; module DISPLAY by its key 1403 under GADGET; read back: NEW"
            .to_owned(),
        "12331 updated: NEW -> ASSIGNED, assigned to Doe, Jane (JDOE), a comment appended"
            .to_owned(),
        "2 versions of 12331 since ".to_owned(),
        "NEW, then ASSIGNED; it grew from 1 after the insert".to_owned(),
        "tour-printer.log (48 bytes) uploaded, listed as attachment 1762003 by SANDBOX_API, \
         downloaded: the same bytes"
            .to_owned(),
        "12331 deleted; get now answers \"Bug # 12331 does not exist.\"".to_owned(),
        "30 issues in pages of 10; every token expired through the admin API after page 1; \
         page 2 was refused (session expired), one get_token (token requests 1 -> 2)"
            .to_owned(),
        "  token requests  2 (the sign-in, and one after the tokens expired mid-search)".to_owned(),
    ] {
        assert!(printed.contains(&expected), "{expected:?} in\n{printed}");
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
        "step 1 of 28 (start the sandbox) failed: the tour needs at least one sensor, one \
         gateway and one device"
    );
    let printed = String::from_utf8(printed).expect("utf-8");
    assert!(printed.contains("start the sandbox    FAILED"), "{printed}");
}
