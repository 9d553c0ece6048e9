//! The error of every call: the workspace's shared [`sdk_auth::Error`] for everything HTTP
//! (bad input, tokens, transport, statuses, answers that do not parse), plus the refusals
//! ExtraView writes as text into an HTTP 200.

use std::fmt;

use reqwest::StatusCode;

use crate::AuthError;

/// The error of every call of this SDK.
///
/// ```
/// let err = extraview_sdk::Client::builder()
///     .base_url("http://ev.example.com/evj/ExtraView/ev_api.action")
///     .credentials("jdoe", "pw")
///     .build()
///     .unwrap_err();
/// assert!(err.to_string().contains("https://"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Bad input (refused before any request), no token (a refused sign-on, or a token the
    /// API kept rejecting after one new sign-in), no answer, an error status, or an answer
    /// that does not parse: the error every SDK of this workspace shares.
    Http(sdk_auth::Error),
    /// ExtraView answered with a refusal in text, with HTTP 200 as it always does.
    Api(ApiError),
}

/// What kind of refusal an [`ApiError`] is, read from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// An invalid sign-on or an expired session or token. The client signs in again and
    /// resends once before it reports one, as an [`AuthError`].
    SignOn,
    /// `Invalid Id`: no issue has that alternate id (`strict=yes`).
    InvalidId,
    /// `... does not exist`.
    NotFound,
    /// `... denied` and the like: the user may not do this.
    PermissionDenied,
    /// The input was refused, such as "You cannot provide a Bug # when you are adding a new
    /// issue".
    Validation,
    /// Any other text where data was expected.
    Other,
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiErrorKind::SignOn => "sign-on refused",
            ApiErrorKind::InvalidId => "invalid id",
            ApiErrorKind::NotFound => "not found",
            ApiErrorKind::PermissionDenied => "permission denied",
            ApiErrorKind::Validation => "input refused",
            ApiErrorKind::Other => "refused",
        })
    }
}

/// A refusal ExtraView sent as text in an HTTP 200.
///
/// The message is the start of the server's text, with every secret the client holds (its
/// password, its tokens) and anything shaped like a credential removed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The command (`statevar`) that was refused.
    pub command: &'static str,
    /// What the text says, as far as it is known.
    pub kind: ApiErrorKind,
    /// The server's message, scrubbed.
    pub message: String,
}

impl ApiError {
    /// A refusal of `command` with the server's `text`, scrubbed by `redactor`.
    pub(crate) fn new(
        command: &'static str,
        kind: ApiErrorKind,
        text: &str,
        redactor: &sdk_auth::Redactor,
    ) -> Self {
        Self {
            command,
            kind,
            message: redactor.excerpt(text.trim().as_bytes()),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ExtraView refused `{}` ({}): {}",
            self.command, self.kind, self.message
        )
    }
}

impl std::error::Error for ApiError {}

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

    /// The HTTP status of the answer, when there was one (ExtraView's refusals come with
    /// 200).
    ///
    /// ```
    /// let err = extraview_sdk::Client::builder().build().unwrap_err();
    /// assert_eq!(err.status(), None);
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Http(e) => e.status(),
            Error::Api(_) => Some(StatusCode::OK),
        }
    }

    /// Whether the same call could succeed later (timeouts, 429, 502-504, an unavailable
    /// token endpoint). A refusal in text is not.
    ///
    /// ```
    /// let err = extraview_sdk::Client::builder().build().unwrap_err();
    /// assert!(!err.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Http(e) => e.is_retryable(),
            Error::Api(_) => false,
        }
    }

    /// The refusal, if that is what this is.
    ///
    /// ```
    /// let err = extraview_sdk::Client::builder().build().unwrap_err();
    /// assert!(err.api().is_none());
    /// ```
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::Http(_) => None,
        }
    }

    /// The shared HTTP error, if that is what this is.
    ///
    /// ```
    /// let err = extraview_sdk::Client::builder().build().unwrap_err();
    /// assert!(matches!(err.http(), Some(extraview_sdk::HttpError::Auth(_))));
    /// ```
    pub fn http(&self) -> Option<&sdk_auth::Error> {
        match self {
            Error::Http(e) => Some(e),
            Error::Api(_) => None,
        }
    }

    /// The kind of a refusal in text.
    ///
    /// ```
    /// let err = extraview_sdk::Client::builder().build().unwrap_err();
    /// assert_eq!(err.api_kind(), None);
    /// ```
    pub fn api_kind(&self) -> Option<ApiErrorKind> {
        self.api().map(|e| e.kind)
    }

    /// Whether ExtraView said the issue does not exist (or, with an alternate id, that the id
    /// is invalid).
    ///
    /// ```
    /// let err = extraview_sdk::Client::builder().build().unwrap_err();
    /// assert!(!err.is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.api_kind(),
            Some(ApiErrorKind::NotFound | ApiErrorKind::InvalidId)
        )
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
            Error::Api(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Http(e) => Some(e),
            Error::Api(e) => Some(e),
        }
    }
}
