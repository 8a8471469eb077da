//! Dialogue state per tenant and chat: in the database by default, in Redis when configured.
//! Keyed by `(bot_id, chat_id)`, so the same person talking to two tenants' bots has two
//! independent conversations, and a restart resumes where each one stood.

use remnabot_domain::{Error, Result, Tenant};
use remnabot_store::Store;
use serde::{Deserialize, Serialize};

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DialogueState {
    /// No question pending.
    #[default]
    Idle,
    /// `/language` was asked; the next button or language name answers it.
    ChoosingLanguage,
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
                    let value = serde_json::to_value(state).map_err(|e| Error::invalid("state", e.to_string()))?;
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
