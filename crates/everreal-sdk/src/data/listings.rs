//! Listings: the `listings` query.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{Descriptions, FileRef};
use super::units::{Amenity, UnitRooms};
use crate::graphql::Operation;
use crate::lenient;

/// `listings(input: ListingFilterListPaging): [Listing]`, with the fields the docs list and
/// public integrations select.
pub(crate) const LISTINGS: Operation = Operation {
    name: "listings",
    root: "listings",
    document: "query Listings($input: ListingFilterListPaging) {
  listings(input: $input) {
    id title type status isActive isArchived companyId availableFrom
    propertyId unitId createdAt updatedAt
    contractDetails { currency rent totalMonthlyRent displayAmount }
    amenities { amenitiesIncluded qualityOfAmenities }
    property { fullAddress }
    unit { livingSurface rooms { rooms } }
    descriptions { object amenities location other }
    coverPicture { resourcePath }
    pictures { resourcePath }
    floorplans { resourcePath }
    documents { resourcePath }
  }
}",
};

/// Which listings to list. Only the two keys seen in use are documented.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListingFilter {
    /// Only active (or inactive) listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    /// Only archived (or unarchived) listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_archived: Option<bool>,
}

/// A listing (an advertised unit) as the `listings` query returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Listing {
    /// EverReal id.
    pub id: String,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Type, such as `RENT_APARTMENT`.
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    /// Status (`LISTING_STATUS`; values undocumented).
    #[serde(default)]
    pub status: Option<String>,
    /// Whether it is active.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Whether it is archived.
    #[serde(default)]
    pub is_archived: Option<bool>,
    /// The company's id.
    #[serde(default)]
    pub company_id: Option<String>,
    /// Available from (a date, as sent).
    #[serde(default)]
    pub available_from: Option<String>,
    /// The property's id.
    #[serde(default)]
    pub property_id: Option<String>,
    /// The unit's id.
    #[serde(default)]
    pub unit_id: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Rent and currency.
    #[serde(default)]
    pub contract_details: Option<ListingContractDetails>,
    /// Amenities.
    #[serde(default)]
    pub amenities: Option<ListingAmenities>,
    /// The property's address.
    #[serde(default)]
    pub property: Option<ListingProperty>,
    /// Size and rooms of the unit.
    #[serde(default)]
    pub unit: Option<ListingUnit>,
    /// Free texts.
    #[serde(default)]
    pub descriptions: Option<Descriptions>,
    /// The cover picture.
    #[serde(default)]
    pub cover_picture: Option<FileRef>,
    /// Pictures.
    #[serde(default)]
    pub pictures: Option<Vec<FileRef>>,
    /// Floor plans.
    #[serde(default)]
    pub floorplans: Option<Vec<FileRef>>,
    /// Documents.
    #[serde(default)]
    pub documents: Option<Vec<FileRef>>,
}

/// Rent and currency of a listing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListingContractDetails {
    /// ISO 4217 currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// Cold rent.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub rent: Option<f64>,
    /// Total monthly rent.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub total_monthly_rent: Option<f64>,
    /// The amount shown on the listing.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub display_amount: Option<f64>,
}

/// Amenities of a listing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListingAmenities {
    /// The amenities the unit has.
    #[serde(default)]
    pub amenities_included: Option<Vec<Amenity>>,
    /// Quality of the amenities.
    #[serde(default)]
    pub quality_of_amenities: Option<String>,
}

/// The property of a listing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListingProperty {
    /// The address in one line.
    #[serde(default)]
    pub full_address: Option<String>,
}

/// The unit of a listing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListingUnit {
    /// Living surface in m².
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub living_surface: Option<f64>,
    /// Rooms.
    #[serde(default)]
    pub rooms: Option<UnitRooms>,
}
