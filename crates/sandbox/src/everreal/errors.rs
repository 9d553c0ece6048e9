//! EverReal's error answers.
//!
//! The research records two shapes: the OAuth refusal `{"error": "invalid_grant",
//! "error_description": "..."}` (with 403) and a REST refusal `{"code": "server_error",
//! "statusCode": 403}`. REST errors here use the second with a `message` added; GraphQL errors
//! are in `graphql/`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::shared::oauth::OAuthError;

/// A REST error: a status, a code and a message.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    /// An error with `status` and `message`; the code follows from the status.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        429 => "too_many_requests",
        _ if status.is_server_error() => "server_error",
        _ => "error",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": code_for(self.status),
            "statusCode": self.status.as_u16(),
            "message": self.message,
        });
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        response
    }
}

/// A REST error answer (the fault middleware's hook).
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

/// 401 for a missing, unknown, revoked or expired bearer.
pub(crate) fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message)
}

/// An OAuth refusal, never cached.
pub(crate) fn oauth_refusal(error: &OAuthError) -> Response {
    let mut response = (error.status, Json(error.body())).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// The vendor's refusal of credentials, codes and refresh tokens: 403 `invalid_grant`.
pub(crate) fn invalid_grant(description: impl Into<String>) -> OAuthError {
    OAuthError::new(StatusCode::FORBIDDEN, "invalid_grant", description)
}

/// 400 `invalid_request`.
pub(crate) fn invalid_request(description: impl Into<String>) -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// The token endpoint's answer to a failure forced by a knob.
pub(crate) fn token_error(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => "invalid_grant",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "temporarily_unavailable",
        s if s.is_server_error() => "server_error",
        _ => "invalid_request",
    };
    oauth_refusal(&OAuthError::new(status, code, message))
}
