//! Table `bots`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub telegram_bot_id: i64,
    pub telegram_token_encrypted: String,
    pub telegram_token_hash: String,
    pub api_token_hash: String,
    pub is_master: bool,
    pub is_active: bool,
    pub wallet_balance: i64,
    pub wallet_credit_limit: i64,
    pub traffic_consumed_bytes: i64,
    pub traffic_sold_bytes: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub telegram_username: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
