//! The provisioning worker: applies pending provisioning entries to the panel.
//!
//! Applying an entry is idempotent: the panel user is looked up first (by the ids recorded on
//! the subscription, then by its tenant-scoped username) and only created when absent, so a
//! retry after a timeout or a crash never makes a second panel user, and a user deleted by
//! hand on the panel is simply created again.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use remnabot_domain::panel::{
    NewPanelUser, Panel, PanelError, PanelUser, PanelUserKey, PanelUserStatus, PanelUserUpdate, SquadChoice,
    SquadPolicy, TrafficResetStrategy, panel_username, tenant_description, tenant_tag,
};
use remnabot_domain::{Bot, BotId, Error, Result, Tenant, TgUserId};
use remnabot_store::Store;
use remnabot_store::outbox::{NewNotification, PanelLink, ProvisionReason, ProvisioningEntry};
use remnabot_store::subscriptions::{Subscription, SubscriptionStatus};
use tracing::Instrument;

use crate::backoff::Backoff;
use crate::panels::PanelResolver;
use crate::squads::SquadResolver;
use crate::texts;

/// Settings of the provisioning worker.
#[derive(Debug, Clone, Copy)]
pub struct ProvisioningConfig {
    /// Tenants served at once. Each tenant's entries are applied one at a time, in order, so a
    /// tenant whose panel is slow or hanging holds up only itself.
    pub concurrency: usize,
    /// How long a claimed entry is reserved for this worker. The lease is renewed while the
    /// entry is being applied, so it only needs to outlive a renewal: an entry whose worker
    /// died is free again within this time.
    pub lease: Duration,
    pub backoff: Backoff,
    /// After this many failed attempts the tenant's admins are told (once); retries go on.
    pub alert_after: u32,
    /// How often [`ProvisioningWorker::run`] looks for tenants with due entries.
    pub poll_every: Duration,
}

impl Default for ProvisioningConfig {
    fn default() -> ProvisioningConfig {
        ProvisioningConfig {
            concurrency: 16,
            lease: Duration::from_secs(6),
            backoff: Backoff::default(),
            alert_after: 5,
            poll_every: Duration::from_secs(1),
        }
    }
}

/// What one step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepReport {
    pub done: usize,
    pub failed: usize,
}

impl std::ops::AddAssign for StepReport {
    fn add_assign(&mut self, other: StepReport) {
        self.done += other.done;
        self.failed += other.failed;
    }
}

/// Applies the provisioning outbox.
#[derive(Debug, Clone)]
pub struct ProvisioningWorker {
    store: Store,
    panels: Arc<dyn PanelResolver>,
    squads: SquadResolver,
    config: ProvisioningConfig,
}

/// Why applying an entry failed, as recorded on the entry.
#[derive(Debug, thiserror::Error)]
enum ApplyError {
    #[error("{0}")]
    Panel(#[from] PanelError),
    #[error("{0}")]
    Store(#[from] Error),
    /// A new panel user would be in no internal squad, so reach no server.
    #[error(
        "no internal squad for the customer's panel user: the panel has {panel_has} internal squads and \
         neither the tenant's panel_squads nor the platform's REMNAWAVE_SQUADS names one"
    )]
    NoSquad { panel_has: usize },
}

/// The time a drain claims by: fixed for [`ProvisioningWorker::run_once`] (tests move it),
/// the wall clock for [`ProvisioningWorker::run`].
#[derive(Debug, Clone, Copy)]
enum Clock {
    Fixed(DateTime<Utc>),
    Wall,
}

impl Clock {
    fn now(self) -> DateTime<Utc> {
        match self {
            Clock::Fixed(t) => t,
            Clock::Wall => Utc::now(),
        }
    }
}

impl ProvisioningWorker {
    /// A worker over `store` using `panels`.
    pub fn new(store: Store, panels: Arc<dyn PanelResolver>, config: ProvisioningConfig) -> ProvisioningWorker {
        let squads = SquadResolver::new(store.clone(), panels.clone());
        ProvisioningWorker { store, panels, squads, config }
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::seconds(6))
    }

    /// Applies every entry due at `now`, of every active tenant, once each: up to
    /// `concurrency` tenants at a time, each tenant's entries in order. Returns when all are
    /// applied or failed.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the outbox cannot be read; failures of single entries are
    /// recorded on them instead.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<StepReport> {
        let (_keep, stop) = tokio::sync::watch::channel(false);
        let due = self.store.platform().provisioning_due(now, &[], u64::MAX >> 1).await?;
        let mut waiting = due.into_iter();
        let mut drains = tokio::task::JoinSet::new();
        let mut report = StepReport::default();
        let mut first_error = None;
        loop {
            while drains.len() < self.config.concurrency.max(1) {
                let Some(bot_id) = waiting.next() else { break };
                drains.spawn(self.clone().drain(bot_id, Clock::Fixed(now), stop.clone()));
            }
            let Some(joined) = drains.join_next().await else { break };
            match joined {
                Ok(Ok(r)) => report += r,
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(e) => tracing::error!(error = %e, "a provisioning task ended abnormally"),
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }

    /// Serves the outbox until `shutdown` turns true: every `poll_every`, tenants with due
    /// entries that are not being served get a task of their own (up to `concurrency` at
    /// once), which applies that tenant's entries one at a time until none is due. A tenant
    /// whose panel hangs keeps only its own task busy; the others are served meanwhile. On
    /// shutdown, entries being applied are given back at once for the next start.
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.config.poll_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut drains = tokio::task::JoinSet::new();
        let mut serving: std::collections::HashMap<tokio::task::Id, BotId> = std::collections::HashMap::new();
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let room = self.config.concurrency.max(1).saturating_sub(serving.len());
                    if room == 0 {
                        continue;
                    }
                    let busy: Vec<BotId> = serving.values().copied().collect();
                    match self.store.platform().provisioning_due(Utc::now(), &busy, room as u64).await {
                        Ok(due) => {
                            for bot_id in due {
                                let handle = drains.spawn(self.clone().drain(bot_id, Clock::Wall, shutdown.clone()));
                                serving.insert(handle.id(), bot_id);
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot read the provisioning outbox; retrying"),
                    }
                }
                Some(joined) = drains.join_next_with_id(), if !drains.is_empty() => {
                    let id = match &joined {
                        Ok((id, _)) => *id,
                        Err(e) => e.id(),
                    };
                    let bot_id = serving.remove(&id);
                    match joined {
                        Ok((_, Ok(_))) => {}
                        Ok((_, Err(e))) => tracing::warn!(bot_id = ?bot_id, error = %e, "provisioning paused for this tenant; retrying"),
                        Err(e) => tracing::error!(bot_id = ?bot_id, error = %e, "a provisioning task ended abnormally"),
                    }
                }
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
            }
        }
        // Each task gives back the entry it holds and ends.
        while drains.join_next().await.is_some() {}
        tracing::info!(job = "provisioning", "stopped");
    }

    /// Applies one tenant's due entries, one claim at a time, until none is due, the tenant is
    /// deactivated or deleted, or `stop` turns true (the entry in hand is then given back).
    async fn drain(
        self,
        bot_id: BotId,
        clock: Clock,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> Result<StepReport> {
        let mut report = StepReport::default();
        let mut attempted = std::collections::HashSet::new();
        loop {
            if *stop.borrow() {
                return Ok(report);
            }
            let bot = match self.store.platform().get(bot_id).await {
                Ok(bot) => bot,
                // The tenant was deleted meanwhile; its entries went with it.
                Err(Error::NotFound { .. }) => return Ok(report),
                Err(e) => return Err(e),
            };
            // A deactivated tenant's entries wait until it is active again.
            if !bot.is_active {
                return Ok(report);
            }
            let tenant = Tenant::of(&bot);
            let claimed_at = clock.now();
            let Some(entry) = self.store.provisioning().claim_next(&tenant, claimed_at, self.lease()).await? else {
                return Ok(report);
            };
            // An entry that failed and is due again at once is left for the next pass.
            if !attempted.insert(entry.id) {
                self.store.provisioning().release(&tenant, entry.id).await?;
                return Ok(report);
            }
            let span =
                tracing::info_span!("provision", bot_id = %bot.id, entry = entry.id, attempt = entry.attempts + 1);
            let stopped = async { stop.wait_for(|stopping| *stopping).await.map(|_| ()) };
            let outcome = tokio::select! {
                outcome = self.apply_holding(&tenant, &bot, &entry, claimed_at).instrument(span.clone()) => outcome,
                _ = stopped => {
                    self.store.provisioning().release(&tenant, entry.id).await?;
                    return Ok(report);
                }
            };
            let settled = async {
                let now = clock.now();
                match outcome {
                    Ok((link, note)) => {
                        self.store.provisioning().complete(&tenant, entry.id, &link, note, now).await?;
                        tracing::info!(subscription = %entry.subscription_id, "provisioned");
                        report.done += 1;
                    }
                    Err(e) => {
                        report.failed += 1;
                        self.record_failure(&tenant, &entry, &e.to_string(), now).await?;
                    }
                }
                Ok::<(), Error>(())
            };
            settled.instrument(span).await?;
        }
    }

    /// [`Self::apply`], renewing the entry's lease while the panel works on it.
    async fn apply_holding(
        &self,
        tenant: &Tenant,
        bot: &Bot,
        entry: &ProvisioningEntry,
        claimed_at: DateTime<Utc>,
    ) -> std::result::Result<(PanelLink, Option<NewNotification>), ApplyError> {
        let started = std::time::Instant::now();
        let every = (self.config.lease / 3).max(Duration::from_millis(100));
        let apply = self.apply(tenant, bot, entry, claimed_at);
        tokio::pin!(apply);
        loop {
            tokio::select! {
                outcome = &mut apply => return outcome,
                _ = tokio::time::sleep(every) => {
                    let elapsed = chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
                    let until = claimed_at + elapsed + self.lease();
                    if let Err(e) = self.store.provisioning().renew_lease(tenant, entry.id, until).await {
                        tracing::warn!(error = %e, "could not renew the lease of a provisioning entry");
                    }
                }
            }
        }
    }

    async fn record_failure(
        &self,
        tenant: &Tenant,
        entry: &ProvisioningEntry,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let failures = entry.attempts.saturating_add(1);
        let delay = self.config.backoff.delay(failures);
        let next =
            remnabot_domain::limits::later(now, chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX));
        let alerts = if failures >= self.config.alert_after && !entry.alerted {
            self.admin_alerts(tenant, entry, failures, error).await?
        } else {
            Vec::new()
        };
        tracing::warn!(error, failures, retry_in = ?delay, alerted = !alerts.is_empty(), "provisioning failed");
        self.store.provisioning().fail(tenant, entry.id, error, next, &alerts, now).await
    }

    async fn admin_alerts(
        &self,
        tenant: &Tenant,
        entry: &ProvisioningEntry,
        failures: u32,
        error: &str,
    ) -> Result<Vec<NewNotification>> {
        let configs = self.store.configs();
        let lang = configs.languages(tenant).await?.first().copied().unwrap_or_default();
        let mut chats = configs.admin_ids(tenant).await?;
        if let Some(chat) = configs.admin_chat_id(tenant).await? {
            chats.push(chat);
        }
        chats.sort_unstable();
        chats.dedup();
        let text = texts::provisioning_failing(lang, entry.subscription_id.0, failures, error);
        Ok(chats
            .into_iter()
            .map(|chat_id| NewNotification {
                chat_id,
                text: text.clone(),
                idempotency_key: format!("provision-alert:{}:{chat_id}", entry.id),
            })
            .collect())
    }

    async fn apply(
        &self,
        tenant: &Tenant,
        bot: &Bot,
        entry: &ProvisioningEntry,
        now: DateTime<Utc>,
    ) -> std::result::Result<(PanelLink, Option<NewNotification>), ApplyError> {
        let sub = self.store.subscriptions().get(tenant, entry.subscription_id).await?;
        let customer = self.store.users().get(tenant, sub.user_id).await?;
        let panel = self.panels.panel_for(tenant).await?;
        let username = panel_username(bot.id, customer.telegram_id);

        let existing = find_existing(panel.as_ref(), &sub, &username).await?;
        let squads = self.squads.squads_for(tenant).await?;
        // Without a choice, an existing user keeps the squads it has.
        let chosen = match &squads {
            SquadChoice::Squads(list) => list.clone(),
            SquadChoice::NoSquad { .. } => Vec::new(),
        };
        let desired = desired_update(&sub, chosen.clone(), bot, customer.telegram_id, now);
        let user = match existing {
            Some(u) => panel.update_user(&u.key, &desired).await?,
            None => {
                // A user in no squad would reach no server: it waits here (retried, and the
                // admins alerted like any failure) until a squad is named or the panel has one.
                if let SquadChoice::NoSquad { panel_has } = squads {
                    return Err(ApplyError::NoSquad { panel_has });
                }
                let new = NewPanelUser {
                    username: username.clone(),
                    expire_at: sub.expires_at,
                    traffic_limit_bytes: sub.traffic_limit_bytes,
                    traffic_limit_strategy: TrafficResetStrategy::NoReset,
                    hwid_device_limit: Some(sub.device_limit),
                    internal_squads: chosen,
                    telegram_id: Some(customer.telegram_id.0),
                    description: Some(tenant_description(&bot.name, bot.id, customer.telegram_id)),
                    tag: Some(tenant_tag(bot.id)),
                };
                match panel.create_user(&new).await {
                    // Disabled before it ever reached the panel: disable the new user too.
                    Ok(u) if sub.status == SubscriptionStatus::Disabled => panel.update_user(&u.key, &desired).await?,
                    Ok(u) => u,
                    // Created by an attempt whose answer was lost: adopt it.
                    Err(PanelError::AlreadyExists { .. }) => {
                        let u = panel.user_by_username(&username).await?.ok_or(PanelError::NotFound)?;
                        panel.update_user(&u.key, &desired).await?
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        if entry.reset_devices {
            panel.delete_all_hwid_devices(&user.key).await?;
        }
        // A renewal starts a new period with the plan's full traffic; without this a
        // customer who ran out and paid would stay limited. An admin's reset does the same.
        let resets = matches!(entry.reason, ProvisionReason::Renewal | ProvisionReason::TrafficReset);
        let user = if resets && user.used_traffic_bytes > 0 { panel.reset_traffic(&user.key).await? } else { user };
        let link =
            PanelLink { id: user.key.id, uuid: user.key.uuid.clone(), subscription_url: user.subscription_url.clone() };
        // Whole days left, rounded up: a one-day trial provisioned a second later is "1 day".
        let days_left = ((sub.expires_at - now).num_seconds().max(0) + 86_399) / 86_400;
        let text = match entry.reason {
            ProvisionReason::Adjustment | ProvisionReason::TrafficReset => {
                texts::subscription_updated(customer.language, &user.subscription_url)
            }
            _ => texts::subscription_ready(customer.language, &user.subscription_url, days_left),
        };
        let note = NewNotification {
            chat_id: customer.telegram_id.0,
            text,
            idempotency_key: format!("provisioned:{}", entry.id),
        };
        Ok((link, Some(note)))
    }
}

/// The panel user this subscription already has, if any.
async fn find_existing(
    panel: &dyn Panel,
    sub: &Subscription,
    username: &str,
) -> std::result::Result<Option<PanelUser>, PanelError> {
    if let Some(id) = sub.panel_user_id {
        let key = PanelUserKey { id, uuid: sub.panel_user_uuid.clone() };
        match panel.user(&key).await {
            Ok(u) => return Ok(Some(u)),
            // Deleted by hand on the panel: fall through and find or re-create it.
            Err(PanelError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    panel.user_by_username(username).await
}

/// The panel state a subscription calls for.
fn desired_update(
    sub: &Subscription,
    squads: Vec<String>,
    bot: &Bot,
    telegram_id: TgUserId,
    now: DateTime<Utc>,
) -> PanelUserUpdate {
    let running = sub.expires_at > now;
    // An admin's disabling holds whatever the expiry says.
    let enabled = running && sub.status != SubscriptionStatus::Disabled;
    PanelUserUpdate {
        // The panel refuses an expiry in the past; an expired subscription is disabled instead.
        expire_at: running.then_some(sub.expires_at),
        traffic_limit_bytes: Some(sub.traffic_limit_bytes),
        traffic_limit_strategy: Some(TrafficResetStrategy::NoReset),
        hwid_device_limit: Some(Some(sub.device_limit)),
        internal_squads: (!squads.is_empty()).then_some(squads),
        status: Some(if enabled { PanelUserStatus::Active } else { PanelUserStatus::Disabled }),
        description: Some(tenant_description(&bot.name, bot.id, telegram_id)),
        tag: Some(tenant_tag(bot.id)),
        telegram_id: Some(telegram_id.0),
    }
}
