//! `:enable` / `:disable` in Connectors (issue 8 review, R-CON-1): a
//! preview first, the store's refusal shown in it, the change and its
//! audit row only on Enter; `r` on a disabled connector names `:enable`.

use super::*;

fn enabled(c: &Console, name: &str) -> bool {
    c.conn
        .query_row("SELECT enabled FROM connectors WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap()
}

fn command(c: &mut Console, text: &str) {
    c.key(KeyCode::Char(':'));
    c.chars(text);
    c.key(KeyCode::Enter);
}

#[test]
fn disable_and_enable_the_selected_connector_through_a_preview_r_con_1() {
    let mut c = Console::new();
    c.key(KeyCode::Char('3'));
    c.filter("kind:graph");
    command(&mut c, "disable");
    let preview = c.screen();
    assert!(preview.contains("Disable Microsoft Graph"), "{preview}");
    assert!(preview.contains("stops syncing"), "{preview}");
    assert!(enabled(&c, "Microsoft Graph"), "nothing changes before Enter");
    c.key(KeyCode::Enter);
    assert!(!enabled(&c, "Microsoft Graph"));
    assert!(c.flash().contains("Microsoft Graph disabled"), "{}", c.flash());
    // The console's watcher sees the cache change and reloads the pane.
    c.send(Msg::Worker(seats::app::WorkerEvent::DataChanged));
    assert!(c.screen().contains("– off"), "{}", c.screen());

    c.key(KeyCode::Char('r'));
    assert!(
        c.flash().contains(":enable"),
        "r names the way back: {}",
        c.flash()
    );

    command(&mut c, "enable");
    c.key(KeyCode::Enter);
    assert!(enabled(&c, "Microsoft Graph"));
    let audited: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action IN ('connector_enable', 'connector_disable')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 2);
}

#[test]
fn enabling_a_second_apple_location_is_refused_in_the_preview_r_con_3() {
    let mut c = Console::new();
    c.key(KeyCode::Char('3'));
    c.filter("district");
    command(&mut c, "enable");
    let preview = c.screen();
    assert!(preview.contains("is enabled already"), "{preview}");
    c.key(KeyCode::Enter);
    assert!(
        !enabled(&c, "Apple VPP (old school district token)"),
        "a refusal applies nothing"
    );
}
