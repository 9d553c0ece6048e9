//! The request span, in its own test binary: tracing caches per-callsite interest globally,
//! so a scoped subscriber racing with other tests' threads could miss the span.

use std::sync::{Arc, Mutex};

use reqwest::{Method, Request, StatusCode};

mod common;
use common::{auth, fast_retry, flaky, numbered_tokens};

/// A `MakeWriter` that keeps everything written in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn the_request_span_records_status_attempt_and_duration() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = httpmock::MockServer::start_async().await;
    numbered_tokens(&server).await;
    flaky(&server, 503, 1, &[]).await;
    let auth = auth(&server, fast_retry());
    let mut request = Request::new(Method::GET, server.url("/data").parse().expect("url"));
    auth.prepare(&mut request).await.expect("token");
    let resp = auth
        .execute(&reqwest::Client::new(), request, "list_data")
        .await
        .expect("response");
    assert_eq!(resp.status(), StatusCode::OK);

    let logs = String::from_utf8(captured.0.lock().expect("buffer").clone()).expect("utf-8");
    let closed = logs
        .lines()
        .find(|line| line.contains("sdk.request") && line.contains("close"))
        .unwrap_or_else(|| panic!("no closed request span in:\n{logs}"));
    for field in [
        "operation_id=\"list_data\"",
        "method=GET",
        "path=\"/data\"",
        "status=200",
        "attempt=2",
        "duration_ms=",
    ] {
        assert!(closed.contains(field), "{field} missing from: {closed}");
    }
}
