//! Online payments end to end: tenants' bots running against the fake Telegram server, the
//! fake Zarinpal gateway and the fake Remnawave panel, with the provisioning, notification and
//! reconciliation workers and the real Zarinpal callback route, on SQLite and (when
//! `TEST_DATABASE_URL` is set) PostgreSQL. Customers only press buttons, pay on the fakes and
//! follow the gateway's redirect; the tests read what Telegram, the gateway and the panel saw.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use remnabot_api::callback::{CallbackState, ZARINPAL_CALLBACK_PATH, zarinpal_router};
use remnabot_bot::Fleet;
use remnabot_bot::dialogue::{DialogueState, DialogueStore};
use remnabot_bot::handlers::Shared;
use remnabot_bot::handlers::online::OnlinePayments;
use remnabot_bot::texts::{Arg, Texts};
use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::panel::PanelVersion;
use remnabot_domain::payment::PaymentGateway;
use remnabot_domain::{Page, Tenant, TgUserId, Toman};
use remnabot_jobs::reconcile::{ReconcileConfig, ZarinpalReconciler};
use remnabot_payments::{ZarinpalClient, ZarinpalConfig};
use remnabot_store::cards::{CardSpec, PaymentCard};
use remnabot_store::payments::{PaymentPurpose, ZarinpalStatus};
use remnabot_store::plans::{Plan, PlanSpec};
use remnabot_store::sales::online::StarsStatus;
use remnabot_store::{Backend, Store, testing};
use remnabot_testkit::telegram::{FakeFailure, SentMessage};
use remnabot_testkit::{FakeRemnawave, FakeTelegram, FakeZarinpal};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(15);
const START: Duration = Duration::from_secs(30);

struct World {
    store: Store,
    tg: Arc<FakeTelegram>,
    zp: Arc<FakeZarinpal>,
    gateway: Arc<dyn PaymentGateway>,
    texts: Arc<Texts>,
    fleet: Fleet,
    callback_url: String,
    http: reqwest::Client,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    _panel: FakeRemnawave,
}

struct Shop {
    t: Tenant,
    token: String,
    plan: Plan,
}

async fn world(backend: Backend) -> World {
    let store = testing::store(backend).await;
    let tg = Arc::new(FakeTelegram::start().await);
    let zp = Arc::new(FakeZarinpal::start().await);
    let panel = FakeRemnawave::start(PanelVersion::V3).await;
    let texts = Arc::new(Texts::load().unwrap());
    let mut zconfig = ZarinpalConfig::at(url::Url::parse(&zp.url()).unwrap());
    zconfig.timeout = Duration::from_secs(2);
    let gateway: Arc<dyn PaymentGateway> = Arc::new(ZarinpalClient::new(zconfig, reqwest::Client::new()));

    // The callback route on its own port, as `serve` mounts it under PUBLIC_URL.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback_url = format!("http://{}{ZARINPAL_CALLBACK_PATH}", listener.local_addr().unwrap());
    let state = CallbackState { store: store.clone(), gateway: gateway.clone(), texts: texts.clone() };
    let mut tasks = vec![tokio::spawn(async move {
        axum::serve(listener, zarinpal_router(state)).await.ok();
    })];

    let online = OnlinePayments { gateway: Some(gateway.clone()), callback_url: Some(callback_url.clone()) };
    let shared = Shared { online, ..Shared::with_database_dialogues(store.clone(), texts.clone()) };
    let fleet = common::polling_fleet(shared, &tg);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tasks.push(tokio::spawn(fleet.clone().run(stopped.clone())));
    tasks.push(common::spawn_jobs(&store, &tg, &panel, stopped).await);
    World {
        store,
        tg,
        zp,
        gateway,
        texts,
        fleet,
        callback_url,
        http: reqwest::Client::new(),
        stop,
        tasks,
        _panel: panel,
    }
}

impl World {
    /// A tenant with Zarinpal (merchant `merchant`) and Stars (1,000 Toman a Star) on, one
    /// 150,000 Toman plan of 30 days and 50 GB, running in the fleet.
    async fn shop(&self, name: &str, merchant: &str) -> Shop {
        let want = self.fleet.running_count() + 1;
        let (t, token, _) = common::create_bot(&self.store, &self.tg, name).await;
        let configs = self.store.configs();
        configs.set(&t, "languages", json!(["en"])).await.unwrap();
        configs.set(&t, "admin_ids", json!([700_000_001])).await.unwrap();
        configs.set(&t, "zarinpal_merchant_id", json!(merchant)).await.unwrap();
        configs.set(&t, "stars_rate", json!(1_000)).await.unwrap();
        self.store.flags().set(&t, FeatureKey::Zarinpal, true, None).await.unwrap();
        self.store.flags().set(&t, FeatureKey::TelegramStars, true, None).await.unwrap();
        let spec = PlanSpec {
            name: format!("{name} 30d"),
            description: None,
            period_days: 30,
            traffic_gb: 50,
            device_limit: 2,
            price: Toman(150_000),
            sort_order: 0,
        };
        let plan = self.store.plans().create(&t, spec).await.unwrap();
        let started = Instant::now();
        while self.fleet.running_count() < want {
            assert!(started.elapsed() < START, "the shop's bot did not start within {START:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Shop { t, token, plan }
    }

    async fn stop(self) {
        self.stop.send_replace(true);
        for task in self.tasks {
            task.abort();
            task.await.ok();
        }
    }

    fn count(&self, shop: &Shop, chat: i64) -> usize {
        self.tg.transcript(&shop.token, chat).len()
    }

    /// Waits for a message in the chat from index `n` on that satisfies `check`.
    async fn wait_for(
        &self,
        shop: &Shop,
        chat: i64,
        n: usize,
        what: &str,
        check: impl Fn(&SentMessage) -> bool,
    ) -> SentMessage {
        let found = |all: &[SentMessage]| all.iter().skip(n).find(|m| check(m)).cloned();
        let ok = self.tg.wait_until(WAIT, |fake| found(&fake.transcript(&shop.token, chat)).is_some()).await;
        let all = self.tg.transcript(&shop.token, chat);
        let texts: Vec<_> = all.iter().map(|m| (m.method.clone(), m.text.clone())).collect();
        assert!(ok, "{what} never came in chat {chat}: {texts:#?}");
        found(&all).unwrap()
    }

    /// The customer registers and opens the checkout of the shop's plan; returns it.
    async fn checkout(&self, shop: &Shop, user: i64) -> SentMessage {
        let n = self.count(shop, user);
        self.tg.send_text(&shop.token, user, "/start");
        self.wait_for(shop, user, n, "the welcome", |m| m.text.is_some()).await;
        let n = self.count(shop, user);
        self.tg.press_button_unchecked(&shop.token, user, 999_999, &format!("shop:buy:p:{}", shop.plan.id)).unwrap();
        self.wait_for(shop, user, n, "the checkout", |m| m.text.as_deref().is_some_and(|t| t.contains("150,000"))).await
    }

    fn data(msg: &SentMessage, prefix: &str) -> Option<String> {
        msg.buttons().into_iter().filter_map(|b| b.callback_data).find(|d| d.starts_with(prefix))
    }

    async fn callback(&self, query: &str) -> (u16, String) {
        let res = self.http.get(format!("{}?{query}", self.callback_url)).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// The customer presses Zarinpal at the checkout; returns the authority the gateway gave.
    async fn start_zarinpal(&self, shop: &Shop, user: i64) -> String {
        let checkout = self.checkout(shop, user).await;
        let data = World::data(&checkout, "pay:z:").expect("Zarinpal is offered");
        let n = self.count(shop, user);
        self.tg.press_button(&shop.token, user, checkout.message_id, &data).unwrap();
        let pay = self.wait_for(shop, user, n, "the Pay button", |m| m.buttons().iter().any(|b| b.url.is_some())).await;
        let url = pay.buttons().into_iter().find_map(|b| b.url).unwrap();
        let authority = url.rsplit('/').next().unwrap().to_owned();
        assert!(url.contains("/pg/StartPay/"), "{url}");
        authority
    }

    async fn transactions(&self, shop: &Shop) -> usize {
        self.store.transactions().list(&shop.t, None, Page::default()).await.unwrap().len()
    }

    fn text(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.texts.get(Language::En, id, args)
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

    /// The customer's balance in the shop.
    async fn balance(&self, shop: &Shop, user: i64) -> Toman {
        self.store.users().by_telegram_id(&shop.t, TgUserId(user)).await.unwrap().expect("registered").balance
    }

    /// Waits until the customer's balance is `expected`.
    async fn wait_balance(&self, shop: &Shop, user: i64, expected: Toman) {
        let started = Instant::now();
        while self.balance(shop, user).await != expected {
            assert!(
                started.elapsed() < WAIT,
                "the balance never became {expected:?}: {:?}",
                self.balance(shop, user).await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn zarinpal_rows(&self, shop: &Shop) -> Vec<remnabot_store::payments::ZarinpalPayment> {
        self.store.zarinpal_payments().list(&shop.t, None, Page::default()).await.unwrap()
    }

    /// Gives the shop an active card.
    async fn add_card(&self, shop: &Shop) -> PaymentCard {
        let card = CardSpec {
            number: "6037991234567893".into(),
            holder_name: "Alpha Holder".into(),
            bank_name: Some("Mellat".into()),
            weight: 1,
            daily_count_cap: None,
            daily_amount_cap: None,
        };
        self.store.cards().create(&shop.t, card).await.unwrap()
    }

    /// The customer registers (or comes back) and opens the Balance screen; returns it.
    async fn balance_screen(&self, shop: &Shop, user: i64) -> SentMessage {
        let n = self.count(shop, user);
        self.tg.send_text(&shop.token, user, "/start");
        self.wait_for(shop, user, n, "the welcome", |m| m.text.is_some()).await;
        let n = self.count(shop, user);
        self.tg.send_text(&shop.token, user, &self.text("menu-balance", &[]));
        self.wait_for(shop, user, n, "the balance", |m| m.text.as_deref().is_some_and(|t| t.contains("balance"))).await
    }

    /// The customer presses the button with data starting with `prefix` on `msg`; returns the
    /// bot's next message in the chat.
    async fn press_then(&self, shop: &Shop, user: i64, msg: &SentMessage, prefix: &str) -> SentMessage {
        let data = World::data(msg, prefix).unwrap_or_else(|| panic!("no {prefix}… on {:?}", msg.buttons()));
        let n = self.count(shop, user);
        self.tg.press_button(&shop.token, user, msg.message_id, &data).unwrap();
        self.wait_for(shop, user, n, &format!("the answer to {data}"), |_| true).await
    }

    /// The customer opens the Balance screen, presses Top up and types `amount`; returns the
    /// bot's answer to the amount.
    async fn top_up_typed(&self, shop: &Shop, user: i64, amount: &str) -> SentMessage {
        let screen = self.balance_screen(shop, user).await;
        let prompt = self.press_then(shop, user, &screen, "acct:top").await;
        assert!(World::data(&prompt, "acct:top:").is_some(), "the amount prompt: {prompt:?}");
        let n = self.count(shop, user);
        self.tg.send_text(&shop.token, user, amount);
        self.wait_for(shop, user, n, "the answer to the amount", |_| true).await
    }

    fn all_data(msg: &SentMessage) -> Vec<String> {
        msg.buttons().into_iter().filter_map(|b| b.callback_data).collect()
    }

    /// The authority in the Pay button of `msg`.
    fn authority(msg: &SentMessage) -> String {
        let url = msg.buttons().into_iter().find_map(|b| b.url).unwrap_or_else(|| panic!("no Pay button: {msg:?}"));
        assert!(url.contains("/pg/StartPay/"), "{url}");
        url.rsplit('/').next().unwrap().to_owned()
    }

    async fn state(&self, shop: &Shop, chat: i64) -> DialogueState {
        DialogueStore::Database(self.store.clone()).get(&shop.t, chat).await.unwrap()
    }
}

const MERCHANT_A: &str = "1344b5d4-0048-11e8-94db-005056a205be";
const MERCHANT_B: &str = "2344b5d4-0048-11e8-94db-005056a205be";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_zarinpal_purchase_ends_with_the_link_once_under_fifty_callbacks_and_tampering_changes_nothing() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let b = w.shop("Beta", MERCHANT_B).await;
        let user = 801_000_001;

        let authority = w.start_zarinpal(&a, user).await;
        let at_gateway = w.zp.payment(&authority).unwrap();
        assert_eq!(at_gateway.amount, 1_500_000, "{backend:?}: 150,000 Toman as Rial");
        assert_eq!(at_gateway.callback_url, w.callback_url);

        // The customer pays; the browser comes back 50 times at once, with a forged amount.
        let query = format!("{}&Amount=1000&bot_id={}", w.zp.pay(&authority), b.t.bot_id());
        let mut calls = Vec::new();
        for _ in 0..50 {
            let (http, url) = (w.http.clone(), format!("{}?{query}", w.callback_url));
            calls.push(tokio::spawn(async move {
                let res = http.get(url).send().await.unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            }));
        }
        for call in calls {
            let (status, page) = call.await.unwrap();
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("Payment received"), "{backend:?}: {page}");
        }
        assert_eq!(w.transactions(&a).await, 1, "{backend:?}: completed once");
        assert_eq!(w.transactions(&b).await, 0, "{backend:?}: the other tenant is untouched");
        let paid = w.store.zarinpal_payments().by_authority(&a.t, &authority).await.unwrap().unwrap();
        assert_eq!(paid.amount, Toman(150_000), "the amount in the query changed nothing");

        // The customer is told, and gets the subscription link from the panel.
        w.wait_for(&a, user, 0, "the link", |m| {
            m.text.as_deref().is_some_and(|t| t.contains("https://sub.example.test"))
        })
        .await;
        let paid_text = w.wait_for(&a, user, 0, "the confirmation", |m| {
            m.text.as_deref().is_some_and(|t| t.contains("is confirmed"))
        });
        paid_text.await;

        // A cancelled payment is marked failed; an unknown or malformed authority is not found.
        let second = w.start_zarinpal(&a, user).await;
        let (status, page) = w.callback(&w.zp.cancel(&second)).await;
        assert_eq!(status, 200);
        assert!(page.contains("Payment cancelled"), "{page}");
        let failed = w.store.zarinpal_payments().by_authority(&a.t, &second).await.unwrap().unwrap();
        assert_eq!(failed.status, ZarinpalStatus::Failed);
        let (status, _) = w.callback("Authority=A000000000000000000000000000000099999&Status=OK").await;
        assert_eq!(status, 404);
        let (status, _) = w.callback("Authority=%27%20OR%201=1&Status=OK").await;
        assert_eq!(status, 404);
        assert_eq!(w.transactions(&a).await, 1);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_disabled_provider_is_not_offered_and_its_callbacks_are_refused_for_that_tenant_only() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let b = w.shop("Beta", MERCHANT_B).await;
        let (ua, ub) = (802_000_001, 802_000_002);
        let pending_a = w.start_zarinpal(&a, ua).await;
        let pending_b = w.start_zarinpal(&b, ub).await;

        w.store.flags().set(&a.t, FeatureKey::Zarinpal, false, None).await.unwrap();
        w.store.flags().set(&a.t, FeatureKey::TelegramStars, false, None).await.unwrap();
        let checkout = w.checkout(&a, ua).await;
        assert_eq!(
            World::data(&checkout, "pay:"),
            None,
            "{backend:?}: nothing online offered: {:?}",
            checkout.buttons()
        );
        let checkout = w.checkout(&b, ub).await;
        assert!(World::data(&checkout, "pay:z:").is_some(), "{backend:?}: B still offers Zarinpal");
        assert!(World::data(&checkout, "pay:s:").is_some(), "{backend:?}: B still offers Stars");

        let (status, page) = w.callback(&w.zp.pay(&pending_a)).await;
        assert_eq!(status, 403, "{backend:?}: {page}");
        assert_eq!(w.transactions(&a).await, 0);
        let row = w.store.zarinpal_payments().by_authority(&a.t, &pending_a).await.unwrap().unwrap();
        assert_eq!(row.status, ZarinpalStatus::Pending);
        let (status, page) = w.callback(&w.zp.pay(&pending_b)).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(w.transactions(&b).await, 1, "{backend:?}: B's callback completes");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gateway_outage_tells_the_customer_and_the_reconciliation_job_completes_a_paid_order_once() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let user = 803_000_001;

        // The gateway is down: a clear text, nothing half-written, and a retry works.
        w.zp.set_down(true);
        let checkout = w.checkout(&a, user).await;
        let data = World::data(&checkout, "pay:z:").unwrap();
        let n = w.count(&a, user);
        w.tg.press_button(&a.token, user, checkout.message_id, &data).unwrap();
        let down = w.texts.get(remnabot_domain::config::Language::En, "zarinpal-down", &[]);
        w.wait_for(&a, user, n, "the outage text", |m| m.text.as_deref() == Some(down.as_str())).await;
        let rows = w.store.zarinpal_payments().list(&a.t, None, Page::default()).await.unwrap();
        assert!(rows.iter().all(|p| p.status == ZarinpalStatus::Failed), "{backend:?}: {rows:?}");
        assert_eq!(w.transactions(&a).await, 0);
        w.zp.set_down(false);
        let authority = w.start_zarinpal(&a, user).await;

        // The customer pays and closes the browser; the job and a late callback race.
        w.zp.pay(&authority);
        let reconciler = ZarinpalReconciler::new(
            w.store.clone(),
            w.gateway.clone(),
            w.texts.clone(),
            ReconcileConfig { min_age: chrono::Duration::zero(), ..ReconcileConfig::default() },
        );
        let later = Utc::now() + chrono::Duration::seconds(1);
        let query = format!("Authority={authority}&Status=OK");
        let (report, (status, _)) = tokio::join!(reconciler.run_once(later), w.callback(&query));
        let report = report.unwrap();
        assert_eq!(status, 200);
        assert!(report.completed <= 1, "{report:?}");
        assert_eq!(w.transactions(&a).await, 1, "{backend:?}: completed once");
        let again = reconciler.run_once(later).await.unwrap();
        assert_eq!(again.completed, 0);
        assert_eq!(w.transactions(&a).await, 1);
        w.wait_for(&a, user, 0, "the link", |m| {
            m.text.as_deref().is_some_and(|t| t.contains("https://sub.example.test"))
        })
        .await;
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forged_cancel_cannot_fail_a_paid_zarinpal_order_and_a_payment_marked_failed_still_completes() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let user = 803_200_001;

        // The customer paid; a forged `Status=NOK` arrives before the real redirect.
        let authority = w.start_zarinpal(&a, user).await;
        w.zp.pay(&authority);
        let (status, page) = w.callback(&format!("Authority={authority}&Status=NOK")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Payment received"), "{backend:?}: the gateway was asked: {page}");
        let row = w.store.zarinpal_payments().by_authority(&a.t, &authority).await.unwrap().unwrap();
        assert_eq!(row.status, ZarinpalStatus::Paid, "{backend:?}");
        let (_, page) = w.callback(&format!("Authority={authority}&Status=OK")).await;
        assert!(page.contains("Payment received"), "{page}");
        assert_eq!(w.transactions(&a).await, 1, "{backend:?}: completed once");
        w.wait_for(&a, user, 0, "the link", |m| {
            m.text.as_deref().is_some_and(|t| t.contains("https://sub.example.test"))
        })
        .await;

        // The reconciliation gives up on a payment, which the customer then pays without coming
        // back: the next pass finds it on the gateway's unverified list and completes it.
        let second = w.start_zarinpal(&a, user).await;
        let reconciler = ZarinpalReconciler::new(
            w.store.clone(),
            w.gateway.clone(),
            w.texts.clone(),
            ReconcileConfig {
                min_age: chrono::Duration::zero(),
                give_up_after: chrono::Duration::zero(),
                ..ReconcileConfig::default()
            },
        );
        let later = Utc::now() + chrono::Duration::seconds(1);
        assert_eq!(reconciler.run_once(later).await.unwrap().failed, 1, "{backend:?}");
        let row = w.store.zarinpal_payments().by_authority(&a.t, &second).await.unwrap().unwrap();
        assert_eq!(row.status, ZarinpalStatus::Failed);
        w.zp.pay(&second);
        let report = reconciler.run_once(later).await.unwrap();
        assert_eq!(report.completed, 1, "{backend:?}: {report:?}");
        let row = w.store.zarinpal_payments().by_authority(&a.t, &second).await.unwrap().unwrap();
        assert_eq!(row.status, ZarinpalStatus::Paid, "{backend:?}");
        assert_eq!(w.transactions(&a).await, 2, "{backend:?}");
        assert_eq!(reconciler.run_once(later).await.unwrap().completed, 0, "once");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stars_purchase_ends_with_the_link_and_a_replayed_payment_credits_once() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let user = 804_000_001;
        let checkout = w.checkout(&a, user).await;
        let data = World::data(&checkout, "pay:s:").expect("Stars are offered");
        w.tg.press_button(&a.token, user, checkout.message_id, &data).unwrap();
        assert!(w.tg.wait_until(WAIT, |fake| !fake.invoices(&a.token).is_empty()).await, "no invoice");
        let invoice = w.tg.invoices(&a.token).remove(0);
        assert_eq!(invoice.currency, "XTR");
        assert_eq!(invoice.total_amount, 150, "{backend:?}: 150,000 Toman at 1,000 a Star");

        // A pre-checkout query with another total is refused; the right one is accepted.
        let wrong = w.tg.send_pre_checkout_query(&a.token, user, "XTR", 1, &invoice.payload);
        let right = w.tg.send_pre_checkout_query(&a.token, user, "XTR", 150, &invoice.payload);
        let answered = |id: &str| {
            let id = id.to_owned();
            let tg = w.tg.clone();
            let token = a.token.clone();
            async move {
                assert!(
                    tg.wait_until(WAIT, |f| f
                        .pre_checkout_answers(&token)
                        .iter()
                        .any(|x| x.pre_checkout_query_id == id))
                        .await
                );
                tg.pre_checkout_answers(&token).into_iter().find(|x| x.pre_checkout_query_id == id).unwrap()
            }
        };
        assert!(!answered(&wrong).await.ok, "{backend:?}: another total is refused");
        assert!(answered(&right).await.ok, "{backend:?}: the order is accepted");

        let paid = w.tg.send_successful_payment(&a.token, user, "XTR", 150, &invoice.payload);
        w.wait_for(&a, user, 0, "the link", |m| {
            m.text.as_deref().is_some_and(|t| t.contains("https://sub.example.test"))
        })
        .await;
        // The same successful_payment again (Telegram redelivering): credited once.
        w.tg.push_update(
            &a.token,
            json!({"message": {
                "message_id": 900_001, "date": Utc::now().timestamp(),
                "chat": {"id": user, "type": "private", "first_name": "Sara"},
                "from": {"id": user, "is_bot": false, "first_name": "Sara"},
                "successful_payment": {"currency": "XTR", "total_amount": 150, "invoice_payload": invoice.payload,
                    "telegram_payment_charge_id": paid.telegram_payment_charge_id, "provider_payment_charge_id": ""}
            }}),
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(w.transactions(&a).await, 1, "{backend:?}: a replayed successful_payment credits once");

        // The tenant's admin refunds it: Telegram is asked once, the order is reversed once.
        let admin = 700_000_001;
        w.tg.send_text(&a.token, admin, "/start");
        w.wait_for(&a, admin, 0, "the admin's welcome", |m| m.text.is_some()).await;
        let n = w.count(&a, admin);
        w.tg.send_text(&a.token, admin, &format!("/refund_stars {}", paid.telegram_payment_charge_id));
        w.wait_for(&a, admin, n, "the refund confirmation", |m| {
            m.text.as_deref().is_some_and(|t| t.contains("Refunded"))
        })
        .await;
        assert_eq!(w.tg.refunds(&a.token).len(), 1);
        let n = w.count(&a, admin);
        w.tg.send_text(&a.token, admin, &format!("/refund_stars {}", paid.telegram_payment_charge_id));
        w.wait_for(&a, admin, n, "already refunded", |m| m.text.as_deref().is_some_and(|t| t.contains("already")))
            .await;
        assert_eq!(w.tg.refunds(&a.token).len(), 1, "{backend:?}: refunded once");
        assert_eq!(w.transactions(&a).await, 2, "the purchase and its refund");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stars_invoice_paid_twice_is_credited_and_refundable_and_a_refused_refund_leaves_a_record() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let user = 804_100_001;
        let checkout = w.checkout(&a, user).await;
        let data = World::data(&checkout, "pay:s:").expect("Stars are offered");
        w.tg.press_button(&a.token, user, checkout.message_id, &data).unwrap();
        assert!(w.tg.wait_until(WAIT, |fake| !fake.invoices(&a.token).is_empty()).await, "no invoice");
        let invoice = w.tg.invoices(&a.token).remove(0);

        // Two pre-checkouts are accepted before either payment arrives; both are charged.
        let checks = [
            w.tg.send_pre_checkout_query(&a.token, user, "XTR", 150, &invoice.payload),
            w.tg.send_pre_checkout_query(&a.token, user, "XTR", 150, &invoice.payload),
        ];
        let both = w.tg.wait_until(WAIT, |f| f.pre_checkout_answers(&a.token).len() == 2).await;
        assert!(both, "{backend:?}: the pre-checkouts were answered");
        let answers = w.tg.pre_checkout_answers(&a.token);
        assert!(checks.iter().all(|id| answers.iter().any(|x| &x.pre_checkout_query_id == id && x.ok)), "{answers:?}");
        w.tg.send_successful_payment(&a.token, user, "XTR", 150, &invoice.payload);
        w.wait_for(&a, user, 0, "the link", |m| {
            m.text.as_deref().is_some_and(|t| t.contains("https://sub.example.test"))
        })
        .await;
        let second = w.tg.send_successful_payment(&a.token, user, "XTR", 150, &invoice.payload);

        // The second charge is recorded and credited to the balance; the customer is told.
        w.wait_balance(&a, user, Toman(150_000)).await;
        let told = w.text(
            "stars-paid-twice",
            &[("stars", 150.into()), ("amount", Toman(150_000).into()), ("balance", Toman(150_000).into())],
        );
        w.wait_for(&a, user, 0, "the paid-twice message", |m| m.text.as_deref() == Some(told.as_str())).await;
        let charge = second.telegram_payment_charge_id;
        let row = w.store.sales().stars_by_charge(&a.t, &charge).await.unwrap().expect("the second charge is recorded");
        assert_eq!(row.purpose, PaymentPurpose::TopUp, "{backend:?}");

        // An admin refunds it; Telegram refuses the first time (injected): nothing changes,
        // the admin is told why, and the payment records the reason.
        let admin = 700_000_001;
        w.tg.send_text(&a.token, admin, "/start");
        w.wait_for(&a, admin, 0, "the admin's welcome", |m| m.text.is_some()).await;
        let refusal = "Bad Request: CHARGE_NOT_FOUND";
        w.tg.fail_next(
            &a.token,
            "refundStarPayment",
            1,
            FakeFailure::Api { code: 400, description: refusal.to_owned() },
        );
        let n = w.count(&a, admin);
        w.tg.send_text(&a.token, admin, &format!("/refund_stars {charge}"));
        let said = w.wait_for(&a, admin, n, "the refusal", |m| m.text.is_some()).await.text.unwrap();
        assert!(said.contains("CHARGE_NOT_FOUND"), "{backend:?}: {said}");
        let row = w.store.sales().stars_by_charge(&a.t, &charge).await.unwrap().unwrap();
        assert_eq!(row.status, StarsStatus::Paid, "{backend:?}");
        assert!(row.refund_error.as_deref().is_some_and(|e| e.contains("CHARGE_NOT_FOUND")), "{row:?}");
        assert_eq!(w.balance(&a, user).await, Toman(150_000), "{backend:?}: the reservation was undone");
        assert!(w.tg.refunds(&a.token).is_empty());

        // Again: refunded at Telegram, the credit taken back, the order itself untouched.
        let n = w.count(&a, admin);
        w.tg.send_text(&a.token, admin, &format!("/refund_stars {charge}"));
        w.wait_for(&a, admin, n, "the refund confirmation", |m| {
            m.text.as_deref().is_some_and(|t| t.contains("Refunded"))
        })
        .await;
        assert_eq!(w.tg.refunds(&a.token).len(), 1, "{backend:?}");
        assert_eq!(w.tg.refunds(&a.token)[0].telegram_payment_charge_id, charge);
        assert_eq!(w.balance(&a, user).await, Toman::ZERO);
        let original = w.store.sales().stars_by_payload(&a.t, &invoice.payload).await.unwrap().unwrap();
        assert_eq!(original.status, StarsStatus::Paid, "{backend:?}");
        w.stop().await;
    }
}

// -----------------------------------------------------------------------------------------
// Topping up the balance online
// -----------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_zarinpal_top_up_raises_the_balance_once_however_often_the_gateway_calls_back() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let b = w.shop("Beta", MERCHANT_B).await;
        let user = 805_000_001;

        // Without a card, the choice is Zarinpal or Stars.
        let choice = w.top_up_typed(&a, user, "75,000").await;
        let amount = Toman(75_000);
        assert_eq!(choice.text, Some(w.text("acct-topup-choose-method", &[("amount", amount.into())])), "{backend:?}");
        assert_eq!(World::all_data(&choice), vec!["pay:z:t:75000", "pay:s:t:75000"], "{backend:?}");
        assert_eq!(w.state(&a, user).await, DialogueState::Idle, "the amount was answered");

        let pay = w.press_then(&a, user, &choice, "pay:z:t:").await;
        assert_eq!(pay.text, Some(w.text("zarinpal-started", &[("amount", amount.into())])));
        let authority = World::authority(&pay);
        assert_eq!(w.zp.payment(&authority).unwrap().amount, 750_000, "{backend:?}: 75,000 Toman as Rial");
        let row = w.store.zarinpal_payments().by_authority(&a.t, &authority).await.unwrap().unwrap();
        assert_eq!((row.purpose, row.amount, row.plan_id), (PaymentPurpose::TopUp, amount, None));
        assert_eq!(w.balance(&a, user).await, Toman::ZERO, "nothing before the payment");

        // The customer pays and the browser comes back; then once more.
        let query = w.zp.pay(&authority);
        for _ in 0..2 {
            let (status, page) = w.callback(&query).await;
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("Payment received"), "{backend:?}: {page}");
        }
        assert_eq!(w.balance(&a, user).await, amount, "{backend:?}: credited once");
        let paid = w.store.zarinpal_payments().by_authority(&a.t, &authority).await.unwrap().unwrap();
        assert_eq!(paid.status, ZarinpalStatus::Paid);
        let customer = w.store.users().by_telegram_id(&a.t, TgUserId(user)).await.unwrap().unwrap();
        let history = w.store.balances().history(&a.t, customer.id, Page::default()).await.unwrap();
        assert_eq!(history.len(), 1, "{backend:?}: one ledger entry: {history:?}");
        assert_eq!((history[0].kind.as_str(), history[0].amount), ("deposit", amount));
        assert_eq!(w.transactions(&a).await, 1);
        assert_eq!(w.transactions(&b).await, 0, "the other tenant is untouched");

        // The customer is told, with the new balance.
        let confirmation = w.text(
            "online-paid-top-up",
            &[("method", w.text("pay-zarinpal", &[]).into()), ("amount", amount.into()), ("balance", amount.into())],
        );
        w.wait_for(&a, user, 0, "the confirmation", |m| m.text.as_deref() == Some(confirmation.as_str())).await;
        // A third callback, after everything settled, changes nothing either.
        w.callback(&query).await;
        assert_eq!(w.balance(&a, user).await, amount);
        assert_eq!(w.transactions(&a).await, 1);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stars_top_up_raises_the_balance_once_even_when_the_payment_is_replayed() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let user = 806_000_001;

        // A preset amount, then Stars.
        let screen = w.balance_screen(&a, user).await;
        let prompt = w.press_then(&a, user, &screen, "acct:top").await;
        let choice = w.press_then(&a, user, &prompt, "acct:top:50000").await;
        assert_eq!(World::all_data(&choice), vec!["pay:z:t:50000", "pay:s:t:50000"], "{backend:?}");
        let data = World::data(&choice, "pay:s:t:").unwrap();
        w.tg.press_button(&a.token, user, choice.message_id, &data).unwrap();
        assert!(w.tg.wait_until(WAIT, |fake| !fake.invoices(&a.token).is_empty()).await, "no invoice");
        let invoice = w.tg.invoices(&a.token).remove(0);
        assert_eq!(invoice.currency, "XTR");
        assert_eq!(invoice.total_amount, 50, "{backend:?}: 50,000 Toman at 1,000 a Star");
        assert_eq!(invoice.title, w.text("stars-invoice-title-top-up", &[]));

        let checked = w.tg.send_pre_checkout_query(&a.token, user, "XTR", 50, &invoice.payload);
        assert!(
            w.tg.wait_until(WAIT, |f| f
                .pre_checkout_answers(&a.token)
                .iter()
                .any(|x| x.pre_checkout_query_id == checked))
                .await
        );
        let answer = w.tg.pre_checkout_answers(&a.token).into_iter().find(|x| x.pre_checkout_query_id == checked);
        assert!(answer.unwrap().ok, "{backend:?}: the top-up order is accepted");
        assert_eq!(w.balance(&a, user).await, Toman::ZERO, "nothing before the payment");

        let paid = w.tg.send_successful_payment(&a.token, user, "XTR", 50, &invoice.payload);
        w.wait_balance(&a, user, Toman(50_000)).await;
        let confirmation = w.text(
            "online-paid-top-up",
            &[
                ("method", w.text("pay-stars", &[]).into()),
                ("amount", Toman(50_000).into()),
                ("balance", Toman(50_000).into()),
            ],
        );
        w.wait_for(&a, user, 0, "the confirmation", |m| m.text.as_deref() == Some(confirmation.as_str())).await;

        // Telegram delivers the same successful_payment twice more.
        for id in [900_101, 900_102] {
            w.tg.push_update(
                &a.token,
                json!({"message": {
                    "message_id": id, "date": Utc::now().timestamp(),
                    "chat": {"id": user, "type": "private", "first_name": "Sara"},
                    "from": {"id": user, "is_bot": false, "first_name": "Sara"},
                    "successful_payment": {"currency": "XTR", "total_amount": 50, "invoice_payload": invoice.payload,
                        "telegram_payment_charge_id": paid.telegram_payment_charge_id, "provider_payment_charge_id": ""}
                }}),
            );
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(w.balance(&a, user).await, Toman(50_000), "{backend:?}: a replay credits nothing");
        assert_eq!(w.transactions(&a).await, 1);
        let customer = w.store.users().by_telegram_id(&a.t, TgUserId(user)).await.unwrap().unwrap();
        assert_eq!(w.store.balances().history(&a.t, customer.id, Page::default()).await.unwrap().len(), 1);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_top_up_offers_the_usable_methods_and_card_to_card_still_shows_the_card() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let user = 807_000_001;
        let card = w.add_card(&a).await;

        // Every method: card-to-card first; choosing it shows the card, as before.
        let choice = w.top_up_typed(&a, user, "60000").await;
        assert_eq!(World::all_data(&choice), vec!["acct:topc:60000", "pay:z:t:60000", "pay:s:t:60000"], "{backend:?}");
        let shown = w.press_then(&a, user, &choice, "acct:topc:").await.text.unwrap();
        assert!(shown.contains("60,000 Toman") && shown.contains("6037 9912 3456 7893"), "{backend:?}: {shown}");
        let orders = w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap();
        assert_eq!(orders.len(), 1);
        assert_eq!((orders[0].purpose, orders[0].amount), (PaymentPurpose::TopUp, Toman(60_000)));
        assert!(shown.contains(&orders[0].tracking_code), "{shown}");
        assert!(matches!(w.state(&a, user).await, DialogueState::AwaitingReceipt { .. }));
        assert!(w.zarinpal_rows(&a).await.is_empty());

        // Only Zarinpal usable (Stars off, the card deactivated): the amount goes straight to
        // the Pay button.
        w.store.flags().set(&a.t, FeatureKey::TelegramStars, false, None).await.unwrap();
        w.store.cards().set_active(&a.t, card.id, false).await.unwrap();
        let pay = w.top_up_typed(&a, user, "80000").await;
        let authority = World::authority(&pay);
        assert_eq!(w.zp.payment(&authority).unwrap().amount, 800_000, "{backend:?}");
        assert_eq!(w.zarinpal_rows(&a).await.len(), 1);

        // Nothing usable, though card-to-card is still on: Top up is shown, and pressing it
        // only says so.
        w.store.flags().set(&a.t, FeatureKey::Zarinpal, false, None).await.unwrap();
        let screen = w.balance_screen(&a, user).await;
        assert_eq!(World::all_data(&screen), vec!["acct:hist", "acct:top"], "{backend:?}");
        let n = w.count(&a, user);
        let q = w.tg.press_button(&a.token, user, screen.message_id, "acct:top").unwrap();
        assert_eq!(w.answer(&a, &q).await, Some(w.text("acct-topup-no-method", &[])), "{backend:?}");
        // The old choice's buttons do nothing either.
        let q = w.tg.press_button(&a.token, user, choice.message_id, "pay:z:t:60000").unwrap();
        w.answer(&a, &q).await;
        let said = w.wait_for(&a, user, n, "the refusal", |m| m.text.is_some()).await;
        assert_eq!(said.text, Some(w.text("method-unavailable", &[])), "{backend:?}");
        assert_eq!(w.zarinpal_rows(&a).await.len(), 1, "{backend:?}: no new Zarinpal order");
        // Its card-to-card button shows the order still waiting for its receipt, as the
        // card flow always did; no second order.
        let again = w.press_then(&a, user, &choice, "acct:topc:60000").await.text.unwrap();
        assert!(again.contains(&orders[0].tracking_code), "{backend:?}: {again}");
        assert_eq!(w.store.card_payments().list(&a.t, None, Page::default()).await.unwrap().len(), 1);
        assert!(w.tg.invoices(&a.token).is_empty());

        // With every top-up method switched off, the button is gone.
        w.store.flags().set(&a.t, FeatureKey::CardToCard, false, None).await.unwrap();
        let screen = w.balance_screen(&a, user).await;
        assert_eq!(World::all_data(&screen), vec!["acct:hist"], "{backend:?}");
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forged_or_out_of_limit_online_top_ups_are_refused_and_record_nothing() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let user = 808_000_001;
        w.balance_screen(&a, user).await;

        let stale = Some(w.text("button-stale", &[]));
        let long = format!("pay:z:t:{}", "9".repeat(60));
        for data in [
            "pay:z:t:999",
            "pay:z:t:100000001",
            "pay:s:t:100000001",
            "pay:s:t:0",
            "pay:z:t:-5000",
            "pay:z:t:+5000",
            "pay:z:t:5e4",
            "pay:z:t:50,000",
            "pay:z:t:",
            "pay:z:t:50000:1",
            "pay:x:t:50000",
            "pay:z:t:9223372036854775807",
            long.as_str(),
        ] {
            let q = w.tg.press_button_unchecked(&a.token, user, 999_999, data).unwrap();
            assert_eq!(w.answer(&a, &q).await, stale, "{backend:?}: {data}");
        }
        assert!(w.zarinpal_rows(&a).await.is_empty(), "{backend:?}: no payment row");
        assert!(w.zp.payments().is_empty(), "{backend:?}: the gateway was never asked");
        assert!(w.tg.invoices(&a.token).is_empty(), "{backend:?}: no invoice");
        assert_eq!(w.balance(&a, user).await, Toman::ZERO);

        // The smallest allowed amount is a real order: the refusals above were about the data.
        let n = w.count(&a, user);
        w.tg.press_button_unchecked(&a.token, user, 999_999, "pay:z:t:1000").unwrap();
        let pay = w.wait_for(&a, user, n, "the Pay button", |m| m.buttons().iter().any(|b| b.url.is_some())).await;
        let authority = World::authority(&pay);
        assert_eq!(w.zp.payment(&authority).unwrap().amount, 10_000, "{backend:?}");
        assert_eq!(w.zarinpal_rows(&a).await.len(), 1);
        w.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rejected_merchant_account_sends_customers_elsewhere_and_alerts_the_admins_once() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a = w.shop("Alpha", MERCHANT_A).await;
        let b = w.shop("Beta", MERCHANT_B).await;
        w.zp.reject_merchant(MERCHANT_A);
        let unavailable = w.text("zarinpal-unavailable", &[]);
        for user in [803_100_001, 803_100_002] {
            let checkout = w.checkout(&a, user).await;
            let data = World::data(&checkout, "pay:z:").unwrap();
            let n = w.count(&a, user);
            w.tg.press_button(&a.token, user, checkout.message_id, &data).unwrap();
            w.wait_for(&a, user, n, "the unavailable text", |m| m.text.as_deref() == Some(unavailable.as_str())).await;
        }
        // The admins are told, with Zarinpal's reason, once for both refusals.
        let admin = 700_000_001;
        let is_alert = |m: &SentMessage| m.text.as_deref().is_some_and(|t| t.contains("merchant account"));
        let alert = w.wait_for(&a, admin, 0, "the admins' alert", is_alert).await;
        assert!(alert.text.as_deref().is_some_and(|t| t.contains("code -10")), "{alert:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(w.tg.transcript(&a.token, admin).iter().filter(|m| is_alert(m)).count(), 1);
        assert_eq!(w.transactions(&a).await, 0);
        // Only that tenant's account is refused.
        w.start_zarinpal(&b, 803_100_003).await;
        assert!(w.tg.transcript(&b.token, admin).iter().all(|m| !is_alert(m)));
        w.stop().await;
    }
}
