//! Property-style tests of the seat rules (R-LIC-3, R-LIC-4, R-LIC-7): many
//! random tenants (nested, overlapping, sometimes cyclic groups) and random
//! sequences of assign / unassign / release / undo, each checked against the
//! invariants after every step. Seeds are fixed, so a failure reproduces.
#![allow(clippy::unwrap_used)]

#[path = "assign_store/fixture.rs"]
mod fixture;

use fixture::{check_cache, checksum};

use std::collections::BTreeSet;

use rusqlite::{Connection, params};
use seats::domain::Principal;
use seats::store::changes::{self, Actor, ChangeError, Refusal};
use seats::store::{self, OpenMode};

/// xorshift64*: small, deterministic, good enough to shuffle test cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const USERS: i64 = 30;
const GROUPS: i64 = 6;
const POOLS: i64 = 3;

/// A random tenant: users, groups with random user members and random
/// nesting (cycles allowed), and pools of random size (one unlimited).
fn tenant(rng: &mut Rng) -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("p.db"), OpenMode::Create).unwrap();
    conn.execute(
        "INSERT INTO admins VALUES ('tester', 'global', '2026-01-01T00:00:00Z', 'tester')",
        [],
    )
    .unwrap();
    for u in 1..=USERS {
        conn.execute(
            "INSERT INTO users (id, upn, display_name) VALUES (?1, ?2, ?2)",
            params![u, format!("u{u}@t.example")],
        )
        .unwrap();
    }
    for g in 1..=GROUPS {
        conn.execute(
            "INSERT INTO groups (id, name, kind) VALUES (?1, ?2, 'user')",
            params![g, format!("g{g}")],
        )
        .unwrap();
    }
    for g in 1..=GROUPS {
        let mut members = BTreeSet::new();
        for _ in 0..rng.below(10) {
            members.insert(1 + rng.below(USERS as u64) as i64);
        }
        for u in members {
            conn.execute(
                "INSERT INTO group_user_members (group_id, user_id) VALUES (?1, ?2)",
                params![g, u],
            )
            .unwrap();
        }
        if rng.below(3) == 0 {
            let child = 1 + rng.below(GROUPS as u64) as i64;
            if child != g {
                conn.execute(
                    "INSERT INTO group_child_groups (group_id, child_group_id) VALUES (?1, ?2)",
                    params![g, child],
                )
                .unwrap();
            }
        }
    }
    for p in 1..=POOLS {
        let total: Option<i64> = if p == POOLS {
            None
        } else {
            Some(3 + rng.below(15) as i64)
        };
        conn.execute(
            "INSERT INTO pools (id, name, kind, source, total) VALUES (?1, ?2, 'saas', 'local', ?3)",
            params![p, format!("pool {p}"), total],
        )
        .unwrap();
    }
    (dir, conn)
}

/// Every user a group reaches, nested groups flattened, cycles ignored.
fn members(conn: &Connection, group: i64) -> BTreeSet<i64> {
    let mut seen_groups = BTreeSet::new();
    let mut users = BTreeSet::new();
    let mut todo = vec![group];
    while let Some(g) = todo.pop() {
        if !seen_groups.insert(g) {
            continue;
        }
        let mut stmt = conn
            .prepare("SELECT user_id, child_group_id FROM group_members WHERE group_id = ?1")
            .unwrap();
        let rows = stmt
            .query_map([g], |r| {
                Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?))
            })
            .unwrap();
        for row in rows {
            match row.unwrap() {
                (Some(u), _) => {
                    users.insert(u);
                }
                (_, Some(child)) => todo.push(child),
                _ => {}
            }
        }
    }
    users
}

fn holders(conn: &Connection, pool: i64) -> BTreeSet<i64> {
    let mut stmt = conn
        .prepare("SELECT user_id FROM assignments WHERE pool_id = ?1 AND state <> 'error'")
        .unwrap();
    stmt.query_map([pool], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The invariants that must hold after every step, whatever happened.
fn check_invariants(conn: &Connection, context: &str) {
    let mut stmt = conn
        .prepare(
            "SELECT p.id, p.total, p.consumed, \
               (SELECT count(*) FROM assignments s WHERE s.pool_id = p.id AND s.state <> 'error'), \
               (SELECT count(*) - count(DISTINCT user_id) FROM assignments s WHERE s.pool_id = p.id) \
             FROM pools p",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (pool, total, consumed, counted, duplicates) = row.unwrap();
        assert_eq!(
            consumed, counted,
            "{context}: pool {pool} consumed matches its seats"
        );
        assert_eq!(
            duplicates, 0,
            "{context}: pool {pool} holds one seat per user (R-LIC-7)"
        );
        if let Some(total) = total {
            assert!(
                consumed <= total,
                "{context}: pool {pool} {consumed} > {total} (R-LIC-4)"
            );
        }
    }
}

fn random_principals(rng: &mut Rng) -> Vec<Principal> {
    (0..1 + rng.below(4))
        .map(|_| {
            if rng.below(3) == 0 {
                Principal::Group(1 + rng.below(GROUPS as u64) as i64)
            } else {
                Principal::User(1 + rng.below(USERS as u64) as i64)
            }
        })
        .collect()
}

/// The users an assignment of `principals` reaches, each once.
fn reached(conn: &Connection, principals: &[Principal]) -> BTreeSet<i64> {
    let mut users = BTreeSet::new();
    for principal in principals {
        match principal {
            Principal::User(u) => {
                users.insert(*u);
            }
            Principal::Group(g) => users.extend(members(conn, *g)),
        }
    }
    users
}

/// How the assign steps ended, so the test can show it met both outcomes.
#[derive(Default)]
struct Tally {
    applied: usize,
    refused: usize,
}

fn assign_step(
    conn: &Connection,
    actor: &Actor,
    rng: &mut Rng,
    context: &str,
    tally: &mut Tally,
) -> Option<String> {
    let pool = 1 + rng.below(POOLS as u64) as i64;
    let principals = random_principals(rng);
    let before = holders(conn, pool);
    let newcomers = reached(conn, &principals).difference(&before).count() as i64;
    let plan = changes::plan_assign(conn, pool, &principals).unwrap();
    assert_eq!(
        plan.new_seats, newcomers,
        "{context}: the preview counts each distinct newcomer once"
    );
    match changes::assign(conn, actor, pool, &principals) {
        Ok(outcome) => {
            assert_eq!(outcome.added, newcomers, "{context}: seats added = newcomers");
            assert!(
                plan.refusal.is_none(),
                "{context}: the preview foresaw no refusal"
            );
            tally.applied += 1;
            Some(outcome.batch_id)
        }
        Err(ChangeError::Refused(Refusal::Shortfall { shortfall, .. })) => {
            assert!(
                plan.refusal.is_some(),
                "{context}: the preview foresaw the refusal"
            );
            assert_eq!(shortfall.needed, newcomers, "{context}");
            assert_eq!(
                holders(conn, pool),
                before,
                "{context}: a refusal changes nothing (R-LIC-3)"
            );
            tally.refused += 1;
            None
        }
        Err(other) => panic!("{context}: unexpected {other}"),
    }
}

/// An unassignment releases exactly what its preview said, and keeps the
/// rest; releases are never refused.
fn unassign_step(conn: &Connection, actor: &Actor, rng: &mut Rng, context: &str) -> String {
    let pool = 1 + rng.below(POOLS as u64) as i64;
    let principals = random_principals(rng);
    let before = holders(conn, pool);
    let plan = changes::plan_unassign(conn, pool, &principals).unwrap();
    let outcome = changes::unassign(conn, actor, pool, &principals)
        .unwrap_or_else(|err| panic!("{context}: a release is never refused: {err}"));
    assert_eq!(
        outcome.released,
        plan.released.len() as i64,
        "{context}: released what the preview listed"
    );
    assert_eq!(
        (outcome.consumed_before, outcome.consumed_after),
        (plan.before.consumed, plan.after.consumed),
        "{context}: the preview's figures"
    );
    assert_eq!(
        before.len() - holders(conn, pool).len(),
        plan.released.len(),
        "{context}: seats gone"
    );
    outcome.batch_id
}

/// Undo of the newest batch not undone yet puts the cache back exactly as
/// it was before that batch: every later batch was undone first, so the
/// seats it released still fit.
fn undo_step(conn: &Connection, actor: &Actor, (batch, before): (String, String), context: &str) {
    let outcomes = changes::undo(conn, actor, &batch)
        .unwrap_or_else(|err| panic!("{context}: undo of the newest batch is refused: {err}"));
    assert!(
        outcomes.iter().all(|o| o.batch_id != batch),
        "{context}: a batch of its own"
    );
    assert_eq!(
        checksum(conn),
        before,
        "{context}: undo restores the seats exactly"
    );
    assert!(
        matches!(
            changes::undo(conn, actor, &batch),
            Err(ChangeError::Refused(Refusal::AlreadyUndone { .. }))
        ),
        "{context}: a batch is undone once"
    );
}

#[test]
fn random_changes_keep_every_seat_rule() {
    let actor = Actor::new("tester");
    let mut tally = Tally::default();
    let mut undone = 0;
    for seed in 1..=40u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let (_dir, conn) = tenant(&mut rng);
        // (batch, the cache's seats before it), newest last.
        let mut batches: Vec<(String, String)> = Vec::new();
        for step in 0..25 {
            let context = format!("seed {seed} step {step}");
            let before = checksum(&conn);
            match rng.below(4) {
                0 | 1 => {
                    let batch = assign_step(&conn, &actor, &mut rng, &context, &mut tally);
                    batches.extend(batch.map(|b| (b, before)));
                }
                2 => batches.push((unassign_step(&conn, &actor, &mut rng, &context), before)),
                _ => {
                    if let Some(newest) = batches.pop() {
                        undo_step(&conn, &actor, newest, &context);
                        undone += 1;
                    }
                }
            }
            check_invariants(&conn, &context);
        }
        check_cache(&conn);
    }
    assert!(
        tally.applied > 50 && tally.refused > 20 && undone > 50,
        "every outcome was exercised: {} applied, {} refused, {undone} undone",
        tally.applied,
        tally.refused
    );
}

#[test]
fn a_group_and_its_overlapping_groups_count_each_member_once() {
    let actor = Actor::new("tester");
    for seed in 100..=130u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let (_dir, conn) = tenant(&mut rng);
        let all: Vec<Principal> = (1..=GROUPS).map(Principal::Group).collect();
        let expected = reached(&conn, &all).len() as i64;
        let pool = POOLS; // unlimited: never refused for seats
        let outcome = changes::assign(&conn, &actor, pool, &all).unwrap();
        assert_eq!(outcome.added, expected, "seed {seed}");
        // Over the seat rows themselves: one row per member reached, none twice.
        let (rows, distinct): (i64, i64) = conn
            .query_row(
                "SELECT count(*), count(DISTINCT user_id) FROM assignments WHERE pool_id = ?1",
                [pool],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((rows, distinct), (expected, expected), "seed {seed}");
        check_invariants(&conn, &format!("seed {seed}"));
        check_cache(&conn);
    }
}
