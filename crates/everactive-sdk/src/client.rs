//! Building a [`Client`]: credentials, base URL, timeouts and the shared auth layer.

use std::fmt;
use std::time::Duration;

use progenitor_client::ClientInfo as _;
use sdk_auth::fetch::HttpSettings;
use sdk_auth::oauth::OAuth2Config;
use sdk_auth::{
    Auth, AuthError, RetryPolicy, SecretString, TokenCache, TokenStore, validate_base_url,
};

use crate::{Client, Error};

/// Production host of the Everactive Data Services API.
pub const DEFAULT_BASE_URL: &str = "https://api.data.everactive.com";

/// Path of the OAuth2 token endpoint, at the host root rather than under `/ds/v1`.
const TOKEN_PATH: &str = "/auth/token";

/// Builder of a [`Client`]; start with [`Client::builder`].
///
/// ```
/// use std::time::Duration;
/// use everactive_sdk::ClientInfo as _; // for `baseurl()`
/// # fn main() -> Result<(), everactive_sdk::Error> {
/// let client = everactive_sdk::Client::builder()
///     .credentials("my-client-id", "my-client-secret")
///     .timeout(Duration::from_secs(20))
///     .user_agent("plant-monitor/2.1")
///     .build()?;
/// assert_eq!(client.baseurl(), "https://api.data.everactive.com");
/// assert!(!format!("{client:?}").contains("my-client-secret"));
/// # Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder {
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    base_url: Option<String>,
    token_url: Option<String>,
    http: HttpSettings,
    retry: Option<RetryPolicy>,
    scopes: Vec<String>,
    store: Option<Box<dyn TokenStore>>,
    webhook_secrets: Vec<SecretString>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A URL's user info, query or fragment may hold a credential (`build` refuses them).
        let shown = |url: &Option<String>| url.as_deref().map(sdk_auth::shown_url);
        f.debug_struct("ClientBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("base_url", &shown(&self.base_url))
            .field("token_url", &shown(&self.token_url))
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("scopes", &self.scopes)
            .field("store", &self.store)
            .field("webhook_secrets", &self.webhook_secrets.len())
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            client_id: None,
            client_secret: None,
            base_url: None,
            token_url: None,
            http: HttpSettings::new(concat!("everactive-sdk/", env!("CARGO_PKG_VERSION"))),
            retry: None,
            scopes: Vec::new(),
            store: None,
            webhook_secrets: Vec::new(),
        }
    }
}

impl ClientBuilder {
    /// The API credential (client id and secret from the Everactive developer console).
    pub fn credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(client_secret.into());
        self
    }

    /// The API host, default [`DEFAULT_BASE_URL`]. Must be `https://` (loopback `http://` is
    /// allowed for tests).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The token endpoint, default `<base URL>/auth/token`.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
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

    /// The `User-Agent` header, default `everactive-sdk/<version>`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.http = self.http.user_agent(agent);
        self
    }

    /// Adjusts the HTTP clients (a proxy, a private root certificate, ...). Applied to API
    /// and token requests alike; token requests still never follow redirects.
    ///
    /// ```
    /// # fn main() -> Result<(), everactive_sdk::Error> {
    /// let client = everactive_sdk::Client::builder()
    ///     .credentials("id", "secret")
    ///     .configure_http(|http| http.https_only(true))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn configure_http(
        mut self,
        adjust: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http = self.http.customize(adjust);
        self
    }

    /// Keeps the token across restarts (default: in memory only), such as a
    /// [`sdk_auth::FileStore`].
    pub fn token_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.store = Some(Box::new(store));
        self
    }

    /// Retry behaviour, default [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Adds an OAuth2 scope to the token request (Everactive's own CLI asks for `user` and
    /// `developer`; the API works without).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// A webhook shared secret (the value of a [`crate::WebhookHeader`]) that this client
    /// must never show: it is scrubbed by value from every error and log line, like the
    /// client secret and the tokens.
    pub fn webhook_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.webhook_secrets.push(secret.into());
        self
    }

    /// Reads `EVERACTIVE_CLIENT_ID`, `EVERACTIVE_CLIENT_SECRET` and, if set,
    /// `EVERACTIVE_API_URL` through `lookup`.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let required = |name: &str| sdk_auth::required_env(&lookup, name).map_err(Error::Auth);
        let mut builder = Client::builder().credentials(
            required("EVERACTIVE_CLIENT_ID")?,
            SecretString::from(required("EVERACTIVE_CLIENT_SECRET")?),
        );
        if let Some(url) = sdk_auth::env_value(&lookup, "EVERACTIVE_API_URL") {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// Validates everything and builds the client. No request is sent.
    ///
    /// # Errors
    /// [`Error::Auth`] with [`AuthError::InvalidConfig`] for missing or empty credentials, a
    /// base or token URL that is not HTTPS (loopback excepted), or an HTTP client that cannot
    /// be built.
    pub fn build(self) -> Result<Client, Error> {
        let invalid = |msg: String| Error::Auth(AuthError::InvalidConfig(msg));
        let client_id = self.client_id.ok_or_else(|| {
            invalid("credentials are missing: call .credentials(id, secret)".into())
        })?;
        let client_secret = self
            .client_secret
            .ok_or_else(|| invalid("client secret is missing".into()))?;
        let base_url = validate_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let token_url = self
            .token_url
            .unwrap_or_else(|| format!("{base_url}{TOKEN_PATH}"));
        let mut config = OAuth2Config::client_credentials(&token_url, &client_id, client_secret)?;
        for scope in &self.scopes {
            config = config.scope(scope);
        }
        let mut cache = TokenCache::builder(config.into_fetcher(&self.http)?)
            .wait_limit(Some(self.http.request_timeout()));
        if let Some(store) = self.store {
            cache = cache.store(store);
        }
        let auth = Auth::new(cache.build()).with_retry(self.retry.unwrap_or_default());
        for secret in &self.webhook_secrets {
            auth.redactor().add(secret);
        }
        Ok(Client::new_with_client(
            &base_url,
            self.http.api_client()?,
            auth,
        ))
    }
}

impl Client {
    /// Starts building a client; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from `EVERACTIVE_CLIENT_ID`, `EVERACTIVE_CLIENT_SECRET` and the optional
    /// `EVERACTIVE_API_URL` (the variable names Everactive's own samples use).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), everactive_sdk::Error> {
    /// let client = everactive_sdk::Client::from_env()?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Auth`] naming the missing variable, or any error of [`ClientBuilder::build`].
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_lookup(|name| std::env::var(name).ok())?.build()
    }

    /// The auth handle: the token cache, retry policy and redactor shared by every call of
    /// this client.
    pub fn auth(&self) -> &Auth {
        self.inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn env_lookup_reads_the_three_variables() {
        let client = ClientBuilder::from_lookup(env(&[
            ("EVERACTIVE_CLIENT_ID", "id"),
            ("EVERACTIVE_CLIENT_SECRET", "secret"),
            ("EVERACTIVE_API_URL", "https://api.example.com/"),
        ]))
        .expect("vars")
        .build()
        .expect("client");
        assert_eq!(client.baseurl(), "https://api.example.com");
    }

    #[test]
    fn env_lookup_names_the_missing_variable() {
        let err = ClientBuilder::from_lookup(env(&[("EVERACTIVE_CLIENT_ID", "id")]))
            .expect_err("missing secret");
        assert!(
            err.to_string().contains("EVERACTIVE_CLIENT_SECRET"),
            "{err}"
        );
    }

    #[test]
    fn debug_shows_no_query_and_no_secret() {
        let builder = Client::builder()
            .credentials("id", "secret-value")
            .base_url("https://api.example.com/?key=abc#frag")
            .token_url("https://id:hunter2@auth.example.com/token")
            .webhook_secret("hook-value");
        let shown = format!("{builder:?}");
        assert!(shown.contains("https://api.example.com/"), "{shown}");
        for hidden in ["key=abc", "frag", "secret-value", "hook-value", "hunter2"] {
            assert!(!shown.contains(hidden), "{shown}");
        }
    }

    #[test]
    fn bad_input_is_rejected_before_any_request() {
        let cases = [
            Client::builder().build(),
            Client::builder().credentials("", "secret").build(),
            Client::builder().credentials("id", "").build(),
            Client::builder()
                .credentials("id", "secret")
                .base_url("http://api.example.com")
                .build(),
            Client::builder()
                .credentials("id", "secret")
                .base_url("not a url")
                .build(),
            Client::builder()
                .credentials("id", "secret")
                .token_url("http://auth.example.com/token")
                .build(),
        ];
        for case in cases {
            let err = case.expect_err("invalid");
            assert!(
                matches!(err, Error::Auth(AuthError::InvalidConfig(_))),
                "{err:?}"
            );
        }
    }
}
