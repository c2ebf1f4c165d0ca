//! Opening the cache: a new file private to its owner, pragmas, append-only
//! migrations, the guard against a file written by a newer binary, and a
//! file read-only for this user opened read-only (see `read_only`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

mod read_only;
mod seat_columns;

pub use read_only::{View, has_wal, open_reader};
pub(crate) use seat_columns::{assigned_by_code, assigned_by_value, intent_code, state_code, unix_time};

/// Every migration, in order; index + 1 is the schema version it produces.
/// Public so a test of one migration can build a cache at the version
/// before it (`&MIGRATIONS[..N]`) without a second list to keep in step.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_changes.sql"),
    include_str!("../../migrations/0003_view_indexes.sql"),
    include_str!("../../migrations/0004_consumed_triggers.sql"),
    include_str!("../../migrations/0005_outbox_cancel.sql"),
    include_str!("../../migrations/0006_seat_moves.sql"),
    include_str!("../../migrations/0007_sync.sql"),
    include_str!("../../migrations/0008_apple.sql"),
    include_str!("../../migrations/0009_store.sql"),
    include_str!("../../migrations/0010_apple_versions.sql"),
    include_str!("../../migrations/0011_device_serials.sql"),
    include_str!("../../migrations/0012_entitlements.sql"),
    include_str!("../../migrations/0013_inventory.sql"),
    include_str!("../../migrations/0014_subscriptions.sql"),
    include_str!("../../migrations/0015_inventory_sources.sql"),
    include_str!("../../migrations/0016_subscription_undo.sql"),
    include_str!("../../migrations/0017_user_search.sql"),
    include_str!("../../migrations/0018_subscription_edit.sql"),
    include_str!("../../migrations/0019_subscription_purchase_undo.sql"),
    include_str!("../../migrations/0020_seat_size.sql"),
    include_str!("../../migrations/0021_events_and_install_reports.sql"),
    include_str!("../../migrations/0022_list_walks.sql"),
    include_str!("../../migrations/0023_seat_state_code.sql"),
    include_str!("../../migrations/0024_user_search_short_words.sql"),
    include_str!("../../migrations/0025_members_and_actor.sql"),
    include_str!("../../migrations/0026_group_member_counts.sql"),
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
        "no cache at {path}: start an empty one there with `seats --db {path} --init`, \
         or build the demo tenant there with `seats demo --db {path}`"
    )]
    Missing { path: PathBuf },
    /// The path names a folder, not a cache file.
    #[error(
        "{path} is a folder; --db (and SEATS_DB) take the path of a cache file, such as {example}",
        example = .path.join("seats.db").display()
    )]
    Folder { path: PathBuf },
    /// The folder a new cache would go into does not exist.
    #[error(
        "the folder {folder} of the cache {path} does not exist: correct the path, \
         or create the folder first (mkdir -p {folder})"
    )]
    NoFolder { path: PathBuf, folder: PathBuf },
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
    /// An older schema that this user may not upgrade: the file is read-only for them.
    #[error(
        "the cache {path} has schema version {found}, older than this seats ({supported}), and it is \
         read-only for you, so it cannot be upgraded: ask its owner to run this seats on it once \
         (`seats pools --db {path}` upgrades it), or read it with the seats that wrote it"
    )]
    CannotMigrate {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// The file could not be opened as an SQLite database.
    #[error(
        "cannot open the cache {path}: {source}; check the path and its permissions, or choose another with --db"
    )]
    Open { path: PathBuf, source: rusqlite::Error },
    /// A new cache file could not be created.
    #[error("cannot create the cache {path}: {source}")]
    Create { path: PathBuf, source: std::io::Error },
    /// Any other SQLite failure.
    #[error("cache error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// How to treat a cache file that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create (0600, in a folder that must exist) and migrate the file if it is missing.
    Create,
    /// Refuse a missing file.
    MustExist,
}

/// Opens (and if needed creates and migrates) the cache at `path`. A file
/// this user may read but not write is opened read-only (see
/// [`is_read_only`]) and never migrated.
pub fn open(path: &Path, mode: OpenMode) -> Result<Connection, StoreError> {
    if path.is_dir() {
        return Err(StoreError::Folder {
            path: path.to_owned(),
        });
    }
    if !path.exists() {
        if mode == OpenMode::MustExist {
            return Err(StoreError::Missing {
                path: path.to_owned(),
            });
        }
        create_private_file(path)?;
    } else if !writable(path) {
        return read_only::open(path);
    }
    let flags =
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    // A file that is not a database fails on its first read, so check the
    // version before touching anything else (WAL mode writes to the header).
    let found = checked_version(&conn, path)?;
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

/// Whether `conn` was opened read-only (the file is read-only for this user).
pub fn is_read_only(conn: &Connection) -> bool {
    conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false)
}

/// Whether this process may write the cache: the file (asked of the kernel
/// with access(2) for the real uid: its permissions, the user's groups and a
/// read-only file system together) and, unless they exist, the -wal and -shm
/// files SQLite creates beside it.
///
/// Never probe by opening the file: closing any descriptor of it drops every
/// POSIX lock this process holds on it, SQLite's connections' included, and
/// another client would then take itself for the last one and delete the WAL
/// under the console (SQLite's "How To Corrupt", 2.2).
pub fn writable(path: &Path) -> bool {
    access(path, libc::W_OK) && (has_wal(path) || folder_writable(path))
}

#[cfg(unix)]
fn folder_writable(path: &Path) -> bool {
    let folder = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    access(folder, libc::W_OK | libc::X_OK)
}

/// access(2) for the real uid, the acting admin.
#[cfg(unix)]
fn access(path: &Path, mode: libc::c_int) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `path` is a NUL-terminated string that outlives the call.
    unsafe { libc::access(path.as_ptr(), mode) == 0 }
}

#[cfg(not(unix))]
fn access(path: &Path, _mode: i32) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
}

#[cfg(not(unix))]
fn folder_writable(_path: &Path) -> bool {
    true
}

/// Creates the empty cache file readable by its owner only (0600) before
/// SQLite opens it, so no byte is ever written to a file others may read;
/// SQLite gives the -wal and -shm files the same mode.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        // Another process created it meanwhile: open that one.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NoFolder {
            path: path.to_owned(),
            folder: path.parent().unwrap_or(Path::new(".")).to_owned(),
        }),
        Err(source) => Err(StoreError::Create {
            path: path.to_owned(),
            source,
        }),
    }
}

/// The file's schema version, refused when a newer seats wrote it.
fn checked_version(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let found = schema_version(conn).map_err(|source| StoreError::Open {
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
    Ok(found)
}

/// The schema version recorded in the file (0 for a new, empty file).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    configure_reading(conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // The console's reader checkpoints whenever it is idle; SQLite's own
    // checkpoint (which stalls the commit that triggers it) is only the
    // fallback, so let the WAL grow to ~16 MB before it runs.
    conn.pragma_update(None, "wal_autocheckpoint", 4000)?;
    Ok(())
}

/// The settings every connection needs, read-only ones included (they
/// change nothing in the file).
fn configure_reading(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Sorts and window functions too big for the page cache spill to a
    // temporary file: in memory, re-sorting a million users by seat count
    // took the console to a gigabyte (issue 11).
    conn.pragma_update(None, "temp_store", "FILE")?;
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
