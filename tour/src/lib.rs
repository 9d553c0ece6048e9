#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod everreal;
mod extraview;
mod iotconnect;
mod output;
mod receiver;
mod scenario;

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use output::Progress;
pub use receiver::{Delivery, WebhookReceiver};
pub use scenario::run_tour;

/// What the tour runs against and how it shows progress.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TourOptions {
    /// Seed of the sandbox data (default [`sdk_sandbox::DEFAULT_SEED`]).
    pub seed: u64,
    /// Sensors in the sandbox fleet (default 12, at least 1). Fleets of five or more include
    /// one sensor that never reported.
    pub sensors: usize,
    /// Gateways in the sandbox fleet (default 3, at least 1).
    pub gateways: usize,
    /// How many of the sensors that report get a day of readings read (default 4, enough
    /// to see both sensor families and keep the tour short); `None` reads them all.
    pub readings_of: Option<usize>,
    /// IoTConnect devices in the sandbox (default 8, at least 1). Four or more include one
    /// device that never reported.
    pub devices: usize,
    /// How long steps show their progress (default [`Progress::Lines`]).
    pub progress: Progress,
}

impl Default for TourOptions {
    fn default() -> Self {
        Self {
            seed: sdk_sandbox::DEFAULT_SEED,
            sensors: 12,
            gateways: 3,
            readings_of: Some(4),
            devices: 8,
            progress: Progress::default(),
        }
    }
}

/// The steps of the tour, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// Start the sandbox and build the client from its URL and demo credentials.
    Start,
    /// `GET /ds/v1/health`, the first call: it fetches the token.
    Health,
    /// Every sensor, through the paginated stream.
    Sensors,
    /// The last 24 h of readings of some sensors that report, through the window stream.
    Readings,
    /// A webhook subscription, one delivery round to a local receiver, decoding, deletion.
    Webhooks,
    /// Every token expired by the sandbox; the next call gets a 401 and is resent.
    TokenExpiry,
    /// A burst of 429 answers with `Retry-After`; the call is retried until it succeeds.
    RateLimit,
    /// The IoTConnect client built by discovery against the sandbox, then signed in (basic
    /// token, login) by its first call.
    IotcSignIn,
    /// Every IoTConnect device, through the paged stream with a small page size.
    IotcDevices,
    /// A device created from the template of a listed device, then read back by unique id.
    IotcCreate,
    /// The latest telemetry of a device that reports, and of the new device (none yet).
    IotcTelemetry,
    /// The new device deleted; its lookup then answers `None`.
    IotcDelete,
    /// The EverReal password grant, then `users/me`: who, which company, the rate-limit quota.
    ErSignIn,
    /// The EverReal authorization-code flow driven end to end, then userinfo.
    ErCodeFlow,
    /// Every EverReal unit, through the paged GraphQL stream with a small page size.
    ErUnits,
    /// The active, unarchived EverReal listings.
    ErListings,
    /// An owner, a property and a unit upserted; the unit read back.
    ErUpsert,
    /// A webhook subscription, the upsert's event delivered to a local receiver, decoding,
    /// deletion.
    ErWebhooks,
    /// ExtraView's `get_token` with the demo API user: the token's lifetime, never the token.
    EvSignIn,
    /// The ExtraView heartbeat with its background tasks.
    EvHeartbeat,
    /// The issues of one product through the search stream with a small page length.
    EvSearch,
    /// One issue read whole: nested groups and repeating rows.
    EvIssue,
    /// An issue inserted (the required fields from the add layout, a list value by its key),
    /// its new id read from the answer, then read back.
    EvInsert,
    /// The new issue's status, assignee and comments updated, then read back.
    EvUpdate,
    /// The new issue's history: one version more after the update.
    EvHistory,
    /// An attachment uploaded to the new issue, listed and downloaded byte for byte.
    EvAttachments,
    /// The new issue deleted; `get` then says it does not exist.
    EvDelete,
    /// Every token expired through the sandbox's admin API between two pages of a search;
    /// the SDK signs in once more and the search completes.
    EvTokenExpiry,
}

impl Step {
    /// Every step, in the order the tour runs them.
    pub const ALL: [Step; 28] = [
        Step::Start,
        Step::Health,
        Step::Sensors,
        Step::Readings,
        Step::Webhooks,
        Step::TokenExpiry,
        Step::RateLimit,
        Step::IotcSignIn,
        Step::IotcDevices,
        Step::IotcCreate,
        Step::IotcTelemetry,
        Step::IotcDelete,
        Step::ErSignIn,
        Step::ErCodeFlow,
        Step::ErUnits,
        Step::ErListings,
        Step::ErUpsert,
        Step::ErWebhooks,
        Step::EvSignIn,
        Step::EvHeartbeat,
        Step::EvSearch,
        Step::EvIssue,
        Step::EvInsert,
        Step::EvUpdate,
        Step::EvHistory,
        Step::EvAttachments,
        Step::EvDelete,
        Step::EvTokenExpiry,
    ];

    /// Position in the tour, from 1.
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    /// Short title, as printed.
    pub fn title(self) -> &'static str {
        match self {
            Step::Start => "start the sandbox",
            Step::Health => "health",
            Step::Sensors => "list sensors",
            Step::Readings => "readings, last 24 h",
            Step::Webhooks => "webhook delivery",
            Step::TokenExpiry => "token expiry",
            Step::RateLimit => "429 burst",
            Step::IotcSignIn => "IoTConnect sign-in",
            Step::IotcDevices => "IoTConnect devices",
            Step::IotcCreate => "create a device",
            Step::IotcTelemetry => "latest telemetry",
            Step::IotcDelete => "delete the device",
            Step::ErSignIn => "EverReal sign-in",
            Step::ErCodeFlow => "authorization code",
            Step::ErUnits => "EverReal units",
            Step::ErListings => "active listings",
            Step::ErUpsert => "upsert master data",
            Step::ErWebhooks => "EverReal webhooks",
            Step::EvSignIn => "ExtraView sign-in",
            Step::EvHeartbeat => "ExtraView heartbeat",
            Step::EvSearch => "ExtraView search",
            Step::EvIssue => "one issue, nested",
            Step::EvInsert => "insert an issue",
            Step::EvUpdate => "update the issue",
            Step::EvHistory => "issue history",
            Step::EvAttachments => "attachments",
            Step::EvDelete => "delete the issue",
            Step::EvTokenExpiry => "expiry mid-search",
        }
    }
}

/// One finished step and how long it took.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StepTiming {
    /// The step.
    pub step: Step,
    /// Its wall-clock time.
    pub elapsed: Duration,
}

/// Everything the tour saw: the numbers printed in its report, for tests to check.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TourReport {
    /// Seed of the sandbox data.
    pub seed: u64,
    /// Each step with its time, in order.
    pub steps: Vec<StepTiming>,
    /// Wall-clock time of the whole tour.
    pub total: Duration,
    /// What `health` answered as its version.
    pub health_version: Option<String>,
    /// The sensors listed.
    pub sensors: SensorsReport,
    /// The readings read.
    pub readings: ReadingsReport,
    /// The webhook round trip.
    pub webhooks: WebhooksReport,
    /// The forced token expiry.
    pub token_expiry: TokenExpiryReport,
    /// The 429 burst.
    pub rate_limit: RateLimitReport,
    /// Token requests Everactive counted over the whole tour.
    pub token_requests: u64,
    /// API requests Everactive counted over the whole tour (retries and resends included).
    pub api_requests: u64,
    /// The IoTConnect steps.
    pub iotconnect: IotConnectReport,
    /// The EverReal steps.
    pub everreal: EverRealReport,
    /// The ExtraView steps.
    pub extraview: ExtraViewReport,
}

/// Step 3: the sensor list.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SensorsReport {
    /// Every MAC address listed, in list order.
    pub macs: Vec<String>,
    /// MAC addresses of the sensors with a last reading.
    pub reporting: Vec<String>,
    /// Sensors per `type`, sorted by type.
    pub by_type: Vec<(String, usize)>,
    /// Requests the stream sent (pages).
    pub requests: u64,
}

/// Step 4: a day of readings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReadingsReport {
    /// Start of the range, inclusive.
    pub start: DateTime<Utc>,
    /// End of the range, inclusive.
    pub end: DateTime<Utc>,
    /// One entry per sensor read, in list order.
    pub sensors: Vec<SensorReadings>,
    /// Requests the streams sent (one per window).
    pub requests: u64,
}

impl ReadingsReport {
    /// Readings of every sensor together.
    pub fn total(&self) -> u64 {
        self.sensors.iter().map(|s| s.count).sum()
    }
}

/// The readings of one sensor.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SensorReadings {
    /// Its MAC address.
    pub mac: String,
    /// How many readings came.
    pub count: u64,
    /// Unix time of the oldest one.
    pub first: Option<i64>,
    /// Unix time of the newest one.
    pub last: Option<i64>,
}

/// Step 5: the webhook round trip.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct WebhooksReport {
    /// Id of the subscription created (and deleted).
    pub subscription_id: String,
    /// Delivery attempts the sandbox made in the round.
    pub attempted: usize,
    /// POSTs the local receiver got.
    pub received: usize,
    /// Of those, how many carried the shared secret.
    pub secret_matched: usize,
    /// MAC addresses of the deliveries that decoded as sensor readings, in arrival order.
    pub decoded_macs: Vec<String>,
    /// Delivery attempts of a round run after the subscription was deleted (0 expected).
    pub attempted_after_delete: usize,
}

/// Step 6: the forced token expiry.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenExpiryReport {
    /// Live tokens the sandbox expired.
    pub expired: usize,
    /// Token requests counted before the call.
    pub token_requests_before: u64,
    /// Token requests counted after it.
    pub token_requests_after: u64,
    /// API requests the call took (the 401 and the resend: 2).
    pub api_requests: u64,
}

/// Step 7: the 429 burst.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RateLimitReport {
    /// How many 429 answers the sandbox was told to give.
    pub forced: u32,
    /// The `Retry-After` they carried.
    pub retry_after: Duration,
    /// API requests the call took, the 429s included.
    pub attempts: u64,
    /// How long the call took, waits included.
    pub elapsed: Duration,
}

/// Steps 8 to 12: the IoTConnect SDK, and what the sandbox's IoTConnect counted.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct IotConnectReport {
    /// Discovery and the sign-in.
    pub sign_in: SignInReport,
    /// The devices listed.
    pub devices: DevicesReport,
    /// The device created.
    pub created: CreatedDeviceReport,
    /// The latest telemetry read.
    pub telemetry: TelemetryReport,
    /// The deletion.
    pub deleted: DeletedDeviceReport,
    /// Token requests (basic token and login) IoTConnect counted over the whole tour.
    pub token_requests: u64,
    /// API requests IoTConnect counted over the whole tour.
    pub api_requests: u64,
}

/// Step 8: discovery and the sign-in.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignInReport {
    /// The device service's base URL, as discovery answered it.
    pub device_url: String,
    /// Token requests of the sign-in: the basic token and the login (2).
    pub token_requests: u64,
    /// Access tokens the sandbox issued for it (1).
    pub tokens_issued: u64,
}

/// Step 9: the device list.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DevicesReport {
    /// Every device, in list order (by unique id).
    pub devices: Vec<ListedDevice>,
    /// Devices per template name, sorted by name.
    pub by_template: Vec<(String, usize)>,
    /// The page size the stream asked for.
    pub page_size: u32,
    /// Devices per request, in order (a full last page is followed by an empty one).
    pub per_page: Vec<usize>,
    /// Requests the stream sent (pages).
    pub requests: u64,
}

impl DevicesReport {
    /// The devices that have reported (with a last communication).
    pub fn reporting(&self) -> impl Iterator<Item = &ListedDevice> {
        self.devices
            .iter()
            .filter(|d| d.last_communication.is_some())
    }
}

/// One device of the list.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ListedDevice {
    /// Its unique id.
    pub unique_id: String,
    /// Its GUID.
    pub guid: String,
    /// Its template's GUID.
    pub template_guid: String,
    /// Its template's name.
    pub template_name: String,
    /// Name of its entity.
    pub entity_name: String,
    /// When it last sent a message; `None` when it never did.
    pub last_communication: Option<String>,
}

/// Step 10: the device created and read back.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CreatedDeviceReport {
    /// Templates the template stream listed.
    pub templates: usize,
    /// Code of the template used (that of the first reporting device).
    pub template_code: String,
    /// Its name, as `template_by_code` answered it.
    pub template_name: String,
    /// Name of the entity the device was created in.
    pub entity_name: String,
    /// The new device's unique id.
    pub unique_id: String,
    /// Its GUID, as the read-back answered it.
    pub guid: String,
    /// The template name the read-back answered.
    pub read_back_template: String,
}

/// Step 11: the latest telemetry.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TelemetryReport {
    /// The reporting device read.
    pub unique_id: String,
    /// Its latest value per attribute: name and value (as the API gives it, a string).
    pub values: Vec<(String, String)>,
    /// When those values were sent.
    pub updated: Option<String>,
    /// Latest values of the device just created (0: it never reported).
    pub created_device_values: usize,
}

/// Step 12: the deletion.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DeletedDeviceReport {
    /// Unique id of the device deleted.
    pub unique_id: String,
    /// Whether `device_by_unique_id` still found it afterwards (`false` expected).
    pub found_after: bool,
}

/// Steps 13 to 18: the EverReal SDK, and what the sandbox's EverReal counted.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EverRealReport {
    /// The password grant and `users/me`.
    pub sign_in: EverRealSignInReport,
    /// The authorization-code flow.
    pub code_flow: CodeFlowReport,
    /// The units listed.
    pub units: EverRealUnitsReport,
    /// The active listings.
    pub listings: ListingsReport,
    /// The master data upserted.
    pub upsert: UpsertReport,
    /// The webhook round trip.
    pub webhooks: EverRealWebhooksReport,
    /// Token requests (every grant) EverReal counted over the whole tour.
    pub token_requests: u64,
    /// API requests EverReal counted over the whole tour.
    pub api_requests: u64,
}

/// Step 13: the password grant and `users/me`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EverRealSignInReport {
    /// The user's id.
    pub user_id: String,
    /// Their e-mail address.
    pub email: String,
    /// Their first and last name.
    pub name: String,
    /// The company they work in now.
    pub company: String,
    /// The tenant's subdomain, from the company's partner.
    pub subdomain: String,
    /// The scopes of the token.
    pub scope: Vec<String>,
    /// `X-RateLimit-Limit` of the last answer.
    pub rate_limit: Option<u32>,
    /// `X-RateLimit-Remaining` of the last answer.
    pub rate_remaining: Option<u32>,
    /// `X-RateLimit-Reset` of the last answer.
    pub rate_reset: Option<Duration>,
    /// Token requests of the sign-in (1).
    pub token_requests: u64,
}

/// Step 14: the authorization-code flow.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CodeFlowReport {
    /// Path of the authorize URL.
    pub authorize_path: String,
    /// Names of its query parameters, in order.
    pub parameters: Vec<String>,
    /// Status of the dialog's answer (302).
    pub redirect_status: u16,
    /// Whether the redirect's `state` was the one sent.
    pub state_matched: bool,
    /// Whether the exchange brought a refresh token.
    pub refresh_token: bool,
    /// The user userinfo named.
    pub user_id: String,
    /// Their e-mail address.
    pub email: String,
    /// Token requests of the flow (the exchange: 1).
    pub token_requests: u64,
}

/// Step 15: the unit list.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EverRealUnitsReport {
    /// Units listed.
    pub count: usize,
    /// The page size (`take`) the stream asked for.
    pub page_size: u32,
    /// Units per request, in order (a full last page is followed by an empty one).
    pub per_page: Vec<usize>,
    /// Requests the stream sent (pages).
    pub requests: u64,
    /// Units per type (lower case), sorted by type.
    pub by_type: Vec<(String, usize)>,
    /// Units leased now.
    pub leased: usize,
}

/// Step 16: the active listings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ListingsReport {
    /// Active, unarchived listings.
    pub active: usize,
    /// Every listing, for comparison.
    pub all: usize,
    /// Title of the first active listing.
    pub first_title: String,
    /// Its property's address.
    pub first_address: String,
    /// Lowest total monthly rent of the active listings.
    pub lowest_rent: Option<f64>,
    /// Highest total monthly rent of the active listings.
    pub highest_rent: Option<f64>,
}

/// Step 17: the master data upserted and read back.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct UpsertReport {
    /// The `meta.source` of every upsert.
    pub source: String,
    /// The owner's EverReal id.
    pub owner_id: String,
    /// The property's EverReal id.
    pub property_id: String,
    /// The unit's EverReal id, as the upsert answered it.
    pub unit_id: String,
    /// The unit's id as the read-back answered it.
    pub read_back_id: String,
    /// Its name as read back.
    pub name: String,
    /// Its floor as read back.
    pub floor: Option<f64>,
    /// Its living surface as read back.
    pub living_surface: Option<f64>,
    /// Its rooms as read back.
    pub rooms: Option<f64>,
}

/// Step 18: the EverReal webhook round trip.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EverRealWebhooksReport {
    /// Id of the subscription created (and deleted).
    pub subscription_id: String,
    /// Its event type.
    pub event_type: String,
    /// Delivery attempts the sandbox made in the round.
    pub attempted: usize,
    /// POSTs the local receiver got.
    pub received: usize,
    /// The unit id and name of each delivery decoded as `UNIT_UPDATED`.
    pub decoded: Vec<(String, String)>,
    /// Deliveries queued by an event fired after the deletion (0 expected).
    pub queued_after_delete: usize,
}

/// Steps 19 to 28: the ExtraView SDK, and what the sandbox's ExtraView counted.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExtraViewReport {
    /// The sign-in.
    pub sign_in: EvSignInReport,
    /// The heartbeat.
    pub heartbeat: EvHeartbeatReport,
    /// The paged search.
    pub search: EvSearchReport,
    /// The issue read whole.
    pub issue: EvIssueReport,
    /// The issue inserted.
    pub insert: EvInsertReport,
    /// Its update.
    pub update: EvUpdateReport,
    /// Its history.
    pub history: EvHistoryReport,
    /// Its attachment.
    pub attachments: EvAttachmentsReport,
    /// Its deletion.
    pub deleted: EvDeleteReport,
    /// The search across an expired token.
    pub expiry: EvExpiryReport,
    /// `get_token` requests ExtraView counted over the whole tour.
    pub token_requests: u64,
    /// Other requests ExtraView counted over the whole tour (refused ones included).
    pub api_requests: u64,
}

/// Step 19: `get_token`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EvSignInReport {
    /// The user signed in.
    pub user_id: String,
    /// The token's lifetime, as `get_token` stated it.
    pub lifetime: Duration,
    /// When the token expires.
    pub expires_at: DateTime<Utc>,
    /// `get_token` requests of the sign-in (1).
    pub token_requests: u64,
    /// Other requests before it (0).
    pub api_requests: u64,
}

/// Step 20: the heartbeat.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EvHeartbeatReport {
    /// `EV_STATUS`.
    pub status: String,
    /// `DB_STATUS`.
    pub db_status: String,
    /// `DB_DATETIME`, the database's time.
    pub db_datetime: String,
    /// `FREE_MEMORY` in MB.
    pub free_memory_mb: Option<u64>,
    /// `TOTAL_MEMORY` in MB.
    pub total_memory_mb: Option<u64>,
    /// Each background task and its state.
    pub tasks: Vec<(String, String)>,
}

/// Step 21: the paged search.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EvSearchReport {
    /// The filter: field and value.
    pub filter: (String, String),
    /// Issues found.
    pub count: usize,
    /// Their ids, in the order the pages gave them.
    pub ids: Vec<String>,
    /// The page length the stream asked for.
    pub page_length: u64,
    /// Issues per request, in order; the last request is the empty page that ends the stream.
    pub per_page: Vec<usize>,
    /// Requests the stream sent.
    pub requests: u64,
    /// Issues per status, sorted by status.
    pub by_status: Vec<(String, usize)>,
}

/// Step 22: one issue read whole.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EvIssueReport {
    /// Its id.
    pub id: u64,
    /// The screen title of its `ID` field (`Bug #`).
    pub id_title: String,
    /// Its title (`SHORT_DESCR`).
    pub title: String,
    /// Top-level elements of the record.
    pub fields: usize,
    /// Names of the elements that group others, in document order.
    pub groups: Vec<String>,
    /// `MODULE_RECORD > MODULE_NAME`.
    pub module: String,
    /// `RELEASE_RECORD > RELEASE_FOUND`.
    pub release_found: String,
    /// `RELEASE_RECORD > RELEASE_FIXED`, when set.
    pub release_fixed: Option<String>,
    /// `TIME_ENTRY_RECORD` rows.
    pub time_entries: usize,
    /// Their hours together.
    pub hours: f64,
}

/// Step 23: the insert.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EvInsertReport {
    /// The new issue's id, read from the answer.
    pub id: u64,
    /// The screen title of the `ID` field.
    pub id_title: String,
    /// The add layout's required fields.
    pub required: Vec<String>,
    /// The key the module was given by.
    pub module_key: String,
    /// The title as read back.
    pub title: String,
    /// The status as read back (the default).
    pub status: String,
    /// The module as read back.
    pub module: String,
    /// `DATE_CREATED` as read back.
    pub created: String,
    /// The history cutoff just before the creation.
    pub cutoff: String,
    /// Versions of the issue in the history after the insert (1).
    pub versions: usize,
}

/// Step 24: the update.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EvUpdateReport {
    /// The issue.
    pub id: u64,
    /// Its status before.
    pub status_before: String,
    /// Its status as read back.
    pub status: String,
    /// Its assignee as read back (in the install's user display).
    pub assigned_to: String,
    /// Whether the comments end with the one added.
    pub comment_added: bool,
}

/// Step 25: the history.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EvHistoryReport {
    /// The issue.
    pub id: u64,
    /// The cutoff asked for.
    pub cutoff: String,
    /// Versions after the insert.
    pub versions_after_insert: usize,
    /// The status of each version now, oldest first.
    pub statuses: Vec<String>,
}

/// Step 26: the attachment round trip.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EvAttachmentsReport {
    /// Attachments before the upload (0).
    pub before: usize,
    /// Attachments after it (1).
    pub after: usize,
    /// The file name listed.
    pub file_name: String,
    /// The attachment id listed.
    pub attachment_id: String,
    /// The size listed.
    pub size: Option<u64>,
    /// Who uploaded it, as listed.
    pub uploaded_by: String,
    /// Whether the download gave the bytes uploaded.
    pub same_bytes: bool,
}

/// Step 27: the deletion.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EvDeleteReport {
    /// The issue deleted.
    pub id: u64,
    /// Whether `get` still found it (`false` expected).
    pub found_after: bool,
    /// What `get` answered afterwards.
    pub answer: String,
}

/// Step 28: the search across an expired token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EvExpiryReport {
    /// The page length of the search.
    pub page_length: u64,
    /// Issues the stream gave.
    pub count: usize,
    /// Distinct ones among them.
    pub unique: usize,
    /// Live tokens the admin API expired.
    pub expired: u64,
    /// `get_token` requests counted before the search.
    pub token_requests_before: u64,
    /// `get_token` requests counted after it.
    pub token_requests_after: u64,
    /// Requests of the search: the pages, the empty one that ends it, and the refused one.
    pub api_requests: u64,
    /// Pages of the search, the empty one included.
    pub pages: u64,
}

/// Why the tour stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TourError {
    step: Option<Step>,
    message: String,
}

impl TourError {
    pub(crate) fn at(step: Step, message: impl fmt::Display) -> Self {
        Self {
            step: Some(step),
            message: message.to_string(),
        }
    }

    pub(crate) fn shutdown(message: impl fmt::Display) -> Self {
        Self {
            step: None,
            message: message.to_string(),
        }
    }

    /// The step that failed; `None` when every step passed but the sandbox did not stop.
    pub fn step(&self) -> Option<Step> {
        self.step
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TourError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(step) => write!(
                f,
                "step {} of {} ({}) failed: {}",
                step.number(),
                Step::ALL.len(),
                step.title(),
                self.message
            ),
            None => write!(f, "the sandbox did not stop cleanly: {}", self.message),
        }
    }
}

impl std::error::Error for TourError {}
