//! The JSON Schemas of the models, for `cargo xtask regen` to write under `specs/everreal/`.
//!
//! EverReal publishes no schema, so the Rust models are the single source of truth and the
//! schemas are derived from them, never edited by hand.

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
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
        .with_transform(RecursiveTransform(tidy_description))
        .into_generator()
        .into_root_schema_for::<T>()
}

/// A schema of what the SDK sends: fields it leaves out when empty are not required.
fn sent<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .with_transform(RecursiveTransform(tidy_description))
        .into_generator()
        .into_root_schema_for::<T>()
}

/// Descriptions come from the doc comments; their Rust examples mean nothing in a schema.
fn tidy_description(schema: &mut Schema) {
    let Some(Value::String(text)) = schema.get("description") else {
        return;
    };
    let mut kept = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code {
            kept.push(line);
        }
    }
    let tidy = kept.join("\n").trim().to_owned();
    if tidy.is_empty() {
        schema.remove("description");
    } else {
        schema.insert("description".to_owned(), Value::String(tidy));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rust_example_reaches_a_schema() {
        for (name, schema) in schemas() {
            let text = schema.as_value().to_string();
            assert!(!text.contains("```"), "{name}");
            assert!(!text.contains("everreal_sdk::"), "{name}");
        }
        let unit_input = schemas()
            .into_iter()
            .find(|(name, _)| *name == "unit_input")
            .map(|(_, schema)| schema)
            .expect("unit_input");
        let description = unit_input
            .get("description")
            .and_then(Value::as_str)
            .expect("described");
        assert!(
            description.starts_with("A unit to create or update"),
            "{description}"
        );
    }
}
