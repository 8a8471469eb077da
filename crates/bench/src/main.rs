//! `fleet-bench`: measures the bot fleet against the in-process fake Telegram server and
//! prints a table (results are recorded in BENCHMARKS.md). Run it in release mode:
//! `cargo run --release -p remnabot-bench -- [--bots N] [--updates-per-bot N]`.
//!
//! - resident memory per idle bot in webhook mode, with 1 and with 1,000 registered bots;
//! - start-up time of 1,000 bots (one reconcile: `getMe` and `setWebhook` for each);
//! - end-to-end webhook throughput of `/start` from 100 bots (updates posted to our webhook
//!   route as Telegram would, answers counted at the fake), with p50/p99 latency from post to
//!   the answer reaching the fake, on SQLite.

use std::sync::Arc;
use std::time::{Duration, Instant};

use remnabot_bot::handlers::Shared;
use remnabot_bot::texts::Texts;
use remnabot_bot::{Fleet, FleetConfig, UpdatesMode};
use remnabot_domain::BotId;
use remnabot_store::platform::NewBot;
use remnabot_store::{Backend, Store, testing};
use remnabot_testkit::FakeTelegram;
use secrecy::ExposeSecret;

/// The allocator the `remnabot` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Resident memory of this process, in KiB (Linux `/proc/self/status`).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// CPU time this process has used (user + system), from `/proc/self/stat`.
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesised command name; utime and stime are 14 and 15.
            let rest = s.rsplit_once(')')?.1.to_owned();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    // The kernel's USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

struct Setup {
    store: Store,
    fake: Arc<FakeTelegram>,
    fleet: Fleet,
    base: String,
    bots: Vec<(BotId, String)>,
}

async fn setup(n: usize) -> BenchResult<Setup> {
    let store = testing::store(Backend::Sqlite).await;
    let fake = Arc::new(FakeTelegram::start().await);
    let mut bots = Vec::with_capacity(n);
    for i in 0..n {
        let token = testing::telegram_token();
        fake.add_bot(token.expose_secret());
        let created =
            store.platform().create(NewBot { name: format!("Bench {i}"), telegram_token: token.clone() }).await?;
        bots.push((created.bot.id, token.expose_secret().to_owned()));
    }
    let texts = Arc::new(Texts::load()?);
    let shared = Shared::with_database_dialogues(store.clone(), texts);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}/", listener.local_addr()?);
    let config =
        FleetConfig::new(UpdatesMode::Webhook { public_url: url::Url::parse(&base)? }, url::Url::parse(&fake.url())?);
    let client = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let fleet = Fleet::new(shared, client, config);
    let router = remnabot_bot::fleet::router(fleet.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    Ok(Setup { store, fake, fleet, base, bots })
}

/// Memory per idle bot and start-up time for `n` bots.
async fn idle(n: usize) -> BenchResult<(f64, Duration)> {
    let s = setup(n).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_kib();
    let started = Instant::now();
    let report = s.fleet.reconcile().await?;
    let startup = started.elapsed();
    if report.started.len() != n {
        return Err(format!("only {} of {n} bots started: {:?}", report.started.len(), report.failed).into());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kib();
    s.fleet.shutdown().await;
    Ok((after.saturating_sub(before) as f64 / n as f64, startup))
}

struct Throughput {
    updates: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    busy: usize,
    cpu_per_update: Duration,
}

async fn throughput(bots: usize, per_bot: usize) -> BenchResult<Throughput> {
    let s = setup(bots).await?;
    s.fleet.reconcile().await?;
    // After start-up the only calls the fake sees are the answers, so its request counter
    // tells when every update was answered without walking the transcripts.
    let calls_before = s.fake.request_count();
    let client = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let sem = Arc::new(tokio::sync::Semaphore::new(64));
    // The load generator prepares every request before the clock starts, so its own JSON
    // and HMAC work is not counted against the fleet.
    let secrets: Vec<String> = s
        .bots
        .iter()
        .map(|(id, _)| s.store.derived_secret(&format!("webhook:{id}")).expose_secret().to_owned())
        .collect();
    let mut requests = Vec::with_capacity(bots * per_bot);
    for j in 0..per_bot {
        for (b, (id, token)) in s.bots.iter().enumerate() {
            let user = 1_000_000 + (b * per_bot + j) as i64;
            let update = serde_json::json!({
                "update_id": j + 1,
                "message": {
                    "message_id": 1, "date": 1_700_000_000,
                    "chat": {"id": user, "type": "private", "first_name": "Bench"},
                    "from": {"id": user, "is_bot": false, "first_name": "Bench", "language_code": "en"},
                    "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]
                }
            });
            let url = format!("{}webhook/{id}", s.base);
            requests.push((token.clone(), user, url, secrets[b].clone(), serde_json::to_vec(&update)?));
        }
    }
    let mut posts = tokio::task::JoinSet::new();
    let cpu_before = cpu_time();
    let started = Instant::now();
    let mut sent = Vec::with_capacity(bots * per_bot);
    for (token, user, url, secret, body) in requests {
        let client = client.clone();
        let permit = sem.clone().acquire_owned().await?;
        sent.push((token, user, Instant::now()));
        posts.spawn(async move {
            let status = client
                .post(url)
                .header("X-Telegram-Bot-Api-Secret-Token", secret)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            drop(permit);
            status
        });
    }
    let mut busy = 0;
    while let Some(status) = posts.join_next().await {
        if status.unwrap_or(0) != 200 {
            busy += 1;
        }
    }
    let total = bots * per_bot - busy;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let answered = usize::try_from(s.fake.request_count().saturating_sub(calls_before)).unwrap_or(usize::MAX);
        if answered >= total {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("only {answered} of {total} answered in time").into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_before);
    let mut latencies: Vec<Duration> = sent
        .iter()
        .filter_map(|(token, user, at)| {
            s.fake.transcript(token, *user).first().map(|m| m.at.saturating_duration_since(*at))
        })
        .collect();
    latencies.sort_unstable();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    s.fleet.shutdown().await;
    Ok(Throughput {
        updates: total,
        per_second: total as f64 / elapsed.as_secs_f64(),
        p50: pick(0.50),
        p99: pick(0.99),
        busy,
        cpu_per_update: cpu / u32::try_from(total.max(1)).unwrap_or(u32::MAX),
    })
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let many = arg("--bots", 1000);
    let per_bot = arg("--updates-per-bot", 100);
    let (one_kib, one_start) = idle(1).await?;
    let (many_kib, many_start) = idle(many).await?;
    let t = throughput(100, per_bot).await?;
    println!("| measurement | result | target |");
    println!("|---|---|---|");
    println!("| resident memory per idle bot, webhook mode, 1 bot | {one_kib:.1} KiB | ≤ 64 KiB |");
    println!("| resident memory per idle bot, webhook mode, {many} bots | {many_kib:.1} KiB | ≤ 64 KiB |");
    println!("| start-up, 1 bot | {:.0} ms | |", one_start.as_secs_f64() * 1000.0);
    println!("| start-up, {many} bots | {:.0} ms | ≤ 3000 ms |", many_start.as_secs_f64() * 1000.0);
    println!(
        "| webhook throughput, /start, 100 bots × {per_bot}, SQLite | {:.0} updates/s ({} updates, {} refused busy) | ≥ 2000 updates/s |",
        t.per_second, t.updates, t.busy
    );
    println!(
        "| CPU time per update (whole process: fleet, fake, load generator) | {:.0} µs | |",
        t.cpu_per_update.as_secs_f64() * 1e6
    );
    println!(
        "| handling latency p50 / p99 | {:.1} ms / {:.1} ms | |",
        t.p50.as_secs_f64() * 1000.0,
        t.p99.as_secs_f64() * 1000.0
    );
    Ok(())
}
