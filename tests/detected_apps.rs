//! The inventory from Intune's detected apps (issue 9, R-APP-10, R-RPT-2):
//! a Graph sync against the in-process simulator reads
//! `/deviceManagement/detectedApps` and each app's `managedDevices`, page
//! by page, and replaces the connector's inventory rows in one
//! transaction; CSV-imported rows stay apart; a missing permission is
//! named and leaves the seats pull in place.
#![allow(clippy::unwrap_used)]

mod common;

#[path = "detected_apps/world.rs"]
mod world;

use seats::sim::DetectedAppsAccess;
use seats::worker::sync::SyncOptions;

use world::{World, full};

/// (computer, publisher, product, version, user, last seen) of every
/// inventory row the connector wrote, in order, as text ("" for none).
fn graph_rows(world: &World) -> Vec<Vec<String>> {
    let mut stmt = world
        .conn
        .prepare(
            "SELECT d.name, pub.name, p.title, ifnull(i.version, ''), ifnull(i.user_upn, ''), i.detected_at \
             FROM inventory i JOIN devices d ON d.id = i.device_id JOIN products p ON p.id = i.product_id \
             JOIN publishers pub ON pub.id = p.publisher_id WHERE i.connector_id = ?1 \
             ORDER BY d.name, p.title, i.version",
        )
        .unwrap();
    stmt.query_map([world.connector], |r| {
        (0..6).map(|i| r.get::<_, String>(i)).collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn a_sync_fills_the_inventory_with_what_intune_detected_r_app_10() {
    let world = World::start(|config| config.intune_page_size = 7);
    world.exec("DELETE FROM inventory");
    let report = world.sync(SyncOptions::default()).unwrap();
    let read = report.detected.expect("the first sync reads detected apps");
    assert!(report.warnings.is_empty(), "{}", report.describe());
    assert!(
        report.describe().contains("inventory from Intune"),
        "{}",
        report.describe()
    );

    // What the simulated Intune holds: its computers' detections, by name.
    let expected = world.sim_rows(
        "SELECT d.name, pub.name, p.title, i.version, ifnull(u.upn, ''), m.last_sync FROM inventory i \
         JOIN sim_managed_devices m ON m.device_id = i.device_id JOIN devices d ON d.id = i.device_id \
         LEFT JOIN users u ON u.id = d.owner_id JOIN products p ON p.id = i.product_id \
         JOIN publishers pub ON pub.id = p.publisher_id ORDER BY d.name, p.title, i.version",
    );
    let got = graph_rows(&world);
    assert_eq!(got.len(), expected.len());
    assert_eq!(
        got, expected,
        "computer, publisher, title, version, user, last seen"
    );
    assert_eq!(read.installs, expected.len());
    // Names as detected ("… (64-bit)") count as the catalog's titles.
    let noisy = world.count(
        "SELECT count(*) FROM product_raw_names r JOIN products p ON p.id = r.product_id \
         WHERE r.raw <> p.title AND (r.raw LIKE '%(64-bit)' OR r.raw LIKE '%x64' OR r.raw LIKE '%(x64)')",
    );
    assert!(
        noisy > 0,
        "the simulator names some apps with an architecture suffix"
    );
    assert_eq!(
        world.count("SELECT count(*) FROM products p WHERE p.title LIKE '%64%'"),
        0,
        "no title keeps an architecture suffix"
    );
    // Several pages of apps, each next one asked for by its nextLink.
    let log = world.sim.request_log();
    let app_pages = log
        .iter()
        .filter(|l| l.starts_with("GET /v1.0/deviceManagement/detectedApps?$skiptoken="))
        .count();
    assert!(app_pages >= 2, "{log:?}");
    assert!(
        read.apps > 7 * app_pages,
        "{} apps in {} pages",
        read.apps,
        app_pages + 1
    );
    world.check_clean();
}

#[test]
fn the_installation_report_counts_the_computers_intune_found_r_rpt_2() {
    let world = World::start(|_| {});
    world.exec("DELETE FROM inventory");
    world.sync(SyncOptions::default()).unwrap();
    let expected = world.sim_rows(
        "SELECT pub.name, p.title, count(DISTINCT i.device_id) FROM inventory i \
         JOIN sim_managed_devices m ON m.device_id = i.device_id JOIN products p ON p.id = i.product_id \
         JOIN publishers pub ON pub.id = p.publisher_id GROUP BY p.id ORDER BY pub.name, p.title",
    );
    let scope = seats::store::reports::Scope {
        group: None,
        now: common::fixed_now(),
    };
    let rows = seats::store::reports::installation::rows(&world.conn, &scope).unwrap();
    let installed: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r.installed > 0)
        .map(|r| vec![r.publisher.clone(), r.product.clone(), r.installed.to_string()])
        .collect();
    let mut expected = expected;
    let mut installed = installed;
    expected.sort();
    installed.sort();
    assert!(!installed.is_empty());
    assert_eq!(installed, expected);
}

#[test]
fn without_the_permission_the_sync_names_it_and_keeps_the_seats_pull() {
    let world = World::start(|config| config.detected_apps_allowed = false);
    let demo_rows = world.count("SELECT count(*) FROM inventory");
    let report = world.sync(SyncOptions::default()).unwrap();
    assert!(report.detected.is_none());
    let text = report.describe();
    assert!(
        text.contains("DeviceManagementManagedDevices.Read.All")
            && text.contains("grant it")
            && text.contains("Entra ID"),
        "{text}"
    );
    // The seats pull landed: the connector is ok and its run says why
    // the inventory was not read.
    assert!(world.count("SELECT count(*) FROM pools WHERE source = 'graph' AND status <> 'disabled'") >= 5);
    assert_eq!(
        world.count(&format!(
            "SELECT delta_link IS NOT NULL FROM connectors WHERE id = {}",
            world.connector
        )),
        1,
        "the users' delta round finished"
    );
    let (state, message): (String, String) = world
        .conn
        .query_row(
            "SELECT c.state, r.message FROM connectors c JOIN sync_runs r ON r.connector_id = c.id \
             WHERE c.id = ?1 ORDER BY r.id DESC LIMIT 1",
            [world.connector],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(state, "ok");
    assert!(
        message.contains("DeviceManagementManagedDevices.Read.All"),
        "{message}"
    );
    assert_eq!(
        world.count("SELECT count(*) FROM inventory"),
        demo_rows,
        "inventory untouched"
    );
    world.check_clean();

    // Granted later: the next full sync reads them, and the warning goes.
    world
        .sim
        .tenant()
        .unwrap()
        .set_detected_apps_access(DetectedAppsAccess::Granted)
        .unwrap();
    let report = world.sync(full()).unwrap();
    assert!(
        report.detected.is_some_and(|d| d.installs > 0),
        "{}",
        report.describe()
    );
    assert!(report.warnings.is_empty(), "{}", report.describe());
}

#[test]
fn a_failed_read_leaves_the_previous_inventory_exactly_as_it_was() {
    let world = World::start(|_| {});
    world.sync(SyncOptions::default()).unwrap();
    let before = world.dump_inventory();
    assert!(
        world.count("SELECT count(*) FROM inventory WHERE connector_id IS NOT NULL") > 0,
        "Graph rows were written"
    );
    world
        .sim
        .tenant()
        .unwrap()
        .set_detected_apps_access(DetectedAppsAccess::Unavailable)
        .unwrap();
    let report = world.sync(full()).unwrap();
    let text = report.describe();
    assert!(
        text.contains("detected apps not read") && text.contains("kept as it was"),
        "{text}"
    );
    assert!(report.detected.is_none());
    assert_eq!(world.dump_inventory(), before);
    // An incremental sync soon after does not read again, and still says so.
    let again = world.sync(SyncOptions::default()).unwrap();
    assert!(
        again.describe().contains("detected apps not read"),
        "{}",
        again.describe()
    );
    assert_eq!(world.dump_inventory(), before);
    world.check_clean();
}

#[test]
fn imported_rows_survive_a_graph_sync_and_graph_rows_survive_an_import() {
    let world = World::start(|_| {});
    world.exec("DELETE FROM inventory");
    world.import(b"computer,user,publisher,product,version,last seen\nLAB-KIOSK-01,,Corel,CorelDRAW (64-bit),2024,2026-05-01\n");
    world.sync(SyncOptions::default()).unwrap();
    let graph = graph_rows(&world);
    assert!(!graph.is_empty());
    let imported = "SELECT count(*) FROM inventory i JOIN devices d ON d.id = i.device_id \
                    WHERE d.name = 'LAB-KIOSK-01' AND i.connector_id IS NULL";
    assert_eq!(world.count(imported), 1, "the file's row survives the sync");
    world.sync(full()).unwrap();
    assert_eq!(world.count(imported), 1, "and the next full read");
    assert_eq!(graph_rows(&world), graph);
    // An import of a computer Intune reports adds its own row beside.
    let (computer, title): (String, String) = world
        .conn
        .query_row(
            "SELECT d.name, p.title FROM inventory i JOIN devices d ON d.id = i.device_id \
             JOIN products p ON p.id = i.product_id WHERE i.connector_id IS NOT NULL ORDER BY i.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let publisher: String = world
        .conn
        .query_row(
            "SELECT pub.name FROM products p JOIN publishers pub ON pub.id = p.publisher_id WHERE p.title = ?1",
            [&title],
            |r| r.get(0),
        )
        .unwrap();
    let line = format!("computer,publisher,product\n{computer},{publisher},{title}\n");
    world.import(line.as_bytes());
    assert_eq!(graph_rows(&world), graph, "an import leaves the Graph rows alone");
}

#[test]
fn throttling_and_empty_pages_do_not_change_what_is_read() {
    let world = World::start(|config| config.intune_page_size = 9);
    world.exec("DELETE FROM inventory");
    world.sync(SyncOptions::default()).unwrap();
    let calm = graph_rows(&world);
    let calm_requests = world.sim.graph_requests();
    world
        .sim
        .set_faults("429=0.2,empty=0.1,retry-after=0".parse().unwrap());
    let report = world.sync(full()).unwrap();
    assert!(report.warnings.is_empty(), "{}", report.describe());
    assert_eq!(graph_rows(&world), calm);
    // Each fault cost a request more than the calm read of the same tenant.
    let faulted_requests = world.sim.graph_requests() - calm_requests;
    assert!(
        faulted_requests > calm_requests + 20,
        "{calm_requests} calm, {faulted_requests} faulted"
    );
}

#[test]
fn an_admins_mapping_moves_graph_rows_and_the_next_read_keeps_it() {
    let world = World::start(|_| {});
    world.exec("DELETE FROM inventory");
    world.sync(SyncOptions::default()).unwrap();
    let raw: String = world
        .conn
        .query_row(
            "SELECT r.raw FROM product_raw_names r JOIN inventory i ON i.raw_name_id = r.id \
             WHERE i.connector_id IS NOT NULL ORDER BY r.raw LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let on = |title: &str| {
        world.count(&format!(
            "SELECT count(*) FROM inventory i JOIN product_raw_names r ON r.id = i.raw_name_id \
             JOIN products p ON p.id = i.product_id WHERE r.raw = '{}' AND p.title = '{title}'",
            raw.replace('\'', "''")
        ))
    };
    let actor = seats::store::changes::Actor::new(common::ACTOR);
    seats::store::products::map(&world.conn, &actor, &raw, "Mapped Title").unwrap();
    let moved = on("Mapped Title");
    assert!(moved > 0, "{raw}");
    world.sync(world::full()).unwrap();
    assert_eq!(on("Mapped Title"), moved, "the read goes through the override");
}

/// Staged devices are joined by an integer key since issue 11; a device
/// met again under another app (or twice under one) is still one computer
/// that keeps what it said last, on every row it has.
#[test]
fn a_device_met_again_is_one_computer_that_keeps_what_it_said_last() {
    use chrono::{TimeZone as _, Utc};
    use seats::domain::detected::{DetectedApp, DetectedDevice};
    use seats::store::inventory_graph::DetectedStage;

    let (_dir, _path, conn) = common::demo_db(world::USERS);
    let connector = seats::store::connectors_admin::find_connector(&conn, "Microsoft Graph")
        .unwrap()
        .unwrap();
    let app = |name: &str| DetectedApp {
        source_id: name.into(),
        name: name.into(),
        version: Some("1.0".into()),
        publisher: Some("Staging Test".into()),
        platform: None,
        device_count: None,
    };
    let device = |upn: &str, hour: u32| DetectedDevice {
        source_id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301".into(),
        name: "STAGE-PC-1".into(),
        user_upn: Some(upn.into()),
        last_seen: Some(Utc.with_ymd_and_hms(2026, 11, 30, hour, 0, 0).unwrap()),
        serial_number: Some("stage-serial-1".into()),
        operating_system: Some("Windows".into()),
    };
    let mut stage = DetectedStage::begin(&conn, connector).unwrap();
    let first = stage.add_app(&app("Alpha Viewer")).unwrap();
    stage
        .add_devices(first, &[device("old@contoso.example", 8)])
        .unwrap();
    stage
        .add_devices(first, &[device("old@contoso.example", 8)])
        .unwrap();
    let second = stage.add_app(&app("Beta Editor")).unwrap();
    stage
        .add_devices(second, &[device("new@contoso.example", 9)])
        .unwrap();
    let outcome = stage.commit(Utc::now()).unwrap();
    assert_eq!(
        (outcome.installs, outcome.computers, outcome.computers_created),
        (2, 1, 1)
    );
    let rows: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT d.name, i.user_upn, i.detected_at FROM inventory i JOIN devices d ON d.id = i.device_id \
             WHERE i.connector_id = ?1 ORDER BY i.id",
        )
        .unwrap()
        .query_map([connector], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let last = (
        "STAGE-PC-1".to_owned(),
        "new@contoso.example".to_owned(),
        "2026-11-30T09:00:00Z".to_owned(),
    );
    assert_eq!(rows, vec![last.clone(), last]);
}
