//! `/api/v1/bots/{bot_id}/dashboard` and `/audit-log`: the figures of the admin panel's
//! dashboard and every change made to the tenant from the panel or the API.

use axum::extract::State;

use crate::auth::Caller;
use crate::dto::{AuditEntryDto, DashboardDto, List, PageQuery};
use crate::error::ErrorBody;
use crate::extract::{Path, Query};
use crate::{ApiResult, ApiState};

/// The dashboard: sales by method (card, Zarinpal, Stars, balance, free), new customers,
/// trials and their conversion for today (Tehran), 7 and 30 days; subscriptions by state;
/// receipts and tickets waiting; the wallet and how many days of sales it covers.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/dashboard", tag = "stats", params(("bot_id" = i64, Path)),
    responses((status = 200, body = DashboardDto), (status = "4XX", body = ErrorBody)))]
pub async fn dashboard(State(s): State<ApiState>, caller: Caller, Path(bot_id): Path<i64>) -> ApiResult<DashboardDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().dashboard().figures(&tenant, chrono::Utc::now()).await?.into()))
}

/// Every change made to the tenant from its bot's admin panel or the API, newest first:
/// who, what, the value before and after, when.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/audit-log", tag = "audit", params(("bot_id" = i64, Path), PageQuery),
    responses((status = 200, body = List<AuditEntryDto>), (status = "4XX", body = ErrorBody)))]
pub async fn audit_log(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<AuditEntryDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let entries = s.store().audit().list(&tenant, page).await?;
    Ok(axum::Json(List::new(entries.into_iter().map(Into::into).collect(), page)))
}
