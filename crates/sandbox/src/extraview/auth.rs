//! Signing on: `get_token` (user id and password in the query, a token in plain text or XML)
//! and the check every other command makes (`access_token`, or `user_id` and `password`).
//! Every refusal is HTTP 200 with an "Invalid sign on" text, as the application answers.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::data::Store;
use super::{Caller, State, dates, is_yes, text};
use crate::shared::query::Query;
use crate::shared::tokens::{TokenFormat, TokenProblem};

/// The documented token is 43 characters of base64url: 32 random bytes.
const TOKEN_FORMAT: TokenFormat = TokenFormat::Base64Url { bytes: 32 };

/// A parameter's text, `None` when missing or empty.
fn given<'a>(params: &'a Query, name: &str) -> Option<&'a str> {
    params.text(name).filter(|v| !v.is_empty())
}

/// The user `user_id` names if `password` is theirs and they are enabled.
fn check_password(store: &Store, user_id: &str, password: &str) -> Result<Caller, String> {
    match store.user(user_id) {
        Some(user) if !user.disabled && user.password.as_deref() == Some(password) => Ok(Caller {
            login: user.login.clone(),
            role: user.role,
        }),
        _ => Err(text::SIGNON_FAILED.to_owned()),
    }
}

/// The caller of a command: by `access_token`, or by `user_id` and `password`, never both.
pub(crate) fn sign_on(state: &State, params: &Query) -> Result<Caller, String> {
    let token = given(params, "access_token");
    let user_id = given(params, "user_id");
    let password = given(params, "password");
    let store = state.store();
    match (token, user_id.or(password)) {
        (Some(_), Some(_)) => Err(text::TWO_CREDENTIALS.to_owned()),
        (Some(token), None) => match state.controls.tokens().verify(token) {
            Ok(login) => match store.user(&login) {
                Some(user) if !user.disabled => Ok(Caller {
                    login: user.login.clone(),
                    role: user.role,
                }),
                _ => Err(text::SIGNON_FAILED.to_owned()),
            },
            Err(TokenProblem::Expired) => Err(text::SESSION_EXPIRED.to_owned()),
            Err(TokenProblem::Unknown) => Err(text::TOKEN_UNKNOWN.to_owned()),
        },
        (None, Some(_)) => check_password(
            &store,
            user_id.unwrap_or_default(),
            password.unwrap_or_default(),
        ),
        (None, None) => Err(text::NO_CREDENTIALS.to_owned()),
    }
}

/// `statevar=get_token`: a new token for the user, as `Key:Value` lines or, with
/// `ev_send_xml=true`, the documented XML.
pub(crate) fn get_token(state: &State, params: &Query) -> Response {
    let faults = state.controls.faults();
    let (Some(user_id), Some(password)) = (given(params, "user_id"), given(params, "password"))
    else {
        return text::message(text::NO_CREDENTIALS);
    };
    if faults.refuse_tokens {
        return text::message(text::SIGNON_FAILED);
    }
    let caller = match check_password(&state.store(), user_id, password) {
        Ok(caller) => caller,
        Err(message) => return text::message(message),
    };
    let lifetime = state.controls.token_lifetime();
    let issued = state
        .controls
        .tokens()
        .issue(&caller.login, lifetime, &TOKEN_FORMAT);
    state.controls.count_issued_token();
    let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
    let expiry = dates::token_expiry(state.clock.now_millis().saturating_add(lifetime_ms));
    let xml = params.text("ev_send_xml").is_some_and(is_yes);
    let mut response = if xml {
        text::xml(token_xml(
            &issued.access_token,
            issued.expires_in,
            &expiry,
            state.config.well_formed_token_xml,
        ))
    } else {
        text::lines([
            format!("Token:{}", issued.access_token),
            "Type:Bearer".to_owned(),
            format!("Lifetime:{}", issued.expires_in),
            format!("Expiration Date:{expiry}"),
            "Scope:read write".to_owned(),
        ])
    };
    *response.status_mut() = StatusCode::from_u16(faults.token_status).unwrap_or(StatusCode::OK);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The token as XML. The documented sample is not well-formed (an `<Expiration Date>` element
/// closed by `</lifetime>`) and pads values with spaces; it is sent as documented unless the
/// install is configured for the well-formed variant.
fn token_xml(token: &str, lifetime: u64, expiry: &str, well_formed: bool) -> String {
    let expiration = if well_formed {
        format!("  <expiration_date> {expiry} </expiration_date>\n")
    } else {
        format!("  <Expiration Date> {expiry} </lifetime>\n")
    };
    format!(
        "{}<access_token>\n  <value> {token} </value>\n  <type> Bearer </type>\n  \
         <lifetime> {lifetime} </lifetime>\n{expiration}  <scope> read write </scope>\n\
         </access_token>\n",
        text::DECLARATION
    )
}
