//! Discovery, the sign-in (basic token, login, refresh), and the bearer check in front of
//! every API call.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::errors::{auth_error, envelope, invalid, unauthorized};
use super::{ENVIRONMENT, PLATFORM, SERVICES, Shared, VERSION};
use crate::shared::query::Query;
use crate::shared::seed::SeededRng;
use crate::shared::tokens::{TokenFormat, TokenProblem};

/// Length of a refresh token (50 lower-case letters in captured answers).
const REFRESH_TOKEN_LENGTH: usize = 50;

/// The basic token of a sandbox: base64 of `<instance>:<seeded hex>`, fixed by the seed.
pub(crate) fn basic_token(seed: u64) -> String {
    let secret = SeededRng::derive(seed, &[0xba51c]).hex(24);
    STANDARD.encode(format!("sandboxpoc:{secret}"))
}

/// `GET /api/uisdk/solutionkey/{key}/env/{env}?version=2.1&pf=aws`: the base URL of every
/// service, or `data: null` with a message for an unknown key, environment, version or platform.
pub(crate) async fn discovery(
    State(state): State<Shared>,
    Path((key, env)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let query = Query::parse(raw.as_deref());
    let refusal = if key != state.config.solution_key {
        Some("Solution key not found")
    } else if !env.eq_ignore_ascii_case(ENVIRONMENT) {
        Some("Environment not found")
    } else if query.text("version").is_some_and(|v| v != VERSION) {
        Some("Version not supported")
    } else if query
        .text("pf")
        .is_some_and(|p| !p.eq_ignore_ascii_case(PLATFORM))
    {
        Some("Platform not supported")
    } else {
        None
    };
    if let Some(message) = refusal {
        return Json(json!({"status": 200, "message": message, "data": null})).into_response();
    }
    let mut urls = Map::new();
    for (svc, names) in SERVICES {
        for name in names {
            urls.insert((*name).to_owned(), json!(state.service_url(svc)));
        }
    }
    Json(json!({"status": 200, "message": "Success", "data": urls})).into_response()
}

/// `GET /Auth/basic-token`: no auth.
pub(crate) async fn basic(State(state): State<Shared>) -> Response {
    if state.controls.faults().refuse_tokens {
        return auth_error(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    Json(json!({
        "data": state.basic_token,
        "status": 200,
        "message": "Basic token generated",
        "count": null,
    }))
    .into_response()
}

/// `POST /Auth/login`: `Authorization: Basic <basic token>`, `solution-key`, and a JSON body
/// `{username, password}`.
pub(crate) async fn login(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let Some(authorization) = header("authorization") else {
        return invalid("Authorization", "the basic token is required").into_response();
    };
    let Some(solution_key) = header("solution-key") else {
        return invalid("solution-key", "the solution-key header is required").into_response();
    };
    let body: Value = match serde_json::from_slice(&body) {
        Ok(Value::Object(body)) => Value::Object(body),
        _ => return invalid("body", "the body must be a JSON object").into_response(),
    };
    let field = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let Some(username) = field("username") else {
        return invalid("username", "The username field is required.").into_response();
    };
    let Some(password) = field("password") else {
        return invalid("password", "The password field is required.").into_response();
    };
    let basic_ok = authorization
        .split_once(' ')
        .is_some_and(|(scheme, token)| {
            scheme.eq_ignore_ascii_case("basic") && token.trim() == state.basic_token
        });
    if !basic_ok {
        return auth_error(StatusCode::UNAUTHORIZED, "Invalid basic token");
    }
    if solution_key != state.config.solution_key {
        return auth_error(StatusCode::UNAUTHORIZED, "Invalid solution key");
    }
    let faults = state.controls.faults();
    if faults.refuse_tokens
        || !username.eq_ignore_ascii_case(&state.config.username)
        || password != state.config.password
    {
        return auth_error(StatusCode::UNAUTHORIZED, "Invalid username or password");
    }
    token_answer(&state, &state.config.username, true)
}

/// `POST /Auth/refresh-token` with `{"refreshtoken": "..."}`: a new access token and a new
/// refresh token; the one presented is consumed. 409 for an unknown, used, expired or revoked
/// refresh token.
pub(crate) async fn refresh(State(state): State<Shared>, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(presented) = body
        .get("refreshtoken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    else {
        return invalid("refreshtoken", "The refreshtoken field is required.").into_response();
    };
    if state.controls.faults().refuse_tokens {
        return auth_error(StatusCode::CONFLICT, "InvalidRefreshToken");
    }
    match state.controls.tokens().redeem_refresh(presented) {
        Ok(subject) => token_answer(&state, &subject, false),
        Err(TokenProblem::Expired) => auth_error(StatusCode::CONFLICT, "RefreshTokenExpired"),
        Err(TokenProblem::Unknown) => auth_error(StatusCode::CONFLICT, "InvalidRefreshToken"),
    }
}

/// `GET /Auth/verify-token`: 200 with an empty `data` when the bearer is good.
pub(crate) async fn verify() -> Response {
    envelope("Token is valid", json!([]), json!(0))
}

/// The `LoginResponse` (top-level members, not in `data`), for `subject`.
fn token_answer(state: &Shared, subject: &str, from_login: bool) -> Response {
    let claims = {
        let company = state.company();
        let user = company.user_by_email(subject);
        let mut user_claims = json!({
            "id": user.map(|u| u.guid.clone()),
            "companyId": company.guid,
            "roleId": company.role_guid,
            "roleName": user.map_or("Admin", |u| u.role),
            "cpId": company.cp_id,
            "entityGuid": company.root_entity().guid,
            "solutionGuid": company.solution_guid,
            "solutionKey": STANDARD.encode(&state.config.solution_key),
            "ps": false,
            "userId": subject,
        });
        if from_login && let Value::Object(map) = &mut user_claims {
            // Only login tokens carry these two; refreshed ones do not.
            map.insert("reviewStatus".into(), json!("approved"));
            map.insert("isCpidOptional".into(), json!(false));
        }
        let mut claims = Map::new();
        claims.insert("iss".into(), json!("sandboxpoc.iotconnect.local"));
        claims.insert("aud".into(), json!("sandboxpoc.iotconnect.local"));
        claims.insert("user".into(), user_claims);
        claims
    };
    let token = state.controls.tokens().issue(
        subject,
        state.controls.token_lifetime(),
        &TokenFormat::Jwt { claims },
    );
    let refresh_token = state.controls.tokens().issue_refresh(
        subject,
        state.config.refresh_token_lifetime,
        REFRESH_TOKEN_LENGTH,
    );
    state.controls.count_issued_token();
    let faults = state.controls.faults();
    let status = StatusCode::from_u16(faults.token_status).unwrap_or(StatusCode::OK);
    let body = json!({
        "token_type": "bearer",
        "access_token": token.access_token,
        "expires_in": token.expires_in,
        "refresh_token": refresh_token,
        "status": status.as_u16(),
    });
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Who is calling, as established by the bearer token.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    /// The user name (e-mail) the token was issued to.
    pub(crate) username: String,
}

/// Lets a request through only with `Authorization: Bearer <a live access token>`.
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
        return unauthorized("Unauthorized").into_response();
    };
    match state.controls.tokens().verify(&token) {
        Ok(username) => {
            request.extensions_mut().insert(Caller { username });
            next.run(request).await
        }
        Err(TokenProblem::Expired) => unauthorized("TokenExpired").into_response(),
        Err(TokenProblem::Unknown) => unauthorized("InvalidToken").into_response(),
    }
}
