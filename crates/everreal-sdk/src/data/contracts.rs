//! Contracts: the `contracts` query.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{Reference, check_date, check_opt};
use crate::Error;
use crate::graphql::Operation;
use crate::lenient;
use crate::webhooks::ContractFlowType;

/// `contracts(input: ContractsFilterListPaging): [Contract]`.
pub(crate) const CONTRACTS: Operation = Operation {
    name: "contracts",
    root: "contracts",
    document: "query Contracts($input: ContractsFilterListPaging) {
  contracts(input: $input) {
    id startDate endDate contractFlowType status tenantFullNames versions
    contractDataString createdAt updatedAt
    contractData {
      terms {
        rent deposit heatingCosts utilityCosts totalMonthlyRent
        contractStartDate contractEndDate
      }
    }
    candidate { id }
    units { id }
    tenants { id }
  }
}",
};

/// Which contracts to list (`ListContractFilter`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContractsFilter {
    /// One contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The contracts of one company.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    /// The contracts of one property group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property_group_id: Option<String>,
    /// The contracts of one property.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property_id: Option<String>,
    /// Status (values undocumented).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// From this date (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Up to this date (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

impl ContractsFilter {
    /// Refuses dates of another shape before any request.
    pub(crate) fn check(&self) -> Result<(), Error> {
        check_opt(&self.from, |d| check_date("filter.from", d, false))?;
        check_opt(&self.to, |d| check_date("filter.to", d, false))
    }
}

/// A rental contract as the `contracts` query returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Contract {
    /// EverReal id (the one `removeContract` takes).
    pub id: String,
    /// Start (a date, as sent).
    #[serde(default)]
    pub start_date: Option<String>,
    /// End (a date, as sent).
    #[serde(default)]
    pub end_date: Option<String>,
    /// How it is signed.
    #[serde(default)]
    pub contract_flow_type: Option<ContractFlowType>,
    /// Status (values undocumented).
    #[serde(default)]
    pub status: Option<String>,
    /// The tenants' names in one line.
    #[serde(default)]
    pub tenant_full_names: Option<String>,
    /// Earlier versions, as JSON.
    #[serde(default)]
    pub versions: Option<Vec<Value>>,
    /// The contract data as a JSON string.
    #[serde(default)]
    pub contract_data_string: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The terms.
    #[serde(default)]
    pub contract_data: Option<ContractData>,
    /// The candidate who became the tenant.
    #[serde(default)]
    pub candidate: Option<Reference>,
    /// The units rented.
    #[serde(default)]
    pub units: Option<Vec<Reference>>,
    /// The tenants.
    #[serde(default)]
    pub tenants: Option<Vec<Reference>>,
}

/// The data of a contract.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContractData {
    /// The terms.
    #[serde(default)]
    pub terms: Option<ContractTerms>,
}

/// The terms of a contract (numbers here, unlike the strings of tenant upserts).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContractTerms {
    /// Cold rent.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub rent: Option<f64>,
    /// Deposit.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub deposit: Option<f64>,
    /// Heating costs.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub heating_costs: Option<f64>,
    /// Utility costs.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub utility_costs: Option<f64>,
    /// Total monthly rent.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub total_monthly_rent: Option<f64>,
    /// Start (a date, as sent).
    #[serde(default)]
    pub contract_start_date: Option<String>,
    /// End (a date, as sent).
    #[serde(default)]
    pub contract_end_date: Option<String>,
}
