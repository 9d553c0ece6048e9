//! Webhook delivery: a round posts the newest reading of every sensor to each enabled
//! `sensor_reading` subscription and the newest v3 status of every gateway to each enabled
//! `gateway_status` subscription, one message per POST, bare JSON as the service sends it.
//!
//! Rounds run on a timer and on demand (`POST /_admin/everactive/deliver`). Failed deliveries
//! are logged, not retried: the next round brings newer data.

use std::time::Duration;

use futures::future::join_all;
use serde_json::Value;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::webhooks::Webhook;
use super::{Shared, State, gateway_status, readings};
use crate::shared::delivery::DeliveryAttempt;
use crate::shared::json::{add_extra_fields, replace_enum_values};

/// Runs one round and logs its attempts; returns them in subscription order.
pub(crate) async fn deliver_round(state: &State) -> Vec<DeliveryAttempt> {
    let subscriptions = state.webhooks.enabled();
    if subscriptions.is_empty() {
        return Vec::new();
    }
    let now = state.clock.now_unix();
    let faults = state.controls.faults();
    let adjust = |mut message: Value| {
        if faults.extra_fields {
            add_extra_fields(&mut message);
        }
        if faults.unknown_enum_values {
            replace_enum_values(&mut message, state.controls.profile().enum_members);
        }
        message
    };
    let sensor_messages: Vec<(String, Value)> = state
        .fleet
        .sensors
        .iter()
        .filter_map(|s| {
            readings::latest(state.seed, &state.fleet, s, now).map(|r| (s.mac.clone(), adjust(r)))
        })
        .collect();
    let gateway_messages: Vec<(String, Value)> = state
        .fleet
        .gateways
        .iter()
        .filter_map(|g| {
            gateway_status::latest(state.seed, g, now).map(|m| (g.serial.clone(), adjust(m)))
        })
        .collect();
    let rounds = subscriptions.iter().map(|subscription| {
        let messages: &[(String, Value)] = match subscription.event_type.as_str() {
            "sensor_reading" => &sensor_messages,
            "gateway_status" => &gateway_messages,
            _ => &[],
        };
        deliver_to(state, subscription, messages, now)
    });
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
    for (subject, message) in messages {
        let outcome = state
            .poster
            .post(&subscription.callback_url, &subscription.headers, message)
            .await;
        if let Some(error) = &outcome.error {
            tracing::warn!(subscription = %subscription.id, %error, "webhook delivery failed");
        }
        attempts.push(DeliveryAttempt {
            subscription_id: subscription.id.clone(),
            event_type: subscription.event_type.clone(),
            callback_url: subscription.callback_url.clone(),
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
