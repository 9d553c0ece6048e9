//! What an answer means: retry (after a delay), the token was rejected, or nothing.
//!
//! The request layer asks a chain of small [`Classifier`]s about every outcome. Each one sees
//! the verdict of those before it and returns it unchanged or a new one, so a vendor appends
//! a rule without restating the defaults: EverReal reads `X-RateLimit-Reset` on a 429,
//! ExtraView recognizes an expired-token message inside a 200.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

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
}
