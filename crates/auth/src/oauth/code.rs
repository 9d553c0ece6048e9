//! The authorization-code grant with PKCE (S256) and a CSRF `state` (RFC 6749 §4.1, RFC 7636),
//! for apps whose users sign in in a browser. The app holds no password, so the only way to a
//! new token after the refresh token is refused is another sign-in by the user.

use std::fmt;
use std::time::{Duration, SystemTime};

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenResponse,
};
use oauth2::{
    AuthUrl, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, Scope, StandardRevocableToken, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::transport::Transport;
use super::{BodyFormat, ClientAuth, token_from};
use crate::cache::TokenFetcher;
use crate::fetch::HttpSettings;
use crate::token::{BoxFuture, Token};
use crate::url_check::is_loopback;
use crate::{AuthError, Redactor, validate_base_url};

type CodeClient = oauth2::Client<
    BasicErrorResponse,
    BasicTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The authorization-code flow of one OAuth2 client: where to send the user, where to exchange
/// the code, and the client's credentials.
///
/// 1. [`AuthorizationCode::authorize_url`] gives the URL to send the user to and a
///    [`PendingAuthorization`] to keep until the user comes back to the redirect URI.
/// 2. [`PendingAuthorization::exchange`] checks the returned `state` and trades the code (and
///    the PKCE verifier) for a [`Token`] with its refresh token.
/// 3. [`AuthorizationCode::into_fetcher`] refreshes that token for a [`crate::TokenCache`];
///    start the cache from it with [`crate::TokenCacheBuilder::initial_token`], or from the
///    token its [`crate::TokenStore`] kept from an earlier run.
///
/// The token requests are form-encoded by default (EverReal's own example sends a form); JSON
/// is available with [`AuthorizationCode::body_format`].
///
/// ```no_run
/// use sdk_auth::fetch::HttpSettings;
/// use sdk_auth::oauth::AuthorizationCode;
/// use sdk_auth::{Auth, FileStore, TokenCache};
///
/// # async fn sign_in(code: &str, state: &str) -> Result<(), sdk_auth::AuthError> {
/// let http = HttpSettings::new("my-app/1.0");
/// let flow = AuthorizationCode::new(
///     "https://acme.everreal.co/accounts/dialog/authorize",
///     "https://acme.everreal.co/accounts/oauth/token",
///     "acme-client",
///     None,
///     "http://127.0.0.1:8765/callback",
/// )?
/// .scope("offline_access");
/// let (url, pending) = flow.authorize_url();
/// println!("Open {url} to sign in");
/// // ... the browser comes back to the redirect URI with `code` and `state` ...
/// let token = pending.exchange(code, state, &http).await?;
/// let cache = TokenCache::builder(flow.into_fetcher(&http)?)
///     .store(FileStore::new("everreal-token.json"))
///     .initial_token(token)
///     .build();
/// let auth = Auth::new(cache);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AuthorizationCode {
    authorize_url: AuthUrl,
    token_url: TokenUrl,
    redirect_uri: RedirectUrl,
    client_id: String,
    client_secret: Option<SecretString>,
    client_auth: ClientAuth,
    body_format: BodyFormat,
    scopes: Vec<String>,
    default_lifetime: Duration,
}

impl AuthorizationCode {
    /// A flow for a client with `client_id` (and `client_secret` for a confidential client)
    /// whose users come back to `redirect_uri`.
    ///
    /// # Errors
    /// [`AuthError::InvalidConfig`] for an empty client id or secret; an authorize or token URL
    /// that is not HTTPS (loopback HTTP excepted) or has a query; a redirect URI that is not a
    /// URL, has a fragment or credentials, or is plain HTTP on a host other than loopback (the
    /// code would travel in clear). A private-use scheme (`com.example.app:/callback`) is
    /// accepted for native apps.
    pub fn new(
        authorize_url: &str,
        token_url: &str,
        client_id: &str,
        client_secret: Option<SecretString>,
        redirect_uri: &str,
    ) -> Result<Self, AuthError> {
        if client_id.trim().is_empty() {
            return Err(AuthError::InvalidConfig("client id is empty".into()));
        }
        if client_secret
            .as_ref()
            .is_some_and(|s| s.expose_secret().trim().is_empty())
        {
            return Err(AuthError::InvalidConfig("client secret is empty".into()));
        }
        let checked = |what: &str, raw: &str| {
            validate_base_url(raw).map_err(|e| AuthError::InvalidConfig(format!("{what}: {e}")))
        };
        let authorize_url = AuthUrl::new(checked("authorize URL", authorize_url)?)
            .map_err(|e| AuthError::InvalidConfig(format!("authorize URL: {e}")))?;
        let token_url = TokenUrl::new(checked("token URL", token_url)?)
            .map_err(|e| AuthError::InvalidConfig(format!("token URL: {e}")))?;
        Ok(Self {
            authorize_url,
            token_url,
            redirect_uri: redirect(redirect_uri)?,
            client_id: client_id.to_owned(),
            client_secret,
            client_auth: ClientAuth::default(),
            body_format: BodyFormat::default(),
            scopes: Vec::new(),
            default_lifetime: Duration::from_secs(15 * 60),
        })
    }

    /// Adds a scope to request (`offline_access` usually brings the refresh token).
    #[must_use]
    pub fn scope(mut self, scope: &str) -> Self {
        self.scopes.push(scope.to_owned());
        self
    }

    /// How the token requests are encoded (default: form).
    #[must_use]
    pub fn body_format(mut self, format: BodyFormat) -> Self {
        self.body_format = format;
        self
    }

    /// Where the client id and secret go in the token requests (default: the request body).
    #[must_use]
    pub fn client_auth(mut self, how: ClientAuth) -> Self {
        self.client_auth = how;
        self
    }

    /// Lifetime assumed when the server sends no `expires_in` (default 15 min).
    #[must_use]
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// Starts a sign-in: the URL to send the user to (with `response_type=code`, `client_id`,
    /// `redirect_uri`, `scope`, a fresh random `state`, and the S256 `code_challenge` of a
    /// fresh PKCE verifier), and what [`PendingAuthorization::exchange`] needs when the user
    /// comes back. Every call starts a new, independent sign-in.
    pub fn authorize_url(&self) -> (String, PendingAuthorization) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .client()
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.scopes.iter().map(|s| Scope::new(s.clone())))
            .set_pkce_challenge(challenge)
            .url();
        let pending = PendingAuthorization {
            flow: self.clone(),
            state: SecretString::from(state.secret().as_str()),
            verifier: SecretString::from(verifier.secret().as_str()),
        };
        (url.to_string(), pending)
    }

    /// The fetcher that keeps a signed-in user's token fresh with the refresh grant (see
    /// [`AuthorizationCodeFetcher`]). It uses the token client of `http` (no redirects).
    ///
    /// # Errors
    /// [`AuthError::InvalidConfig`] when the HTTP client cannot be built.
    pub fn into_fetcher(self, http: &HttpSettings) -> Result<AuthorizationCodeFetcher, AuthError> {
        Ok(AuthorizationCodeFetcher {
            client: self.client(),
            transport: self.transport(http)?,
            flow: self,
        })
    }

    fn client(&self) -> CodeClient {
        let mut client = oauth2::Client::new(ClientId::new(self.client_id.clone()))
            .set_auth_uri(self.authorize_url.clone())
            .set_token_uri(self.token_url.clone())
            .set_redirect_uri(self.redirect_uri.clone())
            .set_auth_type(self.client_auth.auth_type());
        if let Some(secret) = &self.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
        }
        client
    }

    fn transport(&self, http: &HttpSettings) -> Result<Transport, AuthError> {
        Ok(Transport {
            http: http.token_client()?,
            format: self.body_format,
            envelope: None,
        })
    }
}

/// Parses a redirect URI: any scheme but plain HTTP off loopback; no fragment (RFC 6749
/// §3.1.2) and no credentials.
fn redirect(raw: &str) -> Result<RedirectUrl, AuthError> {
    let invalid = |why: String| AuthError::InvalidConfig(format!("redirect URI: {why}"));
    let url = Url::parse(raw.trim()).map_err(|e| invalid(format!("not a valid URL ({e})")))?;
    if url.fragment().is_some() {
        return Err(invalid("must not contain a fragment (`#`)".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not contain a user name or password".into()));
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(invalid(
            "plain http:// is only allowed for loopback hosts".into(),
        ));
    }
    Ok(RedirectUrl::from_url(url))
}

impl fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationCode")
            .field("authorize_url", &self.authorize_url.as_str())
            .field("token_url", &self.token_url.as_str())
            .field("redirect_uri", &self.redirect_uri.as_str())
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("client_auth", &self.client_auth)
            .field("body_format", &self.body_format)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A sign-in in progress: the `state` and the PKCE verifier of one
/// [`AuthorizationCode::authorize_url`], kept until the user comes back with a code. `Debug`
/// shows neither.
#[derive(Clone)]
pub struct PendingAuthorization {
    flow: AuthorizationCode,
    state: SecretString,
    verifier: SecretString,
}

impl PendingAuthorization {
    /// The `state` sent with the authorization request; a server that runs several sign-ins at
    /// once can key them by it.
    pub fn state(&self) -> &str {
        self.state.expose_secret()
    }

    /// Trades the `code` the user came back with for a token, once `returned_state` (the
    /// `state` parameter of the same callback) proved the callback belongs to this sign-in.
    /// Sends `grant_type=authorization_code`, `code`, `redirect_uri`, `client_id` (and the
    /// secret) and `code_verifier`. The token's expiry is absolute, so it can be stored as is.
    /// An unavailable endpoint may be tried again with the same code.
    ///
    /// # Errors
    /// [`AuthError::StateMismatch`] before any request when the states differ;
    /// [`AuthError::InvalidConfig`] for an empty code; otherwise the token endpoint's
    /// [`AuthError`] (`Rejected` for an expired or reused code), with the code, the verifier
    /// and the client secret scrubbed from it.
    pub async fn exchange(
        &self,
        code: &str,
        returned_state: &str,
        http: &HttpSettings,
    ) -> Result<Token, AuthError> {
        if !same_secret(
            returned_state.as_bytes(),
            self.state.expose_secret().as_bytes(),
        ) {
            return Err(AuthError::StateMismatch);
        }
        let code = code.trim();
        if code.is_empty() {
            return Err(AuthError::InvalidConfig(
                "the authorization code is empty".into(),
            ));
        }
        let redactor = Redactor::new();
        redactor.add(&SecretString::from(code));
        redactor.add(&self.verifier);
        if let Some(secret) = &self.flow.client_secret {
            redactor.add(secret);
        }
        let transport = self
            .flow
            .transport(http)
            .map_err(|e| e.scrubbed(&redactor))?;
        let result = self
            .flow
            .client()
            .exchange_code(oauth2::AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(
                self.verifier.expose_secret().to_owned(),
            ))
            .request_async(&transport)
            .await;
        let token =
            token_from(result, self.flow.default_lifetime).map_err(|e| e.scrubbed(&redactor))?;
        // Stamped with the wall clock now: a token saved before any cache stamped it would
        // otherwise be stored without an expiry.
        let lifetime = token.lifetime().unwrap_or(self.flow.default_lifetime);
        let now = SystemTime::now();
        Ok(token.expires_at(now.checked_add(lifetime).unwrap_or(now)))
    }
}

/// Compares without an early exit, so the time taken does not tell how much of a guessed
/// `state` was right.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("flow", &self.flow)
            .field("state", &"[redacted]")
            .field("verifier", &"[redacted]")
            .finish()
    }
}

/// A [`TokenFetcher`] for a user signed in with [`AuthorizationCode`]: it renews the token it
/// is given with the refresh grant (keeping the refresh token when the answer brings none).
///
/// It cannot sign the user in. When the server refuses the refresh token (expired, revoked),
/// the error is [`AuthError::Rejected`] with the server's status and code, saying that the
/// user must sign in again; with no token, or a token without a refresh token, it is
/// [`AuthError::InvalidConfig`] saying the same. Either way, run the authorization again.
pub struct AuthorizationCodeFetcher {
    client: CodeClient,
    transport: Transport,
    flow: AuthorizationCode,
}

impl AuthorizationCodeFetcher {
    async fn refresh(&self, previous: Option<&Token>) -> Result<Token, AuthError> {
        let Some(current) = previous else {
            return Err(AuthError::InvalidConfig(
                "no token to refresh: the user must sign in (start the token cache from the \
                 token of the authorization code exchange)"
                    .into(),
            ));
        };
        let Some(refresh) = current.refresh_token() else {
            return Err(AuthError::InvalidConfig(
                "the token has no refresh token (was `offline_access` requested?): the user \
                 must sign in again"
                    .into(),
            ));
        };
        let result = self
            .client
            .exchange_refresh_token(&RefreshToken::new(refresh.expose_secret().to_owned()))
            .request_async(&self.transport)
            .await;
        match token_from(result, self.flow.default_lifetime) {
            Ok(token) => Ok(token.or_refresh_token(Some(refresh))),
            Err(AuthError::Rejected {
                status,
                code,
                description,
            }) => Err(AuthError::Rejected {
                status,
                code,
                description: Some(match description {
                    Some(said) => format!("{said}; the user must sign in again"),
                    None => "the refresh token was refused; the user must sign in again".into(),
                }),
            }),
            Err(other) => Err(other),
        }
    }
}

impl TokenFetcher for AuthorizationCodeFetcher {
    fn fetch<'a>(&'a self, previous: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(self.refresh(previous))
    }

    fn secrets(&self) -> Vec<SecretString> {
        self.flow.client_secret.iter().cloned().collect()
    }

    fn account(&self) -> Option<String> {
        Some(format!(
            "{} {}",
            self.flow.token_url.as_str(),
            self.flow.client_id
        ))
    }
}

impl fmt::Debug for AuthorizationCodeFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationCodeFetcher")
            .field("flow", &self.flow)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(redirect_uri: &str) -> Result<AuthorizationCode, AuthError> {
        AuthorizationCode::new(
            "https://a.example/authorize",
            "https://a.example/token",
            "id",
            None,
            redirect_uri,
        )
    }

    #[test]
    fn redirect_uris_that_would_leak_the_code_are_refused() {
        for ok in [
            "https://app.example/callback",
            "http://127.0.0.1:8765/callback",
            "http://localhost/cb",
            "http://[::1]:9000/cb",
            "com.example.app:/oauth2redirect",
        ] {
            assert!(flow(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://app.example/callback",
            "https://app.example/cb#frag",
            "https://user:pw@app.example/cb",
            "not a url",
        ] {
            assert!(
                matches!(flow(bad), Err(AuthError::InvalidConfig(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn bad_endpoints_and_credentials_are_refused() {
        let cases = [
            AuthorizationCode::new(
                "http://a.example/a",
                "https://a.example/t",
                "id",
                None,
                "https://b.example/cb",
            ),
            AuthorizationCode::new(
                "https://a.example/a",
                "http://a.example/t",
                "id",
                None,
                "https://b.example/cb",
            ),
            AuthorizationCode::new(
                "https://a.example/a",
                "https://a.example/t",
                " ",
                None,
                "https://b.example/cb",
            ),
            AuthorizationCode::new(
                "https://a.example/a",
                "https://a.example/t",
                "id",
                Some(SecretString::from(" ")),
                "https://b.example/cb",
            ),
        ];
        for case in cases {
            assert!(matches!(case, Err(AuthError::InvalidConfig(_))), "{case:?}");
        }
    }

    #[test]
    fn states_compare_in_full() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"", b"a"));
    }
}
