//! A thread that turns terminal events into messages for the loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use tokio::sync::mpsc::UnboundedSender;

use crate::app::Msg;

/// Reads keys and resizes until `stop` is set or the loop is gone. Join the
/// handle before restoring the terminal, or the thread may swallow what the
/// user types into the shell next.
pub fn spawn(messages: UnboundedSender<Msg>, stop: Arc<AtomicBool>) -> Option<std::thread::JoinHandle<()>> {
    let body = move || {
        while !stop.load(Ordering::Relaxed) {
            // Poll with a timeout so the thread notices `stop`.
            match event::poll(Duration::from_millis(100)) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(err) => {
                    tracing::error!(%err, "terminal input failed");
                    return;
                }
            }
            let msg = match event::read() {
                Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Ok(Event::Resize(width, height)) => Msg::Resize(width, height),
                Ok(_) => continue,
                Err(err) => {
                    tracing::error!(%err, "terminal input failed");
                    return;
                }
            };
            if messages.send(msg).is_err() {
                return;
            }
        }
    };
    std::thread::Builder::new()
        .name("seats-input".into())
        .spawn(body)
        .map_err(|err| tracing::error!(%err, "cannot start the input thread"))
        .ok()
}
