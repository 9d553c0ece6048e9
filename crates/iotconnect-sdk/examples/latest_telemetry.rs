//! Signs in with the `IOTCONNECT_*` variables, lists the devices of the solution and prints the
//! latest value of each attribute of the first ten.
//!
//! Against the sandbox: start it in one terminal, it prints the variables to export.
//!
//! ```text
//! cargo run -p sdk-sandbox -- --port 7300
//! ```
//!
//! Then, in another terminal, export the six `IOTCONNECT_*` lines it printed and run the
//! example:
//!
//! ```text
//! export IOTCONNECT_DISCOVERY_URL=http://127.0.0.1:7302
//! export IOTCONNECT_ENVIRONMENT=poc
//! export IOTCONNECT_PLATFORM=aws
//! export IOTCONNECT_SOLUTION_KEY=sandbox-iotconnect-solution-key
//! export IOTCONNECT_USERNAME=sandbox-user@example.com
//! export IOTCONNECT_PASSWORD=sandbox-iotconnect-password
//! cargo run -p iotconnect-sdk --example latest_telemetry
//! ```
//!
//! Against IoTConnect itself, leave `IOTCONNECT_DISCOVERY_URL` unset and give your own
//! solution key, user, password, environment (`poc`, `prod`, `avnet`) and platform (`aws`,
//! `az`).

use std::io::Write;
use std::process::ExitCode;

use futures::{StreamExt as _, TryStreamExt as _};
use iotconnect_sdk::{Client, ListFilter};

/// How many devices get their telemetry read: one request each.
const FIRST: usize = 10;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let result = match Client::from_env().await {
        Ok(client) => print_latest(&client, &mut std::io::stdout()).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            // Display, not the Debug a returned error would get: it names what went wrong.
            eprintln!("latest_telemetry: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What [`print_latest`] printed.
#[derive(Debug, Default)]
pub struct Printed {
    /// Devices printed.
    pub devices: usize,
    /// Of those, how many had telemetry.
    pub with_telemetry: usize,
}

/// Signs in, then writes each of the first `FIRST` devices (by unique id) to `out` with the
/// latest value of each of its attributes.
///
/// # Errors
/// The first failed call, or a failed write.
pub async fn print_latest(
    client: &Client,
    out: &mut impl Write,
) -> Result<Printed, Box<dyn std::error::Error>> {
    // The token is fetched by the first call anyway; asking for it up front makes wrong
    // credentials fail here, with the sign-in's own error, rather than in the middle of a list.
    client.auth().verify_token().send().await?;
    writeln!(out, "signed in")?;
    let filter = ListFilter::default().sort_by("uniqueId asc");
    let mut devices = std::pin::pin!(client.devices(filter).take(FIRST));
    let mut printed = Printed::default();
    while let Some(device) = devices.try_next().await? {
        let unique_id = device.unique_id.as_deref().unwrap_or("?");
        writeln!(
            out,
            "{unique_id}  {}  ({})",
            device.display_name.as_deref().unwrap_or(""),
            device
                .device_template_name
                .as_deref()
                .unwrap_or("no template")
        )?;
        printed.devices += 1;
        let Some(guid) = device.guid.as_deref() else {
            writeln!(out, "    no GUID, no telemetry to ask for")?;
            continue;
        };
        let latest = client.latest_telemetry(guid).await?;
        if latest.is_empty() {
            writeln!(out, "    no telemetry yet")?;
            continue;
        }
        printed.with_telemetry += 1;
        for value in &latest {
            writeln!(
                out,
                "    {:<12} {:>10}  {:<8} at {}",
                value.attribute_name.as_deref().unwrap_or("?"),
                value.attribute_value.as_deref().unwrap_or(""),
                value.data_type.as_deref().unwrap_or(""),
                value.device_updated_date.as_deref().unwrap_or("?")
            )?;
        }
    }
    Ok(printed)
}
