//! The toolkit vendor token fetchers are built from, so that a vendor's own sign-in (a
//! two-step login, a `get_token` call) is a page of code with the same safety as OAuth2:
//!
//! * [`HttpSettings`]: one set of HTTP settings for the API client and the token client; the
//!   token client never follows redirects.
//! * [`send_token_request`]: sends a token request and maps any failure to [`AuthError`]
//!   (rejected, unavailable), without URLs or bodies in the messages.
//! * [`TokenAnswer`]: the lenient token answer (`expires_in` as a number or a string, capped).
//! * [`refresh_or_sign_in`]: "refresh, else sign in again".

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use secrecy::SecretString;
use serde_json::Value;

use crate::{AuthError, Token};

/// A user's adjustments of the reqwest client: a proxy, root certificates, local address...
type Customize = Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// The HTTP settings of a client, applied to its API client and its token client alike.
///
/// ```
/// use std::time::Duration;
/// use sdk_auth::fetch::HttpSettings;
/// let settings = HttpSettings::new("my-sdk/1.0")
///     .timeout(Duration::from_secs(5))
///     .customize(|builder| builder.https_only(true));
/// let api = settings.api_client()?;
/// let tokens = settings.token_client()?; // the same, but never follows a redirect
/// # Ok::<(), sdk_auth::AuthError>(())
/// ```
#[derive(Clone)]
pub struct HttpSettings {
    user_agent: String,
    timeout: Duration,
    connect_timeout: Duration,
    customize: Option<Customize>,
}

impl HttpSettings {
    /// Defaults: a 30 s timeout per request, 10 s to connect.
    pub fn new(user_agent: impl Into<String>) -> Self {
        Self {
            user_agent: user_agent.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            customize: None,
        }
    }

    /// The longest one request may take, token requests included.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest connecting may take.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    #[must_use]
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Adjusts both reqwest clients (proxy, root certificates, ...). Applied after the
    /// settings above; the token client's "no redirects" is applied after it.
    #[must_use]
    pub fn customize(
        mut self,
        adjust: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.customize = Some(Arc::new(adjust));
        self
    }

    /// The request timeout in force.
    pub fn request_timeout(&self) -> Duration {
        self.timeout
    }

    fn builder(&self) -> reqwest::ClientBuilder {
        let builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent.clone());
        match &self.customize {
            Some(adjust) => adjust(builder),
            None => builder,
        }
    }

    /// The client for API calls.
    ///
    /// # Errors
    /// [`AuthError::InvalidConfig`] when reqwest cannot build it.
    pub fn api_client(&self) -> Result<reqwest::Client, AuthError> {
        self.builder().build().map_err(build_error)
    }

    /// The client for token requests: the same settings, and redirects are never followed (a
    /// redirected token request would hand the credentials to another address).
    ///
    /// # Errors
    /// [`AuthError::InvalidConfig`] when reqwest cannot build it.
    pub fn token_client(&self) -> Result<reqwest::Client, AuthError> {
        self.builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(build_error)
    }
}

fn build_error(err: reqwest::Error) -> AuthError {
    AuthError::InvalidConfig(format!("cannot build the HTTP client: {err}"))
}

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSettings")
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("customized", &self.customize.is_some())
            .finish()
    }
}

/// A 2xx answer of a token endpoint. `Debug` shows the body's length only: it holds tokens.
#[derive(Clone)]
pub struct TokenReply {
    /// The status (any 2xx).
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl fmt::Debug for TokenReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenReply")
            .field("status", &self.status)
            .field("headers", &self.headers.len())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Sends a token request and returns its 2xx answer; anything else becomes the matching
/// [`AuthError`] (see [`rejection`]). Build `request` from [`HttpSettings::token_client`].
///
/// # Errors
/// [`AuthError::Unavailable`] when there was no answer or it says "try later";
/// [`AuthError::Rejected`] for any other non-2xx answer.
pub async fn send_token_request(request: RequestBuilder) -> Result<TokenReply, AuthError> {
    let response = request.send().await.map_err(transport_error)?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(transport_error)?;
    if status.is_success() {
        Ok(TokenReply {
            status,
            headers,
            body,
        })
    } else {
        Err(rejection(status, &headers, &body))
    }
}

/// A transport failure as an [`AuthError::Unavailable`], with the causes but without the URL
/// (a token URL may carry a password in its query).
pub fn transport_error(err: reqwest::Error) -> AuthError {
    let err = err.without_url();
    let mut detail = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "could not connect".to_owned()
    } else {
        err.to_string()
    };
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    AuthError::unavailable(detail)
}

/// What a non-2xx answer of a token endpoint means: 408, 429 and 5xx are
/// [`AuthError::Unavailable`] (with `Retry-After`); a redirect and every other status are
/// [`AuthError::Rejected`], with the OAuth2 `error` and `error_description` when the body has
/// them (at the top or under `data`).
pub fn rejection(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> AuthError {
    if status.is_server_error() || matches!(status.as_u16(), 408 | 429) {
        return AuthError::Unavailable {
            status: Some(status.as_u16()),
            detail: status
                .canonical_reason()
                .unwrap_or("unavailable")
                .to_owned(),
            retry_after: crate::retry::retry_after(headers),
        };
    }
    if status.is_redirection() {
        return AuthError::Rejected {
            status: status.as_u16(),
            code: None,
            description: Some("the token endpoint redirected; redirects are not followed".into()),
        };
    }
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| {
                v.get(name)
                    .filter(|f| !f.is_null())
                    .or_else(|| v.get("data").and_then(|d| d.get(name)))
            })
            .and_then(Value::as_str)
            .map(crate::excerpt::shape_excerpt)
    };
    AuthError::Rejected {
        status: status.as_u16(),
        code: field("error"),
        description: field("error_description").or_else(|| field("message")),
    }
}

/// A token answer, read leniently: `expires_in` may be a number, a float or a numeric string
/// (it is capped at [`crate::MAX_LIFETIME`]), `token_type` may be missing or in any case, and
/// unknown fields are ignored.
///
/// ```
/// use sdk_auth::fetch::TokenAnswer;
/// let answer = TokenAnswer::parse(200, br#"{"access_token":"a","expires_in":"3600"}"#, None)?;
/// assert_eq!(answer.expires_in, Some(std::time::Duration::from_secs(3600)));
/// let token = answer.into_token(std::time::Duration::from_secs(900))?;
/// # Ok::<(), sdk_auth::AuthError>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct TokenAnswer {
    /// The access token.
    pub access_token: SecretString,
    /// The refresh token, if one came.
    pub refresh_token: Option<SecretString>,
    /// The lifetime, if the server said.
    pub expires_in: Option<Duration>,
    /// The token type as sent (`Bearer` when missing).
    pub token_type: String,
}

impl TokenAnswer {
    /// Reads the answer in `body` (or in its `envelope` field, such as `data`). A body whose
    /// `error` field is set and which has no token is the server's refusal.
    ///
    /// # Errors
    /// [`AuthError::Rejected`] for an OAuth2 error body; [`AuthError::MalformedResponse`]
    /// when there is no usable token. The body is never quoted: it may hold a token in a
    /// shape no rule recognizes.
    pub fn parse(status: u16, body: &[u8], envelope: Option<&str>) -> Result<Self, AuthError> {
        let value: Value = serde_json::from_slice(body).map_err(|_| {
            AuthError::malformed(status, format!("not JSON ({} bytes)", body.len()))
        })?;
        let refused = |v: &Value| {
            v.get("error").is_some_and(|e| !e.is_null()) && v.get("access_token").is_none()
        };
        let object = match envelope {
            Some(key) => match value.get(key) {
                Some(inner) if inner.is_object() => inner,
                _ if refused(&value) => return Err(rejection_in_body(status, &value)),
                _ => {
                    return Err(AuthError::malformed(
                        status,
                        format!("no `{key}` object in the answer"),
                    ));
                }
            },
            None => &value,
        };
        if refused(object) || (refused(&value) && object.get("access_token").is_none()) {
            return Err(rejection_in_body(status, object));
        }
        let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
        let access = text("access_token")
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                AuthError::malformed(status, "no `access_token` string in the answer")
            })?;
        Ok(Self {
            access_token: SecretString::from(access),
            refresh_token: text("refresh_token")
                .filter(|t| !t.trim().is_empty())
                .map(SecretString::from),
            expires_in: lifetime(status, object.get("expires_in"))?,
            token_type: text("token_type").unwrap_or_else(|| "Bearer".into()),
        })
    }

    /// The [`Token`], assuming `default_lifetime` when the server sent no `expires_in`.
    ///
    /// # Errors
    /// [`AuthError::MalformedResponse`] when the token cannot travel (control characters).
    pub fn into_token(self, default_lifetime: Duration) -> Result<Token, AuthError> {
        Ok(Token::new(self.access_token)?
            .with_refresh_token(self.refresh_token)
            .expires_in(self.expires_in.unwrap_or(default_lifetime)))
    }
}

fn rejection_in_body(status: u16, value: &Value) -> AuthError {
    let text = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .map(crate::excerpt::shape_excerpt)
    };
    AuthError::Rejected {
        status,
        code: text("error"),
        description: text("error_description"),
    }
}

/// `expires_in` as a number or a numeric string, capped; negative or non-numeric is malformed.
fn lifetime(status: u16, value: Option<&Value>) -> Result<Option<Duration>, AuthError> {
    let seconds = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match seconds {
        Some(s) if s.is_finite() && s >= 0.0 => {
            let capped = s.min(crate::MAX_LIFETIME.as_secs_f64());
            Ok(Some(Duration::from_secs(capped as u64)))
        }
        _ => Err(AuthError::malformed(
            status,
            "`expires_in` is not a non-negative number",
        )),
    }
}

/// "Refresh, else sign in again": with a refresh token at hand, `refresh` runs first; when the
/// server rejects it, `sign_in` runs. An unavailable endpoint is not a rejection: its error is
/// returned, and the refresh token is kept for the next attempt. A refresh answer without a
/// new refresh token keeps the old one.
///
/// # Errors
/// The error of `refresh` unless it was a rejection; otherwise that of `sign_in`.
pub async fn refresh_or_sign_in<R, RF, S, SF>(
    previous: Option<&Token>,
    refresh: R,
    sign_in: S,
) -> Result<Token, AuthError>
where
    R: FnOnce(SecretString) -> RF,
    RF: Future<Output = Result<Token, AuthError>>,
    S: FnOnce() -> SF,
    SF: Future<Output = Result<Token, AuthError>>,
{
    if let Some(current) = previous.and_then(Token::refresh_token) {
        match refresh(current.clone()).await {
            Ok(token) => return Ok(token.or_refresh_token(Some(current))),
            Err(err) if err.is_rejected() => {
                // Only the status: the error is not scrubbed by value yet (the cache does
                // that with the fetcher's secrets), and a refusal may echo a credential.
                tracing::debug!(
                    status = err.status(),
                    "refresh token rejected; signing in again"
                );
            }
            Err(err) => return Err(err),
        }
    }
    sign_in().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret as _;

    fn parse(json: &str) -> Result<TokenAnswer, AuthError> {
        TokenAnswer::parse(200, json.as_bytes(), None)
    }

    #[test]
    fn lenient_answers() {
        let a =
            parse(r#"{"access_token":"a","token_type":"bearer","expires_in":86400}"#).expect("ok");
        assert_eq!(a.expires_in, Some(Duration::from_secs(86400)));
        let b = parse(r#"{"access_token":"a","expires_in":"3600","refresh_token":"r","x":7}"#)
            .expect("ok");
        assert_eq!(b.expires_in, Some(Duration::from_secs(3600)));
        assert_eq!(b.token_type, "Bearer");
        assert_eq!(
            b.refresh_token.map(|r| r.expose_secret().to_owned()),
            Some("r".into())
        );
        let c = parse(r#"{"access_token":"a","expires_in":3599.6}"#).expect("ok");
        assert_eq!(c.expires_in, Some(Duration::from_secs(3599)));
        let d = parse(r#"{"access_token":"a","expires_in":1e300}"#).expect("ok");
        assert_eq!(d.expires_in, Some(crate::MAX_LIFETIME));
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":null}"#)
                .expect("ok")
                .expires_in,
            None
        );
    }

    #[test]
    fn unusable_answers_never_quote_the_body() {
        for body in [
            r#"{"access_token":"sekret","expires_in":"soon"}"#,
            r#"{"access_token":"sekret","expires_in":-5}"#,
            r#"{"expires_in":3600,"note":"sekret"}"#,
            "access_token=sekret&token_type=bearer",
        ] {
            let err = parse(body).expect_err(body);
            assert!(
                matches!(err, AuthError::MalformedResponse { .. }),
                "{err:?}"
            );
            assert!(!format!("{err} {err:?}").contains("sekret"), "{err}");
        }
    }

    #[test]
    fn error_bodies_are_rejections_and_a_null_error_is_not() {
        let err = parse(r#"{"error":"invalid_grant","error_description":"expired"}"#)
            .expect_err("refused");
        assert_eq!(err.oauth_code(), Some("invalid_grant"));
        let ok = TokenAnswer::parse(
            200,
            br#"{"error":null,"data":{"access_token":"a"}}"#,
            Some("data"),
        );
        assert!(ok.is_ok(), "{ok:?}");
        let enveloped = TokenAnswer::parse(
            200,
            br#"{"status":400,"error":"invalid_grant","data":null}"#,
            Some("data"),
        )
        .expect_err("refused");
        assert!(enveloped.is_rejected(), "{enveloped:?}");
    }

    #[test]
    fn statuses_map_to_rejected_or_unavailable() {
        let none = HeaderMap::new();
        for s in [408u16, 429, 500, 502, 503, 504] {
            let e = rejection(StatusCode::from_u16(s).expect("s"), &none, b"busy");
            assert!(e.is_unavailable(), "{s}: {e:?}");
        }
        for s in [302u16, 307, 400, 401, 403, 404] {
            let e = rejection(StatusCode::from_u16(s).expect("s"), &none, b"{}");
            assert!(e.is_rejected(), "{s}: {e:?}");
        }
        let coded = rejection(
            StatusCode::BAD_REQUEST,
            &none,
            br#"{"error":"invalid_client","error_description":"Unknown client"}"#,
        );
        assert_eq!(coded.oauth_code(), Some("invalid_client"));
    }

    #[tokio::test]
    async fn refresh_then_sign_in_only_after_a_rejection() {
        let previous = Token::new("old")
            .expect("t")
            .with_refresh_token(Some("r-old".into()));
        let rejected = || async {
            Err(AuthError::Rejected {
                status: 400,
                code: Some("invalid_grant".into()),
                description: None,
            })
        };
        let signed_in = refresh_or_sign_in(
            Some(&previous),
            |_| rejected(),
            || async { Token::new("fresh") },
        )
        .await
        .expect("signed in");
        assert_eq!(signed_in.access_token().expose_secret(), "fresh");

        let down = refresh_or_sign_in(
            Some(&previous),
            |_| async { Err(AuthError::unavailable("down")) },
            || async { panic!("no sign-in while the endpoint is down") },
        )
        .await
        .expect_err("down");
        assert!(down.is_unavailable());

        let refreshed = refresh_or_sign_in(
            Some(&previous),
            |_| async { Token::new("renewed") },
            || async { panic!("refreshed") },
        )
        .await
        .expect("refreshed");
        assert_eq!(
            refreshed
                .refresh_token()
                .map(|r| r.expose_secret().to_owned()),
            Some("r-old".into()),
            "the old refresh token is kept when none came"
        );
    }
}
