//! Defects later reads of the `sdk-auth` rewrite found, one test each; every one of them
//! failed before its fix.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::MockServer;
use reqwest::header::HeaderMap;
use reqwest::{Method, Request, StatusCode};
use sdk_auth::{
    Auth, AuthError, BoxFuture, Classifier, Outcome, StaticToken, Token, TokenCache, TokenFetcher,
    TokenSource, Verdict,
};

mod common;
use common::numbered_tokens;

#[derive(Debug, Default)]
struct PanicsOnce {
    calls: Arc<AtomicUsize>,
}
impl TokenFetcher for PanicsOnce {
    fn fetch<'a>(&'a self, _: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(async move {
            if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("bug in a vendor fetcher");
            }
            Ok(Token::new("good-token")?.expires_in(Duration::from_secs(3600)))
        })
    }
}

/// R1: one panic in the fetch task leaves `state.flight` set to a finished Shared future
/// forever: every later call gets "the token fetch task ended abnormally".
#[tokio::test]
async fn a_panicking_fetch_does_not_break_the_cache_forever() {
    let cache = TokenCache::new(PanicsOnce::default());
    assert!(cache.token().await.is_err());
    let second = cache.token().await;
    assert!(second.is_ok(), "cache is stuck: {second:?}");
}

#[derive(Debug, Default)]
struct Slow;
impl TokenFetcher for Slow {
    fn fetch<'a>(&'a self, _: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            Ok(Token::new("good-token")?.expires_in(Duration::from_secs(3600)))
        })
    }
}

/// R2: a client used from a runtime that is dropped mid-fetch (block_on per call, a static
/// client shared by #[tokio::test]s) is broken for good.
#[test]
fn a_runtime_dropped_mid_fetch_does_not_break_the_cache() {
    let cache = TokenCache::builder(Slow)
        .wait_limit(Some(Duration::from_millis(10)))
        .build();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert!(rt.block_on(cache.token()).is_err(), "wait limit");
    drop(rt);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let again = rt.block_on(async {
        // The first fetch died with its runtime; this call starts one on the new runtime
        // (and gives up after its 10 ms), the next one gets its token.
        let _ = cache.token().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        cache.token().await
    });
    assert!(again.is_ok(), "cache is stuck: {again:?}");
}

#[derive(Debug)]
struct Wants2xx;
impl Classifier for Wants2xx {
    fn wants_body(&self, status: StatusCode, _: &HeaderMap) -> bool {
        status.is_success()
    }
    fn classify(&self, _: &Outcome<'_>, verdict: Verdict) -> Verdict {
        verdict
    }
}

/// R3: a classifier that asks for 2xx bodies (ExtraView's expired-token rule) silently
/// truncates every 2xx body to 64 KiB.
#[tokio::test]
async fn a_large_2xx_body_reaches_the_caller_whole() {
    let server = MockServer::start_async().await;
    let big = "x".repeat(200 * 1024);
    let body = big.clone();
    server
        .mock_async(move |when, then| {
            when.path("/big");
            then.status(200).body(body.clone());
        })
        .await;
    let auth = Auth::new(StaticToken::new("t0ken").unwrap()).with_classifier(Wants2xx);
    let request = Request::new(Method::GET, server.url("/big").parse().unwrap());
    let response = auth
        .send(&reqwest::Client::new(), request, "op")
        .await
        .expect("200");
    let url = response.url().to_string();
    let got = response.bytes().await.unwrap();
    assert_eq!(
        got.len(),
        big.len(),
        "truncated body handed to the caller (url now {url})"
    );
}

/// R4: without a call record (send_raw), a late 401 for an old token invalidates the newest
/// token: one extra token fetch per late 401.
#[tokio::test]
async fn a_late_401_without_a_record_does_not_invalidate_a_newer_token() {
    let server = MockServer::start_async().await;
    let tokens = numbered_tokens(&server).await;
    let rejected = server
        .mock_async(|when, then| {
            when.path("/data").header("authorization", "Bearer tok-1");
            then.status(401);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/data");
            then.status(200);
        })
        .await;
    let cache = Arc::new(common::cache(
        sdk_auth::oauth::OAuth2Config::client_credentials(&server.url("/token"), "id", "secret")
            .unwrap(),
    ));
    let auth = Auth::from_shared(cache.clone());
    let http = reqwest::Client::new();
    // A request prepared with tok-1 (outside any capture, as send_raw does) ...
    let mut request = Request::new(Method::GET, server.url("/data").parse().unwrap());
    auth.prepare(&mut request).await.unwrap();
    // ... while another call had tok-1 rejected and already got tok-2.
    let first = cache.token().await.unwrap();
    cache.invalidate(&first);
    let second = cache.token().await.unwrap();
    assert_eq!(tokens.calls_async().await, 2);
    let response = auth.execute(&http, request, "op").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    rejected.assert_calls_async(1).await;
    let after = cache.token().await.unwrap();
    assert_eq!(
        after.generation(),
        second.generation(),
        "tok-2 was thrown away"
    );
    assert_eq!(tokens.calls_async().await, 2, "an extra token fetch");
}

#[derive(Debug)]
struct Scripted {
    calls: Arc<AtomicUsize>,
    down_after: usize,
    retry_after: Option<Duration>,
}
impl TokenFetcher for Scripted {
    fn fetch<'a>(&'a self, _: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if n >= self.down_after {
                return Err(AuthError::Unavailable {
                    status: Some(429),
                    detail: "Too Many Requests".into(),
                    retry_after: self.retry_after,
                });
            }
            Ok(Token::new(format!("tok-{n}"))?.expires_in(Duration::from_secs(600)))
        })
    }
}

/// R5: a token endpoint's `Retry-After` longer than the fetch budget is never honored across
/// calls: every API call sends another token request at once.
#[tokio::test]
async fn a_429_with_retry_after_is_not_hammered() {
    let calls = Arc::new(AtomicUsize::new(0));
    let cache = TokenCache::new(Scripted {
        calls: calls.clone(),
        down_after: 0,
        retry_after: Some(Duration::from_secs(120)),
    });
    for _ in 0..5 {
        assert!(cache.token().await.is_err());
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "token requests despite Retry-After: 120"
    );
}

/// R6: inside the expiry margin, an outage of the token endpoint fails every call although
/// the token held is still valid for 50 s.
#[tokio::test]
async fn a_still_valid_token_is_used_while_the_endpoint_is_down() {
    let clock = sdk_auth::ManualClock::new();
    let cache = TokenCache::builder(Scripted {
        calls: Arc::new(AtomicUsize::new(0)),
        down_after: 1,
        retry_after: None,
    })
    .clock(clock.clone())
    .fetch_retry(sdk_auth::RetryPolicy::none())
    .build();
    cache.token().await.expect("first");
    clock.advance(Duration::from_secs(550));
    let during = cache.token().await;
    assert!(during.is_ok(), "valid token not used: {during:?}");
}

/// R7: `TokenReply` (public, derive(Debug)) prints the token answer's body, tokens included.
#[test]
fn token_reply_debug_hides_the_tokens() {
    let reply = sdk_auth::fetch::TokenReply {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: bytes::Bytes::from_static(br#"{"access_token":"eyJsecretvalue"}"#),
    };
    let shown = format!("{reply:?}");
    assert!(!shown.contains("eyJsecretvalue"), "{shown}");
}

/// R8: `CallRecord` (public, derive(Debug)) prints the raw error body.
#[test]
fn call_record_debug_hides_the_raw_body() {
    let mut record = sdk_auth::runtime::CallRecord::default();
    record.error_body = Some(bytes::Bytes::from_static(b"echo Bearer shorttok"));
    let shown = format!("{record:?}");
    assert!(!shown.contains("shorttok"), "{shown}");
}

/// A store whose save takes a while, as a file store does when the disk is slow to sync.
#[derive(Debug, Default)]
struct SlowStore;
impl sdk_auth::TokenStore for SlowStore {
    fn load(&self) -> Result<Option<Token>, AuthError> {
        Ok(None)
    }
    fn save(&self, _: &Token) -> Result<(), AuthError> {
        std::thread::sleep(Duration::from_millis(300));
        Ok(())
    }
}

/// R9: the store's save (a file write and a sync) ran on the async runtime's thread inside
/// the fetch task, so on a single-threaded runtime every other task stood still meanwhile.
#[tokio::test(flavor = "current_thread")]
async fn saving_the_token_does_not_block_the_runtime() {
    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = tokio::spawn({
        let ticks = Arc::clone(&ticks);
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(10)).await;
                ticks.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let cache = TokenCache::builder(PanicsOnce {
        calls: Arc::new(AtomicUsize::new(1)),
    })
    .store(SlowStore)
    .build();
    cache.token().await.expect("a token");
    ticker.abort();
    // 300 ms of saving leaves room for about 30 ticks; a blocked runtime allows none.
    let ticks = ticks.load(Ordering::SeqCst);
    assert!(
        ticks >= 10,
        "the runtime stood still while saving: {ticks} ticks"
    );
}

/// Hands out `<account>-<n>` tokens and says whose they are.
#[derive(Debug)]
struct OfAccount {
    account: &'static str,
    calls: Arc<AtomicUsize>,
}
impl TokenFetcher for OfAccount {
    fn fetch<'a>(&'a self, _: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Token::new(format!("{}-{n}", self.account))?.expires_in(Duration::from_secs(3600)))
        })
    }
    fn account(&self) -> Option<String> {
        Some(format!("https://auth.example.com/token {}", self.account))
    }
}

/// R10: a token store written for one account was used by a client configured for another
/// (new credentials, same file): the client acted as the old account.
#[tokio::test]
async fn a_stored_token_of_another_account_is_not_used() {
    use sdk_auth::{ExposeSecret as _, FileStore};
    let dir = std::env::temp_dir().join(format!("sdk-auth-account-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join("token.json");
    let _ = std::fs::remove_file(&path);
    let cache = |account, calls: &Arc<AtomicUsize>| {
        TokenCache::builder(OfAccount {
            account,
            calls: Arc::clone(calls),
        })
        .store(FileStore::new(&path))
        .build()
    };
    let (alice, bob) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let first = cache("alice", &alice)
        .token()
        .await
        .expect("alice signs in");
    assert_eq!(first.access_token().expose_secret(), "alice-1");
    // A restart with the same account reuses the stored token.
    let again = cache("alice", &alice).token().await.expect("stored");
    assert_eq!(again.access_token().expose_secret(), "alice-1");
    assert_eq!(alice.load(Ordering::SeqCst), 1);
    // Another account over the same file signs in as itself.
    let other = cache("bob", &bob).token().await.expect("bob signs in");
    assert_eq!(other.access_token().expose_secret(), "bob-1");
    assert_eq!(bob.load(Ordering::SeqCst), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
