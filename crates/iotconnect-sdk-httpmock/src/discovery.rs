//! A mock of IoTConnect's discovery service, answering with the mock server's own URL for
//! every service.

use httpmock::Method::GET;
use httpmock::{Mock, MockServer};
use iotconnect_sdk::{Environment, Platform};
use serde_json::json;

/// Mocks of `GET /api/uisdk/solutionkey/{key}/env/{env}?version=..&pf=..`, for tests of
/// `Client::discover`: point the builder at the server with
/// `Client::builder().discovery_url(server.base_url())`.
///
/// ```
/// use iotconnect_sdk::{Environment, Platform};
/// use iotconnect_sdk_httpmock::DiscoveryExt as _;
/// use iotconnect_sdk_httpmock::httpmock::MockServer;
///
/// let server = MockServer::start();
/// let discovery = server.discovery_endpoint("solution/key", Environment::Poc, Platform::Aws);
/// # let _ = discovery;
/// ```
pub trait DiscoveryExt {
    /// Discovery for this solution key, environment and platform (`version` 2.1 for AWS, 2
    /// for Azure) answers every service at this server's base URL, so the sign-in mocks of
    /// [`SignInExt`](crate::SignInExt) and the generated operation mocks on the same server
    /// answer what follows. The key is matched percent-encoded as one path segment, as the
    /// SDK sends it.
    fn discovery_endpoint(
        &self,
        solution_key: &str,
        environment: Environment,
        platform: Platform,
    ) -> Mock<'_>;

    /// Every discovery request is refused the way IoTConnect refuses an unknown solution key:
    /// HTTP 200 with `data: null` and a message. The SDK reports `DiscoveryError::Refused`.
    fn discovery_refusing(&self) -> Mock<'_>;
}

impl DiscoveryExt for MockServer {
    fn discovery_endpoint(
        &self,
        solution_key: &str,
        environment: Environment,
        platform: Platform,
    ) -> Mock<'_> {
        let url = self.base_url();
        let path = format!(
            "/api/uisdk/solutionkey/{}/env/{environment}",
            path_segment(solution_key.trim())
        );
        self.mock(|when, then| {
            when.method(GET)
                .path(path)
                .query_param("version", platform.api_version())
                .query_param("pf", platform.as_str());
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({
                    "status": 200,
                    "message": "Success",
                    "data": {
                        "authBaseUrl": url,
                        "deviceBaseUrl": url,
                        "userBaseUrl": url,
                        "entityBaseUrl": url,
                        "telemetryBaseUrl": url,
                    },
                }));
        })
    }

    fn discovery_refusing(&self) -> Mock<'_> {
        self.mock(|when, then| {
            when.method(GET).path_prefix("/api/uisdk/solutionkey/");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({
                    "status": 404,
                    "message": "Solution key not found",
                    "data": null,
                }));
        })
    }
}

/// `segment` percent-encoded as one path segment (`/` as `%2F`), as the SDK sends the key.
fn path_segment(segment: &str) -> String {
    let mut url = iotconnect_sdk::reqwest::Url::parse("http://localhost/").expect("a valid URL");
    url.path_segments_mut()
        .expect("an http URL has a path")
        .pop_if_empty()
        .push(segment);
    url.path().trim_start_matches('/').to_owned()
}
