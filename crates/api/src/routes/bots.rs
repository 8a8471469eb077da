//! `/api/v1/bots`: the operator creates, lists, changes and deletes tenant bots; a tenant reads
//! its own. A bot created or changed here is started, paused or stopped by the fleet within a
//! second.

use axum::extract::State;
use axum::http::StatusCode;
use remnabot_domain::BotId;
use remnabot_store::platform::{BotChanges, NewBot};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::auth::Caller;
use crate::dto::{ApiTokenDto, BotDto, BotUpdateBody, CreatedBotDto, List, NewBotBody, PageQuery, TelegramTokenBody};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::{ApiResult, ApiState};

/// Creates a tenant bot and returns its API token (only in this answer). The fleet starts the
/// bot within a second.
#[utoipa::path(post, path = "/api/v1/bots", tag = "bots", request_body = NewBotBody,
    responses((status = 201, body = CreatedBotDto), (status = "4XX", body = ErrorBody)))]
pub async fn create_bot(
    State(s): State<ApiState>,
    caller: Caller,
    Json(body): Json<NewBotBody>,
) -> Result<(StatusCode, axum::Json<CreatedBotDto>), ApiError> {
    caller.require_operator()?;
    let created = s
        .store()
        .platform()
        .create(NewBot { name: body.name, telegram_token: SecretString::from(body.telegram_token) })
        .await?;
    tracing::info!(bot_id = %created.bot.id, "bot created through the API");
    let dto = CreatedBotDto { bot: created.bot.into(), api_token: created.api_token.expose_secret().to_owned() };
    Ok((StatusCode::CREATED, axum::Json(dto)))
}

/// Lists every bot (operator only).
#[utoipa::path(get, path = "/api/v1/bots", tag = "bots", params(PageQuery),
    responses((status = 200, body = List<BotDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_bots(
    State(s): State<ApiState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<BotDto>> {
    caller.require_operator()?;
    let page = q.page()?;
    let bots = s.store().platform().list(page).await?;
    Ok(axum::Json(List::new(bots.into_iter().map(Into::into).collect(), page)))
}

/// One bot: any for the operator, its own for a tenant.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}", tag = "bots", params(("bot_id" = i64, Path)),
    responses((status = 200, body = BotDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_bot(State(s): State<ApiState>, caller: Caller, Path(bot_id): Path<i64>) -> ApiResult<BotDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().platform().get(tenant.bot_id()).await?.into()))
}

/// Renames a bot or changes its wallet credit limit (operator only).
#[utoipa::path(patch, path = "/api/v1/bots/{bot_id}", tag = "bots", params(("bot_id" = i64, Path)),
    request_body = BotUpdateBody, responses((status = 200, body = BotDto), (status = "4XX", body = ErrorBody)))]
pub async fn update_bot(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Json(body): Json<BotUpdateBody>,
) -> ApiResult<BotDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    caller.require_operator()?;
    let changes =
        BotChanges { name: body.name, wallet_credit_limit: body.wallet_credit_limit.map(remnabot_domain::Toman) };
    let before = s.store().platform().get(tenant.bot_id()).await?;
    let bot = s.store().platform().update(tenant.bot_id(), changes).await?;
    let fields = |b: &remnabot_domain::Bot| json!({"name": b.name, "wallet_credit_limit": b.wallet_credit_limit});
    s.store()
        .changes(caller.actor())
        .note(&tenant, "bot.update", None, Some(fields(&before)), Some(fields(&bot)))
        .await?;
    Ok(axum::Json(bot.into()))
}

/// Deletes a bot and every row of that tenant (operator only; never the master bot).
#[utoipa::path(delete, path = "/api/v1/bots/{bot_id}", tag = "bots", params(("bot_id" = i64, Path)),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn delete_bot(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    caller.require_operator()?;
    s.store().platform().delete(tenant.bot_id()).await?;
    tracing::info!(bot_id, "bot deleted through the API");
    Ok(StatusCode::NO_CONTENT)
}

async fn set_active(s: &ApiState, caller: &Caller, bot_id: i64, active: bool) -> ApiResult<BotDto> {
    let tenant = caller.tenant(s, bot_id).await?;
    caller.require_operator()?;
    let bot = s.store().platform().set_active(tenant.bot_id(), active).await?;
    tracing::info!(bot_id, active, "bot activation changed through the API");
    let action = if active { "bot.activate" } else { "bot.deactivate" };
    s.store().changes(caller.actor()).note(&tenant, action, None, None, Some(json!({"is_active": active}))).await?;
    Ok(axum::Json(bot.into()))
}

/// Activates a bot: the fleet runs it within a second (operator only).
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/activate", tag = "bots", params(("bot_id" = i64, Path)),
    responses((status = 200, body = BotDto), (status = "4XX", body = ErrorBody)))]
pub async fn activate_bot(State(s): State<ApiState>, caller: Caller, Path(bot_id): Path<i64>) -> ApiResult<BotDto> {
    set_active(&s, &caller, bot_id, true).await
}

/// Deactivates a bot: within a second it only tells users it is unavailable (operator only;
/// never the master bot).
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/deactivate", tag = "bots", params(("bot_id" = i64, Path)),
    responses((status = 200, body = BotDto), (status = "4XX", body = ErrorBody)))]
pub async fn deactivate_bot(State(s): State<ApiState>, caller: Caller, Path(bot_id): Path<i64>) -> ApiResult<BotDto> {
    set_active(&s, &caller, bot_id, false).await
}

/// Replaces the bot's API token; the old one stops working at once. The new one is shown only
/// in this answer (operator only).
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/api-token", tag = "bots", params(("bot_id" = i64, Path)),
    responses((status = 200, body = ApiTokenDto), (status = "4XX", body = ErrorBody)))]
pub async fn rotate_api_token(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
) -> ApiResult<ApiTokenDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    caller.require_operator()?;
    let token = s.store().platform().rotate_api_token(tenant.bot_id()).await?;
    tracing::info!(bot_id, "bot API token rotated through the API");
    s.store().changes(caller.actor()).note(&tenant, "bot.rotate_api_token", None, None, None).await?;
    Ok(axum::Json(ApiTokenDto { api_token: token.expose_secret().to_owned() }))
}

/// Gives the bot a new Telegram token; the fleet restarts it within a second (operator only).
#[utoipa::path(put, path = "/api/v1/bots/{bot_id}/telegram-token", tag = "bots", params(("bot_id" = i64, Path)),
    request_body = TelegramTokenBody, responses((status = 200, body = BotDto), (status = "4XX", body = ErrorBody)))]
pub async fn set_telegram_token(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Json(body): Json<TelegramTokenBody>,
) -> ApiResult<BotDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    caller.require_operator()?;
    let token = SecretString::from(body.telegram_token);
    let bot = s.store().platform().set_telegram_token(BotId(tenant.bot_id().0), &token).await?;
    s.store().changes(caller.actor()).note(&tenant, "bot.telegram_token", None, None, None).await?;
    Ok(axum::Json(bot.into()))
}
