//! Building a [`Client`]: the endpoint, the credentials, HTTP settings, and the one place
//! every request goes through.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use sdk_auth::fetch::HttpSettings;
use sdk_auth::{
    Auth, AuthScheme, RetryPolicy, SecretString, TokenCache, TokenSource, validate_base_url,
};
use url::Url;

use crate::commands::Call;
use crate::sign_in::GetToken;
use crate::{Delimiter, Error, SignOnRejected, TokenFormat};

/// The file every ExtraView endpoint ends with; the path before it differs per install.
pub const ENDPOINT_FILE: &str = "ev_api.action";

/// A user's adjustments of the reqwest clients.
type Adjust = Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// Builder of a [`Client`]; start with [`Client::builder`].
///
/// ```
/// use std::time::Duration;
/// let client = extraview_sdk::Client::builder()
///     .base_url("https://ev.example.com/evj/ExtraView/ev_api.action")
///     .credentials("jdoe", "user-password")
///     .timeout(Duration::from_secs(20))
///     .delimiter(extraview_sdk::Delimiter::Pipe)
///     .build()?;
/// assert!(!format!("{client:?}").contains("user-password"));
/// # Ok::<(), extraview_sdk::Error>(())
/// ```
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    user_id: Option<String>,
    password: Option<SecretString>,
    token_format: TokenFormat,
    source: Option<Arc<dyn TokenSource>>,
    http: HttpSettings,
    adjust: Option<Adjust>,
    retry: Option<RetryPolicy>,
    delimiter: Delimiter,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            user_id: None,
            password: None,
            token_format: TokenFormat::default(),
            source: None,
            http: HttpSettings::new(concat!("extraview-sdk/", env!("CARGO_PKG_VERSION"))),
            adjust: None,
            retry: None,
            delimiter: Delimiter::default(),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A URL's user info, query or fragment may hold a credential (`build` refuses them).
        let base_url = self.base_url.as_deref().map(sdk_auth::shown_url);
        f.debug_struct("ClientBuilder")
            .field("base_url", &base_url)
            .field("user_id", &self.user_id)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("token_format", &self.token_format)
            .field("token_source", &self.source.is_some())
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("delimiter", &self.delimiter)
            .finish()
    }
}

impl ClientBuilder {
    /// The full URL of the install's `ev_api.action`, such as
    /// `https://ev.example.com/evj/ExtraView/ev_api.action` (hosted installs put a tenant
    /// in the path). Must be `https://` (loopback `http://` is allowed for tests), without a
    /// query or fragment.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The user to sign in as with `get_token`. The password travels in that request's query
    /// string (the only way ExtraView takes it), so only over HTTPS; every other call carries
    /// the token instead.
    pub fn credentials(
        mut self,
        user_id: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        self.user_id = Some(user_id.into());
        self.password = Some(password.into());
        self
    }

    /// The form of the `get_token` answer to ask for (default: plain text).
    pub fn token_format(mut self, format: TokenFormat) -> Self {
        self.token_format = format;
        self
    }

    /// Uses `source` for every token instead of signing in (tokens from elsewhere, or a
    /// fixed one in tests); not together with [`ClientBuilder::credentials`].
    ///
    /// ```
    /// let client = extraview_sdk::Client::builder()
    ///     .base_url("http://127.0.0.1:8080/evj/ExtraView/ev_api.action")
    ///     .token_source(extraview_sdk::StaticToken::new("test-token")?)
    ///     .build()?;
    /// # Ok::<(), extraview_sdk::Error>(())
    /// ```
    pub fn token_source(mut self, source: impl TokenSource + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Timeout of a whole request, default 30 s. It bounds the sign-in too, and how long a
    /// call waits for a token.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.timeout(timeout);
        self
    }

    /// Timeout of connecting, default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.connect_timeout(timeout);
        self
    }

    /// The `User-Agent` header, default `extraview-sdk/<version>`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.http = self.http.user_agent(agent);
        self
    }

    /// Adjusts the HTTP clients (a proxy, a private root certificate, ...). Redirects are
    /// never followed, whatever this sets: a redirected call would carry the token (or the
    /// password) to another address.
    pub fn configure_http(
        mut self,
        adjust: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.adjust = Some(Arc::new(adjust));
        self
    }

    /// Retry behaviour, default [`RetryPolicy::default`]: connection failures, timeouts,
    /// 408, 429 and 502-504 are retried for `GET` commands; an upload (`POST`) only after a
    /// 429 or a refused token.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The column delimiter of text answers (the install's
    /// `DEFAULT_TEXT_REPORT_DELIMITER`), default [`Delimiter::Auto`].
    pub fn delimiter(mut self, delimiter: Delimiter) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Validates everything and builds the client. No request is sent.
    ///
    /// # Errors
    /// [`Error::Http`] with an `InvalidConfig` auth error for a missing, non-HTTPS or
    /// malformed endpoint, one that is not `.../ev_api.action`, missing or empty
    /// credentials, credentials next to a token source, or an HTTP client that cannot be
    /// built.
    ///
    /// ```
    /// let err = extraview_sdk::Client::builder()
    ///     .base_url("https://ev.example.com/evj/ExtraView/ev_api.action")
    ///     .credentials("", "pw")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("user id"));
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let endpoint = check_endpoint(self.base_url.as_deref())?;
        let adjust = self.adjust.clone();
        let http = self.http.customize(move |builder| {
            let builder = match &adjust {
                Some(adjust) => adjust(builder),
                None => builder,
            };
            builder.redirect(reqwest::redirect::Policy::none())
        });
        let source: Arc<dyn TokenSource> = match (self.source, self.user_id, self.password) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(Error::config(
                    "a token source replaces the credentials: set only one",
                ));
            }
            (Some(source), None, None) => source,
            (None, Some(user_id), Some(password)) => {
                let user_id = user_id.trim().to_owned();
                if user_id.is_empty() {
                    return Err(Error::config("the user id is empty"));
                }
                if user_id.chars().any(char::is_control) {
                    return Err(Error::config("the user id holds control characters"));
                }
                if sdk_auth::ExposeSecret::expose_secret(&password).is_empty() {
                    return Err(Error::config("the password is empty"));
                }
                let fetcher = GetToken {
                    http: http.token_client()?,
                    endpoint: endpoint.clone(),
                    user_id,
                    password,
                    format: self.token_format,
                };
                Arc::new(
                    TokenCache::builder(fetcher)
                        .wait_limit(Some(http.request_timeout()))
                        .build(),
                )
            }
            (None, _, _) => {
                return Err(Error::config(
                    "no credentials: call .credentials(user_id, password), or .token_source(..)",
                ));
            }
        };
        let auth = Auth::from_shared(source)
            .with_scheme(AuthScheme::query("access_token"))
            .with_retry(self.retry.unwrap_or_default())
            .with_classifier(SignOnRejected);
        Ok(Client {
            endpoint,
            http: http.api_client()?,
            auth,
            delimiter: self.delimiter,
        })
    }
}

/// The endpoint, validated: HTTPS (or loopback HTTP), no credentials, query or fragment, and
/// a path that ends with `ev_api.action`.
fn check_endpoint(raw: Option<&str>) -> Result<Url, Error> {
    let Some(raw) = raw else {
        return Err(Error::config(
            "no endpoint: call .base_url(\"https://host/evj/ExtraView/ev_api.action\")",
        ));
    };
    let checked = validate_base_url(raw)?;
    let url = Url::parse(&checked)
        .map_err(|e| Error::config(format!("the endpoint is not a valid URL ({e})")))?;
    if !url.path().ends_with(&format!("/{ENDPOINT_FILE}")) {
        return Err(Error::config(format!(
            "the endpoint must be the full URL of {ENDPOINT_FILE}, such as https://{}/evj/ExtraView/{ENDPOINT_FILE}; got the path {:?}",
            url.host_str().unwrap_or("host"),
            url.path()
        )));
    }
    Ok(url)
}

/// A client of one ExtraView install.
///
/// Cloning is cheap; clones share the token cache.
#[derive(Clone)]
pub struct Client {
    endpoint: Url,
    http: reqwest::Client,
    auth: Auth,
    delimiter: Delimiter,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint.as_str())
            .field("auth", &self.auth)
            .field("delimiter", &self.delimiter)
            .finish_non_exhaustive()
    }
}

/// A successful answer: its headers and body.
pub(crate) struct Reply {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Client {
    /// Starts building a client; see [`ClientBuilder`].
    ///
    /// ```
    /// let client = extraview_sdk::Client::builder()
    ///     .base_url("https://secure.example.net/acme/ExtraView/ev_api.action")
    ///     .credentials("jdoe", "user-password")
    ///     .build()?;
    /// # Ok::<(), extraview_sdk::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from the environment: `EXTRAVIEW_URL` (the full URL of
    /// `ev_api.action`), `EXTRAVIEW_USER_ID` and `EXTRAVIEW_PASSWORD`. An empty value counts
    /// as unset.
    ///
    /// ```no_run
    /// let client = extraview_sdk::Client::from_env()?;
    /// # Ok::<(), extraview_sdk::Error>(())
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
    /// let err = extraview_sdk::Client::from_lookup(|name| match name {
    ///     "EXTRAVIEW_URL" => Some("https://ev.example.com/evj/ExtraView/ev_api.action".to_owned()),
    ///     _ => None,
    /// })
    /// .unwrap_err();
    /// assert!(err.to_string().contains("EXTRAVIEW_USER_ID"));
    /// ```
    ///
    /// # Errors
    /// As [`Client::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let required = |name: &str| sdk_auth::required_env(&lookup, name);
        Client::builder()
            .base_url(required("EXTRAVIEW_URL")?)
            .credentials(
                required("EXTRAVIEW_USER_ID")?,
                SecretString::from(required("EXTRAVIEW_PASSWORD")?),
            )
            .build()
    }

    /// The endpoint, such as `https://ev.example.com/evj/ExtraView/ev_api.action`.
    ///
    /// ```
    /// let client = extraview_sdk::Client::builder()
    ///     .base_url("https://ev.example.com/evj/ExtraView/ev_api.action/")
    ///     .credentials("jdoe", "pw")
    ///     .build()?;
    /// assert_eq!(client.endpoint(), "https://ev.example.com/evj/ExtraView/ev_api.action");
    /// # Ok::<(), extraview_sdk::Error>(())
    /// ```
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    /// The auth handle: the token source, retry policy and redactor shared by every call of
    /// this client.
    ///
    /// ```
    /// let client = extraview_sdk::Client::builder()
    ///     .base_url("https://ev.example.com/evj/ExtraView/ev_api.action")
    ///     .credentials("jdoe", "user-password")
    ///     .build()?;
    /// assert_eq!(client.auth().redactor().scrub("pw user-password"), "pw [redacted]");
    /// # Ok::<(), extraview_sdk::Error>(())
    /// ```
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The delimiter text answers are read with.
    ///
    /// ```
    /// let client = extraview_sdk::Client::builder()
    ///     .base_url("https://ev.example.com/evj/ExtraView/ev_api.action")
    ///     .credentials("jdoe", "pw")
    ///     .build()?;
    /// assert_eq!(client.delimiter(), extraview_sdk::Delimiter::Auto);
    /// # Ok::<(), extraview_sdk::Error>(())
    /// ```
    pub fn delimiter(&self) -> Delimiter {
        self.delimiter
    }

    /// Sends `call` through the request layer (token placed as `access_token`, the sign-on
    /// rule, retries, one span) and reads the whole body of its successful answer.
    pub(crate) async fn send(&self, call: &Call) -> Result<Reply, Error> {
        let url = call.url(&self.endpoint);
        let request = match call.multipart()? {
            Some((content_type, body)) => self
                .http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body),
            None => self.http.get(url),
        }
        .build()
        .map_err(|e| Error::invalid(format!("cannot build the request: {}", e.without_url())))?;
        let response = self
            .auth
            .send(&self.http, request, call.command().statevar)
            .await?;
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| sdk_auth::Error::Transport(e.without_url()))?;
        Ok(Reply { headers, body })
    }
}
