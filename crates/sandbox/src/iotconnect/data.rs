//! The seeded company: entities, users, device templates and devices, and the telemetry the
//! devices report as a function of (seed, device, time).

use chrono::{DateTime, SecondsFormat};
use serde_json::{Value, json};

use crate::shared::json::number;
use crate::shared::schedule;
use crate::shared::seed::{SeededRng, hash};

/// 2024-01-01T00:00:00Z: seeded devices start reporting in the 30 days after this instant.
pub(crate) const EPOCH: i64 = 1_704_067_200;
/// A device sends telemetry once a minute.
pub(crate) const TELEMETRY_INTERVAL: i64 = 60;
/// The message version every template and device speaks.
pub(crate) const MESSAGE_VERSION: &str = "2.1";

/// An upper-case GUID from the generator (the vendor writes them upper-case).
pub(crate) fn guid(rng: &mut SeededRng) -> String {
    rng.uuid().to_ascii_uppercase()
}

/// ISO-8601 UTC with milliseconds, as the vendor writes date-times.
pub(crate) fn iso(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// An entity (a node of the company tree).
#[derive(Clone, Debug)]
pub(crate) struct Entity {
    pub(crate) guid: String,
    pub(crate) name: String,
    pub(crate) parent: Option<String>,
    pub(crate) child_label: &'static str,
}

/// A user of the company.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub(crate) guid: String,
    pub(crate) email: String,
    pub(crate) first_name: &'static str,
    pub(crate) last_name: &'static str,
    pub(crate) role: &'static str,
    pub(crate) entity_guid: String,
    pub(crate) active: bool,
    pub(crate) created: i64,
}

/// One attribute of a template.
#[derive(Clone, Debug)]
pub(crate) struct Attribute {
    pub(crate) guid: String,
    pub(crate) name: &'static str,
    pub(crate) data_type: &'static str,
    pub(crate) unit: &'static str,
}

/// A device template.
#[derive(Clone, Debug)]
pub(crate) struct Template {
    pub(crate) guid: String,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) auth_type: i64,
    pub(crate) tag: Option<String>,
    pub(crate) edge: bool,
    pub(crate) attributes: Vec<Attribute>,
    pub(crate) created: i64,
    pub(crate) updated: i64,
}

/// A device.
#[derive(Clone, Debug)]
pub(crate) struct Device {
    /// Names the device in telemetry hashes (seeded devices 1..=n, created ones after).
    pub(crate) serial: u64,
    pub(crate) guid: String,
    pub(crate) unique_id: String,
    pub(crate) display_name: String,
    pub(crate) template_guid: String,
    pub(crate) entity_guid: String,
    pub(crate) note: Option<String>,
    pub(crate) active: bool,
    pub(crate) created: i64,
    /// First telemetry message, for devices that report; `None` for devices that never did.
    pub(crate) reporting_since: Option<i64>,
}

/// Everything the company holds; devices and templates change through the API.
#[derive(Debug)]
pub(crate) struct Company {
    pub(crate) guid: String,
    pub(crate) cp_id: String,
    pub(crate) solution_guid: String,
    pub(crate) role_guid: String,
    pub(crate) timezone_guid: String,
    pub(crate) entities: Vec<Entity>,
    pub(crate) users: Vec<User>,
    pub(crate) templates: Vec<Template>,
    pub(crate) devices: Vec<Device>,
    /// Generator of the GUIDs of created things, so that the same calls give the same ids.
    pub(crate) ids: SeededRng,
    pub(crate) next_serial: u64,
}

/// Attributes of the environmental template.
const ENV_ATTRIBUTES: [(&str, &str, &str); 3] = [
    ("temperature", "DECIMAL", "C"),
    ("humidity", "DECIMAL", "%"),
    ("version", "STRING", ""),
];
/// Attributes of the asset-tracker template.
const TRACKER_ATTRIBUTES: [(&str, &str, &str); 3] = [
    ("latitude", "DECIMAL", "deg"),
    ("longitude", "DECIMAL", "deg"),
    ("battery", "INTEGER", "%"),
];

impl Company {
    /// The company of `seed` with `devices` devices (the last of four or more never reported).
    pub(crate) fn generate(seed: u64, devices: usize, login_email: &str) -> Self {
        let mut rng = SeededRng::derive(seed, &[0x10c0]);
        let company_guid = guid(&mut rng);
        let cp_id = rng.hex(32).to_ascii_uppercase();
        let solution_guid = guid(&mut rng);
        let role_guid = guid(&mut rng);
        let timezone_guid = guid(&mut rng);
        let root = guid(&mut rng);
        let entities = vec![
            Entity {
                guid: root.clone(),
                name: "Sandbox Company".into(),
                parent: None,
                child_label: "Site",
            },
            Entity {
                guid: guid(&mut rng),
                name: "Plant North".into(),
                parent: Some(root.clone()),
                child_label: "Room",
            },
            Entity {
                guid: guid(&mut rng),
                name: "Plant South".into(),
                parent: Some(root.clone()),
                child_label: "Room",
            },
        ];
        let people = [
            ("Dev", "User", "Admin", login_email.to_owned(), true),
            (
                "Ada",
                "Operator",
                "Operator",
                "ada@example.com".to_owned(),
                true,
            ),
            ("Bo", "Viewer", "Viewer", "bo@example.com".to_owned(), false),
        ];
        let users = people
            .into_iter()
            .enumerate()
            .map(|(i, (first, last, role, email, active))| User {
                guid: guid(&mut rng),
                email,
                first_name: first,
                last_name: last,
                role,
                entity_guid: entities[i % entities.len()].guid.clone(),
                active,
                created: EPOCH - 86_400 * (30 - i as i64),
            })
            .collect();
        let mut template =
            |code: &str, name: &str, attrs: &[(&'static str, &'static str, &'static str)]| {
                let created = EPOCH - 86_400 * 10;
                Template {
                    guid: guid(&mut rng),
                    code: code.into(),
                    name: name.into(),
                    auth_type: 2,
                    tag: None,
                    edge: false,
                    attributes: attrs
                        .iter()
                        .map(|&(name, data_type, unit)| Attribute {
                            guid: guid(&mut rng),
                            name,
                            data_type,
                            unit,
                        })
                        .collect(),
                    created,
                    updated: created,
                }
            };
        let templates = vec![
            template("envmon", "Env Monitor", &ENV_ATTRIBUTES),
            template("tracker", "Asset Tracker", &TRACKER_ATTRIBUTES),
        ];
        let next_serial = devices;
        let devices = (1..=devices)
            .map(|i| {
                let template = &templates[(i - 1) % 3 / 2];
                let prefix = if template.code == "envmon" {
                    "sensor"
                } else {
                    "tracker"
                };
                let since = EPOCH + rng.int(0, 30 * 86_400 - 1) / 60 * 60;
                let silent = devices >= 4 && i == devices;
                Device {
                    serial: i as u64,
                    guid: guid(&mut rng),
                    unique_id: format!("{prefix}-{i:02}"),
                    display_name: format!(
                        "{} {i:02}",
                        if prefix == "sensor" {
                            "Sensor"
                        } else {
                            "Tracker"
                        }
                    ),
                    template_guid: template.guid.clone(),
                    entity_guid: entities[1 + (i - 1) % 2].guid.clone(),
                    note: None,
                    active: true,
                    created: since - 3600,
                    reporting_since: (!silent).then_some(since),
                }
            })
            .collect();
        Company {
            guid: company_guid,
            cp_id,
            solution_guid,
            role_guid,
            timezone_guid,
            entities,
            users,
            templates,
            devices,
            ids: SeededRng::derive(seed, &[0x10c1]),
            next_serial: next_serial as u64 + 1,
        }
    }

    /// The root entity (the one without a parent).
    pub(crate) fn root_entity(&self) -> &Entity {
        &self.entities[0]
    }

    pub(crate) fn entity(&self, guid: &str) -> Option<&Entity> {
        self.entities
            .iter()
            .find(|e| e.guid.eq_ignore_ascii_case(guid))
    }

    pub(crate) fn template(&self, guid: &str) -> Option<&Template> {
        self.templates
            .iter()
            .find(|t| t.guid.eq_ignore_ascii_case(guid))
    }

    pub(crate) fn device_by_guid(&self, guid: &str) -> Option<&Device> {
        self.devices
            .iter()
            .find(|d| d.guid.eq_ignore_ascii_case(guid))
    }

    pub(crate) fn device_by_unique_id(&self, unique_id: &str) -> Option<&Device> {
        self.devices
            .iter()
            .find(|d| d.unique_id.eq_ignore_ascii_case(unique_id))
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    fn entity_name(&self, guid: &str) -> String {
        self.entity(guid)
            .map(|e| e.name.clone())
            .unwrap_or_default()
    }

    fn template_name(&self, guid: &str) -> String {
        self.template(guid)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }

    /// A `DeviceList` row of `GET /Device`. `IsAcquired` and `IsAllottedDevice` are
    /// PascalCase, as in a captured answer.
    pub(crate) fn device_row(&self, device: &Device, now: i64) -> Value {
        let last = last_message(device, now);
        json!({
            "guid": device.guid,
            "uniqueId": device.unique_id,
            "displayName": device.display_name,
            "isConnected": device.active && last.is_some_and(|t| now - t < 5 * TELEMETRY_INTERVAL),
            "isActive": device.active,
            "IsAcquired": device.active,
            "deviceStatus": if device.active { "Acquired" } else { "Released" },
            "deviceTemplateGuid": device.template_guid,
            "deviceTemplateName": self.template_name(&device.template_guid),
            "authType": self.template(&device.template_guid).map_or(2, |t| t.auth_type),
            "messageVersion": MESSAGE_VERSION,
            "entityName": self.entity_name(&device.entity_guid),
            "childDeviceCount": 0,
            "IsAllottedDevice": 0,
            "isSharedDevice": false,
            "isDpsDevice": false,
            "isType2Support": false,
            "lastactivityDate": last.map(iso),
            "lastConnection": device.reporting_since.filter(|&t| t <= now).map(iso),
            "lastCommunication": last.map(iso),
            "solutionGuid": self.solution_guid,
            "properties": null,
            "recentAttrValue": null,
        })
    }

    /// A `DeviceInformation` item of `GET /Device/uniqueId/{uniqueId}` (`isAcquired` is an
    /// integer here).
    pub(crate) fn device_detail(&self, device: &Device, now: i64) -> Value {
        let last = last_message(device, now);
        json!({
            "guid": device.guid,
            "uniqueId": device.unique_id,
            "displayName": device.display_name,
            "isConnected": device.active && last.is_some_and(|t| now - t < 5 * TELEMETRY_INTERVAL),
            "lastActivityDate": last.map(iso),
            "isActive": device.active,
            "isAcquired": i32::from(device.active),
            "isParentAcquired": 0,
            "isEdgeSupport": false,
            "deviceTemplateGuid": device.template_guid,
            "deviceTemplateName": self.template_name(&device.template_guid),
            "deviceTemplateAuthType": self.template(&device.template_guid).map_or(2, |t| t.auth_type),
            "entityGuid": device.entity_guid,
            "entityName": self.entity_name(&device.entity_guid),
            "note": device.note,
            "cpId": self.cp_id,
            "companyGuid": self.guid,
            "messageVersion": MESSAGE_VERSION,
            "hasTwin": false,
            "hasDirectMethod": false,
            "deviceStatus": if device.active { "Acquired" } else { "Released" },
            "lastConnection": device.reporting_since.filter(|&t| t <= now).map(iso),
            "parentDeviceGuid": null,
            "tag": null,
            "createdDate": iso(device.created),
        })
    }

    /// A `TemplateList` row (`code`/`name`).
    pub(crate) fn template_row(&self, template: &Template) -> Value {
        json!({
            "guid": template.guid,
            "code": template.code,
            "name": template.name,
            "description": null,
            "firmwareGuid": null,
            "createdDate": iso(template.created),
            "updatedDate": iso(template.updated),
            "attributeCount": template.attributes.len(),
            "settingCount": 0,
            "commandCount": 0,
            "deviceCount": self.devices.iter().filter(|d| d.template_guid == template.guid).count(),
            "ruleCount": 0,
            "tag": template.tag,
            "authType": template.auth_type,
            "isEdgeSupport": template.edge,
            "gatewaySupport": template.tag.is_some(),
            "isLowBandwidth": false,
            "isIotEdgeEnable": false,
            "isSolutionTemplate": false,
            "messageVersion": MESSAGE_VERSION,
            "fileSupport": false,
        })
    }

    /// A `TemplateDetail` item (`templateCode`/`templateName`; no attributes, as in practice).
    pub(crate) fn template_detail(&self, template: &Template, creator: &str) -> Value {
        json!({
            "guid": template.guid,
            "templateCode": template.code,
            "templateName": template.name,
            "authType": template.auth_type,
            "isEdgeSupport": template.edge,
            "isIotEdgeEnable": false,
            "isType2Support": false,
            "tag": template.tag,
            "messageVersion": MESSAGE_VERSION,
            "isValidateTemplate": 1,
            "isValidEdgeSupport": 0,
            "isValidType2Support": 0,
            "isAttachedWithDevice": self.devices.iter().any(|d| d.template_guid == template.guid),
            "createdDate": iso(template.created),
            "createdBy": creator,
            "updatedDate": iso(template.updated),
            "updatedBy": creator,
            "firmwareGuid": null,
            "firmwareName": null,
            "commands": [],
            "settings": [],
        })
    }

    /// An `AttributeList` row (`createdby` in lower case, as the models spell it).
    pub(crate) fn attribute_row(&self, template: &Template, index: usize, creator: &str) -> Value {
        let attribute = &template.attributes[index];
        json!({
            "guid": attribute.guid,
            "localName": attribute.name,
            "displayName": attribute.name,
            "description": null,
            "dataTypeName": attribute.data_type,
            "unit": attribute.unit,
            "sequence": index + 1,
            "tag": "",
            "dataValidation": null,
            "parentTemplateAttributeGuid": null,
            "createdDate": iso(template.created),
            "createdby": creator,
            "updatedDate": iso(template.updated),
        })
    }

    /// A `UserGetList` row (`guid`).
    pub(crate) fn user_row(&self, user: &User) -> Value {
        json!({
            "guid": user.guid,
            "userId": user.email,
            "companyGuid": self.guid,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "name": format!("{} {}", user.first_name, user.last_name),
            "contactNo": "1-5550100",
            "timezoneGuid": self.timezone_guid,
            "isActive": user.active,
            "isVerified": true,
            "isLocked": false,
            "userInfo": [],
            "roleGuid": self.role_guid,
            "roleName": user.role,
            "entityGuid": user.entity_guid,
            "entityName": self.entity_name(&user.entity_guid),
            "createdDate": iso(user.created),
            "updatedDate": iso(user.created),
        })
    }

    /// A `UserDetailsById` item (`userGuid`, and the kebab-case `dms-version`).
    pub(crate) fn user_detail(&self, user: &User) -> Value {
        json!({
            "userGuid": user.guid,
            "userId": user.email,
            "companyGuid": self.guid,
            "companyCpid": self.cp_id,
            "companyName": self.root_entity().name,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "timezoneGuid": self.timezone_guid,
            "isActive": user.active,
            "roleName": user.role,
            "roleGuid": self.role_guid,
            "contactNo": "1-5550100",
            "entityGuid": user.entity_guid,
            "entityName": self.entity_name(&user.entity_guid),
            "parentEntityGuid": self.entity(&user.entity_guid).and_then(|e| e.parent.clone()),
            "userInfo": [],
            "createdDate": iso(user.created),
            "updatedDate": iso(user.created),
            "dms-version": "sandbox",
            "isCompanyAdmin": user.role == "Admin",
        })
    }

    /// An `EntityList` row.
    pub(crate) fn entity_row(&self, entity: &Entity) -> Value {
        json!({
            "guid": entity.guid,
            "name": entity.name,
            "parentEntityGuid": entity.parent,
            "parentName": entity.parent.as_deref().map(|p| self.entity_name(p)),
            "description": "",
            "childEntityLabel": entity.child_label,
            "activeUserCount": self.users.iter().filter(|u| u.entity_guid == entity.guid && u.active).count(),
            "inActiveUserCount": self.users.iter().filter(|u| u.entity_guid == entity.guid && !u.active).count(),
            "deviceCount": self.devices.iter().filter(|d| d.entity_guid == entity.guid).count(),
            "createdDate": iso(EPOCH - 86_400 * 30),
            "updatedDate": iso(EPOCH - 86_400 * 30),
        })
    }

    /// An `EntityDetail` item.
    pub(crate) fn entity_detail(&self, entity: &Entity) -> Value {
        json!({
            "guid": entity.guid,
            "name": entity.name,
            "parentEntityGuid": entity.parent,
            "description": "",
            "childEntityLabel": entity.child_label,
            "companyGuid": self.guid,
            "isDeleted": false,
            "createdDate": iso(EPOCH - 86_400 * 30),
            "updatedDate": iso(EPOCH - 86_400 * 30),
            "timezoneGuid": self.timezone_guid,
            "address": null,
            "city": null,
            "zipCode": null,
            "entityInfo": null,
        })
    }
}

/// The newest telemetry time of `device` at or before `now`.
pub(crate) fn last_message(device: &Device, now: i64) -> Option<i64> {
    schedule::latest(device.reporting_since?, TELEMETRY_INTERVAL, now)
}

/// The telemetry times of `device` in `[start, end]` (capped at `now`), newest first.
pub(crate) fn message_times(device: &Device, start: i64, end: i64, now: i64) -> Vec<i64> {
    match device.reporting_since {
        Some(since) => schedule::times_in(since, TELEMETRY_INTERVAL, start, end.min(now)),
        None => Vec::new(),
    }
}

/// The value of attribute `index` of `template` sent by `device` at `t`: a function of
/// (seed, device, attribute, time).
pub(crate) fn attribute_value(
    seed: u64,
    device: &Device,
    template: &Template,
    index: usize,
    t: i64,
) -> Value {
    let noise = |range: f64| {
        let h = hash(seed, &[device.serial, index as u64, t as u64]);
        ((h >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * range
    };
    let day = (t.rem_euclid(86_400) as f64) / 86_400.0 * std::f64::consts::TAU;
    let base = hash(seed, &[device.serial, 0xba5e]) % 100;
    match template.attributes.get(index).map(|a| a.name) {
        Some("temperature") => number(20.0 + base as f64 / 20.0 + 4.0 * day.sin() + noise(0.4), 1),
        Some("humidity") => number(45.0 + base as f64 / 10.0 - 8.0 * day.sin() + noise(2.0), 1),
        Some("version") => json!("1.2.0"),
        Some("latitude") => number(52.0 + base as f64 / 1000.0 + noise(0.002), 6),
        Some("longitude") => number(4.0 + base as f64 / 1000.0 + noise(0.002), 6),
        Some("battery") => {
            let since = device.reporting_since.unwrap_or(t);
            let drained = ((t - since) / 3600).rem_euclid(100);
            json!(100 - drained)
        }
        _ => json!(number(noise(100.0), 2)),
    }
}
