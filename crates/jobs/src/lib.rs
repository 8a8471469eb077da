//! Background jobs. Each job exposes one `run_once` step (easy to test and to drive from a
//! supervisor loop) and a `run` loop that repeats it until shutdown:
//! - [`provisioning::ProvisioningWorker`] applies the provisioning outbox to the panel (its
//!   `run` serves tenants concurrently instead of repeating `run_once`);
//! - [`notify::NotificationWorker`] delivers queued messages through the tenant's bot;
//! - [`sync::UsageSync`] reads usage from the panel into subscriptions and wallets;
//! - [`reconcile::ZarinpalReconciler`] completes Zarinpal payments the customer never came
//!   back from, and fails the ones the gateway gave up on.
//!
//! Jobs reach the panel, Telegram and the payment gateway only through the ports `Panel`,
//! `Notifier` and `PaymentGateway`.

pub mod backoff;
pub mod notify;
pub mod panels;
pub mod provisioning;
pub mod reconcile;
pub mod squads;
pub mod sync;
pub mod texts;

pub use panels::{PanelResolver, SinglePanel};
pub use squads::SquadResolver;

/// Runs `step` every `every` until `shutdown` resolves; a failing step is logged and retried
/// on the next tick.
pub async fn repeat<F, Fut, T, E>(
    name: &'static str,
    every: std::time::Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
    mut step: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let mut shutdown = shutdown;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = step().await {
                    tracing::warn!(job = name, error = %e, "job step failed; retrying on the next tick");
                }
            }
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    tracing::info!(job = name, "stopped");
                    return;
                }
            }
        }
    }
}
