//! Rewrites of JSON answers used by the fault knobs, and number formatting.

use serde_json::Value;

/// Name of the member the `extra_fields` knob adds to every object.
pub const EXTRA_FIELD: &str = "sandboxExtraField";

/// The value the `unknown_enum_values` knob puts in place of every known enum value.
pub const UNKNOWN_ENUM_VALUE: &str = "sandbox_unknown_value";

/// Adds [`EXTRA_FIELD`] (a string, so that string maps stay string maps) to every object in
/// `value`, however deep.
pub(crate) fn add_extra_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for member in map.values_mut() {
                add_extra_fields(member);
            }
            map.insert(
                EXTRA_FIELD.to_owned(),
                Value::String("a member this client does not know".to_owned()),
            );
        }
        Value::Array(items) => items.iter_mut().for_each(add_extra_fields),
        _ => {}
    }
}

/// Replaces the string value of every member named in `members`, however deep, with
/// [`UNKNOWN_ENUM_VALUE`].
pub(crate) fn replace_enum_values(value: &mut Value, members: &[&str]) {
    match value {
        Value::Object(map) => {
            for (name, member) in map.iter_mut() {
                if member.is_string() && members.contains(&name.as_str()) {
                    *member = Value::String(UNKNOWN_ENUM_VALUE.to_owned());
                } else {
                    replace_enum_values(member, members);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_enum_values(item, members)),
        _ => {}
    }
}

/// A JSON number for a measurement: whole values are written without a fraction (`280`, not
/// `280.0`), the way the vendors' services write them, and the rest rounded to `decimals`.
pub(crate) fn number(x: f64, decimals: i32) -> Value {
    let scale = 10f64.powi(decimals);
    let rounded = (x * scale).round() / scale;
    if rounded.fract() == 0.0 && rounded.abs() < 9.0e15 {
        Value::from(rounded as i64)
    } else {
        Value::from(rounded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extra_fields_reach_every_object() {
        let mut v = json!({"data": [{"a": {"b": 1}}], "n": 1});
        add_extra_fields(&mut v);
        assert!(v.get(EXTRA_FIELD).is_some());
        assert!(v["data"][0].get(EXTRA_FIELD).is_some());
        assert!(v["data"][0]["a"].get(EXTRA_FIELD).is_some());
    }

    #[test]
    fn enum_values_are_replaced_only_for_named_string_members() {
        let mut v = json!({"type": "Environmental", "status": 401, "x": {"type": "Wifi"}});
        replace_enum_values(&mut v, &["type", "status"]);
        assert_eq!(v["type"], UNKNOWN_ENUM_VALUE);
        assert_eq!(v["x"]["type"], UNKNOWN_ENUM_VALUE);
        assert_eq!(v["status"], 401);
    }

    #[test]
    fn whole_numbers_have_no_fraction() {
        assert_eq!(number(280.0, 4).to_string(), "280");
        assert_eq!(number(295.0625, 4).to_string(), "295.0625");
        assert_eq!(number(1.23456789, 5).to_string(), "1.23457");
    }
}
