//! `/api/v1/bots/{bot_id}/card-payments`: card-to-card payments waiting for review, and their
//! approval or rejection; `/api/v1/bots/{bot_id}/stars-payments`: Telegram Stars payments
//! (read only: the bot takes and refunds them).

use axum::extract::State;
use remnabot_domain::PaymentId;
use remnabot_store::payments::PaymentStatus;
use remnabot_store::sales::online::StarsStatus;

use crate::auth::Caller;
use crate::dto::{
    CardPaymentDto, CardPaymentStatusQuery, List, PageQuery, RejectBody, StarsPaymentDto, StarsStatusQuery,
};
use crate::error::ErrorBody;
use crate::extract::{Json, Path, Query};
use crate::{ApiResult, ApiState};

/// The tenant's card-to-card payments, newest first, optionally of one status (`pending`,
/// `approved`, `rejected`, `expired`).
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/card-payments", tag = "card-payments",
    params(("bot_id" = i64, Path), CardPaymentStatusQuery, PageQuery),
    responses((status = 200, body = List<CardPaymentDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_card_payments(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(status): Query<CardPaymentStatusQuery>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<CardPaymentDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let status = status.status.as_deref().map(PaymentStatus::parse).transpose()?;
    let rows = s.store().card_payments().list(&tenant, status, page).await?;
    Ok(axum::Json(List::new(rows.into_iter().map(Into::into).collect(), page)))
}

/// One card-to-card payment.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/card-payments/{payment_id}", tag = "card-payments",
    params(("bot_id" = i64, Path), ("payment_id" = i64, Path)),
    responses((status = 200, body = CardPaymentDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_card_payment(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<CardPaymentDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().card_payments().get(&tenant, PaymentId(id)).await?.into()))
}

/// Approves a pending payment and completes its order (subscription, top-up), exactly once
/// and through the same path as the bot's admins: of two concurrent approvals (here or in the
/// bot) one wins and the other gets 409. The customer is told through the bot.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/card-payments/{payment_id}/approve", tag = "card-payments",
    params(("bot_id" = i64, Path), ("payment_id" = i64, Path)),
    responses((status = 200, body = CardPaymentDto), (status = "4XX", body = ErrorBody)))]
pub async fn approve_card_payment(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<CardPaymentDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let approved = s
        .store()
        .changes(caller.actor())
        .approve_card_payment(&tenant, PaymentId(id), s.sale_texts(), chrono::Utc::now())
        .await?;
    tracing::info!(bot_id, payment_id = id, "card payment approved through the API");
    Ok(axum::Json(approved.payment.into()))
}

/// Rejects a pending payment, exactly once, and tells the customer (with the reason, if any).
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/card-payments/{payment_id}/reject", tag = "card-payments",
    params(("bot_id" = i64, Path), ("payment_id" = i64, Path)), request_body = RejectBody,
    responses((status = 200, body = CardPaymentDto), (status = "4XX", body = ErrorBody)))]
pub async fn reject_card_payment(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<RejectBody>,
) -> ApiResult<CardPaymentDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let rejected = s
        .store()
        .changes(caller.actor())
        .reject_card_payment(&tenant, PaymentId(id), body.reason, s.sale_texts(), chrono::Utc::now())
        .await?;
    Ok(axum::Json(rejected.into()))
}

/// The tenant's Telegram Stars payments, newest first, optionally of one status (`pending`,
/// `expired`, `paid`, `refunding`, `refunded`).
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/stars-payments", tag = "stars-payments",
    params(("bot_id" = i64, Path), StarsStatusQuery, PageQuery),
    responses((status = 200, body = List<StarsPaymentDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_stars_payments(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(status): Query<StarsStatusQuery>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<StarsPaymentDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let status = status.status.as_deref().map(StarsStatus::parse).transpose()?;
    let rows = s.store().sales().stars_payments(&tenant, status, page).await?;
    Ok(axum::Json(List::new(rows.into_iter().map(Into::into).collect(), page)))
}

/// One Telegram Stars payment.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/stars-payments/{payment_id}", tag = "stars-payments",
    params(("bot_id" = i64, Path), ("payment_id" = i64, Path)),
    responses((status = 200, body = StarsPaymentDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_stars_payment(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<StarsPaymentDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().sales().stars_payment(&tenant, PaymentId(id)).await?.into()))
}
