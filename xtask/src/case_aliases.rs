//! Accepts each member of a vendor's answers under either case of its first letter.
//!
//! IoTConnect does not keep its key casing steady: a captured device list carries
//! `IsAcquired` and `IsAllottedDevice` where the swagger says `isAcquired`, and models mix
//! `DataType` with `dataType`. A member the SDK reads under one spelling and the server sends
//! under the other would decode as absent, silently. The spec cannot say "either case" and
//! typify cannot name two spellings of one field (both become `is_acquired`), so this pass adds
//! `#[serde(alias = "...")]` with the first letter's case flipped to every named field of every
//! struct in the `types` module.
//!
//! Aliases only affect decoding; requests keep the spelling of the spec. A field gets no alias
//! when another field of the struct already uses that spelling (the spec then names two members
//! on purpose), when its wire name does not start with an ASCII letter, or when it is
//! `#[serde(flatten)]`.

use syn::{Attribute, Field, Fields, Item, LitStr, Meta, Token, parse_quote};

/// The module progenitor puts the schema types in.
const TYPES_MODULE: &str = "types";

/// Adds the flipped-case alias to every field of every struct in `types`; returns how many
/// aliases it added. Fails when there is no `types` module.
pub fn case_aliases(file: &mut syn::File) -> Result<usize, String> {
    let types = crate::typed_send::module_items(file, TYPES_MODULE)
        .ok_or_else(|| format!("no `{TYPES_MODULE}` module to add aliases in"))?;
    let mut added = 0;
    for item in types.iter_mut() {
        let Item::Struct(s) = item else { continue };
        let Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        let taken: Vec<String> = fields.named.iter().flat_map(spellings).collect();
        for field in &mut fields.named {
            if is_flattened(field) {
                continue;
            }
            let Some(alias) = wire_name(field).and_then(|name| flip_first(&name)) else {
                continue;
            };
            if taken.contains(&alias) {
                continue;
            }
            field.attrs.push(parse_quote!(#[serde(alias = #alias)]));
            added += 1;
        }
    }
    Ok(added)
}

/// The name a field has on the wire: its `rename`, or its identifier.
fn wire_name(field: &Field) -> Option<String> {
    serde_values(&field.attrs, "rename")
        .into_iter()
        .next()
        .or_else(|| {
            field
                .ident
                .as_ref()
                .map(|i| i.to_string().trim_start_matches("r#").to_owned())
        })
}

/// Every spelling a field already answers to: its wire name and its aliases.
fn spellings(field: &Field) -> Vec<String> {
    let mut names = serde_values(&field.attrs, "alias");
    names.extend(wire_name(field));
    names
}

/// Whether the field is `#[serde(flatten)]`: its members belong to the inner type.
fn is_flattened(field: &Field) -> bool {
    field.attrs.iter().any(|attr| {
        attr.path().is_ident("serde")
            && attr
                .parse_args_with(syn::punctuated::Punctuated::<Meta, Token![,]>::parse_terminated)
                .is_ok_and(|metas| metas.iter().any(|m| m.path().is_ident("flatten")))
    })
}

/// The string values of `#[serde(<key> = "...")]` among `attrs`.
fn serde_values(attrs: &[Attribute], key: &str) -> Vec<String> {
    let mut values = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let Ok(metas) =
            attr.parse_args_with(syn::punctuated::Punctuated::<Meta, Token![,]>::parse_terminated)
        else {
            continue;
        };
        for meta in metas {
            if let Meta::NameValue(nv) = meta
                && nv.path.is_ident(key)
                && let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(lit),
                    ..
                }) = &nv.value
            {
                values.push(LitStr::value(lit));
            }
        }
    }
    values
}

/// `name` with the case of its first letter flipped; `None` when it does not start with an
/// ASCII letter.
fn flip_first(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let first = chars.next().filter(char::is_ascii_alphabetic)?;
    let flipped = if first.is_ascii_uppercase() {
        first.to_ascii_lowercase()
    } else {
        first.to_ascii_uppercase()
    };
    Some(std::iter::once(flipped).chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(code: &str) -> (usize, String) {
        let mut file: syn::File = syn::parse_str(code).expect("valid Rust");
        let added = case_aliases(&mut file).expect("a types module");
        (added, prettyplease::unparse(&file))
    }

    #[test]
    fn every_field_answers_to_both_cases_of_its_first_letter() {
        let (added, code) = run(r#"
            pub mod types {
                pub struct DeviceListItem {
                    #[serde(rename = "IsAcquired", default)]
                    pub is_acquired: Option<bool>,
                    #[serde(rename = "isAllottedDevice")]
                    pub is_allotted_device: Option<i64>,
                    pub guid: Option<String>,
                    #[serde(rename = "type")]
                    pub type_: Option<String>,
                    #[serde(rename = "dms-version")]
                    pub dms_version: Option<String>,
                    #[serde(rename = "_id")]
                    pub id: Option<String>,
                    #[serde(flatten)]
                    pub extra: Map,
                }
                pub struct Tuple(pub String);
            }
            pub mod other { pub struct Untouched { pub guid: String } }
        "#);
        assert_eq!(added, 5, "{code}");
        for alias in [
            "isAcquired",
            "IsAllottedDevice",
            "Guid",
            "Type",
            "Dms-version",
        ] {
            assert!(
                code.contains(&format!("alias = \"{alias}\"")),
                "{alias}: {code}"
            );
        }
        assert!(!code.contains("alias = \"_id\""), "{code}");
        assert!(!code.contains("alias = \"Extra\""), "{code}");
    }

    #[test]
    fn a_spelling_another_field_uses_is_left_to_it() {
        let (added, code) = run(r#"
            pub mod types {
                pub struct Twin {
                    #[serde(rename = "DataType")]
                    pub data_type_upper: Option<String>,
                    #[serde(rename = "dataType")]
                    pub data_type: Option<String>,
                    #[serde(alias = "Name")]
                    pub name: Option<String>,
                }
            }
        "#);
        assert_eq!(added, 0, "{code}");
    }

    #[test]
    fn no_types_module_is_an_error() {
        let mut file: syn::File = syn::parse_str("pub mod other {}").expect("valid Rust");
        assert!(case_aliases(&mut file).is_err());
    }
}
