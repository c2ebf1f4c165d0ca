//! Seat changes (R-LIC-2..7, R-SUB-3/4/9): assign, unassign, release, undo,
//! users who leave, members who join, admins and the audit log.
//!
//! Every change checks and writes in one IMMEDIATE transaction, so several
//! console processes on one cache never oversubscribe a pool (R-LIC-4); the
//! same transaction writes the audit rows, records the exact items undo
//! needs and, for connector pools, queues the change in the outbox. The
//! database itself keeps `pools.consumed` equal to the pool's non-error
//! seats (triggers, migrations/0004); a change re-reads it after writing.
//! A refused change is audited too, in a transaction of its own.

mod admins;
mod apply;
mod audit;
mod batch;
mod cancel;
mod expand;
mod fields;
mod intent;
mod members;
mod outbox;
mod platform;
mod pool;
mod purchase;
mod release;
mod scope;
mod seat;
mod undo;
mod undo_plan;
mod users;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::Serialize;

use crate::domain::Seats;
pub use crate::domain::{Principal, Shortfall};

pub use admins::{AdminRow, Permission, add_admin, authorize, list_admins, remove_admin};
pub use audit::{AuditRow, SeatChange, audit_since};
pub use cancel::cancel_subscription;
pub use fields::{FieldChange, change_pool_fields};
pub use intent::{INTENTS, IntentPlan, plan_intent, set_intent, uninstalled_seats};
pub use members::{MemberOutcome, PoolRef, add_group_member};
pub(crate) use purchase::record_purchase;
pub use purchase::recorded_names;
pub(crate) use release::release_uninstalled;
pub use release::{plan_release_seats, plan_unassign, release_seats, unassign};
pub use scope::{scope_reverts, set_install_scope};
pub use seat::{assign, plan_assign};
pub(crate) use undo::rollback_pool_in;
pub use undo::{last_undoable_batch, undo};
pub use undo_plan::{UndoPlan, UndoPool, plan_undo};
pub use users::{RemovalPlan, find_group, find_user, plan_remove_user, reclaim_user, remove_user};

/// The OS user running seats, and whether they opened it with `--read-only`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The OS user name (the actor of every audit row).
    pub name: String,
    /// Opened with `--read-only`: every change is refused.
    pub read_only: bool,
}

impl Actor {
    /// An actor who may change things (subject to their role).
    pub fn new(name: impl Into<String>) -> Actor {
        Actor {
            name: name.into(),
            read_only: false,
        }
    }
}

/// Why a change was not made. Display is the message shown to the admin.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// A license rule refused it (exit 3); nothing changed.
    #[error("{0}")]
    Refused(Refusal),
    /// The actor's role, or read-only mode, does not allow it (exit 4).
    #[error("{0}")]
    NotPermitted(String),
    /// An unknown pool, user, group or batch (exit 2); the message names it.
    #[error("{0}")]
    NotFound(String),
    /// Input that can never work, such as an empty admin name (exit 2).
    #[error("{0}")]
    Invalid(String),
    /// The cache failed (exit 1); the transaction was rolled back.
    #[error("cache error: {0}; nothing was changed")]
    Store(#[from] rusqlite::Error),
}

impl ChangeError {
    /// The exit code of the architecture's contract (§5).
    pub fn exit_code(&self) -> u8 {
        match self {
            ChangeError::Refused(_) => 3,
            ChangeError::NotPermitted(_) => 4,
            ChangeError::NotFound(_) | ChangeError::Invalid(_) => 2,
            ChangeError::Store(_) => 1,
        }
    }
}

impl From<Refusal> for ChangeError {
    fn from(refusal: Refusal) -> Self {
        ChangeError::Refused(refusal)
    }
}

/// A rule that refuses a change; each message says why and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// More seats needed than are available (R-LIC-3).
    #[error("{pool}: {shortfall}")]
    Shortfall { pool: String, shortfall: Shortfall },
    /// The pool takes no new seats at all (R-SUB-3, R-SUB-4): the same rule
    /// and words as the console's refusal at `a`.
    #[error("{}", blocker.explain(pool))]
    Blocked {
        pool: String,
        blocker: crate::domain::assignable::Blocker,
    },
    /// The pool or principal cannot take seats this way.
    #[error("{pool}: {why}")]
    NotAssignable { pool: String, why: String },
    /// The batch was already inverted.
    #[error("batch {batch} was already undone by batch {by}; there is nothing left to undo")]
    AlreadyUndone { batch: String, by: String },
    /// The batch is of a kind undo does not invert.
    #[error("batch {batch} cannot be undone: {why}")]
    NotUndoable { batch: String, why: String },
    /// Removing or demoting this admin would leave the cache without one.
    #[error(
        "{os_user} is the last global administrator; make someone else global first \
         (`seats admins add NAME --role global`)"
    )]
    LastGlobalAdmin { os_user: String },
}

/// The preview of an assignment, computed without changing anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatPlan {
    pub pool_id: i64,
    pub pool_name: String,
    /// The pool's figures before the change.
    pub before: Seats,
    /// Distinct principals (users; devices where the pool takes devices)
    /// that will get a seat.
    pub new_seats: i64,
    /// Principals that already hold one (each counted once).
    pub already_held: i64,
    /// Per assigned group: its distinct flattened members.
    pub groups: Vec<GroupReach>,
    /// What [`assign`] would refuse with, if anything.
    pub refusal: Option<Refusal>,
}

impl SeatPlan {
    /// The pool's figures if the assignment goes through.
    pub fn after(&self) -> Seats {
        self.before.after(self.new_seats)
    }
}

/// How many distinct members a group reaches (nested groups flattened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupReach {
    pub group_id: i64,
    pub name: String,
    /// Distinct members this pool counts (users and/or devices).
    pub members: i64,
}

/// The preview of a release in one pool (unassign, release of marked seats,
/// a user who leaves), worked out by the same rule as the release itself:
/// whose seat goes, whose stays and why, and the figures it leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasePlan {
    pub pool_id: i64,
    pub pool_name: String,
    pub before: Seats,
    /// The pool's figures after the release, waiting members moved up.
    pub after: Seats,
    /// UPNs or device names whose seat goes.
    pub released: Vec<String>,
    /// Members waiting for a seat (state 'error', holding none) whose row
    /// goes too: it frees nothing.
    pub dropped: Vec<String>,
    /// (who, why the seat stays), e.g. "still reached through group Sales".
    pub kept: Vec<(String, String)>,
    /// Waiting members that get a seat this release frees, by name, in the
    /// order they move up.
    pub promoted: Vec<String>,
    /// Kept seats whose direct assignment is withdrawn (a group still
    /// reaches them).
    pub direct_withdrawn: Vec<String>,
    /// Named groups whose assignment to the pool is withdrawn.
    pub groups_withdrawn: Vec<String>,
    /// Named groups that are not assigned to the pool at all.
    pub groups_not_assigned: Vec<String>,
    /// Named users or devices that hold no row of the pool.
    pub not_held: Vec<String>,
}

impl ReleasePlan {
    /// Whether the release would change nothing: no seat freed, no waiting
    /// row dropped, nobody moved up, no assignment withdrawn. Such a
    /// release is not offered (console) or made (command line).
    pub fn changes_nothing(&self) -> bool {
        self.released.is_empty()
            && self.dropped.is_empty()
            && self.promoted.is_empty()
            && self.direct_withdrawn.is_empty()
            && self.groups_withdrawn.is_empty()
    }

    /// Why nothing goes, one reason per principal: "u1 is still reached
    /// through group Sales", "u2 holds no seat of Visio".
    pub fn reasons_for_nothing(&self) -> Vec<String> {
        let pool = &self.pool_name;
        let kept = self.kept.iter().map(|(who, why)| format!("{who}: {why}"));
        let not_held = self
            .not_held
            .iter()
            .map(|who| format!("{who} holds no seat of {pool}"));
        let groups = self
            .groups_not_assigned
            .iter()
            .map(|group| format!("group {group} is not assigned to {pool}"));
        kept.chain(not_held).chain(groups).collect()
    }
}

/// What one change did to one pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeOutcome {
    /// The id of the user action; `undo` takes it.
    pub batch_id: String,
    pub pool_id: i64,
    pub pool_name: String,
    /// The batch's action: assign, unassign, release, remove_user, reclaim,
    /// member_add or undo.
    pub action: String,
    /// Seats newly consumed.
    pub added: i64,
    /// Seats freed.
    pub released: i64,
    /// Waiting members (CountViolation) that got a seat this change freed.
    pub promoted: i64,
    /// Their names (UPN or device name).
    pub promoted_names: Vec<String>,
    pub consumed_before: i64,
    pub consumed_after: i64,
    /// The pool's total (None = unlimited), for "N available".
    pub total: Option<i64>,
    /// Written to the outbox for the connector to push.
    pub queued: bool,
    /// The connector that will push it, when queued.
    pub connector: Option<String>,
    /// For an undo: changes the undone batch queued for the source that were
    /// never sent, cancelled instead of answered with the opposite change.
    pub cancelled: usize,
    /// (who, why their seat stays) for principals named but not released.
    pub kept: Vec<(String, String)>,
}

impl ChangeOutcome {
    /// Seats still free after the change (None = unlimited).
    pub fn available_after(&self) -> Option<i64> {
        self.total.map(|total| total - self.consumed_after)
    }
}

/// [`write`], and a refusal (by a license rule or by the role) is audited
/// as "who tried what" in a transaction of its own: every caller (command
/// line, console, sync) gets the same audit row. `body` fills in the
/// attempt as it learns the pool and the principals.
fn write_audited<T>(
    conn: &Connection,
    actor: &Actor,
    action: &str,
    body: impl FnOnce(&Transaction<'_>, &mut batch::Attempt) -> Result<T, ChangeError>,
) -> Result<T, ChangeError> {
    let mut attempt = batch::Attempt::default();
    let result = write(conn, |tx| body(tx, &mut attempt));
    if let Err(err) = &result {
        batch::record_refusal(conn, actor, action, &attempt, err);
    }
    result
}

/// Audits a refusal that the caller showed without attempting the change
/// (the console refuses at its preview, before Enter can apply it): the
/// same row a refused change writes. Names unknown ids as they are.
/// Audits an assignment the console refused at the key, before anyone was
/// picked (`a` on a pool that takes no seats): the store reads the pool and
/// applies its own rule again, so the row says what the store would say.
pub fn audit_refused_assign(conn: &Connection, actor: &Actor, pool_id: i64) -> rusqlite::Result<()> {
    let refusal = pool::PoolState::load(conn, pool_id)?.and_then(|pool| pool.status_refusal());
    match refusal {
        Some(refusal) => audit_refusal(
            conn,
            actor,
            "assign",
            Some(pool_id),
            &[],
            &ChangeError::Refused(refusal),
        ),
        None => Ok(()),
    }
}

pub fn audit_refusal(
    conn: &Connection,
    actor: &Actor,
    action: &str,
    pool_id: Option<i64>,
    principals: &[Principal],
    refusal: &ChangeError,
) -> rusqlite::Result<()> {
    let mut attempt = batch::Attempt {
        pool: pool_id
            .map(|id| pool::PoolState::load(conn, id))
            .transpose()?
            .flatten(),
        ..batch::Attempt::default()
    };
    // The audit row shows the first names and counts the rest, so only
    // those are looked up (a selection may hold every user).
    for (index, principal) in principals.iter().enumerate() {
        let name = match *principal {
            _ if index >= batch::MAX_NAMES => None,
            Principal::User(id) => seat::user_name(conn, id)?.map(|(upn, _)| upn),
            Principal::Group(id) => seat::group_name(conn, id)?,
        };
        attempt
            .principals
            .push(name.unwrap_or_else(|| format!("{principal:?}")));
    }
    batch::record_refusal(conn, actor, action, &attempt, refusal);
    Ok(())
}

/// Runs a change in a write transaction that is always rolled back: the
/// preview of a change whose effect is only known by making it (undo works
/// out the inverse as it writes it). It takes the write lock for as long as
/// the change itself would, and leaves nothing behind.
fn dry_run<T>(
    conn: &Connection,
    body: impl FnOnce(&Transaction<'_>) -> Result<T, ChangeError>,
) -> Result<T, ChangeError> {
    expand::ensure_scratch(conn)?;
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let value = body(&tx);
    tx.rollback()?;
    value
}

/// Runs `body` in an IMMEDIATE transaction on a shared connection: committed
/// when it returns Ok, rolled back (nothing changed) when it returns Err.
fn write<T>(
    conn: &Connection,
    body: impl FnOnce(&Transaction<'_>) -> Result<T, ChangeError>,
) -> Result<T, ChangeError> {
    // Outside the transaction: a rollback would drop new scratch tables again.
    expand::ensure_scratch(conn)?;
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let value = body(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// Runs a read-only computation inside a savepoint that is always rolled
/// back: one consistent snapshot, and the scratch tables are left empty.
fn preview<T>(
    conn: &Connection,
    body: impl FnOnce(&Connection) -> Result<T, ChangeError>,
) -> Result<T, ChangeError> {
    expand::ensure_scratch(conn)?;
    conn.execute_batch("SAVEPOINT seats_preview")?;
    let result = body(conn);
    conn.execute_batch("ROLLBACK TO seats_preview; RELEASE seats_preview")?;
    result
}
