//! The HTTP client the `oauth2` crate talks through: reqwest 0.13 from the toolkit, which
//! never follows redirects, and the toolkit's reading of the answer.

use std::future::Future;
use std::pin::Pin;

use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use secrecy::ExposeSecret as _;

use crate::AuthError;
use crate::fetch::{TokenAnswer, send_token_request};

/// How the token request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyFormat {
    /// `application/x-www-form-urlencoded`, as RFC 6749 prescribes.
    #[default]
    Form,
    /// The same fields as a JSON object, for endpoints that only accept JSON.
    Json,
}

/// Why the transport handed no answer to `oauth2`: the toolkit's typed error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct TransportError(pub(crate) AuthError);

/// Sends `oauth2`'s token requests and reads the answer with [`TokenAnswer`], so that `oauth2`
/// only ever parses a clean, standard answer: failures (rejections, unavailability, malformed
/// answers, enveloped tokens) are settled here, with the toolkit's rules.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) format: BodyFormat,
    pub(crate) envelope: Option<String>,
}

impl<'c> AsyncHttpClient<'c> for Transport {
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move { self.send(request).await.map_err(TransportError) })
    }
}

impl Transport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, AuthError> {
        let (parts, body) = request.into_parts();
        let mut headers = parts.headers;
        let body = match self.format {
            BodyFormat::Form => body,
            BodyFormat::Json => {
                let map: serde_json::Map<String, serde_json::Value> =
                    url::form_urlencoded::parse(&body)
                        .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
                        .collect();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                serde_json::to_vec(&map).map_err(|_| {
                    AuthError::InvalidConfig("cannot encode the token request".into())
                })?
            }
        };
        let request = self
            .http
            .request(parts.method, parts.uri.to_string())
            .headers(headers)
            .body(body);
        let reply = send_token_request(request).await?;
        let answer =
            TokenAnswer::parse(reply.status.as_u16(), &reply.body, self.envelope.as_deref())?;
        let mut clean = serde_json::json!({
            "access_token": answer.access_token.expose_secret(),
            "token_type": "bearer",
        });
        if let Some(lifetime) = answer.expires_in {
            clean["expires_in"] = lifetime.as_secs().into();
        }
        if let Some(refresh) = &answer.refresh_token {
            clean["refresh_token"] = refresh.expose_secret().into();
        }
        let mut out = http::Response::new(clean.to_string().into_bytes());
        out.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(out)
    }
}
