//! Arguments of the root fields: the list input `{filter, paging, sort}` and the upsert inputs,
//! checked as the vendor's input types declare them (unknown members, missing required ones
//! and wrong kinds are refused), then the list filters and paging themselves.

use std::cmp::Ordering;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::schema::{Ty, field};
use crate::everreal::data::{Collection, Data, Row};

/// Rows a list answers when `paging.take` is not given.
const DEFAULT_TAKE: u64 = 100;
/// The most rows one list answers (a larger `take` is lowered to it).
const MAX_TAKE: u64 = 1000;

/// How a filter member selects records.
#[derive(Clone, Copy, Debug)]
enum Filter {
    /// The record's member equals the given string.
    Eq(&'static str),
    /// The record's member equals the given boolean.
    Bool(&'static str),
    /// A unit's name or object id, or its property's name or address, contains the text.
    FullSearch,
    /// Whether a listing exists for the unit.
    HasListing,
    /// Documented but not emulated: accepted and ignored.
    Ignored,
}

fn filters(type_name: &str) -> &'static [(&'static str, Filter)] {
    use Filter::{Bool, Eq, FullSearch, HasListing, Ignored};
    match type_name {
        "Unit" => &[
            ("id", Eq("id")),
            ("externalId", Eq("externalId")),
            ("propertyId", Eq("propertyId")),
            ("ownerId", Eq("ownerId")),
            ("fullSearch", FullSearch),
            ("hasListing", HasListing),
            ("companyId", Ignored),
            ("propertyGroupId", Ignored),
            ("leasingStatus", Ignored),
            ("leasingStatuses", Ignored),
            ("updatedAt", Ignored),
            ("includeExternal", Ignored),
        ],
        "Listing" => &[
            ("id", Eq("id")),
            ("unitId", Eq("unitId")),
            ("propertyId", Eq("propertyId")),
            ("isActive", Bool("isActive")),
            ("isArchived", Bool("isArchived")),
            ("companyId", Ignored),
        ],
        "Candidate" => &[
            ("id", Eq("id")),
            ("listingId", Eq("listingId")),
            ("email", Eq("email")),
        ],
        "Contract" => &[
            ("id", Eq("id")),
            ("status", Eq("status")),
            ("propertyId", Eq("_propertyId")),
            ("companyId", Ignored),
            ("propertyGroupId", Ignored),
            ("from", Ignored),
            ("to", Ignored),
        ],
        "Owner" => &[
            ("id", Eq("id")),
            ("externalId", Eq("externalId")),
            ("email", Eq("email")),
        ],
        "Property" => &[
            ("id", Eq("id")),
            ("externalId", Eq("externalId")),
            ("ownerId", Eq("ownerId")),
        ],
        "Tenant" => &[
            ("id", Eq("id")),
            ("externalId", Eq("externalId")),
            ("unitId", Eq("unitId")),
        ],
        _ => &[],
    }
}

/// The input type of a list query over `type_name`.
fn list_type(type_name: &str) -> &'static str {
    match type_name {
        "Unit" => "UnitsFilterListPaging",
        "Listing" => "ListingFilterListPaging",
        "Candidate" => "CandidatesFilterListPaging",
        "Contract" => "ContractsFilterListPaging",
        "Owner" => "OwnersFilterListPaging",
        "Property" => "PropertiesFilterListPaging",
        _ => "TenantsFilterListPaging",
    }
}

/// A checked list input.
#[derive(Debug)]
pub(crate) struct ListArgs {
    filters: Vec<(Filter, Value)>,
    skip: u64,
    take: u64,
    sort: Option<(String, bool)>,
}

fn unknown_member(member: &str, input_type: &str) -> String {
    format!("Field \"{member}\" is not defined by type \"{input_type}\".")
}

fn object<'a>(value: &'a Value, input_type: &str) -> Result<Option<&'a Row>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        other => Err(format!(
            "Expected value of type \"{input_type}\", found {other}."
        )),
    }
}

fn count(value: &Value, name: &str) -> Result<Option<u64>, String> {
    match value {
        Value::Null => Ok(None),
        v => v
            .as_u64()
            .filter(|n| *n <= i32::MAX as u64)
            .map(Some)
            .ok_or_else(|| {
                format!("GraphPaging.{name} must be a whole number of 0 or more, not {v}.")
            }),
    }
}

impl ListArgs {
    /// Checks the `input` argument of a list over `type_name` with filter type `filter_type`.
    pub(crate) fn read(type_name: &str, filter_type: &str, input: &Value) -> Result<Self, String> {
        let mut args = Self {
            filters: Vec::new(),
            skip: 0,
            take: DEFAULT_TAKE,
            sort: None,
        };
        let list_type = list_type(type_name);
        let Some(input) = object(input, list_type)? else {
            return Ok(args);
        };
        for (member, value) in input {
            match member.as_str() {
                "filter" => {
                    let Some(filter) = object(value, filter_type)? else {
                        continue;
                    };
                    let known = filters(type_name);
                    for (name, value) in filter {
                        let Some((_, kind)) = known.iter().find(|(k, _)| k == name) else {
                            return Err(unknown_member(name, filter_type));
                        };
                        let fits = match kind {
                            _ if value.is_null() => continue,
                            Filter::Eq(_) | Filter::FullSearch => value.is_string(),
                            Filter::Bool(_) | Filter::HasListing => value.is_boolean(),
                            Filter::Ignored => true,
                        };
                        if !fits {
                            return Err(format!(
                                "{filter_type}.{name} cannot represent the value {value}."
                            ));
                        }
                        args.filters.push((*kind, value.clone()));
                    }
                }
                "paging" => {
                    let Some(paging) = object(value, "GraphPaging")? else {
                        continue;
                    };
                    for (name, value) in paging {
                        match name.as_str() {
                            "skip" => args.skip = count(value, "skip")?.unwrap_or(0),
                            "take" => {
                                args.take =
                                    count(value, "take")?.unwrap_or(DEFAULT_TAKE).min(MAX_TAKE);
                            }
                            _ => return Err(unknown_member(name, "GraphPaging")),
                        }
                    }
                }
                "sort" => {
                    let Some(sort) = object(value, "GraphSorting")? else {
                        continue;
                    };
                    let mut field_name = None;
                    let mut descending = false;
                    for (name, value) in sort {
                        match (name.as_str(), value) {
                            (_, Value::Null) => {}
                            ("fieldName", Value::String(f)) => field_name = Some(f.clone()),
                            ("direction", Value::String(d)) => {
                                descending = match d.to_ascii_uppercase().as_str() {
                                    "ASC" => false,
                                    "DESC" => true,
                                    _ => {
                                        return Err(format!(
                                            "GraphSorting.direction must be ASC or DESC, not {d:?}."
                                        ));
                                    }
                                };
                            }
                            ("fieldName" | "direction", v) => {
                                return Err(format!(
                                    "GraphSorting.{name} must be a string, not {v}."
                                ));
                            }
                            _ => return Err(unknown_member(name, "GraphSorting")),
                        }
                    }
                    if let Some(f) = field_name {
                        if field(type_name, &f) != Some(Ty::Scalar) {
                            return Err(format!("Cannot sort {type_name} by \"{f}\"."));
                        }
                        args.sort = Some((f, descending));
                    }
                }
                other => return Err(unknown_member(other, list_type)),
            }
        }
        Ok(args)
    }

    /// The page of `collection` these arguments select.
    pub(crate) fn run(&self, data: &Data, collection: Collection) -> Vec<Row> {
        let mut rows: Vec<&Row> = data
            .rows(collection)
            .iter()
            .filter(|row| self.filters.iter().all(|(f, v)| matches(data, row, *f, v)))
            .collect();
        if let Some((field, descending)) = &self.sort {
            rows.sort_by(|a, b| {
                let null = Value::Null;
                let order = compare(a.get(field).unwrap_or(&null), b.get(field).unwrap_or(&null));
                if *descending { order.reverse() } else { order }
            });
        }
        rows.into_iter()
            .skip(usize::try_from(self.skip).unwrap_or(usize::MAX))
            .take(usize::try_from(self.take).unwrap_or(usize::MAX))
            .cloned()
            .collect()
    }
}

fn matches(data: &Data, row: &Row, filter: Filter, value: &Value) -> bool {
    match filter {
        Filter::Eq(member) | Filter::Bool(member) => row.get(member) == Some(value),
        Filter::HasListing => data.unit_has_listing(&row["id"]) == (value == &json!(true)),
        Filter::FullSearch => {
            let needle = value.as_str().unwrap_or_default().to_lowercase();
            let property = row["propertyId"]
                .as_str()
                .and_then(|id| data.find(Collection::Properties, id));
            let haystacks = [
                row.get("name"),
                row.get("objectId"),
                property.and_then(|p| p.get("name")),
                property.and_then(|p| p.get("fullAddress")),
            ];
            haystacks
                .iter()
                .filter_map(|h| h.and_then(Value::as_str))
                .any(|h| h.to_lowercase().contains(&needle))
        }
        Filter::Ignored => true,
    }
}

/// Orders JSON values: null, then booleans, numbers, strings, the rest.
fn compare(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            _ => 4,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or_default()
            .total_cmp(&y.as_f64().unwrap_or_default()),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// What an input member holds.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Str,
    Int,
    Float,
    Bool,
    /// An object with these members (any member when empty).
    Obj(&'static str, &'static [&'static str]),
    List,
    Enum(&'static [&'static str]),
    /// Money as a decimal string, `"123456.34"`.
    Money,
    /// A date `YYYY-MM-DD`.
    Date,
    /// A date `YYYY-MM-DD` or `DD.MM.YYYY`, stored as the first.
    AnyDate,
    /// `MetaInformation { source: String! }`.
    Meta,
}

type Spec = &'static [(&'static str, Kind, bool)];

const PERSONAL_ADDRESS: &[&str] = &["streetName", "streetNumber", "zipCode", "city", "country"];
const ADDRESS: &[&str] = &[
    "streetName",
    "streetNumber",
    "zipCode",
    "city",
    "country",
    "location",
    "placeId",
];
const DESCRIPTIONS: &[&str] = &["object", "amenities", "location", "other"];
const OWNERSHIP: &[&str] = &["INDIVIDUAL", "MULTIPLE"];

fn spec(input_type: &str) -> Spec {
    use Kind::{AnyDate, Bool, Date, Enum, Float, Int, List, Meta, Money, Obj, Str};
    match input_type {
        "OwnerInput" => &[
            ("meta", Meta, true),
            ("id", Str, false),
            ("externalOwnerId", Str, true),
            ("firstName", Str, true),
            ("lastName", Str, true),
            ("companyName", Str, false),
            ("email", Str, true),
            ("phoneNo", Str, false),
            ("address", Obj("PersonalAddress", PERSONAL_ADDRESS), false),
            (
                "bankDepositInformation",
                Obj(
                    "BankDepositInformation",
                    &["iban", "bic", "bankName", "accountHolderName"],
                ),
                false,
            ),
            (
                "bankInformation",
                Obj(
                    "BankIformation",
                    &["bankName", "bankAddress", "bic", "iban"],
                ),
                false,
            ),
            ("customFieldValues", List, false),
        ],
        "PropertyInput" => &[
            ("meta", Meta, true),
            ("address", Obj("AddressInput", ADDRESS), true),
            ("id", Str, false),
            ("externalPropertyId", Str, true),
            ("ownerId", Str, false),
            ("externalOwnerId", Str, false),
            ("name", Str, true),
            ("type", Enum(&["BUILDING", "LAND"]), true),
            ("subtype", Str, true),
            (
                "category",
                Enum(&["RESIDENTIAL", "COMMERCIAL", "RESIDENTIAL_AND_COMMERCIAL"]),
                true,
            ),
            ("noOfStories", Int, false),
            ("yearBuilt", Int, false),
            ("ownershipType", Enum(OWNERSHIP), true),
            ("responsibilityType", Enum(OWNERSHIP), false),
            ("responsibleUserId", Str, false),
            ("propertyGroupId", Str, false),
            ("externalPropertyGroupId", Str, false),
            (
                "descriptions",
                Obj("DescriptionsInput", DESCRIPTIONS),
                false,
            ),
        ],
        "UnitInput" => &[
            ("meta", Meta, true),
            ("id", Str, false),
            ("externalUnitId", Str, true),
            ("propertyId", Str, false),
            ("externalPropertyId", Str, false),
            ("ownerId", Str, false),
            ("externalOwnerId", Str, false),
            ("category", Str, true),
            ("type", Str, true),
            ("name", Str, false),
            ("subtype", Str, true),
            ("netFloorSurface", Float, false),
            ("livingSurface", Float, false),
            (
                "rooms",
                Obj("UnitRoomsInput", &["rooms", "bathrooms", "bedrooms"]),
                false,
            ),
            ("mainStorage", Bool, true),
            ("floorNo", Int, true),
            ("amenities", Obj("AmenitiesInput", &[]), false),
            (
                "descriptions",
                Obj("DescriptionsInput", DESCRIPTIONS),
                false,
            ),
            (
                "financingType",
                Enum(&["PRIVATELY_FINANCED", "PUBLICLY_SUBSIDIZED"]),
                true,
            ),
            ("targetRent", Float, false),
            ("surcharges", Float, false),
            ("currentRent", Float, false),
            ("availableFrom", Date, false),
            ("onHoldStatus", Bool, false),
            (
                "onHoldReason",
                Enum(&[
                    "FIRST_TIME_USE",
                    "CONSTRUCTION_MEASURES",
                    "OCCUPANCY_RIGHT",
                    "INTERNAL_USE",
                    "RESERVED",
                    "OTHER",
                ]),
                false,
            ),
            ("lettingReadinessStatus", Str, false),
            ("lettingReadinessSubReason", Str, false),
            ("unitResponsibleId", Str, false),
        ],
        _ => &[
            ("meta", Meta, true),
            ("id", Str, false),
            ("externalTenantId", Str, true),
            ("unitId", Str, false),
            ("externalUnitId", Str, false),
            ("firstName", Str, true),
            ("lastName", Str, true),
            ("email", Str, false),
            ("companyName", Str, false),
            ("phoneNumber", Str, false),
            ("cellPhoneNumber", Str, false),
            ("additionalTenants", List, false),
            ("coldRent", Money, false),
            ("serviceCharges", Money, false),
            ("heatingCosts", Money, false),
            ("totalRent", Money, false),
            ("securityDeposit", Money, false),
            ("contractStartDate", AnyDate, false),
            ("contractEndDate", AnyDate, false),
            ("terminationDate", AnyDate, false),
            ("customFieldValues", List, false),
        ],
    }
}

fn type_label(kind: Kind) -> String {
    match kind {
        Kind::Str | Kind::Money | Kind::AnyDate => "String".into(),
        Kind::Int => "Int".into(),
        Kind::Float => "Float".into(),
        Kind::Bool => "Boolean".into(),
        Kind::Obj(name, _) => name.into(),
        Kind::List => "list".into(),
        Kind::Enum(values) => format!("one of {}", values.join(", ")),
        Kind::Date => "Date".into(),
        Kind::Meta => "MetaInformation".into(),
    }
}

/// `value` checked as `kind`; dates come back normalised.
fn check(input_type: &str, name: &str, kind: Kind, value: &Value) -> Result<Value, String> {
    let wrong = || {
        format!(
            "{input_type}.{name} cannot represent the value {value}: expected {}.",
            type_label(kind)
        )
    };
    let fits = match kind {
        Kind::Str => value.is_string(),
        Kind::Int => value.as_i64().is_some(),
        Kind::Float => value.is_number(),
        Kind::Bool => value.is_boolean(),
        Kind::List => value.is_array(),
        Kind::Enum(values) => value.as_str().is_some_and(|v| values.contains(&v)),
        Kind::Money => value.as_str().is_some_and(|v| {
            let digits = v.strip_prefix('-').unwrap_or(v);
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
            !whole.is_empty()
                && !fraction.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }),
        Kind::Date | Kind::AnyDate => {
            let text = value.as_str().unwrap_or_default();
            let iso = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            let german = matches!(kind, Kind::AnyDate)
                .then(|| NaiveDate::parse_from_str(text, "%d.%m.%Y").ok())
                .flatten();
            return match iso.or(german) {
                Some(date) => Ok(json!(date.format("%Y-%m-%d").to_string())),
                None => Err(wrong()),
            };
        }
        Kind::Obj(object_type, members) => {
            let Some(object) = value.as_object() else {
                return Err(wrong());
            };
            if let Some(unknown) = object
                .keys()
                .find(|k| !members.is_empty() && !members.contains(&k.as_str()))
            {
                return Err(unknown_member(unknown, object_type));
            }
            true
        }
        Kind::Meta => {
            let Some(meta) = value.as_object() else {
                return Err(wrong());
            };
            if let Some(unknown) = meta.keys().find(|k| *k != "source") {
                return Err(unknown_member(unknown, "MetaInformation"));
            }
            match meta.get("source") {
                Some(Value::String(s)) if !s.trim().is_empty() => true,
                None | Some(Value::Null) => {
                    return Err(
                        "Field \"MetaInformation.source\" of required type \"String!\" was not provided."
                            .into(),
                    );
                }
                Some(_) => {
                    return Err("MetaInformation.source must be a non-empty string.".into());
                }
            }
        }
    };
    if fits {
        Ok(value.clone())
    } else {
        Err(wrong())
    }
}

/// The input of `upsert<type_name>`, checked against its input type.
pub(crate) fn upsert_input(type_name: &str, value: &Value) -> Result<Row, String> {
    let input_type = format!("{type_name}Input");
    let Some(input) = value.as_object() else {
        return Err(format!(
            "Expected value of type \"{input_type}\", found {value}."
        ));
    };
    let spec = spec(&input_type);
    let mut checked = Row::new();
    for (name, value) in input {
        let Some((_, kind, _)) = spec.iter().find(|(n, _, _)| n == name) else {
            return Err(unknown_member(name, &input_type));
        };
        if value.is_null() {
            continue;
        }
        checked.insert(name.clone(), check(&input_type, name, *kind, value)?);
    }
    for (name, kind, required) in spec {
        if *required && !checked.contains_key(*name) {
            return Err(format!(
                "Field \"{input_type}.{name}\" of required type \"{}!\" was not provided.",
                type_label(*kind)
            ));
        }
    }
    let one_of = |a: &str, b: &str| {
        if checked.contains_key(a) || checked.contains_key(b) {
            Ok(())
        } else {
            Err(format!("{input_type} needs {a} or {b}."))
        }
    };
    match type_name {
        "Property" => {
            let address = checked["address"].as_object().cloned().unwrap_or_default();
            for member in PERSONAL_ADDRESS {
                if !address.get(*member).is_some_and(Value::is_string) {
                    return Err(format!(
                        "Field \"AddressInput.{member}\" of required type \"String!\" was not provided."
                    ));
                }
            }
            if let Some(location) = address.get("location").filter(|l| !l.is_null()) {
                let ok = ["lat", "lng"]
                    .iter()
                    .all(|c| location.get(c).is_some_and(Value::is_number));
                if !ok {
                    return Err("AddressInput.location needs lat and lng as numbers.".into());
                }
            }
            if checked["ownershipType"] == "INDIVIDUAL" {
                one_of("ownerId", "externalOwnerId")?;
            }
        }
        "Unit" => one_of("propertyId", "externalPropertyId")?,
        "Tenant" => one_of("unitId", "externalUnitId")?,
        _ => {}
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Value {
        json!({"meta": {"source": "ERP"}, "externalOwnerId": "O-1", "firstName": "A",
               "lastName": "B", "email": "a@b.example"})
    }

    #[test]
    fn upsert_inputs_need_meta_source_and_known_members() {
        assert!(upsert_input("Owner", &owner()).is_ok());
        let mut no_source = owner();
        no_source["meta"] = json!({});
        let refusal = upsert_input("Owner", &no_source).unwrap_err();
        assert!(refusal.contains("MetaInformation.source"), "{refusal}");
        let mut typo = owner();
        typo["emial"] = json!("x");
        assert!(upsert_input("Owner", &typo).unwrap_err().contains("emial"));
        let tenant = json!({"meta": {"source": "ERP"}, "externalTenantId": "T", "externalUnitId": "U",
                            "firstName": "A", "lastName": "B", "contractStartDate": "01.05.2024",
                            "coldRent": "850.00"});
        let checked = upsert_input("Tenant", &tenant).expect("valid");
        assert_eq!(checked["contractStartDate"], "2024-05-01");
        let mut bad_money = tenant.clone();
        bad_money["coldRent"] = json!("850,00");
        assert!(upsert_input("Tenant", &bad_money).is_err());
        let mut no_unit = tenant;
        no_unit.as_object_mut().map(|o| o.remove("externalUnitId"));
        assert!(upsert_input("Tenant", &no_unit).is_err());
    }

    #[test]
    fn list_inputs_check_filters_paging_and_sort() {
        let args = ListArgs::read(
            "Unit",
            "UnitsFilter",
            &json!({"filter": {"hasListing": true}, "paging": {"skip": 5, "take": 5000},
                    "sort": {"fieldName": "name", "direction": "desc"}}),
        )
        .expect("valid");
        assert_eq!((args.skip, args.take), (5, MAX_TAKE));
        assert_eq!(args.sort, Some(("name".to_owned(), true)));
        for bad in [
            json!({"filter": {"nope": 1}}),
            json!({"filter": {"hasListing": "yes"}}),
            json!({"paging": {"take": -1}}),
            json!({"sort": {"fieldName": "property"}}),
            json!({"sort": {"fieldName": "name", "direction": "UP"}}),
            json!({"page": {}}),
        ] {
            assert!(
                ListArgs::read("Unit", "UnitsFilter", &bad).is_err(),
                "{bad}"
            );
        }
    }
}
