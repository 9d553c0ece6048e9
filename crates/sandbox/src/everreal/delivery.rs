//! Webhook events: queued when data changes (or on request), posted by delivery rounds in the
//! vendor's envelope `{uuid, operation, subdomain, language, createdAt, data}`.
//!
//! An event goes to the subscriptions that exist when it happens, one POST each, unsigned (the
//! vendor documents no signature). Rounds run on a timer and on demand
//! (`POST /_admin/everreal/deliver`); a failed delivery is logged, not retried.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat};
use futures::future::join_all;
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::data::{Collection, public};
use super::webhooks::{EVENT_TYPES, UnknownEventType, Webhook};
use super::{Shared, State};
use crate::shared::delivery::DeliveryAttempt;
use crate::shared::json::{add_extra_fields, replace_enum_values};
use crate::shared::seed::SeededRng;

/// The language of the envelope: the tenant's default (German, as the vendor's examples).
const LANGUAGE: &str = "de";

/// One message waiting for the next round.
#[derive(Debug)]
struct Pending {
    subscription: Webhook,
    subject: String,
    body: Value,
}

/// The messages waiting for the next round, and the generator of event uuids.
#[derive(Debug)]
pub(crate) struct Outbox {
    inner: std::sync::Mutex<(Vec<Pending>, SeededRng)>,
}

impl Outbox {
    /// An empty outbox whose event uuids follow `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            inner: std::sync::Mutex::new((Vec::new(), SeededRng::derive(seed, &[0x0E7E_2EA1, 4]))),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<Pending>, SeededRng)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many messages wait.
    pub(crate) fn len(&self) -> usize {
        self.lock().0.len()
    }
}

/// Queues an event of `event_type` about `data` for every subscription to it; how many
/// messages were queued.
pub(crate) fn enqueue(state: &State, event_type: &str, data: Value) -> usize {
    let subscriptions = state.webhooks.of_type(event_type);
    if subscriptions.is_empty() {
        return 0;
    }
    let created_at = DateTime::from_timestamp_millis(state.clock.now_millis())
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_default();
    let subject = data["id"].as_str().unwrap_or_default().to_owned();
    let mut outbox = state.outbox.lock();
    let envelope = json!({
        "uuid": outbox.1.uuid(),
        "operation": event_type,
        "subdomain": state.config.subdomain,
        "language": LANGUAGE,
        "createdAt": created_at,
        "data": data,
    });
    let queued = subscriptions.len();
    for subscription in subscriptions {
        outbox.0.push(Pending {
            subscription,
            subject: subject.clone(),
            body: envelope.clone(),
        });
    }
    queued
}

/// Queues an event on request; without `data`, a record of the tenant that fits the event.
pub(crate) fn trigger(
    state: &State,
    event_type: &str,
    data: Option<Value>,
) -> Result<usize, UnknownEventType> {
    if !EVENT_TYPES.contains(&event_type) {
        return Err(UnknownEventType(event_type.to_owned()));
    }
    let data = match data {
        Some(data) => data,
        None => default_data(state, event_type),
    };
    Ok(enqueue(state, event_type, data))
}

/// What an event of `event_type` is about when the caller names nothing: the first record of
/// its kind, or for contract flows the documented payload built from a seeded contract.
fn default_data(state: &State, event_type: &str) -> Value {
    let data = state.data();
    let first = |collection| data.rows(collection).first().map_or(Value::Null, public);
    if let Some(step) = event_type.strip_prefix("LISTING_CONTRACT_FLOW_") {
        let contracts = data.rows(Collection::Contracts);
        let Some(contract) = contracts
            .iter()
            .find(|c| c["status"] == step)
            .or_else(|| contracts.first())
        else {
            return json!({});
        };
        let id = contract["id"].as_str().unwrap_or_default();
        let folder = format!(
            "{}/{}/contracts/{id}",
            state.account.subdomain, state.account.company_id
        );
        let mut payload = json!({
            "id": id,
            "metadata": {
                "unitId": contract["_unitIds"][0],
                "listingId": contract["_listingId"],
                "candidateId": contract["_candidateId"],
            },
            "contractData": contract["contractData"],
            "status": step,
            "contractFlowType": contract["contractFlowType"],
            "contractFile": {
                "name": "Mietvertrag.pdf",
                "resourcePath": format!("{folder}/Mietvertrag.pdf"),
                "order": 0,
                "size": 183_422,
                "type": "application/pdf",
            },
        });
        if step == "STARTED" {
            payload["contractTemplateId"] = json!(format!("template-{}", &id[..8.min(id.len())]));
        }
        if step == "SIGNED" {
            payload["auditTrailFile"] = json!({
                "name": "audit-trail.pdf",
                "resourcePath": format!("{folder}/audit-trail.pdf"),
                "order": 1,
                "size": 48_213,
                "type": "application/pdf",
            });
        }
        return payload;
    }
    if event_type.starts_with("OWNER_") {
        first(Collection::Owners)
    } else if event_type.starts_with("PROPERTY_") {
        first(Collection::Properties)
    } else if event_type.starts_with("UNIT_") {
        first(Collection::Units)
    } else if event_type.starts_with("CANDIDATE_") || event_type.starts_with("LISTING_CANDIDATE_") {
        first(Collection::Candidates)
    } else {
        first(Collection::Listings)
    }
}

/// Posts every pending message and logs the attempts; returns them. Messages for a
/// subscription deleted since are dropped.
pub(crate) async fn deliver_round(state: &State) -> Vec<DeliveryAttempt> {
    let pending = std::mem::take(&mut state.outbox.lock().0);
    if pending.is_empty() {
        return Vec::new();
    }
    let faults = state.controls.faults();
    let mut per_subscription: Vec<(Webhook, Vec<(String, Value)>)> = Vec::new();
    for message in pending {
        if !state.webhooks.exists(&message.subscription.id) {
            continue;
        }
        let mut body = message.body;
        if faults.extra_fields {
            add_extra_fields(&mut body);
        }
        if faults.unknown_enum_values {
            replace_enum_values(&mut body, state.controls.profile().enum_members);
        }
        match per_subscription
            .iter_mut()
            .find(|(s, _)| s.id == message.subscription.id)
        {
            Some((_, messages)) => messages.push((message.subject, body)),
            None => per_subscription.push((message.subscription, vec![(message.subject, body)])),
        }
    }
    let now = state.clock.now_unix();
    let rounds = per_subscription
        .iter()
        .map(|(subscription, messages)| deliver_to(state, subscription, messages, now));
    let attempts: Vec<DeliveryAttempt> = join_all(rounds).await.into_iter().flatten().collect();
    state.deliveries.record(&attempts);
    attempts
}

/// Posts `messages` to one subscriber, one after the other (so it sees them in order).
async fn deliver_to(
    state: &State,
    subscription: &Webhook,
    messages: &[(String, Value)],
    at: i64,
) -> Vec<DeliveryAttempt> {
    let mut attempts = Vec::with_capacity(messages.len());
    for (subject, body) in messages {
        let outcome = state.poster.post(&subscription.url, &[], body).await;
        if let Some(error) = &outcome.error {
            tracing::warn!(subscription = %subscription.id, %error, "webhook delivery failed");
        }
        attempts.push(DeliveryAttempt {
            subscription_id: subscription.id.clone(),
            event_type: subscription.event_type.clone(),
            callback_url: subscription.url.clone(),
            subject: subject.clone(),
            at,
            status: outcome.status,
            error: outcome.error,
            duration_ms: outcome.duration_ms,
        });
    }
    attempts
}

/// Runs a round every `every`, starting one interval after the start.
pub(crate) fn spawn_timer(state: Shared, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            deliver_round(&state).await;
        }
    })
}
