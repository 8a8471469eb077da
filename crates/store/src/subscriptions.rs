//! Customers' VPN subscriptions: creation, extension, status, panel link and traffic usage.

use chrono::{DateTime, Utc};
use remnabot_domain::limits;
use remnabot_domain::{Error, Page, PlanId, Result, SubscriptionId, Tenant, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;

use crate::db::{map_write, unavailable};
use crate::entity::{bot_plan, subscription};
use crate::{Store, scope};

/// Declares a status/kind enum stored as a string: serde `snake_case`, `as_str`, `parse`
/// (an unknown value is [`Error::Invalid`] naming `$field`), `ALL` and `Display`.
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($(#[$vm:meta])* $variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as stored in the database and shown by the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s),+
                }
            }

            /// Parses the stored form.
            ///
            /// # Errors
            #[doc = concat!("[`remnabot_domain::Error::Invalid`] naming `", $field, "` for anything else.")]
            pub fn parse(s: &str) -> remnabot_domain::Result<$name> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err(remnabot_domain::Error::invalid(
                        $field,
                        format!(
                            "`{}` is not one of {}",
                            s.chars().take(32).collect::<String>(),
                            [$($s),+].join(", ")
                        ),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use str_enum;

str_enum!(
    /// Where a subscription stands.
    SubscriptionStatus, "status" {
        /// Paid and running.
        Active => "active",
        /// The free trial, running.
        Trial => "trial",
        /// Past its expiry.
        Expired => "expired",
        /// Traffic limit reached.
        Limited => "limited",
        /// Switched off by an admin.
        Disabled => "disabled",
    }
);

/// A customer's subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub user_id: UserId,
    pub plan_id: Option<PlanId>,
    pub status: SubscriptionStatus,
    pub is_trial: bool,
    pub starts_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// 0 means unlimited.
    pub traffic_limit_bytes: i64,
    pub traffic_used_bytes: i64,
    pub device_limit: u32,
    /// The panel user's numeric id (Remnawave v3) and uuid (v2), once provisioned.
    pub panel_user_id: Option<i64>,
    pub panel_user_uuid: Option<String>,
    pub subscription_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What creating a subscription needs. The status is `trial` for a trial, else `active`.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub user: UserId,
    pub plan: Option<PlanId>,
    pub is_trial: bool,
    pub starts_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// 0 means unlimited.
    pub traffic_limit_bytes: i64,
    pub device_limit: u32,
}

impl NewSubscription {
    fn validate(&self) -> Result<()> {
        if self.expires_at <= self.starts_at {
            return Err(Error::invalid("expires_at", "must be after starts_at"));
        }
        if !(1..=1000).contains(&self.device_limit) {
            return Err(Error::invalid("device_limit", "must be between 1 and 1000"));
        }
        if self.traffic_limit_bytes < 0 {
            return Err(Error::invalid("traffic_limit_bytes", "must be zero (unlimited) or positive"));
        }
        Ok(())
    }
}

/// The longest single extension.
const MAX_EXTEND_DAYS: u32 = 3650;

pub(crate) fn to_subscription(m: subscription::Model) -> Result<Subscription> {
    Ok(Subscription {
        id: SubscriptionId(m.id),
        user_id: UserId(m.user_id),
        plan_id: m.plan_id.map(PlanId),
        status: SubscriptionStatus::parse(&m.status)?,
        is_trial: m.is_trial,
        starts_at: m.starts_at,
        expires_at: m.expires_at,
        traffic_limit_bytes: m.traffic_limit_bytes,
        traffic_used_bytes: m.traffic_used_bytes,
        device_limit: u32::try_from(m.device_limit).unwrap_or(0),
        panel_user_id: m.panel_user_id,
        panel_user_uuid: m.panel_user_uuid,
        subscription_url: m.subscription_url,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn to_subscriptions(rows: Vec<subscription::Model>) -> Result<Vec<Subscription>> {
    rows.into_iter().map(to_subscription).collect()
}

/// The subscriptions repository.
#[derive(Debug, Clone, Copy)]
pub struct Subscriptions<'a> {
    store: &'a Store,
}

impl Store {
    /// The subscriptions repository.
    pub fn subscriptions(&self) -> Subscriptions<'_> {
        Subscriptions { store: self }
    }
}

/// The row of a new subscription of this tenant (status `trial` or `active`), validated. Used
/// by [`Subscriptions::create`] and by the purchase and trial operations of the outbox.
pub(crate) fn new_row(tenant: &Tenant, new: &NewSubscription, now: DateTime<Utc>) -> Result<subscription::ActiveModel> {
    new.validate()?;
    let status = if new.is_trial { SubscriptionStatus::Trial } else { SubscriptionStatus::Active };
    Ok(subscription::ActiveModel {
        bot_id: Set(tenant.bot_id().0),
        created_at: Set(now),
        updated_at: Set(now),
        user_id: Set(new.user.0),
        plan_id: Set(new.plan.map(|p| p.0)),
        status: Set(status.as_str().to_owned()),
        is_trial: Set(new.is_trial),
        starts_at: Set(new.starts_at),
        expires_at: Set(new.expires_at),
        traffic_limit_bytes: Set(new.traffic_limit_bytes),
        traffic_used_bytes: Set(0),
        device_limit: Set(i32::try_from(new.device_limit).unwrap_or(i32::MAX)),
        panel_user_id: Set(None),
        panel_user_uuid: Set(None),
        subscription_url: Set(None),
        ..Default::default()
    })
}

impl Subscriptions<'_> {
    /// Creates a subscription for a customer of this tenant.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field; [`Error::NotFound`] (`user` or `plan`) when the
    /// customer or plan is not this tenant's; [`Error::Unavailable`].
    pub async fn create(&self, tenant: &Tenant, new: NewSubscription) -> Result<Subscription> {
        let now = Utc::now();
        let inserted = new_row(tenant, &new, now)?.insert(&self.store.db).await;
        match inserted {
            Ok(m) => to_subscription(m),
            Err(e) => {
                let err = map_write(e, || "this subscription already exists".to_owned(), "user");
                // Two references can fail; name the plan when it is the missing one.
                if matches!(err, Error::NotFound { .. })
                    && let Some(plan) = new.plan
                    && scope::get::<bot_plan::Entity, _>(&self.store.db, tenant, plan.0).await.is_err()
                {
                    return Err(Error::not_found("plan"));
                }
                Err(err)
            }
        }
    }

    /// The subscription `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's), [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, id: SubscriptionId) -> Result<Subscription> {
        to_subscription(scope::get::<subscription::Entity, _>(&self.store.db, tenant, id.0).await?)
    }

    /// The customer's subscription that runs latest (by expiry), whatever its status.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn current_for_user(&self, tenant: &Tenant, user: UserId) -> Result<Option<Subscription>> {
        let row = scope::select_by_key::<subscription::Entity>(tenant)
            .filter(subscription::Column::UserId.eq(user.0))
            .order_by_desc(subscription::Column::ExpiresAt)
            .order_by_desc(subscription::Column::Id)
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        row.map(to_subscription).transpose()
    }

    /// A page of this tenant's subscriptions, newest first, optionally of one status.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(
        &self,
        tenant: &Tenant,
        status: Option<SubscriptionStatus>,
        page: Page,
    ) -> Result<Vec<Subscription>> {
        let mut q = scope::select::<subscription::Entity>(tenant);
        if let Some(s) = status {
            q = q.filter(subscription::Column::Status.eq(s.as_str()));
        }
        let rows = scope::paged(q.order_by_desc(subscription::Column::Id), page)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        to_subscriptions(rows)
    }

    /// A page of one customer's subscriptions, newest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list_for_user(&self, tenant: &Tenant, user: UserId, page: Page) -> Result<Vec<Subscription>> {
        self.list_of_user(tenant, user, None, page).await
    }

    /// A page of one customer's subscriptions, newest first, only of `status` when given.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list_of_user(
        &self,
        tenant: &Tenant,
        user: UserId,
        status: Option<SubscriptionStatus>,
        page: Page,
    ) -> Result<Vec<Subscription>> {
        let mut q =
            scope::select_by_key::<subscription::Entity>(tenant).filter(subscription::Column::UserId.eq(user.0));
        if let Some(s) = status {
            q = q.filter(subscription::Column::Status.eq(s.as_str()));
        }
        let rows = scope::paged(q.order_by_desc(subscription::Column::Id), page)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        to_subscriptions(rows)
    }

    /// Extends the subscription by `days`: from its expiry when that is still ahead of `now`,
    /// otherwise from `now`. The status becomes `active` (`trial` for a trial). Concurrent
    /// extensions add up; none is lost.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`days`) for 0, more than 3650 days or an out-of-range date;
    /// [`Error::NotFound`]; [`Error::Unavailable`].
    pub async fn extend(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        days: u32,
        now: DateTime<Utc>,
    ) -> Result<Subscription> {
        if !(1..=MAX_EXTEND_DAYS).contains(&days) {
            return Err(Error::invalid("days", format!("must be between 1 and {MAX_EXTEND_DAYS}")));
        }
        let tx = self.store.write_tx().await?;
        // Row lock on PostgreSQL; SQLite's write transaction already serialises writers.
        let row = scope::select::<subscription::Entity>(tenant)
            .filter(subscription::Column::Id.eq(id.0))
            .lock_exclusive()
            .one(&tx)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Error::not_found("subscription"))?;
        let from = if row.expires_at > now { row.expires_at } else { now };
        let expires_at = limits::add_days("days", from, i64::from(days))?;
        let status = if row.is_trial { SubscriptionStatus::Trial } else { SubscriptionStatus::Active };
        scope::update::<subscription::Entity>(tenant)
            .col_expr(subscription::Column::ExpiresAt, Expr::value(expires_at))
            .col_expr(subscription::Column::Status, Expr::value(status.as_str()))
            .col_expr(subscription::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(subscription::Column::Id.eq(id.0))
            .exec(&tx)
            .await
            .map_err(unavailable)?;
        let updated = scope::get::<subscription::Entity, _>(&tx, tenant, id.0).await?;
        tx.commit().await.map_err(unavailable)?;
        to_subscription(updated)
    }

    /// Sets the subscription's status.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn set_status(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        status: SubscriptionStatus,
    ) -> Result<Subscription> {
        self.set(tenant, id, vec![(subscription::Column::Status, Expr::value(status.as_str()))]).await
    }

    /// Records the panel user and subscription link of the subscription (`None` clears them).
    ///
    /// # Errors
    /// [`Error::Invalid`] (`panel_user_uuid` longer than 64 characters, `subscription_url`
    /// longer than 2048); [`Error::NotFound`]; [`Error::Unavailable`].
    pub async fn set_panel(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        panel_user_uuid: Option<String>,
        subscription_url: Option<String>,
    ) -> Result<Subscription> {
        let uuid = panel_user_uuid.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let url = subscription_url.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if uuid.as_ref().is_some_and(|u| u.chars().count() > 64) {
            return Err(Error::invalid("panel_user_uuid", "must be at most 64 characters"));
        }
        if url.as_ref().is_some_and(|u| u.chars().count() > 2048) {
            return Err(Error::invalid("subscription_url", "must be at most 2048 characters"));
        }
        self.set(
            tenant,
            id,
            vec![
                (subscription::Column::PanelUserUuid, Expr::value(uuid)),
                (subscription::Column::SubscriptionUrl, Expr::value(url)),
            ],
        )
        .await
    }

    /// Records the traffic used so far, as the panel reports it.
    ///
    /// # Errors
    /// [`Error::Invalid`] (`traffic_used_bytes`) for a negative value; [`Error::NotFound`];
    /// [`Error::Unavailable`].
    pub async fn record_usage(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        traffic_used_bytes: i64,
    ) -> Result<Subscription> {
        if traffic_used_bytes < 0 {
            return Err(Error::invalid("traffic_used_bytes", "must be zero or positive"));
        }
        self.set(tenant, id, vec![(subscription::Column::TrafficUsedBytes, Expr::value(traffic_used_bytes))]).await
    }

    /// A page of running subscriptions (`active`, `trial` or `limited`) that expire before
    /// `instant`, soonest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn expiring_before(
        &self,
        tenant: &Tenant,
        instant: DateTime<Utc>,
        page: Page,
    ) -> Result<Vec<Subscription>> {
        let running =
            [SubscriptionStatus::Active, SubscriptionStatus::Trial, SubscriptionStatus::Limited].map(|s| s.as_str());
        let q = scope::select::<subscription::Entity>(tenant)
            .filter(subscription::Column::Status.is_in(running))
            .filter(subscription::Column::ExpiresAt.lt(instant))
            .order_by_asc(subscription::Column::ExpiresAt)
            .order_by_asc(subscription::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        to_subscriptions(rows)
    }

    /// Deletes the subscription record (the panel user is not touched).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn delete(&self, tenant: &Tenant, id: SubscriptionId) -> Result<()> {
        scope::delete_by_id::<subscription::Entity, _>(&self.store.db, tenant, id.0).await
    }

    async fn set(
        &self,
        tenant: &Tenant,
        id: SubscriptionId,
        values: Vec<(subscription::Column, Expr)>,
    ) -> Result<Subscription> {
        let mut q = scope::update::<subscription::Entity>(tenant);
        for (col, value) in values {
            q = q.col_expr(col, value);
        }
        let res = q
            .col_expr(subscription::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(subscription::Column::Id.eq(id.0))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        if res.rows_affected == 0 {
            return Err(Error::not_found("subscription"));
        }
        self.get(tenant, id).await
    }
}
