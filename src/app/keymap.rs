//! Keys to actions. The defaults live here; the config may rebind any action.
//! Help and the hint line are built from this table, so they never lie.

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::pane::PaneId;

/// A key with its modifiers, normalised so `G` and `shift-g` are one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key itself.
    pub code: KeyCode,
    /// Ctrl and Alt (Shift is folded into the character).
    pub modifiers: KeyModifiers,
}

impl Key {
    /// A key without modifiers.
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    /// A character key.
    pub const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    /// A Ctrl+character key.
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// Parses `q`, `ctrl-c`, `shift-tab`, `pgdn`, `f1`, `space`, ….
    pub fn parse(text: &str) -> Result<Key, String> {
        let lower = text.to_ascii_lowercase();
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = lower.as_str();
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                modifiers |= KeyModifiers::CONTROL;
                rest = r;
            } else if rest.starts_with("alt-") {
                // Over SSH, Alt-x and Esc followed by x are the same bytes;
                // seats reads them as Esc, x (console/keys.rs).
                return Err(format!(
                    "{text:?}: Alt keys can't be told apart from Esc followed by the key; choose a key without alt-"
                ));
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.starts_with('f') && f.len() > 1 => match f[1..].parse::<u8>() {
                Ok(n) if (1..=12).contains(&n) => KeyCode::F(n),
                _ => return Err(format!("unknown key {text:?}")),
            },
            single if single.chars().count() == 1 => {
                // Keep the case the user wrote: `G` differs from `g`; but
                // terminals report Ctrl+letter in one case (see `From<KeyEvent>`).
                let original = &text[text.len() - single.len()..];
                let c = original.chars().next().unwrap_or(' ');
                if modifiers.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            shifted if shifted.starts_with("shift-") && shifted.chars().count() == 7 => {
                KeyCode::Char(shifted.chars().last().unwrap_or(' ').to_ascii_uppercase())
            }
            _ => return Err(format!("unknown key {text:?}")),
        };
        Ok(Key { code, modifiers })
    }
}

impl From<KeyEvent> for Key {
    fn from(event: KeyEvent) -> Key {
        let mut modifiers = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match event.code {
            // Terminals report Ctrl+letter in either case; bind the lower one.
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        if code == KeyCode::BackTab {
            modifiers = KeyModifiers::NONE;
        }
        Key { code, modifiers }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere.
    Global,
    /// Only in one pane.
    Pane(PaneId),
}

/// One key bound to one action in one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub key: Key,
    pub action: Action,
    pub scope: Scope,
}

/// The live keymap: defaults plus the config's overrides.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

fn global(key: Key, action: Action) -> Binding {
    Binding {
        key,
        action,
        scope: Scope::Global,
    }
}

impl Default for Keymap {
    fn default() -> Self {
        use Action::*;
        use KeyCode as K;
        let table = [
            (Key::char('q'), Quit),
            (Key::ctrl('c'), Quit),
            (Key::plain(K::Tab), NextPane),
            (Key::plain(K::BackTab), PrevPane),
            (Key::char('1'), ShowLicenses),
            (Key::char('2'), ShowApps),
            (Key::char('3'), ShowConnectors),
            (Key::char('4'), ShowAgreements),
            (Key::char('5'), ShowUsers),
            (Key::plain(K::Up), Up),
            (Key::char('k'), Up),
            (Key::plain(K::Down), Down),
            (Key::char('j'), Down),
            (Key::plain(K::PageUp), PageUp),
            (Key::ctrl('b'), PageUp),
            (Key::plain(K::PageDown), PageDown),
            (Key::ctrl('f'), PageDown),
            (Key::plain(K::Home), Top),
            (Key::char('g'), Top),
            (Key::plain(K::End), Bottom),
            (Key::char('G'), Bottom),
            (Key::char('s'), SortNext),
            (Key::char('>'), SortNext),
            (Key::char('<'), SortPrev),
            (Key::char('S'), SortReverse),
            (Key::char('/'), Filter),
            (Key::plain(K::Esc), Back),
            (Key::char('?'), Help),
            (Key::char(':'), Palette),
            (Key::ctrl('r'), Refresh),
            (Key::plain(K::Enter), Open),
            (Key::char('i'), Detail),
            (Key::char('z'), Undo),
        ];
        let in_pane = [
            (PaneId::Licenses, Key::char('a'), Assign),
            (PaneId::Assignees, Key::char('a'), Assign),
            (PaneId::Assignees, Key::char('x'), Release),
            (PaneId::Assignees, Key::plain(K::Delete), Release),
            (PaneId::Assignees, Key::char(' '), Mark),
            (PaneId::Users, Key::char('a'), Assign),
            (PaneId::Users, Key::char('x'), Release),
            (PaneId::Users, Key::char('D'), RemoveUser),
            (PaneId::Reclaim, Key::char('x'), Release),
            (PaneId::Reclaim, Key::plain(K::Delete), Release),
            (PaneId::Reclaim, Key::char('X'), ReleaseAll),
            (PaneId::Reclaim, Key::char(' '), Mark),
            (PaneId::Connectors, Key::char('r'), SyncNow),
            (PaneId::Connectors, Key::char('R'), SyncAll),
            (PaneId::Connectors, Key::char('n'), New),
            (PaneId::Apps, Key::char('a'), AddOrDeleteApp),
            (PaneId::Apps, Key::char('n'), AddOrDeleteApp),
            (PaneId::Apps, Key::char('d'), AddOrDeleteApp),
            (PaneId::Apps, Key::char('I'), ShowInstalls),
            (PaneId::Apps, Key::char('p'), InstallScope),
            (PaneId::Apps, Key::char('t'), Intent),
            (PaneId::Agreements, Key::char('r'), Validate),
            (PaneId::Agreements, Key::char('d'), DeleteAgreement),
            (PaneId::Agreements, Key::char('n'), NewAgreement),
            (PaneId::Agreements, Key::char('e'), EditAgreement),
            (PaneId::Assignees, Key::char('t'), Intent),
            (PaneId::Assignees, Key::char('y'), CopyInvitation),
            (PaneId::Subscriptions, Key::char('a'), Assign),
            (PaneId::Subscriptions, Key::char('A'), ActivateSubscription),
            (PaneId::Subscriptions, Key::char('C'), CancelSubscription),
            (PaneId::Subscriptions, Key::char('b'), Billing),
            (PaneId::Subscriptions, Key::char('o'), InstallProduct),
            (PaneId::Subscriptions, Key::char('n'), RecordPurchase),
            (PaneId::Subscriptions, Key::char('e'), EditSubscription),
        ];
        let mut bindings: Vec<Binding> = table
            .into_iter()
            .map(|(key, action)| global(key, action))
            .collect();
        bindings.extend(in_pane.into_iter().map(|(pane, key, action)| Binding {
            key,
            action,
            scope: Scope::Pane(pane),
        }));
        // In the Reports view 1–4 switch between the reports (R-RPT-1..5).
        let reports = [
            ShowPurchaseReport,
            ShowInstallationReport,
            ShowInventoryReport,
            ShowUtilizationReport,
        ];
        for pane in PaneId::REPORTS {
            bindings.extend(
                reports
                    .iter()
                    .zip(['1', '2', '3', '4'])
                    .map(|(action, key)| Binding {
                        key: Key::char(key),
                        action: *action,
                        scope: Scope::Pane(pane),
                    }),
            );
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with `overrides` (action name -> keys) applied: an
    /// overridden action loses its default keys, and a key taken by an
    /// override is removed from whatever it did before.
    pub fn with_overrides(overrides: &HashMap<Action, Vec<String>>) -> Result<Keymap, String> {
        let mut keymap = Keymap::default();
        // A key given to two actions would resolve by chance; refuse it.
        let mut claimed: HashMap<Key, Action> = HashMap::new();
        for (action, keys) in overrides {
            for text in keys {
                let key = Key::parse(text).map_err(|e| format!("[keys] {}: {e}", action_name(*action)))?;
                if let Some(other) = claimed.insert(key, *action)
                    && other != *action
                {
                    let (first, second) = {
                        let mut names = [action_name(other), action_name(*action)];
                        names.sort();
                        (names[0].clone(), names[1].clone())
                    };
                    return Err(format!(
                        "[keys] {text:?} is given to both {first} and {second}; keep it on one"
                    ));
                }
            }
        }
        for (action, keys) in overrides {
            let parsed = keys
                .iter()
                .map(|k| Key::parse(k).map_err(|e| format!("[keys] {}: {e}", action_name(*action))))
                .collect::<Result<Vec<Key>, String>>()?;
            // Rebind in the panes the action was bound in; global when it was.
            let mut scopes: Vec<Scope> = Vec::new();
            for binding in keymap.bindings.iter().filter(|b| b.action == *action) {
                if !scopes.contains(&binding.scope) {
                    scopes.push(binding.scope);
                }
            }
            if scopes.is_empty() {
                scopes.push(Scope::Global);
            }
            keymap
                .bindings
                .retain(|b| b.action != *action && !parsed.contains(&b.key));
            for scope in scopes {
                keymap.bindings.extend(parsed.iter().map(|key| Binding {
                    key: *key,
                    action: *action,
                    scope,
                }));
            }
        }
        Ok(keymap)
    }

    /// The action bound to `key` in `pane`: pane bindings win over global ones.
    pub fn lookup(&self, pane: PaneId, key: Key) -> Option<Action> {
        let in_pane = self
            .bindings
            .iter()
            .find(|b| b.key == key && b.scope == Scope::Pane(pane));
        in_pane
            .or_else(|| {
                self.bindings
                    .iter()
                    .find(|b| b.key == key && b.scope == Scope::Global)
            })
            .map(|b| b.action)
    }

    /// Every action usable in `pane` with its keys: the pane's own first,
    /// then the global ones, each in table order.
    pub fn for_pane(&self, pane: PaneId) -> Vec<(Action, Vec<Key>)> {
        let mut out: Vec<(Action, Vec<Key>)> = Vec::new();
        // The pane's own keys first: they are what its help is asked for.
        let own = self.bindings.iter().filter(|b| b.scope == Scope::Pane(pane));
        // A global key the pane binds to something else does that here
        // (1–4 in a report), so the help does not list its global meaning.
        let global = self
            .bindings
            .iter()
            .filter(|b| b.scope == Scope::Global && self.lookup(pane, b.key) == Some(b.action));
        for binding in own.chain(global) {
            match out.iter_mut().find(|(action, _)| *action == binding.action) {
                Some((_, keys)) => keys.push(binding.key),
                None => out.push((binding.action, vec![binding.key])),
            }
        }
        out
    }

    /// The first key bound to `action`, for hints.
    pub fn key_for(&self, pane: PaneId, action: Action) -> Option<Key> {
        self.bindings
            .iter()
            .find(|b| b.action == action && (b.scope == Scope::Global || b.scope == Scope::Pane(pane)))
            .map(|b| b.key)
    }
}

/// The config name of an action (`sort_next`).
pub fn action_name(action: Action) -> String {
    serde_json::to_value(action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{action:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_keys() {
        assert_eq!(Key::parse("q"), Ok(Key::char('q')));
        assert_eq!(Key::parse("G"), Ok(Key::char('G')));
        assert_eq!(Key::parse("ctrl-c"), Ok(Key::ctrl('c')));
        assert_eq!(Key::parse("shift-tab"), Ok(Key::plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("PgDn"), Ok(Key::plain(KeyCode::PageDown)));
        assert_eq!(Key::parse("f5"), Ok(Key::plain(KeyCode::F(5))));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("alt-x").unwrap_err().contains("Esc"));
    }

    #[test]
    fn shift_is_folded_into_characters() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from(event), Key::char('G'));
        let event = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from(event), Key::plain(KeyCode::BackTab));
    }

    #[test]
    fn override_replaces_default_keys_of_the_action() {
        let overrides = HashMap::from([(Action::Quit, vec!["x".to_owned()])]);
        let keymap = Keymap::with_overrides(&overrides).unwrap();
        assert_eq!(
            keymap.lookup(PaneId::Licenses, Key::char('x')),
            Some(Action::Quit)
        );
        assert_eq!(keymap.lookup(PaneId::Licenses, Key::char('q')), None);
    }

    #[test]
    fn bad_key_in_config_names_the_action() {
        let overrides = HashMap::from([(Action::Help, vec!["meta-q".to_owned()])]);
        let err = Keymap::with_overrides(&overrides).unwrap_err();
        assert!(err.contains("help"), "{err}");
        assert!(err.contains("meta-q"), "{err}");
    }

    #[test]
    fn a_key_given_to_two_actions_is_refused() {
        let overrides = HashMap::from([
            (Action::Quit, vec!["x".to_owned()]),
            (Action::Help, vec!["x".to_owned()]),
        ]);
        let err = Keymap::with_overrides(&overrides).unwrap_err();
        assert!(err.contains("both help and quit"), "{err}");
    }

    #[test]
    fn ctrl_letters_match_in_either_case() {
        assert_eq!(Key::parse("ctrl-A"), Ok(Key::ctrl('a')));
    }

    #[test]
    fn help_lists_every_default_action() {
        let listed = Keymap::default().for_pane(PaneId::Licenses);
        assert!(
            listed
                .iter()
                .any(|(a, keys)| *a == Action::Quit && keys.len() == 2)
        );
        assert!(listed.iter().any(|(a, _)| *a == Action::Filter));
    }

    /// In a report 1–4 switch reports: the help lists them once, with that
    /// meaning, and not the workspaces they stand for elsewhere (5 still).
    #[test]
    fn help_in_a_report_lists_each_key_with_its_meaning_there() {
        let listed = Keymap::default().for_pane(PaneId::ReportPurchase);
        let one: Vec<Action> = listed
            .iter()
            .filter(|(_, keys)| keys.contains(&Key::char('1')))
            .map(|(action, _)| *action)
            .collect();
        assert_eq!(one, vec![Action::ShowPurchaseReport]);
        assert!(!listed.iter().any(|(a, _)| *a == Action::ShowLicenses));
        assert!(listed.iter().any(|(a, _)| *a == Action::ShowUsers));
    }
}
