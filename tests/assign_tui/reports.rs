//! The Reports view by keyboard (issue 9, R-RPT-1..5, R-AGR-13): the four
//! reports on the demo, 1–4 switching, sort and filter from SQL, Enter
//! drilling down and Esc coming back to the same row, `:export csv|json`
//! writing what `seats report` prints, and the note always on screen.

use seats::store::reports::{NOTE, Scope, installation, inventory, purchase, utilization};

use super::*;

fn palette(c: &mut Console, line: &str) {
    c.key(KeyCode::Char(':'));
    c.chars(line);
    c.key(KeyCode::Enter);
}

fn scope() -> Scope {
    Scope {
        group: None,
        now: common::fixed_now(),
    }
}

/// The screen with its lines joined, so a wrapped note reads as one text.
fn joined(c: &Console) -> String {
    c.screen().lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

fn ids(c: &Console) -> Vec<i64> {
    c.state.table().window.rows.iter().map(Row::id).collect()
}

#[test]
fn each_report_opens_with_its_figures_and_1_to_4_switch() {
    let mut c = Console::new();
    palette(&mut c, "reports");
    assert_eq!(c.state.pane, PaneId::ReportInstallation, "installation first");
    let expected = [
        (
            PaneId::ReportPurchase,
            '1',
            purchase::rows(&c.conn, &scope()).unwrap().len(),
        ),
        (
            PaneId::ReportInstallation,
            '2',
            installation::rows(&c.conn, &scope()).unwrap().len(),
        ),
        (
            PaneId::ReportInventory,
            '3',
            inventory::rows(&c.conn, &scope()).unwrap().len(),
        ),
        (
            PaneId::ReportUtilization,
            '4',
            utilization::rows(&c.conn, &scope()).unwrap().len(),
        ),
    ];
    for (pane, key, rows) in expected {
        c.key(KeyCode::Char(key));
        assert_eq!(c.state.pane, pane);
        assert!(rows > 0, "{pane:?} has rows in the demo");
        assert_eq!(c.state.table().count, Some(rows), "{pane:?}");
        let screen = c.screen();
        assert!(screen.contains(pane.title()), "the title says which: {screen}");
        assert!(joined(&c).contains(NOTE), "the note is on screen: {screen}");
    }
    // The first installation row's figures and its bar, on screen.
    c.key(KeyCode::Char('2'));
    let first = installation::rows(&c.conn, &scope()).unwrap().remove(0);
    let screen = c.screen();
    // Tabs, the border, the header, then the first row and its bar.
    let line = screen.lines().nth(3).unwrap();
    assert!(line.contains(&first.publisher), "{screen}");
    let bar = if first.installed > first.licensed {
        format!("{}/{}!", first.installed, first.licensed)
    } else {
        format!("{}/{}", first.installed, first.licensed)
    };
    assert!(line.contains(&bar), "{line}");
    assert!(line.contains('█') || line.contains('░'), "{line}");
    // `:reports` comes back to the report seen last.
    c.key(KeyCode::Char('4'));
    palette(&mut c, "licenses");
    palette(&mut c, "reports");
    assert_eq!(c.state.pane, PaneId::ReportUtilization);
}

#[test]
fn sort_and_filter_change_the_rows() {
    let mut c = Console::new();
    palette(&mut c, "reports");
    let before = ids(&c);
    c.key(KeyCode::Char('S'));
    let reversed = ids(&c);
    assert_ne!(before, reversed, "S reverses the order");
    palette(&mut c, "sort installed desc");
    let installed: Vec<i64> = c
        .state
        .table()
        .window
        .rows
        .iter()
        .map(|r| match r {
            Row::Installation(r) => r.installed,
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(installed.windows(2).all(|w| w[0] >= w[1]), "{installed:?}");
    let all = c.state.table().count.unwrap();
    c.filter("status=short");
    let short = c.state.table().count.unwrap();
    assert!(short > 0 && short < all, "{short} of {all}");
    assert!(
        c.state
            .table()
            .window
            .rows
            .iter()
            .all(|r| matches!(r, Row::Installation(r) if r.status == "short"))
    );
    assert!(
        c.screen().contains("short by"),
        "the detail says by how many: {}",
        c.screen()
    );
}

#[test]
fn enter_drills_down_and_esc_comes_back_to_the_same_row() {
    let mut c = Console::new();
    palette(&mut c, "reports");
    c.filter("installed>0");
    c.key(KeyCode::Down);
    let Some(Row::Installation(row)) = c.state.table().selected_row().cloned() else {
        panic!("{}", c.screen());
    };
    let selected = c.state.table().selected;
    c.key(KeyCode::Enter);
    assert_eq!(c.state.pane, PaneId::Detections);
    assert_eq!(
        c.state.table().count,
        Some(row.installed as usize),
        "its computers"
    );
    assert!(c.screen().contains(&row.product), "{}", c.screen());
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::ReportInstallation);
    assert_eq!(c.state.table().selected, selected);
    assert_eq!(c.state.table().selected_row().map(Row::id), Some(row.id));

    // A pool with seats to reclaim opens them in Reclaim, and back.
    c.key(KeyCode::Char('4'));
    c.filter("reclaim>0");
    let Some(Row::Utilization(pool)) = c.state.table().selected_row().cloned() else {
        panic!("the demo has reclaimable seats: {}", c.screen());
    };
    c.key(KeyCode::Enter);
    assert_eq!(c.state.pane, PaneId::Reclaim);
    assert_eq!(c.state.table().count, Some(pool.reclaimable as usize));
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::ReportUtilization);
    assert_eq!(c.state.table().selected_row().map(Row::id), Some(pool.id));

    // An agreement of the inventory report opens in Agreements.
    c.key(KeyCode::Char('3'));
    c.filter("source=agreement");
    let Some(Row::License(license)) = c.state.table().selected_row().cloned() else {
        panic!("{}", c.screen());
    };
    c.key(KeyCode::Enter);
    assert_eq!(c.state.pane, PaneId::Agreements);
    assert!(
        matches!(c.state.table().selected_row(), Some(Row::Agreement(a)) if a.name == license.name),
        "{}",
        c.screen()
    );
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::ReportInventory);
    assert_eq!(
        c.state.tables[PaneId::Agreements.index()].filter.value(),
        "",
        "the filter the drill typed is gone"
    );
}

/// Esc in a report backs out as in the other views (k9s): first out of the
/// filter, then out of the Reports view to the pane `:reports` was typed in;
/// a report reached back from a drill-down leaves to that same pane.
#[test]
fn esc_clears_the_filter_then_leaves_reports_for_where_they_were_opened() {
    let mut c = Console::new();
    c.key(KeyCode::Tab);
    c.key(KeyCode::Tab);
    c.key(KeyCode::Tab);
    assert_eq!(c.state.pane, PaneId::Agreements);
    palette(&mut c, "reports");
    c.key(KeyCode::Char('4'));
    c.filter("reclaim>0");
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::ReportUtilization, "the filter goes first");
    assert_eq!(c.state.table().filter.value(), "");
    c.key(KeyCode::Enter);
    assert_ne!(c.state.pane, PaneId::ReportUtilization, "a drill-down");
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::ReportUtilization, "back from the drill");
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::Agreements, "{}", c.screen());
    palette(&mut c, "reports");
    assert_eq!(c.state.pane, PaneId::ReportUtilization, "the report seen last");
}

/// The inventory report sorted by a text column lists pools and agreements
/// together in that column's order, ties by name, then kind; descending
/// reverses all of it (not only the tie). Issue 9 polish.
#[test]
fn inventory_report_text_sorts_interleave_pools_and_agreements() {
    let c = Console::new();
    let key = |r: &inventory::LicenseRow, column: usize| {
        let field = match column {
            0 => r.name.clone(),
            1 => r.kind.clone(),
            2 => r.source.clone(),
            _ => r.status.clone(),
        };
        (field.to_lowercase(), r.name.to_lowercase(), r.kind.clone())
    };
    for column in [0, 1, 2, 6] {
        let up = inventory::all(&c.conn, &scope().request(None, column, false)).unwrap();
        let keys: Vec<_> = up.iter().map(|r| key(r, column)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "column {column} ascending");
        let mut down = inventory::all(&c.conn, &scope().request(None, column, true)).unwrap();
        down.reverse();
        let down: Vec<_> = down.iter().map(|r| key(r, column)).collect();
        assert_eq!(down, keys, "column {column} descending is the reverse");
    }
    let by_name = inventory::all(&c.conn, &scope().request(None, 0, false)).unwrap();
    let first_agreement = by_name.iter().position(|r| r.agreement_id.is_some()).unwrap();
    let last_pool = by_name.iter().rposition(|r| r.pool_id.is_some()).unwrap();
    assert!(first_agreement < last_pool, "interleaved, not pools first");
}

#[test]
fn the_installation_detail_names_the_agreements_that_count() {
    let mut c = Console::new();
    palette(&mut c, "reports");
    c.filter("licensed>0");
    let Some(Row::Installation(row)) = c.state.table().selected_row().cloned() else {
        panic!("{}", c.screen());
    };
    let text = joined(&c);
    assert!(text.contains("licensed by"), "{text}");
    assert!(
        text.contains(&format!("detected on {} computer", row.installed)),
        "{text}"
    );
}

/// `seats report NAME --format FORMAT` on the console's cache.
fn cli(c: &Console, report: &str, format: &str) -> String {
    let home = c._dir.path();
    let out = common::run_seats(
        home,
        &[
            "--db",
            c.path.to_str().unwrap(),
            "report",
            report,
            "--format",
            format,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    common::text(&out.stdout)
}

#[test]
fn export_writes_what_seats_report_prints() {
    let mut c = Console::new();
    for (key, report) in [
        ('1', "purchase"),
        ('2', "installation"),
        ('3', "inventory"),
        ('4', "utilization"),
    ] {
        palette(&mut c, "reports");
        c.key(KeyCode::Char(key));
        // The command line reads at the wall clock; so does this export.
        c.state.table_mut().as_of = None;
        c.ctrl('r');
        for format in ["csv", "json"] {
            let file = c._dir.path().join(format!("{report}.{format}"));
            palette(&mut c, &format!("export {format} {}", file.display()));
            let written = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}: {}", c.flash()));
            assert_eq!(written, cli(&c, report, format), "{report} {format}");
            let rows = c.state.table().count.unwrap();
            assert!(
                c.flash()
                    .contains(&format!("{rows} rows written to {}", file.display())),
                "{}",
                c.flash()
            );
        }
    }
    // Every row the filter keeps, not only those on screen.
    c.key(KeyCode::Char('2'));
    c.filter("status=short");
    let file = c._dir.path().join("short.json");
    palette(&mut c, &format!("export json {}", file.display()));
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(rows.len(), c.state.table().count.unwrap());
    assert!(rows.iter().all(|r| r["status"] == "short"));
}

#[test]
fn an_unwritable_export_names_the_path_and_writes_nothing() {
    let mut c = Console::new();
    palette(&mut c, "reports");
    let file = c._dir.path().join("no-such-folder").join("out.csv");
    palette(&mut c, &format!("export csv {}", file.display()));
    assert!(c.flash().contains(&file.display().to_string()), "{}", c.flash());
    assert!(c.flash().contains("failed"), "{}", c.flash());
    assert!(!file.exists());
    assert!(!file.parent().unwrap().exists());
    palette(&mut c, "licenses");
    palette(&mut c, "export csv /tmp/x.csv");
    assert!(
        c.flash().contains(":reports"),
        "only a report exports: {}",
        c.flash()
    );
}

#[test]
fn reports_80x24() {
    let mut c = Console::new();
    palette(&mut c, "reports");
    for (key, name) in [
        ('1', "purchase"),
        ('2', "installation"),
        ('3', "inventory"),
        ('4', "utilization"),
    ] {
        c.key(KeyCode::Char(key));
        insta::assert_snapshot!(format!("report_{name}_80x24"), c.screen());
    }
}

#[test]
fn reclaiming_a_pools_seats_shows_in_utilization_at_once() {
    let mut c = Console::new();
    palette(&mut c, "reports");
    c.key(KeyCode::Char('4'));
    c.filter("reclaim>0");
    let Some(Row::Utilization(pool)) = c.state.table().selected_row().cloned() else {
        panic!("{}", c.screen());
    };
    c.key(KeyCode::Enter);
    c.key(KeyCode::Char('X'));
    c.key(KeyCode::Enter);
    c.send(Msg::Worker(seats::app::WorkerEvent::DataChanged));
    assert_eq!(c.state.table().count, Some(0), "{}", c.flash());
    c.key(KeyCode::Esc);
    c.key(KeyCode::Esc); // the report's own filter
    c.filter(&format!("pool={:?}", pool.pool));
    match c.state.table().selected_row() {
        Some(Row::Utilization(now)) => {
            assert_eq!(now.id, pool.id);
            assert_eq!(now.reclaimable, 0, "the released seats are not counted again");
            assert_eq!(now.consumed, pool.consumed - pool.reclaimable);
        }
        other => panic!("{other:?}: {}", c.screen()),
    }
}

/// The refusal `a` gives on `pool` selected in Licenses.
fn licenses_refusal(c: &mut Console, pool: &str) -> String {
    c.key(KeyCode::Char('1'));
    c.filter(&format!("name=\"{pool}\""));
    c.key(KeyCode::Char('a'));
    assert_eq!(c.state.overlay, Overlay::None, "{}", c.screen());
    let said = c.flash();
    c.key(KeyCode::Esc);
    said
}

fn refused_assigns(c: &Console, pool: i64) -> i64 {
    c.conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'assign' AND pool_id = ?1 AND result LIKE 'refused%'",
            [pool],
            |r| r.get(0),
        )
        .unwrap()
}

/// `a` in the seats of a pool reached from a report refuses at once when
/// the pool takes no seats, with the words Licenses uses, and audits it as
/// Licenses does: the picker never opens for a change the store refuses
/// (disabled and pending subscriptions, from the inventory report and,
/// when no seat of theirs is reclaimable, the utilization report).
#[test]
fn a_on_a_pool_drilled_from_a_report_refuses_as_licenses_does() {
    let mut c = Console::new();
    let blocked: Vec<pools::PoolRow> = pools::all(&c.conn)
        .unwrap()
        .into_iter()
        .filter(|p| matches!(p.detail.status.as_str(), "disabled" | "pending_activation"))
        .collect();
    let reclaim = utilization::rows(&c.conn, &scope()).unwrap();
    let mut drills: Vec<(char, &str, &pools::PoolRow)> = Vec::new();
    for pool in &blocked {
        drills.push(('3', "name", pool));
        if reclaim.iter().any(|r| r.id == pool.id && r.reclaimable == 0) {
            drills.push(('4', "pool", pool));
        }
    }
    let statuses = |report: char| {
        drills
            .iter()
            .filter(|d| d.0 == report)
            .map(|d| d.2.detail.status.as_str())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(statuses('3').len(), 2, "the demo has both: {drills:?}");
    assert!(!statuses('4').is_empty(), "{drills:?}");
    let refusals: Vec<String> = blocked
        .iter()
        .map(|p| licenses_refusal(&mut c, &p.name))
        .collect();
    for (report, field, pool) in drills {
        let index = blocked.iter().position(|p| p.id == pool.id).unwrap();
        let expected = refusals[index].clone();
        assert!(!expected.is_empty(), "Licenses refuses {}", pool.name);
        palette(&mut c, "reports");
        c.key(KeyCode::Char(report));
        c.filter(&format!("{field}=\"{}\"", pool.name));
        c.key(KeyCode::Enter);
        assert_eq!(c.state.pane, PaneId::Assignees, "{}", c.screen());
        let audited = refused_assigns(&c, pool.id);
        c.key(KeyCode::Char('a'));
        assert!(
            !matches!(c.state.overlay, Overlay::Picker(_)),
            "no picker for {}: {}",
            pool.name,
            c.screen()
        );
        assert_eq!(c.flash(), expected, "{}", pool.name);
        assert_eq!(
            refused_assigns(&c, pool.id),
            audited + 1,
            "audited as in Licenses"
        );
        c.key(KeyCode::Esc);
        c.key(KeyCode::Esc);
    }
}
