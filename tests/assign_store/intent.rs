//! The intent of app seats (R-APP-7): audited, undoable, refused where it
//! means nothing, and uninstall frees a seat only once the app is gone.

use super::fixture::*;
use seats::domain::Principal::{Group, User};
use seats::store::changes::{self, Refusal};

fn seat_ids(conn: &rusqlite::Connection, pool: i64) -> Vec<i64> {
    conn.prepare("SELECT id FROM assignments WHERE pool_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([pool], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn intents(conn: &rusqlite::Connection, pool: i64) -> Vec<String> {
    conn.prepare("SELECT intent FROM assignments WHERE pool_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([pool], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn an_intent_change_is_previewed_audited_and_undone() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), MIXED_APP, &[Group(SALES)]).unwrap();
    let ids = seat_ids(&conn, MIXED_APP);
    let before = checksum(&conn);
    let plans = changes::plan_intent(&conn, &ids[..3], "available").unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!((plans[0].changing, plans[0].unchanged), (3, 0));
    assert_eq!(
        plans[0].names,
        ["u1@contoso.test", "u2@contoso.test", "u3@contoso.test"]
    );
    assert_eq!(checksum(&conn), before, "a plan changes nothing");
    let out = changes::set_intent(&conn, &tester(), &ids[..3], "available").unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].consumed_after, out[0].consumed_before,
        "no seat taken or freed"
    );
    assert_eq!(
        intents(&conn, MIXED_APP),
        ["available", "available", "available", "required", "required"]
    );
    let again = changes::plan_intent(&conn, &ids, "available").unwrap();
    assert_eq!((again[0].changing, again[0].unchanged), (2, 3));
    let audit: (String, String) = conn
        .query_row(
            "SELECT principals, detail FROM audit WHERE action = 'set_intent' AND result = 'ok'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(audit.0.contains("u3@contoso.test"), "{audit:?}");
    assert!(audit.1.contains("\"intent\":\"available\""), "{audit:?}");
    assert_eq!(
        count(&conn, "SELECT count(*) FROM outbox"),
        0,
        "no store has intents: nothing is queued"
    );
    changes::undo(&conn, &tester(), &out[0].batch_id).unwrap();
    assert_eq!(intents(&conn, MIXED_APP), ["required"; 5]);
    assert_consistent(&conn);
    check_cache(&conn);
}

#[test]
fn license_pools_have_no_intent_and_unknown_intents_are_bad_input() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[User(1)]).unwrap();
    let ids = seat_ids(&conn, LOCAL);
    let err = changes::set_intent(&conn, &tester(), &ids, "uninstall").unwrap_err();
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(matches!(
        err,
        changes::ChangeError::Refused(Refusal::NotAssignable { .. })
    ));
    assert!(err.to_string().contains("only app seats have an intent"), "{err}");
    let err = changes::set_intent(&conn, &tester(), &ids, "sometimes").unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    assert_eq!(intents(&conn, LOCAL), ["required"]);
    let err = changes::set_intent(
        &conn,
        &seats::store::changes::Actor::new("rita"),
        &ids,
        "available",
    );
    assert_eq!(err.unwrap_err().exit_code(), 4, "readers may not");
    check_cache(&conn);
}

#[test]
fn uninstall_waits_for_the_app_to_be_reported_removed() {
    let (_dir, conn) = tenant();
    conn.execute_batch(
        "INSERT INTO apps (id, name, platform, source, license_type) VALUES (1, 'Studio App', 'windows', 'store_business', 'offline');
         UPDATE pools SET app_id = 1 WHERE id = 9;
         INSERT INTO installs (app_id, user_id, state, updated_at) VALUES (1, 1, 'installed', 'x'), (1, 2, 'not_installed', 'x');",
    )
    .unwrap();
    changes::assign(&conn, &tester(), MIXED_APP, &[User(1), User(2), User(3)]).unwrap();
    let ids = seat_ids(&conn, MIXED_APP);
    let plans = changes::plan_intent(&conn, &ids, "uninstall").unwrap();
    assert_eq!(plans[0].frees_now, 2, "u2 removed it, u3 never had it");
    changes::set_intent(&conn, &tester(), &ids, "uninstall").unwrap();
    assert_eq!(
        changes::uninstalled_seats(&conn, Some(MIXED_APP)).unwrap(),
        [ids[1], ids[2]]
    );
    conn.execute(
        "UPDATE installs SET state = 'not_installed' WHERE user_id = 1",
        [],
    )
    .unwrap();
    assert_eq!(changes::uninstalled_seats(&conn, None).unwrap(), ids);
    check_cache(&conn);
}
