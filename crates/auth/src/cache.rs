//! The token cache: one valid token shared by every request, fetched once for all waiters.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use reqwest::header::HeaderValue;

use crate::AuthError;
use crate::token::{BoxFuture, Token, TokenSource};

/// Fetches a new token from wherever tokens come from (an OAuth2 endpoint, a vendor login call).
pub trait TokenFetcher: Send + Sync + fmt::Debug {
    /// Gets a new token. `previous` is the last token held, possibly expired or rejected, so an
    /// implementation can use its refresh token.
    fn fetch<'a>(&'a self, previous: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>>;
}

/// A [`TokenSource`] that caches one token and refetches it through a [`TokenFetcher`].
///
/// * Hot path: a fresh token is read under a short synchronous read lock; no lock is held across
///   an `.await`, so concurrent requests never queue behind each other.
/// * Single flight: when the token is stale, one caller fetches while the others wait on an
///   async mutex and then reuse its result, success or failure.
/// * A token rejected with HTTP 401 is invalidated only if it is still the current one, so a
///   burst of 401s for the same token causes one refetch, not one per request.
pub struct TokenCache {
    fetcher: Box<dyn TokenFetcher>,
    current: RwLock<Option<Cached>>,
    fetching: tokio::sync::Mutex<()>,
    attempts: AtomicU64,
    last_failure: Mutex<Option<(u64, AuthError)>>,
}

#[derive(Clone)]
struct Cached {
    token: Arc<Token>,
    rejected: bool,
}

impl Cached {
    /// Whether this token may be handed out: not rejected with a 401 and not yet stale.
    fn usable(&self) -> bool {
        !self.rejected && self.token.is_fresh()
    }
}

impl TokenCache {
    /// A cache that starts empty and fetches on first use.
    pub fn new(fetcher: impl TokenFetcher + 'static) -> Self {
        Self {
            fetcher: Box::new(fetcher),
            current: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(()),
            attempts: AtomicU64::new(0),
            last_failure: Mutex::new(None),
        }
    }

    fn fresh(&self) -> Option<Arc<Token>> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|c| c.usable())
            .map(|c| Arc::clone(&c.token))
    }

    async fn fetch_once(&self) -> Result<Arc<Token>, AuthError> {
        let seen = self.attempts.load(Ordering::Acquire);
        let _flight = self.fetching.lock().await;
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        // A fetch that started after we began waiting has failed: share its verdict instead of
        // sending the same doomed request again for every waiter.
        if let Some((attempt, err)) = self
            .last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            && *attempt > seen
        {
            return Err(err.clone());
        }
        let attempt = self.attempts.fetch_add(1, Ordering::AcqRel) + 1;
        let previous = self
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|c| Arc::clone(&c.token));
        match self.fetcher.fetch(previous.as_deref()).await {
            Ok(token) => {
                let token = Arc::new(token);
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Cached {
                    token: Arc::clone(&token),
                    rejected: false,
                });
                *self
                    .last_failure
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = None;
                tracing::debug!(attempt, "access token fetched");
                Ok(token)
            }
            Err(err) => {
                tracing::warn!(attempt, error = %err, "access token fetch failed");
                *self
                    .last_failure
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some((attempt, err.clone()));
                Err(err)
            }
        }
    }
}

impl TokenSource for TokenCache {
    fn token(&self) -> BoxFuture<'_, Result<Arc<Token>, AuthError>> {
        Box::pin(async move {
            match self.fresh() {
                Some(token) => Ok(token),
                None => self.fetch_once().await,
            }
        })
    }

    fn cached_authorization(&self) -> Option<HeaderValue> {
        // The header alone, cloned under the read lock: no `Arc<Token>` count to bump and drop,
        // a cache line that every core would otherwise write on every request.
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|c| c.usable())
            .map(|c| c.token.authorization().clone())
    }

    fn invalidate(&self, header: &HeaderValue) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(cached) = current.as_mut().filter(|c| c.token.matches(header)) {
            cached.rejected = true;
        }
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("fetcher", &self.fetcher)
            .field("has_fresh_token", &self.fresh().is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::{ExposeSecret, SecretString};
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicUsize,
        fail: bool,
        lifetime_secs: u64,
    }

    impl TokenFetcher for Counting {
        fn fetch<'a>(
            &'a self,
            previous: Option<&'a Token>,
        ) -> BoxFuture<'a, Result<Token, AuthError>> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
                if self.fail {
                    return Err(AuthError::Refused {
                        status: 401,
                        code: Some("invalid_client".into()),
                        description: None,
                    });
                }
                let refresh = previous.and_then(|p| p.refresh_token().cloned());
                Token::new(
                    SecretString::from(format!("token-{n}")),
                    refresh.or_else(|| Some(SecretString::from("r"))),
                    Duration::from_secs(self.lifetime_secs),
                    Duration::from_secs(1),
                )
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::new(Counting {
            lifetime_secs: 3600,
            ..Default::default()
        }));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move {
                    cache
                        .token()
                        .await
                        .map(|t| t.access_token().expose_secret().to_owned())
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.expect("join").expect("token"), "token-1");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_fetch_is_shared_by_its_waiters() {
        let fetcher = Counting {
            fail: true,
            lifetime_secs: 3600,
            ..Default::default()
        };
        let cache = Arc::new(TokenCache::new(fetcher));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move { cache.token().await.map(|_| ()) })
            })
            .collect();
        for task in tasks {
            let err = task.await.expect("join").expect_err("refused");
            assert!(err.is_refused());
        }
        // One fetch for the first caller; waiters queued behind it reuse its failure. A caller
        // that arrived after the failure may legitimately try once more.
        let debug = format!("{cache:?}");
        assert!(
            debug.contains("calls: 1") || debug.contains("calls: 2"),
            "{debug}"
        );
    }

    #[tokio::test]
    async fn invalidate_forces_one_refetch_and_ignores_old_tokens() {
        let cache = TokenCache::new(Counting {
            lifetime_secs: 3600,
            ..Default::default()
        });
        let first = cache.token().await.expect("token");
        cache.invalidate(first.authorization());
        let second = cache.token().await.expect("token");
        assert_eq!(second.access_token().expose_secret(), "token-2");
        // A late 401 for the first token must not throw away the second.
        cache.invalidate(first.authorization());
        let third = cache.token().await.expect("token");
        assert_eq!(third.access_token().expose_secret(), "token-2");
    }

    #[tokio::test]
    async fn only_a_fresh_unrejected_token_is_at_hand() {
        let cache = TokenCache::new(Counting {
            lifetime_secs: 3600,
            ..Default::default()
        });
        assert!(
            cache.cached_authorization().is_none(),
            "nothing fetched yet"
        );
        let first = cache.token().await.expect("token");
        let at_hand = cache.cached_authorization().expect("fresh token at hand");
        assert_eq!(&at_hand, first.authorization());
        assert!(at_hand.is_sensitive());
        cache.invalidate(first.authorization());
        assert!(cache.cached_authorization().is_none(), "a rejected token");

        let expiring = TokenCache::new(Counting::default());
        expiring.token().await.expect("token");
        assert!(
            expiring.cached_authorization().is_none(),
            "an expired token"
        );
    }

    #[tokio::test]
    async fn expired_tokens_are_refetched_with_the_previous_one() {
        let cache = TokenCache::new(Counting {
            lifetime_secs: 0,
            ..Default::default()
        });
        let first = cache.token().await.expect("token");
        let second = cache.token().await.expect("token");
        assert_ne!(
            first.access_token().expose_secret(),
            second.access_token().expose_secret()
        );
        assert_eq!(
            second.refresh_token().map(|r| r.expose_secret().to_owned()),
            Some("r".into())
        );
    }
}
