//! Table `card_to_card_payments`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "card_to_card_payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub created_at: DateTimeUtc,
    pub user_id: i64,
    pub card_id: i64,
    pub amount: i64,
    pub tracking_code: String,
    pub status: String,
    pub purpose: String,
    pub plan_id: Option<i64>,
    pub receipt_kind: Option<String>,
    pub receipt_file_id: Option<String>,
    pub receipt_text: Option<String>,
    pub transaction_id: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub reject_reason: Option<String>,
    pub expires_at: DateTimeUtc,
    pub reviewed_at: Option<DateTimeUtc>,
    /// The discount-code use (`promocode_uses.id`) that priced this order, reserved by it.
    pub promocode_use_id: Option<i64>,
    /// `file:<Telegram file_unique_id>` or `text:<SHA-256 of the normalised text>`.
    pub receipt_fingerprint: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::entity::tenant_owned!("card-to-card payment");
