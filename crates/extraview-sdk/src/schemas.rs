//! The JSON Schemas of the models and the command catalogue, for `cargo xtask regen` to write
//! under `specs/extraview/`.
//!
//! ExtraView publishes no schema, so the Rust models are the single source of truth and the
//! schemas are derived from them, never edited by hand.

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::{
    AccessToken, AllowedValue, Attachment, FieldListEntry, Heartbeat, HistoryEntry, MetaDataEntry,
    Record, SearchPage, User,
};

/// A schema of what the SDK reads: optional fields are not required.
fn decoded<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .for_deserialize()
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

/// Every root model's JSON Schema, by file stem, in a fixed order.
///
/// ```
/// let schemas = extraview_sdk::schemas();
/// assert!(schemas.iter().any(|(name, _)| *name == "record"));
/// ```
pub fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        ("access_token", decoded::<AccessToken>()),
        ("record", decoded::<Record>()),
        ("search_page", decoded::<SearchPage>()),
        ("history_entry", decoded::<HistoryEntry>()),
        ("field_list_entry", decoded::<FieldListEntry>()),
        ("allowed_value", decoded::<AllowedValue>()),
        ("meta_data_entry", decoded::<MetaDataEntry>()),
        ("user", decoded::<User>()),
        ("attachment", decoded::<Attachment>()),
        ("heartbeat", decoded::<Heartbeat>()),
    ]
}

/// Data files written next to the schemas: the command catalogue.
///
/// ```
/// let documents = extraview_sdk::documents();
/// assert_eq!(documents[0].0, "commands");
/// ```
pub fn documents() -> Vec<(&'static str, Value)> {
    vec![("commands", crate::catalogue::to_json())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rust_example_reaches_a_schema() {
        for (name, schema) in schemas() {
            let text = schema.as_value().to_string();
            assert!(!text.contains("```"), "{name}");
            assert!(!text.contains("extraview_sdk::"), "{name}");
        }
    }
}
