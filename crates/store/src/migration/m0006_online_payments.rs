//! Online payments: Telegram Stars payments (a tenant table), the reason a Zarinpal payment
//! failed, a lookup index on Zarinpal authorities (the gateway's callback names only the
//! authority), and the bots' Telegram usernames (the callback page links back to the bot).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_initial::{index, same_tenant_fk, same_tenant_ref, tenant_key, tenant_table, unique};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            tenant_table("stars_payments")
                .index(&mut tenant_key("stars_payments"))
                .col(big_integer("user_id"))
                // The order's price in Toman, and what Telegram charges for it in Stars.
                .col(big_integer("amount"))
                .col(big_integer("stars"))
                // The invoice payload: ours, random, unique per tenant.
                .col(string_len("payload", 64))
                .col(string_len("status", 16))
                .col(string_len("purpose", 16))
                .col(big_integer_null("plan_id"))
                .col(string_len_null("telegram_charge_id", 255))
                .col(big_integer_null("transaction_id"))
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(timestamp_with_time_zone_null("refunded_at"))
                .foreign_key(&mut same_tenant_fk("stars_payments", "user_id", "users"))
                .foreign_key(&mut same_tenant_ref("stars_payments", "plan_id", "bot_plans"))
                .foreign_key(&mut same_tenant_ref("stars_payments", "transaction_id", "transactions"))
                .take(),
        )
        .await?;
        m.create_index(unique("stars_payments", "ux_stars_payments_payload", &["bot_id", "payload"])).await?;
        m.create_index(unique("stars_payments", "ux_stars_payments_charge", &["bot_id", "telegram_charge_id"])).await?;
        m.alter_table(Table::alter().table("zarinpal_payments").add_column(text_null("fail_reason")).take()).await?;
        // Not unique: authorities are unique per tenant; the callback refuses an authority two
        // tenants share instead of guessing.
        m.create_index(index("zarinpal_payments", "ix_zarinpal_payments_authority", &["authority"])).await?;
        m.alter_table(Table::alter().table("bots").add_column(string_len_null("telegram_username", 64)).take()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("bots").drop_column("telegram_username").take()).await?;
        m.drop_index(Index::drop().name("ix_zarinpal_payments_authority").table("zarinpal_payments").to_owned())
            .await?;
        m.alter_table(Table::alter().table("zarinpal_payments").drop_column("fail_reason").take()).await?;
        m.drop_table(Table::drop().table("stars_payments").take()).await?;
        Ok(())
    }
}
