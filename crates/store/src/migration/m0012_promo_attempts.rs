//! Promo-code guessing is limited: each customer's refused promo codes are counted in a window
//! (`users.promo_failures`, and `users.promo_failures_since`, when the window opened), kept in
//! the database so that a restart does not give a guesser a fresh allowance.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One statement per column: SQLite adds one column per ALTER TABLE.
        for col in [integer("promo_failures").default(0).take(), timestamp_with_time_zone_null("promo_failures_since")]
        {
            m.alter_table(Table::alter().table("users").add_column(col).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["promo_failures_since", "promo_failures"] {
            m.alter_table(Table::alter().table("users").drop_column(col).take()).await?;
        }
        Ok(())
    }
}
