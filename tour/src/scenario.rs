//! The scenario: each step as a user of the SDK would write it, checked and timed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use everactive_sdk::types::WebhookCreate;
use everactive_sdk::webhooks::{self, WebhookPayload};
use everactive_sdk::{Client, EversensorFilter, WebhookEventType, WebhookHeader};
use futures::{StreamExt as _, TryStreamExt as _};
use sdk_sandbox::{ForcedFailure, RunningSandbox, Sandbox};

use crate::output::{Output, duration, thousands};
use crate::{
    RateLimitReport, ReadingsReport, SensorReadings, SensorsReport, Step, StepTiming,
    TokenExpiryReport, TourError, TourOptions, TourReport, WebhookReceiver, WebhooksReport,
};
use crate::{everreal, extraview, iotconnect};

/// The header that carries the webhook shared secret, as in Everactive's samples.
const SECRET_HEADER: &str = "x-api-key";
/// The shared secret of the tour's subscription.
const WEBHOOK_SECRET: &str = "tour-shared-secret-7c1d9e04b2f6";
/// Where the receiver takes sensor readings.
const READINGS_PATH: &str = "/everactive/readings";
/// Longest wait for the webhook round and its POSTs.
const DELIVERY_LIMIT: Duration = Duration::from_secs(10);
/// 429 answers in the burst, and the `Retry-After` they carry.
const BURST: u32 = 3;
const BURST_RETRY_AFTER_SECS: u64 = 1;
/// Readings are taken once a minute.
const READING_INTERVAL: i64 = 60;

/// Runs the tour: starts the sandbox in-process on free loopback ports, drives the Everactive,
/// IoTConnect, EverReal and ExtraView SDKs through every [`Step`], writes a line per step and a
/// short report to `out`, and stops the sandbox.
///
/// # Errors
/// The first step that fails, with what went wrong; the sandbox is stopped then too.
pub async fn run_tour(
    options: &TourOptions,
    out: &mut impl Write,
) -> Result<TourReport, TourError> {
    let started = Instant::now();
    let mut out = Output::new(out, options.progress);
    out.line(&format!(
        "Everactive, IoTConnect, EverReal and ExtraView SDK tour against the in-process \
         sandbox (seed {}, {} sensors, {} gateways, {} devices, {} issues)\n",
        options.seed,
        options.sensors,
        options.gateways,
        options.devices,
        extraview::ISSUES
    ));
    let mut tour = Tour {
        out,
        steps: Vec::new(),
    };

    let (sandbox, client) = tour
        .step(Step::Start, async {
            let (sandbox, client) = start(options).await?;
            let note = format!(
                "Everactive at {}, IoTConnect at {}, EverReal at {}, ExtraView at {}",
                sandbox.everactive_url(),
                sandbox.iotconnect_url(),
                sandbox.everreal_url(),
                sandbox.extraview_url()
            );
            Ok(((sandbox, client), note))
        })
        .await?;
    let stats = || sandbox.everactive().stats();

    let health_version = tour
        .step(Step::Health, async {
            let health = client.get_health().send().await.map_err(describe)?;
            if !health.ok {
                return Err("the API says it is not healthy".into());
            }
            let version = health.version.clone();
            let note = format!(
                "ok, version {} (the first call: {} token request)",
                version.as_deref().unwrap_or("unknown"),
                stats().token_requests
            );
            Ok((version, note))
        })
        .await?;

    let sensors = tour
        .step(Step::Sensors, list_sensors(&client, &sandbox, options))
        .await?;

    // Step 4, with a progress line: it is the long one.
    let readings = tour
        .step_with_output(Step::Readings, async |out| {
            read_a_day(&client, &sandbox, &sensors, options, out).await
        })
        .await?;

    let webhooks = tour
        .step(
            Step::Webhooks,
            webhook_round_trip(&client, &sandbox, &sensors),
        )
        .await?;

    let token_expiry = tour
        .step(Step::TokenExpiry, token_expiry(&client, &sandbox, &sensors))
        .await?;

    // Step 7, with a progress line while the call waits.
    let rate_limit = tour
        .step_with_output(Step::RateLimit, async |out| {
            burst_of_429s(&client, &sandbox, out).await
        })
        .await?;

    let iotconnect = iotconnect::run(&mut tour, &sandbox, options).await?;

    let everreal = everreal::run(&mut tour, &sandbox).await?;

    let extraview = extraview::run(&mut tour, &sandbox).await?;

    let end = stats();
    drop(client);
    sandbox.shutdown().await.map_err(TourError::shutdown)?;
    let report = TourReport {
        seed: options.seed,
        steps: tour.steps,
        total: started.elapsed(),
        health_version,
        sensors,
        readings,
        webhooks,
        token_expiry,
        rate_limit,
        token_requests: end.token_requests,
        api_requests: end.api_requests,
        iotconnect,
        everreal,
        extraview,
    };
    summary(&mut tour.out, &report);
    Ok(report)
}

/// The running tour: its output and the steps done so far.
pub(crate) struct Tour<'a, W: Write> {
    pub(crate) out: Output<'a, W>,
    steps: Vec<StepTiming>,
}

impl<'a, W: Write> Tour<'a, W> {
    /// Runs one step: `work` gives the step's value and the note printed after its title.
    pub(crate) async fn step<T>(
        &mut self,
        step: Step,
        work: impl Future<Output = Result<(T, String), String>>,
    ) -> Result<T, TourError> {
        self.out.step_started();
        let started = Instant::now();
        let result = work.await;
        self.finish(step, started, result)
    }

    /// Runs one step that writes a progress line while it works: `work` gets the output.
    pub(crate) async fn step_with_output<T>(
        &mut self,
        step: Step,
        work: impl AsyncFnOnce(&mut Output<'a, W>) -> Result<(T, String), String>,
    ) -> Result<T, TourError> {
        self.out.step_started();
        let started = Instant::now();
        let result = work(&mut self.out).await;
        self.finish(step, started, result)
    }

    fn finish<T>(
        &mut self,
        step: Step,
        started: Instant,
        result: Result<(T, String), String>,
    ) -> Result<T, TourError> {
        let elapsed = started.elapsed();
        match result {
            Ok((value, note)) => {
                self.out.line(&step_line(step, "ok", elapsed, &note));
                self.steps.push(StepTiming { step, elapsed });
                Ok(value)
            }
            Err(message) => {
                self.out.line(&step_line(step, "FAILED", elapsed, &message));
                Err(TourError::at(step, message))
            }
        }
    }
}

/// Step 1: the sandbox on free ports with a fixed seed, and the client a user would build.
async fn start(options: &TourOptions) -> Result<(RunningSandbox, Client), String> {
    if options.sensors == 0 || options.gateways == 0 || options.devices == 0 {
        return Err("the tour needs at least one sensor, one gateway and one device".into());
    }
    let sandbox = Sandbox::builder()
        .seed(options.seed)
        .everactive_fleet(options.sensors, options.gateways)
        .iotconnect_devices(options.devices)
        // Deliveries only when the tour asks, so that the receivers see one round.
        .everactive_delivery_interval(None)
        .everreal_delivery_interval(None)
        .extraview_issues(extraview::ISSUES)
        .start()
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let (client_id, client_secret) = sandbox.everactive_credentials();
    let client = Client::builder()
        .credentials(client_id, client_secret)
        .base_url(sandbox.everactive_url())
        .webhook_secret(WEBHOOK_SECRET)
        .build()
        .map_err(describe)?;
    Ok((sandbox, client))
}

/// Step 3: every sensor through the paginated stream.
async fn list_sensors(
    client: &Client,
    sandbox: &RunningSandbox,
    options: &TourOptions,
) -> Result<(SensorsReport, String), String> {
    let before = sandbox.everactive().stats().api_requests;
    let sensors: Vec<_> = client
        .eversensors(EversensorFilter::default())
        .try_collect()
        .await
        .map_err(describe)?;
    let requests = sandbox.everactive().stats().api_requests - before;
    if sensors.len() != options.sensors {
        return Err(format!(
            "listed {} sensors, the sandbox has {}",
            sensors.len(),
            options.sensors
        ));
    }
    let mut by_type = BTreeMap::<String, usize>::new();
    for sensor in &sensors {
        let kind = sensor.type_.clone().unwrap_or_else(|| "unknown".into());
        *by_type.entry(kind).or_default() += 1;
    }
    let report = SensorsReport {
        macs: sensors.iter().map(|s| s.mac_address.clone()).collect(),
        reporting: sensors
            .iter()
            .filter(|s| s.last_reading.is_some())
            .map(|s| s.mac_address.clone())
            .collect(),
        by_type: by_type.into_iter().collect(),
        requests,
    };
    if report.reporting.is_empty() {
        return Err("no sensor has reported yet".into());
    }
    let types: Vec<String> = report
        .by_type
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    let note = format!(
        "{} sensors in {} {} ({}), {} reporting",
        report.macs.len(),
        requests,
        plural(requests, "page", "pages"),
        types.join(", "),
        report.reporting.len()
    );
    Ok((report, note))
}

/// Step 4: the last 24 h of readings of each reporting sensor, window by window.
async fn read_a_day<W: Write>(
    client: &Client,
    sandbox: &RunningSandbox,
    sensors: &SensorsReport,
    options: &TourOptions,
    out: &mut Output<'_, W>,
) -> Result<(ReadingsReport, String), String> {
    let macs: Vec<&String> = sensors
        .reporting
        .iter()
        .take(options.readings_of.unwrap_or(usize::MAX))
        .collect();
    let now = Utc::now();
    let end = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let start = end - TimeDelta::hours(24);
    let before = sandbox.everactive().stats().api_requests;
    let mut read = Vec::with_capacity(macs.len());
    let mut total: u64 = 0;
    for (done, mac) in macs.iter().enumerate() {
        let mut stream = std::pin::pin!(client.readings(mac, start, end));
        let mut sensor = SensorReadings {
            mac: (*mac).clone(),
            count: 0,
            first: None,
            last: None,
        };
        while let Some(reading) = stream.next().await {
            let reading = reading.map_err(|e| format!("readings of {mac}: {}", describe(e)))?;
            let t = reading.timestamp;
            if let Some(last) = sensor.last
                && t - last != READING_INTERVAL
            {
                return Err(format!(
                    "readings of {mac}: {last} is followed by {t}, not by the next minute \
                     (a gap or a duplicate at a window edge?)"
                ));
            }
            if reading.mac_address != **mac {
                return Err(format!(
                    "readings of {mac}: one is of {}",
                    reading.mac_address
                ));
            }
            sensor.first.get_or_insert(t);
            sensor.last = Some(t);
            sensor.count += 1;
            total += 1;
            out.progress(|| {
                format!(
                    "     readings: {done}/{} sensors done, {} readings so far",
                    macs.len(),
                    thousands(total)
                )
            });
        }
        read.push(sensor);
    }
    let report = ReadingsReport {
        start,
        end,
        sensors: read,
        requests: sandbox.everactive().stats().api_requests - before,
    };
    let note = format!(
        "{} readings of {} {} in {} window requests, none missing or repeated",
        thousands(report.total()),
        report.sensors.len(),
        plural(report.sensors.len() as u64, "sensor", "sensors"),
        report.requests
    );
    Ok((report, note))
}

/// Step 5: subscribe a local receiver, have the sandbox deliver, check and decode, unsubscribe.
async fn webhook_round_trip(
    client: &Client,
    sandbox: &RunningSandbox,
    sensors: &SensorsReport,
) -> Result<(WebhooksReport, String), String> {
    let mut receiver = WebhookReceiver::start(SECRET_HEADER, WEBHOOK_SECRET)
        .await
        .map_err(|e| format!("cannot start the local receiver: {e}"))?;
    let created = client
        .create_webhook()
        .body(WebhookCreate {
            callback_url: receiver.url(READINGS_PATH),
            event_type: WebhookEventType::SensorReading,
            enabled: true,
            headers: vec![WebhookHeader::new(SECRET_HEADER, WEBHOOK_SECRET)],
        })
        .send()
        .await
        .map_err(describe)?
        .into_inner()
        .data;
    let attempts = tokio::time::timeout(DELIVERY_LIMIT, sandbox.deliver_everactive_webhooks())
        .await
        .map_err(|_| "the delivery round did not end within 10 s".to_owned())?;
    let deliveries = receiver.take(attempts.len(), DELIVERY_LIMIT).await;
    // What the receiver got first: a missing secret explains a failed attempt (a 401).
    let mut decoded_macs = Vec::with_capacity(deliveries.len());
    let mut secret_matched = 0;
    for delivery in &deliveries {
        if !delivery.secret_matched {
            return Err(format!(
                "a delivery to {} came without the shared secret",
                delivery.path
            ));
        }
        secret_matched += 1;
        match webhooks::parse(&delivery.body) {
            Ok(WebhookPayload::SensorReading(reading)) => decoded_macs.push(reading.mac_address),
            Ok(other) => return Err(format!("a delivery did not decode as a reading: {other:?}")),
            Err(e) => return Err(format!("a delivery is not JSON: {e}")),
        }
    }
    if let Some(failed) = attempts.iter().find(|a| !a.succeeded()) {
        return Err(format!(
            "a delivery to {} failed: status {:?}, {}",
            failed.callback_url,
            failed.status,
            failed.error.as_deref().unwrap_or("no error")
        ));
    }
    if deliveries.len() != attempts.len() {
        return Err(format!(
            "the sandbox made {} deliveries, the receiver got {} within {}",
            attempts.len(),
            deliveries.len(),
            duration(DELIVERY_LIMIT)
        ));
    }
    let expected: BTreeSet<&String> = sensors.reporting.iter().collect();
    let got: BTreeSet<&String> = decoded_macs.iter().collect();
    if got != expected || decoded_macs.len() != expected.len() {
        return Err(format!(
            "expected the newest reading of each of the {} reporting sensors once, got readings \
             of {:?}",
            expected.len(),
            decoded_macs
        ));
    }
    client
        .delete_webhook()
        .webhook_id(&created.id)
        .send()
        .await
        .map_err(describe)?;
    let attempted_after_delete = sandbox.deliver_everactive_webhooks().await.len();
    if attempted_after_delete != 0 {
        return Err(format!(
            "{attempted_after_delete} deliveries after the subscription was deleted"
        ));
    }
    let _ = receiver.shutdown().await;
    let report = WebhooksReport {
        subscription_id: created.id,
        attempted: attempts.len(),
        received: deliveries.len(),
        secret_matched,
        decoded_macs,
        attempted_after_delete,
    };
    let note = format!(
        "{} POSTs with the {SECRET_HEADER} secret, {} decoded as readings; unsubscribed",
        report.secret_matched,
        report.decoded_macs.len()
    );
    Ok((report, note))
}

/// Step 6: the sandbox expires every token; the next call gets a 401 and must go through on a
/// new token, resent once by the SDK.
async fn token_expiry(
    client: &Client,
    sandbox: &RunningSandbox,
    sensors: &SensorsReport,
) -> Result<(TokenExpiryReport, String), String> {
    let controls = sandbox.everactive();
    let before = controls.stats();
    let expired = controls.expire_tokens();
    let reading = client
        .get_eversensor_last_reading()
        .mac_address(&sensors.reporting[0])
        .send()
        .await
        .map_err(describe)?
        .into_inner()
        .data;
    let after = controls.stats();
    let report = TokenExpiryReport {
        expired,
        token_requests_before: before.token_requests,
        token_requests_after: after.token_requests,
        api_requests: after.api_requests - before.api_requests,
    };
    if expired == 0
        || report.token_requests_after != report.token_requests_before + 1
        || report.api_requests != 2
    {
        return Err(format!(
            "expected a 401, one token request and one resend; the sandbox expired {expired} \
             tokens and counted {} token and {} API requests",
            report.token_requests_after - report.token_requests_before,
            report.api_requests
        ));
    }
    let note = format!(
        "401, new token, resent (last reading {}): token requests {} -> {}",
        time_of_day(reading.timestamp),
        report.token_requests_before,
        report.token_requests_after
    );
    Ok((report, note))
}

/// Step 7: three 429 answers with `Retry-After: 1`, then the call goes through.
async fn burst_of_429s<W: Write>(
    client: &Client,
    sandbox: &RunningSandbox,
    out: &mut Output<'_, W>,
) -> Result<(RateLimitReport, String), String> {
    let controls = sandbox.everactive();
    let mut faults = controls.faults();
    faults.fail_api = Some(ForcedFailure::new(429, BURST).retry_after(BURST_RETRY_AFTER_SECS));
    controls
        .set_faults(faults)
        .map_err(|e| format!("the sandbox refused the knobs: {e}"))?;
    let before = controls.stats().api_requests;
    let started = Instant::now();
    let mut call = std::pin::pin!(client.get_health().send());
    let result = loop {
        tokio::select! {
            result = &mut call => break result,
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                let attempts = controls.stats().api_requests - before;
                out.progress(|| format!(
                    "     429 burst: {attempts} {} answered, waiting as Retry-After asks",
                    plural(attempts, "attempt", "attempts")
                ));
            }
        }
    };
    let elapsed = started.elapsed();
    controls.reset_faults();
    result.map_err(describe)?;
    let report = RateLimitReport {
        forced: BURST,
        retry_after: Duration::from_secs(BURST_RETRY_AFTER_SECS),
        attempts: controls.stats().api_requests - before,
        elapsed,
    };
    if report.attempts != u64::from(BURST) + 1 {
        return Err(format!(
            "expected {} attempts, the sandbox counted {}",
            BURST + 1,
            report.attempts
        ));
    }
    let note = format!(
        "{BURST} x 429 with Retry-After: {BURST_RETRY_AFTER_SECS} s, succeeded on attempt {} \
         after {}",
        report.attempts,
        duration(elapsed)
    );
    Ok((report, note))
}

/// The closing report.
fn summary<W: Write>(out: &mut Output<'_, W>, report: &TourReport) {
    let retries = report.rate_limit.attempts.saturating_sub(1);
    let iotc = &report.iotconnect;
    let er = &report.everreal;
    let ev = &report.extraview;
    let lines = [
        String::new(),
        format!(
            "All {} steps passed in {}.",
            report.steps.len(),
            duration(report.total)
        ),
        "Everactive".to_owned(),
        format!(
            "  sensors         {} listed, {} reporting",
            report.sensors.macs.len(),
            report.sensors.reporting.len()
        ),
        format!(
            "  readings        {} over 24 h from {} of {} reporting sensors, {} requests",
            thousands(report.readings.total()),
            report.readings.sensors.len(),
            report.sensors.reporting.len(),
            report.readings.requests
        ),
        format!(
            "  deliveries      {} received, {} with the shared secret, {} decoded",
            report.webhooks.received,
            report.webhooks.secret_matched,
            report.webhooks.decoded_macs.len()
        ),
        format!(
            "  token requests  {} ({} at first use, {} after the forced expiry)",
            report.token_requests,
            report.token_expiry.token_requests_before,
            report
                .token_requests
                .saturating_sub(report.token_expiry.token_requests_before)
        ),
        format!(
            "  retries         {retries} after 429 (waited {} as Retry-After asked)",
            duration(report.rate_limit.elapsed)
        ),
        format!(
            "  API requests    {} in all, retries and resends included",
            report.api_requests
        ),
        "IoTConnect".to_owned(),
        format!(
            "  devices         {} listed in {} pages of {}, {} reporting",
            iotc.devices.devices.len(),
            iotc.devices.requests,
            iotc.devices.page_size,
            iotc.devices.reporting().count()
        ),
        format!(
            "  new device      {} from template {}: created, read back, deleted",
            iotc.created.unique_id, iotc.created.template_code
        ),
        format!(
            "  telemetry       {} latest values of {}",
            iotc.telemetry.values.len(),
            iotc.telemetry.unique_id
        ),
        format!(
            "  token requests  {} (the basic token and the login, once for every call)",
            iotc.token_requests
        ),
        format!("  API requests    {} in all", iotc.api_requests),
        "EverReal".to_owned(),
        format!(
            "  signed in       {} at {}, by password and by authorization code",
            er.sign_in.email, er.sign_in.company
        ),
        format!(
            "  units           {} listed in {} GraphQL pages of {}, {} leased",
            er.units.count, er.units.requests, er.units.page_size, er.units.leased
        ),
        format!(
            "  listings        {} active of {}",
            er.listings.active, er.listings.all
        ),
        format!(
            "  master data     owner, property and unit upserted as {}; the unit read back, \
             then renamed",
            er.upsert.source
        ),
        format!(
            "  deliveries      {} received, {} decoded as {}",
            er.webhooks.received,
            er.webhooks.decoded.len(),
            er.webhooks.event_type
        ),
        format!(
            "  token requests  {} (the password grant and the code exchange)",
            er.token_requests
        ),
        format!("  API requests    {} in all", er.api_requests),
        "ExtraView".to_owned(),
        format!(
            "  signed in       {} with get_token, a token for {} s",
            ev.sign_in.user_id,
            ev.sign_in.lifetime.as_secs()
        ),
        format!(
            "  search          {} issues with {}={} in {} requests of {}; all {} in pages of {} \
             across an expired token",
            ev.search.count,
            ev.search.filter.0,
            ev.search.filter.1,
            ev.search.requests,
            ev.search.page_length,
            ev.expiry.count,
            ev.expiry.page_length
        ),
        format!(
            "  new issue       {}: inserted, updated, {} history versions, an attachment round \
             trip, deleted",
            ev.insert.id,
            ev.history.statuses.len()
        ),
        format!(
            "  token requests  {} (the sign-in, and one after the tokens expired mid-search)",
            ev.token_requests
        ),
        format!(
            "  API requests    {} in all, the refused page included",
            ev.api_requests
        ),
    ];
    for line in lines {
        out.line(&line);
    }
}

fn step_line(step: Step, status: &str, elapsed: Duration, note: &str) -> String {
    format!(
        "{:>3}  {:<20} {status} {:>6}  {note}",
        step.number(),
        step.title(),
        duration(elapsed)
    )
}

/// An SDK error as the tour prints it (its `Display` never shows a secret); both SDKs share
/// this error type.
pub(crate) fn describe(error: everactive_sdk::Error) -> String {
    error.to_string()
}

pub(crate) fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

pub(crate) fn time_of_day(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%H:%M:%S UTC").to_string())
        .unwrap_or_else(|| unix.to_string())
}
