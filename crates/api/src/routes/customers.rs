//! `/api/v1/bots/{bot_id}/users`, `/subscriptions` and `/transactions`: a tenant's customers,
//! their balances (changed only through the ledger), subscriptions and money records.

use axum::extract::State;
use remnabot_domain::limits;
use remnabot_domain::{Error, PlanId, PromoGroupId, SubscriptionId, Toman, TransactionId, UserId};
use remnabot_store::ledger::Posting;
use remnabot_store::outbox::Limits;
use remnabot_store::subscriptions::SubscriptionStatus;

use crate::auth::Caller;
use crate::dto::{
    AdjustBody, ExtendBody, ExtendedDto, GrantBody, KeyBody, LedgerEntryDto, List, MessageBody, PageQuery, PostedDto,
    QueuedDto, SubscriptionDto, SubscriptionPatchBody, SubscriptionStatusQuery, TransactionDto, UserDto,
    UserFilterQuery, UserGroupBody, UserSearchQuery,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::{ApiResult, ApiState};

/// The tenant's customers, newest first, optionally matching `search`.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/users", tag = "users",
    params(("bot_id" = i64, Path), UserSearchQuery, PageQuery),
    responses((status = 200, body = List<UserDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_users(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(search): Query<UserSearchQuery>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<UserDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let term = search.search.as_deref();
    if term.is_some_and(|t| t.chars().count() > crate::dto::MAX_SEARCH_CHARS) {
        return Err(ApiError::BadParameter {
            field: "search".to_owned(),
            message: format!("`search` must be at most {} characters", crate::dto::MAX_SEARCH_CHARS),
        });
    }
    let users = s.store().users().list(&tenant, term, page).await?;
    Ok(axum::Json(List::new(users.into_iter().map(Into::into).collect(), page)))
}

/// One customer.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/users/{user_id}", tag = "users",
    params(("bot_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_user(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<UserDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().users().get(&tenant, UserId(id)).await?.into()))
}

async fn set_blocked(s: &ApiState, caller: &Caller, bot_id: i64, id: i64, blocked: bool) -> ApiResult<UserDto> {
    let tenant = caller.tenant(s, bot_id).await?;
    Ok(axum::Json(s.store().changes(caller.actor()).set_blocked(&tenant, UserId(id), blocked).await?.into()))
}

/// Blocks a customer: the bot stops serving them.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/users/{user_id}/block", tag = "users",
    params(("bot_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = "4XX", body = ErrorBody)))]
pub async fn block_user(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<UserDto> {
    set_blocked(&s, &caller, bot_id, id, true).await
}

/// Unblocks a customer.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/users/{user_id}/unblock", tag = "users",
    params(("bot_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = "4XX", body = ErrorBody)))]
pub async fn unblock_user(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<UserDto> {
    set_blocked(&s, &caller, bot_id, id, false).await
}

/// Credits (positive amount) or debits (negative) a customer's balance through the ledger,
/// once per idempotency key. A debit never takes the balance below zero.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/users/{user_id}/balance", tag = "users",
    params(("bot_id" = i64, Path), ("user_id" = i64, Path)), request_body = AdjustBody,
    responses((status = 200, body = PostedDto), (status = "4XX", body = ErrorBody)))]
pub async fn adjust_balance(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<AdjustBody>,
) -> ApiResult<PostedDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    if body.amount != 0 {
        limits::check("amount", body.amount.checked_abs().unwrap_or(i64::MAX), limits::AMOUNT)?;
    }
    let posting = match body.amount {
        0 => return Err(Error::invalid("amount", "must not be zero").into()),
        n if n > 0 => Posting::credit(Toman(n), "adjustment", &body.idempotency_key)?,
        n => Posting::debit(Toman(n.checked_neg().unwrap_or(i64::MAX)), "adjustment", &body.idempotency_key)?,
    };
    let posting = match body.description {
        Some(d) => posting.described(d),
        None => posting,
    };
    Ok(axum::Json(s.store().changes(caller.actor()).post_balance(&tenant, UserId(id), posting).await?.into()))
}

/// The customer's balance ledger, newest first.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/users/{user_id}/ledger", tag = "users",
    params(("bot_id" = i64, Path), ("user_id" = i64, Path), PageQuery),
    responses((status = 200, body = List<LedgerEntryDto>), (status = "4XX", body = ErrorBody)))]
pub async fn user_ledger(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<LedgerEntryDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    // An unknown customer (or another tenant's) is a 404, not an empty ledger.
    s.store().users().get(&tenant, UserId(id)).await?;
    let entries = s.store().balances().history(&tenant, UserId(id), page).await?;
    Ok(axum::Json(List::new(entries.into_iter().map(Into::into).collect(), page)))
}

/// The tenant's subscriptions, newest first, optionally of one status and of one customer.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/subscriptions", tag = "subscriptions",
    params(("bot_id" = i64, Path), SubscriptionStatusQuery, UserFilterQuery, PageQuery),
    responses((status = 200, body = List<SubscriptionDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_subscriptions(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(status): Query<SubscriptionStatusQuery>,
    Query(user): Query<UserFilterQuery>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<SubscriptionDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let status = status.status.as_deref().map(SubscriptionStatus::parse).transpose()?;
    let subs = match user.user_id {
        Some(u) => s.store().subscriptions().list_of_user(&tenant, UserId(u), status, page).await?,
        None => s.store().subscriptions().list(&tenant, status, page).await?,
    };
    Ok(axum::Json(List::new(subs.into_iter().map(Into::into).collect(), page)))
}

/// One subscription.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/subscriptions/{subscription_id}", tag = "subscriptions",
    params(("bot_id" = i64, Path), ("subscription_id" = i64, Path)),
    responses((status = 200, body = SubscriptionDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_subscription(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<SubscriptionDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().subscriptions().get(&tenant, SubscriptionId(id)).await?.into()))
}

/// Extends a subscription by `days` and queues the change for the panel, in one step; the
/// same idempotency key extends once.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/subscriptions/{subscription_id}/extend", tag = "subscriptions",
    params(("bot_id" = i64, Path), ("subscription_id" = i64, Path)), request_body = ExtendBody,
    responses((status = 200, body = ExtendedDto), (status = "4XX", body = ErrorBody)))]
pub async fn extend_subscription(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<ExtendBody>,
) -> ApiResult<ExtendedDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let key = match body.idempotency_key {
        Some(k) => k,
        None => fresh_key("api-extend", id),
    };
    let done = s
        .store()
        .changes(caller.actor())
        .extend(&tenant, SubscriptionId(id), body.days, &key, chrono::Utc::now())
        .await?;
    Ok(axum::Json(ExtendedDto { subscription: done.subscription.into(), newly_applied: done.newly_applied }))
}

/// Gives a customer a plan without payment: a new subscription, or the current one extended
/// by the plan's period with the plan's limits, queued for the panel like a purchase. The
/// same idempotency key grants once.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/subscriptions", tag = "subscriptions",
    params(("bot_id" = i64, Path)), request_body = GrantBody,
    responses((status = 200, body = ExtendedDto), (status = "4XX", body = ErrorBody)))]
pub async fn grant_subscription(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Json(body): Json<GrantBody>,
) -> ApiResult<ExtendedDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let key = body.idempotency_key.unwrap_or_else(|| fresh_key("api-grant", body.user_id));
    let done = s
        .store()
        .changes(caller.actor())
        .grant(&tenant, UserId(body.user_id), PlanId(body.plan_id), &key, chrono::Utc::now())
        .await?;
    Ok(axum::Json(ExtendedDto { subscription: done.subscription.into(), newly_applied: done.newly_applied }))
}

/// Changes a subscription's traffic limit, device limit, or whether it is enabled; each
/// change is queued for the panel. With a key, a retried request applies once.
#[utoipa::path(patch, path = "/api/v1/bots/{bot_id}/subscriptions/{subscription_id}", tag = "subscriptions",
    params(("bot_id" = i64, Path), ("subscription_id" = i64, Path)), request_body = SubscriptionPatchBody,
    responses((status = 200, body = ExtendedDto), (status = "4XX", body = ErrorBody)))]
pub async fn patch_subscription(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<SubscriptionPatchBody>,
) -> ApiResult<ExtendedDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let key = body.idempotency_key.unwrap_or_else(|| fresh_key("api-patch", id));
    if let Some(gb) = body.traffic_limit_gb {
        limits::check_u32("traffic_limit_gb", gb, limits::TRAFFIC_GB)?;
    }
    let traffic = body.traffic_limit_gb.map(|gb| i64::from(gb) << 30);
    let limits = Limits { traffic_limit_bytes: traffic, device_limit: body.device_limit };
    if limits == Limits::default() && body.enabled.is_none() {
        return Err(Error::invalid("body", "give traffic_limit_gb, device_limit or enabled").into());
    }
    let changes = s.store().changes(caller.actor());
    let now = chrono::Utc::now();
    let sub = SubscriptionId(id);
    let mut done = None;
    if limits != Limits::default() {
        done = Some(changes.set_limits(&tenant, sub, limits, &format!("{key}:limits"), now).await?);
    }
    if let Some(enabled) = body.enabled {
        done = Some(changes.set_enabled(&tenant, sub, enabled, &format!("{key}:enabled"), now).await?);
    }
    let done = done.ok_or_else(|| Error::invalid("body", "nothing to change"))?;
    Ok(axum::Json(ExtendedDto { subscription: done.subscription.into(), newly_applied: done.newly_applied }))
}

/// Sets the traffic used to zero here and on the panel (queued); the same key resets once.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/subscriptions/{subscription_id}/reset-traffic",
    tag = "subscriptions", params(("bot_id" = i64, Path), ("subscription_id" = i64, Path)), request_body = KeyBody,
    responses((status = 200, body = ExtendedDto), (status = "4XX", body = ErrorBody)))]
pub async fn reset_subscription_traffic(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<KeyBody>,
) -> ApiResult<ExtendedDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let key = body.idempotency_key.unwrap_or_else(|| fresh_key("api-reset", id));
    let done =
        s.store().changes(caller.actor()).reset_traffic(&tenant, SubscriptionId(id), &key, chrono::Utc::now()).await?;
    Ok(axum::Json(ExtendedDto { subscription: done.subscription.into(), newly_applied: done.newly_applied }))
}

/// Puts the customer in a promo group of this tenant, or takes them out with null.
#[utoipa::path(put, path = "/api/v1/bots/{bot_id}/users/{user_id}/promo-group", tag = "users",
    params(("bot_id" = i64, Path), ("user_id" = i64, Path)), request_body = UserGroupBody,
    responses((status = 200, body = UserDto), (status = "4XX", body = ErrorBody)))]
pub async fn set_user_promo_group(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<UserGroupBody>,
) -> ApiResult<UserDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let group = body.promo_group_id.map(PromoGroupId);
    Ok(axum::Json(s.store().changes(caller.actor()).set_promo_group(&tenant, UserId(id), group).await?.into()))
}

/// Sends the customer a message through the tenant's bot (queued in the notification
/// outbox); the same key sends once.
#[utoipa::path(post, path = "/api/v1/bots/{bot_id}/users/{user_id}/message", tag = "users",
    params(("bot_id" = i64, Path), ("user_id" = i64, Path)), request_body = MessageBody,
    responses((status = 200, body = QueuedDto), (status = "4XX", body = ErrorBody)))]
pub async fn message_user(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
    Json(body): Json<MessageBody>,
) -> ApiResult<QueuedDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let key = body.idempotency_key.unwrap_or_else(|| fresh_key("api-message", id));
    let queued = s.store().changes(caller.actor()).message_customer(&tenant, UserId(id), &body.text, &key).await?;
    Ok(axum::Json(QueuedDto { queued }))
}

/// The tenant's money transactions, newest first, optionally of one customer.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/transactions", tag = "transactions",
    params(("bot_id" = i64, Path), UserFilterQuery, PageQuery),
    responses((status = 200, body = List<TransactionDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_transactions(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
    Query(user): Query<UserFilterQuery>,
    Query(q): Query<PageQuery>,
) -> ApiResult<List<TransactionDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let page = q.page()?;
    let rows = s.store().transactions().list(&tenant, user.user_id.map(UserId), page).await?;
    Ok(axum::Json(List::new(rows.into_iter().map(Into::into).collect(), page)))
}

/// One money transaction.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/transactions/{transaction_id}", tag = "transactions",
    params(("bot_id" = i64, Path), ("transaction_id" = i64, Path)),
    responses((status = 200, body = TransactionDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_transaction(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, id)): Path<(i64, i64)>,
) -> ApiResult<TransactionDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().transactions().get(&tenant, TransactionId(id)).await?.into()))
}

/// A key no other request has: for callers that do not send their own.
fn fresh_key(prefix: &str, id: i64) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!("{prefix}:{id}:{nanos}:{n}")
}
