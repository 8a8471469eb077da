//! The feature-flag cache: in memory with a TTL by default, or in Redis when `REDIS_URL`
//! is set. With Redis the cache itself is shared, so an invalidation by one process is seen
//! by every process at once.

use std::time::Duration;

use redis::AsyncCommands;
use remnabot_domain::BotId;
use remnabot_domain::feature::{FeatureFlag, FeatureKey};
use remnabot_domain::{Error, Result};

/// Where cached feature flags live. Cheap to clone.
#[derive(Clone)]
pub enum FlagCache {
    /// A per-process cache with a time to live.
    Memory(moka::future::Cache<(BotId, FeatureKey), FeatureFlag>),
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

impl FlagCache {
    /// An in-memory cache whose entries live `ttl`.
    pub fn memory(ttl: Duration) -> FlagCache {
        FlagCache::Memory(moka::future::Cache::builder().max_capacity(100_000).time_to_live(ttl).build())
    }

    /// A Redis cache at `url`; keys are `{namespace}:feature_flag:{bot_id}:{key}`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a malformed URL, [`Error::Unavailable`] when Redis cannot be reached.
    pub async fn redis(url: &str, ttl: Duration, namespace: &str) -> Result<FlagCache> {
        let client = redis::Client::open(url).map_err(|e| Error::invalid("REDIS_URL", e.to_string()))?;
        let conn = redis::aio::ConnectionManager::new(client).await.map_err(|e| Error::unavailable("Redis", e))?;
        Ok(FlagCache::Redis { conn, ttl, namespace: namespace.to_owned() })
    }

    fn redis_key(namespace: &str, bot: BotId, key: FeatureKey) -> String {
        format!("{namespace}:feature_flag:{bot}:{key}")
    }

    /// A cached flag, if present. A Redis failure is logged and reads as a miss, so the
    /// database answers instead.
    pub async fn get(&self, bot: BotId, key: FeatureKey) -> Option<FeatureFlag> {
        match self {
            FlagCache::Memory(c) => c.get(&(bot, key)).await,
            FlagCache::Redis { conn, namespace, .. } => {
                let mut conn = conn.clone();
                match conn.get::<_, Option<String>>(Self::redis_key(namespace, bot, key)).await {
                    Ok(Some(json)) => serde_json::from_str(&json).ok(),
                    Ok(None) => None,
                    Err(e) => {
                        tracing::warn!(bot_id = %bot, error = %e, "feature-flag cache read failed; using the database");
                        None
                    }
                }
            }
            FlagCache::Disabled => None,
        }
    }

    /// Stores a flag read from the database.
    pub async fn put(&self, bot: BotId, flag: &FeatureFlag) {
        match self {
            FlagCache::Memory(c) => c.insert((bot, flag.key), flag.clone()).await,
            FlagCache::Redis { conn, ttl, namespace } => {
                let mut conn = conn.clone();
                let Ok(json) = serde_json::to_string(flag) else { return };
                let res: redis::RedisResult<()> =
                    conn.set_ex(Self::redis_key(namespace, bot, flag.key), json, ttl.as_secs().max(1)).await;
                if let Err(e) = res {
                    tracing::warn!(bot_id = %bot, error = %e, "feature-flag cache write failed");
                }
            }
            FlagCache::Disabled => {}
        }
    }

    /// Drops a cached flag after it changed.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when Redis cannot be told: the caller must not report the change
    /// as applied everywhere while other processes may still read the old value.
    pub async fn invalidate(&self, bot: BotId, key: FeatureKey) -> Result<()> {
        match self {
            FlagCache::Memory(c) => {
                c.invalidate(&(bot, key)).await;
                Ok(())
            }
            FlagCache::Redis { conn, namespace, .. } => {
                let mut conn = conn.clone();
                conn.del::<_, ()>(Self::redis_key(namespace, bot, key))
                    .await
                    .map_err(|e| Error::unavailable("Redis", e))
            }
            FlagCache::Disabled => Ok(()),
        }
    }
}
