//! The billing dialog of a subscription (R-SUB-6): its profile and its
//! invoices, read by the worker; Enter shows (and where the terminal takes
//! OSC 52, copies) an invoice's document, `e` exports them as CSV.

use super::message::Command;
use super::state::{AppState, Overlay};
use super::subscriptions::{selected, show_address};
use crate::store::billing::{InvoiceRow, ProfileRow};

/// What the billing dialog shows: the profile and the invoices.
#[derive(Debug, Clone, PartialEq)]
pub struct Billing {
    pub profile: Option<ProfileRow>,
    /// Every profile: the forms choose among them.
    pub profiles: Vec<ProfileRow>,
    pub invoices: Vec<InvoiceRow>,
    /// The live subscriptions' names but this one's: the form refuses them
    /// as the name is typed.
    pub taken: Vec<String>,
}

/// The billing dialog of one subscription (`b`).
#[derive(Debug, Clone, PartialEq)]
pub struct BillingState {
    pub pool_id: i64,
    pub name: String,
    pub generation: u64,
    /// None while the worker reads it; Err says why it could not.
    pub billing: Option<Result<Billing, String>>,
    /// The highlighted invoice.
    pub selected: usize,
}

/// `b`: the billing dialog of the selected subscription.
pub fn open(state: &mut AppState) -> Vec<Command> {
    let Some(row) = selected(state) else {
        return Vec::new();
    };
    let generation = state.next_request();
    state.overlay = Overlay::Billing(Box::new(BillingState {
        pool_id: row.id,
        name: row.name,
        generation,
        billing: None,
        selected: 0,
    }));
    vec![Command::ReadBilling {
        generation,
        pool_id: row.id,
    }]
}

/// The worker's answer for the billing dialog of that generation.
pub fn on_billing(state: &mut AppState, generation: u64, billing: Result<Billing, String>) {
    if let (Overlay::SubscriptionForm(_), Ok(billing)) = (&state.overlay, &billing) {
        let names = billing.profiles.iter().map(|p| p.name.clone()).collect();
        let taken = billing.taken.clone();
        super::subscription_form::on_profiles(state, generation, names, taken);
        return;
    }
    if let Overlay::Billing(dialog) = &mut state.overlay
        && dialog.generation == generation
    {
        dialog.billing = Some(billing);
    }
}

/// Keys in the billing dialog: ↑↓ choose an invoice, Enter shows (and
/// copies) its document, e exports them, Esc closes.
pub fn on_billing_key(
    state: &mut AppState,
    mut dialog: Box<BillingState>,
    event: crossterm::event::KeyEvent,
) -> Vec<Command> {
    use crossterm::event::KeyCode;
    let count = match &dialog.billing {
        Some(Ok(billing)) => billing.invoices.len(),
        _ => 0,
    };
    let last = count.saturating_sub(1);
    match event.code {
        KeyCode::Up | KeyCode::Char('k') => dialog.selected = dialog.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => dialog.selected = (dialog.selected + 1).min(last),
        KeyCode::PageUp => dialog.selected = dialog.selected.saturating_sub(BILLING_PAGE),
        KeyCode::PageDown => dialog.selected = (dialog.selected + BILLING_PAGE).min(last),
        KeyCode::Home | KeyCode::Char('g') => dialog.selected = 0,
        KeyCode::End | KeyCode::Char('G') => dialog.selected = last,
        KeyCode::Enter => {
            let invoice = match &dialog.billing {
                Some(Ok(billing)) => billing.invoices.get(dialog.selected).cloned(),
                _ => None,
            };
            state.overlay = Overlay::Billing(dialog);
            return match invoice {
                Some(InvoiceRow {
                    number,
                    document: Some(document),
                    ..
                }) => show_address(state, &format!("invoice {number}:"), document),
                Some(invoice) => {
                    state.refuse(format!("invoice {} has no document on record", invoice.number));
                    Vec::new()
                }
                None => Vec::new(),
            };
        }
        KeyCode::Char(key @ ('n' | 'p')) => return super::billing_form::open(state, &dialog, key == 'p'),
        KeyCode::Char('e') => {
            state.overlay = Overlay::Palette(super::state::PaletteState {
                input: tui_input::Input::new("export invoices ".to_owned()),
                error: None,
            });
            return Vec::new();
        }
        _ => {
            state.overlay = Overlay::None;
            return Vec::new();
        }
    }
    state.overlay = Overlay::Billing(dialog);
    Vec::new()
}

/// Invoices PgUp and PgDn move by; the dialog shows about this many.
pub const BILLING_PAGE: usize = 8;

/// "card •••• 4242" or "check/wire": never more of a card than its last four.
pub fn payment(profile: &ProfileRow) -> String {
    match (profile.payment_method.as_str(), profile.card_last4.as_deref()) {
        ("credit_card", Some(last4)) => format!("card •••• {last4}"),
        ("credit_card", None) => "card".to_owned(),
        _ => "check/wire".to_owned(),
    }
}
