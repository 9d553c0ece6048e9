//! Readings over any time range, fetched in windows the API accepts.

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt as _, TryStreamExt as _, stream};

use crate::types::Reading;
use crate::{Client, Error};

/// Longest time range, in seconds, the readings endpoint serves in one call (24 h).
pub const MAX_READINGS_WINDOW: i64 = 24 * 60 * 60;

/// Seconds requested beyond each side of a window. The API does not document whether its
/// bounds are inclusive, so every request reaches one second past the range it is used for;
/// readings outside that range are dropped. Windows are therefore seamless and disjoint
/// whatever the server's convention.
const EDGE: i64 = 1;

/// Seconds of the range each request is used for (the request itself spans 24 h).
const STEP: i64 = MAX_READINGS_WINDOW - 2 * EDGE;

/// One request: the part of the range it is used for, `[keep_from, keep_until)`, or up to and
/// including `keep_until` for the last window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    keep_from: i64,
    keep_until: i64,
    last: bool,
}

impl Window {
    fn request_start(&self) -> i64 {
        self.keep_from - EDGE
    }

    fn request_end(&self) -> i64 {
        self.keep_until + EDGE
    }

    fn keeps(&self, timestamp: i64) -> bool {
        timestamp >= self.keep_from
            && (timestamp < self.keep_until || (self.last && timestamp == self.keep_until))
    }
}

/// Splits the inclusive range `[start, end]` into windows of at most [`STEP`] seconds, produced
/// one at a time as they are requested: the range may span all of `chrono`'s time, which is
/// close to 200 million windows.
fn windows(start: i64, end: i64) -> impl Iterator<Item = Window> + Send {
    std::iter::successors(Some(window_from(start, end)), move |previous| {
        (!previous.last).then(|| window_from(previous.keep_until, end))
    })
}

/// The window that starts at `from`, in a range that ends at `end`.
fn window_from(from: i64, end: i64) -> Window {
    let until = from.saturating_add(STEP).min(end);
    Window {
        keep_from: from,
        keep_until: until,
        last: until == end,
    }
}

impl Client {
    /// Every reading of one sensor from `start` to `end` (both inclusive, whole seconds), oldest
    /// first.
    ///
    /// The range may be longer than the 24 h the API serves per call: it is fetched window by
    /// window as the stream is polled, with no gap and no duplicate at the window edges.
    ///
    /// ```no_run
    /// use chrono::{Duration, Utc};
    /// use futures::TryStreamExt;
    /// # async fn demo(client: everactive_sdk::Client) -> Result<(), everactive_sdk::Error> {
    /// let end = Utc::now();
    /// let week = client.readings("bc:5e:a1:00:00:00:5e:13", end - Duration::days(7), end);
    /// let readings: Vec<_> = week.try_collect().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The stream's first item is [`Error::InvalidRequest`] when `start` is after `end` or the
    /// MAC address is empty; nothing is sent then.
    pub fn readings<'a>(
        &'a self,
        mac_address: &'a str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> impl Stream<Item = Result<Reading, Error>> + Send + 'a {
        let invalid = if start > end {
            Some(Error::InvalidRequest(format!(
                "readings range is inverted: start {} is after end {}",
                start.to_rfc3339(),
                end.to_rfc3339()
            )))
        } else if mac_address.trim().is_empty() {
            Some(Error::InvalidRequest("MAC address is empty".into()))
        } else {
            None
        };
        let planned = match invalid {
            None => stream::iter(windows(start.timestamp(), end.timestamp()).map(Ok)).left_stream(),
            Some(err) => stream::iter([Err(err)]).right_stream(),
        };
        planned
            .and_then(move |window| async move {
                let mut readings = self
                    .list_eversensor_readings()
                    .mac_address(mac_address)
                    .start_time(window.request_start())
                    .end_time(window.request_end())
                    .send()
                    .await?
                    .into_inner()
                    .data;
                readings.retain(|r| window.keeps(r.timestamp));
                // The API answers newest first; a stable sort keeps same-second readings in order.
                readings.sort_by_key(|r| r.timestamp);
                Ok(stream::iter(readings.into_iter().map(Ok)))
            })
            .try_flatten()
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_range_is_one_window() {
        let w: Vec<_> = windows(1_000, 2_000).collect();
        assert_eq!(
            w,
            vec![Window {
                keep_from: 1_000,
                keep_until: 2_000,
                last: true
            }]
        );
        assert_eq!((w[0].request_start(), w[0].request_end()), (999, 2_001));
    }

    #[test]
    fn windows_tile_the_range_without_gap_or_overlap() {
        let (start, end) = (1_700_000_000, 1_700_000_000 + 7 * MAX_READINGS_WINDOW + 123);
        let w: Vec<_> = windows(start, end).collect();
        assert_eq!(w.first().map(|w| w.keep_from), Some(start));
        assert_eq!(w.last().map(|w| w.keep_until), Some(end));
        for pair in w.windows(2) {
            assert_eq!(pair[0].keep_until, pair[1].keep_from);
            assert!(!pair[0].last);
        }
        for window in &w {
            assert!(window.request_end() - window.request_start() <= MAX_READINGS_WINDOW);
        }
        // Every second of the range is kept by exactly one window.
        for t in [
            start,
            start + STEP - 1,
            start + STEP,
            start + STEP + 1,
            end - 1,
            end,
        ] {
            assert_eq!(w.iter().filter(|w| w.keeps(t)).count(), 1, "t = {t}");
        }
        assert_eq!(
            w.iter()
                .filter(|w| w.keeps(end + 1) || w.keeps(start - 1))
                .count(),
            0
        );
    }

    #[test]
    fn a_single_instant_is_one_window() {
        let w: Vec<_> = windows(5, 5).collect();
        assert_eq!(w.len(), 1);
        assert!(w[0].keeps(5));
    }

    #[test]
    fn windows_over_all_time_come_one_at_a_time() {
        let start = DateTime::<Utc>::MIN_UTC.timestamp();
        let end = DateTime::<Utc>::MAX_UTC.timestamp();
        let mut w = windows(start, end);
        assert_eq!(
            w.next(),
            Some(Window {
                keep_from: start,
                keep_until: start + STEP,
                last: false
            })
        );
        assert_eq!(w.next().map(|w| w.keep_from), Some(start + STEP));
        // The end of the range, reached without walking the windows before it.
        let tail: Vec<_> = windows(end - STEP - 10, end).collect();
        assert_eq!(tail.len(), 2);
        assert!(tail[1].last && tail[1].keep_until == end);
    }
}
