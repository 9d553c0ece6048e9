//! A fixed-window request budget on the sandbox clock, for vendors that limit requests per
//! minute and say so in their answers.

use std::sync::Mutex;
use std::time::Duration;

use super::clock::Clock;

/// Where a request stands against the budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateDecision {
    /// Whether the request fits in the budget.
    pub(crate) allowed: bool,
    /// Requests allowed per window.
    pub(crate) limit: u32,
    /// Requests still allowed in this window, after this one.
    pub(crate) remaining: u32,
    /// Whole seconds until the window ends (rounded up).
    pub(crate) reset_secs: u64,
}

#[derive(Debug)]
struct Window {
    limit: u32,
    started_ms: i64,
    used: u32,
}

/// A budget of `limit` requests per window. A window opens with the first request after the
/// previous one closed, and advancing the sandbox clock past it opens a new one.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    clock: Clock,
    window_ms: i64,
    inner: Mutex<Window>,
}

impl RateLimiter {
    /// `limit` requests per `window`, on `clock`.
    pub(crate) fn new(clock: Clock, limit: u32, window: Duration) -> Self {
        Self {
            clock,
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1),
            inner: Mutex::new(Window {
                limit,
                started_ms: i64::MIN,
                used: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one request, unless the budget is spent.
    pub(crate) fn take(&self) -> RateDecision {
        self.decide(true)
    }

    /// Where the budget stands, without counting anything.
    pub(crate) fn peek(&self) -> RateDecision {
        self.decide(false)
    }

    /// Opens a new window with the whole budget.
    pub(crate) fn reset(&self) {
        let mut window = self.lock();
        window.started_ms = i64::MIN;
        window.used = 0;
    }

    fn decide(&self, count: bool) -> RateDecision {
        let now_ms = self.clock.now_millis();
        let mut window = self.lock();
        if now_ms >= window.started_ms.saturating_add(self.window_ms) {
            if !count {
                // Looking must not open a window: the next request does.
                return RateDecision {
                    allowed: true,
                    limit: window.limit,
                    remaining: window.limit,
                    reset_secs: whole_secs(self.window_ms),
                };
            }
            window.started_ms = now_ms;
            window.used = 0;
        }
        let allowed = window.used < window.limit;
        if count && allowed {
            window.used += 1;
        }
        let left_ms = window
            .started_ms
            .saturating_add(self.window_ms)
            .saturating_sub(now_ms);
        RateDecision {
            allowed,
            limit: window.limit,
            remaining: window.limit.saturating_sub(window.used),
            reset_secs: whole_secs(left_ms),
        }
    }
}

/// Milliseconds as whole seconds, rounded up (a client that waits that long is past the end).
fn whole_secs(ms: i64) -> u64 {
    u64::try_from(ms.max(0)).unwrap_or(0).div_ceil(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_runs_out_and_comes_back_with_the_next_window() {
        let clock = Clock::default();
        let limiter = RateLimiter::new(clock.clone(), 2, Duration::from_secs(60));
        let first = limiter.take();
        assert_eq!(
            (first.allowed, first.remaining, first.reset_secs),
            (true, 1, 60)
        );
        assert!(limiter.take().allowed);
        let refused = limiter.take();
        assert_eq!((refused.allowed, refused.remaining), (false, 0));
        clock.advance(Duration::from_secs(45));
        assert_eq!(limiter.peek().reset_secs, 15);
        clock.advance(Duration::from_secs(15));
        assert_eq!(limiter.take().remaining, 1);
        limiter.reset();
        assert_eq!(limiter.peek().remaining, 2);
    }
}
