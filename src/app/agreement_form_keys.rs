//! Keys in the agreement form (see `agreement_form`). Esc closes it at
//! any step and Shift-Tab in a choice step goes back one; Enter moves on,
//! and at the end opens the preview, whose Esc comes back here.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::{Input, InputRequest};

use super::agreement_form::{AgreementForm, PRODUCT, PUBLISHER, Step};
use super::agreement_form_other::{other_agreement, other_key, product_lookup};
use super::changes::open_preview;
use super::dialogs::Change;
use super::message::Command;
use super::state::{AppState, Overlay, Tone};
use super::update::edit;
use crate::domain::agreement_entry::{name_problem, pair_problem};
use crate::store::agreements_entry::GroupChoice;
use crate::worker::agreement_search::FormSearch;

/// What a key leads to.
pub(super) enum Next {
    Stay(Vec<Command>),
    Preview(Change),
}

pub(super) fn stay() -> Next {
    Next::Stay(Vec::new())
}

/// A key in the form.
pub fn on_key(state: &mut AppState, mut form: Box<AgreementForm>, event: KeyEvent) -> Vec<Command> {
    if event.code == KeyCode::Esc {
        state.overlay = Overlay::None;
        let what = if form.editing.is_some() {
            "changed"
        } else {
            "added"
        };
        state.flash(format!("nothing was {what}"), Tone::Info);
        return Vec::new();
    }
    form.error = None;
    let next = match form.step {
        Step::Kind => kind_key(state, &mut form, event),
        Step::Source => source_key(&mut form, event),
        Step::File => file_key(state, &mut form, event),
        Step::Volume => volume_key(state, &mut form, event),
        Step::Other => other_key(state, &mut form, event),
        Step::Group => group_key(state, &mut form, event),
    };
    match next {
        Next::Stay(commands) => {
            state.overlay = Overlay::AgreementForm(form);
            commands
        }
        Next::Preview(change) => {
            let commands = open_preview(state, change);
            if let Overlay::Preview(preview) = &mut state.overlay {
                preview.from_form = Some(form);
            }
            commands
        }
    }
}

/// Text pasted into the field with the focus (never a key: `+` stays text).
pub fn on_paste(state: &mut AppState, mut form: Box<AgreementForm>, text: &str) -> Vec<Command> {
    let commands = match focused(&mut form) {
        Some(input) => {
            for c in text.chars() {
                input.handle(InputRequest::InsertChar(c));
            }
            after_edit(state, &mut form)
        }
        None => Vec::new(),
    };
    state.overlay = Overlay::AgreementForm(form);
    commands
}

fn focused(form: &mut AgreementForm) -> Option<&mut Input> {
    match form.step {
        Step::File => Some(&mut form.path),
        Step::Volume => match form.volume.focus {
            0 => Some(&mut form.volume.name),
            1 => Some(&mut form.volume.first),
            2 => Some(&mut form.volume.second),
            _ => None,
        },
        Step::Other => Some(&mut form.other.inputs[form.other.focus]),
        Step::Group => Some(&mut form.group),
        Step::Kind | Step::Source => None,
    }
}

/// After the focused text changed: the lookups it asks for.
pub(super) fn after_edit(state: &mut AppState, form: &mut AgreementForm) -> Vec<Command> {
    match form.step {
        Step::File => form.candidates.clear(),
        Step::Other if form.other.focus == PUBLISHER => {
            let typed = form.other.inputs[PUBLISHER].value().to_owned();
            form.other.publisher = None;
            form.other.product = None;
            form.other.inputs[PRODUCT] = Input::default();
            return vec![form.look_up(state, FormSearch::Publishers, &typed)];
        }
        Step::Other if form.other.focus == PRODUCT => {
            form.other.product = None;
            return product_lookup(state, form);
        }
        Step::Group => {
            let typed = form.group.value().to_owned();
            return vec![form.look_up(state, FormSearch::LicenseGroups, &typed)];
        }
        _ => {}
    }
    Vec::new()
}

pub(super) fn move_choice(choice: &mut usize, count: usize, code: KeyCode) {
    match code {
        KeyCode::Up | KeyCode::Char('k') => *choice = choice.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => *choice = (*choice + 1).min(count.saturating_sub(1)),
        _ => {}
    }
}

fn kind_key(state: &mut AppState, form: &mut AgreementForm, event: KeyEvent) -> Next {
    match event.code {
        KeyCode::Char('1') => form.choice = 0,
        KeyCode::Char('2') => form.choice = 1,
        KeyCode::Enter => {}
        code => {
            move_choice(&mut form.choice, 2, code);
            return stay();
        }
    }
    form.kind_other = form.choice == 1;
    if form.kind_other {
        form.step = Step::Other;
        // An empty catalog is told at once (R-AGR-11).
        return Next::Stay(vec![form.look_up(state, FormSearch::Publishers, "")]);
    }
    form.step = Step::Source;
    form.choice = 0;
    stay()
}

fn source_key(form: &mut AgreementForm, event: KeyEvent) -> Next {
    match event.code {
        KeyCode::Char('1') => form.choice = 0,
        KeyCode::Char('2') => form.choice = 1,
        KeyCode::Enter => {}
        KeyCode::BackTab | KeyCode::Backspace => {
            form.step = Step::Kind;
            form.choice = 0;
            return stay();
        }
        code => {
            move_choice(&mut form.choice, 2, code);
            return stay();
        }
    }
    form.step = if form.choice == 0 {
        Step::File
    } else {
        Step::Volume
    };
    stay()
}

fn file_key(state: &mut AppState, form: &mut AgreementForm, event: KeyEvent) -> Next {
    match event.code {
        KeyCode::Tab => {
            let typed = form.path.value().to_owned();
            Next::Stay(vec![form.look_up(state, FormSearch::Path, &typed)])
        }
        KeyCode::BackTab => {
            form.step = Step::Source;
            stay()
        }
        KeyCode::Enter if form.path.value().trim().is_empty() => {
            form.error = Some("type the file's path (Tab completes it)".into());
            stay()
        }
        KeyCode::Enter => to_group(state, form),
        _ => {
            if edit(&mut form.path, event) {
                form.candidates.clear();
            }
            stay()
        }
    }
}

fn volume_key(state: &mut AppState, form: &mut AgreementForm, event: KeyEvent) -> Next {
    let v = &mut form.volume;
    let in_list = v.focus == 3;
    match event.code {
        KeyCode::Char('+') => add_pair(form),
        KeyCode::Char('-') | KeyCode::Delete if in_list => {
            if v.selected < v.pairs.len() {
                v.pairs.remove(v.selected);
                v.selected = v.selected.min(v.pairs.len().saturating_sub(1));
            }
        }
        KeyCode::Up | KeyCode::Char('k') if in_list && v.selected > 0 => v.selected -= 1,
        KeyCode::Down | KeyCode::Char('j') if in_list => {
            v.selected = (v.selected + 1).min(v.pairs.len().saturating_sub(1));
        }
        KeyCode::Tab | KeyCode::Down => v.focus = (v.focus + 1) % 4,
        KeyCode::BackTab | KeyCode::Up => v.focus = (v.focus + 3) % 4,
        KeyCode::Enter => return finish_volume(state, form),
        _ => {
            if let Some(input) = focused(form) {
                edit(input, event);
            }
        }
    }
    stay()
}

/// `+`: the pair typed joins the list, if the rules allow it (R-AGR-6).
fn add_pair(form: &mut AgreementForm) {
    let v = &mut form.volume;
    let (first, second) = (
        v.first.value().trim().to_owned(),
        v.second.value().trim().to_owned(),
    );
    if let Some(why) = pair_problem(&first, &second, &v.pairs, true) {
        form.error = Some(format!("not added: {why}"));
        return;
    }
    v.pairs.push((first, second));
    v.selected = v.pairs.len() - 1;
    v.first = Input::default();
    v.second = Input::default();
    v.focus = 1;
}

fn finish_volume(state: &mut AppState, form: &mut AgreementForm) -> Next {
    let v = &form.volume;
    let name = v.name.value().trim();
    let why = if name.is_empty() {
        Some("the agreement's name is needed".to_owned())
    } else if let Some(why) = name_problem(name) {
        Some(why)
    } else if !v.first.value().trim().is_empty() || !v.second.value().trim().is_empty() {
        Some("press + to add the pair typed, or clear it (Ctrl-U) first".to_owned())
    } else if v.pairs.is_empty() {
        Some("add at least one number pair: type both numbers, then +".to_owned())
    } else {
        None
    };
    if why.is_some() {
        form.error = why;
        return stay();
    }
    to_group(state, form)
}

pub(super) fn to_group(state: &mut AppState, form: &mut AgreementForm) -> Next {
    form.step = Step::Group;
    let typed = form.group.value().to_owned();
    Next::Stay(vec![form.look_up(state, FormSearch::LicenseGroups, &typed)])
}

fn group_key(state: &mut AppState, form: &mut AgreementForm, event: KeyEvent) -> Next {
    let options = form.group_options();
    match event.code {
        KeyCode::Up | KeyCode::Down => move_choice(&mut form.lookup.selected, options.len(), event.code),
        KeyCode::BackTab => form.step = back_from_group(form),
        KeyCode::Enter => match options.into_iter().nth(form.lookup.selected) {
            Some((_, group)) => match new_agreement(form, group) {
                Ok(change) => return Next::Preview(change),
                Err(why) => form.error = Some(why),
            },
            None => form.error = Some("type a group's name: an existing one, or a new one to make".into()),
        },
        _ => {
            if edit(&mut form.group, event) {
                return Next::Stay(after_edit(state, form));
            }
        }
    }
    stay()
}

/// The step the group step came from.
fn back_from_group(form: &AgreementForm) -> Step {
    match (form.kind_other, form.source_file()) {
        (true, _) => Step::Other,
        (false, true) => Step::File,
        (false, false) => Step::Volume,
    }
}

/// The change that adds the agreement the form holds, into `group`.
fn new_agreement(form: &AgreementForm, group: GroupChoice) -> Result<Change, String> {
    if form.kind_other {
        return Ok(Change::SaveOtherAgreement {
            id: None,
            agreement: Box::new(other_agreement(form)?),
            group,
        });
    }
    if form.source_file() {
        return Ok(Change::ImportAgreements {
            path: form.path.value().trim().to_owned(),
            group,
        });
    }
    Ok(Change::AddVolumeAgreement {
        name: form.volume.name.value().trim().to_owned(),
        pairs: form.volume.pairs.clone(),
        group,
    })
}
