//! The per-minute request budget and its `X-RateLimit-*` headers.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Shared;
use super::errors::ApiError;
use crate::shared::ratelimit::RateDecision;

/// Counts every request against the tenant's budget: over it, 429 without running the handler;
/// either way the answer carries the budget's headers.
pub(crate) async fn rate_limit(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let decision = state.limiter.take();
    let mut response = if decision.allowed {
        next.run(request).await
    } else {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "rate limit of {} requests a minute exceeded; retry in {} s",
                decision.limit, decision.reset_secs
            ),
        )
        .into_response()
    };
    stamp(response.headers_mut(), decision);
    response
}

/// Writes the three headers of `decision`.
fn stamp(headers: &mut HeaderMap, decision: RateDecision) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(decision.remaining),
    );
    headers.insert("x-ratelimit-reset", HeaderValue::from(decision.reset_secs));
}
