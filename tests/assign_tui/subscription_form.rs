//! Recording and editing subscriptions by hand, and billing profiles, in
//! the console's forms (issue 10, R-SUB-1, R-SUB-2, R-SUB-4..6, R-SUB-8):
//! checked live by the subscriptions file's rules, saved through the
//! import's store path, an edit undone with z, a card kept as its last
//! four digits only; and the status bar's subscription warnings at 80x24.

use seats::app::subscription_form::FIELDS;
use seats::store::subscriptions;

use super::subscriptions::{console, palette, preview_text, select};
use super::*;

fn form(c: &Console) -> &seats::app::subscription_form::SubscriptionForm {
    match &c.state.overlay {
        Overlay::SubscriptionForm(form) => form,
        other => panic!("no subscription form: {other:?}"),
    }
}

/// Tab until the field labelled `label` has the focus.
fn to(c: &mut Console, label: &str) {
    for _ in 0..FIELDS.len() {
        if FIELDS[form(c).focus].label == label {
            return;
        }
        c.key(KeyCode::Tab);
    }
    panic!("no field {label} takes keys");
}

/// Replaces the focused field's text.
fn retype(c: &mut Console, text: &str) {
    let focus = form(c).focus;
    for _ in 0..form(c).values[focus].value().chars().count() {
        c.key(KeyCode::Backspace);
    }
    c.chars(text);
}

/// `n`, by hand, and the fields of a per-seat SaaS purchase in the US.
fn new_purchase(c: &mut Console, name: &str) {
    c.key(KeyCode::Char('n'));
    assert!(form(c).choosing, "n first asks: by hand or from a file");
    c.key(KeyCode::Char('1'));
    c.chars(name);
    to(c, "Publisher");
    c.chars("Fabrikam");
    to(c, "Quantity");
    c.chars("25");
    to(c, "Price");
    c.chars("8.50");
    to(c, "Currency");
    c.chars("usd");
    to(c, "Term end");
    c.chars("2031-06-30");
    to(c, "Region");
    c.chars("United St");
}

fn stored_named(c: &Console, name: &str) -> Option<subscriptions::SubscriptionRow> {
    let id: Option<i64> = c
        .conn
        .query_row("SELECT id FROM pools WHERE name = ?1", [name], |r| r.get(0))
        .ok();
    id.and_then(|id| subscriptions::get(&c.conn, id).unwrap())
}

/// R-SUB-1, R-SUB-2, R-SUB-8: the form records a purchase through the
/// import's path; it is pending activation in Subscriptions and Licenses.
#[test]
fn the_form_records_a_purchase_pending_activation() {
    let mut c = console();
    select(&mut c, "Adatum Sign");
    new_purchase(&mut c, "Fabrikam Chat");
    assert!(c.screen().contains("matches: United States"), "{}", c.screen());
    c.key(KeyCode::Right);
    assert_eq!(
        form(&c).value(FIELDS.iter().position(|f| f.label == "Region").unwrap()),
        "United States"
    );
    assert!(form(&c).problems.is_empty(), "{:?}", form(&c).problems);
    insta::assert_snapshot!("subscription_form_80x24", c.screen());

    c.key(KeyCode::Enter);
    let text = preview_text(&c);
    assert!(text.contains("records Fabrikam Chat by Fabrikam"), "{text}");
    assert!(text.contains("quantity 25 seats; 8.50 USD monthly"), "{text}");
    assert!(
        stored_named(&c, "Fabrikam Chat").is_none(),
        "the preview records nothing"
    );
    c.key(KeyCode::Esc);
    assert!(
        matches!(c.state.overlay, Overlay::SubscriptionForm(_)),
        "Esc goes back to the form, values kept"
    );
    c.key(KeyCode::Enter);
    c.key(KeyCode::Enter);
    let row = stored_named(&c, "Fabrikam Chat").expect("recorded");
    assert_eq!(row.status, "pending_activation");
    assert_eq!(row.quantity, Some(25));
    assert_eq!(row.price, Some(8.5));
    assert_eq!(row.region.as_deref(), Some("United States"));
    assert_eq!(row.term_end.as_deref(), Some("2031-06-30"));
    assert!(c.flash().contains("Fabrikam Chat is recorded"), "{}", c.flash());
    assert!(
        c.pool("Fabrikam Chat").kind.as_str() == "saas",
        "a pool in Licenses too"
    );
    let audited: String = c
        .conn
        .query_row(
            "SELECT detail FROM audit WHERE action = 'subscriptions_import' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(audited.contains("entered by hand"), "{audited}");

    // Every change is undoable (issue 10): z removes the purchase again.
    assert!(c.flash().contains("z undoes"), "{}", c.flash());
    c.key(KeyCode::Char('z'));
    let text = preview_text(&c);
    assert!(
        text.contains("Fabrikam Chat: the recorded purchase is removed"),
        "{text}"
    );
    c.key(KeyCode::Char('y'));
    assert!(stored_named(&c, "Fabrikam Chat").is_none(), "{}", c.flash());
}

/// Issue 10: once recorded, the new subscription is the selected row, not
/// the one selected before `n`.
#[test]
fn the_recorded_purchase_is_selected() {
    let mut c = console();
    palette(&mut c, "subscriptions");
    c.key(KeyCode::Down);
    c.key(KeyCode::Down);
    let before = match c.state.table().selected_row() {
        Some(Row::Subscription(row)) => row.name.clone(),
        other => panic!("{other:?}"),
    };
    new_purchase(&mut c, "Fabrikam Chat");
    c.key(KeyCode::Right);
    c.key(KeyCode::Enter);
    c.key(KeyCode::Enter);
    assert!(stored_named(&c, "Fabrikam Chat").is_some(), "{}", c.flash());
    // The worker says the cache changed, as it does after every write.
    c.send(Msg::Worker(seats::app::WorkerEvent::DataChanged));
    match c.state.table().selected_row() {
        Some(Row::Subscription(row)) => assert_eq!(row.name, "Fabrikam Chat", "was {before}"),
        other => panic!("{other:?}"),
    }
}

/// Issue 10: a name a live subscription has is said while it is typed,
/// not first at the preview; a disabled one's name may be bought again.
#[test]
fn a_taken_name_is_said_as_it_is_typed() {
    let mut c = console();
    select(&mut c, "Adatum Sign");
    c.key(KeyCode::Char('n'));
    c.key(KeyCode::Char('1'));
    c.chars("adatum sig");
    assert!(form(&c).problem(0).is_none_or(|p| !p.contains("already")));
    c.chars("n");
    let why = form(&c).problem(0).unwrap_or_default().to_owned();
    assert!(why.contains("\"Adatum Sign\" is a subscription already"), "{why}");
    assert!(c.screen().contains("is a subscription already"), "{}", c.screen());
    retype(&mut c, "Tailspin Survey");
    assert!(
        form(&c).problem(0).is_none_or(|p| !p.contains("already")),
        "Tailspin Survey is disabled: bought again under its name"
    );
}

/// R-SUB-8: a region outside the supported ones is refused with the list,
/// and Enter records nothing.
#[test]
fn an_unsupported_region_is_refused_with_the_list() {
    let mut c = console();
    select(&mut c, "Adatum Sign");
    new_purchase(&mut c, "Fabrikam Chat");
    retype(&mut c, "Japan");
    let screen = c.screen();
    assert!(screen.contains("not sold in \"Japan\""), "{screen}");
    assert!(screen.contains("Argentina, Australia"), "the list: {screen}");
    c.key(KeyCode::Enter);
    assert!(
        matches!(c.state.overlay, Overlay::SubscriptionForm(_)),
        "no preview"
    );
    assert!(c.screen().contains("1 problem(s) to fix first"), "{}", c.screen());
    c.key(KeyCode::Esc);
    assert!(stored_named(&c, "Fabrikam Chat").is_none());
}

/// R-SUB-2: a flat rate has no quantity (Unlimited): the field is skipped.
#[test]
fn a_flat_rate_has_no_quantity() {
    let mut c = console();
    select(&mut c, "Adatum Sign");
    new_purchase(&mut c, "Fabrikam Site");
    c.key(KeyCode::Right);
    to(&mut c, "Pricing");
    c.key(KeyCode::Right);
    assert!(c.screen().contains("Unlimited (flat rate)"), "{}", c.screen());
    c.key(KeyCode::Tab);
    assert_eq!(FIELDS[form(&c).focus].label, "Price", "Quantity takes no keys");
    c.key(KeyCode::Enter);
    assert!(
        preview_text(&c).contains("quantity Unlimited (flat rate)"),
        "{}",
        preview_text(&c)
    );
    c.key(KeyCode::Enter);
    let row = stored_named(&c, "Fabrikam Site").expect("recorded");
    assert_eq!((row.pricing.as_deref(), row.quantity), (Some("flat"), None));
}

/// R-SUB-4, R-SUB-5: an edit shows each field before → after, changes it
/// as one audited batch, and z puts it back; the status is not a field.
#[test]
fn an_edit_changes_a_field_and_z_puts_it_back() {
    let mut c = console();
    let row = select(&mut c, "Adatum Sign");
    c.key(KeyCode::Char('e'));
    assert!(!form(&c).enabled(FIELDS.iter().position(|f| f.label == "Region").unwrap()));
    to(&mut c, "Price");
    retype(&mut c, "120.00");
    to(&mut c, "Quantity");
    retype(&mut c, "12");
    insta::assert_snapshot!("subscription_edit_80x24", c.screen());
    c.key(KeyCode::Enter);
    let text = preview_text(&c);
    assert!(text.contains("price: 99.00 → 120.00"), "{text}");
    assert!(text.contains("quantity: 8 → 12"), "{text}");
    assert!(!text.contains("Refused"), "{text}");
    c.key(KeyCode::Enter);
    assert!(
        c.flash().contains("price 99.00 → 120.00"),
        "{:?}",
        c.state.overlay
    );
    let after = subscriptions::get(&c.conn, row.id).unwrap().unwrap();
    assert_eq!((after.price, after.quantity), (Some(120.0), Some(12)));
    assert_eq!(after.status, row.status, "the form never moves the status");

    c.key(KeyCode::Char('z'));
    let text = preview_text(&c);
    assert!(
        text.contains("Adatum Sign: price (cents) 12000 → back to 9900"),
        "{text}"
    );
    c.key(KeyCode::Char('y'));
    let back = subscriptions::get(&c.conn, row.id).unwrap().unwrap();
    assert_eq!(
        (back.price, back.quantity),
        (row.price, row.quantity),
        "{} {:?}",
        c.flash(),
        c.state.overlay
    );
}

/// R-SUB-5: the quantity of an edit follows the quantity rule.
#[test]
fn an_edit_below_the_seats_in_use_is_refused() {
    let mut c = console();
    let row = select(&mut c, "Fabrikam CRM");
    assert!(row.consumed > 1, "{row:?}");
    c.key(KeyCode::Char('e'));
    to(&mut c, "Quantity");
    retype(&mut c, "1");
    c.key(KeyCode::Enter);
    let text = preview_text(&c);
    assert!(text.contains("release"), "{text}");
    assert!(text.contains("Refused"), "{text}");
}

fn profiles(c: &Console) -> i64 {
    c.conn
        .query_row("SELECT count(*) FROM billing_profiles", [], |r| r.get(0))
        .unwrap()
}

/// R-SUB-6: a full card number is refused with the reason and nothing is
/// stored; the last four digits are.
#[test]
fn a_card_number_is_refused_and_its_last_four_are_kept() {
    let mut c = console();
    select(&mut c, "Litware Whiteboard");
    let before = profiles(&c);
    c.key(KeyCode::Char('b'));
    c.key(KeyCode::Char('n'));
    assert!(
        matches!(c.state.overlay, Overlay::ProfileForm(_)),
        "{:?}",
        c.state.overlay
    );
    c.chars("Ops card");
    c.key(KeyCode::Tab);
    c.key(KeyCode::Tab);
    c.chars("4242 4242 4242 4242");
    c.key(KeyCode::Tab);
    c.chars("Ana Ops");
    c.key(KeyCode::Tab);
    c.chars("ana@example.com");
    c.key(KeyCode::Tab);
    c.chars("1 Main St, Springfield");
    let screen = c.screen();
    assert!(screen.contains("has 16 digits"), "{screen}");
    insta::assert_snapshot!("billing_profile_form_80x24", screen);
    c.key(KeyCode::Enter);
    assert!(matches!(c.state.overlay, Overlay::ProfileForm(_)), "no preview");
    assert_eq!(profiles(&c), before, "nothing stored");
    let kept: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM audit WHERE detail LIKE '%42424242%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 0, "the number is nowhere in the cache");

    // Enter put the focus on the card: its last four are taken.
    for _ in 0.."4242 4242 4242 4242".len() {
        c.key(KeyCode::Backspace);
    }
    c.chars("4242");
    c.key(KeyCode::Enter);
    assert!(
        preview_text(&c).contains("card •••• 4242"),
        "{}",
        preview_text(&c)
    );
    c.key(KeyCode::Enter);
    assert_eq!(profiles(&c), before + 1, "{}", c.flash());
    let last4: String = c
        .conn
        .query_row(
            "SELECT card_last4 FROM billing_profiles WHERE name = 'Ops card'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(last4, "4242");
}

/// Issue 10: the demo's subscription warnings fit the 80-column status bar.
#[test]
fn the_status_bar_warns_of_subscriptions_at_80_columns() {
    let c = Console::new();
    let screen = c.screen();
    let bar = screen.lines().last().unwrap_or_default();
    assert!(bar.contains("lapsed"), "{bar}");
    assert!(bar.contains("sub "), "{bar}");
    assert!(bar.contains("token"), "the token warning stays too: {bar}");
}

/// Every live demo subscription opens in the edit form with no problem:
/// what was bought passes the rules it was recorded by.
#[test]
fn every_live_subscription_opens_in_the_edit_form_clean() {
    let mut c = console();
    let rows = subscriptions::page(
        &c.conn,
        &seats::store::PageRequest {
            limit: 100,
            ..Default::default()
        },
    )
    .unwrap()
    .rows;
    for row in rows.iter().filter(|r| r.status != "disabled") {
        select(&mut c, &row.name);
        c.key(KeyCode::Char('e'));
        assert!(
            form(&c).problems.is_empty(),
            "{}: {:?}",
            row.name,
            form(&c).problems
        );
        // Unchanged, it passes the store's checks of what was bought.
        c.key(KeyCode::Enter);
        let text = preview_text(&c);
        assert!(text.contains("nothing is changed"), "{}: {text}", row.name);
        c.key(KeyCode::Esc);
        c.key(KeyCode::Esc);
    }
}
