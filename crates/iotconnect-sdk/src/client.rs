//! One client for every IoTConnect service, sharing one token source.

use std::fmt;
use std::time::Duration;

use sdk_auth::fetch::HttpSettings;
use sdk_auth::{Auth, AuthError, RetryPolicy, TokenCache, validate_base_url};

use crate::{Credentials, Error, SignIn, auth, device, telemetry, user};

/// The base URL of each service, as discovery answers them (`authBaseUrl`, `deviceBaseUrl`,
/// `userBaseUrl`, `telemetryBaseUrl`).
#[derive(Debug, Clone)]
pub struct ServiceUrls {
    /// The auth service: basic token, login, refresh.
    pub auth: String,
    /// The device service: devices, templates, attributes, commands.
    pub device: String,
    /// The user service: users, entities, roles.
    pub user: String,
    /// The telemetry service.
    pub telemetry: String,
}

/// The IoTConnect services, signed in as one user through one shared token cache.
///
/// ```
/// use iotconnect_sdk::{Client, Credentials, ServiceUrls};
/// # fn main() -> Result<(), iotconnect_sdk::Error> {
/// let urls = ServiceUrls {
///     auth: "https://auth.example.com/api/v2.1".into(),
///     device: "https://device.example.com/api/v2.1".into(),
///     user: "https://user.example.com/api/v2.1".into(),
///     telemetry: "https://telemetry.example.com/api/v2.1".into(),
/// };
/// let client = Client::builder()
///     .credentials(Credentials::new("dev@example.com", "pw", "c29sdXRpb24=")?)
///     .urls(urls)
///     .build()?;
/// assert!(!format!("{client:?}").contains("c29sdXRpb24="));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    auth: auth::Client,
    device: device::Client,
    user: user::Client,
    telemetry: telemetry::Client,
}

impl Client {
    /// Starts building a client; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from service clients built elsewhere, for example over a token obtained
    /// outside this SDK (`Auth::new(StaticToken::new(..)?)`) or over a mock server.
    pub fn from_parts(
        auth: auth::Client,
        device: device::Client,
        user: user::Client,
        telemetry: telemetry::Client,
    ) -> Self {
        Self {
            auth,
            device,
            user,
            telemetry,
        }
    }

    /// The auth service.
    pub fn auth(&self) -> &auth::Client {
        &self.auth
    }

    /// The device service.
    pub fn device(&self) -> &device::Client {
        &self.device
    }

    /// The user service.
    pub fn user(&self) -> &user::Client {
        &self.user
    }

    /// The telemetry service.
    pub fn telemetry(&self) -> &telemetry::Client {
        &self.telemetry
    }
}

/// Builder of a [`Client`].
#[must_use]
pub struct ClientBuilder {
    pub(crate) credentials: Option<Credentials>,
    urls: Option<ServiceUrls>,
    pub(crate) http: HttpSettings,
    retry: Option<RetryPolicy>,
    pub(crate) discovery_url: Option<String>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A URL's user info or query may hold a credential (discovery refuses them).
        let discovery_url = self.discovery_url.as_deref().map(sdk_auth::shown_url);
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("urls", &self.urls)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("discovery_url", &discovery_url)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            credentials: None,
            urls: None,
            http: HttpSettings::new(concat!("iotconnect-sdk/", env!("CARGO_PKG_VERSION"))),
            retry: None,
            discovery_url: None,
        }
    }
}

impl ClientBuilder {
    /// Who signs in.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The services' base URLs, given explicitly (discovery is the other way).
    pub fn urls(mut self, urls: ServiceUrls) -> Self {
        self.urls = Some(urls);
        self
    }

    /// The discovery host, default [`DEFAULT_DISCOVERY_URL`](crate::DEFAULT_DISCOVERY_URL);
    /// for the sandbox and tests. Must be HTTPS (loopback `http://` excepted); checked by
    /// [`ClientBuilder::discover`] before any request.
    ///
    /// ```
    /// let builder = iotconnect_sdk::Client::builder().discovery_url("http://127.0.0.1:7302");
    /// assert!(format!("{builder:?}").contains("127.0.0.1:7302"));
    /// ```
    pub fn discovery_url(mut self, url: impl Into<String>) -> Self {
        self.discovery_url = Some(url.into());
        self
    }

    /// Timeout of a whole request, token requests included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.timeout(timeout);
        self
    }

    /// Retry behaviour (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Checks everything and builds the client; nothing is sent.
    ///
    /// # Errors
    /// [`Error::Auth`] with [`AuthError::InvalidConfig`] for missing credentials or URLs, or a
    /// URL that is not HTTPS (loopback excepted) or has a query.
    pub fn build(self) -> Result<Client, Error> {
        let missing = |what: &str| Error::Auth(AuthError::InvalidConfig(format!("{what} missing")));
        let credentials = self.credentials.ok_or_else(|| missing("credentials are"))?;
        let urls = self.urls.ok_or_else(|| missing("the service URLs are"))?;
        // Every URL is checked before anything is built, so bad input fails first.
        let [auth_url, device_url, user_url, telemetry_url] =
            [&urls.auth, &urls.device, &urls.user, &urls.telemetry].map(|u| validate_base_url(u));
        let auth_url = auth_url?;
        let (device_url, user_url, telemetry_url) = (device_url?, user_url?, telemetry_url?);
        let sign_in = SignIn::new(&auth_url, credentials, &self.http)?;
        let cache = TokenCache::builder(sign_in)
            .wait_limit(Some(self.http.request_timeout()))
            .build();
        let auth = Auth::new(cache).with_retry(self.retry.unwrap_or_default());
        let http = self.http.api_client()?;
        Ok(Client {
            auth: auth::Client::new_with_client(&auth_url, http.clone(), auth.clone()),
            device: device::Client::new_with_client(&device_url, http.clone(), auth.clone()),
            user: user::Client::new_with_client(&user_url, http.clone(), auth.clone()),
            telemetry: telemetry::Client::new_with_client(&telemetry_url, http, auth),
        })
    }
}
