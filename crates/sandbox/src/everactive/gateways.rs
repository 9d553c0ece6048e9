//! The gateway list, one gateway, its update, and its status histories.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::auth::Caller;
use super::body::json_object;
use super::errors::{ApiError, bad_request, not_found};
use super::fleet::Gateway;
use super::gateway_status::{self, StatusKind};
use super::{Shared, paging, window};
use crate::shared::query::Query;

/// The attributes a customer may change on a gateway.
#[derive(Clone, Debug)]
pub(crate) struct GatewaySettings {
    pub(crate) name: String,
    pub(crate) location: String,
    pub(crate) note: String,
}

impl GatewaySettings {
    /// The seeded values.
    pub(crate) fn seeded(gateway: &Gateway) -> Self {
        Self {
            name: gateway.name.clone(),
            location: gateway.location.clone(),
            note: String::new(),
        }
    }
}

fn gateway_json(gateway: &Gateway, settings: &GatewaySettings) -> Value {
    json!({
        "id": gateway.id,
        "serialNumber": gateway.serial,
        "name": settings.name,
        "location": settings.location,
        "note": settings.note,
    })
}

/// Index of the gateway named by its id or its serial number (any letter case).
fn find(state: &Shared, key: &str) -> Result<usize, ApiError> {
    state
        .fleet
        .gateways
        .iter()
        .position(|g| g.id.eq_ignore_ascii_case(key) || g.serial.eq_ignore_ascii_case(key))
        .ok_or_else(|| not_found(format!("no gateway with id or serial number {key}")))
}

fn settings(state: &Shared) -> Vec<GatewaySettings> {
    state
        .gateway_settings
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

/// `GET /ds/v1/evergateways`.
pub(crate) async fn list(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = Query::parse(raw.as_deref());
    let page = paging::requested(&query)?;
    let serial_filter = query.text("serial-number").map(str::to_ascii_uppercase);
    let descending = query.descending("sort-dir").map_err(bad_request)?;
    let sort_by = query.text("sort-by").unwrap_or("serial-number");
    if !["serial-number", "name", "location", "id"].contains(&sort_by) {
        return Err(bad_request(format!(
            "sort-by must be serial-number, name, location or id, not {sort_by:?}"
        )));
    }
    let settings = settings(&state);
    let mut rows: Vec<(&Gateway, &GatewaySettings)> = state
        .fleet
        .gateways
        .iter()
        .zip(settings.iter())
        .filter(|(g, _)| {
            serial_filter
                .as_deref()
                .is_none_or(|f| g.serial.contains(f))
        })
        .collect();
    rows.sort_by(|(ga, sa), (gb, sb)| {
        let key = |g: &Gateway, s: &GatewaySettings| match sort_by {
            "name" => s.name.to_lowercase(),
            "location" => s.location.to_lowercase(),
            "id" => g.id.clone(),
            _ => g.serial.clone(),
        };
        key(ga, sa)
            .cmp(&key(gb, sb))
            .then_with(|| ga.serial.cmp(&gb.serial))
    });
    if descending {
        rows.reverse();
    }
    Ok(paging::answer(page, &rows, |(g, s)| gateway_json(g, s)))
}

/// `GET /ds/v1/evergateways/{gatewayIdOrSerialNumber}`.
pub(crate) async fn get_one(
    State(state): State<Shared>,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let index = find(&state, &key)?;
    let settings = settings(&state);
    Ok(Json(
        json!({"data": gateway_json(&state.fleet.gateways[index], &settings[index])}),
    ))
}

/// `PUT /ds/v1/evergateways/{gatewayIdOrSerialNumber}`: a partial update of `name`,
/// `location` and `note` (a member left out stays, `null` empties it). Site Admin only.
pub(crate) async fn update(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.require_site_admin()?;
    let index = find(&state, &key)?;
    let body = json_object(&headers, &body)?;
    let mut changes: Vec<(&str, String)> = Vec::new();
    for member in ["name", "location", "note"] {
        match body.get(member) {
            None => {}
            Some(Value::Null) => changes.push((member, String::new())),
            Some(Value::String(text)) => changes.push((member, text.clone())),
            Some(_) => return Err(bad_request(format!("{member} must be a string"))),
        }
    }
    let mut all = state
        .gateway_settings
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let settings = &mut all[index];
    for (member, text) in changes {
        match member {
            "name" => settings.name = text,
            "location" => settings.location = text,
            _ => settings.note = text,
        }
    }
    Ok(Json(
        json!({"data": gateway_json(&state.fleet.gateways[index], settings)}),
    ))
}

async fn status(
    state: Shared,
    key: String,
    raw: Option<String>,
    kind: StatusKind,
) -> Result<Json<Value>, ApiError> {
    let index = find(&state, &key)?;
    let now = state.clock.now_unix();
    let (start, end) =
        window::parse(&Query::parse(raw.as_deref()), false, now).map_err(bad_request)?;
    let data = gateway_status::window(
        state.seed,
        &state.fleet.gateways[index],
        kind,
        start,
        end,
        now,
    );
    Ok(Json(json!({"data": data})))
}

/// `GET /ds/v1/evergateways/{gatewayIdOrSerialNumber}/status/v1`.
pub(crate) async fn status_v1(
    State(state): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    status(state, key, raw, StatusKind::V1).await
}

/// `GET /ds/v1/evergateways/{gatewayIdOrSerialNumber}/status/v3`.
pub(crate) async fn status_v3(
    State(state): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    status(state, key, raw, StatusKind::V3).await
}

/// `GET /ds/v1/evergateways/{gatewayIdOrSerialNumber}/status/v3/daily`.
pub(crate) async fn status_v3_daily(
    State(state): State<Shared>,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    status(state, key, raw, StatusKind::V3Daily).await
}
