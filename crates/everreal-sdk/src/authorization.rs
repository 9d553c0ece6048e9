//! "Sign in with EverReal": the authorization-code flow with PKCE of one tenant, on
//! `sdk-auth`'s [`AuthorizationCode`], with the tenant's URLs filled in.

use std::fmt;

use sdk_auth::fetch::HttpSettings;
use sdk_auth::oauth::{
    AuthorizationCode, AuthorizationCodeFetcher, BodyFormat, PendingAuthorization,
};
use sdk_auth::{SecretString, Token};

use crate::Error;
use crate::client::{AUTHORIZE_PATH, PASSWORD_GRANT_SCOPE, TOKEN_PATH};

/// The authorization-code sign-in of one tenant, made by
/// [`crate::ClientBuilder::authorization_code`]: the user approves in a browser, the app gets
/// a code at its redirect URI and trades it for a token, and the client then keeps that token
/// fresh with the refresh token. No password is involved.
///
/// The authorize URL is `{tenant}/accounts/dialog/authorize` with the scope
/// `offline_access *` (the refresh token needs `offline_access`), a random `state` and a PKCE
/// S256 challenge. The code is exchanged at `{tenant}/accounts/oauth/token` with a form body,
/// as EverReal's own sign-in example sends it; refreshes send JSON like the password grant,
/// the one body EverReal documents for that endpoint.
///
/// ```no_run
/// use everreal_sdk::{Client, FileStore};
///
/// # async fn sign_in(code: &str, state: &str) -> Result<(), everreal_sdk::Error> {
/// let builder = Client::builder()
///     .subdomain("acme")
///     .token_store(FileStore::new("everreal-token.json")); // keeps the refresh token
/// let flow = builder.authorization_code(
///     "acme-client",
///     "client-secret",
///     "https://app.acme.example/everreal/callback",
/// )?;
/// let (url, pending) = flow.authorize_url();
/// println!("Open {url} to sign in");
/// // ... the browser comes back to the redirect URI with `code` and `state` ...
/// let token = flow.exchange(&pending, code, state).await?;
/// let client = builder.authorized(&flow, Some(token)).build()?;
/// let me = client.userinfo().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AuthorizationFlow {
    base_url: String,
    code: AuthorizationCode,
    http: HttpSettings,
}

impl AuthorizationFlow {
    /// The flow of the tenant at `base_url`, sending its token requests with `http`.
    pub(crate) fn new(
        base_url: String,
        client_id: &str,
        client_secret: SecretString,
        redirect_uri: &str,
        http: HttpSettings,
    ) -> Result<Self, Error> {
        let mut code = AuthorizationCode::new(
            &format!("{base_url}{AUTHORIZE_PATH}"),
            &format!("{base_url}{TOKEN_PATH}"),
            client_id,
            Some(client_secret),
            redirect_uri,
        )?;
        for scope in PASSWORD_GRANT_SCOPE.split_whitespace() {
            code = code.scope(scope);
        }
        Ok(Self {
            base_url,
            code,
            http,
        })
    }

    /// The tenant's base URL, such as `https://acme.everreal.co`.
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let flow = everreal_sdk::Client::builder()
    ///     .subdomain("acme")
    ///     .authorization_code("acme-client", "client-secret", "https://app.acme.example/cb")?;
    /// assert_eq!(flow.base_url(), "https://acme.everreal.co");
    /// # Ok(()) }
    /// ```
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Starts a sign-in: the URL to send the user to, and the [`PendingAuthorization`] (its
    /// `state` and PKCE verifier) to keep until the user comes back. Every call starts a new,
    /// independent sign-in.
    ///
    /// ```
    /// # fn main() -> Result<(), everreal_sdk::Error> {
    /// let flow = everreal_sdk::Client::builder()
    ///     .subdomain("acme")
    ///     .authorization_code("acme-client", "client-secret", "https://app.acme.example/cb")?;
    /// let (url, pending) = flow.authorize_url();
    /// assert!(url.starts_with("https://acme.everreal.co/accounts/dialog/authorize?"));
    /// assert!(url.contains("code_challenge_method=S256"));
    /// assert!(url.contains(&format!("state={}", pending.state())));
    /// # Ok(()) }
    /// ```
    pub fn authorize_url(&self) -> (String, PendingAuthorization) {
        self.code.authorize_url()
    }

    /// Trades the `code` the user came back with for a token (with its refresh token), once
    /// `state` (from the same callback) proved that the callback belongs to `pending`. Give
    /// the token to [`crate::ClientBuilder::authorized`].
    ///
    /// ```no_run
    /// # async fn callback(flow: everreal_sdk::AuthorizationFlow, pending: everreal_sdk::PendingAuthorization)
    /// # -> Result<(), everreal_sdk::Error> {
    /// let token = flow.exchange(&pending, "code-from-the-callback", "state-from-the-callback").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Http`] with an auth error: `StateMismatch` before any request when the states
    /// differ, `Rejected` for a code the token endpoint refuses (expired, used, or issued for
    /// another redirect URI or verifier), `Unavailable` when it cannot be reached. The code,
    /// the verifier and the client secret never appear in it.
    pub async fn exchange(
        &self,
        pending: &PendingAuthorization,
        code: &str,
        state: &str,
    ) -> Result<Token, Error> {
        Ok(pending.exchange(code, state, &self.http).await?)
    }

    /// The fetcher that renews a signed-in user's token with the refresh grant, in JSON.
    pub(crate) fn refresher(&self, http: &HttpSettings) -> Result<AuthorizationCodeFetcher, Error> {
        Ok(self
            .code
            .clone()
            .body_format(BodyFormat::Json)
            .into_fetcher(http)?)
    }
}

impl fmt::Debug for AuthorizationFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `AuthorizationCode` shows no secret; the base URL is the same as in its URLs.
        f.debug_struct("AuthorizationFlow")
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

/// The credentials of [`crate::ClientBuilder::authorized`]: the flow, and the token of an
/// exchange or `None` to start from the token store.
pub(crate) struct Authorized {
    pub(crate) flow: AuthorizationFlow,
    pub(crate) token: Option<Token>,
}
