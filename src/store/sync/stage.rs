//! The staged pages: TEMP tables of the sync's own connection, written page
//! by page without any lock on the cache, and the scratch tables the commit
//! fills. A user's licenses are folded per SKU here and kept as one small
//! JSON array of numbers on the user's row, with SKU and group ids interned
//! as numbers (`pull_refs`), so 100k users with ten licenses each stay
//! small, and the commit reads each seat with integer arithmetic instead of
//! parsing a nested array per seat (at a million users, 9.4M seats).

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::PullError;
use crate::domain::source::{
    LicenseState, SkuCapability, SourceGroup, SourceLicense, SourceMember, SourceSku, SourceUser,
};

const TABLES: &[&str] = &[
    "pull_skus",
    "pull_users",
    "pull_groups",
    "pull_members",
    "pull_refs",
    "pull_pool_before",
    "pull_pool_map",
    "pull_gone_pools",
    "pull_match",
    "pull_group_map",
    "pull_group_ref",
    "pull_left",
    "pull_protected",
    "pull_protected_grants",
    "pull_protected_users",
    "pull_outbox_seen",
    "pull_want",
    "pull_diff",
    "pull_want_users",
    "pull_want_devices",
    "pull_want_groups",
    "pull_holders",
    "pull_reported",
    "pull_user_diff",
    "pull_ref_pool",
    "pull_upn_wanted",
];

const SCHEMA: &str = "
CREATE TEMP TABLE pull_skus (sku_id TEXT PRIMARY KEY, part_number TEXT NOT NULL, assignable INTEGER NOT NULL,
    capability TEXT NOT NULL, enabled_units INTEGER NOT NULL, warning_units INTEGER NOT NULL,
    consumed_units INTEGER NOT NULL);
-- op: 0 reported, 1 removed at the source (soft), 2 deleted for good.
-- licenses: [seat code, …] (see license_code); license_groups: NULL when no license comes
-- through a group, else [[group refs] or null, …], one entry per seat code.
CREATE TEMP TABLE pull_users (source_id TEXT PRIMARY KEY, upn TEXT, display_name TEXT, enabled INTEGER,
    department TEXT, usage_location TEXT, last_sign_in TEXT, op INTEGER NOT NULL, licenses TEXT,
    license_groups TEXT) WITHOUT ROWID;
CREATE TEMP TABLE pull_groups (source_id TEXT PRIMARY KEY, name TEXT NOT NULL, licenses TEXT NOT NULL);
CREATE TEMP TABLE pull_members (group_source_id TEXT NOT NULL, kind TEXT NOT NULL, source_id TEXT NOT NULL,
    PRIMARY KEY (group_source_id, kind, source_id)) WITHOUT ROWID;
-- kind 's': a SKU id, 'g': a group's source id.
CREATE TEMP TABLE pull_refs (n INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL);
CREATE TEMP TABLE pull_pool_before (pool_id INTEGER PRIMARY KEY, name TEXT NOT NULL, consumed INTEGER NOT NULL,
    total INTEGER, status TEXT NOT NULL, is_new INTEGER NOT NULL DEFAULT 0);
CREATE TEMP TABLE pull_pool_map (sku_id TEXT PRIMARY KEY, pool_id INTEGER NOT NULL UNIQUE);
CREATE TEMP TABLE pull_gone_pools (pool_id INTEGER PRIMARY KEY);
CREATE TEMP TABLE pull_match (source_id TEXT PRIMARY KEY, user_id INTEGER, op INTEGER NOT NULL) WITHOUT ROWID;
CREATE TEMP TABLE pull_group_map (source_id TEXT PRIMARY KEY, group_id INTEGER NOT NULL UNIQUE);
CREATE TEMP TABLE pull_group_ref (n INTEGER PRIMARY KEY, group_id INTEGER);
-- how: 'disabled' (newly), 'deleted' (newly, or its name went to another account), 'purged' (deleted for good).
CREATE TEMP TABLE pull_left (user_id INTEGER PRIMARY KEY, how TEXT NOT NULL);
CREATE TEMP TABLE pull_protected (pool_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
    PRIMARY KEY (pool_id, user_id)) WITHOUT ROWID;
CREATE TEMP TABLE pull_protected_grants (pool_id INTEGER NOT NULL, group_id INTEGER NOT NULL,
    PRIMARY KEY (pool_id, group_id)) WITHOUT ROWID;
CREATE TEMP TABLE pull_protected_users (user_id INTEGER PRIMARY KEY);
CREATE TEMP TABLE pull_outbox_seen (id INTEGER PRIMARY KEY);
CREATE TEMP TABLE pull_want (pool_id INTEGER NOT NULL, user_id INTEGER NOT NULL, direct INTEGER NOT NULL,
    via_group_id INTEGER, holds INTEGER NOT NULL, error TEXT, PRIMARY KEY (pool_id, user_id)) WITHOUT ROWID;
-- action: 'add', 'change', 'remove'; protected: a pending local change wins.
CREATE TEMP TABLE pull_diff (pool_id INTEGER NOT NULL, user_id INTEGER NOT NULL, action TEXT NOT NULL,
    protected INTEGER NOT NULL, PRIMARY KEY (pool_id, user_id)) WITHOUT ROWID;
-- The staged members of the listed groups that the cache knows, as (group, member) row ids
-- in the key order of group_user_members, group_device_members and group_child_groups.
CREATE TEMP TABLE pull_want_users (group_id INTEGER NOT NULL, member_id INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id)) WITHOUT ROWID;
CREATE TEMP TABLE pull_want_devices (group_id INTEGER NOT NULL, member_id INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id)) WITHOUT ROWID;
CREATE TEMP TABLE pull_want_groups (group_id INTEGER NOT NULL, member_id INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id)) WITHOUT ROWID;
-- Rows holding a UPN the source gives to another account (people::free_upns).
CREATE TEMP TABLE pull_holders (user_id INTEGER PRIMARY KEY);
-- The reported users matched to a row, keyed by that row's id (people::REPORTED_BY_ID).
CREATE TEMP TABLE pull_reported (user_id INTEGER PRIMARY KEY, source_id TEXT NOT NULL, upn TEXT, display_name TEXT,
    enabled INTEGER, department TEXT, usage_location TEXT, last_sign_in TEXT, licenses TEXT, license_groups TEXT);
-- The SKU refs of pull_refs with the connector's pool each stands for (seats::want).
CREATE TEMP TABLE pull_ref_pool (n INTEGER PRIMARY KEY, pool_id INTEGER NOT NULL);
-- The reported users whose row differs, and in what (people::update_reported).
CREATE TEMP TABLE pull_user_diff (user_id INTEGER PRIMARY KEY, searched INTEGER NOT NULL, other INTEGER NOT NULL,
    source INTEGER NOT NULL, mark INTEGER NOT NULL);
-- UPNs the source gives to a user whose row does not hold it yet (people::free_upns);
-- user_id: that row, moved aside first, when the UPN is its new one.
CREATE TEMP TABLE pull_upn_wanted (user_id INTEGER, upn TEXT NOT NULL);
";

/// Creates the TEMP tables afresh (a stage left by an earlier pull on this
/// connection is dropped first). The sync's connection keeps its TEMP
/// tables in a file (deleted when closed) instead of memory: a pull of 100k
/// users stages ~100 MB, which would otherwise all be resident (measured:
/// peak RSS 164 MB in memory, 14 MB in a file, the commit ~20% slower).
pub(super) fn create(conn: &Connection) -> rusqlite::Result<()> {
    drop_all(conn);
    conn.pragma_update(None, "temp_store", "FILE")?;
    conn.execute_batch(CACHES)?;
    conn.execute_batch(SCHEMA)
}

/// The sync connection's page caches (64 MiB for the cache file, 32 MiB
/// for the staged tables; SQLite's default is 2 MiB each). At a million
/// users the commit rewrites pages all over the users and seat tables: with
/// 2 MiB every dirty page spilled to the WAL mid-transaction and was read
/// back from it. The memory is bounded, whatever the tenant's size.
const CACHES: &str = "PRAGMA main.cache_size = -65536; PRAGMA temp.cache_size = -32768;";

/// Drops the TEMP tables; a failure only leaves them for the next
/// [`create`], which drops them again.
pub(super) fn drop_all(conn: &Connection) {
    for table in TABLES {
        if let Err(err) = conn.execute_batch(&format!("DROP TABLE IF EXISTS temp.{table}")) {
            tracing::warn!(%err, table, "could not drop a staging table");
        }
    }
}

/// What was staged so far, beside the tables.
#[derive(Debug, Default)]
pub(super) struct Staged {
    pub skus_listed: bool,
    pub groups_listed: bool,
    refs: HashMap<(char, String), i64>,
}

impl Staged {
    /// The number standing for a SKU id ('s') or a group source id ('g').
    fn intern(&mut self, conn: &Connection, kind: char, id: &str) -> rusqlite::Result<i64> {
        if let Some(&n) = self.refs.get(&(kind, id.to_owned())) {
            return Ok(n);
        }
        let n = self.refs.len() as i64 + 1;
        conn.prepare_cached("INSERT INTO temp.pull_refs (n, kind, id) VALUES (?1, ?2, ?3)")?
            .execute(params![n, kind.to_string(), id])?;
        self.refs.insert((kind, id.to_owned()), n);
        Ok(n)
    }

    pub fn skus(&mut self, conn: &Connection, skus: &[SourceSku]) -> Result<(), PullError> {
        self.skus_listed = true;
        let mut stmt = conn.prepare_cached(
            "INSERT OR REPLACE INTO temp.pull_skus (sku_id, part_number, assignable, capability, enabled_units, \
             warning_units, consumed_units) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for sku in skus {
            if sku.sku_id.trim().is_empty() || sku.part_number.trim().is_empty() {
                return Err(PullError::Invalid(format!(
                    "a subscription without its skuId or skuPartNumber ({:?} / {:?}) cannot be a pool",
                    sku.sku_id, sku.part_number
                )));
            }
            stmt.execute(params![
                sku.sku_id.to_lowercase(),
                sku.part_number,
                sku.assignable,
                capability_text(sku.capability),
                sku.enabled_units.max(0),
                sku.warning_units.max(0),
                sku.consumed_units.max(0)
            ])?;
        }
        Ok(())
    }

    pub fn user(&mut self, conn: &Connection, user: &SourceUser) -> Result<(), PullError> {
        if user.source_id.trim().is_empty() || user.upn.trim().is_empty() {
            return Err(PullError::Invalid(format!(
                "a user without its id or userPrincipalName (id {:?}, UPN {:?}) cannot be written",
                user.source_id, user.upn
            )));
        }
        let (licenses, groups) = self.fold_licenses(conn, &user.licenses)?;
        conn.prepare_cached(
            "INSERT OR REPLACE INTO temp.pull_users (source_id, upn, display_name, enabled, department, \
             usage_location, last_sign_in, op, licenses, license_groups) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9)",
        )?
        .execute(params![
            user.source_id,
            user.upn,
            user.display_name,
            user.enabled,
            user.department,
            user.usage_location,
            user.last_sign_in,
            licenses,
            groups
        ])?;
        Ok(())
    }

    pub fn removed(&mut self, conn: &Connection, source_id: &str, permanent: bool) -> Result<(), PullError> {
        conn.prepare_cached("INSERT OR REPLACE INTO temp.pull_users (source_id, op) VALUES (?1, ?2)")?
            .execute(params![source_id, if permanent { 2 } else { 1 }])?;
        Ok(())
    }

    /// One seat code per SKU ([`license_code`]), and the group refs of each
    /// (None when no license comes through a group).
    /// The seat is held when any way of getting it holds one; the error kept
    /// is that of a way that holds the seat (ActiveWithError) when the seat
    /// is held, else that of a failing way.
    fn fold_licenses(
        &mut self,
        conn: &Connection,
        licenses: &[SourceLicense],
    ) -> rusqlite::Result<(String, Option<String>)> {
        let mut folded: Vec<Folded> = Vec::new();
        for license in licenses {
            let sku = self.intern(conn, 's', &license.sku_id.to_lowercase())?;
            let group = match &license.via_group {
                Some(id) => Some(self.intern(conn, 'g', id)?),
                None => None,
            };
            let index = match folded.iter().position(|entry| entry.sku == sku) {
                Some(index) => index,
                None => {
                    folded.push(Folded::new(sku));
                    folded.len() - 1
                }
            };
            folded[index].add(license, group);
        }
        let codes: Vec<i64> = folded.iter().map(Folded::code).collect();
        let groups = folded.iter().any(|f| !f.groups.is_empty()).then(|| {
            let each: Vec<Option<&Vec<i64>>> = folded
                .iter()
                .map(|f| (!f.groups.is_empty()).then_some(&f.groups))
                .collect();
            serde_json::json!(each).to_string()
        });
        Ok((serde_json::json!(codes).to_string(), groups))
    }

    pub fn group(&mut self, conn: &Connection, group: &SourceGroup) -> Result<(), PullError> {
        self.groups_listed = true;
        if group.source_id.trim().is_empty() {
            return Err(PullError::Invalid(format!(
                "the group {:?} has no id and cannot be written",
                group.name
            )));
        }
        let mut skus = Vec::with_capacity(group.licenses.len());
        for sku in &group.licenses {
            skus.push(self.intern(conn, 's', &sku.to_lowercase())?);
        }
        let name = if group.name.trim().is_empty() {
            format!("(unnamed group {})", group.source_id)
        } else {
            group.name.clone()
        };
        conn.prepare_cached(
            "INSERT OR REPLACE INTO temp.pull_groups (source_id, name, licenses) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![
            group.source_id,
            name,
            serde_json::json!(skus).to_string()
        ])?;
        Ok(())
    }

    pub fn members(
        &mut self,
        conn: &Connection,
        group_source_id: &str,
        members: &[SourceMember],
    ) -> Result<(), PullError> {
        let mut stmt = conn.prepare_cached(
            "INSERT OR IGNORE INTO temp.pull_members (group_source_id, kind, source_id) VALUES (?1, ?2, ?3)",
        )?;
        for member in members {
            let (kind, id) = match member {
                SourceMember::User(id) => ("user", id),
                SourceMember::Group(id) => ("group", id),
                SourceMember::Device(id) => ("device", id),
            };
            stmt.execute(params![group_source_id, kind, id])?;
        }
        Ok(())
    }
}

/// The ways one user holds one SKU, folded into one seat.
struct Folded {
    sku: i64,
    direct: bool,
    groups: Vec<i64>,
    holds: bool,
    held_error: Option<&'static str>,
    failed_error: Option<&'static str>,
}

impl Folded {
    fn new(sku: i64) -> Folded {
        Folded {
            sku,
            direct: false,
            groups: Vec::new(),
            holds: false,
            held_error: None,
            failed_error: None,
        }
    }

    fn add(&mut self, license: &SourceLicense, group: Option<i64>) {
        match group {
            Some(group) if !self.groups.contains(&group) => self.groups.push(group),
            Some(_) => {}
            None => self.direct = true,
        }
        let error = error_code(license);
        if license.state.holds_seat() {
            self.holds = true;
            self.held_error = self.held_error.or(error);
        } else {
            self.failed_error = self.failed_error.or(error);
        }
    }

    fn code(&self) -> i64 {
        let error = if self.holds {
            self.held_error
        } else {
            self.failed_error
        };
        license_code(self.sku, self.direct, self.holds, error)
    }
}

fn capability_text(capability: SkuCapability) -> &'static str {
    match capability {
        SkuCapability::Enabled => "Enabled",
        SkuCapability::Warning => "Warning",
        SkuCapability::Suspended => "Suspended",
        SkuCapability::LockedOut => "LockedOut",
        SkuCapability::Deleted => "Deleted",
    }
}

/// The cache's words for a license error (its CHECK allows these); a seat
/// code keeps an error as its index here plus one.
pub(super) const LICENSE_ERRORS: [&str; 6] = [
    "CountViolation",
    "MutuallyExclusiveViolation",
    "DependencyViolation",
    "ProhibitedInUsageLocationViolation",
    "UniquenessViolation",
    "Other",
];

/// One user's seat of one SKU as one number: the SKU's ref shifted left by
/// 6, then a bit for a direct license (32), one for a held seat (16), and
/// the error (0 for none, else its place in [`LICENSE_ERRORS`] plus one).
fn license_code(sku: i64, direct: bool, holds: bool, error: Option<&str>) -> i64 {
    let error = error
        .and_then(|e| LICENSE_ERRORS.iter().position(|k| *k == e))
        .map_or(0, |i| i as i64 + 1);
    (sku << 6) | (i64::from(direct) << 5) | (i64::from(holds) << 4) | error
}

/// The cache's word for a license error (its CHECK allows these), or None.
fn error_code(license: &SourceLicense) -> Option<&'static str> {
    let known = &LICENSE_ERRORS[..5];
    let error = license.error.as_deref().filter(|e| !e.is_empty() && *e != "None");
    match (error, license.state) {
        (Some(error), _) => Some(known.iter().find(|k| **k == error).copied().unwrap_or("Other")),
        (None, LicenseState::Error) => Some("Other"),
        (None, _) => None,
    }
}
