//! Tenant configuration: JSON values per key, validated for the known keys, with typed
//! accessors that fall back to defaults.

use chrono::Utc;
use remnabot_domain::card::RotationStrategy;
use remnabot_domain::config::{ConfigKey, Language, TrialParams, validate_key, validate_value};
use remnabot_domain::{Error, Result, Tenant, Toman};
use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set};
use serde::de::DeserializeOwned;

use crate::db::{is_unique_violation, unavailable};
use crate::entity::bot_configuration;
use crate::{Store, scope};

/// The configuration service.
#[derive(Debug, Clone, Copy)]
pub struct Configs<'a> {
    store: &'a Store,
}

impl Store {
    /// The configuration service.
    pub fn configs(&self) -> Configs<'_> {
        Configs { store: self }
    }
}

impl Configs<'_> {
    /// The raw value of `key`, if the tenant set it.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a malformed key; [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, key: &str) -> Result<Option<serde_json::Value>> {
        validate_key(key)?;
        // Bots read settings on every update: they are cached like feature flags and
        // invalidated on every change.
        if let Some(cached) = self.store.flag_cache.get_config(tenant.bot_id(), key).await {
            return Ok(cached);
        }
        let row = scope::select::<bot_configuration::Entity>(tenant)
            .filter(bot_configuration::Column::ConfigKey.eq(key))
            .one(&self.store.db)
            .await
            .map_err(unavailable)?;
        let value = row.map(|m| m.config_value);
        self.store.flag_cache.put_config(tenant.bot_id(), key, &value).await;
        Ok(value)
    }

    /// Sets `key` to `value`, checking the shape of known keys first; nothing is written when
    /// the value is refused.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming what is wrong; [`Error::Unavailable`].
    pub async fn set(&self, tenant: &Tenant, key: &str, value: serde_json::Value) -> Result<()> {
        validate_value(key, &value)?;
        self.write(tenant, key, value).await
    }

    async fn write(&self, tenant: &Tenant, key: &str, value: serde_json::Value) -> Result<()> {
        let res = self.write_row(tenant, key, value).await;
        self.store.flag_cache.invalidate_config(tenant.bot_id(), key).await?;
        res
    }

    async fn write_row(&self, tenant: &Tenant, key: &str, value: serde_json::Value) -> Result<()> {
        for _ in 0..2 {
            let existing = scope::select::<bot_configuration::Entity>(tenant)
                .filter(bot_configuration::Column::ConfigKey.eq(key))
                .one(&self.store.db)
                .await
                .map_err(unavailable)?;
            let now = Utc::now();
            let res = match existing {
                Some(m) => {
                    let mut row: bot_configuration::ActiveModel = m.into();
                    row.config_value = Set(value.clone());
                    row.updated_at = Set(now);
                    row.update(&self.store.db).await.map(|_| ())
                }
                None => bot_configuration::ActiveModel {
                    bot_id: Set(tenant.bot_id().0),
                    created_at: Set(now),
                    updated_at: Set(now),
                    config_key: Set(key.to_owned()),
                    config_value: Set(value.clone()),
                    ..Default::default()
                }
                .insert(&self.store.db)
                .await
                .map(|_| ()),
            };
            match res {
                Ok(()) => return Ok(()),
                // A concurrent first write created the row; update it on the second pass.
                Err(e) if is_unique_violation(&e) => continue,
                Err(e) => return Err(unavailable(e)),
            }
        }
        Err(Error::Conflict(format!("configuration `{key}` was changed concurrently; try again")))
    }

    /// Sets `key` from JSON text (as the API and CLI receive it).
    ///
    /// # Errors
    /// [`Error::Invalid`] when the text is not JSON or has the wrong shape.
    pub async fn set_json(&self, tenant: &Tenant, key: &str, json: &str) -> Result<()> {
        let value = remnabot_domain::config::parse_value(key, json)?;
        self.set(tenant, key, value).await
    }

    /// Every key the tenant set, by key.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn list(&self, tenant: &Tenant) -> Result<Vec<(String, serde_json::Value)>> {
        let rows = scope::select::<bot_configuration::Entity>(tenant)
            .order_by_asc(bot_configuration::Column::ConfigKey)
            .all(&self.store.db)
            .await
            .map_err(unavailable)?;
        Ok(rows.into_iter().map(|m| (m.config_key, m.config_value)).collect())
    }

    /// Removes `key`, so its default applies again.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the tenant never set it.
    pub async fn delete(&self, tenant: &Tenant, key: &str) -> Result<()> {
        validate_key(key)?;
        let res = scope::delete::<bot_configuration::Entity>(tenant)
            .filter(bot_configuration::Column::ConfigKey.eq(key))
            .exec(&self.store.db)
            .await
            .map_err(unavailable)?;
        self.store.flag_cache.invalidate_config(tenant.bot_id(), key).await?;
        if res.rows_affected == 0 {
            return Err(Error::not_found("configuration"));
        }
        Ok(())
    }

    async fn typed<T: DeserializeOwned>(&self, tenant: &Tenant, key: ConfigKey) -> Result<Option<T>> {
        match self.get(tenant, key.as_str()).await? {
            // Values were validated on the way in; a value that no longer parses (written by
            // an older version) falls back to the default rather than breaking the bot.
            Some(v) => Ok(serde_json::from_value(v).ok()),
            None => Ok(None),
        }
    }

    /// Languages offered to customers; the first is the default. Default: fa, en, ru.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn languages(&self, tenant: &Tenant) -> Result<Vec<Language>> {
        let codes: Option<Vec<String>> = self.typed(tenant, ConfigKey::Languages).await?;
        let langs: Vec<Language> = codes.unwrap_or_default().iter().filter_map(|c| Language::parse(c).ok()).collect();
        Ok(if langs.is_empty() { Language::ALL.to_vec() } else { langs })
    }

    /// Where customers get help, if set.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn support_contact(&self, tenant: &Tenant) -> Result<Option<String>> {
        self.typed(tenant, ConfigKey::SupportContact).await
    }

    /// The chat that receives receipts and tickets, if set.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn admin_chat_id(&self, tenant: &Tenant) -> Result<Option<i64>> {
        self.typed(tenant, ConfigKey::AdminChatId).await
    }

    /// Telegram ids of the tenant's admins (empty when none).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn admin_ids(&self, tenant: &Tenant) -> Result<Vec<i64>> {
        Ok(self.typed(tenant, ConfigKey::AdminIds).await?.unwrap_or_default())
    }

    /// The card rotation strategy; round robin by default.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn card_rotation_strategy(&self, tenant: &Tenant) -> Result<RotationStrategy> {
        Ok(self.typed(tenant, ConfigKey::CardRotationStrategy).await?.unwrap_or_default())
    }

    /// Trial parameters; one day, 1 GB, one device by default.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn trial(&self, tenant: &Tenant) -> Result<TrialParams> {
        Ok(self.typed(tenant, ConfigKey::Trial).await?.unwrap_or_default())
    }

    /// What the operator charges per GB sold; zero (no charge) by default.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn wholesale_price_per_gb(&self, tenant: &Tenant) -> Result<Toman> {
        Ok(Toman(self.typed(tenant, ConfigKey::WholesalePricePerGb).await?.unwrap_or(0)))
    }

    /// The `/start` greeting, if the tenant wrote one.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn welcome_text(&self, tenant: &Tenant) -> Result<Option<String>> {
        self.typed(tenant, ConfigKey::WelcomeText).await
    }

    /// Whether renewing removes the customer's registered devices; false by default.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn reset_devices_on_renewal(&self, tenant: &Tenant) -> Result<bool> {
        Ok(self.typed(tenant, ConfigKey::ResetDevicesOnRenewal).await?.unwrap_or(false))
    }

    /// The percent of an invited customer's payments credited to the inviter; 0 by default.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn referral_percent(&self, tenant: &Tenant) -> Result<u8> {
        let n: Option<i64> = self.typed(tenant, ConfigKey::ReferralPercent).await?;
        Ok(n.and_then(|n| u8::try_from(n.clamp(0, 100)).ok()).unwrap_or(0))
    }

    /// How long a customer has to transfer and send the receipt; 30 minutes by default.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn card_payment_window(&self, tenant: &Tenant) -> Result<chrono::Duration> {
        let n: Option<i64> = self.typed(tenant, ConfigKey::CardPaymentMinutes).await?;
        Ok(chrono::Duration::minutes(n.unwrap_or(30).clamp(1, 1440)))
    }

    /// How long the admins have to review a sent receipt; 24 hours by default.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn receipt_review_window(&self, tenant: &Tenant) -> Result<chrono::Duration> {
        let n: Option<i64> = self.typed(tenant, ConfigKey::ReceiptReviewHours).await?;
        Ok(chrono::Duration::hours(n.unwrap_or(24).clamp(1, 168)))
    }

    /// Internal squads for the tenant's panel users (empty: the panel's default).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn panel_squads(&self, tenant: &Tenant) -> Result<Vec<String>> {
        Ok(self.typed(tenant, ConfigKey::PanelSquads).await?.unwrap_or_default())
    }

    /// Stores a secret setting (such as `panel_token`) encrypted under `SECRET_KEY`, bound to
    /// this tenant and key. Listing shows only the ciphertext.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a malformed key or an empty secret; [`Error::Unavailable`].
    pub async fn set_secret(&self, tenant: &Tenant, key: &str, value: &secrecy::SecretString) -> Result<()> {
        validate_key(key)?;
        if secrecy::ExposeSecret::expose_secret(value).trim().is_empty() {
            return Err(Error::invalid("value", "a secret must not be empty"));
        }
        let encrypted = self.store.key.encrypt_config_secret(tenant.bot_id().0, key, value)?;
        self.write(tenant, key, serde_json::json!({ "encrypted": encrypted })).await
    }

    /// A secret setting, decrypted, if the tenant set one.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when it cannot be decrypted (another `SECRET_KEY`, a damaged or
    /// copied value).
    pub async fn secret(&self, tenant: &Tenant, key: &str) -> Result<Option<secrecy::SecretString>> {
        let Some(value) = self.get(tenant, key).await? else { return Ok(None) };
        let stored = value
            .get("encrypted")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| Error::invalid("value", format!("`{key}` is not a stored secret")))?;
        self.store.key.decrypt_config_secret(tenant.bot_id().0, key, stored).map(Some)
    }

    /// The tenant's own panel URL, if set.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn panel_url(&self, tenant: &Tenant) -> Result<Option<String>> {
        self.typed(tenant, ConfigKey::PanelUrl).await
    }

    /// The tenant's Zarinpal merchant id, if set (and still valid).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn zarinpal_merchant_id(&self, tenant: &Tenant) -> Result<Option<remnabot_domain::payment::MerchantId>> {
        let s: Option<String> = self.typed(tenant, ConfigKey::ZarinpalMerchantId).await?;
        Ok(s.and_then(|s| remnabot_domain::payment::MerchantId::parse(&s).ok()))
    }

    /// Whether Zarinpal payments go to the gateway's sandbox; false by default.
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn zarinpal_sandbox(&self, tenant: &Tenant) -> Result<bool> {
        Ok(self.typed(tenant, ConfigKey::ZarinpalSandbox).await?.unwrap_or(false))
    }

    /// Toman per Telegram Star, if set (always above 0).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn stars_rate(&self, tenant: &Tenant) -> Result<Option<i64>> {
        let n: Option<i64> = self.typed(tenant, ConfigKey::StarsRate).await?;
        Ok(n.filter(|n| *n > 0))
    }
}
