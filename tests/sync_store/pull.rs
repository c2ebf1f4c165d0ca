//! Pulls into the demo cache: what a full and a delta pull change, group
//! licenses, license errors, and pulls that fail or are abandoned (R-CON-8,
//! R-LIC-5).

use seats::domain::source::{LicenseState, SourceLicense, SourceUser, UserChange};
use seats::store::sync::{Counts, PullError, PullKind, PullStage};

use crate::common::demo_db;
use crate::source::{GRAPH, Source, dump, graph_seats, pool_id, user_id};
use crate::{USERS, check_clean, count};

fn license(sku: &str, via_group: Option<&str>, state: LicenseState, error: Option<&str>) -> SourceLicense {
    SourceLicense {
        sku_id: sku.to_owned(),
        via_group: via_group.map(str::to_owned),
        state,
        error: error.map(str::to_owned),
    }
}

fn user(source_id: &str, upn: &str, licenses: Vec<SourceLicense>) -> SourceUser {
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
fn a_group_license_gives_group_seats_and_a_full_sku_leaves_members_waiting() {
    let (_dir, _path, conn) = demo_db(USERS);
    let mut source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    let sku = "0f0f0f0f-1111-2222-3333-444455556666";
    source.skus.push(seats::domain::source::SourceSku {
        sku_id: sku.to_owned(),
        part_number: "PILOT_SKU".to_owned(),
        assignable: true,
        capability: seats::domain::source::SkuCapability::Enabled,
        enabled_units: 2,
        warning_units: 0,
        consumed_units: 2,
    });
    source.groups.push(seats::domain::source::SourceGroup {
        source_id: "grp-pilots".to_owned(),
        name: "Pilots".to_owned(),
        licenses: vec![sku.to_owned()],
    });
    let picked: Vec<String> = source.users.iter().take(3).map(|u| u.upn.clone()).collect();
    source.members.insert(
        "grp-pilots".to_owned(),
        picked
            .iter()
            .map(|upn| {
                seats::domain::source::SourceMember::User(
                    source
                        .users
                        .iter()
                        .find(|u| &u.upn == upn)
                        .unwrap()
                        .source_id
                        .clone(),
                )
            })
            .collect(),
    );
    let via = Some("grp-pilots");
    source.user_mut(&picked[0]).licenses.extend([
        license(sku, None, LicenseState::Active, None),
        license(sku, via, LicenseState::Active, Some("None")),
    ]);
    source
        .user_mut(&picked[1])
        .licenses
        .push(license(sku, via, LicenseState::Active, None));
    source
        .user_mut(&picked[2])
        .licenses
        .push(license(sku, via, LicenseState::Error, Some("CountViolation")));

    let summary = source.pull(&conn, PullKind::Full);
    assert_eq!(
        (
            summary.pools.added,
            summary.groups.added,
            summary.members.added,
            summary.grants.added
        ),
        (1, 1, 3, 1)
    );
    let pool = pool_id(&conn, "PILOT_SKU");
    let group = count(&conn, "SELECT id FROM groups WHERE source_id = 'grp-pilots'");
    let (name, total, consumed): (String, i64, i64) = conn
        .query_row(
            &format!("SELECT name, total, consumed FROM pools WHERE id = {pool}"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((name.as_str(), total, consumed), ("New PILOT_SKU", 2, 2));
    assert_eq!(
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM group_assignments WHERE pool_id = {pool} AND group_id = {group} AND intent = 'required'"
            )
        ),
        1
    );
    type SeatRow = (i64, bool, Option<i64>, String, Option<String>);
    let rows: Vec<SeatRow> = conn
        .prepare(&format!("SELECT user_id, direct, via_group_id, state, error FROM assignments WHERE pool_id = {pool} ORDER BY user_id"))
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let ids: Vec<i64> = picked.iter().map(|upn| user_id(&conn, upn)).collect();
    assert_eq!(
        rows,
        vec![
            (ids[0], true, Some(group), "active".to_owned(), None),
            (ids[1], false, Some(group), "active".to_owned(), None),
            (
                ids[2],
                false,
                Some(group),
                "error".to_owned(),
                Some("CountViolation".to_owned())
            ),
        ]
    );
    check_clean(&conn);
}

#[test]
fn license_errors_are_kept_on_the_rows_and_hold_no_seat() {
    let (_dir, _path, conn) = demo_db(USERS);
    let mut source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    let (visio, e5, exchange) = (
        source.sku_id("VISIOCLIENT"),
        source.sku_id("EMSPREMIUM"),
        source.sku_id("EXCHANGESTANDARD"),
    );
    source.users.push(user(
        "new-err",
        "errors@contoso-demo.example",
        vec![
            license(&visio, None, LicenseState::Error, Some("CountViolation")),
            license(
                &e5,
                None,
                LicenseState::ActiveWithError,
                Some("MutuallyExclusiveViolation"),
            ),
            license(
                &exchange,
                None,
                LicenseState::Error,
                Some("SomethingGraphAddsLater"),
            ),
        ],
    ));
    source.pull(&conn, PullKind::Full);
    let id = user_id(&conn, "errors@contoso-demo.example");
    let rows: Vec<(String, String, Option<String>)> = conn
        .prepare(&format!(
            "SELECT p.sku_part_number, a.state, a.error FROM assignments a JOIN pools p ON p.id = a.pool_id \
             WHERE a.user_id = {id} ORDER BY p.sku_part_number"
        ))
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                "EMSPREMIUM".to_owned(),
                "active".to_owned(),
                Some("MutuallyExclusiveViolation".to_owned())
            ),
            (
                "EXCHANGESTANDARD".to_owned(),
                "error".to_owned(),
                Some("Other".to_owned())
            ),
            (
                "VISIOCLIENT".to_owned(),
                "error".to_owned(),
                Some("CountViolation".to_owned())
            ),
        ]
    );
    assert_eq!(graph_seats(&conn, id), vec!["EMSPREMIUM"]);
    check_clean(&conn);
}

#[test]
fn an_abandoned_pull_leaves_the_cache_as_it_was() {
    let (_dir, _path, conn) = demo_db(USERS);
    let mut source = Source::of(&conn);
    source.users.truncate(10);
    let before = dump(&conn);
    source.stage(&conn, PullKind::Full).abort();
    assert_eq!(dump(&conn), before, "abort");
    drop(source.stage(&conn, PullKind::Full));
    assert_eq!(dump(&conn), before, "dropped without commit");
}

#[test]
fn a_pull_that_fails_while_writing_leaves_every_table_as_it_was() {
    let (_dir, _path, conn) = demo_db(USERS);
    let mut source = Source::of(&conn);
    source.pull(&conn, PullKind::Full);
    // Plenty to write: most users gone, a new one, a SKU gone.
    source.users.truncate(USERS as usize / 3);
    source
        .users
        .push(user("new-2", "late@contoso-demo.example", Vec::new()));
    source.skus.remove(0);
    let before = dump(&conn);
    // The last write of a commit is the delta link: fail there.
    conn.execute_batch(
        "CREATE TEMP TRIGGER fail_late BEFORE UPDATE OF delta_link ON main.connectors \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
    )
    .unwrap();
    let err = source
        .stage(&conn, PullKind::Full)
        .commit(Some("x"), &|p| p.to_owned())
        .unwrap_err();
    assert!(matches!(err, PullError::Store(_)), "{err}");
    assert!(err.to_string().contains("the cache was left as it was"), "{err}");
    assert_eq!(dump(&conn), before, "every table is as before the pull");
    conn.execute_batch("DROP TRIGGER temp.fail_late").unwrap();
    let summary = source.pull(&conn, PullKind::Full);
    assert!(
        summary.users.removed > 0,
        "the same pull goes through once nothing fails"
    );
    check_clean(&conn);
}

#[test]
fn records_that_can_never_be_written_are_refused_by_name() {
    let (_dir, _path, conn) = demo_db(USERS);
    let mut stage = PullStage::begin(&conn, GRAPH, PullKind::Full).unwrap();
    let err = stage
        .add_users(&[user("", "nobody@contoso-demo.example", Vec::new())])
        .unwrap_err();
    assert!(err.to_string().contains("nobody@contoso-demo.example"), "{err}");
    drop(stage);
    let err = PullStage::begin(&conn, 99, PullKind::Full).err().unwrap();
    assert!(matches!(err, PullError::NoConnector(99)));
    let err = PullStage::begin(&conn, 2, PullKind::Full).err().unwrap();
    assert!(err.to_string().contains("apple_vpp"), "{err}");
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

#[test]
fn staging_takes_no_write_lock_on_the_cache() {
    let (_dir, path, conn) = demo_db(USERS);
    let source = Source::of(&conn);
    let other = seats::store::open(&path, seats::store::OpenMode::MustExist).unwrap();
    other.busy_timeout(std::time::Duration::from_millis(50)).unwrap();
    conn.busy_timeout(std::time::Duration::from_millis(50)).unwrap();
    // Another process writes (an admin's change) while the pull stages.
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let stage = source.stage(&conn, PullKind::Full);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Only the commit needs the lock; it waits for the writer.
    let err = stage.commit(None, &|p| p.to_owned()).unwrap_err();
    assert!(
        err.to_string().contains("locked") || err.to_string().contains("busy"),
        "{err}"
    );
    other.execute_batch("ROLLBACK").unwrap();
    source.pull(&conn, PullKind::Full);
    check_clean(&conn);
}
