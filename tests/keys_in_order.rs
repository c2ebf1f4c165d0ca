//! Every key is handled in order against the state the previous key left,
//! even when a burst of keys (a fast typist, a paste) arrives before the
//! worker has answered the first one; and no key acts on what the admin
//! can't see (issue 6, items 1, 2, 4 and 5).
#![allow(clippy::unwrap_used)]

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;
use seats::app::state::Overlay;
use seats::app::{AppState, Command, Msg, PaneId, Row, update};
use seats::headless::console_state;
use seats::store::changes::Actor;
use seats::store::pools;
use seats::ui::{render_to_string, theme::Theme};
use seats::worker::{respond_now, search::SearchIndex};

struct Console {
    conn: Connection,
    path: std::path::PathBuf,
    state: AppState,
    index: Option<SearchIndex>,
    /// Commands `update` returned that the "worker" has not served yet.
    queue: Vec<Command>,
    _dir: tempfile::TempDir,
}

fn press(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn text(typed: &str) -> Vec<Msg> {
    typed.chars().map(|c| press(KeyCode::Char(c))).collect()
}

impl Console {
    fn new(users: u32) -> Console {
        let (dir, path, conn) = common::demo_db(users);
        let state = console_state(
            &conn,
            PaneId::Licenses,
            (80, 24),
            common::ACTOR,
            common::fixed_now(),
        )
        .unwrap();
        Console {
            conn,
            path,
            state,
            index: None,
            queue: Vec::new(),
            _dir: dir,
        }
    }

    /// Feeds every message before the worker answers any of them, as a
    /// burst read in one go does; then lets the worker catch up.
    fn burst(&mut self, msgs: Vec<Msg>) {
        for msg in msgs {
            let commands = update(&mut self.state, msg);
            self.queue.extend(commands);
        }
        self.serve();
        self.state.end_burst();
    }

    /// Answers every queued command in order, and what the answers cause.
    fn serve(&mut self) {
        let actor = Actor::new(common::ACTOR);
        while !self.queue.is_empty() {
            let command = self.queue.remove(0);
            if let Some(event) = respond_now(&self.conn, &self.path, &actor, &mut self.index, command) {
                let more = update(&mut self.state, Msg::Worker(event));
                self.queue.extend(more);
            }
        }
    }

    fn keys(&mut self, codes: &[KeyCode]) {
        self.burst(codes.iter().map(|c| press(*c)).collect());
    }

    fn screen(&self) -> String {
        render_to_string(&self.state, Theme::plain())
    }

    fn flash(&self) -> String {
        self.state
            .flash
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default()
    }

    fn select_pool(&mut self, pool: &pools::PoolRow) {
        let mut msgs = vec![press(KeyCode::Char('/'))];
        msgs.extend(text(&pool.name));
        msgs.push(press(KeyCode::Enter));
        self.burst(msgs);
        assert_eq!(self.state.table().selected_row().map(Row::id), Some(pool.id));
    }

    fn pool_where(&self, test: impl Fn(&pools::PoolRow) -> bool) -> pools::PoolRow {
        pools::all(&self.conn).unwrap().into_iter().find(test).unwrap()
    }

    fn roomy_pool(&self) -> pools::PoolRow {
        self.pool_where(|p| {
            p.detail.status == "active" && p.available.is_some_and(|a| a >= 5) && p.kind.as_str() == "m365"
        })
    }

    fn picker(&self) -> &seats::app::dialogs::PickerState {
        match &self.state.overlay {
            Overlay::Picker(picker) => picker,
            other => panic!("no picker: {other:?}"),
        }
    }
}

/// A user whose display name has a space and is unique, with no seat of `pool`.
fn two_word_user(conn: &Connection, pool: i64) -> (String, String) {
    conn.query_row(
        "SELECT upn, display_name FROM users u WHERE deleted = 0 AND enabled = 1 \
         AND display_name LIKE '% %' \
         AND (SELECT count(*) FROM users v WHERE v.display_name = u.display_name) = 1 \
         AND NOT EXISTS (SELECT 1 FROM assignments s WHERE s.user_id = u.id AND s.pool_id = ?1) \
         ORDER BY upn DESC LIMIT 1",
        [pool],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

#[test]
fn a_pasted_name_with_a_space_is_search_text_and_enter_takes_that_user() {
    let mut c = Console::new(300);
    let pool = c.roomy_pool();
    c.select_pool(&pool);
    let (upn, name) = two_word_user(&c.conn, pool.id);
    let mut msgs = vec![press(KeyCode::Char('a'))];
    msgs.extend(text(&name.to_lowercase()));
    msgs.push(press(KeyCode::Enter));
    c.burst(msgs);
    let screen = c.screen();
    assert!(
        screen.contains(&format!("1 chosen: {upn}")),
        "the preview names the user typed, nobody else: {screen}"
    );
    match &c.state.overlay {
        Overlay::Preview(preview) => assert!(preview.hidden_marks.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_printable_key_is_search_text_in_the_picker() {
    let mut c = Console::new(300);
    let pool = c.roomy_pool();
    c.select_pool(&pool);
    c.burst(vec![press(KeyCode::Char('a'))]);
    c.burst(text("j k"));
    assert_eq!(c.picker().input.value(), "j k");
    assert!(c.picker().marked.is_empty(), "Space marks nothing");
}

#[test]
fn tab_marks_and_moves_down_shift_tab_unmarks_and_hidden_marks_are_counted() {
    let mut c = Console::new(300);
    let pool = c.roomy_pool();
    c.select_pool(&pool);
    c.burst(vec![press(KeyCode::Char('a'))]);
    c.burst(text("ja"));
    let first = c.picker().results[0].label.clone();
    let second = c.picker().results[1].label.clone();
    let third = c.picker().results[2].label.clone();
    c.keys(&[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    assert_eq!(c.picker().marked.len(), 3);
    assert_eq!(c.picker().selected, 3, "Tab moves down");
    c.keys(&[KeyCode::Up, KeyCode::BackTab]);
    assert_eq!(c.picker().selected, 1, "Shift-Tab moves up");
    let marked: Vec<&str> = c.picker().marked.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(
        marked,
        vec![first.as_str(), second.as_str()],
        "Shift-Tab unmarked {third}"
    );
    // Narrow the search to the first: the second is still marked but hidden.
    c.keys(&[KeyCode::Backspace, KeyCode::Backspace]);
    c.burst(text(&first));
    assert!(c.screen().contains("2 marked, 1 not shown"), "{}", c.screen());
    c.keys(&[KeyCode::Enter]);
    let screen = c.screen();
    assert!(
        screen.contains("1 marked but hidden by the search"),
        "the preview lists the hidden mark: {screen}"
    );
    assert!(screen.contains("2 chosen"), "{screen}");
}

#[test]
fn tab_right_after_typing_marks_a_row_of_the_new_search() {
    let mut c = Console::new(300);
    let pool = c.roomy_pool();
    c.select_pool(&pool);
    let (upn, name) = two_word_user(&c.conn, pool.id);
    let mut msgs = vec![press(KeyCode::Char('a'))];
    msgs.extend(text(&name));
    msgs.push(press(KeyCode::Tab));
    c.burst(msgs);
    let marked: Vec<&str> = c.picker().marked.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(
        marked,
        vec![upn.as_str()],
        "Tab waited for the search it followed"
    );
}

#[test]
fn sort_then_move_in_one_burst_moves_in_the_new_order() {
    let mut c = Console::new(300);
    let first = c.state.table().selected_row().unwrap().id();
    c.keys(&[KeyCode::Char('s'), KeyCode::Char('j')]);
    let table = c.state.table();
    assert_eq!(table.sort, 1, "sorted by Kind");
    let kept = (0..table.count.unwrap())
        .find(|i| table.row(*i).map(Row::id) == Some(first))
        .unwrap();
    assert_eq!(
        table.selected,
        kept + 1,
        "j moved from the kept row in the new order"
    );
    let kinds: Vec<String> = (0..table.window.rows.len())
        .filter_map(|i| match table.row(i) {
            Some(Row::Pool(p)) => Some(p.kind.as_str().to_owned()),
            _ => None,
        })
        .collect();
    let mut sorted = kinds.clone();
    sorted.sort();
    assert_eq!(kinds, sorted, "the rows under 'sort Kind' are in kind order");
}

#[test]
fn esc_then_colon_in_one_burst_opens_the_palette() {
    let mut c = Console::new(300);
    c.keys(&[KeyCode::Char('?')]);
    c.keys(&[KeyCode::Esc, KeyCode::Char(':')]);
    assert!(
        matches!(c.state.overlay, Overlay::Palette(_)),
        "{:?}",
        c.state.overlay
    );
}

#[test]
fn keys_typed_while_the_screen_is_too_small_never_reach_a_hidden_dialog() {
    let mut c = Console::new(300);
    let pool = c.roomy_pool();
    c.select_pool(&pool);
    c.keys(&[KeyCode::Enter]);
    assert_eq!(c.state.pane, PaneId::Assignees);
    c.keys(&[KeyCode::Char('x')]);
    assert!(matches!(c.state.overlay, Overlay::Preview(_)));
    let before = pools::find(&c.conn, &pool.name).unwrap().unwrap().consumed;
    c.burst(vec![
        Msg::Resize(60, 20),
        press(KeyCode::Char('y')),
        press(KeyCode::Enter),
    ]);
    assert_eq!(
        pools::find(&c.conn, &pool.name).unwrap().unwrap().consumed,
        before,
        "nothing was released unseen"
    );
    c.burst(vec![Msg::Resize(80, 24)]);
    assert!(
        matches!(&c.state.overlay, Overlay::Preview(p) if !p.applying),
        "the confirmation waited, untouched"
    );
    c.keys(&[KeyCode::Esc, KeyCode::Char('a')]);
    c.burst(vec![Msg::Resize(70, 20), press(KeyCode::Char('x'))]);
    c.burst(vec![Msg::Resize(80, 24)]);
    assert_eq!(
        c.picker().input.value(),
        "",
        "no text typed into the hidden picker"
    );
    c.burst(vec![Msg::Resize(70, 20), press(KeyCode::Char('q'))]);
    assert!(c.state.quit, "q quits, as the size message says");
}

#[test]
fn a_is_refused_at_the_key_on_pools_that_take_no_seats() {
    let mut c = Console::new(300);
    for (status, kind) in [
        ("pending_activation", None),
        ("disabled", None),
        ("active", Some("agreement")),
    ] {
        let pool = c.pool_where(|p| p.detail.status == status && kind.is_none_or(|k| p.kind.as_str() == k));
        c.keys(&[KeyCode::Esc]);
        c.select_pool(&pool);
        c.keys(&[KeyCode::Char('a')]);
        assert_eq!(
            c.state.overlay,
            Overlay::None,
            "{} ({status}): no picker",
            pool.name
        );
        assert!(c.flash().starts_with(&pool.name), "{}", c.flash());
        let audited: String = c
            .conn
            .query_row(
                "SELECT result FROM audit WHERE action = 'assign' AND pool_id = ?1 ORDER BY id DESC LIMIT 1",
                [pool.id],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            audited.starts_with("refused"),
            "the refusal is audited: {audited}"
        );
        // The same from the pool's seats view.
        c.keys(&[KeyCode::Enter, KeyCode::Char('a')]);
        assert_eq!(c.state.overlay, Overlay::None, "{}: no picker", pool.name);
        c.keys(&[KeyCode::Esc]);
    }
}

#[test]
fn the_pools_picker_says_which_pools_take_no_seats_before_any_is_picked() {
    let mut c = Console::new(300);
    let disabled = c.pool_where(|p| p.detail.status == "disabled");
    c.keys(&[KeyCode::Char('5')]);
    c.keys(&[KeyCode::Char('a')]);
    c.burst(text(&disabled.name));
    let item = c
        .picker()
        .results
        .iter()
        .find(|i| i.id == disabled.id)
        .unwrap()
        .clone();
    assert!(item.detail.contains("can't assign: disabled"), "{item:?}");
    assert!(c.screen().contains("can't assign: disabled"), "{}", c.screen());
}

fn selected_upn(c: &Console) -> String {
    match c.state.table().selected_row() {
        Some(Row::User(user)) => user.upn.clone(),
        other => panic!("no user selected: {other:?}"),
    }
}

#[test]
fn esc_esc_in_users_clears_the_filter_and_keeps_the_selected_user() {
    let mut c = Console::new(300);
    c.keys(&[KeyCode::Char('5')]);
    let mut msgs = vec![press(KeyCode::Char('/'))];
    msgs.extend(text("son"));
    msgs.extend([
        press(KeyCode::Enter),
        press(KeyCode::Char('j')),
        press(KeyCode::Char('j')),
    ]);
    c.burst(msgs);
    let chosen = selected_upn(&c);
    assert!(c.state.table().selected >= 2);
    c.keys(&[KeyCode::Esc, KeyCode::Esc]);
    assert_eq!(c.state.table().filter.value(), "", "the filter is cleared");
    assert!(c.state.table().count.unwrap() > 100);
    assert_eq!(
        selected_upn(&c),
        chosen,
        "the same user stays selected, so `a` targets them"
    );
    assert!(c.state.table().selected > 2, "found in the whole list");
}

#[test]
fn a_refresh_keeps_the_selection_on_its_row_when_rows_arrive_above_it() {
    let mut c = Console::new(300);
    c.keys(&[
        KeyCode::Char('5'),
        KeyCode::Char('j'),
        KeyCode::Char('j'),
        KeyCode::Char('j'),
    ]);
    let chosen = selected_upn(&c);
    let before = c.state.table().selected;
    c.conn
        .execute(
            "INSERT INTO users (upn, display_name) VALUES ('aaa.first@x.example', 'AAA First')",
            [],
        )
        .unwrap();
    c.burst(vec![Msg::Worker(seats::app::WorkerEvent::DataChanged)]);
    assert_eq!(selected_upn(&c), chosen);
    assert_eq!(c.state.table().selected, before + 1);
}

#[test]
fn a_refused_key_drops_the_rest_of_its_burst() {
    let mut c = Console::new(300);
    let disabled = c.pool_where(|p| p.detail.status == "disabled");
    c.select_pool(&disabled);
    let before = c.state.table().selected;
    // Meant for a picker that never opens: `a` is refused, and "jake smith"
    // must not run as j (move), a (assign), k, e, s (sort)…
    let mut msgs = vec![press(KeyCode::Char('a'))];
    msgs.extend(text("jake smith"));
    c.burst(msgs);
    assert_eq!(c.state.overlay, Overlay::None);
    assert_eq!(c.state.table().selected, before, "nothing moved");
    assert_eq!(c.state.table().sort, 0, "nothing sorted");
    assert!(
        c.flash().ends_with("(10 keys typed after it ignored)"),
        "{}",
        c.flash()
    );
    // The next burst is the admin's again.
    c.keys(&[KeyCode::Char('?')]);
    assert!(matches!(c.state.overlay, Overlay::Help { .. }));
}

#[test]
fn a_paste_is_only_ever_text() {
    let mut c = Console::new(300);
    let pool = c.roomy_pool();
    c.select_pool(&pool);
    let (upn, _) = two_word_user(&c.conn, pool.id);
    c.keys(&[KeyCode::Char('a')]);
    // Two lines pasted: the line break must not press Enter, and nothing
    // after it runs as a command.
    c.burst(vec![Msg::Paste(format!("{upn}\r\nyara sort\n"))]);
    let picker = c.picker();
    assert_eq!(picker.input.value(), format!("{upn}  yara sort"));
    assert_eq!(picker.selected, 0);
    // Pasted outside a text field: ignored, nothing runs.
    c.keys(&[KeyCode::Esc]);
    let before = c.state.table().clone();
    c.burst(vec![Msg::Paste("sjjq".into())]);
    assert!(!c.state.quit);
    assert_eq!(c.state.table().sort, before.sort);
    assert_eq!(c.state.table().selected, before.selected);
    assert!(c.flash().contains("pasted text ignored"), "{}", c.flash());
}

#[test]
fn preview_scrolling_stops_at_the_last_line_and_removal_names_the_devices_key() {
    let mut c = Console::new(300);
    c.keys(&[KeyCode::Char('5'), KeyCode::Char('D')]);
    let lines = match &c.state.overlay {
        Overlay::Preview(p) => p.preview.as_ref().unwrap().lines.len(),
        other => panic!("{other:?}"),
    };
    c.keys(&[KeyCode::Down; 40]);
    match &c.state.overlay {
        Overlay::Preview(p) => assert_eq!(p.scroll, lines - 1),
        other => panic!("{other:?}"),
    }
    assert!(c.screen().contains("d their devices too"), "{}", c.screen());
}

#[test]
fn the_pools_picker_title_keeps_its_words_and_the_users_address_apart() {
    let mut c = Console::new(300);
    c.keys(&[KeyCode::Char('5')]);
    let upn = match c.state.table().selected_row() {
        Some(Row::User(u)) => u.upn.clone(),
        other => panic!("{other:?}"),
    };
    c.keys(&[KeyCode::Char('a')]);
    let screen = c.screen();
    let title = screen.lines().find(|l| l.contains("Give ")).unwrap();
    assert!(title.contains("seats of…"), "the words stay: {title}");
    let local = upn.split('@').next().unwrap();
    assert!(
        title.contains(&format!("{local}@")),
        "the address's own part stays: {title}"
    );
}
