//! Subscription changes are batches undo inverts, like seat changes
//! (issue 10): activation, quantity and billing profile come back as they
//! were; a later change, or seats given since, refuse the undo.
#![allow(clippy::unwrap_used)]

mod common;

use seats::store::changes::{self, Actor, ChangeError};
use seats::store::subscriptions;
use seats::store::subscriptions_change as change;
use seats::store::subscriptions_import;

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
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'undo' AND result = 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 3, "one audit row per undo");
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

fn purchases(csv: &str) -> Vec<seats::domain::subscription_csv::Purchase> {
    seats::domain::subscription_csv::parse(csv.as_bytes()).unwrap()
}

fn named(conn: &rusqlite::Connection, name: &str) -> i64 {
    conn.query_row("SELECT count(*) FROM pools WHERE name = ?1", [name], |r| r.get(0))
        .unwrap()
}

/// Recording a purchase (the form and both imports go through
/// `subscriptions_import::import`) is a batch undo removes, audited; a
/// recorded subscription changed since refuses it until that change is
/// undone, and nothing is removed meanwhile.
#[test]
fn a_recorded_purchase_is_undone_unless_it_changed_since() {
    let (_dir, _path, conn) = common::demo_db(300);
    let actor = Actor::new(common::ACTOR);
    let rows = purchases(
        "name,publisher,kind,channel,region,pricing,quantity\n\
         Northwind Chat,Northwind,saas,direct,France,per_seat,10\n\
         Northwind Docs,Northwind,saas,direct,France,flat,\n",
    );
    let (count, batch) = subscriptions_import::import(&conn, &actor, "two.csv", &rows, "2026-12-01").unwrap();
    assert_eq!(count, 2);
    assert_eq!(
        changes::last_undoable_batch(&conn, common::ACTOR).unwrap(),
        Some(batch.clone())
    );
    let audited: String = conn
        .query_row(
            "SELECT batch_id FROM audit WHERE action = 'subscriptions_import' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, batch, "the import's audit row names its batch");

    let chat = find(&conn, "Northwind Chat");
    let on = change::activate(&conn, &actor, chat.id, "2026-12-02").unwrap();
    let err = changes::undo(&conn, &actor, &batch).unwrap_err();
    assert!(matches!(err, ChangeError::Refused(_)), "{err}");
    assert!(
        err.to_string()
            .contains("Northwind Chat's status was changed since it was recorded"),
        "{err}"
    );
    assert_eq!(
        named(&conn, "Northwind Docs"),
        1,
        "one transaction: nothing removed"
    );

    changes::undo(&conn, &actor, &on.batch).unwrap();
    changes::undo(&conn, &actor, &batch).unwrap();
    assert_eq!(named(&conn, "Northwind Chat") + named(&conn, "Northwind Docs"), 0);
    let undone: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'undo' AND detail LIKE '%purchase_removed%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(undone, 2, "one audit row per subscription removed");
    let again = changes::undo(&conn, &actor, &batch).unwrap_err();
    assert!(again.to_string().contains("already undone"), "{again}");
}

/// An active purchase given seats since, or edited since, stays.
#[test]
fn a_recorded_purchase_with_seats_or_an_edit_since_stays() {
    let (_dir, _path, conn) = common::demo_db(300);
    let actor = Actor::new(common::ACTOR);
    let rows = purchases(
        "name,publisher,kind,channel,region,pricing,quantity,status\n\
         Northwind Chat,Northwind,saas,direct,France,per_seat,10,active\n",
    );
    let (_, batch) = subscriptions_import::import(&conn, &actor, "one.csv", &rows, "2026-12-01").unwrap();
    let chat = find(&conn, "Northwind Chat");
    let user: i64 = conn
        .query_row(
            "SELECT id FROM users WHERE deleted = 0 AND enabled = 1 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let given = changes::assign(&conn, &actor, chat.id, &[changes::Principal::User(user)]).unwrap();
    let err = changes::undo(&conn, &actor, &batch).unwrap_err();
    assert!(err.to_string().contains("release them first"), "{err}");
    changes::undo(&conn, &actor, &given.batch_id).unwrap();
    let resized = change::set_quantity(&conn, &actor, chat.id, 12).unwrap();
    let err = changes::undo(&conn, &actor, &batch).unwrap_err();
    assert!(err.to_string().contains("quantity was changed since"), "{err}");
    assert_eq!(named(&conn, "Northwind Chat"), 1);
    changes::undo(&conn, &actor, &resized.batch).unwrap();
    changes::undo(&conn, &actor, &batch).unwrap();
    assert_eq!(named(&conn, "Northwind Chat"), 0);
}

/// The audit rows an undo wrote: those after audit row `since`.
fn undo_rows(conn: &rusqlite::Connection, since: i64) -> Vec<(Option<String>, String)> {
    let mut stmt = conn
        .prepare("SELECT pool_name, detail FROM audit WHERE id > ?1 AND action = 'undo' ORDER BY id")
        .unwrap();
    stmt.query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn last_audit(conn: &rusqlite::Connection) -> i64 {
    conn.query_row("SELECT coalesce(max(id), 0) FROM audit", [], |r| r.get(0))
        .unwrap()
}

/// Undoing a subscription change (activation, quantity, billing profile) or
/// a recorded purchase writes one audit row per subscription put back, and
/// nothing more: no second, pool-less "undo" row beside it.
#[test]
fn an_undone_subscription_change_is_audited_once() {
    let (_dir, _path, conn) = common::demo_db(300);
    let actor = Actor::new(common::ACTOR);
    let adatum = find(&conn, "Adatum Sign");
    let on = change::activate(&conn, &actor, adatum.id, "2026-12-02").unwrap();
    let up = change::set_quantity(&conn, &actor, adatum.id, adatum.consumed + 10).unwrap();
    let profiles = seats::store::billing::profiles(&conn).unwrap();
    let other = profiles
        .iter()
        .find(|p| Some(&p.name) != adatum.billing_profile.as_ref())
        .unwrap();
    let moved = change::set_profile(&conn, &actor, adatum.id, &other.name).unwrap();
    for batch in [&moved.batch, &up.batch, &on.batch] {
        let since = last_audit(&conn);
        changes::undo(&conn, &actor, batch).unwrap();
        let rows = undo_rows(&conn, since);
        assert_eq!(rows.len(), 1, "one audit row for the undo of {batch}: {rows:?}");
        assert_eq!(rows[0].0.as_deref(), Some("Adatum Sign"), "{rows:?}");
        assert!(rows[0].1.contains(batch.as_str()), "{rows:?}");
    }

    let rows = purchases(
        "name,publisher,kind,channel,region,pricing,quantity\n\
         Northwind Chat,Northwind,saas,direct,France,per_seat,10\n",
    );
    let (_, batch) = subscriptions_import::import(&conn, &actor, "one.csv", &rows, "2026-12-01").unwrap();
    let since = last_audit(&conn);
    changes::undo(&conn, &actor, &batch).unwrap();
    let rows = undo_rows(&conn, since);
    assert_eq!(rows.len(), 1, "one audit row for the purchase removed: {rows:?}");
    assert_eq!(rows[0].0.as_deref(), Some("Northwind Chat"), "{rows:?}");
}
