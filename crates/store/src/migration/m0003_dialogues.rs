//! Dialogue state of the bots, keyed by tenant and chat, so a conversation survives a restart
//! and the same Telegram user has an independent conversation with every tenant's bot.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_initial::{tenant_table, unique};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = tenant_table("dialogues");
        t.col(big_integer("chat_id")).col(json_binary("state")).col(timestamp_with_time_zone("updated_at"));
        m.create_table(t).await?;
        m.create_index(unique("dialogues", "ux_dialogues_chat", &["bot_id", "chat_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("dialogues").take()).await?;
        Ok(())
    }
}
