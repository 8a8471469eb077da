//! The shop end to end: two tenants' bots running at once against the fake Telegram server
//! and the fake Remnawave panel, with the provisioning and notification workers, on SQLite
//! and (when `TEST_DATABASE_URL` is set) PostgreSQL. Customers and admins only press
//! buttons and send messages; the tests read what Telegram and the panel saw.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use remnabot_bot::Fleet;
use remnabot_bot::dialogue::{DialogueState, DialogueStore};
use remnabot_bot::handlers::Shared;
use remnabot_bot::texts::{Arg, Texts};
use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::panel::PanelVersion;
use remnabot_domain::{Page, Tenant, TgUserId, Toman};
use remnabot_jobs::notify::NotificationWorker;
use remnabot_store::cards::CardSpec;
use remnabot_store::ledger::Posting;
use remnabot_store::outbox::OutboxStatus;
use remnabot_store::payments::{CardPayment, PaymentStatus};
use remnabot_store::plans::{Plan, PlanSpec};
use remnabot_store::promos::{PromoCodeSpec, PromoKind};
use remnabot_store::sales::{Reviewer, SaleTexts};
use remnabot_store::{Backend, Store, testing};
use remnabot_testkit::telegram::SentMessage;
use remnabot_testkit::{FakeRemnawave, FakeTelegram};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(15);
/// How long a new bot may take to start when the machine is busy with other tests.
const START: Duration = Duration::from_secs(30);
const ADMIN_A: i64 = 700_000_001;
const ADMIN_B: i64 = 700_000_002;

struct World {
    store: Store,
    tg: Arc<FakeTelegram>,
    panel: FakeRemnawave,
    texts: Arc<Texts>,
    fleet: Fleet,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

struct Shop {
    t: Tenant,
    token: String,
    plans: Vec<Plan>,
}

async fn world(backend: Backend) -> World {
    let store = testing::store(backend).await;
    let tg = Arc::new(FakeTelegram::start().await);
    let panel = FakeRemnawave::start(PanelVersion::V3).await;
    let texts = Arc::new(Texts::load().unwrap());
    let shared = Shared {
        squads: Some(common::squad_policy(&store, &panel).await),
        ..Shared::with_database_dialogues(store.clone(), texts.clone())
    };
    let fleet = common::polling_fleet(shared, &tg);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let tasks =
        vec![tokio::spawn(fleet.clone().run(stopped.clone())), common::spawn_jobs(&store, &tg, &panel, stopped).await];
    World { store, tg, panel, texts, fleet, stop, tasks }
}

impl World {
    /// A tenant with an admin, a card and two plans, running in the fleet.
    async fn shop(&self, name: &str, admin: i64) -> Shop {
        // Counted before the bot exists: the fleet may start it while it is being set up.
        let want = self.fleet.running_count() + 1;
        let (t, token, _) = common::create_bot(&self.store, &self.tg, name).await;
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
        let mut plans = Vec::new();
        for (i, (days, gb, devices, price)) in [(30, 50, 2, 150_000), (90, 0, 3, 400_000)].into_iter().enumerate() {
            let spec = PlanSpec {
                name: format!("{name} {days}d"),
                description: Some(format!("{name} plan {i}")),
                period_days: days,
                traffic_gb: gb,
                device_limit: devices,
                price: Toman(price),
                sort_order: i32::try_from(i).unwrap(),
            };
            plans.push(self.store.plans().create(&t, spec).await.unwrap());
        }
        let started = Instant::now();
        while self.fleet.running_count() < want {
            assert!(started.elapsed() < START, "the shop's bot did not start within {START:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Shop { t, token, plans }
    }

    async fn stop(self) {
        self.stop.send_replace(true);
        for task in self.tasks {
            task.await.ok();
        }
    }

    fn text(&self, lang: Language, id: &str, args: &[(&str, Arg)]) -> String {
        self.texts.get(lang, id, args)
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

    /// Waits until a message in the chat satisfies `check`, and returns it.
    async fn wait_for(&self, shop: &Shop, chat: i64, what: &str, check: impl Fn(&SentMessage) -> bool) -> SentMessage {
        let ok = self.tg.wait_until(WAIT, |fake| fake.transcript(&shop.token, chat).iter().any(&check)).await;
        let all = self.tg.transcript(&shop.token, chat);
        assert!(ok, "{what} never came in chat {chat}: {:#?}", texts(&all));
        all.into_iter().rev().find(|m| check(m)).unwrap()
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

    /// Presses and waits for the bot's message that starts with `start` (the workers may
    /// send their own messages in between).
    async fn press_expect(&self, shop: &Shop, user: i64, msg: &SentMessage, prefix: &str, start: &str) -> SentMessage {
        let n = self.count(shop, user);
        self.press(shop, user, msg, prefix);
        self.after(shop, user, n, start).await
    }

    /// The user sends `text` and waits for the bot's message that starts with `start`.
    async fn say_expect(&self, shop: &Shop, user: i64, text: &str, start: &str) -> SentMessage {
        let n = self.count(shop, user);
        self.tg.send_text(&shop.token, user, text);
        self.after(shop, user, n, start).await
    }

    /// The first entry from index `n` on whose text starts with `start`.
    async fn after(&self, shop: &Shop, chat: i64, n: usize, start: &str) -> SentMessage {
        let found = |all: &[SentMessage]| {
            all.iter().skip(n).find(|m| m.text.as_deref().is_some_and(|t| t.starts_with(start))).cloned()
        };
        let ok = self.tg.wait_until(WAIT, |fake| found(&fake.transcript(&shop.token, chat)).is_some()).await;
        let all = self.tg.transcript(&shop.token, chat);
        assert!(ok, "no message starting with {start:?} in chat {chat}: {:#?}", texts(&all));
        found(&all).unwrap()
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

    /// A new customer: `/start`, then the language button; returns the message with the
    /// main menu.
    async fn join(&self, shop: &Shop, user: i64, lang: Language) -> SentMessage {
        let first = self.say(shop, user, "/start").await;
        let languages: Vec<_> = first.buttons().into_iter().filter_map(|b| b.callback_data).collect();
        assert_eq!(languages, vec!["lang:fa", "lang:en", "lang:ru"], "first contact asks for the language");
        let menu = self.press_then(shop, user, &first, &format!("lang:{}", lang.code())).await;
        assert!(menu.reply_markup.as_ref().is_some_and(|m| m.get("keyboard").is_some()), "the menu follows");
        menu
    }

    /// The customer buys `plan` by card to card up to the receipt photo; returns the payment.
    async fn pay_by_card(&self, shop: &Shop, user: i64, lang: Language, plan: &Plan) -> CardPayment {
        self.pay_by_card_with(shop, user, lang, plan, |tg| tg.send_photo(&shop.token, user, Some("paid"))).await
    }

    /// The customer buys `plan` by card to card and sends the receipt with `send`; returns the
    /// payment.
    async fn pay_by_card_with(
        &self,
        shop: &Shop,
        user: i64,
        lang: Language,
        plan: &Plan,
        send: impl FnOnce(&FakeTelegram) -> i64,
    ) -> CardPayment {
        let list = self.say(shop, user, &self.text(lang, "menu-buy", &[])).await;
        let detail = self.press_then(shop, user, &list, &format!("shop:plan:p:{}", plan.id)).await;
        let checkout = self.press_then(shop, user, &detail, &format!("shop:buy:p:{}", plan.id)).await;
        let instructions = self.press_then(shop, user, &checkout, &format!("shop:pay:c2c:p:{}", plan.id)).await;
        let payment = self.pending_payment(shop, user).await;
        let text = instructions.text.clone().unwrap();
        assert!(text.contains("6037 9912 3456 7893"), "the card in groups of four: {text}");
        assert!(text.contains(&payment.tracking_code), "{text}");
        let n = self.count(shop, user);
        send(&self.tg);
        let received = self.nth(shop, user, n).await;
        let expected = self.text(lang, "receipt-received", &[("code", payment.tracking_code.as_str().into())]);
        assert_eq!(received.text.as_deref(), Some(expected.as_str()));
        self.store.card_payments().get(&shop.t, payment.id).await.unwrap()
    }

    /// The customer's newest card payment.
    async fn pending_payment(&self, shop: &Shop, user: i64) -> CardPayment {
        let u = self.store.users().by_telegram_id(&shop.t, TgUserId(user)).await.unwrap().unwrap();
        let all = self.store.card_payments().list(&shop.t, None, Page::default()).await.unwrap();
        all.into_iter().filter(|p| p.user_id == u.id).max_by_key(|p| p.id).expect("a payment")
    }

    /// The receipt message the admin got for `payment`.
    async fn receipt_for(&self, shop: &Shop, admin: i64, payment: &CardPayment) -> SentMessage {
        let data = format!("adm:ok:{}", payment.id);
        self.wait_for(shop, admin, "the receipt", |m| {
            m.is_send() && m.button_data("✅ تأیید").as_deref() == Some(&data)
        })
        .await
    }
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

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < WAIT, "{what} did not happen within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_card_to_card_purchase_approved_by_the_admin_ends_with_a_panel_user_and_the_link() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let user = 555_000_101;
        w.join(&a, user, Language::En).await;
        // The other tenant runs meanwhile, with its own customer.
        w.join(&b, user + 1, Language::Ru).await;

        let plan = &a.plans[0];
        let list = w.say(&a, user, "🛒 Buy a subscription").await;
        let shown = list.text.clone().unwrap();
        assert!(
            shown.contains("Alpha 30d") && shown.contains("Alpha 90d") && shown.contains("150,000 Toman"),
            "{shown}"
        );
        assert!(shown.find("Alpha 30d") < shown.find("Alpha 90d"), "in the tenant's order");
        let payment = w.pay_by_card(&a, user, Language::En, plan).await;
        assert_eq!(payment.amount, Toman(150_000));
        assert!(payment.receipt.is_some());

        // The admin gets the photo with the buttons, and approves.
        let receipt = w.receipt_for(&a, ADMIN_A, &payment).await;
        assert_eq!(receipt.method, "sendPhoto");
        let caption = receipt.text.clone().unwrap();
        assert!(caption.contains(&payment.tracking_code) && caption.contains("۱۵۰٬۰۰۰ تومان"), "{caption}");
        let data: Vec<_> = receipt.buttons().into_iter().filter_map(|b| b.callback_data).collect();
        let id = payment.id;
        assert_eq!(data, vec![format!("adm:ok:{id}"), format!("adm:no:{id}"), format!("adm:info:{id}")]);
        let q = w.press(&a, ADMIN_A, &receipt, "adm:ok:");
        assert_eq!(w.answer(&a, &q).await, Some(w.text(Language::Fa, "admin-approved", &[])));
        let edited = w.wait_for(&a, ADMIN_A, "the outcome", |m| m.method == "editMessageCaption").await;
        assert!(edited.text.unwrap().contains("تأیید شد توسط"), "the admin's message shows the outcome");

        // The provisioning worker creates the panel user; the customer gets the link.
        let u = w.store.users().by_telegram_id(&a.t, TgUserId(user)).await.unwrap().unwrap();
        let username = remnabot_domain::panel::panel_username(a.t.bot_id(), TgUserId(user));
        let ok = w.tg.wait_until(WAIT, |_| w.panel.user_by_username(&username).is_some()).await;
        assert!(ok, "{backend:?}: the panel user exists");
        let on_panel = w.panel.user_by_username(&username).unwrap();
        assert_eq!(on_panel["trafficLimitBytes"], json!(50_i64 << 30));
        let expire: chrono::DateTime<Utc> = on_panel["expireAt"].as_str().unwrap().parse().unwrap();
        let expected = Utc::now() + chrono::Duration::days(30);
        assert!((expire - expected).num_minutes().abs() <= 5, "{expire} vs {expected}");
        let url = on_panel["subscriptionUrl"].as_str().unwrap().to_owned();
        w.wait_for(&a, user, "the approval", |m| m.text.as_deref().is_some_and(|t| t.contains("has been approved")))
            .await;
        w.wait_for(&a, user, "the link", |m| m.text.as_deref().is_some_and(|t| t.contains(&url))).await;
        let sub = w.store.subscriptions().current_for_user(&a.t, u.id).await.unwrap().unwrap();
        assert_eq!(sub.subscription_url.as_deref(), Some(url.as_str()));
        assert_eq!(w.store.transactions().list(&a.t, Some(u.id), Page::default()).await.unwrap().len(), 1);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_approvals_complete_the_order_once_and_reviews_are_final() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        // Five admins, each pressing Approve four times on their copy of the receipt.
        let admins: Vec<i64> = (0..5).map(|i| 710_000_000 + i).collect();
        w.store.configs().set(&a.t, "admin_ids", json!(admins)).await.unwrap();
        let user = 555_000_201;
        w.join(&a, user, Language::En).await;
        let payment = w.pay_by_card(&a, user, Language::En, &a.plans[0]).await;
        let mut queries = Vec::new();
        let mut receipts = Vec::new();
        for admin in &admins {
            receipts.push((*admin, w.receipt_for(&a, *admin, &payment).await));
        }
        for _ in 0..4 {
            for (admin, receipt) in &receipts {
                let data = format!("adm:ok:{}", payment.id);
                queries.push(w.tg.press_button_unchecked(&a.token, *admin, receipt.message_id, &data).unwrap());
            }
        }
        let mut answers = Vec::new();
        for q in &queries {
            answers.push(w.answer(&a, q).await.unwrap_or_default());
        }
        let approved = w.text(Language::Fa, "admin-approved", &[]);
        let already = w.text(Language::Fa, "admin-already-approved", &[]);
        assert_eq!(answers.iter().filter(|t| **t == approved).count(), 1, "{backend:?}: {answers:?}");
        assert_eq!(answers.iter().filter(|t| **t == already).count(), 19, "{answers:?}");
        let u = w.store.users().by_telegram_id(&a.t, TgUserId(user)).await.unwrap().unwrap();
        let username = remnabot_domain::panel::panel_username(a.t.bot_id(), TgUserId(user));
        let ok = w.tg.wait_until(WAIT, |_| w.panel.user_by_username(&username).is_some()).await;
        assert!(ok);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(w.panel.create_count(), 1, "one provisioning");
        assert_eq!(w.store.transactions().list(&a.t, Some(u.id), Page::default()).await.unwrap().len(), 1);
        assert_eq!(w.store.provisioning().list(&a.t, None, Page::default()).await.unwrap().len(), 1);

        // Reject (with a reason), then Approve: the second changes nothing.
        let other = 555_000_202;
        w.join(&a, other, Language::En).await;
        let n = w.count(&a, other);
        let rejected = {
            let list = w.say(&a, other, "🛒 Buy a subscription").await;
            let detail = w.press_then(&a, other, &list, "shop:plan:p:").await;
            let checkout = w.press_then(&a, other, &detail, "shop:buy:p:").await;
            w.press_then(&a, other, &checkout, "shop:pay:c2c:").await;
            w.say(&a, other, "bank ref 998877").await;
            w.pending_payment(&a, other).await
        };
        assert!(w.count(&a, other) > n);
        let admin = admins[0];
        let receipt = w.receipt_for(&a, admin, &rejected).await;
        assert_eq!(receipt.method, "sendMessage", "a text receipt goes as text");
        assert!(receipt.text.clone().unwrap().contains("bank ref 998877"));
        let prompt_at = w.count(&a, admin);
        w.press(&a, admin, &receipt, "adm:no:");
        let prompt = w.nth(&a, admin, prompt_at).await;
        assert!(prompt.text.clone().unwrap().contains(&rejected.tracking_code));
        w.say(&a, admin, "wrong amount").await;
        let done = w.store.card_payments().get(&a.t, rejected.id).await.unwrap();
        assert_eq!(done.status, PaymentStatus::Rejected);
        assert_eq!(done.reject_reason.as_deref(), Some("wrong amount"));
        w.wait_for(&a, other, "the rejection", |m| m.text.as_deref().is_some_and(|t| t.contains("wrong amount"))).await;
        let q =
            w.tg.press_button_unchecked(&a.token, admin, receipt.message_id, &format!("adm:ok:{}", rejected.id))
                .unwrap();
        assert_eq!(w.answer(&a, &q).await, Some(w.text(Language::Fa, "admin-already-rejected", &[])));
        let o = w.store.users().by_telegram_id(&a.t, TgUserId(other)).await.unwrap().unwrap();
        assert!(w.store.transactions().list(&a.t, Some(o.id), Page::default()).await.unwrap().is_empty());
        assert!(w.store.subscriptions().current_for_user(&a.t, o.id).await.unwrap().is_none());

        // Tenant B's payment: A's admin is refused in A's bot (not found there) and in B's
        // bot (not B's admin); B's payment stays pending until B's admin decides.
        let buyer = 555_000_203;
        w.join(&b, buyer, Language::En).await;
        let in_b = w.pay_by_card(&b, buyer, Language::En, &b.plans[1]).await;
        let forged = format!("adm:ok:{}", in_b.id);
        assert_eq!(w.forge(&a, admins[0], &forged).await, Some(w.text(Language::Fa, "admin-payment-unknown", &[])));
        assert_eq!(w.forge(&b, admins[0], &forged).await, Some(w.text(Language::Fa, "admin-only", &[])));
        assert_eq!(
            w.forge(&b, admins[0], &format!("adm:no:{}", in_b.id)).await,
            Some(w.text(Language::Fa, "admin-only", &[]))
        );
        assert_eq!(
            w.forge(&b, buyer, &forged).await,
            Some(w.text(Language::En, "admin-only", &[])),
            "nor can the buyer"
        );
        assert_eq!(w.store.card_payments().get(&b.t, in_b.id).await.unwrap().status, PaymentStatus::Pending);
        let receipt = w.receipt_for(&b, ADMIN_B, &in_b).await;
        let q = w.press(&b, ADMIN_B, &receipt, "adm:ok:");
        assert_eq!(w.answer(&b, &q).await, Some(w.text(Language::Fa, "admin-approved", &[])));
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_trial_is_given_once_per_customer_in_each_tenant() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let user = 555_000_301;
        w.join(&a, user, Language::En).await;
        let offer = w.say(&a, user, "🎁 Free trial").await;
        assert!(offer.text.clone().unwrap().contains("1 day"), "{:?}", offer.text);
        w.press_expect(&a, user, &offer, "shop:trial", "✅ Your free trial is active").await;
        let username = remnabot_domain::panel::panel_username(a.t.bot_id(), TgUserId(user));
        assert!(w.tg.wait_until(WAIT, |_| w.panel.user_by_username(&username).is_some()).await);
        w.wait_for(&a, user, "the trial link", |m| m.text.as_deref().is_some_and(|t| t.contains("https://"))).await;

        // Again by the menu, and by the old button: refused, nothing new.
        let again = w.say(&a, user, "🎁 Free trial").await;
        assert_eq!(again.text, Some(w.text(Language::En, "trial-used", &[])));
        let n = w.count(&a, user);
        w.press(&a, user, &offer, "shop:trial");
        assert_eq!(w.nth(&a, user, n).await.text, Some(w.text(Language::En, "trial-used", &[])));
        let u = w.store.users().by_telegram_id(&a.t, TgUserId(user)).await.unwrap().unwrap();
        assert_eq!(w.store.subscriptions().list_for_user(&a.t, u.id, Page::default()).await.unwrap().len(), 1);
        assert_eq!(w.store.provisioning().list(&a.t, None, Page::default()).await.unwrap().len(), 1);

        // The same person in another tenant is a new customer there.
        w.join(&b, user, Language::En).await;
        let offer = w.say(&b, user, "🎁 Free trial").await;
        w.press_expect(&b, user, &offer, "shop:trial", "✅ Your free trial is active").await;
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn my_subscription_shows_status_solar_hijri_expiry_traffic_devices_and_link() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let user = 555_000_401;
        w.join(&a, user, Language::Fa).await;
        let none = w.say(&a, user, "📱 اشتراک من").await;
        assert_eq!(none.text, Some(w.text(Language::Fa, "sub-none", &[])));

        let payment = w.pay_by_card(&a, user, Language::Fa, &a.plans[0]).await;
        let receipt = w.receipt_for(&a, ADMIN_A, &payment).await;
        w.press(&a, ADMIN_A, &receipt, "adm:ok:");
        let u = w.store.users().by_telegram_id(&a.t, TgUserId(user)).await.unwrap().unwrap();
        wait_until("the link recorded", async || {
            w.store
                .subscriptions()
                .current_for_user(&a.t, u.id)
                .await
                .unwrap()
                .is_some_and(|s| s.subscription_url.is_some())
        })
        .await;
        let sub = w.store.subscriptions().current_for_user(&a.t, u.id).await.unwrap().unwrap();
        // The "subscription ready" notice goes out asynchronously; let it arrive first so the
        // next message read is the screen asked for.
        let link = sub.subscription_url.clone().unwrap();
        w.wait_for(&a, user, "the ready notice", |m| m.text.as_deref().is_some_and(|t| t.contains(&link))).await;
        let shown = w.say(&a, user, "📱 اشتراک من").await;
        let text = shown.text.clone().unwrap();
        let jalali = remnabot_bot::calendar::format_datetime(Language::Fa, sub.expires_at);
        assert!(text.contains(&jalali), "{text} lacks {jalali}");
        assert!(jalali.contains("۱۴"), "a Solar Hijri year: {jalali}");
        assert!(text.contains("✅ فعال"), "{text}");
        assert!(text.contains("۰ مگابایت از ۵۰ گیگابایت"), "traffic used of the limit: {text}");
        assert!(text.contains("تعداد دستگاه: ۲"), "{text}");
        assert!(text.lines().any(|l| Some(l) == sub.subscription_url.as_deref()), "the link on its own line: {text}");
        data_of(&shown, "shop:renew"); // panics without the Renew button

        // Renew offers the plans again and extends the current subscription.
        let offer = w.press_then(&a, user, &shown, "shop:renew").await;
        assert!(offer.text.clone().unwrap().contains(&jalali), "{:?}", offer.text);
        let detail = w.press_then(&a, user, &offer, &format!("shop:plan:r:{}", a.plans[1].id)).await;
        let checkout = w.press_then(&a, user, &detail, "shop:buy:r:").await;
        w.press_then(&a, user, &checkout, "shop:pay:c2c:r:").await;
        w.tg.send_photo(&a.token, user, None);
        let renewal = w.wait_for_payment(&a, user, 2).await;
        assert_eq!(renewal.purpose, remnabot_store::payments::PaymentPurpose::Renewal);
        let receipt = w.receipt_for(&a, ADMIN_A, &renewal).await;
        w.press(&a, ADMIN_A, &receipt, "adm:ok:");
        wait_until("the renewal applied", async || {
            w.store.subscriptions().current_for_user(&a.t, u.id).await.unwrap().unwrap().expires_at > sub.expires_at
        })
        .await;
        let renewed = w.store.subscriptions().current_for_user(&a.t, u.id).await.unwrap().unwrap();
        assert_eq!(renewed.id, sub.id, "the same subscription, extended");
        assert_eq!(renewed.expires_at, sub.expires_at + chrono::Duration::days(90));

        // In English the date is Gregorian.
        w.join(&b, user, Language::En).await;
        let none = w.say(&b, user, "📱 My subscription").await;
        assert_eq!(none.text, Some(w.text(Language::En, "sub-none", &[])), "B knows nothing of A's subscription");
        let offer = w.say(&b, user, "🎁 Free trial").await;
        w.press_expect(&b, user, &offer, "shop:trial", "✅ Your free trial is active").await;
        let ub = w.store.users().by_telegram_id(&b.t, TgUserId(user)).await.unwrap().unwrap();
        let trial = w.store.subscriptions().current_for_user(&b.t, ub.id).await.unwrap().unwrap();
        let shown = w.say_expect(&b, user, "📱 My subscription", "📱 My subscription").await.text.unwrap();
        assert!(shown.contains(&remnabot_bot::calendar::format_datetime(Language::En, trial.expires_at)), "{shown}");
        assert!(shown.contains("🎁 free trial"), "{shown}");
        w.stop().await;
    }
}

impl World {
    /// Waits until the customer has `n` card payments with a receipt; returns the newest.
    async fn wait_for_payment(&self, shop: &Shop, user: i64, n: usize) -> CardPayment {
        let u = self.store.users().by_telegram_id(&shop.t, TgUserId(user)).await.unwrap().unwrap();
        let mut found = None;
        wait_until("the payment's receipt", async || {
            let all = self.store.card_payments().list(&shop.t, None, Page::default()).await.unwrap();
            let mine: Vec<_> = all.into_iter().filter(|p| p.user_id == u.id && p.receipt.is_some()).collect();
            found = mine.iter().max_by_key(|p| p.id).cloned();
            mine.len() >= n
        })
        .await;
        found.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_person_sees_only_each_tenants_plans() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let user = 555_000_501;
        w.join(&a, user, Language::En).await;
        w.join(&b, user, Language::En).await;
        let in_a = w.say(&a, user, "🛒 Buy a subscription").await.text.unwrap();
        let in_b = w.say(&b, user, "🛒 Buy a subscription").await.text.unwrap();
        assert!(in_a.contains("Alpha 30d") && !in_a.contains("Beta"), "{in_a}");
        assert!(in_b.contains("Beta 30d") && !in_b.contains("Alpha"), "{in_b}");
        // B's plan named in A's bot (a forged button) is unknown there.
        let forged = format!("shop:plan:p:{}", b.plans[0].id);
        assert_eq!(w.forge(&a, user, &forged).await, Some(w.text(Language::En, "plan-unavailable", &[])));
        let n = w.count(&a, user);
        let q =
            w.tg.press_button_unchecked(&a.token, user, 999_998, &format!("shop:pay:c2c:p:{}", b.plans[0].id)).unwrap();
        w.answer(&a, &q).await;
        let reply = w.nth(&a, user, n).await;
        assert_eq!(reply.text, Some(w.text(Language::En, "plan-unavailable", &[])));
        assert!(w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap().is_empty());
        w.stop().await;
    }
}

/// A message of a kind the bot does not take (sticker, voice, location) from `user`.
fn odd_message(user: i64, message_id: i64, kind: &str) -> serde_json::Value {
    let content = match kind {
        "sticker" => {
            json!({"sticker": {"file_id": "stk1", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false}})
        }
        "voice" => json!({"voice": {"file_id": "voc1", "file_unique_id": "u2", "duration": 3}}),
        _ => json!({"location": {"latitude": 35.7, "longitude": 51.4}}),
    };
    let mut message = json!({
        "message_id": message_id,
        "date": 1_700_000_000,
        "chat": {"id": user, "type": "private", "first_name": "U"},
        "from": {"id": user, "is_bot": false, "first_name": "U"},
    });
    message.as_object_mut().unwrap().extend(content.as_object().unwrap().clone());
    json!({"message": message})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stickers_voice_huge_text_and_unknown_or_stale_buttons_get_a_clear_answer_and_change_nothing() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let _b = w.shop("Beta", ADMIN_B).await;
        let user = 555_000_601;
        w.join(&a, user, Language::En).await;
        let unknown = w.text(Language::En, "unknown-command", &[]);
        for (i, kind) in ["sticker", "voice", "location"].into_iter().enumerate() {
            let n = w.count(&a, user);
            w.tg.push_update(&a.token, odd_message(user, 900_000 + i64::try_from(i).unwrap(), kind));
            assert_eq!(w.nth(&a, user, n).await.text, Some(unknown.clone()), "{kind}");
        }
        assert_eq!(w.say(&a, user, &"x".repeat(20_000)).await.text, Some(unknown.clone()));
        let stale = w.text(Language::En, "button-stale", &[]);
        for data in ["zzz", "shop:nope", "shop:plan:p:abc", "adm:ok:x", "lang:de", ""] {
            assert_eq!(w.forge(&a, user, data).await, Some(stale.clone()), "{data:?}");
        }
        // A plan taken off sale: its old button says so.
        let list = w.say(&a, user, "🛒 Buy a subscription").await;
        w.store.plans().set_active(&a.t, a.plans[0].id, false).await.unwrap();
        let q = w.press(&a, user, &list, &format!("shop:plan:p:{}", a.plans[0].id));
        assert_eq!(w.answer(&a, &q).await, Some(w.text(Language::En, "plan-unavailable", &[])));

        // While a receipt is awaited, anything but a photo, file or text is refused.
        let detail = w.press_then(&a, user, &list, &format!("shop:plan:p:{}", a.plans[1].id)).await;
        let checkout = w.press_then(&a, user, &detail, "shop:buy:p:").await;
        w.press_then(&a, user, &checkout, "shop:pay:c2c:").await;
        let wrong = w.text(Language::En, "receipt-wrong-kind", &[]);
        for (i, kind) in ["sticker", "voice", "location"].into_iter().enumerate() {
            let n = w.count(&a, user);
            w.tg.push_update(&a.token, odd_message(user, 910_000 + i64::try_from(i).unwrap(), kind));
            assert_eq!(w.nth(&a, user, n).await.text, Some(wrong.clone()), "{kind}");
        }
        assert_eq!(
            w.say(&a, user, &"y".repeat(20_000)).await.text,
            Some(w.text(Language::En, "receipt-too-long", &[]))
        );
        let payment = w.pending_payment(&a, user).await;
        assert!(payment.receipt.is_none(), "nothing was taken as the receipt");
        assert_eq!(
            w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap().len(),
            1,
            "nothing else was created"
        );
        let state = DialogueStore::Database(w.store.clone()).get(&a.t, user).await.unwrap();
        assert_eq!(state, DialogueState::AwaitingReceipt { payment: payment.id }, "still waiting for the receipt");
        // A file that is neither an image nor a PDF is refused and never reaches the admins.
        let not_a_receipt = w.text(Language::En, "receipt-wrong-document", &[]);
        for name in ["notes.txt", "bank.apk", "receipt.zip"] {
            let n = w.count(&a, user);
            w.tg.send_document(&a.token, user, name);
            assert_eq!(w.nth(&a, user, n).await.text, Some(not_a_receipt.clone()), "{name}");
        }
        assert!(w.pending_payment(&a, user).await.receipt.is_none(), "no file was taken as the receipt");
        assert_eq!(w.count(&a, ADMIN_A), 0, "the admin got nothing");
        // A document is a receipt; a second receipt for the same order is refused.
        let n = w.count(&a, user);
        w.tg.send_document(&a.token, user, "receipt.pdf");
        let received = w.nth(&a, user, n).await;
        assert!(received.text.unwrap().contains(&payment.tracking_code));
        let again = w.say(&a, user, "another receipt").await;
        assert_eq!(again.text, Some(unknown.clone()), "no question is open any more");
        let n = w.count(&a, user);
        let q = w.tg.press_button_unchecked(&a.token, user, 1, &format!("shop:rcpt:{}", payment.id)).unwrap();
        assert_eq!(w.answer(&a, &q).await, Some(w.text(Language::En, "receipt-not-expected", &[])));
        assert_eq!(w.count(&a, user), n);
        let receipt = w.receipt_for(&a, ADMIN_A, &payment).await;
        assert_eq!(receipt.method, "sendDocument");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_the_tenants_wallet_cannot_cover_is_refused_before_payment_and_admins_are_alerted_once() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        // 50 GB at 1,000 Toman per GB: 50,000 Toman the wallet (0) cannot cover.
        w.store.configs().set(&a.t, "wholesale_price_per_gb", json!(1000)).await.unwrap();
        let user = 555_000_701;
        w.join(&a, user, Language::En).await;
        let refused = w.text(Language::En, "sale-unavailable", &[]);
        for _ in 0..2 {
            let list = w.say(&a, user, "🛒 Buy a subscription").await;
            let detail = w.press_then(&a, user, &list, &format!("shop:plan:p:{}", a.plans[0].id)).await;
            let reply = w.press_then(&a, user, &detail, "shop:buy:p:").await;
            assert_eq!(reply.text, Some(refused.clone()));
            // An old checkout button is refused the same way.
            let n = w.count(&a, user);
            let q =
                w.tg.press_button_unchecked(&a.token, user, 999_997, &format!("shop:pay:c2c:p:{}", a.plans[0].id))
                    .unwrap();
            w.answer(&a, &q).await;
            assert_eq!(w.nth(&a, user, n).await.text, Some(refused.clone()));
        }
        assert!(w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap().is_empty(), "no order");
        let alert =
            w.wait_for(&a, ADMIN_A, "the alert", |m| m.text.as_deref().is_some_and(|t| t.contains("کیف پول"))).await;
        assert!(alert.text.unwrap().contains("۵۰٬۰۰۰ تومان"));
        tokio::time::sleep(Duration::from_millis(500)).await;
        let alerts =
            w.tg.transcript(&a.token, ADMIN_A)
                .into_iter()
                .filter(|m| m.text.as_deref().is_some_and(|t| t.contains("کیف پول")))
                .count();
        assert_eq!(alerts, 1, "one alert an hour, not one per attempt");
        assert!(w.tg.transcript(&b.token, ADMIN_B).is_empty(), "the other tenant's admin hears nothing");
        // Once the wallet is topped up, sales resume.
        w.store.wallets().credit(&a.t, Toman(100_000), "top_up", "test-top-up").await.unwrap();
        let list = w.say(&a, user, "🛒 Buy a subscription").await;
        let detail = w.press_then(&a, user, &list, &format!("shop:plan:p:{}", a.plans[0].id)).await;
        let checkout = w.press_then(&a, user, &detail, "shop:buy:p:").await;
        data_of(&checkout, "shop:pay:c2c:"); // panics without the card-to-card button
        w.stop().await;
    }
}

/// The messages in the admin's chat of the shop whose text is `text`.
fn count_texts(w: &World, shop: &Shop, chat: i64, text: &str) -> usize {
    w.tg.transcript(&shop.token, chat).iter().filter(|m| m.text.as_deref() == Some(text)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_that_would_reach_no_server_is_refused_and_the_admins_are_told_once() {
    for backend in testing::backends() {
        let w = world(backend).await;
        // A panel without any internal squad.
        let default = w.panel.squad_uuids()[0].clone();
        assert!(w.panel.remove_squad(&default));
        let a = w.shop("Alpha", ADMIN_A).await;
        let refused = w.text(Language::En, "sale-no-squad", &[]);
        for user in [555_000_801, 555_000_802] {
            w.join(&a, user, Language::En).await;
            for _ in 0..2 {
                let list = w.say(&a, user, "🛒 Buy a subscription").await;
                let detail = w.press_then(&a, user, &list, &format!("shop:plan:p:{}", a.plans[0].id)).await;
                assert_eq!(w.press_then(&a, user, &detail, "shop:buy:p:").await.text, Some(refused.clone()));
            }
            // A renewal, an old payment button and the trial are refused the same way.
            for data in [format!("shop:buy:r:{}", a.plans[1].id), format!("shop:pay:c2c:p:{}", a.plans[0].id)] {
                let n = w.count(&a, user);
                let q = w.tg.press_button_unchecked(&a.token, user, 999_996, &data).unwrap();
                w.answer(&a, &q).await;
                assert_eq!(w.nth(&a, user, n).await.text, Some(refused.clone()), "{data}");
            }
            assert_eq!(w.say(&a, user, "🎁 Free trial").await.text, Some(refused.clone()));
            let n = w.count(&a, user);
            let q = w.tg.press_button_unchecked(&a.token, user, 999_995, "shop:trial").unwrap();
            w.answer(&a, &q).await;
            assert_eq!(w.nth(&a, user, n).await.text, Some(refused.clone()), "an old trial button");
        }
        assert!(w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap().is_empty(), "no order");
        assert!(w.store.provisioning().list(&a.t, None, Page::default()).await.unwrap().is_empty(), "no trial");
        let told = w.text(Language::Fa, "admin-no-squad", &[("count", 0_usize.into())]);
        w.wait_for(&a, ADMIN_A, "the admins' notice", |m| m.text.as_deref() == Some(told.as_str())).await;
        // Every notification queued so far is delivered within a worker pass or two.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(count_texts(&w, &a, ADMIN_A, &told), 1, "told once, not once per press");
        assert_eq!(w.tg.transcript(&a.token, ADMIN_A).len(), 1, "{:#?}", texts(&w.tg.transcript(&a.token, ADMIN_A)));

        // Several squads and none chosen: refused as well, and the admins hear how many.
        w.panel.add_squad("Germany");
        let netherlands = w.panel.add_squad("Netherlands");
        let b = w.shop("Beta", ADMIN_B).await;
        let user = 555_000_803;
        w.join(&b, user, Language::Ru).await;
        let list = w.say(&b, user, &w.text(Language::Ru, "menu-buy", &[])).await;
        let detail = w.press_then(&b, user, &list, &format!("shop:plan:p:{}", b.plans[0].id)).await;
        let reply = w.press_then(&b, user, &detail, "shop:buy:p:").await;
        assert_eq!(reply.text, Some(w.text(Language::Ru, "sale-no-squad", &[])));
        let told = w.text(Language::Fa, "admin-no-squad", &[("count", 2_usize.into())]);
        w.wait_for(&b, ADMIN_B, "the admins' notice", |m| m.text.as_deref() == Some(told.as_str())).await;

        // Once the tenant names its squad, it sells, and the trial lands in that squad.
        w.store.configs().set(&b.t, "panel_squads", json!([netherlands])).await.unwrap();
        let detail = w.press_then(&b, user, &list, &format!("shop:plan:p:{}", b.plans[0].id)).await;
        let checkout = w.press_then(&b, user, &detail, "shop:buy:p:").await;
        data_of(&checkout, "shop:pay:c2c:"); // panics without the card-to-card button
        let offer = w.say(&b, user, &w.text(Language::Ru, "menu-trial", &[])).await;
        w.press(&b, user, &offer, "shop:trial");
        let username = remnabot_domain::panel::panel_username(b.t.bot_id(), TgUserId(user));
        assert!(w.tg.wait_until(WAIT, |_| w.panel.user_by_username(&username).is_some()).await, "the trial's user");
        let squads = w.panel.user_by_username(&username).unwrap()["activeInternalSquads"].clone();
        assert_eq!(squads[0]["uuid"], json!(netherlands), "{squads}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_disabled_feature_is_neither_shown_nor_reachable() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let user = 555_000_801;
        let menu = w.join(&a, user, Language::En).await;
        assert!(menu.reply_markup.unwrap().to_string().contains("Free trial"));
        let offer = w.say(&a, user, "🎁 Free trial").await;
        w.store.flags().set(&a.t, FeatureKey::Trial, false, None).await.unwrap();
        let menu = w.say(&a, user, "/start").await;
        assert!(!menu.reply_markup.unwrap().to_string().contains("Free trial"), "not shown");
        let disabled = w.text(Language::En, "feature-disabled", &[]);
        assert_eq!(w.say(&a, user, "🎁 Free trial").await.text, Some(disabled.clone()), "typed label");
        let q = w.press(&a, user, &offer, "shop:trial");
        assert_eq!(w.answer(&a, &q).await, Some(disabled), "old button");
        let u = w.store.users().by_telegram_id(&a.t, TgUserId(user)).await.unwrap().unwrap();
        assert!(!w.store.users().get(&a.t, u.id).await.unwrap().trial_used);

        // Card to card switched off after the checkout was shown.
        let list = w.say(&a, user, "🛒 Buy a subscription").await;
        let detail = w.press_then(&a, user, &list, "shop:plan:p:").await;
        let checkout = w.press_then(&a, user, &detail, "shop:buy:p:").await;
        w.store.flags().set(&a.t, FeatureKey::CardToCard, false, None).await.unwrap();
        let q = w.press(&a, user, &checkout, "shop:pay:c2c:");
        assert_eq!(w.answer(&a, &q).await, Some(w.text(Language::En, "method-unavailable", &[])));
        assert!(w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap().is_empty());
        let again = w.press_then(&a, user, &detail, "shop:buy:p:").await;
        assert!(again.text.unwrap().contains(&w.text(Language::En, "checkout-no-method", &[])));
        // The other tenant still offers both.
        let in_b = w.join(&b, user, Language::En).await;
        assert!(in_b.reply_markup.unwrap().to_string().contains("Free trial"));
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paying_from_the_balance_is_offered_when_it_covers_the_price_and_charges_once() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let _b = w.shop("Beta", ADMIN_B).await;
        let user = 555_000_901;
        w.join(&a, user, Language::En).await;
        let u = w.store.users().by_telegram_id(&a.t, TgUserId(user)).await.unwrap().unwrap();
        let list = w.say(&a, user, "🛒 Buy a subscription").await;
        let detail = w.press_then(&a, user, &list, &format!("shop:plan:p:{}", a.plans[0].id)).await;
        let checkout = w.press_then(&a, user, &detail, "shop:buy:p:").await;
        assert!(!checkout.buttons().iter().any(|b| b.callback_data.as_deref().is_some_and(|d| d.contains(":bal:"))));
        w.store
            .balances()
            .post(&a.t, u.id, Posting::credit(Toman(200_000), "deposit", "test-deposit").unwrap())
            .await
            .unwrap();
        let checkout = w.press_then(&a, user, &detail, "shop:buy:p:").await;
        let paid = w.press_expect(&a, user, &checkout, "shop:pay:bal:", "✅ Paid from your balance").await;
        assert_eq!(paid.text, Some(w.text(Language::En, "paid-from-balance", &[("balance", Toman(50_000).into())])));
        let again = w.press_expect(&a, user, &checkout, "shop:pay:bal:", "ℹ️ This order has already been paid").await;
        assert_eq!(again.text, Some(w.text(Language::En, "already-paid", &[("balance", Toman(50_000).into())])));
        assert_eq!(w.store.users().get(&a.t, u.id).await.unwrap().balance, Toman(50_000));
        let username = remnabot_domain::panel::panel_username(a.t.bot_id(), TgUserId(user));
        assert!(w.tg.wait_until(WAIT, |_| w.panel.user_by_username(&username).is_some()).await);
        w.wait_for(&a, user, "the link", |m| m.text.as_deref().is_some_and(|t| t.contains("https://"))).await;
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_discounted_to_nothing_is_taken_free_once_and_provisioned() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let user = 555_000_905;
        w.join(&a, user, Language::En).await;
        let u = w.store.users().by_telegram_id(&a.t, TgUserId(user)).await.unwrap().unwrap();
        let gift = PromoCodeSpec {
            code: "GIFT".to_owned(),
            kind: PromoKind::Discount,
            value: 100,
            max_uses: 1,
            valid_from: None,
            valid_until: None,
        };
        w.store.promo_codes().create(&a.t, gift).await.unwrap();
        w.store.promo_codes().redeem(&a.t, "GIFT", u.id, Utc::now()).await.unwrap();
        let list = w.say(&a, user, "🛒 Buy a subscription").await;
        let detail = w.press_then(&a, user, &list, &format!("shop:plan:p:{}", a.plans[0].id)).await;
        let checkout = w.press_then(&a, user, &detail, "shop:buy:p:").await;
        // One button, to take it free: no card transfer or gateway for nothing.
        let buttons = checkout.buttons();
        assert_eq!(buttons.len(), 1, "{buttons:?}");
        assert_eq!(buttons[0].text, w.text(Language::En, "pay-free", &[]));
        assert!(buttons[0].callback_data.as_deref().is_some_and(|d| d.starts_with("shop:pay:bal:")));
        let done = w.press_expect(&a, user, &checkout, "shop:pay:bal:", "✅ Your order is free").await;
        assert_eq!(done.text, Some(w.text(Language::En, "paid-free", &[("balance", Toman::ZERO.into())])));
        w.press_expect(&a, user, &checkout, "shop:pay:bal:", "ℹ️ This order has already been paid").await;
        let username = remnabot_domain::panel::panel_username(a.t.bot_id(), TgUserId(user));
        assert!(w.tg.wait_until(WAIT, |_| w.panel.user_by_username(&username).is_some()).await);
        assert_eq!(w.store.provisioning().list(&a.t, None, Page::default()).await.unwrap().len(), 1);
        assert_eq!(w.store.users().get(&a.t, u.id).await.unwrap().balance, Toman::ZERO);
        // The code is spent: the next checkout is at full price, with paying methods.
        let checkout = w.press_then(&a, user, &detail, "shop:buy:p:").await;
        assert!(checkout.buttons().iter().any(|b| b.callback_data.as_deref().is_some_and(|d| d.contains(":c2c:"))));
        assert!(!checkout.buttons().iter().any(|b| b.text == w.text(Language::En, "pay-free", &[])));
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_referral_link_sets_the_referrer_on_first_contact_only() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        let inviter = 555_001_001;
        w.join(&a, inviter, Language::En).await;
        w.join(&b, inviter + 5, Language::En).await;
        let code = w.store.users().by_telegram_id(&a.t, TgUserId(inviter)).await.unwrap().unwrap().referral_code;
        let code_b = w.store.users().by_telegram_id(&b.t, TgUserId(inviter + 5)).await.unwrap().unwrap().referral_code;
        let invited = 555_001_002;
        w.say(&a, invited, &format!("/start ref_{code}")).await;
        let referrer = w.store.users().by_telegram_id(&a.t, TgUserId(inviter)).await.unwrap().unwrap().id;
        let got = w.store.users().by_telegram_id(&a.t, TgUserId(invited)).await.unwrap().unwrap();
        assert_eq!(got.referred_by, Some(referrer));
        // Later links change nothing; a code of another tenant means nothing here.
        let other = 555_001_003;
        w.say(&a, other, "/start").await;
        w.say(&a, other, &format!("/start ref_{code}")).await;
        assert_eq!(w.store.users().by_telegram_id(&a.t, TgUserId(other)).await.unwrap().unwrap().referred_by, None);
        let third = 555_001_004;
        w.say(&a, third, &format!("/start ref_{code_b}")).await;
        assert_eq!(w.store.users().by_telegram_id(&a.t, TgUserId(third)).await.unwrap().unwrap().referred_by, None);
        w.say(&a, inviter, &format!("/start ref_{code}")).await;
        assert_eq!(w.store.users().by_telegram_id(&a.t, TgUserId(inviter)).await.unwrap().unwrap().referred_by, None);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unpaid_order_expires_after_its_deadline_and_the_customer_is_told() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let _b = w.shop("Beta", ADMIN_B).await;
        let user = 555_001_101;
        w.join(&a, user, Language::En).await;
        let list = w.say(&a, user, "🛒 Buy a subscription").await;
        let detail = w.press_then(&a, user, &list, "shop:plan:p:").await;
        let checkout = w.press_then(&a, user, &detail, "shop:buy:p:").await;
        let shown = w.press_then(&a, user, &checkout, "shop:pay:c2c:").await;
        // Pressing again shows the same order instead of a second one.
        let again = w.press_then(&a, user, &checkout, "shop:pay:c2c:").await;
        assert_eq!(again.text, shown.text);
        let payment = w.pending_payment(&a, user).await;
        assert_eq!(w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap().len(), 1);
        let early = remnabot_bot::sale_texts::expire_card_payments(&w.store, &w.texts, &a.t, Utc::now()).await.unwrap();
        assert_eq!(early, 0);
        let later = Utc::now() + chrono::Duration::minutes(31);
        let expired =
            remnabot_bot::sale_texts::expire_card_payments_everywhere(&w.store, &w.texts, later).await.unwrap();
        assert_eq!(expired, 1);
        // The message is queued at the job's clock: send it at that time.
        let notifier =
            Arc::new(common::FakeBotApi { store: w.store.clone(), url: w.tg.url(), client: reqwest::Client::new() });
        NotificationWorker::new(w.store.clone(), notifier).run_once(later).await.unwrap();
        let told = w.text(Language::En, "card-expired", &[("code", payment.tracking_code.as_str().into())]);
        w.wait_for(&a, user, "the expiry", |m| m.text.as_deref() == Some(told.as_str())).await;
        // A receipt after the deadline is not taken.
        let n = w.count(&a, user);
        w.tg.send_photo(&a.token, user, None);
        assert_eq!(w.nth(&a, user, n).await.text, Some(w.text(Language::En, "receipt-not-expected", &[])));
        assert_eq!(w.store.card_payments().get(&a.t, payment.id).await.unwrap().status, PaymentStatus::Expired);
        w.stop().await;
    }
}

/// A text from `user` in the group `chat`.
fn group_text(chat: i64, user: i64, message_id: i64, text: &str) -> serde_json::Value {
    json!({"message": {
        "message_id": message_id,
        "date": 1_700_000_000,
        "chat": {"id": chat, "type": "supergroup", "title": "Admins"},
        "from": {"id": user, "is_bot": false, "first_name": "Member"},
        "text": text,
    }})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn members_of_the_admin_chat_review_receipts_there_and_give_the_reason_there() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let _b = w.shop("Beta", ADMIN_B).await;
        let group = -100_500_600;
        w.tg.add_group(&a.token, group, "Admins");
        w.store.configs().set(&a.t, "admin_chat_id", json!(group)).await.unwrap();
        w.store.configs().set(&a.t, "admin_ids", json!([])).await.unwrap();
        let (member, bystander) = (720_000_001, 720_000_002);
        let user = 555_001_201;
        w.join(&a, user, Language::En).await;
        let payment = w.pay_by_card(&a, user, Language::En, &a.plans[0]).await;
        let receipt = w.receipt_for(&a, group, &payment).await;
        assert_eq!(receipt.method, "sendPhoto");

        // Outside the admin chat the same member is nobody.
        let forged = format!("adm:ok:{}", payment.id);
        assert_eq!(w.forge(&a, member, &forged).await, Some(w.text(Language::Fa, "admin-only", &[])));

        let n = w.count(&a, group);
        let q =
            w.tg.press_button_in_chat(&a.token, group, member, receipt.message_id, &format!("adm:no:{}", payment.id))
                .unwrap();
        w.answer(&a, &q).await;
        let prompt = w.nth(&a, group, n).await;
        assert!(prompt.text.unwrap().contains(&payment.tracking_code));
        // Someone else's words in the group are not the reason.
        w.tg.push_update(&a.token, group_text(group, bystander, 50, "looks fine to me"));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(w.store.card_payments().get(&a.t, payment.id).await.unwrap().status, PaymentStatus::Pending);
        w.tg.push_update(&a.token, group_text(group, member, 51, "the amount does not match"));
        let done = w.after(&a, group, n + 1, "❌").await;
        assert!(done.text.unwrap().contains(&payment.tracking_code));
        let rejected = w.store.card_payments().get(&a.t, payment.id).await.unwrap();
        assert_eq!(rejected.status, PaymentStatus::Rejected);
        assert_eq!(rejected.reject_reason.as_deref(), Some("the amount does not match"));
        assert_eq!(rejected.reviewed_by, Some(TgUserId(member)));
        let edited = w.wait_for(&a, group, "the outcome", |m| m.method == "editMessageCaption").await;
        assert!(edited.text.unwrap().contains("the amount does not match"));
        w.wait_for(&a, user, "the rejection", |m| {
            m.text.as_deref().is_some_and(|t| t.contains("the amount does not match"))
        })
        .await;
        // Details are there for any member.
        let n = w.count(&a, group);
        w.tg.press_button_in_chat(&a.token, group, bystander, receipt.message_id, &format!("adm:info:{}", payment.id))
            .unwrap();
        let details = w.nth(&a, group, n).await.text.unwrap();
        assert!(details.contains("6037 99** **** 7893") && details.contains("رد شده"), "{details}");
        w.stop().await;
    }
}

/// Waits until message `message_id` of `chat` shows `outcome` under its caption with only the
/// Details button.
async fn shows_outcome(w: &World, shop: &Shop, chat: i64, message_id: i64, outcome: &str, payment: &CardPayment) {
    let details = format!("adm:info:{}", payment.id);
    let shown = |fake: &FakeTelegram| {
        fake.message(&shop.token, chat, message_id).is_some_and(|m| {
            let caption = m["caption"].as_str().unwrap_or_default();
            let buttons: Vec<_> = m["reply_markup"]["inline_keyboard"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|row| row.as_array().cloned().unwrap_or_default())
                .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
                .collect();
            caption.ends_with(&format!("\n\n{outcome}")) && buttons == vec![details.clone()]
        })
    };
    let ok = w.tg.wait_until(WAIT, shown).await;
    let now = w.tg.message(&shop.token, chat, message_id);
    assert!(ok, "message {message_id} of {chat} never showed {outcome:?}: {now:#?}");
    let caption = now.unwrap()["caption"].as_str().unwrap().to_owned();
    assert!(caption.contains(&payment.tracking_code), "the receipt stays above the outcome: {caption}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_admins_copy_of_a_receipt_shows_the_outcome_whoever_decides() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let _b = w.shop("Beta", ADMIN_B).await;
        let (first, second) = (730_000_001, 730_000_002);
        w.store.configs().set(&a.t, "admin_ids", json!([first, second])).await.unwrap();

        // An admin approves in the bot: the other admin's copy shows it too.
        let user = 555_001_301;
        w.join(&a, user, Language::En).await;
        let payment = w.pay_by_card(&a, user, Language::En, &a.plans[0]).await;
        let mine = w.receipt_for(&a, first, &payment).await;
        let theirs = w.receipt_for(&a, second, &payment).await;
        let q = w.press(&a, first, &mine, "adm:ok:");
        assert_eq!(w.answer(&a, &q).await, Some(w.text(Language::Fa, "admin-approved", &[])));
        let approved = w.store.card_payments().get(&a.t, payment.id).await.unwrap();
        assert_eq!(approved.reviewed_by, Some(TgUserId(first)));
        let outcome = w.texts.review_outcome(Language::Fa, &approved);
        assert!(outcome.contains("تأیید شد توسط"), "{outcome}");
        shows_outcome(&w, &a, second, theirs.message_id, &outcome, &approved).await;
        shows_outcome(&w, &a, first, mine.message_id, &outcome, &approved).await;
        // The queued edit of the pressed copy carries the bot's own text: Telegram finds
        // nothing to change, and the outbox entry is closed all the same.
        wait_until("the queued edits were delivered", async || {
            let all = w.store.notifications().list(&a.t, None, Page::default()).await.unwrap();
            let edits: Vec<_> = all.iter().filter(|n| n.edit.is_some()).collect();
            edits.len() == 2 && edits.iter().all(|n| n.status == OutboxStatus::Done)
        })
        .await;
        let edits_of_mine =
            w.tg.transcript(&a.token, first).iter().filter(|m| m.message_id == mine.message_id && !m.is_send()).count();
        assert_eq!(edits_of_mine, 1, "{backend:?}: the pressed copy is edited once");

        // Approved through the API: no admin pressed anything, both copies show it.
        let other = 555_001_302;
        w.join(&a, other, Language::En).await;
        let payment = w.pay_by_card(&a, other, Language::En, &a.plans[0]).await;
        let copies = [w.receipt_for(&a, first, &payment).await, w.receipt_for(&a, second, &payment).await];
        let approval =
            w.store.sales().approve_card_payment(&a.t, payment.id, Reviewer::Api, &*w.texts, Utc::now()).await.unwrap();
        let outcome = w.texts.review_outcome(Language::Fa, &approval.payment);
        assert!(outcome.contains("API"), "{outcome}");
        for (admin, copy) in [first, second].into_iter().zip(&copies) {
            shows_outcome(&w, &a, admin, copy.message_id, &outcome, &approval.payment).await;
        }

        // Nobody reviews in time: the expiry job edits both copies.
        let late = 555_001_303;
        w.join(&a, late, Language::En).await;
        let payment = w.pay_by_card(&a, late, Language::En, &a.plans[0]).await;
        let copies = [w.receipt_for(&a, first, &payment).await, w.receipt_for(&a, second, &payment).await];
        wait_until("both copies recorded", async || {
            w.store.card_payments().review_messages(&a.t, payment.id).await.unwrap().len() == 2
        })
        .await;
        let later = Utc::now() + chrono::Duration::hours(25);
        let expired =
            remnabot_bot::sale_texts::expire_card_payments_everywhere(&w.store, &w.texts, later).await.unwrap();
        assert_eq!(expired, 1);
        // The edits are queued at the job's clock: deliver them at that time.
        let notifier =
            Arc::new(common::FakeBotApi { store: w.store.clone(), url: w.tg.url(), client: reqwest::Client::new() });
        NotificationWorker::new(w.store.clone(), notifier).run_once(later).await.unwrap();
        let expired = w.store.card_payments().get(&a.t, payment.id).await.unwrap();
        let outcome = w.text(Language::Fa, "admin-outcome-expired", &[]);
        for (admin, copy) in [first, second].into_iter().zip(&copies) {
            shows_outcome(&w, &a, admin, copy.message_id, &outcome, &expired).await;
        }
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receipt_sent_again_for_another_payment_is_flagged_to_the_admins_of_that_tenant_only() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        let b = w.shop("Beta", ADMIN_B).await;
        // What the admin (in the tenant's Persian) is told about `earlier`, still under review.
        let warned = |earlier: &CardPayment, customer: i64| {
            w.text(
                Language::Fa,
                "admin-receipt-reused",
                &[
                    ("code", earlier.tracking_code.as_str().into()),
                    ("status", w.text(Language::Fa, "payment-status-review", &[]).into()),
                    ("customer", format!("User{customer} (@user{customer}) · {customer}").into()),
                ],
            )
        };
        let (first, second, third) = (555_001_401, 555_001_402, 555_001_403);
        for user in [first, second, third] {
            w.join(&a, user, Language::En).await;
        }

        // The first time a picture is seen, nothing is said.
        let original = w
            .pay_by_card_with(&a, first, Language::En, &a.plans[0], |tg| {
                tg.send_same_photo(&a.token, first, "AQADsamepicture", None)
            })
            .await;
        let caption = w.receipt_for(&a, ADMIN_A, &original).await.text.unwrap();
        assert!(!caption.contains("⚠️"), "{backend:?}: {caption}");

        // Another customer sends the same picture: the admin is warned, with the first
        // payment's code and customer.
        let again = w
            .pay_by_card_with(&a, second, Language::En, &a.plans[1], |tg| {
                tg.send_same_photo(&a.token, second, "AQADsamepicture", Some("here"))
            })
            .await;
        let caption = w.receipt_for(&a, ADMIN_A, &again).await.text.unwrap();
        assert!(caption.contains(&warned(&original, first)), "{backend:?}: {caption}");

        // The same reference typed again, in other digits and spacing, is the same receipt.
        let by_text = w
            .pay_by_card_with(&a, first, Language::En, &a.plans[1], |tg| {
                tg.send_text(&a.token, first, "Ref 99887766 Mellat")
            })
            .await;
        let text = w.receipt_for(&a, ADMIN_A, &by_text).await.text.unwrap();
        assert!(!text.contains("⚠️"), "{text}");
        let retyped = w
            .pay_by_card_with(&a, third, Language::En, &a.plans[0], |tg| {
                tg.send_text(&a.token, third, "ref: ۹۹۸۸۷۷۶۶ mellat")
            })
            .await;
        let receipt = w.receipt_for(&a, ADMIN_A, &retyped).await;
        assert!(receipt.text.clone().unwrap().contains(&warned(&by_text, first)), "{:?}", receipt.text);
        // The admin's Details say it too.
        let n = w.count(&a, ADMIN_A);
        w.press(&a, ADMIN_A, &receipt, "adm:info:");
        let details = w.nth(&a, ADMIN_A, n).await.text.unwrap();
        assert!(details.contains(&warned(&by_text, first)), "{details}");

        // Another tenant's customer with the very same picture and text: B's admin hears
        // nothing of A's payments.
        let buyer = 555_001_404;
        w.join(&b, buyer, Language::En).await;
        w.join(&b, buyer + 1, Language::En).await;
        let in_b = w
            .pay_by_card_with(&b, buyer, Language::En, &b.plans[0], |tg| {
                tg.send_same_photo(&b.token, buyer, "AQADsamepicture", None)
            })
            .await;
        let caption = w.receipt_for(&b, ADMIN_B, &in_b).await.text.unwrap();
        assert!(!caption.contains("⚠️"), "{backend:?}: {caption}");
        let typed_in_b = w
            .pay_by_card_with(&b, buyer + 1, Language::En, &b.plans[1], |tg| {
                tg.send_text(&b.token, buyer + 1, "Ref 99887766 Mellat")
            })
            .await;
        let text = w.receipt_for(&b, ADMIN_B, &typed_in_b).await.text.unwrap();
        assert!(!text.contains("⚠️"), "{text}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_plans_with_the_longest_names_and_descriptions_are_listed_page_by_page_and_each_shows_in_full() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", ADMIN_A).await;
        // 50 more plans, each as long as the API lets it be: 52 in all, on 6 pages.
        let description = format!("{}\n{}", "Fast servers in 12 countries. ".repeat(20), "ж".repeat(399));
        assert_eq!(description.chars().count(), 1000);
        let mut last = None;
        for i in 0..50 {
            let spec = PlanSpec {
                name: format!("{i:02} {}", "Ж".repeat(61)),
                description: Some(description.clone()),
                period_days: 3650,
                traffic_gb: 1_000_000,
                device_limit: 1000,
                price: Toman(1_000_000_000_000),
                sort_order: 100 + i,
            };
            assert_eq!(spec.name.chars().count(), 64);
            last = Some(w.store.plans().create(&a.t, spec).await.unwrap());
        }
        let last = last.unwrap();
        let user = 555_001_501;
        w.join(&a, user, Language::En).await;
        let page_line = |page: u32| {
            w.text(Language::En, "plans-page", &[("page", page.into()), ("pages", 6.into()), ("count", 52.into())])
        };

        let list = w.say(&a, user, "🛒 Buy a subscription").await;
        let text = list.text.clone().unwrap();
        assert!(text.contains(&page_line(1)), "{backend:?}: {text}");
        assert!(text.chars().count() <= 4096);
        let data: Vec<_> = list.buttons().into_iter().filter_map(|b| b.callback_data).collect();
        assert_eq!(data.iter().filter(|d| d.starts_with("shop:plan:p:")).count(), 10, "{data:?}");
        assert_eq!(data.last().map(String::as_str), Some("shop:plans:p:1"), "only Next on the first page");

        // Next, page after page, in place of the list.
        let sends = w.tg.calls_of(&a.token, "sendMessage").len();
        let token = a.token.clone();
        let shows = |page: u32| {
            let line = page_line(page);
            let (id, token) = (list.message_id, token.clone());
            move |fake: &FakeTelegram| {
                fake.message(&token, user, id)
                    .and_then(|m| m["text"].as_str().map(|t| t.contains(&line)))
                    .unwrap_or(false)
            }
        };
        for page in 1..6 {
            w.tg.press_button(&a.token, user, list.message_id, &format!("shop:plans:p:{page}")).unwrap();
            assert!(w.tg.wait_until(WAIT, shows(page + 1)).await, "{backend:?}: page {}", page + 1);
        }
        let shown = w.tg.message(&a.token, user, list.message_id).unwrap();
        let text = shown["text"].as_str().unwrap();
        assert!(text.contains(&last.name), "the last plan is on the last page");
        let data: Vec<String> = shown["reply_markup"]["inline_keyboard"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|row| {
                row.as_array().unwrap().iter().filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
            })
            .collect();
        assert_eq!(data.iter().filter(|d| d.starts_with("shop:plan:p:")).count(), 2, "{data:?}");
        assert_eq!(data.last().map(String::as_str), Some("shop:plans:p:4"), "only Previous on the last page");
        w.tg.press_button(&a.token, user, list.message_id, "shop:plans:p:4").unwrap();
        assert!(w.tg.wait_until(WAIT, shows(5)).await, "{backend:?}: back to page 5");
        assert_eq!(w.tg.calls_of(&a.token, "sendMessage").len(), sends, "paging sent nothing new");

        // The longest plan in detail: summary and the whole description, then its checkout.
        w.tg.press_button(&a.token, user, list.message_id, "shop:plans:p:5").unwrap();
        assert!(w.tg.wait_until(WAIT, shows(6)).await);
        let n = w.count(&a, user);
        w.tg.press_button(&a.token, user, list.message_id, &format!("shop:plan:p:{}", last.id)).unwrap();
        let detail = w.nth(&a, user, n).await;
        let text = detail.text.clone().unwrap();
        assert!(text.contains(&last.name) && text.contains(&description), "{backend:?}: {text}");
        let checkout = w.press_then(&a, user, &detail, &format!("shop:buy:p:{}", last.id)).await;
        assert!(checkout.text.unwrap().contains(&last.name));
        w.stop().await;
    }
}
