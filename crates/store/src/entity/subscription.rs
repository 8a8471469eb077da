//! Table `subscriptions`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "subscriptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub created_at: DateTimeUtc,
    pub user_id: i64,
    pub plan_id: Option<i64>,
    pub status: String,
    pub is_trial: bool,
    pub starts_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub traffic_limit_bytes: i64,
    pub traffic_used_bytes: i64,
    pub device_limit: i32,
    pub panel_user_uuid: Option<String>,
    pub panel_user_id: Option<i64>,
    pub subscription_url: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::entity::tenant_owned!("subscription");
