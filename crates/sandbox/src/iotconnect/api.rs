//! The device service (devices, templates, attributes) and the user service (users,
//! entities).

use std::cmp::Ordering;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Shared;
use super::auth::Caller;
use super::data::{Company, Device, Template, guid, last_message};
use super::errors::{ApiError, conflict, envelope, invalid, no_content, not_found, success};
use crate::shared::query::{PageRequest, Query};

/// Page size when a request names none (the C# SDK's default).
const DEFAULT_PAGE_SIZE: u32 = 10;
/// Larger page sizes are lowered to this.
const MAX_PAGE_SIZE: u32 = 1000;

/// `pageNumber` and `pageSize`; an unreadable or non-positive value is a 412.
fn page(query: &Query) -> Result<PageRequest, ApiError> {
    PageRequest::from_query(
        query,
        "pageNumber",
        "pageSize",
        DEFAULT_PAGE_SIZE,
        MAX_PAGE_SIZE,
    )
    .map_err(|message| {
        let param = if message.starts_with("pageSize") {
            "pageSize"
        } else {
            "pageNumber"
        };
        invalid(param, message)
    })
}

/// `searchText` (some endpoints spell it `searchtext`), lower-cased.
fn search_text(query: &Query) -> Option<String> {
    query
        .text("searchText")
        .or_else(|| query.text("searchtext"))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
}

/// `sortBy` as `(field, descending)`, the field checked against `allowed` (case-insensitive);
/// `ignored` fields are accepted and have no effect, anything else is a 412.
fn sort(
    query: &Query,
    allowed: &[&str],
    ignored: &[&str],
) -> Result<Option<(String, bool)>, ApiError> {
    let Some((field, descending)) = query
        .sort_spec("sortBy")
        .map_err(|m| invalid("sortBy", m))?
    else {
        return Ok(None);
    };
    if let Some(known) = allowed.iter().find(|a| a.eq_ignore_ascii_case(&field)) {
        return Ok(Some(((*known).to_owned(), descending)));
    }
    if ignored.iter().any(|a| a.eq_ignore_ascii_case(&field)) {
        return Ok(None);
    }
    Err(invalid("sortBy", "Invalid sort field"))
}

/// One page of `rows` in the envelope, or 204 when the page is empty.
fn page_answer(message: &str, page: PageRequest, rows: Vec<Value>, count: Value) -> Response {
    let rows: Vec<Value> = page.slice(&rows).to_vec();
    if rows.is_empty() {
        return no_content();
    }
    envelope(message, Value::Array(rows), count)
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_ascii_lowercase().contains(needle)
}

/// A JSON object body; a 412 naming `body` otherwise.
fn object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid("body", "the body must be a JSON object")),
    }
}

/// A required non-empty string member.
fn required<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, ApiError> {
    body.get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid(name, format!("The {name} field is required.")))
}

/// An optional string member (`null` and absent are `None`; another type is a 412).
fn optional(body: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(name, format!("The {name} field must be a string."))),
    }
}

// ----- devices -----

/// `GET /Device`: filters `UniqueId`, `TemplateGuid`, `EntityGuid`, `Status`, `searchText`;
/// `sortBy` `uniqueId`, `lastConnection` or `lastCommunication`; `count` is -1.
pub(crate) async fn list_devices(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    let page = page(&query)?;
    let sort = sort(
        &query,
        &["uniqueId", "lastConnection", "lastCommunication"],
        &["displayName"],
    )?;
    let unique_id = query.text("UniqueId").map(str::to_ascii_lowercase);
    let status = match query.text("Status").map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => None,
        Some("active") => Some(true),
        Some("inactive") => Some(false),
        Some(_) => return Err(invalid("Status", "Status must be active or inactive")),
    };
    let search = search_text(&query);
    let now = state.clock.now_unix();
    let company = state.company();
    let mut devices: Vec<&Device> = company
        .devices
        .iter()
        .filter(|d| {
            unique_id
                .as_deref()
                .is_none_or(|u| contains(&d.unique_id, u))
        })
        .filter(|d| {
            query
                .text("TemplateGuid")
                .is_none_or(|g| d.template_guid.eq_ignore_ascii_case(g))
        })
        .filter(|d| {
            query
                .text("EntityGuid")
                .is_none_or(|g| d.entity_guid.eq_ignore_ascii_case(g))
        })
        .filter(|d| status.is_none_or(|s| d.active == s))
        .filter(|d| {
            search
                .as_deref()
                .is_none_or(|s| contains(&d.unique_id, s) || contains(&d.display_name, s))
        })
        .collect();
    if let Some((field, descending)) = sort {
        let key = |d: &Device| -> (Option<i64>, String) {
            match field.as_str() {
                "lastConnection" => (d.reporting_since.filter(|&t| t <= now), d.unique_id.clone()),
                "lastCommunication" => (last_message(d, now), d.unique_id.clone()),
                _ => (None, d.unique_id.to_ascii_lowercase()),
            }
        };
        devices.sort_by_key(|d| key(d));
        if descending {
            devices.reverse();
        }
    }
    let rows = devices.iter().map(|d| company.device_row(d, now)).collect();
    Ok(page_answer("Device list received", page, rows, json!(-1)))
}

/// `GET /Device/uniqueId/{uniqueId}`: one `DeviceInformation` in an array; 409 when unknown.
pub(crate) async fn device_by_unique_id(
    State(state): State<Shared>,
    Path(unique_id): Path<String>,
) -> Result<Response, ApiError> {
    let now = state.clock.now_unix();
    let company = state.company();
    let device = company
        .device_by_unique_id(&unique_id)
        .ok_or_else(|| conflict("DeviceNotFound"))?;
    Ok(envelope(
        "Device information received",
        json!([company.device_detail(device, now)]),
        json!(1),
    ))
}

/// `GET /Device/{deviceGuid}` (used by clients though absent from the swagger): 409 when
/// unknown.
pub(crate) async fn device_by_guid(
    State(state): State<Shared>,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let now = state.clock.now_unix();
    let company = state.company();
    let device = company
        .device_by_guid(&guid)
        .ok_or_else(|| conflict("DeviceNotFound"))?;
    Ok(envelope(
        "Device information received",
        json!([company.device_detail(device, now)]),
        json!(1),
    ))
}

/// `POST /Device`: `{uniqueId, displayName, deviceTemplateGuid, entityGuid, note?, ...}`.
pub(crate) async fn create_device(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let unique_id = required(&body, "uniqueId")?.to_owned();
    let display_name = required(&body, "displayName")?.to_owned();
    let template_guid = required(&body, "deviceTemplateGuid")?.to_owned();
    let entity_guid = required(&body, "entityGuid")?.to_owned();
    let note = optional(&body, "note")?;
    if unique_id.len() > 128
        || !unique_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid(
            "uniqueId",
            "uniqueId takes 1 to 128 letters, digits, '-' or '_'",
        ));
    }
    let now = state.clock.now_unix();
    let mut company = state.company();
    if company.device_by_unique_id(&unique_id).is_some() {
        return Err(conflict("DeviceUniqueIdAlreadyExists"));
    }
    let template_guid = company
        .template(&template_guid)
        .map(|t| t.guid.clone())
        .ok_or_else(|| conflict("TemplateNotFound"))?;
    let entity_guid = company
        .entity(&entity_guid)
        .map(|e| e.guid.clone())
        .ok_or_else(|| conflict("EntityNotFound"))?;
    let device_guid = guid(&mut company.ids);
    let serial = company.next_serial;
    company.next_serial += 1;
    company.devices.push(Device {
        serial,
        guid: device_guid.clone(),
        unique_id: unique_id.clone(),
        display_name,
        template_guid,
        entity_guid: entity_guid.clone(),
        note,
        active: true,
        created: now,
        reporting_since: None,
    });
    let active = company.devices.iter().filter(|d| d.active).count();
    let inactive = company.devices.len() - active;
    Ok(envelope(
        "Device created",
        json!([{
            "newid": device_guid.to_ascii_lowercase(),
            "entityGuid": entity_guid,
            "uniqueId": unique_id,
            "ParentUniqueId": null,
            "activeDeviceCount": active,
            "inActiveDeviceCount": inactive,
        }]),
        json!(1),
    ))
}

/// `PUT /Device/{deviceGuid}`: `{displayName, entityGuid, note?}`.
pub(crate) async fn update_device(
    State(state): State<Shared>,
    Path(guid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let display_name = required(&body, "displayName")?.to_owned();
    let entity_guid = required(&body, "entityGuid")?.to_owned();
    let note = optional(&body, "note")?;
    let mut company = state.company();
    let entity_guid = company
        .entity(&entity_guid)
        .map(|e| e.guid.clone())
        .ok_or_else(|| conflict("EntityNotFound"))?;
    let device = company
        .devices
        .iter_mut()
        .find(|d| d.guid.eq_ignore_ascii_case(&guid))
        .ok_or_else(|| conflict("DeviceNotFound"))?;
    device.display_name = display_name;
    device.entity_guid = entity_guid;
    if body.contains_key("note") {
        device.note = note;
    }
    Ok(success("Device updated"))
}

/// `DELETE /Device/{deviceGuid}`: `data: []`; 409 when unknown.
pub(crate) async fn delete_device(
    State(state): State<Shared>,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let mut company = state.company();
    let before = company.devices.len();
    company
        .devices
        .retain(|d| !d.guid.eq_ignore_ascii_case(&guid));
    if company.devices.len() == before {
        return Err(conflict("DeviceNotFound"));
    }
    Ok(success("Device deleted"))
}

/// `PUT /Device/{deviceGuid}/status` with `{isActive}`: 409 if already in that state.
pub(crate) async fn device_status(
    State(state): State<Shared>,
    Path(guid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let Some(active) = body.get("isActive").and_then(Value::as_bool) else {
        return Err(invalid(
            "isActive",
            "The isActive field is required (true or false).",
        ));
    };
    let mut company = state.company();
    let device = company
        .devices
        .iter_mut()
        .find(|d| d.guid.eq_ignore_ascii_case(&guid))
        .ok_or_else(|| conflict("DeviceNotFound"))?;
    if device.active == active {
        return Err(conflict(if active {
            "DeviceAlreadyActive"
        } else {
            "DeviceAlreadyInactive"
        }));
    }
    device.active = active;
    Ok(success("Device status updated"))
}

// ----- templates -----

fn creator(company: &Company, caller: &Caller) -> String {
    company
        .user_by_email(&caller.username)
        .map(|u| u.guid.clone())
        .unwrap_or_default()
}

/// `GET /device-template`: `DeviceTemplateName` filter, `searchText`, `sortBy` `name`,
/// `code` or `createdDate`; `count` is the total.
pub(crate) async fn list_templates(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    let page = page(&query)?;
    let sort = sort(&query, &["name", "code", "createdDate"], &[])?;
    let name = query
        .text("DeviceTemplateName")
        .map(str::to_ascii_lowercase);
    let search = search_text(&query);
    let company = state.company();
    let mut templates: Vec<&Template> = company
        .templates
        .iter()
        .filter(|t| name.as_deref().is_none_or(|n| contains(&t.name, n)))
        .filter(|t| {
            search
                .as_deref()
                .is_none_or(|s| contains(&t.name, s) || contains(&t.code, s))
        })
        .collect();
    if let Some((field, descending)) = sort {
        templates.sort_by(|a, b| match field.as_str() {
            "code" => a
                .code
                .to_ascii_lowercase()
                .cmp(&b.code.to_ascii_lowercase()),
            "createdDate" => a.created.cmp(&b.created).then(a.code.cmp(&b.code)),
            _ => a
                .name
                .to_ascii_lowercase()
                .cmp(&b.name.to_ascii_lowercase()),
        });
        if descending {
            templates.reverse();
        }
    }
    let total = templates.len();
    let rows = templates.iter().map(|t| company.template_row(t)).collect();
    Ok(page_answer(
        "Template list received",
        page,
        rows,
        json!(total),
    ))
}

/// `GET /device-template/{guid}`: 404 when unknown (this endpoint does not answer 409).
pub(crate) async fn template_by_guid(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let company = state.company();
    let template = company
        .template(&guid)
        .ok_or_else(|| not_found("TemplateNotFound"))?;
    let detail = company.template_detail(template, &creator(&company, &caller));
    Ok(envelope("Template received", json!([detail]), json!(1)))
}

/// `GET /device-template/template-code/{code}`: 409 when unknown.
pub(crate) async fn template_by_code(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let company = state.company();
    let template = company
        .templates
        .iter()
        .find(|t| t.code.eq_ignore_ascii_case(&code))
        .ok_or_else(|| conflict("TemplateNotFound"))?;
    let detail = company.template_detail(template, &creator(&company, &caller));
    let mut answer =
        json!({"data": [detail], "status": 200, "message": "Template received", "count": 1});
    answer["template-auto-push"] = json!(false);
    Ok(axum::Json(answer).into_response())
}

/// `POST /device-template`: `{code, name, authType, isEdgeSupport, tag?}`; answers
/// `[{deviceTemplateGuid}]` in lower case, as the quick create does.
pub(crate) async fn create_template(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let code = required(&body, "code")?.to_owned();
    let name = required(&body, "name")?.to_owned();
    let auth_type = body
        .get("authType")
        .and_then(Value::as_i64)
        .filter(|a| (1..=8).contains(a))
        .ok_or_else(|| invalid("authType", "The authType field is required (1 to 8)."))?;
    let edge = body
        .get("isEdgeSupport")
        .and_then(Value::as_bool)
        .ok_or_else(|| invalid("isEdgeSupport", "The isEdgeSupport field is required."))?;
    let tag = optional(&body, "tag")?.filter(|t| !t.is_empty());
    let mut chars = code.chars();
    if code.len() > 10
        || !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric())
    {
        return Err(invalid(
            "code",
            "code takes 1 to 10 letters and digits and starts with a letter",
        ));
    }
    let now = state.clock.now_unix();
    let mut company = state.company();
    if company
        .templates
        .iter()
        .any(|t| t.code.eq_ignore_ascii_case(&code))
    {
        return Err(conflict("TemplateCodeAlreadyExists"));
    }
    let template_guid = guid(&mut company.ids);
    company.templates.push(Template {
        guid: template_guid.clone(),
        code,
        name,
        auth_type,
        tag,
        edge,
        attributes: Vec::new(),
        created: now,
        updated: now,
    });
    Ok(envelope(
        "Template created",
        json!([{"deviceTemplateGuid": template_guid.to_ascii_lowercase()}]),
        json!(1),
    ))
}

/// `PUT /device-template/{guid}`: `{name}`.
pub(crate) async fn update_template(
    State(state): State<Shared>,
    Path(guid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = object(&body)?;
    let name = required(&body, "name")?.to_owned();
    let now = state.clock.now_unix();
    let mut company = state.company();
    let template = company
        .templates
        .iter_mut()
        .find(|t| t.guid.eq_ignore_ascii_case(&guid))
        .ok_or_else(|| conflict("TemplateNotFound"))?;
    template.name = name;
    template.updated = now;
    Ok(success("Template updated"))
}

/// `DELETE /device-template/{guid}`: 409 while devices use it or when unknown.
pub(crate) async fn delete_template(
    State(state): State<Shared>,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let mut company = state.company();
    let template_guid = company
        .template(&guid)
        .map(|t| t.guid.clone())
        .ok_or_else(|| conflict("TemplateNotFound"))?;
    if company
        .devices
        .iter()
        .any(|d| d.template_guid == template_guid)
    {
        return Err(conflict("TemplateInUse"));
    }
    company.templates.retain(|t| t.guid != template_guid);
    Ok(success("Template deleted"))
}

/// `GET /template-attribute/{deviceTemplateGuid}`: the attributes, paged; `sortBy` is
/// refused as the service does; 409 when the template is unknown.
pub(crate) async fn template_attributes(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(guid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    let page = page(&query)?;
    if query.text("sortBy").is_some() {
        return Err(invalid("sortBy", "Invalid sort field"));
    }
    let company = state.company();
    let template = company
        .template(&guid)
        .ok_or_else(|| conflict("TemplateNotFound"))?;
    let creator = creator(&company, &caller);
    let rows: Vec<Value> = (0..template.attributes.len())
        .map(|i| company.attribute_row(template, i, &creator))
        .collect();
    let total = rows.len();
    let rows: Vec<Value> = page.slice(&rows).to_vec();
    if rows.is_empty() {
        return Ok(no_content());
    }
    let mut answer =
        json!({"data": rows, "status": 200, "message": "Attribute list received", "count": total});
    answer["isValidateTemplate"] = json!(true);
    Ok(axum::Json(answer).into_response())
}

// ----- users and entities -----

/// `GET /User`: `searchText`, `Email`, `Status`; `sortBy` `firstName`, `lastName`, `userId`
/// or `createdDate`; `count` the total; `invokingUser` the caller's GUID.
pub(crate) async fn list_users(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = Query::parse(raw.as_deref());
    let page = page(&query)?;
    let sort = sort(
        &query,
        &["firstName", "lastName", "userId", "createdDate"],
        &[],
    )?;
    let search = search_text(&query);
    let status = match query.text("Status").map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => None,
        Some("active") => Some(true),
        Some("inactive") => Some(false),
        Some(_) => return Err(invalid("Status", "Status must be active or inactive")),
    };
    let company = state.company();
    let mut users: Vec<_> = company
        .users
        .iter()
        .filter(|u| {
            query
                .text("Email")
                .is_none_or(|e| u.email.eq_ignore_ascii_case(e))
        })
        .filter(|u| status.is_none_or(|s| u.active == s))
        .filter(|u| {
            search.as_deref().is_none_or(|s| {
                contains(&u.email, s) || contains(u.first_name, s) || contains(u.last_name, s)
            })
        })
        .collect();
    if let Some((field, descending)) = sort {
        users.sort_by(|a, b| -> Ordering {
            match field.as_str() {
                "firstName" => a.first_name.cmp(b.first_name),
                "lastName" => a.last_name.cmp(b.last_name),
                "createdDate" => a.created.cmp(&b.created),
                _ => a.email.cmp(&b.email),
            }
        });
        if descending {
            users.reverse();
        }
    }
    let total = users.len();
    let rows: Vec<Value> = users.iter().map(|u| company.user_row(u)).collect();
    let rows: Vec<Value> = page.slice(&rows).to_vec();
    if rows.is_empty() {
        return Ok(no_content());
    }
    let invoking = creator(&company, &caller);
    Ok(axum::Json(json!({
        "invokingUser": invoking,
        "data": rows,
        "status": 200,
        "message": "User list received",
        "count": total,
    }))
    .into_response())
}

/// `GET /User/{userGuid}`: one `UserDetailsById` in an array; 404 when unknown.
pub(crate) async fn user_by_guid(
    State(state): State<Shared>,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let company = state.company();
    let user = company
        .users
        .iter()
        .find(|u| u.guid.eq_ignore_ascii_case(&guid))
        .ok_or_else(|| not_found("UserNotFound"))?;
    Ok(envelope(
        "User received",
        json!([company.user_detail(user)]),
        json!(1),
    ))
}

/// `GET /Entity`: the whole tree, no paging.
pub(crate) async fn list_entities(State(state): State<Shared>) -> Response {
    let company = state.company();
    let rows: Vec<Value> = company
        .entities
        .iter()
        .map(|e| company.entity_row(e))
        .collect();
    let total = rows.len();
    envelope("Entity list received", Value::Array(rows), json!(total))
}

/// `GET /Entity/lookup`: `[{guid, name, parentEntityGuid}]`.
pub(crate) async fn entity_lookup(State(state): State<Shared>) -> Response {
    let company = state.company();
    let rows: Vec<Value> = company
        .entities
        .iter()
        .map(|e| json!({"guid": e.guid, "name": e.name, "parentEntityGuid": e.parent}))
        .collect();
    let total = rows.len();
    envelope("", Value::Array(rows), json!(total))
}

/// `GET /Entity/{entityGuid}`: 409 when unknown.
pub(crate) async fn entity_by_guid(
    State(state): State<Shared>,
    Path(guid): Path<String>,
) -> Result<Response, ApiError> {
    let company = state.company();
    let entity = company
        .entity(&guid)
        .ok_or_else(|| conflict("EntityNotFound"))?;
    Ok(envelope(
        "Entity received",
        json!([company.entity_detail(entity)]),
        json!(1),
    ))
}
