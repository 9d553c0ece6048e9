//! Avnet IoTConnect (AWS, API v2.1): a discovery call, then one base URL per service. All
//! services share one listener and are told apart by a path prefix, so every discovered base
//! URL keeps the real layout `<host>/api/v2.1`:
//!
//! - discovery: `/api/uisdk/solutionkey/{key}/env/{env}` at the listener root;
//! - auth `/auth/api/v2.1`, device and templates `/device/api/v2.1`, user and entity
//!   `/user/api/v2.1`, telemetry `/telemetry/api/v2.1`.

mod admin;
mod api;
mod auth;
mod data;
mod errors;
mod telemetry;

use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::http::Uri;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post, put};
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::shared::admin::AdminVendor;
use crate::shared::clock::Clock;
use crate::shared::faults::{CutOff, FaultProfile, Faults, RequestKind, apply_faults};
use crate::shared::server;
use crate::shared::vendor::VendorControls;

use self::data::Company;

/// Name of the vendor in admin paths.
pub(crate) const NAME: &str = "iotconnect";
/// Demo user name (an e-mail address, as the vendor's user ids are).
pub(crate) const USERNAME: &str = "sandbox-user@example.com";
/// Its password.
pub(crate) const PASSWORD: &str = "sandbox-iotconnect-password";
/// Demo solution key.
pub(crate) const SOLUTION_KEY: &str = "sandbox-iotconnect-solution-key";
/// The environment the discovery call must name.
pub(crate) const ENVIRONMENT: &str = "poc";
/// The only platform emulated.
pub(crate) const PLATFORM: &str = "aws";
/// The API version of the AWS platform.
pub(crate) const VERSION: &str = "2.1";
/// Access-token lifetime observed on the real service (24 h).
pub(crate) const TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);
/// Refresh-token lifetime (unknown at the vendor; 30 days here).
pub(crate) const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 86_400);
/// The most devices the sandbox seeds.
pub(crate) const MAX_DEVICES: usize = 10_000;

/// The services, by path prefix (the `<svc>` of `/<svc>/api/v2.1`) and discovery names.
pub(crate) const SERVICES: [(&str, &[&str]); 9] = [
    ("auth", &["authBaseUrl"]),
    ("user", &["userBaseUrl", "entityBaseUrl"]),
    ("device", &["deviceBaseUrl"]),
    ("telemetry", &["telemetryBaseUrl"]),
    ("firmware", &["firmwareBaseUrl"]),
    ("file", &["fileBaseUrl"]),
    ("event", &["eventBaseUrl"]),
    ("master", &["masterBaseUrl"]),
    ("dashboard", &["dashboardBaseUrl"]),
];

/// How the fault middleware sees IoTConnect.
static PROFILE: FaultProfile = FaultProfile {
    classify,
    api_error: errors::api_error,
    token_error: errors::auth_error,
    enum_members: &["deviceStatus", "DataType", "dataTypeName", "roleName"],
    cut_off: CutOff::Json,
};

fn classify(uri: &Uri) -> RequestKind {
    let path = uri.path();
    match path {
        "/auth/api/v2.1/Auth/basic-token" | "/auth/api/v2.1/Auth/login" => RequestKind::Token,
        "/auth/api/v2.1/Auth/refresh-token" => RequestKind::Refresh,
        _ if SERVICES
            .iter()
            .any(|(svc, _)| path.starts_with(&format!("/{svc}/api/v2.1/"))) =>
        {
            RequestKind::Api
        }
        _ => RequestKind::Other,
    }
}

/// Startup settings of the IoTConnect emulation.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) username: String,
    pub(crate) password: String,
    pub(crate) solution_key: String,
    pub(crate) devices: usize,
    pub(crate) token_lifetime: Duration,
    pub(crate) refresh_token_lifetime: Duration,
    pub(crate) faults: Faults,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            username: USERNAME.to_owned(),
            password: PASSWORD.to_owned(),
            solution_key: SOLUTION_KEY.to_owned(),
            devices: 8,
            token_lifetime: TOKEN_LIFETIME,
            refresh_token_lifetime: REFRESH_TOKEN_LIFETIME,
            faults: Faults::default(),
        }
    }
}

impl Config {
    fn validate(&self) -> io::Result<()> {
        let invalid = |m: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, m.to_owned()));
        if self.username.is_empty() || self.password.is_empty() || self.solution_key.is_empty() {
            return invalid(
                "the IoTConnect user name, password and solution key must not be empty",
            );
        }
        if self.solution_key.contains(['/', '?', '#']) {
            return invalid("the IoTConnect solution key must not contain '/', '?' or '#'");
        }
        if self.devices > MAX_DEVICES {
            return invalid("IoTConnect is limited to 10000 seeded devices");
        }
        if self.refresh_token_lifetime.is_zero() {
            return invalid("the IoTConnect refresh-token lifetime must not be zero");
        }
        Ok(())
    }
}

/// Everything the IoTConnect handlers share.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) seed: u64,
    pub(crate) clock: Clock,
    pub(crate) controls: VendorControls,
    pub(crate) base_url: String,
    pub(crate) config: Config,
    pub(crate) basic_token: String,
    company: Mutex<Company>,
}

impl State {
    /// The company, locked for a few instructions (never across an `.await`).
    pub(crate) fn company(&self) -> MutexGuard<'_, Company> {
        self.company.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The base URL of service `svc`, as discovery hands it out.
    pub(crate) fn service_url(&self, svc: &str) -> String {
        format!("{}/{svc}/api/v{VERSION}", self.base_url)
    }
}

/// The handlers' view of [`State`].
pub(crate) type Shared = Arc<State>;

/// A started IoTConnect emulation.
#[derive(Debug)]
pub(crate) struct Running {
    pub(crate) state: Shared,
    pub(crate) server: JoinHandle<io::Result<()>>,
}

impl Running {
    /// Binds `127.0.0.1:port`, seeds the company and starts serving.
    pub(crate) async fn start(
        config: Config,
        seed: u64,
        clock: Clock,
        port: u16,
        shutdown: watch::Receiver<bool>,
    ) -> io::Result<Self> {
        config.validate()?;
        let controls = VendorControls::new(
            NAME,
            &PROFILE,
            config.token_lifetime,
            config.faults.clone(),
            clock.clone(),
        )
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = server::bind_loopback(port).await?;
        let base_url = server::base_url(&listener)?;
        let company = Company::generate(seed, config.devices, &config.username);
        let state = Arc::new(State {
            seed,
            clock,
            controls,
            base_url,
            basic_token: auth::basic_token(seed),
            config,
            company: Mutex::new(company),
        });
        let server = server::serve(listener, router(state.clone()), shutdown);
        Ok(Self { state, server })
    }

    /// The vendor as the admin API shows it.
    pub(crate) fn admin(&self) -> AdminVendor {
        let state = &self.state;
        let summary = json!({
            "url": state.base_url,
            "discovery_url": discovery_url(state),
            "auth_url": state.service_url("auth"),
            "username": state.config.username,
            "password": state.config.password,
            "solution_key": state.config.solution_key,
            "environment": ENVIRONMENT,
            "platform": PLATFORM,
            "devices": state.company().devices.len(),
        });
        AdminVendor {
            controls: state.controls.clone(),
            summary,
            routes: admin::routes(state.clone()),
        }
    }
}

/// The full discovery call for the demo solution key.
pub(crate) fn discovery_url(state: &State) -> String {
    format!(
        "{}/api/uisdk/solutionkey/{}/env/{ENVIRONMENT}?version={VERSION}&pf={PLATFORM}",
        state.base_url, state.config.solution_key
    )
}

/// The vendor's routes, behind the fault middleware.
fn router(state: Shared) -> Router {
    let bearer = from_fn_with_state(state.clone(), auth::require_bearer);
    let auth_service = Router::new()
        .route("/Auth/verify-token", get(auth::verify))
        .route_layer(bearer.clone())
        .route("/Auth/basic-token", get(auth::basic))
        .route("/Auth/login", post(auth::login))
        .route("/Auth/refresh-token", post(auth::refresh));
    let device_service = Router::new()
        .route("/Device", get(api::list_devices).post(api::create_device))
        .route(
            "/Device/uniqueId/{unique_id}",
            get(api::device_by_unique_id),
        )
        .route(
            "/Device/{guid}",
            get(api::device_by_guid)
                .put(api::update_device)
                .delete(api::delete_device),
        )
        .route("/Device/{guid}/status", put(api::device_status))
        .route(
            "/device-template",
            get(api::list_templates).post(api::create_template),
        )
        .route(
            "/device-template/template-code/{code}",
            get(api::template_by_code),
        )
        .route(
            "/device-template/{guid}",
            get(api::template_by_guid)
                .put(api::update_template)
                .delete(api::delete_template),
        )
        .route("/template-attribute/{guid}", get(api::template_attributes))
        .fallback(unknown_path)
        .layer(bearer.clone());
    let user_service = Router::new()
        .route("/User", get(api::list_users))
        .route("/User/{guid}", get(api::user_by_guid))
        .route("/Entity", get(api::list_entities))
        .route("/Entity/lookup", get(api::entity_lookup))
        .route("/Entity/{guid}", get(api::entity_by_guid))
        .fallback(unknown_path)
        .layer(bearer.clone());
    let telemetry_service = Router::new()
        .route("/Telemetry/device/{guid}", get(telemetry::latest))
        .route(
            "/Telemetry/device/{unique_id}/recent/{points}",
            post(telemetry::recent),
        )
        .route(
            "/Telemetry/attribute-history/device/{unique_id}/from/{from}/to/{to}",
            get(telemetry::history),
        )
        .fallback(unknown_path)
        .layer(bearer.clone());
    let mut router = Router::new()
        .route(
            "/api/uisdk/solutionkey/{key}/env/{env}",
            get(auth::discovery),
        )
        .nest(&format!("/auth/api/v{VERSION}"), auth_service)
        .nest(&format!("/device/api/v{VERSION}"), device_service)
        .nest(&format!("/user/api/v{VERSION}"), user_service)
        .nest(&format!("/telemetry/api/v{VERSION}"), telemetry_service);
    for (svc, _) in &SERVICES[4..] {
        // Discovered but not emulated: the bearer is checked, then every path is unknown.
        let empty = Router::new().fallback(unknown_path).layer(bearer.clone());
        router = router.nest(&format!("/{svc}/api/v{VERSION}"), empty);
    }
    router
        .fallback(unknown_path)
        .with_state(state.clone())
        .layer(from_fn_with_state(state.controls.clone(), apply_faults))
}

async fn unknown_path() -> errors::ApiError {
    errors::not_found("ResourceNotFound")
}
