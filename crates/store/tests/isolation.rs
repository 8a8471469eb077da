#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The tenant isolation conformance suite. For every tenant-owned table, tenant A writes a row;
//! then tenant B tries to read it by id, find it in a list, change it and delete it. Every
//! attempt must answer `NotFound` (or an empty result), and A must find its row unchanged.
//! References across tenants are refused too. The last tests check that the suite covers every
//! table of `TENANT_TABLES` and that the schema gives each of them a NOT NULL `bot_id`.
//!
//! Runs on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set.

use std::collections::BTreeSet;
use std::fmt::Debug;

use chrono::{Duration, Utc};
use remnabot_domain::card::RotationStrategy;
use remnabot_domain::config::Language;
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::{
    Bot, CardId, Error, Page, PaymentId, PlanId, PromoCodeId, PromoGroupId, SubscriptionId, Tenant, TgUserId, TicketId,
    Toman, TransactionId, UserId,
};
use remnabot_store::cards::CardSpec;
use remnabot_store::entity::TENANT_TABLES;
use remnabot_store::ledger::Posting;
use remnabot_store::outbox::{NewNotification, Order, PanelLink};
use remnabot_store::payments::{
    NewCardPayment, NewReviewMessage, NewZarinpalPayment, PaymentPurpose, PaymentStatus, Receipt, ReceiptKind,
    ZarinpalStatus,
};
use remnabot_store::plans::PlanSpec;
use remnabot_store::promos::{PromoCodeSpec, PromoGroupSpec, PromoKind};
use remnabot_store::subscriptions::{NewSubscription, SubscriptionStatus};
use remnabot_store::tickets::NewMessage;
use remnabot_store::transactions::{NewTransaction, TransactionKind};
use remnabot_store::users::{NewUser, User};
use remnabot_store::{Backend, Store, testing};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

/// The tables this suite exercises, each with the test that covers it.
const COVERED: [(&str, &str); 23] = [
    ("bot_feature_flags", "feature_flags_of_one_tenant_are_invisible_to_another"),
    ("bot_configurations", "configuration_of_one_tenant_is_invisible_to_another"),
    ("tenant_payment_cards", "payment_cards_of_one_tenant_are_invisible_to_another"),
    ("bot_plans", "plans_of_one_tenant_are_invisible_to_another"),
    ("promo_groups", "promo_groups_of_one_tenant_are_invisible_to_another"),
    ("users", "users_of_one_tenant_are_invisible_to_another"),
    ("subscriptions", "subscriptions_of_one_tenant_are_invisible_to_another"),
    ("transactions", "transactions_of_one_tenant_are_invisible_to_another"),
    ("tickets", "tickets_and_their_messages_of_one_tenant_are_invisible_to_another"),
    ("ticket_messages", "tickets_and_their_messages_of_one_tenant_are_invisible_to_another"),
    ("promocodes", "promo_codes_and_their_uses_of_one_tenant_are_invisible_to_another"),
    ("promocode_uses", "promo_codes_and_their_uses_of_one_tenant_are_invisible_to_another"),
    ("referral_earnings", "referral_earnings_of_one_tenant_are_invisible_to_another"),
    ("card_to_card_payments", "card_to_card_payments_of_one_tenant_are_invisible_to_another"),
    ("review_messages", "review_messages_of_one_tenant_are_invisible_to_another"),
    ("zarinpal_payments", "zarinpal_payments_of_one_tenant_are_invisible_to_another"),
    ("stars_payments", "stars_payments_of_one_tenant_are_invisible_to_another"),
    ("tenant_wallet_transactions", "the_wallet_of_one_tenant_is_untouched_by_another"),
    ("user_balance_transactions", "customer_balances_of_one_tenant_are_untouched_by_another"),
    ("provisioning_outbox", "provisioning_entries_of_one_tenant_are_invisible_to_another"),
    ("notification_outbox", "notifications_of_one_tenant_are_invisible_to_another"),
    ("dialogues", "dialogues_of_one_tenant_are_invisible_to_another"),
    ("audit_log", "the_audit_log_of_one_tenant_is_invisible_to_another"),
];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A store with two tenants, A (who owns the data) and B (who tries to reach it).
struct World {
    backend: Backend,
    store: Store,
    a_bot: Bot,
    a: Tenant,
    b_bot: Bot,
    b: Tenant,
}

async fn world(backend: Backend) -> World {
    let store = testing::store(backend).await;
    let (a_bot, a) = testing::tenant(&store, "Tenant A").await;
    let (b_bot, b) = testing::tenant(&store, "Tenant B").await;
    World { backend, store, a_bot, a, b_bot, b }
}

impl World {
    /// How many rows of `table` tenant `bot` has, counted directly in the database.
    async fn rows(&self, table: &str, bot: &Bot) -> i64 {
        let db = self.store.raw_connection();
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE bot_id = {}", bot.id.0);
        let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }

    /// A has `a_rows` rows in `table` and B has none.
    async fn assert_rows(&self, table: &str, a_rows: i64, b_rows: i64) {
        assert_eq!(self.rows(table, &self.a_bot).await, a_rows, "{:?}: rows of A in {table}", self.backend);
        assert_eq!(self.rows(table, &self.b_bot).await, b_rows, "{:?}: rows of B in {table}", self.backend);
    }
}

#[track_caller]
fn not_found<T: Debug>(what: &str, res: Result<T, Error>) {
    assert!(matches!(res, Err(Error::NotFound { .. })), "{what}: expected NotFound, got {res:?}");
}

async fn customer(store: &Store, t: &Tenant, telegram_id: i64) -> User {
    let new = NewUser {
        telegram_id: TgUserId(telegram_id),
        username: Some(format!("user{telegram_id}")),
        first_name: Some("Sara".to_owned()),
        language: Language::Fa,
        referred_by: None,
    };
    store.users().register(t, new).await.unwrap().0
}

fn plan_spec(name: &str) -> PlanSpec {
    PlanSpec {
        name: name.to_owned(),
        description: None,
        period_days: 30,
        traffic_gb: 10,
        device_limit: 1,
        price: Toman(100_000),
        sort_order: 0,
    }
}

/// A Luhn-valid 16-digit card number derived from `seed`.
fn card_number(seed: u64) -> String {
    let payload = format!("610433{:09}", seed % 1_000_000_000);
    let mut sum = 0;
    for (i, c) in payload.chars().rev().enumerate() {
        let mut d = c.to_digit(10).unwrap();
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    format!("{payload}{}", (10 - sum % 10) % 10)
}

fn card_spec(seed: u64) -> CardSpec {
    CardSpec {
        number: card_number(seed),
        holder_name: "Owner".to_owned(),
        bank_name: None,
        weight: 1,
        daily_count_cap: None,
        daily_amount_cap: None,
    }
}

fn subscription_spec(user: UserId, plan: Option<PlanId>) -> NewSubscription {
    let now = Utc::now();
    NewSubscription {
        user,
        plan,
        is_trial: false,
        starts_at: now,
        expires_at: now + Duration::days(30),
        traffic_limit_bytes: 10 << 30,
        device_limit: 1,
    }
}

/// Customer messages about answers to tickets.
struct AnswerTexts;

impl remnabot_store::tickets::TicketTexts for AnswerTexts {
    fn ticket_answered(&self, _: Language, _: TicketId, quoted: &str) -> String {
        format!("answered: {quoted}")
    }
}

fn message(text: &str) -> NewMessage {
    NewMessage { from_admin: false, sender_telegram_id: TgUserId(1), text: Some(text.to_owned()), media_file_id: None }
}

fn deposit(user: UserId, amount: i64) -> NewTransaction {
    NewTransaction {
        user,
        kind: TransactionKind::Deposit,
        amount: Toman(amount),
        payment_method: Some("card_to_card".to_owned()),
        description: None,
        external_id: None,
        completed: false,
        plan: None,
    }
}

fn promo_spec(code: &str) -> PromoCodeSpec {
    PromoCodeSpec {
        code: code.to_owned(),
        kind: PromoKind::Balance,
        value: 5_000,
        max_uses: 0,
        valid_from: None,
        valid_until: None,
    }
}

fn card_payment(user: UserId, card: CardId, plan: Option<PlanId>) -> NewCardPayment {
    NewCardPayment {
        user,
        card,
        amount: Toman(100_000),
        purpose: if plan.is_some() { PaymentPurpose::Purchase } else { PaymentPurpose::TopUp },
        plan,
        expires_at: Utc::now() + Duration::hours(1),
    }
}

fn text_receipt() -> Receipt {
    Receipt { kind: ReceiptKind::Text, file_id: None, file_unique_id: None, text: Some("ref 12345".to_owned()) }
}

fn zarinpal_payment(user: UserId, authority: &str, plan: Option<PlanId>) -> NewZarinpalPayment {
    NewZarinpalPayment {
        user,
        amount: Toman(100_000),
        authority: authority.to_owned(),
        purpose: if plan.is_some() { PaymentPurpose::Purchase } else { PaymentPurpose::TopUp },
        plan,
        description: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Per-table isolation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn feature_flags_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let flags = w.store.flags();
        let a_flag =
            flags.set(&w.a, FeatureKey::Zarinpal, true, Some(json!({"merchant_id": "A-secret"}))).await.unwrap();
        flags.set(&w.a, FeatureKey::CardToCard, false, None).await.unwrap();

        // B reads the defaults, not A's settings.
        let b_flag = flags.get(&w.b, FeatureKey::Zarinpal).await.unwrap();
        assert!(!b_flag.enabled && !b_flag.explicit, "{backend:?}: {b_flag:?}");
        assert_eq!(b_flag.config, json!({}));
        assert!(flags.is_enabled(&w.b, FeatureKey::CardToCard).await.unwrap());
        assert!(flags.list(&w.b).await.unwrap().iter().all(|f| !f.explicit));

        // B cannot delete A's setting; B's own set and delete leave A alone.
        not_found("B deletes A's flag", flags.delete(&w.b, FeatureKey::Zarinpal).await);
        flags.set(&w.b, FeatureKey::Zarinpal, false, Some(json!({"merchant_id": "B"}))).await.unwrap();
        flags.set(&w.b, FeatureKey::CardToCard, true, None).await.unwrap();
        assert_eq!(flags.get(&w.a, FeatureKey::Zarinpal).await.unwrap(), a_flag);
        assert!(!flags.is_enabled(&w.a, FeatureKey::CardToCard).await.unwrap());
        flags.delete(&w.b, FeatureKey::Zarinpal).await.unwrap();
        assert_eq!(flags.get(&w.a, FeatureKey::Zarinpal).await.unwrap(), a_flag);
        w.assert_rows("bot_feature_flags", 2, 1).await;
    }
}

#[tokio::test]
async fn configuration_of_one_tenant_is_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let c = w.store.configs();
        c.set(&w.a, "welcome_text", json!("Welcome to A")).await.unwrap();
        c.set(&w.a, "card_rotation_strategy", json!("time_based")).await.unwrap();

        assert_eq!(c.get(&w.b, "welcome_text").await.unwrap(), None, "{backend:?}");
        assert!(c.list(&w.b).await.unwrap().is_empty());
        assert_eq!(c.welcome_text(&w.b).await.unwrap(), None);
        assert_eq!(c.card_rotation_strategy(&w.b).await.unwrap(), RotationStrategy::RoundRobin);
        not_found("B deletes A's key", c.delete(&w.b, "welcome_text").await);

        c.set(&w.b, "welcome_text", json!("Welcome to B")).await.unwrap();
        assert_eq!(c.get(&w.a, "welcome_text").await.unwrap(), Some(json!("Welcome to A")));
        c.delete(&w.b, "welcome_text").await.unwrap();
        assert_eq!(c.get(&w.a, "welcome_text").await.unwrap(), Some(json!("Welcome to A")));
        assert_eq!(c.card_rotation_strategy(&w.a).await.unwrap(), RotationStrategy::TimeBased);
        w.assert_rows("bot_configurations", 2, 0).await;
    }
}

#[tokio::test]
async fn payment_cards_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let cards = w.store.cards();
        let a_card = cards.create(&w.a, card_spec(1)).await.unwrap();
        let id = a_card.id;
        let now = Utc::now();

        not_found("get", cards.get(&w.b, id).await);
        assert!(cards.list(&w.b, false, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        not_found("update", cards.update(&w.b, id, card_spec(2)).await);
        not_found("set_active", cards.set_active(&w.b, id, false).await);
        not_found("record_usage", cards.record_usage(&w.b, id, true, Toman(10), now).await);
        not_found("delete", cards.delete(&w.b, id).await);
        // Rotation for B never offers A's card.
        for strategy in RotationStrategy::ALL {
            let res = cards.next_card(&w.b, strategy, Toman(10), now).await;
            assert!(matches!(res, Err(Error::NoActiveCard { .. })), "{strategy}: {res:?}");
        }
        not_found("a nonexistent id", cards.get(&w.a, CardId(id.0 + 1000)).await);

        assert_eq!(cards.get(&w.a, id).await.unwrap(), a_card, "{backend:?}: A's card is unchanged");
        w.assert_rows("tenant_payment_cards", 1, 0).await;
    }
}

#[tokio::test]
async fn plans_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let plans = w.store.plans();
        let a_plan = plans.create(&w.a, plan_spec("Gold")).await.unwrap();
        let id = a_plan.id;

        not_found("get", plans.get(&w.b, id).await);
        assert!(plans.list(&w.b, false, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        not_found("update", plans.update(&w.b, id, plan_spec("Stolen")).await);
        not_found("set_active", plans.set_active(&w.b, id, false).await);
        not_found("delete", plans.delete(&w.b, id).await);
        // B may use the same name: names are unique per tenant.
        plans.create(&w.b, plan_spec("Gold")).await.unwrap();

        assert_eq!(plans.get(&w.a, id).await.unwrap(), a_plan, "A's plan is unchanged");
        w.assert_rows("bot_plans", 1, 1).await;
    }
}

#[tokio::test]
async fn promo_groups_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let groups = w.store.promo_groups();
        let a_group =
            groups.create(&w.a, PromoGroupSpec { name: "VIP".to_owned(), discount_percent: 20 }).await.unwrap();
        let id = a_group.id;

        not_found("get", groups.get(&w.b, id).await);
        assert!(groups.list(&w.b, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        let spec = PromoGroupSpec { name: "Hijacked".to_owned(), discount_percent: 100 };
        not_found("update", groups.update(&w.b, id, spec).await);
        not_found("delete", groups.delete(&w.b, id).await);

        // B cannot put its customer in A's group.
        let b_user = customer(&w.store, &w.b, 500).await;
        not_found("B's user into A's group", w.store.users().set_promo_group(&w.b, b_user.id, Some(id)).await);
        assert_eq!(w.store.users().get(&w.b, b_user.id).await.unwrap().promo_group, None);
        not_found("a nonexistent group", groups.get(&w.a, PromoGroupId(id.0 + 1000)).await);

        assert_eq!(groups.get(&w.a, id).await.unwrap(), a_group, "A's group is unchanged");
        w.assert_rows("promo_groups", 1, 0).await;
    }
}

#[tokio::test]
async fn users_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let users = w.store.users();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let a_referred = users
            .register(
                &w.a,
                NewUser {
                    telegram_id: TgUserId(1002),
                    username: None,
                    first_name: None,
                    language: Language::En,
                    referred_by: Some(a_user.id),
                },
            )
            .await
            .unwrap()
            .0;
        let id = a_user.id;

        not_found("get", users.get(&w.b, id).await);
        assert_eq!(users.by_telegram_id(&w.b, TgUserId(1001)).await.unwrap(), None, "{backend:?}");
        assert_eq!(users.by_referral_code(&w.b, &a_user.referral_code).await.unwrap(), None);
        assert!(users.list(&w.b, None, Page::default()).await.unwrap().is_empty());
        assert!(users.list(&w.b, Some("user1001"), Page::default()).await.unwrap().is_empty());
        assert!(users.list(&w.b, Some("1001"), Page::default()).await.unwrap().is_empty());
        assert_eq!(users.count(&w.b).await.unwrap(), 0);
        assert!(users.referrals(&w.b, id, Page::default()).await.unwrap().is_empty());
        not_found("set_language", users.set_language(&w.b, id, Language::Ru).await);
        not_found("set_blocked", users.set_blocked(&w.b, id, true).await);
        not_found("set_promo_group", users.set_promo_group(&w.b, id, None).await);
        not_found("mark_trial_used", users.mark_trial_used(&w.b, id).await);

        // B cannot register a customer referred by A's customer.
        let referred_across = NewUser {
            telegram_id: TgUserId(2001),
            username: None,
            first_name: None,
            language: Language::Fa,
            referred_by: Some(id),
        };
        not_found("referred by A's user", users.register(&w.b, referred_across).await);

        // The same Telegram person registering with B becomes a separate customer of B.
        let (b_same, created) = users
            .register(
                &w.b,
                NewUser {
                    telegram_id: TgUserId(1001),
                    username: None,
                    first_name: None,
                    language: Language::Ru,
                    referred_by: None,
                },
            )
            .await
            .unwrap();
        assert!(created, "{backend:?}");
        assert_ne!(b_same.id, id);
        assert_eq!(b_same.language, Language::Ru);

        assert_eq!(users.get(&w.a, id).await.unwrap(), a_user, "A's user is unchanged");
        assert_eq!(users.get(&w.a, a_referred.id).await.unwrap(), a_referred);
        assert_eq!(users.referrals(&w.a, id, Page::default()).await.unwrap(), vec![a_referred.clone()]);
        assert!(!users.get(&w.a, id).await.unwrap().trial_used);
        w.assert_rows("users", 2, 1).await;
    }
}

#[tokio::test]
async fn subscriptions_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let subs = w.store.subscriptions();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let a_plan = w.store.plans().create(&w.a, plan_spec("Gold")).await.unwrap();
        let a_sub = subs.create(&w.a, subscription_spec(a_user.id, Some(a_plan.id))).await.unwrap();
        let id = a_sub.id;
        let now = Utc::now();

        not_found("get", subs.get(&w.b, id).await);
        assert!(subs.list(&w.b, None, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        assert!(subs.list(&w.b, Some(SubscriptionStatus::Active), Page::default()).await.unwrap().is_empty());
        assert!(subs.list_for_user(&w.b, a_user.id, Page::default()).await.unwrap().is_empty());
        assert_eq!(subs.current_for_user(&w.b, a_user.id).await.unwrap(), None);
        assert!(subs.expiring_before(&w.b, now + Duration::days(365), Page::default()).await.unwrap().is_empty());
        not_found("extend", subs.extend(&w.b, id, 30, now).await);
        not_found("set_status", subs.set_status(&w.b, id, SubscriptionStatus::Disabled).await);
        not_found("set_panel", subs.set_panel(&w.b, id, Some("uuid".to_owned()), Some("https://x".to_owned())).await);
        not_found("record_usage", subs.record_usage(&w.b, id, 1 << 40).await);
        not_found("delete", subs.delete(&w.b, id).await);

        // References across tenants are refused: A's user, or A's plan for B's user.
        not_found("B subscribes A's user", subs.create(&w.b, subscription_spec(a_user.id, None)).await);
        let b_user = customer(&w.store, &w.b, 2001).await;
        let res = subs.create(&w.b, subscription_spec(b_user.id, Some(a_plan.id))).await;
        assert!(matches!(res, Err(Error::NotFound { entity: "plan" })), "{backend:?}: {res:?}");
        not_found("a nonexistent id", subs.get(&w.a, SubscriptionId(id.0 + 1000)).await);

        assert_eq!(subs.get(&w.a, id).await.unwrap(), a_sub, "A's subscription is unchanged");
        w.assert_rows("subscriptions", 1, 0).await;
    }
}

#[tokio::test]
async fn transactions_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let txs = w.store.transactions();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let a_tx = txs.create(&w.a, deposit(a_user.id, 50_000)).await.unwrap();
        let done = txs.create(&w.a, NewTransaction { completed: true, ..deposit(a_user.id, 7_000) }).await.unwrap();
        let id = a_tx.id;

        not_found("get", txs.get(&w.b, id).await);
        assert!(txs.list(&w.b, None, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        assert!(txs.list(&w.b, Some(a_user.id), Page::default()).await.unwrap().is_empty());
        not_found("complete", txs.complete(&w.b, id).await);
        assert_eq!(txs.total_completed(&w.b, TransactionKind::Deposit).await.unwrap(), Toman::ZERO);
        not_found("B records for A's user", txs.create(&w.b, deposit(a_user.id, 1)).await);
        not_found("a nonexistent id", txs.get(&w.a, TransactionId(done.id.0 + 1000)).await);

        let still = txs.get(&w.a, id).await.unwrap();
        assert_eq!(still, a_tx, "A's transaction is unchanged");
        assert!(!still.is_completed);
        assert_eq!(txs.total_completed(&w.a, TransactionKind::Deposit).await.unwrap(), Toman(7_000));
        w.assert_rows("transactions", 2, 0).await;
    }
}

#[tokio::test]
async fn tickets_and_their_messages_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let tickets = w.store.tickets();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let (a_ticket, first) = tickets.open(&w.a, a_user.id, "VPN is slow", message("help")).await.unwrap();
        let id = a_ticket.id;

        not_found("get", tickets.get(&w.b, id).await);
        assert!(tickets.list(&w.b, None, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        assert!(tickets.list_for_user(&w.b, a_user.id, Page::default()).await.unwrap().is_empty());
        not_found("messages", tickets.messages(&w.b, id, Page::default()).await);
        not_found("add_message", tickets.add_message(&w.b, id, message("injected")).await);
        not_found("close", tickets.close(&w.b, id).await);
        not_found("reply_as_admin", tickets.reply_as_admin(&w.b, id, "injected", &AnswerTexts, Utc::now()).await);
        not_found("delete", tickets.delete(&w.b, id).await);
        not_found("B opens for A's user", tickets.open(&w.b, a_user.id, "x", message("x")).await);
        not_found("a nonexistent id", tickets.get(&w.a, TicketId(id.0 + 1000)).await);

        assert_eq!(tickets.get(&w.a, id).await.unwrap(), a_ticket, "A's ticket is unchanged");
        assert_eq!(
            tickets.messages(&w.a, id, Page::default()).await.unwrap(),
            vec![first],
            "A's messages are unchanged"
        );
        w.assert_rows("tickets", 1, 0).await;
        w.assert_rows("ticket_messages", 1, 0).await;
        w.assert_rows("notification_outbox", 0, 0).await;
    }
}

#[tokio::test]
async fn promo_codes_and_their_uses_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let codes = w.store.promo_codes();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let b_user = customer(&w.store, &w.b, 2001).await;
        let created = codes.create(&w.a, promo_spec("NOWRUZ")).await.unwrap();
        let a_code = codes.redeem(&w.a, "nowruz", a_user.id, Utc::now()).await.unwrap();
        assert_eq!(a_code.uses_count, 1, "{backend:?}");
        let id = created.id;

        not_found("get", codes.get(&w.b, id).await);
        assert_eq!(codes.by_code(&w.b, "NOWRUZ").await.unwrap(), None);
        assert!(codes.list(&w.b, Page::default()).await.unwrap().is_empty());
        not_found("set_active", codes.set_active(&w.b, id, false).await);
        not_found("delete", codes.delete(&w.b, id).await);
        // B's customer cannot redeem A's code; B cannot redeem for A's customer.
        not_found("B redeems A's code", codes.redeem(&w.b, "NOWRUZ", b_user.id, Utc::now()).await);
        assert!(!codes.used_by(&w.b, id, a_user.id).await.unwrap(), "B cannot see A's uses");
        let b_code = codes.create(&w.b, promo_spec("NOWRUZ")).await.unwrap();
        not_found("B redeems for A's user", codes.redeem(&w.b, "NOWRUZ", a_user.id, Utc::now()).await);
        assert_eq!(codes.get(&w.b, b_code.id).await.unwrap().uses_count, 0);
        not_found("a nonexistent id", codes.get(&w.a, PromoCodeId(b_code.id.0 + 1000)).await);

        assert_eq!(codes.get(&w.a, id).await.unwrap(), a_code, "A's code is unchanged");
        assert!(codes.used_by(&w.a, id, a_user.id).await.unwrap());
        w.assert_rows("promocodes", 1, 1).await;
        w.assert_rows("promocode_uses", 1, 0).await;
    }
}

#[tokio::test]
async fn referral_earnings_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let earnings = w.store.referral_earnings();
        let referrer = customer(&w.store, &w.a, 1001).await;
        let referred = customer(&w.store, &w.a, 1002).await;
        let source = w.store.transactions().create(&w.a, deposit(referred.id, 100_000)).await.unwrap();
        assert!(earnings.record(&w.a, referrer.id, referred.id, Toman(5_000), Some(source.id)).await.unwrap());
        let a_list = earnings.list_for_referrer(&w.a, referrer.id, Page::default()).await.unwrap();

        assert!(
            earnings.list_for_referrer(&w.b, referrer.id, Page::default()).await.unwrap().is_empty(),
            "{backend:?}"
        );
        assert_eq!(earnings.total_for_referrer(&w.b, referrer.id).await.unwrap(), Toman::ZERO);
        // B cannot record earnings between A's customers, nor against A's transaction.
        not_found("B records A's users", earnings.record(&w.b, referrer.id, referred.id, Toman(1), None).await);
        let b1 = customer(&w.store, &w.b, 2001).await;
        let b2 = customer(&w.store, &w.b, 2002).await;
        let res = earnings.record(&w.b, b1.id, b2.id, Toman(1), Some(source.id)).await;
        assert!(matches!(res, Err(Error::NotFound { .. })), "{backend:?}: A's transaction as source: {res:?}");

        assert_eq!(earnings.list_for_referrer(&w.a, referrer.id, Page::default()).await.unwrap(), a_list);
        assert_eq!(earnings.total_for_referrer(&w.a, referrer.id).await.unwrap(), Toman(5_000));
        w.assert_rows("referral_earnings", 1, 0).await;
    }
}

#[tokio::test]
async fn card_to_card_payments_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let pays = w.store.card_payments();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let a_card = w.store.cards().create(&w.a, card_spec(1)).await.unwrap();
        let a_plan = w.store.plans().create(&w.a, plan_spec("Gold")).await.unwrap();
        let a_tx = w.store.transactions().create(&w.a, deposit(a_user.id, 100_000)).await.unwrap();
        let a_pay = pays.create(&w.a, card_payment(a_user.id, a_card.id, Some(a_plan.id))).await.unwrap();
        let id = a_pay.id;
        let now = Utc::now();

        not_found("get", pays.get(&w.b, id).await);
        assert_eq!(pays.by_tracking_code(&w.b, &a_pay.tracking_code).await.unwrap(), None, "{backend:?}");
        assert!(pays.list(&w.b, None, Page::default()).await.unwrap().is_empty());
        assert!(pays.list(&w.b, Some(PaymentStatus::Pending), Page::default()).await.unwrap().is_empty());
        not_found("attach_receipt", pays.attach_receipt(&w.b, id, text_receipt()).await);
        not_found("approve", pays.approve(&w.b, id, TgUserId(9), None, now).await);
        not_found("reject", pays.reject(&w.b, id, TgUserId(9), Some("no".to_owned()), now).await);
        assert!(pays.expire_due(&w.b, now + Duration::days(365)).await.unwrap().is_empty(), "B expires nothing of A's");

        // References across tenants are refused: A's user, A's card, A's plan, A's transaction.
        let b_user = customer(&w.store, &w.b, 2001).await;
        let b_card = w.store.cards().create(&w.b, card_spec(2)).await.unwrap();
        not_found("A's user", pays.create(&w.b, card_payment(a_user.id, b_card.id, None)).await);
        not_found("A's card", pays.create(&w.b, card_payment(b_user.id, a_card.id, None)).await);
        not_found("A's plan", pays.create(&w.b, card_payment(b_user.id, b_card.id, Some(a_plan.id))).await);
        let b_pay = pays.create(&w.b, card_payment(b_user.id, b_card.id, None)).await.unwrap();
        not_found("A's transaction", pays.approve(&w.b, b_pay.id, TgUserId(9), Some(a_tx.id), now).await);
        assert_eq!(pays.get(&w.b, b_pay.id).await.unwrap().status, PaymentStatus::Pending);
        not_found("a nonexistent id", pays.get(&w.a, PaymentId(b_pay.id.0 + 1000)).await);

        let still = pays.get(&w.a, id).await.unwrap();
        assert_eq!(still, a_pay, "{backend:?}: A's payment is unchanged");
        assert_eq!(still.status, PaymentStatus::Pending);
        assert_eq!(still.receipt, None);

        // The same receipt in both tenants: neither is told of the other's.
        let a_paid = pays.attach_receipt(&w.a, id, text_receipt()).await.unwrap();
        let b_paid = pays.attach_receipt(&w.b, b_pay.id, text_receipt()).await.unwrap();
        assert_eq!(pays.same_receipt(&w.a, &a_paid).await.unwrap(), None, "{backend:?}");
        assert_eq!(pays.same_receipt(&w.b, &b_paid).await.unwrap(), None, "{backend:?}");
        not_found("same_receipt of A's payment", pays.same_receipt(&w.b, &a_paid).await);
        w.assert_rows("card_to_card_payments", 1, 1).await;
    }
}

#[tokio::test]
async fn review_messages_of_one_tenant_are_invisible_to_another() {
    struct Plain;
    impl remnabot_store::sales::SaleTexts for Plain {
        fn card_approved(&self, _: Language, _: &remnabot_store::payments::CardPayment, _: Option<Toman>) -> String {
            "approved".to_owned()
        }
        fn card_rejected(&self, _: Language, _: &remnabot_store::payments::CardPayment) -> String {
            "rejected".to_owned()
        }
        fn card_expired(&self, _: Language, _: &remnabot_store::payments::CardPayment) -> String {
            "expired".to_owned()
        }
    }
    for backend in testing::backends() {
        let w = world(backend).await;
        let pays = w.store.card_payments();
        let now = Utc::now();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let a_card = w.store.cards().create(&w.a, card_spec(1)).await.unwrap();
        let a_pay = pays.create(&w.a, card_payment(a_user.id, a_card.id, None)).await.unwrap();
        // The same chat and message id in both tenants: each bot numbers its own messages.
        let copy = NewReviewMessage {
            chat_id: 42,
            message_id: 7,
            has_caption: false,
            language: Language::En,
            text: "receipt".to_owned(),
        };
        let a_copy = pays.record_review_message(&w.a, a_pay.id, copy.clone(), &Plain, now).await.unwrap();

        not_found("record on A's payment", pays.record_review_message(&w.b, a_pay.id, copy.clone(), &Plain, now).await);
        assert!(pays.review_messages(&w.b, a_pay.id).await.unwrap().is_empty(), "{backend:?}");
        assert_eq!(pays.review_message(&w.b, 42, 7).await.unwrap(), None);
        let b_user = customer(&w.store, &w.b, 2001).await;
        let b_card = w.store.cards().create(&w.b, card_spec(2)).await.unwrap();
        let b_pay = pays.create(&w.b, card_payment(b_user.id, b_card.id, None)).await.unwrap();
        let b_copy = pays.record_review_message(&w.b, b_pay.id, copy, &Plain, now).await.unwrap();
        assert_eq!(b_copy.payment_id, b_pay.id);
        // B deciding its own payment edits only B's copy.
        w.store
            .sales()
            .reject_card_payment(&w.b, b_pay.id, remnabot_store::sales::Reviewer::Api, None, &Plain, now)
            .await
            .unwrap();
        let a_edits = w.store.notifications().list(&w.a, None, Page::default()).await.unwrap();
        assert!(a_edits.is_empty(), "{backend:?}: {a_edits:?}");

        assert_eq!(pays.review_messages(&w.a, a_pay.id).await.unwrap(), vec![a_copy.clone()]);
        assert_eq!(pays.review_message(&w.a, 42, 7).await.unwrap(), Some(a_copy));
        w.assert_rows("review_messages", 1, 1).await;
    }
}

#[tokio::test]
async fn zarinpal_payments_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let pays = w.store.zarinpal_payments();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let a_plan = w.store.plans().create(&w.a, plan_spec("Gold")).await.unwrap();
        let a_tx = w.store.transactions().create(&w.a, deposit(a_user.id, 100_000)).await.unwrap();
        let a_pay = pays.create(&w.a, zarinpal_payment(a_user.id, "A0000000001", Some(a_plan.id))).await.unwrap();
        let id = a_pay.id;

        not_found("get", pays.get(&w.b, id).await);
        assert_eq!(pays.by_authority(&w.b, "A0000000001").await.unwrap(), None, "{backend:?}");
        assert!(pays.list(&w.b, None, Page::default()).await.unwrap().is_empty());
        assert!(pays.list(&w.b, Some(ZarinpalStatus::Pending), Page::default()).await.unwrap().is_empty());
        not_found("mark_paid", pays.mark_paid(&w.b, id, 123, Some("6037****1234".to_owned()), Utc::now()).await);
        not_found("mark_failed", pays.mark_failed(&w.b, id).await);
        not_found("link_transaction", pays.link_transaction(&w.b, id, a_tx.id).await);

        // References across tenants are refused; the same authority is fine for another tenant.
        let b_user = customer(&w.store, &w.b, 2001).await;
        not_found("A's user", pays.create(&w.b, zarinpal_payment(a_user.id, "B1", None)).await);
        not_found("A's plan", pays.create(&w.b, zarinpal_payment(b_user.id, "B2", Some(a_plan.id))).await);
        let b_pay = pays.create(&w.b, zarinpal_payment(b_user.id, "A0000000001", None)).await.unwrap();
        not_found("A's transaction", pays.link_transaction(&w.b, b_pay.id, a_tx.id).await);
        assert!(pays.mark_paid(&w.b, b_pay.id, 77, None, Utc::now()).await.unwrap());
        not_found("a nonexistent id", pays.get(&w.a, PaymentId(b_pay.id.0 + 1000)).await);

        let still = pays.get(&w.a, id).await.unwrap();
        assert_eq!(still, a_pay, "{backend:?}: A's payment is unchanged");
        assert_eq!(still.status, ZarinpalStatus::Pending);
        assert_eq!(pays.by_authority(&w.a, "A0000000001").await.unwrap(), Some(a_pay));
        w.assert_rows("zarinpal_payments", 1, 1).await;
    }
}

#[tokio::test]
async fn stars_payments_of_one_tenant_are_invisible_to_another() {
    struct Texts;
    impl remnabot_store::sales::online::OnlineTexts for Texts {
        fn online_paid(&self, _: Language, _: remnabot_store::sales::PayMethod, _: Toman, _: Option<Toman>) -> String {
            "paid".to_owned()
        }
        fn stars_refunded(&self, _: Language, _: i64) -> String {
            "refunded".to_owned()
        }
    }
    for backend in testing::backends() {
        let w = world(backend).await;
        for t in [&w.a, &w.b] {
            w.store.flags().set(t, FeatureKey::TelegramStars, true, None).await.unwrap();
            w.store.configs().set(t, "stars_rate", json!(1000)).await.unwrap();
        }
        let sales = w.store.sales();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let a_plan = w.store.plans().create(&w.a, plan_spec("Gold")).await.unwrap();
        let a_pay = sales
            .start_stars_payment(&w.a, a_user.id, PaymentPurpose::Purchase, Some(a_plan.id), None, Utc::now())
            .await
            .unwrap();
        let payer = a_user.telegram_id;

        assert_eq!(sales.stars_by_payload(&w.b, &a_pay.payload).await.unwrap(), None, "{backend:?}");
        not_found(
            "pre-checkout",
            sales.check_pre_checkout(&w.b, payer, &a_pay.payload, a_pay.stars, "XTR", Utc::now()).await,
        );
        not_found(
            "complete",
            sales.complete_stars(&w.b, &a_pay.payload, "ch-1", a_pay.stars, "XTR", &Texts, Utc::now()).await,
        );
        // References across tenants are refused.
        let b_user = customer(&w.store, &w.b, 2001).await;
        not_found(
            "A's user",
            sales
                .start_stars_payment(&w.b, a_user.id, PaymentPurpose::TopUp, None, Some(Toman(5000)), Utc::now())
                .await,
        );
        not_found(
            "A's plan",
            sales
                .start_stars_payment(&w.b, b_user.id, PaymentPurpose::Purchase, Some(a_plan.id), None, Utc::now())
                .await,
        );

        sales.complete_stars(&w.a, &a_pay.payload, "ch-1", a_pay.stars, "XTR", &Texts, Utc::now()).await.unwrap();
        assert_eq!(sales.stars_by_charge(&w.b, "ch-1").await.unwrap(), None);
        not_found("refund", sales.begin_stars_refund(&w.b, "ch-1").await);
        not_found("settle", sales.settle_stars_refund(&w.b, "ch-1", &Texts, Utc::now()).await);
        not_found("release", sales.release_stars_refund(&w.b, "ch-1", "no").await);
        not_found("stars_payment", sales.stars_payment(&w.b, a_pay.id).await);
        assert!(sales.stars_payments(&w.b, None, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        assert!(w.store.stats().stars_payments_by_status(&w.b).await.unwrap().is_empty(), "{backend:?}");
        let still = sales.stars_by_payload(&w.a, &a_pay.payload).await.unwrap().unwrap();
        assert_eq!(still.telegram_charge_id.as_deref(), Some("ch-1"), "{backend:?}");
        w.assert_rows("stars_payments", 1, 0).await;
    }
}

#[tokio::test]
async fn the_wallet_of_one_tenant_is_untouched_by_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let wallets = w.store.wallets();
        let a_entry = wallets.credit(&w.a, Toman(10_000), "deposit", "shared-key").await.unwrap().entry;
        wallets.record_traffic_sold(&w.a, 1_000).await.unwrap();

        assert_eq!(wallets.balance(&w.b).await.unwrap(), Toman::ZERO, "{backend:?}");
        assert!(wallets.history(&w.b, Page::default()).await.unwrap().is_empty());
        assert_eq!(wallets.traffic_stats(&w.b).await.unwrap().sold_bytes, 0);

        // B's debit never reaches A's balance, even under A's idempotency key.
        let res = wallets.debit(&w.b, Toman(5_000), "wholesale", "shared-key").await;
        assert!(matches!(res, Err(Error::InsufficientBalance { .. })), "{backend:?}: {res:?}");
        let b_credit = wallets.credit(&w.b, Toman(10_000), "deposit", "shared-key").await.unwrap();
        assert!(b_credit.newly_applied, "keys are per tenant");
        wallets.debit(&w.b, Toman(7_000), "wholesale", "b-debit").await.unwrap();
        wallets.record_traffic_consumed(&w.b, 500).await.unwrap();

        assert_eq!(wallets.balance(&w.a).await.unwrap(), Toman(10_000));
        assert_eq!(wallets.history(&w.a, Page::default()).await.unwrap(), vec![a_entry]);
        assert_eq!(wallets.traffic_stats(&w.a).await.unwrap().consumed_bytes, 0);
        assert_eq!(wallets.balance(&w.b).await.unwrap(), Toman(3_000));
        w.assert_rows("tenant_wallet_transactions", 1, 2).await;
    }
}

#[tokio::test]
async fn customer_balances_of_one_tenant_are_untouched_by_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let balances = w.store.balances();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let posted =
            balances.post(&w.a, a_user.id, Posting::credit(Toman(9_000), "deposit", "k1").unwrap()).await.unwrap();
        assert_eq!(posted.entry.balance_after, Toman(9_000));

        assert!(balances.history(&w.b, a_user.id, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        not_found(
            "B debits A's user",
            balances.post(&w.b, a_user.id, Posting::debit(Toman(1), "purchase", "k2").unwrap()).await,
        );
        not_found(
            "B credits A's user",
            balances.post(&w.b, a_user.id, Posting::credit(Toman(1), "deposit", "k1").unwrap()).await,
        );
        // B's own customer with the same key is separate.
        let b_user = customer(&w.store, &w.b, 1001).await;
        balances.post(&w.b, b_user.id, Posting::credit(Toman(1), "deposit", "k1").unwrap()).await.unwrap();

        assert_eq!(w.store.users().get(&w.a, a_user.id).await.unwrap().balance, Toman(9_000));
        assert_eq!(balances.history(&w.a, a_user.id, Page::default()).await.unwrap(), vec![posted.entry]);
        w.assert_rows("user_balance_transactions", 1, 1).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Coverage and schema
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn provisioning_entries_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let prov = w.store.provisioning();
        let a_user = customer(&w.store, &w.a, 1001).await;
        let a_plan = w.store.plans().create(&w.a, plan_spec("Gold")).await.unwrap();
        let now = Utc::now();
        let order = Order { user: a_user.id, plan: a_plan.id, idempotency_key: "order-1".to_owned() };
        let done = prov.purchase(&w.a, order.clone(), now).await.unwrap();
        let id = done.entry.id;

        not_found("get", prov.get(&w.b, id).await);
        assert!(prov.list(&w.b, None, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        assert_eq!(prov.pending_count(&w.b).await.unwrap(), 0);
        let link = PanelLink { id: 1, uuid: None, subscription_url: "https://evil.example/x".to_owned() };
        not_found("complete", prov.complete(&w.b, id, &link, None, now).await);
        not_found("fail", prov.fail(&w.b, id, "boom", now, &[], now).await);
        // B buying with A's user or plan, or replaying A's order key, reaches nothing of A.
        not_found("B orders for A's user", prov.purchase(&w.b, order.clone(), now).await);
        not_found("B starts a trial for A's user", prov.trial(&w.b, a_user.id, "t", now).await);
        not_found("B resyncs A's subscription", prov.resync(&w.b, done.subscription.id, "r", now).await);
        // The worker finds due work across tenants by design, naming each owner; claiming is
        // per tenant, and B cannot claim A's entry.
        let due = w.store.platform().provisioning_due(now, &[], 10).await.unwrap();
        assert_eq!(due, vec![w.a_bot.id]);
        assert_eq!(prov.claim_next(&w.b, now, chrono::Duration::seconds(1)).await.unwrap(), None);
        let claimed = prov.claim_next(&w.a, now, chrono::Duration::seconds(60)).await.unwrap().unwrap();
        assert_eq!(claimed.id, id);
        // B giving back or stretching A's lease changes nothing of A's.
        prov.release(&w.b, id).await.unwrap();
        prov.renew_lease(&w.b, id, now + chrono::Duration::days(1)).await.unwrap();
        let secs = chrono::Duration::seconds;
        assert_eq!(prov.claim_next(&w.a, now + secs(1), secs(1)).await.unwrap(), None, "still leased");
        let after = prov.claim_next(&w.a, now + secs(61), secs(1)).await.unwrap();
        assert_eq!(after.map(|e| e.id), Some(id), "and free when A's own lease ends");

        let a_entry = prov.get(&w.a, id).await.unwrap();
        assert_eq!(a_entry.attempts, 0, "A's entry is unchanged");
        assert_eq!(w.store.subscriptions().get(&w.a, done.subscription.id).await.unwrap().subscription_url, None);
        w.assert_rows("provisioning_outbox", 1, 0).await;
    }
}

#[tokio::test]
async fn notifications_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let notes = w.store.notifications();
        let now = Utc::now();
        let n = NewNotification { chat_id: 42, text: "hello".to_owned(), idempotency_key: "n1".to_owned() };
        assert!(notes.enqueue(&w.a, &n).await.unwrap());
        let id = notes.list(&w.a, None, Page::default()).await.unwrap()[0].id;

        assert!(notes.list(&w.b, None, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        not_found("mark_sent", notes.mark_sent(&w.b, id, now).await);
        not_found("mark_failed", notes.mark_failed(&w.b, id, "x", now).await);
        not_found("mark_undeliverable", notes.mark_undeliverable(&w.b, id, "x", now).await);
        // The same key in B is B's own message, not a duplicate of A's.
        assert!(notes.enqueue(&w.b, &n).await.unwrap());

        let a_notes = notes.list(&w.a, None, Page::default()).await.unwrap();
        assert_eq!(a_notes.len(), 1);
        assert_eq!(a_notes[0].attempts, 0, "A's message is unchanged");
        w.assert_rows("notification_outbox", 1, 1).await;
    }
}

#[tokio::test]
async fn dialogues_of_one_tenant_are_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let d = w.store.dialogues();
        // The same Telegram user (chat 42) talks to both bots: two independent conversations.
        d.set(&w.a, 42, &json!({"state": "choosing_language"})).await.unwrap();
        assert_eq!(d.get(&w.b, 42).await.unwrap(), None, "{backend:?}");
        d.set(&w.b, 42, &json!({"state": "start"})).await.unwrap();
        d.remove(&w.b, 42).await.unwrap();
        assert_eq!(
            d.get(&w.a, 42).await.unwrap(),
            Some(json!({"state": "choosing_language"})),
            "B's writes leave A alone"
        );
        w.assert_rows("dialogues", 1, 0).await;
    }
}

#[tokio::test]
async fn the_admins_customer_search_and_lists_of_one_tenant_show_nothing_of_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let a_user = customer(&w.store, &w.a, 1001).await;
        let invited = NewUser {
            telegram_id: TgUserId(1002),
            username: None,
            first_name: None,
            language: Language::En,
            referred_by: Some(a_user.id),
        };
        w.store.users().register(&w.a, invited).await.unwrap();
        let plan = w.store.plans().create(&w.a, plan_spec("Gold")).await.unwrap();
        let order = Order { user: a_user.id, plan: plan.id, idempotency_key: "iso:search".into() };
        let p = w.store.provisioning().purchase(&w.a, order, Utc::now()).await.unwrap();
        let link = PanelLink { id: 1, uuid: None, subscription_url: "https://sub.example/s/SECRETLINK".into() };
        w.store.provisioning().complete(&w.a, p.entry.id, &link, None, Utc::now()).await.unwrap();
        let card = w.store.cards().create(&w.a, card_spec(1)).await.unwrap();
        let pay = w.store.card_payments().create(&w.a, card_payment(a_user.id, card.id, None)).await.unwrap();
        w.store.card_payments().attach_receipt(&w.a, pay.id, text_receipt()).await.unwrap();
        w.store.tickets().open(&w.a, a_user.id, "Help", message("hi")).await.unwrap();
        w.store.transactions().create(&w.a, deposit(a_user.id, 5000)).await.unwrap();

        let c = w.store.customers();
        for term in ["1001", "@user1001", "sara", "secretlink"] {
            assert_eq!(c.search(&w.a, term, Page::default()).await.unwrap().total, 1, "{backend:?}: A finds {term}");
            let found = c.search(&w.b, term, Page::default()).await.unwrap();
            assert_eq!((found.total, found.rows.len()), (0, 0), "{backend:?}: B finds nothing for {term}");
        }
        assert_eq!(c.invited_count(&w.a, a_user.id).await.unwrap(), 1);
        assert_eq!(c.invited_count(&w.b, a_user.id).await.unwrap(), 0);
        assert_eq!(c.receipts_to_review(&w.a, Page::default()).await.unwrap().total, 1);
        assert_eq!(c.receipts_to_review(&w.b, Page::default()).await.unwrap().total, 0);
        assert_eq!(c.open_tickets(&w.a, Page::default()).await.unwrap().total, 1);
        assert_eq!(c.open_tickets(&w.b, Page::default()).await.unwrap().total, 0);
        assert_eq!(c.tickets_of(&w.b, a_user.id, Page::default()).await.unwrap().total, 0);
        assert!(c.payments(&w.a, None, Page::default()).await.unwrap().total >= 1);
        assert_eq!(c.payments(&w.b, None, Page::default()).await.unwrap().total, 0);
        assert_eq!(c.payments(&w.b, Some(a_user.id), Page::default()).await.unwrap().total, 0);
    }
}

#[tokio::test]
async fn the_audit_log_of_one_tenant_is_invisible_to_another() {
    for backend in testing::backends() {
        let w = world(backend).await;
        let admin = remnabot_store::audit::Actor::Admin(TgUserId(7));
        let plan = w.store.changes(admin).create_plan(&w.a, plan_spec("Gold")).await.unwrap();
        let entries = w.store.audit().list(&w.a, Page::default()).await.unwrap();
        assert_eq!(entries.len(), 1, "{backend:?}");
        assert_eq!(entries[0].target.as_deref(), Some(format!("plan:{}", plan.id).as_str()));

        assert!(w.store.audit().list(&w.b, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        assert_eq!(w.store.audit().count(&w.b).await.unwrap(), 0);
        not_found("get", w.store.audit().get(&w.b, entries[0].id).await);
        // B's changes through the service never touch A's plan, and B's failed attempt is
        // not recorded anywhere.
        not_found("update", w.store.changes(admin).update_plan(&w.b, plan.id, plan_spec("Hijacked")).await);
        assert!(w.store.audit().list(&w.b, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        w.assert_rows("audit_log", 1, 0).await;
    }
}

#[test]
fn every_tenant_table_is_covered() {
    let covered: BTreeSet<&str> = COVERED.iter().map(|(table, _)| *table).collect();
    let tenant_tables: BTreeSet<&str> = TENANT_TABLES.into_iter().collect();
    assert_eq!(covered.len(), COVERED.len(), "a table is listed twice");
    assert_eq!(covered, tenant_tables, "the isolation suite must cover exactly the tenant-owned tables");
}

async fn query_strings(store: &Store, sql: &str) -> Vec<Vec<String>> {
    let db = store.raw_connection();
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.expect(sql);
    rows.iter()
        .map(|r| {
            (0..r.column_names().len())
                .map(|i| {
                    r.try_get_by_index::<String>(i)
                        .or_else(|_| r.try_get_by_index::<i64>(i).map(|n| n.to_string()))
                        .or_else(|_| r.try_get_by_index::<i32>(i).map(|n| n.to_string()))
                        .or_else(|_| r.try_get_by_index::<bool>(i).map(|b| b.to_string()))
                        .expect(sql)
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn every_tenant_table_has_a_not_null_bot_id_referencing_bots_and_no_table_is_missing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let tables_sql = match backend {
            Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            }
        };
        let in_db: BTreeSet<String> = query_strings(&store, tables_sql)
            .await
            .into_iter()
            .map(|r| r[0].clone())
            // Platform tables, not owned by a tenant.
            .filter(|t| t != "bots" && t != "operator_tokens" && t != "seaql_migrations")
            .collect();
        let expected: BTreeSet<String> = TENANT_TABLES.iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(in_db, expected, "{backend:?}: every table but the platform tables must be listed in TENANT_TABLES");

        for table in TENANT_TABLES {
            let (nullable_sql, fk_sql) = match backend {
                Backend::Sqlite => (
                    format!("SELECT \"notnull\" FROM pragma_table_info('{table}') WHERE name = 'bot_id'"),
                    format!(
                        "SELECT on_delete FROM pragma_foreign_key_list('{table}') \
                         WHERE \"table\" = 'bots' AND \"from\" = 'bot_id' AND \"to\" = 'id'"
                    ),
                ),
                Backend::Postgres => (
                    format!(
                        "SELECT CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END::bigint FROM information_schema.columns \
                         WHERE table_schema = current_schema() AND table_name = '{table}' AND column_name = 'bot_id'"
                    ),
                    format!(
                        "SELECT CASE c.confdeltype WHEN 'c' THEN 'CASCADE' ELSE c.confdeltype::text END \
                         FROM pg_constraint c \
                         WHERE c.contype = 'f' AND c.conrelid = '{table}'::regclass AND c.confrelid = 'bots'::regclass"
                    ),
                ),
            };
            let nullable = query_strings(&store, &nullable_sql).await;
            assert_eq!(nullable, vec![vec!["1".to_owned()]], "{backend:?}: {table}.bot_id must exist and be NOT NULL");
            let fks = query_strings(&store, &fk_sql).await;
            assert_eq!(
                fks,
                vec![vec!["CASCADE".to_owned()]],
                "{backend:?}: {table}.bot_id must reference bots(id) on delete cascade"
            );
        }
    }
}

#[tokio::test]
async fn a_row_with_another_tenants_parent_is_refused_by_the_database_itself() {
    // Bypassing the repositories: the composite (bot_id, x_id) foreign keys still refuse a row
    // of tenant B that points at a row of tenant A.
    for backend in testing::backends() {
        let w = world(backend).await;
        let a_user = customer(&w.store, &w.a, 1001).await;
        let now = match backend {
            Backend::Sqlite => "'2026-01-01 00:00:00+00:00'",
            Backend::Postgres => "now()",
        };
        let sql = format!(
            "INSERT INTO transactions (bot_id, created_at, user_id, kind, amount, is_completed) \
             VALUES ({}, {now}, {}, 'deposit', 1, false)",
            w.b_bot.id.0, a_user.id.0
        );
        let res = w.store.raw_connection().execute_unprepared(&sql).await;
        assert!(res.is_err(), "{backend:?}: the database accepted a cross-tenant reference");
        w.assert_rows("transactions", 0, 0).await;
    }
}
