//! Webhooks: the subscriptions (one event type and one URL each) and the deliveries EverReal
//! POSTs to them.
//!
//! Every delivery has the same envelope, `{uuid, operation, subdomain, language, createdAt,
//! data}`, where `operation` names the event type. EverReal documents the `data` of the
//! contract-flow events only, so those decode into typed structs and every other event keeps
//! its `data` as JSON. A delivery of a type this SDK does not know, or one that does not decode
//! as its type says, is [`WebhookEvent::Unknown`] with the whole delivery as JSON.
//!
//! EverReal signs nothing and sends no secret header: anyone who knows the receiver's URL can
//! post to it. Use a URL that is hard to guess, and confirm important events through the API.
//!
//! ```
//! use everreal_sdk::webhooks::{self, WebhookEvent};
//! let body = br#"{"uuid":"9b0f","operation":"LISTING_CONTRACT_FLOW_SIGNED","subdomain":"acme",
//!   "language":"de","createdAt":"2024-05-02T08:15:00.000Z",
//!   "data":{"id":"c1d2","contractFlowType":"ELECTRONIC_SIGNATURE_V2"}}"#;
//! match webhooks::parse(body)? {
//!     WebhookEvent::ListingContractFlowSigned(delivery) => assert_eq!(delivery.data.id, "c1d2"),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::open_enum::open_enum;

/// Defines the event types once, for [`WebhookEventType`] and for [`WebhookEvent`], so the two
/// cannot drift apart: every type has a variant in both, with its `data` type.
macro_rules! webhook_events {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $wire:literal => $data:ty,
    )+) => {
        open_enum! {
            /// The type of a webhook subscription and of its deliveries (`type` of a
            /// subscription, `operation` of a delivery): every type EverReal documents, and
            /// `Other` for the ones it adds.
            ///
            /// ```
            /// use everreal_sdk::WebhookEventType;
            /// assert_eq!(WebhookEventType::UnitCreated.as_str(), "UNIT_CREATED");
            /// assert_eq!(WebhookEventType::from("PROTOCOL_SIGNED"), WebhookEventType::Other("PROTOCOL_SIGNED".into()));
            /// ```
            pub enum WebhookEventType {
                $($(#[$doc])* $variant = $wire,)+
            }
        }

        /// One webhook delivery, decoded by its `operation`.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            $($(#[$doc])* $variant(WebhookDelivery<$data>),)+
            /// A delivery of a type this SDK does not know, or one that does not decode as its
            /// type says: the whole delivery, as sent.
            Unknown(Value),
        }

        impl WebhookEvent {
            /// The event type; for [`WebhookEvent::Unknown`], the `operation` it carries
            /// (empty when it has none).
            pub fn event_type(&self) -> WebhookEventType {
                match self {
                    $(WebhookEvent::$variant(_) => WebhookEventType::$variant,)+
                    WebhookEvent::Unknown(raw) => WebhookEventType::from(
                        raw.get("operation").and_then(Value::as_str).unwrap_or_default(),
                    ),
                }
            }

            fn decode(event_type: &WebhookEventType, raw: &Value) -> Option<Self> {
                match event_type {
                    $(WebhookEventType::$variant => delivery::<$data>(raw).map(WebhookEvent::$variant),)+
                    WebhookEventType::Other(_) => None,
                }
            }
        }
    };
}

webhook_events! {
    /// A listing was created.
    ListingCreated = "LISTING_CREATED" => Value,
    /// A listing was changed.
    ListingUpdated = "LISTING_UPDATED" => Value,
    /// A listing was archived.
    ListingArchived = "LISTING_ARCHIVED" => Value,
    /// A listing was activated.
    ListingActivated = "LISTING_ACTIVATED" => Value,
    /// A listing was deactivated.
    ListingDeactivated = "LISTING_DEACTIVATED" => Value,
    /// A listing was published to a channel (a portal).
    ListingPublishedToChannel = "LISTING_PUBLISHED_TO_CHANNEL" => Value,
    /// A listing was taken off a channel.
    ListingUnpublishedFromChannel = "LISTING_UNPUBLISHED_FROM_CHANNEL" => Value,
    /// A candidate was read from an inquiry.
    CandidateParsed = "CANDIDATE_PARSED" => Value,
    /// A candidate applied for a listing.
    ListingCandidateApplied = "LISTING_CANDIDATE_APPLIED" => Value,
    /// A candidate was invited to a viewing.
    ListingCandidateScheduleInvitedViewing = "LISTING_CANDIDATE_SCHEDULE_INVITED_VIEWING" => Value,
    /// A candidate asked for new time slots.
    ListingCandidateScheduleNewTimeslotsRequested = "LISTING_CANDIDATE_SCHEDULE_NEW_TIMESLOTS_REQUESTED" => Value,
    /// An administrator booked a time slot for a candidate.
    ListingCandidateScheduleTimeslotBookedAdmin = "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKED_ADMIN" => Value,
    /// A candidate booked a time slot.
    ListingCandidateScheduleTimeslotBookedCandidate = "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKED_CANDIDATE" => Value,
    /// An administrator removed a booking.
    ListingCandidateScheduleTimeslotBookingRemovedAdmin = "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKING_REMOVED_ADMIN" => Value,
    /// A candidate removed their booking.
    ListingCandidateScheduleTimeslotBookingRemovedCandidate = "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKING_REMOVED_CANDIDATE" => Value,
    /// A contract flow was started.
    ListingContractFlowStarted = "LISTING_CONTRACT_FLOW_STARTED" => ContractFlowStarted,
    /// A contract flow was withdrawn.
    ListingContractFlowWithdrawn = "LISTING_CONTRACT_FLOW_WITHDRAWN" => Value,
    /// Some parties signed the contract.
    ListingContractFlowPartiallySigned = "LISTING_CONTRACT_FLOW_PARTIALLY_SIGNED" => Value,
    /// Every party signed the contract.
    ListingContractFlowSigned = "LISTING_CONTRACT_FLOW_SIGNED" => ContractFlowSigned,
    /// An owner was created.
    OwnerCreated = "OWNER_CREATED" => Value,
    /// An owner was changed.
    OwnerUpdated = "OWNER_UPDATED" => Value,
    /// An owner was deleted.
    OwnerDeleted = "OWNER_DELETED" => Value,
    /// A property was created.
    PropertyCreated = "PROPERTY_CREATED" => Value,
    /// A property was changed.
    PropertyUpdated = "PROPERTY_UPDATED" => Value,
    /// A property was deleted.
    PropertyDeleted = "PROPERTY_DELETED" => Value,
    /// A unit was created.
    UnitCreated = "UNIT_CREATED" => Value,
    /// A unit was changed.
    UnitUpdated = "UNIT_UPDATED" => Value,
    /// A unit was deleted.
    UnitDeleted = "UNIT_DELETED" => Value,
}

/// The envelope of every delivery (`IWebhookDispatcher<T>` in EverReal's docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookDelivery<T> {
    /// The delivery's id; the same event delivered twice has the same id.
    #[serde(default)]
    pub uuid: Option<String>,
    /// The event type, as sent.
    pub operation: WebhookEventType,
    /// The subdomain of the customer the event belongs to.
    #[serde(default)]
    pub subdomain: Option<String>,
    /// The customer's language (`de`, `en`, ...).
    #[serde(default)]
    pub language: Option<String>,
    /// When the event happened (ISO 8601, as sent).
    #[serde(default)]
    pub created_at: Option<String>,
    /// The event's payload.
    pub data: T,
}

/// Decodes a delivery by its `operation` (see the module docs).
///
/// ```
/// use everreal_sdk::webhooks::{self, WebhookEvent};
/// let event = webhooks::parse(br#"{"operation":"PROTOCOL_SIGNED","data":{}}"#)?;
/// assert!(matches!(event, WebhookEvent::Unknown(_)));
/// assert_eq!(event.event_type().as_str(), "PROTOCOL_SIGNED");
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Errors
/// Only when the body is not JSON; any JSON value decodes, at worst as
/// [`WebhookEvent::Unknown`].
pub fn parse(body: &[u8]) -> Result<WebhookEvent, serde_json::Error> {
    let raw: Value = serde_json::from_slice(body)?;
    let event_type = raw
        .get("operation")
        .and_then(Value::as_str)
        .map(WebhookEventType::from);
    Ok(event_type
        .and_then(|t| WebhookEvent::decode(&t, &raw))
        .unwrap_or(WebhookEvent::Unknown(raw)))
}

/// Decoding from `&Value` borrows, so the raw value is still there when decoding fails.
fn delivery<T: DeserializeOwned>(raw: &Value) -> Option<WebhookDelivery<T>> {
    WebhookDelivery::<T>::deserialize(raw).ok()
}

/// Where a contract flow belongs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContractMetadata {
    /// The unit.
    #[serde(default)]
    pub unit_id: Option<String>,
    /// The listing.
    #[serde(default)]
    pub listing_id: Option<String>,
    /// The candidate.
    #[serde(default)]
    pub candidate_id: Option<String>,
}

/// A file of a contract flow (the contract, its audit trail).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContractFile {
    /// The file name.
    #[serde(default)]
    pub name: Option<String>,
    /// Where the file is (append to the resources host to download it).
    #[serde(default)]
    pub resource_path: Option<String>,
    /// Position among the flow's files.
    #[serde(default)]
    pub order: Option<f64>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<f64>,
    /// MIME type.
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
}

open_enum! {
    /// How a contract is signed (`CONTRACT_FLOW_TYPE`).
    pub enum ContractFlowType {
        /// Virtual.
        Virtual = "VIRTUAL",
        /// Signed offline.
        Offline = "OFFLINE",
        /// Downloaded, signed and uploaded again.
        DownloadUpload = "DOWNLOAD_UPLOAD",
        /// Electronic signature.
        ElectronicSignatureV2 = "ELECTRONIC_SIGNATURE_V2",
        /// Qualified electronic signature.
        ElectronicSignatureQes = "ELECTRONIC_SIGNATURE_QES",
    }
}

/// The `data` of `LISTING_CONTRACT_FLOW_STARTED`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContractFlowStarted {
    /// The contract flow's id.
    pub id: String,
    /// The template the contract was made from.
    #[serde(default)]
    pub contract_template_id: Option<String>,
    /// The unit, listing and candidate.
    #[serde(default)]
    pub metadata: Option<ContractMetadata>,
    /// The contract's data, undocumented.
    #[serde(default)]
    pub contract_data: Option<Value>,
    /// The contract status (`CONTRACT_STATUS`, values undocumented).
    #[serde(default)]
    pub status: Option<String>,
    /// How the contract is signed.
    #[serde(default)]
    pub contract_flow_type: Option<ContractFlowType>,
    /// The contract document.
    #[serde(default)]
    pub contract_file: Option<ContractFile>,
}

/// The `data` of `LISTING_CONTRACT_FLOW_SIGNED`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContractFlowSigned {
    /// The contract flow's id.
    pub id: String,
    /// The unit, listing and candidate.
    #[serde(default)]
    pub metadata: Option<ContractMetadata>,
    /// The contract's data, undocumented.
    #[serde(default)]
    pub contract_data: Option<Value>,
    /// The contract status (`CONTRACT_STATUS`, values undocumented).
    #[serde(default)]
    pub status: Option<String>,
    /// How the contract was signed.
    #[serde(default)]
    pub contract_flow_type: Option<ContractFlowType>,
    /// The signed contract.
    #[serde(default)]
    pub contract_file: Option<ContractFile>,
    /// The signature audit trail.
    #[serde(default)]
    pub audit_trail_file: Option<ContractFile>,
}

/// A webhook subscription (`GET /api/external-integrations/webhooks`).
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookSubscription {
    /// Its id (a UUID); [`crate::Client::delete_webhook`] takes it.
    pub id: String,
    /// The one event type it receives.
    #[serde(default, rename = "type")]
    pub type_: Option<WebhookEventType>,
    /// The customer it belongs to.
    #[serde(default)]
    pub partner_id: Option<String>,
    /// The company it belongs to.
    #[serde(default)]
    pub company_id: Option<String>,
    /// The user who created it.
    #[serde(default)]
    pub connected_by_user_id: Option<String>,
    /// Where deliveries are POSTed.
    #[serde(default)]
    pub url: Option<String>,
    /// When it was created (ISO 8601, as sent).
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// When it was deleted; `None` while it is active.
    #[serde(default)]
    pub deleted_at: Option<String>,
}

/// The body of `POST /api/external-integrations/webhooks`.
#[derive(Clone, PartialEq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct WebhookCreate {
    /// The event type to receive.
    #[serde(rename = "type")]
    pub type_: WebhookEventType,
    /// Where to POST the deliveries.
    pub url: String,
}

/// Shows the receiver's URL without its query, user info or fragment, where a shared secret
/// usually travels (EverReal signs nothing); the field itself keeps the whole URL.
impl fmt::Debug for WebhookSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSubscription")
            .field("id", &self.id)
            .field("type_", &self.type_)
            .field("partner_id", &self.partner_id)
            .field("company_id", &self.company_id)
            .field("connected_by_user_id", &self.connected_by_user_id)
            .field("url", &self.url.as_deref().map(sdk_auth::shown_url))
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("deleted_at", &self.deleted_at)
            .finish()
    }
}

/// Shows the URL as [`WebhookSubscription`]'s `Debug` does.
impl fmt::Debug for WebhookCreate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookCreate")
            .field("type_", &self.type_)
            .field("url", &sdk_auth::shown_url(&self.url))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_in_a_receiver_url_stays_out_of_debug() {
        let url = "https://user:pw@hooks.example.com/everreal?token=s3cr3t-hook#frag";
        let subscription: WebhookSubscription =
            serde_json::from_value(serde_json::json!({"id": "w-1", "url": url})).expect("json");
        let create = WebhookCreate {
            type_: WebhookEventType::UnitUpdated,
            url: url.to_owned(),
        };
        for shown in [format!("{subscription:?}"), format!("{create:?}")] {
            assert!(
                !shown.contains("s3cr3t") && !shown.contains("pw@"),
                "{shown}"
            );
            assert!(
                shown.contains("https://hooks.example.com/everreal?[redacted]"),
                "{shown}"
            );
        }
        // The value itself is kept for the code that needs it.
        assert_eq!(subscription.url.as_deref(), Some(url));
    }

    #[test]
    fn every_type_decodes_to_its_own_variant() {
        for known in WebhookEventType::KNOWN {
            let body =
                serde_json::json!({"uuid": "u", "operation": known.as_str(), "data": {"id": "x"}});
            let event = parse(body.to_string().as_bytes()).expect("json");
            assert!(!matches!(event, WebhookEvent::Unknown(_)), "{known}");
            assert_eq!(&event.event_type(), known);
        }
    }

    #[test]
    fn an_undecodable_contract_event_is_kept_raw() {
        let body = br#"{"operation":"LISTING_CONTRACT_FLOW_STARTED","data":{"no":"id"}}"#;
        let event = parse(body).expect("json");
        assert!(matches!(&event, WebhookEvent::Unknown(raw) if raw["data"]["no"] == "id"));
        assert_eq!(
            event.event_type(),
            WebhookEventType::ListingContractFlowStarted
        );
        assert!(matches!(parse(b"[]"), Ok(WebhookEvent::Unknown(_))));
        assert!(parse(b"{").is_err());
    }
}
