//! The telemetry service: the latest value per attribute, the newest N messages, and a
//! history window. Values are a function of (seed, device, time), so messages accumulate as
//! the sandbox clock moves.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Value, json};

use super::Shared;
use super::data::{
    Company, Device, MESSAGE_VERSION, attribute_value, iso, last_message, message_times,
};
use super::errors::{ApiError, envelope, invalid, no_content};

/// The longest history window (7 days).
const MAX_WINDOW_SECS: i64 = 7 * 86_400;

/// `GET /Telemetry/device/{deviceGuid}`: one `DeviceSensorDetail` per attribute with its
/// latest value (as a string); 204 for an unknown device or one that never reported.
pub(crate) async fn latest(State(state): State<Shared>, Path(guid): Path<String>) -> Response {
    let now = state.clock.now_unix();
    let company = state.company();
    let Some(device) = company.device_by_guid(&guid) else {
        return no_content();
    };
    let (Some(template), Some(at)) = (
        company.template(&device.template_guid),
        last_message(device, now),
    ) else {
        return no_content();
    };
    let rows: Vec<Value> = template
        .attributes
        .iter()
        .enumerate()
        .map(|(i, attribute)| {
            let value = attribute_value(state.seed, device, template, i, at);
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            json!({
                "templateAttributeGuid": attribute.guid,
                "attributeName": attribute.name,
                "displayName": attribute.name,
                "attributeValue": text,
                "deviceUpdatedDate": iso(at),
                "notificationCount": 0,
                "aggregateType": null,
                "DataType": attribute.data_type,
                "aggregateTypeValues": null,
                "attributeColor": null,
            })
        })
        .collect();
    if rows.is_empty() {
        return no_content();
    }
    let count = rows.len();
    envelope("", Value::Array(rows), json!(count))
}

/// One feed item: `{uniqueId, dTime, attr: {name: value}}`, only the attributes in `only`
/// when it is given.
fn feed_item(
    seed: u64,
    company: &Company,
    device: &Device,
    at: i64,
    only: Option<&[String]>,
) -> Value {
    let mut attr = Map::new();
    if let Some(template) = company.template(&device.template_guid) {
        for (i, attribute) in template.attributes.iter().enumerate() {
            if only.is_none_or(|names| names.iter().any(|n| n == attribute.name)) {
                attr.insert(
                    attribute.name.to_owned(),
                    attribute_value(seed, device, template, i, at),
                );
            }
        }
    }
    json!({"uniqueId": device.unique_id, "dTime": iso(at), "attr": attr})
}

/// `POST /Telemetry/device/{uniqueId}/recent/{dataPoints}` with `{filterAttrs?}`: the newest
/// `dataPoints` (10 to 500) messages, newest first, in `data: {count, version, feed}`.
pub(crate) async fn recent(
    State(state): State<Shared>,
    Path((unique_id, points)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let points: i64 = points
        .parse()
        .ok()
        .filter(|p| (10..=500).contains(p))
        .ok_or_else(|| invalid("dataPoints", "dataPoints must be between 10 and 500"))?;
    let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(&body).map_err(|_| invalid("body", "the body must be JSON"))?
    };
    let filter: Option<Vec<String>> = body.get("filterAttrs").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    });
    let now = state.clock.now_unix();
    let company = state.company();
    let Some(device) = company.device_by_unique_id(&unique_id) else {
        return Ok(no_content());
    };
    let Some(last) = last_message(device, now) else {
        return Ok(no_content());
    };
    let start = last - (points - 1) * super::data::TELEMETRY_INTERVAL;
    let feed: Vec<Value> = message_times(device, start, last, now)
        .into_iter()
        .map(|t| feed_item(state.seed, &company, device, t, filter.as_deref()))
        .collect();
    Ok(envelope(
        "",
        json!({"count": feed.len(), "version": MESSAGE_VERSION, "feed": feed}),
        Value::Null,
    ))
}

/// A range bound: `YYYY-MM-DD HH:mm:ss`, `YYYY-MM-DDTHH:mm:ss[.fff]Z` or `YYYY-MM-DD` (the
/// start of the day for `from`, its last second for `to`), in UTC.
fn parse_bound(text: &str, end_of_day: bool) -> Option<i64> {
    let text = text.trim();
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.fZ",
        "%Y-%m-%dT%H:%M:%SZ",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc().timestamp());
        }
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let start = day.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    Some(if end_of_day { start + 86_399 } else { start })
}

/// `GET /Telemetry/attribute-history/device/{uniqueId}/from/{fromDate}/to/{toDate}`: every
/// message in the window (both bounds inclusive, nothing after now), newest first, in
/// `data: {continuationToken: null, feed}`. A window over 7 days or reversed is a 412; an
/// unknown device or an empty window is 204.
pub(crate) async fn history(
    State(state): State<Shared>,
    Path((unique_id, from, to)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let start = parse_bound(&from, false).ok_or_else(|| {
        invalid(
            "fromDate",
            "fromDate must be YYYY-MM-DD or YYYY-MM-DD HH:mm:ss",
        )
    })?;
    let end = parse_bound(&to, true)
        .ok_or_else(|| invalid("toDate", "toDate must be YYYY-MM-DD or YYYY-MM-DD HH:mm:ss"))?;
    if end < start {
        return Err(invalid("toDate", "toDate must not be before fromDate"));
    }
    if end - start > MAX_WINDOW_SECS {
        return Err(invalid("toDate", "the range must not exceed 7 days"));
    }
    let now = state.clock.now_unix();
    let company = state.company();
    let Some(device) = company.device_by_unique_id(&unique_id) else {
        return Ok(no_content());
    };
    let feed: Vec<Value> = message_times(device, start, end, now)
        .into_iter()
        .map(|t| feed_item(state.seed, &company, device, t, None))
        .collect();
    if feed.is_empty() {
        return Ok(no_content());
    }
    Ok(envelope(
        "",
        json!({"continuationToken": null, "feed": feed}),
        Value::Null,
    ))
}
