//! The README's examples, run as written: the worked example of the API (its `sh` block, read
//! from README.md, run by `bash` with `curl` and `jq`) against the real binary with the fake
//! Telegram and the fake panel, with a customer buying through the bot between its steps 5
//! and 6; and the CLI's first steps. If the README drifts from what the binary accepts, this
//! fails.
//!
//! The only change made to the README's text is the server's address: the example names the
//! default `http://127.0.0.1:8080`, the test's server listens on a free port.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use remnabot_bot::texts::Texts;
use remnabot_domain::config::Language;
use remnabot_domain::panel::PanelVersion;
use remnabot_testkit::telegram::SentMessage;
use remnabot_testkit::{FakeRemnawave, FakeTelegram};

const README: &str = include_str!("../../../README.md");
const OPERATOR_TOKEN: &str = "readme-operator-token-0123456789abcdef";
const CUSTOMER: i64 = 777_000_222;
const WAIT: Duration = Duration::from_secs(30);

/// The `sh` block that follows the line starting with `intro`.
fn sh_block_after(intro: &str) -> String {
    let start = README.find(intro).unwrap_or_else(|| panic!("README has no {intro:?}"));
    let rest = &README[start..];
    let open = rest.find("```sh\n").expect("an sh block follows") + "```sh\n".len();
    let close = rest[open..].find("```").expect("the block ends");
    rest[open..open + close].to_owned()
}

/// Runs `script` with bash in `dir`: stops at the first failing command, and `curl` fails on
/// an HTTP error (the README's `curl -s` alone would hide one). Returns stdout.
fn bash(dir: &Path, path: &str, script: &str) -> String {
    let prelude = "set -euo pipefail\ncurl() { command curl --fail-with-body --show-error \"$@\"; }\n";
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .current_dir(dir)
        .env("PATH", path)
        .env("OPERATOR_API_TOKEN", OPERATOR_TOKEN)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the README's commands failed:\n{script}\n--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// `PATH` with the directory of the `remnabot` binary first, as after installing it.
fn path_with_binary() -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_remnabot"));
    format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default())
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("remnabot-tests")
        .join(format!("readme-{name}-{}", remnabot_store::testing::unique_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// The bot's next message in the customer's chat after the `n` there are, waiting for it.
async fn next(tg: &FakeTelegram, token: &str, n: usize) -> SentMessage {
    let all = tg.wait_for_messages(token, CUSTOMER, n + 1, WAIT).await;
    assert!(all.len() > n, "the bot did not answer: {:#?}", all.iter().map(|m| &m.text).collect::<Vec<_>>());
    all[n].clone()
}

/// The customer presses the button whose data starts with `prefix` on `msg`; returns the
/// bot's next message.
async fn press(tg: &FakeTelegram, token: &str, msg: &SentMessage, prefix: &str) -> SentMessage {
    let data = msg
        .buttons()
        .into_iter()
        .filter_map(|b| b.callback_data)
        .find(|d| d.starts_with(prefix))
        .unwrap_or_else(|| panic!("no button {prefix} on {:?}", msg.text));
    let n = tg.transcript(token, CUSTOMER).len();
    tg.press_button(token, CUSTOMER, msg.message_id, &data).unwrap();
    next(tg, token, n).await
}

async fn say(tg: &FakeTelegram, token: &str, text: &str) -> SentMessage {
    let n = tg.transcript(token, CUSTOMER).len();
    tg.send_text(token, CUSTOMER, text);
    next(tg, token, n).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_walk_through_works_as_written() {
    let example = sh_block_after("A worked example, from a new tenant");
    let token = example
        .split("\"telegram_token\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("step 1 names a Telegram token")
        .to_owned();
    let tg = FakeTelegram::start().await;
    tg.add_bot(&token);
    let panel = FakeRemnawave::start(PanelVersion::V3).await;

    let dir = temp_dir("walk-through");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let address = format!("127.0.0.1:{port}");
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_remnabot"))
            .arg("serve")
            .current_dir(&dir)
            .env_clear()
            .env("PATH", path_with_binary())
            .env("HTTP_ADDR", &address)
            .env("OPERATOR_API_TOKEN", OPERATOR_TOKEN)
            .env("TELEGRAM_API_URL", tg.url())
            .env("REMNAWAVE_API_URL", panel.url())
            .env("REMNAWAVE_API_TOKEN", panel.token())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    let started = Instant::now();
    while !client.get(format!("http://{address}/ready")).send().await.is_ok_and(|r| r.status().is_success()) {
        assert!(started.elapsed() < WAIT, "the server did not become ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let example = example.replace("http://127.0.0.1:8080", &format!("http://{address}"));
    let (setup, later) = example.split_once("\n# 6.").expect("the example has a step 6");
    let out = bash(&dir, &path_with_binary(), setup);
    let bot: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("bot.json")).unwrap()).unwrap();
    assert!(bot["bot"]["id"].is_i64() && bot["api_token"].is_string(), "{bot}\n{out}");

    // A customer buys the plan of step 4 by card to card, with the welcome and languages of
    // step 3 and the card of step 5.
    let texts = Texts::load().unwrap();
    let first = say(&tg, &token, "/start").await;
    assert_eq!(first.text.as_deref(), Some("Welcome to Alpha VPN!"));
    let menu = press(&tg, &token, &first, "lang:en").await;
    assert!(menu.reply_markup.is_some(), "the menu follows the language");
    let plans = say(&tg, &token, &texts.get(Language::En, "menu-buy", &[])).await;
    assert!(plans.text.as_deref().is_some_and(|t| t.contains("1 month, 50 GB")), "{:?}", plans.text);
    let detail = press(&tg, &token, &plans, "shop:plan:p:").await;
    let checkout = press(&tg, &token, &detail, "shop:buy:p:").await;
    let instructions = press(&tg, &token, &checkout, "shop:pay:c2c:").await;
    assert!(instructions.text.as_deref().is_some_and(|t| t.contains("6037 9912 3456 7893")), "{:?}", instructions.text);
    let n = tg.transcript(&token, CUSTOMER).len();
    tg.send_photo(&token, CUSTOMER, Some("paid"));
    next(&tg, &token, n).await;

    // Step 6 in a new shell: the README's variables again, then the step itself.
    let variables: Vec<&str> = setup.lines().filter(|l| l.split_once('=').is_some_and(|(k, _)| is_name(k))).collect();
    let out = bash(&dir, &path_with_binary(), &format!("{}\n# 6.{later}", variables.join("\n")));
    let approved: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(approved["status"], "approved", "{out}");

    // The approval provisioned the customer on the panel.
    let started = Instant::now();
    while panel.users().is_empty() {
        assert!(started.elapsed() < WAIT, "the approved purchase was not provisioned");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(panel.users()[0]["activeInternalSquads"][0]["uuid"], panel.squad_uuids()[0]);
    std::fs::remove_dir_all(&dir).ok();
}

/// Whether `s` is a shell variable name in capitals, as the README's assignments are.
fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}

#[test]
fn the_readme_cli_first_steps_work_as_written() {
    let commands = sh_block_after("The CLI covers the first steps without HTTP");
    let token = sh_block_after("A worked example, from a new tenant")
        .split("\"telegram_token\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let dir = temp_dir("cli");
    // A first run in an empty folder: the database and key are created under `data/`.
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\n{commands}"))
        .current_dir(&dir)
        .env_clear()
        .env("PATH", path_with_binary())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            // `bot add ... --telegram-token -` reads the token from stdin.
            child.stdin.take().unwrap().write_all(format!("{token}\n").as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{commands}\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.lines().any(|l| l.starts_with("rbo_")), "the operator token: {stdout}");
    assert!(stdout.contains("Alpha VPN"), "the bot is listed: {stdout}");
    std::fs::remove_dir_all(&dir).ok();
}
