//! One database layer for SQLite (embedded default) and PostgreSQL.
//!
//! Every query in the platform is written once, with `$1`-style placeholders,
//! and runs on both engines through sqlx's `Any` driver. Column types are
//! limited to what both engines share: `TEXT`, `BIGINT`, `DOUBLE PRECISION`.
//! Times are stored as RFC 3339 UTC text, JSON as text.

mod edge;
mod migrations;
mod query;
mod versioned;

pub(crate) use edge::text_enum;
pub use edge::{JsonText, UtcText};
pub use query::{by_id, col, page, values_placeholders, write_versioned, Bind, Sql};
pub use versioned::{SentVersion, Versioned};

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Which engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    #[error(
        "migration {version} (crates/yingji/migrations/{file}) was changed after it was applied: \
         the database recorded checksum {recorded}, the file now has {actual}; \
         restore the file and put the change in a new migration"
    )]
    MigrationEdited {
        version: i64,
        file: &'static str,
        recorded: String,
        actual: String,
    },
    #[error("corrupt row in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
    /// A change committed without journal entries (see `journal::Change`).
    #[error("a change must be journaled")]
    Unjournaled,
    /// Optimistic concurrency: the record changed since it was read (its
    /// version is not the one the writer read or was sent).
    #[error("the record was changed by someone else since it was read")]
    Stale,
}

impl DbError {
    /// True when the error is a unique-constraint violation (both engines).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlx(sqlx::Error::Database(e)) => {
                e.is_unique_violation()
                    || e.message().contains("UNIQUE constraint failed")
                    || e.code().as_deref() == Some("23505")
            }
            _ => false,
        }
    }
}

/// A connection pool plus what we need to know about its engine.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer: write transactions queue here instead of
    /// failing with SQLITE_BUSY when a deferred transaction upgrades its lock.
    write_lock: Option<Arc<Mutex<()>>>,
}

/// A write transaction. Dropping it without `commit` rolls back.
pub struct Tx {
    pub inner: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl Tx {
    /// Commit without journal entries: only for bookkeeping that is not a
    /// record (sessions, leases, heartbeats, migrations). Every change of
    /// data commits through `journal::Change::commit`.
    pub async fn commit_unjournaled(self) -> Result<(), DbError> {
        self.inner.commit().await?;
        Ok(())
    }
}

impl Db {
    /// Connect and run migrations. `url` is `sqlite://PATH` (created if
    /// missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl(url.to_string()));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let opts = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL for concurrent readers; FULL sync so an
                        // acknowledged write survives power loss, not only a kill.
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                             PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        let db = Db {
            pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
        };
        migrations::run(&db).await?;
        Ok(db)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begin a write transaction.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let inner = self.pool.begin().await?;
        Ok(Tx {
            inner,
            _guard: guard,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Test databases: SQLite always, PostgreSQL when
    //! `YINGJI_TEST_DATABASE_URL` is set (each test gets its own schema).
    use super::*;

    pub struct TestDb {
        pub db: Db,
        pub name: String,
        _dir: Option<tempfile::TempDir>,
    }

    /// Every backend a store test must pass on.
    pub async fn all() -> Vec<TestDb> {
        let mut out = vec![sqlite().await];
        if let Some(pg) = postgres().await {
            out.push(pg);
        }
        out
    }

    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        TestDb {
            db: Db::connect(&url).await.expect("sqlite connect"),
            name: "sqlite".into(),
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Option<TestDb> {
        let base = std::env::var("YINGJI_TEST_DATABASE_URL").ok()?;
        let url = fresh_pg_schema(&base).await;
        Some(TestDb {
            db: Db::connect(&url).await.expect("postgres connect"),
            name: "postgres".into(),
            _dir: None,
        })
    }

    /// Create a uniquely named schema and return a URL whose search_path is it.
    pub async fn fresh_pg_schema(base: &str) -> String {
        use rand::Rng;
        sqlx::any::install_default_drivers();
        let schema = format!("t_{:016x}", rand::rng().random::<u64>());
        let admin = AnyPool::connect(base).await.expect("pg admin connect");
        sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .expect("create schema");
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}options=-c%20search_path%3D{schema}")
    }
}
