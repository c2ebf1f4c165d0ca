//! What can stop a simulator from starting or a tenant change from applying.

use std::path::PathBuf;

use crate::store::StoreError;

/// A simulator failure.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The state file could not be opened, created or migrated.
    #[error("simulator state: {0}")]
    Store(#[from] StoreError),
    /// Any other SQLite failure.
    #[error("simulator state: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The state file holds a seats cache, not a simulator's tenant.
    #[error(
        "{path} is a seats cache, not a simulator's state; the simulator changes its file as the \
         source changes, so give --state a file of its own (a new one is created)"
    )]
    NotSimState { path: PathBuf },
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1: {0}; choose another --port, or 0 for a free one")]
    Bind(std::io::Error),
    /// A change named something the tenant does not have.
    #[error("the simulated tenant has no {what} {key:?}")]
    Unknown { what: &'static str, key: String },
    /// A change that Graph would refuse.
    #[error("{0}")]
    Refused(String),
    /// A background task failed.
    #[error("simulator task failed: {0}")]
    Task(String),
}
