//! The copy of a request the layer keeps so that it can send it again.
//!
//! A request is consumed by the send, but a 401 or a retryable answer is only known afterwards,
//! so every request is copied first. `Request::try_clone` clones the whole `HeaderMap` (two
//! allocations) on every call, although the copy is almost never used. For a request without a
//! body, [`Replay`] keeps the header pairs inline instead (standard names and static or shared
//! values, so copying them rarely allocates) and builds a real request only when one is resent.
//! A request with a body is copied with `try_clone`, which shares the body bytes rather than
//! copying them. The overhead benchmark in `bench/` (package `sdk-bench`) measures the
//! difference.
//!
//! reqwest 0.13 keeps nothing in a request's extensions but its timeout, which is copied; check
//! that again when upgrading reqwest.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use reqwest::{Method, Request, Url, Version};
use smallvec::SmallVec;

/// Header pairs kept without allocating. An SDK request without a body carries two (`Accept`,
/// `Authorization`); header parameters add more, which then go to the heap. Each inline pair
/// takes 72 bytes of every call's state, used or not.
const INLINE_HEADERS: usize = 2;

/// What is needed to build the same request again.
pub(crate) enum Replay {
    /// A request without a body, kept as its parts.
    Parts {
        method: Method,
        url: Url,
        headers: SmallVec<[(HeaderName, HeaderValue); INLINE_HEADERS]>,
        version: Version,
        timeout: Option<Duration>,
    },
    /// A request with a body that can be sent twice (bytes, not a stream).
    Whole(Request),
}

impl Replay {
    /// A copy of `request`, or `None` when its body is a stream, which cannot be sent twice.
    pub(crate) fn of(request: &Request) -> Option<Self> {
        if request.body().is_some() {
            return request.try_clone().map(Self::Whole);
        }
        Some(Self::Parts {
            method: request.method().clone(),
            url: request.url().clone(),
            headers: request
                .headers()
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
            version: request.version(),
            timeout: request.timeout().copied(),
        })
    }

    /// The copied `Authorization` header, if the request had one.
    pub(crate) fn authorization(&self) -> Option<&HeaderValue> {
        match self {
            Self::Parts { headers, .. } => headers
                .iter()
                .find(|(name, _)| name == AUTHORIZATION)
                .map(|(_, value)| value),
            Self::Whole(request) => request.headers().get(AUTHORIZATION),
        }
    }

    /// A new request equal to the copied one. `None` cannot happen in practice: a body that was
    /// copied once can be copied again.
    pub(crate) fn request(&self) -> Option<Request> {
        match self {
            Self::Parts {
                method,
                url,
                headers,
                version,
                timeout,
            } => {
                let mut request = Request::new(method.clone(), url.clone());
                let map = request.headers_mut();
                map.reserve(headers.len());
                for (name, value) in headers {
                    // `append` keeps every value of a repeated header, in the original order.
                    map.append(name.clone(), value.clone());
                }
                *request.version_mut() = *version;
                *request.timeout_mut() = *timeout;
                Some(request)
            }
            Self::Whole(request) => request.try_clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;
    use futures::stream;
    use reqwest::header::ACCEPT;

    use super::*;

    fn request_with_everything(body: Option<&'static str>) -> Request {
        let client = reqwest::Client::new();
        let mut bearer = HeaderValue::from_static("Bearer t0k3n");
        bearer.set_sensitive(true);
        let mut builder = client
            .request(
                Method::PUT,
                "https://api.example.com/ds/v1/webhooks/w-1?page=2",
            )
            .header(ACCEPT, "application/json")
            .header(AUTHORIZATION, bearer)
            .header("x-tag", "one")
            .header("x-tag", "two")
            .timeout(Duration::from_secs(7))
            .version(Version::HTTP_2);
        if let Some(body) = body {
            builder = builder.body(body);
        }
        builder.build().expect("request")
    }

    #[test]
    fn the_rebuilt_request_equals_the_original() {
        for body in [
            None,
            Some(r#"{"callback_url":"https://hooks.example.com"}"#),
        ] {
            assert_same_after_replay(&request_with_everything(body));
        }
    }

    fn assert_same_after_replay(original: &Request) {
        let replay = Replay::of(original).expect("replayable");
        // Twice: a request may be resent after a 401 and then retried.
        for _ in 0..2 {
            assert_same(&replay.request().expect("rebuilt"), original);
        }
        assert_eq!(
            replay.authorization(),
            Some(&original.headers()[AUTHORIZATION])
        );
    }

    fn assert_same(rebuilt: &Request, original: &Request) {
        assert_eq!(rebuilt.method(), original.method());
        assert_eq!(rebuilt.url(), original.url());
        assert_eq!(rebuilt.headers(), original.headers());
        assert_eq!(
            rebuilt
                .headers()
                .get_all("x-tag")
                .iter()
                .collect::<Vec<_>>(),
            ["one", "two"]
        );
        assert!(rebuilt.headers()[AUTHORIZATION].is_sensitive());
        assert_eq!(
            rebuilt.body().and_then(|b| b.as_bytes()),
            original.body().and_then(|b| b.as_bytes())
        );
        assert_eq!(rebuilt.timeout(), Some(&Duration::from_secs(7)));
        assert_eq!(rebuilt.version(), Version::HTTP_2);
    }

    #[test]
    fn a_request_without_body_stays_without_body() {
        let original = reqwest::Client::new()
            .get("https://api.example.com/ds/v1/health")
            .build()
            .expect("request");
        let rebuilt = Replay::of(&original)
            .expect("replayable")
            .request()
            .expect("rebuilt");
        assert!(rebuilt.body().is_none());
        assert!(
            Replay::of(&original)
                .expect("replayable")
                .authorization()
                .is_none()
        );
        assert_eq!(rebuilt.timeout(), None);
    }

    #[test]
    fn a_streaming_body_cannot_be_replayed() {
        let chunks = stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"chunk"))]);
        let original = reqwest::Client::new()
            .post("https://api.example.com/upload")
            .body(reqwest::Body::wrap_stream(chunks))
            .build()
            .expect("request");
        assert!(Replay::of(&original).is_none());
    }
}
