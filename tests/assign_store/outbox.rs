//! Undo and the outbox (issue 6 item 6): changes never sent to the source
//! are cancelled, not answered with the opposite change.

use super::fixture::*;
use seats::domain::Principal::{Group, User};
use seats::store::changes;

fn outbox(conn: &rusqlite::Connection) -> Vec<(String, String, Option<String>)> {
    conn.prepare("SELECT operation, state, cancelled_by FROM outbox ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn undo_cancels_pending_rows_instead_of_queueing_the_opposite() {
    let (_dir, conn) = tenant();
    let first = changes::assign(&conn, &tester(), GRAPH, &[Group(SALES)]).unwrap();
    changes::assign(&conn, &tester(), GRAPH, &[User(9)]).unwrap();
    let pending = "SELECT count(*) FROM outbox WHERE state = 'pending'";
    assert_eq!(count(&conn, pending), 2);
    let undone = changes::undo(&conn, &tester(), &first.batch_id).unwrap();
    assert_eq!(undone.len(), 1);
    assert_eq!((undone[0].released, undone[0].cancelled), (5, 1));
    assert!(!undone[0].queued, "nothing new for the source");
    assert_eq!(count(&conn, pending), 1, "only u9's assignment is left to send");
    let rows = outbox(&conn);
    assert_eq!(rows.len(), 2, "no remove_license queued: {rows:?}");
    assert_eq!(
        (rows[0].0.as_str(), rows[0].1.as_str()),
        ("assign_license", "cancelled")
    );
    assert_eq!(rows[0].2.as_deref(), Some(undone[0].batch_id.as_str()));
    let (result, detail): (String, String) = conn
        .query_row(
            "SELECT result, detail FROM audit WHERE batch_id = ?1 AND result LIKE 'ok: cancelled%'",
            [&undone[0].batch_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(result, "ok: cancelled 1 change not yet sent to Microsoft Graph");
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["outbox_cancelled"], serde_json::json!([1]));
    assert_eq!(detail["operations"], serde_json::json!(["assign_license"]));
    assert_eq!(holders(&conn, GRAPH), [9]);
    check_cache(&conn);
}

#[test]
fn rows_the_source_has_seen_or_tried_get_the_opposite_change_queued() {
    let (_dir, conn) = tenant();
    let applied = changes::assign(&conn, &tester(), GRAPH, &[User(1)]).unwrap();
    let tried = changes::assign(&conn, &tester(), GRAPH, &[User(2)]).unwrap();
    let failed = changes::assign(&conn, &tester(), GRAPH, &[User(3)]).unwrap();
    conn.execute_batch(
        "UPDATE outbox SET state = 'applied', attempts = 1 WHERE id = 1;
         UPDATE outbox SET attempts = 1, last_error = 'timeout' WHERE id = 2;
         UPDATE outbox SET state = 'failed', attempts = 3 WHERE id = 3;",
    )
    .unwrap();
    for batch in [&failed, &tried, &applied] {
        let undone = changes::undo(&conn, &tester(), &batch.batch_id).unwrap();
        assert_eq!((undone[0].cancelled, undone[0].queued), (0, true));
    }
    let states: Vec<(String, String)> = outbox(&conn).into_iter().map(|r| (r.0, r.1)).collect();
    let expect = |op: &str, state: &str| (op.to_owned(), state.to_owned());
    assert_eq!(
        states,
        [
            expect("assign_license", "applied"),
            expect("assign_license", "pending"),
            expect("assign_license", "failed"),
            expect("remove_license", "pending"),
            expect("remove_license", "pending"),
            expect("remove_license", "pending"),
        ]
    );
    check_cache(&conn);
}

#[test]
fn undo_of_a_removed_user_cancels_every_unsent_pool_change() {
    let (_dir, conn) = tenant();
    changes::assign(&conn, &tester(), LOCAL, &[User(1)]).unwrap();
    changes::assign(&conn, &tester(), GRAPH, &[User(1)]).unwrap();
    conn.execute("UPDATE outbox SET state = 'applied'", []).unwrap();
    let removed = changes::remove_user(&conn, &tester(), 1, false).unwrap();
    assert_eq!(
        count(&conn, "SELECT count(*) FROM outbox WHERE state = 'pending'"),
        1
    );
    changes::undo(&conn, &tester(), &removed[0].batch_id).unwrap();
    assert_eq!(
        count(&conn, "SELECT count(*) FROM outbox WHERE state = 'pending'"),
        0,
        "the removal never reached Graph, and the seat it had is back"
    );
    assert_eq!(holders(&conn, GRAPH), [1]);
    check_cache(&conn);
}
