//! Helpers shared by the sandbox tests: a started sandbox, a plain HTTP client, tokens, and a
//! loopback receiver for webhook deliveries.

#![allow(dead_code)] // Each test binary uses a different part.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use reqwest::{Client, Response};
use sdk_sandbox::{RunningSandbox, Sandbox, SandboxBuilder};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// The small fleet most tests use: six sensors (the last one silent), two gateways, no
/// delivery timer.
pub fn builder() -> SandboxBuilder {
    Sandbox::builder()
        .seed(7)
        .everactive_fleet(6, 2)
        .everactive_delivery_interval(None)
}

pub async fn start() -> RunningSandbox {
    builder().start().await.expect("the sandbox starts")
}

/// A sandbox with one sensor and one gateway, no delivery timer: one delivery per round.
pub async fn start_one_of_each() -> RunningSandbox {
    builder()
        .everactive_fleet(1, 1)
        .start()
        .await
        .expect("the sandbox starts")
}

pub fn http() -> Client {
    Client::new()
}

/// A token for the full-privilege demo client.
pub async fn token(sandbox: &RunningSandbox) -> String {
    let (id, secret) = sandbox.everactive_credentials();
    token_for(sandbox, id, secret).await
}

pub async fn token_for(sandbox: &RunningSandbox, id: &str, secret: &str) -> String {
    let response = token_response_for(sandbox, id, secret).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("token JSON");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// POSTs `form` to the token endpoint under `url`, whatever it answers.
pub async fn post_token(url: &str, form: &[(&str, &str)]) -> Response {
    http()
        .post(format!("{url}/auth/token"))
        .form_body(form)
        .send()
        .await
        .expect("token request")
}

/// The token endpoint's answer to a client-credentials request for `id` and `secret`.
pub async fn token_response_for(sandbox: &RunningSandbox, id: &str, secret: &str) -> Response {
    post_token(
        sandbox.everactive_url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await
}

/// The token endpoint's answer to a client-credentials request of the demo client.
pub async fn token_response(sandbox: &RunningSandbox) -> Response {
    let (id, secret) = sandbox.everactive_credentials();
    token_response_for(sandbox, id, secret).await
}

/// GET `<everactive>/ds/v1<path>` with a bearer token.
pub async fn api_get(sandbox: &RunningSandbox, token: &str, path: &str) -> Response {
    http()
        .get(format!("{}/ds/v1{path}", sandbox.everactive_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("API request")
}

/// Sends `method` to `<everactive>/ds/v1<path>` with a bearer token and an optional JSON body;
/// returns the status, the JSON body (`null` when there is none) and the headers.
pub async fn api_send(
    sandbox: &RunningSandbox,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value, HeaderMap) {
    let mut request = http()
        .request(method, format!("{}/ds/v1{path}", sandbox.everactive_url()))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        headers,
    )
}

/// Creates a webhook subscription from `body`; returns what `api_send` returns.
pub async fn create_webhook(
    sandbox: &RunningSandbox,
    token: &str,
    body: Value,
) -> (u16, Value, HeaderMap) {
    api_send(
        sandbox,
        token,
        reqwest::Method::POST,
        "/webhooks",
        Some(body),
    )
    .await
}

/// Subscribes `callback_url` to the sensor readings, enabled.
pub async fn subscribe_to_readings(sandbox: &RunningSandbox, token: &str, callback_url: &str) {
    create_webhook(
        sandbox,
        token,
        json!({"callbackUrl": callback_url, "eventType": "sensor_reading", "enabled": true}),
    )
    .await;
}

/// The status and JSON body of a GET.
pub async fn api_json(sandbox: &RunningSandbox, token: &str, path: &str) -> (u16, Value) {
    let response = api_get(sandbox, token, path).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A JSON request to the admin API.
pub async fn admin(
    sandbox: &RunningSandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http().request(method, format!("{}{path}", sandbox.admin_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("admin request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// One request a receiver got.
#[derive(Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

/// A loopback webhook receiver answering `status`; returns its base URL and what it receives.
pub async fn receiver(status: StatusCode) -> (String, mpsc::UnboundedReceiver<Received>) {
    let (sender, received) = mpsc::unbounded_channel();
    let handler = move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
        let sender = sender.clone();
        async move {
            let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let _ = sender.send(Received {
                path: uri.path().to_owned(),
                headers,
                body,
            });
            status
        }
    };
    let router = Router::new()
        .route("/", post(handler.clone()))
        .route("/{*rest}", post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("receiver binds");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (url, received)
}

/// Everything received so far, waiting up to a second for at least `n` requests.
pub async fn collect(received: &mut mpsc::UnboundedReceiver<Received>, n: usize) -> Vec<Received> {
    let mut all = Vec::new();
    while all.len() < n {
        match tokio::time::timeout(Duration::from_secs(1), received.recv()).await {
            Ok(Some(r)) => all.push(r),
            _ => break,
        }
    }
    while let Ok(r) = received.try_recv() {
        all.push(r);
    }
    all
}

/// A form body without reqwest's `form` feature (kept off so the workspace builds reqwest once).
pub trait FormExt {
    /// Sends `pairs` as `application/x-www-form-urlencoded`.
    fn form_body(self, pairs: &[(&str, &str)]) -> Self;
}

impl FormExt for reqwest::RequestBuilder {
    fn form_body(self, pairs: &[(&str, &str)]) -> Self {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    }
}
