//! The test harness: a store on the chosen backend, the API router served on a random port of
//! 127.0.0.1, and a client that speaks JSON.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use remnabot_api::{ApiConfig, ApiState, FleetStatus};
use remnabot_domain::config::Language;
use remnabot_domain::{Tenant, TgUserId, Toman};
use remnabot_store::payments::{NewCardPayment, PaymentPurpose};
use remnabot_store::subscriptions::NewSubscription;
use remnabot_store::tickets::NewMessage;
use remnabot_store::transactions::{NewTransaction, TransactionKind};
use remnabot_store::users::NewUser;
use remnabot_store::{Backend, Store, testing};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

pub const OPERATOR: &str = "operator-token-for-tests-0123456789abcdef";

/// A running API.
pub struct Api {
    pub base: String,
    pub store: Store,
    pub client: reqwest::Client,
}

/// An answer: status and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

pub async fn spawn(backend: Backend) -> Api {
    spawn_with(testing::store(backend).await, |_| {}).await
}

pub async fn spawn_with(store: Store, tweak: impl FnOnce(&mut ApiConfig)) -> Api {
    let mut config = ApiConfig::new(Some(SecretString::from(OPERATOR)), Arc::new(PlainTexts), Arc::new(PlainTexts));
    tweak(&mut config);
    let state = ApiState::new(store.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = remnabot_api::router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    Api { base: format!("http://{addr}"), store, client }
}

/// Customer messages of the sales service, in plain English.
#[derive(Debug)]
pub struct PlainTexts;

impl remnabot_store::sales::SaleTexts for PlainTexts {
    fn card_approved(&self, _: Language, p: &remnabot_store::payments::CardPayment, _: Option<Toman>) -> String {
        format!("Payment {} approved", p.tracking_code)
    }
    fn card_rejected(&self, _: Language, p: &remnabot_store::payments::CardPayment) -> String {
        format!("Payment {} rejected", p.tracking_code)
    }
    fn card_expired(&self, _: Language, p: &remnabot_store::payments::CardPayment) -> String {
        format!("Payment {} expired", p.tracking_code)
    }
}

impl remnabot_store::tickets::TicketTexts for PlainTexts {
    fn ticket_answered(&self, _: Language, ticket: remnabot_domain::TicketId, quoted: &str) -> String {
        format!("Support answered ticket #{}:\n{quoted}", ticket.0)
    }
}

impl remnabot_store::sales::online::OnlineTexts for PlainTexts {
    fn online_paid(&self, _: Language, _: remnabot_store::sales::PayMethod, amount: Toman, _: Option<Toman>) -> String {
        format!("Paid {}", amount.0)
    }
    fn stars_refunded(&self, _: Language, stars: i64) -> String {
        format!("Refunded {stars} Stars")
    }
}

/// A fleet stand-in for the metrics.
#[derive(Debug)]
pub struct StubFleet;

impl FleetStatus for StubFleet {
    fn updates_received(&self) -> u64 {
        7
    }
    fn health(&self) -> Vec<(remnabot_domain::BotId, remnabot_api::BotState)> {
        vec![(remnabot_domain::BotId(1), remnabot_api::BotState::Running)]
    }
}

pub fn stub_fleet() -> Arc<dyn FleetStatus> {
    Arc::new(StubFleet)
}

impl Api {
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("X-API-Token", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, body, text }
    }

    pub async fn op(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call(method, path, Some(OPERATOR), body).await
    }

    /// Creates a tenant through the API; returns its bot id and API token.
    pub async fn create_tenant(&self, name: &str) -> (i64, String) {
        let token = testing::telegram_token();
        let a =
            self.op("POST", "/api/v1/bots", Some(json!({"name": name, "telegram_token": token.expose_secret()}))).await;
        assert_eq!(a.status, 201, "{}", a.text);
        (a.body["bot"]["id"].as_i64().unwrap(), a.body["api_token"].as_str().unwrap().to_owned())
    }

    pub async fn tenant(&self, bot_id: i64) -> Tenant {
        Tenant::of(&self.store.platform().get(remnabot_domain::BotId(bot_id)).await.unwrap())
    }
}

/// Rows of every kind for one tenant, made through the store as the bot would.
#[derive(Debug, Clone, Copy)]
pub struct Seeded {
    pub user: i64,
    pub plan: i64,
    pub card: i64,
    pub subscription: i64,
    pub transaction: i64,
    pub payment: i64,
    pub payment2: i64,
    pub ticket: i64,
    pub promo: i64,
    /// A pending Telegram Stars payment for the plan.
    pub stars: i64,
    pub promo_group: i64,
}

pub async fn seed(api: &Api, bot_id: i64, tg: i64) -> Seeded {
    let t = api.tenant(bot_id).await;
    let s = &api.store;
    let (user, _) = s
        .users()
        .register(
            &t,
            NewUser {
                telegram_id: TgUserId(tg),
                username: Some(format!("user{tg}")),
                first_name: Some("Sara".to_owned()),
                language: Language::En,
                referred_by: None,
            },
        )
        .await
        .unwrap();
    let plan = s
        .plans()
        .create(
            &t,
            remnabot_store::plans::PlanSpec {
                name: "Monthly".to_owned(),
                description: None,
                period_days: 30,
                traffic_gb: 50,
                device_limit: 2,
                price: Toman(100_000),
                sort_order: 0,
            },
        )
        .await
        .unwrap();
    let card = s
        .cards()
        .create(
            &t,
            remnabot_store::cards::CardSpec {
                number: "6037991234567893".to_owned(),
                holder_name: "Ali".to_owned(),
                bank_name: None,
                weight: 1,
                daily_count_cap: None,
                daily_amount_cap: None,
            },
        )
        .await
        .unwrap();
    s.configs().set(&t, "welcome_text", json!(format!("Welcome, {tg}"))).await.unwrap();
    let now = Utc::now();
    let sub = s
        .subscriptions()
        .create(
            &t,
            NewSubscription {
                user: user.id,
                plan: Some(plan.id),
                is_trial: false,
                starts_at: now,
                expires_at: now + chrono::Duration::days(30),
                traffic_limit_bytes: 0,
                device_limit: 1,
            },
        )
        .await
        .unwrap();
    let tx = s
        .transactions()
        .create(
            &t,
            NewTransaction {
                user: user.id,
                kind: TransactionKind::Purchase,
                amount: Toman(100_000),
                payment_method: Some("card_to_card".to_owned()),
                description: None,
                external_id: None,
                completed: true,
                plan: None,
            },
        )
        .await
        .unwrap();
    let pay = |purpose| NewCardPayment {
        user: user.id,
        card: card.id,
        amount: Toman(100_000),
        purpose,
        plan: Some(plan.id),
        expires_at: now + chrono::Duration::hours(1),
    };
    let payment = s.card_payments().create(&t, pay(PaymentPurpose::Purchase)).await.unwrap();
    let payment2 = s.card_payments().create(&t, pay(PaymentPurpose::Purchase)).await.unwrap();
    let (ticket, _) = s
        .tickets()
        .open(
            &t,
            user.id,
            "Cannot connect",
            NewMessage {
                from_admin: false,
                sender_telegram_id: TgUserId(tg),
                text: Some("Help".to_owned()),
                media_file_id: None,
            },
        )
        .await
        .unwrap();
    let promo = s
        .promo_codes()
        .create(
            &t,
            remnabot_store::promos::PromoCodeSpec {
                code: format!("PROMO{tg}"),
                kind: remnabot_store::promos::PromoKind::Discount,
                value: 10,
                max_uses: 0,
                valid_from: None,
                valid_until: None,
            },
        )
        .await
        .unwrap();
    s.flags().set(&t, remnabot_domain::FeatureKey::TelegramStars, true, None).await.unwrap();
    s.configs().set(&t, "stars_rate", json!(1000)).await.unwrap();
    let stars =
        s.sales().start_stars_payment(&t, user.id, PaymentPurpose::Purchase, Some(plan.id), None, now).await.unwrap();
    let group = s
        .promo_groups()
        .create(&t, remnabot_store::promos::PromoGroupSpec { name: format!("Group {tg}"), discount_percent: 10 })
        .await
        .unwrap();
    Seeded {
        promo_group: group.id.0,
        user: user.id.0,
        plan: plan.id.0,
        card: card.id.0,
        subscription: sub.id.0,
        transaction: tx.id.0,
        payment: payment.id.0,
        payment2: payment2.id.0,
        ticket: ticket.id.0,
        promo: promo.id.0,
        stars: stars.id.0,
    }
}

/// One call of every operation of the API, with a valid body, against bot `b` and the
/// resources in `r`. `{bot_id}`-free routes come first.
pub fn every_operation(b: i64, r: &Seeded) -> Vec<(&'static str, String, Option<Value>)> {
    let tg = testing::telegram_token();
    let p = format!("/api/v1/bots/{b}");
    let plan = json!({"name": "Weekly", "period_days": 7, "traffic_gb": 10, "device_limit": 1, "price": 30000});
    let card = json!({"number": "6219861034529007", "holder_name": "Reza"});
    vec![
        ("GET", p.clone(), None),
        ("PATCH", p.clone(), Some(json!({"name": "Renamed"}))),
        ("DELETE", p.clone(), None),
        ("POST", format!("{p}/activate"), None),
        ("POST", format!("{p}/deactivate"), None),
        ("POST", format!("{p}/api-token"), None),
        ("PUT", format!("{p}/telegram-token"), Some(json!({"telegram_token": tg.expose_secret()}))),
        ("GET", format!("{p}/features"), None),
        ("GET", format!("{p}/features/trial"), None),
        ("PUT", format!("{p}/features/trial"), Some(json!({"enabled": false}))),
        ("DELETE", format!("{p}/features/trial"), None),
        ("GET", format!("{p}/config"), None),
        ("GET", format!("{p}/config/welcome_text"), None),
        ("PUT", format!("{p}/config/welcome_text"), Some(json!({"value": "Hi"}))),
        ("DELETE", format!("{p}/config/welcome_text"), None),
        ("GET", format!("{p}/plans"), None),
        ("POST", format!("{p}/plans"), Some(plan.clone())),
        ("GET", format!("{p}/plans/{}", r.plan), None),
        (
            "PUT",
            format!("{p}/plans/{}", r.plan),
            Some(json!({"name": "Monthly 2", "period_days": 31, "traffic_gb": 0, "device_limit": 1, "price": 90000})),
        ),
        ("DELETE", format!("{p}/plans/{}", r.plan), None),
        ("POST", format!("{p}/plans/{}/activate", r.plan), None),
        ("POST", format!("{p}/plans/{}/deactivate", r.plan), None),
        ("POST", format!("{p}/plans/{}/move", r.plan), Some(json!({"direction": "up"}))),
        ("GET", format!("{p}/payment-cards"), None),
        ("POST", format!("{p}/payment-cards"), Some(card.clone())),
        ("GET", format!("{p}/payment-cards/{}", r.card), None),
        (
            "PUT",
            format!("{p}/payment-cards/{}", r.card),
            Some(json!({"number": "5022291012345672", "holder_name": "Ali"})),
        ),
        ("DELETE", format!("{p}/payment-cards/{}", r.card), None),
        ("POST", format!("{p}/payment-cards/{}/activate", r.card), None),
        ("POST", format!("{p}/payment-cards/{}/deactivate", r.card), None),
        ("GET", format!("{p}/payment-cards/{}/stats", r.card), None),
        ("GET", format!("{p}/users"), None),
        ("GET", format!("{p}/users/{}", r.user), None),
        ("POST", format!("{p}/users/{}/block", r.user), None),
        ("POST", format!("{p}/users/{}/unblock", r.user), None),
        ("POST", format!("{p}/users/{}/balance", r.user), Some(json!({"amount": 5000, "idempotency_key": "k1"}))),
        ("GET", format!("{p}/users/{}/ledger", r.user), None),
        ("PUT", format!("{p}/users/{}/promo-group", r.user), Some(json!({"promo_group_id": r.promo_group}))),
        ("POST", format!("{p}/users/{}/message", r.user), Some(json!({"text": "Hello from support"}))),
        ("GET", format!("{p}/subscriptions"), None),
        ("POST", format!("{p}/subscriptions"), Some(json!({"user_id": r.user, "plan_id": r.plan}))),
        ("GET", format!("{p}/subscriptions/{}", r.subscription), None),
        ("PATCH", format!("{p}/subscriptions/{}", r.subscription), Some(json!({"device_limit": 3}))),
        ("POST", format!("{p}/subscriptions/{}/extend", r.subscription), Some(json!({"days": 5}))),
        ("POST", format!("{p}/subscriptions/{}/reset-traffic", r.subscription), Some(json!({}))),
        ("GET", format!("{p}/transactions"), None),
        ("GET", format!("{p}/transactions/{}", r.transaction), None),
        ("GET", format!("{p}/card-payments"), None),
        ("GET", format!("{p}/card-payments/{}", r.payment), None),
        ("POST", format!("{p}/card-payments/{}/approve", r.payment), None),
        ("POST", format!("{p}/card-payments/{}/reject", r.payment2), Some(json!({"reason": "no transfer"}))),
        ("GET", format!("{p}/stars-payments"), None),
        ("GET", format!("{p}/stars-payments/{}", r.stars), None),
        ("GET", format!("{p}/tickets"), None),
        ("GET", format!("{p}/tickets/{}", r.ticket), None),
        ("GET", format!("{p}/tickets/{}/messages", r.ticket), None),
        ("POST", format!("{p}/tickets/{}/reply", r.ticket), Some(json!({"text": "Try the second server"}))),
        ("POST", format!("{p}/tickets/{}/close", r.ticket), None),
        ("GET", format!("{p}/promocodes"), None),
        ("POST", format!("{p}/promocodes"), Some(json!({"code": "NEW10", "kind": "discount", "value": 10}))),
        ("GET", format!("{p}/promocodes/{}", r.promo), None),
        ("DELETE", format!("{p}/promocodes/{}", r.promo), None),
        ("POST", format!("{p}/promocodes/{}/activate", r.promo), None),
        ("POST", format!("{p}/promocodes/{}/deactivate", r.promo), None),
        ("GET", format!("{p}/promo-groups"), None),
        ("POST", format!("{p}/promo-groups"), Some(json!({"name": "VIP", "discount_percent": 20}))),
        ("GET", format!("{p}/promo-groups/{}", r.promo_group), None),
        (
            "PUT",
            format!("{p}/promo-groups/{}", r.promo_group),
            Some(json!({"name": "Friends", "discount_percent": 15})),
        ),
        ("DELETE", format!("{p}/promo-groups/{}", r.promo_group), None),
        ("GET", format!("{p}/wallet"), None),
        ("GET", format!("{p}/wallet/ledger"), None),
        ("POST", format!("{p}/wallet/credit"), Some(json!({"amount": 1000, "idempotency_key": "w1"}))),
        ("GET", format!("{p}/stats"), None),
        ("GET", format!("{p}/dashboard"), None),
        ("GET", format!("{p}/audit-log"), None),
    ]
}

/// Turns a concrete path back into the spec's template (numbers and known keys become
/// parameters), to check the table above against the OpenAPI document.
pub fn template(path: &str) -> String {
    let names = [
        ("bots", "{bot_id}"),
        ("plans", "{plan_id}"),
        ("payment-cards", "{card_id}"),
        ("users", "{user_id}"),
        ("subscriptions", "{subscription_id}"),
        ("transactions", "{transaction_id}"),
        ("card-payments", "{payment_id}"),
        ("stars-payments", "{payment_id}"),
        ("tickets", "{ticket_id}"),
        ("promocodes", "{promocode_id}"),
        ("promo-groups", "{promo_group_id}"),
        ("features", "{key}"),
        ("config", "{key}"),
    ];
    let segs: Vec<&str> = path.split('/').collect();
    let mut out = Vec::new();
    for (i, seg) in segs.iter().enumerate() {
        let prev = if i > 0 { segs[i - 1] } else { "" };
        match names.iter().find(|(n, _)| *n == prev) {
            Some((_, param)) if !seg.is_empty() => out.push((*param).to_owned()),
            _ => out.push((*seg).to_owned()),
        }
    }
    out.join("/")
}
