//! Units: the `units` query and the `upsertUnit` mutation.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{
    Descriptions, Meta, OwnerRef, PropertyRef, Reference, check_date, check_opt, not_blank,
};
use crate::Error;
use crate::graphql::Operation;
use crate::lenient;
use crate::open_enum::open_enum;

/// `units(input: UnitsFilterListPaging): [Unit]`, with the fields the docs list for the
/// query side.
pub(crate) const UNITS: Operation = Operation {
    name: "units",
    root: "units",
    document: "query Units($input: UnitsFilterListPaging) {
  units(input: $input) {
    id objectId externalId name category type subtype
    leasingStatusCurrentlyLeased leasingStatusesEnum statusesEnum
    floorNo surface livingSurface netFloorSurface hasMainStorage
    rooms { rooms }
    owner { id }
    unitResponsibleId surcharges currentRent targetRent
  }
}",
};

/// `upsertUnit(unit: UnitInput): Unit`, selecting the id.
pub(crate) const UPSERT_UNIT: Operation = Operation {
    name: "upsertUnit",
    root: "upsertUnit",
    document: "mutation UpsertUnit($unit: UnitInput!) {
  upsertUnit(unit: $unit) { id }
}",
};

/// Which units to list (`UnitsFilter`). Every field is optional; set ones are combined.
///
/// The deprecated `leasingStatus` and the `updatedAt` range (its `IDateRange` shape is not
/// documented) are left out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitsFilter {
    /// One unit, by EverReal id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The units of one company.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    /// One unit, by the integration's external id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The units of one property group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property_group_id: Option<String>,
    /// The units of one property.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property_id: Option<String>,
    /// The units of one owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// Searches the unit name and object id, and the property's address and name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_search: Option<String>,
    /// Leasing statuses (`FILTER_UNITS_LEASING_STATUSES`; values undocumented).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leasing_statuses: Option<Vec<String>>,
    /// Only units with (or without) a listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_listing: Option<bool>,
    /// Also units managed outside EverReal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_external: Option<bool>,
}

/// A unit as the `units` query returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Unit {
    /// EverReal id.
    pub id: String,
    /// EverReal's object number.
    #[serde(default)]
    pub object_id: Option<String>,
    /// The integration's external id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Category.
    #[serde(default)]
    pub category: Option<UnitCategory>,
    /// Type.
    #[serde(default, rename = "type")]
    pub type_: Option<UnitType>,
    /// Subtype.
    #[serde(default)]
    pub subtype: Option<UnitSubtype>,
    /// Whether it is leased now.
    #[serde(default)]
    pub leasing_status_currently_leased: Option<bool>,
    /// Leasing statuses (`FILTER_UNITS_LEASING_STATUSES`).
    #[serde(default)]
    pub leasing_statuses_enum: Option<Vec<String>>,
    /// Statuses.
    #[serde(default)]
    pub statuses_enum: Option<Vec<String>>,
    /// Floor (a `Float` on the query side).
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub floor_no: Option<f64>,
    /// Surface in m².
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub surface: Option<f64>,
    /// Living surface in m².
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub living_surface: Option<f64>,
    /// Net floor surface in m².
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub net_floor_surface: Option<f64>,
    /// Whether it has a storage room.
    #[serde(default)]
    pub has_main_storage: Option<bool>,
    /// Rooms.
    #[serde(default)]
    pub rooms: Option<UnitRooms>,
    /// Owner.
    #[serde(default)]
    pub owner: Option<Reference>,
    /// The responsible user's id.
    #[serde(default)]
    pub unit_responsible_id: Option<String>,
    /// Surcharges.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub surcharges: Option<f64>,
    /// Current rent.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub current_rent: Option<f64>,
    /// Target rent.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub target_rent: Option<f64>,
}

/// Rooms of a unit, as queries return them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UnitRooms {
    /// Number of rooms (half rooms count: `2.5`).
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub rooms: Option<f64>,
}

open_enum! {
    /// `UNIT_CATEGORY`; the docs name only the default.
    pub enum UnitCategory {
        /// Residential (the default).
        Residential = "RESIDENTIAL",
        /// Commercial (assumed, as for properties).
        Commercial = "COMMERCIAL",
    }
}

open_enum! {
    /// `UNIT_TYPE`, from the docs' table of subtype defaults.
    pub enum UnitType {
        /// Apartment (the default).
        Apartment = "APARTMENT",
        /// House.
        House = "HOUSE",
        /// Parking space.
        Parking = "PARKING",
        /// Office.
        Office = "OFFICE",
        /// Store.
        Store = "STORE",
        /// Gastronomy.
        Gastronomy = "GASTRONOMY",
        /// Industry.
        Industry = "INDUSTRY",
        /// Special purpose (the docs write it with a space; this spelling is assumed).
        SpecialPurpose = "SPECIAL_PURPOSE",
    }
}

open_enum! {
    /// `UNIT_SUBTYPES`: only the per-type defaults are documented.
    pub enum UnitSubtype {
        /// No information (the default of apartments, houses and parking).
        NoInformation = "NO_INFORMATION",
        /// Office.
        Office = "OFFICE",
        /// Store.
        Store = "STORE",
        /// Café.
        Cafe = "CAFE",
        /// Hall.
        Hall = "HALL",
        /// Special estate.
        SpecialEstate = "SPECIAL_ESTATE",
    }
}

open_enum! {
    /// `UNIT_FINANCING_TYPE`.
    pub enum UnitFinancingType {
        /// Privately financed.
        PrivatelyFinanced = "PRIVATELY_FINANCED",
        /// Publicly subsidized.
        PubliclySubsidized = "PUBLICLY_SUBSIDIZED",
    }
}

open_enum! {
    /// `UNIT_ON_HOLD_REASON` (the older on-hold fields).
    pub enum UnitOnHoldReason {
        /// First use.
        FirstTimeUse = "FIRST_TIME_USE",
        /// Construction work.
        ConstructionMeasures = "CONSTRUCTION_MEASURES",
        /// Occupancy right.
        OccupancyRight = "OCCUPANCY_RIGHT",
        /// Internal use.
        InternalUse = "INTERNAL_USE",
        /// Reserved.
        Reserved = "RESERVED",
        /// Other.
        OtherReason = "OTHER",
    }
}

open_enum! {
    /// `AMENITIES_INCLUDED` (the documented list is cut short; others go to `Other`).
    pub enum Amenity {
        /// Built-in kitchen.
        BuiltinKitchen = "BUILTIN_KITCHEN",
        /// Elevator.
        Elevator = "ELEVATOR",
        /// Goods lift.
        GoodsLift = "GOODS_LIFT",
        /// Balcony or terrace.
        BalconyOrTerrace = "BALCONY_OR_TERRACE",
        /// Guest toilet.
        GuestToilet = "GUEST_TOILET",
        /// Garden.
        Garden = "GARDEN",
        /// Basement.
        Basement = "BASEMENT",
        /// Step-free entry.
        SteplessEntry = "STEPLESS_ENTRY",
        /// Housing entitlement certificate needed.
        LivingQualificationCertificate = "LIVING_QUALIFICATION_CERTIFICATE",
        /// Suitable for a shared flat.
        SuitableForSharedApartment = "SUITABLE_FOR_SHARED_APARTMENT",
        /// Suitable for holidays.
        SuitableForHoliday = "SUITABLE_FOR_HOLIDAY",
        /// Cafeteria.
        Cafeteria = "CAFETERIA",
        /// High voltage.
        HighVoltage = "HIGH_VOLTAGE",
        /// Ramp.
        Ramp = "RAMP",
        /// Hydraulic ramp.
        HydraulicRamp = "HYDRAULIC_RAMP",
    }
}

/// Rooms of a unit, as upserts send them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomsInput {
    /// Number of rooms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rooms: Option<f64>,
    /// Number of bathrooms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bathrooms: Option<f64>,
    /// Number of bedrooms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bedrooms: Option<f64>,
}

/// Amenities of a unit (`AmenitiesInput`, of which only the included amenities are
/// documented).
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AmenitiesInput {
    /// The amenities the unit has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amenities_included: Option<Vec<Amenity>>,
}

/// A unit to create or update (`UnitInput`), keyed by `externalUnitId`.
///
/// [`UnitInput::new`] fills the required enums with their documented defaults.
///
/// ```
/// use everreal_sdk::data::{Meta, PropertyRef, UnitInput, UnitType};
/// let mut unit = UnitInput::new(Meta::new("ACME_ERP")?, "U-17", PropertyRef::External("P-3".into()));
/// unit.type_ = UnitType::Apartment;
/// unit.floor_no = 2;
/// unit.living_surface = Some(71.5);
/// let json = serde_json::to_value(&unit).unwrap();
/// assert_eq!(json["externalPropertyId"], "P-3");
/// assert_eq!(json["meta"]["source"], "ACME_ERP");
/// # Ok::<(), everreal_sdk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitInput {
    /// The integration source.
    pub meta: Meta,
    /// The integration's id of the unit: same id, same unit.
    pub external_unit_id: String,
    /// The property: one of `propertyId` and `externalPropertyId`.
    #[serde(flatten)]
    pub property: PropertyRef,
    /// The owner: `ownerId` or `externalOwnerId`; the property's when `None`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerRef>,
    /// Category (default residential).
    pub category: UnitCategory,
    /// Type (default apartment).
    #[serde(rename = "type")]
    pub type_: UnitType,
    /// Subtype (default: no information).
    pub subtype: UnitSubtype,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Net floor surface in m².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_floor_surface: Option<f64>,
    /// Living surface in m².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub living_surface: Option<f64>,
    /// Rooms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rooms: Option<RoomsInput>,
    /// Whether it has a storage room (default `false`).
    pub main_storage: bool,
    /// Floor (an `Int` on the mutation side; default 0).
    pub floor_no: i32,
    /// Amenities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amenities: Option<AmenitiesInput>,
    /// Free texts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub descriptions: Option<Descriptions>,
    /// Financing (default privately financed, a choice of this SDK: the docs name none).
    pub financing_type: UnitFinancingType,
    /// Target rent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_rent: Option<f64>,
    /// Surcharges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surcharges: Option<f64>,
    /// Current rent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_rent: Option<f64>,
    /// Available from (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_from: Option<String>,
    /// Whether the unit is on hold (older API version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_hold_status: Option<bool>,
    /// Why it is on hold (older API version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_hold_reason: Option<UnitOnHoldReason>,
    /// Letting readiness (newer API version; values undocumented).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub letting_readiness_status: Option<String>,
    /// Why the unit is not ready (newer API version; values undocumented).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub letting_readiness_sub_reason: Option<String>,
    /// The responsible user's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_responsible_id: Option<String>,
}

impl UnitInput {
    /// A unit with the documented defaults: residential apartment, no subtype information,
    /// floor 0, no storage room, privately financed.
    pub fn new(meta: Meta, external_unit_id: impl Into<String>, property: PropertyRef) -> Self {
        Self {
            meta,
            external_unit_id: external_unit_id.into(),
            property,
            owner: None,
            category: UnitCategory::Residential,
            type_: UnitType::Apartment,
            subtype: UnitSubtype::NoInformation,
            name: None,
            net_floor_surface: None,
            living_surface: None,
            rooms: None,
            main_storage: false,
            floor_no: 0,
            amenities: None,
            descriptions: None,
            financing_type: UnitFinancingType::PrivatelyFinanced,
            target_rent: None,
            surcharges: None,
            current_rent: None,
            available_from: None,
            on_hold_status: None,
            on_hold_reason: None,
            letting_readiness_status: None,
            letting_readiness_sub_reason: None,
            unit_responsible_id: None,
        }
    }

    /// Refuses what the server would refuse, before any request.
    pub(crate) fn check(&self) -> Result<(), Error> {
        not_blank("externalUnitId", &self.external_unit_id)?;
        self.property.check()?;
        check_opt(&self.owner, OwnerRef::check)?;
        check_opt(&self.available_from, |d| {
            check_date("availableFrom", d, false)
        })
    }
}
