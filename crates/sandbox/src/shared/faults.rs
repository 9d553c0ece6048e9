//! Fault knobs and the middleware that applies them to a vendor's answers.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json::{add_extra_fields, replace_enum_values};
use super::vendor::VendorControls;

/// The most latency a knob may add to one answer.
const MAX_LATENCY_MS: u64 = 60_000;

/// Where the redirect knobs send a client: a sign-on page every vendor listener serves, as an
/// SSO gateway or a proxy whose session ran out would.
pub const SIGNON_PATH: &str = "/_sandbox/signon";

/// The fault knobs of one vendor. Every knob is off by default; the admin API
/// (`/_admin/<vendor>/faults`) and [`VendorControls::set_faults`] change them at run time.
///
/// Count knobs (`fail_api`, `malformed_api`, ...) apply to the next answers of their kind and
/// count down to zero; the others stay until changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Faults {
    /// Lifetime of newly issued tokens in seconds; `None` keeps the vendor's own lifetime.
    pub token_lifetime_secs: Option<u64>,
    /// Status of a successful token answer: 200 (the OAuth2 norm) or 201.
    pub token_status: u16,
    /// Refuse every token request as if the credentials were wrong.
    pub refuse_tokens: bool,
    /// Fail the next token requests with this status.
    pub fail_tokens: Option<ForcedFailure>,
    /// Answer the next N token requests with a body that is not valid JSON.
    pub malformed_tokens: u32,
    /// Fail the next API calls with this status (before the bearer is even looked at).
    pub fail_api: Option<ForcedFailure>,
    /// Answer the next N API calls with a body that is not valid JSON (the status is kept).
    pub malformed_api: u32,
    /// Answer the next N token requests with `302 Found` to the sign-on page
    /// ([`SIGNON_PATH`]), which answers 200 with HTML.
    pub redirect_tokens: u32,
    /// Answer the next N API calls with `302 Found` to the sign-on page ([`SIGNON_PATH`]).
    pub redirect_api: u32,
    /// Milliseconds added before every token and API answer (at most 60000).
    pub latency_ms: u64,
    /// Add an unknown member to every JSON object of every answer and webhook delivery.
    pub extra_fields: bool,
    /// Replace the values of enum-like members (event types, sensor types, statuses, schema
    /// names) with an unknown value in API answers and webhook deliveries.
    pub unknown_enum_values: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            token_lifetime_secs: None,
            token_status: 200,
            refuse_tokens: false,
            fail_tokens: None,
            malformed_tokens: 0,
            fail_api: None,
            malformed_api: 0,
            redirect_tokens: 0,
            redirect_api: 0,
            latency_ms: 0,
            extra_fields: false,
            unknown_enum_values: false,
        }
    }
}

/// A failure forced on the next `count` answers of one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForcedFailure {
    /// HTTP status to answer with, 400 to 599 (401, 429 and 503 are the usual ones).
    pub status: u16,
    /// How many answers still fail.
    pub count: u32,
    /// Seconds to put in a `Retry-After` header; no header when `None`.
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
}

impl ForcedFailure {
    /// Fails the next `count` answers with `status`, without `Retry-After`.
    pub fn new(status: u16, count: u32) -> Self {
        Self {
            status,
            count,
            retry_after_secs: None,
        }
    }

    /// Adds a `Retry-After: <secs>` header to the failed answers.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }
}

/// A fault setting that was refused, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidFaults(String);

impl fmt::Display for InvalidFaults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidFaults {}

impl Faults {
    /// Checks that every knob holds a value the sandbox can apply.
    pub fn validate(&self) -> Result<(), InvalidFaults> {
        if !matches!(self.token_status, 200 | 201) {
            return Err(InvalidFaults(format!(
                "token_status must be 200 or 201, not {}",
                self.token_status
            )));
        }
        for (name, failure) in [
            ("fail_tokens", self.fail_tokens),
            ("fail_api", self.fail_api),
        ] {
            if let Some(f) = failure
                && !(400..=599).contains(&f.status)
            {
                return Err(InvalidFaults(format!(
                    "{name}.status must be between 400 and 599, not {}",
                    f.status
                )));
            }
        }
        if self.latency_ms > MAX_LATENCY_MS {
            return Err(InvalidFaults(format!(
                "latency_ms must be at most {MAX_LATENCY_MS}"
            )));
        }
        Ok(())
    }

    /// These faults with the members of `patch` (a JSON object) put over them.
    pub(crate) fn merged(&self, patch: &Value) -> Result<Faults, InvalidFaults> {
        let Value::Object(patch) = patch else {
            return Err(InvalidFaults("the body must be a JSON object".into()));
        };
        let mut current = serde_json::to_value(self)
            .map_err(|e| InvalidFaults(format!("cannot read the current faults: {e}")))?;
        if let Value::Object(map) = &mut current {
            for (name, value) in patch {
                map.insert(name.clone(), value.clone());
            }
        }
        let faults: Faults =
            serde_json::from_value(current).map_err(|e| InvalidFaults(e.to_string()))?;
        faults.validate()?;
        Ok(faults)
    }
}

/// What a request to a vendor listener is, for counting and for the knobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RequestKind {
    /// A request to the vendor's token endpoint.
    Token,
    /// A request to the vendor's refresh-token endpoint: counted apart, but the token knobs
    /// (`fail_tokens`, `malformed_tokens`, latency) apply to it like to a token request.
    Refresh,
    /// A call of the vendor's API.
    Api,
    /// Anything else (unknown paths): passed through untouched.
    Other,
}

/// How a vendor's answer looks when a `malformed_*` knob breaks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CutOff {
    /// A fixed JSON text that stops mid-object, as `application/json`: for JSON vendors.
    Json,
    /// The first half of the real answer, its headers kept: for vendors whose answers are
    /// text or XML, where half a body is what a dropped connection leaves.
    Half,
}

/// What the shared fault middleware needs to know about one vendor.
#[derive(Debug)]
pub(crate) struct FaultProfile {
    /// Sorts a request into token, API or other, by its path (and, for a vendor with one
    /// endpoint for every command, its query).
    pub(crate) classify: fn(&Uri) -> RequestKind,
    /// The vendor's error answer for an API call that failed with this status.
    pub(crate) api_error: fn(StatusCode, &str) -> Response,
    /// The vendor's error answer for a token request that failed with this status.
    pub(crate) token_error: fn(StatusCode, &str) -> Response,
    /// JSON members that hold enum values in this vendor's answers.
    pub(crate) enum_members: &'static [&'static str],
    /// How a malformed answer of this vendor looks.
    pub(crate) cut_off: CutOff,
}

/// The live knobs of one vendor and the values it started with.
#[derive(Debug)]
pub(crate) struct FaultState {
    current: Mutex<Faults>,
    startup: Faults,
}

impl FaultState {
    /// Knobs that start as `startup` (already validated).
    pub(crate) fn new(startup: Faults) -> Self {
        Self {
            current: Mutex::new(startup.clone()),
            startup,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the current knobs.
    pub(crate) fn get(&self) -> Faults {
        self.lock().clone()
    }

    /// Replaces every knob.
    pub(crate) fn set(&self, faults: Faults) -> Result<(), InvalidFaults> {
        faults.validate()?;
        *self.lock() = faults;
        Ok(())
    }

    /// Back to the knobs the sandbox started with.
    pub(crate) fn reset(&self) {
        *self.lock() = self.startup.clone();
    }

    /// Takes one forced failure for a request of `kind`, counting it down.
    fn take_failure(&self, kind: RequestKind) -> Option<ForcedFailure> {
        let mut faults = self.lock();
        let slot = match kind {
            RequestKind::Token | RequestKind::Refresh => &mut faults.fail_tokens,
            RequestKind::Api => &mut faults.fail_api,
            RequestKind::Other => return None,
        };
        let failure = (*slot)?;
        if failure.count == 0 {
            *slot = None;
            return None;
        }
        *slot = (failure.count > 1).then(|| ForcedFailure {
            count: failure.count - 1,
            ..failure
        });
        Some(failure)
    }

    /// Takes one malformed answer for a request of `kind`, counting it down.
    fn take_malformed(&self, kind: RequestKind) -> bool {
        self.take_count(kind, |f| &mut f.malformed_tokens, |f| &mut f.malformed_api)
    }

    /// Takes one redirect for a request of `kind`, counting it down.
    fn take_redirect(&self, kind: RequestKind) -> bool {
        self.take_count(kind, |f| &mut f.redirect_tokens, |f| &mut f.redirect_api)
    }

    /// Counts down the token or API counter (picked by `token` and `api`) for `kind`;
    /// whether it was above zero.
    fn take_count(
        &self,
        kind: RequestKind,
        token: fn(&mut Faults) -> &mut u32,
        api: fn(&mut Faults) -> &mut u32,
    ) -> bool {
        let mut faults = self.lock();
        let slot = match kind {
            RequestKind::Token | RequestKind::Refresh => token(&mut faults),
            RequestKind::Api => api(&mut faults),
            RequestKind::Other => return false,
        };
        if *slot == 0 {
            return false;
        }
        *slot -= 1;
        true
    }
}

/// The middleware in front of every vendor listener: counts requests, adds latency, forces
/// failures, breaks bodies and rewrites JSON answers as the knobs say.
pub(crate) async fn apply_faults(
    State(vendor): State<VendorControls>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == SIGNON_PATH {
        return signon_page();
    }
    let profile = vendor.profile();
    let kind = (profile.classify)(request.uri());
    vendor.count_request(kind);
    if kind == RequestKind::Other {
        return next.run(request).await;
    }
    let faults = vendor.fault_state().get();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if let Some(failure) = vendor.fault_state().take_failure(kind) {
        return forced_failure(profile, kind, failure);
    }
    if vendor.fault_state().take_redirect(kind) {
        return redirect_to_signon();
    }
    let malformed = vendor.fault_state().take_malformed(kind);
    let response = next.run(request).await;
    if malformed {
        return match profile.cut_off {
            CutOff::Json => malformed_body(response),
            CutOff::Half => half_body(response).await,
        };
    }
    let enum_members = if kind == RequestKind::Api && faults.unknown_enum_values {
        profile.enum_members
    } else {
        &[]
    };
    if faults.extra_fields || !enum_members.is_empty() {
        return rewrite_json(response, faults.extra_fields, enum_members).await;
    }
    response
}

fn forced_failure(profile: &FaultProfile, kind: RequestKind, failure: ForcedFailure) -> Response {
    let status = StatusCode::from_u16(failure.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let message = "failure forced by the sandbox's fault knobs";
    let mut response = match kind {
        RequestKind::Token | RequestKind::Refresh => (profile.token_error)(status, message),
        _ => (profile.api_error)(status, message),
    };
    if let Some(secs) = failure.retry_after_secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    if status == StatusCode::UNAUTHORIZED && kind == RequestKind::Api {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    response
}

/// `302 Found` to the sign-on page; the `Location` is relative, as such gateways often send.
fn redirect_to_signon() -> Response {
    let mut response = StatusCode::FOUND.into_response();
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(SIGNON_PATH));
    response
}

/// The page a redirected client lands on: HTML with 200, which a client that follows
/// redirects blindly takes for an answer.
fn signon_page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html;charset=UTF-8")],
        "<!DOCTYPE html>\n<html><head><title>Sign On</title></head><body>\n\
         <form method=\"post\"><p>Your session has ended. Please sign on.</p>\n\
         <input name=\"username\"><input name=\"password\" type=\"password\"></form>\n\
         </body></html>\n",
    )
        .into_response()
}

/// The first half of `response`'s body, status and headers kept (but the length).
async fn half_body(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
}

fn malformed_body(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(
        parts,
        Body::from(r#"{"data": [{"sandbox": "this answer was cut off"#),
    )
}

async fn rewrite_json(response: Response, extra_fields: bool, enum_members: &[&str]) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if extra_fields {
        add_extra_fields(&mut value);
    }
    replace_enum_values(&mut value, enum_members);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_keeps_unnamed_knobs_and_rejects_typos() {
        let base = Faults {
            latency_ms: 5,
            ..Faults::default()
        };
        let merged = base
            .merged(&json!({"fail_api": {"status": 503, "count": 2, "retry_after_secs": 1}}))
            .unwrap_or_default();
        assert_eq!(merged.latency_ms, 5);
        assert_eq!(
            merged.fail_api,
            Some(ForcedFailure::new(503, 2).retry_after(1))
        );
        assert!(base.merged(&json!({"latency": 5})).is_err());
        assert!(base.merged(&json!({"token_status": 204})).is_err());
        assert!(
            base.merged(&json!({"fail_api": {"status": 200, "count": 1}}))
                .is_err()
        );
    }

    #[test]
    fn failures_count_down_to_none() {
        let state = FaultState::new(Faults {
            fail_api: Some(ForcedFailure::new(429, 2)),
            malformed_tokens: 1,
            ..Faults::default()
        });
        assert_eq!(state.take_failure(RequestKind::Token), None);
        assert_eq!(
            state.take_failure(RequestKind::Api).map(|f| f.count),
            Some(2)
        );
        assert_eq!(
            state.take_failure(RequestKind::Api).map(|f| f.count),
            Some(1)
        );
        assert_eq!(state.take_failure(RequestKind::Api), None);
        assert_eq!(state.get().fail_api, None);
        assert!(!state.take_malformed(RequestKind::Api));
        assert!(state.take_malformed(RequestKind::Token));
        assert!(!state.take_malformed(RequestKind::Token));
        state.reset();
        assert_eq!(state.get().malformed_tokens, 1);
    }
}
