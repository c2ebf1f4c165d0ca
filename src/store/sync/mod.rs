//! A pull from a source into the cache (issue 7, architecture §3): the sync
//! reads the source page by page and hands each page to a [`PullStage`],
//! which keeps it in TEMP tables of its own connection (no write lock, and a
//! killed process leaves nothing behind); [`PullStage::commit`] then writes
//! the whole pull in ONE IMMEDIATE transaction, so a failed, refused or
//! aborted pull leaves the cache exactly as it was (R-CON-8).
//!
//! What the commit writes, and the rules it follows, are in the submodules:
//! `pools` (SKUs), `groups` (groups, members, group licenses), `people`
//! (users), `seats` (the seat rows of the connector's pools, and the
//! pending local changes that win over the pull), `finish` (users who
//! left, the audit, the delta link).

mod finish;
mod groups;
mod people;
mod pools;
mod seats;
mod stage;
mod summary;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::domain::source::{SourceGroup, SourceMember, SourceSku, SourceUser, UserChange};

pub use summary::{Counts, LeftUser, PoolDrift, SyncSummary};

/// The actor of every audit row a sync writes.
pub const SYNC_ACTOR: &str = "seats sync";

/// What kind of read of the source a pull is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PullKind {
    /// Every user: the connector's users the pull does not report were
    /// deleted at the source.
    Full,
    /// Only what changed since the stored delta link.
    Delta,
}

/// Why a pull could not be staged or written. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    /// A record that can never be written; the message names it.
    #[error("{0}")]
    Invalid(String),
    #[error("no connector with id {0}; `seats connectors` lists them")]
    NoConnector(i64),
    #[error("cache error: {0}; the cache was left as it was")]
    Store(#[from] rusqlite::Error),
}

/// One pull being staged. Dropping it without [`commit`](Self::commit)
/// aborts it: the staged pages go, the cache is untouched.
pub struct PullStage<'c> {
    conn: &'c Connection,
    connector_id: i64,
    kind: PullKind,
    stage: stage::Staged,
    /// The newest outbox row when the pull began: rows after it were
    /// written while the pull read the source (see [`seats`]).
    outbox_mark: i64,
    done: bool,
}

impl<'c> PullStage<'c> {
    /// Starts a pull for the connector on `conn`, a connection the sync
    /// opened for itself: the staged pages live in its TEMP tables, which it
    /// switches to a temporary file (`temp_store = FILE`) so a large tenant
    /// is not held in memory. The sync holds the connector's lease
    /// ([`crate::store::sync_lease`]) and renews it before committing.
    pub fn begin(
        conn: &'c Connection,
        connector_id: i64,
        kind: PullKind,
    ) -> Result<PullStage<'c>, PullError> {
        let found: Option<String> = rusqlite::OptionalExtension::optional(conn.query_row(
            "SELECT kind FROM connectors WHERE id = ?1",
            [connector_id],
            |row| row.get(0),
        ))?;
        match found.as_deref() {
            None => return Err(PullError::NoConnector(connector_id)),
            Some("graph") => {}
            Some(other) => {
                return Err(PullError::Invalid(format!(
                    "connector {connector_id} is a {other} connector; only Microsoft Graph pulls into pools yet"
                )));
            }
        }
        stage::create(conn)?;
        let outbox_mark = seats::mark_pending(conn, connector_id)?;
        Ok(PullStage {
            conn,
            connector_id,
            kind,
            stage: stage::Staged::default(),
            outbox_mark,
            done: false,
        })
    }

    pub fn kind(&self) -> PullKind {
        self.kind
    }

    /// A page of the source's subscriptions. A pull that stages SKUs stages
    /// all of them: the connector's pools whose SKU it did not report are
    /// disabled at commit. A pull that stages none leaves pools as they are.
    pub fn add_skus(&mut self, skus: &[SourceSku]) -> Result<(), PullError> {
        let conn = self.conn;
        in_temp_transaction(conn, || self.stage.skus(conn, skus))
    }

    /// A page of users (a full read: each user as it is now).
    pub fn add_users(&mut self, users: &[SourceUser]) -> Result<(), PullError> {
        let conn = self.conn;
        in_temp_transaction(conn, || {
            users.iter().try_for_each(|user| self.stage.user(conn, user))
        })
    }

    /// A page of an incremental read. A user reported twice counts as last reported.
    pub fn add_user_changes(&mut self, changes: &[UserChange]) -> Result<(), PullError> {
        let conn = self.conn;
        in_temp_transaction(conn, || {
            changes.iter().try_for_each(|change| match change {
                UserChange::Upsert(user) => self.stage.user(conn, user),
                UserChange::Removed { source_id, permanent } => {
                    self.stage.removed(conn, source_id, *permanent)
                }
            })
        })
    }

    /// A page of groups. A pull that stages groups stages all of them: the
    /// connector's groups it did not list are removed at commit, and every
    /// listed group's members are replaced by those staged for it (none
    /// staged: no members).
    pub fn add_groups(&mut self, groups: &[SourceGroup]) -> Result<(), PullError> {
        let conn = self.conn;
        in_temp_transaction(conn, || {
            groups.iter().try_for_each(|group| self.stage.group(conn, group))
        })
    }

    /// A page of one group's direct members (users, devices and groups by
    /// their source ids). Members of a group no `add_groups` page listed
    /// are ignored.
    pub fn add_members(&mut self, group_source_id: &str, members: &[SourceMember]) -> Result<(), PullError> {
        let conn = self.conn;
        in_temp_transaction(conn, || self.stage.members(conn, group_source_id, members))
    }

    /// Writes the whole pull into the cache in one IMMEDIATE transaction and
    /// stores `delta_link` (Some replaces the connector's link, None clears
    /// it). `name_for` names a pool created for a new SKU from its part number
    /// (existing pools keep their names). On an error nothing was written.
    pub fn commit(
        mut self,
        delta_link: Option<&str>,
        name_for: &dyn Fn(&str) -> String,
    ) -> Result<SyncSummary, PullError> {
        let conn = self.conn;
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let apply = Apply {
            conn: &tx,
            connector_id: self.connector_id,
            kind: self.kind,
            at: crate::store::connectors_admin::stamp(chrono::Utc::now()),
            batch: finish::new_batch_id(),
            skus_listed: self.stage.skus_listed,
            groups_listed: self.stage.groups_listed,
            outbox_mark: self.outbox_mark,
        };
        let summary = apply.run(delta_link, name_for)?;
        timed("COMMIT", || tx.commit())?;
        self.done = true;
        stage::drop_all(conn);
        Ok(summary)
    }

    /// Drops the staged pages; the cache is untouched.
    pub fn abort(mut self) {
        self.done = true;
        stage::drop_all(self.conn);
    }
}

impl Drop for PullStage<'_> {
    fn drop(&mut self) {
        if !self.done {
            stage::drop_all(self.conn);
        }
    }
}

/// Runs a staging step in a transaction that only writes TEMP tables, so it
/// takes no lock on the cache and one page costs one commit of memory.
fn in_temp_transaction(
    conn: &Connection,
    body: impl FnOnce() -> Result<(), PullError>,
) -> Result<(), PullError> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
    body()?;
    tx.commit()?;
    Ok(())
}

/// Everything the steps of a commit share.
struct Apply<'a> {
    conn: &'a Connection,
    connector_id: i64,
    kind: PullKind,
    /// The commit's time (RFC 3339 UTC).
    at: String,
    /// The sync's batch id (its audit rows).
    batch: String,
    skus_listed: bool,
    groups_listed: bool,
    outbox_mark: i64,
}

impl Apply<'_> {
    fn run(
        &self,
        delta_link: Option<&str>,
        name_for: &dyn Fn(&str) -> String,
    ) -> Result<SyncSummary, PullError> {
        let mut summary = SyncSummary::new(self.kind, &self.batch);
        let mut clock = StepClock::start();
        seats::protect(self)?;
        clock.lap("protected changes");
        pools::apply(self, name_for, &mut summary)?;
        clock.lap("pools");
        groups::apply(self, &mut summary)?;
        clock.lap("groups");
        people::apply(self, &mut summary)?;
        clock.lap("users");
        groups::apply_members(self, &mut summary)?;
        clock.lap("members");
        groups::apply_grants(self, &mut summary)?;
        clock.lap("grants");
        seats::apply(self, &mut summary)?;
        clock.lap("seats");
        finish::apply(self, delta_link, &mut summary)?;
        clock.lap("leavers, audit");
        Ok(summary)
    }
}

/// Runs one statement of a commit step and logs its time at trace level
/// (`RUST_LOG=seats=trace`): the step's lap names the step, this the
/// statement within it.
fn timed<T>(statement: &str, run: impl FnOnce() -> T) -> T {
    let started = std::time::Instant::now();
    let out = run();
    let ms = started.elapsed().as_millis() as u64;
    tracing::trace!(statement, ms, "sync commit statement");
    out
}

/// Times the steps of a commit for the log (`RUST_LOG=seats=debug`): at a
/// million users one slow statement is minutes, and this names it.
struct StepClock(std::time::Instant);

impl StepClock {
    fn start() -> StepClock {
        StepClock(std::time::Instant::now())
    }

    fn lap(&mut self, step: &str) {
        let took = self.0.elapsed();
        tracing::debug!(step, ms = took.as_millis() as u64, "sync commit step");
        self.0 = std::time::Instant::now();
    }
}
