//! `/api/v1/bots/{bot_id}/tickets` and `/promocodes`: a tenant's support tickets (read,
//! answer, close) and promo codes.

use axum::extract::State;
use axum::http::StatusCode;
use remnabot_domain::{PromoCodeId, PromoGroupId, TicketId};
use remnabot_store::promos::{PromoCodeSpec, PromoGroupSpec, PromoKind};
use remnabot_store::tickets::TicketStatus;

use crate::auth::Caller;
use crate::dto::{
    List, PageQuery, PromoCodeBody, PromoCodeDto, PromoGroupBody, PromoGroupDto, TicketDto, TicketMessageDto,
    TicketReplyBody, TicketReplyDto, TicketStatusQuery,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::{ApiResult, ApiState};

/// The tenant's tickets, most recently active first, optionally of one status (`open`,
/// `answered`, `closed`).
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/tickets", tag = "tickets",
    params(("bot_id" = i64, Path), TicketStatusQuery, PageQuery),
    responses((status = 200, body = List<TicketDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_tickets(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(status): Query<TicketStatusQuery>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<TicketDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let status = status.status.as_deref().map(TicketStatus::parse).transpose()?;
    let rows = s.store().tickets().list(&tenant, status, page).await?;
    Ok(axum::Json(List::new(rows.into_iter().map(Into::into).collect(), page)))
}

/// One ticket.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/tickets/{ticket_id}", tag = "tickets",
    params(("bot_id" = i64, Path), ("ticket_id" = i64, Path)),
    responses((status = 200, body = TicketDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_ticket(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<TicketDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().tickets().get(&tenant, TicketId(id)).await?.into()))
}

/// A ticket's messages, oldest first.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/tickets/{ticket_id}/messages", tag = "tickets",
    params(("bot_id" = i64, Path), ("ticket_id" = i64, Path), PageQuery),
    responses((status = 200, body = List<TicketMessageDto>), (status = "4XX", body = ErrorBody)))]
pub async fn ticket_messages(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<TicketMessageDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let rows = s.store().tickets().messages(&tenant, TicketId(id), page).await?;
    Ok(axum::Json(List::new(rows.into_iter().map(Into::into).collect(), page)))
}

/// Answers a ticket as support: stores the answer (the ticket becomes `answered`) and queues
/// the customer's message through the tenant's bot, in the customer's language, in one
/// transaction. A closed ticket takes no answer (409).
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/tickets/{ticket_id}/reply", tag = "tickets",
    params(("bot_id" = i64, Path), ("ticket_id" = i64, Path)), request_body = TicketReplyBody,
    responses((status = 201, body = TicketReplyDto), (status = "4XX", body = ErrorBody)))]
pub async fn reply_to_ticket(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<TicketReplyBody>,
) -> Result<(StatusCode, axum::Json<TicketReplyDto>), ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let reply = s
        .store()
        .changes(caller.actor())
        .reply_to_ticket(&tenant, TicketId(id), &body.text, s.ticket_texts(), chrono::Utc::now())
        .await?;
    tracing::info!(bot_id, ticket_id = id, "ticket answered through the API");
    Ok((StatusCode::CREATED, axum::Json(reply.into())))
}

/// Closes a ticket (closing a closed ticket changes nothing).
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/tickets/{ticket_id}/close", tag = "tickets",
    params(("bot_id" = i64, Path), ("ticket_id" = i64, Path)),
    responses((status = 200, body = TicketDto), (status = "4XX", body = ErrorBody)))]
pub async fn close_ticket(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<TicketDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().changes(caller.actor()).close_ticket(&tenant, TicketId(id)).await?.into()))
}

/// The tenant's promo codes, newest first.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/promocodes", tag = "promocodes",
    params(("bot_id" = i64, Path), PageQuery),
    responses((status = 200, body = List<PromoCodeDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_promocodes(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<PromoCodeDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let rows = s.store().promo_codes().list(&tenant, page).await?;
    Ok(axum::Json(List::new(rows.into_iter().map(Into::into).collect(), page)))
}

/// Creates an active promo code.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/promocodes", tag = "promocodes",
    params(("bot_id" = i64, Path)), request_body = PromoCodeBody,
    responses((status = 201, body = PromoCodeDto), (status = "4XX", body = ErrorBody)))]
pub async fn create_promocode(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Json(body): Json<PromoCodeBody>,
) -> Result<(StatusCode, axum::Json<PromoCodeDto>), ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let spec = PromoCodeSpec {
        code: body.code,
        kind: PromoKind::parse(&body.kind)?,
        value: body.value,
        max_uses: body.max_uses,
        valid_from: body.valid_from,
        valid_until: body.valid_until,
    };
    let code = s.store().changes(caller.actor()).create_promo_code(&tenant, spec).await?;
    Ok((StatusCode::CREATED, axum::Json(code.into())))
}

/// One promo code.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/promocodes/{promocode_id}", tag = "promocodes",
    params(("bot_id" = i64, Path), ("promocode_id" = i64, Path)),
    responses((status = 200, body = PromoCodeDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_promocode(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<PromoCodeDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().promo_codes().get(&tenant, PromoCodeId(id)).await?.into()))
}

/// Deletes a promo code and its record of uses.
#[utoipa::path(delete, path = "/api/v1/bots/{bot_id}/promocodes/{promocode_id}", tag = "promocodes",
    params(("bot_id" = i64, Path), ("promocode_id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn delete_promocode(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    s.store().changes(caller.actor()).delete_promo_code(&tenant, PromoCodeId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lets customers redeem the code again.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/promocodes/{promocode_id}/activate", tag = "promocodes",
    params(("bot_id" = i64, Path), ("promocode_id" = i64, Path)),
    responses((status = 200, body = PromoCodeDto), (status = "4XX", body = ErrorBody)))]
pub async fn activate_promocode(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<PromoCodeDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(
        s.store().changes(caller.actor()).set_promo_code_active(&tenant, PromoCodeId(id), true).await?.into(),
    ))
}

/// Stops the code from being redeemed.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/promocodes/{promocode_id}/deactivate", tag = "promocodes",
    params(("bot_id" = i64, Path), ("promocode_id" = i64, Path)),
    responses((status = 200, body = PromoCodeDto), (status = "4XX", body = ErrorBody)))]
pub async fn deactivate_promocode(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<PromoCodeDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(
        s.store().changes(caller.actor()).set_promo_code_active(&tenant, PromoCodeId(id), false).await?.into(),
    ))
}

/// The tenant's promo groups, by name.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/promo-groups", tag = "promo-groups",
    params(("bot_id" = i64, Path), PageQuery),
    responses((status = 200, body = List<PromoGroupDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_promo_groups(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<PromoGroupDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let rows = s.store().promo_groups().list(&tenant, page).await?;
    Ok(axum::Json(List::new(rows.into_iter().map(Into::into).collect(), page)))
}

/// Adds a promo group.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/promo-groups", tag = "promo-groups",
    params(("bot_id" = i64, Path)), request_body = PromoGroupBody,
    responses((status = 201, body = PromoGroupDto), (status = "4XX", body = ErrorBody)))]
pub async fn create_promo_group(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Json(body): Json<PromoGroupBody>,
) -> Result<(StatusCode, axum::Json<PromoGroupDto>), ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let spec = PromoGroupSpec { name: body.name, discount_percent: body.discount_percent };
    let group = s.store().changes(caller.actor()).create_promo_group(&tenant, spec).await?;
    Ok((StatusCode::CREATED, axum::Json(group.into())))
}

/// One promo group.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/promo-groups/{promo_group_id}", tag = "promo-groups",
    params(("bot_id" = i64, Path), ("promo_group_id" = i64, Path)),
    responses((status = 200, body = PromoGroupDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_promo_group(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<PromoGroupDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().promo_groups().get(&tenant, PromoGroupId(id)).await?.into()))
}

/// Replaces a promo group's name and discount.
#[utoipa::path(put, path = "/api/v1/bots/{bot_id}/promo-groups/{promo_group_id}", tag = "promo-groups",
    params(("bot_id" = i64, Path), ("promo_group_id" = i64, Path)), request_body = PromoGroupBody,
    responses((status = 200, body = PromoGroupDto), (status = "4XX", body = ErrorBody)))]
pub async fn update_promo_group(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<PromoGroupBody>,
) -> ApiResult<PromoGroupDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let spec = PromoGroupSpec { name: body.name, discount_percent: body.discount_percent };
    Ok(axum::Json(s.store().changes(caller.actor()).update_promo_group(&tenant, PromoGroupId(id), spec).await?.into()))
}

/// Deletes a promo group; its customers stay, outside any group.
#[utoipa::path(delete, path = "/api/v1/bots/{bot_id}/promo-groups/{promo_group_id}", tag = "promo-groups",
    params(("bot_id" = i64, Path), ("promo_group_id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn delete_promo_group(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    s.store().changes(caller.actor()).delete_promo_group(&tenant, PromoGroupId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
