//! The GraphQL data API (`POST /api/reporting/graphql`): fixed documents with fixed selection
//! sets, variables serialized from the typed inputs, and answers whose `errors` become
//! [`Error::GraphQl`] even when `data` is partly filled.

use futures::{Stream, StreamExt as _, TryStreamExt as _, stream};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::hash::{Hash as _, Hasher as _};

use crate::client::{decode_error, read_body};
use crate::data::{
    self, Candidate, CandidatesFilter, Contract, ContractsFilter, ListInput, Listing,
    ListingFilter, OwnerInput, PropertyInput, TenantInput, Unit, UnitInput, UnitsFilter, Upserted,
};
use crate::{Client, Error, GraphQlErrors};

/// The GraphQL endpoint, below the tenant's host.
pub const GRAPHQL_PATH: &str = "/api/reporting/graphql";

/// One fixed GraphQL operation.
pub(crate) struct Operation {
    /// The operation id of the request span.
    pub(crate) name: &'static str,
    /// The root field whose value is the result.
    pub(crate) root: &'static str,
    /// The document, with its selection set.
    pub(crate) document: &'static str,
}

/// The body of every GraphQL request.
#[derive(Serialize)]
struct GraphQlRequest<'a> {
    query: &'a str,
    variables: &'a Value,
}

/// `{name: value}`, the variables of an operation with one argument.
fn variables(name: &str, value: &impl Serialize) -> Result<Value, Error> {
    let value = serde_json::to_value(value)
        .map_err(|_| Error::invalid(format!("`{name}` cannot be encoded as JSON")))?;
    let mut variables = serde_json::Map::new();
    variables.insert(name.to_owned(), value);
    Ok(Value::Object(variables))
}

/// The filters of list queries, with the checks their fields need.
pub(crate) trait Filter: Serialize + Send + Sync {
    /// Refuses bad input before any request.
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl Filter for UnitsFilter {}
impl Filter for ListingFilter {}
impl Filter for CandidatesFilter {}
impl Filter for ContractsFilter {
    fn check(&self) -> Result<(), Error> {
        ContractsFilter::check(self)
    }
}

impl Client {
    /// Runs `operation` with `variables` and decodes `data.<root>` as `T`.
    async fn graphql<T: DeserializeOwned>(
        &self,
        operation: &Operation,
        variables: Value,
    ) -> Result<T, Error> {
        Ok(self.graphql_answer(operation, variables, false).await?.0)
    }

    /// [`Client::graphql`], and with `fingerprint` a hash of `data.<root>` as sent, so a
    /// stream can tell a page that repeats the one before.
    async fn graphql_answer<T: DeserializeOwned>(
        &self,
        operation: &Operation,
        variables: Value,
        fingerprint: bool,
    ) -> Result<(T, Option<u64>), Error> {
        let body = serde_json::to_vec(&GraphQlRequest {
            query: operation.document,
            variables: &variables,
        })
        .map_err(|_| Error::invalid("cannot encode the request"))?;
        let request = self
            .request(reqwest::Method::POST, self.url(GRAPHQL_PATH)?)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body)
            .build()
            .map_err(|e| {
                Error::invalid(format!("cannot build the request: {}", e.without_url()))
            })?;
        let response = match self.send(request, operation.name).await {
            Ok(response) => response,
            // A request the server could not run (a validation error) is a 400 with `errors`.
            Err(Error::Http(sdk_auth::Error::Api { status, body, .. }))
                if status == StatusCode::BAD_REQUEST
                    && let Some(errors) =
                        serde_json::from_slice::<Value>(&body).ok().and_then(|a| {
                            GraphQlErrors::from_answer(status, &a, self.auth().redactor())
                        }) =>
            {
                return Err(Error::GraphQl(errors));
            }
            Err(err) => return Err(err),
        };
        let status = response.status();
        let body = read_body(response).await?;
        let redactor = self.auth().redactor();
        let mut json = serde_json::Deserializer::from_slice(&body);
        let answer: Value = serde_path_to_error::deserialize(&mut json)
            .map_err(|e| decode_error(status, &e, "", &body, redactor))?;
        if let Some(errors) = GraphQlErrors::from_answer(status, &answer, redactor) {
            return Err(Error::GraphQl(errors));
        }
        let Some(result) = answer.get("data").and_then(|d| d.get(operation.root)) else {
            return Err(sdk_auth::Error::decode(
                Some(status),
                format!("no `data.{}` in the answer", operation.root),
                &body,
                redactor,
            )
            .into());
        };
        let hash = fingerprint.then(|| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            result.to_string().hash(&mut hasher);
            hasher.finish()
        });
        let decoded = serde_path_to_error::deserialize(result).map_err(|e| {
            let at = format!("data.{}.", operation.root);
            decode_error(status, &e, &at, &body, redactor)
        })?;
        Ok((decoded, hash))
    }

    /// One page of a list query, how many rows the server sent (null rows included), so a
    /// stream can tell a short page, and a fingerprint of the page as sent.
    async fn list_page<F: Filter, T: DeserializeOwned>(
        &self,
        operation: &Operation,
        input: &ListInput<F>,
    ) -> Result<(Vec<T>, usize, Option<u64>), Error> {
        input.paging.check()?;
        input.filter.check()?;
        if let Some(sort) = &input.sort {
            data::not_blank("sort.fieldName", &sort.field_name)?;
        }
        // GraphQL lists are nullable, and so are their items.
        let (rows, fingerprint): (Option<Vec<Option<T>>>, _) = self
            .graphql_answer(operation, variables("input", input)?, true)
            .await?;
        let rows = rows.unwrap_or_default();
        let sent = rows.len();
        Ok((rows.into_iter().flatten().collect(), sent, fingerprint))
    }

    /// Every row of a list query, page after page from `input.paging`, until a page shorter
    /// than `take`. A full page that repeats the one before (a server that ignores `skip`)
    /// ends the stream with a decode error rather than handing out the same rows forever.
    fn list_stream<'a, F, T>(
        &'a self,
        operation: &'static Operation,
        input: ListInput<F>,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'a
    where
        F: Filter + 'a,
        T: DeserializeOwned + Send + 'a,
    {
        stream::try_unfold(Some((input, None)), move |next| async move {
            let Some((mut input, previous)) = next else {
                return Ok::<_, Error>(None);
            };
            let (rows, sent, fingerprint) = self.list_page::<F, T>(operation, &input).await?;
            if sent > 0 && previous.is_some() && fingerprint == previous {
                return Err(sdk_auth::Error::decode(
                    Some(StatusCode::OK),
                    format!(
                        "the page of `{}` at paging.skip {} repeats the one before: the server \
                         ignores paging.skip",
                        operation.root, input.paging.skip
                    ),
                    b"",
                    self.auth().redactor(),
                )
                .into());
            }
            let take = usize::try_from(input.paging.take).unwrap_or(usize::MAX);
            let following = if sent == 0 || sent < take {
                None
            } else {
                // Past GraphQL's Int range the next page is refused by `Paging::check`.
                input.paging.skip = input.paging.skip.saturating_add(input.paging.take);
                Some((input, fingerprint))
            };
            Ok(Some((stream::iter(rows.into_iter().map(Ok)), following)))
        })
        .try_flatten()
        .boxed()
    }

    /// One page of units (`units`).
    ///
    /// ```no_run
    /// use everreal_sdk::data::{ListInput, Paging, UnitsFilter};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let filter = UnitsFilter { has_listing: Some(true), ..Default::default() };
    /// let units = client.units_page(&ListInput::new(filter).paging(Paging::first(50))).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Bad paging before any request, the call's [`Error`], or [`Error::GraphQl`].
    pub async fn units_page(&self, input: &ListInput<UnitsFilter>) -> Result<Vec<Unit>, Error> {
        Ok(self.list_page(&data::UNITS, input).await?.0)
    }

    /// Every unit matching `input.filter`, fetched page after page as the stream is polled.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use everreal_sdk::data::{ListInput, UnitsFilter};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let units: Vec<_> = client.units(ListInput::new(UnitsFilter::default())).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn units(
        &self,
        input: ListInput<UnitsFilter>,
    ) -> impl Stream<Item = Result<Unit, Error>> + Send + '_ {
        self.list_stream(&data::UNITS, input)
    }

    /// One page of listings (`listings`).
    ///
    /// ```no_run
    /// use everreal_sdk::data::{ListInput, ListingFilter};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let active = ListingFilter { is_active: Some(true), is_archived: Some(false) };
    /// let listings = client.listings_page(&ListInput::new(active)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Bad paging before any request, the call's [`Error`], or [`Error::GraphQl`].
    pub async fn listings_page(
        &self,
        input: &ListInput<ListingFilter>,
    ) -> Result<Vec<Listing>, Error> {
        Ok(self.list_page(&data::LISTINGS, input).await?.0)
    }

    /// Every listing matching `input.filter`, fetched page after page.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use everreal_sdk::data::{ListInput, ListingFilter};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let all: Vec<_> = client.listings(ListInput::new(ListingFilter::default())).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn listings(
        &self,
        input: ListInput<ListingFilter>,
    ) -> impl Stream<Item = Result<Listing, Error>> + Send + '_ {
        self.list_stream(&data::LISTINGS, input)
    }

    /// One page of candidates (`candidates`).
    ///
    /// ```no_run
    /// use everreal_sdk::data::{CandidatesFilter, ListInput};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let candidates = client.candidates_page(&ListInput::new(CandidatesFilter::default())).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Bad paging before any request, the call's [`Error`], or [`Error::GraphQl`].
    pub async fn candidates_page(
        &self,
        input: &ListInput<CandidatesFilter>,
    ) -> Result<Vec<Candidate>, Error> {
        Ok(self.list_page(&data::CANDIDATES, input).await?.0)
    }

    /// Every candidate matching `input.filter`, fetched page after page.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use everreal_sdk::data::{CandidatesFilter, ListInput};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let all: Vec<_> = client.candidates(ListInput::new(CandidatesFilter::default())).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn candidates(
        &self,
        input: ListInput<CandidatesFilter>,
    ) -> impl Stream<Item = Result<Candidate, Error>> + Send + '_ {
        self.list_stream(&data::CANDIDATES, input)
    }

    /// One page of contracts (`contracts`).
    ///
    /// ```no_run
    /// use everreal_sdk::data::{ContractsFilter, ListInput};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let since = ContractsFilter { from: Some("2024-01-01".into()), ..Default::default() };
    /// let contracts = client.contracts_page(&ListInput::new(since)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Bad paging or dates before any request, the call's [`Error`], or [`Error::GraphQl`].
    pub async fn contracts_page(
        &self,
        input: &ListInput<ContractsFilter>,
    ) -> Result<Vec<Contract>, Error> {
        Ok(self.list_page(&data::CONTRACTS, input).await?.0)
    }

    /// Every contract matching `input.filter`, fetched page after page.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use everreal_sdk::data::{ContractsFilter, ListInput};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let all: Vec<_> = client.contracts(ListInput::new(ContractsFilter::default())).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn contracts(
        &self,
        input: ListInput<ContractsFilter>,
    ) -> impl Stream<Item = Result<Contract, Error>> + Send + '_ {
        self.list_stream(&data::CONTRACTS, input)
    }

    /// Creates or updates an owner, keyed by its external id (`upsertOwner`).
    ///
    /// ```no_run
    /// use everreal_sdk::data::{Meta, OwnerInput};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let owner = OwnerInput::new(Meta::new("ACME_ERP")?, "O-1", "Ivana", "Maric", "ivana@acme.example");
    /// let id = client.upsert_owner(&owner).await?.id;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A blank required field before any request, the call's [`Error`], or
    /// [`Error::GraphQl`].
    pub async fn upsert_owner(&self, owner: &OwnerInput) -> Result<Upserted, Error> {
        owner.check()?;
        self.graphql(&data::UPSERT_OWNER, variables("owner", owner)?)
            .await
    }

    /// Creates or updates a property, keyed by its external id (`upsertProperty`).
    ///
    /// ```no_run
    /// use everreal_sdk::data::{AddressInput, Meta, PropertyInput};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let address = AddressInput::new("Villenallee", "21", "40211", "Düsseldorf", "DE");
    /// let property = PropertyInput::new(Meta::new("ACME_ERP")?, "P-3", "Villenallee 21", address);
    /// let id = client.upsert_property(&property).await?.id;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Bad input before any request (a blank field, a country that is not an alpha-2 code,
    /// an individual ownership without owner), the call's [`Error`], or [`Error::GraphQl`].
    pub async fn upsert_property(&self, property: &PropertyInput) -> Result<Upserted, Error> {
        property.check()?;
        self.graphql(&data::UPSERT_PROPERTY, variables("property", property)?)
            .await
    }

    /// Creates or updates a unit, keyed by its external id (`upsertUnit`).
    ///
    /// ```no_run
    /// use everreal_sdk::data::{Meta, PropertyRef, UnitInput};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let unit = UnitInput::new(Meta::new("ACME_ERP")?, "U-17", PropertyRef::External("P-3".into()));
    /// let id = client.upsert_unit(&unit).await?.id;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Bad input before any request, the call's [`Error`], or [`Error::GraphQl`].
    pub async fn upsert_unit(&self, unit: &UnitInput) -> Result<Upserted, Error> {
        unit.check()?;
        self.graphql(&data::UPSERT_UNIT, variables("unit", unit)?)
            .await
    }

    /// Creates or updates a tenant, keyed by its external id (`upsertTenant`).
    ///
    /// ```no_run
    /// use everreal_sdk::data::{Meta, TenantInput, UnitRef};
    /// # async fn demo(client: everreal_sdk::Client) -> Result<(), everreal_sdk::Error> {
    /// let mut tenant = TenantInput::new(Meta::new("ACME_ERP")?, "T-1001", UnitRef::External("U-17".into()), "Max", "Mustermann");
    /// tenant.cold_rent = Some("850.00".into());
    /// let id = client.upsert_tenant(&tenant).await?.id;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Bad input before any request (a blank field, an amount with a decimal comma, a date
    /// of another shape), the call's [`Error`], or [`Error::GraphQl`].
    pub async fn upsert_tenant(&self, tenant: &TenantInput) -> Result<Upserted, Error> {
        tenant.check()?;
        self.graphql(&data::UPSERT_TENANT, variables("tenant", tenant)?)
            .await
    }
}
