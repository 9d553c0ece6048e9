//! Webhook subscriptions: the store and `/api/external-integrations/webhooks` list, create,
//! delete. One subscription is one event type and one URL.

use std::fmt;
use std::sync::Mutex;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::data::iso;
use super::errors::{ApiError, bad_request, not_found};
use crate::shared::seed::SeededRng;

/// Event types a subscription may name: the research's list (protocol events, whose names were
/// not captured, are missing).
pub(crate) const EVENT_TYPES: [&str; 28] = [
    "LISTING_CREATED",
    "LISTING_UPDATED",
    "LISTING_ARCHIVED",
    "LISTING_ACTIVATED",
    "LISTING_DEACTIVATED",
    "LISTING_PUBLISHED_TO_CHANNEL",
    "LISTING_UNPUBLISHED_FROM_CHANNEL",
    "CANDIDATE_PARSED",
    "LISTING_CANDIDATE_APPLIED",
    "LISTING_CANDIDATE_SCHEDULE_INVITED_VIEWING",
    "LISTING_CANDIDATE_SCHEDULE_NEW_TIMESLOTS_REQUESTED",
    "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKED_ADMIN",
    "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKED_CANDIDATE",
    "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKING_REMOVED_ADMIN",
    "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKING_REMOVED_CANDIDATE",
    "LISTING_CONTRACT_FLOW_STARTED",
    "LISTING_CONTRACT_FLOW_WITHDRAWN",
    "LISTING_CONTRACT_FLOW_PARTIALLY_SIGNED",
    "LISTING_CONTRACT_FLOW_SIGNED",
    "OWNER_CREATED",
    "OWNER_UPDATED",
    "OWNER_DELETED",
    "PROPERTY_CREATED",
    "PROPERTY_UPDATED",
    "PROPERTY_DELETED",
    "UNIT_CREATED",
    "UNIT_UPDATED",
    "UNIT_DELETED",
];

/// An event type EverReal does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownEventType(pub(crate) String);

impl fmt::Display for UnknownEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown EverReal event type {:?}", self.0)
    }
}

impl std::error::Error for UnknownEventType {}

/// One subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Webhook {
    pub(crate) id: String,
    pub(crate) event_type: String,
    pub(crate) url: String,
    created_at: i64,
}

/// The subscriptions, in creation order. Ids come from the seed, so a run that makes the same
/// calls gets the same ids.
#[derive(Debug)]
pub(crate) struct WebhookStore {
    inner: Mutex<(Vec<Webhook>, SeededRng)>,
}

impl WebhookStore {
    /// An empty store whose ids follow `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            inner: Mutex::new((Vec::new(), SeededRng::derive(seed, &[0x0E7E_2EA1, 3]))),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<Webhook>, SeededRng)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The subscriptions to `event_type`.
    pub(crate) fn of_type(&self, event_type: &str) -> Vec<Webhook> {
        self.lock()
            .0
            .iter()
            .filter(|w| w.event_type == event_type)
            .cloned()
            .collect()
    }

    /// Whether subscription `id` still exists.
    pub(crate) fn exists(&self, id: &str) -> bool {
        self.lock().0.iter().any(|w| w.id == id)
    }
}

/// `GET /api/external-integrations/webhooks`: a bare array.
pub(crate) async fn list(State(state): State<Shared>) -> Json<Value> {
    let account = &state.account;
    let rows: Vec<Value> = state
        .webhooks
        .lock()
        .0
        .iter()
        .map(|w| {
            json!({
                "id": w.id,
                "type": w.event_type,
                "partnerId": account.partner_id,
                "companyId": account.company_id,
                "connectedByUserId": account.user_id,
                "url": w.url,
                "createdAt": iso(w.created_at),
                "updatedAt": iso(w.created_at),
                "deletedAt": null,
            })
        })
        .collect();
    Json(Value::Array(rows))
}

/// `POST /api/external-integrations/webhooks` with `{type, url}`: 200, the new id in
/// `Location`, no body.
pub(crate) async fn create(State(state): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return Err(bad_request("the body must be a JSON object {type, url}"));
    };
    let event_type = body
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request("type is required"))?;
    if !EVENT_TYPES.contains(&event_type) {
        return Err(bad_request(format!("unknown event type {event_type:?}")));
    }
    let url = body
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request("url is required"))?;
    let parsed = url::Url::parse(url).map_err(|e| bad_request(format!("url is not valid: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(bad_request("url must be an absolute http or https URL"));
    }
    let id = {
        let mut inner = state.webhooks.lock();
        let id = inner.1.uuid();
        inner.0.push(Webhook {
            id: id.clone(),
            event_type: event_type.to_owned(),
            url: url.to_owned(),
            created_at: state.clock.now_unix(),
        });
        id
    };
    let location = HeaderValue::from_str(&id).map_err(|_| bad_request("invalid id"))?;
    Ok((StatusCode::OK, [(header::LOCATION, location)]).into_response())
}

/// `DELETE /api/external-integrations/webhooks/{id}`: 200 without a body; 404 when unknown.
pub(crate) async fn delete(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let mut inner = state.webhooks.lock();
    let before = inner.0.len();
    inner.0.retain(|w| w.id != id);
    if inner.0.len() == before {
        return Err(not_found(format!("no webhook with id {id}")));
    }
    Ok(StatusCode::OK)
}
