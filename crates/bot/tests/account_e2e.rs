//! The customer's account end to end: balance and history, top-up by card-to-card, promo
//! codes, referral and support tickets, with two tenants' bots running at once against the
//! fake Telegram server, on SQLite and (when `TEST_DATABASE_URL` is set) PostgreSQL.
//! Customers and admins only press buttons and send messages; the tests read what Telegram
//! saw and what the store holds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use remnabot_bot::dialogue::{DialogueState, DialogueStore};
use remnabot_bot::handlers::Shared;
use remnabot_bot::texts::{Arg, Texts};
use remnabot_bot::{BotHealth, Fleet};
use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::{Page, Tenant, TgUserId, TicketId, Toman};
use remnabot_store::cards::CardSpec;
use remnabot_store::ledger::Posting;
use remnabot_store::payments::{PaymentPurpose, PaymentStatus};
use remnabot_store::plans::PlanSpec;
use remnabot_store::promo_effects::{PromoEffect, PromoRefusal, Redemption};
use remnabot_store::promos::{PromoCode, PromoCodeSpec, PromoKind};
use remnabot_store::subscriptions::NewSubscription;
use remnabot_store::tickets::TicketStatus;
use remnabot_store::users::{NewUser, User};
use remnabot_store::{Backend, Store, testing};
use remnabot_testkit::FakeTelegram;
use remnabot_testkit::telegram::SentMessage;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(15);
const ADMIN_A: i64 = 710_000_001;
const ADMIN_B: i64 = 710_000_002;
const EN: Language = Language::En;

struct World {
    store: Store,
    tg: Arc<FakeTelegram>,
    texts: Arc<Texts>,
    fleet: Fleet,
    stop: tokio::sync::watch::Sender<bool>,
    run: tokio::task::JoinHandle<()>,
}

struct Shop {
    t: Tenant,
    token: String,
    /// The bot's Telegram id (its username on the fake is `bot<id>`).
    telegram_id: i64,
}

async fn world(backend: Backend) -> World {
    let store = testing::store(backend).await;
    let tg = Arc::new(FakeTelegram::start().await);
    let texts = Arc::new(Texts::load().unwrap());
    let shared = Shared::with_database_dialogues(store.clone(), texts.clone());
    let fleet = common::polling_fleet(shared, &tg);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let run = tokio::spawn(fleet.clone().run(stopped));
    World { store, tg, texts, fleet, stop, run }
}

impl World {
    /// A tenant with one admin and one card, running in the fleet.
    async fn shop(&self, name: &str, admin: i64) -> Shop {
        let (t, token, telegram_id) = common::create_bot(&self.store, &self.tg, name).await;
        let configs = self.store.configs();
        configs.set(&t, "welcome_text", json!(format!("Welcome to {name}"))).await.unwrap();
        configs.set(&t, "admin_ids", json!([admin])).await.unwrap();
        let card = CardSpec {
            number: "6037991234567893".into(),
            holder_name: format!("{name} Holder"),
            bank_name: Some("Mellat".into()),
            weight: 1,
            daily_count_cap: None,
            daily_amount_cap: None,
        };
        self.store.cards().create(&t, card).await.unwrap();
        let started = Instant::now();
        while !self.fleet.health().iter().any(|(id, h)| *id == t.bot_id() && *h == BotHealth::Running) {
            assert!(started.elapsed() < WAIT, "{name} is not running: {:?}", self.fleet.health());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Shop { t, token, telegram_id }
    }

    async fn stop(self) {
        self.stop.send_replace(true);
        self.run.await.ok();
    }

    fn text(&self, lang: Language, id: &str, args: &[(&str, Arg)]) -> String {
        self.texts.get(lang, id, args)
    }

    /// A customer registered in English (as if they had chosen it on first contact).
    async fn customer(&self, shop: &Shop, tg: i64) -> User {
        let new = NewUser {
            telegram_id: TgUserId(tg),
            username: Some(format!("user{tg}")),
            first_name: Some(format!("User{tg}")),
            language: EN,
            referred_by: None,
        };
        self.store.users().register(&shop.t, new).await.unwrap().0
    }

    async fn user(&self, shop: &Shop, tg: i64) -> User {
        self.store.users().by_telegram_id(&shop.t, TgUserId(tg)).await.unwrap().expect("registered")
    }

    /// The `n`-th entry (0-based) of the chat's transcript, waiting for it.
    async fn nth(&self, shop: &Shop, chat: i64, n: usize) -> SentMessage {
        let all = self.tg.wait_for_messages(&shop.token, chat, n + 1, WAIT).await;
        assert!(all.len() > n, "no entry {n} in chat {chat}: {:#?}", texts(&all));
        all[n].clone()
    }

    fn count(&self, shop: &Shop, chat: i64) -> usize {
        self.tg.transcript(&shop.token, chat).len()
    }

    /// The user sends `text`; returns the bot's next entry in their chat.
    async fn say(&self, shop: &Shop, user: i64, text: &str) -> SentMessage {
        let n = self.count(shop, user);
        self.tg.send_text(&shop.token, user, text);
        self.nth(shop, user, n).await
    }

    /// The user opens a main-menu item (its English label).
    async fn menu(&self, shop: &Shop, user: i64, item: &str) -> SentMessage {
        self.say(shop, user, &self.text(EN, item, &[])).await
    }

    /// The user presses the button whose data starts with `prefix` on `msg`; returns the
    /// query id.
    fn press(&self, shop: &Shop, user: i64, msg: &SentMessage, prefix: &str) -> String {
        let data = data_of(msg, prefix);
        self.tg.press_button(&shop.token, user, msg.message_id, &data).unwrap()
    }

    /// Presses and returns the bot's next entry in the user's chat.
    async fn press_then(&self, shop: &Shop, user: i64, msg: &SentMessage, prefix: &str) -> SentMessage {
        let n = self.count(shop, user);
        self.press(shop, user, msg, prefix);
        self.nth(shop, user, n).await
    }

    /// Sends callback data that may match no button (a stale client, a forged press);
    /// returns the bot's answer.
    async fn forge(&self, shop: &Shop, user: i64, data: &str) -> Option<String> {
        let id = self.tg.press_button_unchecked(&shop.token, user, 999_999, data).unwrap();
        self.answer(shop, &id).await
    }

    /// The text the bot answered the callback query `id` with.
    async fn answer(&self, shop: &Shop, id: &str) -> Option<String> {
        let ok = self
            .tg
            .wait_until(WAIT, |fake| fake.callback_answers(&shop.token).iter().any(|a| a.callback_query_id == id))
            .await;
        assert!(ok, "callback {id} was never answered");
        self.tg.callback_answers(&shop.token).into_iter().find(|a| a.callback_query_id == id).and_then(|a| a.text)
    }

    /// Waits until a message in the chat satisfies `check`, and returns the last such.
    async fn wait_for(&self, shop: &Shop, chat: i64, what: &str, check: impl Fn(&SentMessage) -> bool) -> SentMessage {
        let ok = self.tg.wait_until(WAIT, |fake| fake.transcript(&shop.token, chat).iter().any(&check)).await;
        let all = self.tg.transcript(&shop.token, chat);
        assert!(ok, "{what} never came in chat {chat}: {:#?}", texts(&all));
        all.into_iter().rev().find(|m| check(m)).unwrap()
    }

    async fn state(&self, shop: &Shop, chat: i64) -> DialogueState {
        DialogueStore::Database(self.store.clone()).get(&shop.t, chat).await.unwrap()
    }

    async fn code(&self, shop: &Shop, spec: PromoCodeSpec) -> PromoCode {
        self.store.promo_codes().create(&shop.t, spec).await.unwrap()
    }

    /// The user types `code` in answer to the Promo code menu item; returns the answer.
    async fn redeem(&self, shop: &Shop, user: i64, code: &str) -> String {
        let prompt = self.menu(shop, user, "menu-promo-code").await;
        assert_eq!(prompt.text.as_deref(), Some(self.text(EN, "acct-promo-prompt", &[]).as_str()));
        self.say(shop, user, code).await.text.unwrap()
    }
}

fn spec(code: &str, kind: PromoKind, value: i64) -> PromoCodeSpec {
    PromoCodeSpec { code: code.into(), kind, value, max_uses: 0, valid_from: None, valid_until: None }
}

fn texts(all: &[SentMessage]) -> Vec<(String, Option<String>)> {
    all.iter().map(|m| (m.method.clone(), m.text.clone())).collect()
}

fn data_of(msg: &SentMessage, prefix: &str) -> String {
    msg.buttons()
        .into_iter()
        .filter_map(|b| b.callback_data)
        .find(|d| d.starts_with(prefix))
        .unwrap_or_else(|| panic!("no button {prefix}… on {:?}: {:?}", msg.text, msg.buttons()))
}

fn all_data(msg: &SentMessage) -> Vec<String> {
    msg.buttons().into_iter().filter_map(|b| b.callback_data).collect()
}

// -----------------------------------------------------------------------------------------
// Balance and top-up
// -----------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_balance_and_its_history_are_the_tenants_own() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let user = 555_100_001;
        let in_a = w.customer(&a, user).await;
        w.customer(&b, user).await;
        let balances = w.store.balances();
        balances.post(&a.t, in_a.id, Posting::credit(Toman(70_000), "deposit", "t1").unwrap()).await.unwrap();
        balances.post(&a.t, in_a.id, Posting::debit(Toman(20_000), "purchase", "t2").unwrap()).await.unwrap();

        let shown = w.menu(&a, user, "menu-balance").await;
        assert_eq!(shown.text.as_deref(), Some("💰 Your balance: 50,000 Toman"), "{backend:?}");
        assert_eq!(all_data(&shown), vec!["acct:hist", "acct:top"]);
        let history = w.press_then(&a, user, &shown, "acct:hist").await.text.unwrap();
        assert!(history.starts_with(&w.text(EN, "acct-history-title", &[])), "{history}");
        assert!(history.contains("🛒 Purchase: -20,000 Toman"), "{history}");
        assert!(history.contains("➕ Top-up: +70,000 Toman"), "{history}");
        assert!(history.find("Purchase") < history.find("Top-up"), "newest first: {history}");

        // The same person in the other tenant has nothing.
        let shown = w.menu(&b, user, "menu-balance").await;
        assert_eq!(shown.text.as_deref(), Some("💰 Your balance: 0 Toman"));
        let history = w.press_then(&b, user, &shown, "acct:hist").await;
        assert_eq!(history.text.as_deref(), Some(w.text(EN, "acct-history-empty", &[]).as_str()));
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_top_up_by_card_shows_the_card_and_the_admins_approval_credits_once() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let user = 555_100_002;
        w.customer(&a, user).await;
        w.customer(&b, user).await;

        let shown = w.menu(&a, user, "menu-balance").await;
        let prompt = w.press_then(&a, user, &shown, "acct:top").await;
        assert!(prompt.text.as_deref().unwrap().contains("from 1,000 Toman to 100,000,000 Toman"), "{prompt:?}");
        assert_eq!(
            all_data(&prompt),
            vec!["acct:top:50000", "acct:top:100000", "acct:top:200000", "acct:top:500000", "acct:cancel"]
        );

        // Wrong answers are explained, the question stays open, and nothing is ordered.
        let limits = [("min", Arg::from(Toman(1_000))), ("max", Arg::from(Toman(100_000_000)))];
        for (typed, id) in [
            ("a lot", "acct-topup-not-a-number"),
            ("12.5", "acct-topup-not-a-number"),
            ("500", "acct-topup-too-small"),
            ("200,000,000", "acct-topup-too-large"),
        ] {
            let said = w.say(&a, user, typed).await;
            assert_eq!(said.text.as_deref(), Some(w.text(EN, id, &limits).as_str()), "{backend:?} {typed}");
        }
        let n = w.count(&a, user);
        w.tg.send_sticker(&a.token, user);
        let said = w.nth(&a, user, n).await;
        assert_eq!(said.text.as_deref(), Some(w.text(EN, "acct-expects-text", &[]).as_str()));
        assert!(w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap().is_empty());
        assert_eq!(w.state(&a, user).await, DialogueState::TopUpAmount);

        // Persian digits with the Persian thousands separator.
        let card = w.say(&a, user, "۱۵۰٬۰۰۰").await.text.unwrap();
        assert!(card.contains("150,000 Toman") && card.contains("6037 9912 3456 7893"), "{card}");
        assert!(card.contains("Alpha Holder"), "{card}");
        let payments = w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap();
        assert_eq!(payments.len(), 1);
        let payment = payments[0].clone();
        assert_eq!((payment.purpose, payment.amount), (PaymentPurpose::TopUp, Toman(150_000)));
        assert!(card.contains(&payment.tracking_code), "{card}");

        // The receipt goes to the admin, who approves; a second Approve changes nothing.
        w.tg.send_photo(&a.token, user, Some("paid"));
        let data = format!("adm:ok:{}", payment.id);
        let receipt = w.wait_for(&a, ADMIN_A, "the receipt", |m| all_data(m).contains(&data)).await;
        let q = w.tg.press_button(&a.token, ADMIN_A, receipt.message_id, &data).unwrap();
        w.answer(&a, &q).await;
        let again = w.tg.press_button_unchecked(&a.token, ADMIN_A, receipt.message_id, &data).unwrap();
        w.answer(&a, &again).await;
        let paid = w.store.card_payments().get(&a.t, payment.id).await.unwrap();
        assert_eq!(paid.status, PaymentStatus::Approved);
        let customer = w.user(&a, user).await;
        assert_eq!(customer.balance, Toman(150_000), "{backend:?}: credited once");
        let history = w.store.balances().history(&a.t, customer.id, Page::default()).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!((history[0].kind.as_str(), history[0].amount), ("deposit", Toman(150_000)));
        let shown = w.menu(&a, user, "menu-balance").await;
        assert_eq!(shown.text.as_deref(), Some("💰 Your balance: 150,000 Toman"));

        // A preset amount in the other tenant shows that tenant's card.
        let shown = w.menu(&b, user, "menu-balance").await;
        let prompt = w.press_then(&b, user, &shown, "acct:top").await;
        let card = w.press_then(&b, user, &prompt, "acct:top:50000").await.text.unwrap();
        assert!(card.contains("50,000 Toman") && card.contains("Beta Holder"), "{card}");
        assert_eq!(w.user(&b, user).await.balance, Toman::ZERO);
        w.stop().await;
    }
}

// -----------------------------------------------------------------------------------------
// Promo codes
// -----------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn promo_codes_credit_the_balance_add_days_or_discount_the_next_order() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let user = 555_100_003;
        let customer = w.customer(&a, user).await;
        let gift = w.code(&a, spec("GIFT50", PromoKind::Balance, 50_000)).await;
        let days = w.code(&a, spec("DAYS7", PromoKind::Days, 7)).await;
        w.code(&a, spec("OFF20", PromoKind::Discount, 20)).await;

        // Balance, typed in lower case.
        let said = w.redeem(&a, user, "gift50").await;
        let expected =
            w.text(EN, "acct-promo-balance", &[("amount", Toman(50_000).into()), ("balance", Toman(50_000).into())]);
        assert_eq!(said, expected, "{backend:?}");
        let history = w.store.balances().history(&a.t, customer.id, Page::default()).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].kind, "promo");
        assert_eq!(history[0].idempotency_key, format!("promo:{}:{}", gift.id, customer.id));
        assert_eq!(w.state(&a, user).await, DialogueState::Idle);

        // Days need a subscription; without one nothing is used up.
        let said = w.redeem(&a, user, "DAYS7").await;
        assert_eq!(said, w.text(EN, "acct-promo-no-subscription", &[]));
        assert_eq!(w.store.promo_codes().get(&a.t, days.id).await.unwrap().uses_count, 0);
        let now = Utc::now();
        let sub = w
            .store
            .subscriptions()
            .create(
                &a.t,
                NewSubscription {
                    user: customer.id,
                    plan: None,
                    is_trial: false,
                    starts_at: now,
                    expires_at: now + Days::days(10),
                    traffic_limit_bytes: 0,
                    device_limit: 1,
                },
            )
            .await
            .unwrap();
        let said = w.redeem(&a, user, "DAYS7").await;
        assert!(said.starts_with("🎉 Your subscription was extended by 7 days."), "{said}");
        let extended = w.store.subscriptions().get(&a.t, sub.id).await.unwrap();
        assert_eq!(extended.expires_at, sub.expires_at + Days::days(7));
        let queued = w.store.provisioning().list(&a.t, None, Page::default()).await.unwrap();
        assert_eq!(queued.len(), 1, "the panel is told through the outbox");
        assert_eq!(queued[0].subscription_id, sub.id);

        // A discount waits for the next paid order.
        let said = w.redeem(&a, user, "OFF20").await;
        assert_eq!(said, w.text(EN, "acct-promo-discount", &[("percent", 20.into())]));
        let plan = w
            .store
            .plans()
            .create(
                &a.t,
                PlanSpec {
                    name: "Gold".into(),
                    description: None,
                    period_days: 30,
                    traffic_gb: 0,
                    device_limit: 1,
                    price: Toman(100_000),
                    sort_order: 0,
                },
            )
            .await
            .unwrap();
        let quote = w.store.sales().quote(&a.t, customer.id, plan.id).await.unwrap();
        assert_eq!((quote.discount_percent, quote.price), (20, Toman(80_000)));

        // Once per customer.
        let said = w.redeem(&a, user, "GIFT50").await;
        assert_eq!(said, w.text(EN, "acct-promo-already-used", &[]));
        assert_eq!(w.user(&a, user).await.balance, Toman(50_000));
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_promo_code_outside_its_window_or_switched_off_is_refused() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let user = 555_100_004;
        w.customer(&a, user).await;
        let now = Utc::now();
        w.code(&a, PromoCodeSpec { valid_from: Some(now + Days::hours(1)), ..spec("SOON", PromoKind::Balance, 5_000) })
            .await;
        w.code(
            &a,
            PromoCodeSpec { valid_until: Some(now - Days::hours(1)), ..spec("GONE", PromoKind::Balance, 5_000) },
        )
        .await;
        let off = w.code(&a, spec("PAUSED", PromoKind::Balance, 5_000)).await;
        w.store.promo_codes().set_active(&a.t, off.id, false).await.unwrap();
        w.code(&a, PromoCodeSpec { max_uses: 1, ..spec("ONCE", PromoKind::Balance, 5_000) }).await;
        let other = w.customer(&a, 555_100_014).await;
        let first = w.store.promo_redemptions().redeem(&a.t, "ONCE", other.id, now).await.unwrap();
        assert!(matches!(first, Redemption::Applied { .. }));

        for (code, id) in [
            ("SOON", "acct-promo-not-yet-valid"),
            ("GONE", "acct-promo-expired"),
            ("PAUSED", "acct-promo-inactive"),
            ("ONCE", "acct-promo-used-up"),
        ] {
            assert_eq!(w.redeem(&a, user, code).await, w.text(EN, id, &[]), "{backend:?} {code}");
        }
        assert_eq!(w.user(&a, user).await.balance, Toman::ZERO);

        // An unknown code keeps the question open for another try; Cancel ends it.
        let said = w.redeem(&a, user, "NOPE").await;
        assert_eq!(said, w.text(EN, "acct-promo-unknown", &[]));
        assert_eq!(w.state(&a, user).await, DialogueState::PromoCode);
        let unknown = w.tg.transcript(&a.token, user).last().cloned().unwrap();
        let cancelled = w.press_then(&a, user, &unknown, "acct:cancel").await;
        assert_eq!(cancelled.text.as_deref(), Some(w.text(EN, "acct-cancelled", &[]).as_str()));
        assert_eq!(w.state(&a, user).await, DialogueState::Idle);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_five_wrong_codes_a_customer_is_told_to_wait_and_no_code_is_read() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        w.code(&a, spec("REAL", PromoKind::Balance, 5_000)).await;
        let (guesser, honest) = (555_100_050, 555_100_051);
        w.customer(&a, guesser).await;
        w.customer(&a, honest).await;
        let unknown = w.text(EN, "acct-promo-unknown", &[]);
        assert_eq!(w.redeem(&a, guesser, "GUESS1").await, unknown);
        for i in 2..=5 {
            assert_eq!(w.say(&a, guesser, &format!("GUESS{i}")).await.text.unwrap(), unknown, "{backend:?}");
        }
        // The sixth code, a real one, is not read: the customer is told how long to wait
        // (an hour from the first wrong code, in whole minutes) and the question is closed.
        let wait = |minutes: i64| w.text(EN, "acct-promo-too-many", &[("minutes", minutes.into())]);
        let said = w.say(&a, guesser, "REAL").await.text.unwrap();
        assert!(said == wait(60) || said == wait(59), "{backend:?}: {said}");
        assert!(said.contains("try again in") && said.contains("minutes"), "{said}");
        assert_eq!(w.state(&a, guesser).await, DialogueState::Idle);
        assert_eq!(w.redeem(&a, guesser, "REAL").await, said, "asked again, the same answer");
        assert_eq!(w.user(&a, guesser).await.balance, Toman::ZERO);
        // Another customer is not held back.
        let applied = w.redeem(&a, honest, "REAL").await;
        assert!(applied.starts_with("🎉") || applied.contains("5,000"), "{applied}");
        assert_eq!(w.user(&a, honest).await.balance, Toman(5_000));
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_customers_typing_a_code_at_once_get_only_its_max_uses() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let code = w.code(&a, PromoCodeSpec { max_uses: 3, ..spec("FIRST3", PromoKind::Balance, 10_000) }).await;
        let users: Vec<i64> = (0..10).map(|i| 555_200_000 + i).collect();
        for u in &users {
            w.customer(&a, *u).await;
            w.menu(&a, *u, "menu-promo-code").await;
        }
        for u in &users {
            w.tg.send_text(&a.token, *u, "FIRST3");
        }
        let mut granted = 0;
        let mut refused = 0;
        for u in &users {
            let said = w.nth(&a, *u, 1).await.text.unwrap();
            if said.starts_with("🎉") {
                granted += 1;
            } else {
                assert_eq!(said, w.text(EN, "acct-promo-used-up", &[]), "{backend:?}");
                refused += 1;
            }
        }
        assert_eq!((granted, refused), (3, 7), "{backend:?}");
        assert_eq!(w.store.promo_codes().get(&a.t, code.id).await.unwrap().uses_count, 3);
        let mut total = Toman::ZERO;
        for u in &users {
            total = total.checked_add(w.user(&a, *u).await.balance).unwrap();
        }
        assert_eq!(total, Toman(30_000));
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_redeeming_a_code_ten_times_at_once_gets_it_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Alpha").await;
        let user = store
            .users()
            .register(
                &t,
                NewUser {
                    telegram_id: TgUserId(555_300_001),
                    username: None,
                    first_name: None,
                    language: EN,
                    referred_by: None,
                },
            )
            .await
            .unwrap()
            .0;
        let code = store.promo_codes().create(&t, spec("MANY", PromoKind::Balance, 10_000)).await.unwrap();
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (store, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                store.promo_redemptions().redeem(&t, "MANY", user.id, Utc::now()).await.unwrap()
            }));
        }
        let mut applied = 0;
        for task in tasks {
            match task.await.unwrap() {
                Redemption::Applied { effect: PromoEffect::Balance { amount, .. }, .. } => {
                    assert_eq!(amount, Toman(10_000));
                    applied += 1;
                }
                Redemption::Refused(why) => assert_eq!(why, PromoRefusal::AlreadyUsed, "{backend:?}"),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(applied, 1, "{backend:?}");
        assert_eq!(store.users().get(&t, user.id).await.unwrap().balance, Toman(10_000));
        assert_eq!(store.balances().history(&t, user.id, Page::default()).await.unwrap().len(), 1);
        assert_eq!(store.promo_codes().get(&t, code.id).await.unwrap().uses_count, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_promo_code_of_one_tenant_is_unknown_in_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let user = 555_100_005;
        w.customer(&a, user).await;
        w.customer(&b, user).await;
        let code = w.code(&a, spec("ALPHA10", PromoKind::Balance, 10_000)).await;

        assert_eq!(w.redeem(&b, user, "ALPHA10").await, w.text(EN, "acct-promo-unknown", &[]), "{backend:?}");
        assert_eq!(w.store.promo_codes().get(&a.t, code.id).await.unwrap().uses_count, 0);
        assert!(w.redeem(&a, user, "ALPHA10").await.starts_with("🎉"));
        assert_eq!(w.user(&a, user).await.balance, Toman(10_000));
        assert_eq!(w.user(&b, user).await.balance, Toman::ZERO, "the other tenant's balance is untouched");
        w.stop().await;
    }
}

// -----------------------------------------------------------------------------------------
// Referral
// -----------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_tenant_gives_its_own_referral_link_and_lists_its_own_invited_friends() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        w.store.configs().set(&a.t, "referral_percent", json!(10)).await.unwrap();
        let user = 555_100_006;
        let in_a = w.customer(&a, user).await;
        let in_b = w.customer(&b, user).await;

        let shown = w.menu(&a, user, "menu-referral").await.text.unwrap();
        let link_a = format!("https://t.me/bot{}?start=ref_{}", a.telegram_id, in_a.referral_code);
        assert!(shown.lines().any(|l| l == link_a), "the link on its own line: {shown}");
        assert!(shown.contains("You get 10% of every payment"), "{shown}");
        assert!(shown.contains("Friends invited: 0") && shown.contains("Rewards earned: 0 Toman"), "{shown}");
        let shown_b = w.menu(&b, user, "menu-referral").await;
        let text_b = shown_b.text.clone().unwrap();
        let link_b = format!("https://t.me/bot{}?start=ref_{}", b.telegram_id, in_b.referral_code);
        assert!(text_b.lines().any(|l| l == link_b), "{text_b}");
        assert!(!text_b.contains('%'), "no reward configured in Beta: {text_b}");

        // A friend follows the link in Alpha.
        let friend = 555_100_016;
        w.say(&a, friend, &format!("/start ref_{}", in_a.referral_code)).await;
        let joined = w.user(&a, friend).await;
        assert_eq!(joined.referred_by, Some(in_a.id), "{backend:?}");
        let reward = w.store.referral_earnings().record(&a.t, in_a.id, joined.id, Toman(5_000), None).await;
        assert!(reward.unwrap());

        let shown = w.menu(&a, user, "menu-referral").await;
        let text = shown.text.clone().unwrap();
        assert!(text.contains("Friends invited: 1") && text.contains("Rewards earned: 5,000 Toman"), "{text}");
        let list = w.press_then(&a, user, &shown, "acct:refs").await.text.unwrap();
        assert!(list.contains(&format!("• User{friend}")), "{list}");
        let list_b = w.press_then(&b, user, &shown_b, "acct:refs").await;
        assert_eq!(list_b.text.as_deref(), Some(w.text(EN, "acct-referrals-empty", &[]).as_str()));
        w.stop().await;
    }
}

// -----------------------------------------------------------------------------------------
// Support tickets
// -----------------------------------------------------------------------------------------

/// The ticket number of a ticket message.
fn ticket_of(msg: &SentMessage, prefix: &str) -> TicketId {
    TicketId(data_of(msg, prefix).rsplit(':').next().unwrap().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ticket_reaches_the_admin_whose_answer_reaches_the_customer_and_either_side_closes() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let user = 555_100_007;
        w.customer(&a, user).await;
        w.customer(&a, ADMIN_A).await;

        let support = w.menu(&a, user, "menu-support").await;
        assert_eq!(all_data(&support), vec!["acct:tnew", "acct:tmine"], "{backend:?}");
        let prompt = w.press_then(&a, user, &support, "acct:tnew").await;
        assert_eq!(prompt.text.as_deref(), Some(w.text(EN, "acct-ticket-prompt", &[]).as_str()));
        let opened = w.say(&a, user, "My VPN does not connect").await;
        let id = ticket_of(&opened, "acct:tcls:");
        let ticket_arg = [("ticket", Arg::from(id.0))];
        assert_eq!(opened.text.as_deref(), Some(w.text(EN, "acct-ticket-opened", &ticket_arg).as_str()));

        // The admin gets it with Reply and Close, and answers.
        let to_admin =
            w.wait_for(&a, ADMIN_A, "the ticket", |m| all_data(m).contains(&format!("acct:tans:{id}"))).await;
        let text = to_admin.text.clone().unwrap();
        assert!(text.contains(&format!("New ticket #{id}")) && text.contains("My VPN does not connect"), "{text}");
        assert!(text.contains(&format!("User{user} (@user{user}) · {user}")), "{text}");
        assert_eq!(all_data(&to_admin), vec![format!("acct:tans:{id}"), format!("acct:tend:{id}")]);
        let asked = w.press_then(&a, ADMIN_A, &to_admin, "acct:tans:").await;
        assert_eq!(asked.text.as_deref(), Some(w.text(EN, "acct-admin-answer-prompt", &ticket_arg).as_str()));
        let n = w.count(&a, user);
        let done = w.say(&a, ADMIN_A, "Please try the new link").await;
        assert_eq!(done.text.as_deref(), Some(w.text(EN, "acct-admin-answer-sent", &ticket_arg).as_str()));
        let answer = w.nth(&a, user, n).await;
        let text = answer.text.clone().unwrap();
        assert!(text.contains(&format!("Support answered ticket #{id}")) && text.contains("Please try the new link"));
        assert_eq!(all_data(&answer), vec![format!("acct:trep:{id}"), format!("acct:tcls:{id}")]);
        let ticket = w.store.tickets().get(&a.t, id).await.unwrap();
        assert_eq!(ticket.status, TicketStatus::Answered);

        // The customer writes back with a photo.
        let asked = w.press_then(&a, user, &answer, "acct:trep:").await;
        assert_eq!(asked.text.as_deref(), Some(w.text(EN, "acct-ticket-reply-prompt", &ticket_arg).as_str()));
        let admin_seen = w.count(&a, ADMIN_A);
        let n = w.count(&a, user);
        w.tg.send_photo(&a.token, user, Some("screenshot of the error"));
        let sent = w.nth(&a, user, n).await;
        assert_eq!(sent.text.as_deref(), Some(w.text(EN, "acct-ticket-sent", &ticket_arg).as_str()));
        let photo = w.nth(&a, ADMIN_A, admin_seen).await;
        assert_eq!(photo.method, "sendPhoto");
        assert!(photo.text.clone().unwrap().contains("screenshot of the error"));
        assert!(photo.file_id.is_some());
        let messages = w.store.tickets().messages(&a.t, id, Page::default()).await.unwrap();
        assert_eq!(messages.len(), 3);
        assert_eq!(messages.iter().map(|m| m.from_admin).collect::<Vec<_>>(), vec![false, true, false]);
        assert!(messages[2].media_file_id.is_some());
        assert_eq!(messages[1].sender_telegram_id, TgUserId(ADMIN_A));

        // The customer closes; the admin is told; the buttons no longer work.
        let closed = w.press_then(&a, user, &answer, "acct:tcls:").await;
        assert_eq!(closed.text.as_deref(), Some(w.text(EN, "acct-ticket-closed-by-you", &ticket_arg).as_str()));
        let told = w.text(EN, "acct-admin-ticket-closed", &ticket_arg);
        w.wait_for(&a, ADMIN_A, "the closing", |m| m.text.as_deref() == Some(told.as_str())).await;
        assert_eq!(w.store.tickets().get(&a.t, id).await.unwrap().status, TicketStatus::Closed);
        let q = w.press(&a, ADMIN_A, &to_admin, "acct:tans:");
        assert_eq!(w.answer(&a, &q).await, Some(w.text(EN, "acct-ticket-is-closed", &ticket_arg)));
        assert_eq!(w.state(&a, ADMIN_A).await, DialogueState::Idle);

        // A photo ticket, closed by the admin.
        let support = w.menu(&a, user, "menu-support").await;
        w.press_then(&a, user, &support, "acct:tnew").await;
        let n = w.count(&a, user);
        w.tg.send_photo(&a.token, user, None);
        let opened = w.nth(&a, user, n).await;
        let second = ticket_of(&opened, "acct:tcls:");
        assert_eq!(w.store.tickets().get(&a.t, second).await.unwrap().title, "📷");
        let to_admin =
            w.wait_for(&a, ADMIN_A, "the photo ticket", |m| all_data(m).contains(&format!("acct:tend:{second}"))).await;
        let n = w.count(&a, user);
        let q = w.press(&a, ADMIN_A, &to_admin, "acct:tend:");
        let second_arg = [("ticket", Arg::from(second.0))];
        assert_eq!(w.answer(&a, &q).await, Some(w.text(EN, "acct-admin-ticket-closed-done", &second_arg)));
        let told = w.nth(&a, user, n).await;
        assert_eq!(told.text.as_deref(), Some(w.text(EN, "acct-ticket-closed-by-support", &second_arg).as_str()));
        assert_eq!(w.store.tickets().get(&a.t, second).await.unwrap().status, TicketStatus::Closed);

        // "My tickets" lists both, newest first, and shows the conversation.
        let support = w.menu(&a, user, "menu-support").await;
        let mine = w.press_then(&a, user, &support, "acct:tmine").await;
        assert_eq!(all_data(&mine), vec![format!("acct:tview:{second}"), format!("acct:tview:{id}")]);
        let view = w.press_then(&a, user, &mine, &format!("acct:tview:{id}")).await.text.unwrap();
        assert!(view.contains("My VPN does not connect") && view.contains("Please try the new link"), "{view}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn admins_in_the_admin_chat_answer_tickets_in_private() {
    let w = world(Backend::Sqlite).await;
    let a = w.shop("Alpha", ADMIN_A).await;
    let group = -1_001_234_567_890;
    let member = 710_000_099;
    w.tg.add_group(&a.token, group, "Alpha admins");
    w.store.configs().set(&a.t, "admin_chat_id", json!(group)).await.unwrap();
    w.store.configs().set(&a.t, "admin_ids", json!([])).await.unwrap();
    let user = 555_100_008;
    w.customer(&a, user).await;
    w.customer(&a, member).await;

    let support = w.menu(&a, user, "menu-support").await;
    w.press_then(&a, user, &support, "acct:tnew").await;
    let opened = w.say(&a, user, "Where is my link?").await;
    let id = ticket_of(&opened, "acct:tcls:");
    let in_group = w
        .wait_for(&a, group, "the ticket in the admin chat", |m| all_data(m).contains(&format!("acct:tans:{id}")))
        .await;
    let q =
        w.tg.press_button_in_chat(&a.token, group, member, in_group.message_id, &format!("acct:tans:{id}")).unwrap();
    w.answer(&a, &q).await;
    let asked = w.nth(&a, member, 0).await;
    assert_eq!(
        asked.text.as_deref(),
        Some(w.text(EN, "acct-admin-answer-prompt", &[("ticket", id.0.into())]).as_str())
    );
    let n = w.count(&a, user);
    w.say(&a, member, "It is on its way").await;
    let answer = w.nth(&a, user, n).await;
    assert!(answer.text.unwrap().contains("It is on its way"));
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_this_tenants_admins_can_answer_or_close_its_tickets() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let user = 555_100_009;
        let stranger = 555_100_019;
        w.customer(&a, user).await;
        w.customer(&b, user).await;
        w.customer(&a, stranger).await;
        w.customer(&a, ADMIN_B).await;

        let support = w.menu(&a, user, "menu-support").await;
        w.press_then(&a, user, &support, "acct:tnew").await;
        let opened = w.say(&a, user, "Help").await;
        let id = ticket_of(&opened, "acct:tcls:");
        let admin_only = Some(w.text(EN, "acct-admin-only", &[]));

        // A customer, the ticket's own customer and another tenant's admin: refused.
        for who in [stranger, user, ADMIN_B] {
            for data in [format!("acct:tans:{id}"), format!("acct:tend:{id}")] {
                assert_eq!(w.forge(&a, who, &data).await, admin_only, "{backend:?} {who} {data}");
            }
            assert_eq!(w.state(&a, who).await, DialogueState::Idle);
        }
        // Another tenant's admin in their own bot: the ticket is unknown there.
        w.customer(&b, ADMIN_B).await;
        let unknown = Some(w.text(EN, "acct-ticket-unknown", &[]));
        assert_eq!(w.forge(&b, ADMIN_B, &format!("acct:tans:{id}")).await, unknown);
        assert_eq!(w.forge(&b, ADMIN_B, &format!("acct:tend:{id}")).await, unknown);
        // A customer cannot see or close someone else's ticket either.
        assert_eq!(w.forge(&a, stranger, &format!("acct:tcls:{id}")).await, unknown);
        assert_eq!(w.forge(&a, stranger, &format!("acct:tview:{id}")).await, unknown);
        assert_eq!(w.forge(&b, user, &format!("acct:tcls:{id}")).await, unknown);

        let ticket = w.store.tickets().get(&a.t, id).await.unwrap();
        assert_eq!(ticket.status, TicketStatus::Open, "{backend:?}: nothing changed");
        assert_eq!(w.store.tickets().messages(&a.t, id, Page::default()).await.unwrap().len(), 1);

        // The same person sees only each tenant's tickets.
        let support_b = w.menu(&b, user, "menu-support").await;
        let mine_b = w.press_then(&b, user, &support_b, "acct:tmine").await;
        assert_eq!(mine_b.text.as_deref(), Some(w.text(EN, "acct-tickets-empty", &[]).as_str()));
        let mine_a = w.press_then(&a, user, &support, "acct:tmine").await;
        assert_eq!(all_data(&mine_a), vec![format!("acct:tview:{id}")]);
        w.stop().await;
    }
}

// -----------------------------------------------------------------------------------------
// Bad input
// -----------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_gets_a_clear_answer_and_changes_nothing() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let user = 555_100_010;
        w.customer(&a, user).await;
        w.code(&a, spec("REAL", PromoKind::Balance, 1_000)).await;

        // A sticker or a huge text where a promo code is expected.
        w.menu(&a, user, "menu-promo-code").await;
        let n = w.count(&a, user);
        w.tg.send_sticker(&a.token, user);
        assert_eq!(w.nth(&a, user, n).await.text.as_deref(), Some(w.text(EN, "acct-expects-text", &[]).as_str()));
        let huge = "X".repeat(10_000);
        assert_eq!(w.say(&a, user, &huge).await.text.as_deref(), Some(w.text(EN, "acct-promo-unknown", &[]).as_str()));
        assert_eq!(w.state(&a, user).await, DialogueState::PromoCode, "{backend:?}");

        // Unknown, malformed and over-long callback data.
        let stale = Some(w.text(EN, "button-stale", &[]));
        for data in
            ["acct:zzz", "acct:tans:abc", "acct:top:-1", "acct:tview:0", &format!("acct:top:{}", "9".repeat(70))]
        {
            assert_eq!(w.forge(&a, user, data).await, stale, "{data}");
        }

        // A sticker or a huge text where a ticket's message is expected.
        let support = w.menu(&a, user, "menu-support").await;
        w.press_then(&a, user, &support, "acct:tnew").await;
        let n = w.count(&a, user);
        w.tg.send_sticker(&a.token, user);
        let said = w.nth(&a, user, n).await;
        assert_eq!(said.text.as_deref(), Some(w.text(EN, "acct-ticket-expects-text-or-photo", &[]).as_str()));
        let said = w.say(&a, user, &"y".repeat(5_000)).await;
        assert_eq!(said.text.as_deref(), Some(w.text(EN, "acct-ticket-too-long", &[]).as_str()));
        assert_eq!(w.state(&a, user).await, DialogueState::TicketOpening);

        // A switched-off feature's old button.
        w.store.flags().set(&a.t, FeatureKey::SupportTickets, false, None).await.unwrap();
        let q = w.press(&a, user, &support, "acct:tnew");
        assert_eq!(w.answer(&a, &q).await, Some(w.text(EN, "feature-disabled", &[])));

        let customer = w.user(&a, user).await;
        assert_eq!(customer.balance, Toman::ZERO);
        assert!(w.store.tickets().list_for_user(&a.t, customer.id, Page::default()).await.unwrap().is_empty());
        assert!(w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap().is_empty());
        w.stop().await;
    }
}
