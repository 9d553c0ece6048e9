//! When and how long to wait before sending a request again.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

/// Retry settings of the request layer.
///
/// Only idempotent requests are retried: `GET`, `HEAD`, `OPTIONS`, `PUT`, `DELETE` and `TRACE`,
/// plus any request that carries an `Idempotency-Key` header. A `POST` or `PATCH` without one is
/// sent once, because the server may have acted on it even when the answer was lost; the
/// exception is a 429, a refusal before any work, after which any request may be sent again
/// (EverReal's GraphQL queries are `POST`s).
///
/// Retried: connection errors, timeouts and HTTP 408, 429, 502, 503 and 504. The delay grows
/// exponentially from [`RetryPolicy::initial_backoff`] with random jitter, capped at
/// [`RetryPolicy::max_backoff`]; a `Retry-After` header (seconds or HTTP date) is honored when it
/// asks for longer. No retry starts once [`RetryPolicy::max_elapsed`] would be exceeded.
///
/// ```
/// use std::time::Duration;
/// let policy = sdk_auth::RetryPolicy::default()
///     .max_attempts(3)
///     .initial_backoff(Duration::from_millis(100))
///     .max_elapsed(Duration::from_secs(10));
/// assert_eq!(policy.attempts(), 3);
/// let never = sdk_auth::RetryPolicy::none();
/// assert_eq!(never.attempts(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts in all, 200 ms doubling up to 5 s, at most 30 s spent waiting.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Total attempts including the first (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Delay before the first retry; each later retry doubles it.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// Upper bound of the exponential delay (a longer `Retry-After` still wins).
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// Upper bound of the time from the first attempt until a retry would start.
    pub fn max_elapsed(mut self, limit: Duration) -> Self {
        self.max_elapsed = limit;
        self
    }

    /// Total attempts including the first.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before attempt `attempt + 1`: the backoff, or longer when the server `asked`.
    pub(crate) fn delay(&self, attempt: u32, asked: Option<Duration>) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_backoff);
        // "Equal jitter": half fixed, half random, so retries from many clients spread out
        // without any of them retrying immediately.
        let half = exp / 2;
        let jittered = half + half.mul_f64(fastrand::f64());
        asked.map_or(jittered, |asked| asked.max(jittered))
    }

    /// Whether a retry after `wait` still fits the budget, `spent` being the time since the
    /// first attempt. Saturating: a server may ask for any wait.
    pub(crate) fn allows(&self, attempt: u32, spent: Duration, wait: Duration) -> bool {
        attempt < self.max_attempts && spent.saturating_add(wait) <= self.max_elapsed
    }
}

/// Whether a request with this method and headers may be sent twice.
pub(crate) fn is_idempotent(method: &Method, headers: &HeaderMap) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    ) || headers.contains_key("idempotency-key")
}

/// The statuses that mean "try again later".
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

/// Parses `Retry-After` as delay-seconds or an HTTP date. Any number of seconds is accepted;
/// the retry budget decides whether to wait that long.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(retry_after).expect("header"),
        );
        h
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(retry_after(&headers("7")), Some(Duration::from_secs(7)));
        let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(61));
        let parsed = retry_after(&headers(&in_a_minute)).expect("date");
        assert!(
            parsed > Duration::from_secs(55) && parsed <= Duration::from_secs(61),
            "{parsed:?}"
        );
        assert_eq!(
            retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(400));
        for _ in 0..50 {
            let d1 = p.delay(1, None);
            assert!(
                d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100),
                "{d1:?}"
            );
            let d3 = p.delay(3, None);
            assert!(
                d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400),
                "{d3:?}"
            );
            let d9 = p.delay(9, None);
            assert!(d9 <= Duration::from_millis(400), "{d9:?}");
        }
    }

    #[test]
    fn retry_after_wins_when_longer() {
        let p = RetryPolicy::default().initial_backoff(Duration::from_millis(10));
        assert_eq!(
            p.delay(1, retry_after(&headers("3"))),
            Duration::from_secs(3)
        );
        let huge = retry_after(&headers("18446744073709551615"));
        assert_eq!(p.delay(1, huge), Duration::from_secs(u64::MAX));
        assert!(!p.allows(1, Duration::from_secs(5), Duration::MAX));
    }

    #[test]
    fn only_idempotent_methods_or_keyed_requests() {
        let none = HeaderMap::new();
        assert!(is_idempotent(&Method::GET, &none));
        assert!(is_idempotent(&Method::PUT, &none));
        assert!(is_idempotent(&Method::DELETE, &none));
        assert!(!is_idempotent(&Method::POST, &none));
        assert!(!is_idempotent(&Method::PATCH, &none));
        let mut keyed = HeaderMap::new();
        keyed.insert("Idempotency-Key", HeaderValue::from_static("k-1"));
        assert!(is_idempotent(&Method::POST, &keyed));
    }

    #[test]
    fn retryable_statuses() {
        for s in [408, 429, 502, 503, 504] {
            assert!(
                is_retryable_status(StatusCode::from_u16(s).expect("status")),
                "{s}"
            );
        }
        for s in [200, 400, 401, 404, 500, 501] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(s).expect("status")),
                "{s}"
            );
        }
    }
}
