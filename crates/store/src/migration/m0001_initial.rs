//! The initial schema: the platform table `bots` and every tenant-owned table.
//!
//! Every tenant-owned table has `bot_id NOT NULL` referencing `bots` (cascade on delete),
//! an index that starts with `bot_id`, and uniques scoped by `bot_id`. References between
//! tenant-owned rows are composite `(bot_id, x_id) -> parent (bot_id, id)`, so the database
//! itself refuses a row of tenant A that points at a row of tenant B.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// A column of Toman or bytes: a 64-bit integer, zero by default.
fn amount(col: &'static str) -> ColumnDef {
    big_integer(col).default(0).take()
}

fn ts(col: &'static str) -> ColumnDef {
    timestamp_with_time_zone(col)
}

fn ts_null(col: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

/// The start of every tenant-owned table: `id`, `bot_id` with its foreign key, `created_at`.
pub(super) fn tenant_table(name: &'static str) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(big_pk_auto("id"))
        .col(big_integer("bot_id"))
        .col(ts("created_at"))
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_bot"))
                .from(name, "bot_id")
                .to("bots", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .take()
}

/// A same-tenant reference: `(bot_id, col)` must name a row of `parent` in the same tenant.
/// Rows owned by the parent (a ticket's messages, a user's subscriptions) go with it.
pub(super) fn same_tenant_fk(
    table: &'static str,
    col: &'static str,
    parent: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, ("bot_id", col))
        .to(parent, ("bot_id", "id"))
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

/// A same-tenant reference to something the row merely uses (its plan, card, promo group,
/// referrer): deleting that thing is refused while rows use it, instead of deleting them.
/// `SET NULL` is not an option: on a composite key it would null `bot_id` too. `NO ACTION`
/// (not `RESTRICT`) is checked at the end of the statement, so deleting a whole tenant
/// still cascades cleanly.
pub(super) fn same_tenant_ref(
    table: &'static str,
    col: &'static str,
    parent: &'static str,
) -> ForeignKeyCreateStatement {
    same_tenant_fk(table, col, parent).on_delete(ForeignKeyAction::NoAction).take()
}

pub(super) fn unique(table: &'static str, name: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table).unique();
    for c in cols {
        idx.col(*c);
    }
    idx.take()
}

pub(super) fn index(table: &'static str, name: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(*c);
    }
    idx.take()
}

/// `UNIQUE (bot_id, id)`: the target of same-tenant references. It is declared inside
/// `CREATE TABLE` because PostgreSQL needs it before any foreign key (including a table's
/// reference to itself) can point at it, and SQLite cannot add constraints later.
pub(super) fn tenant_key(table: &'static str) -> IndexCreateStatement {
    unique(table, &format!("ux_{table}_tenant_key"), &["bot_id", "id"])
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("bots")
                .col(big_pk_auto("id"))
                .col(string_len("name", 255))
                .col(big_integer("telegram_bot_id"))
                // AES-256-GCM of the Telegram token under SECRET_KEY (nonce || ciphertext, base64).
                .col(text("telegram_token_encrypted"))
                // Keyed hash of the Telegram token, for lookup without decrypting every row.
                .col(string_len_uniq("telegram_token_hash", 64))
                // SHA-256 of the API token; the token itself is shown once and never stored.
                .col(string_len_uniq("api_token_hash", 64))
                .col(boolean("is_master").default(false))
                .col(boolean("is_active").default(true))
                .col(amount("wallet_balance"))
                .col(amount("wallet_credit_limit"))
                .col(amount("traffic_consumed_bytes"))
                .col(amount("traffic_sold_bytes"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .take(),
        )
        .await?;
        // At most one master bot. Partial unique indexes read the same on both backends.
        m.get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX ux_bots_single_master ON bots (is_master) WHERE is_master")
            .await?;

        m.create_table(
            tenant_table("bot_feature_flags")
                .col(string_len("feature_key", 100))
                .col(boolean("enabled"))
                .col(json_binary("config"))
                .col(ts("updated_at"))
                .take(),
        )
        .await?;
        m.create_index(unique("bot_feature_flags", "ux_bot_feature_flags_key", &["bot_id", "feature_key"])).await?;

        m.create_table(
            tenant_table("bot_configurations")
                .col(string_len("config_key", 100))
                .col(json_binary("config_value"))
                .col(ts("updated_at"))
                .take(),
        )
        .await?;
        m.create_index(unique("bot_configurations", "ux_bot_configurations_key", &["bot_id", "config_key"])).await?;

        m.create_table(
            tenant_table("tenant_payment_cards")
                .index(&mut tenant_key("tenant_payment_cards"))
                .col(string_len("card_number", 16))
                .col(string_len("holder_name", 255))
                .col(string_len_null("bank_name", 255))
                .col(integer("weight").default(1))
                .col(boolean("is_active").default(true))
                .col(amount("usage_count"))
                .col(amount("success_count"))
                .col(amount("failure_count"))
                .col(ts_null("last_used_at"))
                .col(ts_null("last_selected_at"))
                .col(big_integer_null("daily_count_cap"))
                .col(big_integer_null("daily_amount_cap"))
                .col(date_null("usage_day"))
                .col(amount("day_count"))
                .col(amount("day_amount"))
                .col(ts("updated_at"))
                .take(),
        )
        .await?;
        m.create_index(unique("tenant_payment_cards", "ux_tenant_payment_cards_number", &["bot_id", "card_number"]))
            .await?;

        m.create_table(
            tenant_table("bot_plans")
                .index(&mut tenant_key("bot_plans"))
                .col(string_len("name", 255))
                .col(text_null("description"))
                .col(integer("period_days"))
                .col(integer("traffic_gb"))
                .col(integer("device_limit"))
                .col(big_integer("price_toman"))
                .col(integer("sort_order").default(0))
                .col(boolean("is_active").default(true))
                .col(ts("updated_at"))
                .take(),
        )
        .await?;
        m.create_index(unique("bot_plans", "ux_bot_plans_name", &["bot_id", "name"])).await?;

        m.create_table(
            tenant_table("promo_groups")
                .index(&mut tenant_key("promo_groups"))
                .col(string_len("name", 255))
                .col(integer("discount_percent").default(0))
                .take(),
        )
        .await?;
        m.create_index(unique("promo_groups", "ux_promo_groups_name", &["bot_id", "name"])).await?;

        m.create_table(
            tenant_table("users")
                .index(&mut tenant_key("users"))
                .col(big_integer("telegram_id"))
                .col(string_len_null("username", 64))
                .col(string_len_null("first_name", 255))
                .col(string_len("language", 8))
                .col(amount("balance"))
                .col(string_len("referral_code", 32))
                .col(big_integer_null("referred_by_id"))
                .col(big_integer_null("promo_group_id"))
                .col(boolean("is_blocked").default(false))
                .col(boolean("trial_used").default(false))
                .col(ts("updated_at"))
                .foreign_key(&mut same_tenant_ref("users", "referred_by_id", "users"))
                .foreign_key(&mut same_tenant_ref("users", "promo_group_id", "promo_groups"))
                .take(),
        )
        .await?;
        m.create_index(unique("users", "ux_users_telegram_id", &["bot_id", "telegram_id"])).await?;
        m.create_index(unique("users", "ux_users_referral_code", &["bot_id", "referral_code"])).await?;

        m.create_table(
            tenant_table("subscriptions")
                .index(&mut tenant_key("subscriptions"))
                .col(big_integer("user_id"))
                .col(big_integer_null("plan_id"))
                .col(string_len("status", 16))
                .col(boolean("is_trial").default(false))
                .col(ts("starts_at"))
                .col(ts("expires_at"))
                .col(amount("traffic_limit_bytes"))
                .col(amount("traffic_used_bytes"))
                .col(integer("device_limit"))
                .col(string_len_null("panel_user_uuid", 64))
                .col(text_null("subscription_url"))
                .col(ts("updated_at"))
                .foreign_key(&mut same_tenant_fk("subscriptions", "user_id", "users"))
                .foreign_key(&mut same_tenant_ref("subscriptions", "plan_id", "bot_plans"))
                .take(),
        )
        .await?;
        m.create_index(index("subscriptions", "ix_subscriptions_user", &["bot_id", "user_id"])).await?;

        m.create_table(
            tenant_table("transactions")
                .index(&mut tenant_key("transactions"))
                .col(big_integer("user_id"))
                .col(string_len("kind", 32))
                .col(big_integer("amount"))
                .col(string_len_null("payment_method", 32))
                .col(text_null("description"))
                .col(string_len_null("external_id", 255))
                .col(boolean("is_completed").default(false))
                .col(ts_null("completed_at"))
                .foreign_key(&mut same_tenant_fk("transactions", "user_id", "users"))
                .take(),
        )
        .await?;
        m.create_index(index("transactions", "ix_transactions_user", &["bot_id", "user_id"])).await?;

        m.create_table(
            tenant_table("tickets")
                .index(&mut tenant_key("tickets"))
                .col(big_integer("user_id"))
                .col(string_len("title", 255))
                .col(string_len("status", 16))
                .col(ts("updated_at"))
                .col(ts_null("closed_at"))
                .foreign_key(&mut same_tenant_fk("tickets", "user_id", "users"))
                .take(),
        )
        .await?;
        m.create_index(index("tickets", "ix_tickets_user", &["bot_id", "user_id"])).await?;

        m.create_table(
            tenant_table("ticket_messages")
                .col(big_integer("ticket_id"))
                .col(boolean("from_admin"))
                .col(big_integer("sender_telegram_id"))
                .col(text_null("text"))
                .col(string_len_null("media_file_id", 255))
                .foreign_key(&mut same_tenant_fk("ticket_messages", "ticket_id", "tickets"))
                .take(),
        )
        .await?;
        m.create_index(index("ticket_messages", "ix_ticket_messages_ticket", &["bot_id", "ticket_id"])).await?;

        m.create_table(
            tenant_table("promocodes")
                .index(&mut tenant_key("promocodes"))
                .col(string_len("code", 64))
                .col(string_len("kind", 16))
                .col(big_integer("value"))
                .col(integer("max_uses").default(0))
                .col(integer("uses_count").default(0))
                .col(ts_null("valid_from"))
                .col(ts_null("valid_until"))
                .col(boolean("is_active").default(true))
                .take(),
        )
        .await?;
        m.create_index(unique("promocodes", "ux_promocodes_code", &["bot_id", "code"])).await?;

        m.create_table(
            tenant_table("promocode_uses")
                .col(big_integer("promocode_id"))
                .col(big_integer("user_id"))
                .foreign_key(&mut same_tenant_fk("promocode_uses", "promocode_id", "promocodes"))
                .foreign_key(&mut same_tenant_fk("promocode_uses", "user_id", "users"))
                .take(),
        )
        .await?;
        m.create_index(unique("promocode_uses", "ux_promocode_uses_once", &["bot_id", "promocode_id", "user_id"]))
            .await?;

        m.create_table(
            tenant_table("referral_earnings")
                .col(big_integer("referrer_id"))
                .col(big_integer("referred_id"))
                .col(big_integer("amount"))
                .col(big_integer_null("source_transaction_id"))
                .foreign_key(&mut same_tenant_fk("referral_earnings", "referrer_id", "users"))
                .foreign_key(&mut same_tenant_fk("referral_earnings", "referred_id", "users"))
                .foreign_key(&mut same_tenant_ref("referral_earnings", "source_transaction_id", "transactions"))
                .take(),
        )
        .await?;
        m.create_index(unique(
            "referral_earnings",
            "ux_referral_earnings_once",
            &["bot_id", "referrer_id", "source_transaction_id"],
        ))
        .await?;

        m.create_table(
            tenant_table("card_to_card_payments")
                .index(&mut tenant_key("card_to_card_payments"))
                .col(big_integer("user_id"))
                .col(big_integer("card_id"))
                .col(big_integer("amount"))
                .col(string_len("tracking_code", 32))
                .col(string_len("status", 16))
                .col(string_len("purpose", 16))
                .col(big_integer_null("plan_id"))
                .col(string_len_null("receipt_kind", 16))
                .col(string_len_null("receipt_file_id", 255))
                .col(text_null("receipt_text"))
                .col(big_integer_null("transaction_id"))
                .col(big_integer_null("reviewed_by"))
                .col(text_null("reject_reason"))
                .col(ts("expires_at"))
                .col(ts_null("reviewed_at"))
                .foreign_key(&mut same_tenant_fk("card_to_card_payments", "user_id", "users"))
                .foreign_key(&mut same_tenant_ref("card_to_card_payments", "card_id", "tenant_payment_cards"))
                .foreign_key(&mut same_tenant_ref("card_to_card_payments", "plan_id", "bot_plans"))
                .foreign_key(&mut same_tenant_ref("card_to_card_payments", "transaction_id", "transactions"))
                .take(),
        )
        .await?;
        m.create_index(unique(
            "card_to_card_payments",
            "ux_card_to_card_payments_tracking",
            &["bot_id", "tracking_code"],
        ))
        .await?;
        m.create_index(index("card_to_card_payments", "ix_card_to_card_payments_status", &["bot_id", "status"]))
            .await?;

        m.create_table(
            tenant_table("zarinpal_payments")
                .index(&mut tenant_key("zarinpal_payments"))
                .col(big_integer("user_id"))
                .col(big_integer("amount"))
                .col(string_len("authority", 64))
                .col(string_len("status", 16))
                .col(string_len("purpose", 16))
                .col(big_integer_null("plan_id"))
                .col(big_integer_null("ref_id"))
                .col(string_len_null("card_pan", 32))
                .col(text_null("description"))
                .col(big_integer_null("transaction_id"))
                .col(ts_null("paid_at"))
                .foreign_key(&mut same_tenant_fk("zarinpal_payments", "user_id", "users"))
                .foreign_key(&mut same_tenant_ref("zarinpal_payments", "plan_id", "bot_plans"))
                .foreign_key(&mut same_tenant_ref("zarinpal_payments", "transaction_id", "transactions"))
                .take(),
        )
        .await?;
        m.create_index(unique("zarinpal_payments", "ux_zarinpal_payments_authority", &["bot_id", "authority"])).await?;

        for (table, owner_col) in [("tenant_wallet_transactions", None), ("user_balance_transactions", Some("user_id"))]
        {
            let mut t = tenant_table(table);
            if let Some(col) = owner_col {
                t.col(big_integer(col)).foreign_key(&mut same_tenant_fk(table, col, "users"));
            }
            t.col(big_integer("amount"))
                .col(big_integer("balance_after"))
                .col(string_len("kind", 32))
                .col(text_null("description"))
                .col(string_len("idempotency_key", 128));
            m.create_table(t).await?;
            m.create_index(unique(table, &format!("ux_{table}_idempotency"), &["bot_id", "idempotency_key"])).await?;
        }
        m.create_index(index("user_balance_transactions", "ix_user_balance_transactions_user", &["bot_id", "user_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "user_balance_transactions",
            "tenant_wallet_transactions",
            "zarinpal_payments",
            "card_to_card_payments",
            "referral_earnings",
            "promocode_uses",
            "promocodes",
            "ticket_messages",
            "tickets",
            "transactions",
            "subscriptions",
            "users",
            "promo_groups",
            "bot_plans",
            "tenant_payment_cards",
            "bot_configurations",
            "bot_feature_flags",
            "bots",
        ] {
            m.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
