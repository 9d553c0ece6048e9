//! The JSON Schemas of the models, for `cargo xtask regen` to write under `specs/everreal/`.
//!
//! EverReal publishes no schema, so the Rust models are the single source of truth and the
//! schemas are derived from them, never edited by hand.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::data::{
    Candidate, CandidatesFilter, Contract, ContractsFilter, ListInput, Listing, ListingFilter,
    OwnerInput, PropertyInput, TenantInput, Unit, UnitInput, UnitsFilter, Upserted,
};
use crate::webhooks::{ContractFlowSigned, ContractFlowStarted, WebhookCreate, WebhookDelivery};
use crate::{TokenInfo, UserInfo, UsersMe, WebhookSubscription};

/// A schema of what the SDK decodes: optional fields are not required.
fn decoded<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// A schema of what the SDK sends: fields it leaves out when empty are not required.
fn sent<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// Every root model's JSON Schema, by file stem, in a fixed order: answers, webhook
/// deliveries, then the GraphQL inputs and records.
///
/// ```
/// let schemas = everreal_sdk::schemas();
/// assert!(schemas.iter().any(|(name, _)| *name == "users_me"));
/// ```
pub fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        ("users_me", decoded::<UsersMe>()),
        ("userinfo", decoded::<UserInfo>()),
        ("token_info", decoded::<TokenInfo>()),
        ("webhook_subscription", decoded::<WebhookSubscription>()),
        ("webhook_create", sent::<WebhookCreate>()),
        ("webhook_delivery", decoded::<WebhookDelivery<Value>>()),
        ("contract_flow_started", decoded::<ContractFlowStarted>()),
        ("contract_flow_signed", decoded::<ContractFlowSigned>()),
        ("units_input", sent::<ListInput<UnitsFilter>>()),
        ("unit", decoded::<Unit>()),
        ("listings_input", sent::<ListInput<ListingFilter>>()),
        ("listing", decoded::<Listing>()),
        ("candidates_input", sent::<ListInput<CandidatesFilter>>()),
        ("candidate", decoded::<Candidate>()),
        ("contracts_input", sent::<ListInput<ContractsFilter>>()),
        ("contract", decoded::<Contract>()),
        ("owner_input", sent::<OwnerInput>()),
        ("property_input", sent::<PropertyInput>()),
        ("unit_input", sent::<UnitInput>()),
        ("tenant_input", sent::<TenantInput>()),
        ("upserted", decoded::<Upserted>()),
    ]
}
