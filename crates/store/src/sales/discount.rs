//! Discount codes priced into orders.
//!
//! A redeemed `discount` promo code is one `promocode_uses` row of the customer: one
//! discounted order. The order that is priced with it **reserves** it (`reserved_by` = the
//! order's key) in the same write transaction that records the order, so no other order of
//! the customer can be priced with it meanwhile; its completion **spends** it
//! (`consumed_at`), and its expiry, rejection or failure **releases** it for the next order.
//! A code's uses therefore never exceed what was redeemed (and so `max_uses`).
//!
//! Pricing reads the customer's free uses (unspent, unreserved) locked (`FOR UPDATE` on
//! PostgreSQL; SQLite's write transaction serialises writers), so of any number of
//! concurrent orders exactly one is priced with a given use; the others see it reserved.
//!
//! A completion whose reservation is gone (another order took the use after this one
//! expired or failed, or the tenant deleted the code) is not discounted: the caller credits
//! the money paid to the balance instead. A completion whose reservation was released but
//! whose use is still free takes it again: that is one discounted order, as redeemed.

use chrono::{DateTime, Utc};
use remnabot_domain::{Result, Tenant, UserId};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::db::unavailable;
use crate::entity::{promocode, promocode_use};
use crate::promos::PromoKind;
use crate::scope;

/// A free discount-code use of a customer and its percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CodeDiscount {
    /// `promocode_uses.id`.
    pub use_id: i64,
    pub percent: u8,
}

/// The customer's unspent, unreserved `discount` code use with the largest percent (the
/// oldest of equals). With `lock`, the candidate rows are locked until the caller's
/// transaction ends, so a concurrent order waits and then sees them reserved.
pub(crate) async fn free_code(
    c: &impl ConnectionTrait,
    tenant: &Tenant,
    user: UserId,
    lock: bool,
) -> Result<Option<CodeDiscount>> {
    let discount_codes = Query::select()
        .column(promocode::Column::Id)
        .from(promocode::Entity)
        .and_where(promocode::Column::BotId.eq(tenant.bot_id().0))
        .and_where(promocode::Column::Kind.eq(PromoKind::Discount.as_str()))
        .to_owned();
    let mut q = scope::select::<promocode_use::Entity>(tenant)
        .filter(promocode_use::Column::UserId.eq(user.0))
        .filter(promocode_use::Column::ConsumedAt.is_null())
        .filter(promocode_use::Column::ReservedBy.is_null())
        .filter(promocode_use::Column::PromocodeId.in_subquery(discount_codes))
        .order_by_asc(promocode_use::Column::Id);
    if lock {
        q = q.lock_exclusive();
    }
    let uses = q.all(c).await.map_err(unavailable)?;
    let mut best: Option<CodeDiscount> = None;
    for u in uses {
        let code = scope::get::<promocode::Entity, _>(c, tenant, u.promocode_id).await?;
        let percent = u8::try_from(code.value.clamp(0, 100)).unwrap_or(0);
        if percent > 0 && best.is_none_or(|b| percent > b.percent) {
            best = Some(CodeDiscount { use_id: u.id, percent });
        }
    }
    Ok(best)
}

/// Reserves the free use `use_id` for the order `key`, in the transaction that records the
/// order (after [`free_code`] locked it). False when it was not free any more.
pub(crate) async fn reserve_in(
    c: &impl ConnectionTrait,
    tenant: &Tenant,
    use_id: i64,
    key: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let res = scope::update::<promocode_use::Entity>(tenant)
        .col_expr(promocode_use::Column::ReservedBy, Expr::value(Some(key.to_owned())))
        .col_expr(promocode_use::Column::ReservedAt, Expr::value(Some(now)))
        .filter(promocode_use::Column::Id.eq(use_id))
        .filter(promocode_use::Column::ConsumedAt.is_null())
        .filter(promocode_use::Column::ReservedBy.is_null())
        .exec(c)
        .await
        .map_err(unavailable)?;
    Ok(res.rows_affected == 1)
}

/// Releases what the order `key` reserved and did not spend (it expired, was rejected or
/// failed), in the caller's transaction. Nothing to release is fine.
pub(crate) async fn release_in(c: &impl ConnectionTrait, tenant: &Tenant, key: &str) -> Result<()> {
    scope::update::<promocode_use::Entity>(tenant)
        .col_expr(promocode_use::Column::ReservedBy, Expr::value(Option::<String>::None))
        .col_expr(promocode_use::Column::ReservedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(promocode_use::Column::ReservedBy.eq(key))
        .filter(promocode_use::Column::ConsumedAt.is_null())
        .exec(c)
        .await
        .map_err(unavailable)?;
    Ok(())
}

/// Spends the use `use_id` for the order `key` as it completes, in the completion's
/// transaction: it must still be reserved by this order, or free (released, and no other
/// order took it). False when it is gone: the order is not discounted.
pub(crate) async fn spend_in(
    c: &impl ConnectionTrait,
    tenant: &Tenant,
    use_id: i64,
    key: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let res = scope::update::<promocode_use::Entity>(tenant)
        .col_expr(promocode_use::Column::ConsumedAt, Expr::value(Some(now)))
        .col_expr(promocode_use::Column::ReservedBy, Expr::value(Some(key.to_owned())))
        .col_expr(promocode_use::Column::ReservedAt, Expr::value(Some(now)))
        .filter(promocode_use::Column::Id.eq(use_id))
        .filter(promocode_use::Column::ConsumedAt.is_null())
        .filter(
            Condition::any()
                .add(promocode_use::Column::ReservedBy.eq(key))
                .add(promocode_use::Column::ReservedBy.is_null()),
        )
        .exec(c)
        .await
        .map_err(unavailable)?;
    Ok(res.rows_affected == 1)
}
