//! The billing dialog of a subscription by keyboard (issue 10, R-SUB-6):
//! the profile with its card as last four digits only, the invoices a page
//! at a time, a document shown (and copied with OSC 52 where allowed), the
//! export as a CSV file readable by its owner only.

use seats::app::Command;

use super::subscriptions::{console, palette, preview_text, select};
use super::*;

/// R-SUB-6: the profile with its card as last four only, the invoices,
/// their documents and the export.
#[test]
fn the_billing_dialog_lists_invoices_and_exports_them() {
    let mut c = console();
    let row = select(&mut c, "Litware Whiteboard");
    c.key(KeyCode::Char('b'));
    let Overlay::Billing(dialog) = &c.state.overlay else {
        panic!("b opens the billing dialog: {:?}", c.state.overlay);
    };
    let invoices = match &dialog.billing {
        Some(Ok(billing)) => billing.invoices.clone(),
        other => panic!("{other:?}"),
    };
    assert!(!invoices.is_empty(), "the demo has a year of invoices");
    let screen = c.screen();
    assert!(screen.contains("card •••• 4242"), "{screen}");
    assert!(screen.contains(&invoices[0].number), "{screen}");
    insta::assert_snapshot!("billing_dialog_80x24", screen);

    c.key(KeyCode::Down);
    c.key(KeyCode::Enter);
    let document = invoices[1].document.clone().unwrap();
    assert!(c.flash().contains(&document), "{}", c.flash());
    assert!(
        c.flash().contains("copy it from here"),
        "no OSC 52 here: {}",
        c.flash()
    );
    assert!(
        matches!(c.state.overlay, Overlay::Billing(_)),
        "the dialog stays open"
    );

    c.state.clipboard = true;
    let commands = update(
        &mut c.state,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert!(
        commands.contains(&Command::Copy(document.clone())),
        "{commands:?}"
    );
    assert!(c.flash().contains("sent to the clipboard"), "{}", c.flash());

    c.key(KeyCode::End);
    let last = &invoices[invoices.len() - 1].number;
    assert!(
        c.screen().contains(last.as_str()),
        "the list pages to its end: {}",
        c.screen()
    );

    let path = c._dir.path().join("litware-invoices.csv");
    c.key(KeyCode::Char('e'));
    assert!(
        matches!(c.state.overlay, Overlay::Palette(_)),
        "e asks where to export"
    );
    c.chars(&path.display().to_string());
    c.key(KeyCode::Enter);
    assert!(
        preview_text(&c).contains(&format!(
            "writes the {} invoices of Litware Whiteboard",
            invoices.len()
        )),
        "{}",
        preview_text(&c)
    );
    c.key(KeyCode::Enter);
    let csv = std::fs::read_to_string(&path).unwrap();
    assert_eq!(csv.lines().count(), invoices.len() + 1, "{csv}");
    assert!(csv.contains(&invoices[0].number), "{csv}");
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "readable by its owner only");
    palette(&mut c, &format!("export invoices {}", path.display()));
    assert!(
        preview_text(&c).contains("exists"),
        "never overwrites: {}",
        preview_text(&c)
    );
    let _ = row;
}
