//! Signing in: `get_token` with the user id and password, as a `TokenFetcher` on the
//! `sdk-auth` toolkit, and the rule that recognizes a refused token inside an HTTP 200.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, HeaderMap};
use sdk_auth::fetch::send_token_request;
use sdk_auth::{
    AuthError, BoxFuture, Classifier, ExposeSecret as _, Outcome, SecretString, Token,
    TokenFetcher, Verdict, redacted_excerpt,
};

use crate::catalogue::GET_TOKEN;
use crate::commands::Call;
use crate::parse::{self, MAX_MESSAGE_LEN, server_message};
use crate::{AccessToken, ApiErrorKind};

/// The form of the `get_token` answer to ask for. Either form is read whatever was asked:
/// this only sets `ev_send_xml`.
///
/// ```
/// let client = extraview_sdk::Client::builder()
///     .base_url("https://ev.example.com/evj/ExtraView/ev_api.action")
///     .credentials("jdoe", "pw")
///     .token_format(extraview_sdk::TokenFormat::Xml)
///     .build()?;
/// # Ok::<(), extraview_sdk::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenFormat {
    /// `Key:Value` lines (the default; the documented XML is not well-formed).
    #[default]
    Text,
    /// XML (`ev_send_xml=true`).
    Xml,
}

/// Gets tokens with `get_token`. There is no refresh grant: every new token is a new
/// sign-in with the password.
pub(crate) struct GetToken {
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: url::Url,
    pub(crate) user_id: String,
    pub(crate) password: SecretString,
    pub(crate) format: TokenFormat,
}

impl fmt::Debug for GetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetToken")
            .field("endpoint", &self.endpoint.as_str())
            .field("user_id", &self.user_id)
            .field("password", &"[redacted]")
            .field("format", &self.format)
            .finish()
    }
}

impl GetToken {
    async fn sign_in(&self) -> Result<Token, AuthError> {
        let mut call = Call::new(&GET_TOKEN);
        let built = call
            .param("user_id", &self.user_id)
            .and_then(|c| c.param("password", self.password.expose_secret()))
            .and_then(|c| match self.format {
                TokenFormat::Xml => c.param("ev_send_xml", "true"),
                TokenFormat::Text => Ok(c),
            });
        if let Err(err) = built {
            return Err(AuthError::InvalidConfig(err.to_string()));
        }
        // The password travels in the query string, as ExtraView documents; the toolkit's
        // errors never carry the URL, and the cache scrubs the password from every message.
        let reply = send_token_request(self.http.get(call.url(&self.endpoint))).await?;
        match parse::token(&reply.body) {
            Ok(answer) => into_token(answer),
            Err(err) => Err(refusal(reply.status, &reply.body, &err)),
        }
    }
}

/// The cache's token: the lifetime from `Lifetime`, else the absolute expiry, else none
/// (used until the server refuses it).
fn into_token(answer: AccessToken) -> Result<Token, AuthError> {
    let token = Token::new(answer.value)?;
    Ok(match (answer.lifetime, answer.expires_at) {
        (Some(seconds), _) => token.expires_in(Duration::from_secs(seconds)),
        (None, Some(at)) => token.expires_at(SystemTime::from(at)),
        (None, None) => token,
    })
}

/// What a `get_token` answer without a token means: a broken token answer is malformed (and
/// never quoted, it may hold the token); a short text is the server's refusal, shown with the
/// shape rules (the cache scrubs the password by value too).
fn refusal(status: StatusCode, body: &[u8], err: &parse::ParseError) -> AuthError {
    let status = status.as_u16();
    if parse::looks_like_token_answer(body) {
        return AuthError::MalformedResponse {
            status,
            detail: err.to_string(),
        };
    }
    let text = parse::body_text(body);
    match server_message(&text) {
        Some((_, message)) => AuthError::Rejected {
            status,
            code: None,
            description: Some(redacted_excerpt(message.as_bytes())),
        },
        None => AuthError::MalformedResponse {
            status,
            detail: format!("get_token answered without a token ({} bytes)", body.len()),
        },
    }
}

impl TokenFetcher for GetToken {
    fn fetch<'a>(
        &'a self,
        _previous: Option<&'a Token>,
    ) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(self.sign_in())
    }

    fn secrets(&self) -> Vec<SecretString> {
        vec![self.password.clone()]
    }

    fn account(&self) -> Option<String> {
        Some(format!("{} {}", self.endpoint, self.user_id))
    }
}

/// The rule that makes the request layer sign in again: ExtraView answers an expired token or
/// a failed sign-on with HTTP 200 and a short text (`Invalid sign on`, `session expired`, ...).
/// The layer then fetches a new token, places it as `access_token`, and resends once; a
/// second refusal is returned as an auth error.
///
/// Only short one-line answers that are not XML and hold no list delimiter (`|`, `;`, tab)
/// are read, so no record, list of several lines or text file is ever taken for a refusal
/// because of a word in its data.
///
/// ```
/// use sdk_auth::{Auth, AuthScheme, StaticToken};
/// let auth = Auth::new(StaticToken::new("t0ken")?)
///     .with_scheme(AuthScheme::query("access_token"))
///     .with_classifier(extraview_sdk::SignOnRejected);
/// # Ok::<(), sdk_auth::AuthError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SignOnRejected;

impl Classifier for SignOnRejected {
    fn wants_body(&self, status: StatusCode, headers: &HeaderMap) -> bool {
        let length = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<usize>().ok());
        status.is_success() && length.is_none_or(|l| l <= MAX_MESSAGE_LEN)
    }

    fn classify(&self, outcome: &Outcome<'_>, verdict: Verdict) -> Verdict {
        let Outcome::Response {
            status,
            body: Some(body),
            ..
        } = outcome
        else {
            return verdict;
        };
        if !status.is_success() || body.len() > MAX_MESSAGE_LEN {
            return verdict;
        }
        match server_message(&String::from_utf8_lossy(body)) {
            // A refusal is one line without a list delimiter: a list or a text file of
            // several lines (a category `Login failed`, a log) is data.
            Some((Some(ApiErrorKind::SignOn), message))
                if message.lines().count() == 1 && !message.contains(['|', ';', '\t']) =>
            {
                Verdict::TokenRejected
            }
            _ => verdict,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(status: u16, body: &[u8]) -> Verdict {
        let headers = HeaderMap::new();
        let outcome = Outcome::Response {
            status: StatusCode::from_u16(status).expect("status"),
            headers: &headers,
            body: Some(body),
        };
        SignOnRejected.classify(&outcome, Verdict::Done)
    }

    #[test]
    fn refusals_in_a_200_reject_the_token_and_data_does_not() {
        assert_eq!(verdict(200, b"Invalid sign on\r\n"), Verdict::TokenRejected);
        assert_eq!(
            verdict(200, b"Error: your session has expired"),
            Verdict::TokenRejected
        );
        assert_eq!(verdict(200, b"Access denied"), Verdict::Done);
        assert_eq!(
            verdict(
                200,
                b"<PROBLEM_RECORD><SHORT_DESCR>Token expired</SHORT_DESCR></PROBLEM_RECORD>"
            ),
            Verdict::Done
        );
        assert_eq!(verdict(500, b"Invalid sign on"), Verdict::Done);
        assert_eq!(
            verdict(200, b"1|Login failed\r\n2|Printer\r\n"),
            Verdict::Done
        );
        assert_eq!(
            verdict(200, b"login failed\nsession expired\n"),
            Verdict::Done
        );
        let long = format!("Token expired {}", "x".repeat(MAX_MESSAGE_LEN));
        assert_eq!(verdict(200, long.as_bytes()), Verdict::Done);
    }

    #[test]
    fn a_token_answer_without_a_token_is_malformed_and_a_text_is_a_refusal() {
        let err = parse::token(b"Type:Bearer").expect_err("no token");
        let malformed = refusal(StatusCode::OK, b"Type:Bearer", &err);
        assert!(
            matches!(malformed, AuthError::MalformedResponse { .. }),
            "{malformed:?}"
        );
        let refused = refusal(StatusCode::OK, b"Invalid user id or password", &err);
        assert!(refused.is_rejected(), "{refused:?}");
        assert!(
            refused.to_string().contains("Invalid user id or password"),
            "{refused}"
        );
    }
}
