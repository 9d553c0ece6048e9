//! Clients pointed at a mock server, with a fixed token: no sign-in, no credentials.

use std::time::Duration;

use httpmock::MockServer;
use iotconnect_sdk::{Auth, AuthError, Client, RetryPolicy, ServiceUrls, StaticToken};
use iotconnect_sdk::{auth, device, telemetry, user};

/// The token every [`client`] sends.
pub const TEST_TOKEN: &str = "iotconnect-test-token";

/// The `Authorization` header every [`client`] sends: `Bearer ` and [`TEST_TOKEN`].
pub const TEST_BEARER: &str = "Bearer iotconnect-test-token";

/// Every service at `server`'s base URL. The services' paths do not overlap (`/Auth`,
/// `/Device`, `/User`, `/Telemetry`, ...), so one mock server can stand for all four; give
/// these URLs to `Client::builder().urls(..)` to test the real sign-in against
/// [`SignInExt`](crate::SignInExt).
#[must_use]
pub fn urls(server: &MockServer) -> ServiceUrls {
    let url = server.base_url();
    ServiceUrls {
        auth: url.clone(),
        device: url.clone(),
        user: url.clone(),
        telemetry: url,
    }
}

/// An [`iotconnect_sdk::Client`] whose four services call `server` with the fixed token
/// [`TEST_TOKEN`], so a test of API calls needs no sign-in mocks and no credentials.
///
/// Everything else is the SDK's own request layer: the bearer header, the typed errors, and
/// retries with the default number of attempts, only with the short delays of
/// [`fast_retry_policy`].
///
/// ```
/// use iotconnect_sdk::ClientInfo as _;
/// use iotconnect_sdk_httpmock::httpmock::MockServer;
///
/// let server = MockServer::start();
/// let client = iotconnect_sdk_httpmock::client(&server);
/// assert_eq!(client.device().baseurl(), &server.base_url());
/// ```
#[must_use]
pub fn client(server: &MockServer) -> Client {
    // A constant that StaticToken accepts; a unit test holds it to that.
    client_with_token(server, TEST_TOKEN).expect("TEST_TOKEN is a valid token")
}

/// Like [`client`], with a token of your own (to check which token a call carries, say).
///
/// # Errors
/// [`AuthError::MalformedResponse`] when `token` is empty or holds control characters.
pub fn client_with_token(server: &MockServer, token: &str) -> Result<Client, AuthError> {
    let auth = Auth::new(StaticToken::new(token.to_owned())?).with_retry(fast_retry_policy());
    let url = server.base_url();
    let http = iotconnect_sdk::reqwest::Client::new();
    Ok(Client::from_parts(
        auth::Client::new_with_client(&url, http.clone(), auth.clone()),
        device::Client::new_with_client(&url, http.clone(), auth.clone()),
        user::Client::new_with_client(&url, http.clone(), auth.clone()),
        telemetry::Client::new_with_client(&url, http, auth),
    ))
}

/// The SDK's default retry policy (same number of attempts) with delays of a few
/// milliseconds, so a test of a `503` or a `429` does not wait seconds.
#[must_use]
pub fn fast_retry_policy() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_token_is_accepted_and_the_bearer_matches_it() {
        StaticToken::new(TEST_TOKEN).expect("a valid token");
        assert_eq!(TEST_BEARER, format!("Bearer {TEST_TOKEN}"));
    }

    #[test]
    fn an_empty_token_is_an_error() {
        let server = MockServer::start();
        assert!(matches!(
            client_with_token(&server, ""),
            Err(AuthError::MalformedResponse { .. })
        ));
    }
}
