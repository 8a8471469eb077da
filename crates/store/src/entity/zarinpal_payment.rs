//! Table `zarinpal_payments`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "zarinpal_payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub created_at: DateTimeUtc,
    pub user_id: i64,
    pub amount: i64,
    pub authority: String,
    pub status: String,
    pub purpose: String,
    pub plan_id: Option<i64>,
    pub ref_id: Option<i64>,
    pub card_pan: Option<String>,
    pub description: Option<String>,
    pub transaction_id: Option<i64>,
    pub paid_at: Option<DateTimeUtc>,
    pub fail_reason: Option<String>,
    /// The discount-code use (`promocode_uses.id`) that priced this order, reserved by it.
    pub promocode_use_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::entity::tenant_owned!("Zarinpal payment");
