//! Table `tenant_payment_cards`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_payment_cards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub created_at: DateTimeUtc,
    pub card_number: String,
    pub holder_name: String,
    pub bank_name: Option<String>,
    pub weight: i32,
    pub is_active: bool,
    pub usage_count: i64,
    pub success_count: i64,
    pub failure_count: i64,
    pub last_used_at: Option<DateTimeUtc>,
    pub last_selected_at: Option<DateTimeUtc>,
    pub daily_count_cap: Option<i64>,
    pub daily_amount_cap: Option<i64>,
    pub usage_day: Option<Date>,
    pub day_count: i64,
    pub day_amount: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::entity::tenant_owned!("payment card");
