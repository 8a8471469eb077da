//! Customers' money transactions (deposits, purchases, refunds, rewards) as records with a
//! completion flag. Balances themselves move through the ledger, not here.

use chrono::{DateTime, Utc};
#[cfg(doc)]
use remnabot_domain::Error;
use remnabot_domain::{Page, PlanId, Result, Tenant, Toman, TransactionId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::db::{map_write, unavailable};
use crate::entity::transaction;
use crate::subscriptions::str_enum;
use crate::users::optional_text;
use crate::{Store, scope};

str_enum!(
    /// What a transaction is for. Amounts are always positive; the kind gives the direction.
    TransactionKind, "kind" {
        Deposit => "deposit",
        Purchase => "purchase",
        Renewal => "renewal",
        Refund => "refund",
        Withdrawal => "withdrawal",
        ReferralReward => "referral_reward",
        PromoBonus => "promo_bonus",
    }
);

/// A money transaction of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    pub id: TransactionId,
    pub user_id: UserId,
    pub kind: TransactionKind,
    pub amount: Toman,
    pub payment_method: Option<String>,
    pub description: Option<String>,
    pub external_id: Option<String>,
    pub is_completed: bool,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The plan sold, for a purchase or renewal.
    pub plan_id: Option<PlanId>,
}

/// What recording a transaction needs.
#[derive(Debug, Clone)]
pub struct NewTransaction {
    pub user: UserId,
    pub kind: TransactionKind,
    /// Strictly positive.
    pub amount: Toman,
    /// For example `card_to_card`, `zarinpal`, `balance` (at most 32 characters).
    pub payment_method: Option<String>,
    pub description: Option<String>,
    /// The payment provider's reference (at most 255 characters).
    pub external_id: Option<String>,
    /// Record it as already completed (`completed_at` = now).
    pub completed: bool,
    /// The plan sold, for a purchase or renewal (sales per plan are counted by it).
    pub plan: Option<PlanId>,
}

pub(crate) fn to_transaction(m: transaction::Model) -> Result<Transaction> {
    Ok(Transaction {
        id: TransactionId(m.id),
        user_id: UserId(m.user_id),
        kind: TransactionKind::parse(&m.kind)?,
        amount: Toman(m.amount),
        payment_method: m.payment_method,
        description: m.description,
        external_id: m.external_id,
        is_completed: m.is_completed,
        created_at: m.created_at,
        completed_at: m.completed_at,
        plan_id: m.plan_id.map(PlanId),
    })
}

/// The transactions repository.
#[derive(Debug, Clone, Copy)]
pub struct Transactions<'a> {
    store: &'a Store,
}

impl Store {
    /// The transactions repository.
    pub fn transactions(&self) -> Transactions<'_> {
        Transactions { store: self }
    }
}

impl Transactions<'_> {
    /// Records a transaction of a customer of this tenant.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field (`amount` not positive, or negative for a purchase or
    /// renewal, which may be free; `payment_method`,
    /// `description` or `external_id` too long); [`Error::NotFound`] (`user`) when the
    /// customer is not this tenant's; [`Error::Unavailable`].
    pub async fn create(&self, tenant: &Tenant, new: NewTransaction) -> Result<Transaction> {
        insert_in(&self.store.db, tenant, new).await
    }

    /// The transaction `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's), [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, id: TransactionId) -> Result<Transaction> {
        to_transaction(scope::get::<transaction::Entity, _>(&self.store.db, tenant, id.0).await?)
    }

    /// A page of this tenant's transactions (of one customer when `user` is given), newest
    /// first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant, user: Option<UserId>, page: Page) -> Result<Vec<Transaction>> {
        let mut q = scope::select::<transaction::Entity>(tenant);
        if let Some(u) = user {
            q = q.filter(transaction::Column::UserId.eq(u.0));
        }
        let rows = scope::paged(q.order_by_desc(transaction::Column::Id), page)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        rows.into_iter().map(to_transaction).collect()
    }

    /// Marks the transaction completed. Atomic: returns `true` only for the call that
    /// completed it, `false` when it already was.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn complete(&self, tenant: &Tenant, id: TransactionId) -> Result<bool> {
        let res = scope::update::<transaction::Entity>(tenant)
            .col_expr(transaction::Column::IsCompleted, Expr::value(true))
            .col_expr(transaction::Column::CompletedAt, Expr::value(Some(Utc::now())))
            .filter(transaction::Column::Id.eq(id.0))
            .filter(transaction::Column::IsCompleted.eq(false))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected > 0 {
            return Ok(true);
        }
        scope::get::<transaction::Entity, _>(&self.store.db, tenant, id.0).await?;
        Ok(false)
    }

    /// The sum of this tenant's completed transactions of `kind`.
    ///
    /// # Errors
    /// [`Error::Unavailable`] (also when the sum overflows 64 bits).
    pub async fn total_completed(&self, tenant: &Tenant, kind: TransactionKind) -> Result<Toman> {
        let q = scope::select::<transaction::Entity>(tenant)
            .filter(transaction::Column::Kind.eq(kind.as_str()))
            .filter(transaction::Column::IsCompleted.eq(true));
        scope::sum_amount(&self.store.db, q).await
    }
}

/// Records a transaction through `c` (the store's pool or a caller's transaction).
pub(crate) async fn insert_in(
    c: &impl sea_orm::ConnectionTrait,
    tenant: &Tenant,
    new: NewTransaction,
) -> Result<Transaction> {
    let amount = match new.kind {
        // A purchase or renewal discounted to nothing is still a sale on record.
        TransactionKind::Purchase | TransactionKind::Renewal if new.amount == Toman::ZERO => new.amount,
        _ => new.amount.positive("amount")?,
    };
    let payment_method = optional_text("payment_method", new.payment_method, 32)?;
    let description = optional_text("description", new.description, 4096)?;
    let external_id = optional_text("external_id", new.external_id, 255)?;
    let now = Utc::now();
    let m = transaction::ActiveModel {
        bot_id: Set(tenant.bot_id().0),
        created_at: Set(now),
        user_id: Set(new.user.0),
        kind: Set(new.kind.as_str().to_owned()),
        amount: Set(amount.0),
        payment_method: Set(payment_method),
        description: Set(description),
        external_id: Set(external_id),
        is_completed: Set(new.completed),
        completed_at: Set(new.completed.then_some(now)),
        plan_id: Set(new.plan.map(|p| p.0)),
        ..Default::default()
    }
    .insert(c)
    .await
    .map_err(|e| map_write(e, || "this transaction already exists".to_owned(), "user"))?;
    to_transaction(m)
}
