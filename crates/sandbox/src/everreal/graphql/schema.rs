//! The part of EverReal's GraphQL schema the sandbox serves: object types and their fields,
//! the root fields, and where a relation field finds its records.

/// What a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A scalar (String, Int, Float, Boolean, ID, Date, DateTime) or a list of them.
    Scalar,
    /// The `JSON` scalar: any value, no sub-selection.
    Json,
    /// An object of the named type, stored inside the record.
    Object(&'static str),
    /// A list of objects of the named type, stored inside the record.
    Objects(&'static str),
    /// An object of the named type found by the id in the record's member `by`.
    Link(&'static str, &'static str),
    /// Objects of the named type found by the list of ids in the record's member `by`.
    Links(&'static str, &'static str),
}

impl Ty {
    /// The object type a selection applies to, if the field has one.
    pub(crate) fn object_type(self) -> Option<&'static str> {
        match self {
            Ty::Object(t) | Ty::Objects(t) | Ty::Link(t, _) | Ty::Links(t, _) => Some(t),
            Ty::Scalar | Ty::Json => None,
        }
    }
}

type Fields = &'static [(&'static str, Ty)];

use Ty::{Json, Link, Links, Object, Objects, Scalar};

const ADDRESS_FIELDS: Fields = &[
    ("streetName", Scalar),
    ("streetNumber", Scalar),
    ("zipCode", Scalar),
    ("city", Scalar),
    ("country", Scalar),
];

/// The fields of object type `name`.
pub(crate) fn fields(name: &str) -> Option<Fields> {
    Some(match name {
        "Owner" => &[
            ("id", Scalar),
            ("externalId", Scalar),
            ("firstName", Scalar),
            ("lastName", Scalar),
            ("fullName", Scalar),
            ("companyName", Scalar),
            ("email", Scalar),
            ("phoneNo", Scalar),
            ("address", Object("PersonalAddress")),
            ("bankDepositInformation", Object("BankDepositInformation")),
            ("bankInformation", Object("BankInformation")),
            ("customFieldValues", Objects("CustomFieldValue")),
            ("createdAt", Scalar),
            ("updatedAt", Scalar),
        ],
        "PersonalAddress" => ADDRESS_FIELDS,
        "BankDepositInformation" => &[
            ("iban", Scalar),
            ("bic", Scalar),
            ("bankName", Scalar),
            ("accountHolderName", Scalar),
        ],
        "BankInformation" => &[
            ("bankName", Scalar),
            ("bankAddress", Scalar),
            ("bic", Scalar),
            ("iban", Scalar),
        ],
        "CustomFieldValue" => &[("key", Scalar), ("value", Json)],
        "Property" => &[
            ("id", Scalar),
            ("externalId", Scalar),
            ("name", Scalar),
            ("type", Scalar),
            ("subtype", Scalar),
            ("category", Scalar),
            ("ownershipType", Scalar),
            ("responsibilityType", Scalar),
            ("noOfStories", Scalar),
            ("yearBuilt", Scalar),
            ("ownerId", Scalar),
            ("owner", Link("Owner", "ownerId")),
            ("responsibleUserId", Scalar),
            ("propertyGroupId", Scalar),
            ("fullAddress", Scalar),
            ("address", Object("Address")),
            ("descriptions", Object("Descriptions")),
            ("createdAt", Scalar),
            ("updatedAt", Scalar),
        ],
        "Address" => &[
            ("streetName", Scalar),
            ("streetNumber", Scalar),
            ("zipCode", Scalar),
            ("city", Scalar),
            ("country", Scalar),
            ("location", Object("Location")),
            ("placeId", Scalar),
        ],
        "Location" => &[("lat", Scalar), ("lng", Scalar)],
        "Descriptions" => &[
            ("object", Scalar),
            ("amenities", Scalar),
            ("location", Scalar),
            ("other", Scalar),
        ],
        "Unit" => &[
            ("id", Scalar),
            ("objectId", Scalar),
            ("externalId", Scalar),
            ("name", Scalar),
            ("category", Scalar),
            ("type", Scalar),
            ("subtype", Scalar),
            ("propertyId", Scalar),
            ("property", Link("Property", "propertyId")),
            ("ownerId", Scalar),
            ("owner", Link("Owner", "ownerId")),
            ("floorNo", Scalar),
            ("floorNumber", Scalar),
            ("surface", Scalar),
            ("livingSurface", Scalar),
            ("netFloorSurface", Scalar),
            ("hasMainStorage", Scalar),
            ("rooms", Object("UnitRooms")),
            ("leasingStatusCurrentlyLeased", Scalar),
            ("leasingStatusesEnum", Scalar),
            ("statusesEnum", Scalar),
            ("descriptions", Object("Descriptions")),
            ("amenities", Object("Amenities")),
            ("surcharges", Scalar),
            ("currentRent", Scalar),
            ("targetRent", Scalar),
            ("financingType", Scalar),
            ("availableFrom", Scalar),
            ("unitResponsibleId", Scalar),
            ("createdAt", Scalar),
            ("updatedAt", Scalar),
        ],
        "UnitRooms" => &[
            ("rooms", Scalar),
            ("bathrooms", Scalar),
            ("bedrooms", Scalar),
        ],
        "Amenities" => &[
            ("amenitiesIncluded", Scalar),
            ("qualityOfAmenities", Scalar),
            ("parking", Object("Parking")),
        ],
        "Parking" => &[("type", Scalar), ("quantity", Scalar)],
        "Listing" => &[
            ("id", Scalar),
            ("title", Scalar),
            ("type", Scalar),
            ("status", Scalar),
            ("isActive", Scalar),
            ("isArchived", Scalar),
            ("companyId", Scalar),
            ("company", Object("Company")),
            ("availableFrom", Scalar),
            ("propertyId", Scalar),
            ("property", Link("Property", "propertyId")),
            ("unitId", Scalar),
            ("unit", Link("Unit", "unitId")),
            ("contractDetails", Object("ListingContractDetails")),
            ("coverPicture", Object("IFile")),
            ("pictures", Objects("IFile")),
            ("documents", Objects("IFile")),
            ("floorplans", Objects("IFile")),
            ("amenities", Object("Amenities")),
            ("descriptions", Object("Descriptions")),
            ("createdAt", Scalar),
            ("updatedAt", Scalar),
        ],
        "Company" => &[("id", Scalar), ("name", Scalar)],
        "ListingContractDetails" => &[
            ("currency", Scalar),
            ("rent", Scalar),
            ("deposit", Scalar),
            ("heatingCosts", Scalar),
            ("utilityCosts", Scalar),
            ("totalMonthlyRent", Scalar),
            ("displayAmount", Scalar),
            ("petsAllowed", Scalar),
        ],
        "IFile" => &[
            ("name", Scalar),
            ("resourcePath", Scalar),
            ("type", Scalar),
            ("size", Scalar),
        ],
        "Candidate" => &[
            ("id", Scalar),
            ("email", Scalar),
            ("firstName", Scalar),
            ("lastName", Scalar),
            ("fullName", Scalar),
            ("companyContactId", Scalar),
            ("listingId", Scalar),
            ("listing", Link("Listing", "listingId")),
            ("rating", Scalar),
            ("notes", Scalar),
            ("candidateSource", Scalar),
            ("isNewCandidate", Scalar),
            ("isNewApplicant", Scalar),
            ("isSharedApplicant", Scalar),
            ("isToDo", Scalar),
            ("isInvited", Scalar),
            ("isScheduled", Scalar),
            ("isApplicant", Scalar),
            ("isDisabled", Scalar),
            ("isPendingCandidate", Scalar),
            ("isFromInvestment", Scalar),
            ("hasSharedDataRoom", Scalar),
            ("longExposeNoViews", Scalar),
            ("longExposeLastView", Scalar),
            ("hadAcceptedSellingCancelationNotice", Scalar),
            ("sellingCancellationStatus", Scalar),
            ("viewingStartDate", Scalar),
            ("disabledReason", Scalar),
            ("scheduledStatus", Scalar),
            ("applications", Objects("ListingCandidateApplication")),
            ("createdAt", Scalar),
            ("updatedAt", Scalar),
        ],
        "ListingCandidateApplication" => &[
            ("id", Scalar),
            ("candidateId", Scalar),
            ("email", Scalar),
            ("userId", Scalar),
            ("isMainCandidate", Scalar),
            ("applicationDataString", Scalar),
            ("applicationData", Object("ApplicationData")),
        ],
        "ApplicationData" => &[
            ("isFinancingReady", Scalar),
            ("isAnyoneSmoking", Scalar),
            ("hasPets", Scalar),
            ("hasEligibilityCertificate", Scalar),
            ("email", Scalar),
        ],
        "Contract" => &[
            ("id", Scalar),
            ("startDate", Scalar),
            ("endDate", Scalar),
            ("contractFlowType", Scalar),
            ("status", Scalar),
            ("candidate", Link("Candidate", "_candidateId")),
            ("units", Links("Unit", "_unitIds")),
            ("tenants", Links("Tenant", "_tenantIds")),
            ("tenantFullNames", Scalar),
            ("versions", Json),
            ("contractData", Object("ContractData")),
            ("contractDataString", Scalar),
            ("createdAt", Scalar),
            ("updatedAt", Scalar),
        ],
        "ContractData" => &[("terms", Object("ContractTerms"))],
        "ContractTerms" => &[
            ("rent", Scalar),
            ("deposit", Scalar),
            ("heatingCosts", Scalar),
            ("utilityCosts", Scalar),
            ("totalMonthlyRent", Scalar),
            ("contractStartDate", Scalar),
            ("contractEndDate", Scalar),
        ],
        "Tenant" => &[
            ("id", Scalar),
            ("externalId", Scalar),
            ("firstName", Scalar),
            ("lastName", Scalar),
            ("fullName", Scalar),
            ("email", Scalar),
            ("companyName", Scalar),
            ("phoneNumber", Scalar),
            ("cellPhoneNumber", Scalar),
            ("unitId", Scalar),
            ("unit", Link("Unit", "unitId")),
            ("coldRent", Scalar),
            ("serviceCharges", Scalar),
            ("heatingCosts", Scalar),
            ("totalRent", Scalar),
            ("securityDeposit", Scalar),
            ("contractStartDate", Scalar),
            ("contractEndDate", Scalar),
            ("terminationDate", Scalar),
            ("additionalTenants", Objects("AdditionalTenant")),
            ("customFieldValues", Objects("CustomFieldValue")),
            ("createdAt", Scalar),
            ("updatedAt", Scalar),
        ],
        "AdditionalTenant" => &[
            ("externalId", Scalar),
            ("firstName", Scalar),
            ("lastName", Scalar),
            ("email", Scalar),
            ("phoneNumber", Scalar),
        ],
        "AsyncEventResponse" => &[("statusCode", Scalar), ("message", Scalar)],
        _ => return None,
    })
}

/// The type of field `field` of object type `name`.
pub(crate) fn field(name: &str, field: &str) -> Option<Ty> {
    fields(name)?
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, ty)| *ty)
}

/// What a root field does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Root {
    /// A list query over a collection of the named type; the filter input type's name.
    List(&'static str, &'static str),
    /// `upsert<Type>(<argument>: <Type>Input)`.
    Upsert(&'static str, &'static str),
    /// `delete<Type>(externalId: String)`.
    Delete(&'static str),
}

/// Root fields of `query`.
pub(crate) fn query_root(name: &str) -> Option<Root> {
    Some(match name {
        "units" => Root::List("Unit", "UnitsFilter"),
        "listings" => Root::List("Listing", "ListingFilter"),
        "candidates" => Root::List("Candidate", "CandidatesFilter"),
        "contracts" => Root::List("Contract", "ListContractFilter"),
        "owners" => Root::List("Owner", "OwnersFilter"),
        "properties" => Root::List("Property", "PropertiesFilter"),
        "tenants" => Root::List("Tenant", "TenantsFilter"),
        _ => return None,
    })
}

/// Root fields of `mutation`.
pub(crate) fn mutation_root(name: &str) -> Option<Root> {
    Some(match name {
        "upsertOwner" => Root::Upsert("Owner", "owner"),
        "upsertProperty" => Root::Upsert("Property", "property"),
        "upsertUnit" => Root::Upsert("Unit", "unit"),
        "upsertTenant" => Root::Upsert("Tenant", "tenant"),
        "deleteOwner" => Root::Delete("Owner"),
        "deleteProperty" => Root::Delete("Property"),
        "deleteUnit" => Root::Delete("Unit"),
        "deleteTenant" => Root::Delete("Tenant"),
        _ => return None,
    })
}

/// What a root field answers: an object type (for a selection), or `None` for `Boolean`.
pub(crate) fn root_type(root: Root) -> Option<&'static str> {
    match root {
        Root::List(t, _) | Root::Upsert(t, _) => Some(t),
        Root::Delete("Tenant") => Some("AsyncEventResponse"),
        Root::Delete(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_referenced_type_is_defined() {
        for name in [
            "Owner",
            "Property",
            "Unit",
            "Listing",
            "Candidate",
            "Contract",
            "Tenant",
        ] {
            for (_, ty) in fields(name).unwrap_or_default() {
                if let Some(inner) = ty.object_type() {
                    assert!(fields(inner).is_some(), "{name} refers to unknown {inner}");
                }
            }
        }
        assert_eq!(
            field("Unit", "property"),
            Some(Link("Property", "propertyId"))
        );
        assert_eq!(field("Unit", "nope"), None);
    }
}
