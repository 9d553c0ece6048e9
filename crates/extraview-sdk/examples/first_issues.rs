//! Signs in with the `EXTRAVIEW_*` variables, checks that the install is up (the heartbeat),
//! then prints the first page of issues.
//!
//! Against the sandbox: start it in one terminal, it prints the variables to export.
//!
//! ```text
//! cargo run -p sdk-sandbox -- --port 7300
//! ```
//!
//! Then, in another terminal, export the `EXTRAVIEW_*` lines it printed and run the example:
//!
//! ```text
//! export EXTRAVIEW_URL=http://127.0.0.1:7304/evj/ExtraView/ev_api.action
//! export EXTRAVIEW_USER_ID=SANDBOX_API
//! export EXTRAVIEW_PASSWORD=sandbox-extraview-password
//! cargo run -p extraview-sdk --example first_issues
//! ```
//!
//! Against an ExtraView install, set `EXTRAVIEW_URL` to the full HTTPS URL of its
//! `ev_api.action` and give an API user's id and password.

use std::io::Write;
use std::process::ExitCode;

use extraview_sdk::{Client, SearchQuery, UsernameDisplay};

/// Issues on the page: one request.
const PAGE: u64 = 10;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let result = match Client::from_env() {
        Ok(client) => print_first_issues(&client, &mut std::io::stdout()).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            // The SDK's errors never carry the password or a token.
            eprintln!("first_issues: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What was printed, for the end-to-end test that runs this example against the sandbox.
#[derive(Debug)]
pub struct Printed {
    /// Whether the heartbeat said the server and its database are up.
    pub alive: bool,
    /// Issues on the first page.
    pub issues: usize,
}

/// Prints the heartbeat and the first page of issues (id, status, title) to `out`.
///
/// # Errors
/// The first failed call, or a failed write.
pub async fn print_first_issues(
    client: &Client,
    out: &mut impl Write,
) -> Result<Printed, Box<dyn std::error::Error>> {
    let beat = client.heartbeat().await?;
    let alive = beat.is_alive() && beat.is_db_confirmed();
    writeln!(
        out,
        "{}, {} (server time {})",
        beat.ev_status.as_deref().unwrap_or("no status"),
        beat.db_status.as_deref().unwrap_or("no database status"),
        beat.db_datetime.as_deref().unwrap_or("unknown")
    )?;
    let query = SearchQuery::new()
        .page_length(PAGE)
        .username_display(UsernameDisplay::Id);
    let page = client.search(&query).await?;
    for issue in &page.records {
        writeln!(
            out,
            "{:>8}  {:<10} {}",
            issue.id().unwrap_or("?"),
            issue.text("STATUS").unwrap_or(""),
            issue.text("SHORT_DESCR").unwrap_or("")
        )?;
    }
    writeln!(out, "{} issues on the first page", page.records.len())?;
    Ok(Printed {
        alive,
        issues: page.records.len(),
    })
}
