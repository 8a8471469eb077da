//! Payment safeguards:
//! - a redeemed discount code is reserved by the order it prices (`promocode_uses.reserved_by`,
//!   the order's key, unique per tenant, and `reserved_at`), and each order records the use
//!   that priced it (`promocode_use_id` on card-to-card, Zarinpal and Stars payments);
//! - a second charge of a Stars invoice is recorded as a payment of its own
//!   (`stars_payments.duplicate_of`), and a Stars refund is reserved before Telegram is asked
//!   (`refund_attempts`, `refund_error` for a refund Telegram refused);
//! - a card-to-card receipt keeps a fingerprint (the photo's or document's Telegram
//!   `file_unique_id`, or a hash of the normalised text) so a receipt sent again is noticed.
//!
//! The new references (`promocode_use_id`, `duplicate_of`) have no foreign key: SQLite cannot
//! add a composite one to an existing table, and deleting a promo code deletes its uses (an
//! order whose use is gone completes without the discount). The code writes them only from
//! rows read through the same tenant.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m0001_initial::{index, unique};

#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The orders a discount code can price.
const ORDERS: [&str; 3] = ["card_to_card_payments", "zarinpal_payments", "stars_payments"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One statement per column: SQLite adds one column per ALTER TABLE.
        for col in [string_len_null("reserved_by", 255), timestamp_with_time_zone_null("reserved_at")] {
            m.alter_table(Table::alter().table("promocode_uses").add_column(col).take()).await?;
        }
        m.create_index(unique("promocode_uses", "ux_promocode_uses_reserved_by", &["bot_id", "reserved_by"])).await?;
        for table in ORDERS {
            m.alter_table(Table::alter().table(table).add_column(big_integer_null("promocode_use_id")).take()).await?;
        }
        for col in
            [big_integer_null("duplicate_of"), integer("refund_attempts").default(0).take(), text_null("refund_error")]
        {
            m.alter_table(Table::alter().table("stars_payments").add_column(col).take()).await?;
        }
        m.alter_table(
            Table::alter()
                .table("card_to_card_payments")
                .add_column(string_len_null("receipt_fingerprint", 128))
                .take(),
        )
        .await?;
        m.create_index(index(
            "card_to_card_payments",
            "ix_card_to_card_payments_receipt",
            &["bot_id", "receipt_fingerprint"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_card_to_card_payments_receipt").table("card_to_card_payments").to_owned())
            .await?;
        m.alter_table(Table::alter().table("card_to_card_payments").drop_column("receipt_fingerprint").take()).await?;
        for col in ["refund_error", "refund_attempts", "duplicate_of"] {
            m.alter_table(Table::alter().table("stars_payments").drop_column(col).take()).await?;
        }
        for table in ORDERS {
            m.alter_table(Table::alter().table(table).drop_column("promocode_use_id").take()).await?;
        }
        m.drop_index(Index::drop().name("ux_promocode_uses_reserved_by").table("promocode_uses").to_owned()).await?;
        for col in ["reserved_at", "reserved_by"] {
            m.alter_table(Table::alter().table("promocode_uses").drop_column(col).take()).await?;
        }
        Ok(())
    }
}
