//! Reading an OAuth2 token request (RFC 6749): the form body (or a JSON one, for vendors that
//! take it) and the client's authentication, in the body or as HTTP Basic; authorization codes
//! and PKCE (RFC 7636) for the code flow. Which grants a vendor accepts and how it answers are
//! the vendor's business.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::clock::Clock;
use super::seed::{SeededRng, entropy};
use super::tokens::TokenProblem;

/// A token request that was well formed.
#[derive(Debug)]
pub(crate) struct TokenRequest {
    params: HashMap<String, String>,
    client: Option<ClientAuth>,
    json: bool,
}

/// How the client authenticated.
#[derive(Debug)]
struct ClientAuth {
    id: String,
    secret: String,
    /// The Basic user and password as sent, before form-decoding: many clients do not encode
    /// them as RFC 6749 section 2.3.1 asks, so both readings are tried.
    raw: Option<(String, String)>,
}

/// A refusal in the RFC 6749 section 5.2 shape.
#[derive(Debug)]
pub(crate) struct OAuthError {
    /// HTTP status of the answer.
    pub(crate) status: StatusCode,
    /// The `error` code (`invalid_request`, `access_denied`, ...).
    pub(crate) error: &'static str,
    /// The `error_description` text.
    pub(crate) description: String,
}

impl OAuthError {
    /// A refusal with `status`, `error` and `description`.
    pub(crate) fn new(
        status: StatusCode,
        error: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            description: description.into(),
        }
    }

    fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// The JSON body: `{"error": ..., "error_description": ...}`.
    pub(crate) fn body(&self) -> Value {
        json!({"error": self.error, "error_description": self.description})
    }
}

impl TokenRequest {
    /// Reads a token request from its headers and body.
    ///
    /// Refused with `invalid_request` (400): a body that is not
    /// `application/x-www-form-urlencoded`, a parameter sent twice, a malformed Basic header,
    /// or client credentials sent both as Basic and in the body.
    pub(crate) fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, OAuthError> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !media_type_is(content_type, "application/x-www-form-urlencoded") {
            return Err(OAuthError::invalid_request(
                "the request body must be application/x-www-form-urlencoded",
            ));
        }
        Self::from_form(headers, body)
    }

    /// Reads a token request whose body is either a form or a JSON object of strings (some
    /// vendors document JSON); [`TokenRequest::was_json`] tells which it was.
    ///
    /// Refused with `invalid_request` (400) as [`TokenRequest::parse`], and for a JSON body
    /// that is not an object or holds a value that is not a string.
    pub(crate) fn parse_form_or_json(headers: &HeaderMap, body: &[u8]) -> Result<Self, OAuthError> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if media_type_is(content_type, "application/x-www-form-urlencoded") {
            return Self::from_form(headers, body);
        }
        if !media_type_is(content_type, "application/json") {
            return Err(OAuthError::invalid_request(
                "the request body must be application/json or application/x-www-form-urlencoded",
            ));
        }
        let Ok(Value::Object(members)) = serde_json::from_slice::<Value>(body) else {
            return Err(OAuthError::invalid_request(
                "the request body must be a JSON object",
            ));
        };
        let mut params = HashMap::new();
        for (name, value) in members {
            match value {
                Value::String(text) => {
                    params.insert(name, text);
                }
                Value::Null => {}
                _ => {
                    return Err(OAuthError::invalid_request(format!(
                        "parameter {name} must be a string"
                    )));
                }
            }
        }
        Self::with_client(headers, params, true)
    }

    fn from_form(headers: &HeaderMap, body: &[u8]) -> Result<Self, OAuthError> {
        let mut params = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(body) {
            if params.insert(name.to_string(), value.to_string()).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "parameter {name} was sent more than once"
                )));
            }
        }
        Self::with_client(headers, params, false)
    }

    fn with_client(
        headers: &HeaderMap,
        params: HashMap<String, String>,
        json: bool,
    ) -> Result<Self, OAuthError> {
        let basic = basic_credentials(headers)?;
        let in_body = params.contains_key("client_id") || params.contains_key("client_secret");
        let client = match basic {
            Some(_) if in_body => {
                return Err(OAuthError::invalid_request(
                    "client credentials were sent both as Basic and in the body; use one method",
                ));
            }
            Some(basic) => Some(basic),
            None => params.get("client_id").map(|id| ClientAuth {
                id: id.clone(),
                secret: params.get("client_secret").cloned().unwrap_or_default(),
                raw: None,
            }),
        };
        Ok(Self {
            params,
            client,
            json,
        })
    }

    /// Whether the body was JSON rather than a form.
    pub(crate) fn was_json(&self) -> bool {
        self.json
    }

    /// A form parameter.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// The client id, whichever way it was sent.
    pub(crate) fn client_id(&self) -> Option<&str> {
        self.client.as_ref().map(|c| c.id.as_str())
    }

    /// Whether the client authenticated with HTTP Basic.
    pub(crate) fn used_basic(&self) -> bool {
        self.client.as_ref().is_some_and(|c| c.raw.is_some())
    }

    /// Whether the client authenticated as `id` with `secret`.
    pub(crate) fn client_is(&self, id: &str, secret: &str) -> bool {
        let Some(client) = &self.client else {
            return false;
        };
        (client.id == id && client.secret == secret)
            || client
                .raw
                .as_ref()
                .is_some_and(|(raw_id, raw_secret)| raw_id == id && raw_secret == secret)
    }
}

/// Whether a `Content-Type` value names `media_type` (parameters such as `charset` aside).
fn media_type_is(content_type: &str, media_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(media_type))
}

/// The PKCE `S256` challenge of `verifier`: base64url without padding of its SHA-256.
pub(crate) fn pkce_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` is a valid PKCE code verifier: 43 to 128 characters of `A-Z a-z 0-9 - .
/// _ ~` (RFC 7636 section 4.1).
pub(crate) fn is_code_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `challenge` can be an `S256` challenge: 43 base64url characters (a SHA-256 without
/// padding), so that a plain verifier sent as the challenge is caught at the authorize step.
pub(crate) fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// What an authorization code stands for, fixed at the authorize step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CodeGrant {
    /// The client the code was issued to.
    pub(crate) client_id: String,
    /// The redirect URI of the authorize request; the token request must repeat it.
    pub(crate) redirect_uri: String,
    /// The PKCE `S256` challenge.
    pub(crate) code_challenge: String,
    /// The scope asked for.
    pub(crate) scope: String,
    /// Who approved (a user id).
    pub(crate) subject: String,
}

/// Live codes with their expiry (unix ms), and the generator of new ones.
type CodeTable = (HashMap<String, (CodeGrant, i64)>, SeededRng);

/// Authorization codes: short-lived on the sandbox clock and single use.
#[derive(Debug)]
pub(crate) struct AuthorizationCodes {
    clock: Clock,
    lifetime: Duration,
    inner: Mutex<CodeTable>,
}

impl AuthorizationCodes {
    /// Codes living `lifetime` on `clock`.
    pub(crate) fn new(clock: Clock, lifetime: Duration) -> Self {
        Self {
            clock,
            lifetime,
            inner: Mutex::new((HashMap::new(), SeededRng::new(entropy()))),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CodeTable> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new code for `grant`.
    pub(crate) fn issue(&self, grant: CodeGrant) -> String {
        let now_ms = self.clock.now_millis();
        let lifetime_ms = i64::try_from(self.lifetime.as_millis()).unwrap_or(i64::MAX);
        let mut inner = self.lock();
        let code = inner.1.hex(40);
        inner.0.retain(|_, (_, expires)| *expires > now_ms);
        inner
            .0
            .insert(code.clone(), (grant, now_ms.saturating_add(lifetime_ms)));
        code
    }

    /// Takes `code` out of the store: its grant while it is alive. Any presentation consumes
    /// it, so a second one (even after a failed PKCE check) is [`TokenProblem::Unknown`].
    pub(crate) fn redeem(&self, code: &str) -> Result<CodeGrant, TokenProblem> {
        let now_ms = self.clock.now_millis();
        match self.lock().0.remove(code) {
            None => Err(TokenProblem::Unknown),
            Some((_, expires)) if expires <= now_ms => Err(TokenProblem::Expired),
            Some((grant, _)) => Ok(grant),
        }
    }
}

/// The client id and secret of an `Authorization: Basic` header, if there is one.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<ClientAuth>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || OAuthError::invalid_request("malformed Basic authorization header");
    let value = value.to_str().map_err(|_| malformed())?;
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return Err(malformed());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_request(
            "client authentication must use the Basic scheme or the request body",
        ));
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (user, password) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok(Some(ClientAuth {
        id: form_decode(user).unwrap_or_else(|| user.to_owned()),
        secret: form_decode(password).unwrap_or_else(|| password.to_owned()),
        raw: Some((user.to_owned(), password.to_owned())),
    }))
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space, `%XX` a byte).
fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn form_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        headers
    }

    #[test]
    fn body_credentials() {
        let request = TokenRequest::parse(
            &form_headers(),
            b"grant_type=client_credentials&client_id=a%20b&client_secret=s",
        )
        .expect("well formed");
        assert_eq!(request.param("grant_type"), Some("client_credentials"));
        assert!(request.client_is("a b", "s"));
        assert!(!request.used_basic());
    }

    #[test]
    fn basic_credentials_encoded_or_not() {
        let mut headers = form_headers();
        let encoded = STANDARD.encode("a%2Bb:p+q");
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("basic {encoded}")).expect("header"),
        );
        let request =
            TokenRequest::parse(&headers, b"grant_type=client_credentials").expect("well formed");
        assert!(request.used_basic());
        assert!(request.client_is("a+b", "p q"));
        assert!(request.client_is("a%2Bb", "p+q"));
    }

    #[test]
    fn json_bodies_when_the_vendor_takes_them() {
        let mut json = HeaderMap::new();
        json.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        let request = TokenRequest::parse_form_or_json(
            &json,
            br#"{"grant_type":"password","client_id":"c","client_secret":"s","scope":null}"#,
        )
        .expect("well formed");
        assert!(request.was_json());
        assert!(request.client_is("c", "s"));
        assert_eq!(request.param("scope"), None);
        assert!(TokenRequest::parse_form_or_json(&json, br#"{"expires":1}"#).is_err());
        assert!(TokenRequest::parse_form_or_json(&json, b"[]").is_err());
        let form = TokenRequest::parse_form_or_json(&form_headers(), b"grant_type=x")
            .expect("well formed");
        assert!(!form.was_json());
        assert!(TokenRequest::parse_form_or_json(&HeaderMap::new(), b"{}").is_err());
    }

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(is_code_verifier(verifier));
        assert_eq!(
            pkce_s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(is_s256_challenge(&pkce_s256(verifier)));
        assert!(!is_s256_challenge("short"));
        assert!(!is_code_verifier(
            "has space and is long enough to pass the length test"
        ));
    }

    #[test]
    fn codes_are_single_use_and_short_lived() {
        let clock = Clock::default();
        let codes = AuthorizationCodes::new(clock.clone(), Duration::from_secs(60));
        let grant = CodeGrant {
            client_id: "c".into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            code_challenge: "x".into(),
            scope: "*".into(),
            subject: "u".into(),
        };
        let code = codes.issue(grant.clone());
        assert_eq!(codes.redeem(&code), Ok(grant.clone()));
        assert_eq!(codes.redeem(&code), Err(TokenProblem::Unknown));
        let late = codes.issue(grant);
        clock.advance(Duration::from_secs(61));
        assert_eq!(codes.redeem(&late), Err(TokenProblem::Expired));
    }

    #[test]
    fn refusals() {
        let mut json = HeaderMap::new();
        json.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        assert_eq!(
            TokenRequest::parse(&json, b"{}")
                .map(|_| ())
                .map_err(|e| e.error),
            Err("invalid_request")
        );
        assert!(TokenRequest::parse(&form_headers(), b"a=1&a=2").is_err());
        let mut both = form_headers();
        both.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {}", STANDARD.encode("a:b"))).expect("header"),
        );
        assert!(TokenRequest::parse(&both, b"client_id=a").is_err());
        assert_eq!(form_decode("%zz"), None);
    }
}
