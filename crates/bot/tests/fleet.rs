//! The fleet end to end through the fake Telegram server, in webhook and polling mode, on
//! SQLite and (when `TEST_DATABASE_URL` is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use remnabot_bot::dialogue::DialogueStore;
use remnabot_bot::handlers::Shared;
use remnabot_bot::texts::Texts;
use remnabot_bot::{BotHealth, Fleet, FleetConfig, UpdatesMode};
use remnabot_domain::{BotId, Tenant, TgUserId};
use remnabot_store::platform::NewBot;
use remnabot_store::{Store, testing};
use remnabot_testkit::FakeTelegram;
use remnabot_testkit::telegram::FakeFailure;
use secrecy::ExposeSecret;
use serde_json::json;

const USER: i64 = 555_000_111;

struct App {
    store: Store,
    fake: Arc<FakeTelegram>,
    fleet: Fleet,
    /// The webhook server's base URL (webhook mode).
    base: Option<String>,
    stop: tokio::sync::watch::Sender<bool>,
    run: tokio::task::JoinHandle<()>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Webhook,
    Polling,
}

const MODES: [Mode; 2] = [Mode::Webhook, Mode::Polling];

async fn start(store: Store, fake: Arc<FakeTelegram>, mode: Mode) -> App {
    let texts = Arc::new(Texts::load().unwrap());
    let shared = Shared::with_database_dialogues(store.clone(), texts);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let updates = match mode {
        Mode::Webhook => UpdatesMode::Webhook { public_url: url::Url::parse(&base).unwrap() },
        Mode::Polling => UpdatesMode::Polling,
    };
    let mut config = FleetConfig::new(updates, url::Url::parse(&fake.url()).unwrap());
    config.reconcile_every = Duration::from_millis(200);
    config.poll_timeout_secs = 1;
    let fleet = Fleet::new(shared, reqwest::Client::new(), config);
    let router = remnabot_bot::fleet::router(fleet.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let run = tokio::spawn(fleet.clone().run(stopped));
    App { store, fake, fleet, base: (mode == Mode::Webhook).then_some(base), stop, run }
}

impl App {
    async fn stop(self) -> (Store, Arc<FakeTelegram>) {
        self.stop.send_replace(true);
        self.run.await.unwrap();
        (self.store, self.fake)
    }
}

/// A tenant bot registered in the store and on the fake, with its welcome text.
async fn tenant(store: &Store, fake: &FakeTelegram, name: &str) -> (BotId, Tenant, String) {
    let token = testing::telegram_token();
    fake.add_bot(token.expose_secret());
    let created =
        store.platform().create(NewBot { name: name.to_owned(), telegram_token: token.clone() }).await.unwrap();
    let t = Tenant::of(&created.bot);
    store.configs().set(&t, "welcome_text", json!(format!("Welcome to {name}"))).await.unwrap();
    (created.bot.id, t, token.expose_secret().to_owned())
}

async fn texts_to(fake: &FakeTelegram, token: &str, chat: i64, n: usize) -> Vec<String> {
    fake.wait_for_messages(token, chat, n, Duration::from_secs(5))
        .await
        .into_iter()
        .map(|m| m.text.unwrap_or_default())
        .collect()
}

async fn wait_until(what: &str, deadline: Duration, mut check: impl AsyncFnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < deadline, "{what} did not happen within {deadline:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tenants_and_the_master_each_answer_start_with_their_own_welcome() {
    for backend in testing::backends() {
        for mode in MODES {
            let store = testing::store(backend).await;
            let fake = Arc::new(FakeTelegram::start().await);
            let master_token = testing::telegram_token();
            fake.add_bot(master_token.expose_secret());
            let (master, _) = store.platform().ensure_master("Master", &master_token).await.unwrap();
            store.configs().set(&Tenant::of(&master), "welcome_text", json!("Welcome to Master")).await.unwrap();
            let (_, a, a_token) = tenant(&store, &fake, "Alpha").await;
            let (_, b, b_token) = tenant(&store, &fake, "Beta").await;
            let app = start(store.clone(), fake.clone(), mode).await;
            wait_until("three bots running", Duration::from_secs(5), async || app.fleet.running_count() == 3).await;

            for (token, name) in
                [(master_token.expose_secret(), "Master"), (a_token.as_str(), "Alpha"), (b_token.as_str(), "Beta")]
            {
                app.fake.send_text(token, USER, "/start");
                let texts = texts_to(&app.fake, token, USER, 1).await;
                assert_eq!(texts, vec![format!("Welcome to {name}")], "{backend:?} {mode:?}");
                let sent = app.fake.transcript(token, USER);
                assert!(sent[0].reply_markup.is_some(), "the welcome carries the main menu");
            }
            for t in [&a, &b, &Tenant::of(&master)] {
                let user = store.users().by_telegram_id(t, TgUserId(USER)).await.unwrap();
                assert!(user.is_some(), "{mode:?}: one users row in each tenant");
                assert_eq!(store.users().count(t).await.unwrap(), 1);
            }
            app.stop().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_update_delivered_before_telegram_answers_set_webhook_is_taken_not_refused() {
    let store = testing::store(remnabot_store::Backend::Sqlite).await;
    let fake = Arc::new(FakeTelegram::start().await);
    let (_, t, token) = tenant(&store, &fake, "Alpha").await;
    // A customer writes before the bot is up; Telegram delivers it as soon as the webhook is
    // set, while its answer to setWebhook is still on the way.
    fake.send_text(&token, USER, "/start");
    fake.set_answer_delay("setWebhook", Duration::from_millis(800));
    let app = start(store.clone(), fake.clone(), Mode::Webhook).await;
    assert_eq!(texts_to(&app.fake, &token, USER, 1).await, vec!["Welcome to Alpha".to_owned()]);
    let statuses = app.fake.webhook_statuses(&token);
    assert_eq!(statuses, vec![200], "the first delivery is taken: {statuses:?}");
    assert_eq!(store.users().count(&t).await.unwrap(), 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhooks_refuse_a_wrong_or_missing_secret_and_unknown_bots() {
    let store = testing::store(remnabot_store::Backend::Sqlite).await;
    let fake = Arc::new(FakeTelegram::start().await);
    let (id, t, _) = tenant(&store, &fake, "Alpha").await;
    let app = start(store.clone(), fake, Mode::Webhook).await;
    wait_until("bot running", Duration::from_secs(5), async || app.fleet.running_count() == 1).await;
    let base = app.base.clone().unwrap();
    let update = json!({"update_id": 1, "message": {"message_id": 1, "date": 1_700_000_000, "chat": {"id": USER, "type": "private", "first_name": "U"}, "from": {"id": USER, "is_bot": false, "first_name": "U"}, "text": "/start"}});
    let client = reqwest::Client::new();
    let post = |path: String, secret: Option<&str>| {
        let mut req = client.post(format!("{base}{path}")).json(&update);
        if let Some(s) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        req.send()
    };
    assert_eq!(post(format!("webhook/{id}"), None).await.unwrap().status(), 401);
    assert_eq!(post(format!("webhook/{id}"), Some("wrong")).await.unwrap().status(), 401);
    let secret = store.derived_secret(&format!("webhook:{id}"));
    assert_eq!(post(format!("webhook/{}", id.0 + 1000), Some(secret.expose_secret())).await.unwrap().status(), 404);
    assert_eq!(post("webhook/not-a-number".to_owned(), Some(secret.expose_secret())).await.unwrap().status(), 404);
    let bad = client
        .post(format!("{base}webhook/{id}"))
        .header("X-Telegram-Bot-Api-Secret-Token", secret.expose_secret())
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(store.users().count(&t).await.unwrap(), 0, "nothing was processed");
    // The right secret is accepted and handled.
    assert_eq!(post(format!("webhook/{id}"), Some(secret.expose_secret())).await.unwrap().status(), 200);
    wait_until("the update handled", Duration::from_secs(5), async || store.users().count(&t).await.unwrap() == 1)
        .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deactivating_pauses_a_bot_and_a_new_bot_answers_within_two_seconds() {
    for mode in MODES {
        let store = testing::store(remnabot_store::Backend::Sqlite).await;
        let fake = Arc::new(FakeTelegram::start().await);
        let (a_id, a, a_token) = tenant(&store, &fake, "Alpha").await;
        let app = start(store.clone(), fake.clone(), mode).await;
        wait_until("bot running", Duration::from_secs(5), async || app.fleet.running_count() == 1).await;

        // A bot added while running answers within 2 s.
        let (_, b, b_token) = tenant(&store, &fake, "Beta").await;
        let took = wait_until("the new bot answering", Duration::from_secs(2), async || {
            if fake.transcript(&b_token, USER).is_empty() {
                fake.send_text(&b_token, USER, "/start");
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
            !fake.transcript(&b_token, USER).is_empty()
        })
        .await;
        assert!(took <= Duration::from_secs(2), "{mode:?}: {took:?}");
        assert_eq!(store.users().count(&b).await.unwrap(), 1);

        // Deactivation: within 2 s updates stop reaching handlers; users are told.
        store.platform().set_active(a_id, false).await.unwrap();
        wait_until("the bot paused", Duration::from_secs(2), async || {
            app.fleet.health().iter().any(|(id, h)| *id == a_id && *h == BotHealth::Paused)
        })
        .await;
        fake.send_text(&a_token, USER, "/start");
        let texts = texts_to(&fake, &a_token, USER, 1).await;
        assert!(texts[0].contains("موقتاً") || texts[0].to_lowercase().contains("unavailable"), "{mode:?}: {texts:?}");
        assert_eq!(store.users().count(&a).await.unwrap(), 0, "{mode:?}: no handler ran for the paused bot");

        // Deleting it stops it altogether.
        store.platform().delete(a_id).await.unwrap();
        wait_until("the bot gone", Duration::from_secs(2), async || app.fleet.running_count() == 1).await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bot_whose_token_telegram_rejects_is_unhealthy_while_the_others_answer() {
    for mode in MODES {
        let store = testing::store(remnabot_store::Backend::Sqlite).await;
        let fake = Arc::new(FakeTelegram::start().await);
        let (_, _, good_token) = tenant(&store, &fake, "Good").await;
        // Registered with us but unknown to Telegram: getMe answers 401.
        let bad = store
            .platform()
            .create(NewBot { name: "Revoked".into(), telegram_token: testing::telegram_token() })
            .await
            .unwrap();
        let app = start(store.clone(), fake.clone(), mode).await;
        wait_until("the bad bot reported", Duration::from_secs(5), async || {
            app.fleet.health().iter().any(|(id, h)| *id == bad.bot.id && matches!(h, BotHealth::Unhealthy { .. }))
        })
        .await;
        let health = app.fleet.health();
        let (_, h) = health.iter().find(|(id, _)| *id == bad.bot.id).unwrap();
        let BotHealth::Unhealthy { reason, .. } = h else { unreachable!() };
        assert!(reason.contains("401"), "{reason}");
        fake.send_text(&good_token, USER, "/start");
        assert_eq!(texts_to(&fake, &good_token, USER, 1).await, vec!["Welcome to Good".to_owned()], "{mode:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_429_delays_the_answer_but_does_not_lose_it() {
    for mode in MODES {
        let store = testing::store(remnabot_store::Backend::Sqlite).await;
        let fake = Arc::new(FakeTelegram::start().await);
        let (_, _, token) = tenant(&store, &fake, "Alpha").await;
        let app = start(store.clone(), fake.clone(), mode).await;
        wait_until("bot running", Duration::from_secs(5), async || app.fleet.running_count() == 1).await;
        fake.fail_next(&token, "sendMessage", 1, FakeFailure::RetryAfter(1));
        let sent_at = Instant::now();
        fake.send_text(&token, USER, "/start");
        let texts = texts_to(&fake, &token, USER, 1).await;
        assert_eq!(texts, vec!["Welcome to Alpha".to_owned()], "{mode:?}");
        assert!(sent_at.elapsed() >= Duration::from_secs(1), "{mode:?}: the retry waited retry_after");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_person_has_an_independent_dialogue_with_each_tenant_that_survives_a_restart() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let fake = Arc::new(FakeTelegram::start().await);
        let (_, a, a_token) = tenant(&store, &fake, "Alpha").await;
        let (_, b, b_token) = tenant(&store, &fake, "Beta").await;
        let app = start(store.clone(), fake.clone(), Mode::Polling).await;
        wait_until("bots running", Duration::from_secs(5), async || app.fleet.running_count() == 2).await;
        fake.send_text(&a_token, USER, "/start");
        fake.send_text(&b_token, USER, "/start");
        texts_to(&fake, &a_token, USER, 1).await;
        texts_to(&fake, &b_token, USER, 1).await;
        // The user asks A to change language; B knows nothing of it.
        fake.send_text(&a_token, USER, "/language");
        texts_to(&fake, &a_token, USER, 2).await;
        let (store, fake) = app.stop().await;

        // A new fleet over the same database: the question to A is still open.
        let app = start(store.clone(), fake.clone(), Mode::Polling).await;
        wait_until("bots running again", Duration::from_secs(5), async || app.fleet.running_count() == 2).await;
        fake.send_text(&a_token, USER, "English");
        let texts = texts_to(&fake, &a_token, USER, 3).await;
        assert!(texts[2].contains("English"), "{backend:?}: {texts:?}");
        let user = store.users().by_telegram_id(&a, TgUserId(USER)).await.unwrap().unwrap();
        assert_eq!(user.language, remnabot_domain::config::Language::En);
        // In B the same words are not an answer to anything.
        fake.send_text(&b_token, USER, "English");
        texts_to(&fake, &b_token, USER, 2).await;
        let b_user = store.users().by_telegram_id(&b, TgUserId(USER)).await.unwrap().unwrap();
        assert_eq!(b_user.language, remnabot_domain::config::Language::Fa, "B's conversation is separate");
        app.stop().await;
    }
}

#[tokio::test]
async fn dialogues_in_redis_are_kept_per_tenant_and_chat() {
    let Ok(url) = std::env::var("TEST_REDIS_URL") else {
        eprintln!("TEST_REDIS_URL is not set; the Redis dialogue store is not exercised here");
        return;
    };
    use remnabot_bot::dialogue::DialogueState;
    let store = testing::store(remnabot_store::Backend::Sqlite).await;
    let (_, a) = testing::tenant(&store, "A").await;
    let (_, b) = testing::tenant(&store, "B").await;
    let ns = format!("test-{}", testing::unique_suffix());
    let dialogues = DialogueStore::redis(&url, &ns).await.unwrap();
    dialogues.set(&a, 42, DialogueState::ChoosingLanguage).await.unwrap();
    assert_eq!(dialogues.get(&a, 42).await.unwrap(), DialogueState::ChoosingLanguage);
    assert_eq!(dialogues.get(&b, 42).await.unwrap(), DialogueState::Idle, "the same chat in another tenant");
    // A new connection (a restarted process) sees the same state.
    let again = DialogueStore::redis(&url, &ns).await.unwrap();
    assert_eq!(again.get(&a, 42).await.unwrap(), DialogueState::ChoosingLanguage);
    again.set(&a, 42, DialogueState::Idle).await.unwrap();
    assert_eq!(dialogues.get(&a, 42).await.unwrap(), DialogueState::Idle);
}
