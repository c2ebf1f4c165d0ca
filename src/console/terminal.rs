//! Entering and leaving the terminal's raw, alternate-screen mode. The
//! terminal is restored on every way out: normal quit, error, and panic.

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal the console draws on.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct TerminalGuard {
    pub terminal: Tui,
}

/// Switches to raw mode and the alternate screen, and makes a panic restore
/// the terminal before the panic message is printed.
pub fn enter() -> io::Result<TerminalGuard> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut stdout = io::stdout();
    // Bracketed paste: a paste arrives as text, never as keys (a newline in
    // it must not press Enter in a picker).
    if let Err(err) = execute!(stdout, EnterAlternateScreen, Hide, EnableBracketedPaste) {
        restore();
        return Err(err);
    }
    match Terminal::new(CrosstermBackend::new(stdout)) {
        Ok(terminal) => Ok(TerminalGuard { terminal }),
        Err(err) => {
            restore();
            Err(err)
        }
    }
}

/// Whether the console holds the terminal (raw mode, alternate screen).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Leaves raw mode and the alternate screen. Only the first call after
/// `enter` acts: leaving the alternate screen twice would move the cursor
/// back over what was printed in between (a panic message).
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), DisableBracketedPaste, LeaveAlternateScreen, Show);
}

/// A panic on the UI thread restores the terminal, then reports. A panic on
/// a background thread (a job, the reader) goes to the log only: printing it
/// would draw over the screen of a console that keeps running.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            restore();
            previous(info);
        } else {
            tracing::error!(%info, "background thread panicked");
        }
    }));
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}
