//! Zarinpal reconciliation: payments the customer paid but never came back from (closed the
//! browser, lost the connection) are found at the gateway and completed; payments the
//! gateway says failed are marked failed.
//!
//! Every minute, for every active tenant with Zarinpal on: its payments still pending after
//! [`ReconcileConfig::min_age`] are compared with the gateway's `unVerified` list, and any not
//! on it are asked about one by one (`inquiry`). Payments marked failed within
//! [`ReconcileConfig::recheck_failed_for`] (a cancelled callback, an earlier pass giving up)
//! are completed when the gateway lists them as paid after all. Completion goes through
//! `Sales::complete_zarinpal`, the same exactly-once path as the browser's callback, so a
//! callback racing this job completes the order once.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use remnabot_domain::payment::{GatewayStatus, PaymentGateway};
use remnabot_domain::{Result, Tenant};
use remnabot_store::Store;
use remnabot_store::sales::online::{OnlineTexts, ZarinpalOutcome};

/// How the reconciliation behaves.
#[derive(Debug, Clone, Copy)]
pub struct ReconcileConfig {
    /// Leave younger payments to the customer's own callback.
    pub min_age: Duration,
    /// A payment still unpaid at the gateway after this long is marked failed (Zarinpal
    /// sessions last minutes).
    pub give_up_after: Duration,
    /// Payments opened this recently and marked failed are still completed when the gateway
    /// lists them as paid and unverified (a failure recorded here is never final for money
    /// the gateway holds).
    pub recheck_failed_for: Duration,
}

impl Default for ReconcileConfig {
    fn default() -> ReconcileConfig {
        ReconcileConfig {
            min_age: Duration::minutes(1),
            give_up_after: Duration::hours(2),
            recheck_failed_for: Duration::days(1),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Orders this pass completed.
    pub completed: u32,
    /// Payments marked failed.
    pub failed: u32,
    /// Payments left pending (not paid yet, or the gateway did not answer).
    pub pending: u32,
}

/// The reconciliation job.
#[derive(Clone)]
pub struct ZarinpalReconciler {
    store: Store,
    gateway: Arc<dyn PaymentGateway>,
    texts: Arc<dyn OnlineTexts>,
    config: ReconcileConfig,
}

impl std::fmt::Debug for ZarinpalReconciler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZarinpalReconciler").field("config", &self.config).finish_non_exhaustive()
    }
}

impl ZarinpalReconciler {
    pub fn new(
        store: Store,
        gateway: Arc<dyn PaymentGateway>,
        texts: Arc<dyn OnlineTexts>,
        config: ReconcileConfig,
    ) -> ZarinpalReconciler {
        ZarinpalReconciler { store, gateway, texts, config }
    }

    /// One pass over every active tenant.
    ///
    /// # Errors
    /// [`remnabot_domain::Error::Unavailable`] when the database fails; a gateway failure only
    /// leaves that tenant's payments for the next pass.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<ReconcileReport> {
        let mut report = ReconcileReport::default();
        for bot in self.store.platform().active().await? {
            let tenant = Tenant::of(&bot);
            if let Err(e) = self.tenant_pass(&tenant, now, &mut report).await {
                tracing::warn!(bot_id = %tenant.bot_id(), error = %e, "Zarinpal reconciliation failed for a tenant");
            }
        }
        Ok(report)
    }

    async fn tenant_pass(&self, tenant: &Tenant, now: DateTime<Utc>, report: &mut ReconcileReport) -> Result<()> {
        let sales = self.store.sales();
        let Some(account) = sales.zarinpal_account(tenant).await? else { return Ok(()) };
        let pending =
            sales.pending_zarinpal(tenant, remnabot_domain::limits::earlier(now, self.config.min_age)).await?;
        let failed = sales
            .failed_zarinpal(tenant, remnabot_domain::limits::earlier(now, self.config.recheck_failed_for))
            .await?;
        if pending.is_empty() && failed.is_empty() {
            return Ok(());
        }
        let unconfirmed: HashSet<String> = match self.gateway.unconfirmed(&account).await {
            Ok(list) => list.into_iter().collect(),
            Err(e) => {
                tracing::info!(bot_id = %tenant.bot_id(), error = %e, "Zarinpal unVerified failed; asking per payment");
                HashSet::new()
            }
        };
        // A failed payment the gateway holds as paid and unverified: completed after all.
        for payment in failed.iter().filter(|p| unconfirmed.contains(&p.authority)) {
            match sales
                .complete_zarinpal(tenant, &payment.authority, self.gateway.as_ref(), self.texts.as_ref(), now)
                .await
            {
                Ok(ZarinpalOutcome::Completed { .. }) => report.completed += 1,
                Ok(_) => {}
                Err(e) => {
                    tracing::info!(bot_id = %tenant.bot_id(), payment_id = %payment.id, error = %e, "left for the next pass");
                }
            }
        }
        for payment in pending {
            let paid = if unconfirmed.contains(&payment.authority) {
                true
            } else {
                match self.gateway.status(&account, &payment.authority).await {
                    Ok(GatewayStatus::Paid | GatewayStatus::Verified) => true,
                    Ok(GatewayStatus::Failed) => {
                        if sales.fail_zarinpal(tenant, &payment.authority, "failed at the gateway").await? {
                            report.failed += 1;
                        }
                        continue;
                    }
                    Ok(GatewayStatus::Pending) if now - payment.created_at > self.config.give_up_after => {
                        if sales.fail_zarinpal(tenant, &payment.authority, "never paid").await? {
                            report.failed += 1;
                        }
                        continue;
                    }
                    Err(e) if e.is_final_for_payment() => {
                        if sales.fail_zarinpal(tenant, &payment.authority, &e.to_string()).await? {
                            report.failed += 1;
                        }
                        continue;
                    }
                    Ok(GatewayStatus::Pending) | Err(_) => false,
                }
            };
            if !paid {
                report.pending += 1;
                continue;
            }
            match sales
                .complete_zarinpal(tenant, &payment.authority, self.gateway.as_ref(), self.texts.as_ref(), now)
                .await
            {
                Ok(ZarinpalOutcome::Completed { .. }) => report.completed += 1,
                Ok(ZarinpalOutcome::Failed(_)) => report.failed += 1,
                Ok(ZarinpalOutcome::AlreadyCompleted(_)) => {}
                Ok(ZarinpalOutcome::Pending(_)) => report.pending += 1,
                Err(e) => {
                    tracing::info!(bot_id = %tenant.bot_id(), payment_id = %payment.id, error = %e, "left for the next pass");
                    report.pending += 1;
                }
            }
        }
        Ok(())
    }
}
