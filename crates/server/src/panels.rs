//! Which Remnawave panel serves a tenant: the tenant's own (`panel_url` and the secret
//! `panel_token` in its configuration) or the platform's (`REMNAWAVE_API_URL`). Each panel's
//! client is built once and shared; a panel that is down at start-up is detected on first use,
//! so provisioning just waits in the outbox meanwhile.
//!
//! Connecting (reading the panel's version) happens under that panel's own lock: callers of
//! one panel wait for one connection attempt, callers of other panels never wait for it. A
//! failed attempt is remembered for [`RETRY_CONNECT_AFTER`], so a panel that hangs costs one
//! timeout per interval rather than one per entry.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use remnabot_domain::panel::Panel;
use remnabot_domain::{BotId, Error, Result, Tenant};
use remnabot_jobs::PanelResolver;
use remnabot_panel::PanelConfig;
use remnabot_store::Store;
use secrecy::{ExposeSecret, SecretString};

/// How long a failed connection to a panel is answered from memory before trying again.
pub const RETRY_CONNECT_AFTER: Duration = Duration::from_secs(10);

/// The panel directory of the process.
#[derive(Debug)]
pub struct PanelDirectory {
    store: Store,
    client: reqwest::Client,
    /// The platform's panel settings, if configured.
    default: Option<PanelConfig>,
    /// The platform's `REMNAWAVE_SQUADS`: internal squads for users of tenants on its panel.
    default_squads: Vec<String>,
    /// One slot per panel: the platform's, and each tenant's own.
    slots: std::sync::Mutex<HashMap<Which, Arc<Slot>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    Platform,
    Tenant(BotId),
}

/// One panel's client, built on first use.
#[derive(Debug, Default)]
struct Slot {
    state: tokio::sync::Mutex<SlotState>,
}

#[derive(Debug, Default)]
enum SlotState {
    #[default]
    Empty,
    /// Connected, for the settings with this fingerprint (URL and token hash; a change of
    /// either builds a new client).
    Ready { fingerprint: String, panel: Arc<dyn Panel> },
    /// The last attempt failed at `at`.
    Failed { fingerprint: String, at: Instant, error: String },
}

impl PanelDirectory {
    /// A directory with the platform panel `default`.
    pub fn new(store: Store, client: reqwest::Client, default: Option<PanelConfig>) -> PanelDirectory {
        PanelDirectory {
            store,
            client,
            default,
            default_squads: Vec::new(),
            slots: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The same directory putting users of tenants on the platform's panel in `squads`
    /// (`REMNAWAVE_SQUADS`) when the tenant names none.
    #[must_use]
    pub fn with_default_squads(mut self, squads: Vec<String>) -> PanelDirectory {
        self.default_squads = squads;
        self
    }

    /// The tenant's own panel settings (`panel_url` and `panel_token`), if it has both.
    async fn own_panel(&self, tenant: &Tenant) -> Result<Option<(String, SecretString)>> {
        let configs = self.store.configs();
        Ok(match (configs.panel_url(tenant).await?, configs.secret(tenant, "panel_token").await?) {
            (Some(url), Some(token)) => Some((url, token)),
            _ => None,
        })
    }

    fn slot(&self, which: Which) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        slots.entry(which).or_default().clone()
    }

    /// The client of panel `which` for `config`, connecting once per fingerprint.
    async fn panel(&self, which: Which, fingerprint: String, config: PanelConfig) -> Result<Arc<dyn Panel>> {
        let slot = self.slot(which);
        let mut state = slot.state.lock().await;
        match &*state {
            SlotState::Ready { fingerprint: f, panel } if *f == fingerprint => return Ok(panel.clone()),
            SlotState::Failed { fingerprint: f, at, error }
                if *f == fingerprint && at.elapsed() < RETRY_CONNECT_AFTER =>
            {
                return Err(Error::unavailable("the Remnawave panel", NoPanel(error.clone())));
            }
            _ => {}
        }
        match remnabot_panel::connect(config, self.client.clone()).await {
            Ok(panel) => {
                tracing::info!(panel = ?which, version = ?panel.version(), "connected to the Remnawave panel");
                *state = SlotState::Ready { fingerprint, panel: panel.clone() };
                Ok(panel)
            }
            Err(e) => {
                *state = SlotState::Failed { fingerprint, at: Instant::now(), error: e.to_string() };
                Err(Error::unavailable("the Remnawave panel", e))
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct NoPanel(String);

#[async_trait::async_trait]
impl PanelResolver for PanelDirectory {
    async fn panel_for(&self, tenant: &Tenant) -> Result<Arc<dyn Panel>> {
        let Some((url, token)) = self.own_panel(tenant).await? else {
            let config = self.default.clone().ok_or_else(|| {
                Error::unavailable(
                    "the Remnawave panel",
                    NoPanel("REMNAWAVE_API_URL and REMNAWAVE_API_TOKEN are not set".to_owned()),
                )
            })?;
            return self.panel(Which::Platform, String::new(), config).await;
        };
        let fingerprint = format!("{url} {}", remnabot_store::crypto::api_token_hash(token.expose_secret()));
        let base = url::Url::parse(&url).map_err(|e| Error::invalid("panel_url", e.to_string()))?;
        let mut config = PanelConfig::new(base, token);
        if let Some(default) = &self.default {
            config.forwarded_headers = default.forwarded_headers;
            config.timeout = default.timeout;
        }
        self.panel(Which::Tenant(tenant.bot_id()), fingerprint, config).await
    }

    async fn default_squads(&self, tenant: &Tenant) -> Result<Vec<String>> {
        // The platform's squads exist only on the platform's panel.
        if self.own_panel(tenant).await?.is_some() {
            return Ok(Vec::new());
        }
        Ok(self.default_squads.clone())
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
    use std::time::Duration;

    fn probe(name: &str) -> NewPanelUser {
        NewPanelUser {
            username: name.to_owned(),
            expire_at: remnabot_domain::limits::later(chrono::Utc::now(), chrono::Duration::days(1)),
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

    async fn own_panel(store: &Store, t: &Tenant, fake: &FakeRemnawave) {
        store.configs().set(t, "panel_url", serde_json::json!(fake.url())).await.unwrap();
        store.configs().set_secret(t, "panel_token", &SecretString::from(fake.token().to_owned())).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_tenant_panel_that_hangs_while_connecting_holds_up_no_other_panel() {
        let platform = FakeRemnawave::start(PanelVersion::V3).await;
        let hanging = FakeRemnawave::start(PanelVersion::V3).await;
        let healthy = FakeRemnawave::start(PanelVersion::V2).await;
        let store = testing::store(remnabot_store::Backend::Sqlite).await;
        let (_, slow) = testing::tenant(&store, "Hanging panel").await;
        let (_, fine) = testing::tenant(&store, "Own panel").await;
        let (_, shared) = testing::tenant(&store, "Shared").await;
        own_panel(&store, &slow, &hanging).await;
        own_panel(&store, &fine, &healthy).await;
        let mut default = PanelConfig::new(
            url::Url::parse(&platform.url()).unwrap(),
            SecretString::from(platform.token().to_owned()),
        );
        default.timeout = Duration::from_secs(600);
        let dir = Arc::new(PanelDirectory::new(store.clone(), reqwest::Client::new(), Some(default)));

        hanging.set_hang(true);
        let stuck = tokio::spawn({
            let dir = dir.clone();
            async move { dir.panel_for(&slow).await.map(|_| ()) }
        });
        while hanging.held_count() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // While the first tenant's panel is asked for its version, the others connect.
        assert_eq!(dir.panel_for(&fine).await.unwrap().version(), PanelVersion::V2);
        assert_eq!(dir.panel_for(&shared).await.unwrap().version(), PanelVersion::V3);
        assert!(!stuck.is_finished() && hanging.held_count() == 1, "the hanging panel is still being asked");
        stuck.abort();
    }

    #[tokio::test]
    async fn a_panel_that_failed_to_connect_is_not_asked_again_for_a_while() {
        let own = FakeRemnawave::start(PanelVersion::V3).await;
        let store = testing::store(remnabot_store::Backend::Sqlite).await;
        let (_, t) = testing::tenant(&store, "Own panel").await;
        own_panel(&store, &t, &own).await;
        let dir = PanelDirectory::new(store.clone(), reqwest::Client::new(), None);
        own.set_down(true);
        assert!(dir.panel_for(&t).await.is_err());
        let asked = own.request_count();
        let again = dir.panel_for(&t).await.unwrap_err();
        assert_eq!(own.request_count(), asked, "the failure is answered from memory");
        let text =
            format!("{again}: {}", std::error::Error::source(&again).map(ToString::to_string).unwrap_or_default());
        assert!(text.contains("503") || text.contains("Unavailable"), "{text}");
        // New settings are a new panel: tried at once.
        let other = FakeRemnawave::start(PanelVersion::V2).await;
        own_panel(&store, &t, &other).await;
        assert_eq!(dir.panel_for(&t).await.unwrap().version(), PanelVersion::V2);
    }

    /// The uuids of the internal squads of `fake`'s users, by username.
    fn squads_by_user(fake: &FakeRemnawave) -> std::collections::BTreeMap<String, Vec<String>> {
        fake.users()
            .into_iter()
            .map(|u| {
                let squads = u["activeInternalSquads"].as_array().unwrap();
                let uuids = squads.iter().map(|s| s["uuid"].as_str().unwrap().to_owned()).collect();
                (u["username"].as_str().unwrap().to_owned(), uuids)
            })
            .collect()
    }

    #[tokio::test]
    async fn provisioning_puts_platform_tenants_in_remnawave_squads_unless_they_name_their_own() {
        use remnabot_domain::panel::panel_username;
        use remnabot_jobs::provisioning::{ProvisioningConfig, ProvisioningWorker};
        use remnabot_store::outbox::Order;

        for backend in testing::backends() {
            let platform = FakeRemnawave::start(PanelVersion::V3).await;
            let premium = platform.add_squad("Premium");
            let own = FakeRemnawave::start(PanelVersion::V2).await;
            let store = testing::store(backend).await;
            let (plain, on_platform) = testing::tenant(&store, "Platform default").await;
            let (named, naming) = testing::tenant(&store, "Names its squad").await;
            let default_squad = platform.squad_uuids()[0].clone();
            store.configs().set(&naming, "panel_squads", serde_json::json!([default_squad])).await.unwrap();
            let (owner, with_own) = testing::tenant(&store, "Own panel").await;
            own_panel(&store, &with_own, &own).await;
            let config = PanelConfig::new(
                url::Url::parse(&platform.url()).unwrap(),
                SecretString::from(platform.token().to_owned()),
            );
            let dir = PanelDirectory::new(store.clone(), reqwest::Client::new(), Some(config))
                .with_default_squads(vec![premium.clone()]);
            let worker = ProvisioningWorker::new(store.clone(), Arc::new(dir), ProvisioningConfig::default());
            let now = chrono::Utc::now();
            for t in [&on_platform, &naming, &with_own] {
                let spec = remnabot_store::plans::PlanSpec {
                    name: "Month".into(),
                    description: None,
                    period_days: 30,
                    traffic_gb: 0,
                    device_limit: 1,
                    price: remnabot_domain::Toman(100_000),
                    sort_order: 0,
                };
                let plan = store.plans().create(t, spec).await.unwrap();
                let new = remnabot_store::users::NewUser {
                    telegram_id: remnabot_domain::TgUserId(77),
                    username: None,
                    first_name: None,
                    language: remnabot_domain::config::Language::En,
                    referred_by: None,
                };
                let user = store.users().register(t, new).await.unwrap().0;
                let order = Order { user: user.id, plan: plan.id, idempotency_key: "o".into() };
                store.provisioning().purchase(t, order, now).await.unwrap();
            }
            assert_eq!(worker.run_once(now).await.unwrap().done, 3, "{backend:?}");
            let tg = remnabot_domain::TgUserId(77);
            let on_platform_panel = squads_by_user(&platform);
            assert_eq!(on_platform_panel[&panel_username(plain.id, tg)], vec![premium.clone()], "REMNAWAVE_SQUADS");
            assert_eq!(
                on_platform_panel[&panel_username(named.id, tg)],
                vec![default_squad],
                "the tenant's own choice"
            );
            // The platform's squads do not exist on a tenant's own panel: its only squad is used.
            assert_eq!(squads_by_user(&own)[&panel_username(owner.id, tg)], own.squad_uuids(), "{backend:?}");
        }
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
