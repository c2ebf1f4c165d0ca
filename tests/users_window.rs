//! The Users filter's first rows at scale (issue 11): whichever way the
//! store finds them (a walk of the UPN or name index, the trigram index for
//! the rarest word, its vocabulary for a two-letter word, the full query),
//! they are the first rows of the list a LIKE over every user gives, in the
//! same order, and the count that follows is that list's length.
#![allow(clippy::unwrap_used)]

mod common;

use rusqlite::{Connection, params};
use seats::app::PaneId;
use seats::store::{Page, PageRequest, users};

/// The whole list by hand: every word a LIKE over every user, sorted by
/// the column the pane sorts by (0 UPN, 1 name), ties by id.
fn by_like(conn: &Connection, words: &[&str], sort: usize, descending: bool) -> Vec<i64> {
    let mut sql = "SELECT id FROM users NOT INDEXED WHERE 1".to_owned();
    for _ in words {
        sql.push_str(
            " AND (upn || ' ' || display_name || ' ' || coalesce(department, '')) LIKE '%' || ? || '%'",
        );
    }
    let column = ["upn", "display_name"][sort];
    let direction = if descending { "DESC" } else { "ASC" };
    sql.push_str(&format!(
        " ORDER BY {column} COLLATE NOCASE {direction}, id {direction}"
    ));
    let mut stmt = conn.prepare(&sql).unwrap();
    let ids = stmt
        .query_map(rusqlite::params_from_iter(words.iter()), |r| r.get(0))
        .unwrap();
    ids.collect::<Result<_, _>>().unwrap()
}

fn window(
    conn: &Connection,
    words: &[&str],
    order: (usize, bool),
    at: (usize, usize),
    later: bool,
) -> Page<i64> {
    let request = PageRequest {
        filter: PaneId::Users.parse_filter(&words.join(" ")).unwrap(),
        as_of: Some(common::fixed_now().to_rfc3339()),
        sort: order.0,
        descending: order.1,
        offset: at.0,
        limit: at.1,
        count_later: later,
        ..PageRequest::default()
    };
    users::page(conn, &request).unwrap().map(|u| u.id)
}

#[test]
fn every_way_to_the_first_rows_gives_the_first_rows_of_the_whole_list() {
    let (_dir, _path, conn) = common::demo_db(2000);
    // Two-letter words only at the very end of a user's text, after an
    // ASCII and after a non-ASCII character: no trigram starts with them.
    // And a character no one else has, last.
    for (upn, department) in [
        ("ends.one@t.test", "Logistics-xq"),
        ("ends.two@t.test", "Réxj"),
        ("ends.three@t.test", "R&D~"),
    ] {
        conn.execute(
            "INSERT INTO users (upn, display_name, department) VALUES (?1, 'Plain Person', ?2)",
            params![upn, department],
        )
        .unwrap();
    }
    // A word in 300 users (13 %), all of them last in UPN and name order:
    // a walk from the top meets none of them.
    for n in 0..300 {
        conn.execute(
            "INSERT INTO users (upn, display_name) VALUES (?1, 'Zz Late')",
            params![format!("zzlate.{n}@t.test")],
        )
        .unwrap();
    }
    let rare: String = conn
        .query_row(
            "SELECT substr(upn, 1, instr(upn, '.') - 1) FROM users LIMIT 1 OFFSET 1234",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let searches: Vec<Vec<&str>> = vec![
        vec!["contoso"],
        vec!["a"],
        vec!["an"],
        vec!["xq"],
        vec!["xj"],
        vec!["qq"],
        vec!["~"],
        vec![rare.as_str()],
        vec!["son"],
        vec!["zzlate"],
        vec!["zzz"],
        vec!["ar", "aaa"],
        vec![rare.as_str(), "a"],
    ];
    let mut seen = 0;
    for words in &searches {
        for order in [(0, false), (0, true), (1, false), (1, true)] {
            let all = by_like(&conn, words, order.0, order.1);
            seen += all.len();
            let first = window(&conn, words, order, (0, 30), true);
            if first.count_pending() {
                // A screen's worth (a third of the window) or the whole window.
                let shown = first.rows.len();
                assert!(
                    [10, 30].contains(&shown),
                    "{words:?} {order:?}: {shown} rows first"
                );
            } else {
                assert_eq!(
                    first.count,
                    all.len(),
                    "{words:?} {order:?}: a short list is counted"
                );
            }
            assert_eq!(first.rows, all[..first.rows.len()], "{words:?} {order:?}");
            for offset in [0, 7] {
                let page = window(&conn, words, order, (offset, 30), false);
                let end = (offset + 30).min(all.len());
                assert_eq!(
                    page.rows,
                    all[offset.min(end)..end],
                    "{words:?} {order:?} at {offset}"
                );
                assert_eq!(page.count, all.len(), "{words:?} {order:?}: the count");
            }
        }
    }
    assert_eq!(by_like(&conn, &["xq"], 0, false).len(), 1);
    assert_eq!(by_like(&conn, &["xj"], 0, false).len(), 1);
    assert_eq!(by_like(&conn, &["~"], 0, false).len(), 1);
    assert!(seen > 2000 * 4, "the searches must find users, found {seen}");
}

#[test]
fn the_command_line_list_streams_the_same_users_in_every_format() {
    let (_dir, _path, conn) = common::demo_db(300);
    let now = common::fixed_now();
    let filter = || PaneId::Users.parse_filter("contoso").unwrap();
    let json = seats::headless::users(&conn, filter(), seats::output::Format::Json, now).unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let upns: Vec<&str> = rows.iter().map(|r| r["upn"].as_str().unwrap()).collect();
    let ids = by_like(&conn, &["contoso"], 0, false);
    assert_eq!(upns.len(), ids.len());
    let csv = seats::headless::users(&conn, filter(), seats::output::Format::Csv, now).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "upn,display_name,enabled,pools");
    assert_eq!(lines.len(), ids.len() + 1);
    for (line, upn) in lines[1..].iter().zip(&upns) {
        assert!(line.starts_with(&format!("{upn},")), "{line} is {upn}'s row");
    }
    let none = seats::headless::users(
        &conn,
        PaneId::Users.parse_filter("qqqq").unwrap(),
        seats::output::Format::Json,
        now,
    );
    assert_eq!(none.unwrap(), "[]\n");
}
