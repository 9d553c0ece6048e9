//! The hand-written layer over the generated operations, against a mock: envelopes unwrapped,
//! `data[0]` of single-object lookups, "not found" (409, 204, 404) as `None`, the typed error
//! body with its per-parameter errors, lazy streams over paged lists, lenient decoding.

use std::num::NonZeroU32;

use futures::{StreamExt as _, TryStreamExt as _};
use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
use iotconnect_sdk::{
    ApiError, Auth, Client, Error, ErrorExt as _, ListFilter, StaticToken, api_error, auth, device,
    reqwest, telemetry, user,
};
use serde_json::json;

/// A client for every service on the mock, with a static bearer token `t`.
fn client(server: &MockServer) -> Client {
    let url = server.base_url();
    let layer = Auth::new(StaticToken::new("t").expect("a non-empty token"));
    let http = reqwest::Client::new();
    Client::from_parts(
        auth::Client::new_with_client(&url, http.clone(), layer.clone()),
        device::Client::new_with_client(&url, http.clone(), layer.clone()),
        user::Client::new_with_client(&url, http.clone(), layer.clone()),
        telemetry::Client::new_with_client(&url, http, layer),
    )
}

fn size(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("not zero")
}

#[tokio::test]
async fn a_lookup_returns_data_0_and_tolerates_unknown_and_mixed_case_keys() {
    let server = MockServer::start_async().await;
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/Device/uniqueId/sensor-01")
            .header("authorization", "Bearer t");
        then.status(200).json_body(json!({
            "status": 200, "message": "Device information received", "count": 1,
            "invokingUser": "someone", "Params": {"x": 1},
            "data": [{
                "guid": "47A92FDB-7220-4C3E-A56D-3C190BA9630D", "uniqueId": "sensor-01",
                "displayName": "Sensor 01", "IsAcquired": 1, "IsAllottedDevice": 0,
                "entityGuid": "53E7B522-7F8E-4697-A10F-000000000001", "note": null,
                "somethingNew": {"nested": [1, 2]}
            }, {"guid": "SECOND", "uniqueId": "sensor-01"}]
        }));
    });
    let found = client(&server)
        .device_by_unique_id("sensor-01")
        .await
        .expect("the call")
        .expect("a device");
    mock.assert_async().await;
    assert_eq!(found.unique_id.as_deref(), Some("sensor-01"));
    assert_eq!(
        found.guid.as_deref(),
        Some("47A92FDB-7220-4C3E-A56D-3C190BA9630D")
    );
    assert_eq!(found.display_name.as_deref(), Some("Sensor 01"));
    assert_eq!(found.note, None);
}

#[tokio::test]
async fn not_found_as_409_204_404_or_an_empty_list_is_none() {
    let server = MockServer::start_async().await;
    let c = client(&server);
    server.mock(|when, then| {
        when.method(GET).path("/Device/uniqueId/missing");
        then.status(409)
            .json_body(json!({"status": 409, "message": "DeviceNotFound", "error": []}));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/Device/AAAAAAAA-0000-0000-0000-000000000000");
        then.status(204);
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/device-template/BBBBBBBB-0000-0000-0000-000000000000");
        then.status(404);
    });
    server.mock(|when, then| {
        when.method(GET).path("/device-template/template-code/NOPE");
        then.status(409)
            .json_body(json!({"status": 409, "message": "TemplateNotFound", "error": null}));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/User/CCCCCCCC-0000-0000-0000-000000000000");
        then.status(404)
            .json_body(json!({"status": 404, "message": "UserNotFound"}));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/Entity/DDDDDDDD-0000-0000-0000-000000000000");
        then.status(200)
            .json_body(json!({"status": 200, "message": "", "data": []}));
    });
    assert!(
        c.device_by_unique_id("missing")
            .await
            .expect("409")
            .is_none()
    );
    assert!(
        c.device_by_guid("AAAAAAAA-0000-0000-0000-000000000000")
            .await
            .expect("204")
            .is_none()
    );
    assert!(
        c.template("BBBBBBBB-0000-0000-0000-000000000000")
            .await
            .expect("404")
            .is_none()
    );
    assert!(c.template_by_code("NOPE").await.expect("409").is_none());
    assert!(
        c.user_by_guid("CCCCCCCC-0000-0000-0000-000000000000")
            .await
            .expect("404")
            .is_none()
    );
    assert!(
        c.entity("DDDDDDDD-0000-0000-0000-000000000000")
            .await
            .expect("empty data")
            .is_none()
    );
}

#[tokio::test]
async fn a_generated_call_surfaces_204_as_an_api_error_with_that_status() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET)
            .path("/Device/EEEEEEEE-0000-0000-0000-000000000000");
        then.status(204);
    });
    let err = client(&server)
        .device()
        .get_device()
        .device_guid("EEEEEEEE-0000-0000-0000-000000000000")
        .send()
        .await
        .expect_err("204 is not declared");
    assert!(matches!(err, Error::Api { status, .. } if status.as_u16() == 204));
    assert!(err.is_not_found());
}

#[tokio::test]
async fn other_failures_of_a_lookup_stay_errors() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/Device/uniqueId/forbidden");
        then.status(403)
            .json_body(json!({"status": 403, "message": "Unauthorized section"}));
    });
    let err = client(&server)
        .device_by_unique_id("forbidden")
        .await
        .expect_err("403 is an error");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(
        err.iotconnect().and_then(|e| e.message).as_deref(),
        Some("Unauthorized section")
    );
}

#[tokio::test]
async fn an_error_body_is_typed_with_its_per_parameter_errors() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET)
            .path("/Device")
            .query_param("sortBy", "displayName asc");
        then.status(412)
            .header("content-type", "application/json")
            .body(
                r#"{"status": 412, "message": "Validation failed", "extra": true,
                "error": [{"param": "sortBy", "message": "Invalid sort field", "code": 7},
                          {"Param": "pageSize", "Message": "Too large"}]}"#,
            );
    });
    let err = client(&server)
        .devices_page(&ListFilter::default().sort_by("displayName asc"), size(1))
        .await
        .expect_err("412");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(412));
    let body: ApiError = api_error(&err).expect("a typed body");
    assert_eq!(body.status, Some(412));
    assert_eq!(body.message.as_deref(), Some("Validation failed"));
    assert_eq!(body.errors.len(), 2);
    assert_eq!(
        body.param("sortby").and_then(|e| e.message.as_deref()),
        Some("Invalid sort field")
    );
    assert_eq!(body.errors[1].param.as_deref(), Some("pageSize"));
    assert_eq!(body.errors[1].message.as_deref(), Some("Too large"));
    assert_eq!(
        body.to_string(),
        "Validation failed (sortBy: Invalid sort field; pageSize: Too large)"
    );
    assert_eq!(err.iotconnect(), Some(body));
    assert!(!err.is_not_found());
}

#[tokio::test]
async fn a_conflict_on_create_is_an_error_not_a_none() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST).path("/Device");
        then.status(409)
            .json_body(json!({"Status": 409, "Message": "UniqueIdAlreadyExists",
                                           "Error": [{"param": "uniqueId", "message": "taken"}]}));
    });
    let body = serde_json::from_value(json!({
        "deviceTemplateGuid": "56C23E41-116E-4C7B-BEE7-A0974DD64225",
        "displayName": "Sensor 01",
        "entityGuid": "53E7B522-7F8E-4697-A10F-000000000001",
        "uniqueId": "sensor-01"
    }))
    .expect("a create request");
    let err = client(&server).create_device(body).await.expect_err("409");
    let typed = err.iotconnect().expect("typed");
    assert_eq!(typed.status, Some(409));
    assert_eq!(typed.message.as_deref(), Some("UniqueIdAlreadyExists"));
    assert_eq!(typed.errors[0].param.as_deref(), Some("uniqueId"));
}

#[tokio::test]
async fn non_json_or_non_object_error_bodies_give_no_typed_body() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/Device/uniqueId/html");
        then.status(403).body("<html>denied</html>");
    });
    server.mock(|when, then| {
        when.method(GET).path("/Device/uniqueId/array");
        then.status(403).json_body(json!(["no"]));
    });
    let c = client(&server);
    let err = c.device_by_unique_id("html").await.expect_err("403");
    assert_eq!(api_error(&err), None);
    let err = c.device_by_unique_id("array").await.expect_err("403");
    assert_eq!(api_error(&err), None);
}

#[tokio::test]
async fn create_update_delete_unwrap_their_answers() {
    let server = MockServer::start_async().await;
    let create = server.mock(|when, then| {
        when.method(POST)
            .path("/Device")
            .json_body_includes(r#"{"uniqueId": "sensor-01"}"#);
        then.status(200)
            .json_body(json!({"status": 200, "message": "Device created",
            "data": [{"newid": "47a92fdb-7220-4c3e-a56d-3c190ba9630d", "uniqueId": "sensor-01",
                      "somethingNew": 1}]}));
    });
    let update = server.mock(|when, then| {
        when.method(PUT)
            .path("/Device/47A92FDB-7220-4C3E-A56D-3C190BA9630D")
            .json_body_includes(r#"{"displayName": "Renamed"}"#);
        then.status(200)
            .json_body(json!({"status": 200, "message": "Device updated", "data": []}));
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE)
            .path("/Device/47A92FDB-7220-4C3E-A56D-3C190BA9630D");
        then.status(200)
            .json_body(json!({"status": 200, "message": "Device deleted", "data": []}));
    });
    let c = client(&server);
    let created = c
        .create_device(
            serde_json::from_value(json!({
                "deviceTemplateGuid": "56C23E41-116E-4C7B-BEE7-A0974DD64225",
                "displayName": "Sensor 01",
                "entityGuid": "53E7B522-7F8E-4697-A10F-000000000001",
                "uniqueId": "sensor-01"
            }))
            .expect("a create request"),
        )
        .await
        .expect("created");
    assert_eq!(
        created.newid.as_deref(),
        Some("47a92fdb-7220-4c3e-a56d-3c190ba9630d")
    );
    c.update_device(
        "47A92FDB-7220-4C3E-A56D-3C190BA9630D",
        serde_json::from_value(json!({
            "displayName": "Renamed",
            "entityGuid": "53E7B522-7F8E-4697-A10F-000000000001"
        }))
        .expect("an update request"),
    )
    .await
    .expect("updated");
    c.delete_device("47A92FDB-7220-4C3E-A56D-3C190BA9630D")
        .await
        .expect("deleted");
    create.assert_async().await;
    update.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn a_create_answer_without_items_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST).path("/Device");
        then.status(200)
            .json_body(json!({"status": 200, "message": "ok", "data": []}));
    });
    let err = client(&server)
        .create_device(
            serde_json::from_value(json!({
                "deviceTemplateGuid": "56C23E41-116E-4C7B-BEE7-A0974DD64225",
                "displayName": "Sensor 01",
                "entityGuid": "53E7B522-7F8E-4697-A10F-000000000001",
                "uniqueId": "sensor-01"
            }))
            .expect("a create request"),
        )
        .await
        .expect_err("no item");
    assert!(matches!(err, Error::Decode { .. }));
}

fn devices(from: usize, n: usize) -> serde_json::Value {
    let items: Vec<_> = (from..from + n)
        .map(|i| json!({"uniqueId": format!("d{i}"), "IsAcquired": 1, "new": i}))
        .collect();
    json!({"status": 200, "message": "", "count": -1, "data": items})
}

#[tokio::test]
async fn the_device_stream_pages_lazily_until_a_short_page() {
    let server = MockServer::start_async().await;
    let page = |n: u32, body: serde_json::Value| {
        server.mock(move |when, then| {
            when.method(GET)
                .path("/Device")
                .header("authorization", "Bearer t")
                .query_param("pageNumber", n.to_string())
                .query_param("pageSize", "2")
                .query_param("sortBy", "uniqueId asc");
            then.status(200).json_body(body);
        })
    };
    let p1 = page(1, devices(0, 2));
    let p2 = page(2, devices(2, 2));
    let p3 = page(3, devices(4, 1));
    let p4 = page(4, devices(5, 0));
    let c = client(&server);
    let filter = ListFilter::default()
        .page_size(size(2))
        .sort_by("uniqueId asc");

    // Lazy: taking two items asks for the first page only.
    let two: Vec<_> = c
        .devices(filter.clone())
        .take(2)
        .try_collect()
        .await
        .expect("two");
    assert_eq!(two.len(), 2);
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(0).await;

    let all: Vec<_> = c.devices(filter).try_collect().await.expect("all");
    let ids: Vec<_> = all.iter().filter_map(|d| d.unique_id.as_deref()).collect();
    assert_eq!(ids, ["d0", "d1", "d2", "d3", "d4"]);
    p1.assert_calls_async(2).await;
    p2.assert_calls_async(1).await;
    p3.assert_calls_async(1).await;
    p4.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_user_stream_stops_when_count_is_reached() {
    let server = MockServer::start_async().await;
    let page = |n: u32, from: usize| {
        server.mock(move |when, then| {
            when.method(GET)
                .path("/User")
                .query_param("pageNumber", n.to_string())
                .query_param("pageSize", "2");
            let items: Vec<_> = (from..from + 2)
                .map(|i| json!({"guid": format!("U{i}"), "userId": format!("u{i}@example.com")}))
                .collect();
            then.status(200)
                .json_body(json!({"invokingUser": "U0", "status": 200,
                "message": "", "count": 4, "data": items}));
        })
    };
    let p1 = page(1, 0);
    let p2 = page(2, 2);
    let p3 = page(3, 4);
    let users: Vec<_> = client(&server)
        .users(ListFilter::default().page_size(size(2)))
        .try_collect()
        .await
        .expect("users");
    assert_eq!(users.len(), 4);
    assert_eq!(users[3].guid.as_deref(), Some("U3"));
    p1.assert_calls_async(1).await;
    p2.assert_calls_async(1).await;
    p3.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_stream_with_a_total_follows_it_past_pages_the_server_shortened() {
    let server = MockServer::start_async().await;
    // Asked for 3 per page, the server sends 2 (its own cap) but says there are 5.
    let page = |n: u32, from: usize, len: usize| {
        server.mock(move |when, then| {
            when.method(GET)
                .path("/device-template")
                .query_param("pageNumber", n.to_string())
                .query_param("pageSize", "3");
            let items: Vec<_> = (from..from + len)
                .map(|i| json!({"guid": format!("T{i}"), "Code": "mixed"}))
                .collect();
            then.status(200)
                .json_body(json!({"status": 200, "count": 5, "data": items}));
        })
    };
    let p1 = page(1, 0, 2);
    let p2 = page(2, 2, 2);
    let p3 = page(3, 4, 1);
    let p4 = page(4, 5, 0);
    let all: Vec<_> = client(&server)
        .templates(ListFilter::default().page_size(size(3)))
        .try_collect()
        .await
        .expect("templates");
    assert_eq!(all.len(), 5);
    for p in [&p1, &p2, &p3] {
        p.assert_calls_async(1).await;
    }
    p4.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_list_answered_204_is_empty() {
    let server = MockServer::start_async().await;
    let templates = server.mock(|when, then| {
        when.method(GET)
            .path("/device-template")
            .query_param("pageNumber", "1")
            .query_param("pageSize", "100");
        then.status(204);
    });
    server.mock(|when, then| {
        when.method(GET).path("/Entity");
        then.status(204);
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/Telemetry/device/47A92FDB-7220-4C3E-A56D-3C190BA9630D");
        then.status(204);
    });
    let c = client(&server);
    let all: Vec<_> = c
        .templates(ListFilter::default())
        .try_collect()
        .await
        .expect("templates");
    assert!(all.is_empty());
    templates.assert_calls_async(1).await;
    assert!(c.entities().await.expect("entities").is_empty());
    assert!(
        c.latest_telemetry("47A92FDB-7220-4C3E-A56D-3C190BA9630D")
            .await
            .expect("telemetry")
            .is_empty()
    );
}

#[tokio::test]
async fn templates_entities_and_latest_telemetry_unwrap() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/device-template/template-code/SENS");
        then.status(200)
            .json_body(json!({"status": 200, "templateAutoPush": true,
            "data": [{"guid": "56C23E41-116E-4C7B-BEE7-A0974DD64225", "authType": 3,
                      "unknown": "x"}]}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/Entity");
        then.status(200).json_body(json!({"status": 200, "message": "", "count": 2, "data": [
            {"guid": "53E7B522-7F8E-4697-A10F-000000000001", "name": "Acme", "parentEntityGuid": null},
            {"guid": "53E7B522-7F8E-4697-A10F-000000000002", "name": "Room23",
             "parentEntityGuid": "53E7B522-7F8E-4697-A10F-000000000001"}]}));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/Telemetry/device/47A92FDB-7220-4C3E-A56D-3C190BA9630D");
        then.status(200)
            .json_body(json!({"status": 200, "message": "", "count": 1, "data": [
            {"attributeName": "temperature", "attributeValue": "23.5", "DataType": "DECIMAL",
             "aggregateType": null, "brandNew": [1]}]}));
    });
    let c = client(&server);
    let template = c
        .template_by_code("SENS")
        .await
        .expect("call")
        .expect("found");
    assert_eq!(template.auth_type, Some(3));
    let entities: Vec<_> = c.entities_stream().try_collect().await.expect("entities");
    assert_eq!(entities.len(), 2);
    assert_eq!(entities[0].parent_entity_guid, None);
    let latest = c
        .latest_telemetry("47A92FDB-7220-4C3E-A56D-3C190BA9630D")
        .await
        .expect("latest");
    assert_eq!(latest[0].attribute_value.as_deref(), Some("23.5"));
    assert_eq!(latest[0].data_type.as_deref(), Some("DECIMAL"));
}

#[tokio::test]
async fn a_search_text_is_refused_where_the_list_has_none() {
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(500);
    });
    let client = client(&server);
    let filter = ListFilter::default().search_text("pump");
    for result in [
        client
            .devices(filter.clone())
            .try_collect::<Vec<_>>()
            .await
            .map(|_| ()),
        client
            .templates(filter.clone())
            .try_collect::<Vec<_>>()
            .await
            .map(|_| ()),
        client
            .users(filter)
            .try_collect::<Vec<_>>()
            .await
            .map(|_| ()),
    ] {
        let err = result.expect_err("no search text on these lists");
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains("search text")),
            "{err:?}"
        );
    }
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn attribute_command_and_lifecycle_streams_send_the_search_text_as_each_spells_it() {
    let server = MockServer::start_async().await;
    let guid = "5A1B0B3C-0000-4000-8000-000000000001";
    let attributes = [1, 2].map(|page| {
        server.mock(|when, then| {
            when.method(GET)
                .path(format!("/template-attribute/{guid}"))
                .query_param("searchtext", "temp")
                .query_param("pageNumber", page.to_string())
                .query_param("pageSize", "2");
            let items: Vec<_> = (0..if page == 1 { 2 } else { 1 })
                .map(|i| json!({"guid": format!("A-{page}-{i}"), "localName": "temp", "Extra": 1}))
                .collect();
            then.status(200)
                .json_body(json!({"data": items, "status": 200, "count": 3}));
        })
    });
    let commands = server.mock(|when, then| {
        when.method(GET)
            .path(format!("/template-command/{guid}"))
            .query_param("searchText", "reboot");
        then.status(200).json_body(
            json!({"data": [{"guid": "C-1", "name": "reboot"}], "status": 200, "count": 1}),
        );
    });
    let lifecycle = server.mock(|when, then| {
        when.method(GET)
            .path("/Device/pump-7/lifecycle")
            .query_param("searchtext", "active");
        then.status(200)
            .json_body(json!({"data": [{"status": "Active"}], "status": 200, "count": 1}));
    });
    let client = client(&server);
    let found: Vec<_> = client
        .template_attributes(
            guid,
            ListFilter::default().page_size(size(2)).search_text("temp"),
        )
        .try_collect()
        .await
        .expect("attributes");
    assert_eq!(found.len(), 3);
    let found: Vec<_> = client
        .template_commands(guid, ListFilter::default().search_text("reboot"))
        .try_collect()
        .await
        .expect("commands");
    assert_eq!(found.len(), 1);
    let found: Vec<_> = client
        .device_lifecycle("pump-7", ListFilter::default().search_text("active"))
        .try_collect()
        .await
        .expect("lifecycle");
    assert_eq!(found[0].status.as_deref(), Some("Active"));
    for mock in &attributes {
        mock.assert_async().await;
    }
    commands.assert_async().await;
    lifecycle.assert_async().await;
}
