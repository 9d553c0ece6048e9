//! The separate rules of the request layer, as the next vendors use them: a token placed in a
//! query parameter (ExtraView), a rejection recognized inside a 200 body (ExtraView), a
//! rate-limit header of the vendor's own (EverReal), the typed result of `Auth::send`, and
//! 1,000 concurrent calls across a token expiry.

use std::time::{Duration, Instant};

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use reqwest::header::HeaderMap;
use reqwest::{Method, Request, StatusCode};
use sdk_auth::fetch::HttpSettings;
use sdk_auth::oauth::OAuth2Config;
use sdk_auth::{
    Auth, AuthScheme, Classifier, Error, ManualClock, Outcome, RateLimitReset, RetryPolicy,
    TokenCache, Verdict,
};
use serde_json::json;

mod common;
use common::{fast_retry, flaky, numbered_tokens};

/// A token cache signing in at `server`'s `/token`.
fn cache(server: &MockServer) -> TokenCache {
    common::cache(
        OAuth2Config::client_credentials(&server.url("/token"), "id", "secret-value")
            .expect("config"),
    )
}

fn get(url: String) -> Request {
    Request::new(Method::GET, url.parse().expect("url"))
}

/// ExtraView answers an expired token with HTTP 200 and a line of text.
#[derive(Debug)]
struct ExpiredText;

impl Classifier for ExpiredText {
    fn wants_body(&self, status: StatusCode, _: &HeaderMap) -> bool {
        status.is_success()
    }

    fn classify(&self, outcome: &Outcome<'_>, verdict: Verdict) -> Verdict {
        match outcome {
            Outcome::Response {
                body: Some(body), ..
            } if body.starts_with(b"Error: token expired") => Verdict::TokenRejected,
            _ => verdict,
        }
    }
}

#[tokio::test]
async fn a_query_token_and_a_rejection_inside_a_200_resend_once() {
    let server = MockServer::start_async().await;
    let tokens = numbered_tokens(&server).await;
    let expired = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ev_api.action")
                .query_param("statevar", "get")
                .query_param("access_token", "tok-1");
            then.status(200).body("Error: token expired\r\n");
        })
        .await;
    let fresh = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ev_api.action")
                .query_param("statevar", "get")
                .query_param("access_token", "tok-2")
                .header_missing("authorization");
            then.status(200).body("ID: 7\r\nTITLE: pump\r\n");
        })
        .await;
    let auth = Auth::new(cache(&server))
        .with_scheme(AuthScheme::query("access_token"))
        .with_classifier(ExpiredText);
    let response = auth
        .send(
            &reqwest::Client::new(),
            get(server.url("/ev_api.action?statevar=get")),
            "get",
        )
        .await
        .expect("the resend succeeds");
    // The body the classifier read is still there for the caller.
    assert_eq!(
        response.text().await.expect("body"),
        "ID: 7\r\nTITLE: pump\r\n"
    );
    expired.assert_calls_async(1).await;
    fresh.assert_calls_async(1).await;
    tokens.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_rejection_inside_a_200_that_persists_is_a_typed_auth_error() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.path("/ev_api.action");
            then.status(200).body("Error: token expired");
        })
        .await;
    let auth = Auth::new(cache(&server))
        .with_scheme(AuthScheme::query("access_token"))
        .with_classifier(ExpiredText);
    let err = auth
        .send(
            &reqwest::Client::new(),
            get(server.url("/ev_api.action")),
            "get",
        )
        .await
        .expect_err("never data");
    assert!(matches!(&err, Error::Auth(e) if e.is_rejected()), "{err:?}");
    api.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_vendor_rate_limit_header_sets_the_wait() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let limited = server
        .mock_async(|when, then| {
            when.path("/graphql").header("x-attempt", "1");
            then.status(429).header("x-ratelimit-reset", "1");
        })
        .await;
    let auth = Auth::new(cache(&server))
        .with_classifier(RateLimitReset::header("X-RateLimit-Reset"))
        .with_retry(fast_retry().max_attempts(2));
    let started = Instant::now();
    let mut request = get(server.url("/graphql"));
    request
        .headers_mut()
        .insert("x-attempt", "1".parse().expect("header"));
    let err = auth
        .send(&reqwest::Client::new(), request, "query")
        .await
        .expect_err("still limited");
    // The backoff alone is at most 20 ms; the header asked for a second.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    limited.assert_calls_async(2).await;
}

/// Sends a GET to `/data` through `auth`; the status and the time it took.
async fn timed_get(auth: &Auth, server: &MockServer) -> (StatusCode, Duration) {
    let started = Instant::now();
    let status = match auth
        .send(&reqwest::Client::new(), get(server.url("/data")), "get")
        .await
    {
        Ok(response) => response.status(),
        Err(err) => err.status().expect("an API answer"),
    };
    (status, started.elapsed())
}

#[tokio::test]
async fn a_rate_limit_reset_of_one_second_is_waited_then_retried() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = flaky(&server, 429, 1, &[("x-ratelimit-reset", "1")]).await;
    let auth = Auth::new(cache(&server))
        .with_classifier(RateLimitReset::header("x-ratelimit-reset"))
        .with_retry(fast_retry());
    let (status, took) = timed_get(&auth, &server).await;
    assert_eq!(status, StatusCode::OK);
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    api.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_huge_rate_limit_reset_never_sleeps_beyond_the_policy() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = flaky(
        &server,
        429,
        1,
        &[("x-ratelimit-reset", "99999999999999999999999")],
    )
    .await;
    let auth = Auth::new(cache(&server))
        .with_classifier(RateLimitReset::header("x-ratelimit-reset"))
        .with_retry(fast_retry().max_elapsed(Duration::from_secs(30)));
    // Beyond the 30 s budget: the 429 comes back at once instead of after a sleep.
    let (status, took) = timed_get(&auth, &server).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(took < Duration::from_secs(1), "{took:?}");
    api.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_huge_rate_limit_reset_is_cut_to_the_explicit_cap() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = flaky(&server, 429, 1, &[("x-ratelimit-reset", "3600")]).await;
    let rule = RateLimitReset::header("x-ratelimit-reset").max_wait(Duration::from_millis(300));
    let auth = Auth::new(cache(&server))
        .with_classifier(rule)
        .with_retry(fast_retry());
    let (status, took) = timed_get(&auth, &server).await;
    assert_eq!(status, StatusCode::OK);
    // The backoff alone is at most 20 ms.
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    api.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_garbage_rate_limit_reset_falls_back_to_the_backoff() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = flaky(&server, 429, 2, &[("x-ratelimit-reset", "soon")]).await;
    let auth = Auth::new(cache(&server))
        .with_classifier(RateLimitReset::header("x-ratelimit-reset"))
        .with_retry(fast_retry());
    let (status, took) = timed_get(&auth, &server).await;
    assert_eq!(status, StatusCode::OK);
    assert!(took < Duration::from_millis(500), "{took:?}");
    api.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_rate_limit_header_on_a_success_changes_nothing() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.path("/data");
            then.status(200)
                .header("x-ratelimit-remaining", "299")
                .header("x-ratelimit-reset", "60")
                .body("{}");
        })
        .await;
    let auth = Auth::new(cache(&server))
        .with_classifier(RateLimitReset::header("x-ratelimit-reset"))
        .with_retry(fast_retry());
    let (status, took) = timed_get(&auth, &server).await;
    assert_eq!(status, StatusCode::OK);
    assert!(took < Duration::from_millis(500), "{took:?}");
    api.assert_calls_async(1).await;
}

#[tokio::test]
async fn send_types_an_api_error_with_a_scrubbed_excerpt() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    server
        .mock_async(|when, then| {
            when.path("/data");
            then.status(500)
                .header("x-request-id", "req-9")
                .body("<html><body>token tok-1 and secret-value failed</body></html>");
        })
        .await;
    let auth = Auth::new(cache(&server));
    let err = auth
        .send(&reqwest::Client::new(), get(server.url("/data")), "op")
        .await
        .expect_err("500");
    assert_eq!(err.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    assert_eq!(err.request_id(), Some("req-9"));
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("tok-1") && !shown.contains("secret-value"),
        "{shown}"
    );
    assert!(shown.contains("failed"), "{shown}");
    // The body stays available to code that asks for it, with the token scrubbed.
    let body = String::from_utf8_lossy(err.body().expect("a body")).into_owned();
    assert!(!body.contains("tok-1"), "{body}");
    assert_eq!(
        body,
        "<html><body>token [redacted] and [redacted] failed</body></html>"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_across_an_expiry_make_one_token_request() {
    let server = MockServer::start_async().await;
    let tokens = server
        .mock_async(|when, then| {
            when.method(POST).path("/token");
            then.status(200)
                .delay(Duration::from_millis(100))
                .json_body(json!({"access_token": "tok-burst", "expires_in": 600}));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.path("/data")
                .header("authorization", "Bearer tok-burst");
            then.status(200).body("{}");
        })
        .await;
    let clock = ManualClock::new();
    let config = OAuth2Config::client_credentials(&server.url("/token"), "id", "secret-value")
        .expect("config");
    let cache = TokenCache::builder(
        config
            .into_fetcher(&HttpSettings::new("test"))
            .expect("fetcher"),
    )
    .clock(clock.clone())
    .build();
    let auth = Auth::new(cache).with_retry(RetryPolicy::none());
    let http = reqwest::Client::new();
    auth.send(&http, get(server.url("/data")), "warm")
        .await
        .expect("first call");
    // Past the refresh point (expiry minus 60 s): every caller now needs a new token.
    clock.advance(Duration::from_secs(541));
    let calls: Vec<_> = (0..1_000)
        .map(|_| {
            let (auth, http, url) = (auth.clone(), http.clone(), server.url("/data"));
            tokio::spawn(async move { auth.send(&http, get(url), "burst").await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.expect("join").expect("no call fails");
    }
    tokens.assert_calls_async(2).await;
    api.assert_calls_async(1_001).await;
}

#[tokio::test]
async fn a_header_scheme_without_a_prefix() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.path("/data")
                .header("x-auth-token", "tok-1")
                .header_missing("authorization");
            then.status(204);
        })
        .await;
    let auth = Auth::new(cache(&server)).with_scheme(AuthScheme::header(
        reqwest::header::HeaderName::from_static("x-auth-token"),
        None,
    ));
    auth.send(&reqwest::Client::new(), get(server.url("/data")), "op")
        .await
        .expect("204");
    api.assert_async().await;
}
