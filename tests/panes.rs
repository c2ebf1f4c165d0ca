//! Snapshots of every pane at 80x24 and 160x48 (and the widest-named ones
//! at 120x30) from a small fixed seed,
//! rendered through the same code as the console and `seats snapshot`.
#![allow(clippy::unwrap_used)]

mod common;

use seats::app::PaneId;
use seats::headless;

fn snapshot(pane: PaneId, width: u16, height: u16) -> String {
    let (_dir, _path, conn) = common::demo_db(300);
    headless::snapshot(
        &conn,
        pane,
        None,
        (width, height),
        common::ACTOR,
        common::fixed_now(),
    )
    .unwrap()
}

macro_rules! pane_snapshots {
    ($($name:ident => $pane:expr, $w:expr, $h:expr;)+) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(snapshot($pane, $w, $h));
            }
        )+
    };
}

pane_snapshots! {
    licenses_80x24 => PaneId::Licenses, 80, 24;
    licenses_120x30 => PaneId::Licenses, 120, 30;
    licenses_160x48 => PaneId::Licenses, 160, 48;
    apps_80x24 => PaneId::Apps, 80, 24;
    apps_160x48 => PaneId::Apps, 160, 48;
    connectors_80x24 => PaneId::Connectors, 80, 24;
    connectors_160x48 => PaneId::Connectors, 160, 48;
    agreements_80x24 => PaneId::Agreements, 80, 24;
    agreements_160x48 => PaneId::Agreements, 160, 48;
    users_80x24 => PaneId::Users, 80, 24;
    users_120x30 => PaneId::Users, 120, 30;
    users_160x48 => PaneId::Users, 160, 48;
    audit_120x30 => PaneId::Audit, 120, 30;
    audit_160x48 => PaneId::Audit, 160, 48;
}

#[test]
fn too_small_terminal_says_so() {
    let text = snapshot(PaneId::Licenses, 60, 20);
    assert!(text.contains("terminal too small"), "{text}");
    assert!(text.contains("60x20"), "{text}");
}

fn view_snapshot(pane: PaneId, pool: Option<&str>) -> String {
    let (_dir, _path, conn) = common::demo_db(300);
    let pool = pool.map(|key| {
        let found = seats::store::pools::find(&conn, key).unwrap().unwrap();
        (found.id, found.name)
    });
    headless::snapshot(&conn, pane, pool, (80, 24), common::ACTOR, common::fixed_now()).unwrap()
}

#[test]
fn groups_view_80x24() {
    insta::assert_snapshot!(view_snapshot(PaneId::Groups, None));
}

#[test]
fn audit_view_80x24() {
    insta::assert_snapshot!(view_snapshot(PaneId::Audit, None));
}

#[test]
fn seats_of_a_pool_80x24() {
    insta::assert_snapshot!(view_snapshot(PaneId::Assignees, Some("ENTERPRISEPACK")));
}

/// R-APP-10: titles with the computers and the names that count as them.
#[test]
fn inventory_view_80x24() {
    let text = view_snapshot(PaneId::Inventory, None);
    assert!(text.contains("Microsoft 365 Apps"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn detections_view_80x24() {
    let text = view_snapshot(PaneId::Detections, None);
    assert!(text.contains("Detections of every title"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn installs_view_80x24() {
    let text = view_snapshot(PaneId::Installs, None);
    assert!(text.contains("Installs of every app"), "{text}");
    insta::assert_snapshot!(text);
}

/// Issue 10: the SaaS and ISV subscriptions with status, seats, price, term.
#[test]
fn subscriptions_view_80x24() {
    let text = view_snapshot(PaneId::Subscriptions, None);
    assert!(text.contains("Fabrikam CRM"), "{text}");
    insta::assert_snapshot!(text);
}

/// Issue 9 polish: a report's tab line fits 80 columns and shows what its
/// keys 1–4 do there: switch between the four reports (not the
/// workspaces, which those keys reach elsewhere).
#[test]
fn a_long_pane_title_fits_the_tab_line_at_80_columns() {
    for pane in [PaneId::ReportInstallation, PaneId::ReportUtilization] {
        let text = view_snapshot(pane, None);
        let tabs = text.lines().next().unwrap();
        assert!(
            tabs.starts_with(" seats │ 1 purchase  2 installation  3 inventory  4 utilization"),
            "{tabs}"
        );
        assert!(!tabs.contains("Licenses"), "1 is not Licenses here: {tabs}");
    }
    let tabs = view_snapshot(PaneId::Subscriptions, None);
    assert!(
        tabs.lines().next().unwrap().contains("5 Users │ Subscriptions"),
        "fits: full tabs"
    );
}

/// Review polish: the Agreements pane's Valid column says its word whole at
/// 80 columns ("✗ not fo…" read as nothing).
#[test]
fn agreements_valid_column_is_whole_at_80_columns() {
    let text = snapshot(PaneId::Agreements, 80, 24);
    assert!(text.contains("✗ not found"), "{text}");
    assert!(!text.contains("not fo…"), "{text}");
}
