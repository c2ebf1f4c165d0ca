//! A few SQLite connections on the state file, used from the async routes
//! through the blocking pool (rusqlite is synchronous).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::http::GraphError;
use crate::store::{self, OpenMode};

/// Connections at most: enough for a client's few parallel requests.
const CONNECTIONS: usize = 4;

/// The state file's connections.
#[derive(Clone)]
pub(crate) struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl Db {
    pub(crate) fn new(path: PathBuf) -> Db {
        Db {
            inner: Arc::new(Inner {
                path,
                idle: Mutex::new(Vec::new()),
                permits: Semaphore::new(CONNECTIONS),
            }),
        }
    }

    /// Runs `work` on a connection off the async threads.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, GraphError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, GraphError> + Send + 'static,
    {
        let _permit = self.inner.permits.acquire().await.map_err(GraphError::internal)?;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let conn = match inner.idle.lock().map(|mut idle| idle.pop()) {
                Ok(Some(conn)) => conn,
                _ => open(&inner.path)?,
            };
            let result = work(&conn);
            if let Ok(mut idle) = inner.idle.lock() {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(GraphError::internal)?
    }
}

/// How much of the tenant file a connection maps instead of reading.
const MAP_BYTES: i64 = 8 << 30;

/// A connection of the simulator's pool. A page of users reads each user's
/// seats by random seeks into a table that at a million users is far larger
/// than SQLite's page cache: mapped, a seek reads the OS page cache in place
/// instead of copying every page through a `pread`.
fn open(path: &std::path::Path) -> Result<Connection, GraphError> {
    let conn = store::open(path, OpenMode::MustExist).map_err(GraphError::internal)?;
    conn.pragma_update(None, "mmap_size", MAP_BYTES)
        .map_err(GraphError::internal)?;
    Ok(conn)
}
