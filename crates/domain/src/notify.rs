//! The notification port: sending a text to a Telegram chat through a tenant's bot, and
//! rewriting a message the bot sent before (an admin's copy of a receipt once it is reviewed).

use std::time::Duration;

use crate::BotId;

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// Telegram asked to wait (429 `retry_after`).
    #[error("rate limited; retry after {0:?}")]
    RetryAfter(Duration),
    /// Delivery can never succeed (the user blocked the bot, the chat does not exist, the
    /// message to edit is gone).
    #[error("the chat cannot be reached: {0}")]
    Undeliverable(String),
    /// A failure that may pass (network, Telegram 5xx, the bot not running yet).
    #[error("sending failed: {0}")]
    Transient(String),
}

/// An inline button that answers with `data` when pressed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallbackButton {
    /// The label.
    pub text: String,
    /// The callback data (at most 64 bytes).
    pub data: String,
}

/// A new content for a message the bot sent earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageEdit {
    pub chat_id: i64,
    pub message_id: i64,
    /// The message is a photo or document: its caption is replaced (at most 1024
    /// characters), not its text (at most 4096).
    pub caption: bool,
    pub text: String,
    /// The one button left under the message; `None` removes every button.
    pub button: Option<CallbackButton>,
}

/// Sends and edits messages through the tenant's bot.
///
/// # Errors
/// [`NotifyError`].
#[async_trait::async_trait]
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// Sends `text` to `chat_id` as the bot `bot`.
    async fn send(&self, bot: BotId, chat_id: i64, text: &str) -> Result<(), NotifyError>;

    /// Replaces the text (or caption) and the buttons of a message `bot` sent. An edit that
    /// changes nothing (the message already shows this) succeeds; a message that is gone is
    /// [`NotifyError::Undeliverable`].
    ///
    /// The default refuses every edit as undeliverable, for notifiers that only send.
    async fn edit(&self, bot: BotId, edit: &MessageEdit) -> Result<(), NotifyError> {
        let _ = (bot, edit);
        Err(NotifyError::Undeliverable("editing is not supported".to_owned()))
    }
}
