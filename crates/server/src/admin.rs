//! The command-line side of the API's essentials, for setting up a first tenant without
//! writing HTTP by hand: operator tokens and bots. Tokens are printed once, on stdout, and
//! stored only as hashes.

use std::io::BufRead;

use anyhow::Context;
use remnabot_domain::Page;
use remnabot_store::platform::NewBot;
use secrecy::{ExposeSecret, SecretString};

use crate::app::open_store;
use crate::settings::Settings;

fn domain(e: remnabot_domain::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// `remnabot token create`: a new operator API token, printed once.
pub async fn token_create(settings: Settings, name: &str) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    let (made, token) = store.platform().create_operator_token(name).await.map_err(domain)?;
    eprintln!("Created operator token #{} ({}). It is shown only now; store it safely:", made.id, made.name);
    println!("{}", token.expose_secret());
    Ok(())
}

/// `remnabot token list`.
pub async fn token_list(settings: Settings) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    let tokens = store.platform().operator_tokens().await.map_err(domain)?;
    println!("{:>6}  {:<25}  name", "id", "created");
    for t in tokens {
        println!("{:>6}  {:<25}  {}", t.id, t.created_at.format("%Y-%m-%d %H:%M:%S UTC"), t.name);
    }
    Ok(())
}

/// `remnabot token revoke ID`.
pub async fn token_revoke(settings: Settings, id: i64) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    store.platform().revoke_operator_token(id).await.map_err(domain)?;
    eprintln!("Revoked operator token #{id}.");
    Ok(())
}

/// `remnabot bot add`: a tenant bot; prints its id and its API token once. A Telegram token of
/// `-` is read from standard input, so it stays out of the shell history.
pub async fn bot_add(settings: Settings, name: &str, telegram_token: &str) -> anyhow::Result<()> {
    let telegram_token = if telegram_token == "-" {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the Telegram token from stdin")?;
        SecretString::from(line.trim().to_owned())
    } else {
        SecretString::from(telegram_token.to_owned())
    };
    let store = open_store(&settings).await?;
    let created = store.platform().create(NewBot { name: name.to_owned(), telegram_token }).await.map_err(domain)?;
    eprintln!(
        "Created bot {} ({}). A running `remnabot serve` starts it within a second. Its API token, shown only now:",
        created.bot.id, created.bot.name
    );
    println!("bot_id={}", created.bot.id);
    println!("api_token={}", created.api_token.expose_secret());
    Ok(())
}

/// `remnabot bot list`.
pub async fn bot_list(settings: Settings) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    println!("{:>6}  {:<8}  {:<6}  {:>14}  {:>14}  name", "id", "active", "master", "telegram_id", "wallet");
    let mut offset = 0;
    loop {
        let page = Page::new(Page::MAX_LIMIT, offset);
        let bots = store.platform().list(page).await.map_err(domain)?;
        for b in &bots {
            println!(
                "{:>6}  {:<8}  {:<6}  {:>14}  {:>14}  {}",
                b.id,
                if b.is_active { "yes" } else { "no" },
                if b.is_master { "yes" } else { "" },
                b.telegram_bot_id,
                b.wallet_balance.0,
                b.name
            );
        }
        if (bots.len() as u64) < Page::MAX_LIMIT {
            return Ok(());
        }
        offset += Page::MAX_LIMIT;
    }
}
