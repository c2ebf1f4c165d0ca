//! `seats import installs FILE` (issue 8 review, B2; R-APP-7, R-APP-9):
//! install reports come in by file, all or nothing, replacing the installs
//! of the apps the file names; a seat set to uninstall is freed once a
//! report no longer lists its app installed.

use crate::common::cache::Cache;

/// A seat of an app pool held directly by a user: (seat id, pool id, app
/// id, app name, UPN).
fn app_seat(cache: &Cache) -> (i64, i64, i64, String, String) {
    rusqlite::Connection::open(&cache.db)
        .unwrap()
        .query_row(
            "SELECT a.id, p.id, p.app_id, ap.name, u.upn FROM assignments a JOIN pools p ON p.id = a.pool_id \
             JOIN apps ap ON ap.id = p.app_id JOIN users u ON u.id = a.user_id \
             WHERE a.state = 'active' AND a.via_group_id IS NULL \
               AND (SELECT count(*) FROM apps x WHERE x.name = ap.name) = 1 \
             ORDER BY p.id, a.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
}

/// Every install and report row, to compare before and after.
fn installs(cache: &Cache) -> Vec<String> {
    let conn = rusqlite::Connection::open(&cache.db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT 'i' || app_id || '|' || coalesce(user_id, '') || '|' || coalesce(device_id, '') || '|' || state \
             || '|' || coalesce(error, '') || '|' || updated_at FROM installs \
             UNION ALL SELECT 'r' || app_id || '|' || reported_at || '|' || file FROM install_reports ORDER BY 1",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_good_file_replaces_the_installs_of_the_apps_it_names() {
    let cache = Cache::new();
    let (_, pool, app, name, upn) = app_seat(&cache);
    let other_apps = cache.count(&format!("SELECT count(*) FROM installs WHERE app_id <> {app}"));
    let text = format!(
        "\u{feff}App,User,Device,State,When,Error,Comment\r\n\
         {pool},{upn},,installed,2026-11-30T08:15:00Z,,first\r\n\
         \"{name}\",,LT-00001,failed,2026-11-30T09:00:00+01:00,0x87D1041C,second\r\n"
    );
    let file = cache.file("installs.csv", text.as_bytes());
    let (stdout, _) = cache.expect(&["import", "installs", &file], 0);
    assert!(
        stdout.starts_with("imported 2 installs of 1 app from "),
        "{stdout}"
    );
    assert_eq!(
        cache.count(&format!("SELECT count(*) FROM installs WHERE app_id = {app}")),
        2
    );
    assert_eq!(
        cache.count(&format!(
            "SELECT count(*) FROM installs WHERE app_id = {app} AND state = 'failed' AND error = '0x87D1041C' \
             AND updated_at = '2026-11-30T08:00:00Z' AND device_id = (SELECT id FROM devices WHERE name = 'LT-00001')"
        )),
        1
    );
    assert_eq!(
        cache.count(&format!("SELECT count(*) FROM installs WHERE app_id <> {app}")),
        other_apps,
        "the installs of apps the file does not name stay"
    );
    assert_eq!(
        cache.count(&format!(
            "SELECT count(*) FROM install_reports WHERE app_id = {app} AND file = 'installs.csv'"
        )),
        1
    );
    assert_eq!(
        cache.count("SELECT count(*) FROM audit WHERE action = 'installs_import' AND result = 'ok'"),
        1
    );
}

#[test]
fn a_bad_line_is_named_and_nothing_is_imported() {
    let cache = Cache::new();
    let (_, pool, _, _, upn) = app_seat(&cache);
    let before = installs(&cache);
    let text = format!(
        "app,user,device,state,when,error\n\
         {pool},{upn},,installed,2026-11-30T08:15:00Z,\n\
         {pool},nobody@nowhere.example,,done,yesterday,\n\
         No Such App,{upn},,pending,,\n"
    );
    let file = cache.file("bad.csv", text.as_bytes());
    let (stdout, stderr) = cache.expect(&["import", "installs", &file], 2);
    assert_eq!(stdout, "");
    for expected in [
        "bad.csv: nothing was imported: 4 problems",
        "line 3, column 2 (user): no user \"nobody@nowhere.example\"",
        "line 3, column 4 (state): state \"done\" is none of",
        "line 3, column 5 (when): \"yesterday\" is no RFC 3339 time",
        "line 4, column 1 (app): no app \"No Such App\"",
    ] {
        assert!(stderr.contains(expected), "{expected:?} missing from:\n{stderr}");
    }
    assert_eq!(installs(&cache), before, "nothing changed");
}

/// R-APP-7: the seat set to uninstall stays while its app is reported
/// installed, and is freed (audited) once a report no longer lists it.
#[test]
fn an_uninstall_seat_is_freed_once_a_report_without_the_install_is_imported() {
    let cache = Cache::new();
    let (seat, pool, _, _, upn) = app_seat(&cache);
    let conn = rusqlite::Connection::open(&cache.db).unwrap();
    conn.execute("UPDATE assignments SET intent_code = 2 WHERE id = ?1", [seat])
        .unwrap();
    drop(conn);
    let held = || cache.count(&format!("SELECT count(*) FROM assignments WHERE id = {seat}"));
    let installed = format!("app,user,state\n{pool},{upn},installed\n");
    let file = cache.file("monday.csv", installed.as_bytes());
    let (stdout, _) = cache.expect(&["import", "installs", &file], 0);
    assert!(!stdout.contains("freed"), "{stdout}");
    assert_eq!(held(), 1, "still installed: the seat stays");

    let removed = format!("app,user,state\n{pool},{upn},not_installed\n");
    let file = cache.file("tuesday.csv", removed.as_bytes());
    let (stdout, _) = cache.expect(&["import", "installs", &file], 0);
    assert!(stdout.contains("set to uninstall freed"), "{stdout}");
    assert_eq!(held(), 0, "the removal was reported: the seat is free");
    assert_eq!(
        cache.count(&format!(
            "SELECT count(*) FROM audit WHERE action = 'release' AND detail LIKE '%removal was reported%' \
             AND pool_id = {pool}"
        )),
        1
    );
    cache.expect(&["check"], 0);
}

/// The installs of `app` the Installs view lists under `filter`, by state.
fn listed(cache: &Cache, app: i64, filter: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(&cache.db).unwrap();
    let request = seats::store::PageRequest {
        scope: Some(app),
        filter: seats::app::PaneId::Installs.parse_filter(filter).unwrap(),
        limit: 100,
        ..seats::store::PageRequest::default()
    };
    let page = seats::store::installs::page(&conn, &request).unwrap();
    page.rows.into_iter().map(|r| r.state).collect()
}

/// B8 (R-APP-9): "not installed" is counted with the other states, and
/// the filter takes the state as the screen shows it or as stored.
#[test]
fn not_installed_is_counted_and_filtered_as_the_screen_shows_it() {
    let cache = Cache::new();
    let (_, pool, app, _, upn) = app_seat(&cache);
    let text = format!(
        "app,user,device,state\n{pool},{upn},,not_installed\n{pool},,LT-00001,not installed\n{pool},,LT-00002,installed\n"
    );
    let file = cache.file("installs.csv", text.as_bytes());
    cache.expect(&["import", "installs", &file], 0);
    let not_installed = vec!["not_installed".to_owned(), "not_installed".to_owned()];
    for filter in [
        "state=\"not installed\"",
        "state=not_installed",
        "state:not",
        "state:\"not inst\"",
    ] {
        assert_eq!(listed(&cache, app, filter), not_installed, "{filter}");
    }
    assert_eq!(
        listed(&cache, app, "state=installed"),
        vec!["installed".to_owned()]
    );
    let conn = rusqlite::Connection::open(&cache.db).unwrap();
    let request = seats::store::PageRequest {
        limit: 10_000,
        ..seats::store::PageRequest::default()
    };
    let apps = seats::store::apps::page(&conn, &request).unwrap().rows;
    let row = apps.iter().find(|a| a.id == app).unwrap();
    assert_eq!((row.installed, row.not_installed), (1, 2));
    assert!(row.reported_at.is_some(), "the report's time is shown");
}
