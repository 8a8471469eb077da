//! The figures of a tenant's dashboard: sales by method, new customers, trials and their
//! conversion over today, 7 and 30 days; subscriptions by state; what waits for the admins;
//! and the wallet. Each figure is one aggregate over an index range (migration m0011 adds
//! the indexes), so the whole dashboard stays a handful of short queries however many
//! customers the tenant has.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use remnabot_domain::{Error, Result, Tenant, Toman};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use crate::db::unavailable;
use crate::entity::{
    bot, card_to_card_payment as card_pay, subscription, ticket, transaction, user, wallet_transaction,
};
use crate::payments::PaymentStatus;
use crate::subscriptions::SubscriptionStatus;
use crate::tickets::TicketStatus;
use crate::transactions::TransactionKind;
use crate::{Backend, Store, scope};

/// How a sale was paid, as the dashboard groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleMethod {
    CardToCard,
    Zarinpal,
    TelegramStars,
    Balance,
    /// An order discounted to nothing.
    Free,
}

impl SaleMethod {
    /// Every method, in display order.
    pub const ALL: [SaleMethod; 5] = [
        SaleMethod::CardToCard,
        SaleMethod::Zarinpal,
        SaleMethod::TelegramStars,
        SaleMethod::Balance,
        SaleMethod::Free,
    ];

    fn of(payment_method: Option<&str>, free: bool) -> SaleMethod {
        match (payment_method, free) {
            (_, true) => SaleMethod::Free,
            (Some("card_to_card"), _) => SaleMethod::CardToCard,
            (Some("zarinpal"), _) => SaleMethod::Zarinpal,
            (Some("telegram_stars"), _) => SaleMethod::TelegramStars,
            _ => SaleMethod::Balance,
        }
    }
}

/// Sales of one method in one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MethodSales {
    pub method: SaleMethod,
    pub count: u64,
    pub total: Toman,
}

/// The figures of one window (today, 7 or 30 days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowFigures {
    /// Since when: Tehran's midnight for today, else now minus the days.
    pub since: DateTime<Utc>,
    /// Every method, in [`SaleMethod::ALL`] order (zeros included).
    pub sales: Vec<MethodSales>,
    pub sales_count: u64,
    pub sales_total: Toman,
    pub new_customers: u64,
    /// Customers who took the free trial in the window.
    pub trials: u64,
    /// Of those, how many have paid for a plan since.
    pub trials_converted: u64,
}

impl WindowFigures {
    /// Trial-to-paid conversion in whole percent (`None` without trials).
    pub fn conversion_percent(&self) -> Option<u64> {
        (self.trials > 0).then(|| self.trials_converted.saturating_mul(100) / self.trials)
    }
}

/// Subscriptions by state, now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SubscriptionFigures {
    /// Running (active, trial or limited) and not past their expiry.
    pub active: u64,
    /// Of the active ones, those that end within 3 days.
    pub expiring_soon: u64,
    pub expired: u64,
    /// Switched off by an admin.
    pub disabled: u64,
}

/// The tenant's wallet with the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WalletFigures {
    pub balance: Toman,
    /// How far the balance may go below zero.
    pub credit_limit: Toman,
    /// Wholesale charged over the last 7 days.
    pub charged_7_days: Toman,
    /// Whole days of sales the balance and credit cover at the last 7 days' rate (`None`
    /// when nothing was charged in that time).
    pub days_covered: Option<u64>,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DashboardFigures {
    pub today: WindowFigures,
    pub last_7_days: WindowFigures,
    pub last_30_days: WindowFigures,
    pub subscriptions: SubscriptionFigures,
    /// Card-to-card payments with a receipt waiting for review.
    pub pending_receipts: u64,
    /// Tickets waiting for an answer.
    pub open_tickets: u64,
    pub wallet: WalletFigures,
    pub generated_at: DateTime<Utc>,
}

/// Iran's offset (UTC+03:30 all year since 2022): "today" starts at Tehran's midnight.
const TEHRAN: FixedOffset = match FixedOffset::east_opt(3 * 3600 + 1800) {
    Some(offset) => offset,
    None => panic!("BUG: +03:30 is a valid offset"),
};

/// Tehran's last midnight before `now`, in UTC.
fn tehran_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&TEHRAN);
    local
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|midnight| midnight.and_local_timezone(TEHRAN).single())
        .map_or(now - Duration::days(1), |t| t.with_timezone(&Utc))
}

/// `CAST(COALESCE(SUM(CASE WHEN <cond> THEN <then> ELSE 0 END), 0) AS BIGINT)`. `cond` names
/// its values `$1`, `$2`, ... in order; SQLite's builder wants `?` for each.
fn sum_when(backend: Backend, cond: &str, then: &str, values: Vec<sea_orm::Value>) -> SimpleExpr {
    let cond = match backend {
        Backend::Postgres => cond.to_owned(),
        Backend::Sqlite => (1..=values.len()).rev().fold(cond.to_owned(), |c, n| c.replace(&format!("${n}"), "?")),
    };
    Expr::cust_with_values(format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN {then} ELSE 0 END), 0) AS BIGINT)"), values)
}

/// `CAST(COUNT(*) AS BIGINT)`.
fn count_all() -> SimpleExpr {
    Expr::cust("CAST(COUNT(*) AS BIGINT)")
}

#[derive(Debug, FromQueryResult)]
struct SalesRow {
    payment_method: Option<String>,
    free: i64,
    n_today: i64,
    t_today: i64,
    n_week: i64,
    t_week: i64,
    n_month: i64,
    t_month: i64,
}

#[derive(Debug, FromQueryResult)]
struct Counts3 {
    today: i64,
    week: i64,
    month: i64,
}

#[derive(Debug, FromQueryResult)]
struct TrialRow {
    today: i64,
    week: i64,
    month: i64,
    c_today: i64,
    c_week: i64,
    c_month: i64,
}

#[derive(Debug, FromQueryResult)]
struct SubscriptionRow {
    status: String,
    alive: i64,
    expiring: i64,
    total: i64,
}

fn n(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The dashboard service.
#[derive(Debug, Clone, Copy)]
pub struct Dashboard<'a> {
    store: &'a Store,
}

impl Store {
    /// The tenant's dashboard figures.
    pub fn dashboard(&self) -> Dashboard<'_> {
        Dashboard { store: self }
    }
}

impl Dashboard<'_> {
    /// The figures as of `now`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a deleted tenant; [`Error::Unavailable`].
    pub async fn figures(&self, tenant: &Tenant, now: DateTime<Utc>) -> Result<DashboardFigures> {
        let since = [tehran_midnight(now), now - Duration::days(7), now - Duration::days(30)];
        let mut windows: Vec<WindowFigures> = since
            .iter()
            .map(|since| WindowFigures {
                since: *since,
                sales: SaleMethod::ALL
                    .iter()
                    .map(|m| MethodSales { method: *m, count: 0, total: Toman::ZERO })
                    .collect(),
                sales_count: 0,
                sales_total: Toman::ZERO,
                new_customers: 0,
                trials: 0,
                trials_converted: 0,
            })
            .collect();
        // The 30-day window holds the others (today's midnight is never 30 days back).
        let oldest = since.iter().copied().min().unwrap_or(since[2]);
        self.sales(tenant, &since, oldest, &mut windows).await?;
        self.customers(tenant, &since, oldest, &mut windows).await?;
        let subscriptions = self.subscriptions(tenant, now).await?;
        let db = &self.store.db;
        let pending_receipts = scope::select::<card_pay::Entity>(tenant)
            .filter(card_pay::Column::Status.eq(PaymentStatus::Pending.as_str()))
            .filter(card_pay::Column::ReceiptKind.is_not_null())
            .count(db)
            .await
            .map_err(unavailable)?;
        let open_tickets = scope::select::<ticket::Entity>(tenant)
            .filter(ticket::Column::Status.eq(TicketStatus::Open.as_str()))
            .count(db)
            .await
            .map_err(unavailable)?;
        let wallet = self.wallet(tenant, now).await?;
        let mut windows = windows.into_iter();
        let (Some(today), Some(last_7_days), Some(last_30_days)) = (windows.next(), windows.next(), windows.next())
        else {
            return Err(Error::Conflict("BUG: three windows were built".to_owned()));
        };
        Ok(DashboardFigures {
            today,
            last_7_days,
            last_30_days,
            subscriptions,
            pending_receipts,
            open_tickets,
            wallet,
            generated_at: now,
        })
    }

    async fn sales(
        &self,
        tenant: &Tenant,
        since: &[DateTime<Utc>; 3],
        oldest: DateTime<Utc>,
        windows: &mut [WindowFigures],
    ) -> Result<()> {
        let b = self.store.backend;
        let free = Expr::cust("CAST(CASE WHEN amount = 0 THEN 1 ELSE 0 END AS BIGINT)");
        let rows: Vec<SalesRow> = scope::select::<transaction::Entity>(tenant)
            .filter(transaction::Column::CreatedAt.gte(oldest))
            .filter(
                transaction::Column::Kind
                    .is_in([TransactionKind::Purchase.as_str(), TransactionKind::Renewal.as_str()]),
            )
            .filter(transaction::Column::IsCompleted.eq(true))
            .select_only()
            .column(transaction::Column::PaymentMethod)
            .column_as(free.clone(), "free")
            .column_as(sum_when(b, "created_at >= $1", "1", vec![since[0].into()]), "n_today")
            .column_as(sum_when(b, "created_at >= $1", "amount", vec![since[0].into()]), "t_today")
            .column_as(sum_when(b, "created_at >= $1", "1", vec![since[1].into()]), "n_week")
            .column_as(sum_when(b, "created_at >= $1", "amount", vec![since[1].into()]), "t_week")
            .column_as(sum_when(b, "created_at >= $1", "1", vec![since[2].into()]), "n_month")
            .column_as(sum_when(b, "created_at >= $1", "amount", vec![since[2].into()]), "t_month")
            .group_by(transaction::Column::PaymentMethod)
            .group_by(free)
            .into_model::<SalesRow>()
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        for row in rows {
            let method = SaleMethod::of(row.payment_method.as_deref(), row.free != 0);
            let figures = [(row.n_today, row.t_today), (row.n_week, row.t_week), (row.n_month, row.t_month)];
            for (window, (count, total)) in windows.iter_mut().zip(figures) {
                let (count, total) = (n(count), Toman(total));
                if let Some(m) = window.sales.iter_mut().find(|m| m.method == method) {
                    m.count += count;
                    m.total = m.total.checked_add(total)?;
                }
                window.sales_count += count;
                window.sales_total = window.sales_total.checked_add(total)?;
            }
        }
        Ok(())
    }

    async fn customers(
        &self,
        tenant: &Tenant,
        since: &[DateTime<Utc>; 3],
        oldest: DateTime<Utc>,
        windows: &mut [WindowFigures],
    ) -> Result<()> {
        let (db, b) = (&self.store.db, self.store.backend);
        let new: Option<Counts3> = scope::select::<user::Entity>(tenant)
            .filter(user::Column::CreatedAt.gte(oldest))
            .select_only()
            .column_as(sum_when(b, "created_at >= $1", "1", vec![since[0].into()]), "today")
            .column_as(sum_when(b, "created_at >= $1", "1", vec![since[1].into()]), "week")
            .column_as(sum_when(b, "created_at >= $1", "1", vec![since[2].into()]), "month")
            .into_model::<Counts3>()
            .one(db)
            .await
            .map_err(unavailable)?;
        if let Some(new) = new {
            for (window, count) in windows.iter_mut().zip([new.today, new.week, new.month]) {
                window.new_customers = n(count);
            }
        }
        // Paid since: a completed purchase or renewal that cost something, after the trial.
        let paid = "EXISTS (SELECT 1 FROM transactions t WHERE t.bot_id = users.bot_id AND t.user_id = users.id \
                    AND t.kind IN ($2, $3) AND t.is_completed = $4 AND t.amount > 0 AND t.created_at >= users.trial_started_at)";
        let kinds = || -> Vec<sea_orm::Value> {
            vec![TransactionKind::Purchase.as_str().into(), TransactionKind::Renewal.as_str().into(), true.into()]
        };
        let converted = |since: DateTime<Utc>| {
            let mut values: Vec<sea_orm::Value> = vec![since.into()];
            values.extend(kinds());
            sum_when(b, &format!("trial_started_at >= $1 AND {paid}"), "1", values)
        };
        let trials: Option<TrialRow> = scope::select::<user::Entity>(tenant)
            .filter(user::Column::TrialStartedAt.gte(oldest))
            .select_only()
            .column_as(sum_when(b, "trial_started_at >= $1", "1", vec![since[0].into()]), "today")
            .column_as(sum_when(b, "trial_started_at >= $1", "1", vec![since[1].into()]), "week")
            .column_as(sum_when(b, "trial_started_at >= $1", "1", vec![since[2].into()]), "month")
            .column_as(converted(since[0]), "c_today")
            .column_as(converted(since[1]), "c_week")
            .column_as(converted(since[2]), "c_month")
            .into_model::<TrialRow>()
            .one(db)
            .await
            .map_err(unavailable)?;
        if let Some(t) = trials {
            let figures = [(t.today, t.c_today), (t.week, t.c_week), (t.month, t.c_month)];
            for (window, (trials, converted)) in windows.iter_mut().zip(figures) {
                window.trials = n(trials);
                window.trials_converted = n(converted);
            }
        }
        Ok(())
    }

    async fn subscriptions(&self, tenant: &Tenant, now: DateTime<Utc>) -> Result<SubscriptionFigures> {
        let (soon, b) = (remnabot_domain::limits::later(now, Duration::days(3)), self.store.backend);
        let rows: Vec<SubscriptionRow> = scope::select::<subscription::Entity>(tenant)
            .select_only()
            .column(subscription::Column::Status)
            .column_as(sum_when(b, "expires_at > $1", "1", vec![now.into()]), "alive")
            .column_as(
                sum_when(b, "expires_at > $1 AND expires_at <= $2", "1", vec![now.into(), soon.into()]),
                "expiring",
            )
            .column_as(count_all(), "total")
            .group_by(subscription::Column::Status)
            .into_model::<SubscriptionRow>()
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        let mut figures = SubscriptionFigures::default();
        for row in rows {
            match SubscriptionStatus::parse(&row.status) {
                Ok(SubscriptionStatus::Active | SubscriptionStatus::Trial | SubscriptionStatus::Limited) => {
                    figures.active += n(row.alive);
                    figures.expiring_soon += n(row.expiring);
                    // Past its expiry, not yet marked by the usage sync.
                    figures.expired += n(row.total - row.alive);
                }
                Ok(SubscriptionStatus::Expired) => figures.expired += n(row.total),
                Ok(SubscriptionStatus::Disabled) => figures.disabled += n(row.total),
                Err(_) => {}
            }
        }
        Ok(figures)
    }

    async fn wallet(&self, tenant: &Tenant, now: DateTime<Utc>) -> Result<WalletFigures> {
        let row = bot::Entity::find_by_id(tenant.bot_id().0)
            .one(&self.store.db)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| Error::not_found("bot"))?;
        let q = scope::select::<wallet_transaction::Entity>(tenant)
            .filter(wallet_transaction::Column::CreatedAt.gte(now - Duration::days(7)))
            .filter(wallet_transaction::Column::Kind.eq("wholesale"));
        let charged = Toman(scope::sum_amount(&self.store.db, q).await?.0.saturating_neg().max(0));
        let (balance, credit_limit) = (Toman(row.wallet_balance), Toman(row.wallet_credit_limit));
        let available = balance.0.saturating_add(credit_limit.0);
        let days_covered = match charged.0 {
            0 => None,
            week => Some(u64::try_from(available.saturating_mul(7) / week).unwrap_or(0)),
        };
        Ok(WalletFigures { balance, credit_limit, charged_7_days: charged, days_covered })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_starts_at_tehran_midnight() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap_or_default();
        assert_eq!(tehran_midnight(at("2026-03-01T20:31:00Z")), at("2026-03-01T20:30:00Z"));
        assert_eq!(tehran_midnight(at("2026-03-01T20:29:00Z")), at("2026-02-28T20:30:00Z"));
    }

    #[test]
    fn sales_are_grouped_by_what_paid_for_them() {
        assert_eq!(SaleMethod::of(Some("card_to_card"), false), SaleMethod::CardToCard);
        assert_eq!(SaleMethod::of(Some("balance"), true), SaleMethod::Free);
        assert_eq!(SaleMethod::of(Some("telegram_stars"), false), SaleMethod::TelegramStars);
        assert_eq!(SaleMethod::of(None, false), SaleMethod::Balance);
    }

    #[test]
    fn conversion_is_a_whole_percent_of_the_trials() {
        let w = |trials, trials_converted| WindowFigures {
            since: DateTime::<Utc>::default(),
            sales: Vec::new(),
            sales_count: 0,
            sales_total: Toman::ZERO,
            new_customers: 0,
            trials,
            trials_converted,
        };
        assert_eq!(w(0, 0).conversion_percent(), None);
        assert_eq!(w(3, 1).conversion_percent(), Some(33));
        assert_eq!(w(4, 4).conversion_percent(), Some(100));
    }
}
