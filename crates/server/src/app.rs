//! Wiring: opens the store, makes sure the master bot exists, and serves HTTP until a
//! shutdown signal.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use remnabot_api::{ApiConfig, ApiState};
use remnabot_bot::dialogue::DialogueStore;
use remnabot_bot::handlers::Shared;
use remnabot_bot::handlers::online::OnlinePayments;
use remnabot_bot::texts::Texts;
use remnabot_bot::{Fleet, FleetConfig};
use remnabot_domain::Tenant;
use remnabot_domain::panel::SquadPolicy;
use remnabot_jobs::notify::NotificationWorker;
use remnabot_jobs::provisioning::{ProvisioningConfig, ProvisioningWorker};
use remnabot_jobs::reconcile::{ReconcileConfig, ZarinpalReconciler};
use remnabot_jobs::sync::UsageSync;
use remnabot_jobs::{PanelResolver, SquadResolver};
use remnabot_payments::{PaymentGateway, ZarinpalClient, ZarinpalConfig};
use remnabot_store::{FlagCache, SecretKey, Store};
use secrecy::ExposeSecret;

use crate::panels::PanelDirectory;
use crate::settings::Settings;
use crate::telegram::BotApiNotifier;

/// Logs go to stderr; `RUST_LOG` filters them (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

/// The secret key from `SECRET_KEY`, or from `{data_dir}/secret.key`, which is generated
/// once when missing.
fn secret_key(settings: &Settings) -> anyhow::Result<SecretKey> {
    if let Some(key) = &settings.secret_key {
        return SecretKey::parse(key.expose_secret()).map_err(|e| anyhow::anyhow!("{e}"));
    }
    let path = settings.data_dir.join("secret.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return SecretKey::parse(&text).map_err(|e| anyhow::anyhow!("{} is damaged: {e}", path.display()));
    }
    let key = SecretKey::generate();
    write_private(&path, key.to_hex().expose_secret())?;
    tracing::warn!(
        path = %path.display(),
        "SECRET_KEY is not set: generated a new key into this file. Back it up: without it the stored Telegram tokens cannot be decrypted."
    );
    Ok(key)
}

fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, content.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
}

pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let key = secret_key(settings)?;
    let cache = match &settings.redis_url {
        Some(url) => FlagCache::redis(url, settings.feature_cache_ttl, "remnabot")
            .await
            .map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?,
        None => FlagCache::memory(settings.feature_cache_ttl),
    };
    let store =
        Store::connect(&settings.database_url, key, cache).await.map_err(|e| anyhow::anyhow!("DATABASE_URL: {e}"))?;
    store.migrate().await.map_err(|e| anyhow::anyhow!("{e}: {}", source_of(&e)))?;
    Ok(store)
}

fn source_of(e: &remnabot_domain::Error) -> String {
    std::error::Error::source(e).map(ToString::to_string).unwrap_or_default()
}

/// `remnabot migrate`.
pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    let applied = store.applied_migrations().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(
        count = applied.len(),
        latest = applied.last().map(String::as_str).unwrap_or("-"),
        "database is up to date"
    );
    Ok(())
}

/// Makes sure the master bot exists when `BOT_TOKEN` is set, and gives it `ADMIN_IDS`.
async fn ensure_master(store: &Store, settings: &Settings) -> anyhow::Result<()> {
    let Some(token) = &settings.bot_token else {
        tracing::warn!("BOT_TOKEN is not set: no master bot is configured");
        return Ok(());
    };
    let (master, api_token) =
        store.platform().ensure_master("Master bot", token).await.map_err(|e| anyhow::anyhow!("BOT_TOKEN: {e}"))?;
    if let Some(api_token) = api_token {
        // Shown once, on the terminal of whoever started the first run; never stored.
        eprintln!(
            "Created the master bot (id {}). Its API token, shown only now: {}",
            master.id,
            api_token.expose_secret()
        );
    }
    if !settings.admin_ids.is_empty() {
        store
            .configs()
            .set(&Tenant::of(&master), "admin_ids", serde_json::json!(settings.admin_ids))
            .await
            .map_err(|e| anyhow::anyhow!("ADMIN_IDS: {e}"))?;
    }
    tracing::info!(bot_id = %master.id, "master bot ready");
    Ok(())
}

/// The fleet as the API's metrics see it.
struct FleetMetrics(Fleet);

impl remnabot_api::FleetStatus for FleetMetrics {
    fn updates_received(&self) -> u64 {
        self.0.updates_received()
    }

    fn health(&self) -> Vec<(remnabot_domain::BotId, remnabot_api::BotState)> {
        use remnabot_api::BotState;
        use remnabot_bot::BotHealth;
        self.0
            .health()
            .into_iter()
            .map(|(id, h)| {
                let state = match h {
                    BotHealth::Running => BotState::Running,
                    BotHealth::Paused => BotState::Paused,
                    BotHealth::Unhealthy { .. } => BotState::Unhealthy,
                };
                (id, state)
            })
            .collect()
    }
}

/// The HTTP routes: the API (with `/health`, `/ready`, `/metrics`, `/api/openapi.json`), the
/// bots' webhook and the Zarinpal callback.
pub fn router(
    store: Store,
    settings: &Settings,
    fleet: Fleet,
    texts: Arc<Texts>,
    gateway: Arc<dyn PaymentGateway>,
) -> Router {
    let mut config = ApiConfig::new(settings.operator_api_token.clone(), texts.clone(), texts.clone());
    config.fleet = Some(Arc::new(FleetMetrics(fleet.clone())));
    config.trusted_proxies = settings.trusted_proxies.clone();
    config.max_auth_failures = settings.max_auth_failures;
    config.auth_failure_window = settings.auth_failure_window;
    let callback = remnabot_api::callback::CallbackState { store: store.clone(), gateway, texts };
    remnabot_api::router(ApiState::new(store, config))
        .merge(remnabot_bot::fleet::router(fleet))
        .merge(remnabot_api::callback::zarinpal_router(callback))
}

/// The Zarinpal client (one for the process; each call names the tenant's merchant).
fn zarinpal(settings: &Settings) -> Arc<dyn PaymentGateway> {
    let client = reqwest::Client::builder()
        .user_agent(concat!("remnabot/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default();
    let config = ZarinpalConfig {
        api_url: settings.zarinpal_api_url.clone(),
        sandbox_url: settings.zarinpal_sandbox_url.clone(),
        timeout: Duration::from_secs(15),
    };
    Arc::new(ZarinpalClient::new(config, client))
}

/// The fleet of tenant bots over `store`.
async fn build_fleet(
    store: &Store,
    settings: &Settings,
    texts: Arc<Texts>,
    gateway: Arc<dyn PaymentGateway>,
    panels: Arc<dyn PanelResolver>,
) -> anyhow::Result<Fleet> {
    let dialogues = match &settings.redis_url {
        Some(url) => DialogueStore::redis(url, "remnabot").await.map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?,
        None => DialogueStore::Database(store.clone()),
    };
    let online = OnlinePayments {
        gateway: Some(gateway),
        callback_url: settings
            .public_url
            .as_ref()
            .map(|u| format!("{}{}", u.trim_end_matches('/'), remnabot_api::callback::ZARINPAL_CALLBACK_PATH)),
    };
    // Sales are refused while the tenant's panel users would get no internal squad.
    let squads = Some(Arc::new(SquadResolver::new(store.clone(), panels)) as Arc<dyn SquadPolicy>);
    let operators = settings.admin_ids.iter().map(|id| remnabot_domain::TgUserId(*id)).collect::<Vec<_>>();
    let shared = Shared {
        store: store.clone(),
        texts,
        dialogues,
        online,
        squads,
        operators: Arc::from(operators),
        health: Default::default(),
    };
    let api_url = url::Url::parse(&settings.telegram_api_url).map_err(|e| anyhow::anyhow!("TELEGRAM_API_URL: {e}"))?;
    let client = reqwest::Client::builder()
        .user_agent(concat!("remnabot/", env!("CARGO_PKG_VERSION")))
        // Long polls hold a request open for the poll timeout; leave room beyond it.
        .timeout(Duration::from_secs(60))
        .build()
        .context("HTTP client")?;
    Ok(Fleet::new(shared, client, FleetConfig::new(settings.updates_mode.clone(), api_url)))
}

/// Starts the background jobs: the provisioning outbox, notifications and the usage sync.
/// They stop when `shutdown` turns true.
fn start_jobs(
    store: &Store,
    settings: &Settings,
    gateway: Arc<dyn PaymentGateway>,
    texts: Arc<Texts>,
    panels: Arc<dyn PanelResolver>,
    shutdown: &tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let client = reqwest::Client::builder()
        .user_agent(concat!("remnabot/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default();
    if settings.panel.is_none() {
        tracing::warn!(
            "REMNAWAVE_API_URL is not set: purchases wait in the provisioning outbox until a panel is configured"
        );
    }
    let config = ProvisioningConfig { alert_after: settings.provision_alert_after, ..ProvisioningConfig::default() };
    let provisioning = ProvisioningWorker::new(store.clone(), panels.clone(), config);
    let notifier = Arc::new(BotApiNotifier::new(store.clone(), client, &settings.telegram_api_url));
    let notifications = NotificationWorker::new(store.clone(), notifier);
    let sync = UsageSync::new(store.clone(), panels);
    let reconciler = ZarinpalReconciler::new(store.clone(), gateway, texts, ReconcileConfig::default());
    vec![
        tokio::spawn(provisioning.run(shutdown.clone())),
        tokio::spawn(remnabot_jobs::repeat("notifications", Duration::from_secs(1), shutdown.clone(), move || {
            let w = notifications.clone();
            async move { w.run_once(chrono::Utc::now()).await }
        })),
        tokio::spawn(remnabot_jobs::repeat("usage-sync", settings.sync_interval, shutdown.clone(), move || {
            let s = sync.clone();
            async move { s.run_once().await }
        })),
        tokio::spawn(card_payment_expiry(store.clone(), shutdown.clone())),
        tokio::spawn(remnabot_jobs::repeat(
            "zarinpal-reconcile",
            Duration::from_secs(60),
            shutdown.clone(),
            move || {
                let r = reconciler.clone();
                async move { r.run_once(chrono::Utc::now()).await }
            },
        )),
    ]
}

/// Every minute, expires the card-to-card payments of every active tenant that passed their
/// deadline (no receipt, or no review, in time) and queues the customers' messages, and
/// expires Stars invoices left unpaid (the discount codes they held go back to the customers).
async fn card_payment_expiry(store: Store, shutdown: tokio::sync::watch::Receiver<bool>) {
    let texts = match remnabot_bot::texts::Texts::load() {
        Ok(texts) => Arc::new(texts),
        Err(e) => {
            tracing::error!(error = %e, "texts do not load: card payments will not expire");
            return;
        }
    };
    remnabot_jobs::repeat("card-payment-expiry", Duration::from_secs(60), shutdown, move || {
        let (store, texts) = (store.clone(), texts.clone());
        async move { remnabot_bot::sale_texts::expire_card_payments_everywhere(&store, &texts, chrono::Utc::now()).await }
    })
    .await;
}

/// `remnabot serve`.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    ensure_master(&store, &settings).await?;
    let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
    let texts = Arc::new(Texts::load().map_err(|e| anyhow::anyhow!("texts: {e}"))?);
    let gateway = zarinpal(&settings);
    // One directory of panel clients for the jobs and the bot's squad check.
    // Never follows a redirect: a panel URL cannot forward calls (and the token) elsewhere.
    let panel_client = remnabot_panel::http_client().context("HTTP client")?;
    let panels: Arc<dyn PanelResolver> = Arc::new(
        PanelDirectory::new(store.clone(), panel_client, settings.panel.clone())
            .with_default_squads(settings.panel_squads.clone()),
    );
    let jobs = start_jobs(&store, &settings, gateway.clone(), texts.clone(), panels.clone(), &jobs_stopped);
    let fleet = build_fleet(&store, &settings, texts.clone(), gateway.clone(), panels).await?;
    let fleet_task = tokio::spawn(fleet.clone().run(jobs_stopped.clone()));
    let listener = tokio::net::TcpListener::bind(settings.http_addr)
        .await
        .with_context(|| format!("HTTP_ADDR: cannot listen on {}", settings.http_addr))?;
    let addr = listener.local_addr().context("listener address")?;
    tracing::info!(
        %addr,
        public_url = settings.public_url.as_deref().unwrap_or("-"),
        operator_api_token = if settings.operator_api_token.is_some() { "set" } else { "not set" },
        "listening"
    );
    let app =
        router(store, &settings, fleet, texts, gateway).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("HTTP server")?;
    // The fleet stops taking updates and finishes the ones in hand; in-flight job steps
    // finish; pending outbox entries stay for the next start.
    stop_jobs.send_replace(true);
    fleet_task.await.ok();
    for job in jobs {
        job.await.ok();
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
    // Give in-flight requests a moment; axum's graceful shutdown waits for them.
    tokio::time::sleep(Duration::from_millis(10)).await;
}
