//! The HTTP client the `oauth2` crate talks through: reqwest 0.13, no redirects, vendor quirks.

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};
use reqwest::header::{CONTENT_TYPE, HeaderValue};

/// How the token request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyFormat {
    /// `application/x-www-form-urlencoded`, as RFC 6749 prescribes.
    #[default]
    Form,
    /// The same fields as a JSON object, for endpoints that only accept JSON.
    Json,
}

/// Why the transport did not hand a usable answer to `oauth2`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TransportError {
    #[error("{0}")]
    Http(#[source] reqwest::Error),
    /// The endpoint answered with an error status or an OAuth error body.
    #[error("token endpoint answered HTTP {status}")]
    Refused { status: u16, body: Bytes },
    #[error("could not build the token request: {0}")]
    Build(String),
}

/// Sends `oauth2`'s token requests with reqwest 0.13 and normalizes the answer: any 2xx becomes
/// 200 with a JSON content type, an enveloped token is unwrapped, and a non-2xx answer (or a 2xx
/// whose body is an OAuth error) is returned as [`TransportError::Refused`] with its status, which
/// `oauth2` itself would drop.
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
        Box::pin(self.send(request))
    }
}

impl Transport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (parts, body) = request.into_parts();
        let mut builder = self.http.request(parts.method, parts.uri.to_string());
        let mut headers = parts.headers;
        let body = match self.format {
            BodyFormat::Form => body,
            BodyFormat::Json => {
                let map: serde_json::Map<String, serde_json::Value> =
                    url::form_urlencoded::parse(&body)
                        .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
                        .collect();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                serde_json::to_vec(&map).map_err(|e| TransportError::Build(e.to_string()))?
            }
        };
        builder = builder.headers(headers).body(body);
        let response = builder
            .send()
            .await
            .map_err(|e| TransportError::Http(e.without_url()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| TransportError::Http(e.without_url()))?;
        if !status.is_success() {
            return Err(TransportError::Refused {
                status: status.as_u16(),
                body: bytes,
            });
        }
        let body = self.normalize_success(status.as_u16(), bytes)?;
        let mut out = http::Response::new(body);
        out.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(out)
    }

    fn normalize_success(&self, status: u16, bytes: Bytes) -> Result<Vec<u8>, TransportError> {
        let Ok(serde_json::Value::Object(mut object)) = serde_json::from_slice(&bytes) else {
            // Not a JSON object: let oauth2's parser report it as malformed.
            return Ok(bytes.to_vec());
        };
        if object.contains_key("error") && !object.contains_key("access_token") {
            return Err(TransportError::Refused {
                status,
                body: bytes,
            });
        }
        if let Some(key) = &self.envelope
            && let Some(inner) = object.remove(key)
        {
            if inner.get("error").is_some() && inner.get("access_token").is_none() {
                return Err(TransportError::Refused {
                    status,
                    body: bytes,
                });
            }
            return serde_json::to_vec(&inner).map_err(|e| TransportError::Build(e.to_string()));
        }
        Ok(bytes.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(envelope: Option<&str>) -> Transport {
        Transport {
            http: reqwest::Client::new(),
            format: BodyFormat::Form,
            envelope: envelope.map(str::to_owned),
        }
    }

    #[test]
    fn unwraps_the_envelope() {
        let out = transport(Some("data"))
            .normalize_success(
                201,
                Bytes::from_static(br#"{"status":200,"data":{"access_token":"a"}}"#),
            )
            .expect("ok");
        assert_eq!(out, br#"{"access_token":"a"}"#);
    }

    #[test]
    fn an_error_body_with_200_is_a_refusal() {
        let err = transport(None)
            .normalize_success(200, Bytes::from_static(br#"{"error":"invalid_grant"}"#))
            .expect_err("refused");
        assert!(matches!(err, TransportError::Refused { status: 200, .. }));
    }

    #[test]
    fn other_bodies_pass_through() {
        let out = transport(None)
            .normalize_success(200, Bytes::from_static(b"<html>"))
            .expect("ok");
        assert_eq!(out, b"<html>");
    }
}
