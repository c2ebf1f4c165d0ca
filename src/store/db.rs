//! Opening the cache: pragmas, append-only migrations, and the guard against a
//! file written by a newer binary.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

/// Every migration, in order; index + 1 is the schema version it produces.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_changes.sql"),
    include_str!("../../migrations/0003_view_indexes.sql"),
    include_str!("../../migrations/0004_consumed_triggers.sql"),
    include_str!("../../migrations/0005_outbox_cancel.sql"),
];

/// The schema version this binary writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a writer waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What can go wrong while opening or using the cache.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The cache file does not exist and the caller did not ask to create it.
    #[error(
        "no cache at {path}: run `seats demo` to build the demo tenant (with --db for this path), or open `seats` to start an empty cache"
    )]
    Missing { path: PathBuf },
    /// The file was written by a newer seats; opening it could corrupt it.
    #[error(
        "the cache {path} has schema version {found}, newer than this seats understands ({supported}); \
         it was left untouched: upgrade seats, or point --db at another file"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// The file could not be opened as an SQLite database.
    #[error(
        "cannot open the cache {path}: {source}; check the path and its permissions, or choose another with --db"
    )]
    Open { path: PathBuf, source: rusqlite::Error },
    /// The directory for a new cache could not be created.
    #[error("cannot create the directory {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    /// Any other SQLite failure.
    #[error("cache error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// How to treat a cache file that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create and migrate the file if it is missing.
    Create,
    /// Refuse a missing file.
    MustExist,
}

/// Opens (and if needed creates and migrates) the cache at `path`.
pub fn open(path: &Path, mode: OpenMode) -> Result<Connection, StoreError> {
    let exists = path.exists();
    if !exists && mode == OpenMode::MustExist {
        return Err(StoreError::Missing {
            path: path.to_owned(),
        });
    }
    if !exists {
        create_parent_dir(path)?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    // A file that is not a database fails on its first read, so check the
    // version before touching anything else (WAL mode writes to the header).
    let found = schema_version(&conn).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    configure(&conn)?;
    let mut conn = conn;
    migrate(&mut conn, found)?;
    Ok(conn)
}

/// Opens an extra connection on an existing, already-migrated cache (the
/// reader used by the UI, a job's writer).
pub fn open_existing(path: &Path) -> Result<Connection, StoreError> {
    open(path, OpenMode::MustExist)
}

fn create_parent_dir(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_owned(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// The schema version recorded in the file (0 for a new, empty file).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // The console's reader checkpoints whenever it is idle; SQLite's own
    // checkpoint (which stalls the commit that triggers it) is only the
    // fallback, so let the WAL grow to ~16 MB before it runs.
    conn.pragma_update(None, "wal_autocheckpoint", 4000)?;
    register_functions(conn)?;
    Ok(())
}

/// `seats_fold(text)`: Unicode lower case, for filters that SQLite's
/// ASCII-only LIKE would miss ("élodie" finds "Élodie").
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "seats_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|text| text.to_lowercase())),
    )
}

/// Applies every migration newer than `found`, each in its own IMMEDIATE
/// transaction together with the version bump.
fn migrate(conn: &mut Connection, found: i64) -> Result<(), StoreError> {
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        if version <= found {
            continue;
        }
        let tx = begin_write(conn)?;
        // Another process may have migrated while we waited for the lock.
        if schema_version(&tx)? >= version {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "migrated cache schema");
    }
    Ok(())
}

/// Begins a write transaction that takes the write lock at once, so a check
/// and the write that depends on it can never interleave with another writer.
pub fn begin_write(conn: &mut Connection) -> rusqlite::Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
}

/// The counter SQLite bumps whenever another connection commits a change.
pub fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |row| row.get(0))
}

/// Runs `body` in an IMMEDIATE transaction on a shared connection: committed
/// when it returns Ok, rolled back (nothing changed) when it returns Err.
pub fn begin_write_on<T>(
    conn: &Connection,
    body: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let value = body(&tx)?;
    tx.commit()?;
    Ok(value)
}
