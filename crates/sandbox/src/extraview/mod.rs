//! ExtraView's command API: one endpoint, `<prefix>/ev_api.action?statevar=<command>&...`, at
//! an install-specific path (`/evj/ExtraView` unless configured). Every answer is HTTP 200
//! with plain text or XML, failures included; a token travels in the query as `access_token`.

mod attachments;
mod auth;
mod data;
mod dates;
mod meta;
mod records;
mod text;
mod xml;

use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::get;
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::shared::admin::AdminVendor;
use crate::shared::clock::Clock;
use crate::shared::faults::{CutOff, FaultProfile, Faults, RequestKind, apply_faults};
use crate::shared::query::Query;
use crate::shared::server;
use crate::shared::vendor::VendorControls;

pub(crate) use self::data::{READONLY_PASSWORD, READONLY_USER_ID};
use self::data::{Role, Store};
use self::xml::{UserDisplay, View};

/// Name of the vendor in admin paths.
pub(crate) const NAME: &str = "extraview";
/// Demo user id (ExtraView user ids are upper case).
pub(crate) const USER_ID: &str = "SANDBOX_API";
/// Its password.
pub(crate) const PASSWORD: &str = "sandbox-extraview-password";
/// The path in front of the endpoint: the vendor manual's install.
pub(crate) const PATH_PREFIX: &str = "/evj/ExtraView";
/// The endpoint's last path segment, the same on every install.
pub(crate) const ENDPOINT: &str = "ev_api.action";
/// Token lifetime of the vendor's documented example (`OAUTH2_TOKEN_LIFETIME_SECONDS`).
pub(crate) const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Issues seeded unless configured otherwise.
pub(crate) const ISSUES: usize = 30;
/// The most issues the sandbox seeds.
pub(crate) const MAX_ISSUES: usize = 10_000;
/// The plain-text delimiter (`DEFAULT_TEXT_REPORT_DELIMITER`) unless configured otherwise.
pub(crate) const DELIMITER: &str = "|";
/// The text in front of the number in write messages (`Bug # 12352 added.`); trimmed, the ID
/// field's screen title.
pub(crate) const ID_TITLE: &str = "Bug # ";
/// The largest attachment accepted (installs set their own limit).
pub(crate) const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

/// How the fault middleware sees ExtraView.
static PROFILE: FaultProfile = FaultProfile {
    classify,
    api_error: text::html_error,
    token_error: text::html_error,
    // Answers are text and XML: the enum knob is applied by the record writer instead.
    enum_members: &[],
    cut_off: CutOff::Half,
};

fn classify(uri: &Uri) -> RequestKind {
    if !uri.path().ends_with(&format!("/{ENDPOINT}")) {
        return RequestKind::Other;
    }
    let query = Query::parse(uri.query());
    match query.text("statevar") {
        Some(command) if command.trim().eq_ignore_ascii_case("get_token") => RequestKind::Token,
        _ => RequestKind::Api,
    }
}

/// Startup settings of the ExtraView emulation.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) user_id: String,
    pub(crate) password: String,
    pub(crate) path_prefix: String,
    pub(crate) token_lifetime: Duration,
    pub(crate) issues: usize,
    pub(crate) delimiter: String,
    pub(crate) id_title: String,
    pub(crate) well_formed_token_xml: bool,
    pub(crate) faults: Faults,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            user_id: USER_ID.to_owned(),
            password: PASSWORD.to_owned(),
            path_prefix: PATH_PREFIX.to_owned(),
            token_lifetime: TOKEN_LIFETIME,
            issues: ISSUES,
            delimiter: DELIMITER.to_owned(),
            id_title: ID_TITLE.to_owned(),
            well_formed_token_xml: false,
            faults: Faults::default(),
        }
    }
}

impl Config {
    fn validate(&self) -> io::Result<()> {
        let invalid = |m: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, m.to_owned()));
        if self.user_id.trim().is_empty() || self.password.is_empty() {
            return invalid("the ExtraView user id and password must not be empty");
        }
        if data::seeded_logins().any(|l| l.eq_ignore_ascii_case(self.user_id.trim())) {
            return invalid("the ExtraView user id is taken by a seeded user");
        }
        let prefix_ok = self.path_prefix.is_empty()
            || (self.path_prefix.starts_with('/')
                && !self.path_prefix.ends_with('/')
                && !self.path_prefix.contains("//")
                && self
                    .path_prefix
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/-_.~".contains(&b)));
        if !prefix_ok {
            return invalid(
                "the ExtraView path prefix must be empty or start with '/', not end with '/', \
                 and hold only letters, digits and '/-_.~'",
            );
        }
        if self.token_lifetime.is_zero() {
            return invalid("the ExtraView token lifetime must not be zero");
        }
        if self.issues > MAX_ISSUES {
            return invalid("ExtraView is limited to 10000 seeded issues");
        }
        if self.delimiter.is_empty() || self.delimiter.contains(['\r', '\n']) {
            return invalid("the ExtraView delimiter must not be empty or hold a line break");
        }
        if self.id_title.trim().is_empty() || self.id_title.contains(['\r', '\n']) {
            return invalid("the ExtraView ID title must not be empty or hold a line break");
        }
        Ok(())
    }
}

/// Everything the ExtraView handlers share.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) seed: u64,
    pub(crate) clock: Clock,
    pub(crate) controls: VendorControls,
    pub(crate) base_url: String,
    pub(crate) endpoint_url: String,
    pub(crate) config: Config,
    store: Mutex<Store>,
}

impl State {
    /// The install's data, locked for a few instructions (never across an `.await`).
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The text in front of an issue number in messages (`Bug # `).
    pub(crate) fn id_prefix(&self) -> &str {
        &self.config.id_title
    }

    /// The ID field's screen title (`Bug #`).
    pub(crate) fn id_title(&self) -> &str {
        self.config.id_title.trim()
    }

    /// Joins the columns of a plain-text line with the install's delimiter.
    pub(crate) fn join(&self, columns: &[&str]) -> String {
        columns.join(&self.config.delimiter)
    }
}

/// The handlers' view of [`State`].
pub(crate) type Shared = Arc<State>;

/// Who made a call, once signed on.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub(crate) login: String,
    pub(crate) role: Role,
}

/// One signed-on call: the parameters and the caller.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a State,
    pub(crate) params: &'a Query,
    pub(crate) caller: Caller,
}

impl Call<'_> {
    /// A parameter's text, `None` when missing or empty.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .text(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// A required parameter, or the message that it is missing.
    pub(crate) fn required(&self, name: &str) -> Result<&str, String> {
        self.param(name).ok_or_else(|| text::missing(name))
    }

    /// A yes/no parameter: `yes`, `y`, `true` and `1` in any letter case are yes.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.param(name).is_some_and(is_yes)
    }

    /// Whether the caller is the read-only user.
    pub(crate) fn read_only(&self) -> bool {
        self.caller.role == Role::ReadOnly
    }

    /// Sandbox time in unix seconds.
    pub(crate) fn now(&self) -> i64 {
        self.state.clock.now_unix()
    }

    /// How `username_display` asks user fields to be shown (default `LAST`).
    pub(crate) fn display(&self) -> Result<UserDisplay, String> {
        match self.param("username_display").map(str::to_ascii_uppercase) {
            None => Ok(UserDisplay::Last),
            Some(d) if d == "ID" => Ok(UserDisplay::Id),
            Some(d) if d == "LAST" => Ok(UserDisplay::Last),
            Some(d) if d == "FIRST" => Ok(UserDisplay::First),
            Some(_) => Err(text::BAD_USERNAME_DISPLAY.to_owned()),
        }
    }

    /// How records are written for this call, over the users of `store`.
    pub(crate) fn view<'s>(&'s self, store: &'s Store) -> Result<View<'s>, String> {
        let faults = self.state.controls.faults();
        Ok(View {
            users: &store.users,
            id_title: self.state.id_title(),
            display: self.display()?,
            reverse_lookup: self.flag("api_reverse_lookup"),
            hide_restricted: self.read_only(),
            only: None,
            extra_field: faults.extra_fields,
            unknown_enums: faults.unknown_enum_values,
        })
    }

    /// The issue `id` names (`strict=yes`: its `ALT_ID` only), or the message for a miss.
    pub(crate) fn find(&self, store: &Store, id: &str) -> Result<u64, String> {
        let strict = self.flag("strict");
        store.find(id, strict).ok_or_else(|| {
            if strict {
                text::INVALID_ID.to_owned()
            } else {
                text::no_such_issue(self.state.id_prefix(), id)
            }
        })
    }
}

/// Whether a yes/no parameter says yes.
pub(crate) fn is_yes(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "yes" | "y" | "true" | "1"
    )
}

/// A started ExtraView emulation.
#[derive(Debug)]
pub(crate) struct Running {
    pub(crate) state: Shared,
    pub(crate) server: JoinHandle<io::Result<()>>,
}

impl Running {
    /// Binds `127.0.0.1:port`, seeds the install and starts serving.
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
        let endpoint_url = format!("{base_url}{}/{ENDPOINT}", config.path_prefix);
        let store = Store::generate(seed, config.issues, config.user_id.trim(), &config.password);
        let state = Arc::new(State {
            seed,
            clock,
            controls,
            base_url,
            endpoint_url,
            config,
            store: Mutex::new(store),
        });
        let server = server::serve(listener, router(state.clone()), shutdown);
        Ok(Self { state, server })
    }

    /// The vendor as the admin API shows it.
    pub(crate) fn admin(&self) -> AdminVendor {
        let state = &self.state;
        let config = &state.config;
        let (issues, attachments, users) = {
            let store = state.store();
            (
                store.issues.len(),
                store.attachments.len(),
                store.users.len(),
            )
        };
        let summary = json!({
            "url": state.endpoint_url,
            "host_url": state.base_url,
            "user_id": config.user_id,
            "password": config.password,
            "readonly_user_id": READONLY_USER_ID,
            "readonly_password": READONLY_PASSWORD,
            "delimiter": config.delimiter,
            "id_title": state.id_title(),
            "issues": issues,
            "attachments": attachments,
            "users": users,
        });
        AdminVendor {
            controls: state.controls.clone(),
            summary,
            routes: Router::new(),
        }
    }
}

/// The environment variables of an application pointed at this sandbox.
pub(crate) fn env(state: &State) -> [(&'static str, String); 3] {
    [
        ("EXTRAVIEW_URL", state.endpoint_url.clone()),
        ("EXTRAVIEW_USER_ID", state.config.user_id.clone()),
        ("EXTRAVIEW_PASSWORD", state.config.password.clone()),
    ]
}

/// The endpoint, behind the fault middleware.
fn router(state: Shared) -> Router {
    let path = format!("{}/{ENDPOINT}", state.config.path_prefix);
    Router::new()
        .route(&path, get(endpoint).post(endpoint))
        .fallback(unknown_path)
        .with_state(state.clone())
        // Room for the largest attachment and the multipart framing around it.
        .layer(DefaultBodyLimit::max(MAX_ATTACHMENT + 64 * 1024))
        .layer(from_fn_with_state(state.controls.clone(), apply_faults))
}

async fn unknown_path() -> Response {
    text::html_error(
        StatusCode::NOT_FOUND,
        "The requested resource is not available.",
    )
}

/// Every command: read the parameters, sign on (but for `get_token`), run the command.
async fn endpoint(
    AxumState(state): AxumState<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut params = Query::parse(uri.query());
    let Some(command) = params
        .text("statevar")
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
    else {
        return text::message(text::missing("statevar"));
    };
    // The upload's form fields count as parameters (credentials and `p_id` may be there),
    // so the form is read before signing on.
    let upload = (command == "add_attachment")
        .then(|| attachments::read_form(&method, &headers, &body, &mut params));
    if command == "get_token" {
        return auth::get_token(&state, &params);
    }
    let caller = match auth::sign_on(&state, &params) {
        Ok(caller) => caller,
        Err(message) => return text::message(message),
    };
    let call = Call {
        state: &state,
        params: &params,
        caller,
    };
    if let Some(template) = call.param("p_template_file") {
        return text::message(text::no_template(template));
    }
    let result = match command.as_str() {
        "get" => records::get(&call),
        "search" => records::search(&call),
        "insert" => records::insert(&call),
        "update" => records::update(&call),
        "delete" => records::delete(&call),
        "history" => records::history(&call),
        "allowed_list" => meta::allowed_list(&call),
        "get_valid_meta_data" => meta::valid_meta_data(&call),
        "add_field_list" => meta::field_list(&call, true),
        "edit_field_list" => meta::field_list(&call, false),
        "get_users" => meta::users(&call),
        "get_heartbeat" => meta::heartbeat(&call),
        "add_attachment" => attachments::add(&call, upload),
        "list_attachment" => attachments::list(&call),
        "get_attachment" => attachments::get(&call),
        other => Err(text::unknown_command(other)),
    };
    result.unwrap_or_else(text::message)
}
