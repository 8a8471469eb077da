//! Review messages: each copy of a card-to-card receipt sent to a tenant's admins is
//! recorded (a tenant table), so that whoever or whatever decides the payment (an admin in
//! the bot, the API, the expiry job) rewrites every copy with the outcome. The rewrite goes
//! through the notification outbox, which learns to carry an edit of an existing message.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_initial::{index, same_tenant_fk, tenant_table, unique};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            tenant_table("review_messages")
                .col(big_integer("payment_id"))
                .col(big_integer("chat_id"))
                .col(big_integer("message_id"))
                // A photo or document: its caption is edited, not its text.
                .col(boolean("has_caption"))
                .col(string_len("language", 8))
                // The text or caption as sent, at most 4096 characters.
                .col(text("text"))
                .foreign_key(&mut same_tenant_fk("review_messages", "payment_id", "card_to_card_payments"))
                .take(),
        )
        .await?;
        m.create_index(unique("review_messages", "ux_review_messages_message", &["bot_id", "chat_id", "message_id"]))
            .await?;
        m.create_index(index("review_messages", "ix_review_messages_payment", &["bot_id", "payment_id"])).await?;

        // An entry with `edit_message_id` rewrites that message of `chat_id` with `text`
        // (its caption when `edit_caption`) instead of sending a new one, leaving at most the
        // one callback button `edit_button_text` / `edit_button_data`. One statement per column:
        // SQLite adds one column per ALTER TABLE.
        for col in [
            big_integer_null("edit_message_id"),
            boolean("edit_caption").default(false).take(),
            string_len_null("edit_button_text", 64),
            string_len_null("edit_button_data", 64),
        ] {
            m.alter_table(Table::alter().table("notification_outbox").add_column(col).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["edit_button_data", "edit_button_text", "edit_caption", "edit_message_id"] {
            m.alter_table(Table::alter().table("notification_outbox").drop_column(col).take()).await?;
        }
        m.drop_table(Table::drop().table("review_messages").take()).await?;
        Ok(())
    }
}
