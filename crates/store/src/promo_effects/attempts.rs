//! Promo-code guessing is limited per customer: every refused code (but one the customer has
//! redeemed before, which they know) counts in a window that opens at the first refusal and
//! lasts [`WINDOW_MINUTES`]; after [`MAX_FAILURES`] refusals in a window, every attempt is
//! refused without looking at the code until the window closes. The count lives on the
//! customer's row (`users.promo_failures`, `promo_failures_since`, migration m0012), which the
//! redemption locks first, so concurrent attempts queue and each one counts, and a restart
//! forgets nothing.

use chrono::{DateTime, Duration, Utc};
use remnabot_domain::{Result, Tenant};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, QueryFilter};

use crate::db::unavailable;
use crate::entity::user;
use crate::scope;

/// Refused codes a customer may send within one window.
pub const MAX_FAILURES: i32 = 5;
/// How long a window of refused codes lasts.
pub const WINDOW_MINUTES: i64 = 60;

fn window() -> Duration {
    Duration::minutes(WINDOW_MINUTES)
}

/// When the customer may try a code again, if they used up their refusals at `now`.
pub(super) fn locked_until(customer: &user::Model, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let until = customer.promo_failures_since? + window();
    (customer.promo_failures >= MAX_FAILURES && until > now).then_some(until)
}

/// Counts one refused code of the (locked) customer at `now`: the first of a new window when
/// the last one has closed.
pub(super) async fn record_failure(
    tx: &DatabaseTransaction,
    tenant: &Tenant,
    customer: &user::Model,
    now: DateTime<Utc>,
) -> Result<()> {
    let (count, since) = match customer.promo_failures_since {
        Some(since) if since + window() > now => (customer.promo_failures.saturating_add(1), since),
        _ => (1, now),
    };
    scope::update::<user::Entity>(tenant)
        .col_expr(user::Column::PromoFailures, Expr::value(count))
        .col_expr(user::Column::PromoFailuresSince, Expr::value(Some(since)))
        .filter(user::Column::Id.eq(customer.id))
        .exec(tx)
        .await
        .map_err(unavailable)?;
    Ok(())
}
