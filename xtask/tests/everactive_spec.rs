//! Facts about `specs/everactive/openapi.yaml` that generation alone does not check, because
//! the schemas they concern are not generated (the token operation is dropped by a fixup).

use serde_json::Value;

fn spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../specs/everactive/openapi.yaml"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn token_lifetime_cannot_be_negative() {
    let spec = spec();
    let expires_in = &spec["components"]["schemas"]["TokenResponse"]["properties"]["expires_in"];
    assert_eq!(expires_in["type"], "integer", "{expires_in}");
    let minimum = expires_in["minimum"].as_i64();
    assert!(
        minimum.is_some_and(|m| m >= 0),
        "expires_in needs a minimum of 0 or more, has {:?}",
        expires_in.get("minimum")
    );
}
