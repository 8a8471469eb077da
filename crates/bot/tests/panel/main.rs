//! The tenant's admin panel end to end: two tenants' bots running against the fake Telegram
//! server, their admins pressing the panel's buttons and answering its questions, and the
//! HTTP API served beside them to check that every change is visible there (and only in the
//! tenant that made it). On SQLite and (when `TEST_DATABASE_URL` is set) PostgreSQL.
//!
//! One file per area of the panel; this one holds the harness.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod auth;
mod cards;
mod customers;
mod dashboard;
mod payments;
mod plans;
mod promos;
mod resellers;
mod settings;
mod tickets;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use remnabot_bot::dialogue::{DialogueState, DialogueStore};
use remnabot_bot::handlers::Shared;
use remnabot_bot::texts::{Arg, Texts};
use remnabot_bot::{BotHealth, Fleet};
use remnabot_domain::config::Language;
use remnabot_domain::{Tenant, TgUserId};
use remnabot_store::users::{NewUser, User};
use remnabot_store::{Backend, Store, testing};
use remnabot_testkit::FakeTelegram;
use remnabot_testkit::telegram::SentMessage;
use serde_json::{Value, json};

pub(crate) const WAIT: Duration = Duration::from_secs(15);
pub(crate) const EN: Language = Language::En;
pub(crate) const OPERATOR: &str = "operator-token-for-panel-tests-0123456789";

pub(crate) struct World {
    pub store: Store,
    pub tg: Arc<FakeTelegram>,
    pub texts: Arc<Texts>,
    pub fleet: Fleet,
    api: String,
    client: reqwest::Client,
    stop: tokio::sync::watch::Sender<bool>,
    run: tokio::task::JoinHandle<()>,
}

pub(crate) struct Shop {
    pub t: Tenant,
    pub token: String,
    pub admin: i64,
}

pub(crate) async fn world(backend: Backend) -> World {
    world_with_operators(backend, &[]).await
}

/// A world whose operator (`ADMIN_IDS`) is `operators`.
pub(crate) async fn world_with_operators(backend: Backend, operators: &[i64]) -> World {
    let store = testing::store(backend).await;
    let tg = Arc::new(FakeTelegram::start().await);
    let texts = Arc::new(Texts::load().unwrap());
    let shared = Shared {
        operators: Arc::from(operators.iter().map(|id| TgUserId(*id)).collect::<Vec<_>>()),
        ..Shared::with_database_dialogues(store.clone(), texts.clone())
    };
    let fleet = common::polling_fleet(shared, &tg);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let run = tokio::spawn(fleet.clone().run(stopped));
    // The API beside the bots, as `serve` runs it, with the bot's texts.
    let config =
        remnabot_api::ApiConfig::new(Some(secrecy::SecretString::from(OPERATOR)), texts.clone(), texts.clone());
    let state = remnabot_api::ApiState::new(store.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}/api/v1", listener.local_addr().unwrap());
    let app = remnabot_api::router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    World { store, tg, texts, fleet, api, client: reqwest::Client::new(), stop, run }
}

impl World {
    /// A running tenant bot with one admin (registered, in English).
    pub(crate) async fn shop(&self, name: &str, admin: i64) -> Shop {
        let (t, token, _) = common::create_bot(&self.store, &self.tg, name).await;
        self.store.configs().set(&t, "admin_ids", json!([admin])).await.unwrap();
        let started = Instant::now();
        while !self.fleet.health().iter().any(|(id, h)| *id == t.bot_id() && *h == BotHealth::Running) {
            assert!(started.elapsed() < WAIT, "{name} is not running: {:?}", self.fleet.health());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let shop = Shop { t, token, admin };
        self.customer(&shop, admin).await;
        shop
    }

    /// The running master bot (as `BOT_TOKEN` makes it), `admins` its `admin_ids` (the first
    /// one its panel's admin in [`Shop::admin`]).
    pub(crate) async fn master(&self, admins: &[i64]) -> Shop {
        let token = testing::telegram_token();
        self.tg.add_bot(secrecy::ExposeSecret::expose_secret(&token));
        let (bot, _) = self.store.platform().ensure_master("Master bot", &token).await.unwrap();
        let t = Tenant::of(&bot);
        self.store.configs().set(&t, "admin_ids", json!(admins)).await.unwrap();
        let started = Instant::now();
        while !self.fleet.health().iter().any(|(id, h)| *id == t.bot_id() && *h == BotHealth::Running) {
            assert!(started.elapsed() < WAIT, "the master is not running: {:?}", self.fleet.health());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let shop = Shop { t, token: secrecy::ExposeSecret::expose_secret(&token).to_owned(), admin: admins[0] };
        for admin in admins {
            self.customer(&shop, *admin).await;
        }
        shop
    }

    /// The status of `GET <path>` with the API token `token`.
    pub(crate) async fn api_status(&self, token: &str, path: &str) -> u16 {
        let res = self.client.get(format!("{}{path}", self.api)).bearer_auth(token).send().await.unwrap();
        res.status().as_u16()
    }

    pub(crate) async fn stop(self) {
        self.stop.send_replace(true);
        self.run.await.ok();
    }

    pub(crate) fn text(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.texts.get(EN, id, args)
    }

    /// A customer registered in English.
    pub(crate) async fn customer(&self, shop: &Shop, tg: i64) -> User {
        let new = NewUser {
            telegram_id: TgUserId(tg),
            username: Some(format!("user{tg}")),
            first_name: Some(format!("User{tg}")),
            language: EN,
            referred_by: None,
        };
        self.store.users().register(&shop.t, new).await.unwrap().0
    }

    pub(crate) fn count(&self, shop: &Shop, chat: i64) -> usize {
        self.tg.transcript(&shop.token, chat).len()
    }

    /// The `n`-th entry (0-based) of the chat's transcript, waiting for it.
    pub(crate) async fn nth(&self, shop: &Shop, chat: i64, n: usize) -> SentMessage {
        let all = self.tg.wait_for_messages(&shop.token, chat, n + 1, WAIT).await;
        assert!(all.len() > n, "no entry {n} in chat {chat}: {:#?}", texts(&all));
        all[n].clone()
    }

    /// `user` sends `text`; returns the bot's next entry in their chat.
    pub(crate) async fn say(&self, shop: &Shop, user: i64, text: &str) -> SentMessage {
        let n = self.count(shop, user);
        self.tg.send_text(&shop.token, user, text);
        self.nth(shop, user, n).await
    }

    /// The admin opens the panel with `/admin`.
    pub(crate) async fn panel(&self, shop: &Shop) -> SentMessage {
        let home = self.say(shop, shop.admin, "/admin").await;
        assert_eq!(home.method, "sendMessage", "{home:?}");
        home
    }

    /// The admin answers the panel's open question with `text`: the next screen comes as a
    /// new message and the question's message is deleted. Returns the new screen.
    pub(crate) async fn reply(&self, shop: &Shop, text: &str) -> SentMessage {
        let n = self.count(shop, shop.admin);
        self.tg.send_text(&shop.token, shop.admin, text);
        let all = self.tg.wait_for_messages(&shop.token, shop.admin, n + 2, WAIT).await;
        assert!(all.len() >= n + 2, "no screen and delete after {text:?}: {:#?}", texts(&all[n..]));
        let screen = all[n..].iter().find(|m| m.method == "sendMessage").cloned();
        screen.unwrap_or_else(|| panic!("no new screen after {text:?}: {:#?}", texts(&all[n..])))
    }

    /// `user` presses the button labelled `label` on `msg`; returns the bot's next entry.
    pub(crate) async fn press_label(&self, shop: &Shop, user: i64, msg: &SentMessage, label: &str) -> SentMessage {
        let data = msg
            .button_data(label)
            .unwrap_or_else(|| panic!("no button {label:?} on {:?}: {:?}", msg.text, msg.buttons()));
        self.press_data(shop, user, msg, &data).await
    }

    /// `user` presses the button with exactly `data` on `msg`; returns the bot's next entry.
    pub(crate) async fn press_data(&self, shop: &Shop, user: i64, msg: &SentMessage, data: &str) -> SentMessage {
        let n = self.count(shop, user);
        self.tg.press_button(&shop.token, user, msg.message_id, data).unwrap();
        self.nth(shop, user, n).await
    }

    /// The admin presses the button whose label is the text `id` (English).
    pub(crate) async fn press(&self, shop: &Shop, msg: &SentMessage, id: &str) -> SentMessage {
        self.press_label(shop, shop.admin, msg, &self.text(id, &[])).await
    }

    /// Sends callback data that may match no button (a stale client, a forged press) on
    /// message `message`; returns the bot's answer to it.
    pub(crate) async fn forge(&self, shop: &Shop, user: i64, message: i64, data: &str) -> Option<String> {
        let id = self.tg.press_button_unchecked(&shop.token, user, message, data).unwrap();
        self.answer(shop, &id).await
    }

    /// Like [`World::forge`] for a press that also shows a screen (after answering the
    /// press): returns the answer and that screen.
    pub(crate) async fn forge_screen(
        &self,
        shop: &Shop,
        user: i64,
        message: i64,
        data: &str,
    ) -> (Option<String>, SentMessage) {
        let n = self.count(shop, user);
        let answer = self.forge(shop, user, message, data).await;
        (answer, self.nth(shop, user, n).await)
    }

    /// The text the bot answered the callback query `id` with.
    pub(crate) async fn answer(&self, shop: &Shop, id: &str) -> Option<String> {
        let ok = self
            .tg
            .wait_until(WAIT, |fake| fake.callback_answers(&shop.token).iter().any(|a| a.callback_query_id == id))
            .await;
        assert!(ok, "callback {id} was never answered");
        self.tg.callback_answers(&shop.token).into_iter().find(|a| a.callback_query_id == id).and_then(|a| a.text)
    }

    pub(crate) async fn state(&self, shop: &Shop, chat: i64) -> DialogueState {
        DialogueStore::Database(self.store.clone()).get(&shop.t, chat).await.unwrap()
    }

    /// `GET` through the API as the operator.
    pub(crate) async fn api_get(&self, path: &str) -> Value {
        let res = self.client.get(format!("{}{path}", self.api)).bearer_auth(OPERATOR).send().await.unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "GET {path}: {status} {body}");
        body
    }

    /// `GET /bots/{shop}/<path>` through the API.
    pub(crate) async fn api(&self, shop: &Shop, path: &str) -> Value {
        self.api_get(&format!("/bots/{}{path}", shop.t.bot_id())).await
    }
}

pub(crate) fn texts(all: &[SentMessage]) -> Vec<(String, Option<String>)> {
    all.iter().map(|m| (m.method.clone(), m.text.clone())).collect()
}

/// Every callback data of `msg`.
pub(crate) fn all_data(msg: &SentMessage) -> Vec<String> {
    msg.buttons().into_iter().filter_map(|b| b.callback_data).collect()
}
