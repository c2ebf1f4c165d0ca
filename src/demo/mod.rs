//! Deterministic demo tenant: a fictional organization with every kind of
//! license pool and the edge cases the console must show (nearly exhausted,
//! over-allocated, unlimited, disabled, expiring tokens, failed syncs,
//! agreements short and in surplus).
//!
//! The same seed, user count and `now` give the same cache, row for row. The
//! whole tenant is planned in memory first (so progress knows its total) and
//! written in one IMMEDIATE transaction, so an interrupted build leaves the
//! cache empty and a second builder waits instead of interleaving.

mod agreements;
mod apps;
mod assign;
mod batch;
mod catalog;
mod clock;
mod indexes;
mod licenses;
mod names;
mod org;
mod people;
mod progress;
mod rng;
mod seats;
mod software;
mod subscriptions;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::store::{StoreError, begin_write};
use agreements::Agreements;
use clock::Clock;
use licenses::Licenses;
use people::People;
use progress::Tracker;
use seats::Seats;
use software::Inventory;

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

/// How far the build is, in rows written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoProgress {
    /// What is being written ("users", "assignments", …, "done").
    pub stage: &'static str,
    /// Rows written so far.
    pub done: u64,
    /// Rows the build writes in all.
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

/// Connection settings for the bulk load, and the values to put back.
struct Bulk {
    cache_size: i64,
    foreign_keys: bool,
}

impl Bulk {
    fn enter(conn: &Connection) -> Result<Self, StoreError> {
        let saved = Bulk {
            cache_size: conn.query_row("PRAGMA cache_size", [], |row| row.get(0))?,
            foreign_keys: conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?,
        };
        // A bigger page cache keeps the assignment indexes in memory while a
        // million rows go in.
        conn.pragma_update(None, "cache_size", -262_144)?;
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
    let plan = Plan::new(opts);
    let mut tracker = Tracker::new(progress, plan.rows());
    let indexes = indexes::DroppedIndexes::drop_all(&tx)?;
    plan.write(&tx, opts, &mut tracker)?;
    tracker.stage("indexing");
    indexes.rebuild(&tx)?;
    let summary = summary(&tx)?;
    tracker.stage("saving");
    tx.commit()?;
    tracker.finish();
    Ok(summary)
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

/// The whole tenant, planned in memory.
struct Plan {
    clock: Clock,
    people: People,
    inventory: Inventory,
    agreements: Agreements,
    licenses: Licenses,
    seats: Seats,
}

impl Plan {
    fn new(opts: &DemoOptions) -> Self {
        let people = People::plan(opts.seed, opts.users.max(MIN_USERS), org::DOMAIN);
        let inventory = Inventory::plan(opts.seed, &people);
        let agreements = Agreements::plan(&inventory);
        let licenses = Licenses::plan(&agreements.pool_links());
        let seats = Seats::plan(opts.seed, &people, &inventory, &licenses);
        Plan {
            clock: Clock::new(opts.now),
            people,
            inventory,
            agreements,
            licenses,
            seats,
        }
    }

    /// Rows counted by the tracker (the bulk tables; the few dozen rows of
    /// connectors and agreements are not worth a tick).
    fn rows(&self) -> u64 {
        self.people.rows() + self.inventory.rows() + self.seats.rows()
    }

    /// Writes in foreign-key order.
    fn write(&self, conn: &Connection, opts: &DemoOptions, t: &mut Tracker) -> Result<(), StoreError> {
        let clock = &self.clock;
        t.stage("organization");
        org::write(conn, opts, clock)?;
        self.people.write(conn, clock, t)?;
        self.inventory.write(conn, clock, t)?;
        t.stage("agreements");
        self.agreements.write(conn, clock)?;
        t.stage("pools");
        self.licenses.write_apps(conn)?;
        let users = self.people.users.len();
        self.licenses
            .write_pools(conn, clock, &self.seats.consumed, users)?;
        let by: Vec<&str> = self.licenses.pools.iter().map(|p| assigned_by(p, opts)).collect();
        self.seats.write(conn, clock, &by, t)?;
        subscriptions::write(conn, clock)?;
        org::write_audit(conn, opts, clock, (users, self.seats.seats.len()))?;
        Ok(())
    }
}

/// Seats of connector pools came from a sync; the others from the admin.
fn assigned_by<'a>(pool: &licenses::Pool, opts: &'a DemoOptions) -> &'a str {
    if pool.connector.is_some() {
        org::SYNC_ACTOR
    } else {
        &opts.actor
    }
}
