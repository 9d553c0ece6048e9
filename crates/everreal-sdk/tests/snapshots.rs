//! Decoded answers and the models' JSON Schemas, pinned with insta: a change of a model shows
//! up as a reviewable snapshot diff.

mod common;

use common::fixture;
use everreal_sdk::UsersMe;

#[test]
fn users_me_from_a_realistic_payload_with_unknown_fields() {
    let me: UsersMe = serde_json::from_value(fixture("users_me.json")).expect("decodes");
    insta::assert_json_snapshot!("users_me", me);
}

#[test]
fn json_schemas_of_every_root_model() {
    let schemas = everreal_sdk::schemas();
    assert!(schemas.len() >= 20, "{} schemas", schemas.len());
    for (name, schema) in schemas {
        insta::assert_json_snapshot!(format!("schema_{name}"), schema);
    }
}
