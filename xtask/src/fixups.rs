//! Fixups: small, named edits of a vendor spec made before progenitor sees it.
//!
//! The spec file describes the vendor's API as it is (whether the vendor published it or we
//! wrote it from research); what only this generator needs lives here instead, in code, with
//! the reason written next to it and a test that fails when the edit stops working. A vendor lists the fixups it needs in
//! `vendor.rs`, and they run in that order on the spec parsed into a `serde_json::Value`.

use std::collections::BTreeSet;

use serde_json::Value;

/// The signature of a fixup: edit the spec in place, or say why that was impossible.
///
/// A fixup returns an error when the spec no longer looks the way the fixup expects (for
/// example, the thing it removes has disappeared). Failing loudly beats silently generating
/// code the fixup was meant to prevent.
pub type FixupFn = fn(&mut Value) -> Result<(), String>;

/// A fixup with the name used in error messages and in the vendor table.
#[derive(Debug, Clone, Copy)]
pub struct Fixup {
    /// The function's name, shown when the fixup fails.
    pub name: &'static str,
    /// The edit itself.
    pub apply: FixupFn,
}

/// See [`drop_auth_operations`].
pub const DROP_AUTH_OPERATIONS: Fixup = Fixup {
    name: "drop_auth_operations",
    apply: drop_auth_operations,
};

/// See [`allow_unknown_fields`].
pub const ALLOW_UNKNOWN_FIELDS: Fixup = Fixup {
    name: "allow_unknown_fields",
    apply: allow_unknown_fields,
};

/// The keys of an OpenAPI 3.0 path item that hold operations.
const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The tag the vendor puts on its token endpoint(s).
const AUTH_TAG: &str = "auth";

/// Removes every operation tagged `auth`, and any path item that this leaves without operations.
///
/// Why: the token endpoint is called by the shared `sdk-auth` crate, which owns token caching
/// and refresh. A generated method for it would be wrong twice over: it would duplicate that
/// logic, and every generated method runs the client's auth hook first, which needs a token,
/// so calling the token endpoint through the client could never work.
///
/// The component schemas that only those operations used (the token request and response,
/// which hold a client secret and an access token in plain `String`s with a derived `Debug`)
/// are removed too. Schemas that nothing referenced to begin with are kept.
///
/// Fails when no operation carries the tag: the vendor has then probably renamed the tag, and
/// without this error the token endpoint would quietly come back into the SDK.
pub fn drop_auth_operations(spec: &mut Value) -> Result<(), String> {
    let mut dropped = Vec::new();
    let paths = spec
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or("the spec has no `paths` object")?;

    let mut removed = 0_usize;
    paths.retain(|_path, item| {
        // A `$ref` path item or other odd shape is left alone; progenitor reports those itself.
        let Some(item) = item.as_object_mut() else {
            return true;
        };
        let before = removed;
        for method in HTTP_METHODS {
            if item.get(method).is_some_and(has_auth_tag) {
                dropped.extend(item.remove(method));
                removed += 1;
            }
        }
        // Only drop path items this fixup emptied; anything else is the vendor's business.
        removed == before || HTTP_METHODS.iter().any(|method| item.contains_key(*method))
    });

    if removed == 0 {
        return Err(format!(
            "no operation is tagged `{AUTH_TAG}`; if the vendor renamed the tag, update the \
             fixup, otherwise remove it from the vendor's fixup list"
        ));
    }
    drop_schemas_only_used_by(spec, &dropped);
    Ok(())
}

const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// Removes the schemas `dropped` referred to (directly or through other schemas) that the rest
/// of the document no longer reaches.
fn drop_schemas_only_used_by(spec: &mut Value, dropped: &[Value]) {
    let mut candidates = BTreeSet::new();
    dropped
        .iter()
        .for_each(|op| collect_schema_refs(op, &mut candidates));
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    // Everything but the schema definitions themselves is a root of reachability.
    let mut roots = spec.clone();
    if let Some(components) = roots.get_mut("components").and_then(Value::as_object_mut) {
        components.remove("schemas");
    }
    let mut reached = BTreeSet::new();
    collect_schema_refs(&roots, &mut reached);
    let mut queue: Vec<String> = reached.iter().cloned().collect();
    let mut candidate_queue: Vec<String> = candidates.iter().cloned().collect();
    while let Some(name) = queue.pop() {
        let mut found = BTreeSet::new();
        if let Some(schema) = schemas.get(&name) {
            collect_schema_refs(schema, &mut found);
        }
        queue.extend(found.into_iter().filter(|n| reached.insert(n.clone())));
    }
    // Schemas reached from a dropped schema are candidates too (e.g. a grant-type enum).
    while let Some(name) = candidate_queue.pop() {
        let mut found = BTreeSet::new();
        if let Some(schema) = schemas.get(&name) {
            collect_schema_refs(schema, &mut found);
        }
        candidate_queue.extend(found.into_iter().filter(|n| candidates.insert(n.clone())));
    }
    if let Some(defined) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        defined.retain(|name, _| !candidates.contains(name) || reached.contains(name));
    }
}

/// Adds the name of every `#/components/schemas/...` reference inside `value` to `out`.
fn collect_schema_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(SCHEMA_REF_PREFIX))
            {
                out.insert(name.to_owned());
            }
            map.values().for_each(|v| collect_schema_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_schema_refs(v, out)),
        _ => {}
    }
}

/// Whether an operation object lists [`AUTH_TAG`] among its `tags`.
fn has_auth_tag(operation: &Value) -> bool {
    operation
        .get("tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| tags.iter().any(|tag| tag.as_str() == Some(AUTH_TAG)))
}

/// Removes every `additionalProperties: false`, wherever it appears in the document.
///
/// Why: typify turns `additionalProperties: false` into `#[serde(deny_unknown_fields)]`. Vendors
/// add response fields without notice, and with that attribute every such addition would make
/// the SDK fail to decode responses (`InvalidResponsePayload`) until the next release. Without
/// the keyword the generated structs simply ignore fields they don't know.
///
/// Only the boolean `false` is removed. `true` or a schema value still says something useful
/// about the extra properties, and a *property* that happens to be named `additionalProperties`
/// has a schema (an object) as its value, so it is never touched.
///
/// Finding nothing to remove is fine: the spec then already allows unknown fields.
pub fn allow_unknown_fields(spec: &mut Value) -> Result<(), String> {
    remove_false_additional_properties(spec);
    Ok(())
}

/// The recursive walk behind [`allow_unknown_fields`].
fn remove_false_additional_properties(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("additionalProperties") == Some(&Value::Bool(false)) {
                map.remove("additionalProperties");
            }
            map.values_mut()
                .for_each(remove_false_additional_properties);
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(remove_false_additional_properties),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(tags: &[&str], id: &str) -> Value {
        json!({ "operationId": id, "tags": tags, "responses": { "200": { "description": "ok" } } })
    }

    #[test]
    fn drop_auth_operations_removes_tagged_operations_and_emptied_paths() {
        let mut spec = json!({
            "openapi": "3.0.3",
            "paths": {
                "/auth/token": { "post": op(&["auth"], "getToken"), "parameters": [] },
                "/auth/session": {
                    "get": op(&["auth"], "getSession"),
                    "delete": op(&["sessions"], "deleteSession"),
                },
                "/sensors": { "get": op(&["sensors"], "listSensors") },
                "/multi": { "get": op(&["sensors", "auth"], "multiTagged") },
                "/untagged": { "get": { "operationId": "untagged", "responses": {} } },
            }
        });
        drop_auth_operations(&mut spec).expect("fixup applies");
        assert_eq!(
            spec,
            json!({
                "openapi": "3.0.3",
                "paths": {
                    "/auth/session": { "delete": op(&["sessions"], "deleteSession") },
                    "/sensors": { "get": op(&["sensors"], "listSensors") },
                    "/untagged": { "get": { "operationId": "untagged", "responses": {} } },
                }
            })
        );
    }

    #[test]
    fn drop_auth_operations_removes_schemas_only_the_token_endpoint_used() {
        let schema_ref = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
        let mut token = op(&["auth"], "create_token");
        token["requestBody"] = json!({ "content": { "application/x-www-form-urlencoded": { "schema": schema_ref("TokenRequest") } } });
        token["responses"]["200"]["content"] =
            json!({ "application/json": { "schema": schema_ref("TokenResponse") } });
        let mut health = op(&["health"], "get_health");
        health["responses"]["200"]["content"] =
            json!({ "application/json": { "schema": schema_ref("Health") } });
        let mut spec = json!({
            "paths": { "/auth/token": { "post": token }, "/health": { "get": health } },
            "components": { "schemas": {
                "TokenRequest": { "type": "object", "properties": { "grant_type": schema_ref("GrantType") } },
                "GrantType": { "type": "string", "enum": ["client_credentials"] },
                "TokenResponse": { "type": "object", "properties": { "error": schema_ref("Shared") } },
                "Health": { "type": "object", "properties": { "error": schema_ref("Shared") } },
                "Shared": { "type": "object" },
                "WebhookPayload": { "type": "object" }
            } }
        });
        drop_auth_operations(&mut spec).expect("tagged operation present");
        let left: Vec<&String> = spec["components"]["schemas"]
            .as_object()
            .expect("schemas")
            .keys()
            .collect();
        assert_eq!(left, ["Health", "Shared", "WebhookPayload"]);
    }

    #[test]
    fn drop_auth_operations_leaves_path_items_it_did_not_empty() {
        // A path item without operations that the vendor wrote is not this fixup's business.
        let mut spec = json!({
            "paths": {
                "/token": { "post": op(&["auth"], "getToken") },
                "/placeholder": { "summary": "nothing here yet" },
            }
        });
        drop_auth_operations(&mut spec).expect("fixup applies");
        assert_eq!(
            spec,
            json!({ "paths": { "/placeholder": { "summary": "nothing here yet" } } })
        );
    }

    #[test]
    fn drop_auth_operations_fails_when_the_tag_is_gone() {
        let mut spec = json!({ "paths": { "/token": { "post": op(&["Authentication"], "t") } } });
        let err = drop_auth_operations(&mut spec).expect_err("nothing tagged `auth`");
        assert!(err.contains("no operation is tagged `auth`"), "{err}");
    }

    #[test]
    fn drop_auth_operations_fails_without_paths() {
        let err = drop_auth_operations(&mut json!({ "openapi": "3.0.3" })).expect_err("no paths");
        assert!(err.contains("`paths`"), "{err}");
    }

    #[test]
    fn allow_unknown_fields_removes_every_false_additional_properties() {
        let mut spec = json!({
            "components": { "schemas": {
                "Sensor": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "nested": {
                            "type": "object",
                            "additionalProperties": false,
                            "properties": { "x": { "type": "string" } }
                        },
                        "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                        "additionalProperties": { "type": "boolean" },
                        "list": {
                            "type": "array",
                            "items": { "type": "object", "additionalProperties": false }
                        },
                        "any": { "type": "object", "additionalProperties": true },
                    }
                },
                "Wrapper": { "allOf": [ { "$ref": "#/components/schemas/Sensor" },
                                       { "type": "object", "additionalProperties": false } ] }
            } }
        });
        allow_unknown_fields(&mut spec).expect("fixup applies");
        assert_eq!(
            spec,
            json!({
                "components": { "schemas": {
                    "Sensor": {
                        "type": "object",
                        "properties": {
                            "nested": {
                                "type": "object",
                                "properties": { "x": { "type": "string" } }
                            },
                            "labels": {
                                "type": "object",
                                "additionalProperties": { "type": "string" }
                            },
                            "additionalProperties": { "type": "boolean" },
                            "list": { "type": "array", "items": { "type": "object" } },
                            "any": { "type": "object", "additionalProperties": true },
                        }
                    },
                    "Wrapper": { "allOf": [ { "$ref": "#/components/schemas/Sensor" },
                                           { "type": "object" } ] }
                } }
            })
        );
    }

    #[test]
    fn allow_unknown_fields_accepts_a_spec_without_the_keyword() {
        let original =
            json!({ "paths": {}, "components": { "schemas": { "A": { "type": "string" } } } });
        let mut spec = original.clone();
        allow_unknown_fields(&mut spec).expect("fixup applies");
        assert_eq!(spec, original);
    }

    #[test]
    fn constants_carry_their_function_names() {
        // Error messages and the vendor table show `name`; it must match the function it runs.
        assert_eq!(DROP_AUTH_OPERATIONS.name, "drop_auth_operations");
        assert_eq!(ALLOW_UNKNOWN_FIELDS.name, "allow_unknown_fields");
        let mut spec = json!({ "paths": { "/t": { "post": op(&["auth"], "t") } },
                               "x": { "additionalProperties": false } });
        (DROP_AUTH_OPERATIONS.apply)(&mut spec).expect("drop applies");
        (ALLOW_UNKNOWN_FIELDS.apply)(&mut spec).expect("allow applies");
        assert_eq!(spec, json!({ "paths": {}, "x": {} }));
    }

    /// The IoTConnect auth document tags only its token exchanges `auth`: the fixup as it is
    /// (an exact tag match) drops those three and keeps the bearer-token check.
    #[test]
    fn drop_auth_operations_keeps_only_verify_token_in_the_iotconnect_auth_spec() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/iotconnect/auth.yaml");
        let text = std::fs::read_to_string(path).expect("the IoTConnect auth spec");
        let mut spec = crate::generate::SpecFormat::Yaml
            .parse(&text)
            .expect("valid YAML");
        drop_auth_operations(&mut spec).expect("the token exchanges are tagged `auth`");
        let paths: Vec<&String> = spec["paths"].as_object().expect("paths").keys().collect();
        assert_eq!(paths, ["/Auth/verify-token"]);
        let schemas = spec["components"]["schemas"].as_object().expect("schemas");
        for gone in [
            "LoginRequest",
            "LoginResponse",
            "RefreshTokenRequest",
            "BasicTokenEnvelope",
        ] {
            assert!(!schemas.contains_key(gone), "{gone} must be dropped");
        }
        for kept in ["ErrorBody", "VerifyTokenEnvelope"] {
            assert!(schemas.contains_key(kept), "{kept} must stay");
        }
    }
}
