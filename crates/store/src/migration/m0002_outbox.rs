//! Durable outboxes: panel provisioning and notifications. Work that must reach an outside
//! system is written here in the same transaction as the change that causes it, and workers
//! apply it until it is done, across restarts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_initial::{index, same_tenant_fk, tenant_table, unique};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The columns every outbox shares: delivery state, retry schedule and a claim lease.
fn outbox_columns(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(string_len("status", 16))
        .col(integer("attempts").default(0))
        .col(timestamp_with_time_zone("next_attempt_at"))
        .col(timestamp_with_time_zone_null("locked_until"))
        .col(text_null("last_error"))
        .col(timestamp_with_time_zone_null("done_at"))
        .col(string_len("idempotency_key", 128))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The panel's numeric user id (Remnawave v3 addresses users by it; v2 by uuid).
        m.alter_table(Table::alter().table("subscriptions").add_column(big_integer_null("panel_user_id")).take())
            .await?;

        let mut t = tenant_table("provisioning_outbox");
        t.col(big_integer("subscription_id"))
            .col(string_len("reason", 16))
            .col(boolean("reset_devices").default(false))
            .col(boolean("alerted").default(false))
            .foreign_key(&mut same_tenant_fk("provisioning_outbox", "subscription_id", "subscriptions"));
        outbox_columns(&mut t);
        m.create_table(t).await?;
        m.create_index(unique("provisioning_outbox", "ux_provisioning_outbox_key", &["bot_id", "idempotency_key"]))
            .await?;
        m.create_index(index("provisioning_outbox", "ix_provisioning_outbox_due", &["status", "next_attempt_at"]))
            .await?;

        let mut t = tenant_table("notification_outbox");
        t.col(big_integer("chat_id")).col(text("text"));
        outbox_columns(&mut t);
        m.create_table(t).await?;
        m.create_index(unique("notification_outbox", "ux_notification_outbox_key", &["bot_id", "idempotency_key"]))
            .await?;
        m.create_index(index("notification_outbox", "ix_notification_outbox_due", &["status", "next_attempt_at"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("notification_outbox").take()).await?;
        m.drop_table(Table::drop().table("provisioning_outbox").take()).await?;
        m.alter_table(Table::alter().table("subscriptions").drop_column("panel_user_id").take()).await?;
        Ok(())
    }
}
