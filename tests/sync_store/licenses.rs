//! Licenses into seat rows: group licenses become grants and group seats,
//! and license errors stay on the rows that hold no seat.

use seats::domain::source::LicenseState;
use seats::store::sync::PullKind;

use crate::common::demo_db;
use crate::pull::{license, user};
use crate::source::{Source, graph_seats, pool_id, user_id};
use crate::{USERS, check_clean, count};

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
