//! The notification port: sending a text to a Telegram chat through a tenant's bot.

use std::time::Duration;

use crate::BotId;

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// Telegram asked to wait (429 `retry_after`).
    #[error("rate limited; retry after {0:?}")]
    RetryAfter(Duration),
    /// Delivery can never succeed (the user blocked the bot, the chat does not exist).
    #[error("the chat cannot be reached: {0}")]
    Undeliverable(String),
    /// A failure that may pass (network, Telegram 5xx, the bot not running yet).
    #[error("sending failed: {0}")]
    Transient(String),
}

/// Sends messages through the tenant's bot.
///
/// # Errors
/// [`NotifyError`].
#[async_trait::async_trait]
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// Sends `text` to `chat_id` as the bot `bot`.
    async fn send(&self, bot: BotId, chat_id: i64, text: &str) -> Result<(), NotifyError>;
}
