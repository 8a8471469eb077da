//! Transport behaviour against hand-rolled TCP servers: what the client sends on the wire and how
//! refused, dropped, slow and garbled connections surface as `PanelError`s.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use remnabot_domain::panel::{PanelError, PanelVersion};
use remnabot_panel::{PanelConfig, VersionChoice, build, connect};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use url::Url;

const TOKEN: &str = "tok-3f9a-very-secret";

fn config(base: &str) -> PanelConfig {
    PanelConfig::new(Url::parse(base).unwrap(), SecretString::from(TOKEN))
}

/// Reads one HTTP request (head and `Content-Length` body) and returns it as text.
async fn read_request(stream: &mut tokio::net::TcpStream) -> String {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let read = stream.read(&mut chunk).await.unwrap_or(0);
        if read == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&buffer).to_string();
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buffer.len() >= head_end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&buffer).to_string()
}

/// A server answering every request with `status` and `body` after `delay`, recording requests.
async fn canned_server(status: u16, body: &'static str, delay: Duration) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let recorded = Arc::clone(&recorded);
            tokio::spawn(async move {
                let request = read_request(&mut stream).await;
                recorded.lock().await.push(request);
                tokio::time::sleep(delay).await;
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (format!("http://{address}/"), seen)
}

const STATS: &str = r#"{"response":{"cpu":{"cores":2,"physicalCores":1},"memory":{"total":100,"free":40,"used":60,"active":1,"available":1},"uptime":10,"timestamp":1,"users":{"statusCounts":{"ACTIVE":1},"totalUsers":1},"onlineStats":{"lastDay":0,"lastWeek":0,"neverOnline":0,"onlineNow":0},"nodes":{"totalOnline":0,"totalBytesLifetime":"0"}}}"#;

#[tokio::test]
async fn every_request_carries_the_token_api_key_and_proxy_headers_under_the_base_path() {
    let (base, seen) = canned_server(200, STATS, Duration::ZERO).await;
    let mut config = config(&format!("{base}panel"));
    config.api_key = Some(SecretString::from("caddy-key"));
    config.forwarded_headers = true;
    let panel = build(config, reqwest::Client::new(), PanelVersion::V3);
    panel.system_stats().await.unwrap();
    let request = seen.lock().await.remove(0).to_ascii_lowercase();
    assert!(request.starts_with("get /panel/api/system/stats http/1.1"), "{request}");
    assert!(request.contains(&format!("authorization: bearer {}", TOKEN.to_ascii_lowercase())), "{request}");
    assert!(request.contains("x-api-key: caddy-key"), "{request}");
    assert!(request.contains("x-forwarded-proto: https"), "{request}");
    assert!(request.contains("x-forwarded-for: 127.0.0.1"), "{request}");
}

#[tokio::test]
async fn no_api_key_or_proxy_headers_are_sent_unless_configured() {
    let (base, seen) = canned_server(200, STATS, Duration::ZERO).await;
    let panel = build(config(&base), reqwest::Client::new(), PanelVersion::V2);
    panel.system_stats().await.unwrap();
    let request = seen.lock().await.remove(0).to_ascii_lowercase();
    assert!(!request.contains("x-api-key") && !request.contains("x-forwarded"), "{request}");
}

#[tokio::test]
async fn a_refused_connection_is_unreachable_and_names_no_secret() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let panel = build(config(&format!("http://admin:pw-in-url@{address}/")), reqwest::Client::new(), PanelVersion::V3);
    let error = panel.nodes().await.unwrap_err();
    assert!(matches!(error, PanelError::Unreachable(_)), "{error:?}");
    assert!(error.is_transient());
    let text = format!("{error} {error:?}");
    assert!(!text.contains(TOKEN) && !text.contains("pw-in-url"), "{text}");
    assert!(text.contains(&address.port().to_string()), "{text}");
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = read_request(&mut stream).await;
            drop(stream);
        }
    });
    let panel = build(config(&format!("http://{address}/")), reqwest::Client::new(), PanelVersion::V2);
    let error = panel.internal_squads().await.unwrap_err();
    assert!(matches!(error, PanelError::Unreachable(_)), "{error:?}");
    assert!(!format!("{error:?}").contains(TOKEN));
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout_of_the_configured_length() {
    let (base, _) = canned_server(200, STATS, Duration::from_secs(3)).await;
    let mut config = config(&base);
    config.timeout = Duration::from_millis(200);
    let panel = build(config, reqwest::Client::new(), PanelVersion::V3);
    let started = std::time::Instant::now();
    let error = panel.system_stats().await.unwrap_err();
    assert_eq!(error, PanelError::Timeout(Duration::from_millis(200)));
    assert!(error.is_transient());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_body_that_breaks_the_contract_is_a_protocol_error() {
    let (base, _) = canned_server(200, r#"{"response":{"unexpected":true}}"#, Duration::ZERO).await;
    let panel = build(config(&base), reqwest::Client::new(), PanelVersion::V2);
    assert!(matches!(panel.system_stats().await, Err(PanelError::Protocol(_))));
    let (base, _) = canned_server(200, "<html>proxy login</html>", Duration::ZERO).await;
    let panel = build(config(&base), reqwest::Client::new(), PanelVersion::V2);
    assert!(matches!(panel.nodes().await, Err(PanelError::Protocol(_))));
}

#[tokio::test]
async fn detection_without_a_readable_version_asks_to_pin_it() {
    let (base, _) = canned_server(200, r#"{"response":{"build":{"time":"x"}}}"#, Duration::ZERO).await;
    let error = connect(config(&base), reqwest::Client::new()).await.unwrap_err();
    let PanelError::Protocol(message) = error else { panic!("expected Protocol, got {error:?}") };
    assert!(message.contains("REMNAWAVE_API_VERSION"), "{message}");

    let (base, _) = canned_server(404, r#"{"message":"Cannot GET /api/system/metadata"}"#, Duration::ZERO).await;
    let error = connect(config(&base), reqwest::Client::new()).await.unwrap_err();
    assert!(matches!(&error, PanelError::Protocol(message) if message.contains("REMNAWAVE_API_VERSION")), "{error:?}");
}

#[tokio::test]
async fn a_pinned_version_skips_detection() {
    let (base, seen) = canned_server(500, "{}", Duration::ZERO).await;
    let mut config = config(&base);
    config.version = VersionChoice::V2;
    let panel = connect(config, reqwest::Client::new()).await.unwrap();
    assert_eq!(panel.version(), PanelVersion::V2);
    assert!(seen.lock().await.is_empty());
}
