//! The webhook event type, open to values Everactive adds later.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Kind of event a webhook subscription delivers.
///
/// Unlike a closed enum, an event type this SDK does not know yet decodes as
/// [`WebhookEventType::Other`] instead of failing the whole response.
///
/// ```
/// use everactive_sdk::WebhookEventType;
/// assert_eq!("gateway_status".parse::<WebhookEventType>().unwrap(), WebhookEventType::GatewayStatus);
/// let later: WebhookEventType = serde_json::from_str("\"battery_low\"").unwrap();
/// assert_eq!(later, WebhookEventType::Other("battery_low".into()));
/// assert_eq!(later.to_string(), "battery_low");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WebhookEventType {
    /// `sensor_reading`: every reading of every sensor.
    SensorReading,
    /// `gateway_status`: every status message of every gateway.
    GatewayStatus,
    /// `threshold_crossed`: announced by Everactive, payload undocumented.
    ThresholdCrossed,
    /// A value this version of the SDK does not know.
    Other(String),
}

impl WebhookEventType {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            WebhookEventType::SensorReading => "sensor_reading",
            WebhookEventType::GatewayStatus => "gateway_status",
            WebhookEventType::ThresholdCrossed => "threshold_crossed",
            WebhookEventType::Other(other) => other,
        }
    }
}

impl From<&str> for WebhookEventType {
    fn from(value: &str) -> Self {
        match value {
            "sensor_reading" => WebhookEventType::SensorReading,
            "gateway_status" => WebhookEventType::GatewayStatus,
            "threshold_crossed" => WebhookEventType::ThresholdCrossed,
            other => WebhookEventType::Other(other.to_owned()),
        }
    }
}

impl FromStr for WebhookEventType {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(s))
    }
}

impl fmt::Display for WebhookEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for WebhookEventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WebhookEventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Self::from(raw.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_and_unknown_values() {
        for raw in [
            "sensor_reading",
            "gateway_status",
            "threshold_crossed",
            "something_new",
        ] {
            let parsed: WebhookEventType =
                serde_json::from_value(serde_json::json!(raw)).expect("decodes");
            assert_eq!(
                serde_json::to_value(&parsed).expect("encodes"),
                serde_json::json!(raw)
            );
        }
        assert_eq!(
            WebhookEventType::from("something_new"),
            WebhookEventType::Other("something_new".into())
        );
    }
}
