//! Typed payloads of the webhooks Everactive POSTs to a subscriber.
//!
//! Everactive sends one JSON object per delivery, with no envelope and no event-type field: a
//! `sensor_reading` subscription receives a bare [`Reading`], a `gateway_status` subscription a
//! bare [`GatewayStatus`]. No signature is sent; the only protection Everactive offers is the
//! static headers of the subscription, so check a shared-secret header (for example
//! `x-api-key`) before parsing.
//!
//! ```
//! use everactive_sdk::webhooks::{self, WebhookPayload};
//! let body = br#"{"macAddress":"bc:5e:a1:00:00:00:5e:13","timestamp":1673458636,
//!   "schema":"https://evr.ac/schemas/platform/eversensor/environmental/v1/reading"}"#;
//! match webhooks::parse(body)? {
//!     WebhookPayload::SensorReading(reading) => assert_eq!(reading.timestamp, 1673458636),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde_json::Value;

use crate::WebhookEventType;
use crate::types::{GatewayStatus, Reading};

/// One delivery, decoded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookPayload {
    /// A `sensor_reading` delivery.
    SensorReading(Box<Reading>),
    /// A `gateway_status` delivery.
    GatewayStatus(Box<GatewayStatus>),
    /// A delivery of a kind this SDK does not know yet, kept as JSON.
    Other(Value),
}

/// Decodes a delivery, telling the kind by its shape: readings carry `macAddress`, gateway
/// status messages carry `serial` or a `gateway_status…` schema. Anything else is
/// [`WebhookPayload::Other`].
///
/// # Errors
/// The body is not JSON, or it looks like a reading or status message but does not decode
/// as one (for example a reading without `timestamp`).
pub fn parse(body: &[u8]) -> Result<WebhookPayload, serde_json::Error> {
    let value: Value = serde_json::from_slice(body)?;
    let is_reading = value.get("macAddress").is_some();
    let is_status = value.get("serial").is_some()
        || value
            .get("schema")
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with("gateway_status"));
    if is_reading {
        parse_as(&WebhookEventType::SensorReading, value)
    } else if is_status {
        parse_as(&WebhookEventType::GatewayStatus, value)
    } else {
        Ok(WebhookPayload::Other(value))
    }
}

/// Decodes a delivery for a subscription of a known event type (one callback URL per
/// subscription lets the receiver know it without guessing).
///
/// # Errors
/// The value does not decode as the payload of `event_type`.
pub fn parse_as(
    event_type: &WebhookEventType,
    value: Value,
) -> Result<WebhookPayload, serde_json::Error> {
    Ok(match event_type {
        WebhookEventType::SensorReading => {
            WebhookPayload::SensorReading(Box::new(serde_json::from_value(value)?))
        }
        WebhookEventType::GatewayStatus => {
            WebhookPayload::GatewayStatus(Box::new(serde_json::from_value(value)?))
        }
        _ => WebhookPayload::Other(value),
    })
}
