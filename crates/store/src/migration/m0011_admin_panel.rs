//! The tenant's admin panel: the audit log (a tenant table: who changed what, before and
//! after, from the panel or the API), the plan each sale was for (`transactions.plan_id`,
//! for sales per plan), when a customer took the trial (`users.trial_started_at`, for the
//! trial figures of the dashboard), and the indexes the dashboard's figures and lists read
//! through.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_initial::{index, tenant_table};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// `(table, index name, columns)` of every index this migration adds to existing tables.
const INDEXES: [(&str, &str, &[&str]); 8] = [
    // Sales by method per window: a range over the tenant's recent transactions.
    ("transactions", "ix_transactions_created", &["bot_id", "created_at"]),
    // Sales per plan.
    ("transactions", "ix_transactions_plan", &["bot_id", "plan_id"]),
    // New customers per window.
    ("users", "ix_users_created", &["bot_id", "created_at"]),
    // Trials per window.
    ("users", "ix_users_trial", &["bot_id", "trial_started_at"]),
    // Members of a promo group.
    ("users", "ix_users_promo_group", &["bot_id", "promo_group_id"]),
    // Active, expiring and expired subscriptions.
    ("subscriptions", "ix_subscriptions_status", &["bot_id", "status", "expires_at"]),
    // Open tickets, newest first.
    ("tickets", "ix_tickets_status", &["bot_id", "status"]),
    // The wallet's charges of the last days.
    ("tenant_wallet_transactions", "ix_tenant_wallet_transactions_created", &["bot_id", "created_at"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            tenant_table("audit_log")
                // `admin` (a Telegram id in `actor_id`), `operator` or `tenant_api`.
                .col(string_len("actor_kind", 16))
                .col(big_integer_null("actor_id"))
                // What was done, e.g. `plan.create`, `user.balance`, `config.set`.
                .col(string_len("action", 64))
                // What it was done to, e.g. `plan:7`, `config:welcome_text`.
                .col(string_len_null("target", 128))
                .col(json_binary_null("before_value"))
                .col(json_binary_null("after_value"))
                .take(),
        )
        .await?;
        m.create_index(index("audit_log", "ix_audit_log_recent", &["bot_id", "id"])).await?;

        // One statement per column: SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter().table("users").add_column(timestamp_with_time_zone_null("trial_started_at")).take(),
        )
        .await?;
        // No foreign key: SQLite cannot add a composite one to an existing table. A plan
        // with sales is never deleted (`Plans::delete` refuses it), so the number stays
        // meaningful.
        m.alter_table(Table::alter().table("transactions").add_column(big_integer_null("plan_id")).take()).await?;
        for (table, name, cols) in INDEXES {
            m.create_index(index(table, name, cols)).await?;
        }

        let db = m.get_connection();
        // Trials taken before this migration: when their provisioning was queued.
        db.execute_unprepared(
            "UPDATE users SET trial_started_at = (SELECT MIN(p.created_at) FROM provisioning_outbox p \
             JOIN subscriptions s ON s.bot_id = p.bot_id AND s.id = p.subscription_id \
             WHERE p.reason = 'trial' AND s.bot_id = users.bot_id AND s.user_id = users.id) \
             WHERE trial_used",
        )
        .await?;
        // Sales recorded before this migration: the plan of the payment that made them.
        for payments in ["card_to_card_payments", "zarinpal_payments", "stars_payments"] {
            db.execute_unprepared(&format!(
                "UPDATE transactions SET plan_id = (SELECT p.plan_id FROM {payments} p \
                 WHERE p.bot_id = transactions.bot_id AND p.transaction_id = transactions.id) \
                 WHERE plan_id IS NULL AND kind IN ('purchase', 'renewal')"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, _) in INDEXES {
            m.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("transactions").drop_column("plan_id").take()).await?;
        m.alter_table(Table::alter().table("users").drop_column("trial_started_at").take()).await?;
        m.drop_table(Table::drop().table("audit_log").take()).await?;
        Ok(())
    }
}
