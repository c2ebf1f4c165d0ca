//! A source tenant built from a cache's own rows, the way the simulator
//! serves the demo (deleted users are not reported; a seat held directly
//! and through a group is two license states), and a pull that feeds it to
//! a `PullStage` page by page.
#![allow(dead_code)]

use std::collections::BTreeMap;

use rusqlite::Connection;
use seats::domain::source::{
    LicenseState, SkuCapability, SourceGroup, SourceLicense, SourceMember, SourceSku, SourceUser, UserChange,
};
use seats::store::sync::{PullKind, PullStage, SyncSummary};

/// The demo's Graph connector.
pub const GRAPH: i64 = 1;

/// Records in pages of this many.
const PAGE: usize = 37;

#[derive(Debug, Clone, Default)]
pub struct Source {
    pub skus: Vec<SourceSku>,
    pub users: Vec<SourceUser>,
    pub groups: Vec<SourceGroup>,
    pub members: BTreeMap<String, Vec<SourceMember>>,
}

fn one<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> T {
    conn.query_row(sql, params, |row| row.get(0)).unwrap()
}

impl Source {
    /// What Graph would report for the cache's connector-1 tenant.
    pub fn of(conn: &Connection) -> Source {
        Source {
            skus: skus(conn),
            users: users(conn),
            groups: groups(conn),
            members: members(conn),
        }
    }

    pub fn user_mut(&mut self, upn: &str) -> &mut SourceUser {
        self.users.iter_mut().find(|u| u.upn == upn).unwrap()
    }

    pub fn sku_id(&self, part: &str) -> String {
        self.skus
            .iter()
            .find(|s| s.part_number == part)
            .unwrap()
            .sku_id
            .clone()
    }

    /// Stages everything in pages and commits.
    pub fn pull(&self, conn: &Connection, kind: PullKind) -> SyncSummary {
        let stage = self.stage(conn, kind);
        stage
            .commit(Some("https://graph.test/delta?token=1"), &|part| {
                format!("New {part}")
            })
            .unwrap()
    }

    /// Stages everything in pages, without committing.
    pub fn stage<'c>(&self, conn: &'c Connection, kind: PullKind) -> PullStage<'c> {
        let mut stage = PullStage::begin(conn, GRAPH, kind).unwrap();
        for page in self.skus.chunks(PAGE) {
            stage.add_skus(page).unwrap();
        }
        for page in self.groups.chunks(PAGE) {
            stage.add_groups(page).unwrap();
        }
        for (group, members) in &self.members {
            for page in members.chunks(PAGE) {
                stage.add_members(group, page).unwrap();
            }
        }
        match kind {
            PullKind::Full => {
                for page in self.users.chunks(PAGE) {
                    stage.add_users(page).unwrap();
                }
            }
            PullKind::Delta => {
                let changes: Vec<UserChange> = self.users.iter().cloned().map(UserChange::Upsert).collect();
                for page in changes.chunks(PAGE) {
                    stage.add_user_changes(page).unwrap();
                }
            }
        }
        stage
    }
}

fn skus(conn: &Connection) -> Vec<SourceSku> {
    let mut stmt = conn
        .prepare(
            "SELECT sku_id, sku_part_number, status, coalesce(total, 0), coalesce(source_consumed, consumed) \
             FROM pools WHERE connector_id = ?1 AND kind = 'm365' ORDER BY id",
        )
        .unwrap();
    stmt.query_map([GRAPH], |row| {
        let status: String = row.get(2)?;
        Ok(SourceSku {
            sku_id: row.get(0)?,
            part_number: row.get(1)?,
            assignable: true,
            capability: match status.as_str() {
                "warning" => SkuCapability::Warning,
                "suspended" => SkuCapability::Suspended,
                "disabled" => SkuCapability::LockedOut,
                _ => SkuCapability::Enabled,
            },
            enabled_units: row.get(3)?,
            warning_units: 0,
            consumed_units: row.get(4)?,
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn users(conn: &Connection) -> Vec<SourceUser> {
    let mut licenses: BTreeMap<i64, Vec<SourceLicense>> = BTreeMap::new();
    let mut stmt = conn
        .prepare(
            "SELECT a.user_id, p.sku_id, a.direct, g.source_id, a.state, a.error FROM assignments a \
             JOIN pools p ON p.id = a.pool_id LEFT JOIN groups g ON g.id = a.via_group_id \
             WHERE p.connector_id = ?1 AND p.kind = 'm365' AND a.user_id IS NOT NULL ORDER BY a.user_id, p.id",
        )
        .unwrap();
    let rows = stmt
        .query_map([GRAPH], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, bool>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Option<String>>(5)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (user, sku, direct, group, state, error) = row.unwrap();
        let (state, error) = if state == "error" {
            (LicenseState::Error, error)
        } else {
            (LicenseState::Active, None)
        };
        let entry = licenses.entry(user).or_default();
        if direct || group.is_none() {
            entry.push(SourceLicense {
                sku_id: sku.clone(),
                via_group: None,
                state,
                error: error.clone(),
            });
        }
        if let Some(group) = group {
            entry.push(SourceLicense {
                sku_id: sku,
                via_group: Some(group),
                state,
                error,
            });
        }
    }
    let mut stmt = conn
        .prepare(
            "SELECT id, source_id, upn, display_name, enabled, department, usage_location, last_sign_in \
             FROM users WHERE deleted = 0 ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |row| {
        let id: i64 = row.get(0)?;
        Ok(SourceUser {
            source_id: row.get(1)?,
            upn: row.get(2)?,
            display_name: row.get(3)?,
            enabled: row.get(4)?,
            department: row.get(5)?,
            usage_location: row.get(6)?,
            last_sign_in: row.get(7)?,
            licenses: licenses.remove(&id).unwrap_or_default(),
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn groups(conn: &Connection) -> Vec<SourceGroup> {
    let mut stmt = conn
        .prepare(
            "SELECT g.source_id, g.name, (SELECT json_group_array(p.sku_id) FROM group_assignments ga \
               JOIN pools p ON p.id = ga.pool_id WHERE ga.group_id = g.id AND p.connector_id = ?1 AND p.kind = 'm365') \
             FROM groups g WHERE g.source_id IS NOT NULL ORDER BY g.id",
        )
        .unwrap();
    stmt.query_map([GRAPH], |row| {
        let skus: String = row.get(2)?;
        Ok(SourceGroup {
            source_id: row.get(0)?,
            name: row.get(1)?,
            licenses: serde_json::from_str(&skus).unwrap(),
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn members(conn: &Connection) -> BTreeMap<String, Vec<SourceMember>> {
    let mut out: BTreeMap<String, Vec<SourceMember>> = BTreeMap::new();
    let mut stmt = conn
        .prepare(
            "SELECT g.source_id, u.source_id, d.source_id, c.source_id FROM group_members m \
             JOIN groups g ON g.id = m.group_id LEFT JOIN users u ON u.id = m.user_id \
             LEFT JOIN devices d ON d.id = m.device_id LEFT JOIN groups c ON c.id = m.child_group_id \
             WHERE g.source_id IS NOT NULL ORDER BY m.group_id, m.user_id, m.device_id, m.child_group_id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (group, user, device, child) = row.unwrap();
        let member = match (user, device, child) {
            (Some(user), _, _) => SourceMember::User(user),
            (_, Some(device), _) => SourceMember::Device(device),
            (_, _, Some(child)) => SourceMember::Group(child),
            _ => continue,
        };
        out.entry(group).or_default().push(member);
    }
    out
}

/// The id of the user with this UPN.
pub fn user_id(conn: &Connection, upn: &str) -> i64 {
    one(conn, "SELECT id FROM users WHERE upn = ?1", [upn])
}

/// The id of the pool of a SKU part number.
pub fn pool_id(conn: &Connection, part: &str) -> i64 {
    one(conn, "SELECT id FROM pools WHERE sku_part_number = ?1", [part])
}

/// (pool part numbers) of the user's held Graph seats.
pub fn graph_seats(conn: &Connection, user: i64) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT p.sku_part_number FROM assignments a JOIN pools p ON p.id = a.pool_id \
             WHERE a.user_id = ?1 AND p.connector_id = ?2 AND a.state <> 'error' ORDER BY p.sku_part_number",
        )
        .unwrap();
    stmt.query_map([user, GRAPH], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Every row of every table, in a fixed order: equal dumps are equal caches.
pub fn dump(conn: &Connection) -> Vec<String> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for table in tables {
        let stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let order: Vec<String> = (1..=columns).map(|i| i.to_string()).collect();
        drop(stmt);
        let mut stmt = conn
            .prepare(&format!(
                "SELECT * FROM \"{table}\" ORDER BY {}",
                order.join(", ")
            ))
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let values: Vec<String> = (0..columns)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            out.push(format!("{table}: {}", values.join(" | ")));
        }
    }
    out
}
