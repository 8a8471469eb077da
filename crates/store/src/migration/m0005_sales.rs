//! Sales: a promo code of kind `discount` is redeemed first and spent by the next paid order,
//! so its use records when it was consumed.

use sea_orm_migration::prelude::*;

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("promocode_uses")
                .add_column(ColumnDef::new("consumed_at").timestamp_with_time_zone().null())
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("promocode_uses").drop_column("consumed_at").take()).await
    }
}
