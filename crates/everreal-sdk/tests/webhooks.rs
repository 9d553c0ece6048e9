//! Webhook deliveries of every documented event type, decoded from payloads that follow the
//! documented envelope; unknown types keep their raw JSON.

use everreal_sdk::WebhookEventType;
use everreal_sdk::webhooks::{self, ContractFlowType, WebhookEvent};
use serde_json::{Value, json};

/// Every event type EverReal documents, as the wire spells it.
const DOCUMENTED: [&str; 28] = [
    "LISTING_CREATED",
    "LISTING_UPDATED",
    "LISTING_ARCHIVED",
    "LISTING_ACTIVATED",
    "LISTING_DEACTIVATED",
    "LISTING_PUBLISHED_TO_CHANNEL",
    "LISTING_UNPUBLISHED_FROM_CHANNEL",
    "CANDIDATE_PARSED",
    "LISTING_CANDIDATE_APPLIED",
    "LISTING_CANDIDATE_SCHEDULE_INVITED_VIEWING",
    "LISTING_CANDIDATE_SCHEDULE_NEW_TIMESLOTS_REQUESTED",
    "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKED_ADMIN",
    "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKED_CANDIDATE",
    "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKING_REMOVED_ADMIN",
    "LISTING_CANDIDATE_SCHEDULE_TIMESLOT_BOOKING_REMOVED_CANDIDATE",
    "LISTING_CONTRACT_FLOW_STARTED",
    "LISTING_CONTRACT_FLOW_WITHDRAWN",
    "LISTING_CONTRACT_FLOW_PARTIALLY_SIGNED",
    "LISTING_CONTRACT_FLOW_SIGNED",
    "OWNER_CREATED",
    "OWNER_UPDATED",
    "OWNER_DELETED",
    "PROPERTY_CREATED",
    "PROPERTY_UPDATED",
    "PROPERTY_DELETED",
    "UNIT_CREATED",
    "UNIT_UPDATED",
    "UNIT_DELETED",
];

fn delivery(operation: &str, data: Value) -> Vec<u8> {
    json!({
        "uuid": "9b0f6a52-1c1e-4f0b-8d7e-5a4b3c2d1e0f",
        "operation": operation,
        "subdomain": "acme",
        "language": "de",
        "createdAt": "2024-05-02T08:15:00.000Z",
        "data": data,
        "attempt": 1
    })
    .to_string()
    .into_bytes()
}

fn contract_data(with_template: bool) -> Value {
    let mut data = json!({
        "id": "c1d2e3f4",
        "metadata": {"unitId": "u-17", "listingId": "l-9", "candidateId": "c-3"},
        "contractData": {"terms": {"rent": 850}},
        "status": "SIGNED",
        "contractFlowType": "ELECTRONIC_SIGNATURE_V2",
        "contractFile": {"name": "Mietvertrag.pdf", "resourcePath": "acme/k/contract.pdf",
                         "order": 0, "size": 183422, "type": "application/pdf"},
        "auditTrailFile": {"name": "audit.pdf", "resourcePath": "acme/k/audit.pdf"}
    });
    if with_template {
        data["contractTemplateId"] = json!("tpl-1");
    }
    data
}

#[test]
fn the_enum_knows_every_documented_type_in_order() {
    let known: Vec<&str> = WebhookEventType::KNOWN
        .iter()
        .map(WebhookEventType::as_str)
        .collect();
    assert_eq!(known, DOCUMENTED);
}

#[test]
fn every_documented_type_decodes_to_its_variant_with_the_envelope() {
    for operation in DOCUMENTED {
        let data = if operation.starts_with("LISTING_CONTRACT_FLOW_") {
            contract_data(operation.ends_with("STARTED"))
        } else {
            json!({"id": "x-1", "name": "something", "extra": [1, 2]})
        };
        let event = webhooks::parse(&delivery(operation, data.clone())).expect("json");
        assert!(
            !matches!(event, WebhookEvent::Unknown(_)),
            "{operation} fell through: {event:?}"
        );
        assert_eq!(event.event_type().as_str(), operation);
        if let WebhookEvent::UnitCreated(d) | WebhookEvent::ListingCandidateApplied(d) = &event {
            assert_eq!(d.subdomain.as_deref(), Some("acme"));
            assert_eq!(d.language.as_deref(), Some("de"));
            assert_eq!(d.created_at.as_deref(), Some("2024-05-02T08:15:00.000Z"));
            assert_eq!(d.data, data, "untyped data is kept as sent");
        }
    }
}

#[test]
fn contract_flow_events_have_typed_data() {
    let started = webhooks::parse(&delivery(
        "LISTING_CONTRACT_FLOW_STARTED",
        contract_data(true),
    ))
    .expect("json");
    let WebhookEvent::ListingContractFlowStarted(started) = started else {
        panic!("{started:?}");
    };
    assert_eq!(
        started.uuid.as_deref(),
        Some("9b0f6a52-1c1e-4f0b-8d7e-5a4b3c2d1e0f")
    );
    assert_eq!(started.data.contract_template_id.as_deref(), Some("tpl-1"));
    assert_eq!(
        started.data.metadata.and_then(|m| m.listing_id).as_deref(),
        Some("l-9")
    );

    let signed = webhooks::parse(&delivery(
        "LISTING_CONTRACT_FLOW_SIGNED",
        contract_data(false),
    ))
    .expect("json");
    let WebhookEvent::ListingContractFlowSigned(signed) = signed else {
        panic!("{signed:?}");
    };
    assert_eq!(
        signed.data.contract_flow_type,
        Some(ContractFlowType::ElectronicSignatureV2)
    );
    let file = signed.data.contract_file.expect("file");
    assert_eq!(file.size, Some(183_422.0));
    assert_eq!(file.type_.as_deref(), Some("application/pdf"));
    assert_eq!(
        signed.data.audit_trail_file.and_then(|f| f.name).as_deref(),
        Some("audit.pdf")
    );
}

#[test]
fn unknown_types_and_undecodable_deliveries_keep_their_raw_json() {
    let body = delivery("PROTOCOL_SIGNED", json!({"protocolId": "p-1"}));
    let event = webhooks::parse(&body).expect("json");
    let WebhookEvent::Unknown(raw) = &event else {
        panic!("{event:?}");
    };
    assert_eq!(raw, &serde_json::from_slice::<Value>(&body).expect("json"));
    assert_eq!(
        event.event_type(),
        WebhookEventType::Other("PROTOCOL_SIGNED".into())
    );

    // A contract-flow delivery without its id cannot be typed: kept whole.
    let broken = delivery("LISTING_CONTRACT_FLOW_SIGNED", json!({"status": "SIGNED"}));
    assert!(matches!(
        webhooks::parse(&broken),
        Ok(WebhookEvent::Unknown(_))
    ));
    // No operation at all, or no data.
    assert!(matches!(
        webhooks::parse(br#"{"uuid":"x","data":{}}"#),
        Ok(WebhookEvent::Unknown(_))
    ));
    assert!(matches!(
        webhooks::parse(br#"{"operation":"UNIT_CREATED"}"#),
        Ok(WebhookEvent::Unknown(_))
    ));
    assert!(webhooks::parse(b"<xml/>").is_err());
}
