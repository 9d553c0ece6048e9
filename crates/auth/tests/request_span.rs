//! The request span, in its own test binary: tracing caches per-callsite interest globally,
//! so a scoped subscriber racing with other tests' threads could miss the span.

use reqwest::{Method, Request, StatusCode};

mod common;
use common::{auth, capture_logs, fast_retry, flaky, numbered_tokens};

#[tokio::test]
async fn the_request_span_records_status_attempt_and_duration() {
    let (captured, _guard) = capture_logs(
        tracing::Level::DEBUG,
        tracing_subscriber::fmt::format::FmtSpan::CLOSE,
    );

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

    let logs = captured.text();
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
