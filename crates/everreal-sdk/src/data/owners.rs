//! Owners: the `upsertOwner` mutation.

use schemars::JsonSchema;
use serde::Serialize;

use super::common::{CustomFieldValue, Meta, not_blank};
use crate::Error;
use crate::graphql::Operation;

/// `upsertOwner(owner: OwnerInput!)`, selecting the id.
pub(crate) const UPSERT_OWNER: Operation = Operation {
    name: "upsertOwner",
    root: "upsertOwner",
    document: "mutation UpsertOwner($owner: OwnerInput!) {
  upsertOwner(owner: $owner) { id }
}",
};

/// An owner to create or update (`OwnerInput`), keyed by `externalOwnerId`.
///
/// ```
/// use everreal_sdk::data::{Meta, OwnerInput, PersonalAddress};
/// let mut owner = OwnerInput::new(Meta::new("ACME_ERP")?, "91001+002242", "Ivana", "Maric", "ivana@acme.example");
/// owner.company_name = Some("Acme GmbH".into());
/// owner.address = Some(PersonalAddress { city: Some("Düsseldorf".into()), country: Some("DE".into()), ..Default::default() });
/// assert_eq!(serde_json::to_value(&owner).unwrap()["externalOwnerId"], "91001+002242");
/// # Ok::<(), everreal_sdk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnerInput {
    /// The integration source.
    pub meta: Meta,
    /// The integration's id of the owner: same id, same owner.
    pub external_owner_id: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail address.
    pub email: String,
    /// Company name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_no: Option<String>,
    /// Postal address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<PersonalAddress>,
    /// Where deposits go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_deposit_information: Option<BankDepositInformation>,
    /// The owner's bank account (EverReal's input type is spelled `BankIformation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_information: Option<BankInformation>,
    /// Custom fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_values: Option<Vec<CustomFieldValue>>,
}

impl OwnerInput {
    /// An owner with the required fields.
    pub fn new(
        meta: Meta,
        external_owner_id: impl Into<String>,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
    ) -> Self {
        Self {
            meta,
            external_owner_id: external_owner_id.into(),
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
            company_name: None,
            phone_no: None,
            address: None,
            bank_deposit_information: None,
            bank_information: None,
            custom_field_values: None,
        }
    }

    /// Refuses what the server would refuse, before any request.
    pub(crate) fn check(&self) -> Result<(), Error> {
        not_blank("externalOwnerId", &self.external_owner_id)?;
        not_blank("firstName", &self.first_name)?;
        not_blank("lastName", &self.last_name)?;
        not_blank("email", &self.email)
    }
}

/// A postal address of a person (`PersonalAddress`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonalAddress {
    /// Street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_name: Option<String>,
    /// House number, without anything else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_number: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// ISO 3166 alpha-2 country code (`DE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// Where deposits are paid to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BankDepositInformation {
    /// IBAN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    /// BIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
    /// Bank name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    /// Account holder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_holder_name: Option<String>,
}

/// A bank account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BankInformation {
    /// Bank name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    /// Bank address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_address: Option<String>,
    /// BIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
    /// IBAN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
}
