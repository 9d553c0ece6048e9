//! Tenants: the `upsertTenant` mutation.

use schemars::JsonSchema;
use serde::Serialize;

use super::common::{
    CustomFieldValue, Meta, UnitRef, check_date, check_money, check_opt, not_blank,
};
use crate::Error;
use crate::graphql::Operation;

/// `upsertTenant(tenant: TenantInput): Tenant`, selecting the id.
pub(crate) const UPSERT_TENANT: Operation = Operation {
    name: "upsertTenant",
    root: "upsertTenant",
    document: "mutation UpsertTenant($tenant: TenantInput!) {
  upsertTenant(tenant: $tenant) { id }
}",
};

/// A tenant to create or update (`TenantInput`), keyed by `externalTenantId`. Its contract
/// dates drive the unit's leasing status.
///
/// Amounts are strings with a decimal point (`"850.00"`), dates `YYYY-MM-DD` or `DD.MM.YYYY`;
/// both are checked before the request.
///
/// ```
/// use everreal_sdk::data::{Meta, TenantInput, UnitRef};
/// let mut tenant = TenantInput::new(Meta::new("ACME_ERP")?, "T-1001", UnitRef::External("U-17".into()), "Max", "Mustermann");
/// tenant.cold_rent = Some("850.00".into());
/// tenant.contract_start_date = Some("2024-05-01".into());
/// assert_eq!(serde_json::to_value(&tenant).unwrap()["externalUnitId"], "U-17");
/// # Ok::<(), everreal_sdk::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantInput {
    /// The integration source.
    pub meta: Meta,
    /// The integration's id of the tenant: same id, same tenant.
    pub external_tenant_id: String,
    /// The EverReal id, to give an existing tenant a new external id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The unit: `unitId` or `externalUnitId`.
    #[serde(flatten)]
    pub unit: UnitRef,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Company name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Mobile phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell_phone_number: Option<String>,
    /// Further tenants of the same contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_tenants: Option<Vec<AdditionalTenant>>,
    /// Cold rent, as `"850.00"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cold_rent: Option<String>,
    /// Service charges, as `"180.00"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_charges: Option<String>,
    /// Heating costs, as `"90.00"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heating_costs: Option<String>,
    /// Total rent, as `"1120.00"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_rent: Option<String>,
    /// Security deposit, as `"2550.00"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_deposit: Option<String>,
    /// Contract start, `YYYY-MM-DD` or `DD.MM.YYYY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_start_date: Option<String>,
    /// Contract end, `YYYY-MM-DD` or `DD.MM.YYYY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_end_date: Option<String>,
    /// Termination date, `YYYY-MM-DD` or `DD.MM.YYYY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_date: Option<String>,
    /// Custom fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_values: Option<Vec<CustomFieldValue>>,
}

/// A further tenant of the same contract.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdditionalTenant {
    /// The integration's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

impl TenantInput {
    /// A tenant with the required fields.
    pub fn new(
        meta: Meta,
        external_tenant_id: impl Into<String>,
        unit: UnitRef,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
    ) -> Self {
        Self {
            meta,
            external_tenant_id: external_tenant_id.into(),
            id: None,
            unit,
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: None,
            company_name: None,
            phone_number: None,
            cell_phone_number: None,
            additional_tenants: None,
            cold_rent: None,
            service_charges: None,
            heating_costs: None,
            total_rent: None,
            security_deposit: None,
            contract_start_date: None,
            contract_end_date: None,
            termination_date: None,
            custom_field_values: None,
        }
    }

    /// Refuses what the server would refuse or store wrong, before any request.
    pub(crate) fn check(&self) -> Result<(), Error> {
        not_blank("externalTenantId", &self.external_tenant_id)?;
        not_blank("firstName", &self.first_name)?;
        not_blank("lastName", &self.last_name)?;
        self.unit.check()?;
        for (field, value) in [
            ("coldRent", &self.cold_rent),
            ("serviceCharges", &self.service_charges),
            ("heatingCosts", &self.heating_costs),
            ("totalRent", &self.total_rent),
            ("securityDeposit", &self.security_deposit),
        ] {
            check_opt(value, |v| check_money(field, v))?;
        }
        for (field, value) in [
            ("contractStartDate", &self.contract_start_date),
            ("contractEndDate", &self.contract_end_date),
            ("terminationDate", &self.termination_date),
        ] {
            check_opt(value, |v| check_date(field, v, true))?;
        }
        Ok(())
    }
}
