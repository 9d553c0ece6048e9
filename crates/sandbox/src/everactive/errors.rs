//! Everactive's error answers.
//!
//! The research found no error body of the Data Services API, so API errors use a common REST
//! layout, `{"status": 404, "error": "Not Found", "message": "..."}`. The token endpoint is an
//! Auth0 tenant behind `/auth/token`, so its refusals use the OAuth2 layout
//! `{"error": "access_denied", "error_description": "Unauthorized"}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::shared::oauth::OAuthError;

/// An API error: a status and a message, answered in the layout above.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "status": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "message": self.message,
        });
        (self.status, Json(body)).into_response()
    }
}

/// An API error answer (the fault middleware's hook).
pub(crate) fn api_error(status: StatusCode, message: &str) -> Response {
    ApiError::new(status, message).into_response()
}

/// 400 with a message.
pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

/// 404 with a message.
pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, message)
}

/// A token endpoint refusal in the OAuth2 layout, never cached.
pub(crate) fn oauth_refusal(error: &OAuthError, basic_challenge: bool) -> Response {
    let mut response = (error.status, Json(error.body())).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if basic_challenge && error.status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"everactive-sandbox\""),
        );
    }
    response
}

/// The token endpoint's answer to a failure forced by a knob.
pub(crate) fn token_error(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::UNAUTHORIZED => "access_denied",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "temporarily_unavailable",
        s if s.is_server_error() => "server_error",
        _ => "invalid_request",
    };
    oauth_refusal(&OAuthError::new(status, code, message), false)
}

/// The refusal of wrong, unknown or refused client credentials (401, as Auth0 answers).
pub(crate) fn access_denied() -> OAuthError {
    OAuthError::new(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized")
}
