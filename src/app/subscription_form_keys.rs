//! Keys in the subscription form (see `subscription_form`): the first
//! step chooses by hand or a file; in the fields Tab and Shift-Tab (or ↑↓)
//! move between those that take keys, ←→ or Space change a choice, → at
//! the end of Region completes it, Enter previews, Esc closes. The
//! preview's Esc comes back here with every value kept.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;

use super::changes::open_preview;
use super::dialogs::Change;
use super::message::Command;
use super::state::{AppState, Overlay, PaletteState, Tone};
use super::subscription_form::{FIELDS, PROFILE, REGION, SubscriptionForm};
use super::subscriptions::SubOp;

/// A key in the form.
pub fn on_key(state: &mut AppState, mut form: Box<SubscriptionForm>, event: KeyEvent) -> Vec<Command> {
    if event.code == KeyCode::Esc {
        state.overlay = Overlay::None;
        let what = if form.editing.is_some() {
            "changed"
        } else {
            "recorded"
        };
        state.flash(format!("nothing was {what}"), Tone::Info);
        return Vec::new();
    }
    form.error = None;
    if form.choosing {
        return choose_key(state, form, event);
    }
    match event.code {
        KeyCode::Tab | KeyCode::Down => move_focus(&mut form, true),
        KeyCode::BackTab | KeyCode::Up => move_focus(&mut form, false),
        KeyCode::Enter => return enter(state, form),
        code if is_choice(&form) => change_choice(&mut form, code),
        KeyCode::Right if form.focus == REGION && at_end(&form.values[REGION]) => {
            if let Some(first) = form.region_matches().first() {
                form.values[REGION] = Input::new((*first).to_owned());
            } else {
                super::update::edit(&mut form.values[REGION], event);
            }
        }
        _ => {
            let focus = form.focus;
            super::update::edit(&mut form.values[focus], event);
        }
    }
    form.revalidate();
    state.overlay = Overlay::SubscriptionForm(form);
    Vec::new()
}

/// Text pasted into the field with the focus.
pub fn on_paste(state: &mut AppState, mut form: Box<SubscriptionForm>, text: &str) {
    if !form.choosing && !is_choice(&form) {
        let focus = form.focus;
        for c in text.chars() {
            form.values[focus].handle(tui_input::InputRequest::InsertChar(c));
        }
        form.revalidate();
    }
    state.overlay = Overlay::SubscriptionForm(form);
}

fn at_end(input: &Input) -> bool {
    input.cursor() == input.value().chars().count()
}

fn is_choice(form: &SubscriptionForm) -> bool {
    !FIELDS[form.focus].choices.is_empty() || form.focus == PROFILE
}

fn choose_key(state: &mut AppState, mut form: Box<SubscriptionForm>, event: KeyEvent) -> Vec<Command> {
    match event.code {
        KeyCode::Char('1') => form.choice = 0,
        KeyCode::Char('2') => form.choice = 1,
        KeyCode::Up | KeyCode::Char('k') => form.choice = 0,
        KeyCode::Down | KeyCode::Char('j') => form.choice = 1,
        KeyCode::Enter => {}
        _ => {
            state.overlay = Overlay::SubscriptionForm(form);
            return Vec::new();
        }
    }
    let chosen = matches!(event.code, KeyCode::Char('1' | '2') | KeyCode::Enter);
    if chosen && form.choice == 1 {
        // From a file: the palette's import, which previews every row.
        state.overlay = Overlay::Palette(PaletteState {
            input: Input::new("import subscriptions ".to_owned()),
            error: None,
        });
        return Vec::new();
    }
    if chosen {
        form.choosing = false;
    }
    state.overlay = Overlay::SubscriptionForm(form);
    Vec::new()
}

/// The next (or previous) field that takes keys.
fn move_focus(form: &mut SubscriptionForm, forward: bool) {
    let count = FIELDS.len();
    for step in 1..count {
        let next = if forward {
            (form.focus + step) % count
        } else {
            (form.focus + count - step) % count
        };
        if form.enabled(next) {
            form.focus = next;
            return;
        }
    }
}

/// ←→ or Space: the previous or next choice of the focused field.
fn change_choice(form: &mut SubscriptionForm, code: KeyCode) {
    let forward = match code {
        KeyCode::Right | KeyCode::Char(' ') => true,
        KeyCode::Left => false,
        _ => return,
    };
    let choices = form.choices(form.focus);
    if choices.is_empty() {
        return;
    }
    let now = form.value(form.focus).to_owned();
    let at = choices.iter().position(|c| c.eq_ignore_ascii_case(&now));
    let next = match (at, forward) {
        (Some(i), true) => (i + 1) % choices.len(),
        (Some(i), false) => (i + choices.len() - 1) % choices.len(),
        (None, _) => 0,
    };
    let focus = form.focus;
    form.values[focus] = Input::new(choices[next].clone());
    // An ISV app's quantity is the vendor's by default (R-LIC-8).
    if focus == super::subscription_form::KIND {
        let vendor = if choices[next] == "isv" { "yes" } else { "" };
        form.values[super::subscription_form::VENDOR] = Input::new(vendor.to_owned());
    }
}

/// Enter: the preview when every field passes, else the first problem's
/// field gets the focus and the count is said.
fn enter(state: &mut AppState, mut form: Box<SubscriptionForm>) -> Vec<Command> {
    let purchase = match form.purchase() {
        Ok(purchase) => purchase,
        Err(problems) => {
            if let Some(at) = problems
                .first()
                .and_then(|(column, _)| FIELDS.iter().position(|f| f.column == column))
                .filter(|at| form.enabled(*at))
            {
                form.focus = at;
            }
            form.problems = problems;
            form.error = Some(format!(
                "{} problem(s) to fix first: nothing is saved until every field passes",
                form.problems.len()
            ));
            state.overlay = Overlay::SubscriptionForm(form);
            return Vec::new();
        }
    };
    let op = match &form.editing {
        Some(row) => SubOp::Edit {
            id: row.id,
            purchase: Box::new(purchase),
        },
        None => SubOp::Record(Box::new(purchase)),
    };
    let commands = open_preview(state, Change::Subscription(op));
    if let Overlay::Preview(preview) = &mut state.overlay {
        preview.back_to = Some(Box::new(Overlay::SubscriptionForm(form)));
    }
    commands
}
