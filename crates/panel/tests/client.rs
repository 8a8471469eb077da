//! The client against the stateful fake panel, on both API lines: every `Panel` operation, version
//! detection, the failure modes a provisioning worker must tell apart, and tenant naming.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use remnabot_domain::panel::{
    NewPanelUser, Panel, PanelError, PanelUser, PanelUserKey, PanelUserStatus, PanelUserUpdate, PanelVersion,
    TrafficResetStrategy,
};
use remnabot_domain::{BotId, TgUserId};
use remnabot_panel::{PanelConfig, VersionChoice, build, connect, panel_username, tenant_description, tenant_tag};
use remnabot_testkit::FakeRemnawave;
use secrecy::SecretString;
use url::Url;

const VERSIONS: [PanelVersion; 2] = [PanelVersion::V2, PanelVersion::V3];
const GIB: i64 = 1024 * 1024 * 1024;

fn config(fake: &FakeRemnawave) -> PanelConfig {
    PanelConfig::new(Url::parse(&fake.url()).unwrap(), SecretString::from(fake.token()))
}

fn panel(fake: &FakeRemnawave) -> Arc<dyn Panel> {
    build(config(fake), reqwest::Client::new(), fake.version())
}

/// Whole seconds, so comparisons survive the panel's millisecond precision.
fn days_from_now(days: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp() + days * 86_400, 0).unwrap()
}

fn new_user(fake: &FakeRemnawave, bot_id: i64, telegram_id: i64) -> NewPanelUser {
    NewPanelUser {
        username: panel_username(BotId(bot_id), TgUserId(telegram_id)),
        expire_at: days_from_now(30),
        traffic_limit_bytes: 50 * GIB,
        traffic_limit_strategy: TrafficResetStrategy::Month,
        hwid_device_limit: Some(3),
        internal_squads: vec![fake.squad_uuids()[0].clone()],
        telegram_id: Some(telegram_id),
        description: Some(tenant_description("Test VPN", BotId(bot_id), TgUserId(telegram_id))),
        tag: Some(tenant_tag(BotId(bot_id))),
    }
}

async fn start(version: PanelVersion) -> (FakeRemnawave, Arc<dyn Panel>) {
    let fake = FakeRemnawave::start(version).await;
    let panel = panel(&fake);
    (fake, panel)
}

async fn created(fake: &FakeRemnawave, panel: &Arc<dyn Panel>, bot_id: i64, telegram_id: i64) -> PanelUser {
    panel.create_user(&new_user(fake, bot_id, telegram_id)).await.unwrap()
}

#[tokio::test]
async fn creating_a_user_returns_every_field_as_sent() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        let new = new_user(&fake, 1, 100);
        let user = panel.create_user(&new).await.unwrap();
        assert_eq!(user.username, "rb1_100", "{version:?}");
        assert_eq!(user.key.uuid.is_some(), version == PanelVersion::V2, "{version:?}: {:?}", user.key);
        assert_eq!(user.status, PanelUserStatus::Active);
        assert_eq!(user.expire_at, new.expire_at);
        assert_eq!(user.traffic_limit_bytes, 50 * GIB);
        assert_eq!(user.traffic_limit_strategy, TrafficResetStrategy::Month);
        assert_eq!(user.used_traffic_bytes, 0);
        assert_eq!(user.hwid_device_limit, Some(3));
        assert_eq!(user.internal_squads, new.internal_squads);
        assert_eq!(user.telegram_id, Some(100));
        assert_eq!(user.description, new.description);
        assert_eq!(user.tag.as_deref(), Some("T1"));
        assert!(user.subscription_url.ends_with(&user.short_uuid), "{version:?}: {}", user.subscription_url);
        assert_eq!(fake.create_count(), 1);
        assert_eq!(panel.version(), version);
    }
}

#[tokio::test]
async fn a_user_is_found_by_key_and_by_username() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        let user = created(&fake, &panel, 1, 100).await;
        assert_eq!(panel.user(&user.key).await.unwrap(), user, "{version:?}");
        assert_eq!(panel.user_by_username("rb1_100").await.unwrap(), Some(user.clone()), "{version:?}");
        assert_eq!(panel.user_by_username("rb1_999").await.unwrap(), None, "{version:?}");
        let missing = PanelUserKey { id: user.key.id + 100, uuid: None };
        assert_eq!(panel.user(&missing).await, Err(PanelError::NotFound), "{version:?}");
    }
}

#[tokio::test]
async fn a_v2_key_without_uuid_is_resolved_by_id() {
    let (fake, panel) = start(PanelVersion::V2).await;
    let user = created(&fake, &panel, 1, 100).await;
    let by_id = PanelUserKey { id: user.key.id, uuid: None };
    assert_eq!(panel.user(&by_id).await.unwrap(), user);
    let disabled = panel.disable_user(&by_id).await.unwrap();
    assert_eq!(disabled.status, PanelUserStatus::Disabled);
}

#[tokio::test]
async fn users_are_found_by_telegram_id_whether_none_one_or_two() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        assert_eq!(panel.users_by_telegram_id(100).await.unwrap(), vec![], "{version:?}");
        let first = created(&fake, &panel, 1, 100).await;
        created(&fake, &panel, 1, 200).await;
        assert_eq!(panel.users_by_telegram_id(100).await.unwrap(), vec![first.clone()], "{version:?}");
        let second = created(&fake, &panel, 2, 100).await;
        let mut names: Vec<_> =
            panel.users_by_telegram_id(100).await.unwrap().into_iter().map(|user| user.username).collect();
        names.sort();
        assert_eq!(names, vec![first.username, second.username], "{version:?}");
    }
}

#[tokio::test]
async fn the_v3_telegram_lookup_follows_the_cursor_across_pages() {
    let (fake, panel) = start(PanelVersion::V3).await;
    for bot_id in 1..=130 {
        created(&fake, &panel, bot_id, 100).await;
        if bot_id % 10 == 0 {
            created(&fake, &panel, bot_id, 101).await;
        }
    }
    let found = panel.users_by_telegram_id(100).await.unwrap();
    assert_eq!(found.len(), 130);
    assert!(found.iter().all(|user| user.telegram_id == Some(100)));
}

#[tokio::test]
async fn updating_each_field_changes_it_on_the_panel() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        let user = created(&fake, &panel, 1, 100).await;
        let key = user.key.clone();
        let second_squad = fake.add_squad("Premium");
        let expire_at = days_from_now(90);
        let update = |update: PanelUserUpdate| {
            let panel = Arc::clone(&panel);
            let key = key.clone();
            async move { panel.update_user(&key, &update).await.unwrap() }
        };

        let u = update(PanelUserUpdate { expire_at: Some(expire_at), ..Default::default() }).await;
        assert_eq!(u.expire_at, expire_at, "{version:?}");
        let u = update(PanelUserUpdate { traffic_limit_bytes: Some(0), ..Default::default() }).await;
        assert_eq!(u.traffic_limit_bytes, 0, "{version:?}");
        let u = update(PanelUserUpdate {
            traffic_limit_strategy: Some(TrafficResetStrategy::MonthRolling),
            ..Default::default()
        })
        .await;
        assert_eq!(u.traffic_limit_strategy, TrafficResetStrategy::MonthRolling, "{version:?}");
        let u = update(PanelUserUpdate { hwid_device_limit: Some(Some(5)), ..Default::default() }).await;
        assert_eq!(u.hwid_device_limit, Some(5), "{version:?}");
        let u = update(PanelUserUpdate { hwid_device_limit: Some(None), ..Default::default() }).await;
        assert_eq!(u.hwid_device_limit, None, "{version:?}: the device limit was not removed");
        let u =
            update(PanelUserUpdate { internal_squads: Some(vec![second_squad.clone()]), ..Default::default() }).await;
        assert_eq!(u.internal_squads, vec![second_squad.clone()], "{version:?}");
        let u = update(PanelUserUpdate { status: Some(PanelUserStatus::Disabled), ..Default::default() }).await;
        assert_eq!(u.status, PanelUserStatus::Disabled, "{version:?}");
        let u = update(PanelUserUpdate { status: Some(PanelUserStatus::Active), ..Default::default() }).await;
        assert_eq!(u.status, PanelUserStatus::Active, "{version:?}");
        let u = update(PanelUserUpdate { description: Some("moved".into()), ..Default::default() }).await;
        assert_eq!(u.description.as_deref(), Some("moved"), "{version:?}");
        let u = update(PanelUserUpdate { tag: Some("T77".into()), ..Default::default() }).await;
        assert_eq!(u.tag.as_deref(), Some("T77"), "{version:?}");
        let u = update(PanelUserUpdate { telegram_id: Some(555), ..Default::default() }).await;
        assert_eq!(u.telegram_id, Some(555), "{version:?}");

        // Fields not named in an update are left alone, and a fresh read agrees.
        let fresh = panel.user(&key).await.unwrap();
        assert_eq!(fresh, u, "{version:?}");
        assert_eq!(
            (fresh.expire_at, fresh.traffic_limit_bytes, fresh.internal_squads, fresh.username),
            (expire_at, 0, vec![second_squad], user.username),
            "{version:?}"
        );
    }
}

#[tokio::test]
async fn disabling_and_enabling_toggle_the_status_and_repeat_safely() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        let key = created(&fake, &panel, 1, 100).await.key;
        assert_eq!(panel.disable_user(&key).await.unwrap().status, PanelUserStatus::Disabled, "{version:?}");
        assert_eq!(panel.disable_user(&key).await.unwrap().status, PanelUserStatus::Disabled, "{version:?}");
        assert_eq!(panel.user(&key).await.unwrap().status, PanelUserStatus::Disabled, "{version:?}");
        assert_eq!(panel.enable_user(&key).await.unwrap().status, PanelUserStatus::Active, "{version:?}");
        assert_eq!(panel.enable_user(&key).await.unwrap().status, PanelUserStatus::Active, "{version:?}");
    }
}

#[tokio::test]
async fn resetting_traffic_zeroes_the_used_bytes_but_not_the_lifetime_total() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        let user = created(&fake, &panel, 1, 100).await;
        assert!(fake.set_used_traffic(&user.username, 5_000));
        let used = panel.user(&user.key).await.unwrap();
        assert_eq!((used.used_traffic_bytes, used.lifetime_used_traffic_bytes), (5_000, 5_000), "{version:?}");
        assert!(used.online_at.is_some(), "{version:?}");
        let reset = panel.reset_traffic(&user.key).await.unwrap();
        assert_eq!((reset.used_traffic_bytes, reset.lifetime_used_traffic_bytes), (0, 5_000), "{version:?}");
    }
}

#[tokio::test]
async fn revoking_gives_a_new_subscription_url() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        let user = created(&fake, &panel, 1, 100).await;
        let revoked = panel.revoke_subscription(&user.key).await.unwrap();
        assert_ne!(revoked.subscription_url, user.subscription_url, "{version:?}");
        assert_ne!(revoked.short_uuid, user.short_uuid, "{version:?}");
        assert_eq!(revoked.key, user.key, "{version:?}");
        assert_eq!(panel.user(&user.key).await.unwrap().subscription_url, revoked.subscription_url);
    }
}

#[tokio::test]
async fn a_deleted_user_is_not_found_afterwards() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        let user = created(&fake, &panel, 1, 100).await;
        panel.delete_user(&user.key).await.unwrap();
        assert_eq!(panel.user(&user.key).await, Err(PanelError::NotFound), "{version:?}");
        assert_eq!(panel.user_by_username(&user.username).await.unwrap(), None, "{version:?}");
        assert_eq!(panel.delete_user(&user.key).await, Err(PanelError::NotFound), "{version:?}");

        let by_hand = created(&fake, &panel, 1, 200).await;
        assert!(fake.delete_user_by_hand(&by_hand.username));
        assert_eq!(panel.user(&by_hand.key).await, Err(PanelError::NotFound), "{version:?}");
        assert_eq!(panel.enable_user(&by_hand.key).await, Err(PanelError::NotFound), "{version:?}");
    }
}

#[tokio::test]
async fn squads_nodes_and_system_figures_are_read() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        created(&fake, &panel, 1, 100).await;
        let user = created(&fake, &panel, 1, 200).await;
        panel.disable_user(&user.key).await.unwrap();
        fake.add_squad("Premium");

        let squads = panel.internal_squads().await.unwrap();
        assert_eq!(squads.iter().map(|s| s.uuid.clone()).collect::<Vec<_>>(), fake.squad_uuids(), "{version:?}");
        assert_eq!(squads[0].members_count, 2, "{version:?}");
        assert_eq!(squads[1].members_count, 0, "{version:?}");
        assert!(!squads[0].name.is_empty());

        let nodes = panel.nodes().await.unwrap();
        assert_eq!(nodes.len(), 2, "{version:?}");
        assert!(nodes.iter().any(|node| node.is_connected && node.country_code == "DE"), "{nodes:?}");
        assert!(nodes.iter().any(|node| !node.is_connected && node.country_code == "NL"), "{nodes:?}");
        assert!(nodes.iter().all(|node| !node.address.is_empty() && node.port == Some(2222)));

        let stats = panel.system_stats().await.unwrap();
        assert_eq!(stats.total_users, 2, "{version:?}");
        assert_eq!(stats.status_counts.get("ACTIVE"), Some(&1), "{version:?}: {:?}", stats.status_counts);
        assert_eq!(stats.status_counts.get("DISABLED"), Some(&1), "{version:?}: {:?}", stats.status_counts);
        assert!(stats.cpu_cores > 0 && stats.memory_total_bytes >= stats.memory_used_bytes, "{stats:?}");
        assert!(stats.memory_used_bytes > 0 && stats.uptime_seconds >= 0, "{stats:?}");
    }
}

#[tokio::test]
async fn devices_are_listed_and_removed_one_or_all() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        let user = created(&fake, &panel, 1, 100).await;
        assert_eq!(panel.hwid_devices(&user.key).await.unwrap(), vec![], "{version:?}");
        for hwid in ["phone", "laptop", "tv"] {
            assert!(fake.add_device(&user.username, hwid));
        }
        let devices = panel.hwid_devices(&user.key).await.unwrap();
        assert_eq!(devices.iter().map(|d| d.hwid.as_str()).collect::<Vec<_>>(), ["phone", "laptop", "tv"]);
        assert!(devices[0].platform.is_some(), "{version:?}: {devices:?}");

        panel.delete_hwid_device(&user.key, "laptop").await.unwrap();
        assert_eq!(fake.devices(&user.username), ["phone", "tv"], "{version:?}");
        assert_eq!(panel.hwid_devices(&user.key).await.unwrap().len(), 2, "{version:?}");

        panel.delete_all_hwid_devices(&user.key).await.unwrap();
        assert!(fake.devices(&user.username).is_empty(), "{version:?}");
        assert_eq!(panel.hwid_devices(&user.key).await.unwrap(), vec![], "{version:?}");
    }
}

#[tokio::test]
async fn detection_picks_the_api_line_the_panel_runs() {
    for version in VERSIONS {
        let fake = FakeRemnawave::start(version).await;
        let mut config = config(&fake);
        config.version = VersionChoice::Auto;
        let panel = connect(config, reqwest::Client::new()).await.unwrap();
        assert_eq!(panel.version(), version);
        // The detected adapter really speaks the panel's routes.
        let user = created(&fake, &panel, 1, 100).await;
        assert_eq!(panel.users_by_telegram_id(100).await.unwrap(), vec![user.clone()], "{version:?}");
        assert_eq!(panel.user(&user.key).await.unwrap(), user, "{version:?}");
    }
}

#[tokio::test]
async fn a_mispinned_version_fails_loudly_instead_of_losing_users() {
    for (panel_runs, pinned) in [(PanelVersion::V2, PanelVersion::V3), (PanelVersion::V3, PanelVersion::V2)] {
        let fake = FakeRemnawave::start(panel_runs).await;
        let right = panel(&fake);
        let user = created(&fake, &right, 1, 100).await;
        let wrong = build(config(&fake), reqwest::Client::new(), pinned);
        // Whatever the panel answers (an unknown route, or the other line's route refusing the
        // argument), it is an error, never "this customer has no users".
        let error = wrong.users_by_telegram_id(100).await.unwrap_err();
        assert!(
            matches!(&error, PanelError::Protocol(_) | PanelError::Rejected { status: 400, .. }),
            "{pinned:?} adapter on a {panel_runs:?} panel: {error:?}"
        );
        assert_ne!(wrong.user(&user.key).await, Err(PanelError::NotFound), "{pinned:?} on {panel_runs:?}");
    }
}

#[tokio::test]
async fn one_shared_http_client_serves_both_api_lines() {
    let client = reqwest::Client::new();
    let (fake2, fake3) = (FakeRemnawave::start(PanelVersion::V2).await, FakeRemnawave::start(PanelVersion::V3).await);
    let v2 = connect(config(&fake2), client.clone()).await.unwrap();
    let v3 = connect(config(&fake3), client).await.unwrap();
    created(&fake2, &v2, 1, 100).await;
    created(&fake3, &v3, 1, 100).await;
    assert_eq!((v2.version(), v3.version()), (PanelVersion::V2, PanelVersion::V3));
    assert_eq!((fake2.create_count(), fake3.create_count()), (1, 1));
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_never_shown() {
    const WRONG: &str = "wrong-token-4b1d9c7e";
    for version in VERSIONS {
        let fake = FakeRemnawave::start(version).await;
        let mut config = config(&fake);
        config.token = SecretString::from(WRONG);
        let panel = build(config.clone(), reqwest::Client::new(), version);
        let error = panel.user_by_username("rb1_100").await.unwrap_err();
        assert_eq!(error, PanelError::Unauthorized { status: 401 }, "{version:?}");
        assert!(!error.is_transient());
        let text = format!("{error} {error:?} {config:?} {panel:?}");
        assert!(!text.contains(WRONG) && !text.contains(fake.token()), "{text}");

        let error = connect(config, reqwest::Client::new()).await.unwrap_err();
        assert_eq!(error, PanelError::Unauthorized { status: 401 }, "{version:?}");
        assert!(!format!("{error} {error:?}").contains(WRONG));
    }
}

#[tokio::test]
async fn an_outage_is_a_transient_server_error() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        fake.set_down(true);
        let error = panel.create_user(&new_user(&fake, 1, 100)).await.unwrap_err();
        assert!(matches!(error, PanelError::Server { status: 503, .. }), "{version:?}: {error:?}");
        assert!(error.is_transient());
        fake.set_down(false);
        created(&fake, &panel, 1, 100).await;
    }
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_a_timeout() {
    for version in VERSIONS {
        let fake = FakeRemnawave::start(version).await;
        fake.set_latency(Duration::from_secs(2));
        let mut config = config(&fake);
        config.timeout = Duration::from_millis(250);
        let panel = build(config, reqwest::Client::new(), version);
        let error = panel.nodes().await.unwrap_err();
        assert_eq!(error, PanelError::Timeout(Duration::from_millis(250)), "{version:?}");
        assert!(error.is_transient());
    }
}

#[tokio::test]
async fn a_duplicate_username_is_already_exists() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        created(&fake, &panel, 1, 100).await;
        let error = panel.create_user(&new_user(&fake, 1, 100)).await.unwrap_err();
        assert_eq!(error, PanelError::AlreadyExists { username: "rb1_100".into() }, "{version:?}");
        assert_eq!(fake.create_count(), 1, "{version:?}");
    }
}

#[tokio::test]
async fn an_invalid_field_is_rejected_naming_the_field() {
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        let mut bad = new_user(&fake, 1, 100);
        bad.tag = Some("lower-case".into());
        let error = panel.create_user(&bad).await.unwrap_err();
        let PanelError::Rejected { status: 400, message, .. } = &error else {
            panic!("{version:?}: expected Rejected, got {error:?}")
        };
        assert!(message.contains("tag"), "{version:?}: {message}");
        assert!(!error.is_transient());

        let user = created(&fake, &panel, 1, 100).await;
        let past = PanelUserUpdate { expire_at: Some(days_from_now(-1)), ..Default::default() };
        let error = panel.update_user(&user.key, &past).await.unwrap_err();
        assert!(
            matches!(&error, PanelError::Rejected { status: 400, message, .. } if message.contains("expireAt")),
            "{version:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn the_api_key_is_sent_when_the_panel_requires_one() {
    for version in VERSIONS {
        let fake = FakeRemnawave::start(version).await;
        fake.require_api_key(Some("caddy-key-1".into()));
        let without = panel(&fake);
        assert_eq!(without.nodes().await, Err(PanelError::Unauthorized { status: 403 }), "{version:?}");
        let mut config = config(&fake);
        config.api_key = Some(SecretString::from("caddy-key-1"));
        let with = connect(config, reqwest::Client::new()).await.unwrap();
        assert_eq!(with.version(), version);
        assert_eq!(with.nodes().await.unwrap().len(), 2, "{version:?}");
    }
}

#[tokio::test]
async fn forwarded_headers_pass_the_panels_proxy_check() {
    for version in VERSIONS {
        let fake = FakeRemnawave::start(version).await;
        fake.require_proxy_headers(true);
        let error = panel(&fake).nodes().await.unwrap_err();
        assert!(matches!(error, PanelError::Unreachable(_)), "{version:?}: {error:?}");
        assert!(!format!("{error}").contains(fake.token()));
        let mut config = config(&fake);
        config.forwarded_headers = true;
        let with = connect(config, reqwest::Client::new()).await.unwrap();
        assert_eq!(with.nodes().await.unwrap().len(), 2, "{version:?}");
    }
}

#[tokio::test]
async fn two_tenants_selling_to_one_customer_get_separate_panel_users() {
    assert_ne!(panel_username(BotId(1), TgUserId(100)), panel_username(BotId(2), TgUserId(100)));
    assert_ne!(tenant_tag(BotId(1)), tenant_tag(BotId(2)));
    for version in VERSIONS {
        let (fake, panel) = start(version).await;
        let first = created(&fake, &panel, 1, 100).await;
        let second = created(&fake, &panel, 2, 100).await;
        assert_ne!(first.key, second.key, "{version:?}");
        assert_eq!((first.tag.as_deref(), second.tag.as_deref()), (Some("T1"), Some("T2")));
        // Disabling one tenant's user leaves the other's alone.
        panel.disable_user(&first.key).await.unwrap();
        assert_eq!(panel.user(&second.key).await.unwrap().status, PanelUserStatus::Active, "{version:?}");
    }
}
