//! The copy of a request the layer keeps so that it can send it again.
//!
//! A request is consumed by the send, but a 401 or a retryable answer is only known afterwards,
//! so every request is copied first. `Request::try_clone` clones the whole `HeaderMap` (two
//! allocations) on every call, although the copy is almost never used. [`Replay`] keeps the
//! header pairs inline instead (names and values are reference-counted or static, so copying
//! them allocates nothing) and builds a real request only when one is resent. The overhead
//! benchmark in `crates/everactive-sdk/benches` measures the difference.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use reqwest::{Method, Request, Url, Version};
use smallvec::SmallVec;

/// Header pairs kept without allocating. SDK requests carry two (`Accept`, `Authorization`)
/// or three (`Content-Type`); each pair takes 80 bytes of every call's future.
const INLINE_HEADERS: usize = 4;

/// What is needed to build the same request again.
pub(crate) struct Replay {
    method: Method,
    url: Url,
    headers: SmallVec<[(HeaderName, HeaderValue); INLINE_HEADERS]>,
    body: Option<Bytes>,
    version: Version,
    timeout: Option<Duration>,
}

impl Replay {
    /// A copy of `request`, or `None` when its body is a stream, which cannot be sent twice.
    ///
    /// reqwest 0.13 keeps nothing in a request's extensions except its timeout, which is copied.
    pub(crate) fn of(request: &Request) -> Option<Self> {
        let body = match request.body() {
            None => None,
            Some(body) => Some(Bytes::copy_from_slice(body.as_bytes()?)),
        };
        Some(Self {
            method: request.method().clone(),
            url: request.url().clone(),
            headers: request
                .headers()
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
            body,
            version: request.version(),
            timeout: request.timeout().copied(),
        })
    }

    /// The copied `Authorization` header, if the request had one.
    pub(crate) fn authorization(&self) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|(name, _)| name == AUTHORIZATION)
            .map(|(_, value)| value)
    }

    /// A new request equal to the copied one.
    pub(crate) fn request(&self) -> Request {
        let mut request = Request::new(self.method.clone(), self.url.clone());
        let headers = request.headers_mut();
        headers.reserve(self.headers.len());
        for (name, value) in &self.headers {
            // `append` keeps every value of a repeated header, in the original order.
            headers.append(name.clone(), value.clone());
        }
        *request.body_mut() = self.body.clone().map(reqwest::Body::from);
        *request.version_mut() = self.version;
        *request.timeout_mut() = self.timeout;
        request
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures::stream;
    use reqwest::header::ACCEPT;

    use super::*;

    fn request_with_everything() -> Request {
        let client = reqwest::Client::new();
        let mut bearer = HeaderValue::from_static("Bearer t0k3n");
        bearer.set_sensitive(true);
        client
            .post("https://api.example.com/ds/v1/webhooks?page=2")
            .header(ACCEPT, "application/json")
            .header(AUTHORIZATION, bearer)
            .header("x-tag", "one")
            .header("x-tag", "two")
            .body(r#"{"callback_url":"https://hooks.example.com"}"#)
            .timeout(Duration::from_secs(7))
            .version(Version::HTTP_11)
            .build()
            .expect("request")
    }

    #[test]
    fn the_rebuilt_request_equals_the_original() {
        let original = request_with_everything();
        let rebuilt = Replay::of(&original).expect("replayable").request();
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
            Replay::of(&original).expect("replayable").authorization(),
            Some(&original.headers()[AUTHORIZATION])
        );
        assert_eq!(
            rebuilt.body().and_then(|b| b.as_bytes()),
            original.body().and_then(|b| b.as_bytes())
        );
        assert_eq!(rebuilt.timeout(), Some(&Duration::from_secs(7)));
        assert_eq!(rebuilt.version(), Version::HTTP_11);
    }

    #[test]
    fn a_request_without_body_stays_without_body() {
        let original = reqwest::Client::new()
            .get("https://api.example.com/ds/v1/health")
            .build()
            .expect("request");
        let rebuilt = Replay::of(&original).expect("replayable").request();
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
