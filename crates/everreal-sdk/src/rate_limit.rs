//! EverReal's rate-limit headers, as the last answer stated them.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// The rate-limit state an answer reported: EverReal sends `X-RateLimit-Limit`,
/// `X-RateLimit-Remaining` and `X-RateLimit-Reset` on every response (300 requests a minute
/// by default). A header that is missing or not a number is `None`.
///
/// ```
/// use everreal_sdk::RateLimit;
/// let mut headers = everreal_sdk::reqwest::header::HeaderMap::new();
/// headers.insert("x-ratelimit-limit", "300".parse().unwrap());
/// headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
/// headers.insert("x-ratelimit-reset", "17".parse().unwrap());
/// let limit = RateLimit::from_headers(&headers).expect("headers present");
/// assert_eq!(limit.remaining, Some(0));
/// assert_eq!(limit.reset, Some(std::time::Duration::from_secs(17)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed per window (`X-RateLimit-Limit`).
    pub limit: Option<u32>,
    /// Requests left in this window (`X-RateLimit-Remaining`).
    pub remaining: Option<u32>,
    /// How long until the window resets (`X-RateLimit-Reset`): a number of seconds to wait,
    /// counted from the answer, not a point in time.
    pub reset: Option<Duration>,
}

impl RateLimit {
    /// Reads the three headers; `None` when none of them is there.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let number = |name: &str| -> Option<f64> {
            let value = headers
                .get(name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<f64>()
                .ok()?;
            (value.is_finite() && value >= 0.0).then_some(value)
        };
        let count = |name: &str| number(name).map(|n| n.min(f64::from(u32::MAX)) as u32);
        let limit = RateLimit {
            limit: count("x-ratelimit-limit"),
            remaining: count("x-ratelimit-remaining"),
            // A fractional reset is rounded up: waiting less than asked would be refused.
            reset: number("x-ratelimit-reset")
                .map(|s| Duration::from_secs(s.ceil().min(u64::MAX as f64) as u64)),
        };
        let any = [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ]
        .iter()
        .any(|name| headers.contains_key(*name));
        any.then_some(limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn odd_values_never_panic() {
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
        let odd = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-limit", "lots"),
            ("x-ratelimit-remaining", "-3"),
            ("x-ratelimit-reset", "1.2"),
        ]))
        .expect("present");
        assert_eq!(odd.limit, None);
        assert_eq!(odd.remaining, None);
        assert_eq!(odd.reset, Some(Duration::from_secs(2)));
        let huge = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-limit", "1e30"),
            ("x-ratelimit-reset", "1e300"),
        ]))
        .expect("present");
        assert_eq!(huge.limit, Some(u32::MAX));
        assert_eq!(huge.reset, Some(Duration::from_secs(u64::MAX)));
    }
}
