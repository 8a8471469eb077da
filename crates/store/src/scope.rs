//! The tenant scope for queries. Repositories reach tenant-owned tables only through these
//! helpers, which add `bot_id = tenant` to every select, update and delete.

use remnabot_domain::{Error, Result, Tenant};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DeleteMany, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QuerySelect,
    Select, UpdateMany,
};

use crate::db::unavailable;
use crate::entity::TenantOwned;

/// `SELECT ... WHERE bot_id = tenant`.
pub fn select<E: TenantOwned>(tenant: &Tenant) -> Select<E> {
    E::find().filter(E::bot_id_col().eq(tenant.bot_id().0))
}

/// `UPDATE ... WHERE bot_id = tenant`.
pub fn update<E: TenantOwned>(tenant: &Tenant) -> UpdateMany<E> {
    E::update_many().filter(E::bot_id_col().eq(tenant.bot_id().0))
}

/// `DELETE ... WHERE bot_id = tenant`.
pub fn delete<E: TenantOwned>(tenant: &Tenant) -> DeleteMany<E> {
    E::delete_many().filter(E::bot_id_col().eq(tenant.bot_id().0))
}

/// The row `id` of this tenant, or `NotFound` (also when it belongs to another tenant).
///
/// # Errors
/// [`Error::NotFound`], [`Error::Unavailable`].
pub async fn get<E, C>(c: &C, tenant: &Tenant, id: i64) -> Result<E::Model>
where
    E: TenantOwned,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    select::<E>(tenant)
        .filter(E::id_col().eq(id))
        .one(c)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| Error::not_found(E::NOUN))
}

/// Deletes the row `id` of this tenant.
///
/// # Errors
/// [`Error::NotFound`] when no such row exists for this tenant; [`Error::Conflict`] when other
/// rows still reference it.
pub async fn delete_by_id<E: TenantOwned, C: ConnectionTrait>(c: &C, tenant: &Tenant, id: i64) -> Result<()> {
    let res = delete::<E>(tenant).filter(E::id_col().eq(id)).exec(c).await.map_err(|e| {
        if matches!(e.sql_err(), Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))) {
            Error::Conflict(format!("the {} is still referenced by other records", E::NOUN))
        } else {
            unavailable(e)
        }
    })?;
    if res.rows_affected == 0 {
        return Err(Error::not_found(E::NOUN));
    }
    Ok(())
}

/// Counts this tenant's rows.
///
/// # Errors
/// [`Error::Unavailable`].
pub async fn count<E, C>(c: &C, tenant: &Tenant) -> Result<u64>
where
    E: TenantOwned,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    select::<E>(tenant).count(c).await.map_err(unavailable)
}

/// Applies `page` to a select.
pub fn paged<E: EntityTrait>(q: Select<E>, page: remnabot_domain::Page) -> Select<E> {
    q.limit(page.limit()).offset(page.offset())
}

/// `SUM(amount)` over the rows `q` selects, as Toman (zero when there are none). An overflow
/// of 64 bits is an error of the database on both backends, never a wrap.
///
/// # Errors
/// [`Error::Unavailable`].
pub async fn sum_amount<E, C>(c: &C, q: Select<E>) -> Result<remnabot_domain::Toman>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::QuerySelect as _;
    let total: Option<i64> = q
        .select_only()
        .column_as(sea_orm::sea_query::Expr::cust("CAST(COALESCE(SUM(amount), 0) AS BIGINT)"), "total")
        .into_tuple()
        .one(c)
        .await
        .map_err(unavailable)?;
    Ok(remnabot_domain::Toman(total.unwrap_or(0)))
}
