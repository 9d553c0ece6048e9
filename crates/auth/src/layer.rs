//! The request layer behind every generated call: bearer, 401 resend, retries, tracing.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use reqwest::header::AUTHORIZATION;
use reqwest::{Request, Response, StatusCode};
use tracing::Instrument;

use crate::call::{is_capturing, note};
use crate::replay::Replay;
use crate::retry::{is_idempotent, is_retryable_status};
use crate::token::{Token, TokenSource};
use crate::{AuthError, RetryPolicy};

/// Response headers that carry a vendor's request id, checked in this order.
const REQUEST_ID_HEADERS: [&str; 3] = ["x-request-id", "request-id", "x-correlation-id"];

/// The auth handle every generated client carries (progenitor's *inner type*).
///
/// Cloning is cheap and clones share the token cache.
///
/// ```
/// use std::time::Duration;
/// use sdk_auth::{Auth, RetryPolicy, TokenCache, oauth::OAuth2Config};
/// # fn main() -> Result<(), sdk_auth::AuthError> {
/// let config = OAuth2Config::client_credentials("https://auth.example.com/token", "id", "secret")?;
/// let auth = Auth::new(TokenCache::new(config.into_fetcher()?))
///     .with_retry(RetryPolicy::default().max_attempts(2).max_elapsed(Duration::from_secs(5)));
/// assert_eq!(auth.retry_policy().attempts(), 2);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Auth {
    source: Arc<dyn TokenSource>,
    retry: RetryPolicy,
}

impl Auth {
    /// Wraps a token source with the default [`RetryPolicy`].
    pub fn new(source: impl TokenSource + 'static) -> Self {
        Self::from_shared(Arc::new(source))
    }

    /// Wraps a token source that is shared with other clients.
    pub fn from_shared(source: Arc<dyn TokenSource>) -> Self {
        Self {
            source,
            retry: RetryPolicy::default(),
        }
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// A valid access token (from the cache when possible).
    ///
    /// # Errors
    /// The [`AuthError`] of the token fetch.
    pub async fn token(&self) -> Result<Arc<Token>, AuthError> {
        self.source.token().await
    }

    /// Prepares a request before it is sent: sets the bearer token (a header marked sensitive).
    /// This is the SDKs' `ClientHooks::pre`. (progenitor's `api-version` header is removed from
    /// the generated code by `cargo xtask regen`, so it costs nothing here.)
    ///
    /// # Errors
    /// The [`AuthError`] of the token fetch; it is also recorded for [`crate::SendExt::typed`].
    pub async fn prepare(&self, request: &mut Request) -> Result<(), AuthError> {
        // The common case, a fresh cached token, needs no future at all.
        let token = match self.source.cached() {
            Some(token) => Ok(token),
            None => self.source.token().await,
        };
        match token {
            Ok(token) => {
                request
                    .headers_mut()
                    .insert(AUTHORIZATION, token.authorization().clone());
                Ok(())
            }
            Err(err) => {
                note(|r| r.auth_error = Some(err.clone()));
                Err(err)
            }
        }
    }

    /// Sends a prepared request: one tracing span, a single resend with a new token after a 401,
    /// and retries per the [`RetryPolicy`]. This is the SDKs' `ClientHooks::exec`.
    ///
    /// The 401 resend applies to every method, `POST` included: the server refused the request
    /// before acting on it. A second 401 is returned as it is, so a revoked credential can never
    /// cause a loop. A request whose body is a stream cannot be copied and is sent once.
    ///
    /// # Errors
    /// The transport error of the last attempt; error statuses are returned as responses.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: Request,
        operation_id: &'static str,
    ) -> reqwest::Result<Response> {
        let span = tracing::debug_span!(
            "sdk.request",
            operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        self.execute_in_span(http, request).instrument(span).await
    }

    async fn execute_in_span(
        &self,
        http: &reqwest::Client,
        request: Request,
    ) -> reqwest::Result<Response> {
        let started = Instant::now();
        let span = tracing::Span::current();
        let idempotent = is_idempotent(request.method(), request.headers());
        let mut attempt: u32 = 1;
        let mut resent_after_401 = false;
        let mut current = request;
        let outcome = loop {
            // A copy for a possible second send; a streaming body cannot be copied, and such a
            // request is sent exactly once.
            let spare = Replay::of(&current);
            // The token sent, to invalidate on a 401: kept by the copy, or else cloned here.
            let unreplayable_auth = match spare {
                Some(_) => None,
                None => current.headers().get(AUTHORIZATION).cloned(),
            };
            let outcome = http.execute(current).await;
            let sent_auth = spare
                .as_ref()
                .map_or(unreplayable_auth.as_ref(), Replay::authorization);
            if !span.is_disabled() {
                span.record("attempt", attempt);
            }
            if let Ok(resp) = &outcome
                && resp.status() == StatusCode::UNAUTHORIZED
                && let Some(sent) = sent_auth
            {
                // Even when the request cannot be resent, the rejected token must not be
                // handed out again.
                self.source.invalidate(sent);
            }
            let Some(spare) = &spare else { break outcome };
            let wait = match &outcome {
                Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED => {
                    if resent_after_401 || sent_auth.is_none() {
                        break outcome;
                    }
                    resent_after_401 = true;
                    match self.source.token().await {
                        Ok(token) => {
                            tracing::debug!("HTTP 401: resending once with a new token");
                            let mut next = spare.request();
                            next.headers_mut()
                                .insert(AUTHORIZATION, token.authorization().clone());
                            current = next;
                            attempt += 1;
                            continue;
                        }
                        Err(err) => {
                            note(|r| r.auth_error = Some(err));
                            break outcome;
                        }
                    }
                }
                Ok(resp) if idempotent && is_retryable_status(resp.status()) => {
                    self.retry.delay(attempt, Some(resp.headers()))
                }
                Err(err) if idempotent && (err.is_connect() || err.is_timeout()) => {
                    self.retry.delay(attempt, None)
                }
                _ => break outcome,
            };
            if attempt >= self.retry.attempts()
                || started.elapsed() + wait > self.retry.max_elapsed_limit()
            {
                break outcome;
            }
            tracing::debug!(wait_ms = wait.as_millis() as u64, "retrying");
            // Release the connection before waiting.
            drop(outcome);
            tokio::time::sleep(wait).await;
            current = spare.request();
            attempt += 1;
        };
        finish(&span, started, outcome).await
    }
}

/// Records the outcome on the span and, inside a capture, keeps what the typed error needs.
async fn finish(
    span: &tracing::Span,
    started: Instant,
    outcome: reqwest::Result<Response>,
) -> reqwest::Result<Response> {
    let traced = !span.is_disabled();
    if traced {
        span.record("duration_ms", started.elapsed().as_millis() as u64);
    }
    let response = match outcome {
        Ok(response) => response,
        Err(err) => {
            // The error's Display carries the URL, whose query may hold a credential.
            tracing::debug!(
                connect = err.is_connect(),
                timeout = err.is_timeout(),
                "request failed"
            );
            return Err(err);
        }
    };
    let status = response.status();
    if traced {
        span.record("status", status.as_u16());
    }
    if !is_capturing() {
        return Ok(response);
    }
    let request_id = REQUEST_ID_HEADERS
        .iter()
        .find_map(|h| response.headers().get(*h))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    note(|r| {
        r.status = Some(status);
        r.request_id = request_id;
    });
    if status.is_success() {
        return Ok(response);
    }
    // The generated code decodes (or drops) the error body; keep the raw bytes for the caller
    // and hand the generated code an identical response.
    let version = response.version();
    let headers = response.headers().clone();
    let bytes: Bytes = response.bytes().await?;
    note(|r| r.error_body = Some(bytes.clone()));
    let mut rebuilt = http::Response::new(bytes);
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    *rebuilt.version_mut() = version;
    Ok(Response::from(rebuilt))
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("source", &self.source)
            .field("retry", &self.retry)
            .finish()
    }
}
