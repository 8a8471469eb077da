//! Table `stars_payments`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stars_payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub created_at: DateTimeUtc,
    pub user_id: i64,
    pub amount: i64,
    pub stars: i64,
    pub payload: String,
    pub status: String,
    pub purpose: String,
    pub plan_id: Option<i64>,
    pub telegram_charge_id: Option<String>,
    pub transaction_id: Option<i64>,
    pub paid_at: Option<DateTimeUtc>,
    pub refunded_at: Option<DateTimeUtc>,
    /// The discount-code use (`promocode_uses.id`) that priced this order, reserved by it.
    pub promocode_use_id: Option<i64>,
    /// For a second charge of an invoice already paid: the payment it paid again.
    pub duplicate_of: Option<i64>,
    /// Refunds reserved so far (each attempt's ledger keys carry its number).
    pub refund_attempts: i32,
    /// Why Telegram refused the last refund.
    pub refund_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::entity::tenant_owned!("Telegram Stars payment");
