//! Signs in with the `EVERREAL_*` variables (the password grant), prints who that is and in
//! which company, then the first page of units.
//!
//! Against the sandbox: start it in one terminal, it prints the variables to export.
//!
//! ```text
//! cargo run -p sdk-sandbox -- --port 7300
//! ```
//!
//! Then, in another terminal, export the `EVERREAL_*` lines it printed (the redirect URI is
//! not needed here) and run the example:
//!
//! ```text
//! export EVERREAL_BASE_URL=http://127.0.0.1:7303
//! export EVERREAL_USERNAME=api-user@acme.example
//! export EVERREAL_PASSWORD=sandbox-everreal-password
//! export EVERREAL_CLIENT_ID=sandbox-everreal-client
//! export EVERREAL_CLIENT_SECRET=sandbox-everreal-secret
//! cargo run -p everreal-sdk --example first_units
//! ```
//!
//! Against EverReal itself, leave `EVERREAL_BASE_URL` unset, set `EVERREAL_SUBDOMAIN` to the
//! customer's subdomain, and give the API user and client EverReal issued.

use std::io::Write;
use std::process::ExitCode;

use everreal_sdk::Client;
use everreal_sdk::data::{ListInput, Paging, UnitsFilter};

/// Units on the page: one request.
const PAGE: u32 = 10;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let result = match Client::from_env() {
        Ok(client) => print_first_units(&client, &mut std::io::stdout()).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            // The SDK's errors never carry the password, the client secret or a token.
            eprintln!("first_units: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What was printed, for the end-to-end test that runs this example against the sandbox.
#[derive(Debug)]
pub struct Printed {
    /// The company the user works in now.
    pub company: Option<String>,
    /// Units on the first page.
    pub units: usize,
}

/// Prints the signed-in user, their company, and the first page of units to `out`.
///
/// # Errors
/// The first failed call, or a failed write.
pub async fn print_first_units(
    client: &Client,
    out: &mut impl Write,
) -> Result<Printed, Box<dyn std::error::Error>> {
    let me = client.users_me().await?;
    let company = me.current_company.as_ref().and_then(|c| c.name.clone());
    let name = [me.first_name.as_deref(), me.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    writeln!(
        out,
        "signed in as {name} <{}> at {}",
        me.email.as_deref().unwrap_or("no e-mail"),
        company.as_deref().unwrap_or("no company")
    )?;
    let input = ListInput::new(UnitsFilter::default()).paging(Paging::first(PAGE));
    let units = client.units_page(&input).await?;
    for unit in &units {
        writeln!(
            out,
            "{:<8} {:<24} {:>9}  {}",
            unit.external_id.as_deref().unwrap_or("-"),
            unit.name.as_deref().unwrap_or("(no name)"),
            unit.living_surface
                .map_or_else(|| "-".to_owned(), |s| format!("{s:.1} m²")),
            if unit.leasing_status_currently_leased == Some(true) {
                "leased"
            } else {
                "vacant"
            }
        )?;
    }
    writeln!(out, "{} units on the first page", units.len())?;
    Ok(Printed {
        company,
        units: units.len(),
    })
}
