//! Drives the console headless: keys go through `update`, fetches are served
//! by the real store queries, replies come back as worker events.
#![allow(clippy::unwrap_used)]

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;
use seats::app::state::Overlay;
use seats::app::{AppState, Command, Msg, PaneId, Row, WorkerEvent, update};
use seats::headless::console_state;
use seats::worker::fetch_rows;

struct Driver {
    conn: Connection,
    state: AppState,
    _dir: tempfile::TempDir,
}

impl Driver {
    fn new(users: u32) -> Driver {
        let (dir, _path, conn) = common::demo_db(users);
        let state = console_state(
            &conn,
            PaneId::Licenses,
            (80, 24),
            common::ACTOR,
            common::fixed_now(),
        )
        .unwrap();
        Driver {
            conn,
            state,
            _dir: dir,
        }
    }

    /// Sends one message and serves every fetch it causes, like the loop.
    fn send(&mut self, msg: Msg) {
        let mut pending = update(&mut self.state, msg);
        while let Some(command) = pending.pop() {
            if let Command::Fetch(fetch) = command {
                let page = fetch_rows(&self.conn, &fetch).unwrap();
                let event = WorkerEvent::Page {
                    pane: fetch.pane,
                    generation: fetch.generation,
                    page,
                };
                pending.extend(update(&mut self.state, Msg::Worker(event)));
            }
        }
        self.state.end_burst();
    }

    fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn chars(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn count(&self) -> usize {
        self.state.table().count.unwrap()
    }

    fn selected_name(&self) -> String {
        match self.state.table().selected_row().unwrap() {
            Row::Pool(p) => p.name.clone(),
            Row::App(a) => a.name.clone(),
            Row::Connector(c) => c.name.clone(),
            Row::Agreement(a) => a.name.clone(),
            Row::User(u) => u.upn.clone(),
            Row::Assignee(a) => a.principal.clone(),
            Row::Reclaim(r) => r.upn.clone(),
            Row::Audit(a) => a.action.clone(),
            Row::Group(g) => g.name.clone(),
            Row::Install(i) => i.app.clone(),
            Row::Title(t) => t.title.clone(),
            Row::Detection(d) => d.computer.clone(),
            Row::Subscription(s) => s.name.clone(),
            Row::Purchase(p) => p.product.clone(),
            Row::Installation(i) => i.product.clone(),
            Row::License(l) => l.name.clone(),
            Row::Utilization(u) => u.pool.clone(),
        }
    }
}

#[test]
fn number_keys_tab_and_backtab_visit_every_workspace() {
    let mut d = Driver::new(200);
    assert_eq!(d.state.pane, PaneId::Licenses);
    for (key, pane) in [
        ('2', PaneId::Apps),
        ('3', PaneId::Connectors),
        ('4', PaneId::Agreements),
        ('1', PaneId::Licenses),
    ] {
        d.key(KeyCode::Char(key));
        assert_eq!(d.state.pane, pane);
        assert!(d.count() > 0, "{pane:?} has rows");
    }
    d.key(KeyCode::Tab);
    assert_eq!(d.state.pane, PaneId::Apps);
    d.key(KeyCode::BackTab);
    d.key(KeyCode::BackTab);
    assert_eq!(d.state.pane, PaneId::Users);
}

#[test]
fn filter_narrows_inverts_and_esc_clears() {
    let mut d = Driver::new(200);
    let all = d.count();
    d.key(KeyCode::Char('/'));
    assert_eq!(d.state.overlay, Overlay::Filter);
    d.chars("VPP");
    let vpp = d.count();
    assert!(vpp > 0 && vpp < all, "{vpp} of {all}");
    d.key(KeyCode::Enter);
    assert_eq!(d.state.overlay, Overlay::None);
    assert_eq!(d.state.table().filter.value(), "VPP", "Enter keeps the filter");
    d.key(KeyCode::Char('/'));
    d.key(KeyCode::Home);
    d.chars("!");
    assert_eq!(d.count(), all - vpp, "a leading ! inverts");
    d.key(KeyCode::Esc);
    assert_eq!(d.count(), all);
    assert_eq!(d.state.table().filter.value(), "");
}

#[test]
fn sorting_by_keys_reorders_rows() {
    let mut d = Driver::new(200);
    let first_by_name = d.selected_name();
    d.key(KeyCode::Char('S'));
    assert!(d.state.table().descending);
    assert_eq!(d.selected_name(), first_by_name, "the selection stays on its row");
    assert_eq!(
        d.state.table().selected,
        d.count() - 1,
        "which is last in descending name order"
    );
    d.key(KeyCode::Char('g'));
    assert_ne!(
        d.selected_name(),
        first_by_name,
        "descending by name starts elsewhere"
    );
    for _ in 0..5 {
        d.key(KeyCode::Char('s'));
    }
    assert_eq!(d.state.table().sort, 5, "sorted by Free");
    d.key(KeyCode::Char('S'));
    d.key(KeyCode::Char('g'));
    let top = match d.state.table().selected_row().unwrap() {
        Row::Pool(p) => p.available,
        _ => unreachable!(),
    };
    assert_eq!(top, None, "unlimited pools have the most free seats");
}

#[test]
fn moving_far_loads_new_windows_and_never_holds_the_whole_table() {
    let mut d = Driver::new(2_000);
    d.key(KeyCode::Char('5'));
    let count = d.count();
    assert!(count >= 2_000);
    d.key(KeyCode::Char('G'));
    assert_eq!(d.state.table().selected, count - 1);
    assert!(
        d.state.table().selected_row().is_some(),
        "the last row was loaded"
    );
    assert!(d.state.table().window.rows.len() <= seats::app::table::WINDOW);
    for _ in 0..30 {
        d.key(KeyCode::PageUp);
    }
    assert!(d.state.table().selected_row().is_some());
    d.key(KeyCode::Char('g'));
    assert_eq!(d.state.table().selected, 0);
    assert!(d.state.table().selected_row().is_some());
}

#[test]
fn help_lists_the_live_keymap_and_any_key_closes_it() {
    let mut d = Driver::new(200);
    d.key(KeyCode::Char('?'));
    assert!(matches!(d.state.overlay, Overlay::Help { .. }));
    let screen = seats::ui::render_to_string(&d.state, seats::ui::theme::Theme::plain());
    assert!(screen.contains("filter rows"), "{screen}");
    assert!(screen.contains("Ctrl-c"), "{screen}");
    d.key(KeyCode::Esc);
    assert_eq!(d.state.overlay, Overlay::None);
}

/// Issue 9 polish: the help lists the `:` commands too, `:export` among
/// them, below the keys and the filter language (scrolled to).
#[test]
fn help_lists_the_colon_commands() {
    let mut d = Driver::new(200);
    d.key(KeyCode::Char('?'));
    let mut seen = String::new();
    for _ in 0..40 {
        seen.push_str(&seats::ui::render_to_string(
            &d.state,
            seats::ui::theme::Theme::plain(),
        ));
        for _ in 0..5 {
            d.key(KeyCode::Down);
        }
    }
    assert!(seen.contains(":export"), "{seen}");
    assert!(seen.contains(":take-over"), "{seen}");
    assert!(
        matches!(d.state.overlay, Overlay::Help { .. }),
        "scrolling keeps it open"
    );
}

/// The help pages scrolled through from top to bottom, joined.
fn help_pages(d: &mut Driver) -> String {
    d.key(KeyCode::Char('?'));
    let mut seen = String::new();
    for _ in 0..40 {
        seen.push_str(&seats::ui::render_to_string(
            &d.state,
            seats::ui::theme::Theme::plain(),
        ));
        for _ in 0..5 {
            d.key(KeyCode::Down);
        }
    }
    d.key(KeyCode::Esc);
    seen
}

/// A read-only session's help leaves out the `:` commands it refuses, as it
/// leaves out the keys that write; running one is refused with the reason.
#[test]
fn read_only_help_leaves_out_the_commands_it_refuses() {
    let mut d = Driver::new(200);
    d.state.read_only = true;
    let seen = help_pages(&mut d);
    // With the space after it, so ":group " is not found in ":groups ".
    for refused in [
        ":sync ",
        ":move ",
        ":import ",
        ":group ",
        ":quantity ",
        ":take-over ",
        ":enable ",
    ] {
        assert!(!seen.contains(refused), "{refused} listed: {seen}");
    }
    for kept in [":export", ":reports", ":filter", ":quit"] {
        assert!(seen.contains(kept), "{kept} missing: {seen}");
    }
    d.key(KeyCode::Char(':'));
    d.chars("group add Spare");
    d.key(KeyCode::Enter);
    assert_eq!(d.state.overlay, Overlay::None, "no preview opens");
    let flash = d.state.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("opened with --read-only"), "{flash}");
    d.state.read_only = false;
    assert!(help_pages(&mut d).contains(":group "), "a writer's help lists it");
}

#[test]
fn palette_completes_and_runs_commands() {
    let mut d = Driver::new(200);
    d.key(KeyCode::Char(':'));
    d.chars("conn");
    d.key(KeyCode::Tab);
    match &d.state.overlay {
        Overlay::Palette(p) => assert_eq!(p.input.value(), "connectors "),
        other => panic!("palette closed: {other:?}"),
    }
    d.key(KeyCode::Enter);
    assert_eq!(d.state.pane, PaneId::Connectors);
    d.key(KeyCode::Char(':'));
    d.chars("sort state desc");
    d.key(KeyCode::Enter);
    assert_eq!((d.state.table().sort, d.state.table().descending), (2, true));
    d.key(KeyCode::Char(':'));
    d.chars("bogus");
    d.key(KeyCode::Enter);
    match &d.state.overlay {
        Overlay::Palette(p) => assert!(p.error.as_deref().unwrap().contains("unknown command")),
        other => panic!("palette should stay open with an error: {other:?}"),
    }
}

#[test]
fn resize_below_the_minimum_shows_the_warning_and_back_restores() {
    let mut d = Driver::new(200);
    d.send(Msg::Resize(70, 20));
    let small = seats::ui::render_to_string(&d.state, seats::ui::theme::Theme::plain());
    assert!(small.contains("terminal too small"));
    d.send(Msg::Resize(100, 30));
    let back = seats::ui::render_to_string(&d.state, seats::ui::theme::Theme::plain());
    assert!(back.contains("Licenses"));
    assert_eq!(back.lines().count(), 30);
}

#[test]
fn another_connection_changing_the_cache_refreshes_the_visible_pane() {
    use seats::worker::{Request, Worker};
    use std::time::{Duration, Instant};
    let mut d = Driver::new(200);
    let first = d.selected_name();
    let path = d._dir.path().join("demo.db");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (events, mut inbox) = tokio::sync::mpsc::unbounded_channel();
    // The real reader thread with its real data_version poll.
    let worker = Worker::spawn(
        path.clone(),
        common::ACTOR.into(),
        events,
        runtime.handle().clone(),
    );
    // Wait until the reader is up (it answers), so the change comes after
    // it took its first look at data_version.
    worker.send(Request::Status);
    let up = runtime.block_on(async { tokio::time::timeout(Duration::from_secs(10), inbox.recv()).await });
    assert!(matches!(up, Ok(Some(WorkerEvent::Status(_)))), "{up:?}");
    let other = seats::store::open(&path, seats::store::OpenMode::MustExist).unwrap();
    other
        .execute(
            "UPDATE pools SET name = 'AAA renamed by another admin' WHERE name = ?1",
            [&first],
        )
        .unwrap();
    let changed_at = Instant::now();
    let next = |inbox: &mut tokio::sync::mpsc::UnboundedReceiver<WorkerEvent>| {
        let left = Duration::from_secs(1).saturating_sub(changed_at.elapsed());
        runtime
            .block_on(async { tokio::time::timeout(left, inbox.recv()).await })
            .expect("the reader answers within a second of the change")
            .unwrap()
    };
    loop {
        let event = next(&mut inbox);
        let refresh = matches!(event, WorkerEvent::DataChanged);
        for command in update(&mut d.state, Msg::Worker(event)) {
            match command {
                Command::Fetch(fetch) => worker.send(Request::Fetch(fetch)),
                Command::RefreshStatus => worker.send(Request::Status),
                other => panic!("unexpected {other:?}"),
            }
        }
        let settled = !refresh && d.state.table().requested.is_none();
        if settled && d.selected_name() == "AAA renamed by another admin" {
            break;
        }
    }
}

#[test]
fn ctrl_c_quits_even_while_typing_a_filter() {
    let mut d = Driver::new(200);
    d.key(KeyCode::Char('/'));
    d.send(Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)));
    assert!(d.state.quit);
}

#[test]
fn without_colour_no_cell_has_a_colour_but_markers_remain() {
    use ratatui::style::Color;
    let d = Driver::new(200);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| seats::ui::draw(f, &d.state, seats::ui::theme::Theme::plain()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    assert!(
        buffer
            .content
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "NO_COLOR: no foreground or background colour anywhere"
    );
    let text = seats::ui::buffer_text(buffer);
    assert!(
        text.contains('■') || text.contains('!') || text.contains('∞'),
        "seat markers carry the meaning:\n{text}"
    );
    terminal
        .draw(|f| seats::ui::draw(f, &d.state, seats::ui::theme::Theme { colour: true }))
        .unwrap();
    assert!(
        terminal
            .backend()
            .buffer()
            .content
            .iter()
            .any(|c| c.fg != Color::Reset),
        "with colour, some cells are coloured"
    );
}

#[test]
fn a_running_job_shows_a_progress_bar_over_an_empty_pane_and_in_the_status_bar() {
    let mut d = Driver::new(200);
    d.key(KeyCode::Char('/'));
    d.chars("no pool is called this");
    d.send(Msg::Worker(WorkerEvent::JobProgress(seats::app::state::Job {
        id: 1,
        label: "building demo tenant".into(),
        done: 42,
        total: 100,
    })));
    let screen = seats::ui::render_to_string(&d.state, seats::ui::theme::Theme::plain());
    assert!(screen.contains("42% (42/100)"), "the gauge:\n{screen}");
    assert!(
        screen.contains("building demo tenant 42%"),
        "the status bar:\n{screen}"
    );
    d.send(Msg::Worker(WorkerEvent::JobFinished {
        id: 1,
        label: "building demo tenant".into(),
        outcome: Ok("200 users".into()),
    }));
    assert!(d.state.jobs.is_empty());
    assert!(d.state.flash.as_ref().unwrap().text.contains("200 users"));
}

#[test]
fn long_and_odd_input_never_panics() {
    let mut d = Driver::new(200);
    d.key(KeyCode::Char('/'));
    d.chars(&"%_\\'\"é漢🙂".repeat(30));
    assert_eq!(d.count(), 0);
    let _ = seats::ui::render_to_string(&d.state, seats::ui::theme::Theme::plain());
    d.key(KeyCode::Esc);
    d.key(KeyCode::Char(':'));
    d.chars(&"sort ".repeat(40));
    d.key(KeyCode::Tab);
    let _ = seats::ui::render_to_string(&d.state, seats::ui::theme::Theme::plain());
    d.key(KeyCode::Enter);
    d.key(KeyCode::Esc);
    for size in [(1, 1), (0, 0), (20, 5), (80, 24), (300, 100)] {
        d.send(Msg::Resize(size.0, size.1));
        let _ = seats::ui::render_to_string(&d.state, seats::ui::theme::Theme::plain());
    }
}

/// The help's title is whole or shortened, never cut at the border: in a
/// report the pane's name is long, so the scroll note is left to the hint
/// line.
#[test]
fn the_help_title_is_never_cut_at_the_border() {
    let mut d = Driver::new(200);
    d.key(KeyCode::Char(':'));
    d.chars("reports");
    d.key(KeyCode::Enter);
    d.key(KeyCode::Char('?'));
    let screen = seats::ui::render_to_string(&d.state, seats::ui::theme::Theme::plain());
    let border = screen.lines().nth(1).unwrap();
    assert!(border.contains(" Keys · Report 2/4: installation ─"), "{border}");
    d.key(KeyCode::Esc);
    d.key(KeyCode::Char('1'));
    d.key(KeyCode::Esc);
    d.key(KeyCode::Char('?'));
    let screen = seats::ui::render_to_string(&d.state, seats::ui::theme::Theme::plain());
    assert!(
        screen.contains(" Keys · Licenses (↑↓ scroll, any other key closes) "),
        "{screen}"
    );
}

/// A message that wraps upwards reads whole over an open dialog: the dialog
/// hid its first lines, leaving a stray end ("per device") under it.
#[test]
fn a_wrapped_message_reads_whole_over_an_open_dialog() {
    let mut d = Driver::new(300);
    let text = "Keynote: its store installs it per user; only offline apps install per user or \
                per device, and this message is long enough to need three lines at eighty columns";
    for open in ['?', 'i'] {
        d.key(KeyCode::Char(open));
        assert_ne!(d.state.overlay, Overlay::None);
        d.state.flash(text, seats::app::state::Tone::Warning);
        let screen = seats::ui::render_to_string(&d.state, seats::ui::theme::Theme::plain());
        let shown = screen
            .lines()
            .rev()
            .skip(1)
            .take(3)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(shown, text, "{screen}");
        d.key(KeyCode::Esc);
    }
}

/// Tour polish: the help and a refusal say what a key does where it is
/// pressed. `t` in Apps only says where the intent changes (each seat's),
/// and its help said it changed it there; `p` on an Apple app said its
/// store installs it per user, which its own detail contradicts (per user
/// or per device); `:enable` said the connector syncs, which one this
/// version doesn't sync never does.
#[test]
fn help_and_refusals_say_what_the_keys_do_where_they_are_pressed() {
    let mut d = Driver::new(300);
    d.key(KeyCode::Char('2'));
    let help = help_pages(&mut d);
    assert!(help.contains("intent of an app's seats"), "{help}");
    assert!(
        seats::app::Action::Intent
            .describe()
            .contains("in Apps, Enter opens them first"),
        "{}",
        seats::app::Action::Intent.describe()
    );
    assert!(!help.contains("connector on: it syncs"), "{help}");

    d.key(KeyCode::Char('/'));
    d.chars("license:vpp");
    d.key(KeyCode::Enter);
    d.key(KeyCode::Char('p'));
    let said = d.state.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(said.contains("Apple VPP assigns it"), "{said}");
    assert!(!said.contains("installs it per user"), "{said}");
    d.key(KeyCode::Char('t'));
    let said = d.state.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(said.contains("Enter opens the app's seats"), "{said}");
}
