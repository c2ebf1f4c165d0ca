//! Every preview names its keys one way (review polish): the footer and the
//! hint line under the dialog say the same, a key the preview takes (t, d)
//! is named there, Esc says where it goes (back to the picker, or cancel),
//! and no line of the preview names the keys in other words. What the
//! preview says a change does is what the code does: a connector this
//! version does not sync is not said to sync or push again.

use super::*;

/// The preview's footer (the line above its bottom border) and the hint
/// line under the dialog, and the lines between its title and its footer.
fn parts(c: &mut Console) -> (String, String, Vec<String>) {
    // An earlier message would hold the hint line.
    c.state.flash = None;
    let screen = c.screen();
    let lines: Vec<&str> = screen.lines().collect();
    let rows = lines.len();
    let inside = |line: &str| line.trim().trim_matches('│').trim().to_owned();
    let footer = inside(lines[rows - 4]);
    let hint = lines[rows - 2].trim().to_owned();
    let body = lines[2..rows - 4].iter().map(|l| inside(l)).collect();
    (footer, hint, body)
}

/// Checks one open preview; its footer.
fn check(c: &mut Console, wanted: &[&str]) -> String {
    assert!(
        matches!(&c.state.overlay, Overlay::Preview(p) if p.preview.is_some()),
        "a preview: {}",
        c.screen()
    );
    let (footer, hint, body) = parts(c);
    assert_eq!(footer, hint, "one wording: {}", c.screen());
    for word in wanted {
        assert!(footer.contains(word), "{word:?} in {footer:?}");
    }
    for line in &body {
        assert!(
            !line.contains("Enter ") && !line.contains("Esc "),
            "keys are named in the footer only: {line:?}"
        );
    }
    footer
}

fn palette(c: &mut Console, line: &str) {
    c.key(KeyCode::Char(':'));
    c.chars(line);
    c.key(KeyCode::Enter);
}

#[test]
fn every_preview_names_its_keys_one_way() {
    // Subscription terms run past the wall clock, so C is not refused.
    let mut c = super::subscriptions::console();
    let pool = c.select_roomy_pool();
    let upn = c.user_without(pool.id);

    // From the picker, Esc goes back to it.
    c.key(KeyCode::Char('a'));
    c.chars(&upn);
    c.key(KeyCode::Tab);
    c.key(KeyCode::Enter);
    check(&mut c, &["Enter or y applies", "Esc or n goes back", "↑↓ scroll"]);
    c.key(KeyCode::Enter);

    // Undo opens on its own: Esc cancels it.
    c.key(KeyCode::Char('z'));
    check(&mut c, &["Enter or y applies", "Esc or n cancels"]);
    c.key(KeyCode::Esc);

    // Refused: nothing to apply, Esc goes back to the picker.
    c.key(KeyCode::Char('a'));
    c.ctrl('a');
    c.key(KeyCode::Enter);
    let footer = check(&mut c, &["nothing changed", "Esc or n goes back"]);
    assert!(!footer.contains("Enter"), "{footer}");
    c.key(KeyCode::Esc);
    c.key(KeyCode::Esc);

    // Release from the pool's seats.
    c.key(KeyCode::Enter);
    assert_eq!(c.state.pane, PaneId::Assignees);
    c.key(KeyCode::Char('x'));
    check(&mut c, &["Enter or y applies", "Esc or n cancels"]);
    c.key(KeyCode::Esc);

    // t in an app's seats: the preview takes t again.
    c.key(KeyCode::Esc);
    c.key(KeyCode::Char('2'));
    c.filter("license:vpp");
    c.key(KeyCode::Enter);
    c.key(KeyCode::Char('t'));
    check(
        &mut c,
        &["t next intent", "Enter or y applies", "Esc or n cancels"],
    );
    c.key(KeyCode::Esc);

    // D in Users: the preview takes d.
    c.key(KeyCode::Esc);
    c.key(KeyCode::Char('5'));
    c.key(KeyCode::Char('D'));
    check(
        &mut c,
        &["d their devices too", "Enter or y applies", "↑↓ scroll"],
    );
    c.key(KeyCode::Esc);

    // Cancelling a subscription: Esc does not read as cancelling it.
    super::subscriptions::select(&mut c, "Wingtip Analytics");
    c.key(KeyCode::Char('C'));
    let footer = check(&mut c, &["Enter or y cancels it for good", "Esc or n keeps it"]);
    assert!(!footer.contains("Esc or n cancels"), "{footer}");
    c.key(KeyCode::Esc);

    // A connector: the footer says what Enter does to it.
    c.key(KeyCode::Char('3'));
    c.filter("kind:graph");
    palette(&mut c, "disable");
    check(&mut c, &["Enter or y disables it", "Esc or n keeps it on"]);
    c.key(KeyCode::Esc);
}

/// A connector this version does not sync is not said to sync or push
/// when it is turned on again (the store's own note says it doesn't).
#[test]
fn enabling_a_connector_that_does_not_sync_claims_no_sync_or_push() {
    let mut c = Console::new();
    c.conn
        .execute(
            "UPDATE connectors SET enabled = 0 WHERE kind = 'volume_licensing'",
            [],
        )
        .unwrap();
    c.key(KeyCode::Char('3'));
    c.filter("kind:volume_licensing");
    palette(&mut c, "enable");
    check(&mut c, &["Enter or y enables it", "Esc or n keeps it off"]);
    let (_, _, body) = parts(&mut c);
    let text = body.join(" ");
    assert!(!text.contains("syncs and pushes"), "{text}");
    assert!(text.contains("doesn't sync"), "{text}");
}

/// Nor is one said to keep its seats "as last synced" when it is turned
/// off: it never was synced, its figures are as recorded.
#[test]
fn disabling_a_connector_that_does_not_sync_claims_no_last_sync() {
    let mut c = Console::new();
    c.key(KeyCode::Char('3'));
    c.filter("kind:volume_licensing");
    palette(&mut c, "disable");
    check(&mut c, &["Enter or y disables it", "Esc or n keeps it on"]);
    let (_, _, body) = parts(&mut c);
    let text = body.join(" ");
    assert!(!text.contains("last synced"), "{text}");
    assert!(text.contains("doesn't sync"), "{text}");
}

/// A preview line too long for the dialog continues under its own text,
/// not at the dialog's edge: "seats taken back: a, b" wrapped put b at
/// column 0, under the pool's name, as if it were a line of its own.
#[test]
fn a_wrapped_preview_line_continues_under_its_text() {
    let mut c = Console::new();
    c.select_roomy_pool();
    c.key(KeyCode::Char('a'));
    for _ in 0..3 {
        c.key(KeyCode::Tab);
    }
    c.key(KeyCode::Enter);
    c.key(KeyCode::Enter);
    c.key(KeyCode::Char('z'));
    let (_, _, body) = parts(&mut c);
    let raw: Vec<String> = c
        .screen()
        .lines()
        .map(|l| l.trim_start_matches('│').to_owned())
        .collect();
    let taken = raw
        .iter()
        .position(|l| l.contains("seats taken back:"))
        .unwrap_or_else(|| panic!("{body:?}"));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let next = &raw[taken + 1];
    assert!(next.contains('@'), "the list goes on: {raw:?}");
    assert!(
        indent(next) > indent(&raw[taken]),
        "continues under its text: {:?} / {next:?}",
        raw[taken]
    );
}

/// A preview longer than its dialog counts the rows below on its bottom
/// border, as the detail panel does ("+3 more: i"); scrolling down to the
/// end shows them and the count goes (the refusal of "all" listed groups
/// under the dialog's edge without a word).
#[test]
fn a_preview_longer_than_its_dialog_counts_the_rows_below() {
    let mut c = Console::new();
    c.select_roomy_pool();
    c.key(KeyCode::Char('a'));
    c.ctrl('a');
    c.key(KeyCode::Enter);
    let border = |c: &Console| c.screen().lines().nth(21).unwrap_or_default().to_owned();
    let below: usize = border(&c)
        .split(" +")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("counted: {}", c.screen()));
    assert!(border(&c).contains("more: ↓"), "{}", border(&c));
    for _ in 0..below {
        c.key(KeyCode::Down);
    }
    assert!(!border(&c).contains("more"), "{}", c.screen());
}
