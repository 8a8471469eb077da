//! Table `transactions`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "transactions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub created_at: DateTimeUtc,
    pub user_id: i64,
    pub kind: String,
    pub amount: i64,
    pub payment_method: Option<String>,
    pub description: Option<String>,
    pub external_id: Option<String>,
    pub is_completed: bool,
    pub completed_at: Option<DateTimeUtc>,
    /// The plan sold (purchases and renewals); a plain number, see migration m0011.
    pub plan_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::entity::tenant_owned!("transaction");
