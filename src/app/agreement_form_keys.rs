//! Keys in the agreement form (see `agreement_form`). Esc closes it at
//! any step and Shift-Tab in a choice step goes back one; Enter moves on,
//! and at the end opens the preview, whose Esc comes back here.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::{Input, InputRequest};

use super::agreement_form::{AgreementForm, OTHER_FIELDS, PRODUCT, PUBLISHER, Step};
use super::changes::open_preview;
use super::dialogs::Change;
use super::message::Command;
use super::state::{AppState, Overlay, Tone};
use super::update::edit;
use crate::domain::agreement_entry::{
    OtherAgreement, license_count, name_problem, pair_problem, term_problem,
};
use crate::store::agreements_entry::GroupChoice;
use crate::worker::agreement_search::FormSearch;

/// What a key leads to.
enum Next {
    Stay(Vec<Command>),
    Preview(Change),
}

fn stay() -> Next {
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
fn after_edit(state: &mut AppState, form: &mut AgreementForm) -> Vec<Command> {
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

fn product_lookup(state: &mut AppState, form: &mut AgreementForm) -> Vec<Command> {
    match &form.other.publisher {
        Some((Some(id), _)) => {
            let (id, typed) = (*id, form.other.inputs[PRODUCT].value().to_owned());
            vec![form.look_up(state, FormSearch::Products(id), &typed)]
        }
        _ => {
            form.lookup = Default::default();
            form.error =
                Some("choose a publisher first: products are offered for the publisher chosen".into());
            Vec::new()
        }
    }
}

fn move_choice(choice: &mut usize, count: usize, code: KeyCode) {
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
        Some("the agreement's name is needed (R-AGR-6)".to_owned())
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

fn to_group(state: &mut AppState, form: &mut AgreementForm) -> Next {
    form.step = Step::Group;
    let typed = form.group.value().to_owned();
    Next::Stay(vec![form.look_up(state, FormSearch::LicenseGroups, &typed)])
}

/// The agreement the other-software fields hold, or why they don't.
fn other_agreement(form: &AgreementForm) -> Result<OtherAgreement, String> {
    let [name, publisher, product, count, starts, ends, details] = form.other_values();
    if form.other.catalog_empty {
        return Err(EMPTY_CATALOG.to_owned());
    }
    let Some((_, publisher)) = form.other.publisher.clone().filter(|_| !publisher.is_empty()) else {
        return Err("choose the publisher from the catalog: type part of its name, then Enter".into());
    };
    let Some(product) = form.other.product.clone().filter(|_| !product.is_empty()) else {
        return Err("choose the product title: type part of it, then Enter".into());
    };
    let agreement = OtherAgreement {
        name,
        publisher,
        product,
        license_count: license_count(&count)?,
        starts_on: Some(starts).filter(|s| !s.is_empty()),
        ends_on: Some(ends).filter(|s| !s.is_empty()),
        details: Some(details).filter(|s| !s.is_empty()),
    };
    match agreement.problems().into_iter().next() {
        Some(why) => Err(why),
        None => Ok(agreement),
    }
}

/// Why an other-software agreement can't be entered with no catalog.
pub const EMPTY_CATALOG: &str = "The software catalog has no publisher yet: an other-software agreement needs a \
     managed computer with the publisher's software detected (R-AGR-11). Fill the inventory with \
     `seats import inventory FILE` (or a sync that brings it), then press n again.";

fn other_key(state: &mut AppState, form: &mut AgreementForm, event: KeyEvent) -> Next {
    let focus = form.other.focus;
    let typeahead = focus == PUBLISHER || focus == PRODUCT;
    let choosing = typeahead && !form.lookup.results.is_empty() && !chosen(form, focus);
    match event.code {
        KeyCode::Up | KeyCode::Down if choosing => {
            move_choice(&mut form.lookup.selected, form.lookup.results.len(), event.code);
            stay()
        }
        KeyCode::Tab | KeyCode::Down => focus_other(state, form, (focus + 1) % OTHER_FIELDS.len()),
        KeyCode::BackTab | KeyCode::Up => {
            focus_other(state, form, (focus + OTHER_FIELDS.len() - 1) % OTHER_FIELDS.len())
        }
        KeyCode::Enter if typeahead && !chosen(form, focus) => choose(state, form),
        KeyCode::Enter => match other_agreement(form) {
            Err(why) => {
                form.error = Some(why);
                stay()
            }
            Ok(agreement) => match form.editing {
                Some(id) => Next::Preview(Change::SaveOtherAgreement {
                    id: Some(id),
                    agreement: Box::new(agreement),
                    group: GroupChoice::Unassigned,
                }),
                None => to_group(state, form),
            },
        },
        _ => {
            let changed = edit(&mut form.other.inputs[focus], event);
            Next::Stay(if changed {
                after_edit(state, form)
            } else {
                Vec::new()
            })
        }
    }
}

/// Whether the type-ahead field `focus` holds what was chosen.
fn chosen(form: &AgreementForm, focus: usize) -> bool {
    let typed = form.other.inputs[focus].value().trim();
    let choice = match focus {
        PUBLISHER => form.other.publisher.as_ref().map(|(_, name)| name.as_str()),
        _ => form.other.product.as_deref(),
    };
    choice.is_some_and(|c| c.eq_ignore_ascii_case(typed))
}

fn focus_other(state: &mut AppState, form: &mut AgreementForm, focus: usize) -> Next {
    form.other.focus = focus;
    form.lookup.results.clear();
    match focus {
        PUBLISHER if !chosen(form, focus) => {
            let typed = form.other.inputs[PUBLISHER].value().to_owned();
            Next::Stay(vec![form.look_up(state, FormSearch::Publishers, &typed)])
        }
        PRODUCT if !chosen(form, focus) => Next::Stay(product_lookup(state, form)),
        _ => stay(),
    }
}

/// Enter in the publisher or product field: the highlighted match is chosen.
fn choose(state: &mut AppState, form: &mut AgreementForm) -> Next {
    let focus = form.other.focus;
    let Some(item) = form.lookup.results.get(form.lookup.selected).cloned() else {
        let typed = form.other.inputs[focus].value().trim().to_owned();
        form.error = Some(if form.other.catalog_empty {
            EMPTY_CATALOG.to_owned()
        } else if focus == PUBLISHER {
            format!(
                "no catalog publisher matches {typed:?}: only publishers in the catalog can be chosen (R-AGR-11)"
            )
        } else {
            format!("the publisher has no product matching {typed:?}")
        });
        return stay();
    };
    form.other.inputs[focus] = Input::new(item.label.clone());
    if focus == PUBLISHER {
        form.other.publisher = Some((Some(item.id), item.label));
        form.other.product = None;
        form.other.inputs[PRODUCT] = Input::default();
    } else {
        form.other.product = Some(item.label);
    }
    focus_other(state, form, focus + 1)
}

fn group_key(state: &mut AppState, form: &mut AgreementForm, event: KeyEvent) -> Next {
    let options = form.group_options();
    match event.code {
        KeyCode::Up | KeyCode::Down => move_choice(&mut form.lookup.selected, options.len(), event.code),
        KeyCode::BackTab => form.step = back_from_group(form),
        KeyCode::Enter => match options.into_iter().nth(form.lookup.selected) {
            Some((_, group)) => return Next::Preview(new_agreement(form, group)),
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
fn new_agreement(form: &AgreementForm, group: GroupChoice) -> Change {
    if form.kind_other {
        let agreement = other_agreement(form).unwrap_or_else(|_| OtherAgreement {
            name: String::new(),
            publisher: String::new(),
            product: String::new(),
            license_count: 0,
            starts_on: None,
            ends_on: None,
            details: None,
        });
        return Change::SaveOtherAgreement {
            id: None,
            agreement: Box::new(agreement),
            group,
        };
    }
    if form.source_file() {
        return Change::ImportAgreements {
            path: form.path.value().trim().to_owned(),
            group,
        };
    }
    Change::AddVolumeAgreement {
        name: form.volume.name.value().trim().to_owned(),
        pairs: form.volume.pairs.clone(),
        group,
    }
}

/// The live problem of the term typed, for the form to show.
pub fn term_error(form: &AgreementForm) -> Option<String> {
    let values = form.other_values();
    term_problem(&values[4], &values[5])
}

/// The live problem of the count typed, if any was typed.
pub fn count_error(form: &AgreementForm) -> Option<String> {
    let typed = form.other_values()[3].clone();
    (!typed.is_empty()).then(|| license_count(&typed).err()).flatten()
}
