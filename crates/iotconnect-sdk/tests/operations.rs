//! Every operation the generated IoTConnect clients expose (device, user, telemetry and auth's
//! `verify_token`; the token exchanges are sign_in.rs's), one test each against its typed mock
//! from `iotconnect-sdk-httpmock`: the mock matches the path parameters, the query parameters
//! (also spelled out with the vendor's own names, `pageNumber`, `UniqueId`, `searchtext`, ...)
//! and the JSON body; the call is the one a user would write (the unwrapped method of ops.rs
//! where there is one, else the generated builder with `items`/`item`/`data`); the decoded
//! values are checked. Then the "not found" answers (409, 404, 204), a 412 with its
//! per-parameter errors, and the paging streams.

use std::num::NonZeroU32;

use futures::{StreamExt as _, TryStreamExt as _};
use iotconnect_sdk::device::types as dt;
use iotconnect_sdk::telemetry::types as tt;
use iotconnect_sdk::user::types as ut;
use iotconnect_sdk::{Client, Envelope as _, Error, ErrorExt as _, ListFilter, UnwrapExt as _};
use iotconnect_sdk_httpmock::httpmock::{self, MockServer};
use iotconnect_sdk_httpmock::{
    TEST_BEARER, auth::MockServerExt as _, device::MockServerExt as _,
    telemetry::MockServerExt as _, user::MockServerExt as _,
};
use serde_json::{Value, json};

const DEVICE: &str = "47A92FDB-7220-4C3E-A56D-3C190BA9630D";
const TEMPLATE: &str = "56C23E41-116E-4C7B-BEE7-A0974DD64225";
const ENTITY: &str = "53E7B522-7F8E-4697-A10F-000000000001";
const USER: &str = "0B7C1A2E-1111-4A4A-9C9C-123456789ABC";
const ROLE: &str = "8E886552-0CDF-4969-B6A7-0FD312A9088D";
const TIMEZONE: &str = "C41A0E73-E62B-4275-B236-19E894B80381";
const COMMAND: &str = "C0FFEE00-1111-2222-3333-444455556666";
const SETTING: &str = "B2B2B2B2-0000-4000-8000-000000000002";

/// A mock server and a client of all four services pointed at it (fixed bearer token).
async fn start() -> (MockServer, Client) {
    let server = MockServer::start_async().await;
    let client = iotconnect_sdk_httpmock::client(&server);
    (server, client)
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("not zero")
}

/// The query parameters again, with the names the vendor documents, independently of the
/// names the typed matchers took from the spec.
fn query(when: httpmock::When, pairs: &[(&str, &str)]) -> httpmock::When {
    pairs
        .iter()
        .fold(when, |when, (name, value)| when.query_param(*name, *value))
}

/// A value of the vendor's JSON shape (an error body, a request body...) as the SDK type `T`.
fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a payload of the documented shape")
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

fn device_row(n: usize) -> dt::DeviceListItem {
    dt::DeviceListItem {
        guid: Some(format!("47A92FDB-7220-4C3E-A56D-{n:012}")),
        unique_id: Some(format!("sensor-{n:02}")),
        display_name: Some(format!("Sensor {n:02}")),
        is_acquired: Some(Value::Bool(true)),
        is_active: Some(true),
        device_status: some("Acquired"),
        device_template_guid: some(TEMPLATE),
        auth_type: Some(3),
        message_version: some("2.1"),
        last_communication: some("2026-06-24T17:23:59.590Z"),
        ..Default::default()
    }
}

fn unique_ids(rows: &[dt::DeviceListItem]) -> Vec<&str> {
    rows.iter().filter_map(|d| d.unique_id.as_deref()).collect()
}

fn device_info(unique_id: &str) -> dt::DeviceInformation {
    dt::DeviceInformation {
        guid: some(DEVICE),
        unique_id: some(unique_id),
        display_name: some("Sensor 01"),
        is_acquired: Some(1),
        is_connected: Some(true),
        entity_guid: some(ENTITY),
        cp_id: some("97FF86E8728645E9B89F7B07977E4B15"),
        device_template_auth_type: Some(3),
        ..Default::default()
    }
}

fn template_detail() -> dt::TemplateDetail {
    dt::TemplateDetail {
        guid: some(TEMPLATE),
        template_code: some("envmon"),
        template_name: some("Env Monitor"),
        auth_type: Some(3),
        message_version: some("2.1"),
        is_validate_template: Some(1),
        commands: Some(vec![dt::TemplateCommand {
            guid: some(COMMAND),
            name: some("Reboot"),
            command: some("reboot"),
            required_ack: Some(true),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

/// A write's answer: `data` is an empty list.
fn success<E>(message: &str) -> E
where
    E: iotconnect_sdk::Envelope<Data = Vec<Value>> + serde::de::DeserializeOwned,
{
    from_json(json!({"status": 200, "message": message, "data": []}))
}

// ---------------------------------------------------------------------------------------
// Device service: devices
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn list_devices_one_page_sends_page_number_page_size_and_sort_by() {
    let (server, client) = start().await;
    let mock = server.list_devices(|when, then| {
        let when = when
            .page_number(nz(2))
            .page_size(nz(25))
            .sort_by("lastCommunication desc")
            .unique_id(None);
        query(
            when.into_inner(),
            &[
                ("pageNumber", "2"),
                ("pageSize", "25"),
                ("sortBy", "lastCommunication desc"),
            ],
        );
        then.ok(&dt::DeviceListEnvelope {
            count: Some(-1),
            ..dt::DeviceListEnvelope::from_data(vec![device_row(26), device_row(27)])
        });
    });
    let filter = ListFilter::default()
        .page_size(nz(25))
        .sort_by("lastCommunication desc");
    let page = client.devices_page(&filter, nz(2)).await.expect("page 2");
    assert_eq!(unique_ids(&page), ["sensor-26", "sensor-27"]);
    assert_eq!(page[0].is_acquired, Some(Value::Bool(true)));
    assert_eq!(page[1].device_status.as_deref(), Some("Acquired"));
    mock.assert_async().await;
}

#[tokio::test]
async fn list_devices_filters_use_the_vendor_casing() {
    let (server, client) = start().await;
    let mock = server.list_devices(|when, then| {
        let when = when
            .unique_id("sensor")
            .entity_guid(ENTITY)
            .template_guid(TEMPLATE)
            .status("active")
            .acquired("acquired")
            .include_recent_value(true)
            .is_gateway(false)
            .page_number(None);
        query(
            when.into_inner(),
            &[
                ("UniqueId", "sensor"),
                ("EntityGuid", ENTITY),
                ("TemplateGuid", TEMPLATE),
                ("Status", "active"),
                ("Acquired", "acquired"),
                ("IncludeRecentValue", "true"),
                ("isGateway", "false"),
            ],
        );
        then.ok(&dt::DeviceListEnvelope::from_data(vec![
            dt::DeviceListItem {
                recent_attr_value: Some(json!([{"temperature": "23.5"}])),
                ..device_row(1)
            },
        ]));
    });
    let rows = client
        .device()
        .list_devices()
        .unique_id("sensor")
        .entity_guid(ENTITY)
        .template_guid(TEMPLATE)
        .status("active")
        .acquired("acquired")
        .include_recent_value(true)
        .is_gateway(false)
        .send()
        .items()
        .await
        .expect("devices");
    assert_eq!(unique_ids(&rows), ["sensor-01"]);
    assert_eq!(
        rows[0].recent_attr_value,
        Some(json!([{"temperature": "23.5"}]))
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn create_device_sends_the_request_and_returns_data_0() {
    let (server, client) = start().await;
    let request: dt::DeviceCreateRequest = dt::DeviceCreateRequest::builder()
        .unique_id("sensor-02")
        .display_name("Sensor 02")
        .device_template_guid(TEMPLATE)
        .entity_guid(ENTITY)
        .certificate_text(Some(
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----".to_owned(),
        ))
        .try_into()
        .expect("a valid request");
    let mock = server.create_device(|when, then| {
        when.body(&request).into_inner().json_body_includes(
            json!({"uniqueId": "sensor-02", "displayName": "Sensor 02",
                   "deviceTemplateGuid": TEMPLATE, "entityGuid": ENTITY})
            .to_string(),
        );
        then.ok(&dt::DeviceCreateEnvelope::from_data(vec![
            dt::DeviceCreated {
                newid: some("9c1f2a3b-4d5e-4f60-8a7b-0c1d2e3f4a5b"),
                unique_id: some("sensor-02"),
                entity_guid: some(ENTITY),
                active_device_count: Some(5),
                ..Default::default()
            },
        ]));
    });
    let created = client
        .create_device(request.clone())
        .await
        .expect("created");
    assert_eq!(
        created.newid.as_deref(),
        Some("9c1f2a3b-4d5e-4f60-8a7b-0c1d2e3f4a5b")
    );
    assert_eq!(created.active_device_count, Some(5));
    mock.assert_async().await;
}

#[tokio::test]
async fn get_device_by_unique_id_and_a_gateway_child() {
    let (server, client) = start().await;
    let plain = server.get_device_by_unique_id(|when, then| {
        when.unique_id("sensor-01").parent_device_unique_id(None);
        then.ok(&dt::DeviceInformationEnvelope::from_data(vec![
            device_info("sensor-01"),
        ]));
    });
    let child = server.get_device_by_unique_id(|when, then| {
        let when = when.unique_id("child-01").parent_device_unique_id("gw-01");
        query(when.into_inner(), &[("parentDeviceUniqueId", "gw-01")]);
        then.ok(&dt::DeviceInformationEnvelope::from_data(vec![
            dt::DeviceInformation {
                parent_device_unique_id: some("gw-01"),
                tag: some("sensors"),
                ..device_info("child-01")
            },
        ]));
    });
    let device = client
        .device_by_unique_id("sensor-01")
        .await
        .expect("the call")
        .expect("a device");
    assert_eq!(device.guid.as_deref(), Some(DEVICE));
    assert_eq!(
        device.cp_id.as_deref(),
        Some("97FF86E8728645E9B89F7B07977E4B15")
    );
    let child_device = client
        .device()
        .get_device_by_unique_id()
        .unique_id("child-01")
        .parent_device_unique_id("gw-01")
        .send()
        .item()
        .await
        .expect("the call")
        .expect("a child");
    assert_eq!(
        child_device.parent_device_unique_id.as_deref(),
        Some("gw-01")
    );
    assert_eq!(child_device.tag.as_deref(), Some("sensors"));
    plain.assert_async().await;
    child.assert_async().await;
}

#[tokio::test]
async fn get_device_by_guid() {
    let (server, client) = start().await;
    let mock = server.get_device(|when, then| {
        when.device_guid(DEVICE);
        then.ok(&dt::DeviceInformationEnvelope::from_data(vec![
            device_info("sensor-01"),
        ]));
    });
    let device = client
        .device_by_guid(DEVICE)
        .await
        .expect("the call")
        .expect("a device");
    assert_eq!(device.unique_id.as_deref(), Some("sensor-01"));
    assert_eq!(device.is_acquired, Some(1));
    mock.assert_async().await;
}

#[tokio::test]
async fn lookup_devices_with_its_filters() {
    let (server, client) = start().await;
    let mock = server.lookup_devices(|when, then| {
        let when = when
            .device_template_guid(TEMPLATE)
            .get_child_device(true)
            .exclude_edge(true)
            .device_entity_guid(ENTITY)
            .tag(None);
        query(
            when.into_inner(),
            &[
                ("deviceTemplateGuid", TEMPLATE),
                ("getChildDevice", "true"),
                ("excludeEdge", "true"),
                ("deviceEntityGuid", ENTITY),
            ],
        );
        then.ok(&dt::DeviceLookupEnvelope::from_data(vec![
            dt::DeviceLookupItem {
                guid: some(DEVICE),
                unique_id: some("sensor-01"),
                is_acquired: Some(1),
                ..Default::default()
            },
            dt::DeviceLookupItem {
                unique_id: some("child-01"),
                parent_device_guid: some(DEVICE),
                ..Default::default()
            },
        ]));
    });
    let rows = client
        .device()
        .lookup_devices()
        .device_template_guid(TEMPLATE)
        .get_child_device(true)
        .exclude_edge(true)
        .device_entity_guid(ENTITY)
        .send()
        .items()
        .await
        .expect("lookup");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].is_acquired, Some(1));
    assert_eq!(rows[1].parent_device_guid.as_deref(), Some(DEVICE));
    mock.assert_async().await;
}

#[tokio::test]
async fn get_device_connection_status_by_unique_id() {
    let (server, client) = start().await;
    let mock = server.get_device_connection_status(|when, then| {
        let when = when.unique_id("sensor-01").device_guid(None);
        query(when.into_inner(), &[("uniqueId", "sensor-01")]);
        then.ok(&dt::ConnectionStatusEnvelope::from_data(vec![
            dt::ConnectionStatus {
                is_connected: Some(1),
            },
        ]));
    });
    let status = client
        .device()
        .get_device_connection_status()
        .unique_id("sensor-01")
        .send()
        .item()
        .await
        .expect("the call")
        .expect("one item");
    assert_eq!(status.is_connected, Some(1));
    mock.assert_async().await;
}

#[tokio::test]
async fn get_device_counters_of_another_company() {
    let (server, client) = start().await;
    let company = "43E26694-55DA-44CE-956D-B026B76D7BBE";
    let mock = server.get_device_counters(|when, then| {
        query(
            when.companyguid(company).into_inner(),
            &[("companyguid", company)],
        );
        then.ok(&dt::DeviceCountersEnvelope::from_data(vec![
            dt::DeviceCounters {
                active: Some(10),
                in_active: Some(2),
                connected: Some(7),
                dis_connected: Some(5),
                total: Some(12),
                ..Default::default()
            },
        ]));
    });
    let counters = client
        .device()
        .get_device_counters()
        .companyguid(company)
        .send()
        .item()
        .await
        .expect("the call")
        .expect("one item");
    assert_eq!(
        (counters.active, counters.in_active, counters.total),
        (Some(10), Some(2), Some(12))
    );
    assert_eq!(counters.dis_connected, Some(5));
    mock.assert_async().await;
}

#[tokio::test]
async fn update_device_sends_name_entity_note_and_properties() {
    let (server, client) = start().await;
    let request: dt::DeviceUpdateRequest = from_json(json!({
        "displayName": "Renamed", "entityGuid": ENTITY, "note": "moved to lab 2",
        "properties": [{"guid": "E1E1E1E1-0000-4000-8000-000000000001", "value": "blue"}]
    }));
    let mock = server.update_device(|when, then| {
        when.device_guid(DEVICE)
            .body(&request)
            .into_inner()
            .json_body_includes(
                json!({"displayName": "Renamed", "note": "moved to lab 2"}).to_string(),
            );
        then.ok(&success("Device updated"));
    });
    client
        .update_device(DEVICE, request.clone())
        .await
        .expect("updated");
    mock.assert_async().await;
}

#[tokio::test]
async fn delete_device() {
    let (server, client) = start().await;
    let mock = server.delete_device(|when, then| {
        when.device_guid(DEVICE);
        then.ok(&dt::DeviceDeleteEnvelope::from_data(vec![
            dt::DeviceDeleted {
                guid: some(DEVICE),
                status: Some(true),
                ..Default::default()
            },
        ]));
    });
    client.delete_device(DEVICE).await.expect("deleted");
    mock.assert_async().await;
}

#[tokio::test]
async fn update_device_status_sends_is_active() {
    let (server, client) = start().await;
    let mock = server.update_device_status(|when, then| {
        when.device_guid(DEVICE)
            .body(&dt::DeviceStatusRequest { is_active: false })
            .into_inner()
            .json_body(json!({"isActive": false}));
        then.ok(&success("Device status updated"));
    });
    let answer = client
        .device()
        .update_device_status()
        .device_guid(DEVICE)
        .body(dt::DeviceStatusRequest { is_active: false })
        .send()
        .await
        .expect("changed")
        .into_inner();
    assert_eq!(answer.message(), Some("Device status updated"));
    assert_eq!(answer.into_data(), Some(vec![]));
    mock.assert_async().await;
}

#[tokio::test]
async fn list_device_lifecycle_sends_paging_and_the_lower_case_searchtext() {
    let (server, client) = start().await;
    let mock = server.list_device_lifecycle(|when, then| {
        let when = when
            .unique_id("sensor-01")
            .page_number(nz(1))
            .page_size(nz(10))
            .sort_by("changeDate desc")
            .searchtext("acquired");
        query(
            when.into_inner(),
            &[
                ("pageNumber", "1"),
                ("pageSize", "10"),
                ("sortBy", "changeDate desc"),
                ("searchtext", "acquired"),
            ],
        );
        then.ok(&dt::DeviceLifecycleEnvelope::from_data(vec![
            dt::DeviceLifecycleEvent {
                status: some("Acquired"),
                change_date: some("2026-06-01T10:05:00Z"),
                change_by: some("dev@example.com"),
                message_text: some("Device acquired"),
            },
        ]));
    });
    let events = client
        .device()
        .list_device_lifecycle()
        .unique_id("sensor-01")
        .page_number(nz(1))
        .page_size(nz(10))
        .sort_by("changeDate desc")
        .searchtext("acquired")
        .send()
        .items()
        .await
        .expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status.as_deref(), Some("Acquired"));
    assert_eq!(events[0].change_by.as_deref(), Some("dev@example.com"));
    mock.assert_async().await;
}

#[tokio::test]
async fn get_device_twin_recently_reported() {
    let (server, client) = start().await;
    let mock = server.get_device_twin(|when, then| {
        let when = when.unique_id("sensor-01").recently_reported(true);
        query(when.into_inner(), &[("recentlyReported", "true")]);
        then.ok(&dt::DeviceTwinEnvelope::from_data(vec![
            dt::DeviceTwinProperty {
                template_setting_guid: some(SETTING),
                local_name: some("interval"),
                data_type_name: some("INTEGER"),
                desired_value: some("60"),
                reported_value: some("30"),
                is_read_only: Some(false),
                ..Default::default()
            },
        ]));
    });
    let twin = client
        .device()
        .get_device_twin()
        .unique_id("sensor-01")
        .recently_reported(true)
        .send()
        .items()
        .await
        .expect("twin");
    assert_eq!(twin[0].local_name.as_deref(), Some("interval"));
    assert_eq!(
        (
            twin[0].desired_value.as_deref(),
            twin[0].reported_value.as_deref()
        ),
        (Some("60"), Some("30"))
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn update_device_twin_sends_the_desired_value() {
    let (server, client) = start().await;
    let request: dt::DeviceTwinRequest = from_json(json!({
        "localName": "interval", "desiredValue": "60", "templateSettingGuid": SETTING
    }));
    let mock = server.update_device_twin(|when, then| {
        when.unique_id("sensor-01")
            .body(&request)
            .into_inner()
            .json_body(json!({"localName": "interval", "desiredValue": "60",
                              "templateSettingGuid": SETTING}));
        then.ok(&success("Twin updated"));
    });
    let data = client
        .device()
        .update_device_twin()
        .unique_id("sensor-01")
        .body(request.clone())
        .send()
        .items()
        .await
        .expect("accepted");
    assert!(data.is_empty(), "{data:?}");
    mock.assert_async().await;
}

// ---------------------------------------------------------------------------------------
// Device service: templates, attributes, commands
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn list_templates_one_page_and_its_filters() {
    let (server, client) = start().await;
    let page = server.list_templates(|when, then| {
        let when = when
            .page_number(nz(1))
            .page_size(nz(50))
            .sort_by("name asc")
            .device_template_name(None);
        query(
            when.into_inner(),
            &[
                ("pageNumber", "1"),
                ("pageSize", "50"),
                ("sortBy", "name asc"),
            ],
        );
        then.ok(&dt::TemplateListEnvelope {
            count: Some(1),
            ..dt::TemplateListEnvelope::from_data(vec![dt::TemplateListItem {
                guid: some(TEMPLATE),
                code: some("envmon"),
                name: some("Env Monitor"),
                attribute_count: Some(2),
                ..Default::default()
            }])
        });
    });
    let filtered = server.list_templates(|when, then| {
        let when = when
            .device_template_name("Env")
            .auth_type("3")
            .message_version("2.1")
            .gateway_support("false");
        query(
            when.into_inner(),
            &[
                ("DeviceTemplateName", "Env"),
                ("AuthType", "3"),
                ("MessageVersion", "2.1"),
                ("GatewaySupport", "false"),
            ],
        );
        then.ok(&dt::TemplateListEnvelope::from_data(vec![]));
    });
    let filter = ListFilter::default().page_size(nz(50)).sort_by("name asc");
    let templates = client.templates_page(&filter, nz(1)).await.expect("page");
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].code.as_deref(), Some("envmon"));
    assert_eq!(templates[0].attribute_count, Some(2));
    let none = client
        .device()
        .list_templates()
        .device_template_name("Env")
        .auth_type("3")
        .message_version("2.1")
        .gateway_support("false")
        .send()
        .items()
        .await
        .expect("filtered");
    assert!(none.is_empty());
    page.assert_async().await;
    filtered.assert_async().await;
}

#[tokio::test]
async fn get_template_by_guid() {
    let (server, client) = start().await;
    let mock = server.get_template(|when, then| {
        when.device_template_guid(TEMPLATE).attr_tree(None);
        then.ok(&dt::TemplateDetailEnvelope {
            template_auto_push: Some(false),
            ..dt::TemplateDetailEnvelope::from_data(vec![template_detail()])
        });
    });
    let template = client
        .template(TEMPLATE)
        .await
        .expect("the call")
        .expect("a template");
    assert_eq!(template.template_code.as_deref(), Some("envmon"));
    let commands = template.commands.expect("commands");
    assert_eq!(commands[0].command.as_deref(), Some("reboot"));
    mock.assert_async().await;
}

#[tokio::test]
async fn get_template_by_code() {
    let (server, client) = start().await;
    let mock = server.get_template_by_code(|when, then| {
        when.template_code("envmon");
        then.ok(&dt::TemplateDetailEnvelope::from_data(vec![
            template_detail(),
        ]));
    });
    let template = client
        .template_by_code("envmon")
        .await
        .expect("the call")
        .expect("a template");
    assert_eq!(template.guid.as_deref(), Some(TEMPLATE));
    assert_eq!(template.is_validate_template, Some(1));
    mock.assert_async().await;
}

#[tokio::test]
async fn delete_template() {
    let (server, client) = start().await;
    let mock = server.delete_template(|when, then| {
        when.device_template_guid(TEMPLATE);
        then.ok(&from_json(json!({
            "status": 200,
            "message": "Template deleted",
            "data": [{"isGreenGrass": 0}],
        })));
    });
    let answer = client
        .device()
        .delete_template()
        .device_template_guid(TEMPLATE)
        .send()
        .await
        .expect("deleted")
        .into_inner();
    assert_eq!(answer.status(), Some(200));
    assert_eq!(answer.message(), Some("Template deleted"));
    let deleted = answer.into_data().expect("data");
    assert_eq!(deleted[0].is_green_grass, Some(0));
    mock.assert_async().await;
}

#[tokio::test]
async fn list_template_attributes_sends_searchtext_and_tag() {
    let (server, client) = start().await;
    let mock = server.list_template_attributes(|when, then| {
        let when = when
            .device_template_guid(TEMPLATE)
            .page_number(nz(1))
            .page_size(nz(1000))
            .searchtext("temp")
            .tag("sensors")
            .sort_by(None);
        query(
            when.into_inner(),
            &[
                ("pageNumber", "1"),
                ("pageSize", "1000"),
                ("searchtext", "temp"),
                ("tag", "sensors"),
            ],
        );
        then.ok(&dt::AttributeListEnvelope {
            is_validate_template: Some(true),
            count: Some(1),
            ..dt::AttributeListEnvelope::from_data(vec![dt::AttributeListItem {
                guid: some("AA000000-0000-0000-0000-000000000001"),
                local_name: some("temperature"),
                data_type_name: some("DECIMAL"),
                unit: some("C"),
                sequence: Some(1),
                ..Default::default()
            }])
        });
    });
    let attributes = client
        .device()
        .list_template_attributes()
        .device_template_guid(TEMPLATE)
        .page_number(nz(1))
        .page_size(nz(1000))
        .searchtext("temp")
        .tag("sensors")
        .send()
        .items()
        .await
        .expect("attributes");
    assert_eq!(attributes[0].local_name.as_deref(), Some("temperature"));
    assert_eq!(attributes[0].data_type_name.as_deref(), Some("DECIMAL"));
    assert_eq!(attributes[0].sequence, Some(1));
    mock.assert_async().await;
}

#[tokio::test]
async fn list_template_commands_sends_the_camel_case_search_text() {
    let (server, client) = start().await;
    let mock = server.list_template_commands(|when, then| {
        let when = when
            .device_template_guid(TEMPLATE)
            .page_number(nz(1))
            .page_size(nz(20))
            .sort_by("name asc")
            .search_text("re");
        query(
            when.into_inner(),
            &[
                ("pageNumber", "1"),
                ("pageSize", "20"),
                ("sortBy", "name asc"),
                ("searchText", "re"),
            ],
        );
        then.ok(&dt::CommandListEnvelope::from_data(vec![
            dt::CommandListItem {
                guid: some(COMMAND),
                name: some("Reboot"),
                command: some("reboot"),
                required_ack: Some(true),
                ..Default::default()
            },
        ]));
    });
    let commands = client
        .device()
        .list_template_commands()
        .device_template_guid(TEMPLATE)
        .page_number(nz(1))
        .page_size(nz(20))
        .sort_by("name asc")
        .search_text("re")
        .send()
        .items()
        .await
        .expect("commands");
    assert_eq!(commands.len(), 1);
    assert_eq!(commands[0].name.as_deref(), Some("Reboot"));
    assert_eq!(commands[0].required_ack, Some(true));
    mock.assert_async().await;
}

#[tokio::test]
async fn lookup_template_commands_by_tag() {
    let (server, client) = start().await;
    let mock = server.lookup_template_commands(|when, then| {
        let when = when.device_template_guid(TEMPLATE).tag("sensors");
        query(when.into_inner(), &[("tag", "sensors")]);
        then.ok(&dt::CommandLookupEnvelope::from_data(vec![
            dt::CommandLookupItem {
                guid: some(COMMAND),
                name: some("Reboot"),
                command: some("reboot"),
                required_param: Some(false),
                ..Default::default()
            },
        ]));
    });
    let commands = client
        .device()
        .lookup_template_commands()
        .device_template_guid(TEMPLATE)
        .tag("sensors")
        .send()
        .items()
        .await
        .expect("commands");
    assert_eq!(commands[0].guid.as_deref(), Some(COMMAND));
    assert_eq!(commands[0].required_param, Some(false));
    mock.assert_async().await;
}

#[tokio::test]
async fn send_device_command_sends_the_command_guid_and_parameter() {
    let (server, client) = start().await;
    let request: dt::CommandSendRequest =
        from_json(json!({"commandGuid": COMMAND, "parameterValue": "now"}));
    let mock = server.send_device_command(|when, then| {
        when.device_guid(DEVICE)
            .body(&request)
            .into_inner()
            .json_body(json!({"commandGuid": COMMAND, "parameterValue": "now"}));
        then.ok(&success("Command sent"));
    });
    let answer = client
        .device()
        .send_device_command()
        .device_guid(DEVICE)
        .body(request.clone())
        .send()
        .await
        .expect("sent")
        .into_inner();
    assert_eq!(answer.message(), Some("Command sent"));
    mock.assert_async().await;
}

// ---------------------------------------------------------------------------------------
// User service: users, entities, roles
// ---------------------------------------------------------------------------------------

fn user_row(n: usize) -> ut::UserListItem {
    ut::UserListItem {
        guid: Some(format!("0B7C1A2E-1111-4A4A-9C9C-{n:012}")),
        user_id: Some(format!("user{n}@example.com")),
        is_active: Some(true),
        role_name: some("Admin"),
        ..Default::default()
    }
}

#[tokio::test]
async fn list_users_one_page_and_its_filters() {
    let (server, client) = start().await;
    let page = server.list_users(|when, then| {
        let when = when
            .page_number(nz(3))
            .page_size(nz(2))
            .sort_by("firstName asc")
            .email(None);
        query(
            when.into_inner(),
            &[
                ("pageNumber", "3"),
                ("pageSize", "2"),
                ("sortBy", "firstName asc"),
            ],
        );
        then.ok(&ut::UserListEnvelope {
            count: Some(5),
            invoking_user: some(USER),
            ..ut::UserListEnvelope::from_data(vec![user_row(4)])
        });
    });
    let filtered = server.list_users(|when, then| {
        let when = when
            .first_name("Dev")
            .email("dev@example.com")
            .role("Admin")
            .entity("Acme")
            .status("active");
        query(
            when.into_inner(),
            &[
                ("FirstName", "Dev"),
                ("Email", "dev@example.com"),
                ("Role", "Admin"),
                ("Entity", "Acme"),
                ("Status", "active"),
            ],
        );
        then.ok(&ut::UserListEnvelope::from_data(vec![user_row(0)]));
    });
    let filter = ListFilter::default()
        .page_size(nz(2))
        .sort_by("firstName asc");
    let users = client.users_page(&filter, nz(3)).await.expect("page");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].user_id.as_deref(), Some("user4@example.com"));
    let found = client
        .user()
        .list_users()
        .first_name("Dev")
        .email("dev@example.com")
        .role("Admin")
        .entity("Acme")
        .status("active")
        .send()
        .items()
        .await
        .expect("filtered");
    assert_eq!(found[0].role_name.as_deref(), Some("Admin"));
    page.assert_async().await;
    filtered.assert_async().await;
}

#[tokio::test]
async fn create_user_sends_is_active_as_an_integer() {
    let (server, client) = start().await;
    let request: ut::UserCreateRequest = from_json(json!({
        "userId": "new.user@example.com", "isActive": 1, "firstName": "New", "lastName": "User",
        "timezoneGuid": TIMEZONE, "roleGuid": ROLE, "entityGuid": ENTITY,
        "sendInvitationEmail": true, "password": "Initial-Pa55word"
    }));
    // The initial password is a secret: sent as it is, never shown by `Debug`.
    let shown = format!(
        "{request:?} {:?}",
        client.user().create_user().body(request.clone())
    );
    assert!(!shown.contains("Initial-Pa55word"), "{shown}");
    let mock = server.create_user(|when, then| {
        when.body(&request).into_inner().json_body_includes(
            json!({"userId": "new.user@example.com", "isActive": 1, "sendInvitationEmail": true,
                   "password": "Initial-Pa55word"})
            .to_string(),
        );
        then.ok(&ut::UserCreateEnvelope::from_data(vec![ut::UserCreated {
            new_id: some("7F000000-0000-4000-8000-000000000007"),
            invitation_guid: some("1A000000-0000-4000-8000-000000000001"),
            is_existing_user: Some(false),
            is_welcome_email: Some(true),
        }]));
    });
    let created = client
        .user()
        .create_user()
        .body(request.clone())
        .send()
        .item()
        .await
        .expect("the call")
        .expect("a new user");
    assert_eq!(
        created.new_id.as_deref(),
        Some("7F000000-0000-4000-8000-000000000007")
    );
    assert_eq!(created.is_existing_user, Some(false));
    mock.assert_async().await;
}

#[tokio::test]
async fn get_user_by_guid() {
    let (server, client) = start().await;
    let mock = server.get_user(|when, then| {
        when.user_guid(USER).user_info_flag(None);
        then.ok(&ut::UserDetailEnvelope::from_data(vec![ut::UserDetail {
            user_guid: some(USER),
            user_id: some("dev@example.com"),
            company_cpid: some("97FF86E8728645E9B89F7B07977E4B15"),
            is_company_admin: Some(true),
            ..Default::default()
        }]));
    });
    let user = client
        .user_by_guid(USER)
        .await
        .expect("the call")
        .expect("a user");
    assert_eq!(user.user_id.as_deref(), Some("dev@example.com"));
    assert_eq!(user.is_company_admin, Some(true));
    mock.assert_async().await;
}

#[tokio::test]
async fn get_user_availability_by_email() {
    let (server, client) = start().await;
    let mock = server.get_user_availability(|when, then| {
        when.email("dev@example.com");
        then.ok(&ut::UserAvailabilityEnvelope::from_data(vec![
            ut::UserAvailability {
                guid: some(USER),
                user_id: some("dev@example.com"),
                is_password_created: Some(1),
                ..Default::default()
            },
        ]));
    });
    let user = client
        .user()
        .get_user_availability()
        .email("dev@example.com")
        .send()
        .item()
        .await
        .expect("the call")
        .expect("a user");
    assert_eq!(user.guid.as_deref(), Some(USER));
    assert_eq!(user.is_password_created, Some(1));
    mock.assert_async().await;
}

#[tokio::test]
async fn list_entities_is_the_whole_tree() {
    let (server, client) = start().await;
    let mock = server.list_entities(|_when, then| {
        then.ok(&ut::EntityListEnvelope::from_data(vec![
            ut::EntityListItem {
                guid: some(ENTITY),
                name: some("Acme"),
                device_count: Some(12),
                ..Default::default()
            },
            ut::EntityListItem {
                guid: some("53E7B522-7F8E-4697-A10F-000000000002"),
                name: some("Room23"),
                parent_entity_guid: some(ENTITY),
                ..Default::default()
            },
        ]));
    });
    let entities = client.entities().await.expect("entities");
    let roots: Vec<_> = entities
        .iter()
        .filter(|e| e.parent_entity_guid.is_none())
        .filter_map(|e| e.name.as_deref())
        .collect();
    assert_eq!(roots, ["Acme"]);
    assert_eq!(entities[1].parent_entity_guid.as_deref(), Some(ENTITY));
    mock.assert_async().await;
}

#[tokio::test]
async fn create_entity_under_a_parent() {
    let (server, client) = start().await;
    let request: ut::EntityCreateRequest = from_json(json!({
        "name": "Room24", "parentEntityGuid": ENTITY, "description": "second floor"
    }));
    let mock = server.create_entity(|when, then| {
        when.body(&request).into_inner().json_body(
            json!({"name": "Room24", "parentEntityGuid": ENTITY, "description": "second floor"}),
        );
        then.ok(&ut::EntityCreateEnvelope::from_data(vec![
            ut::EntityCreated {
                entity_guid: some("53E7B522-7F8E-4697-A10F-000000000024"),
                ..Default::default()
            },
        ]));
    });
    let created = client
        .user()
        .create_entity()
        .body(request.clone())
        .send()
        .item()
        .await
        .expect("the call")
        .expect("a new entity");
    assert_eq!(
        created.entity_guid.as_deref(),
        Some("53E7B522-7F8E-4697-A10F-000000000024")
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn lookup_entities() {
    let (server, client) = start().await;
    let mock = server.lookup_entities(|_when, then| {
        then.ok(&ut::EntityLookupEnvelope::from_data(vec![
            ut::EntityLookupItem {
                guid: some(ENTITY),
                name: some("Acme"),
                parent_entity_guid: None,
            },
        ]));
    });
    let entities = client
        .user()
        .lookup_entities()
        .send()
        .items()
        .await
        .expect("entities");
    assert_eq!(entities.len(), 1);
    assert_eq!(entities[0].name.as_deref(), Some("Acme"));
    mock.assert_async().await;
}

#[tokio::test]
async fn get_entity_by_guid() {
    let (server, client) = start().await;
    let mock = server.get_entity(|when, then| {
        when.entity_guid(ENTITY);
        then.ok(&ut::EntityDetailEnvelope::from_data(vec![
            ut::EntityDetail {
                guid: some(ENTITY),
                name: some("Acme"),
                city: some("Phoenix"),
                ..Default::default()
            },
        ]));
    });
    let entity = client
        .entity(ENTITY)
        .await
        .expect("the call")
        .expect("an entity");
    assert_eq!(entity.city.as_deref(), Some("Phoenix"));
    mock.assert_async().await;
}

#[tokio::test]
async fn lookup_roles() {
    let (server, client) = start().await;
    let mock = server.lookup_roles(|_when, then| {
        then.ok(&ut::RoleLookupEnvelope::from_data(vec![
            ut::RoleLookupItem {
                guid: some(ROLE),
                name: some("Admin"),
                description: Some(json!("Everything")),
                is_active: Some(true),
                ..Default::default()
            },
        ]));
    });
    let roles = client
        .user()
        .lookup_roles()
        .send()
        .items()
        .await
        .expect("roles");
    assert_eq!(roles[0].guid.as_deref(), Some(ROLE));
    assert_eq!(roles[0].name.as_deref(), Some("Admin"));
    mock.assert_async().await;
}

// ---------------------------------------------------------------------------------------
// Telemetry service
// ---------------------------------------------------------------------------------------

fn feed(token: Option<&str>) -> tt::TelemetryFeed {
    from_json(json!({
        "count": 2, "version": "2.1", "continuationToken": token,
        "feed": [
            {"uniqueId": "sensor-01", "dTime": "2026-06-24T17:23:59.590Z",
             "attr": {"temperature": 23.5, "version": "1.2.0"}},
            {"uniqueId": "sensor-01", "dTime": "2026-06-24T17:22:59.120Z",
             "attr": {"temperature": 23.4}}
        ]
    }))
}

#[tokio::test]
async fn get_latest_telemetry() {
    let (server, client) = start().await;
    let mock = server.get_latest_telemetry(|when, then| {
        when.device_guid(DEVICE);
        then.ok(&tt::LatestTelemetryEnvelope::from_data(vec![
            tt::AttributeLatestValue {
                attribute_name: some("temperature"),
                attribute_value: some("23.5"),
                data_type: some("DECIMAL"),
                device_updated_date: some("2026-06-24T17:23:59.590Z"),
                ..Default::default()
            },
        ]));
    });
    let latest = client.latest_telemetry(DEVICE).await.expect("latest");
    assert_eq!(latest[0].attribute_name.as_deref(), Some("temperature"));
    assert_eq!(latest[0].attribute_value.as_deref(), Some("23.5"));
    assert_eq!(latest[0].data_type.as_deref(), Some("DECIMAL"));
    mock.assert_async().await;
}

#[tokio::test]
async fn get_recent_telemetry_sends_the_data_points_and_filter() {
    let (server, client) = start().await;
    let request = tt::RecentTelemetryRequest {
        child_unique_id: None,
        filter_attrs: Some(vec!["temperature".to_owned()]),
    };
    let mock = server.get_recent_telemetry(|when, then| {
        when.unique_id("sensor-01")
            .data_points(10)
            .body(&request)
            .into_inner()
            .path("/Telemetry/device/sensor-01/recent/10")
            .json_body(json!({"filterAttrs": ["temperature"]}));
        then.ok(&tt::TelemetryFeedEnvelope::from_data(feed(None)));
    });
    let points = client
        .telemetry()
        .get_recent_telemetry()
        .unique_id("sensor-01")
        .data_points(10)
        .body(request.clone())
        .send()
        .data()
        .await
        .expect("points");
    let feed = points.feed.expect("feed");
    assert_eq!(feed.len(), 2);
    assert_eq!(feed[0].d_time.as_deref(), Some("2026-06-24T17:23:59.590Z"));
    assert_eq!(
        feed[0].attr.as_ref().and_then(|a| a.get("temperature")),
        Some(&json!(23.5))
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn get_telemetry_history_encodes_the_dates_and_sends_the_continuation_token() {
    let (server, client) = start().await;
    let (from, to) = ("2026-06-24 16:00:00", "2026-06-24 18:00:00");
    let mock = server.get_telemetry_history(|when, then| {
        let when = when
            .unique_id("sensor-01")
            .from_date(from)
            .to_date(to)
            .continuation_token("page-2");
        // The space of the dates is percent-encoded in the path, the colons are not.
        query(when.into_inner(), &[("continuationToken", "page-2")]).path(
            "/Telemetry/attribute-history/device/sensor-01\
             /from/2026-06-24%2016:00:00/to/2026-06-24%2018:00:00",
        );
        then.ok(&tt::TelemetryFeedEnvelope::from_data(feed(Some("page-3"))));
    });
    let page = client
        .telemetry()
        .get_telemetry_history()
        .unique_id("sensor-01")
        .from_date(from)
        .to_date(to)
        .continuation_token("page-2")
        .send()
        .data()
        .await
        .expect("history");
    assert_eq!(page.continuation_token.as_deref(), Some("page-3"));
    assert_eq!(page.feed.map(|f| f.len()), Some(2));
    mock.assert_async().await;
}

#[tokio::test]
async fn query_telemetry_history_sends_the_range_attributes_and_page_size() {
    let (server, client) = start().await;
    let request: tt::AttributeHistoryRequest = from_json(json!({
        "fromDate": "2026-06-24", "toDate": "2026-06-25",
        "attributes": ["temperature"], "pageSize": 500
    }));
    let mock = server.query_telemetry_history(|when, then| {
        when.unique_id("sensor-01")
            .body(&request)
            .into_inner()
            .json_body(json!({"fromDate": "2026-06-24", "toDate": "2026-06-25",
                              "attributes": ["temperature"], "pageSize": 500}));
        then.ok(&tt::TelemetryFeedEnvelope::from_data(feed(None)));
    });
    let page = client
        .telemetry()
        .query_telemetry_history()
        .unique_id("sensor-01")
        .body(request.clone())
        .send()
        .data()
        .await
        .expect("history");
    assert_eq!(page.version.as_deref(), Some("2.1"));
    assert_eq!(page.continuation_token, None);
    mock.assert_async().await;
}

// ---------------------------------------------------------------------------------------
// Auth service
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn verify_token_sends_the_bearer() {
    let (server, client) = start().await;
    let mock = server.verify_token(|when, then| {
        when.into_inner().header("authorization", TEST_BEARER);
        then.ok(&iotconnect_sdk::auth::types::VerifyTokenEnvelope::from_data(vec![]));
    });
    let data = client
        .auth()
        .verify_token()
        .send()
        .items()
        .await
        .expect("verified");
    assert!(data.is_empty(), "{data:?}");
    mock.assert_async().await;
}

// ---------------------------------------------------------------------------------------
// "Not found", validation errors
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_409_on_the_unique_id_lookup_is_none_and_an_error_with_its_message_underneath() {
    let (server, client) = start().await;
    let mock = server.get_device_by_unique_id(|when, then| {
        when.unique_id("missing");
        then.client_error(
            409,
            &from_json(json!({"status": 409, "message": "DeviceNotFound", "error": []})),
        );
    });
    assert_eq!(
        client.device_by_unique_id("missing").await.expect("409"),
        None
    );
    let err = client
        .device()
        .get_device_by_unique_id()
        .unique_id("missing")
        .send()
        .await
        .expect_err("the generated call keeps the 409");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    assert!(err.is_not_found());
    assert_eq!(
        err.iotconnect().and_then(|e| e.message).as_deref(),
        Some("DeviceNotFound")
    );
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_404_on_a_template_is_none() {
    let (server, client) = start().await;
    let mock = server.get_template(|when, then| {
        when.device_template_guid("BBBBBBBB-0000-0000-0000-000000000000");
        then.client_error(
            404,
            &from_json(json!({"status": 404, "message": "TemplateNotFound"})),
        );
    });
    let template = client
        .template("BBBBBBBB-0000-0000-0000-000000000000")
        .await
        .expect("404 is no error");
    assert_eq!(template, None);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_list_answered_204_is_empty() {
    let (server, client) = start().await;
    let devices = server.list_devices(|when, then| {
        when.page_number(nz(1));
        then.into_inner().status(204);
    });
    let commands = server.list_template_commands(|when, then| {
        when.device_template_guid(TEMPLATE);
        then.into_inner().status(204);
    });
    let all: Vec<_> = client
        .devices(ListFilter::default())
        .try_collect()
        .await
        .expect("no devices");
    assert!(all.is_empty());
    let none = client
        .device()
        .list_template_commands()
        .device_template_guid(TEMPLATE)
        .send()
        .items()
        .await
        .expect("no commands");
    assert!(none.is_empty());
    devices.assert_async().await;
    commands.assert_async().await;
}

#[tokio::test]
async fn a_412_shows_its_status_message_and_per_parameter_errors() {
    let (server, client) = start().await;
    let mock = server.list_devices(|when, then| {
        when.sort_by("displayName asc");
        then.client_error(
            412,
            &from_json(json!({
                "status": 412, "message": "Validation failed",
                "error": [{"param": "sortBy", "message": "Invalid sort field"},
                          {"param": "pageSize", "message": "Must be at most 1000"}]
            })),
        );
    });
    let filter = ListFilter::default().sort_by("displayName asc");
    let err: Error = client.devices_page(&filter, nz(1)).await.expect_err("412");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(412));
    assert!(!err.is_not_found());
    let body = iotconnect_sdk::api_error(&err).expect("a typed error body");
    assert_eq!(body.status, Some(412));
    assert_eq!(body.message.as_deref(), Some("Validation failed"));
    assert_eq!(
        body.param("sortBy").and_then(|e| e.message.as_deref()),
        Some("Invalid sort field")
    );
    assert_eq!(body.errors[1].param.as_deref(), Some("pageSize"));
    assert_eq!(
        body.to_string(),
        "Validation failed (sortBy: Invalid sort field; pageSize: Must be at most 1000)"
    );
    assert_eq!(err.iotconnect(), Some(body));
    mock.assert_async().await;
}

// ---------------------------------------------------------------------------------------
// Paging streams
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_device_stream_walks_pages_until_a_short_one() {
    let (server, client) = start().await;
    let page = |n: u32, rows: std::ops::Range<usize>| {
        server.list_devices(move |when, then| {
            let when = when
                .page_number(nz(n))
                .page_size(nz(2))
                .sort_by("uniqueId asc");
            query(
                when.into_inner(),
                &[("pageNumber", &n.to_string()), ("pageSize", "2")],
            );
            then.ok(&dt::DeviceListEnvelope {
                count: Some(-1),
                ..dt::DeviceListEnvelope::from_data(rows.map(device_row).collect())
            });
        })
    };
    let pages = [page(1, 0..2), page(2, 2..4), page(3, 4..5), page(4, 5..5)];
    let filter = ListFilter::default()
        .page_size(nz(2))
        .sort_by("uniqueId asc");

    // Lazy: the first two devices need the first page only.
    let first: Vec<_> = client
        .devices(filter.clone())
        .take(2)
        .try_collect()
        .await
        .expect("two");
    assert_eq!(unique_ids(&first), ["sensor-00", "sensor-01"]);
    pages[0].assert_calls_async(1).await;
    pages[1].assert_calls_async(0).await;

    let all: Vec<_> = client.devices(filter).try_collect().await.expect("all");
    assert_eq!(
        unique_ids(&all),
        [
            "sensor-00",
            "sensor-01",
            "sensor-02",
            "sensor-03",
            "sensor-04"
        ]
    );
    for (page, calls) in pages.iter().zip([2, 1, 1, 0]) {
        page.assert_calls_async(calls).await;
    }
}

#[tokio::test]
async fn the_user_stream_stops_at_the_count() {
    let (server, client) = start().await;
    let page = |n: u32, rows: std::ops::Range<usize>| {
        server.list_users(move |when, then| {
            when.page_number(nz(n)).page_size(nz(2));
            then.ok(&ut::UserListEnvelope {
                count: Some(4),
                ..ut::UserListEnvelope::from_data(rows.map(user_row).collect())
            });
        })
    };
    // Page 2 is full, but the count says it is the last; page 3 would repeat users.
    let pages = [page(1, 0..2), page(2, 2..4), page(3, 0..2)];
    let users: Vec<_> = client
        .users(ListFilter::default().page_size(nz(2)))
        .try_collect()
        .await
        .expect("users");
    let ids: Vec<_> = users.iter().filter_map(|u| u.user_id.as_deref()).collect();
    assert_eq!(
        ids,
        [
            "user0@example.com",
            "user1@example.com",
            "user2@example.com",
            "user3@example.com"
        ]
    );
    for (page, calls) in pages.iter().zip([1, 1, 0]) {
        page.assert_calls_async(calls).await;
    }
}

#[tokio::test]
async fn the_template_stream_follows_the_count_past_short_pages() {
    let (server, client) = start().await;
    // Asked for 3 per page, the server caps pages at 2 but says there are 5.
    let page = |n: u32, rows: std::ops::Range<usize>| {
        server.list_templates(move |when, then| {
            when.page_number(nz(n)).page_size(nz(3));
            let items = rows
                .map(|i| dt::TemplateListItem {
                    guid: Some(format!("T{i}")),
                    ..Default::default()
                })
                .collect();
            then.ok(&dt::TemplateListEnvelope {
                count: Some(5),
                ..dt::TemplateListEnvelope::from_data(items)
            });
        })
    };
    let pages = [page(1, 0..2), page(2, 2..4), page(3, 4..5), page(4, 5..5)];
    let templates: Vec<_> = client
        .templates(ListFilter::default().page_size(nz(3)))
        .try_collect()
        .await
        .expect("templates");
    assert_eq!(templates.len(), 5);
    for (page, calls) in pages.iter().zip([1, 1, 1, 0]) {
        page.assert_calls_async(calls).await;
    }
}
