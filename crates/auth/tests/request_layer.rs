//! `Auth::prepare` + `Auth::execute` (the SDKs' hooks) against a mock API.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use httpmock::Method::{GET, POST, PUT};
use httpmock::{HttpMockRequest, MockServer, When};
use reqwest::{Method, Request, StatusCode};
use sdk_auth::{Auth, ExposeSecret, RetryPolicy};
use serde_json::json;

mod common;
use common::{auth, fast_retry, flaky, http_response, numbered_tokens};

/// Sets the bearer on `request` and sends it through the layer.
async fn execute(auth: &Auth, mut request: Request) -> reqwest::Result<reqwest::Response> {
    auth.prepare(&mut request).await.expect("token");
    auth.execute(&reqwest::Client::new(), request, "test_op")
        .await
}

async fn send(auth: &Auth, method: Method, url: String) -> reqwest::Response {
    let request = Request::new(method, url.parse().expect("url"));
    execute(auth, request).await.expect("response")
}

/// Sends one request to a [`flaky`] endpoint that answers `first` for `times` calls; returns
/// the final status and how many calls the endpoint got.
async fn against_flaky(
    first: u16,
    times: usize,
    headers: &'static [(&'static str, &'static str)],
    policy: RetryPolicy,
    request: impl FnOnce(String) -> Request,
) -> (StatusCode, usize) {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = flaky(&server, first, times, headers).await;
    let resp = execute(&auth(&server, policy), request(server.url("/data")))
        .await
        .expect("response");
    (resp.status(), api.calls_async().await)
}

fn get(url: String) -> Request {
    Request::new(Method::GET, url.parse().expect("url"))
}

fn post(url: String) -> Request {
    Request::new(Method::POST, url.parse().expect("url"))
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
    let outcome = against_flaky(503, 2, &[], fast_retry(), get).await;
    assert_eq!(outcome, (StatusCode::OK, 3));
}

#[tokio::test]
async fn attempts_are_bounded() {
    let outcome = against_flaky(502, 100, &[], fast_retry().max_attempts(3), get).await;
    assert_eq!(outcome, (StatusCode::BAD_GATEWAY, 3));
}

#[tokio::test]
async fn total_time_is_bounded() {
    // Asks for 10 s; the policy allows 1 s in all, so it gives up at once.
    let started = Instant::now();
    let policy = fast_retry().max_elapsed(Duration::from_secs(1));
    let outcome = against_flaky(429, 100, &[("retry-after", "10")], policy, get).await;
    assert_eq!(outcome, (StatusCode::TOO_MANY_REQUESTS, 1));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn retry_after_is_honored() {
    let started = Instant::now();
    let outcome = against_flaky(429, 1, &[("retry-after", "1")], fast_retry(), get).await;
    assert_eq!(outcome, (StatusCode::OK, 2));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_post_is_not_retried() {
    let outcome = against_flaky(503, 1, &[], fast_retry(), post).await;
    assert_eq!(outcome, (StatusCode::SERVICE_UNAVAILABLE, 1));
}

/// A 429 means the server refused the request before doing anything with it, so sending it
/// again is safe whatever the method: EverReal's GraphQL queries are POSTs.
#[tokio::test]
async fn a_post_refused_with_429_is_retried() {
    let outcome = against_flaky(429, 1, &[], fast_retry(), post).await;
    assert_eq!(outcome, (StatusCode::OK, 2));
}

#[tokio::test]
async fn a_post_with_an_idempotency_key_is_retried() {
    let keyed = |url| {
        let mut request = post(url);
        request
            .headers_mut()
            .insert("idempotency-key", "k-1".parse().expect("header"));
        request
    };
    let outcome = against_flaky(503, 1, &[], fast_retry(), keyed).await;
    assert_eq!(outcome, (StatusCode::OK, 2));
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
    let started = Instant::now();
    let err = execute(&auth, get(url)).await.expect_err("refused");
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
    let resp = execute(&auth, request).await.expect("response");
    // A stream cannot be copied, so it is not resent...
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    api.assert_calls_async(1).await;
    // ...but the rejected token is not handed out again.
    let next = auth.token().await.expect("token");
    assert_eq!(next.access_token().expose_secret(), "tok-2");
    tokens.assert_calls_async(2).await;
}

/// The JSON body of the requests with a body.
fn hook_body() -> serde_json::Value {
    json!({"callback_url": "https://hooks.example.com/in"})
}

/// A request with a JSON body, `content-type` and an extra header.
fn json_request(method: Method, url: String) -> Request {
    reqwest::Client::new()
        .request(method, url)
        .json(&hook_body())
        .header("idempotency-key", "k-7")
        .timeout(Duration::from_secs(5))
        .build()
        .expect("request")
}

/// Matches a [`json_request`] to `path` sent with `Bearer {token}`.
fn json_request_with(when: When, method: httpmock::Method, path: &str, token: &str) -> When {
    when.method(method)
        .path(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("idempotency-key", "k-7")
        .json_body(hook_body())
}

#[tokio::test]
async fn a_resend_after_401_carries_the_body_and_headers() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let rejected = server
        .mock_async(|when, then| {
            json_request_with(when, POST, "/hooks", "tok-1");
            then.status(401);
        })
        .await;
    let accepted = server
        .mock_async(|when, then| {
            json_request_with(when, POST, "/hooks", "tok-2");
            then.status(201).json_body(json!({"id": "w-1"}));
        })
        .await;
    let auth = auth(&server, fast_retry());
    let request = json_request(Method::POST, server.url("/hooks"));
    let resp = execute(&auth, request).await.expect("response");
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
            json_request_with(when, PUT, "/hooks/w-1", "tok-1");
            then.status(401);
        })
        .await;
    // With the new token: first 503, then 200; the body must arrive both times.
    let calls = Arc::new(AtomicUsize::new(0));
    let accepted = server
        .mock_async(move |when, then| {
            json_request_with(when, PUT, "/hooks/w-1", "tok-2");
            then.respond_with(move |_: &HttpMockRequest| {
                let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
                http_response(if first { 503 } else { 200 }, r#"{"ok":true}"#, &[])
            });
        })
        .await;
    let auth = auth(&server, fast_retry());
    let request = json_request(Method::PUT, server.url("/hooks/w-1"));
    let resp = execute(&auth, request).await.expect("response");
    assert_eq!(resp.status(), StatusCode::OK);
    rejected.assert_calls_async(1).await;
    accepted.assert_calls_async(2).await;
    tokens.assert_calls_async(2).await;
}
