//! Redeeming a promo code together with its effect, in one write transaction: the use is
//! recorded (once per customer, under the code's usage cap and validity window) and, in the
//! same transaction, the balance is credited through the ledger (`balance`), the current
//! subscription is extended and its provisioning queued (`days`), or the discount is left
//! waiting for the next paid order (`discount`: reserved by the order it prices and spent by
//! its completion, see `sales::discount`). A crash can
//! therefore never record a use without its effect, nor apply an effect twice.
//!
//! Guessing is limited: a customer whose codes were refused [`attempts::MAX_FAILURES`] times
//! within an hour is refused every code until that hour is over ([`Redemption::Throttled`]).
//!
//! [`crate::promos::PromoCodes::redeem`] records the use alone and commits; applying an effect
//! after it would leave a window where a use exists without its effect. This module repeats
//! its checks inside the transaction that also applies the effect instead.

use chrono::{DateTime, Utc};
use remnabot_domain::limits;
use remnabot_domain::{Error, PromoCodeId, Result, SubscriptionId, Tenant, Toman, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::db::{is_unique_violation, unavailable};
use crate::entity::{promocode, promocode_use, subscription, user as customer};
use crate::ledger::{Posting, post_balance_in};
use crate::outbox::{ProvisionReason, extension_start};
use crate::promos::{PromoKind, normalize_code};
use crate::subscriptions::SubscriptionStatus;
use crate::{Store, scope};

pub mod attempts;

/// What a redeemed code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromoEffect {
    /// `amount` was credited; the balance is now `balance_after`.
    Balance { amount: Toman, balance_after: Toman },
    /// The subscription was extended by `days` to `expires_at`; the panel is updated through
    /// the provisioning outbox.
    Days { days: u32, subscription: SubscriptionId, expires_at: DateTime<Utc> },
    /// `percent` off the customer's next paid order.
    Discount { percent: u8 },
}

/// Why a code was not redeemed. Nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoRefusal {
    /// This tenant has no such code (or it is not a well-formed code at all).
    Unknown,
    /// The tenant switched the code off.
    Inactive,
    /// Its validity window has not started.
    NotYetValid,
    /// Its validity window is over.
    Expired,
    /// It has been used `max_uses` times.
    UsedUp,
    /// This customer has used it before.
    AlreadyUsed,
    /// A `days` code, but the customer has no subscription to extend.
    NoSubscription,
}

/// The outcome of [`PromoRedemptions::redeem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// The code `code` (id `id`) was used and its effect applied.
    Applied { id: PromoCodeId, code: String, effect: PromoEffect },
    /// The code was refused; nothing changed but the customer's count of refused codes
    /// (unless it was [`PromoRefusal::AlreadyUsed`]).
    Refused(PromoRefusal),
    /// The customer's codes were refused too often lately: the code was not looked at, and
    /// they may try again at `retry_at`.
    Throttled { retry_at: DateTime<Utc> },
}

/// The idempotency key of a code's effect for one customer, in the balance ledger and in
/// the provisioning outbox.
pub fn effect_key(code: PromoCodeId, user: UserId) -> String {
    format!("promo:{code}:{user}")
}

/// Redeeming promo codes with their effects.
#[derive(Debug, Clone, Copy)]
pub struct PromoRedemptions<'a> {
    store: &'a Store,
}

impl Store {
    /// Redeeming promo codes with their effects.
    pub fn promo_redemptions(&self) -> PromoRedemptions<'_> {
        PromoRedemptions { store: self }
    }
}

/// Reports a refusal: counts it against the (locked) customer and commits only that; a code
/// the customer redeemed before is one they know, not a guess, and is not counted.
async fn refuse(
    tx: DatabaseTransaction,
    tenant: &Tenant,
    customer: &customer::Model,
    why: PromoRefusal,
    now: DateTime<Utc>,
) -> Result<Redemption> {
    if why == PromoRefusal::AlreadyUsed {
        tx.rollback().await.map_err(unavailable)?;
    } else {
        attempts::record_failure(&tx, tenant, customer, now).await?;
        tx.commit().await.map_err(unavailable)?;
    }
    Ok(Redemption::Refused(why))
}

impl PromoRedemptions<'_> {
    /// Redeems `code` (any case) for the customer `user` at `now` and applies its effect, in
    /// one write transaction. Exactly once under concurrency: the usage counter moves only
    /// while under `max_uses` (the row lock orders concurrent redeemers), and the unique use
    /// per customer refuses a second redemption, also a concurrent one. A customer with too
    /// many refused codes lately is [`Redemption::Throttled`] (see [`attempts`]).
    ///
    /// # Errors
    /// [`Error::NotFound`] (`user`) for a customer of another tenant; [`Error::Invalid`] when
    /// the code's value no longer fits its kind; [`Error::Unavailable`].
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id(), user_id = %user))]
    pub async fn redeem(&self, tenant: &Tenant, code: &str, user: UserId, now: DateTime<Utc>) -> Result<Redemption> {
        let tx = self.store.write_tx().await?;
        // The customer's row first, locked: their concurrent attempts queue here, so each
        // refusal is counted before the next attempt is judged.
        let found = scope::select::<customer::Entity>(tenant)
            .filter(customer::Column::Id.eq(user.0))
            .lock_exclusive()
            .one(&tx)
            .await
            .map_err(unavailable)?;
        let Some(who) = found else {
            tx.rollback().await.map_err(unavailable)?;
            return Err(Error::not_found("user"));
        };
        if let Some(retry_at) = attempts::locked_until(&who, now) {
            tx.rollback().await.map_err(unavailable)?;
            return Ok(Redemption::Throttled { retry_at });
        }
        let Ok(code) = normalize_code(code) else {
            return refuse(tx, tenant, &who, PromoRefusal::Unknown, now).await;
        };
        let found = scope::select::<promocode::Entity>(tenant)
            .filter(promocode::Column::Code.eq(code))
            .one(&tx)
            .await
            .map_err(unavailable)?;
        let Some(promo) = found else { return refuse(tx, tenant, &who, PromoRefusal::Unknown, now).await };
        if !promo.is_active {
            return refuse(tx, tenant, &who, PromoRefusal::Inactive, now).await;
        }
        if promo.valid_from.is_some_and(|from| now < from) {
            return refuse(tx, tenant, &who, PromoRefusal::NotYetValid, now).await;
        }
        if promo.valid_until.is_some_and(|until| now >= until) {
            return refuse(tx, tenant, &who, PromoRefusal::Expired, now).await;
        }
        let used = scope::select::<promocode_use::Entity>(tenant)
            .filter(promocode_use::Column::PromocodeId.eq(promo.id))
            .filter(promocode_use::Column::UserId.eq(user.0))
            .one(&tx)
            .await
            .map_err(unavailable)?;
        if used.is_some() {
            return refuse(tx, tenant, &who, PromoRefusal::AlreadyUsed, now).await;
        }
        let kind = PromoKind::parse(&promo.kind)?;
        // A `days` code needs a subscription; checked before anything is written.
        let current = if kind == PromoKind::Days {
            let row = scope::select::<subscription::Entity>(tenant)
                .filter(subscription::Column::UserId.eq(user.0))
                .order_by_desc(subscription::Column::ExpiresAt)
                .order_by_desc(subscription::Column::Id)
                .lock_exclusive()
                .one(&tx)
                .await
                .map_err(unavailable)?;
            match row {
                Some(row) => Some(row),
                None => return refuse(tx, tenant, &who, PromoRefusal::NoSubscription, now).await,
            }
        } else {
            None
        };
        // The conditional update takes the code's row lock first, so concurrent redeemers
        // queue here and each sees the count the previous one left.
        let bumped = scope::update::<promocode::Entity>(tenant)
            .col_expr(promocode::Column::UsesCount, Expr::col(promocode::Column::UsesCount).add(1))
            .filter(promocode::Column::Id.eq(promo.id))
            .filter(promocode::Column::IsActive.eq(true))
            .filter(
                Condition::any()
                    .add(promocode::Column::MaxUses.eq(0))
                    .add(Expr::col(promocode::Column::UsesCount).lt(Expr::col(promocode::Column::MaxUses))),
            )
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        if bumped.rows_affected == 0 {
            return refuse(tx, tenant, &who, PromoRefusal::UsedUp, now).await;
        }
        let inserted = promocode_use::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(now),
            promocode_id: Set(promo.id),
            user_id: Set(user.0),
            ..Default::default()
        }
        .insert(&tx)
        .await;
        match inserted {
            Ok(_) => {}
            // The same customer redeemed concurrently and won (the customer's row lock makes
            // this rare); not counted, and on PostgreSQL the failed insert ended the
            // transaction anyway.
            Err(e) if is_unique_violation(&e) => return refuse(tx, tenant, &who, PromoRefusal::AlreadyUsed, now).await,
            Err(e) => return Err(crate::db::map_write(e, String::new, "user")),
        }
        let id = PromoCodeId(promo.id);
        let key = effect_key(id, user);
        let effect = match kind {
            PromoKind::Balance => {
                let amount = Toman(promo.value);
                let posting = Posting::credit(amount, "promo", &key)?.described(format!("promo code {}", promo.code));
                let posted = post_balance_in(&tx, tenant, user, &posting).await?;
                PromoEffect::Balance { amount, balance_after: posted.entry.balance_after }
            }
            PromoKind::Days => {
                let days = u32::try_from(promo.value)
                    .ok()
                    .filter(|d| (1..=3650).contains(d))
                    .ok_or_else(|| Error::invalid("value", "must be 1 to 3650 days"))?;
                let sub = current.ok_or_else(|| Error::not_found("subscription"))?;
                extend_in(self.store, &tx, tenant, sub, days, &key, now).await?
            }
            PromoKind::Discount => {
                let percent = u8::try_from(promo.value)
                    .ok()
                    .filter(|p| (1..=100).contains(p))
                    .ok_or_else(|| Error::invalid("value", "must be a discount of 1 to 100 percent"))?;
                PromoEffect::Discount { percent }
            }
        };
        tx.commit().await.map_err(unavailable)?;
        Ok(Redemption::Applied { id, code: promo.code, effect })
    }
}

/// Extends the (locked) subscription by `days` the way a renewal does (from its expiry while
/// it runs, from `now` once expired) and queues it for the panel under `key`.
async fn extend_in(
    store: &Store,
    tx: &DatabaseTransaction,
    tenant: &Tenant,
    sub: subscription::Model,
    days: u32,
    key: &str,
    now: DateTime<Utc>,
) -> Result<PromoEffect> {
    let expires_at = limits::add_days("days", extension_start(sub.expires_at, now), i64::from(days))?;
    let status = if sub.is_trial { SubscriptionStatus::Trial } else { SubscriptionStatus::Active };
    let id = SubscriptionId(sub.id);
    let mut changed: subscription::ActiveModel = sub.into();
    changed.expires_at = Set(expires_at);
    changed.status = Set(status.as_str().to_owned());
    changed.updated_at = Set(now);
    changed.update(tx).await.map_err(unavailable)?;
    let queued =
        store.provisioning().enqueue_entry(tx, tenant, id.0, ProvisionReason::Adjustment, false, key, now).await?;
    if queued.is_none() {
        // The use row is unique per customer, so the key is new; a clash means the same
        // effect is being applied concurrently, and this transaction rolls back.
        return Err(Error::Conflict("this promo code is being applied already; try again".to_owned()));
    }
    Ok(PromoEffect::Days { days, subscription: id, expires_at })
}
