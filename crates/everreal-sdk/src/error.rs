//! The error of every call: the workspace's shared [`sdk_auth::Error`] for everything HTTP
//! (bad input, tokens, transport, statuses, bodies that do not decode), plus the GraphQL
//! errors a server reports inside an answer.

use std::fmt;

use reqwest::StatusCode;
use serde_json::Value;

use crate::AuthError;

/// The error of every call of this SDK.
///
/// ```
/// use everreal_sdk::Error;
/// let err = everreal_sdk::data::Meta::new("").unwrap_err();
/// assert!(matches!(err, Error::Http(everreal_sdk::HttpError::InvalidRequest(_))));
/// assert!(err.to_string().contains("meta.source"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Bad input (refused before any request), no token, no answer, an error status, or an
    /// answer that does not decode: the error every SDK of this workspace shares. It keeps
    /// the status and the raw body of a failed call.
    Http(sdk_auth::Error),
    /// The GraphQL server answered with `errors`: the query or mutation failed, in whole or
    /// in part. A partial `data` is never handed out as a result.
    GraphQl(GraphQlErrors),
}

impl Error {
    /// An [`Error::Http`] for input refused before any request.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::Http(sdk_auth::Error::InvalidRequest(message.into()))
    }

    /// An [`Error::Http`] for a client that cannot be built as configured.
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Http(sdk_auth::Error::Auth(AuthError::InvalidConfig(
            message.into(),
        )))
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Http(e) => e.status(),
            Error::GraphQl(e) => Some(e.status),
        }
    }

    /// Whether the same call could succeed later (timeouts, 429, 502-504, an unavailable
    /// token endpoint). GraphQL errors are not: the server understood and refused.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Http(e) => e.is_retryable(),
            Error::GraphQl(_) => false,
        }
    }

    /// The GraphQL errors, if that is what this is.
    pub fn graphql(&self) -> Option<&GraphQlErrors> {
        match self {
            Error::GraphQl(e) => Some(e),
            Error::Http(_) => None,
        }
    }

    /// The shared HTTP error, if that is what this is.
    pub fn http(&self) -> Option<&sdk_auth::Error> {
        match self {
            Error::Http(e) => Some(e),
            Error::GraphQl(_) => None,
        }
    }
}

impl From<sdk_auth::Error> for Error {
    fn from(err: sdk_auth::Error) -> Self {
        Error::Http(err)
    }
}

impl From<AuthError> for Error {
    fn from(err: AuthError) -> Self {
        Error::Http(sdk_auth::Error::Auth(err))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Http(e) => e.fmt(f),
            Error::GraphQl(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Http(e) => Some(e),
            Error::GraphQl(_) => None,
        }
    }
}

/// The `errors` of a GraphQL answer: at least one.
///
/// `Debug` and `Display` show the messages (scrubbed of the client's secrets), paths and
/// codes; a partial `data` is kept for code that wants it but never shown.
#[derive(Clone)]
#[non_exhaustive]
pub struct GraphQlErrors {
    /// The HTTP status of the answer (200, or 400 for a request the server could not run).
    pub status: StatusCode,
    /// The errors, in the server's order.
    pub errors: Vec<GraphQlError>,
    /// What the server put in `data` next to the errors, when it was not `null`.
    pub partial_data: Option<Value>,
}

/// One GraphQL error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GraphQlError {
    /// What went wrong, scrubbed of the client's secrets.
    pub message: String,
    /// Where in the answer, from the root field down (empty for a request-level error).
    pub path: Vec<PathSegment>,
    /// `extensions.code`, such as `GRAPHQL_VALIDATION_FAILED` or `UNAUTHENTICATED`.
    pub code: Option<String>,
}

/// One step of a [`GraphQlError::path`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// A field name.
    Field(String),
    /// A list index.
    Index(u64),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Field(name) => f.write_str(name),
            PathSegment::Index(i) => write!(f, "{i}"),
        }
    }
}

impl GraphQlErrors {
    /// Reads the `errors` member of an answer, leniently: a message that is not a string, a
    /// path step of another type or a missing `extensions` never fail. `None` when there is
    /// no error in it.
    pub(crate) fn from_answer(
        status: StatusCode,
        answer: &Value,
        redactor: &sdk_auth::Redactor,
    ) -> Option<Self> {
        let errors: Vec<GraphQlError> = match answer.get("errors")? {
            Value::Array(items) => items
                .iter()
                .map(|e| GraphQlError::read(e, redactor))
                .collect(),
            Value::Null => Vec::new(),
            other => vec![GraphQlError::read(other, redactor)],
        };
        if errors.is_empty() {
            return None;
        }
        Some(Self {
            status,
            errors,
            partial_data: answer.get("data").filter(|d| !d.is_null()).cloned(),
        })
    }

    /// The `extensions.code` of every error that has one.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.errors.iter().filter_map(|e| e.code.as_deref())
    }
}

impl GraphQlError {
    fn read(value: &Value, redactor: &sdk_auth::Redactor) -> Self {
        let message = match value.get("message") {
            Some(Value::String(m)) => redactor.scrub(m),
            Some(other) if !other.is_null() => redactor.scrub(&other.to_string()),
            _ => "(no message)".to_owned(),
        };
        let path = value
            .get("path")
            .and_then(Value::as_array)
            .map(|steps| {
                steps
                    .iter()
                    .filter_map(|step| match step {
                        Value::String(s) => Some(PathSegment::Field(s.clone())),
                        Value::Number(n) => n.as_u64().map(PathSegment::Index),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let code = value
            .pointer("/extensions/code")
            .and_then(Value::as_str)
            .map(|c| redactor.scrub(c));
        Self {
            message,
            path,
            code,
        }
    }
}

impl fmt::Display for GraphQlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.path.is_empty() {
            let path: Vec<String> = self.path.iter().map(ToString::to_string).collect();
            write!(f, " at {}", path.join("."))?;
        }
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        Ok(())
    }
}

impl fmt::Display for GraphQlErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GraphQL error")?;
        if let Some(first) = self.errors.first() {
            write!(f, ": {first}")?;
        }
        match self.errors.len() {
            0 | 1 => Ok(()),
            n => write!(f, " (and {} more)", n - 1),
        }
    }
}

impl fmt::Debug for GraphQlErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphQlErrors")
            .field("status", &self.status)
            .field("errors", &self.errors)
            .field("partial_data", &self.partial_data.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(answer: Value) -> Option<GraphQlErrors> {
        GraphQlErrors::from_answer(StatusCode::OK, &answer, &sdk_auth::Redactor::default())
    }

    #[test]
    fn errors_are_read_leniently() {
        let errors = read(json!({
            "errors": [
                {"message": "Not allowed", "path": ["units", 3, "owner", true], "extensions": {"code": "FORBIDDEN"}},
                {"message": 7},
                {}
            ],
            "data": {"units": [null]}
        }))
        .expect("errors");
        assert_eq!(errors.errors.len(), 3);
        assert_eq!(
            errors.errors[0].to_string(),
            "Not allowed at units.3.owner (FORBIDDEN)"
        );
        assert_eq!(errors.errors[1].message, "7");
        assert_eq!(errors.errors[2].message, "(no message)");
        assert_eq!(errors.codes().collect::<Vec<_>>(), ["FORBIDDEN"]);
        assert!(errors.partial_data.is_some());
        assert_eq!(
            errors.to_string(),
            "GraphQL error: Not allowed at units.3.owner (FORBIDDEN) (and 2 more)"
        );
    }

    #[test]
    fn no_errors_is_none() {
        assert!(read(json!({"data": {}})).is_none());
        assert!(read(json!({"errors": [], "data": {}})).is_none());
        assert!(read(json!({"errors": null, "data": {}})).is_none());
    }

    #[test]
    fn messages_are_scrubbed_and_partial_data_never_shown() {
        let redactor = sdk_auth::Redactor::default();
        redactor.add(&sdk_auth::SecretString::from("hunter2hunter2"));
        let errors = GraphQlErrors::from_answer(
            StatusCode::OK,
            &json!({"errors": [{"message": "bad token hunter2hunter2"}], "data": {"x": "private-data"}}),
            &redactor,
        )
        .expect("errors");
        let shown = format!("{errors} {errors:?}");
        assert!(!shown.contains("hunter2hunter2"), "{shown}");
        assert!(!shown.contains("private-data"), "{shown}");
    }
}
