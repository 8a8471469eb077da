//! Connecting to SQLite or PostgreSQL, running migrations, and the error mapping every
//! repository shares.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use remnabot_domain::{Error, Result};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqlErr, SqlxPostgresConnector, SqlxSqliteConnector,
    TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::cache::FlagCache;
use crate::crypto::SecretKey;
use crate::migration::Migrator;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The storage handle: a connection pool, the key for secrets at rest and the feature-flag
/// cache. Cheap to clone; repositories borrow it.
#[derive(Clone)]
pub struct Store {
    pub(crate) db: DatabaseConnection,
    pub(crate) backend: Backend,
    pub(crate) key: Arc<SecretKey>,
    pub(crate) flag_cache: FlagCache,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc`, `sqlite::memory:`, `postgres://...`).
    /// A SQLite file and its folder are created when missing.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a URL of another scheme or shape, [`Error::Unavailable`] when the
    /// database cannot be reached.
    pub async fn connect(url: &str, key: SecretKey, flag_cache: FlagCache) -> Result<Store> {
        let (db, backend) = if url.starts_with("sqlite:") {
            (connect_sqlite(url).await?, Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| Error::invalid("DATABASE_URL", format!("is not a valid PostgreSQL URL: {e}")))?;
            (connect_postgres(opts).await?, Backend::Postgres)
        } else {
            return Err(Error::invalid("DATABASE_URL", "must start with `sqlite:` or `postgres://`"));
        };
        Ok(Store { db, backend, key: Arc::new(key), flag_cache })
    }

    /// Connects to PostgreSQL with the given options (tests use it to pin a schema).
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the database cannot be reached.
    pub async fn connect_postgres(opts: PgConnectOptions, key: SecretKey, flag_cache: FlagCache) -> Result<Store> {
        let db = connect_postgres(opts).await?;
        Ok(Store { db, backend: Backend::Postgres, key: Arc::new(key), flag_cache })
    }

    /// Applies every pending migration.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when a migration fails.
    pub async fn migrate(&self) -> Result<()> {
        // An in-memory SQLite database lives in its pool's only connection.
        let single = self.backend == Backend::Sqlite
            && self.db.get_sqlite_connection_pool().options().get_max_connections() == 1;
        if self.backend != Backend::Sqlite || single {
            return Migrator::up(&self.db, None).await.map_err(|e| Error::unavailable("database migration", e));
        }
        // On SQLite the migrations run on a connection of their own, closed when they are
        // done. A pooled connection that ran some of them could go on reading a table as it
        // was before a later migration added columns to it (a fresh store's first
        // registration read `users.promo_failures` as missing about one time in twenty), and
        // draining the pool afterwards is not enough: a connection returns to it
        // asynchronously.
        let pool = self.db.get_sqlite_connection_pool();
        let own = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with((*pool.connect_options()).clone())
            .await
            .map_err(|e| Error::unavailable("the SQLite database", e))?;
        let migrated = Migrator::up(&SqlxSqliteConnector::from_sqlx_sqlite_pool(own.clone()), None).await;
        own.close().await;
        migrated.map_err(|e| Error::unavailable("database migration", e))
    }

    /// Names of the migrations already applied, oldest first.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the database cannot be read.
    pub async fn applied_migrations(&self) -> Result<Vec<String>> {
        let applied = Migrator::get_applied_migrations(&self.db).await.map_err(unavailable)?;
        Ok(applied.iter().map(|m| m.name().to_owned()).collect())
    }

    /// A secret derived from `SECRET_KEY` for `label` (see [`SecretKey::derive`]).
    pub fn derived_secret(&self, label: &str) -> secrecy::SecretString {
        self.key.derive(label)
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.db.ping().await.is_ok()
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The raw connection, for tests that inspect rows directly.
    #[doc(hidden)]
    pub fn raw_connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Starts a transaction that writes. On SQLite it is `BEGIN IMMEDIATE`, so the write lock
    /// is taken up front and concurrent writers queue on the busy timeout instead of failing
    /// when a read transaction tries to upgrade.
    pub(crate) async fn write_tx(&self) -> Result<DatabaseTransaction> {
        let opts = TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        self.db.begin_with_options(opts).await.map_err(unavailable)
    }
}

async fn connect_sqlite(url: &str) -> Result<DatabaseConnection> {
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|e| Error::invalid("DATABASE_URL", format!("is not a valid SQLite URL: {e}")))?;
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if !in_memory {
        let path = opts.get_filename();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::unavailable("the SQLite data folder", e))?;
        }
        create_private(path)?;
    }
    let opts = opts
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(if in_memory { SqliteJournalMode::Memory } else { SqliteJournalMode::Wal })
        .synchronous(SqliteSynchronous::Normal)
        // Reads through a memory map instead of a `pread` system call per page.
        .pragma("mmap_size", "268435456")
        .busy_timeout(Duration::from_secs(30));
    // An in-memory database exists once per connection, so it gets exactly one.
    let max = if in_memory { 1 } else { 16 };
    let pool = SqlitePoolOptions::new()
        .max_connections(max)
        .min_connections(if in_memory { 1 } else { 0 })
        .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(600)) })
        .max_lifetime(if in_memory { None } else { Some(Duration::from_secs(3600)) })
        .connect_with(opts)
        .await
        .map_err(|e| Error::unavailable("the SQLite database", e))?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// Creates the SQLite file `path`, empty and readable by its owner only (0600), unless it
/// exists. It holds every tenant's customers, payments and encrypted tokens; left to SQLite it
/// would be created with the process's umask, usually readable by every local user. SQLite
/// gives its `-wal` and `-shm` files the database file's permissions, so they are private too.
/// An existing file keeps the permissions its owner chose.
fn create_private(path: &std::path::Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::unavailable("the SQLite database file", e)),
    }
}

async fn connect_postgres(opts: PgConnectOptions) -> Result<DatabaseConnection> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await
        .map_err(|e| Error::unavailable("the PostgreSQL database", e))?;
    Ok(SqlxPostgresConnector::from_sqlx_postgres_pool(pool))
}

/// Any database failure that is not a constraint a caller can act on.
pub(crate) fn unavailable(e: DbErr) -> Error {
    Error::unavailable("the database", e)
}

/// Maps a database error, turning a unique violation into [`Error::Conflict`] with `conflict`
/// as the message and a foreign-key violation into `Error::NotFound(referenced)`.
pub(crate) fn map_write(e: DbErr, conflict: impl FnOnce() -> String, referenced: &'static str) -> Error {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::Conflict(conflict()),
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => Error::not_found(referenced),
        _ => unavailable(e),
    }
}

/// Whether `e` is a unique violation (used where a race on a unique key is expected).
pub(crate) fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The permission bits of `path`.
    #[cfg(unix)]
    fn mode(path: &std::path::Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777).unwrap_or_default()
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_sqlite_database_and_its_wal_are_readable_by_their_owner_only() {
        let dir = std::env::temp_dir().join("remnabot-tests").join(crate::testing::unique_suffix());
        // The folder too is created on demand.
        let path = dir.join("data").join("remnabot.db");
        let store = Store::connect(
            &format!("sqlite://{}", path.display()),
            SecretKey::generate(),
            FlagCache::memory(Duration::from_secs(60)),
        )
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
        store.migrate().await.unwrap_or_else(|e| panic!("migrate: {e}"));
        // A write through the store's own pool keeps a -wal file while it is open.
        crate::testing::tenant(&store, "shop").await;
        assert_eq!(mode(&path), 0o600, "the database file");
        let wal = path.with_file_name("remnabot.db-wal");
        assert!(wal.exists(), "writing in WAL mode made the -wal file");
        assert_eq!(mode(&wal), 0o600, "the -wal file");
        store.db.close().await.ok();
        std::fs::remove_dir_all(&dir).ok();
    }
}
