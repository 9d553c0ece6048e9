//! The public fetcher toolkit is enough to write a vendor's own sign-in: an IoTConnect-style
//! fetcher (a basic token, then a JSON login with `Basic` and `solution-key` headers, refresh
//! with `refreshtoken`) written here with nothing but the public API of `sdk-auth`.

use std::fmt;
use std::time::Duration;

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use sdk_auth::fetch::{
    HttpSettings, TokenAnswer, refresh_or_sign_in, rejection, send_token_request,
};
use sdk_auth::{
    Auth, AuthError, BoxFuture, Error, ExposeSecret, RetryPolicy, SecretString, Token, TokenCache,
    TokenFetcher, TokenSource,
};
use serde_json::{Value, json};
use tracing_subscriber::fmt::format::FmtSpan;

mod common;
use common::capture_logs;

const USERNAME: &str = "jane@example.com";
/// Letters only, so no shape rule can mistake them for credentials: only redaction by value
/// keeps them out of messages.
const PASSWORD: &str = "opensesamepassword";
const SOLUTION_KEY: &str = "solutionkeyalpha";
const BASIC_TOKEN: &str = "basic-abc";

/// A vendor sign-in written against the public toolkit only.
struct IotConnectFetcher {
    http: reqwest::Client,
    base: String,
    username: String,
    password: SecretString,
    solution_key: SecretString,
}

impl IotConnectFetcher {
    fn new(server: &MockServer, settings: &HttpSettings) -> Self {
        Self {
            http: settings.token_client().expect("token client"),
            base: server.base_url(),
            username: USERNAME.into(),
            password: SecretString::from(PASSWORD),
            solution_key: SecretString::from(SOLUTION_KEY),
        }
    }

    /// Step 1: `GET /auth/basic-token` answers `{"data": "<basic token>"}`.
    async fn basic_token(&self) -> Result<String, AuthError> {
        let reply =
            send_token_request(self.http.get(format!("{}/auth/basic-token", self.base))).await?;
        let value: Value =
            serde_json::from_slice(&reply.body).map_err(|_| AuthError::MalformedResponse {
                status: reply.status.as_u16(),
                detail: "the basic token answer is not JSON".into(),
            })?;
        value
            .get("data")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| AuthError::MalformedResponse {
                status: reply.status.as_u16(),
                detail: "no `data` string in the basic token answer".into(),
            })
    }

    /// Step 2: the JSON login with the basic token and the solution key as headers.
    async fn sign_in(&self) -> Result<Token, AuthError> {
        let basic = self.basic_token().await?;
        let request = self
            .http
            .post(format!("{}/auth/login", self.base))
            .header("authorization", format!("Basic {basic}"))
            .header("solution-key", self.solution_key.expose_secret())
            .json(&json!({
                "username": self.username,
                "password": self.password.expose_secret(),
            }));
        let reply = send_token_request(request).await?;
        TokenAnswer::parse(reply.status.as_u16(), &reply.body, Some("data"))?
            .into_token(Duration::from_secs(3600))
    }

    /// The refresh: `POST /auth/refresh-token` with `{"refreshtoken": ...}`.
    async fn refresh(&self, refresh: SecretString) -> Result<Token, AuthError> {
        let request = self
            .http
            .post(format!("{}/auth/refresh-token", self.base))
            .header("solution-key", self.solution_key.expose_secret())
            .json(&json!({"refreshtoken": refresh.expose_secret()}));
        let reply = send_token_request(request).await?;
        TokenAnswer::parse(reply.status.as_u16(), &reply.body, Some("data"))?
            .into_token(Duration::from_secs(3600))
    }
}

impl fmt::Debug for IotConnectFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IotConnectFetcher")
            .field("base", &self.base)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl TokenFetcher for IotConnectFetcher {
    fn fetch<'a>(&'a self, previous: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(refresh_or_sign_in(
            previous,
            |refresh| self.refresh(refresh),
            || self.sign_in(),
        ))
    }

    fn secrets(&self) -> Vec<SecretString> {
        vec![self.password.clone(), self.solution_key.clone()]
    }
}

async fn basic_token_endpoint(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET).path("/auth/basic-token");
            then.status(200)
                .json_body(json!({"data": BASIC_TOKEN, "status": 200}));
        })
        .await
}

/// The login as IoTConnect expects it: exact JSON body, both headers.
async fn login_endpoint<'a>(
    server: &'a MockServer,
    access: &str,
    expires_in: u64,
) -> httpmock::Mock<'a> {
    let body = json!({"data": {
        "access_token": access,
        "expires_in": expires_in,
        "refresh_token": "refresh-1",
        "token_type": "bearer"
    }, "status": 200, "message": "Signed in"});
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/auth/login")
                .header("authorization", format!("Basic {BASIC_TOKEN}"))
                .header("solution-key", SOLUTION_KEY)
                .header("content-type", "application/json")
                .json_body(json!({"username": USERNAME, "password": PASSWORD}));
            then.status(200).json_body(body);
        })
        .await
}

fn settings() -> HttpSettings {
    HttpSettings::new("toolkit-test/1.0").timeout(Duration::from_secs(5))
}

/// A cache that does not retry an unavailable endpoint, so call counts are exact.
fn cache(server: &MockServer) -> TokenCache {
    TokenCache::builder(IotConnectFetcher::new(server, &settings()))
        .fetch_retry(RetryPolicy::none())
        .build()
}

fn access(token: &Token) -> &str {
    token.access_token().expose_secret()
}

#[tokio::test]
async fn a_call_through_auth_carries_the_bearer_of_the_two_step_login() {
    let server = MockServer::start_async().await;
    let basic = basic_token_endpoint(&server).await;
    let login = login_endpoint(&server, "iot-access-1", 3600).await;
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/devices")
                .header("authorization", "Bearer iot-access-1");
            then.status(200).json_body(json!({"data": [], "count": 0}));
        })
        .await;
    let auth = Auth::new(cache(&server));
    let http = settings().api_client().expect("api client");
    for _ in 0..2 {
        let request = http
            .get(server.url("/api/devices"))
            .build()
            .expect("request");
        let response = auth
            .send(&http, request, "list_devices")
            .await
            .expect("the call succeeds with the fetched token");
        assert_eq!(response.status(), 200);
    }
    // Both calls shared one sign-in.
    basic.assert_calls_async(1).await;
    login.assert_calls_async(1).await;
    api.assert_calls_async(2).await;
    // The same with prepare + execute, as the generated clients do it.
    let mut request = http
        .get(server.url("/api/devices"))
        .build()
        .expect("request");
    auth.prepare(&mut request).await.expect("prepared");
    assert_eq!(request.headers()["authorization"], "Bearer iot-access-1");
    let response = auth
        .execute(&http, request, "list_devices")
        .await
        .expect("executed");
    assert_eq!(response.status(), 200);
    api.assert_calls_async(3).await;
    login.assert_calls_async(1).await;
}

/// Signs in once with a token born stale (`expires_in: 0`), so the next `token()` refreshes.
async fn stale_token_then(server: &MockServer) -> (TokenCache, httpmock::Mock<'_>) {
    basic_token_endpoint(server).await;
    let login = login_endpoint(server, "iot-access-1", 0).await;
    let cache = cache(server);
    let first = cache.token().await.expect("signed in");
    assert_eq!(access(&first), "iot-access-1");
    login.assert_calls_async(1).await;
    (cache, login)
}

#[tokio::test]
async fn a_rejected_refresh_token_leads_to_a_fresh_login() {
    let server = MockServer::start_async().await;
    let (cache, login) = stale_token_then(&server).await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/auth/refresh-token")
                .header("solution-key", SOLUTION_KEY)
                .json_body(json!({"refreshtoken": "refresh-1"}));
            then.status(400).json_body(
                json!({"error": "invalid_grant", "error_description": "refresh token expired"}),
            );
        })
        .await;
    let second = cache.token().await.expect("signed in again");
    assert_eq!(access(&second), "iot-access-1");
    assert!(second.generation() > 1, "a new token, not the stale one");
    refresh.assert_calls_async(1).await;
    login.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_unavailable_refresh_endpoint_does_not_sign_in_again() {
    let server = MockServer::start_async().await;
    let (cache, login) = stale_token_then(&server).await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST).path("/auth/refresh-token");
            then.status(503)
                .header("retry-after", "1")
                .body("<html>maintenance</html>");
        })
        .await;
    let err = cache
        .token()
        .await
        .expect_err("the refresh endpoint is down");
    assert!(err.is_unavailable(), "{err:?}");
    assert_eq!(err.status(), Some(503));
    refresh.assert_calls_async(1).await;
    login.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refresh_answer_without_a_refresh_token_keeps_the_old_one() {
    let server = MockServer::start_async().await;
    let (cache, login) = stale_token_then(&server).await;
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/auth/refresh-token")
                .json_body(json!({"refreshtoken": "refresh-1"}));
            then.status(200)
                .json_body(json!({"data": {"access_token": "iot-access-2", "expires_in": "0"}}));
        })
        .await;
    let second = cache.token().await.expect("refreshed");
    assert_eq!(access(&second), "iot-access-2");
    // Stale again: the kept refresh token is sent once more.
    let third = cache.token().await.expect("refreshed again");
    assert_eq!(access(&third), "iot-access-2");
    refresh.assert_calls_async(2).await;
    login.assert_calls_async(1).await;
}

fn assert_no_credential(what: &str, text: &str) {
    for secret in [PASSWORD, SOLUTION_KEY] {
        assert!(!text.contains(secret), "{what} leaks {secret}:\n{text}");
    }
}

#[tokio::test]
async fn a_refused_login_echoing_the_credentials_is_scrubbed_by_value() {
    let (captured, _guard) = capture_logs(tracing::Level::TRACE, FmtSpan::NONE);

    let server = MockServer::start_async().await;
    basic_token_endpoint(&server).await;
    let login = server
        .mock_async(|when, then| {
            when.method(POST).path("/auth/login");
            then.status(401).json_body(json!({
                "error": "invalid_credentials",
                "error_description": format!("password {PASSWORD} does not match solution key {SOLUTION_KEY}"),
                "status": 401
            }));
        })
        .await;
    let auth = Auth::new(cache(&server));
    let http = settings().api_client().expect("api client");
    let request = http
        .get(server.url("/api/devices"))
        .build()
        .expect("request");
    let err = auth
        .send(&http, request, "list_devices")
        .await
        .expect_err("refused");
    login.assert_calls_async(1).await;
    let Error::Auth(auth_err) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(auth_err.is_rejected(), "{auth_err:?}");
    assert_eq!(auth_err.oauth_code(), Some("invalid_credentials"));
    let shown = format!("{err} | {err:?} | {auth_err} | {auth_err:?}");
    // The description came through, with the credentials cut out of it.
    assert!(shown.contains("does not match"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    assert_no_credential("the error", &shown);
    // The cached rejection is handed out scrubbed as well.
    let again = auth.token().await.expect_err("cool-down");
    assert_no_credential("the cached rejection", &format!("{again} {again:?}"));
    assert_no_credential("the auth handle", &format!("{auth:?}"));
    assert_no_credential("the logs", &captured.text());
}

#[tokio::test]
async fn a_refused_refresh_echoing_the_credentials_stays_out_of_the_logs() {
    let (captured, _guard) = capture_logs(tracing::Level::TRACE, FmtSpan::NONE);

    let server = MockServer::start_async().await;
    let (cache, login) = stale_token_then(&server).await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/auth/refresh-token");
            then.status(400).json_body(json!({
                "error": "invalid_grant",
                "error_description": format!("refresh refused for solution key {SOLUTION_KEY}")
            }));
        })
        .await;
    cache.token().await.expect("signed in again");
    login.assert_calls_async(2).await;
    let logs = captured.text();
    assert!(
        logs.contains("signing in again"),
        "the scenario must log:\n{logs}"
    );
    assert_no_credential("the logs", &logs);
}

#[tokio::test]
async fn the_token_client_does_not_follow_a_redirect() {
    let server = MockServer::start_async().await;
    let target = server.url("/elsewhere/login");
    let redirect = server
        .mock_async(|when, then| {
            when.method(POST).path("/auth/login");
            then.status(302).header("location", target.as_str());
        })
        .await;
    let elsewhere = server
        .mock_async(|when, then| {
            when.path("/elsewhere/login");
            then.status(200)
                .json_body(json!({"data": {"access_token": "stolen"}}));
        })
        .await;
    let tokens = settings().token_client().expect("token client");
    let err = send_token_request(
        tokens
            .post(server.url("/auth/login"))
            .json(&json!({"username": USERNAME, "password": PASSWORD})),
    )
    .await
    .expect_err("a redirect is not a token answer");
    assert!(err.is_rejected(), "{err:?}");
    assert_eq!(err.status(), Some(302));
    assert!(err.to_string().contains("redirect"), "{err}");
    assert_no_credential("the error", &format!("{err} {err:?}"));
    redirect.assert_calls_async(1).await;
    elsewhere.assert_calls_async(0).await;

    // Control: the API client follows it, so the mock set-up above does redirect.
    let api = settings().api_client().expect("api client");
    let followed = api
        .post(server.url("/auth/login"))
        .send()
        .await
        .expect("followed");
    assert_eq!(followed.status(), 200);
    elsewhere.assert_calls_async(1).await;

    // `rejection` says the same for any redirect status.
    for status in [301u16, 302, 303, 307, 308] {
        let code = reqwest::StatusCode::from_u16(status).expect("status");
        let err = rejection(code, &reqwest::header::HeaderMap::new(), b"");
        assert!(err.is_rejected(), "{status}: {err:?}");
        assert!(err.to_string().contains("redirect"), "{status}: {err}");
    }
}
