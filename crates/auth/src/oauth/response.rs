//! A token response parser that accepts what real token endpoints send.

use std::time::Duration;

use oauth2::basic::BasicTokenType;
use oauth2::{AccessToken, RefreshToken, Scope, TokenResponse};
use serde::{Deserialize, Deserializer, Serialize};

/// RFC 6749 token response, read leniently: `expires_in` may be a number or a numeric string,
/// `token_type` may be missing (taken as `Bearer`), and unknown fields are ignored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LenientTokenResponse {
    access_token: AccessToken,
    #[serde(default = "bearer", deserialize_with = "case_insensitive_type")]
    token_type: BasicTokenType,
    #[serde(
        default,
        deserialize_with = "number_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<RefreshToken>,
    #[serde(skip)]
    scopes: Option<Vec<Scope>>,
}

fn bearer() -> BasicTokenType {
    BasicTokenType::Bearer
}

/// RFC 6749 says the type is case-insensitive, and servers send `Bearer` as often as `bearer`.
fn case_insensitive_type<'de, D: Deserializer<'de>>(de: D) -> Result<BasicTokenType, D::Error> {
    let raw = Option::<String>::deserialize(de)?.unwrap_or_else(|| "bearer".into());
    Ok(match raw.to_ascii_lowercase().as_str() {
        "bearer" => BasicTokenType::Bearer,
        "mac" => BasicTokenType::Mac,
        _ => BasicTokenType::Extension(raw),
    })
}

fn number_or_string<'de, D: Deserializer<'de>>(de: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(u64),
        Float(f64),
        Text(String),
    }
    match Option::<Raw>::deserialize(de)? {
        None => Ok(None),
        Some(Raw::Number(n)) => Ok(Some(n)),
        Some(Raw::Float(f)) if f.is_finite() && f >= 0.0 => Ok(Some(f as u64)),
        Some(Raw::Float(_)) => Err(serde::de::Error::custom(
            "expires_in is not a positive number",
        )),
        Some(Raw::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(Raw::Text(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expires_in is not a number")),
    }
}

impl TokenResponse for LenientTokenResponse {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }

    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.map(Duration::from_secs)
    }

    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<Scope>> {
        self.scopes.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<LenientTokenResponse, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn standard_response() {
        let r =
            parse(r#"{"access_token":"a","token_type":"Bearer","expires_in":86400}"#).expect("ok");
        assert_eq!(r.expires_in(), Some(Duration::from_secs(86400)));
        assert_eq!(r.token_type(), &BasicTokenType::Bearer);
        assert!(r.refresh_token().is_none());
    }

    #[test]
    fn string_expiry_missing_type_and_unknown_fields() {
        let r = parse(r#"{"access_token":"a","expires_in":"3600","refresh_token":"r","userId":7}"#)
            .expect("ok");
        assert_eq!(r.expires_in(), Some(Duration::from_secs(3600)));
        assert_eq!(r.token_type(), &BasicTokenType::Bearer);
        assert_eq!(r.refresh_token().map(|t| t.secret().as_str()), Some("r"));
    }

    #[test]
    fn missing_or_null_expiry_is_none() {
        assert_eq!(
            parse(r#"{"access_token":"a"}"#).expect("ok").expires_in(),
            None
        );
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":null}"#)
                .expect("ok")
                .expires_in(),
            None
        );
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":3599.6}"#)
                .expect("ok")
                .expires_in(),
            Some(Duration::from_secs(3599))
        );
    }

    #[test]
    fn rejects_nonsense() {
        assert!(parse(r#"{"access_token":"a","expires_in":"soon"}"#).is_err());
        assert!(parse(r#"{"expires_in":3600}"#).is_err());
    }
}
