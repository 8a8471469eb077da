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

/// `SELECT ... WHERE bot_id + 0 = tenant`, for a look-up by a key that leads an index of its
/// own (a customer's Telegram id, a customer's rows, a payment's authority or payload; see
/// migration m0013). `+ 0` keeps every index from serving the tenant condition, as SQLite
/// documents for its unary `+` and as holds on PostgreSQL: without table statistics the
/// planner takes `bot_id = X` to match 0.5 % of the rows, so any other index starting with
/// `bot_id` would look as cheap as the key's and could be chosen, reading every row of the
/// tenant. The condition still filters every row the key's index finds.
pub fn select_by_key<E: TenantOwned>(tenant: &Tenant) -> Select<E> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    E::find().filter(Expr::col((E::default(), E::bot_id_col())).add(0).eq(tenant.bot_id().0))
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
