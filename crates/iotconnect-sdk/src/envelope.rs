//! IoTConnect's response envelope and error body, typed.
//!
//! Almost every answer is wrapped as `{data, status, message, count}`; a failed call answers
//! `{status, message, error: [{param, message}]}`.
//!
//! - Every generated `...Envelope` type implements [`Envelope`] (`cargo xtask regen` writes
//!   the impls from the generated structs, so none is missed), and [`UnwrapExt`] unwraps the
//!   answer of any operation: `.send().items()`, `.send().item()`, `.send().data()`.
//! - The error side is [`ApiError`], reached from any [`Error`] with [`api_error`] or
//!   [`ErrorExt::iotconnect`].
//!
//! Decoding is lenient: unknown members are ignored, `null` stands for "absent", and the keys
//! are also accepted PascalCase (`Status`, `Message`, `Error`, `Param`), since IoTConnect does
//! not keep its key casing steady.

use std::fmt;
use std::future::Future;

use progenitor_client::ResponseValue;
use serde::{Deserialize, Deserializer};

use crate::Error;

/// IoTConnect's answer wrapper, `{data, status, message, count}`, implemented by every
/// generated `...Envelope` type.
///
/// OpenAPI 3.0 has no generics, so each payload has its own envelope type; this trait is what
/// they have in common. The impls are generated: do not implement it yourself.
pub trait Envelope {
    /// What `data` holds: a list for most operations (`Vec<DeviceListItem>`), a string or an
    /// object for a few.
    type Data;

    /// `data`, or `None` when the answer had none (`null` or absent).
    fn into_data(self) -> Option<Self::Data>;

    /// `count`: the total number of items for most lists, `-1` where the server does not
    /// count (`GET /Device`), the number of items in `data` elsewhere.
    fn count(&self) -> Option<i64>;

    /// `status`, which mirrors the HTTP status.
    fn status(&self) -> Option<i64>;

    /// `message`, a note from the server (`"Success"`, `"DeviceNotFound"`).
    fn message(&self) -> Option<&str>;

    /// A successful answer around `data` (`status` 200, `message` `"Success"`, no `count`):
    /// what a mock server answers.
    ///
    /// ```
    /// use iotconnect_sdk::Envelope as _;
    /// use iotconnect_sdk::device::types::{DeviceInformation, DeviceInformationEnvelope};
    ///
    /// let device = DeviceInformation { unique_id: Some("pump-7".into()), ..Default::default() };
    /// let answer = DeviceInformationEnvelope::from_data(vec![device]);
    /// assert_eq!(answer.status(), Some(200));
    /// ```
    #[must_use]
    fn from_data(data: Self::Data) -> Self;
}

/// Unwraps the envelope of any operation's answer: call it on the future of a generated
/// `send()`.
///
/// | method | gives | "not found" (204, 404, 409) |
/// | --- | --- | --- |
/// | [`items`](Self::items) | the list in `data` (empty for `null`) | an empty list |
/// | [`item`](Self::item) | `data[0]` of a lookup, the one object IoTConnect wraps in a list | `None` |
/// | [`data`](Self::data) | `data` of any shape | the [`Error`] |
///
/// ```no_run
/// use iotconnect_sdk::UnwrapExt as _;
/// # async fn demo(client: iotconnect_sdk::Client) -> Result<(), iotconnect_sdk::Error> {
/// // A list: `Vec<types::AttributeListItem>`.
/// let attributes = client
///     .device()
///     .list_template_attributes()
///     .device_template_guid("5A1B0B3C-0000-4000-8000-000000000001")
///     .send()
///     .items()
///     .await?;
/// // A lookup: `Option<types::DeviceInformation>`, `None` when the device is unknown.
/// let device = client
///     .device()
///     .get_device_by_unique_id()
///     .unique_id("pump-7")
///     .send()
///     .item()
///     .await?;
/// # let _ = (attributes, device);
/// # Ok(()) }
/// ```
pub trait UnwrapExt<E>: Future<Output = Result<ResponseValue<E>, Error>> + Sized
where
    E: Envelope,
{
    /// The list in `data`; an empty list when `data` is `null` or the server answers "no
    /// records" (204) or "not found" (404, 409).
    ///
    /// # Errors
    /// Any other failure of the call.
    fn items<T>(self) -> impl Future<Output = Result<Vec<T>, Error>>
    where
        E: Envelope<Data = Vec<T>>,
    {
        async move {
            match self.await {
                Ok(answer) => Ok(answer.into_inner().into_data().unwrap_or_default()),
                Err(e) if e.is_not_found() => Ok(Vec::new()),
                Err(e) => Err(e),
            }
        }
    }

    /// `data[0]`: the object a lookup returns, which IoTConnect wraps in a list. `None` when the
    /// list is empty or `null`, or the server answers "not found" (204, 404 or 409).
    ///
    /// # Errors
    /// Any other failure of the call.
    fn item<T>(self) -> impl Future<Output = Result<Option<T>, Error>>
    where
        E: Envelope<Data = Vec<T>>,
    {
        async move {
            match self.await {
                Ok(answer) => Ok(answer
                    .into_inner()
                    .into_data()
                    .and_then(|d| d.into_iter().next())),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e),
            }
        }
    }

    /// `data` as it is, for the answers whose `data` is not a list.
    ///
    /// # Errors
    /// Any failure of the call, "not found" included; an [`Error::Decode`] when the answer has
    /// no `data`.
    fn data(self) -> impl Future<Output = Result<E::Data, Error>> {
        async move {
            let answer = self.await?;
            let status = answer.status();
            answer
                .into_inner()
                .into_data()
                .ok_or_else(|| Error::Decode {
                    status: Some(status),
                    detail: "the answer's `data` is null or missing".to_owned(),
                    excerpt: String::new(),
                })
        }
    }
}

impl<F, E> UnwrapExt<E> for F
where
    F: Future<Output = Result<ResponseValue<E>, Error>>,
    E: Envelope,
{
}

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
