//! Sign-in: the token endpoint (password, refresh-token and authorization-code grants), the
//! authorize dialog (auto-approved for the demo user, PKCE S256 required), introspection,
//! revocation, and the bearer check in front of the API.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Shared;
use super::errors::{invalid_grant, invalid_request, oauth_refusal, unauthorized};
use crate::shared::faults::RequestKind;
use crate::shared::oauth::{
    CodeGrant, OAuthError, TokenRequest, is_code_verifier, is_s256_challenge, pkce_s256,
};
use crate::shared::query::Query;
use crate::shared::tokens::{TokenFormat, TokenProblem, jwt_claims};

/// The scope of a grant that names none: everything, but no refresh token (that takes
/// `offline_access`).
const DEFAULT_SCOPE: &str = "*";

/// `POST /accounts/oauth/token`.
pub(crate) async fn token(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = match TokenRequest::parse_form_or_json(&headers, &body) {
        Ok(request) => request,
        Err(refusal) => return oauth_refusal(&refusal),
    };
    let outcome = match request.param("grant_type") {
        None => Err(invalid_request("Missing required parameter: grant_type")),
        Some("password") => password(&state, &request),
        Some("refresh_token") => {
            // One endpoint serves every grant: refreshes are counted apart as well.
            state.controls.count_request(RequestKind::Refresh);
            refresh(&state, &request)
        }
        Some("authorization_code") => code(&state, &request),
        Some(other) => Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("Unsupported grant type: {other}"),
        )),
    };
    outcome.unwrap_or_else(|refusal| oauth_refusal(&refusal))
}

/// A required parameter of `request`.
fn required<'a>(request: &'a TokenRequest, name: &str) -> Result<&'a str, OAuthError> {
    request
        .param(name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid_request(format!("Missing required parameter: {name}")))
}

/// Checks the client and the `refuse_tokens` knob.
fn check_client(state: &Shared, request: &TokenRequest) -> Result<(), OAuthError> {
    if request.client_id().is_none() {
        return Err(invalid_request("Missing required parameter: client_id"));
    }
    let config = &state.config;
    if !request.client_is(&config.client_id, &config.client_secret) {
        return Err(OAuthError::new(
            StatusCode::FORBIDDEN,
            "invalid_client",
            "Invalid client credentials",
        ));
    }
    if state.controls.faults().refuse_tokens {
        return Err(invalid_grant("Invalid username or password"));
    }
    Ok(())
}

/// The documented grants take JSON; a form is refused so that a client sending one notices.
fn require_json(request: &TokenRequest, grant: &str) -> Result<(), OAuthError> {
    if request.was_json() {
        Ok(())
    } else {
        Err(invalid_request(format!(
            "the {grant} grant takes a JSON body (Content-Type: application/json)"
        )))
    }
}

fn password(state: &Shared, request: &TokenRequest) -> Result<Response, OAuthError> {
    require_json(request, "password")?;
    let username = required(request, "username")?;
    let password = required(request, "password")?;
    check_client(state, request)?;
    let config = &state.config;
    if !username.eq_ignore_ascii_case(&config.username) || password != config.password {
        return Err(invalid_grant("Invalid username or password"));
    }
    let scope = request.param("scope").unwrap_or(DEFAULT_SCOPE);
    Ok(full_answer(state, scope))
}

fn refresh(state: &Shared, request: &TokenRequest) -> Result<Response, OAuthError> {
    require_json(request, "refresh_token")?;
    let presented = required(request, "refresh_token")?;
    check_client(state, request)?;
    match state.controls.tokens().check_refresh(presented) {
        Ok(_) => {}
        Err(TokenProblem::Expired) => return Err(invalid_grant("Refresh token expired")),
        Err(TokenProblem::Unknown) => return Err(invalid_grant("Invalid refresh token")),
    }
    let scope = jwt_claims(presented)
        .and_then(|c| c.get("scope").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| DEFAULT_SCOPE.to_owned());
    let token = issue_access(state, &scope);
    // The vendor's refresh answer: expires_in as a string, no new refresh token, no type.
    let body =
        json!({"access_token": token.access_token, "expires_in": token.expires_in.to_string()});
    Ok(answer(state, body))
}

fn code(state: &Shared, request: &TokenRequest) -> Result<Response, OAuthError> {
    let code = required(request, "code")?;
    let redirect_uri = required(request, "redirect_uri")?;
    let verifier = required(request, "code_verifier")?;
    check_client(state, request)?;
    let grant = match state.codes.redeem(code) {
        Ok(grant) => grant,
        Err(TokenProblem::Expired) => return Err(invalid_grant("Authorization code expired")),
        Err(TokenProblem::Unknown) => {
            return Err(invalid_grant("Invalid or already used authorization code"));
        }
    };
    if Some(grant.client_id.as_str()) != request.client_id() {
        return Err(invalid_grant("The code was issued to another client"));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(invalid_grant(
            "redirect_uri does not match the authorization request",
        ));
    }
    if !is_code_verifier(verifier) || pkce_s256(verifier) != grant.code_challenge {
        return Err(invalid_grant("PKCE verification failed"));
    }
    Ok(full_answer(state, &grant.scope))
}

/// The claims every token carries: issuer, user, client, scope and tenant.
fn claims(state: &Shared, scope: &str) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(state.base_url));
    claims.insert("sub".into(), json!(state.account.user_id));
    claims.insert("aud".into(), json!(state.config.client_id));
    claims.insert("scope".into(), json!(scope));
    claims.insert("subdomain".into(), json!(state.config.subdomain));
    claims
}

fn issue_access(state: &Shared, scope: &str) -> crate::shared::tokens::NewToken {
    let token = state.controls.tokens().issue(
        &state.account.user_id,
        state.controls.token_lifetime(),
        &TokenFormat::Jwt {
            claims: claims(state, scope),
        },
    );
    state.controls.count_issued_token();
    token
}

/// The answer of the password and code grants: a numeric `expires_in`, `token_type`, and a
/// refresh token when the scope asks for `offline_access`.
fn full_answer(state: &Shared, scope: &str) -> Response {
    let token = issue_access(state, scope);
    let mut body = json!({
        "access_token": token.access_token,
        "expires_in": token.expires_in,
        "token_type": "Bearer",
    });
    if scope.split_whitespace().any(|s| s == "offline_access") {
        let mut refresh_claims = claims(state, scope);
        refresh_claims.insert("typ".into(), json!("refresh"));
        body["refresh_token"] = json!(state.controls.tokens().issue_refresh_as(
            &state.account.user_id,
            state.config.refresh_token_lifetime,
            &TokenFormat::Jwt {
                claims: refresh_claims
            },
        ));
    }
    answer(state, body)
}

fn answer(state: &Shared, body: Value) -> Response {
    let status =
        StatusCode::from_u16(state.controls.faults().token_status).unwrap_or(StatusCode::OK);
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Whether `presented` may stand for the registered redirect URI: equal, or differing only in
/// the port of a loopback host (RFC 8252 section 7.3, so local receivers can use any port).
fn redirect_matches(registered: &str, presented: &str) -> bool {
    if registered == presented {
        return true;
    }
    let (Ok(registered), Ok(presented)) = (url::Url::parse(registered), url::Url::parse(presented))
    else {
        return false;
    };
    let loopback = match presented.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    loopback
        && registered.scheme() == presented.scheme()
        && registered.host() == presented.host()
        && registered.path() == presented.path()
        && registered.query() == presented.query()
}

/// `GET /accounts/dialog/authorize`: the demo user approves at once; 302 to the redirect URI
/// with `code` and `state`. Every refusal is a 400 here, never a redirect.
pub(crate) async fn authorize(State(state): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let query = Query::parse(raw.as_deref());
    let refuse = |error: &'static str, description: &str| {
        oauth_refusal(&OAuthError::new(
            StatusCode::BAD_REQUEST,
            error,
            description,
        ))
    };
    let Some(client_id) = query.text("client_id") else {
        return refuse("invalid_request", "Missing required parameter: client_id");
    };
    if client_id != state.config.client_id {
        return refuse("invalid_client", "Unknown client");
    }
    let Some(redirect_uri) = query.text("redirect_uri") else {
        return refuse(
            "invalid_request",
            "Missing required parameter: redirect_uri",
        );
    };
    if !redirect_matches(&state.config.redirect_uri, redirect_uri) {
        return refuse(
            "invalid_request",
            "redirect_uri is not registered for this client",
        );
    }
    if query.text("response_type") != Some("code") {
        return refuse("unsupported_response_type", "response_type must be code");
    }
    let Some(challenge) = query.text("code_challenge") else {
        return refuse("invalid_request", "code_challenge is required (PKCE)");
    };
    if query.text("code_challenge_method") != Some("S256") {
        return refuse("invalid_request", "code_challenge_method must be S256");
    }
    if !is_s256_challenge(challenge) {
        return refuse(
            "invalid_request",
            "code_challenge must be 43 base64url characters (a SHA-256)",
        );
    }
    let Ok(mut location) = url::Url::parse(redirect_uri) else {
        return refuse("invalid_request", "redirect_uri is not a URL");
    };
    let code = state.codes.issue(CodeGrant {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        code_challenge: challenge.to_owned(),
        scope: query.text("scope").unwrap_or(DEFAULT_SCOPE).to_owned(),
        subject: state.account.user_id.clone(),
    });
    {
        let mut pairs = location.query_pairs_mut();
        pairs.append_pair("code", &code);
        if let Some(value) = query.text("state") {
            pairs.append_pair("state", value);
        }
    }
    let Ok(location) = HeaderValue::from_str(location.as_str()) else {
        return refuse(
            "invalid_request",
            "redirect_uri is not a valid header value",
        );
    };
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// `GET /accounts/api/tokeninfo?access_token=`: audience, scope list, user id and seconds left;
/// 400 `invalid_token` for an unknown, revoked or expired token.
pub(crate) async fn tokeninfo(State(state): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let query = Query::parse(raw.as_deref());
    let Some(token) = query.text("access_token").filter(|t| !t.is_empty()) else {
        return oauth_refusal(&invalid_request("Missing required parameter: access_token"));
    };
    match token_info(&state, token) {
        Some(info) => Json(info).into_response(),
        None => oauth_refusal(&OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "The access token is unknown, revoked or expired",
        )),
    }
}

/// The introspection of a live access token, as `tokeninfo` and `users/me` show it.
pub(crate) fn token_info(state: &Shared, token: &str) -> Option<Value> {
    let (user_id, expires_in) = state.controls.tokens().remaining(token).ok()?;
    let claims = jwt_claims(token).unwrap_or_default();
    let scope: Vec<&str> = claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    Some(json!({
        "audience": claims.get("aud").cloned().unwrap_or(Value::Null),
        "scope": scope,
        "user_id": user_id,
        "expires_in": expires_in,
    }))
}

/// `GET /accounts/api/tokenrevoke?token=`: forgets an access or refresh token. 200 without a
/// body whether or not the token was known (RFC 7009 section 2.2).
pub(crate) async fn tokenrevoke(State(state): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let query = Query::parse(raw.as_deref());
    let Some(token) = query.text("token").filter(|t| !t.is_empty()) else {
        return oauth_refusal(&invalid_request("Missing required parameter: token"));
    };
    state.controls.tokens().revoke(token);
    StatusCode::OK.into_response()
}

/// Who is calling, as established by the bearer token.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    /// The access token itself (users/me reports on it).
    pub(crate) token: String,
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
        return unauthorized("Missing bearer token").into_response();
    };
    match state.controls.tokens().verify(&token) {
        Ok(_) => {
            request.extensions_mut().insert(Caller { token });
            next.run(request).await
        }
        Err(TokenProblem::Expired) => unauthorized("Token expired").into_response(),
        Err(TokenProblem::Unknown) => unauthorized("Invalid token").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_on_any_port() {
        let registered = "http://127.0.0.1:8910/callback";
        assert!(redirect_matches(registered, registered));
        assert!(redirect_matches(
            registered,
            "http://127.0.0.1:40123/callback"
        ));
        assert!(!redirect_matches(
            registered,
            "http://127.0.0.1:40123/other"
        ));
        assert!(!redirect_matches(
            registered,
            "https://127.0.0.1:40123/callback"
        ));
        assert!(!redirect_matches(
            "https://app.example/cb",
            "https://app.example:8443/cb"
        ));
    }
}
