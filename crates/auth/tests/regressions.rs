//! One test per defect that the fault runs against the Everactive slice found in `sdk-auth`.
//! Each of them failed on the code before its fix.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::Method::POST;
use httpmock::MockServer;
use reqwest::{Method, Request, StatusCode};
use sdk_auth::{AuthError, BoxFuture, Token, TokenCache, TokenFetcher, TokenSource};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;
use common::{auth, cache, config_at_t, fast_retry, numbered_tokens};

/// A fetcher that takes 100 ms, counts its calls and the calls it finished, and fails or
/// succeeds as told.
#[derive(Debug, Default)]
struct SlowFetcher {
    started: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
    fail: bool,
}

impl TokenFetcher for SlowFetcher {
    fn fetch<'a>(&'a self, _: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(async move {
            self.started.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(100)).await;
            self.finished.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                return Err(AuthError::InvalidConfig(
                    "the fetcher was told to fail".into(),
                ));
            }
            Ok(Token::new("slow-token")?.expires_in(Duration::from_secs(3600)))
        })
    }
}

/// Defect 1: a caller that arrived while a fetch was in flight sent its own token request
/// right after that fetch failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_arriving_during_a_failing_fetch_shares_its_failure() {
    let fetcher = SlowFetcher {
        fail: true,
        ..SlowFetcher::default()
    };
    let started = Arc::clone(&fetcher.started);
    let cache = Arc::new(TokenCache::new(fetcher));
    let first = tokio::spawn({
        let cache = Arc::clone(&cache);
        async move { cache.token().await.map(|_| ()) }
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    let second = tokio::spawn({
        let cache = Arc::clone(&cache);
        async move { cache.token().await.map(|_| ()) }
    });
    assert!(first.await.expect("join").is_err());
    assert!(second.await.expect("join").is_err());
    assert_eq!(
        started.load(Ordering::SeqCst),
        1,
        "one fetch for both callers"
    );
}

/// Defect 2: the fetch ran inside the first caller's future, so dropping that caller cancelled
/// it (a rotated refresh token could be spent and never stored).
#[tokio::test]
async fn dropping_the_caller_does_not_cancel_the_fetch() {
    let fetcher = SlowFetcher::default();
    let (started, finished) = (Arc::clone(&fetcher.started), Arc::clone(&fetcher.finished));
    let cache = TokenCache::new(fetcher);
    let gave_up = tokio::time::timeout(Duration::from_millis(10), cache.token()).await;
    assert!(gave_up.is_err(), "the caller timed out");
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(
        finished.load(Ordering::SeqCst),
        1,
        "the fetch ran to its end"
    );
    cache.token().await.expect("the stored token");
    assert_eq!(started.load(Ordering::SeqCst), 1, "and its token was kept");
}

/// Defect 3a: `Retry-After: 18446744073709551615` overflowed the retry budget sum.
#[tokio::test]
async fn a_huge_retry_after_does_not_panic() {
    let server = MockServer::start_async().await;
    numbered_tokens(&server).await;
    server
        .mock_async(|when, then| {
            when.path("/data");
            // Slow enough that the time already spent plus the asked wait overflows.
            then.status(503)
                .header("retry-after", "18446744073709551615")
                .delay(Duration::from_millis(1_100));
        })
        .await;
    let auth = auth(&server, fast_retry());
    let mut request = Request::new(Method::GET, server.url("/data").parse().expect("url"));
    auth.prepare(&mut request).await.expect("token");
    let response = auth
        .execute(&reqwest::Client::new(), request, "op")
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// Defect 3b: `"expires_in": 1e300` overflowed the expiry `Instant`.
#[tokio::test]
async fn a_huge_expires_in_does_not_panic() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"{"access_token":"tok","expires_in":1e300}"#);
        })
        .await;
    let cache = cache(config_at_t(&server));
    cache.token().await.expect("a token with a capped lifetime");
}

/// Defect 4a: a token answer that is not JSON showed the access token in the error.
#[tokio::test]
async fn a_non_json_token_answer_does_not_show_the_token() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("access_token=sekretvalue&token_type=bearer");
        })
        .await;
    let cache = cache(config_at_t(&server));
    let err = cache.token().await.expect_err("not JSON");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("sekretvalue"), "{shown}");
}

/// Defect 8a: a 503 from the token endpoint was called a refusal.
#[tokio::test]
async fn a_503_from_the_token_endpoint_is_not_a_refusal() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(503).body("<html>maintenance</html>");
        })
        .await;
    let cache = cache(config_at_t(&server));
    let err = cache.token().await.expect_err("unavailable");
    assert!(!err.is_rejected(), "{err:?}");
    assert!(err.is_unavailable(), "{err:?}");
}

// Defect 8b is `a_503_during_a_refresh_does_not_sign_in_again` in token_flow.rs.

/// Defect 8c: an envelope answer `{"error": null, "data": {...}}` was read as a refusal.
#[tokio::test]
async fn a_null_error_field_in_an_envelope_is_not_a_refusal() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(200).json_body(
                json!({"error": null, "status": 200, "data": {"access_token": "tok-e", "expires_in": 60}}),
            );
        })
        .await;
    let cache = cache(config_at_t(&server).envelope("data"));
    cache.token().await.expect("the enveloped token");
}

/// A one-route HTTP/1.1 server that counts its connections: the first request gets a 401
/// with a 40 KB body (more than the client reads ahead), every later one a 200.
async fn counting_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/data", listener.local_addr().expect("addr"));
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let requests = Arc::clone(&requests);
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 1024];
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        buffer.drain(..end + 4);
                        let (status, body) = if requests.fetch_add(1, Ordering::SeqCst) == 0 {
                            (
                                "401 Unauthorized",
                                format!(r#"{{"message":"{}"}}"#, "x".repeat(40_000)),
                            )
                        } else {
                            ("200 OK", r#"{"ok":true}"#.to_owned())
                        };
                        let answer = format!(
                            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if socket.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, connections)
}

/// Defect 10a: after a 401 the unread answer kept its connection while the new token was
/// fetched, so the resend had to open a second one.
#[tokio::test]
async fn the_401_answer_gives_back_its_connection_before_the_resend() {
    let tokens = MockServer::start_async().await;
    numbered_tokens(&tokens).await;
    let (url, connections) = counting_server().await;
    let auth = auth(&tokens, fast_retry());
    let http = reqwest::Client::new();
    let mut request = Request::new(Method::GET, url.parse().expect("url"));
    auth.prepare(&mut request).await.expect("token");
    let response = auth.execute(&http, request, "op").await.expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "the resend reused the connection"
    );
}

/// A token endpoint that hands out `token` (short and without digits: shape rules miss it).
async fn token_server(token: &'static str) -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/token");
            then.status(200)
                .json_body(json!({"access_token": token, "expires_in": 3600}));
        })
        .await;
    server
}

/// Prepares and sends `request` as a generated call does, returning the answer as
/// progenitor's error for an undocumented status.
async fn send_as_generated(
    auth: &sdk_auth::Auth,
    mut request: Request,
) -> Result<(), progenitor_client::Error<()>> {
    auth.prepare(&mut request).await.expect("token");
    let response = auth.execute(&reqwest::Client::new(), request, "op").await;
    Err(progenitor_client::Error::UnexpectedResponse(
        response.expect("answer"),
    ))
}

/// Defect 4b: an API error body that echoed a short bearer showed it in the error.
#[tokio::test]
async fn an_error_body_echoing_a_short_token_is_redacted_by_value() {
    let server = token_server("shorttok").await;
    server
        .mock_async(|when, then| {
            when.path("/data");
            then.status(500)
                .body(r#"{"message":"token shorttok is not valid here"}"#);
        })
        .await;
    let auth = auth(&server, fast_retry());
    let request = Request::new(Method::GET, server.url("/data").parse().expect("url"));
    let (result, record) = sdk_auth::runtime::capture(send_as_generated(&auth, request)).await;
    let err = sdk_auth::Error::from_generated(result.expect_err("500"), record);
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("shorttok"), "{shown}");
    assert!(shown.contains("not valid here"), "{shown}");
    // The body a caller decodes (`api_error`) is scrubbed too, and still decodes.
    let body = String::from_utf8_lossy(err.body().expect("an Api error")).into_owned();
    assert!(!body.contains("shorttok"), "{body}");
    let decoded: serde_json::Value = err.api_error().expect("still JSON");
    assert_eq!(decoded["message"], "token [redacted] is not valid here");
}

/// Defect 7b: inside one typed scope, the auth error of an earlier call overrode the error
/// of a later call.
#[tokio::test]
async fn an_earlier_auth_error_does_not_override_a_later_error() {
    let refusing = MockServer::start_async().await;
    refusing
        .mock_async(|when, then| {
            when.method(POST);
            then.status(401)
                .json_body(json!({"error": "invalid_client"}));
        })
        .await;
    let server = token_server("tok").await;
    server
        .mock_async(|when, then| {
            when.path("/missing");
            then.status(404).body("{}");
        })
        .await;
    let (failing, working) = (auth(&refusing, fast_retry()), auth(&server, fast_retry()));
    let (result, record) = sdk_auth::runtime::capture(async {
        let mut first = Request::new(Method::GET, refusing.url("/x").parse().expect("url"));
        assert!(failing.prepare(&mut first).await.is_err());
        let second = Request::new(Method::GET, server.url("/missing").parse().expect("url"));
        send_as_generated(&working, second).await
    })
    .await;
    let err = sdk_auth::Error::from_generated(result.expect_err("404"), record);
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND), "{err:?}");
}
