//! Webhook subscriptions: the store and `/ds/v1/webhooks` create, list, get, update, delete.

use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value, json};

use super::Shared;
use super::auth::Caller;
use super::body::json_object;
use super::errors::{ApiError, bad_request, not_found};
use crate::shared::seed::SeededRng;

/// Event types a subscription may name. `threshold_crossed` is accepted but, as at the vendor
/// ("under construction"), nothing is ever delivered for it.
pub(crate) const EVENT_TYPES: [&str; 3] = ["sensor_reading", "gateway_status", "threshold_crossed"];

/// Header names a subscription may not set: the delivery itself owns them.
const RESERVED_HEADERS: [&str; 5] = [
    "host",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
];

/// One subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Webhook {
    pub(crate) id: String,
    pub(crate) callback_url: String,
    pub(crate) event_type: String,
    pub(crate) enabled: bool,
    pub(crate) headers: Vec<(String, String)>,
}

impl Webhook {
    fn json(&self) -> Value {
        let headers: Vec<Value> = self
            .headers
            .iter()
            .map(|(key, value)| json!({"key": key, "value": value}))
            .collect();
        json!({
            "id": self.id,
            "callbackUrl": self.callback_url,
            "eventType": self.event_type,
            "enabled": self.enabled,
            "headers": headers,
        })
    }
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
            inner: Mutex::new((Vec::new(), SeededRng::derive(seed, &[0x0E_B400C]))),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<Webhook>, SeededRng)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every subscription.
    pub(crate) fn all(&self) -> Vec<Webhook> {
        self.lock().0.clone()
    }

    /// The enabled subscriptions.
    pub(crate) fn enabled(&self) -> Vec<Webhook> {
        self.lock()
            .0
            .iter()
            .filter(|w| w.enabled)
            .cloned()
            .collect()
    }
}

/// `GET /ds/v1/webhooks`.
pub(crate) async fn list(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require_site_admin()?;
    let data: Vec<Value> = state.webhooks.all().iter().map(Webhook::json).collect();
    Ok(Json(json!({"data": data})))
}

/// `POST /ds/v1/webhooks`: 201 with the subscription and a `Location` header.
pub(crate) async fn create(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require_site_admin()?;
    let body = json_object(&headers, &body)?;
    let callback_url = match body.get("callbackUrl") {
        None | Some(Value::Null) => return Err(bad_request("callbackUrl is required")),
        Some(v) => parse_callback_url(v).map_err(bad_request)?,
    };
    let event_type = match body.get("eventType") {
        None | Some(Value::Null) => return Err(bad_request("eventType is required")),
        Some(v) => parse_event_type(v).map_err(bad_request)?,
    };
    let enabled = match body.get("enabled") {
        None | Some(Value::Null) => false,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| bad_request("enabled must be true or false"))?,
    };
    let headers = match body.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => parse_headers(v).map_err(bad_request)?,
    };
    let webhook = {
        let mut inner = state.webhooks.lock();
        let id = inner.1.uuid();
        let webhook = Webhook {
            id,
            callback_url,
            event_type,
            enabled,
            headers,
        };
        inner.0.push(webhook.clone());
        webhook
    };
    let location = HeaderValue::from_str(&format!("/ds/v1/webhooks/{}", webhook.id))
        .unwrap_or_else(|_| HeaderValue::from_static("/ds/v1/webhooks"));
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(json!({"data": webhook.json()})),
    )
        .into_response())
}

/// `GET /ds/v1/webhooks/{webhookId}`.
pub(crate) async fn get_one(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require_site_admin()?;
    let inner = state.webhooks.lock();
    let webhook = inner
        .0
        .iter()
        .find(|w| w.id == id)
        .ok_or_else(|| no_webhook(&id))?;
    Ok(Json(json!({"data": webhook.json()})))
}

/// `PUT /ds/v1/webhooks/{webhookId}`: a partial update; members left out stay as they are,
/// and `"headers": null` (like `[]`) removes every header.
pub(crate) async fn update(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.require_site_admin()?;
    let body = json_object(&headers, &body)?;
    let changes = Changes::read(&body).map_err(bad_request)?;
    let mut inner = state.webhooks.lock();
    let webhook = inner
        .0
        .iter_mut()
        .find(|w| w.id == id)
        .ok_or_else(|| no_webhook(&id))?;
    changes.apply(webhook);
    Ok(Json(json!({"data": webhook.json()})))
}

/// `DELETE /ds/v1/webhooks/{webhookId}`: 204 without a body.
pub(crate) async fn delete(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_site_admin()?;
    let mut inner = state.webhooks.lock();
    let before = inner.0.len();
    inner.0.retain(|w| w.id != id);
    if inner.0.len() == before {
        return Err(no_webhook(&id));
    }
    Ok(StatusCode::NO_CONTENT)
}

fn no_webhook(id: &str) -> ApiError {
    not_found(format!("no webhook with id {id}"))
}

/// The members of an update body, checked before anything changes.
struct Changes {
    callback_url: Option<String>,
    event_type: Option<String>,
    enabled: Option<bool>,
    headers: Option<Vec<(String, String)>>,
}

impl Changes {
    fn read(body: &Map<String, Value>) -> Result<Self, String> {
        let required = |name: &str| format!("{name} cannot be null");
        Ok(Self {
            callback_url: match body.get("callbackUrl") {
                None => None,
                Some(Value::Null) => return Err(required("callbackUrl")),
                Some(v) => Some(parse_callback_url(v)?),
            },
            event_type: match body.get("eventType") {
                None => None,
                Some(Value::Null) => return Err(required("eventType")),
                Some(v) => Some(parse_event_type(v)?),
            },
            enabled: match body.get("enabled") {
                None => None,
                Some(v) => Some(v.as_bool().ok_or("enabled must be true or false")?),
            },
            headers: match body.get("headers") {
                None => None,
                Some(Value::Null) => Some(Vec::new()),
                Some(v) => Some(parse_headers(v)?),
            },
        })
    }

    fn apply(self, webhook: &mut Webhook) {
        if let Some(url) = self.callback_url {
            webhook.callback_url = url;
        }
        if let Some(event_type) = self.event_type {
            webhook.event_type = event_type;
        }
        if let Some(enabled) = self.enabled {
            webhook.enabled = enabled;
        }
        if let Some(headers) = self.headers {
            webhook.headers = headers;
        }
    }
}

/// An absolute `https` URL, or `http` on a loopback host (the sandbox's one relaxation: it
/// delivers to receivers on the same machine).
fn parse_callback_url(value: &Value) -> Result<String, String> {
    let text = value.as_str().ok_or("callbackUrl must be a string")?;
    let url = url::Url::parse(text).map_err(|e| format!("callbackUrl is not a valid URL: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(text.to_owned()),
        "http" if loopback => Ok(text.to_owned()),
        _ => {
            Err("callbackUrl must use https (http is accepted only for loopback hosts)".to_owned())
        }
    }
}

fn parse_event_type(value: &Value) -> Result<String, String> {
    let text = value.as_str().ok_or("eventType must be a string")?;
    if EVENT_TYPES.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "eventType must be one of {}, not {text:?}",
            EVENT_TYPES.join(", ")
        ))
    }
}

/// `[{"key": ..., "value": ...}]`: valid header names and values, no name twice (in any
/// letter case), none the delivery owns.
fn parse_headers(value: &Value) -> Result<Vec<(String, String)>, String> {
    let items = value.as_array().ok_or("headers must be an array")?;
    let mut headers: Vec<(String, String)> = Vec::with_capacity(items.len());
    for item in items {
        let (Some(key), Some(value)) = (
            item.get("key").and_then(Value::as_str),
            item.get("value").and_then(Value::as_str),
        ) else {
            return Err("each header must be an object with string members key and value".into());
        };
        let name = HeaderName::from_bytes(key.as_bytes())
            .map_err(|_| format!("{key:?} is not a valid header name"))?;
        HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header {key} is not valid"))?;
        if RESERVED_HEADERS.contains(&name.as_str()) {
            return Err(format!("header {key} is set by the delivery itself"));
        }
        if headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return Err(format!("header {key} appears more than once"));
        }
        headers.push((key.to_owned(), value.to_owned()));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_urls() {
        assert!(parse_callback_url(&json!("https://example.com/hook")).is_ok());
        assert!(parse_callback_url(&json!("http://127.0.0.1:9000/")).is_ok());
        assert!(parse_callback_url(&json!("http://localhost/")).is_ok());
        assert!(parse_callback_url(&json!("http://[::1]:8080/")).is_ok());
        assert!(parse_callback_url(&json!("http://example.com/")).is_err());
        assert!(parse_callback_url(&json!("ftp://127.0.0.1/")).is_err());
        assert!(parse_callback_url(&json!("not a url")).is_err());
    }

    #[test]
    fn headers() {
        let ok = parse_headers(&json!([{"key": "x-api-key", "value": "s"}]));
        assert_eq!(ok, Ok(vec![("x-api-key".to_owned(), "s".to_owned())]));
        assert!(
            parse_headers(&json!([{"key": "X-A", "value": "1"}, {"key": "x-a", "value": "2"}]))
                .is_err()
        );
        assert!(parse_headers(&json!([{"key": "bad name", "value": "1"}])).is_err());
        assert!(parse_headers(&json!([{"key": "Content-Type", "value": "1"}])).is_err());
        assert!(parse_headers(&json!([{"key": "x"}])).is_err());
    }
}
