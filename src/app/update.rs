//! `update`: the only place state changes. It does no I/O; it returns the
//! commands the loop should run.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};

use super::action::Action;
use super::apps;
use super::changes;
use super::held;
use super::keymap::Key;
use super::message::{Command, Msg, WorkerEvent};
use super::palette::{self, PaletteCommand};
use super::pane::PaneId;
use super::state::{AppState, Overlay, PaletteState, Tone};
use super::sync;
use super::table::Fetch;
use crate::ui::layout::table_rows;

/// Applies one message to the state.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Command> {
    let mut commands = match msg {
        Msg::Key(key) if Key::from(key) == Key::ctrl('c') => apply(state, Action::Quit),
        Msg::Key(_) | Msg::Paste(_) if state.refused_burst.is_some() => {
            state.refused_burst = state.refused_burst.map(|n| n + 1);
            Vec::new()
        }
        Msg::Key(key) if held::must_wait(state, &key) => {
            state.held.push_back(msg);
            Vec::new()
        }
        Msg::Paste(_) if !state.held.is_empty() => {
            state.held.push_back(msg);
            Vec::new()
        }
        Msg::Key(_) | Msg::Paste(_) => on_input(state, msg),
        Msg::Resize(width, height) => {
            state.size = (width, height);
            let rows = page_rows(state);
            state.table_mut().keep_visible(rows);
            Vec::new()
        }
        Msg::Tick(now) => {
            state.now = now;
            fade_flash(state);
            Vec::new()
        }
        Msg::Worker(event) => on_worker(state, event),
    };
    commands.extend(held::release(state, on_input));
    commands
}

fn page_rows(state: &AppState) -> usize {
    table_rows(state.size.0, state.size.1)
}

fn fade_flash(state: &mut AppState) {
    if let Some(flash) = &mut state.flash {
        flash.ticks_left = flash.ticks_left.saturating_sub(1);
        if flash.ticks_left == 0 {
            state.flash = None;
        }
    }
}

/// A key or a paste, once it is its turn.
fn on_input(state: &mut AppState, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => on_paste(state, &text),
        _ => Vec::new(),
    }
}

/// Pasted text goes into the text field that has the focus, as text only
/// (line breaks and tabs become spaces: a paste never presses Enter).
fn on_paste(state: &mut AppState, text: &str) -> Vec<Command> {
    if !state.fits() {
        return Vec::new();
    }
    let clean: String = text
        .trim_end_matches(['\r', '\n'])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let insert = |input: &mut Input| {
        for c in clean.chars() {
            input.handle(InputRequest::InsertChar(c));
        }
    };
    match &mut state.overlay {
        Overlay::Picker(picker) => {
            insert(&mut picker.input);
            let picker = picker.clone();
            changes::search_again(state, picker)
        }
        Overlay::Palette(palette) => {
            insert(&mut palette.input);
            Vec::new()
        }
        // A pasted path or Apple ID goes into the field with the focus.
        Overlay::Link(link) if link.step == super::link::LinkStep::Form => {
            insert(&mut link.fields[link.focus]);
            Vec::new()
        }
        Overlay::AgreementForm(form) => {
            let form = form.clone();
            super::agreement_form_keys::on_paste(state, form, &clean)
        }
        Overlay::SubscriptionForm(form) => {
            let form = form.clone();
            super::subscription_form_keys::on_paste(state, form, &clean);
            Vec::new()
        }
        Overlay::Filter => {
            let table = state.table_mut();
            insert(&mut table.filter);
            vec![Command::Fetch(table.restart())]
        }
        _ => {
            state.flash(
                "pasted text ignored: paste into a search (a) or a filter (/)",
                Tone::Info,
            );
            Vec::new()
        }
    }
}

/// Routes a key: the open dialog first, then the keymap.
fn on_key(state: &mut AppState, event: KeyEvent) -> Vec<Command> {
    let key = Key::from(event);
    // Ctrl-C always leaves, whatever has the focus.
    if key == Key::ctrl('c') {
        return apply(state, Action::Quit);
    }
    if !state.fits() {
        // Only the size message shows: nothing the admin can't see may
        // act, so only quit works and any open dialog waits untouched.
        return match state.keymap.lookup(state.pane, key) {
            Some(Action::Quit) => apply(state, Action::Quit),
            _ => Vec::new(),
        };
    }
    match state.overlay.clone() {
        Overlay::Filter => on_filter_key(state, event),
        Overlay::Palette(palette) => on_palette_key(state, palette, event),
        Overlay::Picker(picker) => changes::on_picker_key(state, picker, event),
        Overlay::Preview(preview) => changes::on_preview_key(state, preview, event),
        Overlay::Link(link) => super::link::on_key(state, *link, event),
        Overlay::Billing(dialog) => super::billing::on_billing_key(state, dialog, event),
        Overlay::AgreementForm(form) => super::agreement_form_keys::on_key(state, form, event),
        Overlay::SubscriptionForm(form) => super::subscription_form_keys::on_key(state, form, event),
        Overlay::ProfileForm(form) => super::billing_form::on_key(state, form, event),
        Overlay::Help { scroll } => {
            state.overlay =
                scrolled(state, scroll, key).map_or(Overlay::None, |scroll| Overlay::Help { scroll });
            Vec::new()
        }
        Overlay::Detail { scroll } => {
            state.overlay =
                scrolled(state, scroll, key).map_or(Overlay::None, |scroll| Overlay::Detail { scroll });
            // The seat's detail says "y copies the link": that key closes
            // the dialog and copies, as it does under it.
            match state.keymap.lookup(state.pane, key) {
                Some(Action::CopyInvitation) => apply(state, Action::CopyInvitation),
                _ => Vec::new(),
            }
        }
        Overlay::None => match state.keymap.lookup(state.pane, key) {
            Some(action) => apply(state, action),
            None => Vec::new(),
        },
    }
}

/// Applies an action to the state.
pub fn apply(state: &mut AppState, action: Action) -> Vec<Command> {
    let rows = page_rows(state);
    let page = rows.max(1) as isize;
    match action {
        Action::Quit => {
            state.quit = true;
            vec![Command::Quit]
        }
        Action::NextPane => show(state, state.pane.next()),
        Action::PrevPane => show(state, state.pane.prev()),
        Action::ShowLicenses => show(state, PaneId::Licenses),
        Action::ShowApps => show(state, PaneId::Apps),
        Action::ShowConnectors => show(state, PaneId::Connectors),
        Action::ShowAgreements => show(state, PaneId::Agreements),
        Action::ShowUsers => show(state, PaneId::Users),
        Action::ShowPurchaseReport => show(state, PaneId::ReportPurchase),
        Action::ShowInstallationReport => show(state, PaneId::ReportInstallation),
        Action::ShowInventoryReport => show(state, PaneId::ReportInventory),
        Action::ShowUtilizationReport => show(state, PaneId::ReportUtilization),
        Action::Up => fetches(state.table_mut().move_by(-1, rows)),
        Action::Down => fetches(state.table_mut().move_by(1, rows)),
        Action::PageUp => fetches(state.table_mut().move_by(-page, rows)),
        Action::PageDown => fetches(state.table_mut().move_by(page, rows)),
        Action::Top => fetches(state.table_mut().select(0, rows)),
        Action::Bottom => fetches(state.table_mut().select(usize::MAX, rows)),
        Action::SortNext | Action::SortPrev => {
            let columns = state.pane.columns().len();
            let table = state.table_mut();
            table.sort = if action == Action::SortNext {
                (table.sort + 1) % columns
            } else {
                (table.sort + columns - 1) % columns
            };
            table.descending = false;
            // The selected row stays selected in the new order.
            vec![Command::Fetch(table.restart_keeping())]
        }
        Action::SortReverse => {
            let table = state.table_mut();
            table.descending = !table.descending;
            vec![Command::Fetch(table.restart_keeping())]
        }
        Action::Filter => {
            state.overlay = Overlay::Filter;
            Vec::new()
        }
        Action::Back => super::reports::back(state).unwrap_or_else(|| clear_filter(state)),
        Action::Help => {
            state.overlay = Overlay::Help { scroll: 0 };
            Vec::new()
        }
        Action::Palette => {
            state.overlay = Overlay::Palette(PaletteState::default());
            Vec::new()
        }
        Action::Refresh => vec![Command::Fetch(state.table_mut().reload()), Command::RefreshStatus],
        Action::Open if state.pane.report().is_some() => super::reports::drill(state),
        Action::Open => changes::open(state),
        Action::Mark => changes::toggle_mark(state),
        Action::ShowInstalls => apps::open_installs(state),
        Action::InstallScope => apps::toggle_install_scope(state),
        Action::DeleteAgreement => apps::delete_agreement(state),
        Action::NewAgreement => super::agreement_form::open(state),
        Action::EditAgreement => super::agreement_form::edit(state),
        // Nothing to confirm: it changes no seat, only what is known.
        Action::Validate => {
            state.flash("validating the volume agreements…", Tone::Info);
            vec![Command::Write(super::dialogs::Change::Validate)]
        }
        Action::ActivateSubscription => super::subscriptions::activate(state),
        Action::CancelSubscription => super::subscriptions::cancel(state),
        Action::Billing => super::billing::open(state),
        Action::InstallProduct => super::subscriptions::install(state),
        Action::CopyInvitation => super::apps::copy_invitation(state),
        Action::RecordPurchase => super::subscription_form::open(state),
        Action::EditSubscription => super::subscription_form::edit(state),
        Action::Assign if state.pane == PaneId::Subscriptions => super::subscriptions::assign(state),
        Action::Assign
        | Action::Release
        | Action::ReleaseAll
        | Action::RemoveUser
        | Action::Undo
        | Action::Intent => changes::start(state, action),
        Action::SyncNow => sync::sync_selected(state),
        Action::SyncAll => sync::sync_all(state),
        Action::New => super::link::open(state),
        Action::AddOrDeleteApp => apps::explain_add_or_delete(state),
        Action::Detail => {
            if state.table().selected_row().is_some() {
                state.overlay = Overlay::Detail { scroll: 0 };
            }
            Vec::new()
        }
    }
}

fn fetches(fetch: Option<Fetch>) -> Vec<Command> {
    fetch.map(Command::Fetch).into_iter().collect()
}

/// Shows `pane`, reading it when it was never read or the cache changed.
pub fn show(state: &mut AppState, pane: PaneId) -> Vec<Command> {
    if state.report_return.as_ref().is_some_and(|back| back.view != pane) {
        state.report_return = None;
    }
    if pane.report().is_some() {
        state.report = pane;
    }
    state.pane = pane;
    state.overlay = Overlay::None;
    let table = state.table_mut();
    if table.stale {
        vec![Command::Fetch(table.reload())]
    } else {
        Vec::new()
    }
}

fn clear_filter(state: &mut AppState) -> Vec<Command> {
    state.overlay = Overlay::None;
    let pane = state.pane;
    let table = state.table_mut();
    if table.filter.value().is_empty() {
        // Esc with nothing to clear leaves a drill-in view for its parent.
        if let Some(back) = super::reports::back(state) {
            return back;
        }
        return match pane {
            PaneId::Assignees => show(state, state.assignees_parent),
            PaneId::Installs => show(state, PaneId::Apps),
            PaneId::Detections => show(state, PaneId::Inventory),
            PaneId::Subscriptions => super::subscriptions::back(state).unwrap_or_default(),
            _ if pane.report().is_some() => show(state, state.reports_from),
            _ => Vec::new(),
        };
    }
    table.filter = Input::default();
    vec![Command::Fetch(table.restart_keeping())]
}

/// Turns a key into an edit of a text field; None when the key is not one.
fn input_request(event: KeyEvent) -> Option<InputRequest> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    Some(match event.code {
        KeyCode::Char('u') if ctrl => InputRequest::DeleteLine,
        KeyCode::Char('w') if ctrl => InputRequest::DeletePrevWord,
        KeyCode::Char('a') if ctrl => InputRequest::GoToStart,
        KeyCode::Char('e') if ctrl => InputRequest::GoToEnd,
        KeyCode::Char(c) if !ctrl => InputRequest::InsertChar(c),
        KeyCode::Backspace => InputRequest::DeletePrevChar,
        KeyCode::Delete => InputRequest::DeleteNextChar,
        KeyCode::Left => InputRequest::GoToPrevChar,
        KeyCode::Right => InputRequest::GoToNextChar,
        KeyCode::Home => InputRequest::GoToStart,
        KeyCode::End => InputRequest::GoToEnd,
        _ => return None,
    })
}

/// Edits `input`; true when its text changed.
pub fn edit(input: &mut Input, event: KeyEvent) -> bool {
    input_request(event)
        .and_then(|request| input.handle(request))
        .is_some_and(|changed| changed.value)
}

fn on_filter_key(state: &mut AppState, event: KeyEvent) -> Vec<Command> {
    let rows = page_rows(state);
    match event.code {
        // Esc on an empty prompt only closes it (it must not also leave a view).
        KeyCode::Esc if state.table().filter.value().is_empty() => {
            state.overlay = Overlay::None;
            Vec::new()
        }
        KeyCode::Esc => clear_filter(state),
        KeyCode::Enter => {
            state.overlay = Overlay::None;
            Vec::new()
        }
        // Moving while typing keeps the filter open, as in a picker.
        KeyCode::Up => fetches(state.table_mut().move_by(-1, rows)),
        KeyCode::Down => fetches(state.table_mut().move_by(1, rows)),
        _ => {
            let table = state.table_mut();
            if edit(&mut table.filter, event) {
                vec![Command::Fetch(table.restart())]
            } else {
                Vec::new()
            }
        }
    }
}

/// Scrolls a read-only dialog; None when the key closes it instead.
fn scrolled(state: &AppState, scroll: usize, key: Key) -> Option<usize> {
    match state.keymap.lookup(state.pane, key) {
        Some(Action::Down) => Some(scroll + 1),
        Some(Action::Up) => Some(scroll.saturating_sub(1)),
        Some(Action::PageDown) => Some(scroll + 10),
        Some(Action::PageUp) => Some(scroll.saturating_sub(10)),
        // Any other key (Esc, ?, q, Enter, …) closes the dialog.
        _ => None,
    }
}

fn on_palette_key(state: &mut AppState, mut palette: PaletteState, event: KeyEvent) -> Vec<Command> {
    let columns = state.pane.columns();
    match event.code {
        KeyCode::Esc => {
            state.overlay = Overlay::None;
            return Vec::new();
        }
        KeyCode::Enter => return run_palette(state, palette.input.value()),
        KeyCode::Tab => {
            if let Some(completed) = palette::complete(palette.input.value(), columns) {
                palette.input = Input::new(completed);
            }
        }
        _ => {
            if edit(&mut palette.input, event) {
                palette.error = None;
            }
        }
    }
    state.overlay = Overlay::Palette(palette);
    Vec::new()
}

fn run_palette(state: &mut AppState, line: &str) -> Vec<Command> {
    let command = match palette::parse(line, state.pane.columns()) {
        Ok(command) => command,
        Err(message) => {
            state.overlay = Overlay::Palette(PaletteState {
                input: Input::new(line.to_owned()),
                error: Some(message),
            });
            return Vec::new();
        }
    };
    state.overlay = Overlay::None;
    if command.writes() && state.is_read_only() {
        let reason = state.read_only_reason();
        state.refuse(reason);
        return Vec::new();
    }
    match command {
        PaletteCommand::Show(PaneId::Installs) => {
            // `:installs` lists every app's installs; `I` in Apps one app's.
            state.installs_of = None;
            state.pane = PaneId::Installs;
            let table = state.table_mut();
            table.scope = None;
            vec![Command::Fetch(table.restart())]
        }
        PaletteCommand::Show(PaneId::Detections) => super::inventory::show_all_detections(state),
        PaletteCommand::Show(PaneId::Subscriptions) => super::subscriptions::show_all(state),
        PaletteCommand::Show(pane) => show(state, pane),
        PaletteCommand::Map(title) => super::inventory::map_selected(state, title),
        PaletteCommand::Quantity(wanted) => super::subscriptions::quantity(state, wanted),
        PaletteCommand::Profile(name) => super::subscriptions::profile(state, name),
        PaletteCommand::ExportInvoices(path) => super::subscriptions::export(state, path),
        PaletteCommand::Reports => super::reports::open(state),
        PaletteCommand::ExportReport { format, path } => super::reports::export(state, format, path),
        PaletteCommand::ImportSubscriptions(path) => super::subscriptions::import(state, path),
        PaletteCommand::Sort { column, descending } => {
            let table = state.table_mut();
            table.sort = column;
            table.descending = descending;
            vec![Command::Fetch(table.restart_keeping())]
        }
        PaletteCommand::Filter(text) => {
            let table = state.table_mut();
            table.filter = Input::new(text);
            vec![Command::Fetch(table.restart())]
        }
        PaletteCommand::Help => apply(state, Action::Help),
        PaletteCommand::Refresh => apply(state, Action::Refresh),
        PaletteCommand::Sync => apply(state, Action::SyncAll),
        PaletteCommand::Quit => apply(state, Action::Quit),
        PaletteCommand::Language(tag) => apps::set_language(state, tag),
        PaletteCommand::TakeOver => sync::take_over(state),
        PaletteCommand::Enable(enabled) => sync::set_enabled(state, enabled),
        PaletteCommand::Move(group) => apps::move_agreement(state, group),
        PaletteCommand::Import(path) => apps::import_agreements(state, path),
        PaletteCommand::Group(op) => {
            super::changes::open_preview(state, super::dialogs::Change::LicenseGroup(op))
        }
    }
}

fn on_worker(state: &mut AppState, event: WorkerEvent) -> Vec<Command> {
    let rows = page_rows(state);
    match event {
        WorkerEvent::Page {
            pane,
            generation,
            page,
        } => {
            let table = state.table_of_mut(pane);
            table.accept(generation, page, rows);
            let follow_up = table.follow_up().map(Command::Fetch).into_iter().collect();
            if pane == PaneId::Subscriptions {
                super::subscriptions::select_recorded(state, rows);
            }
            follow_up
        }
        WorkerEvent::Status(status) => {
            state.status = status;
            Vec::new()
        }
        WorkerEvent::DataChanged => {
            for table in &mut state.tables {
                table.stale = true;
            }
            vec![Command::Fetch(state.table_mut().reload()), Command::RefreshStatus]
        }
        WorkerEvent::JobProgress(job) => {
            match state.jobs.iter_mut().find(|j| j.id == job.id) {
                Some(existing) => *existing = job,
                None => state.jobs.push(job),
            }
            Vec::new()
        }
        WorkerEvent::JobFinished { id, label, outcome } => {
            state.jobs.retain(|j| j.id != id);
            match outcome {
                Ok(text) => state.flash(format!("{label}: {text}"), Tone::Info),
                Err(text) => state.flash(format!("{label} failed: {text}"), Tone::Error),
            }
            Vec::new()
        }
        WorkerEvent::Linked(outcome) => super::link::on_linked(state, outcome),
        WorkerEvent::Billing { generation, billing } => {
            super::billing::on_billing(state, generation, *billing);
            Vec::new()
        }
        WorkerEvent::Failed(text) => {
            give_up_waiting(state, &text);
            Vec::new()
        }
        WorkerEvent::SyncProgress(activity) => {
            sync::on_progress(state, activity);
            Vec::new()
        }
        WorkerEvent::SyncFinished {
            connector_id,
            connector,
            scheduled,
            outcome,
        } => {
            sync::on_finished(state, connector_id, &connector, scheduled, outcome);
            Vec::new()
        }
        WorkerEvent::SyncsStarted {
            started,
            running,
            not_syncing,
        } => {
            sync::on_all_started(state, &started, &running, &not_syncing);
            Vec::new()
        }
        WorkerEvent::Pushed {
            connector_id,
            connector,
            outcome,
        } => {
            sync::on_pushed(state, connector_id, &connector, outcome);
            Vec::new()
        }
        WorkerEvent::SearchResults {
            generation,
            items,
            total,
        } if matches!(state.overlay, Overlay::AgreementForm(_)) => {
            super::agreement_form::on_results(state, generation, items, total);
            Vec::new()
        }
        event @ (WorkerEvent::SearchResults { .. }
        | WorkerEvent::Planned { .. }
        | WorkerEvent::Written { .. }
        | WorkerEvent::WriteRefused { .. }) => changes::on_worker(state, event),
    }
}

/// A read failed: the rows asked for will not come. Keys waiting for them
/// are dropped rather than run against rows the admin did not ask for.
fn give_up_waiting(state: &mut AppState, error: &str) {
    for table in &mut state.tables {
        table.requested = None;
        table.resetting = false;
    }
    if let Overlay::Picker(picker) = &mut state.overlay {
        picker.searching = false;
    }
    super::agreement_form::give_up(state);
    let dropped = std::mem::take(&mut state.held).len();
    let text = match dropped {
        0 => error.to_owned(),
        n => format!("{error} ({n} key{} dropped)", if n == 1 { "" } else { "s" }),
    };
    state.flash(text, Tone::Error);
}
