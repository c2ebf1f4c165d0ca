//! A thread that turns terminal input into messages for the loop: the raw
//! bytes go through seats' own key parser (see `keys`), and the terminal's
//! size is watched for resizes.

use std::io::IsTerminal as _;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use tokio::sync::mpsc::UnboundedSender;

use super::keys::{Input, KeyParser};
use crate::app::Msg;

/// How long the thread sleeps between looks at `stop` and the size.
const TICK: Duration = Duration::from_millis(50);
/// A lone Esc is the Esc key once this long passes without the rest of a
/// sequence (terminals send a sequence in one write).
const ESC_WAIT: Duration = Duration::from_millis(25);

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
        if let Err(err) = read_terminal(&flag, &messages) {
            tracing::error!(%err, "terminal input failed");
        }
    };
    let handle = std::thread::Builder::new()
        .name("seats-input".into())
        .spawn(body)
        .map_err(|err| tracing::error!(%err, "cannot start the input thread"))
        .ok();
    InputThread { stop, handle }
}

/// The terminal to read: stdin when it is one, else the controlling tty.
enum Source {
    Stdin(std::io::Stdin),
    Tty(std::fs::File),
}

impl Source {
    fn open() -> std::io::Result<Source> {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            Ok(Source::Stdin(stdin))
        } else {
            std::fs::File::open("/dev/tty").map(Source::Tty)
        }
    }

    fn fd(&self) -> BorrowedFd<'_> {
        match self {
            Source::Stdin(stdin) => stdin.as_fd(),
            Source::Tty(file) => file.as_fd(),
        }
    }
}

fn read_terminal(stop: &AtomicBool, messages: &UnboundedSender<Msg>) -> std::io::Result<()> {
    let source = Source::open()?;
    let mut parser = KeyParser::default();
    let mut size = crossterm::terminal::size().ok();
    let mut buffer = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        let wait = if parser.is_waiting() { ESC_WAIT } else { TICK };
        let mut msgs = Vec::new();
        if readable(source.fd(), wait)? {
            let read = rustix::io::read(source.fd(), &mut buffer)?;
            if read == 0 {
                return Ok(());
            }
            msgs.extend(parser.feed(&buffer[..read]).into_iter().map(message));
        } else {
            msgs.extend(parser.flush().into_iter().map(message));
        }
        // No signal handler needed: the size is cheap to ask for.
        let now = crossterm::terminal::size().ok();
        if now != size
            && let Some((width, height)) = now
        {
            msgs.push(Msg::Resize(width, height));
        }
        size = now;
        for msg in msgs {
            if messages.send(msg).is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

fn message(input: Input) -> Msg {
    match input {
        Input::Key(key) => Msg::Key(key),
        Input::Paste(text) => Msg::Paste(text),
    }
}

fn readable(fd: BorrowedFd<'_>, wait: Duration) -> std::io::Result<bool> {
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    let timeout = Timespec {
        tv_sec: wait.as_secs() as i64,
        tv_nsec: i64::from(wait.subsec_nanos()),
    };
    match poll(&mut fds, Some(&timeout)) {
        Ok(ready) => Ok(ready > 0),
        Err(rustix::io::Errno::INTR) => Ok(false),
        Err(err) => Err(err.into()),
    }
}
