//! Counts for dashboards and metrics: rows of a table grouped by their status, for one tenant
//! (here) or across tenants (through [`crate::platform`]).

use std::collections::BTreeMap;

use remnabot_domain::{Result, Tenant};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, Select};

use crate::db::unavailable;
use crate::entity::{card_to_card_payment as card_pay, stars_payment, subscription, ticket};
use crate::{Store, scope};

/// `status -> rows` for the rows `q` selects, grouped by `col`.
pub(crate) async fn grouped<E, C>(c: &C, q: Select<E>, col: E::Column) -> Result<BTreeMap<String, u64>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let rows: Vec<(String, i64)> = q
        .select_only()
        .column(col)
        .column_as(Expr::col(col).count(), "n")
        .group_by(col)
        .into_tuple()
        .all(c)
        .await
        .map_err(unavailable)?;
    Ok(rows.into_iter().map(|(status, n)| (status, u64::try_from(n).unwrap_or(0))).collect())
}

/// The tenant statistics service.
#[derive(Debug, Clone, Copy)]
pub struct Stats<'a> {
    store: &'a Store,
}

impl Store {
    /// Counts of one tenant's rows by status.
    pub fn stats(&self) -> Stats<'_> {
        Stats { store: self }
    }
}

impl Stats<'_> {
    /// The tenant's subscriptions by status.
    ///
    /// # Errors
    /// [`remnabot_domain::Error::Unavailable`].
    pub async fn subscriptions_by_status(&self, tenant: &Tenant) -> Result<BTreeMap<String, u64>> {
        grouped(&self.store.db, scope::select::<subscription::Entity>(tenant), subscription::Column::Status).await
    }

    /// The tenant's card-to-card payments by status.
    ///
    /// # Errors
    /// [`remnabot_domain::Error::Unavailable`].
    pub async fn card_payments_by_status(&self, tenant: &Tenant) -> Result<BTreeMap<String, u64>> {
        grouped(&self.store.db, scope::select::<card_pay::Entity>(tenant), card_pay::Column::Status).await
    }

    /// The tenant's Telegram Stars payments by status.
    ///
    /// # Errors
    /// [`remnabot_domain::Error::Unavailable`].
    pub async fn stars_payments_by_status(&self, tenant: &Tenant) -> Result<BTreeMap<String, u64>> {
        grouped(&self.store.db, scope::select::<stars_payment::Entity>(tenant), stars_payment::Column::Status).await
    }

    /// The tenant's support tickets by status.
    ///
    /// # Errors
    /// [`remnabot_domain::Error::Unavailable`].
    pub async fn tickets_by_status(&self, tenant: &Tenant) -> Result<BTreeMap<String, u64>> {
        grouped(&self.store.db, scope::select::<ticket::Entity>(tenant), ticket::Column::Status).await
    }
}
