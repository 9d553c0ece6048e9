//! Building a [`Client`]: the tenant's host, the credentials, HTTP settings, and the one
//! place every request goes through.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::{Request, Response};
use sdk_auth::fetch::HttpSettings;
use sdk_auth::oauth::{BodyFormat, OAuth2Config};
use sdk_auth::{
    Auth, Classifier, Outcome, RateLimitReset, RetryPolicy, SecretString, Token, TokenCache,
    TokenFetcher, TokenSource, TokenStore, Verdict, validate_base_url,
};

use crate::authorization::{AuthorizationFlow, Authorized};
use crate::{Error, RateLimit};

/// The domain tenants live under: `https://{subdomain}.everreal.co`.
pub const DEFAULT_DOMAIN: &str = "everreal.co";

/// The token endpoint (password, refresh and authorization-code grants), below the tenant's
/// host.
pub const TOKEN_PATH: &str = "/accounts/oauth/token";

/// The authorization page of the authorization-code flow, below the tenant's host.
pub const AUTHORIZE_PATH: &str = "/accounts/dialog/authorize";

/// The scope the password grant and the authorization-code flow ask for: `offline_access` for
/// a refresh token, `*` for every API.
pub const PASSWORD_GRANT_SCOPE: &str = "offline_access *";

/// Where tokens come from.
enum Credentials {
    /// The password grant, built from [`ClientBuilder::credentials`] and
    /// [`ClientBuilder::user`].
    Password,
    /// A fetcher of the caller's, cached here.
    Fetcher(Box<dyn TokenFetcher>),
    /// A ready token source, used as it is.
    Source(Arc<dyn TokenSource>),
    /// A user signed in with the authorization-code flow, refreshed from then on.
    Authorized(Box<Authorized>),
}

/// Builder of a [`Client`]; start with [`Client::builder`].
///
/// ```
/// use std::time::Duration;
/// # fn main() -> Result<(), everreal_sdk::Error> {
/// let client = everreal_sdk::Client::builder()
///     .subdomain("acme")
///     .credentials("acme-client", "client-secret")
///     .user("api-user@acme.example", "user-password")
///     .timeout(Duration::from_secs(20))
///     .build()?;
/// assert_eq!(client.base_url(), "https://acme.everreal.co");
/// assert!(!format!("{client:?}").contains("user-password"));
/// # Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder {
    subdomain: Option<String>,
    domain: Option<String>,
    base_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    username: Option<String>,
    password: Option<SecretString>,
    credentials: Credentials,
    store: Option<Box<dyn TokenStore>>,
    http: HttpSettings,
    retry: Option<RetryPolicy>,
    webhook_secrets: Vec<SecretString>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            subdomain: None,
            domain: None,
            base_url: None,
            client_id: None,
            client_secret: None,
            username: None,
            password: None,
            credentials: Credentials::Password,
            store: None,
            http: HttpSettings::new(concat!("everreal-sdk/", env!("CARGO_PKG_VERSION"))),
            retry: None,
            webhook_secrets: Vec::new(),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A URL's user info, query or fragment may hold a credential (`build` refuses them).
        let base_url = self.base_url.as_deref().map(sdk_auth::shown_url);
        let credentials = match &self.credentials {
            Credentials::Password => "password grant",
            Credentials::Fetcher(_) => "token fetcher",
            Credentials::Source(_) => "token source",
            Credentials::Authorized(_) => "authorization code",
        };
        f.debug_struct("ClientBuilder")
            .field("subdomain", &self.subdomain)
            .field("domain", &self.domain)
            .field("base_url", &base_url)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("credentials", &credentials)
            .field("store", &self.store)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("webhook_secrets", &self.webhook_secrets.len())
            .finish()
    }
}

impl ClientBuilder {
    /// The customer's subdomain: `acme` for `https://acme.everreal.co`. One DNS label:
    /// letters, digits and inner hyphens, without a scheme, dots or slashes.
    ///
    /// ```
    /// let refused = everreal_sdk::Client::builder().subdomain("acme/").build().unwrap_err();
    /// assert!(refused.to_string().contains("`/`"));
    /// ```
    pub fn subdomain(mut self, subdomain: impl Into<String>) -> Self {
        self.subdomain = Some(subdomain.into());
        self
    }

    /// The domain below which the subdomain lives, default [`DEFAULT_DOMAIN`]; EverReal's
    /// staging systems use `everreal-dev.co`.
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let staging = everreal_sdk::Client::builder()
    ///     .subdomain("acme")
    ///     .domain("everreal-dev.co")
    ///     .credentials("id", "secret")
    ///     .user("user", "password")
    ///     .build()?;
    /// assert_eq!(staging.base_url(), "https://acme.everreal-dev.co");
    /// # Ok(()) }
    /// ```
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// A whole base URL instead of subdomain and domain, for a sandbox or a local mock. Must
    /// be `https://` (loopback `http://` is allowed) without a query or fragment.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The API client EverReal issued (client id and secret), for the password grant.
    pub fn credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(client_secret.into());
        self
    }

    /// The API user the password grant signs in as. After the first sign-in only the refresh
    /// token is used, until EverReal refuses it.
    pub fn user(mut self, username: impl Into<String>, password: impl Into<SecretString>) -> Self {
        self.username = Some(username.into());
        self.password = Some(password.into());
        self
    }

    /// Gets tokens from `fetcher` instead of the password grant (an authorization-code
    /// fetcher, say); the client caches them, with the [`ClientBuilder::token_store`] if set.
    ///
    /// ```
    /// use everreal_sdk::{AuthError, BoxFuture, Token, TokenFetcher};
    ///
    /// /// Tokens from a secret store of the application's own.
    /// #[derive(Debug)]
    /// struct Vault;
    ///
    /// impl TokenFetcher for Vault {
    ///     fn fetch<'a>(&'a self, _previous: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
    ///         Box::pin(async { Token::new("token-from-the-vault") })
    ///     }
    /// }
    ///
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let client = everreal_sdk::Client::builder().subdomain("acme").token_fetcher(Vault).build()?;
    /// # Ok(()) }
    /// ```
    pub fn token_fetcher(mut self, fetcher: impl TokenFetcher + 'static) -> Self {
        self.credentials = Credentials::Fetcher(Box::new(fetcher));
        self
    }

    /// Uses `source` for every token as it is (no cache of this client's own): for tokens
    /// from elsewhere, or a source shared with other clients.
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let client = everreal_sdk::Client::builder()
    ///     .base_url("http://127.0.0.1:8080")
    ///     .token_source(everreal_sdk::StaticToken::new("test-token")?)
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn token_source(self, source: impl TokenSource + 'static) -> Self {
        self.shared_token_source(Arc::new(source))
    }

    /// [`ClientBuilder::token_source`] for a source that other clients use too.
    pub fn shared_token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.credentials = Credentials::Source(source);
        self
    }

    /// The authorization-code sign-in ("Sign in with EverReal") of this builder's tenant,
    /// for apps whose users sign in in a browser: see [`AuthorizationFlow`]. Its token
    /// requests use this builder's HTTP settings as they are now; call it after
    /// [`ClientBuilder::timeout`] and the like.
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let builder = everreal_sdk::Client::builder().subdomain("acme");
    /// let flow = builder.authorization_code("acme-client", "client-secret", "https://app.acme.example/cb")?;
    /// let (url, _pending) = flow.authorize_url();
    /// assert!(url.starts_with("https://acme.everreal.co/accounts/dialog/authorize?response_type=code"));
    /// assert!(url.contains("scope=offline_access+*"));
    ///
    /// // Bad input is refused before any request.
    /// let err = builder.authorization_code("acme-client", "client-secret", "http://app.acme.example/cb");
    /// assert!(err.unwrap_err().to_string().contains("loopback"));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Http`] with an `InvalidConfig` auth error for a missing or malformed host (as
    /// [`ClientBuilder::build`]), an empty client id or secret, or a redirect URI that is not
    /// a URL, has a fragment or credentials, or is plain `http://` off loopback.
    pub fn authorization_code(
        &self,
        client_id: &str,
        client_secret: impl Into<SecretString>,
        redirect_uri: &str,
    ) -> Result<AuthorizationFlow, Error> {
        AuthorizationFlow::new(
            self.resolve_base_url()?,
            client_id,
            client_secret.into(),
            redirect_uri,
            self.http.clone(),
        )
    }

    /// Signs in as the user of an authorization-code `flow` of this tenant: from `token`, the
    /// answer of [`AuthorizationFlow::exchange`], or with `None` from the token the
    /// [`ClientBuilder::token_store`] kept (after a restart). The client renews it with the
    /// refresh token; when EverReal refuses that (expired, revoked), calls fail with an auth
    /// error saying the user must sign in again.
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let path = std::env::temp_dir().join("everreal-user-token.json");
    /// let builder = everreal_sdk::Client::builder()
    ///     .subdomain("acme")
    ///     .token_store(everreal_sdk::FileStore::new(path));
    /// let flow = builder.authorization_code("acme-client", "client-secret", "https://app.acme.example/cb")?;
    /// // A restart: the user signed in before, and the store holds their refresh token.
    /// let client = builder.authorized(&flow, None).build()?;
    /// # Ok(()) }
    /// ```
    pub fn authorized(mut self, flow: &AuthorizationFlow, token: Option<Token>) -> Self {
        self.credentials = Credentials::Authorized(Box::new(Authorized {
            flow: flow.clone(),
            token,
        }));
        self
    }

    /// Keeps the tokens across restarts (default: in memory only), such as a
    /// [`crate::FileStore`]: the refresh token then outlives the process, and a restart
    /// does not sign in with the password again.
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let path = std::env::temp_dir().join("everreal-token.json");
    /// let client = everreal_sdk::Client::builder()
    ///     .subdomain("acme")
    ///     .credentials("id", "secret")
    ///     .user("user", "password")
    ///     .token_store(everreal_sdk::FileStore::new(path))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn token_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.store = Some(Box::new(store));
        self
    }

    /// Timeout of a whole request, default 30 s. It bounds token requests too, and how long
    /// a call waits for a token.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.timeout(timeout);
        self
    }

    /// Timeout of connecting, default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.connect_timeout(timeout);
        self
    }

    /// The `User-Agent` header, default `everreal-sdk/<version>`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.http = self.http.user_agent(agent);
        self
    }

    /// Adjusts the HTTP clients (a proxy, a private root certificate, ...). Applied to API
    /// and token requests alike; token requests still never follow redirects.
    pub fn configure_http(
        mut self,
        adjust: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http = self.http.customize(adjust);
        self
    }

    /// Retry behaviour, default [`RetryPolicy::default`]. GraphQL calls are `POST`s: they
    /// are retried after a 429 only (after `X-RateLimit-Reset`), never after other failures.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// A secret this client must never show, such as a token in a webhook receiver's URL:
    /// it is scrubbed by value from every error and log line, like the credentials.
    pub fn webhook_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.webhook_secrets.push(secret.into());
        self
    }

    /// Validates everything and builds the client. No request is sent.
    ///
    /// # Errors
    /// [`Error::Http`] with an `InvalidConfig` auth error for a missing or malformed host
    /// (an empty subdomain, one with a scheme, a slash, a dot or another character a DNS
    /// label cannot hold), missing or empty credentials, credentials of two kinds, or an HTTP
    /// client that cannot be built.
    ///
    /// ```
    /// let err = everreal_sdk::Client::builder().subdomain("acme").build().unwrap_err();
    /// assert!(err.to_string().contains(".credentials(client_id, client_secret)"));
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.resolve_base_url()?;
        let wait_limit = Some(self.http.request_timeout());
        let source: Arc<dyn TokenSource> = match self.credentials {
            Credentials::Source(source) => {
                if self.client_id.is_some() || self.username.is_some() || self.store.is_some() {
                    return Err(Error::config(
                        "a token source replaces credentials, user and token store: set only one",
                    ));
                }
                source
            }
            Credentials::Fetcher(fetcher) => {
                if self.client_id.is_some() || self.username.is_some() {
                    return Err(Error::config(
                        "a token fetcher replaces credentials and user: set only one",
                    ));
                }
                Arc::new(cache(fetcher, self.store, None, wait_limit))
            }
            Credentials::Authorized(authorized) => {
                if self.client_id.is_some() || self.username.is_some() {
                    return Err(Error::config(
                        "an authorization-code sign-in replaces credentials and user: set only one",
                    ));
                }
                let Authorized { flow, token } = *authorized;
                if flow.base_url() != base_url {
                    return Err(Error::config(format!(
                        "the authorization-code flow is for {}, this client for {base_url}",
                        flow.base_url()
                    )));
                }
                let fetcher = Box::new(flow.refresher(&self.http)?);
                Arc::new(cache(fetcher, self.store, token, wait_limit))
            }
            Credentials::Password => {
                let (Some(client_id), Some(client_secret)) = (self.client_id, self.client_secret)
                else {
                    return Err(Error::config(
                        "credentials are missing: call .credentials(client_id, client_secret)",
                    ));
                };
                let (Some(username), Some(password)) = (self.username, self.password) else {
                    return Err(Error::config(
                        "the API user is missing: call .user(username, password)",
                    ));
                };
                let config = OAuth2Config::password(
                    &format!("{base_url}{TOKEN_PATH}"),
                    &client_id,
                    Some(client_secret),
                    &username,
                    password,
                )?
                // EverReal's token endpoint reads JSON only, not the form body of RFC 6749.
                .body_format(BodyFormat::Json)
                .scope(PASSWORD_GRANT_SCOPE);
                let fetcher = Box::new(config.into_fetcher(&self.http)?);
                Arc::new(cache(fetcher, self.store, None, wait_limit))
            }
        };
        // A 429 waits the `X-RateLimit-Reset` seconds EverReal sends, within the retry policy.
        let auth = Auth::from_shared(source)
            .with_retry(self.retry.unwrap_or_default())
            .with_classifier(ForbiddenRejectsToken)
            .with_classifier(RateLimitReset::header("x-ratelimit-reset"));
        for secret in &self.webhook_secrets {
            auth.redactor().add(secret);
        }
        Ok(Client {
            base_url,
            http: self.http.api_client()?,
            auth,
            rate_limit: Arc::default(),
        })
    }

    /// `https://{subdomain}.{domain}`, or the base URL, validated.
    fn resolve_base_url(&self) -> Result<String, Error> {
        match (&self.base_url, &self.subdomain) {
            (Some(_), Some(_)) => Err(Error::config(
                "set either a subdomain or a base URL, not both",
            )),
            (Some(url), None) => {
                if self.domain.is_some() {
                    return Err(Error::config(
                        "a domain goes with a subdomain, not with a base URL",
                    ));
                }
                Ok(validate_base_url(url)?)
            }
            (None, Some(subdomain)) => {
                let subdomain = check_subdomain(subdomain)?;
                let domain = check_domain(self.domain.as_deref().unwrap_or(DEFAULT_DOMAIN))?;
                Ok(validate_base_url(&format!("https://{subdomain}.{domain}"))?)
            }
            (None, None) => Err(Error::config(
                "no host: call .subdomain(\"acme\") for https://acme.everreal.co, or .base_url(..)",
            )),
        }
    }
}

/// A token cache over `fetcher` whose callers wait at most `wait_limit`, starting from
/// `initial` when given (it wins over the stored token).
fn cache(
    fetcher: Box<dyn TokenFetcher>,
    store: Option<Box<dyn TokenStore>>,
    initial: Option<Token>,
    wait_limit: Option<Duration>,
) -> TokenCache {
    let mut builder = TokenCache::builder(BoxedFetcher(fetcher)).wait_limit(wait_limit);
    if let Some(store) = store {
        builder = builder.store(store);
    }
    if let Some(token) = initial {
        builder = builder.initial_token(token);
    }
    builder.build()
}

/// EverReal answers an unauthorized call with 403 as well as 401 (its webhook docs show a 403
/// `server_error`, and the status of an expired token is not documented), so a 403 gets what a
/// 401 gets: a new token and one resend. A 403 that is a real refusal comes back the second
/// time and is returned as it is.
#[derive(Debug)]
struct ForbiddenRejectsToken;

impl Classifier for ForbiddenRejectsToken {
    fn classify(&self, outcome: &Outcome<'_>, verdict: Verdict) -> Verdict {
        match outcome {
            Outcome::Response { status, .. } if *status == reqwest::StatusCode::FORBIDDEN => {
                Verdict::TokenRejected
            }
            _ => verdict,
        }
    }
}

/// A boxed fetcher as a fetcher: the builder keeps whichever it was given in one field.
#[derive(Debug)]
struct BoxedFetcher(Box<dyn TokenFetcher>);

impl TokenFetcher for BoxedFetcher {
    fn fetch<'a>(
        &'a self,
        previous: Option<&'a sdk_auth::Token>,
    ) -> sdk_auth::BoxFuture<'a, Result<sdk_auth::Token, sdk_auth::AuthError>> {
        self.0.fetch(previous)
    }

    fn secrets(&self) -> Vec<SecretString> {
        self.0.secrets()
    }

    fn account(&self) -> Option<String> {
        self.0.account()
    }
}

/// Checks a subdomain and returns it in lower case.
fn check_subdomain(raw: &str) -> Result<String, Error> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Error::config(
            "the subdomain is empty: pass the customer's name, as `acme` for https://acme.everreal.co",
        ));
    }
    if value.contains("://") {
        return Err(Error::config(format!(
            "the subdomain must be the name only, without a scheme (`acme`, not {value:?}); use .base_url(..) for a whole URL"
        )));
    }
    if value.contains('/') {
        return Err(Error::config(format!(
            "the subdomain must not contain `/`, got {value:?}"
        )));
    }
    if value.contains('.') {
        return Err(Error::config(format!(
            "the subdomain is one name without dots (`acme`, not {value:?}); use .domain(..) for another domain"
        )));
    }
    check_label("subdomain", value)?;
    Ok(value.to_ascii_lowercase())
}

/// Checks a domain (`everreal.co`, `everreal-dev.co`) and returns it in lower case.
fn check_domain(raw: &str) -> Result<String, Error> {
    let value = raw.trim();
    if value.contains("://") || value.contains('/') {
        return Err(Error::config(format!(
            "the domain must be a host name only, as `everreal-dev.co`, got {value:?}"
        )));
    }
    if value.split('.').count() < 2 {
        return Err(Error::config(format!(
            "the domain must have at least two parts, as `everreal.co`, got {value:?}"
        )));
    }
    for label in value.split('.') {
        check_label("domain", label)?;
    }
    Ok(value.to_ascii_lowercase())
}

/// One DNS label: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen.
fn check_label(what: &str, label: &str) -> Result<(), Error> {
    let valid = !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-');
    if valid {
        return Ok(());
    }
    Err(Error::config(format!(
        "the {what} may only hold letters, digits and inner hyphens (at most 63), got {label:?}"
    )))
}

/// A client of one EverReal customer: the accounts and webhook REST calls, and the GraphQL
/// data API.
///
/// Cloning is cheap; clones share the token cache and the rate-limit state.
#[derive(Clone)]
pub struct Client {
    base_url: String,
    http: reqwest::Client,
    auth: Auth,
    rate_limit: Arc<Mutex<Option<RateLimit>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("rate_limit", &self.rate_limit())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client; see [`ClientBuilder`].
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let client = everreal_sdk::Client::builder()
    ///     .subdomain("acme")
    ///     .credentials("acme-client", "client-secret")
    ///     .user("api-user@acme.example", "user-password")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client with the password grant from the environment: `EVERREAL_SUBDOMAIN`
    /// (with the optional `EVERREAL_DOMAIN`) or `EVERREAL_BASE_URL`, and
    /// `EVERREAL_CLIENT_ID`, `EVERREAL_CLIENT_SECRET`, `EVERREAL_USERNAME`,
    /// `EVERREAL_PASSWORD`. An empty value counts as unset.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let client = everreal_sdk::Client::from_env()?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Http`] naming the missing variable, or any error of [`ClientBuilder::build`].
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Client::from_env`] with the variables read through `lookup`.
    ///
    /// ```
    /// let err = everreal_sdk::Client::from_lookup(|name| match name {
    ///     "EVERREAL_SUBDOMAIN" => Some("acme".to_owned()),
    ///     _ => None,
    /// })
    /// .unwrap_err();
    /// assert!(err.to_string().contains("EVERREAL_CLIENT_ID"));
    /// ```
    ///
    /// # Errors
    /// As [`Client::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let var = |name: &str| sdk_auth::env_value(&lookup, name);
        let required = |name: &str| sdk_auth::required_env(&lookup, name);
        let mut builder = Client::builder();
        builder = match (var("EVERREAL_BASE_URL"), var("EVERREAL_SUBDOMAIN")) {
            (Some(url), _) => builder.base_url(url),
            (None, Some(subdomain)) => match var("EVERREAL_DOMAIN") {
                Some(domain) => builder.subdomain(subdomain).domain(domain),
                None => builder.subdomain(subdomain),
            },
            (None, None) => {
                return Err(Error::config(
                    "environment variable EVERREAL_SUBDOMAIN (or EVERREAL_BASE_URL) is not set",
                ));
            }
        };
        builder
            .credentials(
                required("EVERREAL_CLIENT_ID")?,
                SecretString::from(required("EVERREAL_CLIENT_SECRET")?),
            )
            .user(
                required("EVERREAL_USERNAME")?,
                SecretString::from(required("EVERREAL_PASSWORD")?),
            )
            .build()
    }

    /// The customer's base URL, such as `https://acme.everreal.co`.
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let client = everreal_sdk::Client::builder()
    ///     .base_url("http://127.0.0.1:7303/")
    ///     .token_source(everreal_sdk::StaticToken::new("test-token")?)
    ///     .build()?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:7303");
    /// # Ok(()) }
    /// ```
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The auth handle: the token source, retry policy and redactor shared by every call of
    /// this client.
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let client = everreal_sdk::Client::builder()
    ///     .subdomain("acme")
    ///     .credentials("acme-client", "client-secret")
    ///     .user("api-user@acme.example", "user-password")
    ///     .build()?;
    /// assert_eq!(client.auth().redactor().scrub("pw user-password"), "pw [redacted]");
    /// # Ok(()) }
    /// ```
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The rate-limit headers of the last answer that had them (any call of this client or
    /// its clones); `None` before the first.
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let client = everreal_sdk::Client::builder()
    ///     .base_url("http://127.0.0.1:8080")
    ///     .token_source(everreal_sdk::StaticToken::new("test-token")?)
    ///     .build()?;
    /// assert_eq!(client.rate_limit(), None);
    /// # Ok(()) }
    /// ```
    pub fn rate_limit(&self) -> Option<RateLimit> {
        *self
            .rate_limit
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// `path` below the base URL.
    pub(crate) fn url(&self, path: &str) -> Result<reqwest::Url, Error> {
        reqwest::Url::parse(&format!("{}{path}", self.base_url))
            .map_err(|e| Error::invalid(format!("cannot build the URL of {path}: {e}")))
    }

    /// A request builder of the API client.
    pub(crate) fn request(
        &self,
        method: reqwest::Method,
        url: reqwest::Url,
    ) -> reqwest::RequestBuilder {
        self.http.request(method, url)
    }

    /// Sends `request` through the request layer with this client's auth.
    pub(crate) async fn send(
        &self,
        request: Request,
        operation: &'static str,
    ) -> Result<Response, Error> {
        self.send_with(&self.auth, request, operation).await
    }

    /// Sends `request` through the request layer with `auth` (this client's, or a copy that
    /// places the token elsewhere), noting the rate-limit headers of the answer, error
    /// statuses included ([`Auth::send_observed`]).
    pub(crate) async fn send_with(
        &self,
        auth: &Auth,
        request: Request,
        operation: &'static str,
    ) -> Result<Response, Error> {
        let response = auth
            .send_observed(&self.http, request, operation, |headers| {
                if let Some(limit) = RateLimit::from_headers(headers) {
                    *self
                        .rate_limit
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some(limit);
                }
            })
            .await?;
        Ok(response)
    }

    /// The body of a successful answer, decoded as `T`; a body of another shape is an
    /// [`sdk_auth::Error::Decode`] naming where it differs, without quoting values.
    pub(crate) async fn decode<T: serde::de::DeserializeOwned>(
        &self,
        response: Response,
    ) -> Result<T, Error> {
        let status = response.status();
        let body = read_body(response).await?;
        let mut json = serde_json::Deserializer::from_slice(&body);
        serde_path_to_error::deserialize(&mut json)
            .map_err(|e| decode_error(status, &e, "", &body, self.auth.redactor()))
    }
}

/// Reads a whole body; a failure loses its URL (the query may hold a token).
pub(crate) async fn read_body(response: Response) -> Result<bytes::Bytes, Error> {
    response
        .bytes()
        .await
        .map_err(|e| sdk_auth::Error::Transport(e.without_url()).into())
}

/// A decode error that says where and what kind, never the value.
/// `at` goes before the path, for a value decoded from inside the body.
pub(crate) fn decode_error(
    status: reqwest::StatusCode,
    err: &serde_path_to_error::Error<serde_json::Error>,
    at: &str,
    body: &[u8],
    redactor: &sdk_auth::Redactor,
) -> Error {
    let kind = match err.inner().classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    sdk_auth::Error::decode(
        Some(status),
        format!("{kind} at `{at}{}`", err.path()),
        body,
        redactor,
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_are_checked() {
        assert_eq!(check_subdomain(" Acme-1 ").expect("ok"), "acme-1");
        for (bad, says) in [
            ("", "empty"),
            ("https://acme", "scheme"),
            ("acme/x", "`/`"),
            ("acme.everreal.co", "dots"),
            ("ac me", "letters"),
            ("-acme", "letters"),
            ("acme_1", "letters"),
            ("ä", "letters"),
        ] {
            let err = check_subdomain(bad).expect_err(bad).to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
        assert_eq!(
            check_domain("EverReal-Dev.co").expect("ok"),
            "everreal-dev.co"
        );
        for bad in [
            "co",
            "https://everreal.co",
            "everreal.co/",
            "a..co",
            "ever real.co",
        ] {
            assert!(check_domain(bad).is_err(), "{bad}");
        }
    }
}
