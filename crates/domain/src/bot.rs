//! A tenant bot as the platform sees it. Secrets are not part of it: the Telegram token is
//! fetched decrypted only on request, and the API token is never stored.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::BotId;
use crate::money::Toman;

/// A row of `bots` without its secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bot {
    pub id: BotId,
    pub name: String,
    /// Telegram's numeric id of the bot (the part of the token before `:`).
    pub telegram_bot_id: i64,
    pub is_master: bool,
    pub is_active: bool,
    pub wallet_balance: Toman,
    /// How far below zero the wallet may go; zero means no credit.
    pub wallet_credit_limit: Toman,
    pub traffic_consumed_bytes: i64,
    pub traffic_sold_bytes: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Validates a bot's display name ([`crate::text::BotName`]).
///
/// # Errors
/// [`crate::Error::Invalid`] when the name is blank, longer than 64 characters or has a
/// control character.
pub fn parse_name(name: &str) -> crate::Result<String> {
    crate::text::BotName::parse(name).map(String::from)
}

/// The JSON Schema of a Telegram bot token, as [`parse_telegram_token`] checks it.
pub fn telegram_token_schema() -> serde_json::Value {
    serde_json::json!({"type": "string", "pattern": "^[0-9]{1,18}:[A-Za-z0-9_-]{30,100}$"})
}

/// Checks the shape of a Telegram bot token (`<digits>:<35 or more of [A-Za-z0-9_-]>`) and
/// returns Telegram's bot id. The token itself never appears in the error.
///
/// # Errors
/// [`crate::Error::Invalid`] on any other shape.
pub fn parse_telegram_token(token: &str) -> crate::Result<i64> {
    let bad = || {
        crate::Error::invalid(
            "telegram_token",
            "must look like `123456789:AA...` (digits, a colon, then at least 30 letters, digits, `_` or `-`)",
        )
    };
    let (id, secret) = token.split_once(':').ok_or_else(bad)?;
    if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if secret.len() < 30
        || secret.len() > 100
        || !secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(bad());
    }
    id.parse::<i64>().map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_token_shape_is_checked_without_echoing_it() {
        assert_eq!(parse_telegram_token("123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi").ok(), Some(123456));
        for bad in [
            "",
            "123456",
            ":abc",
            "12a:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi",
            "123:short",
            "123:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh!",
        ] {
            let err = parse_telegram_token(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("telegram_token"), "{bad:?} accepted");
            if bad.len() > 10 {
                assert!(!err.contains(bad), "token echoed in error");
            }
        }
    }
}
