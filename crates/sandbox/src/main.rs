//! `cargo run -p sdk-sandbox -- [flags]`: starts the sandbox, prints each vendor's base URL and
//! demo credentials, and runs until Ctrl-C (or SIGTERM).

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use sdk_sandbox::{DEFAULT_SEED, Faults, ForcedFailure, RunningSandbox, Sandbox, SandboxBuilder};

const USAGE: &str = "\
sdk-sandbox: a loopback emulation of the vendor APIs (Everactive, IoTConnect, EverReal,
ExtraView)

Usage: sdk-sandbox [flags]

  --port N                 admin API on N, Everactive on N+1, IoTConnect on N+2,
                           EverReal on N+3, ExtraView on N+4 (default: free ports)
  --seed N                 seed of the generated data (default 42)
  --sensors N              Everactive sensors to seed (default 12)
  --gateways N             Everactive gateways to seed (default 3)
  --devices N              IoTConnect devices to seed (default 8)
  --issues N               ExtraView issues to seed (default 30)
  --extraview-prefix PATH  the path in front of ExtraView's /ev_api.action
                           (default /evj/ExtraView)
  --token-lifetime SECS    token lifetime of every vendor (default: the vendor's: 86400,
                           EverReal and ExtraView 3600)
  --refresh-token-lifetime SECS  refresh-token lifetime of IoTConnect and EverReal
                           (default: 2592000 and 2419200)
  --delivery-interval SECS webhook delivery round every SECS seconds, 0 = only on demand
                           (default: Everactive 60, EverReal 5)
  --rate-limit N           EverReal requests per minute before 429 (default 300)
Fault knobs at startup, for every vendor (the admin API changes them later):
  --latency-ms MS          added to every token and API answer
  --fail-api STATUS:COUNT[:RETRY_AFTER]     fail the next COUNT API calls
  --fail-tokens STATUS:COUNT[:RETRY_AFTER]  fail the next COUNT token requests
  --malformed-api N        next N API answers are cut off (not valid JSON or XML)
  --malformed-tokens N     next N token answers are cut off
  --redirect-api N         next N API calls answer 302 to the sandbox's sign-on page
  --redirect-tokens N      next N token requests answer 302 to the sign-on page
  --refuse-tokens          refuse every token request as wrong credentials
  --token-status 200|201   status of a successful token answer (default 200)
  --extra-fields           add an unknown member to every JSON object (ExtraView: an
                           unknown field to every record)
  --unknown-enums          replace enum values with an unknown one
  -h, --help               this text
  -V, --version            the version
";

fn main() -> ExitCode {
    let builder = match parse(std::env::args().skip(1)) {
        Ok(Some(builder)) => builder,
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sdk-sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("sdk_sandbox=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("sdk-sandbox: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(builder))
}

async fn run(builder: SandboxBuilder) -> ExitCode {
    let sandbox = match builder.start().await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("sdk-sandbox: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(&sandbox);
    stop_signal().await;
    println!("Stopping...");
    match sandbox.shutdown().await {
        Ok(()) => {
            println!("Stopped.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sdk-sandbox: unclean stop: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_banner(sandbox: &RunningSandbox) {
    let url = sandbox.everactive_url();
    let (ro_id, ro_secret) = sandbox.everactive_readonly_credentials();
    println!(
        "sdk-sandbox {} (seed {})",
        env!("CARGO_PKG_VERSION"),
        sandbox.seed()
    );
    println!();
    println!("Everactive  {url}");
    println!("  token endpoint  {url}/auth/token");
    println!("  API             {url}/ds/v1");
    for (name, value) in sandbox.everactive_env() {
        println!("  export {name}={value}");
    }
    println!("  read-only client: {ro_id} / {ro_secret}");
    println!();
    let root = sandbox.iotconnect_url();
    println!("IoTConnect  {root}");
    println!("  discovery       {}", sandbox.iotconnect_discovery_url());
    for service in ["auth", "device", "user", "telemetry"] {
        println!(
            "  {service:<15} {}",
            sandbox.iotconnect_service_url(service)
        );
    }
    for (name, value) in sandbox.iotconnect_env() {
        println!("  export {name}={value}");
    }
    println!();
    let base = sandbox.everreal_url();
    println!(
        "EverReal    {base}  (tenant {})",
        sandbox.everreal_subdomain()
    );
    println!("  token endpoint  {base}/accounts/oauth/token");
    println!("  authorize       {base}/accounts/dialog/authorize");
    println!("  GraphQL         {base}/api/reporting/graphql");
    for (name, value) in sandbox.everreal_env() {
        println!("  export {name}={value}");
    }
    println!();
    let endpoint = sandbox.extraview_url();
    println!("ExtraView   {endpoint}");
    println!("  token           {endpoint}?statevar=get_token&user_id=...&password=...");
    println!(
        "  list delimiter  {}   (plain http is accepted: loopback only)",
        sandbox.extraview_delimiter()
    );
    for (name, value) in sandbox.extraview_env() {
        println!("  export {name}={value}");
    }
    let (ro_user, ro_password) = sandbox.extraview_readonly_credentials();
    println!("  read-only user: {ro_user} / {ro_password}");
    println!();
    println!("Admin       {}", sandbox.admin_url());
    println!();
    println!("Press Ctrl-C to stop.");
}

/// Waits for Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Reads the flags; `Ok(None)` when the flags asked only for help or the version.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<SandboxBuilder>, String> {
    let mut builder = Sandbox::builder().seed(DEFAULT_SEED);
    let mut faults = Faults::default();
    let mut sensors = None;
    let mut gateways = None;
    while let Some(flag) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(None);
            }
            "-V" | "--version" => {
                println!("sdk-sandbox {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            "--port" => builder = builder.port(number(&flag, &value(&flag)?)?),
            "--seed" => builder = builder.seed(number(&flag, &value(&flag)?)?),
            "--sensors" => sensors = Some(number(&flag, &value(&flag)?)?),
            "--gateways" => gateways = Some(number(&flag, &value(&flag)?)?),
            "--devices" => builder = builder.iotconnect_devices(number(&flag, &value(&flag)?)?),
            "--issues" => builder = builder.extraview_issues(number(&flag, &value(&flag)?)?),
            "--extraview-prefix" => builder = builder.extraview_path_prefix(value(&flag)?),
            "--token-lifetime" => {
                let lifetime = Duration::from_secs(number(&flag, &value(&flag)?)?);
                builder = builder
                    .everactive_token_lifetime(lifetime)
                    .iotconnect_token_lifetime(lifetime)
                    .everreal_token_lifetime(lifetime)
                    .extraview_token_lifetime(lifetime);
            }
            "--refresh-token-lifetime" => {
                let lifetime = Duration::from_secs(number(&flag, &value(&flag)?)?);
                builder = builder
                    .iotconnect_refresh_token_lifetime(lifetime)
                    .everreal_refresh_token_lifetime(lifetime);
            }
            "--delivery-interval" => {
                let secs: u64 = number(&flag, &value(&flag)?)?;
                let every = (secs > 0).then(|| Duration::from_secs(secs));
                builder = builder
                    .everactive_delivery_interval(every)
                    .everreal_delivery_interval(every);
            }
            "--rate-limit" => builder = builder.everreal_rate_limit(number(&flag, &value(&flag)?)?),
            "--latency-ms" => faults.latency_ms = number(&flag, &value(&flag)?)?,
            "--fail-api" => faults.fail_api = Some(failure(&flag, &value(&flag)?)?),
            "--fail-tokens" => faults.fail_tokens = Some(failure(&flag, &value(&flag)?)?),
            "--malformed-api" => faults.malformed_api = number(&flag, &value(&flag)?)?,
            "--malformed-tokens" => faults.malformed_tokens = number(&flag, &value(&flag)?)?,
            "--redirect-api" => faults.redirect_api = number(&flag, &value(&flag)?)?,
            "--redirect-tokens" => faults.redirect_tokens = number(&flag, &value(&flag)?)?,
            "--refuse-tokens" => faults.refuse_tokens = true,
            "--token-status" => faults.token_status = number(&flag, &value(&flag)?)?,
            "--extra-fields" => faults.extra_fields = true,
            "--unknown-enums" => faults.unknown_enum_values = true,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    faults.validate().map_err(|e| e.to_string())?;
    if sensors.is_some() || gateways.is_some() {
        builder = builder.everactive_fleet(sensors.unwrap_or(12), gateways.unwrap_or(3));
    }
    Ok(Some(
        builder
            .everactive_faults(faults.clone())
            .iotconnect_faults(faults.clone())
            .everreal_faults(faults.clone())
            .extraview_faults(faults),
    ))
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag} takes a number, not {text:?}"))
}

/// `STATUS:COUNT[:RETRY_AFTER]`, e.g. `503:2:1`.
fn failure(flag: &str, text: &str) -> Result<ForcedFailure, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let (status, count, retry_after) = match parts.as_slice() {
        [status, count] => (status, count, None),
        [status, count, retry_after] => (status, count, Some(retry_after)),
        _ => {
            return Err(format!(
                "{flag} takes STATUS:COUNT[:RETRY_AFTER], not {text:?}"
            ));
        }
    };
    let mut forced = ForcedFailure::new(number(flag, status)?, number(flag, count)?);
    if let Some(secs) = retry_after {
        forced = forced.retry_after(number(flag, secs)?);
    }
    Ok(forced)
}
