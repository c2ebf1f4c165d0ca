//! Everything the screen shows, in one value that `update` changes and the
//! UI reads.

use chrono::{DateTime, Utc};
use tui_input::Input;

use super::keymap::Keymap;
use super::pane::PaneId;
use super::table::TableState;
use crate::store::status::StatusInfo;

/// The smallest terminal the console draws in.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal the console draws in.
pub const MIN_HEIGHT: u16 = 24;

/// A dialog on top of the pane that takes the keys first.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// No dialog: keys go to the pane and the global keymap.
    None,
    /// Typing the filter of the current pane.
    Filter,
    /// The list of keys; `scroll` is its first line.
    Help { scroll: usize },
    /// The `:` command palette.
    Palette(PaletteState),
    /// Every detail of the selected row; `scroll` is its first line.
    Detail { scroll: usize },
    /// Choosing users, groups or pools for a change.
    Picker(Box<super::dialogs::PickerState>),
    /// What a change would do; Enter applies it.
    Preview(Box<super::dialogs::PreviewState>),
    /// Linking an Apple token: the form, then the acknowledgement.
    Link(Box<super::link::LinkState>),
    /// A subscription's billing profile and invoices (R-SUB-6).
    Billing(Box<super::billing::BillingState>),
    /// A new agreement (`n` in Agreements) or an edited one (`e`).
    AgreementForm(Box<super::agreement_form::AgreementForm>),
    /// A purchase recorded by hand (`n` in Subscriptions) or edited (`e`).
    SubscriptionForm(Box<super::subscription_form::SubscriptionForm>),
    /// A billing profile added or edited from the billing dialog (R-SUB-6).
    ProfileForm(Box<super::billing_form::ProfileForm>),
}

/// The command palette's input and the completion cycle.
#[derive(Debug, Clone, Default)]
pub struct PaletteState {
    /// What is typed.
    pub input: Input,
    /// The message of the last command that failed.
    pub error: Option<String>,
}

impl PartialEq for PaletteState {
    fn eq(&self, other: &Self) -> bool {
        self.input.value() == other.input.value()
            && self.input.cursor() == other.input.cursor()
            && self.error == other.error
    }
}

/// A background job with its progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: u64,
    pub label: String,
    pub done: u64,
    pub total: u64,
}

impl Job {
    /// Share done, 0..=100.
    pub fn percent(&self) -> u16 {
        (self.done.min(self.total) * 100)
            .checked_div(self.total)
            .unwrap_or(0) as u16
    }
}

/// How a flash message should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warning,
    Error,
}

/// A short message in the hint line; it fades after some ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub text: String,
    pub tone: Tone,
    pub ticks_left: u32,
}

/// The whole console state.
#[derive(Debug, Clone)]
pub struct AppState {
    pub pane: PaneId,
    pub tables: Vec<TableState>,
    pub overlay: Overlay,
    pub keymap: Keymap,
    pub status: StatusInfo,
    pub jobs: Vec<Job>,
    pub flash: Option<Flash>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// The clock the countdowns are measured against.
    pub now: DateTime<Utc>,
    /// Opened with --read-only (or the actor's role is reader).
    pub read_only: bool,
    /// The cache file is read-only for this OS user (its permissions).
    pub cache_read_only: bool,
    /// The OS user running the console.
    pub actor: String,
    pub quit: bool,
    /// The pool the Assignees view shows (id, name).
    pub assignees_of: Option<(i64, String)>,
    /// Why that pool takes no new seats (agreement, disabled, pending), if so.
    pub assignees_blocker: Option<String>,
    /// The app the Installs view shows (id, name); None: every app.
    pub installs_of: Option<(i64, String)>,
    /// The title the Detections view shows (product id, title); None: all.
    pub detections_of: Option<(i64, String)>,
    /// The pane the Assignees view was opened from (Esc goes back there).
    pub assignees_parent: PaneId,
    /// The report `:reports` shows: the one seen last.
    pub report: PaneId,
    /// The pane `:reports` was typed in: Esc in a report (with no filter
    /// to clear) goes back there, as Esc leaves a drill-down.
    pub reports_from: PaneId,
    /// A view opened from a report with Enter and that report: Esc in the
    /// view (with no filter to clear) goes back to the report, on its row.
    pub report_return: Option<super::reports::ReportReturn>,
    /// The batches of the last change this console applied, for undo.
    pub last_batches: Vec<String>,
    /// A purchase the form recorded: Subscriptions selects it once its
    /// rows hold it (issue 10).
    pub select_recorded: Option<String>,
    /// Counter for search and preview requests.
    pub requests: u64,
    /// Keys waiting for the rows an earlier key asked for (see `held`).
    pub held: std::collections::VecDeque<super::message::Msg>,
    /// Keys of the current burst dropped after a key was refused.
    pub refused_burst: Option<usize>,
    /// Syncs running in this console, in the order they started.
    pub syncs: Vec<super::sync::SyncActivity>,
    /// What this console's last change queued per connector, shown with
    /// the result of pushing it.
    pub push_notes: std::collections::BTreeMap<i64, Vec<String>>,
    /// The terminal takes OSC 52: an address can be sent to its clipboard.
    pub clipboard: bool,
}

impl AppState {
    /// A fresh console on `pane`.
    pub fn new(keymap: Keymap, actor: String, read_only: bool, now: DateTime<Utc>) -> AppState {
        AppState {
            pane: PaneId::Licenses,
            tables: PaneId::ALL.iter().map(|p| TableState::new(*p)).collect(),
            overlay: Overlay::None,
            keymap,
            status: StatusInfo::default(),
            jobs: Vec::new(),
            flash: None,
            size: (MIN_WIDTH, MIN_HEIGHT),
            now,
            read_only,
            cache_read_only: false,
            actor,
            quit: false,
            assignees_of: None,
            assignees_blocker: None,
            assignees_parent: PaneId::Licenses,
            report: PaneId::ReportInstallation,
            report_return: None,
            reports_from: PaneId::Licenses,
            installs_of: None,
            detections_of: None,
            last_batches: Vec::new(),
            select_recorded: None,
            requests: 0,
            held: std::collections::VecDeque::new(),
            refused_burst: None,
            syncs: Vec::new(),
            push_notes: std::collections::BTreeMap::new(),
            clipboard: false,
        }
    }

    /// The table of the visible pane.
    pub fn table(&self) -> &TableState {
        &self.tables[self.pane.index()]
    }

    /// The table of the visible pane, to change.
    pub fn table_mut(&mut self) -> &mut TableState {
        let index = self.pane.index();
        &mut self.tables[index]
    }

    /// The table of `pane`.
    pub fn table_of_mut(&mut self, pane: PaneId) -> &mut TableState {
        &mut self.tables[pane.index()]
    }

    /// Whether the terminal is big enough to draw the console.
    pub fn fits(&self) -> bool {
        self.size.0 >= MIN_WIDTH && self.size.1 >= MIN_HEIGHT
    }

    /// Whether writes are hidden: --read-only, a cache file this user may
    /// not write, or the actor's role is reader or unknown.
    pub fn is_read_only(&self) -> bool {
        self.read_only || self.cache_read_only || !self.status.role.is_some_and(|r| r.may_assign())
    }

    /// A new request number for a search or a preview.
    pub fn next_request(&mut self) -> u64 {
        self.requests += 1;
        self.requests
    }

    /// Why writes are refused here, for a key that would change something.
    /// Short enough for the 80-column hint line.
    pub fn read_only_reason(&self) -> String {
        if self.cache_read_only {
            return "read-only: the cache file is read-only for you; ask its owner for write access"
                .to_owned();
        }
        if self.read_only {
            return "read-only: opened with --read-only; restart without it to change seats".to_owned();
        }
        let who = match self.status.role {
            Some(role) => format!("role {}", role.as_str()),
            None => "not an admin here".to_owned(),
        };
        format!(
            "read-only, {who}; fix: seats admins add {} --role license",
            self.actor
        )
    }

    /// Refuses what a key asked for, saying why. The rest of the burst the
    /// key came in (a paste, fast typing meant for the dialog that did not
    /// open) is dropped, so its letters never run as commands.
    pub fn refuse(&mut self, text: impl Into<String>) {
        self.flash(text, Tone::Warning);
        self.held.clear();
        self.refused_burst = Some(0);
    }

    /// The loop read everything that was waiting: the burst is over. Says
    /// how many of its keys were dropped after a refusal.
    pub fn end_burst(&mut self) {
        if let Some(dropped @ 1..) = self.refused_burst
            && let Some(flash) = &mut self.flash
        {
            flash.text.push_str(&format!(
                " ({dropped} key{} typed after it ignored)",
                if dropped == 1 { "" } else { "s" }
            ));
        }
        self.refused_burst = None;
    }

    /// Shows a message in the hint line for a few seconds.
    pub fn flash(&mut self, text: impl Into<String>, tone: Tone) {
        self.flash = Some(Flash {
            text: text.into(),
            tone,
            ticks_left: 16,
        });
    }
}
