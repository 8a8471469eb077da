//! The harness the bot's end-to-end tests share: a fleet in long-polling mode against the
//! fake Telegram server, and the provisioning and notification workers running against the
//! fake panel, delivering through the fake Bot API.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use remnabot_bot::handlers::Shared;
use remnabot_bot::{Fleet, FleetConfig, UpdatesMode};
use remnabot_domain::BotId;
use remnabot_domain::Tenant;
use remnabot_domain::notify::{MessageEdit, Notifier, NotifyError};
use remnabot_domain::panel::{Panel, SquadPolicy};
use remnabot_jobs::notify::NotificationWorker;
use remnabot_jobs::provisioning::{ProvisioningConfig, ProvisioningWorker};
use remnabot_jobs::{SinglePanel, SquadResolver};
use remnabot_store::platform::NewBot;
use remnabot_store::{Store, testing};
use remnabot_testkit::{FakeRemnawave, FakeTelegram};
use secrecy::ExposeSecret;
use serde_json::json;

/// Sends the outbox's messages as the tenant's bot through the fake Bot API.
#[derive(Debug)]
pub struct FakeBotApi {
    pub store: Store,
    pub url: String,
    pub client: reqwest::Client,
}

#[async_trait::async_trait]
impl Notifier for FakeBotApi {
    async fn send(&self, bot: BotId, chat_id: i64, text: &str) -> Result<(), NotifyError> {
        let token =
            self.store.platform().telegram_token(bot).await.map_err(|e| NotifyError::Transient(e.to_string()))?;
        let url = format!("{}/bot{}/sendMessage", self.url.trim_end_matches('/'), token.expose_secret());
        let res = self
            .client
            .post(url)
            .json(&json!({"chat_id": chat_id, "text": text}))
            .send()
            .await
            .map_err(|e| NotifyError::Transient(e.to_string()))?;
        if res.status().is_success() { Ok(()) } else { Err(NotifyError::Undeliverable(res.status().to_string())) }
    }

    /// `editMessageCaption` / `editMessageText` as the real notifier calls them; "message is
    /// not modified" (the bot already showed this) is done.
    async fn edit(&self, bot: BotId, edit: &MessageEdit) -> Result<(), NotifyError> {
        let token =
            self.store.platform().telegram_token(bot).await.map_err(|e| NotifyError::Transient(e.to_string()))?;
        let method = if edit.caption { "editMessageCaption" } else { "editMessageText" };
        let url = format!("{}/bot{}/{method}", self.url.trim_end_matches('/'), token.expose_secret());
        let mut body = json!({"chat_id": edit.chat_id, "message_id": edit.message_id});
        body[if edit.caption { "caption" } else { "text" }] = json!(edit.text);
        if let Some(b) = &edit.button {
            body["reply_markup"] = json!({"inline_keyboard": [[{"text": b.text, "callback_data": b.data}]]});
        }
        let res = self.client.post(url).json(&body).send().await.map_err(|e| NotifyError::Transient(e.to_string()))?;
        if res.status().is_success() {
            return Ok(());
        }
        let answer: serde_json::Value = res.json().await.unwrap_or_default();
        let description = answer["description"].as_str().unwrap_or_default().to_owned();
        if description.contains("message is not modified") {
            Ok(())
        } else {
            Err(NotifyError::Undeliverable(description))
        }
    }
}

/// A fleet of `shared`'s bots, long polling the fake with short timeouts so tests see
/// changes quickly. These journeys are not about Telegram's sending limits (the fake does not
/// enforce them), so the fleet's throttle is relaxed: with the real 1 message a second and 20
/// a minute per chat, a journey of a few dozen messages waits out the per-chat minute.
pub fn polling_fleet(shared: Shared, tg: &FakeTelegram) -> Fleet {
    let mut config = FleetConfig::new(UpdatesMode::Polling, url::Url::parse(&tg.url()).unwrap());
    config.reconcile_every = Duration::from_millis(200);
    config.poll_timeout_secs = 1;
    config.send_limits = relaxed_limits();
    Fleet::new(shared, reqwest::Client::new(), config)
}

/// Sending limits no test journey reaches.
pub fn relaxed_limits() -> teloxide::adaptors::throttle::Limits {
    teloxide::adaptors::throttle::Limits {
        messages_per_sec_chat: 1_000,
        messages_per_min_chat: 60_000,
        messages_per_min_channel_or_supergroup: 60_000,
        // Also the capacity of the throttle's queue: large enough, not unbounded.
        messages_per_sec_overall: 1_000,
    }
}

/// A client of the fake panel, as the process connects to a panel.
pub async fn panel_client(panel: &FakeRemnawave) -> Arc<dyn Panel> {
    let mut panel_config = remnabot_panel::PanelConfig::new(
        url::Url::parse(&panel.url()).unwrap(),
        secrecy::SecretString::from(panel.token().to_owned()),
    );
    panel_config.timeout = Duration::from_secs(5);
    remnabot_panel::connect(panel_config, reqwest::Client::new()).await.unwrap()
}

/// The squad check the process gives its bots: the tenant's `panel_squads`, else the fake
/// panel's only internal squad.
pub async fn squad_policy(store: &Store, panel: &FakeRemnawave) -> Arc<dyn SquadPolicy> {
    Arc::new(SquadResolver::new(store.clone(), Arc::new(SinglePanel(panel_client(panel).await))))
}

/// Runs the provisioning worker (against `panel`) and the notification worker (through the
/// fake Bot API) every 100 ms until `stopped` changes.
pub async fn spawn_jobs(
    store: &Store,
    tg: &FakeTelegram,
    panel: &FakeRemnawave,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let client = panel_client(panel).await;
    let provisioning =
        ProvisioningWorker::new(store.clone(), Arc::new(SinglePanel(client)), ProvisioningConfig::default());
    let notifier = Arc::new(FakeBotApi { store: store.clone(), url: tg.url(), client: reqwest::Client::new() });
    let notifications = NotificationWorker::new(store.clone(), notifier);
    tokio::spawn(async move {
        loop {
            provisioning.run_once(Utc::now()).await.ok();
            notifications.run_once(Utc::now()).await.ok();
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                _ = stopped.changed() => return,
            }
        }
    })
}

/// A new tenant bot named `name`, in the store and known to the fake Telegram; returns its
/// tenant, its token and its Telegram id.
pub async fn create_bot(store: &Store, tg: &FakeTelegram, name: &str) -> (Tenant, String, i64) {
    let token = testing::telegram_token();
    let telegram_id = tg.add_bot(token.expose_secret());
    let created =
        store.platform().create(NewBot { name: name.to_owned(), telegram_token: token.clone() }).await.unwrap();
    (Tenant::of(&created.bot), token.expose_secret().to_owned(), telegram_id)
}
