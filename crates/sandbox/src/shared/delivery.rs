//! Webhook deliveries: the HTTP POST, and the log of attempts the admin API shows.

use std::collections::VecDeque;
use std::error::Error as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

/// How long one delivery may take before it counts as failed.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many attempts the log keeps (the oldest go first).
const LOG_CAPACITY: usize = 1000;

/// One webhook delivery: where it went and what came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// Id of the subscription the message was for.
    pub subscription_id: String,
    /// Event type of the subscription (`sensor_reading`, `gateway_status`, `UNIT_CREATED`, ...).
    pub event_type: String,
    /// Where the message was posted.
    pub callback_url: String,
    /// What the message is about: a sensor's MAC address, a gateway's serial number, or the id
    /// of an EverReal record.
    pub subject: String,
    /// When it was sent, in unix seconds on the sandbox clock.
    pub at: i64,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why there is no status (connection refused, timeout, ...).
    pub error: Option<String>,
    /// How long the attempt took.
    pub duration_ms: u64,
}

impl DeliveryAttempt {
    /// Whether the receiver answered with a 2xx status.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The most recent delivery attempts of one vendor.
#[derive(Debug, Default)]
pub(crate) struct DeliveryLog {
    attempts: Mutex<VecDeque<DeliveryAttempt>>,
}

impl DeliveryLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<DeliveryAttempt>> {
        self.attempts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds attempts at the end, dropping the oldest beyond the capacity.
    pub(crate) fn record(&self, attempts: &[DeliveryAttempt]) {
        let mut log = self.lock();
        log.extend(attempts.iter().cloned());
        while log.len() > LOG_CAPACITY {
            log.pop_front();
        }
    }

    /// Every kept attempt, oldest first.
    pub(crate) fn list(&self) -> Vec<DeliveryAttempt> {
        self.lock().iter().cloned().collect()
    }

    /// Forgets every attempt.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}

/// Posts JSON messages to receivers: no redirects followed, a 5 s limit per message.
#[derive(Clone, Debug)]
pub(crate) struct Poster {
    client: reqwest::Client,
}

/// What one post produced: the receiver's status, or why there is none.
pub(crate) struct PostOutcome {
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) duration_ms: u64,
}

impl Poster {
    /// A poster announcing itself as `user_agent`.
    pub(crate) fn new(user_agent: &str) -> std::io::Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(DELIVERY_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Self { client })
    }

    /// POSTs `body` to `url` with the static `headers` of a subscription.
    pub(crate) async fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &Value,
    ) -> PostOutcome {
        let started = Instant::now();
        let mut request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let result = request.send().await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(response) => PostOutcome {
                status: Some(response.status().as_u16()),
                error: None,
                duration_ms,
            },
            Err(error) => PostOutcome {
                status: None,
                error: Some(describe(&error)),
                duration_ms,
            },
        }
    }
}

/// The error and its causes in one line, without the URL (the attempt names it already).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        "could not deliver".to_owned()
    };
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
