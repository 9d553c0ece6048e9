//! `POST /auth/token`: the OAuth2 client-credentials grant.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, json};

use super::Shared;
use super::errors::{access_denied, oauth_refusal};
use crate::shared::oauth::{OAuthError, TokenRequest};
use crate::shared::tokens::TokenFormat;

/// Issues a token for a known client, or refuses the way the service does.
pub(crate) async fn issue(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = match TokenRequest::parse(&headers, &body) {
        Ok(request) => request,
        Err(refusal) => return oauth_refusal(&refusal, false),
    };
    let basic = request.used_basic();
    match request.param("grant_type") {
        Some("client_credentials") => {}
        Some(other) => {
            let refusal = OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("Unsupported grant type: {other}"),
            );
            return oauth_refusal(&refusal, basic);
        }
        None => {
            let refusal = OAuthError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing required parameter: grant_type",
            );
            return oauth_refusal(&refusal, basic);
        }
    }
    let Some(client_id) = request.client_id() else {
        let refusal = OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: client_id",
        );
        return oauth_refusal(&refusal, basic);
    };
    let faults = state.controls.faults();
    let known = state
        .credentials
        .iter()
        .any(|c| request.client_is(&c.id, &c.secret));
    if !known || faults.refuse_tokens {
        return oauth_refusal(&access_denied(), basic);
    }
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(format!("{}/", state.base_url)));
    claims.insert("sub".into(), json!(format!("{client_id}@clients")));
    claims.insert("aud".into(), json!("https://everactive/audience"));
    claims.insert("azp".into(), json!(client_id));
    claims.insert("gty".into(), json!("client-credentials"));
    let token = state.controls.tokens().issue(
        client_id,
        state.controls.token_lifetime(),
        &TokenFormat::Jwt { claims },
    );
    state.controls.count_issued_token();
    let status = StatusCode::from_u16(faults.token_status).unwrap_or(StatusCode::OK);
    let body = json!({
        "access_token": token.access_token,
        "expires_in": token.expires_in,
        "token_type": "Bearer",
    });
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
