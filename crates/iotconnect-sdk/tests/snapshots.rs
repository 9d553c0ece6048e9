//! Snapshots (insta, under tests/snapshots/) of what the SDK decodes from realistic IoTConnect
//! answers: a device list page, a device detail, a template, template attributes, a user list
//! page and a user, the entity tree and an entity, latest telemetry, a recent telemetry feed
//! and a history page, and the base URLs discovery yields. The payloads follow the vendor's
//! member names and carry what real answers carry besides: members the SDK does not know,
//! `null`s, and keys whose casing differs from the documented one (`IsAcquired`,
//! `createdby`/`createdBy`, `DataType`, `dms-version`). Each answer is served by a mock and
//! read through the SDK's own call, so the snapshot is the value a user gets.

// The payloads are long `json!` literals.
#![recursion_limit = "256"]

use iotconnect_sdk::{Client, ClientInfo as _, Credentials, Environment, Platform, RetryPolicy};
use iotconnect_sdk_httpmock::httpmock::MockServer;
use serde_json::{Value, json};

const DEVICE: &str = "47A92FDB-7220-4C3E-A56D-3C190BA9630D";
const TEMPLATE: &str = "56C23E41-116E-4C7B-BEE7-A0974DD64225";
const ENTITY: &str = "53E7B522-7F8E-4697-A10F-000000000001";
const USER: &str = "0B7C1A2E-1111-4A4A-9C9C-123456789ABC";

/// A mock that answers every request with `body` (status 200), and a client pointed at it.
async fn serve(body: Value) -> (MockServer, Client) {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_when, then| {
            then.status(200)
                .header("content-type", "application/json")
                .body(body.to_string());
        })
        .await;
    let client = iotconnect_sdk_httpmock::client(&server);
    (server, client)
}

#[tokio::test]
async fn device_list_page() {
    // The first row is as captured from a live tenant (PascalCase `IsAcquired` and
    // `IsAllottedDevice`); the second uses the other casing (`isAcquired`,
    // `isAllottedDevice`). Both rows' flags must decode: the generated models accept either
    // case of a member's first letter (xtask's `case_aliases` pass). Before that pass the
    // captured row's `IsAllottedDevice` decoded as `None`.
    let (_server, client) = serve(json!({
        "status": 200, "message": "Device list received", "count": -1, "Params": {},
        "data": [
            {
                "IsAcquired": true, "IsAllottedDevice": 0, "allottedDevicePermission": null,
                "authType": 3, "authenticationType": null, "childDeviceCount": 0, "count": 0,
                "deviceInfo": null, "deviceStatus": "Acquired",
                "deviceTemplateGuid": TEMPLATE, "deviceTemplateName": "ACG Self Signed Cert 1",
                "displayName": "ACG SSC VM1", "entityName": "Engineering Lab",
                "firmwareupgradeGuid": null, "guid": DEVICE, "isActive": true,
                "isConnected": false, "isDpsDevice": false, "isSharedDevice": false,
                "isSolutionTemplate": false, "isType2Support": false,
                "lastCommunication": "2022-11-28T16:29:12.483Z",
                "lastConnection": "2022-11-28T16:10:00.223Z", "lastactivityDate": null,
                "messageVersion": null, "parentCompanyGuid": null, "recentAttrValue": null,
                "reportingTo": "Avnet - IOTCP00003",
                "solutionGuid": "F74434BC-1623-4524-85ED-83A54E00C5DC", "solutionName": null,
                "uniqueId": "acg-ssc-VM1"
            },
            {
                "guid": "9C1F2A3B-4D5E-4F60-8A7B-0C1D2E3F4A5B", "uniqueId": "sensor-02",
                "displayName": "Sensor 02", "isConnected": true, "isActive": true,
                "isAcquired": true, "isAllottedDevice": 0, "deviceStatus": "Acquired",
                "deviceTemplateGuid": TEMPLATE, "deviceTemplateName": "envmon", "authType": 3,
                "messageVersion": "2.1", "entityName": "Lab", "childDeviceCount": 0,
                "lastConnection": "2026-06-24T17:10:00.223Z",
                "lastCommunication": "2026-06-24T17:23:59.590Z",
                "properties": [{"guid": "E1E1E1E1-0000-4000-8000-000000000001",
                                "propertyGuid": "E2E2E2E2-0000-4000-8000-000000000002",
                                "deviceGuid": "9C1F2A3B-4D5E-4F60-8A7B-0C1D2E3F4A5B",
                                "name": "colour", "value": "blue", "fieldType": "text",
                                "options": null}],
                "recentAttrValue": [{"temperature": "23.5"}],
                "groupName": null, "productName": null
            }
        ]
    }))
    .await;
    let page = client
        .device()
        .list_devices()
        .send()
        .await
        .expect("a device list")
        .into_inner();
    insta::assert_debug_snapshot!(page);
}

#[tokio::test]
async fn device_detail() {
    let (_server, client) = serve(json!({
        "status": 200, "message": "Device information received", "count": 1,
        "data": [{
            "guid": DEVICE, "uniqueId": "sensor-01", "displayName": "Sensor 01",
            "isConnected": true, "lastActivityDate": "2026-06-24T17:23:59.590Z",
            "isActive": true, "firmwareUpgradeGuid": null, "deviceTemplateGuid": TEMPLATE,
            "entityGuid": ENTITY, "certificateGuid": null, "certificateName": null,
            "certificateType": 0, "deviceTemplateAuthType": 3, "entityName": "Lab",
            "deviceTemplateName": "envmon", "note": null, "image": null,
            "cpId": "97FF86E8728645E9B89F7B07977E4B15", "isAcquired": 1, "firmwareAvail": 0,
            "parentDeviceGuid": null, "tag": null, "parentDeviceUniqueId": null,
            "isParentAcquired": 0, "isSimulatorOn": 0, "isType2Support": false,
            "isEdgeSupport": false, "isAllottedDevice": 0,
            "allottedDevicePermission": {"canEdit": true, "canDelete": false},
            "imageUrl": null, "properties": [], "deviceStatus": "Acquired",
            "isLowBandwidth": false, "isIotEdgeEnable": false, "isSolutionTemplate": false,
            "fileSupport": false, "msgCode": "43WPJCX", "messageVersion": "2.1",
            "hasTwin": true, "hasDirectMethod": false, "parentCompanyGuid": null,
            "companyGuid": "43E26694-55DA-44CE-956D-B026B76D7BBE",
            "lastConnection": "2026-06-24T17:10:00.223Z", "isDpsDevice": false
        }]
    }))
    .await;
    let device = client
        .device_by_unique_id("sensor-01")
        .await
        .expect("the call")
        .expect("a device");
    insta::assert_debug_snapshot!(device);
}

#[tokio::test]
async fn template_detail() {
    let (_server, client) = serve(json!({
        "status": 200, "message": "", "count": 1, "templateAutoPush": false,
        "data": [{
            "guid": TEMPLATE, "templateCode": "envmon", "templateName": "Env Monitor",
            "createdDate": "2026-05-01T08:00:00Z", "createdBy": USER,
            "updatedDate": "2026-05-02T09:30:00Z", "updatedBy": USER,
            "firmwareGuid": null, "firmwareName": null, "isEdgeSupport": false,
            "reqAttrPush": false, "reqSettingPush": null, "authType": 3,
            "isType2Support": false, "tag": null, "attrXml": null, "attributes": null,
            "settingXml": null, "settings": [], "commandXml": null, "directMethods": [],
            "isValidateTemplate": 1, "isValidEdgeSupport": 0, "isValidType2Support": 0,
            "isAttachedWithDevice": true, "dataLength": 0, "isLowBandwidth": false,
            "isIotEdgeEnable": false, "isSolutionTemplate": false, "messageVersion": "2.1",
            "greenGrass": null,
            "property": {"description": "Environment monitor", "dataFrequency": "60",
                         "fileSupport": false},
            "commands": [{
                "guid": "C0FFEE00-1111-2222-3333-444455556666", "name": "Reboot",
                "command": "reboot", "requiredParam": false, "requiredAck": true,
                "isOTACommand": false, "isTemplateCommandUsed": false, "tag": null,
                "createdDate": "2026-05-01T08:00:00Z", "createdby": USER,
                "updatedDate": "2026-05-01T08:00:00Z", "updatedBy": null, "devices": null
            }]
        }]
    }))
    .await;
    let template = client
        .device()
        .get_template_by_code()
        .template_code("envmon")
        .send()
        .await
        .expect("a template")
        .into_inner();
    insta::assert_debug_snapshot!(template);
}

#[tokio::test]
async fn template_attributes() {
    let (_server, client) = serve(json!({
        "status": 200, "message": "", "count": 3, "isValidateTemplate": true,
        "data": [
            {"guid": "AA000000-0000-0000-0000-000000000001", "localName": "temperature",
             "displayName": "temperature", "description": null,
             "dataTypeGuid": "DD000000-0000-0000-0000-000000000001", "dataTypeName": "DECIMAL",
             "createdDate": "2026-05-01T08:00:00Z", "createdby": USER,
             "updatedDate": "2026-05-01T08:00:00Z", "dataValidation": "-40 to 85",
             "unit": "C", "tag": "", "sequence": 1, "parentTemplateAttributeGuid": null,
             "isTemplateAttributeUsed": true, "isTagUsed": false,
             "aggregateType": ["Min", "Max", "Average"], "aggregateTypeCount": 3,
             "tumblingWindow": "5m", "startIndex": null, "numChar": null, "attributes": [],
             "isPowerBIAttributeUsed": false, "attributeColor": "#ff0000",
             "conditionBitValue": 0},
            {"guid": "AA000000-0000-0000-0000-000000000003", "localName": "gps",
             "dataTypeName": "OBJECT", "sequence": 2, "createdBy": USER,
             "attributes": [{"localName": "latitude", "dataTypeName": "DECIMAL"}]},
            {"guid": "AA000000-0000-0000-0000-000000000004", "localName": "latitude",
             "dataTypeName": "DECIMAL", "sequence": 3,
             "parentTemplateAttributeGuid": "AA000000-0000-0000-0000-000000000003"}
        ]
    }))
    .await;
    let attributes = client
        .device()
        .list_template_attributes()
        .device_template_guid(TEMPLATE)
        .send()
        .await
        .expect("attributes")
        .into_inner();
    insta::assert_debug_snapshot!(attributes);
}

#[tokio::test]
async fn user_list_page() {
    let (_server, client) = serve(json!({
        "invokingUser": USER, "status": 200, "message": "", "count": 1,
        "data": [{
            "guid": USER, "userId": "dev@example.com", "companyGuid":
            "43E26694-55DA-44CE-956D-B026B76D7BBE", "firstName": "Dev", "lastName": "User",
            "name": "Dev User", "contactNo": "1-5551234567",
            "timezoneGuid": "C41A0E73-E62B-4275-B236-19E894B80381", "imageName": null,
            "isActive": true, "isVerified": true, "isLocked": false, "userInfo": [],
            "roleGuid": "8E886552-0CDF-4969-B6A7-0FD312A9088D", "roleName": "Admin",
            "createdBy": USER, "updatedBy": null, "createdDate": "2025-01-01T00:00:00Z",
            "updatedDate": "2025-01-01T00:00:00Z", "entityGuid": ENTITY, "entityName": "Acme",
            "imageUrl": null, "invitationguid": null
        }]
    }))
    .await;
    let page = client
        .user()
        .list_users()
        .send()
        .await
        .expect("users")
        .into_inner();
    insta::assert_debug_snapshot!(page);
}

#[tokio::test]
async fn user_detail() {
    let (_server, client) = serve(json!({
        "status": 200, "message": "", "count": 1,
        "data": [{
            "userGuid": USER, "userId": "dev@example.com",
            "companyGuid": "43E26694-55DA-44CE-956D-B026B76D7BBE", "firstName": "Dev",
            "lastName": "User", "timezoneGuid": "C41A0E73-E62B-4275-B236-19E894B80381",
            "imageName": null, "isActive": true, "roleName": "Admin",
            "roleGuid": "8E886552-0CDF-4969-B6A7-0FD312A9088D", "contactNo": "1-5551234567",
            "entityName": "Acme", "userInfo": [{"guid": "F0F0F0F0-0000-4000-8000-000000000001",
                                                "value": "night shift"}],
            "createdBy": USER, "updatedBy": USER, "updatedByName": "Dev User",
            "createdDate": "01/01/2025 00:00:00", "updatedDate": "01/02/2025 10:30:00",
            "entityGuid": ENTITY, "parentEntityGuid": null, "companyLogo": null,
            "companyName": "Acme Corp", "companyCpid": "97FF86E8728645E9B89F7B07977E4B15",
            "timezoneOffset": "+00:00", "imageUrl": null, "companyLogoUrl": null,
            "dms-version": "2", "isCompanyAdmin": true
        }]
    }))
    .await;
    let user = client
        .user_by_guid(USER)
        .await
        .expect("the call")
        .expect("a user");
    insta::assert_debug_snapshot!(user);
}

#[tokio::test]
async fn entity_tree() {
    let (_server, client) = serve(json!({
        "status": 200, "message": "", "count": 3,
        "data": [
            {"guid": ENTITY, "name": "Acme", "parentEntityGuid": null, "parentName": null,
             "description": "", "childEntityLabel": "Site", "activeUserCount": 3,
             "inActiveUserCount": 0, "deviceCount": 12, "createdDate": "2025-01-01T00:00:00Z",
             "updatedDate": "2025-01-01T00:00:00Z", "createdby": USER},
            {"guid": "53E7B522-7F8E-4697-A10F-000000000002", "name": "Room23",
             "parentEntityGuid": ENTITY, "parentName": "Acme", "activeUserCount": 0,
             "inActiveUserCount": 0, "deviceCount": 4, "childEntityLabel": null},
            {"guid": "53E7B522-7F8E-4697-A10F-000000000003", "name": "Rack 1",
             "parentEntityGuid": "53E7B522-7F8E-4697-A10F-000000000002",
             "parentName": "Room23", "deviceCount": 0, "isDeleted": false}
        ]
    }))
    .await;
    let entities = client.entities().await.expect("entities");
    insta::assert_debug_snapshot!(entities);
}

#[tokio::test]
async fn entity_detail() {
    let (_server, client) = serve(json!({
        "status": 200, "message": "", "count": 1,
        "data": [{
            "guid": ENTITY, "name": "Acme", "parentEntityGuid": null, "description": "HQ",
            "childEntityLabel": "Site", "companyGuid": "43E26694-55DA-44CE-956D-B026B76D7BBE",
            "isDeleted": false, "createdDate": "2025-01-01T00:00:00Z", "createdBy": USER,
            "updatedDate": "2025-01-01T00:00:00Z", "updatedBy": USER, "address": "1 Main St",
            "city": "Phoenix", "stateGuid": null, "countryGuid": null,
            "timezoneGuid": "C41A0E73-E62B-4275-B236-19E894B80381", "defaultuserGuid": USER,
            "zipCode": "85001", "address2": null, "entityInfo": null
        }]
    }))
    .await;
    let entity = client
        .entity(ENTITY)
        .await
        .expect("the call")
        .expect("an entity");
    insta::assert_debug_snapshot!(entity);
}

#[tokio::test]
async fn latest_telemetry() {
    // Two rows for `temperature` (the service may repeat an attribute) and a capital-D
    // `DataType`, as the swagger spells it.
    let (_server, client) = serve(json!({
        "status": 200, "message": "", "count": 3,
        "data": [
            {"templateAttributeGuid": "AA000000-0000-0000-0000-000000000001",
             "attributeName": "temperature", "displayName": "temperature",
             "attributeValue": "23.5", "deviceUpdatedDate": "2026-06-24T17:23:59.590Z",
             "notificationCount": 0, "aggregateType": null, "DataType": "DECIMAL",
             "aggregateTypeValues": {"min": true, "max": true, "avg": false},
             "attributeColor": null},
            {"templateAttributeGuid": "AA000000-0000-0000-0000-000000000001",
             "attributeName": "temperature", "attributeValue": "23.4",
             "deviceUpdatedDate": "2026-06-24T17:22:59.120Z", "DataType": "DECIMAL"},
            {"templateAttributeGuid": "AA000000-0000-0000-0000-000000000002",
             "attributeName": "version", "attributeValue": "1.2.0",
             "deviceUpdatedDate": "2026-06-24T17:23:59.590Z", "DataType": "STRING",
             "brandNewMember": [1, 2]}
        ]
    }))
    .await;
    let latest = client.latest_telemetry(DEVICE).await.expect("latest");
    insta::assert_debug_snapshot!(latest);
}

#[tokio::test]
async fn recent_telemetry_feed() {
    let (_server, client) = serve(json!({
        "status": 200, "message": "", "count": null,
        "data": {"count": 2, "version": "2.1", "cpId": "97FF86E8728645E9B89F7B07977E4B15",
                 "feed": [
            {"uniqueId": "sensor-01", "dTime": "2026-06-24T17:23:59.590Z",
             "attr": {"temperature": 23.5, "version": "1.2.0",
                      "gps": {"latitude": 33.45, "longitude": -112.07}, "door": true}},
            {"uniqueId": "sensor-01", "dTime": "2026-06-24T17:22:59.120Z",
             "attr": {"temperature": 23.4}, "tg": "sensors"}
        ]}
    }))
    .await;
    let feed = client
        .telemetry()
        .get_recent_telemetry()
        .unique_id("sensor-01")
        .data_points(10)
        .body(iotconnect_sdk::telemetry::types::RecentTelemetryRequest {
            child_unique_id: None,
            filter_attrs: None,
        })
        .send()
        .await
        .expect("a feed")
        .into_inner();
    insta::assert_debug_snapshot!(feed);
}

#[tokio::test]
async fn telemetry_history_page() {
    let (_server, client) = serve(json!({
        "status": 200, "message": "", "count": null,
        "data": {"continuationToken": "eyJwYWdlIjoyfQ==", "feed": [
            {"uniqueId": "sensor-01", "dTime": "2026-06-24T17:23:59.590Z",
             "attr": {"temperature": 23.5, "version": "1.2.0"}}
        ]}
    }))
    .await;
    let page = client
        .telemetry()
        .get_telemetry_history()
        .unique_id("sensor-01")
        .from_date("2026-06-24 16:00:00")
        .to_date("2026-06-24 18:00:00")
        .send()
        .await
        .expect("a page")
        .into_inner();
    insta::assert_debug_snapshot!(page);
}

#[tokio::test]
async fn discovered_base_urls() {
    let server = MockServer::start_async().await;
    let base = server.base_url();
    let url = |service: &str| format!("{base}/{service}/api/v2.1");
    server
        .mock_async(|when, then| {
            when.path_includes("/api/uisdk/solutionkey/");
            then.status(200).json_body(json!({
                "status": 200, "message": "Success", "count": null,
                "data": {
                    "authBaseUrl": url("auth"), "userBaseUrl": url("user"),
                    "entityBaseUrl": url("user"), "deviceBaseUrl": url("device"),
                    "telemetryBaseUrl": url("telemetry"), "firmwareBaseUrl": url("firmware"),
                    "fileBaseUrl": url("file"), "eventBaseUrl": format!("{base}/event/api/v1.1"),
                    "dashboardBaseUrl": url("dashboard"), "faqBaseUrl": null,
                    "someFutureField": {"nested": true}
                }
            }));
        })
        .await;
    let client = Client::builder()
        .credentials(Credentials::new("dev@example.com", "pw", "solution-key").expect("creds"))
        .discovery_url(&base)
        .retry_policy(RetryPolicy::none())
        .discover(Environment::Poc, Platform::Aws)
        .await
        .expect("discovered");
    // The mock's port changes from run to run.
    let urls: Vec<(&str, String)> = [
        ("auth", client.auth().baseurl()),
        ("device", client.device().baseurl()),
        ("user", client.user().baseurl()),
        ("telemetry", client.telemetry().baseurl()),
    ]
    .into_iter()
    .map(|(service, url)| (service, url.replace(&base, "http://discovery.mock")))
    .collect();
    insta::assert_debug_snapshot!(urls);
}
