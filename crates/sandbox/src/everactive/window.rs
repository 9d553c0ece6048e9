//! The `start-time`/`end-time` window of the readings and status histories.

use crate::shared::query::Query;

/// The widest window one request may ask for: 24 hours.
pub(crate) const MAX_WINDOW_SECS: i64 = 86_400;

/// Reads `start-time` and `end-time` (unix seconds, both bounds inclusive).
///
/// With `required`, both must be present (the readings call); otherwise a missing bound is
/// taken 24 hours from the other one, and a missing pair means the last 24 hours. Refused with
/// a message: unreadable numbers, `end-time` before `start-time`, or more than 24 hours.
pub(crate) fn parse(query: &Query, required: bool, now: i64) -> Result<(i64, i64), String> {
    let start = query.number::<i64>("start-time")?;
    let end = query.number::<i64>("end-time")?;
    let (start, end) = match (start, end) {
        (Some(start), Some(end)) => (start, end),
        _ if required => {
            return Err("start-time and end-time (unix seconds) are required".to_owned());
        }
        (Some(start), None) => (start, start.saturating_add(MAX_WINDOW_SECS)),
        (None, Some(end)) => (end.saturating_sub(MAX_WINDOW_SECS), end),
        (None, None) => (now.saturating_sub(MAX_WINDOW_SECS), now),
    };
    if end < start {
        return Err("end-time must not be before start-time".to_owned());
    }
    if end.saturating_sub(start) > MAX_WINDOW_SECS {
        return Err(
            "the window from start-time to end-time must not exceed 24 hours (86400 s)".to_owned(),
        );
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let q = |s: &str| Query::parse(Some(s));
        assert_eq!(
            parse(&q("start-time=10&end-time=20"), true, 0),
            Ok((10, 20))
        );
        assert_eq!(
            parse(&q("start-time=0&end-time=86400"), true, 0),
            Ok((0, 86_400))
        );
        assert!(parse(&q("start-time=0&end-time=86401"), true, 0).is_err());
        assert!(parse(&q("start-time=20&end-time=10"), true, 0).is_err());
        assert!(parse(&q("start-time=10"), true, 0).is_err());
        assert!(parse(&q("start-time=x&end-time=10"), true, 0).is_err());
        assert_eq!(parse(&q(""), false, 100_000), Ok((13_600, 100_000)));
        assert_eq!(parse(&q("end-time=86400"), false, 0), Ok((0, 86_400)));
    }
}
