//! A SQLite store right after `migrate`: every connection of its pool reads the final schema.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use remnabot_domain::TgUserId;
use remnabot_domain::config::Language;
use remnabot_store::users::NewUser;
use remnabot_store::{Backend, testing};

/// Before the fix about one fresh store in twenty failed its first registration, reading
/// `users.promo_failures` (added by the last migration) as missing; a hundred stores make a
/// miss of that fault unlikely (0.95^100, under 1 %).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn right_after_migrating_every_sqlite_connection_reads_the_columns_the_last_migration_added() {
    let mut failures = Vec::new();
    for round in 0..100 {
        let store = testing::store(Backend::Sqlite).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let new = NewUser {
            telegram_id: TgUserId(1000),
            username: None,
            first_name: None,
            language: Language::En,
            referred_by: None,
        };
        if let Err(e) = store.users().register(&t, new).await {
            failures.push(format!("round {round}: {e:?}"));
        }
        store.raw_connection().clone().close().await.ok();
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn an_in_memory_database_is_migrated_in_its_own_connection() {
    let store = remnabot_store::Store::connect(
        "sqlite::memory:",
        remnabot_store::crypto::SecretKey::generate(),
        remnabot_store::FlagCache::memory(std::time::Duration::from_secs(60)),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let (_, t) = testing::tenant(&store, "shop").await;
    let new = NewUser {
        telegram_id: TgUserId(7),
        username: None,
        first_name: None,
        language: Language::En,
        referred_by: None,
    };
    assert!(store.users().register(&t, new).await.unwrap().1);
}
