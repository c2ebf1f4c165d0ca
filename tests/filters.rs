//! The filter language on real lists (R-LIC-1 "filter by any column",
//! R-APP-9): conditions keep exactly the rows they describe, checked
//! against the unfiltered rows; plain words still search text; a bad filter
//! is refused with the term named and never widens a list.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Duration, NaiveDate};
use rusqlite::Connection;
use seats::app::PaneId;
use seats::domain::Filter;
use seats::store::{PageRequest, apps, pools, reclaim, users};

fn as_of() -> Option<String> {
    Some(common::fixed_now().to_rfc3339())
}

fn request(pane: PaneId, typed: &str) -> PageRequest {
    PageRequest {
        filter: pane.parse_filter(typed).unwrap(),
        as_of: as_of(),
        limit: 1_000_000,
        ..PageRequest::default()
    }
}

fn pools_where(conn: &Connection, typed: &str) -> Vec<pools::PoolRow> {
    pools::page(conn, &request(PaneId::Licenses, typed)).unwrap().rows
}

fn all_pools(conn: &Connection) -> Vec<pools::PoolRow> {
    pools::list(conn, None, as_of()).unwrap()
}

fn names(rows: &[pools::PoolRow]) -> Vec<String> {
    let mut names: Vec<String> = rows.iter().map(|p| format!("{}#{}", p.name, p.id)).collect();
    names.sort();
    names
}

/// The pools `keep` accepts, by the same figures the table shows.
fn expected(conn: &Connection, keep: impl Fn(&pools::PoolRow) -> bool) -> Vec<String> {
    let all = all_pools(conn);
    names(&all.into_iter().filter(|p| keep(p)).collect::<Vec<_>>())
}

fn today() -> NaiveDate {
    common::fixed_now().date_naive()
}

fn ends(p: &pools::PoolRow) -> Option<NaiveDate> {
    p.detail
        .expires_on
        .as_deref()
        .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap())
}

/// Which pools a condition should keep, by the figures the table shows.
type Keep = Box<dyn Fn(&pools::PoolRow) -> bool>;

#[test]
fn the_conditions_of_the_licenses_pane_keep_exactly_their_rows() {
    let (_dir, _path, conn) = common::demo_db(300);
    let cases: Vec<(&str, Keep)> = vec![
        ("free<10", Box::new(|p| p.available.is_some_and(|a| a < 10))),
        ("free>=10", Box::new(|p| p.available.is_none_or(|a| a >= 10))),
        (
            "used>=90%",
            Box::new(|p| p.total.is_some_and(|t| t > 0 && p.consumed * 100 >= 90 * t)),
        ),
        (
            "expires<60d",
            Box::new(|p| ends(p).is_some_and(|d| d < today() + Duration::days(60))),
        ),
        ("kind:m365", Box::new(|p| p.kind.as_str() == "m365")),
        ("status:disabled", Box::new(|p| p.status.as_str() == "disabled")),
        ("!kind:vpp", Box::new(|p| p.kind.as_str() != "vpp")),
        (
            "kind:m365 free<10 !status:expired",
            Box::new(|p| {
                p.kind.as_str() == "m365"
                    && p.available.is_some_and(|a| a < 10)
                    && p.status.as_str() != "expired"
            }),
        ),
        ("total>1000000", Box::new(|p| p.total.is_none())),
        (
            "office !e5",
            Box::new(|p| {
                let text = format!(
                    "{} {} {}",
                    p.name,
                    p.kind,
                    p.detail.sku_part_number.clone().unwrap_or_default()
                )
                .to_lowercase();
                text.contains("office") && !text.contains("e5")
            }),
        ),
    ];
    for (typed, keep) in cases {
        let got = names(&pools_where(&conn, typed));
        let want = expected(&conn, keep);
        assert!(!want.is_empty(), "{typed}: the demo has such pools");
        assert_eq!(got, want, "{typed}");
    }
}

#[test]
fn share_conditions_leave_out_pools_without_a_share() {
    let (_dir, _path, conn) = common::demo_db(300);
    let used = pools_where(&conn, "used>=0%");
    assert!(used.iter().all(|p| p.total.is_some_and(|t| t > 0)));
    assert!(
        all_pools(&conn).iter().any(|p| p.total.is_none()),
        "unlimited exist"
    );
}

#[test]
fn apps_and_users_offer_their_own_fields() {
    let (_dir, _path, conn) = common::demo_db(300);
    let all_apps = apps::page(&conn, &request(PaneId::Apps, "")).unwrap().rows;
    let low = apps::page(&conn, &request(PaneId::Apps, "free<10")).unwrap().rows;
    let want: Vec<i64> = all_apps
        .iter()
        .filter(|a| a.pool_id.is_some() && a.total.is_some_and(|t| t - a.consumed.unwrap_or(0) < 10))
        .map(|a| a.id)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(low.iter().map(|a| a.id).collect::<Vec<_>>(), want);

    let everyone = users::page(&conn, &request(PaneId::Users, "")).unwrap().rows;
    let off = users::page(&conn, &request(PaneId::Users, "enabled:false"))
        .unwrap()
        .rows;
    assert!(!off.is_empty() && off.iter().all(|u| !u.enabled));
    assert_eq!(off.len(), everyone.iter().filter(|u| !u.enabled).count());
    let holds = |u: &users::UserRow| u.pool_names.iter().any(|n| n.to_lowercase().contains("visio"));
    let visio = users::page(&conn, &request(PaneId::Users, "pool:VISIO"))
        .unwrap()
        .rows;
    assert!(!visio.is_empty() && visio.iter().all(holds));
    assert_eq!(visio.len(), everyone.iter().filter(|u| holds(u)).count());
    let without = users::page(&conn, &request(PaneId::Users, "!pool:visio"))
        .unwrap()
        .rows;
    assert_eq!(without.len(), everyone.len() - visio.len());
    let busy = users::page(&conn, &request(PaneId::Users, "seats>10 !state:disabled"))
        .unwrap()
        .rows;
    assert!(!busy.is_empty());
    assert!(
        busy.iter()
            .all(|u| u.pools.len() > 10 && (u.enabled || u.deleted))
    );
}

#[test]
fn plain_words_still_search_text_in_any_case() {
    let (_dir, _path, conn) = common::demo_db(300);
    let rows = users::page(&conn, &request(PaneId::Users, "ADAM sales"))
        .unwrap()
        .rows;
    assert!(!rows.is_empty());
    for user in &rows {
        let text = format!(
            "{} {} {}",
            user.upn,
            user.display_name,
            user.department.clone().unwrap_or_default()
        )
        .to_lowercase();
        assert!(text.contains("adam") && text.contains("sales"), "{text}");
    }
}

#[test]
fn an_invalid_filter_lists_and_releases_nothing() {
    let (_dir, _path, conn) = common::demo_db(300);
    assert!(PaneId::Reclaim.parse_filter("inactive<abc").is_err());
    let never = PageRequest {
        filter: Some(Filter::never()),
        as_of: as_of(),
        ..PageRequest::default()
    };
    assert!(reclaim::all_ids(&conn, &never).unwrap().is_empty());
    let everything = PageRequest {
        as_of: as_of(),
        ..PageRequest::default()
    };
    assert!(!reclaim::all_ids(&conn, &everything).unwrap().is_empty());
}

#[test]
fn users_filter_on_the_command_line_reads_conditions_and_refuses_unknown_fields() {
    let (dir, path, _conn) = common::demo_db(300);
    let db = path.to_str().unwrap();
    let out = common::run_seats(
        dir.path(),
        &[
            "users",
            "--db",
            db,
            "--format",
            "json",
            "--filter",
            "enabled:false",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!listed.is_empty());
    assert!(listed.iter().all(|u| u["enabled"] == false));

    let out = common::run_seats(dir.path(), &["users", "--db", db, "--filter", "colour:red"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = common::text(&out.stderr);
    assert!(stderr.contains("colour:red"), "{stderr}");
    assert!(
        stderr.contains("upn, name, dept, state"),
        "lists the fields: {stderr}"
    );
}
