//! Test support: a fresh, migrated store per test, on SQLite always and on PostgreSQL when
//! `TEST_DATABASE_URL` is set. Each PostgreSQL store gets its own schema, so tests run in
//! parallel without seeing each other's rows.

use std::str::FromStr;
use std::time::Duration;

use remnabot_domain::{Bot, Tenant};
use secrecy::SecretString;

use crate::platform::NewBot;
use crate::{Backend, FlagCache, SecretKey, Store};

/// The backends to run a test on: SQLite, plus PostgreSQL when `TEST_DATABASE_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        b.push(Backend::Postgres);
    }
    b
}

/// A unique suffix for names of per-test databases, schemas and cache namespaces.
pub fn unique_suffix() -> String {
    let mut bytes = [0u8; 6];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh migrated store on `backend` with an in-memory flag cache.
///
/// # Panics
/// When the database cannot be reached (a test set-up failure).
#[allow(clippy::expect_used)]
pub async fn store(backend: Backend) -> Store {
    store_with_cache(backend, FlagCache::memory(Duration::from_secs(300))).await
}

/// A fresh migrated store on `backend` with the given flag cache.
///
/// # Panics
/// When the database cannot be reached (a test set-up failure).
#[allow(clippy::expect_used)]
pub async fn store_with_cache(backend: Backend, cache: FlagCache) -> Store {
    let key = SecretKey::generate();
    let store = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("remnabot-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            let path = dir.join(format!("{}.db", unique_suffix()));
            Store::connect(&format!("sqlite://{}", path.display()), key, cache).await.expect("sqlite store")
        }
        Backend::Postgres => {
            let url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
            let schema = format!("t_{}", unique_suffix());
            let admin = Store::connect(&url, key.clone(), FlagCache::Disabled).await.expect("postgres store");
            admin.raw_connection().execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
            admin.raw_connection().clone().close().await.ok();
            let opts = sqlx::postgres::PgConnectOptions::from_str(&url)
                .expect("TEST_DATABASE_URL")
                .options([("search_path", schema.as_str())]);
            Store::connect_postgres(opts, key, cache).await.expect("postgres schema store")
        }
    };
    store.migrate().await.expect("migrate");
    store
}

use sea_orm::ConnectionTrait;

/// A Telegram-shaped token unique to this call.
pub fn telegram_token() -> SecretString {
    let mut n = [0u8; 4];
    rand::fill(&mut n);
    let id = u32::from_le_bytes(n) % 1_000_000_000 + 1;
    SecretString::from(format!("{id}:AAH{}abcdefghijklmnopqrstuvwxyz012", unique_suffix()))
}

/// Creates a tenant bot named `name` and returns it with its [`Tenant`].
///
/// # Panics
/// On a database failure (a test set-up failure).
#[allow(clippy::expect_used)]
pub async fn tenant(store: &Store, name: &str) -> (Bot, Tenant) {
    let created = store
        .platform()
        .create(NewBot { name: name.to_owned(), telegram_token: telegram_token() })
        .await
        .expect("create bot");
    let tenant = Tenant::of(&created.bot);
    (created.bot, tenant)
}

/// A Luhn-valid 16-digit Iranian card number derived from `seed`.
pub fn card_number(seed: u64) -> String {
    let payload = format!("603799{:09}", seed % 1_000_000_000);
    let mut sum = 0;
    for (i, c) in payload.chars().rev().enumerate() {
        let mut d = c.to_digit(10).unwrap_or(0);
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    format!("{payload}{}", (10 - sum % 10) % 10)
}

/// A valid payment card without caps, numbered from `seed`.
pub fn card_spec(seed: u64) -> crate::cards::CardSpec {
    crate::cards::CardSpec {
        number: card_number(seed),
        holder_name: "Ali Rezaei".to_owned(),
        bank_name: Some("Saderat".to_owned()),
        weight: 1,
        daily_count_cap: None,
        daily_amount_cap: None,
    }
}

/// Starts recording every statement `store` (and its clones made from now on) runs, in
/// order: for tests that look at the queries a repository sends, e.g. their plans.
pub fn record_statements(store: &mut Store) -> std::sync::Arc<std::sync::Mutex<Vec<sea_orm::Statement>>> {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = log.clone();
    store.db.set_metric_callback(move |info| {
        sink.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(info.statement.clone());
    });
    log
}
