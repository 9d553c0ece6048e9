//! The accounts service: who the token belongs to (`users/me`, `userinfo`) and what it allows
//! (`tokeninfo`).
//!
//! Every field but the id is optional and unknown fields are ignored: the shapes come from
//! examples, not from a published schema.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::lenient;

/// The signed-in user, their companies and their token (`GET /accounts/api/users/me`).
///
/// ```
/// let me: everreal_sdk::UsersMe = serde_json::from_str(
///     r#"{"id":"u-1","email":"jane@acme.example","currentCompany":{"id":"c-1",
///        "partner":{"subdomain":"acme"}},"tokenInfo":{"expires_in":"3599"}}"#,
/// )?;
/// assert_eq!(me.current_company.and_then(|c| c.partner).and_then(|p| p.subdomain).as_deref(), Some("acme"));
/// assert_eq!(me.token_info.and_then(|t| t.expires_in), Some(3599));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UsersMe {
    /// The user's id (a UUID).
    pub id: String,
    /// The login e-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the account is active.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Where the profile photo is, if there is one.
    #[serde(default)]
    pub profile_photo: Option<String>,
    /// Language and contact details.
    #[serde(default)]
    pub profile_data: Option<ProfileData>,
    /// Whether the user is a tenant rather than a property manager.
    #[serde(default)]
    pub is_tenant: Option<bool>,
    /// When the account was created (ISO 8601, as sent).
    #[serde(default)]
    pub created_at: Option<String>,
    /// When the account was last changed (ISO 8601, as sent).
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Whether the user accepted the terms of use.
    #[serde(default)]
    pub are_terms_accepted: Option<bool>,
    /// Every company the user belongs to.
    #[serde(default)]
    pub companies: Option<Vec<Company>>,
    /// The company the user works in now, with its partner (tenant).
    #[serde(default)]
    pub current_company: Option<CurrentCompany>,
    /// What the token used for this call allows.
    #[serde(default)]
    pub token_info: Option<TokenInfo>,
}

/// A company a user belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Company {
    /// The company's id (a UUID).
    #[serde(default)]
    pub id: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether it is the user's default company.
    #[serde(default)]
    pub is_default: Option<bool>,
}

/// The company a user works in now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CurrentCompany {
    /// The company's id (a UUID).
    #[serde(default)]
    pub id: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The EverReal customer (tenant) the company belongs to.
    #[serde(default)]
    pub partner: Option<Partner>,
    /// Whether it is the user's default company.
    #[serde(default)]
    pub is_default: Option<bool>,
}

/// An EverReal customer: the owner of a subdomain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Partner {
    /// The partner's id.
    #[serde(default)]
    pub id: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its subdomain: `acme` for `https://acme.everreal.co`.
    #[serde(default)]
    pub subdomain: Option<String>,
}

/// Language and contact details of a user (`profileData`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProfileData {
    /// Preferred language (`de`, `en`, ...).
    #[serde(default)]
    pub language: Option<String>,
    /// Salutation.
    #[serde(default)]
    pub salutation: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Mobile phone number.
    #[serde(default)]
    pub cell_phone_number: Option<String>,
}

/// What an access token allows: the `tokenInfo` of `users/me`, and (assumed to be the same
/// shape) the answer of `GET /accounts/api/tokeninfo`.
///
/// Its members are snake_case on the wire, unlike the rest of the API.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The client the token was issued to.
    #[serde(default)]
    pub audience: Option<String>,
    /// The granted scopes (sent as an array; a space-separated string is accepted too).
    #[serde(default, deserialize_with = "lenient::scopes")]
    #[schemars(with = "lenient::ScopesSchema")]
    pub scope: Option<Vec<String>>,
    /// The user the token acts for.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Seconds until the token expires (sent as a number or a numeric string).
    #[serde(default, deserialize_with = "lenient::seconds")]
    #[schemars(with = "lenient::SecondsSchema")]
    pub expires_in: Option<u64>,
}

/// The OpenID-style profile of the signed-in user (`GET /accounts/api/userinfo`), as
/// EverReal's own sign-in example types it (`IEverRealProfile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserInfo {
    /// The user's id. EverReal's example converts it with `toString()`, so a number is
    /// accepted too.
    #[serde(deserialize_with = "id_text")]
    #[schemars(with = "IdSchema")]
    pub id: String,
    /// The login e-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Where the profile photo is, if there is one.
    #[serde(default)]
    pub profile_photo: Option<String>,
    /// Language and contact details.
    #[serde(default)]
    pub profile_data: Option<ProfileData>,
}

/// An id sent as a string or a number, kept as text.
fn id_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        _ => Err(serde::de::Error::custom(
            "`id` is neither a string nor a number",
        )),
    }
}

/// The JSON Schema of an id [`id_text`] accepts.
struct IdSchema;

impl JsonSchema for IdSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Id".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "number"] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numeric_userinfo_id_becomes_text() {
        let info: UserInfo = serde_json::from_str(r#"{"id":42}"#).expect("decodes");
        assert_eq!(info.id, "42");
        assert!(serde_json::from_str::<UserInfo>(r#"{"id":[]}"#).is_err());
    }
}
