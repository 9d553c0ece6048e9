//! Discovery: the base URL of every IoTConnect service, from the solution key, the
//! environment and the platform.
//!
//! `GET {discovery}/api/uisdk/solutionkey/{key}/env/{env}?version={2.1|2}&pf={aws|az}`, with no
//! auth header, answers `{status, message, data}` where `data` maps names such as
//! `authBaseUrl` or `deviceBaseUrl` to base URLs; a refused key, environment, version or
//! platform is answered with `data: null` and a message.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderValue};
use sdk_auth::fetch::{rejection, transport_error};
use sdk_auth::{AuthError, ExposeSecret, Redactor, SecretString, validate_base_url};
use serde_json::Value;

use crate::{Client, ClientBuilder, Credentials, Error, ServiceUrls};

/// The discovery host of IoTConnect; [`ClientBuilder::discovery_url`] overrides it.
pub const DEFAULT_DISCOVERY_URL: &str = "https://discovery.iotconnect.io";

/// The longest vendor message kept in a [`DiscoveryError::Refused`].
const MAX_MESSAGE_CHARS: usize = 200;

/// The cloud an IoTConnect instance runs on; it fixes the API version.
///
/// ```
/// use iotconnect_sdk::Platform;
/// let aws: Platform = "aws".parse()?;
/// assert_eq!(aws, Platform::Aws);
/// assert_eq!(aws.api_version(), "2.1");
/// assert_eq!("az".parse::<Platform>()?.to_string(), "az");
/// assert!("gcp".parse::<Platform>().is_err());
/// # Ok::<(), iotconnect_sdk::DiscoveryError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// AWS (`pf=aws`), API v2.1.
    Aws,
    /// Azure (`pf=az`), API v2.
    Azure,
}

impl Platform {
    /// The value of the `pf` query parameter: `aws` or `az`.
    ///
    /// ```
    /// assert_eq!(iotconnect_sdk::Platform::Azure.as_str(), "az");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Aws => "aws",
            Platform::Azure => "az",
        }
    }

    /// The API version discovery is asked for, and that the discovered base URLs end in:
    /// `2.1` on AWS, `2` on Azure.
    ///
    /// ```
    /// assert_eq!(iotconnect_sdk::Platform::Azure.api_version(), "2");
    /// ```
    pub fn api_version(self) -> &'static str {
        match self {
            Platform::Aws => "2.1",
            Platform::Azure => "2",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = DiscoveryError;

    /// `aws`, or `az` (also `azure`), in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "aws" => Ok(Platform::Aws),
            "az" | "azure" => Ok(Platform::Azure),
            _ => Err(DiscoveryError::InvalidInput(format!(
                "unknown platform `{}`: expected `aws` or `az`",
                s.trim()
            ))),
        }
    }
}

/// An IoTConnect environment (the `env` of discovery): the names Avnet's own client offers.
///
/// ```
/// use iotconnect_sdk::Environment;
/// let env: Environment = "POC".parse()?;
/// assert_eq!(env, Environment::Poc);
/// assert_eq!(env.to_string(), "poc");
/// assert!("staging".parse::<Environment>().is_err());
/// # Ok::<(), iotconnect_sdk::DiscoveryError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// `poc`: the AWS UAT instance.
    Poc,
    /// `prod`: production.
    Prod,
    /// `avnet`: the Azure UAT instance.
    Avnet,
}

impl Environment {
    /// The name in the discovery path.
    ///
    /// ```
    /// assert_eq!(iotconnect_sdk::Environment::Avnet.as_str(), "avnet");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Poc => "poc",
            Environment::Prod => "prod",
            Environment::Avnet => "avnet",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Environment {
    type Err = DiscoveryError;

    /// `poc`, `prod` or `avnet`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "poc" => Ok(Environment::Poc),
            "prod" => Ok(Environment::Prod),
            "avnet" => Ok(Environment::Avnet),
            _ => Err(DiscoveryError::InvalidInput(format!(
                "unknown environment `{}`: expected `poc`, `prod` or `avnet`",
                s.trim()
            ))),
        }
    }
}

/// Why discovery gave no client. No variant holds the discovery URL or the solution key.
///
/// ```
/// use iotconnect_sdk::DiscoveryError;
/// let err = "mars".parse::<iotconnect_sdk::Platform>().unwrap_err();
/// assert!(matches!(err, DiscoveryError::InvalidInput(_)));
/// assert!(err.to_string().contains("mars"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// Refused before any request: an unknown platform or environment, a missing environment
    /// variable, a discovery URL that is not HTTPS (loopback excepted).
    #[error("invalid discovery input: {0}")]
    InvalidInput(String),

    /// Discovery said no: an answer without `data` (an unknown solution key, environment,
    /// version or platform) or a 4xx.
    #[error("discovery refused the solution key, environment or platform (HTTP {status}){}",
            .message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Refused {
        /// The HTTP status of the answer (IoTConnect refuses with 200 and `data: null`).
        status: u16,
        /// The vendor's `message`, shortened, secrets scrubbed.
        message: Option<String>,
    },

    /// Discovery could not be reached, timed out, or answered 408, 429 or 5xx (it is known to
    /// answer 502 with an HTML page now and then: retrying later helps).
    #[error("the discovery service is unavailable{}: {detail}",
            .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Unavailable {
        /// The HTTP status, when there was an answer.
        status: Option<u16>,
        /// What went wrong, without any URL.
        detail: String,
        /// How long the server asked to wait (`Retry-After`), if it did.
        retry_after: Option<Duration>,
    },

    /// A 2xx answer that is not a discovery answer: not JSON, or a service's base URL missing.
    #[error("malformed discovery answer (HTTP {status}): {detail}")]
    Malformed {
        /// The HTTP status of the answer.
        status: u16,
        /// What was wrong, without quoting the body.
        detail: String,
    },

    /// A discovered base URL is not usable (not HTTPS, or with a query, user info, ...).
    #[error("discovery answered an unusable `{field}`: {reason}")]
    InvalidUrl {
        /// The answer's field, such as `deviceBaseUrl`.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// The client could not be built from the discovered URLs.
    #[error(transparent)]
    Client(Error),
}

impl DiscoveryError {
    /// Whether trying again later may help ([`DiscoveryError::Unavailable`]).
    ///
    /// ```
    /// let err = iotconnect_sdk::DiscoveryError::Unavailable {
    ///     status: Some(502),
    ///     detail: "Bad Gateway".into(),
    ///     retry_after: None,
    /// };
    /// assert!(err.is_unavailable());
    /// ```
    pub fn is_unavailable(&self) -> bool {
        matches!(self, DiscoveryError::Unavailable { .. })
    }

    /// The error's text scrubbed of every value `redactor` knows.
    fn scrubbed(self, redactor: &Redactor) -> Self {
        match self {
            DiscoveryError::InvalidInput(m) => DiscoveryError::InvalidInput(redactor.scrub(&m)),
            DiscoveryError::Refused { status, message } => DiscoveryError::Refused {
                status,
                message: message.map(|m| redactor.scrub(&m)),
            },
            DiscoveryError::Unavailable {
                status,
                detail,
                retry_after,
            } => DiscoveryError::Unavailable {
                status,
                detail: redactor.scrub(&detail),
                retry_after,
            },
            DiscoveryError::Malformed { status, detail } => DiscoveryError::Malformed {
                status,
                detail: redactor.scrub(&detail),
            },
            DiscoveryError::InvalidUrl { field, reason } => DiscoveryError::InvalidUrl {
                field,
                reason: redactor.scrub(&reason),
            },
            DiscoveryError::Client(e) => DiscoveryError::Client(e),
        }
    }
}

impl From<Error> for DiscoveryError {
    fn from(err: Error) -> Self {
        DiscoveryError::Client(err)
    }
}

impl From<AuthError> for DiscoveryError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::InvalidConfig(m) => DiscoveryError::InvalidInput(m),
            AuthError::Unavailable {
                status,
                detail,
                retry_after,
            } => DiscoveryError::Unavailable {
                status,
                detail,
                retry_after,
            },
            AuthError::Rejected {
                status,
                description,
                ..
            } => DiscoveryError::Refused {
                status,
                message: description,
            },
            AuthError::MalformedResponse { status, detail } => {
                DiscoveryError::Malformed { status, detail }
            }
            other => DiscoveryError::Client(Error::Auth(other)),
        }
    }
}

/// A discovery error as the SDK's [`Error`]: bad input is [`AuthError::InvalidConfig`], a
/// client error stays as it is, anything else is [`Error::Other`] with the same (scrubbed)
/// text.
///
/// ```
/// let err: iotconnect_sdk::Error = "mars".parse::<iotconnect_sdk::Platform>().unwrap_err().into();
/// assert!(err.to_string().contains("mars"));
/// ```
impl From<DiscoveryError> for Error {
    fn from(err: DiscoveryError) -> Self {
        match err {
            DiscoveryError::InvalidInput(m) => Error::Auth(AuthError::InvalidConfig(m)),
            DiscoveryError::Client(e) => e,
            other => Error::Other(other.to_string()),
        }
    }
}

impl ClientBuilder {
    /// Asks discovery for the services' base URLs of the solution (the credentials' solution
    /// key) in `environment` on `platform`, then builds the client with them and the
    /// builder's credentials, timeout and retry policy. Only the discovery request is sent.
    ///
    /// ```no_run
    /// use iotconnect_sdk::{Client, Credentials, Environment, Platform};
    /// # async fn run() -> Result<(), iotconnect_sdk::DiscoveryError> {
    /// let client = Client::builder()
    ///     .credentials(Credentials::new("dev@example.com", "password", "solution key")?)
    ///     .discovery_url("http://127.0.0.1:7302")
    ///     .discover(Environment::Poc, Platform::Aws)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`DiscoveryError::InvalidInput`] without credentials or with a bad discovery URL (no
    /// request is sent), [`DiscoveryError::Refused`], [`DiscoveryError::Unavailable`],
    /// [`DiscoveryError::Malformed`] or [`DiscoveryError::InvalidUrl`] for the answer, and
    /// [`DiscoveryError::Client`] when the client cannot be built.
    pub async fn discover(
        self,
        environment: Environment,
        platform: Platform,
    ) -> Result<Client, DiscoveryError> {
        let credentials = self.credentials.clone().ok_or_else(|| {
            DiscoveryError::InvalidInput("credentials are missing: call .credentials(..)".into())
        })?;
        let redactor = Redactor::new();
        redactor.add(credentials.solution_key());
        redactor.add(credentials.password());
        // The key as the discovery path carries it, which a server may echo.
        redactor.add(&SecretString::from(path_segment(
            credentials.solution_key().expose_secret().trim(),
        )));
        let urls = self
            .discover_urls(&credentials, environment, platform)
            .await
            .map_err(|e| e.scrubbed(&redactor))?;
        Ok(self.urls(urls).build()?)
    }

    /// Sends the discovery request and reads the four base URLs the client uses.
    async fn discover_urls(
        &self,
        credentials: &Credentials,
        environment: Environment,
        platform: Platform,
    ) -> Result<ServiceUrls, DiscoveryError> {
        let root = validate_base_url(
            self.discovery_url
                .as_deref()
                .unwrap_or(DEFAULT_DISCOVERY_URL),
        )?;
        let mut url = reqwest::Url::parse(&root)
            .map_err(|_| DiscoveryError::InvalidInput("the discovery URL is not a URL".into()))?;
        let key = credentials.solution_key().expose_secret().trim();
        if key.chars().all(|c| c == '.') {
            return Err(DiscoveryError::InvalidInput(
                "the solution key is not a valid path segment".into(),
            ));
        }
        url.path_segments_mut()
            .map_err(|()| DiscoveryError::InvalidInput("the discovery URL has no path".into()))?
            .pop_if_empty()
            // `extend` percent-encodes each segment, `/` and `%` included.
            .extend([
                "api",
                "uisdk",
                "solutionkey",
                key,
                "env",
                environment.as_str(),
            ]);
        url.query_pairs_mut()
            .append_pair("version", platform.api_version())
            .append_pair("pf", platform.as_str());
        let http = self.http.token_client()?;
        let response = http
            .get(url)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport_error)?;
        if status.is_redirection() {
            return Err(DiscoveryError::Refused {
                status: status.as_u16(),
                message: Some("discovery redirected; redirects are not followed".into()),
            });
        }
        if !status.is_success() {
            return Err(rejection(status, &headers, &body).into());
        }
        read_answer(status.as_u16(), &body)
    }
}

/// `segment` percent-encoded as one path segment, the way the discovery URL carries it.
fn path_segment(segment: &str) -> String {
    let Ok(mut url) = reqwest::Url::parse("http://localhost/") else {
        return segment.to_owned();
    };
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().push(segment);
    }
    url.path().trim_start_matches('/').to_owned()
}

/// Reads a 2xx discovery answer into the client's base URLs.
fn read_answer(status: u16, body: &[u8]) -> Result<ServiceUrls, DiscoveryError> {
    let answer: Value = serde_json::from_slice(body).map_err(|_| DiscoveryError::Malformed {
        status,
        detail: "the answer is not JSON".into(),
    })?;
    let data = match answer.get("data") {
        None | Some(Value::Null) => {
            let message = answer
                .get("message")
                .and_then(Value::as_str)
                .map(|m| m.trim().chars().take(MAX_MESSAGE_CHARS).collect::<String>())
                .filter(|m| !m.is_empty());
            return Err(DiscoveryError::Refused { status, message });
        }
        Some(Value::Object(data)) => data,
        Some(_) => {
            return Err(DiscoveryError::Malformed {
                status,
                detail: "`data` is not an object".into(),
            });
        }
    };
    let field = |names: &[&'static str]| {
        let name = names
            .iter()
            .copied()
            .find(|name| {
                data.get(*name)
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.trim().is_empty())
            })
            .ok_or_else(|| DiscoveryError::Malformed {
                status,
                detail: format!(
                    "no `{}` in `data`",
                    names.first().copied().unwrap_or_default()
                ),
            })?;
        let raw = data.get(name).and_then(Value::as_str).unwrap_or_default();
        validate_base_url(raw).map_err(|e| DiscoveryError::InvalidUrl {
            field: name,
            reason: match e {
                AuthError::InvalidConfig(reason) => reason,
                other => other.to_string(),
            },
        })
    };
    Ok(ServiceUrls {
        auth: field(&["authBaseUrl"])?,
        device: field(&["deviceBaseUrl"])?,
        // The user service also serves entities and roles; AWS answers it as `entityBaseUrl`
        // too.
        user: field(&["userBaseUrl", "entityBaseUrl"])?,
        telemetry: field(&["telemetryBaseUrl"])?,
    })
}

impl Client {
    /// Discovers the services of the credentials' solution in `environment` on `platform` at
    /// [`DEFAULT_DISCOVERY_URL`] and builds a client with default settings; see
    /// [`ClientBuilder::discover`] for the settings.
    ///
    /// ```no_run
    /// use iotconnect_sdk::{Client, Credentials, Environment, Platform};
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let credentials = Credentials::new("dev@example.com", "password", "solution key")?;
    /// let client = Client::discover(credentials, Environment::Poc, Platform::Aws).await?;
    /// let answer = client.device().get_device_by_unique_id().unique_id("sensor-01").send().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// See [`ClientBuilder::discover`].
    pub async fn discover(
        credentials: Credentials,
        environment: Environment,
        platform: Platform,
    ) -> Result<Client, DiscoveryError> {
        Client::builder()
            .credentials(credentials)
            .discover(environment, platform)
            .await
    }

    /// Discovers and builds a client from `IOTCONNECT_SOLUTION_KEY`, `IOTCONNECT_USERNAME`,
    /// `IOTCONNECT_PASSWORD`, `IOTCONNECT_ENVIRONMENT`, `IOTCONNECT_PLATFORM` and the optional
    /// `IOTCONNECT_DISCOVERY_URL` (the names the sandbox prints).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), iotconnect_sdk::DiscoveryError> {
    /// let client = iotconnect_sdk::Client::from_env().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`DiscoveryError::InvalidInput`] naming a missing variable, or an unknown environment
    /// or platform, before any request; then any error of [`ClientBuilder::discover`].
    pub async fn from_env() -> Result<Client, DiscoveryError> {
        Client::from_lookup(|name| std::env::var(name).ok()).await
    }

    /// [`Client::from_env`] with the variables read through `lookup`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let err = iotconnect_sdk::Client::from_lookup(|name| match name {
    ///     "IOTCONNECT_USERNAME" => Some("dev@example.com".to_owned()),
    ///     _ => None,
    /// })
    /// .await
    /// .unwrap_err();
    /// assert!(err.to_string().contains("IOTCONNECT_SOLUTION_KEY"));
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Client::from_env`].
    pub async fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Client, DiscoveryError> {
        let required = |name: &str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| {
                    DiscoveryError::InvalidInput(format!("environment variable {name} is not set"))
                })
        };
        let solution_key = required("IOTCONNECT_SOLUTION_KEY")?;
        let username = required("IOTCONNECT_USERNAME")?;
        let password = required("IOTCONNECT_PASSWORD")?;
        let environment: Environment = required("IOTCONNECT_ENVIRONMENT")?.parse()?;
        let platform: Platform = required("IOTCONNECT_PLATFORM")?.parse()?;
        let mut builder =
            Client::builder().credentials(Credentials::new(username, password, solution_key)?);
        if let Some(url) = lookup("IOTCONNECT_DISCOVERY_URL").filter(|v| !v.trim().is_empty()) {
            builder = builder.discovery_url(url);
        }
        builder.discover(environment, platform).await
    }
}
