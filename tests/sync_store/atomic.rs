//! A pull is all or nothing (R-CON-8, architecture §3): staged pages take
//! no lock and leave nothing behind; a commit that fails leaves every table
//! as it was; records that can never be written are refused by name.

use seats::store::sync::{PullError, PullKind, PullStage};

use crate::common::demo_db;
use crate::pull::user;
use crate::source::{GRAPH, Source, dump};
use crate::{USERS, check_clean};

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
