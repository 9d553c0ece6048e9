//! The request layer seen through generated calls: 401 refresh, retries and typed errors.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{CLIENT_ID, bearer, client, fast_retry, fixture, health_endpoint, token_endpoint};
use everactive_sdk::types::{ApiError, WebhookCreate};
use everactive_sdk::{AuthError, Client, Error, WebhookEventType};
use httpmock::Method::{GET, POST};
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use reqwest::StatusCode;
use serde_json::json;

fn response(
    status: u16,
    content_type: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> HttpMockResponse {
    let mut builder = http::Response::builder()
        .status(status)
        .header("content-type", content_type);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(body.to_owned()).expect("response").into()
}

/// `GET /ds/v1/health` answering `status` `times` times, then the health fixture.
async fn flaky_health<'a>(
    server: &'a MockServer,
    status: u16,
    times: usize,
    headers: &'static [(&'static str, &'static str)],
) -> httpmock::Mock<'a> {
    let calls = Arc::new(AtomicUsize::new(0));
    let healthy = fixture("health.json").to_string();
    server
        .mock_async(move |when, then| {
            when.method(GET).path("/ds/v1/health");
            then.respond_with(move |_: &HttpMockRequest| {
                if calls.fetch_add(1, Ordering::SeqCst) < times {
                    response(status, "application/json", r#"{"message":"busy"}"#, headers)
                } else {
                    response(200, "application/json", &healthy, &[])
                }
            });
        })
        .await
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_succeeds() {
    let server = MockServer::start_async().await;
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&issued);
    let tokens = server
        .mock_async(move |when, then| {
            when.method(POST).path("/auth/token");
            then.respond_with(move |_: &HttpMockRequest| {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                response(
                    201,
                    "application/json",
                    &json!({"access_token": format!("tok-{n}"), "expires_in": 86400}).to_string(),
                    &[],
                )
            });
        })
        .await;
    let revoked = server
        .mock_async(|when, then| {
            when.path("/ds/v1/health")
                .header("authorization", "Bearer tok-1");
            then.status(401)
                .json_body(json!({"message": "token revoked"}));
        })
        .await;
    let accepted = server
        .mock_async(|when, then| {
            when.path("/ds/v1/health")
                .header("authorization", "Bearer tok-2");
            then.status(200).json_body(fixture("health.json"));
        })
        .await;
    let health = client(&server)
        .get_health()
        .send()
        .await
        .expect("refreshed");
    assert!(health.ok);
    revoked.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
    tokens.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_503_then_success() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = flaky_health(&server, 503, 1, &[]).await;
    client(&server)
        .get_health()
        .send()
        .await
        .expect("second attempt");
    api.assert_calls_async(2).await;
}

#[tokio::test]
async fn retry_after_is_honored() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = flaky_health(&server, 429, 1, &[("retry-after", "1")]).await;
    let started = Instant::now();
    client(&server)
        .get_health()
        .send()
        .await
        .expect("after waiting");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    api.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_post_is_not_retried() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(POST).path("/ds/v1/webhooks");
            then.status(503)
                .json_body(json!({"message": "maintenance"}));
        })
        .await;
    let body = WebhookCreate {
        callback_url: "https://receiver.example.com/".into(),
        event_type: WebhookEventType::SensorReading,
        enabled: true,
        headers: vec![],
    };
    let err = client(&server)
        .create_webhook()
        .body(body)
        .send()
        .await
        .expect_err("503");
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let parsed: ApiError = err.api_error().expect("json error body");
    assert_eq!(parsed.message.as_deref(), Some("maintenance"));
    api.assert_calls_async(1).await;
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_status_and_excerpt() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    server
        .mock_async(|when, then| {
            when.path("/ds/v1/health");
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"{"ok": tru"#);
        })
        .await;
    let err = client(&server)
        .get_health()
        .send()
        .await
        .expect_err("malformed");
    match &err {
        Error::Decode {
            status, excerpt, ..
        } => {
            assert_eq!(*status, Some(StatusCode::OK));
            assert_eq!(excerpt, r#"{"ok": tru"#);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("HTTP 200"), "{err}");
}

#[tokio::test]
async fn an_html_error_page_keeps_status_and_body() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let page = "<html><head><title>502 Bad Gateway</title></head><body>upstream</body></html>";
    let api = server
        .mock_async(|when, then| {
            when.path("/ds/v1/health");
            then.status(502)
                .header("content-type", "text/html")
                .body(page);
        })
        .await;
    let err = client(&server).get_health().send().await.expect_err("502");
    assert!(
        matches!(
            err,
            Error::Api {
                status: StatusCode::BAD_GATEWAY,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.body().map(|b| &b[..]), Some(page.as_bytes()));
    assert!(
        err.to_string().contains("<title>502 Bad Gateway</title>"),
        "{err}"
    );
    // 502 is retryable: the default four attempts were made.
    api.assert_calls_async(fast_retry().attempts() as usize)
        .await;
}

#[tokio::test]
async fn a_not_found_keeps_the_vendor_error_body() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    server
        .mock_async(|when, then| {
            when.path("/ds/v1/webhooks/missing");
            then.status(404)
                .header("x-request-id", "req-77")
                .json_body(json!({"message": "webhook not found", "code": "NOT_FOUND"}));
        })
        .await;
    let err = client(&server)
        .get_webhook()
        .webhook_id("missing")
        .send()
        .await
        .expect_err("404");
    match &err {
        Error::Api {
            status, request_id, ..
        } => {
            assert_eq!(*status, StatusCode::NOT_FOUND);
            assert_eq!(request_id.as_deref(), Some("req-77"));
        }
        other => panic!("unexpected {other:?}"),
    }
    let body: ApiError = err.api_error().expect("vendor error");
    assert_eq!(body.code.as_deref(), Some("NOT_FOUND"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_refused_token_request_is_a_typed_auth_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/auth/token");
            then.status(401)
                .json_body(json!({"error": "access_denied", "error_description": "Unauthorized"}));
        })
        .await;
    let api = health_endpoint(&server).await;
    let client = Client::builder()
        .credentials(CLIENT_ID, "wrong-secret")
        .base_url(server.base_url())
        .build()
        .expect("client");
    let err = client.get_health().send().await.expect_err("refused");
    match &err {
        Error::Auth(AuthError::Rejected { status, code, .. }) => {
            assert_eq!(*status, 401);
            assert_eq!(code.as_deref(), Some("access_denied"));
        }
        other => panic!("unexpected {other:?}"),
    }
    api.assert_calls_async(0).await;
    // `send_raw` gives the same failure as progenitor's error, carrying the auth message.
    let plain = client.get_health().send_raw().await.expect_err("refused");
    assert!(
        plain
            .to_string()
            .contains("token endpoint rejected the request with HTTP 401"),
        "{plain}"
    );
}

#[tokio::test]
async fn the_bearer_of_a_cached_token_is_reused() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.path("/ds/v1/health").header("authorization", bearer());
            then.status(200).json_body(fixture("health.json"));
        })
        .await;
    let client = client(&server);
    for _ in 0..5 {
        client.get_health().send().await.expect("health");
    }
    api.assert_calls_async(5).await;
    token.assert_calls_async(1).await;
}
