//! `Auth::prepare` + `Auth::execute` (the SDKs' hooks) against a mock API.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use httpmock::Method::{GET, POST};
use httpmock::{HttpMockRequest, MockServer};
use reqwest::{Method, Request, StatusCode};
use sdk_auth::Auth;
use serde_json::json;

mod common;
use common::{auth, fast_retry, flaky, http_response, numbered_tokens};

async fn send(auth: &Auth, method: Method, url: String) -> reqwest::Response {
    let mut request = Request::new(method, url.parse().expect("url"));
    auth.prepare(&mut request).await.expect("token");
    auth.execute(&reqwest::Client::new(), request, "test_op")
        .await
        .expect("response")
}

#[tokio::test]
async fn bearer_is_set_as_a_sensitive_header() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/data")
                .header("authorization", "Bearer tok-1")
                .header_exists("authorization");
            then.status(200).json_body(json!({"ok": true}));
        })
        .await;
    let resp = send(
        &auth(&server, fast_retry()),
        Method::GET,
        server.url("/data"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    api.assert_async().await;
}

#[tokio::test]
async fn a_401_refreshes_the_token_and_resends_once() {
    let server = MockServer::start_async().await;
    let tokens = numbered_tokens(&server).await;
    let rejected = server
        .mock_async(|when, then| {
            when.path("/data").header("authorization", "Bearer tok-1");
            then.status(401);
        })
        .await;
    let accepted = server
        .mock_async(|when, then| {
            when.path("/data").header("authorization", "Bearer tok-2");
            then.status(200).json_body(json!({"ok": true}));
        })
        .await;
    let resp = send(
        &auth(&server, fast_retry()),
        Method::POST,
        server.url("/data"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    rejected.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
    tokens.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_401_is_never_retried_in_a_loop() {
    let server = MockServer::start_async().await;
    let tokens = numbered_tokens(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.path("/data");
            then.status(401);
        })
        .await;
    let resp = send(
        &auth(&server, fast_retry()),
        Method::GET,
        server.url("/data"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    api.assert_calls_async(2).await;
    tokens.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_503_is_retried_until_success() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = flaky(&server, 503, 2, &[]).await;
    let resp = send(
        &auth(&server, fast_retry()),
        Method::GET,
        server.url("/data"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    api.assert_calls_async(3).await;
}

#[tokio::test]
async fn attempts_are_bounded() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = flaky(&server, 502, 100, &[]).await;
    let resp = send(
        &auth(&server, fast_retry().max_attempts(3)),
        Method::GET,
        server.url("/data"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    api.assert_calls_async(3).await;
}

#[tokio::test]
async fn total_time_is_bounded() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    // Asks for 10 s; the policy allows 1 s in all, so it gives up at once.
    let api = flaky(&server, 429, 100, &[("retry-after", "10")]).await;
    let started = Instant::now();
    let policy = fast_retry().max_elapsed(Duration::from_secs(1));
    let resp = send(&auth(&server, policy), Method::GET, server.url("/data")).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(started.elapsed() < Duration::from_secs(2));
    api.assert_calls_async(1).await;
}

#[tokio::test]
async fn retry_after_is_honored() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = flaky(&server, 429, 1, &[("retry-after", "1")]).await;
    let started = Instant::now();
    let resp = send(
        &auth(&server, fast_retry()),
        Method::GET,
        server.url("/data"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
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
    numbered_tokens(&server).await;
    let api = flaky(&server, 503, 1, &[]).await;
    let resp = send(
        &auth(&server, fast_retry()),
        Method::POST,
        server.url("/data"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    api.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_post_with_an_idempotency_key_is_retried() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = flaky(&server, 503, 1, &[]).await;
    let auth = auth(&server, fast_retry());
    let mut request = Request::new(Method::POST, server.url("/data").parse().expect("url"));
    request
        .headers_mut()
        .insert("idempotency-key", "k-1".parse().expect("header"));
    auth.prepare(&mut request).await.expect("token");
    let resp = auth
        .execute(&reqwest::Client::new(), request, "op")
        .await
        .expect("response");
    assert_eq!(resp.status(), StatusCode::OK);
    api.assert_calls_async(2).await;
}

#[tokio::test]
async fn connection_errors_are_retried_for_idempotent_requests() {
    // A port nobody listens on: every attempt fails to connect.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/data", listener.local_addr().expect("addr"));
    drop(listener);
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let auth = auth(&server, fast_retry().max_attempts(3));
    let mut request = Request::new(Method::GET, url.parse().expect("url"));
    auth.prepare(&mut request).await.expect("token");
    let started = Instant::now();
    let err = auth
        .execute(&reqwest::Client::new(), request, "op")
        .await
        .expect_err("refused");
    assert!(err.is_connect());
    // Two backoff waits of at least 2.5 ms and 5 ms happened.
    assert!(
        started.elapsed() >= Duration::from_millis(7),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_401_on_a_streaming_request_still_drops_the_token() {
    let server = MockServer::start_async().await;
    let tokens = numbered_tokens(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.path("/upload");
            then.status(401);
        })
        .await;
    let auth = auth(&server, fast_retry());
    let mut request = Request::new(Method::PUT, server.url("/upload").parse().expect("url"));
    let chunks = futures::stream::iter([Ok::<_, std::io::Error>(b"chunk".to_vec())]);
    *request.body_mut() = Some(reqwest::Body::wrap_stream(chunks));
    auth.prepare(&mut request).await.expect("token");
    let resp = auth
        .execute(&reqwest::Client::new(), request, "upload")
        .await
        .expect("response");
    // A stream cannot be copied, so it is not resent...
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    api.assert_calls_async(1).await;
    // ...but the rejected token is not handed out again.
    let next = auth.token().await.expect("token");
    assert!(next.matches(&"Bearer tok-2".parse().expect("header")));
    tokens.assert_calls_async(2).await;
}

/// A request with a JSON body, `content-type` and an extra header, bearer set.
async fn json_request(auth: &Auth, method: Method, url: String) -> Request {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .json(&json!({"callback_url": "https://hooks.example.com/in"}))
        .header("idempotency-key", "k-7")
        .timeout(Duration::from_secs(5))
        .build()
        .expect("request");
    auth.prepare(&mut request).await.expect("token");
    request
}

#[tokio::test]
async fn a_resend_after_401_carries_the_body_and_headers() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let body = json!({"callback_url": "https://hooks.example.com/in"});
    let rejected = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/hooks")
                .header("authorization", "Bearer tok-1")
                .header("content-type", "application/json")
                .header("idempotency-key", "k-7")
                .json_body(body.clone());
            then.status(401);
        })
        .await;
    let accepted = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/hooks")
                .header("authorization", "Bearer tok-2")
                .header("content-type", "application/json")
                .header("idempotency-key", "k-7")
                .json_body(body.clone());
            then.status(201).json_body(json!({"id": "w-1"}));
        })
        .await;
    let auth = auth(&server, fast_retry());
    let request = json_request(&auth, Method::POST, server.url("/hooks")).await;
    let resp = auth
        .execute(&reqwest::Client::new(), request, "create_webhook")
        .await
        .expect("response");
    assert_eq!(resp.status(), StatusCode::CREATED);
    rejected.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_retry_after_a_401_resend_keeps_the_new_token_and_the_body() {
    let server = MockServer::start_async().await;
    let tokens = numbered_tokens(&server).await;
    let rejected = server
        .mock_async(|when, then| {
            when.path("/hooks/w-1")
                .header("authorization", "Bearer tok-1");
            then.status(401);
        })
        .await;
    // With the new token: first 503, then 200; the body must arrive both times.
    let calls = Arc::new(AtomicUsize::new(0));
    let accepted = server
        .mock_async(move |when, then| {
            when.method(httpmock::Method::PUT)
                .path("/hooks/w-1")
                .header("authorization", "Bearer tok-2")
                .json_body(json!({"callback_url": "https://hooks.example.com/in"}));
            then.respond_with(move |_: &HttpMockRequest| {
                let status = if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    503
                } else {
                    200
                };
                http_response(status, r#"{"ok":true}"#, &[])
            });
        })
        .await;
    let auth = auth(&server, fast_retry());
    let request = json_request(&auth, Method::PUT, server.url("/hooks/w-1")).await;
    let resp = auth
        .execute(&reqwest::Client::new(), request, "update_webhook")
        .await
        .expect("response");
    assert_eq!(resp.status(), StatusCode::OK);
    rejected.assert_calls_async(1).await;
    accepted.assert_calls_async(2).await;
    tokens.assert_calls_async(2).await;
}
