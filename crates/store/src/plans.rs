//! A tenant's plans: what customers can buy (period, traffic, devices, price).

use chrono::{DateTime, Utc};
use remnabot_domain::{Error, Page, PlanId, Result, Tenant, Toman};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::db::{map_write, unavailable};
use crate::entity::bot_plan;
use crate::{Store, scope};

/// A plan as customers and the API see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub id: PlanId,
    pub name: String,
    pub description: Option<String>,
    pub period_days: u32,
    /// Traffic limit in GB; 0 means unlimited.
    pub traffic_gb: u32,
    pub device_limit: u32,
    pub price: Toman,
    pub sort_order: i32,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

/// The fields of a plan, for creating or replacing one.
#[derive(Debug, Clone)]
pub struct PlanSpec {
    pub name: String,
    pub description: Option<String>,
    pub period_days: u32,
    pub traffic_gb: u32,
    pub device_limit: u32,
    pub price: Toman,
    pub sort_order: i32,
}

impl PlanSpec {
    fn validate(&self) -> Result<()> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 255 {
            return Err(Error::invalid("name", "must be 1 to 255 characters"));
        }
        if !(1..=3650).contains(&self.period_days) {
            return Err(Error::invalid("period_days", "must be between 1 and 3650"));
        }
        if self.traffic_gb > 1_000_000 {
            return Err(Error::invalid("traffic_gb", "must be at most 1000000 (0 means unlimited)"));
        }
        if !(1..=1000).contains(&self.device_limit) {
            return Err(Error::invalid("device_limit", "must be between 1 and 1000"));
        }
        self.price.positive("price")?;
        Ok(())
    }
}

pub(crate) fn to_plan(m: bot_plan::Model) -> Plan {
    Plan {
        id: PlanId(m.id),
        name: m.name,
        description: m.description,
        period_days: u32::try_from(m.period_days).unwrap_or(0),
        traffic_gb: u32::try_from(m.traffic_gb).unwrap_or(0),
        device_limit: u32::try_from(m.device_limit).unwrap_or(0),
        price: Toman(m.price_toman),
        sort_order: m.sort_order,
        is_active: m.is_active,
        created_at: m.created_at,
    }
}

fn duplicate_name() -> String {
    "this tenant already has a plan with that name".to_owned()
}

/// The plans repository.
#[derive(Debug, Clone, Copy)]
pub struct Plans<'a> {
    store: &'a Store,
}

impl Store {
    /// The plans repository.
    pub fn plans(&self) -> Plans<'_> {
        Plans { store: self }
    }
}

impl Plans<'_> {
    /// Creates an active plan.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field; [`Error::Conflict`] for a duplicate name.
    pub async fn create(&self, tenant: &Tenant, spec: PlanSpec) -> Result<Plan> {
        spec.validate()?;
        let now = Utc::now();
        bot_plan::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(now),
            updated_at: Set(now),
            name: Set(spec.name.trim().to_owned()),
            description: Set(spec.description),
            period_days: Set(spec.period_days as i32),
            traffic_gb: Set(spec.traffic_gb as i32),
            device_limit: Set(spec.device_limit as i32),
            price_toman: Set(spec.price.0),
            sort_order: Set(spec.sort_order),
            is_active: Set(true),
            ..Default::default()
        }
        .insert(&self.store.db)
        .await
        .map(to_plan)
        .map_err(|e| map_write(e, duplicate_name, "bot"))
    }

    /// The plan `id` of this tenant.
    ///
    /// # Errors
    /// [`Error::NotFound`] (also for another tenant's plan).
    pub async fn get(&self, tenant: &Tenant, id: PlanId) -> Result<Plan> {
        scope::get::<bot_plan::Entity, _>(&self.store.db, tenant, id.0).await.map(to_plan)
    }

    /// This tenant's plans in display order (`sort_order`, then id); only active ones when
    /// `active_only`.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant, active_only: bool, page: Page) -> Result<Vec<Plan>> {
        let mut q = scope::select::<bot_plan::Entity>(tenant);
        if active_only {
            q = q.filter(bot_plan::Column::IsActive.eq(true));
        }
        let q = q.order_by_asc(bot_plan::Column::SortOrder).order_by_asc(bot_plan::Column::Id);
        let rows = scope::paged(q, page).all(&self.store.db).await.map_err(unavailable)?;
        Ok(rows.into_iter().map(to_plan).collect())
    }

    /// Replaces the plan's fields.
    ///
    /// # Errors
    /// [`Error::Invalid`], [`Error::NotFound`], [`Error::Conflict`].
    pub async fn update(&self, tenant: &Tenant, id: PlanId, spec: PlanSpec) -> Result<Plan> {
        spec.validate()?;
        let mut row: bot_plan::ActiveModel =
            scope::get::<bot_plan::Entity, _>(&self.store.db, tenant, id.0).await?.into();
        row.name = Set(spec.name.trim().to_owned());
        row.description = Set(spec.description);
        row.period_days = Set(spec.period_days as i32);
        row.traffic_gb = Set(spec.traffic_gb as i32);
        row.device_limit = Set(spec.device_limit as i32);
        row.price_toman = Set(spec.price.0);
        row.sort_order = Set(spec.sort_order);
        row.updated_at = Set(Utc::now());
        row.update(&self.store.db).await.map(to_plan).map_err(|e| map_write(e, duplicate_name, "bot"))
    }

    /// Shows or hides the plan for customers.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub async fn set_active(&self, tenant: &Tenant, id: PlanId, active: bool) -> Result<Plan> {
        let mut row: bot_plan::ActiveModel =
            scope::get::<bot_plan::Entity, _>(&self.store.db, tenant, id.0).await?.into();
        row.is_active = Set(active);
        row.updated_at = Set(Utc::now());
        row.update(&self.store.db).await.map(to_plan).map_err(unavailable)
    }

    /// Deletes the plan.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Conflict`] when subscriptions still refer to it
    /// (deactivate it instead).
    pub async fn delete(&self, tenant: &Tenant, id: PlanId) -> Result<()> {
        scope::delete_by_id::<bot_plan::Entity, _>(&self.store.db, tenant, id.0).await
    }
}
