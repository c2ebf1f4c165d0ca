//! Local changes still on their way to the source win over a pull
//! (architecture §3): seats a pending outbox row's batch touched are left
//! as the admin made them, until the row is applied.

use chrono::Utc;
use seats::domain::Principal;
use seats::domain::source::{LicenseState, SourceLicense};
use seats::store::changes::{self, Actor};
use seats::store::outbox_push;
use seats::store::sync::PullKind;

use crate::common::{ACTOR, demo_db};
use crate::source::{Source, graph_seats, pool_id, user_id};
use crate::{USERS, check_clean, count};

fn outbox_of(conn: &rusqlite::Connection, batch: &str) -> i64 {
    conn.query_row("SELECT id FROM outbox WHERE batch_id = ?1", [batch], |r| r.get(0))
        .unwrap()
}

/// A reported, enabled user without a seat of the pool.
fn user_without(conn: &rusqlite::Connection, part: &str, skip: usize) -> String {
    conn.query_row(
        "SELECT upn FROM users u WHERE deleted = 0 AND enabled = 1 AND NOT EXISTS (SELECT 1 FROM assignments a \
           JOIN pools p ON p.id = a.pool_id WHERE a.user_id = u.id AND p.sku_part_number = ?1) ORDER BY id LIMIT 1 OFFSET ?2",
        rusqlite::params![part, skip as i64],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_pending_assignment_is_not_taken_back_by_a_pull_until_it_is_applied() {
    let (_dir, _path, conn) = demo_db(USERS);
    let mut source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    let upn = user_without(&conn, "VISIOCLIENT", 0);
    let (user, pool) = (user_id(&conn, &upn), pool_id(&conn, "VISIOCLIENT"));
    let outcome = changes::assign(&conn, &Actor::new(ACTOR), pool, &[Principal::User(user)]).unwrap();
    assert!(outcome.queued);

    // The source has not heard of it yet: the pull leaves the seat alone.
    let summary = source.pull(&conn, PullKind::Full);
    assert!(graph_seats(&conn, user).contains(&"VISIOCLIENT".to_owned()));
    assert_eq!(summary.skipped_pending, 1);
    assert_eq!(summary.seats.removed, 0);
    check_clean(&conn);

    // Applied: the source reports it, and the pull has nothing to do.
    assert!(outbox_push::mark_applied(&conn, outbox_of(&conn, &outcome.batch_id), Utc::now()).unwrap());
    let visio = source.sku_id("VISIOCLIENT");
    source.user_mut(&upn).licenses.push(SourceLicense {
        sku_id: visio,
        via_group: None,
        state: LicenseState::Active,
        error: None,
    });
    let summary = source.pull(&conn, PullKind::Full);
    assert!(
        summary.is_unchanged() && summary.skipped_pending == 0,
        "{summary:?}"
    );
    assert!(graph_seats(&conn, user).contains(&"VISIOCLIENT".to_owned()));

    // No longer protected: what the source says goes.
    source.user_mut(&upn).licenses.retain(|l| l.via_group.is_some());
    source.pull(&conn, PullKind::Full);
    assert!(!graph_seats(&conn, user).contains(&"VISIOCLIENT".to_owned()));
    check_clean(&conn);
}

#[test]
fn a_pending_release_is_not_undone_by_a_pull() {
    let (_dir, _path, conn) = demo_db(USERS);
    let source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    let (upn, part): (String, String) = conn
        .query_row(
            "SELECT u.upn, p.sku_part_number FROM assignments a JOIN users u ON u.id = a.user_id \
             JOIN pools p ON p.id = a.pool_id WHERE p.connector_id = 1 AND a.direct = 1 AND a.via_group_id IS NULL \
               AND a.state = 'active' AND u.enabled = 1 AND p.status = 'active' ORDER BY a.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let (user, pool) = (user_id(&conn, &upn), pool_id(&conn, &part));
    changes::unassign(&conn, &Actor::new(ACTOR), pool, &[Principal::User(user)]).unwrap();
    let consumed = count(&conn, &format!("SELECT consumed FROM pools WHERE id = {pool}"));

    // The source still reports the license (the release is not sent yet).
    let summary = source.pull(&conn, PullKind::Full);
    assert!(
        !graph_seats(&conn, user).contains(&part),
        "the released seat stays released"
    );
    assert_eq!(
        count(&conn, &format!("SELECT consumed FROM pools WHERE id = {pool}")),
        consumed
    );
    assert_eq!(summary.skipped_pending, 1);
    check_clean(&conn);
}

#[test]
fn a_change_made_while_the_pull_reads_wins_even_if_applied_before_the_commit() {
    let (_dir, _path, conn) = demo_db(USERS);
    let source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    let upn = user_without(&conn, "VISIOCLIENT", 1);
    let (user, pool) = (user_id(&conn, &upn), pool_id(&conn, "VISIOCLIENT"));
    // The pull reads the source (without the new seat) …
    let stage = source.stage(&conn, PullKind::Full);
    // … while an admin assigns, and the pusher applies it at once.
    let outcome = changes::assign(&conn, &Actor::new(ACTOR), pool, &[Principal::User(user)]).unwrap();
    assert!(outbox_push::mark_applied(&conn, outbox_of(&conn, &outcome.batch_id), Utc::now()).unwrap());
    let summary = stage.commit(None, &|p| p.to_owned()).unwrap();
    assert!(
        graph_seats(&conn, user).contains(&"VISIOCLIENT".to_owned()),
        "the pull read the source before the change reached it"
    );
    assert_eq!(summary.skipped_pending, 1);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM connectors WHERE id = 1 AND delta_link IS NULL"
        ),
        1,
        "None clears the delta link"
    );
    check_clean(&conn);
}

#[test]
fn a_user_retired_by_a_pending_removal_stays_retired() {
    let (_dir, _path, conn) = demo_db(USERS);
    let source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    let (upn, part): (String, String) = conn
        .query_row(
            "SELECT u.upn, p.sku_part_number FROM assignments a JOIN users u ON u.id = a.user_id \
             JOIN pools p ON p.id = a.pool_id WHERE p.connector_id = 1 AND a.direct = 1 AND a.state = 'active' \
               AND u.enabled = 1 ORDER BY a.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let user = user_id(&conn, &upn);
    changes::remove_user(&conn, &Actor::new(ACTOR), user, false).unwrap();
    let summary = source.pull(&conn, PullKind::Full);
    let (enabled, deleted): (bool, bool) = conn
        .query_row(
            &format!("SELECT enabled, deleted FROM users WHERE id = {user}"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (enabled, deleted),
        (false, true),
        "the source still reports the user enabled"
    );
    assert!(!graph_seats(&conn, user).contains(&part));
    assert!(summary.skipped_pending >= 1);
    assert!(summary.newly_disabled.is_empty());
    check_clean(&conn);
}
