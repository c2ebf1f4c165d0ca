//! The Connectors pane's `n`: link the organization's Apple Apps and Books
//! token (issue 8; R-CON-3) or its Store for Business account (R-CON-1,
//! R-CON-2; the form's fields in `link_store`). The form matching the
//! selected row's kind opens; Ctrl-t switches to the other. For Apple, two
//! steps: the form (name, the Apple ID that owns the token, the token
//! file, Apple's address), then the warning that this links the
//! organization's Apple account for good, with a checkbox the admin must
//! tick (Space) before Enter links. Nothing is stored until then; the
//! worker checks the credentials at the source and answers with `Linked`;
//! a refusal keeps the dialog open with the reason.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;

use super::link_store;
use super::message::Command;
use super::pane::{PaneId, Row};
use super::state::{AppState, Overlay, Tone};
use crate::connectors::apple::APPLE_API_URL;
use crate::domain::ConnectorKind;

/// The Apple form's fields, in order.
pub const FIELDS: [&str; 4] = ["Name", "Apple ID", "Token file", "Apple API"];

/// What the dialog links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// An Apple Apps and Books content token.
    Apple,
    /// A Microsoft Store for Business account.
    Store,
}

impl LinkKind {
    /// The form's field names, in order.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            LinkKind::Apple => &FIELDS,
            LinkKind::Store => &link_store::FIELDS,
        }
    }

    /// The other kind (Ctrl-t).
    fn other(self) -> LinkKind {
        match self {
            LinkKind::Apple => LinkKind::Store,
            LinkKind::Store => LinkKind::Apple,
        }
    }
}

/// Where the dialog is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStep {
    Form,
    /// The permanent-link warning and its checkbox.
    Acknowledge,
    /// Sent to the worker; waiting for Apple's answer.
    Checking,
}

/// The dialog's state.
#[derive(Debug, Clone)]
pub struct LinkState {
    pub kind: LinkKind,
    /// One per name of `kind.fields()`.
    pub fields: Vec<Input>,
    pub focus: usize,
    pub step: LinkStep,
    pub acknowledged: bool,
    /// Why the last try failed (shown in the dialog, which stays open).
    pub error: Option<String>,
}

impl PartialEq for LinkState {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.values() == other.values()
            && self.focus == other.focus
            && self.step == other.step
            && self.acknowledged == other.acknowledged
            && self.error == other.error
    }
}

impl LinkState {
    fn apple() -> LinkState {
        LinkState {
            kind: LinkKind::Apple,
            fields: vec![
                Input::new("Apple VPP".into()),
                Input::default(),
                Input::default(),
                Input::new(APPLE_API_URL.into()),
            ],
            focus: 1,
            step: LinkStep::Form,
            acknowledged: false,
            error: None,
        }
    }

    /// A form of `kind` with its defaults (`fields` values, `focus`).
    pub(super) fn with(kind: LinkKind, values: Vec<String>, focus: usize) -> LinkState {
        LinkState {
            kind,
            fields: values.into_iter().map(Input::new).collect(),
            focus,
            step: LinkStep::Form,
            acknowledged: false,
            error: None,
        }
    }

    pub fn values(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.value().trim().to_owned()).collect()
    }

    /// The first empty field's name, if any.
    fn missing(&self) -> Option<&'static str> {
        let names = self.kind.fields();
        let optional = |i: usize| self.kind == LinkKind::Store && i == link_store::SECRET_FILE;
        self.values()
            .iter()
            .enumerate()
            .position(|(i, value)| value.is_empty() && !optional(i))
            .and_then(|i| names.get(i).copied())
    }
}

/// Opens the form of the selected connector's kind: a Store row's opens
/// the Store account form, any other the Apple token form.
pub fn open(state: &mut AppState) -> Vec<Command> {
    let store = matches!(
        state.table().selected_row(),
        Some(Row::Connector(c)) if c.kind == ConnectorKind::StoreBusiness
    );
    let kind = if store { LinkKind::Store } else { LinkKind::Apple };
    state.overlay = Overlay::Link(Box::new(form(state, kind)));
    Vec::new()
}

/// The connector rows loaded in the Connectors pane.
pub(super) fn connector_rows(
    state: &AppState,
) -> impl Iterator<Item = &crate::store::connectors::ConnectorRow> {
    state.tables[PaneId::Connectors.index()]
        .window
        .rows
        .iter()
        .filter_map(|row| match row {
            Row::Connector(c) => Some(c),
            _ => None,
        })
}

fn form(state: &AppState, kind: LinkKind) -> LinkState {
    match kind {
        LinkKind::Apple => apple_form(state),
        LinkKind::Store => link_store::form(state),
    }
}

/// The Apple form; with an Apple connector linked already (a renewal),
/// its name, Apple ID and address are filled in.
fn apple_form(state: &AppState) -> LinkState {
    let mut link = LinkState::apple();
    let linked = connector_rows(state)
        .find(|c| c.kind == ConnectorKind::AppleVpp && c.enabled && c.account.is_some())
        .cloned();
    if let Some(c) = linked {
        link.fields[0] = Input::new(c.name);
        link.fields[1] = Input::new(c.apple_id.unwrap_or_default());
        // The demo's in-process simulator (`sim:`) has no address to show.
        if let Some(url) = c.endpoint.filter(|u| u.starts_with("http")) {
            link.fields[3] = Input::new(url);
        }
        link.focus = 2;
    }
    link
}

/// A key in the dialog.
pub fn on_key(state: &mut AppState, mut link: LinkState, event: KeyEvent) -> Vec<Command> {
    let mut commands = Vec::new();
    match (link.step, event.code) {
        (LinkStep::Checking, _) => {}
        (_, KeyCode::Esc) => {
            state.overlay = Overlay::None;
            state.flash("nothing was linked", Tone::Info);
            return commands;
        }
        (LinkStep::Form, KeyCode::Char('t')) if event.modifiers.contains(KeyModifiers::CONTROL) => {
            link = form(state, link.kind.other());
        }
        (LinkStep::Form, KeyCode::Tab | KeyCode::Down) => link.focus = (link.focus + 1) % link.fields.len(),
        (LinkStep::Form, KeyCode::BackTab | KeyCode::Up) => {
            link.focus = (link.focus + link.fields.len() - 1) % link.fields.len();
        }
        (LinkStep::Form, KeyCode::Enter) => match link.missing() {
            Some(field) => link.error = Some(format!("{field} is needed")),
            // No acknowledgement step: the form itself says the account is
            // linked for good (R-CON-2), as `seats connect store` does.
            None if link.kind == LinkKind::Store => {
                link.error = None;
                link.step = LinkStep::Checking;
                commands.push(link_store::command(&link.values()));
            }
            None => {
                link.error = None;
                link.step = LinkStep::Acknowledge;
            }
        },
        (LinkStep::Form, _) => {
            if super::update::edit(&mut link.fields[link.focus], event) {
                link.error = None;
            }
        }
        (LinkStep::Acknowledge, KeyCode::Char(' ')) => link.acknowledged = !link.acknowledged,
        (LinkStep::Acknowledge, KeyCode::Backspace | KeyCode::BackTab) => link.step = LinkStep::Form,
        (LinkStep::Acknowledge, KeyCode::Enter) if !link.acknowledged => {
            link.error = Some("tick the box (Space) to acknowledge, or Esc to cancel".into());
        }
        (LinkStep::Acknowledge, KeyCode::Enter) => {
            let values = link.values();
            link.step = LinkStep::Checking;
            link.error = None;
            commands.push(Command::LinkApple {
                name: values[0].clone(),
                apple_id: values[1].clone(),
                token_file: values[2].clone(),
                api_url: values[3].clone(),
            });
        }
        (LinkStep::Acknowledge, _) => {}
    }
    state.overlay = Overlay::Link(Box::new(link));
    commands
}

/// The worker's answer: linked (the dialog closes, the pane reloads) or
/// refused (the dialog goes back to the form with the reason).
pub fn on_linked(state: &mut AppState, outcome: Result<String, String>) -> Vec<Command> {
    let Overlay::Link(link) = &mut state.overlay else {
        // The dialog was closed meanwhile: still say what happened.
        return match outcome {
            Ok(text) => {
                flash_linked(state, &text);
                reload(state)
            }
            Err(text) => {
                state.flash(text, Tone::Error);
                Vec::new()
            }
        };
    };
    match outcome {
        Ok(text) => {
            state.overlay = Overlay::None;
            flash_linked(state, &text);
            reload(state)
        }
        Err(text) => {
            link.step = LinkStep::Form;
            link.acknowledged = false;
            link.error = Some(text);
            Vec::new()
        }
    }
}

/// The worker's report (written for the command line) said in the
/// console's words: what happened to the connector (linked, or renewed
/// keeping every assignment), the location and token, and, when another
/// product holds the token, how to take it over here (R-CON-6).
fn flash_linked(state: &mut AppState, text: &str) {
    let location = text.lines().next().unwrap_or("linked");
    // Apple's report names the token's file next, the store's its secret's.
    let connector = text
        .lines()
        .find(|l| l.starts_with("connector "))
        .and_then(|l| l.split("; the token is read").next())
        .and_then(|l| l.split("; the secret is read").next())
        .unwrap_or("connector linked");
    let disabled = text.contains(crate::worker::link::DISABLED_NOTE);
    let next = if disabled {
        "it is disabled: :enable turns it on"
    } else {
        "r syncs it now"
    };
    let mut summary = format!("{connector}: {location}; {next}");
    let held_by = text
        .lines()
        .find_map(|l| l.strip_prefix("warning: the token is in use by "))
        .and_then(|rest| rest.split("; ").next());
    match held_by {
        Some(manager) => {
            summary.push_str(&format!(
                "; the token is in use by {manager}: :take-over makes seats its manager (the \
                 assignments {manager} made are lost to it)"
            ));
            state.flash(summary, Tone::Warning);
        }
        None => state.flash(summary, Tone::Info),
    }
}

fn reload(state: &mut AppState) -> Vec<Command> {
    vec![Command::Fetch(state.table_mut().reload()), Command::RefreshStatus]
}
