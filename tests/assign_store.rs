//! Seat changes through the store (R-LIC-2..7, R-SUB-3/4): arithmetic,
//! groups, refusals, releases, undo, outbox, audit and roles.
#![allow(clippy::unwrap_used)]

#[path = "assign_store/fixture.rs"]
mod fixture;
#[path = "assign_store/integrity.rs"]
mod integrity;
#[path = "assign_store/intent.rs"]
mod intent;
#[path = "assign_store/outbox.rs"]
mod outbox;
#[path = "assign_store/previews.rs"]
mod previews;
#[path = "assign_store/releases.rs"]
mod releases;
#[path = "assign_store/review.rs"]
mod review;
#[path = "assign_store/undo.rs"]
mod undo;

use fixture::*;
use seats::domain::Principal::{Group, User};
use seats::store::changes::{self, Actor, ChangeError, Refusal};

#[test]
fn a_shortfall_is_refused_with_the_three_ways_out_and_changes_nothing() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), TIGHT, &[User(20)]).unwrap();
    let before = checksum(&conn);
    let plan = changes::plan_assign(&conn, TIGHT, &[Group(SALES)]).unwrap();
    assert_eq!((plan.new_seats, plan.already_held), (5, 0));
    assert!(matches!(plan.refusal, Some(Refusal::Shortfall { .. })));
    let err = changes::assign(&conn, &tester(), TIGHT, &[Group(SALES)]).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    let text = err.to_string();
    for part in [
        "Tight Tool",
        "needs 5 seats",
        "2 are available",
        "short by 3",
        "remove the license",
        "narrow the assignment's scope",
        "buy more",
    ] {
        assert!(text.contains(part), "{part:?} missing in {text}");
    }
    assert_eq!(checksum(&conn), before, "a refusal changes no seat");
    let refused = count(
        &conn,
        "SELECT count(*) FROM audit WHERE result LIKE 'refused: %short by 3%'",
    );
    assert_eq!(refused, 1, "who tried is recorded");
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn unlimited_pools_never_refuse_for_seats() {
    let (_dir, conn) = tenant();
    let all: Vec<_> = (1..=20).map(User).collect();
    let out = changes::assign(&conn, &tester(), UNLIMITED, &all).unwrap();
    assert_eq!(
        (out.added, out.consumed_after, out.available_after()),
        (20, 20, None)
    );
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn a_user_reached_twice_and_directly_holds_one_seat_r_lic_7() {
    let (_dir, conn) = tenant();
    let who = [Group(SALES), Group(MARKETING), User(4), User(5)];
    let plan = changes::plan_assign(&conn, LOCAL, &who).unwrap();
    assert_eq!(plan.new_seats, 8, "u1..u8 once each");
    let reach: Vec<_> = plan.groups.iter().map(|g| (g.name.as_str(), g.members)).collect();
    assert_eq!(reach, [("Sales", 5), ("Marketing", 5)]);
    assert_eq!(plan.after().consumed, 8);
    let out = changes::assign(&conn, &tester(), LOCAL, &who).unwrap();
    assert_eq!((out.added, out.consumed_before, out.consumed_after), (8, 0, 8));
    let rows = seats(&conn, LOCAL);
    assert_eq!(rows.len(), 8);
    assert_eq!(
        rows[3],
        (4, true, Some(SALES), "active".into()),
        "direct and via a group"
    );
    assert_eq!(rows[7], (8, false, Some(MARKETING), "active".into()));
    assert_eq!(
        count(&conn, "SELECT count(*) FROM group_assignments WHERE pool_id = 1"),
        2
    );
    let again = changes::plan_assign(&conn, LOCAL, &[Group(ALL)]).unwrap();
    assert_eq!((again.new_seats, again.already_held), (1, 8), "only u9 is new");
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn nested_groups_flatten_and_cycles_terminate() {
    let (_dir, conn) = tenant();
    let plan = changes::plan_assign(&conn, LOCAL, &[Group(ALL)]).unwrap();
    assert_eq!(plan.new_seats, 9, "Sales + Marketing + u9, u4 and u5 once");
    let cycle = changes::plan_assign(&conn, LOCAL, &[Group(CYCLE_A)]).unwrap();
    assert_eq!(cycle.new_seats, 2, "u10 and u11 through the cycle");
    changes::assign(&conn, &tester(), LOCAL, &[Group(CYCLE_A)]).unwrap();
    assert_eq!(holders(&conn, LOCAL), [10, 11]);
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn devices_count_only_where_the_pool_takes_devices() {
    let (_dir, conn) = tenant();
    let users_only = changes::plan_assign(&conn, LOCAL, &[Group(STUDIO)]).unwrap();
    assert_eq!(users_only.new_seats, 1, "u12 only");
    let devices_only = changes::plan_assign(&conn, DEVICE_APP, &[Group(STUDIO)]).unwrap();
    assert_eq!(devices_only.new_seats, 1, "LAPTOP-1 only");
    let both = changes::assign(&conn, &tester(), MIXED_APP, &[Group(STUDIO), Group(LAPTOPS)]).unwrap();
    assert_eq!(both.added, 4, "u12 and three laptops, LAPTOP-1 once");
    let err = changes::assign(&conn, &tester(), DEVICE_APP, &[User(1)]).unwrap_err();
    assert!(err.to_string().contains("device group"), "{err}");
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn unassign_keeps_seats_still_reached_and_says_why() {
    let (_dir, conn) = tenant();
    changes::assign(
        &conn,
        &tester(),
        LOCAL,
        &[Group(SALES), Group(MARKETING), User(1)],
    )
    .unwrap();
    let plan = changes::plan_unassign(&conn, LOCAL, &[Group(SALES)]).unwrap();
    assert_eq!(plan.released, ["u2@contoso.test", "u3@contoso.test"]);
    let kept: Vec<_> = plan.kept.iter().map(|(w, why)| format!("{w}: {why}")).collect();
    assert!(
        kept.contains(&"u1@contoso.test: also assigned directly".to_owned()),
        "{kept:?}"
    );
    assert!(
        kept.contains(&"u4@contoso.test: still reached through group Marketing".to_owned()),
        "{kept:?}"
    );
    assert_eq!((plan.before.consumed, plan.after.consumed), (8, 6));
    let out = changes::unassign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    assert_eq!((out.released, out.consumed_after), (2, 6));
    assert_eq!(holders(&conn, LOCAL), [1, 4, 5, 6, 7, 8]);
    let u4 = &seats(&conn, LOCAL)[1];
    assert_eq!(
        u4.2,
        Some(MARKETING),
        "the seat now points at the group that still reaches it"
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM group_assignments WHERE pool_id = 1"),
        1
    );
    // A direct user still reached via a group keeps the seat, direct flag cleared.
    changes::assign(&conn, &tester(), LOCAL, &[User(5)]).unwrap();
    let out = changes::unassign(&conn, &tester(), LOCAL, &[User(5), User(1)]).unwrap();
    assert_eq!(out.released, 1, "u1 goes, u5 stays");
    assert_eq!(
        out.kept,
        [(
            "u5@contoso.test".into(),
            "still reached through group Marketing (its direct assignment goes)".into()
        )]
    );
    assert!(!seats(&conn, LOCAL).iter().any(|s| s.1), "no direct flag left");
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn disabled_pending_and_agreement_pools_refuse_but_release() {
    let (_dir, conn) = tenant();
    let cases = [
        (DISABLED, "can never be reactivated"),
        (PENDING, "activate it on the publisher's site, record that"),
        (AGREEMENT, "counted from detected inventory"),
    ];
    for (pool, says) in cases {
        let err = changes::assign(&conn, &tester(), pool, &[User(1)]).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert!(err.to_string().contains(says), "{err}");
    }
    assert!(
        changes::plan_assign(&conn, DISABLED, &[User(1)])
            .unwrap()
            .refusal
            .is_some()
    );
    // Seats held before the pool was disabled can still be released.
    conn.execute_batch(
        "INSERT INTO assignments (pool_id, user_id, assigned_unix, assigned_by_code) VALUES (4, 1, 'x', 'y'), (4, 2, 'x', 'y');",
    )
    .unwrap();
    let out = changes::unassign(&conn, &tester(), DISABLED, &[User(1)]).unwrap();
    assert_eq!((out.released, out.consumed_after), (1, 1));
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn connector_pools_queue_an_outbox_row_and_local_pools_do_not() {
    let (_dir, conn) = tenant();
    let out = changes::assign(&conn, &tester(), GRAPH, &[User(1), Group(SALES)]).unwrap();
    assert!(out.queued);
    assert_eq!(out.connector.as_deref(), Some("Microsoft Graph"));
    let (op, state, payload): (String, String, String) = conn
        .query_row("SELECT operation, state, payload FROM outbox", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((op.as_str(), state.as_str()), ("assign_license", "pending"));
    let payload: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["sku_part_number"], "ENTERPRISEPACK");
    assert_eq!(payload["users"].as_array().unwrap().len(), 5);
    assert_eq!(payload["groups"][0]["name"], "Sales");
    let local = changes::assign(&conn, &tester(), LOCAL, &[User(1)]).unwrap();
    assert!(!local.queued);
    changes::unassign(&conn, &tester(), GRAPH, &[User(1)]).unwrap();
    assert_eq!(
        count(&conn, "SELECT count(*) FROM outbox"),
        2,
        "none for the local pool"
    );
    let op: String = conn
        .query_row("SELECT operation FROM outbox ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(op, "remove_license");
    check_cache(&conn);
}

#[test]
fn every_change_is_audited_with_its_figures() {
    let (_dir, conn) = tenant();
    let out = changes::assign(&conn, &tester(), LOCAL, &[Group(SALES), User(9)]).unwrap();
    changes::unassign(&conn, &tester(), LOCAL, &[User(9)]).unwrap();
    let rows = changes::audit_since(&conn, Some("2000-01-01")).unwrap();
    let shown: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.action.as_str(),
                r.pool.as_deref(),
                r.consumed_before,
                r.consumed_after,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("assign", Some("Local Tool"), Some(0), Some(6)),
            ("unassign", Some("Local Tool"), Some(6), Some(5))
        ]
    );
    assert_eq!(rows[0].principals, ["Sales", "u9@contoso.test"]);
    assert_eq!(rows[0].batch_id.as_deref(), Some(out.batch_id.as_str()));
    assert!(rows[0].at.ends_with('Z') && rows[0].result == "ok");
    assert!(
        changes::audit_since(&conn, Some("2999-01-01"))
            .unwrap()
            .is_empty()
    );
    check_cache(&conn);
}

#[test]
fn readers_strangers_and_read_only_sessions_may_not_change_seats_r_lic_6() {
    let (_dir, conn) = tenant();
    let before = checksum(&conn);
    let read_only = Actor {
        name: "tester".into(),
        read_only: true,
    };
    for (actor, says) in [
        (Actor::new("rita"), "has the reader role"),
        (Actor::new("mallory"), "not an admin"),
        (read_only, "--read-only"),
    ] {
        let err = changes::assign(&conn, &actor, LOCAL, &[User(1)]).unwrap_err();
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(err.to_string().contains(says), "{err}");
        assert!(
            err.to_string().contains("seats admins add") || says == "--read-only",
            "{err}"
        );
    }
    assert_eq!(checksum(&conn), before);
    let refused: Vec<(String, String)> = conn
        .prepare("SELECT actor, result FROM audit ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let actors: Vec<&str> = refused.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actors,
        ["rita", "mallory"],
        "refusals are audited; --read-only writes nothing"
    );
    assert!(
        refused.iter().all(|r| r.1.starts_with("refused: ")),
        "{refused:?}"
    );
    // License and user administrators may assign: the seat is theirs to give,
    // and the audit row names who gave it.
    for (admin, user) in [("lena", 1), ("uma", 2)] {
        let out = changes::assign(&conn, &Actor::new(admin), LOCAL, &[User(user)]).unwrap();
        assert_eq!(out.added, 1, "{admin}");
        let (actor, result, principals): (String, String, String) = conn
            .query_row(
                "SELECT actor, result, principals FROM audit WHERE batch_id = ?1",
                [&out.batch_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((actor.as_str(), result.as_str()), (admin, "ok"));
        assert_eq!(principals, format!("[\"u{user}@contoso.test\"]"));
    }
    assert_eq!(holders(&conn, LOCAL), [1, 2]);
    check_cache(&conn);
}

#[test]
fn admins_are_managed_by_global_admins_and_the_last_one_stays() {
    let (_dir, conn) = tenant();
    let err = changes::add_admin(&conn, &Actor::new("lena"), "bob", seats::domain::Role::Reader).unwrap_err();
    assert_eq!(err.exit_code(), 4);
    changes::add_admin(&conn, &tester(), "bob", seats::domain::Role::License).unwrap();
    let err = changes::remove_admin(&conn, &tester(), "tester").unwrap_err();
    assert!(
        matches!(err, ChangeError::Refused(Refusal::LastGlobalAdmin { .. })),
        "{err}"
    );
    let err = changes::add_admin(&conn, &tester(), "tester", seats::domain::Role::Reader).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert!(matches!(
        changes::remove_admin(&conn, &tester(), "nobody"),
        Err(ChangeError::NotFound(_))
    ));
    assert!(matches!(
        changes::add_admin(&conn, &tester(), "a b", seats::domain::Role::Reader),
        Err(ChangeError::Invalid(_))
    ));
    changes::remove_admin(&conn, &tester(), "bob").unwrap();
    let names: Vec<_> = changes::list_admins(&conn)
        .unwrap()
        .into_iter()
        .map(|a| a.os_user)
        .collect();
    assert_eq!(names, ["lena", "rita", "tester", "uma"]);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM audit WHERE action LIKE 'admin_%' AND result = 'ok'"
        ),
        2
    );
    let refused: Vec<(String, String)> = conn
        .prepare("SELECT actor, result FROM audit WHERE action LIKE 'admin_%' AND result <> 'ok' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(refused.len(), 3, "every refusal is audited: {refused:?}");
    assert_eq!(refused[0].0, "lena");
    assert!(refused[1].1.contains("last global administrator"), "{refused:?}");
    check_cache(&conn);
}

#[test]
fn a_demo_tenant_stays_consistent_through_a_round_of_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = seats::store::open(&dir.path().join("d.db"), seats::store::OpenMode::Create).unwrap();
    let options = seats::demo::DemoOptions {
        users: 300,
        seed: 3,
        actor: "tester".into(),
        ..Default::default()
    };
    seats::demo::generate(&mut conn, &options, &mut |_| {}).unwrap();
    assert_consistent(&conn);
    let group = changes::find_group(&conn, "Dept - Engineering").unwrap().unwrap();
    let pool: i64 = conn
        .query_row(
            "SELECT id FROM pools WHERE status = 'active' AND kind <> 'agreement' AND total IS NULL LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let out = changes::assign(&conn, &tester(), pool, &[Group(group)]).unwrap();
    assert_consistent(&conn);
    let user = changes::find_user(&conn, "nobody@nowhere.test").unwrap();
    assert!(user.is_none());
    changes::undo(&conn, &tester(), &out.batch_id).unwrap();
    assert_consistent(&conn);
    let someone: i64 = conn
        .query_row(
            "SELECT user_id FROM assignments WHERE user_id IS NOT NULL LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    changes::remove_user(&conn, &tester(), someone, true).unwrap();
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn previews_change_nothing_and_an_empty_list_is_bad_input() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[Group(SALES)]).unwrap();
    let before = checksum(&conn);
    let audit = count(&conn, "SELECT count(*) FROM audit");
    changes::plan_assign(&conn, LOCAL, &[Group(ALL)]).unwrap();
    changes::plan_unassign(&conn, LOCAL, &[Group(SALES)]).unwrap();
    assert_eq!(checksum(&conn), before);
    assert_eq!(count(&conn, "SELECT count(*) FROM audit"), audit);
    let err = changes::assign(&conn, &tester(), LOCAL, &[]).unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    let err = changes::plan_assign(&conn, 999, &[User(1)]).unwrap_err();
    assert!(
        matches!(err, ChangeError::NotFound(_)) && err.to_string().contains("999"),
        "{err}"
    );
    let err = changes::assign(&conn, &tester(), LOCAL, &[User(999)]).unwrap_err();
    assert!(err.to_string().contains("999"), "{err}");
    check_cache(&conn);
}
