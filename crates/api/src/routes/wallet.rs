//! `/api/v1/bots/{bot_id}/wallet` and the statistics: a tenant's wallet with the operator (the
//! operator credits it), its dashboard figures, and the operator's figures across tenants.

use axum::extract::State;
use remnabot_domain::{Tenant, Toman};
use remnabot_store::ledger::Posting;
use remnabot_store::transactions::TransactionKind;

use crate::auth::Caller;
use crate::dto::{
    BotStatsDto, CreditBody, LedgerEntryDto, List, PageQuery, PlatformStatsDto, PostedDto, RevenueDto, WalletDto,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::{ApiResult, ApiState};

async fn wallet_of(s: &ApiState, tenant: &Tenant) -> Result<WalletDto, ApiError> {
    let bot = s.store().platform().get(tenant.bot_id()).await?;
    let traffic = s.store().wallets().traffic_stats(tenant).await?;
    Ok(WalletDto { balance: bot.wallet_balance.0, credit_limit: bot.wallet_credit_limit.0, traffic: traffic.into() })
}

/// The tenant's wallet balance, credit limit and traffic totals.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/wallet", tag = "wallet", params(("bot_id" = i64, Path)),
    responses((status = 200, body = WalletDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_wallet(State(s): State<ApiState>, caller: Caller, Path(bot_id): Path<i64>) -> ApiResult<WalletDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(wallet_of(&s, &tenant).await?))
}

/// The wallet's ledger, newest first.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/wallet/ledger", tag = "wallet",
    params(("bot_id" = i64, Path), PageQuery),
    responses((status = 200, body = List<LedgerEntryDto>), (status = "4XX", body = ErrorBody)))]
pub async fn wallet_ledger(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<LedgerEntryDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let rows = s.store().wallets().history(&tenant, page).await?;
    Ok(axum::Json(List::new(rows.into_iter().map(Into::into).collect(), page)))
}

/// Credits the tenant's wallet once per idempotency key (operator only).
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/wallet/credit", tag = "wallet",
    params(("bot_id" = i64, Path)), request_body = CreditBody,
    responses((status = 200, body = PostedDto), (status = "4XX", body = ErrorBody)))]
pub async fn credit_wallet(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Json(body): Json<CreditBody>,
) -> ApiResult<PostedDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    caller.require_operator()?;
    remnabot_domain::limits::check("amount", body.amount, remnabot_domain::limits::AMOUNT)?;
    let posting = Posting::credit(Toman(body.amount), "deposit", &body.idempotency_key)?;
    let posting = match body.description {
        Some(d) => posting.described(d),
        None => posting,
    };
    let posted = s.store().changes(caller.actor()).post_wallet(&tenant, posting).await?;
    if posted.newly_applied {
        tracing::info!(bot_id, amount = body.amount, "wallet credited through the API");
    }
    Ok(axum::Json(posted.into()))
}

/// The tenant's dashboard: customers, subscriptions, payments and tickets by status, revenue,
/// pending provisioning and the wallet.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/stats", tag = "stats", params(("bot_id" = i64, Path)),
    responses((status = 200, body = BotStatsDto), (status = "4XX", body = ErrorBody)))]
pub async fn bot_stats(State(s): State<ApiState>, caller: Caller, Path(bot_id): Path<i64>) -> ApiResult<BotStatsDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let store = s.store();
    let tx = store.transactions();
    let revenue = RevenueDto {
        deposits: tx.total_completed(&tenant, TransactionKind::Deposit).await?.0,
        purchases: tx.total_completed(&tenant, TransactionKind::Purchase).await?.0,
        renewals: tx.total_completed(&tenant, TransactionKind::Renewal).await?.0,
        refunds: tx.total_completed(&tenant, TransactionKind::Refund).await?.0,
    };
    Ok(axum::Json(BotStatsDto {
        users: store.users().count(&tenant).await?,
        subscriptions_by_status: store.stats().subscriptions_by_status(&tenant).await?,
        card_payments_by_status: store.stats().card_payments_by_status(&tenant).await?,
        tickets_by_status: store.stats().tickets_by_status(&tenant).await?,
        revenue,
        provisioning_pending: store.provisioning().pending_count(&tenant).await?,
        wallet: wallet_of(&s, &tenant).await?,
    }))
}

/// Figures across every tenant (operator only).
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats",
    responses((status = 200, body = PlatformStatsDto), (status = "4XX", body = ErrorBody)))]
pub async fn platform_stats(State(s): State<ApiState>, caller: Caller) -> ApiResult<PlatformStatsDto> {
    caller.require_operator()?;
    Ok(axum::Json(s.store().platform().stats().await.map_err(ApiError::from)?.into()))
}
