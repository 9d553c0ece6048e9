//! The GraphQL data API's models: list inputs and filters, the records the queries return,
//! and the upsert inputs.
//!
//! Upsert inputs take a [`Meta`] (never optional, never empty) and their one-of ids as enums
//! ([`PropertyRef`], [`OwnerRef`], [`UnitRef`], [`PropertyGroupRef`]), so a request the
//! server would refuse for a missing key does not compile. What types cannot say (blank ids,
//! amounts with a decimal comma, dates of another shape) is refused before any request.

mod candidates;
mod common;
mod contracts;
mod listings;
mod owners;
mod properties;
mod tenants;
mod units;

pub use candidates::{Candidate, CandidateApplication, CandidateScheduledStatus, CandidatesFilter};
pub use common::{
    CustomFieldValue, Descriptions, FileRef, ListInput, Meta, OwnerRef, Paging, PropertyGroupRef,
    PropertyRef, Reference, Sort, SortDirection, UnitRef, Upserted,
};
pub use contracts::{Contract, ContractData, ContractTerms, ContractsFilter};
pub use listings::{
    Listing, ListingAmenities, ListingContractDetails, ListingFilter, ListingProperty, ListingUnit,
};
pub use owners::{BankDepositInformation, BankInformation, OwnerInput, PersonalAddress};
pub use properties::{
    AddressInput, GeoLocation, OwnershipType, PropertyCategory, PropertyInput, PropertyType,
};
pub use tenants::{AdditionalTenant, TenantInput};
pub use units::{
    AmenitiesInput, Amenity, RoomsInput, Unit, UnitCategory, UnitFinancingType, UnitInput,
    UnitOnHoldReason, UnitRooms, UnitSubtype, UnitType, UnitsFilter,
};

pub(crate) use candidates::CANDIDATES;
pub(crate) use common::not_blank;
pub(crate) use contracts::CONTRACTS;
pub(crate) use listings::LISTINGS;
pub(crate) use owners::UPSERT_OWNER;
pub(crate) use properties::UPSERT_PROPERTY;
pub(crate) use tenants::UPSERT_TENANT;
pub(crate) use units::{UNITS, UPSERT_UNIT};
