//! The durable outboxes. A purchase, renewal or trial writes its subscription change and a
//! provisioning entry in one transaction; notifications to customers and admins are queued
//! the same way. Workers (in `remnabot-jobs`) claim due entries through [`crate::platform`],
//! apply them, and record the outcome here; an entry stays pending, with growing back-off,
//! until it is done, so a crash or restart loses nothing.
//!
//! A notification is either a new message or, when it names `edit_message_id`, an edit of a
//! message the bot sent earlier (the admins' copies of a receipt rewritten with the review's
//! outcome): new text or caption, and at most one callback button left under it.

use chrono::{DateTime, Duration, Utc};
use remnabot_domain::limits;
use remnabot_domain::notify::CallbackButton;
use remnabot_domain::{BotId, Error, Page, PlanId, Result, SubscriptionId, Tenant, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;

use crate::db::{is_unique_violation, unavailable};
use crate::entity::{
    TenantOwned, bot_plan, notification_outbox as note, provisioning_outbox as prov, subscription, user,
};
use crate::subscriptions::{NewSubscription, Subscription, SubscriptionStatus, new_row, str_enum, to_subscription};
use crate::{Store, scope};

str_enum!(
    /// Why a subscription is being provisioned.
    ProvisionReason, "reason" {
        /// A first purchase.
        Purchase => "purchase",
        /// A renewal of an existing subscription.
        Renewal => "renewal",
        /// The free trial.
        Trial => "trial",
        /// A change made by an admin (extension, limits, enabling or disabling, re-sync).
        Adjustment => "adjustment",
        /// An admin reset the traffic used: the panel's counter is reset too.
        TrafficReset => "traffic_reset",
    }
);

str_enum!(
    /// Where an outbox entry stands. There is no failed state: an entry is retried until done.
    OutboxStatus, "status" {
        Pending => "pending",
        Done => "done",
    }
);

/// A provisioning entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvisioningEntry {
    pub id: i64,
    pub subscription_id: SubscriptionId,
    pub reason: ProvisionReason,
    /// Remove the user's registered devices on the panel (renewal with the tenant's reset rule).
    pub reset_devices: bool,
    pub status: OutboxStatus,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    /// Whether the tenant's admins were told this entry keeps failing.
    pub alerted: bool,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

fn to_entry(m: prov::Model) -> Result<ProvisioningEntry> {
    Ok(ProvisioningEntry {
        id: m.id,
        subscription_id: SubscriptionId(m.subscription_id),
        reason: ProvisionReason::parse(&m.reason)?,
        reset_devices: m.reset_devices,
        status: OutboxStatus::parse(&m.status)?,
        attempts: u32::try_from(m.attempts).unwrap_or(0),
        next_attempt_at: m.next_attempt_at,
        last_error: m.last_error,
        alerted: m.alerted,
        created_at: m.created_at,
        done_at: m.done_at,
    })
}

/// A queued message to a Telegram chat, sent by the tenant's bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub chat_id: i64,
    pub text: String,
    /// Set when this entry rewrites an existing message instead of sending one.
    pub edit: Option<EditTarget>,
    pub status: OutboxStatus,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

/// The message an edit entry rewrites, in the entry's chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditTarget {
    pub message_id: i64,
    /// A photo or document: the caption is replaced (at most 1024 characters).
    pub caption: bool,
    /// The one button left under the message; `None` removes every button.
    pub button: Option<CallbackButton>,
}

fn to_notification(m: note::Model) -> Result<Notification> {
    let button = match (m.edit_button_text, m.edit_button_data) {
        (Some(text), Some(data)) => Some(CallbackButton { text, data }),
        _ => None,
    };
    let edit = m.edit_message_id.map(|message_id| EditTarget { message_id, caption: m.edit_caption, button });
    Ok(Notification {
        id: m.id,
        chat_id: m.chat_id,
        text: m.text,
        edit,
        status: OutboxStatus::parse(&m.status)?,
        attempts: u32::try_from(m.attempts).unwrap_or(0),
        next_attempt_at: m.next_attempt_at,
        last_error: m.last_error,
        created_at: m.created_at,
        done_at: m.done_at,
    })
}

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub chat_id: i64,
    pub text: String,
    /// Unique per tenant: queuing the same key twice sends once.
    pub idempotency_key: String,
}

/// An edit to queue: `text` replaces the text (or the caption) of message `message_id` in
/// `chat_id`, and `button` becomes its only button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEdit {
    pub chat_id: i64,
    pub message_id: i64,
    /// A photo or document: `text` is its new caption, at most 1024 characters.
    pub caption: bool,
    /// At most 4096 characters (1024 for a caption).
    pub text: String,
    pub button: Option<CallbackButton>,
    /// Unique per tenant (and shared with messages): queuing the same key twice edits once.
    pub idempotency_key: String,
}

/// Telegram's limit for a message text, in characters.
pub const MAX_TEXT: usize = 4096;
/// Telegram's limit for a photo or document caption, in characters.
pub const MAX_CAPTION: usize = 1024;

/// Changes of one subscription that may wait for the panel at once. A paid order is always
/// queued (the customer paid); an admin's change (extension, limits, traffic reset, enabling,
/// re-sync) past this is refused, so a
/// slow or unreachable panel cannot collect an unbounded queue (and as many customer
/// messages) for one subscription.
pub const MAX_PENDING_PER_SUBSCRIPTION: u64 = 5;

/// What a purchase or renewal needs.
#[derive(Debug, Clone)]
pub struct Order {
    pub user: UserId,
    pub plan: PlanId,
    /// Unique per tenant (for example `card:<payment id>`): applying an order twice extends once.
    pub idempotency_key: String,
}

/// New limits of a subscription: each `None` stays as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Bytes; 0 means unlimited.
    pub traffic_limit_bytes: Option<i64>,
    /// 1 to 1000.
    pub device_limit: Option<u32>,
}

impl Limits {
    fn validate(&self) -> Result<()> {
        if self.traffic_limit_bytes.is_none() && self.device_limit.is_none() {
            return Err(Error::invalid("limits", "give a traffic limit, a device limit or both"));
        }
        if self.traffic_limit_bytes.is_some_and(|b| b < 0) {
            return Err(Error::invalid("traffic_limit_bytes", "must be zero (unlimited) or positive"));
        }
        if self.device_limit.is_some_and(|d| !(1..=1000).contains(&d)) {
            return Err(Error::invalid("device_limit", "must be between 1 and 1000"));
        }
        Ok(())
    }
}

/// The outcome of queuing provisioning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    pub subscription: Subscription,
    pub entry: ProvisioningEntry,
    /// False when this idempotency key was applied before and nothing changed now.
    pub newly_applied: bool,
}

/// Where a subscription lives on the panel, recorded when provisioning succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelLink {
    pub id: i64,
    pub uuid: Option<String>,
    pub subscription_url: String,
}

fn check_key(key: &str) -> Result<()> {
    remnabot_domain::text::check_idempotency_key(key)
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The provisioning outbox of a tenant.
#[derive(Debug, Clone, Copy)]
pub struct Provisioning<'a> {
    store: &'a Store,
}

impl Store {
    /// The provisioning outbox and the purchase/renewal/trial operations that feed it.
    pub fn provisioning(&self) -> Provisioning<'_> {
        Provisioning { store: self }
    }

    /// The notification outbox.
    pub fn notifications(&self) -> Notifications<'_> {
        Notifications { store: self }
    }
}

/// The renewal rule: a running subscription is extended from its expiry, an expired one
/// from now.
pub fn extension_start(current_expiry: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    std::cmp::max(current_expiry, now)
}

impl Provisioning<'_> {
    async fn existing(&self, c: &impl ConnectionTrait, tenant: &Tenant, key: &str) -> Result<Option<prov::Model>> {
        scope::select::<prov::Entity>(tenant)
            .filter(prov::Column::IdempotencyKey.eq(key))
            .one(c)
            .await
            .map_err(unavailable)
    }

    async fn replay(&self, tenant: &Tenant, m: prov::Model) -> Result<Provisioned> {
        let sub = scope::get::<subscription::Entity, _>(&self.store.db, tenant, m.subscription_id).await?;
        Ok(Provisioned { subscription: to_subscription(sub)?, entry: to_entry(m)?, newly_applied: false })
    }

    /// Applies a paid order: extends the customer's current subscription by the plan's
    /// period (from its expiry while it runs, from now once expired) or creates one, takes
    /// traffic and device limits from the plan, and queues provisioning, all in one
    /// transaction. A renewal resets the registered devices only when the tenant's
    /// `reset_devices_on_renewal` configuration is true.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a bad key; [`Error::NotFound`] for a user or plan of another
    /// tenant; [`Error::Unavailable`].
    pub async fn purchase(&self, tenant: &Tenant, order: Order, now: DateTime<Utc>) -> Result<Provisioned> {
        check_key(&order.idempotency_key)?;
        if let Some(m) = self.existing(&self.store.db, tenant, &order.idempotency_key).await? {
            return self.replay(tenant, m).await;
        }
        let reset_on_renewal = self.store.configs().reset_devices_on_renewal(tenant).await?;
        let tx = self.store.write_tx().await?;
        let applied = self.apply_order(&tx, tenant, &order, now).await;
        let (sub_id, reason) = match applied {
            Ok(v) => v,
            Err(e) => {
                tx.rollback().await.map_err(unavailable)?;
                return Err(e);
            }
        };
        let reset = reason == ProvisionReason::Renewal && reset_on_renewal;
        self.finish_enqueue(tx, tenant, sub_id, reason, reset, &order.idempotency_key, now).await
    }

    /// [`Provisioning::purchase`] inside the caller's write transaction (the sales service
    /// completes a payment and its order together). The caller has made sure this order is
    /// applied by one transaction only; a concurrent application is a [`Error::Conflict`].
    pub(crate) async fn purchase_in(
        &self,
        tx: &DatabaseTransaction,
        tenant: &Tenant,
        order: &Order,
        reset_on_renewal: bool,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        check_key(&order.idempotency_key)?;
        if let Some(m) = self.existing(tx, tenant, &order.idempotency_key).await? {
            let sub = scope::get::<subscription::Entity, _>(tx, tenant, m.subscription_id).await?;
            return Ok(Provisioned { subscription: to_subscription(sub)?, entry: to_entry(m)?, newly_applied: false });
        }
        let (sub_id, reason) = self.apply_order(tx, tenant, order, now).await?;
        let reset = reason == ProvisionReason::Renewal && reset_on_renewal;
        self.enqueue_entry(tx, tenant, sub_id, reason, reset, &order.idempotency_key, now)
            .await?
            .ok_or_else(|| Error::Conflict("the order was applied concurrently; try again".to_owned()))
    }

    /// Creates or extends the customer's subscription for a paid order.
    async fn apply_order(
        &self,
        tx: &DatabaseTransaction,
        tenant: &Tenant,
        order: &Order,
        now: DateTime<Utc>,
    ) -> Result<(i64, ProvisionReason)> {
        let plan = scope::get::<bot_plan::Entity, _>(tx, tenant, order.plan.0).await?;
        scope::get::<user::Entity, _>(tx, tenant, order.user.0).await?;
        let current = scope::select::<subscription::Entity>(tenant)
            .filter(subscription::Column::UserId.eq(order.user.0))
            .order_by_desc(subscription::Column::ExpiresAt)
            .lock_exclusive()
            .one(tx)
            .await
            .map_err(unavailable)?;
        let period = i64::from(plan.period_days);
        let traffic =
            i64::from(plan.traffic_gb).checked_mul(1 << 30).ok_or_else(|| Error::invalid("traffic_gb", "too large"))?;
        let (sub_id, reason) = match current {
            Some(cur) => {
                let expires_at = limits::add_days("period_days", extension_start(cur.expires_at, now), period)?;
                let mut row: subscription::ActiveModel = cur.clone().into();
                row.plan_id = Set(Some(plan.id));
                row.is_trial = Set(false);
                row.status = Set(SubscriptionStatus::Active.as_str().to_owned());
                row.expires_at = Set(expires_at);
                if cur.expires_at <= now {
                    row.starts_at = Set(now);
                }
                row.traffic_limit_bytes = Set(traffic);
                row.device_limit = Set(plan.device_limit);
                row.updated_at = Set(now);
                row.update(tx).await.map_err(unavailable)?;
                (cur.id, ProvisionReason::Renewal)
            }
            None => {
                let expires_at = limits::add_days("period_days", now, period)?;
                let new = NewSubscription {
                    user: order.user,
                    plan: Some(order.plan),
                    is_trial: false,
                    starts_at: now,
                    expires_at,
                    traffic_limit_bytes: traffic,
                    device_limit: u32::try_from(plan.device_limit).unwrap_or(1),
                };
                let row = new_row(tenant, &new, now)?.insert(tx).await.map_err(unavailable)?;
                (row.id, ProvisionReason::Purchase)
            }
        };
        Ok((sub_id, reason))
    }

    /// Starts the customer's free trial with the tenant's trial parameters, once per customer.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the customer already had the trial; [`Error::NotFound`];
    /// [`Error::Unavailable`].
    pub async fn trial(
        &self,
        tenant: &Tenant,
        user_id: UserId,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        check_key(idempotency_key)?;
        if let Some(m) = self.existing(&self.store.db, tenant, idempotency_key).await? {
            return self.replay(tenant, m).await;
        }
        let params = self.store.configs().trial(tenant).await?;
        let tx = self.store.write_tx().await?;
        scope::get::<user::Entity, _>(&tx, tenant, user_id.0).await?;
        let flipped = scope::update::<user::Entity>(tenant)
            .col_expr(user::Column::TrialUsed, Expr::value(true))
            .col_expr(user::Column::TrialStartedAt, Expr::value(Some(now)))
            .filter(user::Column::Id.eq(user_id.0))
            .filter(user::Column::TrialUsed.eq(false))
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        if flipped.rows_affected == 0 {
            return Err(Error::Conflict("the customer has already used the free trial".to_owned()));
        }
        let new = NewSubscription {
            user: user_id,
            plan: None,
            is_trial: true,
            starts_at: now,
            expires_at: limits::add_days("days", now, i64::from(params.days))?,
            traffic_limit_bytes: i64::from(params.traffic_gb) << 30,
            device_limit: params.device_limit,
        };
        let row = new_row(tenant, &new, now)?.insert(&tx).await.map_err(unavailable)?;
        self.finish_enqueue(tx, tenant, row.id, ProvisionReason::Trial, false, idempotency_key, now).await
    }

    /// Extends the subscription by `days` (from its expiry while it runs, from `now` once it
    /// has expired), makes it `active` (`trial` for a trial) and queues the change for the
    /// panel, in one transaction. The same `idempotency_key` applies once: a retried request
    /// returns the first result and extends nothing more.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`days` not 1 to 3650, a bad key); [`Error::NotFound`]
    /// (`subscription`, also another tenant's); [`Error::Unavailable`].
    pub async fn extend(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        days: u32,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        check_key(idempotency_key)?;
        if !(1..=3650).contains(&days) {
            return Err(Error::invalid("days", "must be between 1 and 3650"));
        }
        self.adjust(tenant, id, idempotency_key, now, ProvisionReason::Adjustment, |row| {
            let expires_at = limits::add_days("days", extension_start(*row.expires_at.as_ref(), now), i64::from(days))?;
            let status = if *row.is_trial.as_ref() { SubscriptionStatus::Trial } else { SubscriptionStatus::Active };
            row.expires_at = Set(expires_at);
            row.status = Set(status.as_str().to_owned());
            Ok(())
        })
        .await
    }

    /// Sets the subscription's traffic limit (bytes, 0 for unlimited) and/or device limit and
    /// queues the change for the panel, in one transaction; the same `idempotency_key`
    /// applies once.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`traffic_limit_bytes` negative, `device_limit` not 1 to 1000, no
    /// change given, a bad key); [`Error::NotFound`]; [`Error::Unavailable`].
    pub async fn set_limits(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        limits: Limits,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        limits.validate()?;
        self.adjust(tenant, id, idempotency_key, now, ProvisionReason::Adjustment, |row| {
            if let Some(bytes) = limits.traffic_limit_bytes {
                row.traffic_limit_bytes = Set(bytes);
            }
            if let Some(devices) = limits.device_limit {
                row.device_limit = Set(i32::try_from(devices).unwrap_or(1));
            }
            Ok(())
        })
        .await
    }

    /// Sets the traffic used to zero (a subscription limited by its traffic runs again) and
    /// queues the panel's reset, in one transaction; the same `idempotency_key` applies once.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a bad key; [`Error::NotFound`]; [`Error::Unavailable`].
    pub async fn reset_traffic(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        self.adjust(tenant, id, idempotency_key, now, ProvisionReason::TrafficReset, |row| {
            row.traffic_used_bytes = Set(0);
            if row.status.as_ref() == SubscriptionStatus::Limited.as_str() {
                let running =
                    if *row.is_trial.as_ref() { SubscriptionStatus::Trial } else { SubscriptionStatus::Active };
                row.status = Set(running.as_str().to_owned());
            }
            Ok(())
        })
        .await
    }

    /// Disables the subscription (`enabled` false: its panel user is disabled) or enables it
    /// again (active, trial for a trial, or expired when its time is over), and queues the
    /// change for the panel, in one transaction; the same `idempotency_key` applies once.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a bad key; [`Error::NotFound`]; [`Error::Unavailable`].
    pub async fn set_enabled(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        enabled: bool,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        self.adjust(tenant, id, idempotency_key, now, ProvisionReason::Adjustment, |row| {
            let status = if !enabled {
                SubscriptionStatus::Disabled
            } else if *row.expires_at.as_ref() <= now {
                SubscriptionStatus::Expired
            } else if *row.is_trial.as_ref() {
                SubscriptionStatus::Trial
            } else {
                SubscriptionStatus::Active
            };
            row.status = Set(status.as_str().to_owned());
            Ok(())
        })
        .await
    }

    /// Changes the subscription `id` with `change` under a row lock and queues it for the
    /// panel with `reason`, in one transaction; a key applied before returns its result.
    async fn adjust(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        idempotency_key: &str,
        now: DateTime<Utc>,
        reason: ProvisionReason,
        change: impl FnOnce(&mut subscription::ActiveModel) -> Result<()>,
    ) -> Result<Provisioned> {
        check_key(idempotency_key)?;
        if let Some(m) = self.existing(&self.store.db, tenant, idempotency_key).await? {
            return self.replay(tenant, m).await;
        }
        let tx = self.store.write_tx().await?;
        let row = scope::select::<subscription::Entity>(tenant)
            .filter(subscription::Column::Id.eq(id.0))
            .lock_exclusive()
            .one(&tx)
            .await
            .map_err(unavailable)?;
        let Some(row) = row else {
            tx.rollback().await.map_err(unavailable)?;
            return Err(Error::not_found("subscription"));
        };
        if let Err(e) = check_pending_room(&tx, tenant, id.0).await {
            tx.rollback().await.map_err(unavailable)?;
            return Err(e);
        }
        let mut changed: subscription::ActiveModel = row.into();
        if let Err(e) = change(&mut changed) {
            tx.rollback().await.map_err(unavailable)?;
            return Err(e);
        }
        changed.updated_at = Set(now);
        if let Err(e) = changed.update(&tx).await {
            tx.rollback().await.map_err(unavailable)?;
            return Err(unavailable(e));
        }
        self.finish_enqueue(tx, tenant, id.0, reason, false, idempotency_key, now).await
    }

    /// Queues the subscription's current state for the panel again (after an admin changed it).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Invalid`], [`Error::Unavailable`].
    pub async fn resync(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        idempotency_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        self.adjust(tenant, id, idempotency_key, now, ProvisionReason::Adjustment, |_| Ok(())).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish_enqueue(
        &self,
        tx: DatabaseTransaction,
        tenant: &Tenant,
        sub_id: i64,
        reason: ProvisionReason,
        reset_devices: bool,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Provisioned> {
        match self.enqueue_entry(&tx, tenant, sub_id, reason, reset_devices, key, now).await {
            Ok(Some(done)) => {
                tx.commit().await.map_err(unavailable)?;
                Ok(done)
            }
            // A concurrent application of the same order won; ours rolls back entirely.
            Ok(None) => {
                tx.rollback().await.map_err(unavailable)?;
                let m = self
                    .existing(&self.store.db, tenant, key)
                    .await?
                    .ok_or_else(|| Error::Conflict("the order was applied concurrently; try again".to_owned()))?;
                self.replay(tenant, m).await
            }
            Err(e) => {
                tx.rollback().await.map_err(unavailable)?;
                Err(e)
            }
        }
    }

    /// Inserts the outbox entry; `Ok(None)` when the key is already taken.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn enqueue_entry(
        &self,
        tx: &DatabaseTransaction,
        tenant: &Tenant,
        sub_id: i64,
        reason: ProvisionReason,
        reset_devices: bool,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Provisioned>> {
        let inserted = prov::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(now),
            subscription_id: Set(sub_id),
            reason: Set(reason.as_str().to_owned()),
            reset_devices: Set(reset_devices),
            alerted: Set(false),
            status: Set(OutboxStatus::Pending.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            last_error: Set(None),
            done_at: Set(None),
            idempotency_key: Set(key.to_owned()),
            ..Default::default()
        }
        .insert(tx)
        .await;
        match inserted {
            Ok(entry) => {
                let sub = scope::get::<subscription::Entity, _>(tx, tenant, sub_id).await?;
                Ok(Some(Provisioned {
                    subscription: to_subscription(sub)?,
                    entry: to_entry(entry)?,
                    newly_applied: true,
                }))
            }
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// What the order with `key` provisioned, if it was applied.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn by_key(&self, tenant: &Tenant, key: &str) -> Result<Option<Provisioned>> {
        match self.existing(&self.store.db, tenant, key).await? {
            Some(m) => self.replay(tenant, m).await.map(Some),
            None => Ok(None),
        }
    }

    /// The entry `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, id: i64) -> Result<ProvisioningEntry> {
        to_entry(scope::get::<prov::Entity, _>(&self.store.db, tenant, id).await?)
    }

    /// The tenant's entries, newest first, optionally only those in `status`.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(
        &self,
        tenant: &Tenant,
        status: Option<OutboxStatus>,
        page: Page,
    ) -> Result<Vec<ProvisioningEntry>> {
        let mut q = scope::select::<prov::Entity>(tenant);
        if let Some(s) = status {
            q = q.filter(prov::Column::Status.eq(s.as_str()));
        }
        let rows =
            scope::paged(q.order_by_desc(prov::Column::Id), page).all(&self.store.db).await.map_err(unavailable)?;
        rows.into_iter().map(to_entry).collect()
    }

    /// Records success: the panel link goes on the subscription, the entry is done and the
    /// customer's notification is queued, in one transaction. Completing twice is harmless.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Invalid`], [`Error::Unavailable`].
    pub async fn complete(
        &self,
        tenant: &Tenant,
        entry_id: i64,
        link: &PanelLink,
        notification: Option<NewNotification>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if link.subscription_url.chars().count() > 2048 || link.uuid.as_ref().is_some_and(|u| u.len() > 64) {
            return Err(Error::invalid("subscription_url", "the panel returned an over-long link or uuid"));
        }
        let tx = self.store.write_tx().await?;
        let entry = scope::get::<prov::Entity, _>(&tx, tenant, entry_id).await?;
        if entry.status == OutboxStatus::Done.as_str() {
            tx.rollback().await.map_err(unavailable)?;
            return Ok(());
        }
        scope::update::<subscription::Entity>(tenant)
            .col_expr(subscription::Column::PanelUserId, Expr::value(Some(link.id)))
            .col_expr(subscription::Column::PanelUserUuid, Expr::value(link.uuid.clone()))
            .col_expr(subscription::Column::SubscriptionUrl, Expr::value(Some(link.subscription_url.clone())))
            .col_expr(subscription::Column::UpdatedAt, Expr::value(now))
            .filter(subscription::Column::Id.eq(entry.subscription_id))
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        scope::update::<prov::Entity>(tenant)
            .col_expr(prov::Column::Status, Expr::value(OutboxStatus::Done.as_str()))
            .col_expr(prov::Column::DoneAt, Expr::value(Some(now)))
            .col_expr(prov::Column::LockedUntil, Expr::value(None::<DateTime<Utc>>))
            .col_expr(prov::Column::Attempts, Expr::col(prov::Column::Attempts).add(1))
            .filter(prov::Column::Id.eq(entry_id))
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        if let Some(n) = notification {
            enqueue_in(&tx, tenant, &n, now).await?;
        }
        tx.commit().await.map_err(unavailable)
    }

    /// Records a failed attempt: the entry stays pending until `next_attempt_at`. When
    /// `alerts` is not empty they are queued and the entry is marked as alerted.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn fail(
        &self,
        tenant: &Tenant,
        entry_id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        alerts: &[NewNotification],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.store.write_tx().await?;
        scope::get::<prov::Entity, _>(&tx, tenant, entry_id).await?;
        let mut q = scope::update::<prov::Entity>(tenant)
            .col_expr(prov::Column::Attempts, Expr::col(prov::Column::Attempts).add(1))
            .col_expr(prov::Column::LastError, Expr::value(Some(truncate(error, 2000))))
            .col_expr(prov::Column::NextAttemptAt, Expr::value(next_attempt_at))
            .col_expr(prov::Column::LockedUntil, Expr::value(None::<DateTime<Utc>>));
        if !alerts.is_empty() {
            q = q.col_expr(prov::Column::Alerted, Expr::value(true));
        }
        q.filter(prov::Column::Id.eq(entry_id))
            .filter(prov::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        for n in alerts {
            enqueue_in(&tx, tenant, n, now).await?;
        }
        tx.commit().await.map_err(unavailable)
    }

    /// Claims the tenant's next due entry (the longest waiting first) with a lease until
    /// `now + lease`, so no other worker takes it meanwhile; `None` when nothing is due. One
    /// entry at a time: a worker that dies holds at most the entry it was applying, whose
    /// lease runs out (the worker renews it with [`Provisioning::renew_lease`] while it works).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn claim_next(
        &self,
        tenant: &Tenant,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<ProvisioningEntry>> {
        // Another worker may win the row between the read and the conditional update: then
        // the next candidate is tried.
        for _ in 0..5 {
            let Some(m) = claimable::<prov::Entity, _>(scope::select::<prov::Entity>(tenant), now)
                .order_by_asc(prov::Column::NextAttemptAt)
                .order_by_asc(prov::Column::Id)
                .one(&self.store.db)
                .await
                .map_err(unavailable)?
            else {
                return Ok(None);
            };
            let res = claimable::<prov::Entity, _>(scope::update::<prov::Entity>(tenant), now)
                .col_expr(prov::Column::LockedUntil, Expr::value(Some(limits::later(now, lease))))
                .filter(prov::Column::Id.eq(m.id))
                .exec(&self.store.db)
                .await
                .map_err(unavailable)?;
            if res.rows_affected == 1 {
                return to_entry(m).map(Some);
            }
        }
        Ok(None)
    }

    /// Moves the lease of an entry this worker is applying to `until`.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn renew_lease(&self, tenant: &Tenant, entry_id: i64, until: DateTime<Utc>) -> Result<()> {
        scope::update::<prov::Entity>(tenant)
            .col_expr(prov::Column::LockedUntil, Expr::value(Some(until)))
            .filter(prov::Column::Id.eq(entry_id))
            .filter(prov::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// Gives a claimed entry back unapplied (the worker is stopping), so the next worker takes
    /// it at once instead of waiting for the lease.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn release(&self, tenant: &Tenant, entry_id: i64) -> Result<()> {
        scope::update::<prov::Entity>(tenant)
            .col_expr(prov::Column::LockedUntil, Expr::value(None::<DateTime<Utc>>))
            .filter(prov::Column::Id.eq(entry_id))
            .filter(prov::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// How many entries of the tenant are still pending.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn pending_count(&self, tenant: &Tenant) -> Result<u64> {
        scope::select::<prov::Entity>(tenant)
            .filter(prov::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .count(&self.store.db)
            .await
            .map_err(unavailable)
    }
}

/// Refuses one more change of subscription `sub_id` while [`MAX_PENDING_PER_SUBSCRIPTION`]
/// of its changes still wait for the panel.
async fn check_pending_room(c: &impl ConnectionTrait, tenant: &Tenant, sub_id: i64) -> Result<()> {
    let pending = scope::select::<prov::Entity>(tenant)
        .filter(prov::Column::SubscriptionId.eq(sub_id))
        .filter(prov::Column::Status.eq(OutboxStatus::Pending.as_str()))
        .count(c)
        .await
        .map_err(unavailable)?;
    if pending >= MAX_PENDING_PER_SUBSCRIPTION {
        return Err(Error::Conflict(format!(
            "{pending} changes of this subscription are still waiting for the panel (at most \
             {MAX_PENDING_PER_SUBSCRIPTION}); try again once they are applied"
        )));
    }
    Ok(())
}

/// Narrows `q` to the entries a worker may claim at `now`: pending, due, and not leased.
pub(crate) fn claimable<E: OutboxTable, Q: QueryFilter>(q: Q, now: DateTime<Utc>) -> Q {
    q.filter(E::col("status").eq(OutboxStatus::Pending.as_str()))
        .filter(E::col("next_attempt_at").lte(now))
        .filter(E::col("locked_until").is_null().or(E::col("locked_until").lt(now)))
}

pub(crate) async fn enqueue_in(
    c: &impl ConnectionTrait,
    tenant: &Tenant,
    n: &NewNotification,
    now: DateTime<Utc>,
) -> Result<bool> {
    insert_entry(c, tenant, n.chat_id, &n.text, &n.idempotency_key, None, now).await
}

/// Queues an edit in the caller's transaction; false when the key was queued before.
pub(crate) async fn enqueue_edit_in(
    c: &impl ConnectionTrait,
    tenant: &Tenant,
    e: &NewEdit,
    now: DateTime<Utc>,
) -> Result<bool> {
    if e.caption && e.text.chars().count() > MAX_CAPTION {
        return Err(Error::invalid("text", "a caption must be 1 to 1024 characters"));
    }
    let bad_button = e.button.as_ref().is_some_and(|b| {
        b.text.trim().is_empty() || b.text.chars().count() > 64 || b.data.is_empty() || b.data.len() > 64
    });
    if bad_button {
        return Err(Error::invalid("button", "needs a label of 1 to 64 characters and 1 to 64 bytes of data"));
    }
    let target = EditTarget { message_id: e.message_id, caption: e.caption, button: e.button.clone() };
    insert_entry(c, tenant, e.chat_id, &e.text, &e.idempotency_key, Some(&target), now).await
}

async fn insert_entry(
    c: &impl ConnectionTrait,
    tenant: &Tenant,
    chat_id: i64,
    text: &str,
    key: &str,
    edit: Option<&EditTarget>,
    now: DateTime<Utc>,
) -> Result<bool> {
    check_key(key)?;
    if text.trim().is_empty() || text.chars().count() > MAX_TEXT {
        return Err(Error::invalid("text", "must be 1 to 4096 characters"));
    }
    let exists = scope::select::<note::Entity>(tenant)
        .filter(note::Column::IdempotencyKey.eq(key))
        .count(c)
        .await
        .map_err(unavailable)?;
    if exists > 0 {
        return Ok(false);
    }
    let button = edit.and_then(|e| e.button.as_ref());
    note::ActiveModel {
        bot_id: Set(tenant.bot_id().0),
        created_at: Set(now),
        chat_id: Set(chat_id),
        text: Set(text.to_owned()),
        status: Set(OutboxStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        done_at: Set(None),
        idempotency_key: Set(key.to_owned()),
        edit_message_id: Set(edit.map(|e| e.message_id)),
        edit_caption: Set(edit.is_some_and(|e| e.caption)),
        edit_button_text: Set(button.map(|b| b.text.clone())),
        edit_button_data: Set(button.map(|b| b.data.clone())),
        ..Default::default()
    }
    .insert(c)
    .await
    .map_err(unavailable)?;
    Ok(true)
}

/// The notification outbox of a tenant.
#[derive(Debug, Clone, Copy)]
pub struct Notifications<'a> {
    store: &'a Store,
}

impl Notifications<'_> {
    /// Queues a message; the same key queues once.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty or over-long text or a bad key; [`Error::Unavailable`].
    pub async fn enqueue(&self, tenant: &Tenant, n: &NewNotification) -> Result<bool> {
        let tx = self.store.write_tx().await?;
        let res = enqueue_in(&tx, tenant, n, Utc::now()).await;
        self.settle(tx, tenant, &n.idempotency_key, res).await
    }

    /// Queues an edit of a message the bot sent; the same key queues once.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty or over-long text, a bad button or key;
    /// [`Error::Unavailable`].
    pub async fn enqueue_edit(&self, tenant: &Tenant, e: &NewEdit) -> Result<bool> {
        let tx = self.store.write_tx().await?;
        let res = enqueue_edit_in(&tx, tenant, e, Utc::now()).await;
        self.settle(tx, tenant, &e.idempotency_key, res).await
    }

    /// Commits a queued entry, or tells a concurrent enqueue of the same key (which wins on
    /// the unique index) from a real failure.
    async fn settle(&self, tx: DatabaseTransaction, tenant: &Tenant, key: &str, res: Result<bool>) -> Result<bool> {
        match res {
            Ok(queued) => {
                tx.commit().await.map_err(unavailable)?;
                Ok(queued)
            }
            Err(Error::Unavailable { .. }) => {
                tx.rollback().await.map_err(unavailable)?;
                let again = scope::select::<note::Entity>(tenant)
                    .filter(note::Column::IdempotencyKey.eq(key))
                    .count(&self.store.db)
                    .await
                    .map_err(unavailable)?;
                if again > 0 {
                    Ok(false)
                } else {
                    Err(Error::Conflict("could not queue the message; try again".to_owned()))
                }
            }
            Err(e) => {
                tx.rollback().await.map_err(unavailable)?;
                Err(e)
            }
        }
    }

    /// Marks a message sent.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn mark_sent(&self, tenant: &Tenant, id: i64, now: DateTime<Utc>) -> Result<()> {
        let res = scope::update::<note::Entity>(tenant)
            .col_expr(note::Column::Status, Expr::value(OutboxStatus::Done.as_str()))
            .col_expr(note::Column::DoneAt, Expr::value(Some(now)))
            .col_expr(note::Column::LockedUntil, Expr::value(None::<DateTime<Utc>>))
            .col_expr(note::Column::Attempts, Expr::col(note::Column::Attempts).add(1))
            .filter(note::Column::Id.eq(id))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            return Err(Error::not_found(note::Entity::NOUN));
        }
        Ok(())
    }

    /// Gives up on a message that can never be delivered (the customer blocked the bot):
    /// it is closed with the reason kept in `last_error`.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn mark_undeliverable(&self, tenant: &Tenant, id: i64, reason: &str, now: DateTime<Utc>) -> Result<()> {
        let res = scope::update::<note::Entity>(tenant)
            .col_expr(note::Column::Status, Expr::value(OutboxStatus::Done.as_str()))
            .col_expr(note::Column::DoneAt, Expr::value(Some(now)))
            .col_expr(note::Column::LastError, Expr::value(Some(truncate(reason, 2000))))
            .col_expr(note::Column::LockedUntil, Expr::value(None::<DateTime<Utc>>))
            .col_expr(note::Column::Attempts, Expr::col(note::Column::Attempts).add(1))
            .filter(note::Column::Id.eq(id))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            return Err(Error::not_found(note::Entity::NOUN));
        }
        Ok(())
    }

    /// Records a failed delivery; the message is retried from `next_attempt_at`.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn mark_failed(
        &self,
        tenant: &Tenant,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<()> {
        let res = scope::update::<note::Entity>(tenant)
            .col_expr(note::Column::Attempts, Expr::col(note::Column::Attempts).add(1))
            .col_expr(note::Column::LastError, Expr::value(Some(truncate(error, 2000))))
            .col_expr(note::Column::NextAttemptAt, Expr::value(next_attempt_at))
            .col_expr(note::Column::LockedUntil, Expr::value(None::<DateTime<Utc>>))
            .filter(note::Column::Id.eq(id))
            .filter(note::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            return Err(Error::not_found(note::Entity::NOUN));
        }
        Ok(())
    }

    /// The tenant's messages, newest first, optionally only those in `status`.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant, status: Option<OutboxStatus>, page: Page) -> Result<Vec<Notification>> {
        let mut q = scope::select::<note::Entity>(tenant);
        if let Some(s) = status {
            q = q.filter(note::Column::Status.eq(s.as_str()));
        }
        let rows =
            scope::paged(q.order_by_desc(note::Column::Id), page).all(&self.store.db).await.map_err(unavailable)?;
        rows.into_iter().map(to_notification).collect()
    }
}

/// Claims up to `limit` due entries of an outbox table across tenants: each claimed row gets
/// a lease (`locked_until`) so another worker does not take it meanwhile; a worker that dies
/// loses its lease when it runs out, and the entry is claimed again.
pub(crate) async fn claim<E>(store: &Store, now: DateTime<Utc>, limit: u64, lease: Duration) -> Result<Vec<E::Model>>
where
    E: OutboxTable,
    E::Model: sea_orm::FromQueryResult + Send + Sync,
{
    let candidates = claimable::<E, _>(E::find(), now)
        .order_by_asc(E::col("next_attempt_at"))
        .limit(limit)
        .all(&store.db)
        .await
        .map_err(unavailable)?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for m in candidates {
        let id = E::id_of(&m);
        // The same condition again: only one worker's update matches a given row.
        let res = claimable::<E, _>(E::update_many(), now)
            .col_expr(E::col("locked_until"), Expr::value(Some(limits::later(now, lease))))
            .filter(E::col("id").eq(id))
            .exec(&store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 1 {
            claimed.push(m);
        }
    }
    Ok(claimed)
}

/// The two outbox tables, for [`claim`].
pub(crate) trait OutboxTable: TenantOwned {
    fn col(name: &str) -> Self::Column;
    fn id_of(m: &Self::Model) -> i64;
}

impl OutboxTable for prov::Entity {
    fn col(name: &str) -> prov::Column {
        match name {
            "status" => prov::Column::Status,
            "next_attempt_at" => prov::Column::NextAttemptAt,
            "locked_until" => prov::Column::LockedUntil,
            _ => prov::Column::Id,
        }
    }
    fn id_of(m: &prov::Model) -> i64 {
        m.id
    }
}

impl OutboxTable for note::Entity {
    fn col(name: &str) -> note::Column {
        match name {
            "status" => note::Column::Status,
            "next_attempt_at" => note::Column::NextAttemptAt,
            "locked_until" => note::Column::LockedUntil,
            _ => note::Column::Id,
        }
    }
    fn id_of(m: &note::Model) -> i64 {
        m.id
    }
}

/// A claimed notification with its tenant.
pub(crate) fn claimed_notification(m: note::Model) -> Result<(BotId, Notification)> {
    let bot = BotId(m.bot_id);
    Ok((bot, to_notification(m)?))
}
