//! IoTConnect's response envelope and error body, typed.
//!
//! Almost every answer is wrapped as `{data, status, message, count}`; a failed call answers
//! `{status, message, error: [{param, message}]}`. The generated operations return the whole
//! envelope; the hand-written methods of [`Client`](crate::Client) (see the crate's README)
//! unwrap it. This module gives the error side: [`ApiError`], reached from any [`Error`] with
//! [`api_error`] or [`ErrorExt::iotconnect`].
//!
//! Decoding is lenient: unknown members are ignored, `null` stands for "absent", and the keys
//! are also accepted PascalCase (`Status`, `Message`, `Error`, `Param`), since IoTConnect does
//! not keep its key casing steady.

use std::fmt;

use serde::{Deserialize, Deserializer};

use crate::Error;

/// The error body of a failed IoTConnect call: `{status, message, error: [{param, message}]}`.
///
/// ```
/// use iotconnect_sdk::envelope::ApiError;
/// let body = r#"{"status": 412, "message": "Validation failed",
///                "error": [{"param": "sortBy", "message": "Invalid sort field"}]}"#;
/// let err: ApiError = serde_json::from_str(body).unwrap();
/// assert_eq!(err.errors[0].param.as_deref(), Some("sortBy"));
/// assert_eq!(err.to_string(), "Validation failed (sortBy: Invalid sort field)");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ApiError {
    /// The status the body reports; it mirrors the HTTP status.
    #[serde(default, alias = "Status", deserialize_with = "lenient")]
    pub status: Option<i64>,
    /// What went wrong, often a code such as `DeviceNotFound`.
    #[serde(default, alias = "Message", deserialize_with = "lenient")]
    pub message: Option<String>,
    /// The request parameters at fault (empty when the body names none).
    #[serde(
        default,
        rename = "error",
        alias = "Error",
        alias = "errors",
        deserialize_with = "param_errors"
    )]
    pub errors: Vec<ParamError>,
}

/// One problem with one request parameter, an item of the error body's `error` list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ParamError {
    /// The parameter concerned (such as `sortBy` or `uniqueId`).
    #[serde(default, alias = "Param", deserialize_with = "lenient")]
    pub param: Option<String>,
    /// What is wrong with it.
    #[serde(default, alias = "Message", deserialize_with = "lenient")]
    pub message: Option<String>,
}

impl ApiError {
    /// The message of the parameter `param`, if the body names it (case-insensitive).
    pub fn param(&self, param: &str) -> Option<&ParamError> {
        self.errors.iter().find(|e| {
            e.param
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(param))
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.message, self.status) {
            (Some(message), _) if !message.is_empty() => f.write_str(message)?,
            (_, Some(status)) => write!(f, "status {status}")?,
            _ => f.write_str("IoTConnect error")?,
        }
        let mut first = true;
        for e in &self.errors {
            f.write_str(if first { " (" } else { "; " })?;
            first = false;
            match (&e.param, &e.message) {
                (Some(p), Some(m)) => write!(f, "{p}: {m}")?,
                (Some(p), None) => f.write_str(p)?,
                (None, Some(m)) => f.write_str(m)?,
                (None, None) => f.write_str("?")?,
            }
        }
        if !first {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// The typed IoTConnect error body of `err`, when `err` is an HTTP error whose body has that
/// shape (a JSON object); `None` for transport, token and decode errors and for other bodies.
///
/// ```
/// # fn demo(err: iotconnect_sdk::Error) {
/// if let Some(body) = iotconnect_sdk::api_error(&err) {
///     for bad in &body.errors {
///         eprintln!("{:?}: {:?}", bad.param, bad.message);
///     }
/// }
/// # }
/// ```
pub fn api_error(err: &Error) -> Option<ApiError> {
    let body = err.body()?;
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if !value.is_object() {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// IoTConnect's view of the SDK's [`Error`].
pub trait ErrorExt {
    /// The typed IoTConnect error body; see [`api_error`].
    fn iotconnect(&self) -> Option<ApiError>;

    /// Whether the answer is one of IoTConnect's ways of saying "not found" on a lookup:
    /// HTTP 404, 409 or 204 (see the crate README for which operation answers which).
    fn is_not_found(&self) -> bool;
}

impl ErrorExt for Error {
    fn iotconnect(&self) -> Option<ApiError> {
        api_error(self)
    }

    fn is_not_found(&self) -> bool {
        matches!(self, Error::Api { status, .. } if matches!(status.as_u16(), 204 | 404 | 409))
    }
}

/// `null` and values of another type read as `None`, so an odd member does not lose the rest
/// of the error body.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

/// The `error` list: `null`, a single object or a list whose odd items are skipped.
fn param_errors<'de, D>(deserializer: D) -> Result<Vec<ParamError>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::Array(items) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        item @ serde_json::Value::Object(_) => serde_json::from_value(item).into_iter().collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::ApiError;

    fn decode(body: &str) -> ApiError {
        serde_json::from_str(body).expect("an error body")
    }

    #[test]
    fn null_absent_and_odd_members_read_as_absent() {
        let e = decode(r#"{"status": "409", "message": null, "error": null, "data": {}}"#);
        assert_eq!(e, ApiError::default());
        assert_eq!(e.to_string(), "IoTConnect error");
    }

    #[test]
    fn a_single_error_object_and_odd_list_items_are_tolerated() {
        let e = decode(r#"{"Status": 412, "Error": {"Param": "sortBy", "Message": "bad"}}"#);
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.to_string(), "status 412 (sortBy: bad)");
        let e = decode(r#"{"status": 409, "error": [1, "x", {"message": "m"}, null]}"#);
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].message.as_deref(), Some("m"));
    }
}
