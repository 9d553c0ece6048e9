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

use serde::Deserialize as _;
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
    /// A delivery of a kind this SDK does not know yet, or one that does not decode as the
    /// kind its `schema` names, kept as JSON.
    Other(Value),
}

/// The start of the `schema` URI every sensor reading carries, whatever the sensor family
/// (`…/eversensor/environmental/v1/reading`, `…/eversensor/vibration-electrical/v1/reading`).
const READING_SCHEMA_PREFIX: &str = "https://evr.ac/schemas/platform/eversensor/";

/// The start of the `schema` value of a gateway status message (`gateway_status_v3.schema.json`
/// in the recorded sample).
const GATEWAY_STATUS_SCHEMA_PREFIX: &str = "gateway_status";

/// Decodes a delivery, telling the kind by its `schema` member: a URI under
/// `https://evr.ac/schemas/platform/eversensor/` ending in `/reading` marks a sensor reading,
/// a value starting with `gateway_status` a gateway status message. A delivery is decoded as
/// that kind only when it carries the marker and decodes as the kind. Any other JSON value,
/// including one that carries a marker but does not decode, is [`WebhookPayload::Other`]: the
/// receiver decides what to do with a delivery this SDK cannot vouch for.
///
/// # Errors
/// Only when the body is not JSON.
pub fn parse(body: &[u8]) -> Result<WebhookPayload, serde_json::Error> {
    let value: Value = serde_json::from_slice(body)?;
    let schema = value
        .get("schema")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // Decoding from `&Value` borrows, so the value is still there when decoding fails.
    let decoded = if schema.starts_with(READING_SCHEMA_PREFIX) && schema.ends_with("/reading") {
        Reading::deserialize(&value)
            .ok()
            .map(|reading| WebhookPayload::SensorReading(Box::new(reading)))
    } else if schema.starts_with(GATEWAY_STATUS_SCHEMA_PREFIX) {
        GatewayStatus::deserialize(&value)
            .ok()
            .map(|status| WebhookPayload::GatewayStatus(Box::new(status)))
    } else {
        None
    };
    Ok(decoded.unwrap_or(WebhookPayload::Other(value)))
}

/// Decodes a delivery for a subscription of a known event type (one callback URL per
/// subscription lets the receiver know it without guessing). The `schema` member is not
/// looked at.
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
