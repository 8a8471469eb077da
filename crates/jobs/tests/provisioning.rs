//! The provisioning outbox end to end against the fake Remnawave panel (v2 and v3), on
//! SQLite and, when `TEST_DATABASE_URL` is set, PostgreSQL: outages, retries without
//! duplicates, restarts, renewal rules, tenant separation inside one panel, usage sync.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use remnabot_domain::config::Language;
use remnabot_domain::notify::{Notifier, NotifyError};
use remnabot_domain::panel::{Panel, PanelVersion};
use remnabot_domain::{BotId, Page, Tenant, TgUserId, Toman};
use remnabot_jobs::backoff::Backoff;
use remnabot_jobs::notify::NotificationWorker;
use remnabot_jobs::provisioning::{ProvisioningConfig, ProvisioningWorker};
use remnabot_jobs::sync::UsageSync;
use remnabot_jobs::{PanelResolver, SinglePanel};
use remnabot_panel::PanelConfig;
use remnabot_store::outbox::{Order, OutboxStatus};
use remnabot_store::plans::PlanSpec;
use remnabot_store::users::{NewUser, User};
use remnabot_store::{Store, testing};
use remnabot_testkit::FakeRemnawave;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

const VERSIONS: [PanelVersion; 2] = [PanelVersion::V3, PanelVersion::V2];

/// Records what the bot would have sent.
#[derive(Debug, Default)]
struct FakeNotifier {
    sent: Mutex<Vec<(BotId, i64, String)>>,
}

#[async_trait::async_trait]
impl Notifier for FakeNotifier {
    async fn send(&self, bot: BotId, chat_id: i64, text: &str) -> Result<(), NotifyError> {
        self.sent.lock().unwrap().push((bot, chat_id, text.to_owned()));
        Ok(())
    }
}

async fn panel_for(fake: &FakeRemnawave) -> Arc<dyn Panel> {
    let mut config =
        PanelConfig::new(url::Url::parse(&fake.url()).unwrap(), secrecy::SecretString::from(fake.token().to_owned()));
    config.timeout = Duration::from_secs(5);
    remnabot_panel::connect(config, reqwest::Client::new()).await.expect("panel client")
}

fn fast_config() -> ProvisioningConfig {
    ProvisioningConfig {
        backoff: Backoff { base: Duration::from_secs(1), max: Duration::from_secs(60) },
        alert_after: 3,
        ..ProvisioningConfig::default()
    }
}

fn plan(days: u32, gb: u32, devices: u32) -> PlanSpec {
    PlanSpec {
        name: format!("{days} days"),
        description: None,
        period_days: days,
        traffic_gb: gb,
        device_limit: devices,
        price: Toman(100_000),
        sort_order: 0,
    }
}

async fn customer(store: &Store, t: &Tenant, tg: i64, lang: Language) -> User {
    let new =
        NewUser { telegram_id: TgUserId(tg), username: None, first_name: None, language: lang, referred_by: None };
    store.users().register(t, new).await.unwrap().0
}

/// Now, at the microsecond precision PostgreSQL keeps, so stored instants compare equal.
fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}

fn later(now: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
    now + chrono::Duration::hours(hours)
}

struct Setup {
    store: Store,
    fake: FakeRemnawave,
    panels: Arc<dyn PanelResolver>,
    worker: ProvisioningWorker,
}

async fn setup(backend: remnabot_store::Backend, version: PanelVersion) -> Setup {
    let store = testing::store(backend).await;
    let fake = FakeRemnawave::start(version).await;
    let panels: Arc<dyn PanelResolver> = Arc::new(SinglePanel(panel_for(&fake).await));
    let worker = ProvisioningWorker::new(store.clone(), panels.clone(), fast_config());
    Setup { store, fake, panels, worker }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_purchases_during_an_outage_are_provisioned_exactly_once_when_the_panel_returns() {
    for backend in testing::backends() {
        for version in VERSIONS {
            let Setup { store, fake, worker, .. } = setup(backend, version).await;
            let (_, t) = testing::tenant(&store, "Shop").await;
            let p = store.plans().create(&t, plan(30, 50, 2)).await.unwrap();
            let now = now();
            let mut users = Vec::new();
            for i in 0..20 {
                let u = customer(&store, &t, 10_000 + i, Language::En).await;
                let order = Order { user: u.id, plan: p.id, idempotency_key: format!("order-{i}") };
                let done = store.provisioning().purchase(&t, order, now).await.unwrap();
                assert!(done.newly_applied);
                users.push(u);
            }
            fake.set_down(true);
            let report = worker.run_once(now).await.unwrap();
            assert_eq!((report.done, report.failed), (0, 20), "{backend:?} {version:?}");
            assert_eq!(worker.run_once(now).await.unwrap().failed, 0, "failed entries wait for their back-off");
            assert_eq!(store.provisioning().pending_count(&t).await.unwrap(), 20);

            fake.set_down(false);
            let report = worker.run_once(later(now, 1)).await.unwrap();
            assert_eq!((report.done, report.failed), (20, 0), "{backend:?} {version:?}");
            assert_eq!(worker.run_once(later(now, 2)).await.unwrap(), Default::default(), "nothing left");
            assert_eq!(fake.create_count(), 20, "{backend:?} {version:?}: exactly one panel user per purchase");
            assert_eq!(fake.users().len(), 20);

            let notifier = Arc::new(FakeNotifier::default());
            let sender = NotificationWorker::new(store.clone(), notifier.clone());
            assert_eq!(sender.run_once(later(now, 2)).await.unwrap().done, 20);
            assert_eq!(sender.run_once(later(now, 3)).await.unwrap().done, 0, "each message is sent once");
            let sent = notifier.sent.lock().unwrap().clone();
            for u in &users {
                let sub = store.subscriptions().current_for_user(&t, u.id).await.unwrap().unwrap();
                let url = sub.subscription_url.clone().expect("link recorded");
                assert!(sub.panel_user_id.is_some());
                let to_user: Vec<_> = sent.iter().filter(|(_, chat, _)| *chat == u.telegram_id.0).collect();
                assert_eq!(to_user.len(), 1, "one message per customer");
                assert!(to_user[0].2.contains(&url), "the message carries the customer's own link");
            }
        }
    }
}

#[tokio::test]
async fn applying_the_same_order_twice_extends_once_and_provisions_once() {
    for backend in testing::backends() {
        let Setup { store, fake, worker, .. } = setup(backend, PanelVersion::V3).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let p = store.plans().create(&t, plan(30, 0, 1)).await.unwrap();
        let u = customer(&store, &t, 77, Language::Fa).await;
        let now = now();
        let order = || Order { user: u.id, plan: p.id, idempotency_key: "card:1".to_owned() };
        let first = store.provisioning().purchase(&t, order(), now).await.unwrap();
        let second = store.provisioning().purchase(&t, order(), now).await.unwrap();
        assert!(first.newly_applied && !second.newly_applied);
        assert_eq!(first.subscription.expires_at, second.subscription.expires_at);
        assert_eq!(store.provisioning().list(&t, None, Page::default()).await.unwrap().len(), 1);
        worker.run_once(now).await.unwrap();
        assert_eq!(fake.create_count(), 1);
    }
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_adopts_the_panel_user_instead_of_creating_another() {
    for backend in testing::backends() {
        for version in VERSIONS {
            let Setup { store, fake, worker, panels } = setup(backend, version).await;
            let (bot, t) = testing::tenant(&store, "Shop").await;
            let p = store.plans().create(&t, plan(30, 10, 1)).await.unwrap();
            let u = customer(&store, &t, 555, Language::Ru).await;
            let now = now();
            store
                .provisioning()
                .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: "o1".into() }, now)
                .await
                .unwrap();
            // An earlier attempt created the user but its answer never arrived.
            let panel = panels.panel_for(&t).await.unwrap();
            let earlier = remnabot_domain::panel::NewPanelUser {
                username: remnabot_domain::panel::panel_username(bot.id, u.telegram_id),
                expire_at: later(now, 1),
                traffic_limit_bytes: 0,
                traffic_limit_strategy: Default::default(),
                hwid_device_limit: None,
                internal_squads: vec![],
                telegram_id: Some(u.telegram_id.0),
                description: None,
                tag: None,
            };
            panel.create_user(&earlier).await.unwrap();
            assert_eq!(worker.run_once(now).await.unwrap().done, 1, "{version:?}");
            assert_eq!(fake.create_count(), 1, "{version:?}: the existing user was adopted");
            let on_panel = fake.users();
            assert_eq!(on_panel.len(), 1);
            assert_eq!(on_panel[0]["trafficLimitBytes"], json!(10i64 << 30), "the adopted user got the plan's limits");
        }
    }
}

#[tokio::test]
async fn renewal_extends_an_active_subscription_from_its_expiry_and_an_expired_one_from_now() {
    for backend in testing::backends() {
        let Setup { store, worker, .. } = setup(backend, PanelVersion::V3).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let p = store.plans().create(&t, plan(30, 0, 1)).await.unwrap();
        let u = customer(&store, &t, 1, Language::En).await;
        let now = now();
        let first = store
            .provisioning()
            .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: "a".into() }, now)
            .await
            .unwrap();
        worker.run_once(now).await.unwrap();
        let renewed = store
            .provisioning()
            .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: "b".into() }, later(now, 24 * 10))
            .await
            .unwrap();
        assert_eq!(renewed.subscription.id, first.subscription.id, "the same subscription is extended");
        assert_eq!(
            renewed.subscription.expires_at,
            first.subscription.expires_at + chrono::Duration::days(30),
            "an active subscription is extended from its expiry"
        );
        // Long after it expired, a renewal counts from the moment of payment.
        let much_later = renewed.subscription.expires_at + chrono::Duration::days(5);
        let again = store
            .provisioning()
            .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: "c".into() }, much_later)
            .await
            .unwrap();
        assert_eq!(again.subscription.expires_at, much_later + chrono::Duration::days(30));
        assert_eq!(again.entry.reason, remnabot_store::outbox::ProvisionReason::Renewal);
        assert!(!again.entry.reset_devices, "devices are kept unless the tenant says otherwise");
    }
}

#[tokio::test]
async fn devices_are_kept_on_renewal_unless_the_tenant_resets_them() {
    for backend in testing::backends() {
        for version in VERSIONS {
            let Setup { store, fake, worker, .. } = setup(backend, version).await;
            let (bot, t) = testing::tenant(&store, "Shop").await;
            let p = store.plans().create(&t, plan(30, 0, 3)).await.unwrap();
            let u = customer(&store, &t, 42, Language::En).await;
            let username = remnabot_domain::panel::panel_username(bot.id, u.telegram_id);
            let now = now();
            let order = |k: &str| Order { user: u.id, plan: p.id, idempotency_key: k.to_owned() };
            store.provisioning().purchase(&t, order("buy"), now).await.unwrap();
            worker.run_once(now).await.unwrap();
            fake.add_device(&username, "phone-1");
            fake.add_device(&username, "laptop-1");

            store.provisioning().purchase(&t, order("renew-1"), now).await.unwrap();
            worker.run_once(now).await.unwrap();
            assert_eq!(fake.devices(&username).len(), 2, "{version:?}: renewing keeps registered devices");

            store.configs().set(&t, "reset_devices_on_renewal", json!(true)).await.unwrap();
            let renewed = store.provisioning().purchase(&t, order("renew-2"), now).await.unwrap();
            assert!(renewed.entry.reset_devices);
            worker.run_once(now).await.unwrap();
            assert!(fake.devices(&username).is_empty(), "{version:?}: the tenant chose to reset devices on renewal");
        }
    }
}

#[tokio::test]
async fn two_tenants_selling_to_the_same_telegram_user_get_distinct_panel_users_with_their_own_tags_and_squads() {
    for backend in testing::backends() {
        for version in VERSIONS {
            let Setup { store, fake, worker, .. } = setup(backend, version).await;
            fake.add_squad("Premium");
            let squads = fake.squad_uuids();
            let now = now();
            let mut seen = Vec::new();
            for (i, name) in ["Alpha", "Beta"].into_iter().enumerate() {
                let (_, t) = testing::tenant(&store, name).await;
                store.configs().set(&t, "panel_squads", json!([squads[i]])).await.unwrap();
                let p = store.plans().create(&t, plan(30, 0, 1)).await.unwrap();
                let u = customer(&store, &t, 999_000_111, Language::En).await;
                store
                    .provisioning()
                    .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: "x".into() }, now)
                    .await
                    .unwrap();
                seen.push(t);
            }
            assert_eq!(worker.run_once(now).await.unwrap().done, 2);
            let users = fake.users();
            assert_eq!(users.len(), 2, "{version:?}");
            assert_ne!(users[0]["username"], users[1]["username"]);
            assert_ne!(users[0]["tag"], users[1]["tag"]);
            for (i, t) in seen.iter().enumerate() {
                let tag = format!("T{}", t.bot_id().0);
                let user = users.iter().find(|u| u["tag"] == json!(tag)).expect("the tenant's tagged user");
                let user_squads: Vec<&str> = user["activeInternalSquads"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["uuid"].as_str().unwrap())
                    .collect();
                assert_eq!(user_squads, vec![squads[i].as_str()], "{version:?}: each tenant's own squad");
                assert_eq!(user["telegramId"], json!(999_000_111));
                assert!(user["description"].as_str().unwrap().contains(&t.bot_id().to_string()));
            }
        }
    }
}

/// The uuids of the internal squads of the panel user `username`.
fn squads_of(fake: &FakeRemnawave, username: &str) -> Vec<String> {
    let user = fake.user_by_username(username).expect("the panel user");
    user["activeInternalSquads"].as_array().unwrap().iter().map(|s| s["uuid"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_new_panel_user_goes_in_the_panels_only_squad_when_the_tenant_names_none() {
    for backend in testing::backends() {
        for version in VERSIONS {
            let Setup { store, fake, worker, .. } = setup(backend, version).await;
            let only = fake.squad_uuids();
            assert_eq!(only.len(), 1, "a fresh panel has one internal squad");
            let (bot, t) = testing::tenant(&store, "Shop").await;
            let p = store.plans().create(&t, plan(30, 10, 1)).await.unwrap();
            let u = customer(&store, &t, 4242, Language::En).await;
            let order = Order { user: u.id, plan: p.id, idempotency_key: "o".into() };
            store.provisioning().purchase(&t, order, now()).await.unwrap();
            assert_eq!(worker.run_once(now()).await.unwrap().done, 1, "{backend:?} {version:?}");
            let username = remnabot_domain::panel::panel_username(bot.id, u.telegram_id);
            assert_eq!(squads_of(&fake, &username), only, "{backend:?} {version:?}");
        }
    }
}

#[tokio::test]
async fn without_a_squad_to_choose_no_panel_user_is_made_and_the_entry_waits_for_one() {
    for backend in testing::backends() {
        for version in VERSIONS {
            let Setup { store, fake, worker, .. } = setup(backend, version).await;
            let default = fake.squad_uuids()[0].clone();
            // A panel with no internal squad, then one with several and none named.
            for name in ["Empty panel", "Many squads"] {
                if name == "Empty panel" {
                    assert!(fake.remove_squad(&default));
                } else {
                    fake.add_squad("Germany");
                    fake.add_squad("Netherlands");
                }
                let squads = fake.squad_uuids().len();
                assert_ne!(squads, 1);
                let (bot, t) = testing::tenant(&store, name).await;
                let p = store.plans().create(&t, plan(30, 10, 1)).await.unwrap();
                let u = customer(&store, &t, 5151, Language::En).await;
                let start = now();
                let order = Order { user: u.id, plan: p.id, idempotency_key: "o".into() };
                store.provisioning().purchase(&t, order, start).await.unwrap();
                let report = worker.run_once(start).await.unwrap();
                assert_eq!((report.done, report.failed), (0, 1), "{backend:?} {version:?} {name}");
                let username = remnabot_domain::panel::panel_username(bot.id, u.telegram_id);
                assert!(fake.user_by_username(&username).is_none(), "{name}: no user without a squad");
                let entry = store.provisioning().list(&t, None, Page::default()).await.unwrap().remove(0);
                let error = entry.last_error.unwrap_or_default();
                assert!(
                    error.contains(&format!("the panel has {squads} internal squads"))
                        && error.contains("panel_squads"),
                    "{name}: {error}"
                );

                // Once the tenant names a squad, the waiting purchase is provisioned into it.
                let chosen = fake.squad_uuids().last().cloned().unwrap_or_else(|| fake.add_squad("Chosen"));
                store.configs().set(&t, "panel_squads", json!([chosen])).await.unwrap();
                assert_eq!(worker.run_once(later(start, 1)).await.unwrap().done, 1, "{name}");
                assert_eq!(squads_of(&fake, &username), vec![chosen], "{backend:?} {version:?} {name}");
            }
        }
    }
}

#[tokio::test]
async fn usage_on_the_panel_shows_up_on_the_subscription_and_in_the_tenants_traffic_consumed() {
    for backend in testing::backends() {
        for version in VERSIONS {
            let Setup { store, fake, worker, panels } = setup(backend, version).await;
            let (bot, t) = testing::tenant(&store, "Shop").await;
            let p = store.plans().create(&t, plan(30, 100, 1)).await.unwrap();
            let u = customer(&store, &t, 31337, Language::En).await;
            let now = now();
            store
                .provisioning()
                .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: "o".into() }, now)
                .await
                .unwrap();
            worker.run_once(now).await.unwrap();
            let username = remnabot_domain::panel::panel_username(bot.id, u.telegram_id);
            fake.set_used_traffic(&username, 3 << 30);

            let sync = UsageSync::new(store.clone(), panels.clone());
            let report = sync.run_once().await.unwrap();
            assert_eq!(report.consumed_bytes, 3 << 30, "{version:?}");
            let sub = store.subscriptions().current_for_user(&t, u.id).await.unwrap().unwrap();
            assert_eq!(sub.traffic_used_bytes, 3 << 30);
            assert_eq!(store.wallets().traffic_stats(&t).await.unwrap().consumed_bytes, 3 << 30);

            assert_eq!(sync.run_once().await.unwrap().consumed_bytes, 0, "the same usage is not counted twice");
            fake.set_used_traffic(&username, 5 << 30);
            sync.run_once().await.unwrap();
            assert_eq!(store.wallets().traffic_stats(&t).await.unwrap().consumed_bytes, 5 << 30);

            // A renewal resets the panel counter; usage after it adds on, never subtracts.
            store
                .provisioning()
                .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: "renew".into() }, now)
                .await
                .unwrap();
            worker.run_once(now).await.unwrap();
            assert_eq!(
                fake.user_by_username(&username).unwrap()["userTraffic"]["usedTrafficBytes"],
                json!(0),
                "{version:?}"
            );
            fake.set_used_traffic(&username, 1 << 30);
            sync.run_once().await.unwrap();
            assert_eq!(store.wallets().traffic_stats(&t).await.unwrap().consumed_bytes, 6 << 30, "{version:?}");
        }
    }
}

#[tokio::test]
async fn a_panel_user_deleted_by_hand_is_created_again_at_the_next_provisioning() {
    for backend in testing::backends() {
        for version in VERSIONS {
            let Setup { store, fake, worker, .. } = setup(backend, version).await;
            let (bot, t) = testing::tenant(&store, "Shop").await;
            let p = store.plans().create(&t, plan(30, 0, 1)).await.unwrap();
            let u = customer(&store, &t, 8, Language::En).await;
            let now = now();
            let order = |k: &str| Order { user: u.id, plan: p.id, idempotency_key: k.to_owned() };
            store.provisioning().purchase(&t, order("1"), now).await.unwrap();
            worker.run_once(now).await.unwrap();
            fake.delete_user_by_hand(&remnabot_domain::panel::panel_username(bot.id, u.telegram_id));
            assert!(fake.users().is_empty());

            store.provisioning().purchase(&t, order("2"), now).await.unwrap();
            let report = worker.run_once(now).await.unwrap();
            assert_eq!((report.done, report.failed), (1, 0), "{version:?}");
            assert_eq!(fake.users().len(), 1);
            let sub = store.subscriptions().current_for_user(&t, u.id).await.unwrap().unwrap();
            assert_eq!(Some(fake.users()[0]["subscriptionUrl"].as_str().unwrap().to_owned()), sub.subscription_url);
        }
    }
}

#[tokio::test]
async fn admins_are_alerted_once_after_repeated_failures_and_the_entry_keeps_being_retried() {
    for backend in testing::backends() {
        let Setup { store, fake, worker, .. } = setup(backend, PanelVersion::V3).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        store.configs().set(&t, "admin_ids", json!([501, 502])).await.unwrap();
        let p = store.plans().create(&t, plan(30, 0, 1)).await.unwrap();
        let u = customer(&store, &t, 9, Language::En).await;
        let mut now = now();
        store
            .provisioning()
            .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: "o".into() }, now)
            .await
            .unwrap();
        fake.set_down(true);
        for _ in 0..6 {
            worker.run_once(now).await.unwrap();
            now = later(now, 1);
        }
        let entry = &store.provisioning().list(&t, None, Page::default()).await.unwrap()[0];
        assert_eq!(entry.status, OutboxStatus::Pending);
        assert_eq!(entry.attempts, 6);
        assert!(entry.alerted && entry.last_error.as_deref().unwrap_or_default().contains("503"), "{entry:?}");
        let alerts = store.notifications().list(&t, None, Page::default()).await.unwrap();
        let mut chats: Vec<i64> = alerts.iter().map(|n| n.chat_id).collect();
        chats.sort_unstable();
        assert_eq!(chats, vec![501, 502], "one alert per admin, not one per failure");

        fake.set_down(false);
        assert_eq!(worker.run_once(now).await.unwrap().done, 1, "still retried, and now done");
    }
}

#[tokio::test]
async fn an_entry_claimed_by_a_worker_that_died_is_taken_again_when_its_lease_runs_out() {
    for backend in testing::backends() {
        let Setup { store, fake, worker, .. } = setup(backend, PanelVersion::V3).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        let p = store.plans().create(&t, plan(30, 0, 1)).await.unwrap();
        let u = customer(&store, &t, 10, Language::En).await;
        let now = now();
        store
            .provisioning()
            .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: "o".into() }, now)
            .await
            .unwrap();
        // A worker claims the entry and dies before finishing it.
        let claimed = store.provisioning().claim_next(&t, now, chrono::Duration::seconds(120)).await.unwrap();
        assert!(claimed.is_some());
        assert_eq!(worker.run_once(now).await.unwrap(), Default::default(), "leased to the dead worker");
        let report = worker.run_once(now + chrono::Duration::seconds(121)).await.unwrap();
        assert_eq!(report.done, 1);
        assert_eq!(fake.create_count(), 1);
    }
}

#[tokio::test]
async fn pending_entries_survive_a_restart_and_complete_afterwards() {
    let dir = std::env::temp_dir().join("remnabot-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("restart-{}.db", testing::unique_suffix()));
    let url = format!("sqlite://{}", path.display());
    let key = remnabot_store::SecretKey::generate();
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    let now = now();
    let tenant_id = {
        let store = Store::connect(&url, key.clone(), remnabot_store::FlagCache::Disabled).await.unwrap();
        store.migrate().await.unwrap();
        let (bot, t) = testing::tenant(&store, "Shop").await;
        let p = store.plans().create(&t, plan(30, 0, 1)).await.unwrap();
        for i in 0..5 {
            let u = customer(&store, &t, 100 + i, Language::En).await;
            store
                .provisioning()
                .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: format!("o{i}") }, now)
                .await
                .unwrap();
        }
        let worker =
            ProvisioningWorker::new(store.clone(), Arc::new(SinglePanel(panel_for(&fake).await)), fast_config());
        fake.set_down(true);
        assert_eq!(worker.run_once(now).await.unwrap().failed, 5);
        store.raw_connection().clone().close().await.unwrap();
        bot.id
    };
    // A new process: a fresh connection to the same file.
    fake.set_down(false);
    let store = Store::connect(&url, key, remnabot_store::FlagCache::Disabled).await.unwrap();
    store.migrate().await.unwrap();
    let t = Tenant::of(&store.platform().get(tenant_id).await.unwrap());
    assert_eq!(store.provisioning().pending_count(&t).await.unwrap(), 5);
    let worker = ProvisioningWorker::new(store.clone(), Arc::new(SinglePanel(panel_for(&fake).await)), fast_config());
    assert_eq!(worker.run_once(later(now, 1)).await.unwrap().done, 5);
    assert_eq!(store.provisioning().pending_count(&t).await.unwrap(), 0);
    assert_eq!(fake.create_count(), 5);
}

#[tokio::test]
async fn a_trial_is_provisioned_once_per_customer() {
    for backend in testing::backends() {
        let Setup { store, fake, worker, .. } = setup(backend, PanelVersion::V2).await;
        let (_, t) = testing::tenant(&store, "Shop").await;
        store.configs().set(&t, "trial", json!({"days": 3, "traffic_gb": 2, "device_limit": 1})).await.unwrap();
        let u = customer(&store, &t, 11, Language::Fa).await;
        let now = now();
        let trial = store.provisioning().trial(&t, u.id, "trial:11", now).await.unwrap();
        assert!(trial.subscription.is_trial);
        assert_eq!(trial.subscription.expires_at, now + chrono::Duration::days(3));
        assert_eq!(trial.subscription.traffic_limit_bytes, 2 << 30);
        let again = store.provisioning().trial(&t, u.id, "trial:11-again", now).await;
        assert!(matches!(again, Err(remnabot_domain::Error::Conflict(_))), "{again:?}");
        worker.run_once(now).await.unwrap();
        assert_eq!(fake.create_count(), 1);
    }
}

/// Each tenant on its own panel.
#[derive(Debug)]
struct PanelPerTenant(std::collections::HashMap<BotId, Arc<dyn Panel>>);

#[async_trait::async_trait]
impl PanelResolver for PanelPerTenant {
    async fn panel_for(&self, tenant: &Tenant) -> remnabot_domain::Result<Arc<dyn Panel>> {
        self.0.get(&tenant.bot_id()).cloned().ok_or_else(|| remnabot_domain::Error::not_found("panel"))
    }
}

/// A client of `fake` that waits up to `timeout` for each answer.
async fn patient_panel(fake: &FakeRemnawave, timeout: Duration) -> Arc<dyn Panel> {
    let mut config =
        PanelConfig::new(url::Url::parse(&fake.url()).unwrap(), secrecy::SecretString::from(fake.token().to_owned()));
    config.timeout = timeout;
    config.version = remnabot_panel::VersionChoice::V3;
    remnabot_panel::connect(config, reqwest::Client::new()).await.unwrap()
}

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "{what} did not happen");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tenant_whose_panel_hangs_does_not_hold_up_another_tenants_provisioning() {
    for backend in testing::backends() {
        let store = testing::store(backend).await;
        let hanging = FakeRemnawave::start(PanelVersion::V3).await;
        let healthy = FakeRemnawave::start(PanelVersion::V3).await;
        let (a_bot, a) = testing::tenant(&store, "Slow panel").await;
        let (b_bot, b) = testing::tenant(&store, "Healthy panel").await;
        // A's requests would wait far longer than this test runs.
        let panels = PanelPerTenant(
            [
                (a_bot.id, patient_panel(&hanging, Duration::from_secs(600)).await),
                (b_bot.id, patient_panel(&healthy, Duration::from_secs(600)).await),
            ]
            .into(),
        );
        let worker = ProvisioningWorker::new(
            store.clone(),
            Arc::new(panels),
            ProvisioningConfig { poll_every: Duration::from_millis(50), ..fast_config() },
        );
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let running = tokio::spawn(worker.run(stopped));

        hanging.set_hang(true);
        let p = store.plans().create(&a, plan(30, 0, 1)).await.unwrap();
        for i in 0..6 {
            let u = customer(&store, &a, 1000 + i, Language::En).await;
            let order = Order { user: u.id, plan: p.id, idempotency_key: format!("a-{i}") };
            store.provisioning().purchase(&a, order, Utc::now()).await.unwrap();
        }
        wait_until("A's panel is asked", async || hanging.held_count() > 0).await;

        // Meanwhile a customer of B takes the trial: it is provisioned while A's panel still
        // holds the first of A's six entries.
        let started = std::time::Instant::now();
        let u = customer(&store, &b, 2000, Language::En).await;
        store.provisioning().trial(&b, u.id, "trial:2000", Utc::now()).await.unwrap();
        wait_until("B's trial is provisioned", async || store.provisioning().pending_count(&b).await.unwrap() == 0)
            .await;
        eprintln!("{backend:?}: B's trial provisioned in {:?} while A's panel hangs", started.elapsed());
        assert_eq!(healthy.create_count(), 1, "{backend:?}");
        assert!(hanging.held_count() > 0, "{backend:?}: A's panel still holds the request");
        assert_eq!(store.provisioning().pending_count(&a).await.unwrap(), 6, "{backend:?}");

        // A's panel answers again: A's entries complete; stopping gives nothing up.
        hanging.set_hang(false);
        wait_until("A's entries are provisioned", async || store.provisioning().pending_count(&a).await.unwrap() == 0)
            .await;
        assert_eq!(hanging.create_count(), 6, "{backend:?}");
        stop.send_replace(true);
        running.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_holds_only_the_entry_it_applies_renews_its_lease_and_gives_it_back_when_stopped() {
    for backend in testing::backends() {
        let Setup { store, fake, .. } = setup(backend, PanelVersion::V3).await;
        let (bot, t) = testing::tenant(&store, "Shop").await;
        let p = store.plans().create(&t, plan(30, 0, 1)).await.unwrap();
        for i in 0..5 {
            let u = customer(&store, &t, 300 + i, Language::En).await;
            let order = Order { user: u.id, plan: p.id, idempotency_key: format!("o{i}") };
            store.provisioning().purchase(&t, order, Utc::now()).await.unwrap();
        }
        // The first worker's panel hangs on the first entry; its lease is short and renewed.
        fake.set_hang(true);
        let stuck = ProvisioningWorker::new(
            store.clone(),
            Arc::new(PanelPerTenant([(bot.id, patient_panel(&fake, Duration::from_secs(600)).await)].into())),
            ProvisioningConfig {
                lease: Duration::from_millis(600),
                poll_every: Duration::from_millis(50),
                ..fast_config()
            },
        );
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let running = tokio::spawn(stuck.run(stopped));
        wait_until("the panel is asked", async || fake.held_count() > 0).await;
        let leased = || async {
            let raw = remnabot_store::entity::provisioning_outbox::Entity::find()
                .filter(remnabot_store::entity::provisioning_outbox::Column::LockedUntil.is_not_null())
                .all(store.raw_connection())
                .await
                .unwrap();
            raw.into_iter().map(|m| (m.id, m.locked_until.unwrap())).collect::<Vec<_>>()
        };
        let first = leased().await;
        assert_eq!(first.len(), 1, "{backend:?}: one entry claimed, not the batch");
        wait_until("the lease is renewed", async || leased().await.first().is_some_and(|l| l.1 > first[0].1)).await;

        // Another worker (whose panel answers) takes the four others at once, not the one held.
        let healthy = FakeRemnawave::start(PanelVersion::V3).await;
        let other = ProvisioningWorker::new(
            store.clone(),
            Arc::new(SinglePanel(patient_panel(&healthy, Duration::from_secs(5)).await)),
            fast_config(),
        );
        let report = other.run_once(Utc::now()).await.unwrap();
        assert_eq!((report.done, report.failed), (4, 0), "{backend:?}");
        assert_eq!(store.provisioning().pending_count(&t).await.unwrap(), 1);

        // Stopping the first worker gives its entry back: nothing waits out a lease.
        stop.send_replace(true);
        running.await.unwrap();
        assert!(leased().await.is_empty(), "{backend:?}: the lease is released");
        assert_eq!(other.run_once(Utc::now()).await.unwrap().done, 1, "{backend:?}");
        assert_eq!(store.provisioning().pending_count(&t).await.unwrap(), 0, "{backend:?}");
        assert_eq!((fake.create_count(), healthy.create_count()), (0, 5), "{backend:?}: one panel user per purchase");
    }
}

#[tokio::test]
async fn a_deactivated_tenants_entries_wait_and_resume_when_it_is_active_again() {
    for backend in testing::backends() {
        let Setup { store, fake, worker, .. } = setup(backend, PanelVersion::V3).await;
        let (bot, t) = testing::tenant(&store, "Shop").await;
        let (_, other) = testing::tenant(&store, "Other").await;
        let p = store.plans().create(&t, plan(30, 0, 1)).await.unwrap();
        let q = store.plans().create(&other, plan(30, 0, 1)).await.unwrap();
        let now = now();
        let u = customer(&store, &t, 1, Language::En).await;
        let v = customer(&store, &other, 2, Language::En).await;
        store
            .provisioning()
            .purchase(&t, Order { user: u.id, plan: p.id, idempotency_key: "o".into() }, now)
            .await
            .unwrap();
        store
            .provisioning()
            .purchase(&other, Order { user: v.id, plan: q.id, idempotency_key: "o".into() }, now)
            .await
            .unwrap();
        store.platform().set_active(bot.id, false).await.unwrap();

        let report = worker.run_once(now).await.unwrap();
        assert_eq!((report.done, report.failed), (1, 0), "{backend:?}: only the active tenant is served");
        let waiting = &store.provisioning().list(&t, None, Page::default()).await.unwrap()[0];
        assert_eq!((waiting.status, waiting.attempts), (OutboxStatus::Pending, 0), "{backend:?}: not even tried");
        assert_eq!(fake.create_count(), 1);

        store.platform().set_active(bot.id, true).await.unwrap();
        assert_eq!(worker.run_once(now).await.unwrap().done, 1, "{backend:?}: resumed");
        assert_eq!(fake.create_count(), 2);
    }
}
