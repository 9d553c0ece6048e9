//! The date and time texts ExtraView writes, all in the server's time zone.
//!
//! ExtraView writes local server time without an offset in records and reads dates the same
//! way; only the token's expiry carries one. The sandbox's server runs at UTC−7, the offset
//! of the vendor's own examples, so that a client which ignores the offset is off by hours.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};

/// The server's offset from UTC in seconds (UTC−7).
pub(crate) const SERVER_OFFSET_SECS: i32 = -7 * 3600;

fn zone() -> FixedOffset {
    FixedOffset::east_opt(SERVER_OFFSET_SECS).unwrap_or_else(|| Utc.fix())
}

fn local_ms(unix_ms: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp_millis(unix_ms).map(|t| t.with_timezone(&zone()))
}

fn local(unix: i64) -> Option<DateTime<FixedOffset>> {
    local_ms(unix.saturating_mul(1000))
}

fn format(unix: i64, pattern: &str) -> String {
    local(unix)
        .map(|t| t.format(pattern).to_string())
        .unwrap_or_default()
}

/// The token's `Expiration Date`: `yyyy-MM-dd HH:mm:ss.SSS ±hhmm`, Java's default layout.
pub(crate) fn token_expiry(unix_ms: i64) -> String {
    local_ms(unix_ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f %z").to_string())
        .unwrap_or_default()
}

/// A date-time field of a record: `yyyy-MM-dd HH:mm:ss`.
pub(crate) fn record(unix: i64) -> String {
    format(unix, "%Y-%m-%d %H:%M:%S")
}

/// A date-only field of a record: `yyyy-MM-dd`.
pub(crate) fn day(unix: i64) -> String {
    format(unix, "%Y-%m-%d")
}

/// The heartbeat's `DB_DATETIME`: `yyyy/MM/dd HH:mm:ss`.
pub(crate) fn heartbeat(unix: i64) -> String {
    format(unix, "%Y/%m/%d %H:%M:%S")
}

/// The header of a log-area entry: `M/D/YY h:mm AM`.
pub(crate) fn log_header(unix: i64) -> String {
    format(unix, "%-m/%-d/%y %-I:%M %p")
}

/// A date or date-time the server accepts (`cutoff`, search ranges, date fields), read in the
/// server's zone: `yyyy-MM-dd[ HH:mm[:ss]]`, `yyyy-MM-ddTHH:mm:ss`, `MM/dd/yyyy[ HH:mm[:ss]]`.
/// A date alone is its midnight.
pub(crate) fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .or_else(|| {
        ["%Y-%m-%d", "%m/%d/%Y"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    zone()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.timestamp())
}

/// Whether `text` names a day without a time (so that a search for it covers the whole day).
pub(crate) fn is_date_only(text: &str) -> bool {
    let text = text.trim();
    ["%Y-%m-%d", "%m/%d/%Y"]
        .iter()
        .any(|f| NaiveDate::parse_from_str(text, f).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_in_the_server_zone() {
        // 2020-07-03T01:39:48.818Z is 18:39:48.818 the day before at UTC−7.
        assert_eq!(
            token_expiry(1_593_740_388_818),
            "2020-07-02 18:39:48.818 -0700"
        );
        assert_eq!(record(1_593_740_388), "2020-07-02 18:39:48");
        assert_eq!(heartbeat(1_593_740_388), "2020/07/02 18:39:48");
        assert_eq!(log_header(1_593_740_388), "7/2/20 6:39 PM");
        assert_eq!(day(1_593_740_388), "2020-07-02");
    }

    #[test]
    fn parses_what_it_writes_and_the_usual_layouts() {
        assert_eq!(parse("2020-07-02 18:39:48"), Some(1_593_740_388));
        assert_eq!(parse("2020-07-02T18:39:48"), Some(1_593_740_388));
        assert_eq!(parse("07/02/2020 18:39:48"), Some(1_593_740_388));
        assert_eq!(parse("2020-07-02"), parse("2020-07-02 00:00"));
        assert!(is_date_only("2020-07-02") && !is_date_only("2020-07-02 00:00"));
        assert_eq!(parse("yesterday"), None);
    }
}
