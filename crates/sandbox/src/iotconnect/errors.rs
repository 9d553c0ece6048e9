//! IoTConnect's answers: the `{data, status, message, count}` envelope, the error body
//! `{status, message, error: [{param, message}]}` of the API, and the auth service's
//! `{status, message, error: null, data: null}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An API error: the status and the `ErrorsResponse` body.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    errors: Vec<(String, String)>,
}

impl ApiError {
    /// An error with `status`, a code-like `message` and no `error` items.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let items: Vec<Value> = self
            .errors
            .into_iter()
            .map(|(param, message)| json!({"param": param, "message": message}))
            .collect();
        let body = json!({
            "status": self.status.as_u16(),
            "message": self.message,
            "error": items,
        });
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// 409, the vendor's answer for a thing that does not exist on most single-object GETs and
/// for business conflicts (`DeviceNotFound`, `TemplateInUse`, ...).
pub(crate) fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, message)
}

/// 404 (template by GUID and user by GUID answer it, where others answer 409).
pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, message)
}

/// 412 `Validation failed` with one `error` item naming the parameter.
pub(crate) fn invalid(param: &str, message: impl Into<String>) -> ApiError {
    ApiError {
        status: StatusCode::PRECONDITION_FAILED,
        message: "Validation failed".into(),
        errors: vec![(param.to_owned(), message.into())],
    }
}

/// 401 for a missing, unknown or expired bearer.
pub(crate) fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message)
}

/// An API error answer (the fault middleware's hook).
pub(crate) fn api_error(status: StatusCode, message: &str) -> Response {
    ApiError::new(status, message).into_response()
}

/// The auth service's error answer, `{status, message, error: null, data: null}`.
pub(crate) fn auth_error(status: StatusCode, message: &str) -> Response {
    let body = json!({"status": status.as_u16(), "message": message, "error": null, "data": null});
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A successful answer in the envelope: `{data, status: 200, message, count}`.
pub(crate) fn envelope(message: &str, data: Value, count: Value) -> Response {
    Json(json!({"data": data, "status": 200, "message": message, "count": count})).into_response()
}

/// The `SuccessResponse` of a write: `{message, status: 200, data: []}`, without `count`.
pub(crate) fn success(message: &str) -> Response {
    Json(json!({"message": message, "status": 200, "data": []})).into_response()
}

/// 204 without a body: the request was fine, there are no records.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
