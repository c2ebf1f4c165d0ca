//! Incremental Apple pulls and other products' assignments in the pool's
//! count (issue 8; R-CON-7): a delta applied as changes ends with the
//! cache a full pull of the same source gives; a delta that cannot say a
//! removal asks for a full read; the versions are kept, counted and
//! forgotten; foreign assignments take seats from what is available.

use rusqlite::Connection;
use seats::domain::apple::*;
use seats::store::sync_apple::{self, ApplePull, AppleRead, AppleSummary, FULL_READ_EVERY};

use super::apple::{Source, VPP, seats_of};
use super::check_clean;
use crate::common::{demo_db, fixed_now};

fn read(full: bool, version: &str) -> AppleRead {
    AppleRead {
        full,
        users_version: Some(format!("u-{version}")),
        assignments_version: Some(format!("a-{version}")),
    }
}

/// Applies `users` and `assignments` over the source's location and
/// assets, read as `how` says.
fn apply(
    conn: &Connection,
    source: &Source,
    users: &[AppleUser],
    assignments: &[AppleAssignment],
    how: &AppleRead,
) -> AppleSummary {
    let pull = ApplePull {
        location: &source.location,
        assets: &source.assets,
        metadata: &[],
        users,
        assignments,
        invite_urls: &Default::default(),
        outbox_mark: sync_apple::outbox_mark(conn).unwrap(),
        started_at: fixed_now(),
    };
    sync_apple::apply_read(conn, VPP, &pull, how, fixed_now()).unwrap()
}

fn user(client: &str, status: AppleUserStatus) -> AppleUser {
    AppleUser {
        client_user_id: client.into(),
        email: None,
        status,
        invite_code: None,
    }
}

fn assignment(adam: &str, client: &str) -> AppleAssignment {
    AppleAssignment {
        adam_id: adam.into(),
        pricing: "STDQ".into(),
        holder: AppleHolder::User(client.into()),
    }
}

/// (consumed, foreign_consumed, total - consumed) of the pool of `adam`.
fn figures(conn: &Connection, adam: &str) -> (i64, i64, i64) {
    conn.query_row(
        "SELECT p.consumed, p.foreign_consumed, p.total - p.consumed FROM pools p JOIN apps a ON a.id = p.app_id \
         WHERE a.external_id = ?1",
        [adam],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

/// A demo cache after a full pull of what it holds (versions "1").
fn synced() -> (tempfile::TempDir, Connection, Source) {
    let (dir, _path, conn) = demo_db(super::USERS);
    let source = Source::from_cache(&conn);
    apply(
        &conn,
        &source,
        &source.users,
        &source.assignments,
        &read(true, "1"),
    );
    (dir, conn, source)
}

#[test]
fn a_delta_applied_as_changes_ends_as_a_full_pull_of_the_same_source() {
    let (_dir, conn, mut source) = synced();
    // At Apple since: a seat given to a user who holds others, one invited
    // user accepted, one user retired (Apple takes all their seats).
    let holder = source.users[0].client_user_id.clone();
    let gift = source
        .assets
        .iter()
        .find(|a| {
            !source
                .assignments
                .iter()
                .any(|s| s.adam_id == a.adam_id && s.holder == AppleHolder::User(holder.clone()))
        })
        .unwrap()
        .adam_id
        .clone();
    let invited = source
        .users
        .iter()
        .find(|u| u.status == AppleUserStatus::Registered)
        .map(|u| u.client_user_id.clone());
    let retired = source.users.last().unwrap().client_user_id.clone();
    assert_ne!(retired, holder);
    // /assets, read whole, counts what Apple holds now.
    for asset in &mut source.assets {
        let retired_seats = source
            .assignments
            .iter()
            .filter(|s| s.adam_id == asset.adam_id && s.holder == AppleHolder::User(retired.clone()))
            .count() as i64;
        asset.assigned += i64::from(asset.adam_id == gift) - retired_seats;
    }
    let mut delta_users = vec![user(&retired, AppleUserStatus::Retired)];
    if let Some(invited) = invited {
        delta_users.push(user(&invited, AppleUserStatus::Associated));
    }
    let delta_assignments = vec![assignment(&gift, &holder)];
    let summary = apply(
        &conn,
        &source,
        &delta_users,
        &delta_assignments,
        &read(false, "2"),
    );
    assert_eq!(summary.seats_added, 1, "{summary:?}");
    // Kept, holding nothing, so the Invite column can say Retired (B11).
    assert!(summary.seats_retired > 0, "the retired user's seats: {summary:?}");
    assert_eq!(summary.missed_removals, 0, "{summary:?}");
    assert!(
        sync_apple::since_versions(&conn, VPP).unwrap() == Some(("u-2".into(), "a-2".into())),
        "the delta's versions are kept"
    );
    check_clean(&conn);

    // The same source read whole, on a twin cache.
    let (_twin_dir, _twin_path, twin) = demo_db(super::USERS);
    let mut whole = Source::from_cache(&twin);
    whole.assignments.push(assignment(&gift, &holder));
    whole
        .assignments
        .retain(|a| a.holder != AppleHolder::User(retired.clone()));
    for u in &mut whole.users {
        if delta_users.iter().any(|d| d.client_user_id == u.client_user_id) {
            u.status = delta_users
                .iter()
                .find(|d| d.client_user_id == u.client_user_id)
                .unwrap()
                .status;
        }
    }
    apply(&twin, &whole, &whole.users, &whole.assignments, &read(true, "2"));
    assert_eq!(seats_of(&conn), seats_of(&twin));
}

#[test]
fn a_removal_no_delta_says_shows_in_the_counts_and_asks_for_a_full_read() {
    let (_dir, conn, mut source) = synced();
    // Another tool released a seat at Apple: the asset counts one fewer,
    // and the delta lists nothing.
    let released = source.assignments[0].adam_id.clone();
    let asset = source.assets.iter_mut().find(|a| a.adam_id == released).unwrap();
    asset.assigned -= 1;
    let summary = apply(&conn, &source, &[], &[], &read(false, "2"));
    assert_eq!(summary.missed_removals, 1, "{summary:?}");
    assert_eq!(sync_apple::since_versions(&conn, VPP).unwrap(), None);
}

#[test]
fn versions_are_read_since_for_a_while_then_a_full_read_comes_and_a_relink_forgets_them() {
    let (_dir, _path, conn) = demo_db(super::USERS);
    assert_eq!(
        sync_apple::since_versions(&conn, VPP).unwrap(),
        None,
        "first: full"
    );
    let (_dir, conn, source) = synced();
    for run in 0..FULL_READ_EVERY {
        assert!(
            sync_apple::since_versions(&conn, VPP).unwrap().is_some(),
            "run {run}"
        );
        apply(&conn, &source, &[], &[], &read(false, &run.to_string()));
    }
    assert_eq!(
        sync_apple::since_versions(&conn, VPP).unwrap(),
        None,
        "a full read is due"
    );
    apply(
        &conn,
        &source,
        &source.users,
        &source.assignments,
        &read(true, "9"),
    );
    assert!(sync_apple::since_versions(&conn, VPP).unwrap().is_some());
    seats::store::connectors_apple::set_take_over(&conn, VPP, "tester").unwrap();
    assert_eq!(
        sync_apple::since_versions(&conn, VPP).unwrap(),
        None,
        "taken over: full"
    );
}

#[test]
fn other_products_assignments_take_seats_from_what_is_available_until_retired() {
    let (_dir, conn, source) = synced();
    let adam = source.assets[0].adam_id.clone();
    let (consumed, foreign, available) = figures(&conn, &adam);
    assert_eq!(foreign, 0);
    let mut assignments = source.assignments.clone();
    assignments.push(assignment(&adam, "jamf-1"));
    assignments.push(assignment(&adam, "jamf-2"));
    let summary = apply(&conn, &source, &source.users, &assignments, &read(true, "2"));
    assert_eq!(summary.foreign_assignments, 2, "{summary:?}");
    assert_eq!(figures(&conn, &adam), (consumed + 2, 2, available - 2));
    let pools = seats::store::pools::all(&conn).unwrap();
    let row = pools
        .iter()
        .find(|p| p.consumed == consumed + 2 && p.detail.foreign_consumed == 2);
    assert!(row.is_some(), "the pool's detail shows the foreign count");
    check_clean(&conn);
    // A delta: one more of theirs, and one of their users retired.
    let summary = apply(
        &conn,
        &source,
        &[user("jamf-1", AppleUserStatus::Retired)],
        &[assignment(&adam, "jamf-3")],
        &read(false, "3"),
    );
    assert_eq!(summary.foreign_assignments, 2, "{summary:?}");
    assert_eq!(figures(&conn, &adam), (consumed + 2, 2, available - 2));
    // A full read without them gives the seats back.
    apply(
        &conn,
        &source,
        &source.users,
        &source.assignments,
        &read(true, "4"),
    );
    assert_eq!(figures(&conn, &adam), (consumed, 0, available));
    check_clean(&conn);
}
