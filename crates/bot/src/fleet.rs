//! The fleet: every tenant's bot in one process. A reconcile step compares the bots in the
//! database with the running ones and starts, pauses, restarts or stops bots, so changes made
//! through the services (or another process) take effect within one reconcile interval.
//!
//! Updates arrive by webhook (one route `POST /webhook/{bot_id}` for all bots, each bot with
//! its own secret derived from `SECRET_KEY`) or by long polling (one listener per bot). Either
//! way they go into the bot's bounded queue; one worker per bot handles them in order. A bot
//! whose token Telegram rejects is marked unhealthy and retried with back-off; the others are
//! not disturbed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use remnabot_domain::{Bot, BotId, Tenant};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use teloxide::adaptors::throttle::Limits;
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::handlers::{Shared, TenantBot, handle};

/// How updates reach the process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdatesMode {
    /// Telegram posts to `{public_url}/webhook/{bot_id}`.
    Webhook { public_url: url::Url },
    /// One `getUpdates` long-poll listener per bot.
    Polling,
}

/// Fleet settings.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    pub mode: UpdatesMode,
    /// The Bot API base URL (`https://api.telegram.org`, or a fake in tests).
    pub api_url: url::Url,
    /// Updates queued per bot before the webhook answers 503 (Telegram then retries).
    pub queue_capacity: usize,
    /// How often the fleet compares itself with the database.
    pub reconcile_every: Duration,
    /// Long-poll timeout of `getUpdates`, in seconds.
    pub poll_timeout_secs: u32,
    /// What each bot's outgoing calls are held to (teloxide's `Throttle`): Telegram's real
    /// limits by default (1 message a second and 20 a minute per chat, 30 a second per bot).
    /// Only a bot that Telegram allowed more, or a test against a fake Bot API that does not
    /// enforce them, should raise them.
    pub send_limits: Limits,
}

impl FleetConfig {
    /// Defaults for `mode` and `api_url`: 256 queued updates, a reconcile per second, 25 s
    /// long polls, Telegram's sending limits.
    pub fn new(mode: UpdatesMode, api_url: url::Url) -> FleetConfig {
        FleetConfig {
            mode,
            api_url,
            queue_capacity: 256,
            reconcile_every: Duration::from_secs(1),
            poll_timeout_secs: 25,
            send_limits: Limits::default(),
        }
    }
}

/// How a bot is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BotHealth {
    /// Taking updates and handling them.
    Running,
    /// Deactivated: takes updates only to tell users the bot is unavailable.
    Paused,
    /// Cannot run; retried at `retry_at`.
    Unhealthy { reason: String, since: DateTime<Utc>, retry_at: DateTime<Utc> },
}

/// The fleet's last word on every bot's health, shared with the handlers (through
/// [`Shared`]) so the operator's panel can show it. Written after every reconcile step.
#[derive(Debug, Clone, Default)]
pub struct HealthBoard(Arc<std::sync::RwLock<HashMap<BotId, BotHealth>>>);

impl HealthBoard {
    /// The health of `id` at the last reconcile; `None` for a bot the fleet does not know yet.
    pub fn get(&self, id: BotId) -> Option<BotHealth> {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(&id).cloned()
    }

    fn publish(&self, all: Vec<(BotId, BotHealth)>) {
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = all.into_iter().collect();
    }
}

/// A bot the fleet runs.
struct Running {
    tenant: Tenant,
    active: bool,
    fingerprint: String,
    secret: SecretString,
    tx: mpsc::Sender<Update>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// A bot that failed to start, and when to try again.
struct Failing {
    fingerprint: String,
    failures: u32,
    reason: String,
    since: DateTime<Utc>,
    retry_at: Instant,
    retry_at_utc: DateTime<Utc>,
}

struct Inner {
    shared: Shared,
    client: reqwest::Client,
    config: FleetConfig,
    running: RwLock<HashMap<BotId, Running>>,
    failing: Mutex<HashMap<BotId, Failing>>,
    stopping: std::sync::atomic::AtomicBool,
    /// Updates taken in (webhook deliveries accepted and polled updates queued), for metrics.
    updates: std::sync::atomic::AtomicU64,
}

/// The fleet of tenant bots. Cheap to clone.
#[derive(Clone)]
pub struct Fleet {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet").field("mode", &self.inner.config.mode).finish_non_exhaustive()
    }
}

/// What one reconcile step changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    pub started: Vec<BotId>,
    pub stopped: Vec<BotId>,
    pub failed: Vec<BotId>,
}

/// Why a webhook delivery was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Accepted,
    /// No running bot with this id (unknown, deleted, or not started).
    UnknownBot,
    /// The secret header is missing or wrong.
    BadSecret,
    /// The body is not an update.
    BadBody,
    /// The bot's queue is full or the fleet is stopping: Telegram retries later.
    Busy,
}

fn lock_poisoned<T>(e: std::sync::PoisonError<T>) -> T {
    e.into_inner()
}

impl Fleet {
    /// A fleet that runs nothing yet; call [`Fleet::reconcile`] (or [`Fleet::run`]).
    pub fn new(shared: Shared, client: reqwest::Client, config: FleetConfig) -> Fleet {
        Fleet {
            inner: Arc::new(Inner {
                shared,
                client,
                config,
                running: RwLock::new(HashMap::new()),
                failing: Mutex::new(HashMap::new()),
                stopping: std::sync::atomic::AtomicBool::new(false),
                updates: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// The webhook secret of a bot: derived from `SECRET_KEY`, never stored.
    fn secret_for(&self, bot: BotId) -> SecretString {
        self.inner.shared.store.derived_secret(&format!("webhook:{bot}"))
    }

    /// Health of every bot the fleet knows, by id.
    pub fn health(&self) -> Vec<(BotId, BotHealth)> {
        let mut out: Vec<(BotId, BotHealth)> = self
            .inner
            .running
            .read()
            .unwrap_or_else(lock_poisoned)
            .iter()
            .map(|(id, r)| (*id, if r.active { BotHealth::Running } else { BotHealth::Paused }))
            .collect();
        for (id, f) in self.inner.failing.lock().unwrap_or_else(lock_poisoned).iter() {
            out.push((
                *id,
                BotHealth::Unhealthy { reason: f.reason.clone(), since: f.since, retry_at: f.retry_at_utc },
            ));
        }
        out.sort_by_key(|(id, _)| *id);
        out
    }

    /// Compares the fleet with the database once and applies the difference.
    ///
    /// # Errors
    /// [`remnabot_domain::Error::Unavailable`] when the database cannot be read.
    pub async fn reconcile(&self) -> remnabot_domain::Result<ReconcileReport> {
        let bots = self.inner.shared.store.platform().fleet().await?;
        let mut report = ReconcileReport::default();
        let wanted: HashMap<BotId, (Bot, String)> = bots.into_iter().map(|(b, fp)| (b.id, (b, fp))).collect();

        // Stop what is gone, and restart what changed (token or active flag).
        let to_stop: Vec<BotId> = {
            let running = self.inner.running.read().unwrap_or_else(lock_poisoned);
            running
                .iter()
                .filter(|(id, r)| match wanted.get(id) {
                    None => true,
                    Some((bot, fp)) => *fp != r.fingerprint || bot.is_active != r.active,
                })
                .map(|(id, _)| *id)
                .collect()
        };
        for id in to_stop {
            let deleted = !wanted.contains_key(&id);
            self.stop_bot(id, deleted).await;
            report.stopped.push(id);
        }
        self.inner
            .failing
            .lock()
            .unwrap_or_else(lock_poisoned)
            .retain(|id, f| wanted.get(id).is_some_and(|(_, fp)| *fp == f.fingerprint));

        // Start what should run and does not, unless it is waiting out a failure.
        let now = Instant::now();
        let to_start: Vec<(Bot, String)> = {
            let running = self.inner.running.read().unwrap_or_else(lock_poisoned);
            let failing = self.inner.failing.lock().unwrap_or_else(lock_poisoned);
            wanted
                .values()
                .filter(|(bot, _)| !running.contains_key(&bot.id))
                .filter(|(bot, _)| failing.get(&bot.id).is_none_or(|f| f.retry_at <= now))
                .cloned()
                .collect()
        };
        let mut starts = tokio::task::JoinSet::new();
        for (bot, fp) in to_start {
            let fleet = self.clone();
            starts.spawn(async move {
                let res = fleet.start_bot(&bot, &fp).await;
                (bot, fp, res)
            });
        }
        while let Some(joined) = starts.join_next().await {
            let Ok((bot, fp, res)) = joined else { continue };
            match res {
                Ok(()) => {
                    self.inner.failing.lock().unwrap_or_else(lock_poisoned).remove(&bot.id);
                    report.started.push(bot.id);
                }
                Err(reason) => {
                    self.mark_failing(bot.id, fp, reason);
                    report.failed.push(bot.id);
                }
            }
        }
        self.inner.shared.health.publish(self.health());
        Ok(report)
    }

    fn mark_failing(&self, id: BotId, fingerprint: String, reason: String) {
        let mut failing = self.inner.failing.lock().unwrap_or_else(lock_poisoned);
        let failures = failing.get(&id).map_or(1, |f| f.failures.saturating_add(1));
        let wait = Duration::from_secs(5u64.saturating_mul(1 << failures.min(7).saturating_sub(1)).min(600));
        let since = failing.get(&id).map_or_else(Utc::now, |f| f.since);
        tracing::warn!(bot_id = %id, %reason, retry_in = ?wait, "bot cannot run");
        failing.insert(
            id,
            Failing {
                fingerprint,
                failures,
                reason,
                since,
                retry_at: Instant::now() + wait,
                retry_at_utc: Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
            },
        );
    }

    /// Starts one bot: checks its token with `getMe`, connects it (webhook or polling) and
    /// spawns its worker. The error is a reason fit for an operator.
    async fn start_bot(&self, bot: &Bot, fingerprint: &str) -> Result<(), String> {
        let token = self.inner.shared.store.platform().telegram_token(bot.id).await.map_err(|e| e.to_string())?;
        let raw = teloxide::Bot::with_client(token.expose_secret(), self.inner.client.clone())
            .set_api_url(self.inner.config.api_url.clone());
        let me = raw.get_me().await.map_err(|e| describe(&e))?;
        // The Zarinpal callback page links back to the bot by its username.
        if let Err(e) = self.inner.shared.store.platform().set_telegram_username(bot.id, me.username.as_deref()).await {
            tracing::warn!(bot_id = %bot.id, error = %e, "could not record the bot's username");
        }
        let secret = self.secret_for(bot.id);
        let (stop, stopped) = watch::channel(false);
        let (tx, rx) = mpsc::channel(self.inner.config.queue_capacity);
        let mut tasks = Vec::new();
        let webhook = match &self.inner.config.mode {
            UpdatesMode::Webhook { public_url } => {
                Some(public_url.join(&format!("webhook/{}", bot.id)).map_err(|e| format!("PUBLIC_URL: {e}"))?)
            }
            UpdatesMode::Polling => {
                raw.delete_webhook().await.map_err(|e| describe(&e))?;
                tasks.push(tokio::spawn(poll(self.clone(), bot.id, raw.clone(), tx.clone(), stopped.clone())));
                None
            }
        };
        let tenant_bot = TenantBot { tenant: Tenant::of(bot), tg: raw.clone().throttle(self.inner.config.send_limits) };
        tasks.push(tokio::spawn(work(self.inner.shared.clone(), tenant_bot, bot.is_active, rx)));
        let running = Running {
            tenant: Tenant::of(bot),
            active: bot.is_active,
            fingerprint: fingerprint.to_owned(),
            secret: secret.clone(),
            tx,
            stop,
            tasks,
        };
        // The bot takes updates before Telegram is told where to send them: Telegram may
        // deliver the first one before its answer to `setWebhook` reaches us.
        self.inner.running.write().unwrap_or_else(lock_poisoned).insert(bot.id, running);
        if let Some(url) = webhook {
            let set = raw
                .set_webhook(url)
                .secret_token(secret.expose_secret().to_owned())
                .allowed_updates(allowed_updates())
                .await;
            if let Err(e) = set {
                self.stop_bot(bot.id, false).await;
                return Err(describe(&e));
            }
        }
        tracing::info!(bot_id = %bot.id, active = bot.is_active, "bot started");
        Ok(())
    }

    /// Stops one bot: no new updates are taken, queued ones are still handled.
    async fn stop_bot(&self, id: BotId, deleted: bool) {
        let Some(running) = self.inner.running.write().unwrap_or_else(lock_poisoned).remove(&id) else { return };
        running.stop.send_replace(true);
        let Running { tx, tasks, tenant, .. } = running;
        drop(tx);
        for task in tasks {
            task.await.ok();
        }
        if deleted && let UpdatesMode::Webhook { .. } = self.inner.config.mode {
            // A deleted bot's token may still work: stop Telegram from calling us for it.
            tracing::info!(bot_id = %tenant.bot_id(), "bot deleted; its webhook stays until the token is reused");
        }
        tracing::info!(bot_id = %id, "bot stopped");
    }

    /// Takes one webhook delivery for `bot_id`.
    pub fn deliver(&self, bot_id: i64, secret: Option<&[u8]>, body: &[u8]) -> Delivery {
        if self.inner.stopping.load(std::sync::atomic::Ordering::Relaxed) {
            return Delivery::Busy;
        }
        let running = self.inner.running.read().unwrap_or_else(lock_poisoned);
        let Some(bot) = running.get(&BotId(bot_id)) else { return Delivery::UnknownBot };
        let expected = bot.secret.expose_secret().as_bytes();
        let ok =
            secret.is_some_and(|s| s.len() == expected.len() && bool::from(subtle::ConstantTimeEq::ct_eq(s, expected)));
        if !ok {
            return Delivery::BadSecret;
        }
        let Ok(update) = serde_json::from_slice::<Update>(body) else { return Delivery::BadBody };
        match bot.tx.try_send(update) {
            Ok(()) => {
                self.inner.updates.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Delivery::Accepted
            }
            Err(_) => Delivery::Busy,
        }
    }

    /// Reconciles every `reconcile_every` until `shutdown` turns true, then stops every bot,
    /// letting queued updates finish.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.inner.config.reconcile_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = self.reconcile().await {
                        tracing::warn!(error = %e, "fleet reconcile failed; retrying");
                    }
                }
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
            }
        }
        self.shutdown().await;
    }

    /// Stops taking updates and waits for every bot's in-flight work.
    pub async fn shutdown(&self) {
        self.inner.stopping.store(true, std::sync::atomic::Ordering::Relaxed);
        let ids: Vec<BotId> = self.inner.running.read().unwrap_or_else(lock_poisoned).keys().copied().collect();
        for id in ids {
            self.stop_bot(id, false).await;
        }
    }

    /// How many updates the fleet has taken in since start (webhook and polling).
    pub fn updates_received(&self) -> u64 {
        self.inner.updates.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The number of bots running (active or paused).
    pub fn running_count(&self) -> usize {
        self.inner.running.read().unwrap_or_else(lock_poisoned).len()
    }
}

fn allowed_updates() -> Vec<AllowedUpdate> {
    vec![AllowedUpdate::Message, AllowedUpdate::CallbackQuery, AllowedUpdate::PreCheckoutQuery]
}

/// A Bot API error as an operator-facing reason.
fn describe(e: &teloxide::RequestError) -> String {
    match e {
        teloxide::RequestError::Api(teloxide::ApiError::InvalidToken) => "Telegram rejected the token (401)".to_owned(),
        teloxide::RequestError::Network(_) => "Telegram is unreachable".to_owned(),
        // Other errors carry Telegram's description, never the token.
        other => format!("Telegram: {other}"),
    }
}

/// The long-poll listener of one bot.
async fn poll(fleet: Fleet, id: BotId, bot: teloxide::Bot, tx: mpsc::Sender<Update>, mut stop: watch::Receiver<bool>) {
    let mut offset: i32 = 0;
    let mut failures: u32 = 0;
    loop {
        let request = bot
            .get_updates()
            .offset(offset)
            .timeout(fleet.inner.config.poll_timeout_secs)
            .allowed_updates(allowed_updates());
        let res = tokio::select! {
            res = request.send() => res,
            _ = stop.changed() => return,
        };
        match res {
            Ok(updates) => {
                failures = 0;
                for update in updates {
                    offset = i32::try_from(update.id.0).unwrap_or(i32::MAX).saturating_add(1);
                    // A full queue waits here: back-pressure instead of loss.
                    if tx.send(update).await.is_err() {
                        return;
                    }
                    fleet.inner.updates.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
            Err(teloxide::RequestError::Api(teloxide::ApiError::InvalidToken)) => {
                let fingerprint = fleet
                    .inner
                    .running
                    .read()
                    .unwrap_or_else(lock_poisoned)
                    .get(&id)
                    .map(|r| r.fingerprint.clone())
                    .unwrap_or_default();
                fleet.mark_failing(id, fingerprint, "Telegram rejected the token (401)".to_owned());
                let fleet2 = fleet.clone();
                tokio::spawn(async move { fleet2.stop_bot(id, false).await });
                return;
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                let wait =
                    Duration::from_millis(500u64.saturating_mul(1 << failures.min(6))).min(Duration::from_secs(30));
                tracing::warn!(bot_id = %id, error = %describe(&e), retry_in = ?wait, "getUpdates failed");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

/// The worker of one bot. Updates of one chat are handled in order, one at a time; different
/// chats are handled concurrently, so one slow conversation (or Telegram's per-chat limit)
/// never holds up the others. A paused (deactivated) bot only tells users it is unavailable,
/// at most once a minute per chat.
async fn work(shared: Shared, bot: TenantBot, active: bool, mut rx: mpsc::Receiver<Update>) {
    let mut chats: HashMap<i64, mpsc::UnboundedSender<Update>> = HashMap::new();
    let mut workers = tokio::task::JoinSet::new();
    let mut told: HashMap<i64, Instant> = HashMap::new();
    while let Some(update) = rx.recv().await {
        // Finished chat workers are reaped as we go, so the maps stay small.
        while workers.try_join_next().is_some() {}
        if chats.len() > 1024 {
            chats.retain(|_, tx| !tx.is_closed());
        }
        if !active {
            let Some((chat, lang_code)) = chat_of(&update) else { continue };
            if told.get(&chat).is_some_and(|t| t.elapsed() < Duration::from_secs(60)) {
                continue;
            }
            told.insert(chat, Instant::now());
            let lang = lang_code
                .and_then(|c| remnabot_domain::config::Language::parse(c.split('-').next().unwrap_or(c)).ok())
                .unwrap_or_default();
            let text = shared.texts.get(lang, "bot-unavailable", &[]);
            if let Err(e) = bot.tg.send_message(ChatId(chat), text).await {
                tracing::warn!(bot_id = %bot.tenant.bot_id(), error = %e, "could not tell a user the bot is unavailable");
            }
            continue;
        }
        let chat = chat_of(&update).map_or(0, |(c, _)| c);
        let update = match chats.get(&chat) {
            Some(tx) => match tx.send(update) {
                Ok(()) => continue,
                // That chat's worker just finished; start a new one.
                Err(mpsc::error::SendError(update)) => update,
            },
            None => update,
        };
        let (tx, chat_rx) = mpsc::unbounded_channel();
        if tx.send(update).is_ok() {
            chats.insert(chat, tx);
            workers.spawn(chat_worker(shared.clone(), bot.clone(), chat_rx));
        }
    }
    // The queue is closed (the bot is stopping): let every chat finish what it has.
    drop(chats);
    while workers.join_next().await.is_some() {}
}

/// Handles one chat's updates in order; ends after a short idle time, handling anything that
/// arrived meanwhile before it goes.
async fn chat_worker(shared: Shared, bot: TenantBot, mut rx: mpsc::UnboundedReceiver<Update>) {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(update)) => handle_one(&shared, &bot, update).await,
            Ok(None) => return,
            Err(_) => {
                rx.close();
                while let Ok(update) = rx.try_recv() {
                    handle_one(&shared, &bot, update).await;
                }
                return;
            }
        }
    }
}

async fn handle_one(shared: &Shared, bot: &TenantBot, update: Update) {
    let span = tracing::info_span!("update", bot_id = %bot.tenant.bot_id(), update_id = update.id.0);
    // Only the chat is needed after handling (to apologise on failure): no copy of the update.
    let chat = chat_of(&update).map(|(chat, _)| chat);
    if let Err(e) = tracing::Instrument::instrument(handle(shared, bot, update), span).await {
        tracing::error!(error = %e, "update handling failed");
        if let Some(chat) = chat {
            let lang = match shared.store.users().by_telegram_id(&bot.tenant, remnabot_domain::TgUserId(chat)).await {
                Ok(Some(u)) => u.language,
                _ => Default::default(),
            };
            bot.tg.send_message(ChatId(chat), shared.texts.get(lang, "error-generic", &[])).await.ok();
        }
    }
}

/// The private chat an update comes from, with the sender's Telegram language.
fn chat_of(update: &Update) -> Option<(i64, Option<&str>)> {
    match &update.kind {
        UpdateKind::Message(m) if m.chat.is_private() => {
            Some((m.chat.id.0, m.from.as_ref().and_then(|u| u.language_code.as_deref())))
        }
        UpdateKind::CallbackQuery(q) => Some((i64::try_from(q.from.id.0).ok()?, q.from.language_code.as_deref())),
        _ => None,
    }
}

/// The webhook route: `POST /webhook/{bot_id}`.
pub fn router(fleet: Fleet) -> axum::Router {
    use axum::http::StatusCode;
    axum::Router::new()
        .route(
            "/webhook/{bot_id}",
            axum::routing::post(
                |axum::extract::State(fleet): axum::extract::State<Fleet>,
                 axum::extract::Path(bot_id): axum::extract::Path<String>,
                 headers: axum::http::HeaderMap,
                 body: axum::body::Bytes| async move {
                    let Ok(bot_id) = bot_id.parse::<i64>() else {
                        return (StatusCode::NOT_FOUND, "unknown bot").into_response_tuple();
                    };
                    let secret = headers.get("x-telegram-bot-api-secret-token").map(|v| v.as_bytes());
                    match fleet.deliver(bot_id, secret, &body) {
                        Delivery::Accepted => (StatusCode::OK, "ok"),
                        Delivery::UnknownBot => (StatusCode::NOT_FOUND, "unknown bot"),
                        Delivery::BadSecret => (StatusCode::UNAUTHORIZED, "missing or wrong secret token"),
                        Delivery::BadBody => (StatusCode::BAD_REQUEST, "the body is not a Telegram update"),
                        Delivery::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy; retry later"),
                    }
                    .into_response_tuple()
                },
            ),
        )
        .with_state(fleet)
}

trait IntoResponseTuple {
    fn into_response_tuple(self) -> axum::response::Response;
}

impl IntoResponseTuple for (axum::http::StatusCode, &'static str) {
    fn into_response_tuple(self) -> axum::response::Response {
        axum::response::IntoResponse::into_response(self)
    }
}
