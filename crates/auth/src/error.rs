//! The typed errors: [`AuthError`] for token problems, [`Error`] for any SDK call.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use reqwest::StatusCode;

use crate::runtime::CallRecord;
use crate::excerpt::redacted_excerpt;

/// Why no access token could be had. Never carries a secret.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The configuration was rejected before any request was sent.
    #[error("invalid auth configuration: {0}")]
    InvalidConfig(String),

    /// The token endpoint answered with an error (or a 2xx whose body is an OAuth error).
    #[error("token endpoint refused the request with HTTP {status}{}", describe_oauth(.code, .description))]
    Refused {
        /// HTTP status of the token endpoint's answer.
        status: u16,
        /// The OAuth2 `error` code, such as `invalid_client` or `invalid_grant`.
        code: Option<String>,
        /// The server's `error_description`, if it sent one.
        description: Option<String>,
    },

    /// The token endpoint could not be reached or did not answer in time.
    #[error("token request failed: {0}")]
    Transport(#[source] Arc<reqwest::Error>),

    /// The token endpoint answered 2xx with a body that is not a usable token response.
    #[error("malformed token response (HTTP {status}): {detail}; body starts with: {excerpt}")]
    MalformedResponse {
        /// HTTP status of the answer.
        status: u16,
        /// What was wrong, without any value from the body.
        detail: String,
        /// A redacted excerpt of the body (see [`crate::redacted_excerpt`]).
        excerpt: String,
    },
}

impl AuthError {
    /// The OAuth2 error code, when the token endpoint sent one.
    pub fn oauth_code(&self) -> Option<&str> {
        match self {
            AuthError::Refused { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// Whether the token endpoint said the credentials or grant are bad (no point retrying).
    pub fn is_refused(&self) -> bool {
        matches!(self, AuthError::Refused { .. })
    }
}

fn describe_oauth(code: &Option<String>, description: &Option<String>) -> String {
    match (code, description) {
        (Some(c), Some(d)) => format!(" ({c}: {d})"),
        (Some(c), None) => format!(" ({c})"),
        (None, Some(d)) => format!(" ({d})"),
        (None, None) => String::new(),
    }
}

/// The one error type of every SDK call: the HTTP status and raw body of a failed call are
/// kept, token problems stay typed as [`AuthError`].
///
/// Produce it with [`crate::runtime::typed`] on a generated call, or with [`Error::from`] on a
/// plain progenitor error (which then lacks what only the request layer saw: the raw error body
/// and the typed auth error).
///
/// `Display` and `Debug` show the body only as a redacted excerpt: an error body may echo a
/// credential. [`Error::body`] gives the raw bytes to code that asks for them.
#[non_exhaustive]
pub enum Error {
    /// The input was rejected before any request was sent.
    InvalidRequest(String),

    /// No access token could be had.
    Auth(AuthError),

    /// The request never got an HTTP answer (connection refused, timeout, TLS, ...).
    Transport(reqwest::Error),

    /// The server answered with a non-success status.
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The raw response body (empty when it was not captured).
        body: Bytes,
        /// The vendor's request id header, if present.
        request_id: Option<String>,
    },

    /// The server answered, but the body does not match the documented shape.
    Decode {
        /// The HTTP status of the answer, when it was captured.
        status: Option<StatusCode>,
        /// A redacted excerpt of the body.
        excerpt: String,
        /// The decoding error.
        source: serde_json::Error,
    },

    /// Any other failure reported by a request hook.
    Other(String),
}

impl Error {
    /// The HTTP status of the failed call, if there was an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::Decode { status, .. } => *status,
            Error::Transport(e) => e.status(),
            Error::Auth(AuthError::Refused { status, .. }) => StatusCode::from_u16(*status).ok(),
            _ => None,
        }
    }

    /// The raw body of a failed call (`Api` errors).
    pub fn body(&self) -> Option<&Bytes> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Decodes the body of an `Api` error into the vendor's error type.
    pub fn api_error<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        self.body().and_then(|b| serde_json::from_slice(b).ok())
    }

    /// Whether trying the same call later could succeed: the cases the request layer itself
    /// retries for idempotent requests (connection errors, timeouts, HTTP 408, 429, 502-504).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_connect() || e.is_timeout(),
            _ => self.status().is_some_and(crate::retry::is_retryable_status),
        }
    }

    /// Builds the error from a generated client's error and what the request layer recorded.
    pub fn from_generated<E>(err: progenitor_client::Error<E>, record: CallRecord) -> Self {
        use progenitor_client::Error as G;
        if let Some(auth) = record.auth_error {
            return Error::Auth(auth);
        }
        let request_id = record.request_id;
        match err {
            G::InvalidRequest(msg) => Error::InvalidRequest(msg),
            G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => {
                Error::Transport(e.without_url())
            }
            G::ErrorResponse(value) => Error::Api {
                status: value.status(),
                body: record.error_body.unwrap_or_default(),
                request_id,
            },
            G::UnexpectedResponse(response) => Error::Api {
                status: response.status(),
                body: record.error_body.unwrap_or_default(),
                request_id,
            },
            G::InvalidResponsePayload(body, source) => {
                if let Some(status) = record.status.filter(|s| !s.is_success()) {
                    Error::Api {
                        status,
                        body,
                        request_id,
                    }
                } else {
                    Error::Decode {
                        status: record.status,
                        excerpt: redacted_excerpt(&body),
                        source,
                    }
                }
            }
            G::Custom(msg) => Error::Other(msg),
        }
    }
}

impl<E> From<progenitor_client::Error<E>> for Error {
    fn from(err: progenitor_client::Error<E>) -> Self {
        Error::from_generated(err, CallRecord::default())
    }
}

impl From<AuthError> for Error {
    fn from(err: AuthError) -> Self {
        Error::Auth(err)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest(msg) => write!(f, "invalid request: {msg}"),
            Error::Auth(e) => write!(f, "authentication failed: {e}"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Api { status, body, .. } if body.is_empty() => write!(f, "HTTP {status}"),
            Error::Api { status, body, .. } => {
                write!(f, "HTTP {status}: {}", redacted_excerpt(body))
            }
            Error::Decode {
                status,
                excerpt,
                source,
            } => {
                match status {
                    Some(s) => write!(f, "could not decode the HTTP {s} response")?,
                    None => write!(f, "could not decode the response")?,
                }
                write!(
                    f,
                    " ({}); body starts with: {excerpt}",
                    describe_serde(source)
                )
            }
            Error::Other(msg) => f.write_str(msg),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest(msg) => f.debug_tuple("InvalidRequest").field(msg).finish(),
            Error::Auth(e) => f.debug_tuple("Auth").field(e).finish(),
            Error::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
            Error::Api {
                status,
                body,
                request_id,
            } => f
                .debug_struct("Api")
                .field("status", status)
                .field("body_len", &body.len())
                .field("body_excerpt", &redacted_excerpt(body))
                .field("request_id", request_id)
                .finish(),
            Error::Decode {
                status,
                excerpt,
                source,
            } => f
                .debug_struct("Decode")
                .field("status", status)
                .field("excerpt", excerpt)
                .field("source", &describe_serde(source))
                .finish(),
            Error::Other(msg) => f.debug_tuple("Other").field(msg).finish(),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Auth(e) => Some(e),
            Error::Transport(e) => Some(e),
            Error::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// serde's messages can quote the offending value; only its position and kind are shown.
fn describe_serde(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_display_has_status_and_code() {
        let e = AuthError::Refused {
            status: 401,
            code: Some("invalid_client".into()),
            description: Some("bad secret".into()),
        };
        assert_eq!(
            e.to_string(),
            "token endpoint refused the request with HTTP 401 (invalid_client: bad secret)"
        );
        assert_eq!(e.oauth_code(), Some("invalid_client"));
    }

    #[test]
    fn decode_display_hides_the_offending_value() {
        let source = serde_json::from_str::<u32>("\"hunter2hunter2\"").expect_err("not a number");
        let e = Error::Decode {
            status: Some(StatusCode::OK),
            excerpt: "[redacted]".into(),
            source,
        };
        let shown = e.to_string();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("HTTP 200 OK"), "{shown}");
    }

    #[test]
    fn api_error_exposes_status_body_and_parsed_body() {
        let e = Error::Api {
            status: StatusCode::BAD_GATEWAY,
            body: Bytes::from_static(br#"{"message":"upstream down"}"#),
            request_id: None,
        };
        assert_eq!(e.status(), Some(StatusCode::BAD_GATEWAY));
        assert!(e.is_retryable());
        let parsed: serde_json::Value = e.api_error().expect("json body");
        assert_eq!(parsed["message"], "upstream down");
        assert_eq!(
            e.to_string(),
            r#"HTTP 502 Bad Gateway: {"message":"upstream down"}"#
        );
    }
}
