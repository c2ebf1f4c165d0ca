//! Recording a purchase from the Subscriptions view (issue 10, R-SUB-4,
//! R-SUB-8), and what a console that may not write refuses (R-LIC-6).

use super::subscriptions::{console, palette, preview_text, select};
use super::*;

/// R-LIC-6: a console that may not write explains instead of previewing.
#[test]
fn read_only_refuses_the_changes_and_still_shows_billing() {
    let mut c = console();
    c.state.read_only = true;
    select(&mut c, "Adatum Sign");
    for key in ['A', 'C', 'a'] {
        c.key(KeyCode::Char(key));
        assert_eq!(c.state.overlay, Overlay::None, "{key}");
        assert!(c.flash().contains("--read-only"), "{key}: {}", c.flash());
    }
    assert_eq!(c.state.pane, PaneId::Subscriptions);
    c.key(KeyCode::Char('b'));
    assert!(
        matches!(c.state.overlay, Overlay::Billing(_)),
        "reading the billing writes nothing"
    );
}

/// R-SUB-4, R-SUB-8: a disabled subscription offers to record the copy
/// bought again; a bad file is refused with its rows and records nothing.
#[test]
fn n_records_a_new_purchase_from_a_file() {
    let mut c = console();
    select(&mut c, "Tailspin Survey");
    c.key(KeyCode::Char('i'));
    assert!(c.screen().contains("n records the purchase"), "{}", c.screen());
    c.key(KeyCode::Esc);
    let bad = c._dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "name,publisher,kind,channel,pricing,quantity,region\nTailspin Survey,Tailspin Toys,saas,direct,per_seat,5,JP\n",
    )
    .unwrap();
    c.key(KeyCode::Char('n'));
    // n asks: by hand (1) or from a file (2), which is the import's palette.
    c.key(KeyCode::Char('2'));
    c.chars(&bad.display().to_string());
    c.key(KeyCode::Enter);
    let text = preview_text(&c);
    assert!(text.contains("line 2, column region"), "{text}");
    assert!(text.contains("Refused"), "{text}");
    c.key(KeyCode::Esc);

    let good = c._dir.path().join("again.csv");
    std::fs::write(
        &good,
        "name,publisher,kind,channel,pricing,quantity,region\nTailspin Survey,Tailspin Toys,saas,direct,per_seat,5,US\n",
    )
    .unwrap();
    palette(&mut c, &format!("import subscriptions {}", good.display()));
    assert!(
        preview_text(&c).contains("records 1 subscription(s)"),
        "{}",
        preview_text(&c)
    );
    c.key(KeyCode::Enter);
    assert!(c.flash().contains("recorded 1 subscription(s)"), "{}", c.flash());
    let copies: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM pools WHERE name = 'Tailspin Survey'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(copies, 2, "the disabled one and the new purchase");
}

/// Issue 10 ("every change is undoable"): an import is a batch; its flash
/// says z undoes it, and z then removes what it recorded (not the earlier
/// billing-profile switch).
#[test]
fn z_undoes_an_import_after_a_profile_switch() {
    let mut c = console();
    select(&mut c, "Wingtip Analytics");
    palette(&mut c, "profile procurement (wire)");
    c.key(KeyCode::Enter);
    assert!(c.flash().contains("z undoes"), "{}", c.flash());
    let good = c._dir.path().join("one.csv");
    std::fs::write(
        &good,
        "name,publisher,kind,channel,pricing,quantity,region\nUndoMe,Tailspin Toys,saas,direct,per_seat,5,US\n",
    )
    .unwrap();
    palette(&mut c, &format!("import subscriptions {}", good.display()));
    c.key(KeyCode::Enter);
    assert!(c.flash().contains("recorded 1 subscription(s)"), "{}", c.flash());
    assert!(c.flash().contains("z undoes"), "{}", c.flash());
    let count = |c: &Console| -> i64 {
        c.conn
            .query_row("SELECT count(*) FROM pools WHERE name = 'UndoMe'", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(count(&c), 1);
    c.key(KeyCode::Char('z'));
    let text = preview_text(&c);
    assert!(
        text.contains("UndoMe: the recorded purchase is removed"),
        "{text}"
    );
    assert!(!text.contains("billing profile"), "the switch stays: {text}");
    c.key(KeyCode::Char('y'));
    assert_eq!(count(&c), 0, "{}", c.flash());
    assert!(c.flash().contains("undone: UndoMe"), "{}", c.flash());
    let profile: Option<String> = c
        .conn
        .query_row(
            "SELECT b.name FROM pools p JOIN billing_profiles b ON b.id = p.billing_profile_id \
             WHERE p.name = 'Wingtip Analytics'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(profile.as_deref(), Some("Procurement (wire)"));
}
