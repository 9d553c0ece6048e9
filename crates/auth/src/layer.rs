//! The request layer behind every call: token placement, the classifier chain (resend after a
//! rejected token, retries), tracing, and the typed error.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use futures::StreamExt as _;
use reqwest::{Request, Response, StatusCode};
use tracing::Instrument;

use crate::classify::{Classifier, MAX_CLASSIFIED_BODY, Outcome, Verdict, default_classifiers};
use crate::retry::is_idempotent;
use crate::runtime::{CallRecord, applied_token, capture, is_capturing, note};
use crate::token::{Token, TokenSource};
use crate::{AuthError, AuthScheme, Error, Redactor, RetryPolicy};

/// Response headers that carry a vendor's request id, checked in this order.
const REQUEST_ID_HEADERS: [&str; 3] = ["x-request-id", "request-id", "x-correlation-id"];

/// The most of an error body kept for the caller's error; the rest is dropped.
const MAX_ERROR_BODY: usize = 1024 * 1024;

/// The auth handle every client carries (progenitor's *inner type*): the token source, where
/// the token goes, what answers mean, and the retry policy.
///
/// Cloning is cheap and clones share the token source.
///
/// ```
/// use std::time::Duration;
/// use sdk_auth::{Auth, AuthScheme, RetryPolicy, StaticToken};
/// let auth = Auth::new(StaticToken::new("t0ken")?)
///     .with_scheme(AuthScheme::query("access_token"))
///     .with_retry(RetryPolicy::default().max_attempts(2).max_elapsed(Duration::from_secs(5)));
/// assert_eq!(auth.retry_policy().attempts(), 2);
/// assert!(!format!("{auth:?}").contains("t0ken"));
/// # Ok::<(), sdk_auth::AuthError>(())
/// ```
#[derive(Clone)]
pub struct Auth {
    source: Arc<dyn TokenSource>,
    scheme: AuthScheme,
    classifiers: Arc<[Arc<dyn Classifier>]>,
    retry: RetryPolicy,
    redactor: Redactor,
}

impl Auth {
    /// Wraps a token source with the bearer scheme, the default classifiers and the default
    /// [`RetryPolicy`].
    pub fn new(source: impl TokenSource + 'static) -> Self {
        Self::from_shared(Arc::new(source))
    }

    /// Wraps a token source that is shared with other clients.
    pub fn from_shared(source: Arc<dyn TokenSource>) -> Self {
        Self {
            redactor: source.redactor(),
            source,
            scheme: AuthScheme::bearer(),
            classifiers: default_classifiers().into(),
            retry: RetryPolicy::default(),
        }
    }

    /// Replaces the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Replaces where the token goes (default: `Authorization: Bearer`).
    #[must_use]
    pub fn with_scheme(mut self, scheme: AuthScheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// Appends a rule to the classifier chain; it sees the verdict of the rules before it.
    #[must_use]
    pub fn with_classifier(mut self, classifier: impl Classifier + 'static) -> Self {
        let mut chain: Vec<Arc<dyn Classifier>> = self.classifiers.iter().cloned().collect();
        chain.push(Arc::new(classifier));
        self.classifiers = chain.into();
        self
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The secrets scrubbed from this client's errors and logs. Add the ones the token source
    /// does not know, such as a webhook's shared secret.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// A valid token (from the cache when possible).
    ///
    /// # Errors
    /// The [`AuthError`] of the token fetch.
    pub async fn token(&self) -> Result<Arc<Token>, AuthError> {
        self.source.token().await
    }

    /// Prepares a request before it is sent: places a valid token with the scheme. This is the
    /// SDKs' `ClientHooks::pre`. It also starts the call's record, so an error of an earlier
    /// call in the same scope cannot be mistaken for this one's.
    ///
    /// # Errors
    /// The [`AuthError`] of the token fetch or placement; also recorded for the typed error.
    pub async fn prepare(&self, request: &mut Request) -> Result<(), AuthError> {
        note(|r| {
            *r = CallRecord::default();
            r.redactor = Some(self.redactor.clone());
        });
        let placed = match self.source.token().await {
            Ok(token) => self.scheme.apply(&token, request).map(|()| token),
            Err(err) => Err(err),
        };
        match placed {
            Ok(token) => {
                note(|r| r.applied = Some(token));
                Ok(())
            }
            Err(err) => {
                note(|r| r.auth_error = Some(err.clone()));
                Err(err)
            }
        }
    }

    /// Sends a prepared request: one tracing span; the classifier chain decides after each
    /// answer whether to resend once with a new token (the server rejected the token) or to
    /// retry (idempotent requests only, within the [`RetryPolicy`]). This is the SDKs'
    /// `ClientHooks::exec`.
    ///
    /// The resend after a rejection applies to every method, `POST` included: the server
    /// refused the request before acting on it. A second rejection is returned as it is, so
    /// a revoked credential can never cause a loop, and the token fetched for the resend is
    /// kept (the next call's first rejection still replaces it if it is bad). A request whose body is a stream cannot be
    /// copied and is sent once.
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
        let recorder = span.clone();
        self.run(http, request, recorder).instrument(span).await
    }

    /// Prepares and executes `request` and types the outcome: a non-2xx answer is
    /// [`Error::Api`] (body kept, excerpt scrubbed), a token that could not be had or was
    /// rejected for good is [`Error::Auth`]. For hand-written clients (RPC or GraphQL APIs),
    /// which have no generated code to do this.
    ///
    /// # Errors
    /// As above; [`Error::Transport`] when there was no answer.
    pub async fn send(
        &self,
        http: &reqwest::Client,
        request: Request,
        operation_id: &'static str,
    ) -> Result<Response, Error> {
        self.send_observed(http, request, operation_id, |_| {})
            .await
    }

    /// [`Auth::send`], with `observe` shown the headers of the final answer, error statuses
    /// included, before the outcome is typed: for a client that keeps state from every
    /// answer, such as the rate-limit headers.
    ///
    /// # Errors
    /// As [`Auth::send`].
    pub async fn send_observed(
        &self,
        http: &reqwest::Client,
        mut request: Request,
        operation_id: &'static str,
        observe: impl FnOnce(&reqwest::header::HeaderMap),
    ) -> Result<Response, Error> {
        let (result, record) = capture(async {
            self.prepare(&mut request).await?;
            self.execute(http, request, operation_id)
                .await
                .map_err(Error::Transport)
        })
        .await;
        let response = result?;
        observe(response.headers());
        if let Some(err) = record.auth_error {
            return Err(Error::Auth(err));
        }
        if response.status().is_success() {
            return Ok(response);
        }
        Err(Error::api(
            response.status(),
            record.error_body.unwrap_or_default(),
            record.request_id,
            &self.redactor,
        ))
    }

    async fn run(
        &self,
        http: &reqwest::Client,
        request: Request,
        span: tracing::Span,
    ) -> reqwest::Result<Response> {
        let started = Instant::now();
        let mut token = applied_token();
        let copy = request.try_clone();
        let idempotent = is_idempotent(request.method(), request.headers());
        let mut resent = false;
        let mut attempt: u32 = 1;
        let mut outcome = http.execute(request).await;
        loop {
            if !span.is_disabled() {
                span.record("attempt", attempt);
            }
            let verdict;
            (outcome, verdict) = self.classify(outcome).await;
            // The next request and how long to wait before sending it.
            let next = match verdict {
                Verdict::Done => None,
                Verdict::TokenRejected => {
                    // Even when the request cannot be resent, the rejected token must not be
                    // handed out again.
                    // Without a record of the token sent, the one held now is the best guess:
                    // it was current a moment ago, and asking for a token could fetch a new one.
                    // Without a record of the token sent (a `send_raw()` call), the one held now
                    // is invalidated only if the request copy carries it: a newer token must
                    // not pay for a late rejection of an older one.
                    let sent = token.clone().or_else(|| {
                        self.source.current().filter(|current| {
                            copy.as_ref()
                                .is_none_or(|copy| self.scheme.carries(copy, current))
                        })
                    });
                    // A rejection of the token just fetched for the resend is not the token's
                    // fault (a 403 for want of permission, say): it stays. Otherwise every such
                    // call would cost a second token request, and the next call a third.
                    if let Some(sent) = sent.filter(|_| !resent) {
                        self.source.invalidate(&sent);
                    }
                    if resent || copy.is_none() {
                        note_rejected(&outcome);
                        None
                    } else {
                        // Give the connection back before waiting for the new token; the
                        // answer is kept in case no new token can be had.
                        outcome = match outcome {
                            Ok(response) => buffered(response, MAX_ERROR_BODY, Rest::Drop).await,
                            other => other,
                        };
                        match self.source.token().await {
                            Ok(new) => {
                                tracing::debug!("token rejected: resending once with a new token");
                                resent = true;
                                let next = self.resend_copy(copy.as_ref(), Some(&new));
                                token = Some(new);
                                next.map(|request| (request, Duration::ZERO))
                            }
                            Err(err) => {
                                note(|r| r.auth_error = Some(err));
                                None
                            }
                        }
                    }
                }
                Verdict::Retry { after } => {
                    let wait = self.retry.delay(attempt, after);
                    // A 429 is a refusal before any work, so any method may be sent again.
                    let refused =
                        matches!(&outcome, Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS);
                    if (idempotent || refused)
                        && self.retry.allows(attempt, started.elapsed(), wait)
                    {
                        self.resend_copy(copy.as_ref(), token.as_deref())
                            .map(|request| (request, wait))
                    } else {
                        None
                    }
                }
            };
            let Some((request, wait)) = next else {
                break;
            };
            // Release the connection before waiting.
            drop(outcome);
            if !wait.is_zero() {
                tracing::debug!(wait_ms = wait.as_millis() as u64, "retrying");
                tokio::time::sleep(wait).await;
            }
            attempt += 1;
            outcome = http.execute(request).await;
        }
        let capturing = is_capturing();
        let response = finish(&span, started, outcome, capturing)?;
        if capturing && !response.status().is_success() {
            let response = buffered(response, MAX_ERROR_BODY, Rest::Drop).await?;
            if let Some(body) = body_of(&response) {
                note(|r| r.error_body = Some(body));
            }
            return Ok(response);
        }
        Ok(response)
    }

    /// Runs the chain over one outcome, buffering a small body first when a rule asks.
    async fn classify(
        &self,
        outcome: reqwest::Result<Response>,
    ) -> (reqwest::Result<Response>, Verdict) {
        let outcome = match outcome {
            Ok(response)
                if self
                    .classifiers
                    .iter()
                    .any(|c| c.wants_body(response.status(), response.headers())) =>
            {
                buffered(response, MAX_CLASSIFIED_BODY, Rest::Keep).await
            }
            other => other,
        };
        let body = outcome.as_ref().ok().and_then(body_of);
        let view = match &outcome {
            Ok(response) => Outcome::Response {
                status: response.status(),
                headers: response.headers(),
                body: body.as_deref(),
            },
            Err(err) => Outcome::Transport(err),
        };
        let verdict = self
            .classifiers
            .iter()
            .fold(Verdict::Done, |verdict, rule| rule.classify(&view, verdict));
        (outcome, verdict)
    }

    /// A new copy of the request with `token` placed again (it may be newer than the copy's).
    fn resend_copy(&self, copy: Option<&Request>, token: Option<&Token>) -> Option<Request> {
        let mut next = copy?.try_clone()?;
        if let Some(token) = token
            && let Err(err) = self.scheme.apply(token, &mut next)
        {
            note(|r| r.auth_error = Some(err));
            return None;
        }
        Some(next)
    }
}

/// A final answer that still rejects the token. A 401 stays an API error with its status; a
/// rejection hidden in a 2xx (an RPC API's "token expired" text) becomes an auth error, so
/// the caller never mistakes it for data.
fn note_rejected(outcome: &reqwest::Result<Response>) {
    if let Ok(response) = outcome
        && response.status().is_success()
    {
        let status = response.status().as_u16();
        note(|r| {
            r.auth_error = Some(AuthError::Rejected {
                status,
                code: None,
                description: Some("the API rejected the access token".into()),
            });
        });
    }
}

/// The body, or the start of it, that [`buffered`] read, without reading it again.
fn body_of(response: &Response) -> Option<Bytes> {
    response
        .extensions()
        .get::<BufferedBody>()
        .map(|b| b.bytes.clone())
}

/// Marks a response whose body [`buffered`] read, and holds a cheap copy of what it read.
#[derive(Clone)]
struct BufferedBody {
    bytes: Bytes,
    /// Whether `bytes` is the whole body (else its start, and the rest still streams).
    complete: bool,
}

/// What [`buffered`] does with the part of a body beyond its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rest {
    /// Hand it on: the caller gets the whole body, the bytes read followed by the rest.
    Keep,
    /// Drop it, with its connection: for error answers, whose start is all anyone reads.
    Drop,
}

/// Reads the body, up to `limit` bytes, and rebuilds an identical response around it, so the
/// bytes can be looked at and still handed on, and a fully read body frees its connection
/// before anything else waits. The rebuilt response's `url()` is not the request's.
async fn buffered(mut response: Response, limit: usize, rest: Rest) -> reqwest::Result<Response> {
    if response
        .extensions()
        .get::<BufferedBody>()
        .is_some_and(|b| b.complete)
    {
        return Ok(response);
    }
    let status: StatusCode = response.status();
    let version = response.version();
    let headers = std::mem::take(response.headers_mut());
    let extensions = std::mem::take(response.extensions_mut());
    let mut read = BytesMut::new();
    let mut complete = false;
    while read.len() < limit {
        match response.chunk().await? {
            Some(chunk) if rest == Rest::Drop => {
                read.extend_from_slice(&chunk[..chunk.len().min(limit - read.len())]);
            }
            Some(chunk) => read.extend_from_slice(&chunk),
            None => {
                complete = true;
                break;
            }
        }
    }
    let read = read.freeze();
    let body = if complete || rest == Rest::Drop {
        reqwest::Body::from(read.clone())
    } else {
        let start =
            futures::stream::once(std::future::ready(Ok::<_, reqwest::Error>(read.clone())));
        reqwest::Body::wrap_stream(start.chain(response.bytes_stream()))
    };
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    *rebuilt.version_mut() = version;
    *rebuilt.extensions_mut() = extensions;
    rebuilt.extensions_mut().insert(BufferedBody {
        bytes: read,
        complete: complete || rest == Rest::Drop,
    });
    Ok(Response::from(rebuilt))
}

/// Records the outcome on the span and, inside a capture, notes the status and request id.
fn finish(
    span: &tracing::Span,
    started: Instant,
    outcome: reqwest::Result<Response>,
    capturing: bool,
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
            return Err(err.without_url());
        }
    };
    let status = response.status();
    if traced {
        span.record("status", status.as_u16());
    }
    if capturing {
        // Only an error reports the request id; a success answer is not searched for it.
        let request_id = if status.is_success() {
            None
        } else {
            REQUEST_ID_HEADERS
                .iter()
                .find_map(|h| response.headers().get(*h))
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        note(|r| {
            r.status = Some(status);
            r.request_id = request_id;
        });
    }
    Ok(response)
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("source", &self.source)
            .field("scheme", &self.scheme)
            .field("classifiers", &self.classifiers)
            .field("retry", &self.retry)
            .finish()
    }
}
