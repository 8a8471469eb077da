//! `/api/v1/bots/{bot_id}/plans` and `/payment-cards`: what a tenant sells and the cards its
//! customers pay to, with each card's usage statistics.

use axum::extract::State;
use axum::http::StatusCode;
use remnabot_domain::{CardId, PlanId};

use crate::auth::Caller;
use crate::dto::{ActiveQuery, CardBody, CardDto, CardStatsDto, List, MoveBody, PageQuery, PlanBody, PlanDto};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::{ApiResult, ApiState};

/// The tenant's plans, by sort order.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/plans", tag = "plans",
    params(("bot_id" = i64, Path), ActiveQuery, PageQuery),
    responses((status = 200, body = List<PlanDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_plans(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(active): Query<ActiveQuery>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<PlanDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let plans = s.store().plans().list(&tenant, active.active_only.unwrap_or(false), page).await?;
    Ok(axum::Json(List::new(plans.into_iter().map(Into::into).collect(), page)))
}

/// Adds a plan (active).
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/plans", tag = "plans", params(("bot_id" = i64, Path)),
    request_body = PlanBody, responses((status = 201, body = PlanDto), (status = "4XX", body = ErrorBody)))]
pub async fn create_plan(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Json(body): Json<PlanBody>,
) -> Result<(StatusCode, axum::Json<PlanDto>), ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let plan = s.store().changes(caller.actor()).create_plan(&tenant, body.into()).await?;
    Ok((StatusCode::CREATED, axum::Json(plan.into())))
}

/// One plan.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/plans/{plan_id}", tag = "plans",
    params(("bot_id" = i64, Path), ("plan_id" = i64, Path)),
    responses((status = 200, body = PlanDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_plan(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<PlanDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().plans().get(&tenant, PlanId(id)).await?.into()))
}

/// Replaces a plan's fields.
#[utoipa::path(put, path = "/api/v1/bots/{bot_id}/plans/{plan_id}", tag = "plans",
    params(("bot_id" = i64, Path), ("plan_id" = i64, Path)), request_body = PlanBody,
    responses((status = 200, body = PlanDto), (status = "4XX", body = ErrorBody)))]
pub async fn update_plan(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<PlanBody>,
) -> ApiResult<PlanDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().changes(caller.actor()).update_plan(&tenant, PlanId(id), body.into()).await?.into()))
}

/// Deletes a plan (refused while subscriptions or payments use it: deactivate it instead).
#[utoipa::path(delete, path = "/api/v1/bots/{bot_id}/plans/{plan_id}", tag = "plans",
    params(("bot_id" = i64, Path), ("plan_id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn delete_plan(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    s.store().changes(caller.actor()).delete_plan(&tenant, PlanId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Offers the plan to customers again.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/plans/{plan_id}/activate", tag = "plans",
    params(("bot_id" = i64, Path), ("plan_id" = i64, Path)),
    responses((status = 200, body = PlanDto), (status = "4XX", body = ErrorBody)))]
pub async fn activate_plan(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<PlanDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().changes(caller.actor()).set_plan_active(&tenant, PlanId(id), true).await?.into()))
}

/// Stops offering the plan (existing subscriptions keep it).
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/plans/{plan_id}/deactivate", tag = "plans",
    params(("bot_id" = i64, Path), ("plan_id" = i64, Path)),
    responses((status = 200, body = PlanDto), (status = "4XX", body = ErrorBody)))]
pub async fn deactivate_plan(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<PlanDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().changes(caller.actor()).set_plan_active(&tenant, PlanId(id), false).await?.into()))
}

/// Moves the plan one place up (shown earlier) or down in the customers' list; the
/// tenant's plans are renumbered 10, 20, 30, ... in their new order.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/plans/{plan_id}/move", tag = "plans",
    params(("bot_id" = i64, Path), ("plan_id" = i64, Path)), request_body = MoveBody,
    responses((status = 200, body = PlanDto), (status = "4XX", body = ErrorBody)))]
pub async fn move_plan(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<MoveBody>,
) -> ApiResult<PlanDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let up = match body.direction.as_str() {
        "up" => true,
        "down" => false,
        _ => return Err(remnabot_domain::Error::invalid("direction", "must be `up` or `down`").into()),
    };
    Ok(axum::Json(s.store().changes(caller.actor()).move_plan(&tenant, PlanId(id), up).await?.into()))
}

/// The tenant's payment cards with their statistics.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/payment-cards", tag = "payment-cards",
    params(("bot_id" = i64, Path), ActiveQuery, PageQuery),
    responses((status = 200, body = List<CardDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_cards(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(active): Query<ActiveQuery>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<CardDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let cards = s.store().cards().list(&tenant, active.active_only.unwrap_or(false), page).await?;
    Ok(axum::Json(List::new(cards.into_iter().map(Into::into).collect(), page)))
}

/// Adds a payment card (active). The number must pass the Luhn check.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/payment-cards", tag = "payment-cards",
    params(("bot_id" = i64, Path)), request_body = CardBody,
    responses((status = 201, body = CardDto), (status = "4XX", body = ErrorBody)))]
pub async fn create_card(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Json(body): Json<CardBody>,
) -> Result<(StatusCode, axum::Json<CardDto>), ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let card = s.store().changes(caller.actor()).create_card(&tenant, body.into()).await?;
    Ok((StatusCode::CREATED, axum::Json(card.into())))
}

/// One payment card.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/payment-cards/{card_id}", tag = "payment-cards",
    params(("bot_id" = i64, Path), ("card_id" = i64, Path)),
    responses((status = 200, body = CardDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_card(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<CardDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().cards().get(&tenant, CardId(id)).await?.into()))
}

/// Replaces a payment card's fields (its statistics stay).
#[utoipa::path(put, path = "/api/v1/bots/{bot_id}/payment-cards/{card_id}", tag = "payment-cards",
    params(("bot_id" = i64, Path), ("card_id" = i64, Path)), request_body = CardBody,
    responses((status = 200, body = CardDto), (status = "4XX", body = ErrorBody)))]
pub async fn update_card(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<CardBody>,
) -> ApiResult<CardDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().changes(caller.actor()).update_card(&tenant, CardId(id), body.into()).await?.into()))
}

/// Deletes a payment card (refused while payments reference it: deactivate it instead).
#[utoipa::path(delete, path = "/api/v1/bots/{bot_id}/payment-cards/{card_id}", tag = "payment-cards",
    params(("bot_id" = i64, Path), ("card_id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn delete_card(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    s.store().changes(caller.actor()).delete_card(&tenant, CardId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts the card back into rotation.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/payment-cards/{card_id}/activate", tag = "payment-cards",
    params(("bot_id" = i64, Path), ("card_id" = i64, Path)),
    responses((status = 200, body = CardDto), (status = "4XX", body = ErrorBody)))]
pub async fn activate_card(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<CardDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().changes(caller.actor()).set_card_active(&tenant, CardId(id), true).await?.into()))
}

/// Takes the card out of rotation.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/payment-cards/{card_id}/deactivate", tag = "payment-cards",
    params(("bot_id" = i64, Path), ("card_id" = i64, Path)),
    responses((status = 200, body = CardDto), (status = "4XX", body = ErrorBody)))]
pub async fn deactivate_card(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<CardDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().changes(caller.actor()).set_card_active(&tenant, CardId(id), false).await?.into()))
}

/// The card's usage statistics: selections, successes, failures, today's count and amount.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/payment-cards/{card_id}/stats", tag = "payment-cards",
    params(("bot_id" = i64, Path), ("card_id" = i64, Path)),
    responses((status = 200, body = CardStatsDto), (status = "4XX", body = ErrorBody)))]
pub async fn card_stats(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<CardStatsDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(CardStatsDto::from(&s.store().cards().get(&tenant, CardId(id)).await?)))
}
