//! Table `audit_log`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub created_at: DateTimeUtc,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target: Option<String>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub before_value: Option<Json>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub after_value: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::entity::tenant_owned!("audit entry");
