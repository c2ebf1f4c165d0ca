//! The state of the dialogs that change seats: the picker, the preview that
//! every change passes through, and what the change is.

use tui_input::Input;

use crate::domain::agreement_entry::OtherAgreement;
use crate::store::PageRequest;
use crate::store::agreements_entry::GroupChoice;
use crate::worker::search::{PickItem, SearchScope};

/// Who or what a picker chooses for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerPurpose {
    /// Users and groups to give seats of a pool.
    AssignToPool { pool_id: i64, pool_name: String },
    /// Pools to give a user.
    GivePools { user_id: i64, upn: String },
    /// Pools whose seat a user gives back.
    ReleasePools {
        user_id: i64,
        upn: String,
        held: Vec<i64>,
    },
}

impl PickerPurpose {
    /// What the picker searches.
    pub fn scope(&self) -> SearchScope {
        match self {
            PickerPurpose::AssignToPool { .. } => SearchScope::Principals,
            PickerPurpose::GivePools { .. } => SearchScope::Pools,
            PickerPurpose::ReleasePools { user_id, .. } => SearchScope::PoolsOfUser(*user_id),
        }
    }

    /// The dialog's title.
    pub fn title(&self) -> String {
        self.title_with(str::to_owned)
    }

    /// The title with its pool or user name passed through `fit` (the UI
    /// cuts the name, never the words around it).
    pub fn title_with(&self, fit: impl Fn(&str) -> String) -> String {
        match self {
            PickerPurpose::AssignToPool { pool_name, .. } => format!("Assign {} to…", fit(pool_name)),
            PickerPurpose::GivePools { upn, .. } => format!("Give {} seats of…", fit(upn)),
            PickerPurpose::ReleasePools { upn, .. } => format!("Release {}'s seats of…", fit(upn)),
        }
    }
}

/// What is chosen: marked items, or everything that matches the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Items(Vec<PickItem>),
    AllMatching { query: String, count: usize },
}

/// The picker: type-ahead search, Tab marks, Ctrl-a takes all matches.
#[derive(Debug, Clone)]
pub struct PickerState {
    pub purpose: PickerPurpose,
    pub input: Input,
    pub results: Vec<PickItem>,
    /// Matches in all (results holds the best of them).
    pub total: usize,
    pub selected: usize,
    pub marked: Vec<PickItem>,
    /// Take every match of the query instead of the marked items.
    pub all_matching: bool,
    /// Generation of the newest search; older results are dropped.
    pub generation: u64,
    pub searching: bool,
}

impl PartialEq for PickerState {
    fn eq(&self, other: &Self) -> bool {
        self.purpose == other.purpose
            && self.input.value() == other.input.value()
            && self.results == other.results
            && self.selected == other.selected
            && self.marked == other.marked
            && self.all_matching == other.all_matching
            && self.generation == other.generation
    }
}

impl PickerState {
    /// A picker that has not searched yet.
    pub fn new(purpose: PickerPurpose) -> PickerState {
        PickerState {
            purpose,
            input: Input::default(),
            results: Vec::new(),
            total: 0,
            selected: 0,
            marked: Vec::new(),
            all_matching: false,
            generation: 0,
            searching: true,
        }
    }

    /// What Enter takes: all matches, the marked items, or the selected one.
    pub fn selection(&self) -> Option<Selection> {
        if self.all_matching {
            return Some(Selection::AllMatching {
                query: self.input.value().to_owned(),
                count: self.total,
            });
        }
        if !self.marked.is_empty() {
            return Some(Selection::Items(self.marked.clone()));
        }
        self.results
            .get(self.selected)
            .map(|item| Selection::Items(vec![item.clone()]))
    }

    /// Marks (or unmarks) the highlighted result.
    pub fn set_mark(&mut self, marked: bool) {
        let Some(item) = self.results.get(self.selected) else {
            return;
        };
        let position = self.marked.iter().position(|m| m == item);
        match (marked, position) {
            (true, None) => self.marked.push(item.clone()),
            (false, Some(index)) => {
                self.marked.remove(index);
            }
            _ => {}
        }
    }

    /// Moves the highlight by `delta` rows, within the results.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.results.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    /// Why the highlighted pool can't be given (it takes no seats), when
    /// the picker gives pools.
    pub fn blocked_highlight(&self) -> Option<String> {
        if !matches!(self.purpose, PickerPurpose::GivePools { .. }) {
            return None;
        }
        self.results.get(self.selected)?.blocked.clone()
    }

    /// Why what Enter would take can't be given: the first chosen pool that
    /// takes no seats, when the picker gives pools.
    pub fn blocked_choice(&self) -> Option<String> {
        if !matches!(self.purpose, PickerPurpose::GivePools { .. }) {
            return None;
        }
        let chosen: Vec<&PickItem> = if self.all_matching {
            self.results.iter().collect()
        } else if self.marked.is_empty() {
            self.results.get(self.selected).into_iter().collect()
        } else {
            self.marked.iter().collect()
        };
        let blocked: Vec<&String> = chosen.iter().filter_map(|item| item.blocked.as_ref()).collect();
        match blocked.as_slice() {
            [] => None,
            [why] => Some((*why).clone()),
            [why, ..] => Some(format!(
                "{why} (and {} more chosen pools take no seats: narrow the search or mark with Tab)",
                blocked.len() - 1
            )),
        }
    }

    /// Marked items the current search does not show.
    pub fn hidden_marks(&self) -> impl Iterator<Item = &PickItem> {
        self.marked.iter().filter(|m| !self.results.contains(m))
    }
}

/// A change an admin asked for, before and after the preview.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Give users and groups seats of a pool.
    Assign { pool_id: i64, selection: Selection },
    /// Give a user seats of several pools.
    GivePools { user_id: i64, pools: Vec<i64> },
    /// Take back a user's seats of several pools.
    ReleasePools { user_id: i64, pools: Vec<i64> },
    /// Release these seats (assignment ids).
    ReleaseSeats { seat_ids: Vec<i64> },
    /// Release every reclaimable seat that the Reclaim filter lists.
    ReleaseListed { request: PageRequest },
    /// The user leaves: release all their seats (R-LIC-5).
    RemoveUser { user_id: i64, with_devices: bool },
    /// Undo the last change this console applied.
    Undo { batches: Vec<String> },
    /// Set the intent of app seats (assignment ids): required, available
    /// or uninstall (R-APP-7).
    SetIntent { seat_ids: Vec<i64>, intent: String },
    /// Show a Store for Business connector's app names in another
    /// language (R-CON-1).
    SetLanguage { connector_id: i64, language: String },
    /// Take an Apple token over from the product that holds it (R-CON-6).
    TakeOver { connector_id: i64 },
    /// Turn a connector on or off: scheduled, synced and pushed, or not
    /// (R-CON-1).
    SetEnabled { connector_id: i64, enabled: bool },
    /// Install an offline app per user or per device (R-APP-4).
    SetInstallScope { app_id: i64, scope: String },
    /// Validate every volume agreement's number sets against the last
    /// imported entitlements export (R-AGR-8).
    Validate,
    /// Delete an agreement with its number sets (R-AGR-12).
    DeleteAgreement { id: i64 },
    /// Move an agreement to the license group named `group` (R-AGR-12).
    MoveAgreement { id: i64, group: String },
    /// Import a volume-licensing agreement file (R-AGR-2..5) into a
    /// license group (R-AGR-7).
    ImportAgreements { path: String, group: GroupChoice },
    /// Make, rename or remove a license group (R-AGR-7, R-AGR-12).
    LicenseGroup(GroupOp),
    /// Count the detected name `raw` as `title` (None: as the normaliser
    /// says again) (R-APP-10).
    MapProduct { raw: String, title: Option<String> },
    /// Activate, cancel, resize, rebill or export a SaaS or ISV
    /// subscription (issue 10, R-SUB-3..7).
    Subscription(super::subscriptions::SubOp),
    /// A volume agreement entered by hand: its name and every number pair
    /// (R-AGR-6), into a license group (R-AGR-7).
    AddVolumeAgreement {
        name: String,
        pairs: Vec<(String, String)>,
        group: GroupChoice,
    },
    /// An other-software agreement, new (`id` None, into `group`) or
    /// edited (R-AGR-10, R-AGR-11).
    SaveOtherAgreement {
        id: Option<i64>,
        agreement: Box<OtherAgreement>,
        group: GroupChoice,
    },
}

/// What `:group …` does to license groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupOp {
    Add(String),
    Rename { old: String, new: String },
    Remove(String),
}

/// One line of a preview.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewLine {
    pub text: String,
    /// Drawn as a warning or refusal.
    pub alarm: bool,
}

/// What a change would do, computed without changing anything.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub title: String,
    pub lines: Vec<PreviewLine>,
    /// Why the change would be refused; Enter then does nothing.
    pub refusal: Option<String>,
}

/// The preview dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewState {
    pub change: Change,
    /// None while the worker computes it.
    pub preview: Option<Preview>,
    pub generation: u64,
    /// Applying: waiting for the write to finish.
    pub applying: bool,
    pub scroll: usize,
    /// Marked picks the search hid when Enter was pressed, named in the
    /// preview so nobody is assigned unseen.
    pub hidden_marks: Vec<String>,
    /// The picker this preview came from; Esc goes back to it.
    pub from_picker: Option<Box<PickerState>>,
    /// The agreement form this preview came from; Esc goes back to it.
    pub from_form: Option<Box<super::agreement_form::AgreementForm>>,
    /// Another dialog this preview came from (a subscription or profile
    /// form); Esc goes back to it with its values.
    pub back_to: Option<Box<super::state::Overlay>>,
}
