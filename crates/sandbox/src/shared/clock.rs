//! The sandbox's notion of "now".

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The time every vendor of one sandbox sees: the system clock plus an offset that only moves
/// forward (see [`Clock::advance`]). Token expiry, accumulated readings and deliveries all read
/// this clock, so advancing it ages tokens and adds readings without waiting.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Unix time in milliseconds.
    pub(crate) fn now_millis(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        system.saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Unix time in whole seconds.
    pub fn now_unix(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }

    /// Moves the sandbox's time forward by `by` (tokens age, readings accumulate).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        // fetch_update with saturation, so a silly value cannot wrap the clock around.
        let _ = self
            .offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                Some(old.saturating_add(ms))
            });
    }

    /// How far the clock has been advanced in total.
    pub fn offset(&self) -> Duration {
        Duration::from_millis(self.offset_ms.load(Ordering::Relaxed).max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now_forward() {
        let clock = Clock::default();
        let before = clock.now_unix();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now_unix() >= before + 3600);
        assert_eq!(clock.offset(), Duration::from_secs(3600));
    }
}
