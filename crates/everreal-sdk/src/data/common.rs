//! What every GraphQL query or mutation shares: paging, sorting, the `meta` of upserts, the
//! one-of references, and the input checks.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;
use crate::open_enum::open_enum;

/// The integration's name on every upsert (`MetaInformation`): EverReal shows it, with a logo,
/// on the records the integration owns. It cannot be empty, so it can only be made with
/// [`Meta::new`].
///
/// ```
/// let meta = everreal_sdk::data::Meta::new("ACME_ERP")?;
/// assert_eq!(meta.source(), "ACME_ERP");
/// assert!(everreal_sdk::data::Meta::new("  ").is_err());
/// # Ok::<(), everreal_sdk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Meta {
    /// The integration source name.
    source: String,
}

impl Meta {
    /// The meta of an integration named `source`.
    ///
    /// # Errors
    /// [`Error::Http`] with an `InvalidRequest` when `source` is blank.
    pub fn new(source: impl Into<String>) -> Result<Self, Error> {
        let source = source.into();
        if source.trim().is_empty() {
            return Err(Error::invalid(
                "meta.source is empty: name the integration, as `Meta::new(\"ACME_ERP\")`",
            ));
        }
        Ok(Self { source })
    }

    /// The integration source name.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// A custom field value on an owner or tenant (`CustomFieldValueInput`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CustomFieldValue {
    /// The custom field's key.
    pub key: String,
    /// Its value, any JSON.
    pub value: Value,
}

/// The free texts of a property, unit or listing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Descriptions {
    /// About the object itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// About its amenities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amenities: Option<String>,
    /// About its location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Anything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
}

/// Which rows of a list to fetch (`GraphPaging`): `take` rows after skipping `skip`.
///
/// EverReal's lists carry no total, so the streams of [`crate::Client`] stop after a page
/// with fewer than `take` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Paging {
    /// Rows to skip.
    pub skip: u32,
    /// Rows to fetch, at least 1.
    pub take: u32,
}

impl Default for Paging {
    /// The first 100 rows.
    fn default() -> Self {
        Self { skip: 0, take: 100 }
    }
}

impl Paging {
    /// The first `take` rows.
    pub fn first(take: u32) -> Self {
        Self { skip: 0, take }
    }

    /// Refuses what would make a bad request or a stream that never ends.
    pub(crate) fn check(&self) -> Result<(), Error> {
        // GraphQL's Int is a signed 32-bit number.
        const MAX: u32 = i32::MAX as u32;
        if self.take == 0 {
            return Err(Error::invalid("paging.take is 0: take at least one row"));
        }
        if self.take > MAX || self.skip > MAX {
            return Err(Error::invalid(format!(
                "paging.skip and paging.take must be at most {MAX} (GraphQL Int)"
            )));
        }
        Ok(())
    }
}

open_enum! {
    /// Sort order. EverReal does not document the values; `ASC` and `DESC` are assumed.
    pub enum SortDirection {
        /// Ascending.
        Asc = "ASC",
        /// Descending.
        Desc = "DESC",
    }
}

/// How to sort a list (`GraphSorting`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sort {
    /// The field to sort by, as the API names it (`updatedAt`).
    pub field_name: String,
    /// The order.
    pub direction: SortDirection,
}

impl Sort {
    /// Ascending by `field_name`.
    pub fn asc(field_name: impl Into<String>) -> Self {
        Self {
            field_name: field_name.into(),
            direction: SortDirection::Asc,
        }
    }

    /// Descending by `field_name`.
    pub fn desc(field_name: impl Into<String>) -> Self {
        Self {
            field_name: field_name.into(),
            direction: SortDirection::Desc,
        }
    }
}

/// The `input` of a list query: `{filter, paging, sort}` (`UnitsFilterListPaging` and its
/// siblings).
///
/// ```
/// use everreal_sdk::data::{ListInput, ListingFilter, Paging, Sort};
/// let input = ListInput::new(ListingFilter { is_active: Some(true), ..Default::default() })
///     .paging(Paging::first(50))
///     .sort(Sort::desc("updatedAt"));
/// assert_eq!(
///     serde_json::to_value(&input)?,
///     serde_json::json!({"filter": {"isActive": true}, "paging": {"skip": 0, "take": 50},
///                        "sort": {"fieldName": "updatedAt", "direction": "DESC"}})
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
pub struct ListInput<F> {
    /// Which rows.
    pub filter: F,
    /// Which page of them.
    pub paging: Paging,
    /// In which order; the server's order when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<Sort>,
}

impl<F> ListInput<F> {
    /// The first 100 rows matching `filter`, in the server's order.
    pub fn new(filter: F) -> Self {
        Self {
            filter,
            paging: Paging::default(),
            sort: None,
        }
    }

    /// Sets the page.
    #[must_use]
    pub fn paging(mut self, paging: Paging) -> Self {
        self.paging = paging;
        self
    }

    /// Sets the order.
    #[must_use]
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort = Some(sort);
        self
    }
}

/// The answer of every upsert: the EverReal id of the record created or updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Upserted {
    /// The record's EverReal id (a UUID).
    pub id: String,
}

/// A related record of which only the id is selected (`owner { id }`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Reference {
    /// Its EverReal id.
    #[serde(default)]
    pub id: Option<String>,
}

/// A file (`IFile`): its full address is the resources host followed by `resourcePath`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FileRef {
    /// Where the file is, below the resources host.
    #[serde(default)]
    pub resource_path: Option<String>,
}

/// Defines a one-of pair of ids: EverReal's docs mark both `!`, but its prose (and the
/// upsert keying) asks for exactly one, by EverReal id or by the integration's external id.
macro_rules! one_of_ref {
    ($(#[$meta:meta])* $name:ident, $id:literal, $external:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
        pub enum $name {
            #[doc = concat!("By EverReal id: `", $id, "`.")]
            #[serde(rename = $id)]
            Id(String),
            #[doc = concat!("By the integration's external id: `", $external, "`.")]
            #[serde(rename = $external)]
            External(String),
        }

        impl $name {
            /// Refuses a blank id.
            pub(crate) fn check(&self) -> Result<(), Error> {
                let (field, value) = match self {
                    $name::Id(v) => ($id, v),
                    $name::External(v) => ($external, v),
                };
                not_blank(field, value)
            }
        }
    };
}

one_of_ref!(
    /// The property a unit belongs to: `propertyId` or `externalPropertyId`.
    PropertyRef,
    "propertyId",
    "externalPropertyId"
);
one_of_ref!(
    /// The owner of a property or unit: `ownerId` or `externalOwnerId`.
    OwnerRef,
    "ownerId",
    "externalOwnerId"
);
one_of_ref!(
    /// The unit a tenant rents: `unitId` or `externalUnitId`.
    UnitRef,
    "unitId",
    "externalUnitId"
);
one_of_ref!(
    /// The property group of a property: `propertyGroupId` or `externalPropertyGroupId`.
    PropertyGroupRef,
    "propertyGroupId",
    "externalPropertyGroupId"
);

/// Refuses a required text that is empty or only spaces.
pub(crate) fn not_blank(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(format!("{field} is empty")));
    }
    Ok(())
}

/// Refuses a date that is neither `YYYY-MM-DD` nor, where `german` allows it, `DD.MM.YYYY`.
/// Only the shape is checked; the server judges the calendar.
pub(crate) fn check_date(field: &str, value: &str, german: bool) -> Result<(), Error> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let iso = matches!(value.split('-').collect::<Vec<_>>()[..], [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2));
    let de = german
        && matches!(value.split('.').collect::<Vec<_>>()[..], [d, m, y] if digits(d, 2) && digits(m, 2) && digits(y, 4));
    if iso || de {
        return Ok(());
    }
    let formats = if german {
        "YYYY-MM-DD or DD.MM.YYYY"
    } else {
        "YYYY-MM-DD"
    };
    Err(Error::invalid(format!(
        "{field} must be a date as {formats}, got {value:?}"
    )))
}

/// Refuses an amount that is not digits with an optional `.` and decimals (`"850.00"`): a
/// decimal comma (`"850,00"`) or a currency sign would be stored wrong or refused.
pub(crate) fn check_money(field: &str, value: &str) -> Result<(), Error> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(whole) && digits(fraction) {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{field} must be an amount with a decimal point, as \"850.00\", got {value:?}"
    )))
}

/// Runs `check` on a value that is there.
pub(crate) fn check_opt<T>(
    value: &Option<T>,
    check: impl FnOnce(&T) -> Result<(), Error>,
) -> Result<(), Error> {
    value.as_ref().map_or(Ok(()), check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_refs_serialize_as_one_member() {
        #[derive(Serialize)]
        struct Probe {
            #[serde(flatten)]
            unit: UnitRef,
            #[serde(flatten)]
            owner: Option<OwnerRef>,
        }
        let by_id = Probe {
            unit: UnitRef::Id("u-1".into()),
            owner: None,
        };
        assert_eq!(
            serde_json::to_value(by_id).expect("encodes"),
            serde_json::json!({"unitId": "u-1"})
        );
        let external = Probe {
            unit: UnitRef::External("U-17".into()),
            owner: Some(OwnerRef::External("O-1".into())),
        };
        assert_eq!(
            serde_json::to_value(external).expect("encodes"),
            serde_json::json!({"externalUnitId": "U-17", "externalOwnerId": "O-1"})
        );
        assert!(UnitRef::Id(" ".into()).check().is_err());
    }

    #[test]
    fn dates_and_money_are_checked_by_shape() {
        assert!(check_date("d", "2024-05-01", false).is_ok());
        assert!(check_date("d", "01.05.2024", true).is_ok());
        assert!(check_date("d", "01.05.2024", false).is_err());
        for bad in [
            "2024-5-1",
            "1.5.2024",
            "",
            "2024-05-01T00:00:00Z",
            "yesterday",
        ] {
            assert!(check_date("d", bad, true).is_err(), "{bad}");
        }
        for ok in ["850", "850.00", "123456.34", "0.5"] {
            assert!(check_money("m", ok).is_ok(), "{ok}");
        }
        for bad in ["850,00", "€850", "", ".5", "850.", "1.000.00", "-5"] {
            let err = check_money("coldRent", bad).expect_err(bad);
            assert!(err.to_string().contains("coldRent"), "{err}");
        }
    }

    #[test]
    fn paging_is_checked() {
        assert!(Paging::default().check().is_ok());
        assert!(Paging::first(0).check().is_err());
        assert!(
            Paging {
                skip: u32::MAX,
                take: 1
            }
            .check()
            .is_err()
        );
    }
}
