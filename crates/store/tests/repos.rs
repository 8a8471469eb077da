#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Tests of the tenant repositories: users, subscriptions, transactions, tickets, promo
//! groups, promo codes, referral earnings and payments (card-to-card and Zarinpal),
//! including the concurrency acceptance tests, on SQLite and, when `TEST_DATABASE_URL` is
//! set, on PostgreSQL.

use std::collections::HashSet;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use remnabot_domain::config::Language;
use remnabot_domain::{
    CardId, Error, Page, PaymentId, PlanId, Result, Tenant, TgUserId, TicketId, Toman, TransactionId, UserId,
};
use remnabot_store::entity::{notification_outbox, payment_card, ticket, ticket_message};
use remnabot_store::payments::{
    NewCardPayment, NewZarinpalPayment, PaymentPurpose, PaymentStatus, Receipt, ReceiptKind, ZarinpalStatus,
};
use remnabot_store::plans::PlanSpec;
use remnabot_store::promos::{PromoCodeSpec, PromoGroupSpec, PromoKind};
use remnabot_store::subscriptions::{NewSubscription, SubscriptionStatus};
use remnabot_store::tickets::{API_SENDER, MAX_TEXT, NewMessage, QUOTED_CHARS, TicketStatus, TicketTexts};
use remnabot_store::transactions::{NewTransaction, TransactionKind};
use remnabot_store::users::{NewUser, User};
use remnabot_store::{Store, testing};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn new_user(tg: i64) -> NewUser {
    NewUser {
        telegram_id: TgUserId(tg),
        username: Some(format!("user{tg}")),
        first_name: Some(format!("First {tg}")),
        language: Language::Fa,
        referred_by: None,
    }
}

async fn user(store: &Store, t: &Tenant, tg: i64) -> User {
    store.users().register(t, new_user(tg)).await.expect("register").0
}

async fn plan(store: &Store, t: &Tenant, name: &str) -> PlanId {
    let spec = PlanSpec {
        name: name.to_owned(),
        description: None,
        period_days: 30,
        traffic_gb: 50,
        device_limit: 2,
        price: Toman(100_000),
        sort_order: 0,
    };
    store.plans().create(t, spec).await.expect("plan").id
}

/// A payment card row, inserted directly (the cards repository is tested elsewhere).
async fn card(store: &Store, t: &Tenant, number: &str) -> CardId {
    let now = Utc::now();
    let m = payment_card::ActiveModel {
        bot_id: Set(t.bot_id().0),
        created_at: Set(now),
        card_number: Set(number.to_owned()),
        holder_name: Set("Holder".to_owned()),
        bank_name: Set(None),
        weight: Set(1),
        is_active: Set(true),
        usage_count: Set(0),
        success_count: Set(0),
        failure_count: Set(0),
        last_used_at: Set(None),
        last_selected_at: Set(None),
        daily_count_cap: Set(None),
        daily_amount_cap: Set(None),
        usage_day: Set(None),
        day_count: Set(0),
        day_amount: Set(0),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(store.raw_connection())
    .await
    .expect("card");
    CardId(m.id)
}

fn assert_invalid<T: std::fmt::Debug>(r: Result<T>, expected: &str) {
    match r {
        Err(Error::Invalid { field, reason }) => {
            assert_eq!(field, expected, "wrong field (reason: {reason})");
            assert!(!reason.is_empty());
        }
        other => panic!("expected Invalid({expected}), got {other:?}"),
    }
}

fn assert_not_found<T: std::fmt::Debug>(r: Result<T>, expected: &str) {
    match r {
        Err(Error::NotFound { entity }) => assert_eq!(entity, expected),
        other => panic!("expected NotFound({expected}), got {other:?}"),
    }
}

fn assert_conflict<T: std::fmt::Debug>(r: Result<T>, contains: &str) {
    match r {
        Err(Error::Conflict(msg)) => assert!(msg.contains(contains), "conflict `{msg}` lacks `{contains}`"),
        other => panic!("expected Conflict({contains}), got {other:?}"),
    }
}

/// Now, at the microsecond precision both databases keep.
fn now_us() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn all() -> Page {
    Page::new(200, 0)
}

fn sub(user: UserId, plan: Option<PlanId>, days: i64) -> NewSubscription {
    let now = Utc::now();
    NewSubscription {
        user,
        plan,
        is_trial: false,
        starts_at: now,
        expires_at: now + Duration::days(days),
        traffic_limit_bytes: 10 << 30,
        device_limit: 2,
    }
}

fn deposit(user: UserId, amount: i64) -> NewTransaction {
    NewTransaction {
        user,
        kind: TransactionKind::Deposit,
        amount: Toman(amount),
        payment_method: Some("card_to_card".to_owned()),
        description: Some("top up".to_owned()),
        external_id: None,
        completed: false,
        plan: None,
    }
}

fn text_msg(from_admin: bool, text: &str) -> NewMessage {
    NewMessage { from_admin, sender_telegram_id: TgUserId(42), text: Some(text.to_owned()), media_file_id: None }
}

fn promo(code: &str, kind: PromoKind, value: i64, max_uses: u32) -> PromoCodeSpec {
    PromoCodeSpec { code: code.to_owned(), kind, value, max_uses, valid_from: None, valid_until: None }
}

fn card_payment(user: UserId, card: CardId, amount: i64) -> NewCardPayment {
    NewCardPayment {
        user,
        card,
        amount: Toman(amount),
        purpose: PaymentPurpose::TopUp,
        plan: None,
        expires_at: Utc::now() + Duration::hours(1),
    }
}

fn zarinpal(user: UserId, authority: &str) -> NewZarinpalPayment {
    NewZarinpalPayment {
        user,
        amount: Toman(50_000),
        authority: authority.to_owned(),
        purpose: PaymentPurpose::TopUp,
        plan: None,
        description: Some("top up".to_owned()),
    }
}

fn photo() -> Receipt {
    Receipt { kind: ReceiptKind::Photo, file_id: Some("AgACAgQAAxkBAAIB".to_owned()), file_unique_id: None, text: None }
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn registering_creates_a_user_once_and_returns_the_same_user_again() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let users = store.users();
        let (u, created) = users.register(&t, new_user(1001)).await.unwrap();
        assert!(created);
        assert_eq!(u.telegram_id, TgUserId(1001));
        assert_eq!(u.username.as_deref(), Some("user1001"));
        assert_eq!(u.balance, Toman::ZERO);
        assert!(!u.trial_used && !u.is_blocked);
        assert_eq!(u.referral_code.len(), 8);
        assert!(u.referral_code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));

        let (again, created) = users.register(&t, new_user(1001)).await.unwrap();
        assert!(!created);
        assert_eq!(again.id, u.id);
        assert_eq!(users.get(&t, u.id).await.unwrap(), u);
        assert_eq!(users.by_telegram_id(&t, TgUserId(1001)).await.unwrap().unwrap().id, u.id);
        assert!(users.by_telegram_id(&t, TgUserId(9)).await.unwrap().is_none());
        let lower = u.referral_code.to_lowercase();
        assert_eq!(users.by_referral_code(&t, &lower).await.unwrap().unwrap().id, u.id);
        assert!(users.by_referral_code(&t, "NOPE0000").await.unwrap().is_none());
        assert_eq!(users.count(&t).await.unwrap(), 1);
        assert_not_found(users.get(&t, UserId(u.id.0 + 1000)).await, "user");
    }
}

#[tokio::test]
async fn the_same_telegram_id_in_two_tenants_gives_two_users() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "a").await;
        let (_, b) = testing::tenant(&store, "b").await;
        let (ua, created_a) = store.users().register(&a, new_user(777)).await.unwrap();
        let (ub, created_b) = store.users().register(&b, new_user(777)).await.unwrap();
        assert!(created_a && created_b);
        assert_ne!(ua.id, ub.id);
        assert_eq!(store.users().count(&a).await.unwrap(), 1);
        assert_eq!(store.users().count(&b).await.unwrap(), 1);
        assert_not_found(store.users().get(&b, ua.id).await, "user");
    }
}

#[tokio::test]
async fn a_referrer_is_recorded_and_one_from_another_tenant_is_refused_without_writing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "a").await;
        let (_, b) = testing::tenant(&store, "b").await;
        let referrer = user(&store, &a, 1).await;
        let foreign = user(&store, &b, 2).await;

        let referred =
            store.users().register(&a, NewUser { referred_by: Some(referrer.id), ..new_user(3) }).await.unwrap().0;
        assert_eq!(referred.referred_by, Some(referrer.id));
        let refs = store.users().referrals(&a, referrer.id, all()).await.unwrap();
        assert_eq!(refs.iter().map(|u| u.id).collect::<Vec<_>>(), vec![referred.id]);

        let before = store.users().count(&a).await.unwrap();
        let r = store.users().register(&a, NewUser { referred_by: Some(foreign.id), ..new_user(4) }).await;
        assert_not_found(r, "user");
        assert_eq!(store.users().count(&a).await.unwrap(), before);
        assert!(store.users().by_telegram_id(&a, TgUserId(4)).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn bad_user_input_is_an_invalid_error_naming_the_field_and_writes_nothing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        assert_invalid(store.users().register(&t, new_user(0)).await, "telegram_id");
        assert_invalid(store.users().register(&t, new_user(-5)).await, "telegram_id");
        let long = NewUser { username: Some("x".repeat(65)), ..new_user(5) };
        assert_invalid(store.users().register(&t, long).await, "username");
        let long = NewUser { first_name: Some("y".repeat(256)), ..new_user(5) };
        assert_invalid(store.users().register(&t, long).await, "first_name");
        assert_eq!(store.users().count(&t).await.unwrap(), 0);
    }
}

#[tokio::test]
async fn users_can_be_searched_and_their_language_block_and_promo_group_updated() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "a").await;
        let (_, other) = testing::tenant(&store, "b").await;
        let users = store.users();
        let alice = users
            .register(
                &t,
                NewUser {
                    username: Some("@AliceVPN".to_owned()),
                    first_name: Some("Alice".to_owned()),
                    ..new_user(11)
                },
            )
            .await
            .unwrap()
            .0;
        assert_eq!(alice.username.as_deref(), Some("AliceVPN"));
        let bob = users
            .register(&t, NewUser { username: None, first_name: Some("Bob 100%".to_owned()), ..new_user(22) })
            .await
            .unwrap()
            .0;

        let ids = |v: Vec<User>| v.into_iter().map(|u| u.id).collect::<Vec<_>>();
        assert_eq!(ids(users.list(&t, None, all()).await.unwrap()), vec![bob.id, alice.id]);
        assert_eq!(ids(users.list(&t, Some("alicev"), all()).await.unwrap()), vec![alice.id]);
        assert_eq!(ids(users.list(&t, Some("BOB"), all()).await.unwrap()), vec![bob.id]);
        assert_eq!(ids(users.list(&t, Some("22"), all()).await.unwrap()), vec![bob.id]);
        assert_eq!(ids(users.list(&t, Some("0%"), all()).await.unwrap()), vec![bob.id]);
        assert!(users.list(&t, Some("%"), all()).await.unwrap().iter().all(|u| u.id == bob.id));
        assert!(users.list(&t, Some("nobody"), all()).await.unwrap().is_empty());
        assert_eq!(users.list(&t, None, Page::new(1, 1)).await.unwrap().len(), 1);

        assert_eq!(users.set_language(&t, alice.id, Language::En).await.unwrap().language, Language::En);
        assert!(users.set_blocked(&t, alice.id, true).await.unwrap().is_blocked);
        assert!(!users.set_blocked(&t, alice.id, false).await.unwrap().is_blocked);

        let group =
            store.promo_groups().create(&t, PromoGroupSpec { name: "vip".into(), discount_percent: 10 }).await.unwrap();
        let foreign_group = store
            .promo_groups()
            .create(&other, PromoGroupSpec { name: "vip".into(), discount_percent: 5 })
            .await
            .unwrap();
        assert_eq!(users.set_promo_group(&t, alice.id, Some(group.id)).await.unwrap().promo_group, Some(group.id));
        assert_not_found(users.set_promo_group(&t, alice.id, Some(foreign_group.id)).await, "promo group");
        assert_eq!(users.get(&t, alice.id).await.unwrap().promo_group, Some(group.id));
        assert_eq!(users.set_promo_group(&t, alice.id, None).await.unwrap().promo_group, None);

        let stranger = user(&store, &other, 99).await;
        assert_not_found(users.set_blocked(&t, stranger.id, true).await, "user");
        assert!(!users.get(&other, stranger.id).await.unwrap().is_blocked);
    }
}

#[tokio::test]
async fn marking_the_trial_used_twice_returns_true_then_false() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let (_, other) = testing::tenant(&store, "other").await;
        let u = user(&store, &t, 5).await;
        assert!(store.users().mark_trial_used(&t, u.id).await.unwrap());
        assert!(!store.users().mark_trial_used(&t, u.id).await.unwrap());
        assert!(store.users().get(&t, u.id).await.unwrap().trial_used);
        assert_not_found(store.users().mark_trial_used(&other, u.id).await, "user");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_registrations_of_one_telegram_id_create_one_user() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (s, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move { s.users().register(&t, new_user(4242)).await }));
        }
        let mut created = 0;
        let mut ids = HashSet::new();
        for task in tasks {
            let (u, c) = task.await.unwrap().unwrap();
            created += usize::from(c);
            ids.insert(u.id);
        }
        assert_eq!(created, 1);
        assert_eq!(ids.len(), 1);
        assert_eq!(store.users().count(&t).await.unwrap(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn subscriptions_can_be_created_read_listed_updated_and_deleted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let subs = store.subscriptions();
        let u = user(&store, &t, 1).await;
        let p = plan(&store, &t, "monthly").await;

        let short = subs.create(&t, sub(u.id, Some(p), 10)).await.unwrap();
        assert_eq!(short.status, SubscriptionStatus::Active);
        assert_eq!(short.plan_id, Some(p));
        assert_eq!(short.device_limit, 2);
        assert_eq!(short.traffic_used_bytes, 0);
        let long = subs.create(&t, sub(u.id, None, 40)).await.unwrap();
        let trial = subs.create(&t, NewSubscription { is_trial: true, ..sub(u.id, None, 3) }).await.unwrap();
        assert_eq!(trial.status, SubscriptionStatus::Trial);
        assert!(trial.is_trial);

        assert_eq!(subs.get(&t, short.id).await.unwrap(), short);
        assert_eq!(subs.current_for_user(&t, u.id).await.unwrap().unwrap().id, long.id);
        assert_eq!(subs.list(&t, None, all()).await.unwrap().len(), 3);
        let trials = subs.list(&t, Some(SubscriptionStatus::Trial), all()).await.unwrap();
        assert_eq!(trials.iter().map(|s| s.id).collect::<Vec<_>>(), vec![trial.id]);
        assert_eq!(subs.list_for_user(&t, u.id, all()).await.unwrap().len(), 3);

        let soon = subs.expiring_before(&t, Utc::now() + Duration::days(15), all()).await.unwrap();
        assert_eq!(soon.iter().map(|s| s.id).collect::<Vec<_>>(), vec![trial.id, short.id]);

        let disabled = subs.set_status(&t, short.id, SubscriptionStatus::Disabled).await.unwrap();
        assert_eq!(disabled.status, SubscriptionStatus::Disabled);
        let soon = subs.expiring_before(&t, Utc::now() + Duration::days(15), all()).await.unwrap();
        assert_eq!(soon.iter().map(|s| s.id).collect::<Vec<_>>(), vec![trial.id]);

        let linked = subs
            .set_panel(
                &t,
                long.id,
                Some("6f1c2f7e-0000-4000-8000-000000000001".into()),
                Some("https://panel/sub/abc".into()),
            )
            .await
            .unwrap();
        assert_eq!(linked.panel_user_uuid.as_deref(), Some("6f1c2f7e-0000-4000-8000-000000000001"));
        assert_eq!(linked.subscription_url.as_deref(), Some("https://panel/sub/abc"));
        assert_eq!(subs.record_usage(&t, long.id, 12345).await.unwrap().traffic_used_bytes, 12345);

        subs.delete(&t, trial.id).await.unwrap();
        assert_not_found(subs.get(&t, trial.id).await, "subscription");
        assert_not_found(subs.delete(&t, trial.id).await, "subscription");
    }
}

#[tokio::test]
async fn extending_counts_from_a_future_expiry_or_else_from_now_and_reactivates() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let subs = store.subscriptions();
        let u = user(&store, &t, 1).await;
        let now = now_us();

        let running = subs.create(&t, sub(u.id, None, 10)).await.unwrap();
        let extended = subs.extend(&t, running.id, 30, now).await.unwrap();
        assert_eq!(extended.expires_at, running.expires_at + Duration::days(30));

        let past = NewSubscription {
            starts_at: now - Duration::days(40),
            expires_at: now - Duration::days(10),
            ..sub(u.id, None, 1)
        };
        let lapsed = subs.create(&t, past).await.unwrap();
        subs.set_status(&t, lapsed.id, SubscriptionStatus::Expired).await.unwrap();
        let renewed = subs.extend(&t, lapsed.id, 30, now).await.unwrap();
        assert_eq!(renewed.expires_at, now + Duration::days(30));
        assert_eq!(renewed.status, SubscriptionStatus::Active);

        let trial = subs.create(&t, NewSubscription { is_trial: true, ..sub(u.id, None, 1) }).await.unwrap();
        subs.set_status(&t, trial.id, SubscriptionStatus::Expired).await.unwrap();
        assert_eq!(subs.extend(&t, trial.id, 1, now).await.unwrap().status, SubscriptionStatus::Trial);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_extensions_all_add_up() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let u = user(&store, &t, 1).await;
        let s = store.subscriptions().create(&t, sub(u.id, None, 5)).await.unwrap();
        let now = Utc::now();
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (st, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move { st.subscriptions().extend(&t, s.id, 1, now).await }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let after = store.subscriptions().get(&t, s.id).await.unwrap();
        assert_eq!(after.expires_at, s.expires_at + Duration::days(10));
    }
}

#[tokio::test]
async fn bad_subscription_input_is_refused_naming_the_field_and_writes_nothing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let subs = store.subscriptions();
        let u = user(&store, &t, 1).await;
        let base = sub(u.id, None, 30);
        let backwards = NewSubscription { expires_at: base.starts_at - Duration::seconds(1), ..base.clone() };
        assert_invalid(subs.create(&t, backwards).await, "expires_at");
        assert_invalid(subs.create(&t, NewSubscription { device_limit: 0, ..base.clone() }).await, "device_limit");
        assert_invalid(
            subs.create(&t, NewSubscription { traffic_limit_bytes: -1, ..base.clone() }).await,
            "traffic_limit_bytes",
        );
        assert!(subs.list(&t, None, all()).await.unwrap().is_empty());

        let s = subs.create(&t, base).await.unwrap();
        assert_invalid(subs.extend(&t, s.id, 0, Utc::now()).await, "days");
        assert_invalid(subs.extend(&t, s.id, 100_000, Utc::now()).await, "days");
        assert_invalid(subs.record_usage(&t, s.id, -1).await, "traffic_used_bytes");
        assert_invalid(subs.set_panel(&t, s.id, Some("u".repeat(65)), None).await, "panel_user_uuid");
        assert_eq!(subs.get(&t, s.id).await.unwrap(), s);
    }
}

#[tokio::test]
async fn a_subscription_for_another_tenants_user_or_plan_is_refused() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "a").await;
        let (_, b) = testing::tenant(&store, "b").await;
        let ua = user(&store, &a, 1).await;
        let ub = user(&store, &b, 1).await;
        let pb = plan(&store, &b, "b-plan").await;
        assert_not_found(store.subscriptions().create(&a, sub(ub.id, None, 30)).await, "user");
        assert_not_found(store.subscriptions().create(&a, sub(ua.id, Some(pb), 30)).await, "plan");
        assert!(store.subscriptions().list(&a, None, all()).await.unwrap().is_empty());
        let s = store.subscriptions().create(&a, sub(ua.id, None, 30)).await.unwrap();
        assert_not_found(store.subscriptions().extend(&b, s.id, 1, Utc::now()).await, "subscription");
        assert_not_found(
            store.subscriptions().set_status(&b, s.id, SubscriptionStatus::Disabled).await,
            "subscription",
        );
        assert_eq!(store.subscriptions().get(&a, s.id).await.unwrap(), s);
    }
}

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn transactions_can_be_recorded_listed_completed_once_and_totalled() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let txs = store.transactions();
        let u1 = user(&store, &t, 1).await;
        let u2 = user(&store, &t, 2).await;

        let d1 = txs.create(&t, deposit(u1.id, 1000)).await.unwrap();
        assert!(!d1.is_completed && d1.completed_at.is_none());
        assert_eq!(d1.kind, TransactionKind::Deposit);
        let d2 = txs.create(&t, NewTransaction { completed: true, ..deposit(u2.id, 250) }).await.unwrap();
        assert!(d2.is_completed && d2.completed_at.is_some());
        let purchase = NewTransaction { kind: TransactionKind::Purchase, completed: true, ..deposit(u1.id, 700) };
        txs.create(&t, purchase).await.unwrap();

        assert_eq!(txs.get(&t, d1.id).await.unwrap(), d1);
        assert_eq!(txs.list(&t, None, all()).await.unwrap().len(), 3);
        assert_eq!(txs.list(&t, Some(u1.id), all()).await.unwrap().len(), 2);
        assert_eq!(txs.list(&t, Some(u2.id), all()).await.unwrap()[0].id, d2.id);

        assert_eq!(txs.total_completed(&t, TransactionKind::Deposit).await.unwrap(), Toman(250));
        assert!(txs.complete(&t, d1.id).await.unwrap());
        assert!(!txs.complete(&t, d1.id).await.unwrap());
        let done = txs.get(&t, d1.id).await.unwrap();
        assert!(done.is_completed && done.completed_at.is_some());
        assert_eq!(txs.total_completed(&t, TransactionKind::Deposit).await.unwrap(), Toman(1250));
        assert_eq!(txs.total_completed(&t, TransactionKind::Purchase).await.unwrap(), Toman(700));
        assert_eq!(txs.total_completed(&t, TransactionKind::Refund).await.unwrap(), Toman::ZERO);
    }
}

#[tokio::test]
async fn a_transaction_needs_a_positive_amount_and_a_customer_of_the_same_tenant() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "a").await;
        let (_, b) = testing::tenant(&store, "b").await;
        let ua = user(&store, &a, 1).await;
        let ub = user(&store, &b, 1).await;
        assert_invalid(store.transactions().create(&a, deposit(ua.id, 0)).await, "amount");
        assert_invalid(store.transactions().create(&a, deposit(ua.id, -10)).await, "amount");
        let long_method = NewTransaction { payment_method: Some("m".repeat(33)), ..deposit(ua.id, 10) };
        assert_invalid(store.transactions().create(&a, long_method).await, "payment_method");
        assert_not_found(store.transactions().create(&a, deposit(ub.id, 10)).await, "user");
        assert!(store.transactions().list(&a, None, all()).await.unwrap().is_empty());

        let tx = store.transactions().create(&a, deposit(ua.id, 10)).await.unwrap();
        assert_not_found(store.transactions().complete(&b, tx.id).await, "transaction");
        assert!(!store.transactions().get(&a, tx.id).await.unwrap().is_completed);
    }
}

// ---------------------------------------------------------------------------------------------
// Tickets
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_ticket_is_opened_with_its_first_message_answered_back_and_forth_and_closed() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let tickets = store.tickets();
        let u = user(&store, &t, 1).await;
        let (ticket, first) = tickets.open(&t, u.id, "  VPN is slow  ", text_msg(false, "help")).await.unwrap();
        assert_eq!(ticket.title, "VPN is slow");
        assert_eq!(ticket.status, TicketStatus::Open);
        assert_eq!(first.ticket_id, ticket.id);

        tickets.add_message(&t, ticket.id, text_msg(true, "try another server")).await.unwrap();
        assert_eq!(tickets.get(&t, ticket.id).await.unwrap().status, TicketStatus::Answered);
        let media = NewMessage { media_file_id: Some("photo-1".into()), text: None, ..text_msg(false, "") };
        tickets.add_message(&t, ticket.id, media).await.unwrap();
        assert_eq!(tickets.get(&t, ticket.id).await.unwrap().status, TicketStatus::Open);

        let msgs = tickets.messages(&t, ticket.id, all()).await.unwrap();
        assert_eq!(msgs.len(), 3);
        assert_eq!(msgs[0].text.as_deref(), Some("help"));
        assert!(msgs[1].from_admin);
        assert_eq!(msgs[2].media_file_id.as_deref(), Some("photo-1"));

        let (other, _) = tickets.open(&t, u.id, "Billing", text_msg(false, "refund?")).await.unwrap();
        assert_eq!(tickets.list(&t, None, all()).await.unwrap().len(), 2);
        assert_eq!(tickets.list(&t, Some(TicketStatus::Open), all()).await.unwrap().len(), 2);
        assert_eq!(tickets.list_for_user(&t, u.id, all()).await.unwrap().len(), 2);

        let closed = tickets.close(&t, ticket.id).await.unwrap();
        assert_eq!(closed.status, TicketStatus::Closed);
        assert!(closed.closed_at.is_some());
        assert_eq!(tickets.close(&t, ticket.id).await.unwrap().closed_at, closed.closed_at);
        assert_conflict(tickets.add_message(&t, ticket.id, text_msg(false, "hello?")).await, "the ticket is closed");
        assert_eq!(tickets.messages(&t, ticket.id, all()).await.unwrap().len(), 3);
        let open = tickets.list(&t, Some(TicketStatus::Open), all()).await.unwrap();
        assert_eq!(open.iter().map(|x| x.id).collect::<Vec<_>>(), vec![other.id]);

        tickets.delete(&t, other.id).await.unwrap();
        assert_not_found(tickets.get(&t, other.id).await, "ticket");
        assert_not_found(tickets.messages(&t, other.id, all()).await, "ticket");
    }
}

#[tokio::test]
async fn bad_ticket_input_is_refused_naming_the_field_and_writes_nothing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "a").await;
        let (_, b) = testing::tenant(&store, "b").await;
        let tickets = store.tickets();
        let u = user(&store, &a, 1).await;
        let foreign = user(&store, &b, 1).await;
        let empty = NewMessage { text: Some("   ".into()), media_file_id: None, ..text_msg(false, "") };

        assert_invalid(tickets.open(&a, u.id, "  ", text_msg(false, "x")).await, "title");
        assert_invalid(tickets.open(&a, u.id, &"t".repeat(256), text_msg(false, "x")).await, "title");
        assert_invalid(tickets.open(&a, u.id, "ok", empty.clone()).await, "text");
        assert_invalid(tickets.open(&a, u.id, "ok", text_msg(false, &"m".repeat(4097))).await, "text");
        assert_not_found(tickets.open(&a, foreign.id, "ok", text_msg(false, "x")).await, "user");
        let db = store.raw_connection();
        assert_eq!(ticket::Entity::find().count(db).await.unwrap(), 0);
        assert_eq!(ticket_message::Entity::find().count(db).await.unwrap(), 0);

        let (tk, _) = tickets.open(&a, u.id, "ok", text_msg(false, "x")).await.unwrap();
        assert_invalid(tickets.add_message(&a, tk.id, empty).await, "text");
        assert_not_found(tickets.add_message(&b, tk.id, text_msg(true, "hi")).await, "ticket");
        assert_not_found(tickets.close(&b, tk.id).await, "ticket");
        assert_eq!(ticket_message::Entity::find().count(db).await.unwrap(), 1);
        assert_eq!(tickets.get(&a, tk.id).await.unwrap().status, TicketStatus::Open);
    }
}

/// Customer messages about answers, marked with the customer's language; `broken` makes a
/// message the outbox refuses (empty), to show that the answer is not kept without it.
struct AnswerTexts {
    broken: bool,
}

impl TicketTexts for AnswerTexts {
    fn ticket_answered(&self, lang: Language, ticket: TicketId, quoted: &str) -> String {
        if self.broken { String::new() } else { format!("{}:#{}:{quoted}", lang.code(), ticket.0) }
    }
}

async fn outbox(store: &Store, t: &Tenant) -> Vec<remnabot_store::outbox::Notification> {
    store.notifications().list(t, None, all()).await.unwrap()
}

#[tokio::test]
async fn an_answer_through_the_api_is_stored_with_the_customers_notification_in_their_language() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let tickets = store.tickets();
        let u = user(&store, &t, 31).await;
        store.users().set_language(&t, u.id, Language::Ru).await.unwrap();
        let (ticket, _) = tickets.open(&t, u.id, "VPN is slow", text_msg(false, "help")).await.unwrap();
        let texts = AnswerTexts { broken: false };

        let reply = tickets.reply_as_admin(&t, ticket.id, "  try the second server\n", &texts, now_us()).await.unwrap();
        assert_eq!(reply.ticket.status, TicketStatus::Answered, "{backend:?}");
        assert_eq!(reply.message.text.as_deref(), Some("try the second server"));
        assert!(reply.message.from_admin);
        assert_eq!(reply.message.sender_telegram_id, API_SENDER);
        assert_eq!(tickets.get(&t, ticket.id).await.unwrap().status, TicketStatus::Answered);
        let notes = outbox(&store, &t).await;
        assert_eq!(notes.len(), 1, "{backend:?}");
        assert_eq!(notes[0].chat_id, 31);
        assert_eq!(notes[0].text, format!("ru:#{}:try the second server", ticket.id.0));

        // A long answer is stored whole; the notification quotes its start.
        let long = format!("{}{}", "a".repeat(QUOTED_CHARS), "b".repeat(MAX_TEXT - QUOTED_CHARS));
        let reply = tickets.reply_as_admin(&t, ticket.id, &long, &texts, now_us()).await.unwrap();
        assert_eq!(reply.message.text.as_deref(), Some(long.as_str()));
        let notes = outbox(&store, &t).await;
        assert_eq!(notes.len(), 2);
        assert!(notes.iter().any(|n| n.text.ends_with(&format!("{}…", "a".repeat(QUOTED_CHARS)))), "{notes:?}");
        assert_eq!(tickets.messages(&t, ticket.id, all()).await.unwrap().len(), 3);
    }
}

#[tokio::test]
async fn an_answer_and_its_notification_are_written_together_or_not_at_all() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let tickets = store.tickets();
        let u = user(&store, &t, 32).await;
        let (ticket, _) = tickets.open(&t, u.id, "Billing", text_msg(false, "refund?")).await.unwrap();

        // The notification is refused after the answer was written: the answer goes too.
        let broken = AnswerTexts { broken: true };
        assert_invalid(tickets.reply_as_admin(&t, ticket.id, "sure", &broken, now_us()).await, "text");
        assert_eq!(tickets.messages(&t, ticket.id, all()).await.unwrap().len(), 1, "{backend:?}");
        assert_eq!(tickets.get(&t, ticket.id).await.unwrap().status, TicketStatus::Open, "{backend:?}");
        assert!(outbox(&store, &t).await.is_empty());

        // Bad text and unknown tickets write nothing.
        let texts = AnswerTexts { broken: false };
        for bad in ["", "   \n ", "a\u{0}b", &"m".repeat(MAX_TEXT + 1)] {
            assert_invalid(tickets.reply_as_admin(&t, ticket.id, bad, &texts, now_us()).await, "text");
        }
        assert_not_found(
            tickets.reply_as_admin(&t, TicketId(ticket.id.0 + 1000), "hi", &texts, now_us()).await,
            "ticket",
        );

        // A closed ticket takes no answer and queues nothing.
        tickets.close(&t, ticket.id).await.unwrap();
        assert_conflict(tickets.reply_as_admin(&t, ticket.id, "too late", &texts, now_us()).await, "closed");
        assert_eq!(tickets.messages(&t, ticket.id, all()).await.unwrap().len(), 1, "{backend:?}");
        assert_eq!(tickets.get(&t, ticket.id).await.unwrap().status, TicketStatus::Closed);
        assert!(outbox(&store, &t).await.is_empty(), "{backend:?}");
        let db = store.raw_connection();
        assert_eq!(ticket_message::Entity::find().count(db).await.unwrap(), 1);
        assert_eq!(notification_outbox::Entity::find().count(db).await.unwrap(), 0);
    }
}

// ---------------------------------------------------------------------------------------------
// Promo groups
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn promo_groups_can_be_created_listed_updated_and_deleted_without_deleting_members() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let groups = store.promo_groups();
        let vip = groups.create(&t, PromoGroupSpec { name: " VIP ".into(), discount_percent: 20 }).await.unwrap();
        assert_eq!(vip.name, "VIP");
        let basic = groups.create(&t, PromoGroupSpec { name: "Basic".into(), discount_percent: 0 }).await.unwrap();
        assert_eq!(groups.get(&t, vip.id).await.unwrap(), vip);
        let names: Vec<_> = groups.list(&t, all()).await.unwrap().into_iter().map(|g| g.name).collect();
        assert_eq!(names, vec!["Basic", "VIP"]);

        let gold =
            groups.update(&t, vip.id, PromoGroupSpec { name: "Gold".into(), discount_percent: 30 }).await.unwrap();
        assert_eq!((gold.name.as_str(), gold.discount_percent), ("Gold", 30));
        assert_conflict(
            groups.update(&t, basic.id, PromoGroupSpec { name: "Gold".into(), discount_percent: 1 }).await,
            "this tenant already has a promo group named Gold",
        );

        let member = user(&store, &t, 1).await;
        store.users().set_promo_group(&t, member.id, Some(gold.id)).await.unwrap();
        groups.delete(&t, gold.id).await.unwrap();
        assert_not_found(groups.get(&t, gold.id).await, "promo group");
        assert_eq!(store.users().get(&t, member.id).await.unwrap().promo_group, None);
        assert_not_found(groups.delete(&t, gold.id).await, "promo group");
    }
}

#[tokio::test]
async fn a_duplicate_promo_group_name_is_a_conflict_only_within_one_tenant() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "a").await;
        let (_, b) = testing::tenant(&store, "b").await;
        let spec = PromoGroupSpec { name: "VIP".into(), discount_percent: 10 };
        store.promo_groups().create(&a, spec.clone()).await.unwrap();
        assert_conflict(
            store.promo_groups().create(&a, spec.clone()).await,
            "this tenant already has a promo group named VIP",
        );
        store.promo_groups().create(&b, spec).await.unwrap();
        assert_eq!(store.promo_groups().list(&a, all()).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn bad_promo_group_input_is_refused_naming_the_field_and_writes_nothing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let groups = store.promo_groups();
        assert_invalid(groups.create(&t, PromoGroupSpec { name: " ".into(), discount_percent: 10 }).await, "name");
        assert_invalid(
            groups.create(&t, PromoGroupSpec { name: "x".into(), discount_percent: 101 }).await,
            "discount_percent",
        );
        assert!(groups.list(&t, all()).await.unwrap().is_empty());
        let g = groups.create(&t, PromoGroupSpec { name: "x".into(), discount_percent: 5 }).await.unwrap();
        assert_invalid(
            groups.update(&t, g.id, PromoGroupSpec { name: "y".into(), discount_percent: 200 }).await,
            "discount_percent",
        );
        assert_eq!(groups.get(&t, g.id).await.unwrap(), g);
    }
}

// ---------------------------------------------------------------------------------------------
// Promo codes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn promo_codes_are_normalised_and_can_be_found_listed_deactivated_and_deleted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let codes = store.promo_codes();
        // Created codes are taken exactly as given (the API's pattern says so); only case is
        // normalised. A customer's typed code is trimmed when redeemed.
        assert!(codes.create(&t, promo(" summer-25 ", PromoKind::Discount, 25, 0)).await.is_err());
        let p = codes.create(&t, promo("summer-25", PromoKind::Discount, 25, 0)).await.unwrap();
        assert_eq!(p.code, "SUMMER-25");
        assert_eq!((p.kind, p.value, p.max_uses, p.uses_count), (PromoKind::Discount, 25, 0, 0));
        assert!(p.is_active);
        codes.create(&t, promo("GIFT_DAYS", PromoKind::Days, 7, 10)).await.unwrap();

        assert_eq!(codes.get(&t, p.id).await.unwrap(), p);
        assert_eq!(codes.by_code(&t, "summer-25").await.unwrap().unwrap().id, p.id);
        assert!(codes.by_code(&t, "nope").await.unwrap().is_none());
        assert!(codes.by_code(&t, "!").await.unwrap().is_none());
        assert_eq!(codes.list(&t, all()).await.unwrap().len(), 2);

        assert!(!codes.set_active(&t, p.id, false).await.unwrap().is_active);
        assert!(codes.set_active(&t, p.id, true).await.unwrap().is_active);
        codes.delete(&t, p.id).await.unwrap();
        assert_not_found(codes.get(&t, p.id).await, "promo code");
        assert_eq!(codes.list(&t, all()).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_duplicate_promo_code_is_a_conflict_in_one_tenant_but_fine_in_another() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "a").await;
        let (_, b) = testing::tenant(&store, "b").await;
        store.promo_codes().create(&a, promo("SUMMER", PromoKind::Balance, 10_000, 0)).await.unwrap();
        assert_conflict(
            store.promo_codes().create(&a, promo("summer", PromoKind::Days, 3, 0)).await,
            "this tenant already has promo code SUMMER",
        );
        store.promo_codes().create(&b, promo("SUMMER", PromoKind::Days, 3, 0)).await.unwrap();
        assert_eq!(store.promo_codes().list(&a, all()).await.unwrap().len(), 1);
        assert_eq!(store.promo_codes().by_code(&a, "SUMMER").await.unwrap().unwrap().kind, PromoKind::Balance);
        assert_eq!(store.promo_codes().by_code(&b, "SUMMER").await.unwrap().unwrap().kind, PromoKind::Days);
    }
}

#[tokio::test]
async fn bad_promo_code_input_is_refused_naming_the_field_and_writes_nothing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let codes = store.promo_codes();
        assert_invalid(codes.create(&t, promo("AB", PromoKind::Days, 3, 0)).await, "code");
        assert_invalid(codes.create(&t, promo("HAS SPACE", PromoKind::Days, 3, 0)).await, "code");
        assert_invalid(codes.create(&t, promo(&"X".repeat(65), PromoKind::Days, 3, 0)).await, "code");
        assert_invalid(codes.create(&t, promo("CODE", PromoKind::Discount, 0, 0)).await, "value");
        assert_invalid(codes.create(&t, promo("CODE", PromoKind::Discount, 101, 0)).await, "value");
        assert_invalid(codes.create(&t, promo("CODE", PromoKind::Days, 0, 0)).await, "value");
        assert_invalid(codes.create(&t, promo("CODE", PromoKind::Balance, -5, 0)).await, "value");
        assert_invalid(codes.create(&t, promo("CODE", PromoKind::Days, 1, u32::MAX)).await, "max_uses");
        let now = Utc::now();
        let window = PromoCodeSpec {
            valid_from: Some(now),
            valid_until: Some(now - Duration::days(1)),
            ..promo("CODE", PromoKind::Days, 1, 0)
        };
        assert_invalid(codes.create(&t, window).await, "valid_until");
        assert!(codes.list(&t, all()).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn redeeming_checks_the_code_its_window_activity_and_once_per_customer() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let (_, other) = testing::tenant(&store, "other").await;
        let codes = store.promo_codes();
        let u = user(&store, &t, 1).await;
        let stranger = user(&store, &other, 2).await;
        let now = Utc::now();

        assert_not_found(codes.redeem(&t, "UNKNOWN", u.id, now).await, "promo code");
        assert_not_found(codes.redeem(&t, "?", u.id, now).await, "promo code");

        let later =
            PromoCodeSpec { valid_from: Some(now + Duration::days(1)), ..promo("LATER", PromoKind::Days, 3, 0) };
        codes.create(&t, later).await.unwrap();
        assert_conflict(codes.redeem(&t, "later", u.id, now).await, "not valid yet");
        let old = PromoCodeSpec { valid_until: Some(now - Duration::days(1)), ..promo("OLD", PromoKind::Days, 3, 0) };
        codes.create(&t, old).await.unwrap();
        assert_conflict(codes.redeem(&t, "OLD", u.id, now).await, "expired");
        let off = codes.create(&t, promo("OFF", PromoKind::Days, 3, 0)).await.unwrap();
        codes.set_active(&t, off.id, false).await.unwrap();
        assert_conflict(codes.redeem(&t, "OFF", u.id, now).await, "not active");

        let good = codes.create(&t, promo("GOOD", PromoKind::Balance, 5_000, 0)).await.unwrap();
        assert_not_found(codes.redeem(&t, "GOOD", stranger.id, now).await, "user");
        assert_not_found(codes.redeem(&other, "GOOD", stranger.id, now).await, "promo code");
        let after = codes.redeem(&t, "good", u.id, now).await.unwrap();
        assert_eq!(after.uses_count, 1);
        assert!(codes.used_by(&t, good.id, u.id).await.unwrap());
        assert_conflict(codes.redeem(&t, "GOOD", u.id, now).await, "you have already used this promo code");
        assert_eq!(codes.get(&t, good.id).await.unwrap().uses_count, 1);

        let one = codes.create(&t, promo("ONE", PromoKind::Days, 1, 1)).await.unwrap();
        let u2 = user(&store, &t, 3).await;
        codes.redeem(&t, "ONE", u.id, now).await.unwrap();
        assert_conflict(codes.redeem(&t, "ONE", u2.id, now).await, "this promo code has reached its usage limit");
        assert!(!codes.used_by(&t, one.id, u2.id).await.unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_redeems_of_a_five_use_code_let_exactly_five_through() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let p = store.promo_codes().create(&t, promo("FIVE", PromoKind::Days, 3, 5)).await.unwrap();
        let mut users = Vec::new();
        for tg in 0..20 {
            users.push(user(&store, &t, 100 + tg).await.id);
        }
        let now = Utc::now();
        let mut tasks = Vec::new();
        for u in users {
            let (s, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move { s.promo_codes().redeem(&t, "FIVE", u, now).await }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => ok += 1,
                Err(Error::Conflict(msg)) => {
                    assert_eq!(msg, "this promo code has reached its usage limit")
                }
                Err(e) => panic!("unexpected error: {e:?}"),
            }
        }
        assert_eq!(ok, 5);
        assert_eq!(store.promo_codes().get(&t, p.id).await.unwrap().uses_count, 5);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_redeems_by_one_customer_let_exactly_one_through() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let p = store.promo_codes().create(&t, promo("ONCE", PromoKind::Balance, 1000, 0)).await.unwrap();
        let u = user(&store, &t, 1).await.id;
        let now = Utc::now();
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (s, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move { s.promo_codes().redeem(&t, "ONCE", u, now).await }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => ok += 1,
                Err(Error::Conflict(msg)) => {
                    assert_eq!(msg, "you have already used this promo code")
                }
                Err(e) => panic!("unexpected error: {e:?}"),
            }
        }
        assert_eq!(ok, 1);
        assert_eq!(store.promo_codes().get(&t, p.id).await.unwrap().uses_count, 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Referral earnings
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn referral_earnings_are_recorded_once_per_source_transaction_and_totalled() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let (_, other) = testing::tenant(&store, "other").await;
        let earnings = store.referral_earnings();
        let referrer = user(&store, &t, 1).await;
        let referred = user(&store, &t, 2).await;
        let stranger = user(&store, &other, 3).await;
        let tx1 = store.transactions().create(&t, deposit(referred.id, 10_000)).await.unwrap().id;
        let tx2 = store.transactions().create(&t, deposit(referred.id, 20_000)).await.unwrap().id;
        let foreign_tx = store.transactions().create(&other, deposit(stranger.id, 1)).await.unwrap().id;

        assert!(earnings.record(&t, referrer.id, referred.id, Toman(1000), Some(tx1)).await.unwrap());
        assert!(!earnings.record(&t, referrer.id, referred.id, Toman(1000), Some(tx1)).await.unwrap());
        assert!(earnings.record(&t, referrer.id, referred.id, Toman(2000), Some(tx2)).await.unwrap());
        assert!(earnings.record(&t, referrer.id, referred.id, Toman(500), None).await.unwrap());

        let list = earnings.list_for_referrer(&t, referrer.id, all()).await.unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[2].source_transaction, Some(tx1));
        assert_eq!(earnings.total_for_referrer(&t, referrer.id).await.unwrap(), Toman(3500));
        assert_eq!(earnings.total_for_referrer(&t, referred.id).await.unwrap(), Toman::ZERO);

        assert_invalid(earnings.record(&t, referrer.id, referred.id, Toman(0), None).await, "amount");
        assert_invalid(earnings.record(&t, referrer.id, referrer.id, Toman(1), None).await, "referred");
        assert_not_found(earnings.record(&t, referrer.id, stranger.id, Toman(1), None).await, "user");
        assert_not_found(
            earnings.record(&t, referrer.id, referred.id, Toman(1), Some(foreign_tx)).await,
            "transaction",
        );
        assert_eq!(earnings.list_for_referrer(&t, referrer.id, all()).await.unwrap().len(), 3);
        assert!(earnings.list_for_referrer(&other, referrer.id, all()).await.unwrap().is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Card-to-card payments
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_card_payment_gets_a_tracking_code_and_can_be_found_and_listed() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let pays = store.card_payments();
        let u = user(&store, &t, 1).await;
        let c = card(&store, &t, "6037991234567890").await;
        let p = plan(&store, &t, "monthly").await;

        let top_up = pays.create(&t, card_payment(u.id, c, 150_000)).await.unwrap();
        assert_eq!(top_up.status, PaymentStatus::Pending);
        assert_eq!(top_up.tracking_code.len(), 10);
        assert!(top_up.tracking_code.chars().all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit()));
        assert!(top_up.receipt.is_none());
        let purchase =
            NewCardPayment { purpose: PaymentPurpose::Purchase, plan: Some(p), ..card_payment(u.id, c, 100_000) };
        let bought = pays.create(&t, purchase).await.unwrap();
        assert_eq!(bought.plan_id, Some(p));
        assert_ne!(bought.tracking_code, top_up.tracking_code);

        assert_eq!(pays.get(&t, top_up.id).await.unwrap(), top_up);
        let lower = top_up.tracking_code.to_lowercase();
        assert_eq!(pays.by_tracking_code(&t, &lower).await.unwrap().unwrap().id, top_up.id);
        assert!(pays.by_tracking_code(&t, "NOPE").await.unwrap().is_none());
        assert_eq!(pays.list(&t, None, all()).await.unwrap().len(), 2);
        assert_eq!(pays.list(&t, Some(PaymentStatus::Pending), all()).await.unwrap().len(), 2);
        assert!(pays.list(&t, Some(PaymentStatus::Approved), all()).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_card_payment_for_another_tenants_user_card_or_plan_is_refused() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "a").await;
        let (_, b) = testing::tenant(&store, "b").await;
        let ua = user(&store, &a, 1).await;
        let ub = user(&store, &b, 1).await;
        let ca = card(&store, &a, "6037990000000001").await;
        let cb = card(&store, &b, "6037990000000002").await;
        let pb = plan(&store, &b, "b-plan").await;
        let pays = store.card_payments();
        assert_not_found(pays.create(&a, card_payment(ub.id, ca, 1000)).await, "user");
        assert_not_found(pays.create(&a, card_payment(ua.id, cb, 1000)).await, "payment card");
        let purchase =
            NewCardPayment { purpose: PaymentPurpose::Purchase, plan: Some(pb), ..card_payment(ua.id, ca, 1000) };
        assert_not_found(pays.create(&a, purchase).await, "plan");
        assert!(pays.list(&a, None, all()).await.unwrap().is_empty());

        let own = pays.create(&a, card_payment(ua.id, ca, 1000)).await.unwrap();
        assert_not_found(pays.approve(&b, own.id, TgUserId(9), None, Utc::now()).await, "card-to-card payment");
        let foreign_tx = store.transactions().create(&b, deposit(ub.id, 1000)).await.unwrap().id;
        assert_not_found(pays.approve(&a, own.id, TgUserId(9), Some(foreign_tx), Utc::now()).await, "transaction");
        assert_eq!(pays.get(&a, own.id).await.unwrap().status, PaymentStatus::Pending);
    }
}

#[tokio::test]
async fn bad_card_payment_input_is_refused_naming_the_field_and_writes_nothing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let pays = store.card_payments();
        let u = user(&store, &t, 1).await;
        let c = card(&store, &t, "6037991111111111").await;
        let p = plan(&store, &t, "monthly").await;
        assert_invalid(pays.create(&t, card_payment(u.id, c, 0)).await, "amount");
        let past = NewCardPayment { expires_at: Utc::now() - Duration::minutes(1), ..card_payment(u.id, c, 10) };
        assert_invalid(pays.create(&t, past).await, "expires_at");
        let no_plan = NewCardPayment { purpose: PaymentPurpose::Purchase, ..card_payment(u.id, c, 10) };
        assert_invalid(pays.create(&t, no_plan).await, "plan");
        let top_up_with_plan = NewCardPayment { plan: Some(p), ..card_payment(u.id, c, 10) };
        assert_invalid(pays.create(&t, top_up_with_plan).await, "plan");
        assert!(pays.list(&t, None, all()).await.unwrap().is_empty());

        let pay = pays.create(&t, card_payment(u.id, c, 10)).await.unwrap();
        let no_file =
            Receipt { kind: ReceiptKind::Photo, file_id: None, file_unique_id: None, text: Some("caption".into()) };
        assert_invalid(pays.attach_receipt(&t, pay.id, no_file).await, "file_id");
        let no_text = Receipt { kind: ReceiptKind::Text, file_id: None, file_unique_id: None, text: Some(" ".into()) };
        assert_invalid(pays.attach_receipt(&t, pay.id, no_text).await, "text");
        assert_invalid(pays.reject(&t, pay.id, TgUserId(9), Some("r".repeat(1001)), Utc::now()).await, "reason");
        assert_eq!(pays.get(&t, pay.id).await.unwrap(), pay);
    }
}

#[tokio::test]
async fn a_receipt_sent_for_another_payment_is_found_by_its_file_or_its_text() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let pays = store.card_payments();
        let (first, second) = (user(&store, &t, 1).await, user(&store, &t, 2).await);
        let c = card(&store, &t, "6037993333333333").await;
        let photo_of = |unique: &str| Receipt {
            kind: ReceiptKind::Photo,
            file_id: Some(format!("AgAC{unique}")),
            file_unique_id: Some(unique.to_owned()),
            text: None,
        };
        let text =
            |t: &str| Receipt { kind: ReceiptKind::Text, file_id: None, file_unique_id: None, text: Some(t.into()) };
        let attach = async |u: UserId, receipt: Receipt| {
            let pay = pays.create(&t, card_payment(u, c, 10)).await.unwrap();
            pays.attach_receipt(&t, pay.id, receipt).await.unwrap()
        };

        let original = attach(first.id, photo_of("AQADone")).await;
        assert_eq!(original.receipt.as_ref().and_then(|r| r.file_unique_id.as_deref()), Some("AQADone"));
        let other_photo = attach(second.id, photo_of("AQADtwo")).await;
        let reused = attach(second.id, photo_of("AQADone")).await;
        assert_eq!(pays.same_receipt(&t, &original).await.unwrap().map(|p| p.id), Some(reused.id), "{backend:?}");
        assert_eq!(pays.same_receipt(&t, &reused).await.unwrap().map(|p| p.id), Some(original.id));
        assert_eq!(pays.same_receipt(&t, &other_photo).await.unwrap(), None);

        let by_text = attach(first.id, text("Ref: 44556677")).await;
        let again = attach(second.id, text("ref ۴۴۵۵۶۶۷۷")).await;
        assert_eq!(pays.same_receipt(&t, &again).await.unwrap().map(|p| p.id), Some(by_text.id));
        // Words without a reference number are not a receipt anyone can reuse.
        let paid = attach(first.id, text("paid")).await;
        let paid_too = attach(second.id, text("Paid!")).await;
        assert_eq!(pays.same_receipt(&t, &paid_too).await.unwrap(), None);
        assert_eq!(pays.same_receipt(&t, &paid).await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_receipt_can_be_attached_once_and_only_while_pending() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let pays = store.card_payments();
        let u = user(&store, &t, 1).await;
        let c = card(&store, &t, "6037992222222222").await;

        let pay = pays.create(&t, card_payment(u.id, c, 10)).await.unwrap();
        let with = pays.attach_receipt(&t, pay.id, photo()).await.unwrap();
        assert_eq!(with.receipt, Some(photo()));
        let text =
            Receipt { kind: ReceiptKind::Text, file_id: None, file_unique_id: None, text: Some("ref 123".into()) };
        assert_conflict(pays.attach_receipt(&t, pay.id, text.clone()).await, "a receipt is already attached");
        assert_eq!(pays.get(&t, pay.id).await.unwrap().receipt, Some(photo()));

        let rejected = pays.create(&t, card_payment(u.id, c, 10)).await.unwrap();
        pays.reject(&t, rejected.id, TgUserId(9), None, Utc::now()).await.unwrap();
        assert_conflict(pays.attach_receipt(&t, rejected.id, text.clone()).await, "already rejected");

        let expired = pays.create(&t, card_payment(u.id, c, 10)).await.unwrap();
        pays.expire_due(&t, Utc::now() + Duration::hours(2)).await.unwrap();
        assert_conflict(pays.attach_receipt(&t, expired.id, text).await, "expired");
        assert!(pays.get(&t, expired.id).await.unwrap().receipt.is_none());
    }
}

#[tokio::test]
async fn approving_twice_is_a_conflict_and_changes_nothing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let pays = store.card_payments();
        let u = user(&store, &t, 1).await;
        let c = card(&store, &t, "6037993333333333").await;
        let tx = store.transactions().create(&t, deposit(u.id, 10)).await.unwrap().id;
        let pay = pays.create(&t, card_payment(u.id, c, 10)).await.unwrap();
        pays.attach_receipt(&t, pay.id, photo()).await.unwrap();

        let now = Utc::now();
        let approved = pays.approve(&t, pay.id, TgUserId(900), Some(tx), now).await.unwrap();
        assert_eq!(approved.status, PaymentStatus::Approved);
        assert_eq!(approved.reviewed_by, Some(TgUserId(900)));
        assert_eq!(approved.transaction_id, Some(tx));
        assert!(approved.reviewed_at.is_some());

        let again = pays.approve(&t, pay.id, TgUserId(901), None, now + Duration::minutes(1)).await;
        assert_conflict(again, "this payment was already approved");
        assert_conflict(pays.reject(&t, pay.id, TgUserId(901), None, now).await, "already approved");
        assert_eq!(pays.get(&t, pay.id).await.unwrap(), approved);
        assert!(pays.expire_due(&t, now + Duration::days(1)).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn approving_after_a_rejection_is_a_conflict() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let pays = store.card_payments();
        let u = user(&store, &t, 1).await;
        let c = card(&store, &t, "6037994444444444").await;
        let pay = pays.create(&t, card_payment(u.id, c, 10)).await.unwrap();
        let now = Utc::now();
        let rejected = pays.reject(&t, pay.id, TgUserId(900), Some("blurry receipt".into()), now).await.unwrap();
        assert_eq!(rejected.status, PaymentStatus::Rejected);
        assert_eq!(rejected.reject_reason.as_deref(), Some("blurry receipt"));
        assert_conflict(pays.approve(&t, pay.id, TgUserId(900), None, now).await, "this payment was already rejected");
        assert_conflict(pays.reject(&t, pay.id, TgUserId(900), None, now).await, "already rejected");
        assert_eq!(pays.get(&t, pay.id).await.unwrap(), rejected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_approvals_and_rejections_let_exactly_one_review_through() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let u = user(&store, &t, 1).await;
        let c = card(&store, &t, "6037995555555555").await;
        let pay = store.card_payments().create(&t, card_payment(u.id, c, 10)).await.unwrap();
        let now = Utc::now();
        let mut tasks = Vec::new();
        for i in 0..10 {
            let (s, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    s.card_payments().approve(&t, pay.id, TgUserId(i), None, now).await
                } else {
                    s.card_payments().reject(&t, pay.id, TgUserId(i), None, now).await
                }
            }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(p) => winners.push(p),
                Err(Error::Conflict(msg)) => {
                    assert!(msg.starts_with("this payment was already"), "{msg}")
                }
                Err(e) => panic!("unexpected error: {e:?}"),
            }
        }
        assert_eq!(winners.len(), 1);
        assert_eq!(store.card_payments().get(&t, pay.id).await.unwrap(), winners[0]);
    }
}

#[tokio::test]
async fn due_payments_expire_exactly_once_and_then_cannot_be_approved() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let pays = store.card_payments();
        let u = user(&store, &t, 1).await;
        let c = card(&store, &t, "6037996666666666").await;
        let now = Utc::now();
        let soon = pays
            .create(&t, NewCardPayment { expires_at: now + Duration::minutes(10), ..card_payment(u.id, c, 10) })
            .await
            .unwrap();
        let later = pays
            .create(&t, NewCardPayment { expires_at: now + Duration::hours(5), ..card_payment(u.id, c, 10) })
            .await
            .unwrap();
        let reviewed = pays
            .create(&t, NewCardPayment { expires_at: now + Duration::minutes(5), ..card_payment(u.id, c, 10) })
            .await
            .unwrap();
        pays.approve(&t, reviewed.id, TgUserId(1), None, now).await.unwrap();

        assert!(pays.expire_due(&t, now).await.unwrap().is_empty());
        let expired = pays.expire_due(&t, now + Duration::hours(1)).await.unwrap();
        assert_eq!(expired.iter().map(|p| p.id).collect::<Vec<_>>(), vec![soon.id]);
        assert_eq!(expired[0].status, PaymentStatus::Expired);
        assert!(pays.expire_due(&t, now + Duration::hours(1)).await.unwrap().is_empty());
        assert_conflict(pays.approve(&t, soon.id, TgUserId(1), None, now).await, "this payment has expired");
        assert_eq!(pays.get(&t, later.id).await.unwrap().status, PaymentStatus::Pending);
        assert_eq!(pays.get(&t, reviewed.id).await.unwrap().status, PaymentStatus::Approved);
        assert_eq!(pays.list(&t, Some(PaymentStatus::Expired), all()).await.unwrap().len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Zarinpal payments
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn zarinpal_payments_are_marked_paid_or_failed_exactly_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let (_, other) = testing::tenant(&store, "other").await;
        let zp = store.zarinpal_payments();
        let u = user(&store, &t, 1).await;
        let pay = zp.create(&t, zarinpal(u.id, "A00000000000000000000000000000123456")).await.unwrap();
        assert_eq!(pay.status, ZarinpalStatus::Pending);
        assert_eq!(zp.get(&t, pay.id).await.unwrap(), pay);
        assert_eq!(zp.by_authority(&t, "A00000000000000000000000000000123456").await.unwrap().unwrap().id, pay.id);
        assert!(zp.by_authority(&other, "A00000000000000000000000000000123456").await.unwrap().is_none());

        let now = Utc::now();
        assert!(zp.mark_paid(&t, pay.id, 201, Some("6037****1234".into()), now).await.unwrap());
        assert!(!zp.mark_paid(&t, pay.id, 202, None, now).await.unwrap());
        assert!(!zp.mark_failed(&t, pay.id).await.unwrap());
        let paid = zp.get(&t, pay.id).await.unwrap();
        assert_eq!(
            (paid.status, paid.ref_id, paid.card_pan.as_deref()),
            (ZarinpalStatus::Paid, Some(201), Some("6037****1234"))
        );
        assert!(paid.paid_at.is_some());
        assert_not_found(zp.mark_paid(&other, pay.id, 1, None, now).await, "Zarinpal payment");

        let tx = store.transactions().create(&t, deposit(u.id, 50_000)).await.unwrap().id;
        assert_eq!(zp.link_transaction(&t, pay.id, tx).await.unwrap().transaction_id, Some(tx));
        assert_eq!(zp.link_transaction(&t, pay.id, tx).await.unwrap().transaction_id, Some(tx));
        let tx2 = store.transactions().create(&t, deposit(u.id, 1).clone()).await.unwrap().id;
        assert_conflict(zp.link_transaction(&t, pay.id, tx2).await, "already linked");
        assert_not_found(zp.link_transaction(&t, pay.id, TransactionId(tx2.0 + 1000)).await, "transaction");

        let cancelled = zp.create(&t, zarinpal(u.id, "A2")).await.unwrap();
        assert!(zp.mark_failed(&t, cancelled.id).await.unwrap());
        assert!(!zp.mark_paid(&t, cancelled.id, 5, None, now).await.unwrap());
        assert_eq!(zp.list(&t, None, all()).await.unwrap().len(), 2);
        assert_eq!(zp.list(&t, Some(ZarinpalStatus::Failed), all()).await.unwrap()[0].id, cancelled.id);
        assert!(zp.list(&t, Some(ZarinpalStatus::Pending), all()).await.unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_zarinpal_verifications_mark_a_payment_paid_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let u = user(&store, &t, 1).await;
        let pay = store.zarinpal_payments().create(&t, zarinpal(u.id, "RACE")).await.unwrap();
        let now = Utc::now();
        let mut tasks = Vec::new();
        for i in 0..10 {
            let (s, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move { s.zarinpal_payments().mark_paid(&t, pay.id, i, None, now).await }));
        }
        let mut won = 0;
        for task in tasks {
            won += usize::from(task.await.unwrap().unwrap());
        }
        assert_eq!(won, 1);
    }
}

#[tokio::test]
async fn bad_or_duplicate_zarinpal_input_is_refused_and_writes_nothing() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "a").await;
        let (_, b) = testing::tenant(&store, "b").await;
        let zp = store.zarinpal_payments();
        let ua = user(&store, &a, 1).await;
        let ub = user(&store, &b, 1).await;
        let pb = plan(&store, &b, "b-plan").await;
        assert_invalid(zp.create(&a, zarinpal(ua.id, " ")).await, "authority");
        assert_invalid(zp.create(&a, zarinpal(ua.id, &"A".repeat(65))).await, "authority");
        assert_invalid(zp.create(&a, NewZarinpalPayment { amount: Toman(-1), ..zarinpal(ua.id, "X") }).await, "amount");
        assert_not_found(zp.create(&a, zarinpal(ub.id, "X")).await, "user");
        let foreign_plan =
            NewZarinpalPayment { purpose: PaymentPurpose::Purchase, plan: Some(pb), ..zarinpal(ua.id, "X") };
        assert_not_found(zp.create(&a, foreign_plan).await, "plan");
        assert!(zp.list(&a, None, all()).await.unwrap().is_empty());

        zp.create(&a, zarinpal(ua.id, "SAME")).await.unwrap();
        assert_conflict(
            zp.create(&a, zarinpal(ua.id, "SAME")).await,
            "already has a Zarinpal payment with authority SAME",
        );
        zp.create(&b, zarinpal(ub.id, "SAME")).await.unwrap();
        assert_eq!(zp.list(&a, None, all()).await.unwrap().len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Telegram Stars payments (reading them; taking and refunding them is in online_payments.rs)
// ---------------------------------------------------------------------------------------------

struct PaidTexts;

impl remnabot_store::sales::online::OnlineTexts for PaidTexts {
    fn online_paid(&self, _: Language, _: remnabot_store::sales::PayMethod, _: Toman, _: Option<Toman>) -> String {
        "paid".to_owned()
    }
    fn stars_refunded(&self, _: Language, _: i64) -> String {
        "refunded".to_owned()
    }
}

#[tokio::test]
async fn stars_payments_are_listed_newest_first_by_status_read_by_id_and_counted() {
    use remnabot_store::sales::online::StarsStatus;
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "shop").await;
        let (_, other) = testing::tenant(&store, "other").await;
        for tenant in [&t, &other] {
            store.flags().set(tenant, remnabot_domain::FeatureKey::TelegramStars, true, None).await.unwrap();
            store.configs().set(tenant, "stars_rate", serde_json::json!(1000)).await.unwrap();
        }
        let sales = store.sales();
        let u = user(&store, &t, 41).await;
        let p = plan(&store, &t, "Gold").await;
        let bought =
            sales.start_stars_payment(&t, u.id, PaymentPurpose::Purchase, Some(p), None, now_us()).await.unwrap();
        let top_up = sales
            .start_stars_payment(&t, u.id, PaymentPurpose::TopUp, None, Some(Toman(50_000)), now_us())
            .await
            .unwrap();
        sales
            .complete_stars(&t, &bought.payload, "charge-41", bought.stars, "XTR", &PaidTexts, now_us())
            .await
            .unwrap();
        let foreign_user = user(&store, &other, 41).await;
        let foreign = sales
            .start_stars_payment(&other, foreign_user.id, PaymentPurpose::TopUp, None, Some(Toman(50_000)), now_us())
            .await
            .unwrap();

        let listed = sales.stars_payments(&t, None, all()).await.unwrap();
        assert_eq!(listed.iter().map(|x| x.id).collect::<Vec<_>>(), vec![top_up.id, bought.id], "{backend:?}");
        let paid = sales.stars_payments(&t, Some(StarsStatus::Paid), all()).await.unwrap();
        assert_eq!(paid.len(), 1);
        assert_eq!(paid[0].telegram_charge_id.as_deref(), Some("charge-41"));
        assert!(paid[0].paid_at.is_some() && paid[0].transaction_id.is_some());
        assert!(sales.stars_payments(&t, Some(StarsStatus::Refunded), all()).await.unwrap().is_empty());
        assert_eq!(sales.stars_payments(&t, None, Page::new(1, 1)).await.unwrap()[0].id, bought.id);

        let read = sales.stars_payment(&t, top_up.id).await.unwrap();
        assert_eq!(read, top_up, "{backend:?}");
        assert_eq!((read.amount, read.stars, read.status), (Toman(50_000), 50, StarsStatus::Pending));
        assert_not_found(sales.stars_payment(&t, foreign.id).await, "Telegram Stars payment");
        assert_not_found(sales.stars_payment(&t, PaymentId(foreign.id.0 + 1000)).await, "Telegram Stars payment");

        let counts = store.stats().stars_payments_by_status(&t).await.unwrap();
        assert_eq!(counts.get("pending"), Some(&1), "{backend:?}: {counts:?}");
        assert_eq!(counts.get("paid"), Some(&1));
        assert_eq!(counts.get("refunded"), None);
        assert_eq!(store.stats().stars_payments_by_status(&other).await.unwrap().get("pending"), Some(&1));
    }
}
