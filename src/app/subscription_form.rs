//! The Subscriptions view's form (issue 10): `n` asks how the purchase is
//! recorded — by hand in this form, or from a CSV file as before — and `e`
//! opens the selected subscription in it. Every field is checked live by
//! the rules a subscriptions file's row is (`domain::subscription_entry`),
//! so the form and `seats import subscriptions` never disagree. What was
//! bought (publisher, kind, channel, pricing, region) is fixed once
//! recorded; the status never changes here (R-SUB-4). Enter previews the
//! change like every other; nothing is written before it is confirmed.

use tui_input::Input;

use super::message::Command;
use super::state::{AppState, Overlay};
use super::subscriptions::selected;
use crate::domain::subscription::REGIONS;
use crate::domain::subscription_csv::Purchase;
use crate::domain::subscription_entry::check_except;
use crate::store::subscriptions::SubscriptionRow;

/// One field: its label, the subscriptions file's column it fills, and its
/// choices (empty for typed text).
pub struct Spec {
    pub label: &'static str,
    pub column: &'static str,
    pub choices: &'static [&'static str],
}

const fn spec(label: &'static str, column: &'static str, choices: &'static [&'static str]) -> Spec {
    Spec {
        label,
        column,
        choices,
    }
}

/// The fields, in order.
pub const FIELDS: [Spec; 15] = [
    spec("Name", "name", &[]),
    spec("Publisher", "publisher", &[]),
    spec("Kind", "kind", &["saas", "isv"]),
    spec("Channel", "channel", &["direct", "partner", "proposal"]),
    spec("Pricing", "pricing", &["per_seat", "flat"]),
    spec("Quantity", "quantity", &[]),
    spec("Price", "price", &[]),
    spec("Currency", "currency", &[]),
    spec("Period", "period", &["monthly", "annual"]),
    spec("Term end", "ends", &[]),
    spec("Region", "region", &[]),
    // Its choices are the profiles on record (and none).
    spec("Billing", "billing_profile", &[]),
    spec("Activation", "activation_url", &[]),
    spec("Install at", "install_url", &[]),
    spec("Vendor qty", "vendor_managed", &["yes", "no"]),
];
pub const NAME: usize = 0;
pub const KIND: usize = 2;
pub const PRICING: usize = 4;
pub const QUANTITY: usize = 5;
pub const REGION: usize = 10;
pub const PROFILE: usize = 11;
pub const VENDOR: usize = 14;
/// What an edit may change (R-SUB-4: what was bought and the status stay).
const EDITABLE: [usize; 9] = [NAME, QUANTITY, 6, 7, 8, 9, PROFILE, 12, 13];

/// The first step's choices.
pub const SOURCES: [&str; 2] = [
    "Enter the purchase by hand (a form)",
    "Import a CSV file of purchases (as seats import subscriptions)",
];

/// The form's state.
#[derive(Debug, Clone)]
pub struct SubscriptionForm {
    /// Choosing how to record (the first step of `n`); false: the fields.
    pub choosing: bool,
    pub choice: usize,
    pub values: [Input; 15],
    pub focus: usize,
    /// The subscription being edited, with what it was.
    pub editing: Option<SubscriptionRow>,
    /// The billing profiles on record, once the worker has read them.
    pub profiles: Vec<String>,
    /// The names of the other live subscriptions, once read: the name may
    /// not be one of them (the store refuses it too).
    pub taken: Vec<String>,
    pub generation: u64,
    /// Every problem, as (column, why), after the last change.
    pub problems: Vec<(String, String)>,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

impl PartialEq for SubscriptionForm {
    // Inputs don't compare; their Debug shows text and cursor.
    fn eq(&self, other: &Self) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }
}

impl SubscriptionForm {
    fn new(generation: u64) -> SubscriptionForm {
        let defaults = [
            "", "", "saas", "direct", "per_seat", "", "", "", "monthly", "", "", "", "", "", "",
        ];
        let mut form = SubscriptionForm {
            choosing: true,
            choice: 0,
            values: defaults.map(|v| Input::new(v.to_owned())),
            focus: NAME,
            editing: None,
            profiles: Vec::new(),
            taken: Vec::new(),
            generation,
            problems: Vec::new(),
            error: None,
        };
        form.revalidate();
        form
    }

    pub fn value(&self, field: usize) -> &str {
        self.values[field].value().trim()
    }

    /// Whether `field` takes keys now: an edit changes only what may
    /// change; a flat rate has no quantity, a SaaS no vendor quantity.
    pub fn enabled(&self, field: usize) -> bool {
        let isv = self.value(KIND) == "isv";
        match field {
            QUANTITY => self.value(PRICING) != "flat" && !(isv && self.value(VENDOR) == "yes"),
            VENDOR if !isv => false,
            _ if self.editing.is_some() => EDITABLE.contains(&field),
            _ => true,
        }
    }

    /// A field's choices: the fixed ones, or the profiles on record.
    pub fn choices(&self, field: usize) -> Vec<String> {
        if field == PROFILE {
            std::iter::once(String::new())
                .chain(self.profiles.iter().cloned())
                .collect()
        } else {
            FIELDS[field].choices.iter().map(|c| (*c).to_owned()).collect()
        }
    }

    /// The form's values as the subscriptions file's columns; a field that
    /// does not apply is left empty, as a file's cell would be.
    fn columns(&self) -> Vec<(&'static str, String)> {
        let isv = self.value(KIND) == "isv";
        FIELDS
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let applies = match i {
                    QUANTITY => self.value(PRICING) != "flat",
                    VENDOR => isv,
                    _ => true,
                };
                let value = if applies {
                    self.value(i).to_owned()
                } else {
                    String::new()
                };
                (spec.column, value)
            })
            .collect()
    }

    /// The purchase the fields make, or every problem with them.
    pub fn purchase(&self) -> Result<Purchase, Vec<(String, String)>> {
        let columns = self.columns();
        let pairs: Vec<(&str, &str)> = columns.iter().map(|(c, v)| (*c, v.as_str())).collect();
        // An edit can't change what was bought: its problems are not the form's.
        let fixed: Vec<&str> = match self.editing {
            Some(_) => (0..FIELDS.len())
                .filter(|i| !EDITABLE.contains(i))
                .map(|i| FIELDS[i].column)
                .collect(),
            None => Vec::new(),
        };
        let checked = check_except(&pairs, &fixed);
        let Some(clash) = self.name_clash() else {
            return checked;
        };
        let mut problems = checked.err().unwrap_or_default();
        problems.insert(0, ("name".to_owned(), clash));
        Err(problems)
    }

    /// Why the typed name can't be taken: another live subscription has it.
    fn name_clash(&self) -> Option<String> {
        let name = self.value(NAME);
        let other = self.taken.iter().find(|t| t.eq_ignore_ascii_case(name))?;
        Some(if self.editing.is_some() {
            format!("{other:?} is another subscription's name; pick one of its own")
        } else {
            format!("{other:?} is a subscription already; name the new purchase apart")
        })
    }

    /// Checks the fields again after a change.
    pub fn revalidate(&mut self) {
        self.problems = self.purchase().err().unwrap_or_default();
    }

    /// The problem of `field`, if any.
    pub fn problem(&self, field: usize) -> Option<&str> {
        let column = FIELDS[field].column;
        self.problems
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, why)| why.as_str())
    }

    /// Supported regions starting with what is typed in Region (R-SUB-8).
    pub fn region_matches(&self) -> Vec<&'static str> {
        let typed = self.value(REGION).to_ascii_lowercase();
        if typed.is_empty() {
            return Vec::new();
        }
        REGIONS
            .iter()
            .copied()
            .filter(|r| r.to_ascii_lowercase().starts_with(&typed) && !r.eq_ignore_ascii_case(&typed))
            .collect()
    }
}

fn refuse_read_only(state: &mut AppState) -> bool {
    if state.is_read_only() {
        let why = state.read_only_reason();
        state.refuse(why);
        return true;
    }
    false
}

/// `n` in Subscriptions: by hand or from a file; the profiles are read
/// for the Billing field meanwhile.
pub fn open(state: &mut AppState) -> Vec<Command> {
    if refuse_read_only(state) {
        return Vec::new();
    }
    let generation = state.next_request();
    state.overlay = Overlay::SubscriptionForm(Box::new(SubscriptionForm::new(generation)));
    vec![Command::ReadBilling {
        generation,
        pool_id: 0,
    }]
}

/// `e` in Subscriptions: the selected one in the form, with what may change.
pub fn edit(state: &mut AppState) -> Vec<Command> {
    if refuse_read_only(state) {
        return Vec::new();
    }
    let Some(row) = selected(state) else {
        return Vec::new();
    };
    if row.status == "disabled" {
        state.refuse(format!(
            "{} is disabled: {}",
            row.name,
            super::subscriptions::BUY_ANOTHER
        ));
        return Vec::new();
    }
    let generation = state.next_request();
    let mut form = SubscriptionForm::new(generation);
    form.choosing = false;
    let isv = row.kind == "isv";
    let values = [
        row.name.clone(),
        row.publisher.clone().unwrap_or_default(),
        row.kind.clone(),
        row.channel.clone().unwrap_or_default(),
        row.pricing.clone().unwrap_or_default(),
        row.quantity.map(|q| q.to_string()).unwrap_or_default(),
        row.price.map(|p| format!("{p:.2}")).unwrap_or_default(),
        row.currency.clone().unwrap_or_default(),
        row.period.clone().unwrap_or_default(),
        row.term_end.clone().unwrap_or_default(),
        row.region.clone().unwrap_or_default(),
        row.billing_profile.clone().unwrap_or_default(),
        row.activation_url.clone().unwrap_or_default(),
        row.install_url.clone().unwrap_or_default(),
        match (isv, row.vendor_managed) {
            (false, _) => String::new(),
            (true, true) => "yes".to_owned(),
            (true, false) => "no".to_owned(),
        },
    ];
    form.values = values.map(Input::new);
    let pool_id = row.id;
    form.editing = Some(row);
    form.revalidate();
    state.overlay = Overlay::SubscriptionForm(Box::new(form));
    vec![Command::ReadBilling { generation, pool_id }]
}

/// The profiles and the taken names the worker read for the form of that
/// generation; the fields are checked again with them.
pub fn on_profiles(state: &mut AppState, generation: u64, profiles: Vec<String>, taken: Vec<String>) {
    if let Overlay::SubscriptionForm(form) = &mut state.overlay
        && form.generation == generation
    {
        form.profiles = profiles;
        form.taken = taken;
        form.revalidate();
    }
}

/// The form's keys, for the hint line.
pub fn keys_hint(form: &SubscriptionForm) -> &'static str {
    if form.choosing {
        " ↑↓ choose · Enter next · Esc cancel"
    } else if form.focus == REGION {
        " → completes the region · Tab/Shift-Tab field · Enter preview · Esc cancel"
    } else if FIELDS[form.focus].choices.is_empty() && form.focus != PROFILE {
        " Tab/Shift-Tab field · Enter preview · Esc cancel"
    } else {
        " ←→ change · Tab/Shift-Tab field · Enter preview · Esc cancel"
    }
}
