//! Where the token cache reads the time, so tests can move it by hand.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// A source of the current time: monotonic for freshness, wall clock for absolute expiries.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The monotonic now, used to decide whether a token is still fresh.
    fn now(&self) -> Instant;
    /// The wall-clock now, used for expiries that outlive the process (a [`crate::TokenStore`]).
    fn wall(&self) -> SystemTime;
}

/// The real clock of the machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until [`ManualClock::advance`] moves it; clones share the time.
///
/// ```
/// use std::time::Duration;
/// use sdk_auth::{Clock, ManualClock};
/// let clock = ManualClock::new();
/// let before = clock.now();
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(clock.now() - before, Duration::from_secs(90));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    offset: Arc<Mutex<Duration>>,
    start: Instant,
    start_wall: SystemTime,
}

impl ManualClock {
    /// A clock that starts at the real time of the call.
    pub fn new() -> Self {
        Self {
            offset: Arc::new(Mutex::new(Duration::ZERO)),
            start: Instant::now(),
            start_wall: SystemTime::now(),
        }
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(PoisonError::into_inner);
        *offset = offset.saturating_add(by);
    }

    fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        let offset = self.offset();
        self.start.checked_add(offset).unwrap_or(self.start)
    }

    fn wall(&self) -> SystemTime {
        let offset = self.offset();
        self.start_wall
            .checked_add(offset)
            .unwrap_or(self.start_wall)
    }
}
