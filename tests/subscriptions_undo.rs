//! Subscription changes are batches undo inverts, like seat changes
//! (issue 10): activation, quantity and billing profile come back as they
//! were; a later change, or seats given since, refuse the undo.
#![allow(clippy::unwrap_used)]

mod common;

use seats::store::changes::{self, Actor, ChangeError};
use seats::store::subscriptions;
use seats::store::subscriptions_change as change;

fn find(conn: &rusqlite::Connection, name: &str) -> subscriptions::SubscriptionRow {
    let all = subscriptions::page(
        conn,
        &seats::store::PageRequest {
            limit: 100,
            ..Default::default()
        },
    )
    .unwrap();
    all.rows.into_iter().find(|r| r.name == name).unwrap()
}

#[test]
fn activation_quantity_and_profile_are_undone_as_they_were() {
    let (_dir, _path, conn) = common::demo_db(300);
    let actor = Actor::new(common::ACTOR);
    let adatum = find(&conn, "Adatum Sign");
    let done = change::activate(&conn, &actor, adatum.id, "2026-12-02").unwrap();
    assert_eq!(find(&conn, "Adatum Sign").status, "active");
    changes::undo(&conn, &actor, &done.batch).unwrap();
    let back = find(&conn, "Adatum Sign");
    assert_eq!(back.status, "pending_activation");
    assert_eq!(back.status_on, adatum.status_on);

    // The demo's clock is fixed in the past; Adatum Sign's term runs longest.
    let crm = find(&conn, "Adatum Sign");
    let up = change::set_quantity(&conn, &actor, crm.id, crm.consumed + 10).unwrap();
    let profiles = seats::store::billing::profiles(&conn).unwrap();
    let other = profiles
        .iter()
        .find(|p| Some(&p.name) != crm.billing_profile.as_ref())
        .unwrap();
    let moved = change::set_profile(&conn, &actor, crm.id, &other.name).unwrap();
    // The older quantity change waits for nothing: fields differ.
    changes::undo(&conn, &actor, &up.batch).unwrap();
    assert_eq!(find(&conn, "Adatum Sign").quantity, crm.quantity);
    changes::undo(&conn, &actor, &moved.batch).unwrap();
    assert_eq!(find(&conn, "Adatum Sign").billing_profile, crm.billing_profile);
    let again = changes::undo(&conn, &actor, &moved.batch).unwrap_err();
    assert!(again.to_string().contains("already undone"), "{again}");
    let audited: i64 = conn
        .query_row("SELECT count(*) FROM audit WHERE action = 'undo'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(audited >= 3);
}

#[test]
fn undo_refuses_when_the_field_changed_since_or_seats_were_given() {
    let (_dir, _path, conn) = common::demo_db(300);
    let actor = Actor::new(common::ACTOR);
    let crm = find(&conn, "Adatum Sign");
    let first = change::set_quantity(&conn, &actor, crm.id, crm.consumed + 10).unwrap();
    change::set_quantity(&conn, &actor, crm.id, crm.consumed + 20).unwrap();
    let err = changes::undo(&conn, &actor, &first.batch).unwrap_err();
    assert!(matches!(err, ChangeError::Refused(_)), "{err}");
    assert!(err.to_string().contains("changed again since"), "{err}");
    assert_eq!(
        find(&conn, "Adatum Sign").quantity,
        Some(crm.consumed + 20),
        "nothing changed"
    );

    let adatum = find(&conn, "Adatum Sign");
    let on = change::activate(&conn, &actor, adatum.id, "2026-12-02").unwrap();
    let user: i64 = conn
        .query_row(
            "SELECT id FROM users WHERE deleted = 0 AND enabled = 1 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    changes::assign(&conn, &actor, adatum.id, &[changes::Principal::User(user)]).unwrap();
    let err = changes::undo(&conn, &actor, &on.batch).unwrap_err();
    assert!(err.to_string().contains("release them first"), "{err}");
    assert_eq!(find(&conn, "Adatum Sign").status, "active");
}
