//! IoTConnect's own admin routes: revoking refresh tokens.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};

use super::Shared;

/// Routes under `/_admin/iotconnect`.
pub(crate) fn routes(state: Shared) -> Router {
    Router::new()
        .route("/refresh-tokens/revoke", post(revoke))
        .with_state(state)
}

/// `POST /_admin/iotconnect/refresh-tokens/revoke`: `{"revoked": N}`.
async fn revoke(State(state): State<Shared>) -> Json<Value> {
    Json(json!({"revoked": state.controls.revoke_refresh_tokens()}))
}
