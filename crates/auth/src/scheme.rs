//! Where a token goes on a request: a header or a query parameter.

use reqwest::Request;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::ExposeSecret;

use crate::{AuthError, Token};

/// How a token is placed on a request; applied before the first send and again on the resend
/// after a rejection, so the resend carries the new token wherever it goes.
///
/// ```
/// use sdk_auth::{AuthScheme, Token};
/// let token = Token::new("t0ken")?;
/// let mut request = reqwest::Request::new(
///     reqwest::Method::GET,
///     "https://ev.example.com/evj/ExtraView/ev_api.action?statevar=get&id=7".parse().unwrap(),
/// );
/// AuthScheme::query("access_token").apply(&token, &mut request)?;
/// assert_eq!(request.url().query(), Some("statevar=get&id=7&access_token=t0ken"));
///
/// AuthScheme::bearer().apply(&token, &mut request)?;
/// assert_eq!(request.headers()["authorization"], "Bearer t0ken");
/// # Ok::<(), sdk_auth::AuthError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthScheme {
    /// A header: `name: <prefix> <token>`, or the bare token when there is no prefix. The
    /// value is marked sensitive, so `http`'s `Debug` never prints it.
    Header {
        /// The header's name.
        name: HeaderName,
        /// The word before the token, such as `Bearer`.
        prefix: Option<String>,
    },
    /// A query parameter, replacing any parameter of the same name.
    Query {
        /// The parameter's name.
        name: String,
    },
}

impl Default for AuthScheme {
    /// `Authorization: Bearer <token>`.
    fn default() -> Self {
        Self::bearer()
    }
}

impl AuthScheme {
    /// `Authorization: Bearer <token>`, the OAuth2 default (RFC 6750).
    pub fn bearer() -> Self {
        Self::header(AUTHORIZATION, Some("Bearer"))
    }

    /// A header with an optional scheme word before the token.
    pub fn header(name: HeaderName, prefix: Option<&str>) -> Self {
        Self::Header {
            name,
            prefix: prefix.map(str::to_owned),
        }
    }

    /// A query parameter, as ExtraView's `access_token=`.
    pub fn query(name: &str) -> Self {
        Self::Query {
            name: name.to_owned(),
        }
    }

    /// Places `token` on `request`, replacing a token placed before.
    ///
    /// # Errors
    /// [`AuthError::MalformedResponse`] when the token cannot be a header value.
    pub fn apply(&self, token: &Token, request: &mut Request) -> Result<(), AuthError> {
        let secret = token.access_token().expose_secret();
        match self {
            Self::Header { name, prefix } => {
                let text = match prefix {
                    Some(prefix) => format!("{prefix} {secret}"),
                    None => secret.to_owned(),
                };
                let mut value = HeaderValue::try_from(text).map_err(|_| {
                    AuthError::malformed(200, "the access token cannot be a header value")
                })?;
                value.set_sensitive(true);
                request.headers_mut().insert(name.clone(), value);
            }
            Self::Query { name } => {
                let url = request.url_mut();
                if url.query_pairs().any(|(key, _)| key == name.as_str()) {
                    let kept: Vec<(String, String)> = url
                        .query_pairs()
                        .filter(|(key, _)| key != name.as_str())
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    url.query_pairs_mut().clear().extend_pairs(kept);
                }
                url.query_pairs_mut().append_pair(name, secret);
            }
        }
        Ok(())
    }
}

impl AuthScheme {
    /// Whether `request` carries `token` where this scheme puts it. Used only where the layer
    /// has no record of the token it placed.
    pub fn carries(&self, request: &Request, token: &Token) -> bool {
        let secret = token.access_token().expose_secret();
        match self {
            Self::Header { name, prefix } => request.headers().get(name).is_some_and(|value| {
                let value = value.as_bytes();
                match prefix {
                    Some(prefix) => value
                        .strip_prefix(prefix.as_bytes())
                        .and_then(|rest| rest.strip_prefix(b" "))
                        .is_some_and(|rest| rest == secret.as_bytes()),
                    None => value == secret.as_bytes(),
                }
            }),
            Self::Query { name } => request
                .url()
                .query_pairs()
                .any(|(key, value)| key == name.as_str() && value == secret),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url: &str) -> Request {
        Request::new(reqwest::Method::GET, url.parse().expect("url"))
    }

    #[test]
    fn a_header_is_sensitive_and_replaced() {
        let mut r = request("https://api.example.com/x");
        AuthScheme::bearer()
            .apply(&Token::new("one").expect("t"), &mut r)
            .expect("applied");
        AuthScheme::bearer()
            .apply(&Token::new("two").expect("t"), &mut r)
            .expect("applied");
        assert_eq!(r.headers().get_all(AUTHORIZATION).iter().count(), 1);
        assert_eq!(r.headers()[AUTHORIZATION], "Bearer two");
        assert!(r.headers()[AUTHORIZATION].is_sensitive());
        let raw = AuthScheme::header(HeaderName::from_static("x-api-token"), None);
        raw.apply(&Token::new("three").expect("t"), &mut r)
            .expect("applied");
        assert_eq!(r.headers()["x-api-token"], "three");
    }

    #[test]
    fn carries_tells_the_token_placed() {
        let (one, two) = (Token::new("one").expect("t"), Token::new("two").expect("t"));
        for scheme in [AuthScheme::bearer(), AuthScheme::query("access_token")] {
            let mut r = request("https://api.example.com/x?a=1");
            scheme.apply(&one, &mut r).expect("applied");
            assert!(scheme.carries(&r, &one));
            assert!(!scheme.carries(&r, &two));
        }
    }

    #[test]
    fn a_query_parameter_is_replaced_and_encoded() {
        let mut r = request("https://ev.example.com/ev_api.action?statevar=get&access_token=old");
        let scheme = AuthScheme::query("access_token");
        scheme
            .apply(&Token::new("n&w=1").expect("t"), &mut r)
            .expect("applied");
        assert_eq!(r.url().query(), Some("statevar=get&access_token=n%26w%3D1"));
    }
}
