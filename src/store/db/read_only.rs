//! Opening a cache this user may read but not write (its file or its
//! folder): read-only, without writing a byte, and reread when its owner
//! changes it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::{SCHEMA_VERSION, StoreError, checked_version, configure_reading, is_read_only, open_existing};

/// Opens a cache this user may read but not write, without writing a byte.
///
/// SQLite reads a WAL-mode file through its -wal and -shm files. While a
/// seats holds the cache open they exist, and a plain read-only connection
/// uses them and sees every later commit. When they don't, nobody has the
/// cache open, and creating them is either impossible (a folder this user
/// may not write) or harmful (they would belong to this user, and the owner
/// could no longer write the cache); the file is then opened `immutable`:
/// read as it is, without locks. The console's reader reopens it as soon as
/// a writer opens or changes it ([`View`]), so later commits still show.
pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    let flags =
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(file_uri(path, !has_wal(path)), flags).map_err(|source| {
        StoreError::Open {
            path: path.to_owned(),
            source,
        }
    })?;
    let found = checked_version(&conn, path)?;
    if found < SCHEMA_VERSION {
        return Err(StoreError::CannotMigrate {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    configure_reading(&conn)?;
    Ok(conn)
}

/// Whether the cache's -wal and -shm files exist: some connection has it
/// open in WAL mode (or left them behind).
pub fn has_wal(path: &Path) -> bool {
    let beside = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name).exists()
    };
    beside("-wal") && beside("-shm")
}

/// `file:PATH?mode=ro[&immutable=1]`, with the characters a URI gives a
/// meaning to escaped.
fn file_uri(path: &Path, immutable: bool) -> std::ffi::OsString {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut uri = String::from("file:");
    for byte in path_bytes(&absolute) {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'-' | b'_' | b'~' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri.push_str(if immutable {
        "?mode=ro&immutable=1"
    } else {
        "?mode=ro"
    });
    uri.into()
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().replace('\\', "/").into_bytes()
}

/// What a long-lived reader's connection sees of other processes' commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// It follows them (the WAL index, `data_version`).
    Live,
    /// A snapshot of a cache read-only for this user that nobody had open
    /// (opened immutable, see [`open`]), with the file's
    /// modification time and size then. It is stale once a writer opens the
    /// cache or changes the file (a short write by `seats assign` leaves no
    /// -wal behind, only a changed file).
    Snapshot(Option<(std::time::SystemTime, u64)>),
}

impl View {
    /// Whether the connection must be reopened to see the cache as it is.
    pub fn is_stale(&self, path: &Path) -> bool {
        match self {
            View::Live => false,
            View::Snapshot(stamp) => has_wal(path) || file_stamp(path) != *stamp,
        }
    }
}

/// Opens an existing cache for a long-lived reader (the console's), with
/// what it will see of later commits.
pub fn open_reader(path: &Path) -> Result<(Connection, View), StoreError> {
    // Looked at before opening: a change in between only costs a reopen.
    let (stamp, wal) = (file_stamp(path), has_wal(path));
    let conn = open_existing(path)?;
    let view = if is_read_only(&conn) && !wal {
        View::Snapshot(stamp)
    } else {
        View::Live
    };
    Ok((conn, view))
}

fn file_stamp(path: &Path) -> Option<(std::time::SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn uri_characters_in_a_path_are_escaped() {
        let uri = file_uri(Path::new("/tmp/a b/c?d#e%f.db"), true);
        assert_eq!(uri, "file:/tmp/a%20b/c%3Fd%23e%25f.db?mode=ro&immutable=1");
        assert_eq!(
            file_uri(Path::new("/x/seats.db"), false),
            "file:/x/seats.db?mode=ro"
        );
    }

    #[test]
    fn a_snapshot_is_stale_once_the_file_changes_or_a_writer_opens_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        std::fs::write(&path, b"one").unwrap();
        let view = View::Snapshot(file_stamp(&path));
        assert!(!view.is_stale(&path));
        assert!(!View::Live.is_stale(&path));
        std::fs::write(path.with_extension("db-wal"), b"").unwrap();
        std::fs::write(path.with_extension("db-shm"), b"").unwrap();
        assert!(view.is_stale(&path), "a writer has it open");
        std::fs::remove_file(path.with_extension("db-wal")).unwrap();
        std::fs::write(&path, b"two, longer").unwrap();
        assert!(view.is_stale(&path), "the file changed");
    }
}
