//! The Users filter's trigram index (issue 11, migration 0017): plain words
//! find exactly the users a LIKE over UPN, name and department finds, in the
//! same order, and the index follows every insert, rename and delete.
#![allow(clippy::unwrap_used)]

mod common;

use rusqlite::{Connection, params};
use seats::app::PaneId;
use seats::store::{PageRequest, users};

fn filtered(conn: &Connection, typed: &str) -> Vec<i64> {
    let request = PageRequest {
        filter: PaneId::Users.parse_filter(typed).unwrap(),
        as_of: Some(common::fixed_now().to_rfc3339()),
        limit: 1_000_000,
        ..PageRequest::default()
    };
    let page = users::page(conn, &request).unwrap();
    assert_eq!(page.count, page.rows.len(), "count of {typed:?}");
    page.rows.iter().map(|u| u.id).collect()
}

/// The same search without the index: every word a LIKE over every row.
fn by_like(conn: &Connection, words: &[&str]) -> Vec<i64> {
    let mut sql = "SELECT id FROM users NOT INDEXED WHERE 1".to_owned();
    for _ in words {
        sql.push_str(
            " AND (upn || ' ' || display_name || ' ' || coalesce(department, '')) \
             LIKE '%' || ? || '%' ESCAPE '\\'",
        );
    }
    sql.push_str(" ORDER BY upn COLLATE NOCASE, id");
    let escaped: Vec<String> = words
        .iter()
        .map(|w| w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
        .collect();
    let mut stmt = conn.prepare(&sql).unwrap();
    let ids = stmt
        .query_map(rusqlite::params_from_iter(escaped.iter()), |r| r.get(0))
        .unwrap();
    ids.collect::<Result<_, _>>().unwrap()
}

#[test]
fn plain_words_find_what_a_like_finds() {
    let (_dir, _path, conn) = common::demo_db(300);
    let (upn, name, dept): (String, String, String) = conn
        .query_row(
            "SELECT upn, display_name, department FROM users WHERE department IS NOT NULL \
             ORDER BY id LIMIT 1 OFFSET 17",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let local = upn.split('@').next().unwrap().to_owned();
    let searches: Vec<Vec<String>> = vec![
        vec![local[..4].to_uppercase()],
        vec![name.clone()],
        vec![dept.to_lowercase(), local[1..4].to_owned()],
        // Across the fields' joins, as the LIKE over the joined text finds.
        vec![format!("{} {}", &upn[upn.len() - 3..], &name[..2])],
        vec!["contoso".into()],
        vec!["zzz".into()],
        vec!["a_b".into()],
        vec!["100%".into()],
        vec!["ma".into()],
        vec!["ar".into(), "aaa".into()],
    ];
    let mut found = 0;
    for words in &searches {
        let typed: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
        let got = filtered(&conn, &typed.join(" "));
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        assert_eq!(got, by_like(&conn, &refs), "search {words:?}");
        found += got.len();
    }
    assert!(found > 300, "the searches must find users, found {found}");
}

#[test]
fn the_index_follows_inserts_renames_and_deletes() {
    let (_dir, _path, conn) = common::demo_db(300);
    let id: i64 = conn
        .query_row("SELECT id FROM users ORDER BY id LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!(filtered(&conn, "quetzalcoatl").is_empty());
    conn.execute(
        "UPDATE users SET display_name = 'Xochitl Quetzalcoatl' WHERE id = ?",
        params![id],
    )
    .unwrap();
    assert_eq!(filtered(&conn, "quetzalcoatl"), vec![id]);
    conn.execute(
        "UPDATE users SET department = 'Zymurgy' WHERE id = ?",
        params![id],
    )
    .unwrap();
    assert_eq!(filtered(&conn, "zymurgy quetzal"), vec![id]);
    conn.execute(
        "UPDATE users SET display_name = 'Plain Name' WHERE id = ?",
        params![id],
    )
    .unwrap();
    assert!(filtered(&conn, "quetzalcoatl").is_empty(), "the old name is gone");
    conn.execute(
        "INSERT INTO users (upn, display_name) VALUES ('new.hire@contoso-demo.example', 'Wendelin Brzezinski')",
        [],
    )
    .unwrap();
    let new_id = conn.last_insert_rowid();
    assert_eq!(filtered(&conn, "brzezinski"), vec![new_id]);
    conn.execute("DELETE FROM users WHERE id = ?", params![new_id])
        .unwrap();
    assert!(filtered(&conn, "brzezinski").is_empty());
    let entries: i64 = conn
        .query_row(
            "SELECT count(*) FROM users_search WHERE users_search MATCH '\"wen\" \"lin\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(entries, 0, "the deleted user's trigrams left the index");
}

#[test]
fn a_cache_from_before_the_index_gets_it_filled_on_open() {
    let (_dir, path, conn) = common::demo_db(300);
    let before = filtered(&conn, "contoso");
    // Schema 16 had the users without their index, and (until 0025) the
    // group members in one table, which 0025 splits again, with no count
    // on the group (0026).
    conn.execute_batch(
        "DROP TRIGGER users_search_insert; DROP TRIGGER users_search_update;
         DROP TRIGGER users_search_delete; DROP TABLE users_search;
         CREATE TABLE old_members AS SELECT * FROM group_members;
         DROP VIEW group_members; ALTER TABLE old_members RENAME TO group_members;
         DROP TABLE group_user_members; DROP TABLE group_device_members; DROP TABLE group_child_groups;
         ALTER TABLE groups DROP COLUMN member_count;
         PRAGMA user_version = 16;",
    )
    .unwrap();
    drop(conn);
    let conn = seats::store::open(&path, seats::store::OpenMode::MustExist).unwrap();
    assert!(before.len() >= 300);
    assert_eq!(filtered(&conn, "contoso"), before);
}

/// A window that comes back short ends the list, so its count is taken from
/// it (no second pass); every other window still counts the whole list.
#[test]
fn counts_agree_whether_or_not_the_window_reaches_the_end() {
    let (_dir, _path, conn) = common::demo_db(300);
    let total = filtered(&conn, "contoso").len();
    let window = |offset: usize, limit: usize| {
        let request = PageRequest {
            filter: PaneId::Users.parse_filter("contoso").unwrap(),
            as_of: Some(common::fixed_now().to_rfc3339()),
            offset,
            limit,
            ..PageRequest::default()
        };
        let page = users::page(&conn, &request).unwrap();
        (page.rows.len(), page.count)
    };
    assert_eq!(window(0, 10), (10, total));
    assert_eq!(window(total - 3, 10), (3, total));
    assert_eq!(window(total + 50, 10), (0, total), "past the end");
    assert_eq!(window(0, total + 1), (total, total));
}
