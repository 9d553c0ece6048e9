//! A token source from outside `sdk-auth` (here: a fixed token, as from a secret store or a
//! sidecar) plugged into a generated client, and the 401 contract it sees.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use everactive_sdk::{Auth, Client};
use httpmock::MockServer;
use sdk_auth::{AuthError, BoxFuture, ExposeSecret, Token, TokenSource};
use serde_json::json;

/// Hands out `rotated-N`, moving to the next token whenever the current one is invalidated.
#[derive(Debug, Default)]
struct Rotating {
    generation: AtomicUsize,
    invalidated: Mutex<Vec<String>>,
}

impl TokenSource for Rotating {
    fn token(&self) -> BoxFuture<'_, Result<Arc<Token>, AuthError>> {
        Box::pin(async move {
            let n = self.generation.load(Ordering::SeqCst);
            let token = Token::new(format!("rotated-{n}"))?.expires_in(Duration::from_secs(3600));
            Ok(Arc::new(token))
        })
    }

    fn invalidate(&self, token: &Token) {
        let shown = token.access_token().expose_secret().to_owned();
        self.invalidated.lock().expect("log").push(shown);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_custom_source_is_used_and_told_about_a_401() {
    let server = MockServer::start_async().await;
    let stale = server
        .mock_async(|when, then| {
            when.path("/ds/v1/health")
                .header("authorization", "Bearer rotated-0");
            then.status(401);
        })
        .await;
    let fresh = server
        .mock_async(|when, then| {
            when.path("/ds/v1/health")
                .header("authorization", "Bearer rotated-1");
            then.status(200)
                .json_body(json!({"ok": true, "version": "abc"}));
        })
        .await;
    let source = Arc::new(Rotating::default());
    let auth = Auth::from_shared(Arc::clone(&source) as Arc<dyn TokenSource>);
    let client = Client::new_with_client(&server.base_url(), reqwest::Client::new(), auth);

    let health = client
        .get_health()
        .send()
        .await
        .expect("second token works");
    assert!(health.ok);
    stale.assert_calls_async(1).await;
    fresh.assert_calls_async(1).await;
    assert_eq!(
        *source.invalidated.lock().expect("log"),
        vec!["rotated-0".to_owned()]
    );
}

#[tokio::test]
async fn two_clients_share_one_token_source() {
    let server = MockServer::start_async().await;
    let api = server
        .mock_async(|when, then| {
            when.path("/ds/v1/health")
                .header("authorization", "Bearer rotated-0");
            then.status(200).json_body(json!({"ok": true}));
        })
        .await;
    let source: Arc<dyn TokenSource> = Arc::new(Rotating::default());
    let a = Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        Auth::from_shared(Arc::clone(&source)),
    );
    let b = Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        Auth::from_shared(source),
    );
    a.get_health().send().await.expect("a");
    b.get_health().send().await.expect("b");
    api.assert_calls_async(2).await;
}
