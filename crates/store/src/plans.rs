//! A tenant's plans: what customers can buy (period, traffic, devices, price).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use remnabot_domain::limits;
use remnabot_domain::text::{PlanDescription, PlanName};
use remnabot_domain::{Error, Page, PlanId, Result, Tenant, Toman};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use crate::db::{map_write, unavailable};
use crate::entity::{bot_plan, card_to_card_payment, stars_payment, subscription, transaction, zarinpal_payment};
use crate::transactions::TransactionKind;
use crate::{Store, scope};

/// What refers to a plan: it can be deleted only when nothing does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanUse {
    /// Subscriptions currently on the plan.
    pub subscriptions: u64,
    /// Sales of the plan and payments started for it (any outcome).
    pub orders: u64,
}

impl PlanUse {
    /// Whether anything refers to the plan.
    pub fn any(&self) -> bool {
        self.subscriptions > 0 || self.orders > 0
    }
}

/// How many rows of `E` this tenant has whose `col` is `plan`.
async fn count_refs<E, C>(c: &C, tenant: &Tenant, col: E::Column, plan: PlanId) -> Result<u64>
where
    E: crate::entity::TenantOwned,
    E::Model: sea_orm::FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    scope::select::<E>(tenant).filter(col.eq(plan.0)).count(c).await.map_err(unavailable)
}

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

/// A plan's fields once checked.
struct ValidPlan {
    name: String,
    description: Option<String>,
}

impl PlanSpec {
    /// Checks every field against the domain's bounds ([`PlanName`], [`PlanDescription`],
    /// [`limits`]), so every plan fits the bot's screens.
    fn validate(&self) -> Result<ValidPlan> {
        let name = PlanName::parse(&self.name)?.into_string();
        let description = PlanDescription::parse_opt(self.description.as_deref())?.map(String::from);
        limits::check_u32("period_days", self.period_days, limits::PLAN_DAYS)?;
        limits::check_u32("traffic_gb", self.traffic_gb, limits::TRAFFIC_GB)?;
        limits::check_u32("device_limit", self.device_limit, limits::DEVICES)?;
        limits::check("price", self.price.0, limits::AMOUNT)?;
        limits::check("sort_order", i64::from(self.sort_order), limits::SORT_ORDER)?;
        Ok(ValidPlan { name, description })
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
        let valid = spec.validate()?;
        let now = Utc::now();
        bot_plan::ActiveModel {
            bot_id: Set(tenant.bot_id().0),
            created_at: Set(now),
            updated_at: Set(now),
            name: Set(valid.name),
            description: Set(valid.description),
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
        let valid = spec.validate()?;
        let mut row: bot_plan::ActiveModel =
            scope::get::<bot_plan::Entity, _>(&self.store.db, tenant, id.0).await?.into();
        row.name = Set(valid.name);
        row.description = Set(valid.description);
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
    /// [`Error::NotFound`]; [`Error::Conflict`] when subscriptions, sales or payments refer
    /// to it (deactivate it instead; [`Plans::usage`] says what refers to it).
    pub async fn delete(&self, tenant: &Tenant, id: PlanId) -> Result<()> {
        self.get(tenant, id).await?;
        let usage = self.usage(tenant, id).await?;
        if usage.any() {
            return Err(Error::Conflict(format!(
                "the plan is used by {} subscription(s) and {} sale(s) or payment(s); deactivate it instead",
                usage.subscriptions, usage.orders
            )));
        }
        scope::delete_by_id::<bot_plan::Entity, _>(&self.store.db, tenant, id.0).await
    }

    /// What refers to the plan.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn usage(&self, tenant: &Tenant, id: PlanId) -> Result<PlanUse> {
        let db = &self.store.db;
        let subscriptions = count_refs::<subscription::Entity, _>(db, tenant, subscription::Column::PlanId, id).await?;
        let mut orders = count_refs::<transaction::Entity, _>(db, tenant, transaction::Column::PlanId, id).await?;
        // Payments that completed are counted with their sale; the others on their own.
        orders += scope::select::<card_to_card_payment::Entity>(tenant)
            .filter(card_to_card_payment::Column::PlanId.eq(id.0))
            .filter(card_to_card_payment::Column::TransactionId.is_null())
            .count(db)
            .await
            .map_err(unavailable)?;
        orders += scope::select::<zarinpal_payment::Entity>(tenant)
            .filter(zarinpal_payment::Column::PlanId.eq(id.0))
            .filter(zarinpal_payment::Column::TransactionId.is_null())
            .count(db)
            .await
            .map_err(unavailable)?;
        orders += scope::select::<stars_payment::Entity>(tenant)
            .filter(stars_payment::Column::PlanId.eq(id.0))
            .filter(stars_payment::Column::TransactionId.is_null())
            .count(db)
            .await
            .map_err(unavailable)?;
        Ok(PlanUse { subscriptions, orders })
    }

    /// Completed sales (purchases and renewals) of each of `plans`.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn sales_counts(&self, tenant: &Tenant, plans: &[PlanId]) -> Result<BTreeMap<PlanId, u64>> {
        if plans.is_empty() {
            return Ok(BTreeMap::new());
        }
        let rows: Vec<(Option<i64>, i64)> = scope::select::<transaction::Entity>(tenant)
            .filter(transaction::Column::PlanId.is_in(plans.iter().map(|p| p.0)))
            .filter(
                transaction::Column::Kind
                    .is_in([TransactionKind::Purchase.as_str(), TransactionKind::Renewal.as_str()]),
            )
            .filter(transaction::Column::IsCompleted.eq(true))
            .select_only()
            .column(transaction::Column::PlanId)
            .column_as(Expr::col(transaction::Column::Id).count(), "n")
            .group_by(transaction::Column::PlanId)
            .into_tuple()
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().filter_map(|(p, n)| Some((PlanId(p?), u64::try_from(n).unwrap_or(0)))).collect())
    }

    /// How many plans the tenant has.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn count(&self, tenant: &Tenant) -> Result<u64> {
        scope::count::<bot_plan::Entity, _>(&self.store.db, tenant).await
    }

    /// How many plans the tenant has on sale (the customers' list, paged by the bot).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn count_on_sale(&self, tenant: &Tenant) -> Result<u64> {
        scope::select::<bot_plan::Entity>(tenant)
            .filter(bot_plan::Column::IsActive.eq(true))
            .count(&self.store.db)
            .await
            .map_err(unavailable)
    }

    /// Moves the plan one place up (earlier) or down in the display order and returns it.
    /// The tenant's plans are renumbered 10, 20, 30, ... in their new order, so ties and gaps
    /// left by the API's own `sort_order` values never stop a move. At the top (or bottom)
    /// nothing changes.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Unavailable`].
    pub async fn move_by_one(&self, tenant: &Tenant, id: PlanId, up: bool) -> Result<Plan> {
        let tx = self.store.write_tx().await?;
        let rows = scope::select::<bot_plan::Entity>(tenant)
            .order_by_asc(bot_plan::Column::SortOrder)
            .order_by_asc(bot_plan::Column::Id)
            .all(&tx)
            .await
            .map_err(unavailable)?;
        let mut order: Vec<i64> = rows.iter().map(|m| m.id).collect();
        let Some(at) = order.iter().position(|p| *p == id.0) else {
            tx.rollback().await.map_err(unavailable)?;
            return Err(Error::not_found("plan"));
        };
        let other = if up { at.checked_sub(1) } else { Some(at + 1).filter(|i| *i < order.len()) };
        if let Some(other) = other {
            order.swap(at, other);
        }
        let now = Utc::now();
        for (plan, place) in order.iter().zip(1_i32..) {
            scope::update::<bot_plan::Entity>(tenant)
                .col_expr(bot_plan::Column::SortOrder, Expr::value(place.saturating_mul(10)))
                .col_expr(bot_plan::Column::UpdatedAt, Expr::value(now))
                .filter(bot_plan::Column::Id.eq(*plan))
                .exec(&tx)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        self.get(tenant, id).await
    }
}
