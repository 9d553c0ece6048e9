//! Health, the sensor list and sensor readings.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};

use super::errors::{ApiError, bad_request, not_found};
use super::fleet::{Sensor, sensor_json};
use super::{Shared, paging, readings, window};
use crate::shared::query::Query;

/// `GET /ds/v1/health`.
pub(crate) async fn health() -> Json<Value> {
    Json(json!({"ok": true, "version": concat!("sandbox-", env!("CARGO_PKG_VERSION"))}))
}

/// `GET /ds/v1/eversensors`: filters, sort, one page.
pub(crate) async fn list(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = Query::parse(raw.as_deref());
    let page = paging::requested(&query)?;
    let mac_filter = query.text("mac-address").map(str::to_ascii_lowercase);
    let devkit = query.boolean("devkitBundled").map_err(bad_request)?;
    let family = query.text("type");
    let descending = query.descending("sort-dir").map_err(bad_request)?;
    let key: fn(&Sensor) -> (String, String) = match query.text("sort-by").unwrap_or("mac-address")
    {
        "mac-address" => |s| (s.mac.clone(), String::new()),
        "type" => |s| (s.family.type_name().to_owned(), s.mac.clone()),
        other => {
            return Err(bad_request(format!(
                "sort-by must be mac-address or type, not {other:?}"
            )));
        }
    };
    let mut sensors: Vec<&Sensor> = state
        .fleet
        .sensors
        .iter()
        .filter(|s| mac_filter.as_deref().is_none_or(|f| s.mac.contains(f)))
        .filter(|s| devkit.is_none_or(|d| s.devkit == d))
        .filter(|s| family.is_none_or(|t| s.family.type_name().eq_ignore_ascii_case(t)))
        .collect();
    sensors.sort_by_key(|s| key(s));
    if descending {
        sensors.reverse();
    }
    let now = state.clock.now_unix();
    Ok(paging::answer(page, &sensors, |s| {
        let last = readings::latest(state.seed, &state.fleet, s, now);
        sensor_json(&state.fleet, s, now, last)
    }))
}

/// `GET /ds/v1/eversensors/{mac}/readings?start-time=&end-time=`.
pub(crate) async fn readings(
    State(state): State<Shared>,
    Path(mac): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let sensor = state.fleet.sensor(&mac).ok_or_else(|| no_sensor(&mac))?;
    let now = state.clock.now_unix();
    let (start, end) =
        window::parse(&Query::parse(raw.as_deref()), true, now).map_err(bad_request)?;
    let data = readings::window(state.seed, &state.fleet, sensor, start, end, now);
    Ok(Json(json!({"data": data})))
}

/// `GET /ds/v1/eversensors/{mac}/readings/last`.
pub(crate) async fn last_reading(
    State(state): State<Shared>,
    Path(mac): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let sensor = state.fleet.sensor(&mac).ok_or_else(|| no_sensor(&mac))?;
    let now = state.clock.now_unix();
    let reading = readings::latest(state.seed, &state.fleet, sensor, now)
        .ok_or_else(|| not_found(format!("sensor {mac} has not reported any reading")))?;
    Ok(Json(json!({"data": reading})))
}

fn no_sensor(mac: &str) -> ApiError {
    not_found(format!("no sensor with MAC address {mac}"))
}
