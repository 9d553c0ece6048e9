//! The token cache: one valid token shared by every request, fetched once for all waiters by
//! a task no caller can cancel.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::FutureExt as _;
use futures::future::Shared;
use secrecy::SecretString;

use crate::token::{BoxFuture, Token, TokenSource};
use crate::{AuthError, Clock, MemoryStore, Redactor, RetryPolicy, SystemClock, TokenStore};

/// Gets a new token from wherever tokens come from (an OAuth2 endpoint, a vendor login).
pub trait TokenFetcher: Send + Sync + fmt::Debug {
    /// Gets a new token. `previous` is the last token held, possibly expired or rejected, so
    /// an implementation can use its refresh token (see [`crate::fetch::refresh_or_sign_in`]).
    fn fetch<'a>(&'a self, previous: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>>;

    /// The credentials this fetcher sends (client secret, password, solution key), so that
    /// they are scrubbed by value from every error and log line. The default is none.
    fn secrets(&self) -> Vec<SecretString> {
        Vec::new()
    }

    /// Who the tokens are for (an endpoint, a client id, a user name; nothing secret), so a
    /// [`TokenStore`] written for one account is not used by a client configured for another.
    /// The default, `None`, trusts any stored token.
    fn account(&self) -> Option<String> {
        None
    }
}

/// The shared, detached fetch every waiting caller polls.
type Flight = Shared<BoxFuture<'static, Result<Arc<Token>, AuthError>>>;

/// What a caller does next.
enum Step {
    /// Use this token.
    Ready(Arc<Token>),
    /// Wait for this fetch.
    Wait(Flight),
}

/// The longest a `Retry-After` from the token endpoint holds callers back.
const MAX_COOL_DOWN: Duration = Duration::from_secs(300);

/// Clears the flight when the fetch task ends in any way, a panic or a cancelled task (a
/// runtime shut down under it) included, so that no caller ever waits on a dead flight.
struct Landing<'a> {
    inner: &'a Inner,
    id: u64,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        let mut state = self.inner.lock();
        if state.flight_id == self.id {
            state.flight = None;
        }
    }
}

/// A [`TokenSource`] that caches one token and refetches it through a [`TokenFetcher`].
///
/// * A fresh token is read under a short lock that is never held across an `.await`.
/// * Single flight: a stale token is fetched by one spawned task. Every caller that arrives
///   while it runs waits for that task and gets its result, success or failure; they are all
///   woken together when it ends. Dropping callers never cancels the task, so a rotated
///   refresh token is always stored.
/// * A rejection (wrong credentials, refused grant) is handed to every caller for a cool-down
///   instead of being sent again per call, and so is an unavailable endpoint that said how
///   long to wait (`Retry-After`, at most 5 min). An unavailable endpoint (timeout, 5xx, 429)
///   is retried with backoff inside the fetch.
/// * A token inside its expiry margin is renewed in the background while callers go on
///   using it; only an expired (or rejected) token makes callers wait.
/// * A caller waits at most its wait limit (the client's timeout); the fetch goes on.
/// * [`TokenSource::invalidate`] drops a token only if it is still the current one (by
///   generation), so a burst of rejections causes one refetch.
/// * Every new token is saved to the [`TokenStore`]; the cache starts from the stored one.
///
/// The fetch is spawned on the Tokio runtime of the caller, which must exist.
#[derive(Clone)]
pub struct TokenCache {
    shared: Arc<Inner>,
}

/// What the cache and its fetch task share.
struct Inner {
    /// Whom the fetcher's tokens are for ([`TokenFetcher::account`]).
    account: Option<String>,
    fetcher: Box<dyn TokenFetcher>,
    store: Box<dyn TokenStore>,
    clock: Arc<dyn Clock>,
    settings: Settings,
    redactor: Redactor,
    generation: AtomicU64,
    state: Mutex<State>,
}

#[derive(Debug, Clone)]
struct Settings {
    expiry_margin: Duration,
    cool_down: Duration,
    wait_limit: Option<Duration>,
    fetch_retry: RetryPolicy,
}

#[derive(Default)]
struct State {
    current: Option<Arc<Token>>,
    rejected: bool,
    flight: Option<Flight>,
    /// Numbers the flights, so a finished task clears only its own.
    flight_id: u64,
    /// The last failure that asks callers to wait (a rejection, or an unavailable endpoint
    /// that sent `Retry-After`), and when that wait ends.
    cooling: Option<(AuthError, Instant)>,
}

/// Builds a [`TokenCache`]; start with [`TokenCache::builder`].
#[must_use]
pub struct TokenCacheBuilder {
    fetcher: Box<dyn TokenFetcher>,
    store: Box<dyn TokenStore>,
    initial: Option<Token>,
    clock: Arc<dyn Clock>,
    settings: Settings,
    redactor: Redactor,
}

impl TokenCacheBuilder {
    /// Where tokens are kept across restarts (default: [`MemoryStore`]).
    pub fn store(mut self, store: impl TokenStore + 'static) -> Self {
        self.store = Box::new(store);
        self
    }

    /// Starts from `token` instead of the stored one, and saves it to the store when the cache
    /// is built: a token just obtained (an authorization code exchanged, see
    /// [`crate::oauth::AuthorizationCode`]) must win over one left by an earlier session,
    /// perhaps another user's.
    pub fn initial_token(mut self, token: Token) -> Self {
        self.initial = Some(token);
        self
    }

    /// How long before its expiry a token is replaced (default 60 s; at most half its life).
    pub fn expiry_margin(mut self, margin: Duration) -> Self {
        self.settings.expiry_margin = margin;
        self
    }

    /// How long a rejection is handed out before the next attempt (default 10 s).
    pub fn cool_down(mut self, cool_down: Duration) -> Self {
        self.settings.cool_down = cool_down;
        self
    }

    /// The longest a caller waits for a token (default: as long as the fetch takes). SDK
    /// builders set it to the client's timeout.
    pub fn wait_limit(mut self, limit: Option<Duration>) -> Self {
        self.settings.wait_limit = limit;
        self
    }

    /// How an unavailable token endpoint is retried (default: 3 attempts within 30 s).
    pub fn fetch_retry(mut self, policy: RetryPolicy) -> Self {
        self.settings.fetch_retry = policy;
        self
    }

    /// The clock (default: the system's); tests pass a [`crate::ManualClock`].
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Shares this set of secrets with other parts of a client (a webhook secret, say).
    pub fn redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// Builds the cache and loads the stored token, if any, or saves the
    /// [`TokenCacheBuilder::initial_token`]. This store access happens once, on the calling
    /// thread. A store that cannot be read or written is logged (without its content); the
    /// cache then starts empty, or from the initial token all the same.
    pub fn build(self) -> TokenCache {
        for secret in self.fetcher.secrets() {
            self.redactor.add(&secret);
        }
        let shared = Inner {
            account: self.fetcher.account(),
            fetcher: self.fetcher,
            store: self.store,
            clock: self.clock,
            settings: self.settings,
            redactor: self.redactor,
            generation: AtomicU64::new(0),
            state: Mutex::new(State::default()),
        };
        if let Some(token) = self.initial {
            let token = shared.admit(token);
            // On the calling thread, unlike the saves of the fetch task: a save queued on the
            // blocking pool could land after that of a refresh that follows at once, and leave
            // the older refresh token in the store.
            if let Err(err) = shared.store.save(&token) {
                let err = err.scrubbed(&shared.redactor);
                tracing::warn!(error = %err, "the initial token could not be saved");
            }
            shared.lock().current = Some(token);
            return TokenCache {
                shared: Arc::new(shared),
            };
        }
        match shared.store.load() {
            // A token saved for another account (new credentials, same file) is not this
            // client's: it signs in afresh, and its first token replaces the stored one.
            Ok(Some(token))
                if shared.account.is_some() && token.account() != shared.account.as_deref() =>
            {
                tracing::info!("the stored token belongs to another account; it is not used");
            }
            Ok(Some(token)) => {
                let token = shared.admit(token);
                shared.lock().current = Some(token);
            }
            Ok(None) => {}
            Err(err) => {
                let err = err.scrubbed(&shared.redactor);
                tracing::warn!(error = %err, "the stored token could not be loaded");
            }
        }
        TokenCache {
            shared: Arc::new(shared),
        }
    }
}

impl TokenCache {
    /// A cache with the default settings, starting empty.
    pub fn new(fetcher: impl TokenFetcher + 'static) -> Self {
        Self::builder(fetcher).build()
    }

    /// A builder for the settings of [`TokenCacheBuilder`].
    pub fn builder(fetcher: impl TokenFetcher + 'static) -> TokenCacheBuilder {
        TokenCacheBuilder {
            fetcher: Box::new(fetcher),
            store: Box::new(MemoryStore::default()),
            initial: None,
            clock: Arc::new(SystemClock),
            settings: Settings {
                expiry_margin: Duration::from_secs(60),
                cool_down: Duration::from_secs(10),
                wait_limit: None,
                fetch_retry: RetryPolicy::default()
                    .max_attempts(3)
                    .max_elapsed(Duration::from_secs(30)),
            },
            redactor: Redactor::default(),
        }
    }

    /// The fresh token at hand, the shared rejection, or the flight to wait for.
    ///
    /// A token inside its expiry margin but not yet expired is still handed out while a
    /// flight renews it in the background: callers never wait for a renewal they do not
    /// need, and an outage of the token endpoint costs nothing until the token really expires.
    fn next_step(&self) -> Result<Step, AuthError> {
        let shared = &self.shared;
        let now = shared.clock.now();
        let mut state = shared.lock();
        let usable = state.current.clone().filter(|_| !state.rejected);
        if let Some(token) = &usable
            && token.is_fresh(now, shared.settings.expiry_margin)
        {
            return Ok(Step::Ready(Arc::clone(token)));
        }
        let still_valid = usable.filter(|token| token.is_fresh(now, Duration::ZERO));
        if let Some(flight) = &state.flight {
            return Ok(match still_valid {
                Some(token) => Step::Ready(token),
                None => Step::Wait(flight.clone()),
            });
        }
        if let Some((err, until)) = &state.cooling
            && now < *until
        {
            return match still_valid {
                Some(token) => Ok(Step::Ready(token)),
                None => Err(err.clone()),
            };
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            AuthError::InvalidConfig("fetching a token needs a Tokio runtime".into())
        })?;
        state.flight_id += 1;
        let id = state.flight_id;
        let task = runtime.spawn(Arc::clone(&self.shared).fetch(state.current.clone(), id));
        let flight: Flight = async move {
            task.await.unwrap_or_else(|_| {
                Err(AuthError::unavailable(
                    "the token fetch task ended abnormally",
                ))
            })
        }
        .boxed()
        .shared();
        state.flight = Some(flight.clone());
        Ok(match still_valid {
            Some(token) => Step::Ready(token),
            None => Step::Wait(flight),
        })
    }

    async fn get(&self) -> Result<Arc<Token>, AuthError> {
        let flight = match self.next_step()? {
            Step::Ready(token) => return Ok(token),
            Step::Wait(flight) => flight,
        };
        match self.shared.settings.wait_limit {
            None => flight.await,
            Some(limit) => tokio::time::timeout(limit, flight)
                .await
                .unwrap_or_else(|_| {
                    Err(AuthError::unavailable(format!(
                        "no token within {} ms; the fetch goes on in the background",
                        limit.as_millis()
                    )))
                }),
        }
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stamps a new token, remembers its values for redaction, and numbers it.
    fn admit(&self, mut token: Token) -> Arc<Token> {
        if self.account.is_some() {
            token = token.with_account(self.account.clone());
        }
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        token.stamp(&*self.clock, generation);
        token.remember_in(&self.redactor);
        Arc::new(token)
    }

    /// Saves a new token before callers get it, so a crash right after cannot lose a rotated
    /// refresh token. A store may block (a file write and its sync), so it runs on tokio's
    /// blocking pool, never on a runtime thread. A failure is logged, not returned: the token
    /// is good for this process either way.
    async fn save(self: &Arc<Self>, token: &Arc<Token>) {
        let (inner, saved) = (Arc::clone(self), Arc::clone(token));
        let result = tokio::task::spawn_blocking(move || inner.store.save(&saved)).await;
        let err = match result {
            Ok(Ok(())) => return,
            Ok(Err(err)) => err.scrubbed(&self.redactor),
            Err(_) => AuthError::Store("the token store panicked while saving".into()),
        };
        tracing::warn!(error = %err, "the new token could not be saved");
    }

    /// The detached fetch: retries an unavailable endpoint, then records the outcome for
    /// every caller, present or future.
    async fn fetch(
        self: Arc<Self>,
        previous: Option<Arc<Token>>,
        id: u64,
    ) -> Result<Arc<Token>, AuthError> {
        let _landing = Landing { inner: &self, id };
        let result = self.fetch_with_retries(previous.as_deref()).await;
        let result = match result {
            Ok(token) => {
                let token = self.admit(token);
                self.save(&token).await;
                tracing::debug!(generation = token.generation(), "access token fetched");
                Ok(token)
            }
            Err(err) => {
                let err = err.scrubbed(&self.redactor);
                tracing::warn!(error = %err, "access token fetch failed");
                Err(err)
            }
        };
        let mut state = self.lock();
        state.flight = None;
        let cool_down = match &result {
            Ok(token) => {
                state.current = Some(Arc::clone(token));
                state.rejected = false;
                None
            }
            Err(err) if err.is_rejected() => Some(self.settings.cool_down),
            Err(AuthError::Unavailable {
                retry_after: Some(wait),
                ..
            }) => Some((*wait).min(MAX_COOL_DOWN)),
            Err(_) => None,
        };
        state.cooling = match (cool_down, &result) {
            (Some(wait), Err(err)) => self
                .clock
                .now()
                .checked_add(wait)
                .map(|until| (err.clone(), until)),
            _ => None,
        };
        result
    }

    async fn fetch_with_retries(&self, previous: Option<&Token>) -> Result<Token, AuthError> {
        let policy = &self.settings.fetch_retry;
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            let err = match self.fetcher.fetch(previous).await {
                Ok(token) => return Ok(token),
                Err(err) => err,
            };
            let AuthError::Unavailable { retry_after, .. } = &err else {
                return Err(err);
            };
            let wait = policy.delay(attempt, *retry_after);
            if !policy.allows(attempt, started.elapsed(), wait) {
                return Err(err);
            }
            tracing::debug!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                "token endpoint unavailable; retrying"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

impl TokenSource for TokenCache {
    fn token(&self) -> BoxFuture<'_, Result<Arc<Token>, AuthError>> {
        Box::pin(self.get())
    }

    fn invalidate(&self, token: &Token) {
        let mut state = self.shared.lock();
        if state
            .current
            .as_ref()
            .is_some_and(|current| current.generation() == token.generation())
        {
            state.rejected = true;
        }
    }

    fn redactor(&self) -> Redactor {
        self.shared.redactor.clone()
    }

    fn current(&self) -> Option<Arc<Token>> {
        self.shared.lock().current.clone()
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("TokenCache")
            .field("fetcher", &self.shared.fetcher)
            .field("store", &self.shared.store)
            .field("token", &state.current)
            .field("rejected", &state.rejected)
            .field("fetching", &state.flight.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManualClock;
    use secrecy::ExposeSecret;
    use std::sync::atomic::AtomicUsize;

    #[derive(Debug, Clone, Default)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        outcome: Outcome,
        lifetime_secs: u64,
    }

    #[derive(Debug, Clone, Copy, Default, PartialEq)]
    enum Outcome {
        #[default]
        Token,
        Rejected,
        Unavailable,
    }

    impl TokenFetcher for Counting {
        fn fetch<'a>(
            &'a self,
            previous: Option<&'a Token>,
        ) -> BoxFuture<'a, Result<Token, AuthError>> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
                match self.outcome {
                    Outcome::Rejected => Err(AuthError::Rejected {
                        status: 401,
                        code: Some("invalid_client".into()),
                        description: None,
                    }),
                    Outcome::Unavailable => Err(AuthError::unavailable("down")),
                    Outcome::Token => Ok(Token::new(format!("token-{n}"))?
                        .with_refresh_token(Some("r".into()))
                        .or_refresh_token(previous.and_then(Token::refresh_token))
                        .expires_in(Duration::from_secs(self.lifetime_secs))),
                }
            })
        }
    }

    fn access(token: &Token) -> String {
        token.access_token().expose_secret().to_owned()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_fetch() {
        let fetcher = Counting {
            lifetime_secs: 3600,
            ..Default::default()
        };
        let calls = Arc::clone(&fetcher.calls);
        let cache = TokenCache::new(fetcher);
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.token().await.map(|t| access(&t)) })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.expect("join").expect("token"), "token-1");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_rejection_is_shared_for_the_cool_down() {
        let fetcher = Counting {
            outcome: Outcome::Rejected,
            ..Default::default()
        };
        let calls = Arc::clone(&fetcher.calls);
        let clock = ManualClock::new();
        let cache = TokenCache::builder(fetcher)
            .clock(clock.clone())
            .cool_down(Duration::from_secs(5))
            .build();
        for _ in 0..3 {
            assert!(cache.token().await.expect_err("rejected").is_rejected());
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "one request in the cool-down"
        );
        clock.advance(Duration::from_secs(5));
        assert!(cache.token().await.expect_err("rejected").is_rejected());
        assert_eq!(calls.load(Ordering::SeqCst), 2, "tried again after it");
    }

    #[tokio::test]
    async fn an_unavailable_endpoint_is_retried_inside_the_fetch() {
        let fetcher = Counting {
            outcome: Outcome::Unavailable,
            ..Default::default()
        };
        let calls = Arc::clone(&fetcher.calls);
        let cache = TokenCache::builder(fetcher)
            .fetch_retry(
                RetryPolicy::default()
                    .max_attempts(3)
                    .initial_backoff(Duration::from_millis(1)),
            )
            .build();
        assert!(cache.token().await.expect_err("down").is_unavailable());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        // Not a rejection: the next caller tries again at once.
        assert!(cache.token().await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 6);
    }

    #[tokio::test]
    async fn invalidate_forces_one_refetch_and_ignores_old_tokens() {
        let cache = TokenCache::new(Counting {
            lifetime_secs: 3600,
            ..Default::default()
        });
        let first = cache.token().await.expect("token");
        cache.invalidate(&first);
        let second = cache.token().await.expect("token");
        assert_eq!(access(&second), "token-2");
        assert!(second.generation() > first.generation());
        // A late rejection of the first token must not throw away the second.
        cache.invalidate(&first);
        assert_eq!(access(&cache.token().await.expect("token")), "token-2");
    }

    #[tokio::test]
    async fn expiry_follows_the_clock_and_keeps_the_refresh_token() {
        let clock = ManualClock::new();
        let cache = TokenCache::builder(Counting {
            lifetime_secs: 600,
            ..Default::default()
        })
        .clock(clock.clone())
        .build();
        let first = cache.token().await.expect("token");
        clock.advance(Duration::from_secs(539));
        assert_eq!(access(&cache.token().await.expect("token")), "token-1");
        // Inside the margin: the still-valid token is handed out, renewed in the background.
        clock.advance(Duration::from_secs(1));
        assert_eq!(access(&cache.token().await.expect("token")), "token-1");
        tokio::time::sleep(Duration::from_millis(60)).await;
        let second = cache.token().await.expect("token");
        assert_ne!(access(&first), access(&second));
        assert_eq!(
            second.refresh_token().map(|r| r.expose_secret().to_owned()),
            Some("r".into())
        );
        // Past the expiry, callers wait for the new token.
        clock.advance(Duration::from_secs(600));
        assert_eq!(access(&cache.token().await.expect("token")), "token-3");
    }

    #[tokio::test]
    async fn every_new_token_is_saved_and_the_saved_one_is_used_first() {
        #[derive(Debug, Default, Clone)]
        struct Shared(Arc<MemoryStore>);
        impl TokenStore for Shared {
            fn load(&self) -> Result<Option<Token>, AuthError> {
                self.0.load()
            }
            fn save(&self, token: &Token) -> Result<(), AuthError> {
                self.0.save(token)
            }
        }
        let store = Shared::default();
        let fetcher = Counting {
            lifetime_secs: 3600,
            ..Default::default()
        };
        let calls = Arc::clone(&fetcher.calls);
        let first = TokenCache::builder(fetcher.clone())
            .store(store.clone())
            .build();
        first.token().await.expect("token");
        // A restart: a new cache over the same store needs no fetch.
        let second = TokenCache::builder(fetcher).store(store).build();
        assert_eq!(access(&second.token().await.expect("token")), "token-1");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_initial_token_wins_over_the_stored_one_and_replaces_it() {
        let store = Arc::new(MemoryStore::default());
        let older = Token::new("stored-token").expect("token");
        store.save(&older).expect("saved");
        let fetcher = Counting::default();
        let calls = Arc::clone(&fetcher.calls);
        let fresh = Token::new("exchanged-token")
            .expect("token")
            .expires_in(Duration::from_secs(3600));
        let cache = TokenCache::builder(fetcher)
            .store(Arc::clone(&store))
            .initial_token(fresh)
            .build();
        assert_eq!(
            access(&cache.token().await.expect("token")),
            "exchanged-token"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        let saved = store.load().expect("load").expect("a token");
        assert_eq!(access(&saved), "exchanged-token");
        assert!(saved.expiry().is_some(), "saved with its stamped expiry");
        assert!(!format!("{cache:?}").contains("exchanged-token"));
        assert_eq!(cache.redactor().scrub("exchanged-token"), "[redacted]");
    }

    #[tokio::test]
    async fn the_wait_is_bounded_but_the_fetch_goes_on() {
        let fetcher = Counting {
            lifetime_secs: 3600,
            ..Default::default()
        };
        let calls = Arc::clone(&fetcher.calls);
        let cache = TokenCache::builder(fetcher)
            .wait_limit(Some(Duration::from_millis(1)))
            .build();
        assert!(cache.token().await.expect_err("too slow").is_unavailable());
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(access(&cache.token().await.expect("token")), "token-1");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn tokens_are_remembered_for_redaction() {
        let cache = TokenCache::new(Counting {
            lifetime_secs: 3600,
            ..Default::default()
        });
        cache.token().await.expect("token");
        assert_eq!(cache.redactor().scrub("x token-1 y"), "x [redacted] y");
        assert!(!format!("{cache:?}").contains("token-1"));
    }
}
