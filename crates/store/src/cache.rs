//! The tenant-settings cache (feature flags and configuration values): in memory with a TTL
//! by default, or in Redis when `REDIS_URL` is set. With Redis the cache itself is shared, so
//! an invalidation by one process is seen by every process at once.

use std::time::Duration;

use redis::AsyncCommands;
use remnabot_domain::BotId;
use remnabot_domain::feature::{FeatureFlag, FeatureKey};
use remnabot_domain::{Error, Result};

/// Where cached tenant settings live. Cheap to clone.
#[derive(Clone)]
pub enum FlagCache {
    /// A per-process cache with a time to live; values are JSON text.
    Memory(moka::future::Cache<String, String>),
    /// A Redis cache shared by every process, keys under `namespace`.
    Redis { conn: redis::aio::ConnectionManager, ttl: Duration, namespace: String },
    /// No caching (every read goes to the database).
    Disabled,
}

impl std::fmt::Debug for FlagCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FlagCache::Memory(_) => f.write_str("FlagCache::Memory"),
            FlagCache::Redis { namespace, ttl, .. } => {
                write!(f, "FlagCache::Redis {{ namespace: {namespace:?}, ttl: {ttl:?} }}")
            }
            FlagCache::Disabled => f.write_str("FlagCache::Disabled"),
        }
    }
}

fn flag_key(bot: BotId, key: FeatureKey) -> String {
    format!("feature_flag:{bot}:{key}")
}

fn config_key(bot: BotId, key: &str) -> String {
    format!("config:{bot}:{key}")
}

impl FlagCache {
    /// An in-memory cache whose entries live `ttl`.
    pub fn memory(ttl: Duration) -> FlagCache {
        FlagCache::Memory(moka::future::Cache::builder().max_capacity(100_000).time_to_live(ttl).build())
    }

    /// A Redis cache at `url`; keys are `{namespace}:feature_flag:{bot_id}:{key}` and
    /// `{namespace}:config:{bot_id}:{key}`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a malformed URL, [`Error::Unavailable`] when Redis cannot be reached.
    pub async fn redis(url: &str, ttl: Duration, namespace: &str) -> Result<FlagCache> {
        let client = redis::Client::open(url).map_err(|e| Error::invalid("REDIS_URL", e.to_string()))?;
        let conn = redis::aio::ConnectionManager::new(client).await.map_err(|e| Error::unavailable("Redis", e))?;
        Ok(FlagCache::Redis { conn, ttl, namespace: namespace.to_owned() })
    }

    /// A cached value. A Redis failure is logged and reads as a miss, so the database answers.
    async fn get_raw(&self, key: String) -> Option<String> {
        match self {
            FlagCache::Memory(c) => c.get(&key).await,
            FlagCache::Redis { conn, namespace, .. } => {
                let mut conn = conn.clone();
                match conn.get::<_, Option<String>>(format!("{namespace}:{key}")).await {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!(key, error = %e, "settings cache read failed; using the database");
                        None
                    }
                }
            }
            FlagCache::Disabled => None,
        }
    }

    async fn put_raw(&self, key: String, json: String) {
        match self {
            FlagCache::Memory(c) => c.insert(key, json).await,
            FlagCache::Redis { conn, ttl, namespace } => {
                let mut conn = conn.clone();
                let res: redis::RedisResult<()> =
                    conn.set_ex(format!("{namespace}:{key}"), json, ttl.as_secs().max(1)).await;
                if let Err(e) = res {
                    tracing::warn!(key, error = %e, "settings cache write failed");
                }
            }
            FlagCache::Disabled => {}
        }
    }

    async fn invalidate_raw(&self, key: String) -> Result<()> {
        match self {
            FlagCache::Memory(c) => {
                c.invalidate(&key).await;
                Ok(())
            }
            FlagCache::Redis { conn, namespace, .. } => {
                let mut conn = conn.clone();
                conn.del::<_, ()>(format!("{namespace}:{key}")).await.map_err(|e| Error::unavailable("Redis", e))
            }
            FlagCache::Disabled => Ok(()),
        }
    }

    /// A cached flag, if present.
    pub async fn get(&self, bot: BotId, key: FeatureKey) -> Option<FeatureFlag> {
        self.get_raw(flag_key(bot, key)).await.and_then(|json| serde_json::from_str(&json).ok())
    }

    /// Stores a flag read from the database.
    pub async fn put(&self, bot: BotId, flag: &FeatureFlag) {
        if let Ok(json) = serde_json::to_string(flag) {
            self.put_raw(flag_key(bot, flag.key), json).await;
        }
    }

    /// Drops a cached flag after it changed.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when Redis cannot be told: the caller must not report the change
    /// as applied everywhere while other processes may still read the old value.
    pub async fn invalidate(&self, bot: BotId, key: FeatureKey) -> Result<()> {
        self.invalidate_raw(flag_key(bot, key)).await
    }

    /// A cached configuration value: `Some(None)` means "known to be unset".
    pub(crate) async fn get_config(&self, bot: BotId, key: &str) -> Option<Option<serde_json::Value>> {
        self.get_raw(config_key(bot, key)).await.and_then(|json| serde_json::from_str(&json).ok())
    }

    /// Stores a configuration value read from the database (or its absence).
    pub(crate) async fn put_config(&self, bot: BotId, key: &str, value: &Option<serde_json::Value>) {
        if let Ok(json) = serde_json::to_string(value) {
            self.put_raw(config_key(bot, key), json).await;
        }
    }

    /// Drops a cached configuration value after it changed.
    pub(crate) async fn invalidate_config(&self, bot: BotId, key: &str) -> Result<()> {
        self.invalidate_raw(config_key(bot, key)).await
    }
}
