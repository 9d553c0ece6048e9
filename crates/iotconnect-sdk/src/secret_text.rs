//! A secret that travels as a plain JSON string in a request body.

use std::fmt;

use sdk_auth::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret sent as a JSON string, such as a new user's initial password
/// (`UserCreateRequest::password`): serialized as it is, never shown by `Debug`.
///
/// ```
/// use iotconnect_sdk::SecretText;
/// let password = SecretText::from("Initial-Pa55");
/// assert_eq!(format!("{password:?}"), "SecretText([redacted])");
/// assert_eq!(serde_json::to_string(&password).unwrap(), r#""Initial-Pa55""#);
/// ```
#[derive(Clone)]
pub struct SecretText(SecretString);

impl SecretText {
    /// The secret itself, for the code that must send it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<&str> for SecretText {
    fn from(value: &str) -> Self {
        Self(SecretString::from(value))
    }
}

impl From<String> for SecretText {
    fn from(value: String) -> Self {
        Self(SecretString::from(value))
    }
}

impl PartialEq for SecretText {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText([redacted])")
    }
}

impl Serialize for SecretText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}
