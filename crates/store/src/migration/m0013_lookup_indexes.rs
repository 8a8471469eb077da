//! Indexes for the hot look-ups that do not depend on table statistics.
//!
//! Without statistics (a fresh table, or autovacuum off) PostgreSQL takes `bot_id = X` to
//! match 0.5 % of the rows, so every index that starts with `bot_id` looks as cheap as a
//! look-up's own and may be chosen, reading every row of the tenant. So a look-up by a key
//! (a customer's Telegram id or referral code, a customer's rows, a Stars payload) goes through an index that
//! starts with that key, and its query states the tenant in a form no index serves
//! (`scope::select_by_key`); the outbox's pending entries have partial indexes of their own.
//! Uniques stay scoped by `bot_id`; only their column order changes.

use sea_orm_migration::prelude::*;

use super::m0001_initial::{index, unique};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// `(table, old name, its columns, new name, its columns)` of the uniques whose key now
/// leads. The new one is made before the old one goes, under a name of its own (SQLite may
/// still see an index just dropped on another connection of the pool).
const REORDERED: [Reordered; 3] = [
    ("users", "ux_users_telegram_id", &["bot_id", "telegram_id"], "ux_users_telegram", &["telegram_id", "bot_id"]),
    (
        "users",
        "ux_users_referral_code",
        &["bot_id", "referral_code"],
        "ux_users_referral",
        &["referral_code", "bot_id"],
    ),
    (
        "stars_payments",
        "ux_stars_payments_payload",
        &["bot_id", "payload"],
        "ux_stars_payments_by_payload",
        &["payload", "bot_id"],
    ),
];

/// `(table, old name, its columns, new name, its columns)`.
type Reordered = (&'static str, &'static str, &'static [&'static str], &'static str, &'static [&'static str]);

/// `(table, name, columns)` of the new indexes of a customer's rows (user ids are unique
/// across tenants).
const CUSTOMER_ROWS: [(&str, &str, &[&str]); 2] = [
    ("subscriptions", "ix_subscriptions_customer", &["user_id", "id"]),
    ("card_to_card_payments", "ix_card_to_card_payments_customer", &["user_id", "id"]),
];

/// `(table, replaced index, its columns, partial index, its columns)` of the outboxes: the
/// pending entries of a tenant in the order they are due, and of every tenant for the
/// workers. Partial indexes read the same on both backends.
const PENDING: [(&str, &str, &str, &str, &str); 2] = [
    (
        "provisioning_outbox",
        "ix_provisioning_outbox_due",
        "status, next_attempt_at",
        "ix_provisioning_outbox_pending",
        "bot_id, next_attempt_at, id",
    ),
    (
        "notification_outbox",
        "ix_notification_outbox_due",
        "status, next_attempt_at",
        "ix_notification_outbox_pending",
        "next_attempt_at, id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (table, old, _, name, cols) in REORDERED {
            m.create_index(unique(table, name, cols)).await?;
            m.drop_index(Index::drop().name(old).table(table).to_owned()).await?;
        }
        for (table, name, cols) in CUSTOMER_ROWS {
            m.create_index(index(table, name, cols)).await?;
        }
        for (table, old, _, name, cols) in PENDING {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {table} ({cols}) WHERE status = 'pending'")).await?;
            m.drop_index(Index::drop().name(old).table(table).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (table, old, old_cols, name, _) in PENDING {
            db.execute_unprepared(&format!("CREATE INDEX {old} ON {table} ({old_cols})")).await?;
            m.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        for (table, name, _) in CUSTOMER_ROWS {
            m.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        for (table, old, old_cols, name, _) in REORDERED {
            m.create_index(unique(table, old, old_cols)).await?;
            m.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        Ok(())
    }
}
