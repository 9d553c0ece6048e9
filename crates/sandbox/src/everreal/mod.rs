//! EverReal: one tenant (the vendor's `https://{subdomain}.everreal.co`) served at the root of a
//! listener of its own: the OAuth endpoints under `/accounts`, the REST calls under
//! `/accounts/api` and `/api/external-integrations`, and GraphQL at `/api/reporting/graphql`.
//! Every answer carries the vendor's `X-RateLimit-*` headers.

mod account;
mod admin;
mod auth;
mod data;
mod delivery;
mod errors;
mod graphql;
mod limits;
mod webhooks;

use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::http::Uri;
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, post};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::shared::admin::AdminVendor;
use crate::shared::clock::Clock;
use crate::shared::delivery::{DeliveryAttempt, DeliveryLog, Poster};
use crate::shared::faults::{CutOff, FaultProfile, Faults, RequestKind, apply_faults};
use crate::shared::oauth::AuthorizationCodes;
use crate::shared::ratelimit::RateLimiter;
use crate::shared::server;
use crate::shared::vendor::VendorControls;

use self::data::{Account, Data};
use self::delivery::Outbox;
pub use self::webhooks::UnknownEventType;
use self::webhooks::WebhookStore;

/// Name of the vendor in admin paths.
pub(crate) const NAME: &str = "everreal";
/// Demo user name (the API user of the tenant).
pub(crate) const USERNAME: &str = "api-user@acme.example";
/// Its password.
pub(crate) const PASSWORD: &str = "sandbox-everreal-password";
/// Demo client id (EverReal hands these out per customer).
pub(crate) const CLIENT_ID: &str = "sandbox-everreal-client";
/// Its secret.
pub(crate) const CLIENT_SECRET: &str = "sandbox-everreal-secret";
/// The redirect URI registered for the demo client (loopback: any port matches).
pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1:8910/callback";
/// The tenant's subdomain.
pub(crate) const SUBDOMAIN: &str = "acme";
/// Access-token lifetime the vendor documents (1 h).
pub(crate) const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Refresh-token lifetime: the shortest the vendor documents (4 weeks).
pub(crate) const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(28 * 86_400);
/// How long an authorization code may wait for its exchange.
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// Requests per minute the vendor documents as its default budget.
pub(crate) const RATE_LIMIT: u32 = 300;
/// Pending webhook events go out this often unless configured otherwise.
pub(crate) const DELIVERY_INTERVAL: Duration = Duration::from_secs(5);

/// How the fault middleware sees EverReal.
static PROFILE: FaultProfile = FaultProfile {
    classify,
    api_error: errors::api_error,
    token_error: errors::token_error,
    enum_members: &[
        "operation",
        "status",
        "type",
        "contractFlowType",
        "scheduledStatus",
    ],
    cut_off: CutOff::Json,
};

fn classify(uri: &Uri) -> RequestKind {
    let path = uri.path();
    if path == "/accounts/oauth/token" {
        RequestKind::Token
    } else if path.starts_with("/accounts/api/") || path.starts_with("/api/") {
        RequestKind::Api
    } else {
        RequestKind::Other
    }
}

/// Startup settings of the EverReal emulation.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) username: String,
    pub(crate) password: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) redirect_uri: String,
    pub(crate) subdomain: String,
    pub(crate) token_lifetime: Duration,
    pub(crate) refresh_token_lifetime: Duration,
    pub(crate) rate_limit: u32,
    pub(crate) faults: Faults,
    pub(crate) delivery_interval: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            username: USERNAME.to_owned(),
            password: PASSWORD.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: CLIENT_SECRET.to_owned(),
            redirect_uri: REDIRECT_URI.to_owned(),
            subdomain: SUBDOMAIN.to_owned(),
            token_lifetime: TOKEN_LIFETIME,
            refresh_token_lifetime: REFRESH_TOKEN_LIFETIME,
            rate_limit: RATE_LIMIT,
            faults: Faults::default(),
            delivery_interval: Some(DELIVERY_INTERVAL),
        }
    }
}

impl Config {
    fn validate(&self) -> io::Result<()> {
        let invalid = |m: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, m.to_owned()));
        if [
            &self.username,
            &self.password,
            &self.client_id,
            &self.client_secret,
        ]
        .iter()
        .any(|v| v.is_empty())
        {
            return invalid(
                "the EverReal user name, password, client id and client secret must not be empty",
            );
        }
        let subdomain_ok = !self.subdomain.is_empty()
            && self
                .subdomain
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !subdomain_ok {
            return invalid("the EverReal subdomain must be lower-case letters, digits and '-'");
        }
        let redirect_ok = url::Url::parse(&self.redirect_uri)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !redirect_ok {
            return invalid("the EverReal redirect URI must be an absolute http(s) URL");
        }
        if self.rate_limit == 0 {
            return invalid("the EverReal rate limit must be at least 1 request a minute");
        }
        if self.refresh_token_lifetime.is_zero() {
            return invalid("the EverReal refresh-token lifetime must not be zero");
        }
        if self.delivery_interval.is_some_and(|d| d.is_zero()) {
            return invalid("the EverReal delivery interval must not be zero (use None)");
        }
        Ok(())
    }
}

/// Everything the EverReal handlers share.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) clock: Clock,
    pub(crate) controls: VendorControls,
    pub(crate) base_url: String,
    pub(crate) config: Config,
    pub(crate) account: Account,
    pub(crate) codes: AuthorizationCodes,
    pub(crate) limiter: RateLimiter,
    pub(crate) webhooks: WebhookStore,
    pub(crate) outbox: Outbox,
    pub(crate) deliveries: DeliveryLog,
    pub(crate) poster: Poster,
    data: Mutex<Data>,
}

impl State {
    /// The tenant's records, locked for a few instructions (never across an `.await`).
    pub(crate) fn data(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The handlers' view of [`State`].
pub(crate) type Shared = Arc<State>;

/// A started EverReal emulation.
#[derive(Debug)]
pub(crate) struct Running {
    pub(crate) state: Shared,
    pub(crate) server: JoinHandle<io::Result<()>>,
    pub(crate) timer: Option<JoinHandle<()>>,
}

impl Running {
    /// Binds `127.0.0.1:port`, seeds the tenant and starts serving and delivering.
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
        let data = Data::generate(seed, &config.subdomain, &config.username);
        let state = Arc::new(State {
            codes: AuthorizationCodes::new(clock.clone(), CODE_LIFETIME),
            limiter: RateLimiter::new(clock.clone(), config.rate_limit, Duration::from_secs(60)),
            clock,
            controls,
            base_url,
            account: data.account.clone(),
            config,
            webhooks: WebhookStore::new(seed),
            outbox: Outbox::new(seed),
            deliveries: DeliveryLog::default(),
            poster: Poster::new(concat!(
                "sdk-sandbox/",
                env!("CARGO_PKG_VERSION"),
                " (everreal webhooks)"
            ))?,
            data: Mutex::new(data),
        });
        let server = server::serve(listener, router(state.clone()), shutdown);
        let timer = state
            .config
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
        let config = &state.config;
        let counts = state.data().counts();
        let summary = json!({
            "url": state.base_url,
            "token_url": format!("{}/accounts/oauth/token", state.base_url),
            "authorize_url": format!("{}/accounts/dialog/authorize", state.base_url),
            "graphql_url": format!("{}/api/reporting/graphql", state.base_url),
            "username": config.username,
            "password": config.password,
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "redirect_uri": config.redirect_uri,
            "subdomain": config.subdomain,
            "rate_limit_per_minute": config.rate_limit,
            "records": counts,
        });
        AdminVendor {
            controls: state.controls.clone(),
            summary,
            routes: admin::routes(state.clone()),
        }
    }
}

/// Delivers every pending webhook event now and returns the attempts.
pub(crate) async fn deliver(state: &State) -> Vec<DeliveryAttempt> {
    delivery::deliver_round(state).await
}

/// Queues an event of `event_type` for every subscription to it; `data` defaults to a record
/// of the seeded tenant that fits the event. Returns how many deliveries were queued.
pub(crate) fn trigger(
    state: &State,
    event_type: &str,
    data: Option<Value>,
) -> Result<usize, UnknownEventType> {
    delivery::trigger(state, event_type, data)
}

/// The environment variables of an application pointed at this sandbox.
pub(crate) fn env(state: &State) -> [(&'static str, String); 6] {
    let config = &state.config;
    [
        ("EVERREAL_BASE_URL", state.base_url.clone()),
        ("EVERREAL_USERNAME", config.username.clone()),
        ("EVERREAL_PASSWORD", config.password.clone()),
        ("EVERREAL_CLIENT_ID", config.client_id.clone()),
        ("EVERREAL_CLIENT_SECRET", config.client_secret.clone()),
        ("EVERREAL_REDIRECT_URI", config.redirect_uri.clone()),
    ]
}

/// The vendor's routes, behind the rate limit and the fault middleware.
fn router(state: Shared) -> Router {
    let bearer = from_fn_with_state(state.clone(), auth::require_bearer);
    let protected = Router::new()
        .route("/accounts/api/users/me", get(account::me))
        .route("/accounts/api/userinfo", get(account::userinfo))
        .route(
            "/api/external-integrations/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/api/external-integrations/webhooks/{id}",
            delete(webhooks::delete),
        )
        .route("/api/reporting/graphql", post(graphql::handle))
        .route_layer(bearer);
    Router::new()
        .route("/accounts/oauth/token", post(auth::token))
        .route("/accounts/dialog/authorize", get(auth::authorize))
        .route("/accounts/api/tokeninfo", get(auth::tokeninfo))
        .route(
            "/accounts/api/tokenrevoke",
            get(auth::tokenrevoke).post(auth::tokenrevoke),
        )
        .merge(protected)
        .fallback(unknown_path)
        .with_state(state.clone())
        .layer(from_fn_with_state(state.clone(), limits::rate_limit))
        .layer(from_fn_with_state(state.controls.clone(), apply_faults))
}

async fn unknown_path() -> errors::ApiError {
    errors::not_found("no such resource")
}
