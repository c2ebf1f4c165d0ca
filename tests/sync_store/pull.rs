//! Pulls into the demo cache: what a full and a delta pull change, group
//! licenses, license errors, and pulls that fail or are abandoned (R-CON-8,
//! R-LIC-5).

use seats::domain::source::{LicenseState, SourceLicense, SourceUser, UserChange};
use seats::store::sync::{Counts, PullKind, PullStage};

use crate::common::demo_db;
use crate::source::{GRAPH, Source, graph_seats, pool_id, user_id};
use crate::{USERS, check_clean, count};

pub fn license(
    sku: &str,
    via_group: Option<&str>,
    state: LicenseState,
    error: Option<&str>,
) -> SourceLicense {
    SourceLicense {
        sku_id: sku.to_owned(),
        via_group: via_group.map(str::to_owned),
        state,
        error: error.map(str::to_owned),
    }
}

pub fn user(source_id: &str, upn: &str, licenses: Vec<SourceLicense>) -> SourceUser {
    SourceUser {
        source_id: source_id.to_owned(),
        upn: upn.to_owned(),
        display_name: upn.split('@').next().unwrap().to_owned(),
        enabled: true,
        department: None,
        usage_location: Some("US".to_owned()),
        last_sign_in: None,
        licenses,
    }
}

/// A reported user holding a seat of the connector's pool `part` directly
/// and a seat of a pool no connector syncs from Graph.
fn user_with_local_seat(conn: &rusqlite::Connection) -> String {
    conn.query_row(
        "SELECT u.upn FROM users u WHERE u.deleted = 0 AND u.enabled = 1 \
           AND EXISTS (SELECT 1 FROM assignments a JOIN pools p ON p.id = a.pool_id \
                       WHERE a.user_id = u.id AND p.connector_id = 1 AND a.state <> 'error') \
           AND EXISTS (SELECT 1 FROM assignments a JOIN pools p ON p.id = a.pool_id \
                       WHERE a.user_id = u.id AND p.source IN ('marketplace', 'local') AND a.via_group_id IS NULL) \
         ORDER BY u.id LIMIT 1",
        [],
        |row| row.get(0),
    )
    .unwrap()
}

#[test]
fn the_first_full_pull_of_the_demo_changes_only_what_the_source_lacks() {
    let (_dir, _path, conn) = demo_db(USERS);
    let deleted_seats = count(
        &conn,
        "SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id JOIN pools p ON p.id = a.pool_id \
         WHERE u.deleted = 1 AND p.connector_id = 1 AND p.kind = 'm365'",
    );
    assert!(
        deleted_seats > 0,
        "the demo has deleted users holding Graph seats"
    );
    let summary = Source::of(&conn).pull(&conn, PullKind::Full);
    assert_eq!(summary.pools, Counts::default(), "{:?}", summary.notes);
    assert_eq!(summary.users, Counts::default());
    assert_eq!(summary.groups, Counts::default());
    assert_eq!(summary.members, Counts::default(), "{:?}", summary.notes);
    assert_eq!(summary.grants, Counts::default());
    // The demo's deleted users are not reported (as by the simulator): the
    // source holds none of their licenses.
    assert_eq!(
        summary.seats,
        Counts {
            added: 0,
            updated: 0,
            removed: deleted_seats
        }
    );
    assert!(summary.newly_deleted.is_empty() && summary.newly_disabled.is_empty());
    assert_eq!((summary.skipped_pending, summary.reclaimed), (0, 0));
    assert!(summary.notes.is_empty(), "{:?}", summary.notes);
    assert!(
        summary
            .drift
            .iter()
            .any(|d| d.name == "Office 365 E3" && d.source_consumed == d.consumed + 3),
        "the demo's drifting pool shows its drift: {:?}",
        summary.drift
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM users WHERE deleted = 0 AND connector_id IS NOT 1"
        ),
        0,
        "every reported user is now the connector's"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM connectors WHERE id = 1 AND delta_link LIKE 'https://graph.test/%'"
        ),
        1
    );
    check_clean(&conn);

    let again = Source::of(&conn).pull(&conn, PullKind::Full);
    assert!(
        again.is_unchanged(),
        "a second identical pull changes nothing: {again:?}"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action = 'sync' AND actor = 'seats sync' AND pool_id IS NULL"
        ),
        2,
        "each pull is audited"
    );
    check_clean(&conn);
}

#[test]
fn a_full_pull_brings_new_users_changed_licenses_dropped_skus_and_leavers() {
    let (_dir, _path, conn) = demo_db(USERS);
    let mut source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    let (bi_free, exchange, teams) = (
        source.sku_id("POWER_BI_STANDARD"),
        source.sku_id("EXCHANGESTANDARD"),
        source.sku_id("TEAMS_EXPLORATORY"),
    );
    let bi_before = count(
        &conn,
        &format!(
            "SELECT consumed FROM pools WHERE id = {}",
            pool_id(&conn, "POWER_BI_STANDARD")
        ),
    );
    // New user; a changed license; a SKU gone; a user disabled; a user deleted.
    source.users.push(user(
        "new-1",
        "newbie@contoso-demo.example",
        vec![license(&bi_free, None, LicenseState::Active, None)],
    ));
    let leaver = user_with_local_seat(&conn);
    let (changed, disabled) = {
        let mut ids = source
            .users
            .iter()
            .filter(|u| u.enabled && u.upn != leaver && !u.licenses.is_empty());
        (ids.next().unwrap().upn.clone(), ids.next().unwrap().upn.clone())
    };
    let changer = source.user_mut(&changed);
    let dropped = changer.licenses[0].sku_id.clone();
    changer
        .licenses
        .retain(|l| l.sku_id != dropped && l.sku_id != exchange);
    changer
        .licenses
        .push(license(&exchange, None, LicenseState::Active, None));
    source.user_mut(&disabled).enabled = false;
    let disabled_seats = graph_seats(&conn, user_id(&conn, &disabled));
    source.users.retain(|u| u.upn != leaver);
    source.skus.retain(|s| s.sku_id != teams);
    for u in &mut source.users {
        u.licenses.retain(|l| l.sku_id != teams);
    }
    for g in &mut source.groups {
        g.licenses.retain(|l| *l != teams);
    }

    let summary = source.pull(&conn, PullKind::Full);
    assert_eq!((summary.users.added, summary.users.removed), (1, 1));
    assert_eq!(summary.pools.removed, 1);
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.contains("Microsoft Teams Exploratory") && n.contains("disabled"))
    );
    let newbie = user_id(&conn, "newbie@contoso-demo.example");
    assert_eq!(graph_seats(&conn, newbie), vec!["POWER_BI_STANDARD"]);
    assert_eq!(
        count(
            &conn,
            &format!("SELECT connector_id FROM users WHERE id = {newbie}")
        ),
        GRAPH
    );
    assert_eq!(
        count(
            &conn,
            &format!(
                "SELECT consumed FROM pools WHERE id = {}",
                pool_id(&conn, "POWER_BI_STANDARD")
            )
        ),
        bi_before + 1 - i64::from(bi_free == dropped)
    );
    let changer = graph_seats(&conn, user_id(&conn, &changed));
    assert!(changer.contains(&"EXCHANGESTANDARD".to_owned()), "{changer:?}");
    let dropped_part: String = conn
        .query_row(
            "SELECT sku_part_number FROM pools WHERE sku_id = ?1",
            [&dropped],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!changer.contains(&dropped_part), "{changer:?}");
    // The SKU's pool stays, disabled, without seats.
    let teams_pool = pool_id(&conn, "TEAMS_EXPLORATORY");
    assert_eq!(
        conn.query_row(
            &format!("SELECT status || '/' || disabled_reason || '/' || consumed FROM pools WHERE id = {teams_pool}"),
            [],
            |r| r.get::<_, String>(0)
        )
        .unwrap(),
        "disabled/cancelled/0"
    );
    // The disabled user keeps their seats and is listed for the Reclaim view.
    let disabled_id = user_id(&conn, &disabled);
    let kept: Vec<String> = disabled_seats
        .into_iter()
        .filter(|p| p != "TEAMS_EXPLORATORY")
        .collect();
    assert_eq!(graph_seats(&conn, disabled_id), kept);
    assert_eq!(
        summary
            .newly_disabled
            .iter()
            .map(|u| u.upn.as_str())
            .collect::<Vec<_>>(),
        vec![disabled.as_str()]
    );
    // The deleted user leaves with every seat, local ones through the release path (R-LIC-5).
    let leaver_id = user_id(&conn, &leaver);
    assert_eq!(
        count(
            &conn,
            &format!("SELECT deleted FROM users WHERE id = {leaver_id}")
        ),
        1
    );
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM assignments WHERE user_id = {leaver_id}")
        ),
        0
    );
    assert_eq!(
        summary
            .newly_deleted
            .iter()
            .map(|u| u.upn.as_str())
            .collect::<Vec<_>>(),
        vec![leaver.as_str()]
    );
    assert!(summary.reclaimed >= 1);
    assert!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action = 'reclaim' AND actor = 'seats sync'"
        ) >= 1
    );
    check_clean(&conn);
}

#[test]
fn a_delta_pull_deletes_for_good_marks_soft_deletes_and_leaves_the_rest() {
    let (_dir, _path, conn) = demo_db(USERS);
    let source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    let holders: Vec<&SourceUser> = source.users.iter().filter(|u| !u.licenses.is_empty()).collect();
    let (purged, soft, renamed) = (holders[0], holders[1], holders[2]);
    let (soft_id, renamed_id) = (user_id(&conn, &soft.upn), user_id(&conn, &renamed.upn));
    let others = |conn: &rusqlite::Connection| {
        count(
            conn,
            &format!(
                "SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id \
                 WHERE u.upn NOT IN ('{}', '{}')",
                purged.upn, soft.upn
            ),
        )
    };
    let (others_before, deleted_before) = (
        others(&conn),
        count(&conn, "SELECT count(*) FROM users WHERE deleted = 1"),
    );
    let mut renamed_now = renamed.clone();
    renamed_now.display_name = "Renamed At The Source".to_owned();

    let mut stage = PullStage::begin(&conn, GRAPH, PullKind::Delta).unwrap();
    stage
        .add_user_changes(&[
            UserChange::Removed {
                source_id: purged.source_id.clone(),
                permanent: true,
            },
            UserChange::Removed {
                source_id: soft.source_id.clone(),
                permanent: false,
            },
        ])
        .unwrap();
    stage.add_user_changes(&[]).unwrap();
    stage
        .add_user_changes(&[UserChange::Upsert(renamed_now)])
        .unwrap();
    let summary = stage
        .commit(Some("https://graph.test/delta?token=2"), &|p| p.to_owned())
        .unwrap();

    assert_eq!((summary.users.updated, summary.users.removed), (1, 2));
    assert_eq!(
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM users WHERE source_id = '{}'",
                purged.source_id
            )
        ),
        0
    );
    assert_eq!(
        count(&conn, &format!("SELECT deleted FROM users WHERE id = {soft_id}")),
        1
    );
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM assignments WHERE user_id = {soft_id}")
        ),
        0
    );
    let name: String = conn
        .query_row(
            &format!("SELECT display_name FROM users WHERE id = {renamed_id}"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(name, "Renamed At The Source");
    assert_eq!(
        others(&conn),
        others_before,
        "a delta touches only the users it reports"
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM users WHERE deleted = 1"),
        deleted_before + 1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM connectors WHERE id = 1 AND delta_link LIKE '%token=2'"
        ),
        1
    );
    check_clean(&conn);
}

#[test]
fn a_upn_the_source_gives_to_another_account_leaves_the_old_row_renamed_and_deleted() {
    let (_dir, _path, conn) = demo_db(USERS);
    let mut source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    let old = source.users[5].clone();
    let old_id = user_id(&conn, &old.upn);
    // The account was deleted and a new one created with the same name.
    source.users[5] = user("brand-new-object", &old.upn.to_uppercase(), Vec::new());
    let summary = source.pull(&conn, PullKind::Full);
    assert_eq!((summary.users.added, summary.users.removed), (1, 1));
    let (upn, deleted): (String, bool) = conn
        .query_row(
            &format!("SELECT upn, deleted FROM users WHERE id = {old_id}"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((upn, deleted), (format!("{} (replaced {old_id})", old.upn), true));
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM assignments WHERE user_id = {old_id}")
        ),
        0
    );
    let new_id = user_id(&conn, &old.upn);
    assert_ne!(new_id, old_id);
    assert!(
        summary
            .notes
            .iter()
            .any(|n| n.contains("gave this user's UPN to another account"))
    );
    check_clean(&conn);
}
