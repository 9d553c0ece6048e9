//! The typed errors: [`AuthError`] for token problems, [`Error`] for any SDK call.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;

use crate::Redactor;
use crate::runtime::CallRecord;

/// Why no access token could be had. Never carries a secret.
///
/// The variants say what to do next: [`AuthError::Rejected`] will not get better by trying
/// again (fix the credentials), [`AuthError::Unavailable`] may (try later).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The configuration was rejected before any request was sent.
    #[error("invalid auth configuration: {0}")]
    InvalidConfig(String),

    /// The token endpoint said no: wrong credentials, a refused grant or refresh token, or an
    /// answer that no retry changes (a redirect, which is never followed, or another 4xx).
    #[error("the token endpoint rejected the request with HTTP {status}{}", describe_oauth(.code, .description))]
    Rejected {
        /// HTTP status of the token endpoint's answer (not of any API call).
        status: u16,
        /// The OAuth2 `error` code, such as `invalid_client` or `invalid_grant`.
        code: Option<String>,
        /// The server's `error_description`, if it sent one (secrets scrubbed).
        description: Option<String>,
    },

    /// The token endpoint could not be reached, timed out, or answered 408, 429 or 5xx.
    #[error("the token endpoint is unavailable{}: {detail}", .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Unavailable {
        /// HTTP status of the answer, when there was one.
        status: Option<u16>,
        /// What went wrong, without any URL or secret.
        detail: String,
        /// How long the server asked to wait (`Retry-After`), if it did.
        retry_after: Option<Duration>,
    },

    /// The token endpoint answered 2xx with a body that is not a usable token answer. The
    /// body itself is never quoted: it may hold a token in a shape no rule recognizes.
    #[error("malformed token answer (HTTP {status}): {detail}")]
    MalformedResponse {
        /// HTTP status of the answer.
        status: u16,
        /// What was wrong, without any value from the body.
        detail: String,
    },

    /// A [`crate::TokenStore`] could not load or save a token.
    #[error("token store: {0}")]
    Store(String),

    /// The `state` that came back with an authorization code is not the one sent with the
    /// authorization request ([`crate::oauth::PendingAuthorization`]): the answer belongs to
    /// another sign-in, or was forged (CSRF). Nothing was sent; start the sign-in again.
    #[error(
        "the authorization answer's state does not match the request's; the code was not exchanged"
    )]
    StateMismatch,
}

impl AuthError {
    pub(crate) fn malformed(status: u16, detail: impl Into<String>) -> Self {
        AuthError::MalformedResponse {
            status,
            detail: detail.into(),
        }
    }

    pub(crate) fn unavailable(detail: impl Into<String>) -> Self {
        AuthError::Unavailable {
            status: None,
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// The OAuth2 error code, when the token endpoint sent one.
    pub fn oauth_code(&self) -> Option<&str> {
        match self {
            AuthError::Rejected { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status of the token endpoint's answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            AuthError::Rejected { status, .. } | AuthError::MalformedResponse { status, .. } => {
                Some(*status)
            }
            AuthError::Unavailable { status, .. } => *status,
            _ => None,
        }
    }

    /// Whether the token endpoint said no: retrying will not help.
    pub fn is_rejected(&self) -> bool {
        matches!(self, AuthError::Rejected { .. })
    }

    /// Whether the token endpoint was out of reach or overloaded: retrying later may help.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AuthError::Unavailable { .. })
    }

    /// The same error with every value `redactor` knows scrubbed from its text.
    #[must_use]
    pub fn scrubbed(self, redactor: &Redactor) -> Self {
        let scrub = |text: String| redactor.scrub(&text);
        match self {
            AuthError::InvalidConfig(m) => AuthError::InvalidConfig(scrub(m)),
            AuthError::Rejected {
                status,
                code,
                description,
            } => AuthError::Rejected {
                status,
                code: code.map(scrub),
                description: description.map(scrub),
            },
            AuthError::Unavailable {
                status,
                detail,
                retry_after,
            } => AuthError::Unavailable {
                status,
                detail: scrub(detail),
                retry_after,
            },
            AuthError::MalformedResponse { status, detail } => AuthError::MalformedResponse {
                status,
                detail: scrub(detail),
            },
            AuthError::Store(m) => AuthError::Store(scrub(m)),
            AuthError::StateMismatch => AuthError::StateMismatch,
        }
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
/// Every generated `send()` returns it. `Display` and `Debug` show a body only as an excerpt
/// from which every secret the client holds (and anything shaped like a credential) was
/// removed; [`Error::body`] gives the raw bytes to code that asks for them.
#[non_exhaustive]
pub enum Error {
    /// The input was rejected before any request was sent.
    InvalidRequest(String),

    /// No access token could be had, or the API rejected every token it was sent.
    Auth(AuthError),

    /// The request never got an HTTP answer (connection refused, timeout, TLS, ...). The
    /// error's URL is removed: it may carry a credential in its query.
    Transport(reqwest::Error),

    /// The server answered with a non-success status.
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The response body (empty when it was not captured), with every secret the client
        /// holds (tokens, passwords, client secrets) replaced by `[redacted]`: a server that
        /// echoes a credential must not hand it to whoever decodes or logs the body.
        body: Bytes,
        /// The start of the body, safe to show.
        excerpt: String,
        /// The vendor's request id header, if present.
        request_id: Option<String>,
    },

    /// The server answered, but the body does not have the documented shape.
    Decode {
        /// The HTTP status of the answer, when it was captured.
        status: Option<StatusCode>,
        /// What did not match, without quoting any value (JSON, XML or text alike).
        detail: String,
        /// The start of the body, safe to show.
        excerpt: String,
    },

    /// Any other failure reported by a request hook.
    Other(String),
}

impl Error {
    /// The HTTP status of the API's answer, if there was one. A token endpoint's status is
    /// not the API's: see [`AuthError::status`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::Decode { status, .. } => *status,
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The body of a failed call (`Api` errors), secrets the client holds scrubbed.
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

    /// The vendor's request id of the failed call, if it sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether trying the same call later could succeed: connection errors, timeouts, HTTP
    /// 408, 429, 502-504, and a token endpoint that was unavailable.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_connect() || e.is_timeout(),
            Error::Auth(e) => e.is_unavailable(),
            _ => self.status().is_some_and(crate::retry::is_retryable_status),
        }
    }

    /// An `Api` error for `status` and `body`, its body and excerpt scrubbed by `redactor`.
    pub fn api(
        status: StatusCode,
        body: Bytes,
        request_id: Option<String>,
        redactor: &Redactor,
    ) -> Self {
        let body = redactor.scrub_body(body);
        Error::Api {
            status,
            excerpt: redactor.excerpt(&body),
            body,
            request_id,
        }
    }

    /// A `Decode` error: `detail` says what did not match and must not quote the body.
    pub fn decode(
        status: Option<StatusCode>,
        detail: impl Into<String>,
        body: &[u8],
        redactor: &Redactor,
    ) -> Self {
        Error::Decode {
            status,
            detail: redactor.scrub(&detail.into()),
            excerpt: redactor.excerpt(body),
        }
    }

    /// Builds the error from a generated client's error and what the request layer recorded.
    pub fn from_generated<E>(err: progenitor_client::Error<E>, record: CallRecord) -> Self {
        use progenitor_client::Error as G;
        if let Some(auth) = record.auth_error {
            return Error::Auth(auth);
        }
        let redactor = record.redactor.unwrap_or_default();
        let request_id = record.request_id;
        let body = record.error_body.unwrap_or_default();
        match err {
            G::InvalidRequest(msg) => Error::InvalidRequest(redactor.scrub(&msg)),
            G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => {
                Error::Transport(e.without_url())
            }
            G::ErrorResponse(value) => Error::api(value.status(), body, request_id, &redactor),
            G::UnexpectedResponse(response) => {
                Error::api(response.status(), body, request_id, &redactor)
            }
            G::InvalidResponsePayload(payload, source) => {
                match record.status.filter(|s| !s.is_success()) {
                    Some(status) => Error::api(status, payload, request_id, &redactor),
                    None => {
                        Error::decode(record.status, describe_serde(&source), &payload, &redactor)
                    }
                }
            }
            G::Custom(msg) => Error::Other(redactor.scrub(&msg)),
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
            Error::Api {
                status, excerpt, ..
            } if excerpt.is_empty() => write!(f, "HTTP {status}"),
            Error::Api {
                status, excerpt, ..
            } => write!(f, "HTTP {status}: {excerpt}"),
            Error::Decode {
                status,
                detail,
                excerpt,
            } => {
                match status {
                    Some(s) => write!(f, "could not decode the HTTP {s} response")?,
                    None => write!(f, "could not decode the response")?,
                }
                write!(f, " ({detail}); body starts with: {excerpt}")
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
                excerpt,
                request_id,
            } => f
                .debug_struct("Api")
                .field("status", status)
                .field("body_len", &body.len())
                .field("excerpt", excerpt)
                .field("request_id", request_id)
                .finish(),
            Error::Decode {
                status,
                detail,
                excerpt,
            } => f
                .debug_struct("Decode")
                .field("status", status)
                .field("detail", detail)
                .field("excerpt", excerpt)
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
    fn rejected_display_has_status_and_code() {
        let e = AuthError::Rejected {
            status: 401,
            code: Some("invalid_client".into()),
            description: Some("bad secret".into()),
        };
        assert_eq!(
            e.to_string(),
            "the token endpoint rejected the request with HTTP 401 (invalid_client: bad secret)"
        );
        assert_eq!(e.oauth_code(), Some("invalid_client"));
        assert!(e.is_rejected() && !e.is_unavailable());
    }

    #[test]
    fn the_token_endpoint_status_is_not_the_api_status() {
        let e = Error::Auth(AuthError::Rejected {
            status: 401,
            code: None,
            description: None,
        });
        assert_eq!(e.status(), None);
        let Error::Auth(auth) = &e else {
            unreachable!()
        };
        assert_eq!(auth.status(), Some(401));
    }

    #[test]
    fn decode_display_hides_the_offending_value() {
        let source = serde_json::from_str::<u32>("\"hunter2hunter2\"").expect_err("not a number");
        let e = Error::decode(
            Some(StatusCode::OK),
            describe_serde(&source),
            b"{}",
            &Redactor::default(),
        );
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("HTTP 200 OK"), "{shown}");
    }

    #[test]
    fn api_error_exposes_status_body_and_parsed_body() {
        let e = Error::api(
            StatusCode::BAD_GATEWAY,
            Bytes::from_static(br#"{"message":"upstream down"}"#),
            Some("r-1".into()),
            &Redactor::default(),
        );
        assert_eq!(e.status(), Some(StatusCode::BAD_GATEWAY));
        assert_eq!(e.request_id(), Some("r-1"));
        assert!(e.is_retryable());
        let parsed: serde_json::Value = e.api_error().expect("json body");
        assert_eq!(parsed["message"], "upstream down");
        assert_eq!(
            e.to_string(),
            r#"HTTP 502 Bad Gateway: {"message":"upstream down"}"#
        );
    }

    #[test]
    fn auth_errors_are_scrubbed_by_value() {
        let redactor = Redactor::default();
        redactor.add(&secrecy::SecretString::from("pw-value"));
        let e = AuthError::Rejected {
            status: 400,
            code: Some("invalid_grant".into()),
            description: Some("password pw-value is wrong".into()),
        }
        .scrubbed(&redactor);
        assert!(!e.to_string().contains("pw-value"), "{e}");
    }
}
