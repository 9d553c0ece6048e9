//! Token requests under a burst: 10,000 concurrent Everactive calls that all need a new 2 s
//! token must make exactly ONE token request, burst after burst.
//!
//! A loopback HTTP/1.1 server (`sdk_bench::server`) runs in a child process (this same
//! binary, started with `TOKEN_BURST_SERVER=1`), so that each end of the 10,000 connections
//! has a file-descriptor budget of its own. `POST /auth/token` counts the request and answers
//! a new token (`burst-token-<n>`, `expires_in: 2`) after 50 ms, and not before every call of
//! the burst is waiting for it; `GET /ds/v1/health` answers 200 to a bearer it issued. The
//! parent drives it over the child's stdin (`hold`, `release`, `stats`).
//!
//! Two scenarios, `--bursts` bursts each (default 13), each burst `--calls` concurrent
//! `client.get_health().send()` calls (default 10,000) spawned on a 2-worker runtime:
//!
//! - **fresh**: a new client per burst. Every call is a first call: no token, no connection.
//! - **warm**: one client. One call fetches the first token, then every burst starts 2.1 s
//!   after the previous one ended, when the token has expired (the cache already counts a
//!   2 s token as stale after 1 s). Connections stay pooled between bursts.
//!
//! For each burst it prints the token requests the server counted, the failed calls, the API
//! requests served, the connections opened, when every call was waiting for the token, and
//! the wall time. The timings are reported, never judged. A failed call or a burst with other
//! than one token request panics: that is a correctness property, not a timing.
//!
//! ```text
//! cargo bench -p sdk-bench --bench token_burst
//! cargo bench -p sdk-bench --bench token_burst -- --bursts 5 --calls 2000 --scenario warm
//! TOKEN_BURST_BURSTS=5 TOKEN_BURST_CALLS=2000 TOKEN_BURST_SCENARIO=fresh \
//!     cargo bench -p sdk-bench --bench token_burst
//! ```
//!
//! Without `--bench` on the command line (`cargo test --benches`, `--all-targets`) it runs 2
//! bursts of 500 calls per scenario.

use std::future::Future;
use std::io::{self, BufRead as _, BufReader, Write as _};
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use everactive_sdk::Client;
use sdk_bench::server::{self, Answer, Routes};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

const DEFAULT_BURSTS: usize = 13;
const DEFAULT_CALLS: usize = 10_000;
const SMOKE_BURSTS: usize = 2;
const SMOKE_CALLS: usize = 500;
/// How long the token endpoint takes to answer.
const TOKEN_DELAY: Duration = Duration::from_millis(50);
/// The token's `expires_in`, in seconds.
const TOKEN_LIFETIME: u64 = 2;
/// Between warm bursts: the token's lifetime and a little more, so it has surely expired.
const WARM_GAP: Duration = Duration::from_millis(TOKEN_LIFETIME * 1000 + 100);
/// File descriptors a process needs besides one per connection (runtime, pipes, stats).
const SPARE_FDS: u64 = 256;
/// Set in the environment of the child process that runs the server.
const SERVER_ENV: &str = "TOKEN_BURST_SERVER";

const HEALTH_BODY: &str = r#"{"ok":true,"version":"89accb09"}"#;
const TOKEN_PREFIX: &str = "burst-token-";
/// What every API request must carry (reqwest writes header names in lower case).
const BEARER: &[u8] = b"\r\nauthorization: Bearer burst-token-";

// ---------------------------------------------------------------------------------------------
// Settings.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Fresh,
    Warm,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Fresh => "fresh",
            Scenario::Warm => "warm",
        }
    }
}

struct Settings {
    bursts: usize,
    calls: usize,
    scenarios: Vec<Scenario>,
    smoke: bool,
}

impl Settings {
    /// `--bench` (added by `cargo bench`) selects the full run. `--bursts N`, `--calls N`,
    /// `--scenario fresh|warm|both` (or `=VALUE`), or `TOKEN_BURST_BURSTS` /
    /// `TOKEN_BURST_CALLS` / `TOKEN_BURST_SCENARIO`, size it. Other arguments are ignored.
    fn parse() -> Self {
        let env = |name: &str| std::env::var(name).ok();
        let number = |v: Option<String>| v.and_then(|v| v.parse::<usize>().ok());
        let mut bursts = number(env("TOKEN_BURST_BURSTS"));
        let mut calls = number(env("TOKEN_BURST_CALLS"));
        let mut scenario = env("TOKEN_BURST_SCENARIO").unwrap_or_else(|| "both".into());
        let mut smoke = true;
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let (key, inline) = match arg.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (arg.clone(), None),
            };
            let mut value = || inline.clone().or_else(|| args.next());
            match key.as_str() {
                "--bench" => smoke = false,
                "--bursts" => bursts = number(value()).or(bursts),
                "--calls" => calls = number(value()).or(calls),
                "--scenario" => scenario = value().unwrap_or(scenario),
                _ => {}
            }
        }
        let scenarios = match scenario.as_str() {
            "fresh" => vec![Scenario::Fresh],
            "warm" => vec![Scenario::Warm],
            "both" => vec![Scenario::Fresh, Scenario::Warm],
            other => panic!("--scenario takes fresh, warm or both, not {other:?}"),
        };
        let (default_bursts, default_calls) = if smoke {
            (SMOKE_BURSTS, SMOKE_CALLS)
        } else {
            (DEFAULT_BURSTS, DEFAULT_CALLS)
        };
        Self {
            bursts: bursts.unwrap_or(default_bursts).max(1),
            calls: calls.unwrap_or(default_calls).max(1),
            scenarios,
            smoke,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// File descriptors: one per connection on each side, so 10,000 concurrent calls need about
// 10,000 in each process.

/// Raises the soft limit on open files to the hard limit; returns (before, after, hard).
fn raise_fd_limit() -> (u64, u64, u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for the duration of the call.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(rc, 0, "getrlimit(RLIMIT_NOFILE) failed");
    let before = limit.rlim_cur;
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: `limit` is a valid rlimit; raising the soft limit up to the hard one is
        // always allowed.
        let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
        assert_eq!(rc, 0, "setrlimit(RLIMIT_NOFILE) failed");
    }
    (before, limit.rlim_cur, limit.rlim_max)
}

// ---------------------------------------------------------------------------------------------
// The server process.

#[derive(Default)]
struct Endpoints {
    tokens: AtomicU64,
    api: AtomicU64,
    other: AtomicU64,
    accepted: AtomicU64,
    open: AtomicU64,
    /// While `true`, token answers wait (the parent's `hold` and `release`).
    hold: Option<watch::Receiver<bool>>,
    health: Vec<u8>,
    unauthorized: Vec<u8>,
    not_found: Vec<u8>,
}

impl Endpoints {
    fn stats(&self) -> Stats {
        Stats {
            tokens: self.tokens.load(Ordering::Relaxed),
            api: self.api.load(Ordering::Relaxed),
            other: self.other.load(Ordering::Relaxed),
            accepted: self.accepted.load(Ordering::Relaxed),
            open: self.open.load(Ordering::Relaxed),
        }
    }
}

impl Routes for Endpoints {
    fn answer(&self, head: &[u8]) -> Answer<'_> {
        if head.starts_with(b"GET /ds/v1/health ") {
            self.api.fetch_add(1, Ordering::Relaxed);
            let authorized = head
                .windows(BEARER.len())
                .any(|w| w.eq_ignore_ascii_case(BEARER));
            Answer::Now(if authorized {
                &self.health
            } else {
                &self.unauthorized
            })
        } else if head.starts_with(b"POST /auth/token ") {
            let n = self.tokens.fetch_add(1, Ordering::Relaxed) + 1;
            let mut hold = self.hold.clone().expect("hold receiver");
            Answer::Later(Box::pin(async move {
                tokio::time::sleep(TOKEN_DELAY).await;
                // An `Err` means the parent has gone; answer anyway.
                let _ = hold.wait_for(|held| !held).await;
                let body = format!(
                    r#"{{"access_token":"{TOKEN_PREFIX}{n}","expires_in":{TOKEN_LIFETIME}}}"#
                );
                server::response("200 OK", &body)
            }))
        } else {
            self.other.fetch_add(1, Ordering::Relaxed);
            Answer::Now(&self.not_found)
        }
    }

    fn connection_opened(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
        self.open.fetch_add(1, Ordering::Relaxed);
    }

    fn connection_closed(&self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The child: serves on a free port and prints it, then obeys one command per stdin line
/// (`hold`, `release`, `stats`), answering each with a line of counters. Stops at EOF.
fn server_process() -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = runtime.block_on(async { server::listen() })?;
    let (hold_tx, hold_rx) = watch::channel(false);
    let endpoints = Arc::new(Endpoints {
        hold: Some(hold_rx),
        health: server::response("200 OK", HEALTH_BODY),
        unauthorized: server::response("401 Unauthorized", r#"{"message":"bad token"}"#),
        not_found: server::response("404 Not Found", r#"{"message":"not found"}"#),
        ..Endpoints::default()
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{}", listener.local_addr()?)?;
    stdout.flush()?;
    let server = runtime.spawn(server::serve(listener, Arc::clone(&endpoints), stop_rx));
    for line in io::stdin().lock().lines() {
        match line?.trim() {
            "hold" => hold_tx.send_replace(true),
            "release" => hold_tx.send_replace(false),
            _ => false,
        };
        writeln!(stdout, "{}", endpoints.stats().to_json())?;
        stdout.flush()?;
    }
    let _ = stop_tx.send(true);
    runtime.block_on(server).expect("server task");
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(())
}

/// The server's counters.
#[derive(Clone, Copy, Default)]
struct Stats {
    tokens: u64,
    api: u64,
    other: u64,
    accepted: u64,
    open: u64,
}

impl Stats {
    fn to_json(self) -> String {
        serde_json::json!({
            "tokens": self.tokens,
            "api": self.api,
            "other": self.other,
            "accepted": self.accepted,
            "open": self.open,
        })
        .to_string()
    }

    fn from_json(line: &str) -> Self {
        let value: serde_json::Value = serde_json::from_str(line).expect("stats JSON");
        let field = |name: &str| value[name].as_u64().expect("stats field");
        Self {
            tokens: field("tokens"),
            api: field("api"),
            other: field("other"),
            accepted: field("accepted"),
            open: field("open"),
        }
    }
}

/// The parent's handle on the server process; dropping it stops the server.
struct ServerProcess {
    child: Child,
    commands: Option<ChildStdin>,
    replies: BufReader<ChildStdout>,
    addr: SocketAddr,
}

impl ServerProcess {
    fn start() -> io::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .env(SERVER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let commands = child.stdin.take();
        let mut replies = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        replies.read_line(&mut line)?;
        let addr = line.trim().parse().map_err(|_| {
            io::Error::other(format!(
                "the server process printed {line:?}, not its address"
            ))
        })?;
        Ok(Self {
            child,
            commands,
            replies,
            addr,
        })
    }

    /// Sends one command and returns the counters the server answers with. The exchange
    /// over two pipes takes microseconds; it blocks the runtime's main thread, not a worker.
    fn command(&mut self, command: &str) -> Stats {
        let commands = self.commands.as_mut().expect("server stdin");
        writeln!(commands, "{command}").expect("command to the server");
        let mut line = String::new();
        self.replies.read_line(&mut line).expect("server reply");
        Stats::from_json(&line)
    }

    /// Waits (up to 10 s) until a dropped client's connections have closed.
    async fn settle(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.command("stats").open > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        drop(self.commands.take());
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Bursts.

fn client(addr: SocketAddr) -> Arc<Client> {
    let client = Client::builder()
        .credentials("burst-client", "burst-secret")
        .base_url(format!("http://{addr}"))
        .build()
        .expect("client");
    Arc::new(client)
}

/// Counts the calls that have asked the token cache, and wakes the burst when all have.
struct Joined {
    count: AtomicUsize,
    of: usize,
    all: Notify,
}

impl Joined {
    /// Polls `call`, and counts it once its first poll has returned. The generated `send`
    /// reaches the token cache in its first poll (nothing before `Auth::prepare` waits), so
    /// from then on the call either holds a token or waits for the cache's fetch.
    fn count<F: Future + Unpin>(self: Arc<Self>, mut call: F) -> impl Future<Output = F::Output> {
        let mut first = true;
        std::future::poll_fn(move |cx| {
            let poll = Pin::new(&mut call).poll(cx);
            if std::mem::take(&mut first)
                && self.count.fetch_add(1, Ordering::AcqRel) + 1 == self.of
            {
                self.all.notify_one();
            }
            poll
        })
    }
}

struct Burst {
    scenario: Scenario,
    number: usize,
    calls: usize,
    failed: usize,
    first_error: Option<String>,
    tokens: u64,
    served: u64,
    connections: u64,
    /// When every call had asked the cache for a token (and the token answer was let go).
    joined: Duration,
    wall: Duration,
}

/// Fires `calls` concurrent health calls and waits for all of them. The server holds its
/// token answer until every call has asked the cache, so that all of them wait for the one
/// fetch: without that, a call the loaded machine gets to only after the new token has
/// turned stale would rightly fetch another.
async fn burst(server: &mut ServerProcess, client: &Arc<Client>, calls: usize) -> Burst {
    let before = server.command("hold");
    let joined = Arc::new(Joined {
        count: AtomicUsize::new(0),
        of: calls,
        all: Notify::new(),
    });
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..calls {
        let client = Arc::clone(client);
        let call = async move {
            match client.get_health().send().await {
                Ok(health) if health.ok => Ok(()),
                Ok(_) => Err("the health answer says ok: false".to_owned()),
                Err(err) => Err(err.to_string()),
            }
        };
        tasks.spawn(Arc::clone(&joined).count(Box::pin(call)));
    }
    joined.all.notified().await;
    let all_joined = started.elapsed();
    server.command("release");
    let mut failed = 0;
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        let outcome = joined.unwrap_or_else(|err| Err(format!("the call task failed: {err}")));
        if let Err(err) = outcome {
            failed += 1;
            first_error.get_or_insert(err);
        }
    }
    let wall = started.elapsed();
    let after = server.command("stats");
    assert_eq!(after.other, 0, "unexpected requests to the server");
    Burst {
        scenario: Scenario::Fresh,
        number: 0,
        calls,
        failed,
        first_error,
        tokens: after.tokens - before.tokens,
        served: after.api - before.api,
        connections: after.accepted - before.accepted,
        joined: all_joined,
        wall,
    }
}

async fn run_scenario(
    server: &mut ServerProcess,
    scenario: Scenario,
    settings: &Settings,
) -> Vec<Burst> {
    let mut bursts = Vec::with_capacity(settings.bursts);
    let warm = (scenario == Scenario::Warm).then(|| client(server.addr));
    if let Some(client) = &warm {
        // The first token.
        client.get_health().send().await.expect("warm-up call");
    }
    for number in 1..=settings.bursts {
        let result = match &warm {
            Some(client) => {
                // Time for the last token to expire.
                tokio::time::sleep(WARM_GAP).await;
                burst(server, client, settings.calls).await
            }
            None => {
                let client = client(server.addr);
                let result = burst(server, &client, settings.calls).await;
                drop(client);
                server.settle().await;
                result
            }
        };
        bursts.push(Burst {
            scenario,
            number,
            ..result
        });
    }
    bursts
}

// ---------------------------------------------------------------------------------------------
// Report.

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn report(settings: &Settings, fds: (u64, u64, u64), bursts: &[Burst]) {
    let (before, after, hard) = fds;
    println!();
    println!(
        "token_burst: {} bursts x {} concurrent get_health().send() calls per scenario; token \
         expires_in {TOKEN_LIFETIME} s, answered after {} ms; 2 tokio workers, server in a \
         child process",
        settings.bursts,
        settings.calls,
        TOKEN_DELAY.as_millis()
    );
    if before == after {
        println!("open files (ulimit -n): soft {after}, hard {hard}");
    } else {
        println!(
            "open files (ulimit -n): soft limit raised from {before} to {after} (hard {hard})"
        );
    }
    println!();
    println!(
        "scenario  burst   calls  failed  tokens  served  connections  all waiting ms  wall ms"
    );
    for b in bursts {
        println!(
            "{:<8}  {:>5}  {:>6}  {:>6}  {:>6}  {:>6}  {:>11}  {:>14.1}  {:>7.1}",
            b.scenario.name(),
            b.number,
            b.calls,
            b.failed,
            b.tokens,
            b.served,
            b.connections,
            ms(b.joined),
            ms(b.wall)
        );
    }
    println!();
    for &scenario in &settings.scenarios {
        let of: Vec<&Burst> = bursts.iter().filter(|b| b.scenario == scenario).collect();
        let one = of.iter().filter(|b| b.tokens == 1).count();
        let failed: usize = of.iter().map(|b| b.failed).sum();
        let mut walls: Vec<f64> = of.iter().map(|b| ms(b.wall)).collect();
        let (lo, hi) = walls
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        println!(
            "{:<6} bursts with exactly one token request: {one}/{}; failed calls: {failed}; \
             wall ms median {:.1} (min {lo:.1}, max {hi:.1})",
            scenario.name(),
            of.len(),
            median(&mut walls)
        );
    }
    let one = bursts.iter().filter(|b| b.tokens == 1).count();
    println!(
        "bursts with exactly one token request: {one}/{}",
        bursts.len()
    );
}

/// Panics if a call failed or a burst made other than one token request.
fn check(bursts: &[Burst]) {
    for b in bursts {
        if let Some(err) = &b.first_error {
            panic!(
                "{} burst {}: {} of {} calls failed; the first: {err}",
                b.scenario.name(),
                b.number,
                b.failed,
                b.calls
            );
        }
        assert_eq!(
            b.tokens,
            1,
            "{} burst {} made {} token requests",
            b.scenario.name(),
            b.number,
            b.tokens
        );
    }
}

// ---------------------------------------------------------------------------------------------

fn main() -> io::Result<()> {
    if std::env::var_os(SERVER_ENV).is_some() {
        return server_process();
    }
    let settings = Settings::parse();
    // Raised before the server process starts, which inherits the limit.
    let fds = raise_fd_limit();
    let needed = settings.calls as u64 + SPARE_FDS;
    assert!(
        fds.1 >= needed,
        "{} concurrent calls need about {needed} open files per process (one connection per \
         call on each side), but `ulimit -n` allows {} (hard limit {}); raise it or pass \
         --calls",
        settings.calls,
        fds.1,
        fds.2
    );
    let mut server = ServerProcess::start()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let bursts = runtime.block_on(async {
        let mut bursts = Vec::new();
        for &scenario in &settings.scenarios {
            bursts.extend(run_scenario(&mut server, scenario, &settings).await);
        }
        bursts
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    drop(server);
    if settings.smoke {
        check(&bursts);
        println!(
            "token_burst smoke check passed ({} bursts of {} calls, one token request each); \
             run `cargo bench -p sdk-bench --bench token_burst` to measure",
            bursts.len(),
            settings.calls
        );
    } else {
        report(&settings, fds, &bursts);
        check(&bursts);
    }
    Ok(())
}
