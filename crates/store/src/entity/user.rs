//! Table `users`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub created_at: DateTimeUtc,
    pub telegram_id: i64,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub language: String,
    pub balance: i64,
    pub referral_code: String,
    pub referred_by_id: Option<i64>,
    pub promo_group_id: Option<i64>,
    pub is_blocked: bool,
    pub trial_used: bool,
    pub trial_started_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// Promo codes refused in the current window (`promo_effects::attempts`).
    pub promo_failures: i32,
    /// When the current window of refused promo codes opened.
    pub promo_failures_since: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::entity::tenant_owned!("user");
