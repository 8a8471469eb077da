//! The tenant's wallet with the operator: balance, credits and debits through the ledger,
//! and the traffic the tenant consumed and sold.

use remnabot_domain::{Error, Page, Result, Tenant, Toman};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use crate::Store;
use crate::db::unavailable;
use crate::entity::bot;
use crate::ledger::{LedgerEntry, Posted, Posting, post_wallet, wallet_history};

/// Traffic totals of a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrafficStats {
    pub consumed_bytes: i64,
    pub sold_bytes: i64,
    /// Sold minus consumed (negative when customers used more than was sold).
    pub margin_bytes: i64,
    /// Consumed as a share of sold, in percent; `None` when nothing was sold.
    pub utilisation_percent: Option<f64>,
}

/// The wallet service.
#[derive(Debug, Clone, Copy)]
pub struct Wallets<'a> {
    store: &'a Store,
}

impl Store {
    /// The tenant wallet service.
    pub fn wallets(&self) -> Wallets<'_> {
        Wallets { store: self }
    }
}

impl Wallets<'_> {
    async fn row(&self, tenant: &Tenant) -> Result<bot::Model> {
        bot::Entity::find_by_id(tenant.bot_id().0)
            .one(&self.store.db)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Error::not_found("bot"))
    }

    /// The wallet balance.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn balance(&self, tenant: &Tenant) -> Result<Toman> {
        Ok(Toman(self.row(tenant).await?.wallet_balance))
    }

    /// Credits the wallet once per `idempotency_key`.
    ///
    /// # Errors
    /// [`Error::Invalid`], [`Error::IdempotencyMismatch`], [`Error::Unavailable`].
    pub async fn credit(&self, tenant: &Tenant, amount: Toman, kind: &str, idempotency_key: &str) -> Result<Posted> {
        post_wallet(self.store, tenant, Posting::credit(amount, kind, idempotency_key)?).await
    }

    /// Debits the wallet once per `idempotency_key`; refuses to go below zero unless the
    /// tenant has a credit limit, and then not below minus that limit.
    ///
    /// # Errors
    /// [`Error::InsufficientBalance`], [`Error::Invalid`], [`Error::IdempotencyMismatch`].
    pub async fn debit(&self, tenant: &Tenant, amount: Toman, kind: &str, idempotency_key: &str) -> Result<Posted> {
        post_wallet(self.store, tenant, Posting::debit(amount, kind, idempotency_key)?).await
    }

    /// Posts any prepared entry (with a description).
    ///
    /// # Errors
    /// As [`Wallets::credit`] and [`Wallets::debit`].
    pub async fn post(&self, tenant: &Tenant, posting: Posting) -> Result<Posted> {
        post_wallet(self.store, tenant, posting).await
    }

    /// The wallet's entries, newest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn history(&self, tenant: &Tenant, page: Page) -> Result<Vec<LedgerEntry>> {
        wallet_history(self.store, tenant, page).await
    }

    async fn add_traffic(&self, tenant: &Tenant, col: bot::Column, bytes: i64) -> Result<()> {
        if bytes < 0 {
            return Err(Error::invalid("bytes", "must not be negative"));
        }
        // The addition happens in the database so concurrent recordings never lose one.
        let res = bot::Entity::update_many()
            .col_expr(col, Expr::col(col).add(bytes))
            .filter(bot::Column::Id.eq(tenant.bot_id().0))
            .filter(Expr::col(col).lte(i64::MAX - bytes))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            self.row(tenant).await?;
            return Err(Error::invalid("bytes", "the traffic total would overflow"));
        }
        Ok(())
    }

    /// Adds traffic the tenant's customers consumed on the panel.
    ///
    /// # Errors
    /// [`Error::Invalid`] for negative bytes; [`Error::NotFound`].
    pub async fn record_traffic_consumed(&self, tenant: &Tenant, bytes: i64) -> Result<()> {
        self.add_traffic(tenant, bot::Column::TrafficConsumedBytes, bytes).await
    }

    /// Adds traffic the tenant sold in plans.
    ///
    /// # Errors
    /// [`Error::Invalid`] for negative bytes; [`Error::NotFound`].
    pub async fn record_traffic_sold(&self, tenant: &Tenant, bytes: i64) -> Result<()> {
        self.add_traffic(tenant, bot::Column::TrafficSoldBytes, bytes).await
    }

    /// The tenant's traffic totals.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn traffic_stats(&self, tenant: &Tenant) -> Result<TrafficStats> {
        let row = self.row(tenant).await?;
        let (consumed, sold) = (row.traffic_consumed_bytes, row.traffic_sold_bytes);
        Ok(TrafficStats {
            consumed_bytes: consumed,
            sold_bytes: sold,
            margin_bytes: sold.saturating_sub(consumed),
            utilisation_percent: (sold > 0).then(|| consumed as f64 * 100.0 / sold as f64),
        })
    }
}
