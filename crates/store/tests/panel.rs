#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The services behind the tenant's admin panel and the API routes it shares: the dashboard's
//! figures, the audit log written by every change, plans' order and removal, and the
//! subscription changes that go through the provisioning outbox. On SQLite and, when
//! `TEST_DATABASE_URL` is set, on PostgreSQL.

use chrono::{DateTime, Duration, Utc};
use remnabot_domain::config::Language;
use remnabot_domain::{Error, Page, PlanId, Tenant, TgUserId, Toman, UserId};
use remnabot_store::audit::Actor;
use remnabot_store::dashboard::SaleMethod;
use remnabot_store::entity::{subscription, transaction, user};
use remnabot_store::ledger::Posting;
use remnabot_store::outbox::{Limits, ProvisionReason};
use remnabot_store::plans::PlanSpec;
use remnabot_store::subscriptions::{NewSubscription, SubscriptionStatus};
use remnabot_store::tickets::{NewMessage, TicketStatus};
use remnabot_store::transactions::{NewTransaction, TransactionKind};
use remnabot_store::users::{NewUser, User};
use remnabot_store::{Store, testing};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const ADMIN: Actor = Actor::Admin(TgUserId(4242));

async fn customer(store: &Store, t: &Tenant, tg: i64) -> User {
    let new = NewUser {
        telegram_id: TgUserId(tg),
        username: Some(format!("user{tg}")),
        first_name: Some(format!("Name{tg}")),
        language: Language::En,
        referred_by: None,
    };
    store.users().register(t, new).await.unwrap().0
}

fn plan_spec(name: &str, sort_order: i32) -> PlanSpec {
    PlanSpec {
        name: name.to_owned(),
        description: None,
        period_days: 30,
        traffic_gb: 50,
        device_limit: 2,
        price: Toman(100_000),
        sort_order,
    }
}

/// A completed sale of `amount` by `method`, recorded at `at`.
async fn sale(store: &Store, t: &Tenant, user: UserId, method: &str, amount: i64, at: DateTime<Utc>) {
    let tx = store
        .transactions()
        .create(
            t,
            NewTransaction {
                user,
                kind: TransactionKind::Purchase,
                amount: Toman(amount),
                payment_method: Some(method.to_owned()),
                description: None,
                external_id: None,
                completed: true,
                plan: None,
            },
        )
        .await
        .unwrap();
    transaction::Entity::update_many()
        .col_expr(transaction::Column::CreatedAt, Expr::value(at))
        .filter(transaction::Column::Id.eq(tx.id.0))
        .exec(store.raw_connection())
        .await
        .unwrap();
}

async fn set_user_times(store: &Store, id: UserId, created: DateTime<Utc>, trial: Option<DateTime<Utc>>) {
    user::Entity::update_many()
        .col_expr(user::Column::CreatedAt, Expr::value(created))
        .col_expr(user::Column::TrialStartedAt, Expr::value(trial))
        .filter(user::Column::Id.eq(id.0))
        .exec(store.raw_connection())
        .await
        .unwrap();
}

async fn subscription_until(store: &Store, t: &Tenant, user: UserId, expires_at: DateTime<Utc>) {
    let now = Utc::now();
    let sub = store
        .subscriptions()
        .create(
            t,
            NewSubscription {
                user,
                plan: None,
                is_trial: false,
                starts_at: now - Duration::days(60),
                expires_at,
                traffic_limit_bytes: 0,
                device_limit: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(sub.user_id, user);
}

#[tokio::test]
async fn the_dashboard_counts_each_window_by_method_and_leaves_other_tenants_out() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Alpha").await;
        let (_, other) = testing::tenant(&store, "Beta").await;
        let now = Utc::now();
        let a = customer(&store, &t, 1).await;
        let b = customer(&store, &t, 2).await;
        let old = customer(&store, &t, 3).await;
        set_user_times(&store, old.id, now - Duration::days(40), None).await;
        // Trials: `a` today and paid since, `b` ten days ago and paid only before it (and once
        // for free after). "Today" starts at Tehran's midnight: a second ago is today unless
        // the test runs in the very second after it.
        set_user_times(&store, a.id, now - Duration::seconds(2), Some(now - Duration::seconds(2))).await;
        set_user_times(&store, b.id, now - Duration::days(10), Some(now - Duration::days(10))).await;

        sale(&store, &t, a.id, "card_to_card", 150_000, now - Duration::seconds(1)).await;
        sale(&store, &t, a.id, "zarinpal", 90_000, now - Duration::days(3)).await;
        sale(&store, &t, b.id, "telegram_stars", 70_000, now - Duration::days(20)).await;
        sale(&store, &t, b.id, "balance", 0, now - Duration::days(2)).await;
        sale(&store, &t, b.id, "card_to_card", 500_000, now - Duration::days(45)).await;
        // Another tenant's sale and customer count nowhere here.
        let stranger = customer(&store, &other, 9).await;
        sale(&store, &other, stranger.id, "card_to_card", 999_000, now).await;

        subscription_until(&store, &t, a.id, now + Duration::days(2)).await;
        subscription_until(&store, &t, b.id, now + Duration::days(20)).await;
        subscription_until(&store, &t, old.id, now - Duration::days(1)).await;

        let f = store.dashboard().figures(&t, now).await.unwrap();
        let method = |w: &remnabot_store::dashboard::WindowFigures, m: SaleMethod| {
            w.sales.iter().find(|s| s.method == m).map(|s| (s.count, s.total.0)).unwrap()
        };
        assert_eq!((f.today.sales_count, f.today.sales_total), (1, Toman(150_000)), "{backend:?}");
        assert_eq!(method(&f.today, SaleMethod::CardToCard), (1, 150_000));
        assert_eq!((f.last_7_days.sales_count, f.last_7_days.sales_total), (3, Toman(240_000)));
        assert_eq!(method(&f.last_7_days, SaleMethod::Zarinpal), (1, 90_000));
        assert_eq!(method(&f.last_7_days, SaleMethod::Free), (1, 0), "a sale at zero is free");
        assert_eq!(method(&f.last_7_days, SaleMethod::Balance), (0, 0));
        assert_eq!((f.last_30_days.sales_count, f.last_30_days.sales_total), (4, Toman(310_000)));
        assert_eq!(method(&f.last_30_days, SaleMethod::TelegramStars), (1, 70_000));

        assert_eq!(
            (f.today.new_customers, f.last_7_days.new_customers, f.last_30_days.new_customers),
            (1, 1, 2),
            "{backend:?}"
        );
        assert_eq!((f.today.trials, f.today.trials_converted), (1, 1));
        assert_eq!((f.last_30_days.trials, f.last_30_days.trials_converted), (2, 1));
        assert_eq!(f.last_30_days.conversion_percent(), Some(50));

        assert_eq!(f.subscriptions.active, 2);
        assert_eq!(f.subscriptions.expiring_soon, 1);
        assert_eq!(f.subscriptions.expired, 1, "past its expiry, whatever its status says");
        assert_eq!((f.pending_receipts, f.open_tickets), (0, 0));
        assert_eq!(f.wallet.days_covered, None, "nothing charged in 7 days");
    }
}

#[tokio::test]
async fn the_wallet_covers_days_at_the_last_weeks_rate_and_open_tickets_are_counted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Alpha").await;
        store.wallets().credit(&t, Toman(700_000), "deposit", "d1").await.unwrap();
        // 70,000 a week is 10,000 a day: 630,000 left covers 63 days.
        store.wallets().debit(&t, Toman(70_000), "wholesale", "w1").await.unwrap();
        let u = customer(&store, &t, 5).await;
        let message = |text: &str| NewMessage {
            from_admin: false,
            sender_telegram_id: TgUserId(5),
            text: Some(text.to_owned()),
            media_file_id: None,
        };
        store.tickets().open(&t, u.id, "Help", message("Help")).await.unwrap();
        let (closed, _) = store.tickets().open(&t, u.id, "Old", message("Old")).await.unwrap();
        store.tickets().close(&t, closed.id).await.unwrap();

        let f = store.dashboard().figures(&t, Utc::now()).await.unwrap();
        assert_eq!(f.wallet.balance, Toman(630_000), "{backend:?}");
        assert_eq!(f.wallet.charged_7_days, Toman(70_000));
        assert_eq!(f.wallet.days_covered, Some(63));
        assert_eq!(f.open_tickets, 1);
        assert_eq!(store.tickets().get(&t, closed.id).await.unwrap().status, TicketStatus::Closed);
    }
}

#[tokio::test]
async fn every_change_through_the_service_is_in_the_audit_log_with_before_and_after() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Alpha").await;
        let changes = store.changes(ADMIN);
        let plan = changes.create_plan(&t, plan_spec("Gold", 0)).await.unwrap();
        changes.update_plan(&t, plan.id, PlanSpec { price: Toman(120_000), ..plan_spec("Gold", 0) }).await.unwrap();
        store.changes(Actor::TenantApi).set_config(&t, "welcome_text", serde_json::json!("Hi")).await.unwrap();

        let entries = store.audit().list(&t, Page::default()).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["config.set", "plan.update", "plan.create"], "{backend:?}: newest first");
        assert_eq!(entries[0].actor, Actor::TenantApi);
        assert_eq!(entries[1].actor, ADMIN);
        assert_eq!(entries[1].before.as_ref().unwrap()["price"], 100_000);
        assert_eq!(entries[1].after.as_ref().unwrap()["price"], 120_000);
        assert_eq!(entries[2].before, None, "created");
        // A refused change records nothing.
        let refused = changes.update_plan(&t, plan.id, PlanSpec { period_days: 0, ..plan_spec("Gold", 0) }).await;
        assert!(matches!(refused, Err(Error::Invalid { .. })), "{refused:?}");
        assert_eq!(store.audit().count(&t).await.unwrap(), 3);
    }
}

#[tokio::test]
async fn a_balance_credit_pressed_twenty_times_at_once_applies_and_is_recorded_once() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Alpha").await;
        let u = customer(&store, &t, 7).await;
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (store, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                let posting = Posting::credit(Toman(25_000), "adjustment", "panel:balance:NONCE12345").unwrap();
                store.changes(ADMIN).post_balance(&t, u.id, posting.described("goodwill")).await
            }));
        }
        let mut applied = 0;
        for task in tasks {
            if task.await.unwrap().unwrap().newly_applied {
                applied += 1;
            }
        }
        assert_eq!(applied, 1, "{backend:?}");
        assert_eq!(store.users().get(&t, u.id).await.unwrap().balance, Toman(25_000));
        let entries = store.audit().list(&t, Page::default()).await.unwrap();
        assert_eq!(entries.len(), 1, "{backend:?}: recorded once");
        assert_eq!(entries[0].after.as_ref().unwrap()["balance"], 25_000);
        assert_eq!(entries[0].before.as_ref().unwrap()["balance"], 0);
    }
}

#[tokio::test]
async fn plans_move_one_place_at_a_time_and_a_plan_in_use_is_not_deleted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Alpha").await;
        let changes = store.changes(ADMIN);
        // Ties and gaps in the API's sort orders do not stop a move.
        let a = changes.create_plan(&t, plan_spec("A", 5)).await.unwrap();
        let b = changes.create_plan(&t, plan_spec("B", 5)).await.unwrap();
        let c = changes.create_plan(&t, plan_spec("C", 100)).await.unwrap();
        let order = |plans: Vec<remnabot_store::plans::Plan>| plans.into_iter().map(|p| p.name).collect::<Vec<_>>();
        changes.move_plan(&t, c.id, true).await.unwrap();
        assert_eq!(order(store.plans().list(&t, false, Page::default()).await.unwrap()), ["A", "C", "B"]);
        changes.move_plan(&t, a.id, true).await.unwrap();
        assert_eq!(order(store.plans().list(&t, false, Page::default()).await.unwrap()), ["A", "C", "B"], "top");
        changes.move_plan(&t, a.id, false).await.unwrap();
        assert_eq!(order(store.plans().list(&t, false, Page::default()).await.unwrap()), ["C", "A", "B"]);

        // A sale of B (a balance purchase leaves no payment row) keeps B.
        let u = customer(&store, &t, 8).await;
        store
            .transactions()
            .create(
                &t,
                NewTransaction {
                    user: u.id,
                    kind: TransactionKind::Purchase,
                    amount: Toman(100_000),
                    payment_method: Some("balance".to_owned()),
                    description: None,
                    external_id: None,
                    completed: true,
                    plan: Some(b.id),
                },
            )
            .await
            .unwrap();
        assert_eq!(store.plans().usage(&t, b.id).await.unwrap().orders, 1, "{backend:?}");
        assert_eq!(store.plans().sales_counts(&t, &[a.id, b.id]).await.unwrap().get(&b.id), Some(&1));
        let refused = changes.delete_plan(&t, b.id).await;
        assert!(matches!(refused, Err(Error::Conflict(_))), "{backend:?}: {refused:?}");
        assert!(store.plans().get(&t, b.id).await.is_ok());
        changes.delete_plan(&t, c.id).await.unwrap();
        assert!(matches!(store.plans().get(&t, c.id).await, Err(Error::NotFound { .. })));
        assert!(matches!(store.plans().get(&t, PlanId(c.id.0 + 100)).await, Err(Error::NotFound { .. })));
    }
}

#[tokio::test]
async fn subscription_changes_are_queued_for_the_panel_once_per_key() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Alpha").await;
        let changes = store.changes(ADMIN);
        let u = customer(&store, &t, 11).await;
        let plan = changes.create_plan(&t, plan_spec("Gold", 0)).await.unwrap();
        let now = Utc::now();

        // Granting twice from one confirmation provisions once.
        let first = changes.grant(&t, u.id, plan.id, "panel:grant:AAAAAAAAAA", now).await.unwrap();
        let again = changes.grant(&t, u.id, plan.id, "panel:grant:AAAAAAAAAA", now).await.unwrap();
        assert!(first.newly_applied && !again.newly_applied, "{backend:?}");
        assert_eq!(first.entry.id, again.entry.id);
        let sub = first.subscription.id;
        assert_eq!(first.subscription.traffic_limit_bytes, 50 << 30);

        let limits = Limits { traffic_limit_bytes: Some(0), device_limit: Some(5) };
        let changed = changes.set_limits(&t, sub, limits, "panel:limits:BBBBBBBBBB", now).await.unwrap();
        assert_eq!((changed.subscription.traffic_limit_bytes, changed.subscription.device_limit), (0, 5));
        let bad =
            changes.set_limits(&t, sub, Limits { device_limit: Some(0), ..Limits::default() }, "k-bad", now).await;
        assert!(matches!(bad, Err(Error::Invalid { .. })), "{bad:?}");

        subscription::Entity::update_many()
            .col_expr(subscription::Column::TrafficUsedBytes, Expr::value(7_i64 << 30))
            .col_expr(subscription::Column::Status, Expr::value("limited"))
            .exec(store.raw_connection())
            .await
            .unwrap();
        let reset = changes.reset_traffic(&t, sub, "panel:reset:CCCCCCCCCC", now).await.unwrap();
        assert_eq!(reset.entry.reason, ProvisionReason::TrafficReset);
        assert_eq!((reset.subscription.traffic_used_bytes, reset.subscription.status), (0, SubscriptionStatus::Active));

        let off = changes.set_enabled(&t, sub, false, "panel:off:DDDDDDDDDD", now).await.unwrap();
        assert_eq!(off.subscription.status, SubscriptionStatus::Disabled);
        let on = changes.set_enabled(&t, sub, true, "panel:on:EEEEEEEEEE", now).await.unwrap();
        assert_eq!(on.subscription.status, SubscriptionStatus::Active);

        let entries = store.provisioning().list(&t, None, Page::default()).await.unwrap();
        assert_eq!(entries.len(), 5, "{backend:?}: grant, limits, reset, off, on");
        let audit: Vec<String> =
            store.audit().list(&t, Page::default()).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(
            audit,
            [
                "subscription.enable",
                "subscription.disable",
                "subscription.reset_traffic",
                "subscription.limits",
                "subscription.grant",
                "plan.create"
            ],
            "{backend:?}"
        );
    }
}
