//! The IoTConnect steps: the IoTConnect SDK against the sandbox's IoTConnect, each step as a
//! user of the SDK would write it, checked against what the sandbox holds and counted.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::num::NonZeroU32;

use chrono::DateTime;
use futures::TryStreamExt as _;
use iotconnect_sdk::device::types::DeviceCreateRequest;
use iotconnect_sdk::{Client, ClientInfo as _, Credentials, Environment, ListFilter, Platform};
use sdk_sandbox::RunningSandbox;

use crate::output::Output;
use crate::scenario::{Tour, describe, plural};
use crate::{
    CreatedDeviceReport, DeletedDeviceReport, DevicesReport, IotConnectReport, ListedDevice,
    SignInReport, Step, TelemetryReport, TourError, TourOptions,
};

/// Small enough that the default eight devices take three pages.
const PAGE_SIZE: NonZeroU32 = NonZeroU32::new(3).expect("3 is not zero");
/// Unique id of the device the tour creates and deletes.
const NEW_DEVICE: &str = "tour-device-01";

/// Runs steps 8 to 12 on `sandbox`, whose IoTConnect the tour has not touched before.
pub(crate) async fn run<W: Write>(
    tour: &mut Tour<'_, W>,
    sandbox: &RunningSandbox,
    options: &TourOptions,
) -> Result<IotConnectReport, TourError> {
    let (client, sign_in) = tour.step(Step::IotcSignIn, sign_in(sandbox)).await?;
    let devices = tour
        .step_with_output(Step::IotcDevices, async |out| {
            list_devices(&client, sandbox, options, out).await
        })
        .await?;
    let created = tour
        .step(Step::IotcCreate, create_device(&client, &devices))
        .await?;
    let telemetry = tour
        .step(
            Step::IotcTelemetry,
            latest_telemetry(&client, &devices, &created),
        )
        .await?;
    let deleted = tour
        .step(Step::IotcDelete, delete_device(&client, &created))
        .await?;
    let stats = sandbox.iotconnect().stats();
    Ok(IotConnectReport {
        sign_in,
        devices,
        created,
        telemetry,
        deleted,
        token_requests: stats.token_requests,
        api_requests: stats.api_requests,
    })
}

/// Step 8: discovery against the sandbox with its demo credentials, then the first call, which
/// signs in.
async fn sign_in(sandbox: &RunningSandbox) -> Result<((Client, SignInReport), String), String> {
    let (username, password, solution_key) = sandbox.iotconnect_credentials();
    let credentials = Credentials::new(username, password, solution_key)
        .map_err(|e| format!("the sandbox's credentials are refused: {e}"))?;
    let client = Client::builder()
        .credentials(credentials)
        .discovery_url(sandbox.iotconnect_url())
        .discover(Environment::Poc, Platform::Aws)
        .await
        .map_err(|e| format!("discovery failed: {e}"))?;
    let device_url = client.device().baseurl().to_owned();
    if !device_url.starts_with(sandbox.iotconnect_url()) {
        return Err(format!(
            "discovery placed the device service at {device_url}, outside the sandbox"
        ));
    }
    let before = sandbox.iotconnect().stats();
    // Discovery sends no token request; verify-token is the cheapest call that needs one.
    client
        .auth()
        .verify_token()
        .send()
        .await
        .map_err(|e| format!("the sign-in failed: {}", describe(e)))?;
    let after = sandbox.iotconnect().stats();
    let report = SignInReport {
        device_url,
        token_requests: after.token_requests - before.token_requests,
        tokens_issued: after.tokens_issued - before.tokens_issued,
    };
    if report.token_requests != 2 || report.tokens_issued != 1 {
        return Err(format!(
            "expected a basic token and one login (2 token requests, 1 token issued); the \
             sandbox counted {} token requests and {} tokens issued",
            report.token_requests, report.tokens_issued
        ));
    }
    let note = format!(
        "discovered the services (device: {}); signed in: basic token, login",
        report.device_url
    );
    Ok(((client, report), note))
}

/// Step 9: every device through the paged stream, `PAGE_SIZE` at a time.
async fn list_devices<W: Write>(
    client: &Client,
    sandbox: &RunningSandbox,
    options: &TourOptions,
    out: &mut Output<'_, W>,
) -> Result<(DevicesReport, String), String> {
    let requests = || sandbox.iotconnect().stats().api_requests;
    let before = requests();
    let filter = ListFilter::default()
        .page_size(PAGE_SIZE)
        .sort_by("uniqueId asc");
    let mut stream = std::pin::pin!(client.devices(filter));
    let mut devices = Vec::new();
    let mut per_page: Vec<usize> = Vec::new();
    while let Some(item) = stream.try_next().await.map_err(describe)? {
        // The stream asks for the next page only once this one is used up, so the request
        // count tells which page an item came in.
        let page = usize::try_from(requests() - before).unwrap_or(usize::MAX);
        if per_page.len() < page {
            per_page.resize(page, 0);
        }
        if let Some(n) = per_page.last_mut() {
            *n += 1;
        }
        let missing = |what: &str| format!("a listed device has no {what}");
        devices.push(ListedDevice {
            unique_id: item.unique_id.ok_or_else(|| missing("unique id"))?,
            guid: item.guid.ok_or_else(|| missing("GUID"))?,
            template_guid: item
                .device_template_guid
                .ok_or_else(|| missing("template GUID"))?,
            template_name: item.device_template_name.unwrap_or_default(),
            entity_name: item.entity_name.unwrap_or_default(),
            last_communication: item.last_communication,
        });
        out.progress(|| format!("     devices: page {page}, {} listed so far", devices.len()));
    }
    let requests = requests() - before;
    per_page.resize(usize::try_from(requests).unwrap_or(usize::MAX), 0);
    if devices.len() != options.devices {
        return Err(format!(
            "listed {} devices, the sandbox has {}",
            devices.len(),
            options.devices
        ));
    }
    let distinct: BTreeSet<&str> = devices.iter().map(|d| d.unique_id.as_str()).collect();
    if distinct.len() != devices.len() {
        return Err("a device was listed twice (pages overlap)".into());
    }
    // A short page ends the stream, and a full last page needs an empty one after it.
    let size = PAGE_SIZE.get() as usize;
    let expected = devices.len() / size + 1;
    if per_page.len() != expected || per_page.iter().any(|&n| n > size) {
        return Err(format!(
            "expected {expected} pages of at most {size}, got pages of {per_page:?}"
        ));
    }
    let mut by_template = BTreeMap::<String, usize>::new();
    for device in &devices {
        *by_template.entry(device.template_name.clone()).or_default() += 1;
    }
    let report = DevicesReport {
        devices,
        by_template: by_template.into_iter().collect(),
        page_size: PAGE_SIZE.get(),
        per_page,
        requests,
    };
    let reporting = report.reporting().count();
    if reporting == 0 {
        return Err("no device has reported yet".into());
    }
    let pages: Vec<String> = report.per_page.iter().map(usize::to_string).collect();
    let templates: Vec<String> = report
        .by_template
        .iter()
        .map(|(name, n)| format!("{n} {name}"))
        .collect();
    let note = format!(
        "{} {} in {} {} of pageSize {} ({}): {}, {reporting} reporting",
        report.devices.len(),
        plural(report.devices.len() as u64, "device", "devices"),
        report.requests,
        plural(report.requests, "page", "pages"),
        report.page_size,
        pages.join(" + "),
        templates.join(", ")
    );
    Ok((report, note))
}

/// Step 10: a device made from the template and in the entity of the first reporting device,
/// read back by its unique id.
async fn create_device(
    client: &Client,
    devices: &DevicesReport,
) -> Result<(CreatedDeviceReport, String), String> {
    let model = devices
        .reporting()
        .next()
        .ok_or("no reporting device to take the template from")?;
    let templates: Vec<_> = client
        .templates(ListFilter::default())
        .try_collect()
        .await
        .map_err(describe)?;
    let code = templates
        .iter()
        .find(|t| {
            t.guid
                .as_deref()
                .is_some_and(|g| g.eq_ignore_ascii_case(&model.template_guid))
        })
        .and_then(|t| t.code.clone())
        .ok_or_else(|| {
            format!(
                "the template of {} is not among the {} listed",
                model.unique_id,
                templates.len()
            )
        })?;
    let template = client
        .template_by_code(&code)
        .await
        .map_err(describe)?
        .ok_or_else(|| format!("template_by_code({code:?}) found nothing"))?;
    let template_guid = template
        .guid
        .ok_or_else(|| format!("template {code} has no GUID"))?;
    let template_name = template.template_name.unwrap_or_default();
    let entity = client
        .entities()
        .await
        .map_err(describe)?
        .into_iter()
        .find(|e| e.name.as_deref() == Some(model.entity_name.as_str()))
        .ok_or_else(|| format!("no entity is named {:?}", model.entity_name))?;
    let entity_guid = entity.guid.ok_or("the entity has no GUID")?;
    let body: DeviceCreateRequest = DeviceCreateRequest::builder()
        .unique_id(NEW_DEVICE)
        .display_name("Tour device 01")
        .device_template_guid(template_guid.as_str())
        .entity_guid(entity_guid.as_str())
        .note(Some("created by cargo tour".to_owned()))
        .try_into()
        .map_err(|e| format!("cannot build the create request: {e}"))?;
    let created = client.create_device(body).await.map_err(describe)?;
    let new_guid = created.newid.ok_or("the create answer has no newid")?;
    let read = client
        .device_by_unique_id(NEW_DEVICE)
        .await
        .map_err(describe)?
        .ok_or_else(|| {
            format!("device_by_unique_id({NEW_DEVICE:?}) found nothing after the create")
        })?;
    let guid = read.guid.unwrap_or_default();
    // The create answer gives the GUID in lower case, lookups in upper case.
    if !guid.eq_ignore_ascii_case(&new_guid) {
        return Err(format!(
            "the read-back GUID {guid} is not the created {new_guid}"
        ));
    }
    if !read
        .device_template_guid
        .is_some_and(|g| g.eq_ignore_ascii_case(&template_guid))
    {
        return Err(format!("{NEW_DEVICE} was read back with another template"));
    }
    let report = CreatedDeviceReport {
        templates: templates.len(),
        template_code: code,
        template_name,
        entity_name: model.entity_name.clone(),
        unique_id: NEW_DEVICE.to_owned(),
        guid,
        read_back_template: read.device_template_name.unwrap_or_default(),
    };
    let note = format!(
        "{} from template {} ({}, as {}) in {}; read back by unique id: same GUID and template",
        report.unique_id,
        report.template_code,
        report.template_name,
        model.unique_id,
        report.entity_name
    );
    Ok((report, note))
}

/// Step 11: the latest value of each attribute of the first reporting device, and of the new
/// device, which has sent nothing.
async fn latest_telemetry(
    client: &Client,
    devices: &DevicesReport,
    created: &CreatedDeviceReport,
) -> Result<(TelemetryReport, String), String> {
    let device = devices
        .reporting()
        .next()
        .ok_or("no reporting device to read")?;
    let latest = client
        .latest_telemetry(&device.guid)
        .await
        .map_err(describe)?;
    if latest.is_empty() {
        return Err(format!(
            "{} has reported, but latest_telemetry answered nothing",
            device.unique_id
        ));
    }
    let mut values = Vec::with_capacity(latest.len());
    for attribute in &latest {
        let name = attribute
            .attribute_name
            .clone()
            .ok_or("a latest value has no attribute name")?;
        let value = attribute
            .attribute_value
            .clone()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("{} has no latest {name}", device.unique_id))?;
        values.push((name, value));
    }
    let updated = latest[0].device_updated_date.clone();
    let fresh = client
        .latest_telemetry(&created.guid)
        .await
        .map_err(describe)?;
    let report = TelemetryReport {
        unique_id: device.unique_id.clone(),
        values,
        updated,
        created_device_values: fresh.len(),
    };
    if report.created_device_values != 0 {
        return Err(format!(
            "{} never reported, yet has {} latest values",
            created.unique_id, report.created_device_values
        ));
    }
    let shown: Vec<String> = report
        .values
        .iter()
        .map(|(name, value)| format!("{name} {value}"))
        .collect();
    let at = report
        .updated
        .as_deref()
        .map(|t| {
            DateTime::parse_from_rfc3339(t)
                .map(|t| t.format("%H:%M:%S UTC").to_string())
                .unwrap_or_else(|_| t.to_owned())
        })
        .unwrap_or_else(|| "an unknown time".into());
    let note = format!(
        "{}: {} (sent {at}); {}: none yet",
        report.unique_id,
        shown.join(", "),
        created.unique_id
    );
    Ok((report, note))
}

/// Step 12: the new device deleted, and looked up again.
async fn delete_device(
    client: &Client,
    created: &CreatedDeviceReport,
) -> Result<(DeletedDeviceReport, String), String> {
    client
        .delete_device(&created.guid)
        .await
        .map_err(describe)?;
    let found_after = client
        .device_by_unique_id(&created.unique_id)
        .await
        .map_err(describe)?
        .is_some();
    if found_after {
        return Err(format!(
            "device_by_unique_id still finds {} after the delete",
            created.unique_id
        ));
    }
    let report = DeletedDeviceReport {
        unique_id: created.unique_id.clone(),
        found_after,
    };
    let note = format!(
        "{} deleted; device_by_unique_id now answers None",
        report.unique_id
    );
    Ok((report, note))
}
