//! Periodic events (readings, status messages) and the time windows that select them.

/// The times `anchor + k * interval` (k >= 0) inside `[start, end]`, newest first.
///
/// Callers cap `end` at "now" themselves, so that data accumulates as time passes.
pub(crate) fn times_in(anchor: i64, interval: i64, start: i64, end: i64) -> Vec<i64> {
    if interval <= 0 || end < start || end < anchor {
        return Vec::new();
    }
    let first_k = if start <= anchor {
        0
    } else {
        (start - anchor + interval - 1) / interval
    };
    let last_k = (end - anchor) / interval;
    (first_k..=last_k)
        .rev()
        .map(|k| anchor + k * interval)
        .collect()
}

/// The newest time `anchor + k * interval` (k >= 0) at or before `now`.
pub(crate) fn latest(anchor: i64, interval: i64, now: i64) -> Option<i64> {
    if interval <= 0 || now < anchor {
        return None;
    }
    Some(anchor + (now - anchor) / interval * interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_inclusive_and_newest_first() {
        assert_eq!(times_in(100, 60, 100, 220), vec![220, 160, 100]);
        assert_eq!(times_in(100, 60, 101, 219), vec![160]);
        assert_eq!(times_in(100, 60, 0, 99), Vec::<i64>::new());
        assert_eq!(times_in(100, 60, 300, 200), Vec::<i64>::new());
        assert_eq!(latest(100, 60, 219), Some(160));
        assert_eq!(latest(100, 60, 99), None);
    }
}
