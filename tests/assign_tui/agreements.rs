//! The Agreements pane by keyboard (issue 9): `r` validates against the
//! imported entitlements (R-AGR-8), `d` deletes an agreement and `:move`
//! moves one to another license group, each after a preview (R-AGR-12).

use super::*;

/// R-AGR-8: `r` in Agreements validates every volume agreement now against
/// the last imported entitlements export, and says what it found.
#[test]
fn r_in_agreements_validates_against_the_imported_export() {
    let mut c = Console::new();
    c.key(KeyCode::Char('4'));
    c.key(KeyCode::Char('r'));
    assert!(
        c.flash().contains("no entitlements export imported yet"),
        "{}",
        c.flash()
    );
    // The export holds one pair of a demo agreement.
    let (first, second, name): (String, String, String) = c
        .conn
        .query_row(
            "SELECT n.first_number, n.second_number, a.name FROM agreement_number_sets n \
             JOIN agreements a ON a.id = n.agreement_id WHERE a.kind = 'volume' ORDER BY n.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let csv = format!(
        "Agreement Number,Enrollment Number,Product,Quantity,Start Date,End Date\n\
         {first},{second},Office Professional Plus 2024,25,2025-01-01,\n"
    );
    let rows = seats::domain::entitlement_csv::parse(csv.as_bytes()).unwrap();
    let actor = seats::store::changes::Actor::new(common::ACTOR);
    seats::store::entitlements_import::import(&c.conn, &actor, "summary.csv", &rows, chrono::Utc::now())
        .unwrap();
    c.key(KeyCode::Char('r'));
    let flash = c.flash();
    assert!(flash.contains("agreements validated: "), "{flash}");
    assert!(
        !flash.contains(" 0 sets valid"),
        "the exported pair is valid: {flash}"
    );
    // The pane shows each set's state in the agreement's detail.
    c.send(Msg::Worker(seats::app::WorkerEvent::DataChanged));
    c.filter(&name);
    c.key(KeyCode::Char('i'));
    let screen = c.screen();
    assert!(screen.contains(&format!("{first} {second} ✓ valid")), "{screen}");
}

/// The first agreement in `group` and its id.
fn agreement_in(conn: &Connection, group: &str) -> (i64, String) {
    conn.query_row(
        "SELECT a.id, a.name FROM agreements a JOIN license_groups g ON g.id = a.license_group_id \
         WHERE g.name = ?1 ORDER BY a.id LIMIT 1",
        [group],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn group_of(conn: &Connection, id: i64) -> String {
    conn.query_row(
        "SELECT g.name FROM agreements a JOIN license_groups g ON g.id = a.license_group_id WHERE a.id = ?1",
        [id],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn d_deletes_an_agreement_after_the_preview_and_move_changes_its_group_r_agr_12() {
    let mut c = Console::new();
    let (id, name) = agreement_in(&c.conn, "Head office");
    c.key(KeyCode::Char('4'));
    c.filter(&name);
    assert_eq!(c.state.table().selected_row().map(Row::id), Some(id));
    c.key(KeyCode::Char(':'));
    c.chars("move Nowhere");
    c.key(KeyCode::Enter);
    assert!(c.screen().contains("no license group is named"), "{}", c.screen());
    c.key(KeyCode::Esc);
    c.key(KeyCode::Char(':'));
    c.chars("move engineering");
    c.key(KeyCode::Enter);
    assert!(
        c.screen()
            .contains(&format!("moves {name} from Head office to Engineering")),
        "{}",
        c.screen()
    );
    c.key(KeyCode::Enter);
    assert_eq!(group_of(&c.conn, id), "Engineering");
    assert!(c.flash().contains("moved to Engineering"), "{}", c.flash());
    c.key(KeyCode::Char('d'));
    assert!(c.screen().contains(&format!("deletes {name}")), "{}", c.screen());
    c.key(KeyCode::Esc);
    let left = |c: &Console| -> i64 {
        c.conn
            .query_row("SELECT count(*) FROM agreements WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(left(&c), 1, "Esc keeps it");
    c.key(KeyCode::Char('d'));
    c.key(KeyCode::Enter);
    assert_eq!(left(&c), 0);
    let audited: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action IN ('agreement_move', 'agreement_delete') AND result = 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 2);
}

/// `:import FILE` (R-AGR-2..5): a bad file is refused with its lines and
/// imports nothing; a good one is previewed, then imported and validated.
#[test]
fn import_in_the_palette_previews_a_file_and_imports_it_all_or_nothing() {
    let mut c = Console::new();
    let count = |c: &Console| -> i64 {
        c.conn
            .query_row("SELECT count(*) FROM agreements", [], |r| r.get(0))
            .unwrap()
    };
    let before = count(&c);
    let bad = c._dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "91-07001,91-07001,Office EU\r\n12345678901234567,1,Too long\r\n",
    )
    .unwrap();
    c.key(KeyCode::Char('4'));
    c.key(KeyCode::Char(':'));
    c.chars(&format!("import {}", bad.display()));
    c.key(KeyCode::Enter);
    let screen = c.screen();
    assert!(screen.contains("line 2"), "{screen}");
    c.key(KeyCode::Enter);
    assert_eq!(count(&c), before, "a bad file imports nothing");
    c.key(KeyCode::Esc);
    let good = c._dir.path().join("eu.csv");
    std::fs::write(
        &good,
        "\u{feff}91-07001,91-07001,Office EU\r\n\"92345678\",\"97654321\",\"Select, EU\"\r\n",
    )
    .unwrap();
    c.key(KeyCode::Char(':'));
    c.chars(&format!("import {}", good.display()));
    c.key(KeyCode::Enter);
    assert!(
        c.screen().contains("adds 2 volume agreements from eu.csv"),
        "{}",
        c.screen()
    );
    c.key(KeyCode::Enter);
    assert_eq!(count(&c), before + 2);
    assert!(
        c.flash().contains("imported 2 volume agreements"),
        "{}",
        c.flash()
    );
}

/// `:group add|rename|remove` (R-AGR-7, R-AGR-12): made, renamed and
/// removed from the console, its agreements moving to "Unassigned
/// agreements"; the built-in group is refused in the dialog.
#[test]
fn group_commands_make_rename_and_remove_license_groups() {
    let mut c = Console::new();
    let groups = |c: &Console, name: &str| -> i64 {
        c.conn
            .query_row(
                "SELECT count(*) FROM license_groups WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap()
    };
    c.key(KeyCode::Char('4'));
    let palette = |c: &mut Console, line: &str| {
        c.key(KeyCode::Char(':'));
        c.chars(line);
        c.key(KeyCode::Enter);
    };
    palette(&mut c, "group add True-up 2027");
    assert!(
        c.screen().contains("makes the license group \"True-up 2027\""),
        "{}",
        c.screen()
    );
    c.key(KeyCode::Enter);
    assert_eq!(groups(&c, "True-up 2027"), 1);
    palette(&mut c, "group rename True-up 2027 = True-up FY27");
    c.key(KeyCode::Enter);
    assert_eq!(groups(&c, "True-up FY27"), 1);
    let (id, _) = agreement_in(&c.conn, "Head office");
    c.conn
        .execute(
            "UPDATE agreements SET license_group_id = (SELECT id FROM license_groups WHERE name = 'True-up FY27') \
             WHERE id = ?1",
            [id],
        )
        .unwrap();
    palette(&mut c, "group remove True-up FY27");
    assert!(c.screen().contains("its 1 agreements move"), "{}", c.screen());
    c.key(KeyCode::Enter);
    assert_eq!(groups(&c, "True-up FY27"), 0);
    assert_eq!(group_of(&c.conn, id), "Unassigned agreements");
    palette(&mut c, "group remove Unassigned agreements");
    c.key(KeyCode::Enter);
    assert!(c.screen().contains("can't be removed"), "{}", c.screen());
    assert_eq!(groups(&c, "Unassigned agreements"), 1);
}
