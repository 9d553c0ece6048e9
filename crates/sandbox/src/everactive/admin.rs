//! Everactive's own admin routes, under `/_admin/everactive`: delivery on demand and the log
//! of attempts.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;
use super::delivery::deliver_round;

/// `POST /deliver` and `GET|DELETE /deliveries`.
pub(crate) fn routes(state: Shared) -> Router {
    Router::new()
        .route("/deliver", post(deliver))
        .route("/deliveries", get(deliveries).delete(clear_deliveries))
        .with_state(state)
}

/// Runs one delivery round now and answers its attempts.
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
