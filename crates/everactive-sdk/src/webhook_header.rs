//! A static header of a webhook subscription, whose value is usually a shared secret.

use std::fmt;

use sdk_auth::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A static HTTP header Everactive adds to every delivery of a webhook subscription.
///
/// Everactive signs no delivery, so these headers are the receiver's only proof of origin: the
/// usual one is a shared secret such as `x-api-key`. The value is therefore held as a
/// [`SecretString`]. `Debug` shows the key and `[redacted]` for the value, so logging a
/// subscription (or any type that contains one) does not print the secret. Serialization
/// writes the value unchanged, because the API needs it.
///
/// ```
/// use everactive_sdk::{ExposeSecret, WebhookHeader};
///
/// let header = WebhookHeader::new("x-api-key", "a-long-shared-secret");
/// assert_eq!(header.key(), "x-api-key");
/// assert_eq!(header.value().expose_secret(), "a-long-shared-secret");
/// assert_eq!(format!("{header:?}"), r#"WebhookHeader { key: "x-api-key", value: [redacted] }"#);
/// assert_eq!(
///     serde_json::to_string(&header).unwrap(),
///     r#"{"key":"x-api-key","value":"a-long-shared-secret"}"#,
/// );
/// ```
#[derive(Clone, Serialize, Deserialize)]
pub struct WebhookHeader {
    key: String,
    #[serde(serialize_with = "expose", deserialize_with = "conceal")]
    value: SecretString,
}

impl WebhookHeader {
    /// A header named `key` (case-insensitive on the wire; Everactive rejects a name that
    /// repeats within one subscription) carrying `value`.
    pub fn new(key: impl Into<String>, value: impl Into<SecretString>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }

    /// The header name.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The header value; read it with [`expose_secret`](crate::ExposeSecret::expose_secret).
    pub fn value(&self) -> &SecretString {
        &self.value
    }
}

impl PartialEq for WebhookHeader {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.value.expose_secret() == other.value.expose_secret()
    }
}

impl Eq for WebhookHeader {}

impl fmt::Debug for WebhookHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookHeader")
            .field("key", &self.key)
            .field("value", &format_args!("[redacted]"))
            .finish()
    }
}

fn expose<S: Serializer>(value: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.expose_secret())
}

fn conceal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SecretString, D::Error> {
    String::deserialize(deserializer).map(SecretString::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_unknown_members_are_ignored() {
        let wire = serde_json::json!({"key": "x-api-key", "value": "s3cret", "note": "new"});
        let header: WebhookHeader = serde_json::from_value(wire).expect("decodes");
        assert_eq!(header, WebhookHeader::new("x-api-key", "s3cret"));
        assert_eq!(
            serde_json::to_value(&header).expect("encodes"),
            serde_json::json!({"key": "x-api-key", "value": "s3cret"})
        );
        assert_ne!(header, WebhookHeader::new("x-api-key", "other"));
        assert!(!format!("{header:?} {header:#?}").contains("s3cret"));
    }
}
