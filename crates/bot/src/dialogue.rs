//! Dialogue state per tenant and chat: in the database by default, in Redis when configured.
//! Keyed by `(bot_id, chat_id)`, so the same person talking to two tenants' bots has two
//! independent conversations, and a restart resumes where each one stood.

use remnabot_domain::{Error, PaymentId, Result, Tenant, TgUserId, TicketId};
use remnabot_store::Store;
use serde::{Deserialize, Serialize};

/// Where a conversation stands: the question the bot is waiting for an answer to.
///
/// Each variant belongs to one handler module, and `handlers::on_dialogue_message` sends
/// the chat's next message to that module. A module adds its states here and one arm
/// there. States are stored as JSON (`{"state": "awaiting_receipt", "payment": 7}`), so
/// renaming a variant or a field makes stored conversations fall back to `Idle`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DialogueState {
    /// No question pending.
    #[default]
    Idle,
    /// `/language` was asked; the next button or language name answers it.
    ChoosingLanguage,

    // Shop (handlers::shop).
    /// A card-to-card payment was started; the next photo, document or text is its receipt.
    AwaitingReceipt {
        /// The payment (this tenant's; checked again when the receipt arrives).
        payment: PaymentId,
    },

    // Review of card payments by the tenant's admins (handlers::admin).
    /// An admin pressed Reject; their next text in this chat is the reason (or the skip
    /// button answers without one).
    AwaitingRejectReason {
        /// The payment being rejected.
        payment: PaymentId,
        /// The admin who pressed Reject: only their answer counts in a group chat.
        admin: TgUserId,
        /// The chat and message of the receipt the admin pressed, edited with the outcome.
        receipt_chat: i64,
        receipt_message: i32,
    },
    // Account (handlers::account): balance top-up, promo codes, support tickets.
    /// A balance top-up: the next text is the amount (preset buttons answer too).
    TopUpAmount,
    /// The next text is a promo code.
    PromoCode,
    /// A new support ticket: the next text or photo is its first message.
    TicketOpening,
    /// The customer's next text or photo goes to their ticket.
    TicketReplying {
        /// The ticket (this tenant's and this customer's; checked again on the answer).
        ticket: TicketId,
    },
    /// An admin pressed Reply on a ticket; their next text or photo in their private chat
    /// is the answer sent to the customer.
    TicketAnswering {
        /// The ticket being answered.
        ticket: TicketId,
        /// The admin who pressed Reply (checked again to be an admin on the answer).
        admin: TgUserId,
    },

    // The admin panel (handlers::panel).
    /// An admin answers a question of the panel: `at` is the area's question, `message`
    /// the panel message that asked it (replaced by the next screen).
    Panel { at: crate::handlers::panel::PanelState, message: i32 },
}

/// The dialogue storage.
#[derive(Clone)]
pub enum DialogueStore {
    /// The `dialogues` table.
    Database(Store),
    /// Redis keys `{namespace}:dialogue:{bot_id}:{chat_id}` (no expiry: a dialogue ends when
    /// the bot ends it).
    Redis { conn: redis::aio::ConnectionManager, namespace: String },
}

impl std::fmt::Debug for DialogueStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DialogueStore::Database(_) => f.write_str("DialogueStore::Database"),
            DialogueStore::Redis { namespace, .. } => write!(f, "DialogueStore::Redis({namespace:?})"),
        }
    }
}

fn redis_key(namespace: &str, tenant: &Tenant, chat_id: i64) -> String {
    format!("{namespace}:dialogue:{}:{chat_id}", tenant.bot_id())
}

impl DialogueStore {
    /// Connects the Redis variant.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a malformed URL, [`Error::Unavailable`] when Redis is down.
    pub async fn redis(url: &str, namespace: &str) -> Result<DialogueStore> {
        let client = redis::Client::open(url).map_err(|e| Error::invalid("REDIS_URL", e.to_string()))?;
        let conn = redis::aio::ConnectionManager::new(client).await.map_err(|e| Error::unavailable("Redis", e))?;
        Ok(DialogueStore::Redis { conn, namespace: namespace.to_owned() })
    }

    /// The state of the conversation in `chat_id` (idle when none, or when the stored value
    /// is from an older version and no longer parses).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn get(&self, tenant: &Tenant, chat_id: i64) -> Result<DialogueState> {
        let raw: Option<String> = match self {
            DialogueStore::Database(store) => store.dialogues().get(tenant, chat_id).await?.map(|v| v.to_string()),
            DialogueStore::Redis { conn, namespace } => {
                let mut conn = conn.clone();
                redis::AsyncCommands::get(&mut conn, redis_key(namespace, tenant, chat_id))
                    .await
                    .map_err(|e| Error::unavailable("Redis", e))?
            }
        };
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    /// Moves the conversation to `state` (`Idle` ends it).
    ///
    /// # Errors
    /// [`Error::Unavailable`].
    pub async fn set(&self, tenant: &Tenant, chat_id: i64, state: DialogueState) -> Result<()> {
        match self {
            DialogueStore::Database(store) => {
                if state == DialogueState::Idle {
                    store.dialogues().remove(tenant, chat_id).await
                } else {
                    let value = serde_json::to_value(&state).map_err(|e| Error::invalid("state", e.to_string()))?;
                    store.dialogues().set(tenant, chat_id, &value).await
                }
            }
            DialogueStore::Redis { conn, namespace } => {
                let mut conn = conn.clone();
                let key = redis_key(namespace, tenant, chat_id);
                if state == DialogueState::Idle {
                    redis::AsyncCommands::del::<_, ()>(&mut conn, key).await
                } else {
                    let json = serde_json::to_string(&state).map_err(|e| Error::invalid("state", e.to_string()))?;
                    redis::AsyncCommands::set::<_, _, ()>(&mut conn, key, json).await
                }
                .map_err(|e| Error::unavailable("Redis", e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_stored_json() {
        let states = [
            DialogueState::Idle,
            DialogueState::ChoosingLanguage,
            DialogueState::AwaitingReceipt { payment: PaymentId(7) },
            DialogueState::AwaitingRejectReason {
                payment: PaymentId(8),
                admin: TgUserId(42),
                receipt_chat: -100_123,
                receipt_message: 9,
            },
        ];
        for state in states {
            let json = serde_json::to_value(&state).unwrap_or_default();
            assert_eq!(serde_json::from_value::<DialogueState>(json.clone()).ok(), Some(state), "{json}");
        }
        let stored = serde_json::json!({"state": "awaiting_receipt", "payment": 7});
        assert_eq!(
            serde_json::from_value::<DialogueState>(stored).ok(),
            Some(DialogueState::AwaitingReceipt { payment: PaymentId(7) }),
            "the documented shape"
        );
    }
}
