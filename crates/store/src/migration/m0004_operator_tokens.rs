//! Operator API tokens created with `remnabot token create`: a platform table (not owned by a
//! tenant) holding only SHA-256 hashes of the tokens, never the tokens themselves.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_initial::unique;

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("operator_tokens")
                .col(big_pk_auto("id"))
                .col(string_len("name", 255))
                .col(string_len("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;
        m.create_index(unique("operator_tokens", "ux_operator_tokens_hash", &["token_hash"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("operator_tokens").take()).await?;
        Ok(())
    }
}
