//! Lenient decoders for values EverReal sends in more than one shape.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Reads a number of seconds sent as a number (`3599`, `3599.6`) or a numeric string
/// (`"3600"`): the token endpoint sends a string on refresh and a number otherwise, and nothing
/// says which the other endpoints send. Anything else (a negative number, `"soon"`, `null`)
/// becomes `None` instead of failing the whole answer.
pub(crate) fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    let seconds = match value {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    Ok(seconds
        .filter(|s| s.is_finite() && *s >= 0.0)
        // Saturates at u64::MAX: an absurd lifetime must not wrap around.
        .map(|s| s as u64))
}

/// Reads a number sent as a number or a numeric string (amounts, surfaces: the docs type them
/// `Float`, but public answers show strings too). Anything else becomes `None`.
pub(crate) fn number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    })
}

/// The JSON Schema of a value [`number`] accepts.
pub(crate) struct NumberSchema;

impl schemars::JsonSchema for NumberSchema {
    fn schema_name() -> Cow<'static, str> {
        "LenientNumber".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number, or a numeric string; anything else decodes as absent.",
            "anyOf": [
                { "type": "number" },
                { "type": "string" },
                { "type": "null" }
            ]
        })
    }
}

/// Reads a list that the server may send as one value instead of an array (`"*"` for
/// `["*"]`), or as a space-separated string, as OAuth2 scopes often are.
pub(crate) fn scopes<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(Value::Array(items)) => Some(
            items
                .into_iter()
                .filter_map(|item| match item {
                    Value::String(s) => Some(s),
                    Value::Null => None,
                    other => Some(other.to_string()),
                })
                .collect(),
        ),
        Some(Value::String(s)) => Some(s.split_whitespace().map(str::to_owned).collect()),
        _ => None,
    })
}

/// The JSON Schema of a value [`seconds`] accepts.
pub(crate) struct SecondsSchema;

impl schemars::JsonSchema for SecondsSchema {
    fn schema_name() -> Cow<'static, str> {
        "Seconds".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Seconds, as a number or a numeric string (both are sent); anything else decodes as absent.",
            "anyOf": [
                { "type": "number", "minimum": 0 },
                { "type": "string" },
                { "type": "null" }
            ]
        })
    }
}

/// The JSON Schema of a value [`scopes`] accepts.
pub(crate) struct ScopesSchema;

impl schemars::JsonSchema for ScopesSchema {
    fn schema_name() -> Cow<'static, str> {
        "Scopes".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Scopes, as an array of strings or one space-separated string.",
            "anyOf": [
                { "type": "array", "items": { "type": "string" } },
                { "type": "string" },
                { "type": "null" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "number")]
        n: Option<f64>,
        #[serde(default, deserialize_with = "seconds")]
        s: Option<u64>,
        #[serde(default, deserialize_with = "scopes")]
        scope: Option<Vec<String>>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).expect(json)
    }

    #[test]
    fn seconds_as_number_or_string() {
        assert_eq!(probe(r#"{"s":3599}"#).s, Some(3599));
        assert_eq!(probe(r#"{"s":"3600"}"#).s, Some(3600));
        assert_eq!(probe(r#"{"s":3599.6}"#).s, Some(3599));
        assert_eq!(probe(r#"{"s":1e300}"#).s, Some(u64::MAX));
        for garbage in [
            r#"{"s":-1}"#,
            r#"{"s":"soon"}"#,
            r#"{"s":null}"#,
            r#"{"s":{}}"#,
            "{}",
        ] {
            assert_eq!(probe(garbage).s, None, "{garbage}");
        }
    }

    #[test]
    fn numbers_as_number_or_string() {
        assert_eq!(probe(r#"{"n":850.5}"#).n, Some(850.5));
        assert_eq!(probe(r#"{"n":"850.50"}"#).n, Some(850.5));
        assert_eq!(probe(r#"{"n":"850,50"}"#).n, None);
        assert_eq!(probe(r#"{"n":true}"#).n, None);
    }

    #[test]
    fn scopes_as_array_or_string() {
        assert_eq!(
            probe(r#"{"scope":["offline_access","*"]}"#).scope,
            Some(vec!["offline_access".into(), "*".into()])
        );
        assert_eq!(
            probe(r#"{"scope":"offline_access *"}"#).scope,
            Some(vec!["offline_access".into(), "*".into()])
        );
        assert_eq!(probe(r#"{"scope":7}"#).scope, None);
    }
}
