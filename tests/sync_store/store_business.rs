//! A Store for Business pull written into the cache (issue 8): one app and
//! pool per inventory entry named for its licence type (R-APP-2), the
//! encrypted app skipped with its reason in the run's report (R-APP-3),
//! dropped apps removed unless a pending change names them, seats of
//! online apps mirrored, another tenant refused with nothing written
//! (R-CON-2, R-CON-8), audit only when something changed.

use rusqlite::Connection;
use seats::domain::store_business::*;
use seats::store::sync_store_business::{self, StoreApp, StorePull, StoreSummary};

use super::{check_clean, count};
use crate::common::{demo_db, fixed_now};

/// The demo's Store connector.
const STORE: i64 = 4;
const TENANT: &str = "contoso-tenant";

/// The store as the cache holds it now.
struct Source {
    tenant: String,
    apps: Vec<StoreApp>,
    seats: Vec<StoreSeat>,
}

fn sku(online: bool) -> &'static str {
    if online { "0010" } else { "0016" }
}

impl Source {
    fn from_cache(conn: &Connection) -> Source {
        let mut stmt = conn
            .prepare(
                "SELECT a.external_id, a.name, a.license_type = 'online', a.encrypted, coalesce(p.total, 25), \
                 coalesce(p.consumed, 0) FROM apps a LEFT JOIN pools p ON p.app_id = a.id \
                 WHERE a.connector_id = ?1 ORDER BY a.id",
            )
            .unwrap();
        let apps = stmt
            .query_map([STORE], |r| {
                let (product, name, online, encrypted): (String, String, bool, bool) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                let (total, consumed): (i64, i64) = (r.get(4)?, r.get(5)?);
                let key = ProductKey::new(product, sku(online));
                let base = name
                    .trim_end_matches(" (Online)")
                    .trim_end_matches(" (Offline)")
                    .to_owned();
                Ok(StoreApp {
                    entry: InventoryEntry {
                        key: key.clone(),
                        license_type: if online {
                            StoreLicenseType::Online
                        } else {
                            StoreLicenseType::Offline
                        },
                        distribution: DistributionPolicy::Restricted,
                        status: InventoryStatus::Active,
                        seat_capacity: total,
                        available_seats: if online { total - consumed } else { total },
                        last_modified: None,
                    },
                    product: StoreProduct {
                        key,
                        name: base,
                        language: "en-US".into(),
                        publisher: Some("Microsoft Corporation".into()),
                        platforms: vec!["Windows.Desktop".into()],
                        supported_languages: vec!["en-US".into()],
                        package_family_name: None,
                        category: None,
                        skip_reason: encrypted.then(|| ENCRYPTED_SKIP_REASON.to_owned()),
                    },
                })
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut stmt = conn
            .prepare(
                "SELECT a.external_id, u.upn FROM assignments s JOIN pools p ON p.id = s.pool_id \
                 JOIN apps a ON a.id = p.app_id JOIN users u ON u.id = s.user_id \
                 WHERE a.connector_id = ?1 AND p.kind = 'store_online'",
            )
            .unwrap();
        let seats = stmt
            .query_map([STORE], |r| {
                Ok(StoreSeat {
                    key: ProductKey::new(r.get::<_, String>(0)?, sku(true)),
                    assigned_to: r.get(1)?,
                    date_assigned: None,
                    state: SeatState::Active,
                })
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        Source {
            tenant: TENANT.into(),
            apps,
            seats,
        }
    }

    fn apply(&self, conn: &Connection) -> Result<StoreSummary, seats::store::sync::PullError> {
        let pull = StorePull {
            tenant: &self.tenant,
            apps: &self.apps,
            seats: &self.seats,
            outbox_mark: sync_store_business::outbox_mark(conn).unwrap(),
            started_at: fixed_now(),
        };
        sync_store_business::apply(conn, STORE, &pull, fixed_now())
    }
}

fn seats_of(conn: &Connection) -> Vec<(i64, i64)> {
    let mut stmt = conn
        .prepare(
            "SELECT s.pool_id, s.user_id FROM assignments s JOIN pools p ON p.id = s.pool_id \
             WHERE p.connector_id = ?1 AND s.user_id IS NOT NULL ORDER BY 1, 2",
        )
        .unwrap();
    stmt.query_map([STORE], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn report(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT outcome || '|' || app || '|' || coalesce(reason, '') FROM sync_report_apps ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_pull_of_what_the_cache_holds_changes_no_seat_binds_the_tenant_and_reports_the_skipped_app() {
    let (_dir, _path, conn) = demo_db(super::USERS);
    let before = seats_of(&conn);
    assert!(!before.is_empty(), "the demo has store seats");
    let summary = Source::from_cache(&conn).apply(&conn).unwrap();
    assert_eq!(
        (
            summary.apps_added,
            summary.apps_removed,
            summary.seats_added,
            summary.seats_removed
        ),
        (0, 0, 0, 0),
        "{summary:?}"
    );
    assert_eq!(summary.apps_skipped, 1);
    assert_eq!(seats_of(&conn), before);
    assert_eq!(
        report(&conn)
            .iter()
            .filter(|l| l.starts_with("skipped|"))
            .collect::<Vec<_>>(),
        ["skipped|Contoso Secure Viewer (Offline)|package is encrypted; encrypted apps are not synced"]
    );
    let tenant: String = conn
        .query_row("SELECT tenant_id FROM connectors WHERE id = ?1", [STORE], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(tenant, TENANT);
    check_clean(&conn);
    // Again: nothing changes, no audit row, the report holds the skip only.
    let audits = count(&conn, "SELECT count(*) FROM audit WHERE action = 'sync'");
    let again = Source::from_cache(&conn).apply(&conn).unwrap();
    assert_eq!((again.apps_updated, again.seats_added), (0, 0), "{again:?}");
    assert_eq!(
        count(&conn, "SELECT count(*) FROM audit WHERE action = 'sync'"),
        audits
    );
    assert_eq!(report(&conn).len(), 1, "{:?}", report(&conn));
}

#[test]
fn new_apps_arrive_dropped_ones_go_unless_a_change_is_pending_and_seats_follow() {
    let (_dir, _path, conn) = demo_db(super::USERS);
    let mut source = Source::from_cache(&conn);
    source.apply(&conn).unwrap();
    // Drop two apps; a pending change names the first.
    let online: Vec<usize> = (0..source.apps.len())
        .filter(|&i| {
            source.apps[i].entry.license_type == StoreLicenseType::Online
                && source.apps[i].product.skip_reason.is_none()
        })
        .collect();
    let kept = source.apps[online[0]].entry.key.clone();
    let gone = source.apps[online[1]].entry.key.clone();
    let kept_pool: i64 = conn
        .query_row(
            "SELECT p.id FROM pools p JOIN apps a ON a.id = p.app_id WHERE a.external_id = ?1",
            [&kept.product_id],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "INSERT INTO outbox (created_at, connector_id, pool_id, operation, payload, state) \
         VALUES ('2026-06-01T11:00:00Z', ?1, ?2, 'add_license', '{}', 'pending')",
        [STORE, kept_pool],
    )
    .unwrap();
    source.apps.retain(|a| a.entry.key != kept && a.entry.key != gone);
    source.seats.retain(|s| s.key != kept && s.key != gone);
    // A new free online app, with one seat of a known user.
    let upn: String = conn
        .query_row(
            "SELECT upn FROM users WHERE deleted = 0 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut new = source.apps[online[2] - 2].clone();
    new.entry.key = ProductKey::new("9NEWAPP00001", "0010");
    new.entry.license_type = StoreLicenseType::Online;
    new.entry.distribution = DistributionPolicy::Open;
    new.entry.seat_capacity = 10;
    new.entry.available_seats = 9;
    new.product.name = "Fresh Notes".into();
    new.product.skip_reason = None;
    source.apps.push(new.clone());
    source.seats.push(StoreSeat {
        key: new.entry.key.clone(),
        assigned_to: upn.to_uppercase(),
        date_assigned: None,
        state: SeatState::Active,
    });
    let summary = source.apply(&conn).unwrap();
    assert_eq!(
        (summary.apps_added, summary.apps_removed, summary.kept_pending),
        (1, 1, 1),
        "{summary:?}"
    );
    assert_eq!(summary.seats_added, 1);
    let names = |id: &str| {
        count(
            &conn,
            &format!("SELECT count(*) FROM apps WHERE external_id = '{id}'"),
        )
    };
    assert_eq!((names(&kept.product_id), names(&gone.product_id)), (1, 0));
    let fresh: (String, String, i64, Option<i64>, i64) = conn
        .query_row(
            "SELECT p.name, p.kind, p.total, p.source_consumed, p.consumed FROM pools p \
             JOIN apps a ON a.id = p.app_id WHERE a.external_id = '9NEWAPP00001'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        fresh,
        (
            "Fresh Notes (Online)".into(),
            "store_online".into(),
            10,
            Some(1),
            1
        )
    );
    let lines = report(&conn);
    assert!(
        lines.contains(&"added|Fresh Notes (Online)|".to_owned()),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("removed|")), "{lines:?}");
    // (The hand-made outbox row has no batch: `seats check` would say so.)
    conn.execute("DELETE FROM outbox", []).unwrap();
    check_clean(&conn);
}

#[test]
fn another_tenant_is_refused_and_nothing_is_written() {
    let (_dir, _path, conn) = demo_db(super::USERS);
    let source = Source::from_cache(&conn);
    source.apply(&conn).unwrap();
    let seats_before = seats_of(&conn);
    let report_before = report(&conn);
    let mut other = Source::from_cache(&conn);
    other.tenant = "fabrikam-tenant".into();
    other.apps.clear();
    let err = other.apply(&conn).unwrap_err().to_string();
    assert!(
        err.contains("fabrikam-tenant") && err.contains("never moves"),
        "{err}"
    );
    assert_eq!(seats_of(&conn), seats_before, "nothing written");
    assert_eq!(report(&conn), report_before);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM apps WHERE connector_id = 4"),
        7
    );
}
