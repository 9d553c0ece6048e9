//! Clients pointed at a mock server, with a fixed token: no token endpoint, no credentials.

use std::time::Duration;

use everactive_sdk::{Auth, AuthError, Client, RetryPolicy};
use httpmock::MockServer;
use sdk_auth::StaticToken;

/// The token every [`client`] sends.
pub const TEST_TOKEN: &str = "everactive-test-token";

/// The `Authorization` header every [`client`] sends: `Bearer ` and [`TEST_TOKEN`].
pub const TEST_BEARER: &str = "Bearer everactive-test-token";

/// An [`everactive_sdk::Client`] that sends its calls to `server` with the fixed token
/// [`TEST_TOKEN`], so a test needs no token endpoint and no credentials.
///
/// Everything else is the SDK's own request layer: the bearer header, the typed errors, and
/// retries with the default number of attempts, only with the short delays of
/// [`fast_retry_policy`].
///
/// ```
/// use everactive_sdk::ClientInfo as _;
/// use everactive_sdk_httpmock::httpmock::MockServer;
///
/// let server = MockServer::start();
/// let client = everactive_sdk_httpmock::client(&server);
/// assert_eq!(client.baseurl(), &server.base_url());
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
    Ok(Client::new_with_client(
        &server.base_url(),
        everactive_sdk::reqwest::Client::new(),
        auth,
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
