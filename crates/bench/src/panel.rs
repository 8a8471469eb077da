//! `panel-bench`: how fast the admin panel's busiest screens read with a large tenant, and
//! prints a table (results are recorded in BENCHMARKS.md). Run it in release mode:
//! `cargo run --release -p remnabot-bench --bin panel-bench -- [--customers N] [--payments N] [--runs N]`.
//! On SQLite always, and on PostgreSQL too when `TEST_DATABASE_URL` is set (a fresh schema).
//!
//! The tenant measured has 100,000 customers, 300,000 payments (transactions of every method
//! over 90 days), 70,000 subscriptions with their links and 5,000 tickets; a second tenant
//! with a tenth of that shares the tables. Each screen runs the same store calls its panel
//! screen runs (the dashboard's figures; a customer search of each kind, count and first
//! page; a customer's page; the recent payments), `--runs` times with varying arguments, and
//! the median and p99 of the wall time per screen are printed.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use remnabot_domain::{Page, Tenant, UserId};
use remnabot_store::entity::{subscription, ticket, transaction, user};
use remnabot_store::{Backend, Store, testing};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};

/// The allocator the `remnabot` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Rows per INSERT statement (well under SQLite's 32,766 variables).
const BATCH: usize = 1000;

const NAMES: [&str; 12] =
    ["Sara", "Ali", "Reza", "Maryam", "Zahra", "Mohammad", "Fatemeh", "Hossein", "Nima", "Elham", "Amir", "Leila"];
const METHODS: [&str; 4] = ["card_to_card", "zarinpal", "telegram_stars", "balance"];
const KINDS: [&str; 3] = ["purchase", "renewal", "deposit"];
const STATUSES: [&str; 4] = ["active", "expired", "trial", "disabled"];

/// A small deterministic generator (xorshift), so every run fills the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len).map(|_| char::from(ALPHABET[self.below(ALPHABET.len() as u64) as usize])).collect()
    }
}

fn ago(now: DateTime<Utc>, rng: &mut Rng, max_days: u64) -> DateTime<Utc> {
    now - chrono::Duration::seconds(i64::try_from(rng.below(max_days * 86_400)).unwrap_or(0))
}

/// The data of one tenant; returns its customers' ids and its subscriptions' links.
async fn fill(
    store: &Store,
    t: &Tenant,
    customers: usize,
    payments: usize,
    seed: u64,
) -> BenchResult<(Vec<i64>, Vec<String>)> {
    let db = store.raw_connection();
    let bot = t.bot_id().0;
    let now = Utc::now();
    let mut rng = Rng(seed);
    let tx = db.begin().await?;
    for start in (0..customers).step_by(BATCH) {
        let rows = (start..(start + BATCH).min(customers)).map(|i| {
            let created = ago(now, &mut rng, 365);
            user::ActiveModel {
                bot_id: Set(bot),
                created_at: Set(created),
                telegram_id: Set(100_000_000 + i as i64),
                username: Set((i % 5 != 0).then(|| format!("buyer{i}"))),
                first_name: Set(Some(format!("{} {}", NAMES[i % NAMES.len()], i / NAMES.len()))),
                language: Set("fa".to_owned()),
                balance: Set(i64::try_from(rng.below(500) * 1000).unwrap_or(0)),
                referral_code: Set(format!("R{i:09}")),
                is_blocked: Set(i % 97 == 0),
                trial_used: Set(i % 3 == 0),
                trial_started_at: Set((i % 3 == 0).then_some(created)),
                updated_at: Set(created),
                ..Default::default()
            }
        });
        user::Entity::insert_many(rows.collect::<Vec<_>>()).exec(&tx).await?;
    }
    tx.commit().await?;
    let ids: Vec<i64> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(sea_orm::ColumnTrait::eq(&user::Column::BotId, bot))
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    // A third of the customers were invited by the one before them.
    let backend = db.get_database_backend();
    db.execute_raw(sea_orm::Statement::from_string(
        backend,
        format!("UPDATE users SET referred_by_id = id - 1 WHERE bot_id = {bot} AND id % 3 = 0 AND id > {}", ids[0]),
    ))
    .await?;

    let tx = db.begin().await?;
    let mut links = Vec::new();
    let subscribed = ids.len() * 7 / 10;
    for chunk in ids[..subscribed].chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|id| {
                let starts = ago(now, &mut rng, 120);
                let link = format!("https://sub.example.com/s/{}", rng.token(16));
                links.push(link.clone());
                subscription::ActiveModel {
                    bot_id: Set(bot),
                    created_at: Set(starts),
                    user_id: Set(*id),
                    status: Set(STATUSES[rng.below(4) as usize].to_owned()),
                    is_trial: Set(false),
                    starts_at: Set(starts),
                    expires_at: Set(starts + chrono::Duration::days(60)),
                    traffic_limit_bytes: Set(50 << 30),
                    traffic_used_bytes: Set(i64::try_from(rng.below(50 << 30)).unwrap_or(0)),
                    device_limit: Set(2),
                    panel_user_id: Set(Some(*id)),
                    subscription_url: Set(Some(link)),
                    updated_at: Set(starts),
                    ..Default::default()
                }
            })
            .collect();
        subscription::Entity::insert_many(rows).exec(&tx).await?;
    }
    for start in (0..payments).step_by(BATCH) {
        let rows: Vec<_> = (start..(start + BATCH).min(payments))
            .map(|i| {
                let at = ago(now, &mut rng, 90);
                let completed = i % 20 != 0;
                transaction::ActiveModel {
                    bot_id: Set(bot),
                    created_at: Set(at),
                    user_id: Set(ids[rng.below(ids.len() as u64) as usize]),
                    kind: Set(KINDS[i % KINDS.len()].to_owned()),
                    amount: Set(i64::try_from(50_000 + rng.below(20) * 10_000).unwrap_or(0)),
                    payment_method: Set(Some(METHODS[rng.below(4) as usize].to_owned())),
                    is_completed: Set(completed),
                    completed_at: Set(completed.then_some(at)),
                    ..Default::default()
                }
            })
            .collect();
        transaction::Entity::insert_many(rows).exec(&tx).await?;
    }
    let tickets = customers / 20;
    for start in (0..tickets).step_by(BATCH) {
        let rows: Vec<_> = (start..(start + BATCH).min(tickets))
            .map(|i| {
                let at = ago(now, &mut rng, 60);
                ticket::ActiveModel {
                    bot_id: Set(bot),
                    created_at: Set(at),
                    user_id: Set(ids[rng.below(ids.len() as u64) as usize]),
                    title: Set(format!("Question {i}")),
                    status: Set(["open", "answered", "closed"][i % 3].to_owned()),
                    updated_at: Set(at),
                    closed_at: Set(None),
                    ..Default::default()
                }
            })
            .collect();
        ticket::Entity::insert_many(rows).exec(&tx).await?;
    }
    tx.commit().await?;
    Ok((ids, links))
}

/// Median and p99 of `samples`.
fn summary(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Runs `f` `runs` times (after one warm-up run) and returns its wall times.
async fn measure<F, Fut>(runs: usize, mut f: F) -> BenchResult<Vec<Duration>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = BenchResult<()>>,
{
    f(usize::MAX).await?;
    let mut out = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        f(i).await?;
        out.push(started.elapsed());
    }
    Ok(out)
}

/// What the customer's page reads (the panel's `customers::page_text` and its buttons).
async fn customer_page(store: &Store, t: &Tenant, id: UserId) -> BenchResult<()> {
    let user = store.users().get(t, id).await?;
    store.subscriptions().current_for_user(t, user.id).await?;
    if let Some(r) = user.referred_by {
        store.users().get(t, r).await?;
    }
    store.customers().invited_count(t, user.id).await?;
    store.customers().payments(t, Some(user.id), Page::new(5, 0)).await?;
    store.customers().tickets_of(t, user.id, Page::new(5, 0)).await?;
    // The buttons ask for the current subscription again.
    store.subscriptions().current_for_user(t, user.id).await?;
    Ok(())
}

async fn run(backend: Backend, customers: usize, payments: usize, runs: usize) -> BenchResult<Vec<[String; 4]>> {
    let store = testing::store(backend).await;
    let (_, t) = testing::tenant(&store, "Bench shop").await;
    let (_, other) = testing::tenant(&store, "Other shop").await;
    let filled = Instant::now();
    let (ids, links) = fill(&store, &t, customers, payments, 0x9E37_79B9_7F4A_7C15).await?;
    fill(&store, &other, customers / 10, payments / 10, 42).await?;
    eprintln!("{backend:?}: filled in {:.1} s", filled.elapsed().as_secs_f64());
    let n = customers as u64;
    let mut rng = Rng(7);
    let pick: Vec<u64> = (0..runs.max(1) + 1).map(|_| rng.below(n)).collect();
    let p = |i: usize| pick[i.min(pick.len() - 1)];
    let mut rows = Vec::new();
    let mut add = |name: &str, samples: Vec<Duration>| {
        let (median, p99) = summary(samples);
        eprintln!("{backend:?}: {name}: {} / {}", ms(median), ms(p99));
        rows.push([name.to_owned(), format!("{backend:?}"), ms(median), ms(p99)]);
    };

    let (store, t) = (&store, &t);
    let now = Utc::now();
    add("dashboard", measure(runs, |_| async { Ok(store.dashboard().figures(t, now).await.map(drop)?) }).await?);
    let c = store.customers();
    add(
        "customer search: Telegram id",
        measure(runs, |i| {
            let term = (100_000_000 + p(i)).to_string();
            async move { Ok(c.search(t, &term, Page::new(10, 0)).await.map(drop)?) }
        })
        .await?,
    );
    add(
        "customer search: @username",
        measure(runs, |i| {
            let term = format!("@buyer{}", p(i));
            async move { Ok(c.search(t, &term, Page::new(10, 0)).await.map(drop)?) }
        })
        .await?,
    );
    add(
        "customer search: name",
        measure(runs, |i| {
            let term = NAMES[i % NAMES.len()].to_lowercase();
            async move { Ok(c.search(t, &term, Page::new(10, 0)).await.map(drop)?) }
        })
        .await?,
    );
    add(
        "customer search: piece of a link",
        measure(runs, |i| {
            let link = &links[(p(i) as usize) % links.len()];
            let term = link[link.len() - 10..].to_owned();
            async move { Ok(c.search(t, &term, Page::new(10, 0)).await.map(drop)?) }
        })
        .await?,
    );
    add(
        "customer page",
        measure(runs, |i| {
            let id = UserId(ids[p(i) as usize % ids.len()]);
            async move { customer_page(store, t, id).await }
        })
        .await?,
    );
    add(
        "recent payments, page 1",
        measure(runs, |_| async { Ok(c.payments(t, None, Page::new(10, 0)).await.map(drop)?) }).await?,
    );
    add(
        "open tickets, page 1",
        measure(runs, |_| async { Ok(c.open_tickets(t, Page::new(10, 0)).await.map(drop)?) }).await?,
    );
    Ok(rows)
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let customers = arg("--customers", 100_000);
    let payments = arg("--payments", 300_000);
    let runs = arg("--runs", 100);
    println!("Admin panel screens: {customers} customers, {payments} payments, {runs} runs each\n");
    println!("| screen | database | median | p99 |");
    println!("|---|---|---|---|");
    for backend in testing::backends() {
        for [screen, db, median, p99] in run(backend, customers, payments, runs).await? {
            println!("| {screen} | {db} | {median} | {p99} |");
        }
    }
    Ok(())
}
