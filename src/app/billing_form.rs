//! Adding and editing a billing profile by hand (R-SUB-6), from the
//! billing dialog: `n` a new profile, `p` the one the subscription is
//! billed to. A card is recorded by its last four digits only: a longer
//! number is refused as it is typed, with the reason, and never leaves
//! the form. Enter previews; the store audits the change.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;

use super::billing::BillingState;
use super::changes::open_preview;
use super::dialogs::Change;
use super::message::Command;
use super::state::{AppState, Overlay, Tone};
use super::subscriptions::SubOp;
use crate::domain::subscription_billing::{ProfileEntry, ProfileTexts, check_profile};

/// The fields: (label, the domain's name for its problems).
pub const PROFILE_FIELDS: [(&str, &str); 7] = [
    ("Name", "name"),
    ("Payment", "method"),
    ("Card last 4", "card"),
    ("Contact", "contact"),
    ("E-mail", "email"),
    ("Address", "address"),
    ("Roles", "roles"),
];
pub const METHOD: usize = 1;
pub const CARD: usize = 2;
/// The payment choices.
pub const METHODS: [&str; 2] = ["card", "check/wire"];

/// The profile form's state.
#[derive(Debug, Clone)]
pub struct ProfileForm {
    pub id: Option<i64>,
    pub values: [Input; 7],
    pub focus: usize,
    pub problems: Vec<(&'static str, String)>,
    pub error: Option<String>,
}

impl PartialEq for ProfileForm {
    fn eq(&self, other: &Self) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }
}

impl ProfileForm {
    fn value(&self, field: usize) -> &str {
        self.values[field].value()
    }

    /// Whether `field` takes keys: the card's digits only for a card.
    pub fn enabled(&self, field: usize) -> bool {
        field != CARD || self.value(METHOD) == "card"
    }

    /// The profile, or every problem as (field, why).
    pub fn entry(&self) -> Result<ProfileEntry, Vec<(&'static str, String)>> {
        check_profile(&ProfileTexts {
            id: self.id,
            name: self.value(0),
            method: self.value(METHOD),
            last4: self.value(CARD),
            contact_name: self.value(3),
            contact_email: self.value(4),
            address: self.value(5),
            roles: self.value(6),
        })
    }

    fn revalidate(&mut self) {
        self.problems = self.entry().err().unwrap_or_default();
    }

    /// The problem of `field`, if any.
    pub fn problem(&self, field: usize) -> Option<&str> {
        let name = PROFILE_FIELDS[field].1;
        self.problems
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, why)| why.as_str())
    }
}

/// `n` (a new profile) or `p` (the shown one) in the billing dialog.
pub fn open(state: &mut AppState, dialog: &BillingState, edit: bool) -> Vec<Command> {
    if state.is_read_only() {
        let why = state.read_only_reason();
        state.refuse(why);
        return Vec::new();
    }
    let shown = match &dialog.billing {
        Some(Ok(billing)) => billing.profile.clone(),
        _ => None,
    };
    let values = match (edit, &shown) {
        (true, Some(p)) => [
            p.name.clone(),
            if p.payment_method == "credit_card" {
                "card"
            } else {
                "check/wire"
            }
            .to_owned(),
            p.card_last4.clone().unwrap_or_default(),
            p.contact_name.clone(),
            p.contact_email.clone(),
            p.address.clone(),
            p.editable_by.join(","),
        ],
        (true, None) => {
            state.refuse(format!("{} is billed to no profile: n adds one", dialog.name));
            return Vec::new();
        }
        (false, _) => ["", "card", "", "", "", "", "global,license"].map(str::to_owned),
    };
    let mut form = ProfileForm {
        id: if edit { shown.map(|p| p.id) } else { None },
        values: values.map(Input::new),
        focus: 0,
        problems: Vec::new(),
        error: None,
    };
    form.revalidate();
    state.overlay = Overlay::ProfileForm(Box::new(form));
    Vec::new()
}

/// A key in the profile form.
pub fn on_key(state: &mut AppState, mut form: Box<ProfileForm>, event: KeyEvent) -> Vec<Command> {
    form.error = None;
    let count = PROFILE_FIELDS.len();
    match event.code {
        KeyCode::Esc => {
            state.overlay = Overlay::None;
            state.flash("no billing profile was saved", Tone::Info);
            return Vec::new();
        }
        KeyCode::Tab | KeyCode::Down | KeyCode::BackTab | KeyCode::Up => {
            let forward = matches!(event.code, KeyCode::Tab | KeyCode::Down);
            let mut next = form.focus;
            loop {
                next = if forward {
                    (next + 1) % count
                } else {
                    (next + count - 1) % count
                };
                if form.enabled(next) {
                    break;
                }
            }
            form.focus = next;
        }
        KeyCode::Enter => return enter(state, form),
        KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') if form.focus == METHOD => {
            let other = if form.value(METHOD) == "card" {
                METHODS[1]
            } else {
                METHODS[0]
            };
            form.values[METHOD] = Input::new(other.to_owned());
        }
        _ if form.focus == METHOD => {}
        _ => {
            let focus = form.focus;
            super::update::edit(&mut form.values[focus], event);
        }
    }
    form.revalidate();
    state.overlay = Overlay::ProfileForm(form);
    Vec::new()
}

fn enter(state: &mut AppState, mut form: Box<ProfileForm>) -> Vec<Command> {
    match form.entry() {
        Ok(entry) => {
            let commands = open_preview(state, Change::Subscription(SubOp::SaveProfile(Box::new(entry))));
            if let Overlay::Preview(preview) = &mut state.overlay {
                preview.back_to = Some(Box::new(Overlay::ProfileForm(form)));
            }
            commands
        }
        Err(problems) => {
            if let Some(at) = problems
                .first()
                .and_then(|(f, _)| PROFILE_FIELDS.iter().position(|(_, name)| name == f))
            {
                form.focus = at;
            }
            form.error = Some(format!(
                "{} problem(s) to fix first: nothing is saved until every field passes",
                problems.len()
            ));
            form.problems = problems;
            state.overlay = Overlay::ProfileForm(form);
            Vec::new()
        }
    }
}
