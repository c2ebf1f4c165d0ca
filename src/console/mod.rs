//! The interactive console: the loop that joins terminal input, worker
//! events and the clock, and runs the commands `update` returns.

pub mod clipboard;
mod input;
mod keys;
pub mod terminal;

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::app::keymap::Keymap;
use crate::app::{AppState, Command, Msg, update};
use crate::ui::{self, theme::Theme};
use crate::worker::schedule::{self, Schedule};
use crate::worker::{Request, Worker};

/// How often the clock ticks (countdowns, data age, fading messages).
const TICK: Duration = Duration::from_millis(250);

/// What the console needs to start.
pub struct ConsoleOptions {
    pub db_path: PathBuf,
    pub keymap: Keymap,
    pub actor: String,
    pub read_only: bool,
    /// The cache file is read-only for this user (its permissions).
    pub read_only_file: bool,
    /// A warning for the hint line once the console is up (also logged).
    pub notice: Option<String>,
    /// Build the demo tenant with (users, seed) first.
    pub generate_demo: Option<(u32, u64)>,
    /// Draw with colours (the config's `ui.colour`; NO_COLOR still wins).
    pub colour: bool,
    /// Syncs release the seats of users disabled at the source.
    pub release_disabled: bool,
    /// Minutes between automatic syncs (the config's `[sync]`).
    pub sync_interval_minutes: u32,
}

/// Runs the console until the user quits.
pub fn run(options: ConsoleOptions) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Time for the clock, I/O for the connectors' HTTP (and the demo's
        // in-process simulator).
        .enable_all()
        .build()?;
    let guard = terminal::enter()?;
    let handle = runtime.handle().clone();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(event_loop(guard, options, handle))
    }));
    terminal::restore();
    // A job or a sync still running is abandoned, after a panic too (a
    // runtime dropped while unwinding would wait for it): its transaction
    // rolls back, so the cache stays as it was.
    runtime.shutdown_background();
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

async fn event_loop(
    mut guard: terminal::TerminalGuard,
    options: ConsoleOptions,
    runtime: tokio::runtime::Handle,
) -> anyhow::Result<()> {
    let theme = Theme {
        colour: options.colour && Theme::from_env().colour,
    };
    let (msg_tx, mut msg_rx) = mpsc::unbounded_channel();
    let (event_tx, mut event_rx) = mpsc::unbounded_channel();
    // Declared after the terminal guard, so it is dropped (stopped and
    // joined) before the guard restores the terminal, on every way out.
    let _input = input::spawn(msg_tx);
    let mut worker = Worker::spawn(options.db_path.clone(), options.actor.clone(), event_tx, runtime)
        .release_disabled(options.release_disabled);
    // A console that may not write the cache watches: it never syncs.
    if !options.read_only && !options.read_only_file {
        worker.start_schedule(Schedule {
            actor: options.actor.clone(),
            interval_minutes: options.sync_interval_minutes,
            every: schedule::TICK,
            first: schedule::FIRST_TICK,
        });
    }

    let mut state = AppState::new(
        options.keymap,
        options.actor.clone(),
        options.read_only,
        Utc::now(),
    );
    state.cache_read_only = options.read_only_file;
    state.clipboard = clipboard::osc52_supported(|name| std::env::var(name).ok());
    if let Some(notice) = &options.notice {
        tracing::warn!("{notice}");
        state.flash(notice.clone(), crate::app::state::Tone::Warning);
    }
    let size = guard.terminal.size()?;
    state.size = (size.width, size.height);
    // Paint the first frame before the first query so the UI never looks frozen.
    guard.terminal.draw(|frame| ui::draw(frame, &state, theme))?;
    let first_pane = state.pane;
    let mut commands = update::show(&mut state, first_pane);
    commands.push(Command::RefreshStatus);
    if let Some((users, seed)) = options.generate_demo {
        commands.push(Command::GenerateDemo { users, seed });
    }
    run_commands(&mut worker, &options.actor, options.read_only, commands);

    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    while !state.quit {
        let msg = tokio::select! {
            Some(msg) = msg_rx.recv() => msg,
            Some(event) = event_rx.recv() => Msg::Worker(event),
            _ = tick.tick() => Msg::Tick(Utc::now()),
        };
        panic_on_request(&msg);
        let mut commands = update(&mut state, msg);
        // Apply everything already waiting before drawing: a burst of keys
        // or replies costs one frame.
        while let Ok(msg) = msg_rx
            .try_recv()
            .map_err(|_| ())
            .or_else(|()| event_rx.try_recv().map(Msg::Worker))
        {
            commands.extend(update(&mut state, msg));
        }
        state.end_burst();
        clipboard::send_copies(guard.terminal.backend_mut(), &commands);
        run_commands(&mut worker, &options.actor, options.read_only, commands);
        if !state.quit {
            guard.terminal.draw(|frame| ui::draw(frame, &state, theme))?;
        }
    }
    Ok(())
}

fn run_commands(worker: &mut Worker, actor: &str, read_only: bool, commands: Vec<Command>) {
    for command in commands {
        match command {
            Command::Fetch(fetch) => worker.send(Request::Fetch(fetch)),
            Command::RefreshStatus => worker.send(Request::Status),
            Command::GenerateDemo { users, seed } => worker.generate_demo(users, seed, actor.to_owned()),
            Command::Search {
                generation,
                scope,
                query,
            } => worker.send(Request::Search {
                generation,
                scope,
                query,
            }),
            Command::Plan { generation, change } => worker.send(Request::Plan { generation, change }),
            Command::Write(change) => worker.write(
                crate::store::changes::Actor {
                    name: actor.to_owned(),
                    read_only,
                },
                change,
            ),
            Command::AuditRefusedAssign { pool_id } => worker.audit_refused_assign(
                crate::store::changes::Actor {
                    name: actor.to_owned(),
                    read_only,
                },
                pool_id,
            ),
            Command::Sync { connector_id } => worker.sync(connector_id),
            Command::SyncAll => worker.sync_all(),
            Command::LinkApple {
                name,
                apple_id,
                token_file,
                api_url,
            } => worker.link_apple(
                actor.to_owned(),
                crate::worker::link::AppleLink::new(
                    &name,
                    &apple_id,
                    std::path::Path::new(&token_file),
                    &api_url,
                ),
            ),
            Command::LinkStore {
                name,
                tenant_id,
                client_id,
                secret_file,
                language,
                api_url,
                login_url,
            } => worker.link_store(
                actor.to_owned(),
                crate::worker::link_store::StoreLink {
                    name,
                    tenant_id,
                    client_id,
                    // Empty: the secret comes from SEATS_STORE_SECRET.
                    secret_file: Some(secret_file)
                        .filter(|f| !f.is_empty())
                        .map(std::path::PathBuf::from),
                    language,
                    api_url,
                    login_url,
                    interval_minutes: 720,
                },
            ),
            Command::Push { connector_id } => worker.push(connector_id),
            Command::ReadBilling { generation, pool_id } => {
                worker.send(Request::Billing { generation, pool_id })
            }
            Command::ExportReport(export) => worker.export_report(export),
            // Sent by the loop, which holds the terminal (see `clipboard`).
            Command::Copy(_) | Command::Quit => {}
        }
    }
}

/// A key named by `SEATS_TEST_PANIC_KEY` panics, so the end-to-end tests
/// can check, in debug and release builds alike, that a panic restores the
/// terminal. Nothing happens unless someone sets the variable on purpose.
fn panic_on_request(msg: &Msg) {
    if let Msg::Key(key) = msg
        && let crossterm::event::KeyCode::Char(c) = key.code
        && std::env::var("SEATS_TEST_PANIC_KEY").is_ok_and(|k| k.starts_with(c))
    {
        panic!("panic requested with SEATS_TEST_PANIC_KEY");
    }
}
