//! Traffic usage read from the panel: applied to subscriptions and to the tenant's
//! traffic-consumed figure in one transaction, so a sync that is interrupted and run again
//! never counts the same bytes twice.

use chrono::Utc;
use remnabot_domain::{Error, Result, SubscriptionId, Tenant};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db::unavailable;
use crate::entity::{bot, subscription};
use crate::subscriptions::SubscriptionStatus;
use crate::{Store, scope};

/// What the panel says about one subscription's user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageReading {
    pub subscription: SubscriptionId,
    /// The panel's current counter (it may have been reset since the last reading).
    pub used_traffic_bytes: i64,
    /// A status to record, when the panel's status means a change (expired, limited, ...).
    pub status: Option<SubscriptionStatus>,
}

impl Store {
    /// Applies readings: each subscription's `traffic_used_bytes` and status are updated, and
    /// the bytes used since the previous reading (the whole counter after a panel reset) are
    /// added to the tenant's traffic consumed. Returns the bytes added.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a negative reading; [`Error::Unavailable`]. Readings of
    /// subscriptions that no longer exist are skipped.
    pub async fn record_panel_usage(&self, tenant: &Tenant, readings: &[UsageReading]) -> Result<i64> {
        if readings.iter().any(|r| r.used_traffic_bytes < 0) {
            return Err(Error::invalid("used_traffic_bytes", "must not be negative"));
        }
        let tx = self.write_tx().await?;
        let mut consumed: i64 = 0;
        for r in readings {
            let Some(cur) = scope::select::<subscription::Entity>(tenant)
                .filter(subscription::Column::Id.eq(r.subscription.0))
                .one(&tx)
                .await
                .map_err(unavailable)?
            else {
                continue;
            };
            let delta = if r.used_traffic_bytes >= cur.traffic_used_bytes {
                r.used_traffic_bytes - cur.traffic_used_bytes
            } else {
                r.used_traffic_bytes
            };
            consumed = consumed.saturating_add(delta);
            let mut q = scope::update::<subscription::Entity>(tenant)
                .col_expr(subscription::Column::TrafficUsedBytes, Expr::value(r.used_traffic_bytes))
                .col_expr(subscription::Column::UpdatedAt, Expr::value(Utc::now()));
            if let Some(status) = r.status {
                q = q.col_expr(subscription::Column::Status, Expr::value(status.as_str()));
            }
            q.filter(subscription::Column::Id.eq(cur.id)).exec(&tx).await.map_err(unavailable)?;
        }
        if consumed > 0 {
            bot::Entity::update_many()
                .col_expr(bot::Column::TrafficConsumedBytes, Expr::col(bot::Column::TrafficConsumedBytes).add(consumed))
                .filter(bot::Column::Id.eq(tenant.bot_id().0))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        Ok(consumed)
    }
}
