//! The binary as an operator runs it: `--help`, bad configuration, `migrate`, and `serve`
//! answering `/health` on a fresh SQLite data folder, then stopping cleanly on SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_remnabot"));
    for key in [
        "DATABASE_URL",
        "REDIS_URL",
        "HTTP_ADDR",
        "PUBLIC_URL",
        "SECRET_KEY",
        "DATA_DIR",
        "BOT_TOKEN",
        "ADMIN_IDS",
        "OPERATOR_API_TOKEN",
    ] {
        cmd.env_remove(key);
    }
    cmd.env("RUST_LOG", "info");
    cmd
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("remnabot-cli-{name}-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    let status = body.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body))
}

#[test]
fn help_explains_serve_and_migrate() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("serve") && text.contains("migrate") && text.contains("--config"), "{text}");
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    let out = bin().arg("serve").env("HTTP_ADDR", "not-an-address").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("invalid HTTP_ADDR"), "{err}");
}

#[test]
fn serve_on_a_fresh_folder_answers_health_and_stops_on_sigterm() {
    let dir = temp_dir("serve");
    let port = free_port();
    let token = "4242:AAHdefghijklmnopqrstuvwxyz0123456789";
    let mut child = bin()
        .arg("serve")
        .current_dir(&dir)
        .env("HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("BOT_TOKEN", token)
        .env("ADMIN_IDS", "11,22")
        // Nothing listens there: the master bot is reported unhealthy instead of calling out.
        .env("TELEGRAM_API_URL", "http://127.0.0.1:9")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let health = loop {
        if let Some(res) = http_get(port, "/health") {
            break res;
        }
        assert!(Instant::now() < deadline, "server did not come up");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(health.0, 200, "{}", health.1);
    assert_eq!(http_get(port, "/ready").unwrap().0, 200);
    assert!(dir.join("data/remnabot.db").exists(), "SQLite file created in data/");
    assert!(dir.join("data/secret.key").exists(), "secret key generated into data/");

    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "exit {status:?}: {stderr}");
    assert!(stderr.contains("generated a new key"), "{stderr}");
    assert!(stderr.contains("API token, shown only now: rbt_"), "{stderr}");
    assert!(!stderr.contains(token), "the Telegram token must never be logged");

    // A second start reuses the key and the master bot: no new key, no new API token.
    let out = bin().arg("migrate").current_dir(&dir).env("BOT_TOKEN", token).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("generated a new key") && !err.contains("API token"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
