#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod output;
mod receiver;
mod scenario;

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use output::Progress;
pub use receiver::{Delivery, WebhookReceiver};
pub use scenario::run_tour;

/// What the tour runs against and how it shows progress.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TourOptions {
    /// Seed of the sandbox data (default [`sdk_sandbox::DEFAULT_SEED`]).
    pub seed: u64,
    /// Sensors in the sandbox fleet (default 12, at least 1). Fleets of five or more include
    /// one sensor that never reported.
    pub sensors: usize,
    /// Gateways in the sandbox fleet (default 3, at least 1).
    pub gateways: usize,
    /// How many of the sensors that report get a day of readings read (default 4, enough
    /// to see both sensor families and keep the tour short); `None` reads them all.
    pub readings_of: Option<usize>,
    /// How long steps show their progress (default [`Progress::Lines`]).
    pub progress: Progress,
}

impl Default for TourOptions {
    fn default() -> Self {
        Self {
            seed: sdk_sandbox::DEFAULT_SEED,
            sensors: 12,
            gateways: 3,
            readings_of: Some(4),
            progress: Progress::default(),
        }
    }
}

/// The steps of the tour, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// Start the sandbox and build the client from its URL and demo credentials.
    Start,
    /// `GET /ds/v1/health`, the first call: it fetches the token.
    Health,
    /// Every sensor, through the paginated stream.
    Sensors,
    /// The last 24 h of readings of some sensors that report, through the window stream.
    Readings,
    /// A webhook subscription, one delivery round to a local receiver, decoding, deletion.
    Webhooks,
    /// Every token expired by the sandbox; the next call gets a 401 and is resent.
    TokenExpiry,
    /// A burst of 429 answers with `Retry-After`; the call is retried until it succeeds.
    RateLimit,
}

impl Step {
    /// Every step, in the order the tour runs them.
    pub const ALL: [Step; 7] = [
        Step::Start,
        Step::Health,
        Step::Sensors,
        Step::Readings,
        Step::Webhooks,
        Step::TokenExpiry,
        Step::RateLimit,
    ];

    /// Position in the tour, from 1.
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    /// Short title, as printed.
    pub fn title(self) -> &'static str {
        match self {
            Step::Start => "start the sandbox",
            Step::Health => "health",
            Step::Sensors => "list sensors",
            Step::Readings => "readings, last 24 h",
            Step::Webhooks => "webhook delivery",
            Step::TokenExpiry => "token expiry",
            Step::RateLimit => "429 burst",
        }
    }
}

/// One finished step and how long it took.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StepTiming {
    /// The step.
    pub step: Step,
    /// Its wall-clock time.
    pub elapsed: Duration,
}

/// Everything the tour saw: the numbers printed in its report, for tests to check.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TourReport {
    /// Seed of the sandbox data.
    pub seed: u64,
    /// Each step with its time, in order.
    pub steps: Vec<StepTiming>,
    /// Wall-clock time of the whole tour.
    pub total: Duration,
    /// What `health` answered as its version.
    pub health_version: Option<String>,
    /// The sensors listed.
    pub sensors: SensorsReport,
    /// The readings read.
    pub readings: ReadingsReport,
    /// The webhook round trip.
    pub webhooks: WebhooksReport,
    /// The forced token expiry.
    pub token_expiry: TokenExpiryReport,
    /// The 429 burst.
    pub rate_limit: RateLimitReport,
    /// Token requests the sandbox counted over the whole tour.
    pub token_requests: u64,
    /// API requests the sandbox counted over the whole tour (retries and resends included).
    pub api_requests: u64,
}

/// Step 3: the sensor list.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SensorsReport {
    /// Every MAC address listed, in list order.
    pub macs: Vec<String>,
    /// MAC addresses of the sensors with a last reading.
    pub reporting: Vec<String>,
    /// Sensors per `type`, sorted by type.
    pub by_type: Vec<(String, usize)>,
    /// Requests the stream sent (pages).
    pub requests: u64,
}

/// Step 4: a day of readings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReadingsReport {
    /// Start of the range, inclusive.
    pub start: DateTime<Utc>,
    /// End of the range, inclusive.
    pub end: DateTime<Utc>,
    /// One entry per sensor read, in list order.
    pub sensors: Vec<SensorReadings>,
    /// Requests the streams sent (one per window).
    pub requests: u64,
}

impl ReadingsReport {
    /// Readings of every sensor together.
    pub fn total(&self) -> u64 {
        self.sensors.iter().map(|s| s.count).sum()
    }
}

/// The readings of one sensor.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SensorReadings {
    /// Its MAC address.
    pub mac: String,
    /// How many readings came.
    pub count: u64,
    /// Unix time of the oldest one.
    pub first: Option<i64>,
    /// Unix time of the newest one.
    pub last: Option<i64>,
}

/// Step 5: the webhook round trip.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct WebhooksReport {
    /// Id of the subscription created (and deleted).
    pub subscription_id: String,
    /// Delivery attempts the sandbox made in the round.
    pub attempted: usize,
    /// POSTs the local receiver got.
    pub received: usize,
    /// Of those, how many carried the shared secret.
    pub secret_matched: usize,
    /// MAC addresses of the deliveries that decoded as sensor readings, in arrival order.
    pub decoded_macs: Vec<String>,
    /// Delivery attempts of a round run after the subscription was deleted (0 expected).
    pub attempted_after_delete: usize,
}

/// Step 6: the forced token expiry.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenExpiryReport {
    /// Live tokens the sandbox expired.
    pub expired: usize,
    /// Token requests counted before the call.
    pub token_requests_before: u64,
    /// Token requests counted after it.
    pub token_requests_after: u64,
    /// API requests the call took (the 401 and the resend: 2).
    pub api_requests: u64,
}

/// Step 7: the 429 burst.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RateLimitReport {
    /// How many 429 answers the sandbox was told to give.
    pub forced: u32,
    /// The `Retry-After` they carried.
    pub retry_after: Duration,
    /// API requests the call took, the 429s included.
    pub attempts: u64,
    /// How long the call took, waits included.
    pub elapsed: Duration,
}

/// Why the tour stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TourError {
    step: Option<Step>,
    message: String,
}

impl TourError {
    pub(crate) fn at(step: Step, message: impl fmt::Display) -> Self {
        Self {
            step: Some(step),
            message: message.to_string(),
        }
    }

    pub(crate) fn shutdown(message: impl fmt::Display) -> Self {
        Self {
            step: None,
            message: message.to_string(),
        }
    }

    /// The step that failed; `None` when every step passed but the sandbox did not stop.
    pub fn step(&self) -> Option<Step> {
        self.step
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TourError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(step) => write!(
                f,
                "step {} of {} ({}) failed: {}",
                step.number(),
                Step::ALL.len(),
                step.title(),
                self.message
            ),
            None => write!(f, "the sandbox did not stop cleanly: {}", self.message),
        }
    }
}

impl std::error::Error for TourError {}
