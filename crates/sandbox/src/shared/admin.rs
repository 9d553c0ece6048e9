//! The admin API: a loopback-only listener of its own, without vendor auth.
//!
//! Shared routes: `GET /_admin`, the clock, and for every vendor `faults`, `stats` and
//! `tokens/expire` under `/_admin/<vendor>/`. A vendor adds its own routes (webhook delivery,
//! for instance) under the same prefix.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, routing::MethodRouter};
use serde_json::{Map, Value, json};

use super::clock::Clock;
use super::vendor::VendorControls;

/// One vendor as the admin API shows it.
pub(crate) struct AdminVendor {
    /// The vendor's controls.
    pub(crate) controls: VendorControls,
    /// What `GET /_admin` lists for it (base URL, credentials, ...).
    pub(crate) summary: Value,
    /// Routes of its own, relative to `/_admin/<vendor>`.
    pub(crate) routes: Router,
}

/// An admin answer for a refused request: `{"error": "..."}`.
pub(crate) fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// Reads an optional JSON body: empty means `{}`; otherwise the refusal's message.
fn json_body(body: &Bytes) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))
}

/// The whole admin router.
pub(crate) fn router(seed: u64, clock: Clock, vendors: Vec<AdminVendor>) -> Router {
    let summaries: Map<String, Value> = vendors
        .iter()
        .map(|v| (v.controls.name().to_owned(), v.summary.clone()))
        .collect();
    let overview_clock = clock.clone();
    let overview = move || {
        let clock = overview_clock.clone();
        let vendors = summaries.clone();
        async move {
            Json(json!({
                "seed": seed,
                "clock": clock_json(&clock),
                "vendors": vendors,
            }))
        }
    };
    let mut router = Router::new()
        .route("/_admin", get(overview))
        .route("/_admin/clock", get(get_clock))
        .route("/_admin/clock/advance", post(advance_clock))
        .with_state(clock);
    for vendor in vendors {
        let prefix = format!("/_admin/{}", vendor.controls.name());
        router = router.nest(&prefix, vendor_routes(vendor.controls).merge(vendor.routes));
    }
    router.fallback(|| async { admin_error(StatusCode::NOT_FOUND, "no such admin endpoint") })
}

fn vendor_routes(controls: VendorControls) -> Router {
    let faults: MethodRouter<VendorControls> = get(get_faults).put(put_faults).delete(reset_faults);
    Router::new()
        .route("/faults", faults)
        .route("/stats", get(get_stats).delete(reset_stats))
        .route("/tokens/expire", post(expire_tokens))
        .with_state(controls)
}

fn clock_json(clock: &Clock) -> Value {
    json!({"now": clock.now_unix(), "offset_secs": clock.offset().as_secs()})
}

async fn get_clock(State(clock): State<Clock>) -> Json<Value> {
    Json(clock_json(&clock))
}

async fn advance_clock(State(clock): State<Clock>, body: Bytes) -> Response {
    let body = match json_body(&body) {
        Ok(body) => body,
        Err(message) => return admin_error(StatusCode::BAD_REQUEST, message),
    };
    let Some(seconds) = body.get("seconds").and_then(Value::as_u64) else {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "send {\"seconds\": N} with a whole number N >= 0",
        );
    };
    clock.advance(Duration::from_secs(seconds));
    Json(clock_json(&clock)).into_response()
}

async fn get_faults(State(controls): State<VendorControls>) -> Response {
    Json(controls.faults()).into_response()
}

async fn put_faults(State(controls): State<VendorControls>, body: Bytes) -> Response {
    let patch = match json_body(&body) {
        Ok(patch) => patch,
        Err(message) => return admin_error(StatusCode::BAD_REQUEST, message),
    };
    let merged = match controls.faults().merged(&patch) {
        Ok(merged) => merged,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    if let Err(e) = controls.set_faults(merged) {
        return admin_error(StatusCode::BAD_REQUEST, e.to_string());
    }
    Json(controls.faults()).into_response()
}

async fn reset_faults(State(controls): State<VendorControls>) -> Response {
    controls.reset_faults();
    Json(controls.faults()).into_response()
}

async fn get_stats(State(controls): State<VendorControls>) -> Response {
    Json(controls.stats()).into_response()
}

async fn reset_stats(State(controls): State<VendorControls>) -> Response {
    controls.reset_stats();
    Json(controls.stats()).into_response()
}

async fn expire_tokens(State(controls): State<VendorControls>) -> Response {
    Json(json!({"expired": controls.expire_tokens()})).into_response()
}
