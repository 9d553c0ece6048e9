//! What an answer means: retry (after a delay), the token was rejected, or nothing.
//!
//! The request layer asks a chain of small [`Classifier`]s about every outcome. Each one sees
//! the verdict of those before it and returns it unchanged or a new one, so a vendor appends
//! a rule without restating the defaults: EverReal reads `X-RateLimit-Reset` on a 429,
//! ExtraView recognizes an expired-token message inside a 200.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName};

/// What to do with an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Hand the outcome to the caller.
    Done,
    /// Send the request again if it is idempotent and the retry budget allows; after at least
    /// `after` when the server said how long to wait.
    Retry {
        /// The wait the server asked for.
        after: Option<Duration>,
    },
    /// The server rejected the token: fetch a new one, place it, resend once.
    TokenRejected,
}

/// One outcome of a send, as the classifiers see it.
#[derive(Debug)]
pub enum Outcome<'a> {
    /// An HTTP answer. `body` is there only when a classifier asked for it with
    /// [`Classifier::wants_body`]: the whole body, or the start of a long one.
    Response {
        /// The status.
        status: StatusCode,
        /// The headers.
        headers: &'a HeaderMap,
        /// The buffered body, when asked for.
        body: Option<&'a [u8]>,
    },
    /// No answer: the connection failed or timed out.
    Transport(&'a reqwest::Error),
}

/// One rule of the chain.
pub trait Classifier: Send + Sync + fmt::Debug {
    /// Whether this rule needs the body of an answer with this status and these headers. The
    /// layer then reads its start (about [`MAX_CLASSIFIED_BODY`] bytes) before asking; the
    /// caller still gets the whole body. Keep it narrow: a read body waits in memory.
    fn wants_body(&self, status: StatusCode, headers: &HeaderMap) -> bool {
        let _ = (status, headers);
        false
    }

    /// The verdict after this rule, given the verdict of the rules before it.
    fn classify(&self, outcome: &Outcome<'_>, verdict: Verdict) -> Verdict;
}

/// About how much of a body a classifier is given: the start of a longer body (up to the end
/// of the chunk that reaches this size). The caller always gets the whole body.
pub const MAX_CLASSIFIED_BODY: usize = 64 * 1024;

/// The default rules on statuses: 401 rejects the token; connection errors, timeouts and
/// HTTP 408, 429, 502, 503 and 504 are worth a retry.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusRules;

impl Classifier for StatusRules {
    fn classify(&self, outcome: &Outcome<'_>, verdict: Verdict) -> Verdict {
        match outcome {
            Outcome::Response { status, .. } if *status == StatusCode::UNAUTHORIZED => {
                Verdict::TokenRejected
            }
            Outcome::Response { status, .. } if crate::retry::is_retryable_status(*status) => {
                Verdict::Retry { after: None }
            }
            Outcome::Transport(err) if err.is_connect() || err.is_timeout() => {
                Verdict::Retry { after: None }
            }
            _ => verdict,
        }
    }
}

/// Honors `Retry-After` (seconds or an HTTP date) on an answer already marked for a retry.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryAfter;

impl Classifier for RetryAfter {
    fn classify(&self, outcome: &Outcome<'_>, verdict: Verdict) -> Verdict {
        match (outcome, verdict) {
            (Outcome::Response { headers, .. }, Verdict::Retry { after }) => Verdict::Retry {
                after: crate::retry::retry_after(headers).or(after),
            },
            _ => verdict,
        }
    }
}

/// Reads the wait of a rate-limited answer from a vendor's header of delta-seconds, such as
/// EverReal's `X-RateLimit-Reset: 17` on a 429.
///
/// It acts on a 429 that the rules before it marked for a retry, so add it after the default
/// chain; other answers carry the header too (EverReal sends it on every answer) and are left
/// alone. The wait goes to the layer as [`Verdict::Retry`]'s `after` (the longer of it and a
/// `Retry-After`), and the [`crate::RetryPolicy`] then waits at least that long before the
/// retry, or returns the 429 at once when the wait does not fit its time budget: a huge value
/// never makes a call sleep beyond [`crate::RetryPolicy::max_elapsed`]. With
/// [`RateLimitReset::max_wait`], a longer wait is cut to that cap and retried after it.
///
/// A value that is not a non-negative number of seconds (`1`, `2.5`) is ignored, and the
/// policy's backoff applies; a number too large to represent counts as huge, not as garbage.
///
/// ```
/// use std::time::Duration;
/// use sdk_auth::{Auth, RateLimitReset, StaticToken};
/// let auth = Auth::new(StaticToken::new("t0ken")?)
///     .with_classifier(RateLimitReset::header("X-RateLimit-Reset").max_wait(Duration::from_secs(60)));
/// # Ok::<(), sdk_auth::AuthError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RateLimitReset {
    /// `None` for a name that is not a valid header name: it never matches.
    name: Option<HeaderName>,
    max_wait: Option<Duration>,
}

impl RateLimitReset {
    /// Reads the header `name`, matched without regard to case. A name that is not a valid
    /// header name never matches.
    pub fn header(name: &str) -> Self {
        Self {
            name: HeaderName::from_bytes(name.as_bytes()).ok(),
            max_wait: None,
        }
    }

    /// Cuts a longer wait to `cap` (default: no cap; the retry policy's budget decides).
    #[must_use]
    pub fn max_wait(mut self, cap: Duration) -> Self {
        self.max_wait = Some(cap);
        self
    }

    /// The wait this rule asks for on an answer with these headers, capped; `None` when the
    /// header is missing or unreadable.
    fn wait(&self, headers: &HeaderMap) -> Option<Duration> {
        let value = headers.get(self.name.as_ref()?)?.to_str().ok()?;
        let wait = delta_seconds(value)?;
        Some(self.max_wait.map_or(wait, |cap| wait.min(cap)))
    }
}

impl Classifier for RateLimitReset {
    fn classify(&self, outcome: &Outcome<'_>, verdict: Verdict) -> Verdict {
        match (outcome, verdict) {
            (
                Outcome::Response {
                    status, headers, ..
                },
                Verdict::Retry { after },
            ) if *status == StatusCode::TOO_MANY_REQUESTS => match self.wait(headers) {
                Some(wait) => Verdict::Retry {
                    after: Some(after.map_or(wait, |asked| asked.max(wait))),
                },
                None => verdict,
            },
            _ => verdict,
        }
    }
}

/// `digits` or `digits.digits` as a duration; digits beyond what a `u64` holds saturate,
/// because a server that asks for an absurd wait means "long", not "now".
fn delta_seconds(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return None;
    }
    let Ok(seconds) = whole.parse::<u64>() else {
        return Some(Duration::MAX);
    };
    let nanos = fraction.map_or(0, |f| {
        f.bytes()
            .chain(std::iter::repeat(b'0'))
            .take(9)
            .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
    });
    Some(Duration::new(seconds, nanos))
}

/// The chain every client starts with: [`StatusRules`], then [`RetryAfter`].
pub fn default_classifiers() -> Vec<std::sync::Arc<dyn Classifier>> {
    vec![
        std::sync::Arc::new(StatusRules),
        std::sync::Arc::new(RetryAfter),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    fn run(status: u16, headers: &HeaderMap) -> Verdict {
        let outcome = Outcome::Response {
            status: StatusCode::from_u16(status).expect("status"),
            headers,
            body: None,
        };
        default_classifiers()
            .iter()
            .fold(Verdict::Done, |v, c| c.classify(&outcome, v))
    }

    #[test]
    fn the_default_chain() {
        let none = HeaderMap::new();
        assert_eq!(run(200, &none), Verdict::Done);
        assert_eq!(run(401, &none), Verdict::TokenRejected);
        assert_eq!(run(500, &none), Verdict::Done);
        for s in [408, 429, 502, 503, 504] {
            assert_eq!(run(s, &none), Verdict::Retry { after: None }, "{s}");
        }
        let mut asked = HeaderMap::new();
        asked.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(
            run(429, &asked),
            Verdict::Retry {
                after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(run(200, &asked), Verdict::Done);
    }

    fn reset(rule: &RateLimitReset, status: u16, value: &str, verdict: Verdict) -> Verdict {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_str(value).expect("value"),
        );
        let outcome = Outcome::Response {
            status: StatusCode::from_u16(status).expect("status"),
            headers: &headers,
            body: None,
        };
        rule.classify(&outcome, verdict)
    }

    #[test]
    fn rate_limit_reset_reads_delta_seconds_on_a_429_only() {
        let rule = RateLimitReset::header("X-RateLimit-Reset");
        let retry = Verdict::Retry { after: None };
        let after = |secs: f64| Verdict::Retry {
            after: Some(Duration::from_secs_f64(secs)),
        };
        assert_eq!(reset(&rule, 429, "17", retry), after(17.0));
        assert_eq!(reset(&rule, 429, " 2.5 ", retry), after(2.5));
        assert_eq!(reset(&rule, 429, "0", retry), after(0.0));
        // EverReal sends the header on every answer: only a 429 marked for a retry is read.
        assert_eq!(reset(&rule, 200, "17", Verdict::Done), Verdict::Done);
        assert_eq!(reset(&rule, 503, "17", retry), retry);
        assert_eq!(reset(&rule, 429, "17", Verdict::Done), Verdict::Done);
        // A longer `Retry-After` is kept.
        assert_eq!(reset(&rule, 429, "1", after(5.0)), after(5.0));
        assert_eq!(reset(&rule, 429, "9", after(5.0)), after(9.0));
        for garbage in [
            "", "soon", "-1", "1e3", "1.", ".5", "0x10", "NaN", "inf", "1 2",
        ] {
            assert_eq!(reset(&rule, 429, garbage, retry), retry, "{garbage:?}");
        }
        let huge = "99999999999999999999999999";
        assert_eq!(
            reset(&rule, 429, huge, retry),
            Verdict::Retry {
                after: Some(Duration::MAX)
            }
        );
        let capped = rule.max_wait(Duration::from_secs(60));
        assert_eq!(reset(&capped, 429, huge, retry), after(60.0));
        assert_eq!(reset(&capped, 429, "3600", retry), after(60.0));
        assert_eq!(reset(&capped, 429, "7", retry), after(7.0));
    }
}
