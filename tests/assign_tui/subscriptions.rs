//! The Subscriptions view by keyboard (issue 10, R-SUB-1..9, R-LIC-8):
//! opened with `:subscriptions` or Enter on a SaaS or ISV pool; activate,
//! cancel, quantity and billing profile go through the preview; the
//! billing dialog lists the invoices; `o` shows where an ISV product
//! installs.

use seats::app::Command;
use seats::store::subscriptions::{self, SubscriptionRow};

use super::*;

pub(super) fn palette(c: &mut Console, line: &str) {
    c.key(KeyCode::Char(':'));
    c.chars(line);
    c.key(KeyCode::Enter);
}

/// A demo whose subscriptions' terms run years past the wall clock: the
/// store's changes measure a term against today, the demo against its
/// fixed date, and a test must not fail as the calendar moves on.
pub(super) fn console() -> Console {
    let c = Console::new();
    c.conn
        .execute(
            "UPDATE pools SET expires_on = date(expires_on, '+10 years') \
             WHERE kind IN ('saas', 'isv') AND status <> 'disabled'",
            [],
        )
        .unwrap();
    c
}

/// `:subscriptions`, then the one named `name` selected.
pub(super) fn select(c: &mut Console, name: &str) -> SubscriptionRow {
    palette(c, "subscriptions");
    assert_eq!(c.state.pane, PaneId::Subscriptions);
    c.filter(name);
    match c.state.table().selected_row() {
        Some(Row::Subscription(row)) => {
            assert_eq!(row.name, name);
            row.clone()
        }
        other => panic!("{name} is not listed: {other:?}"),
    }
}

fn stored(c: &Console, id: i64) -> SubscriptionRow {
    subscriptions::get(&c.conn, id).unwrap().unwrap()
}

pub(super) fn preview_text(c: &Console) -> String {
    match &c.state.overlay {
        Overlay::Preview(p) => {
            let p = p.preview.as_ref().expect("the preview was worked out");
            let mut text: Vec<String> = p.lines.iter().map(|l| l.text.clone()).collect();
            text.extend(p.refusal.iter().map(|r| format!("Refused: {r}")));
            text.join("\n")
        }
        other => panic!("no preview: {other:?}"),
    }
}

/// What the console's reader reports after another connection's commit.
fn reread(c: &mut Console) {
    c.send(Msg::Worker(seats::app::WorkerEvent::DataChanged));
}

fn seats_held(c: &Console, pool: i64) -> i64 {
    c.conn
        .query_row(
            "SELECT count(*) FROM assignments WHERE pool_id = ?1",
            [pool],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn the_view_opens_with_the_palette_and_from_a_saas_pool_in_licenses() {
    let mut c = console();
    palette(&mut c, "subscriptions");
    assert_eq!(c.state.pane, PaneId::Subscriptions);
    assert_eq!(
        c.state.table().count,
        Some(8),
        "the demo's SaaS and ISV subscriptions"
    );
    c.key(KeyCode::Esc);
    assert_eq!(
        c.state.pane,
        PaneId::Subscriptions,
        "opened on its own: Esc stays"
    );

    c.key(KeyCode::Char('1'));
    c.filter("Fabrikam CRM");
    c.key(KeyCode::Enter);
    assert_eq!(
        c.state.pane,
        PaneId::Subscriptions,
        "Enter on a SaaS pool opens its subscription"
    );
    assert_eq!(c.state.table().count, Some(1));
    let screen = c.screen();
    assert!(screen.contains("Fabrikam CRM"), "{screen}");
    assert!(screen.contains("partner"), "channel shown: {screen}");

    c.key(KeyCode::Enter);
    assert_eq!(c.state.pane, PaneId::Assignees, "Enter there opens the seats");
    assert!(c.screen().contains("Seats of Fabrikam CRM"), "{}", c.screen());
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::Subscriptions);
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::Licenses, "Esc goes back to Licenses");
}

/// R-SUB-3: no seat before activation, and the refusal says where.
#[test]
fn a_pending_subscription_is_activated_then_seats_can_be_assigned() {
    let mut c = console();
    let row = select(&mut c, "Adatum Sign");
    assert_eq!(row.status, "pending_activation");
    c.key(KeyCode::Char('a'));
    assert!(c.flash().contains("not activated yet"), "{}", c.flash());
    let url = row.activation_url.clone().unwrap();
    assert!(c.flash().contains(&url), "names where to activate: {}", c.flash());
    assert!(matches!(c.state.overlay, Overlay::None));

    c.key(KeyCode::Char('A'));
    assert!(
        preview_text(&c).contains("records that Adatum Sign was activated at the publisher"),
        "{}",
        preview_text(&c)
    );
    assert_eq!(
        stored(&c, row.id).status,
        "pending_activation",
        "the preview changes nothing"
    );
    c.key(KeyCode::Enter);
    assert_eq!(stored(&c, row.id).status, "active");
    reread(&mut c);
    assert!(c.screen().contains("✓ active"), "{}", c.screen());

    let upn = c.user_without(row.id);
    c.key(KeyCode::Char('a'));
    assert!(matches!(c.state.overlay, Overlay::Picker(_)), "{}", c.flash());
    c.chars(&upn);
    c.key(KeyCode::Tab);
    c.key(KeyCode::Enter);
    c.key(KeyCode::Enter);
    assert_eq!(stored(&c, row.id).consumed, 1, "{}", c.flash());
}

/// R-SUB-7, R-SUB-4: the confirmation names the seats; cancelling releases
/// them and the subscription can't be activated again.
#[test]
fn cancelling_releases_the_seats_and_the_view_shows_disabled() {
    let mut c = console();
    let row = select(&mut c, "Wingtip Analytics");
    assert!(row.consumed > 0);
    let first: String = c
        .conn
        .query_row(
            "SELECT u.upn FROM assignments s JOIN users u ON u.id = s.user_id WHERE s.pool_id = ?1 ORDER BY u.upn LIMIT 1",
            [row.id],
            |r| r.get(0),
        )
        .unwrap();
    c.key(KeyCode::Char('C'));
    let text = preview_text(&c);
    assert!(text.contains("cancels Wingtip Analytics for good"), "{text}");
    assert!(
        text.contains(&format!("releases its {} seats", row.consumed)),
        "{text}"
    );
    assert!(text.contains(&first), "names the seats that go: {text}");
    // Its keys say what they do to the subscription: Esc keeps it.
    let screen = c.screen();
    assert!(
        screen.contains("Enter or y cancels it for good · Esc or n keeps it"),
        "{screen}"
    );
    assert!(text.contains("record it with n"), "the console's way on: {text}");
    c.key(KeyCode::Enter);
    let after = stored(&c, row.id);
    assert_eq!(after.status, "disabled");
    assert_eq!(after.disabled_reason.as_deref(), Some("cancelled"));
    assert_eq!(after.consumed, 0);
    assert_eq!(seats_held(&c, row.id), 0, "every seat released");
    assert!(
        c.flash().contains(&format!("{} seats released", row.consumed)),
        "{}",
        c.flash()
    );
    reread(&mut c);
    c.state.flash = None;
    let screen = c.screen();
    assert!(screen.contains("✗ cancelled"), "the row shows it: {screen}");
    c.key(KeyCode::Char('i'));
    let detail = c.screen();
    assert!(
        detail.contains("never be active again"),
        "the detail says the way on: {detail}"
    );
    c.key(KeyCode::Esc);

    c.key(KeyCode::Char('A'));
    let text = preview_text(&c);
    assert!(text.contains("can never be active again"), "{text}");
    assert!(
        text.contains("(n here: by hand or from a CSV file)") && !text.contains("seats import"),
        "the refusal points to the console's n: {text}"
    );
    c.key(KeyCode::Enter);
    assert_eq!(
        stored(&c, row.id).status,
        "disabled",
        "Enter does nothing on a refusal"
    );
}

/// R-SUB-5, R-LIC-8.
#[test]
fn a_quantity_below_the_seats_in_use_is_refused_with_the_count() {
    let mut c = console();
    let row = select(&mut c, "Fabrikam CRM");
    let in_use = row.consumed;
    palette(&mut c, &format!("quantity {}", in_use - 3));
    let text = preview_text(&c);
    assert!(
        text.contains(&format!("{in_use} seats are in use: release 3 first")),
        "{text}"
    );
    c.key(KeyCode::Enter);
    assert_eq!(stored(&c, row.id).quantity, row.quantity, "nothing changed");
    c.key(KeyCode::Esc);
    // A sanity limit: a typo of four billion seats is refused with the reason.
    palette(&mut c, "quantity 4000000000");
    let text = preview_text(&c);
    assert!(text.contains("more than the 10,000,000"), "{text}");
    c.key(KeyCode::Enter);
    assert_eq!(stored(&c, row.id).quantity, row.quantity, "nothing changed");
    c.key(KeyCode::Esc);
    palette(&mut c, &format!("quantity {}", in_use + 7));
    c.key(KeyCode::Enter);
    assert_eq!(stored(&c, row.id).quantity, Some(in_use + 7), "{}", c.flash());
    assert!(c.flash().contains("z undoes"), "{}", c.flash());
    c.key(KeyCode::Char('z'));
    let text = preview_text(&c);
    let (from, to) = (in_use + 7, row.quantity.unwrap());
    assert!(
        text.contains(&format!("Fabrikam CRM: quantity {from} → back to {to}")),
        "{text}"
    );
    c.key(KeyCode::Char('y'));
    assert!(
        c.flash().contains("undone: Fabrikam CRM: quantity"),
        "{}",
        c.flash()
    );
    assert_eq!(
        stored(&c, row.id).quantity,
        row.quantity,
        "undo restored it: {}",
        c.flash()
    );

    let isv = select(&mut c, "Proseware Field Maps");
    palette(&mut c, "quantity 99");
    assert!(
        preview_text(&c).contains("the vendor manages its quantity"),
        "{}",
        preview_text(&c)
    );
    c.key(KeyCode::Esc);
    c.key(KeyCode::Char('i'));
    assert!(c.screen().contains("the vendor changes it"), "{}", c.screen());
    assert_eq!(stored(&c, isv.id).quantity, isv.quantity);
}

/// R-SUB-6.
#[test]
fn the_billing_profile_is_switched_after_the_preview() {
    let mut c = console();
    let row = select(&mut c, "Wingtip Analytics");
    assert_eq!(row.billing_profile.as_deref(), Some("Corporate card"));
    palette(&mut c, "profile procurement (wire)");
    assert!(
        preview_text(&c).contains("Corporate card → Procurement (wire)"),
        "{}",
        preview_text(&c)
    );
    c.key(KeyCode::Enter);
    assert_eq!(
        stored(&c, row.id).billing_profile.as_deref(),
        Some("Procurement (wire)"),
        "{}",
        c.flash()
    );
    palette(&mut c, "profile Procurement (wire)");
    assert!(
        preview_text(&c).contains("billed to Procurement (wire) already"),
        "{}",
        preview_text(&c)
    );
    c.key(KeyCode::Esc);
    palette(&mut c, "profile nowhere");
    assert!(
        preview_text(&c).contains("no billing profile \"nowhere\""),
        "{}",
        preview_text(&c)
    );
}

/// R-SUB-9: where an ISV product installs, sent to the clipboard only
/// where the terminal takes OSC 52.
#[test]
fn install_this_product_shows_the_vendors_address() {
    let mut c = console();
    let row = select(&mut c, "Proseware Field Maps");
    let url = row.install_url.clone().unwrap();
    c.key(KeyCode::Char('o'));
    assert!(c.flash().contains(&url), "{}", c.flash());
    assert!(!c.flash().contains("sent"), "not claimed copied: {}", c.flash());
    c.state.clipboard = true;
    let commands = update(
        &mut c.state,
        Msg::Key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::NONE)),
    );
    assert_eq!(commands, vec![Command::Copy(url)]);
    c.state.end_burst();

    select(&mut c, "Fabrikam CRM");
    c.key(KeyCode::Char('o'));
    assert!(c.flash().contains("nothing installs"), "{}", c.flash());
}
