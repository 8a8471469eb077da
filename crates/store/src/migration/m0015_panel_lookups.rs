//! Indexes the admin panel's customer screens and the dashboard's trial conversion read
//! through, found with `panel-bench` (100,000 customers, 300,000 payments):
//! - a customer's payments since a moment (`transactions (bot_id, user_id, created_at)`,
//!   replacing `(bot_id, user_id)`): without it the dashboard's "paid since the trial" test
//!   walked the tenant's recent transactions once per trial;
//! - the customers a customer invited (`users (bot_id, referred_by_id)`), counted on a
//!   customer's page.

use sea_orm_migration::prelude::*;

use super::m0001_initial::index;

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("transactions", "ix_transactions_user_created", &["bot_id", "user_id", "created_at"]))
            .await?;
        m.drop_index(Index::drop().name("ix_transactions_user").table("transactions").to_owned()).await?;
        m.create_index(index("users", "ix_users_referred_by", &["bot_id", "referred_by_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_users_referred_by").table("users").to_owned()).await?;
        m.create_index(index("transactions", "ix_transactions_user", &["bot_id", "user_id"])).await?;
        m.drop_index(Index::drop().name("ix_transactions_user_created").table("transactions").to_owned()).await?;
        Ok(())
    }
}
