//! The Agreements pane's `n` (new agreement) and `e` (edit): one dialog
//! in steps. First the kind: volume licensing or other software. A volume
//! agreement comes from a CSV file (Tab completes its path; then the
//! `:import` preview) or by hand: a name and number pairs added with `+`
//! and removed with `-` (R-AGR-6), each checked live by the CSV's own
//! rules. An other-software agreement takes a name, a catalog publisher
//! and product by type-ahead, a license count, a term and details
//! (R-AGR-10, R-AGR-11). A new agreement then goes to a license group
//! (R-AGR-7). Enter previews the change like every other; nothing is
//! written before it is confirmed. Lookups go through the worker.

use tui_input::Input;

use super::message::Command;
use super::pane::{PaneId, Row};
use super::state::{AppState, Overlay};
use crate::store::agreements_entry::GroupChoice;
use crate::store::license_groups::UNASSIGNED;
use crate::worker::agreement_search::{COMPLETION_ID, FormSearch, PROBLEM_ID};
use crate::worker::search::{PickItem, SearchScope};

/// Where the dialog is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Volume licensing or other software.
    Kind,
    /// A volume agreement: from a file or by hand.
    Source,
    File,
    Volume,
    Other,
    /// The license group of a new agreement.
    Group,
}

/// The choices of the first step.
pub const KINDS: [&str; 2] = [
    "Volume licensing: Microsoft agreement and enrollment numbers",
    "Other software: licenses of a publisher's product in the catalog",
];
/// The choices of a volume agreement's source.
pub const SOURCES: [&str; 2] = [
    "Import a CSV file of number pairs (as seats import agreements)",
    "Enter a name and its number pairs by hand",
];

/// The fields of a volume agreement by hand; `focus` 3 is the pair list.
#[derive(Debug, Clone, Default)]
pub struct VolumeFields {
    pub name: Input,
    pub first: Input,
    pub second: Input,
    pub pairs: Vec<(String, String)>,
    pub focus: usize,
    /// The highlighted pair of the list (`-` removes it).
    pub selected: usize,
}

/// The other-software fields, in order.
pub const OTHER_FIELDS: [&str; 7] = [
    "Name",
    "Publisher",
    "Product",
    "Licenses",
    "Starts",
    "Ends",
    "Details",
];
pub const PUBLISHER: usize = 1;
pub const PRODUCT: usize = 2;

/// The fields of an other-software agreement.
#[derive(Debug, Clone, Default)]
pub struct OtherFields {
    pub inputs: [Input; 7],
    pub focus: usize,
    /// The publisher chosen from the catalog: (its id once known, its name).
    pub publisher: Option<(Option<i64>, String)>,
    /// The product title chosen from that publisher's.
    pub product: Option<String>,
    /// No publisher qualifies: no managed computer has detected software.
    pub catalog_empty: bool,
}

/// The last lookup and what it found.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    pub generation: u64,
    pub what: Option<FormSearch>,
    pub searching: bool,
    pub results: Vec<PickItem>,
    pub total: usize,
    pub selected: usize,
}

/// The dialog's state.
#[derive(Debug, Clone)]
pub struct AgreementForm {
    pub step: Step,
    /// The highlighted choice of the Kind and Source steps.
    pub choice: usize,
    pub path: Input,
    /// Paths that complete the typed one, when Tab found several.
    pub candidates: Vec<String>,
    pub volume: VolumeFields,
    pub other: OtherFields,
    /// The group step's text: a group to find, or a new group's name.
    pub group: Input,
    pub lookup: Lookup,
    /// The other-software agreement being edited.
    pub editing: Option<i64>,
    /// Other software was chosen at the first step.
    pub kind_other: bool,
    /// Why the last Enter or key was refused.
    pub error: Option<String>,
}

impl PartialEq for AgreementForm {
    // Inputs don't compare; their Debug shows text and cursor.
    fn eq(&self, other: &Self) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }
}

impl AgreementForm {
    fn new() -> AgreementForm {
        AgreementForm {
            step: Step::Kind,
            choice: 0,
            path: Input::default(),
            candidates: Vec::new(),
            volume: VolumeFields::default(),
            other: OtherFields::default(),
            group: Input::default(),
            lookup: Lookup::default(),
            editing: None,
            kind_other: false,
            error: None,
        }
    }

    /// Asks the worker for `what` matching `query`; older answers are dropped.
    pub fn look_up(&mut self, state: &mut AppState, what: FormSearch, query: &str) -> Command {
        let generation = state.next_request();
        self.lookup = Lookup {
            generation,
            what: Some(what),
            searching: true,
            ..Lookup::default()
        };
        Command::Search {
            generation,
            scope: SearchScope::Form(what),
            query: query.to_owned(),
        }
    }

    /// The group step's choices: the groups found, then a new group named
    /// as typed when no group has that name.
    pub fn group_options(&self) -> Vec<(String, GroupChoice)> {
        let typed = self.group.value().trim();
        let mut options: Vec<(String, GroupChoice)> = self
            .lookup
            .results
            .iter()
            .map(|item| {
                let choice = if item.id == UNASSIGNED {
                    GroupChoice::Unassigned
                } else {
                    GroupChoice::Existing(item.label.clone())
                };
                (item.label.clone(), choice)
            })
            .collect();
        let named = options.iter().any(|(name, _)| name.eq_ignore_ascii_case(typed));
        if !typed.is_empty() && !named && !self.lookup.searching {
            options.push((format!("new group {typed:?}"), GroupChoice::New(typed.to_owned())));
        }
        options
    }

    /// Whether the volume agreements come from a file (the Source step's
    /// first choice) rather than by hand.
    pub fn source_file(&self) -> bool {
        !self.kind_other && self.choice == 0
    }

    /// The values of the other-software fields, trimmed.
    pub fn other_values(&self) -> [String; 7] {
        self.other.inputs.clone().map(|f| f.value().trim().to_owned())
    }
}

/// `n` in Agreements: the dialog at its first step.
pub fn open(state: &mut AppState) -> Vec<Command> {
    if state.is_read_only() {
        let why = state.read_only_reason();
        state.refuse(why);
        return Vec::new();
    }
    state.overlay = Overlay::AgreementForm(Box::new(AgreementForm::new()));
    Vec::new()
}

/// `e` in Agreements: the selected other-software agreement in the form.
pub fn edit(state: &mut AppState) -> Vec<Command> {
    if state.is_read_only() {
        let why = state.read_only_reason();
        state.refuse(why);
        return Vec::new();
    }
    let row = match (state.pane, state.table().selected_row()) {
        (PaneId::Agreements, Some(Row::Agreement(a))) => a.clone(),
        _ => {
            state.refuse("select an agreement in Agreements (4) first");
            return Vec::new();
        }
    };
    if row.kind != "other" {
        state.refuse(format!(
            "{} is a volume agreement: its number sets come from its file or entry; d deletes it and n adds it again",
            row.name
        ));
        return Vec::new();
    }
    let mut form = AgreementForm::new();
    form.step = Step::Other;
    form.kind_other = true;
    form.editing = Some(row.id);
    let values = [
        row.name,
        row.publisher.clone().unwrap_or_default(),
        row.product.clone().unwrap_or_default(),
        row.licensed.map(|n| n.to_string()).unwrap_or_default(),
        row.starts_on.unwrap_or_default(),
        row.ends_on.unwrap_or_default(),
        row.details.unwrap_or_default(),
    ];
    form.other.inputs = values.map(Input::new);
    form.other.publisher = row.publisher.clone().map(|p| (None, p));
    form.other.product = row.product;
    // The publisher's id comes back with the lookup of its name.
    let publisher = row.publisher.unwrap_or_default();
    let command = form.look_up(state, FormSearch::Publishers, &publisher);
    state.overlay = Overlay::AgreementForm(Box::new(form));
    vec![command]
}

/// The worker's answer to the form's newest lookup.
pub fn on_results(state: &mut AppState, generation: u64, items: Vec<PickItem>, total: usize) {
    let Overlay::AgreementForm(form) = &mut state.overlay else {
        return;
    };
    if form.lookup.generation != generation {
        return;
    }
    form.lookup.searching = false;
    match form.lookup.what {
        Some(FormSearch::Path) => complete_path(form, items),
        Some(FormSearch::Publishers) => {
            let query = form.other.inputs[PUBLISHER].value().trim().to_owned();
            // Editing: the chosen publisher's id, from the lookup of its name.
            if let Some((id @ None, name)) = &mut form.other.publisher
                && let Some(found) = items.iter().find(|i| i.label.eq_ignore_ascii_case(name))
            {
                *id = Some(found.id);
            }
            form.other.catalog_empty = items.is_empty() && query.is_empty();
            form.lookup.results = items;
            form.lookup.total = total;
        }
        _ => {
            form.lookup.results = items;
            form.lookup.total = total;
        }
    }
}

/// Tab's answer in the file step: the path grows to what every match
/// shares; several matches are listed, as a shell lists them.
fn complete_path(form: &mut AgreementForm, items: Vec<PickItem>) {
    form.candidates.clear();
    let mut matches = Vec::new();
    for item in items {
        match item.id {
            PROBLEM_ID => form.error = Some(item.label),
            COMPLETION_ID => {
                if item.label.len() > form.path.value().len() {
                    form.path = Input::new(item.label);
                }
            }
            _ => matches.push(item.label),
        }
    }
    match matches.len() {
        0 if form.error.is_none() => form.error = Some(format!("no file matches {:?}", form.path.value())),
        1 => {}
        _ => form.candidates = matches,
    }
}

/// A failed lookup ends the wait (the failure shows as a flash).
pub fn give_up(state: &mut AppState) {
    if let Overlay::AgreementForm(form) = &mut state.overlay {
        form.lookup.searching = false;
    }
}

/// Whether keys that act on the lookup's results must wait for them.
pub fn awaiting(form: &AgreementForm) -> bool {
    form.lookup.searching
}

/// The form's keys at its step, for the hint line.
pub fn keys_hint(form: &AgreementForm) -> &'static str {
    match form.step {
        Step::Kind => " ↑↓ choose · Enter next · Esc cancel",
        Step::Source => " ↑↓ choose · Enter next · Shift-Tab back · Esc cancel",
        Step::File => " Tab completes the path · Enter next · Shift-Tab back · Esc cancel",
        Step::Volume => " + adds the pair · Tab to the list, - removes · Enter next · Esc cancel",
        Step::Other => " Tab next field · ↑↓ and Enter pick a match · Enter next · Esc cancel",
        Step::Group => " type a group · ↑↓ choose · Enter preview · Shift-Tab back · Esc cancel",
    }
}
