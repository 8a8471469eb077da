//! `/api/v1/bots/{bot_id}/features` and `/config`: a tenant's feature flags and configuration.
//! Secrets (`panel_token`) go in through the same route and never come out.

use axum::extract::State;
use axum::http::StatusCode;
use remnabot_domain::FeatureKey;
use remnabot_domain::config::ConfigKey;
use secrecy::SecretString;

use crate::auth::Caller;
use crate::dto::{ConfigBody, ConfigDto, FeatureBody, FeatureDto};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path};
use crate::{ApiResult, ApiState};

/// Every known feature of the tenant, set or defaulted.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/features", tag = "features", params(("bot_id" = i64, Path)),
    responses((status = 200, body = Vec<FeatureDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_features(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
) -> ApiResult<Vec<FeatureDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    Ok(axum::Json(s.store().flags().list(&tenant).await?.into_iter().map(Into::into).collect()))
}

/// One feature flag (its default when never set).
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/features/{key}", tag = "features",
    params(("bot_id" = i64, Path), ("key" = String, Path, example = "trial")),
    responses((status = 200, body = FeatureDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_feature(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, key)): Path<(i64, String)>,
) -> ApiResult<FeatureDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let key = FeatureKey::parse(&key)?;
    Ok(axum::Json(s.store().flags().get(&tenant, key).await?.into()))
}

/// Switches a feature on or off, optionally with its settings.
#[utoipa::path(put, path = "/api/v1/bots/{bot_id}/features/{key}", tag = "features",
    params(("bot_id" = i64, Path), ("key" = String, Path, example = "trial")), request_body = FeatureBody,
    responses((status = 200, body = FeatureDto), (status = "4XX", body = ErrorBody)))]
pub async fn put_feature(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, key)): Path<(i64, String)>,
    Json(body): Json<FeatureBody>,
) -> ApiResult<FeatureDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let key = FeatureKey::parse(&key)?;
    Ok(axum::Json(s.store().changes(caller.actor()).set_feature(&tenant, key, body.enabled, body.config).await?.into()))
}

/// Removes the tenant's setting of a feature, so its default applies again.
#[utoipa::path(delete, path = "/api/v1/bots/{bot_id}/features/{key}", tag = "features",
    params(("bot_id" = i64, Path), ("key" = String, Path, example = "trial")),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn delete_feature(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, key)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let key = FeatureKey::parse(&key)?;
    s.store().changes(caller.actor()).delete_feature(&tenant, key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Keys only the operator may change: what the operator charges the tenant and the
/// tenant's own panel (see [`ConfigKey::operator_only`]).
fn operator_only(key: &str) -> bool {
    ConfigKey::known(key).is_some_and(ConfigKey::operator_only)
}

fn is_secret(key: &str) -> bool {
    ConfigKey::known(key) == Some(ConfigKey::PanelToken)
}

fn config_dto(key: String, value: serde_json::Value) -> ConfigDto {
    if is_secret(&key) {
        ConfigDto { key, value: None, secret: true }
    } else {
        ConfigDto { key, value: Some(value), secret: false }
    }
}

/// Every configuration key the tenant set, by key (secrets show as `null`).
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/config", tag = "config", params(("bot_id" = i64, Path)),
    responses((status = 200, body = Vec<ConfigDto>), (status = "4XX", body = ErrorBody)))]
pub async fn list_config(
    State(s): State<ApiState>,
    caller: Caller,
    Path(bot_id): Path<i64>,
) -> ApiResult<Vec<ConfigDto>> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let values = s.store().configs().list(&tenant).await?;
    Ok(axum::Json(values.into_iter().map(|(k, v)| config_dto(k, v)).collect()))
}

/// One configuration value.
#[utoipa::path(get, path = "/api/v1/bots/{bot_id}/config/{key}", tag = "config",
    params(("bot_id" = i64, Path), ("key" = String, Path, example = "welcome_text")),
    responses((status = 200, body = ConfigDto), (status = "4XX", body = ErrorBody)))]
pub async fn get_config(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, key)): Path<(i64, String)>,
) -> ApiResult<ConfigDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    let value = s
        .store()
        .configs()
        .get(&tenant, &key)
        .await?
        .ok_or_else(|| remnabot_domain::Error::not_found("configuration"))?;
    Ok(axum::Json(config_dto(key, value)))
}

/// Sets a configuration value; known keys must have their shape. `panel_token` takes the
/// secret as a string and stores it encrypted. `wholesale_price_per_gb`, `panel_url` and
/// `panel_token` are the operator's (403 `operator_only` for a tenant's token).
#[utoipa::path(put, path = "/api/v1/bots/{bot_id}/config/{key}", tag = "config",
    params(("bot_id" = i64, Path), ("key" = String, Path, example = "welcome_text")), request_body = ConfigBody,
    responses((status = 200, body = ConfigDto), (status = "4XX", body = ErrorBody)))]
pub async fn put_config(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, key)): Path<(i64, String)>,
    Json(body): Json<ConfigBody>,
) -> ApiResult<ConfigDto> {
    let tenant = caller.tenant(&s, bot_id).await?;
    if operator_only(&key) {
        caller.require_operator()?;
    }
    if is_secret(&key) {
        let serde_json::Value::String(secret) = body.value else {
            return Err(remnabot_domain::Error::invalid("value", format!("`{key}` must be a string")).into());
        };
        remnabot_domain::config::SECRET_RULE.check(&secret)?;
        s.store().changes(caller.actor()).set_config_secret(&tenant, &key, &SecretString::from(secret)).await?;
        return Ok(axum::Json(ConfigDto { key, value: None, secret: true }));
    }
    s.store().changes(caller.actor()).set_config(&tenant, &key, body.value.clone()).await?;
    Ok(axum::Json(config_dto(key, body.value)))
}

/// Removes a configuration value, so its default applies again.
#[utoipa::path(delete, path = "/api/v1/bots/{bot_id}/config/{key}", tag = "config",
    params(("bot_id" = i64, Path), ("key" = String, Path, example = "welcome_text")),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
pub async fn delete_config(
    State(s): State<ApiState>,
    caller: Caller,
    Path((bot_id, key)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant(&s, bot_id).await?;
    if operator_only(&key) {
        caller.require_operator()?;
    }
    s.store().changes(caller.actor()).delete_config(&tenant, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
