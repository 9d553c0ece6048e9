//! Per-request overhead of an Everactive call (cached token) against raw reqwest.
//!
//! Both sides send `GET /ds/v1/health` with `Accept: application/json` and
//! `Authorization: Bearer <token>` through the *same* `reqwest::Client` (the SDK's own, so
//! timeouts, user agent and connection pool are identical) to an in-process HTTP/1.1 keep-alive
//! server on 127.0.0.1, read the body and decode it into `types::Health`. The difference is
//! therefore what the SDK adds: the generated builder, `Auth::prepare` (token cache) and
//! `Auth::execute` (span, retry bookkeeping, `try_clone`), and `ResponseValue`.
//!
//! Reports numbers only; it never fails on a slow result. See `benches/README.md`.
//!
//! ```text
//! cargo bench -p everactive-sdk --bench overhead
//! cargo bench -p everactive-sdk --bench overhead -- --rounds 5 --batch 5000
//! OVERHEAD_ROUNDS=5 OVERHEAD_BATCH=5000 cargo bench -p everactive-sdk --bench overhead
//! ```
//!
//! Without `--bench` on the command line (`cargo test --benches`, `--all-targets`) it runs a
//! short smoke check instead of the measurement.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use everactive_sdk::Client;
use everactive_sdk::types::Health;
use progenitor_client::ClientInfo as _;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Requests in flight at any time (one per worker task).
const IN_FLIGHT: usize = 64;
const DEFAULT_ROUNDS: usize = 15;
const DEFAULT_BATCH: usize = 20_000;
const WARMUP: usize = 4_000;

const ACCESS_TOKEN: &str = "bench-access-token-0b1d";
const HEALTH_BODY: &str = r#"{"ok":true,"version":"89accb09"}"#;
const TOKEN_BODY: &str =
    r#"{"access_token":"bench-access-token-0b1d","expires_in":86400,"token_type":"Bearer"}"#;

struct Settings {
    rounds: usize,
    batch: usize,
    smoke: bool,
}

impl Settings {
    /// `--bench` (added by `cargo bench`) selects the measurement; `--rounds N`, `--batch N`
    /// (or `=N`) and `OVERHEAD_ROUNDS` / `OVERHEAD_BATCH` size it. Other arguments are ignored.
    fn parse() -> Self {
        let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
        let mut rounds = env("OVERHEAD_ROUNDS").unwrap_or(DEFAULT_ROUNDS);
        let mut batch = env("OVERHEAD_BATCH").unwrap_or(DEFAULT_BATCH);
        let mut smoke = true;
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let (key, inline) = match arg.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (arg.clone(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .and_then(|v| v.parse().ok())
            };
            match key.as_str() {
                "--bench" => smoke = false,
                "--rounds" => rounds = value().unwrap_or(rounds),
                "--batch" => batch = value().unwrap_or(batch),
                _ => {}
            }
        }
        Self {
            rounds: rounds.max(1),
            batch: batch.max(IN_FLIGHT),
            smoke,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Server: minimal HTTP/1.1 keep-alive, fixed answers, stops when told.

#[derive(Default)]
struct Counters {
    health: AtomicU64,
    token: AtomicU64,
    other: AtomicU64,
}

fn response(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

struct Answers {
    health: Vec<u8>,
    token: Vec<u8>,
    not_found: Vec<u8>,
}

async fn serve(
    listener: TcpListener,
    counters: Arc<Counters>,
    mut stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let answers = Arc::new(Answers {
        health: response("200 OK", HEALTH_BODY),
        token: response("200 OK", TOKEN_BODY),
        not_found: response("404 Not Found", r#"{"message":"not found"}"#),
    });
    loop {
        let (stream, _) = tokio::select! {
            _ = stop.changed() => return Ok(()),
            accepted = listener.accept() => accepted?,
        };
        stream.set_nodelay(true)?;
        let answers = Arc::clone(&answers);
        let counters = Arc::clone(&counters);
        let mut stop = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = stop.changed() => {}
                _ = connection(stream, &answers, &counters) => {}
            }
        });
    }
}

/// Serves one keep-alive connection until the peer closes it or sends something unparsable.
async fn connection(mut stream: TcpStream, answers: &Answers, counters: &Counters) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut filled = 0;
    let mut out = Vec::with_capacity(4 * 1024);
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match stream.read(&mut buf[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => filled += n,
        }
        // Answer every complete request in the buffer (handles pipelining and split reads).
        let mut start = 0;
        while let Some(head_len) = find_head_end(&buf[start..filled]) {
            let head = &buf[start..start + head_len];
            let Some(body_len) = content_length(head) else {
                return;
            };
            if start + head_len + body_len > filled {
                break; // body not complete yet
            }
            let answer = if head.starts_with(b"GET /ds/v1/health ") {
                counters.health.fetch_add(1, Ordering::Relaxed);
                &answers.health
            } else if head.starts_with(b"POST /auth/token ") {
                counters.token.fetch_add(1, Ordering::Relaxed);
                &answers.token
            } else {
                counters.other.fetch_add(1, Ordering::Relaxed);
                &answers.not_found
            };
            out.extend_from_slice(answer);
            start += head_len + body_len;
        }
        if start > 0 {
            buf.copy_within(start..filled, 0);
            filled -= start;
        }
        if !out.is_empty() {
            if stream.write_all(&out).await.is_err() {
                return;
            }
            out.clear();
        }
    }
}

/// Length of the request head including the blank line, if it is complete.
fn find_head_end(data: &[u8]) -> Option<usize> {
    data.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
}

/// The `Content-Length` of a request head (0 when absent); `None` when malformed.
fn content_length(head: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length:";
    for line in head.split(|&b| b == b'\n') {
        if line.len() > NAME.len() && line[..NAME.len()].eq_ignore_ascii_case(NAME) {
            let value = std::str::from_utf8(&line[NAME.len()..]).ok()?.trim();
            return value.parse().ok();
        }
    }
    Some(0)
}

// ---------------------------------------------------------------------------------------------
// Clients.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Sdk,
    Raw,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Sdk => "sdk",
            Side::Raw => "raw",
        }
    }
}

struct Targets {
    sdk: Client,
    http: reqwest::Client,
    url: String,
    bearer: HeaderValue,
}

async fn call_sdk(t: &Targets) {
    let health = t.sdk.get_health().send().await.expect("sdk health");
    assert!(health.ok);
}

async fn call_raw(t: &Targets) {
    let response = t
        .http
        .get(t.url.as_str())
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header(AUTHORIZATION, t.bearer.clone())
        .send()
        .await
        .expect("raw health");
    assert_eq!(response.status().as_u16(), 200);
    let body = response.bytes().await.expect("raw body");
    let health: Health = serde_json::from_slice(&body).expect("raw decode");
    assert!(health.ok);
}

/// Sends `total` requests with exactly `IN_FLIGHT` outstanding; returns ns per request.
async fn batch(targets: &Arc<Targets>, side: Side, total: usize) -> f64 {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let targets = Arc::clone(targets);
            let next = Arc::clone(&next);
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    match side {
                        Side::Sdk => call_sdk(&targets).await,
                        Side::Raw => call_raw(&targets).await,
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    started.elapsed().as_nanos() as f64 / total as f64
}

// ---------------------------------------------------------------------------------------------
// Statistics and report.

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

struct Round {
    first: Side,
    sdk: f64,
    raw: f64,
}

fn report(settings: &Settings, rounds: &[Round]) {
    let sdk: Vec<f64> = rounds.iter().map(|r| r.sdk).collect();
    let raw: Vec<f64> = rounds.iter().map(|r| r.raw).collect();
    let ratio: Vec<f64> = rounds.iter().map(|r| r.sdk / r.raw).collect();
    println!();
    println!(
        "everactive-sdk overhead: GET /ds/v1/health, {} rounds x {} requests per side, {} in flight, 2 tokio workers",
        settings.rounds, settings.batch, IN_FLIGHT
    );
    println!();
    println!("round  first  sdk ns/req  raw ns/req  sdk/raw");
    println!("-----  -----  ----------  ----------  -------");
    for (i, (r, q)) in rounds.iter().zip(&ratio).enumerate() {
        println!(
            "{:>5}  {:>5}  {:>10.0}  {:>10.0}  {:>7.3}",
            i + 1,
            r.first.name(),
            r.sdk,
            r.raw,
            q
        );
    }
    let (sdk_lo, sdk_hi) = min_max(&sdk);
    let (raw_lo, raw_hi) = min_max(&raw);
    let (q_lo, q_hi) = min_max(&ratio);
    println!();
    println!("             median       min       max");
    println!(
        "sdk ns/req  {:>9.0} {:>9.0} {:>9.0}   ({:.0} req/s at the median)",
        median(&sdk),
        sdk_lo,
        sdk_hi,
        1e9 / median(&sdk)
    );
    println!(
        "raw ns/req  {:>9.0} {:>9.0} {:>9.0}   ({:.0} req/s at the median)",
        median(&raw),
        raw_lo,
        raw_hi,
        1e9 / median(&raw)
    );
    println!(
        "sdk/raw     {:>9.3} {:>9.3} {:>9.3}",
        median(&ratio),
        q_lo,
        q_hi
    );
    println!(
        "overhead    {:>+9.0} ns/req (median sdk - median raw)",
        median(&sdk) - median(&raw)
    );
    let verdict = if median(&ratio) <= 1.05 {
        "within"
    } else {
        "ABOVE"
    };
    println!("target      median ratio <= 1.050: {verdict} target (informational, never fails)");
}

// ---------------------------------------------------------------------------------------------

async fn run(settings: Settings) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let counters = Arc::new(Counters::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = tokio::spawn(serve(listener, Arc::clone(&counters), stop_rx));

    let sdk = Client::builder()
        .credentials("bench-client", "bench-secret")
        .base_url(format!("http://{addr}"))
        .build()
        .expect("client");
    let http = sdk.client().clone();
    let mut bearer = HeaderValue::from_str(&format!("Bearer {ACCESS_TOKEN}")).expect("header");
    bearer.set_sensitive(true);
    let targets = Arc::new(Targets {
        url: format!("{}/ds/v1/health", sdk.baseurl()),
        sdk,
        http,
        bearer,
    });

    // Warm-up: fetch the token, open the pooled connections, warm caches and allocators.
    call_sdk(&targets).await;
    let (rounds, size, warmup) = if settings.smoke {
        (1, 256, 256)
    } else {
        (settings.rounds, settings.batch, WARMUP)
    };
    batch(&targets, Side::Sdk, warmup).await;
    batch(&targets, Side::Raw, warmup).await;

    let mut results = Vec::with_capacity(rounds);
    for round in 0..rounds {
        // Alternate which side goes first to cancel drift (heating, background load).
        let first = if round.is_multiple_of(2) {
            Side::Sdk
        } else {
            Side::Raw
        };
        let second = if first == Side::Sdk {
            Side::Raw
        } else {
            Side::Sdk
        };
        let a = batch(&targets, first, size).await;
        let b = batch(&targets, second, size).await;
        let (sdk, raw) = if first == Side::Sdk { (a, b) } else { (b, a) };
        results.push(Round { first, sdk, raw });
    }

    let _ = stop_tx.send(true);
    server.await.expect("server task")?;
    let expected = (1 + 2 * warmup + 2 * rounds * size) as u64;
    let health = counters.health.load(Ordering::Relaxed);
    let tokens = counters.token.load(Ordering::Relaxed);
    let other = counters.other.load(Ordering::Relaxed);
    assert_eq!(health, expected, "health requests served");
    assert_eq!(tokens, 1, "the token must be fetched once and then cached");
    assert_eq!(other, 0, "unexpected requests");

    if settings.smoke {
        println!(
            "overhead bench smoke check passed ({health} requests, 1 token fetch); run `cargo bench -p everactive-sdk --bench overhead` to measure"
        );
    } else {
        report(&settings, &results);
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let settings = Settings::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(run(settings));
    // Server connection tasks have been told to stop; do not wait for stragglers.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}
