//! A thread that turns terminal events into messages for the loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use tokio::sync::mpsc::UnboundedSender;

use crate::app::Msg;

/// The input thread; dropping it stops and joins the thread, so it can never
/// swallow what the user types into the shell after the console is gone.
pub struct InputThread {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Drop for InputThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Reads keys and resizes until the returned handle is dropped or the loop
/// is gone.
pub fn spawn(messages: UnboundedSender<Msg>) -> InputThread {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let body = move || {
        while !flag.load(Ordering::Relaxed) {
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
    let handle = std::thread::Builder::new()
        .name("seats-input".into())
        .spawn(body)
        .map_err(|err| tracing::error!(%err, "cannot start the input thread"))
        .ok();
    InputThread { stop, handle }
}
