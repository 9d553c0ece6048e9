//! The EverReal steps: the EverReal SDK against the sandbox's EverReal, each step as a user of
//! the SDK would write it, checked against what the sandbox holds and counted.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use everreal_sdk::data::{
    AddressInput, ListInput, ListingFilter, Meta, OwnerInput, OwnerRef, Paging, PropertyInput,
    PropertyRef, RoomsInput, UnitInput, UnitsFilter,
};
use everreal_sdk::reqwest;
use everreal_sdk::webhooks::{self, WebhookEvent};
use everreal_sdk::{Client, WebhookEventType};
use futures::TryStreamExt as _;
use sdk_sandbox::RunningSandbox;

use crate::output::{Output, shown, thousands};
use crate::scenario::{Tour, plural};
use crate::{
    CodeFlowReport, EverRealReport, EverRealSignInReport, EverRealUnitsReport,
    EverRealWebhooksReport, ListingsReport, Step, TourError, UpsertReport, WebhookReceiver,
};

/// Small enough that the seeded 24 units take five pages.
const PAGE_SIZE: u32 = 5;
/// The integration name the tour's upserts carry (`meta.source`).
const SOURCE: &str = "SDK_TOUR";
/// External ids of the records the tour upserts.
const OWNER_ID: &str = "OWN-TOUR";
const PROPERTY_ID: &str = "PROP-TOUR";
const UNIT_ID: &str = "U-TOUR-1";
const UNIT_NAME: &str = "Tour flat 1";
const RENAMED: &str = "Tour flat 1 (renovated)";
/// EverReal signs no delivery: the receiver's URL carries a secret instead.
const RECEIVER_KEY: &str = "key";
const RECEIVER_SECRET: &str = "tour-everreal-receiver-3b9e51c07a";
const RECEIVER_PATH: &str = "/everreal/units";
/// Longest wait for the webhook round and its POSTs.
const DELIVERY_LIMIT: Duration = Duration::from_secs(10);

/// Runs the EverReal steps on `sandbox`, whose EverReal the tour has not touched before.
pub(crate) async fn run<W: Write>(
    tour: &mut Tour<'_, W>,
    sandbox: &RunningSandbox,
) -> Result<EverRealReport, TourError> {
    let (client, sign_in) = tour.step(Step::ErSignIn, sign_in(sandbox)).await?;
    let code_flow = tour
        .step(Step::ErCodeFlow, code_flow(sandbox, &sign_in))
        .await?;
    let units = tour
        .step_with_output(Step::ErUnits, async |out| {
            stream_units(&client, sandbox, out).await
        })
        .await?;
    let listings = tour
        .step(Step::ErListings, active_listings(&client))
        .await?;
    let upsert = tour.step(Step::ErUpsert, upsert(&client)).await?;
    let webhooks = tour
        .step(
            Step::ErWebhooks,
            webhook_round_trip(&client, sandbox, &upsert),
        )
        .await?;
    let stats = sandbox.everreal().stats();
    Ok(EverRealReport {
        sign_in,
        code_flow,
        units,
        listings,
        upsert,
        webhooks,
        token_requests: stats.token_requests,
        api_requests: stats.api_requests,
    })
}

/// An EverReal SDK error as the tour prints it (its `Display` never shows a secret).
fn describe(error: everreal_sdk::Error) -> String {
    error.to_string()
}

/// Step 13: the password grant with the sandbox's demo API user, then `users/me`.
async fn sign_in(
    sandbox: &RunningSandbox,
) -> Result<((Client, EverRealSignInReport), String), String> {
    let (user, password, client_id, client_secret) = sandbox.everreal_credentials();
    let client = Client::builder()
        .base_url(sandbox.everreal_url())
        .credentials(client_id, client_secret)
        .user(user, password)
        // The receiver's secret travels in a URL this client sends: never shown by it.
        .webhook_secret(RECEIVER_SECRET)
        .build()
        .map_err(describe)?;
    let me = client
        .users_me()
        .await
        .map_err(|e| format!("the sign-in failed: {}", describe(e)))?;
    let company = me.current_company.as_ref();
    let subdomain = company
        .and_then(|c| c.partner.as_ref())
        .and_then(|p| p.subdomain.clone());
    if me.email.as_deref() != Some(user) {
        return Err(format!(
            "signed in as {:?}, not as the sandbox's API user {user}",
            me.email
        ));
    }
    if subdomain.as_deref() != Some(sandbox.everreal_subdomain()) {
        return Err(format!(
            "users/me names the tenant {subdomain:?}, the sandbox is {}",
            sandbox.everreal_subdomain()
        ));
    }
    let limit = client
        .rate_limit()
        .ok_or("the answer carried no X-RateLimit-* headers")?;
    let stats = sandbox.everreal().stats();
    let report = EverRealSignInReport {
        user_id: me.id.clone(),
        email: me.email.clone().unwrap_or_default(),
        name: [me.first_name.as_deref(), me.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        company: company.and_then(|c| c.name.clone()).unwrap_or_default(),
        subdomain: subdomain.unwrap_or_default(),
        scope: me
            .token_info
            .as_ref()
            .and_then(|t| t.scope.clone())
            .unwrap_or_default(),
        rate_limit: limit.limit,
        rate_remaining: limit.remaining,
        rate_reset: limit.reset,
        token_requests: stats.token_requests,
    };
    if report.token_requests != 1 {
        return Err(format!(
            "expected one password grant, the sandbox counted {} token requests",
            report.token_requests
        ));
    }
    let note = format!(
        "{} <{}> at {} ({}); scope {}; rate limit {} of {} left, resets in {}",
        report.name,
        report.email,
        report.company,
        report.subdomain,
        report.scope.join(" "),
        shown(report.rate_remaining),
        shown(report.rate_limit),
        report
            .rate_reset
            .map_or_else(|| "?".to_owned(), |d| format!("{} s", d.as_secs()))
    );
    Ok(((client, report), note))
}

/// Step 14: the authorization-code flow a web app runs: the authorize URL, the dialog's 302
/// to the redirect URI (followed by hand, as a browser would), the `state` check, the code
/// exchanged with its PKCE verifier, and userinfo with the signed-in client.
async fn code_flow(
    sandbox: &RunningSandbox,
    signed_in: &EverRealSignInReport,
) -> Result<(CodeFlowReport, String), String> {
    let (_, _, client_id, client_secret) = sandbox.everreal_credentials();
    let before = sandbox.everreal().stats().token_requests;
    let builder = Client::builder().base_url(sandbox.everreal_url());
    let flow = builder
        .authorization_code(client_id, client_secret, sandbox.everreal_redirect_uri())
        .map_err(describe)?;
    let (url, pending) = flow.authorize_url();
    let url = reqwest::Url::parse(&url).map_err(|e| format!("the authorize URL: {e}"))?;
    let parameters: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot build the browser's HTTP client: {e}"))?;
    let answer = browser
        .get(url.clone())
        .send()
        .await
        .map_err(|e| format!("the authorize dialog did not answer: {}", e.without_url()))?;
    let status = answer.status();
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| reqwest::Url::parse(l).ok());
    let Some(location) = location.filter(|_| status == reqwest::StatusCode::FOUND) else {
        return Err(format!(
            "the authorize dialog answered {status}, not a 302 to the redirect URI"
        ));
    };
    let redirect = reqwest::Url::parse(sandbox.everreal_redirect_uri())
        .map_err(|e| format!("the sandbox's redirect URI: {e}"))?;
    if location.origin() != redirect.origin() || location.path() != redirect.path() {
        return Err("the dialog redirected somewhere else than the redirect URI".into());
    }
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let (Some(code), Some(state)) = (param("code"), param("state")) else {
        return Err("the redirect carries no code or no state".into());
    };
    // Compared by the SDK too (before any request); checked here so the tour can say so.
    let state_matched = state == pending.state();
    if !state_matched {
        return Err("the redirect's state is not the one sent".into());
    }
    let token = flow
        .exchange(&pending, &code, &state)
        .await
        .map_err(|e| format!("the code exchange failed: {}", describe(e)))?;
    let refresh_token = token.refresh_token().is_some();
    let client = builder
        .authorized(&flow, Some(token))
        .build()
        .map_err(describe)?;
    let profile = client.userinfo().await.map_err(describe)?;
    let report = CodeFlowReport {
        authorize_path: url.path().to_owned(),
        parameters,
        redirect_status: status.as_u16(),
        state_matched,
        refresh_token,
        user_id: profile.id.clone(),
        email: profile.email.clone().unwrap_or_default(),
        token_requests: sandbox.everreal().stats().token_requests - before,
    };
    if report.user_id != signed_in.user_id {
        return Err(format!(
            "userinfo names user {}, the password grant's was {}",
            report.user_id, signed_in.user_id
        ));
    }
    if report.token_requests != 1 || !report.refresh_token {
        return Err(format!(
            "expected one exchange bringing a refresh token; {} token requests, refresh token: {}",
            report.token_requests, report.refresh_token
        ));
    }
    let note = format!(
        "GET {} ({}) -> 302 to the redirect URI, state matches; code exchanged with the PKCE \
         verifier; userinfo: {} (the same user)",
        report.authorize_path,
        report.parameters.join(", "),
        report.email
    );
    Ok((report, note))
}

/// Step 15: every unit through the paged GraphQL stream, `PAGE_SIZE` at a time.
async fn stream_units<W: Write>(
    client: &Client,
    sandbox: &RunningSandbox,
    out: &mut Output<'_, W>,
) -> Result<(EverRealUnitsReport, String), String> {
    let requests = || sandbox.everreal().stats().api_requests;
    let before = requests();
    let input = ListInput::new(UnitsFilter::default()).paging(Paging::first(PAGE_SIZE));
    let mut stream = std::pin::pin!(client.units(input));
    let mut per_page: Vec<usize> = Vec::new();
    let mut by_type = BTreeMap::<String, usize>::new();
    let mut leased = 0;
    let mut count = 0;
    while let Some(unit) = stream.try_next().await.map_err(describe)? {
        // The stream asks for the next page only once this one is used up, so the request
        // count tells which page a unit came in.
        let page = usize::try_from(requests() - before).unwrap_or(usize::MAX);
        if per_page.len() < page {
            per_page.resize(page, 0);
        }
        if let Some(n) = per_page.last_mut() {
            *n += 1;
        }
        count += 1;
        let kind = unit
            .type_
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), |t| t.as_str().to_ascii_lowercase());
        *by_type.entry(kind).or_default() += 1;
        if unit.leasing_status_currently_leased == Some(true) {
            leased += 1;
        }
        out.progress(|| format!("     units: page {page}, {count} so far"));
    }
    let requests = requests() - before;
    per_page.resize(usize::try_from(requests).unwrap_or(usize::MAX), 0);
    let size = PAGE_SIZE as usize;
    // A short page ends the stream; a full last page needs an empty one after it.
    let expected = count / size + 1;
    if count == 0 || per_page.len() != expected || per_page.iter().any(|&n| n > size) {
        return Err(format!(
            "{count} units in pages of {per_page:?}, expected {expected} pages of at most {size}"
        ));
    }
    let report = EverRealUnitsReport {
        count,
        page_size: PAGE_SIZE,
        per_page,
        requests,
        by_type: by_type.into_iter().collect(),
        leased,
    };
    let pages: Vec<String> = report.per_page.iter().map(usize::to_string).collect();
    let types: Vec<String> = report
        .by_type
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    let note = format!(
        "{} units in {} GraphQL {} of take {} ({}): {}, {} leased",
        report.count,
        report.requests,
        plural(report.requests, "page", "pages"),
        report.page_size,
        pages.join(" + "),
        types.join(", "),
        report.leased
    );
    Ok((report, note))
}

/// Step 16: the active, unarchived listings, against every listing.
async fn active_listings(client: &Client) -> Result<(ListingsReport, String), String> {
    let active = ListingFilter {
        is_active: Some(true),
        is_archived: Some(false),
    };
    let listings: Vec<_> = client
        .listings(ListInput::new(active))
        .try_collect()
        .await
        .map_err(describe)?;
    let all = client
        .listings(ListInput::new(ListingFilter::default()))
        .try_collect::<Vec<_>>()
        .await
        .map_err(describe)?
        .len();
    if listings.is_empty() || listings.len() >= all {
        return Err(format!(
            "{} active listings of {all}: the filter should leave some out",
            listings.len()
        ));
    }
    if let Some(odd) = listings
        .iter()
        .find(|l| l.is_active != Some(true) || l.is_archived == Some(true))
    {
        return Err(format!("listing {} is not active or is archived", odd.id));
    }
    let rents: Vec<f64> = listings
        .iter()
        .filter_map(|l| l.contract_details.as_ref()?.total_monthly_rent)
        .collect();
    let first = &listings[0];
    let report = ListingsReport {
        active: listings.len(),
        all,
        first_title: first.title.clone().unwrap_or_default(),
        first_address: first
            .property
            .as_ref()
            .and_then(|p| p.full_address.clone())
            .unwrap_or_default(),
        lowest_rent: rents.iter().copied().reduce(f64::min),
        highest_rent: rents.iter().copied().reduce(f64::max),
    };
    let range = match (report.lowest_rent, report.highest_rent) {
        (Some(low), Some(high)) => format!(
            "{} to {} EUR a month",
            thousands(low.round() as u64),
            thousands(high.round() as u64)
        ),
        _ => "no rents".to_owned(),
    };
    let note = format!(
        "{} of {} listings are active and not archived, {range}; first: {} at {}",
        report.active, report.all, report.first_title, report.first_address
    );
    Ok((report, note))
}

/// The unit the tour upserts, named `name`.
fn tour_unit(meta: &Meta, name: &str) -> UnitInput {
    let mut unit = UnitInput::new(
        meta.clone(),
        UNIT_ID,
        PropertyRef::External(PROPERTY_ID.into()),
    );
    unit.name = Some(name.to_owned());
    unit.floor_no = 2;
    unit.living_surface = Some(64.0);
    unit.rooms = Some(RoomsInput {
        rooms: Some(2.5),
        ..RoomsInput::default()
    });
    unit
}

/// Step 17: an owner, a property and a unit upserted in the documented order, with the tour's
/// `meta.source`; the unit read back by its external id.
async fn upsert(client: &Client) -> Result<(UpsertReport, String), String> {
    let meta = Meta::new(SOURCE).map_err(describe)?;
    let owner = OwnerInput::new(
        meta.clone(),
        OWNER_ID,
        "Erika",
        "Musterfrau",
        "erika.musterfrau@tour.example",
    );
    let owner_id = client.upsert_owner(&owner).await.map_err(describe)?.id;
    let address = AddressInput::new("Königsallee", "12", "40212", "Düsseldorf", "DE");
    let mut property = PropertyInput::new(meta.clone(), PROPERTY_ID, "Königsallee 12", address);
    property.owner = Some(OwnerRef::External(OWNER_ID.into()));
    let property_id = client
        .upsert_property(&property)
        .await
        .map_err(describe)?
        .id;
    let unit_id = client
        .upsert_unit(&tour_unit(&meta, UNIT_NAME))
        .await
        .map_err(describe)?
        .id;
    let by_external = ListInput::new(UnitsFilter {
        external_id: Some(UNIT_ID.into()),
        ..UnitsFilter::default()
    });
    let read = client.units_page(&by_external).await.map_err(describe)?;
    let [unit] = read.as_slice() else {
        return Err(format!(
            "{} units have the external id {UNIT_ID}, expected 1",
            read.len()
        ));
    };
    let report = UpsertReport {
        source: SOURCE.to_owned(),
        owner_id,
        property_id,
        unit_id,
        read_back_id: unit.id.clone(),
        name: unit.name.clone().unwrap_or_default(),
        floor: unit.floor_no,
        living_surface: unit.living_surface,
        rooms: unit.rooms.as_ref().and_then(|r| r.rooms),
    };
    if report.read_back_id != report.unit_id
        || report.name != UNIT_NAME
        || report.floor != Some(2.0)
        || report.living_surface != Some(64.0)
    {
        return Err(format!(
            "{UNIT_ID} read back as {} {:?}, floor {:?}, {:?} m², not as upserted ({})",
            report.read_back_id, report.name, report.floor, report.living_surface, report.unit_id
        ));
    }
    let note = format!(
        "owner {OWNER_ID}, property {PROPERTY_ID} and unit {UNIT_ID} upserted with meta.source \
         {SOURCE}; {UNIT_ID} read back: same id, {:?}, floor 2, 64 m², {} rooms",
        report.name,
        shown(report.rooms)
    );
    Ok((report, note))
}

/// Step 18: the local receiver subscribed to `UNIT_UPDATED`, the unit renamed (the upsert
/// fires the event), one delivery round, the delivery decoded, the subscription deleted.
async fn webhook_round_trip(
    client: &Client,
    sandbox: &RunningSandbox,
    upserted: &UpsertReport,
) -> Result<(EverRealWebhooksReport, String), String> {
    let mut receiver = WebhookReceiver::start_with_query_secret(RECEIVER_KEY, RECEIVER_SECRET)
        .await
        .map_err(|e| format!("cannot start the local receiver: {e}"))?;
    let event_type = WebhookEventType::UnitUpdated;
    let subscription_id = client
        .create_webhook(event_type.clone(), &receiver.url(RECEIVER_PATH))
        .await
        .map_err(describe)?;
    let listed = client.webhooks().await.map_err(describe)?;
    if !listed
        .iter()
        .any(|h| h.id == subscription_id && h.type_.as_ref() == Some(&event_type))
    {
        return Err(format!(
            "the new subscription {subscription_id} is not in the list"
        ));
    }
    let meta = Meta::new(SOURCE).map_err(describe)?;
    client
        .upsert_unit(&tour_unit(&meta, RENAMED))
        .await
        .map_err(describe)?;
    let attempts = tokio::time::timeout(DELIVERY_LIMIT, sandbox.deliver_everreal_webhooks())
        .await
        .map_err(|_| "the delivery round did not end within 10 s".to_owned())?;
    let deliveries = receiver.take(attempts.len(), DELIVERY_LIMIT).await;
    let mut decoded = Vec::with_capacity(deliveries.len());
    for delivery in &deliveries {
        if !delivery.secret_matched {
            return Err(format!(
                "a delivery to {} came without the receiver's secret",
                delivery.path
            ));
        }
        match webhooks::parse(&delivery.body) {
            Ok(WebhookEvent::UnitUpdated(event)) => {
                let field = |name: &str| event.data[name].as_str().unwrap_or_default().to_owned();
                decoded.push((field("id"), field("name")));
            }
            Ok(other) => {
                return Err(format!(
                    "a delivery decoded as {}, not as UNIT_UPDATED",
                    other.event_type()
                ));
            }
            Err(e) => return Err(format!("a delivery is not JSON: {e}")),
        }
    }
    if let Some(failed) = attempts.iter().find(|a| !a.succeeded()) {
        return Err(format!(
            "the delivery failed: status {:?}, {}",
            failed.status,
            failed.error.as_deref().unwrap_or("no error")
        ));
    }
    if decoded != [(upserted.unit_id.clone(), RENAMED.to_owned())] {
        return Err(format!(
            "expected one UNIT_UPDATED of {UNIT_ID} renamed {RENAMED:?}; the sandbox made {} \
             attempts, the receiver decoded {decoded:?}",
            attempts.len()
        ));
    }
    client
        .delete_webhook(&subscription_id)
        .await
        .map_err(describe)?;
    let queued_after_delete = sandbox
        .trigger_everreal_event(event_type.as_str(), None)
        .map_err(|e| e.to_string())?;
    if queued_after_delete != 0 {
        return Err(format!(
            "{queued_after_delete} deliveries queued after the subscription was deleted"
        ));
    }
    let _ = receiver.shutdown().await;
    let report = EverRealWebhooksReport {
        subscription_id,
        event_type: event_type.as_str().to_owned(),
        attempted: attempts.len(),
        received: deliveries.len(),
        decoded,
        queued_after_delete,
    };
    let note = format!(
        "{} subscription; the rename's event POSTed to the local receiver (secret in its URL), \
         decoded: {UNIT_ID} is now {RENAMED:?}; unsubscribed",
        report.event_type
    );
    Ok((report, note))
}
