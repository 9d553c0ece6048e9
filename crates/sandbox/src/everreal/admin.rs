//! EverReal's own admin routes, under `/_admin/everreal`: events and their delivery, the
//! attempt log, refresh-token revocation and the rate-limit window.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;
use super::delivery::{deliver_round, trigger};
use crate::shared::admin::admin_error;

/// `POST /deliver`, `GET|DELETE /deliveries`, `POST /events`, `GET /pending`,
/// `POST /refresh-tokens/revoke`, `GET|DELETE /rate-limit`.
pub(crate) fn routes(state: Shared) -> Router {
    Router::new()
        .route("/deliver", post(deliver))
        .route("/deliveries", get(deliveries).delete(clear_deliveries))
        .route("/events", post(events))
        .route("/pending", get(pending))
        .route("/refresh-tokens/revoke", post(revoke))
        .route("/rate-limit", get(rate_limit).delete(reset_rate_limit))
        .with_state(state)
}

/// Delivers every pending event now and answers the attempts.
async fn deliver(State(state): State<Shared>) -> Json<Value> {
    Json(json!({"attempts": deliver_round(&state).await}))
}

/// The logged attempts, oldest first.
async fn deliveries(State(state): State<Shared>) -> Json<Value> {
    Json(json!({"attempts": state.deliveries.list()}))
}

/// Forgets the logged attempts.
async fn clear_deliveries(State(state): State<Shared>) -> Json<Value> {
    state.deliveries.clear();
    Json(json!({"attempts": []}))
}

/// `{"type": "<EVENT>", "data": {...}?}`: queues an event; `{"queued": N}`.
async fn events(State(state): State<Shared>, body: Bytes) -> Response {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "send {\"type\": \"<EVENT>\", \"data\": {...}} (data optional)",
        );
    };
    let Some(event_type) = body.get("type").and_then(Value::as_str) else {
        return admin_error(StatusCode::BAD_REQUEST, "type is required");
    };
    let data = body.get("data").filter(|d| !d.is_null()).cloned();
    match trigger(&state, event_type, data) {
        Ok(queued) => Json(json!({"queued": queued})).into_response(),
        Err(e) => admin_error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

/// How many messages wait for the next round.
async fn pending(State(state): State<Shared>) -> Json<Value> {
    Json(json!({"pending": state.outbox.len()}))
}

/// Revokes every refresh token issued so far.
async fn revoke(State(state): State<Shared>) -> Json<Value> {
    Json(json!({"revoked": state.controls.revoke_refresh_tokens()}))
}

fn window(state: &Shared) -> Json<Value> {
    let now = state.limiter.peek();
    Json(json!({"limit": now.limit, "remaining": now.remaining, "reset_secs": now.reset_secs}))
}

/// Where the per-minute budget stands.
async fn rate_limit(State(state): State<Shared>) -> Json<Value> {
    window(&state)
}

/// Opens a new window with the whole budget.
async fn reset_rate_limit(State(state): State<Shared>) -> Json<Value> {
    state.limiter.reset();
    window(&state)
}
