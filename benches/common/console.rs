//! A key through the console as its loop runs it, for the benches that time
//! keys: `update`, the window queries it asks for served as the reader
//! thread would (with any follow-up they cause), and the frame that shows
//! the rows.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rusqlite::Connection;
use seats::app::{AppState, Command, Msg, WorkerEvent, update};
use seats::ui::{self, theme::Theme};
use seats::worker::fetch_rows;

/// Presses `key`; returns the time from the key to the frame with its rows.
pub fn press_served(
    state: &mut AppState,
    conn: &Connection,
    terminal: &mut Terminal<TestBackend>,
    key: KeyCode,
) -> Duration {
    let start = Instant::now();
    let mut pending = update(state, Msg::Key(KeyEvent::new(key, KeyModifiers::NONE)));
    while let Some(command) = pending.pop() {
        if let Command::Fetch(fetch) = command {
            let page = fetch_rows(conn, &fetch).unwrap();
            pending.extend(update(
                state,
                Msg::Worker(WorkerEvent::Page {
                    pane: fetch.pane,
                    generation: fetch.generation,
                    page,
                }),
            ));
        }
    }
    terminal.draw(|f| ui::draw(f, state, Theme::plain())).unwrap();
    start.elapsed()
}
