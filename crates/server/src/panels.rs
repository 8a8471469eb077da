//! Which Remnawave panel serves a tenant: the tenant's own (`panel_url` and the secret
//! `panel_token` in its configuration) or the platform's (`REMNAWAVE_API_URL`). Clients are
//! built once and shared; a panel that is down at start-up is detected on first use, so
//! provisioning just waits in the outbox meanwhile.

use std::collections::HashMap;
use std::sync::Arc;

use remnabot_domain::panel::Panel;
use remnabot_domain::{BotId, Error, Result, Tenant};
use remnabot_jobs::PanelResolver;
use remnabot_panel::PanelConfig;
use remnabot_store::Store;
use secrecy::ExposeSecret;
use tokio::sync::Mutex;

/// The panel directory of the process.
#[derive(Debug)]
pub struct PanelDirectory {
    store: Store,
    client: reqwest::Client,
    /// The platform's panel settings, if configured.
    default: Option<PanelConfig>,
    connected_default: Mutex<Option<Arc<dyn Panel>>>,
    /// Tenant panels by bot.
    tenants: Mutex<HashMap<BotId, TenantPanel>>,
}

/// A tenant's own panel client, with the URL and token hash it was built for (a change of
/// either builds a new one).
#[derive(Debug)]
struct TenantPanel {
    url: String,
    token_hash: String,
    panel: Arc<dyn Panel>,
}

impl PanelDirectory {
    /// A directory with the platform panel `default`.
    pub fn new(store: Store, client: reqwest::Client, default: Option<PanelConfig>) -> PanelDirectory {
        PanelDirectory {
            store,
            client,
            default,
            connected_default: Mutex::new(None),
            tenants: Mutex::new(HashMap::new()),
        }
    }

    async fn connect(&self, config: PanelConfig) -> Result<Arc<dyn Panel>> {
        remnabot_panel::connect(config, self.client.clone())
            .await
            .map_err(|e| Error::unavailable("the Remnawave panel", e))
    }

    async fn default_panel(&self) -> Result<Arc<dyn Panel>> {
        let mut slot = self.connected_default.lock().await;
        if let Some(p) = slot.as_ref() {
            return Ok(p.clone());
        }
        let config = self.default.clone().ok_or_else(|| {
            Error::unavailable("the Remnawave panel", NoPanel("REMNAWAVE_API_URL and REMNAWAVE_API_TOKEN are not set"))
        })?;
        let panel = self.connect(config).await?;
        tracing::info!(version = ?panel.version(), "connected to the Remnawave panel");
        *slot = Some(panel.clone());
        Ok(panel)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct NoPanel(&'static str);

#[async_trait::async_trait]
impl PanelResolver for PanelDirectory {
    async fn panel_for(&self, tenant: &Tenant) -> Result<Arc<dyn Panel>> {
        let configs = self.store.configs();
        let (Some(url), Some(token)) = (configs.panel_url(tenant).await?, configs.secret(tenant, "panel_token").await?)
        else {
            return self.default_panel().await;
        };
        let token_id = remnabot_store::crypto::api_token_hash(token.expose_secret());
        let mut tenants = self.tenants.lock().await;
        if let Some(cached) = tenants.get(&tenant.bot_id())
            && cached.url == url
            && cached.token_hash == token_id
        {
            return Ok(cached.panel.clone());
        }
        let base = url::Url::parse(&url).map_err(|e| Error::invalid("panel_url", e.to_string()))?;
        let mut config = PanelConfig::new(base, token);
        if let Some(default) = &self.default {
            config.forwarded_headers = default.forwarded_headers;
            config.timeout = default.timeout;
        }
        let panel = self.connect(config).await?;
        tenants.insert(tenant.bot_id(), TenantPanel { url, token_hash: token_id, panel: panel.clone() });
        Ok(panel)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use remnabot_domain::panel::{NewPanelUser, PanelVersion};
    use remnabot_store::testing;
    use remnabot_testkit::FakeRemnawave;
    use secrecy::SecretString;

    fn probe(name: &str) -> NewPanelUser {
        NewPanelUser {
            username: name.to_owned(),
            expire_at: chrono::Utc::now() + chrono::Duration::days(1),
            traffic_limit_bytes: 0,
            traffic_limit_strategy: Default::default(),
            hwid_device_limit: None,
            internal_squads: vec![],
            telegram_id: None,
            description: None,
            tag: None,
        }
    }

    #[tokio::test]
    async fn a_tenant_with_its_own_panel_uses_it_and_the_others_use_the_platforms() {
        let platform = FakeRemnawave::start(PanelVersion::V3).await;
        let own = FakeRemnawave::start(PanelVersion::V2).await;
        let store = testing::store(remnabot_store::Backend::Sqlite).await;
        let (_, shared) = testing::tenant(&store, "Shared").await;
        let (_, owner) = testing::tenant(&store, "Own panel").await;
        store.configs().set(&owner, "panel_url", serde_json::json!(own.url())).await.unwrap();
        store.configs().set_secret(&owner, "panel_token", &SecretString::from(own.token().to_owned())).await.unwrap();
        let default = PanelConfig::new(
            url::Url::parse(&platform.url()).unwrap(),
            SecretString::from(platform.token().to_owned()),
        );
        let dir = PanelDirectory::new(store.clone(), reqwest::Client::new(), Some(default));

        let p = dir.panel_for(&shared).await.unwrap();
        assert_eq!(p.version(), PanelVersion::V3);
        p.create_user(&probe("shared_user")).await.unwrap();
        let p = dir.panel_for(&owner).await.unwrap();
        assert_eq!(p.version(), PanelVersion::V2, "the tenant's own panel was detected");
        p.create_user(&probe("own_user")).await.unwrap();
        assert_eq!((platform.create_count(), own.create_count()), (1, 1));
        assert!(Arc::ptr_eq(&p, &dir.panel_for(&owner).await.unwrap()), "the client is reused");

        // The stored token is encrypted: the raw row does not contain it.
        let raw = store.configs().get(&owner, "panel_token").await.unwrap().unwrap().to_string();
        assert!(!raw.contains(own.token()));
    }

    #[tokio::test]
    async fn without_any_panel_provisioning_reports_what_to_configure() {
        let store = testing::store(remnabot_store::Backend::Sqlite).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let dir = PanelDirectory::new(store, reqwest::Client::new(), None);
        let err = dir.panel_for(&t).await.unwrap_err();
        let text = format!("{err}: {}", std::error::Error::source(&err).map(ToString::to_string).unwrap_or_default());
        assert!(text.contains("REMNAWAVE_API_URL"), "{text}");
    }
}
