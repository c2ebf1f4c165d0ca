//! The Subscriptions view's keys (issue 10, R-SUB-1..9, R-LIC-8): opening
//! it from Licenses, activate, cancel, quantity, billing profile, the
//! billing dialog and "install this product". Every change goes through
//! the worker's preview, as seat changes do; the rules are the domain's.

use super::changes::{open_preview, open_seats};
use super::dialogs::Change;
use super::message::Command;
use super::pane::{PaneId, Row};
use super::state::{AppState, Overlay, Tone};
use crate::domain::subscription_billing::ProfileEntry;
use crate::domain::subscription_csv::Purchase;
use crate::store::pools::PoolRow;
use crate::store::subscriptions::SubscriptionRow;

/// What a disabled subscription's detail and refusals say: the way on (R-SUB-4).
pub const BUY_ANOTHER: &str = "a disabled subscription can never be active again; buy another copy, \
     then n records the purchase (by hand, or from its CSV as `seats import subscriptions FILE`)";

/// A change to one subscription, previewed then applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubOp {
    /// Record the activation done at the publisher (R-SUB-3).
    Activate { id: i64 },
    /// Cancel for good, releasing its seats (R-SUB-7).
    Cancel { id: i64 },
    /// A new seat count (R-SUB-5, R-LIC-8).
    Quantity { id: i64, wanted: i64 },
    /// Bill it to another profile (R-SUB-6).
    Profile { id: i64, profile: String },
    /// Write its invoices to a CSV file (R-SUB-6).
    ExportInvoices { id: i64, path: String },
    /// Record bought subscriptions from a CSV file (R-SUB-4, R-SUB-8).
    Import { path: String },
    /// Record one purchase entered in the form (R-SUB-1, R-SUB-2, R-SUB-8).
    Record(Box<Purchase>),
    /// Change what the form may change of subscription `id`.
    Edit { id: i64, purchase: Box<Purchase> },
    /// Add or change a billing profile (R-SUB-6).
    SaveProfile(Box<ProfileEntry>),
}

/// Whether a pool is a subscription the Subscriptions view shows.
pub fn is_subscription(pool: &PoolRow) -> bool {
    matches!(pool.kind.as_str(), "saas" | "isv")
}

/// Enter on a SaaS or ISV pool in Licenses: the Subscriptions view of that
/// one subscription; Enter there opens its seats, Esc comes back.
pub fn open_from_licenses(state: &mut AppState, pool_id: i64) -> Vec<Command> {
    show(state, Some(pool_id))
}

/// `:subscriptions`: every SaaS and ISV subscription.
pub fn show_all(state: &mut AppState) -> Vec<Command> {
    show(state, None)
}

fn show(state: &mut AppState, scope: Option<i64>) -> Vec<Command> {
    state.pane = PaneId::Subscriptions;
    state.overlay = Overlay::None;
    let table = state.table_mut();
    table.scope = scope;
    table.marked.clear();
    table.filter = tui_input::Input::default();
    vec![Command::Fetch(table.restart())]
}

/// Esc in the Subscriptions view: back to Licenses when it was opened from
/// there; None when it was opened on its own (Esc then does nothing).
pub fn back(state: &mut AppState) -> Option<Vec<Command>> {
    state.table_mut().scope.take()?;
    Some(super::update::show(state, PaneId::Licenses))
}

/// The selected subscription, or a refusal saying where to select one.
pub(super) fn selected(state: &mut AppState) -> Option<SubscriptionRow> {
    match (state.pane, state.table().selected_row()) {
        (PaneId::Subscriptions, Some(Row::Subscription(row))) => Some(row.clone()),
        _ => {
            state.refuse("select a subscription first (:subscriptions lists them)");
            None
        }
    }
}

/// A change to the selected subscription, through its preview.
fn change(state: &mut AppState, op: impl FnOnce(i64) -> SubOp) -> Vec<Command> {
    if state.is_read_only() {
        let reason = state.read_only_reason();
        state.refuse(reason);
        return Vec::new();
    }
    match selected(state) {
        Some(row) => open_preview(state, Change::Subscription(op(row.id))),
        None => Vec::new(),
    }
}

/// `A`: record the activation done at the publisher.
pub fn activate(state: &mut AppState) -> Vec<Command> {
    change(state, |id| SubOp::Activate { id })
}

/// `C`: cancel, after a preview naming the seats that go with it.
pub fn cancel(state: &mut AppState) -> Vec<Command> {
    change(state, |id| SubOp::Cancel { id })
}

/// `:quantity N`.
pub fn quantity(state: &mut AppState, wanted: i64) -> Vec<Command> {
    change(state, |id| SubOp::Quantity { id, wanted })
}

/// `:profile NAME`.
pub fn profile(state: &mut AppState, profile: String) -> Vec<Command> {
    change(state, |id| SubOp::Profile { id, profile })
}

/// `:import subscriptions FILE`: the purchases in a CSV, previewed.
pub fn import(state: &mut AppState, path: String) -> Vec<Command> {
    if state.is_read_only() {
        let reason = state.read_only_reason();
        state.refuse(reason);
        return Vec::new();
    }
    open_preview(state, Change::Subscription(SubOp::Import { path }))
}

/// `:export invoices PATH`: the selected subscription's invoices as CSV.
pub fn export(state: &mut AppState, path: String) -> Vec<Command> {
    let id = match (&state.overlay, state.table().selected_row()) {
        (Overlay::Billing(dialog), _) => Some(dialog.pool_id),
        (_, Some(Row::Subscription(row))) if state.pane == PaneId::Subscriptions => Some(row.id),
        _ => None,
    };
    match id {
        Some(id) => open_preview(state, Change::Subscription(SubOp::ExportInvoices { id, path })),
        None => {
            state.refuse("select a subscription in :subscriptions first: its invoices are exported");
            Vec::new()
        }
    }
}

/// Enter in Subscriptions: the seats of the selected one.
pub fn open(state: &mut AppState, row: &SubscriptionRow) -> Vec<Command> {
    let blocker = blocker(row);
    open_seats(state, (row.id, row.name.clone()), blocker)
}

/// `a` in Subscriptions: assign its seats, or why not (where to activate).
pub fn assign(state: &mut AppState) -> Vec<Command> {
    if state.is_read_only() {
        let reason = state.read_only_reason();
        state.refuse(reason);
        return Vec::new();
    }
    let Some(row) = selected(state) else {
        return Vec::new();
    };
    if let Some(why) = blocker(&row) {
        state.refuse(why);
        return vec![Command::AuditRefusedAssign { pool_id: row.id }];
    }
    open_seats(state, (row.id, row.name.clone()), None);
    super::changes::start(state, super::action::Action::Assign)
}

/// Why no seat of `row` can be assigned; a pending one names where it is
/// activated (R-SUB-3).
fn blocker(row: &SubscriptionRow) -> Option<String> {
    match row.status.as_str() {
        "pending_activation" => Some(format!(
            "{} is not activated yet: activate it at {}, then A records it here",
            row.name,
            row.activation_url.as_deref().unwrap_or("the publisher's site")
        )),
        "disabled" => Some(format!("{} is disabled: {}", row.name, BUY_ANOTHER)),
        _ => None,
    }
}

/// `o`: where the selected ISV product installs (R-SUB-9), sent to the
/// clipboard with OSC 52 when the terminal takes it, else only shown.
pub fn install(state: &mut AppState) -> Vec<Command> {
    let Some(row) = selected(state) else {
        return Vec::new();
    };
    match (row.kind.as_str(), row.install_url) {
        ("isv", Some(url)) => show_address(state, "install this product at", url),
        ("isv", None) => {
            state.refuse(format!("{}: the vendor gave no install address", row.name));
            Vec::new()
        }
        _ => {
            state.refuse(format!(
                "{} is a SaaS subscription: nothing installs, its users sign in at the publisher",
                row.name
            ));
            Vec::new()
        }
    }
}

/// Shows `address` in the hint line and, where the terminal accepts OSC 52,
/// sends it to the clipboard; the message says which happened.
pub fn show_address(state: &mut AppState, what: &str, address: String) -> Vec<Command> {
    if state.clipboard {
        state.flash(
            format!("{what} {address} (sent to the clipboard with OSC 52)"),
            Tone::Info,
        );
        vec![Command::Copy(address)]
    } else {
        state.flash(
            format!("{what} {address} (copy it from here: this terminal takes no OSC 52)"),
            Tone::Info,
        );
        Vec::new()
    }
}

/// Remembers the name of a purchase the form is about to record, so the
/// list selects the new subscription, not the row that was selected.
pub fn will_record(state: &mut AppState, change: &Change) {
    if let Change::Subscription(SubOp::Record(purchase)) = change {
        state.select_recorded = Some(purchase.name.clone());
    }
}

/// Selects the recorded purchase once the Subscriptions rows hold it (a
/// disabled one of the same name is the old copy, not it).
pub fn select_recorded(state: &mut AppState, height: usize) {
    let Some(name) = state.select_recorded.clone() else {
        return;
    };
    let table = state.table_of_mut(PaneId::Subscriptions);
    let offset = table.window.offset;
    let found = table.window.rows.iter().position(|row| {
        matches!(row, Row::Subscription(r) if r.name.eq_ignore_ascii_case(&name) && r.status != "disabled")
    });
    if let Some(at) = found {
        table.selected = offset + at;
        table.keep_visible(height);
        state.select_recorded = None;
    }
}
