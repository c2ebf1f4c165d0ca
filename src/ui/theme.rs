//! Styles. Every colour has a text marker beside it elsewhere, so with
//! NO_COLOR (no colours at all) the meaning survives.

use ratatui::style::{Color, Modifier, Style};

use crate::app::state::Tone;
use crate::domain::{Countdown, SeatLevel};

/// The console's styles; `colour == false` keeps only bold/reverse/dim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub colour: bool,
}

impl Theme {
    /// The theme for this environment: colourless when `NO_COLOR` is set to
    /// anything non-empty (no-color.org).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { colour: !no_color }
    }

    /// A theme without colours (snapshots, NO_COLOR).
    pub const fn plain() -> Theme {
        Theme { colour: false }
    }

    fn fg(self, color: Color) -> Style {
        if self.colour {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn header(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn selected(self) -> Style {
        if self.colour {
            Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray).add_modifier(Modifier::DIM)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn good(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn bad(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn status_bar(self) -> Style {
        if self.colour {
            Style::new().bg(Color::DarkGray).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn active_tab(self) -> Style {
        if self.colour {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// The style of a seat figure at this level.
    pub fn seats(self, level: SeatLevel) -> Style {
        match level {
            SeatLevel::Unlimited => self.fg(Color::Cyan),
            SeatLevel::Ok => self.good(),
            SeatLevel::Low => self.warn(),
            SeatLevel::Exhausted | SeatLevel::Over => self.bad(),
        }
    }

    /// The style of a countdown.
    pub fn countdown(self, countdown: Countdown) -> Style {
        match countdown {
            Countdown::Later(_) => Style::new(),
            Countdown::Soon(_) => self.warn(),
            Countdown::Expired(_) => self.bad(),
        }
    }

    /// The style of a message.
    pub fn tone(self, tone: Tone) -> Style {
        match tone {
            Tone::Info => self.good(),
            Tone::Warning => self.warn(),
            Tone::Error => self.bad(),
        }
    }
}
