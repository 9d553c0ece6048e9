//! The GraphQL data API against httpmock: each request's `query` names its root field and its
//! `variables` are exactly the typed input; the paging stream; GraphQL errors.

mod common;

use common::{client, graphql, password_grant};
use everreal_sdk::data::{
    AddressInput, CandidatesFilter, ContractsFilter, ListInput, ListingFilter, Meta, OwnerInput,
    OwnerRef, Paging, PropertyInput, PropertyRef, Sort, TenantInput, UnitInput, UnitRef,
    UnitsFilter,
};
use everreal_sdk::webhooks::ContractFlowType;
use everreal_sdk::{Error, HttpError, PathSegment};
use futures::TryStreamExt as _;
use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::{Value, json};

fn unit(id: usize) -> Value {
    json!({"id": format!("unit-{id}"), "name": format!("WE {id}"), "livingSurface": 71.5,
           "rooms": {"rooms": 2.5}, "type": "APARTMENT", "category": "RESIDENTIAL_PLUS",
           "currentRent": "850.00", "somethingNew": {"x": 1}})
}

fn units_variables(skip: u32, take: u32) -> Value {
    json!({"input": {
        "filter": {"propertyId": "p-1", "hasListing": true},
        "paging": {"skip": skip, "take": take},
        "sort": {"fieldName": "name", "direction": "ASC"}
    }})
}

fn units_input(take: u32) -> ListInput<UnitsFilter> {
    ListInput::new(UnitsFilter {
        property_id: Some("p-1".into()),
        has_listing: Some(true),
        ..Default::default()
    })
    .paging(Paging::first(take))
    .sort(Sort::asc("name"))
}

#[tokio::test]
async fn units_page_sends_the_typed_input_and_decodes_leniently() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    let page = graphql(
        &server,
        "units",
        units_variables(0, 2),
        json!({"data": {"units": [unit(1), null]}}),
    )
    .await;
    let units = client(&server)
        .units_page(&units_input(2))
        .await
        .expect("units");
    page.assert_calls_async(1).await;
    assert_eq!(units.len(), 1, "a null row is dropped");
    let first = &units[0];
    assert_eq!(first.id, "unit-1");
    assert_eq!(first.rooms.as_ref().and_then(|r| r.rooms), Some(2.5));
    assert_eq!(first.current_rent, Some(850.0), "a numeric string");
    assert_eq!(
        first.category,
        Some(everreal_sdk::data::UnitCategory::Other(
            "RESIDENTIAL_PLUS".into()
        ))
    );
}

#[tokio::test]
async fn the_units_stream_pages_until_a_short_page() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    let first = graphql(
        &server,
        "units",
        units_variables(0, 2),
        json!({"data": {"units": [unit(1), unit(2)]}}),
    )
    .await;
    let second = graphql(
        &server,
        "units",
        units_variables(2, 2),
        json!({"data": {"units": [unit(3), unit(4)]}}),
    )
    .await;
    let last = graphql(
        &server,
        "units",
        units_variables(4, 2),
        json!({"data": {"units": [unit(5)]}}),
    )
    .await;
    let beyond = graphql(
        &server,
        "units",
        units_variables(6, 2),
        json!({"data": {"units": []}}),
    )
    .await;
    let client = client(&server);
    let ids: Vec<String> = client
        .units(units_input(2))
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .expect("every unit");
    assert_eq!(ids, ["unit-1", "unit-2", "unit-3", "unit-4", "unit-5"]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    last.assert_calls_async(1).await;
    beyond.assert_calls_async(0).await;
}

#[tokio::test]
async fn an_empty_full_page_count_ends_the_stream_too() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    let first = graphql(
        &server,
        "units",
        units_variables(0, 2),
        json!({"data": {"units": [unit(1), unit(2)]}}),
    )
    .await;
    let empty = graphql(
        &server,
        "units",
        units_variables(2, 2),
        json!({"data": {"units": null}}),
    )
    .await;
    let n = client(&server)
        .units(units_input(2))
        .try_collect::<Vec<_>>()
        .await
        .expect("units")
        .len();
    assert_eq!(n, 2);
    first.assert_calls_async(1).await;
    empty.assert_calls_async(1).await;
}

#[tokio::test]
async fn listings_candidates_and_contracts() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    let listings = graphql(
        &server,
        "listings",
        json!({"input": {"filter": {"isActive": true, "isArchived": false}, "paging": {"skip": 0, "take": 100}}}),
        json!({"data": {"listings": [{
            "id": "l-1", "title": "2-Zimmer-Wohnung", "type": "RENT_APARTMENT", "isActive": true,
            "contractDetails": {"currency": "EUR", "rent": 850.0, "totalMonthlyRent": "1120.00"},
            "property": {"fullAddress": "Villenallee 21, 40211 Düsseldorf"},
            "unit": {"livingSurface": 71.5, "rooms": {"rooms": 2}},
            "amenities": {"amenitiesIncluded": ["BALCONY_OR_TERRACE", "SAUNA"]},
            "pictures": [{"resourcePath": "acme/l-1/1.jpg"}]
        }]}}),
    )
    .await;
    let candidates = graphql(
        &server,
        "candidates",
        json!({"input": {"filter": {"listingId": "l-1"}, "paging": {"skip": 0, "take": 10}}}),
        json!({"data": {"candidates": [{
            "id": "c-1", "email": "max@example.org", "listingId": "l-1", "rating": 4.5,
            "scheduledStatus": "SCHEDULED", "applications": [{"id": "a-1", "isMainCandidate": true}]
        }]}}),
    )
    .await;
    let contracts = graphql(
        &server,
        "contracts",
        json!({"input": {"filter": {"from": "2024-01-01"}, "paging": {"skip": 0, "take": 100}, "sort": {"fieldName": "startDate", "direction": "DESC"}}}),
        json!({"data": {"contracts": [{
            "id": "k-1", "contractFlowType": "ELECTRONIC_SIGNATURE_QES", "status": "SIGNED",
            "contractData": {"terms": {"rent": 850, "deposit": 2550, "contractStartDate": "2024-05-01"}},
            "units": [{"id": "unit-1"}], "tenants": [{"id": "t-1"}], "versions": [{"v": 1}]
        }]}}),
    )
    .await;
    let client = client(&server);

    let found = client
        .listings_page(&ListInput::new(ListingFilter {
            is_active: Some(true),
            is_archived: Some(false),
        }))
        .await
        .expect("listings");
    assert_eq!(
        found[0]
            .contract_details
            .as_ref()
            .and_then(|d| d.total_monthly_rent),
        Some(1120.0)
    );
    let amenities = found[0]
        .amenities
        .as_ref()
        .and_then(|a| a.amenities_included.clone());
    assert_eq!(amenities.map(|a| a[1].to_string()), Some("SAUNA".into()));

    let people = client
        .candidates_page(
            &ListInput::new(CandidatesFilter {
                listing_id: Some("l-1".into()),
            })
            .paging(Paging::first(10)),
        )
        .await
        .expect("candidates");
    assert_eq!(
        people[0].scheduled_status,
        Some(everreal_sdk::data::CandidateScheduledStatus::Scheduled)
    );

    let signed = client
        .contracts_page(
            &ListInput::new(ContractsFilter {
                from: Some("2024-01-01".into()),
                ..Default::default()
            })
            .sort(Sort::desc("startDate")),
        )
        .await
        .expect("contracts");
    assert_eq!(
        signed[0].contract_flow_type,
        Some(ContractFlowType::ElectronicSignatureQes)
    );
    let terms = signed[0]
        .contract_data
        .as_ref()
        .and_then(|d| d.terms.as_ref());
    assert_eq!(terms.and_then(|t| t.deposit), Some(2550.0));

    listings.assert_calls_async(1).await;
    candidates.assert_calls_async(1).await;
    contracts.assert_calls_async(1).await;
}

#[tokio::test]
async fn upserts_send_their_inputs_as_variables() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    let meta = || Meta::new("ACME_ERP").expect("meta");
    let owner_mock = graphql(
        &server,
        "upsertOwner",
        json!({"owner": {"meta": {"source": "ACME_ERP"}, "externalOwnerId": "91001+002242",
            "firstName": "Ivana", "lastName": "Maric", "email": "ivana@acme.example",
            "companyName": "Acme GmbH"}}),
        json!({"data": {"upsertOwner": {"id": "o-uuid"}}}),
    )
    .await;
    let property_mock = graphql(
        &server,
        "upsertProperty",
        json!({"property": {"meta": {"source": "ACME_ERP"}, "externalPropertyId": "P-3",
            "name": "Villenallee 21",
            "address": {"streetName": "Villenallee", "streetNumber": "21", "zipCode": "40211",
                        "city": "Düsseldorf", "country": "DE", "location": {"lat": 51.2, "lng": 6.8}},
            "type": "BUILDING", "subtype": "BUILDING", "category": "RESIDENTIAL_AND_COMMERCIAL",
            "ownershipType": "INDIVIDUAL", "externalOwnerId": "91001+002242", "yearBuilt": 1910}}),
        json!({"data": {"upsertProperty": {"id": "p-uuid"}}}),
    )
    .await;
    let unit_mock = graphql(
        &server,
        "upsertUnit",
        json!({"unit": {"meta": {"source": "ACME_ERP"}, "externalUnitId": "U-17",
            "externalPropertyId": "P-3", "category": "RESIDENTIAL", "type": "APARTMENT",
            "subtype": "NO_INFORMATION", "mainStorage": false, "floorNo": 2,
            "financingType": "PRIVATELY_FINANCED", "livingSurface": 71.5,
            "rooms": {"rooms": 2.5, "bathrooms": 1.0}, "availableFrom": "2024-06-01"}}),
        json!({"data": {"upsertUnit": {"id": "u-uuid"}}}),
    )
    .await;
    let tenant_mock = graphql(
        &server,
        "upsertTenant",
        json!({"tenant": {"meta": {"source": "ACME_ERP"}, "externalTenantId": "T-1001",
            "externalUnitId": "U-17", "firstName": "Max", "lastName": "Mustermann",
            "email": "max@example.org", "coldRent": "850.00", "serviceCharges": "180.00",
            "heatingCosts": "90.00", "totalRent": "1120.00", "securityDeposit": "2550.00",
            "contractStartDate": "2024-05-01", "terminationDate": "31.12.2025"}}),
        json!({"data": {"upsertTenant": {"id": "t-uuid"}}}),
    )
    .await;
    let client = client(&server);

    let mut owner = OwnerInput::new(
        meta(),
        "91001+002242",
        "Ivana",
        "Maric",
        "ivana@acme.example",
    );
    owner.company_name = Some("Acme GmbH".into());
    assert_eq!(
        client.upsert_owner(&owner).await.expect("owner").id,
        "o-uuid"
    );

    let mut address = AddressInput::new("Villenallee", "21", "40211", "Düsseldorf", "DE");
    address.location = Some(everreal_sdk::data::GeoLocation {
        lat: 51.2,
        lng: 6.8,
    });
    let mut property = PropertyInput::new(meta(), "P-3", "Villenallee 21", address);
    property.ownership_type = everreal_sdk::data::OwnershipType::Individual;
    property.owner = Some(OwnerRef::External("91001+002242".into()));
    property.year_built = Some(1910);
    assert_eq!(
        client
            .upsert_property(&property)
            .await
            .expect("property")
            .id,
        "p-uuid"
    );

    let mut unit = UnitInput::new(meta(), "U-17", PropertyRef::External("P-3".into()));
    unit.floor_no = 2;
    unit.living_surface = Some(71.5);
    unit.rooms = Some(everreal_sdk::data::RoomsInput {
        rooms: Some(2.5),
        bathrooms: Some(1.0),
        bedrooms: None,
    });
    unit.available_from = Some("2024-06-01".into());
    assert_eq!(client.upsert_unit(&unit).await.expect("unit").id, "u-uuid");

    let mut tenant = TenantInput::new(
        meta(),
        "T-1001",
        UnitRef::External("U-17".into()),
        "Max",
        "Mustermann",
    );
    tenant.email = Some("max@example.org".into());
    tenant.cold_rent = Some("850.00".into());
    tenant.service_charges = Some("180.00".into());
    tenant.heating_costs = Some("90.00".into());
    tenant.total_rent = Some("1120.00".into());
    tenant.security_deposit = Some("2550.00".into());
    tenant.contract_start_date = Some("2024-05-01".into());
    tenant.termination_date = Some("31.12.2025".into());
    assert_eq!(
        client.upsert_tenant(&tenant).await.expect("tenant").id,
        "t-uuid"
    );

    owner_mock.assert_calls_async(1).await;
    property_mock.assert_calls_async(1).await;
    unit_mock.assert_calls_async(1).await;
    tenant_mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn graphql_errors_in_a_200_are_a_typed_error_even_with_partial_data() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    graphql(
        &server,
        "units",
        units_variables(0, 2),
        json!({
            "errors": [{"message": "Not authorised to read owner", "path": ["units", 1, "owner"],
                        "extensions": {"code": "FORBIDDEN"}, "locations": [{"line": 9, "column": 5}]}],
            "data": {"units": [unit(1), {"id": "unit-2", "owner": null}]}
        }),
    )
    .await;
    let err = client(&server)
        .units_page(&units_input(2))
        .await
        .expect_err("a partial answer is an error");
    let Error::GraphQl(errors) = &err else {
        panic!("expected GraphQL errors, got {err:?}");
    };
    assert_eq!(errors.status.as_u16(), 200);
    let [first] = &errors.errors[..] else {
        panic!("one error: {errors:?}");
    };
    assert_eq!(first.message, "Not authorised to read owner");
    assert_eq!(
        first.path,
        [
            PathSegment::Field("units".into()),
            PathSegment::Index(1),
            PathSegment::Field("owner".into())
        ]
    );
    assert_eq!(first.code.as_deref(), Some("FORBIDDEN"));
    assert!(errors.partial_data.is_some());
    assert_eq!(
        err.to_string(),
        "GraphQL error: Not authorised to read owner at units.1.owner (FORBIDDEN)"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_400_with_graphql_errors_is_a_typed_error_and_other_failures_stay_http() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/reporting/graphql")
                .body_includes("upsertOwner(");
            then.status(400).json_body(json!({"errors": [{
                "message": "Cannot query field \"x\" on type \"Owner\".",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/reporting/graphql")
                .body_includes("units(");
            then.status(502).body("<html>bad gateway</html>");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/reporting/graphql")
                .body_includes("listings(");
            then.status(200)
                .json_body(json!({"data": {"somethingElse": []}}));
        })
        .await;
    let client = client(&server);
    let owner = OwnerInput::new(
        Meta::new("ERP").expect("meta"),
        "O-1",
        "A",
        "B",
        "a@b.example",
    );
    let err = client.upsert_owner(&owner).await.expect_err("400");
    assert_eq!(err.graphql().map(|e| e.status.as_u16()), Some(400));
    assert_eq!(
        err.graphql().map(|e| e.codes().collect::<Vec<_>>()),
        Some(vec!["GRAPHQL_VALIDATION_FAILED"])
    );

    let err = client.units_page(&units_input(2)).await.expect_err("502");
    assert!(
        matches!(&err, Error::Http(HttpError::Api { .. })),
        "{err:?}"
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));

    let err = client
        .listings_page(&ListInput::new(ListingFilter::default()))
        .await
        .expect_err("no data.listings");
    assert!(
        matches!(&err, Error::Http(HttpError::Decode { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("data.listings"), "{err}");
}

#[tokio::test]
async fn a_row_of_the_wrong_shape_names_its_path_without_its_value() {
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    graphql(
        &server,
        "units",
        units_variables(0, 2),
        json!({"data": {"units": [unit(1), {"id": {"secretish": "value-of-row-two"}}]}}),
    )
    .await;
    let err = client(&server)
        .units_page(&units_input(2))
        .await
        .expect_err("bad row");
    let shown = err.to_string();
    assert!(
        matches!(&err, Error::Http(HttpError::Decode { .. })),
        "{err:?}"
    );
    assert!(shown.contains("data.units.[1].id"), "{shown}");
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let token = password_grant(&server).await;
    let api = server
        .mock_async(|when, then| {
            when.path("/api/reporting/graphql");
            then.status(200).json_body(json!({"data": {}}));
        })
        .await;
    let client = client(&server);
    let meta = Meta::new("ERP").expect("meta");
    assert!(Meta::new("").is_err());
    assert!(Meta::new("   ").is_err());

    let mut bad_money = TenantInput::new(meta.clone(), "T-1", UnitRef::Id("u".into()), "Max", "M");
    bad_money.cold_rent = Some("850,00".into());
    let mut bad_date = TenantInput::new(meta.clone(), "T-1", UnitRef::Id("u".into()), "Max", "M");
    bad_date.contract_start_date = Some("1.5.2024".into());
    let blank_unit = TenantInput::new(
        meta.clone(),
        "T-1",
        UnitRef::External(" ".into()),
        "Max",
        "M",
    );
    let mut lonely = PropertyInput::new(
        meta.clone(),
        "P-1",
        "Haus",
        AddressInput::new("Weg", "1", "10115", "Berlin", "DE"),
    );
    lonely.ownership_type = everreal_sdk::data::OwnershipType::Individual;
    let bad_country = PropertyInput::new(
        meta.clone(),
        "P-1",
        "Haus",
        AddressInput::new("Weg", "1", "10115", "Berlin", "Germany"),
    );
    let blank_owner = OwnerInput::new(meta.clone(), "", "A", "B", "a@b.example");
    let mut bad_available = UnitInput::new(meta, "U-1", PropertyRef::Id("p".into()));
    bad_available.available_from = Some("01.06.2024".into());
    let bad_contract_filter = ListInput::new(ContractsFilter {
        to: Some("soon".into()),
        ..Default::default()
    });

    let errors = [
        client.upsert_tenant(&bad_money).await.expect_err("money"),
        client.upsert_tenant(&bad_date).await.expect_err("date"),
        client.upsert_tenant(&blank_unit).await.expect_err("unit"),
        client.upsert_property(&lonely).await.expect_err("owner"),
        client
            .upsert_property(&bad_country)
            .await
            .expect_err("country"),
        client.upsert_owner(&blank_owner).await.expect_err("id"),
        client
            .upsert_unit(&bad_available)
            .await
            .expect_err("available"),
        client
            .units_page(&units_input(0))
            .await
            .expect_err("take 0"),
        client
            .units_page(&units_input(2).sort(Sort::asc(" ")))
            .await
            .expect_err("sort"),
        client
            .contracts_page(&bad_contract_filter)
            .await
            .expect_err("to"),
        client
            .units(units_input(0))
            .try_collect::<Vec<_>>()
            .await
            .expect_err("stream take 0"),
    ];
    for err in errors {
        assert!(
            matches!(err, Error::Http(HttpError::InvalidRequest(_))),
            "{err:?}"
        );
    }
    api.assert_calls_async(0).await;
    token.assert_calls_async(0).await;
}

/// A 429 waits the `X-RateLimit-Reset` seconds, then the query (a POST) is sent again; the
/// quota of the last answer is visible to the caller.
#[tokio::test]
async fn a_429_waits_the_reset_seconds_then_the_query_is_sent_again() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let limited = server
        .mock_async(move |when, then| {
            when.method(POST)
                .path("/api/reporting/graphql")
                .is_true(move |_| counted.fetch_add(1, Ordering::SeqCst) == 0);
            then.status(429)
                .header("x-ratelimit-limit", "300")
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", "1");
        })
        .await;
    let answered = server
        .mock_async(|when, then| {
            when.method(POST).path("/api/reporting/graphql");
            then.status(200)
                .header("x-ratelimit-limit", "300")
                .header("x-ratelimit-remaining", "299")
                .header("x-ratelimit-reset", "60")
                .json_body(json!({"data": {"units": [unit(1)]}}));
        })
        .await;
    let client = client(&server);
    let started = std::time::Instant::now();
    let units = client
        .units_page(&units_input(5))
        .await
        .expect("after the wait");
    assert_eq!(units.len(), 1);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "waited only {:?}",
        started.elapsed()
    );
    limited.assert_calls_async(1).await;
    answered.assert_calls_async(1).await;
    let quota = client.rate_limit().expect("seen");
    assert_eq!((quota.limit, quota.remaining), (Some(300), Some(299)));
}

/// A server that ignores `skip` answers every page with the first one: the stream must stop
/// with an error instead of handing out the same rows again and again, without end.
#[tokio::test]
async fn a_server_that_ignores_skip_ends_the_stream_with_an_error() {
    use futures::StreamExt as _;
    let server = MockServer::start_async().await;
    password_grant(&server).await;
    let same_page = server
        .mock_async(|when, then| {
            when.method(POST).path("/api/reporting/graphql");
            then.status(200)
                .json_body(json!({"data": {"units": [unit(1), unit(2)]}}));
        })
        .await;
    let client = client(&server);
    let items: Vec<_> = client.units(units_input(2)).take(10).collect().await;
    let ids: Vec<String> = items
        .iter()
        .filter_map(|item| item.as_ref().ok().map(|u| u.id.clone()))
        .collect();
    assert_eq!(ids, ["unit-1", "unit-2"], "no row is handed out twice");
    let err = items
        .iter()
        .find_map(|item| item.as_ref().err())
        .expect("the stream ends with an error");
    assert!(
        matches!(err, Error::Http(HttpError::Decode { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("skip"), "{err}");
    same_page.assert_calls_async(2).await;
}
