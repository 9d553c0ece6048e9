//! The access token and the trait that hands tokens to the request layer.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::AuthError;

/// A boxed, sendable future; the return type of the object-safe traits of this crate.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An access token as issued by a token endpoint, with its ready-made `Authorization` header.
///
/// `Debug` never shows the token or the refresh token.
#[derive(Clone)]
pub struct Token {
    access: SecretString,
    header: HeaderValue,
    refresh: Option<SecretString>,
    refresh_at: Instant,
}

impl Token {
    /// Builds a token that should be replaced `margin` before its `lifetime` runs out.
    ///
    /// When the lifetime is shorter than twice the margin, the token is replaced at half its
    /// lifetime instead, so a short-lived token is still used rather than refetched per request.
    ///
    /// # Errors
    /// [`AuthError::MalformedResponse`] when the token is empty or cannot go into an HTTP header.
    pub fn new(
        access: SecretString,
        refresh: Option<SecretString>,
        lifetime: Duration,
        margin: Duration,
    ) -> Result<Self, AuthError> {
        let malformed = |detail: &str| AuthError::MalformedResponse {
            status: 200,
            detail: detail.to_owned(),
            excerpt: String::new(),
        };
        if access.expose_secret().trim().is_empty() {
            return Err(malformed("the access token is empty"));
        }
        let mut header = HeaderValue::try_from(format!("Bearer {}", access.expose_secret()))
            .map_err(|_| {
                malformed("the access token contains characters not allowed in a header")
            })?;
        header.set_sensitive(true);
        let early = margin.min(lifetime / 2);
        Ok(Self {
            access,
            header,
            refresh,
            refresh_at: Instant::now() + (lifetime - early),
        })
    }

    /// The access token itself. Expose it only at an HTTP boundary.
    pub fn access_token(&self) -> &SecretString {
        &self.access
    }

    /// The refresh token that came with this access token, if any.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh.as_ref()
    }

    /// Keeps `previous` as the refresh token when the server sent no new one.
    pub(crate) fn keep_refresh_token(&mut self, previous: &SecretString) {
        if self.refresh.is_none() {
            self.refresh = Some(previous.clone());
        }
    }

    /// `Bearer <token>` as a header value marked sensitive (never printed by `http`'s `Debug`).
    pub fn authorization(&self) -> &HeaderValue {
        &self.header
    }

    /// Whether the token is still inside its usable lifetime (expiry minus margin).
    pub fn is_fresh(&self) -> bool {
        Instant::now() < self.refresh_at
    }

    /// Whether this token produced the given `Authorization` header value.
    pub fn matches(&self, header: &HeaderValue) -> bool {
        self.header.as_bytes() == header.as_bytes()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access", &"[redacted]")
            .field("refresh", &self.refresh.as_ref().map(|_| "[redacted]"))
            .field("fresh", &self.is_fresh())
            .finish()
    }
}

/// Something that hands out valid access tokens: the request layer's only view of auth.
///
/// [`crate::TokenCache`] is the implementation every SDK uses; implement this trait yourself to
/// plug in tokens from elsewhere (a secret store, a sidecar, a fixed test token).
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// A token that is valid now, fetched or refreshed when needed.
    fn token(&self) -> BoxFuture<'_, Result<Arc<Token>, AuthError>>;

    /// The `Authorization` value of a token that is valid now, if one is at hand without any
    /// I/O. The request layer tries this first so the common case allocates no future; it asks
    /// for the header alone because that is all a request needs. The default says "none at
    /// hand".
    fn cached_authorization(&self) -> Option<HeaderValue> {
        None
    }

    /// Tells the source that the server rejected the token behind `header` (HTTP 401), so the
    /// next [`TokenSource::token`] call must not return it again.
    fn invalidate(&self, header: &HeaderValue);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(lifetime: u64, margin: u64) -> Token {
        Token::new(
            SecretString::from("abc.def"),
            Some(SecretString::from("refresh-me")),
            Duration::from_secs(lifetime),
            Duration::from_secs(margin),
        )
        .expect("valid token")
    }

    #[test]
    fn debug_never_shows_either_token() {
        let printed = format!("{:?}", token(3600, 60));
        assert!(!printed.contains("abc.def"), "{printed}");
        assert!(!printed.contains("refresh-me"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn header_is_bearer_and_sensitive() {
        let t = token(3600, 60);
        assert!(t.authorization().is_sensitive());
        assert_eq!(t.authorization().as_bytes(), b"Bearer abc.def");
        assert!(t.matches(&HeaderValue::from_static("Bearer abc.def")));
        assert!(!t.matches(&HeaderValue::from_static("Bearer other")));
    }

    #[test]
    fn freshness_respects_the_margin() {
        assert!(token(3600, 60).is_fresh());
        // A 60 s margin on a 60 s token would make it stale at birth; half its life is used.
        assert!(token(60, 60).is_fresh());
        assert!(!token(0, 60).is_fresh());
    }

    #[test]
    fn rejects_tokens_that_cannot_be_a_header() {
        for bad in ["", "   ", "line\nbreak"] {
            let err = Token::new(
                SecretString::from(bad),
                None,
                Duration::from_secs(60),
                Duration::ZERO,
            )
            .expect_err("must be rejected");
            assert!(
                matches!(err, AuthError::MalformedResponse { .. }),
                "{err:?}"
            );
        }
    }
}
