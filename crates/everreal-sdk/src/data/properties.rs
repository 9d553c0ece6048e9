//! Properties: the `upsertProperty` mutation.

use schemars::JsonSchema;
use serde::Serialize;

use super::common::{Descriptions, Meta, OwnerRef, PropertyGroupRef, check_opt, not_blank};
use crate::Error;
use crate::graphql::Operation;
use crate::open_enum::open_enum;

/// `upsertProperty(property: PropertyInput!)`, selecting the id.
pub(crate) const UPSERT_PROPERTY: Operation = Operation {
    name: "upsertProperty",
    root: "upsertProperty",
    document: "mutation UpsertProperty($property: PropertyInput!) {
  upsertProperty(property: $property) { id }
}",
};

open_enum! {
    /// `PROPERTY_TYPE` (default building).
    pub enum PropertyType {
        /// A building.
        Building = "BUILDING",
        /// Land.
        Land = "LAND",
    }
}

open_enum! {
    /// `PROPERTY_CATEGORY` (default residential and commercial).
    pub enum PropertyCategory {
        /// Residential.
        Residential = "RESIDENTIAL",
        /// Commercial.
        Commercial = "COMMERCIAL",
        /// Both.
        ResidentialAndCommercial = "RESIDENTIAL_AND_COMMERCIAL",
    }
}

open_enum! {
    /// `PROPERTY_OWNERSHIP_TYPE` and `PROPERTY_RESPONSIBILITY_TYPE` (default multiple): one
    /// owner (or responsible user) for the whole property, or one per unit.
    pub enum OwnershipType {
        /// One for the property, cascading to its units.
        Individual = "INDIVIDUAL",
        /// One per unit.
        Multiple = "MULTIPLE",
    }
}

/// A geographic position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct GeoLocation {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lng: f64,
}

/// The address of a property (`AddressInput`). Split it as the fields say: no extra text in
/// the street number.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddressInput {
    /// Street.
    pub street_name: String,
    /// House number.
    pub street_number: String,
    /// Postal code.
    pub zip_code: String,
    /// City.
    pub city: String,
    /// ISO 3166 alpha-2 country code (`DE`, `AT`, `CH`, `FR`).
    pub country: String,
    /// Position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoLocation>,
    /// A maps place id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_id: Option<String>,
}

impl AddressInput {
    /// An address without a position.
    pub fn new(
        street_name: impl Into<String>,
        street_number: impl Into<String>,
        zip_code: impl Into<String>,
        city: impl Into<String>,
        country: impl Into<String>,
    ) -> Self {
        Self {
            street_name: street_name.into(),
            street_number: street_number.into(),
            zip_code: zip_code.into(),
            city: city.into(),
            country: country.into(),
            location: None,
            place_id: None,
        }
    }

    fn check(&self) -> Result<(), Error> {
        not_blank("address.streetName", &self.street_name)?;
        not_blank("address.streetNumber", &self.street_number)?;
        not_blank("address.zipCode", &self.zip_code)?;
        not_blank("address.city", &self.city)?;
        let country = self.country.as_bytes();
        if country.len() != 2 || !country.iter().all(u8::is_ascii_uppercase) {
            return Err(Error::invalid(format!(
                "address.country must be an ISO 3166 alpha-2 code such as \"DE\", got {:?}",
                self.country
            )));
        }
        Ok(())
    }
}

/// A property (a building entrance, not a group of them) to create or update
/// (`PropertyInput`), keyed by `externalPropertyId`.
///
/// [`PropertyInput::new`] fills the required enums with their documented defaults.
///
/// ```
/// use everreal_sdk::data::{AddressInput, Meta, PropertyInput};
/// let address = AddressInput::new("Villenallee", "21", "40211", "Düsseldorf", "DE");
/// let property = PropertyInput::new(Meta::new("ACME_ERP")?, "P-3", "Villenallee 21", address);
/// assert_eq!(serde_json::to_value(&property).unwrap()["ownershipType"], "MULTIPLE");
/// # Ok::<(), everreal_sdk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PropertyInput {
    /// The integration source.
    pub meta: Meta,
    /// The integration's id of the property: same id, same property.
    pub external_property_id: String,
    /// The EverReal id, to give an existing property a new external id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// Address.
    pub address: AddressInput,
    /// Type (default building).
    #[serde(rename = "type")]
    pub type_: PropertyType,
    /// Subtype (default building).
    pub subtype: PropertyType,
    /// Category (default residential and commercial).
    pub category: PropertyCategory,
    /// Who owns it (default multiple: per unit).
    pub ownership_type: OwnershipType,
    /// The owner: `ownerId` or `externalOwnerId`, required when the ownership type is
    /// individual.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerRef>,
    /// Who is responsible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsibility_type: Option<OwnershipType>,
    /// The responsible user's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible_user_id: Option<String>,
    /// The property group: `propertyGroupId` or `externalPropertyGroupId`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub property_group: Option<PropertyGroupRef>,
    /// Number of storeys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_of_stories: Option<i32>,
    /// Year of construction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year_built: Option<i32>,
    /// Free texts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub descriptions: Option<Descriptions>,
}

impl PropertyInput {
    /// A property with the documented defaults: a residential and commercial building, owned
    /// per unit.
    pub fn new(
        meta: Meta,
        external_property_id: impl Into<String>,
        name: impl Into<String>,
        address: AddressInput,
    ) -> Self {
        Self {
            meta,
            external_property_id: external_property_id.into(),
            id: None,
            name: name.into(),
            address,
            type_: PropertyType::Building,
            subtype: PropertyType::Building,
            category: PropertyCategory::ResidentialAndCommercial,
            ownership_type: OwnershipType::Multiple,
            owner: None,
            responsibility_type: None,
            responsible_user_id: None,
            property_group: None,
            no_of_stories: None,
            year_built: None,
            descriptions: None,
        }
    }

    /// Refuses what the server would refuse, before any request.
    pub(crate) fn check(&self) -> Result<(), Error> {
        not_blank("externalPropertyId", &self.external_property_id)?;
        not_blank("name", &self.name)?;
        self.address.check()?;
        if self.ownership_type == OwnershipType::Individual && self.owner.is_none() {
            return Err(Error::invalid(
                "ownershipType is INDIVIDUAL but no owner is set: set ownerId or externalOwnerId",
            ));
        }
        check_opt(&self.owner, OwnerRef::check)?;
        check_opt(&self.property_group, PropertyGroupRef::check)
    }
}
