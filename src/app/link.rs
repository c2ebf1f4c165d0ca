//! The Connectors pane's `n`: link the organization's Apple Apps and Books
//! token (issue 8; R-CON-3). Two steps: the form (name, the Apple ID that
//! owns the token, the token file, Apple's address), then the warning that
//! this links the organization's Apple account for good, with a checkbox
//! the admin must tick (Space) before Enter links. Nothing is stored until
//! then; the worker checks the token at Apple and answers with `Linked`.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;

use super::message::Command;
use super::state::{AppState, Overlay, Tone};
use crate::connectors::apple::APPLE_API_URL;

/// The form's fields, in order.
pub const FIELDS: [&str; 4] = ["Name", "Apple ID", "Token file", "Apple API"];

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
    pub fields: [Input; 4],
    pub focus: usize,
    pub step: LinkStep,
    pub acknowledged: bool,
    /// Why the last try failed (shown in the dialog, which stays open).
    pub error: Option<String>,
}

impl PartialEq for LinkState {
    fn eq(&self, other: &Self) -> bool {
        self.values() == other.values()
            && self.focus == other.focus
            && self.step == other.step
            && self.acknowledged == other.acknowledged
            && self.error == other.error
    }
}

impl LinkState {
    fn new() -> LinkState {
        LinkState {
            fields: [
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

    pub fn values(&self) -> [String; 4] {
        self.fields.clone().map(|f| f.value().trim().to_owned())
    }

    /// The first empty field's name, if any.
    fn missing(&self) -> Option<&'static str> {
        self.values().iter().position(String::is_empty).map(|i| FIELDS[i])
    }
}

/// Opens the form; with an Apple connector linked already (a renewal),
/// its name, Apple ID and address are filled in.
pub fn open(state: &mut AppState) -> Vec<Command> {
    let mut link = LinkState::new();
    let rows = &state.tables[super::pane::PaneId::Connectors.index()].window.rows;
    let linked = rows.iter().find_map(|row| match row {
        super::pane::Row::Connector(c)
            if c.kind == crate::domain::ConnectorKind::AppleVpp && c.enabled && c.account.is_some() =>
        {
            Some(c.clone())
        }
        _ => None,
    });
    if let Some(c) = linked {
        link.fields[0] = Input::new(c.name);
        link.fields[1] = Input::new(c.apple_id.unwrap_or_default());
        // The demo's in-process simulator (`sim:`) has no address to show.
        if let Some(url) = c.endpoint.filter(|u| u.starts_with("http")) {
            link.fields[3] = Input::new(url);
        }
        link.focus = 2;
    }
    state.overlay = Overlay::Link(Box::new(link));
    Vec::new()
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
        (LinkStep::Form, KeyCode::Tab | KeyCode::Down) => link.focus = (link.focus + 1) % FIELDS.len(),
        (LinkStep::Form, KeyCode::BackTab | KeyCode::Up) => {
            link.focus = (link.focus + FIELDS.len() - 1) % FIELDS.len();
        }
        (LinkStep::Form, KeyCode::Enter) => match link.missing() {
            Some(field) => link.error = Some(format!("{field} is needed")),
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
            let [name, apple_id, token_file, api_url] = link.values();
            link.step = LinkStep::Checking;
            link.error = None;
            commands.push(Command::LinkApple {
                name,
                apple_id,
                token_file,
                api_url,
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
    let connector = text
        .lines()
        .find(|l| l.starts_with("connector "))
        .and_then(|l| l.split("; the token is read").next())
        .unwrap_or("connector linked");
    let mut summary = format!("{connector}: {location}; r syncs it now");
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
