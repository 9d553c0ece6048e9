//! Per-request overhead of an Everactive call (cached token) against raw reqwest.
//!
//! Both sides send `GET /ds/v1/health` with `Accept: application/json` and
//! `Authorization: Bearer <token>` through the *same* `reqwest::Client` (the SDK's own, so
//! timeouts, user agent and connection pool are identical) to an in-process HTTP/1.1 keep-alive
//! server on 127.0.0.1, read the body and decode it into `types::Health`. The difference is
//! what the SDK adds: the generated builder and `ResponseValue`, `Auth::prepare` (token cache)
//! and `Auth::execute` (span, retry bookkeeping, the copy kept for a resend).
//!
//! Reports numbers only; it never fails on a slow result. See `bench/README.md`.
//!
//! ```text
//! cargo bench -p sdk-bench --bench overhead
//! cargo bench -p sdk-bench --bench overhead -- --rounds 5 --batch 5000 --layer
//! OVERHEAD_ROUNDS=5 OVERHEAD_BATCH=5000 cargo bench -p sdk-bench --bench overhead
//! # one side only, for instruction counts (see bench/README.md):
//! cargo bench -p sdk-bench --bench overhead -- --only sdk --batch 4000
//! ```
//!
//! Without `--bench` on the command line (`cargo test --benches`, `--all-targets`) it runs a
//! short smoke check instead of the measurement.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use everactive_sdk::Client;
use everactive_sdk::types::Health;
use progenitor_client::ClientInfo as _;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use sdk_bench::server::{self, Answer, Routes};
use tokio::sync::watch;

/// Requests in flight at any time (one per worker task).
const IN_FLIGHT: usize = 64;
const DEFAULT_ROUNDS: usize = 15;
const DEFAULT_BATCH: usize = 20_000;
/// Each round's batch is sent in slices of this size, the sides alternating slice by slice, so
/// that the machine's speed drifting (other VMs, frequency) hits both sides alike.
const DEFAULT_SLICE: usize = 1_000;
const WARMUP: usize = 4_000;
/// Requests per side of the (untimed) allocation count.
const ALLOC_SAMPLE: usize = 2_000;

const ACCESS_TOKEN: &str = "bench-access-token-0b1d";
const HEALTH_BODY: &str = r#"{"ok":true,"version":"89accb09"}"#;
const TOKEN_BODY: &str =
    r#"{"access_token":"bench-access-token-0b1d","expires_in":86400,"token_type":"Bearer"}"#;

// ---------------------------------------------------------------------------------------------
// Allocation counting: the system allocator plus two counters, switched on only for the
// untimed allocation pass (the timed rounds pay one relaxed load per allocation, both sides).

struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static ALLOC_BYTES: AtomicU64 = AtomicU64::new(0);

fn count(bytes: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        ALLOC_BYTES.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the counters have no effect on memory.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

// ---------------------------------------------------------------------------------------------
// CPU time of the whole process (client and server, user and kernel). Unlike wall time it does
// not count the time another VM holds the core, which makes it the steadier of the two.

fn process_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Wall time and process CPU time spent by one side.
#[derive(Clone, Copy, Default)]
struct Spent {
    wall: Duration,
    cpu: Duration,
}

// ---------------------------------------------------------------------------------------------
// Settings.

struct Settings {
    rounds: usize,
    batch: usize,
    slice: usize,
    layer: bool,
    /// `--aa`: the sdk side sends raw requests too, to check that the method favours neither
    /// side (its ratio should come out at 1.00 within the noise).
    aa: bool,
    smoke: bool,
    /// `--only SIDE`: send `batch` requests of that side after the warm-up and report nothing
    /// else, for instruction counts under callgrind (run two batch sizes, take the difference).
    only: Option<Side>,
}

impl Settings {
    /// `--bench` (added by `cargo bench`) selects the measurement. `--rounds N`, `--batch N`,
    /// `--slice N` (or `=N`) and `OVERHEAD_ROUNDS` / `OVERHEAD_BATCH` / `OVERHEAD_SLICE` size
    /// it; `--layer` / `OVERHEAD_LAYER=1` adds the third side. Other arguments are ignored.
    fn parse() -> Self {
        let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
        let mut rounds = env("OVERHEAD_ROUNDS").unwrap_or(DEFAULT_ROUNDS);
        let mut batch = env("OVERHEAD_BATCH").unwrap_or(DEFAULT_BATCH);
        let mut slice = env("OVERHEAD_SLICE").unwrap_or(DEFAULT_SLICE);
        let mut layer = std::env::var("OVERHEAD_LAYER").is_ok_and(|v| v == "1");
        let mut aa = false;
        let mut smoke = true;
        let mut only = None;
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
                "--layer" => layer = true,
                "--aa" => aa = true,
                "--rounds" => rounds = value().unwrap_or(rounds),
                "--batch" => batch = value().unwrap_or(batch),
                "--slice" => slice = value().unwrap_or(slice),
                "--only" => {
                    let name = inline.clone().or_else(|| args.next()).unwrap_or_default();
                    only =
                        Some(Side::from_name(&name).unwrap_or_else(|| {
                            panic!("--only takes sdk, raw or layer, not {name:?}")
                        }));
                }
                _ => {}
            }
        }
        let batch = batch.max(IN_FLIGHT);
        Self {
            rounds: rounds.max(1),
            batch,
            slice: slice.clamp(IN_FLIGHT, batch),
            layer,
            aa,
            smoke,
            only,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Server (`sdk_bench::server`): fixed answers, prebuilt once.

#[derive(Default)]
struct Counters {
    health: AtomicU64,
    token: AtomicU64,
    other: AtomicU64,
}

struct Answers {
    counters: Arc<Counters>,
    health: Vec<u8>,
    token: Vec<u8>,
    not_found: Vec<u8>,
}

impl Routes for Answers {
    fn answer(&self, head: &[u8]) -> Answer<'_> {
        let (counter, bytes) = if head.starts_with(b"GET /ds/v1/health ") {
            (&self.counters.health, &self.health)
        } else if head.starts_with(b"POST /auth/token ") {
            (&self.counters.token, &self.token)
        } else {
            (&self.counters.other, &self.not_found)
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Answer::Now(bytes)
    }
}

// ---------------------------------------------------------------------------------------------
// The three ways of sending the same request.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// `client.get_health().send()`: generated code + auth layer + `ResponseValue`, with the
    /// typed error path every `send` now takes.
    Sdk,
    /// Plain reqwest with the bearer header set by hand.
    Raw,
    /// Plain reqwest request passed through `Auth::prepare` + `Auth::execute` only.
    Layer,
}

impl Side {
    fn from_name(name: &str) -> Option<Self> {
        [Side::Sdk, Side::Raw, Side::Layer]
            .into_iter()
            .find(|side| side.name() == name)
    }

    fn name(self) -> &'static str {
        match self {
            Side::Sdk => "sdk",
            Side::Raw => "raw",
            Side::Layer => "layer",
        }
    }
}

struct Targets {
    sdk: Client,
    http: reqwest::Client,
    url: String,
    bearer: HeaderValue,
    /// The sdk side sends raw requests (`--aa`).
    aa: bool,
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

async fn call_layer(t: &Targets) {
    let mut request = t
        .http
        .get(t.url.as_str())
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .build()
        .expect("layer request");
    let auth = t.sdk.auth();
    auth.prepare(&mut request).await.expect("layer token");
    let response = auth
        .execute(&t.http, request, "get_health")
        .await
        .expect("layer health");
    assert_eq!(response.status().as_u16(), 200);
    let body = response.bytes().await.expect("layer body");
    let health: Health = serde_json::from_slice(&body).expect("layer decode");
    assert!(health.ok);
}

/// Sends `total` requests with exactly `IN_FLIGHT` outstanding; returns the elapsed time.
async fn batch(targets: &Arc<Targets>, side: Side, total: usize) -> Duration {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let targets = Arc::clone(targets);
            let next = Arc::clone(&next);
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    match side {
                        Side::Sdk if targets.aa => call_raw(&targets).await,
                        Side::Sdk => call_sdk(&targets).await,
                        Side::Raw => call_raw(&targets).await,
                        Side::Layer => call_layer(&targets).await,
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    started.elapsed()
}

/// Allocations and allocated bytes per request of one side (untimed).
async fn allocations(targets: &Arc<Targets>, side: Side) -> (f64, f64) {
    ALLOCS.store(0, Ordering::Relaxed);
    ALLOC_BYTES.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    batch(targets, side, ALLOC_SAMPLE).await;
    COUNTING.store(false, Ordering::Relaxed);
    let n = ALLOC_SAMPLE as f64;
    (
        ALLOCS.load(Ordering::Relaxed) as f64 / n,
        ALLOC_BYTES.load(Ordering::Relaxed) as f64 / n,
    )
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

/// ns per request of each side in one round: wall time, and process CPU time.
struct Round {
    first: Side,
    sdk: f64,
    raw: f64,
    layer: Option<f64>,
    sdk_cpu: f64,
    raw_cpu: f64,
    layer_cpu: Option<f64>,
}

fn summary_line(label: &str, values: &[f64], decimals: usize) {
    let (lo, hi) = min_max(values);
    println!(
        "{label:<20}{:>10.decimals$}{lo:>10.decimals$}{hi:>10.decimals$}",
        median(values)
    );
}

fn report(settings: &Settings, rounds: &[Round], allocs: &[(Side, (f64, f64))]) {
    let column =
        |f: fn(&Round) -> Option<f64>| -> Vec<f64> { rounds.iter().filter_map(f).collect() };
    let sdk = column(|r| Some(r.sdk));
    let raw = column(|r| Some(r.raw));
    let ratio = column(|r| Some(r.sdk / r.raw));
    let sdk_cpu = column(|r| Some(r.sdk_cpu));
    let raw_cpu = column(|r| Some(r.raw_cpu));
    let ratio_cpu = column(|r| Some(r.sdk_cpu / r.raw_cpu));
    let layer_ratio = column(|r| Some(r.layer? / r.raw));
    let layer_ratio_cpu = column(|r| Some(r.layer_cpu? / r.raw_cpu));
    let with_layer = !layer_ratio.is_empty();

    println!();
    println!(
        "everactive-sdk overhead: GET /ds/v1/health, {} rounds x {} requests per side \
         (slices of {}, sides alternating), {} in flight, 2 tokio workers",
        settings.rounds, settings.batch, settings.slice, IN_FLIGHT
    );
    println!("wall: elapsed time per request; cpu: process CPU time (client + server) per request");
    if settings.aa {
        println!("A/A check (--aa): the sdk side sends raw requests; its ratio should be 1.00");
    }
    println!();
    print!("round  first  sdk wall  raw wall  sdk/raw   sdk cpu   raw cpu  sdk/raw");
    println!(
        "{}",
        if with_layer {
            "  layer/raw wall  layer/raw cpu"
        } else {
            ""
        }
    );
    for (i, r) in rounds.iter().enumerate() {
        print!(
            "{:>5}  {:>5}  {:>8.0}  {:>8.0}  {:>7.3}  {:>8.0}  {:>8.0}  {:>7.3}",
            i + 1,
            r.first.name(),
            r.sdk,
            r.raw,
            r.sdk / r.raw,
            r.sdk_cpu,
            r.raw_cpu,
            r.sdk_cpu / r.raw_cpu
        );
        match (r.layer, r.layer_cpu) {
            (Some(l), Some(c)) => println!("  {:>14.3}  {:>13.3}", l / r.raw, c / r.raw_cpu),
            _ => println!(),
        }
    }
    println!();
    println!("{:<20}{:>10}{:>10}{:>10}", "", "median", "min", "max");
    summary_line("sdk wall ns/req", &sdk, 0);
    summary_line("raw wall ns/req", &raw, 0);
    summary_line("sdk/raw wall", &ratio, 3);
    summary_line("sdk cpu ns/req", &sdk_cpu, 0);
    summary_line("raw cpu ns/req", &raw_cpu, 0);
    summary_line("sdk/raw cpu", &ratio_cpu, 3);
    if with_layer {
        summary_line("layer/raw wall", &layer_ratio, 3);
        summary_line("layer/raw cpu", &layer_ratio_cpu, 3);
    }
    println!(
        "sdk - raw           {:>+10.0} ns/req wall, {:>+.0} ns/req cpu (difference of medians)",
        median(&sdk) - median(&raw),
        median(&sdk_cpu) - median(&raw_cpu),
    );
    for (side, (count, bytes)) in allocs {
        println!(
            "allocations {:<6}{count:>6.1} per request, {bytes:>6.0} bytes per request (whole process)",
            side.name()
        );
    }
    let verdict = |r: f64| if r <= 1.10 { "within" } else { "ABOVE" };
    println!(
        "target: median sdk/raw <= 1.100 -> wall {:.3} {}, cpu {:.3} {} (informational, never fails)",
        median(&ratio),
        verdict(median(&ratio)),
        median(&ratio_cpu),
        verdict(median(&ratio_cpu)),
    );
}

// ---------------------------------------------------------------------------------------------

async fn run(settings: Settings) -> io::Result<()> {
    let listener = server::listen()?;
    let addr = listener.local_addr()?;
    let counters = Arc::new(Counters::default());
    let answers = Arc::new(Answers {
        counters: Arc::clone(&counters),
        health: server::response("200 OK", HEALTH_BODY),
        token: server::response("200 OK", TOKEN_BODY),
        not_found: server::response("404 Not Found", r#"{"message":"not found"}"#),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = tokio::spawn(server::serve(listener, answers, stop_rx));

    let sdk = Client::builder()
        .credentials("bench-client", "bench-secret")
        .base_url(format!("http://{addr}"))
        .build()
        .expect("client");
    // The SDK's own reqwest client: identical settings and a shared connection pool.
    let http = sdk.client().clone();
    let mut bearer = HeaderValue::from_str(&format!("Bearer {ACCESS_TOKEN}")).expect("header");
    bearer.set_sensitive(true);
    let targets = Arc::new(Targets {
        url: format!("{}/ds/v1/health", sdk.baseurl()),
        sdk,
        http,
        bearer,
        aa: settings.aa,
    });

    if let Some(side) = settings.only {
        call_sdk(&targets).await;
        batch(&targets, side, WARMUP).await;
        let elapsed = batch(&targets, side, settings.batch).await;
        let _ = stop_tx.send(true);
        server.await.expect("server task");
        let served = counters.health.load(Ordering::Relaxed);
        assert_eq!(
            served,
            (1 + WARMUP + settings.batch) as u64,
            "requests served"
        );
        println!(
            "{}: {} requests after a warm-up of {WARMUP}, {:.0} ns/req",
            side.name(),
            settings.batch,
            elapsed.as_nanos() as f64 / settings.batch as f64
        );
        return Ok(());
    }

    let (rounds, size, slice, warmup) = if settings.smoke {
        (1, 256, 128, 256)
    } else {
        (settings.rounds, settings.batch, settings.slice, WARMUP)
    };
    let mut sides = vec![Side::Sdk, Side::Raw];
    if settings.layer {
        sides.push(Side::Layer);
    }

    // Warm-up: fetch the token, open the pooled connections, warm caches and allocators.
    call_sdk(&targets).await;
    let mut sent = 1;
    for &side in &sides {
        batch(&targets, side, warmup).await;
        sent += warmup;
    }

    let mut results = Vec::with_capacity(rounds);
    for round in 0..rounds {
        // Slices alternate the side that goes first (and each round starts with the other side
        // than the previous one), so drift during a round hits both sides alike.
        let mut spent = [Spent::default(); 3];
        let mut done = 0;
        let mut slice_no = round;
        while done < size {
            let n = slice.min(size - done);
            let mut order = sides.clone();
            order.rotate_left(slice_no % sides.len());
            for &side in &order {
                let cpu = process_cpu_time();
                let wall = batch(&targets, side, n).await;
                let spent = &mut spent[side as usize];
                spent.cpu += process_cpu_time() - cpu;
                spent.wall += wall;
            }
            sent += n * sides.len();
            done += n;
            slice_no += 1;
        }
        let per_request = |time: Duration| time.as_nanos() as f64 / size as f64;
        let wall = |side: Side| per_request(spent[side as usize].wall);
        let cpu = |side: Side| per_request(spent[side as usize].cpu);
        results.push(Round {
            first: sides[round % sides.len()],
            sdk: wall(Side::Sdk),
            raw: wall(Side::Raw),
            layer: settings.layer.then(|| wall(Side::Layer)),
            sdk_cpu: cpu(Side::Sdk),
            raw_cpu: cpu(Side::Raw),
            layer_cpu: settings.layer.then(|| cpu(Side::Layer)),
        });
    }

    let mut allocs = Vec::new();
    if !settings.smoke {
        for &side in &sides {
            allocs.push((side, allocations(&targets, side).await));
            sent += ALLOC_SAMPLE;
        }
    }

    let _ = stop_tx.send(true);
    server.await.expect("server task");
    let health = counters.health.load(Ordering::Relaxed);
    let tokens = counters.token.load(Ordering::Relaxed);
    let other = counters.other.load(Ordering::Relaxed);
    assert_eq!(health, sent as u64, "health requests served");
    assert_eq!(tokens, 1, "the token must be fetched once and then cached");
    assert_eq!(other, 0, "unexpected requests");

    if settings.smoke {
        println!(
            "overhead bench smoke check passed ({health} requests, 1 token fetch); \
             run `cargo bench -p sdk-bench --bench overhead` to measure"
        );
    } else {
        report(&settings, &results, &allocs);
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
