//! Crash and restart: the binary is killed (SIGKILL) while provisioning entries are pending
//! because the panel is down, or while they are being applied to a panel that hangs; started
//! again with the panel back, it completes every entry exactly once, within seconds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use remnabot_domain::config::Language;
use remnabot_domain::panel::PanelVersion;
use remnabot_domain::{Tenant, TgUserId, Toman};
use remnabot_store::outbox::Order;
use remnabot_store::plans::PlanSpec;
use remnabot_store::users::NewUser;
use remnabot_store::{FlagCache, SecretKey, Store, testing};
use remnabot_testkit::FakeRemnawave;
use secrecy::ExposeSecret;

fn serve(dir: &std::path::Path, db: &str, key: &str, fake: &FakeRemnawave) -> Child {
    serve_with(dir, db, key, fake, &[])
}

fn serve_with(dir: &std::path::Path, db: &str, key: &str, fake: &FakeRemnawave, envs: &[(&str, &str)]) -> Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    Command::new(env!("CARGO_BIN_EXE_remnabot"))
        .arg("serve")
        .current_dir(dir)
        .env_remove("BOT_TOKEN")
        .env_remove("REDIS_URL")
        .env("DATABASE_URL", db)
        .env("SECRET_KEY", key)
        .env("HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("REMNAWAVE_API_URL", fake.url())
        .env("REMNAWAVE_API_TOKEN", fake.token())
        // Nothing listens there: notifications stay queued, which this test does not need.
        .env("TELEGRAM_API_URL", "http://127.0.0.1:9")
        .env("RUST_LOG", "info")
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_resumes_pending_provisioning_after_restart() {
    let dir = std::env::temp_dir().join("remnabot-tests").join(format!("restart-{}", testing::unique_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("remnabot.db").display());
    let key = SecretKey::generate();
    let key_hex = key.to_hex().expose_secret().to_owned();
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    fake.set_down(true);

    let store = Store::connect(&db, key, FlagCache::Disabled).await.unwrap();
    store.migrate().await.unwrap();
    let (bot, t) = testing::tenant(&store, "Shop").await;
    let spec = PlanSpec {
        name: "Month".into(),
        description: None,
        period_days: 30,
        traffic_gb: 0,
        device_limit: 1,
        price: Toman(100_000),
        sort_order: 0,
    };
    let plan = store.plans().create(&t, spec).await.unwrap();
    for i in 0..10 {
        let new = NewUser {
            telegram_id: TgUserId(7000 + i),
            username: None,
            first_name: None,
            language: Language::En,
            referred_by: None,
        };
        let user = store.users().register(&t, new).await.unwrap().0;
        let order = Order { user: user.id, plan: plan.id, idempotency_key: format!("order-{i}") };
        store.provisioning().purchase(&t, order, Utc::now()).await.unwrap();
    }

    // First run: the panel is down, so every attempt fails; then the process is killed.
    let mut first = serve(&dir, &db, &key_hex, &fake);
    let deadline = Instant::now() + Duration::from_secs(60);
    while fake.request_count() == 0 {
        assert!(Instant::now() < deadline, "the server never tried the panel");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(store.provisioning().pending_count(&t).await.unwrap(), 10, "nothing completed while the panel was down");
    assert_eq!(fake.create_count(), 0);

    // Second run: the panel is back; every pending entry completes, once.
    fake.set_down(false);
    let mut second = serve(&dir, &db, &key_hex, &fake);
    let tenant = Tenant::of(&store.platform().get(bot.id).await.unwrap());
    let deadline = Instant::now() + Duration::from_secs(90);
    while store.provisioning().pending_count(&tenant).await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "pending entries did not complete after the restart");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(fake.create_count(), 10, "exactly one panel user per purchase");
    Command::new("kill").args(["-TERM", &second.id().to_string()]).status().unwrap();
    assert!(second.wait().unwrap().success(), "graceful stop");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchases_claimed_by_a_killed_server_are_provisioned_within_seconds_of_the_restart() {
    let dir = std::env::temp_dir().join("remnabot-tests").join(format!("restart-{}", testing::unique_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("remnabot.db").display());
    let key = SecretKey::generate();
    let key_hex = key.to_hex().expose_secret().to_owned();
    let fake = FakeRemnawave::start(PanelVersion::V3).await;
    fake.set_hang(true);

    let store = Store::connect(&db, key, FlagCache::Disabled).await.unwrap();
    store.migrate().await.unwrap();
    let mut tenants = Vec::new();
    for i in 0..5 {
        let (bot, t) = testing::tenant(&store, &format!("Shop {i}")).await;
        let spec = PlanSpec {
            name: "Month".into(),
            description: None,
            period_days: 30,
            traffic_gb: 0,
            device_limit: 1,
            price: Toman(100_000),
            sort_order: 0,
        };
        let plan = store.plans().create(&t, spec).await.unwrap();
        let new = NewUser {
            telegram_id: TgUserId(8000 + i),
            username: None,
            first_name: None,
            language: Language::En,
            referred_by: None,
        };
        let user = store.users().register(&t, new).await.unwrap().0;
        let order = Order { user: user.id, plan: plan.id, idempotency_key: format!("order-{i}") };
        store.provisioning().purchase(&t, order, Utc::now()).await.unwrap();
        tenants.push(bot.id);
    }

    // First run: all five purchases are claimed and being applied, the panel holding every
    // request, when the process is killed.
    // The version is pinned, so each tenant's entry goes to the panel without a version check
    // first.
    let pinned = [("REMNAWAVE_API_VERSION", "v3")];
    let mut first = serve_with(&dir, &db, &key_hex, &fake, &pinned);
    let deadline = Instant::now() + Duration::from_secs(60);
    while fake.held_count() < 5 {
        assert!(Instant::now() < deadline, "the server did not apply the five purchases at once");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    fake.set_hang(false);

    // Second run: every purchase is provisioned within 15 s, not after a two-minute lease.
    let mut second = serve_with(&dir, &db, &key_hex, &fake, &pinned);
    let restarted = Instant::now();
    let mut pending = u64::MAX;
    while pending > 0 {
        pending = 0;
        for id in &tenants {
            let t = Tenant::of(&store.platform().get(*id).await.unwrap());
            pending += store.provisioning().pending_count(&t).await.unwrap();
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(15),
            "{pending} purchases still pending 15 s after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("all five provisioned {:?} after the restart", restarted.elapsed());
    assert_eq!(fake.users().len(), 5, "exactly one panel user per purchase");
    Command::new("kill").args(["-TERM", &second.id().to_string()]).status().unwrap();
    assert!(second.wait().unwrap().success(), "graceful stop");
    std::fs::remove_dir_all(&dir).ok();
}
