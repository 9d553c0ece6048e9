//! Request counters of one vendor.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// A snapshot of one vendor's counters since start (or since the last reset).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// Requests that reached the token endpoint, refused and failed ones included.
    pub token_requests: u64,
    /// Tokens actually issued.
    pub tokens_issued: u64,
    /// Requests that reached the API (everything but the token endpoint), whatever the answer.
    pub api_requests: u64,
    /// Requests that reached a refresh-token endpoint (vendors with refresh tokens only).
    pub refresh_requests: u64,
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) token_requests: AtomicU64,
    pub(crate) tokens_issued: AtomicU64,
    pub(crate) api_requests: AtomicU64,
    pub(crate) refresh_requests: AtomicU64,
}

impl Counters {
    /// Adds one to `counter`.
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The current values.
    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            token_requests: self.token_requests.load(Ordering::Relaxed),
            tokens_issued: self.tokens_issued.load(Ordering::Relaxed),
            api_requests: self.api_requests.load(Ordering::Relaxed),
            refresh_requests: self.refresh_requests.load(Ordering::Relaxed),
        }
    }

    /// Back to zero.
    pub(crate) fn reset(&self) {
        for counter in [
            &self.token_requests,
            &self.tokens_issued,
            &self.api_requests,
            &self.refresh_requests,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }
}
