//! The credential (a token, its refresh token and its expiry) and the trait that hands tokens
//! to the request layer.
//!
//! A [`Token`] is not a header: where it goes on a request is the job of an
//! [`crate::AuthScheme`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use secrecy::{ExposeSecret, SecretString};

use crate::{AuthError, Clock, Redactor};

/// A boxed, sendable future; the return type of the object-safe traits of this crate.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The longest lifetime a token is believed to have, whatever the server says. It keeps the
/// expiry arithmetic far from overflow (`"expires_in": 1e300`) and costs nothing real: a
/// token is refetched after a year at the latest, or as soon as the server rejects it.
pub const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// An access token with its optional refresh token and expiry.
///
/// Fetchers build it from a token answer; the [`crate::TokenCache`] then stamps it with the
/// time it arrived (monotonic and wall clock) and a generation number that tells it apart from
/// every other token of that cache. `Debug` never shows either token.
///
/// ```
/// use std::time::Duration;
/// let token = sdk_auth::Token::new("abc.def")?
///     .with_refresh_token(Some("rotate-me".into()))
///     .expires_in(Duration::from_secs(3600));
/// assert!(!format!("{token:?}").contains("abc.def"));
/// # Ok::<(), sdk_auth::AuthError>(())
/// ```
#[derive(Clone)]
pub struct Token {
    access: SecretString,
    refresh: Option<SecretString>,
    expiry: Expiry,
    stamp: Option<Stamp>,
    generation: u64,
    account: Option<String>,
}

/// The expiry as the server or a store stated it.
#[derive(Debug, Clone, Copy)]
enum Expiry {
    /// The server said nothing: the token is used until it is rejected.
    Unknown,
    /// Relative to its arrival (`expires_in`), capped at [`MAX_LIFETIME`].
    In(Duration),
    /// An absolute wall-clock time (a token loaded from a store).
    At(SystemTime),
}

/// When the token arrived and when it expires, on both clocks.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    arrived: Instant,
    expires: Instant,
    expires_wall: SystemTime,
}

impl Token {
    /// A token with no known expiry.
    ///
    /// # Errors
    /// [`AuthError::MalformedResponse`] when the token is empty or holds control characters
    /// (it could then not go into a header or a URL unchanged).
    pub fn new(access: impl Into<SecretString>) -> Result<Self, AuthError> {
        let access = access.into();
        let value = access.expose_secret();
        if value.trim().is_empty() {
            return Err(AuthError::malformed(200, "the access token is empty"));
        }
        if value.chars().any(char::is_control) {
            return Err(AuthError::malformed(
                200,
                "the access token contains control characters",
            ));
        }
        Ok(Self {
            access,
            refresh: None,
            expiry: Expiry::Unknown,
            stamp: None,
            generation: 0,
            account: None,
        })
    }

    /// Sets the refresh token that came with this access token.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh: Option<SecretString>) -> Self {
        self.refresh = refresh.filter(|r| !r.expose_secret().trim().is_empty());
        self
    }

    /// The token expires `lifetime` after it arrives (capped at [`MAX_LIFETIME`]).
    #[must_use]
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expiry = Expiry::In(lifetime.min(MAX_LIFETIME));
        self
    }

    /// The token expires at this wall-clock time (a token read back from a store).
    #[must_use]
    pub fn expires_at(mut self, when: SystemTime) -> Self {
        self.expiry = Expiry::At(when);
        self
    }

    /// The access token itself. Expose it only at an HTTP boundary.
    pub fn access_token(&self) -> &SecretString {
        &self.access
    }

    /// The refresh token that came with this access token, if any.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh.as_ref()
    }

    /// The absolute (wall-clock) expiry, once known: after the cache stamped the token, or
    /// when it was given as an absolute time.
    pub fn expiry(&self) -> Option<SystemTime> {
        match (self.stamp, self.expiry) {
            (Some(stamp), _) => Some(stamp.expires_wall),
            (None, Expiry::At(when)) => Some(when),
            _ => None,
        }
    }

    /// Whom the token was issued to, as its cache's fetcher names the account
    /// ([`crate::TokenFetcher::account`]); a store keeps it so a token is never used for
    /// another account. `None` when unknown.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// Records whom the token was issued to; see [`Token::account`].
    #[must_use]
    pub fn with_account(mut self, account: Option<String>) -> Self {
        self.account = account;
        self
    }

    /// The cache's number for this token: every token a cache stores gets a new one, so a
    /// rejection of an older token never throws away a newer one. 0 for unstamped tokens.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Keeps `previous` as the refresh token when the server sent no new one.
    #[must_use]
    pub fn or_refresh_token(mut self, previous: Option<&SecretString>) -> Self {
        if self.refresh.is_none() {
            self.refresh = previous.cloned();
        }
        self
    }

    /// The lifetime the server stated (`expires_in`), before any stamping.
    pub(crate) fn lifetime(&self) -> Option<Duration> {
        match self.expiry {
            Expiry::In(lifetime) => Some(lifetime),
            Expiry::Unknown | Expiry::At(_) => None,
        }
    }

    /// Records the arrival time and generation; done once by the cache.
    pub(crate) fn stamp(&mut self, clock: &dyn Clock, generation: u64) {
        let (now, wall) = (clock.now(), clock.wall());
        let lifetime = match self.expiry {
            Expiry::Unknown => None,
            Expiry::In(lifetime) => Some(lifetime),
            Expiry::At(when) => Some(
                when.duration_since(wall)
                    .unwrap_or(Duration::ZERO)
                    .min(MAX_LIFETIME),
            ),
        };
        self.stamp = lifetime.map(|lifetime| Stamp {
            arrived: now,
            expires: now.checked_add(lifetime).unwrap_or(now),
            expires_wall: wall.checked_add(lifetime).unwrap_or(wall),
        });
        self.generation = generation;
    }

    /// Whether the token may still be handed out at `now`: before its expiry minus `margin`,
    /// or minus half its lifetime when that is shorter, so a short-lived token is still used
    /// rather than refetched for every request. A token without a known expiry always is.
    pub(crate) fn is_fresh(&self, now: Instant, margin: Duration) -> bool {
        match (self.stamp, self.expiry) {
            (Some(stamp), _) => {
                let lifetime = stamp.expires.saturating_duration_since(stamp.arrived);
                let early = margin.min(lifetime / 2);
                now.checked_add(early).is_some_and(|t| t < stamp.expires)
            }
            (None, Expiry::Unknown) => true,
            (None, _) => false,
        }
    }

    /// Adds both tokens to the values `redactor` scrubs.
    pub(crate) fn remember_in(&self, redactor: &Redactor) {
        redactor.add_token(&self.access);
        if let Some(refresh) = &self.refresh {
            redactor.add_token(refresh);
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access", &"[redacted]")
            .field("refresh", &self.refresh.as_ref().map(|_| "[redacted]"))
            .field("expiry", &self.expiry())
            .field("generation", &self.generation)
            .finish()
    }
}

/// Something that hands out valid tokens: the request layer's only view of auth.
///
/// [`crate::TokenCache`] is the implementation every SDK uses; implement this trait yourself
/// to plug in tokens from elsewhere (a secret store, a sidecar, a fixed test token: see
/// [`crate::StaticToken`]).
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// A token that is valid now, fetched or refreshed when needed.
    fn token(&self) -> BoxFuture<'_, Result<Arc<Token>, AuthError>>;

    /// Tells the source that the server rejected `token`, so the next [`TokenSource::token`]
    /// call must not return it again. Compare by [`Token::generation`].
    fn invalidate(&self, token: &Token);

    /// The token held now, fresh or not, without fetching. The layer uses it to invalidate a
    /// rejected token when it does not know which one was sent (a `send_raw()` call, whose
    /// record is not kept). The default holds none.
    fn current(&self) -> Option<Arc<Token>> {
        None
    }

    /// The values this source knows to be secret, scrubbed from every error and log line of
    /// the clients that use it. The default knows none.
    fn redactor(&self) -> Redactor {
        Redactor::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManualClock;

    fn stamped(lifetime: u64, clock: &ManualClock) -> Token {
        let mut token = Token::new("abc.def")
            .expect("token")
            .with_refresh_token(Some("refresh-me".into()))
            .expires_in(Duration::from_secs(lifetime));
        token.stamp(clock, 1);
        token
    }

    #[test]
    fn debug_never_shows_either_token() {
        let printed = format!("{:?}", stamped(3600, &ManualClock::new()));
        assert!(!printed.contains("abc.def"), "{printed}");
        assert!(!printed.contains("refresh-me"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn freshness_follows_the_clock_and_the_margin() {
        let clock = ManualClock::new();
        let margin = Duration::from_secs(60);
        let token = stamped(3600, &clock);
        assert!(token.is_fresh(clock.now(), margin));
        clock.advance(Duration::from_secs(3539));
        assert!(token.is_fresh(clock.now(), margin));
        clock.advance(Duration::from_secs(1));
        assert!(!token.is_fresh(clock.now(), margin));
        // A 60 s margin on a 60 s token would make it stale at birth; half its life is used.
        let short = stamped(60, &clock);
        assert!(short.is_fresh(clock.now(), margin));
        clock.advance(Duration::from_secs(30));
        assert!(!short.is_fresh(clock.now(), margin));
    }

    #[test]
    fn the_wall_clock_expiry_is_known_after_stamping() {
        let clock = ManualClock::new();
        let token = stamped(3600, &clock);
        assert_eq!(
            token.expiry(),
            Some(clock.wall() + Duration::from_secs(3600))
        );
        let mut loaded = Token::new("x")
            .expect("token")
            .expires_at(clock.wall() + Duration::from_secs(10));
        loaded.stamp(&clock, 2);
        assert!(loaded.is_fresh(clock.now(), Duration::ZERO));
        clock.advance(Duration::from_secs(10));
        assert!(!loaded.is_fresh(clock.now(), Duration::ZERO));
    }

    #[test]
    fn huge_lifetimes_are_capped() {
        let clock = ManualClock::new();
        let token = Token::new("x").expect("token").expires_in(Duration::MAX);
        let mut token = token;
        token.stamp(&clock, 1);
        assert_eq!(token.expiry(), Some(clock.wall() + MAX_LIFETIME));
    }

    #[test]
    fn rejects_tokens_that_cannot_travel() {
        for bad in ["", "   ", "line\nbreak"] {
            let err = Token::new(bad).expect_err("must be rejected");
            assert!(
                matches!(err, AuthError::MalformedResponse { .. }),
                "{err:?}"
            );
        }
    }
}
