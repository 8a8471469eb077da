//! `fake-telegram`: runs [`FakeTelegram`] as a standalone server for manual runs of the bot fleet.
//!
//! ```text
//! cargo run -p remnabot-testkit --bin fake-telegram -- --addr 127.0.0.1:8081 --token 123456:TEST-a --token 654321:TEST-b
//! ```
//!
//! Point the bots at the printed URL (teloxide `api_url`, e.g. `TELOXIDE_API_URL`), then play the
//! users through the control routes documented in `remnabot_testkit::telegram`, e.g.
//!
//! ```text
//! curl -s localhost:8081/control/send_text -H 'content-type: application/json' \
//!      -d '{"token":"123456:TEST-a","user_id":42,"text":"/start"}'
//! curl -s 'localhost:8081/control/transcript?token=123456:TEST-a&chat_id=42'
//! ```
//!
//! The control routes have no authentication, so only loopback addresses are accepted.

use std::net::SocketAddr;
use std::process::ExitCode;

use remnabot_testkit::FakeTelegram;

const USAGE: &str = "usage: fake-telegram [--addr 127.0.0.1:8081] [--token <bot token>]...

  --addr <ip:port>   loopback address to listen on (default 127.0.0.1:8081; port 0 = any)
  --token <token>    register a bot token (repeatable); more can be added via POST /control/bots
  -h, --help         show this help";

struct Args {
    addr: SocketAddr,
    tokens: Vec<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args { addr: SocketAddr::from(([127, 0, 0, 1], 8081)), tokens: Vec::new() };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value.to_owned())),
            _ => (arg, None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--addr" => {
                let value = inline.or_else(|| args.next()).ok_or("--addr needs a value")?;
                parsed.addr = value.parse().map_err(|e| format!("bad --addr {value:?}: {e}"))?;
            }
            "--token" => {
                let value = inline.or_else(|| args.next()).ok_or("--token needs a value")?;
                parsed.tokens.push(value);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !parsed.addr.ip().is_loopback() {
        return Err(format!("refusing to listen on {}: only loopback addresses are allowed", parsed.addr));
    }
    Ok(Some(parsed))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("fake-telegram: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let fake = match FakeTelegram::start_on(args.addr).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("fake-telegram: cannot listen on {}: {e}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    println!("{}", fake.url());
    for token in &args.tokens {
        let id = fake.add_bot(token);
        println!("bot {id} (@bot{id}) registered");
    }
    println!("control API under {}/control/ ; Ctrl-C to stop", fake.url());
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("fake-telegram: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
