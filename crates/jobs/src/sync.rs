//! The usage sync: reads each tenant's panel users and records their traffic and status on
//! the subscriptions and the traffic consumed in the tenant's wallet.

use std::sync::Arc;

use remnabot_domain::panel::{PanelError, PanelUserKey, PanelUserStatus};
use remnabot_domain::{Page, Result, Tenant};
use remnabot_store::Store;
use remnabot_store::subscriptions::{Subscription, SubscriptionStatus};
use remnabot_store::usage::UsageReading;

use crate::panels::PanelResolver;

/// What one sync pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub tenants: usize,
    pub subscriptions: usize,
    pub consumed_bytes: i64,
    /// Panel users that no longer exist (re-created at the next provisioning).
    pub missing: usize,
    pub errors: usize,
}

/// Reads usage from the panel.
#[derive(Debug, Clone)]
pub struct UsageSync {
    store: Store,
    panels: Arc<dyn PanelResolver>,
}

/// The platform status a panel status means, when it means a change.
fn status_from_panel(sub: &Subscription, panel: PanelUserStatus) -> Option<SubscriptionStatus> {
    let target = match panel {
        PanelUserStatus::Expired => SubscriptionStatus::Expired,
        PanelUserStatus::Limited => SubscriptionStatus::Limited,
        PanelUserStatus::Disabled => SubscriptionStatus::Disabled,
        PanelUserStatus::Active if sub.is_trial => SubscriptionStatus::Trial,
        PanelUserStatus::Active => SubscriptionStatus::Active,
    };
    (target != sub.status).then_some(target)
}

impl UsageSync {
    /// A sync over `store` using `panels`.
    pub fn new(store: Store, panels: Arc<dyn PanelResolver>) -> UsageSync {
        UsageSync { store, panels }
    }

    /// One pass over every active tenant. A tenant whose panel fails is skipped and counted
    /// in `errors`; the others go on.
    ///
    /// # Errors
    /// [`remnabot_domain::Error::Unavailable`] when the database fails.
    pub async fn run_once(&self) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        for bot in self.store.platform().active().await? {
            let tenant = Tenant::of(&bot);
            report.tenants += 1;
            let panel = match self.panels.panel_for(&tenant).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(bot_id = %bot.id, error = %e, "no panel for tenant; usage not synced");
                    report.errors += 1;
                    continue;
                }
            };
            let mut offset = 0;
            loop {
                let page = self.store.subscriptions().list(&tenant, None, Page::new(Page::MAX_LIMIT, offset)).await?;
                if page.is_empty() {
                    break;
                }
                offset += page.len() as u64;
                let mut readings = Vec::new();
                for sub in page.iter().filter(|s| s.panel_user_id.is_some()) {
                    let key =
                        PanelUserKey { id: sub.panel_user_id.unwrap_or_default(), uuid: sub.panel_user_uuid.clone() };
                    match panel.user(&key).await {
                        Ok(u) => readings.push(UsageReading {
                            subscription: sub.id,
                            used_traffic_bytes: u.used_traffic_bytes,
                            status: status_from_panel(sub, u.status),
                        }),
                        Err(PanelError::NotFound) => report.missing += 1,
                        Err(e) => {
                            tracing::warn!(bot_id = %bot.id, subscription = %sub.id, error = %e, "usage not read");
                            report.errors += 1;
                        }
                    }
                }
                report.subscriptions += readings.len();
                report.consumed_bytes =
                    report.consumed_bytes.saturating_add(self.store.record_panel_usage(&tenant, &readings).await?);
            }
        }
        Ok(report)
    }
}
