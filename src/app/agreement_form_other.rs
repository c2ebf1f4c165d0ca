//! The other-software step of the agreement form (R-AGR-10, R-AGR-11):
//! the publisher and the product chosen by type-ahead from the catalog
//! (only what it lists can be chosen, a product only after its
//! publisher), the count and the term checked as typed.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;

use super::agreement_form::{AgreementForm, OTHER_FIELDS, PRODUCT, PUBLISHER};
use super::agreement_form_keys::{Next, after_edit, move_choice, stay, to_group};
use super::dialogs::Change;
use super::message::Command;
use super::state::AppState;
use super::update::edit;
use crate::domain::agreement_entry::{OtherAgreement, license_count, term_problem};
use crate::store::agreements_entry::GroupChoice;
use crate::worker::agreement_search::FormSearch;

pub(super) fn product_lookup(state: &mut AppState, form: &mut AgreementForm) -> Vec<Command> {
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

/// The agreement the other-software fields hold, or why they don't.
pub(super) fn other_agreement(form: &AgreementForm) -> Result<OtherAgreement, String> {
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

pub(super) fn other_key(state: &mut AppState, form: &mut AgreementForm, event: KeyEvent) -> Next {
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
            format!("no catalog publisher matches {typed:?}: only publishers in the catalog can be chosen")
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
