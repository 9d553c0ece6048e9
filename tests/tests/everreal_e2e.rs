//! The EverReal SDK against the sandbox's EverReal: the password grant and `users/me`, the token
//! flow under stress (an access token that expires mid-run, renewed with the refresh grant; a
//! refresh token that is revoked or expired, a new password sign-in), the authorization-code
//! flow end to end, GraphQL paging, upserts and errors, the rate limit, webhooks, token info and
//! revocation, and the `first_units` example.

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime};

use everreal_sdk::data::{
    AddressInput, CandidatesFilter, ContractsFilter, ListInput, ListingFilter, Meta, OwnerInput,
    OwnerRef, Paging, PropertyInput, PropertyRef, PropertyType, TenantInput, UnitInput, UnitRef,
    UnitsFilter,
};
use everreal_sdk::webhooks::{self, WebhookEvent};
use everreal_sdk::{
    AuthError, Client, ClientBuilder, Error, ExposeSecret as _, HttpError, RetryPolicy,
    WebhookEventType,
};
use futures::TryStreamExt as _;
use sdk_sandbox::{ForcedFailure, RunningSandbox, Sandbox};
use sdk_tour::WebhookReceiver;

/// Units the sandbox seeds: six for each of four properties.
const SEEDED_UNITS: usize = 24;

async fn sandbox() -> RunningSandbox {
    Sandbox::builder()
        .everreal_delivery_interval(None)
        .start()
        .await
        .expect("sandbox")
}

/// A builder pointed at the sandbox, with retries fast enough for tests.
fn builder(sandbox: &RunningSandbox) -> ClientBuilder {
    Client::builder()
        .base_url(sandbox.everreal_url())
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(10)))
}

/// The password-grant client a user builds from the sandbox's demo credentials.
fn password_client(sandbox: &RunningSandbox) -> Client {
    let (user, password, client_id, client_secret) = sandbox.everreal_credentials();
    builder(sandbox)
        .credentials(client_id, client_secret)
        .user(user, password)
        .build()
        .expect("client")
}

#[tokio::test]
async fn the_password_grant_signs_in_and_users_me_says_who_and_where() {
    let sandbox = sandbox().await;
    let client = password_client(&sandbox);
    let me = client.users_me().await.expect("users/me");
    let (user, _, client_id, _) = sandbox.everreal_credentials();
    assert_eq!(me.email.as_deref(), Some(user));
    assert_eq!(me.id.len(), 36, "a UUID: {me:?}");
    let company = me.current_company.as_ref().expect("a current company");
    assert!(company.name.as_deref().is_some_and(|n| !n.is_empty()));
    let partner = company.partner.as_ref().expect("a partner");
    assert_eq!(
        partner.subdomain.as_deref(),
        Some(sandbox.everreal_subdomain())
    );
    let companies = me.companies.as_deref().unwrap_or_default();
    assert!(
        companies.iter().any(|c| c.id == company.id),
        "{companies:?}"
    );
    let info = me.token_info.as_ref().expect("token info");
    assert_eq!(info.audience.as_deref(), Some(client_id));
    assert_eq!(info.user_id.as_deref(), Some(me.id.as_str()));
    assert_eq!(
        info.scope.as_deref(),
        Some(&["offline_access".to_owned(), "*".to_owned()][..])
    );
    let limit = client.rate_limit().expect("every answer has the headers");
    assert_eq!(limit.limit, Some(300));
    // The token request counts in the tenant's budget too.
    assert_eq!(limit.remaining, Some(298));
    let stats = sandbox.everreal().stats();
    assert_eq!(
        (stats.token_requests, stats.api_requests),
        (1, 1),
        "{stats:?}"
    );
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_403_refusal_without_the_password() {
    let sandbox = sandbox().await;
    let (user, _, client_id, client_secret) = sandbox.everreal_credentials();
    let client = builder(&sandbox)
        .credentials(client_id, client_secret)
        .user(user, "not-the-password-8f2a")
        .build()
        .expect("client");
    let err = client.users_me().await.expect_err("refused");
    let Error::Http(HttpError::Auth(auth)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        auth.status(),
        Some(403),
        "EverReal refuses with 403: {auth:?}"
    );
    assert_eq!(auth.oauth_code(), Some("invalid_grant"));
    let shown = format!("{err} {err:?} {client:?}");
    assert!(!shown.contains("not-the-password-8f2a"), "{shown}");
    assert!(!shown.contains(client_secret), "{shown}");
    assert_eq!(sandbox.everreal().stats().api_requests, 0);
}

#[tokio::test]
async fn a_token_that_expires_mid_run_is_renewed_with_the_refresh_grant() {
    let sandbox = sandbox().await;
    let client = password_client(&sandbox);
    client.users_me().await.expect("first call");
    let first = client.auth().token().await.expect("cached");
    assert_eq!(
        sandbox.everreal().expire_tokens(),
        1,
        "the one access token"
    );
    client.users_me().await.expect("after the expiry");
    let stats = sandbox.everreal().stats();
    assert_eq!(stats.refresh_requests, 1, "{stats:?}");
    assert_eq!(
        (stats.token_requests, stats.tokens_issued),
        (2, 2),
        "the password grant, then the refresh: {stats:?}"
    );
    assert_eq!(stats.api_requests, 3, "the 401 and its resend: {stats:?}");
    // EverReal's refresh answer has `expires_in` as a string and no new refresh token.
    let renewed = client.auth().token().await.expect("cached");
    assert_ne!(
        renewed.access_token().expose_secret(),
        first.access_token().expose_secret()
    );
    assert_eq!(
        renewed
            .refresh_token()
            .map(|r| r.expose_secret().to_owned()),
        first.refresh_token().map(|r| r.expose_secret().to_owned()),
        "the first refresh token is kept"
    );
    let left = renewed
        .expiry()
        .and_then(|e| e.duration_since(SystemTime::now()).ok())
        .expect("an expiry read from the string");
    assert!(left > Duration::from_secs(3500), "{left:?}");
}

#[tokio::test]
async fn a_revoked_refresh_token_leads_to_a_new_password_sign_in() {
    let sandbox = sandbox().await;
    let client = password_client(&sandbox);
    client.users_me().await.expect("first call");
    sandbox.everreal().expire_tokens();
    assert_eq!(sandbox.everreal().revoke_refresh_tokens(), 1);
    client.users_me().await.expect("after a new sign-in");
    let stats = sandbox.everreal().stats();
    assert_eq!(stats.refresh_requests, 1, "the refused refresh: {stats:?}");
    assert_eq!(
        (stats.token_requests, stats.tokens_issued),
        (3, 2),
        "sign-in, refused refresh, sign-in: {stats:?}"
    );
}

#[tokio::test]
async fn an_expired_refresh_token_leads_to_a_new_password_sign_in() {
    let sandbox = Sandbox::builder()
        .everreal_delivery_interval(None)
        .everreal_refresh_token_lifetime(Duration::from_secs(1800))
        .start()
        .await
        .expect("sandbox");
    let client = password_client(&sandbox);
    client.users_me().await.expect("first call");
    // Past both lifetimes on the sandbox clock; the SDK's own clock still finds its token fresh,
    // so the 401 is what tells it.
    sandbox.clock().advance(Duration::from_secs(3700));
    client.users_me().await.expect("after a new sign-in");
    let stats = sandbox.everreal().stats();
    assert_eq!(stats.refresh_requests, 1, "the refused refresh: {stats:?}");
    assert_eq!(
        (stats.token_requests, stats.tokens_issued),
        (3, 2),
        "{stats:?}"
    );
}

#[tokio::test]
async fn a_403_in_front_of_the_api_gets_a_new_token_and_one_resend() {
    let sandbox = sandbox().await;
    let client = password_client(&sandbox);
    client.users_me().await.expect("first call");
    let controls = sandbox.everreal();
    let mut faults = controls.faults();
    faults.fail_api = Some(ForcedFailure::new(403, 1));
    controls.set_faults(faults).expect("knobs");
    client
        .users_me()
        .await
        .expect("resent with a renewed token");
    let stats = controls.stats();
    assert_eq!(stats.refresh_requests, 1, "{stats:?}");
    assert_eq!(stats.api_requests, 3, "the 403 and its resend: {stats:?}");
}

/// Follows the sandbox's authorize dialog the way a browser would, without following the
/// redirect: the query of the `Location` it answers.
async fn approve(authorize_url: &str) -> (String, String) {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let answer = browser.get(authorize_url).send().await.expect("authorize");
    assert_eq!(answer.status(), reqwest::StatusCode::FOUND);
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .expect("a Location");
    let location = reqwest::Url::parse(location).expect("a URL");
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("no {name} in the redirect"))
    };
    (param("code"), param("state"))
}

#[tokio::test]
async fn the_authorization_code_flow_end_to_end() {
    let sandbox = sandbox().await;
    let (user, _, client_id, client_secret) = sandbox.everreal_credentials();
    let builder = builder(&sandbox);
    let flow = builder
        .authorization_code(client_id, client_secret, sandbox.everreal_redirect_uri())
        .expect("flow");
    let (url, pending) = flow.authorize_url();
    let (code, state) = approve(&url).await;
    assert_eq!(state, pending.state(), "the state comes back as sent");

    // Another sign-in's state is refused before any request; the code stays usable.
    let (_, other) = flow.authorize_url();
    let err = flow
        .exchange(&pending, &code, other.state())
        .await
        .expect_err("a foreign state");
    assert!(
        matches!(err, Error::Http(HttpError::Auth(AuthError::StateMismatch))),
        "{err:?}"
    );
    assert_eq!(sandbox.everreal().stats().token_requests, 0);

    let token = flow
        .exchange(&pending, &code, &state)
        .await
        .expect("exchanged");
    assert!(
        token.refresh_token().is_some(),
        "offline_access was asked for"
    );
    // Codes are single use.
    let err = flow
        .exchange(&pending, &code, &state)
        .await
        .expect_err("used up");
    let Error::Http(HttpError::Auth(auth)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (auth.status(), auth.oauth_code()),
        (Some(403), Some("invalid_grant"))
    );
    assert!(!format!("{err} {err:?}").contains(&code), "{err:?}");

    let client = builder
        .authorized(&flow, Some(token))
        .build()
        .expect("client");
    let profile = client.userinfo().await.expect("userinfo");
    assert_eq!(profile.email.as_deref(), Some(user));
    let me = client.users_me().await.expect("users/me");
    assert_eq!(profile.id, me.id);

    // The signed-in user's token is renewed with the refresh grant, as the password client's.
    sandbox.everreal().expire_tokens();
    client.userinfo().await.expect("after the expiry");
    let stats = sandbox.everreal().stats();
    assert_eq!(
        (stats.token_requests, stats.refresh_requests),
        (3, 1),
        "two exchanges and a refresh: {stats:?}"
    );

    // Once the refresh token is gone the user must sign in again: there is no password.
    sandbox.everreal().expire_tokens();
    sandbox.everreal().revoke_refresh_tokens();
    let err = client.userinfo().await.expect_err("signed out");
    assert!(err.to_string().contains("must sign in again"), "{err}");
}

#[tokio::test]
async fn graphql_streams_every_unit_page_by_page() {
    let sandbox = sandbox().await;
    let client = password_client(&sandbox);
    let before = sandbox.everreal().stats().api_requests;
    let input = ListInput::new(UnitsFilter::default()).paging(Paging::first(5));
    let units: Vec<_> = client.units(input).try_collect().await.expect("units");
    assert_eq!(units.len(), SEEDED_UNITS);
    assert_eq!(
        sandbox.everreal().stats().api_requests - before,
        5,
        "5 + 5 + 5 + 5 + 4: the short page ends it"
    );
    let ids: BTreeSet<&str> = units.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids.len(), SEEDED_UNITS, "no unit twice");
    let external: Vec<&str> = units
        .iter()
        .filter_map(|u| u.external_id.as_deref())
        .collect();
    assert_eq!(external.first(), Some(&"U-101"));
    assert_eq!(external.last(), Some(&"U-406"));

    // A page size that divides the total needs an empty page after the last full one.
    let before = sandbox.everreal().stats().api_requests;
    let input = ListInput::new(UnitsFilter::default()).paging(Paging::first(12));
    let count = client
        .units(input)
        .try_collect::<Vec<_>>()
        .await
        .expect("units")
        .len();
    assert_eq!(count, SEEDED_UNITS);
    assert_eq!(sandbox.everreal().stats().api_requests - before, 3);

    let active = ListingFilter {
        is_active: Some(true),
        is_archived: Some(false),
    };
    let listings: Vec<_> = client
        .listings(ListInput::new(active))
        .try_collect()
        .await
        .expect("listings");
    assert_eq!(listings.len(), 4, "the seeded active listings");
    assert!(listings.iter().all(|l| l.is_active == Some(true)));

    // Every selection set of the SDK is one the server answers.
    let candidates: Vec<_> = client
        .candidates(ListInput::new(CandidatesFilter::default()))
        .try_collect()
        .await
        .expect("candidates");
    assert_eq!(candidates.len(), 12, "two per listing");
    let contracts: Vec<_> = client
        .contracts(ListInput::new(ContractsFilter::default()))
        .try_collect()
        .await
        .expect("contracts");
    let statuses: BTreeSet<&str> = contracts
        .iter()
        .filter_map(|c| c.status.as_deref())
        .collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["PARTIALLY_SIGNED", "SIGNED", "STARTED", "WITHDRAWN"])
    );
}

/// The owner, property and unit of the upsert tests, under the integration `E2E_TEST`.
fn master_data(unit_name: &str) -> (OwnerInput, PropertyInput, UnitInput) {
    let meta = Meta::new("E2E_TEST").expect("meta");
    let owner = OwnerInput::new(
        meta.clone(),
        "OWN-E2E",
        "Ivana",
        "Maric",
        "ivana@e2e.example",
    );
    let address = AddressInput::new("Villenallee", "21", "40211", "Düsseldorf", "DE");
    let mut property = PropertyInput::new(meta.clone(), "PROP-E2E", "Villenallee 21", address);
    property.owner = Some(OwnerRef::External("OWN-E2E".into()));
    let mut unit = UnitInput::new(meta, "U-E2E-1", PropertyRef::External("PROP-E2E".into()));
    unit.name = Some(unit_name.to_owned());
    unit.floor_no = 2;
    unit.living_surface = Some(71.5);
    (owner, property, unit)
}

#[tokio::test]
async fn an_upsert_creates_then_updates_and_reads_back() {
    let sandbox = sandbox().await;
    let client = password_client(&sandbox);
    let (owner, property, unit) = master_data("Wohnung 2 links");
    client.upsert_owner(&owner).await.expect("owner");
    client.upsert_property(&property).await.expect("property");
    let created = client.upsert_unit(&unit).await.expect("unit");

    let by_external = ListInput::new(UnitsFilter {
        external_id: Some("U-E2E-1".into()),
        ..UnitsFilter::default()
    });
    let read = client.units_page(&by_external).await.expect("read back");
    assert_eq!(read.len(), 1, "{read:?}");
    assert_eq!(read[0].id, created.id);
    assert_eq!(read[0].name.as_deref(), Some("Wohnung 2 links"));
    assert_eq!(read[0].floor_no, Some(2.0));
    assert_eq!(read[0].living_surface, Some(71.5));

    // The same external id updates the same unit.
    let (_, _, renamed) = master_data("Wohnung 2 rechts");
    let updated = client.upsert_unit(&renamed).await.expect("update");
    assert_eq!(updated.id, created.id);
    let read = client.units_page(&by_external).await.expect("read back");
    assert_eq!(read[0].name.as_deref(), Some("Wohnung 2 rechts"));
    let all = client
        .units(ListInput::new(UnitsFilter::default()))
        .try_collect::<Vec<_>>()
        .await
        .expect("units");
    assert_eq!(all.len(), SEEDED_UNITS + 1);

    // A tenant of the new unit, its money as strings and a German date.
    let meta = Meta::new("E2E_TEST").expect("meta");
    let mut tenant = TenantInput::new(
        meta,
        "T-E2E-1",
        UnitRef::External("U-E2E-1".into()),
        "Max",
        "Mustermann",
    );
    tenant.cold_rent = Some("850.00".into());
    tenant.contract_start_date = Some("01.05.2024".into());
    let first = client.upsert_tenant(&tenant).await.expect("tenant");
    let again = client.upsert_tenant(&tenant).await.expect("tenant");
    assert_eq!(first.id, again.id);
}

#[tokio::test]
async fn graphql_errors_are_typed() {
    let sandbox = sandbox().await;
    let client = password_client(&sandbox);
    // A value the SDK's open enum lets through and the server's input type refuses: the request
    // is invalid as a whole and runs nothing.
    let (_, mut property, _) = master_data("x");
    property.owner = None;
    property.type_ = PropertyType::from("CASTLE");
    let err = client
        .upsert_property(&property)
        .await
        .expect_err("refused");
    let errors = err.graphql().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        errors.codes().collect::<Vec<_>>(),
        ["BAD_USER_INPUT"],
        "{errors:?}"
    );
    assert!(errors.errors[0].message.contains("CASTLE"), "{errors:?}");
    assert!(errors.partial_data.is_none());
    assert!(!err.is_retryable());

    // A unit of a property that does not exist: a field error at `upsertUnit`.
    let (_, _, unit) = master_data("x");
    let err = client
        .upsert_unit(&unit)
        .await
        .expect_err("no such property");
    let errors = err.graphql().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        errors.errors[0].path,
        [everreal_sdk::PathSegment::Field("upsertUnit".into())],
        "{errors:?}"
    );
    assert!(errors.errors[0].message.contains("PROP-E2E"), "{errors:?}");
    let none = client
        .units_page(&ListInput::new(UnitsFilter {
            external_id: Some("U-E2E-1".into()),
            ..UnitsFilter::default()
        }))
        .await
        .expect("units");
    assert!(none.is_empty(), "nothing was created: {none:?}");
}

#[tokio::test]
async fn a_429_is_waited_out_when_the_reset_is_near() {
    let sandbox = Sandbox::builder()
        .everreal_delivery_interval(None)
        .everreal_rate_limit(3)
        .start()
        .await
        .expect("sandbox");
    let client = password_client(&sandbox);
    // The window opens with the token request; 58 s later on the sandbox clock it resets in
    // about 2 s (1 s if the calls were slow), a wait the default retry policy takes.
    client.users_me().await.expect("first call");
    sandbox.clock().advance(Duration::from_secs(58));
    client
        .users_me()
        .await
        .expect("the last request of the window");
    let limit = client.rate_limit().expect("headers");
    assert_eq!(limit.remaining, Some(0), "{limit:?}");
    let reset = limit.reset.expect("a reset");
    assert!(
        reset >= Duration::from_secs(1) && reset <= Duration::from_secs(2),
        "{limit:?}"
    );
    let started = Instant::now();
    let before = sandbox.everreal().stats().api_requests;
    // A GraphQL POST: a 429 means nothing ran, so it is retried too.
    let page = client
        .units_page(&ListInput::new(UnitsFilter::default()).paging(Paging::first(3)))
        .await
        .expect("after the wait");
    let waited = started.elapsed();
    assert_eq!(page.len(), 3);
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    assert_eq!(
        sandbox.everreal().stats().api_requests - before,
        2,
        "the 429 and the retry"
    );
    assert_eq!(client.rate_limit().and_then(|l| l.remaining), Some(2));
}

#[tokio::test]
async fn a_429_whose_reset_exceeds_the_retry_budget_is_returned_at_once() {
    let sandbox = Sandbox::builder()
        .everreal_delivery_interval(None)
        .everreal_rate_limit(2)
        .start()
        .await
        .expect("sandbox");
    let client = password_client(&sandbox);
    client
        .users_me()
        .await
        .expect("the token request and this one");
    let started = Instant::now();
    let err = client.users_me().await.expect_err("over the budget");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.status(), Some(reqwest::StatusCode::TOO_MANY_REQUESTS));
    assert!(err.is_retryable());
    let limit = client.rate_limit().expect("on the 429 too");
    assert_eq!(limit.remaining, Some(0));
    let reset = limit.reset.expect("a reset");
    assert!(
        reset > Duration::from_secs(30) && reset <= Duration::from_secs(60),
        "longer than the default policy's 30 s: {reset:?}"
    );
    assert_eq!(sandbox.everreal().stats().api_requests, 2, "no retry");
}

#[tokio::test]
async fn webhooks_subscribe_deliver_decode_and_delete() {
    let sandbox = sandbox().await;
    let secret = "e2e-receiver-key-5d0c";
    let (user, password, client_id, client_secret) = sandbox.everreal_credentials();
    let client = builder(&sandbox)
        .credentials(client_id, client_secret)
        .user(user, password)
        .webhook_secret(secret)
        .build()
        .expect("client");
    let mut receiver = WebhookReceiver::start_with_query_secret("key", secret)
        .await
        .expect("receiver");
    let units_url = receiver.url("/everreal/units");
    let contracts_url = receiver.url("/everreal/contracts");
    let unit_hook = client
        .create_webhook(WebhookEventType::UnitUpdated, &units_url)
        .await
        .expect("subscribed");
    let contract_hook = client
        .create_webhook(WebhookEventType::ListingContractFlowSigned, &contracts_url)
        .await
        .expect("subscribed");
    let listed = client.webhooks().await.expect("list");
    let mine = listed.iter().find(|h| h.id == unit_hook).expect("listed");
    assert_eq!(mine.type_, Some(WebhookEventType::UnitUpdated));
    assert_eq!(mine.url.as_deref(), Some(units_url.as_str()));
    assert_eq!(mine.deleted_at, None);

    // An upsert of a seeded unit fires UNIT_UPDATED; the sandbox fires the contract event.
    let first = client
        .units_page(&ListInput::new(UnitsFilter::default()).paging(Paging::first(1)))
        .await
        .expect("a unit")
        .remove(0);
    let external = first
        .external_id
        .clone()
        .expect("seeded with an external id");
    let meta = Meta::new("E2E_TEST").expect("meta");
    // The property of a seeded unit: its external id is `PROP-00N` for `U-N0M`.
    let property = format!("PROP-00{}", &external[2..3]);
    let mut unit = UnitInput::new(meta, &external, PropertyRef::External(property));
    unit.name = Some("renamed by the e2e test".into());
    let upserted = client.upsert_unit(&unit).await.expect("upsert");
    assert_eq!(upserted.id, first.id);
    assert_eq!(
        sandbox
            .trigger_everreal_event("LISTING_CONTRACT_FLOW_SIGNED", None)
            .expect("a known type"),
        1
    );
    let attempts = sandbox.deliver_everreal_webhooks().await;
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert!(attempts.iter().all(|a| a.succeeded()), "{attempts:?}");
    let deliveries = receiver.take(2, Duration::from_secs(5)).await;
    assert_eq!(deliveries.len(), 2);
    let mut seen = Vec::new();
    for delivery in &deliveries {
        assert!(delivery.secret_matched, "{delivery:?}");
        match webhooks::parse(&delivery.body).expect("JSON") {
            WebhookEvent::UnitUpdated(event) => {
                assert_eq!(delivery.path, "/everreal/units");
                assert_eq!(event.data["id"], first.id.as_str());
                assert_eq!(event.data["name"], "renamed by the e2e test");
                assert_eq!(
                    event.subdomain.as_deref(),
                    Some(sandbox.everreal_subdomain())
                );
                seen.push("unit");
            }
            WebhookEvent::ListingContractFlowSigned(event) => {
                assert_eq!(delivery.path, "/everreal/contracts");
                assert!(!event.data.id.is_empty());
                assert!(event.uuid.is_some());
                seen.push("contract");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, ["contract", "unit"]);

    client.delete_webhook(&unit_hook).await.expect("deleted");
    client
        .delete_webhook(&contract_hook)
        .await
        .expect("deleted");
    assert!(client.webhooks().await.expect("list").is_empty());
    let err = client.delete_webhook(&unit_hook).await.expect_err("gone");
    assert_eq!(err.status(), Some(reqwest::StatusCode::NOT_FOUND));
    let err_text = format!("{err} {err:?}");
    assert!(!err_text.contains(secret), "{err_text}");
    client.upsert_unit(&unit).await.expect("upsert");
    assert!(sandbox.deliver_everreal_webhooks().await.is_empty());
}

#[tokio::test]
async fn token_info_and_revocation() {
    let sandbox = sandbox().await;
    let client = password_client(&sandbox);
    let info = client.token_info().await.expect("token info");
    let (_, _, client_id, _) = sandbox.everreal_credentials();
    assert_eq!(info.audience.as_deref(), Some(client_id));
    assert!(
        info.expires_in.is_some_and(|s| (3500..=3600).contains(&s)),
        "{info:?}"
    );
    let me = client.users_me().await.expect("users/me");
    assert_eq!(info.user_id.as_deref(), Some(me.id.as_str()));
    let revoked = client.auth().token().await.expect("cached");

    client.revoke().await.expect("revoked");
    // The API refuses the revoked token; the client renews it with its refresh token.
    client.users_me().await.expect("with a renewed token");
    let renewed = client.auth().token().await.expect("cached");
    assert_ne!(
        renewed.access_token().expose_secret(),
        revoked.access_token().expose_secret()
    );
    let stats = sandbox.everreal().stats();
    assert_eq!(
        (stats.token_requests, stats.refresh_requests),
        (2, 1),
        "{stats:?}"
    );
}

#[allow(
    dead_code,
    reason = "the example's `main`, which reads the process environment"
)]
#[path = "../../crates/everreal-sdk/examples/first_units.rs"]
mod first_units;

/// The client `Client::from_env` builds from what the sandbox prints, without touching the
/// process environment (tests share it).
fn from_sandbox_env(sandbox: &RunningSandbox, password: Option<&str>) -> Client {
    let env = sandbox.everreal_env();
    Client::from_lookup(|name| match (name, password) {
        ("EVERREAL_PASSWORD", Some(password)) => Some(password.to_owned()),
        _ => env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()),
    })
    .expect("client")
}

#[tokio::test]
async fn the_first_units_example_prints_the_user_and_a_page() {
    let sandbox = sandbox().await;
    let client = from_sandbox_env(&sandbox, None);
    let mut out = Vec::new();
    let printed = first_units::print_first_units(&client, &mut out)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let out = String::from_utf8(out).expect("utf-8");
    assert_eq!(printed.units, 10, "{out}");
    let company = printed.company.expect("a company");
    assert!(
        out.starts_with(&format!(
            "signed in as Jane Doe <api-user@acme.example> at {company}\nU-101 "
        )),
        "{out}"
    );
    assert!(out.ends_with("\n10 units on the first page\n"), "{out}");
    assert_eq!(out.lines().count(), 12, "{out}");
    let stats = sandbox.everreal().stats();
    assert_eq!(
        (stats.token_requests, stats.api_requests),
        (1, 2),
        "{stats:?}"
    );
}

#[tokio::test]
async fn the_first_units_example_stops_at_a_wrong_password() {
    let sandbox = sandbox().await;
    let client = from_sandbox_env(&sandbox, Some("not-the-password"));
    let mut out = Vec::new();
    let err = first_units::print_first_units(&client, &mut out)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("403"), "{err}");
    assert!(!err.to_string().contains("not-the-password"), "{err}");
    assert!(out.is_empty(), "nothing printed before the sign-in");
    assert_eq!(sandbox.everreal().stats().api_requests, 0);
}
