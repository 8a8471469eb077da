//! On PostgreSQL, each hot look-up goes through the index meant for it even on tables that
//! have no statistics yet (a fresh table, or autovacuum off). Without statistics the planner
//! takes `bot_id = X` to match 0.5 % of the rows, so every index starting with `bot_id` looks
//! as good as the look-up's own; these tests run the repositories' real statements (recorded
//! as sent) through `EXPLAIN` on unanalyzed tables where one tenant owns 2,000 customers, and
//! check the index each one uses and that none reads the tenant's rows one by one.
//! PostgreSQL only: skipped when `TEST_DATABASE_URL` is unset.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use chrono::Utc;
use remnabot_domain::{Tenant, TgUserId, UserId};
use remnabot_store::{Backend, Store, testing};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;

const CUSTOMERS: i64 = 2_000;

/// Every (node type, relation, index) of a plan tree.
fn nodes(plan: &Value, out: &mut Vec<(String, String, String)>) {
    let s = |k: &str| plan[k].as_str().unwrap_or_default().to_owned();
    out.push((s("Node Type"), s("Relation Name"), s("Index Name")));
    for child in plan["Plans"].as_array().into_iter().flatten() {
        nodes(child, out);
    }
}

/// The plan of `st` as PostgreSQL would run it now, with its parameters.
async fn explain(store: &Store, st: &Statement) -> Vec<(String, String, String)> {
    let values = st.values.clone().map(|v| v.0).unwrap_or_default();
    let sql = format!("EXPLAIN (FORMAT JSON) {}", st.sql);
    let row = store
        .raw_connection()
        .query_one_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, values))
        .await
        .unwrap()
        .unwrap();
    let plan: Value = row.try_get_by_index(0).unwrap();
    let mut out = Vec::new();
    nodes(&plan[0]["Plan"], &mut out);
    out
}

struct Checker {
    store: Store,
    log: Arc<Mutex<Vec<Statement>>>,
}

impl Checker {
    /// Runs `call`, then checks every statement it sent that reads `table`: the plan uses
    /// `index` on it and never scans it sequentially.
    async fn check<F: std::future::Future>(&self, what: &str, table: &str, index: &str, call: F) -> F::Output {
        self.log.lock().unwrap().clear();
        let out = call.await;
        let sent: Vec<Statement> = self.log.lock().unwrap().drain(..).collect();
        let reading: Vec<&Statement> = sent
            .iter()
            .filter(|st| st.sql.contains(&format!("FROM \"{table}\"")) || st.sql.starts_with("UPDATE"))
            .collect();
        assert!(!reading.is_empty(), "{what}: no statement on {table}: {sent:#?}");
        for st in reading {
            let plan = explain(&self.store, st).await;
            assert!(
                !plan.iter().any(|(node, rel, _)| node == "Seq Scan" && rel == table),
                "{what}: a sequential scan of {table}: {plan:?}\n{}",
                st.sql
            );
            assert!(
                // A bitmap index scan names the index but not the table.
                plan.iter().any(|(_, _, idx)| idx == index),
                "{what}: {table} is not read through {index}: {plan:?}\n{}",
                st.sql
            );
        }
        out
    }
}

/// Two tenants, the first with [`CUSTOMERS`] customers, each with a subscription, a done
/// provisioning entry, a sent message, a Zarinpal and a Stars payment and a dialogue, written
/// in bulk so no statistics are gathered on the way.
async fn seed(store: &Store, big: &Tenant, small: &Tenant) {
    let db = store.raw_connection();
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT tablename::text AS t FROM pg_tables WHERE schemaname = current_schema()".to_owned(),
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    for t in tables {
        db.execute_unprepared(&format!("ALTER TABLE \"{t}\" SET (autovacuum_enabled = false)")).await.unwrap();
    }
    for (t, n) in [(big, CUSTOMERS), (small, 20)] {
        let b = t.bot_id().0;
        let card = store.cards().create(t, testing::card_spec(u64::try_from(b).unwrap())).await.unwrap();
        for sql in [
            format!(
                "INSERT INTO users (bot_id, created_at, telegram_id, language, referral_code, updated_at) \
                 SELECT {b}, now(), 100000 + g, 'fa', 'R' || {b} || 'X' || g, now() FROM generate_series(1, {n}) g"
            ),
            format!(
                "INSERT INTO subscriptions (bot_id, created_at, user_id, status, is_trial, starts_at, expires_at, \
                 device_limit, updated_at) SELECT bot_id, now(), id, 'active', false, now(), now() + interval '30 days', \
                 1, now() FROM users WHERE bot_id = {b}"
            ),
            format!(
                "INSERT INTO provisioning_outbox (bot_id, created_at, subscription_id, reason, status, attempts, \
                 next_attempt_at, idempotency_key, done_at) SELECT bot_id, now(), id, 'purchase', 'done', 1, now(), \
                 'order-' || id, now() FROM subscriptions WHERE bot_id = {b}"
            ),
            format!(
                "INSERT INTO notification_outbox (bot_id, created_at, chat_id, text, status, attempts, next_attempt_at, \
                 idempotency_key, done_at) SELECT bot_id, now(), telegram_id, 'hello', 'done', 1, now(), 'note-' || id, \
                 now() FROM users WHERE bot_id = {b}"
            ),
            format!(
                "INSERT INTO zarinpal_payments (bot_id, created_at, user_id, amount, authority, status, purpose) \
                 SELECT bot_id, now(), id, 1000, 'A' || lpad(id::text, 35, '0'), 'paid', 'top_up' FROM users \
                 WHERE bot_id = {b}"
            ),
            format!(
                "INSERT INTO stars_payments (bot_id, created_at, user_id, amount, stars, payload, status, purpose) \
                 SELECT bot_id, now(), id, 1000, 10, 'stars-' || id, 'paid', 'top_up' FROM users WHERE bot_id = {b}"
            ),
            format!(
                "INSERT INTO card_to_card_payments (bot_id, created_at, user_id, card_id, amount, tracking_code, \
                 status, purpose, expires_at) SELECT bot_id, now(), id, {}, 1000, 'T' || id, 'approved', 'top_up', \
                 now() FROM users WHERE bot_id = {b}",
                card.id
            ),
            format!(
                "INSERT INTO dialogues (bot_id, created_at, chat_id, state, updated_at) \
                 SELECT bot_id, now(), telegram_id, '\"Idle\"', now() FROM users WHERE bot_id = {b}"
            ),
        ] {
            db.execute_unprepared(&sql).await.unwrap_or_else(|e| panic!("{e}: {sql}"));
        }
    }
}

#[tokio::test]
async fn hot_lookups_use_their_own_index_on_tables_without_statistics() {
    if !testing::backends().contains(&Backend::Postgres) {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    }
    let mut store = testing::store(Backend::Postgres).await;
    let log = testing::record_statements(&mut store);
    let (_, big) = testing::tenant(&store, "Big").await;
    let (_, small) = testing::tenant(&store, "Small").await;
    seed(&store, &big, &small).await;
    let c = Checker { store: store.clone(), log };
    let now = Utc::now();
    let customer = store.users().by_telegram_id(&big, TgUserId(100_500)).await.unwrap().unwrap();

    // `/start` and every update: the customer by Telegram id, known or new.
    let known = c
        .check("a known customer", "users", "ux_users_telegram", store.users().by_telegram_id(&big, TgUserId(100_007)))
        .await;
    assert!(known.unwrap().is_some());
    let new = c
        .check("a new customer", "users", "ux_users_telegram", store.users().by_telegram_id(&big, TgUserId(9_999_999)))
        .await;
    assert!(new.unwrap().is_none());
    // `/start ref_<code>`: the inviter by referral code.
    let code = format!("R{}X500", big.bot_id().0);
    let inviter =
        c.check("an inviter", "users", "ux_users_referral", store.users().by_referral_code(&big, &code)).await;
    assert_eq!(inviter.unwrap().map(|u| u.id), Some(customer.id));
    // The customer's subscriptions.
    let current = c
        .check(
            "the current subscription",
            "subscriptions",
            "ix_subscriptions_customer",
            store.subscriptions().current_for_user(&big, customer.id),
        )
        .await;
    assert!(current.unwrap().is_some());
    let page = remnabot_domain::Page::default();
    c.check(
        "the customer's subscriptions",
        "subscriptions",
        "ix_subscriptions_customer",
        store.subscriptions().list_for_user(&big, customer.id, page),
    )
    .await
    .unwrap();
    // The dialogue of a chat.
    c.check("a chat's dialogue", "dialogues", "ux_dialogues_chat", store.dialogues().get(&big, 100_007)).await.unwrap();
    // Payments by the gateway's or Telegram's key.
    let authority = format!("A{:0>35}", customer.id.0);
    let owner = c
        .check(
            "a callback's tenant",
            "zarinpal_payments",
            "ix_zarinpal_payments_authority",
            store.platform().zarinpal_owner(&authority),
        )
        .await;
    assert_eq!(owner.unwrap().map(|b| b.id), Some(big.bot_id()));
    let paid = c
        .check(
            "a payment by authority",
            "zarinpal_payments",
            "ix_zarinpal_payments_authority",
            store.zarinpal_payments().by_authority(&big, &authority),
        )
        .await;
    assert!(paid.unwrap().is_some());
    let payload = format!("stars-{}", customer.id.0);
    let stars = c
        .check(
            "a Stars payment by payload",
            "stars_payments",
            "ux_stars_payments_by_payload",
            store.sales().stars_by_payload(&big, &payload),
        )
        .await;
    assert!(stars.unwrap().is_some());
    c.check(
        "a payment waiting for its receipt",
        "card_to_card_payments",
        "ix_card_to_card_payments_customer",
        store.sales().awaiting_receipt(&big, UserId(customer.id.0), now),
    )
    .await
    .unwrap();
    // The outboxes: a tenant's next entry and pending count, and the tenants with due work.
    let lease = chrono::Duration::seconds(6);
    c.check(
        "the next provisioning entry",
        "provisioning_outbox",
        "ix_provisioning_outbox_pending",
        store.provisioning().claim_next(&big, now, lease),
    )
    .await
    .unwrap();
    c.check(
        "pending provisioning",
        "provisioning_outbox",
        "ix_provisioning_outbox_pending",
        store.provisioning().pending_count(&big),
    )
    .await
    .unwrap();
    c.check(
        "tenants with due provisioning",
        "provisioning_outbox",
        "ix_provisioning_outbox_pending",
        store.platform().provisioning_due(now, &[], 16),
    )
    .await
    .unwrap();
    c.check(
        "due notifications",
        "notification_outbox",
        "ix_notification_outbox_pending",
        store.platform().claim_notifications(now, 50, lease),
    )
    .await
    .unwrap();
}
