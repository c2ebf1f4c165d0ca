//! `seats check`: every invariant of the cache (architecture §3), verified
//! from the rows alone. Each finding says what is wrong, which rows, and
//! what to do; a clean cache reports how many invariants held.
//!
//! The rules checked, and why they are the rules:
//! - `pools.consumed` equals the pool's rows that hold a seat (every row of
//!   `assignments` not in state 'error'; migrations/0001 and 0004).
//! - No pool has more seats consumed than its total, unless the source says
//!   so. R-LIC-4 forbids the cache from ever giving a seat beyond the total,
//!   so `consumed > total` can only be true when a sync brought it, and then
//!   the source's own figure shows it too (`source_consumed > total`: a
//!   renewal that bought fewer seats than are assigned). A difference between
//!   `consumed` and `source_consumed` is drift, which the panes show; it is
//!   not a violation.
//! - No orphans where no foreign key guards the link: change items, audit
//!   rows and outbox rows point at existing batches, every batch has at least
//!   one audit row, undo links point both ways. Links with foreign keys are
//!   checked by `PRAGMA foreign_key_check` (rows written with foreign keys
//!   off), and the file itself by `PRAGMA integrity_check`.
//! - The schema version is the one this binary writes.
//!
//! Change items and audit rows may name pools, users, devices and groups
//! that are gone: they are history (undo skips what no longer exists).

use rusqlite::Connection;
use serde::Serialize;

use super::db::{SCHEMA_VERSION, schema_version};
use crate::store::db::state_code;

/// Rows named per finding before "…and N more".
const LISTED: usize = 20;

/// The outcome of one invariant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable snake_case name of the invariant.
    pub invariant: &'static str,
    pub ok: bool,
    /// What must hold.
    pub rule: String,
    /// The offending rows, each with its id and what is wrong with it.
    pub rows: Vec<String>,
    /// What to do about it (empty when ok).
    pub fix: String,
}

impl Finding {
    /// One line: what does not hold, for which rows, and what to do.
    pub fn line(&self) -> String {
        let shown: Vec<&str> = self.rows.iter().take(LISTED).map(String::as_str).collect();
        let more = self.rows.len().saturating_sub(LISTED);
        let tail = if more > 0 {
            format!(" …and {more} more")
        } else {
            String::new()
        };
        format!(
            "violated: {} ({}): {}{tail}; to fix: {}",
            self.invariant,
            self.rule,
            shown.join(", "),
            self.fix
        )
    }
}

/// An invariant checked by one query that returns a description of each
/// offending row (empty when it holds).
struct Rule {
    invariant: &'static str,
    rule: &'static str,
    fix: &'static str,
    offenders: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        invariant: "consumed_equals_held_seats",
        rule: "each pool's consumed figure equals the seats its rows hold (and other products' users, 0010)",
        fix: "something wrote the cache without its triggers; recount with \
              `UPDATE pools SET consumed = foreign_consumed + (SELECT count(*) FROM assignments a \
              WHERE a.pool_id = pools.id AND a.state <> 'error')` in sqlite3, then run seats check again",
        offenders: concat!(
            "SELECT 'pool ' || id || ' ' || name || ': consumed ' || consumed || ', seats held ' || held \
             FROM (SELECT p.id, p.name, p.consumed, p.foreign_consumed + (SELECT count(*) FROM assignments a \
                   WHERE a.pool_id = p.id AND a.state_code <> ",
            state_code!("error"),
            ") AS held FROM pools p) \
             WHERE consumed <> held ORDER BY id"
        ),
    },
    Rule {
        invariant: "group_member_counts",
        rule: "each group's member count equals its direct members (users, devices, nested groups; 0026)",
        fix: "something wrote the cache without its triggers; recount with `UPDATE groups SET member_count = \
              (SELECT count(*) FROM group_user_members m WHERE m.group_id = groups.id) + (SELECT count(*) \
              FROM group_device_members m WHERE m.group_id = groups.id) + (SELECT count(*) FROM \
              group_child_groups m WHERE m.group_id = groups.id)` in sqlite3, then run seats check again",
        offenders: "SELECT 'group ' || id || ' ' || name || ': member_count ' || member_count || ', members ' || held \
             FROM (SELECT g.id, g.name, g.member_count, \
                     (SELECT count(*) FROM group_user_members m WHERE m.group_id = g.id) \
                   + (SELECT count(*) FROM group_device_members m WHERE m.group_id = g.id) \
                   + (SELECT count(*) FROM group_child_groups m WHERE m.group_id = g.id) AS held FROM groups g) \
             WHERE member_count <> held ORDER BY id",
    },
    Rule {
        invariant: "consumed_within_total",
        rule: "no pool has more seats consumed than its total, unless its source reports that too",
        fix: "release seats (the Reclaim view, or `seats unassign`) or buy more; seats never gives a seat \
              beyond the total itself (R-LIC-4), so find what wrote these rows",
        offenders: "SELECT 'pool ' || id || ' ' || name || ': consumed ' || consumed || ' of ' || total \
               || coalesce(' (the source says ' || source_consumed || ')', '') \
             FROM pools WHERE total IS NOT NULL AND consumed > total \
               AND NOT coalesce(source_consumed > total, 0) ORDER BY id",
    },
    Rule {
        invariant: "change_items_have_their_batch",
        rule: "every change item belongs to an existing batch (undo reads them)",
        fix: "delete them: `DELETE FROM change_items WHERE batch_id NOT IN (SELECT id FROM batches)`",
        offenders: "SELECT 'change item ' || c.id || ' (batch ' || c.batch_id || ')' FROM change_items c \
             WHERE NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = c.batch_id) ORDER BY c.id",
    },
    Rule {
        invariant: "audit_rows_have_their_batch",
        rule: "every audit row that names a batch names an existing one",
        fix: "the audit is history and stays; restore the batches from a backup of the cache if undo needs them",
        offenders: "SELECT 'audit ' || a.id || ' (batch ' || a.batch_id || ')' FROM audit a \
             WHERE a.batch_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = a.batch_id) \
             ORDER BY a.id",
    },
    Rule {
        invariant: "batches_are_audited",
        rule: "every batch has at least one audit row",
        fix: "compare with `seats audit` and the change items of the batch; report it, since every change \
              writes its audit row in its own transaction",
        offenders: "SELECT 'batch ' || b.id || ' (' || b.action || ' by ' || b.actor || ' at ' || b.at || ')' \
             FROM batches b WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.batch_id = b.id) ORDER BY b.seq",
    },
    Rule {
        invariant: "undo_links_are_whole",
        rule: "every undo link points at an existing batch",
        fix: "undo trusts these links; restore the batches from a backup of the cache",
        offenders: "SELECT 'batch ' || b.id || CASE WHEN b.undoes IS NOT NULL AND NOT EXISTS \
               (SELECT 1 FROM batches u WHERE u.id = b.undoes) THEN ' (undoes ' || b.undoes || ')' \
               ELSE ' (undone by ' || b.undone_by || ')' END \
             FROM batches b WHERE (b.undoes IS NOT NULL AND NOT EXISTS (SELECT 1 FROM batches u WHERE u.id = b.undoes)) \
               OR (b.undone_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM batches u WHERE u.id = b.undone_by)) \
             ORDER BY b.seq",
    },
    Rule {
        invariant: "outbox_rows_have_their_batch",
        rule: "every outbox row belongs to an existing batch, and a cancelled one names the undo that \
               cancelled it (so each change sent to a source can be traced)",
        fix: "do not sync until they are explained: compare with `seats audit`, then cancel them with \
              `UPDATE outbox SET state = 'cancelled' WHERE id IN (…)` in sqlite3",
        offenders: "SELECT 'outbox ' || o.id || ' (' || o.state || ', batch ' || coalesce(o.batch_id, 'none') \
               || coalesce(', cancelled by ' || o.cancelled_by, '') || ')' \
             FROM outbox o WHERE o.batch_id IS NULL \
               OR NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = o.batch_id) \
               OR (o.cancelled_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = o.cancelled_by)) \
             ORDER BY o.id",
    },
];

/// Checks every invariant; the findings come in a fixed order, one per
/// invariant, violated or not.
pub fn check(conn: &Connection) -> rusqlite::Result<Vec<Finding>> {
    let mut findings = vec![integrity(conn)?, foreign_keys(conn)?, schema(conn)?];
    for rule in RULES {
        let mut stmt = conn.prepare(rule.offenders)?;
        let rows = stmt
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        findings.push(finding(rule.invariant, rule.rule, rows, rule.fix));
    }
    Ok(findings)
}

fn finding(invariant: &'static str, rule: &str, rows: Vec<String>, fix: &str) -> Finding {
    let ok = rows.is_empty();
    Finding {
        invariant,
        ok,
        rule: rule.to_owned(),
        rows,
        fix: if ok { String::new() } else { fix.to_owned() },
    }
}

/// `PRAGMA integrity_check`: the file's pages, indexes and constraints.
fn integrity(conn: &Connection) -> rusqlite::Result<Finding> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows: Vec<String> = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|line| line != "ok")
        .collect();
    Ok(finding(
        "integrity",
        "the cache file is sound (PRAGMA integrity_check)",
        rows,
        "restore the cache from a backup, or build it again (`seats demo`, or a full sync)",
    ))
}

/// `PRAGMA foreign_key_check`: rows whose parent is gone, written while
/// foreign keys were off.
fn foreign_keys(conn: &Connection) -> rusqlite::Result<Finding> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt
        .query_map([], |row| {
            let table: String = row.get(0)?;
            let rowid: Option<i64> = row.get(1)?;
            let parent: String = row.get(2)?;
            let row_name = rowid.map_or_else(|| "a row".to_owned(), |id| format!("row {id}"));
            Ok(format!(
                "{table} {row_name} (the {parent} row it refers to is gone)"
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(finding(
        "foreign_keys",
        "every row's parent row exists (PRAGMA foreign_key_check)",
        rows,
        "something wrote the cache with foreign keys off; delete those rows in sqlite3, \
         then run seats check again",
    ))
}

fn schema(conn: &Connection) -> rusqlite::Result<Finding> {
    let found = schema_version(conn)?;
    let rows = if found == SCHEMA_VERSION {
        Vec::new()
    } else {
        vec![format!("user_version {found}, expected {SCHEMA_VERSION}")]
    };
    Ok(finding(
        "schema_version",
        "the schema version is the one this seats writes",
        rows,
        "open the cache with this seats once (it migrates older caches), or use the seats that wrote it",
    ))
}
