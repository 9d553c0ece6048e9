//! Reading an OAuth2 token request (RFC 6749): the form body and the client's authentication,
//! in the body or as HTTP Basic. Which grants a vendor accepts and how it answers are the
//! vendor's business.

use std::collections::HashMap;

use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// A token request that was well formed.
#[derive(Debug)]
pub(crate) struct TokenRequest {
    params: HashMap<String, String>,
    client: Option<ClientAuth>,
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
        let is_form = content_type.split(';').next().is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
        if !is_form {
            return Err(OAuthError::invalid_request(
                "the request body must be application/x-www-form-urlencoded",
            ));
        }
        let mut params = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(body) {
            if params.insert(name.to_string(), value.to_string()).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "parameter {name} was sent more than once"
                )));
            }
        }
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
        Ok(Self { params, client })
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
