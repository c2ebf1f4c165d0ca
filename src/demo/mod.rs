//! Deterministic demo tenant: a fictional organization with every kind of
//! license pool and the edge cases the console must show (nearly exhausted,
//! over-allocated, unlimited, disabled, expiring tokens, failed syncs,
//! agreements short and in surplus).
//!
//! The same seed, user count and `now` give the same cache, row for row.
//! Nothing proportional to the tenant is held in memory (issue 11): rows are
//! written as they are drawn, and what a later part needs of the users (a
//! department, a device, a group) is drawn again from the same seeded
//! streams by a census pass (`census.rs`). Everything is written in one
//! IMMEDIATE transaction, so an interrupted build leaves the cache empty and
//! a second builder waits instead of interleaving.

mod agreements;
mod apps;
mod assign;
mod batch;
mod catalog;
mod census;
mod clock;
mod groups;
mod indexes;
mod journal;
mod licenses;
mod names;
mod org;
mod people;
mod pools;
mod progress;
mod rng;
mod seats;
mod software;
mod subscriptions;
mod tenant;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::store::{StoreError, begin_write};
use agreements::Agreements;
use assign::Ctx;
use clock::Clock;
use licenses::Licenses;
use progress::Tracker;

/// The fewest users the demo builds. Every edge case is present from 200
/// users on (tested over many seeds); below that a rare one (a declined VPP
/// invitation, a CountViolation) may be missing.
pub const MIN_USERS: u32 = 50;

/// What to build.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Number of users (at least [`MIN_USERS`]); about ten seats each.
    pub users: u32,
    /// Seed of the generator: same seed, same tenant.
    pub seed: u64,
    /// The moment every date is relative to.
    pub now: DateTime<Utc>,
    /// The OS user who builds the cache; becomes its global admin.
    pub actor: String,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            users: 2000,
            seed: 42,
            now: Utc::now(),
            actor: "demo".to_owned(),
        }
    }
}

/// How far the build is, in steps: one user visited by one of the build's
/// passes over the users (the rows written are only known at the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoProgress {
    /// What is being written ("users and devices", "assignments", …, "done").
    pub stage: &'static str,
    /// Steps done so far.
    pub done: u64,
    /// Steps the build takes in all.
    pub total: u64,
}

/// Row counts of the tenant in the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub users: u64,
    pub devices: u64,
    pub groups: u64,
    pub pools: u64,
    pub assignments: u64,
    pub apps: u64,
    pub agreements: u64,
    pub inventory: u64,
}

/// Builds the demo tenant in `conn` (opened and migrated by
/// [`crate::store::open`]) unless a tenant is already there; either way
/// returns the counts of what the cache holds. Progress is reported at each
/// stage and every 10,000 rows; nothing is reported when the tenant exists.
/// `opts.users` below [`MIN_USERS`] builds `MIN_USERS`. The connection's
/// `cache_size` and `foreign_keys` are changed for the build and put back.
pub fn generate(
    conn: &mut Connection,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(DemoProgress),
) -> Result<DemoSummary, StoreError> {
    let saved = Bulk::enter(conn)?;
    let result = build(conn, opts, progress);
    saved.leave(conn)?;
    result
}

/// [`generate`] for a cache that no other connection reads or writes while
/// it is built (`seats demo --no-open`): the build writes the file once
/// instead of twice (see `journal.rs`), then puts the cache back in WAL.
/// Another connection opened meanwhile waits for the build or gives up
/// busy, as it would behind any long write.
pub fn generate_alone(
    conn: &mut Connection,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(DemoProgress),
) -> Result<DemoSummary, StoreError> {
    let left_wal = journal::leave_wal(conn);
    let result = generate(conn, opts, progress);
    if left_wal {
        journal::return_to_wal(conn)?;
    }
    result
}

/// The build's page cache, in KiB.
const CACHE_KIB: i64 = 65_536;

/// Connection settings for the bulk load, and the values to put back.
struct Bulk {
    cache_size: i64,
    foreign_keys: bool,
    temp_store: i64,
}

impl Bulk {
    fn enter(conn: &Connection) -> Result<Self, StoreError> {
        let saved = Bulk {
            cache_size: conn.query_row("PRAGMA cache_size", [], |row| row.get(0))?,
            foreign_keys: conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?,
            temp_store: conn.query_row("PRAGMA temp_store", [], |row| row.get(0))?,
        };
        // A bounded page cache (issue 11: peak RSS <= 300 MB at a million
        // users). More cache did not make a million users faster: 74 s
        // with 64 MiB, 83 s with 128 MiB (BENCHMARKS.md, issue 11).
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        // Temporary files on disk: with temporary storage in memory SQLite
        // sorts each rebuilt index wholly in memory (a 632 MiB peak at a
        // million users, against 161 MiB). Store connections have it
        // already (store::db); set for any other, outside the transaction
        // since it cannot change within one.
        conn.pragma_update(None, "temp_store", "FILE")?;
        // Parent lookups were a fifth of the build. Every id is assigned
        // here, in foreign-key order, and the tests check every key of the
        // result (`foreign_key_check`, and a copy into a checked cache).
        // Must be set outside a transaction, which is why it is done here.
        conn.pragma_update(None, "foreign_keys", false)?;
        Ok(saved)
    }

    fn leave(self, conn: &Connection) -> Result<(), StoreError> {
        conn.pragma_update(None, "foreign_keys", self.foreign_keys)?;
        conn.pragma_update(None, "cache_size", self.cache_size)?;
        conn.pragma_update(None, "temp_store", self.temp_store)?;
        Ok(())
    }
}

fn build(
    conn: &mut Connection,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(DemoProgress),
) -> Result<DemoSummary, StoreError> {
    let tx = begin_write(conn)?;
    // Checked under the write lock: two builders never both see "absent".
    let tenants: i64 = tx.query_row("SELECT count(*) FROM tenant", [], |row| row.get(0))?;
    if tenants > 0 {
        return summary(&tx);
    }
    let users = opts.users.max(MIN_USERS);
    let mut tracker = Tracker::new(progress, u64::from(users) * passes(users));
    let indexes = indexes::DroppedIndexes::drop_all(&tx)?;
    write(&tx, opts, users, &mut tracker)?;
    tracker.stage("search index");
    indexes.replay(&tx)?;
    tracker.stage("indexing");
    indexes.rebuild(&tx)?;
    let summary = summary(&tx)?;
    tracker.stage("saving");
    tx.commit()?;
    tracker.finish();
    Ok(summary)
}

/// Passes over the users the build makes: the users themselves, the one of
/// the groups, and each pool's. The pools are the same whatever the
/// inventory (it only sizes the agreements' totals), so they are counted
/// before it is drawn.
fn passes(users: u32) -> u64 {
    let installed = vec![0; software::PRODUCTS.len()];
    let pools = Licenses::plan(&Agreements::plan(&installed).pool_links()).pools;
    2 + pools.iter().map(|pool| pools::passes(pool, users)).sum::<u64>()
}

/// Writes the tenant in foreign-key order (the keys are off during the
/// build, but a reader of the code finds parents first).
fn write(conn: &Connection, opts: &DemoOptions, users: u32, t: &mut Tracker) -> Result<(), StoreError> {
    let clock = Clock::new(opts.now);
    t.stage("organization");
    org::write(conn, opts, &clock)?;
    software::write_catalog(conn)?;
    let written = batch::without_checks(conn, || {
        tenant::write(conn, (opts.seed, users, org::DOMAIN), &clock, t)
    })?;
    batch::without_checks(conn, || groups::write(conn, written.shape, t))?;
    t.stage("agreements");
    let agreements = Agreements::plan(&written.installed);
    agreements.write(conn, &clock)?;
    t.stage("pools");
    let licenses = Licenses::plan(&agreements.pool_links());
    licenses.write_apps(conn)?;
    let by: Vec<&str> = licenses.pools.iter().map(|p| assigned_by(p, opts)).collect();
    let ctx = Ctx {
        shape: written.shape,
        fallback: &written.fallback,
    };
    let seats = pools::write(conn, (&ctx, &clock), &licenses, &by, t)?;
    subscriptions::write(conn, &clock)?;
    org::write_audit(conn, opts, &clock, (users as usize, seats as usize))?;
    Ok(())
}

/// The counts of what the cache holds.
fn summary(conn: &Connection) -> Result<DemoSummary, StoreError> {
    let count = |table: &str| -> Result<u64, StoreError> {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0))?;
        Ok(n.max(0) as u64)
    };
    Ok(DemoSummary {
        users: count("users")?,
        devices: count("devices")?,
        groups: count("groups")?,
        pools: count("pools")?,
        assignments: count("assignments")?,
        apps: count("apps")?,
        agreements: count("agreements")?,
        inventory: count("inventory")?,
    })
}

/// Seats of connector pools came from a sync; the others from the admin.
fn assigned_by<'a>(pool: &licenses::Pool, opts: &'a DemoOptions) -> &'a str {
    if pool.connector.is_some() {
        org::SYNC_ACTOR
    } else {
        &opts.actor
    }
}
