//! Plumbing for the SDK crates and their generated code, not for their users.
//!
//! What the request layer saw during one call is handed back to the caller's error conversion.
//!
//! progenitor's hooks can only fail with a string, and a body that fails to decode loses its
//! status. The request layer therefore notes the typed auth error, the final status and the raw
//! error body in a task-local [`CallRecord`] while a call runs inside [`capture`]; [`SendExt`]
//! turns that into the typed [`crate::Error`]. Outside a capture nothing is recorded or buffered.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use reqwest::StatusCode;
use tokio::task::futures::TaskLocalFuture;

use std::sync::Arc;

use crate::{AuthError, Error, Redactor, Token};

tokio::task_local! {
    static CALL: RefCell<CallRecord>;
}

/// What the request layer observed during one call. `Debug` shows the error body's length
/// only: a body may echo a credential.
#[derive(Default, Clone)]
#[non_exhaustive]
pub struct CallRecord {
    /// The typed error when no token could be had.
    pub auth_error: Option<AuthError>,
    /// The status of the final answer (after retries and the 401 resend).
    pub status: Option<StatusCode>,
    /// The raw body of a final answer with an error status.
    pub error_body: Option<Bytes>,
    /// The vendor's request id header of the final answer.
    pub request_id: Option<String>,
    /// The token placed on the request, so a rejection invalidates exactly that one.
    pub applied: Option<Arc<Token>>,
    /// The client's secrets, to scrub the error's texts.
    pub redactor: Option<Redactor>,
}

impl std::fmt::Debug for CallRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallRecord")
            .field("auth_error", &self.auth_error)
            .field("status", &self.status)
            .field("error_body_len", &self.error_body.as_ref().map(Bytes::len))
            .field("request_id", &self.request_id)
            .field("applied", &self.applied)
            .finish_non_exhaustive()
    }
}

/// Whether the current task runs inside [`capture`], i.e. whether anything should be recorded.
pub(crate) fn is_capturing() -> bool {
    CALL.try_with(|_| ()).is_ok()
}

/// The token `prepare` placed on the running call's request, if it ran inside a capture.
pub(crate) fn applied_token() -> Option<Arc<Token>> {
    CALL.try_with(|record| record.borrow().applied.clone())
        .ok()
        .flatten()
}

/// Updates the record of the running call, if the caller asked for one.
pub(crate) fn note(update: impl FnOnce(&mut CallRecord)) {
    let _ = CALL.try_with(|record| update(&mut record.borrow_mut()));
}

/// Runs `fut` and returns its output together with what the request layer recorded.
pub async fn capture<F: Future>(fut: F) -> (F::Output, CallRecord) {
    let mut scoped = std::pin::pin!(CALL.scope(RefCell::new(CallRecord::default()), fut));
    let output = (&mut scoped).await;
    let record = scoped
        .as_mut()
        .take_value()
        .map(RefCell::into_inner)
        .unwrap_or_default();
    (output, record)
}

/// Runs one generated call and types its error: what every generated `send()` returns.
///
/// `cargo xtask regen` renames progenitor's `send` to `send_raw` and writes a `send` that
/// awaits `typed(self.send_raw())`, so callers get [`Error`] without asking for it.
///
/// The call's future is moved to the heap once, here: a generated call's future is large,
/// and nesting it by value in the futures around it would copy it at every level.
///
/// # Errors
/// The future resolves to the call's error, typed with what the request layer recorded.
pub fn typed<F, T, E>(call: F) -> Typed<F>
where
    F: Future<Output = Result<T, progenitor_client::Error<E>>>,
{
    call.typed()
}

/// Turns the result of a generated call into one with the SDK's typed [`Error`].
///
/// ```
/// use sdk_auth::runtime::SendExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // Any generated `.send_raw()` future works the same way.
/// let call = async { Err::<(), _>(progenitor_client::Error::<()>::InvalidRequest("page must be >= 1".into())) };
/// let err = call.typed().await.expect_err("rejected");
/// assert!(matches!(err, sdk_auth::Error::InvalidRequest(_)));
/// # }
/// ```
pub trait SendExt<T, E>: Future<Output = Result<T, progenitor_client::Error<E>>> + Sized {
    /// Runs the call, recording what the request layer sees, and types its error.
    fn typed(self) -> Typed<Self> {
        Typed {
            inner: Box::pin(CALL.scope(RefCell::new(CallRecord::default()), self)),
        }
    }
}

impl<F, T, E> SendExt<T, E> for F where F: Future<Output = Result<T, progenitor_client::Error<E>>> {}

/// The future returned by [`SendExt::typed`].
#[must_use = "futures do nothing unless awaited"]
pub struct Typed<F: Future> {
    inner: Pin<Box<TaskLocalFuture<RefCell<CallRecord>, F>>>,
}

impl<F, T, E> Future for Typed<F>
where
    F: Future<Output = Result<T, progenitor_client::Error<E>>>,
{
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let output = std::task::ready!(self.inner.as_mut().poll(cx));
        Poll::Ready(output.map_err(|err| {
            let record = self
                .inner
                .as_mut()
                .take_value()
                .map(RefCell::into_inner)
                .unwrap_or_default();
            Error::from_generated(err, record)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_only_inside_a_capture() {
        assert!(!is_capturing());
        note(|r| r.status = Some(StatusCode::IM_A_TEAPOT));
        let ((), record) = capture(async {
            assert!(is_capturing());
            note(|r| r.status = Some(StatusCode::BAD_GATEWAY));
        })
        .await;
        assert_eq!(record.status, Some(StatusCode::BAD_GATEWAY));
    }

    #[tokio::test]
    async fn typed_uses_the_recorded_status_and_body() {
        let result: Result<(), Error> = async {
            note(|r| {
                r.status = Some(StatusCode::SERVICE_UNAVAILABLE);
                r.error_body = Some(Bytes::from_static(b"<html>down</html>"));
            });
            let source = serde_json::from_slice::<u8>(b"<html>").expect_err("not json");
            Err::<(), _>(progenitor_client::Error::<()>::InvalidResponsePayload(
                Bytes::from_static(b"<html>down</html>"),
                source,
            ))
        }
        .typed()
        .await;
        let err = result.expect_err("must fail");
        assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(err.body().map(|b| &b[..]), Some(&b"<html>down</html>"[..]));
    }
}
