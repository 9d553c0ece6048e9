//! The answer of `get_token`.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use sdk_auth::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An access token as `get_token` describes it (plain text or XML).
///
/// `Debug` and serialization never show the token itself: it serializes as `[redacted]`, so a
/// logged or stored copy of this struct cannot leak it.
///
/// ```
/// let token = extraview_sdk::parse::token(
///     b"Token:x3o4xNX8\r\nType:Bearer\r\nLifetime:3600\r\nExpiration Date:2020-07-02 18:39:48.818 -0700\r\n",
/// )?;
/// assert_eq!(token.lifetime, Some(3600));
/// assert!(!format!("{token:?}").contains("x3o4xNX8"));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
#[derive(Clone, Serialize, Deserialize, JsonSchema)]
pub struct AccessToken {
    /// The token (`Token`, or `<value>` in XML). Serialized as `[redacted]`.
    #[serde(serialize_with = "redacted", deserialize_with = "secret_from_string")]
    #[schemars(with = "String")]
    pub value: SecretString,
    /// `Type`, `Bearer` in every documented answer; ExtraView says it carries no meaning yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// `Lifetime` in seconds, when it is a whole number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime: Option<u64>,
    /// `Expiration Date` as sent, such as `2020-07-02 18:39:48.818 -0700`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    /// The expiration parsed, when it has the documented format (or RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// `Scope` (documented as carrying no meaning yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

fn redacted<S: Serializer>(_: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str("[redacted]")
}

fn secret_from_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<SecretString, D::Error> {
    String::deserialize(deserializer).map(SecretString::from)
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("lifetime", &self.lifetime)
            .field("expiration", &self.expiration)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        self.value.expose_secret() == other.value.expose_secret()
            && self.token_type == other.token_type
            && self.lifetime == other.lifetime
            && self.expiration == other.expiration
            && self.expires_at == other.expires_at
            && self.scope == other.scope
    }
}
