//! Mock-server and log-capture helpers shared by the `sdk-auth` tests.
#![allow(dead_code, reason = "each test binary uses a part of these helpers")]

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::Method::POST;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use sdk_auth::fetch::HttpSettings;
use sdk_auth::oauth::OAuth2Config;
use sdk_auth::{Auth, RetryPolicy, TokenCache};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Token endpoint that hands out tok-1, tok-2, ... on each request.
pub async fn numbered_tokens(server: &MockServer) -> httpmock::Mock<'_> {
    let n = Arc::new(AtomicUsize::new(0));
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/token");
            then.respond_with(move |_: &HttpMockRequest| {
                let i = n.fetch_add(1, Ordering::SeqCst) + 1;
                let body =
                    json!({"access_token": format!("tok-{i}"), "expires_in": 3600}).to_string();
                http_response(200, &body, &[])
            });
        })
        .await
}

pub fn http_response(status: u16, body: &str, headers: &[(&str, &str)]) -> HttpMockResponse {
    let mut builder = http::Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(body.to_owned()).expect("response").into()
}

/// Client credentials `id`/`s` for the token endpoint at `server`'s `/t`.
pub fn config_at_t(server: &MockServer) -> OAuth2Config {
    OAuth2Config::client_credentials(&server.url("/t"), "id", "s").expect("config")
}

/// A token cache whose fetcher runs `config` with the test HTTP settings.
pub fn cache(config: OAuth2Config) -> TokenCache {
    TokenCache::new(
        config
            .into_fetcher(&HttpSettings::new("test"))
            .expect("fetcher"),
    )
}

pub fn auth(server: &MockServer, retry: RetryPolicy) -> Auth {
    let config =
        OAuth2Config::client_credentials(&server.url("/token"), "id", "secret").expect("config");
    Auth::new(cache(config)).with_retry(retry)
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

/// A mock that answers `first` for the first `times` calls, then 200.
pub async fn flaky<'a>(
    server: &'a MockServer,
    first: u16,
    times: usize,
    headers: &'static [(&'static str, &'static str)],
) -> httpmock::Mock<'a> {
    let calls = Arc::new(AtomicUsize::new(0));
    server
        .mock_async(move |when, then| {
            when.path("/data");
            then.respond_with(move |_: &HttpMockRequest| {
                if calls.fetch_add(1, Ordering::SeqCst) < times {
                    http_response(first, r#"{"message":"try later"}"#, headers)
                } else {
                    http_response(200, r#"{"ok":true}"#, &[])
                }
            });
        })
        .await
}

/// A `MakeWriter` that keeps everything a subscriber writes in memory.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("buffer").clone()).expect("utf-8 logs")
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Captures, without colours, everything logged up to `level` on this thread (and the span
/// events `span_events` asks for) until the guard is dropped.
pub fn capture_logs(
    level: tracing::Level,
    span_events: FmtSpan,
) -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_span_events(span_events)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}
