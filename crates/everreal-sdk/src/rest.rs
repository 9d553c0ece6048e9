//! The REST calls: the accounts service and webhook subscriptions. Each is a thin typed
//! wrapper over the request layer: build the request, send it, decode the answer.

use reqwest::Method;
use reqwest::header::LOCATION;
use sdk_auth::{AuthScheme, ExposeSecret as _};

use crate::webhooks::{WebhookCreate, WebhookEventType, WebhookSubscription};
use crate::{Client, Error, TokenInfo, UserInfo, UsersMe};

/// `GET`: the signed-in user, companies and token.
const USERS_ME_PATH: &str = "/accounts/api/users/me";
/// `GET`: the OpenID-style profile.
const USERINFO_PATH: &str = "/accounts/api/userinfo";
/// `GET ?access_token=`: token introspection.
const TOKENINFO_PATH: &str = "/accounts/api/tokeninfo";
/// `GET ?token=`: token revocation.
const TOKENREVOKE_PATH: &str = "/accounts/api/tokenrevoke";
/// `GET` (list), `POST` (create), and `DELETE /{id}`.
const WEBHOOKS_PATH: &str = "/api/external-integrations/webhooks";

impl Client {
    /// The signed-in user, their companies and their token (`GET /accounts/api/users/me`).
    ///
    /// ```no_run
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let me = client.users_me().await?;
    /// println!("{} works for {:?}", me.id, me.current_company.and_then(|c| c.name));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The call's [`Error`].
    pub async fn users_me(&self) -> Result<UsersMe, Error> {
        self.get("users_me", USERS_ME_PATH).await
    }

    /// The OpenID-style profile of the signed-in user (`GET /accounts/api/userinfo`).
    ///
    /// ```no_run
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let profile = client.userinfo().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The call's [`Error`].
    pub async fn userinfo(&self) -> Result<UserInfo, Error> {
        self.get("userinfo", USERINFO_PATH).await
    }

    /// What the client's access token allows (`GET /accounts/api/tokeninfo?access_token=`).
    ///
    /// The token travels in the query string, as EverReal asks; it is placed by the request
    /// layer (so a resend after a rejection carries the new token) and never shows in an
    /// error, a log line or a `Debug`.
    ///
    /// ```no_run
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let info = client.token_info().await?;
    /// println!("expires in {:?} s", info.expires_in);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The call's [`Error`].
    pub async fn token_info(&self) -> Result<TokenInfo, Error> {
        let auth = self
            .auth()
            .clone()
            .with_scheme(AuthScheme::query("access_token"));
        let request = self
            .request(Method::GET, self.url(TOKENINFO_PATH)?)
            .build()
            .map_err(build_error)?;
        let response = self.send_with(&auth, request, "token_info").await?;
        self.decode(response).await
    }

    /// Revokes the access token the client holds now (`GET /accounts/api/tokenrevoke?token=`).
    /// The next call gets a new one: the API refuses the revoked token, and the client
    /// fetches another (with the refresh token, if it has one).
    ///
    /// ```no_run
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// client.revoke().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The call's [`Error`].
    pub async fn revoke(&self) -> Result<(), Error> {
        let token = self.auth().token().await?;
        let mut url = self.url(TOKENREVOKE_PATH)?;
        // Set by hand, not by a query scheme: after a rejection, the layer would place the
        // new token there and revoke it too.
        url.query_pairs_mut()
            .append_pair("token", token.access_token().expose_secret());
        let request = self
            .request(Method::GET, url)
            .build()
            .map_err(build_error)?;
        self.send(request, "revoke").await?;
        Ok(())
    }

    /// Every webhook subscription (`GET /api/external-integrations/webhooks`).
    ///
    /// ```no_run
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// for hook in client.webhooks().await? {
    ///     println!("{} {:?} -> {:?}", hook.id, hook.type_, hook.url);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The call's [`Error`].
    pub async fn webhooks(&self) -> Result<Vec<WebhookSubscription>, Error> {
        let list: Option<Vec<WebhookSubscription>> = self.get("webhooks", WEBHOOKS_PATH).await?;
        Ok(list.unwrap_or_default())
    }

    /// Subscribes `url` to one event type (`POST /api/external-integrations/webhooks`) and
    /// returns the new subscription's id, which EverReal sends in the `Location` header (a
    /// bare id, or a URL ending in it).
    ///
    /// ```no_run
    /// use everreal_sdk::WebhookEventType;
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let id = client
    ///     .create_webhook(WebhookEventType::ListingContractFlowSigned, "https://hooks.acme.example/everreal")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Before any request: an empty event type, or a URL that is not `https://` (loopback
    /// `http://` excepted). Then the call's [`Error`], or a decode error when the answer has
    /// no usable `Location`.
    pub async fn create_webhook(
        &self,
        event_type: WebhookEventType,
        url: &str,
    ) -> Result<String, Error> {
        if event_type.as_str().trim().is_empty() {
            return Err(Error::invalid("the webhook event type is empty"));
        }
        check_receiver_url(url)?;
        let body = WebhookCreate {
            type_: event_type,
            url: url.trim().to_owned(),
        };
        let request = self
            .request(Method::POST, self.url(WEBHOOKS_PATH)?)
            .json(&body)
            .build()
            .map_err(build_error)?;
        let response = self.send(request, "create_webhook").await?;
        let status = response.status();
        let id = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(id_from_location);
        id.ok_or_else(|| {
            sdk_auth::Error::decode(
                Some(status),
                "the answer has no `Location` header ending in the new webhook's id",
                b"",
                self.auth().redactor(),
            )
            .into()
        })
    }

    /// Deletes a webhook subscription (`DELETE /api/external-integrations/webhooks/{id}`).
    ///
    /// ```no_run
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// client.delete_webhook("0e9b3c4a-5d1e-4c55-9f4e-8f2d7c1a2b3c").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An id that is empty or holds anything but letters, digits, `-` and `_`, before any
    /// request; then the call's [`Error`].
    pub async fn delete_webhook(&self, id: &str) -> Result<(), Error> {
        if !is_id(id) {
            return Err(Error::invalid(format!(
                "a webhook id holds letters, digits, `-` and `_` only, got {id:?}"
            )));
        }
        let mut url = self.url(WEBHOOKS_PATH)?;
        url.path_segments_mut()
            .map_err(|()| Error::invalid("the base URL cannot take a path"))?
            .push(id);
        let request = self
            .request(Method::DELETE, url)
            .build()
            .map_err(build_error)?;
        self.send(request, "delete_webhook").await?;
        Ok(())
    }

    /// `GET path`, decoded as `T`.
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        operation: &'static str,
        path: &str,
    ) -> Result<T, Error> {
        let request = self
            .request(Method::GET, self.url(path)?)
            .build()
            .map_err(build_error)?;
        let response = self.send(request, operation).await?;
        self.decode(response).await
    }
}

/// A request that cannot be built, without its URL (the query may hold a token).
fn build_error(err: reqwest::Error) -> Error {
    Error::invalid(format!("cannot build the request: {}", err.without_url()))
}

/// Whether `id` can be a path segment as it is: what EverReal's UUIDs are made of.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The id at the end of a `Location` value: `0e9b…`, `/api/…/webhooks/0e9b…` or a whole URL,
/// with or without a trailing slash.
fn id_from_location(value: &str) -> Option<String> {
    let path = value.trim().split(['?', '#']).next()?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    is_id(last).then(|| last.to_owned())
}

/// A receiver must be reachable over TLS; loopback `http://` is allowed for local tests.
/// Unlike a base URL, a query is fine: it is where a receiver without signatures keeps its
/// secret.
fn check_receiver_url(raw: &str) -> Result<(), Error> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| Error::invalid(format!("the webhook URL is not a valid URL ({e})")))?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if sdk_auth::is_loopback(&url) => Ok(()),
        _ => Err(Error::invalid(
            "the webhook URL must be https:// (http:// only on loopback)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_location_values() {
        let uuid = "0e9b3c4a-5d1e-4c55-9f4e-8f2d7c1a2b3c";
        for value in [
            uuid.to_owned(),
            format!(" {uuid} "),
            format!("/api/external-integrations/webhooks/{uuid}"),
            format!("https://acme.everreal.co/api/external-integrations/webhooks/{uuid}/"),
            format!("https://acme.everreal.co/webhooks/{uuid}?x=1"),
        ] {
            assert_eq!(id_from_location(&value).as_deref(), Some(uuid), "{value}");
        }
        for value in ["", "/", "https://acme.everreal.co/a b", "https://x/%2e%2e"] {
            assert_eq!(id_from_location(value), None, "{value}");
        }
    }

    #[test]
    fn receiver_urls() {
        assert!(check_receiver_url("https://hooks.acme.example/er?key=abc").is_ok());
        assert!(check_receiver_url("http://127.0.0.1:9000/hook").is_ok());
        for bad in [
            "http://hooks.acme.example/er",
            "ftp://x",
            "hooks.acme.example",
            "",
        ] {
            assert!(check_receiver_url(bad).is_err(), "{bad}");
        }
    }
}
