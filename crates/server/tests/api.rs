//! The binary end to end with the API: the CLI makes an operator token and a first bot, `serve`
//! takes both tokens, a bot created through the API answers `/start` on the fake Telegram
//! within 2 s, and deactivating it through the API stops it within 2 s.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use remnabot_testkit::FakeTelegram;
use remnabot_testkit::telegram::FakeUser;
use serde_json::{Value, json};

const USER: i64 = 777_000_111;

fn bin(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_remnabot"));
    for key in ["DATABASE_URL", "REDIS_URL", "PUBLIC_URL", "SECRET_KEY", "DATA_DIR", "BOT_TOKEN", "ADMIN_IDS"] {
        cmd.env_remove(key);
    }
    cmd.current_dir(dir).env("RUST_LOG", "warn").env("OPERATOR_API_TOKEN", "op-env-token-0123456789abcdef0123456789");
    cmd
}

fn run(dir: &std::path::Path, args: &[&str]) -> String {
    let out = bin(dir).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn telegram_token(n: u32) -> String {
    format!("{}:AAH{n:08}abcdefghijklmnopqrstuvwxyz0123", 5_550_000 + n)
}

struct Killer(std::process::Child);

impl Drop for Killer {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(method, url).header("Authorization", format!("Bearer {token}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_sets_up_a_tenant_and_bots_made_through_the_api_start_and_stop_live() {
    let dir = std::env::temp_dir().join(format!(
        "remnabot-api-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let fake = FakeTelegram::start().await;
    let first = telegram_token(1);
    let second = telegram_token(2);
    fake.add_bot(&first);
    fake.add_bot(&second);

    // The CLI: an operator token and a first bot, each token printed once on stdout.
    let op_token = run(&dir, &["token", "create", "--name", "ci"]).trim().to_owned();
    assert!(op_token.starts_with("rbo_"), "{op_token}");
    assert!(run(&dir, &["token", "list"]).contains("ci"));
    let added = run(&dir, &["bot", "add", "--name", "Alpha", "--telegram-token", &first]);
    let field = |name: &str| {
        added.lines().find_map(|l| l.strip_prefix(&format!("{name}="))).unwrap_or_else(|| panic!("{added}")).to_owned()
    };
    let (alpha_id, alpha_token) = (field("bot_id"), field("api_token"));
    assert!(alpha_token.starts_with("rbt_"));
    let listed = run(&dir, &["bot", "list"]);
    assert!(listed.contains("Alpha") && !listed.contains(&first), "{listed}");

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = bin(&dir)
        .arg("serve")
        .env("HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("TELEGRAM_API_URL", fake.url())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = Killer(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while client.get(format!("{base}/health")).send().await.is_err() {
        assert!(Instant::now() < deadline, "the server did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    use reqwest::Method;
    let (status, bots) = call(&client, Method::GET, format!("{base}/api/v1/bots"), &op_token, None).await;
    assert_eq!(status, 200, "{bots}");
    assert_eq!(bots["items"][0]["name"], "Alpha");
    let (status, own) = call(&client, Method::GET, format!("{base}/api/v1/bots/{alpha_id}"), &alpha_token, None).await;
    assert_eq!((status, own["name"].clone()), (200, json!("Alpha")));

    // A bot created through the API answers /start within 2 s.
    let body = json!({"name": "Beta", "telegram_token": second});
    let (status, created) = call(&client, Method::POST, format!("{base}/api/v1/bots"), &op_token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let beta = created["bot"]["id"].as_i64().unwrap();
    let started = Instant::now();
    fake.send_text_as(&second, &FakeUser::new(USER).with_language("en"), "/start");
    let sent = fake.wait_for_messages(&second, USER, 1, Duration::from_secs(2)).await;
    assert_eq!(sent.len(), 1, "no answer to /start within 2 s");
    assert!(started.elapsed() <= Duration::from_secs(2), "answered after {:?}", started.elapsed());
    assert!(!sent[0].text.clone().unwrap_or_default().contains("unavailable"));

    // Deactivated through the API, it stops within 2 s: it only says it is unavailable.
    let (status, _) =
        call(&client, Method::POST, format!("{base}/api/v1/bots/{beta}/deactivate"), &op_token, None).await;
    assert_eq!(status, 200);
    let paused = format!("remnabot_bot_health{{bot_id=\"{beta}\",state=\"paused\"}} 1");
    let stopped = Instant::now();
    loop {
        let (_, metrics) = call(&client, Method::GET, format!("{base}/metrics"), &op_token, None).await;
        if metrics.as_str().is_some_and(|m| m.lines().any(|l| l == paused)) {
            break;
        }
        assert!(stopped.elapsed() < Duration::from_secs(2), "not paused within 2 s: {metrics}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    fake.send_text_as(&second, &FakeUser::new(USER).with_language("en"), "/start");
    let sent = fake.wait_for_messages(&second, USER, 2, Duration::from_secs(5)).await;
    assert_eq!(sent.len(), 2);
    assert!(sent[1].text.clone().unwrap_or_default().contains("unavailable"), "{:?}", sent[1].text);

    let (_, metrics) = call(&client, Method::GET, format!("{base}/metrics"), &op_token, None).await;
    let updates = metrics
        .as_str()
        .and_then(|m| m.lines().find_map(|l| l.strip_prefix("remnabot_updates_total ")))
        .and_then(|n| n.parse::<u64>().ok());
    assert!(updates.is_some_and(|n| n >= 2), "{metrics}");
    drop(_guard);
    std::fs::remove_dir_all(&dir).ok();
}
