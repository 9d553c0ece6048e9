//! Mocks of Everactive's token endpoint, which the generated helpers leave out (the SDK never
//! calls it as an operation: `sdk-auth` fetches tokens).

use httpmock::Method::POST;
use httpmock::{Mock, MockServer};
use serde_json::json;

/// Path of the token endpoint, at the host root (not under `/ds/v1`).
pub const TOKEN_PATH: &str = "/auth/token";

/// Lifetime of the tokens [`TokenEndpointExt::token_endpoint`] hands out, in seconds: 24 h,
/// as Everactive's tokens.
pub const TOKEN_LIFETIME_SECS: u64 = 86_400;

/// Mocks of `POST /auth/token`, for tests of the token flow itself: a client built with
/// credentials (`everactive_sdk::Client::builder().credentials(..)`) fetches its token there.
/// Tests that only care about API calls need no token endpoint: see [`crate::client`].
///
/// httpmock answers a request with the first mock that matches, in the order they were
/// created. A refusal created after [`token_endpoint`](Self::token_endpoint) therefore
/// answers every other credential:
///
/// ```
/// use everactive_sdk_httpmock::TokenEndpointExt as _;
/// use everactive_sdk_httpmock::httpmock::MockServer;
///
/// let server = MockServer::start();
/// let issued = server.token_endpoint("my-client-id", "my-client-secret", "t0ken");
/// let refused = server.token_endpoint_refusing();
/// # let _ = (issued, refused);
/// ```
pub trait TokenEndpointExt {
    /// `POST /auth/token` with a client-credentials form body (`grant_type`, `client_id`,
    /// `client_secret`; other fields such as `scope` may be present) answers 201 with
    /// `{"access_token": <access_token>, "token_type": "Bearer", "expires_in": 86400}`, as
    /// Everactive answers it. A request with other credentials does not match.
    fn token_endpoint(&self, client_id: &str, client_secret: &str, access_token: &str) -> Mock<'_>;

    /// Every `POST /auth/token` is refused with 401 and
    /// `{"error": "invalid_client", "error_description": "Unknown client or wrong secret"}`:
    /// the answer to unknown credentials. The SDK reports it as
    /// `everactive_sdk::AuthError::Rejected` with the OAuth2 code `invalid_client`.
    fn token_endpoint_refusing(&self) -> Mock<'_>;
}

impl TokenEndpointExt for MockServer {
    fn token_endpoint(&self, client_id: &str, client_secret: &str, access_token: &str) -> Mock<'_> {
        self.mock(|when, then| {
            when.method(POST)
                .path(TOKEN_PATH)
                .form_urlencoded_tuple("grant_type", "client_credentials")
                .form_urlencoded_tuple("client_id", client_id)
                .form_urlencoded_tuple("client_secret", client_secret);
            then.status(201)
                .header("content-type", "application/json")
                .json_body(json!({
                    "access_token": access_token,
                    "token_type": "Bearer",
                    "expires_in": TOKEN_LIFETIME_SECS,
                }));
        })
    }

    fn token_endpoint_refusing(&self) -> Mock<'_> {
        self.mock(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(401)
                .header("content-type", "application/json")
                .json_body(json!({
                    "error": "invalid_client",
                    "error_description": "Unknown client or wrong secret",
                }));
        })
    }
}
