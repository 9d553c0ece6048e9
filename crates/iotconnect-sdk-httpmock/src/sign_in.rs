//! Mocks of IoTConnect's sign-in exchanges, which the generated helpers leave out: the SDK
//! performs them in its sign-in flow, not as operations.

use httpmock::Method::{GET, POST};
use httpmock::{Mock, MockServer};
use serde_json::json;

/// The basic token [`SignInExt::basic_token_endpoint`] hands out; the login mocks expect it
/// back as `Authorization: Basic <BASIC_TOKEN>`.
pub const BASIC_TOKEN: &str = "YmFzaWMtdG9rZW4tZm9yLXRlc3Rz";

/// Lifetime of the tokens the login and refresh mocks hand out, in seconds: a day, as observed
/// on IoTConnect.
pub const TOKEN_LIFETIME_SECS: u64 = 86_400;

/// Mocks of the auth service's token exchanges, for tests that go through the SDK's real
/// sign-in: `GET /Auth/basic-token`, `POST /Auth/login`, `POST /Auth/refresh-token`.
///
/// A client built with credentials and [`urls`](crate::urls) signs in against them. Tests
/// that only care about API calls need none of this: see [`client`](crate::client).
///
/// ```
/// use iotconnect_sdk::{Client, Credentials};
/// use iotconnect_sdk_httpmock::SignInExt as _;
/// use iotconnect_sdk_httpmock::httpmock::MockServer;
///
/// let server = MockServer::start();
/// server.basic_token_endpoint();
/// let login = server.login_endpoint("dev@example.com", "pw", "solution-key", "access-1", "refresh-1");
/// let client = Client::builder()
///     .credentials(Credentials::new("dev@example.com", "pw", "solution-key")?)
///     .urls(iotconnect_sdk_httpmock::urls(&server))
///     .build()?;
/// # let _ = (login, client);
/// # Ok::<(), iotconnect_sdk::Error>(())
/// ```
///
/// httpmock answers a request with the first mock that matches, in the order they were made,
/// so a refusal made after an endpoint answers only what the endpoint does not match.
pub trait SignInExt {
    /// `GET /Auth/basic-token` answers `{"data": BASIC_TOKEN, "status": 200, ...}`.
    fn basic_token_endpoint(&self) -> Mock<'_>;

    /// `POST /Auth/login` with `Authorization: Basic <BASIC_TOKEN>`, this `solution-key`
    /// header and the JSON body `{"username", "password"}` answers 200 with these tokens,
    /// at the top level as IoTConnect answers (`token_type`, `access_token`, `expires_in`
    /// [`TOKEN_LIFETIME_SECS`], `refresh_token`, `status`). Other requests do not match.
    fn login_endpoint(
        &self,
        username: &str,
        password: &str,
        solution_key: &str,
        access_token: &str,
        refresh_token: &str,
    ) -> Mock<'_>;

    /// Every `POST /Auth/login` is refused with 401 and IoTConnect's error body: wrong
    /// credentials. The SDK reports it as `AuthError::Rejected`.
    fn login_refusing(&self) -> Mock<'_>;

    /// `POST /Auth/refresh-token` with `{"refreshtoken": refresh_token}` answers 200 with the
    /// new tokens (IoTConnect rotates both).
    fn refresh_endpoint(
        &self,
        refresh_token: &str,
        access_token: &str,
        new_refresh_token: &str,
    ) -> Mock<'_>;

    /// Every `POST /Auth/refresh-token` is refused with 409, IoTConnect's answer to a refresh
    /// token it no longer accepts; the SDK then signs in again with the password.
    fn refresh_refusing(&self) -> Mock<'_>;
}

impl SignInExt for MockServer {
    fn basic_token_endpoint(&self) -> Mock<'_> {
        self.mock(|when, then| {
            when.method(GET).path("/Auth/basic-token");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({
                    "data": BASIC_TOKEN,
                    "status": 200,
                    "message": "Basic token generated",
                }));
        })
    }

    fn login_endpoint(
        &self,
        username: &str,
        password: &str,
        solution_key: &str,
        access_token: &str,
        refresh_token: &str,
    ) -> Mock<'_> {
        self.mock(|when, then| {
            when.method(POST)
                .path("/Auth/login")
                .header("authorization", format!("Basic {BASIC_TOKEN}"))
                .header("solution-key", solution_key)
                .json_body(json!({"username": username, "password": password}));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(tokens(access_token, refresh_token));
        })
    }

    fn login_refusing(&self) -> Mock<'_> {
        self.mock(|when, then| {
            when.method(POST).path("/Auth/login");
            then.status(401)
                .header("content-type", "application/json")
                .json_body(json!({
                    "status": 401,
                    "message": "Invalid username or password",
                    "error": null,
                    "data": null,
                }));
        })
    }

    fn refresh_endpoint(
        &self,
        refresh_token: &str,
        access_token: &str,
        new_refresh_token: &str,
    ) -> Mock<'_> {
        self.mock(|when, then| {
            when.method(POST)
                .path("/Auth/refresh-token")
                .json_body(json!({"refreshtoken": refresh_token}));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(tokens(access_token, new_refresh_token));
        })
    }

    fn refresh_refusing(&self) -> Mock<'_> {
        self.mock(|when, then| {
            when.method(POST).path("/Auth/refresh-token");
            then.status(409)
                .header("content-type", "application/json")
                .json_body(json!({
                    "status": 409,
                    "message": "Invalid refresh token",
                    "error": [],
                }));
        })
    }
}

/// A login or refresh answer: the token fields at the top level, not in `data`.
fn tokens(access_token: &str, refresh_token: &str) -> serde_json::Value {
    json!({
        "token_type": "bearer",
        "access_token": access_token,
        "expires_in": TOKEN_LIFETIME_SECS,
        "refresh_token": refresh_token,
        "status": 200,
    })
}
