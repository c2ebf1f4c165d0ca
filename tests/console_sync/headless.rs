//! The console's side of syncing, headless: keys and worker events go
//! through `update`, the windows are served by the real store, and what
//! the worker would run in the background (syncs, pushes) is recorded.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::Connection;
use seats::app::message::PushTarget;
use seats::app::state::{Overlay, Tone};
use seats::app::sync::{PushOutcome, SyncActivity, SyncOutcome};
use seats::app::{AppState, Command, Msg, PaneId, Row, WorkerEvent, update};
use seats::headless::console_state;
use seats::store::changes::Actor;
use seats::ui::{render_to_string, theme::Theme};
use seats::worker::respond_now;

use crate::common;

struct Console {
    conn: Connection,
    path: std::path::PathBuf,
    state: AppState,
    /// Syncs and pushes asked of the worker, in order.
    background: Vec<Command>,
    _dir: tempfile::TempDir,
}

fn press(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

impl Console {
    fn new(pane: PaneId) -> Console {
        let (dir, path, conn) = common::demo_db(300);
        let state = console_state(&conn, pane, (100, 30), common::ACTOR, common::fixed_now()).unwrap();
        Console {
            conn,
            path,
            state,
            background: Vec::new(),
            _dir: dir,
        }
    }

    /// Feeds a burst of messages, then serves what they asked for.
    fn burst(&mut self, msgs: Vec<Msg>) {
        let mut queue = Vec::new();
        for msg in msgs {
            queue.extend(update(&mut self.state, msg));
        }
        let actor = Actor::new(common::ACTOR);
        let mut index = None;
        while !queue.is_empty() {
            let command = queue.remove(0);
            if matches!(
                command,
                Command::Sync { .. } | Command::SyncAll | Command::Push { .. } | Command::LinkApple { .. }
            ) {
                self.background.push(command);
                continue;
            }
            if let Some(event) = respond_now(&self.conn, &self.path, &actor, &mut index, command) {
                queue.extend(update(&mut self.state, Msg::Worker(event)));
            }
        }
        self.state.end_burst();
    }

    fn key(&mut self, code: KeyCode) {
        self.burst(vec![press(code)]);
    }

    fn event(&mut self, event: WorkerEvent) {
        self.burst(vec![Msg::Worker(event)]);
    }

    /// Selects the connector named `name` in the Connectors pane.
    fn select(&mut self, name: &str) -> i64 {
        self.key(KeyCode::Char('3'));
        self.key(KeyCode::Char('g'));
        for _ in 0..10 {
            if let Some(Row::Connector(row)) = self.state.table().selected_row()
                && row.name == name
            {
                return row.id;
            }
            self.key(KeyCode::Char('j'));
        }
        panic!("no connector {name}");
    }

    fn screen(&self) -> String {
        render_to_string(&self.state, Theme::plain())
    }

    fn flash(&self) -> (String, Tone) {
        let flash = self.state.flash.as_ref().expect("a flash message");
        (flash.text.clone(), flash.tone)
    }
}

fn progress(id: i64, stage: &str, done: u64, total: u64) -> WorkerEvent {
    WorkerEvent::SyncProgress(SyncActivity {
        connector_id: id,
        connector: "Microsoft Graph".into(),
        stage: stage.into(),
        done,
        total,
    })
}

fn finished(id: i64, scheduled: bool, outcome: SyncOutcome) -> WorkerEvent {
    WorkerEvent::SyncFinished {
        connector_id: id,
        connector: "Microsoft Graph".into(),
        scheduled,
        outcome,
    }
}

#[test]
fn r_syncs_the_selected_connector_and_its_progress_shows_on_the_pane_and_in_the_status_bar() {
    let mut c = Console::new(PaneId::Connectors);
    let graph = c.select("Microsoft Graph");
    c.key(KeyCode::Char('r'));
    assert_eq!(c.background, vec![Command::Sync { connector_id: graph }]);
    assert!(
        c.screen().contains("syncing Microsoft Graph starting"),
        "{}",
        c.screen()
    );

    c.event(progress(graph, "users, page 7", 126, 300));
    let screen = c.screen();
    // The gauge and the page in the detail, the share in the table and the bar.
    assert!(
        screen.contains("↻ syncing [████░░░░░░] 42% users, page 7"),
        "{screen}"
    );
    assert!(screen.contains("↻ 42%"), "{screen}");
    assert!(
        screen.contains("syncing Microsoft Graph 42% users, page 7"),
        "{screen}"
    );
    // From any pane: the status bar keeps showing it.
    c.key(KeyCode::Char('1'));
    assert!(
        c.screen().contains("syncing Microsoft Graph 42% users, page 7"),
        "{}",
        c.screen()
    );

    // Pressing r again while it runs starts nothing more.
    c.key(KeyCode::Char('3'));
    c.key(KeyCode::Char('r'));
    assert_eq!(c.background.len(), 1, "{:?}", c.background);
    assert!(
        c.flash().0.contains("syncing already: 42% users, page 7"),
        "{:?}",
        c.flash()
    );

    c.event(finished(
        graph,
        false,
        SyncOutcome::Done {
            summary: "Microsoft Graph: full sync done; 3 added, 1 updated, 0 removed".into(),
        },
    ));
    assert!(c.state.syncs.is_empty());
    assert_eq!(
        c.flash(),
        (
            "Microsoft Graph: full sync done; 3 added, 1 updated, 0 removed".into(),
            Tone::Info
        )
    );
    assert!(!c.screen().contains("syncing Microsoft Graph"), "{}", c.screen());
}

#[test]
fn a_stage_without_a_known_whole_shows_its_page_without_a_share() {
    let mut c = Console::new(PaneId::Licenses);
    c.event(progress(1, "groups, page 2", 1_500, 0));
    let screen = c.screen();
    assert!(
        screen.contains("syncing Microsoft Graph groups, page 2"),
        "{screen}"
    );
    assert!(!screen.contains("% groups"), "no share is claimed:\n{screen}");
}

#[test]
fn a_failed_sync_says_what_the_source_said_with_its_request_id() {
    let mut c = Console::new(PaneId::Connectors);
    let graph = c.select("Microsoft Graph");
    c.key(KeyCode::Char('r'));
    c.event(finished(
        graph,
        false,
        SyncOutcome::Failed {
            message: "Microsoft Graph refused the app: Insufficient privileges (HTTP 403)".into(),
            request_id: Some("req-42".into()),
        },
    ));
    let (text, tone) = c.flash();
    assert_eq!(tone, Tone::Error);
    assert!(
        text.contains("Insufficient privileges (HTTP 403) (request id req-42)"),
        "{text}"
    );
    assert!(text.contains("nothing changed"), "{text}");
    // What the store recorded shows on the pane: the error and its request id.
    c.conn
        .execute(
            "UPDATE connectors SET state = 'error', last_error = 'Insufficient privileges (HTTP 403)', \
             last_request_id = 'req-42' WHERE id = ?1",
            [graph],
        )
        .unwrap();
    c.event(WorkerEvent::DataChanged);
    let screen = c.screen();
    assert!(screen.contains("✗ error"), "{screen}");
    assert!(
        screen.contains("Error      Insufficient privileges (HTTP 403) (request id req-42)"),
        "{screen}"
    );
}

#[test]
fn a_sync_another_process_runs_is_shown_as_such_not_as_an_error() {
    let mut c = Console::new(PaneId::Connectors);
    let graph = c.select("Microsoft Graph");
    c.key(KeyCode::Char('r'));
    c.event(finished(
        graph,
        false,
        SyncOutcome::Busy {
            holder: "ana@ops pid 4242".into(),
        },
    ));
    let (text, tone) = c.flash();
    assert_eq!(tone, Tone::Info);
    assert!(text.contains("being synced by ana@ops pid 4242"), "{text}");
    // A scheduled attempt that finds it busy stays quiet.
    c.state.flash = None;
    c.event(finished(
        graph,
        true,
        SyncOutcome::Busy {
            holder: "ana@ops pid 4242".into(),
        },
    ));
    assert!(c.state.flash.is_none());
    // The pane reads the lease from the cache.
    seats::store::sync_lease::acquire(
        &c.conn,
        graph,
        "ana@ops pid 4242",
        chrono::Utc::now(),
        chrono::Duration::minutes(30),
    )
    .unwrap();
    c.conn
        .execute("UPDATE connectors SET state = 'syncing' WHERE id = ?1", [graph])
        .unwrap();
    c.event(WorkerEvent::DataChanged);
    let screen = c.screen();
    assert!(screen.contains("↻ being synced by ana@ops pid 4242"), "{screen}");
}

#[test]
fn r_on_a_connector_that_does_not_sync_says_so_and_drops_the_rest_of_its_burst() {
    let mut c = Console::new(PaneId::Connectors);
    c.select("Volume licensing");
    let before = c.state.table().selected;
    // "r" then "jjs" typed in one go: the refusal drops the rest.
    c.burst(vec![
        press(KeyCode::Char('r')),
        press(KeyCode::Char('j')),
        press(KeyCode::Char('j')),
        press(KeyCode::Char('s')),
    ]);
    assert!(c.background.is_empty(), "{:?}", c.background);
    let (text, tone) = c.flash();
    assert_eq!(tone, Tone::Warning);
    assert!(
        text.starts_with("Volume licensing: Volume licensing connectors don't sync in this version of seats"),
        "{text}"
    );
    assert!(text.ends_with("(3 keys typed after it ignored)"), "{text}");
    assert_eq!(c.state.table().selected, before);
    assert_eq!(c.state.table().sort, 0);
}

#[test]
fn capital_r_and_the_palette_sync_everything_and_say_what_does_not_sync() {
    let mut c = Console::new(PaneId::Connectors);
    c.key(KeyCode::Char('R'));
    assert_eq!(c.background, vec![Command::SyncAll]);
    c.key(KeyCode::Char(':'));
    for ch in "sync".chars() {
        c.key(KeyCode::Char(ch));
    }
    c.key(KeyCode::Enter);
    assert_eq!(c.background, vec![Command::SyncAll, Command::SyncAll]);
    assert_eq!(c.state.overlay, Overlay::None);
    c.event(WorkerEvent::SyncsStarted {
        started: vec![(1, "Microsoft Graph".into())],
        running: Vec::new(),
        not_syncing: vec!["Store for Business".into(), "Volume licensing".into()],
    });
    let (text, _) = c.flash();
    assert_eq!(
        text,
        "syncing Microsoft Graph; Store for Business, Volume licensing don't sync in this version of seats"
    );
    assert!(
        c.screen().contains("syncing Microsoft Graph starting"),
        "{}",
        c.screen()
    );
}

#[test]
fn read_only_sessions_hide_the_sync_keys_and_say_why() {
    let mut c = Console::new(PaneId::Connectors);
    c.state.read_only = true;
    c.select("Microsoft Graph");
    assert!(!c.screen().contains("r sync"), "{}", c.screen());
    c.key(KeyCode::Char('r'));
    assert!(c.background.is_empty());
    assert!(c.flash().0.contains("opened with --read-only"), "{:?}", c.flash());
    c.key(KeyCode::Char('?'));
    let help = c.screen();
    assert!(!help.contains("sync the selected connector"), "{help}");
    c.key(KeyCode::Esc);
    c.state.read_only = false;
    c.state.flash = None;
    assert!(c.screen().contains("r sync"), "{}", c.screen());
}

fn written(push_to: Vec<PushTarget>) -> WorkerEvent {
    WorkerEvent::Written {
        summary: vec![
            "Microsoft 365 E5: +1 seat (consumed 5 → 6), queued for Microsoft Graph: sending now".into(),
        ],
        batches: vec!["b1".into()],
        undo: false,
        failed: None,
        push_to,
    }
}

fn target() -> PushTarget {
    PushTarget {
        connector_id: 1,
        connector: "Microsoft Graph".into(),
        lines: vec!["Microsoft 365 E5: +1 seat (consumed 5 → 6)".into()],
    }
}

fn pushed(outcome: PushOutcome) -> WorkerEvent {
    WorkerEvent::Pushed {
        connector_id: 1,
        connector: "Microsoft Graph".into(),
        outcome,
    }
}

#[test]
fn a_change_queued_for_graph_is_pushed_at_once_and_the_flash_says_what_graph_did() {
    let mut c = Console::new(PaneId::Licenses);
    c.event(written(vec![target()]));
    assert_eq!(c.background, vec![Command::Push { connector_id: 1 }]);
    assert!(c.flash().0.ends_with("sending now (z undoes)"), "{:?}", c.flash());
    c.event(pushed(PushOutcome::Sent {
        applied: 1,
        refused: Vec::new(),
        retrying: 0,
        waiting: None,
    }));
    assert_eq!(
        c.flash(),
        (
            "Microsoft 365 E5: +1 seat (consumed 5 → 6): applied at Microsoft Graph (z undoes)".into(),
            Tone::Info
        )
    );

    c.event(written(vec![target()]));
    c.event(pushed(PushOutcome::Sent {
        applied: 0,
        refused: Vec::new(),
        retrying: 1,
        waiting: Some("HTTP 503 Service Unavailable".into()),
    }));
    let (text, tone) = c.flash();
    assert_eq!(tone, Tone::Warning);
    assert!(
        text.contains("queued: HTTP 503 Service Unavailable; retried with backoff"),
        "{text}"
    );

    c.event(written(vec![target()]));
    c.event(pushed(PushOutcome::Failed {
        message: "the connector has no tenant id; reconnect it with `seats connect graph`".into(),
    }));
    let (text, tone) = c.flash();
    assert_eq!(tone, Tone::Warning);
    assert!(
        text.starts_with(
            "Microsoft 365 E5: +1 seat (consumed 5 → 6) (z undoes); queued: the connector has no tenant id"
        ),
        "{text}"
    );
}

#[test]
fn a_refusal_at_the_source_is_shown_with_its_message() {
    let mut c = Console::new(PaneId::Licenses);
    c.event(written(vec![target()]));
    c.event(pushed(PushOutcome::Sent {
        applied: 0,
        refused: vec!["License assignment failed because service plans are mutually exclusive".into()],
        retrying: 0,
        waiting: None,
    }));
    let (text, tone) = c.flash();
    assert_eq!(tone, Tone::Error);
    assert_eq!(
        text,
        "Microsoft Graph refused the change: License assignment failed because service plans are \
         mutually exclusive; it was rolled back here too (seats audit shows it)"
    );
}

#[test]
fn a_retry_the_worker_ran_by_itself_speaks_only_when_something_happened() {
    let mut c = Console::new(PaneId::Licenses);
    c.event(pushed(PushOutcome::Failed {
        message: "no network".into(),
    }));
    assert!(c.state.flash.is_none());
    c.event(pushed(PushOutcome::Sent {
        applied: 2,
        refused: Vec::new(),
        retrying: 0,
        waiting: None,
    }));
    assert_eq!(c.flash().0, "2 queued changes applied at Microsoft Graph");
}

#[test]
fn a_change_to_a_pool_no_graph_connector_owns_pushes_nothing() {
    let mut c = Console::new(PaneId::Licenses);
    c.event(written(Vec::new()));
    assert!(c.background.is_empty());
}

#[test]
fn the_connectors_pane_says_why_queued_changes_wait() {
    let mut c = Console::new(PaneId::Connectors);
    let graph = c.select("Microsoft Graph");
    let pool: i64 = c
        .conn
        .query_row(
            "SELECT id FROM pools WHERE connector_id = ?1 AND status = 'active' AND total - consumed > 2 \
             ORDER BY id LIMIT 1",
            [graph],
            |r| r.get(0),
        )
        .unwrap();
    let user: i64 = c
        .conn
        .query_row(
            "SELECT id FROM users u WHERE enabled = 1 AND deleted = 0 AND NOT EXISTS \
             (SELECT 1 FROM assignments a WHERE a.pool_id = ?1 AND a.user_id = u.id) ORDER BY id LIMIT 1",
            [pool],
            |r| r.get(0),
        )
        .unwrap();
    let outcome = seats::store::changes::assign(
        &c.conn,
        &Actor::new(common::ACTOR),
        pool,
        &[seats::domain::Principal::User(user)],
    )
    .unwrap();
    assert!(outcome.queued);
    c.event(WorkerEvent::DataChanged);
    assert!(
        c.screen()
            .contains("Pending    1 change queued, sent at the next push or sync"),
        "{}",
        c.screen()
    );
    c.conn
        .execute(
            "UPDATE outbox SET attempts = 1, last_error = 'HTTP 503 from Microsoft Graph' WHERE state = 'pending'",
            [],
        )
        .unwrap();
    c.event(WorkerEvent::DataChanged);
    assert!(
        c.screen()
            .contains("Pending    1 change queued: HTTP 503 from Microsoft Graph; retried with backoff"),
        "{}",
        c.screen()
    );
}

/// R-APP-1: `a`, `n` and `d` in Apps say why store apps come and go only by
/// sync, and change nothing.
#[test]
fn adding_or_deleting_a_store_app_explains_why_it_comes_only_by_sync() {
    let mut c = Console::new(PaneId::Apps);
    for key in ['a', 'n', 'd'] {
        c.key(KeyCode::Char(key));
        let (text, _) = c.flash();
        assert!(
            text.starts_with("store apps arrive only by sync")
                && text.contains("refund at the store")
                && text.contains("doesn't stop the sync"),
            "{key}: {text}"
        );
        assert_eq!(c.state.overlay, Overlay::None);
        assert!(c.background.is_empty());
    }
}

/// `n` in Connectors opens the link form; Enter needs every field, the
/// acknowledgement needs its box ticked, and only then is the link asked
/// of the worker, exactly as typed (R-CON-3).
#[test]
fn the_link_form_asks_for_every_field_and_the_acknowledgement_before_linking() {
    let mut c = Console::new(PaneId::Connectors);
    c.key(KeyCode::Char('n'));
    assert!(
        matches!(c.state.overlay, Overlay::Link(_)),
        "{:?}",
        c.state.overlay
    );
    c.key(KeyCode::Enter);
    assert!(c.screen().contains("Apple ID is needed"), "{}", c.screen());
    for ch in "admin@contoso.example".chars() {
        c.key(KeyCode::Char(ch));
    }
    c.key(KeyCode::Tab);
    for ch in "/home/ana/contoso.vpptoken".chars() {
        c.key(KeyCode::Char(ch));
    }
    c.key(KeyCode::Enter);
    assert!(c.screen().contains("I understand"), "{}", c.screen());
    c.key(KeyCode::Enter);
    assert!(c.screen().contains("tick the box"), "{}", c.screen());
    assert!(c.background.is_empty(), "nothing is linked unacknowledged");
    c.key(KeyCode::Char(' '));
    c.key(KeyCode::Enter);
    assert_eq!(
        c.background,
        vec![Command::LinkApple {
            name: "Apple VPP".into(),
            apple_id: "admin@contoso.example".into(),
            token_file: "/home/ana/contoso.vpptoken".into(),
            api_url: seats::connectors::apple::APPLE_API_URL.into(),
        }]
    );
    c.event(WorkerEvent::Linked(Err(
        "seats is linked to the Apple location \"Fabrikam\"; nothing was stored".into(),
    )));
    assert!(
        c.screen().contains("nothing was stored"),
        "back on the form with the reason"
    );
    c.key(KeyCode::Esc);
    assert_eq!(c.state.overlay, Overlay::None);
}
