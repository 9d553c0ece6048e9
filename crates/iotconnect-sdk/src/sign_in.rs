//! IoTConnect's sign-in, built on the fetcher toolkit of `sdk-auth`: a basic token, then a
//! login with `Authorization: Basic <basic token>`, the `solution-key` header and a JSON body;
//! a refresh with the refresh token, and a fresh login when the refresh is refused.
//!
//! Single flight, the shared fetch, the resend after a rejected token and redaction come from
//! `sdk-auth`; this module only says what IoTConnect's auth service wants.

use std::fmt;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use sdk_auth::fetch::{HttpSettings, TokenAnswer, refresh_or_sign_in, send_token_request};
use sdk_auth::{AuthError, BoxFuture, ExposeSecret, SecretString, Token, TokenFetcher};
use serde_json::json;

/// The lifetime assumed when a login answer has no `expires_in` (the observed value is a day).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The user and solution an IoTConnect client signs in as.
#[derive(Clone)]
pub struct Credentials {
    username: String,
    password: SecretString,
    solution_key: SecretString,
}

impl Credentials {
    /// The user's login name (an e-mail address), password and the solution key.
    ///
    /// # Errors
    /// [`AuthError::InvalidConfig`] when any of them is empty.
    ///
    /// ```
    /// let creds = iotconnect_sdk::Credentials::new("dev@example.com", "pw", "c29sdXRpb24=")?;
    /// assert!(!format!("{creds:?}").contains("c29sdXRpb24="));
    /// # Ok::<(), sdk_auth::AuthError>(())
    /// ```
    pub fn new(
        username: impl Into<String>,
        password: impl Into<SecretString>,
        solution_key: impl Into<SecretString>,
    ) -> Result<Self, AuthError> {
        let (username, password, solution_key) =
            (username.into(), password.into(), solution_key.into());
        let empty = |what: &str| Err(AuthError::InvalidConfig(format!("the {what} is empty")));
        if username.trim().is_empty() {
            return empty("user name");
        }
        if password.expose_secret().is_empty() {
            return empty("password");
        }
        if solution_key.expose_secret().trim().is_empty() {
            return empty("solution key");
        }
        Ok(Self {
            username,
            password,
            solution_key,
        })
    }
}

impl Credentials {
    /// The solution key, for the discovery path and the `solution-key` header.
    pub(crate) fn solution_key(&self) -> &SecretString {
        &self.solution_key
    }

    /// The password, to scrub it from discovery errors.
    pub(crate) fn password(&self) -> &SecretString {
        &self.password
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("solution_key", &"[redacted]")
            .finish()
    }
}

/// The [`TokenFetcher`] of IoTConnect's auth service.
pub struct SignIn {
    http: reqwest::Client,
    auth_url: String,
    credentials: Credentials,
}

impl SignIn {
    /// A fetcher against the auth service at `auth_url` (the discovered `authBaseUrl`).
    ///
    /// # Errors
    /// [`AuthError::InvalidConfig`] when the URL is not HTTPS (loopback excepted) or the HTTP
    /// client cannot be built.
    pub fn new(
        auth_url: &str,
        credentials: Credentials,
        http: &HttpSettings,
    ) -> Result<Self, AuthError> {
        Ok(Self {
            http: http.token_client()?,
            auth_url: sdk_auth::validate_base_url(auth_url)?,
            credentials,
        })
    }

    /// `GET /Auth/basic-token`: the basic token the login needs, in `data`.
    async fn basic_token(&self) -> Result<String, AuthError> {
        let reply = send_token_request(
            self.http
                .get(format!("{}/Auth/basic-token", self.auth_url))
                .header(ACCEPT, HeaderValue::from_static("application/json")),
        )
        .await?;
        let value: serde_json::Value =
            serde_json::from_slice(&reply.body).map_err(|_| AuthError::MalformedResponse {
                status: reply.status.as_u16(),
                detail: "the basic-token answer is not JSON".into(),
            })?;
        value
            .get("data")
            .and_then(serde_json::Value::as_str)
            .filter(|token| !token.trim().is_empty())
            .map(str::to_owned)
            .ok_or_else(|| AuthError::MalformedResponse {
                status: reply.status.as_u16(),
                detail: "no basic token in `data`".into(),
            })
    }

    /// `POST /Auth/login` with the basic token, the solution key and the user's password.
    async fn login(&self) -> Result<Token, AuthError> {
        let basic = self.basic_token().await?;
        let mut authorization = HeaderValue::try_from(format!("Basic {basic}")).map_err(|_| {
            AuthError::InvalidConfig("the basic token is not a header value".into())
        })?;
        authorization.set_sensitive(true);
        let mut solution_key = HeaderValue::try_from(self.credentials.solution_key.expose_secret())
            .map_err(|_| {
                AuthError::InvalidConfig("the solution key is not a header value".into())
            })?;
        solution_key.set_sensitive(true);
        let body = json!({
            "username": self.credentials.username,
            "password": self.credentials.password.expose_secret(),
        });
        let reply = send_token_request(
            self.http
                .post(format!("{}/Auth/login", self.auth_url))
                .header(AUTHORIZATION, authorization)
                .header("solution-key", solution_key)
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.to_string()),
        )
        .await?;
        // The login answer is not wrapped in `data`: its token fields are at the top.
        TokenAnswer::parse(reply.status.as_u16(), &reply.body, None)?.into_token(DEFAULT_LIFETIME)
    }

    /// `POST /Auth/refresh-token` with `{"refreshtoken": ...}`; a refused refresh token is 409.
    async fn refresh(&self, refresh: SecretString) -> Result<Token, AuthError> {
        let body = json!({ "refreshtoken": refresh.expose_secret() });
        let reply = send_token_request(
            self.http
                .post(format!("{}/Auth/refresh-token", self.auth_url))
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.to_string()),
        )
        .await?;
        TokenAnswer::parse(reply.status.as_u16(), &reply.body, None)?.into_token(DEFAULT_LIFETIME)
    }
}

impl TokenFetcher for SignIn {
    fn fetch<'a>(&'a self, previous: Option<&'a Token>) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(refresh_or_sign_in(
            previous,
            |refresh| self.refresh(refresh),
            || self.login(),
        ))
    }

    fn secrets(&self) -> Vec<SecretString> {
        vec![
            self.credentials.password.clone(),
            self.credentials.solution_key.clone(),
        ]
    }

    fn account(&self) -> Option<String> {
        Some(format!("{} {}", self.auth_url, self.credentials.username))
    }
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("auth_url", &self.auth_url)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}
