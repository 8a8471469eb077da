#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Tests of the platform repository and the tenant services: bots and their secrets, feature
//! flags and their cache, configuration, payment cards and rotation, plans, the wallet and the
//! customer balance ledger (including the concurrency acceptance tests), on SQLite and, when
//! `TEST_DATABASE_URL` is set, on PostgreSQL.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use remnabot_domain::card::RotationStrategy;
use remnabot_domain::config::{Language, TrialParams};
use remnabot_domain::feature::FeatureKey;
use remnabot_domain::{CardId, Error, Page, Tenant, TgUserId, Toman};
use remnabot_store::cards::CardSpec;
use remnabot_store::ledger::Posting;
use remnabot_store::payments::{NewCardPayment, PaymentPurpose};
use remnabot_store::plans::PlanSpec;
use remnabot_store::platform::{BotChanges, NewBot};
use remnabot_store::promos::PromoGroupSpec;
use remnabot_store::subscriptions::NewSubscription;
use remnabot_store::transactions::{NewTransaction, TransactionKind};
use remnabot_store::users::{NewUser, User};
use remnabot_store::{FlagCache, Store, testing};
use sea_orm::{ConnectionTrait, QueryResult, Statement};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async fn raw_rows(store: &Store, sql: &str) -> Vec<QueryResult> {
    let db = store.raw_connection();
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.expect(sql)
}

async fn raw_exec(store: &Store, sql: &str) {
    store.raw_connection().execute_unprepared(sql).await.expect(sql);
}

async fn raw_count(store: &Store, sql: &str) -> i64 {
    let rows = raw_rows(store, sql).await;
    rows[0].try_get_by_index::<i64>(0).expect("a count")
}

/// Every column of `row` that decodes as some common type, as text.
fn row_as_strings(row: &QueryResult) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, name) in row.column_names().into_iter().enumerate() {
        let text = row
            .try_get_by_index::<Option<String>>(i)
            .map(|v| v.unwrap_or_default())
            .or_else(|_| row.try_get_by_index::<Option<i64>>(i).map(|v| v.map(|n| n.to_string()).unwrap_or_default()))
            .or_else(|_| row.try_get_by_index::<Option<i32>>(i).map(|v| v.map(|n| n.to_string()).unwrap_or_default()))
            .or_else(|_| row.try_get_by_index::<Option<bool>>(i).map(|v| v.map(|b| b.to_string()).unwrap_or_default()))
            .or_else(|_| {
                row.try_get_by_index::<Option<DateTime<Utc>>>(i).map(|v| v.map(|d| d.to_rfc3339()).unwrap_or_default())
            })
            .or_else(|_| {
                row.try_get_by_index::<Option<Vec<u8>>>(i)
                    .map(|v| String::from_utf8_lossy(&v.unwrap_or_default()).into_owned())
            });
        if let Ok(text) = text {
            out.push((name, text));
        }
    }
    out
}

fn sub_for(user: remnabot_domain::UserId, now: DateTime<Utc>) -> NewSubscription {
    NewSubscription {
        user,
        plan: None,
        is_trial: true,
        starts_at: now,
        expires_at: now + chrono::Duration::days(1),
        traffic_limit_bytes: 0,
        device_limit: 1,
    }
}

fn plan(name: &str, sort_order: i32) -> PlanSpec {
    PlanSpec {
        name: name.to_owned(),
        description: Some(format!("{name} plan")),
        period_days: 30,
        traffic_gb: 50,
        device_limit: 2,
        price: Toman(150_000),
        sort_order,
    }
}

/// A Luhn-valid 16-digit card number derived from `seed`.
fn card_number(seed: u64) -> String {
    let payload = format!("603799{:09}", seed % 1_000_000_000);
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

fn card(seed: u64) -> CardSpec {
    CardSpec {
        number: card_number(seed),
        holder_name: "Ali Rezaei".to_owned(),
        bank_name: Some("Saderat".to_owned()),
        weight: 1,
        daily_count_cap: None,
        daily_amount_cap: None,
    }
}

/// A fixed instant (08:00 UTC, 11:30 in Tehran) plus `secs`, so every pick is on one card day.
fn at(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap() + chrono::Duration::seconds(secs)
}

async fn customer(store: &Store, t: &Tenant, telegram_id: i64) -> User {
    let new = NewUser {
        telegram_id: TgUserId(telegram_id),
        username: None,
        first_name: Some("Reza".to_owned()),
        language: Language::Fa,
        referred_by: None,
    };
    store.users().register(t, new).await.unwrap().0
}

async fn pick_card(store: &Store, t: &Tenant, strategy: RotationStrategy, secs: i64) -> CardId {
    store.cards().next_card(t, strategy, Toman(10), at(secs)).await.unwrap().id
}

fn assert_invalid<T: std::fmt::Debug>(res: Result<T, Error>, expected_field: &str) -> String {
    match res {
        Err(e @ Error::Invalid { field, .. }) => {
            assert_eq!(field, expected_field, "{e}");
            e.to_string()
        }
        other => panic!("expected Invalid({expected_field}), got {other:?}"),
    }
}

fn assert_not_found<T: std::fmt::Debug>(res: Result<T, Error>) {
    assert!(matches!(res, Err(Error::NotFound { .. })), "expected NotFound, got {res:?}");
}

fn assert_conflict<T: std::fmt::Debug>(res: Result<T, Error>) {
    assert!(matches!(res, Err(Error::Conflict(_))), "expected Conflict, got {res:?}");
}

// ---------------------------------------------------------------------------------------------
// Bots
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn creating_a_bot_returns_its_api_token_once_and_every_lookup_finds_it() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let platform = store.platform();
        let token = testing::telegram_token();
        let created =
            platform.create(NewBot { name: "  Shop One ".to_owned(), telegram_token: token.clone() }).await.unwrap();
        let bot = &created.bot;
        assert_eq!(bot.name, "Shop One", "{backend:?}");
        assert!(bot.is_active && !bot.is_master);
        assert_eq!(bot.wallet_balance, Toman::ZERO);
        let expected_tg_id: i64 = token.expose_secret().split(':').next().unwrap().parse().unwrap();
        assert_eq!(bot.telegram_bot_id, expected_tg_id);
        assert!(created.api_token.expose_secret().starts_with("rbt_"));

        assert_eq!(&platform.get(bot.id).await.unwrap(), bot);
        assert_eq!(platform.by_api_token(created.api_token.expose_secret()).await.unwrap().as_ref(), Some(bot));
        assert_eq!(platform.by_api_token("rbt_not-a-real-token").await.unwrap(), None);
        assert_eq!(platform.by_telegram_token(&token).await.unwrap().as_ref(), Some(bot));
        assert_eq!(platform.by_telegram_token(&testing::telegram_token()).await.unwrap(), None);
        assert_eq!(platform.master().await.unwrap(), None);
        assert_not_found(platform.get(remnabot_domain::BotId(bot.id.0 + 1000)).await);

        let (second, _) = testing::tenant(&store, "Shop Two").await;
        let all = platform.list(Page::default()).await.unwrap();
        assert_eq!(all.iter().map(|b| b.id).collect::<Vec<_>>(), vec![bot.id, second.id]);
        assert_eq!(platform.list(Page::new(1, 1)).await.unwrap()[0].id, second.id);
        assert_eq!(platform.count().await.unwrap(), 2);
        assert_eq!(platform.active().await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn bots_can_be_updated_deactivated_and_given_new_tokens() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let platform = store.platform();
        let created = platform
            .create(NewBot { name: "Shop".to_owned(), telegram_token: testing::telegram_token() })
            .await
            .unwrap();
        let id = created.bot.id;

        let updated = platform
            .update(id, BotChanges { name: Some("Renamed".to_owned()), wallet_credit_limit: Some(Toman(5000)) })
            .await
            .unwrap();
        assert_eq!(updated.name, "Renamed", "{backend:?}");
        assert_eq!(updated.wallet_credit_limit, Toman(5000));
        let kept = platform.update(id, BotChanges::default()).await.unwrap();
        assert_eq!((kept.name.as_str(), kept.wallet_credit_limit), ("Renamed", Toman(5000)));
        assert_invalid(
            platform.update(id, BotChanges { name: Some("   ".to_owned()), ..Default::default() }).await,
            "name",
        );
        assert_invalid(
            platform.update(id, BotChanges { wallet_credit_limit: Some(Toman(-1)), ..Default::default() }).await,
            "wallet_credit_limit",
        );
        assert_eq!(platform.get(id).await.unwrap().name, "Renamed");
        assert_not_found(platform.update(remnabot_domain::BotId(id.0 + 99), BotChanges::default()).await);

        let off = platform.set_active(id, false).await.unwrap();
        assert!(!off.is_active);
        assert!(platform.active().await.unwrap().iter().all(|b| b.id != id));
        assert!(platform.set_active(id, true).await.unwrap().is_active);
        assert!(platform.active().await.unwrap().iter().any(|b| b.id == id));

        // Rotating the API token: the old one stops working at once, the new one works.
        let new_api = platform.rotate_api_token(id).await.unwrap();
        assert_ne!(new_api.expose_secret(), created.api_token.expose_secret());
        assert_eq!(platform.by_api_token(created.api_token.expose_secret()).await.unwrap(), None);
        assert_eq!(platform.by_api_token(new_api.expose_secret()).await.unwrap().map(|b| b.id), Some(id));
        assert_not_found(platform.rotate_api_token(remnabot_domain::BotId(id.0 + 99)).await);

        // A new Telegram token replaces the old one for lookup and decryption.
        let old_tg = platform.telegram_token(id).await.unwrap();
        let new_tg = testing::telegram_token();
        let bot = platform.set_telegram_token(id, &new_tg).await.unwrap();
        assert_eq!(bot.telegram_bot_id, new_tg.expose_secret().split(':').next().unwrap().parse::<i64>().unwrap());
        assert_eq!(platform.by_telegram_token(&new_tg).await.unwrap().map(|b| b.id), Some(id));
        assert_eq!(platform.by_telegram_token(&old_tg).await.unwrap(), None);
        assert_eq!(platform.telegram_token(id).await.unwrap().expose_secret(), new_tg.expose_secret());

        platform.delete(id).await.unwrap();
        assert_not_found(platform.get(id).await);
        assert_not_found(platform.delete(id).await);
        assert_eq!(platform.by_api_token(new_api.expose_secret()).await.unwrap(), None);
    }
}

#[tokio::test]
async fn ensure_master_creates_the_master_once_and_follows_a_changed_token() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let platform = store.platform();
        let token = testing::telegram_token();
        let (master, api) = platform.ensure_master("Operator", &token).await.unwrap();
        assert!(master.is_master && master.is_active, "{backend:?}");
        assert!(api.is_some(), "the API token is returned when the master is created");
        assert_eq!(platform.master().await.unwrap().map(|b| b.id), Some(master.id));
        assert!(Tenant::of(&master).is_master());

        let (again, api_again) = platform.ensure_master("Operator", &token).await.unwrap();
        assert_eq!(again.id, master.id);
        assert!(api_again.is_none(), "no new API token on later starts");
        assert_eq!(platform.count().await.unwrap(), 1);
        // The API token from the first start still works.
        assert_eq!(platform.by_api_token(api.unwrap().expose_secret()).await.unwrap().map(|b| b.id), Some(master.id));

        let changed = testing::telegram_token();
        let (updated, none) = platform.ensure_master("Operator", &changed).await.unwrap();
        assert_eq!(updated.id, master.id);
        assert!(none.is_none());
        assert_eq!(platform.count().await.unwrap(), 1);
        assert_eq!(platform.telegram_token(master.id).await.unwrap().expose_secret(), changed.expose_secret());
        assert_eq!(platform.by_telegram_token(&changed).await.unwrap().map(|b| b.id), Some(master.id));
        assert_eq!(platform.by_telegram_token(&token).await.unwrap(), None);

        // A tenant bot's token cannot become the master's.
        let tenant_token = testing::telegram_token();
        platform.create(NewBot { name: "Tenant".to_owned(), telegram_token: tenant_token.clone() }).await.unwrap();
        assert_conflict(platform.ensure_master("Operator", &tenant_token).await);
        assert_eq!(platform.telegram_token(master.id).await.unwrap().expose_secret(), changed.expose_secret());
    }
}

#[tokio::test]
async fn the_master_bot_can_be_neither_deactivated_nor_deleted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let platform = store.platform();
        let (master, _) = platform.ensure_master("Operator", &testing::telegram_token()).await.unwrap();
        let before = platform.get(master.id).await.unwrap();

        let err = platform.set_active(master.id, false).await.unwrap_err();
        assert!(matches!(err, Error::MasterBotProtected { .. }), "{backend:?}: {err:?}");
        assert!(err.to_string().contains("deactivated"), "{err}");
        let err = platform.delete(master.id).await.unwrap_err();
        assert!(matches!(err, Error::MasterBotProtected { .. }), "{err:?}");
        assert!(err.to_string().contains("deleted"), "{err}");

        let after = platform.get(master.id).await.unwrap();
        assert_eq!(after, before, "nothing changed");
        assert!(after.is_active);
        // Activating it (a no-op) is allowed.
        assert!(platform.set_active(master.id, true).await.unwrap().is_active);
    }
}

#[tokio::test]
async fn a_telegram_token_can_belong_to_one_bot_only() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let platform = store.platform();
        let token = testing::telegram_token();
        let first = platform.create(NewBot { name: "A".to_owned(), telegram_token: token.clone() }).await.unwrap();
        let err = platform.create(NewBot { name: "B".to_owned(), telegram_token: token.clone() }).await.unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{backend:?}: {err:?}");
        assert!(!err.to_string().contains(token.expose_secret()), "{err}");
        assert_eq!(platform.count().await.unwrap(), 1);

        let (other, _) = testing::tenant(&store, "Other").await;
        assert_conflict(platform.set_telegram_token(other.id, &token).await);
        assert_eq!(platform.by_telegram_token(&token).await.unwrap().map(|b| b.id), Some(first.bot.id));
    }
}

#[tokio::test]
async fn a_malformed_telegram_token_is_refused_without_echoing_it() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let platform = store.platform();
        for bad in [
            "not-a-token-at-all-but-quite-long-SECRETVALUE",
            "123456:short",
            "abc:AAHdefghijklmnopqrstuvwxyzABCDEFGHIJKL",
            "123456:AAHdefghijklmnopqrstuvwxyz!ABCDEFGHIJKL",
            "",
        ] {
            let err = platform
                .create(NewBot { name: "Shop".to_owned(), telegram_token: SecretString::from(bad.to_owned()) })
                .await
                .unwrap_err();
            let msg = assert_invalid::<()>(Err(err), "telegram_token");
            if !bad.is_empty() {
                assert!(!msg.contains(bad), "{backend:?}: the token appears in {msg:?}");
                let secret_part = bad.split(':').next_back().unwrap();
                if secret_part.len() > 5 {
                    assert!(!msg.contains(secret_part), "{msg}");
                }
            }
        }
        assert_eq!(platform.count().await.unwrap(), 0, "nothing was written");

        let (bot, _) = testing::tenant(&store, "Shop").await;
        let bad = SecretString::from("999:AAHsecret-but-too-short".to_owned());
        let msg = assert_invalid(platform.set_telegram_token(bot.id, &bad).await, "telegram_token");
        assert!(!msg.contains("AAHsecret"), "{msg}");
        assert_invalid(
            platform.create(NewBot { name: " ".to_owned(), telegram_token: testing::telegram_token() }).await,
            "name",
        );
    }
}

#[tokio::test]
async fn deleting_a_tenant_deletes_every_row_it_owns() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (bot, tenant) = testing::tenant(&store, "Doomed").await;
        let (keep_bot, keep) = testing::tenant(&store, "Kept").await;
        for t in [&tenant, &keep] {
            let gold = store.plans().create(t, plan("Gold", 1)).await.unwrap();
            let visa = store.cards().create(t, card(1)).await.unwrap();
            store.configs().set(t, "welcome_text", json!("hi")).await.unwrap();
            store.flags().set(t, FeatureKey::Zarinpal, true, None).await.unwrap();
            store.wallets().credit(t, Toman(100), "deposit", "d1").await.unwrap();
            let user = customer(&store, t, 1001).await;
            store.balances().post(t, user.id, Posting::credit(Toman(50), "deposit", "b1").unwrap()).await.unwrap();
            let now = Utc::now();
            let sub = NewSubscription {
                user: user.id,
                plan: None,
                is_trial: true,
                starts_at: now,
                expires_at: now + chrono::Duration::days(1),
                traffic_limit_bytes: 0,
                device_limit: 1,
            };
            store.subscriptions().create(t, sub).await.unwrap();
            // The whole web of references that deleting a plan, card, group or referrer refuses
            // (NO ACTION) must still go when the tenant goes.
            let group = store
                .promo_groups()
                .create(t, PromoGroupSpec { name: "VIP".to_owned(), discount_percent: 10 })
                .await
                .unwrap();
            let referred = store
                .users()
                .register(
                    t,
                    NewUser {
                        telegram_id: TgUserId(1002),
                        username: None,
                        first_name: None,
                        language: Language::En,
                        referred_by: Some(user.id),
                    },
                )
                .await
                .unwrap()
                .0;
            store.users().set_promo_group(t, referred.id, Some(group.id)).await.unwrap();
            let paid =
                NewSubscription { plan: Some(gold.id), is_trial: false, user: referred.id, ..sub_for(user.id, now) };
            store.subscriptions().create(t, paid).await.unwrap();
            let tx = store
                .transactions()
                .create(
                    t,
                    NewTransaction {
                        user: referred.id,
                        kind: TransactionKind::Purchase,
                        amount: Toman(150_000),
                        payment_method: Some("card_to_card".to_owned()),
                        description: None,
                        external_id: None,
                        completed: true,
                        plan: None,
                    },
                )
                .await
                .unwrap();
            store.referral_earnings().record(t, user.id, referred.id, Toman(15_000), Some(tx.id)).await.unwrap();
            let payment = NewCardPayment {
                user: referred.id,
                card: visa.id,
                amount: Toman(150_000),
                purpose: PaymentPurpose::Purchase,
                plan: Some(gold.id),
                expires_at: now + chrono::Duration::hours(1),
            };
            store.card_payments().create(t, payment).await.unwrap();
            assert_conflict(store.plans().delete(t, gold.id).await);
            assert_conflict(store.cards().delete(t, visa.id).await);
        }
        let tables = remnabot_store::entity::TENANT_TABLES;
        let owned = |id: i64| {
            let store = store.clone();
            async move {
                let mut n = 0;
                for t in tables {
                    n += raw_count(&store, &format!("SELECT COUNT(*) FROM {t} WHERE bot_id = {id}")).await;
                }
                n
            }
        };
        assert!(owned(bot.id.0).await >= 5, "{backend:?}");
        let kept_before = owned(keep_bot.id.0).await;

        store.platform().delete(bot.id).await.unwrap();
        assert_eq!(owned(bot.id.0).await, 0, "{backend:?}: every row of the deleted tenant is gone");
        assert!(store.plans().list(&tenant, false, Page::default()).await.unwrap().is_empty());
        assert_eq!(store.users().count(&tenant).await.unwrap(), 0);
        assert!(store.wallets().balance(&tenant).await.is_err(), "the bot row is gone");
        assert_eq!(store.users().count(&keep).await.unwrap(), 2);
        assert_eq!(owned(keep_bot.id.0).await, kept_before, "the other tenant keeps its rows");
        assert_eq!(store.plans().list(&keep, false, Page::default()).await.unwrap().len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets at rest
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn neither_token_is_stored_in_plain_text_and_the_telegram_token_decrypts_back() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let tg = testing::telegram_token();
        let created =
            store.platform().create(NewBot { name: "Shop".to_owned(), telegram_token: tg.clone() }).await.unwrap();
        let (_, master_api) = store.platform().ensure_master("Operator", &testing::telegram_token()).await.unwrap();
        let master_api = master_api.unwrap();

        let rows = raw_rows(&store, "SELECT * FROM bots").await;
        assert_eq!(rows.len(), 2);
        let tg_secret_part = tg.expose_secret().split(':').nth(1).unwrap().to_owned();
        for row in &rows {
            let cols = row_as_strings(row);
            assert_eq!(cols.len(), row.column_names().len(), "{backend:?}: every column was read: {cols:?}");
            for (name, value) in &cols {
                for secret in [created.api_token.expose_secret(), master_api.expose_secret(), tg.expose_secret()] {
                    assert!(!value.contains(secret), "{backend:?}: column {name} holds a plain token");
                }
                assert!(!value.contains(&tg_secret_part), "{backend:?}: column {name} holds the Telegram secret");
                assert!(!value.contains(&created.api_token.expose_secret()[4..]), "column {name}");
            }
        }
        assert_eq!(store.platform().telegram_token(created.bot.id).await.unwrap().expose_secret(), tg.expose_secret());

        let debug = format!("{created:?}");
        assert!(!debug.contains(created.api_token.expose_secret()), "Debug shows the API token: {debug}");
        assert!(!debug.contains(&created.api_token.expose_secret()[4..]));
        assert!(!format!("{store:?}").contains(tg.expose_secret()));
    }
}

// ---------------------------------------------------------------------------------------------
// Feature flags
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn feature_flags_have_defaults_and_can_be_set_listed_and_deleted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let flags = store.flags();

        let card = flags.get(&t, FeatureKey::CardToCard).await.unwrap();
        assert!(card.enabled && !card.explicit, "{backend:?}");
        assert_eq!(card.config, json!({}));
        assert!(!flags.is_enabled(&t, FeatureKey::Zarinpal).await.unwrap());
        let list = flags.list(&t).await.unwrap();
        assert_eq!(list.iter().map(|f| f.key).collect::<Vec<_>>(), FeatureKey::ALL.to_vec());
        assert!(list.iter().all(|f| !f.explicit && f.enabled == f.key.default_enabled()));

        let set = flags.set(&t, FeatureKey::Zarinpal, true, Some(json!({"merchant_id": "abc"}))).await.unwrap();
        assert!(set.enabled && set.explicit);
        let got = flags.get(&t, FeatureKey::Zarinpal).await.unwrap();
        assert_eq!(got, set);
        assert_eq!(flags.config(&t, FeatureKey::Zarinpal).await.unwrap(), json!({"merchant_id": "abc"}));
        // `None` keeps the config; a new object replaces it.
        let kept = flags.set(&t, FeatureKey::Zarinpal, false, None).await.unwrap();
        assert!(!kept.enabled);
        assert_eq!(kept.config, json!({"merchant_id": "abc"}));
        flags.set(&t, FeatureKey::CardToCard, false, None).await.unwrap();
        let list = flags.list(&t).await.unwrap();
        let by_key: HashMap<_, _> = list.iter().map(|f| (f.key, f)).collect();
        assert!(!by_key[&FeatureKey::CardToCard].enabled && by_key[&FeatureKey::CardToCard].explicit);
        assert!(by_key[&FeatureKey::Zarinpal].explicit);
        assert!(!by_key[&FeatureKey::Trial].explicit);

        flags.delete(&t, FeatureKey::CardToCard).await.unwrap();
        let back = flags.get(&t, FeatureKey::CardToCard).await.unwrap();
        assert!(back.enabled && !back.explicit, "the default applies again");
        assert_not_found(flags.delete(&t, FeatureKey::CardToCard).await);
        assert_not_found(flags.delete(&t, FeatureKey::Referral).await);
    }
}

#[tokio::test]
async fn unknown_feature_keys_and_non_object_configs_are_refused() {
    let err = FeatureKey::parse("nope").unwrap_err();
    assert!(matches!(err, Error::UnknownFeature { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("nope"), "{msg}");
    for key in FeatureKey::ALL {
        assert!(msg.contains(key.as_str()), "{msg} lacks {key}");
    }
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        for bad in [json!([1, 2]), json!("text"), json!(3), json!(null)] {
            assert_invalid(store.flags().set(&t, FeatureKey::Trial, false, Some(bad)).await, "config");
        }
        let flag = store.flags().get(&t, FeatureKey::Trial).await.unwrap();
        assert!(flag.enabled && !flag.explicit, "{backend:?}: nothing was written");
        assert_eq!(raw_count(&store, "SELECT COUNT(*) FROM bot_feature_flags").await, 0);
    }
}

#[tokio::test]
async fn a_cached_flag_is_served_until_a_set_invalidates_it() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (bot, t) = testing::tenant(&store, "Shop").await;
        let flags = store.flags();
        flags.set(&t, FeatureKey::Referral, true, None).await.unwrap();
        assert!(flags.get(&t, FeatureKey::Referral).await.unwrap().enabled);

        // Change the row behind the cache's back: the cached value is still served.
        raw_exec(&store, &format!("UPDATE bot_feature_flags SET enabled = false WHERE bot_id = {}", bot.id.0)).await;
        assert!(flags.get(&t, FeatureKey::Referral).await.unwrap().enabled, "{backend:?}: served from the cache");

        // A set invalidates, so the next read sees the database.
        flags.set(&t, FeatureKey::Referral, false, Some(json!({"percent": 10}))).await.unwrap();
        let fresh = flags.get(&t, FeatureKey::Referral).await.unwrap();
        assert!(!fresh.enabled);
        assert_eq!(fresh.config, json!({"percent": 10}));

        // A delete invalidates too.
        raw_exec(&store, &format!("UPDATE bot_feature_flags SET enabled = true WHERE bot_id = {}", bot.id.0)).await;
        assert!(!flags.get(&t, FeatureKey::Referral).await.unwrap().enabled);
        flags.delete(&t, FeatureKey::Referral).await.unwrap();
        let default = flags.get(&t, FeatureKey::Referral).await.unwrap();
        assert!(default.enabled && !default.explicit);
    }
}

#[tokio::test]
async fn with_redis_a_set_invalidates_the_shared_cache_key() {
    let ns = format!("test-{}", testing::unique_suffix());
    let url = "redis://127.0.0.1:6379";
    let connect = || tokio::time::timeout(Duration::from_secs(5), FlagCache::redis(url, Duration::from_secs(60), &ns));
    let (Ok(Ok(cache)), Ok(Ok(other_process))) = (connect().await, connect().await) else {
        eprintln!("skipping with_redis_a_set_invalidates_the_shared_cache_key: Redis at {url} is unreachable");
        return;
    };
    for backend in testing::backends() {
        let store = testing::store_with_cache(backend, cache.clone()).await;
        let (bot, t) = testing::tenant(&store, "Shop").await;
        let flags = store.flags();
        flags.set(&t, FeatureKey::PromoCodes, true, None).await.unwrap();
        assert!(flags.get(&t, FeatureKey::PromoCodes).await.unwrap().enabled);

        // Another process using the same Redis sees the cached value.
        let shared = other_process.get(bot.id, FeatureKey::PromoCodes).await;
        assert_eq!(shared.map(|f| f.enabled), Some(true), "{backend:?}: the value is in the shared cache");

        raw_exec(&store, &format!("UPDATE bot_feature_flags SET enabled = false WHERE bot_id = {}", bot.id.0)).await;
        assert!(flags.get(&t, FeatureKey::PromoCodes).await.unwrap().enabled, "served from Redis");

        flags.set(&t, FeatureKey::PromoCodes, false, None).await.unwrap();
        assert_eq!(other_process.get(bot.id, FeatureKey::PromoCodes).await, None, "the shared key was dropped");
        assert!(!flags.get(&t, FeatureKey::PromoCodes).await.unwrap().enabled);
        assert_eq!(other_process.get(bot.id, FeatureKey::PromoCodes).await.map(|f| f.enabled), Some(false));

        // An invalidation by the other process is seen here too.
        raw_exec(&store, &format!("UPDATE bot_feature_flags SET enabled = true WHERE bot_id = {}", bot.id.0)).await;
        other_process.invalidate(bot.id, FeatureKey::PromoCodes).await.unwrap();
        assert!(flags.get(&t, FeatureKey::PromoCodes).await.unwrap().enabled);
        other_process.invalidate(bot.id, FeatureKey::PromoCodes).await.unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn configuration_values_can_be_set_read_listed_and_deleted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let configs = store.configs();
        assert_eq!(configs.get(&t, "welcome_text").await.unwrap(), None);
        assert!(configs.list(&t).await.unwrap().is_empty());

        configs.set(&t, "welcome_text", json!("Salam!")).await.unwrap();
        configs.set(&t, "panel.url", json!({"anything": true, "list": "1,2"})).await.unwrap();
        configs.set_json(&t, "admin_ids", "[11, 22]").await.unwrap();
        assert_eq!(configs.get(&t, "welcome_text").await.unwrap(), Some(json!("Salam!")), "{backend:?}");
        configs.set(&t, "welcome_text", json!("Dorood!")).await.unwrap();
        assert_eq!(configs.welcome_text(&t).await.unwrap().as_deref(), Some("Dorood!"));
        assert_eq!(configs.admin_ids(&t).await.unwrap(), vec![11, 22]);
        let list = configs.list(&t).await.unwrap();
        assert_eq!(
            list,
            vec![
                ("admin_ids".to_owned(), json!([11, 22])),
                ("panel.url".to_owned(), json!({"anything": true, "list": "1,2"})),
                ("welcome_text".to_owned(), json!("Dorood!")),
            ]
        );

        configs.delete(&t, "welcome_text").await.unwrap();
        assert_eq!(configs.get(&t, "welcome_text").await.unwrap(), None);
        assert_eq!(configs.welcome_text(&t).await.unwrap(), None);
        assert_not_found(configs.delete(&t, "welcome_text").await);
        assert_invalid(configs.get(&t, "Bad Key").await, "key");
        assert_invalid(configs.set(&t, "Bad Key", json!(1)).await, "key");
        assert_invalid(configs.delete(&t, "").await, "key");
    }
}

#[tokio::test]
async fn typed_configuration_accessors_fall_back_to_defaults() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let c = store.configs();
        assert_eq!(c.languages(&t).await.unwrap(), vec![Language::Fa, Language::En, Language::Ru], "{backend:?}");
        assert_eq!(c.card_rotation_strategy(&t).await.unwrap(), RotationStrategy::RoundRobin);
        assert_eq!(c.trial(&t).await.unwrap(), TrialParams { days: 1, traffic_gb: 1, device_limit: 1 });
        assert_eq!(c.wholesale_price_per_gb(&t).await.unwrap(), Toman::ZERO);
        assert_eq!(c.support_contact(&t).await.unwrap(), None);
        assert_eq!(c.admin_chat_id(&t).await.unwrap(), None);
        assert!(c.admin_ids(&t).await.unwrap().is_empty());
        assert_eq!(c.welcome_text(&t).await.unwrap(), None);

        c.set(&t, "languages", json!(["en", "fa"])).await.unwrap();
        c.set(&t, "card_rotation_strategy", json!("time_based")).await.unwrap();
        c.set(&t, "trial", json!({"days": 3, "traffic_gb": 5, "device_limit": 2})).await.unwrap();
        c.set(&t, "wholesale_price_per_gb", json!(1200)).await.unwrap();
        c.set(&t, "support_contact", json!("@help")).await.unwrap();
        c.set(&t, "admin_chat_id", json!(-100123)).await.unwrap();
        assert_eq!(c.languages(&t).await.unwrap(), vec![Language::En, Language::Fa]);
        assert_eq!(c.card_rotation_strategy(&t).await.unwrap(), RotationStrategy::TimeBased);
        assert_eq!(c.trial(&t).await.unwrap(), TrialParams { days: 3, traffic_gb: 5, device_limit: 2 });
        assert_eq!(c.wholesale_price_per_gb(&t).await.unwrap(), Toman(1200));
        assert_eq!(c.support_contact(&t).await.unwrap().as_deref(), Some("@help"));
        assert_eq!(c.admin_chat_id(&t).await.unwrap(), Some(-100123));
    }
}

#[tokio::test]
async fn malformed_or_misshapen_configuration_is_refused_and_nothing_is_written() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let c = store.configs();
        let msg = assert_invalid(c.set_json(&t, "languages", "[\"fa\",").await, "value");
        assert!(msg.contains("not valid JSON"), "{backend:?}: {msg}");
        let msg = assert_invalid(c.set_json(&t, "custom.key", "{not json}").await, "value");
        assert!(msg.contains("not valid JSON"), "{msg}");
        assert_eq!(c.get(&t, "languages").await.unwrap(), None);
        assert_eq!(c.get(&t, "custom.key").await.unwrap(), None);

        let wrong: [(&str, serde_json::Value); 10] = [
            ("languages", json!("fa")),
            ("languages", json!([])),
            ("languages", json!(["de"])),
            ("card_rotation_strategy", json!("fastest")),
            ("trial", json!({"days": 0, "traffic_gb": 1, "device_limit": 1})),
            ("trial", json!({"days": 1})),
            ("admin_chat_id", json!("not a number")),
            ("admin_ids", json!(["x"])),
            ("wholesale_price_per_gb", json!(-5)),
            ("support_contact", json!("   ")),
        ];
        for (key, value) in wrong {
            let res = c.set(&t, key, value.clone()).await;
            assert!(matches!(res, Err(Error::Invalid { .. })), "{backend:?}: {key} = {value} gave {res:?}");
            let text = serde_json::to_string(&value).unwrap();
            assert!(matches!(c.set_json(&t, key, &text).await, Err(Error::Invalid { .. })), "{key} = {text}");
        }
        assert!(c.list(&t).await.unwrap().is_empty(), "nothing was written");
        assert_eq!(raw_count(&store, "SELECT COUNT(*) FROM bot_configurations").await, 0);

        // A refused change keeps the previous value.
        c.set(&t, "languages", json!(["ru"])).await.unwrap();
        assert!(c.set(&t, "languages", json!(["xx"])).await.is_err());
        assert_eq!(c.languages(&t).await.unwrap(), vec![Language::Ru]);
    }
}

// ---------------------------------------------------------------------------------------------
// Payment cards
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn invalid_card_numbers_are_refused_naming_the_field_and_nothing_is_written() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let good = card_number(42);
        let mut bad_luhn = good.clone();
        let last = bad_luhn.pop().unwrap().to_digit(10).unwrap();
        bad_luhn.push(char::from_digit((last + 1) % 10, 10).unwrap());
        let fifteen = good[..15].to_owned();
        let letters = format!("{}abcd", &good[..12]);
        for number in [bad_luhn, fifteen, letters, String::new(), format!("{good}0")] {
            let spec = CardSpec { number: number.clone(), ..card(1) };
            assert_invalid(store.cards().create(&t, spec).await, "card_number");
        }
        assert!(store.cards().list(&t, false, Page::default()).await.unwrap().is_empty(), "{backend:?}");
        assert_eq!(raw_count(&store, "SELECT COUNT(*) FROM tenant_payment_cards").await, 0);

        assert_invalid(
            store.cards().create(&t, CardSpec { holder_name: " ".to_owned(), ..card(1) }).await,
            "holder_name",
        );
        assert_invalid(store.cards().create(&t, CardSpec { weight: 5000, ..card(1) }).await, "weight");
        assert_invalid(
            store.cards().create(&t, CardSpec { daily_count_cap: Some(0), ..card(1) }).await,
            "daily_count_cap",
        );

        // Grouped input with spaces and dashes is accepted and stored as 16 digits.
        let grouped = format!("{}-{} {} {}", &good[..4], &good[4..8], &good[8..12], &good[12..]);
        let created = store.cards().create(&t, CardSpec { number: grouped, ..card(1) }).await.unwrap();
        assert_eq!(created.number.as_str(), good);
        assert!(!format!("{created:?}").contains(&good), "Debug masks the number");
        let got = store.cards().get(&t, created.id).await.unwrap();
        assert_eq!(got.number.as_str(), good);
        assert_eq!(got.holder_name, "Ali Rezaei");
    }
}

#[tokio::test]
async fn a_card_is_unique_within_a_tenant_but_another_tenant_may_add_it() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "A").await;
        let (_, b) = testing::tenant(&store, "B").await;
        let first = store.cards().create(&a, card(7)).await.unwrap();
        let err = store.cards().create(&a, card(7)).await.unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{backend:?}: {err:?}");
        assert!(!err.to_string().contains(&card_number(7)), "the conflict message masks the number: {err}");
        let other = store.cards().create(&b, card(7)).await.unwrap();
        assert_ne!(first.id, other.id);

        // Updating a card to a number the tenant already has conflicts too.
        let second = store.cards().create(&a, card(8)).await.unwrap();
        assert_conflict(store.cards().update(&a, second.id, card(7)).await);
        let updated = store.cards().update(&a, second.id, CardSpec { weight: 3, ..card(9) }).await.unwrap();
        assert_eq!((updated.number.as_str(), updated.weight), (card_number(9).as_str(), 3));
        assert_eq!(store.cards().list(&a, false, Page::default()).await.unwrap().len(), 2);
        store.cards().delete(&a, second.id).await.unwrap();
        assert_not_found(store.cards().get(&a, second.id).await);
        assert_not_found(store.cards().delete(&a, second.id).await);
    }
}

#[tokio::test]
async fn round_robin_cycles_through_the_cards_evenly() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let ids: Vec<CardId> = {
            let mut v = Vec::new();
            for seed in 1..=3 {
                v.push(store.cards().create(&t, card(seed)).await.unwrap().id);
            }
            v
        };
        let mut picks = Vec::new();
        for i in 0..9 {
            picks.push(
                store.cards().next_card(&t, RotationStrategy::RoundRobin, Toman(100_000), at(i)).await.unwrap().id,
            );
        }
        let expected: Vec<CardId> = (0..9).map(|i| ids[i % 3]).collect();
        assert_eq!(picks, expected, "{backend:?}");
        for card in store.cards().list(&t, false, Page::default()).await.unwrap() {
            assert_eq!(card.usage_count, 3, "each card was selected three times");
            assert!(card.last_selected_at.is_some());
        }
    }
}

#[tokio::test]
async fn time_based_rotation_picks_the_idlest_card() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let c1 = store.cards().create(&t, card(1)).await.unwrap().id;
        let c2 = store.cards().create(&t, card(2)).await.unwrap().id;
        let c3 = store.cards().create(&t, card(3)).await.unwrap().id;
        let pick = |s: RotationStrategy, secs: i64| pick_card(&store, &t, s, secs);
        // c1 at 100, c2 at 10: c3 was never selected, so it is the idlest.
        assert_eq!(pick(RotationStrategy::TimeBased, 100).await, c1, "{backend:?}");
        assert_eq!(pick(RotationStrategy::TimeBased, 10).await, c2);
        assert_eq!(pick(RotationStrategy::TimeBased, 200).await, c3);
        // Now c2 (10) was selected longest ago, then c1 (100).
        assert_eq!(pick(RotationStrategy::TimeBased, 300).await, c2);
        assert_eq!(pick(RotationStrategy::TimeBased, 400).await, c1);
    }
}

#[tokio::test]
async fn a_card_at_its_daily_count_cap_is_skipped_and_all_capped_means_no_card() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let cards = store.cards();
        let capped = cards.create(&t, CardSpec { daily_count_cap: Some(2), ..card(1) }).await.unwrap().id;
        let free = cards.create(&t, CardSpec { daily_count_cap: Some(3), ..card(2) }).await.unwrap().id;

        // A failure does not count toward the cap.
        cards.record_usage(&t, capped, false, Toman(50_000), at(0)).await.unwrap();
        let after_one = cards.record_usage(&t, capped, true, Toman(50_000), at(1)).await.unwrap();
        assert_eq!((after_one.success_count, after_one.failure_count), (1, 1), "{backend:?}");
        let picks: Vec<CardId> = {
            let mut v = Vec::new();
            for i in 0..4 {
                v.push(cards.next_card(&t, RotationStrategy::RoundRobin, Toman(10), at(10 + i)).await.unwrap().id);
            }
            v
        };
        assert!(picks.contains(&capped), "under its cap the card is still picked: {picks:?}");

        cards.record_usage(&t, capped, true, Toman(50_000), at(20)).await.unwrap();
        for i in 0..6 {
            for strategy in RotationStrategy::ALL {
                let got = cards.next_card(&t, strategy, Toman(10), at(30 + i)).await.unwrap().id;
                assert_eq!(got, free, "{backend:?}: {strategy} picked the capped card");
            }
        }

        for i in 0..3 {
            cards.record_usage(&t, free, true, Toman(1_000), at(40 + i)).await.unwrap();
        }
        let err = cards.next_card(&t, RotationStrategy::RoundRobin, Toman(10), at(50)).await.unwrap_err();
        assert!(matches!(err, Error::NoActiveCard { .. }), "{err:?}");
        assert!(err.to_string().contains("daily limit"), "{err}");

        // The next Tehran day the caps reset.
        let tomorrow = at(24 * 3600);
        let id = cards.next_card(&t, RotationStrategy::TimeBased, Toman(10), tomorrow).await.unwrap().id;
        assert!(id == capped || id == free);
    }
}

#[tokio::test]
async fn a_daily_amount_cap_skips_a_card_that_would_exceed_it() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let cards = store.cards();
        let small = cards.create(&t, CardSpec { daily_amount_cap: Some(Toman(100_000)), ..card(1) }).await.unwrap().id;
        let big = cards.create(&t, card(2)).await.unwrap().id;
        cards.record_usage(&t, small, true, Toman(80_000), at(0)).await.unwrap();
        for i in 0..4 {
            let got = cards.next_card(&t, RotationStrategy::RoundRobin, Toman(30_000), at(10 + i)).await.unwrap().id;
            assert_eq!(got, big, "{backend:?}: 80k + 30k exceeds the 100k cap");
        }
        let small_ok = cards.next_card(&t, RotationStrategy::TimeBased, Toman(20_000), at(20)).await.unwrap().id;
        assert_eq!(small_ok, small, "80k + 20k fits");
        assert_invalid(cards.record_usage(&t, small, true, Toman(-1), at(21)).await, "amount");
    }
}

#[tokio::test]
async fn deactivated_cards_are_never_picked_and_no_active_card_is_a_clear_error() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let cards = store.cards();
        let err = cards.next_card(&t, RotationStrategy::RoundRobin, Toman(10), at(0)).await.unwrap_err();
        assert!(matches!(err, Error::NoActiveCard { .. }), "{backend:?}: {err:?}");
        assert!(err.to_string().contains("no active card"), "{err}");

        let c1 = cards.create(&t, card(1)).await.unwrap().id;
        let c2 = cards.create(&t, card(2)).await.unwrap().id;
        let c3 = cards.create(&t, card(3)).await.unwrap().id;
        assert!(!cards.set_active(&t, c2, false).await.unwrap().is_active);
        let active: Vec<CardId> = cards.list(&t, true, Page::default()).await.unwrap().iter().map(|c| c.id).collect();
        assert_eq!(active, vec![c1, c3]);
        assert_eq!(cards.list(&t, false, Page::default()).await.unwrap().len(), 3);
        for (i, strategy) in RotationStrategy::ALL.into_iter().cycle().take(24).enumerate() {
            let got = cards.next_card(&t, strategy, Toman(10), at(i as i64)).await.unwrap().id;
            assert_ne!(got, c2, "{backend:?}: {strategy} picked a deactivated card");
        }
        cards.set_active(&t, c1, false).await.unwrap();
        cards.set_active(&t, c3, false).await.unwrap();
        let err = cards.next_card(&t, RotationStrategy::Weighted, Toman(10), at(100)).await.unwrap_err();
        assert!(matches!(err, Error::NoActiveCard { .. }), "{err:?}");
        assert!(err.to_string().contains("no active card"), "{err}");
        cards.set_active(&t, c2, true).await.unwrap();
        assert_eq!(cards.next_card(&t, RotationStrategy::Random, Toman(10), at(101)).await.unwrap().id, c2);
    }
}

#[tokio::test]
async fn next_card_configured_follows_the_configured_strategy() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let cards = store.cards();
        let c1 = cards.create(&t, card(1)).await.unwrap().id;
        let c2 = cards.create(&t, card(2)).await.unwrap().id;
        let c3 = cards.create(&t, card(3)).await.unwrap().id;

        // Unconfigured means round robin.
        assert_eq!(cards.next_card_configured(&t, Toman(10), at(100)).await.unwrap().id, c1, "{backend:?}");
        assert_eq!(cards.next_card_configured(&t, Toman(10), at(10)).await.unwrap().id, c2);
        // Now c1 is the latest (100), c2 at 10, c3 never: round robin would give c2, time based c3.
        store.configs().set(&t, "card_rotation_strategy", json!("time_based")).await.unwrap();
        assert_eq!(cards.next_card_configured(&t, Toman(10), at(200)).await.unwrap().id, c3);
        // c1 at 100, c2 at 10, c3 at 200 (the latest): round robin gives c1, time based c2.
        store.configs().set(&t, "card_rotation_strategy", json!("round_robin")).await.unwrap();
        assert_eq!(cards.next_card_configured(&t, Toman(10), at(300)).await.unwrap().id, c1);
        store.configs().set(&t, "card_rotation_strategy", json!("time_based")).await.unwrap();
        assert_eq!(cards.next_card_configured(&t, Toman(10), at(400)).await.unwrap().id, c2);
    }
}

// ---------------------------------------------------------------------------------------------
// Plans
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn plans_can_be_created_listed_in_order_updated_hidden_and_deleted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let plans = store.plans();
        let gold = plans.create(&t, plan("Gold", 3)).await.unwrap();
        let silver = plans.create(&t, plan("Silver", 1)).await.unwrap();
        let bronze = plans.create(&t, plan(" Bronze ", 2)).await.unwrap();
        assert_eq!(bronze.name, "Bronze", "{backend:?}");
        assert!(gold.is_active);
        assert_eq!(plans.get(&t, gold.id).await.unwrap(), gold);

        let names = |v: Vec<remnabot_store::plans::Plan>| v.into_iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(names(plans.list(&t, true, Page::default()).await.unwrap()), ["Silver", "Bronze", "Gold"]);
        plans.set_active(&t, bronze.id, false).await.unwrap();
        assert_eq!(names(plans.list(&t, true, Page::default()).await.unwrap()), ["Silver", "Gold"]);
        assert_eq!(names(plans.list(&t, false, Page::default()).await.unwrap()), ["Silver", "Bronze", "Gold"]);
        assert_eq!(names(plans.list(&t, false, Page::new(1, 1)).await.unwrap()), ["Bronze"]);

        let spec = PlanSpec { price: Toman(99_000), period_days: 90, description: None, ..plan("Gold+", 0) };
        let updated = plans.update(&t, gold.id, spec).await.unwrap();
        assert_eq!((updated.name.as_str(), updated.price, updated.period_days), ("Gold+", Toman(99_000), 90));
        assert_eq!(updated.description, None);
        assert_eq!(updated.created_at, gold.created_at);
        assert_eq!(names(plans.list(&t, true, Page::default()).await.unwrap()), ["Gold+", "Silver"]);

        plans.delete(&t, silver.id).await.unwrap();
        assert_not_found(plans.get(&t, silver.id).await);
        assert_not_found(plans.delete(&t, silver.id).await);
        assert_not_found(plans.set_active(&t, silver.id, true).await);
        assert_not_found(plans.update(&t, silver.id, plan("X", 0)).await);
    }
}

#[tokio::test]
async fn invalid_plans_name_the_field_and_duplicate_names_conflict() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let (_, other) = testing::tenant(&store, "Other").await;
        let plans = store.plans();
        let cases: [(PlanSpec, &str); 8] = [
            (plan("  ", 0), "name"),
            (plan(&"x".repeat(256), 0), "name"),
            (PlanSpec { period_days: 0, ..plan("P", 0) }, "period_days"),
            (PlanSpec { period_days: 3651, ..plan("P", 0) }, "period_days"),
            (PlanSpec { traffic_gb: 1_000_001, ..plan("P", 0) }, "traffic_gb"),
            (PlanSpec { device_limit: 0, ..plan("P", 0) }, "device_limit"),
            (PlanSpec { price: Toman(0), ..plan("P", 0) }, "price"),
            (PlanSpec { price: Toman(-5), ..plan("P", 0) }, "price"),
        ];
        for (spec, field) in cases {
            assert_invalid(plans.create(&t, spec).await, field);
        }
        assert!(plans.list(&t, false, Page::default()).await.unwrap().is_empty(), "{backend:?}: nothing was written");

        let unlimited = plans.create(&t, PlanSpec { traffic_gb: 0, ..plan("Unlimited", 0) }).await.unwrap();
        assert_eq!(unlimited.traffic_gb, 0);
        plans.create(&t, plan("Gold", 0)).await.unwrap();
        assert_conflict(plans.create(&t, plan("Gold", 5)).await);
        assert_conflict(plans.update(&t, unlimited.id, plan("Gold", 5)).await);
        assert_invalid(
            plans.update(&t, unlimited.id, PlanSpec { device_limit: 1001, ..plan("U", 0) }).await,
            "device_limit",
        );
        assert_eq!(plans.get(&t, unlimited.id).await.unwrap().name, "Unlimited");
        plans.create(&other, plan("Gold", 0)).await.unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Wallet
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_wallet_credits_debits_and_keeps_a_history() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let w = store.wallets();
        assert_eq!(w.balance(&t).await.unwrap(), Toman::ZERO);
        let c = w.credit(&t, Toman(10_000), "deposit", "dep-1").await.unwrap();
        assert!(c.newly_applied, "{backend:?}");
        assert_eq!((c.entry.amount, c.entry.balance_after), (Toman(10_000), Toman(10_000)));
        let d = w.debit(&t, Toman(2_500), "wholesale", "ws-1").await.unwrap();
        assert_eq!((d.entry.amount, d.entry.balance_after), (Toman(-2_500), Toman(7_500)));
        let posting =
            remnabot_store::ledger::Posting::credit(Toman(500), "adjustment", "adj-1").unwrap().described("goodwill");
        let p = w.post(&t, posting).await.unwrap();
        assert_eq!(p.entry.description.as_deref(), Some("goodwill"));
        assert_eq!(w.balance(&t).await.unwrap(), Toman(8_000));
        assert_eq!(store.platform().get(t.bot_id()).await.unwrap().wallet_balance, Toman(8_000));

        let history = w.history(&t, Page::default()).await.unwrap();
        let keys: Vec<&str> = history.iter().map(|e| e.idempotency_key.as_str()).collect();
        assert_eq!(keys, ["adj-1", "ws-1", "dep-1"], "newest first");
        assert_eq!(history[0].balance_after, Toman(8_000));
        assert_eq!(w.history(&t, Page::new(1, 1)).await.unwrap()[0].idempotency_key, "ws-1");

        assert_invalid(w.credit(&t, Toman(0), "deposit", "zero").await, "amount");
        assert_invalid(w.debit(&t, Toman(-5), "deposit", "neg").await, "amount");
        assert_invalid(w.credit(&t, Toman(5), "Bad Kind", "k").await, "kind");
        assert_invalid(w.credit(&t, Toman(5), "deposit", "").await, "idempotency_key");
        assert_invalid(w.credit(&t, Toman(5), "deposit", &"k".repeat(129)).await, "idempotency_key");
        assert_eq!(w.history(&t, Page::default()).await.unwrap().len(), 3);
    }
}

#[tokio::test]
async fn an_idempotency_key_applies_once_and_refuses_a_different_amount() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let w = store.wallets();
        let first = w.credit(&t, Toman(1_000), "deposit", "pay-42").await.unwrap();
        let second = w.credit(&t, Toman(1_000), "deposit", "pay-42").await.unwrap();
        assert!(first.newly_applied && !second.newly_applied, "{backend:?}");
        assert_eq!(second.entry, first.entry, "the first entry is returned");
        assert_eq!(w.balance(&t).await.unwrap(), Toman(1_000));

        for res in [
            w.credit(&t, Toman(2_000), "deposit", "pay-42").await,
            w.debit(&t, Toman(1_000), "deposit", "pay-42").await,
            w.credit(&t, Toman(1_000), "adjustment", "pay-42").await,
        ] {
            let err = res.unwrap_err();
            assert!(matches!(&err, Error::IdempotencyMismatch { key } if key == "pay-42"), "{err:?}");
        }
        assert_eq!(w.balance(&t).await.unwrap(), Toman(1_000));
        assert_eq!(w.history(&t, Page::default()).await.unwrap().len(), 1);

        // Keys are per tenant: another tenant may use the same key.
        let (_, other) = testing::tenant(&store, "Other").await;
        assert!(w.credit(&other, Toman(5), "deposit", "pay-42").await.unwrap().newly_applied);
        assert_eq!(w.balance(&other).await.unwrap(), Toman(5));
        assert_eq!(w.balance(&t).await.unwrap(), Toman(1_000));
    }
}

#[tokio::test]
async fn a_debit_below_zero_is_refused_unless_a_credit_limit_allows_it() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (bot, t) = testing::tenant(&store, "Shop").await;
        let w = store.wallets();
        w.credit(&t, Toman(300), "deposit", "d").await.unwrap();
        let err = w.debit(&t, Toman(301), "wholesale", "too-much").await.unwrap_err();
        assert!(
            matches!(err, Error::InsufficientBalance { balance: Toman(300), requested: Toman(301) }),
            "{backend:?}: {err:?}"
        );
        assert_eq!(w.balance(&t).await.unwrap(), Toman(300), "nothing was written");
        assert_eq!(w.history(&t, Page::default()).await.unwrap().len(), 1);
        // The refused key was not consumed.
        assert!(w.debit(&t, Toman(300), "wholesale", "too-much").await.unwrap().newly_applied);
        assert_eq!(w.balance(&t).await.unwrap(), Toman::ZERO);

        store
            .platform()
            .update(bot.id, BotChanges { wallet_credit_limit: Some(Toman(1000)), ..Default::default() })
            .await
            .unwrap();
        let err = w.debit(&t, Toman(1001), "wholesale", "over-limit").await.unwrap_err();
        assert!(matches!(err, Error::InsufficientBalance { balance: Toman(1000), requested: Toman(1001) }), "{err:?}");
        assert_eq!(w.balance(&t).await.unwrap(), Toman::ZERO);
        let ok = w.debit(&t, Toman(1000), "wholesale", "to-limit").await.unwrap();
        assert_eq!(ok.entry.balance_after, Toman(-1000));
        assert_eq!(w.balance(&t).await.unwrap(), Toman(-1000));
        assert!(matches!(w.debit(&t, Toman(1), "wholesale", "one-more").await, Err(Error::InsufficientBalance { .. })));
        assert_eq!(w.balance(&t).await.unwrap(), Toman(-1000));
        w.credit(&t, Toman(1500), "deposit", "topup").await.unwrap();
        assert_eq!(w.balance(&t).await.unwrap(), Toman(500));
    }
}

#[tokio::test]
async fn traffic_consumed_and_sold_add_up_in_traffic_stats() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let w = store.wallets();
        let empty = w.traffic_stats(&t).await.unwrap();
        assert_eq!((empty.consumed_bytes, empty.sold_bytes, empty.margin_bytes), (0, 0, 0), "{backend:?}");
        assert_eq!(empty.utilisation_percent, None);

        w.record_traffic_sold(&t, 1_000).await.unwrap();
        w.record_traffic_sold(&t, 1_000).await.unwrap();
        w.record_traffic_consumed(&t, 500).await.unwrap();
        let stats = w.traffic_stats(&t).await.unwrap();
        assert_eq!((stats.consumed_bytes, stats.sold_bytes, stats.margin_bytes), (500, 2_000, 1_500));
        assert_eq!(stats.utilisation_percent, Some(25.0));
        assert_invalid(w.record_traffic_consumed(&t, -1).await, "bytes");
        w.record_traffic_consumed(&t, i64::MAX - 500).await.unwrap();
        assert_invalid(w.record_traffic_consumed(&t, 1).await, "bytes");
        assert_eq!(w.traffic_stats(&t).await.unwrap().consumed_bytes, i64::MAX);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_traffic_recordings_are_never_lost() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let (store, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(async move { store.wallets().record_traffic_sold(&t, 3).await }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(store.wallets().traffic_stats(&t).await.unwrap().sold_bytes, 120, "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_debits_with_fifty_keys_change_the_balance_fifty_times() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        store.wallets().credit(&t, Toman(1_000_000), "deposit", "initial").await.unwrap();

        let mut tasks = Vec::new();
        for i in 0..100 {
            let (store, t) = (store.clone(), t.clone());
            let key = format!("k{}", i % 50);
            tasks.push(tokio::spawn(async move { store.wallets().debit(&t, Toman(10), "purchase", &key).await }));
        }
        let mut newly = 0;
        let mut entries_by_key: HashMap<String, i64> = HashMap::new();
        for task in tasks {
            let posted = task.await.unwrap().unwrap();
            if posted.newly_applied {
                newly += 1;
            }
            let id = *entries_by_key.entry(posted.entry.idempotency_key.clone()).or_insert(posted.entry.id);
            assert_eq!(id, posted.entry.id, "both postings of a key return the same entry");
        }
        assert_eq!(newly, 50, "{backend:?}");
        assert_eq!(entries_by_key.len(), 50);
        assert_eq!(store.wallets().balance(&t).await.unwrap(), Toman(1_000_000 - 50 * 10), "{backend:?}");
        let history = store.wallets().history(&t, Page::new(200, 0)).await.unwrap();
        assert_eq!(history.len(), 51);
        // The ledger is consistent: each entry's balance follows from the previous one.
        let mut chronological = history.clone();
        chronological.reverse();
        let mut balance = Toman::ZERO;
        for e in &chronological {
            balance = balance.checked_add(e.amount).unwrap();
            assert_eq!(e.balance_after, balance, "{backend:?}: entry {} breaks the chain", e.idempotency_key);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_debits_never_take_the_balance_below_zero() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        store.wallets().credit(&t, Toman(100), "deposit", "initial").await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..50 {
            let (store, t) = (store.clone(), t.clone());
            tasks.push(tokio::spawn(
                async move { store.wallets().debit(&t, Toman(7), "purchase", &format!("d{i}")).await },
            ));
        }
        let (mut ok, mut refused) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(p) => {
                    assert!(p.newly_applied);
                    assert!(p.entry.balance_after >= Toman::ZERO, "{backend:?}: {p:?}");
                    ok += 1;
                }
                Err(Error::InsufficientBalance { balance, requested }) => {
                    assert_eq!(requested, Toman(7));
                    assert!(balance < Toman(7) && balance >= Toman::ZERO, "{balance}");
                    refused += 1;
                }
                Err(e) => panic!("{backend:?}: unexpected {e:?}"),
            }
        }
        assert_eq!((ok, refused), (14, 36), "{backend:?}");
        assert_eq!(store.wallets().balance(&t).await.unwrap(), Toman(2));
        let history = store.wallets().history(&t, Page::new(200, 0)).await.unwrap();
        assert_eq!(history.len(), 15);
        assert!(history.iter().all(|e| e.balance_after >= Toman::ZERO));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_debits_of_two_tenants_do_not_interfere() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, a) = testing::tenant(&store, "A").await;
        let (_, b) = testing::tenant(&store, "B").await;
        store.wallets().credit(&a, Toman(1_000), "deposit", "initial").await.unwrap();
        store.wallets().credit(&b, Toman(1_000), "deposit", "initial").await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..40 {
            let (store, t) = (store.clone(), if i % 2 == 0 { a.clone() } else { b.clone() });
            // Both tenants use the same keys: keys are per tenant.
            tasks.push(tokio::spawn(async move {
                store.wallets().debit(&t, Toman(10), "purchase", &format!("k{}", i / 2)).await
            }));
        }
        for task in tasks {
            assert!(task.await.unwrap().unwrap().newly_applied);
        }
        assert_eq!(store.wallets().balance(&a).await.unwrap(), Toman(800), "{backend:?}");
        assert_eq!(store.wallets().balance(&b).await.unwrap(), Toman(800));
    }
}

// ---------------------------------------------------------------------------------------------
// Records still referenced
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_plan_with_subscriptions_cannot_be_deleted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let gold = store.plans().create(&t, plan("Gold", 0)).await.unwrap();
        let user = customer(&store, &t, 1001).await;
        let now = Utc::now();
        let sub = store
            .subscriptions()
            .create(
                &t,
                NewSubscription {
                    user: user.id,
                    plan: Some(gold.id),
                    is_trial: false,
                    starts_at: now,
                    expires_at: now + chrono::Duration::days(30),
                    traffic_limit_bytes: 0,
                    device_limit: 1,
                },
            )
            .await
            .unwrap();
        let res = store.plans().delete(&t, gold.id).await;
        assert!(matches!(res, Err(Error::Conflict(_))), "{backend:?}: deleting a plan in use gave {res:?}");
        assert_eq!(store.subscriptions().get(&t, sub.id).await.unwrap(), sub, "the subscription survives");
        assert_eq!(store.plans().get(&t, gold.id).await.unwrap(), gold);
    }
}

#[tokio::test]
async fn a_card_with_payments_cannot_be_deleted() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let c = store.cards().create(&t, card(1)).await.unwrap();
        let user = customer(&store, &t, 1001).await;
        let new = NewCardPayment {
            user: user.id,
            card: c.id,
            amount: Toman(100_000),
            purpose: PaymentPurpose::TopUp,
            plan: None,
            expires_at: Utc::now() + chrono::Duration::hours(1),
        };
        let payment = store.card_payments().create(&t, new).await.unwrap();
        let res = store.cards().delete(&t, c.id).await;
        assert!(matches!(res, Err(Error::Conflict(_))), "{backend:?}: deleting a card with payments gave {res:?}");
        assert_eq!(store.card_payments().get(&t, payment.id).await.unwrap(), payment, "the payment survives");
        // Deactivating is the way to take it out of rotation.
        assert!(!store.cards().set_active(&t, c.id, false).await.unwrap().is_active);
    }
}

// ---------------------------------------------------------------------------------------------
// Customer balance ledger
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_customer_balance_moves_only_through_the_ledger_and_never_below_zero() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let user = customer(&store, &t, 1001).await;
        let other = customer(&store, &t, 1002).await;
        let b = store.balances();
        let credit = b.post(&t, user.id, Posting::credit(Toman(5_000), "deposit", "pay-1").unwrap()).await.unwrap();
        assert!(credit.newly_applied, "{backend:?}");
        assert_eq!(credit.entry.balance_after, Toman(5_000));
        let again = b.post(&t, user.id, Posting::credit(Toman(5_000), "deposit", "pay-1").unwrap()).await.unwrap();
        assert!(!again.newly_applied);
        assert_eq!(again.entry, credit.entry);
        let res = b.post(&t, user.id, Posting::credit(Toman(6_000), "deposit", "pay-1").unwrap()).await;
        assert!(matches!(res, Err(Error::IdempotencyMismatch { .. })), "{res:?}");
        // The same key for another customer of the tenant is a different operation.
        let res = b.post(&t, other.id, Posting::credit(Toman(5_000), "deposit", "pay-1").unwrap()).await;
        assert!(matches!(res, Err(Error::IdempotencyMismatch { .. })), "{res:?}");

        let res = b.post(&t, user.id, Posting::debit(Toman(5_001), "purchase", "buy-1").unwrap()).await;
        assert!(
            matches!(res, Err(Error::InsufficientBalance { balance: Toman(5_000), requested: Toman(5_001) })),
            "{res:?}"
        );
        let debit = b.post(&t, user.id, Posting::debit(Toman(5_000), "purchase", "buy-1").unwrap()).await.unwrap();
        assert_eq!(debit.entry.balance_after, Toman::ZERO);
        assert_eq!(store.users().get(&t, user.id).await.unwrap().balance, Toman::ZERO);
        assert_eq!(store.users().get(&t, other.id).await.unwrap().balance, Toman::ZERO);
        let history = b.history(&t, user.id, Page::default()).await.unwrap();
        assert_eq!(history.iter().map(|e| e.idempotency_key.as_str()).collect::<Vec<_>>(), ["buy-1", "pay-1"]);
        assert!(b.history(&t, other.id, Page::default()).await.unwrap().is_empty());
        assert!(matches!(
            b.post(&t, remnabot_domain::UserId(user.id.0 + 1000), Posting::credit(Toman(1), "deposit", "x").unwrap())
                .await,
            Err(Error::NotFound { .. })
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_balance_debits_with_fifty_keys_change_the_balance_fifty_times() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let user = customer(&store, &t, 1001).await;
        store
            .balances()
            .post(&t, user.id, Posting::credit(Toman(1_000_000), "deposit", "initial").unwrap())
            .await
            .unwrap();

        let mut tasks = Vec::new();
        for i in 0..100 {
            let (store, t) = (store.clone(), t.clone());
            let posting = Posting::debit(Toman(10), "purchase", &format!("k{}", i % 50)).unwrap();
            tasks.push(tokio::spawn(async move { store.balances().post(&t, user.id, posting).await }));
        }
        let mut newly = 0;
        for task in tasks {
            if task.await.unwrap().unwrap().newly_applied {
                newly += 1;
            }
        }
        assert_eq!(newly, 50, "{backend:?}");
        assert_eq!(store.users().get(&t, user.id).await.unwrap().balance, Toman(1_000_000 - 50 * 10));
        let history = store.balances().history(&t, user.id, Page::new(200, 0)).await.unwrap();
        assert_eq!(history.len(), 51);
        let mut balance = Toman::ZERO;
        for e in history.iter().rev() {
            balance = balance.checked_add(e.amount).unwrap();
            assert_eq!(e.balance_after, balance, "{backend:?}: entry {} breaks the chain", e.idempotency_key);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_balance_debits_never_take_a_customer_below_zero() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let user = customer(&store, &t, 1001).await;
        store.balances().post(&t, user.id, Posting::credit(Toman(100), "deposit", "initial").unwrap()).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..50 {
            let (store, t) = (store.clone(), t.clone());
            let posting = Posting::debit(Toman(7), "purchase", &format!("d{i}")).unwrap();
            tasks.push(tokio::spawn(async move { store.balances().post(&t, user.id, posting).await }));
        }
        let (mut ok, mut refused) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(p) => {
                    assert!(p.entry.balance_after >= Toman::ZERO, "{backend:?}: {p:?}");
                    ok += 1;
                }
                Err(Error::InsufficientBalance { .. }) => refused += 1,
                Err(e) => panic!("{backend:?}: unexpected {e:?}"),
            }
        }
        assert_eq!((ok, refused), (14, 36), "{backend:?}");
        assert_eq!(store.users().get(&t, user.id).await.unwrap().balance, Toman(2));
        assert_eq!(store.balances().history(&t, user.id, Page::new(200, 0)).await.unwrap().len(), 15);
    }
}

// ---------------------------------------------------------------------------------------------
// Input limits (issue 12, items 10 and 11)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn plan_names_and_descriptions_are_bounded_to_what_the_bot_can_show() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let plans = store.plans();
        let long_name = PlanSpec { name: "n".repeat(65), ..plan("x", 0) };
        assert_invalid(plans.create(&t, long_name).await, "name");
        let long_text = PlanSpec { description: Some("d".repeat(1001)), ..plan("x", 0) };
        assert_invalid(plans.create(&t, long_text).await, "description");
        let two_lines = PlanSpec { name: "one\ntwo".to_owned(), ..plan("x", 0) };
        assert_invalid(plans.create(&t, two_lines).await, "name");
        let huge_price = PlanSpec { price: Toman(1_000_000_000_001), ..plan("x", 0) };
        assert_invalid(plans.create(&t, huge_price).await, "price");
        let blank = PlanSpec { description: Some("   ".to_owned()), ..plan(&"n".repeat(64), 0) };
        let created = plans.create(&t, blank).await.unwrap();
        assert_eq!(created.description, None, "a blank description is none");
        assert!(store.plans().list(&t, false, Page::new(10, 0)).await.unwrap().len() == 1);

        let cards = store.cards();
        let long_holder = CardSpec { holder_name: "h".repeat(65), ..card(1) };
        assert_invalid(cards.create(&t, long_holder).await, "holder_name");
        let zero_cap = CardSpec { daily_count_cap: Some(0), ..card(1) };
        assert_invalid(cards.create(&t, zero_cap).await, "daily_count_cap");
    }
}

#[tokio::test]
async fn a_trial_of_95_million_days_is_refused_by_the_configuration() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let trial = json!({"days": 95_000_000, "traffic_gb": 1, "device_limit": 1});
        assert_invalid(store.configs().set(&t, "trial", trial).await, "value");
        assert_eq!(store.configs().trial(&t).await.unwrap(), TrialParams::default());
    }
}

#[tokio::test]
async fn dates_past_the_supported_range_are_refused_instead_of_panicking() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let user = customer(&store, &t, 4242).await;
        // A clock at the very end of chrono's range: adding the trial's day overflows.
        let end_of_time = DateTime::<Utc>::MAX_UTC - chrono::Duration::hours(1);
        let res = store.provisioning().trial(&t, user.id, "trial-at-the-end", end_of_time).await;
        assert_invalid(res, "days");
        // An ordinary trial still starts, and extending it past year 9999 is refused.
        let now = Utc::now();
        let trial = store.provisioning().trial(&t, user.id, "trial-now", now).await.unwrap();
        let late = Utc.with_ymd_and_hms(9999, 6, 1, 0, 0, 0).unwrap();
        let res = store.provisioning().extend(&t, trial.subscription.id, 3650, "too-far", late).await;
        assert_invalid(res, "days");
    }
}
