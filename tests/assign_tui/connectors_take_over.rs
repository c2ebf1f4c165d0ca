//! Taking a claimed Apple token over from the console (R-CON-6): the
//! Connectors detail says how, `:take-over` previews what is lost and
//! records the choice only on Enter.

use super::*;

fn take_over_flag(c: &Console, name: &str) -> i64 {
    c.conn
        .query_row("SELECT take_over FROM connectors WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn take_over_in_connectors_previews_the_loss_and_records_the_choice_r_con_6() {
    let mut c = Console::new();
    c.key(KeyCode::Char('3'));
    c.filter("kind:graph");
    c.key(KeyCode::Char(':'));
    c.chars("take-over");
    c.key(KeyCode::Enter);
    assert!(c.screen().contains("is not an Apple connector"), "{}", c.screen());
    c.key(KeyCode::Esc);
    c.key(KeyCode::Esc);

    let claimed = "Apple VPP (old school district token)";
    c.filter("district");
    c.key(KeyCode::Char('i'));
    let detail = c.screen();
    assert!(detail.contains(":take-over"), "the detail says how: {detail}");
    c.key(KeyCode::Esc);
    c.key(KeyCode::Char(':'));
    c.chars("take-over");
    c.key(KeyCode::Enter);
    let preview = c.screen();
    assert!(preview.contains("in use by another MDM"), "{preview}");
    assert!(preview.contains("lost to it"), "{preview}");
    assert_eq!(take_over_flag(&c, claimed), 0, "nothing is recorded before Enter");
    c.key(KeyCode::Enter);
    assert_eq!(take_over_flag(&c, claimed), 1);
    assert!(c.flash().contains("taken over"), "{}", c.flash());
    let audited: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'connector_take_over'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

#[test]
fn a_token_due_soon_says_when_it_was_updated_and_how_to_renew_r_con_4() {
    let mut c = Console::new();
    c.key(KeyCode::Char('3'));
    c.filter("kind:apple !district");
    c.key(KeyCode::Char('i'));
    let detail = c.screen();
    assert!(detail.contains("Updated"), "{detail}");
    assert!(detail.contains("Renew"), "{detail}");
    assert!(detail.contains("then n here"), "{detail}");
}
