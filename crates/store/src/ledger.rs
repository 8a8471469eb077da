//! Ledgers: every change of a balance (a tenant's wallet, a customer's balance) is an entry
//! with an idempotency key, written in the same transaction as the balance. Posting the same
//! key twice applies once and returns the first entry.
//!
//! The posting protocol, the same for both ledgers, inside one write transaction:
//! 1. an entry with this key exists: nothing changes, return it (or refuse a different
//!    amount under the same key);
//! 2. lock the balance row (`FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` already serialises);
//! 3. compute the new balance with checked arithmetic and check the floor;
//! 4. write the balance and the entry. A concurrent posting of the same key loses on the
//!    entry's unique index, rolls back, and returns the winner's entry.

use chrono::{DateTime, Utc};
use remnabot_domain::text::LedgerNote;
use remnabot_domain::{Error, Page, Result, Tenant, Toman, UserId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use crate::db::{is_unique_violation, unavailable};
use crate::entity::{bot, user, user_balance_transaction as ubt, wallet_transaction as wt};
use crate::{Store, scope};

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub id: i64,
    /// Positive for a credit, negative for a debit.
    pub amount: Toman,
    pub balance_after: Toman,
    pub kind: String,
    pub description: Option<String>,
    pub idempotency_key: String,
    pub created_at: DateTime<Utc>,
}

/// The outcome of a posting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub entry: LedgerEntry,
    /// False when the key had been posted before and nothing changed now.
    pub newly_applied: bool,
}

/// A balance change to post.
#[derive(Debug, Clone)]
pub struct Posting {
    /// Positive to credit, negative to debit; never zero.
    pub amount: Toman,
    /// What the change is for (`deposit`, `purchase`, `wholesale`, `adjustment`, ...).
    pub kind: String,
    pub description: Option<String>,
    /// Unique per tenant and ledger: the same key never applies twice.
    pub idempotency_key: String,
}

impl Posting {
    /// A credit of a positive `amount`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a non-positive amount.
    pub fn credit(amount: Toman, kind: &str, key: &str) -> Result<Posting> {
        Ok(Posting {
            amount: amount.positive("amount")?,
            kind: kind.to_owned(),
            description: None,
            idempotency_key: key.to_owned(),
        })
    }

    /// A debit of a positive `amount` (stored as a negative entry).
    ///
    /// # Errors
    /// [`Error::Invalid`] for a non-positive amount.
    pub fn debit(amount: Toman, kind: &str, key: &str) -> Result<Posting> {
        let amount = amount.positive("amount")?;
        Ok(Posting {
            amount: Toman(-amount.0),
            kind: kind.to_owned(),
            description: None,
            idempotency_key: key.to_owned(),
        })
    }

    /// Adds a human-readable description.
    pub fn described(mut self, description: impl Into<String>) -> Posting {
        self.description = Some(description.into());
        self
    }

    fn validate(&self) -> Result<()> {
        if self.amount.0 == 0 {
            return Err(Error::invalid("amount", "must not be zero"));
        }
        remnabot_domain::text::check_idempotency_key(&self.idempotency_key)?;
        let kind = &self.kind;
        if kind.is_empty() || kind.len() > 32 || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(Error::invalid("kind", "must be 1 to 32 characters of a-z and `_`"));
        }
        if let Some(d) = &self.description {
            LedgerNote::parse(d)?;
        }
        Ok(())
    }
}

/// The balance row a ledger changes and the table its entries go to.
trait Account {
    /// Locks the balance row and returns `(balance, floor)`.
    async fn lock(&self, tx: &DatabaseTransaction) -> Result<(Toman, Toman)>;
    async fn set_balance(&self, tx: &DatabaseTransaction, balance: Toman) -> Result<()>;
    async fn find<C: ConnectionTrait>(&self, c: &C, key: &str) -> Result<Option<LedgerEntry>>;
    /// Inserts the entry; `Ok(None)` when the key is already taken.
    async fn insert(&self, tx: &DatabaseTransaction, p: &Posting, balance_after: Toman) -> Result<Option<LedgerEntry>>;
}

fn same_posting(existing: LedgerEntry, p: &Posting) -> Result<Posted> {
    if existing.amount != p.amount || existing.kind != p.kind {
        return Err(Error::IdempotencyMismatch { key: p.idempotency_key.clone() });
    }
    Ok(Posted { entry: existing, newly_applied: false })
}

async fn post<A: Account>(store: &Store, account: &A, p: Posting) -> Result<Posted> {
    p.validate()?;
    let tx = store.write_tx().await?;
    if let Some(existing) = account.find(&tx, &p.idempotency_key).await? {
        tx.rollback().await.map_err(unavailable)?;
        return same_posting(existing, &p);
    }
    match apply(&tx, account, &p, Floor::Enforce).await {
        Ok(Some(entry)) => {
            tx.commit().await.map_err(unavailable)?;
            Ok(Posted { entry, newly_applied: true })
        }
        Ok(None) => {
            tx.rollback().await.map_err(unavailable)?;
            let existing = account
                .find(&store.db, &p.idempotency_key)
                .await?
                .ok_or_else(|| Error::Conflict("the ledger entry was posted concurrently; try again".to_owned()))?;
            same_posting(existing, &p)
        }
        Err(e) => {
            tx.rollback().await.map_err(unavailable)?;
            Err(e)
        }
    }
}

/// Whether a debit may go below the account's floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Floor {
    /// Refuse with [`Error::InsufficientBalance`].
    Enforce,
    /// Allow it: for a charge whose sale was checked before payment and must not be lost
    /// once the customer has paid (the tenant's wholesale cost).
    Overdraw,
}

/// Steps 2 to 4 of the protocol; `Ok(None)` when the key was taken concurrently.
async fn apply<A: Account>(
    tx: &DatabaseTransaction,
    account: &A,
    p: &Posting,
    floor_rule: Floor,
) -> Result<Option<LedgerEntry>> {
    let (balance, floor) = account.lock(tx).await?;
    let after = balance.checked_add(p.amount)?;
    if p.amount.0 < 0 && after < floor && floor_rule == Floor::Enforce {
        return Err(Error::InsufficientBalance { balance: balance.checked_sub(floor)?, requested: Toman(-p.amount.0) });
    }
    account.set_balance(tx, after).await?;
    account.insert(tx, p, after).await
}

/// Posts inside the caller's transaction (which must be a write transaction): the same key
/// applies once. A key taken concurrently is a [`Error::Conflict`]; the caller rolls back.
async fn post_in<A: Account>(tx: &DatabaseTransaction, account: &A, p: &Posting, floor: Floor) -> Result<Posted> {
    p.validate()?;
    if let Some(existing) = account.find(tx, &p.idempotency_key).await? {
        return same_posting(existing, p);
    }
    match apply(tx, account, p, floor).await? {
        Some(entry) => Ok(Posted { entry, newly_applied: true }),
        None => Err(Error::Conflict("the ledger entry was posted concurrently; try again".to_owned())),
    }
}

/// Posts to a customer's balance inside the caller's write transaction.
pub(crate) async fn post_balance_in(
    tx: &DatabaseTransaction,
    tenant: &Tenant,
    user: UserId,
    p: &Posting,
) -> Result<Posted> {
    post_in(tx, &UserBalance { tenant, user }, p, Floor::Enforce).await
}

/// Posts to the tenant's wallet inside the caller's write transaction.
pub(crate) async fn post_wallet_in(
    tx: &DatabaseTransaction,
    tenant: &Tenant,
    p: &Posting,
    floor: Floor,
) -> Result<Posted> {
    post_in(tx, &Wallet { tenant }, p, floor).await
}

struct Wallet<'t> {
    tenant: &'t Tenant,
}

impl Account for Wallet<'_> {
    async fn lock(&self, tx: &DatabaseTransaction) -> Result<(Toman, Toman)> {
        let row = bot::Entity::find_by_id(self.tenant.bot_id().0)
            .lock_exclusive()
            .one(tx)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Error::not_found("bot"))?;
        Ok((Toman(row.wallet_balance), Toman(-row.wallet_credit_limit)))
    }

    async fn set_balance(&self, tx: &DatabaseTransaction, balance: Toman) -> Result<()> {
        bot::Entity::update_many()
            .col_expr(bot::Column::WalletBalance, sea_orm::sea_query::Expr::value(balance.0))
            .col_expr(bot::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
            .filter(bot::Column::Id.eq(self.tenant.bot_id().0))
            .exec(tx)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn find<C: ConnectionTrait>(&self, c: &C, key: &str) -> Result<Option<LedgerEntry>> {
        let row = scope::select::<wt::Entity>(self.tenant)
            .filter(wt::Column::IdempotencyKey.eq(key))
            .one(c)
            .await
            .map_err(unavailable)?;
        Ok(row.map(wallet_entry))
    }

    async fn insert(&self, tx: &DatabaseTransaction, p: &Posting, balance_after: Toman) -> Result<Option<LedgerEntry>> {
        let res = wt::ActiveModel {
            bot_id: Set(self.tenant.bot_id().0),
            created_at: Set(Utc::now()),
            amount: Set(p.amount.0),
            balance_after: Set(balance_after.0),
            kind: Set(p.kind.clone()),
            description: Set(p.description.clone()),
            idempotency_key: Set(p.idempotency_key.clone()),
            ..Default::default()
        }
        .insert(tx)
        .await;
        match res {
            Ok(m) => Ok(Some(wallet_entry(m))),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }
}

fn wallet_entry(m: wt::Model) -> LedgerEntry {
    LedgerEntry {
        id: m.id,
        amount: Toman(m.amount),
        balance_after: Toman(m.balance_after),
        kind: m.kind,
        description: m.description,
        idempotency_key: m.idempotency_key,
        created_at: m.created_at,
    }
}

fn balance_entry(m: ubt::Model) -> LedgerEntry {
    LedgerEntry {
        id: m.id,
        amount: Toman(m.amount),
        balance_after: Toman(m.balance_after),
        kind: m.kind,
        description: m.description,
        idempotency_key: m.idempotency_key,
        created_at: m.created_at,
    }
}

struct UserBalance<'t> {
    tenant: &'t Tenant,
    user: UserId,
}

impl Account for UserBalance<'_> {
    async fn lock(&self, tx: &DatabaseTransaction) -> Result<(Toman, Toman)> {
        let row = scope::select::<user::Entity>(self.tenant)
            .filter(user::Column::Id.eq(self.user.0))
            .lock_exclusive()
            .one(tx)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Error::not_found("user"))?;
        // A customer's balance never goes below zero.
        Ok((Toman(row.balance), Toman::ZERO))
    }

    async fn set_balance(&self, tx: &DatabaseTransaction, balance: Toman) -> Result<()> {
        scope::update::<user::Entity>(self.tenant)
            .col_expr(user::Column::Balance, sea_orm::sea_query::Expr::value(balance.0))
            .col_expr(user::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
            .filter(user::Column::Id.eq(self.user.0))
            .exec(tx)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn find<C: ConnectionTrait>(&self, c: &C, key: &str) -> Result<Option<LedgerEntry>> {
        let row = scope::select::<ubt::Entity>(self.tenant)
            .filter(ubt::Column::IdempotencyKey.eq(key))
            .one(c)
            .await
            .map_err(unavailable)?;
        match row {
            Some(m) if m.user_id != self.user.0 => Err(Error::IdempotencyMismatch { key: key.to_owned() }),
            other => Ok(other.map(balance_entry)),
        }
    }

    async fn insert(&self, tx: &DatabaseTransaction, p: &Posting, balance_after: Toman) -> Result<Option<LedgerEntry>> {
        let res = ubt::ActiveModel {
            bot_id: Set(self.tenant.bot_id().0),
            user_id: Set(self.user.0),
            created_at: Set(Utc::now()),
            amount: Set(p.amount.0),
            balance_after: Set(balance_after.0),
            kind: Set(p.kind.clone()),
            description: Set(p.description.clone()),
            idempotency_key: Set(p.idempotency_key.clone()),
            ..Default::default()
        }
        .insert(tx)
        .await;
        match res {
            Ok(m) => Ok(Some(balance_entry(m))),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// Customers' balances: credits, debits and history, all through the ledger.
#[derive(Debug, Clone, Copy)]
pub struct Balances<'a> {
    store: &'a Store,
}

impl Store {
    /// The customer balance ledger.
    pub fn balances(&self) -> Balances<'_> {
        Balances { store: self }
    }
}

impl Balances<'_> {
    /// Posts a change to `user`'s balance. A debit never takes the balance below zero.
    ///
    /// # Errors
    /// [`Error::Invalid`], [`Error::NotFound`] (user of another tenant too),
    /// [`Error::InsufficientBalance`], [`Error::IdempotencyMismatch`].
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id(), user_id = %user, key = %posting.idempotency_key))]
    pub async fn post(&self, tenant: &Tenant, user: UserId, posting: Posting) -> Result<Posted> {
        post(self.store, &UserBalance { tenant, user }, posting).await
    }

    /// The user's entries, newest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn history(&self, tenant: &Tenant, user: UserId, page: Page) -> Result<Vec<LedgerEntry>> {
        let q =
            scope::select::<ubt::Entity>(tenant).filter(ubt::Column::UserId.eq(user.0)).order_by_desc(ubt::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(rows.into_iter().map(balance_entry).collect())
    }
}

/// Posts to the tenant's wallet; used by [`crate::wallet::Wallets`].
#[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id(), key = %posting.idempotency_key))]
pub(crate) async fn post_wallet(store: &Store, tenant: &Tenant, posting: Posting) -> Result<Posted> {
    post(store, &Wallet { tenant }, posting).await
}

/// The tenant's wallet entries, newest first.
pub(crate) async fn wallet_history(store: &Store, tenant: &Tenant, page: Page) -> Result<Vec<LedgerEntry>> {
    let q = scope::select::<wt::Entity>(tenant).order_by_desc(wt::Column::Id);
    let rows = scope::paged(q, page).all(&store.db).await.map_err(unavailable)?;
    Ok(rows.into_iter().map(wallet_entry).collect())
}
