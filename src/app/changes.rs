//! Update logic of the seat-changing dialogs: picker, preview, apply, undo.
//! Every change goes through a preview computed by the worker; Enter applies.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::apps::next_intent;
use super::dialogs::{Change, PickerPurpose, PickerState, PreviewState, Selection};
use super::message::{Command, WorkerEvent};
use super::pane::{PaneId, Row};
use super::state::{AppState, Overlay, Tone};
use super::update::edit;
use crate::worker::search::PickKind;

/// Starts the change a write action asks for on the visible pane.
pub fn start(state: &mut AppState, action: Action) -> Vec<Command> {
    if state.is_read_only() {
        let reason = state.read_only_reason();
        state.refuse(reason);
        return Vec::new();
    }
    let selected = state.table().selected_row().cloned();
    match (action, state.pane, selected) {
        (Action::Undo, _, _) => undo(state),
        (Action::Assign, PaneId::Licenses, Some(Row::Pool(pool))) => {
            if let Some(why) = assign_blocker(&pool) {
                state.refuse(why);
                return vec![Command::AuditRefusedAssign { pool_id: pool.id }];
            }
            open_picker(
                state,
                PickerPurpose::AssignToPool {
                    pool_id: pool.id,
                    pool_name: pool.name,
                },
            )
        }
        (Action::Assign, PaneId::Assignees, _) => {
            match (state.assignees_of.clone(), state.assignees_blocker.clone()) {
                (Some((pool_id, _)), Some(why)) => {
                    state.refuse(why);
                    vec![Command::AuditRefusedAssign { pool_id }]
                }
                (Some((pool_id, pool_name)), None) => {
                    open_picker(state, PickerPurpose::AssignToPool { pool_id, pool_name })
                }
                (None, _) => Vec::new(),
            }
        }
        (Action::Assign, PaneId::Users, Some(Row::User(user))) => open_picker(
            state,
            PickerPurpose::GivePools {
                user_id: user.id,
                upn: user.upn,
            },
        ),
        (Action::Release, PaneId::Users, Some(Row::User(user))) => {
            if user.pools.is_empty() {
                state.refuse(format!("{} holds no seats", user.upn));
                return Vec::new();
            }
            open_picker(
                state,
                PickerPurpose::ReleasePools {
                    user_id: user.id,
                    upn: user.upn,
                    held: user.pools,
                },
            )
        }
        (Action::Release, PaneId::Assignees | PaneId::Reclaim, Some(row)) => {
            let table = state.table();
            let seat_ids: Vec<i64> = if table.marked.is_empty() {
                vec![row.id()]
            } else {
                table.marked.iter().copied().collect()
            };
            open_preview(state, Change::ReleaseSeats { seat_ids })
        }
        (Action::Intent, PaneId::Apps, _) => {
            state.refuse(
                "the intent belongs to each seat: Enter opens the app's seats, then t changes theirs",
            );
            Vec::new()
        }
        (Action::Intent, PaneId::Assignees, Some(Row::Assignee(seat))) => {
            let table = state.table();
            let seat_ids: Vec<i64> = if table.marked.is_empty() {
                vec![seat.id]
            } else {
                table.marked.iter().copied().collect()
            };
            let intent = next_intent(&seat.intent).to_owned();
            open_preview(state, Change::SetIntent { seat_ids, intent })
        }
        (Action::ReleaseAll, PaneId::Reclaim, Some(_)) => {
            let table = state.table();
            let request = crate::store::PageRequest {
                filter: table.text_filter(),
                scope: table.scope,
                as_of: table.as_of.clone(),
                ..Default::default()
            };
            open_preview(state, Change::ReleaseListed { request })
        }
        (Action::RemoveUser, PaneId::Users, Some(Row::User(user))) => open_preview(
            state,
            Change::RemoveUser {
                user_id: user.id,
                with_devices: false,
            },
        ),
        (_, _, None) => {
            state.refuse("select a row first");
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Why `a` can't give seats of this pool, whoever is picked: said at the
/// key, before the admin picks anyone.
fn assign_blocker(pool: &crate::store::pools::PoolRow) -> Option<String> {
    crate::domain::assignable::blocker(
        pool.kind,
        &pool.detail.status,
        pool.detail.disabled_reason.as_deref(),
    )
    .map(|blocker| blocker.explain(&pool.name))
}

/// [`assign_blocker`] for a pool known by its kind's name, its status and
/// why it is disabled (a report's row): the same rule, the same words.
pub(super) fn assign_blocker_of(
    name: &str,
    kind: &str,
    status: &str,
    reason: Option<&str>,
) -> Option<String> {
    // A kind this version does not know takes seats as far as the console
    // can tell; the store still refuses at the preview if it must.
    let kind = kind.parse::<crate::domain::PoolKind>().ok()?;
    crate::domain::assignable::blocker(kind, status, reason).map(|blocker| blocker.explain(name))
}

fn undo(state: &mut AppState) -> Vec<Command> {
    if state.last_batches.is_empty() {
        state.refuse("nothing to undo from this console");
        return Vec::new();
    }
    let batches = state.last_batches.clone();
    open_preview(state, Change::Undo { batches })
}

fn open_picker(state: &mut AppState, purpose: PickerPurpose) -> Vec<Command> {
    let generation = state.next_request();
    let scope = purpose.scope();
    let mut picker = PickerState::new(purpose);
    picker.generation = generation;
    state.overlay = Overlay::Picker(Box::new(picker));
    vec![Command::Search {
        generation,
        scope,
        query: String::new(),
    }]
}

/// Shows the preview of `change` and asks the worker to compute it.
pub fn open_preview(state: &mut AppState, change: Change) -> Vec<Command> {
    let generation = state.next_request();
    state.overlay = Overlay::Preview(Box::new(PreviewState {
        change: change.clone(),
        preview: None,
        generation,
        applying: false,
        scroll: 0,
        hidden_marks: Vec::new(),
        from_picker: None,
        from_form: None,
        back_to: None,
    }));
    vec![Command::Plan { generation, change }]
}

/// Keys while the picker is open, as in fzf: every printable key (Space,
/// `j` and `k` too) is search text; Tab marks and moves down, Shift-Tab
/// unmarks and moves up; Enter takes the marked rows, else the highlighted.
pub fn on_picker_key(state: &mut AppState, mut picker: Box<PickerState>, event: KeyEvent) -> Vec<Command> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let page = 10isize;
    match event.code {
        KeyCode::Esc => {
            state.overlay = Overlay::None;
            return Vec::new();
        }
        KeyCode::Enter => return choose(state, &picker),
        KeyCode::Tab => {
            if let Some(why) = picker.blocked_highlight() {
                state.refuse(why);
            } else {
                picker.set_mark(true);
                picker.move_by(1);
            }
        }
        KeyCode::BackTab => {
            picker.set_mark(false);
            picker.move_by(-1);
        }
        KeyCode::Char('a') if ctrl => picker.all_matching = !picker.all_matching,
        KeyCode::Up => picker.move_by(-1),
        KeyCode::Char('p' | 'k') if ctrl => picker.move_by(-1),
        KeyCode::Down => picker.move_by(1),
        KeyCode::Char('n' | 'j') if ctrl => picker.move_by(1),
        KeyCode::PageUp => picker.move_by(-page),
        KeyCode::PageDown => picker.move_by(page),
        _ => {
            if edit(&mut picker.input, event) {
                return search_again(state, picker);
            }
        }
    }
    state.overlay = Overlay::Picker(picker);
    Vec::new()
}

/// The picker's text changed: search again, from its best match (as in
/// fzf); keys that act on the results wait for the answer.
pub fn search_again(state: &mut AppState, mut picker: Box<PickerState>) -> Vec<Command> {
    let generation = state.next_request();
    picker.generation = generation;
    picker.searching = true;
    picker.selected = 0;
    let command = Command::Search {
        generation,
        scope: picker.purpose.scope(),
        query: picker.input.value().to_owned(),
    };
    state.overlay = Overlay::Picker(picker);
    vec![command]
}

/// Enter in the picker: turn the choice into a change and preview it.
fn choose(state: &mut AppState, picker: &PickerState) -> Vec<Command> {
    if picker.searching {
        state.flash("still searching: press Enter again in a moment", Tone::Info);
        return Vec::new();
    }
    let Some(selection) = picker.selection() else {
        state.refuse("nothing matches: change the search");
        return Vec::new();
    };
    if let Some(why) = picker.blocked_choice() {
        state.refuse(why);
        return Vec::new();
    }
    let pool_ids = |selection: &Selection| -> Vec<i64> {
        match selection {
            Selection::Items(items) => items
                .iter()
                .filter(|i| i.kind == PickKind::Pool)
                .map(|i| i.id)
                .collect(),
            // Pool lists are short: every match is in the results.
            Selection::AllMatching { .. } => picker.results.iter().map(|i| i.id).collect(),
        }
    };
    let hidden: Vec<String> = if picker.all_matching {
        Vec::new()
    } else {
        picker.hidden_marks().map(|item| item.label.clone()).collect()
    };
    let change = match &picker.purpose {
        PickerPurpose::AssignToPool { pool_id, .. } => Change::Assign {
            pool_id: *pool_id,
            selection,
        },
        PickerPurpose::GivePools { user_id, .. } => Change::GivePools {
            user_id: *user_id,
            pools: pool_ids(&selection),
        },
        PickerPurpose::ReleasePools { user_id, .. } => Change::ReleasePools {
            user_id: *user_id,
            pools: pool_ids(&selection),
        },
    };
    let commands = open_preview(state, change);
    if let Overlay::Preview(preview) = &mut state.overlay {
        preview.hidden_marks = hidden;
        // Esc goes back to the picker with its search and marks.
        preview.from_picker = Some(Box::new(picker.clone()));
    }
    commands
}

/// Keys while a preview is open: Enter or y applies, Esc or n cancels.
pub fn on_preview_key(state: &mut AppState, mut preview: Box<PreviewState>, event: KeyEvent) -> Vec<Command> {
    match event.code {
        KeyCode::Esc | KeyCode::Char('n') => {
            state.overlay = match (preview.from_picker.take(), preview.from_form.take()) {
                (Some(picker), _) if !preview.applying => Overlay::Picker(picker),
                (_, Some(form)) if !preview.applying => Overlay::AgreementForm(form),
                _ if !preview.applying => preview.back_to.take().map_or(Overlay::None, |o| *o),
                _ => Overlay::None,
            };
            return Vec::new();
        }
        KeyCode::Enter | KeyCode::Char('y') => {
            let ready = preview.preview.as_ref().is_some_and(|p| p.refusal.is_none());
            if ready && !preview.applying {
                preview.applying = true;
                let change = preview.change.clone();
                super::subscriptions::will_record(state, &change);
                state.overlay = Overlay::Preview(preview);
                return vec![Command::Write(change)];
            }
        }
        KeyCode::Char('d') => {
            if let Change::RemoveUser {
                user_id,
                with_devices,
            } = preview.change
                && !preview.applying
            {
                return open_preview(
                    state,
                    Change::RemoveUser {
                        user_id,
                        with_devices: !with_devices,
                    },
                );
            }
        }
        KeyCode::Char('t') => {
            if let Change::SetIntent { seat_ids, intent } = &preview.change
                && !preview.applying
            {
                let change = Change::SetIntent {
                    seat_ids: seat_ids.clone(),
                    intent: next_intent(intent).to_owned(),
                };
                return open_preview(state, change);
            }
        }
        KeyCode::Up | KeyCode::Char('k') => preview.scroll = preview.scroll.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            // Never past the last line: scrolling stops where the text does.
            let lines = preview.preview.as_ref().map_or(0, |p| p.lines.len());
            preview.scroll = (preview.scroll + 1).min(lines.saturating_sub(1));
        }
        _ => {}
    }
    state.overlay = Overlay::Preview(preview);
    Vec::new()
}

/// Marks or unmarks the selected row and moves down, as in a file manager.
pub fn toggle_mark(state: &mut AppState) -> Vec<Command> {
    let rows = crate::ui::layout::table_rows(state.size.0, state.size.1);
    let table = state.table_mut();
    let Some(id) = table.selected_row().map(Row::id) else {
        return Vec::new();
    };
    if !table.marked.remove(&id) {
        table.marked.insert(id);
    }
    table.move_by(1, rows).map(Command::Fetch).into_iter().collect()
}

/// Opens the selected row: a pool's seats from Licenses, an app's seats
/// from Apps (the same picker, preview, undo and audit apply to app pools),
/// details elsewhere.
pub fn open(state: &mut AppState) -> Vec<Command> {
    match (state.pane, state.table().selected_row().cloned()) {
        // A SaaS or ISV pool opens as its subscription; Enter there opens the seats.
        (PaneId::Licenses, Some(Row::Pool(pool))) if super::subscriptions::is_subscription(&pool) => {
            super::subscriptions::open_from_licenses(state, pool.id)
        }
        (PaneId::Subscriptions, Some(Row::Subscription(row))) => super::subscriptions::open(state, &row),
        (PaneId::Licenses, Some(Row::Pool(pool))) => {
            let blocker = assign_blocker(&pool);
            open_seats(state, (pool.id, pool.name), blocker)
        }
        (PaneId::Apps, Some(Row::App(app))) if let Some(pool_id) = app.pool_id => {
            open_seats(state, (pool_id, app.name), None)
        }
        (PaneId::Inventory, Some(Row::Title(title))) => super::inventory::open_detections(state, &title),
        (_, Some(_)) => {
            state.overlay = Overlay::Detail { scroll: 0 };
            Vec::new()
        }
        (_, None) => Vec::new(),
    }
}

/// Shows the Assignees view of one pool; Esc goes back to where it came from.
pub(super) fn open_seats(state: &mut AppState, pool: (i64, String), blocker: Option<String>) -> Vec<Command> {
    state.assignees_parent = state.pane;
    state.assignees_of = Some(pool.clone());
    state.assignees_blocker = blocker;
    state.pane = PaneId::Assignees;
    state.overlay = Overlay::None;
    let table = state.table_mut();
    table.scope = Some(pool.0);
    table.marked.clear();
    table.filter = tui_input::Input::default();
    vec![Command::Fetch(table.restart())]
}

/// Applies the worker's answers to the dialogs.
pub fn on_worker(state: &mut AppState, event: WorkerEvent) -> Vec<Command> {
    match (event, &mut state.overlay) {
        (
            WorkerEvent::SearchResults {
                generation,
                items,
                total,
            },
            Overlay::Picker(picker),
        ) if picker.generation == generation => {
            picker.selected = picker.selected.min(items.len().saturating_sub(1));
            picker.results = items;
            picker.total = total;
            picker.searching = false;
        }
        (
            WorkerEvent::Planned {
                generation,
                preview: planned,
                resolved,
            },
            Overlay::Preview(preview),
        ) if preview.generation == generation => {
            preview.preview = Some(planned);
            preview.change = resolved;
        }
        (
            WorkerEvent::Written {
                summary,
                batches,
                undo,
                failed,
                push_to,
            },
            overlay,
        ) => {
            // Close only the dialog that is waiting for this write; another
            // dialog opened meanwhile keeps the keys.
            if matches!(overlay, Overlay::Preview(p) if p.applying) {
                state.overlay = Overlay::None;
            }
            // A change without a batch (a connector setting) keeps the
            // last seat change undoable.
            // Said only of a write that made a batch: an import or export
            // keeps the previous batch undoable, but z would not undo it.
            let hint = if undo || batches.is_empty() {
                ""
            } else {
                " (z undoes)"
            };
            if undo {
                state.last_batches = Vec::new();
            } else if !batches.is_empty() {
                state.last_batches = batches;
            }
            state.table_mut().marked.clear();
            match failed {
                None => state.flash(format!("{}{hint}", summary.join("; ")), Tone::Info),
                Some(error) => state.flash(
                    format!("partly done: {}{hint}; then refused: {error}", summary.join("; ")),
                    Tone::Warning,
                ),
            }
            // Sent at once (issue 7): the flash then says what the source did.
            return push_to
                .into_iter()
                .map(|target| super::sync::push_after_write(state, target.connector_id, target.lines))
                .collect();
        }
        (WorkerEvent::WriteRefused { message }, Overlay::Preview(preview)) if preview.applying => {
            preview.applying = false;
            if let Some(p) = preview.preview.as_mut() {
                p.refusal = Some(message);
            }
        }
        (WorkerEvent::WriteRefused { message }, _) => state.flash(message, Tone::Error),
        _ => {}
    }
    Vec::new()
}
