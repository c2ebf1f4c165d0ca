//! The console's worker against the in-process Graph simulator over real
//! HTTP: the schedule starts what is due and only that, `r` runs a real
//! sync whose figures reach the screen, and a change made in the console is
//! pushed at once. Every wait is bounded.

use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use seats::app::dialogs::Change;
use seats::app::state::Tone;
use seats::app::sync::SyncOutcome;
use seats::app::{AppState, Command, Msg, PaneId, Row, WorkerEvent, update};
use seats::headless::console_state;
use seats::store::changes::Actor;
use seats::store::connectors_admin::{self, GraphSettings};
use seats::worker::schedule::{self, Schedule};
use seats::worker::syncs::{Start, Syncs, Trigger};
use seats::worker::{Request, Worker};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::world::World;
use crate::common::ACTOR;

const LIMIT: Duration = Duration::from_secs(60);

/// The cache's time format.
fn stamp(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn schedule_for(minutes: u32) -> Schedule {
    Schedule {
        actor: ACTOR.to_owned(),
        interval_minutes: minutes,
        every: schedule::TICK,
        first: schedule::FIRST_TICK,
    }
}

/// The next event, or a failure naming what was awaited.
fn next(
    world: &World,
    events: &mut UnboundedReceiver<WorkerEvent>,
    waited: Instant,
    what: &str,
) -> WorkerEvent {
    let left = LIMIT.saturating_sub(waited.elapsed());
    world
        .runtime
        .block_on(async { tokio::time::timeout(left, events.recv()).await })
        .unwrap_or_else(|_| panic!("waited {LIMIT:?} for {what}"))
        .expect("the worker is gone")
}

/// Events until the sync of `connector` ends: (its stages, its outcome).
fn until_finished(
    world: &World,
    events: &mut UnboundedReceiver<WorkerEvent>,
    connector: i64,
) -> (Vec<String>, SyncOutcome, bool) {
    let start = Instant::now();
    let mut stages = Vec::new();
    loop {
        match next(world, events, start, "the sync to finish") {
            WorkerEvent::SyncProgress(p) if p.connector_id == connector => stages.push(p.stage),
            WorkerEvent::SyncFinished {
                connector_id,
                outcome,
                scheduled,
                ..
            } if connector_id == connector => return (stages, outcome, scheduled),
            _ => {}
        }
    }
}

fn runs(world: &World, connector: i64) -> i64 {
    world.count(&format!(
        "SELECT count(*) FROM sync_runs WHERE connector_id = {connector}"
    ))
}

#[test]
fn the_schedule_starts_a_due_graph_connector_and_nothing_else() {
    let world = World::start(ACTOR, Utc::now());
    // A second Graph connector, not due for a day; the Apple VPP connector
    // is not due either (the world schedules it far away).
    let mut other = GraphSettings::new(
        "Graph (other tenant)",
        "other-tenant",
        "other-app",
        "/nonexistent/secret",
    );
    other.graph_url = world.sim.graph_url().to_owned();
    let other = connectors_admin::create_graph_connector(&world.conn, &other).unwrap();
    let tomorrow = stamp(Utc::now() + chrono::Duration::days(1));
    world.schedule(other, Some(&tomorrow));
    world.schedule(world.connector, None);
    let vpp = connectors_admin::find_connector(&world.conn, "Apple VPP")
        .unwrap()
        .unwrap();
    let vpp_runs = runs(&world, vpp);

    let (events, mut inbox) = unbounded_channel();
    let syncs = Syncs::new(world.path.clone(), world.runtime.handle().clone(), events, false);
    let report = schedule::tick(&syncs, &schedule_for(720), Utc::now()).unwrap();
    assert_eq!(report.started, vec![world.connector]);
    let (stages, outcome, scheduled) = until_finished(&world, &mut inbox, world.connector);
    assert!(scheduled);
    assert!(matches!(outcome, SyncOutcome::Done { .. }), "{outcome:?}");
    assert!(stages.iter().any(|s| s.starts_with("users, page")), "{stages:?}");
    assert_eq!(
        world
            .text(&format!(
                "SELECT state FROM connectors WHERE id = {}",
                world.connector
            ))
            .as_deref(),
        Some("ok")
    );
    // The others were never started.
    assert_eq!(runs(&world, other), 0);
    assert_eq!(runs(&world, vpp), vpp_runs);
    assert_eq!(
        world
            .text(&format!("SELECT state FROM connectors WHERE id = {other}"))
            .as_deref(),
        Some("never")
    );

    // Due-ness comes from the cache: the next tick (however late) finds it
    // synced and not due, so nothing is replayed.
    let report = schedule::tick(&syncs, &schedule_for(720), Utc::now()).unwrap();
    assert!(report.started.is_empty(), "{report:?}");
}

#[test]
fn the_config_interval_brings_a_later_schedule_forward() {
    let world = World::start(ACTOR, Utc::now());
    let (events, _inbox) = unbounded_channel();
    let syncs = Syncs::new(world.path.clone(), world.runtime.handle().clone(), events, false);
    let now = Utc::now();
    // The connector waits till 2999 by its own schedule; the config says 60 minutes.
    let report = schedule::tick(&syncs, &schedule_for(60), now).unwrap();
    assert!(report.started.is_empty());
    let next = world
        .text(&format!(
            "SELECT next_sync_at FROM connectors WHERE id = {}",
            world.connector
        ))
        .unwrap();
    let expected = stamp(now + chrono::Duration::minutes(60));
    assert_eq!(next, expected);
    // An hour later it is due, and so are the demo's Apple and Store
    // connectors, whose 2999 the config's hour caps the same way.
    let report = schedule::tick(&syncs, &schedule_for(60), now + chrono::Duration::minutes(61)).unwrap();
    let other = |name: &str| {
        connectors_admin::find_connector(&world.conn, name)
            .unwrap()
            .unwrap()
    };
    let mut started = report.started.clone();
    started.sort_unstable();
    let mut expected = vec![
        world.connector,
        other("Apple VPP"),
        other("Microsoft Store for Business"),
    ];
    expected.sort_unstable();
    assert_eq!(started, expected, "{report:?}");
}

#[test]
fn one_connector_never_syncs_twice_at_once_from_one_process() {
    let world = World::start(ACTOR, Utc::now());
    world.slow(150);
    world.schedule(world.connector, None);
    let (events, mut inbox) = unbounded_channel();
    let syncs = Syncs::new(world.path.clone(), world.runtime.handle().clone(), events, false);
    assert_eq!(syncs.sync(world.connector, Trigger::Asked), Start::Started);
    assert_eq!(syncs.sync(world.connector, Trigger::Asked), Start::AlreadySyncing);
    let report = schedule::tick(&syncs, &schedule_for(720), Utc::now()).unwrap();
    assert!(
        report.started.is_empty(),
        "the running sync is not started again: {report:?}"
    );
    // A push asked for meanwhile waits for the sync, then runs.
    syncs.push(world.connector);
    let (_, outcome, _) = until_finished(&world, &mut inbox, world.connector);
    assert!(matches!(outcome, SyncOutcome::Done { .. }), "{outcome:?}");
    let start = Instant::now();
    loop {
        if let WorkerEvent::Pushed { connector_id, .. } =
            next(&world, &mut inbox, start, "the push after the sync")
        {
            assert_eq!(connector_id, world.connector);
            break;
        }
    }
    assert_eq!(
        world.count("SELECT count(*) FROM sync_runs WHERE result = 'running'"),
        0
    );
}

#[test]
fn a_sync_another_process_holds_is_reported_as_busy_with_its_holder() {
    let world = World::start(ACTOR, Utc::now());
    seats::store::sync_lease::acquire(
        &world.conn,
        world.connector,
        "ana@ops pid 4242",
        Utc::now(),
        chrono::Duration::minutes(30),
    )
    .unwrap();
    let (events, mut inbox) = unbounded_channel();
    let syncs = Syncs::new(world.path.clone(), world.runtime.handle().clone(), events, false);
    syncs.sync(world.connector, Trigger::Asked);
    let (_, outcome, _) = until_finished(&world, &mut inbox, world.connector);
    assert_eq!(
        outcome,
        SyncOutcome::Busy {
            holder: "ana@ops pid 4242".into()
        }
    );
}

/// The console's state with the real worker behind it.
struct Live {
    world: World,
    state: AppState,
    worker: Worker,
    inbox: UnboundedReceiver<WorkerEvent>,
}

impl Live {
    fn new(world: World, pane: PaneId) -> Live {
        let state = console_state(&world.conn, pane, (100, 30), ACTOR, Utc::now()).unwrap();
        let (events, inbox) = unbounded_channel();
        let worker = Worker::spawn(
            world.path.clone(),
            ACTOR.into(),
            events,
            world.runtime.handle().clone(),
        );
        Live {
            world,
            state,
            worker,
            inbox,
        }
    }

    fn run(&mut self, commands: Vec<Command>) {
        for command in commands {
            match command {
                Command::Fetch(fetch) => self.worker.send(Request::Fetch(fetch)),
                Command::RefreshStatus => self.worker.send(Request::Status),
                Command::Write(change) => self.worker.write(Actor::new(ACTOR), change),
                Command::Sync { connector_id } => self.worker.sync(connector_id),
                Command::SyncAll => self.worker.sync_all(),
                Command::Push { connector_id } => self.worker.push(connector_id),
                other => panic!("not expected here: {other:?}"),
            }
        }
    }

    fn send(&mut self, msg: Msg) {
        let commands = update(&mut self.state, msg);
        self.state.end_burst();
        self.run(commands);
    }

    fn key(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
    }

    /// Applies the worker's events until `done` holds (bounded).
    fn until(&mut self, what: &str, done: impl Fn(&AppState) -> bool) {
        let start = Instant::now();
        while !done(&self.state) {
            let left = LIMIT.saturating_sub(start.elapsed());
            let event = self
                .world
                .runtime
                .block_on(async { tokio::time::timeout(left, self.inbox.recv()).await });
            match event {
                Ok(Some(event)) => self.send(Msg::Worker(event)),
                _ => panic!("waited {LIMIT:?} for {what}; screen:\n{}", self.screen()),
            }
        }
    }

    fn screen(&self) -> String {
        seats::ui::render_to_string(&self.state, seats::ui::theme::Theme::plain())
    }

    fn flash(&self) -> String {
        self.state
            .flash
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default()
    }
}

fn settled(state: &AppState) -> bool {
    state.table().requested.is_none() && !state.table().stale && state.table().count.is_some()
}

#[test]
fn r_runs_a_real_sync_and_the_new_figures_reach_the_screen() {
    let world = World::start(ACTOR, Utc::now());
    let (pool, name, part, total) = world.roomy_graph_pool();
    let bought = world.buy_at_source(&part, 7);
    assert_ne!(bought, total);
    let mut live = Live::new(world, PaneId::Connectors);
    while !matches!(live.state.table().selected_row(), Some(Row::Connector(c)) if c.name == "Microsoft Graph")
    {
        live.key('j');
    }
    live.key('r');
    assert!(
        live.screen().contains("syncing Microsoft Graph"),
        "{}",
        live.screen()
    );
    live.until("a progress report", |s| {
        s.syncs.iter().any(|a| a.stage != "starting")
    });
    live.until("the end of the sync", |s| s.syncs.is_empty());
    assert!(live.flash().contains("full sync done"), "{}", live.flash());
    // The Connectors pane refreshes through the cache: ok, synced just now.
    live.until("the refreshed connectors", |s| {
        settled(s)
            && matches!(s.table().selected_row(), Some(Row::Connector(c)) if c.state == "ok" && c.next_sync_at.is_some())
    });
    assert!(live.screen().contains("State      ✓ ok"), "{}", live.screen());

    // Licenses shows the total the source now reports.
    live.key('1');
    live.key('/');
    for c in name.chars() {
        live.key(c);
    }
    live.send(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    live.until("the filtered pools", |s| {
        settled(s) && s.table().count.is_some_and(|c| c > 0)
    });
    for _ in 0..10 {
        if matches!(live.state.table().selected_row(), Some(Row::Pool(p)) if p.id == pool) {
            break;
        }
        live.key('j');
    }
    let Some(Row::Pool(row)) = live.state.table().selected_row() else {
        panic!("no pool selected:\n{}", live.screen());
    };
    assert_eq!(row.id, pool, "{}", live.screen());
    assert_eq!(row.total, Some(bought));
    let screen = live.screen();
    assert!(screen.contains(&format!("{bought} total")), "{screen}");
}

#[test]
fn a_change_made_in_the_console_is_pushed_at_once_or_its_refusal_shown() {
    let world = World::start(ACTOR, Utc::now());
    let (events, mut inbox) = unbounded_channel();
    let syncs = Syncs::new(world.path.clone(), world.runtime.handle().clone(), events, false);
    syncs.sync(world.connector, Trigger::Asked);
    until_finished(&world, &mut inbox, world.connector);
    let (pool, _, part, _) = world.roomy_graph_pool();
    let user: i64 = world.count(&format!(
        "SELECT id FROM users u WHERE enabled = 1 AND deleted = 0 AND usage_location IS NOT NULL \
         AND source_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = {pool} \
         AND a.user_id = u.id) ORDER BY id LIMIT 1"
    ));
    let held = world.sim.tenant().unwrap().held_seats(&part).unwrap();
    let mut live = Live::new(world, PaneId::Licenses);

    live.send(Msg::Worker(WorkerEvent::DataChanged));
    live.run(vec![Command::Write(Change::GivePools {
        user_id: user,
        pools: vec![pool],
    })]);
    let asked = Instant::now();
    live.until("the push", |s| {
        s.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("at Microsoft Graph"))
    });
    assert!(asked.elapsed() < LIMIT, "pushed after {:?}", asked.elapsed());
    assert!(
        live.flash().contains("applied at Microsoft Graph"),
        "{}",
        live.flash()
    );
    assert_eq!(
        live.world.sim.tenant().unwrap().held_seats(&part).unwrap(),
        held + 1
    );
    assert_eq!(
        live.world
            .count("SELECT count(*) FROM outbox WHERE state = 'pending'"),
        0
    );

    // The source has no seat left for the next one: refused there, rolled
    // back here, and the admin sees Graph's message.
    live.world
        .sim
        .tenant()
        .unwrap()
        .set_prepaid_units(&part, held + 1)
        .unwrap();
    let next_user: i64 = live.world.count(&format!(
        "SELECT id FROM users u WHERE enabled = 1 AND deleted = 0 AND usage_location IS NOT NULL \
         AND source_id IS NOT NULL AND id <> {user} AND NOT EXISTS (SELECT 1 FROM assignments a \
         WHERE a.pool_id = {pool} AND a.user_id = u.id) ORDER BY id LIMIT 1"
    ));
    live.run(vec![Command::Write(Change::GivePools {
        user_id: next_user,
        pools: vec![pool],
    })]);
    live.until("the refusal", |s| {
        s.flash.as_ref().is_some_and(|f| f.tone == Tone::Error)
    });
    assert!(
        live.flash().contains("Microsoft Graph refused the change"),
        "{}",
        live.flash()
    );
    assert!(live.flash().contains("available licenses"), "{}", live.flash());
    assert_eq!(
        live.world.count(&format!(
            "SELECT count(*) FROM assignments WHERE pool_id = {pool} AND user_id = {next_user}"
        )),
        0
    );
}

/// `r` pressed the moment a sync's result arrives starts a new sync: the
/// ended job is forgotten before its event goes out (it was refused as
/// "already syncing" when the event won the race, and the key was lost).
#[test]
fn a_sync_asked_as_the_last_one_finishes_starts() {
    let world = World::start(ACTOR, Utc::now());
    // Held elsewhere: each sync ends at once, as busy.
    seats::store::sync_lease::acquire(
        &world.conn,
        world.connector,
        "ana@ops pid 4242",
        Utc::now(),
        chrono::Duration::minutes(30),
    )
    .unwrap();
    let (events, mut inbox) = unbounded_channel();
    let syncs = Syncs::new(world.path.clone(), world.runtime.handle().clone(), events, false);
    assert_eq!(syncs.sync(world.connector, Trigger::Asked), Start::Started);
    for round in 0..40 {
        until_finished(&world, &mut inbox, world.connector);
        assert_eq!(
            syncs.sync(world.connector, Trigger::Asked),
            Start::Started,
            "round {round}: the finished sync was still booked"
        );
    }
    until_finished(&world, &mut inbox, world.connector);
}
