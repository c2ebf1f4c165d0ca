//! A small hand-built tenant whose seat arithmetic is easy to follow.
#![allow(dead_code)]

use rusqlite::Connection;
use seats::store::changes::Actor;
use seats::store::{self, OpenMode};

/// Pools by id.
pub const LOCAL: i64 = 1; // saas, local, 10 seats
pub const GRAPH: i64 = 2; // m365 through the Graph connector, 10 seats
pub const UNLIMITED: i64 = 3;
pub const DISABLED: i64 = 4;
pub const PENDING: i64 = 5;
pub const AGREEMENT: i64 = 6;
pub const DEVICE_APP: i64 = 7; // store_offline, devices only
pub const TIGHT: i64 = 8; // 3 seats
pub const MIXED_APP: i64 = 9; // user_or_device, 10 seats

/// Groups by id.
pub const SALES: i64 = 1; // u1..u5
pub const MARKETING: i64 = 2; // u4..u8
pub const ALL: i64 = 3; // Sales + Marketing + u9
pub const CYCLE_A: i64 = 4; // u10 + Cycle B
pub const CYCLE_B: i64 = 5; // u11 + Cycle A
pub const LAPTOPS: i64 = 6; // devices 1..3
pub const STUDIO: i64 = 7; // u12 + device 1

const SCHEMA: &str = "
INSERT INTO admins VALUES ('tester', 'global', '2026-01-01T00:00:00Z', 'tester');
INSERT INTO admins VALUES ('lena', 'license', '2026-01-01T00:00:00Z', 'tester');
INSERT INTO admins VALUES ('uma', 'user', '2026-01-01T00:00:00Z', 'tester');
INSERT INTO admins VALUES ('rita', 'reader', '2026-01-01T00:00:00Z', 'tester');
INSERT INTO connectors (id, name, kind) VALUES (1, 'Microsoft Graph', 'graph');
INSERT INTO groups (id, name, kind) VALUES (1, 'Sales', 'user'), (2, 'Marketing', 'user'),
  (3, 'All', 'user'), (4, 'Cycle A', 'user'), (5, 'Cycle B', 'user'), (6, 'Laptops', 'device'),
  (7, 'Studio', 'mixed');
INSERT INTO devices (id, name, os, owner_id) VALUES (1, 'LAPTOP-1', 'windows', 1),
  (2, 'LAPTOP-2', 'windows', 2), (3, 'LAPTOP-3', 'windows', 3);
INSERT INTO group_child_groups (group_id, child_group_id) VALUES (3, 1), (3, 2), (4, 5), (5, 4);
INSERT INTO group_device_members (group_id, device_id) VALUES (6, 1), (6, 2), (6, 3), (7, 1);
INSERT INTO pools (id, name, kind, source, connector_id, sku_part_number, sku_id, total, status,
                   disabled_reason, assignable_to) VALUES
  (1, 'Local Tool', 'saas', 'local', NULL, NULL, NULL, 10, 'active', NULL, 'user'),
  (2, 'Office E3', 'm365', 'graph', 1, 'ENTERPRISEPACK', '6fd2c87f-b296-42f0-b197-1e91e994b900', 10, 'active', NULL, 'user'),
  (3, 'Flat Rate', 'saas', 'marketplace', NULL, NULL, NULL, NULL, 'active', NULL, 'user'),
  (4, 'Old CRM', 'saas', 'marketplace', NULL, NULL, NULL, 10, 'disabled', 'payment_lapsed', 'user'),
  (5, 'New CRM', 'saas', 'marketplace', NULL, NULL, NULL, 10, 'pending_activation', NULL, 'user'),
  (6, 'Visio agreement', 'agreement', 'local', NULL, NULL, NULL, 10, 'active', NULL, 'user'),
  (7, 'Kiosk App', 'store_offline', 'store_business', NULL, NULL, NULL, 10, 'active', NULL, 'device'),
  (8, 'Tight Tool', 'saas', 'local', NULL, NULL, NULL, 3, 'active', NULL, 'user'),
  (9, 'Studio App', 'store_offline', 'store_business', NULL, NULL, NULL, 10, 'active', NULL, 'user_or_device');
";

/// A temp cache holding the fixture tenant.
pub fn tenant() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("t.db"), OpenMode::Create).unwrap();
    for i in 1..=20 {
        conn.execute(
            "INSERT INTO users (id, upn, display_name) VALUES (?1, ?2, ?3)",
            rusqlite::params![i, format!("u{i}@contoso.test"), format!("User {i}")],
        )
        .unwrap();
    }
    conn.execute_batch(SCHEMA).unwrap();
    let members = [
        (1, 1..=5),
        (2, 4..=8),
        (3, 9..=9),
        (4, 10..=10),
        (5, 11..=11),
        (7, 12..=12),
    ];
    for (group, users) in members {
        for user in users {
            conn.execute(
                "INSERT INTO group_user_members (group_id, user_id) VALUES (?1, ?2)",
                [group, user],
            )
            .unwrap();
        }
    }
    (dir, conn)
}

pub fn tester() -> Actor {
    Actor::new("tester")
}

/// The seat rows, group grants and pool figures, without row ids: equal
/// strings mean the cache's seats are exactly as they were.
pub fn checksum(conn: &Connection) -> String {
    conn.query_row(
        "SELECT coalesce((SELECT group_concat(x, ';') FROM (SELECT pool_id || ',' || coalesce(user_id, '') || ',' || \
           coalesce(device_id, '') || ',' || direct || ',' || coalesce(via_group_id, '') || ',' || state || ',' || \
           coalesce(error, '') || ',' || intent || ',' || coalesce(invitation, '') || ',' || assigned_at || ',' || \
           assigned_by AS x FROM assignments ORDER BY pool_id, user_id, device_id)), '') \
         || '|' || coalesce((SELECT group_concat(id || ',' || consumed || ',' || coalesce(total, ''), ';') \
                    FROM pools), '') \
         || '|' || coalesce((SELECT group_concat(pool_id || ',' || group_id, ';' ORDER BY pool_id, group_id) \
                    FROM group_assignments), '') \
         || '|' || coalesce((SELECT group_concat(group_id || ',' || coalesce(user_id, '') || ',' || \
                    coalesce(device_id, '') || ',' || coalesce(child_group_id, ''), ';' \
                    ORDER BY group_id, user_id, device_id, child_group_id) FROM group_members), '') \
         || '|' || coalesce((SELECT group_concat(id || ',' || enabled || ',' || deleted, ';') FROM users), '')",
        [],
        |row| row.get::<_, Option<String>>(0),
    )
    .unwrap()
    .unwrap_or_default()
}

/// `consumed` equals the count of non-error rows, for every pool.
pub fn assert_consistent(conn: &Connection) {
    let bad: Vec<(String, i64, i64)> = conn
        .prepare(
            "SELECT p.name, p.consumed, (SELECT count(*) FROM assignments a \
               WHERE a.pool_id = p.id AND a.state <> 'error') AS n FROM pools p WHERE p.consumed <> n",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(bad.is_empty(), "consumed differs from the seat rows: {bad:?}");
    let dupes: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT 1 FROM assignments GROUP BY pool_id, user_id, device_id HAVING count(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(dupes, 0, "one row per (pool, principal)");
}

pub fn consumed(conn: &Connection, pool: i64) -> i64 {
    conn.query_row("SELECT consumed FROM pools WHERE id = ?1", [pool], |r| r.get(0))
        .unwrap()
}

pub fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// (user id, direct, via group, state) of the pool's rows for users.
pub fn seats(conn: &Connection, pool: i64) -> Vec<(i64, bool, Option<i64>, String)> {
    conn.prepare(
        "SELECT user_id, direct, via_group_id, state FROM assignments WHERE pool_id = ?1 AND user_id IS NOT NULL \
         ORDER BY user_id",
    )
    .unwrap()
    .query_map([pool], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

pub fn holders(conn: &Connection, pool: i64) -> Vec<i64> {
    seats(conn, pool)
        .into_iter()
        .filter(|s| s.3 != "error")
        .map(|s| s.0)
        .collect()
}

/// `seats check` on the cache: every invariant holds after the scenario
/// (consumed = held seats, no orphans, audit and batch links, schema).
pub fn check_cache(conn: &Connection) {
    let findings = seats::store::check::check(conn).unwrap();
    let violated: Vec<String> = findings.iter().filter(|f| !f.ok).map(|f| f.line()).collect();
    assert!(
        violated.is_empty(),
        "seats check found violations:\n{}",
        violated.join("\n")
    );
}
