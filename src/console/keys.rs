//! Turns the bytes a terminal sends into key events, one key per key press.
//!
//! crossterm's own parser reads `Esc Esc` as one Esc and `Esc :` as Alt-:,
//! so an admin's fast `Esc Esc` or `Esc :` lost a key. Over SSH an Alt key
//! and Esc followed by that key are the same bytes; seats reads them as Esc
//! and the key, as typed (the keymap therefore refuses Alt bindings).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const ESC: u8 = 0x1b;

/// What the terminal sent: a key, or text pasted in one piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(KeyEvent),
    /// Bracketed paste: the text between `Esc [200~` and `Esc [201~`, which
    /// is only ever text (a newline in it is not Enter).
    Paste(String),
}

/// Bytes in, inputs out; keeps a partial sequence for the next read.
#[derive(Debug, Default)]
pub struct KeyParser {
    pending: Vec<u8>,
    /// Inside a bracketed paste: the text so far.
    pasting: Option<Vec<u8>>,
}

const PASTE_END: &[u8] = b"\x1b[201~";

/// What one attempt to read a key from the front of the buffer found.
enum Parsed {
    /// A key (or nothing, for a sequence seats ignores) and the bytes it used.
    Key(Option<KeyEvent>, usize),
    /// `Esc [200~`: a paste starts after these bytes.
    PasteStart(usize),
    /// The bytes may be the start of a longer sequence: wait for more.
    Incomplete,
}

fn key(code: KeyCode) -> Option<KeyEvent> {
    Some(KeyEvent::new(code, KeyModifiers::NONE))
}

fn with(code: KeyCode, modifiers: KeyModifiers) -> Option<KeyEvent> {
    Some(KeyEvent::new(code, modifiers))
}

impl KeyParser {
    /// Adds `bytes` and returns every input they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Input> {
        self.pending.extend_from_slice(bytes);
        let mut inputs = Vec::new();
        let mut start = 0;
        while start < self.pending.len() {
            if self.pasting.is_some() {
                match self.take_paste(start) {
                    Some((text, used)) => {
                        inputs.push(Input::Paste(text));
                        start += used;
                        continue;
                    }
                    None => {
                        start = self.pending.len().saturating_sub(PASTE_END.len() - 1).max(start);
                        break;
                    }
                }
            }
            match parse(&self.pending[start..]) {
                Parsed::Key(event, used) => {
                    inputs.extend(event.map(Input::Key));
                    start += used;
                }
                Parsed::PasteStart(used) => {
                    self.pasting = Some(Vec::new());
                    start += used;
                }
                Parsed::Incomplete => break,
            }
        }
        self.pending.drain(..start);
        inputs
    }

    /// Moves paste bytes from `pending[start..]` into the paste; when its
    /// end marker is there, returns the text and the bytes used (marker
    /// included). Without it, keeps all but a possible partial marker.
    fn take_paste(&mut self, start: usize) -> Option<(String, usize)> {
        let rest = &self.pending[start..];
        let text = self.pasting.as_mut()?;
        match rest.windows(PASTE_END.len()).position(|w| w == PASTE_END) {
            Some(end) => {
                text.extend_from_slice(&rest[..end]);
                let done = self.pasting.take().unwrap_or_default();
                Some((String::from_utf8_lossy(&done).into_owned(), end + PASTE_END.len()))
            }
            None => {
                let keep = rest.len().min(PASTE_END.len() - 1);
                text.extend_from_slice(&rest[..rest.len() - keep]);
                None
            }
        }
    }

    /// Whether a partial sequence waits for more bytes (a paste in
    /// progress waits for its end however long it takes).
    pub fn is_waiting(&self) -> bool {
        !self.pending.is_empty() && self.pasting.is_none()
    }

    /// No more bytes came: a lone Esc is the Esc key, anything else left is
    /// a broken sequence and dropped. A paste is left to finish.
    pub fn flush(&mut self) -> Vec<Input> {
        if self.pasting.is_some() {
            return Vec::new();
        }
        let inputs = match self.pending.first() {
            Some(&ESC) => key(KeyCode::Esc).map(Input::Key).into_iter().collect(),
            _ => Vec::new(),
        };
        self.pending.clear();
        inputs
    }
}

fn parse(bytes: &[u8]) -> Parsed {
    match bytes[0] {
        ESC => parse_escape(bytes),
        b'\r' => Parsed::Key(key(KeyCode::Enter), 1),
        b'\n' => Parsed::Key(with(KeyCode::Char('j'), KeyModifiers::CONTROL), 1),
        b'\t' => Parsed::Key(key(KeyCode::Tab), 1),
        0x7f | 0x08 => Parsed::Key(key(KeyCode::Backspace), 1),
        0x00 => Parsed::Key(with(KeyCode::Char(' '), KeyModifiers::CONTROL), 1),
        c @ 0x01..=0x1a => Parsed::Key(
            with(KeyCode::Char((c - 1 + b'a') as char), KeyModifiers::CONTROL),
            1,
        ),
        0x1c..=0x1f => Parsed::Key(None, 1),
        _ => parse_utf8(bytes),
    }
}

fn parse_utf8(bytes: &[u8]) -> Parsed {
    let width = match bytes[0] {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        // A stray continuation byte: skip it.
        _ => return Parsed::Key(None, 1),
    };
    if bytes.len() < width {
        return Parsed::Incomplete;
    }
    match std::str::from_utf8(&bytes[..width])
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) => Parsed::Key(key(KeyCode::Char(c)), width),
        None => Parsed::Key(None, 1),
    }
}

fn parse_escape(bytes: &[u8]) -> Parsed {
    match bytes.get(1) {
        None => Parsed::Incomplete,
        Some(b'[') => parse_csi(bytes),
        Some(b'O') => parse_ss3(bytes),
        // Esc followed by anything else (another Esc, `:`, a letter) is the
        // Esc key; the next byte is read as a key of its own.
        Some(_) => Parsed::Key(key(KeyCode::Esc), 1),
    }
}

/// `Esc O x`: arrows, Home/End and F1-F4 in application mode.
fn parse_ss3(bytes: &[u8]) -> Parsed {
    let Some(&last) = bytes.get(2) else {
        return Parsed::Incomplete;
    };
    let code = match last {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P'..=b'S' => KeyCode::F(last - b'P' + 1),
        _ => return Parsed::Key(None, 3),
    };
    Parsed::Key(key(code), 3)
}

/// `Esc [ params final`.
fn parse_csi(bytes: &[u8]) -> Parsed {
    let body = &bytes[2..];
    let Some(end) = body.iter().position(|b| (0x40..=0x7e).contains(b)) else {
        // Parameters and intermediates only so far; a sequence that never
        // ends is cut off by `flush`.
        return if body.iter().all(|b| (0x20..=0x3f).contains(b)) {
            Parsed::Incomplete
        } else {
            Parsed::Key(None, 2)
        };
    };
    let used = 2 + end + 1;
    let params: Vec<u16> = std::str::from_utf8(&body[..end])
        .unwrap_or("")
        .split(';')
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    let modifiers = modifiers(params.get(1).copied().unwrap_or(1));
    let code = match body[end] {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'Z' => return Parsed::Key(with(KeyCode::BackTab, KeyModifiers::SHIFT), used),
        b'P'..=b'S' => KeyCode::F(body[end] - b'P' + 1),
        b'~' if params.first() == Some(&200) => return Parsed::PasteStart(used),
        b'~' => match tilde_key(params.first().copied().unwrap_or(0)) {
            Some(code) => code,
            None => return Parsed::Key(None, used),
        },
        // Mouse, focus and replies to queries: nothing seats asked for.
        _ => return Parsed::Key(None, used),
    };
    Parsed::Key(with(code, modifiers), used)
}

fn tilde_key(number: u16) -> Option<KeyCode> {
    Some(match number {
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        11..=15 => KeyCode::F((number - 10) as u8),
        17..=21 => KeyCode::F((number - 11) as u8),
        23 | 24 => KeyCode::F((number - 12) as u8),
        _ => return None,
    })
}

/// xterm's modifier parameter: 1 + (shift 1, alt 2, ctrl 4).
fn modifiers(parameter: u16) -> KeyModifiers {
    let bits = parameter.saturating_sub(1);
    let mut modifiers = KeyModifiers::NONE;
    if bits & 1 != 0 {
        modifiers |= KeyModifiers::SHIFT;
    }
    if bits & 2 != 0 {
        modifiers |= KeyModifiers::ALT;
    }
    if bits & 4 != 0 {
        modifiers |= KeyModifiers::CONTROL;
    }
    modifiers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(inputs: Vec<Input>) -> Vec<KeyEvent> {
        inputs
            .into_iter()
            .map(|input| match input {
                Input::Key(key) => key,
                Input::Paste(text) => panic!("unexpected paste {text:?}"),
            })
            .collect()
    }

    fn codes(bytes: &[u8]) -> Vec<KeyCode> {
        let mut parser = KeyParser::default();
        let mut inputs = parser.feed(bytes);
        inputs.extend(parser.flush());
        keys(inputs).into_iter().map(|k| k.code).collect()
    }

    #[test]
    fn a_bracketed_paste_is_text_even_with_newlines_and_escapes() {
        let mut parser = KeyParser::default();
        let inputs = parser.feed(b"x\x1b[200~ava.perez@x\ryara\x1b:q\x1b[201~y");
        assert_eq!(
            inputs,
            vec![
                Input::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)),
                Input::Paste("ava.perez@x\ryara\x1b:q".into()),
                Input::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)),
            ]
        );
    }

    #[test]
    fn a_paste_split_across_reads_and_pauses_arrives_whole() {
        let mut parser = KeyParser::default();
        assert!(parser.feed(b"\x1b[200~one ").is_empty());
        assert!(parser.flush().is_empty(), "a pause does not end a paste");
        assert!(parser.feed(b"two\x1b[20").is_empty());
        assert_eq!(parser.feed(b"1~"), vec![Input::Paste("one two".into())]);
    }

    #[test]
    fn esc_esc_is_two_escapes() {
        assert_eq!(codes(b"\x1b\x1b"), vec![KeyCode::Esc, KeyCode::Esc]);
    }

    #[test]
    fn esc_then_a_key_in_one_burst_is_both_keys() {
        assert_eq!(codes(b"\x1b:"), vec![KeyCode::Esc, KeyCode::Char(':')]);
        assert_eq!(
            codes(b"\x1bj\x1b/"),
            vec![KeyCode::Esc, KeyCode::Char('j'), KeyCode::Esc, KeyCode::Char('/')]
        );
    }

    #[test]
    fn sequences_split_across_reads_wait_for_the_rest() {
        let mut parser = KeyParser::default();
        assert!(parser.feed(b"\x1b[").is_empty());
        assert!(parser.is_waiting());
        assert_eq!(keys(parser.feed(b"B"))[0].code, KeyCode::Down);
        assert!(parser.feed(&"é".as_bytes()[..1]).is_empty());
        assert_eq!(
            keys(parser.feed(&"é".as_bytes()[1..]))[0].code,
            KeyCode::Char('é')
        );
    }

    #[test]
    fn cursor_and_editing_keys() {
        assert_eq!(
            codes(b"\x1b[A\x1bOB\x1b[5~\x1b[6~\x1b[3~\x1b[H\x1b[4~\x1b[Z\t\r\x7f"),
            vec![
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::PageUp,
                KeyCode::PageDown,
                KeyCode::Delete,
                KeyCode::Home,
                KeyCode::End,
                KeyCode::BackTab,
                KeyCode::Tab,
                KeyCode::Enter,
                KeyCode::Backspace
            ]
        );
    }

    #[test]
    fn control_letters_and_modified_arrows() {
        let mut parser = KeyParser::default();
        let keys = keys(parser.feed(b"\x03\x01\x1b[1;5C"));
        assert_eq!(keys[0], KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert_eq!(keys[1], KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL));
        assert_eq!(keys[2], KeyEvent::new(KeyCode::Right, KeyModifiers::CONTROL));
    }

    #[test]
    fn text_with_spaces_is_every_character() {
        let typed: String = codes("ava pérez".as_bytes())
            .into_iter()
            .map(|code| match code {
                KeyCode::Char(c) => c,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(typed, "ava pérez");
    }

    #[test]
    fn hostile_bytes_never_panic_and_ignored_sequences_vanish() {
        let mut parser = KeyParser::default();
        let mut noise: Vec<u8> = (0..=255u8).collect();
        noise.extend_from_slice(b"\x1b[<0;10;5M\x1b[I\x1b[99;99R\x1b[");
        let _ = parser.feed(&noise);
        let _ = parser.flush();
        assert!(!parser.is_waiting());
        assert_eq!(codes(b"\x1b[<0;10;5Mx"), vec![KeyCode::Char('x')]);
    }
}
