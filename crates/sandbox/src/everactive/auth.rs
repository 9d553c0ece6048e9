//! The bearer check in front of every `/ds/v1` call, and the role check of the calls that
//! change things.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::errors::{ApiError, api_error};
use super::{Role, Shared};
use crate::shared::tokens::TokenProblem;

/// Who is calling, as established by the bearer token.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub(crate) role: Role,
}

impl Caller {
    /// 403 unless the caller may change gateways and webhooks.
    pub(crate) fn require_site_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::SiteAdmin => Ok(()),
            Role::ReadOnly => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "this credential's role does not grant access to this resource",
            )),
        }
    }
}

/// Lets a request through only with `Authorization: Bearer <a live token>`; answers 401 with a
/// `WWW-Authenticate` challenge (RFC 6750) otherwise.
pub(crate) async fn require_bearer(
    State(state): State<Shared>,
    mut request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    let Some(token) = presented else {
        return unauthorized(
            "Bearer realm=\"everactive-sandbox\"",
            "a bearer token is required",
        );
    };
    let subject = match state.controls.tokens().verify(&token) {
        Ok(subject) => subject,
        Err(TokenProblem::Expired) => {
            return unauthorized(
                "Bearer realm=\"everactive-sandbox\", error=\"invalid_token\", error_description=\"the token expired\"",
                "the access token expired",
            );
        }
        Err(TokenProblem::Unknown) => {
            return unauthorized(
                "Bearer realm=\"everactive-sandbox\", error=\"invalid_token\"",
                "the access token is not valid",
            );
        }
    };
    let role = state
        .credentials
        .iter()
        .find(|c| c.id == subject)
        .map_or(Role::ReadOnly, |c| c.role);
    request.extensions_mut().insert(Caller { role });
    next.run(request).await
}

fn unauthorized(challenge: &'static str, message: &str) -> Response {
    let mut response = api_error(StatusCode::UNAUTHORIZED, message);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}
