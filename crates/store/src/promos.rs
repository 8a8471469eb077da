//! Promotions: promo groups (a standing discount for the customers in them), promo codes
//! (redeemed once per customer, with a usage cap and a validity window) and the record of
//! referral earnings.

use chrono::{DateTime, Utc};
use remnabot_domain::limits;
use remnabot_domain::{Error, Page, PromoCodeId, PromoGroupId, Result, Tenant, Toman, TransactionId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::db::{is_unique_violation, map_write, unavailable};
use crate::entity::{promo_group, promocode, promocode_use, referral_earning, transaction, user};
use crate::subscriptions::str_enum;
use crate::{Store, scope};

// ---------------------------------------------------------------------------------------
// Promo groups
// ---------------------------------------------------------------------------------------

/// A promo group: customers in it get `discount_percent` off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromoGroup {
    pub id: PromoGroupId,
    pub name: String,
    pub discount_percent: u32,
    pub created_at: DateTime<Utc>,
}

/// The fields of a promo group, for creating or replacing one.
#[derive(Debug, Clone)]
pub struct PromoGroupSpec {
    /// 1 to 255 characters, unique within the tenant.
    pub name: String,
    /// 0 to 100.
    pub discount_percent: u32,
}

impl PromoGroupSpec {
    fn validate(&self) -> Result<String> {
        let name = remnabot_domain::text::PromoGroupName::parse(&self.name)?.into_string();
        if self.discount_percent > 100 {
            return Err(Error::invalid("discount_percent", "must be between 0 and 100"));
        }
        Ok(name)
    }
}

fn to_group(m: promo_group::Model) -> PromoGroup {
    PromoGroup {
        id: PromoGroupId(m.id),
        name: m.name,
        discount_percent: u32::try_from(m.discount_percent).unwrap_or(0),
        created_at: m.created_at,
    }
}

fn duplicate_group(name: &str) -> String {
    format!("this tenant already has a promo group named {name}")
}

/// The promo groups repository.
#[derive(Debug, Clone, Copy)]
pub struct PromoGroups<'a> {
    store: &'a Store,
}

impl Store {
    /// The promo groups repository.
    pub fn promo_groups(&self) -> PromoGroups<'_> {
        PromoGroups { store: self }
    }

    /// The promo codes repository.
    pub fn promo_codes(&self) -> PromoCodes<'_> {
        PromoCodes { store: self }
    }

    /// The referral earnings repository.
    pub fn referral_earnings(&self) -> ReferralEarnings<'_> {
        ReferralEarnings { store: self }
    }
}

impl PromoGroups<'_> {
    /// Creates a promo group.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field; [`Error::Conflict`] when this tenant already has a
    /// group of that name; [`Error::Unavailable`].
    pub async fn create(&self, tenant: &Tenant, spec: PromoGroupSpec) -> Result<PromoGroup> {
        let name = spec.validate()?;
        promo_group::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(Utc::now()),
            name: Set(name.clone()),
            discount_percent: Set(spec.discount_percent as i32),
            ..Default::default()
        }
        .insert(&self.store.db)
        .await
        .map(to_group)
        .map_err(|e| map_write(e, || duplicate_group(&name), "bot"))
    }

    /// The promo group `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's), [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, id: PromoGroupId) -> Result<PromoGroup> {
        scope::get::<promo_group::Entity, _>(&self.store.db, tenant, id.0).await.map(to_group)
    }

    /// A page of this tenant's promo groups, by name.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant, page: Page) -> Result<Vec<PromoGroup>> {
        let q = scope::select::<promo_group::Entity>(tenant)
            .order_by_asc(promo_group::Column::Name)
            .order_by_asc(promo_group::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(rows.into_iter().map(to_group).collect())
    }

    /// How many promo groups the tenant has.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn count(&self, tenant: &Tenant) -> Result<u64> {
        scope::count::<promo_group::Entity, _>(&self.store.db, tenant).await
    }

    /// Replaces the group's name and discount.
    ///
    /// # Errors
    /// [`Error::Invalid`], [`Error::NotFound`], [`Error::Conflict`] (duplicate name),
    /// [`Error::Unavailable`].
    pub async fn update(&self, tenant: &Tenant, id: PromoGroupId, spec: PromoGroupSpec) -> Result<PromoGroup> {
        let name = spec.validate()?;
        let res = scope::update::<promo_group::Entity>(tenant)
            .col_expr(promo_group::Column::Name, Expr::value(name.clone()))
            .col_expr(promo_group::Column::DiscountPercent, Expr::value(spec.discount_percent as i32))
            .filter(promo_group::Column::Id.eq(id.0))
            .exec(&self.store.db)
            .await
            .map_err(|e| map_write(e, || duplicate_group(&name), "bot"))?;
        if res.rows_affected == 0 {
            return Err(Error::not_found("promo group"));
        }
        self.get(tenant, id).await
    }

    /// Deletes the group. Its customers stay, outside any group.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn delete(&self, tenant: &Tenant, id: PromoGroupId) -> Result<()> {
        let tx = self.store.write_tx().await?;
        // The same-tenant foreign key cascades, so members are detached first: deleting a
        // group must never delete customers.
        scope::update::<user::Entity>(tenant)
            .col_expr(user::Column::PromoGroupId, Expr::value(Option::<i64>::None))
            .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(user::Column::PromoGroupId.eq(id.0))
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        scope::delete_by_id::<promo_group::Entity, _>(&tx, tenant, id.0).await?;
        tx.commit().await.map_err(unavailable)
    }
}

// ---------------------------------------------------------------------------------------
// Promo codes
// ---------------------------------------------------------------------------------------

str_enum!(
    /// What a promo code gives.
    PromoKind, "kind" {
        /// `value` Toman of balance.
        Balance => "balance",
        /// `value` days of subscription.
        Days => "days",
        /// `value` percent off (1 to 100).
        Discount => "discount",
    }
);

/// A promo code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromoCode {
    pub id: PromoCodeId,
    /// Upper case, 3 to 64 characters of `A-Z`, `0-9`, `_`, `-`.
    pub code: String,
    pub kind: PromoKind,
    /// Toman for `balance`, days for `days`, percent for `discount`.
    pub value: i64,
    /// 0 means unlimited.
    pub max_uses: u32,
    pub uses_count: u32,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

/// The fields of a new promo code.
#[derive(Debug, Clone)]
pub struct PromoCodeSpec {
    /// Normalised to upper case.
    pub code: String,
    pub kind: PromoKind,
    pub value: i64,
    /// 0 means unlimited.
    pub max_uses: u32,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

/// The code in its stored form.
///
/// # Errors
/// [`Error::Invalid`] (`code`) unless it is 3 to 64 characters of `A-Z`, `0-9`, `_`, `-`.
pub fn normalize_code(code: &str) -> Result<String> {
    let code = code.trim().to_ascii_uppercase();
    let ok_chars = code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !(3..=64).contains(&code.len()) || !ok_chars {
        return Err(Error::invalid("code", "must be 3 to 64 characters of A-Z, 0-9, `_` and `-`"));
    }
    Ok(code)
}

/// The JSON Schema of a promo code as it is created: 3 to 64 characters of `A-Z`, `a-z`,
/// `0-9`, `_`, `-` (stored in upper case).
pub fn code_schema() -> serde_json::Value {
    serde_json::json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{3,64}$"})
}

impl PromoCodeSpec {
    fn validate(&self) -> Result<String> {
        // Created codes are taken as given (a customer's typed code is trimmed when redeemed).
        if self.code.trim() != self.code {
            return Err(Error::invalid("code", "must be 3 to 64 characters of A-Z, 0-9, `_` and `-`"));
        }
        let code = normalize_code(&self.code)?;
        match self.kind {
            PromoKind::Balance => limits::check("value", self.value, limits::AMOUNT).map(|_| ()),
            PromoKind::Days => limits::check("value", self.value, limits::EXTEND_DAYS).map(|_| ()),
            PromoKind::Discount => limits::check("value", self.value, limits::DISCOUNT_PERCENT).map(|_| ()),
        }?;
        limits::check_u32("max_uses", self.max_uses, limits::PROMO_USES)?;
        if let (Some(from), Some(until)) = (self.valid_from, self.valid_until)
            && until <= from
        {
            return Err(Error::invalid("valid_until", "must be after valid_from"));
        }
        Ok(code)
    }
}

fn to_code(m: promocode::Model) -> Result<PromoCode> {
    Ok(PromoCode {
        id: PromoCodeId(m.id),
        code: m.code,
        kind: PromoKind::parse(&m.kind)?,
        value: m.value,
        max_uses: u32::try_from(m.max_uses).unwrap_or(0),
        uses_count: u32::try_from(m.uses_count).unwrap_or(0),
        valid_from: m.valid_from,
        valid_until: m.valid_until,
        is_active: m.is_active,
        created_at: m.created_at,
    })
}

const ALREADY_USED: &str = "you have already used this promo code";
const LIMIT_REACHED: &str = "this promo code has reached its usage limit";

/// The promo codes repository.
#[derive(Debug, Clone, Copy)]
pub struct PromoCodes<'a> {
    store: &'a Store,
}

impl PromoCodes<'_> {
    /// Creates an active promo code.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field; [`Error::Conflict`] when this tenant already has
    /// the code; [`Error::Unavailable`].
    pub async fn create(&self, tenant: &Tenant, spec: PromoCodeSpec) -> Result<PromoCode> {
        let code = spec.validate()?;
        let m = promocode::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(Utc::now()),
            code: Set(code.clone()),
            kind: Set(spec.kind.as_str().to_owned()),
            value: Set(spec.value),
            max_uses: Set(spec.max_uses as i32),
            uses_count: Set(0),
            valid_from: Set(spec.valid_from),
            valid_until: Set(spec.valid_until),
            is_active: Set(true),
            ..Default::default()
        }
        .insert(&self.store.db)
        .await
        .map_err(|e| map_write(e, || format!("this tenant already has promo code {code}"), "bot"))?;
        to_code(m)
    }

    /// The promo code `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's), [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, id: PromoCodeId) -> Result<PromoCode> {
        to_code(scope::get::<promocode::Entity, _>(&self.store.db, tenant, id.0).await?)
    }

    /// The promo code spelled `code` (any case), if this tenant has it.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn by_code(&self, tenant: &Tenant, code: &str) -> Result<Option<PromoCode>> {
        let Ok(code) = normalize_code(code) else {
            return Ok(None);
        };
        let row = scope::select::<promocode::Entity>(tenant)
            .filter(promocode::Column::Code.eq(code))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        row.map(to_code).transpose()
    }

    /// A page of this tenant's promo codes, newest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant, page: Page) -> Result<Vec<PromoCode>> {
        let q = scope::select::<promocode::Entity>(tenant).order_by_desc(promocode::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        rows.into_iter().map(to_code).collect()
    }

    /// How many promo codes the tenant has.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn count(&self, tenant: &Tenant) -> Result<u64> {
        scope::count::<promocode::Entity, _>(&self.store.db, tenant).await
    }

    /// Activates or deactivates the code.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn set_active(&self, tenant: &Tenant, id: PromoCodeId, active: bool) -> Result<PromoCode> {
        let res = scope::update::<promocode::Entity>(tenant)
            .col_expr(promocode::Column::IsActive, Expr::value(active))
            .filter(promocode::Column::Id.eq(id.0))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            return Err(Error::not_found("promo code"));
        }
        self.get(tenant, id).await
    }

    /// Deletes the code and its record of uses.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn delete(&self, tenant: &Tenant, id: PromoCodeId) -> Result<()> {
        scope::delete_by_id::<promocode::Entity, _>(&self.store.db, tenant, id.0).await
    }

    /// Redeems `code` for the customer `user` at `now` and returns the code as it is after
    /// this use. Exactly-once under concurrency, in one write transaction: the use is
    /// recorded (once per customer) and the counter is bumped only while under `max_uses`;
    /// otherwise nothing is written. Applying the promo's effect is the caller's job.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`promo code`) for an unknown code, (`user`) for a customer of
    /// another tenant; [`Error::Conflict`] when the code is inactive, not valid yet, expired,
    /// used up, or already used by this customer; [`Error::Unavailable`].
    pub async fn redeem(&self, tenant: &Tenant, code: &str, user: UserId, now: DateTime<Utc>) -> Result<PromoCode> {
        let code = normalize_code(code).map_err(|_| Error::not_found("promo code"))?;
        let tx = self.store.write_tx().await?;
        let promo = scope::select::<promocode::Entity>(tenant)
            .filter(promocode::Column::Code.eq(code))
            .one(&tx)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Error::not_found("promo code"))?;
        if !promo.is_active {
            return Err(Error::Conflict("this promo code is not active".to_owned()));
        }
        if promo.valid_from.is_some_and(|from| now < from) {
            return Err(Error::Conflict("this promo code is not valid yet".to_owned()));
        }
        if promo.valid_until.is_some_and(|until| now >= until) {
            return Err(Error::Conflict("this promo code has expired".to_owned()));
        }
        if promo.max_uses > 0 && promo.uses_count >= promo.max_uses {
            return Err(Error::Conflict(LIMIT_REACHED.to_owned()));
        }
        promocode_use::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(now),
            promocode_id: Set(promo.id),
            user_id: Set(user.0),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .map_err(|e| map_write(e, || ALREADY_USED.to_owned(), "user"))?;
        let res = scope::update::<promocode::Entity>(tenant)
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
        if res.rows_affected == 0 {
            // Used up: undo the recorded use.
            tx.rollback().await.map_err(unavailable)?;
            return Err(Error::Conflict(LIMIT_REACHED.to_owned()));
        }
        let after = scope::get::<promocode::Entity, _>(&tx, tenant, promo.id).await?;
        tx.commit().await.map_err(unavailable)?;
        to_code(after)
    }

    /// Whether the customer has redeemed the code.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn used_by(&self, tenant: &Tenant, id: PromoCodeId, user: UserId) -> Result<bool> {
        let row = scope::select::<promocode_use::Entity>(tenant)
            .filter(promocode_use::Column::PromocodeId.eq(id.0))
            .filter(promocode_use::Column::UserId.eq(user.0))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(row.is_some())
    }
}

// ---------------------------------------------------------------------------------------
// Referral earnings
// ---------------------------------------------------------------------------------------

/// What a referrer earned from one of their referrals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralEarning {
    pub id: i64,
    pub referrer_id: UserId,
    pub referred_id: UserId,
    pub amount: Toman,
    pub source_transaction: Option<TransactionId>,
    pub created_at: DateTime<Utc>,
}

fn to_earning(m: referral_earning::Model) -> ReferralEarning {
    ReferralEarning {
        id: m.id,
        referrer_id: UserId(m.referrer_id),
        referred_id: UserId(m.referred_id),
        amount: Toman(m.amount),
        source_transaction: m.source_transaction_id.map(TransactionId),
        created_at: m.created_at,
    }
}

/// The referral earnings repository.
#[derive(Debug, Clone, Copy)]
pub struct ReferralEarnings<'a> {
    store: &'a Store,
}

impl ReferralEarnings<'_> {
    /// Records an earning of `referrer` from `referred`. At most one earning per referrer and
    /// source transaction: a repeat returns `Ok(false)` and writes nothing. (Earnings without
    /// a source transaction are never deduplicated.)
    ///
    /// # Errors
    /// [`Error::Invalid`] (`amount` not positive, `referred` equal to `referrer`);
    /// [`Error::NotFound`] (`user` or `transaction`) for a reference outside this tenant;
    /// [`Error::Unavailable`].
    pub async fn record(
        &self,
        tenant: &Tenant,
        referrer: UserId,
        referred: UserId,
        amount: Toman,
        source_transaction: Option<TransactionId>,
    ) -> Result<bool> {
        let amount = amount.positive("amount")?;
        if referrer == referred {
            return Err(Error::invalid("referred", "cannot be the referrer"));
        }
        let inserted = referral_earning::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(Utc::now()),
            referrer_id: Set(referrer.0),
            referred_id: Set(referred.0),
            amount: Set(amount.0),
            source_transaction_id: Set(source_transaction.map(|t| t.0)),
            ..Default::default()
        }
        .insert(&self.store.db)
        .await;
        match inserted {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => {
                let err = map_write(e, String::new, "user");
                if matches!(err, Error::NotFound { .. })
                    && let Some(t) = source_transaction
                    && scope::get::<transaction::Entity, _>(&self.store.db, tenant, t.0).await.is_err()
                {
                    return Err(Error::not_found("transaction"));
                }
                Err(err)
            }
        }
    }

    /// A page of the referrer's earnings, newest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list_for_referrer(
        &self,
        tenant: &Tenant,
        referrer: UserId,
        page: Page,
    ) -> Result<Vec<ReferralEarning>> {
        let q = scope::select::<referral_earning::Entity>(tenant)
            .filter(referral_earning::Column::ReferrerId.eq(referrer.0))
            .order_by_desc(referral_earning::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(rows.into_iter().map(to_earning).collect())
    }

    /// Everything the referrer has earned.
    ///
    /// # Errors
    /// [`Error::Unavailable`] (also when the sum overflows 64 bits).
    pub async fn total_for_referrer(&self, tenant: &Tenant, referrer: UserId) -> Result<Toman> {
        let q = scope::select::<referral_earning::Entity>(tenant)
            .filter(referral_earning::Column::ReferrerId.eq(referrer.0));
        scope::sum_amount(&self.store.db, q).await
    }
}
