//! Feature flags per tenant, read through the flag cache and invalidated on every change.

use chrono::Utc;
use remnabot_domain::feature::{FeatureFlag, FeatureKey};
use remnabot_domain::{Error, Result, Tenant};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set};

use crate::db::{is_unique_violation, unavailable};
use crate::entity::bot_feature_flag;
use crate::{Store, scope};

/// The feature-flag service.
#[derive(Debug, Clone, Copy)]
pub struct FeatureFlags<'a> {
    store: &'a Store,
}

impl Store {
    /// The feature-flag service.
    pub fn flags(&self) -> FeatureFlags<'_> {
        FeatureFlags { store: self }
    }
}

fn to_flag(key: FeatureKey, m: bot_feature_flag::Model) -> FeatureFlag {
    FeatureFlag { key, enabled: m.enabled, config: m.config, explicit: true }
}

impl FeatureFlags<'_> {
    /// The tenant's flag for `key` (the default when never set), from the cache when present.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, key: FeatureKey) -> Result<FeatureFlag> {
        if let Some(flag) = self.store.flag_cache.get(tenant.bot_id(), key).await {
            return Ok(flag);
        }
        let flag = self.load(tenant, key).await?;
        self.store.flag_cache.put(tenant.bot_id(), &flag).await;
        Ok(flag)
    }

    async fn load(&self, tenant: &Tenant, key: FeatureKey) -> Result<FeatureFlag> {
        let row = scope::select::<bot_feature_flag::Entity>(tenant)
            .filter(bot_feature_flag::Column::FeatureKey.eq(key.as_str()))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(row.map_or_else(|| FeatureFlag::default_for(key), |m| to_flag(key, m)))
    }

    /// Whether `key` is on for the tenant.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn is_enabled(&self, tenant: &Tenant, key: FeatureKey) -> Result<bool> {
        Ok(self.get(tenant, key).await?.enabled)
    }

    /// The feature's settings (`{}` when none).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn config(&self, tenant: &Tenant, key: FeatureKey) -> Result<serde_json::Value> {
        Ok(self.get(tenant, key).await?.config)
    }

    /// Sets the flag. `config` must be a JSON object (or `None` to keep the current one).
    ///
    /// # Errors
    /// [`Error::Invalid`] when `config` is not an object; [`Error::Unavailable`], including
    /// when the shared cache cannot be invalidated.
    #[tracing::instrument(skip_all, fields(bot_id = %tenant.bot_id(), feature = %key))]
    pub async fn set(
        &self,
        tenant: &Tenant,
        key: FeatureKey,
        enabled: bool,
        config: Option<serde_json::Value>,
    ) -> Result<FeatureFlag> {
        if let Some(c) = &config {
            if !c.is_object() {
                return Err(Error::invalid("config", "must be a JSON object"));
            }
            remnabot_domain::config::validate_custom("config", c)?;
        }
        let flag = self.upsert(tenant, key, enabled, config.clone()).await;
        // A unique violation means a concurrent first write of the same flag won the race;
        // the row now exists, so the update path applies.
        let flag = match flag {
            Err(UpsertError::Race) => self.upsert(tenant, key, enabled, config).await,
            other => other,
        }
        .map_err(|e| match e {
            UpsertError::Race => Error::Conflict("the flag was changed concurrently; try again".to_owned()),
            UpsertError::Other(e) => e,
        })?;
        self.store.flag_cache.invalidate(tenant.bot_id(), key).await?;
        Ok(flag)
    }

    async fn upsert(
        &self,
        tenant: &Tenant,
        key: FeatureKey,
        enabled: bool,
        config: Option<serde_json::Value>,
    ) -> Result<FeatureFlag, UpsertError> {
        let now = Utc::now();
        let existing = scope::select::<bot_feature_flag::Entity>(tenant)
            .filter(bot_feature_flag::Column::FeatureKey.eq(key.as_str()))
            .one(&self.store.db)
            .await
            .map_err(|e| UpsertError::Other(unavailable(e)))?;
        let saved = match existing {
            Some(m) => {
                let mut row: bot_feature_flag::ActiveModel = m.into();
                row.enabled = Set(enabled);
                if let Some(c) = config {
                    row.config = Set(c);
                }
                row.updated_at = Set(now);
                row.update(&self.store.db).await.map_err(|e| UpsertError::Other(unavailable(e)))?
            }
            None => bot_feature_flag::ActiveModel {
                bot_id: Set(tenant.bot_id().0),
                created_at: Set(now),
                updated_at: Set(now),
                feature_key: Set(key.as_str().to_owned()),
                enabled: Set(enabled),
                config: Set(config.unwrap_or_else(|| serde_json::json!({}))),
                ..Default::default()
            }
            .insert(&self.store.db)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) { UpsertError::Race } else { UpsertError::Other(unavailable(e)) }
            })?,
        };
        Ok(to_flag(key, saved))
    }

    /// Every known feature for the tenant, set or defaulted, in [`FeatureKey::ALL`] order.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant) -> Result<Vec<FeatureFlag>> {
        let rows = scope::select::<bot_feature_flag::Entity>(tenant)
            .order_by_asc(bot_feature_flag::Column::FeatureKey)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(FeatureKey::ALL
            .into_iter()
            .map(|key| {
                rows.iter()
                    .find(|m| m.feature_key == key.as_str())
                    .map_or_else(|| FeatureFlag::default_for(key), |m| to_flag(key, m.clone()))
            })
            .collect())
    }

    /// Removes the tenant's setting, so the default applies again.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the tenant never set it; [`Error::Unavailable`].
    pub async fn delete(&self, tenant: &Tenant, key: FeatureKey) -> Result<()> {
        let res = scope::delete::<bot_feature_flag::Entity>(tenant)
            .filter(bot_feature_flag::Column::FeatureKey.eq(key.as_str()))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        self.store.flag_cache.invalidate(tenant.bot_id(), key).await?;
        if res.rows_affected == 0 {
            return Err(Error::not_found("feature flag"));
        }
        Ok(())
    }
}

enum UpsertError {
    Race,
    Other(Error),
}
