//! Connectors as the sync worker sees them: created from `seats connect
//! graph`, their sync state and schedule (R-CON-5), their runs, and the
//! lease that keeps two processes from syncing one connector.

use chrono::{Duration, TimeZone, Utc};
use seats::domain::ConnectorKind;
use seats::store::connectors_admin::{
    self as admin, AdminError, GraphSettings, RunCounts, connector_config, create_graph_connector,
};
use seats::store::sync_lease::{self, LeaseError};
use seats::store::{self, OpenMode};

use crate::count;

fn empty_cache() -> (tempfile::TempDir, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("c.db"), OpenMode::Create).unwrap();
    (dir, conn)
}

fn contoso() -> GraphSettings {
    let mut settings = GraphSettings::new(
        "Contoso",
        "11111111-2222-3333-4444-555555555555",
        "client-1",
        "/home/admin/.config/seats/graph.secret",
    );
    settings.account = Some("contoso.example".to_owned());
    settings
}

#[test]
fn a_graph_connector_is_stored_with_its_secret_path_and_one_per_tenant() {
    let (_dir, conn) = empty_cache();
    let id = create_graph_connector(&conn, &contoso()).unwrap();
    let config = connector_config(&conn, id).unwrap().unwrap();
    assert_eq!(config.kind, ConnectorKind::Graph);
    assert_eq!(config.state, "never");
    assert_eq!(
        config.secret_ref.as_deref(),
        Some("/home/admin/.config/seats/graph.secret")
    );
    assert_eq!(config.graph_url.as_deref(), Some("https://graph.microsoft.com"));
    assert_eq!(
        config.login_url.as_deref(),
        Some("https://login.microsoftonline.com")
    );
    assert_eq!(config.schedule_minutes, 720);
    assert_eq!(admin::find_connector(&conn, "Contoso").unwrap(), Some(id));

    let mut same_tenant = contoso();
    same_tenant.name = "Contoso again".to_owned();
    same_tenant.tenant_id = same_tenant.tenant_id.to_uppercase();
    let err = create_graph_connector(&conn, &same_tenant).unwrap_err();
    assert!(matches!(err, AdminError::TenantTaken { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("connected already, as connector \"Contoso\""),
        "{err}"
    );
    let mut same_name = contoso();
    same_name.tenant_id = "other-tenant".to_owned();
    let err = create_graph_connector(&conn, &same_name).unwrap_err();
    assert!(
        err.to_string()
            .contains("a connector named \"Contoso\" exists already"),
        "{err}"
    );
    let mut bad = contoso();
    bad.name = "Elsewhere".to_owned();
    bad.tenant_id = "t2".to_owned();
    bad.graph_url = "graph.example".to_owned();
    let err = create_graph_connector(&conn, &bad).unwrap_err();
    assert!(
        err.to_string()
            .contains("--graph-url \"graph.example\" is not an http(s) URL"),
        "{err}"
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM connectors"),
        1,
        "nothing stored for a refusal"
    );

    let mut moved = contoso();
    moved.graph_url = "http://127.0.0.1:4000".to_owned();
    admin::configure_graph(&conn, id, &moved).unwrap();
    let config = connector_config(&conn, id).unwrap().unwrap();
    assert_eq!(config.graph_url.as_deref(), Some("http://127.0.0.1:4000"));
    assert_eq!(
        admin::connectors_of_kind(&conn, ConnectorKind::Graph)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_sync_moves_the_connector_through_syncing_to_ok_or_error_and_schedules_the_next() {
    let (_dir, conn) = empty_cache();
    let id = create_graph_connector(&conn, &contoso()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    assert_eq!(
        admin::due_connectors(&conn, now).unwrap(),
        vec![id],
        "never synced: due"
    );

    let run = admin::sync_started(&conn, id, "full pull", now).unwrap();
    assert_eq!(connector_config(&conn, id).unwrap().unwrap().state, "syncing");
    let counts = RunCounts {
        added: 3,
        updated: 2,
        removed: 1,
        skipped: 4,
    };
    admin::sync_succeeded(&conn, id, run, counts, None, now + Duration::seconds(9)).unwrap();
    let config = connector_config(&conn, id).unwrap().unwrap();
    assert_eq!(config.state, "ok");
    assert_eq!(config.last_success_at.as_deref(), Some("2026-06-01T12:00:09Z"));
    assert_eq!(
        config.next_sync_at.as_deref(),
        Some("2026-06-02T00:00:09Z"),
        "12 hours later (R-CON-5)"
    );
    let row: (String, i64, i64, i64, i64) = conn
        .query_row(
            "SELECT result, added, updated, removed, skipped FROM sync_runs WHERE id = ?1",
            [run],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(row, ("ok".to_owned(), 3, 2, 1, 4));
    assert!(
        admin::due_connectors(&conn, now + Duration::hours(1))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        admin::due_connectors(&conn, now + Duration::hours(13)).unwrap(),
        vec![id]
    );

    let later = now + Duration::hours(12);
    let run = admin::sync_started(&conn, id, "delta pull", later).unwrap();
    admin::sync_failed(
        &conn,
        id,
        run,
        "HTTP 403 Forbidden from subscribedSkus",
        Some("req-42"),
        later,
    )
    .unwrap();
    let config = connector_config(&conn, id).unwrap().unwrap();
    assert_eq!(config.state, "error");
    assert_eq!(
        config.last_error.as_deref(),
        Some("HTTP 403 Forbidden from subscribedSkus")
    );
    assert_eq!(config.last_request_id.as_deref(), Some("req-42"));
    assert_eq!(
        config.last_success_at.as_deref(),
        Some("2026-06-01T12:00:09Z"),
        "the last success stays"
    );
    let message: String = conn
        .query_row(
            "SELECT message FROM sync_runs WHERE id = ?1 AND result = 'failed'",
            [run],
            |r| r.get(0),
        )
        .unwrap();
    assert!(message.contains("req-42"), "{message}");

    // A run a killed process left 'running' is closed when the next starts.
    let orphan = admin::sync_started(&conn, id, "full pull", later).unwrap();
    admin::sync_started(&conn, id, "full pull", later + Duration::minutes(5)).unwrap();
    let (result, message): (String, String) = conn
        .query_row(
            "SELECT result, message FROM sync_runs WHERE id = ?1",
            [orphan],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(result, "failed");
    assert!(message.starts_with("interrupted"), "{message}");

    admin::set_delta_link(
        &conn,
        id,
        Some("https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x"),
    )
    .unwrap();
    assert!(
        admin::delta_link(&conn, id)
            .unwrap()
            .unwrap()
            .ends_with("deltatoken=x")
    );
    admin::set_delta_link(&conn, id, None).unwrap();
    assert_eq!(admin::delta_link(&conn, id).unwrap(), None);
    assert!(matches!(
        admin::sync_started(&conn, 99, "x", now),
        Err(AdminError::NotFound(99))
    ));
    conn.execute("UPDATE connectors SET enabled = 0 WHERE id = ?1", [id])
        .unwrap();
    assert!(matches!(
        admin::sync_started(&conn, id, "x", now),
        Err(AdminError::Disabled(_))
    ));
}

#[test]
fn the_lease_is_refused_while_held_and_taken_over_once_expired() {
    let (_dir, conn) = empty_cache();
    let id = create_graph_connector(&conn, &contoso()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    let ttl = Duration::minutes(2);
    let (first, second) = ("ana@host-a pid 10", "bo@host-b pid 20");

    let lease = sync_lease::acquire(&conn, id, first, now, ttl).unwrap();
    assert_eq!(lease.expires_at, "2026-06-01T12:02:00Z");
    let err = sync_lease::acquire(&conn, id, second, now + Duration::minutes(1), ttl).unwrap_err();
    match &err {
        LeaseError::Held { holder, .. } => assert_eq!(holder, first),
        other => panic!("{other}"),
    }
    assert!(
        err.to_string()
            .contains("Contoso is being synced by ana@host-a pid 10"),
        "{err}"
    );
    // The holder renews while it pages; the other is still refused.
    assert!(sync_lease::renew(&conn, id, first, now + Duration::minutes(1), ttl).unwrap());
    assert!(sync_lease::acquire(&conn, id, second, now + Duration::minutes(2), ttl).is_err());
    // The first process dies: once its lease expires, the second takes over.
    let taken = sync_lease::acquire(&conn, id, second, now + Duration::minutes(4), ttl).unwrap();
    assert_eq!(taken.holder, second);
    assert!(
        !sync_lease::renew(&conn, id, first, now + Duration::minutes(4), ttl).unwrap(),
        "no longer ours"
    );
    assert!(!sync_lease::release(&conn, id, first).unwrap());
    assert_eq!(
        sync_lease::holder(&conn, id, now + Duration::minutes(5))
            .unwrap()
            .map(|h| h.0),
        Some(second.to_owned())
    );
    assert!(sync_lease::release(&conn, id, second).unwrap());
    assert!(
        sync_lease::acquire(&conn, id, first, now + Duration::minutes(5), ttl).is_ok(),
        "free again"
    );
    assert!(matches!(
        sync_lease::acquire(&conn, 99, first, now, ttl),
        Err(LeaseError::NotFound(99))
    ));
    let me = sync_lease::holder_name();
    assert!(
        me.contains('@') && me.contains(&format!(" pid {}", std::process::id())),
        "{me}"
    );
}

#[test]
fn the_secret_is_referred_to_never_stored() {
    let (_dir, conn) = empty_cache();
    let mut pasted = contoso();
    pasted.secret_ref = "Xy8Q~not-a-path-but-the-secret".to_owned();
    let err = create_graph_connector(&conn, &pasted).unwrap_err();
    assert!(
        err.to_string()
            .contains("absolute path of its file or as env:SEATS_GRAPH_SECRET"),
        "{err}"
    );
    assert!(
        !err.to_string().contains("Xy8Q"),
        "the error never repeats a secret: {err}"
    );
    let mut env = contoso();
    env.secret_ref = "env:SEATS_GRAPH_SECRET".to_owned();
    create_graph_connector(&conn, &env).unwrap();
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM connectors WHERE secret_ref = 'env:SEATS_GRAPH_SECRET'"
        ),
        1
    );
}

/// A console that quits mid-sync gives the lease back, and a killed process's
/// lease expires; either way the connector's column still says 'syncing'.
/// Nothing syncs it then, so the list shows an interrupted sync instead.
#[test]
fn a_sync_whose_process_is_gone_shows_as_interrupted_not_syncing() {
    use seats::store::PageRequest;
    let (_dir, conn) = empty_cache();
    let id = create_graph_connector(&conn, &contoso()).unwrap();
    let now = Utc::now();
    let holder = "ana@host-a pid 10";
    sync_lease::acquire(&conn, id, holder, now, Duration::minutes(30)).unwrap();
    admin::sync_started(&conn, id, "full pull", now).unwrap();
    let shown = |conn: &rusqlite::Connection| {
        let request = PageRequest {
            limit: 10,
            ..PageRequest::default()
        };
        let row = seats::store::connectors::page(conn, &request)
            .unwrap()
            .rows
            .remove(0);
        (row.state, row.last_error.unwrap_or_default())
    };
    assert_eq!(shown(&conn).0, "syncing", "held: it is syncing");
    assert!(sync_lease::release(&conn, id, holder).unwrap());
    let (state, error) = shown(&conn);
    assert_eq!(state, "error");
    assert!(
        error.contains("interrupted") && error.contains("seats sync --connector"),
        "{error}"
    );
}
