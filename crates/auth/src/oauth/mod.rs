//! OAuth2 grants on the `oauth2` crate: client credentials, password, refresh token, and the
//! authorization code with PKCE.
//!
//! [`OAuth2Config`] describes the endpoint and credentials; [`OAuth2Config::into_fetcher`] turns
//! it into a [`crate::TokenFetcher`] for a [`crate::TokenCache`]. [`AuthorizationCode`] is the
//! browser sign-in of user-facing apps: it has no credential to sign in again with, so its
//! fetcher only refreshes. A token that came with a
//! refresh token is renewed with the refresh grant; when the server rejects the refresh token
//! the primary grant runs again ([`crate::fetch::refresh_or_sign_in`]), and a refresh answer
//! without a new refresh token keeps the old one. The requests go through the toolkit of
//! [`crate::fetch`], so the rules on answers are the same as for any vendor's own sign-in.

mod code;
mod transport;

use std::fmt;
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenResponse,
};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RefreshToken, RequestTokenError,
    ResourceOwnerPassword, ResourceOwnerUsername, Scope, StandardRevocableToken, TokenResponse,
    TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};

pub use self::code::{AuthorizationCode, AuthorizationCodeFetcher, PendingAuthorization};
pub use self::transport::BodyFormat;
use self::transport::{Transport, TransportError};
use crate::cache::TokenFetcher;
use crate::fetch::{HttpSettings, refresh_or_sign_in};
use crate::token::{BoxFuture, Token};
use crate::{AuthError, validate_base_url};

type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    BasicTokenResponse,
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
///     .default_lifetime(Duration::from_secs(600));
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
    default_lifetime: Duration,
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
            default_lifetime: Duration::from_secs(15 * 60),
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

    /// Lifetime assumed when the server sends no `expires_in` (default 15 min).
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// Builds the fetcher: an `oauth2` client over the token client of `http` (the client's
    /// own timeouts, proxy and certificates; never following redirects).
    ///
    /// # Errors
    /// [`AuthError::InvalidConfig`] when the HTTP client cannot be built.
    pub fn into_fetcher(self, http: &HttpSettings) -> Result<OAuth2Fetcher, AuthError> {
        let http = http.token_client()?;
        let token_url = TokenUrl::new(self.token_url.clone())
            .map_err(|e| AuthError::InvalidConfig(format!("token URL: {e}")))?;
        let mut client = oauth2::Client::new(ClientId::new(self.client_id.clone()))
            .set_token_uri(token_url)
            .set_auth_type(self.client_auth.auth_type());
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

impl ClientAuth {
    /// The `oauth2` setting for this placement.
    fn auth_type(self) -> AuthType {
        match self {
            ClientAuth::RequestBody => AuthType::RequestBody,
            ClientAuth::BasicAuth => AuthType::BasicAuth,
        }
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
        token_from(result, self.config.default_lifetime)
    }

    async fn refresh(&self, refresh: SecretString) -> Result<Token, AuthError> {
        let token = RefreshToken::new(refresh.expose_secret().to_owned());
        let mut request = self.client.exchange_refresh_token(&token);
        for (k, v) in &self.config.extra_params {
            request = request.add_extra_param(k.clone(), v.clone());
        }
        let result = request.request_async(&self.transport).await;
        token_from(result, self.config.default_lifetime)
    }
}

/// What `oauth2` returns for any grant.
type GrantResult =
    Result<BasicTokenResponse, RequestTokenError<TransportError, BasicErrorResponse>>;

/// The [`Token`] of a grant's answer, assuming `default_lifetime` when it states none.
fn token_from(result: GrantResult, default_lifetime: Duration) -> Result<Token, AuthError> {
    let response = result.map_err(token_error)?;
    Ok(Token::new(SecretString::from(
        response.access_token().secret().as_str(),
    ))?
    .with_refresh_token(
        response
            .refresh_token()
            .map(|r| SecretString::from(r.secret().as_str())),
    )
    .expires_in(response.expires_in().unwrap_or(default_lifetime)))
}

impl TokenFetcher for OAuth2Fetcher {
    fn fetch<'a>(&'a self, previous: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(refresh_or_sign_in(
            previous,
            |refresh| self.refresh(refresh),
            || self.primary(),
        ))
    }

    fn secrets(&self) -> Vec<SecretString> {
        let mut secrets: Vec<SecretString> = self.config.client_secret.iter().cloned().collect();
        if let Grant::Password { password, .. } = &self.config.grant {
            secrets.push(password.clone());
        }
        secrets
    }

    fn account(&self) -> Option<String> {
        let mut account = format!("{} {}", self.config.token_url, self.config.client_id);
        if let Grant::Password { username, .. } = &self.config.grant {
            account = format!("{account} {username}");
        }
        Some(account)
    }
}

/// Maps `oauth2`'s error into ours. The transport settles every failure of the exchange
/// itself, so the other cases mean `oauth2` disliked the clean answer it was handed.
fn token_error(err: RequestTokenError<TransportError, BasicErrorResponse>) -> AuthError {
    match err {
        RequestTokenError::Request(TransportError(err)) => err,
        RequestTokenError::ServerResponse(e) => AuthError::Rejected {
            status: 200,
            code: Some(e.error().to_string()),
            description: None,
        },
        RequestTokenError::Parse(e, _) => {
            AuthError::malformed(200, format!("unexpected shape at `{}`", e.path()))
        }
        RequestTokenError::Other(detail) => AuthError::malformed(200, detail),
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
        let fetcher = c
            .clone()
            .into_fetcher(&HttpSettings::new("test"))
            .expect("fetcher");
        let shown = format!("{c:?} {fetcher:?}");
        assert_eq!(
            fetcher.secrets().len(),
            2,
            "the client secret and the password"
        );
        assert!(!shown.contains("client-secret-value"), "{shown}");
        assert!(!shown.contains("user-password-value"), "{shown}");
        assert!(shown.contains("jane"));
    }
}
