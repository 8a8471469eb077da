//! Table `promocode_uses`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "promocode_uses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub created_at: DateTimeUtc,
    pub promocode_id: i64,
    pub user_id: i64,
    /// When a `discount` code was spent on an order (None: not yet, or another kind).
    pub consumed_at: Option<DateTimeUtc>,
    /// The key of the order this discount prices (`card:<id>`, `zarinpal:<id>`, `stars:<id>`,
    /// `balance:<key>`): set when the order is recorded, kept once the order spent it, cleared
    /// when the order expired, was rejected or failed.
    pub reserved_by: Option<String>,
    pub reserved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::entity::tenant_owned!("promo code use");
