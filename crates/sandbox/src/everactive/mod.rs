//! Everactive Data Services: the token endpoint at `/auth/token` and the API under `/ds/v1`,
//! on a listener of its own so that its base URL looks like the real host's root.

mod admin;
mod auth;
mod body;
mod delivery;
mod errors;
mod fleet;
mod gateway_status;
mod gateways;
mod paging;
mod readings;
mod sensors;
mod token;
mod webhooks;
mod window;

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::Uri;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::shared::admin::AdminVendor;
use crate::shared::clock::Clock;
use crate::shared::delivery::{DeliveryAttempt, DeliveryLog, Poster};
use crate::shared::faults::{CutOff, FaultProfile, Faults, RequestKind, apply_faults};
use crate::shared::server;
use crate::shared::vendor::VendorControls;

use self::fleet::Fleet;
use self::gateways::GatewaySettings;
use self::webhooks::WebhookStore;

/// Name of the vendor in admin paths.
pub(crate) const NAME: &str = "everactive";
/// Demo client id with every privilege.
pub(crate) const CLIENT_ID: &str = "sandbox-everactive-client";
/// Its secret.
pub(crate) const CLIENT_SECRET: &str = "sandbox-everactive-secret";
/// Demo client id with the Read-Only role.
pub(crate) const READONLY_CLIENT_ID: &str = "sandbox-everactive-readonly";
/// Its secret.
pub(crate) const READONLY_CLIENT_SECRET: &str = "sandbox-everactive-readonly-secret";
/// Token lifetime of the real service (24 h).
pub(crate) const TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);
/// Deliveries happen this often unless configured otherwise (sensors report once a minute).
pub(crate) const DELIVERY_INTERVAL: Duration = Duration::from_secs(60);
/// The largest fleet the sandbox seeds.
pub(crate) const MAX_SENSORS: usize = 10_000;
/// The most gateways the sandbox seeds.
pub(crate) const MAX_GATEWAYS: usize = 1_000;

/// How the fault middleware sees Everactive.
static PROFILE: FaultProfile = FaultProfile {
    classify,
    api_error: errors::api_error,
    token_error: errors::token_error,
    enum_members: &["eventType", "type", "status", "schema"],
    cut_off: CutOff::Json,
};

fn classify(uri: &Uri) -> RequestKind {
    let path = uri.path();
    if path == "/auth/token" {
        RequestKind::Token
    } else if path.starts_with("/ds/v1/") {
        RequestKind::Api
    } else {
        RequestKind::Other
    }
}

/// What a credential may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Reads, gateway changes, webhooks (Site Admin).
    SiteAdmin,
    /// Reads sensors and gateways only.
    ReadOnly,
}

/// A client the token endpoint knows.
#[derive(Clone, Debug)]
pub(crate) struct Credential {
    pub(crate) id: String,
    pub(crate) secret: String,
    pub(crate) role: Role,
}

/// Startup settings of the Everactive emulation.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) sensors: usize,
    pub(crate) gateways: usize,
    pub(crate) token_lifetime: Duration,
    pub(crate) faults: Faults,
    pub(crate) delivery_interval: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            client_id: CLIENT_ID.to_owned(),
            client_secret: CLIENT_SECRET.to_owned(),
            sensors: 12,
            gateways: 3,
            token_lifetime: TOKEN_LIFETIME,
            faults: Faults::default(),
            delivery_interval: Some(DELIVERY_INTERVAL),
        }
    }
}

impl Config {
    fn validate(&self) -> io::Result<()> {
        let invalid = |m: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, m.to_owned()));
        if self.client_id.is_empty() || self.client_secret.is_empty() {
            return invalid("the Everactive client id and secret must not be empty");
        }
        if self.client_id == READONLY_CLIENT_ID {
            return invalid("the Everactive client id is taken by the read-only demo client");
        }
        if self.sensors > MAX_SENSORS || self.gateways > MAX_GATEWAYS {
            return invalid("the Everactive fleet is limited to 10000 sensors and 1000 gateways");
        }
        if self.sensors > 0 && self.gateways == 0 {
            return invalid("Everactive sensors need at least one gateway");
        }
        if self.delivery_interval.is_some_and(|d| d.is_zero()) {
            return invalid("the Everactive delivery interval must not be zero (use None)");
        }
        Ok(())
    }
}

/// Everything the Everactive handlers share.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) seed: u64,
    pub(crate) clock: Clock,
    pub(crate) controls: VendorControls,
    pub(crate) base_url: String,
    pub(crate) credentials: Vec<Credential>,
    pub(crate) fleet: Fleet,
    pub(crate) gateway_settings: Mutex<Vec<GatewaySettings>>,
    pub(crate) webhooks: WebhookStore,
    pub(crate) deliveries: DeliveryLog,
    pub(crate) poster: Poster,
}

/// The handlers' view of [`State`].
pub(crate) type Shared = Arc<State>;

/// A started Everactive emulation.
#[derive(Debug)]
pub(crate) struct Running {
    pub(crate) state: Shared,
    pub(crate) server: JoinHandle<io::Result<()>>,
    pub(crate) timer: Option<JoinHandle<()>>,
}

impl Running {
    /// Binds `127.0.0.1:port`, seeds the fleet and starts serving and delivering.
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
        let fleet = Fleet::generate(seed, config.sensors, config.gateways);
        let gateway_settings = fleet.gateways.iter().map(GatewaySettings::seeded).collect();
        let state = Arc::new(State {
            seed,
            clock,
            controls,
            base_url,
            credentials: vec![
                Credential {
                    id: config.client_id,
                    secret: config.client_secret,
                    role: Role::SiteAdmin,
                },
                Credential {
                    id: READONLY_CLIENT_ID.to_owned(),
                    secret: READONLY_CLIENT_SECRET.to_owned(),
                    role: Role::ReadOnly,
                },
            ],
            fleet,
            gateway_settings: Mutex::new(gateway_settings),
            webhooks: WebhookStore::new(seed),
            deliveries: DeliveryLog::default(),
            poster: Poster::new(concat!(
                "sdk-sandbox/",
                env!("CARGO_PKG_VERSION"),
                " (everactive webhooks)"
            ))?,
        });
        let server = server::serve(listener, router(state.clone()), shutdown);
        let timer = config
            .delivery_interval
            .map(|every| delivery::spawn_timer(state.clone(), every));
        Ok(Self {
            state,
            server,
            timer,
        })
    }

    /// The vendor as the admin API shows it.
    pub(crate) fn admin(&self) -> AdminVendor {
        let state = &self.state;
        let summary = json!({
            "url": state.base_url,
            "token_url": format!("{}/auth/token", state.base_url),
            "api_url": format!("{}/ds/v1", state.base_url),
            "client_id": state.credentials[0].id,
            "client_secret": state.credentials[0].secret,
            "readonly_client_id": READONLY_CLIENT_ID,
            "readonly_client_secret": READONLY_CLIENT_SECRET,
            "sensors": state.fleet.sensors.len(),
            "gateways": state.fleet.gateways.len(),
        });
        AdminVendor {
            controls: state.controls.clone(),
            summary,
            routes: admin::routes(state.clone()),
        }
    }
}

/// Runs one delivery round now and returns its attempts.
pub(crate) async fn deliver(state: &State) -> Vec<DeliveryAttempt> {
    delivery::deliver_round(state).await
}

/// The vendor's routes, behind the fault middleware.
fn router(state: Shared) -> Router {
    let api = Router::new()
        .route("/health", get(sensors::health))
        .route("/eversensors", get(sensors::list))
        .route("/eversensors/{mac}/readings", get(sensors::readings))
        .route(
            "/eversensors/{mac}/readings/last",
            get(sensors::last_reading),
        )
        .route("/evergateways", get(gateways::list))
        .route(
            "/evergateways/{gateway}",
            get(gateways::get_one).put(gateways::update),
        )
        .route(
            "/evergateways/{gateway}/status/v1",
            get(gateways::status_v1),
        )
        .route(
            "/evergateways/{gateway}/status/v3",
            get(gateways::status_v3),
        )
        .route(
            "/evergateways/{gateway}/status/v3/daily",
            get(gateways::status_v3_daily),
        )
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route(
            "/webhooks/{id}",
            get(webhooks::get_one)
                .put(webhooks::update)
                .delete(webhooks::delete),
        )
        .fallback(unknown_path)
        .layer(from_fn_with_state(state.clone(), auth::require_bearer));
    Router::new()
        .route("/auth/token", post(token::issue))
        .nest("/ds/v1", api)
        .fallback(unknown_path)
        .with_state(state.clone())
        .layer(from_fn_with_state(state.controls.clone(), apply_faults))
}

async fn unknown_path() -> errors::ApiError {
    errors::not_found("no such resource")
}
