//! OAuth2 grants on the `oauth2` crate: client credentials, password and refresh token.
//!
//! [`OAuth2Config`] describes the endpoint and credentials; [`OAuth2Config::into_fetcher`] turns
//! it into a [`crate::TokenFetcher`] for a [`crate::TokenCache`]. A token that came with a
//! refresh token is renewed with the refresh grant; when the server refuses the refresh token the
//! primary grant runs again, and a refresh answer without a new refresh token keeps the old one.

mod response;
mod transport;

use std::fmt;
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RefreshToken, RequestTokenError,
    ResourceOwnerPassword, ResourceOwnerUsername, Scope, StandardRevocableToken, TokenResponse,
    TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};

use self::response::LenientTokenResponse;
pub use self::transport::BodyFormat;
use self::transport::{Transport, TransportError};
use crate::cache::TokenFetcher;
use crate::excerpt::redacted_excerpt;
use crate::token::{BoxFuture, Token};
use crate::{AuthError, validate_base_url};

type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    LenientTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The grant used to get a token when there is no refresh token (or it was refused); chosen by
/// the [`OAuth2Config`] constructor.
#[derive(Clone)]
enum Grant {
    /// `grant_type=client_credentials`: the client acts on its own behalf.
    ClientCredentials,
    /// `grant_type=password`: the client acts for a user.
    Password {
        /// The user's login name.
        username: String,
        /// The user's password.
        password: SecretString,
    },
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grant::ClientCredentials => f.write_str("ClientCredentials"),
            Grant::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"[redacted]")
                .finish(),
        }
    }
}

/// Where the client id and secret go in the token request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuth {
    /// As `client_id` and `client_secret` fields of the request body.
    #[default]
    RequestBody,
    /// As an HTTP Basic `Authorization` header.
    BasicAuth,
}

/// An OAuth2 token endpoint and the credentials to use there.
///
/// ```
/// use std::time::Duration;
/// use sdk_auth::oauth::{BodyFormat, ClientAuth, OAuth2Config};
/// # fn main() -> Result<(), sdk_auth::AuthError> {
/// let config = OAuth2Config::password("https://auth.example.com/token", "app", None, "jane", "pw")?
///     .body_format(BodyFormat::Json)
///     .client_auth(ClientAuth::BasicAuth)
///     .scope("read")
///     .expiry_margin(Duration::from_secs(120));
/// assert!(!format!("{config:?}").contains("\"pw\""));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct OAuth2Config {
    token_url: String,
    client_id: String,
    client_secret: Option<SecretString>,
    grant: Grant,
    client_auth: ClientAuth,
    body_format: BodyFormat,
    envelope: Option<String>,
    scopes: Vec<String>,
    extra_params: Vec<(String, String)>,
    expiry_margin: Duration,
    default_lifetime: Duration,
    timeout: Duration,
}

impl OAuth2Config {
    /// Client credentials grant with the secret in the request body.
    ///
    /// # Errors
    /// [`AuthError::InvalidConfig`] for an empty client id or secret, or a token URL that is not
    /// HTTPS (plain HTTP is accepted for loopback hosts only).
    pub fn client_credentials(
        token_url: &str,
        client_id: &str,
        client_secret: impl Into<SecretString>,
    ) -> Result<Self, AuthError> {
        let secret = client_secret.into();
        if secret.expose_secret().trim().is_empty() {
            return Err(AuthError::InvalidConfig("client secret is empty".into()));
        }
        Self::new(token_url, client_id, Some(secret), Grant::ClientCredentials)
    }

    /// Resource owner password grant; the client secret is optional for public clients.
    ///
    /// # Errors
    /// [`AuthError::InvalidConfig`] for an empty client id, user name or password, an empty
    /// secret when one is given, or a token URL that is not HTTPS (loopback HTTP excepted).
    pub fn password(
        token_url: &str,
        client_id: &str,
        client_secret: Option<SecretString>,
        username: &str,
        password: impl Into<SecretString>,
    ) -> Result<Self, AuthError> {
        let password = password.into();
        if username.trim().is_empty() {
            return Err(AuthError::InvalidConfig("user name is empty".into()));
        }
        if password.expose_secret().is_empty() {
            return Err(AuthError::InvalidConfig("password is empty".into()));
        }
        if client_secret
            .as_ref()
            .is_some_and(|s| s.expose_secret().trim().is_empty())
        {
            return Err(AuthError::InvalidConfig("client secret is empty".into()));
        }
        let grant = Grant::Password {
            username: username.to_owned(),
            password,
        };
        Self::new(token_url, client_id, client_secret, grant)
    }

    fn new(
        token_url: &str,
        client_id: &str,
        client_secret: Option<SecretString>,
        grant: Grant,
    ) -> Result<Self, AuthError> {
        if client_id.trim().is_empty() {
            return Err(AuthError::InvalidConfig("client id is empty".into()));
        }
        let token_url = validate_base_url(token_url)
            .map_err(|e| AuthError::InvalidConfig(format!("token URL: {e}")))?;
        Ok(Self {
            token_url,
            client_id: client_id.to_owned(),
            client_secret,
            grant,
            client_auth: ClientAuth::default(),
            body_format: BodyFormat::default(),
            envelope: None,
            scopes: Vec::new(),
            extra_params: Vec::new(),
            expiry_margin: Duration::from_secs(60),
            default_lifetime: Duration::from_secs(15 * 60),
            timeout: Duration::from_secs(30),
        })
    }

    /// Where the client id and secret go (default: the request body).
    pub fn client_auth(mut self, how: ClientAuth) -> Self {
        self.client_auth = how;
        self
    }

    /// How the request body is encoded (default: form).
    pub fn body_format(mut self, format: BodyFormat) -> Self {
        self.body_format = format;
        self
    }

    /// Reads the token response from this field of a wrapping object (`{"data": {...}}`).
    pub fn envelope(mut self, field: &str) -> Self {
        self.envelope = Some(field.to_owned());
        self
    }

    /// Adds a scope to request.
    pub fn scope(mut self, scope: &str) -> Self {
        self.scopes.push(scope.to_owned());
        self
    }

    /// Adds a vendor-specific field to every token request.
    pub fn extra_param(mut self, name: &str, value: &str) -> Self {
        self.extra_params.push((name.to_owned(), value.to_owned()));
        self
    }

    /// How long before its expiry a token is replaced (default 60 s).
    pub fn expiry_margin(mut self, margin: Duration) -> Self {
        self.expiry_margin = margin;
        self
    }

    /// Lifetime assumed when the server sends no `expires_in` (default 15 min).
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// Timeout of one token request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the fetcher: an `oauth2` client over a reqwest client that never follows redirects
    /// (a redirected token request could hand the credentials to another host).
    ///
    /// # Errors
    /// [`AuthError::InvalidConfig`] when the HTTP client cannot be built.
    pub fn into_fetcher(self) -> Result<OAuth2Fetcher, AuthError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .user_agent(concat!("sdk-auth/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AuthError::InvalidConfig(format!("cannot build the HTTP client: {e}")))?;
        let token_url = TokenUrl::new(self.token_url.clone())
            .map_err(|e| AuthError::InvalidConfig(format!("token URL: {e}")))?;
        let mut client = oauth2::Client::new(ClientId::new(self.client_id.clone()))
            .set_token_uri(token_url)
            .set_auth_type(match self.client_auth {
                ClientAuth::RequestBody => AuthType::RequestBody,
                ClientAuth::BasicAuth => AuthType::BasicAuth,
            });
        if let Some(secret) = &self.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
        }
        let transport = Transport {
            http,
            format: self.body_format,
            envelope: self.envelope.clone(),
        };
        Ok(OAuth2Fetcher {
            client,
            transport,
            config: self,
        })
    }
}

impl fmt::Debug for OAuth2Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Config")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("grant", &self.grant)
            .field("client_auth", &self.client_auth)
            .field("body_format", &self.body_format)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A [`TokenFetcher`] that runs the configured OAuth2 grant (see the module docs).
pub struct OAuth2Fetcher {
    client: OAuthClient,
    transport: Transport,
    config: OAuth2Config,
}

impl fmt::Debug for OAuth2Fetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Fetcher")
            .field("config", &self.config)
            .finish()
    }
}

impl OAuth2Fetcher {
    async fn primary(&self) -> Result<Token, AuthError> {
        let scopes = self.config.scopes.iter().map(|s| Scope::new(s.clone()));
        let result = match &self.config.grant {
            Grant::ClientCredentials => {
                let mut request = self.client.exchange_client_credentials().add_scopes(scopes);
                for (k, v) in &self.config.extra_params {
                    request = request.add_extra_param(k.clone(), v.clone());
                }
                request.request_async(&self.transport).await
            }
            Grant::Password { username, password } => {
                let user = ResourceOwnerUsername::new(username.clone());
                let pass = ResourceOwnerPassword::new(password.expose_secret().to_owned());
                let mut request = self
                    .client
                    .exchange_password(&user, &pass)
                    .add_scopes(scopes);
                for (k, v) in &self.config.extra_params {
                    request = request.add_extra_param(k.clone(), v.clone());
                }
                request.request_async(&self.transport).await
            }
        };
        self.token_from(result)
    }

    async fn refresh(&self, refresh: &SecretString) -> Result<Token, AuthError> {
        let token = RefreshToken::new(refresh.expose_secret().to_owned());
        let result = self
            .client
            .exchange_refresh_token(&token)
            .request_async(&self.transport)
            .await;
        let mut fresh = self.token_from(result)?;
        fresh.keep_refresh_token(refresh);
        Ok(fresh)
    }

    fn token_from(
        &self,
        result: Result<LenientTokenResponse, RequestTokenError<TransportError, BasicErrorResponse>>,
    ) -> Result<Token, AuthError> {
        let response = result.map_err(token_error)?;
        Token::new(
            SecretString::from(response.access_token().secret().as_str()),
            response
                .refresh_token()
                .map(|r| SecretString::from(r.secret().as_str())),
            response
                .expires_in()
                .unwrap_or(self.config.default_lifetime),
            self.config.expiry_margin,
        )
    }
}

impl TokenFetcher for OAuth2Fetcher {
    fn fetch<'a>(&'a self, previous: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(async move {
            if let Some(refresh) = previous.and_then(Token::refresh_token) {
                match self.refresh(refresh).await {
                    Ok(token) => return Ok(token),
                    Err(err) if err.is_refused() => {
                        tracing::debug!(error = %err, "refresh token refused; running the primary grant");
                    }
                    Err(err) => return Err(err),
                }
            }
            self.primary().await
        })
    }
}

/// Maps `oauth2`'s error into ours, keeping the status and OAuth code but no secret.
fn token_error(err: RequestTokenError<TransportError, BasicErrorResponse>) -> AuthError {
    match err {
        RequestTokenError::Request(TransportError::Refused { status, body }) => {
            let parsed: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
            let field = |name: &str| {
                parsed
                    .as_ref()
                    .and_then(|v| {
                        v.get(name)
                            .or_else(|| v.get("data").and_then(|d| d.get(name)))
                    })
                    .and_then(|v| v.as_str())
                    .map(|s| redacted_excerpt(s.as_bytes()))
            };
            AuthError::Refused {
                status,
                code: field("error"),
                description: field("error_description"),
            }
        }
        RequestTokenError::Request(TransportError::Http(e)) => AuthError::Transport(e.into()),
        RequestTokenError::Request(TransportError::Build(detail)) => {
            AuthError::InvalidConfig(format!("cannot build the token request: {detail}"))
        }
        // The transport turns every non-2xx answer into `Refused`, so oauth2 only sees 2xx.
        RequestTokenError::ServerResponse(e) => AuthError::Refused {
            status: 200,
            code: Some(e.error().to_string()),
            description: e
                .error_description()
                .map(|d| redacted_excerpt(d.as_bytes())),
        },
        RequestTokenError::Parse(e, body) => AuthError::MalformedResponse {
            status: 200,
            detail: format!("unexpected shape at `{}`", e.path()),
            excerpt: redacted_excerpt(&body),
        },
        RequestTokenError::Other(detail) => AuthError::MalformedResponse {
            status: 200,
            detail,
            excerpt: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_is_rejected_before_any_request() {
        let cases = [
            OAuth2Config::client_credentials("https://a.example/token", "", "s").map(|_| ()),
            OAuth2Config::client_credentials("https://a.example/token", "id", "").map(|_| ()),
            OAuth2Config::client_credentials("http://a.example/token", "id", "s").map(|_| ()),
            OAuth2Config::password("https://a.example/token", "id", None, "", "pw").map(|_| ()),
            OAuth2Config::password("https://a.example/token", "id", None, "u", "").map(|_| ()),
        ];
        for case in cases {
            assert!(matches!(case, Err(AuthError::InvalidConfig(_))), "{case:?}");
        }
    }

    #[test]
    fn debug_hides_the_secret_and_password() {
        let c = OAuth2Config::password(
            "https://a.example/token",
            "id",
            Some(SecretString::from("client-secret-value")),
            "jane",
            "user-password-value",
        )
        .expect("valid");
        let shown = format!("{c:?} {:?}", c.clone().into_fetcher().expect("fetcher"));
        assert!(!shown.contains("client-secret-value"), "{shown}");
        assert!(!shown.contains("user-password-value"), "{shown}");
        assert!(shown.contains("jane"));
    }

    #[test]
    fn refused_answers_keep_status_and_code() {
        let err = token_error(RequestTokenError::Request(TransportError::Refused {
            status: 401,
            body: bytes::Bytes::from_static(
                br#"{"error":"invalid_client","error_description":"Unknown client"}"#,
            ),
        }));
        assert!(
            matches!(
                &err,
                AuthError::Refused { status: 401, code: Some(c), description: Some(d) } if c == "invalid_client" && d == "Unknown client"
            ),
            "{err:?}"
        );
        let html = token_error(RequestTokenError::Request(TransportError::Refused {
            status: 503,
            body: bytes::Bytes::from_static(b"<html>maintenance</html>"),
        }));
        assert!(
            matches!(
                html,
                AuthError::Refused {
                    status: 503,
                    code: None,
                    ..
                }
            ),
            "{html:?}"
        );
    }
}
