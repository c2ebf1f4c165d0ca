//! An app's seats go only to devices of its platform (issue 8 review, B9;
//! R-APP-4): the preview refuses a device group of another platform with
//! the reason, and so does the change itself, whoever asks (the console
//! and the command line share the store's check).

use super::*;
use seats::store::changes::{self, ChangeError, Principal, Refusal};

fn id(conn: &Connection, sql: &str, name: &str) -> i64 {
    conn.query_row(sql, [name], |r| r.get(0)).unwrap()
}

fn pool_of(conn: &Connection, app: &str) -> i64 {
    id(
        conn,
        "SELECT p.id FROM pools p JOIN apps a ON a.id = p.app_id WHERE a.name = ?1",
        app,
    )
}

fn group(conn: &Connection, name: &str) -> Principal {
    Principal::Group(id(conn, "SELECT id FROM groups WHERE name = ?1", name))
}

#[test]
fn a_windows_app_refuses_the_ios_devices_group_with_the_reason() {
    let c = Console::new();
    let pool = pool_of(&c.conn, "Microsoft Whiteboard (Offline)");
    let ios = group(&c.conn, "iOS Devices");
    let plan = changes::plan_assign(&c.conn, pool, &[ios]).unwrap();
    let Some(Refusal::NotAssignable { why, .. }) = &plan.refusal else {
        panic!("refused for the platform: {:?}", plan.refusal);
    };
    assert!(
        why.contains("a windows app installs only on windows devices") && why.contains("(ios)"),
        "{why}"
    );
    let actor = Actor::new(common::ACTOR);
    let before: i64 = c
        .conn
        .query_row("SELECT consumed FROM pools WHERE id = ?1", [pool], |r| r.get(0))
        .unwrap();
    match changes::assign(&c.conn, &actor, pool, &[ios]) {
        Err(ChangeError::Refused(Refusal::NotAssignable { why: refused, .. })) => assert_eq!(&refused, why),
        other => panic!("the change refuses too: {other:?}"),
    }
    let after: i64 = c
        .conn
        .query_row("SELECT consumed FROM pools WHERE id = ?1", [pool], |r| r.get(0))
        .unwrap();
    assert_eq!(after, before, "nothing given");

    // Its own platform's devices are no platform matter.
    let windows = group(&c.conn, "Windows Devices");
    let plan = changes::plan_assign(&c.conn, pool, &[windows]).unwrap();
    let refused = plan.refusal.map(|r| r.to_string()).unwrap_or_default();
    assert!(!refused.contains("installs only on"), "{refused}");
}
