//! The Agreements pane's `n` (new agreement) and `e` (edit) by keyboard
//! (issue 9): a volume agreement by hand with its pairs checked live
//! (R-AGR-6), its license group (R-AGR-7), a file whose path Tab
//! completes, an other-software agreement from the catalog by type-ahead
//! (R-AGR-10, R-AGR-11), and editing one. Each ends in the store's rows.

use super::*;

fn open_form(c: &mut Console) {
    c.key(KeyCode::Char('4'));
    c.key(KeyCode::Char('n'));
    assert!(
        matches!(c.state.overlay, Overlay::AgreementForm(_)),
        "n opens the form: {}",
        c.flash()
    );
}

/// (kind, group, license_count, product id) of the agreement named `name`.
fn agreement(conn: &Connection, name: &str) -> (String, String, Option<i64>, Option<i64>) {
    conn.query_row(
        "SELECT a.kind, g.name, a.license_count, a.product_id FROM agreements a \
         JOIN license_groups g ON g.id = a.license_group_id WHERE a.name = ?1",
        [name],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .unwrap()
}

fn sets_of(conn: &Connection, name: &str) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare(
            "SELECT n.first_number, n.second_number FROM agreement_number_sets n \
             JOIN agreements a ON a.id = n.agreement_id WHERE a.name = ?1 ORDER BY n.id",
        )
        .unwrap();
    stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn lookup_labels(c: &Console) -> Vec<String> {
    match &c.state.overlay {
        Overlay::AgreementForm(form) => form.lookup.results.iter().map(|i| i.label.clone()).collect(),
        other => panic!("the form is closed: {other:?}"),
    }
}

/// R-AGR-6, R-AGR-7: a name and pairs added with + and removed with -,
/// the CSV's rules shown under the field as typed, then a group made there.
#[test]
fn by_hand_volume_agreement_checks_pairs_live_and_makes_its_group() {
    let mut c = Console::new();
    open_form(&mut c);
    c.key(KeyCode::Enter); // volume licensing
    c.key(KeyCode::Char('2'));
    c.key(KeyCode::Enter); // by hand
    c.chars("Office EU/27");
    let screen = c.screen();
    assert!(
        screen.contains("holds '/'") && screen.contains("R-AGR-4"),
        "{screen}"
    );
    for _ in 0..3 {
        c.key(KeyCode::Backspace);
    }
    c.chars(" 2027");
    assert!(!c.screen().contains("R-AGR-4"), "{}", c.screen());
    c.key(KeyCode::Tab);
    c.chars("12345678");
    c.key(KeyCode::Tab);
    c.chars("123456789");
    let screen = c.screen();
    assert!(
        screen.contains("17 characters") && screen.contains("R-AGR-3"),
        "{screen}"
    );
    insta::assert_snapshot!("agreement_form_volume_80x24", screen);
    c.key(KeyCode::Char('+'));
    assert!(c.screen().contains("not added"), "{}", c.screen());
    c.key(KeyCode::Backspace);
    c.key(KeyCode::Char('+'));
    for (first, second) in [("91-07001", "91-07001"), ("A1", "B2")] {
        c.chars(first);
        c.key(KeyCode::Tab);
        c.chars(second);
        c.key(KeyCode::Char('+'));
    }
    assert!(c.screen().contains("Pairs (3)"), "{}", c.screen());
    c.key(KeyCode::Tab);
    c.key(KeyCode::Tab); // the pair list; the last pair is highlighted
    c.key(KeyCode::Char('-'));
    assert!(c.screen().contains("Pairs (2)"), "{}", c.screen());
    c.key(KeyCode::Enter);
    let screen = c.screen();
    assert!(
        screen.contains("Unassigned agreements") && screen.contains("Engineering"),
        "{screen}"
    );
    insta::assert_snapshot!("agreement_form_group_80x24", screen);
    c.chars("True-up FY27");
    assert!(
        c.screen().contains("new group \"True-up FY27\""),
        "{}",
        c.screen()
    );
    c.key(KeyCode::Enter);
    let screen = c.screen();
    assert!(
        screen.contains("adds the volume agreement Office EU 2027 with 2 number sets"),
        "{screen}"
    );
    c.key(KeyCode::Esc);
    match &c.state.overlay {
        Overlay::AgreementForm(form) => {
            assert_eq!(form.volume.pairs.len(), 2, "Esc goes back to the form as it was")
        }
        other => panic!("{other:?}"),
    }
    c.key(KeyCode::Enter);
    c.key(KeyCode::Enter);
    assert_eq!(c.state.overlay, Overlay::None, "{}", c.flash());
    assert!(c.flash().contains("Office EU 2027 added"), "{}", c.flash());
    let (kind, group, _, _) = agreement(&c.conn, "Office EU 2027");
    assert_eq!((kind.as_str(), group.as_str()), ("volume", "True-up FY27"));
    let pairs = sets_of(&c.conn, "Office EU 2027");
    let expected = [("12345678", "12345678"), ("91-07001", "91-07001")];
    assert_eq!(
        pairs,
        expected.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec()
    );
    let audited: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'agreement_add' AND result = 'ok' AND principals LIKE '%Office EU 2027%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

/// The pane's `:import` twin: Tab completes the path as a shell does, then
/// the file goes to the group chosen (R-AGR-2..5, R-AGR-7).
#[test]
fn file_path_completes_with_tab_and_imports_into_the_chosen_group() {
    let mut c = Console::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("office-eu.csv"),
        "93-07001,93-07001,Office EU file\n94-1,94-2,Select EU file\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("office-us.csv"), "").unwrap();
    std::fs::create_dir(dir.path().join("older")).unwrap();
    let base = format!("{}/", dir.path().display());
    open_form(&mut c);
    c.key(KeyCode::Enter);
    c.key(KeyCode::Enter); // a file
    c.chars(&format!("{base}off"));
    c.key(KeyCode::Tab);
    let screen = c.screen();
    assert!(
        screen.contains("office-eu.csv") && screen.contains("office-us.csv"),
        "{screen}"
    );
    match &c.state.overlay {
        Overlay::AgreementForm(form) => assert_eq!(form.path.value(), format!("{base}office-")),
        other => panic!("{other:?}"),
    }
    c.chars("e");
    c.key(KeyCode::Tab);
    c.key(KeyCode::Enter);
    c.chars("engin");
    c.key(KeyCode::Enter);
    let screen = c.screen();
    assert!(
        screen.contains("adds 2 volume agreements from office-eu.csv to \"Engineering\""),
        "{screen}"
    );
    c.key(KeyCode::Enter);
    assert_eq!(agreement(&c.conn, "Select EU file").1, "Engineering");
}

/// R-AGR-10, R-AGR-11: "soft" finds both Microsoft publishers; products
/// come only after a publisher and only its own; an end before the start
/// is refused; the agreement lands with the catalog's product.
#[test]
fn other_software_agreement_from_the_catalog_by_type_ahead() {
    let mut c = Console::new();
    open_form(&mut c);
    c.key(KeyCode::Char('2'));
    c.key(KeyCode::Enter);
    c.chars("Visio seats");
    c.key(KeyCode::Tab);
    c.key(KeyCode::Tab);
    assert!(c.screen().contains("choose a publisher first"), "{}", c.screen());
    c.key(KeyCode::BackTab);
    c.chars("zzz");
    c.key(KeyCode::Enter);
    assert!(
        c.screen().contains("only publishers in the catalog"),
        "{}",
        c.screen()
    );
    c.ctrl('u');
    c.chars("soft");
    let found = lookup_labels(&c);
    assert!(
        found.contains(&"Microsoft".to_owned()) && found.contains(&"Microsoft Research".to_owned()),
        "{found:?}"
    );
    insta::assert_snapshot!("agreement_form_other_80x24", c.screen());
    c.key(KeyCode::Enter); // Microsoft, the first match
    let microsoft: Vec<String> = {
        let mut stmt = c
            .conn
            .prepare(
                "SELECT title FROM products WHERE publisher_id = (SELECT id FROM publishers WHERE name = 'Microsoft')",
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let offered = lookup_labels(&c);
    assert!(
        !offered.is_empty() && offered.iter().all(|t| microsoft.contains(t)),
        "{offered:?}"
    );
    let title = offered[0].clone();
    c.chars(&title[..title.len().min(6)]);
    c.key(KeyCode::Enter);
    c.chars("25");
    c.key(KeyCode::Tab);
    c.chars("2027-01-01");
    c.key(KeyCode::Tab);
    c.chars("2026-01-01");
    assert!(c.screen().contains("not after the start date"), "{}", c.screen());
    c.key(KeyCode::Enter);
    assert!(
        matches!(c.state.overlay, Overlay::AgreementForm(_)),
        "refused: no preview"
    );
    c.ctrl('u');
    c.chars("2028-01-01");
    c.key(KeyCode::Tab);
    c.chars("true-up each March");
    c.key(KeyCode::Enter);
    c.key(KeyCode::Enter); // "Unassigned agreements"
    assert!(
        c.screen().contains("adds Visio seats: 25 licenses of Microsoft"),
        "{}",
        c.screen()
    );
    c.key(KeyCode::Enter);
    let (kind, group, count, product) = agreement(&c.conn, "Visio seats");
    assert_eq!(
        (kind.as_str(), group.as_str(), count),
        ("other", "Unassigned agreements", Some(25))
    );
    let saved: String = c
        .conn
        .query_row(
            "SELECT title FROM products WHERE id = ?1",
            [product.unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(saved, title);
}

/// R-AGR-11: with no detected software the form says why and how to fill it.
#[test]
fn an_empty_catalog_says_how_to_fill_the_inventory() {
    let mut c = Console::new();
    c.conn.execute("DELETE FROM inventory", []).unwrap();
    open_form(&mut c);
    c.key(KeyCode::Char('2'));
    c.key(KeyCode::Enter);
    let screen = c.screen();
    assert!(screen.contains("seats import inventory FILE"), "{screen}");
    c.key(KeyCode::Enter);
    assert!(matches!(c.state.overlay, Overlay::AgreementForm(_)));
}

/// R-AGR-10, R-AGR-12: `e` edits an other-software agreement in the same
/// form; `d` deletes one; a volume agreement is not edited here.
#[test]
fn e_edits_an_other_agreement_and_d_deletes_it() {
    let mut c = Console::new();
    let (id, name): (i64, String) = c
        .conn
        .query_row(
            "SELECT id, name FROM agreements WHERE kind = 'other' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.key(KeyCode::Char('4'));
    c.filter(&name);
    assert_eq!(c.state.table().selected_row().map(Row::id), Some(id));
    c.key(KeyCode::Char('e'));
    assert!(c.screen().contains("Edit agreement"), "{}", c.screen());
    for _ in 0..3 {
        c.key(KeyCode::Tab);
    }
    c.ctrl('u');
    c.chars("40");
    c.key(KeyCode::Enter);
    assert!(
        c.screen().contains(&format!("saves {name}: 40 licenses")),
        "{}",
        c.screen()
    );
    c.key(KeyCode::Enter);
    assert_eq!(agreement(&c.conn, &name).2, Some(40));
    c.key(KeyCode::Char('d'));
    c.key(KeyCode::Enter);
    let left: i64 = c
        .conn
        .query_row("SELECT count(*) FROM agreements WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(left, 0, "d deletes an other-software agreement too");
    c.key(KeyCode::Esc); // clears the filter
    c.filter("kind=volume");
    c.key(KeyCode::Char('e'));
    assert!(c.flash().contains("is a volume agreement"), "{}", c.flash());
}

/// R-AGR-11 in the store: a publisher whose software no managed computer
/// has is refused, whatever the form sent.
#[test]
fn a_publisher_without_managed_computers_is_refused_by_the_store() {
    let c = Console::new();
    c.conn.execute("UPDATE devices SET managed = 0", []).unwrap();
    let product: String = c
        .conn
        .query_row(
            "SELECT p.title FROM products p JOIN publishers u ON u.id = p.publisher_id \
             WHERE u.name = 'Microsoft' ORDER BY p.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let other = seats::domain::agreement_entry::OtherAgreement {
        name: "Unmanaged only".into(),
        publisher: "Microsoft".into(),
        product,
        license_count: 5,
        starts_on: None,
        ends_on: None,
        details: None,
    };
    let group = seats::store::agreements_entry::GroupChoice::Unassigned;
    let err = seats::store::agreements_entry::plan_other(&c.conn, None, &other, &group).unwrap_err();
    assert!(err.to_string().contains("R-AGR-11"), "{err}");
    let choices = seats::store::agreement_choices::publishers(&c.conn, "soft", 8).unwrap();
    assert!(choices.items.is_empty(), "{choices:?}");
}
