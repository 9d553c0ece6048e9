#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod everactive;
mod everreal;
mod extraview;
mod iotconnect;
mod shared;

use std::fmt;
use std::io;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use everreal::UnknownEventType;
pub use shared::clock::Clock;
pub use shared::delivery::DeliveryAttempt;
pub use shared::faults::{Faults, ForcedFailure, InvalidFaults, SIGNON_PATH};
pub use shared::json::{EXTRA_FIELD, UNKNOWN_ENUM_VALUE};
pub use shared::stats::Stats;
pub use shared::vendor::VendorControls;

use shared::{admin, server};

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 42;

/// How long [`RunningSandbox::shutdown`] waits for one listener's requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Entry point: `Sandbox::builder()...start().await`.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults: seed [`DEFAULT_SEED`], free ports, the demo credentials,
    /// 12 sensors and 3 gateways, 24 h tokens, a delivery round every 60 s; 8 IoTConnect
    /// devices, 24 h access tokens and 30-day refresh tokens; EverReal's tenant `acme` with 1 h
    /// access tokens, 28-day refresh tokens, 300 requests a minute and deliveries every 5 s;
    /// ExtraView at `/evj/ExtraView/ev_api.action` with 30 issues, 1 h tokens, the delimiter
    /// `|` and the ID title `Bug #`; no faults.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            seed: DEFAULT_SEED,
            port: None,
            everactive: everactive::Config::default(),
            iotconnect: iotconnect::Config::default(),
            everreal: everreal::Config::default(),
            extraview: extraview::Config::default(),
        }
    }
}

/// Settings of a sandbox to start.
#[derive(Clone, Debug)]
pub struct SandboxBuilder {
    seed: u64,
    port: Option<u16>,
    everactive: everactive::Config,
    iotconnect: iotconnect::Config,
    everreal: everreal::Config,
    extraview: extraview::Config,
}

impl SandboxBuilder {
    /// The seed of every generated thing: fleets, readings, status messages, webhook ids.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Fixed ports instead of free ones: the admin API on `port`, Everactive on `port + 1`,
    /// IoTConnect on `port + 2`, EverReal on `port + 3`, ExtraView on `port + 4` (later
    /// vendors take the next ports in the order they were added).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// The Everactive client id and secret with every privilege (defaults
    /// `sandbox-everactive-client` / `sandbox-everactive-secret`).
    pub fn everactive_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.everactive.client_id = client_id.into();
        self.everactive.client_secret = client_secret.into();
        self
    }

    /// How many Everactive sensors and gateways to seed (defaults 12 and 3; at most 10000 and
    /// 1000). Fleets of five sensors or more include one that never reported.
    pub fn everactive_fleet(mut self, sensors: usize, gateways: usize) -> Self {
        self.everactive.sensors = sensors;
        self.everactive.gateways = gateways;
        self
    }

    /// Lifetime of Everactive tokens (default 24 h, as the service). The
    /// `token_lifetime_secs` knob overrides it at run time.
    pub fn everactive_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.everactive.token_lifetime = lifetime;
        self
    }

    /// Fault knobs Everactive starts with; `DELETE /_admin/everactive/faults` returns to them.
    pub fn everactive_faults(mut self, faults: Faults) -> Self {
        self.everactive.faults = faults;
        self
    }

    /// How often webhook deliveries run on their own (default 60 s); `None` leaves only the
    /// on-demand round ([`RunningSandbox::deliver_everactive_webhooks`]).
    pub fn everactive_delivery_interval(mut self, every: Option<Duration>) -> Self {
        self.everactive.delivery_interval = every;
        self
    }

    /// The IoTConnect user name, password and solution key (defaults
    /// `sandbox-user@example.com`, `sandbox-iotconnect-password`,
    /// `sandbox-iotconnect-solution-key`).
    pub fn iotconnect_credentials(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
        solution_key: impl Into<String>,
    ) -> Self {
        self.iotconnect.username = username.into();
        self.iotconnect.password = password.into();
        self.iotconnect.solution_key = solution_key.into();
        self
    }

    /// How many IoTConnect devices to seed (default 8, at most 10000). Four or more include
    /// one that never reported.
    pub fn iotconnect_devices(mut self, devices: usize) -> Self {
        self.iotconnect.devices = devices;
        self
    }

    /// Lifetime of IoTConnect access tokens (default 24 h, as observed). The
    /// `token_lifetime_secs` knob overrides it at run time.
    pub fn iotconnect_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.iotconnect.token_lifetime = lifetime;
        self
    }

    /// Lifetime of IoTConnect refresh tokens (default 30 days; the vendor's is unknown).
    pub fn iotconnect_refresh_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.iotconnect.refresh_token_lifetime = lifetime;
        self
    }

    /// Fault knobs IoTConnect starts with; `DELETE /_admin/iotconnect/faults` returns to them.
    pub fn iotconnect_faults(mut self, faults: Faults) -> Self {
        self.iotconnect.faults = faults;
        self
    }

    /// The EverReal API user's name and password, and the client id and secret (defaults
    /// `api-user@acme.example`, `sandbox-everreal-password`, `sandbox-everreal-client`,
    /// `sandbox-everreal-secret`).
    pub fn everreal_credentials(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.everreal.username = username.into();
        self.everreal.password = password.into();
        self.everreal.client_id = client_id.into();
        self.everreal.client_secret = client_secret.into();
        self
    }

    /// The redirect URI registered for the EverReal client (default
    /// `http://127.0.0.1:8910/callback`; for a loopback host any port matches).
    pub fn everreal_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.everreal.redirect_uri = uri.into();
        self
    }

    /// The EverReal tenant's subdomain, as `users/me` and deliveries report it (default `acme`).
    pub fn everreal_subdomain(mut self, subdomain: impl Into<String>) -> Self {
        self.everreal.subdomain = subdomain.into();
        self
    }

    /// Lifetime of EverReal access tokens (default 1 h, as documented). The
    /// `token_lifetime_secs` knob overrides it at run time.
    pub fn everreal_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.everreal.token_lifetime = lifetime;
        self
    }

    /// Lifetime of EverReal refresh tokens (default 28 days, the shortest the vendor
    /// documents).
    pub fn everreal_refresh_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.everreal.refresh_token_lifetime = lifetime;
        self
    }

    /// EverReal's budget of requests per minute (default 300, as documented); over it, 429.
    pub fn everreal_rate_limit(mut self, per_minute: u32) -> Self {
        self.everreal.rate_limit = per_minute;
        self
    }

    /// Fault knobs EverReal starts with; `DELETE /_admin/everreal/faults` returns to them.
    pub fn everreal_faults(mut self, faults: Faults) -> Self {
        self.everreal.faults = faults;
        self
    }

    /// How often pending EverReal webhook events go out on their own (default 5 s); `None`
    /// leaves only the on-demand round ([`RunningSandbox::deliver_everreal_webhooks`]).
    pub fn everreal_delivery_interval(mut self, every: Option<Duration>) -> Self {
        self.everreal.delivery_interval = every;
        self
    }

    /// The ExtraView user id and password with every permission (defaults `SANDBOX_API` /
    /// `sandbox-extraview-password`). The user id must not be one of the seeded users'.
    pub fn extraview_credentials(
        mut self,
        user_id: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.extraview.user_id = user_id.into();
        self.extraview.password = password.into();
        self
    }

    /// The install-specific path in front of `/ev_api.action` (default `/evj/ExtraView`, as
    /// in the vendor manual; hosted installs use `/<tenant>/ExtraView`). Empty, or starting
    /// with `/` and not ending with one.
    pub fn extraview_path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.extraview.path_prefix = prefix.into();
        self
    }

    /// Lifetime of ExtraView tokens (default 1 h, the documented example). The
    /// `token_lifetime_secs` knob overrides it at run time.
    pub fn extraview_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.extraview.token_lifetime = lifetime;
        self
    }

    /// How many ExtraView issues to seed (default 30, at most 10000).
    pub fn extraview_issues(mut self, issues: usize) -> Self {
        self.extraview.issues = issues;
        self
    }

    /// The delimiter of ExtraView's plain-text lists (the install's
    /// `DEFAULT_TEXT_REPORT_DELIMITER`; default `|`, installs also use `;` and `:`).
    pub fn extraview_delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.extraview.delimiter = delimiter.into();
        self
    }

    /// The text in front of the issue number in ExtraView's write messages, verbatim
    /// (default `Bug # `, giving `Bug # 12352 added.`; `ID #` gives `ID #12352 added.`).
    /// Trimmed, it is the ID field's screen title.
    pub fn extraview_id_title(mut self, title: impl Into<String>) -> Self {
        self.extraview.id_title = title.into();
        self
    }

    /// Whether `get_token&ev_send_xml=true` answers well-formed XML (an
    /// `<expiration_date>` element) instead of the documented sample's broken
    /// `<Expiration Date> ... </lifetime>` (default false: as documented).
    pub fn extraview_well_formed_token_xml(mut self, well_formed: bool) -> Self {
        self.extraview.well_formed_token_xml = well_formed;
        self
    }

    /// Fault knobs ExtraView starts with; `DELETE /_admin/extraview/faults` returns to them.
    pub fn extraview_faults(mut self, faults: Faults) -> Self {
        self.extraview.faults = faults;
        self
    }

    /// Binds the listeners on `127.0.0.1` and starts serving.
    ///
    /// Fails on a port that is taken and on invalid settings (empty credentials, a fleet over
    /// the limits, sensors without gateways, invalid faults, a zero delivery interval).
    pub async fn start(self) -> io::Result<RunningSandbox> {
        let (admin_port, everactive_port, iotconnect_port, everreal_port, extraview_port) =
            match self.port {
                None => (0, 0, 0, 0, 0),
                Some(port) => {
                    let next = |n: u16| {
                        port.checked_add(n).ok_or_else(|| {
                            io::Error::new(io::ErrorKind::InvalidInput, "the port is too high")
                        })
                    };
                    (port, next(1)?, next(2)?, next(3)?, next(4)?)
                }
            };
        let (shutdown, stop) = watch::channel(false);
        let clock = Clock::default();
        let admin_listener = server::bind_loopback(admin_port).await?;
        let admin_url = format!("{}/_admin", server::base_url(&admin_listener)?);
        let everactive = everactive::Running::start(
            self.everactive,
            self.seed,
            clock.clone(),
            everactive_port,
            stop.clone(),
        )
        .await?;
        let iotconnect = iotconnect::Running::start(
            self.iotconnect,
            self.seed,
            clock.clone(),
            iotconnect_port,
            stop.clone(),
        )
        .await?;
        let everreal = everreal::Running::start(
            self.everreal,
            self.seed,
            clock.clone(),
            everreal_port,
            stop.clone(),
        )
        .await?;
        let extraview = extraview::Running::start(
            self.extraview,
            self.seed,
            clock.clone(),
            extraview_port,
            stop.clone(),
        )
        .await?;
        let admin_router = admin::router(
            self.seed,
            clock.clone(),
            vec![
                everactive.admin(),
                iotconnect.admin(),
                everreal.admin(),
                extraview.admin(),
            ],
        );
        let admin_server = server::serve(admin_listener, admin_router, stop);
        let everactive::Running {
            state,
            server: everactive_server,
            timer,
        } = everactive;
        Ok(RunningSandbox {
            seed: self.seed,
            clock,
            admin_url,
            everactive: state,
            iotconnect: iotconnect.state,
            everreal: everreal.state,
            extraview: extraview.state,
            servers: vec![
                admin_server,
                everactive_server,
                iotconnect.server,
                everreal.server,
                extraview.server,
            ],
            timers: timer.into_iter().chain(everreal.timer).collect(),
            shutdown: Some(shutdown),
        })
    }
}

/// A started sandbox. Dropping it stops the listeners too; [`RunningSandbox::shutdown`] also
/// waits for them.
pub struct RunningSandbox {
    seed: u64,
    clock: Clock,
    admin_url: String,
    everactive: everactive::Shared,
    iotconnect: iotconnect::Shared,
    everreal: everreal::Shared,
    extraview: extraview::Shared,
    servers: Vec<JoinHandle<io::Result<()>>>,
    timers: Vec<JoinHandle<()>>,
    shutdown: Option<watch::Sender<bool>>,
}

impl fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("seed", &self.seed)
            .field("admin_url", &self.admin_url)
            .field("everactive_url", &self.everactive.base_url)
            .field("iotconnect_url", &self.iotconnect.base_url)
            .field("everreal_url", &self.everreal.base_url)
            .field("extraview_url", &self.extraview.endpoint_url)
            .finish_non_exhaustive()
    }
}

impl RunningSandbox {
    /// The seed of the generated data.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The sandbox clock (advance it to age tokens and accumulate readings).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Base URL of the admin API, `http://127.0.0.1:<port>/_admin`.
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// Base URL of Everactive, `http://127.0.0.1:<port>`: the token endpoint is
    /// `<base>/auth/token` and the API `<base>/ds/v1/...`. Use it as `EVERACTIVE_API_URL`.
    pub fn everactive_url(&self) -> &str {
        &self.everactive.base_url
    }

    /// The Everactive client id and secret with every privilege.
    pub fn everactive_credentials(&self) -> (&str, &str) {
        let credential = &self.everactive.credentials[0];
        (&credential.id, &credential.secret)
    }

    /// An Everactive client id and secret with the Read-Only role: 403 on gateway updates and
    /// on webhooks.
    pub fn everactive_readonly_credentials(&self) -> (&str, &str) {
        (
            everactive::READONLY_CLIENT_ID,
            everactive::READONLY_CLIENT_SECRET,
        )
    }

    /// The environment that points an application (and the Everactive SDK's `from_env`) at
    /// this sandbox: `EVERACTIVE_API_URL`, `EVERACTIVE_CLIENT_ID`, `EVERACTIVE_CLIENT_SECRET`.
    pub fn everactive_env(&self) -> [(&'static str, String); 3] {
        let (id, secret) = self.everactive_credentials();
        [
            ("EVERACTIVE_API_URL", self.everactive_url().to_owned()),
            ("EVERACTIVE_CLIENT_ID", id.to_owned()),
            ("EVERACTIVE_CLIENT_SECRET", secret.to_owned()),
        ]
    }

    /// Everactive's fault knobs, counters and tokens.
    pub fn everactive(&self) -> &VendorControls {
        &self.everactive.controls
    }

    /// Root of the IoTConnect listener, `http://127.0.0.1:<port>`: the discovery host (the
    /// call is `<root>/api/uisdk/solutionkey/{key}/env/{env}?version=2.1&pf=aws`) and the host
    /// of every service (`<root>/auth/api/v2.1`, `<root>/device/api/v2.1`, ...). Use it as
    /// `IOTCONNECT_DISCOVERY_URL`.
    pub fn iotconnect_url(&self) -> &str {
        &self.iotconnect.base_url
    }

    /// The full discovery call for the demo solution key, environment `poc`, platform `aws`.
    pub fn iotconnect_discovery_url(&self) -> String {
        iotconnect::discovery_url(&self.iotconnect)
    }

    /// The base URL of one IoTConnect service as discovery hands it out, e.g. `auth` gives
    /// `<root>/auth/api/v2.1` (services: `auth`, `user`, `device`, `telemetry`, ...).
    pub fn iotconnect_service_url(&self, service: &str) -> String {
        self.iotconnect.service_url(service)
    }

    /// The IoTConnect user name, password and solution key.
    pub fn iotconnect_credentials(&self) -> (&str, &str, &str) {
        let config = &self.iotconnect.config;
        (&config.username, &config.password, &config.solution_key)
    }

    /// The environment that points an application at this sandbox's IoTConnect:
    /// `IOTCONNECT_DISCOVERY_URL`, `IOTCONNECT_ENVIRONMENT`, `IOTCONNECT_PLATFORM`,
    /// `IOTCONNECT_SOLUTION_KEY`, `IOTCONNECT_USERNAME`, `IOTCONNECT_PASSWORD`.
    pub fn iotconnect_env(&self) -> [(&'static str, String); 6] {
        let (username, password, solution_key) = self.iotconnect_credentials();
        [
            ("IOTCONNECT_DISCOVERY_URL", self.iotconnect_url().to_owned()),
            ("IOTCONNECT_ENVIRONMENT", iotconnect::ENVIRONMENT.to_owned()),
            ("IOTCONNECT_PLATFORM", iotconnect::PLATFORM.to_owned()),
            ("IOTCONNECT_SOLUTION_KEY", solution_key.to_owned()),
            ("IOTCONNECT_USERNAME", username.to_owned()),
            ("IOTCONNECT_PASSWORD", password.to_owned()),
        ]
    }

    /// IoTConnect's fault knobs, counters, tokens and refresh tokens.
    pub fn iotconnect(&self) -> &VendorControls {
        &self.iotconnect.controls
    }

    /// Base URL of EverReal, `http://127.0.0.1:<port>`: the tenant host
    /// (`https://{subdomain}.everreal.co` at the vendor), so the token endpoint is
    /// `<base>/accounts/oauth/token` and GraphQL `<base>/api/reporting/graphql`. Use it as
    /// `EVERREAL_BASE_URL`.
    pub fn everreal_url(&self) -> &str {
        &self.everreal.base_url
    }

    /// The EverReal user name, password, client id and client secret.
    pub fn everreal_credentials(&self) -> (&str, &str, &str, &str) {
        let config = &self.everreal.config;
        (
            &config.username,
            &config.password,
            &config.client_id,
            &config.client_secret,
        )
    }

    /// The redirect URI registered for the EverReal client (loopback: any port matches).
    pub fn everreal_redirect_uri(&self) -> &str {
        &self.everreal.config.redirect_uri
    }

    /// The EverReal tenant's subdomain.
    pub fn everreal_subdomain(&self) -> &str {
        &self.everreal.config.subdomain
    }

    /// The environment that points an application at this sandbox's EverReal:
    /// `EVERREAL_BASE_URL`, `EVERREAL_USERNAME`, `EVERREAL_PASSWORD`, `EVERREAL_CLIENT_ID`,
    /// `EVERREAL_CLIENT_SECRET`, `EVERREAL_REDIRECT_URI`.
    pub fn everreal_env(&self) -> [(&'static str, String); 6] {
        everreal::env(&self.everreal)
    }

    /// EverReal's fault knobs, counters, tokens and refresh tokens.
    pub fn everreal(&self) -> &VendorControls {
        &self.everreal.controls
    }

    /// Queues an EverReal webhook event of `event_type` (`LISTING_CONTRACT_FLOW_SIGNED`, ...)
    /// for every subscription to it, about `data` or, when `None`, a seeded record that fits
    /// the event. Returns how many deliveries were queued; they go out with the next round.
    pub fn trigger_everreal_event(
        &self,
        event_type: &str,
        data: Option<serde_json::Value>,
    ) -> Result<usize, UnknownEventType> {
        everreal::trigger(&self.everreal, event_type, data)
    }

    /// Delivers every pending EverReal webhook event now and returns the attempts.
    pub async fn deliver_everreal_webhooks(&self) -> Vec<DeliveryAttempt> {
        everreal::deliver(&self.everreal).await
    }

    /// Every logged EverReal delivery attempt (the last 1000), oldest first.
    pub fn everreal_deliveries(&self) -> Vec<DeliveryAttempt> {
        self.everreal.deliveries.list()
    }

    /// The full ExtraView endpoint, `http://127.0.0.1:<port><prefix>/ev_api.action`: every
    /// command is `<url>?statevar=<command>&...`. Use it as `EXTRAVIEW_URL`.
    pub fn extraview_url(&self) -> &str {
        &self.extraview.endpoint_url
    }

    /// The ExtraView user id and password with every permission.
    pub fn extraview_credentials(&self) -> (&str, &str) {
        let config = &self.extraview.config;
        (&config.user_id, &config.password)
    }

    /// An ExtraView user id and password that may only read: writes and uploads answer an
    /// "Access denied" text, and the `COMMENTS` field is hidden from it.
    pub fn extraview_readonly_credentials(&self) -> (&str, &str) {
        (extraview::READONLY_USER_ID, extraview::READONLY_PASSWORD)
    }

    /// The delimiter of ExtraView's plain-text lists.
    pub fn extraview_delimiter(&self) -> &str {
        &self.extraview.config.delimiter
    }

    /// The environment that points an application at this sandbox's ExtraView:
    /// `EXTRAVIEW_URL` (the full endpoint), `EXTRAVIEW_USER_ID`, `EXTRAVIEW_PASSWORD`.
    pub fn extraview_env(&self) -> [(&'static str, String); 3] {
        extraview::env(&self.extraview)
    }

    /// ExtraView's fault knobs, counters and tokens.
    pub fn extraview(&self) -> &VendorControls {
        &self.extraview.controls
    }

    /// Runs one Everactive delivery round now and returns its attempts.
    pub async fn deliver_everactive_webhooks(&self) -> Vec<DeliveryAttempt> {
        everactive::deliver(&self.everactive).await
    }

    /// Every logged Everactive delivery attempt (the last 1000), oldest first.
    pub fn everactive_deliveries(&self) -> Vec<DeliveryAttempt> {
        self.everactive.deliveries.list()
    }

    /// Stops the listeners and the delivery timers, and waits up to 5 s per listener for the
    /// requests in flight.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(true);
        }
        for timer in self.timers.drain(..) {
            timer.abort();
        }
        let mut result = Ok(());
        for server in self.servers.drain(..) {
            let abort = server.abort_handle();
            let outcome = match tokio::time::timeout(SHUTDOWN_GRACE, server).await {
                Ok(Ok(served)) => served,
                Ok(Err(join)) => Err(io::Error::other(join)),
                Err(_) => {
                    abort.abort();
                    Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "a listener did not stop within 5 s",
                    ))
                }
            };
            if result.is_ok() {
                result = outcome;
            }
        }
        result
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        // Dropping the sender stops the listeners; the timers would run on otherwise.
        self.shutdown.take();
        for timer in &self.timers {
            timer.abort();
        }
    }
}
