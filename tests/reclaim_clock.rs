//! The Reclaim view measures "inactive for N days" from the console's clock,
//! not the wall clock, so what it lists (and what "release every listed
//! seat" releases) is the same on any day (R-LIC-5).
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use seats::app::{PaneId, Row};
use seats::headless::console_state;
use seats::store::reclaim::INACTIVE_DAYS;
use seats::store::{PageRequest, reclaim};

/// The reclaimable seats at `now`, computed here from the raw rows.
fn expected_at(conn: &rusqlite::Connection, now: DateTime<Utc>) -> usize {
    let mut stmt = conn
        .prepare(
            "SELECT u.deleted, u.enabled, u.last_sign_in FROM assignments s JOIN users u ON u.id = s.user_id \
             WHERE s.state <> 'error' AND s.via_group_id IS NULL",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, bool>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .unwrap();
    rows.map(Result::unwrap)
        .filter(|(deleted, enabled, last)| {
            let inactive = match last {
                None => true,
                Some(at) => {
                    (now - DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc)).num_seconds()
                        > INACTIVE_DAYS * 86_400
                }
            };
            *deleted || !*enabled || inactive
        })
        .count()
}

#[test]
fn the_reclaim_view_lists_what_was_reclaimable_at_the_consoles_clock() {
    let (_dir, _path, conn) = common::demo_db(300);
    let now = common::fixed_now();
    let state = console_state(&conn, PaneId::Reclaim, (80, 24), common::ACTOR, now).unwrap();
    let listed = state.table().count.unwrap();
    assert_eq!(listed, expected_at(&conn, now));
    // The wall clock would list more: the demo's sign-ins are measured from
    // its own clock, and a later day makes more users long inactive.
    let later = now + chrono::Duration::days(120);
    assert!(expected_at(&conn, later) > listed, "the clock matters here");

    let first = state.table().selected_row().unwrap();
    let Row::Reclaim(row) = first else {
        panic!("{first:?}")
    };
    if let (Some(days), Some(at)) = (row.inactive_days, row.last_sign_in.as_deref()) {
        let signed_in = NaiveDate::parse_from_str(&at[..10], "%Y-%m-%d").unwrap();
        let whole_days = (now - DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc)).num_days();
        assert_eq!(days, whole_days, "inactive since {signed_in}, counted to {now}");
    }
}

#[test]
fn the_store_measures_from_the_instant_it_is_given() {
    let (_dir, _path, conn) = common::demo_db(300);
    let at = |now: DateTime<Utc>| PageRequest {
        as_of: Some(now.to_rfc3339()),
        limit: 1,
        ..PageRequest::default()
    };
    let now = common::fixed_now();
    let later = now + chrono::Duration::days(120);
    assert_eq!(
        reclaim::page(&conn, &at(now)).unwrap().count,
        expected_at(&conn, now)
    );
    assert_eq!(
        reclaim::page(&conn, &at(later)).unwrap().count,
        expected_at(&conn, later)
    );
}
