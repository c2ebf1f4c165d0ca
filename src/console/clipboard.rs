//! Copying an address to the admin's clipboard with OSC 52 (R-SUB-9): the
//! escape sequence goes through the console's terminal writer, and only to
//! terminals known to take it; elsewhere the console just shows the text.

use std::io::Write;

use base64::Engine as _;

use crate::app::Command;

/// Terminals (by `TERM_PROGRAM`) that accept OSC 52 as shipped.
const PROGRAMS: &[&str] = &["iTerm.app", "WezTerm", "ghostty", "rio"];

/// `TERM` values of terminals that accept OSC 52 as shipped.
const TERMS: &[&str] = &["xterm-kitty", "alacritty", "foot", "xterm-ghostty", "wezterm"];

/// Whether the terminal described by the environment takes OSC 52.
/// `SEATS_OSC52=1` or `=0` decides; tmux and screen swallow the sequence
/// unless configured, so inside them it is off unless asked for; xterm and
/// VTE terminals ignore it by default.
pub fn osc52_supported(env: impl Fn(&str) -> Option<String>) -> bool {
    match env("SEATS_OSC52").as_deref() {
        Some("1" | "yes" | "on") => return true,
        Some("0" | "no" | "off") => return false,
        _ => {}
    }
    if env("TMUX").is_some() || env("STY").is_some() {
        return false;
    }
    if env("WT_SESSION").is_some() {
        // Windows Terminal.
        return true;
    }
    let program = env("TERM_PROGRAM").unwrap_or_default();
    let term = env("TERM").unwrap_or_default();
    PROGRAMS.contains(&program.as_str()) || TERMS.iter().any(|t| term.starts_with(t))
}

/// The OSC 52 sequence that sets the clipboard to `text`.
pub fn sequence(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

/// Writes the sequence of every `Command::Copy` in `commands` to `out`
/// (the terminal's writer, between frames); a failure is logged.
pub fn send_copies(out: &mut impl Write, commands: &[Command]) {
    for command in commands {
        if let Command::Copy(text) = command {
            let sent = out
                .write_all(sequence(text).as_bytes())
                .and_then(|()| out.flush());
            if let Err(err) = sent {
                tracing::warn!(%err, "could not send the clipboard sequence");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_sequence_is_osc_52_with_base64() {
        assert_eq!(sequence("hi"), "\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn only_copy_commands_are_written() {
        let mut out = Vec::new();
        send_copies(
            &mut out,
            &[
                Command::RefreshStatus,
                Command::Copy("https://x.example/i".into()),
            ],
        );
        assert_eq!(String::from_utf8(out).unwrap(), sequence("https://x.example/i"));
    }

    #[test]
    fn support_follows_the_terminal_and_the_override() {
        assert!(osc52_supported(env(&[("TERM", "xterm-kitty")])));
        assert!(osc52_supported(env(&[("TERM_PROGRAM", "iTerm.app")])));
        assert!(!osc52_supported(env(&[("TERM", "xterm-256color")])));
        assert!(!osc52_supported(env(&[
            ("TERM", "xterm-kitty"),
            ("TMUX", "/tmp/t")
        ])));
        assert!(osc52_supported(env(&[("TMUX", "/tmp/t"), ("SEATS_OSC52", "1")])));
        assert!(!osc52_supported(env(&[
            ("TERM", "alacritty"),
            ("SEATS_OSC52", "0")
        ])));
    }
}
